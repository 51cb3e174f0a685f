//! Every object seeded in the emulator's demo shop decodes through the typed queries, so
//! the data file and the schema cannot drift apart unnoticed.

use serde_json::Value;
use shopify_e2e::Harness;
use shopify_queries::node_lookup::NodeOn;
use shopify_queries::scalars::Gid;
use shopify_queries::{
    collection_products, location_inventory, node_lookup, order_by_id, product_by_id,
    product_metafields, shop_info,
};

fn seed() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../crates/shopify-emulator/data/demo_shop.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn objects<'v>(seed: &'v Value, key: &str) -> &'v Vec<Value> {
    seed[key]
        .as_array()
        .unwrap_or_else(|| panic!("the seed has {key}"))
}

fn gid(object: &Value) -> Gid {
    Gid::parse(object["id"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn every_seeded_object_decodes_through_the_typed_queries() {
    let seed = seed();
    let harness = Harness::start().await.unwrap();
    let client = &harness.client;

    let shop = shop_info(client, shop_info::Variables {}).await.unwrap();
    assert_eq!(shop.shop.name, seed["shop"]["name"].as_str().unwrap());

    for product in objects(&seed, "products") {
        let data = product_by_id(client, product_by_id::Variables { id: gid(product) })
            .await
            .unwrap();
        let decoded = data
            .product
            .unwrap_or_else(|| panic!("{} resolves", product["id"]));
        assert_eq!(decoded.title, product["title"].as_str().unwrap());
        let variants = product["variants"].as_array().map_or(0, Vec::len);
        assert_eq!(decoded.variants.nodes.len(), variants, "{}", decoded.title);
        product_metafields(
            client,
            product_metafields::Variables {
                id: gid(product),
                first: None,
            },
        )
        .await
        .unwrap();
    }

    for customer in objects(&seed, "customers") {
        let data = node_lookup(client, node_lookup::Variables { id: gid(customer) })
            .await
            .unwrap();
        let node = data.node.unwrap();
        let NodeOn::Customer(decoded) = node.on else {
            panic!("{} is a customer", customer["id"]);
        };
        assert_eq!(
            decoded.display_name,
            customer["displayName"].as_str().unwrap()
        );
    }

    for collection in objects(&seed, "collections") {
        let variables = collection_products::Variables {
            handle: collection["handle"].as_str().unwrap().to_owned(),
            first: 50,
            after: None,
        };
        let data = collection_products(client, variables).await.unwrap();
        let decoded = data.collection_by_identifier.unwrap();
        assert_eq!(decoded.title, collection["title"].as_str().unwrap());
        let products = collection["products"].as_array().map_or(0, Vec::len);
        assert_eq!(decoded.products.nodes.len(), products);
    }

    for order in objects(&seed, "orders") {
        let data = order_by_id(client, order_by_id::Variables { id: gid(order) })
            .await
            .unwrap();
        assert_eq!(data.order.unwrap().name, order["name"].as_str().unwrap());
    }

    for location in objects(&seed, "locations") {
        let variables = location_inventory::Variables {
            location_id: gid(location),
            first: 100,
            after: None,
        };
        let data = location_inventory(client, variables).await.unwrap();
        assert_eq!(
            data.location.unwrap().name,
            location["name"].as_str().unwrap()
        );
    }
}
