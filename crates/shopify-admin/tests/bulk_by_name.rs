//! `export` and `import` given the name of an operation in `graphql/bulk/` (the project's
//! own `products_export` and `product_import`), through the binary against an emulator.
//! The exported file decodes line by line into the rows generated from the same file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use shopify_emulator::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SHOP, Emulator, RunningEmulator};
use shopify_queries::bulk::BulkRow;
use shopify_queries::products_export;

/// The workspace's `graphql/` folder.
fn graphql_dir() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../graphql")
        .display()
        .to_string()
}

fn workdir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("bulk_by_name_{name}"));
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

#[tokio::test]
async fn export_by_name_writes_lines_the_generated_rows_decode() {
    let emu = Emulator::builder()
        .extra_products(10)
        .start()
        .await
        .unwrap();
    let dir = workdir("export");
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
    let dir = workdir("import");
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
