//! The browser timers behind one connection's [`TimerKind`]s: one slot per kind, each with a
//! closure made once and reused, so arming a timer allocates nothing. Dropping them cancels them.

use alloc::rc::Rc;
use alloc::vec::Vec;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::protocol::TimerKind;

use super::js::{clear_timeout, set_timeout};

struct Slot {
    kind: TimerKind,
    callback: Closure<dyn FnMut()>,
    pending: Option<JsValue>,
}

/// One `setTimeout` slot per timer kind.
pub struct Timers {
    slots: Vec<Slot>,
}

impl Timers {
    /// Slots whose timers call `fired` with their kind.
    pub fn new(fired: impl Fn(TimerKind) + 'static) -> Timers {
        let fired = Rc::new(fired);
        let slots = TimerKind::ALL
            .iter()
            .map(|&kind| {
                let fired = fired.clone();
                Slot {
                    kind,
                    callback: Closure::<dyn FnMut()>::new(move || fired(kind)),
                    pending: None,
                }
            })
            .collect();
        Timers { slots }
    }

    fn slot(&mut self, kind: TimerKind) -> Option<&mut Slot> {
        self.slots.iter_mut().find(|slot| slot.kind == kind)
    }

    /// Arms `kind`, replacing an armed one.
    pub fn set(&mut self, kind: TimerKind, delay_ms: u64) {
        if let Some(slot) = self.slot(kind) {
            if let Some(id) = slot.pending.take() {
                clear_timeout(&id);
            }
            let callback = slot.callback.as_ref().unchecked_ref();
            slot.pending = Some(set_timeout(callback, delay_ms as f64));
        }
    }

    /// Cancels `kind`.
    pub fn clear(&mut self, kind: TimerKind) {
        if let Some(id) = self.slot(kind).and_then(|slot| slot.pending.take()) {
            clear_timeout(&id);
        }
    }

    /// `kind` fired: its slot is free again.
    pub fn fired(&mut self, kind: TimerKind) {
        if let Some(slot) = self.slot(kind) {
            slot.pending = None;
        }
    }
}

impl Drop for Timers {
    fn drop(&mut self) {
        for slot in &mut self.slots {
            if let Some(id) = slot.pending.take() {
                clear_timeout(&id);
            }
        }
    }
}
