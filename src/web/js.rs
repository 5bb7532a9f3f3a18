//! The JavaScript functions the shim calls that web-sys and js-sys don't offer in the shape we
//! want: ones that take a `JsValue` instead of a Rust `&str`, so frames and payloads stay in JS.

use alloc::string::String;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse(text)` on a JS string, without copying it into wasm memory.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    pub fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;

    /// `JSON.stringify(value)`: a string, or `undefined` for `undefined` and functions.
    #[wasm_bindgen(js_namespace = JSON, js_name = stringify, catch)]
    pub fn json_stringify(value: &JsValue) -> Result<JsValue, JsValue>;

    /// The global `setTimeout`, which exists in windows and workers alike.
    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout(callback: &js_sys::Function, delay_ms: f64) -> JsValue;

    /// The global `clearTimeout`.
    #[wasm_bindgen(js_name = clearTimeout)]
    pub fn clear_timeout(id: &JsValue);

    /// `String(value)`, for values JavaScript code would concatenate.
    #[wasm_bindgen(js_name = String)]
    pub fn to_js_string(value: &JsValue) -> String;

    /// `Number(value)`.
    #[wasm_bindgen(js_name = Number)]
    pub fn to_number(value: &JsValue) -> f64;
}

#[wasm_bindgen(module = "/src/web/js/support.js")]
extern "C" {
    /// Where log lines go: the Pusher class.
    #[wasm_bindgen(js_name = setLogTarget)]
    pub fn set_log_target(class: &JsValue);

    /// Whether `Pusher.log` or `Pusher.logToConsole` is set.
    #[wasm_bindgen(js_name = logEnabled)]
    pub fn log_enabled() -> bool;

    /// Writes `Pusher : message` to `Pusher.log` or the console.
    #[wasm_bindgen(js_name = writeLog)]
    pub fn write_log(level: u8, message: &str);

    /// Throws `error` again from a task of its own.
    #[wasm_bindgen(js_name = rethrow)]
    pub fn rethrow(error: &JsValue);

    /// Reports a Rust panic before the module traps.
    #[wasm_bindgen(js_name = reportPanic)]
    pub fn report_panic(message: &str);
}
