//! User sign-in (`pusher.signin()`), the signed-in user's own channel, and the watchlist.

use alloc::borrow::Cow;
use alloc::string::String;

use super::{concat, Action, Client};
use crate::protocol::channels::ChannelKind;
use crate::protocol::events::{self, AuthFailure, LogLevel, LogLine, Payload, Target};
use crate::protocol::frame::ClientFrame;
use crate::protocol::state::ConnectionState;
use crate::protocol::value::HostValue;

/// Sign-in: whether the page asked for it, and who is signed in on the current connection.
#[derive(Debug)]
pub(super) struct SignIn<V> {
    /// `pusher.signin()` was called: sign in on every connection.
    pub(super) requested: bool,
    /// The signed-in user's id, on this connection.
    pub(super) id: Option<String>,
    /// The signed-in user's `user_data`, parsed (`pusher.user.user_data`).
    pub(super) data: Option<V>,
}

impl<V> Default for SignIn<V> {
    fn default() -> Self {
        SignIn {
            requested: false,
            id: None,
            data: None,
        }
    }
}

impl<V> SignIn<V> {
    /// The connection is gone, and the sign-in with it; the next one signs in again.
    pub(super) fn signed_out(&mut self) {
        self.id = None;
        self.data = None;
    }
}

/// What a user-authentication endpoint answered for a sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserAuthentication {
    /// `auth`, when the answer had a string there.
    pub auth: Option<String>,
    /// `user_data`: the user's JSON, with at least an `id`.
    pub user_data: Option<String>,
}

impl<V: HostValue, H: Default> Client<V, H> {
    /// The signed-in user's id, once `pusher:signin_success` came on this connection.
    pub fn user_id(&self) -> Option<&str> {
        self.user.id.as_deref()
    }

    /// The signed-in user's `user_data`, parsed.
    pub fn user_data(&self) -> Option<&V> {
        self.user.data.as_ref()
    }

    /// `pusher.signin()`: sign the user in now if connected, and on every connection after.
    pub fn signin(&mut self) {
        if self.user.requested {
            return;
        }
        self.user.requested = true;
        self.request_signin();
    }

    /// Whether `signin()` was called.
    pub fn signin_requested(&self) -> bool {
        self.user.requested
    }

    /// Asks for the user's authentication again, when sign-in was asked for, the connection is
    /// up and nobody is signed in on it: another page sharing the connection tries with its own
    /// options after a failure.
    pub fn retry_signin(&mut self) {
        if self.user.id.is_none() {
            self.request_signin();
        }
    }

    /// The answer to an [`Action::AuthenticateUser`]. A stale answer is dropped. Returns whether
    /// it failed (a `pusher:signin_error` is emitted).
    pub fn user_authenticated(
        &mut self,
        socket_id: &str,
        result: Result<UserAuthentication, AuthFailure>,
    ) -> bool {
        if !self.is_current(socket_id) {
            return false;
        }
        let checked = result.and_then(|answer| match (answer.auth, answer.user_data) {
            (Some(auth), Some(user_data)) => Ok((auth, user_data)),
            _ => Err(AuthFailure::new(concat(&[
                "The user authentication endpoint's answer has no 'auth' and 'user_data'",
            ]))),
        });
        match checked {
            Ok((auth, user_data)) => {
                self.send(ClientFrame::signin(&auth, &user_data));
                false
            }
            Err(failure) => {
                self.log(
                    LogLevel::Warn,
                    LogLine::SigninFailed {
                        message: failure.message.clone(),
                    },
                );
                self.emit(
                    Target::User,
                    Cow::Borrowed(events::SIGNIN_ERROR),
                    Payload::AuthError(failure),
                );
                true
            }
        }
    }

    /// `pusher:signin_success {user_data}`: the user is signed in; subscribe their channel.
    pub(super) fn signed_in(&mut self, data: &V) {
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
        self.user.id = Some(id);
        self.user.data = user;
        self.outbox.push_back(Action::SignedIn);
        self.channels
            .get_or_insert(&name, ChannelKind::ServerToUser);
        self.subscribe_channel(&name);
    }

    /// `pusher_internal:watchlist_events {events: [{name, user_ids}]}`: each event is emitted
    /// on `pusher.user.watchlist` by its name.
    pub(super) fn watchlist_events(&mut self, data: &V) {
        let events = data.field("events").map(|e| e.items()).unwrap_or_default();
        for event in events {
            if let Some(name) = event.string_field("name") {
                self.emit(Target::Watchlist, Cow::Owned(name), Payload::Value(event));
            }
        }
    }

    /// Whether an answer signed for `socket_id` is for the connection we have now.
    pub(super) fn is_current(&self, socket_id: &str) -> bool {
        self.state == ConnectionState::Connected && self.socket_id.as_deref() == Some(socket_id)
    }

    pub(super) fn request_signin(&mut self) {
        if !self.user.requested || !self.is_established() {
            return;
        }
        if let Some(socket_id) = self.socket_id.clone() {
            self.outbox
                .push_back(Action::AuthenticateUser { socket_id });
        }
    }
}
