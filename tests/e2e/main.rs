//! End-to-end tests: the typed client and the CLI against the emulator, over real
//! loopback HTTP. Each module is one area:
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli; // shopify-admin commands: products with and without credentials
mod demo_data; // every seeded demo-shop object decodes through the typed queries
mod graphql; // introspection, pagination, writes then reads, user errors, error shapes, scopes
mod operations; // operations in graphql/ decode from the emulator's answers
mod resilience; // pacing, THROTTLED, 429, 5xx, resets, timeouts; writes never lost or doubled
mod tokens; // token exchange shared, renewed after expiry, replaced after revocation
mod tooling; // scopes, check, check-upgrade, schema pull, the emulator served over HTTP
