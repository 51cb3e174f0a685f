//! Decoding bulk result lines into the rows generated from `graphql/bulk/`.
//!
//! A result file can hold millions of lines, so rows decode straight from each line's
//! bytes through serde's `Deserializer`, without building a `Value` first (that path is
//! 2-3x slower than serde derive). The generated structs do not derive `Deserialize`:
//! [`__graphql_bulk_object!`](crate::__graphql_bulk_object) writes one small visitor per
//! struct (a loop over the keys, matched against a table by index), and the per-type work
//! lives in the [`BulkField`] impls here, compiled once.
//!
//! ```
//! use shopify_client::bulk_codec::{BulkField, decode_line};
//! use shopify_client::scalars::Gid;
//!
//! shopify_client::__graphql_bulk_object! {
//!     /// A `ProductVariant` line.
//!     Variant {
//!         id: Gid = "id" @ 0 as Slot,
//!         sku: Option<String> = "sku" @ 1 as Slot,
//!         parent_id: Gid = "__parentId" @ 2 as Slot,
//!     }
//! }
//! let row: Variant = decode_line(br#"{"__typename":"ProductVariant","id":"gid://shopify/ProductVariant/1","sku":null,"__parentId":"gid://shopify/Product/1"}"#).unwrap();
//! assert_eq!(row.parent_id.as_str(), "gid://shopify/Product/1");
//! assert!(decode_line::<Variant>(br#"{"id":"gid://shopify/ProductVariant/1"}"#).is_err());
//! ```

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::Deserialize as _;
use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use serde_json::Value;

use crate::bulk::{Bulk, BulkError, BulkOperation, BulkRow, RowError, Rows};
use crate::codec::{FromJson, Path, ToJson};
use crate::scalars::{Date, DateTime, Decimal, Gid, Url};

#[doc(hidden)]
pub use serde as __serde;

/// A value a generated bulk row holds, read straight from the line's JSON.
pub trait BulkField: Sized {
    /// Reads the value.
    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;

    /// The value of an absent key: only nullable types have one.
    fn missing() -> Option<Self> {
        None
    }
}

/// Decodes one line (without its newline) into `T`; trailing bytes are an error.
pub fn decode_line<T: BulkField>(line: &[u8]) -> Result<T, RowError> {
    let mut deserializer = serde_json::Deserializer::from_slice(line);
    let value = T::read(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// A [`BulkField`] as serde sees it (the generated visitors read fields through this).
#[doc(hidden)]
#[derive(Debug)]
pub struct Slot<T>(pub T);

impl<'de, T: BulkField> de::Deserialize<'de> for Slot<T> {
    #[inline]
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::read(deserializer).map(Slot)
    }
}

impl<T: BulkField> Slot<T> {
    #[doc(hidden)]
    #[inline]
    pub fn missing() -> Option<T> {
        T::missing()
    }
}

/// A type read through [`FromJson`] (schema enums): parsed into a `Value` first. Only for
/// types the fast path does not cover; enums are short strings, so this costs little.
#[doc(hidden)]
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<'de, T: FromJson> de::Deserialize<'de> for Json<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        T::from_json(&value, Path::Root).map(Json).map_err(|e| {
            de::Error::custom(format_args!("expected {}, found {}", e.expected, e.found))
        })
    }
}

impl<T: FromJson> Json<T> {
    #[doc(hidden)]
    #[inline]
    pub fn missing() -> Option<T> {
        T::from_missing(Path::Root).ok()
    }
}

/// The index of a key in a generated struct's table, `usize::MAX` for keys it does not
/// read; borrows the key, so nothing is allocated.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Key(pub &'static [&'static str]);

impl<'de> DeserializeSeed<'de> for Key {
    type Value = usize;

    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    #[inline]
    fn visit_str<E: de::Error>(self, key: &str) -> Result<usize, E> {
        Ok(self.0.iter().position(|k| *k == key).unwrap_or(usize::MAX))
    }
}

macro_rules! plain {
    ($($ty:ty),*) => {$(
        impl BulkField for $ty {
            #[inline]
            fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <$ty as de::Deserialize>::deserialize(deserializer)
            }
        }
    )*};
}

plain!(String, bool, i32, f64, Value);

/// Reads a string (or, for numbers sent as strings, a bare number) and parses it.
struct Parsed<T>(&'static str, PhantomData<T>);

impl<T: FromStr> Visitor<'_> for Parsed<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }

    #[inline]
    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        text.parse()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(text), &self))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<T, E> {
        self.visit_str(&n.to_string())
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<T, E> {
        self.visit_str(&n.to_string())
    }
}

macro_rules! parsed {
    ($($ty:ty => $what:literal),*) => {$(
        impl BulkField for $ty {
            #[inline]
            fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_any(Parsed::<$ty>($what, PhantomData))
            }
        }
    )*};
}

parsed!(
    u64 => "an unsigned 64-bit integer string (UnsignedInt64)",
    i64 => "a 64-bit integer string (BigInt)",
    Decimal => "a decimal string (Decimal/Money)"
);

/// Reads a string only, then parses it.
macro_rules! from_string {
    ($($ty:ty => $what:literal),*) => {$(
        impl BulkField for $ty {
            #[inline]
            fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str(Parsed::<$ty>($what, PhantomData))
            }
        }
    )*};
}

from_string!(
    DateTime => "an ISO 8601 date-time (DateTime)",
    Date => "an ISO 8601 date (Date)",
    Url => "an absolute URL (URL)"
);

impl BulkField for Gid {
    #[inline]
    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Like FromJson: any string Shopify sends is kept.
        String::deserialize(deserializer).map(Gid::from_wire)
    }
}

impl<T: BulkField> BulkField for Option<T> {
    #[inline]
    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<Slot<T>>::deserialize(deserializer)?.map(|s| s.0))
    }

    fn missing() -> Option<Self> {
        Some(None)
    }
}

impl<T: BulkField> BulkField for Vec<T> {
    #[inline]
    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Vec::<Slot<T>>::deserialize(deserializer)?
            .into_iter()
            .map(|s| s.0)
            .collect())
    }
}

/// A bulk query generated from `graphql/bulk/`: its text and its row type.
pub trait BulkQuery {
    /// The operation name.
    const NAME: &'static str;
    /// The exact text sent (`__typename` first at every level).
    const QUERY: &'static str;
    /// One line of the result file: an enum over the query's levels.
    type Row: BulkRow;
}

/// Runs a bulk query, waits for it (`progress` sees every status) and opens its result
/// file as typed rows, streamed; `None` when the query matched nothing (no file).
pub async fn export<Q: BulkQuery>(
    bulk: &Bulk<'_>,
    progress: impl FnMut(&BulkOperation),
) -> Result<Option<Rows<Q::Row>>, BulkError> {
    let started = bulk.run_query(Q::QUERY).await?;
    let done = bulk.wait(&started.id, progress).await?;
    Ok(done.url.map(|url| bulk.rows(&url)))
}

/// A bulk mutation generated from `graphql/bulk/`: its text, one line's variables and
/// one line's result.
pub trait BulkMutation {
    /// The operation name.
    const NAME: &'static str;
    /// The exact text sent.
    const MUTATION: &'static str;
    /// One line of the variables file.
    type Variables: ToJson;
    /// The `data` of one line of the result file.
    type Response: FromJson;
}

/// The JSONL variables file: one line per value, as Shopify reads it.
pub fn variables_file<'a, V: ToJson + 'a>(lines: impl IntoIterator<Item = &'a V>) -> Vec<u8> {
    let mut out = Vec::new();
    for line in lines {
        // A `Value` always serialises.
        let _ = serde_json::to_writer(&mut out, &line.to_json());
        out.push(b'\n');
    }
    out
}

/// Uploads `lines` as the variables file, runs the mutation once per line, waits, and
/// opens the result file as typed lines; `None` when there were no lines.
pub async fn import<'a, M: BulkMutation>(
    bulk: &Bulk<'_>,
    lines: impl IntoIterator<Item = &'a M::Variables>,
    progress: impl FnMut(&BulkOperation),
) -> Result<Option<Rows<MutationResult<M::Response>>>, BulkError>
where
    M::Variables: 'a,
{
    let started = bulk
        .run_mutation(M::MUTATION, variables_file(lines))
        .await?;
    let done = bulk.wait(&started.id, progress).await?;
    Ok(done.url.map(|url| bulk.rows(&url)))
}

/// One line of a bulk mutation's result file, typed: what the mutation answered for
/// input line `line_number` (0-based) of the variables file.
#[derive(Debug, Clone)]
pub struct MutationResult<T> {
    /// The mutation's `data` (with its `userErrors`).
    pub data: Option<T>,
    /// GraphQL errors for this line (e.g. variables that do not coerce).
    pub errors: Vec<Value>,
    /// The 0-based input line this answers.
    pub line_number: u64,
}

impl<T: FromJson> BulkRow for MutationResult<T> {
    fn decode(line: &[u8]) -> Result<Self, RowError> {
        // One line per mutation call: small, so decoding through a `Value` costs little.
        let value: Value = serde_json::from_slice(line)?;
        let bad = |what: &str| -> RowError {
            RowError::Json(de::Error::custom(format_args!(
                "a bulk mutation result line {what}"
            )))
        };
        let Value::Object(mut object) = value else {
            return Err(bad("must be a JSON object"));
        };
        let line_number = object
            .get("__lineNumber")
            .and_then(Value::as_u64)
            .ok_or_else(|| bad("needs a numeric __lineNumber"))?;
        let errors = match object.remove("errors") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(errors)) => errors,
            Some(_) => return Err(bad("has `errors` that is not a list")),
        };
        let data = match object.get("data") {
            None | Some(Value::Null) => None,
            Some(data) => Some(
                T::from_json(data, Path::Root).map_err(|e| RowError::Json(de::Error::custom(e)))?,
            ),
        };
        Ok(Self {
            data,
            errors,
            line_number,
        })
    }
    fn id(&self) -> Option<&str> {
        None
    }
    fn parent_id(&self) -> Option<&str> {
        None
    }
}

/// A struct of a bulk row (a level, or an object inside one): the struct and a visitor
/// that reads its keys by index (`@ n`, into the key table) and each value through
/// `Slot` ([`BulkField`]) or `Json` ([`FromJson`]). Keys not listed are skipped.
#[doc(hidden)]
#[macro_export]
macro_rules! __graphql_bulk_object {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $key:literal @ $index:literal as $via:ident ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $crate::bulk_codec::BulkField for $name {
            fn read<'de, D: $crate::bulk_codec::__serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                struct V;
                impl<'de> $crate::bulk_codec::__serde::de::Visitor<'de> for V {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }

                    #[allow(unused_mut)]
                    fn visit_map<A: $crate::bulk_codec::__serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> ::std::result::Result<$name, A::Error> {
                        const KEYS: &[&str] = &[$($key),*];
                        $( let mut $field: ::std::option::Option<$ty> = None; )*
                        while let Some(index) = map.next_key_seed($crate::bulk_codec::Key(KEYS))? {
                            match index {
                                $( $index => $field = Some(map.next_value::<$crate::bulk_codec::$via<$ty>>()?.0), )*
                                _ => {
                                    map.next_value::<$crate::bulk_codec::__serde::de::IgnoredAny>()?;
                                }
                            }
                        }
                        Ok($name {
                            $( $field: match $field {
                                Some(value) => value,
                                None => $crate::bulk_codec::$via::<$ty>::missing()
                                    .ok_or_else(|| <A::Error as $crate::bulk_codec::__serde::de::Error>::missing_field($key))?,
                            }, )*
                        })
                    }
                }
                deserializer.deserialize_map(V)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::__graphql_bulk_object! {
        Row {
            id: Gid = "id" @ 0 as Slot,
            count: u64 = "count" @ 1 as Slot,
            price: Decimal = "price" @ 2 as Slot,
            at: Option<DateTime> = "at" @ 3 as Slot,
            tags: Vec<String> = "tags" @ 4 as Slot,
        }
    }

    #[test]
    fn reads_scalars_in_their_wire_forms_and_skips_unknown_keys() {
        let row: Row = decode_line(
            br#"{"__typename":"X","id":"gid://shopify/X/1","count":"12","price":"9.90","extra":{"a":[1]},"tags":["a","b"]}"#,
        )
        .unwrap();
        assert_eq!(row.id.numeric_id(), Some(1));
        assert_eq!(row.count, 12);
        assert_eq!(row.price.to_string(), "9.90");
        assert!(row.at.is_none());
        assert_eq!(row.tags, ["a", "b"]);
    }

    #[test]
    fn wrong_types_missing_keys_and_trailing_bytes_are_errors() {
        for line in [
            &br#"{"id":"gid://shopify/X/1","count":"x","price":"1","tags":[]}"#[..],
            br#"{"id":"gid://shopify/X/1","price":"1","tags":[]}"#,
            br#"{"id":"gid://shopify/X/1","count":"1","price":"1","tags":[]} x"#,
            br#"{"id":"gid://shopify/X/1","count":"1","price":"1","tags":[],"at":"yesterday"}"#,
            br#"[1]"#,
            br#"{"id":"#,
        ] {
            assert!(
                matches!(decode_line::<Row>(line), Err(RowError::Json(_))),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
