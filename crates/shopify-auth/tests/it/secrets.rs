use std::error::Error;
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;
use shopify_auth::{AuthError, ClientCredentials, TokenSource};

use crate::support::{Reply, SECRET, TOKEN_PREFIX, TokenServer, closed_port_url, credentials};

/// The strings that must never be printed: the secret in both spellings and
/// every token the fake server issues.
fn forbidden() -> Vec<String> {
    let encoded: String = url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect();
    vec![SECRET.to_owned(), encoded, TOKEN_PREFIX.to_owned()]
}

fn assert_clean(what: &str, text: &str) {
    for needle in forbidden() {
        assert!(!text.contains(&needle), "{what} leaks {needle:?}: {text}");
    }
}

/// Formats every error of the chain with Display and Debug.
fn assert_chain_clean(err: &AuthError) {
    let mut current: Option<&dyn Error> = Some(err);
    while let Some(e) = current {
        assert_clean("Display", &e.to_string());
        assert_clean("Debug", &format!("{e:?}"));
        current = e.source();
    }
}

/// Answers that echo the secret or carry a token where it does not belong.
fn leaky_replies() -> Vec<Reply> {
    let encoded: String = url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect();
    vec![
        Reply::oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!("bad client_secret={SECRET} ({encoded})"),
        ),
        Reply::oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", SECRET),
        Reply::oauth_error(
            StatusCode::BAD_REQUEST,
            SECRET,
            "echoing the secret as the code",
        ),
        Reply::oauth_error(StatusCode::BAD_REQUEST, "shop_not_permitted", SECRET),
        Reply::oauth_error(StatusCode::BAD_REQUEST, "app_not_installed", SECRET),
        Reply::Raw {
            status: StatusCode::BAD_GATEWAY,
            content_type: "text/html",
            body: format!(
                "<html>grant_type=client_credentials&client_secret={encoded} {SECRET}</html>"
            ),
        },
        Reply::Json(StatusCode::OK, json!({"access_token": 42, "note": SECRET})),
        Reply::Json(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"access_token": format!("{TOKEN_PREFIX}leaked")}),
        ),
        Reply::Redirect {
            status: StatusCode::TEMPORARY_REDIRECT,
            location: format!("https://evil.example.com/?client_secret={encoded}"),
        },
    ]
}

#[tokio::test]
async fn no_error_chain_contains_the_secret_or_a_token() {
    for reply in leaky_replies() {
        let server = TokenServer::start(reply.clone()).await;
        let source = server.source().build().unwrap();

        let err = source.token().await.unwrap_err();

        assert_chain_clean(&err);
        assert!(
            err.to_string().contains("[redacted]")
                || matches!(err, AuthError::InvalidClient { .. }),
            "expected a visible redaction for {reply:?}: {err}"
        );
    }
}

#[tokio::test]
async fn transport_errors_do_not_contain_the_secret() {
    let network = ClientCredentials::builder(credentials())
        .base_url(closed_port_url())
        .build()
        .unwrap()
        .token()
        .await
        .unwrap_err();
    assert_chain_clean(&network);

    let server = TokenServer::start(Reply::token(3600)).await;
    server.hold();
    let timeout = server
        .source()
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap()
        .token()
        .await
        .unwrap_err();
    assert!(matches!(timeout, AuthError::Timeout { .. }), "{timeout:?}");
    assert_chain_clean(&timeout);
}

#[tokio::test]
async fn debug_of_source_and_token_hides_both_after_a_fetch() {
    let server = TokenServer::start(Reply::token(3600)).await;
    let source = server.source().build().unwrap();
    let token = source.token().await.unwrap();

    assert_clean("ClientCredentials Debug", &format!("{source:?}"));
    assert_clean("ClientCredentials pretty Debug", &format!("{source:#?}"));
    assert_clean("AccessToken Debug", &format!("{token:?}"));
    assert_clean("Credentials Debug", &format!("{:?}", credentials()));
    assert!(format!("{token:?}").contains("token: [redacted]"));
}
