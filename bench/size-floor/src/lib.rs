//! The core behind a C ABI: the smallest wasm any client on this core could ship (README.md).
//!
//! Every input is numbers and byte ranges (UTF-8 in our memory), every output a call to an
//! import in module `host`. JSON values are `u32` handles into a table the host would keep
//! (0 is "none", 1 is `undefined`). Each export feeds the core, then drains its actions into
//! the imports, so the whole of `Action`, `Payload` and `LogLine` is reachable.
//!
//! Safety, for every `unsafe` export: its byte ranges are UTF-8 the host wrote into memory it got
//! from [`alloc`]. This is a measurement that is never shipped, so its host is trusted.
#![no_std]
#![allow(clippy::missing_safety_doc)]

extern crate alloc;

#[path = "../../../src/core/mod.rs"]
#[allow(dead_code, missing_docs)]
pub mod core;

use ::core::cell::RefCell;
use alloc::string::String;
use alloc::vec::Vec;

use crate::core::{
    Action, AuthFailure, Authorization, Client, ConnectionOptions, Emitter, ErrorEvent, Event,
    Frame, HostValue, LogLine, Metadata, PageEvent, Payload, SocketId, Target, TimerKind,
    TriggerError, UserAuthentication, UserOptions,
};

#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[panic_handler]
fn panic(_: &::core::panic::PanicInfo) -> ! {
    ::core::arch::wasm32::unreachable()
}

/// A byte range in this module's memory.
type Ptr = *const u8;

#[link(wasm_import_module = "host")]
extern "C" {
    // JSON values. A string result is written to `read_into` after its length is returned
    // (u32::MAX: none).
    fn string_field(value: u32, key: Ptr, key_len: usize) -> u32;
    fn number_field(value: u32, key: Ptr, key_len: usize) -> f64;
    fn field(value: u32, key: Ptr, key_len: usize) -> u32;
    fn own_field(value: u32, key: Ptr, key_len: usize) -> u32;
    fn count(value: u32, entries: u32) -> u32;
    fn item(value: u32, index: u32) -> u32;
    fn key(value: u32, index: u32) -> u32;
    fn is_object(value: u32) -> u32;
    fn set_field(value: u32, key: Ptr, key_len: usize, item: u32);
    fn remove_field(value: u32, key: Ptr, key_len: usize);
    fn new_object() -> u32;
    fn from_string(text: Ptr, len: usize) -> u32;
    fn parse_json(text: Ptr, len: usize) -> u32;
    fn read_into(to: *mut u8);
    fn clone_value(value: u32) -> u32;
    fn drop_value(value: u32);
    // Actions.
    fn open_socket(socket: u32, url: Ptr, len: usize);
    fn send(socket: u32, frame: Ptr, len: usize);
    fn close_socket(socket: u32);
    fn set_timer(kind: u32, delay_ms: f64);
    #[allow(clippy::too_many_arguments)]
    fn emit(
        target: u32,
        channel: Ptr,
        channel_len: usize,
        event: Ptr,
        event_len: usize,
        kind: u32,
        a: u32,
        b: u32,
        text: Ptr,
        text_len: usize,
        number: f64,
    );
    #[allow(clippy::too_many_arguments)]
    fn deliver(
        event: Ptr,
        event_len: usize,
        channel: Ptr,
        channel_len: usize,
        data: u32,
        user: Ptr,
        user_len: usize,
        flags: u32,
    );
    fn members_changed(channel: Ptr, len: usize);
    fn forget_channel(channel: Ptr, len: usize, id: u32);
    fn authorize(channel: Ptr, channel_len: usize, socket_id: Ptr, socket_id_len: usize, user: u32);
    #[allow(clippy::too_many_arguments)]
    fn log(level: u32, kind: u32, a: Ptr, a_len: usize, b: Ptr, b_len: usize, number: f64);
    fn call(callback: u32, context: u32, data: u32);
}

fn read(len: u32) -> String {
    let mut bytes = Vec::with_capacity(len as usize);
    // SAFETY: the host writes exactly `len` bytes.
    unsafe {
        read_into(bytes.as_mut_ptr());
        bytes.set_len(len as usize);
    }
    String::from_utf8(bytes).unwrap_or_default()
}

fn read_opt(len: u32) -> Option<String> {
    (len != u32::MAX).then(|| read(len))
}

fn handle(h: u32) -> Option<Handle> {
    (h != 0).then_some(Handle(h))
}

/// A JSON value in the host's table.
#[derive(Debug, PartialEq)]
pub struct Handle(u32);

impl Clone for Handle {
    fn clone(&self) -> Self {
        Handle(unsafe { clone_value(self.0) })
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        unsafe { drop_value(self.0) }
    }
}

impl HostValue for Handle {
    fn string_field(&self, k: &str) -> Option<String> {
        read_opt(unsafe { string_field(self.0, k.as_ptr(), k.len()) })
    }
    fn number_field(&self, k: &str) -> Option<f64> {
        let n = unsafe { number_field(self.0, k.as_ptr(), k.len()) };
        n.is_finite().then_some(n)
    }
    fn field(&self, k: &str) -> Option<Self> {
        handle(unsafe { field(self.0, k.as_ptr(), k.len()) })
    }
    fn entries(&self) -> Vec<(String, Self)> {
        (0..unsafe { count(self.0, 1) })
            .map(|i| unsafe { (read(key(self.0, i)), Handle(item(self.0, i))) })
            .collect()
    }
    fn items(&self) -> Vec<Self> {
        (0..unsafe { count(self.0, 0) })
            .map(|i| Handle(unsafe { item(self.0, i) }))
            .collect()
    }
    fn own_field(&self, k: &str) -> Option<Self> {
        handle(unsafe { own_field(self.0, k.as_ptr(), k.len()) })
    }
    fn is_object(&self) -> bool {
        unsafe { is_object(self.0) != 0 }
    }
    fn set_field(&mut self, k: &str, value: Self) {
        unsafe { set_field(self.0, k.as_ptr(), k.len(), value.0) }
    }
    fn remove_field(&mut self, k: &str) {
        unsafe { remove_field(self.0, k.as_ptr(), k.len()) }
    }
    fn new_object() -> Self {
        Handle(unsafe { new_object() })
    }
    fn from_string(text: &str) -> Self {
        Handle(unsafe { from_string(text.as_ptr(), text.len()) })
    }
    fn undefined() -> Self {
        Handle(1)
    }
    fn parse_json(text: &str) -> Option<Self> {
        handle(unsafe { parse_json(text.as_ptr(), text.len()) })
    }
}

/// The client and the emitters that are not a channel's (connection, global, user, watchlist);
/// a channel's callbacks live in its registry entry, as in the package.
struct State {
    client: Client<Handle>,
    emitters: [Emitter<Handle, Handle>; 4],
}

impl State {
    /// The emitter `target` (0–4, as [`target_index`] numbers them) names; for a channel (2), the
    /// one in the entry of subscription `id` of `channel`, if it is still there.
    fn emitter(
        &mut self,
        target: u32,
        channel: &str,
        id: u32,
    ) -> Option<&mut Emitter<Handle, Handle>> {
        match target {
            2 => self
                .client
                .subscription_mut(channel, id)
                .map(|e| &mut e.emitter),
            _ => Some(&mut self.emitters[slot(target)]),
        }
    }
}

/// Where in [`State::emitters`] the emitter of a target other than a channel is.
fn slot(target: u32) -> usize {
    match target {
        0 => 0,
        1 => 1,
        3 => 2,
        _ => 3,
    }
}

struct Global(RefCell<Option<State>>);

// SAFETY: wasm32-unknown-unknown without atomics has one thread.
unsafe impl Sync for Global {}

static STATE: Global = Global(RefCell::new(None));

/// Runs `f` on the state, then carries out the core's actions.
fn with<R>(f: impl FnOnce(&mut State) -> R) -> R {
    let result = f(STATE.0.borrow_mut().as_mut().expect("client"));
    loop {
        let next = STATE
            .0
            .borrow_mut()
            .as_mut()
            .and_then(|s| s.client.poll_action());
        match next {
            Some(action) => execute(action),
            None => return result,
        }
    }
}

fn target_index(target: &Target) -> (u32, &str) {
    match target {
        Target::Connection => (0, ""),
        Target::Global => (1, ""),
        Target::Channel(name) => (2, name),
        Target::User => (3, ""),
        Target::Watchlist => (4, ""),
    }
}

/// A payload as (kind, two handles or numbers, a text, a number).
fn flatten(payload: Payload<Handle>) -> (u32, u32, u32, String, f64) {
    let none = String::new;
    match payload {
        Payload::Nothing => (0, 0, 0, none(), 0.0),
        Payload::Value(v) => (1, v.0, 0, none(), 0.0),
        Payload::StateChange { previous, current } => {
            (2, previous as u32, current as u32, none(), 0.0)
        }
        Payload::Connected { socket_id } => (3, 0, 0, socket_id, 0.0),
        Payload::Seconds(s) => (4, 0, 0, none(), s as f64),
        Payload::Members => (5, 0, 0, none(), 0.0),
        Payload::Member { id, info } => (6, info.0, 0, id, 0.0),
        Payload::AuthError(f) => (7, 0, 0, f.message, f.status.map_or(-1.0, f64::from)),
        Payload::Error(error) => match error {
            ErrorEvent::Closed { code, reason } => (
                8,
                code.map_or(0, u32::from),
                0,
                reason.unwrap_or_default(),
                0.0,
            ),
            ErrorEvent::Server(v) => (9, v.0, 0, none(), 0.0),
            ErrorEvent::Socket(v) => (10, v.0, 0, none(), 0.0),
            ErrorEvent::Wrapped { code, message } => (
                11,
                code.map_or(0, u32::from),
                0,
                message.unwrap_or_default(),
                0.0,
            ),
            ErrorEvent::Handshake(m) => (12, 0, 0, String::from(m), 0.0),
            ErrorEvent::HandshakeParse { error, data } => (13, error.0, data.0, none(), 0.0),
            ErrorEvent::RateLimited {
                event,
                channel,
                limit,
            } => (14, 0, 0, event + &channel, f64::from(limit)),
            ErrorEvent::Parse { error, data } => (15, error.0, data.0, none(), 0.0),
        },
    }
}

/// A log line as (kind, two texts, a number).
fn flatten_log(line: LogLine) -> (u32, String, String, f64) {
    let none = String::new;
    match line {
        LogLine::StateChanged {
            previous,
            current,
            socket_id,
        } => (
            0,
            String::from(previous.as_str()),
            String::from(current.as_str()) + &socket_id.unwrap_or_default(),
            0.0,
        ),
        LogLine::Connecting { url } => (1, url, none(), 0.0),
        LogLine::Sent(frame) => (2, frame, none(), 0.0),
        LogLine::Reconnecting { delay_ms } => (3, none(), none(), delay_ms as f64),
        LogLine::PongTimedOut => (4, none(), none(), 0.0),
        LogLine::AttemptTimedOut => (5, none(), none(), 0.0),
        LogLine::Refused { code } => (6, none(), none(), code.map_or(-1.0, f64::from)),
        LogLine::ClientEventBeforeSubscribed { channel } => (7, channel, none(), 0.0),
        LogLine::DuplicateSubscription { channel } => (8, channel, none(), 0.0),
        LogLine::UnusualChannelName { channel } => (9, channel, none(), 0.0),
        LogLine::LivenessCheck => (10, none(), none(), 0.0),
        LogLine::AuthFailed { channel, message } => (11, channel, message, 0.0),
        LogLine::SigninFailed { message } => (12, message, none(), 0.0),
        LogLine::DroppedEncrypted { channel, reason } => (13, channel, String::from(reason), 0.0),
        LogLine::RateLimited { channel, event } => (14, channel, event, 0.0),
    }
}

fn execute(action: Action<Handle>) {
    // SAFETY (every block below): the imports only read the byte ranges passed.
    match action {
        Action::OpenSocket { socket, url } => unsafe {
            open_socket(socket.0, url.as_ptr(), url.len())
        },
        Action::Send { socket, frame } => unsafe {
            send(socket.0, frame.as_str().as_ptr(), frame.as_str().len())
        },
        Action::CloseSocket { socket } => unsafe { close_socket(socket.0) },
        Action::SetTimer { kind, delay_ms } => unsafe { set_timer(kind as u32, delay_ms as f64) },
        Action::ClearTimer { kind } => unsafe { set_timer(kind as u32, -1.0) },
        Action::Emit(e) => {
            let (target, channel) = target_index(&e.target);
            let (kind, a, b, text, number) = flatten(e.payload);
            let listeners = STATE.0.borrow().as_ref().and_then(|s| match &e.target {
                Target::Channel(name) => Some(s.client.channel(name)?.emitter.listeners(&e.event)),
                _ => Some(s.emitters[slot(target)].listeners(&e.event)),
            });
            if let Some(listeners) = listeners {
                for callback in listeners.global.iter() {
                    unsafe { call(callback.0, 0, a) }
                }
                for binding in listeners.bound() {
                    let context = binding.context.as_ref().map_or(0, |c| c.0);
                    unsafe { call(binding.callback.0, context, a) }
                }
            }
            unsafe {
                emit(
                    target,
                    channel.as_ptr(),
                    channel.len(),
                    e.event.as_ptr(),
                    e.event.len(),
                    kind,
                    a,
                    b,
                    text.as_ptr(),
                    text.len(),
                    number,
                )
            }
        }
        Action::Deliver {
            frame,
            to_channel,
            metadata,
            to_global,
            to_user,
        } => {
            let channel = frame.channel.unwrap_or_default();
            let user = frame.user_id.unwrap_or_default();
            let flags = u32::from(to_channel)
                | u32::from(to_global) << 1
                | u32::from(to_user) << 2
                | u32::from(metadata == Metadata::UserId) << 3;
            unsafe {
                deliver(
                    frame.event.as_ptr(),
                    frame.event.len(),
                    channel.as_ptr(),
                    channel.len(),
                    frame.data.0,
                    user.as_ptr(),
                    user.len(),
                    flags,
                )
            }
        }
        Action::MembersChanged { channel } => unsafe {
            members_changed(channel.as_ptr(), channel.len())
        },
        Action::ForgetChannel { name, id } => unsafe {
            forget_channel(name.as_ptr(), name.len(), id)
        },
        Action::Authorize { channel, socket_id } => unsafe {
            authorize(
                channel.as_ptr(),
                channel.len(),
                socket_id.as_ptr(),
                socket_id.len(),
                0,
            )
        },
        Action::AuthenticateUser { socket_id } => unsafe {
            authorize("".as_ptr(), 0, socket_id.as_ptr(), socket_id.len(), 1)
        },
        Action::Log { level, line } => {
            let (kind, a, b, number) = flatten_log(line);
            unsafe {
                log(
                    level as u32,
                    kind,
                    a.as_ptr(),
                    a.len(),
                    b.as_ptr(),
                    b.len(),
                    number,
                )
            }
        }
    }
}

/// A text the host wrote into memory it got from [`alloc`].
unsafe fn text<'a>(ptr: Ptr, len: usize) -> &'a str {
    ::core::str::from_utf8_unchecked(::core::slice::from_raw_parts(ptr, len))
}

unsafe fn text_opt<'a>(ptr: Ptr, len: usize) -> Option<&'a str> {
    (len > 0).then(|| text(ptr, len))
}

/// Memory for the host to write a text into.
#[no_mangle]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    let mut bytes = ::core::mem::ManuallyDrop::new(Vec::<u8>::with_capacity(len));
    bytes.as_mut_ptr()
}

/// Gives back what [`alloc`] gave.
#[no_mangle]
pub unsafe extern "C" fn free(ptr: *mut u8, len: usize) {
    drop(Vec::from_raw_parts(ptr, 0, len));
}

/// `new Pusher(key, options)`, the options already read by the host (0 or less: absent).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn new_client(
    key: Ptr,
    key_len: usize,
    cluster: Ptr,
    cluster_len: usize,
    host: Ptr,
    host_len: usize,
    ports: u32,
    force_tls: u32,
    activity: f64,
    pong: f64,
    unavailable: f64,
    rate: u32,
    https: u32,
    seed: f64,
) {
    let user = UserOptions {
        cluster: String::from(text(cluster, cluster_len)),
        ws_host: text_opt(host, host_len).map(String::from),
        ws_port: (ports & 0xffff != 0).then_some(ports as u16),
        wss_port: (ports >> 16 != 0).then_some((ports >> 16) as u16),
        ws_path: None,
        force_tls: (force_tls < 2).then_some(force_tls == 1),
        activity_timeout_ms: (activity > 0.0).then_some(activity as u64),
        pong_timeout_ms: (pong > 0.0).then_some(pong as u64),
        unavailable_timeout_ms: (unavailable > 0.0).then_some(unavailable as u64),
        max_client_events_per_second: (rate != u32::MAX).then_some(rate),
    };
    let options = ConnectionOptions::resolve(text(key, key_len), &user, https != 0);
    *STATE.0.borrow_mut() = Some(State {
        client: Client::new(options, seed as u64, true),
        emitters: Default::default(),
    });
}

/// `connect()`.
#[no_mangle]
pub extern "C" fn connect(now: f64) {
    with(|s| s.client.connect(now as u64))
}

/// `disconnect()`.
#[no_mangle]
pub extern "C" fn disconnect(now: f64) {
    with(|s| s.client.disconnect(now as u64))
}

/// `subscribe(name)`: the subscription id, or -1 for a refused name.
#[no_mangle]
pub unsafe extern "C" fn subscribe(now: f64, name: Ptr, len: usize) -> i32 {
    with(|s| {
        s.client
            .subscribe(now as u64, text(name, len))
            .map_or(-1, |id| id as i32)
    })
}

/// `unsubscribe(name)`.
#[no_mangle]
pub unsafe extern "C" fn unsubscribe(now: f64, name: Ptr, len: usize) {
    with(|s| s.client.unsubscribe(now as u64, text(name, len)))
}

/// `send_event(event, data, channel)`.
#[no_mangle]
pub unsafe extern "C" fn send_event(
    event: Ptr,
    event_len: usize,
    data: Ptr,
    data_len: usize,
    channel: Ptr,
    channel_len: usize,
) -> u32 {
    with(|s| {
        u32::from(s.client.send_event(
            text(event, event_len),
            text_opt(data, data_len),
            text_opt(channel, channel_len),
        ))
    })
}

/// `channel.trigger(event, data)`.
#[no_mangle]
pub unsafe extern "C" fn trigger(
    now: f64,
    channel: Ptr,
    channel_len: usize,
    event: Ptr,
    event_len: usize,
    data: Ptr,
    data_len: usize,
) -> i32 {
    with(|s| {
        match s.client.trigger(
            now as u64,
            text(channel, channel_len),
            text(event, event_len),
            text_opt(data, data_len),
        ) {
            Ok(sent) => i32::from(sent),
            Err(TriggerError::NotClientEvent) => -1,
            Err(TriggerError::Encrypted) => -2,
        }
    })
}

/// An auth endpoint's answer; the strings' lengths are waiting in the host (u32::MAX: none).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn authorization_done(
    now: f64,
    channel: Ptr,
    channel_len: usize,
    socket_id: Ptr,
    socket_id_len: usize,
    ok: u32,
    auth: u32,
    channel_data: u32,
    secret: u32,
    user_id: u32,
    user_value: u32,
    message: u32,
    status: u32,
) {
    let result = if ok != 0 {
        Ok(Authorization {
            auth: read_opt(auth),
            channel_data: read_opt(channel_data),
            shared_secret: read_opt(secret),
            user_id: read_opt(user_id).map(|id| (id, Handle(user_value))),
        })
    } else {
        Err(AuthFailure {
            message: read(message),
            status: (status != 0).then_some(status as u16),
        })
    };
    with(|s| {
        s.client.authorization_done(
            now as u64,
            text(channel, channel_len),
            text(socket_id, socket_id_len),
            result,
        )
    })
}

/// `signin()`.
#[no_mangle]
pub extern "C" fn signin(now: f64) {
    with(|s| s.client.signin(now as u64))
}

/// The user-authentication endpoint's answer.
#[no_mangle]
pub unsafe extern "C" fn user_authenticated(
    now: f64,
    socket_id: Ptr,
    socket_id_len: usize,
    ok: u32,
    auth: u32,
    user_data: u32,
    message: u32,
    status: u32,
) {
    let result = if ok != 0 {
        Ok(UserAuthentication {
            auth: read_opt(auth),
            user_data: read_opt(user_data),
        })
    } else {
        Err(AuthFailure {
            message: read(message),
            status: (status != 0).then_some(status as u16),
        })
    };
    with(|s| {
        s.client
            .user_authenticated(now as u64, text(socket_id, socket_id_len), result)
    })
}

/// A socket, timer or page event: `kind` 0 open, 1 frame, 2 undecodable, 3 error, 4 close,
/// 5 timer, 6 page.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn event(
    now: f64,
    kind: u32,
    socket: u32,
    a: u32,
    b: u32,
    code: u32,
    name: Ptr,
    name_len: usize,
    channel: Ptr,
    channel_len: usize,
    user: Ptr,
    user_len: usize,
) {
    let socket = SocketId(socket);
    let event = match kind {
        0 => Event::SocketOpened(socket),
        1 => Event::Frame(
            socket,
            Frame {
                event: String::from(text(name, name_len)),
                channel: text_opt(channel, channel_len).map(String::from),
                data: Handle(a),
                user_id: text_opt(user, user_len).map(String::from),
            },
        ),
        2 => Event::Undecodable {
            socket,
            error: Handle(a),
            data: Handle(b),
        },
        3 => Event::SocketError(socket, Handle(a)),
        4 => Event::SocketClosed {
            socket,
            code: (code != 0).then_some(code as u16),
            reason: String::from(text(name, name_len)),
        },
        5 => Event::TimerFired(TimerKind::ALL[(a & 3) as usize]),
        _ => Event::Page(match a {
            0 => PageEvent::Online,
            1 => PageEvent::Offline,
            2 => PageEvent::Visible,
            _ => PageEvent::Resumed,
        }),
    };
    with(|s| s.client.handle(now as u64, event))
}

/// `bind` (0), `unbind` (1), `bind_global` (2), `unbind_global` (3), `unbind_all` (4) on one of
/// the five kinds of emitter (for a channel: subscription `id` of `channel`); callbacks and
/// contexts are handles the module then owns (0: none).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn emitter(
    op: u32,
    target: u32,
    channel: Ptr,
    channel_len: usize,
    id: u32,
    event: Ptr,
    event_len: usize,
    callback: u32,
    context: u32,
) {
    let channel = text_opt(channel, channel_len).unwrap_or_default();
    let event = text_opt(event, event_len);
    let callback = (callback != 0).then_some(Handle(callback));
    let context = (context != 0).then_some(Handle(context));
    with(|s| {
        let Some(emitter) = s.emitter(target, channel, id) else {
            return;
        };
        match (op, callback) {
            (0, Some(callback)) => emitter.bind(event.unwrap_or_default(), callback, context),
            (1, callback) => emitter.unbind(event, callback.as_ref(), context.as_ref()),
            (2, Some(callback)) => emitter.bind_global(callback),
            (3, callback) => emitter.unbind_global(callback.as_ref()),
            (4, _) => emitter.unbind_all(),
            _ => {}
        }
    })
}

/// `connection.state`, as the state's index.
#[no_mangle]
pub extern "C" fn state() -> u32 {
    STATE
        .0
        .borrow()
        .as_ref()
        .map_or(0, |s| s.client.state() as u32)
}
