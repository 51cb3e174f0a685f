//! Bulk operations (`graphql/bulk/`): typed rows for a bulk query, typed lines for a bulk
//! mutation. Not emitted as ordinary operations (no `<op>(client, vars)` function).
//!
//! A bulk query becomes one struct per connection level (`Product`, `ProductVariant`),
//! each with its fields and, below the top, `parent_id` (`__parentId`); `Row`, an enum
//! over the levels picked by `__typename` (which the sent text selects first at every
//! level); `Operation` (`shopify_client::bulk_codec::BulkQuery`) and `run(&client)`.
//! Rows decode straight from the line's bytes (`__graphql_bulk_object!`), not through
//! `FromJson`: a result file can hold millions of lines.
//!
//! A bulk mutation becomes `Variables` (one line of the variables file), `ResponseData`
//! (one line's `data`), `ResultLine`, `Operation` (`BulkMutation`) and `run(&client, lines)`.

use std::fmt::Write as _;

use apollo_compiler::Node;
use apollo_compiler::executable::{Field, Selection, SelectionSet};
use indexmap::IndexMap;
use shopify_schema::bulk::is_connection;

use super::names::{output_type, pascal, rust_string, snake};
use super::{Ctx, FragmentDefs, Gen, Module, Part};
use crate::check::position;
use crate::{Diagnostic, Operation, OperationKind};

/// One connection level of a bulk query.
struct Level {
    /// The struct (and `Row` variant) name.
    name: String,
    /// The node type, the line's `__typename`.
    node_type: String,
    /// The response path to the connection, e.g. `products.variants`.
    path: String,
    /// The level this one is nested in.
    parent: Option<usize>,
    /// Whether the level selects a non-null `id`: `Some(true)` non-null, `Some(false)` nullable.
    id: Option<bool>,
    /// Where the connection field is, for errors.
    at: (usize, usize),
}

impl Gen<'_> {
    pub(super) fn bulk_operation(&mut self, op: &Operation, docs: &FragmentDefs, out: &mut String) {
        let kind = match op.kind {
            OperationKind::Query => "query",
            OperationKind::Mutation => "mutation",
        };
        let _ = writeln!(
            out,
            "\n/// The bulk {kind} `{}` ({}): typed lines, run through `shopify_client::bulk`.",
            op.name, op.file
        );
        let _ = writeln!(
            out,
            "pub mod {} {{\n    #![allow(clippy::all, missing_docs, rustdoc::all, unused_imports)]\n    use ::shopify_client::codec as __c;\n",
            op.module
        );
        let scopes: Vec<String> = op
            .access
            .clauses
            .iter()
            .map(|clause| {
                let names: Vec<String> = clause.iter().map(|s| rust_string(s)).collect();
                format!("&[{}]", names.join(", "))
            })
            .collect();
        let scopes = scopes.join(", ");
        let _ = writeln!(
            out,
            "    /// The operation name.\n    pub const NAME: &str = {};\n    /// The exact text sent.\n    pub const QUERY: &str = {};\n    /// Access scopes: every inner list met by any one of its scopes.\n    pub const REQUIRED_SCOPES: &[&[&str]] = &[{}];\n",
            rust_string(&op.name),
            rust_string(&op.text),
            scopes
        );
        match op.kind {
            OperationKind::Query => self.bulk_query(op, docs, out),
            OperationKind::Mutation => self.bulk_mutation(op, docs, out),
        }
        out.push_str("}\n");
    }

    fn located(&mut self, op: &Operation, field: &Node<Field>, message: String) {
        let (line, column) = position(field.location(), &op.document.sources);
        self.errors
            .insert(Diagnostic::error(&op.file, line, column, message));
    }

    fn bulk_query(&mut self, op: &Operation, docs: &FragmentDefs, out: &mut String) {
        let definition = op.definition();
        let mut module = Module::default();
        module
            .names
            .extend(["Row", "Operation", "NAME", "QUERY"].map(str::to_owned));
        let mut levels = Vec::new();
        self.find_levels(
            op,
            docs,
            &definition.selection_set,
            "",
            None,
            &mut module,
            &mut levels,
        );
        if levels.is_empty() {
            return;
        }
        // A child names its parent by id: the parent must select it.
        for child in &levels {
            if let Some(parent) = child.parent {
                if levels[parent].id.is_none() {
                    let parent = &levels[parent];
                    self.errors.insert(Diagnostic::error(
                        &op.file,
                        child.at.0,
                        child.at.1,
                        format!(
                            "the `{}` rows have children (`{}`), which name their parent by id: select `id` in `{}`",
                            parent.path, child.path, parent.path
                        ),
                    ));
                }
            }
        }
        module.write(out);

        out.push_str("    /// One line of the result file: a row of one of the query's levels.\n    #[derive(Debug, Clone)]\n    pub enum Row {\n");
        for level in &levels {
            let _ = writeln!(
                out,
                "        /// A `{}` line (`{}`).\n        {}({}),",
                level.node_type, level.path, level.name, level.name
            );
        }
        out.push_str("    }\n\n    impl ::shopify_client::bulk::BulkRow for Row {\n        fn decode(line: &[u8]) -> ::std::result::Result<Self, ::shopify_client::bulk::RowError> {\n            match ::shopify_client::bulk::typename_of(line) {\n");
        for level in &levels {
            let _ = writeln!(
                out,
                "                Some({}) => ::shopify_client::bulk_codec::decode_line(line).map(Self::{}),",
                rust_string(&level.node_type),
                level.name
            );
        }
        out.push_str("                Some(other) => Err(::shopify_client::bulk::RowError::UnknownType(other.to_owned())),\n");
        if levels.len() == 1 {
            let _ = writeln!(
                out,
                "                None => ::shopify_client::bulk_codec::decode_line(line).map(Self::{}),",
                levels[0].name
            );
        } else {
            out.push_str(
                "                None => Err(::shopify_client::bulk::RowError::MissingType),\n",
            );
        }
        out.push_str("            }\n        }\n\n        fn id(&self) -> Option<&str> {\n            match self {\n");
        for level in &levels {
            let value = match level.id {
                Some(true) => "Some(row.id.as_str())",
                Some(false) => "row.id.as_ref().map(|id| id.as_str())",
                None => "{ let _ = row; None }",
            };
            let _ = writeln!(out, "                Self::{}(row) => {value},", level.name);
        }
        out.push_str("            }\n        }\n\n        fn parent_id(&self) -> Option<&str> {\n            match self {\n");
        for level in &levels {
            let value = if level.parent.is_some() {
                "Some(row.parent_id.as_str())"
            } else {
                "{ let _ = row; None }"
            };
            let _ = writeln!(out, "                Self::{}(row) => {value},", level.name);
        }
        out.push_str("            }\n        }\n    }\n\n");
        let _ = writeln!(
            out,
            "    /// The bulk query, for `shopify_client::bulk_codec::export`.\n    #[derive(Debug, Clone, Copy)]\n    pub struct Operation;\n\n    impl ::shopify_client::bulk_codec::BulkQuery for Operation {{\n        const NAME: &'static str = NAME;\n        const QUERY: &'static str = QUERY;\n        type Row = Row;\n    }}\n\n    /// Runs the bulk query, waits for it and opens its result file as typed rows\n    /// (streamed; `None` when nothing matched). Children may come before their parents.\n    pub async fn run(client: &::shopify_client::Client) -> ::std::result::Result<Option<::shopify_client::bulk::Rows<Row>>, ::shopify_client::bulk::BulkError> {{\n        let bulk = ::shopify_client::bulk::Bulk::new(client, super::API_VERSION);\n        ::shopify_client::bulk_codec::export::<Operation>(&bulk, |_| {{}}).await\n    }}"
        );
    }

    /// Walks `set` for connections: each is a level; fields outside connections are not
    /// part of any line (Shopify writes only connection nodes).
    #[allow(clippy::too_many_arguments)]
    fn find_levels(
        &mut self,
        op: &Operation,
        docs: &FragmentDefs,
        set: &SelectionSet,
        path: &str,
        parent: Option<usize>,
        module: &mut Module,
        levels: &mut Vec<Level>,
    ) {
        for field in self.flatten(op, docs, set) {
            let key = field.response_key().to_string();
            let here = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            let ty = field.ty().inner_named_type().to_string();
            if is_connection(&self.schema.schema, &ty) {
                self.level(op, docs, &field, here, parent, module, levels);
            } else if !field.selection_set.selections.is_empty() {
                self.find_levels(
                    op,
                    docs,
                    &field.selection_set,
                    &here,
                    parent,
                    module,
                    levels,
                );
            }
        }
    }

    /// The fields of `set`, with fragments on the same type flattened in; a fragment on
    /// a narrower type is a located error (rows are one struct per level).
    fn flatten(
        &mut self,
        op: &Operation,
        docs: &FragmentDefs,
        set: &SelectionSet,
    ) -> Vec<Node<Field>> {
        let mut fields = Vec::new();
        let parent = set.ty.to_string();
        self.flatten_into(op, docs, set, &parent, &mut fields);
        fields
    }

    fn flatten_into(
        &mut self,
        op: &Operation,
        docs: &FragmentDefs,
        set: &SelectionSet,
        parent: &str,
        fields: &mut Vec<Node<Field>>,
    ) {
        for selection in &set.selections {
            match selection {
                Selection::Field(field) => fields.push(field.clone()),
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .type_condition
                        .as_ref()
                        .map_or(parent.to_owned(), |t| t.to_string());
                    if self.covers(&on, parent) {
                        self.flatten_into(op, docs, &inline.selection_set, parent, fields);
                    } else {
                        self.bulk_unsupported(op, &inline.selection_set, &on, parent);
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let Some(fragment) = docs.fragment(spread.fragment_name.as_str()) else {
                        continue;
                    };
                    let on = fragment.type_condition().to_string();
                    if self.covers(&on, parent) {
                        self.flatten_into(op, docs, &fragment.selection_set, parent, fields);
                    } else {
                        self.bulk_unsupported(op, &fragment.selection_set, &on, parent);
                    }
                }
            }
        }
    }

    fn bulk_unsupported(&mut self, op: &Operation, set: &SelectionSet, on: &str, parent: &str) {
        let first = set.selections.iter().find_map(|s| match s {
            Selection::Field(f) => Some(f.clone()),
            _ => None,
        });
        let message = format!(
            "a fragment on `{on}` inside `{parent}`: bulk rows are one struct per level, so select fields of `{parent}` itself"
        );
        match first {
            Some(field) => self.located(op, &field, message),
            None => self.error(message),
        }
    }

    /// One level: its struct, from the connection's `nodes { … }` / `edges { node { … } }`.
    #[allow(clippy::too_many_arguments)]
    fn level(
        &mut self,
        op: &Operation,
        docs: &FragmentDefs,
        connection: &Node<Field>,
        path: String,
        parent: Option<usize>,
        module: &mut Module,
        levels: &mut Vec<Level>,
    ) {
        let mut node_sets: Vec<&SelectionSet> = Vec::new();
        for inner in &connection.selection_set.selections {
            let Selection::Field(inner) = inner else {
                continue;
            };
            match inner.name.as_str() {
                "nodes" => node_sets.push(&inner.selection_set),
                "edges" => {
                    for edge in &inner.selection_set.selections {
                        if let Selection::Field(node) = edge {
                            if node.name == "node" {
                                node_sets.push(&node.selection_set);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        let Some(first) = node_sets.first() else {
            return;
        };
        let node_type = first.ty.to_string();
        if self.is_abstract(&node_type) {
            self.located(
                op,
                connection,
                format!("connection `{path}` has nodes of the abstract type `{node_type}`: bulk rows need one object type per level"),
            );
            return;
        }
        if let Some(other) = levels.iter().find(|l| l.node_type == node_type) {
            let message = format!(
                "connections `{}` and `{path}` both have `{node_type}` nodes, so their lines cannot be told apart by `__typename`; export them in two bulk queries",
                other.path
            );
            self.located(op, connection, message);
            return;
        }
        let mut fields: Vec<Node<Field>> = Vec::new();
        for set in &node_sets {
            fields.extend(self.flatten(op, docs, set));
        }
        let index = levels.len();
        let name = module.unique(pascal(&node_type));
        levels.push(Level {
            name: name.clone(),
            node_type: node_type.clone(),
            path: path.clone(),
            parent,
            id: None,
            at: position(connection.location(), &op.document.sources),
        });
        let mut row_fields = Vec::new();
        let mut nested = Vec::new();
        for field in fields {
            let ty = field.ty().inner_named_type().to_string();
            if is_connection(&self.schema.schema, &ty) {
                let child = format!("{path}.{}", field.response_key());
                nested.push((field, child));
            } else {
                row_fields.push(field);
            }
        }
        let doc = format!("A `{node_type}` line: a node of `{path}`.");
        let id = self.bulk_struct(
            op,
            docs,
            module,
            &name,
            &doc,
            &node_type,
            &row_fields,
            parent.is_some(),
        );
        levels[index].id = id;
        for (field, child) in nested {
            self.level(op, docs, &field, child, Some(index), module, levels);
        }
    }

    /// A row struct (`parent`: with `parent_id`) or an object inside one, and every
    /// struct nested in it. Returns whether it has a non-null (`true`) or nullable `id`.
    #[allow(clippy::too_many_arguments)]
    fn bulk_struct(
        &mut self,
        op: &Operation,
        docs: &FragmentDefs,
        module: &mut Module,
        name: &str,
        doc_line: &str,
        parent_type: &str,
        fields: &[Node<Field>],
        parent: bool,
    ) -> Option<bool> {
        // Fields by response key; the same key selected twice merges its selections.
        let mut by_key: IndexMap<String, Vec<Node<Field>>> = IndexMap::new();
        for field in fields {
            if field.name == "__typename" {
                continue;
            }
            by_key
                .entry(field.response_key().to_string())
                .or_default()
                .push(field.clone());
        }
        let mut names = std::collections::BTreeSet::new();
        let mut lines = Vec::new();
        let mut id = None;
        for (key, selected) in &by_key {
            let field = &selected[0];
            let leaf_name = field.ty().inner_named_type().to_string();
            let mut rust_name = snake(key);
            while !names.insert(rust_name.clone()) || (parent && rust_name == "parent_id") {
                rust_name.push('_');
            }
            let (leaf, via) = if field.selection_set.selections.is_empty() {
                match self.output_leaf(&leaf_name) {
                    Some(leaf) if leaf.starts_with("super::types::") => (leaf, "Json"),
                    Some(leaf) => (leaf, "Slot"),
                    None => continue,
                }
            } else {
                if self.is_abstract(&leaf_name) {
                    self.located(
                        op,
                        field,
                        format!("`{key}` is of the abstract type `{leaf_name}`: bulk rows support object fields only"),
                    );
                    continue;
                }
                let inner: Vec<Node<Field>> = selected
                    .iter()
                    .flat_map(|f| self.flatten(op, docs, &f.selection_set))
                    .collect();
                if let Some(connection) = inner
                    .iter()
                    .find(|f| is_connection(&self.schema.schema, f.ty().inner_named_type()))
                {
                    let message = format!(
                        "connection `{}` inside the object `{key}`: bulk rows read connections on the node itself",
                        connection.response_key()
                    );
                    self.located(op, connection, message);
                    continue;
                }
                let struct_name = module.unique(format!("{name}{}", pascal(key)));
                let doc = format!("`{key}` of `{name}`.");
                self.bulk_struct(
                    op,
                    docs,
                    module,
                    &struct_name,
                    &doc,
                    &leaf_name,
                    &inner,
                    false,
                );
                (struct_name, "Slot")
            };
            let rust_ty = output_type(field.ty(), &leaf);
            if key == "id" && field.name == "id" && leaf == "::shopify_client::scalars::Gid" {
                id = Some(field.ty().is_non_null());
            }
            let description = self
                .schema
                .schema
                .type_field(parent_type, &field.name)
                .ok()
                .and_then(|d| d.description.as_ref().map(|d| d.to_string()));
            lines.push((rust_name, rust_ty, key.clone(), via, description));
        }
        let mut text = String::new();
        let _ = writeln!(
            text,
            "    ::shopify_client::__graphql_bulk_object! {{\n        /// {doc_line}\n        {name} {{"
        );
        let mut index = 0;
        for (rust_name, rust_ty, key, via, description) in &lines {
            if let Some(description) = description {
                super::names::doc(&mut text, "            ", description);
            }
            let _ = writeln!(
                text,
                "            {rust_name}: {rust_ty} = {} @ {index} as {via},",
                rust_string(key)
            );
            index += 1;
        }
        if parent {
            let _ = writeln!(
                text,
                "            /// `__parentId`: the id of the row this one is nested in.\n            parent_id: ::shopify_client::scalars::Gid = \"__parentId\" @ {index} as Slot,"
            );
        }
        text.push_str("        }\n    }\n\n");
        // Nested structs were pushed first; the level's own struct goes before them.
        module.items.push(text);
        id
    }

    fn bulk_mutation(&mut self, op: &Operation, docs: &FragmentDefs, out: &mut String) {
        let definition = op.definition();
        self.variables(&definition.variables, out);
        let mut module = Module::default();
        module
            .names
            .extend(["Variables", "ResponseData", "ResultLine", "Operation"].map(str::to_owned));
        let root_type = definition.selection_set.ty.to_string();
        let parts = [Part::Set(&definition.selection_set, false)];
        let doc_line = format!("The `data` of one line of `{}`'s result file.", op.name);
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
        if let Some(item) = super::operations::into_result(&module, definition) {
            module.items.push(item);
        }
        module.write(out);
        let _ = writeln!(
            out,
            "    /// One line of the result file: the `data` for one line of variables.\n    pub type ResultLine = ::shopify_client::bulk_codec::MutationResult<ResponseData>;\n\n    /// The bulk mutation, for `shopify_client::bulk_codec::import`.\n    #[derive(Debug, Clone, Copy)]\n    pub struct Operation;\n\n    impl ::shopify_client::bulk_codec::BulkMutation for Operation {{\n        const NAME: &'static str = NAME;\n        const MUTATION: &'static str = QUERY;\n        type Variables = Variables;\n        type Response = ResponseData;\n    }}\n\n    /// The variables file: one JSON line per `Variables`.\n    pub fn variables_file<'a>(lines: impl IntoIterator<Item = &'a Variables>) -> Vec<u8> {{\n        ::shopify_client::bulk_codec::variables_file(lines)\n    }}\n\n    /// Uploads `lines`, runs the mutation once per line, waits, and opens the result\n    /// file as typed lines (`None` when there were no lines).\n    pub async fn run<'a>(client: &::shopify_client::Client, lines: impl IntoIterator<Item = &'a Variables>) -> ::std::result::Result<Option<::shopify_client::bulk::Rows<ResultLine>>, ::shopify_client::bulk::BulkError> {{\n        let bulk = ::shopify_client::bulk::Bulk::new(client, super::API_VERSION);\n        ::shopify_client::bulk_codec::import::<Operation>(&bulk, lines, |_| {{}}).await\n    }}"
        );
    }
}
