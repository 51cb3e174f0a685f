//! Shopify's rules on connection windows and input sizes, which schema validation does
//! not see and Shopify only enforces at run time (`you must provide one of first or
//! last`, `providing both first and last is not supported`, over 250 items): here they
//! are located build errors instead.

use apollo_compiler::Node;
use apollo_compiler::ast::Value;
use apollo_compiler::executable::{ExecutableDocument, Field, SelectionSet, VariableDefinition};
use apollo_compiler::validation::Valid;

use crate::Diagnostic;
use crate::check::{file_of, position, walk_fields};

/// Shopify's limit on `first`/`last` and on the items of an input array.
pub(crate) const MAX_ITEMS: usize = 250;

/// Every connection field gets exactly one of `first`/`last`, at most 250; no input list
/// written in the operation holds more than 250 items.
/// `bulk`: a bulk query, whose connections Shopify reads whole (window arguments ignored),
/// so only the input-list rule applies.
pub(crate) fn check(doc: &Valid<ExecutableDocument>, bulk: bool, out: &mut Vec<Diagnostic>) {
    let variables: Vec<&Node<VariableDefinition>> = doc
        .operations
        .iter()
        .flat_map(|op| op.variables.iter())
        .collect();
    let visit = |set: &SelectionSet, out: &mut Vec<Diagnostic>| {
        walk_fields(set, &mut |parent, field| {
            if !bulk {
                window(doc, &variables, parent, field, out);
            }
            for argument in &field.arguments {
                long_lists(doc, &argument.value, out);
            }
        });
    };
    for op in doc.operations.iter() {
        for variable in &op.variables {
            if let Some(default) = &variable.default_value {
                long_lists(doc, default, out);
            }
        }
        visit(&op.selection_set, out);
    }
    for fragment in doc.fragments.values() {
        visit(&fragment.selection_set, out);
    }
}

/// Whether an argument value is sure to be set, and to what when it is a known number.
enum Window {
    /// A literal or a variable that cannot be null: sent every time.
    Set(Option<i64>),
    /// A nullable variable without a default: may be left out.
    MaybeUnset(String),
}

fn window(
    doc: &ExecutableDocument,
    variables: &[&Node<VariableDefinition>],
    parent: &str,
    field: &Node<Field>,
    out: &mut Vec<Diagnostic>,
) {
    let definition = &field.definition;
    let is_connection = field.ty().inner_named_type().ends_with("Connection")
        && (definition.argument_by_name("first").is_some()
            || definition.argument_by_name("last").is_some());
    if !is_connection {
        return;
    }
    let given: Vec<(String, Window, Option<apollo_compiler::parser::SourceSpan>)> = field
        .arguments
        .iter()
        .filter(|a| a.name == "first" || a.name == "last")
        .filter_map(|a| {
            let window = match a.value.as_ref() {
                Value::Null => return None,
                Value::Int(n) => Window::Set(n.try_to_i32().ok().map(i64::from)),
                Value::Variable(name) => {
                    let declared = variables.iter().find(|v| v.name == *name);
                    match declared {
                        Some(v) => match v.default_value.as_deref() {
                            Some(Value::Int(n)) => Window::Set(n.try_to_i32().ok().map(i64::from)),
                            _ if v.ty.is_non_null() => Window::Set(None),
                            _ => Window::MaybeUnset(name.to_string()),
                        },
                        None => Window::Set(None),
                    }
                }
                _ => Window::Set(None),
            };
            // As written, with a variable's default: `first: $n = 300`.
            let written = match (a.value.as_ref(), &window) {
                (Value::Variable(v), Window::Set(Some(n))) => format!("{}: ${v} = {n}", a.name),
                _ => format!("{}: {}", a.name, a.value),
            };
            Some((written, window, a.location()))
        })
        .collect();
    let at = |span| (file_of(span, &doc.sources), position(span, &doc.sources));
    let name = format!("`{parent}.{}`", field.name);
    let (file, (line, column)) = at(field.location());
    match given.as_slice() {
        [] => out.push(Diagnostic::error(
            &file,
            line,
            column,
            format!(
                "{name} is a connection: give it `first` or `last` (at most {MAX_ITEMS}), or Shopify answers `you must provide one of first or last`"
            ),
        )),
        [(_, Window::MaybeUnset(variable), _)] => out.push(Diagnostic::error(
            &file,
            line,
            column,
            format!(
                "{name} is a connection whose only window is `${variable}`, which may be unset: declare it non-null (`Int!`) or give it a default, or Shopify answers `you must provide one of first or last`"
            ),
        )),
        [(_, Window::Set(_), _), (_, Window::Set(_), _)] => out.push(Diagnostic::error(
            &file,
            line,
            column,
            format!(
                "{name} is given both `first` and `last`: keep one, Shopify answers `providing both first and last is not supported`"
            ),
        )),
        _ => {}
    }
    for (written, window, span) in &given {
        if let Window::Set(Some(n)) = window {
            if *n > MAX_ITEMS as i64 || *n < 0 {
                let (file, (line, column)) = at(*span);
                out.push(Diagnostic::error(
                    &file,
                    line,
                    column,
                    format!(
                        "`{written}` on {name} is outside Shopify's range of 0 to {MAX_ITEMS} items per page: ask for at most {MAX_ITEMS} and page through the rest"
                    ),
                ));
            }
        }
    }
}

/// Input lists written in the operation: Shopify refuses more than 250 items.
fn long_lists(doc: &ExecutableDocument, value: &Node<Value>, out: &mut Vec<Diagnostic>) {
    match value.as_ref() {
        Value::List(items) => {
            if items.len() > MAX_ITEMS {
                let span = value.location();
                let (line, column) = position(span, &doc.sources);
                out.push(Diagnostic::error(
                    &file_of(span, &doc.sources),
                    line,
                    column,
                    format!(
                        "this list has {} items, over Shopify's limit of {MAX_ITEMS} items in an input array: split the call",
                        items.len()
                    ),
                ));
            }
            for item in items {
                long_lists(doc, item, out);
            }
        }
        Value::Object(fields) => {
            for (_, field) in fields {
                long_lists(doc, field, out);
            }
        }
        _ => {}
    }
}
