//! Typed async functions for every operation in the workspace's `graphql/` folder.
//!
//! Each `graphql/<name>.graphql` holds one operation; the build checks it against the
//! Admin schema in `schema/` and generates a module `<name>` (its `Variables`,
//! `ResponseData` and nested types) and an async function `<name>(&client, variables)`.
//!
//! ```no_run
//! use shopify_queries::{products, Client};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::from_env()?;
//! let data = products(&client, products::Variables { first: 10 }).await?;
//! for edge in data.products.edges {
//!     println!("{} {}", edge.node.id, edge.node.title);
//! }
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

pub use shopify_client::*;

shopify_client::include_operations!();

/// The operations manifest, written at build time: per operation its name, file, exact
/// text and its sha256, required access scopes, protected fields, static cost,
/// idempotency and deprecated fields used (JSON).
pub const MANIFEST_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/manifest.json"));

// The README's Rust program is compiled as a doctest, so it cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
