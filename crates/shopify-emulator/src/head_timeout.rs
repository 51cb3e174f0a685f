//! The header timeout ([`crate::Limits::header_timeout`]): a request whose head (request
//! line and headers) has begun but not ended in time is answered 408 and its connection
//! closed, so a slow-loris client learns quickly and holds nothing.
//!
//! hyper's own `header_read_timeout` also runs while a kept-alive connection is idle
//! between requests, so a short one would close pooled connections under clients that
//! are about to reuse them. This clock starts at the first byte of a head instead.

use std::io::Write as _;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// What 408 looks like on the wire: Shopify's plain error shape.
const REQUEST_TIMEOUT: &[u8] = b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\ncontent-length: 30\r\nconnection: close\r\n\r\n{\"errors\":\"Request timed out\"}";

#[derive(Debug, Default)]
struct State {
    /// A request of this connection is being handled.
    busy: bool,
    /// When the first byte after the last handled request arrived.
    started: Option<Instant>,
}

/// Shared by a connection's stream (which sees bytes arrive) and its service (which sees
/// heads end).
#[derive(Debug, Default, Clone)]
pub(crate) struct HeadClock(Arc<Mutex<State>>);

impl HeadClock {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn bytes_arrived(&self) {
        let mut state = self.state();
        if !state.busy && state.started.is_none() {
            state.started = Some(Instant::now());
        }
    }

    /// A head was parsed: its request is being handled.
    pub(crate) fn request_started(&self) {
        let mut state = self.state();
        state.busy = true;
        state.started = None;
    }

    /// The answer is ready; bytes from now on belong to the next head.
    pub(crate) fn request_done(&self) {
        self.state().busy = false;
    }

    /// Resolves once a head has been arriving for longer than `limit`.
    pub(crate) async fn overdue(&self, limit: Duration) {
        let tick = (limit / 4).max(Duration::from_millis(10));
        loop {
            tokio::time::sleep(tick).await;
            let state = self.state();
            if !state.busy && state.started.is_some_and(|at| at.elapsed() >= limit) {
                return;
            }
        }
    }
}

/// Writes the 408 answer on `socket` (a second descriptor of the connection's socket)
/// and ends the connection's sending side.
pub(crate) fn answer_timeout(socket: &std::net::TcpStream) {
    let mut socket = socket;
    let _ = socket.write_all(REQUEST_TIMEOUT);
    let _ = socket.shutdown(std::net::Shutdown::Write);
}

/// A connection's stream that tells its [`HeadClock`] when bytes arrive.
#[derive(Debug)]
pub(crate) struct Watched {
    inner: TcpStream,
    clock: HeadClock,
}

impl Watched {
    pub(crate) fn new(inner: TcpStream, clock: HeadClock) -> Self {
        Self { inner, clock }
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(poll, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.clock.bytes_arrived();
        }
        poll
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_408_answer_declares_its_body_length() {
        let text = std::str::from_utf8(REQUEST_TIMEOUT).unwrap();
        let (_, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(text.contains(&format!("content-length: {}\r\n", body.len())));
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json, serde_json::json!({"errors": "Request timed out"}));
    }

    #[tokio::test]
    async fn the_clock_runs_only_while_a_head_is_arriving() {
        let clock = HeadClock::default();
        let limit = Duration::from_millis(100);
        // Idle: never overdue.
        assert!(
            tokio::time::timeout(Duration::from_millis(500), clock.overdue(limit))
                .await
                .is_err()
        );
        // Bytes arrived while a request is handled (its body): not a head.
        clock.request_started();
        clock.bytes_arrived();
        assert!(
            tokio::time::timeout(Duration::from_millis(500), clock.overdue(limit))
                .await
                .is_err()
        );
        clock.request_done();
        clock.bytes_arrived();
        assert!(
            tokio::time::timeout(Duration::from_millis(500), clock.overdue(limit))
                .await
                .is_ok()
        );
    }
}
