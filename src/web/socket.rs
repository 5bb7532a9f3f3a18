//! One WebSocket and the closures that carry its events to the host. Everything that belongs to
//! one connection attempt lives in [`SocketHandle`]; dropping it removes the handlers and closes
//! the socket, so nothing of an old connection outlives a reconnect.

use alloc::rc::Rc;
use alloc::string::String;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

/// What a socket reports.
pub enum SocketEvent {
    /// `open`.
    Opened,
    /// `message`, with the message's data as received.
    Message(JsValue),
    /// `error`, with the event.
    Error(JsValue),
    /// `close`, with its code and reason.
    Closed(u16, String),
}

/// A WebSocket and its four event handlers.
pub struct SocketHandle {
    socket: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl SocketHandle {
    /// Opens a WebSocket to `url` whose events go to `report`: the one `opener(url)` returns
    /// (a socket the page opened early; what it said meanwhile is replayed to the handlers set
    /// here), or else a new one.
    pub fn open(
        url: &str,
        opener: Option<&js_sys::Function>,
        report: impl Fn(SocketEvent) + 'static,
    ) -> Result<SocketHandle, JsValue> {
        let early = opener.and_then(|f| f.call1(&JsValue::UNDEFINED, &JsValue::from_str(url)).ok());
        let socket = match early {
            Some(socket) if socket.is_instance_of::<WebSocket>() => socket.unchecked_into(),
            _ => WebSocket::new(url)?,
        };
        let report = Rc::new(report);
        let to = report.clone();
        let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| to(SocketEvent::Opened));
        let to = report.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            to(SocketEvent::Message(event.data()))
        });
        let to = report.clone();
        let on_error = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            to(SocketEvent::Error(event.into()))
        });
        let to = report;
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            to(SocketEvent::Closed(event.code(), event.reason()))
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(SocketHandle {
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
