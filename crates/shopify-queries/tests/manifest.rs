//! The operations manifest written at build time. The snapshot pins what tools read from
//! it (scopes, cost, idempotency, deprecations, text hashes); the texts themselves are
//! pinned by the request-body snapshots, so they are redacted here.

use serde_json::Value;
use sha2::{Digest, Sha256};

fn manifest() -> Value {
    serde_json::from_str(shopify_queries::MANIFEST_JSON).expect("the manifest is JSON")
}

#[test]
fn manifest_lists_every_operation_with_what_it_needs() {
    insta::assert_json_snapshot!(manifest(), {
        ".operations[].text" => "[see tests/e2e/snapshots/e2e__request_bodies__*.snap]",
    });
}

#[test]
fn each_hash_is_the_sha256_of_the_exact_text_sent() {
    let manifest = manifest();
    let operations = manifest["operations"].as_array().expect("operations");
    assert_eq!(operations.len(), shopify_queries::OPERATIONS.len());
    for (entry, info) in operations.iter().zip(shopify_queries::OPERATIONS) {
        assert_eq!(entry["name"], info.name);
        assert_eq!(
            entry["text"], info.query,
            "{} lists the text it sends",
            info.name
        );
        let digest: String = Sha256::digest(info.query.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(entry["sha256"], digest.as_str(), "{}", info.name);
    }
}

#[test]
fn the_manifest_is_in_a_stable_order() {
    let names: Vec<String> = manifest()["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .map(|op| op["file"].as_str().unwrap_or_default().to_owned())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "operations are listed in file order");
}
