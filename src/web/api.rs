//! The one class the package's JavaScript sees: the engine, which hosts every Pusher instance of
//! a page (or, in a SharedWorker, of every tab) as a session. The facade (`src/package/`) builds
//! pusher-js's public classes in plain JavaScript and talks to it through these calls, directly
//! in a page or as messages through a SharedWorker's port (`src/package/engine/`); the engine
//! answers through the `output` function it was made with. Arguments arrive already checked and
//! converted by the facade; every protocol decision is the core's. The codes are
//! [`crate::interface`]'s.

use alloc::rc::Rc;
use alloc::string::String;
use wasm_bindgen::prelude::*;

use crate::interface::{op, page};
use crate::protocol::{
    AuthFailure, Authorization, ConnectionOptions, HostValue, PageEvent, SessionId,
    UserAuthentication, UserOptions,
};

use super::host::EngineHost;
use super::js::to_js_string;

/// The engine. Not part of the public API: the package's `Pusher` uses it.
#[wasm_bindgen]
pub struct Engine {
    host: Rc<EngineHost>,
}

#[wasm_bindgen]
impl Engine {
    /// An engine whose messages go to `output(session, kind, a, b, c, d, e)`.
    /// `open_socket(url)`, when given, is asked first for each WebSocket: it may return one the
    /// page opened before the engine was up (see `src/package/early-socket.js`).
    #[wasm_bindgen(constructor)]
    pub fn new(output: js_sys::Function, open_socket: Option<js_sys::Function>) -> Engine {
        Engine {
            host: EngineHost::new(output, open_socket),
        }
    }

    /// `new Pusher(key, options)`: a new session, attached and connecting, with the options
    /// already checked and read by the facade's `clientArguments` (each `None` when absent or
    /// falsy; 0 is a value for `max_client_events_per_second`); `connection_recovery` is the
    /// `connectionRecovery` option. `shared` sessions share a connection with other shared
    /// sessions of equal options; `logging`: whether its page logs. The texts come as `JsValue`
    /// strings (or undefined): smaller glue than wasm-bindgen's `&str`/`Option<String>` copies.
    #[allow(clippy::too_many_arguments)]
    pub fn open(
        &self,
        session: u32,
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
        connection_recovery: bool,
        shared: bool,
        logging: bool,
    ) {
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
            connection_recovery,
        };
        let key = key.as_string().unwrap_or_default();
        let options = ConnectionOptions::resolve(&key, &user, global_is_https());
        let seed = (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64;
        let websocket = !get_global("WebSocket").is_undefined();
        self.host.with_engine(|engine, now| {
            engine.open(
                now,
                SessionId(session),
                options,
                shared,
                seed,
                websocket,
                logging,
            )
        });
    }

    /// The session is gone (its page closed, or its Pusher was collected).
    pub fn close(&self, session: u32) {
        self.host
            .with_engine(|engine, now| engine.close(now, SessionId(session)));
    }

    /// The user's commands: `op` is one of `interface::op` (`name` is the channel for
    /// `SUBSCRIBE` and `UNSUBSCRIBE`). Names arrive checked by the facade.
    pub fn command(&self, session: u32, op: u8, name: &str) {
        let session = SessionId(session);
        self.host.with_engine(|engine, now| match op {
            op::CONNECT => engine.connect(now, session),
            op::DISCONNECT => engine.disconnect(now, session),
            op::SIGNIN => engine.signin(session),
            op::SUBSCRIBE => {
                let _ = engine.subscribe(session, name);
            }
            op::UNSUBSCRIBE => engine.unsubscribe(session, name),
            _ => {}
        });
    }

    /// Sends an event, `data` already `JSON.stringify`-ed (`None` leaves it out): a client
    /// event (`channel.trigger`) when `client_event`, else `send_event(name, data, channel?)`.
    /// The facade has checked it and answered the page; this only sends.
    pub fn send(
        &self,
        session: u32,
        client_event: bool,
        event: &str,
        data_json: Option<String>,
        channel: Option<String>,
    ) {
        let session = SessionId(session);
        let (data, channel) = (data_json.as_deref(), channel.as_deref());
        self.host.with_engine(|engine, now| {
            if client_event {
                let channel = channel.unwrap_or_default();
                let _ = engine.trigger(now, session, channel, event, data);
            } else {
                engine.send_event(session, event, data, channel);
            }
        });
    }

    /// An auth endpoint answered: the channel's authorization when `channel` is given, else the
    /// user's sign-in. On success `answer` is the endpoint's answer (`{auth, channel_data?,
    /// shared_secret?}` or `{auth, user_data}`); on failure `message` says why, with the HTTP
    /// status when there was one.
    #[wasm_bindgen(js_name = authDone)]
    pub fn auth_done(
        &self,
        session: u32,
        channel: Option<String>,
        socket_id: &str,
        answer: JsValue,
        message: Option<String>,
        status: Option<u16>,
    ) {
        let session = SessionId(session);
        let failure = message.map(|message| AuthFailure { message, status });
        self.host.with_engine(|engine, _| match (channel, failure) {
            (Some(channel), Some(failure)) => {
                engine.authorization_done(session, &channel, socket_id, Err(failure))
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
                engine.authorization_done(session, &channel, socket_id, Ok(authorization))
            }
            (None, Some(failure)) => engine.user_authenticated(session, socket_id, Err(failure)),
            (None, None) => {
                let authentication = UserAuthentication {
                    auth: answer.string_field("auth"),
                    user_data: answer.string_field("user_data"),
                };
                engine.user_authenticated(session, socket_id, Ok(authentication))
            }
        });
    }

    /// A page (any page sharing the engine) or the network changed: `event` is one of
    /// `interface::page`.
    pub fn page(&self, event: u8) {
        let event = match event {
            page::ONLINE => PageEvent::Online,
            page::OFFLINE => PageEvent::Offline,
            page::VISIBLE => PageEvent::Visible,
            _ => PageEvent::Resumed,
        };
        self.host
            .with_engine(|engine, now| engine.page_event(now, event));
    }

    /// Whether the session's page writes log lines (`Pusher.log` or `Pusher.logToConsole`).
    pub fn logging(&self, session: u32, on: bool) {
        self.host
            .with_engine(|engine, _| engine.set_logging(SessionId(session), on));
    }

    /// Panics on purpose: only in the test build (the `testing` feature), for
    /// `tests/e2e/bad-input.test.mjs`, which checks that a panic is reported rather than silent.
    #[cfg(feature = "testing")]
    #[wasm_bindgen(js_name = panicForTesting)]
    pub fn panic_for_testing(&self) {
        panic!("panicForTesting was called");
    }
}

fn get_global(name: &str) -> JsValue {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// Whether the page (or the worker's script) was loaded over TLS, which forces `wss:` whatever
/// `forceTLS` says.
fn global_is_https() -> bool {
    let location = get_global("location");
    if !location.is_object() {
        return false;
    }
    js_sys::Reflect::get(&location, &JsValue::from_str("protocol"))
        .ok()
        .and_then(|p| p.as_string())
        .as_deref()
        == Some("https:")
}
