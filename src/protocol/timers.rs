//! The client's timers: at most one armed per kind, each remembered by its deadline.

/// What a timer is for. The host keeps at most one browser timer per kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TimerKind {
    /// Start the next connection attempt after a backoff delay.
    Retry,
    /// Still not connected `unavailableTimeout` after we started connecting: go `unavailable`.
    Unavailable,
    /// The current attempt (socket open plus handshake) has taken too long: give it up.
    Attempt,
    /// Liveness: after `activityTimeout` of silence send a ping; then wait for any frame until
    /// the pong deadline.
    Liveness,
    /// A shared connection that lost its last session closes unless one comes back (the
    /// engine's, never the client's).
    Linger,
    /// Connection recovery: send the resume of the channels confirmed so far although others
    /// are still on their way, or give up waiting for the server's answer to one.
    Resume,
}

impl TimerKind {
    /// Every kind, in a fixed order.
    pub const ALL: [TimerKind; 6] = [
        TimerKind::Retry,
        TimerKind::Unavailable,
        TimerKind::Attempt,
        TimerKind::Liveness,
        TimerKind::Linger,
        TimerKind::Resume,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

/// The deadlines of the armed timers, in the host's milliseconds.
#[derive(Clone, Debug, Default)]
pub struct Timers {
    deadlines: [Option<u64>; TimerKind::ALL.len()],
}

impl Timers {
    /// Arms `kind` to fire `delay_ms` after `now`, replacing any earlier deadline.
    pub fn arm(&mut self, kind: TimerKind, now: u64, delay_ms: u64) {
        self.deadlines[kind.index()] = Some(now.saturating_add(delay_ms));
    }

    /// Disarms `kind`. Returns whether it was armed.
    pub fn clear(&mut self, kind: TimerKind) -> bool {
        self.deadlines[kind.index()].take().is_some()
    }

    /// The deadline of `kind`, when armed.
    pub fn deadline(&self, kind: TimerKind) -> Option<u64> {
        self.deadlines[kind.index()]
    }

    /// Whether `kind` is armed.
    pub fn is_armed(&self, kind: TimerKind) -> bool {
        self.deadline(kind).is_some()
    }

    /// The host says `kind` fired. Returns how late it fired (0 when on time), or `None` when
    /// the timer was not armed, which makes a stale firing harmless.
    pub fn fire(&mut self, kind: TimerKind, now: u64) -> Option<u64> {
        let deadline = self.deadlines[kind.index()].take()?;
        Some(now.saturating_sub(deadline))
    }

    /// How many timers are armed.
    pub fn armed_count(&self) -> usize {
        self.deadlines.iter().filter(|d| d.is_some()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_fire_and_stale_fire() {
        let mut timers = Timers::default();
        timers.arm(TimerKind::Retry, 100, 50);
        assert_eq!(timers.deadline(TimerKind::Retry), Some(150));
        assert_eq!(timers.fire(TimerKind::Retry, 170), Some(20));
        assert_eq!(timers.fire(TimerKind::Retry, 170), None);
        assert_eq!(timers.fire(TimerKind::Liveness, 170), None);
    }

    #[test]
    fn rearming_replaces_and_clear_reports() {
        let mut timers = Timers::default();
        timers.arm(TimerKind::Liveness, 0, 1000);
        timers.arm(TimerKind::Liveness, 10, 5);
        assert_eq!(timers.deadline(TimerKind::Liveness), Some(15));
        assert_eq!(timers.armed_count(), 1);
        assert!(timers.clear(TimerKind::Liveness));
        assert!(!timers.clear(TimerKind::Liveness));
        assert_eq!(timers.armed_count(), 0);
    }

    #[test]
    fn an_early_fire_is_not_late() {
        let mut timers = Timers::default();
        timers.arm(TimerKind::Attempt, 1000, 500);
        assert_eq!(timers.fire(TimerKind::Attempt, 1200), Some(0));
    }
}
