//! Running JavaScript callbacks with pusher-js's calling conventions, and the JS-facing side of
//! `bind`/`unbind`. The binding rules themselves are the core's [`Emitter`].

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::{Emitter, Listeners};

use super::js::rethrow;

/// An emitter of JavaScript callbacks with JavaScript `this` contexts.
pub type JsEmitter = Emitter<JsValue, JsValue>;

/// What one emission passes to its callbacks.
pub struct Arguments<'a> {
    /// The event name, made into a JS string only if a global callback needs it.
    pub event: &'a str,
    /// The data; `None` when the event has none.
    pub data: Option<&'a JsValue>,
    /// The metadata of channel events (`{}` or `{user_id}`); `None` elsewhere.
    pub metadata: Option<&'a JsValue>,
}

/// Calls the listeners as pusher-js's `EventsDispatcher.emit` does: global callbacks first with
/// `(eventName, data)`, then each binding with `this` = its context (or the global object) and
/// `(data, metadata)`, `(data)` or `()`. An exception thrown by one callback is re-thrown in a
/// task of its own and does not stop the others.
pub fn call_listeners(
    listeners: &Listeners<JsValue, JsValue>,
    args: &Arguments,
    global_this: &JsValue,
) {
    let undefined = JsValue::UNDEFINED;
    let data = args.data.unwrap_or(&undefined);
    if !listeners.global.is_empty() {
        let event = JsValue::from_str(args.event);
        for callback in listeners.global.iter() {
            report(as_function(callback).call2(&JsValue::UNDEFINED, &event, data));
        }
    }
    for binding in listeners.bound() {
        let this = binding.context.as_ref().unwrap_or(global_this);
        let function = as_function(&binding.callback);
        let result = match (args.metadata, args.data) {
            (Some(metadata), _) => function.call2(this, data, metadata),
            (None, Some(data)) if data.is_truthy() => function.call1(this, data),
            (None, _) => function.call0(this),
        };
        report(result);
    }
}

fn as_function(callback: &JsValue) -> &Function {
    callback.unchecked_ref()
}

/// Re-throws, from a task of its own, what a callback threw.
pub fn report(result: Result<JsValue, JsValue>) {
    if let Err(error) = result {
        rethrow(&error);
    }
}
