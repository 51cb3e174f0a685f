use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;
use shopify_auth::{AuthError, EXCERPT_CHARS, TokenSource};

use crate::support::{Reply, TokenServer, closed_port_url, credentials};

/// Runs one token request against a server answering `reply`.
async fn error_for(reply: Reply) -> AuthError {
    let server = TokenServer::start(reply).await;
    let source = server.source().build().unwrap();
    let err = source.token().await.unwrap_err();
    assert_eq!(server.token_requests(), 1);
    err
}

#[tokio::test]
async fn shop_not_permitted_explains_the_organization_mismatch() {
    let err = error_for(Reply::oauth_error(
        StatusCode::BAD_REQUEST,
        "shop_not_permitted",
        "Client credentials cannot be performed on this shop.",
    ))
    .await;

    let AuthError::ShopNotPermitted {
        shop,
        status,
        description,
        request_id,
        ..
    } = &err
    else {
        panic!("expected ShopNotPermitted, got {err:?}");
    };
    assert_eq!(shop.as_str(), "my-store.myshopify.com");
    assert_eq!(*status, StatusCode::BAD_REQUEST);
    assert_eq!(
        description.as_deref(),
        Some("Client credentials cannot be performed on this shop.")
    );
    assert_eq!(request_id.as_deref(), Some("req-1"));
    assert_eq!(
        err.to_string(),
        "my-store.myshopify.com does not allow the client-credentials grant for this app (HTTP \
         400 Bad Request, shop_not_permitted: \"Client credentials cannot be performed on this \
         shop.\"): the app and the store belong to different organizations; use the \
         authorization-code flow instead, e.g. through Shopify CLI [request id req-1]"
    );
}

#[tokio::test]
async fn app_not_installed_says_to_install_it() {
    let err = error_for(Reply::oauth_error(
        StatusCode::BAD_REQUEST,
        "app_not_installed",
        "The app is not installed.",
    ))
    .await;

    assert!(matches!(err, AuthError::AppNotInstalled { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("not installed on my-store.myshopify.com"),
        "{message}"
    );
    assert!(
        message.contains("install it on the store from the Dev Dashboard"),
        "{message}"
    );
}

#[tokio::test]
async fn invalid_client_says_which_variables_to_check() {
    let err = error_for(Reply::oauth_error(
        StatusCode::BAD_REQUEST,
        "invalid_client",
        "Client authentication failed.",
    ))
    .await;

    let AuthError::InvalidClient { status, error, .. } = &err else {
        panic!("expected InvalidClient, got {err:?}");
    };
    assert_eq!(*status, StatusCode::BAD_REQUEST);
    assert_eq!(error.as_deref(), Some("invalid_client"));
    let message = err.to_string();
    assert!(
        message.contains("check SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET"),
        "{message}"
    );
    assert!(
        message.contains("Client authentication failed."),
        "{message}"
    );
}

#[tokio::test]
async fn any_401_is_an_invalid_client() {
    let err = error_for(Reply::Json(
        StatusCode::UNAUTHORIZED,
        json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}),
    ))
    .await;

    let AuthError::InvalidClient { status, error, .. } = &err else {
        panic!("expected InvalidClient, got {err:?}");
    };
    assert_eq!(*status, StatusCode::UNAUTHORIZED);
    assert_eq!(error, &None);
    assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));
}

#[tokio::test]
async fn other_oauth_errors_show_code_and_description() {
    let err = error_for(Reply::oauth_error(
        StatusCode::BAD_REQUEST,
        "invalid_scope",
        "The requested scope is invalid.",
    ))
    .await;

    let AuthError::OAuth {
        status,
        error,
        description,
        ..
    } = &err
    else {
        panic!("expected OAuth, got {err:?}");
    };
    assert_eq!(*status, StatusCode::BAD_REQUEST);
    assert_eq!(error, "invalid_scope");
    assert_eq!(
        description.as_deref(),
        Some("The requested scope is invalid.")
    );
    let message = err.to_string();
    assert!(message.contains("invalid_scope"), "{message}");
    assert!(
        message.contains("The requested scope is invalid."),
        "{message}"
    );
}

#[tokio::test]
async fn html_error_page_gives_a_bounded_excerpt() {
    let page = format!(
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>{}</body></html>",
        "There was a problem loading this website. ".repeat(50)
    );
    let err = error_for(Reply::Raw {
        status: StatusCode::BAD_GATEWAY,
        content_type: "text/html; charset=utf-8",
        body: page,
    })
    .await;

    let AuthError::UnexpectedResponse {
        status,
        content_type,
        excerpt,
        ..
    } = &err
    else {
        panic!("expected UnexpectedResponse, got {err:?}");
    };
    assert_eq!(*status, StatusCode::BAD_GATEWAY);
    assert_eq!(content_type.as_deref(), Some("text/html; charset=utf-8"));
    assert!(excerpt.starts_with("<!DOCTYPE html><html><head><title>502 Bad Gateway"));
    assert_eq!(
        excerpt.chars().count(),
        EXCERPT_CHARS + 1,
        "cut, with an ellipsis"
    );
    assert!(excerpt.ends_with('…'));
    assert!(
        err.to_string()
            .contains("HTTP 502 Bad Gateway, content type text/html")
    );
}

#[tokio::test]
async fn non_json_success_is_unexpected() {
    let err = error_for(Reply::Raw {
        status: StatusCode::OK,
        content_type: "text/plain",
        body: "all good".to_owned(),
    })
    .await;

    let AuthError::UnexpectedResponse {
        excerpt, status, ..
    } = &err
    else {
        panic!("expected UnexpectedResponse, got {err:?}");
    };
    assert_eq!(*status, StatusCode::OK);
    assert_eq!(excerpt, "all good");
}

#[tokio::test]
async fn json_without_access_token_is_unexpected() {
    let err = error_for(Reply::Json(
        StatusCode::OK,
        json!({"scope": "read_products"}),
    ))
    .await;

    let AuthError::UnexpectedResponse {
        excerpt,
        content_type,
        ..
    } = &err
    else {
        panic!("expected UnexpectedResponse, got {err:?}");
    };
    assert_eq!(content_type.as_deref(), Some("application/json"));
    assert_eq!(excerpt, r#"{"scope":"read_products"}"#);
}

#[tokio::test]
async fn empty_access_token_is_unexpected() {
    let err = error_for(Reply::Json(StatusCode::OK, json!({"access_token": ""}))).await;

    assert!(
        matches!(err, AuthError::UnexpectedResponse { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn redirect_is_reported_and_not_followed() {
    let server = TokenServer::start(Reply::token(3600)).await;
    let elsewhere = server.url.join("followed").unwrap();
    server.set_reply(Reply::Redirect {
        status: StatusCode::FOUND,
        location: elsewhere.to_string(),
    });
    let source = server.source().build().unwrap();

    let err = source.token().await.unwrap_err();

    let AuthError::Redirect {
        status, location, ..
    } = &err
    else {
        panic!("expected Redirect, got {err:?}");
    };
    assert_eq!(*status, StatusCode::FOUND);
    assert_eq!(location.as_deref(), Some(elsewhere.as_str()));
    assert!(err.to_string().contains("not followed"), "{err}");
    assert_eq!(server.token_requests(), 1);
    assert!(server.unexpected().is_empty(), "{:?}", server.unexpected());
}

#[tokio::test]
async fn closed_port_at_a_base_url_blames_the_base_url_not_the_shop() {
    let url = closed_port_url();
    let source = shopify_auth::ClientCredentials::builder(credentials())
        .base_url(url.clone())
        .build()
        .unwrap();

    let err = source.token().await.unwrap_err();

    let AuthError::Unreachable { origin, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(*origin, url.origin().ascii_serialization());
    assert!(!err.to_string().contains("shop domain"), "{err}");
    assert!(std::error::Error::source(&err).is_some());
    assert!(err.to_string().contains("the connection failed"), "{err}");
}

#[tokio::test]
async fn slow_server_is_a_timeout() {
    let server = TokenServer::start(Reply::token(3600)).await;
    // Held answers never come, so only the timeout can end the request.
    server.hold();
    let source = server
        .source()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();

    let err = source.token().await.unwrap_err();

    let AuthError::Timeout { after, .. } = &err else {
        panic!("expected Timeout, got {err:?}");
    };
    assert_eq!(*after, Duration::from_millis(200));
    assert!(err.to_string().contains("timed out after 200ms"), "{err}");
}

#[tokio::test]
async fn delayed_answer_beyond_the_timeout_is_a_timeout() {
    let server = TokenServer::start(Reply::token(3600)).await;
    server.set_delay(Duration::from_secs(30));
    let source = server
        .source()
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();

    let err = source.token().await.unwrap_err();

    assert!(matches!(err, AuthError::Timeout { .. }), "{err:?}");
}
