//! Helpers the benchmark binaries (and the separate processes they start) share.

use shopify_queries::scalars::Gid;
use shopify_queries::{Error, location_inventory};

/// Whether the binary was started by `cargo bench` (which passes `--bench`). `cargo test
/// --benches` runs bench binaries without it: then there is nothing to measure, and this
/// says how to run `name` instead.
pub fn invoked_as_bench(name: &str) -> bool {
    let bench = std::env::args().any(|a| a == "--bench");
    if !bench {
        println!("{name}: run with `cargo bench --workspace --bench {name}`");
    }
    bench
}

/// A field of a `/proc/.../status` file in KiB, e.g. `VmRSS` (resident now) or `VmHWM`
/// (peak resident); 0 where there is no such file or field (not Linux).
pub fn status_kib(path: &str, field: &str) -> u64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| {
                    l.strip_prefix(field)
                        .is_some_and(|rest| rest.starts_with(':'))
                })
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// A short name for what a failed call ended in, for tallies: `http-503`,
/// `exhausted(graphql(THROTTLED))`, `timeout`, ….
pub fn error_label(error: &Error) -> String {
    match error {
        Error::Exhausted { last, .. } => format!("exhausted({})", error_label(last)),
        Error::AmbiguousWrite { last, .. } => format!("ambiguous-write({})", error_label(last)),
        Error::Graphql(errors) => format!(
            "graphql({})",
            errors
                .errors
                .iter()
                .filter_map(|e| e.code())
                .collect::<Vec<_>>()
                .join(",")
        ),
        Error::Http { status, .. } => format!("http-{status}"),
        Error::Timeout { .. } => "timeout".to_owned(),
        Error::Network { .. } => "network".to_owned(),
        Error::InvalidResponse { .. } => "invalid-response".to_owned(),
        Error::Auth(_) => "auth".to_owned(),
        Error::Decode { .. } => "decode".to_owned(),
        Error::ResponseTooLarge { .. } => "too-large".to_owned(),
        _ => "other".to_owned(),
    }
}

/// `location_inventory` of the demo shop's location: its first `first` stock levels.
pub fn demo_location(first: i32) -> location_inventory::Variables {
    location_inventory::Variables {
        location_id: Gid::new("Location", 1),
        first,
        after: None,
    }
}

/// The inventory items a `location_inventory` answer lists, in order.
pub fn stocked_items(data: location_inventory::ResponseData) -> Vec<Gid> {
    data.location
        .map(|l| {
            l.inventory_levels
                .nodes
                .into_iter()
                .map(|n| n.item.id)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_field_is_read_in_kib_and_a_missing_one_is_zero() {
        let dir = std::env::temp_dir().join(format!("status-kib-{}", std::process::id()));
        std::fs::write(
            &dir,
            "VmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\nVmRSSX:\t 9 kB\n",
        )
        .unwrap();
        let path = dir.to_str().unwrap();
        assert_eq!(status_kib(path, "VmRSS"), 1024);
        assert_eq!(status_kib(path, "VmHWM"), 2048);
        assert_eq!(status_kib(path, "VmSwap"), 0);
        assert_eq!(status_kib("/no/such/status", "VmRSS"), 0);
        std::fs::remove_file(&dir).unwrap();
    }
}
