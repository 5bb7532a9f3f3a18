//! Which sessions hold one channel of a connection: the engine's slot in the core's registry
//! entry ([`ChannelEntry::host`](crate::protocol::ChannelEntry::host)).

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::SessionId;

/// The sessions holding one channel, in the order they took it.
///
/// The first is kept inline: every channel of a page's own connection has exactly one holder,
/// and the entry is what every channel costs. Further holders (other tabs sharing the
/// connection) go in a box.
#[derive(Clone, Debug, Default)]
pub struct Holders {
    /// The first holder's id, 0 when there is none (session ids start at 1).
    first: u32,
    #[allow(clippy::box_collection)] // a thin pointer: the entry is what every channel costs
    more: Option<Box<Vec<SessionId>>>,
}

impl Holders {
    /// Whether `session` holds the channel.
    pub fn contains(&self, session: SessionId) -> bool {
        self.first == session.0 || self.more.as_ref().is_some_and(|m| m.contains(&session))
    }

    /// Adds `session`. Returns whether it was not there yet.
    pub fn add(&mut self, session: SessionId) -> bool {
        if self.contains(session) {
            return false;
        }
        if self.first == 0 {
            self.first = session.0;
        } else {
            self.more.get_or_insert_with(Box::default).push(session);
        }
        true
    }

    /// Removes `session`. Returns whether it was there.
    pub fn remove(&mut self, session: SessionId) -> bool {
        if self.first == session.0 {
            self.first = 0;
            if let Some(more) = self.more.as_mut() {
                if !more.is_empty() {
                    self.first = more.remove(0).0;
                }
            }
        } else {
            let Some(more) = self.more.as_mut() else {
                return false;
            };
            let Some(at) = more.iter().position(|s| *s == session) else {
                return false;
            };
            more.remove(at);
        }
        if self.more.as_ref().is_some_and(|m| m.is_empty()) {
            self.more = None;
        }
        true
    }

    /// Whether nobody holds the channel.
    pub fn is_empty(&self) -> bool {
        self.first == 0
    }

    /// The holders, first come first.
    pub fn iter(&self) -> impl Iterator<Item = SessionId> + '_ {
        let first = (self.first != 0).then_some(SessionId(self.first));
        first
            .into_iter()
            .chain(self.more.iter().flat_map(|m| m.iter().copied()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn ids(h: &Holders) -> Vec<u32> {
        h.iter().map(|s| s.0).collect()
    }

    #[test]
    fn holders_are_kept_in_order_once_each() {
        let mut h = Holders::default();
        assert!(h.is_empty());
        assert!(h.add(SessionId(3)));
        assert!(!h.add(SessionId(3)));
        assert!(h.add(SessionId(1)));
        assert!(h.add(SessionId(2)));
        assert_eq!(ids(&h), [3, 1, 2]);
        assert!(h.contains(SessionId(2)) && !h.contains(SessionId(4)));
    }

    #[test]
    fn removing_the_first_promotes_the_next() {
        let mut h = Holders::default();
        for id in [1, 2, 3] {
            h.add(SessionId(id));
        }
        assert!(h.remove(SessionId(1)));
        assert_eq!(ids(&h), [2, 3]);
        assert!(!h.remove(SessionId(1)));
        assert!(h.remove(SessionId(3)));
        assert!(h.remove(SessionId(2)));
        assert!(h.is_empty());
        assert!(h.more.is_none(), "no empty box is kept");
    }
}
