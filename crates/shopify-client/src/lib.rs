//! The runtime of the typed Shopify Admin GraphQL client.
//!
//! The typed operations generated from `graphql/` (crate `shopify-queries`) are built on
//! this crate: [`Client`] sends them, [`codec`] decodes their responses, [`scalars`]
//! maps Shopify's custom scalars to Rust types, and [`Error`] says what went wrong with
//! the evidence (HTTP status, request id, GraphQL codes and paths, the JSON path of a
//! decode failure).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use serde_json::json;
//!
//! // SHOPIFY_SHOP, SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET, from the environment or .env
//! let client = shopify_client::Client::from_env()?;
//! let body = json!({"query": "{ shop { name } }"});
//! let answer = client.execute_raw("2026-10", &body).await?;
//! println!("{}", answer.data["shop"]["name"]);
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

mod body;
mod builder;
pub mod bulk;
pub mod bulk_codec;
mod client;
pub mod codec;
pub mod cost;
mod error;
#[cfg(feature = "redis")]
mod fleet;
#[cfg(not(feature = "redis"))]
#[path = "no_fleet.rs"]
mod fleet;
mod include;
mod macros;
mod outcome;
mod pacer;
mod pagination;
mod retry;
pub mod scalars;
mod throttle;
mod user_errors;

/// The stream traits a [`PageStream`] is used with (`try_collect`, `try_next`), so a
/// program needs no `futures` dependency of its own.
pub use futures::{Stream, StreamExt, TryStreamExt};

pub use body::DEFAULT_MAX_RESPONSE_BYTES;
pub use builder::{Auth, BuildError, ClientBuilder};
pub use client::{
    Client, DEFAULT_TIMEOUT, EXCERPT_BYTES, Response, encode_request_body, request_body,
};

/// A fresh idempotency key, as the client draws one per call (a v4 UUID).
#[doc(hidden)]
pub fn __new_idempotency_key() -> String {
    uuid::Uuid::new_v4().to_string()
}
pub use error::{Attempt, Error, GraphqlError, GraphqlErrors, PathSegment};
pub use pacer::Pacer;
pub use pagination::{PageStream, paginate};
pub use retry::RetryPolicy;
pub use shopify_auth;
#[cfg(feature = "redis")]
pub use shopify_redis;
/// The environment variable (or `.env` line) naming the fleet's Redis: `redis://host:port`.
pub const REDIS_URL_VAR: &str = "SHOPIFY_REDIS_URL";
pub use throttle::{QueryCost, Reservation, Throttle, ThrottleStatus};
pub use user_errors::{HasUserErrors, UserError, UserErrors};

/// Query or mutation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperationKind {
    /// A read; safe to retry.
    Query,
    /// A write.
    Mutation,
}

/// What the build knows about one generated operation, for tools that list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// The operation name, e.g. `ProductsPage`.
    pub name: &'static str,
    /// The module and function name, e.g. `products_page`.
    pub module: &'static str,
    /// The source file, e.g. `graphql/products_page.graphql`.
    pub file: &'static str,
    /// Query or mutation.
    pub kind: OperationKind,
    /// The exact text sent.
    pub query: &'static str,
    /// Access scopes needed: every inner list met by any one of its scopes.
    pub required_scopes: &'static [&'static [&'static str]],
}

/// Whether a mutation can be sent twice without writing twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Idempotency {
    /// No idempotency key: after an ambiguous failure it is not retried.
    None,
    /// The operation declares `@idempotent(key: $variable)` and the client fills each
    /// variable with a fresh key per call, the same for every retry of that call.
    Generated {
        /// The variable names, without `$`.
        variables: &'static [&'static str],
    },
    /// The caller supplies the key in the variables.
    Supplied,
}

/// An operation generated from a `.graphql` file.
pub trait Operation: Send + Sync + 'static {
    /// The operation name.
    const NAME: &'static str;
    /// The exact text sent.
    const QUERY: &'static str;
    /// Query or mutation.
    const KIND: OperationKind;
    /// The Admin API version of the schema the operation was checked against; requests
    /// go to this version.
    const API_VERSION: &'static str;
    /// The variables.
    type Variables: codec::ToJson + Send + Sync;
    /// The decoded `data`.
    type Response: codec::FromJson + Send;

    /// How the operation may be retried after an ambiguous failure.
    const IDEMPOTENCY: Idempotency = Idempotency::None;

    /// Access scopes the app needs: every inner list must be met by any one of its
    /// scopes (`write_x` also grants `read_x`).
    const REQUIRED_SCOPES: &'static [&'static [&'static str]] = &[];

    /// The requested query cost Shopify will compute for these variables, from the
    /// static cost rules (see `shopify_schema::cost`).
    fn requested_cost(variables: &Self::Variables) -> u64;
}
