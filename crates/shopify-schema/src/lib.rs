//! Shopify's Admin GraphQL schema as the rest of the workspace sees it.
//!
//! The workspace checks in one Admin API version under `schema/` as two generated files:
//! `admin.graphql` (SDL) and `admin.meta.json` (Shopify's extensions: required access
//! scopes, protected customer data, ID resource types, and the API version). This crate
//! loads them into an [`apollo_compiler`] schema plus [`SchemaMeta`], and converts
//! Shopify's introspection JSON into that form.
//!
//! ```
//! let admin = shopify_schema::AdminSchema::bundled();
//! assert!(admin.schema.get_object("Product").is_some());
//! assert_eq!(admin.api_version(), admin.meta.api_version);
//! ```
#![warn(missing_docs)]

use std::path::Path;
use std::sync::OnceLock;

use apollo_compiler::Schema;
use apollo_compiler::validation::Valid;

pub mod bulk;
pub mod cost;
pub mod diff;
pub mod introspection;
pub mod meta;
pub mod scopes;

pub use apollo_compiler;
pub use meta::{FieldMeta, SchemaMeta, TypeMeta};

/// The checked-in SDL, relative to the workspace root.
pub const SDL_PATH: &str = "schema/admin.graphql";
/// The checked-in extensions, relative to the workspace root.
pub const META_PATH: &str = "schema/admin.meta.json";

static BUNDLED_SDL: &str = include_str!("../../../schema/admin.graphql");
static BUNDLED_META: &str = include_str!("../../../schema/admin.meta.json");

/// Failure to load or convert a schema.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// A schema file could not be read.
    #[error("cannot read schema file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The SDL does not parse or validate.
    #[error("schema {file} is not a valid GraphQL schema:\n{errors}")]
    Invalid {
        /// The file.
        file: String,
        /// apollo-compiler's diagnostics.
        errors: String,
    },
    /// The extensions file is not what we wrote.
    #[error(
        "schema extensions {file} are malformed: {message}; regenerate them (see schema/README.md)"
    )]
    Meta {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The introspection JSON cannot be read.
    #[error("not a GraphQL introspection result: {message}")]
    Introspection {
        /// What is wrong.
        message: String,
    },
}

/// One Admin API version: the validated schema and Shopify's extensions.
#[derive(Debug)]
pub struct AdminSchema {
    /// The schema, validated.
    pub schema: Valid<Schema>,
    /// Shopify's extensions and the API version.
    pub meta: SchemaMeta,
}

impl AdminSchema {
    /// Parses SDL and extensions JSON. `name` labels diagnostics.
    pub fn parse(sdl: &str, meta_json: &str, name: &str) -> Result<Self, SchemaError> {
        let schema = Schema::parse_and_validate(sdl, name).map_err(|e| SchemaError::Invalid {
            file: name.to_owned(),
            errors: e.errors.to_string(),
        })?;
        let meta: SchemaMeta = serde_json::from_str(meta_json).map_err(|e| SchemaError::Meta {
            file: name.to_owned(),
            message: e.to_string(),
        })?;
        Ok(Self { schema, meta })
    }

    /// Parses SDL with extensions already in hand (e.g. from [`introspection::convert`]).
    pub fn from_parts(sdl: &str, meta: SchemaMeta, name: &str) -> Result<Self, SchemaError> {
        let schema = Schema::parse_and_validate(sdl, name).map_err(|e| SchemaError::Invalid {
            file: name.to_owned(),
            errors: e.errors.to_string(),
        })?;
        Ok(Self { schema, meta })
    }

    /// Loads `admin.graphql` and `admin.meta.json` from a `schema/` directory.
    pub fn load(dir: &Path) -> Result<Self, SchemaError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|source| SchemaError::Read {
                path: path.display().to_string(),
                source,
            })
        };
        let sdl = read("admin.graphql")?;
        let meta = read("admin.meta.json")?;
        Self::parse(
            &sdl,
            &meta,
            &dir.join("admin.graphql").display().to_string(),
        )
    }

    /// The schema checked in with this workspace, parsed once per process.
    pub fn bundled() -> &'static AdminSchema {
        static BUNDLED: OnceLock<AdminSchema> = OnceLock::new();
        BUNDLED.get_or_init(|| {
            #[allow(clippy::expect_used)] // a test pins that the checked-in schema loads
            Self::parse(BUNDLED_SDL, BUNDLED_META, SDL_PATH)
                .expect("the checked-in schema is valid")
        })
    }

    /// The API version this schema describes, e.g. `2026-10`.
    pub fn api_version(&self) -> &str {
        &self.meta.api_version
    }
}

/// The checked-in SDL text, for tools that parse it themselves.
pub fn bundled_sdl() -> &'static str {
    BUNDLED_SDL
}

/// The checked-in extensions JSON text.
pub fn bundled_meta_json() -> &'static str {
    BUNDLED_META
}
