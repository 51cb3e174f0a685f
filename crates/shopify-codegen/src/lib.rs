//! Compiles `.graphql` operations into typed Rust, validated against Shopify's Admin schema.
//!
//! Used at build time by build scripts ([`build`], [`configure`]: one line in any
//! crate's `build.rs`) and by the CLI's check commands. It loads nothing itself beyond the files it is given and never touches the
//! network.
//!
//! The pipeline, per build:
//! 1. [`Sources::discover`] reads every `graphql/**/*.graphql` in a stable order;
//!    operations live one per file, with the fragments only they use; fragments shared
//!    by several files live in `graphql/fragments/`. Fragment names are unique.
//! 2. [`compile`] validates each operation (with the fragments it uses) against the
//!    schema and reports *every* problem as `file:line:col: message`, with a
//!    "did you mean" where one exists. Valid operations are transformed for codegen
//!    (`__typename` is added where a type must be told apart) and their exact request
//!    text is fixed.
//! 3. [`rust::generate`] emits one Rust module for all operations; schema enums, input
//!    objects and fragments are emitted once and shared.
//!
//! ```no_run
//! use std::path::Path;
//!
//! let schema = shopify_schema::AdminSchema::bundled();
//! let sources = shopify_codegen::Sources::discover(Path::new("graphql"), Path::new("."))?;
//! match shopify_codegen::compile(schema, &sources) {
//!     Ok(compiled) => {
//!         let code = shopify_codegen::rust::generate(schema, &compiled)?;
//!         std::fs::write("operations.rs", code)?;
//!     }
//!     Err(errors) => eprintln!("{errors}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

use std::fmt;

mod build;
mod bulk;
mod check;
mod compile;
mod cut;
mod expansion;
mod idempotent;
mod limits;
pub mod manifest;
pub mod rust;
mod source;
mod suggest;
pub mod upgrade;

pub use build::{BuildError, Builder, Generated, LoadedSchema, SchemaLoadError, build, configure};
pub use compile::{
    Compiled, Fragment, Idempotency, Operation, OperationKind, compile, compile_bulk,
};
pub use source::{SourceFile, Sources};

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The build fails.
    Error,
    /// The build goes on; the user should look.
    Warning,
}

/// A located problem in a `.graphql` file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    /// The file, as shown to the user (e.g. `graphql/products.graphql`).
    pub file: String,
    /// 1-based line; 0 when the problem concerns the whole file (shown as 1:1).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, and how to fix it where we know.
    pub message: String,
}

impl Diagnostic {
    pub(crate) fn error(
        file: &str,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.to_owned(),
            line,
            column,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    pub(crate) fn warning(
        file: &str,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(file, line, column, message)
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A problem with the whole file points at its start, so the form stays
        // `file:line:col: message` for editors and CI annotations.
        let (line, column) = if self.line == 0 {
            (1, 1)
        } else {
            (self.line, self.column)
        };
        write!(f, "{}:{line}:{column}: {}", self.file, self.message)
    }
}

/// Every error found, in file order; the build stops on these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        writeln!(
            f,
            "{count} error{} in GraphQL operations:",
            if count == 1 { "" } else { "s" }
        )?;
        for diagnostic in &self.0 {
            writeln!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}
