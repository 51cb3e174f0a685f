//! Rust types for the Admin API's custom scalars.
//!
//! | GraphQL | Rust | wire form |
//! |---|---|---|
//! | `ID` | [`Gid`] | `"gid://shopify/Product/123"` |
//! | `DateTime` | [`DateTime`] | `"2019-09-07T15:50:00Z"`, kept exactly |
//! | `Date` | [`Date`] (`jiff::civil::Date`) | `"2019-09-07"` |
//! | `Decimal`, `Money` | [`Decimal`] (`rust_decimal`) | `"29.99"`, scale kept |
//! | `URL` | [`Url`] (`url::Url`) | `"https://example.com/a"` |
//! | `JSON` | [`Json`] (`serde_json::Value`) | any JSON |
//! | `UnsignedInt64` | `u64` | `"50"` |
//! | `BigInt` | `i64` | `"-50"` |
//! | `HTML`, `FormattedString`, `Color`, `ARN`, `StorefrontID`, `UtcOffset` | `String` aliases | strings |

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use crate::codec::{DecodeError, FromJson, Path, ToJson};

pub use jiff::civil::Date;
pub use rust_decimal::Decimal;
pub use url::Url;

/// The `JSON` scalar.
pub type Json = Value;
/// The `Money` scalar: a decimal amount without currency.
pub type Money = Decimal;
/// The `HTML` scalar.
pub type Html = String;
/// The `FormattedString` scalar: text with a few inline HTML tags.
pub type FormattedString = String;
/// The `Color` scalar, e.g. `#6A8D48`.
pub type Color = String;
/// The `ARN` scalar: an Amazon Resource Name.
pub type Arn = String;
/// The `StorefrontID` scalar.
pub type StorefrontId = String;
/// The `UtcOffset` scalar, e.g. `-07:00`.
pub type UtcOffset = String;

/// A Shopify global ID, e.g. `gid://shopify/Product/123`.
///
/// Decoding keeps any string Shopify sends; [`Gid::parse`] checks the `gid://shopify/`
/// form when you build one yourself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gid(String);

/// A string that is not a `gid://shopify/<Type>/<id>` global ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a Shopify global ID; expected `gid://shopify/<Type>/<id>`, e.g. `gid://shopify/Product/123`"
)]
pub struct GidError(String);

const GID_PREFIX: &str = "gid://shopify/";

impl Gid {
    /// Checks and wraps a global ID.
    pub fn parse(text: &str) -> Result<Self, GidError> {
        let gid = Gid(text.to_owned());
        let valid = gid
            .resource_type()
            .is_some_and(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric()))
            && gid
                .id()
                .is_some_and(|id| !id.is_empty() && !id.contains('/'));
        if valid {
            Ok(gid)
        } else {
            Err(GidError(text.to_owned()))
        }
    }

    /// Wraps a string as Shopify sent it, unchecked (as decoding does).
    pub(crate) fn from_wire(text: String) -> Self {
        Gid(text)
    }

    /// Builds `gid://shopify/{resource_type}/{id}`.
    pub fn new(resource_type: &str, id: u64) -> Self {
        Gid(format!("{GID_PREFIX}{resource_type}/{id}"))
    }

    /// The whole ID.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The resource type, e.g. `Product`.
    pub fn resource_type(&self) -> Option<&str> {
        let rest = self.0.strip_prefix(GID_PREFIX)?;
        rest.split_once('/').map(|(ty, _)| ty)
    }

    /// The resource's own ID, e.g. `123`, without any `?query` part.
    pub fn id(&self) -> Option<&str> {
        let rest = self.0.strip_prefix(GID_PREFIX)?;
        let (_, id) = rest.split_once('/')?;
        Some(id.split_once('?').map_or(id, |(id, _)| id))
    }

    /// The resource's ID as a number, when it is one.
    pub fn numeric_id(&self) -> Option<u64> {
        self.id()?.parse().ok()
    }
}

impl fmt::Display for Gid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Gid {
    type Err = GidError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Gid::parse(s)
    }
}

impl AsRef<str> for Gid {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromJson for Gid {
    fn from_json(value: &Value, path: Path<'_>) -> Result<Self, DecodeError> {
        String::from_json(value, path).map(Gid)
    }
}

impl ToJson for Gid {
    fn to_json(&self) -> Value {
        Value::String(self.0.clone())
    }
}

/// An ISO 8601 date-time that writes back exactly the string it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime {
    timestamp: jiff::Timestamp,
    text: String,
}

/// A string that is not an ISO 8601 / RFC 3339 date-time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a date-time like `2019-09-07T15:50:00Z`: {reason}")]
pub struct DateTimeError {
    text: String,
    reason: String,
}

impl DateTime {
    /// Parses an RFC 3339 date-time such as `2019-09-07T15:50:00Z`.
    pub fn parse(text: &str) -> Result<Self, DateTimeError> {
        let timestamp = text.parse::<jiff::Timestamp>().map_err(|e| DateTimeError {
            text: text.to_owned(),
            reason: e.to_string(),
        })?;
        Ok(Self {
            timestamp,
            text: text.to_owned(),
        })
    }

    /// The instant.
    pub fn timestamp(&self) -> jiff::Timestamp {
        self.timestamp
    }

    /// The exact text.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl From<jiff::Timestamp> for DateTime {
    fn from(timestamp: jiff::Timestamp) -> Self {
        Self {
            text: timestamp.to_string(),
            timestamp,
        }
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for DateTime {
    type Err = DateTimeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateTime::parse(s)
    }
}

impl FromJson for DateTime {
    fn from_json(value: &Value, path: Path<'_>) -> Result<Self, DecodeError> {
        match value {
            Value::String(s) => DateTime::parse(s).map_err(|_| {
                DecodeError::new(path, "an ISO 8601 date-time (DateTime)", Some(value))
            }),
            _ => Err(DecodeError::new(
                path,
                "an ISO 8601 date-time (DateTime)",
                Some(value),
            )),
        }
    }
}

impl ToJson for DateTime {
    fn to_json(&self) -> Value {
        Value::String(self.text.clone())
    }
}

fn from_string<T: FromStr>(value: &Value, path: Path<'_>, what: &str) -> Result<T, DecodeError> {
    let parsed = match value {
        Value::String(s) => s.parse().ok(),
        // Shopify sends these as strings; accept bare numbers too rather than fail a whole
        // response over a representation detail.
        Value::Number(n) => n.to_string().parse().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| DecodeError::new(path, what, Some(value)))
}

impl FromJson for Date {
    fn from_json(value: &Value, path: Path<'_>) -> Result<Self, DecodeError> {
        match value {
            Value::String(_) => from_string(value, path, "an ISO 8601 date (Date)"),
            _ => Err(DecodeError::new(
                path,
                "an ISO 8601 date (Date)",
                Some(value),
            )),
        }
    }
}

impl ToJson for Date {
    fn to_json(&self) -> Value {
        Value::String(self.to_string())
    }
}

impl FromJson for Decimal {
    fn from_json(value: &Value, path: Path<'_>) -> Result<Self, DecodeError> {
        from_string(value, path, "a decimal string (Decimal/Money)")
    }
}

impl ToJson for Decimal {
    fn to_json(&self) -> Value {
        Value::String(self.to_string())
    }
}

impl FromJson for Url {
    fn from_json(value: &Value, path: Path<'_>) -> Result<Self, DecodeError> {
        match value {
            Value::String(_) => from_string(value, path, "an absolute URL (URL)"),
            _ => Err(DecodeError::new(path, "an absolute URL (URL)", Some(value))),
        }
    }
}

impl ToJson for Url {
    fn to_json(&self) -> Value {
        Value::String(self.as_str().to_owned())
    }
}

/// `UnsignedInt64`: sent as a string of digits.
impl FromJson for u64 {
    fn from_json(value: &Value, path: Path<'_>) -> Result<Self, DecodeError> {
        from_string(
            value,
            path,
            "an unsigned 64-bit integer string (UnsignedInt64)",
        )
    }
}

impl ToJson for u64 {
    fn to_json(&self) -> Value {
        Value::String(self.to_string())
    }
}

/// `BigInt`: sent as a string of digits.
impl FromJson for i64 {
    fn from_json(value: &Value, path: Path<'_>) -> Result<Self, DecodeError> {
        from_string(value, path, "a 64-bit integer string (BigInt)")
    }
}

impl ToJson for i64 {
    fn to_json(&self) -> Value {
        Value::String(self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn roundtrip<T: FromJson + ToJson>(wire: Value) -> T {
        let value = T::from_json(&wire, Path::Root).unwrap();
        assert_eq!(value.to_json(), wire, "round trip");
        value
    }

    #[test]
    fn gid_exposes_resource_type_and_numeric_id() {
        let gid: Gid = roundtrip(json!("gid://shopify/Product/123"));
        assert_eq!(gid.resource_type(), Some("Product"));
        assert_eq!(gid.numeric_id(), Some(123));
        let with_query = Gid::parse("gid://shopify/InventoryLevel/9?inventory_item_id=4").unwrap();
        assert_eq!(with_query.resource_type(), Some("InventoryLevel"));
        assert_eq!(with_query.numeric_id(), Some(9));
        assert_eq!(Gid::new("Order", 7).as_str(), "gid://shopify/Order/7");
    }

    #[test]
    fn gid_parse_rejects_what_is_not_a_global_id_and_says_the_form() {
        for bad in [
            "",
            "123",
            "gid://shopify/Product",
            "gid://shopify//1",
            "https://x/Product/1",
        ] {
            let err = Gid::parse(bad).unwrap_err();
            assert!(
                err.to_string().contains("gid://shopify/<Type>/<id>"),
                "{err}"
            );
        }
    }

    #[test]
    fn datetime_round_trips_the_exact_string() {
        let dt: DateTime = roundtrip(json!("2019-09-07T15:50:00Z"));
        assert_eq!(dt.timestamp().as_second(), 1_567_871_400);
        let offset: DateTime = roundtrip(json!("2019-09-07T17:50:00.000+02:00"));
        assert_eq!(offset.timestamp(), dt.timestamp());
        assert!(DateTime::from_json(&json!("yesterday"), Path::Root).is_err());
    }

    #[test]
    fn decimals_keep_their_scale() {
        let price: Decimal = roundtrip(json!("29.90"));
        assert_eq!(price, Decimal::new(2990, 2));
        assert_eq!(
            Decimal::from_json(&json!(10.5), Path::Root).unwrap(),
            Decimal::new(105, 1)
        );
        assert!(Decimal::from_json(&json!("ten"), Path::Root).is_err());
    }

    #[test]
    fn integers_sent_as_strings_round_trip() {
        assert_eq!(roundtrip::<u64>(json!("18446744073709551615")), u64::MAX);
        assert_eq!(roundtrip::<i64>(json!("-5")), -5);
        assert!(u64::from_json(&json!("-1"), Path::Root).is_err());
    }

    #[test]
    fn dates_and_urls_round_trip() {
        let date: Date = roundtrip(json!("2019-07-16"));
        assert_eq!(date.year(), 2019);
        let url: Url = roundtrip(json!("https://example.myshopify.com/a?b=c"));
        assert_eq!(url.host_str(), Some("example.myshopify.com"));
    }
}
