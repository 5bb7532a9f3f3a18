//! Reconnect delays: exponential, capped, with jitter.

/// A small deterministic random number generator (xorshift64*). The host seeds it once (the
/// browser from `Math.random`); the tests seed it with a constant so every run is the same.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator from a seed. A zero seed is replaced, since xorshift would stay at zero.
    pub fn new(seed: u64) -> Rng {
        Rng {
            state: if seed == 0 {
                0x9E37_79B9_7F4A_7C15
            } else {
                seed
            },
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..=max`.
    pub fn up_to(&mut self, max: u64) -> u64 {
        if max == u64::MAX {
            return self.next_u64();
        }
        self.next_u64() % (max + 1)
    }
}

/// The delays between reconnect attempts.
///
/// The n-th consecutive failure waits `min(cap, base × 2ⁿ)` milliseconds, of which a random
/// half is taken off ("equal jitter"), so the delay lies in `[d/2, d]`. Jitter spreads the
/// reconnects of many clients after a server restart; the cap keeps a long outage from pushing
/// the next attempt minutes away.
#[derive(Clone, Debug)]
pub struct Backoff {
    base_ms: u64,
    cap_ms: u64,
    failures: u32,
    rng: Rng,
}

impl Backoff {
    /// A backoff starting at `base_ms` and never exceeding `cap_ms`.
    pub fn new(base_ms: u64, cap_ms: u64, rng: Rng) -> Backoff {
        Backoff {
            base_ms,
            cap_ms: cap_ms.max(base_ms),
            failures: 0,
            rng,
        }
    }

    /// How many delays were handed out since the last [`Backoff::reset`].
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The upper bound of the next delay, before jitter.
    pub fn next_bound(&self) -> u64 {
        let exponent = self.failures.min(32);
        self.base_ms
            .saturating_mul(1u64 << exponent)
            .min(self.cap_ms)
    }

    /// The next delay, and counts one more failure.
    pub fn next_delay(&mut self) -> u64 {
        let bound = self.next_bound();
        self.failures = self.failures.saturating_add(1);
        bound - self.rng.up_to(bound / 2)
    }

    /// Back to the first delay, after a connection proved stable or the network came back.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap_and_stay_within_the_jitter_bounds() {
        let mut backoff = Backoff::new(1000, 10_000, Rng::new(7));
        let bounds = [1000, 2000, 4000, 8000, 10_000, 10_000, 10_000];
        for bound in bounds {
            assert_eq!(backoff.next_bound(), bound);
            let delay = backoff.next_delay();
            assert!(
                delay >= bound / 2 && delay <= bound,
                "{delay} not in [{}, {bound}]",
                bound / 2
            );
        }
        assert_eq!(backoff.failures(), bounds.len() as u32);
    }

    #[test]
    fn jitter_really_varies() {
        let mut backoff = Backoff::new(1000, 1000, Rng::new(1));
        let delays: std::collections::BTreeSet<u64> =
            (0..50).map(|_| backoff.next_delay()).collect();
        assert!(delays.len() > 20, "only {} distinct delays", delays.len());
    }

    #[test]
    fn reset_starts_over() {
        let mut backoff = Backoff::new(500, 30_000, Rng::new(3));
        for _ in 0..10 {
            backoff.next_delay();
        }
        backoff.reset();
        assert_eq!(backoff.next_bound(), 500);
    }

    #[test]
    fn a_huge_failure_count_does_not_overflow() {
        let mut backoff = Backoff::new(1000, 10_000, Rng::new(9));
        for _ in 0..100 {
            assert!(backoff.next_delay() <= 10_000);
        }
    }

    #[test]
    fn rng_is_deterministic_per_seed_and_handles_zero() {
        let a: Vec<u64> = {
            let mut r = Rng::new(42);
            (0..5).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = Rng::new(42);
            (0..5).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        let mut zero = Rng::new(0);
        assert_ne!(zero.next_u64(), 0);
        assert!(Rng::new(5).up_to(0) == 0);
    }
}
