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

/// graphql-js's introspection query (without `isOneOf`, which apollo-compiler 1.33 lacks),
/// as `schema pull` sends it.
const FULL: &str = r#"query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }"#;

#[tokio::test]
async fn full_introspection_answers_the_whole_schema() {
    let h = Harness::start().await;
    let data = h.data(FULL, json!({})).await;
    let types = data["__schema"]["types"].as_array().unwrap();
    assert!(types.len() > 3000, "{} types", types.len());
    assert!(types.iter().any(|t| t["name"] == "Product"));
    // The second answer comes from the cache and is the same.
    assert_eq!(h.data(FULL, json!({})).await, data);
}

#[tokio::test]
async fn is_one_of_is_not_answerable_with_apollo_1_33() {
    let h = Harness::start().await;
    let body = h
        .gql("{ __type(name: \"Product\") { isOneOf } }", json!({}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "undefinedField");
}
