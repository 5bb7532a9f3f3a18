//! A map from strings to values in one sorted `Vec`.
//!
//! The client's maps are small (a few events per emitter) or read far more than written (the
//! channels, looked up on every frame). A sorted vector serves both with binary search, and its
//! code is a fraction of `BTreeMap`'s, which matters in a module measured in kilobytes.

use alloc::boxed::Box;
use alloc::vec::Vec;

/// A map with string keys, kept sorted by key. The keys are `Box<str>`, a third smaller than
/// `String`: the channel registry holds one per subscribed channel.
#[derive(Clone, Debug)]
pub struct VecMap<V> {
    entries: Vec<(Box<str>, V)>,
}

impl<V> Default for VecMap<V> {
    fn default() -> Self {
        VecMap {
            entries: Vec::new(),
        }
    }
}

impl<V> VecMap<V> {
    /// Inserts at `i`. Small maps grow one entry at a time: most of them (a channel's events)
    /// hold one to three entries, and a vector's first growth would make room for four.
    fn insert_at(&mut self, i: usize, key: &str, value: V) {
        if self.entries.len() < 4 {
            self.entries.reserve_exact(1);
        }
        self.entries.insert(i, (Box::from(key), value));
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| (**k).cmp(key))
    }

    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// The value for `key`, to change it.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        match self.find(key) {
            Ok(i) => Some(&mut self.entries[i].1),
            Err(_) => None,
        }
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// The value for `key`, inserted by `make` when absent.
    pub fn get_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(key) {
            Ok(i) => i,
            Err(i) => {
                self.insert_at(i, key, make());
                i
            }
        };
        &mut self.entries[i].1
    }

    /// Inserts or replaces the value for `key`.
    pub fn insert(&mut self, key: &str, value: V) {
        match self.find(key) {
            Ok(i) => self.entries[i].1 = value,
            Err(i) => self.insert_at(i, key, value),
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// Keeps the entries for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// `(key, value)` pairs, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }

    /// `(key, value)` pairs, in key order, to change the values.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut V)> {
        self.entries.iter_mut().map(|(k, v)| (&**k, v))
    }

    /// The values, in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_map() {
        let mut map = VecMap::default();
        for (i, key) in ["m", "a", "z", "b"].iter().enumerate() {
            map.insert(key, i);
        }
        assert_eq!(map.values().copied().collect::<Vec<_>>(), [1, 3, 0, 2]);
        assert_eq!(map.get("z"), Some(&2));
        map.insert("z", 9);
        assert_eq!(map.get("z"), Some(&9));
        assert_eq!(map.remove("a"), Some(1));
        assert_eq!(map.remove("a"), None);
        assert!(!map.contains_key("a"));
        *map.get_or_insert_with("q", || 5) += 1;
        assert_eq!(map.get("q"), Some(&6));
        map.retain(|k, _| k != "m");
        assert_eq!(map.len(), 3);
        map.clear();
        assert!(map.is_empty());
    }
}
