//! The client state machine of one connection: the connection, its liveness and the channel
//! subscriptions, split by concern as quinn-proto splits a connection:
//!
//! - [`io`]: what goes in ([`Event`], [`PageEvent`]) and what comes out ([`Action`]);
//! - `connection`: connecting, the handshake, liveness, close codes, backoff, the states;
//! - `subscriptions`: subscribing, what the server confirms, presence members, client events;
//! - `auth`: authorizing private, presence and encrypted channels, opening encrypted events;
//! - `user`: sign-in and the signed-in user's channel;
//! - `recovery`: with `connectionRecovery`, sockudo's protocol 2 and resuming channels after a
//!   reconnect.
//!
//! Everything here is decided from the inputs alone (the user's calls, the [`Event`]s, and the
//! current time the host passes with each), and everything to be done comes out as [`Action`]s.

use alloc::borrow::Cow;
use alloc::collections::VecDeque;
use alloc::string::String;

use super::backoff::{Backoff, Rng};
use super::channels::{ChannelEntry, ChannelRegistry};
use super::events::{self, Emit, ErrorEvent, EventName, LogLevel, LogLine, Payload, Target};
use super::frame::ClientFrame;
use super::options::ConnectionOptions;
use super::rate_guard::RateGuard;
use super::state::ConnectionState;
use super::timers::{TimerKind, Timers};
use super::value::HostValue;

mod auth;
mod connection;
pub mod io;
mod recovery;
mod subscriptions;
mod user;

pub use auth::Authorization;
use connection::Socket;
pub use io::{Action, Event, Metadata, PageEvent, SocketId};
use recovery::Recovery;
use user::SignIn;
pub use user::UserAuthentication;

/// Why `channel.trigger` refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TriggerError {
    /// The event name does not start with `client-`.
    NotClientEvent,
    /// Client events are not supported on encrypted channels.
    Encrypted,
}

/// The client: the connection state machine and the channel registry, fed by the host.
#[derive(Debug)]
pub struct Client<V, H = ()> {
    options: ConnectionOptions,
    state: ConnectionState,
    websocket_supported: bool,
    socket: Option<Socket>,
    last_socket: u32,
    socket_id: Option<String>,
    use_tls: bool,
    activity_timeout_ms: u64,
    last_frame_at: u64,
    awaiting_pong: bool,
    backoff: Backoff,
    timers: Timers,
    channels: ChannelRegistry<V, H>,
    outbox: VecDeque<Action<V>>,
    client_events: RateGuard,
    /// Sign-in: whether it was asked for, and who is signed in on this connection.
    user: SignIn<V>,
    /// When the last frame of the previous connection arrived: where the channels' gap begins.
    gap_from: Option<u64>,
    /// Connection recovery: the protocol asked for, and the resumes under way.
    recovery: Recovery,
}

/// The strings joined.
fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

impl<V: HostValue, H: Default> Client<V, H> {
    /// A client in `initialized`. `seed` drives the backoff jitter; `websocket_supported` is
    /// false only in a browser without `WebSocket`, where `connect` goes `failed`.
    pub fn new(options: ConnectionOptions, seed: u64, websocket_supported: bool) -> Client<V, H> {
        let backoff = Backoff::new(
            options.backoff_base_ms,
            options.backoff_cap_ms,
            Rng::new(seed),
        );
        let client_events = RateGuard::new(options.max_client_events_per_second);
        Client {
            use_tls: options.use_tls,
            activity_timeout_ms: options.activity_timeout_ms,
            options,
            state: ConnectionState::Initialized,
            websocket_supported,
            socket: None,
            last_socket: 0,
            socket_id: None,
            last_frame_at: 0,
            awaiting_pong: false,
            backoff,
            timers: Timers::default(),
            channels: ChannelRegistry::default(),
            outbox: VecDeque::new(),
            client_events,
            user: SignIn::default(),
            gap_from: None,
            recovery: Recovery::default(),
        }
    }

    /// The next action to carry out, oldest first.
    pub fn poll_action(&mut self) -> Option<Action<V>> {
        self.outbox.pop_front()
    }

    /// How many actions are waiting.
    pub fn pending_actions(&self) -> usize {
        self.outbox.len()
    }

    /// The actions queued after the first `keep`, taken out in order. A host that calls the
    /// client from inside an action (a user callback calling `subscribe`) carries out what that
    /// call queued at once, before the rest, as pusher-js would have done it synchronously.
    pub fn take_actions_after(&mut self, keep: usize) -> VecDeque<Action<V>> {
        if keep >= self.outbox.len() {
            return VecDeque::new();
        }
        self.outbox.split_off(keep)
    }

    /// `connection.state`.
    pub fn state(&self) -> ConnectionState {
        self.state
    }

    /// `connection.socket_id`: the last one the server gave, kept after a drop.
    pub fn socket_id(&self) -> Option<&str> {
        self.socket_id.as_deref()
    }

    /// The resolved options.
    pub fn options(&self) -> &ConnectionOptions {
        &self.options
    }

    /// Whether the next attempt uses `wss:` (it switches after a 4000 close).
    pub fn uses_tls(&self) -> bool {
        self.use_tls
    }

    /// The activity timeout in force: `activityTimeout`, capped by the server's.
    pub fn activity_timeout_ms(&self) -> u64 {
        self.activity_timeout_ms
    }

    /// The channel registry.
    pub fn channels(&self) -> &ChannelRegistry<V, H> {
        &self.channels
    }

    /// One channel's entry.
    pub fn channel(&self, name: &str) -> Option<&ChannelEntry<V, H>> {
        self.channels.get(name)
    }

    /// The registry's entry for `name`, for the engine to keep its holders in.
    pub(in crate::protocol) fn channel_mut(
        &mut self,
        name: &str,
    ) -> Option<&mut ChannelEntry<V, H>> {
        self.channels.get_mut(name)
    }

    /// Every entry, for the engine to keep its holders in.
    pub(in crate::protocol) fn channels_mut(
        &mut self,
    ) -> impl Iterator<Item = (&str, &mut ChannelEntry<V, H>)> {
        self.channels.iter_mut()
    }

    /// The registry's entry for subscription `id` of `name`, or none for an older subscription
    /// of the same name (a stale channel object).
    pub fn subscription(&self, name: &str, id: u32) -> Option<&ChannelEntry<V, H>> {
        self.channels.get(name).filter(|e| e.id == id)
    }

    /// The registry's entry for subscription `id` of `name`, to change what the host keeps in
    /// it (its callbacks, a presence channel's view). None for an older subscription of the same
    /// name, so a stale channel object reaches nothing.
    pub fn subscription_mut(&mut self, name: &str, id: u32) -> Option<&mut ChannelEntry<V, H>> {
        self.channels.get_mut(name).filter(|e| e.id == id)
    }

    /// The armed timers.
    pub fn timers(&self) -> &Timers {
        &self.timers
    }

    /// How many reconnect delays were handed out since the last reset.
    pub fn consecutive_failures(&self) -> u32 {
        self.backoff.failures()
    }

    fn send(&mut self, frame: ClientFrame) {
        let Some(socket) = self.socket else {
            return;
        };
        self.log(LogLevel::Debug, LogLine::Sent(frame.0.clone()));
        self.outbox.push_back(Action::Send {
            socket: socket.id,
            frame,
        });
    }

    fn arm_timer(&mut self, now: u64, kind: TimerKind, delay_ms: u64) {
        self.timers.arm(kind, now, delay_ms);
        self.outbox.push_back(Action::SetTimer { kind, delay_ms });
    }

    fn clear_all_timers(&mut self) {
        for kind in TimerKind::ALL {
            self.clear_timer(kind);
        }
    }

    fn clear_timer(&mut self, kind: TimerKind) {
        if self.timers.clear(kind) {
            self.outbox.push_back(Action::ClearTimer { kind });
        }
    }

    fn emit(&mut self, target: Target, event: EventName, payload: Payload<V>) {
        self.outbox.push_back(Action::Emit(Emit {
            target,
            event,
            payload,
        }));
    }

    fn emit_error(&mut self, error: ErrorEvent<V>) {
        self.emit(
            Target::Connection,
            Cow::Borrowed(events::ERROR),
            Payload::Error(error),
        );
    }

    fn log(&mut self, level: LogLevel, line: LogLine) {
        self.outbox.push_back(Action::Log { level, line });
    }
}

#[cfg(test)]
#[path = "connection_tests.rs"]
mod connection_tests;

#[cfg(test)]
#[path = "subscription_tests.rs"]
mod subscription_tests;

#[cfg(test)]
#[path = "auth_tests.rs"]
mod auth_tests;

#[cfg(test)]
#[path = "user_tests.rs"]
mod user_tests;

#[cfg(test)]
#[path = "recovery_tests.rs"]
mod recovery_tests;

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "proptest.rs"]
mod proptests;
