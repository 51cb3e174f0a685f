use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;
use std::time::Duration;

use axum::http::StatusCode;
use shopify_auth::{AccessToken, AuthError, ClientCredentials, ManualClock, TokenSource};

use crate::support::{Reply, TOKEN_PREFIX, TokenServer, eventually};

const CALLERS: usize = 1000;

/// Calls `token()` and counts the caller as waiting once the first poll has
/// joined (or started) the exchange in flight.
async fn token_counting_entry(
    source: Arc<ClientCredentials>,
    entered: Arc<AtomicUsize>,
) -> Result<AccessToken, AuthError> {
    let mut call = source.token();
    let first = futures::poll!(&mut call);
    entered.fetch_add(1, Ordering::SeqCst);
    match first {
        Poll::Ready(result) => result,
        Poll::Pending => call.await,
    }
}

/// Starts `CALLERS` tasks calling `token()` while the server holds its answer,
/// waits until every one of them is waiting, then lets the answer out. So the
/// callers truly overlap, however loaded the machine is.
async fn many_callers_at_once(
    server: &TokenServer,
    source: &Arc<ClientCredentials>,
) -> Vec<Result<AccessToken, AuthError>> {
    server.hold();
    let entered = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..CALLERS)
        .map(|_| {
            tokio::spawn(token_counting_entry(
                Arc::clone(source),
                Arc::clone(&entered),
            ))
        })
        .collect();
    eventually("all callers to wait for the token", || {
        entered.load(Ordering::SeqCst) == CALLERS
    })
    .await;
    server.release();
    let mut results = Vec::with_capacity(CALLERS);
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

fn issued(n: usize) -> String {
    format!("{TOKEN_PREFIX}{n}")
}

#[tokio::test]
async fn token_is_reused_until_the_margin_before_expiry() {
    let server = TokenServer::start(Reply::token(3600)).await;
    let clock = ManualClock::new();
    let source = server.source().clock(clock.clone()).build().unwrap();

    let first = source.token().await.unwrap();
    clock.advance(Duration::from_secs(3600 - 60 - 1));
    let still_first = source.token().await.unwrap();
    assert!(first.is_same(&still_first));
    assert_eq!(server.token_requests(), 1);

    clock.advance(Duration::from_secs(2));
    let second = source.token().await.unwrap();
    assert_eq!(second.expose_secret(), issued(2));
    assert_eq!(server.token_requests(), 2);
}

#[tokio::test]
async fn refresh_margin_is_configurable() {
    let server = TokenServer::start(Reply::token(3600)).await;
    let clock = ManualClock::new();
    let source = server
        .source()
        .clock(clock.clone())
        .refresh_margin(Duration::from_secs(600))
        .build()
        .unwrap();

    source.token().await.unwrap();
    clock.advance(Duration::from_secs(3600 - 600 - 1));
    source.token().await.unwrap();
    assert_eq!(server.token_requests(), 1);

    clock.advance(Duration::from_secs(2));
    source.token().await.unwrap();
    assert_eq!(server.token_requests(), 2);
}

#[tokio::test]
async fn short_lived_token_is_renewed_half_way_through_its_life() {
    let server = TokenServer::start(Reply::token(30)).await;
    let clock = ManualClock::new();
    let source = server.source().clock(clock.clone()).build().unwrap();

    source.token().await.unwrap();
    clock.advance(Duration::from_secs(14));
    source.token().await.unwrap();
    assert_eq!(server.token_requests(), 1);

    clock.advance(Duration::from_secs(2));
    source.token().await.unwrap();
    assert_eq!(server.token_requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_callers_on_a_cold_cache_cause_one_request() {
    let server = TokenServer::start(Reply::token(3600)).await;
    let source = Arc::new(server.source().build().unwrap());

    let results = many_callers_at_once(&server, &source).await;

    assert_eq!(server.token_requests(), 1);
    let first = results[0].as_ref().unwrap();
    assert_eq!(first.expose_secret(), issued(1));
    for result in &results {
        assert!(result.as_ref().unwrap().is_same(first));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_callers_on_an_expired_cache_cause_one_request() {
    let server = TokenServer::start(Reply::token(3600)).await;
    let clock = ManualClock::new();
    let source = Arc::new(server.source().clock(clock.clone()).build().unwrap());
    source.token().await.unwrap();
    clock.advance(Duration::from_secs(3600));

    let results = many_callers_at_once(&server, &source).await;

    assert_eq!(server.token_requests(), 2);
    for result in &results {
        assert_eq!(result.as_ref().unwrap().expose_secret(), issued(2));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_refresh_reaches_every_waiter_and_the_next_call_retries() {
    let server = TokenServer::start(Reply::oauth_error(
        StatusCode::BAD_REQUEST,
        "app_not_installed",
        "not yet",
    ))
    .await;
    let source = Arc::new(server.source().build().unwrap());

    let results = many_callers_at_once(&server, &source).await;

    assert_eq!(server.token_requests(), 1);
    for result in &results {
        assert!(
            matches!(result, Err(AuthError::AppNotInstalled { .. })),
            "{result:?}"
        );
    }

    server.set_reply(Reply::token(3600));
    let token = source.token().await.unwrap();
    assert_eq!(token.expose_secret(), issued(2));
    assert_eq!(server.token_requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_invalidations_of_one_token_cause_one_more_request() {
    let server = TokenServer::start(Reply::token(3600)).await;
    let source = Arc::new(server.source().build().unwrap());
    let rejected = source.token().await.unwrap();

    let tasks: Vec<_> = (0..CALLERS)
        .map(|_| {
            let source = Arc::clone(&source);
            let rejected = rejected.clone();
            tokio::spawn(async move { source.invalidate(&rejected) })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let fresh = source.token().await.unwrap();

    assert_eq!(server.token_requests(), 2);
    assert!(!fresh.is_same(&rejected));
    assert_eq!(fresh.expose_secret(), issued(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_callers_each_invalidating_then_asking_cause_one_more_request() {
    let server = TokenServer::start(Reply::token(3600)).await;
    let source = Arc::new(server.source().build().unwrap());
    let rejected = source.token().await.unwrap();
    server.hold();

    let entered = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..CALLERS)
        .map(|_| {
            let source = Arc::clone(&source);
            let rejected = rejected.clone();
            let entered = Arc::clone(&entered);
            tokio::spawn(async move {
                source.invalidate(&rejected);
                token_counting_entry(source, entered).await
            })
        })
        .collect();
    eventually("all callers to wait for the token", || {
        entered.load(Ordering::SeqCst) == CALLERS
    })
    .await;
    server.release();
    for task in tasks {
        let token = task.await.unwrap().unwrap();
        assert_eq!(token.expose_secret(), issued(2));
    }

    assert_eq!(server.token_requests(), 2);
}

#[tokio::test]
async fn invalidating_an_older_token_keeps_the_newer_one() {
    let server = TokenServer::start(Reply::token(3600)).await;
    let source = server.source().build().unwrap();
    let old = source.token().await.unwrap();
    source.invalidate(&old);
    let new = source.token().await.unwrap();

    source.invalidate(&old);
    let still_new = source.token().await.unwrap();

    assert!(new.is_same(&still_new));
    assert_eq!(server.token_requests(), 2);
}

#[tokio::test]
async fn an_exchange_abandoned_by_its_caller_still_fills_the_cache() {
    let server = TokenServer::start(Reply::token(3600)).await;
    let source = server.source().build().unwrap();
    server.hold();

    let gave_up = tokio::time::timeout(Duration::from_millis(50), source.token()).await;
    assert!(gave_up.is_err(), "the held answer cannot have arrived");
    server.release();
    let token = source.token().await.unwrap();

    assert_eq!(token.expose_secret(), issued(1));
    assert_eq!(server.token_requests(), 1);
}

#[tokio::test]
async fn clones_share_one_cache() {
    let server = TokenServer::start(Reply::token(3600)).await;
    let source = server.source().build().unwrap();
    let clone = source.clone();

    let a = source.token().await.unwrap();
    let b = clone.token().await.unwrap();

    assert!(a.is_same(&b));
    assert_eq!(server.token_requests(), 1);
}
