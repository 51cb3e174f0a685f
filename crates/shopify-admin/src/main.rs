//! The `shopify-admin` binary; see the library for the commands.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, never into a file or pipe.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = shopify_admin::Cli::parse();
    match shopify_admin::run(cli, &mut shopify_admin::Io::process()).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
