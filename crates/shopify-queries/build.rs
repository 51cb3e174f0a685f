//! Compiles every `graphql/**/*.graphql` into typed Rust in `OUT_DIR/operations.rs`.
//!
//! The schema is loaded and parsed once per build; every operation is validated before
//! anything is generated, and all errors are reported with their file, line and column.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let root = manifest.join("../..");
    let root = root.canonicalize().unwrap_or(root);
    let schema_dir = root.join("schema");
    let graphql_dir = root.join("graphql");

    for file in ["admin.graphql", "admin.meta.json"] {
        println!(
            "cargo::rerun-if-changed={}",
            schema_dir.join(file).display()
        );
    }
    // A directory makes cargo rescan it, so added and deleted files rebuild too.
    println!("cargo::rerun-if-changed={}", graphql_dir.display());

    let schema = match shopify_schema::AdminSchema::load(&schema_dir) {
        Ok(schema) => schema,
        Err(e) => fail(&[e.to_string()]),
    };
    let sources = match shopify_codegen::Sources::discover(&graphql_dir, &root) {
        Ok(sources) => sources,
        Err(errors) => fail(&errors.0.iter().map(ToString::to_string).collect::<Vec<_>>()),
    };
    for dir in &sources.directories {
        println!("cargo::rerun-if-changed={}", dir.display());
    }
    for file in sources.files() {
        println!("cargo::rerun-if-changed={}", file.path.display());
    }
    let compiled = match shopify_codegen::compile(&schema, &sources) {
        Ok(compiled) => compiled,
        Err(errors) => fail(&errors.0.iter().map(ToString::to_string).collect::<Vec<_>>()),
    };
    for warning in &compiled.warnings {
        println!("cargo::warning={warning}");
    }
    let code = match shopify_codegen::rust::generate(&schema, &compiled) {
        Ok(code) => code,
        Err(errors) => fail(&errors.0.iter().map(ToString::to_string).collect::<Vec<_>>()),
    };
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    write_if_changed(&out.join("operations.rs"), &code);
}

/// Reports every error to cargo and stops the build.
fn fail(errors: &[String]) -> ! {
    for error in errors {
        for line in error.lines() {
            println!("cargo::error={line}");
        }
    }
    std::process::exit(1);
}

// Leaves the file's mtime alone when nothing changed, so rustc has less to redo.
fn write_if_changed(path: &Path, contents: &str) {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return;
    }
    if let Err(e) = std::fs::write(path, contents) {
        fail(&[format!("cannot write {}: {e}", path.display())]);
    }
}
