//! Why a token could not be had.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;

use crate::shop_domain::ShopDomain;

/// Why a token could not be had.
///
/// `Clone`, because one failed refresh is handed to every caller that was
/// waiting for it. Display says what happened and what to do; no variant
/// ever holds the client secret or a token (response excerpts are scrubbed).
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// `shop_not_permitted`: the app and the store belong to different
    /// organizations, so the client-credentials grant is not allowed.
    #[error(
        "{shop} does not allow the client-credentials grant for this app (HTTP {status}, \
         shop_not_permitted{}): \
         the app and the store belong to different organizations; use the authorization-code \
         flow instead, e.g. through Shopify CLI{}",
        said(description),
        request(request_id)
    )]
    ShopNotPermitted {
        /// The shop asked.
        shop: ShopDomain,
        /// The HTTP status.
        status: StatusCode,
        /// Shopify's `error_description`, if any.
        description: Option<String>,
        /// Shopify's `x-request-id`, if any.
        request_id: Option<String>,
    },

    /// `app_not_installed`: the app has not been installed on the store.
    #[error(
        "the app is not installed on {shop} (HTTP {status}, app_not_installed{}): install it on \
         the store from the Dev Dashboard, then try again{}",
        said(description),
        request(request_id)
    )]
    AppNotInstalled {
        /// The shop asked.
        shop: ShopDomain,
        /// The HTTP status.
        status: StatusCode,
        /// Shopify's `error_description`, if any.
        description: Option<String>,
        /// Shopify's `x-request-id`, if any.
        request_id: Option<String>,
    },

    /// The client id or secret was not accepted (`invalid_client`, or any
    /// HTTP 401 from the token endpoint).
    #[error(
        "{shop} rejected the client id or secret (HTTP {status}{}{}): check SHOPIFY_CLIENT_ID and \
         SHOPIFY_CLIENT_SECRET against the app's settings in the Dev Dashboard{}",
        error.as_deref().map(|e| format!(", {e}")).unwrap_or_default(),
        said(description),
        request(request_id)
    )]
    InvalidClient {
        /// The shop asked.
        shop: ShopDomain,
        /// The HTTP status.
        status: StatusCode,
        /// Shopify's `error` code, if the body had one.
        error: Option<String>,
        /// Shopify's `error_description`, if any.
        description: Option<String>,
        /// Shopify's `x-request-id`, if any.
        request_id: Option<String>,
    },

    /// Another OAuth error (`{"error": ..., "error_description": ...}`).
    #[error(
        "{shop} refused the token request (HTTP {status}, {error}{}): check the app's \
         configuration and the shop{}",
        said(description),
        request(request_id)
    )]
    OAuth {
        /// The shop asked.
        shop: ShopDomain,
        /// The HTTP status.
        status: StatusCode,
        /// Shopify's `error` code.
        error: String,
        /// Shopify's `error_description`, if any.
        description: Option<String>,
        /// Shopify's `x-request-id`, if any.
        request_id: Option<String>,
    },

    /// An answer that is neither a token nor an OAuth error: an HTML error
    /// page, a proxy's answer, JSON without `access_token`.
    #[error(
        "unexpected answer from {shop} to the token request (HTTP {status}, content type {}){}: \
         check the shop domain and base URL, and try again later if Shopify is having \
         trouble; the body starts with: {excerpt:?}",
        content_type.as_deref().unwrap_or("none"),
        request(request_id)
    )]
    UnexpectedResponse {
        /// The shop asked.
        shop: ShopDomain,
        /// The HTTP status.
        status: StatusCode,
        /// The `content-type` header, if any.
        content_type: Option<String>,
        /// The start of the body (at most 512 characters), with any secret
        /// removed.
        excerpt: String,
        /// Shopify's `x-request-id`, if any.
        request_id: Option<String>,
    },

    /// A 3xx answer. Redirects are never followed: the request carries the
    /// client secret.
    #[error(
        "{shop} answered the token request with a redirect (HTTP {status} to {}), which is not \
         followed because the request carries the client secret: check that the shop domain is \
         the store's `.myshopify.com` domain",
        location.as_deref().unwrap_or("nowhere")
    )]
    Redirect {
        /// The shop asked.
        shop: ShopDomain,
        /// The HTTP status.
        status: StatusCode,
        /// The `location` header, if any.
        location: Option<String>,
    },

    /// Like [`Network`](Self::Network), for requests sent to a base URL (an
    /// emulator or proxy) rather than the shop's own domain.
    #[error(
        "could not get a token for {shop} from {origin}: the connection failed; check that the \
         emulator or proxy at that base URL (SHOPIFY_BASE_URL) is running"
    )]
    Unreachable {
        /// The shop asked for.
        shop: ShopDomain,
        /// The base URL's origin, e.g. `http://127.0.0.1:8080`.
        origin: String,
        /// What failed.
        #[source]
        source: Arc<reqwest::Error>,
    },

    /// The request could not be sent or the answer not read (DNS, refused
    /// connection, TLS, reset).
    #[error(
        "could not get a token from {shop}: the connection failed; check the network and the \
         shop domain"
    )]
    Network {
        /// The shop asked.
        shop: ShopDomain,
        /// What failed. Shared, since the error is cloned to every waiter.
        #[source]
        source: Arc<reqwest::Error>,
    },

    /// No complete answer within the timeout.
    #[error(
        "the token request to {shop} timed out after {after:?}: try again later, or raise the \
         timeout"
    )]
    Timeout {
        /// The shop asked.
        shop: ShopDomain,
        /// The configured timeout.
        after: Duration,
        /// The underlying error.
        #[source]
        source: Arc<reqwest::Error>,
    },

    /// The HTTP client could not be built (e.g. TLS setup failed).
    #[error("could not build the HTTP client for token requests")]
    HttpClient(#[source] Arc<reqwest::Error>),

    /// The task fetching the token stopped before finishing, because it
    /// panicked or the runtime shut down. The next call tries again.
    #[error(
        "the token request was interrupted (its task panicked or the runtime shut down); try again"
    )]
    Interrupted,
}

impl AuthError {
    /// The HTTP status Shopify answered with, if there was an answer.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::ShopNotPermitted { status, .. }
            | Self::AppNotInstalled { status, .. }
            | Self::InvalidClient { status, .. }
            | Self::OAuth { status, .. }
            | Self::UnexpectedResponse { status, .. }
            | Self::Redirect { status, .. } => Some(*status),
            _ => None,
        }
    }
}

fn said(description: &Option<String>) -> String {
    match description {
        Some(d) => format!(": {d:?}"),
        None => String::new(),
    }
}

fn request(request_id: &Option<String>) -> String {
    match request_id {
        Some(id) => format!(" [request id {id}]"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> ShopDomain {
        ShopDomain::parse("my-store").unwrap()
    }

    /// Pins the Debug output: errors travel into logs, so every field printed
    /// here must be one that is safe to print.
    #[test]
    fn debug_prints_only_evidence_fields() {
        let err = AuthError::UnexpectedResponse {
            shop: shop(),
            status: StatusCode::BAD_GATEWAY,
            content_type: Some("text/html".to_owned()),
            excerpt: "<html>client_secret=[redacted]</html>".to_owned(),
            request_id: Some("req-1".to_owned()),
        };
        assert_eq!(
            format!("{err:?}"),
            "UnexpectedResponse { shop: ShopDomain(\"my-store.myshopify.com\"), status: 502, \
             content_type: Some(\"text/html\"), excerpt: \"<html>client_secret=[redacted]</html>\", \
             request_id: Some(\"req-1\") }"
        );
    }

    #[test]
    fn oauth_display_shows_code_description_and_request_id() {
        let err = AuthError::OAuth {
            shop: shop(),
            status: StatusCode::BAD_REQUEST,
            error: "invalid_scope".to_owned(),
            description: Some("The scope is invalid.".to_owned()),
            request_id: Some("req-9".to_owned()),
        };
        assert_eq!(
            err.to_string(),
            "my-store.myshopify.com refused the token request (HTTP 400 Bad Request, \
             invalid_scope: \"The scope is invalid.\"): check the app's configuration and the \
             shop [request id req-9]"
        );
        assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
    }

    #[test]
    fn redirect_display_says_it_was_not_followed() {
        let err = AuthError::Redirect {
            shop: shop(),
            status: StatusCode::MOVED_PERMANENTLY,
            location: Some("https://my-store.com/".to_owned()),
        };
        assert_eq!(
            err.to_string(),
            "my-store.myshopify.com answered the token request with a redirect (HTTP 301 Moved \
             Permanently to https://my-store.com/), which is not followed because the request \
             carries the client secret: check that the shop domain is the store's \
             `.myshopify.com` domain"
        );
    }
}
