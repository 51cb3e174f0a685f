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
