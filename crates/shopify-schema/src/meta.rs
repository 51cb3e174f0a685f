//! Shopify's schema extensions that SDL cannot carry.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Shopify's per-type and per-field extensions of one Admin API version.
///
/// Keys are schema coordinates: `Type`, `Type.field`, `Type.field(arg:)` and
/// `InputType.field`. Only entries with something to say are stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaMeta {
    /// The API version this schema describes, e.g. `2026-10`.
    pub api_version: String,
    /// Extensions of types, by type name.
    #[serde(default)]
    pub types: BTreeMap<String, TypeMeta>,
    /// Extensions of output fields, by `Type.field`.
    #[serde(default)]
    pub fields: BTreeMap<String, FieldMeta>,
    /// Resource types an ID argument or input field accepts, by coordinate.
    #[serde(default)]
    pub gid_types: BTreeMap<String, Vec<String>>,
}

/// Extensions of one type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypeMeta {
    /// Shopify's text naming the access scopes needed to read the type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_access: Option<String>,
}

/// Extensions of one output field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldMeta {
    /// Shopify's text naming the access scopes needed for the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_access: Option<String>,
    /// The field is protected customer data.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_protected: bool,
    /// Whose data it is (e.g. `customer`), for protected fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected_subject: Option<String>,
    /// Which data it is (e.g. `email`), for protected fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected_content: Option<String>,
}

impl SchemaMeta {
    /// Extensions of `Type.field`, if any.
    pub fn field(&self, type_name: &str, field_name: &str) -> Option<&FieldMeta> {
        self.fields.get(&format!("{type_name}.{field_name}"))
    }

    /// Extensions of a type, if any.
    pub fn type_meta(&self, type_name: &str) -> Option<&TypeMeta> {
        self.types.get(type_name)
    }
}
