//! `check_upgrade` on small hand-made schema pairs, one kind of change at a time, and one
//! run between two real Admin versions.

use std::path::PathBuf;

use shopify_codegen::upgrade::check_upgrade;
use shopify_codegen::{SourceFile, Sources};
use shopify_schema::{AdminSchema, FieldMeta, SchemaMeta};

fn schema(version: &str, sdl: &str, access: &[(&str, &str)]) -> AdminSchema {
    let mut meta = SchemaMeta {
        api_version: version.to_owned(),
        ..SchemaMeta::default()
    };
    for (coordinate, text) in access {
        meta.fields.insert(
            (*coordinate).to_owned(),
            FieldMeta {
                required_access: Some((*text).to_owned()),
                ..FieldMeta::default()
            },
        );
    }
    AdminSchema::from_parts(sdl, meta, version).expect("valid test schema")
}

fn operations(files: &[(&str, &str)]) -> Sources {
    let mut sources = Sources::default();
    for (path, text) in files {
        sources.operations.push(SourceFile {
            path: PathBuf::from(path),
            display: (*path).to_owned(),
            text: (*text).to_owned(),
        });
    }
    sources
}

const V1: &str = r#"
type Query {
  product(id: ID!): Product
  products(first: Int, query: String, sortKey: SortKey): ProductConnection!
  legacyCount: Int
}
type Mutation { productCreate(input: ProductInput!): Product }
type Product { id: ID! title: String! weight: Int price: String status: Status! }
type ProductConnection { nodes: [Product!]! }
enum SortKey { TITLE PRICE }
enum Status { ACTIVE DRAFT }
input ProductInput { title: String! vendor: String weight: Int }
"#;

const V2: &str = r#"
type Query {
  product(id: ID!): Product
  products(first: Int, sortKey: SortKey, search: String): ProductConnection!
}
type Mutation { productCreate(input: ProductInput!): Product }
type Product { id: ID! title: String! weight: Float price: String @deprecated(reason: "Use `priceV2`.") priceV2: String status: Status! }
type ProductConnection { nodes: [Product!]! }
enum SortKey { TITLE }
enum Status { ACTIVE DRAFT ARCHIVED }
input ProductInput { title: String! weight: Float }
"#;

#[test]
fn each_kind_of_change_is_reported_per_operation() {
    let v1 = schema(
        "2026-07",
        V1,
        &[("Query.products", "`read_products` access scope.")],
    );
    let v2 = schema(
        "2026-10",
        V2,
        &[(
            "Query.products",
            "`read_products` access scope or `read_product_listings` access scope.",
        )],
    );
    let sources = operations(&[
        (
            "graphql/unchanged.graphql",
            "query Unchanged($id: ID!) {\n  product(id: $id) {\n    id\n    title\n    status\n  }\n}\n",
        ),
        (
            "graphql/removed_field.graphql",
            "query RemovedField {\n  legacyCount\n}\n",
        ),
        (
            "graphql/retyped_field.graphql",
            "query RetypedField($id: ID!) {\n  product(id: $id) {\n    weight\n  }\n}\n",
        ),
        (
            "graphql/removed_argument.graphql",
            "query RemovedArgument {\n  products(first: 5, query: \"x\") {\n    nodes {\n      id\n    }\n  }\n}\n",
        ),
        (
            "graphql/removed_enum_value.graphql",
            "query RemovedEnumValue {\n  products(first: 5, sortKey: PRICE) {\n    nodes {\n      id\n    }\n  }\n}\n",
        ),
        (
            "graphql/newly_deprecated.graphql",
            "query NewlyDeprecated($id: ID!) {\n  product(id: $id) {\n    price\n  }\n}\n",
        ),
        (
            "graphql/scopes_change.graphql",
            "query ScopesChange {\n  products(first: 5) {\n    nodes {\n      id\n    }\n  }\n}\n",
        ),
        (
            "graphql/input_change.graphql",
            "mutation InputChange($input: ProductInput!) {\n  productCreate(input: $input) {\n    id\n  }\n}\n",
        ),
    ]);

    let report = check_upgrade(&v1, &v2, &sources).expect("valid against v1");

    assert!(report.breaks());
    insta::assert_snapshot!(report.to_string());
}

#[test]
fn operations_that_do_not_validate_today_are_refused() {
    let v1 = schema("2026-07", V1, &[]);
    let sources = operations(&[("graphql/broken.graphql", "query Broken {\n  nope\n}\n")]);
    assert!(check_upgrade(&v1, &v1, &sources).is_err());
}

#[test]
fn an_unchanged_schema_changes_nothing() {
    let v1 = schema("2026-07", V1, &[]);
    let sources = operations(&[(
        "graphql/unchanged.graphql",
        "query Unchanged {\n  legacyCount\n}\n",
    )]);
    let report = check_upgrade(&v1, &v1, &sources).expect("valid");
    assert!(!report.breaks());
    assert_eq!(
        report.to_string(),
        "2026-07 → 2026-07: 1 operation: 0 breaking, 0 changed (not breaking), 1 unchanged\n"
    );
}
