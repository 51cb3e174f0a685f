use serde_json::{Value, json};
use shopify_emulator::{App, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Emulator};

use crate::support::{Harness, http};

async fn post_form(h: &Harness, host: Option<&str>, form: &[(&str, &str)]) -> (u16, Value) {
    let mut req = h.http.post(h.url("/admin/oauth/access_token")).form(form);
    if let Some(host) = host {
        req = req.header("Host", host);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

fn grant<'a>(id: &'a str, secret: &'a str) -> [(&'static str, &'a str); 3] {
    [
        ("grant_type", "client_credentials"),
        ("client_id", id),
        ("client_secret", secret),
    ]
}

#[tokio::test]
async fn a_form_body_gets_a_token_with_comma_separated_scopes() {
    let h = Harness::with(Emulator::builder().app(App::new(
        "cid",
        "secret",
        ["read_products", "write_products"],
    )))
    .await;
    let (status, body) = post_form(&h, None, &grant("cid", "secret")).await;
    assert_eq!(status, 200);
    assert_eq!(body["scope"], "read_products,write_products");
    assert_eq!(body["expires_in"], 86399);
    let token = body["access_token"].as_str().unwrap();
    assert!(
        token.starts_with("shpat_emu_") && token.len() == 42,
        "{token}"
    );
}

#[tokio::test]
async fn a_json_body_gets_a_token() {
    let h = Harness::start().await;
    let res = http()
        .post(h.url("/admin/oauth/access_token"))
        .json(
            &json!({"grant_type": "client_credentials", "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert!(body["scope"].as_str().unwrap().contains("read_products"));
    assert!(body["access_token"].is_string());
}

#[tokio::test]
async fn the_token_ttl_is_configurable() {
    let h = Harness::with(Emulator::builder().token_ttl(std::time::Duration::from_secs(7))).await;
    let (_, body) = post_form(&h, None, &grant(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)).await;
    assert_eq!(body["expires_in"], 7);
}

#[tokio::test]
async fn an_unknown_client_is_invalid_client_with_401() {
    let h = Harness::start().await;
    let (status, body) = post_form(&h, None, &grant("nobody", "nothing")).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "invalid_client");
    assert!(body["error_description"].is_string());
}

#[tokio::test]
async fn a_wrong_secret_is_invalid_client() {
    let h = Harness::start().await;
    let (status, body) = post_form(&h, None, &grant(DEMO_CLIENT_ID, "wrong")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
}

#[tokio::test]
async fn a_shop_outside_the_organization_is_shop_not_permitted() {
    let h = Harness::with(
        Emulator::builder()
            .shop("other-store")
            .shop_not_permitted(DEMO_CLIENT_ID, "other-store"),
    )
    .await;
    let (status, body) = post_form(
        &h,
        Some("other-store.myshopify.com"),
        &grant(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"error": "shop_not_permitted",
            "error_description": "Client credentials cannot be performed on this shop."})
    );
}

#[tokio::test]
async fn an_app_not_installed_on_the_shop_is_app_not_installed() {
    let h = Harness::with(
        Emulator::builder()
            .shop("other-store")
            .app(App::new("cid", "secret", ["read_products"]).not_installed_on("other-store")),
    )
    .await;
    let (status, body) = post_form(
        &h,
        Some("other-store.myshopify.com"),
        &grant("cid", "secret"),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("app_not_installed"))
    );
    // The same app still gets tokens on the demo shop.
    let (status, _) = post_form(&h, None, &grant("cid", "secret")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn another_grant_type_is_unsupported_grant_type() {
    let h = Harness::start().await;
    let (status, body) = post_form(
        &h,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
}

#[tokio::test]
async fn missing_fields_are_invalid_request() {
    let h = Harness::start().await;
    let (status, body) = post_form(&h, None, &[("client_id", DEMO_CLIENT_ID)]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, body) = post_form(
        &h,
        None,
        &[("grant_type", "client_credentials"), ("client_id", "x")],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
}

#[tokio::test]
async fn an_unknown_shop_is_404() {
    let h = Harness::start().await;
    let (status, body) = post_form(
        &h,
        Some("nope.myshopify.com"),
        &grant(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
    )
    .await;
    assert_eq!((status, body), (404, json!({"errors": "Not Found"})));
}
