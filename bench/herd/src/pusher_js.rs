//! pusher-js 8.6.0's reconnect schedule, modelled from its source (node_modules/pusher-js/src,
//! the files and lines docs/herd.md cites), for the same options: Laravel's `echo.js` on https,
//! `forceTLS: true`, `enabledTransports: ['ws', 'wss']`. Every client is the same program with
//! the same fixed delays, so the model has no randomness.
//!
//! - A connection that closes abnormally: `retryIn(1000)` (connection_manager.ts, `closed`).
//! - The retry runs the strategy. The transport cache (localStorage) holds `ws` from the last
//!   success; for 30 min after it (`ttl: 1800000`, default_strategy.ts) the cached transport is
//!   tried first, fail-fast (websocket_prioritized_cached_strategy.ts), and when it fails the
//!   cache is flushed and the default strategy starts at once (same file). A connection that was
//!   established longer ago than that goes straight to the default strategy: one socket fewer.
//! - The default strategy's WebSocket loop (default_strategy.ts: `ws_loop`, `timeouts`
//!   `{loop: true, timeout: 15000, timeoutLimit: 60000}`, under `BestConnectedEverStrategy`
//!   whose other branches are disabled transports) opens a socket; a failure is ignored until
//!   that try's timeout (sequential_strategy.ts, `tryStrategy`), then the next try starts with
//!   the timeout doubled, up to 60 s (`tryNextStrategy`).

use crate::sim::{Case, Outcome, Queue, CONNECT_MS, KILL_AT, REFUSE_MS};

/// connection_manager.ts: `closed` → `retryIn(1000)`.
pub const RETRY_AFTER_CLOSE_MS: u64 = 1000;
/// default_strategy.ts: `timeouts.timeout`.
pub const LOOP_TIMEOUT_MS: u64 = 15_000;
/// default_strategy.ts: `timeouts.timeoutLimit`.
pub const LOOP_TIMEOUT_LIMIT_MS: u64 = 60_000;

#[derive(Clone, Copy)]
enum Try {
    /// The cached transport, fail-fast.
    Cached,
    /// A try of the WebSocket loop, started at `started` with this timeout.
    Loop { started: u64, timeout: u64 },
}

enum Ev {
    Kill,
    /// The retry timer of `retryIn`.
    Retry(u32),
    /// A socket opened at the time of this event; it reaches the server or not.
    Attempt(u32, Try),
    Failed(u32, Try),
    Connected,
    /// The loop's try timer: the next try.
    LoopTimeout(u32, u64),
}

/// `cache_fresh`: whether the clients' connections were established less than 30 min before the
/// kill, so that their transport cache is still valid.
pub fn simulate(case: Case, n: usize, cache_fresh: bool) -> Outcome {
    let mut outcome = Outcome::new(&case, n);
    let mut queue = Queue::new();
    // Everyone is connected before the kill (their cache holds `ws`).
    queue.push(KILL_AT, Ev::Kill);
    let end = case.end();
    while let Some((now, event)) = queue.pop() {
        if now > end {
            break;
        }
        match event {
            Ev::Kill => {
                for i in 0..n as u32 {
                    queue.push(now + RETRY_AFTER_CLOSE_MS, Ev::Retry(i));
                }
            }
            Ev::Retry(i) if cache_fresh => queue.push(now, Ev::Attempt(i, Try::Cached)),
            Ev::Retry(i) => {
                let first = Try::Loop {
                    started: now,
                    timeout: LOOP_TIMEOUT_MS,
                };
                queue.push(now, Ev::Attempt(i, first));
            }
            Ev::Attempt(i, attempt) => {
                outcome.attempt(now);
                if case.server_up(now) {
                    queue.push(now + CONNECT_MS, Ev::Connected);
                } else {
                    queue.push(now + REFUSE_MS, Ev::Failed(i, attempt));
                }
            }
            Ev::Failed(i, Try::Cached) => {
                // Cache flushed; the default strategy's first loop try starts now.
                let first = Try::Loop {
                    started: now,
                    timeout: LOOP_TIMEOUT_MS,
                };
                queue.push(now, Ev::Attempt(i, first));
            }
            Ev::Failed(i, Try::Loop { started, timeout }) => {
                // Not fail-fast: the error waits for the try's timer.
                queue.push(started + timeout, Ev::LoopTimeout(i, timeout));
            }
            Ev::LoopTimeout(i, timeout) => {
                let next = Try::Loop {
                    started: now,
                    timeout: (timeout * 2).min(LOOP_TIMEOUT_LIMIT_MS),
                };
                queue.push(now, Ev::Attempt(i, next));
            }
            Ev::Connected => outcome.connected(now),
        }
    }
    outcome
}
