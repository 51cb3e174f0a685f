//! Shopify's rules for bulk queries (2026-10), shared by the build and the emulator.
//!
//! A bulk query selects at least one connection and at most five, nested at most two
//! levels deep; connections are read through `edges { node }` or `nodes`.
//!
//! ```
//! let schema = shopify_schema::AdminSchema::bundled();
//! let query = "query { shop { name } }";
//! let doc = apollo_compiler::ExecutableDocument::parse_and_validate(&schema.schema, query, "q.graphql").unwrap();
//! let problems = shopify_schema::bulk::check(&schema.schema, &doc);
//! assert!(problems[0].message.contains("at least one connection"));
//! ```

use apollo_compiler::executable::{ExecutableDocument, Field, Selection, SelectionSet};
use apollo_compiler::parser::SourceSpan;
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::{Node, Schema};

/// Most connections one bulk query may select.
pub const MAX_CONNECTIONS: usize = 5;
/// Deepest nesting of connections in one bulk query.
pub const MAX_DEPTH: usize = 2;

/// A broken bulk rule, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkProblem {
    /// What is wrong and what to do.
    pub message: String,
    /// Where (the offending field, or the operation).
    pub span: Option<SourceSpan>,
}

/// One connection a bulk query reads: its response path and nesting depth (1 = top).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkConnection {
    /// Response keys from the root to the connection field, e.g. `["products", "variants"]`.
    pub path: Vec<String>,
    /// The node type (`Product`).
    pub node_type: String,
    /// 1 for a top-level connection, 2 for one nested in it.
    pub depth: usize,
}

/// Whether `ty` is a connection type (has `edges` and `pageInfo`).
pub fn is_connection(schema: &Schema, ty: &str) -> bool {
    matches!(schema.types.get(ty), Some(ExtendedType::Object(o))
        if o.fields.contains_key("pageInfo") && o.fields.contains_key("edges"))
}

/// Every broken rule of the first query operation of `document`, in source order.
pub fn check(schema: &Schema, document: &ExecutableDocument) -> Vec<BulkProblem> {
    let mut problems = Vec::new();
    let Some(operation) = document.operations.iter().next() else {
        return problems;
    };
    let mut found = Vec::new();
    walk(
        schema,
        document,
        &operation.selection_set,
        &mut Vec::new(),
        0,
        &mut found,
        &mut problems,
    );
    if found.is_empty() {
        problems.push(BulkProblem {
            message: "a bulk query must select at least one connection (e.g. `products { edges { node { id } } }`)".to_owned(),
            span: operation.location(),
        });
    }
    for (field, _) in found.iter().skip(MAX_CONNECTIONS) {
        problems.push(BulkProblem {
            message: format!(
                "a bulk query may select at most {MAX_CONNECTIONS} connections; `{}` is connection {}",
                field.name,
                found.iter().position(|(f, _)| f == field).unwrap_or(0) + 1
            ),
            span: field.location(),
        });
    }
    problems
}

/// The connections a valid bulk query reads, in order.
pub fn connections(schema: &Schema, document: &ExecutableDocument) -> Vec<BulkConnection> {
    let Some(operation) = document.operations.iter().next() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    walk(
        schema,
        document,
        &operation.selection_set,
        &mut Vec::new(),
        0,
        &mut found,
        &mut Vec::new(),
    );
    found.into_iter().map(|(_, c)| c).collect()
}

fn walk(
    schema: &Schema,
    document: &ExecutableDocument,
    set: &SelectionSet,
    path: &mut Vec<String>,
    depth: usize,
    found: &mut Vec<(Node<Field>, BulkConnection)>,
    problems: &mut Vec<BulkProblem>,
) {
    for selection in &set.selections {
        match selection {
            Selection::Field(field) => {
                path.push(field.response_key().to_string());
                let ty = field.ty().inner_named_type().as_str();
                if is_connection(schema, ty) {
                    let depth = depth + 1;
                    if depth > MAX_DEPTH {
                        problems.push(BulkProblem {
                            message: format!(
                                "connection `{}` is nested {depth} levels deep; bulk queries allow at most {MAX_DEPTH}",
                                field.name
                            ),
                            span: field.location(),
                        });
                    }
                    let node_type = schema
                        .type_field(ty, "nodes")
                        .map(|f| f.ty.inner_named_type().to_string())
                        .unwrap_or_default();
                    found.push((
                        field.clone(),
                        BulkConnection {
                            path: path.clone(),
                            node_type,
                            depth,
                        },
                    ));
                    for inner in &field.selection_set.selections {
                        let Selection::Field(inner) = inner else {
                            continue;
                        };
                        match inner.name.as_str() {
                            "nodes" => {
                                walk(
                                    schema,
                                    document,
                                    &inner.selection_set,
                                    path,
                                    depth,
                                    found,
                                    problems,
                                );
                            }
                            "edges" => {
                                for edge in &inner.selection_set.selections {
                                    if let Selection::Field(node) = edge {
                                        if node.name == "node" {
                                            walk(
                                                schema,
                                                document,
                                                &node.selection_set,
                                                path,
                                                depth,
                                                found,
                                                problems,
                                            );
                                        }
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                } else {
                    walk(
                        schema,
                        document,
                        &field.selection_set,
                        path,
                        depth,
                        found,
                        problems,
                    );
                }
                path.pop();
            }
            Selection::InlineFragment(inline) => {
                walk(
                    schema,
                    document,
                    &inline.selection_set,
                    path,
                    depth,
                    found,
                    problems,
                );
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = document.fragments.get(&spread.fragment_name) {
                    walk(
                        schema,
                        document,
                        &fragment.selection_set,
                        path,
                        depth,
                        found,
                        problems,
                    );
                }
            }
        }
    }
}
