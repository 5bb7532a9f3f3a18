//! Conversions between the core's values and JavaScript ones, in one place.

use alloc::string::String;
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::core::{ErrorEvent, Frame, HostValue, Payload};

use super::js::json_parse;

impl HostValue for JsValue {
    fn string_field(&self, key: &str) -> Option<String> {
        if !self.is_object() {
            return None;
        }
        Reflect::get(self, &JsValue::from_str(key))
            .ok()?
            .as_string()
    }

    fn number_field(&self, key: &str) -> Option<f64> {
        if !self.is_object() {
            return None;
        }
        Reflect::get(self, &JsValue::from_str(key))
            .ok()?
            .as_f64()
            .filter(|n| n.is_finite())
    }
}

/// A plain object from `(key, value)` pairs.
pub fn object(entries: &[(&str, &JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in entries {
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object.into()
}

/// A property of an object, `undefined` when absent or when `target` is not an object.
pub fn get(target: &JsValue, key: &JsValue) -> JsValue {
    if !target.is_object() && !target.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(target, key).unwrap_or(JsValue::UNDEFINED)
}

/// The property names the decoder reads on every frame, made into JS strings once.
pub struct FrameKeys {
    event: JsValue,
    channel: JsValue,
    data: JsValue,
    user_id: JsValue,
}

impl FrameKeys {
    /// The keys.
    pub fn new() -> FrameKeys {
        FrameKeys {
            event: JsValue::from_str("event"),
            channel: JsValue::from_str("channel"),
            data: JsValue::from_str("data"),
            user_id: JsValue::from_str("user_id"),
        }
    }
}

/// A received WebSocket message, decoded.
pub enum Decoded {
    /// A protocol frame.
    Frame(Frame<JsValue>),
    /// Not one: `error` says why, `data` is the message as received.
    Undecodable {
        /// What went wrong (the `SyntaxError` of `JSON.parse`, or our own `Error`).
        error: JsValue,
        /// The raw message.
        data: JsValue,
    },
}

fn undecodable(message: &str, data: JsValue) -> Decoded {
    Decoded::Undecodable {
        error: js_sys::Error::new(message).into(),
        data,
    }
}

/// Decodes a message the way pusher-js does: `JSON.parse` the message, then `JSON.parse` its `data`
/// when that is a string holding JSON. Unlike pusher-js, a message that parses but is no
/// protocol frame (not an object, no string `event`) is reported instead of throwing later.
pub fn decode_frame(raw: JsValue, keys: &FrameKeys) -> Decoded {
    // A binary frame (a Blob) fails here too, with the SyntaxError pusher-js reports.
    let parsed = match json_parse(&raw) {
        Ok(parsed) => parsed,
        Err(error) => return Decoded::Undecodable { error, data: raw },
    };
    if !parsed.is_object() || js_sys::Array::is_array(&parsed) {
        return undecodable("A Pusher frame must be a JSON object", raw);
    }
    let Some(event) = get(&parsed, &keys.event).as_string() else {
        return undecodable("A Pusher frame must have a string 'event'", raw);
    };
    let channel = get(&parsed, &keys.channel).as_string();
    let mut data = get(&parsed, &keys.data);
    if data.is_string() {
        if let Ok(inner) = json_parse(&data) {
            data = inner;
        }
    }
    let user_id = get(&parsed, &keys.user_id)
        .as_string()
        .filter(|id| !id.is_empty());
    Decoded::Frame(Frame {
        event,
        channel,
        data,
        user_id,
    })
}

/// The value an event's callbacks receive, or `None` for no argument.
pub fn payload_to_js(payload: Payload<JsValue>) -> Option<JsValue> {
    match payload {
        Payload::Nothing => None,
        Payload::Value(value) => Some(value),
        Payload::StateChange { previous, current } => Some(object(&[
            ("previous", &JsValue::from_str(previous.as_str())),
            ("current", &JsValue::from_str(current.as_str())),
        ])),
        Payload::Connected { socket_id } => {
            Some(object(&[("socket_id", &JsValue::from_str(&socket_id))]))
        }
        Payload::Seconds(seconds) => Some(JsValue::from_f64(seconds as f64)),
        Payload::Error(error) => Some(error_to_js(error)),
    }
}

fn code_and_message(code: Option<u16>, message: Option<String>) -> JsValue {
    let code = code.map_or(JsValue::UNDEFINED, |c| JsValue::from_f64(f64::from(c)));
    let message = message.map_or(JsValue::UNDEFINED, |m| JsValue::from_str(&m));
    object(&[("code", &code), ("message", &message)])
}

fn typed(kind: &str, key: &str, value: &JsValue) -> JsValue {
    object(&[("type", &JsValue::from_str(kind)), (key, value)])
}

/// The connection `error` event payload, shaped as pusher-js shapes it.
pub fn error_to_js(error: ErrorEvent<JsValue>) -> JsValue {
    match error {
        ErrorEvent::Closed { code, reason } => {
            typed("PusherError", "data", &code_and_message(code, reason))
        }
        ErrorEvent::Server(data) => typed("PusherError", "data", &data),
        ErrorEvent::Socket(event) => typed("WebSocketError", "error", &event),
        ErrorEvent::Wrapped { code, message } => typed(
            "WebSocketError",
            "error",
            &typed("PusherError", "data", &code_and_message(code, message)),
        ),
        ErrorEvent::Handshake(message) => {
            typed("HandshakeError", "error", &JsValue::from_str(message))
        }
        ErrorEvent::HandshakeParse { error, data } => {
            typed("HandshakeError", "error", &parse_error(error, data))
        }
        ErrorEvent::Parse { error, data } => {
            let inner = parse_error(error, data.clone());
            parse_error(inner, data)
        }
    }
}

fn parse_error(error: JsValue, data: JsValue) -> JsValue {
    object(&[
        ("type", &JsValue::from_str("MessageParseError")),
        ("error", &error),
        ("data", &data),
    ])
}
