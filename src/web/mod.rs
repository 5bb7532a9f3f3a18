//! The browser shim: one wasm-bindgen class over the core's engine, plus the WebSockets and
//! timers. It carries calls in and messages out; it decides nothing.

mod api;
mod convert;
mod host;
mod js;
mod log;
mod panic;
mod socket;
mod timers;

/// talc instead of std's dlmalloc: measured smaller (DEVELOPERS.md, "Size").
#[cfg(not(test))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
