//! The invariants of `ARCHITECTURE.md`, read from `cargo metadata` so a new dependency
//! that breaks one fails here rather than in review.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

/// Per workspace package: its dependencies as (name, kind), kind `normal`, `dev` or `build`.
fn workspace_dependencies() -> BTreeMap<String, Vec<(String, String)>> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let members: BTreeSet<&str> = metadata["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut packages = BTreeMap::new();
    for package in metadata["packages"].as_array().unwrap() {
        if !members.contains(package["id"].as_str().unwrap()) {
            continue;
        }
        let dependencies = package["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let kind = d["kind"].as_str().unwrap_or("normal").to_owned();
                (d["name"].as_str().unwrap().to_owned(), kind)
            })
            .collect();
        packages.insert(package["name"].as_str().unwrap().to_owned(), dependencies);
    }
    packages
}

const CLI: &str = "shopify-admin";
const TESTS: &str = "shopify-e2e";

#[test]
fn the_workspace_is_what_the_invariants_are_about() {
    let packages = workspace_dependencies();
    for name in [
        "shopify-emulator",
        CLI,
        TESTS,
        "shopify-client",
        "shopify-auth",
    ] {
        assert!(
            packages.contains_key(name),
            "{name} missing from {packages:?}"
        );
    }
}

#[test]
fn the_emulator_depends_on_no_client_or_auth_crate() {
    let packages = workspace_dependencies();
    let forbidden = ["shopify-client", "shopify-auth", "shopify-queries", CLI];
    // Its own dependencies of every kind, then what those pull in to build.
    let mut reached = BTreeSet::new();
    let mut queue: Vec<String> = packages["shopify-emulator"]
        .iter()
        .map(|(name, _)| name.clone())
        .collect();
    while let Some(name) = queue.pop() {
        if !reached.insert(name.clone()) {
            continue;
        }
        for (dependency, kind) in packages.get(&name).into_iter().flatten() {
            if kind != "dev" {
                queue.push(dependency.clone());
            }
        }
    }
    let found: Vec<&&str> = forbidden.iter().filter(|f| reached.contains(**f)).collect();
    assert!(found.is_empty(), "the emulator reaches {found:?}");
}

#[test]
fn anyhow_is_only_in_the_cli_examples_and_tests() {
    let packages = workspace_dependencies();
    let misplaced: Vec<&String> = packages
        .iter()
        .filter(|(name, _)| name.as_str() != CLI && name.as_str() != TESTS)
        .filter(|(_, dependencies)| {
            dependencies
                .iter()
                .any(|(dependency, kind)| dependency == "anyhow" && kind != "dev")
        })
        .map(|(name, _)| name)
        .collect();
    assert!(
        misplaced.is_empty(),
        "libraries depending on anyhow: {misplaced:?}"
    );
}

#[test]
fn nothing_but_the_tests_depends_on_the_cli() {
    let packages = workspace_dependencies();
    let dependents: Vec<&String> = packages
        .iter()
        .filter(|(name, _)| name.as_str() != TESTS)
        .filter(|(_, dependencies)| dependencies.iter().any(|(d, _)| d == CLI))
        .map(|(name, _)| name)
        .collect();
    assert!(
        dependents.is_empty(),
        "depending on the CLI: {dependents:?}"
    );
}
