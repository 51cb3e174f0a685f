//! Loading an Admin schema from whatever the user points at.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use shopify_schema::{AdminSchema, SchemaMeta};

/// The npm package that ships Shopify's Admin introspection results.
pub const DEV_MCP_PACKAGE: &str = "@shopify/dev-mcp@1.16.0";

/// Replaces [`DEV_MCP_PACKAGE`] as what `npm pack` fetches for a version: another
/// package spec, a local tarball or folder of the same layout (tests, mirrors, offline).
pub const SCHEMA_PACKAGE_VAR: &str = "SHOPIFY_SCHEMA_PACKAGE";

/// Loads a schema from a directory (`admin.graphql` + `admin.meta.json`), an SDL file
/// (`.graphql`, optionally `.gz`, with a sibling `<stem>.meta.json` if present), an
/// introspection result (`.json`, optionally `.gz`), or an API version (`2026-07`,
/// `unstable`), fetched from Shopify's npm package with `npm pack`.
pub fn load(
    spec: &str,
    package: Option<&str>,
    progress: &mut dyn Write,
) -> anyhow::Result<AdminSchema> {
    let path = Path::new(spec);
    if path.is_dir() {
        return AdminSchema::load(path).with_context(|| format!("loading the schema in {spec}"));
    }
    if path.is_file() {
        return load_file(path);
    }
    if is_version(spec) {
        let file = fetch_version(spec, package.unwrap_or(DEV_MCP_PACKAGE), progress)?;
        return load_file(&file);
    }
    bail!(
        "`{spec}` is neither a schema file, a schema directory, nor an API version like 2026-07 or unstable"
    )
}

fn is_version(spec: &str) -> bool {
    spec == "unstable"
        || (spec.len() == 7
            && spec.as_bytes()[4] == b'-'
            && spec[..4].bytes().all(|b| b.is_ascii_digit())
            && spec[5..].bytes().all(|b| b.is_ascii_digit()))
}

/// The API version in a file name like `admin_2026-07.json.gz`, if any.
fn version_in(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_string_lossy();
    name.split(['_', '.'])
        .find(|part| is_version(part))
        .map(str::to_owned)
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_string(&mut text)
            .with_context(|| format!("decompressing {}", path.display()))?;
        Ok(text)
    } else {
        String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", path.display()))
    }
}

fn load_file(path: &Path) -> anyhow::Result<AdminSchema> {
    let text = read_text(path)?;
    let name = path.display().to_string();
    let version = version_in(path).unwrap_or_else(|| "unknown".to_owned());
    if text.trim_start().starts_with('{') {
        let converted = shopify_schema::introspection::convert(&text, &version)
            .with_context(|| format!("converting the introspection result {name}"))?;
        return Ok(AdminSchema::from_parts(
            &converted.sdl,
            converted.meta,
            &name,
        )?);
    }
    let stem = name.trim_end_matches(".gz").trim_end_matches(".graphql");
    let meta_path = [format!("{stem}.meta.json"), format!("{stem}.meta.json.gz")]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    let meta = if let Some(meta_path) = meta_path {
        serde_json::from_str(&read_text(&meta_path)?)
            .with_context(|| format!("reading {}", meta_path.display()))?
    } else {
        SchemaMeta {
            api_version: version,
            ..SchemaMeta::default()
        }
    };
    Ok(AdminSchema::from_parts(&text, meta, &name)?)
}

/// Downloads Shopify's introspection result for `version` from the npm package.
fn fetch_version(
    version: &str,
    package: &str,
    progress: &mut dyn Write,
) -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("shopify-admin-schemas-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    // npm runs in `dir`: a local tarball or folder must be named absolutely.
    let package = match std::fs::canonicalize(package) {
        Ok(path) => path.display().to_string(),
        Err(_) => package.to_owned(),
    };
    let package = package.as_str();
    writeln!(
        progress,
        "fetching the {version} Admin schema: npm pack {package} ..."
    )?;
    let status = std::process::Command::new("npm")
        .args(["pack", "--silent", package])
        .current_dir(&dir)
        .stdout(std::process::Stdio::null())
        .status()
        .context("running npm (needed to fetch a schema by version; or pass a schema file)")?;
    if !status.success() {
        bail!("npm pack {package} failed; pass a schema file instead");
    }
    let tarball = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "tgz"))
        .context("npm pack produced no tarball")?;
    let status = std::process::Command::new("tar")
        .arg("xzf")
        .arg(&tarball)
        .current_dir(&dir)
        .status()
        .context("running tar")?;
    if !status.success() {
        bail!("could not unpack {}", tarball.display());
    }
    let file = dir.join(format!("package/dist/data/admin_{version}.json.gz"));
    if !file.is_file() {
        bail!("{package} has no Admin schema for {version}");
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_recognised_in_arguments_and_file_names() {
        assert!(is_version("2026-07"));
        assert!(is_version("unstable"));
        assert!(!is_version("2026-7"));
        assert!(!is_version("schema/admin.graphql"));
        assert_eq!(
            version_in(Path::new("x/admin_2026-07.json.gz")).as_deref(),
            Some("2026-07")
        );
        assert_eq!(version_in(Path::new("admin.graphql")), None);
    }
}
