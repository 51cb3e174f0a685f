//! How failed attempts are retried.

use std::time::Duration;

/// Bounds on retrying transient failures (HTTP 429 and 5xx, connection failures,
/// timeouts, unreadable bodies). Throttled answers are paced separately (they wait for
/// the bucket) and bounded by [`RetryPolicy::max_throttled`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// No retry starts later than this after the first attempt.
    pub max_elapsed: Duration,
    /// The first backoff; each retry doubles it.
    pub base_delay: Duration,
    /// The largest backoff.
    pub max_delay: Duration,
    /// How many `THROTTLED` answers one call accepts before giving up.
    pub max_throttled: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            max_elapsed: Duration::from_secs(60),
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_throttled: 20,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            max_throttled: 0,
            ..Self::default()
        }
    }

    /// The wait before retry number `retry` (1-based): exponential, capped, with "equal
    /// jitter" (half fixed, half random) so concurrent clients spread out.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exponential = self.base_delay.saturating_mul(
            1u32.checked_shl(retry.saturating_sub(1))
                .unwrap_or(u32::MAX),
        );
        let capped = exponential.min(self.max_delay);
        let half = capped / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_exponentially_within_bounds() {
        let policy = RetryPolicy::default();
        for retry in 1..=12 {
            let cap = policy
                .base_delay
                .saturating_mul(1 << (retry - 1))
                .min(policy.max_delay);
            let delay = policy.backoff(retry);
            assert!(
                delay >= cap / 2 && delay <= cap,
                "retry {retry}: {delay:?} outside {:?}..={cap:?}",
                cap / 2
            );
        }
        assert!(policy.backoff(40) <= policy.max_delay);
    }
}
