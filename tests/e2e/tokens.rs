//! The client-credentials flow through the client: one exchange shared by every call,
//! renewal after expiry, recovery from a revoked token.

use std::time::Duration;

use shopify_e2e::Harness;
use shopify_emulator::{Emulator, Fault, RunningEmulator, Schedule};
use shopify_queries::{Error, shop_info};

fn exchanges(emulator: &RunningEmulator) -> usize {
    emulator
        .requests()
        .iter()
        .filter(|r| r.path == "/admin/oauth/access_token")
        .count()
}

#[tokio::test]
async fn many_concurrent_calls_share_one_token_exchange() {
    let harness = Harness::start().await.unwrap();
    let calls = (0..50).map(|_| shop_info(&harness.client, shop_info::Variables {}));
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(exchanges(&harness.emulator), 1);
}

#[tokio::test]
async fn an_expired_token_is_renewed_before_use() {
    // A 2 s token is renewed halfway through its life, so after 1.5 s the next call
    // exchanges again instead of sending a token about to expire.
    let harness = Harness::with(Emulator::builder().token_ttl(Duration::from_secs(2)), |c| c)
        .await
        .unwrap();
    shop_info(&harness.client, shop_info::Variables {})
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    shop_info(&harness.client, shop_info::Variables {})
        .await
        .unwrap();
    assert_eq!(exchanges(&harness.emulator), 2);
}

#[tokio::test]
async fn a_revoked_token_is_replaced_and_the_call_retried_once() {
    let harness = Harness::start().await.unwrap();
    shop_info(&harness.client, shop_info::Variables {})
        .await
        .unwrap();
    harness.emulator.revoke_tokens();
    harness.emulator.clear_requests();

    let data = shop_info(&harness.client, shop_info::Variables {})
        .await
        .unwrap();

    assert_eq!(data.shop.name, "Demo Shop");
    let paths: Vec<String> = harness
        .emulator
        .requests()
        .into_iter()
        .map(|r| r.path)
        .collect();
    assert_eq!(
        paths,
        [
            "/admin/api/2026-10/graphql.json", // 401 with the revoked token
            "/admin/oauth/access_token",       // one fresh exchange
            "/admin/api/2026-10/graphql.json", // the retry succeeds
        ]
    );
}

#[tokio::test]
async fn a_call_survives_its_new_token_being_revoked_too() {
    let harness = Harness::with(
        Emulator::builder().fault(Fault::RevokeToken, Schedule::Next(2)),
        |client| client,
    )
    .await
    .unwrap();

    let response = harness
        .client
        .send::<shop_info::Operation>(&shop_info::Variables {})
        .await
        .unwrap();

    assert_eq!(response.data.shop.name, "Demo Shop");
    assert_eq!(response.attempts, 3, "two 401s, then the answer");
    assert_eq!(
        exchanges(&harness.emulator),
        3,
        "the first token and two new ones"
    );
}

#[tokio::test]
async fn a_token_rejected_twice_is_an_error_with_shopifys_message() {
    let harness = Harness::start().await.unwrap();
    let client = shopify_queries::Client::builder()
        .token_source(
            shopify_auth::ShopDomain::parse("demo").unwrap(),
            std::sync::Arc::new(shopify_auth::StaticToken::new("shpat_not_a_real_token")),
        )
        .base_url(harness.emulator.url())
        .build()
        .unwrap();

    let error = shop_info(&client, shop_info::Variables {})
        .await
        .unwrap_err();

    let Error::Http {
        status,
        errors,
        request_id,
        ..
    } = &error
    else {
        panic!("expected an HTTP error, got {error:?}");
    };
    assert_eq!(*status, 401);
    assert_eq!(
        errors[0].message,
        "[API] Invalid API key or access token (unrecognized login or wrong password)"
    );
    assert!(request_id.is_some(), "the request id is kept");
    assert!(
        !error.to_string().contains("shpat_not_a_real_token"),
        "{error}"
    );
}
