//! Build errors for invalid operations: every one located, worded, and with a
//! suggestion where the schema has a close name. Snapshots pin the exact text users see,
//! so error quality cannot regress unnoticed.

use shopify_codegen::{Idempotency, Severity, Sources, compile};
use shopify_schema::AdminSchema;

/// The errors (or warnings, when it compiles) for `files`, one per line.
fn check(files: &[(&str, &str)]) -> String {
    match compile(AdminSchema::bundled(), &Sources::from_texts(files)) {
        Ok(compiled) => {
            let lines: Vec<String> = compiled
                .warnings
                .iter()
                .map(|w| format!("warning: {w}"))
                .collect();
            format!("compiled\n{}", lines.join("\n"))
        }
        Err(errors) => errors.to_string(),
    }
}

#[test]
fn unknown_field_suggests_the_close_one() {
    insta::assert_snapshot!(check(&[(
        "graphql/products.graphql",
        "query Products {\n  products(first: 5) {\n    nodes {\n      titel\n    }\n  }\n}\n",
    )]));
}

#[test]
fn wrong_argument_type_is_located() {
    insta::assert_snapshot!(check(&[(
        "graphql/products.graphql",
        "query Products {\n  products(first: \"ten\") {\n    nodes {\n      id\n    }\n  }\n}\n",
    )]));
}

#[test]
fn unknown_argument_suggests_the_close_one() {
    insta::assert_snapshot!(check(&[(
        "graphql/products.graphql",
        "query Products {\n  products(frist: 5) {\n    nodes {\n      id\n    }\n  }\n}\n",
    )]));
}

#[test]
fn undeclared_variable_suggests_a_declared_one() {
    insta::assert_snapshot!(check(&[(
        "graphql/products_page.graphql",
        "query ProductsPage($first: Int!, $cursor: String) {\n  products(first: $first, after: $curser) {\n    nodes {\n      id\n    }\n  }\n}\n",
    )]));
}

#[test]
fn bad_fragment_type_condition() {
    insta::assert_snapshot!(check(&[
        (
            "graphql/node_title.graphql",
            "query NodeTitle($id: ID!) {\n  node(id: $id) {\n    ... on Prodcut {\n      title\n    }\n  }\n  product(id: $id) {\n    ...CustomerName\n  }\n}\n",
        ),
        (
            "graphql/fragments/customer_name.graphql",
            "fragment CustomerName on Customer {\n  displayName\n}\n",
        ),
    ]));
}

#[test]
fn missing_selection_on_an_object_field() {
    insta::assert_snapshot!(check(&[(
        "graphql/shop_name.graphql",
        "query ShopName {\n  shop\n}\n",
    )]));
}

#[test]
fn unknown_input_type_is_an_error_with_a_suggestion_not_a_panic() {
    insta::assert_snapshot!(check(&[(
        "graphql/product_create.graphql",
        "mutation ProductCreate($product: ProductCreateInputt!) {\n  productCreate(product: $product) {\n    product {\n      id\n    }\n  }\n}\n",
    )]));
}

#[test]
fn enum_values_and_directives_get_suggestions() {
    insta::assert_snapshot!(check(&[(
        "graphql/products.graphql",
        "query Products($all: Boolean!) {\n  products(first: 5, sortKey: TITEL) {\n    nodes {\n      id @skp(if: $all)\n    }\n  }\n}\n",
    )]));
}

#[test]
fn every_error_in_every_file_is_reported_in_file_order() {
    insta::assert_snapshot!(check(&[
        (
            "graphql/a_first.graphql",
            "query AFirst {\n  shop {\n    nam\n  }\n}\n"
        ),
        (
            "graphql/b_second.graphql",
            "query BSecond {\n  shop {\n    emial\n    currencyCod\n  }\n}\n"
        ),
        ("graphql/c_third.graphql", "query CThird {\n  shop {\n"),
    ]));
}

#[test]
fn file_layout_rules_say_how_to_fix_them() {
    insta::assert_snapshot!(check(&[
        (
            "graphql/wrong_name.graphql",
            "query ShopInfo {\n  shop {\n    name\n  }\n}\n"
        ),
        (
            "graphql/anonymous.graphql",
            "{\n  shop {\n    name\n  }\n}\n"
        ),
        (
            "graphql/two_ops.graphql",
            "query TwoOps {\n  shop {\n    name\n  }\n}\nquery Other {\n  shop {\n    id\n  }\n}\n",
        ),
        (
            "graphql/local_fragment.graphql",
            "query LocalFragment {\n  shop {\n    ...ShopBits\n  }\n}\nfragment ShopBits on Shop {\n  name\n}\n",
        ),
        (
            "graphql/fragments/has_query.graphql",
            "query HasQuery {\n  shop {\n    name\n  }\n}\n"
        ),
        ("graphql/empty.graphql", "# nothing here\n"),
    ]));
}

#[test]
fn one_of_inputs_need_exactly_one_non_null_field() {
    insta::assert_snapshot!(check(&[
        (
            "graphql/collection_both.graphql",
            "query CollectionBoth {\n  collectionByIdentifier(identifier: {handle: \"a\", id: \"gid://shopify/Collection/1\"}) {\n    id\n  }\n}\n",
        ),
        (
            "graphql/collection_null.graphql",
            "query CollectionNull {\n  collectionByIdentifier(identifier: {handle: null}) {\n    id\n  }\n}\n",
        ),
        (
            "graphql/collection_var.graphql",
            "query CollectionVar($handle: String) {\n  collectionByIdentifier(identifier: {handle: $handle}) {\n    id\n  }\n}\n",
        ),
    ]));
}

#[test]
fn deprecated_fields_and_unused_fragments_are_warnings() {
    let out = check(&[
        (
            "graphql/product_body.graphql",
            "query ProductBody($id: ID!) {\n  product(id: $id) {\n    bodyHtml\n  }\n}\n",
        ),
        (
            "graphql/fragments/unused.graphql",
            "fragment Unused on Shop {\n  name\n}\n",
        ),
    ]);
    insta::assert_snapshot!(out);
}

#[test]
fn fragment_errors_are_reported_once_against_the_fragment_file() {
    insta::assert_snapshot!(check(&[
        (
            "graphql/one.graphql",
            "query One {\n  shop {\n    ...ShopBits\n  }\n}\n"
        ),
        (
            "graphql/two.graphql",
            "query Two {\n  shop {\n    ...ShopBits\n  }\n}\n"
        ),
        (
            "graphql/fragments/shop_bits.graphql",
            "fragment ShopBits on Shop {\n  nmae\n}\n"
        ),
    ]));
}

#[test]
fn valid_operations_compile_with_no_warnings() {
    let out = compile(
        AdminSchema::bundled(),
        &Sources::from_texts(&[(
            "graphql/shop_info.graphql",
            "query ShopInfo {\n  shop {\n    name\n  }\n}\n",
        )]),
    )
    .expect("valid");
    assert_eq!(out.operations.len(), 1);
    assert!(out.warnings.iter().all(|w| w.severity == Severity::Warning));
    assert!(out.warnings.is_empty());
}

const SET_QUANTITIES: &str = "mutation SetQty($input: InventorySetQuantitiesInput!) {\n  inventorySetQuantities(input: $input) {\n    userErrors {\n      message\n    }\n  }\n}\n";

#[test]
fn mutations_that_require_idempotent_get_it_with_a_generated_key() {
    let compiled = compile(
        AdminSchema::bundled(),
        &Sources::from_texts(&[("graphql/set_qty.graphql", SET_QUANTITIES)]),
    )
    .expect("valid");
    let op = &compiled.operations[0];
    assert_eq!(
        op.idempotency,
        Idempotency::Generated(vec!["idempotencyKey".into()])
    );
    assert!(
        op.text
            .contains("inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey)"),
        "{}",
        op.text
    );
    assert!(op.text.contains("$idempotencyKey: String!"), "{}", op.text);
}

#[test]
fn a_key_supplied_through_a_variable_is_kept() {
    let text = SET_QUANTITIES
        .replace(
            "($input: InventorySetQuantitiesInput!)",
            "($input: InventorySetQuantitiesInput!, $key: String!)",
        )
        .replace("(input: $input)", "(input: $input) @idempotent(key: $key)");
    let compiled = compile(
        AdminSchema::bundled(),
        &Sources::from_texts(&[("graphql/set_qty.graphql", &text)]),
    )
    .expect("valid");
    assert_eq!(compiled.operations[0].idempotency, Idempotency::Supplied);
}

#[test]
fn idempotent_misuse_is_a_build_error() {
    let literal = SET_QUANTITIES.replace(
        "(input: $input)",
        "(input: $input) @idempotent(key: \"fixed\")",
    );
    insta::assert_snapshot!(check(&[
        ("graphql/set_qty.graphql", &literal),
        (
            "graphql/create.graphql",
            "mutation Create($key: String!) {\n  productCreate(product: {title: \"x\"}) @idempotent(key: $key) {\n    product {\n      id\n    }\n  }\n}\n",
        ),
    ]));
}

#[test]
fn queries_over_the_cost_limit_fail_the_build() {
    insta::assert_snapshot!(check(&[(
        "graphql/huge.graphql",
        "query Huge {\n  products(first: 250) {\n    nodes {\n      variants(first: 250) {\n        nodes {\n          id\n        }\n      }\n    }\n  }\n}\n",
    )]));
}

// Shopify's window and size rules: validation alone passes these, Shopify refuses them
// at run time, so the build must.

#[test]
fn a_connection_without_first_or_last_is_a_located_error() {
    insta::assert_snapshot!(check(&[(
        "graphql/order_lines.graphql",
        "query OrderLines($id: ID!) {\n  order(id: $id) {\n    lineItems {\n      nodes {\n        title\n      }\n    }\n  }\n}\n",
    )]));
}

#[test]
fn a_connection_without_first_or_last_in_a_fragment_is_located_in_the_fragment() {
    insta::assert_snapshot!(check(&[
        (
            "graphql/product_tags.graphql",
            "query ProductTags($id: ID!) {\n  product(id: $id) {\n    ...Images\n  }\n}\n",
        ),
        (
            "graphql/fragments/images.graphql",
            "fragment Images on Product {\n  images {\n    nodes {\n      url\n    }\n  }\n}\n",
        ),
    ]));
}

#[test]
fn first_over_250_and_both_first_and_last_are_located_errors() {
    insta::assert_snapshot!(check(&[(
        "graphql/big_page.graphql",
        "query BigPage($n: Int = 300) {\n  products(first: 251) {\n    nodes {\n      variants(first: 2, last: 2) {\n        nodes {\n          id\n        }\n      }\n    }\n  }\n  orders(first: $n) {\n    nodes {\n      id\n    }\n  }\n}\n",
    )]));
}

#[test]
fn a_window_that_may_be_unset_is_an_error_but_a_default_or_non_null_is_fine() {
    insta::assert_snapshot!(check(&[(
        "graphql/pages.graphql",
        "query Pages($maybe: Int, $dflt: Int = 5, $sure: Int!, $a: Int, $b: Int) {\n  products(first: $maybe) {\n    nodes {\n      id\n    }\n  }\n  orders(first: $dflt) {\n    nodes {\n      id\n    }\n  }\n  customers(last: $sure) {\n    nodes {\n      id\n    }\n  }\n  collections(first: $a, last: $b) {\n    nodes {\n      id\n    }\n  }\n}\n",
    )]));
}

#[test]
fn an_input_list_over_250_items_is_a_located_error() {
    let tags: Vec<String> = (0..251).map(|i| format!("\"t{i}\"")).collect();
    let text = format!(
        "mutation TagsAdd($id: ID!) {{\n  tagsAdd(id: $id, tags: [{}]) {{\n    userErrors {{\n      message\n    }}\n  }}\n}}\n",
        tags.join(", ")
    );
    insta::assert_snapshot!(check(&[("graphql/tags_add.graphql", &text)]));
}

/// Queries under `graphql/bulk/` obey Shopify's bulk rules; each break is located.
#[test]
fn bulk_queries_break_no_bulk_rule_unlocated() {
    let none = check(&[(
        "graphql/bulk/shop.graphql",
        "query Shop {\n  shop { name }\n}\n",
    )]);
    assert_eq!(
        none,
        "1 error in GraphQL operations:\ngraphql/bulk/shop.graphql:1:1: a bulk query must select at least one connection (e.g. `products { edges { node { id } } }`)\n"
    );
    let deep = check(&[(
        "graphql/bulk/deep.graphql",
        "query Deep {\n  products {\n    nodes {\n      collections {\n        nodes {\n          products { nodes { id } }\n        }\n      }\n    }\n  }\n}\n",
    )]);
    assert_eq!(
        deep,
        "1 error in GraphQL operations:\ngraphql/bulk/deep.graphql:6:11: connection `products` is nested 3 levels deep; bulk queries allow at most 2\n"
    );
    let many = check(&[(
        "graphql/bulk/many.graphql",
        "query Many {\n  a: products { nodes { id } }\n  b: products { nodes { id } }\n  c: products { nodes { id } }\n  d: products { nodes { id } }\n  e: products { nodes { id } }\n  f: products { nodes { id } }\n}\n",
    )]);
    assert_eq!(
        many,
        "1 error in GraphQL operations:\ngraphql/bulk/many.graphql:7:3: a bulk query may select at most 5 connections; `products` is connection 6\n"
    );
    // The same query outside graphql/bulk/ is an ordinary query.
    assert!(
        check(&[("graphql/shop.graphql", "query Shop {\n  shop { name }\n}\n")])
            .starts_with("compiled")
    );
}

#[test]
fn a_fragment_in_an_operations_own_file_serves_it_and_may_use_shared_ones() {
    let files = [
        (
            "graphql/fragments/shop_name.graphql",
            "fragment ShopName on Shop {\n  name\n}\n",
        ),
        (
            "graphql/local_fragment.graphql",
            "query LocalFragment {\n  shop {\n    ...ShopBits\n  }\n}\n\nfragment ShopBits on Shop {\n  id\n  ...ShopName\n}\n",
        ),
    ];
    let schema = AdminSchema::bundled();
    let compiled = compile(schema, &Sources::from_texts(&files)).expect("compiles");
    assert!(compiled.warnings.is_empty(), "{:?}", compiled.warnings);
    let op = &compiled.operations[0];
    assert_eq!(op.fragments, ["ShopBits", "ShopName"]);
    assert_eq!(
        compiled.fragments["ShopBits"].file,
        "graphql/local_fragment.graphql"
    );
    assert!(op.text.contains("fragment ShopBits on Shop"), "{}", op.text);
    assert!(op.text.contains("fragment ShopName on Shop"), "{}", op.text);
    let code = shopify_codegen::rust::generate(schema, &compiled).expect("generates");
    assert!(
        code.contains("Fragment `ShopBits` on `Shop` (graphql/local_fragment.graphql)"),
        "{code}"
    );
    assert!(
        code.contains("shop_bits: super::fragments::ShopBits,"),
        "{code}"
    );
}

#[test]
fn fragment_name_clashes_are_located_errors() {
    insta::assert_snapshot!(check(&[
        (
            "graphql/fragments/shop_name.graphql",
            "fragment ShopName on Shop {\n  name\n}\n",
        ),
        (
            "graphql/first.graphql",
            "query First {\n  shop {\n    ...ShopName\n    ...Mine\n  }\n}\n\nfragment ShopName on Shop {\n  id\n}\n\nfragment Mine on Shop {\n  id\n}\n",
        ),
        (
            "graphql/second.graphql",
            "query Second {\n  shop {\n    ...Mine\n  }\n}\n\nfragment Mine on Shop {\n  name\n}\n",
        ),
    ]));
}

#[test]
fn another_files_fragment_is_not_visible_and_says_so_where_it_is_spread() {
    insta::assert_snapshot!(check(&[
        (
            "graphql/first.graphql",
            "query First {\n  shop {\n    ...Mine\n  }\n}\n\nfragment Mine on Shop {\n  id\n}\n",
        ),
        (
            "graphql/second.graphql",
            "query Second {\n  shop {\n    ...Mine\n  }\n}\n",
        ),
    ]));
}

#[test]
fn fragments_that_fan_out_are_refused_before_validation_walks_them() {
    // A file somebody sent: each fragment spreads the next twice, 2^40 fields expanded.
    // Validation, cost and code generation would each walk them all (`check` hung).
    let fan_out: String = (0..40)
        .map(|i| format!("fragment F{i} on Shop {{ ...F{n} ...F{n} }}\n", n = i + 1))
        .collect();
    let text = format!(
        "query FanOut {{\n  shop {{ ...F0 }}\n}}\n{fan_out}fragment F40 on Shop {{ name }}\n"
    );
    let started = std::time::Instant::now();
    let errors = check(&[("graphql/fan_out.graphql", &text)]);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(
        errors,
        "1 error in GraphQL operations:\ngraphql/fan_out.graphql:1:1: `FanOut` selects 3298534883328 fields with its fragments expanded, over the 10000 this tool reads: a fragment spread in several places repeats all it selects\n"
    );
}
