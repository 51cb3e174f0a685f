//! The tracing output of a token exchange names the shop but never a secret.
//!
//! A binary of its own: tracing caches per-callsite interest process-wide, so
//! a subscriber scoped to one test misses events when other tests run in
//! parallel threads of the same process.

#![allow(clippy::unwrap_used)]

#[path = "it/support.rs"]
#[allow(dead_code)] // shared with the main test binary; this test uses part of it
mod support;

use std::io;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use shopify_auth::TokenSource;

use support::{Reply, SECRET, TOKEN_PREFIX, TokenServer};

fn assert_clean(text: &str) {
    let encoded: String = url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect();
    for needle in [SECRET, &encoded, TOKEN_PREFIX] {
        assert!(
            !text.contains(needle),
            "tracing output leaks {needle:?}: {text}"
        );
    }
}

/// Collects everything a `fmt` subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn tracing_names_the_shop_but_never_a_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // A current-thread runtime, so the spawned exchange runs on this thread
    // and reports to this thread's subscriber.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let server = TokenServer::start(Reply::token(3600)).await;
            let source = server.source().build().unwrap();
            let token = source.token().await.unwrap();
            source.invalidate(&token);
            server.set_reply(Reply::oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                SECRET,
            ));
            source.token().await.unwrap_err();
        });
    });

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("fetching token"), "{logs}");
    assert!(logs.contains("token cached"), "{logs}");
    assert!(logs.contains("expires_in_secs=3600"), "{logs}");
    assert!(logs.contains("shop=my-store.myshopify.com"), "{logs}");
    assert!(logs.contains("token invalidated"), "{logs}");
    assert!(logs.contains("token request failed"), "{logs}");
    assert_clean(&logs);
}
