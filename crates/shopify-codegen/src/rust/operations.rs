//! Each operation's module: request text, marker, facts (cost, scopes, idempotency),
//! the top-level function, and helpers (`into_result`, `<op>_stream`).

use std::fmt::Write as _;

use apollo_compiler::Node;
use apollo_compiler::ast::{self, Type};
use apollo_compiler::executable::SelectionSet;
use shopify_schema::cost::{Cost, Count};

use super::names::{rust_string, snake, strip};
use super::types::{InputField, input_struct};
use super::{Ctx, FragmentDefs, Gen, Module, Part, join};
use crate::{Idempotency, Operation, OperationKind};

impl Gen<'_> {
    pub(super) fn operation(&mut self, op: &Operation, docs: &FragmentDefs, out: &mut String) {
        let definition = op.definition();
        let module_name = &op.module;
        let marker = "Operation".to_owned();
        let mut module = Module::default();
        module.names.extend([
            "Variables".to_owned(),
            "ResponseData".to_owned(),
            marker.clone(),
        ]);

        let kind = match op.kind {
            OperationKind::Query => "Query",
            OperationKind::Mutation => "Mutation",
        };
        let _ = writeln!(
            out,
            "\n/// Types of the {} `{}` ({}).",
            kind.to_lowercase(),
            op.name,
            op.file
        );
        let _ = writeln!(
            out,
            "pub mod {module_name} {{\n    #![allow(clippy::all, missing_docs, rustdoc::all, unused_imports)]\n    use ::shopify_client::codec as __c;\n"
        );
        let idempotency = match &op.idempotency {
            Idempotency::None => "::shopify_client::Idempotency::None".to_owned(),
            Idempotency::Supplied => "::shopify_client::Idempotency::Supplied".to_owned(),
            Idempotency::Generated(vars) => format!(
                "::shopify_client::Idempotency::Generated {{ variables: &[{}] }}",
                vars.iter()
                    .map(|v| rust_string(v))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        // A generated idempotency key is filled by our client; for graphql_client the
        // variables carry it (`KeyedVariables`).
        let compat = match &op.idempotency {
            Idempotency::Generated(vars) => format!(
                "keyed [{}]",
                vars.iter()
                    .map(|v| rust_string(v))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => "yes".to_owned(),
        };
        let _ = writeln!(
            out,
            "    ::shopify_client::__graphql_operation! {{\n        name: {},\n        kind: {kind},\n        query: {},\n        scopes: [{}],\n        idempotency: {idempotency},\n        cost(variables): {},\n        graphql_client: {compat},\n    }}\n",
            rust_string(&op.name),
            rust_string(&op.text),
            scopes_literal(&op.access),
            cost_expr(&op.cost)
        );

        // Generated idempotency keys are the client's to fill, not the caller's.
        let generated: &[String] = match &op.idempotency {
            Idempotency::Generated(vars) => vars,
            _ => &[],
        };
        let visible: Vec<Node<ast::VariableDefinition>> = definition
            .variables
            .iter()
            .filter(|v| !generated.iter().any(|g| g == v.name.as_str()))
            .cloned()
            .collect();
        self.variables(&visible, out);

        let root_type = definition.selection_set.ty.to_string();
        let parts = [Part::Set(&definition.selection_set, false)];
        let doc_line = format!("The data `{}` returns.", op.name);
        self.selection(
            &mut module,
            "",
            "ResponseData",
            &doc_line,
            &root_type,
            &parts,
            Ctx::Operation,
            docs,
        );
        if op.kind == OperationKind::Mutation {
            if let Some(item) = into_result(&module, definition) {
                module.items.push(item);
            }
        }

        module.write(out);
        out.push_str("}\n");

        let _ = writeln!(
            out,
            "\n::shopify_client::__graphql_fn! {{\n/// Runs the {} `{}` from `{}`.\n///\n/// ```graphql",
            kind.to_lowercase(),
            op.name,
            op.file
        );
        for line in op.text.lines() {
            let _ = writeln!(out, "/// {line}");
        }
        out.push_str("/// ```\n///\n");
        if op.access.clauses.is_empty() {
            out.push_str("/// Access scopes: none documented.\n");
        } else {
            let clauses: Vec<String> = op
                .access
                .clauses
                .iter()
                .map(|c| {
                    c.iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                })
                .collect();
            let _ = writeln!(out, "/// Access scopes: {}.", clauses.join(", "));
        }
        // The cost itself, not only a pointer to `requested_cost`.
        let module_name = &op.module;
        match op.cost.as_fixed() {
            Some(points) => {
                let unit = if points == 1 { "point" } else { "points" };
                let _ = writeln!(out, "///\n/// Requested cost: {points} {unit} per call.");
            }
            None => {
                let _ = writeln!(
                    out,
                    "///\n/// Requested cost: `{}` points (at least {}); [`{module_name}::requested_cost`] gives it for given variables.",
                    op.cost,
                    op.cost.min()
                );
            }
        }
        if !op.access.protected.is_empty() {
            let fields: Vec<String> = op
                .access
                .protected
                .iter()
                .map(|p| match (&p.subject, &p.content) {
                    (Some(subject), Some(content)) => {
                        format!("`{}` ({subject} {content})", p.coordinate)
                    }
                    _ => format!("`{}`", p.coordinate),
                })
                .collect();
            let _ = writeln!(
                out,
                "///\n/// Reads protected customer data, which needs Shopify's approval for the app: {}.",
                fields.join(", ")
            );
        }

        let _ = writeln!(out, "{module_name}\n}}");
        if let Some(stream) = stream_fn(&module, op, definition) {
            out.push_str(&stream);
        }
    }

    pub(super) fn variables(
        &mut self,
        variables: &[Node<ast::VariableDefinition>],
        out: &mut String,
    ) {
        let mut fields = Vec::new();
        for variable in variables {
            // A variable with a default may be left out even when non-null.
            let ty = if variable.default_value.is_some() && variable.ty.is_non_null() {
                format!(
                    "Option<{}>",
                    self.input_type(&variable.ty, "super::types::")
                )
            } else {
                self.input_type(&variable.ty, "super::types::")
            };
            fields.push((
                snake(&variable.name),
                variable.name.to_string(),
                ty,
                variable.default_value.clone(),
            ));
        }
        let fields: Vec<InputField> = fields
            .into_iter()
            .map(|(name, graphql, ty, default)| InputField {
                doc: Some(match default {
                    Some(default) => format!("`${graphql}`, default `{default}`."),
                    None => format!("`${graphql}`."),
                }),
                name,
                key: graphql,
                ty,
                always: false,
            })
            .collect();
        input_struct(
            out,
            "Variables",
            Some("The operation's variables. Unset optional ones are left out of the request."),
            &fields,
        );
    }
}

/// The cost expression as Rust over `variables`.
pub(super) fn cost_expr(cost: &Cost) -> String {
    match cost {
        Cost::Fixed(n) => format!("{n}u64"),
        Cost::Sum(parts) => {
            let parts: Vec<String> = parts.iter().map(cost_expr).collect();
            // `(a).saturating_add(b).saturating_add(c)`
            format!("({})", parts.join(").saturating_add("))
        }
        Cost::Times(count, each) => {
            let count = match count {
                Count::Literal(n) => format!("{n}u64"),
                Count::Missing => "1u64".to_owned(),
                Count::Variable { name, default } => format!(
                    "::shopify_client::cost::count(&variables.{}, {})",
                    snake(name),
                    default.map_or_else(|| "None".to_owned(), |d| format!("Some({d})"))
                ),
            };
            format!("{count}.saturating_mul({})", cost_expr(each))
        }
        Cost::Max(options) => {
            let options: Vec<String> = options.iter().map(cost_expr).collect();
            format!("[{}].into_iter().max().unwrap_or(0)", options.join(", "))
        }
    }
}

pub(super) fn scopes_literal(access: &shopify_schema::scopes::Access) -> String {
    access
        .clauses
        .iter()
        .map(|clause| {
            let scopes: Vec<String> = clause.iter().map(|s| rust_string(s)).collect();
            format!("[{}]", scopes.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `impl HasUserErrors` for a payload struct selecting `userErrors { field message }`.
pub(super) fn user_errors_impl(module: &Module, path: &str, name: &str) -> Option<String> {
    let errors_path = join(path, "userErrors");
    let (errors_field, errors_ty) = module.paths.get(&errors_path)?;
    let (message, _) = module.paths.get(&join(&errors_path, "message"))?;
    let iter = if errors_ty.starts_with("Option<") {
        format!("self.{errors_field}.iter().flatten()")
    } else {
        format!("self.{errors_field}.iter()")
    };
    let field = match module.paths.get(&join(&errors_path, "field")) {
        Some((f, ty)) if ty.starts_with("Option<") => format!("e.{f}.clone().unwrap_or_default()"),
        Some((f, _)) => format!("e.{f}.clone()"),
        None => "Vec::new()".to_owned(),
    };
    let code = match module.paths.get(&join(&errors_path, "code")) {
        Some((c, ty)) if ty.starts_with("Option<") => {
            format!("e.{c}.as_ref().map(|c| c.to_string())")
        }
        Some((c, _)) => format!("Some(e.{c}.to_string())"),
        None => "None".to_owned(),
    };
    let mutation = path
        .rsplit('.')
        .next()
        .filter(|m| !m.is_empty() && !m.contains('#'))?;
    Some(format!(
        "    impl ::shopify_client::HasUserErrors for {name} {{\n        const MUTATION: &'static str = {};\n\n        fn user_errors(&self) -> Vec<::shopify_client::UserError> {{\n            {iter}\n                .map(|e| ::shopify_client::UserError {{\n                    field: {field},\n                    message: e.{message}.clone(),\n                    code: {code},\n                }})\n                .collect()\n        }}\n    }}\n\n",
        rust_string(mutation)
    ))
}

/// `ResponseData::into_result` for a mutation with one root field whose payload has
/// user errors: the payload, or every user error, in one call.
pub(super) fn into_result(
    module: &Module,
    definition: &apollo_compiler::executable::Operation,
) -> Option<String> {
    let mut roots = definition.selection_set.fields();
    let root = roots.next()?;
    if roots.next().is_some() {
        return None;
    }
    let key = root.response_key().as_str();
    let (field, ty) = module.paths.get(key)?;
    let payload = strip(ty, "Option")?;
    if !module.user_errors.contains(payload) {
        return None;
    }
    Some(format!(
        "    impl ResponseData {{\n        /// The `{key}` payload when Shopify reported no user errors; otherwise every\n        /// user error (or that there was no payload).\n        pub fn into_result(self) -> Result<{payload}, ::shopify_client::UserErrors> {{\n            match self.{field} {{\n                Some(payload) => ::shopify_client::HasUserErrors::into_result(payload),\n                None => Err(::shopify_client::UserErrors {{ mutation: {}.to_owned(), errors: Vec::new() }}),\n            }}\n        }}\n    }}\n\n",
        rust_string(key)
    ))
}

/// `<op>_stream`: every node across pages, for operations with an `$after: String`
/// variable on a connection that selects `pageInfo { hasNextPage endCursor }`.
pub(super) fn stream_fn(
    module: &Module,
    op: &Operation,
    definition: &apollo_compiler::executable::Operation,
) -> Option<String> {
    let after = definition
        .variables
        .iter()
        .find(|v| v.name == "after" && matches!(v.ty.as_ref(), Type::Named(n) if n == "String"))?;
    let connection = find_paginated(&definition.selection_set, after.name.as_str(), "")?;
    // The path from `data` to the connection must not cross a list.
    let mut walked = String::new();
    for key in connection.split('.') {
        walked = join(&walked, key);
        let (_, ty) = module.paths.get(&walked)?;
        if ty.starts_with("Vec<") || ty.starts_with("Option<Vec<") {
            return None;
        }
    }
    let (_, has_next_ty) = module
        .paths
        .get(&join(&connection, "pageInfo.hasNextPage"))?;
    let (_, end_cursor_ty) = module.paths.get(&join(&connection, "pageInfo.endCursor"))?;
    if has_next_ty != "bool" || end_cursor_ty != "Option<String>" {
        return None;
    }
    let item_ty = if let Some((_, ty)) = module.paths.get(&join(&connection, "nodes")) {
        strip(ty, "Vec")?.to_owned()
    } else {
        let (_, edges_ty) = module.paths.get(&join(&connection, "edges"))?;
        let (_, node_ty) = module.paths.get(&join(&connection, "edges.node"))?;
        strip(edges_ty, "Vec")?;
        node_ty.clone()
    };
    let module_name = &op.module;
    let keys: Vec<String> = connection.split('.').map(rust_string).collect();
    Some(format!(
        "\n::shopify_client::__graphql_stream! {{\n/// Every node of `{connection}` across all pages of `{}`: runs it, then runs it\n/// again with `${}` set to each page's `endCursor` while `hasNextPage`. Pages are\n/// paced and retried like any request; the stream ends after an error.\n{module_name}_stream = {module_name}::{item_ty}, {}, [{}]\n}}\n",
        op.name,
        after.name,
        rust_string(&after.name),
        keys.join(", ")
    ))
}

/// The response path of the field whose `after` argument is `$variable`.
pub(super) fn find_paginated(set: &SelectionSet, variable: &str, path: &str) -> Option<String> {
    for field in set.fields() {
        let here = join(path, field.response_key().as_str());
        let uses_after = field
            .specified_argument_by_name("after")
            .and_then(|v| v.as_variable())
            .is_some_and(|v| v == variable);
        if uses_after {
            return Some(here);
        }
        if let Some(found) = find_paginated(&field.selection_set, variable, &here) {
            return Some(found);
        }
    }
    None
}
