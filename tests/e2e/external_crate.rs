//! A user's own crate outside the workspace (`tests/external-crate`: its own `graphql/`,
//! a one-line `build.rs` and `include_operations!()`), built with cargo and run against
//! the emulator; a broken operation copied into it stops its build, located.
//!
//! Builds share `target/external-crate`, so only the first run compiles the dependencies.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use shopify_e2e::process::{run_without_shopify_env, text};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `cargo build` of the crate at `dir`, in the shared target directory.
async fn cargo_build(dir: &Path) -> Output {
    let manifest = dir.join("Cargo.toml");
    let target = workspace().join("target").join("external-crate");
    tokio::task::spawn_blocking(move || {
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--quiet", "--manifest-path"])
            .arg(&manifest)
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

/// A copy of the crate in a fresh directory, its path dependencies made absolute.
fn copy_of_the_crate() -> PathBuf {
    let from = workspace().join("tests").join("external-crate");
    let to = crate::tooling::tempdir();
    copy_dir(&from, &to);
    let crates = workspace().join("crates").canonicalize().unwrap();
    let manifest = std::fs::read_to_string(to.join("Cargo.toml")).unwrap();
    let manifest = manifest.replace(
        "../../crates",
        &crates.display().to_string().replace('\\', "/"),
    );
    std::fs::write(to.join("Cargo.toml"), manifest).unwrap();
    to
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
}

#[tokio::test]
async fn a_crate_outside_the_workspace_builds_its_operations_and_runs_them() {
    let dir = copy_of_the_crate();
    let built = cargo_build(&dir).await;
    assert!(built.status.success(), "{}", text(&built.stderr));
    // No warning either: the generated code is clean in a crate with default lints.
    assert_eq!(text(&built.stderr), "");

    let (env_lines, server) = crate::first_program::served_emulator().await;
    std::fs::write(dir.join(".env"), &env_lines).unwrap();
    let binary = workspace()
        .join("target/external-crate/debug")
        .join(format!("external-crate{}", std::env::consts::EXE_SUFFIX));
    let run = run_without_shopify_env(&binary, &dir).await;
    server.abort();

    assert!(run.status.success(), "{}", text(&run.stderr));
    let stdout = text(&run.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.first(), Some(&"shop: Demo Shop"), "{stdout}");
    assert_eq!(lines.len(), 3, "the shop and two products: {stdout}");
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.starts_with("product: ") && l.len() > 9),
        "{stdout}"
    );
}

#[tokio::test]
async fn a_broken_operation_stops_the_crates_build_at_its_line() {
    let dir = copy_of_the_crate();
    std::fs::write(
        dir.join("graphql/broken.graphql"),
        "query Broken {\n  shop {\n    nmae\n  }\n}\n",
    )
    .unwrap();

    let built = cargo_build(&dir).await;

    let stderr = text(&built.stderr);
    assert!(!built.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "error: external-crate@0.1.0: graphql/broken.graphql:3:5: type `Shop` does not have a field `nmae`; did you mean `name`"
        ),
        "{stderr}"
    );
    // Reported once, not repeated in a dump of the build script's output.
    assert_eq!(stderr.matches("broken.graphql:3:5").count(), 1, "{stderr}");
}
