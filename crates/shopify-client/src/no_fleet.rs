//! Without the `redis` feature: `SHOPIFY_REDIS_URL` and `ClientBuilder::redis` are refused
//! with a clear error rather than silently ignored.

use std::sync::Arc;

use crate::{BuildError, ClientBuilder, Pacer};

/// Never built: there is no fleet without the feature.
#[derive(Debug)]
pub(crate) enum Fleet {}

pub(crate) fn from_env(builder: ClientBuilder) -> Result<ClientBuilder, crate::BuildError> {
    Ok(match shopify_auth::var_from_env(crate::REDIS_URL_VAR)? {
        Some(url) => builder.redis(url),
        None => builder,
    })
}

pub(crate) fn connect(
    _url: &str,
    _shop: &shopify_auth::ShopDomain,
    _credentials: Option<&shopify_auth::Credentials>,
) -> Result<Fleet, BuildError> {
    Err(BuildError::Fleet(format!(
        "{} is set, but this build has no Redis support: turn on the `redis` feature \
             (of shopify-client or shopify-queries; the CLI: `cargo run -p shopify-admin --features redis`), \
             or unset it",
        crate::REDIS_URL_VAR
    )))
}

pub(crate) fn tokens(
    fleet: &Fleet,
    _local: shopify_auth::ClientCredentials,
) -> Arc<dyn shopify_auth::TokenSource> {
    match *fleet {}
}

pub(crate) fn pacer(fleet: &Fleet) -> Arc<dyn Pacer> {
    match *fleet {}
}
