//! Response structs and their `FromJson` decoders, one per selection set, plus the
//! `on` enums of abstract types.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use apollo_compiler::Node;
use apollo_compiler::executable::{Field, Selection};
use indexmap::IndexMap;

use super::names::{doc, output_type, pascal, rust_string, snake};
use super::operations::user_errors_impl;
use super::{Ctx, Decode, FragmentDefs, Gen, Module, Part, StructField, has_condition, join};

/// Keys one `shopify_client::codec::fields` call reads (its `FIELDS_AT_ONCE`).
pub(super) const FIELDS_AT_ONCE: usize = 12;

impl Gen<'_> {
    /// Generates the struct `name` for `parts` selected on `parent`, and every type nested
    /// in it, into `module`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn selection(
        &mut self,
        module: &mut Module,
        path: &str,
        name: &str,
        doc_line: &str,
        parent: &str,
        parts: &[Part<'_>],
        ctx: Ctx,
        docs: &FragmentDefs,
    ) {
        // Collect fields by response key, fragments that always apply, and fragments on
        // narrower types.
        let mut fields: IndexMap<String, (Vec<&Node<Field>>, bool)> = IndexMap::new();
        let mut spreads: IndexMap<String, bool> = IndexMap::new();
        let mut narrow: IndexMap<String, Vec<Part<'_>>> = IndexMap::new();
        let mut stack: Vec<Part<'_>> = parts.iter().rev().copied().collect();
        while let Some(part) = stack.pop() {
            match part {
                Part::Spread(fragment, conditional) => {
                    let Some(def) = docs.fragment(fragment) else {
                        continue;
                    };
                    let condition = def.type_condition().to_string();
                    if self.covers(&condition, parent) {
                        let entry = spreads.entry(fragment.to_owned()).or_insert(conditional);
                        *entry &= conditional;
                    } else {
                        narrow.entry(condition).or_default().push(part);
                    }
                }
                Part::Set(set, conditional) => {
                    // Fragments that always apply are expanded after this set's own
                    // fields, in document order.
                    let mut expand = Vec::new();
                    for selection in &set.selections {
                        match selection {
                            Selection::Field(_) => {}
                            Selection::InlineFragment(inline) => {
                                let conditional = conditional || has_condition(&inline.directives);
                                let condition = inline
                                    .type_condition
                                    .as_ref()
                                    .map_or_else(|| parent.to_owned(), |c| c.to_string());
                                let part = Part::Set(&inline.selection_set, conditional);
                                if self.covers(&condition, parent) {
                                    expand.push(part);
                                } else {
                                    narrow.entry(condition).or_default().push(part);
                                }
                            }
                            Selection::FragmentSpread(spread) => expand.push(Part::Spread(
                                spread.fragment_name.as_str(),
                                conditional || has_condition(&spread.directives),
                            )),
                        }
                    }
                    stack.extend(expand.into_iter().rev());
                    // Fields in document order, before the fragments queued above.
                    for selection in &set.selections {
                        if let Selection::Field(field) = selection {
                            let conditional = conditional || has_condition(&field.directives);
                            let entry = fields
                                .entry(field.response_key().to_string())
                                .or_insert((Vec::new(), true));
                            entry.0.push(field);
                            entry.1 &= conditional;
                        }
                    }
                }
            }
        }

        let is_abstract = self.is_abstract(parent);
        let mut out_fields: Vec<StructField> = Vec::new();
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let mut field_name = |wanted: String| {
            let mut name = wanted.clone();
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{wanted}_{n}");
                n += 1;
            }
            name
        };
        if is_abstract {
            out_fields.push(StructField {
                name: field_name("typename".to_owned()),
                ty: "String".to_owned(),
                doc: Some("The concrete type's name (`__typename`).".to_owned()),
                decode: Decode::Typename,
            });
        }
        let child_prefix = if name == "ResponseData" {
            String::new()
        } else {
            name.to_owned()
        };
        for (key, (occurrences, conditional)) in &fields {
            let Some(first) = occurrences.first() else {
                continue;
            };
            if is_abstract && key == "__typename" {
                continue;
            }
            let ty = first.ty().clone();
            let inner = ty.inner_named_type().to_string();
            let leaf = match self.output_leaf(&inner) {
                Some(leaf) => leaf,
                None => {
                    let child = module.unique(format!("{child_prefix}{}", pascal(key)));
                    let sets: Vec<Part<'_>> = occurrences
                        .iter()
                        .map(|f| Part::Set(&f.selection_set, false))
                        .collect();
                    let line = format!("`{inner}` selected as `{key}`.");
                    self.selection(
                        module,
                        &join(path, key),
                        &child,
                        &line,
                        &inner,
                        &sets,
                        ctx,
                        docs,
                    );
                    child
                }
            };
            let mut rust = output_type(&ty, &leaf);
            if *conditional && !rust.starts_with("Option<") {
                rust = format!("Option<{rust}>");
            }
            let rust_name = field_name(snake(key));
            module
                .paths
                .insert(join(path, key), (rust_name.clone(), rust.clone()));
            out_fields.push(StructField {
                name: rust_name,
                ty: rust,
                doc: first.definition.description.as_ref().map(|d| d.to_string()),
                decode: Decode::Key(key.clone()),
            });
        }
        for (fragment, conditional) in &spreads {
            let ty = format!("{}{}", ctx.fragments_path(), pascal(fragment));
            out_fields.push(StructField {
                name: field_name(snake(fragment)),
                ty: if *conditional {
                    format!("Option<{ty}>")
                } else {
                    ty
                },
                doc: Some(format!("The fields of fragment `{fragment}`.")),
                decode: if *conditional {
                    Decode::SameOptional
                } else {
                    Decode::Same
                },
            });
        }
        let mut variants = Vec::new();
        for (condition, parts) in &narrow {
            let struct_name = module.unique(format!("{name}On{}", pascal(condition)));
            let line = format!("The fields selected when `{parent}` is a `{condition}`.");
            // Paths stop at type conditions: only plain field paths are followed.
            let narrowed = format!("{path}#{condition}");
            self.selection(
                module,
                &narrowed,
                &struct_name,
                &line,
                condition,
                parts,
                ctx,
                docs,
            );
            if self.is_object(condition) {
                variants.push((condition.clone(), struct_name));
            } else {
                let mut types: Vec<String> = self
                    .possible_types(condition)
                    .intersection(&self.possible_types(parent))
                    .cloned()
                    .collect();
                types.sort();
                out_fields.push(StructField {
                    name: field_name(format!("on_{}", snake(condition))),
                    ty: format!("Option<{struct_name}>"),
                    doc: Some(format!("Set when this `{parent}` is also a `{condition}`.")),
                    decode: Decode::When(types),
                });
            }
        }
        if !variants.is_empty() {
            let enum_name = module.unique(format!("{name}On"));
            out_fields.push(StructField {
                name: field_name("on".to_owned()),
                ty: enum_name.clone(),
                doc: Some(format!(
                    "The fields that depend on which `{parent}` this is."
                )),
                decode: Decode::Same,
            });
            module.items.push(on_enum(&enum_name, parent, &variants));
        }

        module
            .items
            .push(self.struct_item(name, doc_line, parent, &out_fields));
        if let Some(item) = user_errors_impl(module, path, name) {
            module.user_errors.insert(name.to_owned());
            module.items.push(item);
        }
    }

    pub(super) fn struct_item(
        &self,
        name: &str,
        doc_line: &str,
        parent: &str,
        fields: &[StructField],
    ) -> String {
        let mut out = String::new();
        out.push_str("::shopify_client::__graphql_object! {\n");
        let _ = writeln!(out, "    /// {doc_line}");
        if let Some(description) = self
            .schema
            .schema
            .types
            .get(parent)
            .and_then(|t| t.description())
        {
            out.push_str("    ///\n");
            doc(&mut out, "    ", description);
        }
        let _ = writeln!(out, "    {name}: {} {{", rust_string(parent));
        for field in fields {
            if let Some(text) = &field.doc {
                doc(&mut out, "        ", text);
            }
            let _ = writeln!(out, "        {}: {},", field.name, field.ty);
        }
        out.push_str("    }\n    keys {");
        let keyed: Vec<(&str, &str)> = fields
            .iter()
            .filter_map(|f| match &f.decode {
                Decode::Key(key) => Some((f.name.as_str(), key.as_str())),
                _ => None,
            })
            .collect();
        for chunk in keyed.chunks(FIELDS_AT_ONCE) {
            let names: Vec<&str> = chunk.iter().map(|(name, _)| *name).collect();
            let keys: Vec<String> = chunk.iter().map(|(_, key)| rust_string(key)).collect();
            let _ = write!(out, " ({}) = [{}];", names.join(", "), keys.join(", "));
        }
        out.push_str(" }\n    other {");
        for field in fields {
            let how = match &field.decode {
                Decode::Key(_) => continue,
                Decode::Typename => "typename()".to_owned(),
                Decode::Same => "same()".to_owned(),
                Decode::SameOptional => "maybe()".to_owned(),
                Decode::When(types) => {
                    let quoted: Vec<String> = types.iter().map(|t| rust_string(t)).collect();
                    format!("when([{}])", quoted.join(", "))
                }
            };
            let _ = write!(out, " {} = {how},", field.name);
        }
        out.push_str(" }\n}\n\n");
        out
    }
}

pub(super) fn on_enum(name: &str, parent: &str, variants: &[(String, String)]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "::shopify_client::__graphql_on! {{\n    /// Which `{parent}` this is, with the fields selected for that type.\n    {name}: {} {{",
        rust_string(parent)
    );
    for (ty, struct_name) in variants {
        let _ = writeln!(
            out,
            "        /// A `{ty}`.\n        {}({struct_name}) = {},",
            pascal(ty),
            rust_string(ty)
        );
    }
    out.push_str("    }\n}\n\n");
    out
}
