//! A client for the configured shop, or for the built-in demo shop.

use std::io::Write;

use anyhow::Context;
use shopify_auth::{Credentials, ShopDomain};
use shopify_client::REDIS_URL_VAR;
use shopify_emulator::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SHOP, Emulator, RunningEmulator};
use shopify_queries::Client;
use url::Url;

use crate::{Env, Io};

/// Overrides where requests go (token exchange included), for pointing the CLI at an
/// emulator served by `shopify-admin emulator`. Not needed for real shops.
pub use shopify_auth::BASE_URL_VAR;

/// A client, and the emulator behind it when there is no shop configured.
pub struct Connection {
    pub client: Client,
    /// Kept alive for as long as the client is used.
    pub _emulator: Option<RunningEmulator>,
}

/// Connects to the shop in `SHOPIFY_*` (environment or `.env`), or, when none of the
/// three variables is set, to the demo shop of an emulator started here. With only some
/// set, fails naming the missing ones: no silent fallback.
pub async fn connect(io: &mut Io) -> anyhow::Result<Connection> {
    let base_url = base_url_override(&io.env)?;
    match io.env.credentials()? {
        Some(credentials) => {
            let mut builder = Client::builder().credentials(credentials);
            if let Some(url) = base_url {
                builder = builder.base_url(url);
            }
            // A fleet of processes shares one token and one rate-limit budget.
            if let Some(url) = io.env.var(REDIS_URL_VAR)? {
                builder = builder.redis(url);
            }
            Ok(Connection {
                client: builder.build()?,
                _emulator: None,
            })
        }
        None => {
            let emulator = Emulator::builder()
                .start()
                .await
                .context("starting the built-in demo shop")?;
            writeln!(
                io.stderr,
                "No SHOPIFY_SHOP, SHOPIFY_CLIENT_ID or SHOPIFY_CLIENT_SECRET set: using the built-in demo shop (Admin API emulator at {}).",
                emulator.url()
            )?;
            let credentials = Credentials::new(
                ShopDomain::parse(DEMO_SHOP)?,
                DEMO_CLIENT_ID,
                DEMO_CLIENT_SECRET,
            );
            let client = Client::builder()
                .credentials(credentials)
                .base_url(emulator.url())
                .build()?;
            Ok(Connection {
                client,
                _emulator: Some(emulator),
            })
        }
    }
}

/// Read where `Client::from_env` reads it, so the CLI and a user's program agree.
fn base_url_override(env: &Env) -> anyhow::Result<Option<Url>> {
    Ok(env.base_url()?)
}
