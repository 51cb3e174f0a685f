//! Diagnostics: apollo-compiler's, made located and helpful, plus the checks it lacks.

use std::collections::BTreeMap;

use apollo_compiler::Node;
use apollo_compiler::ast::{self, Value};
use apollo_compiler::diagnostic::ToCliReport;
use apollo_compiler::executable::{ExecutableDocument, Selection, SelectionSet};
use apollo_compiler::parser::{SourceMap, SourceSpan};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::validation::{DiagnosticList, Valid};
use shopify_schema::AdminSchema;

use crate::Diagnostic;
use crate::suggest::did_you_mean;

/// 1-based line and column of a span, (0, 0) when unknown.
pub(crate) fn position(span: Option<SourceSpan>, sources: &SourceMap) -> (usize, usize) {
    span.and_then(|s| s.line_column(sources))
        .map_or((0, 0), |lc| (lc.line, lc.column))
}

pub(crate) fn file_of(span: Option<SourceSpan>, sources: &SourceMap) -> String {
    span.and_then(|s| sources.get(&s.file_id()))
        .map(|f| f.path().display().to_string())
        .unwrap_or_default()
}

/// apollo-compiler's diagnostics, located, without suggestions. Only the first syntax
/// error of a file is kept: the parser's later ones are consequences of it.
pub(crate) fn from_apollo_plain(errors: &DiagnosticList) -> Vec<Diagnostic> {
    let mut syntax_seen = std::collections::BTreeSet::new();
    errors
        .iter()
        .filter_map(|d| plain(&d, &mut syntax_seen))
        .collect()
}

fn plain(
    d: &apollo_compiler::diagnostic::Diagnostic<'_, apollo_compiler::validation::DiagnosticData>,
    syntax_seen: &mut std::collections::BTreeSet<String>,
) -> Option<Diagnostic> {
    let span = d.error.location();
    let (line, column) = position(span, d.sources);
    let file = file_of(span, d.sources);
    let mut message = d.error.to_string();
    if message.starts_with("syntax error") {
        if !syntax_seen.insert(file.clone()) {
            return None;
        }
        message = readable_tokens(&message);
    }
    Some(Diagnostic::error(&file, line, column, message))
}

/// The parser names tokens by kind (`R_CURLY`); users know them by their text.
fn readable_tokens(message: &str) -> String {
    const TOKENS: &[(&str, &str)] = &[
        ("R_CURLY", "`}`"),
        ("L_CURLY", "`{`"),
        ("R_PAREN", "`)`"),
        ("L_PAREN", "`(`"),
        ("R_BRACK", "`]`"),
        ("L_BRACK", "`[`"),
        ("COLON", "`:`"),
        ("BANG", "`!`"),
        ("EQ", "`=`"),
        ("DOLLAR", "`$`"),
        ("AT", "`@`"),
        ("SPREAD", "`...`"),
        ("PIPE", "`|`"),
        ("AMP", "`&`"),
        ("EOF", "the end of the file"),
    ];
    message
        .split(' ')
        .map(|word| {
            let bare = word.trim_end_matches([',', '.']);
            match TOKENS.iter().find(|(kind, _)| *kind == bare) {
                Some((_, text)) => word.replacen(bare, text, 1),
                None => word.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What [`from_apollo`] needs to know about the document that failed.
pub(crate) struct Context<'a, T> {
    pub schema: &'a AdminSchema,
    /// The document as written.
    pub ast: &'a ast::Document,
    /// What apollo-compiler built of it (invalid parts dropped).
    pub partial: &'a ExecutableDocument,
    /// Known fragments, for suggestions.
    pub fragments: &'a BTreeMap<String, T>,
    /// The operation's variables, for suggestions.
    pub variables: &'a [&'a str],
}

const NO_SUBSELECTION: &str = "interface, union and object types must have a subselection set";

/// apollo-compiler's diagnostics, located, each with a "did you mean" where the schema
/// (or the project's fragments, or the operation's variables) has a close name, minus
/// the follow-on errors apollo-compiler adds after dropping an invalid selection.
pub(crate) fn from_apollo<T>(context: &Context<'_, T>, errors: &DiagnosticList) -> Vec<Diagnostic> {
    let mut with_selections = std::collections::HashSet::new();
    for definition in &context.ast.definitions {
        match definition {
            ast::Definition::OperationDefinition(op) => {
                spans_with_selections(&op.selection_set, &mut with_selections)
            }
            ast::Definition::FragmentDefinition(f) => {
                spans_with_selections(&f.selection_set, &mut with_selections)
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    let mut syntax_seen = std::collections::BTreeSet::new();
    for apollo in errors.iter() {
        let Some(mut diagnostic) = plain(&apollo, &mut syntax_seen) else {
            continue;
        };
        let span = apollo.error.location();
        if diagnostic.message == NO_SUBSELECTION {
            // Written with selections that were all invalid: those are reported already.
            if span.is_some_and(|s| with_selections.contains(&(s.file_id(), s.offset()))) {
                continue;
            }
            if let Some(field) = span.and_then(|s| find_field(context.partial, s)) {
                let ty = field.ty().inner_named_type();
                let example = context
                    .schema
                    .schema
                    .type_field(ty, "id")
                    .map_or("__typename", |_| "id");
                diagnostic.message = format!(
                    "field `{}` returns `{ty}`, so it must select fields of it, e.g. `{} {{ {example} }}`",
                    field.name,
                    field.response_key()
                );
            }
        }
        if diagnostic.message.contains("cannot be used for argument") {
            // Follows "cannot find type" for the variable's declared type.
            let declared = backticked(&diagnostic.message).get(1).map(|t| {
                t.trim_matches(|c| c == '[' || c == ']' || c == '!')
                    .to_owned()
            });
            if declared.is_some_and(|t| !context.schema.schema.types.contains_key(t.as_str())) {
                continue;
            }
        }
        if let Some(hint) = suggestion(
            context.schema,
            &diagnostic.message,
            context.fragments,
            context.variables,
        ) {
            diagnostic.message = format!("{}; {hint}", diagnostic.message);
        }
        out.push(diagnostic);
    }
    out
}

fn spans_with_selections(
    selections: &[ast::Selection],
    out: &mut std::collections::HashSet<(apollo_compiler::parser::FileId, usize)>,
) {
    for selection in selections {
        match selection {
            ast::Selection::Field(field) => {
                if !field.selection_set.is_empty() {
                    if let Some(span) = field.location() {
                        out.insert((span.file_id(), span.offset()));
                    }
                }
                spans_with_selections(&field.selection_set, out);
            }
            ast::Selection::InlineFragment(inline) => {
                spans_with_selections(&inline.selection_set, out)
            }
            ast::Selection::FragmentSpread(_) => {}
        }
    }
}

fn find_field(
    doc: &ExecutableDocument,
    span: SourceSpan,
) -> Option<Node<apollo_compiler::executable::Field>> {
    fn walk(
        set: &SelectionSet,
        span: SourceSpan,
    ) -> Option<Node<apollo_compiler::executable::Field>> {
        for selection in &set.selections {
            let found = match selection {
                Selection::Field(field) if field.location() == Some(span) => {
                    return Some(field.clone());
                }
                Selection::Field(field) => walk(&field.selection_set, span),
                Selection::InlineFragment(inline) => walk(&inline.selection_set, span),
                Selection::FragmentSpread(_) => None,
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }
    doc.operations
        .iter()
        .find_map(|op| walk(&op.selection_set, span))
        .or_else(|| {
            doc.fragments
                .values()
                .find_map(|f| walk(&f.selection_set, span))
        })
}

/// The names between backticks in a message, in order.
fn backticked(message: &str) -> Vec<&str> {
    message.split('`').skip(1).step_by(2).collect()
}

fn suggestion<T>(
    schema: &AdminSchema,
    message: &str,
    fragments: &BTreeMap<String, T>,
    variables: &[&str],
) -> Option<String> {
    let names = backticked(message);
    let s = &schema.schema;
    if message.starts_with("type `") && message.contains("does not have a field") {
        let [ty, field] = names.as_slice() else {
            return None;
        };
        let fields: Vec<&str> = match s.types.get(*ty)? {
            ExtendedType::Object(o) => o.fields.keys().map(|n| n.as_str()).collect(),
            ExtendedType::Interface(i) => i.fields.keys().map(|n| n.as_str()).collect(),
            _ => Vec::new(),
        };
        return did_you_mean(field, fields);
    }
    if message.starts_with("the argument `") && message.contains("is not supported by") {
        let [arg, coordinate] = names.as_slice() else {
            return None;
        };
        let (ty, field) = coordinate.split_once('.')?;
        let definition = s.type_field(ty, field).ok()?;
        return did_you_mean(arg, definition.arguments.iter().map(|a| a.name.as_str()));
    }
    if message.starts_with("cannot find type `") {
        return did_you_mean(names.first()?, s.types.keys().map(|n| n.as_str()));
    }
    if message.starts_with("value `") && message.contains("does not exist on") {
        let [value, ty] = names.as_slice() else {
            return None;
        };
        let values = s.get_enum(ty)?.values.keys().map(|n| n.as_str());
        return did_you_mean(value, values);
    }
    if message.starts_with("field `") && message.contains("does not exist on") {
        let [field, ty] = names.as_slice() else {
            return None;
        };
        let fields = s.get_input_object(ty)?.fields.keys().map(|n| n.as_str());
        return did_you_mean(field, fields);
    }
    if message.starts_with("cannot find directive `@") {
        let name = names.first()?.trim_start_matches('@');
        return did_you_mean(name, s.directive_definitions.keys().map(|n| n.as_str())).map(
            |hint| {
                hint.replace('`', "`@")
                    .replace("`@?", "`?")
                    .replace("`@,", "`,")
                    .replace("`@ ", "` ")
            },
        );
    }
    if message.starts_with("cannot find fragment `") {
        return did_you_mean(names.first()?, fragments.keys().map(String::as_str));
    }
    if message.starts_with("variable `$") && message.ends_with("is not defined") {
        let name = names.first()?.trim_start_matches('$');
        return did_you_mean(name, variables.iter().copied())
            .map(|hint| format!("declare it in the operation's variables, or {hint}"))
            .map(|hint| hint.replace("did you mean `", "did you mean `$"))
            .or_else(|| {
                Some(
                    "declare it in the operation's variables, e.g. `query Name($var: Type)`"
                        .to_owned(),
                )
            });
    }
    None
}

/// `@oneOf` input objects (apollo-compiler 1.x does not check them): a literal must set
/// exactly one field, to a non-null value; a variable there must be non-null.
pub(crate) fn one_of(
    schema: &AdminSchema,
    doc: &Valid<ExecutableDocument>,
    out: &mut Vec<Diagnostic>,
) {
    let mut visit = |set: &SelectionSet, doc: &ExecutableDocument| {
        walk_fields(set, &mut |_, field| {
            for argument in &field.arguments {
                if let Some(definition) = field.definition.argument_by_name(&argument.name) {
                    check_one_of_value(schema, doc, &argument.value, &definition.ty, out);
                }
            }
        });
    };
    for op in doc.operations.iter() {
        visit(&op.selection_set, doc);
    }
    for fragment in doc.fragments.values() {
        visit(&fragment.selection_set, doc);
    }
}

fn check_one_of_value(
    schema: &AdminSchema,
    doc: &ExecutableDocument,
    value: &Node<Value>,
    ty: &ast::Type,
    out: &mut Vec<Diagnostic>,
) {
    match (value.as_ref(), ty) {
        (Value::List(items), ast::Type::List(inner) | ast::Type::NonNullList(inner)) => {
            for item in items {
                check_one_of_value(schema, doc, item, inner, out);
            }
        }
        (Value::Object(fields), _) => {
            let Some(input) = schema.schema.get_input_object(ty.inner_named_type()) else {
                return;
            };
            let (line, column) = position(value.location(), &doc.sources);
            let file = file_of(value.location(), &doc.sources);
            if input.directives.get("oneOf").is_some() {
                let all: Vec<&str> = input.fields.keys().map(|n| n.as_str()).collect();
                if fields.len() != 1 {
                    out.push(Diagnostic::error(
                        &file,
                        line,
                        column,
                        format!(
                            "`{}` is a @oneOf input object: set exactly one of its fields ({}), not {}",
                            input.name,
                            all.join(", "),
                            fields.len()
                        ),
                    ));
                } else if let Some((name, field_value)) = fields.first() {
                    match field_value.as_ref() {
                        Value::Null => out.push(Diagnostic::error(
                            &file,
                            line,
                            column,
                            format!("`{}.{name}` is the one field set on a @oneOf input object, so it must not be null", input.name),
                        )),
                        Value::Variable(var) => {
                            let nullable = doc
                                .operations
                                .iter()
                                .flat_map(|op| op.variables.iter())
                                .find(|v| v.name == *var)
                                .is_some_and(|v| !v.ty.is_non_null());
                            if nullable {
                                out.push(Diagnostic::error(
                                    &file,
                                    line,
                                    column,
                                    format!("variable `${var}` sets `{}.{name}` of a @oneOf input object, so it must be non-null; declare it with `!`", input.name),
                                ));
                            }
                        }
                        _ => {}
                    }
                }
            }
            for (name, field_value) in fields {
                if let Some(definition) = input.fields.get(name) {
                    check_one_of_value(schema, doc, field_value, &definition.ty, out);
                }
            }
        }
        _ => {}
    }
}

/// Warnings for deprecated fields and arguments the operation uses, with Shopify's reason.
/// Fields inside named fragments are reported against the fragment's file.
pub(crate) fn deprecations(doc: &Valid<ExecutableDocument>, out: &mut Vec<Diagnostic>) {
    let mut visit = |set: &SelectionSet| {
        walk_fields(set, &mut |parent, field| {
            let definition = &field.definition;
            if let Some(reason) = deprecation(&definition.directives) {
                let (line, column) = position(field.location(), &doc.sources);
                let file = file_of(field.location(), &doc.sources);
                out.push(Diagnostic::warning(
                    &file,
                    line,
                    column,
                    format!("field `{parent}.{}` is deprecated: {reason}", field.name),
                ));
            }
            for argument in &field.arguments {
                let Some(arg_def) = definition.argument_by_name(&argument.name) else {
                    continue;
                };
                if let Some(reason) = deprecation(&arg_def.directives) {
                    let (line, column) = position(argument.location(), &doc.sources);
                    let file = file_of(argument.location(), &doc.sources);
                    out.push(Diagnostic::warning(
                        &file,
                        line,
                        column,
                        format!(
                            "argument `{}` of field `{}` is deprecated: {reason}",
                            argument.name, field.name
                        ),
                    ));
                }
            }
        });
    };
    for op in doc.operations.iter() {
        visit(&op.selection_set);
    }
    for fragment in doc.fragments.values() {
        visit(&fragment.selection_set);
    }
}

fn deprecation(directives: &ast::DirectiveList) -> Option<String> {
    let directive = directives.get("deprecated")?;
    let reason = directive
        .specified_argument_by_name("reason")
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "No longer supported".to_owned());
    Some(reason)
}

/// Calls `f` with the parent type and every field of `set`, depth first, not following fragment spreads
/// (fragments are visited on their own).
pub(crate) fn walk_fields(
    set: &SelectionSet,
    f: &mut dyn FnMut(&str, &Node<apollo_compiler::executable::Field>),
) {
    for selection in &set.selections {
        match selection {
            Selection::Field(field) => {
                f(&set.ty, field);
                walk_fields(&field.selection_set, f);
            }
            Selection::InlineFragment(inline) => walk_fields(&inline.selection_set, f),
            Selection::FragmentSpread(_) => {}
        }
    }
}
