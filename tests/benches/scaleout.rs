//! Scale-out benchmark: 8 worker processes (separate OS processes, 4 tasks each) on one
//! emulator shop with a small bucket (100 points, 50/s), so the bucket, not the machine,
//! is the limit.
//!
//! Run: `cargo bench --workspace --bench scaleout` (`SCALEOUT_SECONDS=10` shortens each
//! run; default 30). Three runs, each on a fresh emulator and an empty Redis:
//! 1. baseline: no Redis, each process paces against its own picture of the bucket;
//! 2. with Redis, killed a third of the way in and started again (empty) 3 s later;
//! 3. with Redis: the last line, `scaleout: processes=8 utilization=… throttled_server=…
//!    throttled_surfaced=… token_requests=… requests=…`.
//!
//! `utilization` is the pacing bench's (see `benches/pacing.rs`): points the bucket
//! restored during the run (Σ actual cost − (start level − end level)) over what the
//! restore rate could give in that time. `throttled_server`: `THROTTLED` answers the
//! emulator sent; `throttled_surfaced`: calls that failed with `THROTTLED`;
//! `token_requests`: client-credentials grants; `requests`: GraphQL requests received.
//! Goals: utilization ≥ 0.95, throttled_server ≤ 1 % of requests, throttled_surfaced = 0,
//! token_requests = 1.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use shopify_e2e::redis::RedisServer;
use shopify_emulator::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SHOP, Emulator};

const PROCESSES: usize = 8;
const TASKS: usize = 4;
const BUCKET: u64 = 100;
const RESTORE_RATE: u64 = 50;
const WORKER: &str = env!("CARGO_BIN_EXE_fleet-worker");

#[derive(Debug, Default)]
struct Totals {
    calls: u64,
    ok: u64,
    failed: u64,
    throttled_surfaced: u64,
    lost: u64,
}

async fn run(
    seconds: f64,
    redis: Option<&mut RedisServer>,
    restart: bool,
) -> anyhow::Result<String> {
    let emulator = Emulator::builder()
        .bucket(BUCKET, RESTORE_RATE)
        .start()
        .await?;
    let redis_url = redis.as_ref().map(|r| r.url());
    let start_ms = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() as u64 + 3000;
    let mut children = Vec::new();
    for _ in 0..PROCESSES {
        let mut command = Command::new(WORKER);
        command
            .args([
                "load",
                &start_ms.to_string(),
                &seconds.to_string(),
                &TASKS.to_string(),
            ])
            .env("SHOPIFY_SHOP", DEMO_SHOP)
            .env("SHOPIFY_CLIENT_ID", DEMO_CLIENT_ID)
            .env("SHOPIFY_CLIENT_SECRET", DEMO_CLIENT_SECRET)
            .env("SHOPIFY_BASE_URL", emulator.url().as_str())
            .env_remove("SHOPIFY_REDIS_URL")
            .current_dir(std::env::temp_dir())
            .stdout(Stdio::piped());
        if let Some(url) = &redis_url {
            command.env("SHOPIFY_REDIS_URL", url);
        }
        children.push(command.spawn()?);
    }
    let until_start =
        start_ms.saturating_sub(SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() as u64);
    tokio::time::sleep(Duration::from_millis(until_start)).await;
    let start_level = emulator
        .bucket(DEMO_CLIENT_ID, DEMO_SHOP)
        .currently_available;
    let before = emulator.stats();
    let started = Instant::now();
    if let (Some(redis), true) = (redis, restart) {
        tokio::time::sleep(Duration::from_secs_f64(seconds / 3.0)).await;
        redis.kill();
        tokio::time::sleep(Duration::from_secs(3)).await;
        redis.restart();
    }
    let outputs = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|child| child.wait_with_output())
            .collect::<Result<Vec<_>, _>>()
    })
    .await??;
    let elapsed = started.elapsed().as_secs_f64();
    let end_level = emulator
        .bucket(DEMO_CLIENT_ID, DEMO_SHOP)
        .currently_available;
    let stats = emulator.stats();
    let mut totals = Totals::default();
    for output in outputs {
        anyhow::ensure!(output.status.success(), "a worker failed");
        let line = String::from_utf8(output.stdout)?;
        let n: Vec<u64> = line
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()?;
        anyhow::ensure!(n.len() == 5, "unexpected worker output: {line}");
        totals.calls += n[0];
        totals.ok += n[1];
        totals.failed += n[2];
        totals.throttled_surfaced += n[3];
        totals.lost += n[4];
    }
    let charged = (stats.points_charged - before.points_charged) as f64;
    let restored = charged - (start_level - end_level);
    let utilization = restored / (RESTORE_RATE as f64 * elapsed);
    println!(
        "  {:.1} s, calls {} (ok {}, failed {}, lost {}), {:.1} points/s actual, bucket {:.0} → {:.0}",
        elapsed,
        totals.calls,
        totals.ok,
        totals.failed,
        totals.lost,
        charged / elapsed,
        start_level,
        end_level,
    );
    Ok(format!(
        "processes={PROCESSES} utilization={utilization:.3} throttled_server={} throttled_surfaced={} token_requests={} requests={}",
        stats.throttled - before.throttled,
        totals.throttled_surfaced,
        stats.token_requests,
        stats.requests - before.requests,
    ))
}

fn main() -> anyhow::Result<()> {
    if !shopify_e2e::bench::invoked_as_bench("scaleout") {
        return Ok(());
    }
    let seconds: f64 = match std::env::var("SCALEOUT_SECONDS") {
        Ok(s) => s.parse()?,
        Err(_) => 30.0,
    };
    let Some(mut redis) = RedisServer::start_or_skip("scaleout") else {
        return Ok(());
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!(
        "scaleout: bucket {BUCKET} points, restore {RESTORE_RATE}/s, {PROCESSES} processes × {TASKS} tasks, {seconds} s per run"
    );
    let baseline = runtime.block_on(run(seconds, None, false))?;
    println!("scaleout (baseline, no Redis): {baseline}");
    redis.restart();
    let restarted = runtime.block_on(run(seconds, Some(&mut redis), true))?;
    println!("scaleout (Redis killed at 1/3 and back 3 s later): {restarted}");
    redis.restart();
    let shared = runtime.block_on(run(seconds, Some(&mut redis), false))?;
    println!("scaleout: {shared}");
    Ok(())
}
