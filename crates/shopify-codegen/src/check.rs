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

fn file_of(span: Option<SourceSpan>, sources: &SourceMap) -> String {
    span.and_then(|s| sources.get(&s.file_id()))
        .map(|f| f.path().display().to_string())
        .unwrap_or_default()
}

/// apollo-compiler's diagnostics, located, without suggestions (syntax errors).
pub(crate) fn from_apollo_plain(errors: &DiagnosticList) -> Vec<Diagnostic> {
    errors
        .iter()
        .map(|d| {
            let span = d.error.location();
            let (line, column) = position(span, d.sources);
            Diagnostic::error(&file_of(span, d.sources), line, column, d.error.to_string())
        })
        .collect()
}

/// apollo-compiler's diagnostics, located, each with a "did you mean" where the schema
/// (or the project's fragments, or the operation's variables) has a close name.
pub(crate) fn from_apollo<T>(
    schema: &AdminSchema,
    errors: &DiagnosticList,
    fragments: &BTreeMap<String, T>,
    variables: &[&str],
) -> Vec<Diagnostic> {
    let mut out = from_apollo_plain(errors);
    for diagnostic in &mut out {
        if let Some(hint) = suggestion(schema, &diagnostic.message, fragments, variables) {
            diagnostic.message = format!("{}; {hint}", diagnostic.message);
        }
    }
    out
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
fn walk_fields(
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
