//! The connection: connecting, the handshake, liveness, close codes and backoff, and the
//! connection's states.

use alloc::borrow::Cow;
use alloc::string::String;

use super::io::{Event, Metadata, PageEvent, SocketId};
use super::{Action, Client};
use crate::protocol::channels::ChannelKind;
use crate::protocol::close_code::{
    close_action, close_is_error, handshake_close_action, CloseAction,
};
use crate::protocol::events::{self, ErrorEvent, LogLevel, LogLine, Payload, Target};
use crate::protocol::frame::{ClientFrame, Frame};
use crate::protocol::recovery::Position;
use crate::protocol::state::ConnectionState;
use crate::protocol::timers::TimerKind;
use crate::protocol::value::HostValue;

/// How far the current socket got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
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
/// The socket the client uses, and how far it got.
pub(super) struct Socket {
    pub(super) id: SocketId,
    pub(super) phase: Phase,
}

/// How late a liveness timer must fire for the core to assume the page was asleep.
const OVERSLEPT_MS: u64 = 5_000;

/// A protocol code from a JSON number: integral and within `u16`, else none.
fn code_from_number(code: f64) -> Option<u16> {
    let truncated = code as u16;
    (f64::from(truncated) == code).then_some(truncated)
}

impl<V: HostValue, H: Default> Client<V, H> {
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
                        if self.protocol_refused(code) {
                            self.start_attempt(now);
                            return;
                        }
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

    pub(super) fn timer_fired(&mut self, now: u64, kind: TimerKind, lateness: u64) {
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
            // The engine's: never armed by the client.
            TimerKind::Linger => {}
            TimerKind::Resume => self.resume_timer_fired(now),
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

    pub(super) fn page_event(&mut self, now: u64, page: PageEvent) {
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

    pub(super) fn handshake_frame(&mut self, now: u64, mut frame: Frame<V>) {
        self.recovery_handshake(&mut frame);
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
                if self.protocol_refused(code) {
                    self.drop_socket();
                    self.start_attempt(now);
                    return;
                }
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

    pub(super) fn established(
        &mut self,
        now: u64,
        socket_id: String,
        server_timeout_s: Option<f64>,
    ) {
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

    pub(super) fn established_frame(&mut self, now: u64, frame: Frame<V>) {
        self.note_activity(now);
        let (frame, start) = if self.speaks_recovery_protocol() {
            match self.recovery_admit(now, frame) {
                Some(admitted) => admitted,
                None => return,
            }
        } else {
            (frame, None)
        };
        match frame.event.as_str() {
            "pusher:ping" => self.send(ClientFrame::pong()),
            "pusher:error" => self.emit_error(ErrorEvent::Server(frame.data.clone())),
            "pusher:signin_success" => self.signed_in(&frame.data),
            "pusher_internal:watchlist_events" => self.watchlist_events(&frame.data),
            _ => {}
        }
        self.channel_frame(now, frame, start);
    }

    /// A frame goes to its channel (what the protocol's own events change there) and to the
    /// page. `start`: where a protocol-2 `subscription_succeeded` says the channel's stream is.
    pub(super) fn channel_frame(&mut self, now: u64, frame: Frame<V>, start: Option<Position>) {
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
                    self.subscription_succeeded(now, channel, &frame.data, start)
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
                        self.deliver_encrypted(channel, event, frame.data.clone(), false);
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

    /// Any frame proves the socket alive: a pending pong wait is over.
    pub(super) fn note_activity(&mut self, now: u64) {
        if self.awaiting_pong {
            self.awaiting_pong = false;
            self.arm_timer(now, TimerKind::Liveness, self.activity_timeout_ms);
        }
    }

    /// A connection that lived long enough was a real one: its loss restarts the backoff.
    pub(super) fn note_uptime(&mut self, now: u64, since: u64) {
        if now.saturating_sub(since) >= self.options.stable_after_ms {
            self.backoff.reset();
        }
    }

    pub(super) fn liveness_check(&mut self, now: u64) {
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

    pub(super) fn ping(&mut self, now: u64, pong_deadline_ms: u64) {
        self.send(ClientFrame::ping());
        self.awaiting_pong = true;
        self.arm_timer(now, TimerKind::Liveness, pong_deadline_ms);
    }

    /// After the socket is gone (closed by the server, refused, timed out): decide what next.
    pub(super) fn after_close(&mut self, now: u64, action: CloseAction, code: Option<u16>) {
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
            CloseAction::Reconnect => self.backoff.next_reconnect_delay(),
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
                Cow::Borrowed(events::CONNECTING_IN),
                // Whole seconds, rounded, and at least 1: the first retry after a drop may come
                // sooner than a second, and is announced as pusher-js announces its fixed 1 s.
                Payload::Seconds(((delay + 500) / 1000).max(1)),
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

    pub(super) fn start_attempt(&mut self, now: u64) {
        self.drop_socket();
        self.last_socket += 1;
        let id = SocketId(self.last_socket);
        let recovery = self.recovery_attempt();
        let url = self.options.url(self.use_tls, recovery);
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
    pub(super) fn drop_socket(&mut self) {
        if let Some(socket) = self.socket.take() {
            self.outbox
                .push_back(Action::CloseSocket { socket: socket.id });
        }
        self.forget_socket_timers();
    }

    pub(super) fn forget_socket_timers(&mut self) {
        self.awaiting_pong = false;
        self.clear_timer(TimerKind::Attempt);
        self.clear_timer(TimerKind::Liveness);
        self.clear_timer(TimerKind::Resume);
    }

    pub(super) fn set_state(&mut self, now: u64, next: ConnectionState) {
        let previous = self.state;
        if previous == next {
            return;
        }
        self.state = next;
        if previous == ConnectionState::Connected {
            // The sign-in was for that connection; the next one signs in again.
            self.user.signed_out();
            // What the channels missed starts after the last frame of this connection.
            self.gap_from = Some(self.last_frame_at);
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
        self.emit(
            Target::Connection,
            Cow::Borrowed(events::STATE_CHANGE),
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
                    self.subscribe_channel(&name);
                }
                self.emit(
                    Target::Connection,
                    Cow::Borrowed(ConnectionState::Connected.as_str()),
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
}
