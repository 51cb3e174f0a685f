//! What changed between two schema versions.

use std::collections::BTreeSet;
use std::fmt;

use apollo_compiler::Schema;
use apollo_compiler::schema::ExtendedType;

/// Changes from one schema to another, by schema coordinate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaDiff {
    /// Types only in the new schema.
    pub added_types: Vec<String>,
    /// Types only in the old schema.
    pub removed_types: Vec<String>,
    /// Types whose kind changed (e.g. object → interface).
    pub changed_kinds: Vec<String>,
    /// Fields and input fields only in the new schema (`Type.field`).
    pub added_fields: Vec<String>,
    /// Fields and input fields only in the old schema.
    pub removed_fields: Vec<String>,
    /// Fields, input fields and arguments whose type changed: `(coordinate, old, new)`.
    pub retyped: Vec<(String, String, String)>,
    /// Arguments only in the new schema (`Type.field(arg:)`).
    pub added_arguments: Vec<String>,
    /// Arguments only in the old schema.
    pub removed_arguments: Vec<String>,
    /// Enum values only in the new schema (`Enum.VALUE`).
    pub added_values: Vec<String>,
    /// Enum values only in the old schema.
    pub removed_values: Vec<String>,
    /// Fields and enum values deprecated in the new schema but not the old: `(coordinate, reason)`.
    pub newly_deprecated: Vec<(String, String)>,
}

impl SchemaDiff {
    /// Compares `old` with `new`.
    pub fn between(old: &Schema, new: &Schema) -> Self {
        let mut diff = SchemaDiff::default();
        let old_types: BTreeSet<&str> = user_types(old).collect();
        let new_types: BTreeSet<&str> = user_types(new).collect();
        diff.added_types = new_types
            .difference(&old_types)
            .map(|s| (*s).to_owned())
            .collect();
        diff.removed_types = old_types
            .difference(&new_types)
            .map(|s| (*s).to_owned())
            .collect();
        for name in old_types.intersection(&new_types) {
            let (Some(a), Some(b)) = (old.types.get(*name), new.types.get(*name)) else {
                continue;
            };
            if std::mem::discriminant(a) != std::mem::discriminant(b) {
                diff.changed_kinds.push((*name).to_owned());
                continue;
            }
            diff.compare_type(name, a, b);
        }
        diff
    }

    fn compare_type(&mut self, name: &str, old: &ExtendedType, new: &ExtendedType) {
        match (old, new) {
            (
                ExtendedType::Object(_) | ExtendedType::Interface(_),
                ExtendedType::Object(_) | ExtendedType::Interface(_),
            ) => {
                let old_fields = fields_of(old);
                let new_fields = fields_of(new);
                for (field, definition) in &old_fields {
                    let coordinate = format!("{name}.{field}");
                    let Some((_, new_definition)) = new_fields.iter().find(|(f, _)| f == field)
                    else {
                        self.removed_fields.push(coordinate);
                        continue;
                    };
                    if definition.ty != new_definition.ty {
                        self.retyped.push((
                            coordinate.clone(),
                            definition.ty.to_string(),
                            new_definition.ty.to_string(),
                        ));
                    }
                    if !is_deprecated(&definition.directives) {
                        if let Some(reason) = deprecation_reason(&new_definition.directives) {
                            self.newly_deprecated.push((coordinate.clone(), reason));
                        }
                    }
                    for argument in &definition.arguments {
                        let arg = format!("{coordinate}({}:)", argument.name);
                        match new_definition
                            .arguments
                            .iter()
                            .find(|a| a.name == argument.name)
                        {
                            None => self.removed_arguments.push(arg),
                            Some(new_argument) if new_argument.ty != argument.ty => self
                                .retyped
                                .push((arg, argument.ty.to_string(), new_argument.ty.to_string())),
                            Some(_) => {}
                        }
                    }
                    for argument in &new_definition.arguments {
                        if !definition.arguments.iter().any(|a| a.name == argument.name) {
                            self.added_arguments
                                .push(format!("{coordinate}({}:)", argument.name));
                        }
                    }
                }
                for (field, _) in &new_fields {
                    if !old_fields.iter().any(|(f, _)| f == field) {
                        self.added_fields.push(format!("{name}.{field}"));
                    }
                }
            }
            (ExtendedType::InputObject(a), ExtendedType::InputObject(b)) => {
                for (field, definition) in &a.fields {
                    let coordinate = format!("{name}.{field}");
                    match b.fields.get(field) {
                        None => self.removed_fields.push(coordinate),
                        Some(new_definition) if new_definition.ty != definition.ty => {
                            self.retyped.push((
                                coordinate,
                                definition.ty.to_string(),
                                new_definition.ty.to_string(),
                            ))
                        }
                        Some(_) => {}
                    }
                }
                for field in b.fields.keys() {
                    if !a.fields.contains_key(field) {
                        self.added_fields.push(format!("{name}.{field}"));
                    }
                }
            }
            (ExtendedType::Enum(a), ExtendedType::Enum(b)) => {
                for (value, definition) in &a.values {
                    let coordinate = format!("{name}.{value}");
                    match b.values.get(value) {
                        None => self.removed_values.push(coordinate),
                        Some(new_definition) => {
                            if !is_deprecated(&definition.directives) {
                                if let Some(reason) = deprecation_reason(&new_definition.directives)
                                {
                                    self.newly_deprecated.push((coordinate, reason));
                                }
                            }
                        }
                    }
                }
                for value in b.values.keys() {
                    if !a.values.contains_key(value) {
                        self.added_values.push(format!("{name}.{value}"));
                    }
                }
            }
            _ => {}
        }
    }

    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        *self == SchemaDiff::default()
    }
}

/// One line per kind of change, e.g. `types: +12 -3`.
impl fmt::Display for SchemaDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return writeln!(f, "no changes");
        }
        writeln!(
            f,
            "types: +{} -{} (kind changed: {})",
            self.added_types.len(),
            self.removed_types.len(),
            self.changed_kinds.len()
        )?;
        writeln!(
            f,
            "fields: +{} -{}",
            self.added_fields.len(),
            self.removed_fields.len()
        )?;
        writeln!(
            f,
            "arguments: +{} -{}",
            self.added_arguments.len(),
            self.removed_arguments.len()
        )?;
        writeln!(
            f,
            "enum values: +{} -{}",
            self.added_values.len(),
            self.removed_values.len()
        )?;
        writeln!(f, "retyped: {}", self.retyped.len())?;
        writeln!(f, "newly deprecated: {}", self.newly_deprecated.len())
    }
}

fn user_types(schema: &Schema) -> impl Iterator<Item = &str> {
    schema
        .types
        .iter()
        .filter(|(name, ty)| !name.starts_with("__") && !ty.is_built_in())
        .map(|(name, _)| name.as_str())
}

fn fields_of(ty: &ExtendedType) -> Vec<(String, apollo_compiler::schema::FieldDefinition)> {
    let fields = match ty {
        ExtendedType::Object(o) => &o.fields,
        ExtendedType::Interface(i) => &i.fields,
        _ => return Vec::new(),
    };
    fields
        .iter()
        .map(|(name, definition)| (name.to_string(), definition.node.as_ref().clone()))
        .collect()
}

fn is_deprecated(directives: &apollo_compiler::ast::DirectiveList) -> bool {
    directives.get("deprecated").is_some()
}

/// The reason of a `@deprecated` directive, Shopify's words, if deprecated.
pub fn deprecation_reason(directives: &apollo_compiler::ast::DirectiveList) -> Option<String> {
    let directive = directives.get("deprecated")?;
    Some(
        directive
            .specified_argument_by_name("reason")
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "No longer supported".to_owned()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(sdl: &str) -> Schema {
        Schema::parse_and_validate(sdl, "s.graphql")
            .expect("valid")
            .into_inner()
    }

    #[test]
    fn each_kind_of_change_is_reported() {
        let old = schema(
            "type Query { a: Int b(x: Int, y: String): String c: String gone: Int }
             enum E { ONE TWO }
             input I { p: Int q: String }
             type Old { id: ID }",
        );
        let new = schema(
            "type Query { a: Float b(x: Int, z: Int): String c: String @deprecated(reason: \"Use d.\") d: String }
             enum E { ONE THREE }
             input I { p: Int r: String }
             type New { id: ID }",
        );
        let diff = SchemaDiff::between(&old, &new);
        assert_eq!(diff.added_types, ["New"]);
        assert_eq!(diff.removed_types, ["Old"]);
        assert_eq!(diff.removed_fields, ["I.q", "Query.gone"]);
        assert_eq!(diff.added_fields, ["I.r", "Query.d"]);
        assert_eq!(
            diff.retyped,
            [("Query.a".to_owned(), "Int".to_owned(), "Float".to_owned())]
        );
        assert_eq!(diff.removed_arguments, ["Query.b(y:)"]);
        assert_eq!(diff.added_arguments, ["Query.b(z:)"]);
        assert_eq!(diff.removed_values, ["E.TWO"]);
        assert_eq!(diff.added_values, ["E.THREE"]);
        assert_eq!(
            diff.newly_deprecated,
            [("Query.c".to_owned(), "Use d.".to_owned())]
        );
    }

    #[test]
    fn a_schema_does_not_differ_from_itself() {
        let s = schema("type Query { a: Int }");
        assert!(SchemaDiff::between(&s, &s).is_empty());
    }
}
