//! The one class the package's JavaScript sees. `src/package/*.js` builds pusher-js's public
//! classes (`Pusher`, `connection`, `channels`, each `Channel`) as thin wrappers over it: one
//! narrow interface instead of wasm-bindgen glue for every method of four classes keeps the
//! module small (see DEVELOPERS.md, "Size"). Arguments arrive already checked and converted by
//! the wrappers; every decision is the core's.

use alloc::rc::Rc;
use alloc::string::String;
use wasm_bindgen::prelude::*;

use crate::core::{
    AuthFailure, Authorization, ChannelNameError, HostValue, TriggerError, UserAuthentication,
    UserOptions,
};

use super::client::{EmitterTarget, Shared};
use super::js::to_js_string;

/// One Pusher client. Not part of the public API: use the package's `Pusher`.
#[wasm_bindgen]
pub struct Client {
    client: Rc<Shared>,
}

/// `kind` in the bind family: 0 the connection, 1 the Pusher instance, 2 a channel, 3 the user,
/// 4 the user's watchlist.
fn target(kind: u8, channel: &str, id: u32) -> EmitterTarget<'_> {
    match kind {
        0 => EmitterTarget::Connection,
        1 => EmitterTarget::Global,
        3 => EmitterTarget::User,
        4 => EmitterTarget::Watchlist,
        _ => EmitterTarget::Channel(channel, id),
    }
}

#[wasm_bindgen]
impl Client {
    /// `new Pusher(key, options)`, with the options already checked and read by the package's
    /// `clientArguments` (src/package/options.js): each is `None` when absent or falsy (0 is a
    /// value for `max_client_events_per_second`). Then connects. `hooks` are the package's
    /// `forget`, `authorize` and `authenticateUser` callbacks. The texts come as `JsValue`
    /// strings (or undefined): smaller glue than wasm-bindgen's `&str`/`Option<String>` copies
    /// (measured in DEVELOPERS.md#size).
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        key: JsValue,
        cluster: JsValue,
        ws_host: JsValue,
        ws_port: Option<u16>,
        wss_port: Option<u16>,
        ws_path: JsValue,
        force_tls: Option<bool>,
        activity_timeout_ms: Option<f64>,
        pong_timeout_ms: Option<f64>,
        unavailable_timeout_ms: Option<f64>,
        max_client_events_per_second: Option<u32>,
        hooks: JsValue,
    ) -> Client {
        let user = UserOptions {
            cluster: cluster.as_string().unwrap_or_default(),
            ws_host: ws_host.as_string(),
            ws_port,
            wss_port,
            ws_path: ws_path.as_string(),
            force_tls,
            activity_timeout_ms: activity_timeout_ms.map(|ms| ms as u64),
            pong_timeout_ms: pong_timeout_ms.map(|ms| ms as u64),
            unavailable_timeout_ms: unavailable_timeout_ms.map(|ms| ms as u64),
            max_client_events_per_second,
        };
        let client = Shared::new(&key.as_string().unwrap_or_default(), &user, hooks);
        client.with_core(|core, now| core.connect(now));
        Client { client }
    }

    /// The user's commands, in one export: `op` 0 `connect()`, 1 `disconnect()`, 2 `signin()`,
    /// 3 `subscribe(name)`, 4 `unsubscribe(name)` (`name` is empty for the first three).
    /// `subscribe` answers the subscription's id (positive), or why the name is refused: -1
    /// empty, -2 reserved (`#…`), -3 too long; the others answer 0.
    pub fn command(&self, op: u8, name: &str) -> i32 {
        if op == 3 {
            return match self.client.subscribe(name) {
                Ok(id) => id as i32,
                Err(ChannelNameError::Empty) => -1,
                Err(ChannelNameError::Reserved) => -2,
                Err(ChannelNameError::TooLong) => -3,
            };
        }
        self.client.with_core(|core, now| match op {
            0 => core.connect(now),
            1 => core.disconnect(now),
            2 => core.signin(now),
            _ => core.unsubscribe(now, name),
        });
        0
    }

    /// Sends an event, `data` already `JSON.stringify`-ed (`None` leaves it out). As
    /// `send_event(name, data, channel?)` when not `client_event`: 1 sent, 0 not (not
    /// connected). As `channel.trigger(event, data)` when `client_event`: 1 sent, 0 not sent
    /// (not connected, or over the rate limit), -1 not a `client-` event, -2 an encrypted
    /// channel.
    pub fn send(
        &self,
        client_event: bool,
        event: &str,
        data_json: Option<String>,
        channel: Option<String>,
    ) -> i32 {
        let (data, channel) = (data_json.as_deref(), channel.as_deref());
        if !client_event {
            return i32::from(
                self.client
                    .with_core(|core, _| core.send_event(event, data, channel)),
            );
        }
        let channel = channel.unwrap_or_default();
        match self
            .client
            .with_core(|core, now| core.trigger(now, channel, event, data))
        {
            Ok(sent) => i32::from(sent),
            Err(TriggerError::NotClientEvent) => -1,
            Err(TriggerError::Encrypted) => -2,
        }
    }

    /// An auth endpoint answered: `authorize(channel, socketId)` when `channel` is given, else
    /// `authenticateUser(socketId)`. On success `answer` is the endpoint's answer (`{auth,
    /// channel_data?, shared_secret?}` or `{auth, user_data}`); on failure `message` says why,
    /// with the HTTP status when there was one. One export for the four outcomes.
    #[wasm_bindgen(js_name = authDone)]
    pub fn auth_done(
        &self,
        channel: Option<String>,
        socket_id: &str,
        answer: JsValue,
        message: Option<String>,
        status: Option<u16>,
    ) {
        let failure = message.map(|message| AuthFailure { message, status });
        self.client.with_core(|core, now| match (channel, failure) {
            (Some(channel), Some(failure)) => {
                core.authorization_done(now, &channel, socket_id, Err(failure))
            }
            (Some(channel), None) => {
                let authorization = Authorization {
                    auth: answer.string_field("auth"),
                    channel_data: answer.string_field("channel_data"),
                    shared_secret: answer.string_field("shared_secret"),
                    user_id: answer
                        .string_field("channel_data")
                        .and_then(|data| JsValue::parse_json(&data))
                        .and_then(|data| data.field("user_id"))
                        .map(|id| (to_js_string(&id), id)),
                };
                core.authorization_done(now, &channel, socket_id, Ok(authorization))
            }
            (None, Some(failure)) => core.user_authenticated(now, socket_id, Err(failure)),
            (None, None) => {
                let authentication = UserAuthentication {
                    auth: answer.string_field("auth"),
                    user_data: answer.string_field("user_data"),
                };
                core.user_authenticated(now, socket_id, Ok(authentication))
            }
        });
    }

    /// Records a presence channel's `Members` object (passed by `pusher:subscription_succeeded`).
    #[wasm_bindgen(js_name = attachMembers)]
    pub fn attach_members(&self, name: &str, id: u32, members: JsValue) {
        self.client.attach_members(name, id, members);
    }

    /// The state the wrappers read, in one export (each export costs its own glue on both sides
    /// of the boundary). `what`: 0 `connection.state`; 1 `connection.socket_id` (undefined
    /// before connected); 2 whether the connection uses `wss:`; 3 the signed-in user's id on this
    /// connection (undefined when none); 4 their `user_data`, parsed (null when not signed in);
    /// 5 the flags of subscription `id` of channel `name` (1 subscribed, 2 pending, 4
    /// cancelled; 0 when it is not the current subscription of that name); 6 its last
    /// `subscription_count` (NaN before any).
    pub fn read(&self, what: u8, name: &str, id: u32) -> JsValue {
        self.client.read_core(|core| {
            let entry = || core.channel(name).filter(|e| e.id == id);
            let text = |t: Option<&str>| t.map_or(JsValue::UNDEFINED, JsValue::from_str);
            match what {
                0 => JsValue::from_str(core.state().as_str()),
                1 => text(core.socket_id()),
                2 => JsValue::from_bool(core.uses_tls()),
                3 => text(core.user_id()),
                4 => core.user_data().cloned().unwrap_or(JsValue::NULL),
                5 => JsValue::from(entry().map_or(0, |e| {
                    u32::from(e.subscribed)
                        | u32::from(e.pending) << 1
                        | u32::from(e.cancelled) << 2
                })),
                _ => JsValue::from_f64(entry().map_or(f64::NAN, |e| e.subscription_count)),
            }
        })
    }

    /// The bind family on one emitter, in one export (each export costs its own glue on both
    /// sides of the boundary). `op`: 0 `bind(event, callback, context?)` (`callback` is a
    /// function), 1 `unbind(event?, callback?, context?)` (each absent, falsy, argument matches
    /// everything), 2 `bind_global(callback)`, 3 `unbind_global(callback?)`, 4 `unbind_all()`.
    #[allow(clippy::too_many_arguments)]
    pub fn emitter(
        &self,
        op: u8,
        kind: u8,
        channel: &str,
        id: u32,
        event: Option<String>,
        callback: JsValue,
        context: JsValue,
    ) {
        let callback = callback.is_truthy().then_some(callback);
        let context = context.is_truthy().then_some(context);
        self.client
            .with_emitter(target(kind, channel, id), |e| match (op, callback) {
                (0, Some(callback)) => {
                    e.bind(event.as_deref().unwrap_or_default(), callback, context)
                }
                (1, callback) => e.unbind(event.as_deref(), callback.as_ref(), context.as_ref()),
                (2, Some(callback)) => e.bind_global(callback),
                (3, callback) => e.unbind_global(callback.as_ref()),
                (4, _) => e.unbind_all(),
                _ => {}
            });
    }

    /// Panics on purpose: only for `tests/e2e/bad-frames.test.mjs`, which checks that a panic is
    /// reported (log line, `Pusher.internalErrors`, `error` event) rather than silent.
    #[wasm_bindgen(js_name = panicForTesting)]
    pub fn panic_for_testing(&self) {
        panic!("panicForTesting was called");
    }
}
