//! The `shopify-admin` binary itself, run as a user runs it (its own process, from the
//! project root), for the claims the README makes about it that need no shop: `scopes
//! --verbose`, `check-upgrade <version>` (the schema package, from a local fixture of it)
//! and `schema pull` from a public endpoint (a stand-in served over loopback).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};

use shopify_emulator::Emulator;

/// The project root: where `graphql/` and `schema/` are.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the binary in the project root with no `SHOPIFY_*` variable but `env`.
async fn shopify_admin(args: &[&str], env: &[(&str, &str)]) -> Output {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_shopify-admin"));
        command.current_dir(root()).args(&args);
        for (name, _) in std::env::vars() {
            if name.starts_with("SHOPIFY_") || name == "RUST_LOG" {
                command.env_remove(name);
            }
        }
        command.envs(env);
        command.output().unwrap()
    })
    .await
    .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shopify-admin-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn scopes_verbose_lists_each_operation_then_the_union_and_what_it_leaves_implied() {
    let output = shopify_admin(&["scopes", "--verbose"], &[]).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    // One line per operation, whatever their number.
    for op in shopify_queries::OPERATIONS {
        let line = stdout
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(op.name))
            .unwrap_or_else(|| panic!("{} is not listed:\n{stdout}", op.name));
        let expected: Vec<String> = op.required_scopes.iter().map(|c| c.join(" | ")).collect();
        let expected = if expected.is_empty() {
            "(none documented)".to_owned()
        } else {
            expected.join(", ")
        };
        assert!(line.ends_with(&expected), "{line}");
    }
    assert!(stdout.contains("#   ProductCreate                    write_products\n"));
    assert!(stdout.contains("#   Products                         read_products\n"));
    let union = stdout
        .lines()
        .skip_while(|l| !l.starts_with("# Access scopes for the"))
        .nth(1)
        .unwrap();
    assert!(union.split(',').any(|s| s == "write_products"), "{union}");
    assert!(!union.split(',').any(|s| s == "read_products"), "{union}");
    assert!(
        stdout.ends_with("# Not listed because a write_ scope above grants them: read_customers, read_draft_orders, read_inventory, read_metaobjects, read_products\n"),
        "{stdout}"
    );
}

/// A stand-in for `@shopify/dev-mcp` as `npm pack` fetches it: the package layout with
/// `dist/data/admin_<version>.json.gz`, an introspection result (here the checked-in
/// schema's, as the emulator answers it), packed as a local tarball.
async fn schema_package_fixture(version: &str, label: &str) -> PathBuf {
    let emulator = Emulator::builder().in_process().unwrap();
    let (status, answer) = emulator.graphql(&serde_json::json!({ "query": INTROSPECTION }));
    assert_eq!(status, 200, "{answer}");
    assert!(answer.get("errors").is_none(), "{answer}");
    let dir = tempdir(&format!("package-{label}"));
    let data = dir.join("src/package/dist/data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        dir.join("src/package/package.json"),
        r#"{"name": "@shopify/dev-mcp", "version": "1.16.0"}"#,
    )
    .unwrap();
    let file = std::fs::File::create(data.join(format!("admin_{version}.json.gz"))).unwrap();
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    gz.write_all(answer.to_string().as_bytes()).unwrap();
    gz.finish().unwrap();
    let tarball = dir.join("dev-mcp-fixture.tgz");
    let status = std::process::Command::new("tar")
        .arg("czf")
        .arg(&tarball)
        .arg("-C")
        .arg(dir.join("src"))
        .arg("package")
        .status()
        .unwrap();
    assert!(status.success());
    tarball
}

#[tokio::test]
async fn check_upgrade_to_a_version_fetches_the_schema_package_with_npm() {
    let package = schema_package_fixture("2027-01", "fetch").await;
    let output = shopify_admin(&["check-upgrade", "2027-01"], &npm_env(&package)).await;
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("fetching the 2027-01 Admin schema: npm pack "),
        "{stderr}"
    );
    // check-upgrade reads every file, bulk operations included.
    let n = shopify_queries::OPERATIONS.len() + shopify_queries::BULK_OPERATIONS.len();
    // The same types under another version: nothing breaks. (The emulator's introspection
    // carries no `requiredAccess`, so scopes read as changed; the real package's does.)
    let stdout = text(&output.stdout);
    assert!(
        stdout.starts_with(&format!("2026-10 → 2027-01: {n} operations: 0 breaking, ")),
        "{stdout}"
    );
}

#[tokio::test]
async fn check_upgrade_to_a_version_the_package_lacks_says_so() {
    let package = schema_package_fixture("2027-01", "lacks").await;
    let output = shopify_admin(&["check-upgrade", "2027-04"], &npm_env(&package)).await;
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("has no Admin schema for 2027-04"),
        "{}",
        text(&output.stderr)
    );
}

/// Points the fetcher at the fixture; npm stays off the network.
fn npm_env(package: &Path) -> Vec<(&'static str, &str)> {
    vec![
        ("SHOPIFY_SCHEMA_PACKAGE", package.to_str().unwrap()),
        ("npm_config_offline", "true"),
        ("npm_config_update_notifier", "false"),
        ("npm_config_fund", "false"),
        ("npm_config_audit", "false"),
    ]
}

/// What a public schema endpoint stand-in received: (path, had an access token).
type Seen = Arc<Mutex<Vec<(String, bool)>>>;

#[tokio::test]
async fn schema_pull_from_a_public_endpoint_asks_it_without_credentials() {
    let emulator = Emulator::builder().in_process().unwrap();
    let seen: Seen = Arc::default();
    let app = {
        let seen = seen.clone();
        axum::Router::new().route(
            "/admin-graphql-direct-proxy/{version}",
            axum::routing::post(
                move |uri: axum::http::Uri,
                      headers: axum::http::HeaderMap,
                      axum::Json(body): axum::Json<serde_json::Value>| {
                    let emulator = emulator.clone();
                    let seen = seen.clone();
                    async move {
                        seen.lock().unwrap().push((
                            uri.path().to_owned(),
                            headers.contains_key("x-shopify-access-token"),
                        ));
                        let (status, answer) = emulator.graphql(&body);
                        (
                            axum::http::StatusCode::from_u16(status).unwrap(),
                            axum::Json(answer),
                        )
                    }
                },
            ),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/admin-graphql-direct-proxy/2026-10",
        listener.local_addr().unwrap()
    );
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let out = tempdir("pull");

    let output = shopify_admin(
        &[
            "schema",
            "pull",
            "--version",
            "2026-10",
            "--from",
            &url,
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    )
    .await;

    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("requesting the 2026-10 schema from {url}")),
        "{stderr}"
    );
    let pulled = std::fs::read_to_string(out.join("admin.graphql")).unwrap();
    assert!(
        pulled == shopify_schema::bundled_sdl(),
        "the pulled SDL is the checked-in SDL"
    );
    let seen = seen.lock().unwrap().clone();
    assert!(!seen.is_empty());
    assert!(
        seen.iter()
            .all(|(path, token)| path == "/admin-graphql-direct-proxy/2026-10" && !token),
        "asked as is, without credentials: {seen:?}"
    );
    server.abort();
}

/// The standard introspection query without `isOneOf`, which apollo-compiler 1.x (the
/// emulator's engine) cannot answer.
const INTROSPECTION: &str = "query IntrospectionQuery { __schema { description queryType { name } mutationType { name } subscriptionType { name } types { ...FullType } directives { name description isRepeatable locations args(includeDeprecated: true) { ...InputValue } } } }
fragment FullType on __Type { kind name description specifiedByURL fields(includeDeprecated: true) { name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason } inputFields(includeDeprecated: true) { ...InputValue } interfaces { name } enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason } possibleTypes { name } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue isDeprecated deprecationReason }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";

#[tokio::test]
async fn an_auth_failure_is_reported_once_without_colour_codes_or_shop_domain_advice() {
    let emulator = Emulator::builder().start().await.unwrap();
    let base = emulator.url().to_string();
    let output = shopify_admin(
        &["products"],
        &[
            ("SHOPIFY_SHOP", "demo"),
            ("SHOPIFY_CLIENT_ID", shopify_emulator::DEMO_CLIENT_ID),
            ("SHOPIFY_CLIENT_SECRET", "not-the-secret"),
            ("SHOPIFY_BASE_URL", &base),
        ],
    )
    .await;
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert_eq!(
        stderr.matches("rejected the client id or secret").count(),
        1,
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "one failure, one line: {stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "no colour codes into a pipe: {stderr:?}"
    );
    assert!(!stderr.contains("not-the-secret"), "{stderr}");
    assert!(!stderr.contains("shop domain"), "{stderr}");
}

#[tokio::test]
async fn an_unreachable_base_url_is_blamed_rather_than_the_shop_domain() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let output = shopify_admin(
        &["products"],
        &[
            ("SHOPIFY_SHOP", "demo"),
            ("SHOPIFY_CLIENT_ID", "id"),
            ("SHOPIFY_CLIENT_SECRET", "secret"),
            ("SHOPIFY_BASE_URL", &base),
        ],
    )
    .await;
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "could not get a token for demo.myshopify.com from {base}: the connection failed; check that the emulator or proxy at that base URL (SHOPIFY_BASE_URL) is running"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("shop domain"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// `RUST_LOG` is read as `target=level` directives (no `env-filter`, so no regex in the
/// build): a list that does not parse is reported once and the default kept, not fatal.
#[tokio::test]
async fn rust_log_directives_filter_logs_and_a_bad_list_is_reported_not_fatal() {
    let bad = shopify_admin(
        &["products", "--first", "1"],
        &[("RUST_LOG", "x=notalevel")],
    )
    .await;
    assert!(bad.status.success(), "{}", text(&bad.stderr));
    let stderr = text(&bad.stderr);
    assert_eq!(
        stderr.matches("RUST_LOG=\"x=notalevel\" ignored").count(),
        1,
        "{stderr}"
    );

    let quiet = shopify_admin(&["products", "--first", "1"], &[("RUST_LOG", "off")]).await;
    assert!(quiet.status.success(), "{}", text(&quiet.stderr));
    let chatty = shopify_admin(
        &["products", "--first", "1"],
        &[("RUST_LOG", "warn,shopify_client=trace,shopify_auth=trace")],
    )
    .await;
    assert!(chatty.status.success(), "{}", text(&chatty.stderr));
    // The client's own lines appear only when its target is let through.
    assert!(!text(&quiet.stderr).contains("shopify_client"));
    assert!(
        text(&chatty.stderr).contains("shopify_client")
            || text(&chatty.stderr).contains("shopify_auth"),
        "{}",
        text(&chatty.stderr)
    );
}

/// A configured shop (the emulator) plus `SHOPIFY_REDIS_URL` naming a port nothing listens on.
async fn products_with_a_redis_url() -> (Output, String) {
    let emulator = Emulator::builder().start().await.unwrap();
    let base = emulator.url().to_string();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = shopify_admin(
        &["products"],
        &[
            ("SHOPIFY_SHOP", "demo"),
            ("SHOPIFY_CLIENT_ID", shopify_emulator::DEMO_CLIENT_ID),
            (
                "SHOPIFY_CLIENT_SECRET",
                shopify_emulator::DEMO_CLIENT_SECRET,
            ),
            ("SHOPIFY_BASE_URL", &base),
            ("SHOPIFY_REDIS_URL", &format!("redis://127.0.0.1:{port}")),
        ],
    )
    .await;
    let stderr = text(&output.stderr);
    (output, stderr)
}

/// Built with `--features redis` (as `cargo test --workspace` builds it): the CLI joins the
/// fleet, and Redis being down is not an outage: the products print, the log says so once.
#[cfg(feature = "redis")]
#[tokio::test]
async fn with_the_redis_feature_a_redis_url_is_used_and_redis_down_is_no_outage() {
    let (output, stderr) = products_with_a_redis_url().await;
    assert!(output.status.success(), "{stderr}");
    let stdout = text(&output.stdout);
    assert!(stdout.contains("gid://shopify/Product/1001"), "{stdout}");
    assert_eq!(stderr.matches("Redis unreachable").count(), 1, "{stderr}");
}

/// Built without it (`cargo test -p shopify-admin`, the CLI's default): a set URL is refused,
/// saying how to turn Redis on, rather than ignored (a fleet member pacing alone overruns
/// the shared budget).
#[cfg(not(feature = "redis"))]
#[tokio::test]
async fn without_the_redis_feature_a_redis_url_is_refused_saying_how_to_build_it() {
    let (output, stderr) = products_with_a_redis_url().await;
    assert!(!output.status.success());
    assert!(
        stderr.contains("SHOPIFY_REDIS_URL is set, but this build has no Redis support")
            && stderr.contains("cargo run -p shopify-admin --features redis"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}
