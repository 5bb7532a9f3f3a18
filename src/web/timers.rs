//! The browser timers behind one connection's [`TimerKind`]s, in gloo's shape: one RAII
//! `Timeout` per armed kind; dropping it cancels it. (gloo-timers itself needs std: measured in
//! the README's "Dependencies".) Arming makes a closure; a busy connection arms no timer per frame.

use alloc::rc::Rc;
use alloc::vec::Vec;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::protocol::TimerKind;

use super::js::{clear_timeout, set_timeout};

struct Timeout {
    id: JsValue,
    _closure: Closure<dyn FnMut()>,
}

impl Timeout {
    fn new(delay_ms: u64, callback: impl FnOnce() + 'static) -> Timeout {
        let closure = Closure::once(callback);
        let id = set_timeout(closure.as_ref().unchecked_ref(), delay_ms as f64);
        Timeout {
            id,
            _closure: closure,
        }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}

/// One slot per timer kind.
pub struct Timers {
    fired: Rc<dyn Fn(TimerKind)>,
    slots: Vec<(TimerKind, Option<Timeout>)>,
}

impl Timers {
    /// Slots whose timers call `fired` with their kind.
    pub fn new(fired: impl Fn(TimerKind) + 'static) -> Timers {
        Timers {
            fired: Rc::new(fired),
            slots: TimerKind::ALL.iter().map(|&kind| (kind, None)).collect(),
        }
    }

    fn slot(&mut self, kind: TimerKind) -> Option<&mut Option<Timeout>> {
        self.slots
            .iter_mut()
            .find(|(k, _)| *k == kind)
            .map(|(_, slot)| slot)
    }

    /// Arms `kind`, replacing (and so cancelling) an armed one.
    pub fn set(&mut self, kind: TimerKind, delay_ms: u64) {
        let fired = self.fired.clone();
        if let Some(slot) = self.slot(kind) {
            *slot = Some(Timeout::new(delay_ms, move || fired(kind)));
        }
    }

    /// Cancels `kind`.
    pub fn clear(&mut self, kind: TimerKind) {
        if let Some(slot) = self.slot(kind) {
            *slot = None;
        }
    }

    /// `kind` fired: its slot is free again (the closure is freed once it returns).
    pub fn fired(&mut self, kind: TimerKind) {
        self.clear(kind);
    }
}
