//! What the core asks the host to emit to the user's callbacks, and to log.

use alloc::borrow::Cow;
use alloc::string::String;

use super::state::ConnectionState;

/// An event name: static for the protocol's own, owned for the user's.
pub type EventName = Cow<'static, str>;

/// `state_change` on the connection: `{previous, current}`.
pub const STATE_CHANGE: &str = "state_change";
/// `connecting_in` on the connection: the seconds until the next attempt.
pub const CONNECTING_IN: &str = "connecting_in";
/// `error` on the connection.
pub const ERROR: &str = "error";
/// `pusher:signin_error` on `pusher.user`: the user's authentication failed.
pub const SIGNIN_ERROR: &str = "pusher:signin_error";

/// `pusher:subscription_succeeded`: a channel's subscription is confirmed.
pub const SUBSCRIPTION_SUCCEEDED: &str = "pusher:subscription_succeeded";
/// `pusher:subscription_error`: a channel's authorization failed.
pub const SUBSCRIPTION_ERROR: &str = "pusher:subscription_error";
/// `pusher:member_added`: someone joined a presence channel.
pub const MEMBER_ADDED: &str = "pusher:member_added";
/// `pusher:member_removed`: someone left a presence channel.
pub const MEMBER_REMOVED: &str = "pusher:member_removed";
/// `pusher:subscription_count`: the server's count of a channel's subscribers.
pub const SUBSCRIPTION_COUNT: &str = "pusher:subscription_count";

/// `pusher-wasm:resumed`: a channel subscribed again after it was subscribed on an earlier
/// connection, with what may have been missed in between.
pub const RESUMED: &str = "pusher-wasm:resumed";

/// Whose callbacks an event goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `pusher.connection.bind(...)`.
    Connection,
    /// `pusher.bind(...)`: the instance's global emitter.
    Global,
    /// `channel.bind(...)` on the named channel.
    Channel(String),
    /// `pusher.user.bind(...)`: events sent to the signed-in user, and sign-in errors.
    User,
    /// `pusher.user.watchlist.bind(...)`: online/offline events of watched users.
    Watchlist,
}

/// One event for one emitter.
#[derive(Clone, Debug, PartialEq)]
pub struct Emit<V> {
    /// The emitter.
    pub target: Target,
    /// The event name the callbacks are bound to.
    pub event: EventName,
    /// What the callbacks receive.
    pub payload: Payload<V>,
}

/// The arguments an event's callbacks receive. The host turns each into the JavaScript value
/// pusher-js would pass.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload<V> {
    /// No argument at all (e.g. `connecting`, `disconnected`).
    Nothing,
    /// One value, passed as it is (`pusher:subscription_succeeded`, `pusher:subscription_count`).
    Value(V),
    /// `{previous, current}` for `state_change`.
    StateChange {
        /// The state left.
        previous: ConnectionState,
        /// The state entered.
        current: ConnectionState,
    },
    /// `{socket_id}` for `connected`.
    Connected {
        /// The new socket id.
        socket_id: String,
    },
    /// A number of seconds, for `connecting_in`.
    Seconds(u64),
    /// An `error` event.
    Error(ErrorEvent<V>),
    /// The presence channel's `Members` object (`pusher:subscription_succeeded`).
    Members,
    /// `{id, info}` of a member who joined or left.
    Member {
        /// The user id.
        id: String,
        /// The `user_info`.
        info: V,
    },
    /// `{type: 'AuthError', error: message, status?}`, for `pusher:subscription_error` and
    /// `pusher:signin_error`.
    AuthError(AuthFailure),
    /// `{gapMs, recovered, replayed}` for `pusher-wasm:resumed`.
    Resumed {
        /// From the last frame received on the old connection to the new subscription.
        gap_ms: u64,
        /// Whether the server replayed everything missed (never, without connection recovery).
        recovered: bool,
        /// How many events the server replayed.
        replayed: u32,
    },
}

/// Why an authorization (of a channel, or of the user's sign-in) failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthFailure {
    /// A readable message: what was wrong, and with which endpoint.
    pub message: String,
    /// The HTTP status, when the endpoint answered with something else than 200.
    pub status: Option<u16>,
}

impl AuthFailure {
    /// A failure that is not about HTTP (a bad answer, a missing field).
    pub fn new(message: String) -> AuthFailure {
        AuthFailure {
            message,
            status: None,
        }
    }
}

/// The payloads of the connection's `error` event, each with pusher-js's shape.
#[derive(Clone, Debug, PartialEq)]
pub enum ErrorEvent<V> {
    /// The connected socket closed with an error code:
    /// `{type: 'PusherError', data: {code, message}}`.
    Closed {
        /// The close code.
        code: Option<u16>,
        /// The close reason, when not empty.
        reason: Option<String>,
    },
    /// The server sent `pusher:error` on an established connection:
    /// `{type: 'PusherError', data}` with the frame's data as it came.
    Server(V),
    /// The connected socket fired an `error` event: `{type: 'WebSocketError', error: event}`.
    Socket(V),
    /// A close or refusal that makes the client act (retry now, back off, switch to TLS, give
    /// up), as pusher-js reports it: `{type: 'WebSocketError', error: {type: 'PusherError',
    /// data: {code, message}}}`. The only report of a failed handshake; the second one of a
    /// close of an established connection.
    Wrapped {
        /// The close or error code.
        code: Option<u16>,
        /// The reason or message, when not empty.
        message: Option<String>,
    },
    /// The first frame was not a handshake: `{type: 'HandshakeError', error: message}`.
    Handshake(&'static str),
    /// The first frame could not be decoded:
    /// `{type: 'HandshakeError', error: {type: 'MessageParseError', error, data}}`.
    HandshakeParse {
        /// What the decoder threw.
        error: V,
        /// The frame as received.
        data: V,
    },
    /// A client event was not sent: more than `maxClientEventsPerSecond` in the last second
    /// (the server would drop the connection for it).
    /// `{type: 'ClientEventRateLimited', error: message, data: {event, channel}}`.
    RateLimited {
        /// The event name.
        event: String,
        /// The channel.
        channel: String,
        /// The limit per second.
        limit: u32,
    },
    /// A frame could not be decoded. pusher-js wraps the decoder's error twice:
    /// `{type: 'MessageParseError', error: {type: 'MessageParseError', error, data}, data}`.
    Parse {
        /// What the decoder threw.
        error: V,
        /// The frame as received.
        data: V,
    },
}

/// How loud a log line is: pusher-js's `Logger.debug`, `warn` and `error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogLevel {
    /// `console.log`.
    Debug,
    /// `console.warn`.
    Warn,
    /// `console.error`.
    Error,
}

/// A log line, rendered by the host only when logging is on (`Pusher.log` or
/// `Pusher.logToConsole`), so a quiet client formats nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogLine {
    /// A connection attempt to `url`.
    Connecting {
        /// The WebSocket URL.
        url: String,
    },
    /// A frame was sent (its JSON).
    Sent(String),
    /// `connecting_in` was scheduled.
    Reconnecting {
        /// The delay in ms.
        delay_ms: u64,
    },
    /// No frame arrived within the pong deadline after a ping.
    PongTimedOut,
    /// An attempt (socket open plus handshake) took too long.
    AttemptTimedOut,
    /// The server refused the connection for good.
    Refused {
        /// The refusal code.
        code: Option<u16>,
    },
    /// A client event on a channel whose subscription is not confirmed yet.
    ClientEventBeforeSubscribed {
        /// The channel.
        channel: String,
    },
    /// The server confirmed a subscription twice; the second is ignored.
    DuplicateSubscription {
        /// The channel.
        channel: String,
    },
    /// A channel name outside the protocol's characters (sent anyway).
    UnusualChannelName {
        /// The channel.
        channel: String,
    },
    /// The page came back or the network changed: checking the connection.
    LivenessCheck,
    /// A channel's authorization failed.
    AuthFailed {
        /// The channel.
        channel: String,
        /// Why.
        message: String,
    },
    /// The user's sign-in failed.
    SigninFailed {
        /// Why.
        message: String,
    },
    /// An event on an encrypted channel that could not be opened and is dropped.
    DroppedEncrypted {
        /// The channel.
        channel: String,
        /// Why.
        reason: &'static str,
    },
    /// A client event over the rate limit was not sent.
    RateLimited {
        /// The channel.
        channel: String,
        /// The event.
        event: String,
    },
    /// The server refused protocol 2 (`connectionRecovery`): connecting with protocol 7, without
    /// recovery, from now on.
    RecoveryProtocolRefused,
    /// A channel was not recovered after a reconnect: it goes on from its new subscription.
    NotRecovered {
        /// The channel.
        channel: String,
        /// Why (the server's code, or what happened).
        reason: String,
    },
}
