//! What goes in and out of the client: the events the host feeds it and the actions it asks
//! the host to carry out.

use alloc::string::String;

use crate::protocol::events::{Emit, LogLevel, LogLine};
use crate::protocol::frame::{ClientFrame, Frame};
use crate::protocol::timers::TimerKind;

/// Identifies one WebSocket the core asked the host to open. Events from a socket the core has
/// since given up are ignored, so a late `close` of an old socket can't disturb a new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SocketId(pub u32);

/// Something the page told us about the environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageEvent {
    /// `window` `online`: the network is back.
    Online,
    /// `window` `offline`: the network is gone.
    Offline,
    /// `document` `visibilitychange` to visible: the user is back (often after a sleep).
    Visible,
    /// `pageshow` from the back/forward cache, or `document` `resume` after a freeze.
    Resumed,
}

/// An input from the outside world, other than a user call.
#[derive(Clone, Debug, PartialEq)]
pub enum Event<V> {
    /// The socket's `open` event.
    SocketOpened(SocketId),
    /// A text frame that decoded.
    Frame(SocketId, Frame<V>),
    /// A frame that did not decode: not JSON, not an object with a string `event`, or binary.
    Undecodable {
        /// The socket.
        socket: SocketId,
        /// What the decoder threw.
        error: V,
        /// The frame as received.
        data: V,
    },
    /// The socket's `error` event.
    SocketError(SocketId, V),
    /// The socket's `close` event.
    SocketClosed {
        /// The socket.
        socket: SocketId,
        /// The close code, when there was one.
        code: Option<u16>,
        /// The close reason (often empty).
        reason: String,
    },
    /// A timer the core armed went off.
    TimerFired(TimerKind),
    /// The page or the network changed.
    Page(PageEvent),
}

/// Something the host must do, in the order the core produced them.
#[derive(Clone, Debug, PartialEq)]
pub enum Action<V> {
    /// Open a WebSocket to `url` and report its events with `socket`.
    OpenSocket {
        /// The id to report events with.
        socket: SocketId,
        /// The URL.
        url: String,
    },
    /// Send a text frame on the socket.
    Send {
        /// The socket.
        socket: SocketId,
        /// The frame.
        frame: ClientFrame,
    },
    /// Close the socket and stop listening to it.
    CloseSocket {
        /// The socket.
        socket: SocketId,
    },
    /// Arm the timer of this kind, replacing any armed one.
    SetTimer {
        /// Which timer.
        kind: TimerKind,
        /// After how long.
        delay_ms: u64,
    },
    /// Cancel the timer of this kind.
    ClearTimer {
        /// Which timer.
        kind: TimerKind,
    },
    /// Run an event's callbacks.
    Emit(Emit<V>),
    /// Deliver a frame received on the established connection: as a user event to the channel's
    /// callbacks (`cb(data, metadata)`) when `to_channel`, to the instance's global emitter
    /// (`pusher.bind`) when `to_global`, to `pusher.user` when `to_user` (events sent to the
    /// signed-in user), and in any case as the connection's `message` event.
    Deliver {
        /// The frame.
        frame: Frame<V>,
        /// Emit it on `frame.channel`.
        to_channel: bool,
        /// The metadata channel callbacks get.
        metadata: Metadata,
        /// Emit it on the instance.
        to_global: bool,
        /// Emit it on `pusher.user`.
        to_user: bool,
    },
    /// A presence channel's members changed (or were reset): refresh its `Members` object.
    MembersChanged {
        /// The channel.
        channel: String,
    },
    /// The channel left the registry: drop its object from `pusher.channels`.
    ForgetChannel {
        /// The channel.
        name: String,
        /// Which subscription of that name: an action queued during a callback may come after the
        /// user subscribed the name again, and must not forget the new one.
        id: u32,
    },
    /// Ask the app's endpoint to authorize a subscription, then report back with
    /// [`Client::authorization_done`](super::Client::authorization_done).
    Authorize {
        /// The channel.
        channel: String,
        /// The socket id the signature must be for.
        socket_id: String,
    },
    /// Ask the app's user-authentication endpoint to sign the user in, then report back with
    /// [`Client::user_authenticated`](super::Client::user_authenticated).
    AuthenticateUser {
        /// The socket id the signature must be for.
        socket_id: String,
    },
    /// The user is signed in on this connection ([`Client::user_id`](super::Client::user_id)).
    SignedIn,
    /// Write a log line (when logging is on).
    Log {
        /// How loud.
        level: LogLevel,
        /// What.
        line: LogLine,
    },
}

/// The second argument of a channel event callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metadata {
    /// `{}` (public and private channels).
    Empty,
    /// `{user_id}` when the frame names its sender (presence channels), else `{}`.
    UserId,
}
