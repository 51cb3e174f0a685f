//! The `types` module (every schema enum and input object the operations use, once)
//! and input structs (variables and input objects, as `__graphql_input!`).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use apollo_compiler::ast::Type;
use apollo_compiler::schema::ExtendedType;

use super::Gen;
use super::names::{doc, pascal, rust_string, snake};

impl Gen<'_> {
    /// The Rust type of an input type; `types` is the path to the `types` module.
    pub(super) fn input_type(&mut self, ty: &Type, types: &str) -> String {
        match ty {
            Type::Named(name) => format!("Option<{}>", self.input_leaf(name, types)),
            Type::NonNullNamed(name) => self.input_leaf(name, types),
            Type::List(inner) => format!("Option<Vec<{}>>", self.input_type(inner, types)),
            Type::NonNullList(inner) => format!("Vec<{}>", self.input_type(inner, types)),
        }
    }

    pub(super) fn input_leaf(&mut self, name: &str, types: &str) -> String {
        match self.schema.schema.types.get(name) {
            Some(ExtendedType::Scalar(_)) => self.scalar(name),
            Some(ExtendedType::Enum(_)) => {
                self.enums.insert(name.to_owned());
                format!("{types}{}", pascal(name))
            }
            Some(ExtendedType::InputObject(_)) => {
                self.use_input(name);
                format!("{types}{}", pascal(name))
            }
            _ => {
                self.error(format!("`{name}` is not an input type"));
                "()".to_owned()
            }
        }
    }

    /// Marks an input object, and every input type it reaches, as used.
    pub(super) fn use_input(&mut self, name: &str) {
        if !self.inputs.insert(name.to_owned()) {
            return;
        }
        let Some(input) = self.schema.schema.get_input_object(name) else {
            return;
        };
        let reached: Vec<String> = input
            .fields
            .values()
            .map(|f| f.ty.inner_named_type().to_string())
            .collect();
        for ty in reached {
            match self.schema.schema.types.get(ty.as_str()) {
                Some(ExtendedType::InputObject(_)) => self.use_input(&ty),
                Some(ExtendedType::Enum(_)) => {
                    self.enums.insert(ty);
                }
                _ => {}
            }
        }
    }

    /// The `types` module: every enum and input object the operations use.
    pub(super) fn types(&mut self) -> String {
        let mut out = String::new();
        let inputs: Vec<String> = self.inputs.iter().cloned().collect();
        for name in &inputs {
            self.input_object(name, &mut out);
        }
        let enums: Vec<String> = self.enums.iter().cloned().collect();
        for name in &enums {
            self.enum_item(name, &mut out);
        }
        out
    }

    pub(super) fn enum_item(&mut self, name: &str, out: &mut String) {
        let Some(def) = self.schema.schema.get_enum(name) else {
            return;
        };
        let rust = pascal(name);
        let mut variants: Vec<(String, String, Option<String>)> = Vec::new();
        let mut taken = BTreeSet::new();
        for (value, definition) in &def.values {
            let mut variant = pascal(value);
            while !taken.insert(variant.clone()) {
                variant.push('_');
            }
            variants.push((
                variant,
                value.to_string(),
                definition.description.as_ref().map(|d| d.to_string()),
            ));
        }
        let unknown = if taken.contains("Unknown") {
            "UnknownValue"
        } else {
            "Unknown"
        };
        out.push_str("::shopify_client::__graphql_enum! {\n");
        if let Some(description) = &def.description {
            doc(out, "    ", description);
        }
        let _ = writeln!(out, "    {rust} / {unknown} {{");
        for (variant, value, description) in &variants {
            match description {
                Some(text) => doc(out, "        ", text),
                None => {
                    let _ = writeln!(out, "        /// `{value}`");
                }
            }
            let _ = writeln!(out, "        {variant} = {},", rust_string(value));
        }
        out.push_str("    }\n}\n\n");
    }

    pub(super) fn input_object(&mut self, name: &str, out: &mut String) {
        let Some(def) = self.schema.schema.get_input_object(name).cloned() else {
            return;
        };
        let rust = pascal(name);
        if def.directives.get("oneOf").is_some() {
            // Exactly one field must be set: a Rust enum says so in the type.
            out.push_str("::shopify_client::__graphql_one_of! {\n");
            if let Some(description) = &def.description {
                doc(out, "    ", description);
            }
            let _ = writeln!(out, "    {rust} {{");
            for (field, definition) in &def.fields {
                let ty = self.input_type(&definition.ty.as_ref().clone().non_null(), "");
                if let Some(text) = &definition.description {
                    doc(out, "        ", text);
                }
                let _ = writeln!(
                    out,
                    "        {}({}) = {},",
                    pascal(field),
                    self.boxed(name, &definition.ty, ty),
                    rust_string(field)
                );
            }
            out.push_str("    }\n}\n\n");
            return;
        }
        let mut fields = Vec::new();
        for (field, definition) in &def.fields {
            let ty = self.input_type(&definition.ty, "");
            let ty = self.boxed(name, &definition.ty, ty);
            // A few nullable fields must be sent even when null (`changeFromQuantity`,
            // whose null means "skip the compare-and-swap check").
            let always = definition
                .description
                .as_deref()
                .is_some_and(|d| d.contains("explicitly pass in a value"));
            let mut description = definition.description.as_ref().map(|d| d.to_string());
            if always {
                let note = "Always sent: `None` goes out as `null`, which Shopify requires to be explicit.";
                description = Some(match description {
                    Some(d) => format!("{note}\n\n{d}"),
                    None => note.to_owned(),
                });
            }
            fields.push(InputField {
                name: snake(field),
                key: field.to_string(),
                ty,
                doc: description,
                always,
            });
        }
        input_struct(out, &rust, def.description.as_deref(), &fields);
    }

    /// Boxes a non-list field whose input type leads back to `owner`, so the struct has a
    /// finite size.
    pub(super) fn boxed(&self, owner: &str, ty: &Type, rust: String) -> String {
        if ty.is_list() {
            return rust;
        }
        let target = ty.inner_named_type().as_str();
        if self.schema.schema.get_input_object(target).is_none() || !self.reaches(target, owner) {
            return rust;
        }
        match rust
            .strip_prefix("Option<")
            .and_then(|r| r.strip_suffix('>'))
        {
            Some(inner) => format!("Option<Box<{inner}>>"),
            None => format!("Box<{rust}>"),
        }
    }

    /// Whether input type `from` contains `to` without going through a list.
    pub(super) fn reaches(&self, from: &str, to: &str) -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(ty) = stack.pop() {
            if ty == to {
                return true;
            }
            if !seen.insert(ty.clone()) {
                continue;
            }
            if let Some(input) = self.schema.schema.get_input_object(&ty) {
                for field in input.fields.values() {
                    if !field.ty.is_list() {
                        stack.push(field.ty.inner_named_type().to_string());
                    }
                }
            }
        }
        false
    }
}

/// A field of an input struct (variables or an input object).
pub(super) struct InputField {
    pub(super) name: String,
    pub(super) key: String,
    pub(super) ty: String,
    pub(super) doc: Option<String>,
    /// Sent even when `None` (as `null`).
    pub(super) always: bool,
}

/// Variables or an input object, as `__graphql_input!`.
pub(super) fn input_struct(
    out: &mut String,
    rust: &str,
    description: Option<&str>,
    fields: &[InputField],
) {
    out.push_str("::shopify_client::__graphql_input! {\n");
    if let Some(description) = description {
        doc(out, "    ", description);
    }
    // Default only when every field may be left unset.
    if fields.iter().all(|f| f.ty.starts_with("Option<")) {
        out.push_str("    #[derive(Default)]\n");
    }
    let _ = writeln!(out, "    {rust} {{");
    for field in fields {
        if let Some(text) = &field.doc {
            doc(out, "        ", text);
        }
        let put = if field.always { "put_always" } else { "put" };
        let _ = writeln!(
            out,
            "        {}: {} = {put} {},",
            field.name,
            field.ty,
            rust_string(&field.key)
        );
    }
    out.push_str("    }\n}\n\n");
}
