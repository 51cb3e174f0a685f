//! Build-speed benchmark: our codegen against `#[derive(GraphQLQuery)]` per operation
//! (graphql_client 0.16), on the same operations.
//!
//! ```text
//! CARGO_TARGET_DIR=/tmp/target-bench cargo bench -p shopify-queries --bench build_speed
//! ```
//!
//! It lays out a scratch workspace under `<target dir>/build-speed/ws` that mirrors this
//! repository: a copy of `schema/`, of the crates `shopify-queries` depends on, of the root
//! manifest (so the same `[profile.*]` settings) and two crates:
//! - `ours`: the real `crates/shopify-queries/build.rs` and `src/lib.rs`, verbatim, over a
//!   `graphql/` folder holding the compared operations;
//! - `baseline`: `graphql_client` 0.16 + serde, one `#[derive(GraphQLQuery)]` per operation
//!   (`response_derives = "Debug"`), each query file holding the exact text our codegen
//!   sends (`OPERATIONS[i].query`, with `__typename` already added).
//!
//! Operations graphql_client cannot build are found (its codegen's errors, then rustc's)
//! and left out of both sides; the report says which and why. All scratch crates build
//! with the dev profile into one target dir, so shared dependencies build once, and the
//! copies keep edits made elsewhere in the repository during the run out of the timings
//! (a timed build that compiles anything else is flagged). Dependencies are built first;
//! then, interleaving the two sides, it times:
//! - cold: `cargo clean -p <crate>` then `cargo build -p <crate>` (goal <= 0.5);
//! - rebuild after appending a comment line to one operation's `.graphql` (goal <= 0.5),
//!   and after adding a field (`__typename` on its root selection), which changes the
//!   generated types; the file is restored and rebuilt, untimed, after each run;
//! - cold with every decoder instantiated: the operations crate plus `ours-use` /
//!   `baseline-use`, which decode a response and encode the variables of every operation
//!   the way each library is used (serde derives are generic, so the baseline's decoding
//!   code is only generated in the crate that calls serde_json; ours is generated in the
//!   operations crate itself). No goal: it shows what the first figure leaves out.
//!
//! It also compares the generated Rust: ours is `OUT_DIR/operations.rs` and the
//! `operations/*.rs` it includes, the baseline is
//! what `graphql_client_codegen::generate_module_token_stream` returns for each operation
//! with the derive's options (before serde's derives expand). Both are tokenized the same
//! way (comments, doc comments and whitespace dropped) before counting bytes (goal <= 0.4).
//! Peak memory is the largest resident set of any one process of a build, from
//! `/usr/bin/time` when it exists. Ours' build script writes `codegen-stats.txt` (whether
//! it compiled against the whole schema or its stored cut, time per phase), printed last
//! for the last cold build and the last new-field edit.
//!
//! Environment: `BUILD_SPEED_RUNS` (default 3) runs per measurement; `BUILD_SPEED_EDIT`
//! the module of the operation edited for the rebuild (default `products_page`);
//! `BUILD_SPEED_OPS` how many operations are compared (default 40, as the issue's check);
//! `BUILD_SPEED_FIRST_RUN` `1` (default), `0` or `only`: the first-run measurement;
//! `BUILD_SPEED_GRAPHQL` another folder of operations to compare instead of `graphql/`,
//! relative to the repository root (`crates/shopify-queries/benches/build_speed/graphql`
//! holds 40 realistic ones that are not this workspace's);
//! `BUILD_SPEED_FIELD` the new-field edit as `anchor+field` (`field` goes on a new line
//! after the first line that is `anchor`; default: `__typename` first in the root
//! selection).
//!
//! First run (`build_speed/first_run.rs`): a fresh `git clone` of `HEAD`, an empty target
//! dir, no credentials, `cargo run -q -p shopify-admin -- products` until it prints;
//! prints `first-run: …s` (goal <= 100 s on 2 cores) and the CPU time it took.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use graphql_client_codegen::{CodegenMode, GraphQLClientCodegenOptions};
use proc_macro2::{TokenStream, TokenTree};

#[path = "build_speed/first_run.rs"]
mod first_run;

const COLD_GOAL: f64 = 0.5;
const REBUILD_GOAL: f64 = 0.5;
const SIZE_GOAL: f64 = 0.4;

/// The custom scalars of the Admin schema as the baseline maps them: plain strings (the
/// cheapest choice for the baseline), JSON as a value.
const BASELINE_SCALARS: &[(&str, &str)] = &[
    ("ARN", "String"),
    ("BigInt", "String"),
    ("Color", "String"),
    ("Date", "String"),
    ("DateTime", "String"),
    ("Decimal", "String"),
    ("FormattedString", "String"),
    ("HTML", "String"),
    ("JSON", "::serde_json::Value"),
    ("Money", "String"),
    ("StorefrontID", "String"),
    ("URL", "String"),
    ("UnsignedInt64", "String"),
    ("UtcOffset", "String"),
];

#[derive(Debug, Clone)]
struct Op {
    name: &'static str,
    module: &'static str,
    file: &'static str,
    query: &'static str,
}

/// An operation left out of the comparison: its module, and why graphql_client fails on it.
type Excluded = (String, String);

#[derive(Debug)]
struct Paths {
    /// This repository.
    repo: PathBuf,
    /// The folder of operations compared: `graphql/` or `BUILD_SPEED_GRAPHQL`.
    graphql: PathBuf,
    /// The scratch workspace.
    ws: PathBuf,
    /// Its target dir.
    target: PathBuf,
    cargo: String,
    time: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Ours,
    Baseline,
}

impl Side {
    /// The crate holding the operations.
    fn package(self) -> &'static str {
        match self {
            Side::Ours => "ours",
            Side::Baseline => "baseline",
        }
    }

    /// A crate that decodes and encodes every operation's types, so their code is
    /// instantiated (serde's derives are generic: their code is generated where they are
    /// used, not in the crate holding the operations).
    fn consumer(self) -> &'static str {
        match self {
            Side::Ours => "ours-use",
            Side::Baseline => "baseline-use",
        }
    }
}

/// Timings per side (package name).
type Samples = BTreeMap<&'static str, Vec<Sample>>;

#[derive(Debug, Clone)]
struct Sample {
    wall: Duration,
    /// Peak resident set of any one process of the build, KiB.
    peak_kib: Option<u64>,
    /// Packages other than the measured one that cargo compiled (should be none).
    others: Vec<String>,
    /// Ours' `codegen-stats.txt` after an edit's rebuild.
    stats: Option<String>,
}

fn main() -> Result<()> {
    // `cargo bench` passes `--bench`; a filter argument would mean "not this bench".
    if std::env::args()
        .skip(1)
        .any(|a| !a.starts_with('-') && !"build_speed".contains(a.as_str()))
    {
        return Ok(());
    }
    let runs: usize = std::env::var("BUILD_SPEED_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    let paths = Paths::new()?;
    // `BUILD_SPEED_FIRST_RUN`: `1` (default) measures a newcomer's first run after the
    // comparison, `only` measures just that, `0` skips it (it builds every dependency).
    let first_run_mode = std::env::var("BUILD_SPEED_FIRST_RUN").unwrap_or_else(|_| "1".into());
    if first_run_mode == "only" {
        return first_run(&paths);
    }
    say(&format!(
        "scratch workspace {} (target {}), {runs} runs per measurement",
        paths.ws.display(),
        paths.target.display()
    ));

    let all = operations(&paths)?;

    paths.mirror_repository()?;
    let (mut included, excluded) = paths.settle_operations(&all)?;
    // The issue's check compares exactly 40 operations: keep the edited one and the first
    // others, in file order.
    let limit: usize = std::env::var("BUILD_SPEED_OPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40)
        .max(1);
    let edited = std::env::var("BUILD_SPEED_EDIT").unwrap_or_else(|_| "products_page".into());
    while included.len() > limit {
        let Some(drop) = included.iter().rposition(|o| o.module != edited) else {
            break;
        };
        included.remove(drop);
    }
    say(&format!(
        "operations compared: {} of {} in graphql/",
        included.len(),
        all.len()
    ));
    for (module, reason) in &excluded {
        say(&format!(
            "excluded from both sides: {module} (graphql_client 0.16 cannot build it: {reason})"
        ));
    }
    if included.is_empty() {
        bail!("no operation left to compare");
    }
    paths.write_ours(&included)?;
    paths.write_baseline(&included)?;

    paths.write_consumers(&included)?;

    // Dependencies once, untimed.
    for side in [Side::Ours, Side::Baseline] {
        paths
            .cargo_build(side.consumer(), &[], false)
            .with_context(|| format!("warming up {}", side.package()))?;
    }

    let edit = std::env::var("BUILD_SPEED_EDIT").unwrap_or_else(|_| "products_page".into());
    let edit = included
        .iter()
        .find(|o| o.module == edit)
        .or_else(|| included.first())
        .map(|o| o.module)
        .context("an operation to edit")?;

    let field_edit = std::env::var("BUILD_SPEED_FIELD").ok();
    let mut cold = Samples::new();
    let mut comment = Samples::new();
    let mut field = Samples::new();
    let mut end_to_end = Samples::new();
    for run in 0..runs {
        // Alternate which side goes first, so drift in machine load hits both alike.
        let order = if run % 2 == 0 {
            [Side::Ours, Side::Baseline]
        } else {
            [Side::Baseline, Side::Ours]
        };
        let tag = |what: &str, side: Side, sample: &Sample| {
            say(&format!(
                "  run {}: {what}, {} {}",
                run + 1,
                side.package(),
                show_sample(sample)
            ));
        };
        for side in order {
            let sample = paths.cold(side.package(), &[side.package()])?;
            tag("cold", side, &sample);
            cold.entry(side.package()).or_default().push(sample);
        }
        for side in order {
            let sample = paths.rebuild_after_edit(side, edit, |text| {
                Some(format!("{text}# build-speed edit {run} {}\n", unix_nanos()))
            })?;
            tag(
                &format!("rebuild after appending a comment to {edit}.graphql"),
                side,
                &sample,
            );
            comment.entry(side.package()).or_default().push(sample);
        }
        for side in order {
            let sample = paths
                .rebuild_after_edit(side, edit, |text| add_field(text, field_edit.as_deref()))?;
            tag(
                &format!("rebuild after adding a field to {edit}.graphql"),
                side,
                &sample,
            );
            field.entry(side.package()).or_default().push(sample);
        }
        for side in order {
            let sample = paths.cold(side.consumer(), &[side.package(), side.consumer()])?;
            tag(
                "cold, with a crate decoding and encoding every operation",
                side,
                &sample,
            );
            end_to_end.entry(side.package()).or_default().push(sample);
        }
    }

    // Generated code.
    let out_dir = paths.ours_out_dir()?;
    // `operations.rs` and the per-operation files it includes (`operations/*.rs`).
    let mut ours_code = std::fs::read_to_string(out_dir.join("operations.rs"))
        .context("reading ours' OUT_DIR/operations.rs")?;
    let mut per_operation: Vec<PathBuf> = std::fs::read_dir(out_dir.join("operations"))
        .context("reading ours' OUT_DIR/operations/")?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    per_operation.sort();
    for path in per_operation {
        ours_code
            .push_str(&std::fs::read_to_string(&path).with_context(|| path.display().to_string())?);
    }
    let ours_size = code_size(&ours_code)?;
    let mut baseline_size = 0;
    for op in &included {
        let tokens = paths
            .baseline_tokens(op)
            .map_err(|e| anyhow::anyhow!("graphql_client_codegen failed on {}: {e}", op.module))?;
        baseline_size += stripped_len(&tokens);
    }
    let stats = std::fs::read_to_string(out_dir.join("codegen-stats.txt")).unwrap_or_else(|_| {
        "(no codegen-stats.txt: crates/shopify-queries/build.rs does not write it)".into()
    });

    println!();
    report("cold", &cold, Some(COLD_GOAL));
    report(
        &format!("rebuild-after-comment-in-{edit}.graphql"),
        &comment,
        Some(REBUILD_GOAL),
    );
    report(
        &format!("rebuild-after-new-field-in-{edit}.graphql"),
        &field,
        Some(REBUILD_GOAL),
    );
    report("cold-with-every-decoder-instantiated", &end_to_end, None);
    let ratio = ours_size as f64 / baseline_size as f64;
    println!(
        "build-speed: generated-code ours={} baseline={} ratio={ratio:.2} (goal <= {SIZE_GOAL}: {}) [non-whitespace bytes of tokens, comments and doc comments dropped; raw operations.rs {}]",
        kib(ours_size),
        kib(baseline_size),
        met(ratio <= SIZE_GOAL),
        kib(ours_code.len()),
    );
    for (name, samples) in [
        ("cold", &cold),
        ("rebuild-after-comment", &comment),
        ("rebuild-after-new-field", &field),
        ("cold-with-every-decoder-instantiated", &end_to_end),
    ] {
        let peak = |side: &str| {
            median_u64(
                samples
                    .get(side)
                    .map(|s| s.iter().filter_map(|s| s.peak_kib).collect())
                    .unwrap_or_default(),
            )
        };
        match (peak("ours"), peak("baseline")) {
            (Some(o), Some(b)) => println!(
                "build-speed: peak-memory {name} ours={} baseline={} ratio={:.2} [largest single process, median]",
                mib(o),
                mib(b),
                o as f64 / b as f64
            ),
            _ => println!("build-speed: peak-memory {name} not measured (no /usr/bin/time)"),
        }
    }
    let stats: Vec<&str> = stats.lines().collect();
    println!(
        "build-speed: ours' build script (last cold build): {}",
        stats.join(", ")
    );
    let edit_stats = field
        .get(Side::Ours.package())
        .and_then(|samples| samples.iter().rev().find_map(|s| s.stats.clone()));
    if let Some(edit_stats) = edit_stats {
        let lines: Vec<&str> = edit_stats.lines().collect();
        println!(
            "build-speed: ours' build script (last new-field edit): {}",
            lines.join(", ")
        );
    }
    if first_run_mode != "0" {
        first_run(&paths)?;
    }
    Ok(())
}

/// Measures and prints a newcomer's first run (see `build_speed/first_run.rs`).
fn first_run(paths: &Paths) -> Result<()> {
    let root = paths.ws.parent().context("the scratch root")?;
    let scratch = first_run::scratch_dir(root);
    say(&format!(
        "first run: fresh clone of HEAD into {}, empty target, `cargo run -q -p shopify-admin -- products` (builds every dependency: minutes)",
        scratch.display()
    ));
    let run = first_run::measure(&paths.repo, &scratch, &paths.cargo, paths.time.as_deref())?;
    println!("{}", first_run::report(&run));
    Ok(())
}

fn say(line: &str) {
    eprintln!("build-speed: {line}");
}

fn unix_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

fn met(yes: bool) -> &'static str {
    if yes { "met" } else { "NOT met" }
}

fn kib(bytes: usize) -> String {
    format!("{:.0}KiB", bytes as f64 / 1024.0)
}

fn mib(kib: u64) -> String {
    format!("{:.0}MiB", kib as f64 / 1024.0)
}

fn show_sample(s: &Sample) -> String {
    let mut text = format!("{:.2}s", s.wall.as_secs_f64());
    if let Some(peak) = s.peak_kib {
        let _ = write!(text, ", peak {}", mib(peak));
    }
    if !s.others.is_empty() {
        let _ = write!(
            text,
            " (WARNING: also compiled {}: a dependency changed during the run)",
            s.others.join(", ")
        );
    }
    text
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn median_u64(mut values: Vec<u64>) -> Option<u64> {
    values.sort_unstable();
    values.get(values.len() / 2).copied()
}

fn report(name: &str, samples: &Samples, goal: Option<f64>) {
    let secs = |side: &str| -> Vec<f64> {
        samples
            .get(side)
            .map(|s| s.iter().map(|s| s.wall.as_secs_f64()).collect())
            .unwrap_or_default()
    };
    let (ours, baseline) = (secs("ours"), secs("baseline"));
    let (o, b) = (median(ours.clone()), median(baseline.clone()));
    let ratio = o / b;
    let list = |v: &[f64]| {
        v.iter()
            .map(|s| format!("{s:.2}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let verdict = match goal {
        Some(goal) => format!(" (goal <= {goal}: {})", met(ratio <= goal)),
        None => String::new(),
    };
    println!(
        "build-speed: {name} ours={o:.2}s baseline={b:.2}s ratio={ratio:.2}{verdict} [medians; runs ours: {}; baseline: {}]",
        list(&ours),
        list(&baseline)
    );
}

/// Non-whitespace bytes of Rust source once tokenized: comments and doc comments dropped.
fn code_size(source: &str) -> Result<usize> {
    let tokens = TokenStream::from_str(source)
        .map_err(|e| anyhow::anyhow!("generated code does not tokenize: {e}"))?;
    Ok(stripped_len(&tokens))
}

fn stripped_len(tokens: &TokenStream) -> usize {
    strip_docs(tokens.clone())
        .to_string()
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .count()
}

/// Drops `#[doc = ...]` and `#![doc = ...]` attributes (what doc comments tokenize to).
fn strip_docs(tokens: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        if let Some(next) = doc_attribute_end(&trees, i) {
            i = next;
            continue;
        }
        match &trees[i] {
            TokenTree::Group(g) => {
                let mut group = proc_macro2::Group::new(g.delimiter(), strip_docs(g.stream()));
                group.set_span(g.span());
                out.push(TokenTree::Group(group));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out.into_iter().collect()
}

/// When `trees[i..]` starts with `#[doc ...]` or `#![doc ...]`, the index after it.
fn doc_attribute_end(trees: &[TokenTree], i: usize) -> Option<usize> {
    let TokenTree::Punct(hash) = trees.get(i)? else {
        return None;
    };
    if hash.as_char() != '#' {
        return None;
    }
    let bang = matches!(trees.get(i + 1), Some(TokenTree::Punct(b)) if b.as_char() == '!');
    let group_at = if bang { i + 2 } else { i + 1 };
    let TokenTree::Group(group) = trees.get(group_at)? else {
        return None;
    };
    let is_doc = group.delimiter() == proc_macro2::Delimiter::Bracket
        && matches!(group.stream().into_iter().next(), Some(TokenTree::Ident(id)) if id == "doc");
    is_doc.then_some(group_at + 1)
}

/// Writes `contents` unless the file already holds exactly that, so mtimes (and cargo's
/// fingerprints) only move when something changed.
fn write_if_changed(path: &Path, contents: &[u8]) -> Result<()> {
    if std::fs::read(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, contents).with_context(|| format!("writing {}", path.display()))
}

/// Mirrors `src` into `dst` (files written only when changed; extra files removed).
fn sync_dir(src: &Path, dst: &Path) -> Result<()> {
    std::fs::create_dir_all(dst)?;
    let mut seen = BTreeSet::new();
    for entry in std::fs::read_dir(src).with_context(|| format!("reading {}", src.display()))? {
        let entry = entry?;
        let name = entry.file_name();
        if name == "target" || name.to_string_lossy().starts_with('.') {
            continue;
        }
        seen.insert(name.clone());
        let (from, to) = (entry.path(), dst.join(&name));
        if entry.file_type()?.is_dir() {
            sync_dir(&from, &to)?;
        } else {
            write_if_changed(&to, &std::fs::read(&from)?)?;
        }
    }
    for entry in std::fs::read_dir(dst)? {
        let entry = entry?;
        if !seen.contains(&entry.file_name()) {
            if entry.file_type()?.is_dir() {
                std::fs::remove_dir_all(entry.path())?;
            } else {
                std::fs::remove_file(entry.path())?;
            }
        }
    }
    Ok(())
}

/// The repository's root manifest with its `[workspace]` table's `members` replaced by the
/// scratch crates; everything else (dependency versions, lints, profiles) kept as is.
fn scratch_manifest(manifest: &str) -> String {
    let mut out = String::from(
        "# Generated by crates/shopify-queries/benches/build_speed.rs from the repository's Cargo.toml.\n",
    );
    let mut in_workspace = false;
    let mut skipping_array = false;
    for line in manifest.lines() {
        let trimmed = line.trim();
        if skipping_array {
            skipping_array = !trimmed.contains(']');
            continue;
        }
        if trimmed.starts_with('[') {
            in_workspace = trimmed == "[workspace]";
            out.push_str(line);
            out.push('\n');
            if in_workspace {
                out.push_str("members = [\"crates/*\"]\n");
            }
            continue;
        }
        let key = trimmed.split('=').next().unwrap_or_default().trim();
        if in_workspace && matches!(key, "members" | "exclude" | "default-members") {
            skipping_array = !trimmed.contains(']');
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The workspace crates `manifest` names (`shopify-*` dependency lines).
fn local_deps(manifest: &str) -> Vec<String> {
    manifest
        .lines()
        .filter_map(|line| {
            let name = line.split(['.', ' ', '=']).next()?.trim();
            (name.starts_with("shopify-") && name.len() > "shopify-".len()).then(|| name.to_owned())
        })
        .collect()
}

impl Paths {
    fn new() -> Result<Self> {
        let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let repo = manifest_dir
            .join("../..")
            .canonicalize()
            .context("repository root")?;
        let target_root = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => repo.join("target"),
        };
        let root = target_root.join("build-speed");
        let time = PathBuf::from("/usr/bin/time");
        let graphql = match std::env::var_os("BUILD_SPEED_GRAPHQL") {
            // cargo runs benches in the package's folder: a relative path is taken from
            // the repository root, where the command is typed.
            Some(dir) => repo
                .join(dir)
                .canonicalize()
                .context("BUILD_SPEED_GRAPHQL names no folder")?,
            None => repo.join("graphql"),
        };
        Ok(Self {
            graphql,
            repo,
            ws: root.join("ws"),
            target: root.join("target"),
            cargo: std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()),
            time: time.exists().then_some(time),
        })
    }

    /// Copies the schema, the root manifest and lock file, and the crates
    /// `shopify-queries` needs (transitively), so edits elsewhere in the repository during
    /// the run cannot leak into the timings.
    fn mirror_repository(&self) -> Result<()> {
        sync_dir(&self.repo.join("schema"), &self.ws.join("schema"))?;
        let manifest = std::fs::read_to_string(self.repo.join("Cargo.toml"))?;
        // The scratch workspace builds with the repository's profiles, whatever they are.
        let overrides: Vec<&str> = manifest
            .lines()
            .filter(|l| l.starts_with("[profile."))
            .collect();
        say(&format!(
            "profiles as in the repository: {}",
            overrides.join(" ")
        ));
        write_if_changed(
            &self.ws.join("Cargo.toml"),
            scratch_manifest(&manifest).as_bytes(),
        )?;
        // The repository's lock pins the same dependency versions; cargo adds graphql_client.
        if !self.ws.join("Cargo.lock").exists() {
            std::fs::copy(self.repo.join("Cargo.lock"), self.ws.join("Cargo.lock"))?;
        }
        let queries = std::fs::read_to_string(self.repo.join("crates/shopify-queries/Cargo.toml"))?;
        let mut wanted: Vec<String> = local_deps(&queries);
        let mut copied = BTreeSet::new();
        while let Some(name) = wanted.pop() {
            if name == "shopify-queries" || !copied.insert(name.clone()) {
                continue;
            }
            let src = self.repo.join("crates").join(&name);
            sync_dir(&src, &self.ws.join("crates").join(&name))?;
            wanted.extend(local_deps(&std::fs::read_to_string(
                src.join("Cargo.toml"),
            )?));
        }
        // Crates from an earlier run that are no longer needed.
        for entry in std::fs::read_dir(self.ws.join("crates"))? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            let ours = ["ours", "baseline", "ours-use", "baseline-use"];
            if !copied.contains(&name) && !ours.contains(&name.as_str()) {
                std::fs::remove_dir_all(self.ws.join("crates").join(&name))?;
            }
        }
        Ok(())
    }

    fn baseline_dir(&self) -> PathBuf {
        self.ws.join("crates/baseline")
    }

    fn query_path(&self, op: &Op) -> PathBuf {
        self.baseline_dir()
            .join("queries")
            .join(format!("{}.graphql", op.module))
    }

    fn edited_file(&self, side: Side, module: &str) -> PathBuf {
        match side {
            Side::Ours => self.ws.join("graphql").join(format!("{module}.graphql")),
            Side::Baseline => self
                .baseline_dir()
                .join("queries")
                .join(format!("{module}.graphql")),
        }
    }

    /// What `#[derive(GraphQLQuery)]` generates for `op` (the derive's options:
    /// `query_path`, the struct named after the operation, `response_derives = "Debug"`).
    fn baseline_tokens(&self, op: &Op) -> Result<TokenStream, String> {
        let mut options = GraphQLClientCodegenOptions::new(CodegenMode::Derive);
        let query_path = self.query_path(op);
        options.set_query_file(query_path.clone());
        options.set_operation_name(op.name.to_owned());
        options.set_struct_name(op.name.to_owned());
        options.set_struct_ident(proc_macro2::Ident::new(
            op.name,
            proc_macro2::Span::call_site(),
        ));
        options.set_response_derives("Debug".to_owned());
        let schema = self.ws.join("schema/admin.graphql");
        std::panic::catch_unwind(|| {
            graphql_client_codegen::generate_module_token_stream(query_path, &schema, options)
                .map_err(|e| e.to_string())
        })
        .unwrap_or_else(|_| Err("graphql_client_codegen panicked".to_owned()))
    }

    /// Splits the operations into those graphql_client builds and those it cannot, with
    /// the reason: first its codegen's own errors, then rustc's errors on the derive
    /// output, attributed to operations by the line of their derive.
    fn settle_operations(&self, all: &[Op]) -> Result<(Vec<Op>, Vec<Excluded>)> {
        let mut excluded: Vec<Excluded> = Vec::new();
        std::fs::create_dir_all(self.baseline_dir().join("queries"))?;
        let mut candidates = Vec::new();
        for op in all {
            write_if_changed(&self.query_path(op), op.query.as_bytes())?;
            match self.baseline_tokens(op) {
                Ok(_) => candidates.push(op.clone()),
                Err(e) => excluded.push((op.module.to_owned(), first_line(&e))),
            }
        }
        self.write_ours(&candidates)?;
        loop {
            let lines = self.write_baseline(&candidates)?;
            let errors = self.baseline_errors()?;
            if errors.is_empty() {
                break;
            }
            let mut failed: BTreeMap<String, String> = BTreeMap::new();
            let mut unplaced = Vec::new();
            for (line, message) in errors {
                match line.and_then(|l| lines.iter().find(|(_, range)| range.contains(&l))) {
                    Some((module, _)) => {
                        failed.entry(module.clone()).or_insert(message);
                    }
                    None => unplaced.push(message),
                }
            }
            if failed.is_empty() {
                bail!(
                    "the baseline does not build, for reasons not tied to one operation:\n{}",
                    unplaced.join("\n")
                );
            }
            candidates.retain(|op| !failed.contains_key(op.module));
            excluded.extend(failed.into_iter().map(|(m, e)| (m, format!("rustc: {e}"))));
        }
        excluded.sort();
        Ok((candidates, excluded))
    }

    /// `ours`: the real build script and lib.rs over a `graphql/` of the compared operations.
    fn write_ours(&self, ops: &[Op]) -> Result<()> {
        let dir = self.ws.join("crates/ours");
        let real = self.repo.join("crates/shopify-queries");
        write_if_changed(
            &dir.join("Cargo.toml"),
            br#"# Generated by crates/shopify-queries/benches/build_speed.rs.
[package]
name = "ours"
version = "0.0.0"
edition = "2024"
publish = false
build = "build.rs"

[dependencies]
shopify-client = { path = "../shopify-client" }

[build-dependencies]
shopify-codegen = { path = "../shopify-codegen" }
shopify-schema = { path = "../shopify-schema" }
"#,
        )?;
        write_if_changed(
            &dir.join("build.rs"),
            &std::fs::read(real.join("build.rs"))?,
        )?;
        write_if_changed(
            &dir.join("src/lib.rs"),
            &std::fs::read(real.join("src/lib.rs"))?,
        )?;
        let graphql = self.ws.join("graphql");
        let fragments = self.graphql.join("fragments");
        if fragments.is_dir() {
            sync_dir(&fragments, &graphql.join("fragments"))?;
        } else if graphql.join("fragments").is_dir() {
            std::fs::remove_dir_all(graphql.join("fragments"))?;
        }
        let keep: BTreeSet<String> = ops
            .iter()
            .map(|o| format!("{}.graphql", o.module))
            .collect();
        for op in ops {
            let source = std::fs::read(self.graphql.join(op.file))
                .with_context(|| format!("reading {}", op.file))?;
            write_if_changed(&graphql.join(format!("{}.graphql", op.module)), &source)?;
        }
        for entry in std::fs::read_dir(&graphql)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type()?.is_file() && !keep.contains(&name) {
                std::fs::remove_file(entry.path())?;
            }
        }
        Ok(())
    }

    /// `baseline`: one derive per operation. Returns each operation's line range in lib.rs.
    fn write_baseline(&self, ops: &[Op]) -> Result<Vec<(String, std::ops::RangeInclusive<usize>)>> {
        let dir = self.baseline_dir();
        write_if_changed(
            &dir.join("Cargo.toml"),
            br#"# Generated by crates/shopify-queries/benches/build_speed.rs.
[package]
name = "baseline"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
graphql_client = "0.16"
serde = { version = "1", features = ["derive"] }
serde_json = "1"
"#,
        )?;
        let mut lib = String::from(
            "//! graphql_client 0.16 baseline: one `#[derive(GraphQLQuery)]` per operation.\n\nuse graphql_client::GraphQLQuery;\n\n",
        );
        for (name, rust) in BASELINE_SCALARS {
            let _ = writeln!(lib, "pub type {name} = {rust};");
        }
        lib.push('\n');
        let mut lines = Vec::new();
        for op in ops {
            let start = lib.lines().count() + 1;
            let _ = write!(
                lib,
                "#[derive(GraphQLQuery)]\n#[graphql(\n    schema_path = \"../../schema/admin.graphql\",\n    query_path = \"queries/{}.graphql\",\n    response_derives = \"Debug\"\n)]\npub struct {};\n\n",
                op.module, op.name
            );
            lines.push((op.module.to_owned(), start..=lib.lines().count()));
        }
        write_if_changed(&dir.join("src/lib.rs"), lib.as_bytes())?;
        Ok(lines)
    }

    /// `ours-use` and `baseline-use`: decode a response and encode the variables of every
    /// operation, the way each library is used (ours: `FromJson`/`ToJson` on the parsed
    /// JSON; graphql_client: serde_json on the response bytes), so that the code of every
    /// decoder is generated somewhere on both sides.
    fn write_consumers(&self, ops: &[Op]) -> Result<()> {
        let mut ours = String::from(
            "//! Generated by build_speed.rs: decodes and encodes every operation's types.\n\nuse ours::codec::{DecodeError, FromJson, Path, ToJson, Value};\n\n",
        );
        let mut baseline = String::from(
            "//! Generated by build_speed.rs: decodes and encodes every operation's types.\n\n",
        );
        for op in ops {
            let m = op.module;
            let _ = writeln!(
                ours,
                "pub fn decode_{m}(v: &Value) -> Result<ours::{m}::ResponseData, DecodeError> {{\n    FromJson::from_json(v, Path::Root)\n}}\n\npub fn encode_{m}(v: &ours::{m}::Variables) -> Value {{\n    v.to_json()\n}}\n"
            );
            let _ = writeln!(
                baseline,
                "pub fn decode_{m}(body: &[u8]) -> serde_json::Result<graphql_client::Response<baseline::{m}::ResponseData>> {{\n    serde_json::from_slice(body)\n}}\n\npub fn encode_{m}(v: &baseline::{m}::Variables) -> serde_json::Result<Vec<u8>> {{\n    serde_json::to_vec(v)\n}}\n"
            );
        }
        for (name, deps, lib) in [
            ("ours-use", "ours = { path = \"../ours\" }\n", ours),
            (
                "baseline-use",
                "baseline = { path = \"../baseline\" }\ngraphql_client = \"0.16\"\nserde_json = \"1\"\n",
                baseline,
            ),
        ] {
            let dir = self.ws.join("crates").join(name);
            write_if_changed(
                &dir.join("Cargo.toml"),
                format!("# Generated by crates/shopify-queries/benches/build_speed.rs.\n[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n{deps}").as_bytes(),
            )?;
            write_if_changed(&dir.join("src/lib.rs"), lib.as_bytes())?;
        }
        Ok(())
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.cargo);
        command
            .args(args)
            .current_dir(&self.ws)
            .env("CARGO_TARGET_DIR", &self.target)
            .env_remove("CARGO_BUILD_TARGET_DIR")
            .env_remove("CARGO_MANIFEST_DIR")
            .env_remove("CARGO_PRIMARY_PACKAGE")
            .env_remove("OUT_DIR");
        command
    }

    fn cargo(&self, args: &[&str]) -> Result<()> {
        let output = self
            .command(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()?;
        if !output.status.success() {
            bail!(
                "cargo {} failed:\n{}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(())
    }

    /// `cargo build -p <package>`, then `clean -p` each of `clean` and a timed
    /// `cargo build -p <package>`.
    fn cold(&self, package: &str, clean: &[&str]) -> Result<Sample> {
        self.cargo_build(package, &[], false)?; // settle: only what is cleaned below is rebuilt
        for cleaned in clean {
            self.cargo(&["clean", "-p", cleaned])?;
        }
        self.cargo_build(package, clean, true)
    }

    /// A timed `cargo build -p <side>` after `edit` changed the operation `module`'s file;
    /// the file is restored and rebuilt (untimed) afterwards.
    fn rebuild_after_edit(
        &self,
        side: Side,
        module: &str,
        edit: impl Fn(&str) -> Option<String>,
    ) -> Result<Sample> {
        let file = self.edited_file(side, module);
        let original = std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        let edited = edit(&original).with_context(|| format!("cannot edit {}", file.display()))?;
        self.cargo_build(side.package(), &[], false)?; // settle
        std::fs::write(&file, edited)?;
        let sample = self.cargo_build(side.package(), &[side.package()], true);
        let stats = match side {
            Side::Ours => self
                .ours_out_dir()
                .ok()
                .and_then(|dir| std::fs::read_to_string(dir.join("codegen-stats.txt")).ok()),
            Side::Baseline => None,
        };
        std::fs::write(&file, &original)?;
        let sample = Sample { stats, ..sample? };
        self.cargo_build(side.package(), &[], false)?; // back to the unedited state
        Ok(sample)
    }

    /// `cargo build -p <package>`; when `timed`, measures wall time and peak memory and
    /// notes packages compiled beyond `expected`.
    fn cargo_build(&self, package: &str, expected: &[&str], timed: bool) -> Result<Sample> {
        let args = ["build", "-p", package];
        let peak_file = self.target.join(format!("peak-{package}.txt"));
        let mut command = match (&self.time, timed) {
            // `/usr/bin/time -f %M`: the largest resident set of the build's processes.
            (Some(time), true) => {
                let plain = self.command(&args);
                let mut wrapped = Command::new(time);
                wrapped
                    .args(["-f", "%M", "-o"])
                    .arg(&peak_file)
                    .arg(plain.get_program())
                    .args(plain.get_args())
                    .current_dir(&self.ws);
                for (key, value) in plain.get_envs() {
                    match value {
                        Some(v) => wrapped.env(key, v),
                        None => wrapped.env_remove(key),
                    };
                }
                wrapped
            }
            _ => self.command(&args),
        };
        std::fs::create_dir_all(&self.target)?;
        let started = Instant::now();
        let output = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()?;
        let wall = started.elapsed();
        if !output.status.success() {
            bail!(
                "cargo build -p {package} failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let others = String::from_utf8_lossy(&output.stderr)
            .lines()
            .filter_map(|line| line.trim().strip_prefix("Compiling "))
            .filter_map(|rest| rest.split_whitespace().next())
            .filter(|name| *name != package && !expected.contains(name))
            .map(str::to_owned)
            .collect();
        let peak_kib = if timed && self.time.is_some() {
            std::fs::read_to_string(&peak_file)
                .ok()
                .and_then(|t| t.lines().last()?.trim().parse().ok())
        } else {
            None
        };
        Ok(Sample {
            wall,
            peak_kib,
            others,
            stats: None,
        })
    }

    /// rustc's errors building the baseline: (line in src/lib.rs, message).
    fn baseline_errors(&self) -> Result<Vec<(Option<usize>, String)>> {
        let output = self
            .command(&["build", "-p", "baseline", "--message-format=json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()?;
        if output.status.success() {
            return Ok(Vec::new());
        }
        let mut errors = Vec::new();
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if message["reason"] != "compiler-message"
                || message["message"]["level"] != "error"
                || !message["package_id"]
                    .as_str()
                    .is_some_and(|id| id.contains("baseline"))
            {
                continue;
            }
            let diagnostic = &message["message"];
            let mut text = diagnostic["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let label = diagnostic["spans"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|span| span["is_primary"] == true)
                .find_map(|span| span["label"].as_str());
            if let Some(label) = label {
                text = format!("{text} ({label})");
            }
            if text.starts_with("aborting due to") || text.starts_with("could not compile") {
                continue;
            }
            let line = diagnostic["spans"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(lib_line);
            errors.push((line, text));
        }
        if errors.is_empty() {
            bail!(
                "the baseline does not build:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(errors)
    }

    /// The OUT_DIR of ours' build script, as cargo reports it.
    fn ours_out_dir(&self) -> Result<PathBuf> {
        let output = self
            .command(&["build", "-p", "ours", "--message-format=json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .output()?;
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let ours = message["package_id"]
                .as_str()
                .is_some_and(|id| id.contains("crates/ours"));
            if message["reason"] == "build-script-executed" && ours {
                if let Some(dir) = message["out_dir"].as_str() {
                    return Ok(PathBuf::from(dir));
                }
            }
        }
        bail!("cargo did not report ours' OUT_DIR")
    }
}

/// The line in the baseline's `src/lib.rs` a span (or the macro call it came from) is on.
fn lib_line(span: &serde_json::Value) -> Option<usize> {
    let mut span = span;
    loop {
        let file = span["file_name"].as_str().unwrap_or_default();
        if file.ends_with("baseline/src/lib.rs") {
            return span["line_start"].as_u64().map(|l| l as usize);
        }
        span = &span["expansion"]["span"];
        if span.is_null() {
            return None;
        }
    }
}

/// The operations compared: this repository's (as `shopify_queries::OPERATIONS` holds
/// them), or those of `BUILD_SPEED_GRAPHQL`, compiled here the way the build script does.
fn operations(paths: &Paths) -> Result<Vec<Op>> {
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    if paths.graphql == paths.repo.join("graphql") {
        return Ok(shopify_queries::OPERATIONS
            .iter()
            .map(|o| Op {
                name: o.name,
                module: o.module,
                file: o.file.strip_prefix("graphql/").unwrap_or(o.file),
                query: o.query,
            })
            .collect());
    }
    let dir = &paths.graphql;
    let root = dir.parent().unwrap_or(dir);
    let sources = shopify_codegen::Sources::discover(dir, root)
        .map_err(|e| anyhow::anyhow!("reading {}: {e}", dir.display()))?;
    let schema = shopify_schema::AdminSchema::load(&paths.repo.join("schema"))?;
    let compiled = shopify_codegen::compile(&schema, &sources)
        .map_err(|e| anyhow::anyhow!("{} does not compile:\n{e}", dir.display()))?;
    Ok(compiled
        .operations
        .into_iter()
        .filter(|o| !o.bulk)
        .map(|o| Op {
            name: leak(o.name),
            file: leak(format!("{}.graphql", o.module)),
            module: leak(o.module),
            query: leak(o.text),
        })
        .collect())
}

/// The new-field edit: `__typename` first in the root selection, or with `edit`
/// (`anchor+field`) `field` on a new line after the first line that is `anchor`.
fn add_field(text: &str, edit: Option<&str>) -> Option<String> {
    let Some(edit) = edit else {
        return add_typename(text);
    };
    let (anchor, field) = edit.split_once('+')?;
    let mut out = String::new();
    let mut done = false;
    for line in text.split_inclusive('\n') {
        out.push_str(line);
        if !done && line.trim() == anchor {
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push_str(&format!("{indent}{field}\n"));
            done = true;
        }
    }
    done.then_some(out)
}

/// Adds `__typename` to the operation's root selection set (the first `{` outside
/// parentheses, comments and strings): an edit that changes the generated types.
fn add_typename(text: &str) -> Option<String> {
    let mut depth = 0usize;
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '#' => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for (_, c) in chars.by_ref() {
                    match c {
                        '\\' if !escaped => escaped = true,
                        '"' if !escaped => break,
                        _ => escaped = false,
                    }
                }
            }
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            '{' if depth == 0 => {
                let at = i + 1;
                return Some(format!("{}\n  __typename{}", &text[..at], &text[at..]));
            }
            _ => {}
        }
    }
    None
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim().to_owned()
}
