//! Callback bindings and their rules, as pusher-js's `EventsDispatcher` has them.
//!
//! The emitter is generic over the callback `F` and the `this` context `C`, so the same rules run
//! with JavaScript functions in the browser and with plain values in the native tests.
//!
//! Rules (all observable through pusher-js's public API):
//! - `bind(event, cb, context?)` appends; the same callback may be bound twice and then runs twice.
//! - `unbind()` with nothing removes every event binding (global ones stay);
//!   `unbind(event)` removes that event's; `unbind(event?, cb?, context?)` removes the bindings
//!   matching every argument given; a missing event means every event.
//! - `bind_global(cb)` callbacks get `(eventName, data)` for every event and run before the
//!   event's own callbacks; `unbind_global()` removes them all, `unbind_global(cb)` that one.
//! - `unbind_all()` is `unbind()` plus `unbind_global()`.
//!
//! Emitting takes a snapshot: callbacks bound or unbound by a running callback take effect from
//! the next event. The lists are copy-on-write behind `Rc`, so a snapshot costs a reference
//! count, not a copy, and a dispatch allocates nothing.
//!
//! An emitter's bindings, of every event, are one list kept grouped by event name (in bind order
//! within an event): every channel has an emitter, usually with two or three bindings, and one
//! allocation for them all costs less memory than a map of lists. A protocol event's name is a
//! reference to the module's own text (see [`event_name`]), not a copy per binding.

use alloc::rc::Rc;
use alloc::vec::Vec;
use core::ops::{Deref, Range};

use super::events::{event_name, EventName};

/// One `bind(event, callback, context)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Binding<F, C> {
    /// The event it is bound to.
    pub event: EventName,
    /// The callback.
    pub callback: F,
    /// The `this` the callback runs with, when one was given.
    pub context: Option<C>,
}

/// A copy-on-write list in one exact-size allocation; an empty list allocates nothing. Every
/// channel has an emitter, so what an emitter holds is part of what a channel costs.
#[derive(Debug)]
pub struct SharedList<T>(Option<Rc<[T]>>);

impl<T> Default for SharedList<T> {
    fn default() -> Self {
        SharedList(None)
    }
}

impl<T> Clone for SharedList<T> {
    fn clone(&self) -> Self {
        SharedList(self.0.clone())
    }
}

impl<T> Deref for SharedList<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        self.0.as_deref().unwrap_or(&[])
    }
}

impl<T: Clone> SharedList<T> {
    /// This list with `item` inserted at `index` (at most its length).
    fn inserted(&self, index: usize, item: T) -> Self {
        let mut items = Vec::with_capacity(self.len() + 1);
        items.extend_from_slice(&self[..index]);
        items.push(item);
        items.extend_from_slice(&self[index..]);
        SharedList(Some(items.into()))
    }

    /// This list without the items `unwanted` picks (the same list when it picks none).
    fn without(&mut self, unwanted: impl Fn(&T) -> bool) {
        if self.iter().any(&unwanted) {
            let kept: Vec<T> = self
                .iter()
                .filter(|item| !unwanted(item))
                .cloned()
                .collect();
            self.0 = (!kept.is_empty()).then(|| kept.into());
        }
    }
}

/// A snapshot of the callbacks to run for one event, global ones first.
#[derive(Debug)]
pub struct Listeners<F, C> {
    /// The `bind_global` callbacks, called with `(eventName, data)`.
    pub global: SharedList<F>,
    /// The emitter's bindings, of every event, when the snapshot was taken.
    bindings: SharedList<Binding<F, C>>,
    /// Where the event's own bindings are in `bindings`.
    range: Range<usize>,
}

impl<F, C> Listeners<F, C> {
    /// The event's own bindings, in bind order.
    pub fn bound(&self) -> &[Binding<F, C>] {
        &self.bindings[self.range.clone()]
    }

    /// Whether there is nothing to call.
    pub fn is_empty(&self) -> bool {
        self.global.is_empty() && self.range.is_empty()
    }
}

/// The bindings of one emitter (a channel, the connection, the Pusher instance, the user).
#[derive(Clone, Debug)]
pub struct Emitter<F, C> {
    /// Grouped by event name, in name order; in bind order within an event.
    bindings: SharedList<Binding<F, C>>,
    global: SharedList<F>,
}

impl<F, C> Default for Emitter<F, C> {
    fn default() -> Self {
        Emitter {
            bindings: SharedList::default(),
            global: SharedList::default(),
        }
    }
}

impl<F: Clone + PartialEq, C: Clone + PartialEq> Emitter<F, C> {
    /// Where `event`'s bindings are.
    fn range(&self, event: &str) -> Range<usize> {
        let start = self.bindings.partition_point(|b| *b.event < *event);
        let end = self.bindings.partition_point(|b| *b.event <= *event);
        start..end
    }

    /// `bind(event, callback, context?)`.
    pub fn bind(&mut self, event: &str, callback: F, context: Option<C>) {
        let binding = Binding {
            event: event_name(event),
            callback,
            context,
        };
        self.bindings = self.bindings.inserted(self.range(event).end, binding);
    }

    /// `bind_global(callback)`.
    pub fn bind_global(&mut self, callback: F) {
        self.global = self.global.inserted(self.global.len(), callback);
    }

    /// `unbind(event?, callback?, context?)`, with pusher-js's rules (see the module docs).
    pub fn unbind(&mut self, event: Option<&str>, callback: Option<&F>, context: Option<&C>) {
        self.bindings.without(|binding| {
            event.is_none_or(|event| *binding.event == *event)
                && callback.is_none_or(|cb| *cb == binding.callback)
                && context.is_none_or(|ctx| binding.context.as_ref() == Some(ctx))
        });
    }

    /// `unbind_global(callback?)`: that callback, or all global callbacks.
    pub fn unbind_global(&mut self, callback: Option<&F>) {
        self.global.without(|f| callback.is_none_or(|cb| f == cb));
    }

    /// `unbind_all()`: every binding, event and global.
    pub fn unbind_all(&mut self) {
        *self = Emitter::default();
    }

    /// The callbacks to run for `event`, as a snapshot.
    pub fn listeners(&self, event: &str) -> Listeners<F, C> {
        Listeners {
            global: self.global.clone(),
            bindings: self.bindings.clone(),
            range: self.range(event),
        }
    }

    /// Whether `event` has its own bindings (global callbacks not counted).
    pub fn has_bindings(&self, event: &str) -> bool {
        !self.range(event).is_empty()
    }

    /// Whether anything at all is bound.
    pub fn is_empty(&self) -> bool {
        self.bindings.is_empty() && self.global.is_empty()
    }

    /// How many bindings there are, global ones included.
    pub fn len(&self) -> usize {
        self.global.len() + self.bindings.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestEmitter = Emitter<&'static str, u32>;

    fn called(emitter: &TestEmitter, event: &str) -> Vec<&'static str> {
        let listeners = emitter.listeners(event);
        let mut out: Vec<&'static str> = listeners.global.iter().copied().collect();
        out.extend(listeners.bound().iter().map(|b| b.callback));
        out
    }

    fn sample() -> TestEmitter {
        let mut e = TestEmitter::default();
        e.bind("a", "f", None);
        e.bind("a", "g", Some(1));
        e.bind("b", "f", Some(1));
        e.bind("b", "h", Some(2));
        e
    }

    #[test]
    fn binding_twice_calls_twice_in_order() {
        let mut e = TestEmitter::default();
        e.bind("x", "f", None);
        e.bind("x", "g", None);
        e.bind("x", "f", None);
        assert_eq!(called(&e, "x"), ["f", "g", "f"]);
        assert!(called(&e, "y").is_empty());
    }

    #[test]
    fn global_callbacks_come_first() {
        let mut e = sample();
        e.bind_global("G");
        assert_eq!(called(&e, "a"), ["G", "f", "g"]);
        assert_eq!(called(&e, "none"), ["G"]);
    }

    #[test]
    fn unbind_with_nothing_clears_events_but_not_globals() {
        let mut e = sample();
        e.bind_global("G");
        e.unbind(None, None, None);
        assert_eq!(called(&e, "a"), ["G"]);
        assert_eq!(e.len(), 1);
    }

    #[test]
    fn unbind_event_removes_only_that_event() {
        let mut e = sample();
        e.unbind(Some("a"), None, None);
        assert!(called(&e, "a").is_empty());
        assert_eq!(called(&e, "b"), ["f", "h"]);
    }

    #[test]
    fn unbind_callback_across_every_event() {
        let mut e = sample();
        e.unbind(None, Some(&"f"), None);
        assert_eq!(called(&e, "a"), ["g"]);
        assert_eq!(called(&e, "b"), ["h"]);
    }

    #[test]
    fn unbind_context_across_every_event() {
        let mut e = sample();
        e.unbind(None, None, Some(&1));
        assert_eq!(called(&e, "a"), ["f"]);
        assert_eq!(called(&e, "b"), ["h"]);
    }

    #[test]
    fn unbind_needs_every_given_argument_to_match() {
        let mut e = sample();
        e.unbind(Some("b"), Some(&"f"), Some(&2));
        assert_eq!(called(&e, "b"), ["f", "h"]);
        e.unbind(Some("b"), Some(&"f"), Some(&1));
        assert_eq!(called(&e, "b"), ["h"]);
        e.unbind(Some("a"), Some(&"g"), None);
        assert_eq!(called(&e, "a"), ["f"]);
    }

    #[test]
    fn a_binding_without_context_is_not_removed_by_a_context() {
        let mut e = TestEmitter::default();
        e.bind("a", "f", None);
        e.unbind(Some("a"), Some(&"f"), Some(&9));
        assert_eq!(called(&e, "a"), ["f"]);
    }

    #[test]
    fn emptied_events_disappear() {
        let mut e = sample();
        e.unbind(Some("a"), Some(&"f"), None);
        e.unbind(Some("a"), Some(&"g"), None);
        assert!(!e.has_bindings("a"));
        assert!(e.has_bindings("b"));
    }

    #[test]
    fn unbind_global_one_or_all_and_unbind_all() {
        let mut e = sample();
        e.bind_global("G");
        e.bind_global("H");
        e.unbind_global(Some(&"G"));
        assert_eq!(called(&e, "none"), ["H"]);
        e.unbind_global(None);
        assert!(called(&e, "none").is_empty());
        e.bind_global("G");
        e.unbind_all();
        assert!(e.is_empty());
    }

    #[test]
    fn a_snapshot_is_unaffected_by_later_changes() {
        let mut e = sample();
        e.bind_global("G");
        let snapshot = e.listeners("a");
        e.unbind(Some("a"), Some(&"f"), None);
        e.bind("a", "late", None);
        e.unbind_global(None);
        let bound: Vec<_> = snapshot.bound().iter().map(|b| b.callback).collect();
        assert_eq!(bound, ["f", "g"]);
        assert_eq!(*snapshot.global, ["G"]);
        assert_eq!(called(&e, "a"), ["g", "late"]);
    }

    #[test]
    fn unbinding_an_unknown_callback_changes_nothing() {
        let mut e = sample();
        let before = e.len();
        e.unbind(Some("a"), Some(&"zzz"), None);
        e.unbind(Some("nope"), Some(&"f"), None);
        e.unbind_global(Some(&"zzz"));
        assert_eq!(e.len(), before);
    }

    #[test]
    fn bindings_of_many_events_keep_their_order_within_each() {
        let mut e = TestEmitter::default();
        for (event, callback) in [("m", "1"), ("b", "2"), ("m", "3"), ("z", "4"), ("b", "5")] {
            e.bind(event, callback, None);
        }
        assert_eq!(called(&e, "m"), ["1", "3"]);
        assert_eq!(called(&e, "b"), ["2", "5"]);
        assert_eq!(called(&e, "z"), ["4"]);
        assert!(called(&e, "a").is_empty() && called(&e, "n").is_empty());
        assert!(!e.has_bindings("zz"));
    }

    #[test]
    fn protocol_event_names_are_not_copied() {
        let mut e = TestEmitter::default();
        e.bind("pusher:subscription_succeeded", "f", None);
        e.bind("my-event", "g", None);
        let events: Vec<_> = e.bindings.iter().map(|b| &b.event).collect();
        assert!(matches!(events[0], EventName::Owned(_)));
        assert!(matches!(events[1], EventName::Borrowed(_)));
    }
}
