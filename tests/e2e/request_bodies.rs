//! The request body of every operation in `graphql/`, as the emulator received it.
//!
//! Why these snapshots exist: the query text is what Shopify validates and charges for,
//! and the variables show how scalars, enums and nested inputs are written and that unset
//! optional fields are left out. Each snapshot starts with the exact bytes on the wire
//! (only the per-call idempotency key redacted), then the same bytes laid out to read.
//! An operation without sample variables in `tests/support/samples.rs` fails here, so
//! coverage grows with the folder.

use serde_json::Value;
use shopify_e2e::{Harness, samples};
use shopify_queries::OPERATIONS;

/// Replaces the value of the `idempotencyKey` variable (a fresh UUID per call).
fn redact_idempotency_key(raw: &str) -> String {
    const KEY: &str = "\"idempotencyKey\":\"";
    let Some(start) = raw.find(KEY).map(|i| i + KEY.len()) else {
        return raw.to_owned();
    };
    let end = raw[start..].find('"').map_or(raw.len(), |i| start + i);
    format!("{}[idempotency key]{}", &raw[..start], &raw[end..])
}

/// The wire bytes, then the body readably: variables and operation name as JSON, then
/// the query text as sent.
fn render(raw: &str) -> String {
    let body: Value = serde_json::from_str(raw).expect("the client sends JSON");
    let query = body["query"].as_str().unwrap_or_default();
    let rest = serde_json::json!({
        "operationName": body["operationName"],
        "variables": body["variables"],
    });
    format!(
        "--- wire ---\n{raw}\n--- variables ---\n{}\n--- query ---\n{query}",
        serde_json::to_string_pretty(&rest).unwrap()
    )
}

#[tokio::test]
async fn every_operation_has_a_snapshot_of_the_body_the_emulator_received() {
    let harness = Harness::start().await.unwrap();
    let mut missing = Vec::new();
    for op in OPERATIONS {
        harness.emulator.clear_requests();
        // The answer does not matter here (a user error is fine): only what was sent.
        if samples::run(&harness.client, op.module).await.is_none() {
            missing.push(op.file);
            continue;
        }
        let requests = harness.emulator.requests();
        let sent: Vec<_> = requests
            .iter()
            .filter(|r| r.path.ends_with("/graphql.json"))
            .collect();
        assert_eq!(sent.len(), 1, "{}: one GraphQL request", op.name);
        let raw = redact_idempotency_key(&sent[0].raw_body);
        let body: Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(
            body["query"], op.query,
            "{} sends its generated text",
            op.name
        );
        assert_eq!(body["operationName"], op.name);
        insta::assert_snapshot!(op.module, render(&raw));
    }
    assert!(
        missing.is_empty(),
        "add sample variables to tests/support/samples.rs for: {missing:?}"
    );
}

#[test]
fn the_idempotency_key_is_redacted_and_nothing_else() {
    let raw = r#"{"variables":{"idempotencyKey":"0b6f-4c1e","x":1},"query":"q"}"#;
    assert_eq!(
        redact_idempotency_key(raw),
        r#"{"variables":{"idempotencyKey":"[idempotency key]","x":1},"query":"q"}"#
    );
    assert_eq!(redact_idempotency_key("{}"), "{}");
}

#[test]
fn decimals_and_unknown_enum_values_are_written_as_sent() {
    use shopify_queries::codec::ToJson;
    use shopify_queries::scalars::Decimal;
    use shopify_queries::types::ProductStatus;

    let price: Decimal = "19.90".parse().unwrap();
    assert_eq!(price.to_json(), Value::from("19.90"));
    assert_eq!(ProductStatus::Unknown("PREVIEW".into()).as_str(), "PREVIEW");
}
