//! `shopify-admin export <file.graphql | name> --out FILE.jsonl`: run a bulk query and write
//! its JSONL exactly as Shopify sent it, with progress on stderr.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use shopify_client::bulk::{Bulk, BulkError, BulkOperation};
use shopify_codegen::{SourceFile, Sources, compile_bulk};
use shopify_schema::AdminSchema;

use crate::Io;
use crate::connect::connect;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A bulk query: a `.graphql` file, or the name of an operation in `graphql/bulk/`.
    query: String,
    /// Where to write the JSONL.
    #[arg(long)]
    out: PathBuf,
    /// The project's GraphQL folder (for `graphql/bulk/` and shared fragments).
    #[arg(long, default_value = "graphql")]
    dir: PathBuf,
}

/// Finds the operation file and checks it as the build does (`compile_bulk` applies
/// Shopify's bulk rules, located in the user's file);
/// the located errors go to stderr. `Ok(None)` when it has errors.
pub(crate) fn checked_operation(
    target: &str,
    dir: &Path,
    io: &mut Io,
) -> anyhow::Result<Option<String>> {
    let path = if target.ends_with(".graphql") || Path::new(target).is_file() {
        PathBuf::from(target)
    } else {
        dir.join("bulk").join(format!("{target}.graphql"))
    };
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut sources = if dir.is_dir() {
        Sources::discover(dir, Path::new(".")).map_err(|e| anyhow::anyhow!("{e}"))?
    } else {
        Sources::default()
    };
    sources.operations = vec![SourceFile {
        path: path.clone(),
        display: path.display().to_string().replace('\\', "/"),
        text,
    }];
    let schema = AdminSchema::bundled();
    let compiled = match compile_bulk(schema, &sources) {
        Ok(compiled) => compiled,
        Err(errors) => {
            for error in &errors.0 {
                writeln!(io.stderr, "error: {error}")?;
            }
            return Ok(None);
        }
    };
    let Some(op) = compiled.operations.into_iter().next() else {
        anyhow::bail!("{} holds no operation", path.display());
    };
    Ok(Some(op.text))
}

/// Progress on stderr: a bar on a terminal, plain lines otherwise.
pub(crate) struct Progress {
    bar: Option<indicatif::ProgressBar>,
    last: String,
}

impl Progress {
    pub(crate) fn new(io: &Io) -> Self {
        let terminal = !io.is_captured() && std::io::stderr().is_terminal();
        let bar = terminal.then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Self {
            bar,
            last: String::new(),
        }
    }

    pub(crate) fn status(&mut self, io: &mut Io, op: &BulkOperation) -> std::io::Result<()> {
        let line = format!("status {:?}, {} objects", op.status, op.object_count);
        self.say(io, line)
    }

    pub(crate) fn say(&mut self, io: &mut Io, line: String) -> std::io::Result<()> {
        match &self.bar {
            Some(bar) => bar.set_message(line.clone()),
            None if line != self.last => writeln!(io.stderr, "{line}")?,
            None => {}
        }
        self.last = line;
        Ok(())
    }

    pub(crate) fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish();
        }
    }
}

pub async fn run(args: Args, io: &mut Io) -> anyhow::Result<ExitCode> {
    let Some(query) = checked_operation(&args.query, &args.dir, io)? else {
        return Ok(ExitCode::FAILURE);
    };
    let connection = connect(io).await?;
    let bulk = Bulk::new(&connection.client, shopify_queries::API_VERSION);
    let started = bulk
        .run_query(&query)
        .await
        .context("starting the bulk query")?;
    let mut progress = Progress::new(io);
    let mut seen = Vec::new();
    let done = bulk.wait(&started.id, |op| seen.push(op.clone())).await;
    for op in &seen {
        progress.status(io, op)?;
    }
    let done = match done {
        Ok(done) => done,
        Err(BulkError::Failed { operation }) => {
            progress.finish();
            writeln!(
                io.stderr,
                "bulk operation {} FAILED ({}); partial data: {}",
                operation.id,
                operation.error_code.as_deref().unwrap_or("no error code"),
                operation.partial_data_url.as_deref().unwrap_or("none")
            )?;
            return Ok(ExitCode::FAILURE);
        }
        Err(other) => return Err(other).context("waiting for the bulk query"),
    };
    let file = std::fs::File::create(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let mut out = BufWriter::new(file);
    let mut written = 0u64;
    if let Some(url) = &done.url {
        let mut lines = bulk.lines(url);
        while let Some(line) = lines.next().await.context("downloading the result file")? {
            out.write_all(line)?;
            out.write_all(b"\n")?;
            written += 1;
            if written % 10_000 == 0 {
                let msg = format!("downloaded {written} lines, {} bytes", lines.bytes_read());
                progress.say(io, msg)?;
            }
        }
        let msg = format!(
            "downloaded {written} lines, {} bytes{}",
            lines.bytes_read(),
            if lines.resumes() > 0 {
                format!(" ({} resumed downloads)", lines.resumes())
            } else {
                String::new()
            }
        );
        progress.say(io, msg)?;
    }
    out.flush()?;
    progress.finish();
    writeln!(io.stderr, "wrote {written} lines to {}", args.out.display())?;
    Ok(ExitCode::SUCCESS)
}
