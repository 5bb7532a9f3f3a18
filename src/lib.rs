//! pusher-wasm: a Pusher Channels (protocol 7) client for the browser, written in Rust and compiled
//! to WebAssembly, with the public API of pusher-js 8.6.0.
//!
//! The crate has three parts:
//! - [`protocol`]: the sans-IO core. Protocol frames, the close-code policy, the connection state
//!   machine, backoff, the channel registry, and the engine that shares connections between
//!   sessions. It owns no socket and no clock: the host feeds it events with the current time and
//!   carries out the [`protocol::Output`]s it returns. It builds and is tested natively
//!   (`cargo test`), with fake time. (Named `protocol`, not `core`, so that `core::` in the crate
//!   is always Rust's own library.)
//! - [`interface`]: the codes of the boundary between the package's JavaScript and the engine.
//! - `web` (wasm32 only): the thin browser shim around the core's [`protocol::Engine`]. It owns the
//!   `WebSocket`s and the timers, and carries calls in and messages out through one narrow
//!   wasm-bindgen class; it runs in a page or in a SharedWorker.
//!
//! The library is `no_std` (with `alloc`) so the wasm build carries neither std's panic and
//! formatting machinery nor its allocator; see DEVELOPERS.md for the measured effect.
#![cfg_attr(all(target_arch = "wasm32", not(test)), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub mod interface;
pub mod protocol;

#[cfg(target_arch = "wasm32")]
mod web;
