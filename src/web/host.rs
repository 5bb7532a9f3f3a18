//! The browser host of the core's [`Engine`]: it feeds the engine the socket and timer events of
//! each connection, and carries out what the engine returns: socket and timer I/O, and messages
//! for the facades, through one JavaScript function (`output`).
//!
//! Re-entrancy: in a page, the facade runs user callbacks while a message is delivered, and they
//! may call back in (unsubscribe from inside an event, disconnect from `state_change`, ...). No
//! `RefCell` borrow is held across a call into JavaScript, and the outputs such a nested call
//! queues are carried out at once, before those still waiting (see [`EngineHost::with_engine`]).

use alloc::rc::{Rc, Weak};
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;

use crate::interface::{deliver, output};
use crate::protocol::{
    Action, ConnectionId, Engine, Event, LogLevel, Message, Metadata, Output, SessionId, SocketId,
    TimerKind,
};

use super::convert::{decode_frame, emit_arguments, presence_fields, Decoded, FrameKeys};
use super::js::{call_output, rethrow, to_js_string};
use super::log::{render, render_parts, Part};
use super::socket::{SocketEvent, SocketHandle};
use super::timers::Timers;

/// The current time in the core's unit: milliseconds of the wall clock, which keeps running
/// while the machine sleeps (so a late timer reveals the sleep).
pub fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// Everything that performs I/O for one connection.
struct ConnectionIo {
    connection: ConnectionId,
    socket: Option<(SocketId, SocketHandle)>,
    /// A socket that closed under us; kept until the next one opens, since its close handler
    /// may still be on the stack when it is retired.
    retired: Option<SocketHandle>,
    timers: Timers,
}

/// The engine and its I/O, shared by the exported `Engine` and the socket and timer closures
/// (which hold it weakly).
pub struct EngineHost {
    engine: RefCell<Engine<JsValue>>,
    io: RefCell<Vec<ConnectionIo>>,
    /// `output(session, kind, a, b, c, d, e)`: the facades' side.
    output: js_sys::Function,
    /// The page's `open_socket(url)`, asked first for each WebSocket (a page's engine only).
    open_socket: Option<js_sys::Function>,
    draining: Cell<bool>,
    keys: FrameKeys,
    me: Weak<EngineHost>,
}

impl EngineHost {
    /// A host whose messages go to `output`, and whose sockets come from `open_socket` (or
    /// `new WebSocket`).
    pub fn new(output: js_sys::Function, open_socket: Option<js_sys::Function>) -> Rc<EngineHost> {
        let host = Rc::new_cyclic(|me| EngineHost {
            engine: RefCell::new(Engine::default()),
            io: RefCell::new(Vec::new()),
            output,
            open_socket,
            draining: Cell::new(false),
            keys: FrameKeys::new(),
            me: me.clone(),
        });
        super::panic::register(&host);
        host
    }

    /// Runs `f` on the engine with the current time, then carries out what it queued.
    ///
    /// Called from inside an output (a user callback calling back in), what this call queued is
    /// carried out at once, before the outputs still waiting: the same order pusher-js gets by
    /// doing everything synchronously (a `subscribe` in a `state_change` callback goes out before
    /// the resubscriptions of `connected`).
    pub fn with_engine<R>(&self, f: impl FnOnce(&mut Engine<JsValue>, u64) -> R) -> R {
        let (result, waiting) = {
            let mut engine = self.engine.borrow_mut();
            let waiting = engine.pending_outputs();
            (f(&mut engine, now()), waiting)
        };
        self.after_call(waiting);
        result
    }

    /// Carries out what a call queued after the `waiting` outputs that were already there. Not
    /// inlined: every exported method would otherwise carry its own copy.
    #[inline(never)]
    fn after_call(&self, waiting: usize) {
        if self.draining.get() {
            let queued = self.engine.borrow_mut().take_outputs_after(waiting);
            for out in queued {
                self.execute(out);
            }
        } else {
            self.drain();
        }
    }

    /// Carries out the queued outputs, unless an outer call already is.
    fn drain(&self) {
        if self.draining.replace(true) {
            return;
        }
        loop {
            let next = self.engine.borrow_mut().poll();
            match next {
                Some(out) => self.execute(out),
                None => break,
            }
        }
        self.draining.set(false);
    }

    /// Every open session, for the panic report.
    pub fn sessions(&self) -> Vec<SessionId> {
        match self.engine.try_borrow() {
            Ok(engine) => engine.session_ids().collect(),
            Err(_) => Vec::new(),
        }
    }

    fn execute(&self, out: Output<JsValue>) {
        match out {
            Output::Io { connection, action } => self.io(connection, action),
            Output::Message { session, message } => self.tell(session, message),
            Output::Closed { connection } => {
                let gone = {
                    let mut io = self.io.borrow_mut();
                    let at = io.iter().position(|c| c.connection == connection);
                    at.map(|at| io.remove(at))
                };
                drop(gone);
            }
        }
    }

    /// The I/O of `connection`, made on its first use.
    fn with_io<R>(&self, connection: ConnectionId, f: impl FnOnce(&mut ConnectionIo) -> R) -> R {
        let mut io = self.io.borrow_mut();
        let at = match io.iter().position(|c| c.connection == connection) {
            Some(at) => at,
            None => {
                let me = self.me.clone();
                io.push(ConnectionIo {
                    connection,
                    socket: None,
                    retired: None,
                    timers: Timers::new(move |kind| {
                        if let Some(host) = me.upgrade() {
                            host.timer_fired(connection, kind);
                        }
                    }),
                });
                io.len() - 1
            }
        };
        f(&mut io[at])
    }

    fn io(&self, connection: ConnectionId, action: Action<JsValue>) {
        match action {
            Action::OpenSocket { socket, url } => self.open_socket(connection, socket, &url),
            Action::Send { socket, frame } => {
                let failed = self.with_io(connection, |io| match &io.socket {
                    Some((id, handle)) if *id == socket => handle.send(frame.as_str()).is_err(),
                    _ => false,
                });
                if failed {
                    self.log(
                        connection,
                        LogLevel::Warn,
                        &[Part::Text("Could not send"), Part::Json(frame.as_str())],
                    );
                }
            }
            Action::CloseSocket { socket } => {
                let handle = self.with_io(connection, |io| match &io.socket {
                    Some((id, _)) if *id == socket => io.socket.take(),
                    _ => None,
                });
                drop(handle);
            }
            Action::SetTimer { kind, delay_ms } => {
                self.with_io(connection, |io| io.timers.set(kind, delay_ms))
            }
            Action::ClearTimer { kind } => self.with_io(connection, |io| io.timers.clear(kind)),
            _ => {}
        }
    }

    fn open_socket(&self, connection: ConnectionId, socket: SocketId, url: &str) {
        let me = self.me.clone();
        let opened = SocketHandle::open(url, self.open_socket.as_ref(), move |event| {
            if let Some(host) = me.upgrade() {
                host.socket_event(connection, socket, event);
            }
        });
        match opened {
            Ok(handle) => {
                let old = self.with_io(connection, |io| {
                    io.retired = None;
                    io.socket.replace((socket, handle))
                });
                drop(old);
            }
            Err(error) => {
                // A URL the browser refuses (bad host or port): as good as a failed attempt.
                self.log(
                    connection,
                    LogLevel::Error,
                    &[
                        Part::Text("Could not open a WebSocket"),
                        Part::Text(url),
                        Part::Text(&to_js_string(&error)),
                    ],
                );
                let closed = Event::SocketClosed {
                    socket,
                    code: None,
                    reason: String::new(),
                };
                self.engine.borrow_mut().handle(now(), connection, closed);
            }
        }
    }

    fn socket_event(&self, connection: ConnectionId, socket: SocketId, event: SocketEvent) {
        let event = match event {
            SocketEvent::Opened => Event::SocketOpened(socket),
            SocketEvent::Message(data) => {
                if self.logs(connection) {
                    if let Some(text) = data.as_string() {
                        let parts = [Part::Text("Event recd"), Part::Json(&text)];
                        self.log(connection, LogLevel::Debug, &parts);
                    }
                }
                match decode_frame(data, &self.keys) {
                    Decoded::Frame(frame) => Event::Frame(socket, frame),
                    Decoded::Undecodable { error, data } => Event::Undecodable {
                        socket,
                        error,
                        data,
                    },
                }
            }
            SocketEvent::Error(error) => Event::SocketError(socket, error),
            SocketEvent::Closed(code, reason) => {
                self.with_io(connection, |io| {
                    if io.socket.as_ref().is_some_and(|(id, _)| *id == socket) {
                        io.retired = io.socket.take().map(|(_, handle)| handle);
                    }
                });
                Event::SocketClosed {
                    socket,
                    code: Some(code),
                    reason,
                }
            }
        };
        self.with_engine(|engine, now| engine.handle(now, connection, event));
    }

    fn timer_fired(&self, connection: ConnectionId, kind: TimerKind) {
        self.with_io(connection, |io| io.timers.fired(kind));
        self.with_engine(|engine, now| engine.handle(now, connection, Event::TimerFired(kind)));
    }

    // ----- to the facades -----

    /// `output(session, kind, a, b, c, d, e)`; what it throws is re-thrown in a task of its own.
    fn send(&self, session: SessionId, kind: u8, args: [&JsValue; 5]) {
        let [a, b, c, d, e] = args;
        let result = call_output(&self.output, session.0, kind, a, b, c, d, e);
        if let Err(error) = result {
            rethrow(&error);
        }
    }

    fn tell(&self, session: SessionId, message: Message<JsValue>) {
        let undefined = &JsValue::UNDEFINED;
        match message {
            Message::State { state, socket_id } => {
                let tls = self
                    .engine
                    .borrow()
                    .client(session)
                    .is_some_and(|c| c.uses_tls());
                let socket_id = socket_id.map_or(JsValue::UNDEFINED, |id| JsValue::from_str(&id));
                let state = JsValue::from_str(state.as_str());
                let tls = JsValue::from_bool(tls);
                self.send(
                    session,
                    output::STATE,
                    [&state, &socket_id, &tls, undefined, undefined],
                );
            }
            Message::Emit(emit) => {
                let [target, channel, event, payload] = emit_arguments(emit);
                self.send(
                    session,
                    output::EMIT,
                    [&target, &channel, &event, &payload, undefined],
                );
            }
            Message::Members { channel } => {
                let fields = {
                    let engine = self.engine.borrow();
                    presence_fields(engine.channel(session, &channel))
                };
                let [members, count, my_id, me] = fields;
                let channel = JsValue::from_str(&channel);
                self.send(
                    session,
                    output::MEMBERS,
                    [&channel, &members, &count, &my_id, &me],
                );
            }
            Message::Deliver {
                frame,
                to_channel,
                metadata,
                to_global,
                to_user,
            } => {
                let mut flags = 0;
                for (on, flag) in [
                    (to_channel, deliver::TO_CHANNEL),
                    (to_global, deliver::TO_GLOBAL),
                    (to_user, deliver::TO_USER),
                    (metadata == Metadata::UserId, deliver::WITH_USER_ID),
                ] {
                    if on {
                        flags |= flag;
                    }
                }
                let raw = if frame.raw.is_undefined() {
                    super::convert::frame_object(&frame)
                } else {
                    frame.raw
                };
                let flags = JsValue::from(flags);
                self.send(
                    session,
                    output::DELIVER,
                    [&raw, &frame.data, &flags, undefined, undefined],
                );
            }
            Message::Authorize { channel, socket_id } => {
                let channel = JsValue::from_str(&channel);
                let socket_id = JsValue::from_str(&socket_id);
                self.send(
                    session,
                    output::AUTHORIZE,
                    [&channel, &socket_id, undefined, undefined, undefined],
                );
            }
            Message::AuthenticateUser { socket_id } => {
                let socket_id = JsValue::from_str(&socket_id);
                self.send(
                    session,
                    output::AUTHORIZE,
                    [undefined, &socket_id, undefined, undefined, undefined],
                );
            }
            Message::SignedIn => {
                let (id, data) = {
                    let engine = self.engine.borrow();
                    let client = engine.client(session);
                    let id = client.and_then(|c| c.user_id()).map(JsValue::from_str);
                    let data = client.and_then(|c| c.user_data()).cloned();
                    (id, data)
                };
                let id = id.unwrap_or(JsValue::UNDEFINED);
                let data = data.unwrap_or(JsValue::NULL);
                self.send(
                    session,
                    output::SIGNED_IN,
                    [&id, &data, undefined, undefined, undefined],
                );
            }
            Message::Log { level, line } => {
                let text = JsValue::from_str(&render(&line));
                let level = JsValue::from(level_code(level));
                self.send(
                    session,
                    output::LOG,
                    [&level, &text, undefined, undefined, undefined],
                );
            }
        }
    }

    /// Whether any session of `connection` logs.
    fn logs(&self, connection: ConnectionId) -> bool {
        self.engine
            .borrow()
            .logging_sessions(connection)
            .next()
            .is_some()
    }

    /// A line of the host's own, to the sessions of `connection` that log.
    fn log(&self, connection: ConnectionId, level: LogLevel, parts: &[Part]) {
        let sessions: Vec<SessionId> = self.engine.borrow().logging_sessions(connection).collect();
        if sessions.is_empty() {
            return;
        }
        let text = JsValue::from_str(&render_parts(parts));
        let level = JsValue::from(level_code(level));
        let undefined = &JsValue::UNDEFINED;
        for session in sessions {
            self.send(
                session,
                output::LOG,
                [&level, &text, undefined, undefined, undefined],
            );
        }
    }

    /// A panic is about to stop the module: every session hears of it.
    pub fn report_internal_error(&self, sessions: &[SessionId], message: &str) {
        let message = JsValue::from_str(message);
        let undefined = &JsValue::UNDEFINED;
        for session in sessions {
            self.send(
                *session,
                output::INTERNAL_ERROR,
                [&message, undefined, undefined, undefined, undefined],
            );
        }
    }
}

fn level_code(level: LogLevel) -> u8 {
    match level {
        LogLevel::Debug => crate::interface::level::DEBUG,
        LogLevel::Warn => crate::interface::level::WARN,
        LogLevel::Error => crate::interface::level::ERROR,
    }
}
