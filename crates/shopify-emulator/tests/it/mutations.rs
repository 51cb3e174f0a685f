use serde_json::{Value, json};

use crate::support::Harness;

const CREATE: &str = r#"mutation Create($product: ProductCreateInput!) {
  productCreate(product: $product) {
    product { id title handle status vendor tags variants(first: 5) { nodes { title price } } }
    userErrors { field message }
  }
}"#;

#[tokio::test]
async fn product_create_persists_and_a_read_sees_it() {
    let h = Harness::start().await;
    let data = h
        .data(
            CREATE,
            json!({"product": {"title": "Rain Jacket", "vendor": "Coastline", "tags": ["rain"], "status": "DRAFT"}}),
        )
        .await;
    let created = &data["productCreate"];
    assert_eq!(created["userErrors"], json!([]));
    let product = &created["product"];
    assert_eq!(product["title"], "Rain Jacket");
    assert_eq!(product["handle"], "rain-jacket");
    assert_eq!(product["status"], "DRAFT");
    assert_eq!(
        product["variants"]["nodes"],
        json!([{"title": "Default Title", "price": "0.00"}])
    );
    let id = product["id"].as_str().unwrap();
    assert_eq!(
        id, "gid://shopify/Product/1029",
        "ids increase past the seed"
    );

    let read = h
        .data(
            "query R($id: ID!) { product(id: $id) { title vendor tags } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        read["product"],
        json!({"title": "Rain Jacket", "vendor": "Coastline", "tags": ["rain"]})
    );
    let listed = h
        .data(
            r#"{ products(first: 5, query: "tag:rain") { nodes { id } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(listed["products"]["nodes"], json!([{"id": id}]));

    // A second product with the same title gets a distinct handle and a higher id.
    let again = h
        .data(CREATE, json!({"product": {"title": "Rain Jacket"}}))
        .await;
    assert_eq!(again["productCreate"]["product"]["handle"], "rain-jacket-1");
    assert_eq!(
        again["productCreate"]["product"]["id"],
        "gid://shopify/Product/1030"
    );
}

#[tokio::test]
async fn product_create_without_a_title_is_a_user_error() {
    let h = Harness::start().await;
    for product in [json!({"title": ""}), json!({"vendor": "Nobody"})] {
        let data = h.data(CREATE, json!({"product": product})).await;
        assert_eq!(
            data["productCreate"],
            json!({"product": null, "userErrors": [{"field": ["title"], "message": "Title can't be blank"}]})
        );
    }
}

const UPDATE: &str = r#"mutation Update($product: ProductUpdateInput!) {
  productUpdate(product: $product) { product { id title status } userErrors { field message } }
}"#;

#[tokio::test]
async fn product_update_changes_fields_and_a_read_sees_it() {
    let h = Harness::start().await;
    let data = h
        .data(
            UPDATE,
            json!({"product": {"id": "gid://shopify/Product/1002", "title": "Oxford Shirt", "status": "ARCHIVED"}}),
        )
        .await;
    assert_eq!(
        data["productUpdate"],
        json!({"product": {"id": "gid://shopify/Product/1002", "title": "Oxford Shirt", "status": "ARCHIVED"}, "userErrors": []})
    );
    let read = h
        .data(
            r#"{ product(id: "gid://shopify/Product/1002") { title status handle } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        read["product"],
        json!({"title": "Oxford Shirt", "status": "ARCHIVED", "handle": "oxford-button-down-shirt"})
    );
}

#[tokio::test]
async fn product_update_of_an_unknown_product_is_a_user_error() {
    let h = Harness::start().await;
    let data = h
        .data(
            UPDATE,
            json!({"product": {"id": "gid://shopify/Product/999999", "title": "X"}}),
        )
        .await;
    assert_eq!(
        data["productUpdate"],
        json!({"product": null, "userErrors": [{"field": ["id"], "message": "Product does not exist"}]})
    );
}

#[tokio::test]
async fn product_delete_removes_the_product_everywhere() {
    let h = Harness::start().await;
    let delete = r#"mutation D($id: ID!) { productDelete(input: {id: $id}) { deletedProductId userErrors { field message } } }"#;
    let data = h
        .data(delete, json!({"id": "gid://shopify/Product/1001"}))
        .await;
    assert_eq!(
        data["productDelete"],
        json!({"deletedProductId": "gid://shopify/Product/1001", "userErrors": []})
    );
    let read = h
        .data(
            r#"{ product(id: "gid://shopify/Product/1001") { id }
                productVariant(id: "gid://shopify/ProductVariant/2001") { id }
                collectionByIdentifier(identifier: {handle: "sale"}) { products(first: 50) { nodes { id } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(read["product"], Value::Null);
    assert_eq!(read["productVariant"], Value::Null);
    let sale = read["collectionByIdentifier"]["products"]["nodes"]
        .as_array()
        .unwrap();
    assert!(!sale.contains(&json!({"id": "gid://shopify/Product/1001"})));
    let again = h
        .data(delete, json!({"id": "gid://shopify/Product/1001"}))
        .await;
    assert_eq!(
        again["productDelete"]["userErrors"],
        json!([{"field": ["id"], "message": "Product does not exist"}])
    );
}

const SET: &str = r#"mutation Set($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id namespace key type value jsonValue owner { ... on Product { id } } }
    userErrors { field message code elementIndex }
  }
}"#;

fn metafield(owner: &str, key: &str, kind: &str, value: &str) -> Value {
    json!({"ownerId": owner, "namespace": "custom", "key": key, "type": kind, "value": value})
}

#[tokio::test]
async fn metafields_set_writes_and_a_read_sees_it() {
    let h = Harness::start().await;
    let owner = "gid://shopify/Product/1003";
    let data = h
        .data(
            SET,
            json!({"metafields": [metafield(owner, "fabric", "single_line_text_field", "linen"),
                metafield(owner, "weight_grams", "number_integer", "180")]}),
        )
        .await;
    let set = &data["metafieldsSet"];
    assert_eq!(set["userErrors"], json!([]));
    assert_eq!(set["metafields"][1]["jsonValue"], 180);
    assert_eq!(set["metafields"][0]["owner"]["id"], owner);

    let read = h
        .data(
            r#"{ product(id: "gid://shopify/Product/1003") { metafield(namespace: "custom", key: "fabric") { value }
                metafields(first: 10) { nodes { key } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(read["product"]["metafield"], json!({"value": "linen"}));
    assert_eq!(
        read["product"]["metafields"]["nodes"],
        json!([{"key": "fabric"}, {"key": "weight_grams"}])
    );

    // Setting again updates in place.
    let data = h
        .data(
            SET,
            json!({"metafields": [metafield(owner, "fabric", "single_line_text_field", "hemp")]}),
        )
        .await;
    assert_eq!(
        data["metafieldsSet"]["metafields"][0]["id"],
        set["metafields"][0]["id"]
    );
}

#[tokio::test]
async fn metafields_set_is_atomic_and_reports_each_bad_element() {
    let h = Harness::start().await;
    let owner = "gid://shopify/Product/1004";
    let data = h
        .data(
            SET,
            json!({"metafields": [
                metafield(owner, "ok_key", "single_line_text_field", "fine"),
                metafield("gid://shopify/Product/999999", "x_key", "single_line_text_field", "v"),
                metafield(owner, "", "single_line_text_field", "v"),
                metafield(owner, "count", "number_integer", "many"),
                metafield(owner, "odd", "no_such_type", "v"),
            ]}),
        )
        .await;
    insta::assert_json_snapshot!("metafields_set_user_errors", data);
    let read = h
        .data(r#"{ product(id: "gid://shopify/Product/1004") { metafields(first: 5) { nodes { key } } } }"#, json!({}))
        .await;
    assert_eq!(
        read["product"]["metafields"]["nodes"],
        json!([]),
        "nothing was written"
    );
}

#[tokio::test]
async fn metafields_set_refuses_more_than_25() {
    let h = Harness::start().await;
    let many: Vec<Value> = (0..26)
        .map(|i| {
            metafield(
                "gid://shopify/Product/1005",
                &format!("k{i}"),
                "number_integer",
                "1",
            )
        })
        .collect();
    let data = h.data(SET, json!({"metafields": many})).await;
    assert_eq!(data["metafieldsSet"]["metafields"], Value::Null);
    assert_eq!(
        data["metafieldsSet"]["userErrors"][0]["code"],
        "LESS_THAN_OR_EQUAL_TO"
    );
}

#[tokio::test]
async fn an_unimplemented_mutation_says_so_in_its_user_errors_and_writes_nothing() {
    let h = Harness::start().await;
    let body = h
        .gql(r#"mutation { collectionDelete(input: {id: "gid://shopify/Collection/501"}) { deletedCollectionId userErrors { field message } } }"#, json!({}))
        .await;
    assert_eq!(body.get("errors"), None, "{body}");
    assert_eq!(
        body["data"]["collectionDelete"],
        json!({"deletedCollectionId": null, "userErrors": [{"field": null, "message": "The emulator does not implement the mutation collectionDelete; nothing was written."}]})
    );
    assert_eq!(h.emu.stats().writes_of("collectionDelete"), 0);
}

#[tokio::test]
async fn an_unimplemented_mutation_without_user_errors_is_a_field_error_not_silence() {
    let h = Harness::start().await;
    // `LocationDeletePayload` has `locationDeleteUserErrors`, not `userErrors`.
    let body = h
        .gql(r#"mutation { locationDelete(locationId: "gid://shopify/Location/3") { deletedLocationId } }"#, json!({}))
        .await;
    assert_eq!(body["data"], json!({"locationDelete": null}));
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
}
