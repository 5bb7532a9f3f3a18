//! Running JavaScript callbacks with pusher-js's calling conventions, and the JS-facing side of
//! `bind`/`unbind`. The binding rules themselves are the core's [`Emitter`].

use alloc::string::String;
use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::{Emitter, Listeners};

use super::js::{rethrow, to_js_string};

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
    let Some(bound) = &listeners.bound else {
        return;
    };
    for binding in bound.iter() {
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

fn report(result: Result<JsValue, JsValue>) {
    if let Err(error) = result {
        rethrow(&error);
    }
}

/// A callback argument: must be a function. pusher-js would accept anything and throw later,
/// inside the event loop; a clear `TypeError` now is the better failure.
pub fn callback_arg(callback: &JsValue, method: &str) -> Result<JsValue, JsValue> {
    if callback.is_function() {
        Ok(callback.clone())
    } else {
        let mut message = String::from(method);
        message.push_str(": the callback must be a function");
        Err(js_sys::TypeError::new(&message).into())
    }
}

/// An optional argument of `unbind`: pusher-js treats every falsy value as absent.
pub fn optional(value: &JsValue) -> Option<&JsValue> {
    value.is_truthy().then_some(value)
}

/// An event name argument, as pusher-js would use it as a key.
pub fn event_name(value: &JsValue) -> String {
    value.as_string().unwrap_or_else(|| to_js_string(value))
}

/// `bind(event, callback, context?)` on one emitter.
pub fn bind(
    emitter: &mut JsEmitter,
    event: &JsValue,
    callback: &JsValue,
    context: &JsValue,
) -> Result<(), JsValue> {
    let callback = callback_arg(callback, "bind")?;
    let context = optional(context).cloned();
    emitter.bind(&event_name(event), callback, context);
    Ok(())
}

/// `unbind(event?, callback?, context?)` on one emitter.
pub fn unbind(emitter: &mut JsEmitter, event: &JsValue, callback: &JsValue, context: &JsValue) {
    let event = optional(event).map(event_name);
    emitter.unbind(event.as_deref(), optional(callback), optional(context));
}

/// `bind_global(callback)`.
pub fn bind_global(emitter: &mut JsEmitter, callback: &JsValue) -> Result<(), JsValue> {
    emitter.bind_global(callback_arg(callback, "bind_global")?);
    Ok(())
}

/// `unbind_global(callback?)`.
pub fn unbind_global(emitter: &mut JsEmitter, callback: &JsValue) {
    emitter.unbind_global(optional(callback));
}
