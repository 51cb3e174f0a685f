//! Variable coercion with graphql-ruby's `INVALID_VARIABLE` errors (value + problems).
//!
//! apollo-compiler's own coercion stops at the first problem and has no `problems` list, so
//! the emulator coerces variables itself and hands apollo the already-coerced map.

use apollo_compiler::Schema;
use apollo_compiler::ast::Type;
use apollo_compiler::executable::Operation;
use apollo_compiler::schema::ExtendedType;
use serde_json::{Map, Value, json};

use super::json::{from_ast, to_bytes};
use super::validate::GqlError;
use crate::store::{JsonMap, gid_parts};

struct Problem {
    path: Vec<Value>,
    explanation: String,
}

/// Coerces the request's variables for `operation`; errors are one per bad variable.
pub(crate) fn coerce(
    schema: &Schema,
    operation: &Operation,
    raw: &Map<String, Value>,
    source: &str,
) -> Result<JsonMap, Vec<GqlError>> {
    let mut out = JsonMap::new();
    let mut errors = Vec::new();
    for def in &operation.variables {
        let name = def.name.as_str();
        let value = match raw.get(name) {
            Some(v) => v.clone(),
            None => match &def.default_value {
                Some(default) => {
                    out.insert(name, to_bytes(&from_ast(default)));
                    continue;
                }
                None if def.ty.is_non_null() => Value::Null,
                None => continue,
            },
        };
        let mut problems = Vec::new();
        let mut coerced = coerce_value(schema, &value, &def.ty, &mut Vec::new(), &mut problems);
        // Shopify's ID scalar refuses strings that are not global ids.
        if problems.is_empty() && def.ty.inner_named_type() == "ID" {
            let ids: Vec<&Value> = match &coerced {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            if let Some(bad) = ids
                .into_iter()
                .filter_map(Value::as_str)
                .find(|s| gid_parts(s).is_none())
            {
                problems.push(Problem {
                    path: Vec::new(),
                    explanation: format!("Invalid global id '{bad}'"),
                });
            }
        }
        if problems.is_empty() {
            out.insert(name, to_bytes(&std::mem::take(&mut coerced)));
            continue;
        }
        let mut message = format!(
            "Variable ${name} of type {} was provided invalid value",
            def.ty
        );
        let located: Vec<String> = problems
            .iter()
            .filter(|p| !p.path.is_empty())
            .map(|p| {
                let path: Vec<String> = p
                    .path
                    .iter()
                    .map(|s| match s {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect();
                format!("{} ({})", path.join("."), p.explanation)
            })
            .collect();
        if !located.is_empty() {
            message.push_str(&format!(" for {}", located.join(", ")));
        }
        let mut error = GqlError::new(message, "INVALID_VARIABLE");
        error.extensions.insert("value".into(), value);
        error.extensions.insert(
            "problems".into(),
            Value::Array(
                problems
                    .into_iter()
                    .map(|p| json!({"path": p.path, "explanation": p.explanation}))
                    .collect(),
            ),
        );
        if let Some(loc) = def.location() {
            let before = source.get(..loc.offset()).unwrap_or(source);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            error.locations = vec![(line, column)];
        }
        errors.push(error);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn coerce_value(
    schema: &Schema,
    value: &Value,
    ty: &Type,
    path: &mut Vec<Value>,
    problems: &mut Vec<Problem>,
) -> Value {
    let mut problem = |path: &Vec<Value>, explanation: String| {
        problems.push(Problem {
            path: path.clone(),
            explanation,
        });
        Value::Null
    };
    if value.is_null() {
        if ty.is_non_null() {
            return problem(path, "Expected value to not be null".to_owned());
        }
        return Value::Null;
    }
    match ty {
        Type::List(inner) | Type::NonNullList(inner) => match value {
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        path.push(Value::from(i));
                        let v = coerce_value(schema, item, inner, path, problems);
                        path.pop();
                        v
                    })
                    .collect(),
            ),
            single => Value::Array(vec![coerce_value(schema, single, inner, path, problems)]),
        },
        Type::Named(name) | Type::NonNullNamed(name) => {
            let could_not = || format!("Could not coerce value {value} to {name}");
            match schema.types.get(name) {
                Some(ExtendedType::Scalar(_)) => match (name.as_str(), value) {
                    ("Int", Value::Number(n)) => match n.as_i64() {
                        Some(i) if i32::try_from(i).is_ok() => value.clone(),
                        _ => problem(path, could_not()),
                    },
                    ("Float", Value::Number(n)) => n.as_f64().map_or(Value::Null, Value::from),
                    ("String", Value::String(_)) | ("Boolean", Value::Bool(_)) => value.clone(),
                    ("ID", Value::String(_)) => value.clone(),
                    ("ID", Value::Number(n)) if n.is_i64() || n.is_u64() => {
                        Value::from(n.to_string())
                    }
                    ("Int" | "Float" | "String" | "Boolean" | "ID", _) => {
                        problem(path, could_not())
                    }
                    // Custom scalars travel as they come.
                    _ => value.clone(),
                },
                Some(ExtendedType::Enum(def)) => match value.as_str() {
                    Some(s) if def.values.contains_key(s) => value.clone(),
                    _ => {
                        let names: Vec<&str> = def.values.keys().map(|k| k.as_str()).collect();
                        problem(
                            path,
                            format!("Expected {value} to be one of: {}", names.join(", ")),
                        )
                    }
                },
                Some(ExtendedType::InputObject(def)) => {
                    let Value::Object(map) = value else {
                        return problem(
                            path,
                            format!("Expected {value} to be a key-value object."),
                        );
                    };
                    let mut out = Map::new();
                    for key in map.keys() {
                        if !def.fields.contains_key(key.as_str()) {
                            path.push(Value::from(key.clone()));
                            problem(path, format!("Field is not defined on {name}"));
                            path.pop();
                        }
                    }
                    for (field_name, field) in &def.fields {
                        path.push(Value::from(field_name.as_str()));
                        match map.get(field_name.as_str()) {
                            Some(v) => {
                                let v = coerce_value(schema, v, &field.ty, path, problems);
                                out.insert(field_name.to_string(), v);
                            }
                            None => match &field.default_value {
                                Some(default) => {
                                    out.insert(field_name.to_string(), from_ast(default));
                                }
                                None if field.ty.is_non_null() => {
                                    problems.push(Problem {
                                        path: path.clone(),
                                        explanation: "Expected value to not be null".to_owned(),
                                    });
                                }
                                None => {}
                            },
                        }
                        path.pop();
                    }
                    if def.directives.get("oneOf").is_some() {
                        let set = out.values().filter(|v| !v.is_null()).count();
                        if set != 1 || out.len() != 1 {
                            problems.push(Problem {
                                path: path.clone(),
                                explanation: format!("'{name}' requires exactly one argument"),
                            });
                        }
                    }
                    Value::Object(out)
                }
                _ => problem(path, format!("{name} isn't a defined input type")),
            }
        }
    }
}
