//! The fleet wiring (feature `redis`): one token and one budget for every process of an
//! app on a shop, through `shopify-redis`. Only this module knows that crate; the request
//! path sees a [`TokenSource`](shopify_auth::TokenSource) and a [`Pacer`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use shopify_redis::{Admission, BucketReport, Fleet, FleetBucket, Ticket};

use crate::throttle::{QueryCost, Reservation, Throttle};
use crate::{ClientBuilder, Pacer};

use crate::REDIS_URL_VAR;

/// Paces on the fleet's shared bucket; while Redis is away, on this process's own
/// prediction at its share of the rate (the restore rate divided by the processes last
/// seen), and back on the shared bucket as soon as Redis answers again.
#[derive(Debug)]
pub(crate) struct FleetPacer {
    bucket: FleetBucket,
    local: Throttle,
}

impl FleetPacer {
    pub(crate) fn new(fleet: &Fleet) -> Self {
        Self {
            bucket: fleet.bucket(),
            local: Throttle::new(true),
        }
    }
}

impl Pacer for FleetPacer {
    fn acquire(&self, cost: f64) -> BoxFuture<'_, Reservation> {
        Box::pin(async move {
            let started = Instant::now();
            loop {
                match self.bucket.reserve(cost).await {
                    Some(Admission::Go(ticket)) => {
                        let mut reservation = Reservation::new(cost, started.elapsed());
                        reservation.ticket = Some(ticket.encode());
                        return reservation;
                    }
                    // Short sleeps: the wait was computed before others settled.
                    Some(Admission::Wait(wait)) => {
                        tokio::time::sleep(wait.min(Duration::from_millis(250))).await;
                    }
                    None => {
                        // Charging `share` times the cost paces at rate / share.
                        let share = self.bucket.live_clients() as f64;
                        let mut reservation = self.local.acquire(cost * share).await;
                        reservation.waited = started.elapsed();
                        return reservation;
                    }
                }
            }
        })
    }

    fn complete(&self, reservation: Reservation, cost: Option<QueryCost>) -> BoxFuture<'_, ()> {
        let status = cost.map(|c| c.throttle);
        let Some(ticket) = reservation.ticket.as_deref().and_then(Ticket::decode) else {
            self.local.complete(&reservation, status);
            return Box::pin(std::future::ready(()));
        };
        // Keeps this process's own picture current for when Redis goes away.
        self.local
            .complete(&Reservation::new(0.0, Duration::ZERO), status);
        let refund = match cost {
            Some(QueryCost {
                actual: Some(actual),
                ..
            }) => ticket.cost() - actual,
            // Throttled: Shopify took nothing.
            Some(_) => ticket.cost(),
            // No answer to learn from: the request may have run; keep the charge.
            None => 0.0,
        };
        let report = status.map(|s| BucketReport {
            maximum_available: s.maximum_available,
            currently_available: s.currently_available,
            restore_rate: s.restore_rate,
        });
        Box::pin(async move {
            // Redis away: already said in the log; the reservation expires there.
            let _ = self.bucket.settle(&ticket, refund, report).await;
        })
    }

    fn available(&self) -> Option<f64> {
        self.local.available()
    }
}

/// Applies `SHOPIFY_REDIS_URL` (environment, else `./.env`), when set, to a builder.
pub(crate) fn from_env(builder: ClientBuilder) -> Result<ClientBuilder, crate::BuildError> {
    Ok(match shopify_auth::var_from_env(REDIS_URL_VAR)? {
        Some(url) => builder.redis(url),
        None => builder,
    })
}

pub(crate) fn pacer(fleet: &Fleet) -> Arc<dyn Pacer> {
    Arc::new(FleetPacer::new(fleet))
}

/// The fleet for this app and shop (or, with a token from elsewhere, this shop alone).
pub(crate) fn connect(
    url: &str,
    shop: &shopify_auth::ShopDomain,
    credentials: Option<&shopify_auth::Credentials>,
) -> Result<Fleet, crate::BuildError> {
    let config = shopify_redis::FleetConfig::default();
    match credentials {
        Some(credentials) => Fleet::new(url, credentials, config),
        None => Fleet::for_shop(url, shop, config),
    }
    .map_err(|e| crate::BuildError::Fleet(e.to_string()))
}

pub(crate) fn tokens(
    fleet: &Fleet,
    local: shopify_auth::ClientCredentials,
) -> Arc<dyn shopify_auth::TokenSource> {
    Arc::new(fleet.tokens(local))
}
