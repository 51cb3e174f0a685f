//! Injected faults, observed over raw HTTP: what the client sees, and whether the request
//! ran (a product was created) behind it.

use std::time::Duration;

use serde_json::{Value, json};
use shopify_emulator::{Emulator, Fault, Schedule};

use crate::support::{Harness, VERSION};

const INVALID_TOKEN: &str =
    "[API] Invalid API key or access token (unrecognized login or wrong password)";

/// A productCreate with a title of its own, so its write can be told apart.
fn create(title: &str) -> Value {
    json!({
        "query": "mutation Create($title: String!) { productCreate(product: {title: $title}) { product { id title } userErrors { message } } }",
        "variables": {"title": title},
    })
}

/// How many products the shop holds with exactly this title.
async fn products_titled(h: &Harness, title: &str) -> usize {
    let data = h
        .data(
            "query Titled($q: String!) { products(first: 50, query: $q) { nodes { title } } }",
            json!({"q": format!("title:'{title}'")}),
        )
        .await;
    data["products"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["title"] == title)
        .count()
}

async fn with_fault(fault: Fault) -> Harness {
    Harness::with(Emulator::builder().fault(fault, Schedule::Next(1))).await
}

#[tokio::test]
async fn too_many_requests_is_429_with_retry_after_in_seconds_and_runs_nothing() {
    let h = with_fault(Fault::TooManyRequests {
        retry_after_secs: 2,
    })
    .await;
    let answer = h.try_post(&h.token, None, create("429")).await.unwrap();
    assert_eq!(answer.status, 429);
    assert_eq!(answer.headers["retry-after"], "2");
    assert_eq!(
        answer.body,
        json!({"errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."})
    );
    assert_eq!(h.emu.stats().writes_of("productCreate"), 0);
    // The rule covered one request only.
    assert_eq!(products_titled(&h, "429").await, 0);
}

#[tokio::test]
async fn server_errors_answer_shopify_like_bodies_and_run_nothing() {
    for (status, expect_json) in [(500, true), (502, false), (503, false)] {
        let h = with_fault(Fault::ServerError { status }).await;
        let answer = h.try_post(&h.token, None, create("5xx")).await.unwrap();
        assert_eq!(answer.status, status);
        if expect_json {
            assert_eq!(answer.body, json!({"errors": "Internal Server Error"}));
        } else {
            let page = answer.body.as_str().unwrap();
            assert!(page.starts_with("<html>"), "{page}");
            assert!(page.contains(&status.to_string()), "{page}");
        }
        assert_eq!(h.emu.stats().writes_of("productCreate"), 0, "{status}");
    }
}

#[tokio::test]
async fn bursts_hit_the_end_of_every_window() {
    let h = Harness::with(Emulator::builder().fault(
        Fault::ServerError { status: 503 },
        Schedule::Bursts {
            every: 4,
            length: 2,
        },
    ))
    .await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let answer = h
            .try_post(&h.token, None, json!({"query": "{ shop { name } }"}))
            .await
            .unwrap();
        statuses.push(answer.status);
    }
    assert_eq!(statuses, [200, 200, 503, 503, 200, 200, 503, 503]);
    assert_eq!(h.emu.stats().faults, 4);
}

#[tokio::test]
async fn a_reset_before_processing_drops_the_connection_and_writes_nothing() {
    let h = with_fault(Fault::ResetBeforeProcessing).await;
    let error = h
        .try_post(&h.token, None, create("Reset before"))
        .await
        .unwrap_err();
    assert!(!error.is_timeout(), "{error:?}");
    assert_eq!(h.emu.stats().writes_of("productCreate"), 0);
    assert_eq!(products_titled(&h, "Reset before").await, 0);
}

#[tokio::test]
async fn a_reset_after_processing_drops_the_connection_after_the_write() {
    let h = with_fault(Fault::ResetAfterProcessing).await;
    let error = h
        .try_post(&h.token, None, create("Reset after"))
        .await
        .unwrap_err();
    assert!(!error.is_timeout(), "{error:?}");
    assert_eq!(h.emu.stats().writes_of("productCreate"), 1);
    assert_eq!(products_titled(&h, "Reset after").await, 1);
}

#[tokio::test]
async fn a_delay_outlasts_the_clients_timeout_but_the_request_ran() {
    let h = with_fault(Fault::Delay(Duration::from_secs(2))).await;
    let error = h
        .http
        .post(h.url(&format!("/admin/api/{VERSION}/graphql.json")))
        .header("X-Shopify-Access-Token", &h.token)
        .json(&create("Delayed"))
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(h.emu.stats().writes_of("productCreate"), 1);
    assert_eq!(products_titled(&h, "Delayed").await, 1);
}

#[tokio::test]
async fn malformed_json_comes_after_the_write() {
    let h = with_fault(Fault::MalformedJson).await;
    let answer = h
        .try_post(&h.token, None, create("Malformed"))
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    let text = answer.body.as_str().expect("not JSON");
    assert!(text.starts_with("{data\""), "{text}");
    assert_eq!(h.emu.stats().writes_of("productCreate"), 1);
}

#[tokio::test]
async fn truncated_json_is_a_complete_http_answer_with_half_a_document() {
    let h = with_fault(Fault::TruncatedJson).await;
    let answer = h
        .try_post(&h.token, None, create("Truncated"))
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    let text = answer.body.as_str().expect("not JSON");
    assert!(text.starts_with("{\"data\":{\"productCreate\""), "{text}");
    assert_eq!(h.emu.stats().writes_of("productCreate"), 1);
}

#[tokio::test]
async fn a_revoked_token_is_401_and_stays_revoked() {
    let h = with_fault(Fault::RevokeToken).await;
    let shop = json!({"query": "{ shop { name } }"});
    let answer = h.try_post(&h.token, None, shop.clone()).await.unwrap();
    assert_eq!(
        (answer.status, answer.body),
        (401, json!({"errors": INVALID_TOKEN}))
    );
    let again = h.try_post(&h.token, None, shop.clone()).await.unwrap();
    assert_eq!(again.status, 401);
    let fresh = h
        .exchange(
            shopify_emulator::DEMO_CLIENT_ID,
            shopify_emulator::DEMO_CLIENT_SECRET,
        )
        .await;
    let answer = h.try_post(&fresh, None, shop).await.unwrap();
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn errors_as_a_string_with_500_comes_after_the_write() {
    let h = with_fault(Fault::ErrorsString { status: 500 }).await;
    let answer = h
        .try_post(&h.token, None, create("Errors 500"))
        .await
        .unwrap();
    assert_eq!(
        (answer.status, answer.body),
        (500, json!({"errors": "Internal Server Error"}))
    );
    assert_eq!(h.emu.stats().writes_of("productCreate"), 1);
}

#[tokio::test]
async fn errors_as_a_string_with_200_carries_shopifys_internal_error_text() {
    let h = with_fault(Fault::ErrorsString { status: 200 }).await;
    let answer = h
        .try_post(&h.token, None, json!({"query": "{ shop { name } }"}))
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    let message = answer.body["errors"].as_str().unwrap();
    assert!(
        message.starts_with("Internal error. Looks like something went wrong on our end."),
        "{message}"
    );
    let id = answer.headers["x-request-id"].to_str().unwrap();
    assert!(message.contains(id), "{message} vs {id}");
    assert_eq!(answer.body.as_object().unwrap().len(), 1);
}

#[tokio::test]
async fn every_kth_request_is_hit_until_the_faults_are_cleared() {
    let h = Harness::start().await;
    h.emu.inject(Fault::MalformedJson, Schedule::Every(3));
    let mut malformed = Vec::new();
    for n in 1..=6 {
        let answer = h
            .try_post(&h.token, None, json!({"query": "{ shop { name } }"}))
            .await
            .unwrap();
        if answer.body.is_string() {
            malformed.push(n);
        }
    }
    assert_eq!(malformed, [3, 6]);
    h.emu.clear_faults();
    for _ in 0..3 {
        let body = h.gql("{ shop { name } }", json!({})).await;
        assert!(body.get("data").is_some(), "{body}");
    }
    let stats = h.emu.stats();
    assert_eq!((stats.requests, stats.faults), (9, 2));
}
