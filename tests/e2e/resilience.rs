//! Rate limits and failures, through the client against the emulator's bucket and
//! injected faults: pacing, THROTTLED, 429, 5xx, resets, timeouts, broken bodies, and
//! writes that are never lost or duplicated.

use std::time::{Duration, Instant};

use shopify_e2e::Harness;
use shopify_emulator::{Emulator, Fault, Schedule};
use shopify_queries::scalars::Gid;
use shopify_queries::types::{
    InventoryQuantityInput, InventorySetQuantitiesInput, ProductCreateInput,
};
use shopify_queries::{
    Error, RetryPolicy, inventory_set_quantities, product_create, products_page, shop_info,
};

/// Fast retries, so fault tests take milliseconds.
fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        max_elapsed: Duration::from_secs(20),
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        ..RetryPolicy::default()
    }
}

async fn harness_with(emulator: shopify_emulator::EmulatorBuilder) -> Harness {
    Harness::with(emulator, |client| {
        client
            .retry(quick_retries())
            .timeout(Duration::from_millis(800))
    })
    .await
    .unwrap()
}

fn page(first: i32) -> products_page::Variables {
    products_page::Variables {
        first,
        after: None,
        query: None,
    }
}

fn set_quantity(quantity: i32) -> inventory_set_quantities::Variables {
    inventory_set_quantities::Variables {
        input: InventorySetQuantitiesInput {
            name: "available".into(),
            reason: "correction".into(),
            reference_document_uri: None,
            quantities: vec![InventoryQuantityInput {
                inventory_item_id: Gid::new("InventoryItem", 3001),
                location_id: Gid::new("Location", 1),
                quantity,
                change_from_quantity: None,
            }],
        },
    }
}

fn new_product(title: &str) -> product_create::Variables {
    product_create::Variables {
        product: ProductCreateInput {
            title: Some(title.into()),
            ..ProductCreateInput::default()
        },
    }
}

#[tokio::test]
async fn paced_tasks_share_a_small_bucket_without_being_throttled() {
    // 60 points restoring 40/s; a page of 3 requests 2 + 3 × (1 + 2 + 10) = 41 points.
    let harness = harness_with(Emulator::builder().bucket(60, 40)).await;
    let calls = (0..12).map(|_| products_page(&harness.client, page(3)));
    let started = Instant::now();
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    let stats = harness.emulator.stats();
    assert_eq!(stats.executed, 12);
    assert!(
        stats.throttled <= 1,
        "pacing keeps the server from throttling: {stats:?}"
    );
    // The calls waited for the bucket rather than going out at once.
    assert!(
        started.elapsed() > Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn without_pacing_throttled_answers_are_waited_out_and_retried() {
    let harness = Harness::with(Emulator::builder().bucket(60, 40), |client| {
        client.pacing(false)
    })
    .await
    .unwrap();
    let calls = (0..8).map(|_| products_page(&harness.client, page(3)));
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    let stats = harness.emulator.stats();
    assert!(stats.throttled > 0, "the burst was throttled: {stats:?}");
    assert_eq!(stats.executed, 8, "and every call got through");
}

#[tokio::test]
async fn http_429_waits_retry_after_seconds() {
    let harness = harness_with(Emulator::builder().fault(
        Fault::TooManyRequests {
            retry_after_secs: 1,
        },
        Schedule::Next(1),
    ))
    .await;
    let started = Instant::now();
    let response = harness
        .client
        .send::<shop_info::Operation>(&shop_info::Variables {})
        .await
        .unwrap();
    assert_eq!(response.attempts, 2);
    // Seconds, not milliseconds.
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff() {
    let harness = harness_with(
        Emulator::builder().fault(Fault::ServerError { status: 503 }, Schedule::Next(2)),
    )
    .await;
    let response = harness
        .client
        .send::<shop_info::Operation>(&shop_info::Variables {})
        .await
        .unwrap();
    assert_eq!(response.attempts, 3);
}

#[tokio::test]
async fn retries_stop_at_the_policy_bound_with_every_attempts_evidence() {
    let harness = harness_with(
        Emulator::builder().fault(Fault::ServerError { status: 500 }, Schedule::Every(1)),
    )
    .await;
    let error = shop_info(&harness.client, shop_info::Variables {})
        .await
        .unwrap_err();
    let Error::Exhausted { attempts, last, .. } = &error else {
        panic!("expected Exhausted, got {error:?}");
    };
    assert_eq!(attempts.len(), 4);
    assert!(
        attempts
            .iter()
            .all(|a| a.status == Some(500) && a.request_id.is_some()),
        "{attempts:?}"
    );
    assert_eq!(last.status(), Some(500));
    assert!(
        error
            .to_string()
            .starts_with("gave up on ShopInfo after 4 attempts"),
        "{error}"
    );
}

#[tokio::test]
async fn queries_survive_resets_timeouts_and_broken_bodies() {
    for fault in [
        Fault::ResetBeforeProcessing,
        Fault::ResetAfterProcessing,
        Fault::Delay(Duration::from_secs(2)),
        Fault::MalformedJson,
        Fault::TruncatedJson,
        Fault::ErrorsString { status: 500 },
        Fault::ErrorsString { status: 200 },
        Fault::RevokeToken,
    ] {
        let name = format!("{fault:?}");
        let harness = harness_with(Emulator::builder().fault(fault, Schedule::Next(1))).await;
        let response = harness
            .client
            .send::<shop_info::Operation>(&shop_info::Variables {})
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(response.data.shop.name, "Demo Shop", "{name}");
    }
}

#[tokio::test]
async fn a_mutation_without_a_key_is_not_resent_after_an_ambiguous_failure() {
    // Every failure after which the client cannot know whether Shopify applied the write.
    // The emulator says which of them ran the mutation; either way it is sent only once.
    for fault in [
        Fault::ResetAfterProcessing,
        Fault::ResetBeforeProcessing,
        Fault::ServerError { status: 500 },
        Fault::ServerError { status: 502 },
        Fault::ServerError { status: 503 },
        Fault::Delay(Duration::from_secs(2)),
        Fault::MalformedJson,
        Fault::TruncatedJson,
        Fault::ErrorsString { status: 500 },
        Fault::ErrorsString { status: 200 },
    ] {
        let name = format!("{fault:?}");
        let applied = u64::from(fault.processes_request());
        let harness = harness_with(Emulator::builder().fault(fault, Schedule::Next(1))).await;
        let error = product_create(&harness.client, new_product("Ambiguous Apron"))
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::AmbiguousWrite { .. }),
            "{name}: {error:?}"
        );
        assert!(
            error
                .to_string()
                .contains("may or may not have been applied"),
            "{name}: {error}"
        );
        let stats = harness.emulator.stats();
        assert_eq!(stats.requests, 1, "{name}: sent once, never again");
        assert_eq!(stats.writes_of("productCreate"), applied, "{name}");
    }
}

#[tokio::test]
async fn a_mutation_with_an_idempotency_key_is_retried_and_written_once() {
    let harness =
        harness_with(Emulator::builder().fault(Fault::ResetAfterProcessing, Schedule::Next(1)))
            .await;

    let result = inventory_set_quantities(&harness.client, set_quantity(40))
        .await
        .unwrap();

    assert!(result.into_result().is_ok());
    let stats = harness.emulator.stats();
    assert_eq!(stats.requests, 2, "the reset was retried");
    assert_eq!(stats.writes_of("inventorySetQuantities"), 1, "written once");
    assert_eq!(stats.replays, 1, "the retry replayed the first result");
    let keys: Vec<String> = harness
        .emulator
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("graphql.json"))
        .map(|r| {
            r.body["variables"]["idempotencyKey"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1], "one key per call, reused by its retry");
}

#[tokio::test]
async fn separate_calls_get_separate_idempotency_keys() {
    let harness = harness_with(Emulator::builder()).await;
    inventory_set_quantities(&harness.client, set_quantity(41))
        .await
        .unwrap();
    inventory_set_quantities(&harness.client, set_quantity(42))
        .await
        .unwrap();
    let stats = harness.emulator.stats();
    assert_eq!(stats.writes_of("inventorySetQuantities"), 2);
    assert_eq!(stats.replays, 0);
}

#[tokio::test]
async fn an_answer_longer_than_the_clients_cap_is_a_typed_error_and_not_retried() {
    let h = Harness::with(Emulator::builder(), |client| {
        client.retry(quick_retries()).max_response_bytes(2_000)
    })
    .await
    .unwrap();
    // A small answer fits under the cap.
    shop_info(&h.client, shop_info::Variables {}).await.unwrap();
    h.emulator.reset_stats();

    let error = products_page(&h.client, page(50)).await.unwrap_err();

    match &error {
        Error::ResponseTooLarge {
            operation,
            status,
            limit,
            request_id,
        } => {
            assert_eq!(
                (operation.as_str(), *status, *limit),
                ("ProductsPage", 200, 2_000)
            );
            assert!(request_id.is_some(), "{error}");
        }
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }
    assert_eq!(
        h.emulator.stats().requests,
        1,
        "a too-large answer is not retried"
    );
    assert!(error.to_string().contains("max_response_bytes"), "{error}");
}
