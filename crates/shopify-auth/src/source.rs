//! Where access tokens come from.

use std::fmt;

use futures::future::BoxFuture;
use secrecy::SecretString;

use crate::error::AuthError;
use crate::token::{AccessToken, Scopes};

/// Something that hands out Admin API access tokens.
///
/// Object-safe, so a client can hold an `Arc<dyn TokenSource>` without
/// knowing how tokens are obtained.
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// A valid token, fetching one if needed.
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>>;

    /// Reports that `rejected` was refused by Shopify (HTTP 401). The next
    /// [`token`](Self::token) fetches a fresh one — unless the cached token is
    /// already newer than `rejected`, so N concurrent invalidations of the
    /// same token cause exactly one new exchange.
    fn invalidate(&self, rejected: &AccessToken);
}

/// A token obtained some other way (e.g. an admin-created custom app's
/// token, or one from the authorization-code flow).
///
/// It never changes: [`invalidate`](TokenSource::invalidate) does nothing and
/// [`token`](TokenSource::token) keeps returning the same token, because
/// there is no way to get another. A rejected static token surfaces as the
/// caller's 401 error.
#[derive(Debug, Clone)]
pub struct StaticToken {
    token: AccessToken,
}

impl StaticToken {
    /// A source that always returns `token`, with unknown scopes and no
    /// expiry.
    pub fn new(token: impl Into<SecretString>) -> Self {
        Self {
            token: AccessToken::new(token, None, None),
        }
    }

    /// The same token, reporting `scopes` as granted.
    pub fn with_scopes(self, scopes: Scopes) -> Self {
        Self {
            token: AccessToken::new(
                self.token.expose_secret().to_owned(),
                Some(scopes),
                self.token.expires_at(),
            ),
        }
    }
}

impl From<AccessToken> for StaticToken {
    fn from(token: AccessToken) -> Self {
        Self { token }
    }
}

impl TokenSource for StaticToken {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>> {
        let token = self.token.clone();
        Box::pin(async move { Ok(token) })
    }

    /// Does nothing: a static token cannot be replaced.
    fn invalidate(&self, _rejected: &AccessToken) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_token() {
        let source = StaticToken::new("shpat_static").with_scopes(Scopes::parse("read_orders"));
        assert_eq!(
            format!("{source:?}"),
            "StaticToken { token: AccessToken { token: [redacted], scopes: \
             Some(Scopes([\"read_orders\"])), expires_at: None } }"
        );
    }

    #[tokio::test]
    async fn keeps_returning_the_same_token_even_after_invalidate() {
        let source = StaticToken::new("shpat_static");
        let first = source.token().await.unwrap();
        source.invalidate(&first);
        let second = source.token().await.unwrap();
        assert!(first.is_same(&second));
        assert_eq!(second.expose_secret(), "shpat_static");
        assert!(second.scopes().is_none());
    }

    #[test]
    fn is_usable_as_a_shared_trait_object() {
        let source: std::sync::Arc<dyn TokenSource> =
            std::sync::Arc::new(StaticToken::new("shpat_static"));
        assert!(format!("{source:?}").starts_with("StaticToken"));
    }
}
