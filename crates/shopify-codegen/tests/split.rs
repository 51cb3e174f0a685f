//! `rust::generate_split`, the layout build scripts write: one file per operation, so an
//! edit of one operation changes that file only (what keeps rustc's incremental work on
//! the others).

use std::path::PathBuf;

use shopify_codegen::{SourceFile, Sources, compile, rust};
use shopify_schema::AdminSchema;

fn sources(products_fields: &str) -> Sources {
    let file = |path: &str, text: String| SourceFile {
        path: PathBuf::from(path),
        display: path.to_owned(),
        text,
    };
    Sources {
        operations: vec![
            file(
                "graphql/products.graphql",
                format!(
                    "query Products($first: Int!) {{\n  products(first: $first) {{\n    nodes {{\n      id\n{products_fields}    }}\n  }}\n}}\n"
                ),
            ),
            file(
                "graphql/shop_name.graphql",
                "query ShopName {\n  shop {\n    name\n  }\n}\n".to_owned(),
            ),
        ],
        fragments: Vec::new(),
        directories: Vec::new(),
    }
}

fn split(products_fields: &str) -> rust::SplitCode {
    let schema = AdminSchema::bundled();
    let compiled = compile(schema, &sources(products_fields)).unwrap_or_else(|e| panic!("{e}"));
    rust::generate_split(schema, &compiled, "operations").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn each_operation_gets_its_own_file_included_by_the_root() {
    let code = split("");
    let names: Vec<&str> = code.operations.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(names, ["operations/products.rs", "operations/shop_name.rs"]);
    for (file, body) in &code.operations {
        let include = format!("include!(concat!(env!(\"OUT_DIR\"), \"/{file}\"));");
        assert!(code.root.contains(&include), "root lacks {include}");
        assert!(!code.root.contains(body.as_str()));
    }
    assert!(code.operations[0].1.contains("pub mod products {"));
    assert!(code.root.contains("pub const OPERATIONS"));
    assert!(code.root.contains("pub mod types {"));
}

#[test]
fn the_split_files_hold_exactly_the_single_file_code() {
    let schema = AdminSchema::bundled();
    let compiled = compile(schema, &sources("")).unwrap_or_else(|e| panic!("{e}"));
    let single = rust::generate(schema, &compiled).unwrap_or_else(|e| panic!("{e}"));
    let code = split("");
    let mut inlined = code.root.clone();
    for (file, body) in &code.operations {
        let include = format!("include!(concat!(env!(\"OUT_DIR\"), \"/{file}\"));\n");
        inlined = inlined.replace(&include, body);
    }
    assert_eq!(inlined, single);
}

#[test]
fn a_new_field_in_one_operation_changes_only_that_operations_file() {
    let before = split("");
    let after = split("      title\n");
    assert_eq!(after.root, before.root);
    assert_ne!(after.operations[0], before.operations[0]);
    assert_eq!(after.operations[1], before.operations[1]);
}
