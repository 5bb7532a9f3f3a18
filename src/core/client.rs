//! The client state machine: the connection, its liveness and the channel subscriptions.
//!
//! Everything here is decided from the inputs alone (the user's calls, the [`Event`]s, and the
//! current time the host passes with each), and everything to be done comes out as [`Action`]s.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use super::backoff::{Backoff, Rng};
use super::channels::{
    has_only_protocol_characters, ChannelEntry, ChannelKind, ChannelNameError, ChannelRegistry,
};
use super::close_code::{close_action, close_is_error, handshake_close_action, CloseAction};
use super::crypto::{self, OpenError, KEY_LENGTH};
use super::events::{
    self, AuthFailure, Emit, ErrorEvent, EventName, LogLevel, LogLine, Payload, Target,
};
use super::frame::{ClientFrame, Frame};
use super::json::push_u64;
use super::options::ConnectionOptions;
use super::rate_guard::RateGuard;
use super::state::ConnectionState;
use super::timers::{TimerKind, Timers};
use super::value::HostValue;

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
    /// [`Client::authorization_done`].
    Authorize {
        /// The channel.
        channel: String,
        /// The socket id the signature must be for.
        socket_id: String,
    },
    /// Ask the app's user-authentication endpoint to sign the user in, then report back with
    /// [`Client::user_authenticated`].
    AuthenticateUser {
        /// The socket id the signature must be for.
        socket_id: String,
    },
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

/// Why `channel.trigger` refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TriggerError {
    /// The event name does not start with `client-`.
    NotClientEvent,
    /// Client events are not supported on encrypted channels.
    Encrypted,
}

/// What an authorization endpoint answered for a subscription, as the host read it.
#[derive(Clone, Debug, PartialEq)]
pub struct Authorization<V> {
    /// `auth`: `key:signature`, when the answer had a string there.
    pub auth: Option<String>,
    /// `channel_data` (presence channels): the member's JSON.
    pub channel_data: Option<String>,
    /// `shared_secret` (encrypted channels): the key, in base64.
    pub shared_secret: Option<String>,
    /// `channel_data.user_id`, as given and as a string, when `channel_data` was JSON with one.
    pub user_id: Option<(String, V)>,
}

/// What a user-authentication endpoint answered for a sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserAuthentication {
    /// `auth`, when the answer had a string there.
    pub auth: Option<String>,
    /// `user_data`: the user's JSON, with at least an `id`.
    pub user_data: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting for the socket's `open`.
    Opening,
    /// Open, waiting for `pusher:connection_established`.
    Handshaking,
    /// The handshake is done.
    Established {
        /// When it completed.
        since: u64,
    },
}

#[derive(Clone, Copy, Debug)]
struct Socket {
    id: SocketId,
    phase: Phase,
}

/// How late a liveness timer must fire for the core to assume the page was asleep.
const OVERSLEPT_MS: u64 = 5_000;

/// The client: the connection state machine and the channel registry, fed by the host.
#[derive(Debug)]
pub struct Client<V> {
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
    channels: ChannelRegistry<V>,
    outbox: VecDeque<Action<V>>,
    client_events: RateGuard,
    /// `pusher.signin()` was called: sign in on every connection.
    signin_requested: bool,
    /// The signed-in user's id, on this connection.
    user_id: Option<String>,
    /// The signed-in user's `user_data`, parsed (`pusher.user.user_data`).
    user_data: Option<V>,
}

impl<V: HostValue> Client<V> {
    /// A client in `initialized`. `seed` drives the backoff jitter; `websocket_supported` is
    /// false only in a browser without `WebSocket`, where `connect` goes `failed`.
    pub fn new(options: ConnectionOptions, seed: u64, websocket_supported: bool) -> Client<V> {
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
            signin_requested: false,
            user_id: None,
            user_data: None,
        }
    }

    // ----- what the host and the user can read -----

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
    pub fn channels(&self) -> &ChannelRegistry<V> {
        &self.channels
    }

    /// One channel's entry.
    pub fn channel(&self, name: &str) -> Option<&ChannelEntry<V>> {
        self.channels.get(name)
    }

    /// The registry's entry for subscription `id` of `name`, to change what the host keeps in
    /// it (its callbacks, a presence channel's view). None for an older subscription of the same
    /// name, so a stale channel object reaches nothing.
    pub fn subscription_mut(&mut self, name: &str, id: u32) -> Option<&mut ChannelEntry<V>> {
        self.channels.get_mut(name).filter(|e| e.id == id)
    }

    /// The signed-in user's id, once `pusher:signin_success` came on this connection.
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }

    /// The signed-in user's `user_data`, parsed.
    pub fn user_data(&self) -> Option<&V> {
        self.user_data.as_ref()
    }

    /// The armed timers.
    pub fn timers(&self) -> &Timers {
        &self.timers
    }

    /// The socket the core currently uses, if any.
    pub fn current_socket(&self) -> Option<SocketId> {
        self.socket.map(|s| s.id)
    }

    /// Whether the handshake of the current socket is done.
    pub fn is_established(&self) -> bool {
        matches!(
            self.socket,
            Some(Socket {
                phase: Phase::Established { .. },
                ..
            })
        )
    }

    /// How many reconnect delays were handed out since the last reset.
    pub fn consecutive_failures(&self) -> u32 {
        self.backoff.failures()
    }

    // ----- user calls -----

    /// `connect()`: start connecting, unless already connected or trying (then a pending retry
    /// is brought forward).
    pub fn connect(&mut self, now: u64) {
        match self.state {
            ConnectionState::Initialized
            | ConnectionState::Disconnected
            | ConnectionState::Failed => {
                if !self.websocket_supported {
                    self.set_state(now, ConnectionState::Failed);
                    return;
                }
                self.set_state(now, ConnectionState::Connecting);
                self.start_attempt(now);
            }
            ConnectionState::Connecting | ConnectionState::Unavailable => {
                if self.timers.is_armed(TimerKind::Retry) {
                    self.clear_timer(TimerKind::Retry);
                    self.start_attempt(now);
                }
            }
            ConnectionState::Connected => {}
        }
    }

    /// `disconnect()`: close the socket, stop every timer, and go `disconnected`.
    pub fn disconnect(&mut self, now: u64) {
        self.drop_socket();
        self.clear_all_timers();
        self.backoff.reset();
        self.set_state(now, ConnectionState::Disconnected);
    }

    /// `subscribe(name)`: registers the channel and subscribes now if connected (else on the
    /// next `connected`). Returns the channel's id.
    pub fn subscribe(&mut self, now: u64, name: &str) -> Result<u32, ChannelNameError> {
        let kind = ChannelKind::of(name)?;
        if !has_only_protocol_characters(name) && self.channels.get(name).is_none() {
            self.log(
                LogLevel::Warn,
                LogLine::UnusualChannelName {
                    channel: String::from(name),
                },
            );
        }
        let connected = self.state == ConnectionState::Connected;
        let entry = self.channels.get_or_insert(name, kind);
        let id = entry.id;
        if entry.pending && entry.cancelled {
            entry.cancelled = false;
        } else if !entry.pending && connected {
            self.subscribe_channel(now, name);
        }
        Ok(id)
    }

    /// `unsubscribe(name)`: cancels a pending subscription, or sends `pusher:unsubscribe` and
    /// forgets the channel.
    pub fn unsubscribe(&mut self, _now: u64, name: &str) {
        let Some(entry) = self.channels.get_mut(name) else {
            return;
        };
        if entry.pending {
            entry.cancelled = true;
            return;
        }
        let was_subscribed = entry.subscribed;
        self.forget_channel(name);
        if was_subscribed {
            self.send(ClientFrame::unsubscribe(name));
        }
    }

    /// `send_event(name, data, channel?)`: sends when connected. `data_json` is the payload as
    /// `JSON.stringify` wrote it (`None` leaves `data` out). Returns whether it was sent.
    pub fn send_event(
        &mut self,
        event: &str,
        data_json: Option<&str>,
        channel: Option<&str>,
    ) -> bool {
        if self.state != ConnectionState::Connected || !self.is_established() {
            return false;
        }
        self.send(ClientFrame::event(event, data_json, channel));
        true
    }

    /// `channel.trigger(event, data)`: a client event. Only `client-` names are allowed, and
    /// none on encrypted channels. Over the rate guard's limit the event is not sent: `false`,
    /// with an `error` event saying so.
    pub fn trigger(
        &mut self,
        now: u64,
        channel: &str,
        event: &str,
        data_json: Option<&str>,
    ) -> Result<bool, TriggerError> {
        let entry = self.channels.get(channel);
        // pusher-js refuses every trigger on an encrypted channel, whatever the name.
        if entry.is_some_and(|e| e.kind == ChannelKind::PrivateEncrypted) {
            return Err(TriggerError::Encrypted);
        }
        if !event.starts_with("client-") {
            return Err(TriggerError::NotClientEvent);
        }
        if !entry.is_some_and(|e| e.subscribed) {
            self.log(
                LogLevel::Warn,
                LogLine::ClientEventBeforeSubscribed {
                    channel: String::from(channel),
                },
            );
        }
        if !self.is_established() {
            return Ok(false);
        }
        if !self.client_events.admit(now) {
            self.log(
                LogLevel::Warn,
                LogLine::RateLimited {
                    channel: String::from(channel),
                    event: String::from(event),
                },
            );
            self.emit_error(ErrorEvent::RateLimited {
                event: String::from(event),
                channel: String::from(channel),
                limit: self.client_events.limit(),
            });
            return Ok(false);
        }
        Ok(self.send_event(event, data_json, Some(channel)))
    }

    /// The answer to an [`Action::Authorize`]. A stale answer (the channel was unsubscribed,
    /// or the socket id changed since) is dropped and never sends a subscribe.
    pub fn authorization_done(
        &mut self,
        now: u64,
        channel: &str,
        socket_id: &str,
        result: Result<Authorization<V>, AuthFailure>,
    ) {
        let current = self.is_current(socket_id);
        let signed_in = self.user_id.clone();
        let Some(entry) = self.channels.get_mut(channel) else {
            return;
        };
        if !current {
            return;
        }
        let checked = result.and_then(|a| check_authorization(channel, entry.kind, a, signed_in));
        if let Some(waiting) = entry.awaiting_secret.take() {
            // A fresh secret for an encrypted channel whose events did not open.
            match checked.map(|c| c.secret) {
                Ok(Some(secret)) => {
                    entry.secret = Some(Box::new(secret));
                    for (event, data) in *waiting {
                        self.deliver_encrypted(now, channel, event, data, true);
                    }
                }
                _ => self.log(
                    LogLevel::Error,
                    LogLine::DroppedEncrypted {
                        channel: String::from(channel),
                        reason: "no new key from the authorization endpoint",
                    },
                ),
            }
            return;
        }
        if !entry.pending {
            return;
        }
        if entry.cancelled {
            self.forget_channel(channel);
            return;
        }
        match checked {
            Ok(checked) => {
                if let Some(secret) = checked.secret {
                    entry.secret = Some(Box::new(secret));
                }
                if let (Some(presence), Some((key, id))) = (entry.presence.as_mut(), checked.my_id)
                {
                    presence.set_my_id(key, id);
                }
                self.send(ClientFrame::subscribe(
                    channel,
                    &checked.auth,
                    checked.channel_data.as_deref(),
                ));
            }
            Err(failure) => {
                entry.pending = false;
                self.log(
                    LogLevel::Error,
                    LogLine::AuthFailed {
                        channel: String::from(channel),
                        message: failure.message.clone(),
                    },
                );
                self.emit(
                    Target::Channel(String::from(channel)),
                    Cow::Borrowed(events::SUBSCRIPTION_ERROR),
                    Payload::AuthError(failure),
                );
            }
        }
    }

    /// `pusher.signin()`: sign the user in now if connected, and on every connection after.
    pub fn signin(&mut self, _now: u64) {
        if self.signin_requested {
            return;
        }
        self.signin_requested = true;
        self.request_signin();
    }

    /// The answer to an [`Action::AuthenticateUser`]. A stale answer is dropped.
    pub fn user_authenticated(
        &mut self,
        _now: u64,
        socket_id: &str,
        result: Result<UserAuthentication, AuthFailure>,
    ) {
        if !self.is_current(socket_id) {
            return;
        }
        let checked = result.and_then(|answer| match (answer.auth, answer.user_data) {
            (Some(auth), Some(user_data)) => Ok((auth, user_data)),
            _ => Err(AuthFailure::new(concat(&[
                "The user authentication endpoint's answer has no 'auth' and 'user_data'",
            ]))),
        });
        match checked {
            Ok((auth, user_data)) => self.send(ClientFrame::signin(&auth, &user_data)),
            Err(failure) => {
                self.log(
                    LogLevel::Warn,
                    LogLine::SigninFailed {
                        message: failure.message.clone(),
                    },
                );
                self.emit(
                    Target::User,
                    Cow::Borrowed("pusher:signin_error"),
                    Payload::AuthError(failure),
                );
            }
        }
    }

    // ----- events -----

    /// Feeds one event from the socket, a timer or the page.
    pub fn handle(&mut self, now: u64, event: Event<V>) {
        match event {
            Event::SocketOpened(id) => {
                if let Some(socket) = self.socket.as_mut().filter(|s| s.id == id) {
                    if socket.phase == Phase::Opening {
                        socket.phase = Phase::Handshaking;
                    }
                }
            }
            Event::Frame(id, frame) => {
                let Some(socket) = self.socket.filter(|s| s.id == id) else {
                    return;
                };
                self.last_frame_at = now;
                match socket.phase {
                    Phase::Established { .. } => self.established_frame(now, frame),
                    Phase::Opening | Phase::Handshaking => self.handshake_frame(now, frame),
                }
            }
            Event::Undecodable {
                socket,
                error,
                data,
            } => {
                let Some(socket) = self.socket.filter(|s| s.id == socket) else {
                    return;
                };
                self.last_frame_at = now;
                match socket.phase {
                    Phase::Established { .. } => {
                        self.note_activity(now);
                        self.emit_error(ErrorEvent::Parse { error, data });
                    }
                    Phase::Opening | Phase::Handshaking => {
                        self.emit_error(ErrorEvent::HandshakeParse { error, data });
                        self.drop_socket();
                        self.after_close(now, CloseAction::Backoff, None);
                    }
                }
            }
            Event::SocketError(id, error) => {
                if self
                    .socket
                    .is_some_and(|s| s.id == id && matches!(s.phase, Phase::Established { .. }))
                {
                    self.emit_error(ErrorEvent::Socket(error));
                }
            }
            Event::SocketClosed {
                socket,
                code,
                reason,
            } => {
                let Some(closed) = self.socket.filter(|s| s.id == socket) else {
                    return;
                };
                // The host already saw it close: no CloseSocket action for this one.
                self.socket = None;
                self.forget_socket_timers();
                let reason = (!reason.is_empty()).then_some(reason);
                match closed.phase {
                    Phase::Opening => {
                        // Never opened: the network or the server is down. pusher-js says
                        // nothing to the user about these; neither do we.
                        self.after_close(now, CloseAction::Reconnect, None);
                    }
                    Phase::Handshaking => {
                        if close_is_error(code) {
                            self.emit_error(ErrorEvent::Wrapped {
                                code,
                                message: reason,
                            });
                        }
                        self.after_close(now, handshake_close_action(code), code);
                    }
                    Phase::Established { since } => {
                        let action = close_action(code);
                        if close_is_error(code) {
                            self.emit_error(ErrorEvent::Closed {
                                code,
                                reason: reason.clone(),
                            });
                            // pusher-js reports a close that asks for an action a second time,
                            // wrapped as a WebSocketError.
                            if action != CloseAction::Reconnect {
                                self.emit_error(ErrorEvent::Wrapped {
                                    code,
                                    message: reason,
                                });
                            }
                        }
                        self.note_uptime(now, since);
                        self.after_close(now, action, code);
                    }
                }
            }
            Event::TimerFired(kind) => {
                let Some(lateness) = self.timers.fire(kind, now) else {
                    return;
                };
                self.timer_fired(now, kind, lateness);
            }
            Event::Page(page) => self.page_event(now, page),
        }
    }

    // ----- the machine -----

    fn timer_fired(&mut self, now: u64, kind: TimerKind, lateness: u64) {
        match kind {
            TimerKind::Retry => {
                if self.state.is_trying() && self.socket.is_none() {
                    self.start_attempt(now);
                }
            }
            TimerKind::Unavailable => {
                if self.state == ConnectionState::Connecting {
                    self.set_state(now, ConnectionState::Unavailable);
                }
            }
            TimerKind::Attempt => {
                if self.socket.is_some() && !self.is_established() {
                    self.log(LogLevel::Debug, LogLine::AttemptTimedOut);
                    self.drop_socket();
                    self.after_close(now, CloseAction::Reconnect, None);
                }
            }
            TimerKind::Liveness => {
                let Some(Socket {
                    phase: Phase::Established { since },
                    ..
                }) = self.socket
                else {
                    return;
                };
                if self.awaiting_pong {
                    self.log(LogLevel::Debug, LogLine::PongTimedOut);
                    self.drop_socket();
                    self.note_uptime(now, since);
                    self.after_close(now, CloseAction::RetryNow, None);
                } else if lateness >= OVERSLEPT_MS {
                    // The timer fired far too late: the page was frozen or the machine slept.
                    self.liveness_check(now);
                } else {
                    let idle = now.saturating_sub(self.last_frame_at);
                    if idle >= self.activity_timeout_ms {
                        self.ping(now, self.options.pong_timeout_ms);
                    } else {
                        self.arm_timer(now, TimerKind::Liveness, self.activity_timeout_ms - idle);
                    }
                }
            }
        }
    }

    fn page_event(&mut self, now: u64, page: PageEvent) {
        let trying = self.state.is_trying();
        let handshaking = self.socket.is_some_and(|s| s.phase == Phase::Handshaking);
        let waiting_to_retry = self.timers.is_armed(TimerKind::Retry);
        match page {
            _ if self.state == ConnectionState::Connected => self.liveness_check(now),
            // pusher-js: retry at once. A handshake under way is left to finish.
            PageEvent::Online if trying && !handshaking => {
                self.backoff.reset();
                self.drop_socket();
                self.clear_timer(TimerKind::Retry);
                self.set_state(now, ConnectionState::Connecting);
                self.arm_timer(
                    now,
                    TimerKind::Unavailable,
                    self.options.unavailable_timeout_ms,
                );
                self.start_attempt(now);
            }
            PageEvent::Online if trying => self.backoff.reset(),
            // Back from a sleep while waiting to retry: don't wait out the old delay.
            PageEvent::Visible | PageEvent::Resumed if trying && waiting_to_retry => {
                self.clear_timer(TimerKind::Retry);
                self.start_attempt(now);
            }
            _ => {}
        }
    }

    fn handshake_frame(&mut self, now: u64, frame: Frame<V>) {
        match frame.event.as_str() {
            "pusher:connection_established" => {
                let socket_id = frame
                    .data
                    .string_field("socket_id")
                    .filter(|id| !id.is_empty());
                let Some(socket_id) = socket_id else {
                    self.emit_error(ErrorEvent::Handshake("No socket ID specified in handshake"));
                    self.drop_socket();
                    self.after_close(now, CloseAction::Backoff, None);
                    return;
                };
                let server_timeout = frame
                    .data
                    .number_field("activity_timeout")
                    .filter(|t| *t > 0.0);
                self.established(now, socket_id, server_timeout);
            }
            "pusher:error" => {
                let code = frame.data.number_field("code").and_then(code_from_number);
                let message = frame
                    .data
                    .string_field("reason")
                    .filter(|m| !m.is_empty())
                    .or_else(|| frame.data.string_field("message"));
                self.emit_error(ErrorEvent::Wrapped { code, message });
                self.drop_socket();
                self.after_close(now, handshake_close_action(code), code);
            }
            _ => {
                self.emit_error(ErrorEvent::Handshake("Invalid handshake"));
                self.drop_socket();
                self.after_close(now, CloseAction::Backoff, None);
            }
        }
    }

    fn established(&mut self, now: u64, socket_id: String, server_timeout_s: Option<f64>) {
        if let Some(socket) = self.socket.as_mut() {
            socket.phase = Phase::Established { since: now };
        }
        self.clear_timer(TimerKind::Attempt);
        self.clear_timer(TimerKind::Unavailable);
        self.clear_timer(TimerKind::Retry);
        let mut activity = self.options.activity_timeout_ms;
        if let Some(seconds) = server_timeout_s {
            let server_ms = seconds * 1000.0;
            if server_ms < activity as f64 {
                activity = server_ms as u64;
            }
        }
        self.activity_timeout_ms = activity.max(1);
        self.awaiting_pong = false;
        self.arm_timer(now, TimerKind::Liveness, self.activity_timeout_ms);
        self.socket_id = Some(socket_id);
        self.set_state(now, ConnectionState::Connected);
    }

    fn established_frame(&mut self, now: u64, frame: Frame<V>) {
        self.note_activity(now);
        match frame.event.as_str() {
            "pusher:ping" => self.send(ClientFrame::pong()),
            "pusher:error" => self.emit_error(ErrorEvent::Server(frame.data.clone())),
            "pusher:signin_success" => self.signed_in(now, &frame.data),
            "pusher_internal:watchlist_events" => self.watchlist_events(&frame.data),
            _ => {}
        }
        let internal = frame.event.starts_with("pusher_internal:");
        let mut to_channel = false;
        let mut to_user = false;
        let mut metadata = Metadata::Empty;
        let kind = frame
            .channel
            .as_deref()
            .and_then(|channel| self.channels.get(channel))
            .map(|entry| entry.kind);
        if let (Some(channel), Some(kind)) = (frame.channel.as_deref(), kind) {
            match frame.event.as_str() {
                "pusher_internal:subscription_succeeded" => {
                    self.subscription_succeeded(channel, &frame.data)
                }
                "pusher_internal:subscription_count" => {
                    self.subscription_count(channel, frame.data.clone())
                }
                "pusher_internal:member_added" => self.member_added(channel, &frame.data),
                "pusher_internal:member_removed" => self.member_removed(channel, &frame.data),
                _ if internal => {}
                _ => match kind {
                    ChannelKind::ServerToUser => to_user = !frame.event.starts_with("pusher:"),
                    ChannelKind::PrivateEncrypted if !frame.event.starts_with("pusher:") => {
                        // pusher-js decrypts for the channel's callbacks only; the instance and
                        // `message` listeners see the frame as it came.
                        let event = frame.event.clone();
                        self.deliver_encrypted(now, channel, event, frame.data.clone(), false);
                    }
                    ChannelKind::Presence => {
                        to_channel = true;
                        metadata = Metadata::UserId;
                    }
                    _ => to_channel = true,
                },
            }
        }
        self.outbox.push_back(Action::Deliver {
            frame,
            to_channel,
            metadata,
            to_global: !internal,
            to_user,
        });
    }

    fn subscription_succeeded(&mut self, channel: &str, data: &V) {
        let Some(entry) = self.channels.get_mut(channel) else {
            return;
        };
        if entry.subscribed && !entry.pending {
            self.log(
                LogLevel::Debug,
                LogLine::DuplicateSubscription {
                    channel: String::from(channel),
                },
            );
            return;
        }
        entry.pending = false;
        entry.subscribed = true;
        if entry.cancelled {
            self.forget_channel(channel);
            self.send(ClientFrame::unsubscribe(channel));
            return;
        }
        let payload = match (entry.kind, entry.presence.as_mut()) {
            (ChannelKind::ServerToUser, _) => return,
            (_, Some(presence)) => {
                presence.subscribed(data);
                self.members_changed(channel);
                Payload::Members
            }
            _ => Payload::Value(data.clone()),
        };
        self.emit(
            Target::Channel(String::from(channel)),
            Cow::Borrowed(events::SUBSCRIPTION_SUCCEEDED),
            payload,
        );
    }

    fn member_added(&mut self, channel: &str, data: &V) {
        let Some(id) = member_id(data) else {
            return;
        };
        let info = data.field("user_info").unwrap_or_else(V::undefined);
        let presence = self
            .channels
            .get_mut(channel)
            .and_then(|e| e.presence.as_mut());
        let new = presence.is_some_and(|p| p.add(&id, info.clone()));
        self.members_changed(channel);
        if new {
            self.emit(
                Target::Channel(String::from(channel)),
                Cow::Borrowed(events::MEMBER_ADDED),
                Payload::Member { id, info },
            );
        }
    }

    fn member_removed(&mut self, channel: &str, data: &V) {
        let Some(id) = member_id(data) else {
            return;
        };
        let presence = self
            .channels
            .get_mut(channel)
            .and_then(|e| e.presence.as_mut());
        if let Some(info) = presence.and_then(|p| p.remove(&id)) {
            self.members_changed(channel);
            self.emit(
                Target::Channel(String::from(channel)),
                Cow::Borrowed(events::MEMBER_REMOVED),
                Payload::Member { id, info },
            );
        }
    }

    /// An event on an encrypted channel: opened with the channel's secret and emitted to the
    /// channel's callbacks as `callback(data)`. One that does not open is kept while a fresh
    /// secret is fetched (once); with the fresh one (`retry`) it opens or is dropped.
    fn deliver_encrypted(&mut self, _now: u64, channel: &str, event: String, data: V, retry: bool) {
        let socket_id = self.socket_id.clone().unwrap_or_default();
        let Some(entry) = self.channels.get_mut(channel) else {
            return;
        };
        let Some(secret) = entry.secret.as_deref().copied() else {
            return self.drop_encrypted(channel, "it came before the channel's key");
        };
        let (Some(nonce), Some(ciphertext)) =
            (data.string_field("nonce"), data.string_field("ciphertext"))
        else {
            return self.drop_encrypted(channel, "it is not {nonce, ciphertext}");
        };
        match open(&secret, &nonce, &ciphertext) {
            Ok(plain) => self.emit(
                Target::Channel(String::from(channel)),
                Cow::Owned(event),
                Payload::Value(plain),
            ),
            Err(OpenError::Malformed) => {
                self.drop_encrypted(channel, "its nonce or ciphertext is malformed")
            }
            Err(OpenError::NotText) => self.drop_encrypted(channel, "it does not hold UTF-8 text"),
            Err(OpenError::WrongKey) if retry => {
                self.drop_encrypted(channel, "it does not open with the new key either")
            }
            Err(OpenError::WrongKey) => match entry.awaiting_secret.as_mut() {
                Some(waiting) => waiting.push((event, data)),
                None => {
                    entry.awaiting_secret = Some(Box::new(alloc::vec![(event, data)]));
                    self.outbox.push_back(Action::Authorize {
                        channel: String::from(channel),
                        socket_id,
                    });
                }
            },
        }
    }

    fn drop_encrypted(&mut self, channel: &str, reason: &'static str) {
        self.log(
            LogLevel::Error,
            LogLine::DroppedEncrypted {
                channel: String::from(channel),
                reason,
            },
        );
    }

    /// `pusher:signin_success {user_data}`: the user is signed in; subscribe their channel.
    fn signed_in(&mut self, now: u64, data: &V) {
        let user = data
            .string_field("user_data")
            .and_then(|text| V::parse_json(&text));
        let id = user
            .as_ref()
            .and_then(|user| user.string_field("id"))
            .filter(|id| !id.is_empty());
        let Some(id) = id else {
            self.log(
                LogLevel::Error,
                LogLine::SigninFailed {
                    message: String::from("user_data after sign-in is not JSON with an 'id'"),
                },
            );
            return;
        };
        let name = concat(&["#server-to-user-", &id]);
        self.user_id = Some(id);
        self.user_data = user;
        self.channels
            .get_or_insert(&name, ChannelKind::ServerToUser);
        self.subscribe_channel(now, &name);
    }

    /// `pusher_internal:watchlist_events {events: [{name, user_ids}]}`: each event is emitted
    /// on `pusher.user.watchlist` by its name.
    fn watchlist_events(&mut self, data: &V) {
        let events = data.field("events").map(|e| e.items()).unwrap_or_default();
        for event in events {
            if let Some(name) = event.string_field("name") {
                self.emit(Target::Watchlist, Cow::Owned(name), Payload::Value(event));
            }
        }
    }

    /// Whether an answer signed for `socket_id` is for the connection we have now.
    fn is_current(&self, socket_id: &str) -> bool {
        self.state == ConnectionState::Connected && self.socket_id.as_deref() == Some(socket_id)
    }

    fn request_signin(&mut self) {
        if !self.signin_requested || !self.is_established() {
            return;
        }
        if let Some(socket_id) = self.socket_id.clone() {
            self.outbox
                .push_back(Action::AuthenticateUser { socket_id });
        }
    }

    fn subscription_count(&mut self, channel: &str, data: V) {
        let count = data
            .number_field("subscription_count")
            .filter(|c| *c != 0.0);
        if let Some(entry) = self.channels.get_mut(channel) {
            if let Some(count) = count {
                entry.subscription_count = count;
            }
        }
        self.emit(
            Target::Channel(String::from(channel)),
            Cow::Borrowed(events::SUBSCRIPTION_COUNT),
            Payload::Value(data),
        );
    }

    /// Any frame proves the socket alive: a pending pong wait is over.
    fn note_activity(&mut self, now: u64) {
        if self.awaiting_pong {
            self.awaiting_pong = false;
            self.arm_timer(now, TimerKind::Liveness, self.activity_timeout_ms);
        }
    }

    /// A connection that lived long enough was a real one: its loss restarts the backoff.
    fn note_uptime(&mut self, now: u64, since: u64) {
        if now.saturating_sub(since) >= self.options.stable_after_ms {
            self.backoff.reset();
        }
    }

    fn liveness_check(&mut self, now: u64) {
        if !self.is_established() {
            return;
        }
        self.log(LogLevel::Debug, LogLine::LivenessCheck);
        let deadline = self
            .options
            .liveness_timeout_ms
            .min(self.options.pong_timeout_ms);
        if self.awaiting_pong {
            let remaining = self
                .timers
                .deadline(TimerKind::Liveness)
                .map_or(u64::MAX, |d| d.saturating_sub(now));
            if remaining > deadline {
                self.arm_timer(now, TimerKind::Liveness, deadline);
            }
        } else {
            self.ping(now, deadline);
        }
    }

    fn ping(&mut self, now: u64, pong_deadline_ms: u64) {
        self.send(ClientFrame::ping());
        self.awaiting_pong = true;
        self.arm_timer(now, TimerKind::Liveness, pong_deadline_ms);
    }

    /// After the socket is gone (closed by the server, refused, timed out): decide what next.
    fn after_close(&mut self, now: u64, action: CloseAction, code: Option<u16>) {
        let delay = match action {
            CloseAction::Refuse => {
                self.clear_all_timers();
                self.log(LogLevel::Warn, LogLine::Refused { code });
                self.set_state(now, ConnectionState::Disconnected);
                return;
            }
            CloseAction::UseTls => {
                self.use_tls = true;
                0
            }
            CloseAction::RetryNow => {
                let first = self.backoff.failures() == 0;
                let delay = self.backoff.next_delay();
                if first {
                    0
                } else {
                    delay
                }
            }
            // At least a second, and jittered from the first retry on.
            CloseAction::Backoff => 1000 + self.backoff.next_delay() / 2,
            CloseAction::Reconnect => self.backoff.next_delay(),
        };
        let was_connected = self.state == ConnectionState::Connected;
        if !was_connected && !self.state.is_trying() {
            return;
        }
        if delay > 0 {
            // Emitted before the state change, in pusher-js's order (it stays `connected`
            // through the wait; we say `connecting`, which is the truth).
            self.log(LogLevel::Debug, LogLine::Reconnecting { delay_ms: delay });
            self.emit(
                Target::Connection,
                Cow::Borrowed("connecting_in"),
                Payload::Seconds((delay + 500) / 1000),
            );
        }
        if was_connected {
            self.set_state(now, ConnectionState::Connecting);
        }
        if delay == 0 {
            self.clear_timer(TimerKind::Retry);
            self.start_attempt(now);
        } else {
            self.arm_timer(now, TimerKind::Retry, delay);
        }
    }

    fn start_attempt(&mut self, now: u64) {
        self.drop_socket();
        self.last_socket += 1;
        let id = SocketId(self.last_socket);
        let url = self.options.url(self.use_tls);
        self.log(LogLevel::Debug, LogLine::Connecting { url: url.clone() });
        self.outbox
            .push_back(Action::OpenSocket { socket: id, url });
        self.socket = Some(Socket {
            id,
            phase: Phase::Opening,
        });
        self.arm_timer(now, TimerKind::Attempt, self.options.attempt_timeout_ms);
    }

    /// Closes the current socket, if any, and stops what only made sense with it.
    fn drop_socket(&mut self) {
        if let Some(socket) = self.socket.take() {
            self.outbox
                .push_back(Action::CloseSocket { socket: socket.id });
        }
        self.forget_socket_timers();
    }

    fn forget_socket_timers(&mut self) {
        self.awaiting_pong = false;
        self.clear_timer(TimerKind::Attempt);
        self.clear_timer(TimerKind::Liveness);
    }

    fn set_state(&mut self, now: u64, next: ConnectionState) {
        let previous = self.state;
        if previous == next {
            return;
        }
        self.state = next;
        if previous == ConnectionState::Connected {
            // The sign-in was for that connection; the next one signs in again.
            self.user_id = None;
            self.user_data = None;
        }
        match next {
            ConnectionState::Connecting => {
                self.connection_lost_for_channels();
                self.arm_timer(
                    now,
                    TimerKind::Unavailable,
                    self.options.unavailable_timeout_ms,
                );
            }
            ConnectionState::Disconnected => {
                self.connection_lost_for_channels();
                self.clear_timer(TimerKind::Unavailable);
            }
            _ => {}
        }
        let socket_id = match next {
            ConnectionState::Connected => self.socket_id.clone(),
            _ => None,
        };
        self.log(
            LogLevel::Debug,
            LogLine::StateChanged {
                previous,
                current: next,
                socket_id: socket_id.clone(),
            },
        );
        self.emit(
            Target::Connection,
            Cow::Borrowed("state_change"),
            Payload::StateChange {
                previous,
                current: next,
            },
        );
        match socket_id {
            Some(socket_id) => {
                self.request_signin();
                // pusher-js subscribes every channel from its own `connected` listener, which
                // runs before the user's.
                for name in self.channels.names_in_order() {
                    self.subscribe_channel(now, &name);
                }
                self.emit(
                    Target::Connection,
                    Cow::Borrowed("connected"),
                    Payload::Connected { socket_id },
                );
            }
            None => self.emit(
                Target::Connection,
                Cow::Borrowed(next.as_str()),
                Payload::Nothing,
            ),
        }
    }

    fn subscribe_channel(&mut self, _now: u64, name: &str) {
        let socket_id = self.socket_id.clone().unwrap_or_default();
        let Some(entry) = self.channels.get_mut(name) else {
            return;
        };
        if entry.subscribed {
            return;
        }
        entry.pending = true;
        entry.cancelled = false;
        if entry.kind.needs_auth() {
            self.outbox.push_back(Action::Authorize {
                channel: String::from(name),
                socket_id,
            });
        } else {
            self.send(ClientFrame::subscribe(name, "", None));
        }
    }

    fn connection_lost_for_channels(&mut self) {
        for (name, id) in self.channels.connection_lost() {
            self.outbox.push_back(Action::ForgetChannel { name, id });
        }
        let presence: Vec<String> = self
            .channels
            .iter()
            .filter(|(_, e)| e.presence.is_some())
            .map(|(name, _)| String::from(name))
            .collect();
        for channel in presence {
            self.outbox.push_back(Action::MembersChanged { channel });
        }
    }

    fn members_changed(&mut self, channel: &str) {
        self.outbox.push_back(Action::MembersChanged {
            channel: String::from(channel),
        });
    }

    fn forget_channel(&mut self, name: &str) {
        if let Some(entry) = self.channels.remove(name) {
            self.outbox.push_back(Action::ForgetChannel {
                name: String::from(name),
                id: entry.id,
            });
        }
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
            Cow::Borrowed("error"),
            Payload::Error(error),
        );
    }

    fn log(&mut self, level: LogLevel, line: LogLine) {
        self.outbox.push_back(Action::Log { level, line });
    }
}

/// Opens a box and makes its text a value: JSON when it parses, else the string.
fn open<V: HostValue>(
    secret: &[u8; KEY_LENGTH],
    nonce: &str,
    ciphertext: &str,
) -> Result<V, OpenError> {
    let bytes = crypto::open(secret, nonce, ciphertext)?;
    let text = core::str::from_utf8(&bytes).map_err(|_| OpenError::NotText)?;
    Ok(V::from_text(text))
}

/// The strings joined.
fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// A member's id: `user_id` as a string (integers are accepted and written in decimal).
fn member_id<V: HostValue>(data: &V) -> Option<String> {
    if let Some(id) = data.string_field("user_id") {
        return Some(id);
    }
    let n = data.number_field("user_id")?;
    let whole = n as u64;
    (n >= 0.0 && whole as f64 == n).then(|| {
        let mut id = String::new();
        push_u64(&mut id, whole);
        id
    })
}

/// What the core needs from an authorization, checked for the channel's kind.
struct CheckedAuthorization<V> {
    auth: String,
    channel_data: Option<String>,
    secret: Option<[u8; KEY_LENGTH]>,
    my_id: Option<(String, V)>,
}

fn check_authorization<V: HostValue>(
    channel: &str,
    kind: ChannelKind,
    answer: Authorization<V>,
    signed_in_user: Option<String>,
) -> Result<CheckedAuthorization<V>, AuthFailure> {
    let auth = answer.auth.ok_or_else(|| {
        AuthFailure::new(concat(&[
            "Invalid auth response for channel '",
            channel,
            "': it has no 'auth' string",
        ]))
    })?;
    let mut checked = CheckedAuthorization {
        auth,
        channel_data: answer.channel_data,
        secret: None,
        my_id: None,
    };
    match kind {
        ChannelKind::Presence => {
            checked.my_id = match (&checked.channel_data, answer.user_id, signed_in_user) {
                (Some(_), Some(user), _) => Some(user),
                (Some(_), None, _) => {
                    return Err(AuthFailure::new(concat(&[
                        "Invalid auth response for channel '",
                        channel,
                        "': 'channel_data' is not JSON with a 'user_id'",
                    ])))
                }
                (None, _, Some(user)) => Some((user.clone(), V::from_string(&user))),
                (None, _, None) => {
                    return Err(AuthFailure::new(concat(&[
                        "Invalid auth response for channel '",
                        channel,
                        "', expected 'channel_data' field, or the user should be signed in",
                    ])))
                }
            };
        }
        ChannelKind::PrivateEncrypted => {
            let secret = answer.shared_secret.ok_or_else(|| {
                AuthFailure::new(concat(&[
                    "No shared_secret key in auth payload for encrypted channel: ",
                    channel,
                ]))
            })?;
            checked.secret = Some(crypto::shared_secret(&secret).ok_or_else(|| {
                AuthFailure::new(concat(&[
                    "The shared_secret for encrypted channel ",
                    channel,
                    " is not 32 bytes of base64",
                ]))
            })?);
        }
        _ => {}
    }
    Ok(checked)
}

/// A protocol code from a JSON number: integral and within `u16`, else none.
fn code_from_number(code: f64) -> Option<u16> {
    let truncated = code as u16;
    (f64::from(truncated) == code).then_some(truncated)
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "client_auth_tests.rs"]
mod auth_tests;

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "client_proptest.rs"]
mod proptests;
