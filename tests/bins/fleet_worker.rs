//! A separate OS process for the fleet tests and the scaleout benchmark.
//!
//! - `fleet-worker cli ARGS...`: the `shopify-admin` command line (the same library the
//!   binary runs), with the process environment (`SHOPIFY_*`, `SHOPIFY_REDIS_URL`).
//! - `fleet-worker load START_UNIX_MS SECONDS TASKS`: a client from `SHOPIFY_*`,
//!   `SHOPIFY_BASE_URL` and (when set) `SHOPIFY_REDIS_URL`; fetches its token, waits for
//!   the start time, runs TASKS tasks calling a mix of operations for SECONDS, then prints
//!   one line: `calls ok failed throttled_surfaced lost`.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use clap::Parser;
use shopify_auth::Credentials;
use shopify_queries::scalars::Gid;
use shopify_queries::{Client, location_inventory, products_page, shop_info};

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = match args.get(1).map(String::as_str) {
        Some("cli") => runtime.block_on(cli(&args[2..])),
        Some("load") => runtime.block_on(load(&args[2..])),
        _ => Err(anyhow::anyhow!(
            "usage: fleet-worker cli ARGS... | fleet-worker load START_UNIX_MS SECONDS TASKS"
        )),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn cli(args: &[String]) -> anyhow::Result<ExitCode> {
    let cli = shopify_admin::Cli::try_parse_from(
        std::iter::once("shopify-admin".to_owned()).chain(args.iter().cloned()),
    )?;
    shopify_admin::run(cli, &mut shopify_admin::Io::process()).await
}

#[derive(Default)]
struct Tally {
    calls: AtomicU64,
    ok: AtomicU64,
    failed: AtomicU64,
    throttled_surfaced: AtomicU64,
    lost: AtomicU64,
}

async fn load(args: &[String]) -> anyhow::Result<ExitCode> {
    let [start, seconds, tasks] = args else {
        anyhow::bail!("load takes START_UNIX_MS SECONDS TASKS");
    };
    let start: u64 = start.parse()?;
    let seconds: f64 = seconds.parse()?;
    let tasks: usize = tasks.parse()?;
    let base = std::env::var("SHOPIFY_BASE_URL").context("SHOPIFY_BASE_URL")?;
    let mut builder = Client::builder()
        .credentials(Credentials::from_env()?)
        .base_url(url::Url::parse(&base)?);
    if let Ok(redis) = std::env::var("SHOPIFY_REDIS_URL") {
        builder = builder.redis(redis);
    }
    let client = builder.build()?;
    client.token_source().token().await?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() as u64;
    tokio::time::sleep(Duration::from_millis(start.saturating_sub(now))).await;
    let started = std::time::Instant::now();
    let run_for = Duration::from_secs_f64(seconds);
    let tally = Arc::new(Tally::default());
    let mut handles = Vec::new();
    for task in 0..tasks {
        let client = client.clone();
        let tally = tally.clone();
        handles.push(tokio::spawn(async move {
            let mut n = task;
            while started.elapsed() < run_for {
                n += 1;
                tally.calls.fetch_add(1, Ordering::Relaxed);
                let call = call(&client, n);
                match tokio::time::timeout(Duration::from_secs(60), call).await {
                    Ok(Ok(())) => tally.ok.fetch_add(1, Ordering::Relaxed),
                    Ok(Err(error)) => {
                        eprintln!("call failed: {error}");
                        if error.codes().contains(&"THROTTLED") {
                            tally.throttled_surfaced.fetch_add(1, Ordering::Relaxed);
                        }
                        tally.failed.fetch_add(1, Ordering::Relaxed)
                    }
                    Err(_) => tally.lost.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
    }
    for handle in handles {
        if handle.await.is_err() {
            tally.lost.fetch_add(1, Ordering::Relaxed);
        }
    }
    let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
    println!(
        "{} {} {} {} {}",
        load(&tally.calls),
        load(&tally.ok),
        load(&tally.failed),
        load(&tally.throttled_surfaced),
        load(&tally.lost)
    );
    Ok(ExitCode::SUCCESS)
}

/// The pacing bench's mix (requested costs 67, 3, 33, 28, 63, 93).
async fn call(client: &Client, n: usize) -> Result<(), shopify_queries::Error> {
    let products = |first| products_page::Variables {
        first,
        after: None,
        query: None,
    };
    let inventory = |first| location_inventory::Variables {
        location_id: Gid::new("Location", 1),
        first,
        after: None,
    };
    match n % 6 {
        0 => drop(products_page(client, products(5)).await?),
        1 => drop(shop_info(client, shop_info::Variables {}).await?),
        2 => drop(location_inventory(client, inventory(5)).await?),
        3 => drop(products_page(client, products(2)).await?),
        4 => drop(location_inventory(client, inventory(10)).await?),
        _ => drop(products_page(client, products(7)).await?),
    }
    Ok(())
}
