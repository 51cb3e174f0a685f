use std::time::Duration;

use axum::http::Method;
use shopify_auth::{ManualClock, Scopes, TokenSource};

use crate::support::{CLIENT_ID, Reply, SECRET, TOKEN_PREFIX, TokenServer};

#[tokio::test]
async fn sends_one_form_post_with_the_three_grant_fields() {
    let server = TokenServer::start(Reply::token(86399)).await;
    let source = server.source().build().unwrap();

    source.token().await.unwrap();

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.path, "/admin/oauth/access_token");
    assert_eq!(
        request.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(request.headers["accept"], "application/json");
    assert!(request.headers["user-agent"].starts_with("shopify-rs/"));
    let form: Vec<(String, String)> = request.form();
    let expected: Vec<(String, String)> = [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT_ID),
        ("client_secret", SECRET),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    assert_eq!(form, expected);
    assert!(server.unexpected().is_empty(), "{:?}", server.unexpected());
}

/// Pins the exact request on the wire (sorted headers, raw body), so a change
/// in what we send to Shopify shows up in review. The secret and the port are
/// redacted.
#[tokio::test]
async fn request_on_the_wire_matches_the_snapshot() {
    let server = TokenServer::start(Reply::token(86399)).await;
    let source = server.source().build().unwrap();

    source.token().await.unwrap();

    let request = &server.requests()[0];
    let encoded_secret: String = url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect();
    let mut text = format!("{} {}\n", request.method, request.path);
    for (name, value) in &request.headers {
        let value = match name.as_str() {
            "host" => "127.0.0.1:[port]".to_owned(),
            "user-agent" => value.replace(env!("CARGO_PKG_VERSION"), "[version]"),
            _ => value.clone(),
        };
        text.push_str(&format!("{name}: {value}\n"));
    }
    text.push('\n');
    text.push_str(&request.body.replace(&encoded_secret, "[client_secret]"));
    insta::assert_snapshot!(text);
}

#[tokio::test]
async fn reads_token_scopes_and_expiry_from_the_answer() {
    let server = TokenServer::start(Reply::Token {
        scope: Some(" read_products, write_orders,,"),
        expires_in: Some(86399),
    })
    .await;
    let clock = ManualClock::new();
    let source = server.source().clock(clock.clone()).build().unwrap();

    let token = source.token().await.unwrap();

    assert_eq!(token.expose_secret(), format!("{TOKEN_PREFIX}1"));
    let scopes = token.scopes().unwrap();
    assert_eq!(scopes, &Scopes::parse("read_products,write_orders"));
    assert!(scopes.grants("read_orders"));
    assert!(!scopes.grants("write_products"));
    assert_eq!(
        token.expires_at(),
        Some(shopify_auth::Clock::now(&clock) + Duration::from_secs(86399))
    );
}

#[tokio::test]
async fn token_without_scope_or_expiry_is_kept_until_invalidated() {
    let server = TokenServer::start(Reply::Token {
        scope: None,
        expires_in: None,
    })
    .await;
    let clock = ManualClock::new();
    let source = server.source().clock(clock.clone()).build().unwrap();

    let first = source.token().await.unwrap();
    clock.advance(Duration::from_secs(10 * 365 * 24 * 3600));
    let second = source.token().await.unwrap();

    assert!(first.scopes().is_none());
    assert!(first.expires_at().is_none());
    assert!(first.is_same(&second));
    assert_eq!(server.token_requests(), 1);
}

#[tokio::test]
async fn works_through_an_arc_dyn_token_source() {
    let server = TokenServer::start(Reply::token(3600)).await;
    let source: std::sync::Arc<dyn TokenSource> =
        std::sync::Arc::new(server.source().build().unwrap());

    let token = source.token().await.unwrap();

    assert!(token.expose_secret().starts_with(TOKEN_PREFIX));
}

#[tokio::test]
async fn injected_http_client_is_used() {
    let server = TokenServer::start(Reply::token(3600)).await;
    let client = shopify_auth::http_client_builder()
        .user_agent("injected-agent")
        .build()
        .unwrap();
    let source = server.source().http_client(client).build().unwrap();

    source.token().await.unwrap();

    assert_eq!(server.requests()[0].headers["user-agent"], "injected-agent");
}
