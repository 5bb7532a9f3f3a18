//! What both clients share: the server's timeline, the network's latencies, the event queue and
//! what is counted.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// When every client lost its connection (the node was killed), in ms. Long after the start, so
/// every connection counts as stable (up 30 s or more) and the core's backoff starts over.
pub const KILL_AT: u64 = 60_000;
/// From an attempt to `connected` when the server is up: TCP, the WebSocket upgrade and
/// `pusher:connection_established`, on an ordinary internet round trip.
pub const CONNECT_MS: u64 = 50;
/// From an attempt to its failure while the server is down: the balancer (or the host) refuses
/// the connection at once.
pub const REFUSE_MS: u64 = 10;
/// The width of a counting window.
pub const WINDOW_MS: u64 = 100;
/// How long after the server is back the simulation runs at most.
pub const AFTER_BACK_MS: u64 = 90_000;

/// One outage: the server is down from [`KILL_AT`] for `down_ms`.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    pub name: &'static str,
    pub down_ms: u64,
}

impl Case {
    pub fn back_at(&self) -> u64 {
        KILL_AT + self.down_ms
    }

    pub fn end(&self) -> u64 {
        self.back_at() + AFTER_BACK_MS
    }

    /// Whether a connection attempt made at `at` reaches a server.
    pub fn server_up(&self, at: u64) -> bool {
        !(KILL_AT..self.back_at()).contains(&at)
    }
}

/// What one client model did in one case.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Connection attempts (sockets opened) per [`WINDOW_MS`], the first window starting at the
    /// kill.
    pub attempts: Vec<u64>,
    /// For each client that was connected again, when (ms after the kill).
    pub reconnected: Vec<u64>,
    pub clients: usize,
}

impl Outcome {
    pub fn new(case: &Case, clients: usize) -> Outcome {
        let windows = (case.end() - KILL_AT).div_ceil(WINDOW_MS) as usize;
        Outcome {
            attempts: vec![0; windows],
            reconnected: Vec::with_capacity(clients),
            clients,
        }
    }

    /// Counts an attempt made at `at` (attempts before the kill, while connecting at the start,
    /// are not counted).
    pub fn attempt(&mut self, at: u64) {
        if at >= KILL_AT {
            let window = ((at - KILL_AT) / WINDOW_MS) as usize;
            if let Some(count) = self.attempts.get_mut(window) {
                *count += 1;
            }
        }
    }

    pub fn connected(&mut self, at: u64) {
        self.reconnected.push(at - KILL_AT);
    }

    pub fn total_attempts(&self) -> u64 {
        self.attempts.iter().sum()
    }

    /// The largest window, and when it starts (ms after the kill).
    pub fn peak(&self) -> (u64, u64) {
        self.peak_from(0)
    }

    /// The largest window that starts at or after `from` (ms after the kill).
    pub fn peak_from(&self, from: u64) -> (u64, u64) {
        let first = from.div_ceil(WINDOW_MS) as usize;
        self.attempts
            .iter()
            .enumerate()
            .skip(first)
            .map(|(i, &n)| (n, i as u64 * WINDOW_MS))
            .fold((0, 0), |best, w| if w.0 > best.0 { w } else { best })
    }

    /// When `share` (0..=1) of all clients were connected again, in ms after the kill; `None`
    /// when fewer were by the end.
    pub fn time_to(&self, share: f64) -> Option<u64> {
        let needed = (share * self.clients as f64).ceil() as usize;
        if needed == 0 {
            return Some(0);
        }
        let mut times = self.reconnected.clone();
        times.sort_unstable();
        times.get(needed - 1).copied()
    }
}

/// A min-queue of timed events; ties keep their insertion order.
pub struct Queue<E> {
    heap: BinaryHeap<Reverse<(u64, u64, Wrapper<E>)>>,
    seq: u64,
}

/// Orders by time and sequence only.
struct Wrapper<E>(E);

impl<E> PartialEq for Wrapper<E> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl<E> Eq for Wrapper<E> {}
impl<E> PartialOrd for Wrapper<E> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Wrapper<E> {
    fn cmp(&self, _: &Self) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}

impl<E> Queue<E> {
    pub fn new() -> Queue<E> {
        Queue {
            heap: BinaryHeap::new(),
            seq: 0,
        }
    }

    pub fn push(&mut self, at: u64, event: E) {
        self.seq += 1;
        self.heap.push(Reverse((at, self.seq, Wrapper(event))));
    }

    pub fn pop(&mut self) -> Option<(u64, E)> {
        self.heap.pop().map(|Reverse((at, _, w))| (at, w.0))
    }
}
