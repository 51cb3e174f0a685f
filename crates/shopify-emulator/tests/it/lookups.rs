use serde_json::json;

use crate::support::Harness;

#[tokio::test]
async fn an_unknown_but_well_formed_gid_is_null_without_errors() {
    let h = Harness::start().await;
    let data = h
        .data(
            r#"{ node(id: "gid://shopify/Product/999999") { id }
                product(id: "gid://shopify/Product/999999") { id }
                wrongType: product(id: "gid://shopify/Customer/7001") { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data,
        json!({"node": null, "product": null, "wrongType": null})
    );
}

#[tokio::test]
async fn nodes_answers_each_id_in_order() {
    let h = Harness::start().await;
    let data = h
        .data(
            r#"{ nodes(ids: ["gid://shopify/Customer/7001", "gid://shopify/Product/424242", "gid://shopify/Location/2"]) {
                __typename id ... on Customer { displayName } ... on Location { name } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["nodes"],
        json!([
            {"__typename": "Customer", "id": "gid://shopify/Customer/7001", "displayName": "Ava Thompson"},
            null,
            {"__typename": "Location", "id": "gid://shopify/Location/2", "name": "Downtown Store"}
        ])
    );
}

#[tokio::test]
async fn a_product_resolves_with_variants_prices_and_collections() {
    let h = Harness::start().await;
    let data = h
        .data(
            r#"query P($id: ID!) { product(id: $id) {
                title handle vendor status tags legacyResourceId
                priceRangeV2 { minVariantPrice { amount currencyCode } }
                variants(first: 10) { nodes { title price compareAtPrice sku product { id } } }
                collections(first: 5) { nodes { handle } } } }"#,
            json!({"id": "gid://shopify/Product/1001"}),
        )
        .await;
    let p = &data["product"];
    assert_eq!(p["title"], "Classic Cotton T-Shirt");
    assert_eq!(p["handle"], "classic-cotton-t-shirt");
    assert_eq!(p["legacyResourceId"], "1001");
    assert_eq!(
        p["priceRangeV2"]["minVariantPrice"],
        json!({"amount": "19.00", "currencyCode": "USD"})
    );
    let variants = p["variants"]["nodes"].as_array().unwrap();
    assert_eq!(variants.len(), 4);
    assert_eq!(variants[0]["price"], "19.00");
    assert_eq!(variants[0]["compareAtPrice"], "25.00");
    assert_eq!(variants[0]["product"]["id"], "gid://shopify/Product/1001");
    assert_eq!(p["collections"]["nodes"], json!([{"handle": "sale"}]));
}

#[tokio::test]
async fn collections_resolve_by_identifier_with_their_products() {
    let h = Harness::start().await;
    let data = h
        .data(
            r#"{ byHandle: collectionByIdentifier(identifier: {handle: "winter-warmers"}) { id title productsCount { count } products(first: 2) { nodes { title } } }
                byId: collectionByIdentifier(identifier: {id: "gid://shopify/Collection/503"}) { handle }
                productByIdentifier(identifier: {handle: "gift-card"}) { title } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["byHandle"]["title"], "Winter Warmers");
    assert_eq!(data["byHandle"]["productsCount"]["count"], 5);
    assert_eq!(
        data["byHandle"]["products"]["nodes"],
        json!([{"title": "Merino Crew Sweater"}, {"title": "Chunky Cable Cardigan"}])
    );
    assert_eq!(data["byId"]["handle"], "kitchen-home");
    assert_eq!(data["productByIdentifier"]["title"], "Gift Card");
}

#[tokio::test]
async fn orders_have_line_items_and_money_bags() {
    let h = Harness::start().await;
    let data = h
        .data(
            r#"{ order(id: "gid://shopify/Order/5002") { name email customer { displayName }
                totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount } }
                lineItems(first: 5) { nodes { name quantity variant { sku } originalUnitPriceSet { shopMoney { amount } } } } } }"#,
            json!({}),
        )
        .await;
    let order = &data["order"];
    assert_eq!(order["name"], "#1002");
    assert_eq!(order["customer"]["displayName"], "Liam Nguyen");
    assert_eq!(order["totalPriceSet"]["shopMoney"]["currencyCode"], "USD");
    assert_eq!(
        order["totalPriceSet"]["shopMoney"]["amount"],
        order["totalPriceSet"]["presentmentMoney"]["amount"]
    );
    let lines = order["lineItems"]["nodes"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l["variant"]["sku"].is_string()));
}

#[tokio::test]
async fn customers_list_their_orders() {
    let h = Harness::start().await;
    let data = h
        .data(
            r#"{ customer(id: "gid://shopify/Customer/7001") { email numberOfOrders orders(first: 5) { nodes { name } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["customer"]["numberOfOrders"], "2");
    assert_eq!(
        data["customer"]["orders"]["nodes"],
        json!([{"name": "#1001"}, {"name": "#1013"}])
    );
}

#[tokio::test]
async fn locations_and_inventory_levels_have_quantities() {
    let h = Harness::start().await;
    let data = h
        .data(
            r#"{ locations(first: 10) { nodes { name isActive } }
                all: locations(first: 10, includeInactive: true) { nodes { name } }
                location(id: "gid://shopify/Location/1") { inventoryLevels(first: 2) { nodes {
                  item { sku variant { id } } location { name }
                  quantities(names: ["available", "on_hand"]) { name quantity } } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["locations"]["nodes"],
        // The schema's default sortKey for locations is NAME.
        json!([{"name": "Downtown Store", "isActive": true}, {"name": "Main Warehouse", "isActive": true}])
    );
    assert_eq!(data["all"]["nodes"].as_array().unwrap().len(), 3);
    let level = &data["location"]["inventoryLevels"]["nodes"][0];
    assert_eq!(level["location"]["name"], "Main Warehouse");
    assert_eq!(
        level["item"]["variant"]["id"],
        "gid://shopify/ProductVariant/2001"
    );
    let q = level["quantities"].as_array().unwrap();
    assert_eq!(q[0]["name"], "available");
    assert_eq!(
        q[1]["quantity"].as_i64().unwrap(),
        q[0]["quantity"].as_i64().unwrap() + 2
    );
}

#[tokio::test]
async fn the_shop_describes_itself() {
    let h = Harness::start().await;
    let data = h
        .data(
            "{ shop { id name email currencyCode myshopifyDomain plan { publicDisplayName shopifyPlus } primaryDomain { host url sslEnabled } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["shop"],
        json!({"id": "gid://shopify/Shop/1", "name": "Demo Shop", "email": "owner@demo-shop.example.com",
            "currencyCode": "USD", "myshopifyDomain": "demo.myshopify.com",
            "plan": {"publicDisplayName": "Basic", "shopifyPlus": false},
            "primaryDomain": {"host": "demo-shop.example.com", "url": "https://demo-shop.example.com", "sslEnabled": true}})
    );
}

#[tokio::test]
async fn a_product_variant_resolves_by_id() {
    let h = Harness::start().await;
    let data = h
        .data(
            r#"{ productVariant(id: "gid://shopify/ProductVariant/2002") { title displayName inventoryItem { tracked unitCost { amount } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["productVariant"]["title"], "M");
    assert_eq!(
        data["productVariant"]["displayName"],
        "Classic Cotton T-Shirt - M"
    );
    assert_eq!(data["productVariant"]["inventoryItem"]["tracked"], true);
}
