use std::time::Duration;

use serde_json::json;
use shopify_emulator::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Emulator};

use crate::support::{Harness, VERSION};

const INVALID: &str =
    r#"{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}"#;

async fn raw(h: &Harness, token: Option<&str>, host: Option<&str>, body: &str) -> (u16, String) {
    let mut req = h
        .http
        .post(h.url(&format!("/admin/api/{VERSION}/graphql.json")))
        .header("Content-Type", "application/json")
        .body(body.to_owned());
    if let Some(token) = token {
        req = req.header("X-Shopify-Access-Token", token);
    }
    if let Some(host) = host {
        req = req.header("Host", host);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

const SHOP_NAME: &str = r#"{"query":"{ shop { name } }"}"#;

#[tokio::test]
async fn a_missing_token_is_401_with_shopifys_exact_body() {
    let h = Harness::start().await;
    assert_eq!(
        raw(&h, None, None, SHOP_NAME).await,
        (401, INVALID.to_owned())
    );
}

#[tokio::test]
async fn an_unknown_token_is_401() {
    let h = Harness::start().await;
    assert_eq!(
        raw(&h, Some("shpat_emu_nope"), None, SHOP_NAME).await,
        (401, INVALID.to_owned())
    );
}

#[tokio::test]
async fn client_credentials_sent_as_a_token_are_401() {
    let h = Harness::start().await;
    assert_eq!(
        raw(&h, Some(DEMO_CLIENT_SECRET), None, SHOP_NAME).await,
        (401, INVALID.to_owned())
    );
}

#[tokio::test]
async fn a_revoked_token_is_401() {
    let h = Harness::start().await;
    assert_eq!(raw(&h, Some(&h.token), None, SHOP_NAME).await.0, 200);
    assert!(h.emu.revoke_token(&h.token));
    assert_eq!(
        raw(&h, Some(&h.token), None, SHOP_NAME).await,
        (401, INVALID.to_owned())
    );
}

#[tokio::test]
async fn revoking_all_tokens_invalidates_every_token() {
    let h = Harness::start().await;
    let second = h.exchange(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET).await;
    h.emu.revoke_tokens();
    assert_eq!(raw(&h, Some(&h.token), None, SHOP_NAME).await.0, 401);
    assert_eq!(raw(&h, Some(&second), None, SHOP_NAME).await.0, 401);
    // A new exchange works again.
    let third = h.exchange(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET).await;
    assert_eq!(raw(&h, Some(&third), None, SHOP_NAME).await.0, 200);
}

#[tokio::test]
async fn an_expired_token_is_401() {
    let h = Harness::with(Emulator::builder().token_ttl(Duration::from_secs(1))).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        raw(&h, Some(&h.token), None, SHOP_NAME).await,
        (401, INVALID.to_owned())
    );
}

#[tokio::test]
async fn a_token_is_valid_only_for_its_shop() {
    let h = Harness::with(Emulator::builder().shop("other-store")).await;
    // The demo token does not open the other shop...
    let (status, _) = raw(
        &h,
        Some(&h.token),
        Some("other-store.myshopify.com"),
        SHOP_NAME,
    )
    .await;
    assert_eq!(status, 401);
    // ...and the other shop answers as itself with its own token.
    let res = h
        .http
        .post(h.url("/admin/oauth/access_token"))
        .header("Host", "other-store.myshopify.com")
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap();
    let token: serde_json::Value = res.json().await.unwrap();
    let token = token["access_token"].as_str().unwrap();
    let (status, body) = raw(
        &h,
        Some(token),
        Some("other-store.myshopify.com"),
        r#"{"query":"{ shop { name myshopifyDomain } }"}"#,
    )
    .await;
    assert_eq!(status, 200);
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        body["data"]["shop"],
        json!({"name": "Other Store", "myshopifyDomain": "other-store.myshopify.com"})
    );
}

#[tokio::test]
async fn an_unknown_shop_host_is_404() {
    let h = Harness::start().await;
    let (status, body) = raw(&h, Some(&h.token), Some("ghost.myshopify.com"), SHOP_NAME).await;
    assert_eq!((status, body.as_str()), (404, r#"{"errors":"Not Found"}"#));
}

#[tokio::test]
async fn a_body_that_is_not_json_is_400() {
    let h = Harness::start().await;
    let (status, body) = raw(&h, Some(&h.token), None, "query { shop { name } }").await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        r#"{"errors":{"query":"Required parameter missing or invalid"}}"#
    );
}

#[tokio::test]
async fn a_body_without_query_is_400() {
    let h = Harness::start().await;
    let (status, body) = raw(&h, Some(&h.token), None, r#"{"variables":{}}"#).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        r#"{"errors":{"query":"Required parameter missing or invalid"}}"#
    );
}

/// What a client sent to the emulator's own address (a base URL) names the shop with.
async fn with_shop_header(h: &Harness, shop: &str) -> (u16, String) {
    let res = h
        .http
        .post(h.url("/admin/api/2026-10/graphql.json"))
        .header("X-Shopify-Access-Token", &h.token)
        .header("X-Shopify-Shop-Domain", shop)
        .header("Content-Type", "application/json")
        .body(r#"{"query":"{ shop { myshopifyDomain } }"}"#)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn the_shop_domain_header_names_the_shop_when_the_host_is_the_emulators_address() {
    let h = Harness::start().await;
    let (status, body) = with_shop_header(&h, "demo.myshopify.com").await;
    assert_eq!(status, 200, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        body["data"]["shop"]["myshopifyDomain"],
        "demo.myshopify.com"
    );
    assert_eq!(
        with_shop_header(&h, "ghost.myshopify.com").await,
        (404, r#"{"errors":"Not Found"}"#.to_owned())
    );
    assert_eq!(
        with_shop_header(&h, "not-a-shop.example.com").await,
        (404, r#"{"errors":"Not Found"}"#.to_owned())
    );
}
