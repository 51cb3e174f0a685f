//! The exact request body of every operation in `graphql/`.
//!
//! Why these snapshots exist: the query text is what Shopify validates and charges for,
//! and the variables show how scalars, enums and nested inputs are written and that unset
//! optional fields are left out. An operation without sample variables in
//! `tests/support/samples.rs` fails here, so coverage grows with the folder.

use serde_json::Value;
use shopify_e2e::samples;
use shopify_queries::OPERATIONS;

/// The body, readably: variables and operation name as JSON, then the query text as sent.
fn render(body: &Value) -> String {
    let query = body["query"].as_str().unwrap_or_default();
    let rest = serde_json::json!({
        "operationName": body["operationName"],
        "variables": body["variables"],
    });
    format!(
        "{}\n--- query ---\n{query}",
        serde_json::to_string_pretty(&rest).unwrap()
    )
}

#[test]
fn every_operation_has_a_request_body_snapshot() {
    let mut missing = Vec::new();
    for op in OPERATIONS {
        match samples::request_body(op.module) {
            Some(body) => {
                assert_eq!(
                    body["query"], op.query,
                    "{} sends its generated text",
                    op.name
                );
                assert_eq!(body["operationName"], op.name);
                insta::assert_snapshot!(op.module, render(&body));
            }
            None => missing.push(op.file),
        }
    }
    assert!(
        missing.is_empty(),
        "add sample variables to tests/support/samples.rs for: {missing:?}"
    );
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
