//! Integration tests for `shopify-auth`, against a real HTTP server on
//! 127.0.0.1 standing in for Shopify's token endpoint.

// Test helpers outside #[test] fns unwrap too: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

mod cache; // expiry and renewal, single flight, invalidation under concurrency
mod errors; // every failure answer mapped to its `AuthError`
mod exchange; // the request we send and how a good answer is read
mod secrets; // the client secret and tokens never show in Debug or errors (logs: tests/logs.rs)
mod support; // the fake token endpoint
