//! Static errors, pinned as golden snapshots. They exist because clients parse these shapes.
//! What they pin is what the live Admin API was seen to answer (the project's design notes
//! record responses from 2025-01 to 2026-07; no copy of them is in this repository):
//! - HTTP 200 whatever the error, and the body holds `errors` only: no `data`, no
//!   `extensions`, no cost;
//! - graphql-ruby's wording, e.g. `Field 'definitelyNotAProductField' doesn't exist on
//!   type 'Product'`, with camelCase `extensions.code` (`undefinedField`,
//!   `selectionMismatch`, `missingRequiredArguments`, ...);
//! - each error has `message, locations, path, extensions`, and `path` starts with
//!   `"query OpName"` (bare `"query"` when anonymous); parse errors have no `path`;
//! - variable errors are `INVALID_VARIABLE` with `value` and `problems`.
//!
//! Shopify's public docs describe the envelope (<https://shopify.dev/docs/api/admin-graphql#status_and_error_codes>)
//! but not this wording, so the snapshots, not the docs, are the reference here.

use serde_json::{Value, json};

use crate::support::Harness;

/// Runs `query` and snapshots the response after checking the static-error envelope.
async fn check(h: &Harness, name: &str, query: &str, variables: Value) {
    let body = h.gql(query, variables).await;
    let object = body.as_object().unwrap();
    assert_eq!(
        object.keys().collect::<Vec<_>>(),
        vec!["errors"],
        "static errors come alone: {body:#}"
    );
    insta::assert_json_snapshot!(name, body);
}

#[tokio::test]
async fn static_errors_match_graphql_ruby() {
    let h = Harness::start().await;
    check(
        &h,
        "undefined_field",
        "query ProductTitles {\n  products(first: 1) {\n    nodes { definitelyNotAProductField }\n  }\n}",
        json!({}),
    )
    .await;
    check(&h, "selection_mismatch", "{\n  shop\n}", json!({})).await;
    check(
        &h,
        "selections_on_a_scalar",
        "query Shop {\n  shop { name { first } }\n}",
        json!({}),
    )
    .await;
    check(
        &h,
        "missing_required_arguments",
        "mutation Segment {\n  segmentCreate { segment { id } }\n}",
        json!({}),
    )
    .await;
    check(
        &h,
        "argument_not_accepted",
        "query {\n  products(first: 1, colour: \"red\") { nodes { id } }\n}",
        json!({}),
    )
    .await;
    check(
        &h,
        "argument_literals_incompatible_enum",
        "mutation Create {\n  productCreate(product: {title: \"Hat\", status: PUBLISHED}) {\n    product { id }\n  }\n}",
        json!({}),
    )
    .await;
    check(
        &h,
        "argument_literals_incompatible_int",
        "query Page {\n  products(first: \"ten\") { nodes { id } }\n}",
        json!({}),
    )
    .await;
    check(
        &h,
        "input_object_unknown_field",
        "mutation Create {\n  productCreate(product: {title: \"Hat\", colour: \"red\"}) {\n    product { id }\n  }\n}",
        json!({}),
    )
    .await;
    check(
        &h,
        "variable_not_used",
        "query Unused($id: ID!) {\n  shop { name }\n}",
        json!({"id": "gid://shopify/Product/1"}),
    )
    .await;
    check(
        &h,
        "variable_not_defined",
        "query Undeclared {\n  product(id: $id) { title }\n}",
        json!({}),
    )
    .await;
    check(
        &h,
        "undefined_type",
        "query Frag {\n  shop { ...F }\n}\nfragment F on NotAType { name }",
        json!({}),
    )
    .await;
    check(
        &h,
        "undefined_directive",
        "query Dir {\n  shop { name @nope }\n}",
        json!({}),
    )
    .await;
    check(
        &h,
        "fragment_not_used",
        "query Shop {\n  shop { name }\n}\nfragment Unused on Shop { email }",
        json!({}),
    )
    .await;
    check(
        &h,
        "undefined_fragment",
        "query Shop {\n  shop { ...Missing }\n}",
        json!({}),
    )
    .await;
    check(
        &h,
        "several_errors_at_once",
        "query Many {\n  shop { nme }\n  products(first: 1) { nodes { titel } }\n}",
        json!({}),
    )
    .await;
    check(
        &h,
        "no_follow_on_error_for_a_variable_used_in_an_invalid_field",
        "query Follow($id: ID!) {\n  notAField(id: $id) { id }\n}",
        json!({"id": "gid://shopify/Product/1"}),
    )
    .await;
}

#[tokio::test]
async fn syntax_errors_are_parse_errors_without_path() {
    let h = Harness::start().await;
    check(
        &h,
        "parse_error_eof",
        "query {\n  shop {\n    name",
        json!({}),
    )
    .await;
    check(
        &h,
        "parse_error_token",
        "query {\n  shop { name } }\n}",
        json!({}),
    )
    .await;
}

#[tokio::test]
async fn bad_variables_are_invalid_variable() {
    let h = Harness::start().await;
    check(
        &h,
        "invalid_variable_missing_input_field",
        "mutation Update($input: OrderInput!) {\n  orderUpdate(input: $input) { order { id } }\n}",
        json!({"input": {"note": "hi"}}),
    )
    .await;
    check(
        &h,
        "invalid_variable_null",
        "query One($id: ID!) {\n  product(id: $id) { title }\n}",
        json!({}),
    )
    .await;
    check(
        &h,
        "invalid_variable_enum_and_unknown_field",
        "mutation Create($product: ProductCreateInput!) {\n  productCreate(product: $product) { product { id } }\n}",
        json!({"product": {"title": "Hat", "status": "PUBLISHED", "colour": "red"}}),
    )
    .await;
}

#[tokio::test]
async fn malformed_global_ids_are_refused() {
    let h = Harness::start().await;
    check(
        &h,
        "invalid_global_id_literal",
        "query {\n  node(id: \"1234\") { id }\n}",
        json!({}),
    )
    .await;
    check(
        &h,
        "invalid_global_id_variable",
        "query One($id: ID!) {\n  node(id: $id) { id }\n}",
        json!({"id": "not-a-gid"}),
    )
    .await;
}
