//! Emulator figures: schema load, and product pages (160 with variants, 250 without)
//! end to end over HTTP
//! and in-process. A plain binary (harness = false) that prints percentiles.
//!
//! Run: `CARGO_TARGET_DIR=/tmp/target-emu cargo bench -p shopify-emulator`

use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::{Value, json};
use shopify_emulator::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Emulator};

// 160 products with 3 variants each cost 962 points: the largest such page under Shopify's
// limit of 1000 (250 would be refused with MAX_COST_EXCEEDED).
const PAGE: &str = "query Page { products(first: 160) { nodes { id title handle vendor status \
    variants(first: 3) { nodes { id sku price } } } pageInfo { hasNextPage endCursor } } }";
// The widest page Shopify allows: 250 products (2 + 250 × 1 = 252 points).
const PAGE_250: &str = "query Page250 { products(first: 250) { nodes { id title handle vendor status \
    productType tags createdAt } pageInfo { hasNextPage endCursor } } }";
const RUNS: usize = 60;
/// A bucket no run drains: the figures measure the pipeline, not the rate limit.
const UNTHROTTLED: u64 = 1_000_000_000;

fn percentiles(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize];
    format!(
        "p50 {:>8.2?}  p90 {:>8.2?}  min {:>8.2?}  (n={})",
        at(0.5),
        at(0.9),
        samples[0],
        samples.len()
    )
}

/// Fails unless an answer is a 200 without `errors` holding `nodes` products: a THROTTLED,
/// a 401 or an error would otherwise read as a fast run.
fn check_answer(status: u16, answer: &Value, nodes: usize) -> anyhow::Result<()> {
    anyhow::ensure!(status == 200, "status {status}: {answer}");
    anyhow::ensure!(
        answer.get("errors").is_none(),
        "errors: {}",
        answer["errors"]
    );
    let got = answer["data"]["products"]["nodes"]
        .as_array()
        .map_or(0, Vec::len);
    anyhow::ensure!(got == nodes, "{got} products, expected {nodes}");
    Ok(())
}

fn schema_load() -> anyhow::Result<()> {
    let mut samples = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let schema = shopify_schema::AdminSchema::parse(
            shopify_schema::bundled_sdl(),
            shopify_schema::bundled_meta_json(),
            "x",
        )
        .context("parsing the bundled schema")?;
        samples.push(start.elapsed());
        std::hint::black_box(schema);
    }
    println!("schema parse+validate          {}", percentiles(samples));
    Ok(())
}

fn in_process() -> anyhow::Result<()> {
    let local = Emulator::builder()
        .extra_products(300)
        .bucket(UNTHROTTLED, UNTHROTTLED)
        .in_process()?;
    let body = json!({"query": PAGE});
    let mut samples = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let (status, answer) = local.graphql(&body);
        samples.push(start.elapsed());
        check_answer(status, &answer, 160)?;
    }
    println!("products(160) in-process       {}", percentiles(samples));
    let small = json!({"query": "{ shop { name } }"});
    let mut samples = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let (status, answer) = local.graphql(&small);
        samples.push(start.elapsed());
        anyhow::ensure!(
            status == 200
                && answer.get("errors").is_none()
                && answer["data"]["shop"]["name"].is_string(),
            "status {status}: {answer}"
        );
    }
    println!("shop {{ name }} in-process       {}", percentiles(samples));
    Ok(())
}

async fn over_http() -> anyhow::Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let emu = Emulator::builder()
        .extra_products(300)
        .bucket(UNTHROTTLED, UNTHROTTLED)
        .start()
        .await?;
    let http = reqwest::Client::builder().build()?;
    let token: Value = http
        .post(emu.url().join("/admin/oauth/access_token")?)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
        ])
        .send()
        .await?
        .json()
        .await?;
    let token = token["access_token"]
        .as_str()
        .context("no token")?
        .to_owned();
    let url = emu.graphql_url("2026-10");
    for (label, page, nodes) in [
        ("products(160) over HTTP       ", PAGE, 160),
        ("products(250) over HTTP       ", PAGE_250, 250),
    ] {
        let body = json!({"query": page});
        let mut samples = Vec::new();
        let mut bytes = 0;
        for i in 0..RUNS + 5 {
            let start = Instant::now();
            let res = http
                .post(url.clone())
                .header("X-Shopify-Access-Token", &token)
                .json(&body)
                .send()
                .await?;
            let status = res.status().as_u16();
            let text = res.bytes().await?;
            let elapsed = start.elapsed();
            let answer: Value = serde_json::from_slice(&text)
                .with_context(|| format!("status {status}: not JSON"))?;
            check_answer(status, &answer, nodes)?;
            if i >= 5 {
                samples.push(elapsed);
            }
            bytes = text.len();
        }
        println!("{label} {}  {} KB", percentiles(samples), bytes / 1024);
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    // `cargo test --benches` runs this binary with `--bench`-less args: keep it quick there.
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    schema_load()?;
    in_process()?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(over_http())
}
