//! The short version of every fuzz target (issue 12), plus the inputs that once failed.
//! The long run is `cargo bench --workspace --bench fuzz`.

use crate::fuzz_targets::{Report, targets};

/// Cases per unit of a target's weight: the whole short suite takes seconds on a debug
/// build. `FUZZ_CASES_PER_WEIGHT` runs more (a longer run on a debug build).
const CASES_PER_WEIGHT: u32 = 4;
const SEED: u64 = 12;

fn check(report: &Report) {
    assert!(
        report.panics == 0 && report.hangs == 0,
        "{}: {} panics, {} hangs in {} cases; first: {}",
        report.target,
        report.panics,
        report.hangs,
        report.cases,
        report.first_failure.as_deref().unwrap_or("-")
    );
    assert!(report.cases > 0, "{}: no cases ran", report.target);
}

fn short(name: &str) {
    let target = targets()
        .into_iter()
        .find(|t| t.name == name)
        .expect("a target of that name");
    let per_weight = std::env::var("FUZZ_CASES_PER_WEIGHT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(CASES_PER_WEIGHT);
    let report = (target.run)(target.weight * per_weight, SEED);
    eprintln!(
        "fuzz: {:<18} cases={} panics={} hangs={} slowest={:?}",
        report.target, report.cases, report.panics, report.hangs, report.slowest
    );
    check(&report);
}

#[test]
fn fuzz_shop_domains() {
    short("shop_domain");
}

#[test]
fn fuzz_dotenv_files() {
    short("dotenv");
}

#[test]
fn fuzz_token_endpoint_answers() {
    short("token_answer");
}

#[test]
fn fuzz_graphql_answers_into_the_client() {
    short("graphql_answer");
}

#[test]
fn fuzz_documents_into_codegen() {
    short("codegen_document");
}

#[test]
fn fuzz_http_requests_into_the_served_emulator() {
    short("emulator_http");
}

#[test]
fn fuzz_bulk_lines_into_the_generated_row_decoders() {
    short("bulk_rows");
}

#[test]
fn fuzz_schema_files_into_the_readers() {
    short("schema_file");
}

#[test]
fn every_target_has_a_short_test() {
    let names: Vec<&str> = targets().iter().map(|t| t.name).collect();
    let source = include_str!("fuzz.rs");
    for name in names {
        assert!(
            source.contains(&format!("short(\"{name}\")")),
            "{name} has no short test"
        );
    }
}

// Inputs that once failed, kept as they were found.

#[test]
fn regression_a_punycode_handle_the_url_parser_refuses_is_an_error_not_a_panic() {
    // Was accepted by `ShopDomain::parse`, then `url()` panicked (IdnaError).
    for input in ["xn--", "xn--.myshopify.com", "https://XN--/"] {
        assert!(
            shopify_auth::ShopDomain::parse(input).is_err(),
            "{input} was accepted"
        );
    }
}

#[test]
fn regression_the_secret_text_as_another_value_is_not_a_leak_but_the_secret_alone_is_checked() {
    // The full run (seed 12) wrote the secret's text as shop and client id too; the client
    // id then showed it, which is no leak. The check still holds for the secret alone.
    let elsewhere = [
        "SHOPIFY_CLIENT_SECRET = fuzz-secret-0f3a9c".to_owned(),
        "SHOPIFY_SHOP='fuzz-secret-0f3a9c".to_owned(),
        "'".to_owned(),
    ];
    assert!(crate::fuzz_targets::secret_text_elsewhere(&elsewhere));
    let alone = ["SHOPIFY_CLIENT_SECRET=fuzz-secret-0f3a9c".to_owned()];
    assert!(!crate::fuzz_targets::secret_text_elsewhere(&alone));
}

#[tokio::test]
async fn regression_a_throttled_answer_with_a_huge_requested_cost_is_an_error_not_a_panic() {
    // Found by the full run: `requestedQueryCost: 1e308` on a THROTTLED answer made the
    // client's wait overflow `Duration` (a panic in `classify`).
    let body = serde_json::json!({
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
        "extensions": {"cost": {"requestedQueryCost": 1e308, "actualQueryCost": null,
            "throttleStatus": {"maximumAvailable": 2000, "currentlyAvailable": 0, "restoreRate": 100}}}
    })
    .to_string();
    let app = axum::Router::new().fallback(move || {
        let body = body.clone();
        async move { ([("content-type", "application/json")], body) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    shopify_auth::install_crypto_provider();
    let client = shopify_queries::Client::builder()
        .token_source(
            shopify_auth::ShopDomain::parse("fuzz").unwrap(),
            std::sync::Arc::new(shopify_auth::StaticToken::new("shpat_fuzz_token")),
        )
        .base_url(url::Url::parse(&format!("http://{addr}")).unwrap())
        .retry(shopify_queries::RetryPolicy::none())
        .build()
        .unwrap();

    let result =
        shopify_queries::shop_info(&client, shopify_queries::shop_info::Variables {}).await;

    let error = result.unwrap_err();
    assert!(
        error.to_string().contains("Throttled") || format!("{error:?}").contains("THROTTLED"),
        "{error:?}"
    );
}
