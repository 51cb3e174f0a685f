//! The reference example's query against a real shop: the first products' ids, titles
//! and handles.
//!
//! Needs `SHOPIFY_SHOP`, `SHOPIFY_CLIENT_ID` and `SHOPIFY_CLIENT_SECRET` in the
//! environment or in `.env` (see the README), then:
//!
//! ```sh
//! cargo run -p shopify-queries --example products -- 5
//! ```
//!
//! (Without credentials, `cargo run -p shopify-admin -- products` runs the same query
//! against the built-in demo shop.)

use anyhow::Context;
use shopify_queries::{Client, products};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let first: i32 = match std::env::args().nth(1) {
        Some(n) => n
            .parse()
            .context("the argument is how many products to print, 1-250")?,
        None => 10,
    };
    let client =
        Client::from_env().context("reading SHOPIFY_* credentials (environment or .env)")?;
    let data = products(&client, products::Variables { first })
        .await
        .with_context(|| format!("querying products of {}", client.shop()))?;
    for edge in data.products.edges {
        println!(
            "{}  {}  {}",
            edge.node.id, edge.node.title, edge.node.handle
        );
    }
    Ok(())
}
