//! The operations manifest: what every operation sends and needs, as deterministic JSON.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use shopify_schema::AdminSchema;

use crate::{Compiled, Idempotency, OperationKind};

/// The manifest of `compiled`: per operation its name, file, the exact text sent and its
/// sha256, required scopes, protected fields read, static cost, idempotency and the
/// deprecated fields it uses; bulk operations under `bulkOperations`. Keys and entries
/// are in a stable order.
pub fn generate(schema: &AdminSchema, compiled: &Compiled) -> String {
    let entry = |op: &crate::Operation| {
        let scopes: Vec<Vec<&str>> = op
            .access
            .clauses
            .iter()
            .map(|clause| clause.iter().map(String::as_str).collect())
            .collect();
        let protected: Vec<String> = op
            .access
            .protected
            .iter()
            .map(|p| p.coordinate.clone())
            .collect();
        json!({
            "name": op.name,
            "module": op.module,
            "file": op.file,
            "kind": match op.kind {
                OperationKind::Query => "query",
                OperationKind::Mutation => "mutation",
            },
            "sha256": hex(&Sha256::digest(op.text.as_bytes())),
            "text": op.text,
            "requiredScopes": scopes,
            "protectedFields": protected,
            "cost": {
                "expression": op.cost.to_string(),
                "min": op.cost.min(),
                "variables": op.cost.variables(),
            },
            "idempotency": match &op.idempotency {
                Idempotency::None => json!("none"),
                Idempotency::Supplied => json!("supplied"),
                Idempotency::Generated(vars) => json!({"generated": vars}),
            },
            "deprecated": op.deprecated,
        })
    };
    let operations: Vec<Value> = compiled
        .operations
        .iter()
        .filter(|op| !op.bulk)
        .map(entry)
        .collect();
    let bulk: Vec<Value> = compiled
        .operations
        .iter()
        .filter(|op| op.bulk)
        .map(entry)
        .collect();
    let mut manifest = json!({
        "apiVersion": schema.api_version(),
        "operations": operations,
    });
    // Bulk operations run through `shopify_client::bulk`, not as requests of their own.
    if !bulk.is_empty() {
        manifest["bulkOperations"] = Value::Array(bulk);
    }
    let mut text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    text.push('\n');
    text
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
