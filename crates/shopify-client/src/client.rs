//! Sending operations to the Admin API: pacing, retries, evidence.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use serde_json::{Value, json};
use shopify_auth::{
    ACCESS_TOKEN_HEADER, AccessToken, ClientCredentials, Credentials, SHOP_DOMAIN_HEADER,
    ShopDomain, TokenSource, http_client_builder,
};
use tracing::Instrument;
use url::Url;

use crate::body::{DEFAULT_MAX_RESPONSE_BYTES, ReadError, read_capped};
use crate::codec::{FromJson, Path, ToJson};
use crate::error::{Attempt, Error, GraphqlError, GraphqlErrors};
use crate::retry::RetryPolicy;
use crate::throttle::{QueryCost, Throttle};
use crate::{Idempotency, Operation, OperationKind, Pacer, fleet};

/// How long one request may take unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Shopify's limit on one query's requested cost.
pub const MAX_QUERY_COST: u64 = 1000;

/// How much of a body an error keeps.
pub const EXCERPT_BYTES: usize = 512;

/// A client for one shop's Admin GraphQL API. Cheap to clone; clones share the HTTP
/// connection pool, the token cache and the rate-limit pacing.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    shop: ShopDomain,
    base_url: Url,
    /// Send [`SHOP_DOMAIN_HEADER`]: `base_url` is not the shop's own origin.
    names_shop: bool,
    tokens: Arc<dyn TokenSource>,
    timeout: Duration,
    retry: RetryPolicy,
    /// Learns per-operation cost estimates; also the default pacer.
    throttle: Throttle,
    max_response_bytes: usize,
    pacer: Option<Arc<dyn Pacer>>,
}

// Lists only what is safe to show: the token source redacts itself.
impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("shop", &self.inner.shop)
            .field("base_url", &self.inner.base_url.as_str())
            .field("tokens", &self.inner.tokens)
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// A successful answer: the typed data and what came with it.
#[derive(Debug, Clone)]
pub struct Response<T> {
    /// The decoded `data`.
    pub data: T,
    /// `data` as Shopify sent it.
    pub raw_data: Value,
    /// `extensions` (query cost and throttle status).
    pub extensions: Option<Value>,
    /// `extensions.cost`, read.
    pub cost: Option<QueryCost>,
    /// `x-request-id`.
    pub request_id: Option<String>,
    /// `X-Shopify-API-Version`: the version that actually served the request.
    pub api_version: Option<String>,
    /// Attempts it took (1 when nothing was retried).
    pub attempts: u32,
}

/// Builds a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    shop: Option<ShopDomain>,
    credentials: Option<Credentials>,
    tokens: Option<Arc<dyn TokenSource>>,
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

impl ClientBuilder {
    /// Exchange these credentials for tokens (client-credentials grant), cached and
    /// renewed before they expire. Sets the shop too.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.shop = Some(credentials.shop.clone());
        self.credentials = Some(credentials);
        self
    }

    /// Use tokens from elsewhere (e.g. [`shopify_auth::StaticToken`]) for `shop`.
    pub fn token_source(mut self, shop: ShopDomain, tokens: Arc<dyn TokenSource>) -> Self {
        self.shop = Some(shop);
        self.tokens = Some(tokens);
        self
    }

    /// Send requests (token exchange included) to this origin instead of
    /// `https://{shop}.myshopify.com`. Exists for tests and the local emulator. Every
    /// request then names the shop in [`SHOP_DOMAIN_HEADER`], so an emulator that does
    /// not serve that shop refuses it, as Shopify would.
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
    /// a longer one fails with [`Error::ResponseTooLarge`] without being buffered.
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
        let http = match self.http {
            Some(http) => http,
            None => http_client_builder().build().map_err(BuildError::Http)?,
        };
        let shop = self.shop.ok_or(BuildError::MissingAuth)?;
        let names_shop = self.base_url.is_some();
        let base_url = self.base_url.unwrap_or_else(|| shop.url());
        let fleet = self
            .redis_url
            .as_deref()
            .map(|url| fleet::connect(url, &shop, self.credentials.as_ref()))
            .transpose()?;
        let tokens: Arc<dyn TokenSource> = match (self.tokens, self.credentials) {
            (Some(tokens), _) => tokens,
            (None, Some(credentials)) => {
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
            (None, None) => return Err(BuildError::MissingAuth),
        };
        let pacer = match (self.pacer, &fleet) {
            (Some(pacer), _) => Some(pacer),
            (None, Some(fleet)) if self.pacing => Some(fleet::pacer(fleet)),
            (None, _) => None,
        };
        Ok(Client {
            inner: Arc::new(Inner {
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
            }),
        })
    }
}

/// One request, ready for the attempt loop. Nothing in it is generic, so the loop and
/// its futures are compiled once, not once per operation.
#[derive(Clone)]
pub(crate) struct Call {
    pub(crate) operation: &'static str,
    pub(crate) api_version: std::borrow::Cow<'static, str>,
    pub(crate) body: Value,
    /// Static cost estimate.
    pub(crate) static_cost: u64,
    /// May this be sent again after a failure that could have come after it was applied?
    pub(crate) replay_safe: bool,
    pub(crate) is_write: bool,
    pub(crate) required_scopes: &'static [&'static [&'static str]],
}

impl Call {
    /// The request for `O` with these variables, with a fresh idempotency key where the
    /// operation takes a generated one.
    pub(crate) fn of<O: Operation>(variables: &O::Variables) -> Self {
        let mut body = request_body::<O>(variables);
        if let Idempotency::Generated { variables } = O::IDEMPOTENCY {
            // One key per logical call, reused by every retry of it.
            for variable in variables {
                body["variables"][*variable] = Value::String(uuid::Uuid::new_v4().to_string());
            }
        }
        Call {
            operation: O::NAME,
            api_version: std::borrow::Cow::Borrowed(O::API_VERSION),
            body,
            static_cost: O::requested_cost(variables),
            replay_safe: O::KIND == OperationKind::Query || O::IDEMPOTENCY != Idempotency::None,
            is_write: O::KIND == OperationKind::Mutation,
            required_scopes: O::REQUIRED_SCOPES,
        }
    }
}

/// Turns an answer into a typed response.
fn decode<T: FromJson>(answer: Result<Answer, Error>) -> Result<Response<T>, Error> {
    let answer = answer?;
    let data = T::from_json(&answer.data, Path::Root).map_err(|source| Error::Decode {
        operation: answer.operation.to_owned(),
        source,
        request_id: answer.request_id.clone(),
    })?;
    Ok(answer.into_response(data))
}

impl Client {
    /// A builder; give it [`credentials`](ClientBuilder::credentials) or a
    /// [`token_source`](ClientBuilder::token_source).
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            shop: None,
            credentials: None,
            tokens: None,
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

    /// A client for the shop and app in `SHOPIFY_SHOP`, `SHOPIFY_CLIENT_ID` and
    /// `SHOPIFY_CLIENT_SECRET` (environment, or `.env`), sending its requests to
    /// `SHOPIFY_BASE_URL` when that is set too (see [`ClientBuilder::base_url`]).
    ///
    /// With `SHOPIFY_REDIS_URL` set too, the token and the rate-limit budget are shared
    /// through Redis with every other process of the app on the shop (see
    /// [`ClientBuilder::redis`]).
    pub fn from_env() -> Result<Self, BuildError> {
        let mut builder = Self::builder().credentials(Credentials::from_env()?);
        if let Some(base_url) = shopify_auth::base_url_from_env()? {
            builder = builder.base_url(base_url);
        }
        fleet::from_env(builder)?.build()
    }

    /// The HTTP client, for result files and staged uploads (signed URLs, no token).
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The shop this client talks to.
    pub fn shop(&self) -> &ShopDomain {
        &self.inner.shop
    }

    /// The token source, e.g. to read the granted scopes.
    pub fn token_source(&self) -> &Arc<dyn TokenSource> {
        &self.inner.tokens
    }

    /// The rate-limit points predicted to be available now, once a response reported
    /// the bucket.
    pub fn available_points(&self) -> Option<f64> {
        self.pacer().available()
    }

    fn pacer(&self) -> &dyn Pacer {
        match &self.inner.pacer {
            Some(pacer) => pacer.as_ref(),
            None => &self.inner.throttle,
        }
    }

    /// The GraphQL endpoint for an API version.
    pub fn endpoint(&self, api_version: &str) -> Url {
        let mut url = self.inner.base_url.clone();
        let path = format!(
            "{}/admin/api/{api_version}/graphql.json",
            url.path().trim_end_matches('/')
        );
        url.set_path(&path);
        url
    }

    /// Runs an operation and returns its data.
    ///
    /// The request is built when this is called; the future borrows only the client.
    pub fn execute<'a, O: Operation>(
        &'a self,
        variables: &O::Variables,
    ) -> impl Future<Output = Result<O::Response, Error>> + Send + use<'a, O> {
        self.send::<O>(variables)
            .map(|response| response.map(|response| response.data))
    }

    /// Runs an operation and returns its data with the response's metadata.
    ///
    /// The request waits until the rate-limit bucket can hold its cost; transient
    /// failures are retried within the [`RetryPolicy`]. A mutation is sent again after a
    /// failure that may have come after Shopify applied it only when it carries an
    /// idempotency key, which stays the same across the retries of one call.
    pub fn send<'a, O: Operation>(
        &'a self,
        variables: &O::Variables,
    ) -> impl Future<Output = Result<Response<O::Response>, Error>> + Send + use<'a, O> {
        self.call(Call::of::<O>(variables))
            .map(decode::<O::Response>)
    }

    /// Checks and sends one request: the part of every operation call that is the same
    /// for all of them.
    pub(crate) async fn call(&self, call: Call) -> Result<Answer, Error> {
        if call.static_cost > MAX_QUERY_COST {
            return Err(Error::TooExpensive {
                operation: call.operation.to_owned(),
                cost: call.static_cost,
                max: MAX_QUERY_COST,
            });
        }
        self.check_scopes(call.operation, call.required_scopes)
            .await?;
        self.run(&call).await
    }

    /// Fails fast, before sending, when the token's granted scopes (if Shopify reported
    /// them) cannot meet the operation's requirements.
    async fn check_scopes(&self, operation: &str, required: &[&[&str]]) -> Result<(), Error> {
        if required.is_empty() {
            return Ok(());
        }
        let token = self.inner.tokens.token().await?;
        let Some(granted) = token.scopes() else {
            return Ok(());
        };
        let missing: Vec<Vec<String>> = required
            .iter()
            .filter(|clause| !clause.iter().any(|scope| granted.grants(scope)))
            .map(|clause| clause.iter().map(|s| (*s).to_owned()).collect())
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(Error::MissingScopes {
            operation: operation.to_owned(),
            missing,
            granted: granted.iter().map(str::to_owned).collect(),
        })
    }

    /// Sends any GraphQL request body (`{"query", "variables", "operationName"}`) to
    /// `api_version` and returns the `data`, for queries that have no generated type
    /// (introspection, ad-hoc tools). It is treated as a query: retried when transient
    /// failures occur, and not paced (its cost is unknown until Shopify answers).
    pub async fn execute_raw(
        &self,
        api_version: &str,
        body: &Value,
    ) -> Result<Response<Value>, Error> {
        let is_write = body
            .get("query")
            .and_then(Value::as_str)
            .is_some_and(|q| q.trim_start().starts_with("mutation"));
        let call = Call {
            operation: "raw",
            api_version: std::borrow::Cow::Owned(api_version.to_owned()),
            body: body.clone(),
            static_cost: 0,
            replay_safe: !is_write,
            is_write,
            required_scopes: &[],
        };
        let answer = self.run(&call).await?;
        let data = answer.data.clone();
        Ok(answer.into_response(data))
    }

    /// The attempt loop: pace, send, classify, and retry within bounds.
    async fn run(&self, call: &Call) -> Result<Answer, Error> {
        let policy = &self.inner.retry;
        let started = Instant::now();
        let mut evidence: Vec<Attempt> = Vec::new();
        let mut retries = 0u32;
        let mut throttled = 0u32;
        let mut refreshes = TokenRefreshes::default();
        for number in 1u32.. {
            let estimate = self
                .inner
                .throttle
                .estimate(call.operation, call.static_cost);
            let reservation = self.pacer().acquire(estimate).await;
            let waited = reservation.waited;
            let span = tracing::info_span!(
                "shopify.request",
                operation = call.operation,
                attempt = number,
                requested_cost = estimate,
                actual_cost = tracing::field::Empty,
                available = tracing::field::Empty,
                wait_ms = waited.as_millis() as u64,
                status = tracing::field::Empty,
                request_id = tracing::field::Empty,
            );
            let outcome = self
                .attempt(call, &mut refreshes)
                .instrument(span.clone())
                .await;
            let cost = outcome.cost();
            self.pacer().complete(reservation, cost).await;
            if let Some(cost) = cost {
                self.inner
                    .throttle
                    .learn(call.operation, call.static_cost, cost.requested);
                span.record("available", cost.throttle.currently_available);
                if let Some(actual) = cost.actual {
                    span.record("actual_cost", actual);
                }
            }
            if let Some(status) = outcome.status() {
                span.record("status", status);
            }
            if let Some(id) = outcome.request_id() {
                span.record("request_id", id);
            }
            let failure = match outcome {
                Outcome::Done(mut answer) => {
                    answer.attempts = number;
                    answer.operation = call.operation;
                    span.in_scope(|| tracing::debug!("request succeeded"));
                    return Ok(answer);
                }
                Outcome::Fail(error) => {
                    span.in_scope(|| tracing::debug!(error = %error, "request failed"));
                    return Err(error);
                }
                Outcome::Retry(failure) => failure,
            };
            span.in_scope(|| tracing::debug!(reason = failure.kind.as_str(), error = %failure.error, "attempt failed"));
            evidence.push(Attempt {
                number,
                after: started.elapsed(),
                status: failure.error.status(),
                request_id: failure.error.request_id().map(str::to_owned),
                error: failure.error.to_string(),
            });
            if call.is_write && !call.replay_safe && !failure.before_processing {
                return Err(Error::AmbiguousWrite {
                    operation: call.operation.to_owned(),
                    attempts: evidence,
                    last: Box::new(failure.error),
                });
            }
            let delay = match failure.kind {
                RetryKind::Throttled => {
                    throttled += 1;
                    if throttled > policy.max_throttled {
                        return Err(exhausted(call, evidence, failure.error));
                    }
                    // Pacing waits for the bucket; without pacing, wait here for the points.
                    failure.delay.unwrap_or_default()
                }
                RetryKind::TokenRefresh => Duration::ZERO,
                RetryKind::Transient => {
                    retries += 1;
                    if retries >= policy.max_attempts {
                        return Err(exhausted(call, evidence, failure.error));
                    }
                    failure.delay.unwrap_or_else(|| policy.backoff(retries))
                }
            };
            if started.elapsed() + delay > policy.max_elapsed {
                return Err(exhausted(call, evidence, failure.error));
            }
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
        }
        unreachable!("the attempt loop returns")
    }

    /// One HTTP exchange, classified.
    async fn attempt(&self, call: &Call, refreshes: &mut TokenRefreshes) -> Outcome {
        let url = self.endpoint(&call.api_version);
        let token = match self.inner.tokens.token().await {
            Ok(token) => token,
            Err(e) => return Outcome::Fail(Error::Auth(e)),
        };
        let header = match token.header_value() {
            Ok(header) => header,
            Err(_) => {
                return Outcome::Fail(Error::InvalidResponse {
                    status: 0,
                    reason: "the access token contains characters an HTTP header cannot carry"
                        .into(),
                    excerpt: String::new(),
                    request_id: None,
                });
            }
        };
        let mut request = self
            .inner
            .http
            .post(url.clone())
            .header(ACCESS_TOKEN_HEADER, header)
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json");
        if self.inner.names_shop {
            request = request.header(SHOP_DOMAIN_HEADER, self.inner.shop.as_str());
        }
        let sent = request
            .timeout(self.inner.timeout)
            .body(encode_request_body(&call.body))
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(e) => return self.transport_failure(&url, e),
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = match read_capped(response, self.inner.max_response_bytes).await {
            Ok(bytes) => bytes,
            Err(ReadError::Network(e)) => return self.transport_failure(&url, e),
            Err(ReadError::TooLarge) => {
                return Outcome::Fail(Error::ResponseTooLarge {
                    operation: call.operation.to_owned(),
                    status,
                    limit: self.inner.max_response_bytes,
                    request_id: self::header(&headers, "x-request-id"),
                });
            }
        };
        warn_about_version(&headers, &call.api_version, call.operation);
        if status == 401 && refreshes.may_refresh(&token) {
            // The token went stale (revoked, rotated): fetch a fresh token and try again.
            // Shopify did not run the request.
            tracing::debug!("access token rejected (401); fetching a new one");
            self.inner.tokens.invalidate(&token);
            refreshes.rejected(token);
            return Outcome::Retry(Failure {
                kind: RetryKind::TokenRefresh,
                before_processing: true,
                delay: None,
                error: http_error(status, &headers, &bytes),
                cost: None,
            });
        }
        classify(status, &headers, &bytes, call.operation)
    }

    fn transport_failure(&self, url: &Url, error: reqwest::Error) -> Outcome {
        // A connection that could not be made carried nothing: safe to send again.
        let before_processing = error.is_connect();
        let error = if error.is_timeout() {
            Error::Timeout {
                url: url.to_string(),
                timeout: self.inner.timeout,
            }
        } else {
            Error::Network {
                url: url.to_string(),
                source: error,
            }
        };
        Outcome::Retry(Failure {
            kind: RetryKind::Transient,
            before_processing,
            delay: None,
            error,
            cost: None,
        })
    }
}

fn exhausted(call: &Call, attempts: Vec<Attempt>, last: Error) -> Error {
    Error::Exhausted {
        operation: call.operation.to_owned(),
        attempts,
        last: Box::new(last),
    }
}

/// The bytes sent for a request body: compact JSON with the top-level keys in the order
/// graphql_client's `QueryBody` serialises them (`variables`, `query`, `operationName`,
/// then any others), so code built on graphql_client sends byte-for-byte the same body.
pub fn encode_request_body(body: &Value) -> String {
    const ORDER: [&str; 3] = ["variables", "query", "operationName"];
    let Some(map) = body.as_object() else {
        return body.to_string();
    };
    let known = ORDER.iter().filter_map(|k| map.get_key_value(*k));
    let others = map.iter().filter(|(k, _)| !ORDER.contains(&k.as_str()));
    let fields: Vec<String> = known
        .chain(others)
        .map(|(k, v)| format!("{}:{v}", Value::from(k.as_str())))
        .collect();
    format!("{{{}}}", fields.join(","))
}

/// The JSON body sent for an operation: `{"variables", "query", "operationName"}`
/// (written by [`encode_request_body`]).
pub fn request_body<O: Operation>(variables: &O::Variables) -> Value {
    json!({
        "query": O::QUERY,
        "variables": variables.to_json(),
        "operationName": O::NAME,
    })
}

/// A decoded GraphQL answer without errors.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) operation: &'static str,
    pub(crate) data: Value,
    pub(crate) extensions: Option<Value>,
    pub(crate) request_id: Option<String>,
    pub(crate) api_version: Option<String>,
    pub(crate) attempts: u32,
}

impl Answer {
    fn into_response<T>(self, data: T) -> Response<T> {
        Response {
            data,
            raw_data: self.data,
            cost: QueryCost::from_extensions(self.extensions.as_ref()),
            extensions: self.extensions,
            request_id: self.request_id,
            api_version: self.api_version,
            attempts: self.attempts,
        }
    }
}

/// Most new tokens one call fetches after 401s: a token can be revoked again while a
/// call is retrying other failures, but a source that keeps handing out rejected tokens
/// must not loop.
const MAX_TOKEN_REFRESHES: u32 = 10;

/// The token refreshes of one call.
#[derive(Default)]
struct TokenRefreshes {
    count: u32,
    last_rejected: Option<AccessToken>,
}

impl TokenRefreshes {
    /// Whether a 401 on `token` is worth a new token: within the bound, and not the very
    /// token rejected before (a fresh fetch returned it again, so it would fail again).
    fn may_refresh(&self, token: &AccessToken) -> bool {
        self.count < MAX_TOKEN_REFRESHES
            && !self
                .last_rejected
                .as_ref()
                .is_some_and(|t| t.is_same(token))
    }

    fn rejected(&mut self, token: AccessToken) {
        self.count += 1;
        self.last_rejected = Some(token);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RetryKind {
    /// `THROTTLED`: wait for the bucket.
    Throttled,
    /// HTTP 401 on a cached token.
    TokenRefresh,
    /// 429, 5xx, network, timeout, unreadable body.
    Transient,
}

impl RetryKind {
    fn as_str(self) -> &'static str {
        match self {
            RetryKind::Throttled => "throttled",
            RetryKind::TokenRefresh => "token refresh",
            RetryKind::Transient => "transient",
        }
    }
}

#[derive(Debug)]
struct Failure {
    kind: RetryKind,
    /// Shopify certainly did not apply the request (throttled, 429, 401, no connection).
    before_processing: bool,
    /// How long Shopify asked us to wait, if it did.
    delay: Option<Duration>,
    error: Error,
    cost: Option<QueryCost>,
}

#[derive(Debug)]
enum Outcome {
    Done(Answer),
    Retry(Failure),
    Fail(Error),
}

impl Outcome {
    fn cost(&self) -> Option<QueryCost> {
        match self {
            Outcome::Done(answer) => QueryCost::from_extensions(answer.extensions.as_ref()),
            Outcome::Retry(failure) => failure.cost,
            Outcome::Fail(_) => None,
        }
    }

    fn status(&self) -> Option<u16> {
        match self {
            Outcome::Done(_) => Some(200),
            Outcome::Retry(failure) => failure.error.status(),
            Outcome::Fail(error) => error.status(),
        }
    }

    fn request_id(&self) -> Option<&str> {
        match self {
            Outcome::Done(answer) => answer.request_id.as_deref(),
            Outcome::Retry(failure) => failure.error.request_id(),
            Outcome::Fail(error) => error.request_id(),
        }
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name)?.to_str().ok().map(str::to_owned)
}

fn warn_about_version(headers: &HeaderMap, requested: &str, operation: &str) {
    if let Some(served) = header(headers, "x-shopify-api-version") {
        if served != requested {
            tracing::warn!(
                operation,
                requested,
                served = served.as_str(),
                "Shopify served a different API version than requested: the requested one is unsupported or retired; refresh schema/ (see schema/README.md)"
            );
        }
    }
    if let Some(reason) = header(headers, "x-shopify-api-deprecated-reason") {
        tracing::warn!(
            operation,
            reason = reason.as_str(),
            "the request used deprecated API features"
        );
    }
}

/// A bounded, char-boundary-safe excerpt of a body.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(EXCERPT_BYTES + 4)]);
    let mut cut = text.len().min(EXCERPT_BYTES);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut out = text[..cut].to_owned();
    if bytes.len() > cut {
        out.push('…');
    }
    out
}

fn http_error(status: u16, headers: &HeaderMap, bytes: &[u8]) -> Error {
    let errors = serde_json::from_slice::<Value>(bytes)
        .ok()
        .and_then(|v| v.get("errors").map(GraphqlError::parse_all))
        .unwrap_or_default();
    Error::Http {
        status,
        errors,
        excerpt: excerpt(bytes),
        request_id: header(headers, "x-request-id"),
    }
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    // Seconds, as HTTP says (Shopify's own JS client wrongly reads milliseconds).
    let seconds: f64 = header(headers, "retry-after")?.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(3600.0)))
}

fn classify(status: u16, headers: &HeaderMap, bytes: &[u8], operation: &str) -> Outcome {
    let request_id = header(headers, "x-request-id");
    let api_version = header(headers, "x-shopify-api-version");
    if status == 429 {
        return Outcome::Retry(Failure {
            kind: RetryKind::Transient,
            before_processing: true,
            delay: Some(retry_after(headers).unwrap_or(Duration::from_secs(1))),
            error: http_error(status, headers, bytes),
            cost: None,
        });
    }
    if (500..600).contains(&status) {
        return Outcome::Retry(Failure {
            kind: RetryKind::Transient,
            before_processing: false,
            delay: retry_after(headers),
            error: http_error(status, headers, bytes),
            cost: None,
        });
    }
    if !(200..300).contains(&status) {
        return Outcome::Fail(http_error(status, headers, bytes));
    }
    let invalid = |reason: String| Error::InvalidResponse {
        status,
        reason,
        excerpt: excerpt(bytes),
        request_id: request_id.clone(),
    };
    let mut body = match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(body)) => body,
        // Truncated or garbled: the request may well have run.
        Ok(_) => {
            return Outcome::Retry(Failure {
                kind: RetryKind::Transient,
                before_processing: false,
                delay: None,
                error: invalid("not a JSON object".into()),
                cost: None,
            });
        }
        Err(e) => {
            return Outcome::Retry(Failure {
                kind: RetryKind::Transient,
                before_processing: false,
                delay: None,
                error: invalid(format!("invalid JSON: {e}")),
                cost: None,
            });
        }
    };
    let errors = body
        .get("errors")
        .map(GraphqlError::parse_all)
        .unwrap_or_default();
    // GraphQL errors are a list; a bare string on a 200 is Shopify's "Internal error.
    // Looks like something went wrong on our end" page, not an answer to the query.
    let bare_string = body.get("errors").is_some_and(Value::is_string);
    let data = body.remove("data").filter(|d| !d.is_null());
    let extensions = body.remove("extensions");
    let cost = QueryCost::from_extensions(extensions.as_ref());
    if !errors.is_empty() {
        let throttled = errors.iter().any(|e| e.code() == Some("THROTTLED"));
        let internal = bare_string
            || errors
                .iter()
                .any(|e| e.code() == Some("INTERNAL_SERVER_ERROR"));
        let error = Error::Graphql(GraphqlErrors {
            operation: operation.to_owned(),
            errors,
            data,
            request_id,
        });
        if throttled {
            let delay = cost.map(|c| {
                let missing = (c.requested - c.throttle.currently_available).max(0.0);
                // A huge requested cost must not panic (found by fuzzing): an hour at most.
                let secs = (missing / c.throttle.restore_rate.max(0.001)).min(3600.0);
                Duration::try_from_secs_f64(secs).unwrap_or(Duration::from_secs(3600))
            });
            return Outcome::Retry(Failure {
                kind: RetryKind::Throttled,
                before_processing: true,
                delay,
                error,
                cost,
            });
        }
        if internal {
            return Outcome::Retry(Failure {
                kind: RetryKind::Transient,
                before_processing: false,
                delay: None,
                error,
                cost,
            });
        }
        return Outcome::Fail(error);
    }
    let Some(data) = data else {
        return Outcome::Fail(invalid("neither `data` nor `errors`".into()));
    };
    Outcome::Done(Answer {
        operation: "",
        data,
        extensions,
        request_id,
        api_version,
        attempts: 1,
    })
}

#[cfg(test)]
mod tests {
    use shopify_auth::{Credentials, StaticToken};

    use super::*;

    #[test]
    fn debug_shows_no_token_or_secret() {
        let shop = ShopDomain::parse("my-store").unwrap();
        let client = Client::builder()
            .token_source(
                shop.clone(),
                Arc::new(StaticToken::new("shpat_very_secret_token")),
            )
            .build()
            .unwrap();
        assert_eq!(
            format!("{client:?}"),
            "Client { shop: ShopDomain(\"my-store.myshopify.com\"), base_url: \"https://my-store.myshopify.com/\", tokens: StaticToken { token: AccessToken { token: [redacted], scopes: None, expires_at: None } }, timeout: 30s, retry: RetryPolicy { max_attempts: 5, max_elapsed: 60s, base_delay: 250ms, max_delay: 8s, max_throttled: 20 }, .. }"
        );
        let with_credentials = Client::builder()
            .credentials(Credentials::new(shop, "client-id", "client-secret-value"))
            .build()
            .unwrap();
        let debug = format!("{with_credentials:?}");
        assert!(!debug.contains("client-secret-value"), "{debug}");
    }

    #[test]
    fn the_endpoint_follows_the_version_and_keeps_a_base_path() {
        let shop = ShopDomain::parse("my-store").unwrap();
        let client = Client::builder()
            .token_source(shop, Arc::new(StaticToken::new("t")))
            .base_url(Url::parse("http://127.0.0.1:8080/proxy/").unwrap())
            .build()
            .unwrap();
        assert_eq!(
            client.endpoint("2026-10").as_str(),
            "http://127.0.0.1:8080/proxy/admin/api/2026-10/graphql.json"
        );
    }

    #[test]
    fn a_call_refreshes_new_tokens_up_to_the_bound_but_never_the_same_one_twice() {
        let mut refreshes = TokenRefreshes::default();
        let first = AccessToken::new("shpat_one", None, None);
        assert!(refreshes.may_refresh(&first));
        refreshes.rejected(first.clone());
        assert!(!refreshes.may_refresh(&first), "the source gave it back");
        for n in 1..MAX_TOKEN_REFRESHES {
            let next = AccessToken::new(format!("shpat_{n}"), None, None);
            assert!(refreshes.may_refresh(&next));
            refreshes.rejected(next);
        }
        let one_more = AccessToken::new("shpat_more", None, None);
        assert!(!refreshes.may_refresh(&one_more), "bounded");
    }
}
