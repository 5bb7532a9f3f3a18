//! One WebSocket and the closures that carry its events into the client. Everything that
//! belongs to one connection attempt lives in [`SocketHandle`]; dropping it removes the
//! handlers and closes the socket, so nothing of an old connection outlives a reconnect.

use alloc::rc::Weak;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

use crate::core::SocketId;

use super::client::Shared;

/// A WebSocket and its four event handlers.
pub struct SocketHandle {
    /// The core's id for this socket.
    pub id: SocketId,
    socket: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl SocketHandle {
    /// Opens a WebSocket to `url` whose events are fed to the client as socket `id`.
    pub fn open(url: &str, id: SocketId, client: Weak<Shared>) -> Result<SocketHandle, JsValue> {
        let socket = WebSocket::new(url)?;

        let to_client = client.clone();
        let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            if let Some(client) = to_client.upgrade() {
                client.socket_opened(id);
            }
        });
        let to_client = client.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(client) = to_client.upgrade() {
                client.socket_message(id, event.data());
            }
        });
        let to_client = client.clone();
        let on_error = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            if let Some(client) = to_client.upgrade() {
                client.socket_error(id, event.into());
            }
        });
        let to_client = client;
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            if let Some(client) = to_client.upgrade() {
                client.socket_closed(id, Some(event.code()), event.reason());
            }
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(SocketHandle {
            id,
            socket,
            _on_open: on_open,
            _on_message: on_message,
            _on_error: on_error,
            _on_close: on_close,
        })
    }

    /// Sends a text frame. Returns the browser's complaint when the socket is not open.
    pub fn send(&self, text: &str) -> Result<(), JsValue> {
        self.socket.send_with_str(text)
    }
}

impl Drop for SocketHandle {
    fn drop(&mut self) {
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onerror(None);
        self.socket.set_onclose(None);
        if self.socket.ready_state() < WebSocket::CLOSING {
            let _ = self.socket.close();
        }
    }
}
