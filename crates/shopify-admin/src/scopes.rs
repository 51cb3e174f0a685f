//! `shopify-admin scopes`: the access scopes the operations in `graphql/` need.

use std::collections::BTreeSet;
use std::io::Write;
use std::process::ExitCode;

use shopify_queries::OPERATIONS;

use crate::Io;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also list what each operation needs.
    #[arg(long, short)]
    verbose: bool,
}

/// The union of the scopes, one requirement per line, ready for the app configuration.
pub fn run(args: Args, io: &mut Io) -> anyhow::Result<ExitCode> {
    let out = &mut io.stdout;
    let needed = union();
    if args.verbose {
        writeln!(
            out,
            "# Access scopes per operation (any one scope of an `a | b` alternative is enough):"
        )?;
        for op in OPERATIONS {
            let clauses: Vec<String> = op.required_scopes.iter().map(|c| c.join(" | ")).collect();
            let needs = if clauses.is_empty() {
                "(none documented)".to_owned()
            } else {
                clauses.join(", ")
            };
            writeln!(out, "#   {:<32} {needs}", op.name)?;
        }
        writeln!(out, "#")?;
    }
    writeln!(
        out,
        "# Access scopes for the {} operations in graphql/ (add them to the app's configuration in the Dev Dashboard):",
        OPERATIONS.len()
    )?;
    writeln!(out, "{}", needed.join(","))?;
    let implied = implied(&needed);
    if !implied.is_empty() {
        writeln!(
            out,
            "# Not listed because a write_ scope above grants them: {}",
            implied.join(", ")
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// One scope per requirement: the first alternative of each, after dropping
/// requirements another already meets (`write_x` meets `read_x`).
pub fn union() -> Vec<String> {
    let clauses: BTreeSet<Vec<&str>> = OPERATIONS
        .iter()
        .flat_map(|op| op.required_scopes.iter())
        .map(|clause| clause.to_vec())
        .collect();
    let mut chosen: BTreeSet<String> = BTreeSet::new();
    // Single-scope requirements first: they leave no choice.
    let (single, alternatives): (Vec<_>, Vec<_>) = clauses.into_iter().partition(|c| c.len() == 1);
    for clause in single.into_iter().chain(alternatives) {
        if clause
            .iter()
            .any(|scope| chosen.iter().any(|have| grants(have, scope)))
        {
            continue;
        }
        if let Some(first) = clause.first() {
            chosen.insert((*first).to_owned());
        }
    }
    // Drop read_x when write_x is chosen.
    let all: Vec<String> = chosen.iter().cloned().collect();
    all.iter()
        .filter(|scope| {
            !all.iter()
                .any(|other| other != *scope && grants(other, scope))
        })
        .cloned()
        .collect()
}

/// The `read_*` scopes operations need that are left out of `needed` because a
/// `write_*` scope in it grants them.
fn implied(needed: &[String]) -> Vec<String> {
    let wanted: BTreeSet<&str> = OPERATIONS
        .iter()
        .flat_map(|op| op.required_scopes.iter())
        .flat_map(|clause| clause.iter().copied())
        .filter(|scope| scope.starts_with("read_"))
        .collect();
    wanted
        .into_iter()
        .filter(|scope| !needed.iter().any(|n| n == scope))
        .filter(|scope| needed.iter().any(|n| grants(n, scope)))
        .map(str::to_owned)
        .collect()
}

fn grants(have: &str, wanted: &str) -> bool {
    have == wanted
        || wanted
            .strip_prefix("read_")
            .is_some_and(|rest| have.strip_prefix("write_") == Some(rest))
}
