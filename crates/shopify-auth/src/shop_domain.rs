//! The shop's `*.myshopify.com` domain.

use std::fmt;
use std::str::FromStr;

use url::Url;

const SUFFIX: &str = ".myshopify.com";

/// Names the shop a request means when it goes to a base-URL origin rather than
/// `https://{shop}.myshopify.com` (whose `Host` already names it). The emulator
/// answers for the shop this names and refuses shops it does not serve, as Shopify
/// refuses unknown hosts; without it, it answers for its demo shop.
pub const SHOP_DOMAIN_HEADER: &str = "x-shopify-shop-domain";
/// A DNS label holds at most 63 bytes, so a longer handle can never resolve.
const MAX_HANDLE_LEN: usize = 63;
/// Error messages quote the input; a pasted file should not flood the terminal.
const MAX_QUOTED_LEN: usize = 100;

/// A shop's canonical domain, always `my-store.myshopify.com` in lower case.
///
/// Parsing accepts the three forms people paste: `my-store`,
/// `my-store.myshopify.com` and `https://my-store.myshopify.com/`. Anything
/// else (other hosts, custom domains, paths, ports, `http://`, whitespace) is
/// rejected, because the token request carries the client secret and must only
/// ever go to Shopify.
///
/// ```
/// use shopify_auth::ShopDomain;
///
/// let shop: ShopDomain = "https://My-Store.myshopify.com/".parse()?;
/// assert_eq!(shop.as_str(), "my-store.myshopify.com");
/// assert_eq!(shop.handle(), "my-store");
/// assert_eq!(shop.url().as_str(), "https://my-store.myshopify.com/");
/// # Ok::<(), shopify_auth::ShopDomainError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ShopDomain(String);

impl ShopDomain {
    /// Parses and normalises `input`; see the type docs for the accepted forms.
    pub fn parse(input: &str) -> Result<Self, ShopDomainError> {
        let fail = |kind| Err(ShopDomainError::new(input, kind));
        if input.is_empty() {
            return fail(ShopDomainErrorKind::Empty);
        }
        if input.chars().any(char::is_whitespace) {
            return fail(ShopDomainErrorKind::Whitespace);
        }
        let rest = match input.find("://") {
            Some(at) => {
                let scheme = &input[..at];
                if scheme.eq_ignore_ascii_case("https") {
                    &input[at + 3..]
                } else if scheme.eq_ignore_ascii_case("http") {
                    return fail(ShopDomainErrorKind::InsecureScheme);
                } else {
                    return fail(ShopDomainErrorKind::UnsupportedScheme);
                }
            }
            None => input,
        };
        // One trailing slash is what browsers show; anything after it is a path.
        let host = rest.strip_suffix('/').unwrap_or(rest);
        if let Some(bad) = host
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
        {
            return fail(ShopDomainErrorKind::InvalidCharacter(bad));
        }
        let host = host.to_ascii_lowercase();
        let handle = if host.contains('.') {
            match host.strip_suffix(SUFFIX) {
                Some(handle) => handle,
                None => return fail(ShopDomainErrorKind::NotMyshopify),
            }
        } else {
            host.as_str()
        };
        if handle.is_empty()
            || handle.contains('.')
            || !handle.starts_with(|c: char| c.is_ascii_alphanumeric())
        {
            return fail(ShopDomainErrorKind::InvalidHandle);
        }
        if handle.len() > MAX_HANDLE_LEN {
            return fail(ShopDomainErrorKind::HandleTooLong);
        }
        let domain = format!("{handle}{SUFFIX}");
        // `xn--` labels are punycode, which the URL parser decodes and may refuse
        // (found by fuzzing: `xn--` alone). `url()` relies on this check.
        if Url::parse(&format!("https://{domain}/")).is_err() {
            return fail(ShopDomainErrorKind::InvalidHandle);
        }
        Ok(Self(domain))
    }

    /// The canonical domain, e.g. `my-store.myshopify.com`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `.myshopify.com`, e.g. `my-store`.
    pub fn handle(&self) -> &str {
        &self.0[..self.0.len() - SUFFIX.len()]
    }

    /// `https://my-store.myshopify.com/`, the base of every Admin API URL.
    pub fn url(&self) -> Url {
        Url::parse(&format!("https://{}/", self.0))
            .expect("a validated shop domain is always a valid URL host")
    }
}

impl fmt::Debug for ShopDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ShopDomain").field(&self.0).finish()
    }
}

impl fmt::Display for ShopDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ShopDomain {
    type Err = ShopDomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for ShopDomain {
    type Error = ShopDomainError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl TryFrom<String> for ShopDomain {
    type Error = ShopDomainError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl AsRef<str> for ShopDomain {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Why a string is not a shop domain. Its Display quotes the input and lists
/// the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid shop domain {}: {kind}; expected `my-store`, `my-store.myshopify.com` or `https://my-store.myshopify.com`",
    quote(input)
)]
pub struct ShopDomainError {
    input: String,
    kind: ShopDomainErrorKind,
}

impl ShopDomainError {
    fn new(input: &str, kind: ShopDomainErrorKind) -> Self {
        Self {
            input: input.to_owned(),
            kind,
        }
    }

    /// The rejected input, as given.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// What was wrong with it.
    pub fn kind(&self) -> &ShopDomainErrorKind {
        &self.kind
    }
}

/// What made [`ShopDomain::parse`] reject its input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShopDomainErrorKind {
    /// The input was empty.
    #[error("it is empty")]
    Empty,
    /// The input contained a space, tab or newline.
    #[error("it contains whitespace")]
    Whitespace,
    /// `http://` was used; the admin is served over https only.
    #[error("`http://` is not allowed, Shopify is only reached over `https://`")]
    InsecureScheme,
    /// A scheme other than `https://` was used.
    #[error("only the `https://` scheme is allowed")]
    UnsupportedScheme,
    /// A character that cannot appear in a shop domain, e.g. from a path,
    /// query, fragment, port or user name.
    #[error("{0:?} is not allowed (no path, query, fragment, port or user name)")]
    InvalidCharacter(char),
    /// A host that is not `*.myshopify.com`, e.g. a custom domain.
    #[error("only `*.myshopify.com` domains are accepted, not custom domains")]
    NotMyshopify,
    /// The part before `.myshopify.com` is not letters, digits and hyphens
    /// starting with a letter or digit.
    #[error("the shop name must be letters, digits and hyphens, starting with a letter or digit")]
    InvalidHandle,
    /// The part before `.myshopify.com` is longer than a DNS label allows.
    #[error("the shop name is longer than 63 characters")]
    HandleTooLong,
}

/// Debug-quotes `input` (so whitespace and control characters show), cut to
/// a readable length on a char boundary.
fn quote(input: &str) -> String {
    match input.char_indices().nth(MAX_QUOTED_LEN) {
        Some((cut, _)) => format!("{:?}…", &input[..cut]),
        None => format!("{input:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `expect` is the canonical domain, or `Err(kind)` for a rejection.
    fn check(input: &str, expect: Result<&str, ShopDomainErrorKind>) {
        let got = ShopDomain::parse(input);
        match (&got, &expect) {
            (Ok(shop), Ok(want)) => assert_eq!(shop.as_str(), *want, "input {input:?}"),
            (Err(err), Err(kind)) => {
                assert_eq!(err.kind(), kind, "input {input:?}");
                assert_eq!(err.input(), input);
            }
            _ => panic!("input {input:?}: got {got:?}, expected {expect:?}"),
        }
    }

    #[test]
    fn accepts_the_three_documented_forms_and_normalises_them() {
        let good = [
            ("my-store", "my-store.myshopify.com"),
            ("my-store.myshopify.com", "my-store.myshopify.com"),
            ("https://my-store.myshopify.com", "my-store.myshopify.com"),
            ("https://my-store.myshopify.com/", "my-store.myshopify.com"),
            ("my-store.myshopify.com/", "my-store.myshopify.com"),
            ("My-Store", "my-store.myshopify.com"),
            ("MY-STORE.MYSHOPIFY.COM", "my-store.myshopify.com"),
            ("HTTPS://My-Store.MyShopify.com/", "my-store.myshopify.com"),
            ("a", "a.myshopify.com"),
            ("0", "0.myshopify.com"),
            ("store123", "store123.myshopify.com"),
            ("9lives-shop", "9lives-shop.myshopify.com"),
            ("my--store-", "my--store-.myshopify.com"),
            (
                &"x".repeat(63),
                &format!("{}.myshopify.com", "x".repeat(63)),
            ),
        ];
        for (input, want) in good {
            check(input, Ok(want));
        }
    }

    #[test]
    fn rejects_everything_else_with_the_reason() {
        use ShopDomainErrorKind as K;
        let bad = [
            ("", K::Empty),
            (" ", K::Whitespace),
            ("my-store ", K::Whitespace),
            (" my-store", K::Whitespace),
            ("my store", K::Whitespace),
            ("my-store\n", K::Whitespace),
            ("my-store.myshopify.com\t", K::Whitespace),
            ("http://my-store.myshopify.com", K::InsecureScheme),
            ("HTTP://my-store.myshopify.com", K::InsecureScheme),
            ("ftp://my-store.myshopify.com", K::UnsupportedScheme),
            ("://my-store.myshopify.com", K::UnsupportedScheme),
            ("https://evil.example.com", K::NotMyshopify),
            ("evil.example.com", K::NotMyshopify),
            ("my-store.com", K::NotMyshopify),
            ("myshopify.com", K::NotMyshopify),
            ("my-store.myshopify.com.evil.com", K::NotMyshopify),
            ("my-store.myshopify.co", K::NotMyshopify),
            ("evil.com#.myshopify.com", K::InvalidCharacter('#')),
            (
                "https://my-store.myshopify.com/admin",
                K::InvalidCharacter('/'),
            ),
            ("https://my-store.myshopify.com//", K::InvalidCharacter('/')),
            (
                "my-store.myshopify.com/admin/oauth",
                K::InvalidCharacter('/'),
            ),
            (
                "https://my-store.myshopify.com?x=1",
                K::InvalidCharacter('?'),
            ),
            (
                "https://my-store.myshopify.com/?x=1",
                K::InvalidCharacter('/'),
            ),
            (
                "https://my-store.myshopify.com#frag",
                K::InvalidCharacter('#'),
            ),
            (
                "https://user@my-store.myshopify.com",
                K::InvalidCharacter('@'),
            ),
            (
                "https://user:pw@my-store.myshopify.com",
                K::InvalidCharacter(':'),
            ),
            ("my-store.myshopify.com:443", K::InvalidCharacter(':')),
            (
                "https://my-store.myshopify.com:8443/",
                K::InvalidCharacter(':'),
            ),
            ("my_store", K::InvalidCharacter('_')),
            ("mÿ-store", K::InvalidCharacter('ÿ')),
            ("https://", K::InvalidHandle),
            ("/", K::InvalidHandle),
            (".myshopify.com", K::InvalidHandle),
            ("-store", K::InvalidHandle),
            ("-store.myshopify.com", K::InvalidHandle),
            ("a.b.myshopify.com", K::InvalidHandle),
            ("my-store..myshopify.com", K::InvalidHandle),
            // Found by fuzzing: punycode the URL parser refuses.
            ("xn--", K::InvalidHandle),
            ("xn--.myshopify.com", K::InvalidHandle),
            (&"x".repeat(64), K::HandleTooLong),
        ];
        for (input, kind) in bad {
            check(input, Err(kind));
        }
    }

    #[test]
    fn error_quotes_the_input_and_lists_the_accepted_forms() {
        let err = ShopDomain::parse("https://evil.example.com").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid shop domain \"https://evil.example.com\": only `*.myshopify.com` domains are \
             accepted, not custom domains; expected `my-store`, `my-store.myshopify.com` or \
             `https://my-store.myshopify.com`"
        );
    }

    #[test]
    fn error_makes_whitespace_visible() {
        let err = ShopDomain::parse("my-store\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid shop domain \"my-store\\n\": it contains whitespace;")
        );
    }

    #[test]
    fn error_cuts_a_long_input_on_a_char_boundary() {
        let input = "é".repeat(500);
        let message = ShopDomain::parse(&input).unwrap_err().to_string();
        assert!(
            message.contains(&format!("\"{}\"…", "é".repeat(100))),
            "{message}"
        );
    }

    #[test]
    fn http_is_rejected_with_a_message_naming_https() {
        let message = ShopDomain::parse("http://my-store.myshopify.com")
            .unwrap_err()
            .to_string();
        assert!(message.contains("`http://` is not allowed"), "{message}");
    }

    #[test]
    fn accessors_return_the_parts() {
        let shop = ShopDomain::parse("My-Store").unwrap();
        assert_eq!(shop.as_str(), "my-store.myshopify.com");
        assert_eq!(shop.handle(), "my-store");
        assert_eq!(shop.url().as_str(), "https://my-store.myshopify.com/");
        assert_eq!(shop.to_string(), "my-store.myshopify.com");
        assert_eq!(
            format!("{shop:?}"),
            "ShopDomain(\"my-store.myshopify.com\")"
        );
        assert_eq!("my-store".parse::<ShopDomain>().unwrap(), shop);
        assert_eq!(ShopDomain::try_from("my-store".to_owned()).unwrap(), shop);
    }
}
