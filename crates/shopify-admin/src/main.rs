//! `shopify-admin`: the Shopify Admin API from the command line.
//!
//! With `SHOPIFY_SHOP`, `SHOPIFY_CLIENT_ID` and `SHOPIFY_CLIENT_SECRET` set (environment
//! or `.env`) it talks to that shop; with none set, commands that need a shop run
//! against the built-in demo shop (the emulator, started in-process on a loopback port).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod connect;
mod emulator;
mod products;

#[derive(Debug, Parser)]
#[command(
    name = "shopify-admin",
    version,
    about = "Shopify Admin API tools: typed queries, a local emulator, schema checks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the shop's first products (title, handle, id).
    Products(products::Args),
    /// Serve the Admin API emulator (the demo shop) for other programs until stopped.
    Emulator(emulator::Args),
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Products(args) => products::run(args).await,
        Command::Emulator(args) => emulator::run(args).await,
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
