//! The sans-IO core of the client: everything that decides, nothing that does.
//!
//! [`Client`] is the state machine. The host calls its methods for user calls (`connect`,
//! `subscribe`, ...) and feeds it [`Event`]s (socket opened, frame received, socket closed, timer
//! fired, page came back, ...) together with the current time in milliseconds. After each call
//! the host drains [`Client::poll_action`] and carries the [`Action`]s out in order: open a
//! socket, send a frame, arm a timer, emit an event to the user's callbacks.
//!
//! Payloads never have to pass through Rust: frames arrive already parsed by the host, and the
//! core reads the few control fields it needs through the [`HostValue`] trait.

mod backoff;
mod channels;
mod client;
mod close_code;
mod crypto;
mod engine;
mod events;
mod frame;
mod json;
mod options;
mod presence;
mod rate_guard;
mod recovery;
mod state;
mod timers;
mod value;
mod vec_map;

#[cfg(test)]
mod testing;

pub use backoff::{Backoff, Rng};
pub use channels::{
    has_only_protocol_characters, ChannelEntry, ChannelKind, ChannelNameError, ChannelRegistry,
    SubscriptionState, MAX_CHANNEL_NAME_LENGTH,
};
pub use client::{
    Action, Authorization, Client, Event, Metadata, PageEvent, SocketId, TriggerError,
    UserAuthentication,
};
pub use close_code::{close_action, close_is_error, handshake_close_action, CloseAction};
pub use engine::{ConnectionId, Engine, Holders, Message, Output, SessionId, LINGER_MS};
pub use events::{AuthFailure, Emit, ErrorEvent, EventName, LogLevel, LogLine, Payload, Target};
pub use frame::{ClientFrame, Frame};
pub use json::{push_string as push_json_string, push_u64};
pub use options::{
    ConnectionOptions, UserOptions, COMPATIBLE_PUSHER_JS_VERSION, PROTOCOL_VERSION,
    RECOVERY_PROTOCOL_VERSION,
};
pub use presence::Presence;
pub use rate_guard::RateGuard;
pub use state::ConnectionState;
pub use timers::{TimerKind, Timers};
pub use value::HostValue;
pub use vec_map::VecMap;
