//! `shopify-admin import <operation> --variables FILE.jsonl`: run a bulk mutation (one call
//! per line of variables) and report each line's result.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use serde_json::Value;
use shopify_client::bulk::{Bulk, MutationLine};

use crate::Io;
use crate::connect::connect;
use crate::export::{Progress, checked_operation};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A mutation: a `.graphql` file, or the name of an operation in `graphql/bulk/`.
    operation: String,
    /// One JSON object of variables per line.
    #[arg(long)]
    variables: PathBuf,
    /// The project's GraphQL folder.
    #[arg(long, default_value = "graphql")]
    dir: PathBuf,
}

pub async fn run(args: Args, io: &mut Io) -> anyhow::Result<ExitCode> {
    let Some(mutation) = checked_operation(&args.operation, &args.dir, io)? else {
        return Ok(ExitCode::FAILURE);
    };
    let connection = connect(io).await?;
    let bulk = Bulk::new(&connection.client, shopify_queries::API_VERSION);
    // Streamed from the file: memory stays flat up to Shopify's 100 MB.
    let started = bulk
        .run_mutation_file(&mutation, &args.variables)
        .await
        .with_context(|| {
            format!(
                "starting the bulk mutation with {}",
                args.variables.display()
            )
        })?;
    let mut seen = Vec::new();
    let done = bulk.wait(&started.id, |op| seen.push(op.clone())).await;
    let mut progress = Progress::new(io);
    for op in &seen {
        progress.status(io, op)?;
    }
    progress.finish();
    let done = done.context("waiting for the bulk mutation")?;
    let Some(url) = done.url else {
        writeln!(io.stderr, "no results (the variables file had no lines)")?;
        return Ok(ExitCode::SUCCESS);
    };
    let mut results = bulk.mutation_results::<Value>(&url);
    let (mut ok, mut failed) = (0u64, 0u64);
    while let Some(result) = results.next().await.context("downloading the results")? {
        let problems = problems(&result);
        let line = result.line_number + 1;
        if problems.is_empty() {
            ok += 1;
            writeln!(io.stdout, "line {line}: ok")?;
        } else {
            failed += 1;
            writeln!(io.stdout, "line {line}: {}", problems.join("; "))?;
        }
    }
    writeln!(io.stderr, "{ok} lines ok, {failed} failed")?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// GraphQL errors and `userErrors` of one result line.
fn problems(result: &MutationLine<Value>) -> Vec<String> {
    let mut out: Vec<String> = result
        .errors
        .iter()
        .filter_map(|e| e["message"].as_str().map(str::to_owned))
        .collect();
    if let Some(Value::Object(roots)) = &result.data {
        for payload in roots.values() {
            for error in payload["userErrors"].as_array().into_iter().flatten() {
                let field = error["field"]
                    .as_array()
                    .map(|f| {
                        f.iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join(".")
                    })
                    .unwrap_or_default();
                let message = error["message"].as_str().unwrap_or_default();
                out.push(if field.is_empty() {
                    message.to_owned()
                } else {
                    format!("{field}: {message}")
                });
            }
        }
    }
    out
}
