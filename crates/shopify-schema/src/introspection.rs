//! Shopify's introspection JSON → SDL plus the extensions SDL cannot carry.
//!
//! Shopify publishes its Admin schema as an introspection result whose types and fields
//! carry extra keys (`requiredAccess`, `isProtected`, `gidTypes`, ...). We check the schema
//! in as SDL (readable, diffable, and the fastest form to load) and keep those keys in a
//! sidecar [`SchemaMeta`].

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Deserialize;

use crate::SchemaError;
use crate::meta::{FieldMeta, SchemaMeta, TypeMeta};

/// The result of converting an introspection document.
#[derive(Debug)]
pub struct Converted {
    /// Canonical SDL, as apollo-compiler prints it.
    pub sdl: String,
    /// Shopify's extensions.
    pub meta: SchemaMeta,
}

/// Converts an introspection result (`{"data":{"__schema":...}}` or `{"__schema":...}`)
/// into canonical SDL and its [`SchemaMeta`].
///
/// `api_version` is recorded in the meta; the SDL is validated before it is returned.
pub fn convert(json: &str, api_version: &str) -> Result<Converted, SchemaError> {
    let root: Root = serde_json::from_str(json).map_err(|e| SchemaError::Introspection {
        message: e.to_string(),
    })?;
    let schema = match root {
        Root::Wrapped { data } => data.schema,
        Root::Bare { schema } => schema,
    };
    let raw_sdl = to_sdl(&schema);
    // Round-trip through apollo-compiler: it validates what we wrote and prints descriptions
    // as block strings wherever that is exact.
    let parsed = apollo_compiler::Schema::parse_and_validate(raw_sdl, "introspection.graphql")
        .map_err(|e| SchemaError::Invalid {
            file: "introspection result".into(),
            errors: crate::describe(&e.errors),
        })?;
    let sdl = parsed.serialize().to_string();
    let meta = collect_meta(&schema, api_version);
    Ok(Converted { sdl, meta })
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Root {
    Wrapped {
        data: Data,
    },
    Bare {
        #[serde(rename = "__schema")]
        schema: IntroSchema,
    },
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "__schema")]
    schema: IntroSchema,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IntroSchema {
    description: Option<String>,
    query_type: Option<NameRef>,
    mutation_type: Option<NameRef>,
    subscription_type: Option<NameRef>,
    types: Vec<FullType>,
    #[serde(default)]
    directives: Vec<DirectiveDef>,
}

#[derive(Deserialize)]
struct NameRef {
    name: String,
}

#[derive(Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Kind {
    Scalar,
    Object,
    Interface,
    Union,
    Enum,
    InputObject,
    List,
    NonNull,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FullType {
    kind: Kind,
    name: String,
    description: Option<String>,
    #[serde(default)]
    specified_by_url: Option<String>,
    #[serde(default)]
    is_one_of: Option<bool>,
    fields: Option<Vec<Field>>,
    input_fields: Option<Vec<InputValue>>,
    interfaces: Option<Vec<NameRef>>,
    enum_values: Option<Vec<EnumValue>>,
    possible_types: Option<Vec<NameRef>>,
    #[serde(default)]
    required_access: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Field {
    name: String,
    description: Option<String>,
    #[serde(default)]
    args: Vec<InputValue>,
    #[serde(rename = "type")]
    ty: TypeRef,
    #[serde(default)]
    is_deprecated: bool,
    deprecation_reason: Option<String>,
    #[serde(default)]
    required_access: Option<String>,
    #[serde(default)]
    is_protected: Option<bool>,
    #[serde(default)]
    protected_subject: Option<String>,
    #[serde(default)]
    protected_content: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InputValue {
    name: String,
    description: Option<String>,
    #[serde(rename = "type")]
    ty: TypeRef,
    default_value: Option<String>,
    #[serde(default)]
    is_deprecated: bool,
    deprecation_reason: Option<String>,
    #[serde(default)]
    gid_types: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EnumValue {
    name: String,
    description: Option<String>,
    #[serde(default)]
    is_deprecated: bool,
    deprecation_reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DirectiveDef {
    name: String,
    description: Option<String>,
    #[serde(default)]
    is_repeatable: bool,
    locations: Vec<String>,
    #[serde(default)]
    args: Vec<InputValue>,
}

#[derive(Deserialize)]
struct TypeRef {
    kind: Kind,
    name: Option<String>,
    #[serde(rename = "ofType")]
    of_type: Option<Box<TypeRef>>,
}

impl TypeRef {
    fn write(&self, out: &mut String) {
        match self.kind {
            Kind::NonNull => {
                if let Some(inner) = &self.of_type {
                    inner.write(out);
                }
                out.push('!');
            }
            Kind::List => {
                out.push('[');
                if let Some(inner) = &self.of_type {
                    inner.write(out);
                }
                out.push(']');
            }
            _ => out.push_str(self.name.as_deref().unwrap_or("")),
        }
    }
}

const BUILT_IN_DIRECTIVES: [&str; 4] = ["skip", "include", "deprecated", "specifiedBy"];
const BUILT_IN_SCALARS: [&str; 5] = ["String", "Int", "Float", "Boolean", "ID"];

// Descriptions are written as plain quoted strings (JSON escaping is valid GraphQL and
// exact); apollo-compiler re-prints them as block strings where that is lossless.
fn description(out: &mut String, indent: &str, text: Option<&str>) {
    if let Some(text) = text {
        let quoted = serde_json::to_string(text).unwrap_or_default();
        let _ = writeln!(out, "{indent}{quoted}");
    }
}

fn deprecated(out: &mut String, is_deprecated: bool, reason: Option<&str>) {
    if is_deprecated {
        match reason {
            Some(reason) => {
                let quoted = serde_json::to_string(reason).unwrap_or_default();
                let _ = write!(out, " @deprecated(reason: {quoted})");
            }
            None => out.push_str(" @deprecated"),
        }
    }
}

fn input_value(out: &mut String, indent: &str, value: &InputValue) {
    description(out, indent, value.description.as_deref());
    let _ = write!(out, "{indent}{}: ", value.name);
    value.ty.write(out);
    if let Some(default) = &value.default_value {
        let _ = write!(out, " = {default}");
    }
    deprecated(
        out,
        value.is_deprecated,
        value.deprecation_reason.as_deref(),
    );
    out.push('\n');
}

fn arguments(out: &mut String, args: &[InputValue]) {
    if args.is_empty() {
        return;
    }
    out.push_str("(\n");
    for arg in args {
        input_value(out, "    ", arg);
    }
    out.push_str("  )");
}

fn to_sdl(schema: &IntroSchema) -> String {
    let mut out = String::with_capacity(8 << 20);
    description(&mut out, "", schema.description.as_deref());
    out.push_str("schema {\n");
    for (op, root) in [
        ("query", &schema.query_type),
        ("mutation", &schema.mutation_type),
        ("subscription", &schema.subscription_type),
    ] {
        if let Some(root) = root {
            let _ = writeln!(out, "  {op}: {}", root.name);
        }
    }
    out.push_str("}\n\n");

    for directive in &schema.directives {
        if BUILT_IN_DIRECTIVES.contains(&directive.name.as_str()) {
            continue;
        }
        description(&mut out, "", directive.description.as_deref());
        let _ = write!(out, "directive @{}", directive.name);
        arguments(&mut out, &directive.args);
        if directive.is_repeatable {
            out.push_str(" repeatable");
        }
        let _ = writeln!(out, " on {}\n", directive.locations.join(" | "));
    }

    for ty in &schema.types {
        if ty.name.starts_with("__") || BUILT_IN_SCALARS.contains(&ty.name.as_str()) {
            continue;
        }
        description(&mut out, "", ty.description.as_deref());
        match ty.kind {
            Kind::Scalar => {
                let _ = write!(out, "scalar {}", ty.name);
                if let Some(url) = &ty.specified_by_url {
                    let quoted = serde_json::to_string(url).unwrap_or_default();
                    let _ = write!(out, " @specifiedBy(url: {quoted})");
                }
                out.push('\n');
            }
            Kind::Object | Kind::Interface => {
                let keyword = if ty.kind == Kind::Object {
                    "type"
                } else {
                    "interface"
                };
                let _ = write!(out, "{keyword} {}", ty.name);
                let interfaces = ty.interfaces.as_deref().unwrap_or_default();
                if !interfaces.is_empty() {
                    let names: Vec<&str> = interfaces.iter().map(|i| i.name.as_str()).collect();
                    let _ = write!(out, " implements {}", names.join(" & "));
                }
                out.push_str(" {\n");
                for field in ty.fields.as_deref().unwrap_or_default() {
                    description(&mut out, "  ", field.description.as_deref());
                    let _ = write!(out, "  {}", field.name);
                    arguments(&mut out, &field.args);
                    out.push_str(": ");
                    field.ty.write(&mut out);
                    deprecated(
                        &mut out,
                        field.is_deprecated,
                        field.deprecation_reason.as_deref(),
                    );
                    out.push('\n');
                }
                out.push_str("}\n");
            }
            Kind::Union => {
                let members: Vec<&str> = ty
                    .possible_types
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect();
                let _ = writeln!(out, "union {} = {}", ty.name, members.join(" | "));
            }
            Kind::Enum => {
                let _ = writeln!(out, "enum {} {{", ty.name);
                for value in ty.enum_values.as_deref().unwrap_or_default() {
                    description(&mut out, "  ", value.description.as_deref());
                    let _ = write!(out, "  {}", value.name);
                    deprecated(
                        &mut out,
                        value.is_deprecated,
                        value.deprecation_reason.as_deref(),
                    );
                    out.push('\n');
                }
                out.push_str("}\n");
            }
            Kind::InputObject => {
                let _ = write!(out, "input {}", ty.name);
                if ty.is_one_of == Some(true) {
                    out.push_str(" @oneOf");
                }
                out.push_str(" {\n");
                for field in ty.input_fields.as_deref().unwrap_or_default() {
                    input_value(&mut out, "  ", field);
                }
                out.push_str("}\n");
            }
            Kind::List | Kind::NonNull => {}
        }
        out.push('\n');
    }
    out
}

fn non_empty(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn collect_meta(schema: &IntroSchema, api_version: &str) -> SchemaMeta {
    let mut types = BTreeMap::new();
    let mut fields = BTreeMap::new();
    let mut gid_types = BTreeMap::new();
    for ty in &schema.types {
        if let Some(access) = non_empty(&ty.required_access) {
            types.insert(
                ty.name.clone(),
                TypeMeta {
                    required_access: Some(access),
                },
            );
        }
        for field in ty.fields.as_deref().unwrap_or_default() {
            let meta = FieldMeta {
                required_access: non_empty(&field.required_access),
                is_protected: field.is_protected.unwrap_or(false),
                protected_subject: non_empty(&field.protected_subject),
                protected_content: non_empty(&field.protected_content),
            };
            if meta != FieldMeta::default() {
                fields.insert(format!("{}.{}", ty.name, field.name), meta);
            }
            for arg in &field.args {
                if let Some(gids) = arg.gid_types.as_ref().filter(|g| !g.is_empty()) {
                    gid_types.insert(
                        format!("{}.{}({}:)", ty.name, field.name, arg.name),
                        gids.clone(),
                    );
                }
            }
        }
        for field in ty.input_fields.as_deref().unwrap_or_default() {
            if let Some(gids) = field.gid_types.as_ref().filter(|g| !g.is_empty()) {
                gid_types.insert(format!("{}.{}", ty.name, field.name), gids.clone());
            }
        }
    }
    SchemaMeta {
        api_version: api_version.to_owned(),
        types,
        fields,
        gid_types,
    }
}
