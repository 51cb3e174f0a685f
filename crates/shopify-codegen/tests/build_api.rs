//! `configure()…generate`: what a build script gets, without cargo.

use std::path::{Path, PathBuf};

fn crate_dir(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shopify-codegen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a file in a folder"))
            .expect("create the folder");
        std::fs::write(path, text).expect("write the file");
    }
    dir
}

const SHOP: (&str, &str) = (
    "graphql/shop_name.graphql",
    "query ShopName {\n  shop {\n    ...ShopBits\n  }\n}\n\nfragment ShopBits on Shop {\n  name\n}\n",
);

#[test]
fn generates_code_manifest_and_the_inputs_to_watch() {
    let dir = crate_dir("ok", &[SHOP]);
    let generated = shopify_codegen::configure()
        .generate(&dir.join("graphql"), &dir)
        .unwrap();
    assert_eq!(generated.operations, 1);
    assert_eq!(generated.fragments, 1);
    assert!(generated.code().contains("pub mod shop_name"));
    assert!(generated.manifest.unwrap().contains("\"ShopName\""));
    let graphql = dir.join("graphql").canonicalize().unwrap();
    assert!(generated.inputs.contains(&graphql));
    assert!(
        generated
            .inputs
            .contains(&graphql.join("shop_name.graphql"))
    );
    let none = shopify_codegen::configure()
        .emit_manifest(false)
        .generate(&dir.join("graphql"), &dir)
        .unwrap();
    assert!(none.manifest.is_none());
}

#[test]
fn errors_are_located_relative_to_the_crate() {
    let dir = crate_dir(
        "broken",
        &[
            SHOP,
            (
                "graphql/broken.graphql",
                "query Broken {\n  shop {\n    nmae\n  }\n}\n",
            ),
        ],
    );
    let error = shopify_codegen::configure()
        .generate(&dir.join("graphql"), &dir)
        .unwrap_err();
    assert_eq!(error.errors.len(), 1, "{error}");
    assert!(
        error.errors[0]
            .starts_with("graphql/broken.graphql:3:5: type `Shop` does not have a field `nmae`"),
        "{error}"
    );
    // A fix must rebuild: the broken file is watched even though the build failed.
    let broken = dir.join("graphql/broken.graphql").canonicalize().unwrap();
    assert!(error.inputs.contains(&broken), "{:?}", error.inputs);
}

#[test]
fn another_api_version_than_the_schemas_is_refused_with_both_named() {
    let dir = crate_dir("version", &[SHOP]);
    let error = shopify_codegen::configure()
        .api_version("2020-01")
        .generate(&dir.join("graphql"), &dir)
        .unwrap_err();
    let schema = shopify_schema::AdminSchema::bundled()
        .api_version()
        .to_owned();
    assert_eq!(error.errors.len(), 1);
    assert!(
        error.errors[0].starts_with(&format!(
            "the schema describes Admin API {schema}, not 2020-01"
        )),
        "{error}"
    );
}

#[test]
fn a_missing_schema_folder_is_an_error_not_a_panic() {
    let dir = crate_dir("schema", &[SHOP]);
    let error = shopify_codegen::configure()
        .schema_dir("no-such-schema")
        .generate(&dir.join("graphql"), &dir)
        .unwrap_err();
    assert!(error.to_string().contains("no-such-schema"), "{error}");
    assert!(
        error
            .inputs
            .iter()
            .any(|p| p.ends_with(Path::new("no-such-schema/admin.graphql")))
    );
}
