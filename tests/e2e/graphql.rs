//! GraphQL behaviour through the client: introspection, pagination, writes then reads,
//! user errors, error shapes, access scopes.

use futures::TryStreamExt;
use serde_json::json;
use shopify_e2e::Harness;
use shopify_emulator::{App, Emulator};
use shopify_queries::types::{ProductCreateInput, ProductStatus, ProductUpdateInput};
use shopify_queries::{
    Error, HasUserErrors, product_by_id, product_create, product_update, products_page,
    products_page_stream,
};

#[tokio::test]
async fn introspection_answers_with_the_schemas_root_types() {
    let harness = Harness::start().await.unwrap();
    let body = json!({"query": "{ __schema { queryType { name } mutationType { name } } }"});
    let response = harness
        .client
        .execute_raw(shopify_queries::API_VERSION, &body)
        .await
        .unwrap();
    assert_eq!(
        response.data,
        json!({"__schema": {"queryType": {"name": "QueryRoot"}, "mutationType": {"name": "Mutation"}}})
    );
}

#[tokio::test]
async fn pages_chain_by_cursor_until_the_last() {
    let harness = Harness::start().await.unwrap();
    let mut after = None;
    let mut titles = Vec::new();
    let mut pages = 0;
    loop {
        let page = products_page(
            &harness.client,
            products_page::Variables {
                first: 10,
                after,
                query: None,
            },
        )
        .await
        .unwrap();
        pages += 1;
        titles.extend(page.products.edges.into_iter().map(|e| e.node.title));
        if !page.products.page_info.has_next_page {
            break;
        }
        after = page.products.page_info.end_cursor;
    }
    assert_eq!(pages, 3);
    assert_eq!(titles.len(), 28);
    let mut sorted = titles.clone();
    sorted.sort();
    assert_eq!(titles, sorted, "ProductsPage sorts by TITLE");
}

#[tokio::test]
async fn the_generated_stream_yields_every_node_across_pages() {
    let harness = Harness::start().await.unwrap();
    let variables = products_page::Variables {
        first: 7,
        after: None,
        query: None,
    };
    let nodes: Vec<_> = products_page_stream(&harness.client, variables)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(nodes.len(), 28);
    let graphql_requests = harness
        .emulator
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("graphql.json"))
        .count();
    assert_eq!(graphql_requests, 4, "28 products in pages of 7");
}

#[tokio::test]
async fn a_created_product_can_be_read_and_updated() {
    let harness = Harness::start().await.unwrap();
    let created = product_create(
        &harness.client,
        product_create::Variables {
            product: ProductCreateInput {
                title: Some("Linen Apron".into()),
                status: Some(ProductStatus::Draft),
                ..ProductCreateInput::default()
            },
        },
    )
    .await
    .unwrap()
    .into_result()
    .unwrap();
    let product = created.product.unwrap();
    assert_eq!(product.handle, "linen-apron");

    let updated = product_update(
        &harness.client,
        product_update::Variables {
            product: ProductUpdateInput {
                id: Some(product.id.clone()),
                title: Some("Linen Apron, Natural".into()),
                ..ProductUpdateInput::default()
            },
        },
    )
    .await
    .unwrap()
    .into_result()
    .unwrap();
    assert_eq!(updated.product.unwrap().title, "Linen Apron, Natural");

    let read = product_by_id(&harness.client, product_by_id::Variables { id: product.id })
        .await
        .unwrap();
    let read = read.product.unwrap();
    assert_eq!(read.title, "Linen Apron, Natural");
    assert_eq!(read.status, ProductStatus::Draft);
}

#[tokio::test]
async fn user_errors_become_a_typed_result() {
    let harness = Harness::start().await.unwrap();
    let data = product_create(
        &harness.client,
        product_create::Variables {
            product: ProductCreateInput {
                title: Some(String::new()),
                ..ProductCreateInput::default()
            },
        },
    )
    .await
    .unwrap();
    let payload = data.product_create.clone().unwrap();
    assert_eq!(payload.user_errors().len(), 1);

    let errors = data.into_result().unwrap_err();
    assert_eq!(errors.errors[0].field, ["title"]);
    assert_eq!(errors.errors[0].message, "Title can't be blank");
    assert_eq!(
        errors.to_string(),
        "productCreate refused the input: title: Title can't be blank"
    );
}

#[tokio::test]
async fn static_errors_keep_shopifys_codes_and_locations() {
    let harness = Harness::start().await.unwrap();
    let body =
        json!({"query": "query Broken {\n  shop {\n    nmae\n  }\n}", "operationName": "Broken"});
    let error = harness
        .client
        .execute_raw(shopify_queries::API_VERSION, &body)
        .await
        .unwrap_err();
    let Error::Graphql(errors) = &error else {
        panic!("expected GraphQL errors, got {error:?}");
    };
    assert_eq!(error.codes(), ["undefinedField"]);
    assert_eq!(errors.errors[0].locations, [(3, 5)]);
    assert!(errors.request_id.is_some());
    assert!(
        error
            .to_string()
            .contains("Field 'nmae' doesn't exist on type 'Shop'"),
        "{error}"
    );
}

#[tokio::test]
async fn a_missing_access_scope_fails_fast_without_calling_shopify() {
    let emulator = Emulator::builder().app(App::new("reader", "reader-secret", ["read_products"]));
    let harness = Harness::with(emulator, |client| {
        client.credentials(shopify_auth::Credentials::new(
            shopify_auth::ShopDomain::parse("demo").unwrap(),
            "reader",
            "reader-secret",
        ))
    })
    .await
    .unwrap();

    let error = product_create(
        &harness.client,
        product_create::Variables {
            product: ProductCreateInput::default(),
        },
    )
    .await
    .unwrap_err();

    let Error::MissingScopes {
        missing, granted, ..
    } = &error
    else {
        panic!("expected MissingScopes, got {error:?}");
    };
    assert_eq!(missing, &[vec!["write_products".to_owned()]]);
    assert_eq!(granted, &["read_products".to_owned()]);
    assert!(error.to_string().contains("Dev Dashboard"), "{error}");
    assert!(
        harness
            .emulator
            .requests()
            .iter()
            .all(|r| !r.path.ends_with("graphql.json")),
        "nothing was sent"
    );
}

#[tokio::test]
async fn a_query_over_the_cost_limit_fails_before_it_is_sent() {
    let harness = Harness::start().await.unwrap();
    let variables = shopify_queries::location_inventory::Variables {
        location_id: shopify_queries::scalars::Gid::new("Location", 1),
        first: 250,
        after: None,
    };
    let error = shopify_queries::location_inventory(&harness.client, variables)
        .await
        .unwrap_err();
    let Error::TooExpensive { cost, max, .. } = &error else {
        panic!("expected TooExpensive, got {error:?}");
    };
    assert_eq!((*cost, *max), (1503, 1000));
    assert!(
        harness
            .emulator
            .requests()
            .iter()
            .all(|r| !r.path.ends_with("graphql.json"))
    );
}
