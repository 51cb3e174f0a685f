//! Counters and the log of applied writes, for tests and benchmarks.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, PoisonError};

/// What the emulator did with the GraphQL requests it received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// GraphQL requests received (every `POST .../graphql.json`, retries included).
    pub requests: u64,
    /// Requests that were executed (admitted by the bucket and run).
    pub executed: u64,
    /// `THROTTLED` answers sent.
    pub throttled: u64,
    /// `MAX_COST_EXCEEDED` answers sent.
    pub max_cost_exceeded: u64,
    /// Faults injected.
    pub faults: u64,
    /// Requested cost taken from the buckets when requests were admitted.
    pub points_requested: u64,
    /// What the buckets kept after refunds: the actual cost of admitted requests.
    pub points_charged: u64,
    /// Writes applied, per mutation field (`productCreate`, `inventorySetQuantities`, ...).
    /// A mutation that answered only `userErrors`, or replayed an idempotent result,
    /// applied nothing.
    pub writes: BTreeMap<String, u64>,
    /// Mutations answered from an earlier result with the same idempotency key.
    pub replays: u64,
    /// Non-null fields answered with a plausible default because the emulator's data
    /// had no value for them (an empty string, zero, the first enum value, ...). Tests
    /// that check what an operation returned expect none.
    pub made_up_values: u64,
    /// Client-credentials grants issued (successful token requests).
    pub token_requests: u64,
    /// Applied writes dropped from the log because it held [`MAX_WRITES_KEPT`] (the
    /// counts in `writes` still include them). A reconciliation over the log is complete
    /// only while this is 0: long runs take the log as they go
    /// ([`RunningEmulator::take_writes`](crate::RunningEmulator::take_writes)).
    pub writes_dropped: u64,
}

impl Stats {
    /// The counters as JSON, as `GET /_emulator/stats` serves them.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "requests": self.requests,
            "executed": self.executed,
            "throttled": self.throttled,
            "max_cost_exceeded": self.max_cost_exceeded,
            "faults": self.faults,
            "token_requests": self.token_requests,
            "points_requested": self.points_requested,
            "points_charged": self.points_charged,
            "replays": self.replays,
            "writes": self.writes,
            "writes_dropped": self.writes_dropped,
        })
    }

    /// Writes applied by mutation field `field`.
    pub fn writes_of(&self, field: &str) -> u64 {
        self.writes.get(field).copied().unwrap_or(0)
    }
}

/// One write a mutation applied.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedWrite {
    /// The mutation field, e.g. `productCreate`.
    pub mutation: String,
    /// The client id of the app that sent it.
    pub app: String,
    /// The `@idempotent(key:)` it carried, if any.
    pub idempotency_key: Option<String>,
    /// The field's arguments, variables resolved.
    pub arguments: serde_json::Value,
}

/// Applied writes the log keeps; older ones are dropped (and counted in
/// [`Stats::writes_dropped`]) so a long-running emulator does not grow with every write.
pub const MAX_WRITES_KEPT: usize = 16_384;

#[derive(Debug, Default)]
pub(crate) struct Recorder {
    stats: Mutex<Stats>,
    writes: Mutex<VecDeque<AppliedWrite>>,
}

impl Recorder {
    pub(crate) fn update(&self, f: impl FnOnce(&mut Stats)) {
        f(&mut self.stats.lock().unwrap_or_else(PoisonError::into_inner));
    }

    pub(crate) fn snapshot(&self) -> Stats {
        self.stats
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn record_writes(&self, applied: Vec<AppliedWrite>) {
        if applied.is_empty() {
            return;
        }
        let dropped = {
            let mut log = self.writes.lock().unwrap_or_else(PoisonError::into_inner);
            log.extend(applied.iter().cloned());
            let over = log.len().saturating_sub(MAX_WRITES_KEPT);
            log.drain(..over);
            over as u64
        };
        self.update(|stats| {
            for write in &applied {
                *stats.writes.entry(write.mutation.clone()).or_default() += 1;
            }
            stats.writes_dropped += dropped;
        });
    }

    pub(crate) fn writes(&self) -> Vec<AppliedWrite> {
        self.writes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    /// The log so far, emptied.
    pub(crate) fn take_writes(&self) -> Vec<AppliedWrite> {
        let mut log = self.writes.lock().unwrap_or_else(PoisonError::into_inner);
        let taken = log.drain(..).collect();
        log.shrink_to(MAX_WRITES_KEPT.min(1024));
        taken
    }

    pub(crate) fn reset(&self) {
        *self.stats.lock().unwrap_or_else(PoisonError::into_inner) = Stats::default();
        self.writes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(n: usize) -> AppliedWrite {
        AppliedWrite {
            mutation: "productUpdate".into(),
            app: "app".into(),
            idempotency_key: None,
            arguments: serde_json::json!({"n": n}),
        }
    }

    #[test]
    fn the_write_log_keeps_the_newest_and_counts_what_it_dropped() {
        let recorder = Recorder::default();
        recorder.record_writes((0..MAX_WRITES_KEPT + 5).map(write).collect());
        let log = recorder.writes();
        assert_eq!(log.len(), MAX_WRITES_KEPT);
        assert_eq!(log[0], write(5));
        let stats = recorder.snapshot();
        assert_eq!(stats.writes_dropped, 5);
        assert_eq!(
            stats.writes_of("productUpdate"),
            (MAX_WRITES_KEPT + 5) as u64
        );
    }

    #[test]
    fn taking_the_write_log_empties_it_and_keeps_the_counts() {
        let recorder = Recorder::default();
        recorder.record_writes((0..3).map(write).collect());
        assert_eq!(recorder.take_writes(), vec![write(0), write(1), write(2)]);
        recorder.record_writes(vec![write(3)]);
        assert_eq!(recorder.take_writes(), vec![write(3)]);
        assert_eq!(recorder.snapshot().writes_of("productUpdate"), 4);
        assert_eq!(recorder.snapshot().writes_dropped, 0);
    }
}
