//! The engine: every Pusher instance of a page (or, in a SharedWorker, of every tab) as a
//! *session*, over connections that sessions with the same key and options share.
//!
//! A [`Client`] is one connection with pusher-js's rules. The engine adds what sharing needs:
//!
//! - **Connections.** A session opens with resolved options; a shared one joins a connection
//!   with equal options, or makes one. A page's own session always gets a connection of its own.
//! - **Subscriptions, reference counted.** A channel is subscribed at the server while any
//!   session holds it ([`Holders`], kept in the core's registry entry). The pusher-js rules of
//!   one instance (pending, cancelled, the same object per name) are the page's, in its facade;
//!   the engine tells each holder when the subscription succeeds, at once for a holder that
//!   comes when it already has.
//! - **Attachment.** `disconnect()` detaches one session; the connection closes when no session
//!   is attached. A session that goes away (its tab closed) releases what it held; the last one
//!   leaving a shared connection leaves it open for a short while ([`LINGER_MS`]), so that a
//!   reload finds it.
//! - **Authorization** runs in one session that holds the channel; if that session goes away
//!   mid-request, another holder is asked.
//! - **Client events** a session sends reach the other sessions holding the channel, as the
//!   server would deliver them to a separate connection (it does not echo them to the sender).
//!
//! Like the client, it is sans-IO: calls and [`Event`]s in, with the time; [`Output`]s out.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use super::channels::{ChannelEntry, ChannelKind, ChannelNameError};
use super::client::{
    Action, Authorization, Client, Event, Metadata, PageEvent, UserAuthentication,
};
use super::events::{AuthFailure, Emit, LogLevel, LogLine};
use super::frame::Frame;
use super::options::ConnectionOptions;
use super::state::ConnectionState;
use super::timers::TimerKind;
use super::value::HostValue;
use super::TriggerError;

mod holders;
mod routing;

pub use holders::Holders;

/// How long a shared connection stays open after its last session went away: long enough for a
/// reload to find it, short enough that a closed app does not keep a socket.
pub const LINGER_MS: u64 = 5_000;

/// One Pusher instance, as its facade names it. Ids start at 1 and are the host's to choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SessionId(pub u32);

/// One connection of the engine; its socket and timer events are reported with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionId(pub u32);

/// Something the host must do, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Output<V> {
    /// I/O for one connection: [`Action::OpenSocket`], `Send`, `CloseSocket`, `SetTimer` or
    /// `ClearTimer`, as [`Client`] describes them.
    Io {
        /// The connection.
        connection: ConnectionId,
        /// What to do.
        action: Action<V>,
    },
    /// Something for one session's facade.
    Message {
        /// The session.
        session: SessionId,
        /// What.
        message: Message<V>,
    },
    /// The connection is gone: drop whatever the host keeps for it (its socket is closed and its
    /// timers cleared by the `Io` outputs before this one).
    Closed {
        /// The connection.
        connection: ConnectionId,
    },
}

/// What a session's facade is told.
#[derive(Clone, Debug, PartialEq)]
pub enum Message<V> {
    /// The connection's state: the facade shows it (with `state_change` and the state's own
    /// event, `connected` with the socket id) unless it differs from nothing it showed.
    State {
        /// The state.
        state: ConnectionState,
        /// The socket id, in `connected`.
        socket_id: Option<String>,
    },
    /// An event for the facade's callbacks: the connection's `connecting_in` and `error`, a
    /// channel's events, the user's and the watchlist's.
    Emit(Emit<V>),
    /// A presence channel's members changed: the facade reads them with
    /// [`Engine::channel`] and refreshes its `Members`.
    Members {
        /// The channel.
        channel: String,
    },
    /// A frame from the server (or a client event of another session): to the channel's
    /// callbacks when `to_channel`, to the instance's global ones when `to_global`, to
    /// `pusher.user` when `to_user`, and in any case as the connection's `message` event.
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
    /// Run the app's channel authorization, then call [`Engine::authorization_done`].
    Authorize {
        /// The channel.
        channel: String,
        /// The socket id the signature must be for.
        socket_id: String,
    },
    /// Run the app's user authentication, then call [`Engine::user_authenticated`].
    AuthenticateUser {
        /// The socket id the signature must be for.
        socket_id: String,
    },
    /// The user is signed in on the connection: the facade reads who with [`Engine::client`].
    SignedIn,
    /// A log line, for a session that logs.
    Log {
        /// How loud.
        level: LogLevel,
        /// What.
        line: LogLine,
    },
}

#[derive(Clone, Debug)]
struct Session {
    id: SessionId,
    connection: ConnectionId,
    /// Not after `disconnect()`, until the next `connect()`.
    attached: bool,
    /// `signin()` was called.
    signin: bool,
    /// The page writes log lines (`Pusher.log` or `Pusher.logToConsole`).
    logging: bool,
}

#[derive(Debug)]
struct Connection<V> {
    id: ConnectionId,
    client: Client<V, Holders>,
    /// Shared between sessions (of every tab), or a page's own.
    shared: bool,
    /// When it closes if no session comes back (after the last one went away).
    linger_until: Option<u64>,
    /// What each channel's `pusher:subscription_succeeded` carried (shared connections only),
    /// for the sessions that take the channel later.
    succeeded: Vec<(String, V)>,
    /// Authorizations in flight: the channel, and the session running it.
    authorizing: Vec<(String, SessionId)>,
    /// The session asked to authenticate the user, until it answers.
    authenticating: Option<SessionId>,
    /// Sessions that asked to sign in while another's attempt was under way: if it fails, the
    /// next tries with its own options.
    signin_waiting: Vec<SessionId>,
}

/// Every session, and the connections they use.
#[derive(Debug)]
pub struct Engine<V> {
    connections: Vec<Connection<V>>,
    sessions: Vec<Session>,
    last_connection: u32,
    outbox: VecDeque<Output<V>>,
}

impl<V> Default for Engine<V> {
    fn default() -> Self {
        Engine {
            connections: Vec::new(),
            sessions: Vec::new(),
            last_connection: 0,
            outbox: VecDeque::new(),
        }
    }
}

impl<V: HostValue> Engine<V> {
    // ----- what the host reads -----

    /// The next output to carry out, oldest first.
    pub fn poll(&mut self) -> Option<Output<V>> {
        self.outbox.pop_front()
    }

    /// How many outputs are waiting.
    pub fn pending_outputs(&self) -> usize {
        self.outbox.len()
    }

    /// The outputs queued after the first `keep`, taken out in order: what a call made from
    /// inside an output (a callback calling `subscribe`) queued, for the host to carry out at
    /// once, before the rest, as pusher-js would have done it synchronously.
    pub fn take_outputs_after(&mut self, keep: usize) -> VecDeque<Output<V>> {
        if keep >= self.outbox.len() {
            return VecDeque::new();
        }
        self.outbox.split_off(keep)
    }

    /// The connection a session uses.
    pub fn client(&self, session: SessionId) -> Option<&Client<V, Holders>> {
        let connection = self.session(session)?.connection;
        Some(&self.connections[self.index(connection)?].client)
    }

    /// A channel of the connection a session uses.
    pub fn channel(&self, session: SessionId, name: &str) -> Option<&ChannelEntry<V, Holders>> {
        self.client(session)?.channel(name)
    }

    /// The connection with this id.
    pub fn connection(&self, id: ConnectionId) -> Option<&Client<V, Holders>> {
        Some(&self.connections[self.index(id)?].client)
    }

    /// The sessions of a connection that log.
    pub fn logging_sessions(
        &self,
        connection: ConnectionId,
    ) -> impl Iterator<Item = SessionId> + '_ {
        self.sessions
            .iter()
            .filter(move |s| s.connection == connection && s.attached && s.logging)
            .map(|s| s.id)
    }

    /// How many connections are open.
    pub fn connection_count(&self) -> usize {
        self.connections.len()
    }

    /// Every session's id.
    pub fn session_ids(&self) -> impl Iterator<Item = SessionId> + '_ {
        self.sessions.iter().map(|s| s.id)
    }

    // ----- sessions -----

    /// A new session (`new Pusher(...)`), attached and connecting. `shared` sessions join a
    /// shared connection with equal `options`; `seed` drives a new connection's backoff jitter;
    /// `websocket_supported` is false only where there is no `WebSocket` (the connection then
    /// goes `failed`); `logging` is [`Engine::set_logging`]'s. An id that is 0 or already open
    /// is ignored. A page's own connection has no client-event guard: its one session guards
    /// itself, synchronously.
    #[allow(clippy::too_many_arguments)]
    pub fn open(
        &mut self,
        now: u64,
        session: SessionId,
        mut options: ConnectionOptions,
        shared: bool,
        seed: u64,
        websocket_supported: bool,
        logging: bool,
    ) {
        if !shared {
            options.max_client_events_per_second = 0;
        }
        if session.0 == 0 || self.session(session).is_some() {
            return;
        }
        let existing = self
            .connections
            .iter()
            .position(|c| shared && c.shared && c.client.options() == &options);
        let index = match existing {
            Some(index) => index,
            None => {
                self.last_connection += 1;
                self.connections.push(Connection {
                    id: ConnectionId(self.last_connection),
                    client: Client::new(options, seed, websocket_supported),
                    shared,
                    linger_until: None,
                    succeeded: Vec::new(),
                    authorizing: Vec::new(),
                    authenticating: None,
                    signin_waiting: Vec::new(),
                });
                self.connections.len() - 1
            }
        };
        let connection = &mut self.connections[index];
        if connection.linger_until.take().is_some() {
            self.outbox.push_back(Output::Io {
                connection: connection.id,
                action: Action::ClearTimer {
                    kind: TimerKind::Linger,
                },
            });
        }
        self.sessions.push(Session {
            id: session,
            connection: connection.id,
            attached: false,
            signin: false,
            logging,
        });
        self.attach(now, session);
    }

    /// The session is gone (its page closed, or its instance was collected): what it held is
    /// released, an authorization it was running is asked of another holder, and a connection
    /// left with no session closes (a shared one after [`LINGER_MS`]).
    pub fn close(&mut self, now: u64, session: SessionId) {
        let Some(at) = self.sessions.iter().position(|s| s.id == session) else {
            return;
        };
        let gone = self.sessions.remove(at);
        let Some(index) = self.index(gone.connection) else {
            return;
        };
        self.release_all(index, session);
        self.reassign_authorizations(index, session);
        self.reassign_authentication(index, session);
        if self
            .sessions
            .iter()
            .any(|s| s.connection == gone.connection)
        {
            if !self.any_attached(gone.connection) {
                self.connections[index].client.disconnect(now);
            }
            self.pump(index);
            return;
        }
        let connection = &mut self.connections[index];
        let live = !matches!(
            connection.client.state(),
            ConnectionState::Initialized | ConnectionState::Disconnected | ConnectionState::Failed
        );
        if connection.shared && live {
            connection.linger_until = Some(now + LINGER_MS);
            let id = connection.id;
            self.pump(index);
            self.outbox.push_back(Output::Io {
                connection: id,
                action: Action::SetTimer {
                    kind: TimerKind::Linger,
                    delay_ms: LINGER_MS,
                },
            });
        } else {
            self.drop_connection(now, index);
        }
    }

    /// `connect()`: attaches a detached session (connecting the connection if it is not), or
    /// brings a pending retry forward.
    pub fn connect(&mut self, now: u64, session: SessionId) {
        match self.session(session) {
            Some(s) if !s.attached => self.attach(now, session),
            Some(s) => {
                if let Some(index) = self.index(s.connection) {
                    self.connections[index].client.connect(now);
                    self.pump(index);
                }
            }
            None => {}
        }
    }

    /// `disconnect()`: detaches the session; the connection closes when no session is attached.
    /// The session keeps what it holds, for its next `connect()`.
    pub fn disconnect(&mut self, now: u64, session: SessionId) {
        let Some(s) = self.session_mut(session) else {
            return;
        };
        s.attached = false;
        let connection = s.connection;
        let Some(index) = self.index(connection) else {
            return;
        };
        if !self.any_attached(connection) {
            self.connections[index].client.disconnect(now);
            self.pump(index);
        }
    }

    /// The session wants `name` subscribed: it takes the channel (a new holder), and the
    /// connection subscribes it if it is not (and is connected) or retries a failed one. A
    /// holder that comes when the channel is already subscribed is told so at once.
    pub fn subscribe(&mut self, session: SessionId, name: &str) -> Result<(), ChannelNameError> {
        ChannelKind::of(name)?;
        let Some((index, attached)) = self.session(session).and_then(|s| {
            let index = self.index(s.connection)?;
            Some((index, s.attached))
        }) else {
            return Ok(());
        };
        let client = &mut self.connections[index].client;
        client.subscribe(name)?;
        let entry = client.channel_mut(name);
        // A session that holds the channel already (its page asked again before it saw the
        // resubscription's answer) hears that answer once, like every holder.
        let newly_subscribed = entry.is_some_and(|e| e.host.add(session) && e.is_subscribed());
        if newly_subscribed && attached {
            self.tell_subscribed(index, session, name);
        }
        self.pump(index);
        Ok(())
    }

    /// The session lets go of `name`; the connection unsubscribes when nobody holds it.
    pub fn unsubscribe(&mut self, session: SessionId, name: &str) {
        let Some(index) = self.session(session).and_then(|s| self.index(s.connection)) else {
            return;
        };
        let client = &mut self.connections[index].client;
        let released = client
            .channel_mut(name)
            .is_some_and(|e| e.host.remove(session) && e.host.is_empty());
        if released {
            client.unsubscribe(name);
            self.pump(index);
        }
    }

    /// `send_event(name, data, channel?)`: whether it was sent (`data_json` as
    /// `JSON.stringify` wrote it).
    pub fn send_event(
        &mut self,
        session: SessionId,
        event: &str,
        data_json: Option<&str>,
        channel: Option<&str>,
    ) -> bool {
        let Some(index) = self.session(session).and_then(|s| self.index(s.connection)) else {
            return false;
        };
        let sent = self.connections[index]
            .client
            .send_event(event, data_json, channel);
        self.pump(index);
        sent
    }

    /// `channel.trigger(event, data)`: a client event, as [`Client::trigger`] checks and sends
    /// it. Once sent, the other sessions holding the channel get it as the server would give it
    /// to a separate connection: with the sender's `user_id` on a presence channel.
    pub fn trigger(
        &mut self,
        now: u64,
        session: SessionId,
        channel: &str,
        event: &str,
        data_json: Option<&str>,
    ) -> Result<bool, TriggerError> {
        let Some(index) = self.session(session).and_then(|s| self.index(s.connection)) else {
            return Ok(false);
        };
        let sent = self.connections[index]
            .client
            .trigger(now, channel, event, data_json)?;
        self.pump(index);
        if sent {
            self.echo_client_event(index, session, channel, event, data_json);
        }
        Ok(sent)
    }

    /// `signin()`: the connection signs the user in (now if connected, and on every connection
    /// after), with this session's options. A session asking when the user already is signed in
    /// is told at once; one asking after another's attempt failed tries with its own options.
    pub fn signin(&mut self, session: SessionId) {
        let Some(s) = self.session_mut(session) else {
            return;
        };
        s.signin = true;
        let (connection, attached) = (s.connection, s.attached);
        let Some(index) = self.index(connection) else {
            return;
        };
        let c = &mut self.connections[index];
        if c.client.user_id().is_some() {
            if attached {
                self.message(session, Message::SignedIn);
            }
            return;
        }
        if c.authenticating.is_some() {
            if !c.signin_waiting.contains(&session) {
                c.signin_waiting.push(session);
            }
            return;
        }
        c.authenticating = Some(session);
        if c.client.signin_requested() {
            c.client.retry_signin();
        } else {
            c.client.signin();
        }
        self.pump(index);
    }

    /// Whether the session's page writes log lines: only then is it sent them.
    pub fn set_logging(&mut self, session: SessionId, on: bool) {
        if let Some(s) = self.session_mut(session) {
            s.logging = on;
        }
    }

    /// The answer to a [`Message::Authorize`].
    pub fn authorization_done(
        &mut self,
        session: SessionId,
        channel: &str,
        socket_id: &str,
        result: Result<Authorization<V>, AuthFailure>,
    ) {
        let Some(index) = self.session(session).and_then(|s| self.index(s.connection)) else {
            return;
        };
        let connection = &mut self.connections[index];
        connection
            .authorizing
            .retain(|(c, s)| !(c == channel && *s == session));
        connection
            .client
            .authorization_done(channel, socket_id, result);
        self.pump(index);
    }

    /// The answer to a [`Message::AuthenticateUser`].
    pub fn user_authenticated(
        &mut self,
        session: SessionId,
        socket_id: &str,
        result: Result<UserAuthentication, AuthFailure>,
    ) {
        let Some(index) = self.session(session).and_then(|s| self.index(s.connection)) else {
            return;
        };
        let c = &mut self.connections[index];
        let failed = c.client.user_authenticated(socket_id, result);
        // What this answer makes the core say (a sign-in error) is for this session.
        self.pump(index);
        let c = &mut self.connections[index];
        c.authenticating = None;
        // A failure: the next session that asked meanwhile tries with its own options.
        if failed && !c.signin_waiting.is_empty() {
            c.authenticating = Some(c.signin_waiting.remove(0));
            c.client.retry_signin();
            self.pump(index);
        }
    }

    // ----- events -----

    /// A socket or timer event of one connection.
    pub fn handle(&mut self, now: u64, connection: ConnectionId, event: Event<V>) {
        let Some(index) = self.index(connection) else {
            return;
        };
        if matches!(event, Event::TimerFired(TimerKind::Linger)) {
            let c = &mut self.connections[index];
            if c.linger_until.take().is_some()
                && !self.sessions.iter().any(|s| s.connection == connection)
            {
                self.drop_connection(now, index);
            }
            return;
        }
        self.connections[index].client.handle(now, event);
        self.pump(index);
    }

    /// The page (any page, for a shared engine) or the network changed: every connection
    /// checks itself.
    pub fn page_event(&mut self, now: u64, event: PageEvent) {
        for index in 0..self.connections.len() {
            self.connections[index]
                .client
                .handle(now, Event::Page(event));
            self.pump(index);
        }
    }

    // ----- inside -----

    fn session(&self, id: SessionId) -> Option<&Session> {
        self.sessions.iter().find(|s| s.id == id)
    }

    fn session_mut(&mut self, id: SessionId) -> Option<&mut Session> {
        self.sessions.iter_mut().find(|s| s.id == id)
    }

    fn index(&self, id: ConnectionId) -> Option<usize> {
        self.connections.iter().position(|c| c.id == id)
    }

    fn any_attached(&self, connection: ConnectionId) -> bool {
        self.sessions
            .iter()
            .any(|s| s.connection == connection && s.attached)
    }

    /// Attaches a session: the connection connects (or retries now), then the session hears
    /// where it stands, which channels it holds are subscribed, and whether the user is signed in.
    fn attach(&mut self, now: u64, session: SessionId) {
        let Some(s) = self.session_mut(session) else {
            return;
        };
        s.attached = true;
        let (signin, connection) = (s.signin, s.connection);
        let Some(index) = self.index(connection) else {
            return;
        };
        let before = self.outbox.len();
        self.connections[index].client.connect(now);
        self.pump(index);
        // Unless connecting just told it, the session hears where the connection stands.
        let told = self.outbox.iter().skip(before).any(|o| {
            matches!(o, Output::Message { session: s, message: Message::State { .. } } if *s == session)
        });
        let client = &self.connections[index].client;
        let state = client.state();
        let socket_id = match state {
            ConnectionState::Connected => client.socket_id().map(String::from),
            _ => None,
        };
        let held: Vec<String> = client
            .channels()
            .iter()
            .filter(|(_, e)| e.is_subscribed() && e.host.contains(session))
            .map(|(name, _)| String::from(name))
            .collect();
        let signed_in = signin && client.user_id().is_some();
        if !told {
            self.outbox.push_back(Output::Message {
                session,
                message: Message::State { state, socket_id },
            });
        }
        for name in held {
            self.tell_subscribed(index, session, &name);
        }
        if signed_in {
            self.outbox.push_back(Output::Message {
                session,
                message: Message::SignedIn,
            });
        }
    }

    /// Every channel the session holds on connection `index` is let go of.
    fn release_all(&mut self, index: usize, session: SessionId) {
        let client = &mut self.connections[index].client;
        let mut released = Vec::new();
        for (name, entry) in client.channels_mut() {
            if entry.host.remove(session) && entry.host.is_empty() {
                released.push(String::from(name));
            }
        }
        for name in released {
            client.unsubscribe(&name);
        }
    }

    fn drop_connection(&mut self, now: u64, index: usize) {
        self.connections[index].client.disconnect(now);
        self.pump(index);
        let gone = self.connections.remove(index);
        self.outbox.push_back(Output::Closed {
            connection: gone.id,
        });
    }
}

#[cfg(test)]
mod tests;
