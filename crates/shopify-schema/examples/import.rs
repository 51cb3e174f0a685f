//! Converts Shopify's introspection JSON (optionally gzipped) into the checked-in form.
//!
//! `cargo run -p shopify-schema --example import -- <admin_YYYY-MM.json[.gz]> <YYYY-MM> <out-dir>`

use std::io::Read;

use anyhow::{Context, bail};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, version, out] = args.as_slice() else {
        bail!("usage: import <admin_YYYY-MM.json[.gz]> <YYYY-MM> <out-dir>");
    };
    let bytes = std::fs::read(input).with_context(|| format!("reading {input}"))?;
    let mut json = String::new();
    if input.ends_with(".gz") {
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_string(&mut json)
            .context("gunzip")?;
    } else {
        json = String::from_utf8(bytes).context("utf-8")?;
    }
    let converted = shopify_schema::introspection::convert(&json, version)?;
    let out = std::path::Path::new(out);
    std::fs::write(out.join("admin.graphql"), &converted.sdl)?;
    let mut meta = serde_json::to_string_pretty(&converted.meta)?;
    meta.push('\n');
    std::fs::write(out.join("admin.meta.json"), meta)?;
    eprintln!(
        "wrote {}/admin.graphql ({} bytes) and admin.meta.json",
        out.display(),
        converted.sdl.len()
    );
    Ok(())
}
