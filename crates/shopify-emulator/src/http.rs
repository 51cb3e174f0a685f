//! Small HTTP helpers shared by the routes: Shopify's plain error answers, the shop
//! header, recorded bodies, random bytes and request ids.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Names the shop on requests sent to the emulator's own address (see `Shared::shop_for`).
pub(crate) const SHOP_DOMAIN_HEADER: &str = "x-shopify-shop-domain";

/// `{"errors": "Not Found"}`: how Shopify answers unknown shops and paths (with 404).
pub(crate) fn not_found_body() -> Value {
    json!({"errors": "Not Found"})
}

/// [`not_found_body`] with status 404.
pub(crate) fn not_found() -> Response {
    (StatusCode::NOT_FOUND, axum::Json(not_found_body())).into_response()
}

/// A non-GraphQL failure the way Shopify words them: `{"errors": message}`.
pub(crate) fn plain_error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({"errors": message}))).into_response()
}

/// Whether a request's body is a form (`application/x-www-form-urlencoded`).
pub(crate) fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// A request body for the log: JSON as sent, a form (see [`is_form`]) as an object of
/// strings, anything else as a string, `null` when empty.
pub(crate) fn body_json(bytes: &[u8], form: bool) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    if let Ok(json) = serde_json::from_slice(bytes) {
        return json;
    }
    if form {
        let map = form_urlencoded::parse(bytes)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
        return Value::Object(map);
    }
    Value::String(String::from_utf8_lossy(bytes).into_owned())
}

/// Random bytes for ids and tokens; falls back to a counter mixed with the clock, which is
/// good enough for an emulator if the OS source ever fails.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    if getrandom::fill(&mut out).is_err() {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(1);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let mut x = nanos ^ COUNTER.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        for b in &mut out {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
    }
    out
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh uuid-v4-shaped request id.
pub(crate) fn request_id() -> String {
    let mut b = random_bytes::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_uuid_v4_shaped_and_fresh() {
        let id = request_id();
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
        assert_eq!(&id[14..15], "4", "version nibble: {id}");
        assert!(
            matches!(&id[19..20], "8" | "9" | "a" | "b"),
            "variant: {id}"
        );
        assert_ne!(id, request_id());
    }

    #[test]
    fn recorded_bodies_keep_json_forms_and_text() {
        let form = HeaderMap::from_iter([(
            axum::http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded".parse().unwrap(),
        )]);
        let none = HeaderMap::new();
        let (form, none) = (is_form(&form), is_form(&none));
        assert!(form && !none);
        assert_eq!(body_json(b"", none), Value::Null);
        assert_eq!(body_json(br#"{"a":1}"#, none), json!({"a": 1}));
        assert_eq!(
            body_json(b"client_id=x&grant_type=y", form),
            json!({"client_id": "x", "grant_type": "y"})
        );
        assert_eq!(body_json(b"a=b", none), json!("a=b"));
    }
}
