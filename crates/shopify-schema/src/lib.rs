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
pub mod expanded;
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

/// Diagnostics shown of an invalid schema: a hostile file can hold thousands, and each
/// rendered with its source line (a line can be megabytes) took minutes.
const MAX_SHOWN_ERRORS: usize = 10;

/// The first [`MAX_SHOWN_ERRORS`] diagnostics, one `line:column: message` each, and how
/// many more there are.
pub(crate) fn describe(errors: &apollo_compiler::validation::DiagnosticList) -> String {
    let mut out = Vec::new();
    for diagnostic in errors.iter().take(MAX_SHOWN_ERRORS) {
        let error = diagnostic.to_json();
        let at = error
            .locations
            .first()
            .map(|l| format!("{}:{}: ", l.line, l.column))
            .unwrap_or_default();
        out.push(format!("{at}{}", error.message));
    }
    if errors.len() > MAX_SHOWN_ERRORS {
        out.push(format!("... and {} more", errors.len() - MAX_SHOWN_ERRORS));
    }
    out.join("\n")
}

impl AdminSchema {
    /// Parses SDL and extensions JSON. `name` labels diagnostics.
    pub fn parse(sdl: &str, meta_json: &str, name: &str) -> Result<Self, SchemaError> {
        let schema = Schema::parse_and_validate(sdl, name).map_err(|e| SchemaError::Invalid {
            file: name.to_owned(),
            errors: describe(&e.errors),
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
            errors: describe(&e.errors),
        })?;
        Ok(Self { schema, meta })
    }

    /// Loads `admin.graphql` and `admin.meta.json` from a `schema/` directory.
    pub fn load(dir: &Path) -> Result<Self, SchemaError> {
        let (sdl, meta) = Self::read(dir)?;
        Self::parse(&sdl, &meta, &Self::sdl_name(dir))
    }

    /// The texts of `admin.graphql` and `admin.meta.json` in a `schema/` directory, for
    /// [`AdminSchema::parse`] (with [`AdminSchema::sdl_name`]).
    pub fn read(dir: &Path) -> Result<(String, String), SchemaError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|source| SchemaError::Read {
                path: path.display().to_string(),
                source,
            })
        };
        Ok((read("admin.graphql")?, read("admin.meta.json")?))
    }

    /// How diagnostics name the SDL of a `schema/` directory.
    pub fn sdl_name(dir: &Path) -> String {
        dir.join("admin.graphql").display().to_string()
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

#[cfg(test)]
mod describe_tests {
    use super::*;

    #[test]
    fn an_invalid_schema_shows_its_first_errors_located_and_counts_the_rest() {
        // One long line of ~4 000 errors: rendering each with its line took minutes.
        let sdl = format!(
            "type Query {{ a: Int }} {}",
            "extend type Query @deprecated ".repeat(2_000)
        );
        let Err(SchemaError::Invalid { errors, .. }) = AdminSchema::parse(&sdl, "{}", "x.graphql")
        else {
            panic!("the schema is invalid");
        };
        let lines: Vec<&str> = errors.lines().collect();
        assert_eq!(lines.len(), MAX_SHOWN_ERRORS + 1, "{errors:.500}");
        assert_eq!(
            lines[0],
            "1:41: deprecated directive is not supported for OBJECT location"
        );
        assert_eq!(lines[MAX_SHOWN_ERRORS], "... and 3989 more");
    }
}
