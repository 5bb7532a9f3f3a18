//! How the core reads (and, for decrypted payloads, makes) the host's JSON values.

use alloc::string::String;
use alloc::vec::Vec;

/// A JSON value owned by the host: in the browser a `JsValue` fresh from `JSON.parse`, in the
/// native tests a `serde_json::Value`.
///
/// User payloads stay in this form from the socket to the user's callback. The core only reads
/// the handful of control fields the protocol defines (`socket_id`, `activity_timeout`, `code`,
/// `presence.hash`, `nonce`, ...) through these accessors.
pub trait HostValue: Clone {
    /// The string stored under `key`, when this value is an object holding a string there.
    fn string_field(&self, key: &str) -> Option<String>;

    /// The number stored under `key`, when this value is an object holding a finite number there.
    fn number_field(&self, key: &str) -> Option<f64>;

    /// The value stored under `key`, when this value is an object with something (not
    /// `undefined` or `null`) there.
    fn field(&self, key: &str) -> Option<Self>;

    /// The own entries of an object, in the host's order; empty for anything else.
    fn entries(&self) -> Vec<(String, Self)>;

    /// The items of an array; empty for anything else.
    fn items(&self) -> Vec<Self>;

    /// The value stored under `key` when it is an own property of this object, whatever it is
    /// (`undefined` and `null` included).
    fn own_field(&self, key: &str) -> Option<Self>;

    /// Whether this value is an object (arrays included), which can hold fields.
    fn is_object(&self) -> bool;

    /// Stores `value` under `key` in this object. In the browser the object is shared, not
    /// copied: whoever else holds it sees the change.
    fn set_field(&mut self, key: &str, value: Self);

    /// Removes `key` from this object.
    fn remove_field(&mut self, key: &str);

    /// A new empty object.
    fn new_object() -> Self;

    /// A string as a value.
    fn from_string(text: &str) -> Self;

    /// No value at all (`undefined` in JavaScript).
    fn undefined() -> Self;

    /// `text` parsed as JSON, or `None` when it is not JSON.
    fn parse_json(text: &str) -> Option<Self>;

    /// This value as `JSON.stringify` writes it, or `None` when it has no JSON text (undefined).
    fn to_json(&self) -> Option<String>;

    /// `text` parsed as JSON when it parses, else the string itself: how pusher-js treats every
    /// payload.
    fn from_text(text: &str) -> Self {
        Self::parse_json(text).unwrap_or_else(|| Self::from_string(text))
    }
}
