//! What the token cache costs: a hit on a warm cache, and 1 000 tasks asking
//! at once on a cold cache against a local token endpoint (which must cause
//! exactly one token request). The endpoint holds its answer until every caller
//! is waiting, so the callers certainly overlap.
//!
//! `cargo bench -p shopify-auth --bench token_cache` prints criterion's
//! figures and then a plain summary with medians. Under `cargo test` it runs
//! each part once, as a smoke test.

#![allow(clippy::unwrap_used)] // a benchmark that fails should stop loudly

#[path = "../tests/it/support.rs"]
#[allow(dead_code)] // shared with the tests; the benchmark uses part of it
mod support;

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use shopify_auth::{ClientCredentials, TokenSource, http_client_builder};
use tokio::runtime::Runtime;

use support::{Reply, TokenServer};

const CALLERS: usize = 1000;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// `cargo bench` passes `--bench`; without it criterion runs in test mode.
fn benchmarking() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

/// Runs `CALLERS` tasks calling `token()` on a fresh (cold) source while the server holds
/// its answer, so every caller is waiting on the one exchange (they overlap for sure);
/// returns the time from the answer's release until all have their token, and how many
/// token requests the server saw.
async fn cold_run(server: &TokenServer, http: &reqwest::Client) -> (Duration, usize) {
    let before = server.token_requests();
    let source: Arc<ClientCredentials> =
        Arc::new(server.source().http_client(http.clone()).build().unwrap());
    let asking = Arc::new(AtomicUsize::new(0));
    server.hold();
    let tasks: Vec<_> = (0..CALLERS)
        .map(|_| {
            let (source, asking) = (Arc::clone(&source), Arc::clone(&asking));
            tokio::spawn(async move {
                asking.fetch_add(1, Ordering::SeqCst);
                source.token().await
            })
        })
        .collect();
    while asking.load(Ordering::SeqCst) < CALLERS || server.token_requests() == before {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    // Let the last callers get from the counter into `token()`.
    tokio::time::sleep(Duration::from_millis(10)).await;
    let start = Instant::now();
    server.release();
    for task in tasks {
        black_box(task.await.unwrap().unwrap());
    }
    let elapsed = start.elapsed();
    (elapsed, server.token_requests() - before)
}

fn warm_cache_hit(c: &mut Criterion) {
    let rt = runtime();
    let server = rt.block_on(TokenServer::start(Reply::token(86_399)));
    let source = server.source().build().unwrap();
    rt.block_on(source.token()).unwrap();

    c.bench_function("token() on a warm cache", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(source.token().await.unwrap());
                }
                start.elapsed()
            })
        });
    });
    assert_eq!(
        server.token_requests(),
        1,
        "a warm cache must not ask again"
    );
}

fn cold_cache_thousand_callers(c: &mut Criterion) {
    let rt = runtime();
    let server = rt.block_on(TokenServer::start(Reply::token(86_399)));
    let http = http_client_builder().build().unwrap();

    let mut group = c.benchmark_group("cold cache");
    group.sample_size(10);
    group.bench_function("1000 token() calls waiting on one held answer", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let (elapsed, requests) = cold_run(&server, &http).await;
                    assert_eq!(requests, 1, "single flight broken");
                    total += elapsed;
                }
                total
            })
        });
    });
    group.finish();
}

/// A plain, readable summary with medians, independent of criterion's output.
fn summary(_: &mut Criterion) {
    let (hit_batches, cold_runs) = if benchmarking() { (51, 21) } else { (1, 1) };
    const HITS_PER_BATCH: u32 = 10_000;
    let rt = runtime();
    let server = rt.block_on(TokenServer::start(Reply::token(86_399)));
    let http = http_client_builder().build().unwrap();

    let source = server.source().http_client(http.clone()).build().unwrap();
    rt.block_on(source.token()).unwrap();
    let mut per_hit: Vec<Duration> = (0..hit_batches)
        .map(|_| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..HITS_PER_BATCH {
                    black_box(source.token().await.unwrap());
                }
                start.elapsed() / HITS_PER_BATCH
            })
        })
        .collect();

    let mut cold = Vec::new();
    let mut requests = Vec::new();
    for delay in [Duration::ZERO, Duration::from_millis(50)] {
        server.set_delay(delay);
        let mut times = Vec::new();
        for _ in 0..cold_runs {
            let (elapsed, n) = rt.block_on(cold_run(&server, &http));
            times.push(elapsed);
            requests.push(n);
        }
        cold.push((delay, times));
    }

    println!();
    println!("== token cache summary (medians) ==");
    println!(
        "warm cache hit:  {:>10.1?} per token() call  ({hit_batches} batches of {HITS_PER_BATCH})",
        median(&mut per_hit)
    );
    for (delay, mut times) in cold {
        println!(
            "cold cache, {CALLERS} callers waiting on one held exchange, then {delay:?} more: \
             {:>8.2?} from the release until all have a token  ({cold_runs} runs)",
            median(&mut times)
        );
    }
    println!(
        "token requests per cold run: {:?} (must all be 1)",
        requests.iter().collect::<std::collections::BTreeSet<_>>()
    );
    assert!(
        requests.iter().all(|&n| n == 1),
        "single flight broken: {requests:?}"
    );
}

fn median(values: &mut [Duration]) -> Duration {
    values.sort();
    values[values.len() / 2]
}

criterion_group!(
    benches,
    warm_cache_hit,
    cold_cache_thousand_callers,
    summary
);
criterion_main!(benches);
