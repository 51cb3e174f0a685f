//! The `shopify-admin` binary; see the library for the commands.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;

#[tokio::main]
async fn main() -> ExitCode {
    let subscriber = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, never into a file or pipe.
        .with_ansi(std::io::stderr().is_terminal())
        .finish();
    tracing::subscriber::set_global_default(subscriber.with(log_filter()))
        .unwrap_or_else(|e| eprintln!("warning: logging is off: {e}"));
    let cli = shopify_admin::Cli::parse();
    match shopify_admin::run(cli, &mut shopify_admin::Io::process()).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// `RUST_LOG` as a list of `target=level` directives and a default level (`warn`,
/// `shopify_client=debug,info`); `warn` when unset. A directive list that does not parse
/// is reported once and `warn` used: the full `EnvFilter` syntax (span fields, regexes)
/// is not supported, which keeps regex out of the build.
fn log_filter() -> Targets {
    let fallback = || Targets::new().with_default(LevelFilter::WARN);
    match std::env::var("RUST_LOG") {
        Ok(text) if !text.trim().is_empty() => text.parse().unwrap_or_else(|e| {
            eprintln!("warning: RUST_LOG={text:?} ignored ({e}); logging warnings only");
            fallback()
        }),
        _ => fallback(),
    }
}
