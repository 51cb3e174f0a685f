//! Rust emission.
//!
//! Output shape (one text; the build puts each operation in a file of its own, see
//! [`generate_parts`]):
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
//!
//! Rooms, by what they emit (as prost-build's `code_generator`): this file drives the
//! walk and holds the state shared by all; `names` maps GraphQL names and scalars to
//! Rust; `types` the `types` module (schema enums, input objects) and input structs;
//! `decoders` the response structs and their `FromJson` decoders; `operations` each
//! operation's module, marker, function, cost, scopes and helpers; `bulk` the typed
//! rows and lines of bulk operations (`graphql/bulk/`).

mod bulk;
mod decoders;
mod names;
mod operations;
mod types;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use apollo_compiler::Node;
use apollo_compiler::ast;
use apollo_compiler::executable::SelectionSet;
use apollo_compiler::schema::ExtendedType;
use shopify_schema::AdminSchema;

use crate::{Compiled, Diagnostic, Diagnostics};
use names::{SCALARS, pascal, rust_string};

/// Generates the Rust code for every compiled operation, as one text.
pub fn generate(schema: &AdminSchema, compiled: &Compiled) -> Result<String, Diagnostics> {
    generate_parts(schema, compiled).map(|code| code.joined())
}

/// The generated code in parts: what precedes the operations, each operation's module and
/// functions, and what follows them. [`Code::joined`] is the one-file form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// The header, `API_VERSION`, `types` and `fragments`.
    pub head: String,
    /// `(module name, code)` of each operation, in file order.
    pub operations: Vec<(String, String)>,
    /// `OPERATIONS` and `BULK_OPERATIONS`.
    pub tail: String,
}

impl Code {
    /// Bytes of code in all parts.
    pub fn len(&self) -> usize {
        self.head.len()
            + self
                .operations
                .iter()
                .map(|(_, code)| code.len())
                .sum::<usize>()
            + self.tail.len()
    }

    /// Whether nothing was generated.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Everything in one text, as [`generate`] returns it.
    pub fn joined(&self) -> String {
        let mut out = String::with_capacity(self.len());
        out.push_str(&self.head);
        for (_, code) in &self.operations {
            out.push_str(code);
        }
        out.push_str(&self.tail);
        out
    }
}

/// Like [`generate`], in parts: the build writes each operation to its own file, so that
/// an edit to one operation leaves the others' line numbers, hence rustc's incremental
/// results for them, untouched.
pub fn generate_parts(schema: &AdminSchema, compiled: &Compiled) -> Result<Code, Diagnostics> {
    let mut emitter = Gen {
        schema,
        enums: BTreeSet::new(),
        inputs: BTreeSet::new(),
        errors: BTreeSet::new(),
        possible: HashMap::new(),
        file: String::new(),
    };
    let docs = FragmentDefs::new(compiled);
    let mut operations = Vec::with_capacity(compiled.operations.len());
    for op in &compiled.operations {
        emitter.file = op.file.clone();
        let mut code = String::new();
        if op.bulk {
            emitter.bulk_operation(op, &docs, &mut code);
        } else {
            emitter.operation(op, &docs, &mut code);
        }
        operations.push((op.module.clone(), code));
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
    let mut out = String::with_capacity(fragments.len() + types.len() + 512);
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
    let head = out;
    let mut out = String::new();
    for (bulk, list) in [(false, "OPERATIONS"), (true, "BULK_OPERATIONS")] {
        if bulk && !compiled.operations.iter().any(|op| op.bulk) {
            continue;
        }
        let doc = if bulk {
            "Every bulk operation generated from `graphql/bulk/` (typed rows or lines, run\n/// through `shopify_client::bulk`), in file order."
        } else {
            "Every operation generated from `graphql/`, in file order."
        };
        let _ = writeln!(
            out,
            "\n/// {doc}\npub const {list}: &[::shopify_client::OperationInfo] = &["
        );
        operation_list(
            &mut out,
            compiled.operations.iter().filter(|op| op.bulk == bulk),
        );
        out.push_str("];\n");
    }
    Ok(Code {
        head,
        operations,
        tail: out,
    })
}

fn operation_list<'a>(out: &mut String, operations: impl Iterator<Item = &'a crate::Operation>) {
    for op in operations {
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
            "scalar `{name}` has no Rust type; add it to SCALARS in crates/shopify-codegen/src/rust/names.rs (and a FromJson/ToJson impl in shopify-client's scalars)"
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
}
