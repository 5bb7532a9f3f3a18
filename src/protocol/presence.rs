//! A presence channel's members, as pusher-js's `Members` keeps them.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use super::value::HostValue;

/// The members of one presence channel, and who "I" am in it.
///
/// The members live in one host object, `user_info` by user id: the `presence.hash` of the
/// subscription, kept up to date by joins and leaves, as pusher-js keeps it. In the browser it is
/// the very object the page's `Members.members` shows, so a member costs the wasm memory nothing;
/// the core keeps the rules (a join or leave counts once per id) and the count.
#[derive(Clone, Debug)]
pub struct Presence<V> {
    /// My user id as the authorization gave it (`channel_data.user_id`, a string or a number),
    /// with its string form, which is how member ids are keyed.
    my_id: Option<(Box<str>, V)>,
    /// `user_info` by user id, in a host object.
    members: V,
    /// The member count the server reported, kept up to date by joins and leaves.
    count: u32,
    /// The `user_info` of my membership as the subscription found it (pusher-js keeps this one,
    /// whatever joins and leaves come after); with `my_id`, it makes `me`.
    my_info: Option<V>,
}

impl<V: HostValue> Default for Presence<V> {
    fn default() -> Self {
        Presence {
            my_id: None,
            members: V::new_object(),
            count: 0,
            my_info: None,
        }
    }
}

impl<V: HostValue> Presence<V> {
    /// Sets my user id (from the authorization's `channel_data`, or the signed-in user).
    pub fn set_my_id(&mut self, key: String, id: V) {
        self.my_id = Some((key.into_boxed_str(), id));
        self.my_info = None;
    }

    /// My user id as a member key (its string form), once known.
    pub fn my_key(&self) -> Option<&str> {
        self.my_id.as_ref().map(|(key, _)| &**key)
    }

    /// My user id, as given.
    pub fn my_id(&self) -> Option<&V> {
        self.my_id.as_ref().map(|(_, id)| id)
    }

    /// `{id, info}` of my own membership, once subscribed.
    pub fn me(&self) -> Option<(&V, &V)> {
        Some((self.my_id()?, self.my_info.as_ref()?))
    }

    /// `pusher_internal:subscription_succeeded` on a presence channel carries
    /// `{presence: {ids, hash, count}}`: the members replace whatever was known.
    pub fn subscribed(&mut self, data: &V) {
        let presence = data.field("presence");
        let hash = presence.as_ref().and_then(|p| p.field("hash"));
        self.members = hash
            .filter(HostValue::is_object)
            .unwrap_or_else(V::new_object);
        let reported = presence.and_then(|p| p.number_field("count"));
        self.count = match reported {
            Some(count) if count >= 0.0 => count as u32,
            _ => self.members.entries().len() as u32,
        };
        self.my_info = self
            .my_id
            .as_ref()
            .and_then(|(key, _)| self.members.own_field(key));
    }

    /// `pusher_internal:member_added {user_id, user_info}`. Returns whether the member is new
    /// (only then is `pusher:member_added` emitted: once per id).
    pub fn add(&mut self, id: &str, info: V) -> bool {
        let new = self.members.own_field(id).is_none();
        self.members.set_field(id, info);
        if new {
            self.count += 1;
        }
        new
    }

    /// `pusher_internal:member_removed {user_id}`: the member's info, if it was a member.
    pub fn remove(&mut self, id: &str) -> Option<V> {
        let info = self.members.own_field(id)?;
        self.members.remove_field(id);
        self.count = self.count.saturating_sub(1);
        Some(info)
    }

    /// The `user_info` of member `id`.
    pub fn get(&self, id: &str) -> Option<V> {
        self.members.own_field(id)
    }

    /// `(id, info)` of every member, in the host object's order.
    pub fn members(&self) -> Vec<(String, V)> {
        self.members.entries()
    }

    /// The host object holding the members (`user_info` by user id).
    pub fn members_object(&self) -> &V {
        &self.members
    }

    /// The member count.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// The connection is gone: nobody is known to be here, not even me (the next
    /// authorization says who I am).
    pub fn reset(&mut self) {
        self.members = V::new_object();
        self.count = 0;
        self.my_id = None;
        self.my_info = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn subscribed(hash: Value, count: u32) -> Presence<Value> {
        let mut p = Presence::default();
        p.set_my_id("1".into(), json!(1));
        p.subscribed(&json!({"presence": {"ids": [], "hash": hash, "count": count}}));
        p
    }

    #[test]
    fn subscription_fills_members_and_me() {
        let p = subscribed(json!({"1": {"name": "Ann"}, "2": {"name": "Bob"}}), 2);
        assert_eq!(p.count(), 2);
        assert_eq!(p.get("2"), Some(json!({"name": "Bob"})));
        assert_eq!(p.me(), Some((&json!(1), &json!({"name": "Ann"}))));
        assert_eq!(p.members().len(), 2);
    }

    #[test]
    fn joins_and_leaves_count_once_per_id() {
        let mut p = subscribed(json!({"1": {}}), 1);
        assert!(p.add("2", json!({"n": 1})));
        assert!(
            !p.add("2", json!({"n": 2})),
            "a second join of the same id is not news"
        );
        assert_eq!(p.count(), 2);
        assert_eq!(p.get("2"), Some(json!({"n": 2})));
        assert_eq!(p.remove("2"), Some(json!({"n": 2})));
        assert_eq!(p.remove("2"), None);
        assert_eq!(p.count(), 1);
    }

    #[test]
    fn reset_forgets_everyone_including_me() {
        let mut p = subscribed(json!({"1": {}}), 1);
        p.reset();
        assert_eq!(p.count(), 0);
        assert!(p.me().is_none());
        assert_eq!(p.my_id(), None);
    }

    #[test]
    fn me_is_what_the_subscription_found() {
        let mut p = subscribed(json!({"1": {"v": 1}}), 1);
        p.add("1", json!({"v": 2}));
        assert_eq!(p.me(), Some((&json!(1), &json!({"v": 1}))));
        p.remove("1");
        assert_eq!(
            p.me(),
            Some((&json!(1), &json!({"v": 1}))),
            "pusher-js keeps it"
        );
    }

    #[test]
    fn a_new_id_forgets_the_old_me_until_the_next_subscription() {
        let mut p = subscribed(json!({"1": {"v": 1}, "2": {"v": 2}}), 2);
        p.set_my_id("2".into(), json!("2"));
        assert_eq!(p.me(), None);
        p.subscribed(&json!({"presence": {"hash": {"2": {"v": 2}}, "count": 1}}));
        assert_eq!(p.me(), Some((&json!("2"), &json!({"v": 2}))));
    }

    #[test]
    fn members_are_the_subscriptions_hash_kept_up_to_date() {
        let mut p = subscribed(json!({"1": {"a": 1}}), 1);
        assert!(p.add("2", Value::Null), "a member without info is a member");
        assert!(!p.add("2", Value::Null));
        assert_eq!(p.members_object(), &json!({"1": {"a": 1}, "2": null}));
        assert_eq!(p.remove("2"), Some(Value::Null));
        assert_eq!(p.remove("2"), None);
        assert_eq!(p.members_object(), &json!({"1": {"a": 1}}));
        assert_eq!(p.count(), 1);
    }

    #[test]
    fn a_hash_that_is_no_object_is_replaced_by_an_empty_one() {
        let mut p: Presence<Value> = Presence::default();
        p.subscribed(&json!({"presence": {"hash": "x", "count": 3}}));
        assert_eq!(p.members_object(), &json!({}));
        assert_eq!(p.count(), 3);
        assert!(p.add("a", json!({})));
        assert_eq!(p.members().len(), 1);
    }

    #[test]
    fn a_malformed_subscription_is_an_empty_one() {
        let mut p: Presence<Value> = Presence::default();
        p.subscribed(&json!("nonsense"));
        assert_eq!(p.count(), 0);
        p.subscribed(&json!({"presence": {"hash": {"a": 1}}}));
        assert_eq!(p.count(), 1, "without a count, the hash is counted");
    }
}
