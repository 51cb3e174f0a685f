//! The client-credentials grant, with a single-flight token cache.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use reqwest::header::{self, HeaderMap, HeaderName};
use reqwest::{Response, StatusCode};
use secrecy::ExposeSecret;
use serde_json::Value;
use url::Url;

use crate::clock::{Clock, SystemClock};
use crate::credentials::Credentials;
use crate::error::AuthError;
use crate::http::http_client_builder;
use crate::shop_domain::{SHOP_DOMAIN_HEADER, ShopDomain};
use crate::source::TokenSource;
use crate::token::{AccessToken, Scopes};

/// Default for [`ClientCredentialsBuilder::refresh_margin`].
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// Default for [`ClientCredentialsBuilder::timeout`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Error excerpts hold at most this many characters of the response body.
pub const EXCERPT_CHARS: usize = 512;
/// A token answer is a few hundred bytes; reading more only wastes memory.
const MAX_BODY_BYTES: usize = 64 * 1024;
const REDACTED: &str = "[redacted]";

/// Gets tokens with the client-credentials grant and caches them.
///
/// Each exchange POSTs `grant_type=client_credentials&client_id=..&client_secret=..`
/// as a form to `{base}/admin/oauth/access_token`, where `base` is
/// `https://{shop}.myshopify.com` unless overridden.
///
/// The cache hands out the same token until `refresh_margin` before it
/// expires. Callers that find the cache cold or stale while an exchange is
/// under way wait for that exchange instead of starting their own, so any
/// number of concurrent callers cause exactly one request; a failure is
/// reported to all of them and the next call tries again. The exchange runs
/// in its own Tokio task, so it finishes and fills the cache even if every
/// caller gives up waiting; calls must therefore be made inside a Tokio
/// runtime (reqwest needs one anyway).
///
/// Cheap to clone: clones share the cache.
#[derive(Clone)]
pub struct ClientCredentials {
    inner: Arc<Inner>,
}

struct Inner {
    credentials: Credentials,
    token_url: Url,
    http: reqwest::Client,
    timeout: Duration,
    refresh_margin: Duration,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
    /// Send [`SHOP_DOMAIN_HEADER`]: requests go to a base URL, not the shop's own host.
    names_shop: bool,
}

#[derive(Default)]
struct State {
    cached: Option<Cached>,
    /// The exchange under way, if any; at most one at a time.
    in_flight: Option<Flight>,
}

struct Cached {
    token: AccessToken,
    /// When to stop handing the token out; `None` if it never expires.
    refresh_at: Option<Instant>,
}

type Flight = Shared<BoxFuture<'static, Result<AccessToken, AuthError>>>;

impl ClientCredentials {
    /// A builder with the defaults: Shopify's own URL, a 60 s refresh margin,
    /// a 30 s timeout, a client from [`http_client_builder`] and the system
    /// clock.
    pub fn builder(credentials: Credentials) -> ClientCredentialsBuilder {
        ClientCredentialsBuilder {
            credentials,
            base_url: None,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            timeout: DEFAULT_TIMEOUT,
            http: None,
            clock: None,
        }
    }

    /// `builder(credentials).build()`.
    pub fn new(credentials: Credentials) -> Result<Self, AuthError> {
        Self::builder(credentials).build()
    }

    /// The shop tokens are for.
    pub fn shop(&self) -> &ShopDomain {
        &self.inner.credentials.shop
    }

    /// Where tokens are requested.
    pub fn token_url(&self) -> &Url {
        &self.inner.token_url
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state()
    }

    fn start_flight(&self) -> Flight {
        let inner = Arc::clone(&self.inner);
        let task = tokio::spawn(async move {
            // Clears `in_flight` even if this task panics or is dropped, so
            // the next caller can try again.
            let mut guard = FlightGuard {
                inner: &inner,
                armed: true,
            };
            let result = inner.fetch().await;
            guard.armed = false;
            inner.finish(&result);
            result
        });
        async move { task.await.unwrap_or_else(|_| Err(AuthError::Interrupted)) }
            .boxed()
            .shared()
    }
}

impl ClientCredentials {
    /// A new token from an exchange now, whatever the cache holds; it replaces the
    /// cached one. For a cache kept in front of this one (a fleet's token shared in
    /// Redis) that has decided the token must be renewed. Joins an exchange already
    /// under way instead of starting a second.
    pub async fn fetch_new(&self) -> Result<AccessToken, AuthError> {
        self.state().cached = None;
        self.token().await
    }
}

impl TokenSource for ClientCredentials {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>> {
        Box::pin(async move {
            let now = self.inner.clock.now();
            let flight = {
                let mut state = self.state();
                if let Some(cached) = &state.cached {
                    if cached.refresh_at.is_none_or(|at| now < at) {
                        return Ok(cached.token.clone());
                    }
                }
                match &state.in_flight {
                    Some(flight) => flight.clone(),
                    None => {
                        // Spawned under the lock, so no second caller can
                        // start another exchange in between.
                        let flight = self.start_flight();
                        state.in_flight = Some(flight.clone());
                        flight
                    }
                }
            };
            flight.await
        })
    }

    fn invalidate(&self, rejected: &AccessToken) {
        let mut state = self.state();
        // Only the cached token itself is dropped: a newer one (or none, while
        // an exchange runs) means someone already reacted to this rejection.
        if state
            .cached
            .as_ref()
            .is_some_and(|cached| cached.token.is_same(rejected))
        {
            state.cached = None;
            tracing::debug!(shop = %self.inner.credentials.shop, "token invalidated");
        }
    }
}

// Lists only what is safe to print: the credentials redact their own secret.
impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("credentials", &self.inner.credentials)
            .field("token_url", &self.inner.token_url.as_str())
            .field("refresh_margin", &self.inner.refresh_margin)
            .field("timeout", &self.inner.timeout)
            .field("clock", &self.inner.clock)
            .finish_non_exhaustive()
    }
}

struct FlightGuard<'a> {
    inner: &'a Inner,
    armed: bool,
}

impl Drop for FlightGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.inner.state().in_flight = None;
        }
    }
}

impl Inner {
    fn state(&self) -> MutexGuard<'_, State> {
        // The state is two Options replaced whole; a panic cannot tear it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Ends the flight: caches a new token, or leaves the cache empty so the
    /// next call tries again.
    fn finish(&self, result: &Result<AccessToken, AuthError>) {
        let mut state = self.state();
        state.in_flight = None;
        if let Ok(token) = result {
            state.cached = Some(Cached {
                token: token.clone(),
                refresh_at: token
                    .expires_at()
                    .map(|expires_at| self.refresh_at(expires_at)),
            });
        }
    }

    /// `refresh_margin` before `expires_at`, but no earlier than half-way
    /// through the token's life, so a short-lived token is still reused.
    fn refresh_at(&self, expires_at: Instant) -> Instant {
        let life = expires_at.saturating_duration_since(self.clock.now());
        expires_at - self.refresh_margin.min(life / 2)
    }

    async fn fetch(&self) -> Result<AccessToken, AuthError> {
        let shop = &self.credentials.shop;
        tracing::debug!(shop = %shop, url = %self.token_url, "fetching token");
        // Taken before sending, so the expiry errs on the early side.
        let issued_at = self.clock.now();
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.credentials.client_id.as_str()),
            (
                "client_secret",
                self.credentials.client_secret.expose_secret(),
            ),
        ];
        let result = self.exchange(&form, issued_at).await;
        match &result {
            Ok(token) => tracing::info!(
                shop = %shop,
                expires_in_secs = token.expires_at().map(|at| at.saturating_duration_since(issued_at).as_secs()),
                scopes = %token.scopes().map(Scopes::to_string).unwrap_or_default(),
                "token cached",
            ),
            // Debug, not warn: the error goes back to the caller, who reports it once.
            Err(err) => tracing::debug!(shop = %shop, error = %err, "token request failed"),
        }
        result
    }

    async fn exchange(
        &self,
        form: &[(&str, &str)],
        issued_at: Instant,
    ) -> Result<AccessToken, AuthError> {
        let mut request = self
            .http
            .post(self.token_url.clone())
            .timeout(self.timeout)
            .header(header::ACCEPT, "application/json");
        if self.names_shop {
            request = request.header(SHOP_DOMAIN_HEADER, self.credentials.shop.as_str());
        }
        let response = request
            .form(form)
            .send()
            .await
            .map_err(|err| self.transport_error(err))?;

        let status = response.status();
        let headers = response.headers();
        let content_type = header_text(headers, &header::CONTENT_TYPE);
        let request_id = header_text(headers, &HeaderName::from_static("x-request-id"));
        if status.is_redirection() {
            return Err(AuthError::Redirect {
                shop: self.credentials.shop.clone(),
                status,
                location: header_text(headers, &header::LOCATION).map(|l| self.scrub(&l)),
            });
        }

        let body = read_bounded(response)
            .await
            .map_err(|err| self.transport_error(err))?;
        let json = match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(map)) => Some(map),
            _ => None,
        };
        let field = |name: &str| json.as_ref().and_then(|map| map.get(name));
        let text = |name: &str| {
            field(name)
                .and_then(Value::as_str)
                .map(|s| truncate(&self.scrub(s), EXCERPT_CHARS))
        };

        if status.is_success() {
            if let Some(secret) = field("access_token").and_then(Value::as_str) {
                if !secret.is_empty() {
                    let scopes = field("scope").and_then(Value::as_str).map(Scopes::parse);
                    let expires_at = field("expires_in")
                        .and_then(seconds)
                        .and_then(|life| issued_at.checked_add(life));
                    return Ok(AccessToken::new(secret.to_owned(), scopes, expires_at));
                }
            }
        }

        let shop = self.credentials.shop.clone();
        let error = text("error");
        let description = text("error_description");
        Err(match error.as_deref() {
            Some("shop_not_permitted") => AuthError::ShopNotPermitted {
                shop,
                status,
                description,
                request_id,
            },
            Some("app_not_installed") => AuthError::AppNotInstalled {
                shop,
                status,
                description,
                request_id,
            },
            // RFC 6749 answers a failed client authentication with 401.
            Some(code) if code.starts_with("invalid_client") => AuthError::InvalidClient {
                shop,
                status,
                error,
                description,
                request_id,
            },
            _ if status == StatusCode::UNAUTHORIZED => AuthError::InvalidClient {
                shop,
                status,
                error,
                description,
                request_id,
            },
            Some(_) => AuthError::OAuth {
                shop,
                status,
                error: error.unwrap_or_default(),
                description,
                request_id,
            },
            None => AuthError::UnexpectedResponse {
                shop,
                status,
                content_type,
                excerpt: self.excerpt(&body, json.as_ref()),
                request_id,
            },
        })
    }

    fn transport_error(&self, err: reqwest::Error) -> AuthError {
        let shop = self.credentials.shop.clone();
        if err.is_timeout() {
            AuthError::Timeout {
                shop,
                after: self.timeout,
                source: Arc::new(err),
            }
        } else if self.names_shop {
            // Requests go to a base URL: the shop's domain is not what failed.
            AuthError::Unreachable {
                shop,
                origin: self.token_url.origin().ascii_serialization(),
                source: Arc::new(err),
            }
        } else {
            AuthError::Network {
                shop,
                source: Arc::new(err),
            }
        }
    }

    /// The start of the body with any token and the client secret removed.
    fn excerpt(&self, body: &[u8], json: Option<&serde_json::Map<String, Value>>) -> String {
        let _ = json;
        // Any JSON shape (found by fuzzing: a token inside an array was shown), and text
        // that is not JSON (a cut answer) is cut at the key.
        let text = match serde_json::from_slice::<Value>(body) {
            Ok(mut value) => {
                redact_tokens(&mut value);
                value.to_string()
            }
            Err(_) => {
                let text = String::from_utf8_lossy(body).into_owned();
                match text.find("access_token") {
                    Some(at) => format!("{}{REDACTED}", &text[..at + "access_token".len()]),
                    None => text,
                }
            }
        };
        // Scrubbed before cutting, so a secret straddling the cut cannot leak half-way.
        truncate(self.scrub(&text).trim(), EXCERPT_CHARS)
    }

    /// `text` with the client secret (raw or form-encoded) replaced by `[redacted]`.
    fn scrub(&self, text: &str) -> String {
        let secret = self.credentials.client_secret.expose_secret();
        if secret.is_empty() {
            return text.to_owned();
        }
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let mut text = text.replace(secret, REDACTED);
        if encoded != secret {
            text = text.replace(&encoded, REDACTED);
        }
        text
    }
}

/// Replaces every `access_token` value, at any depth, with `[redacted]`.
fn redact_tokens(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if key == "access_token" {
                    *inner = Value::from(REDACTED);
                } else {
                    redact_tokens(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_tokens),
        _ => {}
    }
}

/// Configures a [`ClientCredentials`].
#[must_use]
pub struct ClientCredentialsBuilder {
    credentials: Credentials,
    base_url: Option<Url>,
    refresh_margin: Duration,
    timeout: Duration,
    http: Option<reqwest::Client>,
    clock: Option<Arc<dyn Clock>>,
}

impl ClientCredentialsBuilder {
    /// Sends token requests to `{base_url}/admin/oauth/access_token` instead
    /// of `https://{shop}.myshopify.com`. This exists for tests and the local
    /// emulator; real use needs no override.
    pub fn base_url(mut self, base_url: Url) -> Self {
        self.base_url = Some(base_url);
        self
    }

    /// How long before its expiry a token is replaced (default 60 s). A token
    /// living less than twice this is replaced half-way through its life.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// How long one token request may take, connecting included (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Uses `client` instead of building one; it should come from
    /// [`http_client_builder`], which turns redirects off.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Uses `clock` to judge expiry, e.g. a [`ManualClock`](crate::ManualClock) in tests.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Builds the source; fails only if the HTTP client cannot be built.
    pub fn build(self) -> Result<ClientCredentials, AuthError> {
        let http = match self.http {
            Some(http) => http,
            None => http_client_builder()
                .build()
                .map_err(|err| AuthError::HttpClient(Arc::new(err)))?,
        };
        // Another origin cannot tell the shop from `Host`: name it in a header.
        let names_shop = self.base_url.is_some();
        let base = self.base_url.unwrap_or_else(|| self.credentials.shop.url());
        Ok(ClientCredentials {
            inner: Arc::new(Inner {
                token_url: token_url(&base),
                names_shop,
                credentials: self.credentials,
                http,
                timeout: self.timeout,
                refresh_margin: self.refresh_margin,
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
                state: Mutex::new(State::default()),
            }),
        })
    }
}

// Lists only what is safe to print: the credentials redact their own secret.
impl fmt::Debug for ClientCredentialsBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentialsBuilder")
            .field("credentials", &self.credentials)
            .field("base_url", &self.base_url.as_ref().map(Url::as_str))
            .field("refresh_margin", &self.refresh_margin)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// `{base}/admin/oauth/access_token`, keeping any path prefix of `base`.
fn token_url(base: &Url) -> Url {
    let mut url = base.clone();
    let path = format!(
        "{}/admin/oauth/access_token",
        base.path().trim_end_matches('/')
    );
    url.set_path(&path);
    url.set_query(None);
    url.set_fragment(None);
    url
}

fn header_text(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    headers
        .get(name)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
}

/// `expires_in` as a duration: a number (or numeric string) of seconds;
/// negative counts as already expired.
fn seconds(value: &Value) -> Option<Duration> {
    let secs = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if secs.is_nan() {
        return None;
    }
    Duration::try_from_secs_f64(secs.max(0.0)).ok()
}

async fn read_bounded(mut response: Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = MAX_BODY_BYTES - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() == MAX_BODY_BYTES {
            break;
        }
    }
    Ok(body)
}

/// At most `max` characters of `text`, cut on a char boundary, `…` marking a cut.
fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ManualClock;

    fn credentials(secret: &str) -> Credentials {
        Credentials::new(ShopDomain::parse("my-store").unwrap(), "client-id", secret)
    }

    fn source(secret: &str) -> ClientCredentials {
        ClientCredentials::new(credentials(secret)).unwrap()
    }

    #[test]
    fn debug_lists_safe_fields_only() {
        let source = ClientCredentials::builder(credentials("s3cr3t"))
            .clock(ManualClock::new())
            .build()
            .unwrap();
        let debug = format!("{source:?}");
        let clock_debug = format!("{:?}", source.inner.clock);
        assert_eq!(
            debug,
            format!(
                "ClientCredentials {{ credentials: Credentials {{ shop: \
                 ShopDomain(\"my-store.myshopify.com\"), client_id: \"client-id\", client_secret: \
                 [redacted] }}, token_url: \"https://my-store.myshopify.com/admin/oauth/access_token\", \
                 refresh_margin: 60s, timeout: 30s, clock: {clock_debug}, .. }}"
            )
        );
    }

    #[test]
    fn builder_debug_lists_safe_fields_only() {
        let builder = ClientCredentials::builder(credentials("s3cr3t"))
            .base_url(Url::parse("http://127.0.0.1:9/").unwrap());
        assert_eq!(
            format!("{builder:?}"),
            "ClientCredentialsBuilder { credentials: Credentials { shop: \
             ShopDomain(\"my-store.myshopify.com\"), client_id: \"client-id\", client_secret: \
             [redacted] }, base_url: Some(\"http://127.0.0.1:9/\"), refresh_margin: 60s, \
             timeout: 30s, .. }"
        );
    }

    #[test]
    fn token_url_defaults_to_the_shop_and_keeps_a_base_path() {
        assert_eq!(
            source("s").token_url().as_str(),
            "https://my-store.myshopify.com/admin/oauth/access_token"
        );
        for (base, want) in [
            (
                "http://127.0.0.1:8080",
                "http://127.0.0.1:8080/admin/oauth/access_token",
            ),
            (
                "http://127.0.0.1:8080/",
                "http://127.0.0.1:8080/admin/oauth/access_token",
            ),
            (
                "http://localhost/emu/",
                "http://localhost/emu/admin/oauth/access_token",
            ),
            (
                "http://localhost/emu?x=1#f",
                "http://localhost/emu/admin/oauth/access_token",
            ),
        ] {
            assert_eq!(
                token_url(&Url::parse(base).unwrap()).as_str(),
                want,
                "base {base}"
            );
        }
    }

    #[test]
    fn scrub_removes_the_raw_and_form_encoded_secret() {
        let source = source("a+b/c=d");
        assert_eq!(
            source.inner.scrub("x a+b/c=d y a%2Bb%2Fc%3Dd z"),
            "x [redacted] y [redacted] z"
        );
    }

    #[test]
    fn scrub_leaves_text_alone_when_the_secret_is_empty() {
        assert_eq!(source("").inner.scrub("abc"), "abc");
    }

    #[test]
    fn excerpt_is_bounded_and_cut_on_a_char_boundary() {
        let body = "é".repeat(2000);
        let excerpt = source("s").inner.excerpt(body.as_bytes(), None);
        assert_eq!(excerpt, format!("{}…", "é".repeat(EXCERPT_CHARS)));
    }

    #[test]
    fn excerpt_scrubs_a_secret_that_straddles_the_cut() {
        let body = format!("{}SECRET-VALUE and more", "x".repeat(EXCERPT_CHARS - 3));
        let excerpt = source("SECRET-VALUE").inner.excerpt(body.as_bytes(), None);
        assert!(!excerpt.contains("SEC"), "{excerpt}");
        assert!(excerpt.ends_with("[re…"), "{excerpt}");
    }

    #[test]
    fn excerpt_redacts_an_access_token_at_any_depth_or_in_a_cut_answer() {
        // Found by fuzzing: a token answer wrapped in an array was shown in the error.
        let source = source("s");
        for body in [
            r#"[{"access_token":"shpat_leak","scope":"a"}]"#,
            r#"{"data":{"access_token":"shpat_leak"}}"#,
            r#"{"access_token":"shpat_leak","sco"#,
        ] {
            let excerpt = source.inner.excerpt(body.as_bytes(), None);
            assert!(!excerpt.contains("shpat_leak"), "{excerpt}");
            assert!(excerpt.contains("[redacted]"), "{excerpt}");
        }
    }

    #[test]
    fn excerpt_redacts_an_access_token_in_json() {
        let body = br#"{"access_token":"shpat_leak","unexpected":true}"#;
        let json = match serde_json::from_slice::<Value>(body).unwrap() {
            Value::Object(map) => map,
            _ => unreachable!(),
        };
        let excerpt = source("s").inner.excerpt(body, Some(&json));
        assert!(!excerpt.contains("shpat_leak"), "{excerpt}");
        assert!(excerpt.contains("[redacted]"), "{excerpt}");
    }

    #[test]
    fn expires_in_accepts_numbers_and_numeric_strings() {
        assert_eq!(
            seconds(&Value::from(86399)),
            Some(Duration::from_secs(86399))
        );
        assert_eq!(
            seconds(&Value::from(1.5)),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(seconds(&Value::from(" 60 ")), Some(Duration::from_secs(60)));
        assert_eq!(seconds(&Value::from(-5)), Some(Duration::ZERO));
        assert_eq!(seconds(&Value::from("soon")), None);
        assert_eq!(seconds(&Value::Null), None);
        assert_eq!(seconds(&Value::from(1e300)), None);
    }

    #[test]
    fn refresh_is_at_the_margin_or_half_way_for_short_lives() {
        let clock = ManualClock::new();
        let source = ClientCredentials::builder(credentials("s"))
            .clock(clock.clone())
            .build()
            .unwrap();
        let now = clock.now();
        let long = now + Duration::from_secs(3600);
        assert_eq!(
            source.inner.refresh_at(long),
            long - Duration::from_secs(60)
        );
        let short = now + Duration::from_secs(30);
        assert_eq!(
            source.inner.refresh_at(short),
            now + Duration::from_secs(15)
        );
    }
}
