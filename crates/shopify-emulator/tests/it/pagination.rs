use serde_json::{Value, json};

use crate::support::Harness;

const PAGE: &str = r#"query Page($first: Int, $last: Int, $after: String, $before: String) {
  products(first: $first, last: $last, after: $after, before: $before) {
    edges { cursor node { id } }
    nodes { id }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"#;

fn ids(page: &Value) -> Vec<String> {
    page["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn all_ids(h: &Harness) -> Vec<String> {
    let data = h
        .data("{ products(first: 250) { nodes { id } } }", json!({}))
        .await;
    ids(&data["products"])
}

#[tokio::test]
async fn forward_pagination_visits_every_product_once() {
    let h = Harness::start().await;
    let expected = all_ids(&h).await;
    assert!(expected.len() >= 25);
    let mut seen = Vec::new();
    let mut after = Value::Null;
    let mut pages = 0;
    loop {
        let data = h.data(PAGE, json!({"first": 10, "after": after})).await;
        let page = &data["products"];
        assert_eq!(
            page["edges"].as_array().unwrap().len(),
            page["nodes"].as_array().unwrap().len()
        );
        assert_eq!(page["pageInfo"]["hasPreviousPage"], json!(pages > 0));
        seen.extend(ids(page));
        pages += 1;
        if page["pageInfo"]["hasNextPage"] == json!(false) {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
        assert_eq!(page["edges"][9]["cursor"], after);
    }
    assert_eq!(seen, expected);
    assert_eq!(pages, expected.len().div_ceil(10));
}

#[tokio::test]
async fn backward_pagination_visits_every_product_once() {
    let h = Harness::start().await;
    let expected = all_ids(&h).await;
    let mut seen: Vec<String> = Vec::new();
    let mut before = Value::Null;
    loop {
        let data = h.data(PAGE, json!({"last": 7, "before": before})).await;
        let page = &data["products"];
        let mut chunk = ids(page);
        chunk.extend(seen);
        seen = chunk;
        if page["pageInfo"]["hasPreviousPage"] == json!(false) {
            break;
        }
        assert_eq!(
            page["pageInfo"]["hasNextPage"],
            json!(before != Value::Null)
        );
        before = page["pageInfo"]["startCursor"].clone();
    }
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn cursors_are_padded_base64_of_json() {
    let h = Harness::start().await;
    let data = h.data(PAGE, json!({"first": 1})).await;
    let cursor = data["products"]["edges"][0]["cursor"].as_str().unwrap();
    assert_eq!(cursor.len() % 4, 0, "{cursor}");
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(cursor)
        .unwrap();
    let value: Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(value["last_id"], 1001);
}

async fn window_error(h: &Harness, args: &str) -> Value {
    let body = h
        .gql(
            &format!("query W {{ products{args} {{ nodes {{ id }} }} }}"),
            json!({}),
        )
        .await;
    assert!(body.as_object().unwrap().contains_key("data"), "{body}");
    assert_eq!(
        body["data"],
        Value::Null,
        "products is non-null: the null reaches data"
    );
    assert_eq!(body["errors"].as_array().unwrap().len(), 1);
    body["errors"][0].clone()
}

#[tokio::test]
async fn window_arguments_are_checked_like_shopify() {
    let h = Harness::start().await;
    let error = window_error(&h, "").await;
    assert_eq!(
        error,
        json!({"message": "you must provide one of first or last",
            "locations": [{"line": 1, "column": 11}], "path": ["products"],
            "extensions": {"code": "BAD_REQUEST"}})
    );
    let error = window_error(&h, "(first: 1, last: 1)").await;
    assert_eq!(
        error["message"],
        "providing both first and last is not supported"
    );
    let error = window_error(&h, r#"(first: 1, after: "garbage")"#).await;
    assert_eq!(error["message"], "Malformed cursor");
    let error = window_error(&h, "(first: 251)").await;
    assert_eq!(error["extensions"]["code"], "BAD_REQUEST");
    assert!(error["message"].as_str().unwrap().contains("250"));
}

#[tokio::test]
async fn nested_connections_fail_only_their_parent() {
    let h = Harness::start().await;
    let body = h
        .gql(
            r#"{ product(id: "gid://shopify/Product/1001") { title variants { nodes { id } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(body["data"], json!({"product": null}));
    assert_eq!(body["errors"][0]["path"], json!(["product", "variants"]));
}

#[tokio::test]
async fn an_empty_connection_has_empty_lists_and_a_blank_page_info() {
    let h = Harness::start().await;
    let data = h
        .data(
            r#"{ products(first: 5, query: "title:no-such-thing") { edges { cursor } nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["products"],
        json!({"edges": [], "nodes": [], "pageInfo": {"hasNextPage": false,
            "hasPreviousPage": false, "startCursor": null, "endCursor": null}})
    );
}

async fn titles(h: &Harness, args: &str) -> Vec<String> {
    let data = h
        .data(
            &format!("{{ products({args}) {{ nodes {{ title }} }} }}"),
            json!({}),
        )
        .await;
    data["products"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn search_terms_filter_products() {
    let h = Harness::start().await;
    let shirts = titles(&h, r#"first: 50, query: "title:shirt""#).await;
    assert_eq!(
        shirts,
        [
            "Classic Cotton T-Shirt",
            "Oxford Button-Down Shirt",
            "Linen Summer Shirt"
        ]
    );
    let sale = titles(&h, r#"first: 50, query: "tag:sale""#).await;
    assert!(
        sale.contains(&"Classic Cotton T-Shirt".to_owned()),
        "{sale:?}"
    );
    assert_eq!(
        titles(&h, r#"first: 50, query: "status:draft""#).await,
        ["Chunky Cable Cardigan"]
    );
    let both = titles(
        &h,
        r#"first: 50, query: "tag:winter vendor:'Alpine Knitworks' status:active""#,
    )
    .await;
    assert_eq!(
        both,
        ["Merino Crew Sweater", "Wool Throw Blanket", "Knit Beanie"]
    );
    assert_eq!(
        titles(&h, r#"first: 50, query: "skillet""#).await,
        ["Cast Iron Skillet 10in"]
    );
}

#[tokio::test]
async fn sort_key_and_reverse_order_the_results() {
    let h = Harness::start().await;
    let by_title = titles(&h, "first: 3, sortKey: TITLE").await;
    assert_eq!(
        by_title,
        [
            "Camp Enamel Mug",
            "Canvas Tote Bag",
            "Cast Iron Skillet 10in"
        ]
    );
    let reversed = titles(&h, "first: 1, sortKey: TITLE, reverse: true").await;
    assert_eq!(reversed, ["Wool Throw Blanket"]);
    let newest_id = titles(&h, "first: 1, reverse: true").await;
    assert_eq!(newest_id, ["Gift Card"]);
}

#[tokio::test]
async fn customers_and_orders_are_searchable() {
    let h = Harness::start().await;
    let data = h
        .data(
            r#"{ customers(first: 50, query: "email:*@example.org") { nodes { email } }
                orders(first: 50, query: "financial_status:pending") { nodes { name displayFinancialStatus } } }"#,
            json!({}),
        )
        .await;
    let emails = data["customers"]["nodes"].as_array().unwrap();
    assert_eq!(emails.len(), 2);
    assert!(
        emails
            .iter()
            .all(|e| e["email"].as_str().unwrap().ends_with("@example.org"))
    );
    let orders = data["orders"]["nodes"].as_array().unwrap();
    assert!(!orders.is_empty());
    assert!(
        orders
            .iter()
            .all(|o| o["displayFinancialStatus"] == "PENDING")
    );
}

#[tokio::test]
async fn nested_connections_paginate_too() {
    let h = Harness::start().await;
    let q = r#"query V($after: String) { product(id: "gid://shopify/Product/1007") {
        variants(first: 2, after: $after) { nodes { title } pageInfo { hasNextPage endCursor } } } }"#;
    let first = h.data(q, json!({})).await;
    let page = &first["product"]["variants"];
    assert_eq!(page["nodes"], json!([{"title": "30"}, {"title": "32"}]));
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let second = h
        .data(q, json!({"after": page["pageInfo"]["endCursor"]}))
        .await;
    assert_eq!(
        second["product"]["variants"]["nodes"],
        json!([{"title": "34"}, {"title": "36"}])
    );
}

#[tokio::test]
async fn extra_products_are_seeded_for_benchmarks() {
    let h = Harness::with(shopify_emulator::Emulator::builder().extra_products(300)).await;
    let data = h
        .data(
            "{ productsCount { count } products(first: 250) { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["productsCount"]["count"], 328);
    assert_eq!(data["products"]["nodes"].as_array().unwrap().len(), 250);
    // With their variants, 250 products would cost 1502 points, above the limit of 1000.
    let last = h
        .data(
            "{ products(last: 1) { nodes { variants(first: 3) { nodes { price } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        last["products"]["nodes"][0]["variants"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}
