//! Channel subscriptions: subscribing and unsubscribing, what the server confirms, presence
//! members, subscription counts, and client events.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use super::{Action, Client, TriggerError};
use crate::protocol::channels::{
    has_only_protocol_characters, ChannelKind, ChannelNameError, SubscriptionState,
};
use crate::protocol::events::{self, ErrorEvent, LogLevel, LogLine, Payload, Target};
use crate::protocol::frame::ClientFrame;
use crate::protocol::json::push_u64;
use crate::protocol::recovery::Position;
use crate::protocol::state::ConnectionState;
use crate::protocol::value::HostValue;

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

impl<V: HostValue, H: Default> Client<V, H> {
    /// `subscribe(name)`: registers the channel and subscribes now if connected (else on the
    /// next `connected`). Returns the channel's id.
    pub fn subscribe(&mut self, name: &str) -> Result<u32, ChannelNameError> {
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
        if entry.state == SubscriptionState::PendingCancelled {
            entry.state = SubscriptionState::Pending;
        } else if !entry.is_pending() && connected {
            self.subscribe_channel(name);
        }
        Ok(id)
    }

    /// `unsubscribe(name)`: cancels a pending subscription, or sends `pusher:unsubscribe` and
    /// forgets the channel.
    pub fn unsubscribe(&mut self, name: &str) {
        let Some(entry) = self.channels.get_mut(name) else {
            return;
        };
        if entry.is_pending() {
            entry.state = SubscriptionState::PendingCancelled;
            return;
        }
        let was_subscribed = entry.is_subscribed();
        self.forget_channel(name);
        if was_subscribed {
            self.send(ClientFrame::unsubscribe(name));
        }
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
        if !entry.is_some_and(|e| e.is_subscribed()) {
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
        let sent = self.send_event(event, data_json, Some(channel));
        if sent {
            self.recovery_sent(now, channel, event, data_json);
        }
        Ok(sent)
    }

    /// `pusher_internal:subscription_succeeded`; `start` is where the channel's stream stands
    /// (protocol 2).
    pub(super) fn subscription_succeeded(
        &mut self,
        now: u64,
        channel: &str,
        data: &V,
        start: Option<Position>,
    ) {
        let Some(entry) = self.channels.get_mut(channel) else {
            return;
        };
        if entry.is_subscribed() {
            self.log(
                LogLevel::Debug,
                LogLine::DuplicateSubscription {
                    channel: String::from(channel),
                },
            );
            return;
        }
        let cancelled = entry.is_cancelled();
        entry.state = SubscriptionState::Subscribed;
        let resumed = core::mem::take(&mut entry.resumable);
        if cancelled {
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
        // Subscribed again after the connection was lost: the app hears how long the channel
        // was deaf (and, with connection recovery, whether what it missed was replayed).
        let gap_ms = resumed.then(|| now.saturating_sub(self.gap_from.unwrap_or(now)));
        self.channel_subscribed(now, channel, start, gap_ms);
    }

    pub(super) fn member_added(&mut self, channel: &str, data: &V) {
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

    pub(super) fn member_removed(&mut self, channel: &str, data: &V) {
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

    pub(super) fn subscription_count(&mut self, channel: &str, data: V) {
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

    pub(super) fn subscribe_channel(&mut self, name: &str) {
        let socket_id = self.socket_id.clone().unwrap_or_default();
        let Some(entry) = self.channels.get_mut(name) else {
            return;
        };
        if entry.is_subscribed() {
            return;
        }
        entry.state = SubscriptionState::Pending;
        let needs_auth = entry.kind.needs_auth();
        self.recovery_subscribing(name);
        if needs_auth {
            self.outbox.push_back(Action::Authorize {
                channel: String::from(name),
                socket_id,
            });
        } else {
            self.send(ClientFrame::subscribe(name, "", None));
        }
    }

    pub(super) fn connection_lost_for_channels(&mut self) {
        self.recovery.connection_lost();
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

    pub(super) fn members_changed(&mut self, channel: &str) {
        self.outbox.push_back(Action::MembersChanged {
            channel: String::from(channel),
        });
    }

    pub(super) fn forget_channel(&mut self, name: &str) {
        if let Some(entry) = self.channels.remove(name) {
            self.outbox.push_back(Action::ForgetChannel {
                name: String::from(name),
                id: entry.id,
            });
        }
    }
}
