//! What the constructor reads off the page. The options themselves are checked and read by the
//! package's JavaScript (src/package/options.js), where pusher-js's rules are shorter to write
//! and cost less than wasm-bindgen reading each property.

use wasm_bindgen::prelude::*;

use super::convert::get;

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
