//! Conversions between `serde_json` (HTTP side) and `serde_json_bytes` (apollo's values).

use serde_json_bytes::Value as Json;

pub(crate) fn to_bytes(value: &serde_json::Value) -> Json {
    match value {
        serde_json::Value::Null => Json::Null,
        serde_json::Value::Bool(b) => Json::Bool(*b),
        serde_json::Value::Number(n) => Json::Number(n.clone()),
        serde_json::Value::String(s) => Json::from(s.as_str()),
        serde_json::Value::Array(items) => Json::Array(items.iter().map(to_bytes).collect()),
        serde_json::Value::Object(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.as_str().into(), to_bytes(v)))
                .collect(),
        ),
    }
}

pub(crate) fn from_bytes(value: &Json) -> serde_json::Value {
    match value {
        Json::Null => serde_json::Value::Null,
        Json::Bool(b) => serde_json::Value::Bool(*b),
        Json::Number(n) => serde_json::Value::Number(n.clone()),
        Json::String(s) => serde_json::Value::String(s.as_str().to_owned()),
        Json::Array(items) => serde_json::Value::Array(items.iter().map(from_bytes).collect()),
        Json::Object(map) => serde_json::Value::Object(
            map.iter()
                .map(|(k, v)| (k.as_str().to_owned(), from_bytes(v)))
                .collect(),
        ),
    }
}

/// A constant GraphQL literal (a default value) as JSON.
pub(crate) fn from_ast(value: &apollo_compiler::ast::Value) -> serde_json::Value {
    use apollo_compiler::ast::Value as V;
    match value {
        V::Null | V::Variable(_) => serde_json::Value::Null,
        V::Enum(name) => serde_json::Value::from(name.as_str()),
        V::String(s) => serde_json::Value::from(s.as_str()),
        V::Boolean(b) => serde_json::Value::Bool(*b),
        V::Int(i) => i.try_to_i32().map_or_else(
            |_| serde_json::Value::from(i.as_str()),
            serde_json::Value::from,
        ),
        V::Float(f) => f
            .try_to_f64()
            .map_or(serde_json::Value::Null, serde_json::Value::from),
        V::List(items) => serde_json::Value::Array(items.iter().map(|i| from_ast(i)).collect()),
        V::Object(fields) => serde_json::Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.to_string(), from_ast(v)))
                .collect(),
        ),
    }
}
