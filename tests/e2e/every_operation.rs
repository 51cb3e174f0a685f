//! Every operation in `graphql/`, sent with its sample variables to a fresh emulator,
//! decodes into its generated types and did what it is for:
//! - a mutation answers its object with no user error, applied exactly one write, and a
//!   query afterwards reads the write back;
//! - no answer holds a value the emulator made up because its data lacked a non-null
//!   field (`Stats::made_up_values`), so the selected fields carry real data.

use serde_json::{Value, json};
use shopify_e2e::{Harness, samples};
use shopify_queries::{API_VERSION, OPERATIONS, OperationKind};

/// Operations whose answers the emulator still partly makes up, with why. Keep it empty:
/// an entry is a known gap, not a pass.
const MADE_UP_ALLOWED: &[&str] = &[
    // The emulator has no app-installation record (launch URL, app handle and title).
    "CurrentAppInstallation",
];

/// Runs `query` with `variables` and returns its `data`, failing on any error.
async fn read(harness: &Harness, query: &str, variables: Value) -> Value {
    let body = json!({"query": query, "variables": variables});
    let response = harness
        .client
        .execute_raw(API_VERSION, &body)
        .await
        .unwrap_or_else(|e| panic!("read-back {query}: {e}"));
    response.data
}

/// The one root field of a mutation's `data`.
fn payload(data: &Value) -> &Value {
    let map = data.as_object().expect("data is an object");
    assert_eq!(map.len(), 1, "one root field: {data}");
    map.values().next().expect("one root field")
}

/// Reads back what mutation `module` wrote, given its payload; asserts the write is there.
async fn read_back(harness: &Harness, module: &str, payload: &Value) {
    match module {
        "bulk_operation_run_query" => {
            let id = &payload["bulkOperation"]["id"];
            // A run moves one status on per read (CREATED, RUNNING, COMPLETED).
            let mut data = Value::Null;
            for _ in 0..5 {
                data = read(
                    harness,
                    "query($id: ID!) { node(id: $id) { ... on BulkOperation { status objectCount } } }",
                    json!({"id": id}),
                )
                .await;
                if data["node"]["status"] == "COMPLETED" {
                    break;
                }
            }
            assert_eq!(data["node"]["status"], "COMPLETED", "{data}");
            assert_ne!(data["node"]["objectCount"], "0");
        }
        "collection_create" => {
            assert_eq!(payload["collection"]["handle"], "summer-linen");
            let data = read(
                harness,
                "{ collectionByIdentifier(identifier: {handle: \"summer-linen\"}) { title sortOrder products(first: 10) { nodes { id } } } }",
                json!({}),
            )
            .await;
            let collection = &data["collectionByIdentifier"];
            assert_eq!(collection["title"], "Summer Linen");
            assert_eq!(collection["sortOrder"], "BEST_SELLING");
            // The automated rule (tagged `linen`) picked the seeded linen products.
            assert_eq!(
                collection["products"]["nodes"],
                json!([{"id": "gid://shopify/Product/1003"}, {"id": "gid://shopify/Product/1016"}])
            );
        }
        "customer_create" => {
            let customer = &payload["customer"];
            assert_eq!(customer["displayName"], "Ada Lovelace");
            assert_eq!(
                customer["defaultEmailAddress"],
                json!({"emailAddress": "ada@example.com", "marketingState": "SUBSCRIBED",
                    "marketingOptInLevel": "CONFIRMED_OPT_IN"})
            );
            let data = read(
                harness,
                "query($id: ID!) { customer(id: $id) { firstName tags metafield(namespace: \"custom\", key: \"vat_number\") { value } } customers(first: 5, query: \"email:ada@example.com\") { nodes { id } } }",
                json!({"id": customer["id"]}),
            )
            .await;
            assert_eq!(data["customer"]["firstName"], "Ada");
            assert_eq!(data["customer"]["tags"], json!(["wholesale"]));
            assert_eq!(data["customer"]["metafield"]["value"], "GB123456789");
            assert_eq!(data["customers"]["nodes"], json!([{"id": customer["id"]}]));
        }
        "customer_update" => {
            let data = read(
                harness,
                "{ customer(id: \"gid://shopify/Customer/7001\") { firstName note taxExempt taxExemptions } }",
                json!({}),
            )
            .await;
            assert_eq!(
                data["customer"],
                json!({"firstName": "Ava", "note": "Prefers invoices by email", "taxExempt": true,
                    "taxExemptions": ["CA_BC_RESELLER_EXEMPTION"]}),
                "set fields changed, the others kept"
            );
        }
        "draft_order_create" => {
            let draft = &payload["draftOrder"];
            // 2 x 19.00 + 4.50 = 42.50, less 10% = 38.25.
            assert_eq!(draft["subtotalPriceSet"]["shopMoney"]["amount"], "38.25");
            assert_eq!(
                draft["appliedDiscount"]["amountSet"]["shopMoney"]["amount"],
                "4.25"
            );
            let data = read(
                harness,
                "query($id: ID!) { draftOrder(id: $id) { email status tags totalPriceSet { shopMoney { amount currencyCode } } lineItems(first: 5) { nodes { title quantity } } } }",
                json!({"id": draft["id"]}),
            )
            .await;
            assert_eq!(
                data["draftOrder"],
                json!({"email": "buyer@example.com", "status": "OPEN", "tags": ["phone"],
                    "totalPriceSet": {"shopMoney": {"amount": "45.15", "currencyCode": "EUR"}},
                    "lineItems": {"nodes": [
                        {"title": "Classic Cotton T-Shirt", "quantity": 2},
                        {"title": "Gift wrapping", "quantity": 1}]}})
            );
        }
        "inventory_set_quantities" => {
            let data = read(
                harness,
                "{ inventoryItem(id: \"gid://shopify/InventoryItem/3001\") { inventoryLevel(locationId: \"gid://shopify/Location/1\") { quantities(names: [\"available\"]) { quantity } } } }",
                json!({}),
            )
            .await;
            assert_eq!(
                data["inventoryItem"]["inventoryLevel"]["quantities"],
                json!([{"quantity": 12}])
            );
        }
        "metafields_set" => {
            let data = read(
                harness,
                "{ product(id: \"gid://shopify/Product/1001\") { metafield(namespace: \"custom\", key: \"care_guide\") { value } } }",
                json!({}),
            )
            .await;
            assert_eq!(data["product"]["metafield"]["value"], "Hand wash cold");
        }
        "metaobject_upsert" => {
            let data = read(
                harness,
                "{ metaobjects(type: \"size_chart\", first: 5) { nodes { handle displayName capabilities { publishable { status } } fields { key value jsonValue } } } }",
                json!({}),
            )
            .await;
            assert_eq!(
                data["metaobjects"]["nodes"],
                json!([{"handle": "linen-shirts", "displayName": "Linen shirts",
                    "capabilities": {"publishable": {"status": "ACTIVE"}},
                    "fields": [
                        {"key": "title", "value": "Linen shirts", "jsonValue": "Linen shirts"},
                        {"key": "chest_cm", "value": "[96,102,108,114]", "jsonValue": [96, 102, 108, 114]}]}])
            );
        }
        "product_create" => {
            let data = read(
                harness,
                "query($id: ID!) { product(id: $id) { title status vendor tags } }",
                json!({"id": payload["product"]["id"]}),
            )
            .await;
            assert_eq!(
                data["product"],
                json!({"title": "Linen Shirt", "status": "DRAFT", "vendor": "Acme", "tags": ["summer", "linen"]})
            );
        }
        "product_delete" => {
            let data = read(
                harness,
                "{ product(id: \"gid://shopify/Product/1001\") { id } }",
                json!({}),
            )
            .await;
            assert_eq!(data["product"], Value::Null);
        }
        "product_update" => {
            let data = read(
                harness,
                "{ product(id: \"gid://shopify/Product/1001\") { title tags } }",
                json!({}),
            )
            .await;
            assert_eq!(
                data["product"],
                json!({"title": "Classic Cotton T-Shirt", "tags": []}),
                "tags cleared, title kept"
            );
        }
        "product_variants_bulk_update" => {
            let data = read(
                harness,
                "{ product(id: \"gid://shopify/Product/1001\") { priceRangeV2 { maxVariantPrice { amount } } variants(first: 2) { nodes { price compareAtPrice barcode inventoryItem { unitCost { amount } } } } } }",
                json!({}),
            )
            .await;
            // Fields left unset (the second variant's compareAtPrice) are kept.
            assert_eq!(
                data["product"]["variants"]["nodes"],
                json!([
                    {"price": "49.00", "compareAtPrice": "59.00", "barcode": "08400002001",
                        "inventoryItem": {"unitCost": {"amount": "18.25"}}},
                    {"price": "49.00", "compareAtPrice": "25.00", "barcode": "5601234567890",
                        "inventoryItem": {"unitCost": {"amount": "7.60"}}}])
            );
            assert_eq!(
                data["product"]["priceRangeV2"]["maxVariantPrice"]["amount"],
                "49.00"
            );
        }
        "tags_add" => {
            assert_eq!(payload["node"]["tags"], json!(["vip", "gift"]));
            let data = read(
                harness,
                "{ order(id: \"gid://shopify/Order/5001\") { tags } }",
                json!({}),
            )
            .await;
            assert_eq!(data["order"]["tags"], json!(["vip", "gift"]));
        }
        "webhook_subscription_create" => {
            let data = read(
                harness,
                "{ webhookSubscriptions(first: 5, topics: [ORDERS_PAID]) { nodes { id uri filter includeFields } } }",
                json!({}),
            )
            .await;
            assert_eq!(
                data["webhookSubscriptions"]["nodes"],
                json!([{"id": payload["webhookSubscription"]["id"],
                    "uri": "https://hooks.example.com/shopify/orders-paid",
                    "filter": "total_price:>=100",
                    "includeFields": ["id", "total_price", "customer"]}])
            );
        }
        other => panic!("{other}: add a read-back of its write to tests/e2e/every_operation.rs"),
    }
}

#[tokio::test]
async fn every_operation_does_what_it_is_for() {
    let mut failures = Vec::new();
    for op in OPERATIONS {
        let harness = Harness::start().await.unwrap();
        let data = match samples::run(&harness.client, op.module).await {
            None => {
                failures.push(format!("{}: no sample variables", op.name));
                continue;
            }
            Some(Err(error)) => {
                failures.push(format!("{}: {error}", op.name));
                continue;
            }
            Some(Ok(data)) => data,
        };
        let made_up = harness.emulator.stats().made_up_values;
        if made_up > 0 && !MADE_UP_ALLOWED.contains(&op.name) {
            failures.push(format!(
                "{}: the emulator made up {made_up} non-null values its data lacks",
                op.name
            ));
        }
        if op.kind == OperationKind::Mutation {
            let payload = payload(&data);
            if payload["userErrors"] != json!([]) {
                failures.push(format!("{}: {}", op.name, payload["userErrors"]));
                continue;
            }
            let writes = harness.emulator.writes().len();
            if writes != 1 {
                failures.push(format!("{}: {writes} writes applied, not 1", op.name));
                continue;
            }
            read_back(&harness, op.module, payload).await;
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
