//! How the core reads the host's JSON values.

use alloc::string::String;

/// A JSON value owned by the host: in the browser a `JsValue` fresh from `JSON.parse`, in the
/// native tests a `serde_json::Value`.
///
/// User payloads stay in this form from the socket to the user's callback. The core only reads
/// the handful of control fields the protocol defines (`socket_id`, `activity_timeout`, `code`,
/// `message`, `subscription_count`, ...) through these two accessors.
pub trait HostValue: Clone {
    /// The string stored under `key`, when this value is an object holding a string there.
    fn string_field(&self, key: &str) -> Option<String>;

    /// The number stored under `key`, when this value is an object holding a finite number there.
    fn number_field(&self, key: &str) -> Option<f64>;
}
