//! `Channel`: the object `pusher.subscribe(name)` returns.

use alloc::rc::Rc;
use alloc::string::String;
use core::cell::RefCell;
use wasm_bindgen::prelude::*;

use crate::core::{ChannelEntry, TriggerError};

use super::client::Shared;
use super::emitter::{self, JsEmitter};
use super::js::{json_stringify, BadEventName};

/// The state a channel object shares with the client: its identity and its callbacks.
pub struct ChannelShared {
    /// The core's id of the subscription this object stands for.
    pub id: u32,
    /// The channel name.
    pub name: String,
    /// `channel.bind(...)`.
    pub emitter: RefCell<JsEmitter>,
}

/// A channel, as pusher-js's `Channel`: `name`, `subscribed`, `subscriptionPending`,
/// `subscriptionCancelled`, `subscriptionCount`, `bind`/`unbind`/`bind_global`/`unbind_global`/
/// `unbind_all`, and `trigger` for client events.
///
/// ```js
/// const channel = pusher.subscribe('orders');
/// channel.bind('created', (order, metadata) => console.log(order.id));
/// ```
#[wasm_bindgen]
pub struct Channel {
    shared: Rc<ChannelShared>,
    client: Rc<Shared>,
}

impl Channel {
    /// A channel object for `shared`, which belongs to `client`.
    pub fn new(shared: Rc<ChannelShared>, client: Rc<Shared>) -> Channel {
        Channel { shared, client }
    }

    fn entry<R>(&self, f: impl FnOnce(&ChannelEntry) -> R) -> Option<R> {
        self.client.read_core(|core| {
            core.channel(&self.shared.name)
                .filter(|entry| entry.id == self.shared.id)
                .map(f)
        })
    }
}

#[wasm_bindgen]
impl Channel {
    /// The channel name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.shared.name.clone()
    }

    /// Whether the server confirmed the subscription on the current connection.
    #[wasm_bindgen(getter)]
    pub fn subscribed(&self) -> bool {
        self.entry(|e| e.subscribed).unwrap_or(false)
    }

    /// Whether a subscribe (or its authorization) is on its way.
    #[wasm_bindgen(getter = subscriptionPending)]
    pub fn subscription_pending(&self) -> bool {
        self.entry(|e| e.pending).unwrap_or(false)
    }

    /// Whether the user unsubscribed while the subscription was pending.
    #[wasm_bindgen(getter = subscriptionCancelled)]
    pub fn subscription_cancelled(&self) -> bool {
        self.entry(|e| e.cancelled).unwrap_or(false)
    }

    /// The last `subscription_count` the server sent, `undefined` before any.
    #[wasm_bindgen(getter = subscriptionCount)]
    pub fn subscription_count(&self) -> JsValue {
        self.entry(|e| e.subscription_count)
            .flatten()
            .map_or(JsValue::UNDEFINED, JsValue::from_f64)
    }

    /// `bind(event, callback, context?)`: `callback(data, metadata)` for each `event`.
    pub fn bind(&self, event: JsValue, callback: JsValue, context: JsValue) -> Result<(), JsValue> {
        emitter::bind(
            &mut self.shared.emitter.borrow_mut(),
            &event,
            &callback,
            &context,
        )
    }

    /// `unbind(event?, callback?, context?)`.
    pub fn unbind(&self, event: JsValue, callback: JsValue, context: JsValue) {
        emitter::unbind(
            &mut self.shared.emitter.borrow_mut(),
            &event,
            &callback,
            &context,
        );
    }

    /// `bind_global(callback)`: `callback(eventName, data)` for every event on the channel.
    pub fn bind_global(&self, callback: JsValue) -> Result<(), JsValue> {
        emitter::bind_global(&mut self.shared.emitter.borrow_mut(), &callback)
    }

    /// `unbind_global(callback?)`.
    pub fn unbind_global(&self, callback: JsValue) {
        emitter::unbind_global(&mut self.shared.emitter.borrow_mut(), &callback);
    }

    /// `unbind_all()`.
    pub fn unbind_all(&self) {
        self.shared.emitter.borrow_mut().unbind_all();
    }

    /// `trigger(event, data)`: a client event. Throws unless `event` starts with `client-`;
    /// returns whether it was sent (false when not connected).
    pub fn trigger(&self, event: JsValue, data: JsValue) -> Result<bool, JsValue> {
        let event = emitter::event_name(&event);
        let data_json = json_stringify(&data)?.as_string();
        let name = self.shared.name.clone();
        let result = self
            .client
            .with_core(|core, _| core.trigger(&name, &event, data_json.as_deref()));
        match result {
            Ok(sent) => Ok(sent),
            Err(TriggerError::NotClientEvent) => {
                let mut message = String::from("Event '");
                message.push_str(&event);
                message.push_str("' does not start with 'client-'");
                Err(BadEventName::new(&message).into())
            }
        }
    }

    /// The Pusher instance the channel belongs to.
    #[wasm_bindgen(getter)]
    pub fn pusher(&self) -> JsValue {
        self.client.js_object()
    }

    /// `subscribe()`: the same as `pusher.subscribe(channel.name)`.
    pub fn subscribe(&self) -> Result<(), JsValue> {
        let name = self.shared.name.clone();
        super::channels::subscribe(&self.client, &name).map(|_| ())
    }

    /// `unsubscribe()`: the same as `pusher.unsubscribe(channel.name)`.
    pub fn unsubscribe(&self) {
        let name = self.shared.name.clone();
        self.client
            .with_core(|core, now| core.unsubscribe(now, &name));
    }
}
