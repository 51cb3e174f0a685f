//! Compiles every `graphql/**/*.graphql` of the workspace into typed Rust in
//! `OUT_DIR/operations.rs` (and `manifest.json`), checked against the workspace's
//! `schema/`. `OUT_DIR/codegen-stats.txt` records where the time went
//! (read by `benches/build_speed.rs`).

fn main() {
    shopify_codegen::configure()
        .schema_dir("../../schema")
        .compile("../../graphql");
}
