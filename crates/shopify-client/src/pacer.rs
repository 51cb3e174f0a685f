//! Pacing against the rate-limit bucket, behind a small trait so the budget can live in
//! this process ([`Throttle`](crate::Throttle), the default) or be shared by a fleet of
//! processes (Redis, crate `shopify-redis`, feature `redis`).

use futures::future::BoxFuture;

use crate::throttle::{QueryCost, Reservation};

/// Holds requests until the bucket can take their cost, and learns from the answers.
///
/// Both steps are one call each, so an implementation keeping the bucket elsewhere costs
/// at most one round trip before and one after a request. Neither can fail: an
/// implementation that loses its store paces on its own instead.
pub trait Pacer: Send + Sync + std::fmt::Debug {
    /// Waits until `cost` points are available, then reserves them.
    fn acquire(&self, cost: f64) -> BoxFuture<'_, Reservation>;

    /// Settles a reservation with the answer's cost block, if there was one: refunds down
    /// to the actual cost and resyncs level, size and restore rate from `throttleStatus`.
    fn complete(&self, reservation: Reservation, cost: Option<QueryCost>) -> BoxFuture<'_, ()>;

    /// The points predicted to be available now, if known here.
    fn available(&self) -> Option<f64> {
        None
    }
}
