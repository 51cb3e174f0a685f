//! What an answer means: success, retry (after how long, with a fresh token or not), or
//! fail. A pure function of what came back, so every case is pinned by one table.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::client::{EXCERPT_BYTES, Response};
use crate::error::{Error, GraphqlError, GraphqlErrors};
use crate::throttle::QueryCost;

/// One HTTP exchange as the decision sees it.
pub(crate) struct Exchange<'a> {
    pub(crate) operation: &'static str,
    pub(crate) status: u16,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
    /// Whether a 401 may be met with a fresh token: the call's refreshes are within
    /// their bound and the rejected token is not one already rejected.
    pub(crate) may_refresh_token: bool,
}

/// A decoded GraphQL answer without errors.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) operation: &'static str,
    pub(crate) data: Value,
    pub(crate) extensions: Option<Value>,
    /// `extensions.cost`, read once when the answer was classified.
    pub(crate) cost: Option<QueryCost>,
    pub(crate) request_id: Option<String>,
    pub(crate) api_version: Option<String>,
    pub(crate) attempts: u32,
}

impl Answer {
    pub(crate) fn into_response<T>(self, data: T) -> Response<T> {
        Response {
            data,
            raw_data: self.data,
            cost: self.cost,
            extensions: self.extensions,
            request_id: self.request_id,
            api_version: self.api_version,
            attempts: self.attempts,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryKind {
    /// `THROTTLED`: wait for the bucket.
    Throttled,
    /// HTTP 401 on a cached token.
    TokenRefresh,
    /// 429, 5xx, network, timeout, unreadable body.
    Transient,
}

impl RetryKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RetryKind::Throttled => "throttled",
            RetryKind::TokenRefresh => "token refresh",
            RetryKind::Transient => "transient",
        }
    }
}

#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) kind: RetryKind,
    /// Shopify certainly did not apply the request (throttled, 429, 401, no connection).
    pub(crate) before_processing: bool,
    /// How long Shopify asked us to wait, if it did.
    pub(crate) delay: Option<Duration>,
    pub(crate) error: Error,
    pub(crate) cost: Option<QueryCost>,
}

#[derive(Debug)]
pub(crate) enum Outcome {
    Done(Answer),
    Retry(Failure),
    Fail(Error),
}

impl Outcome {
    pub(crate) fn cost(&self) -> Option<QueryCost> {
        match self {
            Outcome::Done(answer) => answer.cost,
            Outcome::Retry(failure) => failure.cost,
            Outcome::Fail(_) => None,
        }
    }

    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            Outcome::Done(_) => Some(200),
            Outcome::Retry(failure) => failure.error.status(),
            Outcome::Fail(error) => error.status(),
        }
    }

    pub(crate) fn request_id(&self) -> Option<&str> {
        match self {
            Outcome::Done(answer) => answer.request_id.as_deref(),
            Outcome::Retry(failure) => failure.error.request_id(),
            Outcome::Fail(error) => error.request_id(),
        }
    }
}

pub(crate) fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name)?.to_str().ok().map(str::to_owned)
}

/// A bounded, char-boundary-safe excerpt of a body.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(EXCERPT_BYTES + 4)]);
    let mut cut = text.len().min(EXCERPT_BYTES);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut out = text[..cut].to_owned();
    if bytes.len() > cut {
        out.push('…');
    }
    out
}

fn http_error(status: u16, headers: &HeaderMap, bytes: &[u8]) -> Error {
    let errors = serde_json::from_slice::<Value>(bytes)
        .ok()
        .and_then(|v| v.get("errors").map(GraphqlError::parse_all))
        .unwrap_or_default();
    Error::Http {
        status,
        errors,
        excerpt: excerpt(bytes),
        request_id: header(headers, "x-request-id"),
    }
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    // Seconds, as HTTP says (Shopify's own JS client wrongly reads milliseconds).
    let seconds: f64 = header(headers, "retry-after")?.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(3600.0)))
}

/// What `exchange` means for the call.
pub(crate) fn classify(exchange: &Exchange<'_>) -> Outcome {
    let Exchange {
        operation,
        status,
        headers,
        body: bytes,
        may_refresh_token,
    } = *exchange;
    if status == 401 && may_refresh_token {
        // The token went stale (revoked, rotated): Shopify did not run the request.
        return Outcome::Retry(Failure {
            kind: RetryKind::TokenRefresh,
            before_processing: true,
            delay: None,
            error: http_error(status, headers, bytes),
            cost: None,
        });
    }
    if status == 429 {
        return Outcome::Retry(Failure {
            kind: RetryKind::Transient,
            before_processing: true,
            delay: Some(retry_after(headers).unwrap_or(Duration::from_secs(1))),
            error: http_error(status, headers, bytes),
            cost: None,
        });
    }
    if (500..600).contains(&status) {
        return Outcome::Retry(Failure {
            kind: RetryKind::Transient,
            before_processing: false,
            delay: retry_after(headers),
            error: http_error(status, headers, bytes),
            cost: None,
        });
    }
    if !(200..300).contains(&status) {
        return Outcome::Fail(http_error(status, headers, bytes));
    }
    let request_id = header(headers, "x-request-id");
    let api_version = header(headers, "x-shopify-api-version");
    let invalid = |reason: String| Error::InvalidResponse {
        status,
        reason,
        excerpt: excerpt(bytes),
        request_id: request_id.clone(),
    };
    // Truncated or garbled: the request may well have run.
    let unreadable = |reason: String| {
        Outcome::Retry(Failure {
            kind: RetryKind::Transient,
            before_processing: false,
            delay: None,
            error: invalid(reason),
            cost: None,
        })
    };
    let mut body = match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(body)) => body,
        Ok(_) => return unreadable("not a JSON object".into()),
        Err(e) => return unreadable(format!("invalid JSON: {e}")),
    };
    let errors = body
        .get("errors")
        .map(GraphqlError::parse_all)
        .unwrap_or_default();
    // GraphQL errors are a list; a bare string on a 200 is Shopify's "Internal error.
    // Looks like something went wrong on our end" page, not an answer to the query.
    let bare_string = body.get("errors").is_some_and(Value::is_string);
    let data = body.remove("data").filter(|d| !d.is_null());
    let extensions = body.remove("extensions");
    let cost = QueryCost::from_extensions(extensions.as_ref());
    if !errors.is_empty() {
        let throttled = errors.iter().any(|e| e.code() == Some("THROTTLED"));
        let internal = bare_string
            || errors
                .iter()
                .any(|e| e.code() == Some("INTERNAL_SERVER_ERROR"));
        let error = Error::Graphql(GraphqlErrors {
            operation: operation.to_owned(),
            errors,
            data,
            request_id,
        });
        if throttled {
            let delay = cost.map(|c| {
                let missing = (c.requested - c.throttle.currently_available).max(0.0);
                // A huge requested cost must not panic (found by fuzzing): an hour at most.
                let secs = (missing / c.throttle.restore_rate.max(0.001)).min(3600.0);
                Duration::try_from_secs_f64(secs).unwrap_or(Duration::from_secs(3600))
            });
            return Outcome::Retry(Failure {
                kind: RetryKind::Throttled,
                before_processing: true,
                delay,
                error,
                cost,
            });
        }
        if internal {
            return Outcome::Retry(Failure {
                kind: RetryKind::Transient,
                before_processing: false,
                delay: None,
                error,
                cost,
            });
        }
        return Outcome::Fail(error);
    }
    let Some(data) = data else {
        return Outcome::Fail(invalid("neither `data` nor `errors`".into()));
    };
    Outcome::Done(Answer {
        operation,
        data,
        extensions,
        cost,
        request_id,
        api_version,
        attempts: 1,
    })
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderName, HeaderValue};

    use super::*;

    /// What a row expects, in words that read like the decision.
    fn verdict(outcome: &Outcome) -> String {
        match outcome {
            Outcome::Done(answer) => match answer.cost {
                Some(cost) => format!("done, cost {}", cost.requested),
                None => "done".into(),
            },
            Outcome::Retry(failure) => {
                let mut out = format!("retry {}", failure.kind.as_str());
                if let Some(delay) = failure.delay {
                    out += &format!(" after {delay:?}");
                }
                if !failure.before_processing {
                    out += ", may have run";
                }
                if let Some(cost) = failure.cost {
                    out += &format!(", cost {}", cost.requested);
                }
                out + &format!(": {}", kind_of(&failure.error))
            }
            Outcome::Fail(error) => format!("fail: {}", kind_of(error)),
        }
    }

    fn kind_of(error: &Error) -> String {
        match error {
            Error::Http { status, errors, .. } => match errors.first() {
                Some(first) => format!("http {status} {:?}", first.message),
                None => format!("http {status}"),
            },
            Error::Graphql(errors) => format!(
                "graphql {}",
                errors.errors[0]
                    .code()
                    .unwrap_or(errors.errors[0].message.as_str())
            ),
            Error::InvalidResponse { reason, .. } => {
                format!("invalid ({})", reason.split(':').next().unwrap_or(reason))
            }
            other => format!("{other:?}"),
        }
    }

    /// (status, headers, body, may a 401 refresh the token, expected decision)
    type Row<'a> = (
        u16,
        &'a [(&'static str, &'static str)],
        &'a str,
        bool,
        &'a str,
    );

    const COST: &str = r#""extensions":{"cost":{"requestedQueryCost":100,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":1000,"currentlyAvailable":20,"restoreRate":50}}}"#;

    #[test]
    fn every_kind_of_answer_gets_its_decision() {
        let throttled = format!(
            r#"{{"errors":[{{"message":"Throttled","extensions":{{"code":"THROTTLED"}}}}],{COST}}}"#
        );
        let ok_with_cost = format!(r#"{{"data":{{"shop":{{"name":"x"}}}},{COST}}}"#);
        let internal =
            r#"{"errors":[{"message":"boom","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}"#;
        let denied = r#"{"data":{"shop":null},"errors":[{"message":"Access denied","extensions":{"code":"ACCESS_DENIED"}}]}"#;
        let rows: Vec<Row<'_>> = vec![
            (200, &[], r#"{"data":{"shop":{"name":"x"}}}"#, true, "done"),
            (200, &[], &ok_with_cost, true, "done, cost 100"),
            (
                200,
                &[],
                &throttled,
                true,
                // (100 requested - 20 available) / 50 per second
                "retry throttled after 1.6s, cost 100: graphql THROTTLED",
            ),
            (
                200,
                &[],
                r#"{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}]}"#,
                true,
                "retry throttled: graphql THROTTLED",
            ),
            (
                401,
                &[],
                r#"{"errors":"[API] Invalid API key or access token"}"#,
                true,
                r#"retry token refresh: http 401 "[API] Invalid API key or access token""#,
            ),
            (
                401,
                &[],
                r#"{"errors":"[API] Invalid API key or access token"}"#,
                false,
                r#"fail: http 401 "[API] Invalid API key or access token""#,
            ),
            (
                403,
                &[],
                r#"{"errors":"Unavailable Shop"}"#,
                true,
                r#"fail: http 403 "Unavailable Shop""#,
            ),
            (
                404,
                &[],
                r#"{"errors":"Not Found"}"#,
                true,
                r#"fail: http 404 "Not Found""#,
            ),
            (
                429,
                &[("retry-after", "2")],
                "",
                true,
                "retry transient after 2s: http 429",
            ),
            (429, &[], "", true, "retry transient after 1s: http 429"),
            (
                429,
                &[("retry-after", "soon")],
                "",
                true,
                "retry transient after 1s: http 429",
            ),
            (
                500,
                &[],
                "oops",
                true,
                "retry transient, may have run: http 500",
            ),
            (
                503,
                &[("retry-after", "0.5")],
                "",
                true,
                "retry transient after 500ms, may have run: http 503",
            ),
            (
                200,
                &[],
                r#"{"data":{"sh"#,
                true,
                "retry transient, may have run: invalid (invalid JSON)",
            ),
            (
                200,
                &[],
                "[1,2]",
                true,
                "retry transient, may have run: invalid (not a JSON object)",
            ),
            (
                200,
                &[],
                r#"{"errors":"Internal error. Looks like something went wrong on our end."}"#,
                true,
                "retry transient, may have run: graphql Internal error. Looks like something went wrong on our end.",
            ),
            (
                200,
                &[],
                internal,
                true,
                "retry transient, may have run: graphql INTERNAL_SERVER_ERROR",
            ),
            (200, &[], denied, true, "fail: graphql ACCESS_DENIED"),
            (
                200,
                &[],
                r#"{"data":null}"#,
                true,
                "fail: invalid (neither `data` nor `errors`)",
            ),
        ];
        for (status, headers, body, may_refresh_token, expected) in &rows {
            let mut map = HeaderMap::new();
            for (name, value) in *headers {
                map.insert(
                    HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                );
            }
            let outcome = classify(&Exchange {
                operation: "ShopInfo",
                status: *status,
                headers: &map,
                body: body.as_bytes(),
                may_refresh_token: *may_refresh_token,
            });
            assert_eq!(
                verdict(&outcome),
                *expected,
                "status {status}, headers {headers:?}, body {body}"
            );
        }
    }

    #[test]
    fn an_answer_keeps_its_request_id_version_and_cost() {
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", HeaderValue::from_static("req-1"));
        headers.insert("x-shopify-api-version", HeaderValue::from_static("2026-07"));
        let body = format!(r#"{{"data":{{"shop":{{"name":"x"}}}},{COST}}}"#);
        let Outcome::Done(answer) = classify(&Exchange {
            operation: "ShopInfo",
            status: 200,
            headers: &headers,
            body: body.as_bytes(),
            may_refresh_token: true,
        }) else {
            panic!("a plain answer is a success");
        };
        assert_eq!(answer.operation, "ShopInfo");
        assert_eq!(answer.request_id.as_deref(), Some("req-1"));
        assert_eq!(answer.api_version.as_deref(), Some("2026-07"));
        let response = answer.into_response(());
        let cost = response.cost.expect("cost read from extensions");
        assert_eq!(cost.throttle.currently_available, 20.0);
        assert!(response.extensions.is_some());
    }

    #[test]
    fn an_excerpt_is_bounded_and_cut_on_a_char_boundary() {
        let long = "é".repeat(EXCERPT_BYTES);
        let cut = excerpt(long.as_bytes());
        assert!(cut.ends_with('…'));
        assert!(cut.len() <= EXCERPT_BYTES + '…'.len_utf8());
        assert_eq!(excerpt(b"short"), "short");
    }
}
