//! Channel authorization: asks the app's endpoint to sign a subscription.

use alloc::rc::Rc;
use alloc::string::String;
use wasm_bindgen::prelude::*;

use super::client::Shared;
use super::convert::object;

/// Carries out an `Authorize` action for `channel` on the connection `socket_id`.
pub fn authorize(client: &Rc<Shared>, channel: String, socket_id: String) {
    let error = object(&[
        ("type", &JsValue::from_str("AuthError")),
        (
            "error",
            &JsValue::from_str("pusher-wasm cannot authorize private channels yet"),
        ),
    ]);
    client.with_core(|core, now| core.authorization_done(now, &channel, &socket_id, Err(error)));
}
