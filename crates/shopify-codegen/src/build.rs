//! The build-script API: typed operations in any crate with one line of `build.rs`.
//!
//! ```ignore
//! // build.rs
//! fn main() {
//!     shopify_codegen::build("graphql");
//! }
//! ```
//!
//! and in the crate, `shopify_client::include_operations!();`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use shopify_schema::AdminSchema;

use crate::{Diagnostic, Sources, compile, manifest, rust};

/// Compiles every operation under `dir` (relative to the crate's manifest) into
/// `OUT_DIR/operations.rs`, with the defaults of [`configure`]. For build scripts: it
/// prints cargo's instructions and, on any error, fails the build with located
/// `cargo::error`s.
pub fn build(dir: impl AsRef<Path>) {
    configure().compile(dir);
}

/// The options of [`build`]: another schema, the output file name, the manifest.
pub fn configure() -> Builder {
    Builder::default()
}

/// Options for compiling a crate's operations; see [`configure`].
#[derive(Debug, Clone)]
pub struct Builder {
    schema_dir: Option<PathBuf>,
    api_version: Option<String>,
    out_file: String,
    manifest: bool,
}

impl Default for Builder {
    fn default() -> Self {
        Self {
            schema_dir: None,
            api_version: None,
            out_file: "operations.rs".to_owned(),
            manifest: true,
        }
    }
}

/// What [`Builder::generate`] produced, for callers other than build scripts.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The Rust code, as written to the output file.
    pub code: String,
    /// The operations manifest (JSON), when it was asked for.
    pub manifest: Option<String>,
    /// Warnings (deprecated fields, unused fragments), located.
    pub warnings: Vec<Diagnostic>,
    /// Every file and directory read, for `rerun-if-changed`.
    pub inputs: Vec<PathBuf>,
    /// How many operations were compiled.
    pub operations: usize,
    /// How many named fragments the operations use.
    pub fragments: usize,
    /// Time spent loading the schema, validating and generating.
    pub timings: [Duration; 3],
}

/// Why [`Builder::generate`] produced nothing; every message is located where it can be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .errors.join("\n"))]
pub struct BuildError {
    /// One message per problem, `file:line:col: message` for problems in operations.
    pub errors: Vec<String>,
    /// Files and directories read before the failure, so a fix triggers a rebuild.
    pub inputs: Vec<PathBuf>,
}

impl Builder {
    /// Checks against the schema in `dir` (its `admin.graphql` and `admin.meta.json`,
    /// relative to the crate's manifest) instead of the bundled one.
    pub fn schema_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.schema_dir = Some(dir.into());
        self
    }

    /// Requires the schema to describe this Admin API version (e.g. `2026-10`); the build
    /// fails otherwise, naming the version it has, rather than generating for another.
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// The file written in `OUT_DIR` (default `operations.rs`); bring it in with
    /// `shopify_client::include_operations!("that-name.rs")`.
    pub fn out_file(mut self, name: impl Into<String>) -> Self {
        self.out_file = name.into();
        self
    }

    /// Whether to write the operations manifest (JSON) next to the code, as
    /// `<out file stem>.manifest.json` (`manifest.json` for the default); default yes.
    pub fn emit_manifest(mut self, emit: bool) -> Self {
        self.manifest = emit;
        self
    }

    /// For build scripts: compiles `dir` (relative to `CARGO_MANIFEST_DIR`) into
    /// `OUT_DIR`, prints `rerun-if-changed` for every input, deprecations as
    /// `cargo::warning`s, and every error as a located `cargo::error` (which fails the
    /// build). Files are written only when their contents change.
    pub fn compile(&self, dir: impl AsRef<Path>) {
        let manifest_dir = env_path("CARGO_MANIFEST_DIR");
        let out_dir = env_path("OUT_DIR");
        // Generated code reads the crate's `graphql-client` feature; declare it so
        // crates without it get no `unexpected_cfgs` warning.
        println!("cargo::rustc-check-cfg=cfg(feature, values(\"graphql-client\"))");
        let result = self.generate(&manifest_dir.join(dir.as_ref()), &manifest_dir);
        let inputs = match &result {
            Ok(generated) => &generated.inputs,
            Err(error) => &error.inputs,
        };
        let mut watched = BTreeSet::new();
        for input in inputs {
            if watched.insert(input) {
                println!("cargo::rerun-if-changed={}", input.display());
            }
        }
        match result {
            Ok(generated) => {
                for warning in &generated.warnings {
                    println!("cargo::warning={warning}");
                }
                if let Err(e) = self.write(&out_dir, &generated) {
                    fail(&[e]);
                }
            }
            Err(error) => fail(&error.errors),
        }
    }

    /// Compiles `dir` without touching cargo or the disk beyond reading: the code, the
    /// manifest and the warnings, or every error. Paths in diagnostics are shown
    /// relative to the parent of `dir` (so `graphql/x.graphql`); a relative schema folder
    /// is taken from `base`.
    pub fn generate(&self, dir: &Path, base: &Path) -> Result<Generated, BuildError> {
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        let display_root = dir.parent().unwrap_or(&dir).to_path_buf();
        let mut inputs = vec![dir.clone()];
        let fail = |errors: Vec<String>, inputs: Vec<PathBuf>| BuildError { errors, inputs };

        let started = Instant::now();
        let loaded;
        let schema = match &self.schema_dir {
            Some(schema_dir) => {
                let schema_dir = base.join(schema_dir);
                for file in ["admin.graphql", "admin.meta.json"] {
                    inputs.push(schema_dir.join(file));
                }
                loaded = AdminSchema::load(&schema_dir)
                    .map_err(|e| fail(vec![e.to_string()], inputs.clone()))?;
                &loaded
            }
            None => AdminSchema::bundled(),
        };
        if let Some(version) = &self.api_version {
            if schema.api_version() != version {
                return Err(fail(
                    vec![format!(
                        "the schema describes Admin API {}, not {version}: point `schema_dir` at a schema of {version} (`shopify-admin schema pull`)",
                        schema.api_version()
                    )],
                    inputs,
                ));
            }
        }
        let schema_load = started.elapsed();
        let sources = Sources::discover(&dir, &display_root)
            .map_err(|e| fail(strings(&e.0), inputs.clone()))?;
        inputs.extend(sources.directories.iter().cloned());
        inputs.extend(sources.files().map(|f| f.path.clone()));

        let started = Instant::now();
        let compiled =
            compile(schema, &sources).map_err(|e| fail(strings(&e.0), inputs.clone()))?;
        let validate = started.elapsed();
        let started = Instant::now();
        let code =
            rust::generate(schema, &compiled).map_err(|e| fail(strings(&e.0), inputs.clone()))?;
        let manifest = self.manifest.then(|| manifest::generate(schema, &compiled));
        Ok(Generated {
            code,
            manifest,
            warnings: compiled.warnings.clone(),
            inputs,
            operations: compiled.operations.len(),
            fragments: compiled.fragments.len(),
            timings: [schema_load, validate, started.elapsed()],
        })
    }

    fn manifest_file(&self) -> String {
        match self.out_file.strip_suffix(".rs") {
            Some("operations") => "manifest.json".to_owned(),
            Some(stem) => format!("{stem}.manifest.json"),
            None => format!("{}.manifest.json", self.out_file),
        }
    }

    fn write(&self, out_dir: &Path, generated: &Generated) -> Result<(), String> {
        write_if_changed(&out_dir.join(&self.out_file), &generated.code)?;
        if let Some(manifest) = &generated.manifest {
            write_if_changed(&out_dir.join(self.manifest_file()), manifest)?;
        }
        let [schema, validate, generate] = generated.timings;
        let mut stats = String::new();
        let _ = write!(
            stats,
            "schema loads = 1\nschema load ms = {}\nvalidate ms = {}\ngenerate ms = {}\noperations = {}\nfragments = {}\ngenerated bytes = {}\n",
            schema.as_millis(),
            validate.as_millis(),
            generate.as_millis(),
            generated.operations,
            generated.fragments,
            generated.code.len(),
        );
        // Diagnostics only (read by the build-speed bench): the build does not depend on it.
        let _ = std::fs::write(out_dir.join("codegen-stats.txt"), stats);
        Ok(())
    }
}

fn strings(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics.iter().map(ToString::to_string).collect()
}

fn env_path(name: &str) -> PathBuf {
    match std::env::var_os(name) {
        Some(value) => PathBuf::from(value),
        None => fail(&[format!(
            "{name} is not set: shopify_codegen::build is meant to run in a build script"
        )]),
    }
}

/// Reports every error to cargo and stops the build script. `cargo::error` alone fails
/// the build: exiting 0 keeps cargo from dumping the output and repeating every error.
fn fail(errors: &[String]) -> ! {
    for error in errors {
        for line in error.lines() {
            println!("cargo::error={line}");
        }
    }
    std::process::exit(0);
}

// Leaves the file's mtime alone when nothing changed, so rustc has less to redo.
fn write_if_changed(path: &Path, contents: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
