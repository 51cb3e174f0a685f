//! Sending operations to the Admin API.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use serde_json::{Value, json};
use shopify_auth::{
    ACCESS_TOKEN_HEADER, ClientCredentials, Credentials, ShopDomain, TokenSource,
    http_client_builder,
};
use url::Url;

use crate::codec::{FromJson, Path, ToJson};
use crate::error::{Error, GraphqlError, GraphqlErrors};
use crate::{Operation, OperationKind};

/// How long one request may take unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How much of a body an error keeps.
pub const EXCERPT_BYTES: usize = 512;

/// A client for one shop's Admin GraphQL API. Cheap to clone; clones share the HTTP
/// connection pool and the token cache.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    shop: ShopDomain,
    base_url: Url,
    tokens: Arc<dyn TokenSource>,
    timeout: Duration,
}

// Lists only what is safe to show: the token source redacts itself.
impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("shop", &self.inner.shop)
            .field("base_url", &self.inner.base_url.as_str())
            .field("tokens", &self.inner.tokens)
            .field("timeout", &self.inner.timeout)
            .finish()
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
    /// `x-request-id`.
    pub request_id: Option<String>,
    /// `X-Shopify-API-Version`: the version that actually served the request.
    pub api_version: Option<String>,
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
}

/// A client that cannot be built as configured.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// Neither credentials nor a token source was given.
    #[error(
        "a client needs credentials (ClientBuilder::credentials) or a token source (ClientBuilder::token_source) and a shop"
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
    /// `https://{shop}.myshopify.com`. Exists for tests and the local emulator.
    pub fn base_url(mut self, base_url: Url) -> Self {
        self.base_url = Some(base_url);
        self
    }

    /// How long one request may take (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
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
        let base_url = self.base_url.unwrap_or_else(|| shop.url());
        let tokens: Arc<dyn TokenSource> = match (self.tokens, self.credentials) {
            (Some(tokens), _) => tokens,
            (None, Some(credentials)) => Arc::new(
                ClientCredentials::builder(credentials)
                    .base_url(base_url.clone())
                    .http_client(http.clone())
                    .timeout(self.timeout)
                    .build()?,
            ),
            (None, None) => return Err(BuildError::MissingAuth),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                shop,
                base_url,
                tokens,
                timeout: self.timeout,
            }),
        })
    }
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
        }
    }

    /// A client for the shop and app in `SHOPIFY_SHOP`, `SHOPIFY_CLIENT_ID` and
    /// `SHOPIFY_CLIENT_SECRET` (environment, or `.env`).
    pub fn from_env() -> Result<Self, BuildError> {
        Self::builder()
            .credentials(Credentials::from_env()?)
            .build()
    }

    /// The shop this client talks to.
    pub fn shop(&self) -> &ShopDomain {
        &self.inner.shop
    }

    /// The token source, e.g. to read the granted scopes.
    pub fn token_source(&self) -> &Arc<dyn TokenSource> {
        &self.inner.tokens
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
    pub async fn execute<O: Operation>(
        &self,
        variables: &O::Variables,
    ) -> Result<O::Response, Error> {
        self.send::<O>(variables)
            .await
            .map(|response| response.data)
    }

    /// Runs an operation and returns its data with the response's metadata.
    pub async fn send<O: Operation>(
        &self,
        variables: &O::Variables,
    ) -> Result<Response<O::Response>, Error> {
        let body = request_body::<O>(variables);
        let answer = self.post(O::API_VERSION, &body, O::NAME, O::KIND).await?;
        let data =
            O::Response::from_json(&answer.data, Path::Root).map_err(|source| Error::Decode {
                operation: O::NAME.to_owned(),
                source,
                request_id: answer.request_id.clone(),
            })?;
        Ok(Response {
            data,
            raw_data: answer.data,
            extensions: answer.extensions,
            request_id: answer.request_id,
            api_version: answer.api_version,
        })
    }

    /// Sends any GraphQL request body (`{"query", "variables", "operationName"}`) to
    /// `api_version` and returns the `data`, for queries that have no generated type
    /// (introspection, ad-hoc tools).
    pub async fn execute_raw(
        &self,
        api_version: &str,
        body: &Value,
    ) -> Result<Response<Value>, Error> {
        let name = body
            .get("operationName")
            .and_then(Value::as_str)
            .unwrap_or("an anonymous operation")
            .to_owned();
        let answer = self
            .post(api_version, body, &name, OperationKind::Query)
            .await?;
        Ok(Response {
            data: answer.data.clone(),
            raw_data: answer.data,
            extensions: answer.extensions,
            request_id: answer.request_id,
            api_version: answer.api_version,
        })
    }

    async fn post(
        &self,
        api_version: &str,
        body: &Value,
        operation: &str,
        _kind: OperationKind,
    ) -> Result<Answer, Error> {
        let url = self.endpoint(api_version);
        // A 401 means the token went stale (revoked, rotated): fetch one fresh token and
        // try once more. A second 401 is reported.
        let mut retried = false;
        loop {
            let token = self.inner.tokens.token().await?;
            let header = token.header_value().map_err(|_| Error::InvalidResponse {
                status: 0,
                reason: "the access token contains characters an HTTP header cannot carry".into(),
                excerpt: String::new(),
                request_id: None,
            })?;
            let sent = self
                .inner
                .http
                .post(url.clone())
                .header(ACCESS_TOKEN_HEADER, header)
                .header(CONTENT_TYPE, "application/json")
                .header(ACCEPT, "application/json")
                .timeout(self.inner.timeout)
                .body(body.to_string())
                .send()
                .await;
            let response = match sent {
                Ok(response) => response,
                Err(e) => return Err(self.transport_error(&url, e)),
            };
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let bytes = match response.bytes().await {
                Ok(bytes) => bytes,
                Err(e) => return Err(self.transport_error(&url, e)),
            };
            if status == 401 && !retried {
                tracing::debug!(operation, "access token rejected (401); fetching a new one");
                self.inner.tokens.invalidate(&token);
                retried = true;
                continue;
            }
            return interpret(status, &headers, &bytes, operation);
        }
    }

    fn transport_error(&self, url: &Url, error: reqwest::Error) -> Error {
        if error.is_timeout() {
            Error::Timeout {
                url: url.to_string(),
                timeout: self.inner.timeout,
            }
        } else {
            Error::Network {
                url: url.to_string(),
                source: error,
            }
        }
    }
}

/// The JSON body sent for an operation: `{"query", "variables", "operationName"}`.
pub fn request_body<O: Operation>(variables: &O::Variables) -> Value {
    json!({
        "query": O::QUERY,
        "variables": variables.to_json(),
        "operationName": O::NAME,
    })
}

/// A decoded GraphQL answer without errors.
struct Answer {
    data: Value,
    extensions: Option<Value>,
    request_id: Option<String>,
    api_version: Option<String>,
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name)?.to_str().ok().map(str::to_owned)
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

fn interpret(
    status: u16,
    headers: &HeaderMap,
    bytes: &[u8],
    operation: &str,
) -> Result<Answer, Error> {
    let request_id = header(headers, "x-request-id");
    let api_version = header(headers, "x-shopify-api-version");
    let parsed: Result<Value, _> = serde_json::from_slice(bytes);
    if !(200..300).contains(&status) {
        let errors = parsed
            .as_ref()
            .ok()
            .and_then(|v| v.get("errors"))
            .map(GraphqlError::parse_all)
            .unwrap_or_default();
        return Err(Error::Http {
            status,
            errors,
            excerpt: excerpt(bytes),
            request_id,
        });
    }
    let invalid = |reason: String| Error::InvalidResponse {
        status,
        reason,
        excerpt: excerpt(bytes),
        request_id: request_id.clone(),
    };
    let mut body = match parsed {
        Ok(Value::Object(body)) => body,
        Ok(_) => return Err(invalid("not a JSON object".into())),
        Err(e) => return Err(invalid(format!("invalid JSON: {e}"))),
    };
    let errors = body
        .get("errors")
        .map(GraphqlError::parse_all)
        .unwrap_or_default();
    let data = body.remove("data").filter(|d| !d.is_null());
    if !errors.is_empty() {
        return Err(Error::Graphql(GraphqlErrors {
            operation: operation.to_owned(),
            errors,
            data,
            request_id,
        }));
    }
    let Some(data) = data else {
        return Err(invalid("neither `data` nor `errors`".into()));
    };
    Ok(Answer {
        data,
        extensions: body.remove("extensions"),
        request_id,
        api_version,
    })
}
