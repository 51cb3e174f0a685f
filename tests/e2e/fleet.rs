//! Many processes, one shop: the token and the rate-limit budget shared through a real
//! `redis-server` (started per test on a free loopback port; see `shopify_e2e::redis`).
//! Separate OS processes are `fleet-worker` (the shopify-admin CLI) children.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use shopify_auth::{ClientCredentials, TokenSource};
use shopify_e2e::demo_credentials;
use shopify_e2e::redis::RedisServer;
use shopify_emulator::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SHOP, Emulator};
use shopify_queries::shopify_redis::{Fleet, FleetConfig};
use shopify_queries::{Client, products_page, shop_info};

const WORKER: &str = env!("CARGO_BIN_EXE_fleet-worker");

/// `fleet-worker cli ARGS` with the demo credentials, the emulator's URL and Redis, in an
/// empty directory (no `.env`).
fn cli_process(base: &str, redis: &str, args: &[&str]) -> Command {
    let mut command = Command::new(WORKER);
    command
        .arg("cli")
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("SHOPIFY_SHOP", DEMO_SHOP)
        .env("SHOPIFY_CLIENT_ID", DEMO_CLIENT_ID)
        .env("SHOPIFY_CLIENT_SECRET", DEMO_CLIENT_SECRET)
        .env("SHOPIFY_BASE_URL", base)
        .env("SHOPIFY_REDIS_URL", redis)
        .current_dir(std::env::temp_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// A served emulator in its own process: `shopify-admin emulator --port 0 --bucket 100/50`.
struct Served {
    child: Child,
    base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve_emulator(bucket: &str) -> Served {
    let mut child = Command::new(WORKER)
        .args(["cli", "emulator", "--port", "0", "--bucket", bucket])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let base = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("SHOPIFY_BASE_URL=").map(str::to_owned))
        .expect("the emulator prints SHOPIFY_BASE_URL");
    Served { child, base }
}

async fn served_stats(base: &str) -> serde_json::Value {
    reqwest::get(format!("{base}/_emulator/stats"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn separate_processes_share_one_grant_stay_under_the_bucket_and_leave_no_readable_token() {
    let Some(redis) = RedisServer::start_or_skip("fleet: separate processes") else {
        return;
    };
    let served = serve_emulator("100/50");
    // Three rounds of four processes started together, as a cron fleet would.
    for round in 0..3 {
        let children: Vec<Child> = (0..4)
            .map(|_| {
                cli_process(&served.base, &redis.url(), &["products", "--first", "5"])
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "round {round}: a process failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
    let stats = served_stats(&served.base).await;
    assert_eq!(stats["token_requests"], 1, "{stats}");
    assert_eq!(stats["requests"], 12, "{stats}");
    assert_eq!(stats["throttled"], 0, "{stats}");

    // The stored token, as the fleet reads it, appears nowhere in Redis in the clear.
    let fleet = Fleet::new(&redis.url(), &demo_credentials(), FleetConfig::default()).unwrap();
    let local = ClientCredentials::builder(demo_credentials())
        .base_url(served.base.parse().unwrap())
        .build()
        .unwrap();
    let token = fleet.tokens(local).token().await.unwrap();
    let dump = redis.dump().await.unwrap();
    assert!(
        dump.iter().any(|(key, _)| key.ends_with(":token")),
        "{dump:?}"
    );
    for (key, value) in &dump {
        for text in [key, value] {
            assert!(
                !text.contains(token.expose_secret()),
                "token readable in {key}"
            );
            assert!(!text.contains(DEMO_CLIENT_SECRET), "secret in {key}");
            assert!(!text.contains(DEMO_CLIENT_ID), "client id in {key}");
        }
    }
    assert_eq!(served_stats(&served.base).await["token_requests"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_that_died_holding_the_lock_delays_the_others_by_at_most_its_expiry() {
    let Some(redis) = RedisServer::start_or_skip("fleet: dead lock holder") else {
        return;
    };
    let emulator = Emulator::builder().start().await.unwrap();
    let config = FleetConfig {
        lock_ttl: Duration::from_millis(1500),
        ..FleetConfig::default()
    };
    let fleet = Fleet::new(&redis.url(), &demo_credentials(), config).unwrap();
    let local = ClientCredentials::builder(demo_credentials())
        .base_url(emulator.url())
        .build()
        .unwrap();
    let tokens = fleet.tokens(local);
    // A holder that will never release: only the expiry frees the lock.
    let _: () = redis
        .command(
            redis::cmd("SET")
                .arg(tokens.lock_key())
                .arg("dead-process")
                .arg("PX")
                .arg(1500),
        )
        .await
        .unwrap();
    let started = Instant::now();
    tokens.token().await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1200) && waited < Duration::from_millis(3500),
        "{waited:?}"
    );
    assert_eq!(emulator.stats().token_requests, 1);
}

/// Four clients, each with its own connection to Redis, as four processes would have.
fn fleet_clients(
    emulator: &shopify_emulator::RunningEmulator,
    redis: &RedisServer,
    n: usize,
) -> Vec<Client> {
    (0..n)
        .map(|_| {
            shopify_e2e::client_builder(emulator)
                .redis(redis.url())
                .build()
                .unwrap()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_401_seen_by_every_process_causes_one_new_grant() {
    let Some(redis) = RedisServer::start_or_skip("fleet: 401 compare-and-swap") else {
        return;
    };
    let emulator = Emulator::builder().start().await.unwrap();
    let clients = fleet_clients(&emulator, &redis, 4);
    for client in &clients {
        shop_info(client, shop_info::Variables {}).await.unwrap();
    }
    assert_eq!(emulator.stats().token_requests, 1);
    emulator.revoke_tokens();
    let calls = clients
        .iter()
        .map(|client| shop_info(client, shop_info::Variables {}));
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(
        emulator.stats().token_requests,
        2,
        "one grant after the 401s"
    );
    let rejected = emulator
        .requests()
        .iter()
        .filter(|r| r.path.contains("graphql"))
        .count();
    assert!(
        rejected >= 8,
        "four calls, four 401s and four retries: {rejected}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_and_restarted_mid_run_fails_no_call() {
    let Some(mut redis) = RedisServer::start_or_skip("fleet: Redis restarted") else {
        return;
    };
    let emulator = Emulator::builder().bucket(100, 50).start().await.unwrap();
    let clients = fleet_clients(&emulator, &redis, 3);
    let failures = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let calls = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in clients {
        for _ in 0..2 {
            let client = client.clone();
            let failures = failures.clone();
            let calls = calls.clone();
            tasks.push(tokio::spawn(async move {
                while started.elapsed() < Duration::from_secs(6) {
                    let vars = products_page::Variables {
                        first: 2,
                        after: None,
                        query: None,
                    };
                    calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if let Err(error) = products_page(&client, vars).await {
                        eprintln!("call failed: {error}");
                        failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            }));
        }
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    redis.kill();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    redis.restart();
    let restarted = Instant::now();
    // Back on the shared bucket within 5 s: the bucket reappears in the new, empty Redis.
    let mut back = None;
    while restarted.elapsed() < Duration::from_secs(5) {
        if redis
            .dump()
            .await
            .unwrap_or_default()
            .iter()
            .any(|(key, _)| key.ends_with(":bucket"))
        {
            back = Some(restarted.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert!(back.is_some(), "not back on the shared bucket within 5 s");
    assert_eq!(failures.load(std::sync::atomic::Ordering::Relaxed), 0);
    assert!(calls.load(std::sync::atomic::Ordering::Relaxed) > 20);
    let stats = emulator.stats();
    assert_eq!(stats.token_requests, 1, "the cached token outlived Redis");
    // The restarted Redis holds a full bucket while the shop's is drained, so a few sends
    // meet THROTTLED (retried, never surfaced) until the bucket is relearned: 5 of 49 seen.
    assert!(stats.throttled * 5 <= stats.requests, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_bucket_learns_a_changed_restore_rate() {
    let Some(redis) = RedisServer::start_or_skip("fleet: resync") else {
        return;
    };
    let emulator = Emulator::builder().bucket(100, 50).start().await.unwrap();
    let clients = fleet_clients(&emulator, &redis, 2);
    let rate = || async {
        let dump = redis.dump().await.unwrap();
        let (_, hash) = dump
            .iter()
            .find(|(key, _)| key.ends_with(":bucket"))
            .expect("the bucket is in Redis")
            .clone();
        let fields: Vec<&str> = hash.split(' ').collect();
        let field = |name: &str| {
            fields
                .chunks(2)
                .find(|pair| pair[0] == name)
                .map(|pair| pair[1].parse::<f64>().unwrap())
        };
        (field("size"), field("rate"))
    };
    shop_info(&clients[0], shop_info::Variables {})
        .await
        .unwrap();
    assert_eq!(rate().await, (Some(100.0), Some(50.0)));

    // Shopify lowers the rate for a while: the fleet learns it from the next answers and
    // paces to it, with no THROTTLED surfaced.
    emulator.set_bucket(100, 10);
    let vars = || products_page::Variables {
        first: 2,
        after: None,
        query: None,
    };
    // 28 points requested each, 10 calls: far more than 10/s once the bucket is low.
    let calls = clients
        .iter()
        .flat_map(|client| (0..5).map(move |_| (client, vars())))
        .map(|(client, vars)| products_page(client, vars));
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(rate().await, (Some(100.0), Some(10.0)));
    let stats = emulator.stats();
    assert!(stats.throttled <= 3, "{stats:?}");
}
