//! `pusher.connection`: the connection's state, socket id and events.

use alloc::rc::Rc;
use alloc::string::String;
use wasm_bindgen::prelude::*;

use super::client::Shared;
use super::emitter;
use super::pusher::send_event;

/// The connection, as pusher-js's `ConnectionManager`.
///
/// Events: `state_change` (`{previous, current}`), each state's own name (`connected` gets
/// `{socket_id}`), `connecting_in` (seconds to the next attempt), `message` (every frame) and
/// `error`.
///
/// ```js
/// pusher.connection.bind('state_change', ({ previous, current }) => render(current));
/// fetch('/messages', { headers: { 'X-Socket-ID': pusher.connection.socket_id } });
/// ```
#[wasm_bindgen]
pub struct ConnectionManager {
    client: Rc<Shared>,
}

impl ConnectionManager {
    /// The connection of `client`.
    pub fn new(client: Rc<Shared>) -> ConnectionManager {
        ConnectionManager { client }
    }
}

#[wasm_bindgen]
impl ConnectionManager {
    /// `initialized`, `connecting`, `connected`, `unavailable`, `failed` or `disconnected`.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        self.client.read_core(|core| core.state().as_str().into())
    }

    /// The socket id the server gave the last connection; `undefined` before the first.
    #[wasm_bindgen(getter)]
    pub fn socket_id(&self) -> Option<String> {
        self.client
            .read_core(|core| core.socket_id().map(Into::into))
    }

    /// `bind(event, callback, context?)`.
    pub fn bind(&self, event: JsValue, callback: JsValue, context: JsValue) -> Result<(), JsValue> {
        emitter::bind(
            &mut self.client.connection_emitter.borrow_mut(),
            &event,
            &callback,
            &context,
        )
    }

    /// `unbind(event?, callback?, context?)`.
    pub fn unbind(&self, event: JsValue, callback: JsValue, context: JsValue) {
        emitter::unbind(
            &mut self.client.connection_emitter.borrow_mut(),
            &event,
            &callback,
            &context,
        );
    }

    /// `bind_global(callback)`: `callback(eventName, data)` for every connection event.
    pub fn bind_global(&self, callback: JsValue) -> Result<(), JsValue> {
        emitter::bind_global(&mut self.client.connection_emitter.borrow_mut(), &callback)
    }

    /// `unbind_global(callback?)`.
    pub fn unbind_global(&self, callback: JsValue) {
        emitter::unbind_global(&mut self.client.connection_emitter.borrow_mut(), &callback);
    }

    /// `unbind_all()`.
    pub fn unbind_all(&self) {
        self.client.connection_emitter.borrow_mut().unbind_all();
    }

    /// `connect()`.
    pub fn connect(&self) {
        self.client.with_core(|core, now| core.connect(now));
    }

    /// `disconnect()`.
    pub fn disconnect(&self) {
        self.client.with_core(|core, now| core.disconnect(now));
    }

    /// `send_event(name, data, channel?)`: whether it was sent.
    pub fn send_event(
        &self,
        name: JsValue,
        data: JsValue,
        channel: JsValue,
    ) -> Result<bool, JsValue> {
        send_event(&self.client, &name, &data, &channel)
    }

    /// Whether the connection uses (or will use) `wss:`.
    #[wasm_bindgen(js_name = isUsingTLS)]
    pub fn is_using_tls(&self) -> bool {
        self.client.read_core(|core| core.uses_tls())
    }
}
