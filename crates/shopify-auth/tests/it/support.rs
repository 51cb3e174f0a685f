//! A fake token endpoint: a real HTTP server on 127.0.0.1:0 that records
//! every request and answers what the test tells it to.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use shopify_auth::{ClientCredentials, ClientCredentialsBuilder, Credentials, ShopDomain};
use tokio::sync::watch;
use url::Url;

/// The client secret used by every test; holds characters that form encoding
/// changes, so both spellings can be checked for leaks.
pub const SECRET: &str = "cs_Sup3r+Secret/Value=";
pub const CLIENT_ID: &str = "test-client-id";
/// Every token the server issues starts with this, followed by its number.
pub const TOKEN_PREFIX: &str = "shpat_issued_";

pub fn credentials() -> Credentials {
    let shop = ShopDomain::parse("my-store").expect("valid shop");
    Credentials::new(shop, CLIENT_ID, SECRET)
}

/// What the token endpoint answers.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with a fresh token `shpat_issued_<n>` for the n-th request.
    Token {
        scope: Option<&'static str>,
        expires_in: Option<u64>,
    },
    /// `status` with a JSON body.
    Json(StatusCode, Value),
    /// `status` with a body of the given content type.
    Raw {
        status: StatusCode,
        content_type: &'static str,
        body: String,
    },
    /// `status` with a `location` header.
    Redirect {
        status: StatusCode,
        location: String,
    },
}

impl Reply {
    pub fn token(expires_in: u64) -> Self {
        Self::Token {
            scope: Some("read_products,write_orders"),
            expires_in: Some(expires_in),
        }
    }

    pub fn oauth_error(status: StatusCode, error: &str, description: &str) -> Self {
        Self::Json(
            status,
            json!({"error": error, "error_description": description}),
        )
    }
}

/// One request as the server saw it. Headers are sorted by name.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: Method,
    pub path: String,
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

impl Recorded {
    /// The form body as ordered pairs.
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .into_owned()
            .collect()
    }
}

struct Shared {
    reply: Mutex<Reply>,
    requests: Mutex<Vec<Recorded>>,
    token_requests: AtomicUsize,
    unexpected: Mutex<Vec<String>>,
    /// `true` lets answers out; `false` holds them until released.
    gate: watch::Sender<bool>,
    /// Extra time every answer takes (for the benchmark and timeouts).
    delay: Mutex<Duration>,
}

/// The running server; stops when dropped.
pub struct TokenServer {
    /// Base URL to hand to `ClientCredentialsBuilder::base_url`.
    pub url: Url,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl TokenServer {
    pub async fn start(reply: Reply) -> Self {
        let shared = Arc::new(Shared {
            reply: Mutex::new(reply),
            requests: Mutex::new(Vec::new()),
            token_requests: AtomicUsize::new(0),
            unexpected: Mutex::new(Vec::new()),
            gate: watch::Sender::new(true),
            delay: Mutex::new(Duration::ZERO),
        });
        let app = Router::new()
            .route("/admin/oauth/access_token", post(token_endpoint))
            .fallback(unexpected)
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        Self {
            url: Url::parse(&format!("http://{addr}/")).expect("url"),
            shared,
            task,
        }
    }

    /// A `ClientCredentials` builder pointed at this server.
    pub fn source(&self) -> ClientCredentialsBuilder {
        ClientCredentials::builder(credentials()).base_url(self.url.clone())
    }

    pub fn set_reply(&self, reply: Reply) {
        *self.shared.reply.lock().expect("lock") = reply;
    }

    pub fn set_delay(&self, delay: Duration) {
        *self.shared.delay.lock().expect("lock") = delay;
    }

    /// Token requests wait, unanswered, until [`release`](Self::release).
    pub fn hold(&self) {
        self.shared.gate.send_replace(false);
    }

    pub fn release(&self) {
        self.shared.gate.send_replace(true);
    }

    /// How many requests reached the token endpoint.
    pub fn token_requests(&self) -> usize {
        self.shared.token_requests.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().expect("lock").clone()
    }

    /// Requests to anything but the token endpoint, each explaining itself.
    pub fn unexpected(&self) -> Vec<String> {
        self.shared.unexpected.lock().expect("lock").clone()
    }
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn token_endpoint(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let n = {
        let mut requests = shared.requests.lock().expect("lock");
        requests.push(Recorded {
            method,
            path: uri.path().to_owned(),
            headers: headers
                .iter()
                .map(|(k, v)| {
                    let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
                    (k.as_str().to_owned(), value)
                })
                .collect(),
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        // Counted under the lock so the n-th request issues token n.
        shared.token_requests.fetch_add(1, Ordering::SeqCst) + 1
    };
    let mut gate = shared.gate.subscribe();
    // Only fails if the sender is gone, i.e. the server is shutting down.
    let _ = gate.wait_for(|open| *open).await;
    let delay = *shared.delay.lock().expect("lock");
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let reply = shared.reply.lock().expect("lock").clone();
    match reply {
        Reply::Token { scope, expires_in } => {
            let mut body = json!({"access_token": format!("{TOKEN_PREFIX}{n}")});
            if let Some(scope) = scope {
                body["scope"] = json!(scope);
            }
            if let Some(expires_in) = expires_in {
                body["expires_in"] = json!(expires_in);
            }
            ([("x-request-id", format!("req-{n}"))], axum::Json(body)).into_response()
        }
        Reply::Json(status, body) => (
            status,
            [("x-request-id", format!("req-{n}"))],
            axum::Json(body),
        )
            .into_response(),
        Reply::Raw {
            status,
            content_type,
            body,
        } => (status, [(header::CONTENT_TYPE, content_type)], body).into_response(),
        Reply::Redirect { status, location } => {
            (status, [(header::LOCATION, location)]).into_response()
        }
    }
}

async fn unexpected(State(shared): State<Arc<Shared>>, method: Method, uri: Uri) -> Response {
    let message = format!("{method} {uri} was not expected by the fake token endpoint");
    shared
        .unexpected
        .lock()
        .expect("lock")
        .push(message.clone());
    (StatusCode::NOT_FOUND, message).into_response()
}

/// Waits until `condition` holds, polling; panics after 30 s, which only a
/// broken test reaches on even a heavily loaded machine.
pub async fn eventually(what: &str, condition: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// A local port with nothing listening on it.
pub fn closed_port_url() -> Url {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    Url::parse(&format!("http://{addr}/")).expect("url")
}
