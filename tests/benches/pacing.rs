//! Pacing benchmark: how much of the rate-limit bucket one client uses, and how often it is
//! throttled, with 8 concurrent tasks issuing a mix of operations of different costs.
//!
//! Run: `cargo bench --workspace --bench pacing` (`PACING_SECONDS=5` shortens each run).
//!
//! The emulator gets a small bucket (100 points, restore 50/s) so the bucket, not the
//! machine, is the bottleneck. The same load runs twice: once with the client's pacing
//! off (it only reacts to `THROTTLED` answers by waiting and retrying), the baseline;
//! then with pacing on, whose line is printed last.
//!
//! What the figures mean:
//! - `utilization`: the points the bucket restored during the run, divided by what the
//!   restore rate could give over the same time. The bucket is charged the *requested* cost
//!   on admission and refunded down to the *actual* cost after the request ran, so over a
//!   run it loses exactly the sum of actual costs (`Stats::points_charged`). Of that sum,
//!   the level it started with (a full bucket, a one-off gift of 100 points) minus the
//!   level it ends with was not earned at the restore rate; the rest was restored, and a
//!   bucket restores only while it is below full. So `utilization = (Σ actual − (start
//!   level − end level)) / (restore rate × seconds)`: 1.0 means the bucket was never
//!   left full, i.e. the client used every point the rate gave. (Counting Σ actual alone
//!   would credit the initial 100 points and read above 1 on short runs.)
//!   Requested cost matters too: a request is admitted only when its *requested* cost is
//!   available, although it then costs only its actual cost. A client that reserved the
//!   requested cost and never saw the refund would stall at actual/requested of the rate;
//!   one that planned with actual costs would be throttled. The client plans with the
//!   requested cost and reads the refunded level from each answer's `throttleStatus`.
//! - `throttled_server`: `THROTTLED` answers the emulator sent.
//! - `throttled_surfaced`: calls that ended in an error carrying `THROTTLED` (the client
//!   gave up retrying).
//! - `requests`: GraphQL requests the emulator received (retries included).
//!
//! Costs of the mix (requested; actual is lower where pages are not full):
//! `products_page` first 2/5/7 = 28/67/93, `shop_info` = 3, `location_inventory` first
//! 5/10 = 33/63. Every operation must fit the 100-point bucket: a request above the bucket
//! size can never be admitted (e.g. `product_by_id`, 107 points, is left out).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use shopify_e2e::client_builder;
use shopify_emulator::{DEMO_CLIENT_ID, DEMO_SHOP, Emulator};
use shopify_queries::scalars::Gid;
use shopify_queries::{
    Client, Error, Operation, QueryCost, location_inventory, products_page, shop_info,
};

const TASKS: usize = 8;
const BUCKET: u64 = 100;
const RESTORE_RATE: u64 = 50;
/// No single call may take longer than this; one that does counts as lost.
const CALL_DEADLINE: Duration = Duration::from_secs(60);

/// One operation of the mix.
#[derive(Debug, Clone, Copy)]
enum Op {
    ProductsPage(i32),
    ShopInfo,
    LocationInventory(i32),
}

const MIX: [Op; 6] = [
    Op::ProductsPage(5),
    Op::ShopInfo,
    Op::LocationInventory(5),
    Op::ProductsPage(2),
    Op::LocationInventory(10),
    Op::ProductsPage(7),
];

fn products_vars(first: i32) -> products_page::Variables {
    products_page::Variables {
        first,
        after: None,
        query: None,
    }
}

fn location_vars(first: i32) -> location_inventory::Variables {
    location_inventory::Variables {
        location_id: Gid::new("Location", 1),
        first,
        after: None,
    }
}

impl Op {
    fn requested_cost(self) -> u64 {
        match self {
            Op::ProductsPage(n) => products_page::Operation::requested_cost(&products_vars(n)),
            Op::ShopInfo => shop_info::Operation::requested_cost(&shop_info::Variables {}),
            Op::LocationInventory(n) => {
                location_inventory::Operation::requested_cost(&location_vars(n))
            }
        }
    }

    /// Runs the operation; the cost block of the answer.
    async fn call(self, client: &Client) -> Result<Option<QueryCost>, Error> {
        Ok(match self {
            Op::ProductsPage(n) => {
                client
                    .send::<products_page::Operation>(&products_vars(n))
                    .await?
                    .cost
            }
            Op::ShopInfo => {
                client
                    .send::<shop_info::Operation>(&shop_info::Variables {})
                    .await?
                    .cost
            }
            Op::LocationInventory(n) => {
                client
                    .send::<location_inventory::Operation>(&location_vars(n))
                    .await?
                    .cost
            }
        })
    }
}

#[derive(Debug, Default)]
struct Tally {
    calls: AtomicU64,
    ok: AtomicU64,
    failed: AtomicU64,
    throttled_surfaced: AtomicU64,
    lost: AtomicU64,
}

async fn run(paced: bool, seconds: f64) -> anyhow::Result<String> {
    let emulator = Emulator::builder()
        .bucket(BUCKET, RESTORE_RATE)
        .start()
        .await?;
    let client = client_builder(&emulator).pacing(paced).build()?;
    // Fetch the token before the clock starts; it is no GraphQL request.
    client.token_source().token().await?;
    let tally = Arc::new(Tally::default());
    let start_level = emulator
        .bucket(DEMO_CLIENT_ID, DEMO_SHOP)
        .currently_available;
    let started = Instant::now();
    let run_for = Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let client = client.clone();
        let tally = tally.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = task;
            while started.elapsed() < run_for {
                let op = MIX[n % MIX.len()];
                n += 1;
                tally.calls.fetch_add(1, Ordering::Relaxed);
                match tokio::time::timeout(CALL_DEADLINE, op.call(&client)).await {
                    Ok(Ok(_)) => {
                        tally.ok.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Err(error)) => {
                        tally.failed.fetch_add(1, Ordering::Relaxed);
                        if error.codes().contains(&"THROTTLED") {
                            tally.throttled_surfaced.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Err(_) => {
                        tally.lost.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for task in tasks {
        if task.await.is_err() {
            tally.lost.fetch_add(1, Ordering::Relaxed);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let end_level = emulator
        .bucket(DEMO_CLIENT_ID, DEMO_SHOP)
        .currently_available;
    let stats = emulator.stats();
    let restored = stats.points_charged as f64 - (start_level - end_level);
    let utilization = restored / (RESTORE_RATE as f64 * elapsed);
    let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
    println!(
        "  {}: {:.1} s, calls {} (ok {}, failed {}, lost {}), points requested {} / actual {} ({:.1}/s actual), bucket {:.0} → {:.0}, restored {:.0}",
        if paced { "paced" } else { "baseline" },
        elapsed,
        load(&tally.calls),
        load(&tally.ok),
        load(&tally.failed),
        load(&tally.lost),
        stats.points_requested,
        stats.points_charged,
        stats.points_charged as f64 / elapsed,
        start_level,
        end_level,
        restored,
    );
    Ok(format!(
        "utilization={utilization:.3} throttled_server={} throttled_surfaced={} requests={}",
        stats.throttled,
        load(&tally.throttled_surfaced),
        stats.requests
    ))
}

/// The mix's costs, as the client estimates them and as the emulator computes them (on an
/// emulator of its own, so the measured runs start with a full bucket).
async fn print_costs() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let client = client_builder(&emulator).build()?;
    let mut costs = Vec::new();
    for op in MIX {
        let cost = op.call(&client).await?;
        let (requested, actual) = cost.map_or((f64::NAN, None), |c| (c.requested, c.actual));
        anyhow::ensure!(
            requested == op.requested_cost() as f64,
            "{op:?}: the client estimates {} points, the emulator requested {requested}",
            op.requested_cost()
        );
        costs.push(format!(
            "{op:?} {requested}/{}",
            actual.map_or("-".to_owned(), |a| a.to_string())
        ));
    }
    println!(
        "pacing: the mix, requested/actual points: {}",
        costs.join(", ")
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    if !shopify_e2e::bench::invoked_as_bench("pacing") {
        return Ok(());
    }
    // `RUST_LOG=shopify_client=debug` shows each attempt (waits, costs, throttles).
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let seconds: f64 = match std::env::var("PACING_SECONDS") {
        Ok(s) => s.parse()?,
        Err(_) => 20.0,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(print_costs())?;
    println!(
        "pacing: bucket {BUCKET} points, restore {RESTORE_RATE}/s, {TASKS} tasks, {seconds} s per run"
    );
    let baseline = runtime.block_on(run(false, seconds))?;
    let paced = runtime.block_on(run(true, seconds))?;
    println!("pacing (baseline, no pacing): {baseline}");
    println!("pacing: {paced}");
    Ok(())
}
