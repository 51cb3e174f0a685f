//! End-to-end tests: the typed client and the CLI against the emulator, over real
//! loopback HTTP. Each module is one area:
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli; // the shopify-admin binary: products with and without credentials, emulator serving
mod operations; // every operation in graphql/ decodes from the emulator's answer
