//! Conversions between JSON and the generated types.
//!
//! Generated response types decode from a parsed [`serde_json::Value`] through
//! [`FromJson`] instead of `#[derive(Deserialize)]`: the derive's expansion dominated the
//! build time of the generated code, while these non-generic conversions compile fast and
//! report the exact JSON path of a mismatch. Variables and input objects encode through
//! [`ToJson`], which leaves unset optional fields out of the request.

use std::fmt;

pub use serde_json::Value;

/// A JSON object.
pub type JsonMap = serde_json::Map<String, Value>;

/// Where in the response a value sits, built on the stack while decoding and rendered
/// only when decoding fails.
#[derive(Debug, Clone, Copy)]
pub enum Path<'a> {
    /// The `data` object.
    Root,
    /// A key of an object.
    Key(&'a Path<'a>, &'a str),
    /// An element of a list.
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    /// The path of `key` inside this one.
    pub fn key<'b>(&'b self, key: &'b str) -> Path<'b> {
        Path::Key(self, key)
    }

    /// The path of element `index` inside this one.
    pub fn index(&self, index: usize) -> Path<'_> {
        Path::Index(self, index)
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => f.write_str("data"),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
            Path::Index(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

/// A response value that does not match the type generated for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unexpected value at `{path}`: expected {expected}, found {found}")]
pub struct DecodeError {
    /// JSON path from `data`, e.g. `data.products.edges[3].node.title`.
    pub path: String,
    /// What the operation's type says should be there.
    pub expected: String,
    /// What was there (a bounded excerpt).
    pub found: String,
}

impl DecodeError {
    /// A mismatch at `path`.
    pub fn new(path: Path<'_>, expected: impl Into<String>, found: Option<&Value>) -> Self {
        Self {
            path: path.to_string(),
            expected: expected.into(),
            found: describe(found),
        }
    }
}

const EXCERPT: usize = 80;

fn describe(value: Option<&Value>) -> String {
    let Some(value) = value else {
        return "nothing (the key is missing)".to_owned();
    };
    let text = value.to_string();
    if text.len() <= EXCERPT {
        return text;
    }
    let mut end = EXCERPT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// A type that can be read from a GraphQL response value.
pub trait FromJson: Sized {
    /// Reads `value`, found at `path`.
    fn from_json(value: &Value, path: Path<'_>) -> Result<Self, DecodeError>;

    /// Reads a key that is absent from its object. Only nullable types accept that.
    fn from_missing(path: Path<'_>) -> Result<Self, DecodeError> {
        Err(DecodeError::new(path, "a value", None))
    }
}

/// A type that can be written as a GraphQL variable value.
pub trait ToJson {
    /// The JSON value.
    fn to_json(&self) -> Value;

    /// The value to put under an object key, or `None` to leave the key out.
    fn to_json_field(&self) -> Option<Value> {
        Some(self.to_json())
    }
}

/// Reads `value` as an object; `what` names the expected GraphQL type.
pub fn object<'v>(
    value: &'v Value,
    path: Path<'_>,
    what: &'static str,
) -> Result<&'v JsonMap, DecodeError> {
    value
        .as_object()
        .ok_or_else(|| DecodeError::new(path, what, Some(value)))
}

/// Reads `key` of `object` as `T`.
pub fn field<T: FromJson>(object: &JsonMap, key: &str, path: Path<'_>) -> Result<T, DecodeError> {
    let path = path.key(key);
    match object.get(key) {
        Some(value) => T::from_json(value, path),
        None => T::from_missing(path),
    }
}

/// Several keys of one object at once, as a tuple. Generated decoders read their plain
/// fields through this: its body is type- and borrow-checked once, here, instead of once
/// per generated struct.
pub fn fields<T: FromFields<N>, const N: usize>(
    object: &JsonMap,
    path: Path<'_>,
    keys: [&str; N],
) -> Result<T, DecodeError> {
    T::from_fields(object, path, keys)
}

/// A tuple of `N` values read from the keys of one object.
pub trait FromFields<const N: usize>: Sized {
    /// Reads each key as its element of the tuple.
    fn from_fields(object: &JsonMap, path: Path<'_>, keys: [&str; N]) -> Result<Self, DecodeError>;
}

macro_rules! from_fields {
    ($n:literal: $($t:ident $i:tt),+) => {
        impl<$($t: FromJson),+> FromFields<$n> for ($($t,)+) {
            fn from_fields(object: &JsonMap, path: Path<'_>, keys: [&str; $n]) -> Result<Self, DecodeError> {
                Ok(($(field::<$t>(object, keys[$i], path)?,)+))
            }
        }
    };
}

from_fields!(1: A 0);
from_fields!(2: A 0, B 1);
from_fields!(3: A 0, B 1, C 2);
from_fields!(4: A 0, B 1, C 2, D 3);
from_fields!(5: A 0, B 1, C 2, D 3, E 4);
from_fields!(6: A 0, B 1, C 2, D 3, E 4, F 5);
from_fields!(7: A 0, B 1, C 2, D 3, E 4, F 5, G 6);
from_fields!(8: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
from_fields!(9: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
from_fields!(10: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
from_fields!(11: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
from_fields!(12: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);

/// The most keys [`fields`] reads at once; the generated code reads more in several calls.
pub const FIELDS_AT_ONCE: usize = 12;

/// The enum value named `name`, or `unknown(name)` for a value this code does not know.
pub fn enum_value<T: Clone>(values: &[(&str, T)], name: String, unknown: fn(String) -> T) -> T {
    match values.iter().find(|(known, _)| *known == name) {
        Some((_, value)) => value.clone(),
        None => unknown(name),
    }
}

/// Writes `value` under `key` unless it is an unset optional.
pub fn put<T: ToJson + ?Sized>(object: &mut JsonMap, key: &str, value: &T) {
    if let Some(json) = value.to_json_field() {
        object.insert(key.to_owned(), json);
    }
}

/// Writes `value` under `key` even when it is an unset optional (as `null`), for the
/// few input fields Shopify requires to be present even when null.
pub fn put_always<T: ToJson + ?Sized>(object: &mut JsonMap, key: &str, value: &T) {
    object.insert(key.to_owned(), value.to_json());
}

/// Reads the `__typename` the generated query asks for on abstract types.
pub fn typename<'v>(object: &'v JsonMap, path: Path<'_>) -> Result<&'v str, DecodeError> {
    let path = path.key("__typename");
    match object.get("__typename") {
        Some(Value::String(name)) => Ok(name),
        other => Err(DecodeError::new(path, "a type name", other)),
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: &Value, path: Path<'_>) -> Result<Self, DecodeError> {
        match value {
            Value::Null => Ok(None),
            value => T::from_json(value, path).map(Some),
        }
    }

    fn from_missing(_: Path<'_>) -> Result<Self, DecodeError> {
        Ok(None)
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Value {
        self.as_ref().map_or(Value::Null, T::to_json)
    }

    fn to_json_field(&self) -> Option<Value> {
        self.as_ref().map(T::to_json)
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Value, path: Path<'_>) -> Result<Self, DecodeError> {
        let Value::Array(items) = value else {
            return Err(DecodeError::new(path, "a list", Some(value)));
        };
        // A plain loop: `collect` into a `Result` instantiates far more code per element
        // type, and there is one element type per generated struct.
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            out.push(T::from_json(item, path.index(i))?);
        }
        Ok(out)
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Value {
        self.as_slice().to_json()
    }
}

impl<T: ToJson> ToJson for [T] {
    fn to_json(&self) -> Value {
        let mut out = Vec::with_capacity(self.len());
        for item in self {
            out.push(item.to_json());
        }
        Value::Array(out)
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn from_json(value: &Value, path: Path<'_>) -> Result<Self, DecodeError> {
        T::from_json(value, path).map(Box::new)
    }
}

impl<T: ToJson> ToJson for Box<T> {
    fn to_json(&self) -> Value {
        T::to_json(self)
    }
}

impl FromJson for String {
    fn from_json(value: &Value, path: Path<'_>) -> Result<Self, DecodeError> {
        match value {
            Value::String(s) => Ok(s.clone()),
            other => Err(DecodeError::new(path, "a string", Some(other))),
        }
    }
}

impl ToJson for String {
    fn to_json(&self) -> Value {
        Value::String(self.clone())
    }
}

impl ToJson for str {
    fn to_json(&self) -> Value {
        Value::String(self.to_owned())
    }
}

impl FromJson for bool {
    fn from_json(value: &Value, path: Path<'_>) -> Result<Self, DecodeError> {
        value
            .as_bool()
            .ok_or_else(|| DecodeError::new(path, "a boolean", Some(value)))
    }
}

impl ToJson for bool {
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
}

impl FromJson for i32 {
    fn from_json(value: &Value, path: Path<'_>) -> Result<Self, DecodeError> {
        value
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| DecodeError::new(path, "a 32-bit integer (Int)", Some(value)))
    }
}

impl ToJson for i32 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl FromJson for f64 {
    fn from_json(value: &Value, path: Path<'_>) -> Result<Self, DecodeError> {
        value
            .as_f64()
            .ok_or_else(|| DecodeError::new(path, "a number (Float)", Some(value)))
    }
}

impl ToJson for f64 {
    fn to_json(&self) -> Value {
        serde_json::Number::from_f64(*self).map_or(Value::Null, Value::Number)
    }
}

/// The `JSON` scalar: any JSON value, kept as is.
impl FromJson for Value {
    fn from_json(value: &Value, _: Path<'_>) -> Result<Self, DecodeError> {
        Ok(value.clone())
    }

    fn from_missing(_: Path<'_>) -> Result<Self, DecodeError> {
        Ok(Value::Null)
    }
}

impl ToJson for Value {
    fn to_json(&self) -> Value {
        self.clone()
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn to_json(&self) -> Value {
        T::to_json(self)
    }

    fn to_json_field(&self) -> Option<Value> {
        T::to_json_field(self)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn decode_errors_name_the_json_path_and_what_was_found() {
        let data = json!({"products": {"edges": [{"node": {"title": 5}}]}});
        let root = Path::Root;
        let products = root.key("products");
        let edges = products.key("edges");
        let first = edges.index(0);
        let node = first.key("node");
        let object = object(&data["products"]["edges"][0]["node"], node, "Product").unwrap();
        let err = field::<String>(object, "title", node).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unexpected value at `data.products.edges[0].node.title`: expected a string, found 5"
        );
    }

    #[test]
    fn a_missing_key_is_none_for_optionals_and_an_error_otherwise() {
        let object = JsonMap::new();
        assert_eq!(field::<Option<String>>(&object, "a", Path::Root), Ok(None));
        let err = field::<String>(&object, "a", Path::Root).unwrap_err();
        assert_eq!(err.path, "data.a");
        assert_eq!(err.found, "nothing (the key is missing)");
    }

    #[test]
    fn unset_optionals_are_left_out_and_set_ones_written() {
        let mut object = JsonMap::new();
        put(&mut object, "after", &None::<String>);
        put(&mut object, "first", &Some(3));
        put(&mut object, "query", "title:foo");
        assert_eq!(
            Value::Object(object),
            json!({"first": 3, "query": "title:foo"})
        );
    }

    #[test]
    fn int_rejects_values_beyond_32_bits() {
        let err = i32::from_json(&json!(4_294_967_296_i64), Path::Root).unwrap_err();
        assert_eq!(err.expected, "a 32-bit integer (Int)");
    }

    #[test]
    fn long_values_are_cut_in_errors() {
        let long = Value::String("é".repeat(200));
        let err = bool::from_json(&long, Path::Root).unwrap_err();
        assert!(err.found.chars().count() < 100, "{}", err.found);
        assert!(err.found.ends_with('…'));
    }
}
