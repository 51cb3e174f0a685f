//! Faults benchmark: for each kind of fault the emulator can inject, 1 000 mixed calls
//! through one client, and what became of them.
//!
//! Run: `cargo bench --workspace --bench faults` (`FAULT_CALLS=200` for a shorter run).
//!
//! Per kind it prints `succeeded / failed-typed / lost` and the duplicated writes:
//! - every call must end in `Ok` or a typed [`Error`]: a panic, or a call still running
//!   after its deadline, is *lost* (must be 0);
//! - a *duplicated write* is a logical call the emulator applied more than once (must be
//!   0). Each `productCreate` carries a unique title and each `inventorySetQuantities` a
//!   unique `referenceDocumentUri`; the emulator's write log says how often each was
//!   applied, and for products the shop's catalogue is counted too.
//!
//! `productCreate` has no idempotency key, so after a failure that may have come after
//! Shopify applied it the client must not send it again (it answers `AmbiguousWrite`);
//! `inventorySetQuantities` carries a generated key, reused by every retry of one call,
//! so it is retried and the emulator replays the first result instead of writing twice.
//!
//! The bucket is made too large to throttle (this is not about pacing) and the retry
//! policy fast (10 ms base delay) so the run takes a couple of minutes; its bounds are the
//! same kind as the default's.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use shopify_e2e::client_builder;
use shopify_emulator::{Emulator, Fault, RunningEmulator, Schedule};
use shopify_queries::scalars::Gid;
use shopify_queries::types::{
    InventoryQuantityInput, InventorySetQuantitiesInput, ProductCreateInput,
};
use shopify_queries::{
    Client, Error, RetryPolicy, inventory_set_quantities, location_inventory, product_create,
    products_page, shop_info,
};

const WORKERS: usize = 16;
/// The client's timeout per request; the delay fault holds answers back longer.
const TIMEOUT: Duration = Duration::from_secs(1);
const DELAY: Duration = Duration::from_secs(2);
/// A call still running after this is lost.
const CALL_DEADLINE: Duration = Duration::from_secs(60);
/// Far more than the run needs: throttling stays out of the picture.
const UNTHROTTLED: u64 = 1_000_000_000;

fn retry_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        max_elapsed: Duration::from_secs(20),
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(200),
        max_throttled: 20,
    }
}

fn kinds() -> Vec<(&'static str, Fault, Schedule)> {
    let every_5th = Schedule::Every(5);
    let bursts = Schedule::Bursts {
        every: 20,
        length: 3,
    };
    vec![
        (
            "429 Retry-After: 1, every 5th",
            Fault::TooManyRequests {
                retry_after_secs: 1,
            },
            every_5th,
        ),
        (
            "500, bursts of 3 in 20",
            Fault::ServerError { status: 500 },
            bursts,
        ),
        (
            "502, bursts of 3 in 20",
            Fault::ServerError { status: 502 },
            bursts,
        ),
        (
            "503, bursts of 3 in 20",
            Fault::ServerError { status: 503 },
            bursts,
        ),
        (
            "reset before processing, every 5th",
            Fault::ResetBeforeProcessing,
            every_5th,
        ),
        (
            "reset after processing, every 5th",
            Fault::ResetAfterProcessing,
            every_5th,
        ),
        (
            "delay 2 s > timeout 1 s, every 5th",
            Fault::Delay(DELAY),
            every_5th,
        ),
        ("malformed JSON, every 5th", Fault::MalformedJson, every_5th),
        ("truncated JSON, every 5th", Fault::TruncatedJson, every_5th),
        // The client fetches a new token once per call: revoking the shared token on
        // every 5th request would also revoke most replacements mid-call, so this one
        // comes at a gentler rate.
        (
            "token revoked, every 50th",
            Fault::RevokeToken,
            Schedule::Every(50),
        ),
        (
            "errors string, 500, every 5th",
            Fault::ErrorsString { status: 500 },
            every_5th,
        ),
        (
            "errors string, 200, every 5th",
            Fault::ErrorsString { status: 200 },
            every_5th,
        ),
    ]
}

/// What one call does, by its index: 3 queries and 4 mutations in every 7 calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    ShopInfo,
    ProductsPage,
    LocationInventory,
    ProductCreate,
    InventorySet,
}

const MIX: [Op; 7] = [
    Op::ShopInfo,
    Op::ProductsPage,
    Op::ProductCreate,
    Op::InventorySet,
    Op::LocationInventory,
    Op::ProductCreate,
    Op::InventorySet,
];

fn title(kind: usize, call: usize) -> String {
    format!("bench-{kind}-{call}")
}

fn reference(kind: usize, call: usize) -> String {
    format!("gid://faults-bench/Call/{kind}-{call}")
}

/// Runs call number `call` of fault kind `kind`.
async fn call(client: &Client, items: &[Gid], kind: usize, call: usize) -> Result<(), Error> {
    match MIX[call % MIX.len()] {
        Op::ShopInfo => client
            .send::<shop_info::Operation>(&shop_info::Variables {})
            .await
            .map(drop),
        Op::ProductsPage => client
            .send::<products_page::Operation>(&products_page::Variables {
                first: 5,
                after: None,
                query: None,
            })
            .await
            .map(drop),
        Op::LocationInventory => client
            .send::<location_inventory::Operation>(&location_inventory::Variables {
                location_id: Gid::new("Location", 1),
                first: 5,
                after: None,
            })
            .await
            .map(drop),
        Op::ProductCreate => client
            .send::<product_create::Operation>(&product_create::Variables {
                product: ProductCreateInput {
                    title: Some(title(kind, call)),
                    ..ProductCreateInput::default()
                },
            })
            .await
            .map(drop),
        Op::InventorySet => client
            .send::<inventory_set_quantities::Operation>(&inventory_set_quantities::Variables {
                input: InventorySetQuantitiesInput {
                    name: "available".to_owned(),
                    reason: "correction".to_owned(),
                    reference_document_uri: Some(reference(kind, call)),
                    quantities: vec![InventoryQuantityInput {
                        change_from_quantity: None,
                        inventory_item_id: items[call % items.len()].clone(),
                        location_id: Gid::new("Location", 1),
                        quantity: (call % 100) as i32,
                    }],
                },
            })
            .await
            .map(drop),
    }
}

/// A short name for what a failed call ended in.
fn label(error: &Error) -> String {
    match error {
        Error::Exhausted { last, .. } => format!("exhausted({})", label(last)),
        Error::AmbiguousWrite { last, .. } => format!("ambiguous-write({})", label(last)),
        Error::Graphql(_) => "graphql".to_owned(),
        Error::Http { status, .. } => format!("http-{status}"),
        Error::Timeout { .. } => "timeout".to_owned(),
        Error::Network { .. } => "network".to_owned(),
        Error::InvalidResponse { .. } => "invalid-response".to_owned(),
        Error::Auth(_) => "auth".to_owned(),
        Error::Decode { .. } => "decode".to_owned(),
        _ => "other".to_owned(),
    }
}

#[derive(Debug, Default)]
struct Result_ {
    succeeded: usize,
    failed: usize,
    lost: usize,
    duplicated: usize,
    failures: BTreeMap<String, usize>,
}

/// How many times each logical call was applied, from the emulator's write log.
fn applied(
    emulator: &RunningEmulator,
    mutation: &str,
    tag: impl Fn(&Value) -> Option<String>,
) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for write in emulator.writes() {
        if write.mutation == mutation {
            if let Some(tag) = tag(&write.arguments) {
                *counts.entry(tag).or_default() += 1;
            }
        }
    }
    counts
}

/// Products in the shop per title starting with `bench-{kind}-`.
async fn catalogue(client: &Client, kind: usize) -> anyhow::Result<HashMap<String, usize>> {
    let mut counts = HashMap::new();
    let mut after = None;
    loop {
        let page = client
            .send::<products_page::Operation>(&products_page::Variables {
                first: 50,
                after,
                query: Some(format!("title:bench-{kind}-*")),
            })
            .await?
            .data
            .products;
        for edge in &page.edges {
            *counts.entry(edge.node.title.clone()).or_default() += 1;
        }
        if !page.page_info.has_next_page {
            return Ok(counts);
        }
        after = page.page_info.end_cursor;
    }
}

async fn run_kind(
    kind: usize,
    fault: Fault,
    schedule: Schedule,
    calls: usize,
) -> anyhow::Result<(Result_, String)> {
    let emulator = Emulator::builder()
        .bucket(UNTHROTTLED, UNTHROTTLED)
        .start()
        .await?;
    let client = client_builder(&emulator)
        .retry(retry_policy())
        .timeout(TIMEOUT)
        .build()?;
    // The items stocked at the location, before any fault.
    let levels = client
        .send::<location_inventory::Operation>(&location_inventory::Variables {
            location_id: Gid::new("Location", 1),
            first: 20,
            after: None,
        })
        .await?
        .data;
    let items: Vec<Gid> = levels
        .location
        .map(|l| {
            l.inventory_levels
                .nodes
                .into_iter()
                .map(|n| n.item.id)
                .collect()
        })
        .unwrap_or_default();
    anyhow::ensure!(!items.is_empty(), "no inventory at the demo location");
    emulator.reset_stats();
    emulator.inject(fault, schedule);

    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let items = Arc::new(items);
    let mut workers = Vec::new();
    for _ in 0..WORKERS {
        let (client, items, next) = (client.clone(), items.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= calls {
                    return outcomes;
                }
                // Each call in a task of its own, so a panic is caught and counted.
                let (client, items) = (client.clone(), items.clone());
                let task = tokio::spawn(async move { call(&client, &items, kind, n).await });
                let outcome = match tokio::time::timeout(CALL_DEADLINE, task).await {
                    Ok(Ok(Ok(()))) => Ok(()),
                    Ok(Ok(Err(error))) => Err(Some(label(&error))),
                    // Panicked, or still running at the deadline.
                    Ok(Err(_)) | Err(_) => Err(None),
                };
                outcomes.push(outcome);
            }
        }));
    }
    let mut result = Result_::default();
    for worker in workers {
        for outcome in worker.await? {
            match outcome {
                Ok(()) => result.succeeded += 1,
                Err(Some(label)) => {
                    result.failed += 1;
                    *result.failures.entry(label).or_default() += 1;
                }
                Err(None) => result.lost += 1,
            }
        }
    }
    let elapsed = started.elapsed();
    emulator.clear_faults();
    let stats = emulator.stats();

    let products = applied(&emulator, "productCreate", |args| {
        args["product"]["title"].as_str().map(str::to_owned)
    });
    let inventory = applied(&emulator, "inventorySetQuantities", |args| {
        args["input"]["referenceDocumentUri"]
            .as_str()
            .map(str::to_owned)
    });
    let held = catalogue(&client, kind).await?;
    let over = |counts: &HashMap<String, usize>| {
        counts.values().map(|n| n.saturating_sub(1)).sum::<usize>()
    };
    anyhow::ensure!(
        held == products,
        "the catalogue and the write log disagree on the products of {kind}"
    );
    result.duplicated = over(&products) + over(&inventory);
    let mutations = (0..calls)
        .filter(|n| matches!(MIX[n % MIX.len()], Op::ProductCreate | Op::InventorySet))
        .count();
    let detail = format!(
        "{:.1} s, {} requests, {} faults; mutation calls {mutations}, applied: products {}, inventory {}; failures: {}",
        elapsed.as_secs_f64(),
        stats.requests,
        stats.faults,
        products.len(),
        inventory.len(),
        if result.failures.is_empty() {
            "none".to_owned()
        } else {
            result
                .failures
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        }
    );
    Ok((result, detail))
}

fn main() -> anyhow::Result<()> {
    // `cargo test --benches` runs bench binaries without `--bench`: nothing to measure there.
    if !std::env::args().any(|a| a == "--bench") {
        println!("faults: run with `cargo bench --workspace --bench faults`");
        return Ok(());
    }
    let calls: usize = match std::env::var("FAULT_CALLS") {
        Ok(s) => s.parse()?,
        Err(_) => 1000,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!(
        "faults: {calls} calls per kind ({WORKERS} at a time; mix per 7: shop_info, products_page, productCreate ×2, inventorySetQuantities ×2, location_inventory); client timeout {TIMEOUT:?}, retries {:?}",
        retry_policy()
    );
    let (mut total, mut succeeded, mut failed, mut lost, mut duplicated) = (0, 0, 0, 0, 0);
    for (kind, (name, fault, schedule)) in kinds().into_iter().enumerate() {
        let (result, detail) = runtime.block_on(run_kind(kind, fault, schedule, calls))?;
        println!(
            "faults: {name:<36} {} / {} / {} (succeeded / failed-typed / lost)  duplicated writes {}",
            result.succeeded, result.failed, result.lost, result.duplicated
        );
        println!("        {detail}");
        total += calls;
        succeeded += result.succeeded;
        failed += result.failed;
        lost += result.lost;
        duplicated += result.duplicated;
    }
    println!(
        "faults: total calls={total} succeeded={succeeded} failed_typed={failed} lost={lost} duplicated_writes={duplicated}"
    );
    Ok(())
}
