//! From sources to validated, codegen-ready operations.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use apollo_compiler::ast;
use apollo_compiler::executable::{self, ExecutableDocument, Selection, SelectionSet};
use apollo_compiler::validation::Valid;
use apollo_compiler::{Name, Node};
use heck::ToSnakeCase;
use shopify_schema::AdminSchema;
use shopify_schema::cost::{Cost, MAX_QUERY_COST, operation_cost};
use shopify_schema::scopes::{Access, operation_access};

use crate::source::{SourceFile, Sources};
use crate::{Diagnostic, Diagnostics, Severity};
use crate::{check, expansion, idempotent, limits};

/// Query or mutation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperationKind {
    /// A read.
    Query,
    /// A write.
    Mutation,
}

/// A validated operation, ready for codegen.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The GraphQL operation name, e.g. `ProductsPage`.
    pub name: String,
    /// The Rust module and function name, e.g. `products_page` (== the file stem).
    pub module: String,
    /// The file, as diagnostics show it.
    pub file: String,
    /// Query or mutation.
    pub kind: OperationKind,
    /// A bulk operation (a file under `graphql/bulk/`, or any query given to
    /// [`compile_bulk`]): generated as typed rows or lines, not as a function.
    pub bulk: bool,
    /// The exact text sent to Shopify: the operation plus the fragments it uses, with
    /// `__typename` added where the generated types need it.
    pub text: String,
    /// Named fragments the operation uses, sorted.
    pub fragments: Vec<String>,
    /// The document `text` parses to, validated.
    pub document: Valid<ExecutableDocument>,
    /// The requested cost Shopify will compute, as an expression of the variables.
    pub cost: Cost,
    /// Whether the mutation can be retried without writing twice.
    pub idempotency: Idempotency,
    /// The access scopes it needs, and the protected customer data it reads.
    pub access: Access,
    /// Deprecated fields and arguments it uses, with Shopify's reasons.
    pub deprecated: Vec<String>,
}

/// How a mutation avoids writing twice when it is retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Idempotency {
    /// It cannot: queries, and mutations with no idempotency key.
    None,
    /// `@idempotent(key: $var)` was added by the codegen; the client fills these
    /// variables with a fresh key per call.
    Generated(Vec<String>),
    /// The operation's own variables carry the key.
    Supplied,
}

impl Operation {
    /// The operation definition inside [`Self::document`].
    pub fn definition(&self) -> &Node<executable::Operation> {
        #[allow(clippy::expect_used)] // compile() builds documents with exactly this operation
        self.document
            .operations
            .get(Some(&self.name))
            .expect("the compiled document holds its operation")
    }
}

/// A named fragment, from `graphql/fragments/` or an operation's own file.
#[derive(Debug, Clone)]
pub struct Fragment {
    /// The fragment name.
    pub name: String,
    /// The file it is defined in.
    pub file: String,
    /// The type it applies to.
    pub type_condition: String,
}

/// The result of a successful [`compile`].
#[derive(Debug, Clone, Default)]
pub struct Compiled {
    /// Every operation, in file order.
    pub operations: Vec<Operation>,
    /// Every fragment used by at least one operation, by name.
    pub fragments: BTreeMap<String, Fragment>,
    /// Warnings: deprecated fields, unused fragments.
    pub warnings: Vec<Diagnostic>,
    /// The schema types the operations and fragments depend on (see `cut::touch`).
    pub(crate) touched: BTreeSet<String>,
}

/// Validates every operation and fragment against `schema`.
///
/// Returns every error at once, sorted by file and position.
pub fn compile(schema: &AdminSchema, sources: &Sources) -> Result<Compiled, Diagnostics> {
    compile_with(schema, sources, false)
}

/// [`compile`] with every query taken as a bulk query wherever its file is (the CLI's
/// `export` of a file outside `graphql/bulk/`): Shopify's bulk rules apply, and
/// connections need no `first`/`last`, which bulk operations ignore.
pub fn compile_bulk(schema: &AdminSchema, sources: &Sources) -> Result<Compiled, Diagnostics> {
    compile_with(schema, sources, true)
}

fn compile_with(
    schema: &AdminSchema,
    sources: &Sources,
    all_bulk: bool,
) -> Result<Compiled, Diagnostics> {
    let mut diagnostics = BTreeSet::new();
    let mut touched = BTreeSet::new();

    let mut fragment_defs: BTreeMap<String, (Node<ast::FragmentDefinition>, ast::Document)> =
        BTreeMap::new();
    let mut fragment_files = BTreeMap::new();
    for file in &sources.fragments {
        let Some(doc) = parse(file, &mut diagnostics) else {
            continue;
        };
        for definition in &doc.definitions {
            match definition {
                ast::Definition::FragmentDefinition(fragment) => {
                    let name = fragment.name.to_string();
                    if let Some((_, previous)) = fragment_defs.get(&name) {
                        let (line, column) = check::position(fragment.location(), &doc.sources);
                        let other = previous
                            .sources
                            .values()
                            .next()
                            .map(|s| s.path().display().to_string())
                            .unwrap_or_default();
                        diagnostics.insert(Diagnostic::error(
                            &file.display,
                            line,
                            column,
                            format!("fragment `{name}` is already defined in {other}; fragment names must be unique"),
                        ));
                        continue;
                    }
                    fragment_files.insert(name.clone(), file.display.clone());
                    fragment_defs.insert(name, (fragment.clone(), doc.clone()));
                }
                other => {
                    let (line, column) = check::position(definition_location(other), &doc.sources);
                    diagnostics.insert(Diagnostic::error(
                        &file.display,
                        line,
                        column,
                        "only named fragments belong in graphql/fragments/; put each operation in its own file directly under graphql/",
                    ));
                }
            }
        }
    }

    // Fragments are checked once, together, so an error in one is reported once rather
    // than once per operation that uses it.
    if !fragment_defs.is_empty() {
        let all: Vec<&str> = fragment_defs.keys().map(String::as_str).collect();
        let doc = assemble(None, &all, &fragment_defs);
        let validated = doc.to_executable_validate(&schema.schema);
        let partial = match &validated {
            Ok(valid) => &**valid,
            Err(errors) => &errors.partial,
        };
        crate::cut::touch(&schema.schema, partial, &mut touched);
        if let Err(errors) = validated {
            let context = check::Context {
                schema,
                ast: &doc,
                partial: &errors.partial,
                fragments: &fragment_defs,
                variables: &[],
            };
            for diagnostic in check::from_apollo(&context, &errors.errors) {
                if !diagnostic.message.contains("must be used in an operation") {
                    diagnostics.insert(diagnostic);
                }
            }
        }
    }

    let mut operations = Vec::new();
    let mut used_fragments = BTreeSet::new();
    let mut warnings = BTreeSet::new();
    let mut local_fragments = BTreeMap::new();
    let fragment_files_shown: BTreeSet<String> = fragment_files.values().cloned().collect();
    // Fragments defined in an operation's own file serve that operation; their names
    // are unique across the project, as the generated `fragments` module needs.
    let mut parsed = Vec::new();
    let mut fragment_owner: BTreeMap<String, String> = fragment_files.clone();
    for file in &sources.operations {
        let Some(doc) = parse(file, &mut diagnostics) else {
            parsed.push(None);
            continue;
        };
        let mut local = BTreeMap::new();
        let mut clash = false;
        for definition in &doc.definitions {
            let ast::Definition::FragmentDefinition(fragment) = definition else {
                continue;
            };
            let name = fragment.name.to_string();
            let previous = fragment_owner
                .get(&name)
                .cloned()
                .or_else(|| local.contains_key(&name).then(|| file.display.clone()));
            if let Some(other) = previous {
                let (line, column) = check::position(fragment.location(), &doc.sources);
                diagnostics.insert(Diagnostic::error(
                    &file.display,
                    line,
                    column,
                    format!("fragment `{name}` is already defined in {other}; fragment names must be unique"),
                ));
                clash = true;
                continue;
            }
            local.insert(name, (fragment.clone(), doc.clone()));
        }
        for name in local.keys() {
            fragment_owner.insert(name.clone(), file.display.clone());
        }
        parsed.push((!clash).then_some((doc, local)));
    }

    for (file, parsed) in sources.operations.iter().zip(parsed) {
        let Some((doc, local)) = parsed else {
            continue;
        };
        let Some(op) = single_operation(file, &doc, &mut diagnostics) else {
            continue;
        };
        let Some(name) = op.name.as_ref().map(|n| n.to_string()) else {
            continue;
        };
        let mut visible = fragment_defs.clone();
        visible.extend(local.iter().map(|(k, v)| (k.clone(), v.clone())));
        let fragment_defs = &visible;
        let mut used = BTreeSet::new();
        collect_spreads(&op.selection_set, fragment_defs, &mut used);
        let used: Vec<&str> = used.iter().map(String::as_str).collect();
        // The file's own fragments are in its document already.
        let shared: Vec<&str> = used
            .iter()
            .copied()
            .filter(|name| !local.contains_key(*name))
            .collect();
        let merged = assemble(Some(&doc), &shared, fragment_defs);
        let expanded = expansion::selections(&merged);
        if expanded > expansion::MAX_EXPANDED_SELECTIONS {
            let (line, column) = check::position(op.location(), &doc.sources);
            diagnostics.insert(Diagnostic::error(
                &file.display,
                line,
                column,
                format!(
                    "`{name}` selects {expanded} fields with its fragments expanded, over the {} this tool reads: a fragment spread in several places repeats all it selects",
                    expansion::MAX_EXPANDED_SELECTIONS
                ),
            ));
            continue;
        }
        let variables: Vec<&str> = op.variables.iter().map(|v| v.name.as_str()).collect();
        match merged.to_executable_validate(&schema.schema) {
            Err(errors) => {
                let context = check::Context {
                    schema,
                    ast: &merged,
                    partial: &errors.partial,
                    fragments: fragment_defs,
                    variables: &variables,
                };
                for diagnostic in check::from_apollo(&context, &errors.errors) {
                    // Fragment files were reported above.
                    if !fragment_files_shown.contains(&diagnostic.file) {
                        diagnostics.insert(diagnostic);
                    }
                }
            }
            Ok(valid) => {
                crate::cut::touch(&schema.schema, &valid, &mut touched);
                let mut found = Vec::new();
                check::one_of(schema, &valid, &mut found);
                let bulk = is_bulk_query(file, op)
                    || (all_bulk && op.operation_type == ast::OperationType::Query);
                limits::check(&valid, bulk, &mut found);
                check::deprecations(&valid, &mut found);
                if bulk {
                    for problem in shopify_schema::bulk::check(&schema.schema, &valid) {
                        let (line, column) = check::position(problem.span, &valid.sources);
                        found.push(Diagnostic::error(
                            &file.display,
                            line,
                            column,
                            problem.message,
                        ));
                    }
                }
                let mut failed = false;
                let mut deprecated = Vec::new();
                for diagnostic in found {
                    match diagnostic.severity {
                        Severity::Error => {
                            failed = true;
                            diagnostics.insert(diagnostic);
                        }
                        Severity::Warning => {
                            deprecated.push(diagnostic.message.clone());
                            warnings.insert(diagnostic);
                        }
                    }
                }
                deprecated.sort();
                deprecated.dedup();
                if failed {
                    continue;
                }
                used_fragments.extend(used.iter().map(|s| s.to_string()));
                for (fragment, (definition, _)) in &local {
                    local_fragments.insert(
                        fragment.clone(),
                        Fragment {
                            name: fragment.clone(),
                            file: file.display.clone(),
                            type_condition: definition.type_condition.to_string(),
                        },
                    );
                }
                let kind = match op.operation_type {
                    ast::OperationType::Mutation => OperationKind::Mutation,
                    _ => OperationKind::Query,
                };
                let definition_span = op.location();
                let cost = {
                    let op = valid.operations.get(Some(name.as_str())).ok();
                    op.map_or(Cost::Fixed(0), |op| {
                        operation_cost(&schema.schema, &valid, op)
                    })
                };
                if cost.min() > MAX_QUERY_COST {
                    let (line, column) = check::position(definition_span, &doc.sources);
                    diagnostics.insert(Diagnostic::error(
                        &file.display,
                        line,
                        column,
                        format!(
                            "`{name}` costs at least {} points, over Shopify's limit of {MAX_QUERY_COST} per query: ask for fewer items (`first`/`last`) or split it",
                            cost.min()
                        ),
                    ));
                    continue;
                }
                let (valid, idempotency) =
                    match idempotent::plan(valid, &file.display, &doc.sources) {
                        Ok(planned) => planned,
                        Err(errors) => {
                            diagnostics.extend(errors);
                            continue;
                        }
                    };
                let access = valid
                    .operations
                    .get(Some(name.as_str()))
                    .map(|op| operation_access(schema, &valid, op))
                    .unwrap_or_default();
                let mut document = prepare(schema, valid);
                if bulk {
                    document = crate::bulk::prepare(schema, document);
                }
                // Validation read `valid`; codegen reads this, which the transforms grew.
                crate::cut::touch(&schema.schema, &document, &mut touched);
                operations.push(Operation {
                    module: name.to_snake_case(),
                    name,
                    file: file.display.clone(),
                    kind,
                    bulk: bulk || in_bulk_folder(file),
                    text: document.serialize().to_string(),
                    fragments: used.iter().map(|s| s.to_string()).collect(),
                    document,
                    cost,
                    idempotency,
                    access,
                    deprecated,
                });
            }
        }
    }

    if !diagnostics.is_empty() {
        return Err(Diagnostics(diagnostics.into_iter().collect()));
    }
    let mut fragments = local_fragments;
    for (name, (definition, doc)) in &fragment_defs {
        let file = fragment_files.get(name).cloned().unwrap_or_default();
        if used_fragments.contains(name) {
            fragments.insert(
                name.clone(),
                Fragment {
                    name: name.clone(),
                    file,
                    type_condition: definition.type_condition.to_string(),
                },
            );
        } else {
            let (line, column) = check::position(definition.location(), &doc.sources);
            warnings.insert(Diagnostic::warning(
                &file,
                line,
                column,
                format!("fragment `{name}` is not used by any operation"),
            ));
        }
    }
    Ok(Compiled {
        operations,
        fragments,
        warnings: warnings.into_iter().collect(),
        touched,
    })
}

/// Queries under `graphql/bulk/` run as bulk operations: Shopify's bulk rules apply.
fn is_bulk_query(file: &SourceFile, op: &ast::OperationDefinition) -> bool {
    op.operation_type == ast::OperationType::Query && in_bulk_folder(file)
}

fn in_bulk_folder(file: &SourceFile) -> bool {
    file.path.components().any(|c| c.as_os_str() == "bulk")
}

fn parse(file: &SourceFile, diagnostics: &mut BTreeSet<Diagnostic>) -> Option<ast::Document> {
    let blank = file
        .text
        .lines()
        .all(|line| line.trim().is_empty() || line.trim_start().starts_with('#'));
    if blank {
        diagnostics.insert(Diagnostic::error(
            &file.display,
            0,
            0,
            "the file is empty; each .graphql file under graphql/ holds one named query or mutation (or, under graphql/fragments/, named fragments)",
        ));
        return None;
    }
    match ast::Document::parse(file.text.as_str(), &file.display) {
        Ok(doc) => Some(doc),
        Err(errors) => {
            for diagnostic in check::from_apollo_plain(&errors.errors) {
                diagnostics.insert(diagnostic);
            }
            None
        }
    }
}

fn definition_location(
    definition: &ast::Definition,
) -> Option<apollo_compiler::parser::SourceSpan> {
    match definition {
        ast::Definition::OperationDefinition(n) => n.location(),
        ast::Definition::FragmentDefinition(n) => n.location(),
        ast::Definition::DirectiveDefinition(n) => n.location(),
        ast::Definition::SchemaDefinition(n) => n.location(),
        ast::Definition::ScalarTypeDefinition(n) => n.location(),
        ast::Definition::ObjectTypeDefinition(n) => n.location(),
        ast::Definition::InterfaceTypeDefinition(n) => n.location(),
        ast::Definition::UnionTypeDefinition(n) => n.location(),
        ast::Definition::EnumTypeDefinition(n) => n.location(),
        ast::Definition::InputObjectTypeDefinition(n) => n.location(),
        ast::Definition::SchemaExtension(n) => n.location(),
        ast::Definition::ScalarTypeExtension(n) => n.location(),
        ast::Definition::ObjectTypeExtension(n) => n.location(),
        ast::Definition::InterfaceTypeExtension(n) => n.location(),
        ast::Definition::UnionTypeExtension(n) => n.location(),
        ast::Definition::EnumTypeExtension(n) => n.location(),
        ast::Definition::InputObjectTypeExtension(n) => n.location(),
    }
}

/// The file's one named operation, or diagnostics saying why there isn't one.
fn single_operation<'d>(
    file: &SourceFile,
    doc: &'d ast::Document,
    diagnostics: &mut BTreeSet<Diagnostic>,
) -> Option<&'d Node<ast::OperationDefinition>> {
    let stem = file
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut operations = Vec::new();
    let mut ok = true;
    for definition in &doc.definitions {
        let (line, column) = check::position(definition_location(definition), &doc.sources);
        let mut error = |message: String| {
            ok = false;
            diagnostics.insert(Diagnostic::error(&file.display, line, column, message));
        };
        match definition {
            ast::Definition::OperationDefinition(op) => {
                operations.push(op);
                if operations.len() > 1 {
                    continue; // reported below as one operation too many
                }
                match &op.name {
                    None => error(format!(
                        "operations must be named; name this one after its file, e.g. `{} {}`",
                        op.operation_type,
                        heck::AsUpperCamelCase(&stem)
                    )),
                    Some(name) if name.as_str().to_snake_case() != stem => error(format!(
                        "operation `{name}` must live in `{}.graphql` (the file name is the snake_case operation name); rename the file or the operation",
                        name.as_str().to_snake_case()
                    )),
                    Some(_) => {}
                }
                if op.operation_type == ast::OperationType::Subscription {
                    error("subscriptions are not supported: the Admin API serves queries and mutations over HTTP".to_owned());
                }
            }
            // Serves this file's operation; shared ones live in graphql/fragments/.
            ast::Definition::FragmentDefinition(_) => {}
            _ => {
                error("only operations belong in graphql/; this is a schema definition".to_owned())
            }
        }
    }
    match operations.as_slice() {
        [op] if ok => Some(op),
        [] if ok => {
            diagnostics.insert(Diagnostic::error(
                &file.display,
                0,
                0,
                "no operation in this file; each .graphql file under graphql/ holds one named query or mutation",
            ));
            None
        }
        [_, second, ..] => {
            let (line, column) = check::position(second.location(), &doc.sources);
            diagnostics.insert(Diagnostic::error(
                &file.display,
                line,
                column,
                "one operation per file: move this operation to its own file named after it",
            ));
            None
        }
        _ => None,
    }
}

/// Every fragment name spread by `selections`, following fragments into fragments.
fn collect_spreads(
    selections: &[ast::Selection],
    fragments: &BTreeMap<String, (Node<ast::FragmentDefinition>, ast::Document)>,
    used: &mut BTreeSet<String>,
) {
    for selection in selections {
        match selection {
            ast::Selection::Field(field) => collect_spreads(&field.selection_set, fragments, used),
            ast::Selection::InlineFragment(inline) => {
                collect_spreads(&inline.selection_set, fragments, used)
            }
            ast::Selection::FragmentSpread(spread) => {
                let name = spread.fragment_name.to_string();
                if used.insert(name.clone()) {
                    if let Some((definition, _)) = fragments.get(&name) {
                        collect_spreads(&definition.selection_set, fragments, used);
                    }
                }
            }
        }
    }
}

/// One document: the operation's own (if any) plus the named fragments, with the source
/// files of all of them so diagnostics point into the right file.
fn assemble(
    operation: Option<&ast::Document>,
    fragments: &[&str],
    defs: &BTreeMap<String, (Node<ast::FragmentDefinition>, ast::Document)>,
) -> ast::Document {
    let mut doc = operation.cloned().unwrap_or_else(ast::Document::new);
    let sources = Arc::make_mut(&mut doc.sources);
    for name in fragments {
        if let Some((definition, from)) = defs.get(*name) {
            for (id, file) in from.sources.iter() {
                sources.insert(*id, file.clone());
            }
            doc.definitions
                .push(ast::Definition::FragmentDefinition(definition.clone()));
        }
    }
    doc
}

/// Adds `__typename` to every selection on an interface or union (and to fragments on
/// one), so the generated code can tell the concrete type apart. The text sent is
/// printed from this document, so what is sent is exactly what was generated from.
fn prepare(schema: &AdminSchema, valid: Valid<ExecutableDocument>) -> Valid<ExecutableDocument> {
    let mut doc = valid.into_inner();
    for op in doc.operations.named.values_mut() {
        add_typename(schema, &mut op.make_mut().selection_set, false);
    }
    for fragment in doc.fragments.values_mut() {
        add_typename(schema, &mut fragment.make_mut().selection_set, true);
    }
    Valid::assume_valid(doc)
}

fn is_abstract(schema: &AdminSchema, ty: &str) -> bool {
    schema.schema.get_interface(ty).is_some() || schema.schema.get_union(ty).is_some()
}

fn add_typename(schema: &AdminSchema, set: &mut SelectionSet, here: bool) {
    let typename = Name::new_static_unchecked("__typename");
    if here
        && is_abstract(schema, &set.ty)
        && !set
            .selections
            .iter()
            .any(|s| matches!(s, Selection::Field(f) if f.alias.is_none() && f.name == typename))
    {
        if let Ok(field) = set.new_field(&schema.schema, typename.clone()) {
            set.selections.insert(0, Selection::Field(Node::new(field)));
        }
    }
    for selection in &mut set.selections {
        match selection {
            Selection::Field(field) => {
                if !field.selection_set.selections.is_empty() {
                    add_typename(schema, &mut field.make_mut().selection_set, true);
                }
            }
            // Inline fragments share their parent's object, and its __typename.
            Selection::InlineFragment(inline) => {
                add_typename(schema, &mut inline.make_mut().selection_set, false)
            }
            Selection::FragmentSpread(_) => {}
        }
    }
}
