//! Conversions between the core's values and JavaScript ones, in one place.

use alloc::string::String;
use alloc::vec::Vec;
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::interface::target;
use crate::protocol::{
    AuthFailure, ChannelEntry, Emit, ErrorEvent, Frame, Holders, HostValue, Payload, Target,
};

use super::js::json_parse;

impl HostValue for JsValue {
    fn field(&self, key: &str) -> Option<Self> {
        let value = get(self, &JsValue::from_str(key));
        (!value.is_undefined() && !value.is_null()).then_some(value)
    }

    fn entries(&self) -> Vec<(String, Self)> {
        if !self.is_object() {
            return Vec::new();
        }
        let object: &Object = self.unchecked_ref();
        Object::entries(object)
            .iter()
            .filter_map(|pair| {
                let pair: js_sys::Array = pair.unchecked_into();
                Some((pair.get(0).as_string()?, pair.get(1)))
            })
            .collect()
    }

    fn items(&self) -> Vec<Self> {
        if !js_sys::Array::is_array(self) {
            return Vec::new();
        }
        let array: &js_sys::Array = self.unchecked_ref();
        array.iter().collect()
    }

    fn own_field(&self, key: &str) -> Option<Self> {
        let key = JsValue::from_str(key);
        // `Object.hasOwn` throws on anything but an object: checked first.
        let own = self.is_object() && Object::has_own::<JsValue>(self.unchecked_ref(), &key);
        own.then(|| get(self, &key))
    }

    fn is_object(&self) -> bool {
        JsValue::is_object(self)
    }

    fn set_field(&mut self, key: &str, value: Self) {
        if JsValue::is_object(self) {
            let _ = Reflect::set(self, &JsValue::from_str(key), &value);
        }
    }

    fn remove_field(&mut self, key: &str) {
        if JsValue::is_object(self) {
            let _ =
                Reflect::delete_property::<JsValue>(self.unchecked_ref(), &JsValue::from_str(key));
        }
    }

    fn new_object() -> Self {
        Object::new().into()
    }

    fn from_string(text: &str) -> Self {
        JsValue::from_str(text)
    }

    fn undefined() -> Self {
        JsValue::UNDEFINED
    }

    fn parse_json(text: &str) -> Option<Self> {
        json_parse(&JsValue::from_str(text)).ok()
    }

    fn to_json(&self) -> Option<String> {
        js_sys::JSON::stringify(self).ok()?.as_string()
    }

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
        raw: parsed,
    })
}

/// The value an event's callbacks receive, or `None` for no argument. A presence channel's
/// `Members` object (`Payload::Members`) is the facade's own: `None` here.
pub fn payload_to_js(payload: Payload<JsValue>) -> Option<JsValue> {
    match payload {
        Payload::Nothing | Payload::Members => None,
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
        Payload::Member { id, info } => Some(member(&JsValue::from_str(&id), &info)),
        Payload::AuthError(failure) => Some(auth_error(&failure)),
        Payload::Resumed {
            gap_ms,
            recovered,
            replayed,
        } => Some(object(&[
            ("gapMs", &JsValue::from_f64(gap_ms as f64)),
            ("recovered", &JsValue::from_bool(recovered)),
            ("replayed", &JsValue::from_f64(f64::from(replayed))),
        ])),
    }
}

/// An `EMIT` output's arguments: the target (`interface::target`), the channel's name (or
/// undefined), the event's name and its payload (undefined for none).
pub fn emit_arguments(emit: Emit<JsValue>) -> [JsValue; 4] {
    let (code, channel) = match &emit.target {
        Target::Connection => (target::CONNECTION, JsValue::UNDEFINED),
        Target::Channel(name) => (target::CHANNEL, JsValue::from_str(name)),
        Target::User => (target::USER, JsValue::UNDEFINED),
        Target::Watchlist => (target::WATCHLIST, JsValue::UNDEFINED),
        Target::Global => (target::GLOBAL, JsValue::UNDEFINED),
    };
    let event = JsValue::from_str(&emit.event);
    let payload = payload_to_js(emit.payload).unwrap_or(JsValue::UNDEFINED);
    [JsValue::from(code), channel, event, payload]
}

/// `{event, channel, user_id}`, for a frame the engine made itself (another session's client
/// event): what the facade reads of a frame it delivers.
pub fn frame_object(frame: &Frame<JsValue>) -> JsValue {
    let text = |t: &Option<String>| t.as_deref().map_or(JsValue::UNDEFINED, JsValue::from_str);
    object(&[
        ("event", &JsValue::from_str(&frame.event)),
        ("channel", &text(&frame.channel)),
        ("user_id", &text(&frame.user_id)),
    ])
}

/// A presence channel's members as its `Members` object shows them: `members` (`{id: info}`),
/// `count`, `myID` and `me`, the last two null until known (empty ones for anything but a
/// presence channel).
pub fn presence_fields(entry: Option<&ChannelEntry<JsValue, Holders>>) -> [JsValue; 4] {
    let presence = entry.and_then(|e| e.presence());
    // The core's own object, not a copy: the members cost the wasm memory nothing.
    let members = presence.map_or_else(|| Object::new().into(), |p| p.members_object().clone());
    let count = presence.map_or(0, |p| p.count());
    let my_id = presence.and_then(|p| p.my_id()).cloned();
    let me = presence
        .and_then(|p| p.me())
        .map(|(id, info)| member(id, info));
    [
        members,
        JsValue::from_f64(f64::from(count)),
        my_id.unwrap_or(JsValue::NULL),
        me.unwrap_or(JsValue::NULL),
    ]
}

/// `{id, info}`, as pusher-js's `Members.get` returns a member.
pub fn member(id: &JsValue, info: &JsValue) -> JsValue {
    object(&[("id", id), ("info", info)])
}

/// `{type: 'AuthError', error: message, status?}` (`status` only for an HTTP failure).
pub fn auth_error(failure: &AuthFailure) -> JsValue {
    let error = typed("AuthError", "error", &JsValue::from_str(&failure.message));
    if let Some(status) = failure.status {
        let _ = Reflect::set(
            &error,
            &JsValue::from_str("status"),
            &JsValue::from_f64(f64::from(status)),
        );
    }
    error
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
        ErrorEvent::RateLimited {
            event,
            channel,
            limit,
        } => {
            let mut message = String::from("Client event ");
            message.push_str(&event);
            message.push_str(" on ");
            message.push_str(&channel);
            message.push_str(" was not sent: over ");
            crate::protocol::push_u64(&mut message, u64::from(limit));
            message.push_str(" client events per second");
            object(&[
                ("type", &JsValue::from_str("ClientEventRateLimited")),
                ("error", &JsValue::from_str(&message)),
                (
                    "data",
                    &object(&[
                        ("event", &JsValue::from_str(&event)),
                        ("channel", &JsValue::from_str(&channel)),
                    ]),
                ),
            ])
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
