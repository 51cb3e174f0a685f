//! The exact request body of every operation in `graphql/`.
//!
//! Why these snapshots exist: the query text is what Shopify validates and charges for,
//! and the variables show how scalars, enums and nested inputs are written and that unset
//! optional fields are left out. An operation without representative variables here
//! fails `every_operation_has_a_request_body_snapshot`, so coverage grows with the folder.

use std::str::FromStr;

use serde_json::Value;
use shopify_queries::scalars::{Decimal, Gid};
use shopify_queries::types::{
    MetafieldsSetInput, ProductCreateInput, ProductStatus, ProductUpdateInput, SeoInput,
};
use shopify_queries::{OPERATIONS, Operation, request_body};
use shopify_queries::{
    bulk_operation_run_query, bulk_operation_status, collection_products, customers_search,
    location_inventory, metafields_set, node_lookup, orders_page, product_by_id, product_create,
    product_delete, product_metafields, product_update, products, products_page, shop_info,
};

fn gid(text: &str) -> Gid {
    Gid::parse(text).expect("test gids are valid")
}

fn body<O: Operation>(variables: O::Variables) -> Value {
    request_body::<O>(&variables)
}

/// Representative variables for each operation, by module name.
fn representative(module: &str) -> Option<Value> {
    Some(match module {
        "bulk_operation_run_query" => {
            body::<bulk_operation_run_query::Operation>(bulk_operation_run_query::Variables {
                query: "{ products { edges { node { id title } } } }".into(),
            })
        }
        "bulk_operation_status" => {
            body::<bulk_operation_status::Operation>(bulk_operation_status::Variables {
                id: gid("gid://shopify/BulkOperation/1"),
            })
        }
        "collection_products" => {
            body::<collection_products::Operation>(collection_products::Variables {
                handle: "summer".into(),
                first: 25,
                after: None,
            })
        }
        // `first` has a default in the operation, so leaving it unset omits it.
        "customers_search" => body::<customers_search::Operation>(customers_search::Variables {
            query: "email:*@example.com".into(),
            first: None,
            after: Some("eyJsYXN0X2lkIjoxMDA1fQ==".into()),
        }),
        "location_inventory" => {
            body::<location_inventory::Operation>(location_inventory::Variables {
                location_id: gid("gid://shopify/Location/1"),
                first: 50,
                after: None,
            })
        }
        "metafields_set" => body::<metafields_set::Operation>(metafields_set::Variables {
            metafields: vec![MetafieldsSetInput {
                owner_id: gid("gid://shopify/Product/1001"),
                namespace: Some("custom".into()),
                key: "care_guide".into(),
                type_: Some("single_line_text_field".into()),
                value: "Hand wash cold".into(),
                compare_digest: None,
            }],
        }),
        "node_lookup" => body::<node_lookup::Operation>(node_lookup::Variables {
            id: gid("gid://shopify/ProductVariant/2001"),
        }),
        "orders_page" => body::<orders_page::Operation>(orders_page::Variables {
            first: 10,
            after: None,
            query: Some("financial_status:paid".into()),
        }),
        "product_by_id" => body::<product_by_id::Operation>(product_by_id::Variables {
            id: gid("gid://shopify/Product/1001"),
        }),
        "product_create" => body::<product_create::Operation>(product_create::Variables {
            product: ProductCreateInput {
                title: Some("Linen Shirt".into()),
                status: Some(ProductStatus::Draft),
                tags: Some(vec!["summer".into(), "linen".into()]),
                vendor: Some("Acme".into()),
                seo: Some(SeoInput {
                    title: Some("Linen Shirt | Acme".into()),
                    description: None,
                }),
                ..ProductCreateInput::default()
            },
        }),
        "product_delete" => body::<product_delete::Operation>(product_delete::Variables {
            id: gid("gid://shopify/Product/1001"),
        }),
        "product_metafields" => {
            body::<product_metafields::Operation>(product_metafields::Variables {
                id: gid("gid://shopify/Product/1001"),
                first: Some(5),
            })
        }
        "product_update" => body::<product_update::Operation>(product_update::Variables {
            product: ProductUpdateInput {
                id: Some(gid("gid://shopify/Product/1001")),
                status: Some(ProductStatus::Unknown("PREVIEW".into())),
                tags: Some(vec![]),
                ..ProductUpdateInput::default()
            },
        }),
        "products" => body::<products::Operation>(products::Variables { first: 10 }),
        "products_page" => body::<products_page::Operation>(products_page::Variables {
            first: 50,
            after: Some("eyJsYXN0X2lkIjoxMDEwfQ==".into()),
            query: None,
        }),
        "shop_info" => body::<shop_info::Operation>(shop_info::Variables {}),
        _ => return None,
    })
}

/// The body, readably: variables and operation name as JSON, then the query text as sent.
fn render(body: &Value) -> String {
    let query = body["query"].as_str().unwrap_or_default();
    let rest = serde_json::json!({
        "operationName": body["operationName"],
        "variables": body["variables"],
    });
    format!(
        "{}\n--- query ---\n{query}",
        serde_json::to_string_pretty(&rest).expect("json")
    )
}

#[test]
fn every_operation_has_a_request_body_snapshot() {
    let mut missing = Vec::new();
    for op in OPERATIONS {
        match representative(op.module) {
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
        "add representative variables to `representative` in {} for: {missing:?}",
        file!()
    );
}

#[test]
fn decimals_and_unknown_enum_values_are_written_as_sent() {
    let price = Decimal::from_str("19.90").expect("decimal");
    assert_eq!(
        shopify_queries::codec::ToJson::to_json(&price),
        Value::from("19.90")
    );
    let status = ProductStatus::Unknown("PREVIEW".into());
    assert_eq!(status.as_str(), "PREVIEW");
}
