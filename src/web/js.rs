//! The JavaScript functions the shim calls that web-sys and js-sys don't offer in the shape we
//! want: ones that take a `JsValue` instead of a Rust `&str`, so frames and payloads stay in JS.

use alloc::string::String;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse(text)` on a JS string, without copying it into wasm memory.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    pub fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;

    /// The global `setTimeout`, which exists in windows and workers alike.
    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout(callback: &js_sys::Function, delay_ms: f64) -> JsValue;

    /// The global `clearTimeout`.
    #[wasm_bindgen(js_name = clearTimeout)]
    pub fn clear_timeout(id: &JsValue);

    /// `String(value)`, for values JavaScript code would concatenate.
    #[wasm_bindgen(js_name = String)]
    pub fn to_js_string(value: &JsValue) -> String;

    /// The facades' `output` function.
    type Output;

    /// `output.call(undefined, session, kind, a, b, c, d, e)`: a message for a facade, with no
    /// array made for its arguments.
    #[wasm_bindgen(method, js_name = call, catch)]
    #[allow(clippy::too_many_arguments)]
    fn call7(
        this: &Output,
        context: &JsValue,
        session: u32,
        kind: u8,
        a: &JsValue,
        b: &JsValue,
        c: &JsValue,
        d: &JsValue,
        e: &JsValue,
    ) -> Result<JsValue, JsValue>;
}

/// `output(session, kind, a, b, c, d, e)`.
#[allow(clippy::too_many_arguments)]
pub fn call_output(
    output: &js_sys::Function,
    session: u32,
    kind: u8,
    a: &JsValue,
    b: &JsValue,
    c: &JsValue,
    d: &JsValue,
    e: &JsValue,
) -> Result<JsValue, JsValue> {
    let output: &Output = output.unchecked_ref();
    output.call7(&JsValue::UNDEFINED, session, kind, a, b, c, d, e)
}

#[wasm_bindgen(module = "/src/web/js/support.js")]
extern "C" {
    /// Throws `error` again from a task of its own.
    #[wasm_bindgen(js_name = rethrow)]
    pub fn rethrow(error: &JsValue);

    /// Writes a Rust panic's report to the console before the module traps.
    #[wasm_bindgen(js_name = reportPanic)]
    pub fn report_panic(message: &str);
}
