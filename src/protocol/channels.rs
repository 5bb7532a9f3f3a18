//! The channel registry: which channels the user asked for, and where each subscription stands.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use super::crypto::KEY_LENGTH;
use super::presence::Presence;
use super::recovery::ChannelRecovery;
use super::vec_map::VecMap;

/// What a channel's name makes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelKind {
    /// No prefix: anyone may subscribe.
    Public,
    /// `private-`: the subscription needs an auth signature.
    Private,
    /// `presence-`: authorized, with a member list.
    Presence,
    /// `private-encrypted-`: authorized, payloads encrypted end to end.
    PrivateEncrypted,
    /// `#server-to-user-{id}`: the signed-in user's own channel, subscribed by the client after
    /// sign-in. Never in `pusher.channels`; its events go to `pusher.user`.
    ServerToUser,
}

impl ChannelKind {
    /// Whether subscribing needs an authorization from the app's endpoint first.
    pub fn needs_auth(self) -> bool {
        matches!(
            self,
            ChannelKind::Private | ChannelKind::Presence | ChannelKind::PrivateEncrypted
        )
    }
}

/// Why a name cannot be subscribed. The message is the one thrown to JavaScript.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelNameError {
    /// `''`.
    Empty,
    /// Names starting with `#` are reserved for the server (`#server-to-user-…`).
    Reserved,
    /// Longer than the protocol's 164 characters.
    TooLong,
}

/// The protocol's limit on channel name length, counted in bytes (names are ASCII).
pub const MAX_CHANNEL_NAME_LENGTH: usize = 164;

impl ChannelKind {
    /// The kind of channel `name` names, or why it can't be one. Like pusher-js, names starting
    /// with `#` are refused; unlike it, so are empty and over-long names, which the server would
    /// refuse anyway.
    pub fn of(name: &str) -> Result<ChannelKind, ChannelNameError> {
        if name.is_empty() {
            Err(ChannelNameError::Empty)
        } else if name.starts_with('#') {
            Err(ChannelNameError::Reserved)
        } else if name.len() > MAX_CHANNEL_NAME_LENGTH {
            Err(ChannelNameError::TooLong)
        } else if name.starts_with("private-encrypted-") {
            Ok(ChannelKind::PrivateEncrypted)
        } else if name.starts_with("private-") {
            Ok(ChannelKind::Private)
        } else if name.starts_with("presence-") {
            Ok(ChannelKind::Presence)
        } else {
            Ok(ChannelKind::Public)
        }
    }
}

/// Whether every character of `name` is one the protocol allows (`A-Za-z0-9_-=@,.;`).
/// Other characters are sent anyway (some servers accept them) but are worth a warning.
pub fn has_only_protocol_characters(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_-=@,.;".contains(&b))
}

/// Where a channel's subscription stands on the current connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubscriptionState {
    /// Not subscribed: not connected yet, the connection dropped, or the authorization failed.
    Unsubscribed,
    /// A subscribe (or its authorization) is on its way.
    Pending,
    /// A subscribe is on its way, but the user unsubscribed meanwhile: undo it when it completes.
    PendingCancelled,
    /// The server confirmed the subscription on the current connection.
    Subscribed,
}

/// One channel the user subscribed to, and the state of its subscription.
///
/// Its protocol fields are the core's: the host reads them through the accessors, and keeps what
/// it needs of its own in [`ChannelEntry::host`].
#[derive(Clone, Debug)]
pub struct ChannelEntry<V, H = ()> {
    /// Unique for the lifetime of the client; a channel subscribed again after an unsubscribe is
    /// a new entry with a new id.
    pub(in crate::protocol) id: u32,
    /// What the name makes it.
    pub(in crate::protocol) kind: ChannelKind,
    /// Where the subscription stands.
    pub(in crate::protocol) state: SubscriptionState,
    /// It was subscribed on an earlier connection: its next confirmed subscription resumes it
    /// (`pusher-wasm:resumed`, with the gap).
    pub(in crate::protocol) resumable: bool,
    /// The last `subscription_count` the server reported (NaN until it reports one; a plain
    /// `f64` rather than an `Option`, which would take twice the room in every entry).
    pub(in crate::protocol) subscription_count: f64,
    /// The members, on presence channels. Boxed, like the secret: most channels have neither,
    /// and an entry is what every subscribed channel costs.
    pub(in crate::protocol) presence: Option<Box<Presence<V>>>,
    /// The shared secret, on encrypted channels, once authorized.
    pub(in crate::protocol) secret: Option<Box<[u8; KEY_LENGTH]>>,
    /// Events that did not open with the secret, waiting for a fresh one (`Some` while the
    /// client re-authorizes an encrypted channel).
    /// Boxed: the entry is what every channel costs, and this is rare.
    #[allow(clippy::box_collection)] // a thin pointer: the entry is what every channel costs
    pub(in crate::protocol) awaiting_secret: Option<Box<Vec<(String, V)>>>,
    /// With `connectionRecovery`, on a server that numbers the channel's events: where its
    /// stream stands, and the resume under way after a reconnect. Boxed, as the presence.
    pub(in crate::protocol) recovery: Option<Box<ChannelRecovery<V>>>,
    /// What the host keeps with the subscription, and drops with it (the engine: which sessions
    /// hold the channel).
    pub host: H,
}

impl<V, H> ChannelEntry<V, H> {
    /// Unique for the lifetime of the client: a channel subscribed again after it left the
    /// registry is a new entry with a new id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// What the name makes it.
    pub fn kind(&self) -> ChannelKind {
        self.kind
    }

    /// Where the subscription stands.
    pub fn state(&self) -> SubscriptionState {
        self.state
    }

    /// `channel.subscribed`: the server confirmed it on the current connection.
    pub fn is_subscribed(&self) -> bool {
        self.state == SubscriptionState::Subscribed
    }

    /// `channel.subscriptionPending`: a subscribe (or its authorization) is on its way.
    pub fn is_pending(&self) -> bool {
        matches!(
            self.state,
            SubscriptionState::Pending | SubscriptionState::PendingCancelled
        )
    }

    /// `channel.subscriptionCancelled`: unsubscribed while pending.
    pub fn is_cancelled(&self) -> bool {
        self.state == SubscriptionState::PendingCancelled
    }

    /// The last `subscription_count` the server reported, NaN before any.
    pub fn subscription_count(&self) -> f64 {
        self.subscription_count
    }

    /// The members, on presence channels.
    pub fn presence(&self) -> Option<&Presence<V>> {
        self.presence.as_deref()
    }
}

// Every subscribed channel costs one entry: it stays at 48 bytes in wasm32, where the host's
// values (`JsValue`) are 4-byte handles like this `u32`. A field that makes it larger belongs in
// one of its boxes.
#[cfg(target_pointer_width = "32")]
const _: () = assert!(core::mem::size_of::<ChannelEntry<u32, [u32; 2]>>() <= 48);

/// The channels, by name, remembering the order they were first subscribed in.
///
/// Each entry has an allocation of its own, so the sorted vector holds a name and a pointer per
/// channel, and growing it moves (and leaves behind) 12 bytes a channel rather than a whole entry:
/// wasm memory never shrinks.
#[derive(Clone, Debug)]
pub struct ChannelRegistry<V, H = ()> {
    entries: VecMap<Box<ChannelEntry<V, H>>>,
    next_id: u32,
}

impl<V, H> Default for ChannelRegistry<V, H> {
    fn default() -> Self {
        ChannelRegistry {
            entries: VecMap::default(),
            next_id: 0,
        }
    }
}

impl<V: super::value::HostValue, H: Default> ChannelRegistry<V, H> {
    /// The entry for `name`.
    pub fn get(&self, name: &str) -> Option<&ChannelEntry<V, H>> {
        self.entries.get(name).map(|entry| &**entry)
    }

    /// The entry for `name`, to change it.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut ChannelEntry<V, H>> {
        self.entries.get_mut(name).map(|entry| &mut **entry)
    }

    /// The entry for `name`, created (unsubscribed) if there is none.
    pub fn get_or_insert(&mut self, name: &str, kind: ChannelKind) -> &mut ChannelEntry<V, H> {
        let next_id = &mut self.next_id;
        self.entries.get_or_insert_with(name, || {
            *next_id += 1;
            Box::new(ChannelEntry {
                id: *next_id,
                kind,
                state: SubscriptionState::Unsubscribed,
                resumable: false,
                subscription_count: f64::NAN,
                presence: (kind == ChannelKind::Presence).then(Box::default),
                secret: None,
                awaiting_secret: None,
                recovery: None,
                host: H::default(),
            })
        })
    }

    /// Removes `name` and returns its entry.
    pub fn remove(&mut self, name: &str) -> Option<Box<ChannelEntry<V, H>>> {
        self.entries.remove(name)
    }

    /// Every channel's name and entry, in name order, to change them.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut ChannelEntry<V, H>)> {
        self.entries
            .iter_mut()
            .map(|(name, entry)| (name, &mut **entry))
    }

    /// The channel names in the order they were subscribed.
    pub fn names_in_order(&self) -> Vec<String> {
        // Insertion sort by id: a reconnect is rare, and the code is a few bytes where
        // `sort_unstable` brings kilobytes of sorting networks into the wasm module.
        let mut entries: Vec<(&str, u32)> = Vec::with_capacity(self.entries.len());
        for (name, entry) in self.iter() {
            let at = entries.partition_point(|&(_, id)| id < entry.id);
            entries.insert(at, (name, entry.id));
        }
        entries
            .into_iter()
            .map(|(name, _)| String::from(name))
            .collect()
    }

    /// How many channels there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every channel's name and entry, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ChannelEntry<V, H>)> {
        self.entries.iter().map(|(name, entry)| (name, &**entry))
    }

    /// The connection is gone: no subscription survives it, nor any member list, nor a resume
    /// under way (the events it held are dropped: the next resume asks for them again from the
    /// channel's position, which stays). Channels the user had already unsubscribed while pending
    /// are dropped (pusher-js would resubscribe them on the next connection); their names are
    /// returned. The user's own channel goes too: it comes back with the next sign-in.
    pub fn connection_lost(&mut self) -> Vec<(String, u32)> {
        let mut dropped = Vec::new();
        self.entries.retain(|name, entry| {
            let cancelled = entry.is_cancelled();
            entry.resumable |= entry.is_subscribed();
            entry.state = SubscriptionState::Unsubscribed;
            entry.awaiting_secret = None;
            if let Some(recovery) = entry.recovery.as_mut() {
                recovery.resume = None;
            }
            if let Some(presence) = entry.presence.as_mut() {
                presence.reset();
            }
            if entry.kind == ChannelKind::ServerToUser {
                false
            } else if cancelled {
                dropped.push((String::from(name), entry.id));
                false
            } else {
                true
            }
        });
        dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_prefix() {
        assert_eq!(ChannelKind::of("news"), Ok(ChannelKind::Public));
        assert_eq!(ChannelKind::of("private-a"), Ok(ChannelKind::Private));
        assert_eq!(
            ChannelKind::of("private-encrypted-a"),
            Ok(ChannelKind::PrivateEncrypted)
        );
        assert_eq!(ChannelKind::of("presence-room"), Ok(ChannelKind::Presence));
        assert_eq!(ChannelKind::of("privatefoo"), Ok(ChannelKind::Public));
    }

    #[test]
    fn refused_names() {
        assert_eq!(ChannelKind::of(""), Err(ChannelNameError::Empty));
        assert_eq!(
            ChannelKind::of("#server-to-user-1"),
            Err(ChannelNameError::Reserved)
        );
        let long = "a".repeat(MAX_CHANNEL_NAME_LENGTH + 1);
        assert_eq!(ChannelKind::of(&long), Err(ChannelNameError::TooLong));
        let max = "a".repeat(MAX_CHANNEL_NAME_LENGTH);
        assert_eq!(ChannelKind::of(&max), Ok(ChannelKind::Public));
    }

    #[test]
    fn protocol_characters() {
        assert!(has_only_protocol_characters("App.Models.User.1"));
        assert!(has_only_protocol_characters("a_b-c=d@e,f.g;h"));
        assert!(!has_only_protocol_characters("room:1"));
        assert!(!has_only_protocol_characters("ü"));
    }

    type Registry = ChannelRegistry<serde_json::Value>;

    #[test]
    fn entries_keep_their_id_and_get_new_ones_after_removal() {
        let mut registry = Registry::default();
        let first = registry.get_or_insert("b", ChannelKind::Public).id;
        assert_eq!(registry.get_or_insert("b", ChannelKind::Public).id, first);
        registry.remove("b");
        assert_ne!(registry.get_or_insert("b", ChannelKind::Public).id, first);
    }

    #[test]
    fn order_is_subscription_order() {
        let mut registry = Registry::default();
        for name in ["zeta", "alpha", "mid"] {
            registry.get_or_insert(name, ChannelKind::Public);
        }
        assert_eq!(registry.names_in_order(), ["zeta", "alpha", "mid"]);
    }

    #[test]
    fn connection_lost_resets_and_drops_cancelled() {
        let mut registry = Registry::default();
        let a = registry.get_or_insert("a", ChannelKind::Public);
        a.state = SubscriptionState::Subscribed;
        let b = registry.get_or_insert("b", ChannelKind::Public);
        b.state = SubscriptionState::PendingCancelled;
        let b_id = registry.get("b").unwrap().id;
        assert_eq!(registry.connection_lost(), [("b".to_string(), b_id)]);
        let a = registry.get("a").unwrap();
        assert_eq!(a.state(), SubscriptionState::Unsubscribed);
        assert!(registry.get("b").is_none());
    }
}
