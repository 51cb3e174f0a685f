//! `@idempotent(key:)`: required where the schema says so, replays by key; and
//! `inventorySetQuantities` applied for real to the demo inventory.

use serde_json::{Value, json};
use shopify_emulator::{App, Emulator};

use crate::support::Harness;

/// Item 3001 (Classic Cotton T-Shirt, S) at the Main Warehouse: 47 available, 49 on hand.
const ITEM: &str = "gid://shopify/InventoryItem/3001";
const LOCATION: &str = "gid://shopify/Location/1";

const SET: &str = "mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id reason changes { name delta quantityAfterChange item { id } location { id } } }
    userErrors { field message code }
  }
}";

fn input(quantity: i64, change_from: Value) -> Value {
    json!({
        "name": "available",
        "reason": "correction",
        "referenceDocumentUri": "gid://emulator-tests/Count/1",
        "quantities": [{"inventoryItemId": ITEM, "locationId": LOCATION,
            "quantity": quantity, "changeFromQuantity": change_from}],
    })
}

async fn set(h: &Harness, key: &str, input: Value) -> Value {
    h.gql(SET, json!({"input": input, "key": key})).await
}

/// `available` and `on_hand` of the item at the location, read through `Location`.
async fn quantities(h: &Harness) -> (i64, i64) {
    let data = h
        .data(
            "query Q($loc: ID!, $item: ID!) { location(id: $loc) {
               inventoryLevel(inventoryItemId: $item) { quantities(names: [\"available\", \"on_hand\"]) { name quantity } } } }",
            json!({"loc": LOCATION, "item": ITEM}),
        )
        .await;
    let list = data["location"]["inventoryLevel"]["quantities"]
        .as_array()
        .unwrap()
        .clone();
    let of = |name: &str| {
        list.iter()
            .find(|q| q["name"] == name)
            .and_then(|q| q["quantity"].as_i64())
            .unwrap()
    };
    (of("available"), of("on_hand"))
}

#[tokio::test]
async fn a_required_directive_that_is_missing_is_bad_request_with_the_cost_block() {
    let h = Harness::start().await;
    let body = h
        .gql(
            "mutation Set($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) { userErrors { message } } }",
            json!({"input": input(40, Value::Null)}),
        )
        .await;
    // As Shopify answers since 2026-04: the field nulled, BAD_REQUEST, and the cost block
    // (the 10 points taken were given back: nothing ran).
    insta::assert_json_snapshot!(body);
    assert_eq!(quantities(&h).await, (47, 49));
    assert_eq!(h.emu.stats().writes_of("inventorySetQuantities"), 0);
}

#[tokio::test]
async fn a_blank_key_is_refused_too() {
    let h = Harness::start().await;
    let body = set(&h, "  ", input(40, Value::Null)).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    assert_eq!(body["data"], json!({"inventorySetQuantities": null}));
}

#[tokio::test]
async fn set_quantities_applies_and_a_read_sees_it() {
    let h = Harness::start().await;
    let body = set(&h, "key-1", input(40, json!(47))).await;
    // Setting available moves on_hand by the same delta; the group is a new object.
    insta::assert_json_snapshot!(body["data"]);
    assert_eq!(quantities(&h).await, (40, 42));
    // Also through the location's connection of levels.
    let data = h
        .data(
            "query Q($loc: ID!) { location(id: $loc) { inventoryLevels(first: 1) { nodes { item { id } quantities(names: [\"available\"]) { quantity } } } } }",
            json!({"loc": LOCATION}),
        )
        .await;
    let level = &data["location"]["inventoryLevels"]["nodes"][0];
    assert_eq!(level["item"]["id"], ITEM);
    assert_eq!(level["quantities"][0]["quantity"], 40);
    assert_eq!(body["extensions"]["cost"]["actualQueryCost"], 10);
}

#[tokio::test]
async fn the_same_key_replays_the_first_result_without_writing_again() {
    let h = Harness::start().await;
    let first = set(&h, "same-key", input(40, Value::Null)).await;
    let second = set(&h, "same-key", input(40, Value::Null)).await;
    assert_eq!(first["data"], second["data"]);
    let stats = h.emu.stats();
    assert_eq!(
        (stats.writes_of("inventorySetQuantities"), stats.replays),
        (1, 1)
    );
    // A replay is not re-checked against today's quantities: with a compare-and-swap value
    // that is stale by now, the first answer still comes back.
    let cas_first = set(&h, "cas-key", input(30, json!(40))).await;
    let replay = set(&h, "cas-key", input(30, json!(40))).await;
    assert_eq!(cas_first["data"], replay["data"]);
    assert_eq!(quantities(&h).await, (30, 32));
}

#[tokio::test]
async fn a_different_key_writes_again() {
    let h = Harness::start().await;
    let first = set(&h, "key-a", input(40, Value::Null)).await;
    let second = set(&h, "key-b", input(40, Value::Null)).await;
    let group =
        |b: &Value| b["data"]["inventorySetQuantities"]["inventoryAdjustmentGroup"]["id"].clone();
    assert_ne!(group(&first), group(&second));
    assert_eq!(h.emu.stats().writes_of("inventorySetQuantities"), 2);
    let keys: Vec<Option<String>> = h
        .emu
        .writes()
        .into_iter()
        .map(|w| w.idempotency_key)
        .collect();
    assert_eq!(keys, [Some("key-a".to_owned()), Some("key-b".to_owned())]);
}

#[tokio::test]
async fn keys_are_per_app() {
    let h = Harness::with(Emulator::builder().app(App::new(
        "other-app",
        "other-secret",
        ["read_inventory", "write_inventory"],
    )))
    .await;
    set(&h, "shared-key", input(40, Value::Null)).await;
    let other = h.exchange("other-app", "other-secret").await;
    let answer = h
        .try_post(&other, None, json!({"query": SET, "variables": {"input": input(41, Value::Null), "key": "shared-key"}}))
        .await
        .unwrap();
    assert!(answer.body.get("errors").is_none(), "{}", answer.body);
    assert_eq!(h.emu.stats().writes_of("inventorySetQuantities"), 2);
    assert_eq!(quantities(&h).await.0, 41);
}

#[tokio::test]
async fn a_stale_change_from_quantity_is_a_user_error_and_writes_nothing() {
    let h = Harness::start().await;
    let body = set(&h, "stale", input(40, json!(46))).await;
    assert_eq!(
        body["data"]["inventorySetQuantities"],
        json!({"inventoryAdjustmentGroup": null, "userErrors": [{
            "field": ["input", "quantities", "0", "changeFromQuantity"],
            "message": "The changeFromQuantity value does not match persisted value.",
            "code": "CHANGE_FROM_QUANTITY_STALE"}]})
    );
    assert_eq!(quantities(&h).await, (47, 49));
    assert_eq!(h.emu.stats().writes_of("inventorySetQuantities"), 0);
}

#[tokio::test]
async fn change_from_quantity_must_be_sent_even_as_null() {
    let h = Harness::start().await;
    let mut without = input(40, Value::Null);
    without["quantities"][0]
        .as_object_mut()
        .unwrap()
        .remove("changeFromQuantity");
    let body = set(&h, "absent", without).await;
    let errors = &body["data"]["inventorySetQuantities"]["userErrors"];
    assert_eq!(errors[0]["code"], "COMPARE_QUANTITY_REQUIRED", "{body}");
    assert_eq!(quantities(&h).await, (47, 49));
}

#[tokio::test]
async fn unknown_items_names_and_reasons_are_user_errors() {
    let h = Harness::start().await;
    let mut bad_item = input(1, Value::Null);
    bad_item["quantities"][0]["inventoryItemId"] = json!("gid://shopify/InventoryItem/999999");
    let mut bad_name = input(1, Value::Null);
    bad_name["name"] = json!("committed");
    let mut bad_reason = input(1, Value::Null);
    bad_reason["reason"] = json!("because");
    for (i, (input, code)) in [
        (bad_item, "INVALID_INVENTORY_ITEM"),
        (bad_name, "INVALID_NAME"),
        (bad_reason, "INVALID_REASON"),
    ]
    .into_iter()
    .enumerate()
    {
        let body = set(&h, &format!("bad-{i}"), input).await;
        let errors = &body["data"]["inventorySetQuantities"]["userErrors"];
        assert_eq!(errors[0]["code"], code, "{body}");
    }
    assert_eq!(h.emu.stats().writes_of("inventorySetQuantities"), 0);
}

#[tokio::test]
async fn product_writes_are_counted_and_user_errors_are_not() {
    let h = Harness::start().await;
    let create = |title: &str| {
        format!(
            r#"mutation {{ productCreate(product: {{title: "{title}"}}) {{ product {{ id }} userErrors {{ message }} }} }}"#
        )
    };
    h.gql(&create("Counted"), json!({})).await;
    h.gql(&create(""), json!({})).await;
    let stats = h.emu.stats();
    assert_eq!(stats.writes_of("productCreate"), 1);
    let writes = h.emu.writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].mutation, "productCreate");
    assert_eq!(writes[0].arguments["product"]["title"], "Counted");
    assert_eq!(writes[0].idempotency_key, None);
}
