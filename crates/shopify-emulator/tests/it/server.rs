use std::time::Duration;

use serde_json::json;
use shopify_emulator::{DEMO_CLIENT_ID, Emulator};

use crate::support::Harness;

fn request_id(headers: &reqwest::header::HeaderMap) -> String {
    let id = headers["x-request-id"].to_str().unwrap().to_owned();
    let parts: Vec<usize> = id.split('-').map(str::len).collect();
    assert_eq!(parts, [8, 4, 4, 4, 12], "{id}");
    id
}

#[tokio::test]
async fn unknown_versions_fall_forward_to_the_schema_version() {
    let h = Harness::start().await;
    for asked in ["2023-01", "2026-10", "unstable", "2099-13"] {
        let answer = h
            .post_graphql(asked, Some(&h.token), json!({"query": "{ shop { name } }"}))
            .await;
        assert_eq!(answer.status, 200);
        assert_eq!(
            answer.headers["x-shopify-api-version"], "2026-10",
            "asked {asked}"
        );
    }
}

#[tokio::test]
async fn what_is_not_shaped_like_a_version_is_not_found() {
    let h = Harness::start().await;
    let long = "9".repeat(5_000);
    for asked in [
        "garbage",
        "..",
        "2026-1",
        "2026-100",
        "2026_10",
        long.as_str(),
    ] {
        let answer = h
            .post_graphql(asked, Some(&h.token), json!({"query": "{ shop { name } }"}))
            .await;
        assert_eq!(answer.status, 404, "asked {asked:.20}");
        assert_eq!(answer.body, json!({"errors": "Not Found"}));
    }
}

#[tokio::test]
async fn every_response_carries_the_version_and_a_fresh_request_id() {
    let h = Harness::start().await;
    let ok = h
        .post_graphql(
            "2024-01",
            Some(&h.token),
            json!({"query": "{ shop { name } }"}),
        )
        .await;
    let unauthorized = h
        .post_graphql("2024-01", None, json!({"query": "{ shop { name } }"}))
        .await;
    let bad = h
        .post_graphql("2024-01", Some(&h.token), json!({"nope": 1}))
        .await;
    let oauth = h
        .http
        .post(h.url("/admin/oauth/access_token"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        (
            ok.status,
            unauthorized.status,
            bad.status,
            oauth.status().as_u16()
        ),
        (200, 401, 400, 400)
    );
    let mut ids = Vec::new();
    for headers in [
        &ok.headers,
        &unauthorized.headers,
        &bad.headers,
        oauth.headers(),
    ] {
        assert_eq!(headers["x-shopify-api-version"], "2026-10");
        ids.push(request_id(headers));
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4, "request ids are fresh");
}

#[tokio::test]
async fn requests_are_recorded_with_sorted_headers_and_json_bodies() {
    let h = Harness::start().await;
    h.emu.clear_requests();
    h.post_graphql(
        "2026-10",
        Some(&h.token),
        json!({"query": "{ shop { name } }", "variables": {"a": 1}}),
    )
    .await;
    let recorded = h.emu.requests();
    assert_eq!(recorded.len(), 1);
    let r = &recorded[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/admin/api/2026-10/graphql.json");
    assert_eq!(
        r.body,
        json!({"query": "{ shop { name } }", "variables": {"a": 1}})
    );
    let names: Vec<&str> = r.headers.iter().map(|(k, _)| k.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert!(
        r.headers
            .contains(&("x-shopify-access-token".to_owned(), h.token.clone()))
    );
}

#[tokio::test]
async fn form_bodies_are_recorded_as_objects() {
    let h = Harness::start().await;
    let first = &h.emu.requests()[0];
    assert_eq!(first.path, "/admin/oauth/access_token");
    assert_eq!(first.body["client_id"], DEMO_CLIENT_ID);
    assert_eq!(first.body["grant_type"], "client_credentials");
}

#[tokio::test]
async fn an_unexpected_path_is_404_not_found() {
    let h = Harness::start().await;
    let res = h
        .http
        .get(h.url("/admin/api/2026-10/products.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap(),
        json!({"errors": "Not Found"})
    );
}

#[tokio::test]
async fn dropping_the_emulator_releases_the_port() {
    let emu = Emulator::builder().start().await.unwrap();
    let addr = emu.addr();
    assert!(tokio::net::TcpStream::connect(addr).await.is_ok());
    drop(emu);
    // The abort is asynchronous: give the runtime a moment, bounded.
    let mut refused = false;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
    }
    assert!(refused, "port {addr} still accepts connections after drop");
    // And it can be bound again.
    let rebound = Emulator::builder().bind(addr).start().await;
    assert!(rebound.is_ok(), "{rebound:?}");
}

#[tokio::test]
async fn in_process_answers_without_http() {
    let local = Emulator::builder().in_process().unwrap();
    let (status, body) = local.graphql(&json!({"query": "{ shop { name } }"}));
    assert_eq!(status, 200);
    assert_eq!(body["data"], json!({"shop": {"name": "Demo Shop"}}));
    // In-process requests run as the demo app, charged to its bucket like any other.
    assert_eq!(body["extensions"]["cost"]["actualQueryCost"], 1);
}
