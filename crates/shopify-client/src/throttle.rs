//! Client-side pacing against Shopify's leaky bucket of query-cost points.
//!
//! Every response reports the bucket (`extensions.cost.throttleStatus`): its size, what
//! is available now and the restore rate. Between responses the bucket refills at the
//! restore rate, so the client can predict what is available and hold a request until
//! its requested cost fits, instead of sending it and being throttled. Concurrent tasks
//! on one client reserve points from the same prediction, so they share the budget
//! rather than stampede.
//!
//! Concurrent answers can arrive out of order: the answer of a request Shopify served
//! earlier may be read after one it served later, and its older, higher level would hide
//! the later request's cost. A report is therefore taken as it is only when it is surely
//! the newest (its request was sent after every earlier report arrived); otherwise it may
//! only lower the prediction.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use futures::future::BoxFuture;
use serde_json::Value;
use tokio::sync::Notify;

/// The bucket as Shopify reported it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThrottleStatus {
    /// Bucket size.
    pub maximum_available: f64,
    /// Points available when the response was made.
    pub currently_available: f64,
    /// Points restored per second.
    pub restore_rate: f64,
}

/// `extensions.cost` of a response.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueryCost {
    /// What Shopify computed before running the query (and checked against the bucket).
    pub requested: f64,
    /// What it really cost (the difference is refunded); absent on throttled answers.
    pub actual: Option<f64>,
    /// The bucket after the request.
    pub throttle: ThrottleStatus,
}

impl QueryCost {
    /// Reads `extensions.cost`; numbers may be integers or floats.
    pub fn from_extensions(extensions: Option<&Value>) -> Option<Self> {
        let cost = extensions?.get("cost")?;
        let status = cost.get("throttleStatus")?;
        let maximum_available = status.get("maximumAvailable")?.as_f64()?;
        let restore_rate = status.get("restoreRate")?.as_f64()?;
        // A bucket report no real shop sends (found by fuzzing: a restore rate of 0 made the
        // pacer wait for ever) is ignored rather than believed.
        let credible = (1.0..f64::INFINITY).contains(&maximum_available)
            && (1.0..f64::INFINITY).contains(&restore_rate);
        if !credible {
            return None;
        }
        let currently_available = status.get("currentlyAvailable")?.as_f64()?;
        if !currently_available.is_finite() {
            return None;
        }
        Some(Self {
            requested: cost.get("requestedQueryCost")?.as_f64()?,
            actual: cost.get("actualQueryCost").and_then(Value::as_f64),
            throttle: ThrottleStatus {
                maximum_available,
                currently_available: currently_available.clamp(0.0, maximum_available),
                restore_rate,
            },
        })
    }
}

#[derive(Debug)]
struct State {
    /// The report the prediction rests on, and when it arrived.
    known: Option<(ThrottleStatus, Instant)>,
    /// When the latest report arrived, believed or not.
    last_report: Option<Instant>,
    /// Points promised to requests in flight.
    reserved: f64,
    /// Requests in flight before the first report: they go one at a time.
    probing: bool,
}

/// The largest requested cost a real answer carries (Shopify's single-query maximum).
const MAX_CREDIBLE_REQUESTED: f64 = 1000.0;

/// The shared bucket prediction of one client (one app on one shop): the in-process
/// [`Pacer`](crate::Pacer), and the default one.
#[derive(Debug)]
pub struct Throttle {
    state: Mutex<State>,
    changed: Notify,
    /// Per operation: how Shopify's requested cost compares to our static estimate.
    ratios: Mutex<HashMap<&'static str, f64>>,
    enabled: bool,
}

/// A reservation, returned to the bucket when the response arrives.
#[derive(Debug, Clone)]
pub struct Reservation {
    /// The points reserved.
    pub cost: f64,
    /// How long the request waited for them.
    pub waited: Duration,
    /// When the points were reserved: the request goes out after this.
    pub sent: Instant,
    /// The pacer's own handle on the reservation, if it needs one (e.g. a shared
    /// bucket's ticket).
    pub ticket: Option<String>,
}

impl Reservation {
    /// A reservation of `cost` points made now after waiting `waited`.
    pub fn new(cost: f64, waited: Duration) -> Self {
        Self {
            cost,
            waited,
            sent: Instant::now(),
            ticket: None,
        }
    }
}

impl Throttle {
    /// A pacer with nothing known yet; `enabled: false` lets every request go at once.
    pub fn new(enabled: bool) -> Self {
        Self {
            state: Mutex::new(State {
                known: None,
                last_report: None,
                reserved: 0.0,
                probing: false,
            }),
            changed: Notify::new(),
            ratios: Mutex::new(HashMap::new()),
            enabled,
        }
    }

    /// Our estimate for an operation: the static cost, scaled by what Shopify last
    /// requested for it relative to our static figure.
    pub(crate) fn estimate(&self, operation: &'static str, static_cost: u64) -> f64 {
        let ratio = lock(&self.ratios).get(operation).copied().unwrap_or(1.0);
        (static_cost as f64 * ratio).ceil()
    }

    /// Learns from a response how our estimate compares to Shopify's.
    pub(crate) fn learn(&self, operation: &'static str, static_cost: u64, requested: f64) {
        // Shopify refuses any query above 1000 requested points, so a larger figure is not
        // credible (found by fuzzing: learning 1e308 made every later call wait for a full
        // bucket).
        if static_cost > 0 && requested > 0.0 && requested <= MAX_CREDIBLE_REQUESTED {
            lock(&self.ratios).insert(operation, requested / static_cost as f64);
        }
    }

    /// Waits until `cost` points are predicted to be available, then reserves them.
    pub async fn acquire(&self, cost: f64) -> Reservation {
        let started = Instant::now();
        if !self.enabled {
            return Reservation::new(0.0, Duration::ZERO);
        }
        loop {
            let notified = self.changed.notified();
            let wait = {
                let mut state = lock(&self.state);
                match state.known {
                    // Nothing known yet: one request finds out, the others wait for it.
                    None if state.probing => None,
                    None => {
                        state.probing = true;
                        state.reserved += cost;
                        return Reservation::new(cost, started.elapsed());
                    }
                    Some((status, at)) => {
                        let predicted = predict(status, at, Instant::now()) - state.reserved;
                        // A cost above the bucket's size can never fit: send it when the
                        // bucket is full and let Shopify answer.
                        let target = cost.min(status.maximum_available);
                        if predicted >= target {
                            state.reserved += cost;
                            return Reservation::new(cost, started.elapsed());
                        }
                        let rate = status.restore_rate.max(0.001);
                        // Never longer than refilling the whole bucket takes.
                        let secs = ((target - predicted) / rate)
                            .min(status.maximum_available / rate)
                            .max(0.001);
                        Some(
                            Duration::try_from_secs_f64(secs)
                                .unwrap_or(Duration::from_secs(60))
                                .min(Duration::from_secs(60)),
                        )
                    }
                }
            };
            match wait {
                Some(wait) => {
                    tokio::select! {
                        () = tokio::time::sleep(wait) => {}
                        () = notified => {}
                    }
                }
                None => notified.await,
            }
        }
    }

    /// Returns a reservation and records the bucket a response reported.
    pub fn complete(&self, reservation: &Reservation, status: Option<ThrottleStatus>) {
        if !self.enabled {
            return;
        }
        {
            let mut state = lock(&self.state);
            state.reserved = (state.reserved - reservation.cost).max(0.0);
            state.probing = false;
            if let Some(status) = status {
                let now = Instant::now();
                // Sent after every report so far arrived: Shopify served it after all of
                // them, so its level is the newest there is.
                let newest = state.last_report.is_none_or(|last| reservation.sent > last);
                let take = match state.known {
                    None => true,
                    _ if newest => true,
                    // Served before or after the others, who knows: only a lower level is
                    // safe to believe (a higher one may predate costs already reported).
                    Some((known, at)) => {
                        status.currently_available <= predict(known, at, now)
                            || status.maximum_available != known.maximum_available
                            || status.restore_rate != known.restore_rate
                    }
                };
                state.last_report = Some(now);
                if take {
                    state.known = Some((status, now));
                }
            }
        }
        self.changed.notify_waiters();
    }

    /// The predicted points available now, if the bucket has been reported.
    pub fn available(&self) -> Option<f64> {
        let state = lock(&self.state);
        state
            .known
            .map(|(status, at)| predict(status, at, Instant::now()) - state.reserved)
    }
}

impl crate::Pacer for Throttle {
    fn acquire(&self, cost: f64) -> BoxFuture<'_, Reservation> {
        Box::pin(Throttle::acquire(self, cost))
    }

    fn complete(&self, reservation: Reservation, cost: Option<QueryCost>) -> BoxFuture<'_, ()> {
        Throttle::complete(self, &reservation, cost.map(|c| c.throttle));
        Box::pin(std::future::ready(()))
    }

    fn available(&self) -> Option<f64> {
        Throttle::available(self)
    }
}

fn predict(status: ThrottleStatus, at: Instant, now: Instant) -> f64 {
    let refilled =
        status.currently_available + status.restore_rate * now.duration_since(at).as_secs_f64();
    refilled.min(status.maximum_available)
}

// A poisoned lock only means another task panicked mid-update of plain numbers; the
// numbers are still usable.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn status(available: f64) -> ThrottleStatus {
        ThrottleStatus {
            maximum_available: 100.0,
            currently_available: available,
            restore_rate: 50.0,
        }
    }

    #[test]
    fn cost_is_read_from_extensions_with_integers_or_floats() {
        let extensions = json!({"cost": {"requestedQueryCost": 12, "actualQueryCost": 4.0,
            "throttleStatus": {"maximumAvailable": 2000, "currentlyAvailable": 1996, "restoreRate": 100}}});
        let cost = QueryCost::from_extensions(Some(&extensions)).expect("cost");
        assert_eq!(cost.requested, 12.0);
        assert_eq!(cost.actual, Some(4.0));
        assert_eq!(cost.throttle.currently_available, 1996.0);
        assert_eq!(QueryCost::from_extensions(Some(&json!({}))), None);
    }

    #[test]
    fn a_bucket_report_no_shop_sends_is_ignored() {
        // Found by fuzzing: a restore rate of 0 made the pacer wait for ever.
        let cost = |max: Value, available: Value, rate: Value| {
            QueryCost::from_extensions(Some(&json!({"cost": {"requestedQueryCost": 1,
                "throttleStatus": {"maximumAvailable": max, "currentlyAvailable": available, "restoreRate": rate}}})))
        };
        assert_eq!(cost(json!(2000), json!(10), json!(0)), None);
        assert_eq!(cost(json!(2000), json!(10), json!(-1)), None);
        assert_eq!(cost(json!(0), json!(0), json!(100)), None);
        assert_eq!(cost(json!(1e308), json!(10), json!(0.001)), None);
        let clamped = cost(json!(2000), json!(-1e308), json!(100)).expect("a sane bucket");
        assert_eq!(clamped.throttle.currently_available, 0.0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_waits_for_the_points_it_needs() {
        let throttle = Throttle::new(true);
        let first = throttle.acquire(10.0).await;
        throttle.complete(&first, Some(status(0.0)));
        let started = tokio::time::Instant::now();
        let second = throttle.acquire(25.0).await;
        // 25 points at 50/s: half a second.
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(490) && waited <= Duration::from_millis(600),
            "{waited:?}"
        );
        assert_eq!(second.cost, 25.0);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_requests_share_the_prediction() {
        let throttle = std::sync::Arc::new(Throttle::new(true));
        let first = throttle.acquire(1.0).await;
        throttle.complete(&first, Some(status(30.0)));
        // 30 available: the first two 15-point requests go at once, the third waits.
        let a = throttle.acquire(15.0).await;
        let b = throttle.acquire(15.0).await;
        assert!(a.waited + b.waited < Duration::from_millis(1));
        assert!(throttle.available().expect("known") < 1.0);
        let c = throttle.acquire(15.0).await;
        assert!(c.waited >= Duration::from_millis(250), "{:?}", c.waited);
    }

    #[tokio::test(start_paused = true)]
    async fn a_late_answer_with_an_older_higher_level_does_not_raise_the_prediction() {
        let throttle = Throttle::new(true);
        let probe = throttle.acquire(1.0).await;
        throttle.complete(&probe, Some(status(80.0)));
        // Two requests in flight together; Shopify serves the cheap one first (80 → 77)
        // and then the expensive one (77 → 16), but the expensive one's answer is read
        // first.
        let cheap = throttle.acquire(3.0).await;
        let expensive = throttle.acquire(61.0).await;
        throttle.complete(&expensive, Some(status(16.0)));
        throttle.complete(&cheap, Some(status(77.0)));
        let available = throttle.available().expect("known");
        assert!(available < 17.0, "{available}");
    }

    #[tokio::test(start_paused = true)]
    async fn an_answer_to_a_later_request_is_believed_even_when_higher() {
        let throttle = Throttle::new(true);
        let probe = throttle.acquire(1.0).await;
        throttle.complete(&probe, Some(status(10.0)));
        tokio::time::advance(Duration::from_millis(100)).await;
        // Sent after the last report arrived: Shopify served it later; its refund counts.
        let later = throttle.acquire(10.0).await;
        throttle.complete(&later, Some(status(40.0)));
        let available = throttle.available().expect("known");
        assert!((40.0..41.0).contains(&available), "{available}");
    }

    #[test]
    fn estimates_learn_from_shopify() {
        let throttle = Throttle::new(true);
        assert_eq!(throttle.estimate("Products", 12), 12.0);
        throttle.learn("Products", 12, 24.0);
        assert_eq!(throttle.estimate("Products", 12), 24.0);
        assert_eq!(throttle.estimate("Products", 5), 10.0);
    }

    #[test]
    fn a_requested_cost_no_real_query_has_is_not_learned() {
        let throttle = Throttle::new(true);
        throttle.learn("op", 2, 1e308);
        assert_eq!(throttle.estimate("op", 2), 2.0);
        throttle.learn("op", 2, 30.0);
        assert_eq!(throttle.estimate("op", 2), 30.0);
    }
}
