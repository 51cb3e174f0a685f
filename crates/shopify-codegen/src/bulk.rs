//! Bulk queries as sent: `__typename` first in every connection's node selection, so
//! each line of the result file says which level (row type) it is, cheaply (a prefix
//! check, see `shopify_client::bulk::typename_of`).

use apollo_compiler::executable::{ExecutableDocument, Selection, SelectionSet};
use apollo_compiler::validation::Valid;
use apollo_compiler::{Name, Node};
use shopify_schema::AdminSchema;
use shopify_schema::bulk::is_connection;

pub(crate) fn prepare(
    schema: &AdminSchema,
    valid: Valid<ExecutableDocument>,
) -> Valid<ExecutableDocument> {
    let mut doc = valid.into_inner();
    for op in doc.operations.named.values_mut() {
        walk(schema, &mut op.make_mut().selection_set);
    }
    if let Some(op) = doc.operations.anonymous.as_mut() {
        walk(schema, &mut op.make_mut().selection_set);
    }
    for fragment in doc.fragments.values_mut() {
        walk(schema, &mut fragment.make_mut().selection_set);
    }
    Valid::assume_valid(doc)
}

fn walk(schema: &AdminSchema, set: &mut SelectionSet) {
    for selection in &mut set.selections {
        match selection {
            Selection::Field(field) => {
                let connection = is_connection(&schema.schema, field.ty().inner_named_type());
                let field = field.make_mut();
                if connection {
                    for inner in &mut field.selection_set.selections {
                        let Selection::Field(inner) = inner else {
                            continue;
                        };
                        let inner = inner.make_mut();
                        match inner.name.as_str() {
                            "nodes" => level(schema, &mut inner.selection_set),
                            "edges" => {
                                for edge in &mut inner.selection_set.selections {
                                    if let Selection::Field(node) = edge {
                                        if node.name == "node" {
                                            level(schema, &mut node.make_mut().selection_set);
                                        }
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                } else {
                    walk(schema, &mut field.selection_set);
                }
            }
            Selection::InlineFragment(inline) => walk(schema, &mut inline.make_mut().selection_set),
            Selection::FragmentSpread(_) => {}
        }
    }
}

/// A level's node selection: `__typename` first (moved there if selected elsewhere).
fn level(schema: &AdminSchema, set: &mut SelectionSet) {
    let typename = Name::new_static_unchecked("__typename");
    let at = set
        .selections
        .iter()
        .position(|s| matches!(s, Selection::Field(f) if f.alias.is_none() && f.name == typename));
    match at {
        Some(0) => {}
        Some(i) => {
            let field = set.selections.remove(i);
            set.selections.insert(0, field);
        }
        None => {
            if let Ok(field) = set.new_field(&schema.schema, typename) {
                set.selections.insert(0, Selection::Field(Node::new(field)));
            }
        }
    }
    walk(schema, set);
}
