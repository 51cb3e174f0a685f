//! Shopify's query cost model, shared by the codegen (a static estimate per operation)
//! and the emulator (what it charges).
//!
//! Rules (Shopify's "calculated query cost"): scalars and enums cost 0, an object 1, a
//! connection 2 plus `first`/`last` times the cost of one node's selection (nested
//! connections multiply), an interface or union the most expensive of its possible
//! types, and each root mutation field 10. The cost depends on `first`/`last`, which
//! are often variables, so the model is an expression ([`Cost`]) evaluated per request.
//!
//! After execution, [`actual_cost`] applies the same rules to what the response holds:
//! what a request really costs once Shopify refunds the difference.

use std::collections::BTreeMap;

use apollo_compiler::executable::{
    ExecutableDocument, Field, Operation, OperationType, Selection, SelectionSet,
};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::{Node, Schema};
use serde_json::Value;

/// Shopify's limit on one query's requested cost.
pub const MAX_QUERY_COST: u64 = 1000;
/// What a root mutation field costs.
pub const MUTATION_COST: u64 = 10;
/// What a connection costs before its items.
pub const CONNECTION_BASE_COST: u64 = 2;

/// How many items a connection asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Count {
    /// A literal `first: 10`.
    Literal(u64),
    /// `first: $var`, with the variable's default if it has one.
    Variable {
        /// The variable name, without `$`.
        name: String,
        /// Its default value in the operation, if any.
        default: Option<u64>,
    },
    /// No `first`/`last` (Shopify rejects that; it costs as one item here).
    Missing,
}

impl Count {
    fn eval(&self, vars: &dyn Fn(&str) -> Option<u64>) -> u64 {
        match self {
            Count::Literal(n) => *n,
            Count::Variable { name, default } => vars(name).or(*default).unwrap_or(0),
            Count::Missing => 1,
        }
    }

    fn min(&self) -> u64 {
        match self {
            Count::Literal(n) => *n,
            // A variable may be as small as 1 (0 pages are not useful but are allowed;
            // the floor is what matters for "can this ever fit").
            Count::Variable { .. } => 0,
            Count::Missing => 1,
        }
    }
}

/// The requested cost of a selection, as an expression of the operation's variables.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Cost {
    /// A fixed number of points.
    Fixed(u64),
    /// The sum of the parts.
    Sum(Vec<Cost>),
    /// `count` items of `each`.
    Times(Count, Box<Cost>),
    /// The most expensive alternative (interfaces and unions).
    Max(Vec<Cost>),
}

impl Cost {
    /// The cost for these variable values (`vars` returns a variable's integer value).
    pub fn eval(&self, vars: &dyn Fn(&str) -> Option<u64>) -> u64 {
        match self {
            Cost::Fixed(n) => *n,
            Cost::Sum(parts) => parts
                .iter()
                .map(|p| p.eval(vars))
                .fold(0, u64::saturating_add),
            Cost::Times(count, each) => count.eval(vars).saturating_mul(each.eval(vars)),
            Cost::Max(options) => options.iter().map(|o| o.eval(vars)).max().unwrap_or(0),
        }
    }

    /// The least this can cost, whatever the variables.
    pub fn min(&self) -> u64 {
        match self {
            Cost::Fixed(n) => *n,
            Cost::Sum(parts) => parts.iter().map(Cost::min).fold(0, u64::saturating_add),
            Cost::Times(count, each) => count.min().saturating_mul(each.min()),
            Cost::Max(options) => options.iter().map(Cost::min).max().unwrap_or(0),
        }
    }

    /// The fixed value, when no variable is involved.
    pub fn as_fixed(&self) -> Option<u64> {
        match self {
            Cost::Fixed(n) => Some(*n),
            _ => None,
        }
    }

    /// The variables the cost depends on, sorted.
    pub fn variables(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_variables(&mut out);
        out.sort_unstable();
        out.dedup();
        out
    }

    fn collect_variables<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Cost::Fixed(_) => {}
            Cost::Sum(parts) | Cost::Max(parts) => {
                parts.iter().for_each(|p| p.collect_variables(out))
            }
            Cost::Times(count, each) => {
                if let Count::Variable { name, .. } = count {
                    out.push(name);
                }
                each.collect_variables(out);
            }
        }
    }

    fn sum(parts: Vec<Cost>) -> Cost {
        let mut fixed = 0u64;
        let mut rest = Vec::new();
        for part in parts {
            match part {
                Cost::Fixed(n) => fixed = fixed.saturating_add(n),
                Cost::Sum(inner) => {
                    for p in inner {
                        match p {
                            Cost::Fixed(n) => fixed = fixed.saturating_add(n),
                            other => rest.push(other),
                        }
                    }
                }
                other => rest.push(other),
            }
        }
        if rest.is_empty() {
            return Cost::Fixed(fixed);
        }
        if fixed > 0 {
            rest.insert(0, Cost::Fixed(fixed));
        }
        if rest.len() == 1 {
            return rest.remove(0);
        }
        Cost::Sum(rest)
    }

    fn times(count: Count, each: Cost) -> Cost {
        match (&count, &each) {
            (_, Cost::Fixed(0)) => Cost::Fixed(0),
            (Count::Literal(n), Cost::Fixed(m)) => Cost::Fixed(n.saturating_mul(*m)),
            (Count::Missing, _) => each,
            _ => Cost::Times(count, Box::new(each)),
        }
    }

    fn max(options: Vec<Cost>) -> Cost {
        let mut fixed: Option<u64> = None;
        let mut rest: Vec<Cost> = Vec::new();
        for option in options {
            match option {
                Cost::Fixed(n) => fixed = Some(fixed.map_or(n, |f| f.max(n))),
                other => {
                    if !rest.contains(&other) {
                        rest.push(other);
                    }
                }
            }
        }
        match (fixed, rest.len()) {
            (Some(n), 0) => Cost::Fixed(n),
            (None, 0) => Cost::Fixed(0),
            (None, 1) => rest.remove(0),
            (Some(n), _) => {
                rest.insert(0, Cost::Fixed(n));
                Cost::Max(rest)
            }
            (None, _) => Cost::Max(rest),
        }
    }
}

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Count::Literal(n) => write!(f, "{n}"),
            Count::Variable {
                name,
                default: Some(d),
            } => write!(f, "${name}(={d})"),
            Count::Variable {
                name,
                default: None,
            } => write!(f, "${name}"),
            Count::Missing => f.write_str("1"),
        }
    }
}

/// Readable form, e.g. `2 + $first × (1 + 2 + 5 × 1)`.
impl std::fmt::Display for Cost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cost::Fixed(n) => write!(f, "{n}"),
            Cost::Sum(parts) => {
                let parts: Vec<String> = parts.iter().map(ToString::to_string).collect();
                f.write_str(&parts.join(" + "))
            }
            Cost::Times(count, each) => match each.as_ref() {
                Cost::Sum(_) => write!(f, "{count} × ({each})"),
                _ => write!(f, "{count} × {each}"),
            },
            Cost::Max(options) => {
                let options: Vec<String> = options.iter().map(ToString::to_string).collect();
                write!(f, "max({})", options.join(", "))
            }
        }
    }
}

/// One selection set holding the sub-selections of every field selected under one
/// response key, as GraphQL merges them. `same` is never empty.
fn merged(same: &[&Node<Field>]) -> SelectionSet {
    let mut merged = SelectionSet::new(same[0].selection_set.ty.clone());
    for field in same {
        merged
            .selections
            .extend(field.selection_set.selections.iter().cloned());
    }
    merged
}

/// The requested cost of `operation` in `document`, as an expression of its variables.
pub fn operation_cost(
    schema: &Schema,
    document: &ExecutableDocument,
    operation: &Operation,
) -> Cost {
    let model = Model {
        schema,
        document,
        defaults: operation
            .variables
            .iter()
            .filter_map(|v| {
                let default = v.default_value.as_ref()?.to_i32()?;
                Some((v.name.to_string(), u64::try_from(default).ok()?))
            })
            .collect(),
    };
    if operation.operation_type == OperationType::Mutation {
        let roots = model.fields_for(&operation.selection_set, &operation.selection_set.ty);
        return Cost::Fixed(MUTATION_COST.saturating_mul(roots.len() as u64));
    }
    model.selection(&operation.selection_set, &operation.selection_set.ty)
}

/// The actual cost of an executed `operation`, from the `data` it returned: the rules of
/// [`operation_cost`] applied to the response rather than to the request.
///
/// A null object (or an absent one) costs nothing; a connection costs 2 plus the cost of
/// each node it actually returned; a list of objects costs its most expensive element
/// (the requested model charges a list like one object); an interface or union costs its
/// concrete type's selection (read from `__typename`, else from the gid in `id`, else the
/// most expensive possible type); a mutation costs 10 per root field that returned
/// something. The result never exceeds the requested cost for the same variables, as
/// long as each connection returned at most `first`/`last` items.
pub fn actual_cost(
    schema: &Schema,
    document: &ExecutableDocument,
    operation: &Operation,
    data: &Value,
) -> u64 {
    let model = Model {
        schema,
        document,
        defaults: BTreeMap::new(),
    };
    let Some(map) = data.as_object() else {
        return 0;
    };
    if operation.operation_type == OperationType::Mutation {
        let roots = model.fields_for(&operation.selection_set, &operation.selection_set.ty);
        let answered = roots
            .iter()
            .filter(|(key, _)| map.get(key).is_some_and(|v| !v.is_null()))
            .count();
        return MUTATION_COST.saturating_mul(answered as u64);
    }
    model.actual_selection(&operation.selection_set, &operation.selection_set.ty, data)
}

struct Model<'a> {
    schema: &'a Schema,
    document: &'a ExecutableDocument,
    defaults: BTreeMap<String, u64>,
}

impl Model<'_> {
    /// Cost of the fields of `set` on values of `ty`: for an abstract type, the most
    /// expensive of its possible object types.
    fn selection(&self, set: &SelectionSet, ty: &str) -> Cost {
        match self.schema.types.get(ty) {
            Some(ExtendedType::Interface(_) | ExtendedType::Union(_)) => {
                let options = self
                    .possible_types(ty)
                    .into_iter()
                    .map(|concrete| self.fields_cost(set, &concrete))
                    .collect();
                Cost::max(options)
            }
            _ => self.fields_cost(set, ty),
        }
    }

    fn fields_cost(&self, set: &SelectionSet, concrete: &str) -> Cost {
        let fields = self.fields_for(set, concrete);
        Cost::sum(fields.iter().map(|(_, same)| self.field(same)).collect())
    }

    /// Fields of `set` that apply to object type `concrete`, merged by response key.
    fn fields_for<'s>(
        &'s self,
        set: &'s SelectionSet,
        concrete: &str,
    ) -> Vec<(String, Vec<&'s Node<Field>>)> {
        let mut out: Vec<(String, Vec<&Node<Field>>)> = Vec::new();
        self.collect(set, concrete, &mut out, 0);
        out
    }

    fn collect<'s>(
        &'s self,
        set: &'s SelectionSet,
        concrete: &str,
        out: &mut Vec<(String, Vec<&'s Node<Field>>)>,
        depth: usize,
    ) {
        // Fragments cannot cycle in a valid document; the bound guards invalid input.
        if depth > 64 {
            return;
        }
        for selection in &set.selections {
            match selection {
                Selection::Field(field) => {
                    let key = field.response_key().to_string();
                    match out.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, same)) => same.push(field),
                        None => out.push((key, vec![field])),
                    }
                }
                Selection::InlineFragment(inline) => {
                    let applies = inline
                        .type_condition
                        .as_ref()
                        .is_none_or(|c| self.applies(c, concrete));
                    if applies {
                        self.collect(&inline.selection_set, concrete, out, depth + 1);
                    }
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = self.document.fragments.get(&spread.fragment_name) {
                        if self.applies(fragment.type_condition(), concrete) {
                            self.collect(&fragment.selection_set, concrete, out, depth + 1);
                        }
                    }
                }
            }
        }
    }

    fn applies(&self, condition: &str, concrete: &str) -> bool {
        condition == concrete || self.schema.is_subtype(condition, concrete)
    }

    fn possible_types(&self, ty: &str) -> Vec<String> {
        match self.schema.types.get(ty) {
            Some(ExtendedType::Union(u)) => u.members.iter().map(|m| m.to_string()).collect(),
            Some(ExtendedType::Interface(_)) => self
                .schema
                .types
                .values()
                .filter_map(|t| match t {
                    ExtendedType::Object(o) if self.schema.is_subtype(ty, &o.name) => {
                        Some(o.name.to_string())
                    }
                    _ => None,
                })
                .collect(),
            _ => vec![ty.to_owned()],
        }
    }

    /// The cost of one response key, from every field selected under it.
    fn field(&self, same: &[&Node<Field>]) -> Cost {
        let Some(first) = same.first() else {
            return Cost::Fixed(0);
        };
        let ty = first.ty().inner_named_type().to_string();
        match self.schema.types.get(ty.as_str()) {
            Some(ExtendedType::Object(object)) if self.is_connection(&object.name, first) => {
                let count = self.count(first);
                let node = Cost::max(
                    same.iter()
                        .flat_map(|field| {
                            field.selection_set.fields().filter_map(|inner| {
                                match inner.name.as_str() {
                                    "nodes" => Some(self.object(&[inner])),
                                    "edges" => Some(Cost::sum(
                                        inner
                                            .selection_set
                                            .fields()
                                            .filter(|f| f.name == "node")
                                            .map(|node| self.object(&[node]))
                                            .collect(),
                                    )),
                                    _ => None,
                                }
                            })
                        })
                        .collect(),
                );
                Cost::sum(vec![
                    Cost::Fixed(CONNECTION_BASE_COST),
                    Cost::times(count, node),
                ])
            }
            Some(ExtendedType::Object(_) | ExtendedType::Interface(_) | ExtendedType::Union(_)) => {
                self.object(same)
            }
            _ => Cost::Fixed(0),
        }
    }

    /// An object-typed field: 1, plus its merged selection.
    fn object(&self, same: &[&Node<Field>]) -> Cost {
        let Some(first) = same.first() else {
            return Cost::Fixed(0);
        };
        let ty = first.ty().inner_named_type().to_string();
        Cost::sum(vec![Cost::Fixed(1), self.selection(&merged(same), &ty)])
    }

    /// Actual cost of the fields of `set` on the object `data` of (possibly abstract) `ty`.
    fn actual_selection(&self, set: &SelectionSet, ty: &str, data: &Value) -> u64 {
        let Some(map) = data.as_object() else {
            return 0;
        };
        match self.schema.types.get(ty) {
            Some(ExtendedType::Interface(_) | ExtendedType::Union(_)) => {
                let named = map
                    .get("__typename")
                    .and_then(Value::as_str)
                    .or_else(|| {
                        map.get("id")
                            .and_then(Value::as_str)
                            .and_then(|id| id.strip_prefix("gid://shopify/"))
                            .and_then(|rest| rest.split('/').next())
                    })
                    .filter(|n| self.is_object_of(ty, n));
                match named {
                    Some(concrete) => self.actual_fields(set, concrete, map),
                    None => self
                        .possible_types(ty)
                        .iter()
                        .map(|concrete| self.actual_fields(set, concrete, map))
                        .max()
                        .unwrap_or(0),
                }
            }
            _ => self.actual_fields(set, ty, map),
        }
    }

    fn is_object_of(&self, abstract_ty: &str, name: &str) -> bool {
        matches!(self.schema.types.get(name), Some(ExtendedType::Object(_)))
            && self.schema.is_subtype(abstract_ty, name)
    }

    fn actual_fields(
        &self,
        set: &SelectionSet,
        concrete: &str,
        map: &serde_json::Map<String, Value>,
    ) -> u64 {
        self.fields_for(set, concrete)
            .iter()
            .map(|(key, same)| self.actual_field(same, map.get(key)))
            .fold(0, u64::saturating_add)
    }

    /// Actual cost of one response key.
    fn actual_field(&self, same: &[&Node<Field>], value: Option<&Value>) -> u64 {
        let (Some(first), Some(value)) = (same.first(), value) else {
            return 0;
        };
        if value.is_null() {
            return 0;
        }
        let ty = first.ty().inner_named_type().to_string();
        match self.schema.types.get(ty.as_str()) {
            Some(ExtendedType::Object(object)) if self.is_connection(&object.name, first) => {
                // Per returned item, the most expensive of the ways it was selected.
                let mut items: Vec<u64> = Vec::new();
                let mut note = |index: usize, cost: u64| {
                    if items.len() <= index {
                        items.resize(index + 1, 0);
                    }
                    items[index] = items[index].max(cost);
                };
                for field in same {
                    for inner in field.selection_set.fields() {
                        let list = value
                            .get(inner.response_key().as_str())
                            .and_then(Value::as_array);
                        let Some(list) = list else { continue };
                        match inner.name.as_str() {
                            "nodes" => {
                                for (i, node) in list.iter().enumerate() {
                                    note(i, self.actual_object(&[inner], node));
                                }
                            }
                            "edges" => {
                                for (i, edge) in list.iter().enumerate() {
                                    let cost = inner
                                        .selection_set
                                        .fields()
                                        .filter(|f| f.name == "node")
                                        .map(|node| {
                                            edge.get(node.response_key().as_str())
                                                .map_or(0, |v| self.actual_object(&[node], v))
                                        })
                                        .fold(0, u64::saturating_add);
                                    note(i, cost);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                items
                    .into_iter()
                    .fold(CONNECTION_BASE_COST, u64::saturating_add)
            }
            Some(ExtendedType::Object(_) | ExtendedType::Interface(_) | ExtendedType::Union(_)) => {
                self.actual_object(same, value)
            }
            _ => 0,
        }
    }

    /// An object-typed value: 1 plus its merged selection; a list costs its most expensive
    /// element, null nothing.
    fn actual_object(&self, same: &[&Node<Field>], value: &Value) -> u64 {
        let Some(first) = same.first() else {
            return 0;
        };
        match value {
            Value::Array(items) => items
                .iter()
                .map(|item| self.actual_object(same, item))
                .max()
                .unwrap_or(0),
            Value::Object(_) => {
                let ty = first.ty().inner_named_type().to_string();
                1u64.saturating_add(self.actual_selection(&merged(same), &ty, value))
            }
            _ => 0,
        }
    }

    fn is_connection(&self, type_name: &str, field: &Field) -> bool {
        type_name.ends_with("Connection")
            && (field.definition.argument_by_name("first").is_some()
                || field.definition.argument_by_name("last").is_some())
    }

    fn count(&self, field: &Field) -> Count {
        for name in ["first", "last"] {
            if let Some(value) = field.specified_argument_by_name(name) {
                if let Some(n) = value.to_i32() {
                    return Count::Literal(u64::try_from(n).unwrap_or(0));
                }
                if let Some(var) = value.as_variable() {
                    return Count::Variable {
                        name: var.to_string(),
                        default: self.defaults.get(var.as_str()).copied(),
                    };
                }
            }
        }
        Count::Missing
    }
}

#[cfg(test)]
mod tests {
    use apollo_compiler::ExecutableDocument;

    use super::*;
    use crate::AdminSchema;

    fn cost_of(query: &str) -> Cost {
        let schema = &AdminSchema::bundled().schema;
        let doc = ExecutableDocument::parse_and_validate(schema, query, "q.graphql")
            .expect("valid query");
        let op = doc.operations.iter().next().expect("an operation");
        operation_cost(schema, &doc, op)
    }

    fn vars(pairs: &[(&str, u64)]) -> impl Fn(&str) -> Option<u64> {
        let map: BTreeMap<String, u64> = pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
        move |name| map.get(name).copied()
    }

    #[test]
    fn scalars_cost_nothing_and_objects_one() {
        assert_eq!(cost_of("{ shop { name currencyCode } }"), Cost::Fixed(1));
        assert_eq!(
            cost_of("{ shop { name plan { publicDisplayName } } }"),
            Cost::Fixed(2)
        );
    }

    #[test]
    fn connections_cost_two_plus_items_times_node() {
        assert_eq!(
            cost_of("{ products(first: 10) { edges { node { id title } } } }"),
            Cost::Fixed(12)
        );
        assert_eq!(
            cost_of("{ products(first: 10) { nodes { id } pageInfo { hasNextPage } } }"),
            Cost::Fixed(12)
        );
    }

    #[test]
    fn nested_connections_multiply() {
        // 2 + 10 × (1 + (2 + 5 × 1)) = 82
        let cost =
            cost_of("{ products(first: 10) { nodes { id variants(first: 5) { nodes { id } } } } }");
        assert_eq!(cost, Cost::Fixed(82));
    }

    #[test]
    fn variables_make_the_cost_an_expression() {
        let cost = cost_of(
            "query Q($n: Int!, $m: Int = 3) { products(first: $n) { nodes { variants(first: $m) { nodes { id } } } } }",
        );
        assert_eq!(cost.variables(), ["m", "n"]);
        // 2 + n × (1 + 2 + m)
        assert_eq!(cost.eval(&vars(&[("n", 10)])), 2 + 10 * (1 + 2 + 3));
        assert_eq!(cost.eval(&vars(&[("n", 250), ("m", 100)])), 2 + 250 * 103);
        assert_eq!(cost.min(), 2);
        assert_eq!(cost.to_string(), "2 + $n × (3 + $m(=3) × 1)");
    }

    #[test]
    fn interfaces_cost_their_most_expensive_type() {
        // node: 1 + max(Product: variants connection 2 + 5, Customer: 0)
        let cost = cost_of(
            "{ node(id: \"gid://shopify/Product/1\") { id ... on Product { variants(first: 5) { nodes { id } } } ... on Customer { displayName } } }",
        );
        assert_eq!(cost, Cost::Fixed(1 + 2 + 5));
    }

    #[test]
    fn mutations_cost_ten_per_root_field() {
        let cost = cost_of(
            "mutation { productDelete(input: {id: \"gid://shopify/Product/1\"}) { deletedProductId } }",
        );
        assert_eq!(cost, Cost::Fixed(10));
    }

    fn actual_of(query: &str, data: serde_json::Value) -> u64 {
        let schema = &AdminSchema::bundled().schema;
        let doc = ExecutableDocument::parse_and_validate(schema, query, "q.graphql")
            .expect("valid query");
        let op = doc.operations.iter().next().expect("an operation");
        actual_cost(schema, &doc, op, &data)
    }

    #[test]
    fn actual_cost_counts_the_objects_returned() {
        let data =
            serde_json::json!({"shop": {"name": "Demo", "plan": {"publicDisplayName": "Basic"}}});
        assert_eq!(
            actual_of("{ shop { name plan { publicDisplayName } } }", data),
            2
        );
        let missing = serde_json::json!({"product": null});
        assert_eq!(
            actual_of(
                r#"{ product(id: "gid://shopify/Product/1") { id } }"#,
                missing
            ),
            0
        );
    }

    #[test]
    fn actual_cost_counts_the_nodes_a_connection_returned() {
        // Requested 2 + 10 × (1 + 2 + 5 × 1) = 82; three products came back, with 2, 1
        // and 0 variants: 2 + (1 + 2 + 2) + (1 + 2 + 1) + (1 + 2) = 14.
        let query = "{ products(first: 10) { nodes { id variants(first: 5) { nodes { id } } } } }";
        let variants = |n: usize| serde_json::json!({"nodes": (0..n).map(|i| serde_json::json!({"id": i.to_string()})).collect::<Vec<_>>()});
        let data = serde_json::json!({"products": {"nodes": [
            {"id": "1", "variants": variants(2)},
            {"id": "2", "variants": variants(1)},
            {"id": "3", "variants": variants(0)},
        ]}});
        assert_eq!(actual_of(query, data), 14);
        let edges = serde_json::json!({"products": {"edges": [{"node": {"id": "1"}}, {"node": {"id": "2"}}],
            "pageInfo": {"hasNextPage": false}}});
        assert_eq!(
            actual_of(
                "{ products(first: 10) { edges { node { id } } pageInfo { hasNextPage } } }",
                edges
            ),
            4
        );
    }

    #[test]
    fn actual_cost_of_an_interface_is_its_concrete_type() {
        let query = "{ node(id: \"gid://shopify/Product/1\") { id ... on Product { variants(first: 5) { nodes { id } } } ... on Customer { displayName } } }";
        let product = serde_json::json!({"node": {"id": "gid://shopify/Product/1",
            "variants": {"nodes": [{"id": "a"}]}}});
        assert_eq!(actual_of(query, product), 1 + 2 + 1);
        let customer =
            serde_json::json!({"node": {"__typename": "Customer", "id": "x", "displayName": "A"}});
        assert_eq!(actual_of(query, customer), 1);
    }

    #[test]
    fn actual_cost_of_a_mutation_is_ten_per_answered_root_field() {
        let query = "mutation { productDelete(input: {id: \"gid://shopify/Product/1\"}) { deletedProductId } }";
        let done = serde_json::json!({"productDelete": {"deletedProductId": null}});
        assert_eq!(actual_of(query, done), 10);
        assert_eq!(
            actual_of(query, serde_json::json!({"productDelete": null})),
            0
        );
    }

    #[test]
    fn fragments_count_once_per_response_key() {
        let cost = cost_of(
            "{ shop { ...A ...B } } fragment A on Shop { plan { publicDisplayName } } fragment B on Shop { plan { partnerDevelopment } }",
        );
        assert_eq!(cost, Cost::Fixed(2));
    }
}
