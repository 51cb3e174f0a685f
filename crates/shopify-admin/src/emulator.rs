//! `shopify-admin emulator`: serve the demo shop for programs in any language.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use anyhow::Context;
use shopify_emulator::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SHOP, Emulator};

use crate::connect::BASE_URL_VAR;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on. Loopback by default: the emulator has no real security.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let addr = SocketAddr::new(args.host, args.port);
    let emulator = Emulator::builder()
        .bind(addr)
        .start()
        .await
        .with_context(|| format!("starting the emulator on {addr}"))?;
    let url = emulator.url();
    println!("# Shopify Admin API emulator serving the demo shop at {url}");
    println!(
        "# GraphQL: POST {url}admin/api/{}/graphql.json   token: POST {url}admin/oauth/access_token",
        shopify_queries::API_VERSION
    );
    println!("# Paste into a .env (send requests to {url} instead of https://demo.myshopify.com):");
    println!("SHOPIFY_SHOP={DEMO_SHOP}");
    println!("SHOPIFY_CLIENT_ID={DEMO_CLIENT_ID}");
    println!("SHOPIFY_CLIENT_SECRET={DEMO_CLIENT_SECRET}");
    println!("{BASE_URL_VAR}={}", url.as_str().trim_end_matches('/'));
    eprintln!("Press Ctrl-C to stop.");
    tokio::select! {
        () = emulator.wait() => {}
        signal = tokio::signal::ctrl_c() => {
            signal.context("waiting for Ctrl-C")?;
            eprintln!("Stopped.");
        }
    }
    Ok(ExitCode::SUCCESS)
}
