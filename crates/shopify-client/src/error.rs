//! What can go wrong when calling the Admin API, with the evidence to debug it.

use std::fmt;

use serde_json::Value;

use crate::codec::DecodeError;

/// A failed call. Every variant that got as far as Shopify keeps the `x-request-id`,
/// which Shopify support asks for.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Getting an access token failed.
    #[error("could not get an access token")]
    Auth(#[from] shopify_auth::AuthError),

    /// Shopify answered with a non-success HTTP status.
    #[error("{}", http_message(*.status, .errors, .request_id.as_deref()))]
    Http {
        /// The status.
        status: u16,
        /// Shopify's `errors`, whatever shape it had (a string, an object, a list).
        errors: Vec<GraphqlError>,
        /// A bounded excerpt of the body.
        excerpt: String,
        /// `x-request-id`.
        request_id: Option<String>,
    },

    /// The response carried GraphQL errors.
    #[error(transparent)]
    Graphql(#[from] GraphqlErrors),

    /// The response's `data` does not match the operation's generated types.
    #[error("the response to {operation} does not match its generated types (request id {}); is the schema in schema/ older than the API version Shopify served?", .request_id.as_deref().unwrap_or("unknown"))]
    Decode {
        /// The operation.
        operation: String,
        /// Where and what.
        source: DecodeError,
        /// `x-request-id`.
        request_id: Option<String>,
    },

    /// The body was not the JSON a GraphQL response must be.
    #[error("Shopify answered HTTP {status} with a body that is not a GraphQL response ({reason}; request id {}): {excerpt}", .request_id.as_deref().unwrap_or("unknown"))]
    InvalidResponse {
        /// The status.
        status: u16,
        /// What is wrong with it.
        reason: String,
        /// A bounded excerpt of the body.
        excerpt: String,
        /// `x-request-id`.
        request_id: Option<String>,
    },

    /// The answer was longer than the client's cap
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes));
    /// it was not read further.
    #[error("the answer to {operation} (HTTP {status}, request id {}) is longer than the client's limit of {limit} bytes: ask for less (`first`/`last`, fewer fields) or raise ClientBuilder::max_response_bytes", .request_id.as_deref().unwrap_or("unknown"))]
    ResponseTooLarge {
        /// The operation.
        operation: String,
        /// The status.
        status: u16,
        /// The cap, in bytes.
        limit: usize,
        /// `x-request-id`.
        request_id: Option<String>,
    },

    /// The request timed out.
    #[error("the request to {url} timed out after {timeout:?}")]
    Timeout {
        /// The endpoint.
        url: String,
        /// The configured timeout.
        timeout: std::time::Duration,
    },

    /// The request could not be sent or its answer not read.
    #[error("could not reach {url}")]
    Network {
        /// The endpoint.
        url: String,
        /// The cause.
        source: reqwest::Error,
    },

    /// The operation would cost more than Shopify accepts in one query; nothing was sent.
    #[error(
        "{operation} would cost {cost} points with these variables, over Shopify's limit of {max} per query: ask for fewer items (`first`/`last`) and page through them; nothing was sent"
    )]
    TooExpensive {
        /// The operation.
        operation: String,
        /// Its requested cost for these variables.
        cost: u64,
        /// Shopify's limit.
        max: u64,
    },

    /// The app's token lacks access scopes the operation needs; nothing was sent.
    #[error("{operation} needs {}, which the app's access token was not granted (granted: {}): add the scopes to the app's configuration in the Dev Dashboard (app → Versions → Access scopes), release the version, and approve it on the shop", describe_clauses(.missing), if .granted.is_empty() { "none".to_owned() } else { .granted.join(", ") })]
    MissingScopes {
        /// The operation.
        operation: String,
        /// Unmet requirements: any one scope of each list would meet it.
        missing: Vec<Vec<String>>,
        /// What the token has.
        granted: Vec<String>,
    },

    /// Transient failures went on past the retry policy's bounds.
    #[error("gave up on {operation} after {} attempts over {:.1?}: {last}", .attempts.len(), .attempts.last().map(|a| a.after).unwrap_or_default())]
    Exhausted {
        /// The operation.
        operation: String,
        /// Every failed attempt, in order.
        attempts: Vec<Attempt>,
        /// The last failure.
        last: Box<Error>,
    },

    /// A mutation without an idempotency key failed in a way that leaves open whether
    /// Shopify applied it, so it was not sent again.
    #[error(
        "the mutation {operation} may or may not have been applied ({last}); it was not retried because it carries no idempotency key: check the shop before running it again"
    )]
    AmbiguousWrite {
        /// The operation.
        operation: String,
        /// The attempts made.
        attempts: Vec<Attempt>,
        /// The failure.
        last: Box<Error>,
    },

    /// A mutation ran and Shopify refused its input (`userErrors`), as returned by
    /// [`HasUserErrors::into_result`](crate::HasUserErrors::into_result); here so that
    /// `mutation(&client, vars).await?.into_result()?` needs one error type.
    #[error(transparent)]
    UserErrors(#[from] crate::UserErrors),
}

/// The evidence of one failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// 1 for the first attempt.
    pub number: u32,
    /// Time since the first attempt started.
    pub after: std::time::Duration,
    /// HTTP status, when there was an answer.
    pub status: Option<u16>,
    /// `x-request-id`, when there was an answer.
    pub request_id: Option<String>,
    /// What went wrong.
    pub error: String,
}

impl Error {
    /// Shopify's request id, when the request reached Shopify.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Http { request_id, .. }
            | Error::Decode { request_id, .. }
            | Error::InvalidResponse { request_id, .. }
            | Error::ResponseTooLarge { request_id, .. } => request_id.as_deref(),
            Error::Graphql(errors) => errors.request_id.as_deref(),
            Error::Exhausted { last, .. } | Error::AmbiguousWrite { last, .. } => last.request_id(),
            _ => None,
        }
    }

    /// The HTTP status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Http { status, .. }
            | Error::InvalidResponse { status, .. }
            | Error::ResponseTooLarge { status, .. } => Some(*status),
            Error::Graphql(_) | Error::Decode { .. } => Some(200),
            Error::Exhausted { last, .. } | Error::AmbiguousWrite { last, .. } => last.status(),
            _ => None,
        }
    }

    /// The GraphQL error codes (`extensions.code`) in the answer, if any.
    pub fn codes(&self) -> Vec<&str> {
        match self {
            Error::Graphql(errors) => errors.errors.iter().filter_map(|e| e.code()).collect(),
            Error::Http { errors, .. } => errors.iter().filter_map(|e| e.code()).collect(),
            Error::Exhausted { last, .. } | Error::AmbiguousWrite { last, .. } => last.codes(),
            _ => Vec::new(),
        }
    }
}

fn describe_clauses(clauses: &[Vec<String>]) -> String {
    clauses
        .iter()
        .map(|clause| match clause.as_slice() {
            [one] => format!("`{one}`"),
            many => format!(
                "one of {}",
                many.iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

fn http_message(status: u16, errors: &[GraphqlError], request_id: Option<&str>) -> String {
    let hint = match status {
        401 => {
            "; the access token was rejected even after fetching a new one: check the app's credentials and that it is installed on the shop"
        }
        402 => "; the shop's plan does not include this feature",
        403 => "; the shop is unavailable or the app lacks access",
        404 => "; check the shop domain and API version",
        423 => "; the shop is locked",
        429 => "; rate limited",
        500..=599 => "; Shopify had an internal problem, try again later",
        _ => "",
    };
    let what = if errors.is_empty() {
        String::new()
    } else {
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        format!(": {}", messages.join("; "))
    };
    format!(
        "Shopify answered HTTP {status}{what}{hint} (request id {})",
        request_id.unwrap_or("unknown")
    )
}

/// One entry of a GraphQL `errors` list.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphqlError {
    /// The message.
    pub message: String,
    /// Where in the query, as (line, column).
    pub locations: Vec<(u64, u64)>,
    /// Where in the response: keys and list indexes.
    pub path: Vec<PathSegment>,
    /// `extensions`, as sent.
    pub extensions: Option<Value>,
}

/// One step of a GraphQL error path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// An object key.
    Key(String),
    /// A list index.
    Index(u64),
}

impl fmt::Display for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathSegment::Key(key) => f.write_str(key),
            PathSegment::Index(i) => write!(f, "{i}"),
        }
    }
}

impl GraphqlError {
    /// A plain message, for errors Shopify sends as a string.
    pub fn message(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            locations: Vec::new(),
            path: Vec::new(),
            extensions: None,
        }
    }

    /// `extensions.code`, e.g. `THROTTLED`, `ACCESS_DENIED`, `undefinedField`.
    pub fn code(&self) -> Option<&str> {
        self.extensions.as_ref()?.get("code")?.as_str()
    }

    fn from_value(value: &Value) -> Self {
        let Some(object) = value.as_object() else {
            return Self::message(
                value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_owned),
            );
        };
        let message = object
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("(no message)")
            .to_owned();
        let locations = object
            .get("locations")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|l| Some((l.get("line")?.as_u64()?, l.get("column")?.as_u64()?)))
                    .collect()
            })
            .unwrap_or_default();
        let path = object
            .get("path")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|p| match p {
                        Value::Number(n) => PathSegment::Index(n.as_u64().unwrap_or_default()),
                        Value::String(s) => PathSegment::Key(s.clone()),
                        other => PathSegment::Key(other.to_string()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            message,
            locations,
            path,
            extensions: object.get("extensions").cloned(),
        }
    }

    /// Reads Shopify's `errors`, which is a list on GraphQL answers, a string on most
    /// non-200 answers (`"[API] Invalid API key ..."`) and sometimes an object
    /// (`{"query": "Required parameter missing or invalid"}`).
    pub fn parse_all(errors: &Value) -> Vec<GraphqlError> {
        match errors {
            Value::Null => Vec::new(),
            Value::Array(list) => list.iter().map(Self::from_value).collect(),
            Value::String(message) => vec![Self::message(message.clone())],
            Value::Object(map) if map.contains_key("message") => vec![Self::from_value(errors)],
            Value::Object(map) => map
                .iter()
                .map(|(key, value)| {
                    let text = match value {
                        Value::String(s) => s.clone(),
                        Value::Array(items) => items
                            .iter()
                            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                            .collect::<Vec<_>>()
                            .join(", "),
                        other => other.to_string(),
                    };
                    Self::message(format!("{key}: {text}"))
                })
                .collect(),
            other => vec![Self::message(other.to_string())],
        }
    }
}

impl fmt::Display for GraphqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if !self.path.is_empty() {
            let path: Vec<String> = self.path.iter().map(ToString::to_string).collect();
            write!(f, " (path: {})", path.join("/"))?;
        }
        for (line, column) in &self.locations {
            write!(f, " at {line}:{column}")?;
        }
        if let Some(code) = self.code() {
            write!(f, " [{code}]")?;
        }
        Ok(())
    }
}

/// The GraphQL errors of one response, with what came with them.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct GraphqlErrors {
    /// The operation.
    pub operation: String,
    /// The errors, in order.
    pub errors: Vec<GraphqlError>,
    /// `data`, when Shopify sent some alongside the errors (partial results).
    pub data: Option<Value>,
    /// `x-request-id`.
    pub request_id: Option<String>,
}

impl fmt::Display for GraphqlErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.errors.len();
        write!(
            f,
            "{count} GraphQL error{} in {} (request id {})",
            if count == 1 { "" } else { "s" },
            self.operation,
            self.request_id.as_deref().unwrap_or("unknown")
        )?;
        for (i, error) in self.errors.iter().enumerate() {
            write!(f, "\n{}: {error}", i + 1)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn errors_as_a_list_keep_path_locations_and_code() {
        let errors = GraphqlError::parse_all(&json!([{
            "message": "Throttled",
            "locations": [{"line": 3, "column": 5}],
            "path": ["products", "edges", 0],
            "extensions": {"code": "THROTTLED"}
        }]));
        assert_eq!(
            errors[0].to_string(),
            "Throttled (path: products/edges/0) at 3:5 [THROTTLED]"
        );
    }

    #[test]
    fn errors_as_a_string_or_an_object_become_messages() {
        let string = GraphqlError::parse_all(&json!(
            "[API] Invalid API key or access token (unrecognized login or wrong password)"
        ));
        assert_eq!(string.len(), 1);
        assert!(string[0].message.starts_with("[API] Invalid API key"));
        let object =
            GraphqlError::parse_all(&json!({"query": "Required parameter missing or invalid"}));
        assert_eq!(
            object[0].message,
            "query: Required parameter missing or invalid"
        );
    }

    #[test]
    fn graphql_errors_display_one_line_each() {
        let errors = GraphqlErrors {
            operation: "Products".into(),
            errors: vec![
                GraphqlError::message("first"),
                GraphqlError::parse_all(
                    &json!([{"message": "second", "extensions": {"code": "ACCESS_DENIED"}}]),
                )
                .remove(0),
            ],
            data: None,
            request_id: Some("abc-123".into()),
        };
        assert_eq!(
            errors.to_string(),
            "2 GraphQL errors in Products (request id abc-123)\n1: first\n2: second [ACCESS_DENIED]"
        );
    }

    #[test]
    fn http_errors_say_what_status_means() {
        let error = Error::Http {
            status: 423,
            errors: GraphqlError::parse_all(&json!("This shop is unavailable")),
            excerpt: String::new(),
            request_id: Some("r1".into()),
        };
        assert_eq!(
            error.to_string(),
            "Shopify answered HTTP 423: This shop is unavailable; the shop is locked (request id r1)"
        );
    }
}
