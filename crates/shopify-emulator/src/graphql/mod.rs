//! `POST /admin/api/{version}/graphql.json` as a pipeline:
//!
//! 0. **faults** (`handle`): an injected fault may answer (429, 5xx, 401, a reset) before
//!    anything runs, or spoil the answer after the request ran (see [`crate::faults`]);
//! 1. **auth** (`process`): shop from `Host`, `X-Shopify-Access-Token` → 401;
//! 2. **request** ([`Request::from_json`]): body shape → 400;
//! 3. **static checks** ([`validate::check`], [`variables::coerce`]): graphql-ruby errors,
//!    no `data`, no cost;
//! 4. **admission** ([`admission::Admission::admit`]): requested cost above 1000 → `MAX_COST_EXCEEDED`;
//!    the app+shop bucket short → `THROTTLED`; else the requested cost is taken. A mutation
//!    that requires `@idempotent` and lacks it → `BAD_REQUEST` (with the cost block);
//! 5. **execute** ([`execute`]): apollo-compiler with the generic resolver; mutations
//!    record their writes and replay results by idempotency key;
//! 6. **respond** ([`Outcome`]): data, errors with Shopify codes, and the cost block after
//!    refunding the requested cost down to the actual one ([`admission::Admission::settle`]).

mod adjustments;
mod admission;
pub(crate) mod bulk;
mod connection;
mod input;
mod json;
mod mutations;
mod resolve;
pub(crate) mod validate;
mod variables;
mod writes;

use std::cell::RefCell;
use std::collections::HashMap as StdHashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use apollo_compiler::collections::HashMap;
use apollo_compiler::executable::{ExecutableDocument, Operation, OperationType, Selection};
use apollo_compiler::resolvers::Execution;
use apollo_compiler::schema::Implementers;
use apollo_compiler::validation::Valid;
use apollo_compiler::{Name, Schema};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use shopify_schema::{AdminSchema, cost};

use crate::config::DEMO_CLIENT_ID;
use crate::faults::{self, Fault};
use crate::oauth::TokenInfo;
use crate::server::{ConnectionReset, Shared};
use crate::stats::AppliedWrite;
use crate::store::{ShopState, Store};
use resolve::{CODE_SEPARATOR, Ctx, StoreAccess};
use validate::GqlError;

/// Shopify's answer to a missing, unknown, revoked or expired token.
const INVALID_TOKEN: &str =
    "[API] Invalid API key or access token (unrecognized login or wrong password)";

/// Introspection answers kept ([`Engine`]); beyond, the cache starts over.
const MAX_INTROSPECTION_CACHED: usize = 8;

/// Per-process caches over the (static) schema.
pub(crate) struct Engine {
    schema: &'static AdminSchema,
    /// Full introspection is ~7 MB and ~100 ms: answers to introspection-only operations are
    /// cached by request, with their actual cost (the cost block is added per request).
    introspection: Mutex<StdHashMap<String, Arc<(Value, u64)>>>,
    /// For documents that arrive inside arguments (bulk operations).
    limits: Arc<crate::limits::Limits>,
    /// Pipelines running at once: one per core. The work is CPU-bound, so more at once
    /// only adds blocking threads, and every thread that allocates gets its own malloc
    /// arena: with one per soak task (8) the emulator's resident memory kept creeping up
    /// (all arenas fragmenting at once) though its live heap grew far less.
    pipelines: Arc<tokio::sync::Semaphore>,
}

impl Engine {
    pub(crate) fn new(schema: &'static AdminSchema, limits: Arc<crate::limits::Limits>) -> Self {
        Self {
            schema,
            introspection: Mutex::new(StdHashMap::new()),
            limits,
            pipelines: Arc::new(tokio::sync::Semaphore::new(pipelines_at_once())),
        }
    }

    fn implementers(&self) -> &'static HashMap<Name, Implementers> {
        static MAP: OnceLock<HashMap<Name, Implementers>> = OnceLock::new();
        MAP.get_or_init(|| self.schema.schema.implementers_map())
    }
}

/// What the pipeline answers: a status and a JSON body.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
}

impl Outcome {
    fn ok(body: Value) -> Self {
        Self {
            status: StatusCode::OK,
            body,
        }
    }

    /// Static errors: `errors` only, no `data`, no `extensions`.
    fn static_errors(errors: &[GqlError]) -> Self {
        Self::ok(json!({"errors": errors.iter().map(GqlError::to_json).collect::<Vec<_>>()}))
    }
}

/// A GraphQL request body.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) query: String,
    pub(crate) variables: Map<String, Value>,
    pub(crate) operation_name: Option<String>,
}

impl Request {
    /// `None` when Shopify would answer 400 (no JSON object, or no query string).
    pub(crate) fn from_json(body: &Value) -> Option<Self> {
        let query = body.get("query")?.as_str()?;
        // Bytes, not `str::trim`: a megabyte of blanks costs a debug build ~250 ms to trim.
        if query.bytes().all(|b| b.is_ascii_whitespace()) {
            return None;
        }
        let variables = match body.get("variables") {
            Some(Value::Object(map)) => map.clone(),
            // Some clients send variables as a JSON string.
            Some(Value::String(s)) => serde_json::from_str(s).unwrap_or_default(),
            _ => Map::new(),
        };
        Some(Self {
            query: query.to_owned(),
            variables,
            operation_name: body
                .get("operationName")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        })
    }
}

/// The axum handler: faults, auth, then the pipeline on a blocking thread.
pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    Path(version): Path<String>,
    extensions: Extensions,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !is_version_shaped(&version) {
        // Unknown versions fall forward (below); what is not a version at all is no route.
        return crate::http::not_found();
    }
    shared.recorder.update(|s| s.requests += 1);
    let fault = shared.faults.next();
    if let Some(fault) = &fault {
        shared.recorder.update(|s| s.faults += 1);
        tracing::debug!(?fault, "emulator: injecting a fault");
    }
    let reset = extensions.get::<ConnectionReset>();
    match &fault {
        Some(Fault::ResetBeforeProcessing) => return faults::reset(reset).await,
        Some(fault @ (Fault::TooManyRequests { .. } | Fault::ServerError { .. })) => {
            return faults::answer_unprocessed(fault);
        }
        Some(Fault::RevokeToken) => {
            if let Some(token) = token_of(&headers) {
                shared.tokens.revoke(token);
            }
            return invalid_token();
        }
        _ => {}
    }
    let served = shared.schema.api_version().to_owned();
    if version != served {
        tracing::debug!(asked = %version, %served, "emulator: API version falls forward");
    }
    let outcome = process(shared, headers, body).await;
    let mut response = match &fault {
        Some(Fault::ResetAfterProcessing) => return faults::reset(reset).await,
        Some(Fault::Delay(delay)) => {
            tokio::time::sleep(*delay).await;
            (outcome.status, axum::Json(outcome.body)).into_response()
        }
        Some(
            fault @ (Fault::MalformedJson | Fault::TruncatedJson | Fault::ErrorsString { .. }),
        ) => faults::answer_processed(fault, &outcome.body),
        _ => (outcome.status, axum::Json(outcome.body)).into_response(),
    };
    if let Ok(v) = HeaderValue::from_str(&served) {
        response.headers_mut().insert("x-shopify-api-version", v);
    }
    response
}

/// `YYYY-MM` or `unstable`: what Shopify names versions.
fn is_version_shaped(version: &str) -> bool {
    let b = version.as_bytes();
    version == "unstable"
        || (b.len() == 7
            && b[4] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || c.is_ascii_digit()))
}

fn token_of(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("x-shopify-access-token")
        .and_then(|v| v.to_str().ok())
}

fn invalid_token() -> Response {
    crate::http::plain_error(StatusCode::UNAUTHORIZED, INVALID_TOKEN)
}

/// Auth, then the pipeline on a blocking thread.
async fn process(shared: Arc<Shared>, headers: HeaderMap, body: Bytes) -> Outcome {
    let Some(shop) = shared.shop_for(&headers) else {
        return Outcome {
            status: StatusCode::NOT_FOUND,
            body: crate::http::not_found_body(),
        };
    };
    let token = token_of(&headers).unwrap_or_default();
    let Some(grant) = shared.tokens.check(token, &shop.handle) else {
        return Outcome {
            status: StatusCode::UNAUTHORIZED,
            body: json!({"errors": INVALID_TOKEN}),
        };
    };
    let Some(body) = serde_json::from_slice::<Value>(&body)
        .ok()
        .filter(|b| Request::from_json(b).is_some())
    else {
        return bad_request();
    };
    let base_url = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|host| format!("http://{host}"));
    // Never closed, so acquiring only fails if it were; then run unbounded.
    let permit = shared.engine.pipelines.clone().acquire_owned().await.ok();
    let task = tokio::task::spawn_blocking(move || {
        let outcome = run_json(&shared, &shop, &body, Some(&grant), base_url.as_deref());
        drop(permit);
        outcome
    });
    match task.await {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::error!(%error, "emulator: GraphQL pipeline panicked");
            Outcome {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                body: json!({"errors": "Internal Server Error"}),
            }
        }
    }
}

/// [`Engine::pipelines`]: the cores this process may use.
fn pipelines_at_once() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}

fn bad_request() -> Outcome {
    Outcome {
        status: StatusCode::BAD_REQUEST,
        body: json!({"errors": {"query": "Required parameter missing or invalid"}}),
    }
}

/// Runs one request body through the pipeline against `shop`, as the app of `grant` (the
/// demo app when there is none, in-process).
pub(crate) fn run_json(
    shared: &Shared,
    shop: &ShopState,
    body: &Value,
    grant: Option<&TokenInfo>,
    base_url: Option<&str>,
) -> Outcome {
    let Some(request) = Request::from_json(body) else {
        return bad_request();
    };
    let parsed = match shared.limits.check(&request.query) {
        Ok(parsed) => parsed,
        Err(error) => return Outcome::static_errors(&[error]),
    };
    let schema = &shared.schema.schema;
    let document = match validate::check(schema, &request.query, parsed) {
        Ok(document) => document,
        Err(errors) => return Outcome::static_errors(&errors),
    };
    let operation = match select_operation(&document, request.operation_name.as_deref()) {
        Ok(op) => op,
        Err(message) => return Outcome::ok(json!({"errors": [{"message": message}]})),
    };
    let variables = match variables::coerce(schema, operation, &request.variables, &request.query) {
        Ok(vars) => vars,
        Err(errors) => return Outcome::static_errors(&errors),
    };
    let app = grant.map_or(DEMO_CLIENT_ID, |g| g.client_id.as_str());
    if let Some(grant) = grant {
        tracing::trace!(
            client_id = %grant.client_id,
            scopes = grant.scopes.len(),
            operation = ?operation.name,
            "emulator: running"
        );
    }
    let admission = admission::Admission {
        buckets: &shared.buckets,
        recorder: &shared.recorder,
    };
    let admitted =
        match admission.admit(schema, &document, operation, &variables, app, &shop.handle) {
            Ok(admitted) => admitted,
            Err(answer) => return answer,
        };
    let missing = admission::missing_idempotency(schema, operation, &variables);
    if !missing.is_empty() {
        let extensions = admission.settle(&admitted, 0);
        return Outcome::ok(json!({
            "errors": missing,
            "data": admission::null_roots(operation),
            "extensions": extensions,
        }));
    }
    let introspection_key = is_introspection_only(operation).then(|| {
        format!(
            "{}\u{0}{}\u{0}{}",
            request.query,
            Value::Object(request.variables.clone()),
            request.operation_name.as_deref().unwrap_or_default()
        )
    });
    let cached = introspection_key.as_ref().and_then(|key| {
        shared
            .engine
            .introspection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    });
    let (mut body, actual) = match cached {
        Some(hit) => (hit.0.clone(), hit.1),
        None => {
            let executed = execute(
                &shared.engine,
                schema,
                &document,
                operation,
                &variables,
                shop,
                app,
                base_url,
            );
            shared.recorder.update(|s| {
                s.replays += executed.replays;
                s.made_up_values += executed.made_up;
            });
            shared.recorder.record_writes(executed.writes);
            let body = executed.body;
            let actual = body.get("data").map_or(0, |data| {
                cost::actual_cost(schema, &document, operation, data)
            });
            if let Some(key) = introspection_key {
                let mut cache = shared
                    .engine
                    .introspection
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                // Each distinct query is another answer of up to ~7 MB: keep a few.
                if cache.len() >= MAX_INTROSPECTION_CACHED {
                    cache.clear();
                }
                cache.insert(key, Arc::new((body.clone(), actual)));
            }
            (body, actual)
        }
    };
    let extensions = admission.settle(&admitted, actual);
    if let Value::Object(map) = &mut body {
        map.insert("extensions".into(), Value::Object(extensions));
    }
    Outcome::ok(body)
}

fn select_operation<'d>(
    document: &'d Valid<ExecutableDocument>,
    name: Option<&str>,
) -> Result<&'d Operation, String> {
    match name {
        Some(name) => document
            .operations
            .get(Some(name))
            .map(|op| &**op)
            .map_err(|_| format!("No operation named \"{name}\"")),
        None => document
            .operations
            .get(None)
            .map(|op| &**op)
            .map_err(|_| "An operation name is required".to_owned()),
    }
}

fn is_introspection_only(operation: &Operation) -> bool {
    operation.operation_type == OperationType::Query
        && !operation.selection_set.selections.is_empty()
        && operation
            .selection_set
            .selections
            .iter()
            .all(|s| matches!(s, Selection::Field(f) if f.name == "__schema" || f.name == "__type"))
}

/// What one execution produced.
struct Executed {
    body: Value,
    writes: Vec<AppliedWrite>,
    replays: u64,
    made_up: u64,
}

/// Executes a validated operation against the shop's data as `app`.
#[allow(clippy::too_many_arguments)] // one call site; a struct would only rename them
fn execute(
    engine: &Engine,
    schema: &'static Valid<Schema>,
    document: &Valid<ExecutableDocument>,
    operation: &Operation,
    variables: &crate::store::JsonMap,
    shop: &ShopState,
    app: &str,
    base_url: Option<&str>,
) -> Executed {
    let coerced = Valid::assume_valid_ref(variables);
    let run = |store: StoreAccess<'_>, root: &str| {
        let mut ctx = Ctx::new(
            schema,
            engine.implementers(),
            store,
            app.to_owned(),
            variables.clone(),
        );
        ctx.base_url = base_url.map(str::to_owned);
        ctx.limits = engine.limits.clone();
        let root = ctx.root(root);
        let result = Execution::new(schema, document)
            .operation(operation)
            .coerced_variable_values(coerced)
            .implementers_map(engine.implementers())
            .enable_schema_introspection(true)
            .execute_sync(&root);
        (
            result,
            ctx.writes.take(),
            ctx.replays.get(),
            ctx.made_up.get(),
        )
    };
    let root_name = schema
        .root_operation(operation.operation_type)
        .map_or("QueryRoot", |n| n.as_str());
    let (result, writes, replays, made_up) = if operation.operation_type == OperationType::Mutation
    {
        let mut guard = shop.store.write().unwrap_or_else(PoisonError::into_inner);
        let store: &mut Store = &mut guard;
        run(StoreAccess::Write(RefCell::new(store)), root_name)
    } else {
        let guard = shop.store.read().unwrap_or_else(PoisonError::into_inner);
        run(StoreAccess::Read(&guard), root_name)
    };
    let body = match result {
        Ok(response) => {
            let mut out = Map::new();
            if !response.errors.is_empty() {
                let errors = response.errors.iter().map(execution_error).collect();
                out.insert("errors".into(), Value::Array(errors));
            }
            let data = response.data.map_or(Value::Null, |d| {
                json::from_bytes(&serde_json_bytes::Value::Object(d))
            });
            out.insert("data".into(), data);
            Value::Object(out)
        }
        Err(error) => {
            json!({"errors": [{"message": error.message().to_string()}]})
        }
    };
    Executed {
        body,
        writes,
        replays,
        made_up,
    }
}

/// A field error with the Shopify code carried in its message split back out.
pub(crate) fn execution_error(error: &apollo_compiler::response::GraphQLError) -> Value {
    let (code, message) = match error.message.split_once(CODE_SEPARATOR) {
        // apollo prefixes resolver messages ("resolver error: "); the code is the last word.
        Some((code, message)) => (
            code.rsplit(' ').next().unwrap_or(code).to_owned(),
            message.to_owned(),
        ),
        None => ("INTERNAL_SERVER_ERROR".to_owned(), error.message.clone()),
    };
    let mut out = Map::new();
    out.insert("message".into(), Value::from(message));
    if !error.locations.is_empty() {
        let locations = error
            .locations
            .iter()
            .map(|l| json!({"line": l.line, "column": l.column}))
            .collect();
        out.insert("locations".into(), Value::Array(locations));
    }
    out.insert(
        "path".into(),
        serde_json::to_value(&error.path).unwrap_or(Value::Null),
    );
    out.insert("extensions".into(), json!({"code": code}));
    Value::Object(out)
}
