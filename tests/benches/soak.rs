//! Soak benchmark: ten minutes of mixed traffic from several tasks on one client against an
//! emulator in a separate process, with every injected fault, token expiry and revocation.
//!
//! Run: `cargo bench --workspace --bench soak` (`SOAK_SECS=60` for a quick run,
//! `SOAK_TASKS` for the number of tasks, default 8).
//!
//! It prints calls, failures by kind, lost and duplicated writes, and the resident memory
//! of the client (this process) and of the emulator (a child process: this same binary
//! with `SOAK_ROLE=emulator`) after a warm-up (a tenth of the run, at most 30 s: the
//! schema is loaded and the first requests served) and at the end. Goal: 0 lost, 0
//! duplicated, memory growth under 5 %. Every minute it prints the emulator's resident
//! memory by mapping (main heap, anonymous: other threads' malloc arenas and stacks,
//! other) and its thread count: growth that levels off is a bounded store filling, growth
//! that does not is a leak. To see *what* grows, attach heaptrack to the emulator process
//! after the warm-up (`heaptrack -p PID`) and read the allocations still live at the end.
//! The call rate is set by the emulator's bucket (100 points/s): the last line's points
//! charged per second say so.
//!
//! - A *lost write* is a mutation the client reported as done that the emulator's write
//!   log does not hold; a *duplicated write* is one logical call applied more than once.
//!   Each `productUpdate` (no idempotency key) sets a title unique to the call, each
//!   `inventorySetQuantities` (a generated key, reused by its retries) a unique
//!   `referenceDocumentUri`. Both update existing records, so the shop does not grow.
//! - A *lost call* is one that panicked or outlived its deadline (must be 0 too).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use shopify_e2e::bench::{demo_location, error_label, status_kib, stocked_items};
use shopify_e2e::demo_credentials;
use shopify_emulator::{Emulator, Fault, Schedule};
use shopify_queries::scalars::Gid;
use shopify_queries::types::{
    InventoryQuantityInput, InventorySetQuantitiesInput, ProductUpdateInput,
};
use shopify_queries::{
    Client, Error, RetryPolicy, inventory_set_quantities, location_inventory, product_update,
    products_page, shop_info,
};

/// The client's timeout per request; the delay fault holds answers back longer.
const TIMEOUT: Duration = Duration::from_secs(1);
/// A call still running after this is lost.
const CALL_DEADLINE: Duration = Duration::from_secs(90);
/// How often the harness takes the emulator's write log.
const TAKE_EVERY: Duration = Duration::from_secs(2);
/// Tokens expire this often, so renewals happen all through the run.
const TOKEN_TTL: Duration = Duration::from_secs(30);

fn retry_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        max_elapsed: Duration::from_secs(30),
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(500),
        max_throttled: 50,
    }
}

/// Every fault the emulator can inject, each on its own schedule (first that fires wins).
fn faults() -> Vec<(Fault, Schedule)> {
    vec![
        (
            Fault::TooManyRequests {
                retry_after_secs: 1,
            },
            Schedule::Every(97),
        ),
        (Fault::ServerError { status: 500 }, Schedule::Every(89)),
        (Fault::ServerError { status: 503 }, Schedule::Every(83)),
        (Fault::ResetBeforeProcessing, Schedule::Every(79)),
        (Fault::ResetAfterProcessing, Schedule::Every(73)),
        (Fault::Delay(Duration::from_secs(2)), Schedule::Every(101)),
        (Fault::MalformedJson, Schedule::Every(71)),
        (Fault::TruncatedJson, Schedule::Every(67)),
        (Fault::ErrorsString { status: 500 }, Schedule::Every(61)),
        (Fault::RevokeToken, Schedule::Every(211)),
    ]
}

// ---------------------------------------------------------------- the emulator process

/// The child: serves until stdin closes; on `writes`, prints the writes applied since the
/// last ask (one `w TAG` line each, taken from the log so it never reaches its cap), then
/// `end REQUESTS FAULTS DROPPED THROTTLED EXECUTED POINTS_CHARGED`.
fn serve_emulator() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut builder = Emulator::builder().token_ttl(TOKEN_TTL);
    for (fault, schedule) in faults() {
        builder = builder.fault(fault, schedule);
    }
    let emulator = runtime.block_on(builder.start())?;
    println!("{}", emulator.url());
    std::io::stdout().flush()?;
    for line in std::io::stdin().lock().lines() {
        if line?.trim() == "writes" {
            let mut out = std::io::stdout().lock();
            for write in emulator.take_writes() {
                if let Some(tag) = tag_of(&write.mutation, &write.arguments) {
                    writeln!(out, "w {tag}")?;
                }
            }
            let stats = emulator.stats();
            writeln!(
                out,
                "end {} {} {} {} {} {}",
                stats.requests,
                stats.faults,
                stats.writes_dropped,
                stats.throttled,
                stats.executed,
                stats.points_charged
            )?;
            out.flush()?;
        }
    }
    Ok(())
}

struct EmulatorProcess {
    child: Child,
    lines: std::io::Lines<BufReader<std::process::ChildStdout>>,
    url: url::Url,
}

impl EmulatorProcess {
    fn spawn() -> anyhow::Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .env("SOAK_ROLE", "emulator")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        let mut lines = BufReader::new(stdout).lines();
        let first = lines
            .next()
            .ok_or_else(|| anyhow::anyhow!("the emulator process printed nothing"))??;
        Ok(Self {
            child,
            lines,
            url: url::Url::parse(first.trim())?,
        })
    }

    fn rss_kib(&self) -> u64 {
        rss_kib(&format!("/proc/{}/status", self.child.id()))
    }

    fn memory_map(&self) -> MemoryMap {
        MemoryMap::of(self.child.id())
    }

    /// Counts the writes applied since the last call into `applied` (by call number) and
    /// returns the emulator's counters.
    fn take_writes(&mut self, applied: &mut Calls) -> anyhow::Result<EmulatorCounts> {
        let stdin = self
            .child
            .stdin
            .as_mut()
            .ok_or_else(|| anyhow::anyhow!("no stdin"))?;
        writeln!(stdin, "writes")?;
        stdin.flush()?;
        for line in self.lines.by_ref() {
            let line = line?;
            if let Some(rest) = line.strip_prefix("end ") {
                let mut numbers = rest.split(' ').map(str::parse::<u64>);
                let mut next = || numbers.next().unwrap_or(Ok(0));
                return Ok(EmulatorCounts {
                    requests: next()?,
                    faults: next()?,
                    dropped: next()?,
                    throttled: next()?,
                    executed: next()?,
                    charged: next()?,
                });
            }
            if let Some(n) = line.strip_prefix("w ").and_then(call_of) {
                applied.bump(n);
            }
        }
        anyhow::bail!("the emulator process ended early")
    }
}

/// The emulator's counters, as its process reports them.
#[derive(Debug, Clone, Copy)]
struct EmulatorCounts {
    requests: u64,
    faults: u64,
    /// Writes dropped from its log (must stay 0 for a complete reconciliation).
    dropped: u64,
    /// `THROTTLED` answers sent.
    throttled: u64,
    /// Requests admitted by the bucket and run.
    executed: u64,
    /// Points the bucket kept (actual costs): over the run's length, against the restore
    /// rate, this says whether the rate limit is what sets the call rate.
    charged: u64,
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// `VmRSS` of a `/proc/.../status` file, in KiB (0 where there is none).
fn rss_kib(path: &str) -> u64 {
    status_kib(path, "VmRSS")
}

/// Where a process's resident memory is, from `/proc/PID/smaps`, in KiB: the main heap
/// (`[heap]`, glibc's main arena), anonymous mappings (other threads' arenas, thread
/// stacks, large allocations) and the rest (the binary, libraries); and its thread count.
#[derive(Debug, Clone, Copy, Default)]
struct MemoryMap {
    heap: u64,
    anon: u64,
    other: u64,
    threads: u64,
}

impl MemoryMap {
    fn of(pid: u32) -> Self {
        let mut map = MemoryMap {
            threads: status_kib(&format!("/proc/{pid}/status"), "Threads"),
            ..MemoryMap::default()
        };
        let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
        let mut bucket = &mut map.other;
        for line in smaps.lines() {
            let mut words = line.split_whitespace();
            let first = words.next().unwrap_or_default();
            if first.contains('-') && !first.ends_with(':') {
                // A mapping's header: address range, perms, offset, device, inode, path.
                bucket = match words.nth(4) {
                    Some("[heap]") => &mut map.heap,
                    None => &mut map.anon,
                    Some(_) => &mut map.other,
                };
            } else if first == "Rss:" {
                *bucket += words.next().and_then(|n| n.parse().ok()).unwrap_or(0);
            }
        }
        map
    }
}

impl std::fmt::Display for MemoryMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "heap {} + anon {} + other {} KiB, {} threads",
            self.heap, self.anon, self.other, self.threads
        )
    }
}

// ---------------------------------------------------------------- the traffic

#[derive(Debug, Clone, Copy)]
enum Op {
    ShopInfo,
    Paginate,
    LocationInventory,
    ProductUpdate,
    InventorySet,
}

/// 10 calls: 6 reads (one of them three pages), 4 writes.
const MIX: [Op; 10] = [
    Op::ShopInfo,
    Op::Paginate,
    Op::ProductUpdate,
    Op::InventorySet,
    Op::LocationInventory,
    Op::ShopInfo,
    Op::ProductUpdate,
    Op::Paginate,
    Op::InventorySet,
    Op::LocationInventory,
];

struct World {
    products: Vec<Gid>,
    items: Vec<Gid>,
}

/// The tag a soak write carries: the title of a `productUpdate`, the
/// `referenceDocumentUri` of an `inventorySetQuantities`.
fn tag_of(mutation: &str, arguments: &Value) -> Option<String> {
    let tag = match mutation {
        "productUpdate" => arguments["product"]["title"].as_str(),
        "inventorySetQuantities" => arguments["input"]["referenceDocumentUri"].as_str(),
        _ => None,
    };
    tag.map(str::to_owned)
}

/// The call number in a tag (`soak-N`, `gid://soak/Call/N`).
fn call_of(tag: &str) -> Option<usize> {
    tag.strip_prefix("soak-")
        .or_else(|| tag.strip_prefix("gid://soak/Call/"))?
        .parse()
        .ok()
}

/// A small count per call number, in memory touched up front: the harness's own
/// bookkeeping must not show up as growth of the client process it measures.
struct Calls(Vec<u8>);

impl Calls {
    fn with_capacity(calls: usize) -> Self {
        let mut counts = vec![0u8; calls];
        // Written, not just allocated (zeroed pages are not resident until touched).
        counts.iter_mut().for_each(|c| *c = std::hint::black_box(0));
        Self(counts)
    }

    fn bump(&mut self, n: usize) {
        if n >= self.0.len() {
            self.0.resize(n + 1, 0);
        }
        self.0[n] = self.0[n].saturating_add(1);
    }

    fn get(&self, n: usize) -> u8 {
        self.0.get(n).copied().unwrap_or(0)
    }
}

/// Calls counted up front (far more than ten minutes make).
const CALLS_CAPACITY: usize = 4 << 20;

/// Runs call `n`; `Ok(Some(tag))` for a write the client reports as done.
async fn call(client: &Client, world: &World, n: usize) -> Result<Option<String>, Error> {
    match MIX[n % MIX.len()] {
        Op::ShopInfo => client
            .send::<shop_info::Operation>(&shop_info::Variables {})
            .await
            .map(|_| None),
        Op::Paginate => {
            let mut after = None;
            for _ in 0..3 {
                let page = client
                    .send::<products_page::Operation>(&products_page::Variables {
                        first: 5,
                        after,
                        query: None,
                    })
                    .await?
                    .data
                    .products;
                if !page.page_info.has_next_page {
                    break;
                }
                after = page.page_info.end_cursor;
            }
            Ok(None)
        }
        Op::LocationInventory => client
            .send::<location_inventory::Operation>(&demo_location(5))
            .await
            .map(|_| None),
        Op::ProductUpdate => {
            let tag = format!("soak-{n}");
            client
                .send::<product_update::Operation>(&product_update::Variables {
                    product: ProductUpdateInput {
                        id: Some(world.products[n % world.products.len()].clone()),
                        title: Some(tag.clone()),
                        ..ProductUpdateInput::default()
                    },
                })
                .await
                .map(|_| Some(tag))
        }
        Op::InventorySet => {
            let tag = format!("gid://soak/Call/{n}");
            client
                .send::<inventory_set_quantities::Operation>(&inventory_set_quantities::Variables {
                    input: InventorySetQuantitiesInput {
                        name: "available".to_owned(),
                        reason: "correction".to_owned(),
                        reference_document_uri: Some(tag.clone()),
                        quantities: vec![InventoryQuantityInput {
                            change_from_quantity: None,
                            inventory_item_id: world.items[n % world.items.len()].clone(),
                            location_id: Gid::new("Location", 1),
                            quantity: (n % 100) as i32,
                        }],
                    },
                })
                .await
                .map(|_| Some(tag))
        }
    }
}

async fn world(client: &Client) -> anyhow::Result<World> {
    // Faults are on from the start: retry the set-up reads until they get through.
    let mut last = None;
    for _ in 0..20 {
        let products = client
            .send::<products_page::Operation>(&products_page::Variables {
                first: 20,
                after: None,
                query: None,
            })
            .await;
        let levels = client
            .send::<location_inventory::Operation>(&demo_location(20))
            .await;
        match (products, levels) {
            (Ok(products), Ok(levels)) => {
                let products = products
                    .data
                    .products
                    .edges
                    .into_iter()
                    .map(|e| e.node.id)
                    .collect::<Vec<_>>();
                let items = stocked_items(levels.data);
                return Ok(World { products, items });
            }
            (Err(e), _) | (_, Err(e)) => last = Some(e),
        }
    }
    Err(anyhow::anyhow!("set-up reads kept failing: {last:?}"))
}

struct Tally {
    calls: usize,
    succeeded: usize,
    lost_calls: usize,
    failures: BTreeMap<String, usize>,
    /// Writes the client reported as done, by call number.
    done_writes: Calls,
}

/// How often the emulator's memory is printed (a timeline: growth that levels off is a
/// store filling to its bound, growth that does not is a leak).
const MEMORY_EVERY: Duration = Duration::from_secs(60);

/// Sleeps until `until`, taking the emulator's write log every [`TAKE_EVERY`] and printing
/// its memory every [`MEMORY_EVERY`] since `started`.
fn sleep_taking(
    emulator: &mut EmulatorProcess,
    started: Instant,
    until: Instant,
    applied: &mut Calls,
) -> anyhow::Result<()> {
    let mut printed = started.elapsed().as_secs() / MEMORY_EVERY.as_secs();
    while Instant::now() < until {
        std::thread::sleep(TAKE_EVERY.min(until.saturating_duration_since(Instant::now())));
        let counts = emulator.take_writes(applied)?;
        let minute = started.elapsed().as_secs() / MEMORY_EVERY.as_secs();
        if minute > printed {
            printed = minute;
            println!(
                "soak: at {:>4} s: emulator RSS {} KiB ({}), {} requests",
                started.elapsed().as_secs(),
                emulator.rss_kib(),
                emulator.memory_map(),
                counts.requests
            );
        }
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    if std::env::var("SOAK_ROLE").as_deref() == Ok("emulator") {
        return serve_emulator();
    }
    if !shopify_e2e::bench::invoked_as_bench("soak") {
        return Ok(());
    }
    let secs: u64 = std::env::var("SOAK_SECS").map_or(Ok(600), |s| s.parse())?;
    let tasks: usize = std::env::var("SOAK_TASKS").map_or(Ok(8), |s| s.parse())?;
    let duration = Duration::from_secs(secs);
    let warm_up = (duration / 10).min(Duration::from_secs(30));

    let mut emulator = EmulatorProcess::spawn()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let client = Client::builder()
        .credentials(demo_credentials())
        .base_url(emulator.url.clone())
        .retry(retry_policy())
        .timeout(TIMEOUT)
        .build()?;
    println!(
        "soak: {secs} s, {tasks} tasks, mix per 10: shop_info ×2, products_page 3 pages ×2, location_inventory ×2, productUpdate ×2 (no key), inventorySetQuantities ×2 (key); faults {}; tokens expire every {TOKEN_TTL:?}",
        faults()
            .iter()
            .map(|(f, s)| format!("{f:?} {s:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let world = Arc::new(runtime.block_on(world(&client))?);
    anyhow::ensure!(
        !world.products.is_empty() && !world.items.is_empty(),
        "the demo shop has no products or no stocked items"
    );

    let started = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(AtomicUsize::new(0));
    let tally = Arc::new(Mutex::new(Tally {
        calls: 0,
        succeeded: 0,
        lost_calls: 0,
        failures: BTreeMap::new(),
        done_writes: Calls::with_capacity(CALLS_CAPACITY),
    }));
    let mut applied = Calls::with_capacity(CALLS_CAPACITY);
    let mut workers = Vec::new();
    for _ in 0..tasks {
        let (client, world, next, stop, tally) = (
            client.clone(),
            world.clone(),
            next.clone(),
            stop.clone(),
            tally.clone(),
        );
        workers.push(runtime.spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let (client, world) = (client.clone(), world.clone());
                let task = tokio::spawn(async move { call(&client, &world, n).await });
                let outcome = tokio::time::timeout(CALL_DEADLINE, task).await;
                let mut tally = tally.lock().unwrap();
                tally.calls += 1;
                match outcome {
                    Ok(Ok(Ok(done))) => {
                        tally.succeeded += 1;
                        if let Some(n) = done.as_deref().and_then(call_of) {
                            tally.done_writes.bump(n);
                        }
                    }
                    Ok(Ok(Err(error))) => {
                        *tally.failures.entry(error_label(&error)).or_default() += 1
                    }
                    Ok(Err(_)) | Err(_) => tally.lost_calls += 1,
                }
            }
        }));
    }

    // The emulator's write log is taken every few seconds, as a long-running reconciler
    // would, so it stays far below its cap.
    sleep_taking(&mut emulator, started, started + warm_up, &mut applied)?;
    let (client_start, emulator_start) = (rss_kib("/proc/self/status"), emulator.rss_kib());
    let map_start = emulator.memory_map();
    let calls_at_start = tally.lock().unwrap().calls;
    sleep_taking(&mut emulator, started, started + duration, &mut applied)?;
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        runtime.block_on(worker)?;
    }
    let elapsed = started.elapsed();
    let (client_end, emulator_end) = (rss_kib("/proc/self/status"), emulator.rss_kib());
    let map_end = emulator.memory_map();

    let counts = emulator.take_writes(&mut applied)?;
    anyhow::ensure!(
        counts.dropped == 0,
        "the emulator dropped {} writes from its log: the reconciliation is incomplete",
        counts.dropped
    );
    let stats = format!(
        "{} requests ({} executed, {} THROTTLED) {} faults, {} points charged ({:.1}/s)",
        counts.requests,
        counts.executed,
        counts.throttled,
        counts.faults,
        counts.charged,
        counts.charged as f64 / elapsed.as_secs_f64()
    );
    let tally = tally.lock().unwrap();
    let calls_made = next.load(Ordering::Relaxed);
    let done: Vec<usize> = (0..calls_made)
        .filter(|n| tally.done_writes.get(*n) > 0)
        .collect();
    let lost_writes = done.iter().filter(|n| applied.get(**n) == 0).count();
    let applied_count = (0..calls_made).filter(|n| applied.get(*n) > 0).count();
    let duplicated: usize = (0..calls_made)
        .map(|n| usize::from(applied.get(n).saturating_sub(1)))
        .sum();
    let failed: usize = tally.failures.values().sum();
    let growth = |start: u64, end: u64| {
        if start == 0 {
            0.0
        } else {
            (end as f64 - start as f64) * 100.0 / start as f64
        }
    };
    println!(
        "soak: {:.0} s, {} calls ({:.1}/s; {} after the warm-up), emulator: {stats}",
        elapsed.as_secs_f64(),
        tally.calls,
        tally.calls as f64 / elapsed.as_secs_f64(),
        tally.calls - calls_at_start,
    );
    println!(
        "soak: succeeded={} failed_typed={failed} lost_calls={}",
        tally.succeeded, tally.lost_calls
    );
    println!(
        "soak: failures by kind: {}",
        if tally.failures.is_empty() {
            "none".to_owned()
        } else {
            tally
                .failures
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        }
    );
    println!(
        "soak: writes done (client said ok)={} applied (emulator log)={} lost={lost_writes} duplicated={duplicated}",
        done.len(),
        applied_count
    );
    println!(
        "soak: memory (RSS after {:.0?} warm-up -> end): client {} -> {} KiB ({:+.1} %), emulator {} -> {} KiB ({:+.1} %)",
        warm_up,
        client_start,
        client_end,
        growth(client_start, client_end),
        emulator_start,
        emulator_end,
        growth(emulator_start, emulator_end)
    );
    println!("soak: emulator memory: {map_start} -> {map_end}");
    println!(
        "soak: calls={} failed={failed} lost={} duplicated={duplicated} client_growth={:+.1}% emulator_growth={:+.1}%",
        tally.calls,
        lost_writes + tally.lost_calls,
        growth(client_start, client_end),
        growth(emulator_start, emulator_end)
    );
    Ok(())
}
