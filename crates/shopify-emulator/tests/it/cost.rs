//! Query cost, the leaky bucket and throttling, as Shopify shapes them.

use std::time::Duration;

use serde_json::{Value, json};
use shopify_emulator::{App, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SHOP, Emulator};

use crate::support::Harness;

/// Five products: requested 2 + 5 × 1 = 7, and the demo shop has 28, so actual 7 too.
const FIVE_PRODUCTS: &str = "{ products(first: 5) { nodes { id } } }";

fn cost(body: &Value) -> &Value {
    &body["extensions"]["cost"]
}

#[tokio::test]
async fn shop_name_costs_one_point_and_reports_the_bucket() {
    let h = Harness::start().await;
    let body = h.gql("{ shop { name } }", json!({})).await;
    let cost = cost(&body);
    assert_eq!(cost["requestedQueryCost"], 1);
    assert_eq!(cost["actualQueryCost"], 1);
    assert_eq!(cost["throttleStatus"]["maximumAvailable"], 2000);
    assert_eq!(cost["throttleStatus"]["restoreRate"], 100);
    // 2000 - 1, or full again if the machine was slow enough to refill a point.
    let available = cost["throttleStatus"]["currentlyAvailable"]
        .as_u64()
        .unwrap();
    assert!((1999..=2000).contains(&available), "{available}");
}

#[tokio::test]
async fn a_products_page_requests_two_plus_its_items() {
    let h = Harness::start().await;
    let body = h
        .gql(
            "{ products(first: 10) { edges { node { id title } } } }",
            json!({}),
        )
        .await;
    assert_eq!(cost(&body)["requestedQueryCost"], 12);
    assert_eq!(cost(&body)["actualQueryCost"], 12);
}

#[tokio::test]
async fn the_cost_follows_variables_and_nested_connections_refund_what_they_lacked() {
    let h = Harness::start().await;
    let body = h
        .gql(
            "query Q($n: Int!) { products(first: $n) { nodes { id variants(first: 3) { nodes { id } } } } }",
            json!({"n": 5}),
        )
        .await;
    // Requested 2 + 5 × (1 + 2 + 3 × 1) = 32. The first five demo products have 4, 3, 2,
    // 2 and 1 variants: 2 + (3 + 3) + (3 + 3) + (3 + 2) + (3 + 2) + (3 + 1) = 28.
    assert_eq!(cost(&body)["requestedQueryCost"], 32);
    assert_eq!(cost(&body)["actualQueryCost"], 28);
}

#[tokio::test]
async fn fewer_items_than_asked_are_refunded_to_the_actual_cost() {
    // No refill, so the bucket shows exactly what the request cost.
    let h = Harness::with(Emulator::builder().bucket(100, 0)).await;
    let body = h
        .gql("{ products(first: 50) { nodes { id } } }", json!({}))
        .await;
    // 52 requested; the demo shop has 28 products: 2 + 28 = 30 actual.
    assert_eq!(
        cost(&body),
        &json!({"requestedQueryCost": 52, "actualQueryCost": 30,
            "throttleStatus": {"maximumAvailable": 100, "currentlyAvailable": 70, "restoreRate": 0}})
    );
    let stats = h.emu.stats();
    assert_eq!(
        (stats.points_requested, stats.points_charged, stats.executed),
        (52, 30, 1)
    );
}

#[tokio::test]
async fn an_unknown_object_costs_nothing() {
    let h = Harness::with(Emulator::builder().bucket(100, 0)).await;
    let body = h
        .gql(
            r#"{ product(id: "gid://shopify/Product/999999") { id title } }"#,
            json!({}),
        )
        .await;
    assert_eq!(body["data"], json!({"product": null}));
    assert_eq!(cost(&body)["requestedQueryCost"], 1);
    assert_eq!(cost(&body)["actualQueryCost"], 0);
    assert_eq!(cost(&body)["throttleStatus"]["currentlyAvailable"], 100);
}

#[tokio::test]
async fn a_resolver_error_keeps_data_and_the_cost_block() {
    let h = Harness::start().await;
    let body = h.gql("{ products { nodes { id } } }", json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    assert!(body.get("data").is_some(), "{body}");
    assert!(cost(&body)["requestedQueryCost"].is_u64(), "{body}");
}

#[tokio::test]
async fn a_static_error_has_no_cost_block() {
    let h = Harness::start().await;
    let body = h.gql("{ shop { nope } }", json!({})).await;
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["errors"]
    );
}

#[tokio::test]
async fn a_mutation_costs_ten() {
    let h = Harness::with(Emulator::builder().bucket(100, 0)).await;
    let body = h
        .gql(
            r#"mutation { productCreate(product: {title: "Cost probe"}) { product { id } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(cost(&body)["requestedQueryCost"], 10);
    assert_eq!(cost(&body)["actualQueryCost"], 10);
    assert_eq!(cost(&body)["throttleStatus"]["currentlyAvailable"], 90);
}

#[tokio::test]
async fn above_1000_points_is_max_cost_exceeded_without_a_cost_block() {
    let h = Harness::start().await;
    let body = h
        .gql(
            "{ products(first: 250) { nodes { variants(first: 250) { nodes { id } } } } }",
            json!({}),
        )
        .await;
    // Shopify's exact shape: no data, no extensions; 2 + 250 × (1 + 2 + 250) = 63252.
    insta::assert_json_snapshot!(body);
    let stats = h.emu.stats();
    assert_eq!((stats.max_cost_exceeded, stats.executed), (1, 0));
}

#[tokio::test]
async fn a_drained_bucket_answers_throttled() {
    let h = Harness::with(Emulator::builder().bucket(10, 0)).await;
    let first = h.gql(FIVE_PRODUCTS, json!({})).await;
    assert_eq!(cost(&first)["throttleStatus"]["currentlyAvailable"], 3);
    let second = h.gql(FIVE_PRODUCTS, json!({})).await;
    // Shopify's exact shape: HTTP 200, no data, the cost block without an actual cost.
    insta::assert_json_snapshot!(second);
    let stats = h.emu.stats();
    assert_eq!((stats.requests, stats.executed, stats.throttled), (2, 1, 1));
    // A throttled request takes nothing from the bucket.
    assert_eq!(
        h.emu.bucket(DEMO_CLIENT_ID, DEMO_SHOP).currently_available,
        3.0
    );
}

#[tokio::test]
async fn the_bucket_refills_over_time_up_to_its_size() {
    let h = Harness::with(Emulator::builder().bucket(10, 50)).await;
    let first = h.gql(FIVE_PRODUCTS, json!({})).await;
    assert!(first.get("data").is_some(), "{first}");
    assert!(h.emu.bucket(DEMO_CLIENT_ID, DEMO_SHOP).currently_available < 10.0);
    // 7 points at 50 per second take 140 ms; wait well beyond.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let refilled = h.emu.bucket(DEMO_CLIENT_ID, DEMO_SHOP);
    assert_eq!(refilled.currently_available, 10.0);
    let again = h.gql(FIVE_PRODUCTS, json!({})).await;
    assert!(again.get("data").is_some(), "{again}");
}

#[tokio::test]
async fn buckets_are_per_app_and_per_shop() {
    let h = Harness::with(
        Emulator::builder()
            .bucket(10, 0)
            .shop("other-store")
            .app(App::new("other-app", "other-secret", ["read_products"])),
    )
    .await;
    h.gql(FIVE_PRODUCTS, json!({})).await;
    let drained = h.gql(FIVE_PRODUCTS, json!({})).await;
    assert_eq!(drained["errors"][0]["extensions"]["code"], "THROTTLED");

    let other_app = h.exchange("other-app", "other-secret").await;
    let answer = h
        .try_post(&other_app, None, json!({"query": FIVE_PRODUCTS}))
        .await
        .unwrap();
    assert!(answer.body.get("data").is_some(), "{}", answer.body);

    let host = "other-store.myshopify.com";
    let other_shop = h
        .exchange_on(host, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
        .await;
    let answer = h
        .try_post(&other_shop, Some(host), json!({"query": FIVE_PRODUCTS}))
        .await
        .unwrap();
    assert!(answer.body.get("data").is_some(), "{}", answer.body);
    assert_eq!(
        h.emu.bucket("other-app", DEMO_SHOP).currently_available,
        3.0
    );
    assert_eq!(
        h.emu
            .bucket(DEMO_CLIENT_ID, "other-store")
            .currently_available,
        3.0
    );
}

#[tokio::test]
async fn a_request_larger_than_the_bucket_is_always_throttled() {
    let h = Harness::with(Emulator::builder().bucket(10, 1000)).await;
    let body = h
        .gql("{ products(first: 20) { nodes { id } } }", json!({}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "THROTTLED");
    assert_eq!(cost(&body)["requestedQueryCost"], 22);
}
