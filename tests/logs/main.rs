//! No secret in any log line: every tracing event of a full run — token exchange, paced
//! queries, a revoked token and its renewal, a mutation, failures — is captured at TRACE
//! level from every crate (ours, reqwest, hyper, the emulator) and searched for the
//! client secret and every access token the emulator issued.
//!
//! Its own test binary, because it installs the process-wide tracing subscriber.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use shopify_e2e::Harness;
use shopify_emulator::DEMO_CLIENT_SECRET;
use shopify_queries::types::ProductCreateInput;
use shopify_queries::{product_create, products_page, shop_info};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_run_logs_no_secret_and_no_token() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let harness = Harness::start().await.unwrap();
    shop_info(&harness.client, shop_info::Variables {})
        .await
        .unwrap();
    products_page(
        &harness.client,
        products_page::Variables {
            first: 5,
            after: None,
            query: None,
        },
    )
    .await
    .unwrap();
    harness.emulator.revoke_tokens();
    shop_info(&harness.client, shop_info::Variables {})
        .await
        .unwrap();
    let created = product_create(
        &harness.client,
        product_create::Variables {
            product: ProductCreateInput {
                title: Some("Log Test".into()),
                ..ProductCreateInput::default()
            },
        },
    )
    .await
    .unwrap();
    assert!(created.product_create.is_some());
    let failed = harness
        .client
        .execute_raw(
            "2026-10",
            &serde_json::json!({"query": "{ shop { nope } }"}),
        )
        .await;
    assert!(failed.is_err());

    // The fleet: the token shared through Redis, a 401 there, then Redis gone mid-run.
    let mut fleet_tokens = Vec::new();
    let mut unreachable_lines = None;
    if let Some(mut redis) = shopify_e2e::redis::RedisServer::start_or_skip("logs: fleet") {
        let fleet = shopify_e2e::Harness::with(shopify_emulator::Emulator::builder(), |b| {
            b.redis(redis.url())
        })
        .await
        .unwrap();
        shop_info(&fleet.client, shop_info::Variables {})
            .await
            .unwrap();
        fleet.emulator.revoke_tokens();
        shop_info(&fleet.client, shop_info::Variables {})
            .await
            .unwrap();
        redis.kill();
        for _ in 0..3 {
            shop_info(&fleet.client, shop_info::Variables {})
                .await
                .unwrap();
        }
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        unreachable_lines = Some(log.matches("Redis unreachable").count());
        fleet_tokens = fleet
            .emulator
            .requests()
            .into_iter()
            .flat_map(|r| r.headers)
            .filter(|(name, _)| name == "x-shopify-access-token")
            .map(|(_, value)| value)
            .collect();
        assert!(fleet_tokens.len() >= 5, "{fleet_tokens:?}");
    }
    if let Some(count) = unreachable_lines {
        assert_eq!(count, 1, "Redis going away is said once");
    }

    let tokens: Vec<String> = harness
        .emulator
        .requests()
        .into_iter()
        .flat_map(|r| r.headers)
        .filter(|(name, _)| name == "x-shopify-access-token")
        .map(|(_, value)| value)
        .collect();
    assert!(tokens.len() >= 4, "the run used tokens: {tokens:?}");
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("shopify.request"),
        "the request spans were captured:\n{log}"
    );
    // The searches below prove something only if the events that handle the secret and
    // the tokens were captured: the exchange (which sends the secret), the renewal after
    // the revocation, and the request spans (which carry the token header).
    let exchanges = log.matches("fetching token").count();
    assert!(
        exchanges >= 2,
        "the first exchange and the renewal were captured ({exchanges}):\n{log}"
    );
    assert!(
        log.contains("token invalidated"),
        "the revocation was captured"
    );
    assert!(
        harness
            .emulator
            .requests()
            .iter()
            .any(|r| r.raw_body.contains(DEMO_CLIENT_SECRET)),
        "the secret searched for is the one the client sent"
    );
    assert!(
        !log.contains(DEMO_CLIENT_SECRET),
        "the client secret was logged"
    );
    for token in tokens.iter().chain(&fleet_tokens) {
        assert!(!log.contains(token.as_str()), "an access token was logged");
    }
}
