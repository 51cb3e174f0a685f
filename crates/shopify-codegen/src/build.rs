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

use shopify_schema::{AdminSchema, SchemaError};

use crate::{Diagnostic, Sources, compile, cut, manifest, rust};

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
    /// The Rust code in parts, as [`Builder::compile`] writes it: the output file holds
    /// the head, an `include!` of `<stem>/<module>.rs` per operation, and the tail;
    /// [`Generated::code`] joins them.
    pub parts: rust::Code,
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
    pub(crate) schema_use: SchemaUse,
    /// How long storing a new cut took.
    saved_cut: Option<Duration>,
}

/// Which schema a build compiled against, for `codegen-stats.txt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SchemaUse {
    /// The whole schema; no cut was stored.
    Whole,
    /// The stored cut.
    Cut,
    /// The whole schema, after the stored cut did not serve.
    WholeAfterCut,
}

impl Generated {
    /// The Rust code in one text.
    pub fn code(&self) -> String {
        self.parts.joined()
    }
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
        let store = cut::Store::new(out_dir.join("schema-cut"));
        let result = self.generate_with(
            &manifest_dir.join(dir.as_ref()),
            &manifest_dir,
            Some(&store),
        );
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
        self.generate_with(dir, base, None)
    }

    /// [`Self::generate`], trying the schema cut in `store` first (see [`cut`]) and
    /// storing a new one when the whole schema had to be loaded.
    pub(crate) fn generate_with(
        &self,
        dir: &Path,
        base: &Path,
        store: Option<&cut::Store>,
    ) -> Result<Generated, BuildError> {
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        let display_root = dir.parent().unwrap_or(&dir).to_path_buf();
        let mut inputs = vec![dir.clone()];
        if let Some(schema_dir) = &self.schema_dir {
            for file in ["admin.graphql", "admin.meta.json"] {
                inputs.push(base.join(schema_dir).join(file));
            }
        }
        let fail = |errors: Vec<String>, inputs: Vec<PathBuf>| BuildError { errors, inputs };

        let started = Instant::now();
        // Read once: the cut is keyed by this text, and the whole schema parsed from it.
        let text = self
            .schema_text(base)
            .map_err(|e| fail(vec![load_error(e)], inputs.clone()))?;
        let read = started.elapsed();
        let sources = Sources::discover(&dir, &display_root)
            .map_err(|e| fail(strings(&e.0), inputs.clone()))?;
        inputs.extend(sources.directories.iter().cloned());
        inputs.extend(sources.files().map(|f| f.path.clone()));

        let started = Instant::now();
        let mut schema_use = SchemaUse::Whole;
        if let Some(loaded) = store.and_then(|s| s.load(text.sdl(), text.meta(), &text.name())) {
            schema_use = SchemaUse::WholeAfterCut;
            if self.check_version(&loaded.schema).is_ok() {
                let load = read + started.elapsed();
                if let Ok((generated, touched)) =
                    self.run(&sources, inputs.clone(), &loaded.schema, load)
                {
                    if touched.is_subset(&loaded.kept) {
                        return Ok(Generated {
                            schema_use: SchemaUse::Cut,
                            ..generated
                        });
                    }
                }
            }
        }

        let started = Instant::now();
        let schema = self
            .parse_schema(&text)
            .map_err(|e| fail(vec![load_error(e)], inputs.clone()))?;
        let (generated, touched) = self.run(&sources, inputs, &schema, read + started.elapsed())?;
        let mut saved_cut = None;
        if let Some(store) = store {
            let started = Instant::now();
            // Only a cache: without it the next build loads the whole schema again.
            if store.save(text.sdl(), &schema.schema, &touched).is_ok() {
                saved_cut = Some(started.elapsed());
            }
        }
        Ok(Generated {
            schema_use,
            saved_cut,
            ..generated
        })
    }

    /// Validates and generates against `schema`; also returns the schema types the
    /// operations depend on.
    fn run(
        &self,
        sources: &Sources,
        inputs: Vec<PathBuf>,
        schema: &AdminSchema,
        schema_load: Duration,
    ) -> Result<(Generated, BTreeSet<String>), BuildError> {
        let fail = |errors: Vec<String>| BuildError {
            errors,
            inputs: inputs.clone(),
        };
        let started = Instant::now();
        let compiled = compile(schema, sources).map_err(|e| fail(strings(&e.0)))?;
        let validate = started.elapsed();
        let started = Instant::now();
        let parts = rust::generate_parts(schema, &compiled).map_err(|e| fail(strings(&e.0)))?;
        let manifest = self.manifest.then(|| manifest::generate(schema, &compiled));
        let generated = Generated {
            parts,
            manifest,
            warnings: compiled.warnings.clone(),
            inputs,
            operations: compiled.operations.len(),
            fragments: compiled.fragments.len(),
            timings: [schema_load, validate, started.elapsed()],
            schema_use: SchemaUse::Whole,
            saved_cut: None,
        };
        Ok((generated, compiled.touched))
    }

    fn manifest_file(&self) -> String {
        match self.out_file.strip_suffix(".rs") {
            Some("operations") => "manifest.json".to_owned(),
            Some(stem) => format!("{stem}.manifest.json"),
            None => format!("{}.manifest.json", self.out_file),
        }
    }

    fn write(&self, out_dir: &Path, generated: &Generated) -> Result<(), String> {
        // One file per operation: an edit that adds lines to one operation would otherwise
        // move every later one, and rustc's incremental results are keyed by line, so it
        // would type-check them all again.
        let main_path = out_dir.join(&self.out_file);
        let stem = main_path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        // `include!` paths are relative to the including file.
        let dir = main_path.with_file_name(&stem);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let parts = &generated.parts;
        let mut main = parts.head.clone();
        let mut written = BTreeSet::new();
        for (module, code) in &parts.operations {
            let file = format!("{module}.rs");
            write_if_changed(&dir.join(&file), code)?;
            let _ = writeln!(main, "include!(\"{stem}/{file}\");");
            written.insert(file);
        }
        main.push_str(&parts.tail);
        // Operations removed since the last build.
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.ends_with(".rs") && !written.contains(&name) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        write_if_changed(&main_path, &main)?;
        if let Some(manifest) = &generated.manifest {
            write_if_changed(&out_dir.join(self.manifest_file()), manifest)?;
        }
        let [schema, validate, generate] = generated.timings;
        let mut stats = String::new();
        let _ = write!(
            stats,
            "schema = {}\ncut saved ms = {}\nschema load ms = {}\nvalidate ms = {}\ngenerate ms = {}\noperations = {}\nfragments = {}\ngenerated bytes = {}\n",
            match generated.schema_use {
                SchemaUse::Whole => "whole",
                SchemaUse::Cut => "cut",
                SchemaUse::WholeAfterCut => "whole (the cut did not serve)",
            },
            generated
                .saved_cut
                .map_or_else(|| "-".to_owned(), |t| t.as_millis().to_string()),
            schema.as_millis(),
            validate.as_millis(),
            generate.as_millis(),
            generated.operations,
            generated.fragments,
            generated.parts.len(),
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

/// The schema a [`Builder`] checks against: the bundled one, or one it loaded.
#[derive(Debug)]
pub enum LoadedSchema {
    /// The schema built into the crate.
    Bundled(&'static AdminSchema),
    /// A schema read from [`Builder::schema_dir`].
    Loaded(Box<AdminSchema>),
}

impl std::ops::Deref for LoadedSchema {
    type Target = AdminSchema;

    fn deref(&self) -> &AdminSchema {
        match self {
            LoadedSchema::Bundled(schema) => schema,
            LoadedSchema::Loaded(schema) => schema,
        }
    }
}

/// The text of the schema a [`Builder`] checks against.
enum SchemaText {
    /// The schema built into `shopify-schema`.
    Bundled,
    /// The files of [`Builder::schema_dir`].
    Read {
        dir: PathBuf,
        sdl: String,
        meta: String,
    },
}

impl SchemaText {
    fn sdl(&self) -> &str {
        match self {
            SchemaText::Bundled => shopify_schema::bundled_sdl(),
            SchemaText::Read { sdl, .. } => sdl,
        }
    }

    fn meta(&self) -> &str {
        match self {
            SchemaText::Bundled => shopify_schema::bundled_meta_json(),
            SchemaText::Read { meta, .. } => meta,
        }
    }

    /// How diagnostics name the SDL.
    fn name(&self) -> String {
        match self {
            SchemaText::Bundled => shopify_schema::SDL_PATH.to_owned(),
            SchemaText::Read { dir, .. } => AdminSchema::sdl_name(dir),
        }
    }
}

/// A load failure as the build reports it: a folder that does not load says why.
fn load_error(error: SchemaLoadError) -> String {
    match error {
        SchemaLoadError::Load { source, .. } => source.to_string(),
        other => other.to_string(),
    }
}

/// Why [`Builder::load_schema`] has no schema.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaLoadError {
    /// The schema folder could not be read or is not a valid schema.
    #[error("cannot load the schema in {}", dir.display())]
    Load {
        /// The folder, as joined to the base.
        dir: PathBuf,
        /// What went wrong.
        #[source]
        source: SchemaError,
    },
    /// The schema describes another API version than [`Builder::api_version`] asks for.
    #[error(
        "the schema describes Admin API {found}, not {wanted}: point `schema_dir` at a schema of {wanted} (`shopify-admin schema pull`)"
    )]
    Version {
        /// The schema's version.
        found: String,
        /// The version asked for.
        wanted: String,
    },
}

impl Builder {
    /// The schema operations are checked against: the bundled one, or the one in
    /// `schema_dir` (relative to `base`), which must describe `api_version` when that is
    /// set. What [`Builder::generate`] uses, for tools that check operations outside a
    /// build script (the CLI's `check`).
    pub fn load_schema(&self, base: &Path) -> Result<LoadedSchema, SchemaLoadError> {
        self.parse_schema(&self.schema_text(base)?)
    }

    fn schema_text(&self, base: &Path) -> Result<SchemaText, SchemaLoadError> {
        let Some(schema_dir) = &self.schema_dir else {
            return Ok(SchemaText::Bundled);
        };
        let dir = base.join(schema_dir);
        match AdminSchema::read(&dir) {
            Ok((sdl, meta)) => Ok(SchemaText::Read { dir, sdl, meta }),
            Err(source) => Err(SchemaLoadError::Load { dir, source }),
        }
    }

    fn parse_schema(&self, text: &SchemaText) -> Result<LoadedSchema, SchemaLoadError> {
        let schema = match text {
            SchemaText::Bundled => LoadedSchema::Bundled(AdminSchema::bundled()),
            SchemaText::Read { dir, sdl, meta } => {
                match AdminSchema::parse(sdl, meta, &text.name()) {
                    Ok(schema) => LoadedSchema::Loaded(Box::new(schema)),
                    Err(source) => {
                        return Err(SchemaLoadError::Load {
                            dir: dir.clone(),
                            source,
                        });
                    }
                }
            }
        };
        self.check_version(&schema)?;
        Ok(schema)
    }

    fn check_version(&self, schema: &AdminSchema) -> Result<(), SchemaLoadError> {
        match &self.api_version {
            Some(wanted) if schema.api_version() != wanted => Err(SchemaLoadError::Version {
                found: schema.api_version().to_owned(),
                wanted: wanted.clone(),
            }),
            _ => Ok(()),
        }
    }
}
