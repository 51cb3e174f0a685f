//! Bulk operations (`graphql/bulk/`): the golden copy of the typed rows and lines the
//! generator emits, and the located errors for queries it cannot turn into rows.

use shopify_codegen::{Sources, compile, rust};
use shopify_schema::AdminSchema;

/// The generated code, or every error (compile's or the generator's), one per line.
fn generate(files: &[(&str, &str)]) -> Result<String, String> {
    let schema = AdminSchema::bundled();
    let compiled = compile(schema, &Sources::from_texts(files)).map_err(|e| e.to_string())?;
    rust::generate(schema, &compiled).map_err(|e| e.to_string())
}

/// The generated code from the first bulk module on (the `types` module before it is
/// pinned by the other golden copy).
fn bulk_part(code: &str) -> &str {
    let at = code.find("\n/// The bulk ").expect("a bulk module");
    &code[at..]
}

#[test]
fn generated_rows_and_lines_for_a_nested_query_and_a_mutation() {
    let code = generate(&[
        (
            "graphql/bulk/orders_export.graphql",
            // Two levels, an object inside a row, an enum, a nullable id-less field, an
            // alias, a fragment on the node's own type.
            "query OrdersExport {\n  orders {\n    edges {\n      node {\n        id\n        name\n        ... on Order { displayFinancialStatus }\n        total: totalPriceSet { shopMoney { amount currencyCode } }\n        lineItems {\n          nodes { id quantity sku }\n        }\n      }\n    }\n  }\n}\n",
        ),
        (
            "graphql/bulk/tag_products.graphql",
            "mutation TagProducts($id: ID!, $tags: [String!]!) {\n  tagsAdd(id: $id, tags: $tags) {\n    node { id }\n    userErrors { field message }\n  }\n}\n",
        ),
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    // Not ordinary operations: no function, not in OPERATIONS.
    assert!(!code.contains("pub async fn orders_export("), "{code}");
    assert!(!code.contains("__graphql_fn!"), "{code}");
    assert!(code.contains("pub const BULK_OPERATIONS"), "{code}");
    insta::assert_snapshot!(bulk_part(&code));
}

#[test]
fn the_sent_query_selects_typename_first_at_every_level() {
    let schema = AdminSchema::bundled();
    let compiled = compile(
        schema,
        &Sources::from_texts(&[(
            "graphql/bulk/products_export.graphql",
            "query ProductsExport {\n  products { nodes { title id __typename variants { edges { node { id } } } } }\n}\n",
        )]),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let op = &compiled.operations[0];
    assert!(op.bulk);
    let compact: String = op.text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(
        compact,
        "query ProductsExport { products { nodes { __typename title id variants { edges { node { __typename id } } } } } }"
    );
}

#[test]
fn queries_that_cannot_become_rows_are_located_errors() {
    let check = |name: &str, text: &str| {
        generate(&[(&format!("graphql/bulk/{name}.graphql"), text)]).expect_err(name)
    };
    assert_eq!(
        check(
            "twice",
            "query Twice {\n  a: products { nodes { id } }\n  b: products { nodes { id } }\n}\n"
        ),
        "1 error in GraphQL operations:\ngraphql/bulk/twice.graphql:3:3: connections `a` and `b` both have `Product` nodes, so their lines cannot be told apart by `__typename`; export them in two bulk queries\n"
    );
    assert_eq!(
        check(
            "no_id",
            "query NoId {\n  products {\n    nodes {\n      title\n      variants { nodes { id } }\n    }\n  }\n}\n"
        ),
        "1 error in GraphQL operations:\ngraphql/bulk/no_id.graphql:5:7: the `products` rows have children (`products.variants`), which name their parent by id: select `id` in `products`\n"
    );
    assert_eq!(
        check(
            "narrower",
            "query Narrower {\n  products {\n    nodes {\n      id\n      media { nodes { ... on MediaImage { id } } }\n    }\n  }\n}\n"
        ),
        "1 error in GraphQL operations:\ngraphql/bulk/narrower.graphql:5:7: connection `products.media` has nodes of the abstract type `Media`: bulk rows need one object type per level\n"
    );
    // Shopify's own rules stay located too (compile's check).
    assert!(
        check(
            "deep",
            "query Deep {\n  products {\n    nodes {\n      collections {\n        nodes {\n          products { nodes { id } }\n        }\n      }\n    }\n  }\n}\n"
        )
        .contains("graphql/bulk/deep.graphql:6:11: connection `products` is nested 3 levels deep")
    );
}
