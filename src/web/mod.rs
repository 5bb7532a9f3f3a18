//! The browser shim: wasm-bindgen classes over the core, plus the WebSocket, timers, page
//! listeners and callbacks. It carries events in and actions out; it decides nothing.

mod api;
mod client;
mod convert;
mod emitter;
mod js;
mod log;
mod options;
mod page_events;
mod panic;
mod socket;
mod timers;

use wasm_bindgen::prelude::*;

#[cfg(not(test))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Tells the module which class carries `Pusher.log` and `Pusher.logToConsole`. Called once by
/// the package's `index.js`.
#[wasm_bindgen(js_name = setLogTarget)]
pub fn set_log_target(class: JsValue) {
    js::set_log_target(&class);
}
