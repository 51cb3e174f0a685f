//! An offline emulator of Shopify's Admin GraphQL API.
//!
//! Real Shopify is out of reach from tests, benchmarks and the CLI's offline mode, so this crate
//! serves the same HTTP surface from a seeded demo shop: the client-credentials token exchange
//! and `POST /admin/api/{version}/graphql.json`, validated against the checked-in Admin schema
//! (via [`shopify_schema`]) and answered with graphql-ruby's error shapes as observed live.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use shopify_emulator::{App, Emulator};
//!
//! let running = Emulator::builder()
//!     .app(App::new("client-id", "client-secret", ["read_products", "write_products"]))
//!     .token_ttl(std::time::Duration::from_secs(2))
//!     .start()
//!     .await?;
//! let token_url = running.url().join("/admin/oauth/access_token")?;
//! println!("POST {token_url} with grant_type=client_credentials");
//! assert!(running.requests().is_empty());
//! drop(running); // the server stops and the port is released
//! # Ok(()) }
//! ```
//!
//! Rate limits and failures are part of the surface: every app+shop pair has a leaky
//! bucket of cost points, and tests inject faults on a deterministic schedule, then read
//! what happened from [`RunningEmulator::stats`] and [`RunningEmulator::writes`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use shopify_emulator::{Emulator, Fault, Schedule};
//!
//! let running = Emulator::builder()
//!     .bucket(100, 50) // 100 points, 50 restored per second
//!     .fault(Fault::ServerError { status: 503 }, Schedule::Next(2))
//!     .start()
//!     .await?;
//! running.inject(Fault::ResetAfterProcessing, Schedule::Every(5));
//! // ... drive a client against running.url() ...
//! let stats = running.stats();
//! println!("{} throttled, {} products created", stats.throttled, stats.writes_of("productCreate"));
//! running.clear_faults();
//! # Ok(()) }
//! ```
//!
//! # Module map
//! - [`config`]: [`App`], [`EmulatorBuilder`] and the demo credentials.
//! - `server`: the axum router, request recording, common response headers, the connection
//!   loop (so a fault can reset a connection), [`RunningEmulator`].
//! - `bucket`: the leaky bucket of cost points per app+shop ([`BucketStatus`]).
//! - `faults`: deterministic fault injection ([`Fault`], [`Schedule`]).
//! - `stats`: counters and the log of applied writes ([`Stats`], [`AppliedWrite`]).
//! - `oauth`: `POST /admin/oauth/access_token` and the token table.
//! - `graphql::bulk`, the bulk room: `bulkOperationRunQuery`, `bulkOperationRunMutation`,
//!   `bulkOperationCancel`, `bulkOperation(id:)` (status moves one step per read),
//!   `stagedUploadsCreate` with its `PUT /staged-uploads/{key}` target, result files at
//!   `GET /bulk-operations/{n}.jsonl` with `Range`, the 5-at-once limit and [`BulkFault`]s.
//! - `graphql`: the GraphQL pipeline, faults → auth → parse/validate → admission (cost
//!   limit, bucket, `@idempotent` check) → execute → refund and cost block → respond;
//!   submodules translate apollo-compiler diagnostics to graphql-ruby errors, coerce
//!   variables, resolve fields generically from JSON, paginate and search.
//! - `limits`: bounded work per request ([`Limits`]): body size and time on every route;
//!   document size, tokens, depth, selections (fragments expanded too), aliases, variables,
//!   fragments and the estimated size of introspection answers, refused before validation;
//!   `head_timeout`: a request head that trickles in is answered 408.
//! - `store`: the demo shop's data (`data/demo_shop.json`) and the mutations' writes.
#![warn(missing_docs)]

mod bucket;
pub mod config;
mod faults;
mod graphql;
mod head_timeout;
mod http;
mod limits;
mod oauth;
mod request_log;
mod server;
mod stats;
mod store;

pub use bucket::BucketStatus;
pub use config::{
    App, DEFAULT_BUCKET_SIZE, DEFAULT_RESTORE_RATE, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
    DEMO_SCOPES, DEMO_SHOP, EmulatorBuilder,
};
pub use faults::{Fault, Schedule};
pub use graphql::bulk::{
    BulkFault, MAX_MUTATION_LINES as MAX_BULK_MUTATION_LINES,
    MAX_RUNNING as MAX_RUNNING_BULK_OPERATIONS, MAX_UPLOAD as MAX_STAGED_UPLOAD_BYTES,
};
pub use limits::Limits;
pub use server::{InProcess, RecordedRequest, RunningEmulator};
pub use stats::{AppliedWrite, MAX_WRITES_KEPT, Stats};
pub use store::{MAX_ADJUSTMENT_GROUPS, MAX_IDEMPOTENCY_KEYS};

/// Entry point: `Emulator::builder()` configures and starts an emulator.
#[derive(Debug, Clone, Copy, Default)]
pub struct Emulator;

impl Emulator {
    /// A builder with the demo shop and the demo app.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }
}

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// The listening socket could not be bound.
    #[error("cannot bind the emulator to {addr}; pick another address or port")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The checked-in demo data does not load (a bug in `data/demo_shop.json`).
    #[error("the emulator's seed data is invalid: {0}")]
    Seed(String),
}
