//! Many processes, one shop: one access token and one rate-limit budget for a fleet of
//! processes (job workers, cron jobs, web replicas) of one app on one shop, kept in Redis.
//!
//! Shopify keeps one cost bucket per app and shop, and each grant of the client-credentials
//! flow is a new token. Processes that each fetch their own token and pace against their
//! own picture of the bucket overrun it together. With a [`Fleet`]:
//!
//! - [`FleetTokens`] (a [`TokenSource`](shopify_auth::TokenSource)) keeps one token per app
//!   and shop in Redis, sealed with AES-256-GCM under a key derived from the client secret
//!   (HKDF-SHA256), renewed by one process at a time under a lock, replaced after a 401
//!   only if it is still the rejected one.
//! - [`FleetBucket`] keeps one leaky bucket per app and shop, updated atomically by Lua
//!   scripts on Redis' clock: reserve before a request, settle (refund and resync) after.
//! - Redis going away is not an outage: both fall back to the process's own token cache and
//!   pacing (at its share of the rate), say so once in the log, and return to the shared
//!   state when Redis is back.
//!
//! Keys are `shopify:{hash of client id and shop}:…`; nothing secret is in a key name.
//! The client (`shopify-client`, default feature `redis`) wires this in when
//! `SHOPIFY_REDIS_URL` is set; using it directly:
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use shopify_auth::{ClientCredentials, Credentials, TokenSource};
//! use shopify_redis::{Admission, Fleet, FleetConfig};
//!
//! let credentials = Credentials::from_env()?;
//! let fleet = Fleet::new("redis://127.0.0.1:6379", &credentials, FleetConfig::default())?;
//! let tokens = fleet.tokens(ClientCredentials::new(credentials)?);
//! let token = tokens.token().await?; // one grant for the whole fleet
//! # drop(token);
//! let bucket = fleet.bucket();
//! if let Some(Admission::Go(ticket)) = bucket.reserve(12.0).await {
//!     // ... send the request, then give back what it did not use:
//!     bucket.settle(&ticket, 8.0, None).await;
//! }
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

mod bucket;
mod conn;
mod seal;
mod tokens;

use std::time::Duration;

use shopify_auth::{ClientCredentials, Credentials, ExposeSecret, ShopDomain};

pub use bucket::{Admission, BucketReport, FleetBucket, Ticket};
pub use conn::ROUND_TRIP_TIMEOUT;
pub use tokens::{DEFAULT_LOCK_TTL, DEFAULT_RENEWAL_MARGIN, FleetTokens};

/// The environment variable (or `.env` line) that turns the fleet on, e.g.
/// `SHOPIFY_REDIS_URL=redis://127.0.0.1:6379`.
pub const REDIS_URL_VAR: &str = "SHOPIFY_REDIS_URL";

/// Tuning; the defaults suit production.
#[derive(Debug, Clone)]
pub struct FleetConfig {
    /// How long the renewal lock is held at most: a process that dies holding it delays
    /// the others by at most this (default 10 s).
    pub lock_ttl: Duration,
    /// Renew the shared token this long before it expires (default 60 s; at most half
    /// its life).
    pub renewal_margin: Duration,
}

impl Default for FleetConfig {
    fn default() -> Self {
        Self {
            lock_ttl: DEFAULT_LOCK_TTL,
            renewal_margin: DEFAULT_RENEWAL_MARGIN,
        }
    }
}

/// Why a fleet could not be set up. Redis being down is not one: that is a fallback.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FleetError {
    /// The Redis URL does not parse.
    #[error("{REDIS_URL_VAR} is not a valid Redis URL (e.g. redis://127.0.0.1:6379): {reason}")]
    InvalidUrl {
        /// What is wrong with it (never the URL itself: it may hold a password).
        reason: String,
    },
}

/// The shared state of one app on one shop in one Redis. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Fleet {
    conn: conn::Conn,
    prefix: String,
    sealer_input: SealerInput,
    config: FleetConfig,
}

#[derive(Clone)]
struct SealerInput {
    secret: shopify_auth::SecretString,
    client_id: String,
    shop: String,
}

impl std::fmt::Debug for SealerInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealerInput")
            .field("client_id", &self.client_id)
            .field("shop", &self.shop)
            .finish_non_exhaustive()
    }
}

impl Fleet {
    /// A fleet for the app and shop of `credentials` on the Redis at `url`. Connects
    /// lazily: a Redis that is down now is not an error.
    pub fn new(
        url: &str,
        credentials: &Credentials,
        config: FleetConfig,
    ) -> Result<Self, FleetError> {
        Self::for_app(
            url,
            &credentials.shop,
            &credentials.client_id,
            credentials.client_secret.clone(),
            config,
        )
    }

    /// A fleet sharing only the budget, for a client with a token from elsewhere: keyed by
    /// the shop alone.
    pub fn for_shop(url: &str, shop: &ShopDomain, config: FleetConfig) -> Result<Self, FleetError> {
        Self::for_app(url, shop, "", shopify_auth::SecretString::from(""), config)
    }

    fn for_app(
        url: &str,
        shop: &ShopDomain,
        client_id: &str,
        secret: shopify_auth::SecretString,
        config: FleetConfig,
    ) -> Result<Self, FleetError> {
        let client = redis::Client::open(url.trim()).map_err(|e| FleetError::InvalidUrl {
            reason: format!("{:?}", e.kind()),
        })?;
        let conn = conn::Conn::new(client).map_err(|e| FleetError::InvalidUrl {
            reason: format!("{:?}", e.kind()),
        })?;
        Ok(Self {
            conn,
            prefix: format!("shopify:{}", seal::digest(&[client_id, shop.as_str()])),
            sealer_input: SealerInput {
                secret,
                client_id: client_id.to_owned(),
                shop: shop.as_str().to_owned(),
            },
            config,
        })
    }

    /// The prefix of every key this fleet uses.
    pub fn key_prefix(&self) -> &str {
        &self.prefix
    }

    /// The shared token source; `local` is used to fetch tokens and, while Redis is away,
    /// as this process's own cache.
    pub fn tokens(&self, local: ClientCredentials) -> FleetTokens {
        let input = &self.sealer_input;
        FleetTokens::new(
            self.conn.clone(),
            seal::Sealer::new(input.secret.expose_secret(), &input.client_id, &input.shop),
            &self.prefix,
            local,
            self.config.lock_ttl,
            self.config.renewal_margin,
        )
    }

    /// The shared bucket.
    pub fn bucket(&self) -> FleetBucket {
        FleetBucket::new(self.conn.clone(), &self.prefix)
    }
}
