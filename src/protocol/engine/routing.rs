//! Where a connection's actions go: I/O to the host, everything else to the sessions it
//! concerns.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::{Connection, Engine, Message, Output, SessionId};
use crate::protocol::channels::ChannelKind;
use crate::protocol::client::{Action, Metadata};
use crate::protocol::events::{self, AuthFailure, Emit, Payload, Target};
use crate::protocol::frame::Frame;
use crate::protocol::state::ConnectionState;
use crate::protocol::value::HostValue;

/// Whether `event` is one of the connection's own state events (`connected`, ...), which the
/// facade makes itself from [`Message::State`].
fn is_state_event(event: &str) -> bool {
    ConnectionState::ALL
        .iter()
        .any(|state| state.as_str() == event)
}

impl<V: HostValue> Engine<V> {
    /// Routes everything connection `index` queued.
    pub(super) fn pump(&mut self, index: usize) {
        while let Some(action) = self.connections[index].client.poll_action() {
            self.route(index, action);
        }
    }

    fn route(&mut self, index: usize, action: Action<V>) {
        let connection = self.connections[index].id;
        match action {
            Action::OpenSocket { .. }
            | Action::Send { .. }
            | Action::CloseSocket { .. }
            | Action::SetTimer { .. }
            | Action::ClearTimer { .. } => self.outbox.push_back(Output::Io { connection, action }),
            Action::Emit(emit) => self.route_emit(index, emit),
            Action::Deliver {
                frame,
                to_channel,
                metadata,
                to_global,
                to_user,
            } => {
                let to = self.frame_recipients(index, frame.channel.as_deref());
                self.send_each(&to, frame, |frame| Message::Deliver {
                    frame,
                    to_channel,
                    metadata,
                    to_global,
                    to_user,
                });
            }
            Action::MembersChanged { channel } => {
                for session in self.holders(index, &channel) {
                    self.message(
                        session,
                        Message::Members {
                            channel: channel.clone(),
                        },
                    );
                }
            }
            // The core forgets a channel only once nobody holds it: no facade has it any more.
            Action::ForgetChannel { name, .. } => {
                self.connections[index]
                    .succeeded
                    .retain(|(c, _)| *c != name);
            }
            Action::Authorize { channel, socket_id } => self.authorize(index, channel, socket_id),
            Action::AuthenticateUser { socket_id } => {
                // The session that asked, or (on a new connection) the first that asked at all.
                let asked = self.connections[index]
                    .authenticating
                    .filter(|s| self.session(*s).is_some_and(|s| s.attached));
                let session = asked.or_else(|| self.signed_in_sessions(index).first().copied());
                self.connections[index].authenticating = session;
                if let Some(session) = session {
                    self.message(session, Message::AuthenticateUser { socket_id });
                }
            }
            Action::SignedIn => {
                for session in self.signed_in_sessions(index) {
                    self.message(session, Message::SignedIn);
                }
            }
            Action::Log { level, line } => {
                let to: Vec<SessionId> = self.logging_sessions(connection).collect();
                self.send_each(&to, line, |line| Message::Log { level, line });
            }
        }
    }

    fn route_emit(&mut self, index: usize, emit: Emit<V>) {
        let to = match &emit.target {
            Target::Connection => {
                if let Payload::StateChange { current, .. } = emit.payload {
                    let client = &self.connections[index].client;
                    let socket_id = match current {
                        ConnectionState::Connected => client.socket_id().map(String::from),
                        _ => None,
                    };
                    for session in self.attached(index) {
                        let socket_id = socket_id.clone();
                        let state = current;
                        self.message(session, Message::State { state, socket_id });
                    }
                    return;
                }
                if is_state_event(&emit.event) {
                    return;
                }
                self.attached(index)
            }
            Target::Channel(name) => {
                let connection = &mut self.connections[index];
                if connection.shared && emit.event == events::SUBSCRIPTION_SUCCEEDED {
                    if let Payload::Value(data) = &emit.payload {
                        remember_success(connection, name, data.clone());
                    }
                }
                self.holders(index, name)
            }
            // A sign-in error is the answer to one session's attempt: that session's.
            Target::User if emit.event == events::SIGNIN_ERROR => {
                match self.connections[index].authenticating {
                    Some(session) => vec![session],
                    None => self.signed_in_sessions(index),
                }
            }
            Target::User | Target::Watchlist => self.signed_in_sessions(index),
            Target::Global => self.attached(index),
        };
        self.send_each(&to, emit, Message::Emit);
    }

    /// Who gets a frame: the sessions holding its channel, the signed-in ones for the user's own
    /// channel, and every session for a frame with no channel or a channel nobody holds (as
    /// pusher-js's `message` event sees every frame of its connection). A page's own connection
    /// has one session, which gets everything.
    fn frame_recipients(&self, index: usize, channel: Option<&str>) -> Vec<SessionId> {
        match channel {
            Some(name) if name.starts_with("#server-to-user-") => self.signed_in_sessions(index),
            Some(name) => {
                let holders = self.holders(index, name);
                if holders.is_empty() {
                    self.attached(index)
                } else {
                    holders
                }
            }
            None => self.attached(index),
        }
    }

    /// Sends a message made of `value` to each session: clones for all but the last.
    fn send_each<T: Clone>(&mut self, to: &[SessionId], value: T, make: impl Fn(T) -> Message<V>) {
        let Some((&last, rest)) = to.split_last() else {
            return;
        };
        for &session in rest {
            self.message(session, make(value.clone()));
        }
        self.message(last, make(value));
    }

    pub(super) fn message(&mut self, session: SessionId, message: Message<V>) {
        self.outbox.push_back(Output::Message { session, message });
    }

    /// The attached sessions of connection `index`.
    fn attached(&self, index: usize) -> Vec<SessionId> {
        let id = self.connections[index].id;
        self.sessions
            .iter()
            .filter(|s| s.connection == id && s.attached)
            .map(|s| s.id)
            .collect()
    }

    /// The attached sessions holding channel `name` of connection `index`.
    fn holders(&self, index: usize, name: &str) -> Vec<SessionId> {
        let Some(entry) = self.connections[index].client.channel(name) else {
            return Vec::new();
        };
        entry
            .host
            .iter()
            .filter(|id| self.session(*id).is_some_and(|s| s.attached))
            .collect()
    }

    /// The attached sessions of connection `index` that asked to sign in.
    fn signed_in_sessions(&self, index: usize) -> Vec<SessionId> {
        let id = self.connections[index].id;
        self.sessions
            .iter()
            .filter(|s| s.connection == id && s.attached && s.signin)
            .map(|s| s.id)
            .collect()
    }

    /// Asks one session holding `channel` to authorize it (an attached one if there is one).
    /// With nobody to ask, the subscription fails, so that a later holder can try again.
    fn authorize(&mut self, index: usize, channel: String, socket_id: String) {
        let entry = self.connections[index].client.channel(&channel);
        let holders: Vec<SessionId> = entry.map(|e| e.host.iter().collect()).unwrap_or_default();
        let attached = holders
            .iter()
            .copied()
            .find(|id| self.session(*id).is_some_and(|s| s.attached));
        let Some(session) = attached.or(holders.first().copied()) else {
            let failure = AuthFailure::new(String::from("No page holds the channel any more"));
            self.connections[index]
                .client
                .authorization_done(&channel, &socket_id, Err(failure));
            return;
        };
        let connection = &mut self.connections[index];
        connection.authorizing.retain(|(c, _)| *c != channel);
        connection.authorizing.push((channel.clone(), session));
        self.message(session, Message::Authorize { channel, socket_id });
    }

    /// A user authentication that `gone` was running is asked of another session that wants
    /// the user signed in.
    pub(super) fn reassign_authentication(&mut self, index: usize, gone: SessionId) {
        let connection = &mut self.connections[index];
        connection.signin_waiting.retain(|s| *s != gone);
        if connection.authenticating != Some(gone) {
            return;
        }
        connection.authenticating = None;
        if self.signed_in_sessions(index).is_empty() {
            return;
        }
        self.connections[index].client.retry_signin();
        self.pump(index);
    }

    /// Authorizations that `gone` was running go to another holder of their channel.
    pub(super) fn reassign_authorizations(&mut self, index: usize, gone: SessionId) {
        let connection = &mut self.connections[index];
        let orphaned: Vec<String> = connection
            .authorizing
            .iter()
            .filter(|(_, s)| *s == gone)
            .map(|(c, _)| c.clone())
            .collect();
        connection.authorizing.retain(|(_, s)| *s != gone);
        for channel in orphaned {
            let client = &self.connections[index].client;
            let pending = client.channel(&channel).is_some_and(|e| e.is_pending());
            match client.socket_id() {
                Some(socket_id) if pending => {
                    let socket_id = String::from(socket_id);
                    self.authorize(index, channel, socket_id);
                }
                _ => {}
            }
        }
    }

    /// A session was told nothing of a subscription that already succeeded (it took the channel
    /// late, or came back with `connect()`): tell it now, as its own connection would have.
    pub(super) fn tell_subscribed(&mut self, index: usize, session: SessionId, name: &str) {
        let connection = &self.connections[index];
        let Some(entry) = connection.client.channel(name) else {
            return;
        };
        let payload = if entry.presence().is_some() {
            self.message(
                session,
                Message::Members {
                    channel: String::from(name),
                },
            );
            Payload::Members
        } else {
            let data = connection
                .succeeded
                .iter()
                .find(|(c, _)| c == name)
                .map(|(_, data)| data.clone())
                .unwrap_or_else(V::new_object);
            Payload::Value(data)
        };
        self.message(
            session,
            Message::Emit(Emit {
                target: Target::Channel(String::from(name)),
                event: Cow::Borrowed(events::SUBSCRIPTION_SUCCEEDED),
                payload,
            }),
        );
    }

    /// A client event `from` sent: the other sessions holding the channel get it, as the server
    /// gives it to a separate connection (`user_id` on presence channels).
    pub(super) fn echo_client_event(
        &mut self,
        index: usize,
        from: SessionId,
        channel: &str,
        event: &str,
        data_json: Option<&str>,
    ) {
        let Some(entry) = self.connections[index].client.channel(channel) else {
            return;
        };
        if !entry.is_subscribed() {
            return;
        }
        let presence = entry.kind() == ChannelKind::Presence;
        let user_id = entry.presence().and_then(|p| p.my_key()).map(String::from);
        let to: Vec<SessionId> = self
            .holders(index, channel)
            .into_iter()
            .filter(|s| *s != from)
            .collect();
        if to.is_empty() {
            return;
        }
        let data = data_json.map_or_else(V::undefined, V::from_text);
        let frame = Frame {
            event: String::from(event),
            channel: Some(String::from(channel)),
            data,
            user_id: if presence { user_id } else { None },
            raw: V::undefined(),
        };
        let metadata = if presence {
            Metadata::UserId
        } else {
            Metadata::Empty
        };
        self.send_each(&to, frame, |frame| Message::Deliver {
            frame,
            to_channel: true,
            metadata,
            to_global: true,
            to_user: false,
        });
    }
}

fn remember_success<V>(connection: &mut Connection<V>, name: &str, data: V) {
    match connection.succeeded.iter_mut().find(|(c, _)| c == name) {
        Some(slot) => slot.1 = data,
        None => connection.succeeded.push((String::from(name), data)),
    }
}
