use serde_json::json;

use crate::support::Harness;

#[tokio::test]
async fn schema_introspection_names_the_query_root() {
    let h = Harness::start().await;
    let data = h
        .data(
            "{ __schema { queryType { name } mutationType { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data,
        json!({"__schema": {"queryType": {"name": "QueryRoot"}, "mutationType": {"name": "Mutation"}}})
    );
}

#[tokio::test]
async fn type_introspection_describes_product() {
    let h = Harness::start().await;
    let query = r#"query { __type(name: "Product") { name kind fields { name type { kind name ofType { name } } } } }"#;
    let data = h.data(query, json!({})).await;
    assert_eq!(data["__type"]["name"], "Product");
    assert_eq!(data["__type"]["kind"], "OBJECT");
    let fields = data["__type"]["fields"].as_array().unwrap();
    let title = fields.iter().find(|f| f["name"] == "title").unwrap();
    assert_eq!(
        title["type"],
        json!({"kind": "NON_NULL", "name": null, "ofType": {"name": "String"}})
    );
    // Cached answers are identical.
    assert_eq!(h.data(query, json!({})).await, data);
}

#[tokio::test]
async fn typename_resolves_on_interfaces() {
    let h = Harness::start().await;
    let data = h
        .data(
            r#"{ __typename node(id: "gid://shopify/Product/1001") { __typename id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data,
        json!({"__typename": "QueryRoot",
            "node": {"__typename": "Product", "id": "gid://shopify/Product/1001"}})
    );
}
