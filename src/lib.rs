//! pusher-wasm: a Pusher Channels (protocol 7) client for the browser, written in Rust and compiled
//! to WebAssembly, with the public API of pusher-js 8.6.0.
//!
//! The crate has two layers:
//! - [`core`]: the sans-IO client. Protocol frames, the close-code policy, the connection state
//!   machine, backoff, the channel registry and the emitter rules. It owns no socket and no clock:
//!   the host feeds it events with the current time and carries out the [`core::Action`]s it
//!   returns. It builds and is tested natively (`cargo test`), with fake time.
//! - `web` (wasm32 only): the thin browser shim. It owns the `WebSocket`, the timers, the page
//!   listeners and the JavaScript callbacks, and exposes the pusher-js classes through wasm-bindgen.
//!
//! The library is `no_std` (with `alloc`) so the wasm build carries neither std's panic and
//! formatting machinery nor its allocator; see DEVELOPERS.md for the measured effect.
#![cfg_attr(all(target_arch = "wasm32", not(test)), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub mod core;

#[cfg(target_arch = "wasm32")]
mod web;
