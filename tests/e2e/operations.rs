//! The typed client against the emulator: operations decode into their generated types.

use shopify_e2e::Harness;
use shopify_queries::{products, shop_info};

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

    // What graphql_client would send is exactly what our client sends.
    let body = products::Operation::build_query(products::Variables { first: 3 });
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        shopify_queries::request_body::<products::Operation>(&products::Variables { first: 3 })
    );
    // And its Response decodes through the generated types.
    let answer = serde_json::json!({"data": {"products": {"edges": [
        {"node": {"id": "gid://shopify/Product/1", "title": "A", "handle": "a"}}
    ]}}});
    let response: graphql_client::Response<products::ResponseData> =
        serde_json::from_value(answer).unwrap();
    assert_eq!(response.data.unwrap().products.edges[0].node.title, "A");
}
