//! Deterministic fault injection: which GraphQL requests fail, and how.
//!
//! Rules count the GraphQL requests (`POST /admin/api/{version}/graphql.json`) that arrive
//! after they were installed; a rule's [`Schedule`] picks request numbers from that count,
//! so a run with the same requests sees the same faults. The first rule that fires wins.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::http::request_id;
use crate::server::ConnectionReset;

/// Shopify's 429 body (the REST-style per-second limit).
const TOO_MANY_REQUESTS: &str = "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.";

/// A failure the emulator can inject into a GraphQL request, as Shopify or the network
/// produce them. Each says whether the request runs (a mutation is applied) first.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// HTTP 429 with `Retry-After: <seconds>` and Shopify's rate-limit body
    /// (`{"errors":"Exceeded 2 calls per second for api client. ..."}`). Nothing runs.
    TooManyRequests {
        /// The `Retry-After` header, in seconds.
        retry_after_secs: u64,
    },
    /// An HTTP 5xx from in front of the API: 500 `{"errors":"Internal Server Error"}`,
    /// 502 and 503 as the edge's HTML pages, others `{"errors":"<reason>"}`. Nothing runs.
    ServerError {
        /// The status, e.g. 500, 502 or 503.
        status: u16,
    },
    /// The connection is reset before the request runs: nothing is applied and no answer
    /// is sent.
    ResetBeforeProcessing,
    /// The request runs (a mutation is applied), then the connection is reset before the
    /// answer is complete.
    ResetAfterProcessing,
    /// The request runs, then its answer is held back this long (set it beyond the
    /// client's timeout).
    Delay(Duration),
    /// The request runs; the answer is HTTP 200 with a body that is not valid JSON.
    MalformedJson,
    /// The request runs; the answer is HTTP 200 with its JSON cut off halfway (the
    /// HTTP framing is complete, the document is not).
    TruncatedJson,
    /// The requesting access token is revoked and the answer is 401, as when a merchant
    /// uninstalls the app mid-run. Nothing runs; a new token works.
    RevokeToken,
    /// The request runs, then the answer is `{"errors": "<message>"}` (a string where a
    /// list belongs) with this status: 500 says `Internal Server Error`, any other status
    /// Shopify's internal-error text with a request id.
    ErrorsString {
        /// The status, e.g. 500 or 200.
        status: u16,
    },
}

impl Fault {
    /// Whether the request runs before the fault shows.
    pub fn processes_request(&self) -> bool {
        matches!(
            self,
            Fault::ResetAfterProcessing
                | Fault::Delay(_)
                | Fault::MalformedJson
                | Fault::TruncatedJson
                | Fault::ErrorsString { .. }
        )
    }
}

/// Which of the GraphQL requests after a rule was installed it hits (numbered from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Schedule {
    /// Requests 1..=n, then the rule expires.
    Next(u64),
    /// Every k-th request: k, 2k, 3k, ...
    Every(u64),
    /// The last `length` requests of every window of `every`: with `every: 10, length: 3`,
    /// requests 8, 9, 10, 18, 19, 20, ...
    Bursts {
        /// The window.
        every: u64,
        /// Consecutive faulted requests at the end of each window.
        length: u64,
    },
}

impl Schedule {
    /// Whether request number `n` (1-based) is hit.
    fn hits(self, n: u64) -> bool {
        match self {
            Schedule::Next(count) => n <= count,
            Schedule::Every(k) => k > 0 && n % k == 0,
            Schedule::Bursts { every, length } => {
                every > 0 && (n - 1) % every >= every.saturating_sub(length)
            }
        }
    }

    fn expired(self, seen: u64) -> bool {
        matches!(self, Schedule::Next(count) if seen >= count)
    }
}

#[derive(Debug)]
struct Rule {
    fault: Fault,
    schedule: Schedule,
    seen: u64,
}

/// The installed rules.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    rules: Mutex<Vec<Rule>>,
}

impl Faults {
    pub(crate) fn new(rules: &[(Fault, Schedule)]) -> Self {
        let faults = Self::default();
        for (fault, schedule) in rules {
            faults.inject(fault.clone(), *schedule);
        }
        faults
    }

    pub(crate) fn inject(&self, fault: Fault, schedule: Schedule) {
        self.lock().push(Rule {
            fault,
            schedule,
            seen: 0,
        });
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    /// Counts one GraphQL request against every rule; the fault to inject, if any.
    pub(crate) fn next(&self) -> Option<Fault> {
        let mut rules = self.lock();
        let mut chosen = None;
        for rule in rules.iter_mut() {
            rule.seen += 1;
            if chosen.is_none() && rule.schedule.hits(rule.seen) {
                chosen = Some(rule.fault.clone());
            }
        }
        rules.retain(|r| !r.schedule.expired(r.seen));
        chosen
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Rule>> {
        self.rules.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Drops the connection without an answer. Served through [`crate::EmulatorBuilder::start`]
/// the socket is reset and this never returns (the handler is dropped with the
/// connection); elsewhere the answer's body fails mid-stream, which aborts the connection.
pub(crate) async fn reset(connection: Option<&ConnectionReset>) -> Response {
    if let Some(connection) = connection {
        connection.reset();
        std::future::pending::<()>().await;
    }
    let failing = futures::stream::once(async {
        Err::<axum::body::Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "emulator: injected connection reset",
        ))
    });
    Response::new(Body::from_stream(failing))
}

/// The answer of a fault that shows before the request runs.
pub(crate) fn answer_unprocessed(fault: &Fault) -> Response {
    match fault {
        Fault::TooManyRequests { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, retry_after_secs.to_string())],
            axum::Json(json!({"errors": TOO_MANY_REQUESTS})),
        )
            .into_response(),
        Fault::ServerError { status } => server_error(*status),
        other => {
            tracing::error!(?other, "emulator: not a fault answered before processing");
            server_error(500)
        }
    }
}

fn server_error(status: u16) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let reason = code.canonical_reason().unwrap_or("Server Error");
    match code.as_u16() {
        // In front of the API, gateways answer with HTML pages.
        502..=504 => (
            code,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            format!(
                "<html><head><title>{status} {reason}</title></head><body><h1>{status} {reason}</h1></body></html>\n"
            ),
        )
            .into_response(),
        _ => (code, axum::Json(json!({"errors": reason}))).into_response(),
    }
}

/// The answer of a fault that shows after the request ran and produced `body`.
pub(crate) fn answer_processed(fault: &Fault, body: &Value) -> Response {
    let json = body.to_string();
    let bad_body = |text: String| {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            text,
        )
            .into_response()
    };
    match fault {
        // `{"data":...}` becomes `{data":...}`: one missing quote.
        Fault::MalformedJson => bad_body(format!("{{{}", json.get(2..).unwrap_or_default())),
        Fault::TruncatedJson => {
            let mut cut = json.len() / 2;
            while !json.is_char_boundary(cut) {
                cut -= 1;
            }
            bad_body(json[..cut].to_owned())
        }
        Fault::ErrorsString { status } => {
            let code = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let id = request_id();
            let message = if code == StatusCode::INTERNAL_SERVER_ERROR {
                "Internal Server Error".to_owned()
            } else {
                format!(
                    "Internal error. Looks like something went wrong on our end.\nRequest ID: {id} (include this in support requests)."
                )
            };
            // The message quotes the same id the header carries.
            (
                code,
                [("x-request-id", id)],
                axum::Json(json!({"errors": message})),
            )
                .into_response()
        }
        other => {
            tracing::error!(?other, "emulator: not a fault answered after processing");
            server_error(500)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(schedule: Schedule, upto: u64) -> Vec<u64> {
        (1..=upto).filter(|n| schedule.hits(*n)).collect()
    }

    #[test]
    fn schedules_pick_request_numbers() {
        assert_eq!(hits(Schedule::Next(2), 6), [1, 2]);
        assert_eq!(hits(Schedule::Every(3), 10), [3, 6, 9]);
        assert_eq!(
            hits(
                Schedule::Bursts {
                    every: 5,
                    length: 2
                },
                12
            ),
            [4, 5, 9, 10]
        );
        assert!(hits(Schedule::Every(0), 5).is_empty());
    }

    #[test]
    fn the_first_rule_that_fires_wins_and_next_rules_expire() {
        let faults = Faults::new(&[
            (Fault::RevokeToken, Schedule::Next(1)),
            (Fault::MalformedJson, Schedule::Every(2)),
        ]);
        let seen: Vec<Option<Fault>> = (0..4).map(|_| faults.next()).collect();
        assert_eq!(
            seen,
            [
                Some(Fault::RevokeToken),
                Some(Fault::MalformedJson),
                None,
                Some(Fault::MalformedJson)
            ]
        );
        faults.clear();
        assert_eq!(faults.next(), None);
    }
}
