//! `cargo bench --workspace --bench bulk`: a nested products-and-variants export through the
//! emulator at two sizes 10x apart, each in a fresh process whose peak resident memory
//! (VmHWM) is read, and the typed decode of the same lines against serde derive.
//!
//! The emulator runs in its own process (this binary re-run with `--serve N`) and so does
//! each export (`--export URL FILE`), so the memory figures are the client's alone.
//! Sizes: `BULK_SMALL` products (default 1000; 3 variants each) and 10x that.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use shopify_e2e::bench::status_kib;
use shopify_e2e::demo_credentials;
use shopify_emulator::Emulator;
use shopify_queries::Client;
use shopify_queries::bulk::{Bulk, BulkRow};
use shopify_queries::products_export::{self, Row};

/// The typed rows are generated from `graphql/bulk/products_export.graphql` (`Row`, one
/// variant per level, decoded from the line's bytes); the query is the one they were
/// generated from, `__typename` first at each level.
const QUERY: &str = products_export::QUERY;

// What the peers do: serde derive into structs of the same shape, the level told apart by
// `__parentId`.
mod peer {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    pub struct Product {
        #[serde(rename = "__typename")]
        pub typename: String,
        pub id: String,
        pub title: String,
        pub handle: String,
        pub vendor: String,
        pub status: String,
        pub created_at: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    pub struct Variant {
        #[serde(rename = "__typename")]
        pub typename: String,
        pub id: String,
        pub title: String,
        pub sku: Option<String>,
        pub price: String,
        pub inventory_quantity: Option<i64>,
        #[serde(rename = "__parentId")]
        pub parent_id: String,
    }

    #[derive(Debug)]
    #[allow(dead_code)]
    pub enum Line {
        Product(Product),
        Variant(Variant),
    }

    pub fn decode(line: &[u8]) -> serde_json::Result<Line> {
        let nested = line.windows(12).any(|w| w == b"\"__parentId\"");
        Ok(if nested {
            Line::Variant(serde_json::from_slice(line)?)
        } else {
            Line::Product(serde_json::from_slice(line)?)
        })
    }
}

/// `--serve N`: an emulator with N extra products; prints its URL, serves until stdin closes.
fn serve(products: usize) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let emulator = Emulator::builder().extra_products(products).start().await?;
        println!("{}", emulator.url());
        std::io::stdout().flush()?;
        tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            let _ = std::io::stdin().read_line(&mut sink);
        })
        .await?;
        drop(emulator);
        anyhow::Ok(())
    })
}

/// `--export URL FILE`: runs the bulk query, streams typed rows and writes the lines to FILE.
fn export(url: &str, file: &str) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let client = Client::builder()
            .credentials(demo_credentials())
            .base_url(url::Url::parse(url)?)
            .build()?;
        let bulk = Bulk::new(&client, shopify_queries::API_VERSION);
        let started = Instant::now();
        let op = bulk.run_query(QUERY).await?;
        let done = bulk.wait(&op.id, |_| {}).await?;
        let result = done.url.context("no result file")?;
        let mut lines = bulk.lines(&result);
        let mut out = BufWriter::new(std::fs::File::create(file)?);
        let mut rows = 0u64;
        while let Some(line) = lines.next().await? {
            let row = Row::decode(line)?;
            std::hint::black_box(&row);
            out.write_all(line)?;
            out.write_all(b"\n")?;
            rows += 1;
        }
        out.flush()?;
        let secs = started.elapsed().as_secs_f64();
        println!(
            "rows={rows} secs={secs:.3} hwm_kb={}",
            status_kib("/proc/self/status", "VmHWM")
        );
        anyhow::Ok(())
    })
}

struct Export {
    rows: u64,
    secs: f64,
    rss_mb: f64,
}

fn measure(products: usize, file: &std::path::Path) -> anyhow::Result<Export> {
    let me = std::env::current_exe()?;
    let mut server = Command::new(&me)
        .args(["--serve", &products.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut url = String::new();
    BufReader::new(server.stdout.take().context("server stdout")?).read_line(&mut url)?;
    let out = Command::new(&me)
        .args(["--export", url.trim(), &file.display().to_string()])
        .output()?;
    drop(server.stdin.take());
    let _ = server.wait();
    anyhow::ensure!(
        out.status.success(),
        "export failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |k: &str| -> anyhow::Result<f64> {
        text.split_whitespace()
            .find_map(|kv| kv.strip_prefix(k).and_then(|v| v.strip_prefix('=')))
            .context("export output")?
            .parse::<f64>()
            .map_err(Into::into)
    };
    Ok(Export {
        rows: field("rows")? as u64,
        secs: field("secs")?,
        rss_mb: field("hwm_kb")? / 1024.0,
    })
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("--serve") => return serve(args[2].parse()?),
        Some("--export") => return export(&args[2], &args[3]),
        _ => {}
    }
    if !args.iter().any(|a| a == "--bench") {
        println!("bulk: run with `cargo bench --workspace --bench bulk`");
        return Ok(());
    }
    let small: usize = std::env::var("BULK_SMALL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let dir = std::env::temp_dir().join(format!("shopify-bulk-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let small_file = dir.join("small.jsonl");
    let large_file = dir.join("large.jsonl");
    let a = measure(small, &small_file)?;
    println!(
        "export small: {} products, rows={} in {:.2} s, peak rss {:.1} MB",
        small, a.rows, a.secs, a.rss_mb
    );
    let b = measure(small * 10, &large_file)?;
    println!(
        "export large: {} products, rows={} in {:.2} s, peak rss {:.1} MB",
        small * 10,
        b.rows,
        b.secs,
        b.rss_mb
    );

    let text = std::fs::read(&large_file)?;
    let lines: Vec<&[u8]> = text
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let mut typed = Vec::new();
    let mut serde = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        for line in &lines {
            std::hint::black_box(Row::decode(line)?);
        }
        typed.push(t.elapsed());
        let t = Instant::now();
        for line in &lines {
            std::hint::black_box(peer::decode(line)?);
        }
        serde.push(t.elapsed());
    }
    let (typed, serde) = (median(typed), median(serde));
    println!(
        "decode of {} lines: typed rows {:.2} ms, serde derive {:.2} ms (median of 7)",
        lines.len(),
        typed.as_secs_f64() * 1e3,
        serde.as_secs_f64() * 1e3
    );
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "bulk: rows={} rows_per_s={:.0} rss_small_mb={:.1} rss_large_mb={:.1} rss_ratio={:.2} decode_vs_serde={:.2}",
        b.rows,
        b.rows as f64 / b.secs,
        a.rss_mb,
        b.rss_mb,
        b.rss_mb / a.rss_mb,
        serde.as_secs_f64() / typed.as_secs_f64()
    );
    Ok(())
}
