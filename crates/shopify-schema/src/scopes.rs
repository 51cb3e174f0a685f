//! Which access scopes an operation needs, from Shopify's `requiredAccess` texts.
//!
//! Shopify documents access per type and field in prose: "`read_products` access
//! scope.", "`a` access scope, `b` access scope or `c` access scope." (any one of them),
//! "`x` access scope as well as any of `y`, `z` access scopes." (x, and one of y or z),
//! "Also: ..." (user permissions, which an app token cannot show). This module turns the
//! prose into clauses: every clause must be met, by any one of its scopes.

use std::collections::BTreeSet;

use apollo_compiler::executable::{
    ExecutableDocument, Operation, OperationType, Selection, SelectionSet,
};
use apollo_compiler::schema::ExtendedType;

use crate::AdminSchema;

/// One requirement: any one of these scopes meets it.
pub type Clause = BTreeSet<String>;

/// Reads one `requiredAccess` text. `for_mutation` picks the mutation reading where the
/// text distinguishes queries from mutations, and turns bare scope families
/// (`shipping`) into `write_shipping` rather than `read_shipping`.
pub fn parse_required_access(text: &str, for_mutation: bool) -> Vec<Clause> {
    let main = text.split("Also:").next().unwrap_or_default().trim();
    // "`read_markets` for queries and both `read_markets` as well as `write_markets` for mutations."
    if let Some((queries, mutations)) = main.split_once(" for queries and ") {
        let part = if for_mutation { mutations } else { queries };
        return scopes_in(part, for_mutation)
            .into_iter()
            .map(|s| BTreeSet::from([s]))
            .collect();
    }
    // "`x` access scope as well as any of `y`, `z` access scopes."
    if let Some((all, any)) = main.split_once(" as well as ") {
        let mut clauses: Vec<Clause> = scopes_in(all, for_mutation)
            .into_iter()
            .map(|s| BTreeSet::from([s]))
            .collect();
        let alternatives: Clause = scopes_in(any, for_mutation).into_iter().collect();
        if !alternatives.is_empty() {
            clauses.push(alternatives);
        }
        return clauses;
    }
    // "`a` access scope and (`b` access scope or `c` access scope)."
    if let Some((all, any)) = main.split_once(" and (") {
        let mut clauses: Vec<Clause> = scopes_in(all, for_mutation)
            .into_iter()
            .map(|s| BTreeSet::from([s]))
            .collect();
        clauses.push(scopes_in(any, for_mutation).into_iter().collect());
        return clauses;
    }
    let scopes = scopes_in(main, for_mutation);
    if scopes.is_empty() {
        return Vec::new();
    }
    let lower = main.to_lowercase();
    if lower.contains(" or ") || lower.contains("any of") || lower.contains("one of") {
        vec![scopes.into_iter().collect()]
    } else {
        scopes.into_iter().map(|s| BTreeSet::from([s])).collect()
    }
}

/// The scope names between backticks, skipping user permissions.
fn scopes_in(text: &str, for_mutation: bool) -> Vec<String> {
    let mut out = Vec::new();
    let segments: Vec<&str> = text.split('`').collect();
    for (i, name) in segments.iter().enumerate().skip(1).step_by(2) {
        let after = segments.get(i + 1).copied().unwrap_or_default();
        if after.trim_start().starts_with("user permission")
            || after.trim_start().starts_with("permission")
        {
            continue;
        }
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            continue;
        }
        let scope = if name.starts_with("read_")
            || name.starts_with("write_")
            || name.starts_with("unauthenticated_")
        {
            (*name).to_owned()
        } else if for_mutation {
            // Bare families (`shipping`, `orders`) mean the read or write scope of it.
            format!("write_{name}")
        } else {
            format!("read_{name}")
        };
        if !out.contains(&scope) {
            out.push(scope);
        }
    }
    out
}

/// A field that returns protected customer data.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ProtectedField {
    /// `Type.field`.
    pub coordinate: String,
    /// Whose data, e.g. `customer`.
    pub subject: Option<String>,
    /// Which data, e.g. `email`.
    pub content: Option<String>,
}

/// What an operation needs to be allowed to run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// Every clause must be met; any scope of a clause meets it. Sorted, minimal.
    pub clauses: Vec<Clause>,
    /// Fields of protected customer data the operation reads.
    pub protected: Vec<ProtectedField>,
}

impl Access {
    /// Every scope named in any clause, sorted.
    pub fn all_scopes(&self) -> BTreeSet<&str> {
        self.clauses.iter().flatten().map(String::as_str).collect()
    }
}

/// The access `operation` needs, from every type and field it touches.
pub fn operation_access(
    schema: &AdminSchema,
    document: &ExecutableDocument,
    operation: &Operation,
) -> Access {
    let for_mutation = operation.operation_type == OperationType::Mutation;
    let mut clauses: BTreeSet<Clause> = BTreeSet::new();
    let mut protected = BTreeSet::new();
    let mut visited_fragments = BTreeSet::new();
    walk(
        schema,
        document,
        &operation.selection_set,
        for_mutation,
        &mut clauses,
        &mut protected,
        &mut visited_fragments,
    );
    // A clause met whenever a stricter one is adds nothing: {a} implies {a, b}, and
    // {write_x} implies {read_x}.
    let all: Vec<Clause> = clauses.into_iter().collect();
    let minimal = all
        .iter()
        .filter(|c| !all.iter().any(|d| d != *c && implies(d, c)))
        .cloned()
        .collect();
    Access {
        clauses: minimal,
        protected: protected.into_iter().collect(),
    }
}

/// Whether meeting `stricter` always meets `weaker`: each of its scopes grants one of
/// `weaker`'s.
fn implies(stricter: &Clause, weaker: &Clause) -> bool {
    stricter
        .iter()
        .all(|scope| weaker.iter().any(|w| grants(scope, w)))
}

/// Whether holding `scope` gives `wanted` (`write_x` also grants `read_x`).
pub fn grants(scope: &str, wanted: &str) -> bool {
    scope == wanted
        || wanted
            .strip_prefix("read_")
            .is_some_and(|rest| scope.strip_prefix("write_") == Some(rest))
}

fn walk(
    schema: &AdminSchema,
    document: &ExecutableDocument,
    set: &SelectionSet,
    for_mutation: bool,
    clauses: &mut BTreeSet<Clause>,
    protected: &mut BTreeSet<ProtectedField>,
    visited: &mut BTreeSet<String>,
) {
    fn require(clauses: &mut BTreeSet<Clause>, text: &str, for_mutation: bool) {
        for clause in parse_required_access(text, for_mutation) {
            if !clause.is_empty() {
                clauses.insert(clause);
            }
        }
    }
    if let Some(text) = schema
        .meta
        .type_meta(&set.ty)
        .and_then(|m| m.required_access.as_deref())
    {
        require(clauses, text, for_mutation);
    }
    for selection in &set.selections {
        match selection {
            Selection::Field(field) => {
                if let Some(meta) = schema.meta.field(&set.ty, &field.name) {
                    if let Some(text) = meta.required_access.as_deref() {
                        require(clauses, text, for_mutation);
                    }
                    if meta.is_protected {
                        protected.insert(ProtectedField {
                            coordinate: format!("{}.{}", set.ty, field.name),
                            subject: meta.protected_subject.clone(),
                            content: meta.protected_content.clone(),
                        });
                    }
                }
                let inner = field.ty().inner_named_type();
                if matches!(
                    schema.schema.types.get(inner),
                    Some(
                        ExtendedType::Object(_)
                            | ExtendedType::Interface(_)
                            | ExtendedType::Union(_)
                    )
                ) {
                    walk(
                        schema,
                        document,
                        &field.selection_set,
                        for_mutation,
                        clauses,
                        protected,
                        visited,
                    );
                }
            }
            Selection::InlineFragment(inline) => {
                walk(
                    schema,
                    document,
                    &inline.selection_set,
                    for_mutation,
                    clauses,
                    protected,
                    visited,
                );
            }
            Selection::FragmentSpread(spread) => {
                if visited.insert(spread.fragment_name.to_string()) {
                    if let Some(fragment) = document.fragments.get(&spread.fragment_name) {
                        walk(
                            schema,
                            document,
                            &fragment.selection_set,
                            for_mutation,
                            clauses,
                            protected,
                            visited,
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use apollo_compiler::ExecutableDocument;

    use super::*;

    fn clauses(text: &str, mutation: bool) -> Vec<Vec<String>> {
        parse_required_access(text, mutation)
            .into_iter()
            .map(|c| c.into_iter().collect())
            .collect()
    }

    #[test]
    fn one_scope() {
        assert_eq!(
            clauses("`read_products` access scope.", false),
            [["read_products"]]
        );
        assert_eq!(
            clauses(
                "`read_orders` access scope. Also: The user must have manage_abandoned_checkouts permission.",
                false
            ),
            [["read_orders"]]
        );
        assert_eq!(
            clauses("Apps must have `read_discounts` access scope.", false),
            [["read_discounts"]]
        );
    }

    #[test]
    fn alternatives_are_one_clause() {
        assert_eq!(
            clauses(
                "`read_products` access scope, `read_files` access scope or `read_themes` access scope.",
                false
            ),
            [["read_files", "read_products", "read_themes"]]
        );
        assert_eq!(
            clauses(
                "Any of `shipping` access scopes or `manage_delivery_settings` user permission.",
                false
            ),
            [["read_shipping"]]
        );
        assert_eq!(
            clauses(
                "Any of `orders` or `shipping` access scopes or `manage_delivery_settings` user permission.",
                true
            ),
            [["write_orders", "write_shipping"]]
        );
    }

    #[test]
    fn conjunctions_are_several_clauses() {
        assert_eq!(
            clauses(
                "`write_products` access scope as well as any of `write_own_subscription_contracts`, `write_purchase_options` access scopes.",
                true
            ),
            vec![
                vec!["write_products".to_owned()],
                vec![
                    "write_own_subscription_contracts".to_owned(),
                    "write_purchase_options".to_owned()
                ]
            ]
        );
        assert_eq!(
            clauses(
                "`read_returns` access scope and (`read_orders` access scope or `read_marketplace_orders` access scope).",
                false
            ),
            vec![
                vec!["read_returns".to_owned()],
                vec![
                    "read_marketplace_orders".to_owned(),
                    "read_orders".to_owned()
                ]
            ]
        );
        let markets = "`read_markets` for queries and both `read_markets` as well as `write_markets` for mutations.";
        assert_eq!(clauses(markets, false), [["read_markets"]]);
        assert_eq!(
            clauses(markets, true),
            [["read_markets"], ["write_markets"]]
        );
    }

    #[test]
    fn prose_without_scopes_requires_nothing_we_can_check() {
        assert!(clauses("The user must have access to payouts.", false).is_empty());
    }

    fn access(query: &str) -> Access {
        let admin = AdminSchema::bundled();
        let doc = ExecutableDocument::parse_and_validate(&admin.schema, query, "q.graphql")
            .expect("valid");
        let op = doc.operations.iter().next().expect("operation");
        operation_access(admin, &doc, op)
    }

    #[test]
    fn a_products_query_needs_read_products() {
        let access = access("{ products(first: 5) { nodes { id title } } }");
        assert!(
            access
                .clauses
                .contains(&BTreeSet::from(["read_products".to_owned()])),
            "{access:?}"
        );
    }

    #[test]
    fn product_create_needs_write_products() {
        let access =
            access("mutation { productCreate(product: {title: \"x\"}) { product { id } } }");
        // write_products also grants read_products, so that clause is dropped.
        assert_eq!(
            access.clauses,
            [BTreeSet::from(["write_products".to_owned()])],
            "{access:?}"
        );
    }

    #[test]
    fn customer_emails_are_protected_data() {
        let access =
            access("{ customers(first: 1) { nodes { defaultEmailAddress { emailAddress } } } }");
        assert!(access.all_scopes().contains("read_customers"), "{access:?}");
        assert!(!access.protected.is_empty(), "{access:?}");
    }
}
