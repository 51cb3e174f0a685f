//! Configuring a [`Client`]: whose tokens it uses, where it sends, how it paces.

use std::sync::Arc;
use std::time::Duration;

use shopify_auth::{ClientCredentials, Credentials, ShopDomain, TokenSource, http_client_builder};
use url::Url;

use crate::body::DEFAULT_MAX_RESPONSE_BYTES;
use crate::client::{Client, DEFAULT_TIMEOUT, Inner};
use crate::retry::RetryPolicy;
use crate::throttle::Throttle;
use crate::{Pacer, fleet};

/// Where a client's access tokens come from. One choice, so a client can never be
/// configured with two sources (or a token source without its shop).
///
/// ```
/// use std::sync::Arc;
///
/// use shopify_client::shopify_auth::{ShopDomain, StaticToken};
/// use shopify_client::{Auth, Client};
///
/// // A custom app's fixed Admin API access token.
/// let shop = ShopDomain::parse("my-store")?;
/// let tokens = Arc::new(StaticToken::new("shpat_example"));
/// let client = Client::builder()
///     .auth(Auth::TokenSource { shop, tokens })
///     .build()?;
/// assert_eq!(client.shop().as_str(), "my-store.myshopify.com");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Auth {
    /// Exchange the app's credentials for tokens (client-credentials grant), cached and
    /// renewed before they expire. The shop is the credentials' shop.
    ClientCredentials(Credentials),
    /// Tokens from elsewhere for `shop`: a fixed access token
    /// ([`shopify_auth::StaticToken`]) or any custom [`TokenSource`].
    TokenSource {
        /// The shop the tokens are for.
        shop: ShopDomain,
        /// Hands out the tokens.
        tokens: Arc<dyn TokenSource>,
    },
}

impl Auth {
    /// The shop these tokens are for.
    pub fn shop(&self) -> &ShopDomain {
        match self {
            Auth::ClientCredentials(credentials) => &credentials.shop,
            Auth::TokenSource { shop, .. } => shop,
        }
    }

    fn credentials(&self) -> Option<&Credentials> {
        match self {
            Auth::ClientCredentials(credentials) => Some(credentials),
            Auth::TokenSource { .. } => None,
        }
    }
}

/// Builds a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    auth: Option<Auth>,
    base_url: Option<Url>,
    timeout: Duration,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    pacing: bool,
    max_response_bytes: usize,
    pacer: Option<Arc<dyn Pacer>>,
    redis_url: Option<String>,
}

/// A client that cannot be built as configured.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// Neither credentials nor a token source was given.
    #[error(
        "a client needs credentials (ClientBuilder::credentials) or a shop and a token source (ClientBuilder::token_source)"
    )]
    MissingAuth,
    /// The HTTP client could not be built.
    #[error("could not build the HTTP client")]
    Http(#[source] reqwest::Error),
    /// The token source could not be built.
    #[error("could not set up the token exchange")]
    Auth(#[from] shopify_auth::AuthError),
    /// The credentials could not be read.
    #[error(transparent)]
    Credentials(#[from] shopify_auth::CredentialsError),
    /// A Redis URL was given but cannot be used.
    #[error("cannot share the token and rate limit through Redis: {0}")]
    Fleet(String),
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            auth: None,
            base_url: None,
            timeout: DEFAULT_TIMEOUT,
            http: None,
            retry: RetryPolicy::default(),
            pacing: true,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            pacer: None,
            redis_url: None,
        }
    }
}

impl ClientBuilder {
    /// Where the tokens come from; replaces any earlier choice.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Exchange these credentials for tokens (client-credentials grant), cached and
    /// renewed before they expire. Sets the shop too. Short for
    /// `.auth(Auth::ClientCredentials(credentials))`.
    pub fn credentials(self, credentials: Credentials) -> Self {
        self.auth(Auth::ClientCredentials(credentials))
    }

    /// Use tokens from elsewhere (e.g. [`shopify_auth::StaticToken`]) for `shop`. Short
    /// for `.auth(Auth::TokenSource { shop, tokens })`.
    pub fn token_source(self, shop: ShopDomain, tokens: Arc<dyn TokenSource>) -> Self {
        self.auth(Auth::TokenSource { shop, tokens })
    }

    /// Send requests (token exchange included) to this origin instead of
    /// `https://{shop}.myshopify.com`. Exists for tests and the local emulator. Every
    /// request then names the shop in [`shopify_auth::SHOP_DOMAIN_HEADER`], so an
    /// emulator that does not serve that shop refuses it, as Shopify would.
    pub fn base_url(mut self, base_url: Url) -> Self {
        self.base_url = Some(base_url);
        self
    }

    /// How long one request may take (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How transient failures are retried (default [`RetryPolicy::default`]).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Whether requests wait for the rate-limit bucket to hold their cost before they
    /// are sent (default on). Off, the client only reacts to `THROTTLED` answers.
    pub fn pacing(mut self, pacing: bool) -> Self {
        self.pacing = pacing;
        self
    }

    /// The longest answer read, in bytes (default [`DEFAULT_MAX_RESPONSE_BYTES`], 32 MiB);
    /// a longer one fails with [`crate::Error::ResponseTooLarge`] without being buffered.
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.max_response_bytes = max;
        self
    }

    /// Pace with this instead of the in-process [`Throttle`], e.g. a budget shared by
    /// several processes.
    pub fn pacer(mut self, pacer: Arc<dyn Pacer>) -> Self {
        self.pacer = Some(pacer);
        self
    }

    /// Share one token and one rate-limit budget with every other process of this app on
    /// this shop through the Redis at `url` (e.g. `redis://127.0.0.1:6379`); what
    /// `SHOPIFY_REDIS_URL` does in [`Client::from_env`]. Redis being down then is not an
    /// error: each process falls back to its own token and pacing until it is back.
    /// Needs the `redis` feature (on by default).
    pub fn redis(mut self, url: impl Into<String>) -> Self {
        self.redis_url = Some(url.into());
        self
    }

    /// Use this HTTP client. Build it from [`shopify_auth::http_client_builder`] so it
    /// follows no redirects.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, BuildError> {
        let auth = self.auth.ok_or(BuildError::MissingAuth)?;
        let http = match self.http {
            Some(http) => http,
            None => http_client_builder().build().map_err(BuildError::Http)?,
        };
        let shop = auth.shop().clone();
        let names_shop = self.base_url.is_some();
        let base_url = self.base_url.unwrap_or_else(|| shop.url());
        let fleet = self
            .redis_url
            .as_deref()
            .map(|url| fleet::connect(url, &shop, auth.credentials()))
            .transpose()?;
        let tokens: Arc<dyn TokenSource> = match auth {
            Auth::TokenSource { tokens, .. } => tokens,
            Auth::ClientCredentials(credentials) => {
                let local = ClientCredentials::builder(credentials)
                    .base_url(base_url.clone())
                    .http_client(http.clone())
                    .timeout(self.timeout)
                    .build()?;
                match &fleet {
                    Some(fleet) => fleet::tokens(fleet, local),
                    None => Arc::new(local),
                }
            }
        };
        let pacer = match (self.pacer, &fleet) {
            (Some(pacer), _) => Some(pacer),
            (None, Some(fleet)) if self.pacing => Some(fleet::pacer(fleet)),
            (None, _) => None,
        };
        Ok(Client::from_inner(Inner {
            http,
            shop,
            base_url,
            names_shop,
            tokens,
            timeout: self.timeout,
            retry: self.retry,
            throttle: Throttle::new(self.pacing),
            max_response_bytes: self.max_response_bytes,
            pacer,
        }))
    }
}

#[cfg(test)]
mod tests {
    use shopify_auth::StaticToken;

    use super::*;

    #[test]
    fn a_builder_without_auth_is_refused() {
        let err = Client::builder().build().unwrap_err();
        assert!(matches!(err, BuildError::MissingAuth), "{err:?}");
    }

    #[test]
    fn the_last_auth_choice_wins_and_sets_the_shop() {
        let credentials = Credentials::new(
            ShopDomain::parse("from-credentials").unwrap(),
            "client-id",
            "client-secret-value",
        );
        let other = ShopDomain::parse("from-token").unwrap();
        let client = Client::builder()
            .credentials(credentials)
            .token_source(other.clone(), Arc::new(StaticToken::new("t")))
            .build()
            .unwrap();
        assert_eq!(client.shop(), &other);
        assert!(format!("{:?}", client.token_source()).starts_with("StaticToken"));
    }
}
