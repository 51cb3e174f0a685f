//! Bad input to the customer, collection, draft order, metaobject, webhook, variant and
//! tag mutations: each answers its user errors (Shopify's shape: `field` is a path into
//! the arguments) and writes nothing. What they write on good input is read back in
//! `tests/e2e/every_operation.rs`.

use serde_json::{Value, json};

use crate::support::Harness;

/// Sends `mutation`, asserts its payload's `userErrors` are `expect` and nothing was written.
async fn check(mutation: &str, expect: Value) {
    let h = Harness::start().await;
    let data = h.data(mutation, json!({})).await;
    let payload = data.as_object().unwrap().values().next().unwrap();
    assert_eq!(payload["userErrors"], expect, "{mutation}");
    assert_eq!(h.emu.writes(), vec![], "{mutation}: nothing written");
}

#[tokio::test]
async fn collection_create_needs_a_title() {
    check(
        r#"mutation { collectionCreate(collection: {title: "  "}) { collection { id } userErrors { field message } } }"#,
        json!([{"field": ["title"], "message": "Title can't be blank"}]),
    )
    .await;
}

#[tokio::test]
async fn customer_create_needs_a_name_an_email_or_a_phone() {
    check(
        r#"mutation { customerCreate(input: {note: "no contact"}) { customer { id } userErrors { field message } } }"#,
        json!([{"field": null, "message": "A name, phone number, or email address must be present"}]),
    )
    .await;
}

#[tokio::test]
async fn customer_emails_are_valid_and_unique() {
    check(
        r#"mutation { customerCreate(input: {email: "AVA.Thompson@example.com"}) { customer { id } userErrors { field message } } }"#,
        json!([{"field": ["email"], "message": "Email has already been taken"}]),
    )
    .await;
    check(
        r#"mutation { customerCreate(input: {email: "not-an-email"}) { customer { id } userErrors { field message } } }"#,
        json!([{"field": ["email"], "message": "Email is invalid"}]),
    )
    .await;
}

#[tokio::test]
async fn customer_update_needs_an_existing_customer() {
    check(
        r#"mutation { customerUpdate(input: {id: "gid://shopify/Customer/9999", note: "x"}) { customer { id } userErrors { field message } } }"#,
        json!([{"field": ["id"], "message": "Customer does not exist"}]),
    )
    .await;
}

#[tokio::test]
async fn draft_order_create_reports_every_bad_line() {
    check(
        r#"mutation { draftOrderCreate(input: {lineItems: [
            {variantId: "gid://shopify/ProductVariant/9", quantity: 1},
            {title: "Gift wrap", quantity: 0}]}) { draftOrder { id } userErrors { field message } } }"#,
        json!([
            {"field": ["lineItems", "0", "variantId"], "message": "Product variant does not exist"},
            {"field": ["lineItems", "1", "quantity"], "message": "Quantity must be greater than or equal to 1"}
        ]),
    )
    .await;
}

#[tokio::test]
async fn metaobject_upsert_needs_a_definition() {
    check(
        r#"mutation { metaobjectUpsert(handle: {type: "nope", handle: "a"}, metaobject: {fields: []}) { metaobject { id } userErrors { field message code elementKey elementIndex } } }"#,
        json!([{"field": ["handle", "type"], "message": "No metaobject definition exists for type \"nope\"",
            "code": "UNDEFINED_OBJECT_TYPE", "elementKey": null, "elementIndex": null}]),
    )
    .await;
}

#[tokio::test]
async fn metaobject_fields_are_checked_against_the_definition() {
    check(
        r#"mutation { metaobjectUpsert(handle: {type: "size_chart", handle: "a"}, metaobject: {fields: [
            {key: "colour", value: "red"}, {key: "chest_cm", value: "96"}]}) {
            metaobject { id } userErrors { field message code elementKey elementIndex } } }"#,
        json!([
            {"field": ["metaobject", "fields", "0"], "message": "Field definition \"colour\" does not exist",
                "code": "UNDEFINED_OBJECT_FIELD", "elementKey": "colour", "elementIndex": 0},
            {"field": ["metaobject", "fields", "1"], "message": "Value is invalid for list.number_integer: Value must be a JSON array.",
                "code": "INVALID_VALUE", "elementKey": "chest_cm", "elementIndex": 1},
            {"field": ["metaobject", "fields"], "message": "Field \"title\" is required",
                "code": "OBJECT_FIELD_REQUIRED", "elementKey": "title", "elementIndex": null}
        ]),
    )
    .await;
}

#[tokio::test]
async fn metaobject_upsert_updates_the_one_with_that_handle() {
    let h = Harness::start().await;
    let upsert = |title: &str| {
        format!(
            r#"mutation {{ metaobjectUpsert(handle: {{type: "size_chart", handle: "tees"}}, metaobject: {{fields: [{{key: "title", value: "{title}"}}]}}) {{ metaobject {{ id displayName }} userErrors {{ message }} }} }}"#
        )
    };
    let first = h.data(&upsert("Tees"), json!({})).await;
    let second = h.data(&upsert("T-shirts"), json!({})).await;
    let id = &first["metaobjectUpsert"]["metaobject"]["id"];
    assert_eq!(second["metaobjectUpsert"]["metaobject"]["id"], *id);
    let read = h
        .data(
            r#"{ metaobjects(type: "size_chart", first: 5) { nodes { id displayName } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        read["metaobjects"]["nodes"],
        json!([{"id": id, "displayName": "T-shirts"}])
    );
}

#[tokio::test]
async fn variant_bulk_update_is_all_or_nothing_by_default() {
    check(
        r#"mutation { productVariantsBulkUpdate(productId: "gid://shopify/Product/1001", variants: [
            {id: "gid://shopify/ProductVariant/2001", price: "-1.00"},
            {id: "gid://shopify/ProductVariant/9999", price: "5.00"}]) {
            productVariants { id } userErrors { field message code } } }"#,
        json!([
            {"field": ["variants", "0", "price"], "message": "Negative price value is not allowed", "code": "NEGATIVE_PRICE_VALUE"},
            {"field": ["variants", "1", "id"], "message": "Product variant does not exist", "code": "PRODUCT_VARIANT_DOES_NOT_EXIST"}
        ]),
    )
    .await;
    check(
        r#"mutation { productVariantsBulkUpdate(productId: "gid://shopify/Product/9", variants: []) {
            product { id } userErrors { field message code } } }"#,
        json!([{"field": ["productId"], "message": "Product does not exist", "code": "PRODUCT_DOES_NOT_EXIST"}]),
    )
    .await;
}

#[tokio::test]
async fn tags_add_needs_a_taggable_object() {
    check(
        r#"mutation { tagsAdd(id: "gid://shopify/Location/1", tags: ["x"]) { node { id } userErrors { field message } } }"#,
        json!([{"field": ["id"], "message": "Object does not exist"}]),
    )
    .await;
}

#[tokio::test]
async fn webhook_addresses_are_https_and_unique_per_topic() {
    check(
        r#"mutation { webhookSubscriptionCreate(topic: ORDERS_PAID, webhookSubscription: {uri: "http://hooks.example.com"}) { webhookSubscription { id } userErrors { field message } } }"#,
        json!([{"field": ["webhookSubscription", "callbackUrl"], "message": "Address protocol http is not supported"}]),
    )
    .await;
    let h = Harness::start().await;
    let create = r#"mutation { webhookSubscriptionCreate(topic: ORDERS_PAID, webhookSubscription: {uri: "https://hooks.example.com/a"}) { webhookSubscription { id } userErrors { field message } } }"#;
    let first = h.data(create, json!({})).await;
    assert_eq!(first["webhookSubscriptionCreate"]["userErrors"], json!([]));
    let again = h.data(create, json!({})).await;
    assert_eq!(
        again["webhookSubscriptionCreate"]["userErrors"],
        json!([{"field": ["webhookSubscription", "callbackUrl"], "message": "Address for this topic has already been taken"}])
    );
    assert_eq!(h.emu.stats().writes_of("webhookSubscriptionCreate"), 1);
}
