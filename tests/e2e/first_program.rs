//! A user's first program (`tests/first_program/main.rs`: `Client::from_env()` and one
//! query), run as its own process in a directory holding the `.env` lines that
//! `shopify-admin emulator` prints, as the README tells a new user to do.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use clap::Parser;
use shopify_admin::{Cli, Env, Io, run};
use shopify_e2e::process::{run_without_shopify_env, text};

/// Serves the emulator as `shopify-admin emulator --port 0` does and returns the
/// `KEY=value` lines it prints for a `.env`, with the server task.
pub(crate) async fn served_emulator() -> (String, tokio::task::JoinHandle<()>) {
    let cli = Cli::try_parse_from(["shopify-admin", "emulator", "--port", "0"]).unwrap();
    let mut io = Io::captured(Env::empty());
    let output = io.output().unwrap();
    let server = tokio::spawn(async move {
        run(cli, &mut io).await.unwrap();
    });
    for _ in 0..200 {
        let printed = output.stdout();
        if printed.contains("SHOPIFY_BASE_URL=") {
            let env_lines: String = printed
                .lines()
                .filter(|l| l.starts_with("SHOPIFY_"))
                .map(|l| format!("{l}\n"))
                .collect();
            return (env_lines, server);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the emulator printed no .env lines: {}", output.stdout());
}

/// Runs the first program in `dir`, everything read from `dir/.env`.
async fn first_program_in(dir: &Path) -> Output {
    run_without_shopify_env(Path::new(env!("CARGO_BIN_EXE_first-program")), dir).await
}

#[tokio::test]
async fn the_first_program_reaches_the_served_emulator_through_the_env_file() {
    let (env_lines, server) = served_emulator().await;
    let dir = crate::tooling::tempdir();
    std::fs::write(dir.join(".env"), &env_lines).unwrap();

    let output = first_program_in(&dir).await;

    assert!(
        output.status.success(),
        "{}\n.env:\n{env_lines}",
        text(&output.stderr)
    );
    assert_eq!(text(&output.stdout), "Demo Shop (demo.myshopify.com)\n");
    server.abort();
}

#[tokio::test]
async fn the_first_program_fails_for_a_shop_the_emulator_does_not_serve() {
    let (env_lines, server) = served_emulator().await;
    let dir = crate::tooling::tempdir();
    let other = env_lines.replace("SHOPIFY_SHOP=demo\n", "SHOPIFY_SHOP=other-shop\n");
    assert_ne!(other, env_lines, "the emulator printed SHOPIFY_SHOP=demo");
    std::fs::write(dir.join(".env"), &other).unwrap();

    let output = first_program_in(&dir).await;

    let stderr = text(&output.stderr);
    assert!(
        !output.status.success(),
        "answered for another shop: {}",
        text(&output.stdout)
    );
    assert!(output.stdout.is_empty());
    assert!(stderr.contains("404"), "{stderr}");
    server.abort();
}
