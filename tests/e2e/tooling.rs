//! The schema tooling commands: scopes, check, check-upgrade, schema pull, and the
//! emulator served for programs in any language.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use shopify_admin::{Cli, Env, Io, run};
use shopify_emulator::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Emulator};

async fn shopify_admin(args: &[&str], env: Env) -> (ExitCode, Io) {
    let cli =
        Cli::try_parse_from(std::iter::once("shopify-admin").chain(args.iter().copied())).unwrap();
    let mut io = Io::captured(env);
    let code = run(cli, &mut io).await.unwrap();
    (code, io)
}

/// Integration tests run in the package directory (`tests/`); the project is one up.
const GRAPHQL: &str = "../graphql";

#[tokio::test]
async fn scopes_lists_what_the_operations_need() {
    let (code, io) = shopify_admin(&["scopes"], Env::empty()).await;
    assert_eq!(code, ExitCode::SUCCESS);
    // The count is checked here, so adding an operation changes the snapshot only when
    // it needs a new scope.
    insta::assert_snapshot!(without_operation_count(&io.stdout_text()));
}

#[tokio::test]
async fn check_passes_the_projects_operations_with_cost_and_scopes() {
    let (code, io) = shopify_admin(&["check", "--dir", GRAPHQL], Env::empty()).await;
    assert_eq!(code, ExitCode::SUCCESS, "{}", io.stderr_text());
    let stdout = io.stdout_text();
    // `check` reads every file, bulk ones (`graphql/bulk/`) included.
    let files = shopify_queries::OPERATIONS.len() + shopify_queries::BULK_OPERATIONS.len();
    assert_eq!(stdout.lines().count(), files);
    assert!(
        stdout.contains("ok  ../graphql/products.graphql  query Products  cost 2 + $first × 1  scopes read_products"),
        "{stdout}"
    );
}

#[tokio::test]
async fn check_reports_located_errors_and_fails() {
    let dir = tempdir();
    let file = dir.join("shop_nmae.graphql");
    std::fs::write(&file, "query ShopNmae {\n  shop {\n    nmae\n  }\n}\n").unwrap();
    let path = file.to_str().unwrap();
    let (code, io) = shopify_admin(&["check", "--dir", GRAPHQL, path], Env::empty()).await;
    assert_eq!(code, ExitCode::FAILURE);
    assert_eq!(
        io.stderr_text(),
        format!(
            "error: {path}:3:5: type `Shop` does not have a field `nmae`; did you mean `name`?\n1 error in 1 file\n"
        )
    );
}

#[tokio::test]
async fn check_upgrade_to_unstable_reports_what_breaks() {
    let (code, io) = shopify_admin(
        &[
            "check-upgrade",
            "fixtures/admin_unstable.graphql.gz",
            "--dir",
            GRAPHQL,
        ],
        Env::empty(),
    )
    .await;
    assert_eq!(
        code,
        ExitCode::FAILURE,
        "something breaks, so the exit code says so"
    );
    let stdout = io.stdout_text();
    let n = shopify_queries::OPERATIONS.len() + shopify_queries::BULK_OPERATIONS.len();
    let headline = format!(
        "2026-10 → unstable: {n} operations: 1 breaking, 0 changed (not breaking), {} unchanged\n",
        n - 1
    );
    assert!(stdout.starts_with(&headline), "{stdout}");
    // The rest names only the operations that change, so a new one leaves it alone.
    insta::assert_snapshot!(&stdout[headline.len()..]);
}

#[tokio::test]
async fn schema_pull_from_the_emulator_round_trips_the_checked_in_schema() {
    let emulator = Emulator::builder().start().await.unwrap();
    let out = tempdir();
    let env = Env::from_pairs([
        ("SHOPIFY_SHOP", "demo"),
        ("SHOPIFY_CLIENT_ID", DEMO_CLIENT_ID),
        ("SHOPIFY_CLIENT_SECRET", DEMO_CLIENT_SECRET),
    ]);
    let url = emulator.url().to_string();
    let out_dir = out.to_str().unwrap();
    let (code, io) = shopify_admin(
        &[
            "schema",
            "pull",
            "--version",
            "2026-10",
            "--from",
            &url,
            "--out",
            out_dir,
        ],
        env,
    )
    .await;
    assert_eq!(code, ExitCode::SUCCESS, "{}", io.stderr_text());
    let pulled = std::fs::read_to_string(out.join("admin.graphql")).unwrap();
    assert!(
        pulled == shopify_schema::bundled_sdl(),
        "the pulled SDL is the checked-in SDL"
    );
    let stdout = io.stdout_text().replace(out_dir, "OUT");
    insta::assert_snapshot!(stdout);
    assert!(
        io.stderr_text().contains("requesting the 2026-10 schema"),
        "progress is shown"
    );
}

#[tokio::test]
async fn the_served_emulator_works_with_a_plain_http_client() {
    let cli = Cli::try_parse_from(["shopify-admin", "emulator", "--port", "0"]).unwrap();
    let mut io = Io::captured(Env::empty());
    let output = io.output().unwrap();
    let server = tokio::spawn(async move { run(cli, &mut io).await.map(|_| ()) });
    // Read the .env lines it prints, as a user would copy them.
    let mut lines = String::new();
    for _ in 0..200 {
        lines = output.stdout();
        if lines.contains("SHOPIFY_BASE_URL=") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let value = |name: &str| {
        lines
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} not printed:\n{lines}"))
            .to_owned()
    };
    let base = value("SHOPIFY_BASE_URL");
    assert_eq!(value("SHOPIFY_SHOP"), "demo");

    // Nothing from this workspace from here on: plain HTTP.
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("{base}/admin/oauth/access_token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", value("SHOPIFY_CLIENT_ID").as_str()),
            ("client_secret", value("SHOPIFY_CLIENT_SECRET").as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access_token = token["access_token"].as_str().unwrap();
    let answer: serde_json::Value = http
        .post(format!("{base}/admin/api/2026-10/graphql.json"))
        .header("X-Shopify-Access-Token", access_token)
        .json(&serde_json::json!({"query": "{ shop { name } products(first: 2) { nodes { title } } }"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["data"]["shop"]["name"], "Demo Shop");
    assert_eq!(
        answer["data"]["products"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    server.abort();
}

/// `text` with "the N operations" checked against the build and written "the N operations".
fn without_operation_count(text: &str) -> String {
    let count = format!("the {} operations", shopify_queries::OPERATIONS.len());
    assert!(text.contains(&count), "{text}");
    text.replace(&count, "the N operations")
}

pub(crate) fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "shopify-e2e-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[tokio::test]
async fn check_of_one_file_does_not_call_the_shared_fragments_unused() {
    let (code, io) = shopify_admin(
        &["check", "--dir", GRAPHQL, "../graphql/shop_info.graphql"],
        Env::empty(),
    )
    .await;
    assert_eq!(code, ExitCode::SUCCESS, "{}", io.stderr_text());
    assert_eq!(
        io.stderr_text(),
        "",
        "no warning about fragments other files use"
    );
    assert!(
        io.stdout_text()
            .starts_with("ok  ../graphql/shop_info.graphql  query ShopInfo")
    );
}

#[tokio::test]
async fn check_of_a_named_fragment_file_still_says_it_is_unused() {
    let (code, io) = shopify_admin(
        &[
            "check",
            "--dir",
            GRAPHQL,
            "../graphql/shop_info.graphql",
            "../graphql/fragments/money_fields.graphql",
        ],
        Env::empty(),
    )
    .await;
    assert_eq!(code, ExitCode::SUCCESS, "{}", io.stderr_text());
    assert!(
        io.stderr_text()
            .contains("fragment `MoneyFields` is not used by any operation"),
        "{}",
        io.stderr_text()
    );
}
