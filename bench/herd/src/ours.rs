//! pusher-wasm: the real core, one `Client` per simulated browser, hosted like the wasm shim
//! hosts it (one timer per kind, sockets by id), with fake time.

use pusher_wasm::protocol::{
    Action, Client, ConnectionOptions, ConnectionState, Event, Frame, SocketId, TimerKind,
    UserOptions,
};

use crate::sim::{Case, Outcome, Queue, CONNECT_MS, KILL_AT, REFUSE_MS};
use crate::value::Value;

enum Ev {
    /// The server dies: every open socket drops (1006, no close frame).
    Kill,
    /// The attempt reached the server: the socket opens and the handshake arrives.
    Opened(u32, SocketId),
    /// The attempt failed before the socket opened (1006).
    Refused(u32, SocketId),
    Timer(u32, TimerKind),
}

struct Host {
    clients: Vec<Client<Value>>,
    /// Each client's armed timers, as the browser would hold them.
    deadlines: Vec<[Option<u64>; 4]>,
    /// Each client's established socket, which the kill drops.
    live: Vec<Option<SocketId>>,
    /// Whether the client was counted as connected again after the kill.
    back: Vec<bool>,
    queue: Queue<Ev>,
    outcome: Outcome,
    case: Case,
}

fn kind_index(kind: TimerKind) -> usize {
    TimerKind::ALL.iter().position(|k| *k == kind).unwrap()
}

/// The options of Laravel's `echo.js` for a site on https (`forceTLS`), with pusher-wasm's
/// defaults for everything else: the backoff, the activity and unavailable timeouts.
pub fn options(base_ms: Option<u64>, cap_ms: Option<u64>) -> ConnectionOptions {
    let user = UserOptions {
        cluster: String::new(),
        ws_host: Some("ws.example.test".into()),
        force_tls: Some(true),
        ..UserOptions::default()
    };
    let mut options = ConnectionOptions::resolve("app-key", &user, true);
    if let Some(base) = base_ms {
        options.backoff_base_ms = base;
    }
    if let Some(cap) = cap_ms {
        options.backoff_cap_ms = cap;
    }
    options
}

/// A different seed per client, as each browser seeds its client from `Math.random`.
fn seed(i: u64, run_seed: u64) -> u64 {
    // splitmix64
    let mut z = (i ^ run_seed.rotate_left(17)).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub fn simulate(case: Case, n: usize, options: &ConnectionOptions, run_seed: u64) -> Outcome {
    let mut host = Host {
        clients: (0..n as u64)
            .map(|i| Client::new(options.clone(), seed(i, run_seed), true))
            .collect(),
        deadlines: vec![[None; 4]; n],
        live: vec![None; n],
        back: vec![false; n],
        queue: Queue::new(),
        outcome: Outcome::new(&case, n),
        case,
    };
    // Everyone connects at the start, long before the kill.
    for i in 0..n {
        host.clients[i].connect(0);
        host.drain(i as u32, 0);
    }
    host.queue.push(KILL_AT, Ev::Kill);
    let end = case.end();
    while let Some((now, event)) = host.queue.pop() {
        if now > end {
            break;
        }
        match event {
            Ev::Kill => {
                for i in 0..n {
                    if let Some(socket) = host.live[i].take() {
                        host.clients[i].handle(
                            now,
                            Event::SocketClosed {
                                socket,
                                code: Some(1006),
                                reason: String::new(),
                            },
                        );
                        host.drain(i as u32, now);
                    }
                }
            }
            Ev::Opened(i, socket) => {
                let client = &mut host.clients[i as usize];
                client.handle(now, Event::SocketOpened(socket));
                let frame = Frame {
                    event: "pusher:connection_established".into(),
                    channel: None,
                    data: Value::handshake(&format!("{}.{}", i, socket.0), 120.0),
                    user_id: None,
                    raw: <Value as pusher_wasm::protocol::HostValue>::undefined(),
                };
                client.handle(now, Event::Frame(socket, frame));
                if client.current_socket() == Some(socket) && client.is_established() {
                    host.live[i as usize] = Some(socket);
                }
                host.drain(i, now);
            }
            Ev::Refused(i, socket) => {
                host.clients[i as usize].handle(
                    now,
                    Event::SocketClosed {
                        socket,
                        code: Some(1006),
                        reason: String::new(),
                    },
                );
                host.drain(i, now);
            }
            Ev::Timer(i, kind) => {
                let slot = &mut host.deadlines[i as usize][kind_index(kind)];
                if *slot != Some(now) {
                    continue; // replaced or cleared since: the browser's timer is gone
                }
                *slot = None;
                host.clients[i as usize].handle(now, Event::TimerFired(kind));
                host.drain(i, now);
            }
        }
    }
    host.outcome
}

impl Host {
    /// Carries out the client's actions, as the shim does after every call.
    fn drain(&mut self, i: u32, now: u64) {
        let idx = i as usize;
        while let Some(action) = self.clients[idx].poll_action() {
            match action {
                Action::OpenSocket { socket, .. } => {
                    self.outcome.attempt(now);
                    if self.case.server_up(now) {
                        self.queue.push(now + CONNECT_MS, Ev::Opened(i, socket));
                    } else {
                        self.queue.push(now + REFUSE_MS, Ev::Refused(i, socket));
                    }
                }
                Action::CloseSocket { socket } if self.live[idx] == Some(socket) => {
                    self.live[idx] = None;
                }
                Action::SetTimer { kind, delay_ms } => {
                    let at = now + delay_ms;
                    self.deadlines[idx][kind_index(kind)] = Some(at);
                    self.queue.push(at, Ev::Timer(i, kind));
                }
                Action::ClearTimer { kind } => {
                    self.deadlines[idx][kind_index(kind)] = None;
                }
                Action::Send { frame, .. } => {
                    // Nothing is subscribed, and the activity timeout (120 s) outlasts every
                    // connection here: a ping would mean the model is wrong.
                    assert!(
                        !frame.0.contains("pusher:ping"),
                        "client {i} pinged at {now}"
                    );
                }
                _ => {}
            }
        }
        let client = &self.clients[idx];
        if now >= KILL_AT && !self.back[idx] && client.state() == ConnectionState::Connected {
            self.back[idx] = true;
            self.outcome.connected(now);
        }
    }
}
