//! The constructor's arguments: pusher-js's checks and messages, then the option values the
//! core needs. Unknown keys are ignored (Laravel Echo passes its whole options object).

use alloc::string::String;
use wasm_bindgen::prelude::*;

use crate::core::UserOptions;

use super::convert::get;
use super::js::{to_js_string, to_number};

/// The app key and the user's options, checked.
pub fn parse(key: &JsValue, options: &JsValue) -> Result<(String, UserOptions), JsValue> {
    // pusher-js throws these exact strings (not Error objects).
    if key.is_null() || key.is_undefined() {
        return Err(JsValue::from_str(
            "You must pass your app key when you instantiate Pusher.",
        ));
    }
    if options.is_null() || options.is_undefined() {
        return Err(JsValue::from_str("You must pass an options object"));
    }
    let cluster = option(options, "cluster");
    if cluster.is_null() || cluster.is_undefined() {
        return Err(JsValue::from_str("Options object must provide a cluster"));
    }
    let user = UserOptions {
        cluster: to_js_string(&cluster),
        ws_host: text(options, "wsHost"),
        ws_port: port(options, "wsPort")?,
        wss_port: port(options, "wssPort")?,
        ws_path: text(options, "wsPath"),
        force_tls: option(options, "forceTLS").as_bool(),
        activity_timeout_ms: milliseconds(options, "activityTimeout")?,
        pong_timeout_ms: milliseconds(options, "pongTimeout")?,
        unavailable_timeout_ms: milliseconds(options, "unavailableTimeout")?,
        max_client_events_per_second: count(options, "maxClientEventsPerSecond")?,
    };
    Ok((to_js_string(key), user))
}

fn option(options: &JsValue, name: &str) -> JsValue {
    get(options, &JsValue::from_str(name))
}

/// A string option; absent when falsy, as pusher-js's `opts.x || default`.
fn text(options: &JsValue, name: &str) -> Option<String> {
    let value = option(options, name);
    value.is_truthy().then(|| to_js_string(&value))
}

/// A positive number option (numeric strings accepted, as JavaScript would coerce them);
/// `expected` says what it must be when it is not.
fn number(options: &JsValue, name: &str, expected: &str) -> Result<Option<f64>, JsValue> {
    let value = option(options, name);
    if !value.is_truthy() {
        return Ok(None);
    }
    let n = value.as_f64().unwrap_or_else(|| {
        if value.is_string() {
            to_number(&value)
        } else {
            f64::NAN
        }
    });
    if n.is_finite() && n > 0.0 {
        Ok(Some(n))
    } else {
        Err(type_error(name, expected, &value))
    }
}

/// A count that may be 0 (which means "none"), unlike the `|| default` options.
fn count(options: &JsValue, name: &str) -> Result<Option<u32>, JsValue> {
    let value = option(options, name);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    match value.as_f64() {
        Some(n) if n >= 0.0 && n <= f64::from(u32::MAX) && f64::from(n as u32) == n => {
            Ok(Some(n as u32))
        }
        _ => Err(type_error(name, "a whole number, 0 or more", &value)),
    }
}

fn milliseconds(options: &JsValue, name: &str) -> Result<Option<u64>, JsValue> {
    Ok(number(options, name, "a positive number")?.map(|ms| ms as u64))
}

fn port(options: &JsValue, name: &str) -> Result<Option<u16>, JsValue> {
    const EXPECTED: &str = "a port number (1-65535)";
    match number(options, name, EXPECTED)? {
        None => Ok(None),
        Some(n) if n <= 65535.0 && f64::from(n as u16) == n => Ok(Some(n as u16)),
        Some(_) => Err(type_error(name, EXPECTED, &option(options, name))),
    }
}

fn type_error(name: &str, expected: &str, got: &JsValue) -> JsValue {
    let mut message = String::from("Pusher option '");
    message.push_str(name);
    message.push_str("' must be ");
    message.push_str(expected);
    message.push_str(", got ");
    message.push_str(&to_js_string(got));
    js_sys::TypeError::new(&message).into()
}

/// Whether the page was loaded over TLS, which forces `wss:` whatever `forceTLS` says.
pub fn page_is_https() -> bool {
    let location = get(&js_sys::global(), &JsValue::from_str("location"));
    get(&location, &JsValue::from_str("protocol"))
        .as_string()
        .as_deref()
        == Some("https:")
}

/// Whether this JavaScript environment has `WebSocket` at all.
pub fn websocket_supported() -> bool {
    get(&js_sys::global(), &JsValue::from_str("WebSocket")).is_function()
}
