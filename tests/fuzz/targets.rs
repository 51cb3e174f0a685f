//! The fuzz targets of issue 12, shared by the short test (`cargo test -p shopify-e2e --test
//! e2e fuzz`) and the long run (`cargo bench --workspace --bench fuzz`).
//!
//! Inputs come from proptest strategies on stable Rust, seeded so a run repeats exactly.
//! Most are structure-aware: real operations, answers and schemas, mutated a few edits at
//! a time, plus wholly random input. Each case runs under `catch_unwind`; a panic or a
//! broken property (a 5xx from the emulator, an unlocated diagnostic, a secret in an
//! error) counts as a panic, a case over 1 s as a hang. Inputs that once failed are kept
//! in `tests/e2e/fuzz.rs` as regression tests.
//!
//! Targets: 1 `shop_domain`, 1 `dotenv`, 2 `token_answer`, 3 `graphql_answer`,
//! 4 `codegen_document`, 5 `emulator_http`, 6 `bulk_rows`, 7 `schema_file`.

use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value, json};

/// A case slower than this is a hang.
pub const HANG: Duration = Duration::from_secs(1);

/// What running one target produced.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub target: &'static str,
    pub cases: u64,
    pub panics: u64,
    pub hangs: u64,
    pub slowest: Duration,
    /// The first failing input (Debug, cut) and why.
    pub first_failure: Option<String>,
}

/// A fuzz target: its name and how to run `cases` cases from `seed`.
pub struct Target {
    pub name: &'static str,
    /// Relative weight of this target's cases in a run (cheap targets get more).
    pub weight: u32,
    pub run: fn(u32, u64) -> Report,
}

/// Every target, in issue order.
pub fn targets() -> Vec<Target> {
    vec![
        Target {
            name: "shop_domain",
            weight: 30,
            run: shop_domain,
        },
        Target {
            name: "dotenv",
            weight: 10,
            run: dotenv,
        },
        Target {
            name: "token_answer",
            weight: 10,
            run: token_answer,
        },
        Target {
            name: "graphql_answer",
            weight: 15,
            run: graphql_answer,
        },
        Target {
            name: "codegen_document",
            weight: 5,
            run: codegen_document,
        },
        Target {
            name: "emulator_http",
            weight: 10,
            run: emulator_http,
        },
        Target {
            name: "bulk_rows",
            weight: 15,
            run: bulk_rows,
        },
        Target {
            name: "schema_file",
            weight: 20,
            run: schema_file,
        },
    ]
}

/// Runs `check` on `cases` values of `strategy`, seeded by `seed`.
pub fn run<S: Strategy>(
    target: &'static str,
    strategy: S,
    cases: u32,
    seed: u64,
    check: impl Fn(&S::Value) -> Result<(), String>,
) -> Report
where
    S::Value: Debug,
{
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&(target.len() as u64).to_le_bytes());
    for (i, b) in target.bytes().enumerate() {
        key[16 + i % 16] ^= b;
    }
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &key);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let mut report = Report {
        target,
        ..Report::default()
    };
    for _ in 0..cases {
        let Ok(tree) = strategy.new_tree(&mut runner) else {
            continue;
        };
        let value = tree.current();
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| check(&value)));
        let elapsed = started.elapsed();
        report.cases += 1;
        report.slowest = report.slowest.max(elapsed);
        let failure = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(why)) => Some(why),
            Err(panic) => Some(format!(
                "panicked: {}",
                panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("?")
            )),
        };
        if failure.is_some() {
            report.panics += 1;
        }
        if elapsed > HANG {
            report.hangs += 1;
        }
        if report.first_failure.is_none() {
            let why = failure.or_else(|| (elapsed > HANG).then(|| format!("took {elapsed:?}")));
            if let Some(why) = why {
                let input: String = format!("{value:?}").chars().take(2_000).collect();
                report.first_failure = Some(format!("{why}\n  input: {input}"));
            }
        }
    }
    report
}

// ---------------------------------------------------------------- shared generators

/// Strings that break naive code: empty, huge, control and non-ASCII characters.
fn weird_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        any::<String>(),
        "[a-zA-Z0-9_.:/ -]{0,30}",
        Just("\u{0}\u{7f}\r\n\t".to_owned()),
        Just("🛒é\u{202e}".to_owned()),
        (0usize..5_000).prop_map(|n| "x".repeat(n)),
    ]
}

/// One edit of a text: where (a fraction of its length), and what.
#[derive(Debug, Clone)]
pub enum Edit {
    Delete(u16, u16),
    Insert(u16, String),
    Duplicate(u16, u16),
    Truncate(u16),
}

fn edits(vocabulary: &'static [&'static str]) -> impl Strategy<Value = Vec<Edit>> {
    let insert = prop_oneof![
        3 => proptest::sample::select(vocabulary).prop_map(str::to_owned),
        1 => any::<String>(),
    ];
    let edit = prop_oneof![
        (any::<u16>(), 1u16..40).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<u16>(), insert).prop_map(|(at, s)| Edit::Insert(at, s)),
        (any::<u16>(), 1u16..200).prop_map(|(at, n)| Edit::Duplicate(at, n)),
        any::<u16>().prop_map(Edit::Truncate),
    ];
    proptest::collection::vec(edit, 0..5)
}

fn boundary(text: &str, at: u16) -> usize {
    let mut i = (text.len() * usize::from(at)) / (usize::from(u16::MAX) + 1);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `text` with `edits` applied, each at a char boundary.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = text.to_owned();
    for edit in edits {
        match edit {
            Edit::Delete(at, n) => {
                let start = boundary(&out, *at);
                let mut end = (start + usize::from(*n)).min(out.len());
                while !out.is_char_boundary(end) {
                    end += 1;
                }
                out.replace_range(start..end, "");
            }
            Edit::Insert(at, s) => {
                let at = boundary(&out, *at);
                out.insert_str(at, s);
            }
            Edit::Duplicate(at, n) => {
                let start = boundary(&out, *at);
                let mut end = (start + usize::from(*n)).min(out.len());
                while !out.is_char_boundary(end) {
                    end += 1;
                }
                let copy = out[start..end].to_owned();
                out.insert_str(end, &copy);
            }
            Edit::Truncate(at) => {
                let at = boundary(&out, *at);
                out.truncate(at);
            }
        }
    }
    out
}

/// Any JSON value, small, with keys from `keys` most of the time.
fn json_value(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        Just(json!(u64::MAX)),
        Just(json!(1e308)),
        Just(json!(-1)),
        Just(json!(0.5)),
        weird_string().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 24, 6, move |inner| {
        let key = prop_oneof![
            3 => proptest::sample::select(keys).prop_map(str::to_owned),
            1 => "[a-zA-Z_]{0,8}",
        ];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key, inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// One change to a JSON document: the `pick`-th node (preorder) replaced, removed or
/// wrapped.
#[derive(Debug, Clone)]
pub enum JsonEdit {
    Replace(u32, Value),
    Remove(u32),
    Wrap(u32),
}

fn json_edits(keys: &'static [&'static str]) -> impl Strategy<Value = Vec<JsonEdit>> {
    let edit = prop_oneof![
        3 => (any::<u32>(), json_value(keys)).prop_map(|(at, v)| JsonEdit::Replace(at, v)),
        2 => any::<u32>().prop_map(JsonEdit::Remove),
        1 => any::<u32>().prop_map(JsonEdit::Wrap),
    ];
    proptest::collection::vec(edit, 0..4)
}

fn count(value: &Value) -> u32 {
    1 + match value {
        Value::Array(items) => items.iter().map(count).sum(),
        Value::Object(map) => map.values().map(count).sum(),
        _ => 0,
    }
}

/// Applies one edit to node number `target` (counted by `seen`); true once done.
fn edit_node(value: &mut Value, target: u32, seen: &mut u32, edit: &JsonEdit) -> bool {
    let children: Vec<String> = match value {
        Value::Object(map) => map.keys().cloned().collect(),
        _ => Vec::new(),
    };
    if *seen == target {
        match edit {
            JsonEdit::Replace(_, new) => *value = new.clone(),
            JsonEdit::Wrap(_) => *value = json!([value.take()]),
            JsonEdit::Remove(_) => *value = Value::Null,
        }
        return true;
    }
    *seen += 1;
    match value {
        Value::Array(items) => items.iter_mut().any(|v| edit_node(v, target, seen, edit)),
        Value::Object(map) => {
            for key in children {
                let next = *seen;
                if next == target {
                    if let JsonEdit::Remove(_) = edit {
                        map.remove(&key);
                        return true;
                    }
                }
                if let Some(child) = map.get_mut(&key) {
                    if edit_node(child, target, seen, edit) {
                        return true;
                    }
                }
            }
            false
        }
        _ => false,
    }
}

/// `value` with `edits` applied.
pub fn apply_json(value: &Value, edits: &[JsonEdit]) -> Value {
    let mut out = value.clone();
    for edit in edits {
        let n = count(&out);
        let at = match edit {
            JsonEdit::Replace(at, _) | JsonEdit::Remove(at) | JsonEdit::Wrap(at) => *at % n,
        };
        edit_node(&mut out, at, &mut 0, edit);
    }
    out
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        shopify_auth::install_crypto_provider();
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

/// An HTTP answer a fake server gives.
#[derive(Debug, Clone)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A loopback server that answers every request with the canned answer of the moment.
struct FakeServer {
    url: url::Url,
    answer: Arc<Mutex<Canned>>,
}

impl FakeServer {
    fn start() -> Self {
        use axum::response::IntoResponse;
        let answer = Arc::new(Mutex::new(Canned {
            status: 200,
            headers: Vec::new(),
            body: Vec::new(),
        }));
        let shared = answer.clone();
        let app = axum::Router::new().fallback(move || {
            let canned = shared
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            async move {
                let status = axum::http::StatusCode::from_u16(canned.status)
                    .unwrap_or(axum::http::StatusCode::OK);
                let mut response = (status, canned.body).into_response();
                for (name, value) in &canned.headers {
                    if let (Ok(name), Ok(value)) = (
                        axum::http::HeaderName::from_bytes(name.as_bytes()),
                        axum::http::HeaderValue::from_str(value),
                    ) {
                        response.headers_mut().append(name, value);
                    }
                }
                response
            }
        });
        let listener = runtime()
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("a loopback port");
        let addr = listener.local_addr().expect("a local address");
        runtime().spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: url::Url::parse(&format!("http://{addr}")).expect("a URL"),
            answer,
        }
    }

    fn set(&self, canned: &Canned) {
        *self.answer.lock().unwrap_or_else(PoisonError::into_inner) = canned.clone();
    }
}

fn header_strategy(names: &'static [&'static str]) -> impl Strategy<Value = Vec<(String, String)>> {
    let value = prop_oneof![
        Just("application/json".to_owned()),
        Just("text/html".to_owned()),
        Just("1".to_owned()),
        Just("-5".to_owned()),
        Just("99999999999999999999".to_owned()),
        Just("0.5".to_owned()),
        "[ -~]{0,20}",
    ];
    proptest::collection::vec(
        (
            proptest::sample::select(names).prop_map(str::to_owned),
            value,
        ),
        0..4,
    )
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        4 => Just(200u16),
        3 => proptest::sample::select(&[201u16, 204, 301, 302, 400, 401, 402, 403, 404, 423, 429, 500, 502, 503, 504][..]),
        1 => 100u16..600,
    ]
}

// ---------------------------------------------------------------- 1. shop domains, .env

fn shop_domain(cases: u32, seed: u64) -> Report {
    const BASES: &[&str] = &[
        "my-store",
        "my-store.myshopify.com",
        "https://my-store.myshopify.com/",
        "HTTP://My-Store.MyShopify.com:443/admin",
        "a",
    ];
    const VOCAB: &[&str] = &[
        ".",
        "-",
        "/",
        ":",
        "https://",
        "myshopify.com",
        "%2F",
        "@",
        " ",
        "\u{0}",
        "é",
        "xn--",
        "?",
        "#",
    ];
    let input = prop_oneof![
        (proptest::sample::select(BASES), edits(VOCAB)).prop_map(|(b, e)| apply(b, &e)),
        weird_string(),
    ];
    run(
        "shop_domain",
        input,
        cases,
        seed,
        |input| match shopify_auth::ShopDomain::parse(input) {
            Ok(domain) => {
                let shown = domain.as_str();
                if !shown.ends_with(".myshopify.com") {
                    return Err(format!("accepted as {shown}"));
                }
                let again = shopify_auth::ShopDomain::parse(shown).map_err(|e| e.to_string())?;
                if again.as_str() != shown {
                    return Err(format!("not stable: {shown} -> {}", again.as_str()));
                }
                let _ = domain.url();
                Ok(())
            }
            Err(error) if error.to_string().is_empty() => Err("an empty error".into()),
            Err(_) => Ok(()),
        },
    )
}

/// The secret written into generated `.env` files: it must never show in an error.
const ENV_SECRET: &str = "fuzz-secret-0f3a9c";

/// Whether the secret's text is also written as another key's value (then showing that
/// value is no leak: found by the full run, with the same text as shop and client id).
pub fn secret_text_elsewhere(lines: &[String]) -> bool {
    lines.iter().any(|line| {
        let line = line.trim_start();
        line.contains(ENV_SECRET) && !line.starts_with("SHOPIFY_CLIENT_SECRET")
    })
}

fn dotenv(cases: u32, seed: u64) -> Report {
    let key = prop_oneof![
        Just("SHOPIFY_SHOP"),
        Just("SHOPIFY_CLIENT_ID"),
        Just("SHOPIFY_CLIENT_SECRET"),
        Just("export SHOPIFY_SHOP"),
        Just("OTHER"),
        Just(""),
    ];
    let value = prop_oneof![
        Just("my-store".to_owned()),
        Just(ENV_SECRET.to_owned()),
        Just(format!("\"{ENV_SECRET}")),
        Just(format!("'{ENV_SECRET}\n'")),
        Just("${SHOPIFY_SHOP}".to_owned()),
        Just("\\".to_owned()),
        weird_string(),
    ];
    let line = prop_oneof![
        4 => (key, proptest::sample::select(&["=", " = ", ":", ""][..]), value)
            .prop_map(|(k, sep, v)| format!("{k}{sep}{v}")),
        1 => Just("# comment".to_owned()),
        1 => weird_string(),
    ];
    let file = (
        proptest::collection::vec(line, 0..8),
        proptest::collection::vec(any::<u8>(), 0..4),
    );
    let dir = std::env::temp_dir().join(format!("shopify-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(".env");
    let report = run("dotenv", file, cases, seed, |(lines, junk)| {
        let mut bytes = lines.join("\n").into_bytes();
        bytes.extend_from_slice(junk);
        std::fs::write(&path, &bytes).map_err(|e| e.to_string())?;
        let result = shopify_auth::Credentials::from_lookup(|_| None, Some(&path));
        let shown = match &result {
            Ok(credentials) => format!("{credentials:?}"),
            Err(error) => format!("{error} {error:?}"),
        };
        if shown.contains(ENV_SECRET) && !secret_text_elsewhere(lines) {
            return Err(format!("the secret shows: {shown}"));
        }
        Ok(())
    });
    let _ = std::fs::remove_dir_all(&dir);
    report
}

// ---------------------------------------------------------------- 2. token answers

/// The client secret the token target sends: it must never show in an error.
const CLIENT_SECRET: &str = "fuzz-client-secret-77e1";

fn token_answer(cases: u32, seed: u64) -> Report {
    const KEYS: &[&str] = &[
        "access_token",
        "scope",
        "expires_in",
        "error",
        "error_description",
        "errors",
        "associated_user",
    ];
    let good = json!({"access_token": "shpat_fuzz", "scope": "read_products,write_orders", "expires_in": 86399});
    let refused =
        json!({"error": "invalid_client", "error_description": "Client authentication failed"});
    let body = prop_oneof![
        3 => (prop_oneof![Just(good), Just(refused)], json_edits(KEYS))
            .prop_map(|(base, e)| serde_json::to_vec(&apply_json(&base, &e)).unwrap_or_default()),
        1 => json_value(KEYS).prop_map(|v| serde_json::to_vec(&v).unwrap_or_default()),
        1 => proptest::collection::vec(any::<u8>(), 0..200),
        1 => (any::<u16>(), Just(r#"{"access_token":"shpat_x","scope":"a","expires_in":1}"#)).prop_map(|(at, s)| s.as_bytes()[..boundary(s, at)].to_vec()),
    ];
    let answer = (
        status(),
        header_strategy(&["content-type", "retry-after", "location", "x-request-id"]),
        body,
    )
        .prop_map(|(status, headers, body)| Canned {
            status,
            headers,
            body,
        });
    let server = FakeServer::start();
    let http = shopify_auth::http_client_builder()
        .build()
        .expect("an HTTP client");
    run("token_answer", answer, cases, seed, |canned| {
        server.set(canned);
        let credentials = shopify_auth::Credentials::new(
            shopify_auth::ShopDomain::parse("fuzz").map_err(|e| e.to_string())?,
            "client-id",
            CLIENT_SECRET,
        );
        let source = shopify_auth::ClientCredentials::builder(credentials)
            .base_url(server.url.clone())
            .http_client(http.clone())
            .timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| e.to_string())?;
        let result = runtime().block_on(async {
            use shopify_auth::TokenSource as _;
            source.token().await
        });
        let shown = match &result {
            Ok(token) => format!("{token:?}"),
            Err(error) => format!("{error} {error:?}"),
        };
        if shown.contains(CLIENT_SECRET) || shown.contains("shpat_fuzz") {
            return Err(format!("a secret shows: {shown}"));
        }
        Ok(())
    })
}

// ---------------------------------------------------------------- 3. GraphQL answers

/// Real answers of the emulator to the operations the target sends, captured once.
fn real_answers() -> &'static [Value; 3] {
    static ANSWERS: OnceLock<[Value; 3]> = OnceLock::new();
    ANSWERS.get_or_init(|| {
        use shopify_queries::Operation as _;
        let emulator = shopify_emulator::Emulator::builder()
            .in_process()
            .expect("the emulator");
        let body = |query: &str, variables: Value| {
            emulator
                .graphql(&json!({"query": query, "variables": variables}))
                .1
        };
        [
            body(shopify_queries::shop_info::Operation::QUERY, json!({})),
            body(
                shopify_queries::products_page::Operation::QUERY,
                json!({"first": 3}),
            ),
            body(
                shopify_queries::product_create::Operation::QUERY,
                json!({"product": {"title": ""}}),
            ),
        ]
    })
}

fn graphql_answer(cases: u32, seed: u64) -> Report {
    const KEYS: &[&str] = &[
        "data",
        "errors",
        "extensions",
        "cost",
        "requestedQueryCost",
        "actualQueryCost",
        "throttleStatus",
        "maximumAvailable",
        "currentlyAvailable",
        "restoreRate",
        "message",
        "locations",
        "path",
        "code",
        "line",
        "column",
        "shop",
        "products",
        "edges",
        "node",
        "nodes",
        "pageInfo",
        "hasNextPage",
        "endCursor",
        "userErrors",
        "field",
        "id",
        "title",
    ];
    let odd_cost = prop_oneof![
        Just(json!(-1)),
        Just(json!(0)),
        Just(json!(1e308)),
        Just(json!(u64::MAX)),
        Just(json!("12")),
        Just(Value::Null),
        Just(json!(0.001)),
        Just(json!(i64::MIN)),
    ];
    let cost_key = proptest::sample::select(
        &[
            "requestedQueryCost",
            "actualQueryCost",
            "maximumAvailable",
            "currentlyAvailable",
            "restoreRate",
        ][..],
    );
    let errors = prop_oneof![
        Just(json!("[API] Invalid API key or access token")),
        Just(json!({"query": "Required parameter missing or invalid"})),
        Just(json!([{"message": "Throttled", "extensions": {"code": "THROTTLED"}}])),
        Just(
            json!([{"message": "x", "extensions": {"code": "MAX_COST_EXCEEDED", "cost": 2003, "maxCost": 1000}}])
        ),
        Just(
            json!([{"message": "x", "locations": [{"line": -1, "column": "a"}], "path": [1, null, {}]}])
        ),
        Just(json!([])),
        json_value(KEYS),
    ];
    let answer = (
        0usize..3,
        json_edits(KEYS),
        proptest::option::of(errors),
        proptest::option::of((cost_key, odd_cost)),
        prop_oneof![5 => Just(None), 1 => any::<u16>().prop_map(Some)],
        status(),
        header_strategy(&[
            "content-type",
            "retry-after",
            "x-request-id",
            "x-shopify-api-version",
        ]),
    )
        .prop_map(|(which, edits, errors, cost, cut, status, headers)| {
            let mut body = apply_json(&real_answers()[which], &edits);
            if let (Some(errors), Value::Object(map)) = (errors, &mut body) {
                map.insert("errors".into(), errors);
            }
            if let Some((key, value)) = cost {
                let cost = body
                    .pointer_mut("/extensions/cost")
                    .and_then(Value::as_object_mut);
                match cost {
                    Some(cost) if matches!(key, "requestedQueryCost" | "actualQueryCost") => {
                        cost.insert(key.to_owned(), value);
                    }
                    Some(cost) => {
                        if let Some(Value::Object(status)) = cost.get_mut("throttleStatus") {
                            status.insert(key.to_owned(), value);
                        }
                    }
                    None => {}
                }
            }
            let text = body.to_string();
            let text = match cut {
                Some(at) => text[..boundary(&text, at)].to_owned(),
                None => text,
            };
            (
                which,
                Canned {
                    status,
                    headers,
                    body: text.into_bytes(),
                },
            )
        });
    let server = FakeServer::start();
    let shop = shopify_auth::ShopDomain::parse("fuzz").expect("a shop");
    let pacing = |on: bool| {
        shopify_queries::Client::builder()
            .token_source(
                shop.clone(),
                Arc::new(shopify_auth::StaticToken::new("shpat_fuzz_token")),
            )
            .base_url(server.url.clone())
            .retry(shopify_queries::RetryPolicy::none())
            .timeout(Duration::from_secs(2))
            .pacing(on)
            .build()
            .expect("a client")
    };
    run("graphql_answer", answer, cases, seed, |(which, canned)| {
        server.set(canned);
        // Paced: the odd cost of the first answer steers the wait before the second.
        let client = pacing(true);
        // A stall is a hang, not a stuck run: give up on the case after 10 s.
        runtime().block_on(async {
            tokio::time::timeout(Duration::from_secs(10), async {
                for _ in 0..2 {
                    let result = match which {
                        0 => shopify_queries::shop_info(
                            &client,
                            shopify_queries::shop_info::Variables {},
                        )
                        .await
                        .map(drop),
                        1 => shopify_queries::products_page(
                            &client,
                            shopify_queries::products_page::Variables {
                                first: 3,
                                after: None,
                                query: None,
                            },
                        )
                        .await
                        .map(drop),
                        _ => shopify_queries::product_create(
                            &client,
                            shopify_queries::product_create::Variables {
                                product: shopify_queries::types::ProductCreateInput::default(),
                            },
                        )
                        .await
                        .map(drop),
                    };
                    if let Err(error) = result {
                        let shown = format!("{error} {error:?}");
                        if shown.contains("shpat_fuzz_token") {
                            return Err(format!("the token shows: {shown}"));
                        }
                    }
                }
                Ok(())
            })
            .await
            .unwrap_or_else(|_| Err("stalled for 10 s".to_owned()))
        })
    })
}

// ---------------------------------------------------------------- 4. documents into codegen

const GRAPHQL_VOCAB: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "...",
    "on",
    ":",
    "$",
    "!",
    "=",
    "@",
    "query",
    "mutation",
    "subscription",
    "fragment",
    "products",
    "first",
    "id",
    "title",
    "nodes",
    "edges",
    "node",
    "shop",
    "name",
    "__typename",
    "__schema",
    "@idempotent(key: $k)",
    "@skip(if: true)",
    "\"",
    "\"\"\"",
    "#",
    "\n",
    "1e999",
    "-0",
    "$first: Int!",
    "...ProductSummary",
    "Int",
    "String!",
    "[ID!]!",
    "query Q",
    "fragment F on Product { id }",
    "{ shop { name } }",
];

fn operation_files() -> &'static (
    Vec<shopify_codegen::SourceFile>,
    Vec<shopify_codegen::SourceFile>,
) {
    static FILES: OnceLock<(
        Vec<shopify_codegen::SourceFile>,
        Vec<shopify_codegen::SourceFile>,
    )> = OnceLock::new();
    FILES.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let sources = shopify_codegen::Sources::discover(&root.join("graphql"), &root)
            .expect("graphql/ reads");
        (sources.operations, sources.fragments)
    })
}

fn codegen_document(cases: u32, seed: u64) -> Report {
    let count = operation_files().0.len();
    let document = prop_oneof![
        4 => (0..count, edits(GRAPHQL_VOCAB)).prop_map(|(i, e)| apply(&operation_files().0[i].text, &e)),
        1 => proptest::collection::vec(proptest::sample::select(GRAPHQL_VOCAB), 0..60)
            .prop_map(|tokens| tokens.join(" ")),
        1 => any::<String>(),
    ];
    let schema = shopify_schema::AdminSchema::bundled();
    run("codegen_document", document, cases, seed, |text| {
        let (_, fragments) = operation_files();
        let lines = text.lines().count() + 1;
        let sources = shopify_codegen::Sources {
            operations: vec![shopify_codegen::SourceFile {
                path: "graphql/fuzzed.graphql".into(),
                display: "graphql/fuzzed.graphql".into(),
                text: text.clone(),
            }],
            fragments: fragments.clone(),
            directories: Vec::new(),
        };
        match shopify_codegen::compile(schema, &sources) {
            Ok(_) => Ok(()),
            Err(diagnostics) => {
                for d in &diagnostics.0 {
                    let located = !d.file.is_empty()
                        && !d.message.is_empty()
                        && (d.file != "graphql/fuzzed.graphql" || d.line <= lines);
                    if !located {
                        return Err(format!("an unlocated diagnostic: {d:?}"));
                    }
                }
                Ok(())
            }
        }
    })
}

// ---------------------------------------------------------------- 5. HTTP into the emulator

/// A request to the served emulator.
#[derive(Debug, Clone)]
pub struct HttpCase {
    pub method: &'static str,
    pub path: String,
    pub token: u8,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

fn emulator_http(cases: u32, seed: u64) -> Report {
    let count = operation_files().0.len();
    let query = prop_oneof![
        4 => (0..count, edits(GRAPHQL_VOCAB)).prop_map(|(i, e)| apply(&operation_files().0[i].text, &e)),
        1 => proptest::collection::vec(proptest::sample::select(GRAPHQL_VOCAB), 0..60)
            .prop_map(|tokens| tokens.join(" ")),
    ];
    const KEYS: &[&str] = &[
        "query",
        "variables",
        "operationName",
        "first",
        "after",
        "id",
        "product",
        "title",
        "input",
    ];
    let body = prop_oneof![
        4 => (query, json_value(KEYS), proptest::option::of(weird_string())).prop_map(|(q, v, name)| {
            serde_json::to_vec(&json!({"query": q, "variables": v, "operationName": name})).unwrap_or_default()
        }),
        1 => json_value(KEYS).prop_map(|v| serde_json::to_vec(&v).unwrap_or_default()),
        1 => proptest::collection::vec(any::<u8>(), 0..300),
        1 => Just(b"grant_type=client_credentials&client_id=demo&client_secret=x".to_vec()),
    ];
    let path = prop_oneof![
        6 => proptest::sample::select(&["2026-10", "2026-07", "unstable", "1999-01", "latest", "%00", "..%2F.."][..])
            .prop_map(|v| format!("/admin/api/{v}/graphql.json")),
        1 => Just("/admin/oauth/access_token".to_owned()),
        1 => Just("/bulk-operations/1.jsonl".to_owned()),
        1 => "/[a-z._%-][a-z/._%-]{0,29}",
    ];
    let method =
        proptest::sample::select(&["POST", "POST", "POST", "GET", "PUT", "DELETE", "OPTIONS"][..]);
    let case = (
        method,
        path,
        0u8..4,
        header_strategy(&[
            "content-type",
            "host",
            "accept",
            "shopify-graphql-cost-debug",
            "content-encoding",
        ]),
        body,
    )
        .prop_map(|(method, path, token, headers, body)| HttpCase {
            method,
            path,
            token,
            headers,
            body,
        });
    let emulator = runtime()
        .block_on(shopify_emulator::Emulator::builder().start())
        .expect("the emulator starts");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("an HTTP client");
    let token = runtime().block_on(demo_token(&http, &emulator));
    let report = run("emulator_http", case, cases, seed, |case| {
        runtime().block_on(async {
            // A path the URL parser refuses never reaches the server.
            let Ok(url) = emulator.url().join(&case.path) else {
                return Ok(());
            };
            let method =
                reqwest::Method::from_bytes(case.method.as_bytes()).map_err(|e| e.to_string())?;
            let mut request = http.request(method, url).body(case.body.clone());
            match case.token {
                0 => request = request.header("X-Shopify-Access-Token", token.as_str()),
                1 => request = request.header("X-Shopify-Access-Token", "shpat_unknown"),
                2 => request = request.header("X-Shopify-Access-Token", ""),
                _ => {}
            }
            for (name, value) in &case.headers {
                request = request.header(name.as_str(), value.as_str());
            }
            match request.send().await {
                Ok(response) if response.status().is_server_error() => {
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    Err(format!("HTTP {status}: {text:.300}"))
                }
                Ok(response) => {
                    let _ = response.bytes().await;
                    Ok(())
                }
                // A header reqwest refuses to send, a Host it cannot route: not the server's.
                Err(error) if error.is_builder() || error.is_request() && !error.is_timeout() => {
                    Ok(())
                }
                Err(error) => Err(format!("no answer: {error}")),
            }
        })
    });
    // The server must still answer.
    let alive = runtime().block_on(async {
        let url = emulator.graphql_url("2026-10");
        http.post(url)
            .header("X-Shopify-Access-Token", token.as_str())
            .json(&json!({"query": "{ shop { name } }"}))
            .send()
            .await
            .ok()?
            .json::<Value>()
            .await
            .ok()
    });
    let mut report = report;
    if alive
        .as_ref()
        .and_then(|b| b["data"]["shop"]["name"].as_str())
        .is_none()
    {
        report.panics += 1;
        report
            .first_failure
            .get_or_insert_with(|| format!("the emulator no longer answers: {alive:?}"));
    }
    report
}

async fn demo_token(
    http: &reqwest::Client,
    emulator: &shopify_emulator::RunningEmulator,
) -> String {
    let url = emulator
        .url()
        .join("/admin/oauth/access_token")
        .expect("a URL");
    let answer: Value = http
        .post(url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", shopify_emulator::DEMO_CLIENT_ID),
            ("client_secret", shopify_emulator::DEMO_CLIENT_SECRET),
        ])
        .send()
        .await
        .expect("the token exchange answers")
        .json()
        .await
        .expect("a JSON token answer");
    answer["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

// ---------------------------------------------------------------- 6. bulk JSONL rows

/// Real lines of `graphql/bulk/`'s result files: `products_export` rows (a product, a
/// variant with `__parentId`) and `product_import` results (created, refused).
const BULK_LINES: &[&str] = &[
    r#"{"__typename":"Product","id":"gid://shopify/Product/1","title":"Hat","handle":"hat","vendor":"Acme","status":"ACTIVE","createdAt":"2026-01-02T03:04:05Z"}"#,
    r#"{"__typename":"ProductVariant","id":"gid://shopify/ProductVariant/7","title":"Red","sku":"HAT-R","price":"19.90","inventoryQuantity":4,"__parentId":"gid://shopify/Product/1"}"#,
    r#"{"__typename":"ProductVariant","id":"gid://shopify/ProductVariant/8","title":"Blue","sku":null,"price":"0","inventoryQuantity":null,"__parentId":"gid://shopify/Product/1"}"#,
    r#"{"data":{"productCreate":{"product":{"id":"gid://shopify/Product/9","title":"A","handle":"a","status":"DRAFT"},"userErrors":[]}},"__lineNumber":0}"#,
    r#"{"data":{"productCreate":{"product":null,"userErrors":[{"field":["title"],"message":"Title can't be blank"}]}},"__lineNumber":1}"#,
];

const BULK_WORDS: &[&str] = &[
    "\"__typename\":\"Product\",",
    "\"__typename\":\"ProductVariant\",",
    "\"__typename\":\"Order\",",
    "\"__parentId\":",
    "\"__lineNumber\":-1,",
    "\"id\":7,",
    "null",
    "\"12\"",
    "1e999",
    "18446744073709551616",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "{",
    "}",
    "[",
    ",",
    "\"",
    "\n",
    "\u{feff}",
];

const BULK_KEYS: &[&str] = &[
    "__typename",
    "__parentId",
    "__lineNumber",
    "id",
    "title",
    "handle",
    "vendor",
    "status",
    "createdAt",
    "sku",
    "price",
    "inventoryQuantity",
    "data",
    "errors",
    "productCreate",
    "product",
    "userErrors",
    "field",
    "message",
];

/// How a bulk line is broken.
#[derive(Debug, Clone)]
enum BulkCase {
    /// Byte-level edits of a real line (truncation included).
    Text(usize, Vec<Edit>),
    /// Values replaced with wrong-typed or odd ones, keys removed.
    Json(usize, Vec<JsonEdit>),
    /// Any bytes.
    Bytes(Vec<u8>),
}

/// Target 6: bulk JSONL lines, mutated, truncated and wrong-typed, into the row decoders
/// generated from `graphql/bulk/` (`products_export::Row`, `product_import::ResultLine`):
/// a typed `RowError` or a row, never a panic; an unbroken line always decodes.
fn bulk_rows(cases: u32, seed: u64) -> Report {
    use shopify_queries::bulk::{BulkRow, RowError};
    use shopify_queries::{product_import, products_export};

    let case = prop_oneof![
        4 => (0..BULK_LINES.len(), edits(BULK_WORDS)).prop_map(|(i, e)| BulkCase::Text(i, e)),
        4 => (0..BULK_LINES.len(), json_edits(BULK_KEYS)).prop_map(|(i, e)| BulkCase::Json(i, e)),
        1 => proptest::collection::vec(any::<u8>(), 0..300).prop_map(BulkCase::Bytes),
    ];
    fn shown(error: &RowError) -> Result<(), String> {
        // Display and Debug of every error must work (they end up in logs).
        let text = format!("{error} {error:?}");
        if text.is_empty() {
            return Err("an error with no message".to_owned());
        }
        Ok(())
    }
    run("bulk_rows", case, cases, seed, |case| {
        // `Some(is a mutation result)` for an unbroken real line.
        let (line, pristine): (Vec<u8>, Option<bool>) = match case {
            BulkCase::Text(i, e) => (
                apply(BULK_LINES[*i], e).into_bytes(),
                e.is_empty()
                    .then_some(BULK_LINES[*i].starts_with("{\"data\"")),
            ),
            BulkCase::Json(i, e) => {
                let value: Value =
                    serde_json::from_str(BULK_LINES[*i]).map_err(|e| e.to_string())?;
                (
                    serde_json::to_vec(&apply_json(&value, e)).map_err(|e| e.to_string())?,
                    e.is_empty()
                        .then_some(BULK_LINES[*i].starts_with("{\"data\"")),
                )
            }
            BulkCase::Bytes(bytes) => (bytes.clone(), None),
        };
        let row = products_export::Row::decode(&line);
        let result = product_import::ResultLine::decode(&line);
        match &row {
            Ok(row) => {
                // A decoded row answers its ids without panicking.
                let _ = (row.id(), row.parent_id());
            }
            Err(error) => shown(error)?,
        }
        if let Err(error) = &result {
            shown(error)?;
        }
        if let Some(is_result) = pristine {
            if is_result && result.is_err() {
                return Err(format!(
                    "a real result line does not decode: {:?}",
                    result.err()
                ));
            }
            if !is_result && row.is_err() {
                return Err(format!("a real row does not decode: {:?}", row.err()));
            }
        }
        Ok(())
    })
}

// ---------------------------------------------------------------- 7. schema files

const MINI_SDL: &str = r#"
schema { query: QueryRoot mutation: Mutation }
scalar DateTime
scalar Decimal
directive @idempotent(key: String!) on FIELD
"A product."
type Product implements Node { id: ID! title: String! status: ProductStatus! price: Decimal
  updatedAt: DateTime variants(first: Int, after: String): VariantConnection! old: String @deprecated(reason: "Use `title`.") }
interface Node { id: ID! }
type Variant implements Node { id: ID! sku: String }
type VariantConnection { nodes: [Variant!]! pageInfo: PageInfo! }
type PageInfo { hasNextPage: Boolean! endCursor: String }
enum ProductStatus { ACTIVE DRAFT ARCHIVED }
input ProductInput { title: String! tags: [String!] }
union Thing = Product | Variant
type QueryRoot { product(id: ID!): Product shop: String! things: [Thing!]! }
type Mutation { productCreate(product: ProductInput!): Product }
"#;

const MINI_META: &str = r#"{"apiVersion":"2026-10","types":{"Product":{"requiredAccess":"`read_products` access scope."}},"fields":{"QueryRoot.product":{"requiredAccess":"`read_products` access scope.","isProtected":false}}}"#;

const SDL_VOCAB: &[&str] = &[
    "type",
    "interface",
    "union",
    "enum",
    "input",
    "scalar",
    "schema",
    "directive",
    "extend",
    "implements",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "!",
    ":",
    "=",
    "|",
    "&",
    "@deprecated",
    "\"\"\"",
    "\"",
    "Product",
    "QueryRoot",
    "ID",
    "String",
    "Int",
    "on",
    "FIELD",
    "\n",
];

const META_KEYS: &[&str] = &[
    "apiVersion",
    "types",
    "fields",
    "requiredAccess",
    "isProtected",
    "protectedSubject",
    "Product",
    "QueryRoot.product",
    "gidTypes",
];

const INTROSPECTION_KEYS: &[&str] = &[
    "data",
    "__schema",
    "queryType",
    "mutationType",
    "types",
    "kind",
    "name",
    "fields",
    "type",
    "ofType",
    "args",
    "inputFields",
    "enumValues",
    "interfaces",
    "possibleTypes",
    "description",
    "isDeprecated",
    "deprecationReason",
    "defaultValue",
    "requiredAccess",
    "OBJECT",
    "SCALAR",
    "NON_NULL",
    "LIST",
    "ENUM",
    "INPUT_OBJECT",
    "UNION",
    "INTERFACE",
];

fn mini_introspection() -> Value {
    let scalar = |name: &str| json!({"kind": "SCALAR", "name": name, "ofType": null});
    let non_null = |of: Value| json!({"kind": "NON_NULL", "name": null, "ofType": of});
    json!({"data": {"__schema": {
        "queryType": {"name": "QueryRoot"},
        "mutationType": null,
        "subscriptionType": null,
        "directives": [],
        "types": [
            {"kind": "OBJECT", "name": "QueryRoot", "description": null, "interfaces": [],
             "fields": [
                {"name": "shop", "description": "The shop.", "args": [], "isDeprecated": false,
                 "deprecationReason": null, "type": non_null(scalar("String")), "requiredAccess": "`read_products` access scope."},
                {"name": "count", "description": null, "isDeprecated": true, "deprecationReason": "Gone.",
                 "args": [{"name": "first", "description": null, "type": scalar("Int"), "defaultValue": "5"}],
                 "type": {"kind": "LIST", "name": null, "ofType": non_null(scalar("Int"))}},
                {"name": "status", "description": null, "args": [], "isDeprecated": false, "deprecationReason": null,
                 "type": {"kind": "ENUM", "name": "Status", "ofType": null}}
             ]},
            {"kind": "ENUM", "name": "Status", "description": null,
             "enumValues": [{"name": "ACTIVE", "description": null, "isDeprecated": false, "deprecationReason": null}]},
            {"kind": "SCALAR", "name": "String", "description": null},
            {"kind": "SCALAR", "name": "Int", "description": null}
        ]
    }}})
}

/// What the schema target reads: SDL plus meta, or an introspection result.
#[derive(Debug, Clone)]
pub enum SchemaCase {
    Sdl(String, String),
    Introspection(String),
}

fn schema_file(cases: u32, seed: u64) -> Report {
    let case = prop_oneof![
        2 => (edits(SDL_VOCAB), prop_oneof![
                3 => json_edits(META_KEYS).prop_map(|e| apply_json(&serde_json::from_str(MINI_META).unwrap_or_default(), &e).to_string()),
                1 => edits(SDL_VOCAB).prop_map(|e| apply(MINI_META, &e)),
            ])
            .prop_map(|(e, meta)| SchemaCase::Sdl(apply(MINI_SDL, &e), meta)),
        2 => json_edits(INTROSPECTION_KEYS)
            .prop_map(|e| SchemaCase::Introspection(apply_json(&mini_introspection(), &e).to_string())),
        1 => (edits(SDL_VOCAB)).prop_map(|e| SchemaCase::Introspection(apply(&mini_introspection().to_string(), &e))),
        1 => json_value(INTROSPECTION_KEYS).prop_map(|v| SchemaCase::Introspection(v.to_string())),
    ];
    run("schema_file", case, cases, seed, |case| {
        let result = match case {
            SchemaCase::Sdl(sdl, meta) => {
                shopify_schema::AdminSchema::parse(sdl, meta, "fuzz.graphql").map(drop)
            }
            SchemaCase::Introspection(json) => {
                shopify_schema::introspection::convert(json, "2026-10").map(|converted| {
                    // What `schema pull` writes must load back.
                    let meta = serde_json::to_string(&converted.meta).unwrap_or_default();
                    let _ =
                        shopify_schema::AdminSchema::parse(&converted.sdl, &meta, "pulled.graphql");
                })
            }
        };
        match result {
            Err(error) if error.to_string().is_empty() => Err("an empty error".into()),
            _ => Ok(()),
        }
    })
}
