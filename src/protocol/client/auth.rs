//! Authorization of private, presence and encrypted channels, and opening encrypted events.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::string::String;

use super::{concat, Action, Client};
use crate::protocol::channels::{ChannelKind, SubscriptionState};
use crate::protocol::crypto::{self, OpenError, KEY_LENGTH};
use crate::protocol::events::{self, AuthFailure, LogLevel, LogLine, Payload, Target};
use crate::protocol::frame::ClientFrame;
use crate::protocol::value::HostValue;

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

impl<V: HostValue, H: Default> Client<V, H> {
    /// The answer to an [`Action::Authorize`]. A stale answer (the channel was unsubscribed,
    /// or the socket id changed since) is dropped and never sends a subscribe.
    pub fn authorization_done(
        &mut self,
        channel: &str,
        socket_id: &str,
        result: Result<Authorization<V>, AuthFailure>,
    ) {
        let current = self.is_current(socket_id);
        let signed_in = self.user.id.clone();
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
                        self.deliver_encrypted(channel, event, data, true);
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
        if !entry.is_pending() {
            return;
        }
        if entry.is_cancelled() {
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
                entry.state = SubscriptionState::Unsubscribed;
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

    /// An event on an encrypted channel: opened with the channel's secret and emitted to the
    /// channel's callbacks as `callback(data)`. One that does not open is kept while a fresh
    /// secret is fetched (once); with the fresh one (`retry`) it opens or is dropped.
    pub(super) fn deliver_encrypted(&mut self, channel: &str, event: String, data: V, retry: bool) {
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

    pub(super) fn drop_encrypted(&mut self, channel: &str, reason: &'static str) {
        self.log(
            LogLevel::Error,
            LogLine::DroppedEncrypted {
                channel: String::from(channel),
                reason,
            },
        );
    }
}
