//! The HTTP surface: router, request recording, common headers, lifecycle, and the
//! connection handling that lets injected faults reset a connection.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use shopify_schema::AdminSchema;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot};
use tokio::task::{JoinHandle, JoinSet};

use crate::bucket::{BucketStatus, Buckets};
use crate::config::{App, DEMO_SHOP, EmulatorBuilder};
use crate::faults::{Fault, Faults, Schedule};
use crate::graphql::Engine;
use crate::graphql::bulk::BulkFault;
use crate::head_timeout::{self, HeadClock, Watched};
use crate::http::{SHOP_DOMAIN_HEADER, not_found, plain_error, request_id};
use crate::limits::Limits;
use crate::request_log::{LoggedRequest, RequestLog};
use crate::stats::{AppliedWrite, Recorder, Stats};
use crate::store::ShopState;
use crate::{EmulatorError, graphql, http, oauth};

/// One request the emulator received, for tests to inspect.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Path and query, e.g. `/admin/api/2026-10/graphql.json`.
    pub path: String,
    /// Headers as (lower-case name, value), sorted so snapshots are stable.
    pub headers: Vec<(String, String)>,
    /// The body: JSON as sent, a form as an object of strings, anything else as a string,
    /// `null` when empty.
    pub body: serde_json::Value,
    /// The body's bytes exactly as received (as UTF-8, invalid sequences replaced), for
    /// tests that pin the wire form: key order, spacing, escapes.
    pub raw_body: String,
}

/// State shared by all handlers.
pub(crate) struct Shared {
    pub(crate) schema: &'static AdminSchema,
    pub(crate) apps: Vec<App>,
    pub(crate) shops: HashMap<String, Arc<ShopState>>,
    pub(crate) tokens: oauth::Tokens,
    pub(crate) token_ttl: Duration,
    pub(crate) requests: Mutex<RequestLog>,
    pub(crate) engine: Engine,
    pub(crate) buckets: Buckets,
    pub(crate) faults: Faults,
    pub(crate) recorder: Recorder,
    /// Shared with the engine (documents inside bulk operations get the same bounds).
    pub(crate) limits: Arc<Limits>,
}

impl Shared {
    pub(crate) fn new(builder: &EmulatorBuilder) -> Result<Self, EmulatorError> {
        let schema = AdminSchema::bundled();
        let limits = Arc::new(builder.limits.clone());
        let mut shops = HashMap::new();
        for handle in &builder.shops {
            let state = ShopState::seeded(handle, builder.extra_products)?;
            shops.insert(handle.clone(), Arc::new(state));
        }
        Ok(Self {
            schema,
            apps: builder.apps.clone(),
            shops,
            tokens: oauth::Tokens::default(),
            token_ttl: builder.token_ttl,
            requests: Mutex::default(),
            engine: Engine::new(schema, Arc::clone(&limits)),
            buckets: Buckets::new(builder.bucket_size, builder.restore_rate),
            faults: Faults::new(&builder.faults),
            recorder: Recorder::default(),
            limits,
        })
    }

    /// The shop a request addresses: `<handle>.myshopify.com` in `Host`, else in
    /// `X-Shopify-Shop-Domain` (what clients sent to a base URL name), else the demo
    /// shop. `None` for a shop not served here, which is answered 404 like Shopify's
    /// unknown hosts.
    pub(crate) fn shop_for(&self, headers: &HeaderMap) -> Option<Arc<ShopState>> {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|h| h.to_str().ok())
                .unwrap_or_default()
        };
        let host = header(axum::http::header::HOST.as_str());
        let host = host.split(':').next().unwrap_or_default();
        let named = if host.ends_with(".myshopify.com") {
            host
        } else {
            header(SHOP_DOMAIN_HEADER).trim()
        };
        if named.is_empty() {
            return self.shops.get(DEMO_SHOP).cloned();
        }
        let handle = named.strip_suffix(".myshopify.com")?;
        self.shops.get(&handle.to_ascii_lowercase()).cloned()
    }
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/admin/oauth/access_token", post(oauth::access_token))
        .route("/admin/api/{version}/graphql.json", post(graphql::handle))
        .route("/bulk-operations/{file}", get(graphql::bulk::result_file))
        .route("/staged-uploads/{*key}", put(graphql::bulk::upload))
        .route("/_emulator/stats", get(stats))
        .fallback(unexpected)
        .layer(middleware::from_fn_with_state(shared.clone(), record))
        .with_state(shared)
}

/// `GET /_emulator/stats`: the counters, for programs in any language and for separate
/// processes measured against one served shop.
async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    axum::Json(shared.recorder.snapshot().to_json()).into_response()
}

/// Catch-all: says what was not expected instead of failing silently.
async fn unexpected(request: Request) -> Response {
    tracing::warn!(
        method = %request.method(),
        path = %request.uri().path(),
        "emulator: request was not expected"
    );
    not_found()
}

/// Bounds every route's body and time ([`Limits`]), records the request, then stamps
/// `x-request-id` and `X-Shopify-API-Version` on the answer.
async fn record(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let limit = shared.limits.request_timeout;
    match tokio::time::timeout(limit, record_within_limits(shared, request, next)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(?limit, "emulator: request took longer than its time limit");
            plain_error(StatusCode::SERVICE_UNAVAILABLE, "Request timed out")
        }
    }
}

async fn record_within_limits(shared: Arc<Shared>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    // Staged uploads take up to 100 MB: their handler streams and bounds the body itself,
    // and the log records them without it (one copy of a file is enough).
    let streamed =
        parts.method == axum::http::Method::PUT && parts.uri.path().starts_with("/staged-uploads/");
    let (bytes, body) = if streamed {
        (Ok(Bytes::new()), Some(body))
    } else {
        let read = axum::body::to_bytes(body, shared.limits.max_body_bytes);
        match tokio::time::timeout(shared.limits.body_timeout, read).await {
            Ok(read) => (read, None),
            Err(_) => {
                tracing::debug!("emulator: a request body took too long to arrive");
                return plain_error(StatusCode::REQUEST_TIMEOUT, "Request timed out");
            }
        }
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(_) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                axum::Json(serde_json::json!({"errors": "Request body too large"})),
            )
                .into_response();
        }
    };
    let mut headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    headers.sort();
    let recorded = LoggedRequest {
        method: parts.method.to_string(),
        path: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned()),
        headers,
        // A copy, not a slice of the connection's read buffer (which it would keep alive).
        body: bytes.to_vec().into_boxed_slice(),
        form: http::is_form(&parts.headers),
    };
    {
        shared
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(recorded);
    }

    let request = Request::from_parts(parts, body.unwrap_or_else(|| Body::from(bytes)));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key("x-shopify-api-version") {
        if let Ok(v) = HeaderValue::from_str(shared.schema.api_version()) {
            headers.insert("x-shopify-api-version", v);
        }
    }
    if !headers.contains_key("x-request-id") {
        if let Ok(v) = HeaderValue::from_str(&request_id()) {
            headers.insert("x-request-id", v);
        }
    }
    response
}

/// Lets a handler drop the connection its request came on, without answering: the way
/// an injected reset reaches the TCP level. Present in requests served by
/// [`EmulatorBuilder::start`].
#[derive(Debug, Clone)]
pub(crate) struct ConnectionReset(Arc<Notify>);

impl ConnectionReset {
    /// Resets the connection; the handler that calls this is dropped with it.
    pub(crate) fn reset(&self) {
        self.0.notify_one();
    }
}

/// Accepts connections until `stopped`; each connection is served in a task of a
/// [`JoinSet`], so aborting this task closes every connection too.
async fn serve(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, app.clone(), header_timeout));
                }
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(%error, "emulator: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Serves one HTTP/1.1 connection; a [`ConnectionReset`] in each request can cut it, and
/// a head that takes longer than `header_timeout` is answered 408.
async fn serve_connection(stream: TcpStream, app: Router, header_timeout: Duration) {
    let _ = stream.set_nodelay(true);
    // A second descriptor of the same socket, to set SO_LINGER 0 before a reset so the
    // peer sees a real RST rather than an orderly close.
    let (stream, spare) = match split_socket(stream) {
        Ok(pair) => pair,
        Err(error) => {
            tracing::warn!(%error, "emulator: cannot set up a connection");
            return;
        }
    };
    let signal = Arc::new(Notify::new());
    let reset = ConnectionReset(signal.clone());
    let clock = HeadClock::default();
    let heads = clock.clone();
    let service = hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
        request.extensions_mut().insert(reset.clone());
        let mut app = app.clone();
        let clock = heads.clone();
        clock.request_started();
        async move {
            use tower_service::Service as _;
            let response = app.call(request.map(Body::new)).await;
            clock.request_done();
            response
        }
    });
    let stream = Watched::new(stream, clock.clone());
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
    tokio::select! {
        () = clock.overdue(header_timeout) => {
            tracing::debug!(?header_timeout, "emulator: a request head took too long");
            if let Some(spare) = &spare {
                head_timeout::answer_timeout(spare);
            }
        }
        served = connection => {
            if let Err(error) = served {
                tracing::debug!(%error, "emulator: connection ended with an error");
            }
        }
        () = signal.notified() => {
            if let Some(spare) = spare.and_then(|s| TcpStream::from_std(s).ok()) {
                let _ = spare.set_zero_linger();
            }
            tracing::debug!("emulator: connection reset by an injected fault");
            // Dropping the connection future here closes the socket mid-exchange.
        }
    }
}

fn split_socket(stream: TcpStream) -> std::io::Result<(TcpStream, Option<std::net::TcpStream>)> {
    let std = stream.into_std()?;
    let spare = std.try_clone().ok();
    Ok((TcpStream::from_std(std)?, spare))
}

impl EmulatorBuilder {
    /// Binds the address and serves in a background task of the current tokio runtime.
    pub async fn start(self) -> Result<RunningEmulator, EmulatorError> {
        let shared = Arc::new(Shared::new(&self)?);
        let listener = tokio::net::TcpListener::bind(self.bind)
            .await
            .map_err(|source| EmulatorError::Bind {
                addr: self.bind,
                source,
            })?;
        let addr = listener
            .local_addr()
            .map_err(|source| EmulatorError::Bind {
                addr: self.bind,
                source,
            })?;
        let app = router(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, app, shared.limits.header_timeout, stopped));
        tracing::info!(%addr, "emulator listening");
        let url = url::Url::parse(&format!("http://{addr}")).map_err(|e| EmulatorError::Bind {
            addr,
            source: std::io::Error::other(e),
        })?;
        Ok(RunningEmulator {
            addr,
            url,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The emulator as an axum [`Router`], for serving it yourself or calling it in-process
    /// (e.g. with `tower::ServiceExt::oneshot`). Nothing is bound.
    pub fn into_router(self) -> Result<Router, EmulatorError> {
        Ok(router(Arc::new(Shared::new(&self)?)))
    }

    /// The GraphQL pipeline without HTTP or auth, for benchmarks and quick checks.
    pub fn in_process(self) -> Result<InProcess, EmulatorError> {
        Ok(InProcess {
            shared: Arc::new(Shared::new(&self)?),
        })
    }
}

/// The GraphQL pipeline of a configured emulator, called directly (no HTTP, no token).
#[derive(Clone)]
pub struct InProcess {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for InProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcess").finish_non_exhaustive()
    }
}

impl InProcess {
    /// Runs one GraphQL request body (`{"query", "variables", "operationName"}`) against the
    /// demo shop; returns the HTTP status and body the server would send.
    pub fn graphql(&self, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let Some(shop) = self.shared.shops.get(DEMO_SHOP) else {
            return (404, http::not_found_body());
        };
        let out = graphql::run_json(&self.shared, shop, body, None, None);
        (out.status.as_u16(), out.body)
    }
}

/// A started emulator. Dropping it shuts the server down and releases the port.
pub struct RunningEmulator {
    addr: SocketAddr,
    url: url::Url,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for RunningEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningEmulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl RunningEmulator {
    /// Base URL, e.g. `http://127.0.0.1:PORT`.
    pub fn url(&self) -> url::Url {
        self.url.clone()
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The GraphQL endpoint for `version`, e.g. `http://127.0.0.1:PORT/admin/api/2026-10/graphql.json`.
    pub fn graphql_url(&self, version: &str) -> url::Url {
        let mut url = self.url.clone();
        url.set_path(&format!("/admin/api/{version}/graphql.json"));
        url
    }

    /// The requests received so far, oldest first: the newest that fit in 512 KiB of
    /// bodies and headers (at most 4 096), so a long-running emulator stays bounded.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .to_vec()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Revokes every token issued so far.
    pub fn revoke_tokens(&self) {
        self.shared.tokens.revoke_all();
    }

    /// Revokes one token; returns whether it was known.
    pub fn revoke_token(&self, token: &str) -> bool {
        self.shared.tokens.revoke(token)
    }

    /// What the emulator did so far: requests, throttled answers, points, writes.
    pub fn stats(&self) -> Stats {
        self.shared.recorder.snapshot()
    }

    /// Every write applied by a mutation so far, oldest first.
    pub fn writes(&self) -> Vec<AppliedWrite> {
        self.shared.recorder.writes()
    }

    /// The applied writes so far, oldest first, and forgets them (the counters stay): for
    /// long runs that reconcile as they go, so the log never reaches its cap
    /// ([`crate::MAX_WRITES_KEPT`]).
    pub fn take_writes(&self) -> Vec<AppliedWrite> {
        self.shared.recorder.take_writes()
    }

    /// Zeroes the counters and forgets the applied writes (not the data they wrote).
    pub fn reset_stats(&self) {
        self.shared.recorder.reset();
    }

    /// Injects `fault` into the GraphQL requests `schedule` picks, counted from now.
    /// Rules accumulate; the first that fires for a request wins.
    pub fn inject(&self, fault: Fault, schedule: Schedule) {
        self.shared.faults.inject(fault, schedule);
    }

    /// Injects a bulk-operation fault into every shop: it applies once, to the next bulk
    /// operation (or result download) it fits.
    pub fn inject_bulk(&self, fault: BulkFault) {
        for shop in self.shared.shops.values() {
            let store = shop.store.read().unwrap_or_else(PoisonError::into_inner);
            store
                .bulk()
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .inject(fault.clone());
        }
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// The rate-limit bucket of app `client_id` on shop `shop` (a handle), refilled up to
    /// now. A pair that has not sent anything yet has a full bucket.
    pub fn bucket(&self, client_id: &str, shop: &str) -> BucketStatus {
        self.shared.buckets.status(client_id, shop)
    }

    /// Changes every bucket's size and restore rate from now on, as Shopify does when a
    /// plan changes or the rate is lowered for a while; levels above the new size shrink.
    pub fn set_bucket(&self, maximum_available: u64, restore_rate: u64) {
        self.shared
            .buckets
            .reconfigure(maximum_available, restore_rate);
    }

    /// Serves until the server task ends (i.e. until the process stops).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Aborting drops the listener even while keep-alive connections linger.
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
