//! `@idempotent` on mutations: added where Shopify supports (and since 2026-04 requires)
//! it, refused where it does not, so no such mutation reaches Shopify without a key.

use apollo_compiler::ast::{Argument, Directive, Type, Value, VariableDefinition};
use apollo_compiler::executable::{ExecutableDocument, OperationType, Selection};
use apollo_compiler::parser::SourceMap;
use apollo_compiler::validation::Valid;
use apollo_compiler::{Name, Node};

use crate::check::position;
use crate::{Diagnostic, Idempotency};

const DIRECTIVE: &str = "idempotent";
const KEY_VARIABLE: &str = "idempotencyKey";

/// Whether a mutation field's documentation says it takes `@idempotent`.
pub(crate) fn supports_directive(description: Option<&str>) -> bool {
    description.is_some_and(|d| d.contains("`@idempotent` directive"))
}

/// Adds `@idempotent(key: $idempotencyKey…)` to root mutation fields that support it and
/// lack it, and says how the operation can be retried.
pub(crate) fn plan(
    valid: Valid<ExecutableDocument>,
    file: &str,
    sources: &SourceMap,
) -> Result<(Valid<ExecutableDocument>, Idempotency), Vec<Diagnostic>> {
    let mut doc = valid.into_inner();
    let mut errors = Vec::new();
    let mut generated: Vec<String> = Vec::new();
    let mut keyed_fields = 0usize;
    let mut root_fields = 0usize;
    for op in doc.operations.named.values_mut() {
        if op.operation_type != OperationType::Mutation {
            return Ok((Valid::assume_valid(doc), Idempotency::None));
        }
        let op = op.make_mut();
        let mut taken: Vec<String> = op.variables.iter().map(|v| v.name.to_string()).collect();
        let mut new_variables = Vec::new();
        for selection in &mut op.selection_set.selections {
            let Selection::Field(field) = selection else {
                continue;
            };
            root_fields += 1;
            let supports = supports_directive(field.definition.description.as_deref());
            let (line, column) = position(field.location(), sources);
            if let Some(directive) = field.directives.get(DIRECTIVE) {
                if !supports {
                    errors.push(Diagnostic::error(
                        file,
                        line,
                        column,
                        format!(
                            "`{}` does not support @idempotent (only mutations whose documentation says so do); remove the directive",
                            field.name
                        ),
                    ));
                    continue;
                }
                match directive.specified_argument_by_name("key").map(|v| v.as_ref()) {
                    Some(Value::Variable(_)) => keyed_fields += 1,
                    _ => errors.push(Diagnostic::error(
                        file,
                        line,
                        column,
                        format!(
                            "`@idempotent` on `{}` needs a variable key (`@idempotent(key: $key)`), or none at all to let the client make one per call: a literal key would make every call replay the first",
                            field.name
                        ),
                    )),
                }
                continue;
            }
            if field.definition.argument_by_name(KEY_VARIABLE).is_some()
                && field.specified_argument_by_name(KEY_VARIABLE).is_some()
            {
                // Mutations such as orderCreateManualPayment take the key as an argument.
                keyed_fields += 1;
                continue;
            }
            if !supports {
                continue;
            }
            let mut name = KEY_VARIABLE.to_owned();
            let mut n = 2;
            while taken.contains(&name) {
                name = format!("{KEY_VARIABLE}{n}");
                n += 1;
            }
            taken.push(name.clone());
            let variable = Name::new(&name).map_err(|_| {
                vec![Diagnostic::error(
                    file,
                    line,
                    column,
                    "invalid key variable name",
                )]
            })?;
            field.make_mut().directives.push(Node::new(Directive {
                name: Name::new_static_unchecked(DIRECTIVE),
                arguments: vec![Node::new(Argument {
                    name: Name::new_static_unchecked("key"),
                    value: Node::new(Value::Variable(variable.clone())),
                })],
            }));
            new_variables.push(Node::new(VariableDefinition {
                name: variable,
                ty: Node::new(Type::NonNullNamed(Name::new_static_unchecked("String"))),
                default_value: None,
                directives: Default::default(),
            }));
            generated.push(name);
            keyed_fields += 1;
        }
        op.variables.extend(new_variables);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let idempotency = if root_fields == 0 || keyed_fields < root_fields {
        // One unkeyed write in the request makes the whole request unsafe to replay.
        Idempotency::None
    } else if generated.is_empty() {
        Idempotency::Supplied
    } else {
        Idempotency::Generated(generated)
    };
    Ok((Valid::assume_valid(doc), idempotency))
}
