//! End-to-end tests: the typed client and the CLI against the emulator, over real
//! loopback HTTP. Each module is one area:
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod architecture; // the dependency rules of ARCHITECTURE.md, from cargo metadata
mod bulk_client; // bulk runs through the client: streamed variables files, paced polls
mod bulk_rows; // rows and lines generated from graphql/bulk/: export, import round trip, bad lines
mod cli; // shopify-admin commands: products with and without credentials
mod demo_data; // every seeded demo-shop object decodes through the typed queries
mod every_operation; // every operation in graphql/ decodes from the emulator's answer
mod external_crate; // a crate outside the workspace: its own graphql/, one-line build.rs, run and broken
mod first_program; // a user's first program: Client::from_env with the emulator's .env lines
mod fleet; // many processes, one shop: token and budget shared through a real redis-server
mod fuzz; // the short version of every fuzz target, and inputs that once failed
#[path = "../fuzz/targets.rs"]
mod fuzz_targets; // the fuzz targets, shared with `--bench fuzz`
mod graphql; // introspection, pagination, writes then reads, user errors, error shapes, scopes
mod hostile; // issue 12's check: hostile requests over raw TCP to the CLI's served emulator
mod operations; // typed results of a few operations, and graphql_client compatibility
mod request_bodies; // the exact request body of every operation (snapshots)
mod resilience; // pacing, THROTTLED, 429, 5xx, resets, timeouts; writes never lost or doubled
mod tokens; // token exchange shared, renewed after expiry, replaced after revocation
mod tooling; // scopes, check, check-upgrade, schema pull, the emulator served over HTTP
