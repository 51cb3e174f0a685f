//! Access tokens and their scopes.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use reqwest::header::{HeaderValue, InvalidHeaderValue};
use secrecy::{ExposeSecret, SecretString};

/// The request header that carries an access token to the Admin API.
pub const ACCESS_TOKEN_HEADER: &str = "X-Shopify-Access-Token";

/// Every token gets a number from this counter, so "is this the same token"
/// and "is this newer" never compare secrets.
static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

/// An Admin API access token with what Shopify said about it.
///
/// Cheap to clone: clones share one allocation and count as the same token for
/// [`TokenSource::invalidate`](crate::TokenSource::invalidate). The secret is
/// reachable only through [`expose_secret`](Self::expose_secret) or
/// [`header_value`](Self::header_value); `Debug` prints `[redacted]` and there
/// is no `Display`.
#[derive(Clone)]
pub struct AccessToken {
    inner: Arc<Inner>,
}

struct Inner {
    secret: SecretString,
    scopes: Option<Scopes>,
    expires_at: Option<Instant>,
    generation: u64,
}

impl AccessToken {
    /// A token with optional granted scopes and expiry instant.
    pub fn new(
        secret: impl Into<SecretString>,
        scopes: Option<Scopes>,
        expires_at: Option<Instant>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                secret: secret.into(),
                scopes,
                expires_at,
                generation: NEXT_GENERATION.fetch_add(1, Ordering::Relaxed),
            }),
        }
    }

    /// The token itself, for the `X-Shopify-Access-Token` header.
    pub fn expose_secret(&self) -> &str {
        self.inner.secret.expose_secret()
    }

    /// The token as a header value marked sensitive, so HTTP libraries keep it
    /// out of their logs. Fails only if the token holds bytes a header cannot.
    pub fn header_value(&self) -> Result<HeaderValue, InvalidHeaderValue> {
        let mut value = HeaderValue::from_str(self.expose_secret())?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// The scopes Shopify reported when granting the token, if it did.
    pub fn scopes(&self) -> Option<&Scopes> {
        self.inner.scopes.as_ref()
    }

    /// When the token stops working, if known.
    pub fn expires_at(&self) -> Option<Instant> {
        self.inner.expires_at
    }

    /// Whether both values are clones of one issued token.
    pub fn is_same(&self, other: &AccessToken) -> bool {
        self.inner.generation == other.inner.generation
    }

    /// Whether `self` was created after `other`.
    pub fn is_newer_than(&self, other: &AccessToken) -> bool {
        self.inner.generation > other.inner.generation
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &Redacted)
            .field("scopes", &self.inner.scopes)
            .field("expires_at", &self.inner.expires_at)
            .finish()
    }
}

/// Stands in for a secret in `Debug` output.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The access scopes granted to a token, e.g. `read_products`, `write_orders`.
///
/// ```
/// use shopify_auth::Scopes;
///
/// let scopes: Scopes = "read_orders, write_products,,".parse().unwrap();
/// assert!(scopes.contains("write_products"));
/// assert!(!scopes.contains("read_products"));
/// assert!(scopes.grants("read_products")); // write implies read
/// assert_eq!(scopes.iter().collect::<Vec<_>>(), ["read_orders", "write_products"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// Parses Shopify's comma-separated `scope` field: entries are trimmed,
    /// empty ones dropped, duplicates kept once, order preserved.
    pub fn parse(list: &str) -> Self {
        list.split(',').collect()
    }

    /// Whether `scope` was granted by name.
    pub fn contains(&self, scope: &str) -> bool {
        self.0.iter().any(|s| s == scope)
    }

    /// Whether `scope` is granted by name or implied: Shopify's `write_X`
    /// includes `read_X`.
    pub fn grants(&self, scope: &str) -> bool {
        if self.contains(scope) {
            return true;
        }
        match scope.strip_prefix("read_") {
            Some(resource) => self.contains(&format!("write_{resource}")),
            None => false,
        }
    }

    /// The scopes in the order Shopify listed them.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// How many scopes there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no scope was granted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<S: AsRef<str>> FromIterator<S> for Scopes {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut scopes: Vec<String> = Vec::new();
        for scope in iter {
            let scope = scope.as_ref().trim();
            if !scope.is_empty() && !scopes.iter().any(|s| s == scope) {
                scopes.push(scope.to_owned());
            }
        }
        Self(scopes)
    }
}

impl FromStr for Scopes {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::parse(s))
    }
}

/// Comma-separated, as Shopify writes them.
impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(","))
    }
}

impl<'a> IntoIterator for &'a Scopes {
    type Item = &'a str;
    type IntoIter = std::iter::Map<std::slice::Iter<'a, String>, fn(&'a String) -> &'a str>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn debug_redacts_the_token() {
        let token = AccessToken::new("shpat_secret", Some(Scopes::parse("read_products")), None);
        assert_eq!(
            format!("{token:?}"),
            "AccessToken { token: [redacted], scopes: Some(Scopes([\"read_products\"])), expires_at: None }"
        );
    }

    #[test]
    fn debug_shows_the_expiry_instant() {
        let at = Instant::now() + Duration::from_secs(60);
        let token = AccessToken::new("shpat_secret", None, Some(at));
        assert_eq!(
            format!("{token:?}"),
            format!("AccessToken {{ token: [redacted], scopes: None, expires_at: Some({at:?}) }}")
        );
    }

    #[test]
    fn header_value_is_marked_sensitive() {
        let value = AccessToken::new("shpat_secret", None, None)
            .header_value()
            .unwrap();
        assert!(value.is_sensitive());
        assert_eq!(value.to_str().unwrap(), "shpat_secret");
        assert_eq!(format!("{value:?}"), "Sensitive");
    }

    #[test]
    fn clones_are_the_same_token_and_new_tokens_are_newer() {
        let first = AccessToken::new("same", None, None);
        let second = AccessToken::new("same", None, None);
        assert!(first.is_same(&first.clone()));
        assert!(!first.is_same(&second));
        assert!(second.is_newer_than(&first));
        assert!(!first.is_newer_than(&second));
    }

    #[test]
    fn scopes_are_trimmed_deduplicated_and_empty_entries_dropped() {
        let scopes = Scopes::parse(" read_products ,write_orders,, ,read_products,");
        assert_eq!(
            scopes.iter().collect::<Vec<_>>(),
            ["read_products", "write_orders"]
        );
        assert_eq!(scopes.len(), 2);
        assert_eq!(scopes.to_string(), "read_products,write_orders");
        assert!(Scopes::parse("").is_empty());
        assert!(Scopes::parse(" , ").is_empty());
    }

    #[test]
    fn write_scope_grants_the_matching_read_scope_only() {
        let scopes = Scopes::parse("write_products,read_orders");
        assert!(scopes.grants("write_products"));
        assert!(scopes.grants("read_products"));
        assert!(scopes.grants("read_orders"));
        assert!(!scopes.grants("write_orders"));
        assert!(!scopes.grants("read_customers"));
        assert!(!scopes.contains("read_products"));
        assert_eq!((&scopes).into_iter().count(), 2);
    }
}
