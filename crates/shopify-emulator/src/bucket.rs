//! Shopify's leaky bucket of query-cost points, one per app and shop.
//!
//! A bucket holds up to `maximum` points and refills continuously at `restore_rate` points
//! per second. A request is admitted when its requested cost is available; the requested
//! cost is taken at once and the difference to the actual cost is given back after it
//! ran, so the bucket loses the actual cost.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

/// A bucket's state, as the cost block's `throttleStatus` reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketStatus {
    /// The bucket's size.
    pub maximum_available: f64,
    /// Points available now (the cost block reports this rounded down).
    pub currently_available: f64,
    /// Points restored per second.
    pub restore_rate: f64,
}

impl BucketStatus {
    /// `throttleStatus` as Shopify sends it: integers.
    pub(crate) fn to_json(self) -> serde_json::Value {
        serde_json::json!({
            "maximumAvailable": self.maximum_available.floor() as u64,
            "currentlyAvailable": self.currently_available.max(0.0).floor() as u64,
            "restoreRate": self.restore_rate.floor() as u64,
        })
    }
}

#[derive(Debug, Clone, Copy)]
struct Level {
    available: f64,
    at: Instant,
}

/// Every app+shop bucket of one emulator.
#[derive(Debug)]
pub(crate) struct Buckets {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    maximum: f64,
    restore_rate: f64,
    levels: HashMap<(String, String), Level>,
}

impl Buckets {
    pub(crate) fn new(maximum: u64, restore_rate: u64) -> Self {
        Self {
            state: Mutex::new(State {
                maximum: maximum as f64,
                restore_rate: restore_rate as f64,
                levels: HashMap::new(),
            }),
        }
    }

    /// New size and restore rate for every bucket; each is first refilled at the old rate.
    pub(crate) fn reconfigure(&self, maximum: u64, restore_rate: u64) {
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (old_max, old_rate) = (state.maximum, state.restore_rate);
        let maximum = maximum as f64;
        for level in state.levels.values_mut() {
            let elapsed = now.saturating_duration_since(level.at).as_secs_f64();
            level.available = (level.available + elapsed * old_rate)
                .min(old_max)
                .min(maximum);
            level.at = now;
        }
        state.maximum = maximum;
        state.restore_rate = restore_rate as f64;
    }

    /// Runs `f` on the bucket of `app` on `shop`, refilled up to now.
    fn with<R>(
        &self,
        app: &str,
        shop: &str,
        f: impl FnOnce(&mut f64, f64) -> R,
    ) -> (R, BucketStatus) {
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (maximum, restore_rate) = (state.maximum, state.restore_rate);
        let level = state
            .levels
            .entry((app.to_owned(), shop.to_owned()))
            .or_insert(Level {
                available: maximum,
                at: now,
            });
        let elapsed = now.saturating_duration_since(level.at).as_secs_f64();
        level.available = (level.available + elapsed * restore_rate).min(maximum);
        level.at = now;
        let out = f(&mut level.available, maximum);
        let status = BucketStatus {
            maximum_available: maximum,
            currently_available: level.available,
            restore_rate,
        };
        (out, status)
    }

    /// Takes `requested` points if they are available: `Ok` with the bucket after, or
    /// `Err` with the bucket as it is (the request is throttled).
    pub(crate) fn charge(
        &self,
        app: &str,
        shop: &str,
        requested: u64,
    ) -> Result<BucketStatus, BucketStatus> {
        let requested = requested as f64;
        let (admitted, status) = self.with(app, shop, |available, _| {
            if requested <= *available {
                *available -= requested;
                true
            } else {
                false
            }
        });
        if admitted { Ok(status) } else { Err(status) }
    }

    /// Gives `points` back (the part of the requested cost that was not used).
    pub(crate) fn refund(&self, app: &str, shop: &str, points: u64) -> BucketStatus {
        self.with(app, shop, |available, maximum| {
            *available = (*available + points as f64).min(maximum);
        })
        .1
    }

    /// The bucket now.
    pub(crate) fn status(&self, app: &str, shop: &str) -> BucketStatus {
        self.with(app, shop, |_, _| ()).1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_charge_beyond_what_is_available_is_refused_and_takes_nothing() {
        let buckets = Buckets::new(100, 0);
        let after = buckets.charge("app", "shop", 60).unwrap();
        assert_eq!(after.currently_available, 40.0);
        let refused = buckets.charge("app", "shop", 41).unwrap_err();
        assert_eq!(refused.currently_available, 40.0);
        assert_eq!(buckets.refund("app", "shop", 50).currently_available, 90.0);
        assert_eq!(buckets.refund("app", "shop", 50).currently_available, 100.0);
    }

    #[test]
    fn buckets_are_per_app_and_shop() {
        let buckets = Buckets::new(10, 0);
        buckets.charge("a", "s", 10).unwrap();
        assert!(buckets.charge("a", "s", 1).is_err());
        assert!(buckets.charge("b", "s", 10).is_ok());
        assert!(buckets.charge("a", "t", 10).is_ok());
    }

    #[test]
    fn a_new_restore_rate_applies_from_now_and_a_smaller_size_caps_the_level() {
        let buckets = Buckets::new(100, 0);
        buckets.charge("a", "s", 10).unwrap();
        buckets.reconfigure(50, 0);
        let status = buckets.status("a", "s");
        assert_eq!(status.maximum_available, 50.0);
        assert_eq!(status.currently_available, 50.0);
        assert_eq!(status.restore_rate, 0.0);
        buckets.reconfigure(50, 25);
        assert_eq!(buckets.status("a", "s").restore_rate, 25.0);
    }

    #[test]
    fn status_reports_integers() {
        let status = BucketStatus {
            maximum_available: 2000.0,
            currently_available: 1987.6,
            restore_rate: 100.0,
        };
        assert_eq!(
            status.to_json(),
            serde_json::json!({"maximumAvailable": 2000, "currentlyAvailable": 1987, "restoreRate": 100})
        );
    }
}
