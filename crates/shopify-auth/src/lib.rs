//! Access tokens for Shopify's Admin API.
//!
//! This crate owns everything between "I have an app's credentials" and "here
//! is a token for the `X-Shopify-Access-Token` header", and knows nothing
//! about GraphQL:
//!
//! - [`ShopDomain`]: the one accepted spelling of a shop,
//!   `my-store.myshopify.com`, parsed from what people paste.
//! - [`Credentials`]: shop, client id and client secret, from the environment
//!   or a `.env` file.
//! - [`TokenSource`]: what a client holds (`Arc<dyn TokenSource>`) to get a
//!   token and to report one that Shopify rejected. [`StaticToken`] wraps a
//!   token obtained elsewhere; [`ClientCredentials`] exchanges the client id
//!   and secret for tokens and caches them, with one request however many
//!   callers ask at once.
//! - [`http_client_builder`]: how the workspace builds HTTP clients (rustls,
//!   no redirects).
//!
//! Secrets (the client secret, tokens) never appear in `Debug` output, error
//! messages or logs; they are reachable only through explicit accessors.
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use shopify_auth::{ClientCredentials, Credentials, TokenSource};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // SHOPIFY_SHOP, SHOPIFY_CLIENT_ID, SHOPIFY_CLIENT_SECRET, or ./.env
//! let credentials = Credentials::from_env()?;
//! let source: Arc<dyn TokenSource> = Arc::new(ClientCredentials::new(credentials)?);
//!
//! let token = source.token().await?; // one request, then cached
//! let header = token.header_value()?; // for `X-Shopify-Access-Token`
//! # drop(header);
//! // ... and after Shopify answers 401 with this token:
//! source.invalidate(&token); // the next `token()` fetches a fresh one
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

mod client_credentials;
mod clock;
mod credentials;
mod error;
mod http;
mod shop_domain;
mod source;
mod token;

pub use client_credentials::{
    ClientCredentials, ClientCredentialsBuilder, DEFAULT_REFRESH_MARGIN, DEFAULT_TIMEOUT,
    EXCERPT_CHARS,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use credentials::{
    BASE_URL_VAR, CLIENT_ID_VAR, CLIENT_SECRET_VAR, Credentials, CredentialsError, SHOP_VAR,
    base_url_from_env, base_url_from_lookup, var_from_env, var_from_lookup,
};
pub use error::AuthError;
pub use http::{CONNECT_TIMEOUT, USER_AGENT, http_client_builder, install_crypto_provider};
pub use shop_domain::{SHOP_DOMAIN_HEADER, ShopDomain, ShopDomainError, ShopDomainErrorKind};
pub use source::{StaticToken, TokenSource};
pub use token::{ACCESS_TOKEN_HEADER, AccessToken, Scopes};

// Re-exported so callers can name the secret type without depending on secrecy.
pub use secrecy::{ExposeSecret, SecretString};
