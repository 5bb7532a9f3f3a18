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
/// Two sequences share one count of consecutive failures, both exponential, capped and jittered:
/// jitter spreads the reconnects of many clients after a server restart, and the cap keeps a
/// long outage from pushing the next attempt minutes away.
///
/// - [`Backoff::next_reconnect_delay`], after a connection was lost or could not be made: the
///   first wait is uniform over `[base/10, 1.5 × base)`, the n-th after it lies in `[d/2, d]`
///   for `d = min(cap, 1.5 × base × 2ⁿ)`. With the default base of 1 s: 0.1–1.5 s, then
///   1.5–3 s, 3–6 s, and 5–10 s for good. The first wait is that wide so the clients of a server
///   that went away do not all come back in the same half second: at 100,000 clients, a peak of
///   about 7,400 attempts per 100 ms where a first wait of 0.5–1 s gave 20,000
///   (`docs/herd.md`); the second one starts where the first ends, so the two waves do not
///   pile up.
/// - [`Backoff::next_delay`], for the waits that add a floor of their own (after an overload
///   close): `[d/2, d]` for `d = min(cap, base × 2ⁿ)`.
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

    /// The upper bound of [`Backoff::next_delay`]'s next delay, before jitter.
    pub fn next_bound(&self) -> u64 {
        self.bound(self.base_ms)
    }

    /// The next delay in `[d/2, d]`, `d = min(cap, base × 2ⁿ)`, and counts one more failure.
    pub fn next_delay(&mut self) -> u64 {
        let bound = self.next_bound();
        self.failures = self.failures.saturating_add(1);
        self.equal_jitter(bound)
    }

    /// The next delay after a connection was lost or could not be made (see [`Backoff`]), and
    /// counts one more failure.
    pub fn next_reconnect_delay(&mut self) -> u64 {
        let first = self.failures == 0;
        let step = self.base_ms.saturating_mul(3) / 2;
        let bound = self.bound(step);
        self.failures = self.failures.saturating_add(1);
        if !first {
            return self.equal_jitter(bound);
        }
        let low = self.base_ms / 10;
        if bound <= low {
            return low;
        }
        low + self.rng.up_to(bound - low - 1)
    }

    /// `min(cap, step × 2ⁿ)` for the n-th failure.
    fn bound(&self, step: u64) -> u64 {
        let exponent = self.failures.min(32);
        step.saturating_mul(1u64 << exponent).min(self.cap_ms)
    }

    /// A delay in `[bound/2, bound]`.
    fn equal_jitter(&mut self, bound: u64) -> u64 {
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
    fn the_first_reconnect_is_spread_wider_and_later_ones_double() {
        let mut firsts = Vec::new();
        for seed in 1..=2000 {
            let mut backoff = Backoff::new(1000, 10_000, Rng::new(seed));
            firsts.push(backoff.next_reconnect_delay());
            for (low, high) in [(1500, 3000), (3000, 6000), (5000, 10_000), (5000, 10_000)] {
                let delay = backoff.next_reconnect_delay();
                assert!(
                    (low..=high).contains(&delay),
                    "{delay} not in [{low}, {high}]"
                );
            }
            assert_eq!(backoff.failures(), 5);
        }
        assert!(firsts.iter().all(|d| (100..1500).contains(d)), "{firsts:?}");
        // Spread over the whole window: every tenth of it is used, none by more than twice its share.
        let mut tenths = [0u32; 10];
        for d in &firsts {
            tenths[((d - 100) / 140) as usize] += 1;
        }
        assert!(
            tenths.iter().all(|&n| (100..=400).contains(&n)),
            "{tenths:?}"
        );
    }

    #[test]
    fn the_first_reconnect_respects_a_small_cap() {
        let mut backoff = Backoff::new(1000, 1000, Rng::new(5));
        assert!((100..1000).contains(&backoff.next_reconnect_delay()));
        assert!((500..=1000).contains(&backoff.next_reconnect_delay()));
        let mut zero = Backoff::new(0, 0, Rng::new(5));
        assert_eq!(zero.next_reconnect_delay(), 0);
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
