//! What the generated functions' docs promise: the cost itself, not only a pointer to
//! `requested_cost()`.

use std::path::PathBuf;

use shopify_codegen::{SourceFile, Sources, compile, rust};
use shopify_schema::AdminSchema;

fn generated(path: &str, text: &str) -> String {
    let schema = AdminSchema::bundled();
    let mut sources = Sources::default();
    sources.operations.push(SourceFile {
        path: PathBuf::from(path),
        display: path.to_owned(),
        text: text.to_owned(),
    });
    let compiled = compile(schema, &sources).expect("valid");
    rust::generate(schema, &compiled).expect("generates")
}

#[test]
fn a_function_doc_shows_its_cost_formula_when_it_depends_on_variables() {
    let code = generated(
        "graphql/low_stock.graphql",
        "query LowStock($first: Int!) {\n  products(first: $first) {\n    nodes {\n      id\n    }\n  }\n}\n",
    );
    assert!(
        code.contains("/// Requested cost: `2 + $first × 1` points (at least 2); [`low_stock::requested_cost`] gives it for given variables.\n"),
        "{}",
        code.lines().filter(|l| l.contains("cost")).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn a_function_doc_shows_a_fixed_cost() {
    let code = generated(
        "graphql/shop_name.graphql",
        "query ShopName {\n  shop {\n    name\n  }\n}\n",
    );
    assert!(code.contains("/// Requested cost: 1 point per call.\n"));
}
