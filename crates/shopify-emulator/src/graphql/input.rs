//! Reading mutation inputs and answering user errors, shared by the product mutations
//! (`mutations.rs`) and the others (`writes.rs`).

use serde_json_bytes::{Value as Json, json};

use crate::store::{JsonMap, Store, handleize};

/// A string field of an input object.
pub(super) fn str_arg<'a>(input: &'a Json, key: &str) -> Option<&'a str> {
    input.get(key).and_then(Json::as_str)
}

/// A generic `UserError`: `{field, message}`.
pub(super) fn user_error(field: &[&str], message: &str) -> Json {
    json!({"field": field, "message": message})
}

/// The payload of a mutation that wrote nothing: `{payload_field: null, userErrors}`.
pub(super) fn failed(payload_field: &str, errors: Vec<Json>) -> Json {
    json!({payload_field: null, "userErrors": errors})
}

/// The input object under `name` (e.g. `product:`), or the older `input:` argument;
/// empty when neither is given.
pub(super) fn input_arg(args: &JsonMap, name: &str) -> Json {
    args.get(name)
        .or_else(|| args.get("input"))
        .cloned()
        .unwrap_or(json!({}))
}

/// The input's title, trimmed; the "Title can't be blank" payload when it is empty.
pub(super) fn required_title(input: &Json, payload_field: &str) -> Result<String, Json> {
    let title = str_arg(input, "title")
        .unwrap_or_default()
        .trim()
        .to_owned();
    if title.is_empty() {
        return Err(failed(
            payload_field,
            vec![user_error(&["title"], "Title can't be blank")],
        ));
    }
    Ok(title)
}

/// The handle for a new object: the input's `handle` (handleized), else the title's.
pub(super) fn handle_base(input: &Json, title: &str) -> String {
    str_arg(input, "handle")
        .map(handleize)
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| handleize(title))
}

/// `base`, or `base-1`, `base-2`, … : the first handle no other `ty` (but `except`) has.
pub(super) fn unique_handle(store: &Store, ty: &str, base: String, except: Option<&str>) -> String {
    let taken = |h: &str| {
        store
            .all(ty)
            .any(|(id, d)| Some(id) != except && d.get("handle").and_then(Json::as_str) == Some(h))
    };
    if !taken(&base) {
        return base;
    }
    (1..)
        .map(|n| format!("{base}-{n}"))
        .find(|h| !taken(h))
        .unwrap_or(base)
}
