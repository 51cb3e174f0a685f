//! The rows and lines generated from `graphql/bulk/`, through the emulator: a bulk query's
//! typed rows (children may come before their parents) and a bulk mutation whose typed
//! lines write products the shop then serves.

use std::collections::HashMap;

use shopify_e2e::Harness;
use shopify_emulator::Emulator;
use shopify_queries::bulk::BulkRow;
use shopify_queries::types::{ProductCreateInput, ProductStatus};
use shopify_queries::{product_import, products_export};

#[tokio::test]
async fn generated_rows_decode_every_line_and_every_child_names_a_parent_row() {
    let harness = Harness::with(Emulator::builder().extra_products(20), |b| b)
        .await
        .unwrap();
    let mut rows = products_export::run(&harness.client)
        .await
        .unwrap()
        .expect("the shop has products");
    let mut products: HashMap<String, products_export::Product> = HashMap::new();
    let mut variants = Vec::new();
    let mut child_before_parent = false;
    while let Some(row) = rows.next().await.unwrap() {
        match row {
            products_export::Row::Product(p) => {
                products.insert(p.id.as_str().to_owned(), p);
            }
            products_export::Row::ProductVariant(v) => {
                child_before_parent |= !products.contains_key(v.parent_id.as_str());
                variants.push(v);
            }
        }
    }
    // 20 synthetic products of 3 variants each, plus the demo shop's own.
    assert!(products.len() >= 20, "{}", products.len());
    assert!(variants.len() >= 60, "{}", variants.len());
    assert!(
        child_before_parent,
        "the emulator writes some children before their parents, as Shopify may"
    );
    for v in &variants {
        assert!(
            products.contains_key(v.parent_id.as_str()),
            "{} names {} which is no product row",
            v.id,
            v.parent_id
        );
        assert_eq!(v.id.resource_type(), Some("ProductVariant"));
    }
}

#[tokio::test]
async fn a_bulk_mutation_round_trip_writes_what_the_shop_then_serves() {
    let harness = Harness::start().await.unwrap();
    let lines: Vec<product_import::Variables> = ["Bulk Hat", "Bulk Scarf", ""]
        .into_iter()
        .map(|title| product_import::Variables {
            product: ProductCreateInput {
                title: Some(title.to_owned()),
                status: Some(ProductStatus::Draft),
                ..Default::default()
            },
        })
        .collect();
    // The variables file is one JSON object per line, in order.
    let file = String::from_utf8(product_import::variables_file(&lines)).unwrap();
    assert_eq!(file.lines().count(), 3);
    assert!(
        file.lines()
            .next()
            .unwrap()
            .contains(r#""title":"Bulk Hat""#),
        "{file}"
    );

    let mut results = product_import::run(&harness.client, &lines)
        .await
        .unwrap()
        .expect("a result file");
    let mut created = HashMap::new();
    let mut refused = Vec::new();
    while let Some(line) = results.next().await.unwrap() {
        assert!(line.errors.is_empty(), "{:?}", line.errors);
        let data = line.data.expect("data on every line");
        match data.into_result() {
            Ok(payload) => {
                let product = payload.product.expect("a created product");
                created.insert(line.line_number, product);
            }
            Err(errors) => refused.push((line.line_number, errors.to_string())),
        }
    }
    assert_eq!(created.len(), 2, "{created:?}");
    assert_eq!(created[&0].title, "Bulk Hat");
    assert_eq!(created[&1].title, "Bulk Scarf");
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].0, 2);
    assert!(
        refused[0].1.contains("Title can't be blank"),
        "{}",
        refused[0].1
    );

    // The writes are served: the bulk export sees both new products.
    let mut rows = products_export::run(&harness.client)
        .await
        .unwrap()
        .unwrap();
    let mut titles = HashMap::new();
    while let Some(row) = rows.next().await.unwrap() {
        if let products_export::Row::Product(p) = row {
            titles.insert(p.id.as_str().to_owned(), (p.title, p.status));
        }
    }
    for product in created.values() {
        assert_eq!(
            titles.get(product.id.as_str()),
            Some(&(product.title.clone(), ProductStatus::Draft)),
            "{} is served",
            product.id
        );
    }
}

#[test]
fn wrong_lines_are_typed_errors() {
    use shopify_queries::bulk::RowError;
    for (line, want) in [
        (&br#"{"__typename":"Order","id":"gid://shopify/Order/1"}"#[..], "unknown"),
        (br#"{"id":"gid://shopify/Product/1"}"#, "missing"),
        (br#"{"__typename":"ProductVariant","id":"gid://shopify/ProductVariant/1","title":"x","sku":null,"price":"1.00","inventoryQuantity":3}"#, "json"),
        (br#"{"__typename":"Product","id":7}"#, "json"),
    ] {
        let got = products_export::Row::decode(line);
        let kind = match got {
            Err(RowError::UnknownType(_)) => "unknown",
            Err(RowError::MissingType) => "missing",
            Err(RowError::Json(_)) => "json",
            Err(other) => panic!("{other}"),
            Ok(row) => panic!("{row:?} from {}", String::from_utf8_lossy(line)),
        };
        assert_eq!(kind, want, "{}", String::from_utf8_lossy(line));
    }
}
