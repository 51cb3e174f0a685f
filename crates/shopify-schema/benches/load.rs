//! How long loading the Admin schema takes, per checked-in form.
//!
//! `cargo bench -p shopify-schema --bench load` prints the median of several loads of:
//! the SDL (parse only, and parse + validate), the SDL gzipped, and — when
//! `SHOPIFY_INTROSPECTION_JSON` names Shopify's `admin_YYYY-MM.json[.gz]` — the
//! introspection JSON converted on the fly. This is how `schema/` was chosen.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use apollo_compiler::Schema;
use flate2::Compression;

const RUNS: usize = 9;

fn median(mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn gunzip(bytes: &[u8]) -> String {
    let mut out = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut out)
        .expect("gzip");
    out
}

fn main() {
    let sdl = shopify_schema::bundled_sdl();
    let meta = shopify_schema::bundled_meta_json();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(sdl.as_bytes()).expect("gzip");
    let sdl_gz = gz.finish().expect("gzip");
    println!(
        "schema forms: SDL {} bytes, SDL.gz {} bytes, meta {} bytes",
        sdl.len(),
        sdl_gz.len(),
        meta.len()
    );

    let parse = median(|| {
        Schema::parse(sdl, "admin.graphql").expect("parse");
    });
    let validate = median(|| {
        Schema::parse_and_validate(sdl, "admin.graphql").expect("valid");
    });
    let full = median(|| {
        shopify_schema::AdminSchema::parse(sdl, meta, "admin.graphql").expect("load");
    });
    let gz = median(|| {
        let text = gunzip(&sdl_gz);
        shopify_schema::AdminSchema::parse(&text, meta, "admin.graphql").expect("load");
    });
    println!("load: sdl parse            median {parse:?}");
    println!("load: sdl parse+validate   median {validate:?}");
    println!("load: sdl+meta (checked-in) median {full:?}");
    println!("load: sdl.gz+meta          median {gz:?}");

    if let Ok(path) = std::env::var("SHOPIFY_INTROSPECTION_JSON") {
        let bytes = std::fs::read(&path).expect("read introspection");
        let json = if path.ends_with(".gz") {
            gunzip(&bytes)
        } else {
            String::from_utf8(bytes).expect("utf-8")
        };
        let convert = median(|| {
            shopify_schema::introspection::convert(&json, "2026-10").expect("convert");
        });
        let json_gz = median(|| {
            let text = gunzip(&std::fs::read(&path).expect("read"));
            shopify_schema::introspection::convert(&text, "2026-10").expect("convert");
        });
        println!(
            "load: introspection json   median {convert:?} ({} bytes)",
            json.len()
        );
        println!("load: introspection json.gz median {json_gz:?}");
    }
}
