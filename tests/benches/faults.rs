//! Faults benchmark: for each kind of fault the emulator can inject, 1 000 mixed calls
//! through one client, each reconciled against the emulator's write log.
//!
//! Run: `cargo bench --workspace --bench faults` (`FAULT_CALLS=200` for a shorter run).
//! It exits non-zero when any call breaks its promise.
//!
//! Every call ends in one of:
//! - *ok*: `Ok` with no `userErrors` (a payload with user errors is not a success);
//! - *user errors*: `Ok`, but the payload reports `userErrors`;
//! - *definite failure*: a typed error after which the write certainly did not run;
//! - *ambiguous*: `AmbiguousWrite`, or a keyed write whose retries ran out after failures
//!   that may have come after Shopify applied it;
//! - *lost*: a panic, or a call still running after its deadline (must be 0).
//!
//! Each `productCreate` carries a unique title and each `inventorySetQuantities` a unique
//! `referenceDocumentUri`, so the write log says how often each call was applied. The
//! rules: ok → applied exactly once; user errors or definite failure → applied zero
//! times; ambiguous → at most once. Anything else is a *violation* (must be 0). For
//! products the shop's catalogue must agree with the log too.
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
use shopify_e2e::bench::{demo_location, error_label, stocked_items};
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
        // The shared token is revoked, so every call in flight with it sees a 401 too:
        // a call may need several new tokens (the client allows a bounded few).
        ("token revoked, every 5th", Fault::RevokeToken, every_5th),
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

/// How one call ended (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Ok,
    UserErrors,
    Definite(String),
    Ambiguous(String),
    Lost,
}

/// Whether the payload of `field` in `raw` reports user errors.
fn has_user_errors(raw: &Value, field: &str) -> bool {
    raw[field]["userErrors"]
        .as_array()
        .is_some_and(|e| !e.is_empty())
}

/// An error's outcome: `keyed` writes may have been applied once when retries ran out.
fn failed(error: &Error, keyed: bool) -> Outcome {
    let label = error_label(error);
    match error {
        Error::AmbiguousWrite { .. } | Error::Decode { .. } => Outcome::Ambiguous(label),
        Error::Exhausted { .. } if keyed => Outcome::Ambiguous(label),
        _ => Outcome::Definite(label),
    }
}

/// Runs call number `call` of fault kind `kind`.
async fn call(client: &Client, items: &[Gid], kind: usize, call: usize) -> Outcome {
    let query = |result: Result<(), Error>| match result {
        Ok(()) => Outcome::Ok,
        Err(error) => failed(&error, false),
    };
    let write = |result: Result<Value, Error>, field: &str, keyed: bool| match result {
        Ok(raw) if has_user_errors(&raw, field) => Outcome::UserErrors,
        Ok(_) => Outcome::Ok,
        Err(error) => failed(&error, keyed),
    };
    match MIX[call % MIX.len()] {
        Op::ShopInfo => query(
            client
                .send::<shop_info::Operation>(&shop_info::Variables {})
                .await
                .map(drop),
        ),
        Op::ProductsPage => query(
            client
                .send::<products_page::Operation>(&products_page::Variables {
                    first: 5,
                    after: None,
                    query: None,
                })
                .await
                .map(drop),
        ),
        Op::LocationInventory => query(
            client
                .send::<location_inventory::Operation>(&demo_location(5))
                .await
                .map(drop),
        ),
        Op::ProductCreate => write(
            client
                .send::<product_create::Operation>(&product_create::Variables {
                    product: ProductCreateInput {
                        title: Some(title(kind, call)),
                        ..ProductCreateInput::default()
                    },
                })
                .await
                .map(|r| r.raw_data),
            "productCreate",
            false,
        ),
        Op::InventorySet => write(
            client
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
                .map(|r| r.raw_data),
            "inventorySetQuantities",
            true,
        ),
    }
}

/// The write-log tag of call `call`, if it is a write.
fn tag(kind: usize, call: usize) -> Option<String> {
    match MIX[call % MIX.len()] {
        Op::ProductCreate => Some(title(kind, call)),
        Op::InventorySet => Some(reference(kind, call)),
        _ => None,
    }
}

/// Whether a write applied `applied` times keeps the promise of `outcome`.
fn kept(outcome: &Outcome, applied: usize) -> bool {
    match outcome {
        Outcome::Ok => applied == 1,
        Outcome::UserErrors | Outcome::Definite(_) => applied == 0,
        Outcome::Ambiguous(_) | Outcome::Lost => applied <= 1,
    }
}

#[derive(Debug, Default)]
struct Result_ {
    ok: usize,
    user_errors: usize,
    definite: usize,
    ambiguous: usize,
    lost: usize,
    /// Calls whose write count broke their outcome's promise.
    violations: Vec<String>,
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
        .send::<location_inventory::Operation>(&demo_location(20))
        .await?
        .data;
    let items: Vec<Gid> = stocked_items(levels);
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
                    Ok(Ok(outcome)) => outcome,
                    // Panicked, or still running at the deadline.
                    Ok(Err(_)) | Err(_) => Outcome::Lost,
                };
                outcomes.push((n, outcome));
            }
        }));
    }
    let mut outcomes = Vec::new();
    for worker in workers {
        outcomes.extend(worker.await?);
    }
    let elapsed = started.elapsed();
    emulator.clear_faults();
    let stats = emulator.stats();

    let mut counts = applied(&emulator, "productCreate", |args| {
        args["product"]["title"].as_str().map(str::to_owned)
    });
    let products = counts.len();
    let catalogue_agrees = catalogue(&client, kind).await? == counts;
    let inventory = applied(&emulator, "inventorySetQuantities", |args| {
        args["input"]["referenceDocumentUri"]
            .as_str()
            .map(str::to_owned)
    });
    let inventory_calls = inventory.len();
    counts.extend(inventory);
    let mut result = Result_::default();
    for (n, outcome) in &outcomes {
        match outcome {
            Outcome::Ok => result.ok += 1,
            Outcome::UserErrors => result.user_errors += 1,
            Outcome::Definite(label) | Outcome::Ambiguous(label) => {
                if matches!(outcome, Outcome::Definite(_)) {
                    result.definite += 1;
                } else {
                    result.ambiguous += 1;
                }
                *result.failures.entry(label.clone()).or_default() += 1;
            }
            Outcome::Lost => result.lost += 1,
        }
        if let Some(tag) = tag(kind, *n) {
            let times = counts.get(&tag).copied().unwrap_or(0);
            if !kept(outcome, times) {
                result.violations.push(format!(
                    "call {n} ({tag}): {outcome:?}, applied {times} times"
                ));
            }
        }
    }
    if !catalogue_agrees {
        result
            .violations
            .push("the catalogue and the write log disagree on the products".to_owned());
    }
    let mutations = (0..calls).filter(|n| tag(kind, *n).is_some()).count();
    let detail = format!(
        "{:.1} s, {} requests, {} faults; mutation calls {mutations}, applied: products {products}, inventory {inventory_calls}; failures: {}",
        elapsed.as_secs_f64(),
        stats.requests,
        stats.faults,
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
    if !shopify_e2e::bench::invoked_as_bench("faults") {
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
    let mut violations = Vec::new();
    let mut lost = 0;
    for (kind, (name, fault, schedule)) in kinds().into_iter().enumerate() {
        let (result, detail) = runtime.block_on(run_kind(kind, fault, schedule, calls))?;
        println!(
            "faults: {name:<36} ok {} / user errors {} / definite {} / ambiguous {} / lost {}  violations {}",
            result.ok,
            result.user_errors,
            result.definite,
            result.ambiguous,
            result.lost,
            result.violations.len()
        );
        println!("        {detail}");
        lost += result.lost;
        violations.extend(
            result
                .violations
                .into_iter()
                .map(|v| format!("{name}: {v}")),
        );
    }
    println!("faults: lost={lost} violations={}", violations.len());
    for violation in &violations {
        println!("faults: VIOLATION {violation}");
    }
    anyhow::ensure!(
        lost == 0 && violations.is_empty(),
        "{lost} calls lost, {} writes broke their outcome's promise",
        violations.len()
    );
    Ok(())
}
