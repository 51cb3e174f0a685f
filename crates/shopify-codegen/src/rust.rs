//! Rust emission.
//!
//! Output shape, all in one file:
//! - `pub mod types`: each schema enum and input object used by any operation, once;
//! - `pub mod fragments`: one struct per named fragment, shared by every operation;
//! - `pub mod <operation>`: `Variables`, `ResponseData` and nested types, the request
//!   text, and a marker type implementing `shopify_client::Operation`;
//! - `pub async fn <operation>(client, variables)` at the top level.
//!
//! Response types decode through `shopify_client::codec::FromJson`, written out here as
//! plain field-by-field code rather than serde derives: those derives dominated build
//! time. Each selection set decodes independently from the same JSON object, which is
//! what makes fragments composable without merging their types.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use apollo_compiler::Node;
use apollo_compiler::ast::{self, Type};
use apollo_compiler::executable::{Field, Selection, SelectionSet};
use apollo_compiler::schema::ExtendedType;
use heck::{ToSnakeCase, ToUpperCamelCase};
use indexmap::IndexMap;
use shopify_schema::AdminSchema;
use shopify_schema::cost::{Cost, Count};

use crate::{Compiled, Diagnostic, Diagnostics, Idempotency, Operation, OperationKind};

/// Keys one `shopify_client::codec::fields` call reads (its `FIELDS_AT_ONCE`).
const FIELDS_AT_ONCE: usize = 12;

/// How each GraphQL scalar is represented in Rust. A scalar missing here fails the build
/// with a message naming it, rather than with a rustc error in generated code.
const SCALARS: &[(&str, &str)] = &[
    ("String", "String"),
    ("Int", "i32"),
    ("Float", "f64"),
    ("Boolean", "bool"),
    ("ID", "::shopify_client::scalars::Gid"),
    ("ARN", "::shopify_client::scalars::Arn"),
    ("BigInt", "i64"),
    ("Color", "::shopify_client::scalars::Color"),
    ("Date", "::shopify_client::scalars::Date"),
    ("DateTime", "::shopify_client::scalars::DateTime"),
    ("Decimal", "::shopify_client::scalars::Decimal"),
    (
        "FormattedString",
        "::shopify_client::scalars::FormattedString",
    ),
    ("HTML", "::shopify_client::scalars::Html"),
    ("JSON", "::shopify_client::scalars::Json"),
    ("Money", "::shopify_client::scalars::Money"),
    ("StorefrontID", "::shopify_client::scalars::StorefrontId"),
    ("URL", "::shopify_client::scalars::Url"),
    ("UnsignedInt64", "u64"),
    ("UtcOffset", "::shopify_client::scalars::UtcOffset"),
];

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

fn ident(name: String) -> String {
    if KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

fn snake(name: &str) -> String {
    ident(name.trim_start_matches('_').to_snake_case())
}

fn pascal(name: &str) -> String {
    ident(name.trim_start_matches('_').to_upper_camel_case())
}

/// The first paragraph of a schema description, as `///` lines at `indent`.
fn doc(out: &mut String, indent: &str, text: &str) {
    let paragraph = text.trim().split("\n\n").next().unwrap_or_default();
    for line in paragraph.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

fn rust_string(text: &str) -> String {
    format!("{text:?}")
}

/// Generates the Rust code for every compiled operation.
pub fn generate(schema: &AdminSchema, compiled: &Compiled) -> Result<String, Diagnostics> {
    let mut emitter = Gen {
        schema,
        enums: BTreeSet::new(),
        inputs: BTreeSet::new(),
        errors: BTreeSet::new(),
        possible: HashMap::new(),
        file: String::new(),
    };
    let docs = FragmentDefs::new(compiled);
    let mut operations = String::new();
    for op in &compiled.operations {
        emitter.file = op.file.clone();
        emitter.operation(op, &docs, &mut operations);
    }
    let mut fragments = String::new();
    for (name, fragment) in &compiled.fragments {
        emitter.file = fragment.file.clone();
        if let Some(definition) = docs.fragment(name) {
            let mut module = Module::default();
            let root = pascal(name);
            let parts = [Part::Set(&definition.selection_set, false)];
            let doc_line = format!(
                "Fragment `{name}` on `{}` ({}).",
                fragment.type_condition, fragment.file
            );
            emitter.selection(
                &mut module,
                &format!("#{name}"),
                &root,
                &doc_line,
                definition.type_condition(),
                &parts,
                Ctx::Fragments,
                &docs,
            );
            module.write(&mut fragments);
        }
    }
    let types = emitter.types();
    if !emitter.errors.is_empty() {
        return Err(Diagnostics(emitter.errors.into_iter().collect()));
    }
    let mut out = String::with_capacity(operations.len() + fragments.len() + types.len() + 512);
    out.push_str("// Generated by shopify-codegen from graphql/ against schema/admin.graphql. Do not edit.\n\n");
    let _ = writeln!(
        out,
        "/// The Admin API version of the schema the operations were checked against;\n/// every request goes to this version.\npub const API_VERSION: &str = {};\n",
        rust_string(schema.api_version())
    );
    out.push_str("/// Schema enums and input objects used by the operations, each generated once.\npub mod types {\n    #![allow(clippy::all, missing_docs, rustdoc::all)]\n");
    out.push_str(&types);
    out.push_str("}\n\n/// Types of the named fragments in `graphql/fragments/`, shared by every operation.\npub mod fragments {\n    #![allow(clippy::all, missing_docs, rustdoc::all, unused_imports)]\n    use ::shopify_client::codec as __c;\n");
    out.push_str(&fragments);
    out.push_str("}\n");
    out.push_str(&operations);
    out.push_str("\n/// Every operation generated from `graphql/`, in file order.\npub const OPERATIONS: &[::shopify_client::OperationInfo] = &[\n");
    for op in &compiled.operations {
        let _ = writeln!(
            out,
            "    ::shopify_client::OperationInfo {{ name: {}, module: {}, file: {}, kind: ::shopify_client::OperationKind::{:?}, query: {}::QUERY, required_scopes: {}::REQUIRED_SCOPES }},",
            rust_string(&op.name),
            rust_string(&op.module),
            rust_string(&op.file),
            op.kind,
            op.module,
            op.module
        );
    }
    out.push_str("];\n");
    Ok(out)
}

/// Every named fragment definition, as prepared for codegen (with `__typename` added).
struct FragmentDefs(BTreeMap<String, Node<apollo_compiler::executable::Fragment>>);

impl FragmentDefs {
    fn new(compiled: &Compiled) -> Self {
        let mut all = BTreeMap::new();
        for op in &compiled.operations {
            for (name, fragment) in &op.document.fragments {
                all.entry(name.to_string())
                    .or_insert_with(|| fragment.clone());
            }
        }
        Self(all)
    }

    fn fragment(&self, name: &str) -> Option<&Node<apollo_compiler::executable::Fragment>> {
        self.0.get(name)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// Inside `pub mod <operation>`.
    Operation,
    /// Inside `pub mod fragments`.
    Fragments,
}

impl Ctx {
    fn fragments_path(self) -> &'static str {
        match self {
            Ctx::Operation => "super::fragments::",
            Ctx::Fragments => "",
        }
    }
}

/// What a selection set is made of, as the collecting walk sees it.
#[derive(Clone, Copy)]
enum Part<'a> {
    /// Selections applying to the object, `true` when under `@include`/`@skip`.
    Set(&'a SelectionSet, bool),
    /// A named fragment spread, `true` when conditional.
    Spread(&'a str, bool),
}

/// How a struct field is read from its object.
enum Decode {
    /// `__c::field(o, key, p)`.
    Key(String),
    /// The `__typename` of an abstract type.
    Typename,
    /// From the same object (a fragment, or the `on` enum).
    Same,
    /// From the same object, `None` when it does not decode (a conditional fragment).
    SameOptional,
    /// From the same object when `__typename` is one of these.
    When(Vec<String>),
}

struct StructField {
    name: String,
    ty: String,
    doc: Option<String>,
    decode: Decode,
}

#[derive(Default)]
struct Module {
    items: Vec<String>,
    names: BTreeSet<String>,
    /// Response path (`products.edges.node`) → the Rust field and its type, for
    /// following a path in generated code (pagination, user errors).
    paths: HashMap<String, (String, String)>,
    /// Structs that implement `HasUserErrors`.
    user_errors: BTreeSet<String>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

impl Module {
    fn unique(&mut self, wanted: String) -> String {
        let mut name = wanted.clone();
        let mut n = 2;
        while !self.names.insert(name.clone()) {
            name = format!("{wanted}{n}");
            n += 1;
        }
        name
    }

    fn write(&self, out: &mut String) {
        for item in &self.items {
            out.push_str(item);
        }
    }
}

struct Gen<'a> {
    schema: &'a AdminSchema,
    enums: BTreeSet<String>,
    inputs: BTreeSet<String>,
    errors: BTreeSet<Diagnostic>,
    possible: HashMap<String, BTreeSet<String>>,
    file: String,
}

fn has_condition(directives: &ast::DirectiveList) -> bool {
    directives.get("include").is_some() || directives.get("skip").is_some()
}

impl Gen<'_> {
    fn error(&mut self, message: String) {
        self.errors
            .insert(Diagnostic::error(&self.file, 0, 0, message));
    }

    fn scalar(&mut self, name: &str) -> String {
        if let Some((_, rust)) = SCALARS.iter().find(|(n, _)| *n == name) {
            return (*rust).to_owned();
        }
        self.error(format!(
            "scalar `{name}` has no Rust type; add it to SCALARS in crates/shopify-codegen/src/rust.rs (and a FromJson/ToJson impl in shopify-client's scalars)"
        ));
        "()".to_owned()
    }

    fn is_abstract(&self, ty: &str) -> bool {
        matches!(
            self.schema.schema.types.get(ty),
            Some(ExtendedType::Interface(_) | ExtendedType::Union(_))
        )
    }

    fn is_object(&self, ty: &str) -> bool {
        matches!(
            self.schema.schema.types.get(ty),
            Some(ExtendedType::Object(_))
        )
    }

    /// The object types a value of `ty` can be.
    fn possible_types(&mut self, ty: &str) -> BTreeSet<String> {
        if let Some(found) = self.possible.get(ty) {
            return found.clone();
        }
        let schema = &self.schema.schema;
        let found: BTreeSet<String> = match schema.types.get(ty) {
            Some(ExtendedType::Object(_)) => [ty.to_owned()].into(),
            Some(ExtendedType::Union(u)) => u.members.iter().map(|m| m.to_string()).collect(),
            Some(ExtendedType::Interface(_)) => schema
                .types
                .values()
                .filter_map(|t| match t {
                    ExtendedType::Object(o) if schema.is_subtype(ty, &o.name) => {
                        Some(o.name.to_string())
                    }
                    _ => None,
                })
                .collect(),
            _ => BTreeSet::new(),
        };
        self.possible.insert(ty.to_owned(), found.clone());
        found
    }

    /// Whether a fragment on `condition` applies to every value of `parent`.
    fn covers(&mut self, condition: &str, parent: &str) -> bool {
        condition == parent
            || self
                .possible_types(parent)
                .is_subset(&self.possible_types(condition))
    }

    fn output_leaf(&mut self, ty: &str) -> Option<String> {
        match self.schema.schema.types.get(ty) {
            Some(ExtendedType::Scalar(_)) => Some(self.scalar(ty)),
            Some(ExtendedType::Enum(_)) => {
                self.enums.insert(ty.to_owned());
                Some(format!("super::types::{}", pascal(ty)))
            }
            _ => None,
        }
    }

    fn operation(&mut self, op: &Operation, docs: &FragmentDefs, out: &mut String) {
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

    fn variables(&mut self, variables: &[Node<ast::VariableDefinition>], out: &mut String) {
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

    /// The Rust type of an input type; `types` is the path to the `types` module.
    fn input_type(&mut self, ty: &Type, types: &str) -> String {
        match ty {
            Type::Named(name) => format!("Option<{}>", self.input_leaf(name, types)),
            Type::NonNullNamed(name) => self.input_leaf(name, types),
            Type::List(inner) => format!("Option<Vec<{}>>", self.input_type(inner, types)),
            Type::NonNullList(inner) => format!("Vec<{}>", self.input_type(inner, types)),
        }
    }

    fn input_leaf(&mut self, name: &str, types: &str) -> String {
        match self.schema.schema.types.get(name) {
            Some(ExtendedType::Scalar(_)) => self.scalar(name),
            Some(ExtendedType::Enum(_)) => {
                self.enums.insert(name.to_owned());
                format!("{types}{}", pascal(name))
            }
            Some(ExtendedType::InputObject(_)) => {
                self.use_input(name);
                format!("{types}{}", pascal(name))
            }
            _ => {
                self.error(format!("`{name}` is not an input type"));
                "()".to_owned()
            }
        }
    }

    /// Marks an input object, and every input type it reaches, as used.
    fn use_input(&mut self, name: &str) {
        if !self.inputs.insert(name.to_owned()) {
            return;
        }
        let Some(input) = self.schema.schema.get_input_object(name) else {
            return;
        };
        let reached: Vec<String> = input
            .fields
            .values()
            .map(|f| f.ty.inner_named_type().to_string())
            .collect();
        for ty in reached {
            match self.schema.schema.types.get(ty.as_str()) {
                Some(ExtendedType::InputObject(_)) => self.use_input(&ty),
                Some(ExtendedType::Enum(_)) => {
                    self.enums.insert(ty);
                }
                _ => {}
            }
        }
    }

    /// Generates the struct `name` for `parts` selected on `parent`, and every type nested
    /// in it, into `module`.
    #[allow(clippy::too_many_arguments)]
    fn selection(
        &mut self,
        module: &mut Module,
        path: &str,
        name: &str,
        doc_line: &str,
        parent: &str,
        parts: &[Part<'_>],
        ctx: Ctx,
        docs: &FragmentDefs,
    ) {
        // Collect fields by response key, fragments that always apply, and fragments on
        // narrower types.
        let mut fields: IndexMap<String, (Vec<&Node<Field>>, bool)> = IndexMap::new();
        let mut spreads: IndexMap<String, bool> = IndexMap::new();
        let mut narrow: IndexMap<String, Vec<Part<'_>>> = IndexMap::new();
        let mut stack: Vec<Part<'_>> = parts.iter().rev().copied().collect();
        while let Some(part) = stack.pop() {
            match part {
                Part::Spread(fragment, conditional) => {
                    let Some(def) = docs.fragment(fragment) else {
                        continue;
                    };
                    let condition = def.type_condition().to_string();
                    if self.covers(&condition, parent) {
                        let entry = spreads.entry(fragment.to_owned()).or_insert(conditional);
                        *entry &= conditional;
                    } else {
                        narrow.entry(condition).or_default().push(part);
                    }
                }
                Part::Set(set, conditional) => {
                    // Fragments that always apply are expanded after this set's own
                    // fields, in document order.
                    let mut expand = Vec::new();
                    for selection in &set.selections {
                        match selection {
                            Selection::Field(_) => {}
                            Selection::InlineFragment(inline) => {
                                let conditional = conditional || has_condition(&inline.directives);
                                let condition = inline
                                    .type_condition
                                    .as_ref()
                                    .map_or_else(|| parent.to_owned(), |c| c.to_string());
                                let part = Part::Set(&inline.selection_set, conditional);
                                if self.covers(&condition, parent) {
                                    expand.push(part);
                                } else {
                                    narrow.entry(condition).or_default().push(part);
                                }
                            }
                            Selection::FragmentSpread(spread) => expand.push(Part::Spread(
                                spread.fragment_name.as_str(),
                                conditional || has_condition(&spread.directives),
                            )),
                        }
                    }
                    stack.extend(expand.into_iter().rev());
                    // Fields in document order, before the fragments queued above.
                    for selection in &set.selections {
                        if let Selection::Field(field) = selection {
                            let conditional = conditional || has_condition(&field.directives);
                            let entry = fields
                                .entry(field.response_key().to_string())
                                .or_insert((Vec::new(), true));
                            entry.0.push(field);
                            entry.1 &= conditional;
                        }
                    }
                }
            }
        }

        let is_abstract = self.is_abstract(parent);
        let mut out_fields: Vec<StructField> = Vec::new();
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let mut field_name = |wanted: String| {
            let mut name = wanted.clone();
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{wanted}_{n}");
                n += 1;
            }
            name
        };
        if is_abstract {
            out_fields.push(StructField {
                name: field_name("typename".to_owned()),
                ty: "String".to_owned(),
                doc: Some("The concrete type's name (`__typename`).".to_owned()),
                decode: Decode::Typename,
            });
        }
        let child_prefix = if name == "ResponseData" {
            String::new()
        } else {
            name.to_owned()
        };
        for (key, (occurrences, conditional)) in &fields {
            let Some(first) = occurrences.first() else {
                continue;
            };
            if is_abstract && key == "__typename" {
                continue;
            }
            let ty = first.ty().clone();
            let inner = ty.inner_named_type().to_string();
            let leaf = match self.output_leaf(&inner) {
                Some(leaf) => leaf,
                None => {
                    let child = module.unique(format!("{child_prefix}{}", pascal(key)));
                    let sets: Vec<Part<'_>> = occurrences
                        .iter()
                        .map(|f| Part::Set(&f.selection_set, false))
                        .collect();
                    let line = format!("`{inner}` selected as `{key}`.");
                    self.selection(
                        module,
                        &join(path, key),
                        &child,
                        &line,
                        &inner,
                        &sets,
                        ctx,
                        docs,
                    );
                    child
                }
            };
            let mut rust = output_type(&ty, &leaf);
            if *conditional && !rust.starts_with("Option<") {
                rust = format!("Option<{rust}>");
            }
            let rust_name = field_name(snake(key));
            module
                .paths
                .insert(join(path, key), (rust_name.clone(), rust.clone()));
            out_fields.push(StructField {
                name: rust_name,
                ty: rust,
                doc: first.definition.description.as_ref().map(|d| d.to_string()),
                decode: Decode::Key(key.clone()),
            });
        }
        for (fragment, conditional) in &spreads {
            let ty = format!("{}{}", ctx.fragments_path(), pascal(fragment));
            out_fields.push(StructField {
                name: field_name(snake(fragment)),
                ty: if *conditional {
                    format!("Option<{ty}>")
                } else {
                    ty
                },
                doc: Some(format!("The fields of fragment `{fragment}`.")),
                decode: if *conditional {
                    Decode::SameOptional
                } else {
                    Decode::Same
                },
            });
        }
        let mut variants = Vec::new();
        for (condition, parts) in &narrow {
            let struct_name = module.unique(format!("{name}On{}", pascal(condition)));
            let line = format!("The fields selected when `{parent}` is a `{condition}`.");
            // Paths stop at type conditions: only plain field paths are followed.
            let narrowed = format!("{path}#{condition}");
            self.selection(
                module,
                &narrowed,
                &struct_name,
                &line,
                condition,
                parts,
                ctx,
                docs,
            );
            if self.is_object(condition) {
                variants.push((condition.clone(), struct_name));
            } else {
                let mut types: Vec<String> = self
                    .possible_types(condition)
                    .intersection(&self.possible_types(parent))
                    .cloned()
                    .collect();
                types.sort();
                out_fields.push(StructField {
                    name: field_name(format!("on_{}", snake(condition))),
                    ty: format!("Option<{struct_name}>"),
                    doc: Some(format!("Set when this `{parent}` is also a `{condition}`.")),
                    decode: Decode::When(types),
                });
            }
        }
        if !variants.is_empty() {
            let enum_name = module.unique(format!("{name}On"));
            out_fields.push(StructField {
                name: field_name("on".to_owned()),
                ty: enum_name.clone(),
                doc: Some(format!(
                    "The fields that depend on which `{parent}` this is."
                )),
                decode: Decode::Same,
            });
            module.items.push(on_enum(&enum_name, parent, &variants));
        }

        module
            .items
            .push(self.struct_item(name, doc_line, parent, &out_fields));
        if let Some(item) = user_errors_impl(module, path, name) {
            module.user_errors.insert(name.to_owned());
            module.items.push(item);
        }
    }

    fn struct_item(
        &self,
        name: &str,
        doc_line: &str,
        parent: &str,
        fields: &[StructField],
    ) -> String {
        let mut out = String::new();
        out.push_str("::shopify_client::__graphql_object! {\n");
        let _ = writeln!(out, "    /// {doc_line}");
        if let Some(description) = self
            .schema
            .schema
            .types
            .get(parent)
            .and_then(|t| t.description())
        {
            out.push_str("    ///\n");
            doc(&mut out, "    ", description);
        }
        let _ = writeln!(out, "    {name}: {} {{", rust_string(parent));
        for field in fields {
            if let Some(text) = &field.doc {
                doc(&mut out, "        ", text);
            }
            let _ = writeln!(out, "        {}: {},", field.name, field.ty);
        }
        out.push_str("    }\n    keys {");
        let keyed: Vec<(&str, &str)> = fields
            .iter()
            .filter_map(|f| match &f.decode {
                Decode::Key(key) => Some((f.name.as_str(), key.as_str())),
                _ => None,
            })
            .collect();
        for chunk in keyed.chunks(FIELDS_AT_ONCE) {
            let names: Vec<&str> = chunk.iter().map(|(name, _)| *name).collect();
            let keys: Vec<String> = chunk.iter().map(|(_, key)| rust_string(key)).collect();
            let _ = write!(out, " ({}) = [{}];", names.join(", "), keys.join(", "));
        }
        out.push_str(" }\n    other {");
        for field in fields {
            let how = match &field.decode {
                Decode::Key(_) => continue,
                Decode::Typename => "typename()".to_owned(),
                Decode::Same => "same()".to_owned(),
                Decode::SameOptional => "maybe()".to_owned(),
                Decode::When(types) => {
                    let quoted: Vec<String> = types.iter().map(|t| rust_string(t)).collect();
                    format!("when([{}])", quoted.join(", "))
                }
            };
            let _ = write!(out, " {} = {how},", field.name);
        }
        out.push_str(" }\n}\n\n");
        out
    }

    /// The `types` module: every enum and input object the operations use.
    fn types(&mut self) -> String {
        let mut out = String::new();
        let inputs: Vec<String> = self.inputs.iter().cloned().collect();
        for name in &inputs {
            self.input_object(name, &mut out);
        }
        let enums: Vec<String> = self.enums.iter().cloned().collect();
        for name in &enums {
            self.enum_item(name, &mut out);
        }
        out
    }

    fn enum_item(&mut self, name: &str, out: &mut String) {
        let Some(def) = self.schema.schema.get_enum(name) else {
            return;
        };
        let rust = pascal(name);
        let mut variants: Vec<(String, String, Option<String>)> = Vec::new();
        let mut taken = BTreeSet::new();
        for (value, definition) in &def.values {
            let mut variant = pascal(value);
            while !taken.insert(variant.clone()) {
                variant.push('_');
            }
            variants.push((
                variant,
                value.to_string(),
                definition.description.as_ref().map(|d| d.to_string()),
            ));
        }
        let unknown = if taken.contains("Unknown") {
            "UnknownValue"
        } else {
            "Unknown"
        };
        out.push_str("::shopify_client::__graphql_enum! {\n");
        if let Some(description) = &def.description {
            doc(out, "    ", description);
        }
        let _ = writeln!(out, "    {rust} / {unknown} {{");
        for (variant, value, description) in &variants {
            match description {
                Some(text) => doc(out, "        ", text),
                None => {
                    let _ = writeln!(out, "        /// `{value}`");
                }
            }
            let _ = writeln!(out, "        {variant} = {},", rust_string(value));
        }
        out.push_str("    }\n}\n\n");
    }

    fn input_object(&mut self, name: &str, out: &mut String) {
        let Some(def) = self.schema.schema.get_input_object(name).cloned() else {
            return;
        };
        let rust = pascal(name);
        if def.directives.get("oneOf").is_some() {
            // Exactly one field must be set: a Rust enum says so in the type.
            out.push_str("::shopify_client::__graphql_one_of! {\n");
            if let Some(description) = &def.description {
                doc(out, "    ", description);
            }
            let _ = writeln!(out, "    {rust} {{");
            for (field, definition) in &def.fields {
                let ty = self.input_type(&definition.ty.as_ref().clone().non_null(), "");
                if let Some(text) = &definition.description {
                    doc(out, "        ", text);
                }
                let _ = writeln!(
                    out,
                    "        {}({}) = {},",
                    pascal(field),
                    self.boxed(name, &definition.ty, ty),
                    rust_string(field)
                );
            }
            out.push_str("    }\n}\n\n");
            return;
        }
        let mut fields = Vec::new();
        for (field, definition) in &def.fields {
            let ty = self.input_type(&definition.ty, "");
            let ty = self.boxed(name, &definition.ty, ty);
            // A few nullable fields must be sent even when null (`changeFromQuantity`,
            // whose null means "skip the compare-and-swap check").
            let always = definition
                .description
                .as_deref()
                .is_some_and(|d| d.contains("explicitly pass in a value"));
            let mut description = definition.description.as_ref().map(|d| d.to_string());
            if always {
                let note = "Always sent: `None` goes out as `null`, which Shopify requires to be explicit.";
                description = Some(match description {
                    Some(d) => format!("{note}\n\n{d}"),
                    None => note.to_owned(),
                });
            }
            fields.push(InputField {
                name: snake(field),
                key: field.to_string(),
                ty,
                doc: description,
                always,
            });
        }
        input_struct(out, &rust, def.description.as_deref(), &fields);
    }

    /// Boxes a non-list field whose input type leads back to `owner`, so the struct has a
    /// finite size.
    fn boxed(&self, owner: &str, ty: &Type, rust: String) -> String {
        if ty.is_list() {
            return rust;
        }
        let target = ty.inner_named_type().as_str();
        if self.schema.schema.get_input_object(target).is_none() || !self.reaches(target, owner) {
            return rust;
        }
        match rust
            .strip_prefix("Option<")
            .and_then(|r| r.strip_suffix('>'))
        {
            Some(inner) => format!("Option<Box<{inner}>>"),
            None => format!("Box<{rust}>"),
        }
    }

    /// Whether input type `from` contains `to` without going through a list.
    fn reaches(&self, from: &str, to: &str) -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(ty) = stack.pop() {
            if ty == to {
                return true;
            }
            if !seen.insert(ty.clone()) {
                continue;
            }
            if let Some(input) = self.schema.schema.get_input_object(&ty) {
                for field in input.fields.values() {
                    if !field.ty.is_list() {
                        stack.push(field.ty.inner_named_type().to_string());
                    }
                }
            }
        }
        false
    }
}

/// The cost expression as Rust over `variables`.
fn cost_expr(cost: &Cost) -> String {
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

/// A field of an input struct (variables or an input object).
struct InputField {
    name: String,
    key: String,
    ty: String,
    doc: Option<String>,
    /// Sent even when `None` (as `null`).
    always: bool,
}

/// Variables or an input object, as `__graphql_input!`.
fn input_struct(out: &mut String, rust: &str, description: Option<&str>, fields: &[InputField]) {
    out.push_str("::shopify_client::__graphql_input! {\n");
    if let Some(description) = description {
        doc(out, "    ", description);
    }
    // Default only when every field may be left unset.
    if fields.iter().all(|f| f.ty.starts_with("Option<")) {
        out.push_str("    #[derive(Default)]\n");
    }
    let _ = writeln!(out, "    {rust} {{");
    for field in fields {
        if let Some(text) = &field.doc {
            doc(out, "        ", text);
        }
        let put = if field.always { "put_always" } else { "put" };
        let _ = writeln!(
            out,
            "        {}: {} = {put} {},",
            field.name,
            field.ty,
            rust_string(&field.key)
        );
    }
    out.push_str("    }\n}\n\n");
}

fn scopes_literal(access: &shopify_schema::scopes::Access) -> String {
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

fn strip<'t>(ty: &'t str, wrapper: &str) -> Option<&'t str> {
    ty.strip_prefix(wrapper)?
        .strip_prefix('<')?
        .strip_suffix('>')
}

/// `impl HasUserErrors` for a payload struct selecting `userErrors { field message }`.
fn user_errors_impl(module: &Module, path: &str, name: &str) -> Option<String> {
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
fn into_result(
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
fn stream_fn(
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
fn find_paginated(set: &SelectionSet, variable: &str, path: &str) -> Option<String> {
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

fn output_type(ty: &Type, leaf: &str) -> String {
    match ty {
        Type::Named(_) => format!("Option<{leaf}>"),
        Type::NonNullNamed(_) => leaf.to_owned(),
        Type::List(inner) => format!("Option<Vec<{}>>", output_type(inner, leaf)),
        Type::NonNullList(inner) => format!("Vec<{}>", output_type(inner, leaf)),
    }
}

fn on_enum(name: &str, parent: &str, variants: &[(String, String)]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "::shopify_client::__graphql_on! {{\n    /// Which `{parent}` this is, with the fields selected for that type.\n    {name}: {} {{",
        rust_string(parent)
    );
    for (ty, struct_name) in variants {
        let _ = writeln!(
            out,
            "        /// A `{ty}`.\n        {}({struct_name}) = {},",
            pascal(ty),
            rust_string(ty)
        );
    }
    out.push_str("    }\n}\n\n");
    out
}
