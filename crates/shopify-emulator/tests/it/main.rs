//! Integration tests: a real emulator on 127.0.0.1:0, driven over HTTP with reqwest.
//!
//! Table of contents:

// Helpers outside #[test] functions panic on purpose: a failed request is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth; // 401 shapes: missing, unknown, revoked, expired, wrong shop; 400 bodies
mod bulk; // bulk room: status steps, ungrouped lines, limit, faults, Range, bulk mutations
mod cost; // cost block, refunds to actual, MAX_COST_EXCEEDED, THROTTLED, refill, per app+shop
mod defaults; // unseeded non-null fields answer plausibly, without errors
mod faults; // injected faults over raw HTTP: 429, 5xx, resets before/after, delay, bad JSON, 401
mod hostile; // hostile requests: refused within 2 s, no 5xx, the shop still answers
mod idempotency; // @idempotent required and replayed by key; inventorySetQuantities for real
mod introspection; // __schema, __type, __typename
mod lookups; // node/nodes, by id and handle, inventory, shop
mod mutations; // productCreate/Update/Delete, metafieldsSet
mod oauth; // client-credentials grant and its errors
mod pagination; // cursors both ways, window errors, search and sort
mod server; // headers, version fall-forward, recording, shutdown on drop
mod support; // harness shared by the above
mod validation; // static errors as graphql-ruby shapes them (golden snapshots)
mod writes; // customers, collections, draft orders, metaobjects, webhooks, variants, tags: user errors
