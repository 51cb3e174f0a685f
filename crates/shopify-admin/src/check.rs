//! `shopify-admin check [FILES]`: validate `.graphql` files outside a build, with the
//! build's located errors, and show each operation's cost and access scopes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use shopify_codegen::{SchemaLoadError, SourceFile, Sources, compile};

use crate::Io;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Operation files to check; all of `graphql/` when none are given. Fragments from
    /// `graphql/fragments/` are always available to them.
    files: Vec<PathBuf>,
    /// The project's GraphQL folder.
    #[arg(long, default_value = "graphql")]
    dir: PathBuf,
    /// A schema directory (with `admin.graphql` and `admin.meta.json`) instead of the
    /// one built in.
    #[arg(long)]
    schema: Option<PathBuf>,
}

pub fn run(args: Args, io: &mut Io) -> anyhow::Result<ExitCode> {
    // The schema a build would check against, chosen the way build scripts choose it.
    let mut builder = shopify_codegen::configure();
    if let Some(dir) = &args.schema {
        builder = builder.schema_dir(dir);
    }
    let schema = match builder.load_schema(Path::new("")) {
        Ok(schema) => schema,
        Err(SchemaLoadError::Load { source, .. }) => {
            let dir = args.schema.as_deref().unwrap_or(Path::new("")).display();
            return Err(anyhow::Error::new(source).context(format!("loading the schema in {dir}")));
        }
        Err(other) => return Err(other.into()),
    };
    let schema = &*schema;
    let sources = sources(&args)?;
    let named_fragments: Vec<String> = sources
        .fragments
        .iter()
        .filter(|f| args.files.contains(&f.path))
        .map(|f| f.display.clone())
        .collect();
    if sources.operations.is_empty() {
        anyhow::bail!(
            "no .graphql operations to check (looked in {})",
            args.dir.display()
        );
    }
    match compile(schema, &sources) {
        Err(errors) => {
            for error in &errors.0 {
                writeln!(io.stderr, "error: {error}")?;
            }
            writeln!(
                io.stderr,
                "{} error{} in {} file{}",
                errors.0.len(),
                if errors.0.len() == 1 { "" } else { "s" },
                sources.operations.len(),
                if sources.operations.len() == 1 {
                    ""
                } else {
                    "s"
                }
            )?;
            Ok(ExitCode::FAILURE)
        }
        Ok(compiled) => {
            for warning in &compiled.warnings {
                // Checking some files, the shared fragments other operations use are not
                // unused: only say so of fragment files the user named.
                let unused_fragment = warning.message.ends_with("is not used by any operation");
                if unused_fragment
                    && !args.files.is_empty()
                    && !named_fragments.contains(&warning.file)
                {
                    continue;
                }
                writeln!(io.stderr, "warning: {warning}")?;
            }
            for op in &compiled.operations {
                let scopes: Vec<String> = op
                    .access
                    .clauses
                    .iter()
                    .map(|c| c.iter().cloned().collect::<Vec<_>>().join(" | "))
                    .collect();
                writeln!(
                    io.stdout,
                    "ok  {}  {} {}  cost {}  scopes {}",
                    op.file,
                    match op.kind {
                        shopify_codegen::OperationKind::Query => "query",
                        shopify_codegen::OperationKind::Mutation => "mutation",
                    },
                    op.name,
                    op.cost,
                    if scopes.is_empty() {
                        "(none documented)".to_owned()
                    } else {
                        scopes.join(", ")
                    }
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn sources(args: &Args) -> anyhow::Result<Sources> {
    let root = Path::new(".");
    let mut sources = if args.dir.is_dir() {
        Sources::discover(&args.dir, root).map_err(|e| anyhow::anyhow!("{e}"))?
    } else {
        Sources::default()
    };
    if args.files.is_empty() {
        return Ok(sources);
    }
    // Named files replace the folder's operations; its fragments stay available.
    sources.operations.clear();
    for path in &args.files {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let display = path.display().to_string().replace('\\', "/");
        let file = SourceFile {
            path: path.clone(),
            display,
            text,
        };
        let is_fragment = path.components().any(|c| c.as_os_str() == "fragments");
        if is_fragment {
            sources.fragments.retain(|f| f.path != file.path);
            sources.fragments.push(file);
        } else {
            sources.operations.push(file);
        }
    }
    Ok(sources)
}
