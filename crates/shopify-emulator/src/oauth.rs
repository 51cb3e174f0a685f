//! `POST /admin/oauth/access_token`: the client-credentials grant, and the token table.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::http::{hex, not_found, random_bytes};
use crate::server::Shared;

/// What a token grants.
#[derive(Debug, Clone)]
pub(crate) struct TokenInfo {
    pub(crate) shop: String,
    pub(crate) client_id: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: Instant,
}

/// Issued tokens. Revoked and expired ones are simply absent or past `expires_at`.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    inner: Mutex<HashMap<String, TokenInfo>>,
}

impl Tokens {
    /// Issues a token; expired ones are forgotten here, so a long-running emulator keeps
    /// only live tokens (an expired token is refused the same whether or not it is known).
    fn issue(&self, info: TokenInfo) -> String {
        let token = format!("shpat_emu_{}", hex(&random_bytes::<16>()));
        let now = Instant::now();
        let mut tokens = self.lock();
        tokens.retain(|_, t| t.expires_at > now);
        tokens.insert(token.clone(), info);
        token
    }

    /// Tokens held (live, or expired since the last issue).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    /// The grant of a live token for `shop`, if any.
    pub(crate) fn check(&self, token: &str, shop: &str) -> Option<TokenInfo> {
        let tokens = self.lock();
        let info = tokens.get(token)?;
        (info.shop == shop && Instant::now() < info.expires_at).then(|| info.clone())
    }

    pub(crate) fn revoke(&self, token: &str) -> bool {
        self.lock().remove(token).is_some()
    }

    pub(crate) fn revoke_all(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, TokenInfo>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    tracing::info!(error, "emulator: token exchange refused");
    (
        status,
        axum::Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// Reads the grant's fields from a JSON or form body.
fn fields(headers: &HeaderMap, body: &Bytes) -> Option<HashMap<String, String>> {
    let is_json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let looks_json = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if is_json || looks_json {
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        let map = value.as_object()?;
        Some(
            map.iter()
                .filter_map(|(k, v)| match v {
                    serde_json::Value::String(s) => Some((k.clone(), s.clone())),
                    serde_json::Value::Null => None,
                    other => Some((k.clone(), other.to_string())),
                })
                .collect(),
        )
    } else {
        Some(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }
}

pub(crate) async fn access_token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(shop) = shared.shop_for(&headers) else {
        return not_found();
    };
    let Some(fields) = fields(&headers, &body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The request body is neither a form nor a JSON object.",
        );
    };
    let get = |k: &str| fields.get(k).map(String::as_str).filter(|v| !v.is_empty());
    match get("grant_type") {
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
            );
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Missing required parameter: grant_type.",
            );
        }
    }
    let (Some(client_id), Some(client_secret)) = (get("client_id"), get("client_secret")) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing required parameter: client_id and client_secret.",
        );
    };
    let app = shared
        .apps
        .iter()
        .find(|a| a.client_id == client_id && a.client_secret == client_secret);
    let Some(app) = app else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
        );
    };
    if app.not_permitted_on.contains(&shop.handle) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "shop_not_permitted",
            "Client credentials cannot be performed on this shop.",
        );
    }
    if app.not_installed_on.contains(&shop.handle) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "app_not_installed",
            "The app is not installed on this shop.",
        );
    }
    let token = shared.tokens.issue(TokenInfo {
        shop: shop.handle.clone(),
        client_id: app.client_id.clone(),
        scopes: app.scopes.clone(),
        expires_at: Instant::now() + shared.token_ttl,
    });
    shared.recorder.update(|s| s.token_requests += 1);
    tracing::info!(shop = %shop.handle, client_id = %app.client_id, "emulator: token issued");
    axum::Json(json!({
        "access_token": token,
        "scope": app.scopes.join(","),
        "expires_in": shared.token_ttl.as_secs(),
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn grant(expires_at: Instant) -> TokenInfo {
        TokenInfo {
            shop: "demo".into(),
            client_id: "app".into(),
            scopes: vec![],
            expires_at,
        }
    }

    #[test]
    fn expired_tokens_are_forgotten_when_the_next_is_issued() {
        let tokens = Tokens::default();
        let past = Instant::now() - Duration::from_millis(1);
        let old = tokens.issue(grant(past));
        tokens.issue(grant(past));
        let live = tokens.issue(grant(Instant::now() + Duration::from_secs(60)));
        assert_eq!(tokens.len(), 1);
        assert!(tokens.check(&old, "demo").is_none());
        assert!(tokens.check(&live, "demo").is_some());
    }
}
