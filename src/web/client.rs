//! The browser host of one core [`Client`]: it feeds the core the socket, timer and page events,
//! and carries out the actions the core returns.
//!
//! Re-entrancy: user callbacks run while actions are carried out, and may call back into the
//! client (unsubscribe from inside an event, disconnect from `state_change`, ...). No `RefCell`
//! borrow is held across a call into JavaScript, and the actions such a nested call queues are
//! carried out at once, before those still waiting (see [`Shared::with_core`]).

use alloc::rc::{Rc, Weak};
use alloc::string::String;
use core::cell::{Cell, RefCell};
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::{
    Action, ChannelNameError, Client, ConnectionOptions, Emit, Event, Frame, Listeners, LogLevel,
    Metadata, PageEvent, Payload, SocketId, Target, TimerKind, UserOptions,
};

use super::convert::{decode_frame, get, object, payload_to_js, Decoded, FrameKeys};
use super::emitter::{call_listeners, report, Arguments, JsEmitter};
use super::js::{json_stringify, log_enabled, to_js_string};
use super::log::{log, log_no_callbacks, log_parts, Part};
use super::options::{page_is_https, websocket_supported};
use super::page_events::PageListeners;
use super::socket::SocketHandle;
use super::timers::Timers;

/// The current time in the core's unit: milliseconds of the wall clock, which keeps running
/// while the machine sleeps (so a late timer reveals the sleep).
pub fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// Everything that performs I/O for one client.
struct Io {
    socket: Option<SocketHandle>,
    /// A socket that closed under us; kept until the next one opens, since its close handler
    /// may still be on the stack when it is retired.
    retired: Option<SocketHandle>,
    timers: Option<Timers>,
    page: Option<PageListeners>,
}

/// Which emitter a `bind` family call is for.
#[derive(Clone, Copy)]
pub enum EmitterTarget<'a> {
    /// `pusher.connection`.
    Connection,
    /// The Pusher instance.
    Global,
    /// A channel object: its name and subscription id.
    Channel(&'a str, u32),
    /// `pusher.user`.
    User,
    /// `pusher.user.watchlist`.
    Watchlist,
}

/// One client's state, shared by the exported `Client` and by the socket, timer and page
/// closures (which hold it weakly).
pub struct Shared {
    core: RefCell<Client<JsValue>>,
    io: RefCell<Io>,
    /// `pusher.connection.bind(...)`.
    connection_emitter: Rc<RefCell<JsEmitter>>,
    /// `pusher.bind(...)`.
    global_emitter: Rc<RefCell<JsEmitter>>,
    /// `pusher.user.bind(...)`.
    user_emitter: Rc<RefCell<JsEmitter>>,
    /// `pusher.user.watchlist.bind(...)`.
    watchlist_emitter: Rc<RefCell<JsEmitter>>,
    /// The package's callbacks: `forget(name)` when a channel leaves the registry (it is dropped
    /// from `pusher.channels.channels`), `authorize(channel, socketId)` and
    /// `authenticateUser(socketId)` to run the app's auth endpoints with pusher-js's options.
    hooks: JsValue,
    draining: Cell<bool>,
    keys: FrameKeys,
    global_this: JsValue,
}

impl Shared {
    /// A client for `key` with resolved `user` options. It does not connect yet.
    pub fn new(key: &str, user: &UserOptions, hooks: JsValue) -> Rc<Shared> {
        let resolved = ConnectionOptions::resolve(key, user, page_is_https());
        let seed = (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64;
        let core = Client::new(resolved, seed, websocket_supported());
        let shared = Rc::new_cyclic(|weak: &Weak<Shared>| Shared {
            core: RefCell::new(core),
            io: RefCell::new(Io {
                socket: None,
                retired: None,
                timers: Some(Timers::new(weak.clone())),
                page: None,
            }),
            connection_emitter: Rc::default(),
            global_emitter: Rc::default(),
            user_emitter: Rc::default(),
            watchlist_emitter: Rc::default(),
            hooks,
            draining: Cell::new(false),
            keys: FrameKeys::new(),
            global_this: js_sys::global().into(),
        });
        let page = PageListeners::install(Rc::downgrade(&shared));
        shared.io.borrow_mut().page = Some(page);
        super::panic::register(&shared);
        shared
    }

    /// A panic is about to stop the module: tell the connection's `error` listeners, without
    /// waiting on anything a panic may have left borrowed.
    pub fn report_internal_error(&self, message: &str) {
        let Ok(emitter) = self.connection_emitter.try_borrow() else {
            return;
        };
        let listeners = emitter.listeners("error");
        drop(emitter);
        let error = object(&[
            ("type", &JsValue::from_str("InternalError")),
            ("error", &JsValue::from_str(message)),
        ]);
        self.call(&listeners, "error", Some(&error), None);
    }

    /// Runs `listeners` for `event`, with pusher-js's calling conventions.
    fn call(
        &self,
        listeners: &Listeners<JsValue, JsValue>,
        event: &str,
        data: Option<&JsValue>,
        metadata: Option<&JsValue>,
    ) {
        let args = Arguments {
            event,
            data,
            metadata,
        };
        call_listeners(listeners, &args, &self.global_this);
    }

    /// Runs `f` on the emitter `target` names; a stale channel object (one whose subscription
    /// id is no longer the registry's) reaches none.
    pub fn with_emitter(&self, target: EmitterTarget, f: impl FnOnce(&mut JsEmitter)) {
        let emitter = match target {
            EmitterTarget::Connection => &self.connection_emitter,
            EmitterTarget::Global => &self.global_emitter,
            EmitterTarget::User => &self.user_emitter,
            EmitterTarget::Watchlist => &self.watchlist_emitter,
            EmitterTarget::Channel(name, id) => {
                // `f` only changes bindings: no JavaScript runs while the core is borrowed.
                let mut core = self.core.borrow_mut();
                if let Some(entry) = core.subscription_mut(name, id) {
                    f(&mut entry.emitter);
                }
                return;
            }
        };
        f(&mut emitter.borrow_mut());
    }

    /// A snapshot of the callbacks for `event` on an emitter the core named.
    fn listeners(&self, target: &Target, event: &str) -> Option<Listeners<JsValue, JsValue>> {
        let emitter = match target {
            Target::Connection => &self.connection_emitter,
            Target::Global => &self.global_emitter,
            Target::User => &self.user_emitter,
            Target::Watchlist => &self.watchlist_emitter,
            Target::Channel(name) => return self.channel_listeners(name, event),
        };
        let listeners = emitter.borrow().listeners(event);
        Some(listeners)
    }

    /// A snapshot of channel `name`'s callbacks for `event`; none once it left the registry.
    fn channel_listeners(&self, name: &str, event: &str) -> Option<Listeners<JsValue, JsValue>> {
        Some(self.core.borrow().channel(name)?.emitter.listeners(event))
    }

    /// `pusher.subscribe(name)`: the subscription's id. A new subscription starts with no
    /// callbacks: they live in its registry entry.
    pub fn subscribe(self: &Rc<Self>, name: &str) -> Result<u32, ChannelNameError> {
        self.with_core(|core, now| core.subscribe(now, name))
    }

    /// Records a presence channel's `Members` object.
    pub fn attach_members(&self, name: &str, id: u32, members: JsValue) {
        let mut core = self.core.borrow_mut();
        let entry = core.subscription_mut(name, id);
        if let Some(presence) = entry.and_then(|e| e.presence.as_mut()) {
            presence.set_view(members);
        }
    }

    /// Writes a presence channel's members into its `Members` object as plain properties
    /// (`members`, `count`, `myID`, `me`), as pusher-js's `Members` holds them.
    fn refresh_members(&self, name: &str) {
        let Some(target) = self.channel_members(name).filter(|m| m.is_object()) else {
            return;
        };
        let fields = self.read_core(|core| super::convert::presence_fields(core.channel(name)));
        for (key, value) in fields {
            let _ = Reflect::set(&target, &JsValue::from_str(key), &value);
        }
    }

    fn channel_members(&self, name: &str) -> Option<JsValue> {
        let core = self.core.borrow();
        core.channel(name)?.presence.as_ref()?.view().cloned()
    }

    /// The subscription `id` of `name` left the registry, and its callbacks with it: the
    /// package drops its object (unless a newer subscription of the same name has one).
    fn forget_channel(&self, name: &str, id: u32) {
        self.call_hook(
            "forget",
            &[&JsValue::from_str(name), &JsValue::from_f64(f64::from(id))],
        );
    }

    /// Calls one of the package's hooks; what it throws is re-thrown in a task of its own.
    fn call_hook(&self, name: &str, args: &[&JsValue]) {
        let hook = get(&self.hooks, &JsValue::from_str(name));
        if let Some(hook) = hook.dyn_ref::<js_sys::Function>() {
            let result = match args {
                [a] => hook.call1(&self.hooks, a),
                [a, b] => hook.call2(&self.hooks, a, b),
                _ => hook.call0(&self.hooks),
            };
            report(result);
        }
    }

    /// Runs `f` on the core with the current time, then carries out what it queued.
    ///
    /// Called from inside an action (a user callback calling back in), what this call queued is
    /// carried out at once, before the actions still waiting: the same order pusher-js gets by
    /// doing everything synchronously (a `subscribe` in a `state_change` callback goes out before
    /// the resubscriptions of `connected`).
    pub fn with_core<R>(self: &Rc<Self>, f: impl FnOnce(&mut Client<JsValue>, u64) -> R) -> R {
        let (result, waiting) = {
            let mut core = self.core.borrow_mut();
            let waiting = core.pending_actions();
            (f(&mut core, now()), waiting)
        };
        self.after_call(waiting);
        result
    }

    /// Carries out what a call into the core queued after the `waiting` actions that were
    /// already there. Not inlined: every exported method would otherwise carry its own copy.
    #[inline(never)]
    fn after_call(self: &Rc<Self>, waiting: usize) {
        if self.draining.get() {
            let queued = self.core.borrow_mut().take_actions_after(waiting);
            for action in queued {
                self.execute(action);
            }
        } else {
            self.drain();
        }
    }

    /// Reads the core.
    pub fn read_core<R>(&self, f: impl FnOnce(&Client<JsValue>) -> R) -> R {
        f(&self.core.borrow())
    }

    fn feed(self: &Rc<Self>, event: Event<JsValue>) {
        self.with_core(|core, now| core.handle(now, event));
    }

    /// Carries out the queued actions, unless an outer call already is.
    fn drain(self: &Rc<Self>) {
        if self.draining.replace(true) {
            return;
        }
        loop {
            let action = self.core.borrow_mut().poll_action();
            match action {
                Some(action) => self.execute(action),
                None => break,
            }
        }
        self.draining.set(false);
    }

    fn execute(self: &Rc<Self>, action: Action<JsValue>) {
        match action {
            Action::OpenSocket { socket, url } => self.open_socket(socket, &url),
            Action::Send { socket, frame } => {
                let io = self.io.borrow();
                if let Some(handle) = io.socket.as_ref().filter(|s| s.id == socket) {
                    if handle.send(frame.as_str()).is_err() {
                        log_parts(
                            LogLevel::Warn,
                            &[Part::Text("Could not send"), Part::Json(frame.as_str())],
                        );
                    }
                }
            }
            Action::CloseSocket { socket } => {
                let handle = {
                    let mut io = self.io.borrow_mut();
                    match &io.socket {
                        Some(handle) if handle.id == socket => io.socket.take(),
                        _ => None,
                    }
                };
                drop(handle);
            }
            Action::SetTimer { kind, delay_ms } => {
                if let Some(timers) = self.io.borrow_mut().timers.as_mut() {
                    timers.set(kind, delay_ms);
                }
            }
            Action::ClearTimer { kind } => {
                if let Some(timers) = self.io.borrow_mut().timers.as_mut() {
                    timers.clear(kind);
                }
            }
            Action::Emit(emit) => self.emit(emit),
            Action::Deliver {
                frame,
                to_channel,
                metadata,
                to_global,
                to_user,
            } => self.deliver(frame, to_channel, metadata, to_global, to_user),
            Action::ForgetChannel { name, id } => self.forget_channel(&name, id),
            Action::MembersChanged { channel } => self.refresh_members(&channel),
            Action::Authorize { channel, socket_id } => self.call_hook(
                "authorize",
                &[&JsValue::from_str(&channel), &JsValue::from_str(&socket_id)],
            ),
            Action::AuthenticateUser { socket_id } => {
                self.call_hook("authenticateUser", &[&JsValue::from_str(&socket_id)])
            }
            Action::Log { level, line } => log(level, &line),
        }
    }

    fn open_socket(self: &Rc<Self>, socket: SocketId, url: &str) {
        let retired = self.io.borrow_mut().retired.take();
        drop(retired);
        match SocketHandle::open(url, socket, Rc::downgrade(self)) {
            Ok(handle) => {
                let old = self.io.borrow_mut().socket.replace(handle);
                drop(old);
            }
            Err(error) => {
                // A URL the browser refuses (bad host or port): as good as a failed attempt.
                log_parts(
                    LogLevel::Error,
                    &[
                        Part::Text("Could not open a WebSocket"),
                        Part::Text(url),
                        Part::Text(&to_js_string(&error)),
                    ],
                );
                self.core.borrow_mut().handle(
                    now(),
                    Event::SocketClosed {
                        socket,
                        code: None,
                        reason: String::new(),
                    },
                );
            }
        }
    }

    fn emit(&self, emit: Emit<JsValue>) {
        let Some(listeners) = self.listeners(&emit.target, &emit.event) else {
            return;
        };
        let members = match (&emit.target, &emit.payload) {
            (Target::Channel(name), Payload::Members) => self.channel_members(name),
            _ => None,
        };
        let is_error = emit.target == Target::Connection && emit.event == "error";
        let data = payload_to_js(emit.payload, members);
        if is_error && log_enabled() {
            // pusher-js logs every connection error as a warning.
            let text = data
                .as_ref()
                .and_then(|d| json_stringify(d).ok())
                .and_then(|t| t.as_string())
                .unwrap_or_default();
            log_parts(LogLevel::Warn, &[Part::Json(&text)]);
        }
        if listeners.is_empty() {
            if let Target::Channel(name) = &emit.target {
                log_no_callbacks(name, &emit.event);
            }
            return;
        }
        self.call(&listeners, &emit.event, data.as_ref(), None);
    }

    fn deliver(
        &self,
        frame: Frame<JsValue>,
        to_channel: bool,
        metadata: Metadata,
        to_global: bool,
        to_user: bool,
    ) {
        if to_channel {
            let listeners = frame
                .channel
                .as_deref()
                .and_then(|name| self.channel_listeners(name, &frame.event));
            if let Some(listeners) = listeners {
                if listeners.is_empty() {
                    let channel = frame.channel.as_deref().unwrap_or_default();
                    log_no_callbacks(channel, &frame.event);
                } else {
                    let meta = Object::new();
                    if let (Metadata::UserId, Some(user_id)) = (metadata, &frame.user_id) {
                        let _ = Reflect::set(
                            &meta,
                            &JsValue::from_str("user_id"),
                            &JsValue::from_str(user_id),
                        );
                    }
                    self.call(&listeners, &frame.event, Some(&frame.data), Some(&meta));
                }
            }
        }
        // pusher-js's user facade re-emits its channel's events as `callback(data)`, and the
        // instance's global emitter gets every event the same way.
        for (wanted, emitter) in [
            (to_user, &self.user_emitter),
            (to_global, &self.global_emitter),
        ] {
            if wanted {
                let listeners = emitter.borrow().listeners(&frame.event);
                self.call(&listeners, &frame.event, Some(&frame.data), None);
            }
        }
        let listeners = self.connection_emitter.borrow().listeners("message");
        if !listeners.is_empty() {
            let channel = frame
                .channel
                .as_deref()
                .map_or(JsValue::UNDEFINED, JsValue::from_str);
            let message = object(&[
                ("event", &JsValue::from_str(&frame.event)),
                ("channel", &channel),
                ("data", &frame.data),
            ]);
            if let Some(user_id) = &frame.user_id {
                let _ = Reflect::set(
                    &message,
                    &JsValue::from_str("user_id"),
                    &JsValue::from_str(user_id),
                );
            }
            self.call(&listeners, "message", Some(&message), None);
        }
    }

    // ----- events from the socket, the timers and the page -----

    /// The socket opened.
    pub fn socket_opened(self: &Rc<Self>, socket: SocketId) {
        self.feed(Event::SocketOpened(socket));
    }

    /// A message arrived.
    pub fn socket_message(self: &Rc<Self>, socket: SocketId, data: JsValue) {
        let raw = log_enabled().then(|| data.clone());
        let event = match decode_frame(data, &self.keys) {
            Decoded::Frame(frame) => {
                if let Some(text) = raw.and_then(|r| r.as_string()) {
                    log_parts(
                        LogLevel::Debug,
                        &[Part::Text("Event recd"), Part::Json(&text)],
                    );
                }
                Event::Frame(socket, frame)
            }
            Decoded::Undecodable { error, data } => Event::Undecodable {
                socket,
                error,
                data,
            },
        };
        self.feed(event);
    }

    /// The socket reported an error.
    pub fn socket_error(self: &Rc<Self>, socket: SocketId, error: JsValue) {
        self.feed(Event::SocketError(socket, error));
    }

    /// The socket closed.
    pub fn socket_closed(self: &Rc<Self>, socket: SocketId, code: Option<u16>, reason: String) {
        {
            let mut io = self.io.borrow_mut();
            if io.socket.as_ref().is_some_and(|s| s.id == socket) {
                io.retired = io.socket.take();
            }
        }
        self.feed(Event::SocketClosed {
            socket,
            code,
            reason,
        });
    }

    /// A timer fired.
    pub fn timer_fired(self: &Rc<Self>, kind: TimerKind) {
        if let Some(timers) = self.io.borrow_mut().timers.as_mut() {
            timers.fired(kind);
        }
        self.feed(Event::TimerFired(kind));
    }

    /// The page or the network changed.
    pub fn page_event(self: &Rc<Self>, event: PageEvent) {
        self.feed(Event::Page(event));
    }
}
