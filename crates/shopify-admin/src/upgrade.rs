//! `shopify-admin check-upgrade <schema>`: what moving `graphql/` to another Admin API
//! version breaks or changes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use shopify_codegen::Sources;
use shopify_codegen::upgrade::check_upgrade;
use shopify_schema::AdminSchema;

use crate::{Io, schema_source};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The other version: a schema file (SDL `.graphql[.gz]` or introspection
    /// `.json[.gz]`), a schema directory, or an API version (`2027-01`, `unstable`).
    target: String,
    /// The project's GraphQL folder.
    #[arg(long, default_value = "graphql")]
    dir: PathBuf,
}

pub fn run(args: Args, io: &mut Io) -> anyhow::Result<ExitCode> {
    let current = AdminSchema::bundled();
    writeln!(io.stderr, "loading {} ...", args.target)?;
    let package = io.env.lookup(schema_source::SCHEMA_PACKAGE_VAR);
    let next = schema_source::load(&args.target, package.as_deref(), &mut io.stderr)?;
    let sources =
        Sources::discover(&args.dir, Path::new(".")).map_err(|e| anyhow::anyhow!("{e}"))?;
    writeln!(
        io.stderr,
        "checking {} operations from {} against {} ...",
        sources.operations.len(),
        current.api_version(),
        next.api_version()
    )?;
    let report = match check_upgrade(current, &next, &sources) {
        Ok(report) => report,
        Err(errors) => {
            writeln!(
                io.stderr,
                "the operations do not validate against the current schema; fix them first:\n{errors}"
            )?;
            return Ok(ExitCode::FAILURE);
        }
    };
    write!(io.stdout, "{report}")?;
    Ok(if report.breaks() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
