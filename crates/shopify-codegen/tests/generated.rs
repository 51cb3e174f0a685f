//! The golden copy of what the generator emits for a small fixture: a shared fragment,
//! a union and an input object. A change to the generator shows up here as a diff to
//! review.

use std::path::PathBuf;

use shopify_codegen::{SourceFile, Sources, compile, rust};
use shopify_schema::AdminSchema;

fn file(path: &str, text: &str) -> SourceFile {
    SourceFile {
        path: PathBuf::from(path),
        display: path.to_owned(),
        text: text.to_owned(),
    }
}

#[test]
fn generated_code_for_a_fragment_a_union_and_an_input_object() {
    let sources = Sources {
        operations: vec![
            file(
                "graphql/product_reference.graphql",
                "query ProductReference($id: ID!) {\n  product(id: $id) {\n    ...ProductName\n    metafield(namespace: \"custom\", key: \"related\") {\n      reference {\n        ... on Product {\n          ...ProductName\n        }\n        ... on Collection {\n          handle\n        }\n      }\n    }\n  }\n}\n",
            ),
            file(
                "graphql/product_delete.graphql",
                "mutation ProductDelete($input: ProductDeleteInput!) {\n  productDelete(input: $input) {\n    deletedProductId\n    userErrors {\n      field\n      message\n    }\n  }\n}\n",
            ),
        ],
        fragments: vec![file(
            "graphql/fragments/product_name.graphql",
            "fragment ProductName on Product {\n  id\n  title\n}\n",
        )],
        directories: Vec::new(),
    };
    let schema = AdminSchema::bundled();
    let compiled = match compile(schema, &sources) {
        Ok(compiled) => compiled,
        Err(errors) => panic!("{errors}"),
    };
    let code = match rust::generate(schema, &compiled) {
        Ok(code) => code,
        Err(errors) => panic!("{errors}"),
    };
    insta::assert_snapshot!(code);
}
