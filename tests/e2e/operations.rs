//! The typed client against the emulator: operations decode into their generated types.

use shopify_e2e::Harness;
use shopify_queries::{inventory_set_quantities, products, shop_info};

#[tokio::test]
async fn the_reference_products_query_decodes_demo_products() {
    let harness = Harness::start().await.unwrap();
    let data = products(&harness.client, products::Variables { first: 5 })
        .await
        .unwrap();
    let titles: Vec<&str> = data
        .products
        .edges
        .iter()
        .map(|e| e.node.title.as_str())
        .collect();
    assert_eq!(titles.len(), 5);
    assert_eq!(titles[0], "Classic Cotton T-Shirt");
    assert_eq!(data.products.edges[0].node.id.numeric_id(), Some(1001));
}

#[tokio::test]
async fn shop_info_decodes_custom_scalars() {
    let harness = Harness::start().await.unwrap();
    let data = shop_info(&harness.client, shop_info::Variables {})
        .await
        .unwrap();
    assert_eq!(data.shop.name, "Demo Shop");
    assert_eq!(data.shop.myshopify_domain, "demo.myshopify.com");
    assert_eq!(data.shop.currency_code.as_str(), "USD");
}

#[test]
fn operations_also_work_with_graphql_clients_types() {
    use graphql_client::GraphQLQuery;

    // What graphql_client would send is byte-for-byte what our client sends, for every
    // operation (those with a generated idempotency key take `KeyedVariables`).
    for op in shopify_queries::OPERATIONS {
        let (theirs, ours) = shopify_e2e::samples::graphql_client_and_our_body(op.module)
            .unwrap_or_else(|| panic!("no sample variables for {}", op.module));
        assert_eq!(theirs, ours, "{}", op.name);
    }
    let variables = inventory_set_quantities::Variables {
        input: shopify_queries::types::InventorySetQuantitiesInput {
            name: "available".into(),
            reason: "correction".into(),
            reference_document_uri: None,
            quantities: Vec::new(),
        },
    };
    let keyed: inventory_set_quantities::KeyedVariables = variables.into();
    let body = serde_json::to_value(inventory_set_quantities::Operation::build_query(
        keyed.clone(),
    ))
    .unwrap();
    assert_eq!(
        body["variables"]["idempotencyKey"],
        keyed.idempotency_key.as_str()
    );
    assert_eq!(keyed.idempotency_key.len(), 36, "a fresh UUID");
    // And its Response decodes through the generated types.
    let answer = serde_json::json!({"data": {"products": {"edges": [
        {"node": {"id": "gid://shopify/Product/1", "title": "A", "handle": "a"}}
    ]}}});
    let response: graphql_client::Response<products::ResponseData> =
        serde_json::from_value(answer).unwrap();
    assert_eq!(response.data.unwrap().products.edges[0].node.title, "A");
}
