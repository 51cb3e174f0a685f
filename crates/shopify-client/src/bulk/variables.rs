//! A bulk mutation's variables file, streamed to its staged target in constant memory.
//!
//! The source is read in chunks; each line is checked to be one JSON object *before* its
//! bytes go out, so memory holds one chunk and one partial line whatever the file's size,
//! and a bad line aborts the upload before the file is complete (the target never holds a
//! whole file with a bad line in it, and nothing is run).

use std::io;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::mpsc;

use super::BulkError;

/// Shopify's limit on a bulk mutation's variables file (100 MB).
pub const MAX_VARIABLES_BYTES: u64 = 100 * 1024 * 1024;

/// Bytes read from the source at a time.
const CHUNK: usize = 64 * 1024;

/// Chunks in flight between the reader and the HTTP body.
const IN_FLIGHT: usize = 4;

/// A stream of the source's chunks.
pub(super) type Chunks = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// Chunks of an async reader.
pub(super) fn from_reader<R: AsyncRead + Send + Unpin + 'static>(reader: R) -> Chunks {
    Box::pin(futures::stream::unfold(
        (reader, false),
        |(mut reader, done)| async move {
            if done {
                return None;
            }
            let mut buf = vec![0u8; CHUNK];
            match reader.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(Bytes::from(buf)), (reader, false)))
                }
                Err(error) => Some((Err(error), (reader, true))),
            }
        },
    ))
}

/// Chunks of a file, read on the blocking pool (tokio's own file type does the same).
pub(super) fn from_file(path: &Path) -> io::Result<(Chunks, u64)> {
    use std::io::Read;

    let mut file = std::fs::File::open(path)?;
    let length = file.metadata()?.len();
    let (tx, rx) = mpsc::channel::<io::Result<Bytes>>(IN_FLIGHT);
    tokio::task::spawn_blocking(move || {
        loop {
            let mut buf = vec![0u8; CHUNK];
            let chunk = match file.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    buf.truncate(n);
                    Ok(Bytes::from(buf))
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => Err(error),
            };
            let failed = chunk.is_err();
            // The receiver is gone when the upload ended early: stop reading.
            if tx.blocking_send(chunk).is_err() || failed {
                return;
            }
        }
    });
    let chunks = futures::stream::unfold(rx, |mut rx| async move {
        let chunk = rx.recv().await?;
        Some((chunk, rx))
    });
    Ok((Box::pin(chunks), length))
}

/// The HTTP body of an upload: the checked chunks, as the pump sends them.
#[derive(Debug)]
pub(super) struct ChannelBody(pub(super) mpsc::Receiver<io::Result<Bytes>>);

impl http_body::Body for ChannelBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, io::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|chunk| chunk.map(|r| r.map(http_body::Frame::data)))
    }
}

/// What the pump sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Pumped {
    /// Lines of the file (blank ones included).
    pub(super) lines: u64,
    /// Bytes sent.
    pub(super) bytes: u64,
}

/// Reads `chunks`, checks every line, and sends the bytes of checked lines to `tx`,
/// unchanged. On a bad line or too many bytes it sends an error (so the HTTP body fails
/// and the upload is cut short) and returns the typed error.
pub(super) async fn pump(
    mut chunks: Chunks,
    tx: mpsc::Sender<io::Result<Bytes>>,
    max: u64,
) -> Result<Pumped, BulkError> {
    let mut pump = Pump {
        tx,
        held: Vec::new(),
        line: 0,
        bytes: 0,
    };
    let result = pump.run(&mut chunks, max).await;
    if let Err(error) = &result {
        // The body fails with this error, so the target never sees a complete file.
        let _ = pump
            .tx
            .send(Err(io::Error::other(format!("upload aborted: {error}"))))
            .await;
    }
    result
}

struct Pump {
    tx: mpsc::Sender<io::Result<Bytes>>,
    /// Read and not yet sent: the start of the current line.
    held: Vec<u8>,
    line: u64,
    bytes: u64,
}

impl Pump {
    async fn run(&mut self, chunks: &mut Chunks, max: u64) -> Result<Pumped, BulkError> {
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|source| BulkError::ReadVariables { source })?;
            self.bytes += chunk.len() as u64;
            if self.bytes > max {
                return Err(BulkError::VariablesTooLarge {
                    bytes: self.bytes,
                    max,
                });
            }
            // chunk[ready..cursor] are checked lines not sent yet.
            let (mut ready, mut cursor) = (0, 0);
            while let Some(at) = chunk[cursor..].iter().position(|b| *b == b'\n') {
                let end = cursor + at;
                self.line += 1;
                if self.held.is_empty() {
                    check_line(&chunk[cursor..end], self.line)?;
                } else {
                    self.held.extend_from_slice(&chunk[cursor..=end]);
                    check_line(&self.held[..self.held.len() - 1], self.line)?;
                    let held = Bytes::from(std::mem::take(&mut self.held));
                    self.send(held).await?;
                    ready = end + 1;
                }
                cursor = end + 1;
            }
            if cursor > ready {
                self.send(chunk.slice(ready..cursor)).await?;
            }
            self.held.extend_from_slice(&chunk[cursor..]);
        }
        if !self.held.is_empty() {
            // A last line without a newline.
            self.line += 1;
            check_line(&self.held, self.line)?;
            let held = Bytes::from(std::mem::take(&mut self.held));
            self.send(held).await?;
        }
        Ok(Pumped {
            lines: self.line,
            bytes: self.bytes,
        })
    }

    async fn send(&self, bytes: Bytes) -> Result<(), BulkError> {
        // A closed body means the upload already ended (its error is the one to report).
        self.tx
            .send(Ok(bytes))
            .await
            .map_err(|_| BulkError::UploadEnded)
    }
}

/// `Ok` for one JSON object (or a blank line, which is skipped).
fn check_line(line: &[u8], number: u64) -> Result<(), BulkError> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    serde_json::from_slice::<JsonObject>(line)
        .map(|_| ())
        .map_err(|source| BulkError::BadVariables {
            line: number,
            source,
        })
}

/// Any JSON object, read without keeping it.
struct JsonObject;

impl<'de> serde::Deserialize<'de> for JsonObject {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = JsonObject;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("one JSON object of variables")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<JsonObject, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(JsonObject)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pumps `chunks` and returns what was sent, or the error.
    async fn run(chunks: Vec<&'static [u8]>, max: u64) -> (Result<Pumped, BulkError>, Vec<u8>) {
        let (tx, mut rx) = mpsc::channel(1024);
        let source: Chunks = Box::pin(futures::stream::iter(
            chunks.into_iter().map(|c| Ok(Bytes::from_static(c))),
        ));
        let result = pump(source, tx, max).await;
        let mut sent = Vec::new();
        while let Ok(chunk) = rx.try_recv() {
            match chunk {
                Ok(bytes) => sent.extend_from_slice(&bytes),
                Err(_) => sent.extend_from_slice(b"<aborted>"),
            }
        }
        (result, sent)
    }

    #[tokio::test]
    async fn lines_split_across_chunks_are_sent_unchanged() {
        let (result, sent) = run(
            vec![b"{\"a\":1}\n{\"b\"", b":[1,2]}\r\n\n", b"{\"c\":{}}"],
            1_000,
        )
        .await;
        assert_eq!(
            result.unwrap(),
            Pumped {
                lines: 4,
                bytes: 30
            }
        );
        assert_eq!(sent, b"{\"a\":1}\n{\"b\":[1,2]}\r\n\n{\"c\":{}}");
    }

    #[tokio::test]
    async fn a_bad_line_is_located_and_never_sent() {
        let (result, sent) = run(vec![b"{\"a\":1}\n{\"a\":", b"2}\n[1]\n{\"a\":3}\n"], 1_000).await;
        match result {
            Err(BulkError::BadVariables { line, source }) => {
                assert_eq!(line, 3);
                assert!(source.to_string().contains("one JSON object"), "{source}");
            }
            other => panic!("expected a bad line 3, got {other:?}"),
        }
        assert_eq!(sent, b"{\"a\":1}\n{\"a\":2}\n<aborted>");
    }

    #[tokio::test]
    async fn a_bad_last_line_without_newline_is_not_sent() {
        let (result, sent) = run(vec![b"{}\n{\"a\":"], 1_000).await;
        assert!(matches!(
            result,
            Err(BulkError::BadVariables { line: 2, .. })
        ));
        assert_eq!(sent, b"{}\n<aborted>");
    }

    #[tokio::test]
    async fn more_bytes_than_the_limit_abort_the_upload() {
        let (result, sent) = run(vec![b"{}\n{}\n", b"{}\n{}\n"], 8).await;
        assert!(matches!(
            result,
            Err(BulkError::VariablesTooLarge { bytes: 12, max: 8 })
        ));
        assert_eq!(sent, b"{}\n{}\n<aborted>");
    }
}
