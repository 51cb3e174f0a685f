//! A newcomer's first run: a fresh clone of the repository's `HEAD` into a scratch folder,
//! an empty target directory, no credentials, `cargo run -q -p shopify-admin -- products`
//! until the products print (the CLI falls back to the built-in demo shop).
//!
//! Crates already downloaded are reused from cargo's registry cache: the figure is build
//! and run time, not download time. Only committed work is measured (it is a clone).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The goal for the first run on 2 cores, seconds.
pub const GOAL_SECS: f64 = 100.0;

/// What one first run took.
#[derive(Debug)]
pub struct FirstRun {
    pub wall: Duration,
    /// User + system CPU time of the build and run, from `/usr/bin/time` when it exists:
    /// the total work, which shared or busy cores do not inflate as much as the wall time.
    pub cpu_secs: Option<f64>,
    /// Lines of products printed.
    pub products: usize,
}

/// Clones `repo` into `scratch/clone`, builds and runs with the target in
/// `scratch/target`, then removes `scratch`.
pub fn measure(repo: &Path, scratch: &Path, cargo: &str, time: Option<&Path>) -> Result<FirstRun> {
    if scratch.exists() {
        std::fs::remove_dir_all(scratch)
            .with_context(|| format!("removing {}", scratch.display()))?;
    }
    std::fs::create_dir_all(scratch)?;
    let clone = scratch.join("clone");
    let status = Command::new("git")
        .args(["clone", "--quiet", "--no-hardlinks"])
        .arg(repo)
        .arg(&clone)
        .status()
        .context("running git clone")?;
    if !status.success() {
        bail!("git clone {} failed", repo.display());
    }
    let result = run(&clone, &scratch.join("target"), cargo, time, scratch);
    // Several GB of build output: never leave it behind.
    let _ = std::fs::remove_dir_all(scratch);
    result
}

fn run(
    clone: &Path,
    target: &Path,
    cargo: &str,
    time: Option<&Path>,
    scratch: &Path,
) -> Result<FirstRun> {
    let times_file = scratch.join("time.txt");
    let args = ["run", "-q", "-p", "shopify-admin", "--", "products"];
    let mut command = match time {
        Some(time) => {
            let mut c = Command::new(time);
            c.args(["-f", "%U %S", "-o"])
                .arg(&times_file)
                .arg(cargo)
                .args(args);
            c
        }
        None => {
            let mut c = Command::new(cargo);
            c.args(args);
            c
        }
    };
    command
        .current_dir(clone)
        .env("CARGO_TARGET_DIR", target)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // A newcomer's shell: no credentials, no log settings, nothing of this cargo run. The
    // `RUSTUP_*` settings stay: without `RUSTUP_TOOLCHAIN` and `RUSTUP_AUTO_INSTALL` the
    // rustup proxy may sync (update) the toolchain in the middle of the measurement.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("SHOPIFY_")
            || key.starts_with("CARGO_")
            || (key.starts_with("RUST") && !key.starts_with("RUSTUP_"))
            || key == "OUT_DIR"
        {
            command.env_remove(key.as_ref());
        }
    }
    command.env("CARGO_TARGET_DIR", target);
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        command.env("CARGO_HOME", home);
    }
    if let Some(home) = std::env::var_os("RUSTUP_HOME") {
        command.env("RUSTUP_HOME", home);
    }
    let started = Instant::now();
    let output = command.output().context("running cargo run")?;
    let wall = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "cargo run -q -p shopify-admin -- products failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let products = stdout.lines().filter(|l| !l.trim().is_empty()).count();
    if products == 0 {
        bail!("shopify-admin products printed nothing");
    }
    let cpu_secs = std::fs::read_to_string(&times_file).ok().and_then(|text| {
        let mut parts = text.lines().last()?.split_whitespace();
        let user: f64 = parts.next()?.parse().ok()?;
        let system: f64 = parts.next()?.parse().ok()?;
        Some(user + system)
    });
    Ok(FirstRun {
        wall,
        cpu_secs,
        products,
    })
}

/// The line the bench prints.
pub fn report(run: &FirstRun) -> String {
    let secs = run.wall.as_secs_f64();
    let verdict = if secs <= GOAL_SECS { "met" } else { "NOT met" };
    let cpu = match run.cpu_secs {
        Some(cpu) => format!(", cpu {cpu:.1}s user+sys"),
        None => String::new(),
    };
    format!(
        "first-run: {secs:.1}s (goal <= {GOAL_SECS:.0}s on 2 cores: {verdict}) [fresh clone of HEAD, empty target dir, no credentials, `cargo run -q -p shopify-admin -- products`, {} lines printed{cpu}]",
        run.products
    )
}

/// Where the scratch clone goes: beside the bench's scratch workspace.
pub fn scratch_dir(build_speed_root: &Path) -> PathBuf {
    build_speed_root.join("first-run")
}
