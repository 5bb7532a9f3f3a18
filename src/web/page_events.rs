//! The page and network events the client listens to: `online` and `offline` (as pusher-js),
//! and, where pusher-js listens to nothing, `visibilitychange`, `pageshow` from the
//! back/forward cache and `resume` after a freeze, which start a quick liveness check.

use alloc::rc::Weak;
use alloc::vec::Vec;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget, PageTransitionEvent, VisibilityState};

use crate::core::PageEvent;

use super::client::Shared;

struct Listener {
    target: EventTarget,
    name: &'static str,
    callback: Closure<dyn FnMut(Event)>,
}

/// The installed listeners; dropping this removes them.
pub struct PageListeners {
    listeners: Vec<Listener>,
}

impl PageListeners {
    /// Listens on `window` and `document`, when there are any (not in a worker).
    pub fn install(client: Weak<Shared>) -> PageListeners {
        let mut listeners = Vec::new();
        let Some(window) = web_sys::window() else {
            return PageListeners { listeners };
        };
        let document = window.document();
        let mut listen = |target: &EventTarget,
                          name: &'static str,
                          to_page_event: fn(&Event) -> Option<PageEvent>| {
            let client = client.clone();
            let callback = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
                if let (Some(client), Some(page_event)) = (client.upgrade(), to_page_event(&event))
                {
                    client.page_event(page_event);
                }
            });
            if target
                .add_event_listener_with_callback(name, callback.as_ref().unchecked_ref())
                .is_ok()
            {
                listeners.push(Listener {
                    target: target.clone(),
                    name,
                    callback,
                });
            }
        };
        listen(&window, "online", |_| Some(PageEvent::Online));
        listen(&window, "offline", |_| Some(PageEvent::Offline));
        listen(&window, "pageshow", |event| {
            let persisted = event
                .dyn_ref::<PageTransitionEvent>()
                .is_some_and(|e| e.persisted());
            persisted.then_some(PageEvent::Resumed)
        });
        if let Some(document) = document {
            listen(&document, "visibilitychange", |event| {
                let visible = event
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Document>().ok())
                    .is_some_and(|d| d.visibility_state() == VisibilityState::Visible);
                visible.then_some(PageEvent::Visible)
            });
            listen(&document, "resume", |_| Some(PageEvent::Resumed));
        }
        PageListeners { listeners }
    }
}

impl Drop for PageListeners {
    fn drop(&mut self) {
        for listener in &self.listeners {
            let _ = listener.target.remove_event_listener_with_callback(
                listener.name,
                listener.callback.as_ref().unchecked_ref(),
            );
        }
    }
}
