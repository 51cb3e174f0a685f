//! What moving the operations to another Admin API version would change, per operation.

use std::fmt;

use apollo_compiler::ast::{Type, Value};
use apollo_compiler::executable::{Field, Selection, SelectionSet};
use apollo_compiler::schema::ExtendedType;
use shopify_schema::AdminSchema;
use shopify_schema::diff::deprecation_reason;

use crate::{Compiled, Diagnostics, Operation, Sources, compile};

/// The effect of a new schema version on one operation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperationUpgrade {
    /// The operation name.
    pub name: String,
    /// Its file.
    pub file: String,
    /// Changes that break it: it no longer validates, or its generated types change.
    pub breaking: Vec<String>,
    /// Fields and arguments it uses that the new version deprecates, with the reason.
    pub newly_deprecated: Vec<String>,
    /// Static cost before and after, when it changes.
    pub cost: Option<(String, String)>,
    /// Required access scopes before and after, when they change.
    pub scopes: Option<(String, String)>,
}

impl OperationUpgrade {
    /// Nothing to report.
    pub fn is_unchanged(&self) -> bool {
        self.breaking.is_empty()
            && self.newly_deprecated.is_empty()
            && self.cost.is_none()
            && self.scopes.is_none()
    }
}

/// The report of [`check_upgrade`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpgradeReport {
    /// The current API version.
    pub from: String,
    /// The version checked against.
    pub to: String,
    /// One entry per operation, in file order.
    pub operations: Vec<OperationUpgrade>,
    /// Errors in fragment files under the new version (their operations fail too).
    pub fragment_errors: Vec<String>,
}

impl UpgradeReport {
    /// Whether any operation breaks.
    pub fn breaks(&self) -> bool {
        !self.fragment_errors.is_empty() || self.operations.iter().any(|op| !op.breaking.is_empty())
    }
}

impl fmt::Display for UpgradeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let broken = self
            .operations
            .iter()
            .filter(|op| !op.breaking.is_empty())
            .count();
        // Each operation counts once: a broken one is not also "changed".
        let changed = self
            .operations
            .iter()
            .filter(|op| op.breaking.is_empty() && !op.is_unchanged())
            .count();
        let total = self.operations.len();
        writeln!(
            f,
            "{} → {}: {total} operation{}: {broken} breaking, {changed} changed (not breaking), {} unchanged",
            self.from,
            self.to,
            if total == 1 { "" } else { "s" },
            total - broken - changed
        )?;
        for op in self.operations.iter().filter(|op| !op.is_unchanged()) {
            let verdict = if op.breaking.is_empty() {
                "changes"
            } else {
                "BREAKS"
            };
            writeln!(f, "\n{} ({}): {verdict}", op.name, op.file)?;
            for line in &op.breaking {
                writeln!(f, "  breaking: {line}")?;
            }
            for line in &op.newly_deprecated {
                writeln!(f, "  deprecated: {line}")?;
            }
            if let Some((old, new)) = &op.cost {
                writeln!(f, "  cost: {old} → {new}")?;
            }
            if let Some((old, new)) = &op.scopes {
                writeln!(f, "  scopes: {old} → {new}")?;
            }
        }
        for error in &self.fragment_errors {
            writeln!(f, "\nfragment: {error}")?;
        }
        Ok(())
    }
}

/// Validator messages that the usage walk reports more precisely.
const EXPLAINED: &[&str] = &[
    "does not have a field",
    "is not supported by",
    "does not exist on",
    "is not provided",
    "cannot find type",
];

/// Checks every operation of `sources`, valid against `current`, against `next`.
///
/// Fails when the operations do not validate against `current` (fix them first).
pub fn check_upgrade(
    current: &AdminSchema,
    next: &AdminSchema,
    sources: &Sources,
) -> Result<UpgradeReport, Diagnostics> {
    let before = compile(current, sources)?;
    let fragment_files: Vec<&str> = sources
        .fragments
        .iter()
        .map(|f| f.display.as_str())
        .collect();
    let mut fragment_errors = Vec::new();
    let operations = before
        .operations
        .iter()
        .map(|op| {
            let mut report = OperationUpgrade {
                name: op.name.clone(),
                file: op.file.clone(),
                ..OperationUpgrade::default()
            };
            // Each operation alone, so one broken operation does not hide the others' changes.
            let alone = Sources {
                operations: sources
                    .operations
                    .iter()
                    .filter(|f| f.display == op.file)
                    .cloned()
                    .collect(),
                fragments: sources.fragments.clone(),
                directories: Vec::new(),
            };
            match compile(next, &alone) {
                Ok(after) => {
                    if let Some(new_op) = find(&after, &op.name) {
                        let (old_cost, new_cost) = (op.cost.to_string(), new_op.cost.to_string());
                        if old_cost != new_cost {
                            report.cost = Some((old_cost, new_cost));
                        }
                        let (old_scopes, new_scopes) = (scopes(op), scopes(new_op));
                        if old_scopes != new_scopes {
                            report.scopes = Some((old_scopes, new_scopes));
                        }
                    }
                }
                Err(errors) => {
                    for diagnostic in errors.0 {
                        if fragment_files.contains(&diagnostic.file.as_str()) {
                            fragment_errors.push(diagnostic.to_string());
                        } else {
                            report.breaking.push(format!(
                                "{}:{}: {}",
                                diagnostic.line, diagnostic.column, diagnostic.message
                            ));
                        }
                    }
                }
            }
            let validation = std::mem::take(&mut report.breaking);
            compare_usage(current, next, op, &mut report);
            // The walk names most breaks precisely; keep the validator's words for the rest.
            let explained = !report.breaking.is_empty();
            report
                .breaking
                .extend(validation.into_iter().filter(|message| {
                    !(explained && EXPLAINED.iter().any(|pattern| message.contains(pattern)))
                }));
            report.breaking.sort();
            report.breaking.dedup();
            report
        })
        .collect();
    fragment_errors.sort();
    fragment_errors.dedup();
    Ok(UpgradeReport {
        from: current.api_version().to_owned(),
        to: next.api_version().to_owned(),
        operations,
        fragment_errors,
    })
}

fn find<'c>(compiled: &'c Compiled, name: &str) -> Option<&'c Operation> {
    compiled.operations.iter().find(|op| op.name == name)
}

fn scopes(op: &Operation) -> String {
    if op.access.clauses.is_empty() {
        return "(none)".to_owned();
    }
    op.access
        .clauses
        .iter()
        .map(|c| c.iter().cloned().collect::<Vec<_>>().join(" | "))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Walks what `op` uses under the current schema and looks each piece up in the next:
/// removed or retyped fields and arguments, removed enum values used as literals,
/// removed or retyped input fields the variables' types carry, newly deprecated fields.
fn compare_usage(
    current: &AdminSchema,
    next: &AdminSchema,
    op: &Operation,
    report: &mut OperationUpgrade,
) {
    let doc = &op.document;
    if let Ok(definition) = doc.operations.get(Some(&op.name)) {
        walk(next, &definition.selection_set, report);
        for variable in &definition.variables {
            input_changes(
                current,
                next,
                variable.ty.inner_named_type(),
                report,
                &mut Vec::new(),
            );
        }
    }
    for fragment in doc.fragments.values() {
        walk(next, &fragment.selection_set, report);
    }
}

fn walk(next: &AdminSchema, set: &SelectionSet, report: &mut OperationUpgrade) {
    for selection in &set.selections {
        match selection {
            Selection::Field(field) => {
                field_change(next, &set.ty, field, report);
                walk(next, &field.selection_set, report);
            }
            Selection::InlineFragment(inline) => walk(next, &inline.selection_set, report),
            Selection::FragmentSpread(_) => {}
        }
    }
}

fn field_change(next: &AdminSchema, parent: &str, field: &Field, report: &mut OperationUpgrade) {
    if field.name.starts_with("__") {
        return;
    }
    let coordinate = format!("{parent}.{}", field.name);
    let Ok(new) = next.schema.type_field(parent, &field.name) else {
        report
            .breaking
            .push(format!("field `{coordinate}` is removed"));
        return;
    };
    if new.ty != field.definition.ty {
        report.breaking.push(format!(
            "field `{coordinate}` changes type from `{}` to `{}`",
            field.definition.ty, new.ty
        ));
    }
    if field.definition.directives.get("deprecated").is_none() {
        if let Some(reason) = deprecation_reason(&new.directives) {
            report
                .newly_deprecated
                .push(format!("`{coordinate}`: {}", reason.trim()));
        }
    }
    for new_argument in &new.arguments {
        let required = new_argument.ty.is_non_null() && new_argument.default_value.is_none();
        if required && !field.arguments.iter().any(|a| a.name == new_argument.name) {
            report.breaking.push(format!(
                "argument `{coordinate}({}:)` is now required",
                new_argument.name
            ));
        }
    }
    for argument in &field.arguments {
        let Some(old_argument) = field.definition.argument_by_name(&argument.name) else {
            continue;
        };
        match new.argument_by_name(&argument.name) {
            None => report.breaking.push(format!(
                "argument `{coordinate}({}:)` is removed",
                argument.name
            )),
            Some(new_argument) if new_argument.ty != old_argument.ty => {
                report.breaking.push(format!(
                    "argument `{coordinate}({}:)` changes type from `{}` to `{}`",
                    argument.name, old_argument.ty, new_argument.ty
                ))
            }
            Some(new_argument) => literal_changes(next, &argument.value, &new_argument.ty, report),
        }
    }
}

/// Enum values written as literals that the next version drops.
fn literal_changes(next: &AdminSchema, value: &Value, ty: &Type, report: &mut OperationUpgrade) {
    match value {
        Value::Enum(name) => {
            if let Some(enum_type) = next.schema.get_enum(ty.inner_named_type()) {
                if !enum_type.values.contains_key(name) {
                    report
                        .breaking
                        .push(format!("enum value `{}.{name}` is removed", enum_type.name));
                }
            }
        }
        Value::List(items) => {
            for item in items {
                literal_changes(next, item, ty.item_type(), report);
            }
        }
        Value::Object(fields) => {
            if let Some(input) = next.schema.get_input_object(ty.inner_named_type()) {
                for (name, field_value) in fields {
                    if let Some(definition) = input.fields.get(name) {
                        literal_changes(next, field_value, &definition.ty, report);
                    }
                }
            }
        }
        _ => {}
    }
}

/// Input fields of the variables' input types that the next version removes or retypes:
/// callers that set them stop compiling once the types are regenerated.
fn input_changes(
    current: &AdminSchema,
    next: &AdminSchema,
    ty: &str,
    report: &mut OperationUpgrade,
    seen: &mut Vec<String>,
) {
    if seen.iter().any(|s| s == ty) {
        return;
    }
    seen.push(ty.to_owned());
    let Some(old) = current.schema.get_input_object(ty) else {
        return;
    };
    let Some(ExtendedType::InputObject(new)) = next.schema.types.get(ty) else {
        report
            .breaking
            .push(format!("input type `{ty}` is removed"));
        return;
    };
    for (name, definition) in &new.fields {
        let required = definition.ty.is_non_null() && definition.default_value.is_none();
        if required && !old.fields.contains_key(name) {
            report
                .breaking
                .push(format!("input field `{ty}.{name}` is new and required"));
        }
    }
    for (name, definition) in &old.fields {
        match new.fields.get(name) {
            None => report
                .breaking
                .push(format!("input field `{ty}.{name}` is removed")),
            Some(new_definition) if new_definition.ty != definition.ty => {
                report.breaking.push(format!(
                    "input field `{ty}.{name}` changes type from `{}` to `{}`",
                    definition.ty, new_definition.ty
                ))
            }
            Some(_) => {}
        }
        input_changes(
            current,
            next,
            definition.ty.inner_named_type(),
            report,
            seen,
        );
    }
}
