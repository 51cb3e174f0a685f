//! Admission: the requested cost and its limit, the app+shop bucket, the `@idempotent`
//! requirement; and after execution, the refund and the cost block.

use std::collections::HashSet;
use std::sync::OnceLock;

use apollo_compiler::Schema;
use apollo_compiler::executable::{ExecutableDocument, Field, Operation, OperationType, Selection};
use serde_json::{Map, Value, json};
use serde_json_bytes::Value as Json;
use shopify_schema::cost::{MAX_QUERY_COST, operation_cost};

use super::Outcome;
use crate::bucket::{BucketStatus, Buckets};
use crate::stats::Recorder;
use crate::store::JsonMap;

/// Where the `THROTTLED` error points.
const RATE_LIMITS_DOC: &str = "https://shopify.dev/api/usage/rate-limits";

/// A request the bucket admitted: its requested cost was taken from it.
#[derive(Debug, Clone)]
pub(crate) struct Admitted {
    pub(crate) requested: u64,
    app: String,
    shop: String,
}

/// What admission works on: the buckets it charges and refunds, the counters it keeps.
#[derive(Clone, Copy)]
pub(crate) struct Admission<'a> {
    pub(crate) buckets: &'a Buckets,
    pub(crate) recorder: &'a Recorder,
}

impl Admission<'_> {
    /// Prices the request and takes its requested cost from the bucket of `app` on `shop`;
    /// the answer to send instead when it is too expensive or the bucket is short.
    pub(crate) fn admit(
        self,
        schema: &Schema,
        document: &ExecutableDocument,
        operation: &Operation,
        variables: &JsonMap,
        app: &str,
        shop: &str,
    ) -> Result<Admitted, Outcome> {
        let requested = operation_cost(schema, document, operation).eval(&|name| {
            variables
                .get(name)
                .and_then(Json::as_i64)
                .map(|n| u64::try_from(n).unwrap_or(0))
        });
        if requested > MAX_QUERY_COST {
            self.recorder.update(|s| s.max_cost_exceeded += 1);
            return Err(Outcome::ok(max_cost_exceeded(requested)));
        }
        match self.buckets.charge(app, shop, requested) {
            Ok(_) => {
                self.recorder.update(|s| s.points_requested += requested);
                Ok(Admitted {
                    requested,
                    app: app.to_owned(),
                    shop: shop.to_owned(),
                })
            }
            Err(status) => {
                self.recorder.update(|s| s.throttled += 1);
                Err(Outcome::ok(throttled(requested, status)))
            }
        }
    }

    /// Refunds the requested cost down to `actual` (capped at the requested cost) and returns
    /// the response's `extensions`.
    pub(crate) fn settle(self, admitted: &Admitted, actual: u64) -> Map<String, Value> {
        let actual = actual.min(admitted.requested);
        let status =
            self.buckets
                .refund(&admitted.app, &admitted.shop, admitted.requested - actual);
        self.recorder.update(|s| {
            s.executed += 1;
            s.points_charged += actual;
        });
        let mut extensions = Map::new();
        extensions.insert(
            "cost".into(),
            json!({
                "requestedQueryCost": admitted.requested,
                "actualQueryCost": actual,
                "throttleStatus": status.to_json(),
            }),
        );
        extensions
    }
}

/// Shopify's answer above 1000 requested points: no `data`, no cost block.
fn max_cost_exceeded(cost: u64) -> Value {
    let message = format!(
        "Query cost is {cost}, which exceeds the single query max cost limit ({MAX_QUERY_COST}).\n\n\
         See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n\
         cost of a query is calculated.\n\n\
         To query larger amounts of data with fewer limits, bulk operations should be used instead.\n\
         See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n"
    );
    json!({"errors": [{
        "message": message,
        "extensions": {"code": "MAX_COST_EXCEEDED", "cost": cost, "maxCost": MAX_QUERY_COST},
    }]})
}

/// Shopify's answer when the bucket is short: no `data`, the cost block without an
/// actual cost.
fn throttled(requested: u64, status: BucketStatus) -> Value {
    json!({
        "errors": [{
            "message": "Throttled",
            "extensions": {"code": "THROTTLED", "documentation": RATE_LIMITS_DOC},
        }],
        "extensions": {"cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": null,
            "throttleStatus": status.to_json(),
        }},
    })
}

/// Whether the mutation field's description says the `@idempotent` directive is required
/// (17 mutations in 2026-10, all since 2026-04).
pub(crate) fn requires_idempotency(schema: &Schema, field: &str) -> bool {
    static REQUIRED: OnceLock<HashSet<String>> = OnceLock::new();
    REQUIRED
        .get_or_init(|| {
            let Some(root) = schema.root_operation(OperationType::Mutation) else {
                return HashSet::new();
            };
            let Some(apollo_compiler::schema::ExtendedType::Object(mutation)) =
                schema.types.get(root)
            else {
                return HashSet::new();
            };
            mutation
                .fields
                .iter()
                .filter(|(_, def)| {
                    def.description.as_ref().is_some_and(|d| {
                        d.contains("`@idempotent` directive")
                            && d.contains("idempotency key is required")
                    })
                })
                .map(|(name, _)| name.to_string())
                .collect()
        })
        .contains(field)
}

/// The key of a field's `@idempotent(key:)`: `None` without the directive, `Some("")`
/// when the key is blank or not a string.
pub(crate) fn idempotency_key(field: &Field, variables: &JsonMap) -> Option<String> {
    let directive = field.directives.get("idempotent")?;
    let key = directive
        .specified_argument_by_name("key")
        .and_then(|value| match value.as_variable() {
            Some(name) => variables
                .get(name.as_str())
                .and_then(Json::as_str)
                .map(str::to_owned),
            None => value.as_str().map(str::to_owned),
        })
        .unwrap_or_default();
    Some(key.trim().to_owned())
}

/// For a mutation, the root fields that need `@idempotent(key:)` and lack it (or carry a
/// blank key), as Shopify's `BAD_REQUEST` errors; empty when the request may run.
pub(crate) fn missing_idempotency(
    schema: &Schema,
    operation: &Operation,
    variables: &JsonMap,
) -> Vec<Value> {
    if operation.operation_type != OperationType::Mutation {
        return Vec::new();
    }
    operation
        .selection_set
        .selections
        .iter()
        .filter_map(|selection| match selection {
            Selection::Field(field) => Some(field),
            _ => None,
        })
        .filter(|field| requires_idempotency(schema, &field.name))
        .filter_map(|field| {
            let message = match idempotency_key(field, variables) {
                None => {
                    "The @idempotent directive is required for this mutation but was not provided."
                }
                Some(key) if key.is_empty() => {
                    "The idempotency key cannot be an empty string or whitespace only."
                }
                Some(_) => return None,
            };
            Some(json!({
                "message": message,
                "path": [field.response_key().as_str()],
                "extensions": {"code": "BAD_REQUEST"},
            }))
        })
        .collect()
}

/// `data` of a mutation that did not run: every root field null.
pub(crate) fn null_roots(operation: &Operation) -> Value {
    let map: Map<String, Value> = operation
        .selection_set
        .selections
        .iter()
        .filter_map(|selection| match selection {
            Selection::Field(field) => Some((field.response_key().to_string(), Value::Null)),
            _ => None,
        })
        .collect();
    Value::Object(map)
}
