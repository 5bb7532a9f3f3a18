//! `pusher.channels`: the channel objects by name, with the plain `channels` map that Laravel
//! Echo reads (`pusher.channels.channels[name].trigger(...)`).

use alloc::rc::Rc;
use alloc::string::String;
use core::cell::RefCell;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::core::{ChannelNameError, VecMap};

use super::channel::{Channel, ChannelShared};
use super::client::Shared;
use super::emitter::JsEmitter;
use super::js::{to_js_string, BadChannelName};

struct Slot {
    shared: Rc<ChannelShared>,
    object: JsValue,
}

/// The channel objects of one client.
pub struct ChannelObjects {
    by_name: VecMap<Slot>,
    map: Object,
}

impl ChannelObjects {
    /// None yet.
    pub fn new() -> ChannelObjects {
        ChannelObjects {
            by_name: VecMap::default(),
            map: Object::new(),
        }
    }

    /// The shared state of the channel object for `name`.
    pub fn get(&self, name: &str) -> Option<&Rc<ChannelShared>> {
        self.by_name.get(name).map(|slot| &slot.shared)
    }

    /// The JS object for `name`.
    pub fn object(&self, name: &str) -> Option<JsValue> {
        self.by_name.get(name).map(|slot| slot.object.clone())
    }

    /// The channel left the registry.
    pub fn forget(&mut self, name: &str) {
        if self.by_name.remove(name).is_some() {
            let _ = Reflect::delete_property(&self.map, &JsValue::from_str(name));
        }
    }

    /// The objects in the map's order (subscription order).
    pub fn all(&self) -> Array {
        Object::values(&self.map)
    }
}

/// `pusher.subscribe(name)`: the one object for the channel's current subscription.
pub fn subscribe(client: &Rc<Shared>, name: &str) -> Result<JsValue, JsValue> {
    let id = client
        .with_core(|core, now| core.subscribe(now, name))
        .map_err(|error| name_error(error, name))?;
    let mut channels = client.channels.borrow_mut();
    if let Some(slot) = channels.by_name.get(name) {
        if slot.shared.id == id {
            return Ok(slot.object.clone());
        }
    }
    let shared = Rc::new(ChannelShared {
        id,
        name: String::from(name),
        emitter: RefCell::new(JsEmitter::default()),
    });
    let object: JsValue = Channel::new(shared.clone(), client.clone()).into();
    let _ = Reflect::set(&channels.map, &JsValue::from_str(name), &object);
    channels.by_name.insert(
        name,
        Slot {
            shared,
            object: object.clone(),
        },
    );
    Ok(object)
}

/// The error thrown for a name that can't be subscribed.
fn name_error(error: ChannelNameError, name: &str) -> JsValue {
    let message = match error {
        // pusher-js's BadChannelName message.
        ChannelNameError::Reserved => {
            let mut m = String::from("Cannot create a channel with name \"");
            m.push_str(name);
            m.push_str("\".");
            m
        }
        ChannelNameError::Empty => String::from("A channel name must not be empty"),
        ChannelNameError::TooLong => {
            let mut m = String::from("Channel name \"");
            m.push_str(name);
            m.push_str("\" is longer than 164 characters");
            m
        }
    };
    match error {
        ChannelNameError::Reserved => BadChannelName::new(&message).into(),
        _ => js_sys::Error::new(&message).into(),
    }
}

/// A channel name argument: must be a string (pusher-js would fail on `name.indexOf`).
pub fn name_arg(name: &JsValue) -> Result<String, JsValue> {
    name.as_string().ok_or_else(|| {
        let mut message = String::from("A channel name must be a string, got ");
        message.push_str(&to_js_string(name));
        js_sys::TypeError::new(&message).into()
    })
}

/// `pusher.channels`, as pusher-js's `Channels`: the `channels` map, `find(name)` and `all()`.
#[wasm_bindgen]
pub struct Channels {
    client: Rc<Shared>,
}

impl Channels {
    /// The channels of `client`.
    pub fn new(client: Rc<Shared>) -> Channels {
        Channels { client }
    }
}

#[wasm_bindgen]
impl Channels {
    /// The channel objects by name: a plain object.
    #[wasm_bindgen(getter)]
    pub fn channels(&self) -> JsValue {
        self.client.channels.borrow().map.clone().into()
    }

    /// The channel named `name`, or `undefined`.
    pub fn find(&self, name: JsValue) -> JsValue {
        name.as_string()
            .and_then(|name| self.client.channels.borrow().object(&name))
            .unwrap_or(JsValue::UNDEFINED)
    }

    /// Every channel object.
    pub fn all(&self) -> Array {
        self.client.channels.borrow().all()
    }
}
