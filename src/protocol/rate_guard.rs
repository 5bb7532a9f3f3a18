//! The client-event rate guard: the protocol allows a client 10 client events per second, and a
//! server drops a connection that sends more (close code 4301). The guard refuses the excess
//! instead, so the connection survives and the caller is told.

use alloc::collections::VecDeque;

/// At most `limit` events in any window of one second.
#[derive(Clone, Debug)]
pub struct RateGuard {
    limit: u32,
    sent_at: VecDeque<u64>,
}

impl RateGuard {
    /// A guard allowing `limit` events per second; 0 turns it off.
    pub fn new(limit: u32) -> RateGuard {
        RateGuard {
            limit,
            sent_at: VecDeque::new(),
        }
    }

    /// The limit per second (0: none).
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Whether an event may go at `now`; if so, it is counted.
    pub fn admit(&mut self, now: u64) -> bool {
        if self.limit == 0 {
            return true;
        }
        while self
            .sent_at
            .front()
            .is_some_and(|&t| now.saturating_sub(t) >= 1000)
        {
            self.sent_at.pop_front();
        }
        if self.sent_at.len() >= self.limit as usize {
            return false;
        }
        self.sent_at.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_per_second_in_any_window() {
        let mut guard = RateGuard::new(10);
        for i in 0..10 {
            assert!(guard.admit(1000 + i * 10), "event {i}");
        }
        assert!(!guard.admit(1095), "the 11th within the second is refused");
        assert!(!guard.admit(1999));
        assert!(guard.admit(2000), "the first one left the window");
        assert!(!guard.admit(2001));
    }

    #[test]
    fn refused_events_do_not_count() {
        let mut guard = RateGuard::new(1);
        assert!(guard.admit(0));
        for t in 1..1000 {
            assert!(!guard.admit(t));
        }
        assert!(guard.admit(1000));
    }

    #[test]
    fn zero_means_no_limit() {
        let mut guard = RateGuard::new(0);
        assert!((0..1000).all(|_| guard.admit(5)));
    }
}
