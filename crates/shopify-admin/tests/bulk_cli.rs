//! `shopify-admin export` and `import` through the binary, against an emulator on loopback:
//! of query files and by the name of an operation in `graphql/bulk/` (whose exported lines
//! decode into the rows generated from the same file).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use shopify_emulator::{
    BulkFault, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SHOP, Emulator, RunningEmulator,
};
use shopify_queries::bulk::BulkRow;
use shopify_queries::products_export;

const NESTED: &str = "query Nested {\n  products {\n    edges { node { id title variants { edges { node { id sku } } } } }\n  }\n}\n";

/// The workspace's `graphql/` folder.
fn graphql_dir() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../graphql")
        .display()
        .to_string()
}

/// A fresh folder under the target dir, named for the test.
fn workdir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("bulk_cli_{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shopify_admin(emu: &RunningEmulator, dir: &Path, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_shopify-admin"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SHOPIFY_SHOP", DEMO_SHOP)
        .env("SHOPIFY_CLIENT_ID", DEMO_CLIENT_ID)
        .env("SHOPIFY_CLIENT_SECRET", DEMO_CLIENT_SECRET)
        .env("SHOPIFY_BASE_URL", emu.url().as_str())
        .output()
        .await
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn export_writes_every_line_and_every_child_names_a_parent_in_the_file() {
    let emu = Emulator::builder()
        .extra_products(30)
        .start()
        .await
        .unwrap();
    let dir = workdir("export");
    std::fs::write(dir.join("nested.graphql"), NESTED).unwrap();
    let out = shopify_admin(
        &emu,
        &dir,
        &["export", "nested.graphql", "--out", "out.jsonl"],
    )
    .await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("status Completed"), "{stderr}");
    assert!(stderr.contains("wrote "), "{stderr}");
    let file = std::fs::read_to_string(dir.join("out.jsonl")).unwrap();
    let lines: Vec<Value> = file
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // 25+ demo products and 30 synthetic ones with 3 variants each.
    assert!(lines.len() > 30 * 4, "{}", lines.len());
    let ids: HashSet<&str> = lines.iter().filter_map(|l| l["id"].as_str()).collect();
    for line in &lines {
        if let Some(parent) = line["__parentId"].as_str() {
            assert!(ids.contains(parent), "{parent} missing");
        }
    }
}

#[tokio::test]
async fn export_resumes_a_dropped_download_without_losing_or_repeating_lines() {
    let emu = Emulator::builder()
        .extra_products(30)
        .start()
        .await
        .unwrap();
    let dir = workdir("resume");
    std::fs::write(dir.join("nested.graphql"), NESTED).unwrap();
    let clean = shopify_admin(
        &emu,
        &dir,
        &["export", "nested.graphql", "--out", "clean.jsonl"],
    )
    .await;
    assert!(clean.status.success(), "{}", text(&clean.stderr));
    emu.inject_bulk(BulkFault::DropDownload { after_bytes: 3000 });
    let out = shopify_admin(
        &emu,
        &dir,
        &["export", "nested.graphql", "--out", "resumed.jsonl"],
    )
    .await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("1 resumed downloads"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.join("resumed.jsonl")).unwrap(),
        std::fs::read_to_string(dir.join("clean.jsonl")).unwrap()
    );
    let ranged = emu.requests().iter().any(|r| {
        r.headers
            .iter()
            .any(|(k, v)| k == "range" && v.starts_with("bytes="))
    });
    assert!(ranged, "the resume should ask for a Range");
}

#[tokio::test]
async fn export_reports_a_failed_run_with_its_partial_data() {
    let emu = Emulator::builder().start().await.unwrap();
    emu.inject_bulk(BulkFault::Fail {
        error_code: "TIMEOUT".into(),
    });
    let dir = workdir("failed");
    std::fs::write(dir.join("nested.graphql"), NESTED).unwrap();
    let out = shopify_admin(
        &emu,
        &dir,
        &["export", "nested.graphql", "--out", "out.jsonl"],
    )
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("FAILED (TIMEOUT); partial data: http://"),
        "{stderr}"
    );
}

#[tokio::test]
async fn export_locates_broken_bulk_rules_before_sending_anything() {
    let emu = Emulator::builder().start().await.unwrap();
    let dir = workdir("rules");
    let deep = "query Deep {\n  products {\n    nodes {\n      collections {\n        nodes {\n          products { nodes { id } }\n        }\n      }\n    }\n  }\n}\n";
    std::fs::write(dir.join("deep.graphql"), deep).unwrap();
    std::fs::write(dir.join("none.graphql"), "query None { shop { name } }\n").unwrap();
    let out = shopify_admin(&emu, &dir, &["export", "deep.graphql", "--out", "x.jsonl"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).trim(),
        "error: deep.graphql:6:11: connection `products` is nested 3 levels deep; bulk queries allow at most 2"
    );
    let out = shopify_admin(&emu, &dir, &["export", "none.graphql", "--out", "x.jsonl"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with(
            "error: none.graphql:1:1: a bulk query must select at least one connection"
        ),
        "{}",
        text(&out.stderr)
    );
    assert!(emu.requests().is_empty(), "nothing should reach the shop");
}

#[tokio::test]
async fn import_runs_a_bulk_mutation_and_reports_each_line() {
    let emu = Emulator::builder().start().await.unwrap();
    let dir = workdir("import");
    std::fs::write(
        dir.join("create.graphql"),
        "mutation Create($product: ProductCreateInput!) {\n  productCreate(product: $product) { product { id title } userErrors { field message } }\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("vars.jsonl"),
        "{\"product\":{\"title\":\"Imported A\"}}\n{\"product\":{\"title\":\"\"}}\n{\"product\":{\"title\":\"Imported B\"}}\n",
    )
    .unwrap();
    let out = shopify_admin(
        &emu,
        &dir,
        &["import", "create.graphql", "--variables", "vars.jsonl"],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "line 1: ok\nline 2: title: Title can't be blank\nline 3: ok\n"
    );
    assert!(text(&out.stderr).contains("2 lines ok, 1 failed"));
    let created: Vec<String> = emu
        .writes()
        .iter()
        .filter(|w| w.mutation == "productCreate")
        .map(|w| {
            w.arguments["product"]["title"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(created, ["Imported A", "Imported B"]);
}

#[tokio::test]
async fn export_by_name_writes_lines_the_generated_rows_decode() {
    let emu = Emulator::builder()
        .extra_products(10)
        .start()
        .await
        .unwrap();
    let dir = workdir("by_name_export");
    let graphql = graphql_dir();
    let out = shopify_admin(
        &emu,
        &dir,
        &[
            "export",
            "products_export",
            "--out",
            "out.jsonl",
            "--dir",
            &graphql,
        ],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = std::fs::read(dir.join("out.jsonl")).unwrap();
    let rows: Vec<products_export::Row> = file
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| products_export::Row::decode(l).unwrap())
        .collect();
    let products: HashSet<&str> = rows
        .iter()
        .filter(|r| matches!(r, products_export::Row::Product(_)))
        .filter_map(|r| r.id())
        .collect();
    let variants: Vec<&products_export::Row> = rows
        .iter()
        .filter(|r| matches!(r, products_export::Row::ProductVariant(_)))
        .collect();
    assert!(products.len() >= 10, "{}", products.len());
    assert!(variants.len() >= 30, "{}", variants.len());
    for v in variants {
        assert!(products.contains(v.parent_id().unwrap()), "{v:?}");
    }
}

#[tokio::test]
async fn import_by_name_runs_the_bulk_mutation_per_line() {
    let emu = Emulator::builder().start().await.unwrap();
    let dir = workdir("by_name_import");
    std::fs::write(
        dir.join("vars.jsonl"),
        "{\"product\":{\"title\":\"Named A\"}}\n{\"product\":{\"title\":\"Named B\"}}\n",
    )
    .unwrap();
    let graphql = graphql_dir();
    let out = shopify_admin(
        &emu,
        &dir,
        &[
            "import",
            "product_import",
            "--variables",
            "vars.jsonl",
            "--dir",
            &graphql,
        ],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "line 1: ok\nline 2: ok\n"
    );
    let titles: Vec<String> = emu
        .writes()
        .iter()
        .filter(|w| w.mutation == "productCreate")
        .map(|w| {
            w.arguments["product"]["title"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(titles, ["Named A", "Named B"]);
}
