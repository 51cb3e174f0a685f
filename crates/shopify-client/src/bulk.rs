//! Bulk operations: run, wait, stream the result file as typed rows, resume, cancel, and
//! bulk mutations (staged upload, run, per-line results).
//!
//! Result files are read line by line from the HTTP stream: memory holds one network chunk
//! and one partial line, whatever the file's size. A dropped download resumes with
//! `Range: bytes=N-` from the end of the last complete line.
//!
//! ```no_run
//! # async fn run(client: shopify_client::Client) -> Result<(), shopify_client::bulk::BulkError> {
//! use shopify_client::bulk::{Bulk, RawRow};
//!
//! let bulk = Bulk::new(&client, "2026-10");
//! let op = bulk.run_query("{ products { edges { node { id title } } } }").await?;
//! let done = bulk.wait(&op.id, |op| eprintln!("{:?} {}", op.status, op.object_count)).await?;
//! let mut rows = bulk.rows::<RawRow>(done.url.as_deref().unwrap_or_default());
//! while let Some(row) = rows.next().await? {
//!     println!("{}", row.0);
//! }
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use serde_json::{Value, json};

use crate::{Client, Error};

mod variables;

pub use variables::MAX_VARIABLES_BYTES;

/// Lines of a result file read again after a dropped connection, at most this many times.
const MAX_RESUMES: u32 = 5;

/// Where a bulk operation stands.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BulkStatus {
    /// Accepted, not started.
    Created,
    /// Running.
    Running,
    /// Done; the file is at `url` (none when there were no objects).
    Completed,
    /// Failed; what it read so far may be at `partial_data_url`.
    Failed,
    /// Being canceled.
    Canceling,
    /// Canceled.
    Canceled,
    /// Done more than 7 days ago: the file is gone.
    Expired,
    /// A status this client does not know.
    Other(String),
}

impl BulkStatus {
    fn parse(s: &str) -> Self {
        match s {
            "CREATED" => Self::Created,
            "RUNNING" => Self::Running,
            "COMPLETED" => Self::Completed,
            "FAILED" => Self::Failed,
            "CANCELING" => Self::Canceling,
            "CANCELED" => Self::Canceled,
            "EXPIRED" => Self::Expired,
            other => Self::Other(other.to_owned()),
        }
    }

    /// Whether the operation will not change any more.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Failed | Self::Canceled | Self::Expired
        )
    }
}

/// A bulk operation as `bulkOperation(id:)` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkOperation {
    /// `gid://shopify/BulkOperation/…`.
    pub id: String,
    /// Where it stands.
    pub status: BulkStatus,
    /// `ACCESS_DENIED`, `INTERNAL_SERVER_ERROR` or `TIMEOUT` when it failed.
    pub error_code: Option<String>,
    /// Objects written so far.
    pub object_count: u64,
    /// Size of the result file in bytes, once complete.
    pub file_size: Option<u64>,
    /// The result file, once complete.
    pub url: Option<String>,
    /// What a failed operation read before failing.
    pub partial_data_url: Option<String>,
}

const FIELDS: &str = "id status errorCode objectCount fileSize url partialDataUrl";

impl BulkOperation {
    fn from_json(v: &Value) -> Option<Self> {
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let number = |k: &str| {
            v.get(k).and_then(|n| match n {
                Value::String(s) => s.parse().ok(),
                other => other.as_u64(),
            })
        };
        Some(Self {
            id: text("id")?,
            status: BulkStatus::parse(v.get("status")?.as_str()?),
            error_code: text("errorCode"),
            object_count: number("objectCount").unwrap_or(0),
            file_size: number("fileSize"),
            url: text("url"),
            partial_data_url: text("partialDataUrl"),
        })
    }
}

/// What went wrong with a bulk operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BulkError {
    /// A GraphQL call failed.
    #[error("a bulk-operation request failed")]
    Request(#[from] Error),
    /// Shopify refused the operation (`userErrors`), e.g. a query breaking the bulk rules.
    #[error("Shopify refused the bulk operation: {}", .messages.join("; "))]
    Refused {
        /// The `userErrors` messages.
        messages: Vec<String>,
    },
    /// Already as many bulk operations of this type running as Shopify allows (5).
    #[error("too many bulk operations are running on this shop; wait for one to finish: {message}")]
    ConcurrencyLimit {
        /// Shopify's message.
        message: String,
    },
    /// The operation failed; what it read before may still be at `partial_data_url`.
    #[error("bulk operation {} failed ({}){}", .operation.id, .operation.error_code.as_deref().unwrap_or("no error code"), if .operation.partial_data_url.is_some() { "; partial data is still readable" } else { "" })]
    Failed {
        /// The operation, with `error_code` and `partial_data_url`.
        operation: Box<BulkOperation>,
    },
    /// The operation was canceled.
    #[error("bulk operation {id} was canceled")]
    Canceled {
        /// The operation's id.
        id: String,
    },
    /// The operation's results expired (they are kept 7 days).
    #[error("the results of bulk operation {id} expired; run it again")]
    Expired {
        /// The operation's id.
        id: String,
    },
    /// An answer did not have the shape Shopify documents.
    #[error("unexpected answer to {what}: {excerpt}")]
    Unexpected {
        /// The request.
        what: &'static str,
        /// A bounded excerpt.
        excerpt: String,
    },
    /// Downloading or uploading a file failed.
    #[error("transfer of {url} failed")]
    Transfer {
        /// The file's URL, without its query (signed URLs carry credentials there).
        url: String,
        /// The HTTP error.
        source: reqwest::Error,
    },
    /// The file server answered with an error status.
    #[error("{url} answered HTTP {status}")]
    Status {
        /// The file's URL, without its query.
        url: String,
        /// The status.
        status: u16,
    },
    /// The download kept dropping.
    #[error("the download of {url} dropped {resumes} times; giving up")]
    ResumesExhausted {
        /// The file's URL, without its query.
        url: String,
        /// Resumes tried.
        resumes: u32,
    },
    /// A line of a bulk mutation's variables file is not one JSON object: nothing was run.
    #[error("line {line} of the variables file is not one JSON object: {source}")]
    BadVariables {
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        source: serde_json::Error,
    },
    /// The variables file is larger than Shopify takes: nothing was run.
    #[error(
        "the variables file has more than {bytes} bytes; Shopify takes at most {max}: split it"
    )]
    VariablesTooLarge {
        /// Bytes read before giving up (at least this many).
        bytes: u64,
        /// The limit, [`MAX_VARIABLES_BYTES`].
        max: u64,
    },
    /// Reading the variables file failed: nothing was run.
    #[error("reading the variables file failed")]
    ReadVariables {
        /// The I/O error.
        source: std::io::Error,
    },
    /// The staged upload ended before the whole file was sent.
    #[error("the staged upload ended before the whole variables file was sent")]
    UploadEnded,
    /// A line of the result file did not decode into the row type.
    #[error("line {line} of the bulk result does not decode: {source}")]
    Decode {
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        source: RowError,
    },
}

/// Why one line did not decode.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RowError {
    /// Not valid JSON, or JSON of the wrong shape.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// A `__typename` no level of the query has.
    #[error("unknown __typename {0:?}")]
    UnknownType(String),
    /// No `__typename` where the query has several levels.
    #[error("the line has no __typename")]
    MissingType,
}

/// A row type of a bulk result file: decodes one line's bytes.
pub trait BulkRow: Sized {
    /// Decodes one line (without its newline).
    fn decode(line: &[u8]) -> Result<Self, RowError>;
    /// The row's `id`, if it has one.
    fn id(&self) -> Option<&str>;
    /// `__parentId`: the row this one is nested in.
    fn parent_id(&self) -> Option<&str>;
}

/// One level of a bulk query's rows (a connection's node type), decoded straight from the
/// line's bytes by serde, without an intermediate `Value`.
pub trait BulkLevel: serde::de::DeserializeOwned {
    /// The row's `id`, if it has one.
    fn id(&self) -> Option<&str>;
    /// `__parentId`: the row this one is nested in (none at the top level).
    fn parent_id(&self) -> Option<&str>;
}

/// Decodes one line into a level's row.
pub fn from_line<T: serde::de::DeserializeOwned>(line: &[u8]) -> Result<T, RowError> {
    Ok(serde_json::from_slice(line)?)
}

/// Declares the row enum of a bulk query: one variant per level, picked by `__typename`
/// (which the query selects first at every level, so finding it costs a prefix check).
///
/// ```
/// use shopify_client::bulk::{BulkLevel, BulkRow};
///
/// #[derive(Debug, serde::Deserialize)]
/// struct Product { id: String, title: String }
/// impl BulkLevel for Product {
///     fn id(&self) -> Option<&str> { Some(&self.id) }
///     fn parent_id(&self) -> Option<&str> { None }
/// }
/// #[derive(Debug, serde::Deserialize)]
/// struct Variant { id: String, #[serde(rename = "__parentId")] parent_id: String }
/// impl BulkLevel for Variant {
///     fn id(&self) -> Option<&str> { Some(&self.id) }
///     fn parent_id(&self) -> Option<&str> { Some(&self.parent_id) }
/// }
/// shopify_client::bulk_rows! {
///     #[derive(Debug)]
///     pub enum Row { Product(Product) = "Product", Variant(Variant) = "ProductVariant" }
/// }
/// let row = Row::decode(br#"{"__typename":"ProductVariant","id":"v1","__parentId":"p1"}"#).unwrap();
/// assert_eq!(row.parent_id(), Some("p1"));
/// assert!(Row::decode(b"{}").is_err());
/// ```
#[macro_export]
macro_rules! bulk_rows {
    ($(#[$meta:meta])* $vis:vis enum $name:ident {
        $($variant:ident($ty:ty) = $typename:literal),+ $(,)?
    }) => {
        $(#[$meta])*
        $vis enum $name {
            $(
                #[doc = concat!("A `", $typename, "` line.")]
                $variant($ty),
            )+
        }

        impl $crate::bulk::BulkRow for $name {
            fn decode(line: &[u8]) -> ::std::result::Result<Self, $crate::bulk::RowError> {
                match $crate::bulk::typename_of(line) {
                    $(Some($typename) => $crate::bulk::from_line(line).map(Self::$variant),)+
                    Some(other) => Err($crate::bulk::RowError::UnknownType(other.to_owned())),
                    None => Err($crate::bulk::RowError::MissingType),
                }
            }
            fn id(&self) -> Option<&str> {
                match self {
                    $(Self::$variant(row) => $crate::bulk::BulkLevel::id(row),)+
                }
            }
            fn parent_id(&self) -> Option<&str> {
                match self {
                    $(Self::$variant(row) => $crate::bulk::BulkLevel::parent_id(row),)+
                }
            }
        }
    };
}

/// A line as untyped JSON, for queries without generated rows (e.g. `export` of a file).
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow(pub Value);

impl BulkRow for RawRow {
    fn decode(line: &[u8]) -> Result<Self, RowError> {
        Ok(Self(serde_json::from_slice(line)?))
    }
    fn id(&self) -> Option<&str> {
        self.0.get("id").and_then(Value::as_str)
    }
    fn parent_id(&self) -> Option<&str> {
        self.0.get("__parentId").and_then(Value::as_str)
    }
}

/// The `__typename` of a line, read from its first key when it is there (the generated
/// queries select it first), else by a search; cheap next to decoding the line.
pub fn typename_of(line: &[u8]) -> Option<&str> {
    const KEY: &[u8] = b"\"__typename\":\"";
    let start = if line.starts_with(b"{\"__typename\":\"") {
        2 + KEY.len() - 1
    } else {
        line.windows(KEY.len()).position(|w| w == KEY)? + KEY.len()
    };
    let rest = line.get(start..)?;
    let end = rest.iter().position(|b| *b == b'"')?;
    std::str::from_utf8(&rest[..end]).ok()
}

/// A row with the rows nested under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouped<R> {
    /// The row.
    pub row: R,
    /// Its children, in file order.
    pub children: Vec<Grouped<R>>,
}

/// Puts children under their parents, for callers who want whole objects.
///
/// Memory: result files are ungrouped (a child may come before its parent, or long after
/// it), so every row must be held until the end: this costs the whole file's rows in
/// memory, unlike streaming. Rows whose parent is not in `rows` are returned at the top.
pub fn regroup<R: BulkRow>(rows: impl IntoIterator<Item = R>) -> Vec<Grouped<R>> {
    let rows: Vec<R> = rows.into_iter().collect();
    let index: HashMap<String, usize> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.id().map(|id| (id.to_owned(), i)))
        .collect();
    let parents: Vec<Option<usize>> = rows
        .iter()
        .map(|r| r.parent_id().and_then(|p| index.get(p).copied()))
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); rows.len()];
    for (i, parent) in parents.iter().enumerate() {
        if let Some(p) = parent {
            children[*p].push(i);
        }
    }
    let mut slots: Vec<Option<R>> = rows.into_iter().map(Some).collect();
    fn build<R>(i: usize, slots: &mut [Option<R>], children: &[Vec<usize>]) -> Option<Grouped<R>> {
        let row = slots[i].take()?;
        let kids = children[i]
            .iter()
            .filter_map(|c| build(*c, slots, children))
            .collect();
        Some(Grouped {
            row,
            children: kids,
        })
    }
    (0..slots.len())
        .filter(|i| parents[*i].is_none())
        .collect::<Vec<_>>()
        .into_iter()
        .filter_map(|i| build(i, &mut slots, &children))
        .collect()
}

/// How often `wait` asks: from `first`, times `factor`, up to `max`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// The first wait.
    pub first: Duration,
    /// Growth per poll.
    pub factor: f64,
    /// The longest wait.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            first: Duration::from_millis(200),
            factor: 1.5,
            max: Duration::from_secs(10),
        }
    }
}

/// Bulk operations through a [`Client`].
#[derive(Debug, Clone)]
pub struct Bulk<'c> {
    client: &'c Client,
    api_version: String,
    backoff: Backoff,
}

impl<'c> Bulk<'c> {
    /// Bulk operations on `client`'s shop, with API version `api_version`.
    pub fn new(client: &'c Client, api_version: &str) -> Self {
        Self {
            client,
            api_version: api_version.to_owned(),
            backoff: Backoff::default(),
        }
    }

    /// Sets how `wait` polls.
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    async fn call(&self, query: &str, variables: Value) -> Result<Value, BulkError> {
        let body = json!({"query": query, "variables": variables});
        Ok(self
            .client
            .execute_raw(&self.api_version, &body)
            .await?
            .data)
    }

    /// Starts a bulk query (`bulkOperationRunQuery`).
    pub async fn run_query(&self, query: &str) -> Result<BulkOperation, BulkError> {
        let q = format!(
            "mutation BulkRunQuery($query: String!) {{ bulkOperationRunQuery(query: $query) {{ bulkOperation {{ {FIELDS} }} userErrors {{ field message code }} }} }}"
        );
        let data = self.call(&q, json!({"query": query})).await?;
        started(&data["bulkOperationRunQuery"], "bulkOperationRunQuery")
    }

    /// One status read (`bulkOperation(id:)`).
    pub async fn status(&self, id: &str) -> Result<BulkOperation, BulkError> {
        let q = format!("query BulkStatus($id: ID!) {{ bulkOperation(id: $id) {{ {FIELDS} }} }}");
        let data = self.call(&q, json!({"id": id})).await?;
        BulkOperation::from_json(&data["bulkOperation"])
            .ok_or_else(|| unexpected("bulkOperation", &data))
    }

    /// Asks Shopify to cancel the operation (`bulkOperationCancel`).
    pub async fn cancel(&self, id: &str) -> Result<BulkOperation, BulkError> {
        let q = format!(
            "mutation BulkCancel($id: ID!) {{ bulkOperationCancel(id: $id) {{ bulkOperation {{ {FIELDS} }} userErrors {{ field message }} }} }}"
        );
        let data = self.call(&q, json!({"id": id})).await?;
        started(&data["bulkOperationCancel"], "bulkOperationCancel")
    }

    /// Polls with backoff until the operation is final; `progress` sees every status.
    /// COMPLETED is `Ok`; FAILED, CANCELED and EXPIRED are typed errors.
    pub async fn wait(
        &self,
        id: &str,
        progress: impl FnMut(&BulkOperation),
    ) -> Result<BulkOperation, BulkError> {
        self.wait_notified(id, std::future::pending::<()>(), progress)
            .await
    }

    /// Like [`wait`](Self::wait), but `finished` (e.g. the `bulk_operations/finish`
    /// webhook arriving) cuts the current backoff short, so the final status is read at once.
    pub async fn wait_notified(
        &self,
        id: &str,
        finished: impl Future<Output = ()>,
        mut progress: impl FnMut(&BulkOperation),
    ) -> Result<BulkOperation, BulkError> {
        let mut finished = std::pin::pin!(finished);
        let mut notified = false;
        let mut delay = self.backoff.first;
        loop {
            let op = self.status(id).await?;
            progress(&op);
            if op.status.is_final() {
                return outcome(op);
            }
            if !notified {
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = &mut finished => notified = true,
                }
            } else {
                tokio::time::sleep(self.backoff.first).await;
            }
            delay = delay.mul_f64(self.backoff.factor).min(self.backoff.max);
        }
    }

    /// The lines of a result file, streamed.
    pub fn lines(&self, url: &str) -> Lines {
        Lines::new(self.client.http().clone(), url)
    }

    /// The typed rows of a result file, streamed.
    pub fn rows<R: BulkRow>(&self, url: &str) -> Rows<R> {
        Rows {
            lines: self.lines(url),
            _row: std::marker::PhantomData,
        }
    }

    /// Uploads a JSONL file of variables (one mutation's variables per line) to a staged
    /// target and returns its `stagedUploadPath`. Every line is checked first
    /// ([`BulkError::BadVariables`]); see [`upload_variables_from`](Self::upload_variables_from)
    /// to stream a file instead of holding it.
    pub async fn upload_variables(&self, jsonl: Vec<u8>) -> Result<String, BulkError> {
        let length = jsonl.len() as u64;
        let chunks: variables::Chunks =
            Box::pin(futures::stream::iter([Ok(bytes::Bytes::from(jsonl))]));
        self.upload_chunks(chunks, Some(length)).await
    }

    /// Streams a JSONL file of variables from `reader` to a staged target and returns its
    /// `stagedUploadPath`. Memory holds one 64 KiB chunk and one partial line whatever the
    /// size. Each line is checked to be one JSON object before its bytes are sent: a bad
    /// line ([`BulkError::BadVariables`], with its line number) or more than
    /// [`MAX_VARIABLES_BYTES`] ([`BulkError::VariablesTooLarge`]) cuts the upload short.
    /// `length`, when known, is sent as `Content-Length` (storage services want it) and
    /// checked against the limit before anything is sent.
    pub async fn upload_variables_from(
        &self,
        reader: impl tokio::io::AsyncRead + Send + Unpin + 'static,
        length: Option<u64>,
    ) -> Result<String, BulkError> {
        self.upload_chunks(variables::from_reader(reader), length)
            .await
    }

    async fn upload_chunks(
        &self,
        chunks: variables::Chunks,
        length: Option<u64>,
    ) -> Result<String, BulkError> {
        if let Some(bytes) = length.filter(|n| *n > MAX_VARIABLES_BYTES) {
            return Err(BulkError::VariablesTooLarge {
                bytes,
                max: MAX_VARIABLES_BYTES,
            });
        }
        let q = "mutation BulkStage($input: [StagedUploadInput!]!) { stagedUploadsCreate(input: $input) { stagedTargets { url resourceUrl parameters { name value } } userErrors { field message } } }";
        let mut input = json!({"resource": "BULK_MUTATION_VARIABLES", "filename": "bulk_op_vars.jsonl",
            "mimeType": "text/jsonl", "httpMethod": "PUT"});
        if let Some(length) = length {
            input["fileSize"] = json!(length.to_string());
        }
        let data = self.call(q, json!({"input": [input]})).await?;
        let payload = &data["stagedUploadsCreate"];
        refused(payload)?;
        let target = &payload["stagedTargets"][0];
        let url = target["url"]
            .as_str()
            .ok_or_else(|| unexpected("stagedUploadsCreate", &data))?;
        let params = target["parameters"].as_array().cloned().unwrap_or_default();
        let param = |name: &str| {
            params
                .iter()
                .find(|p| p["name"] == name)
                .and_then(|p| p["value"].as_str())
                .map(str::to_owned)
        };
        let path = param("key").ok_or_else(|| unexpected("stagedUploadsCreate", &data))?;
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let mut put = self
            .client
            .http()
            .put(url)
            .body(reqwest::Body::wrap(variables::ChannelBody(rx)));
        if let Some(mime) = param("Content-Type").or_else(|| param("content_type")) {
            put = put.header(reqwest::header::CONTENT_TYPE, mime);
        }
        if let Some(length) = length {
            put = put.header(reqwest::header::CONTENT_LENGTH, length);
        }
        let shown = strip_query(url);
        let (pumped, sent) =
            tokio::join!(variables::pump(chunks, tx, MAX_VARIABLES_BYTES), put.send());
        // The source's error (a bad line, too large) is why the upload was cut short.
        match pumped {
            Err(BulkError::UploadEnded) => {}
            Err(error) => return Err(error),
            Ok(_) => {}
        }
        let res = sent.map_err(|source| BulkError::Transfer {
            url: shown.clone(),
            source,
        })?;
        if !res.status().is_success() {
            return Err(BulkError::Status {
                url: shown,
                status: res.status().as_u16(),
            });
        }
        Ok(path)
    }

    /// Uploads `jsonl` and starts `mutation` once per line (`bulkOperationRunMutation`).
    /// A line that is not one JSON object is refused before anything runs.
    pub async fn run_mutation(
        &self,
        mutation: &str,
        jsonl: Vec<u8>,
    ) -> Result<BulkOperation, BulkError> {
        let path = self.upload_variables(jsonl).await?;
        self.run_uploaded(mutation, &path).await
    }

    /// Streams the variables file at `path` (see
    /// [`upload_variables_from`](Self::upload_variables_from): constant memory, every
    /// line checked, nothing run on a bad line) and starts `mutation` once per line.
    pub async fn run_mutation_file(
        &self,
        mutation: &str,
        path: impl AsRef<std::path::Path>,
    ) -> Result<BulkOperation, BulkError> {
        let (chunks, length) = variables::from_file(path.as_ref())
            .map_err(|source| BulkError::ReadVariables { source })?;
        let staged = self.upload_chunks(chunks, Some(length)).await?;
        self.run_uploaded(mutation, &staged).await
    }

    /// Streams the variables from `reader` (see
    /// [`upload_variables_from`](Self::upload_variables_from)) and starts `mutation` once
    /// per line.
    pub async fn run_mutation_from(
        &self,
        mutation: &str,
        reader: impl tokio::io::AsyncRead + Send + Unpin + 'static,
        length: Option<u64>,
    ) -> Result<BulkOperation, BulkError> {
        let staged = self.upload_variables_from(reader, length).await?;
        self.run_uploaded(mutation, &staged).await
    }

    /// Starts `mutation` once per line of the file already staged at `staged_upload_path`.
    pub async fn run_uploaded(
        &self,
        mutation: &str,
        staged_upload_path: &str,
    ) -> Result<BulkOperation, BulkError> {
        let q = format!(
            "mutation BulkRunMutation($mutation: String!, $path: String!) {{ bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $path) {{ bulkOperation {{ {FIELDS} }} userErrors {{ field message code }} }} }}"
        );
        let data = self
            .call(
                &q,
                json!({"mutation": mutation, "path": staged_upload_path}),
            )
            .await?;
        started(
            &data["bulkOperationRunMutation"],
            "bulkOperationRunMutation",
        )
    }

    /// The result lines of a bulk mutation, typed: `T` is the mutation's `data`.
    pub fn mutation_results<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
    ) -> Rows<MutationLine<T>> {
        self.rows(url)
    }
}

/// One line of a bulk mutation's result file: what the mutation answered for input line
/// `line_number` (0-based) of the variables file.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct MutationLine<T> {
    /// The mutation's `data` (with its `userErrors`).
    pub data: Option<T>,
    /// GraphQL errors for this line (e.g. variables that do not coerce).
    #[serde(default)]
    pub errors: Vec<Value>,
    /// The 0-based input line this answers.
    #[serde(rename = "__lineNumber")]
    pub line_number: u64,
}

impl<T: serde::de::DeserializeOwned> BulkRow for MutationLine<T> {
    fn decode(line: &[u8]) -> Result<Self, RowError> {
        Ok(serde_json::from_slice(line)?)
    }
    fn id(&self) -> Option<&str> {
        None
    }
    fn parent_id(&self) -> Option<&str> {
        None
    }
}

fn unexpected(what: &'static str, data: &Value) -> BulkError {
    let mut excerpt = data.to_string();
    excerpt.truncate(crate::EXCERPT_BYTES);
    BulkError::Unexpected { what, excerpt }
}

fn refused(payload: &Value) -> Result<(), BulkError> {
    let errors = payload["userErrors"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if errors.is_empty() {
        return Ok(());
    }
    let messages: Vec<String> = errors
        .iter()
        .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
        .collect();
    if errors.iter().any(|e| e["code"] == "LIMIT_REACHED") {
        return Err(BulkError::ConcurrencyLimit {
            message: messages.join("; "),
        });
    }
    Err(BulkError::Refused { messages })
}

fn started(payload: &Value, what: &'static str) -> Result<BulkOperation, BulkError> {
    refused(payload)?;
    BulkOperation::from_json(&payload["bulkOperation"]).ok_or_else(|| unexpected(what, payload))
}

fn outcome(op: BulkOperation) -> Result<BulkOperation, BulkError> {
    match op.status {
        BulkStatus::Failed => Err(BulkError::Failed {
            operation: Box::new(op),
        }),
        BulkStatus::Canceled => Err(BulkError::Canceled { id: op.id }),
        BulkStatus::Expired => Err(BulkError::Expired { id: op.id }),
        _ => Ok(op),
    }
}

fn strip_query(url: &str) -> String {
    url.split('?').next().unwrap_or_default().to_owned()
}

/// The lines of a result file, read from the HTTP stream; resumes a dropped download with
/// `Range` from the end of the last complete line.
#[derive(Debug)]
pub struct Lines {
    http: reqwest::Client,
    url: String,
    response: Option<reqwest::Response>,
    /// Bytes received and not yet returned as lines.
    buffer: Vec<u8>,
    /// Where in `buffer` the next line starts.
    start: usize,
    /// File offset of `buffer[0]`.
    offset: u64,
    /// Bytes of the body still to skip (the server ignored `Range`).
    skip: u64,
    line: u64,
    resumes: u32,
    done: bool,
}

impl Lines {
    fn new(http: reqwest::Client, url: &str) -> Self {
        Self {
            http,
            url: url.to_owned(),
            response: None,
            buffer: Vec::with_capacity(64 * 1024),
            start: 0,
            offset: 0,
            skip: 0,
            line: 0,
            resumes: 0,
            done: false,
        }
    }

    /// Bytes of the file returned as complete lines so far.
    pub fn bytes_read(&self) -> u64 {
        self.offset + self.start as u64
    }

    /// Lines returned so far.
    pub fn lines_read(&self) -> u64 {
        self.line
    }

    /// Times a dropped download was resumed.
    pub fn resumes(&self) -> u32 {
        self.resumes
    }

    async fn connect(&mut self) -> Result<(), BulkError> {
        let from = self.bytes_read();
        let mut request = self.http.get(&self.url);
        if from > 0 {
            request = request.header(reqwest::header::RANGE, format!("bytes={from}-"));
        }
        let res = request.send().await.map_err(|source| BulkError::Transfer {
            url: strip_query(&self.url),
            source,
        })?;
        let status = res.status().as_u16();
        match status {
            206 => self.skip = 0,
            200 => self.skip = from,
            416 => {
                self.done = true;
                return Ok(());
            }
            _ => {
                return Err(BulkError::Status {
                    url: strip_query(&self.url),
                    status,
                });
            }
        }
        // The partial line is read again from `from`, the end of the last complete line.
        self.buffer.clear();
        self.offset = from;
        self.start = 0;
        self.response = Some(res);
        Ok(())
    }

    /// The next line, without its newline; `None` at the end of the file.
    pub async fn next(&mut self) -> Result<Option<&[u8]>, BulkError> {
        loop {
            if let Some(end) = self.buffer[self.start..].iter().position(|b| *b == b'\n') {
                let from = self.start;
                self.start += end + 1;
                self.line += 1;
                if self.buffer[from..from + end]
                    .iter()
                    .all(u8::is_ascii_whitespace)
                {
                    continue;
                }
                return Ok(Some(&self.buffer[from..from + end]));
            }
            if self.done {
                if self.start < self.buffer.len() {
                    // A last line without a newline.
                    let from = self.start;
                    self.start = self.buffer.len();
                    self.line += 1;
                    return Ok(Some(&self.buffer[from..]));
                }
                return Ok(None);
            }
            if self.response.is_none() {
                self.connect().await?;
                continue;
            }
            let chunk = match self.response.as_mut() {
                Some(res) => res.chunk().await,
                None => Ok(None),
            };
            match chunk {
                Ok(Some(bytes)) => {
                    let mut bytes = &bytes[..];
                    if self.skip > 0 {
                        let n = (self.skip as usize).min(bytes.len());
                        self.skip -= n as u64;
                        bytes = &bytes[n..];
                    }
                    // Keep memory to one partial line plus one chunk.
                    if self.start > 0 {
                        self.buffer.drain(..self.start);
                        self.offset += self.start as u64;
                        self.start = 0;
                    }
                    self.buffer.extend_from_slice(bytes);
                }
                Ok(None) => self.done = true,
                Err(error) => {
                    self.resumes += 1;
                    tracing::debug!(%error, resumes = self.resumes, from = self.bytes_read(), "bulk download dropped; resuming");
                    if self.resumes > MAX_RESUMES {
                        return Err(BulkError::ResumesExhausted {
                            url: strip_query(&self.url),
                            resumes: MAX_RESUMES,
                        });
                    }
                    self.response = None;
                }
            }
        }
    }
}

/// Typed rows of a result file, streamed (see [`Lines`]).
#[derive(Debug)]
pub struct Rows<R> {
    lines: Lines,
    _row: std::marker::PhantomData<fn() -> R>,
}

impl<R: BulkRow> Rows<R> {
    /// The next row; `None` at the end of the file.
    pub async fn next(&mut self) -> Result<Option<R>, BulkError> {
        let Some(line) = self.lines.next().await? else {
            return Ok(None);
        };
        match R::decode(line) {
            Ok(row) => Ok(Some(row)),
            Err(source) => Err(BulkError::Decode {
                line: self.lines.lines_read(),
                source,
            }),
        }
    }

    /// The line reader underneath (bytes read, resumes).
    pub fn lines(&self) -> &Lines {
        &self.lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typename_is_read_first_or_found() {
        assert_eq!(
            typename_of(br#"{"__typename":"Product","id":"1"}"#),
            Some("Product")
        );
        assert_eq!(
            typename_of(br#"{"id":"1","__typename":"ProductVariant"}"#),
            Some("ProductVariant")
        );
        assert_eq!(typename_of(br#"{"id":"1"}"#), None);
        assert_eq!(typename_of(br#"{"__typename":"#), None);
    }

    #[test]
    fn regroup_puts_children_before_or_after_parents_under_them() {
        let rows = [
            r#"{"id":"v1","__parentId":"p1"}"#,
            r#"{"id":"p1"}"#,
            r#"{"id":"p2"}"#,
            r#"{"id":"v2","__parentId":"p1"}"#,
            r#"{"id":"v3","__parentId":"p2"}"#,
        ]
        .map(|l| RawRow::decode(l.as_bytes()).unwrap());
        let grouped = regroup(rows);
        let shape: Vec<(String, Vec<String>)> = grouped
            .iter()
            .map(|g| {
                (
                    g.row.id().unwrap().to_owned(),
                    g.children
                        .iter()
                        .map(|c| c.row.id().unwrap().to_owned())
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                ("p1".to_owned(), vec!["v1".to_owned(), "v2".to_owned()]),
                ("p2".to_owned(), vec!["v3".to_owned()]),
            ]
        );
    }

    #[test]
    fn final_statuses_become_typed_errors() {
        let op = |status: BulkStatus| BulkOperation {
            id: "gid://shopify/BulkOperation/1".into(),
            status,
            error_code: Some("TIMEOUT".into()),
            object_count: 3,
            file_size: None,
            url: None,
            partial_data_url: Some("http://x/p.jsonl".into()),
        };
        assert!(outcome(op(BulkStatus::Completed)).is_ok());
        assert!(
            matches!(outcome(op(BulkStatus::Failed)), Err(BulkError::Failed { operation }) if operation.partial_data_url.is_some())
        );
        assert!(matches!(
            outcome(op(BulkStatus::Canceled)),
            Err(BulkError::Canceled { .. })
        ));
        assert!(matches!(
            outcome(op(BulkStatus::Expired)),
            Err(BulkError::Expired { .. })
        ));
    }
}
