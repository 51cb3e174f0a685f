//! Fuzz benchmark: every fuzz target of issue 12 for a fixed, seeded number of cases.
//!
//! Run: `cargo bench --workspace --bench fuzz`. `FUZZ_CASES` (default 100 000, shared
//! among the targets by weight) and `FUZZ_SEED` (default 12) repeat or vary a run. The
//! last line is `fuzz: targets=… cases=… panics=… hangs=…`; a hang is one case over 1 s,
//! a panic is a panic or a broken property (see `tests/fuzz/targets.rs`). Goal: 0 and 0.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../fuzz/targets.rs"]
mod targets;

use std::time::Instant;

fn env_number(name: &str, default: u64) -> anyhow::Result<u64> {
    match std::env::var(name) {
        Ok(s) => Ok(s.parse()?),
        Err(_) => Ok(default),
    }
}

fn main() -> anyhow::Result<()> {
    if !shopify_e2e::bench::invoked_as_bench("fuzz") {
        return Ok(());
    }
    let total = env_number("FUZZ_CASES", 100_000)?;
    let seed = env_number("FUZZ_SEED", 12)?;
    let targets = targets::targets();
    let weights: u64 = targets.iter().map(|t| u64::from(t.weight)).sum();
    println!(
        "fuzz: {total} cases over {} targets, seed {seed}",
        targets.len()
    );
    let (mut cases, mut panics, mut hangs) = (0, 0, 0);
    let started = Instant::now();
    // Shares by cumulative weight, so they add up to `total` exactly (each share rounded
    // down on its own lost up to one case per target: 99 995 of 100 000).
    let mut weight_before = 0u64;
    for target in &targets {
        let share = |weight: u64| total * weight / weights;
        let n =
            u32::try_from(share(weight_before + u64::from(target.weight)) - share(weight_before))?;
        weight_before += u64::from(target.weight);
        let begun = Instant::now();
        let report = (target.run)(n, seed);
        assert_eq!(
            report.target, target.name,
            "a target reports under its own name"
        );
        println!(
            "fuzz: {:<18} cases={:<7} panics={} hangs={} slowest={:.1?} in {:.1?}",
            target.name,
            report.cases,
            report.panics,
            report.hangs,
            report.slowest,
            begun.elapsed()
        );
        if let Some(first) = &report.first_failure {
            println!("      first failure: {first}");
        }
        cases += report.cases;
        panics += report.panics;
        hangs += report.hangs;
    }
    println!("fuzz: total time {:.1?}", started.elapsed());
    println!(
        "fuzz: targets={} cases={cases} panics={panics} hangs={hangs}",
        targets.len()
    );
    Ok(())
}
