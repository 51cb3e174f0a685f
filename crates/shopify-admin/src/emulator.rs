//! `shopify-admin emulator`: serve the demo shop for programs in any language.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use anyhow::Context;
use shopify_emulator::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SHOP, Emulator};

use crate::Io;
use crate::connect::BASE_URL_VAR;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on. Loopback by default: the emulator has no real security.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// Adds N deterministic synthetic products (3 variants each) to the demo shop, for
    /// exports and pagination of real size.
    #[arg(long, default_value_t = 0)]
    products: usize,
    /// The rate-limit bucket of every app and shop: SIZE points, RATE restored per second
    /// (e.g. 100/50; default: Shopify's Standard plan).
    #[arg(long, value_name = "SIZE/RATE", value_parser = parse_bucket)]
    bucket: Option<(u64, u64)>,
}

fn parse_bucket(text: &str) -> Result<(u64, u64), String> {
    let bad = || format!("`{text}` is not SIZE/RATE in points, e.g. 100/50");
    let (size, rate) = text.split_once('/').ok_or_else(bad)?;
    let size: u64 = size.trim().parse().map_err(|_| bad())?;
    let rate: u64 = rate.trim().parse().map_err(|_| bad())?;
    if size == 0 || rate == 0 {
        return Err(format!("`{text}`: size and rate must be above 0"));
    }
    Ok((size, rate))
}

pub async fn run(args: Args, io: &mut Io) -> anyhow::Result<ExitCode> {
    let addr = SocketAddr::new(args.host, args.port);
    let mut builder = Emulator::builder().bind(addr).extra_products(args.products);
    if let Some((size, rate)) = args.bucket {
        builder = builder.bucket(size, rate);
    }
    let emulator = builder
        .start()
        .await
        .with_context(|| format!("starting the emulator on {addr}"))?;
    let url = emulator.url();
    let base = url.as_str().trim_end_matches('/');
    let version = shopify_queries::API_VERSION;
    let out = &mut io.stdout;
    writeln!(
        out,
        "# Shopify Admin API emulator serving the demo shop at {base}"
    )?;
    writeln!(
        out,
        "# GraphQL: POST {base}/admin/api/{version}/graphql.json (token: POST {base}/admin/oauth/access_token)"
    )?;
    writeln!(
        out,
        "# Counters (requests, throttled, token_requests, points_charged): GET {base}/_emulator/stats"
    )?;
    writeln!(
        out,
        "# Paste into a .env; send requests to {base} instead of https://demo.myshopify.com:"
    )?;
    writeln!(out, "SHOPIFY_SHOP={DEMO_SHOP}")?;
    writeln!(out, "SHOPIFY_CLIENT_ID={DEMO_CLIENT_ID}")?;
    writeln!(out, "SHOPIFY_CLIENT_SECRET={DEMO_CLIENT_SECRET}")?;
    writeln!(out, "{BASE_URL_VAR}={base}")?;
    out.flush()?;
    writeln!(io.stderr, "Press Ctrl-C to stop.")?;
    tokio::select! {
        () = emulator.wait() => {}
        signal = tokio::signal::ctrl_c() => {
            signal.context("waiting for Ctrl-C")?;
            writeln!(io.stderr, "Stopped.")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
