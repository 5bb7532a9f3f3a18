//! `Pusher`: the client class. The package's `index.js` extends it with pusher-js's statics
//! (`Pusher.instances`, `Pusher.log`, `Pusher.logToConsole`).

use alloc::rc::Rc;
use alloc::string::String;
use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::channels::{self, name_arg, Channels};
use super::client::Shared;
use super::connection::ConnectionManager;
use super::emitter::{self, event_name};
use super::js::json_stringify;
use super::options;

/// A Pusher Channels client, with pusher-js 8.6.0's API.
///
/// ```js
/// import Pusher from 'pusher-wasm';
/// const pusher = new Pusher('app-key', { cluster: 'eu' });
/// pusher.subscribe('orders').bind('created', (order) => console.log(order));
/// ```
#[wasm_bindgen(js_name = PusherCore)]
pub struct PusherCore {
    client: Rc<Shared>,
    key: JsValue,
    connection: JsValue,
    channels: JsValue,
}

#[wasm_bindgen(js_class = PusherCore)]
impl PusherCore {
    /// `new Pusher(key, options)`. Throws pusher-js's messages for a missing key, options or
    /// cluster, and a `TypeError` for an option of the wrong type. Connects at once.
    #[wasm_bindgen(constructor)]
    pub fn new(key: JsValue, options: JsValue) -> Result<PusherCore, JsValue> {
        let (key_text, user) = options::parse(&key, &options)?;
        let client = Shared::new(&key_text, &user, options);
        let connection = ConnectionManager::new(client.clone()).into();
        let channels = Channels::new(client.clone()).into();
        client.with_core(|core, now| core.connect(now));
        Ok(PusherCore {
            client,
            key,
            connection,
            channels,
        })
    }

    /// Called once by the package's `Pusher` constructor with `this`, for `channel.pusher`.
    #[wasm_bindgen(js_name = __attach)]
    pub fn attach(&self, this: JsValue) {
        self.client.attach(this);
    }

    /// The app key, as given.
    #[wasm_bindgen(getter)]
    pub fn key(&self) -> JsValue {
        self.key.clone()
    }

    /// The options object, as given.
    #[wasm_bindgen(getter)]
    pub fn options(&self) -> JsValue {
        self.client.options.clone()
    }

    /// `pusher.connection`.
    #[wasm_bindgen(getter)]
    pub fn connection(&self) -> JsValue {
        self.connection.clone()
    }

    /// `pusher.channels`, whose `.channels` maps names to channel objects.
    #[wasm_bindgen(getter)]
    pub fn channels(&self) -> JsValue {
        self.channels.clone()
    }

    /// `subscribe(name)`: the channel object, the same one for every call while subscribed.
    pub fn subscribe(&self, name: JsValue) -> Result<JsValue, JsValue> {
        let name = name_arg(&name)?;
        channels::subscribe(&self.client, &name)
    }

    /// `unsubscribe(name)`: cancels a pending subscription or unsubscribes.
    pub fn unsubscribe(&self, name: JsValue) -> Result<(), JsValue> {
        let name = name_arg(&name)?;
        self.client
            .with_core(|core, now| core.unsubscribe(now, &name));
        Ok(())
    }

    /// `channel(name)`: the channel object, or `undefined`.
    pub fn channel(&self, name: JsValue) -> JsValue {
        name.as_string()
            .and_then(|name| self.client.channels.borrow().object(&name))
            .unwrap_or(JsValue::UNDEFINED)
    }

    /// `allChannels()`: every channel object.
    #[wasm_bindgen(js_name = allChannels)]
    pub fn all_channels(&self) -> Array {
        self.client.channels.borrow().all()
    }

    /// `bind(event, callback, context?)`: `callback(data)` for `event` on any channel.
    pub fn bind(&self, event: JsValue, callback: JsValue, context: JsValue) -> Result<(), JsValue> {
        emitter::bind(
            &mut self.client.global_emitter.borrow_mut(),
            &event,
            &callback,
            &context,
        )
    }

    /// `unbind(event?, callback?, context?)`.
    pub fn unbind(&self, event: JsValue, callback: JsValue, context: JsValue) {
        emitter::unbind(
            &mut self.client.global_emitter.borrow_mut(),
            &event,
            &callback,
            &context,
        );
    }

    /// `bind_global(callback)`: `callback(eventName, data)` for every event.
    pub fn bind_global(&self, callback: JsValue) -> Result<(), JsValue> {
        emitter::bind_global(&mut self.client.global_emitter.borrow_mut(), &callback)
    }

    /// `unbind_global(callback?)`.
    pub fn unbind_global(&self, callback: JsValue) {
        emitter::unbind_global(&mut self.client.global_emitter.borrow_mut(), &callback);
    }

    /// `unbind_all()`.
    pub fn unbind_all(&self) {
        self.client.global_emitter.borrow_mut().unbind_all();
    }

    /// `connect()`: after a `disconnect()` or a refusal.
    pub fn connect(&self) {
        self.client.with_core(|core, now| core.connect(now));
    }

    /// `disconnect()`.
    pub fn disconnect(&self) {
        self.client.with_core(|core, now| core.disconnect(now));
    }

    /// `send_event(name, data, channel?)`: whether it was sent (false when not connected).
    pub fn send_event(
        &self,
        name: JsValue,
        data: JsValue,
        channel: JsValue,
    ) -> Result<bool, JsValue> {
        send_event(&self.client, &name, &data, &channel)
    }

    /// Whether the connection uses `wss:`.
    #[wasm_bindgen(js_name = shouldUseTLS)]
    pub fn should_use_tls(&self) -> bool {
        self.client.read_core(|core| core.uses_tls())
    }
}

/// `send_event` for both the instance and its connection.
pub fn send_event(
    client: &Rc<Shared>,
    name: &JsValue,
    data: &JsValue,
    channel: &JsValue,
) -> Result<bool, JsValue> {
    let name = event_name(name);
    let data_json = json_stringify(data)?.as_string();
    let channel: Option<String> = emitter::optional(channel).map(event_name);
    Ok(
        client
            .with_core(|core, _| core.send_event(&name, data_json.as_deref(), channel.as_deref())),
    )
}
