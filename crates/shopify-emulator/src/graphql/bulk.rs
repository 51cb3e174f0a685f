//! The bulk room: bulk queries and mutations, their status, result files and staged uploads.
//!
//! - `bulkOperationRunQuery` runs the query at once over whole connections and keeps the
//!   JSONL; the status then moves one step per `bulkOperation(id:)` read: CREATED →
//!   RUNNING → COMPLETED (or FAILED / EXPIRED when a [`BulkFault`] says so), so clients
//!   see a real progression without timing in tests.
//! - Lines are ungrouped as Shopify allows (`groupObjects: false`): for every second root
//!   object its children come *before* it.
//! - At most [`MAX_RUNNING`] bulk queries and as many bulk mutations run at once per shop;
//!   one more gets `LIMIT_REACHED`.
//! - `stagedUploadsCreate(resource: BULK_MUTATION_VARIABLES)` hands out a target on the
//!   emulator itself (`PUT /staged-uploads/{key}`); `bulkOperationRunMutation` runs the
//!   mutation once per line of that file and writes one `{"data", "__lineNumber"}` per line.
//! - `GET /bulk-operations/{n}.jsonl` serves the file with `Range: bytes=N-`; a fault can
//!   drop the connection mid-body.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, PoisonError};

use apollo_compiler::executable::OperationType;
use apollo_compiler::resolvers::Execution;
use apollo_compiler::validation::Valid;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use serde_json_bytes::{Value as Json, json};

use super::json as wire;
use super::resolve::{Ctx, StoreAccess};
use super::{validate, variables};
use crate::http::not_found;
use crate::server::Shared;
use crate::store::{JsonMap, NOW, Store};

/// Bulk operations of one type (query or mutation) that may run at once per shop.
pub const MAX_RUNNING: usize = 5;

/// Shopify's limit on a staged bulk-mutation variables file (100 MB).
pub const MAX_UPLOAD: usize = 100 * 1024 * 1024;

/// Staged files kept at once per shop, and their total bytes: the oldest go first, so a
/// long-running emulator does not grow with every upload (Shopify expires them too).
const MAX_UPLOADS_KEPT: usize = 8;
/// Lines one bulk mutation runs, in the emulator: each holds the shop's write lock, and a
/// debug build takes ~0.1 ms a line (Shopify bounds the file at 100 MB, not the lines).
pub const MAX_MUTATION_LINES: usize = 20_000;
const MAX_UPLOAD_BYTES_KEPT: usize = 2 * MAX_UPLOAD;

/// A failure the emulator can inject into bulk operations, as Shopify and the network
/// produce them. Each applies once, to the next bulk operation (or download) it fits.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BulkFault {
    /// The next bulk operation ends FAILED with this `errorCode` (`ACCESS_DENIED`,
    /// `INTERNAL_SERVER_ERROR`, `TIMEOUT`), its first half still readable at
    /// `partialDataUrl`.
    Fail {
        /// The `errorCode`.
        error_code: String,
    },
    /// The next bulk operation ends EXPIRED: it completed, but its file is gone.
    Expire,
    /// The next result-file download sends this many bytes of its body, then drops the
    /// connection (the `Content-Length` promised the whole file).
    DropDownload {
        /// Bytes sent before the drop.
        after_bytes: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Query,
    Mutation,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Query => "QUERY",
            Kind::Mutation => "MUTATION",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Created,
    Running,
    Completed,
    Failed,
    Canceling,
    Canceled,
    Expired,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Created => "CREATED",
            Status::Running => "RUNNING",
            Status::Completed => "COMPLETED",
            Status::Failed => "FAILED",
            Status::Canceling => "CANCELING",
            Status::Canceled => "CANCELED",
            Status::Expired => "EXPIRED",
        }
    }

    fn is_running(self) -> bool {
        matches!(self, Status::Created | Status::Running | Status::Canceling)
    }
}

#[derive(Debug)]
struct Run {
    kind: Kind,
    status: Status,
    query: String,
    /// The whole result file, computed at creation.
    file: Bytes,
    /// Byte length of the first half of the lines: the partial file of a failed run.
    partial_len: usize,
    objects: usize,
    roots: usize,
    /// Where the run ends when it is read again after RUNNING.
    ending: Ending,
    base_url: Option<String>,
}

#[derive(Debug, Clone)]
enum Ending {
    Completed,
    Failed(String),
    Expired,
}

/// Every bulk operation and staged upload of one shop.
#[derive(Debug, Default)]
pub(crate) struct BulkRoom {
    runs: HashMap<u64, Run>,
    next_id: u64,
    /// Staged files, oldest first (see [`MAX_UPLOADS_KEPT`]).
    uploads: VecDeque<(String, Bytes)>,
    next_upload: u64,
    faults: Vec<BulkFault>,
}

impl BulkRoom {
    pub(crate) fn inject(&mut self, fault: BulkFault) {
        self.faults.push(fault);
    }

    /// Stores a staged file, replacing one at the same key, dropping the oldest beyond the
    /// caps.
    fn keep_upload(&mut self, key: String, file: Bytes) {
        self.uploads.retain(|(k, _)| *k != key);
        self.uploads.push_back((key, file));
        while self.uploads.len() > MAX_UPLOADS_KEPT
            || (self.uploads.len() > 1
                && self.uploads.iter().map(|(_, f)| f.len()).sum::<usize>() > MAX_UPLOAD_BYTES_KEPT)
        {
            self.uploads.pop_front();
        }
    }

    fn upload(&self, key: &str) -> Option<Bytes> {
        self.uploads
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, f)| f.clone())
    }

    fn take_fault(&mut self, pick: impl Fn(&BulkFault) -> bool) -> Option<BulkFault> {
        let at = self.faults.iter().position(pick)?;
        Some(self.faults.remove(at))
    }

    fn running(&self, kind: Kind) -> usize {
        self.runs
            .values()
            .filter(|r| r.kind == kind && r.status.is_running())
            .count()
    }

    /// Creates a run (CREATED), or says why not.
    fn create(
        &mut self,
        kind: Kind,
        query: &str,
        lines: Vec<String>,
        roots: usize,
        base_url: Option<String>,
    ) -> Result<u64, Json> {
        if self.running(kind) >= MAX_RUNNING {
            let what = kind.as_str().to_ascii_lowercase();
            return Err(json!({
                "field": null,
                "message": format!(
                    "A maximum of {MAX_RUNNING} bulk {what} operations can run at once for this app and shop; wait for one to finish."
                ),
                "code": "LIMIT_REACHED",
            }));
        }
        let ending = match self.take_fault(|f| !matches!(f, BulkFault::DropDownload { .. })) {
            Some(BulkFault::Fail { error_code }) => Ending::Failed(error_code),
            Some(BulkFault::Expire) => Ending::Expired,
            _ => Ending::Completed,
        };
        let half = lines.len() / 2;
        let mut file = String::new();
        let mut partial_len = 0;
        for (i, line) in lines.iter().enumerate() {
            if i == half {
                partial_len = file.len();
            }
            file.push_str(line);
            file.push('\n');
        }
        if half == lines.len() {
            partial_len = file.len();
        }
        self.next_id += 1;
        let id = self.next_id;
        self.runs.insert(
            id,
            Run {
                kind,
                status: Status::Created,
                query: query.to_owned(),
                objects: lines.len(),
                file: Bytes::from(file),
                partial_len,
                roots,
                ending,
                base_url,
            },
        );
        Ok(id)
    }

    /// One status read: moves the run one step on, then shows it.
    fn poll(&mut self, id: u64) -> Option<Json> {
        let run = self.runs.get_mut(&id)?;
        run.status = match (run.status, &run.ending) {
            (Status::Created, _) => Status::Running,
            (Status::Running, Ending::Completed) => Status::Completed,
            (Status::Running, Ending::Failed(_)) => Status::Failed,
            (Status::Running, Ending::Expired) => Status::Expired,
            (Status::Canceling, _) => Status::Canceled,
            (done, _) => done,
        };
        Some(view(id, run))
    }

    fn show(&self, id: u64) -> Option<Json> {
        self.runs.get(&id).map(|run| view(id, run))
    }

    /// The file a URL names: the whole result, or the partial data of a failed run.
    fn file(&self, id: u64, partial: bool) -> Option<Bytes> {
        let run = self.runs.get(&id)?;
        match (run.status, partial) {
            (Status::Completed, false) => Some(run.file.clone()),
            (Status::Failed, true) => Some(run.file.slice(..run.partial_len)),
            _ => None,
        }
    }
}

fn gid(id: u64) -> String {
    format!("gid://shopify/BulkOperation/{id}")
}

fn file_url(run: &Run, id: u64, partial: bool) -> String {
    let base = run
        .base_url
        .as_deref()
        .unwrap_or("https://storage.example.com/emulator");
    let suffix = if partial { "-partial" } else { "" };
    format!("{base}/bulk-operations/{id}{suffix}.jsonl")
}

/// The `BulkOperation` object of a run as it stands.
fn view(id: u64, run: &Run) -> Json {
    let (objects, size, url, partial, error, completed) = match run.status {
        Status::Created => (0, None, None, None, None, None),
        Status::Running | Status::Canceling => (run.objects / 2, None, None, None, None, None),
        Status::Completed => {
            let url = (run.objects > 0).then(|| file_url(run, id, false));
            (
                run.objects,
                Some(run.file.len()),
                url,
                None,
                None,
                Some(NOW),
            )
        }
        Status::Failed => {
            let code = match &run.ending {
                Ending::Failed(code) => Some(code.clone()),
                _ => None,
            };
            let half = run.objects / 2;
            let url = (half > 0).then(|| file_url(run, id, true));
            (half, None, None, url, code, Some(NOW))
        }
        Status::Canceled => (run.objects / 2, None, None, None, None, Some(NOW)),
        Status::Expired => (
            run.objects,
            Some(run.file.len()),
            None,
            None,
            None,
            Some(NOW),
        ),
    };
    json!({
        "__typename": "BulkOperation",
        "id": gid(id),
        "type": run.kind.as_str(),
        "status": run.status.as_str(),
        "query": run.query.clone(),
        "createdAt": NOW,
        "completedAt": completed,
        "objectCount": objects.to_string(),
        "rootObjectCount": if run.status == Status::Completed { run.roots } else { 0 }.to_string(),
        "fileSize": size.map(|s| s.to_string()),
        "url": url,
        "partialDataUrl": partial,
        "errorCode": error,
    })
}

fn room(store: &Store) -> std::sync::MutexGuard<'_, BulkRoom> {
    store.bulk().lock().unwrap_or_else(PoisonError::into_inner)
}

fn run_id(gid: &str) -> Option<u64> {
    gid.strip_prefix("gid://shopify/BulkOperation/")?
        .parse()
        .ok()
}

/// `bulkOperation(id:)`: one status read, which moves the run on.
pub(crate) fn status(ctx: &Ctx<'_>, args: &JsonMap) -> Option<Json> {
    let id = run_id(args.get("id").and_then(Json::as_str)?)?;
    ctx.read(|s| room(s).poll(id))
}

/// `currentBulkOperation(type:)` (deprecated): the latest run of that type, unchanged.
pub(crate) fn current(ctx: &Ctx<'_>, args: &JsonMap) -> Option<Json> {
    let kind = match args.get("type").and_then(Json::as_str) {
        Some("MUTATION") => Kind::Mutation,
        _ => Kind::Query,
    };
    ctx.read(|s| {
        let room = room(s);
        let id = room
            .runs
            .iter()
            .filter(|(_, r)| r.kind == kind)
            .map(|(id, _)| *id)
            .max()?;
        room.show(id)
    })
}

fn user_error(field: &str, message: &str, code: &str) -> Json {
    json!({"field": [field], "message": message, "code": code})
}

/// `bulkOperationRunQuery(query:)`.
pub(crate) fn run_query(ctx: &Ctx<'_>, store: &mut Store, args: &JsonMap) -> Json {
    let query = args.get("query").and_then(Json::as_str).unwrap_or_default();
    let invalid = |message: String| json!({"bulkOperation": null, "userErrors": [user_error("query", &message, "INVALID")]});
    // The document in the argument gets the bounds of a request's (fragment fan-out...).
    let parsed = match ctx.limits.check(query) {
        Ok(parsed) => parsed,
        Err(error) => return invalid(error.message),
    };
    let document = match validate::check(ctx.schema, query, parsed) {
        Ok(document) => document,
        Err(errors) => {
            let message = errors
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default();
            return invalid(message);
        }
    };
    if let Some(problem) = shopify_schema::bulk::check(ctx.schema, &document)
        .into_iter()
        .next()
    {
        return invalid(problem.message);
    }
    let (lines, roots) = match run_query_lines(ctx, &document, store) {
        Ok(result) => result,
        Err(message) => return invalid(message),
    };
    let created = room(store).create(Kind::Query, query, lines, roots, ctx.base_url.clone());
    payload(store, created)
}

fn payload(store: &Store, created: Result<u64, Json>) -> Json {
    match created {
        Ok(id) => json!({"bulkOperation": room(store).show(id), "userErrors": []}),
        Err(error) => json!({"bulkOperation": null, "userErrors": [error]}),
    }
}

/// `bulkOperationCancel(id:)`: a running operation goes CANCELING, then CANCELED.
pub(crate) fn cancel(store: &mut Store, args: &JsonMap) -> Json {
    let gid = args.get("id").and_then(Json::as_str).unwrap_or_default();
    let mut room = room(store);
    let Some((id, run)) = run_id(gid).and_then(|id| room.runs.get_mut(&id).map(|r| (id, r))) else {
        return json!({"bulkOperation": null,
            "userErrors": [{"field": ["id"], "message": "Bulk operation does not exist"}]});
    };
    if !matches!(run.status, Status::Created | Status::Running) {
        let message = format!(
            "A bulk operation cannot be canceled when it is {}",
            run.status.as_str().to_ascii_lowercase()
        );
        return json!({"bulkOperation": view(id, run),
            "userErrors": [{"field": ["id"], "message": message}]});
    }
    run.status = Status::Canceling;
    json!({"bulkOperation": view(id, run), "userErrors": []})
}

/// `stagedUploadsCreate(input:)`: targets on the emulator itself, uploaded with `PUT`.
pub(crate) fn staged_uploads_create(ctx: &Ctx<'_>, store: &mut Store, args: &JsonMap) -> Json {
    let inputs = args
        .get("input")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    let base = ctx.base_url.as_deref().unwrap_or("http://emulator.invalid");
    let mut room = room(store);
    let mut targets = Vec::new();
    for input in &inputs {
        room.next_upload += 1;
        let filename = input
            .get("filename")
            .and_then(Json::as_str)
            .unwrap_or("bulk_op_vars.jsonl");
        let key = format!("tmp/emulator/bulk/{}/{filename}", room.next_upload);
        let mime = input
            .get("mimeType")
            .and_then(Json::as_str)
            .unwrap_or("text/jsonl");
        targets.push(json!({
            "url": format!("{base}/staged-uploads/{key}"),
            "resourceUrl": format!("{base}/staged-uploads/{key}"),
            "parameters": [
                {"name": "key", "value": key},
                {"name": "Content-Type", "value": mime},
            ],
        }));
    }
    json!({"stagedTargets": targets, "userErrors": []})
}

/// `PUT /staged-uploads/{key}`: stores a staged file (unauthenticated, like a signed URL).
///
/// The body is streamed here past the small limit of the other routes (see
/// `server::streams_body`) and kept once: one buffer, grown as chunks arrive and frozen
/// into the stored [`Bytes`]. Over [`MAX_UPLOAD`] the answer is the storage service's
/// 400 `EntityTooLarge`: at once when `Content-Length` says so, else once the body is
/// read (and discarded), so the client sees the answer rather than a reset.
pub(crate) async fn upload(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(shop) = shared.shop_for(&headers) else {
        return not_found();
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_UPLOAD as u64) {
        return entity_too_large();
    }
    let mut file = Vec::with_capacity(declared.unwrap_or(0) as usize);
    let mut over = false;
    let mut chunks = body.into_data_stream();
    loop {
        // A body that stops arriving is answered, not waited on until the request limit.
        let next = futures::StreamExt::next(&mut chunks);
        let Ok(chunk) = tokio::time::timeout(shared.limits.body_timeout, next).await else {
            return crate::http::plain_error(StatusCode::REQUEST_TIMEOUT, "Request timed out");
        };
        let Some(chunk) = chunk else {
            break;
        };
        let Ok(chunk) = chunk else {
            // The client went away mid-body: nothing is stored.
            return (StatusCode::BAD_REQUEST, "IncompleteBody").into_response();
        };
        if over || file.len() + chunk.len() > MAX_UPLOAD {
            if !over {
                over = true;
                file = Vec::new();
            }
            continue;
        }
        file.extend_from_slice(&chunk);
    }
    if over {
        return entity_too_large();
    }
    let store = shop.store.read().unwrap_or_else(PoisonError::into_inner);
    room(&store).keep_upload(key, Bytes::from(file));
    StatusCode::CREATED.into_response()
}

/// What Google Cloud Storage (Shopify's staged-upload host) answers a file over the limit.
fn entity_too_large() -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "application/xml; charset=UTF-8")],
        format!(
            "<?xml version='1.0' encoding='UTF-8'?><Error><Code>EntityTooLarge</Code><Message>Your proposed upload is larger than the maximum object size specified in your Policy Document.</Message><Details>Content-length exceeds upper bound on range: {MAX_UPLOAD} bytes</Details></Error>"
        ),
    )
        .into_response()
}

/// `bulkOperationRunMutation(mutation:, stagedUploadPath:)`: runs the mutation once per line.
pub(crate) fn run_mutation(ctx: &Ctx<'_>, store: &mut Store, args: &JsonMap) -> Json {
    let mutation = args
        .get("mutation")
        .and_then(Json::as_str)
        .unwrap_or_default();
    let path = args
        .get("stagedUploadPath")
        .and_then(Json::as_str)
        .unwrap_or_default();
    let invalid = |field: &str, message: String, code: &str| json!({"bulkOperation": null, "userErrors": [user_error(field, &message, code)]});
    let Some(upload) = room(store).upload(path) else {
        return invalid(
            "stagedUploadPath",
            format!("No staged upload at {path}"),
            "NO_SUCH_FILE",
        );
    };
    let parsed = match ctx.limits.check(mutation) {
        Ok(parsed) => parsed,
        Err(error) => return invalid("mutation", error.message, "INVALID_MUTATION"),
    };
    // Every line runs under the shop's write lock: a file of millions of tiny lines would
    // hold it for minutes.
    let count = upload
        .split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .count();
    if count > MAX_MUTATION_LINES {
        return invalid(
            "stagedUploadPath",
            format!(
                "The file has {count} lines, which exceeds the maximum of {MAX_MUTATION_LINES}"
            ),
            "INVALID_STAGED_UPLOAD_FILE",
        );
    }
    let document = match validate::check(ctx.schema, mutation, parsed) {
        Ok(document) => document,
        Err(errors) => {
            let message = errors
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default();
            return invalid("mutation", message, "INVALID_MUTATION");
        }
    };
    let Ok(operation) = document.operations.get(None) else {
        return invalid(
            "mutation",
            "The document must hold exactly one mutation".to_owned(),
            "INVALID_MUTATION",
        );
    };
    if operation.operation_type != OperationType::Mutation {
        return invalid(
            "mutation",
            "Only mutations can run as bulk mutations".to_owned(),
            "INVALID_MUTATION",
        );
    }
    let mut lines = Vec::new();
    for (number, line) in upload.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let answer = match serde_json::from_slice::<serde_json::Map<String, Value>>(line) {
            Ok(raw) => match variables::coerce(ctx.schema, operation, &raw, mutation) {
                Ok(vars) => execute_line(ctx, store, &document, &vars),
                Err(errors) => serde_json::json!({
                    "errors": errors.iter().map(validate::GqlError::to_json).collect::<Vec<_>>()
                }),
            },
            Err(error) => serde_json::json!({
                "errors": [{"message": format!("Invalid JSON on line {}: {error}", number + 1)}]
            }),
        };
        let mut answer = answer;
        if let Value::Object(map) = &mut answer {
            map.insert("__lineNumber".into(), Value::from(number));
        }
        lines.push(answer.to_string());
    }
    let count = lines.len();
    let created = room(store).create(Kind::Mutation, mutation, lines, count, ctx.base_url.clone());
    payload(store, created)
}

fn execute_line(
    ctx: &Ctx<'_>,
    store: &mut Store,
    document: &Valid<apollo_compiler::ExecutableDocument>,
    vars: &JsonMap,
) -> Value {
    let mut line_ctx = ctx.nested(StoreAccess::Write(RefCell::new(store)), vars.clone());
    line_ctx.base_url = ctx.base_url.clone();
    let root = line_ctx.root("Mutation");
    let result = Execution::new(ctx.schema, document)
        .coerced_variable_values(Valid::assume_valid_ref(vars))
        .implementers_map(ctx.implementers)
        .execute_sync(&root);
    ctx.writes.borrow_mut().extend(line_ctx.writes.take());
    match result {
        Ok(response) => {
            let mut out = serde_json::Map::new();
            if !response.errors.is_empty() {
                let errors = response.errors.iter().map(super::execution_error).collect();
                out.insert("errors".into(), Value::Array(errors));
            }
            let data = response.data.map_or(Value::Null, |d| {
                wire::from_bytes(&serde_json_bytes::Value::Object(d))
            });
            out.insert("data".into(), data);
            Value::Object(out)
        }
        Err(error) => serde_json::json!({"errors": [{"message": error.message().to_string()}]}),
    }
}

/// `GET /bulk-operations/{n}.jsonl` (or `{n}-partial.jsonl`): the result file, with
/// `Range: bytes=N-` and download faults; unauthenticated like Shopify's signed URLs.
pub(crate) async fn result_file(
    State(shared): State<Arc<Shared>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(shop) = shared.shop_for(&headers) else {
        return not_found();
    };
    let Some(stem) = file.strip_suffix(".jsonl") else {
        return not_found();
    };
    let (number, partial) = match stem.strip_suffix("-partial") {
        Some(n) => (n, true),
        None => (stem, false),
    };
    let Ok(id) = number.parse::<u64>() else {
        return not_found();
    };
    let (body, drop_after) = {
        let store = shop.store.read().unwrap_or_else(PoisonError::into_inner);
        let mut room = room(&store);
        let Some(body) = room.file(id, partial) else {
            return not_found();
        };
        let drop_after = match room.take_fault(|f| matches!(f, BulkFault::DropDownload { .. })) {
            Some(BulkFault::DropDownload { after_bytes }) => Some(after_bytes),
            _ => None,
        };
        (body, drop_after)
    };
    let total = body.len();
    let start = match range_start(&headers) {
        Some(start) if start >= total && total > 0 => {
            return (
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, format!("bytes */{total}"))],
            )
                .into_response();
        }
        other => other,
    };
    let from = start.unwrap_or(0).min(total);
    let slice = body.slice(from..);
    let length = slice.len();
    let stream_body = match drop_after {
        Some(after) => {
            let sent = slice.slice(..after.min(length));
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(sent),
                Err(std::io::Error::other(
                    "connection dropped by an injected fault",
                )),
            ];
            // The error comes a moment later, so the headers and first bytes are on the wire.
            let chunks = futures::StreamExt::then(futures::stream::iter(chunks), |chunk| async {
                if chunk.is_err() {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                chunk
            });
            Body::from_stream(chunks)
        }
        None => Body::from(slice),
    };
    let mut response = Response::new(stream_body);
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/jsonl"),
    );
    h.insert(
        header::ACCEPT_RANGES,
        header::HeaderValue::from_static("bytes"),
    );
    if let Ok(v) = header::HeaderValue::from_str(&length.to_string()) {
        h.insert(header::CONTENT_LENGTH, v);
    }
    if start.is_some() {
        *response.status_mut() = StatusCode::PARTIAL_CONTENT;
        let range = format!("bytes {from}-{}/{total}", total.saturating_sub(1));
        if let Ok(v) = header::HeaderValue::from_str(&range) {
            response.headers_mut().insert(header::CONTENT_RANGE, v);
        }
    }
    response
}

/// The start of `Range: bytes=N-` (the only form resumable downloads need).
fn range_start(headers: &HeaderMap) -> Option<usize> {
    let value = headers.get(header::RANGE)?.to_str().ok()?;
    let spec = value.trim().strip_prefix("bytes=")?;
    let (start, end) = spec.split_once('-')?;
    if !end.trim().is_empty() {
        return None;
    }
    start.trim().parse().ok()
}

/// Runs a bulk query over whole connections: one JSON line per node, nested nodes with
/// `__parentId`, ungrouped; and the root object count.
fn run_query_lines(
    ctx: &Ctx<'_>,
    document: &Valid<apollo_compiler::ExecutableDocument>,
    store: &Store,
) -> Result<(Vec<String>, usize), String> {
    let mut bulk_ctx = ctx.nested(StoreAccess::Read(store), JsonMap::new());
    bulk_ctx.bulk = true;
    let root = bulk_ctx.root("QueryRoot");
    let response = Execution::new(ctx.schema, document)
        .implementers_map(ctx.implementers)
        .execute_sync(&root)
        .map_err(|e| e.message().to_string())?;
    if let Some(error) = response.errors.first() {
        return Err(error.message.clone());
    }
    let data = response.data.map_or(Value::Null, |d| {
        wire::from_bytes(&serde_json_bytes::Value::Object(d))
    });
    let mut lines = Vec::new();
    let mut roots = 0;
    for value in data.as_object().into_iter().flat_map(|m| m.values()) {
        let nodes = connection_nodes(value).unwrap_or_else(|| vec![value]);
        for node in nodes {
            let mut group = Vec::new();
            flatten(node.clone(), None, &mut group);
            // Ungrouped, as Shopify allows: every second root object comes after its
            // children, so clients cannot rely on parents first.
            if roots % 2 == 1 && group.len() > 1 {
                group.rotate_left(1);
            }
            lines.extend(group.iter().map(Value::to_string));
            roots += 1;
        }
    }
    Ok((lines, roots))
}

fn connection_nodes(value: &Value) -> Option<Vec<&Value>> {
    let map = value.as_object()?;
    if let Some(Value::Array(edges)) = map.get("edges") {
        return Some(edges.iter().filter_map(|e| e.get("node")).collect());
    }
    match map.get("nodes") {
        Some(Value::Array(nodes)) => Some(nodes.iter().collect()),
        _ => None,
    }
}

/// A node and its nested connections' nodes, parent first.
fn flatten(mut node: Value, parent: Option<&str>, lines: &mut Vec<Value>) {
    let mut children = Vec::new();
    if let Value::Object(map) = &mut node {
        let nested: Vec<String> = map
            .iter()
            .filter(|(_, v)| connection_nodes(v).is_some())
            .map(|(k, _)| k.clone())
            .collect();
        for key in nested {
            if let Some(v) = map.remove(&key) {
                children.push(v);
            }
        }
        if let Some(parent) = parent {
            map.insert("__parentId".into(), Value::from(parent));
        }
    }
    let id = node.get("id").and_then(Value::as_str).map(str::to_owned);
    lines.push(node);
    for child in &children {
        for grandchild in connection_nodes(child).unwrap_or_default() {
            flatten(grandchild.clone(), id.as_deref(), lines);
        }
    }
}
