//! A fake host for the native tests: fake time, fake sockets, and a record of every action.

use std::collections::BTreeMap;
use std::string::{String, ToString};
use std::vec::Vec;

use serde_json::{json, Value};

use super::client::{
    Action, Authorization, Client, Event, Metadata, PageEvent, SocketId, UserAuthentication,
};
use super::events::{Emit, LogLine, Payload, Target};
use super::frame::Frame;
use super::options::{ConnectionOptions, UserOptions};
use super::timers::TimerKind;
use super::value::HostValue;
use std::format;

impl HostValue for Value {
    fn string_field(&self, key: &str) -> Option<String> {
        self.get(key)?.as_str().map(String::from)
    }

    fn number_field(&self, key: &str) -> Option<f64> {
        self.get(key)?.as_f64()
    }

    fn field(&self, key: &str) -> Option<Self> {
        self.get(key).filter(|v| !v.is_null()).cloned()
    }

    fn entries(&self) -> Vec<(String, Self)> {
        match self {
            Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            _ => Vec::new(),
        }
    }

    fn items(&self) -> Vec<Self> {
        match self {
            Value::Array(items) => items.clone(),
            _ => Vec::new(),
        }
    }

    fn own_field(&self, key: &str) -> Option<Self> {
        self.as_object()?.get(key).cloned()
    }

    fn is_object(&self) -> bool {
        self.is_object() || self.is_array()
    }

    fn set_field(&mut self, key: &str, value: Self) {
        if let Value::Object(map) = self {
            map.insert(key.into(), value);
        }
    }

    fn remove_field(&mut self, key: &str) {
        if let Value::Object(map) = self {
            map.remove(key);
        }
    }

    fn new_object() -> Self {
        Value::Object(serde_json::Map::new())
    }

    fn from_string(text: &str) -> Self {
        Value::String(text.into())
    }

    fn undefined() -> Self {
        Value::Null
    }

    fn parse_json(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    fn to_json(&self) -> Option<String> {
        (!self.is_null()).then(|| self.to_string())
    }
}

/// One socket the client asked the fake host to open.
#[derive(Debug, Clone)]
pub struct FakeSocket {
    pub id: SocketId,
    pub url: String,
    pub sent: Vec<Value>,
    pub closed_by_client: bool,
    pub closed_by_server: bool,
}

impl FakeSocket {
    pub fn is_live(&self) -> bool {
        !self.closed_by_client && !self.closed_by_server
    }
}

/// A delivered frame, as the host would dispatch it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub event: String,
    pub channel: Option<String>,
    pub data: Value,
    pub to_channel: bool,
    pub metadata: Metadata,
    pub to_global: bool,
    pub to_user: bool,
    /// The frame as the host decoded it (after the core changed it, if it did).
    pub raw: Value,
}

pub struct Harness {
    pub client: Client<Value>,
    pub now: u64,
    pub host_timers: BTreeMap<TimerKind, u64>,
    pub sockets: Vec<FakeSocket>,
    pub emitted: Vec<Emit<Value>>,
    pub delivered: Vec<Delivery>,
    /// Emitted and delivered events' names in the order they reached the page.
    pub page_order: Vec<String>,
    pub forgotten: Vec<String>,
    pub authorize: Vec<(String, String)>,
    pub authenticate_user: Vec<String>,
    pub members_changed: Vec<String>,
    pub logs: Vec<LogLine>,
    /// How many times the user was signed in.
    pub signed_in: u32,
    socket_id_counter: u32,
}

/// An authorization with only `auth`.
pub fn auth(signature: &str) -> Authorization<Value> {
    Authorization {
        auth: Some(signature.into()),
        channel_data: None,
        shared_secret: None,
        user_id: None,
    }
}

/// A presence channel's authorization for member `user_id` (with `user_info` `{name: "me"}`).
pub fn presence_auth(user_id: Value) -> Authorization<Value> {
    let key = match &user_id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Authorization {
        channel_data: Some(json!({"user_id": user_id, "user_info": {"name": "me"}}).to_string()),
        user_id: Some((key, user_id)),
        ..auth("app-key:sig")
    }
}

pub fn options() -> ConnectionOptions {
    let user = UserOptions {
        cluster: String::new(),
        ws_host: Some("127.0.0.1".into()),
        ws_port: Some(6001),
        force_tls: Some(false),
        ..UserOptions::default()
    };
    ConnectionOptions::resolve("app-key", &user, false)
}

/// The test options with `connectionRecovery` on.
pub fn recovery_options() -> ConnectionOptions {
    ConnectionOptions {
        connection_recovery: true,
        ..options()
    }
}

impl Harness {
    pub fn new() -> Harness {
        Harness::with_options(options())
    }

    /// A client with `connectionRecovery` on, not connected yet.
    pub fn recovering() -> Harness {
        Harness::with_options(recovery_options())
    }

    pub fn with_options(options: ConnectionOptions) -> Harness {
        Harness {
            client: Client::new(options, 12345, true),
            now: 1_000_000,
            host_timers: BTreeMap::new(),
            sockets: Vec::new(),
            emitted: Vec::new(),
            delivered: Vec::new(),
            page_order: Vec::new(),
            forgotten: Vec::new(),
            authorize: Vec::new(),
            authenticate_user: Vec::new(),
            members_changed: Vec::new(),
            logs: Vec::new(),
            signed_in: 0,
            socket_id_counter: 0,
        }
    }

    /// Carries out every queued action, then checks the invariants.
    pub fn pump(&mut self) {
        while let Some(action) = self.client.poll_action() {
            match action {
                Action::OpenSocket { socket, url } => {
                    assert!(
                        self.sockets.iter().all(|s| !s.is_live()),
                        "opened {socket:?} while another socket is live"
                    );
                    self.sockets.push(FakeSocket {
                        id: socket,
                        url,
                        sent: Vec::new(),
                        closed_by_client: false,
                        closed_by_server: false,
                    });
                }
                Action::Send { socket, frame } => {
                    let s = self.socket_mut(socket);
                    assert!(s.is_live(), "sent on a closed socket: {}", frame.as_str());
                    let value: Value = serde_json::from_str(frame.as_str()).expect("valid JSON");
                    s.sent.push(value);
                }
                Action::CloseSocket { socket } => {
                    let s = self.socket_mut(socket);
                    assert!(s.is_live(), "closed {socket:?} twice");
                    s.closed_by_client = true;
                }
                Action::SetTimer { kind, delay_ms } => {
                    self.host_timers.insert(kind, self.now + delay_ms);
                }
                Action::ClearTimer { kind } => {
                    assert!(
                        self.host_timers.remove(&kind).is_some(),
                        "cleared {kind:?}, which the host did not have"
                    );
                }
                Action::Emit(emit) => {
                    self.page_order.push(emit.event.to_string());
                    self.emitted.push(emit)
                }
                Action::Deliver {
                    frame,
                    to_channel,
                    metadata,
                    to_global,
                    to_user,
                } => self.delivered.push(Delivery {
                    event: {
                        self.page_order.push(frame.event.clone());
                        frame.event
                    },
                    channel: frame.channel,
                    data: frame.data,
                    to_channel,
                    metadata,
                    to_global,
                    to_user,
                    raw: frame.raw,
                }),
                Action::ForgetChannel { name, .. } => self.forgotten.push(name),
                Action::MembersChanged { channel } => self.members_changed.push(channel),
                Action::Authorize { channel, socket_id } => {
                    self.authorize.push((channel, socket_id))
                }
                Action::AuthenticateUser { socket_id } => self.authenticate_user.push(socket_id),
                Action::Log { line, .. } => self.logs.push(line),
                Action::SignedIn => self.signed_in += 1,
            }
        }
        self.check_invariants();
    }

    pub fn check_invariants(&self) {
        for kind in TimerKind::ALL {
            assert_eq!(
                self.host_timers.get(&kind).copied(),
                self.client.timers().deadline(kind),
                "host and core disagree on {kind:?}"
            );
        }
        let live: Vec<SocketId> = self
            .sockets
            .iter()
            .filter(|s| s.is_live())
            .map(|s| s.id)
            .collect();
        assert!(live.len() <= 1, "more than one live socket: {live:?}");
        assert_eq!(
            live.first().copied(),
            self.client.current_socket(),
            "the live socket is not the client's"
        );
        let state = self.client.state();
        use super::state::ConnectionState::*;
        match state {
            Connected => assert!(self.client.is_established(), "connected without a socket"),
            Initialized | Disconnected | Failed => {
                assert!(live.is_empty(), "{state:?} with a live socket");
                assert_eq!(
                    self.client.timers().armed_count(),
                    0,
                    "{state:?} with timers"
                );
            }
            Connecting | Unavailable => {
                let waiting = self.client.timers().is_armed(TimerKind::Retry);
                assert!(
                    waiting != self.client.current_socket().is_some(),
                    "{state:?}: exactly one of a socket or a retry timer"
                );
            }
        }
        for (name, entry) in self.client.channels().iter() {
            if state != Connected {
                assert!(!entry.is_subscribed(), "{name} subscribed while {state:?}");
            }
        }
    }

    fn socket_mut(&mut self, id: SocketId) -> &mut FakeSocket {
        self.sockets
            .iter_mut()
            .find(|s| s.id == id)
            .expect("unknown socket")
    }

    pub fn current(&self) -> SocketId {
        self.client.current_socket().expect("no current socket")
    }

    pub fn last_socket(&self) -> &FakeSocket {
        self.sockets.last().expect("no socket opened")
    }

    pub fn feed(&mut self, event: Event<Value>) {
        self.client.handle(self.now, event);
        self.pump();
    }

    pub fn connect(&mut self) {
        self.client.connect(self.now);
        self.pump();
    }

    pub fn open(&mut self) {
        let id = self.current();
        self.feed(Event::SocketOpened(id));
    }

    /// Sends a frame from the server on the current socket. `data` strings are parsed, as the
    /// host's decoder would.
    pub fn server(&mut self, frame: Value) {
        let id = self.current();
        self.server_on(id, frame);
    }

    pub fn server_on(&mut self, id: SocketId, frame: Value) {
        let mut data = frame.get("data").cloned().unwrap_or(Value::Null);
        if let Value::String(text) = &data {
            if let Ok(parsed) = serde_json::from_str::<Value>(text) {
                data = parsed;
            }
        }
        let frame = Frame {
            event: frame["event"].as_str().expect("event").to_string(),
            channel: frame
                .get("channel")
                .and_then(Value::as_str)
                .map(String::from),
            data,
            user_id: frame
                .get("user_id")
                .and_then(Value::as_str)
                .map(String::from),
            raw: frame.clone(),
        };
        self.feed(Event::Frame(id, frame));
    }

    pub fn handshake_with(&mut self, activity_timeout_s: u64) -> String {
        self.socket_id_counter += 1;
        let socket_id = format!("{}.{}", 1000 + self.socket_id_counter, 42);
        let data = json!({"socket_id": socket_id, "activity_timeout": activity_timeout_s});
        self.server(json!({"event": "pusher:connection_established", "data": data.to_string()}));
        socket_id
    }

    /// Opens the current socket and completes the handshake.
    pub fn establish(&mut self) -> String {
        self.open();
        self.handshake_with(120)
    }

    /// `new Pusher(...)` then connected.
    pub fn connected() -> Harness {
        let mut h = Harness::new();
        h.connect();
        h.establish();
        h
    }

    pub fn server_close(&mut self, code: Option<u16>, reason: &str) {
        let id = self.current();
        self.sockets
            .iter_mut()
            .find(|s| s.id == id)
            .unwrap()
            .closed_by_server = true;
        self.feed(Event::SocketClosed {
            socket: id,
            code,
            reason: reason.into(),
        });
    }

    pub fn page(&mut self, event: PageEvent) {
        self.feed(Event::Page(event));
    }

    /// Moves fake time forward by `ms`, firing every timer that falls due, in order.
    pub fn advance(&mut self, ms: u64) {
        let end = self.now + ms;
        loop {
            let next = self
                .host_timers
                .iter()
                .map(|(k, d)| (*d, *k))
                .filter(|(d, _)| *d <= end)
                .min();
            let Some((deadline, kind)) = next else {
                break;
            };
            self.now = self.now.max(deadline);
            self.host_timers.remove(&kind);
            self.feed(Event::TimerFired(kind));
        }
        self.now = end;
    }

    /// Moves time forward without firing anything (a frozen page), then fires what is due.
    pub fn sleep(&mut self, ms: u64) {
        self.now += ms;
        self.advance(0);
    }

    /// The frames sent on every socket, in order.
    pub fn all_sent(&self) -> Vec<Value> {
        self.sockets.iter().flat_map(|s| s.sent.clone()).collect()
    }

    pub fn sent_events(&self) -> Vec<String> {
        self.all_sent()
            .iter()
            .map(|f| f["event"].as_str().unwrap().to_string())
            .collect()
    }

    /// `(event, payload)` for one target, in order.
    pub fn events_for(&self, target: &Target) -> Vec<(String, Payload<Value>)> {
        self.emitted
            .iter()
            .filter(|e| &e.target == target)
            .map(|e| (e.event.to_string(), e.payload.clone()))
            .collect()
    }

    pub fn connection_events(&self) -> Vec<String> {
        self.events_for(&Target::Connection)
            .into_iter()
            .map(|(e, _)| e)
            .collect()
    }

    /// The states entered, from `state_change` events.
    pub fn states(&self) -> Vec<&'static str> {
        self.emitted
            .iter()
            .filter_map(|e| match e.payload {
                Payload::StateChange { current, .. } => Some(current.as_str()),
                _ => None,
            })
            .collect()
    }

    pub fn errors(&self) -> Vec<Payload<Value>> {
        self.events_for(&Target::Connection)
            .into_iter()
            .filter(|(e, _)| e == "error")
            .map(|(_, p)| p)
            .collect()
    }

    pub fn clear_records(&mut self) {
        self.emitted.clear();
        self.delivered.clear();
        self.page_order.clear();
        self.forgotten.clear();
        self.authorize.clear();
        self.logs.clear();
        for socket in &mut self.sockets {
            socket.sent.clear();
        }
    }

    pub fn subscribe(&mut self, name: &str) {
        self.client.subscribe(name).expect("valid name");
        self.pump();
    }

    pub fn unsubscribe(&mut self, name: &str) {
        self.client.unsubscribe(name);
        self.pump();
    }

    /// Answers the last authorization request for `channel` with `auth`.
    pub fn authorize_with(&mut self, channel: &str, answer: Authorization<Value>) {
        let (name, socket_id) = self
            .authorize
            .iter()
            .rev()
            .find(|(c, _)| c == channel)
            .cloned()
            .expect("no authorization request for the channel");
        self.client
            .authorization_done(&name, &socket_id, Ok(answer));
        self.pump();
    }

    /// A private channel's plain authorization.
    pub fn authorize(&mut self, channel: &str) {
        self.authorize_with(channel, auth("app-key:sig"));
    }

    pub fn succeed(&mut self, channel: &str) {
        self.server(json!({"event": "pusher_internal:subscription_succeeded", "channel": channel, "data": "{}"}));
    }
}

/// The stream of the channels in the protocol-2 frames the harness makes.
pub const STREAM: &str = "3f1c2b7e-stream";

impl Harness {
    /// sockudo's protocol-2 handshake on the current socket (opened first).
    pub fn v2_establish(&mut self) {
        self.open();
        let data = json!({"socket_id": "1.2", "activity_timeout": 120}).to_string();
        self.server(
            json!({"event": "sockudo:connection_established", "data": data, "message_id": "hello"}),
        );
    }

    /// Protocol 2's `subscription_succeeded`: the channel's stream stands at `serial`.
    pub fn v2_succeed(&mut self, channel: &str, serial: u64) {
        self.server(json!({
            "event": "sockudo_internal:subscription_succeeded", "channel": channel, "data": "{}",
            "message_id": format!("s-{channel}-{serial}"), "stream_id": STREAM, "serial": serial,
        }));
    }

    /// Event number `serial` of `channel` (`ev`, data `{n: serial}`), as protocol 2 sends it,
    /// live or replayed alike.
    pub fn v2_event(&mut self, channel: &str, serial: u64) {
        self.server(json!({
            "event": "ev", "channel": channel, "data": json!({"n": serial}).to_string(),
            "message_id": format!("m-{channel}-{serial}"), "stream_id": STREAM, "serial": serial,
        }));
    }

    /// The serials of the `ev` events delivered to `channel`'s callbacks, in order.
    pub fn serials(&self, channel: &str) -> Vec<u64> {
        self.delivered
            .iter()
            .filter(|d| d.to_channel && d.event == "ev" && d.channel.as_deref() == Some(channel))
            .map(|d| d.data["n"].as_u64().unwrap())
            .collect()
    }
}

/// The seconds of a `connecting_in` payload.
pub fn seconds(payload: &Payload<Value>) -> u64 {
    match payload {
        Payload::Seconds(s) => *s,
        other => panic!("not seconds: {other:?}"),
    }
}

/// How long the armed retry timer waits.
pub fn retry_delay(h: &Harness) -> u64 {
    h.client
        .timers()
        .deadline(TimerKind::Retry)
        .expect("retry armed")
        - h.now
}

/// A connected harness whose user signed in as `user_id`.
pub fn signed_in(user_id: &str) -> Harness {
    let mut h = Harness::connected();
    h.client.signin();
    h.pump();
    let socket_id = h.authenticate_user.last().unwrap().clone();
    let user_data = json!({"id": user_id, "name": "Ann"}).to_string();
    h.client.user_authenticated(
        &socket_id,
        Ok(UserAuthentication {
            auth: Some("k:sig".into()),
            user_data: Some(user_data.clone()),
        }),
    );
    h.pump();
    h.server(json!({"event": "pusher:signin_success", "data": {"user_data": user_data}}));
    let name = format!("#server-to-user-{user_id}");
    h.succeed(&name);
    h
}

/// What was emitted on `channel`: `(event, payload)` in order.
pub fn channel_events(h: &Harness, channel: &str) -> Vec<(String, Payload<Value>)> {
    h.events_for(&Target::Channel(channel.into()))
}
