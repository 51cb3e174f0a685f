//! `shopify-admin` commands, run in-process with a controlled environment (the binary
//! is a thin wrapper over the same `run`), against the emulator.

use clap::Parser;
use shopify_admin::{Cli, Env, Io, run};
use shopify_emulator::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Emulator};

async fn shopify_admin(args: &[&str], env: Env) -> (anyhow::Result<std::process::ExitCode>, Io) {
    let cli =
        Cli::try_parse_from(std::iter::once("shopify-admin").chain(args.iter().copied())).unwrap();
    let mut io = Io::captured(env);
    let result = run(cli, &mut io).await;
    (result, io)
}

/// The emulator's port changes per run; snapshots show a stable placeholder.
fn stable(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = match line.find("http://127.0.0.1:") {
            Some(at) => {
                let rest = &line[at + "http://127.0.0.1:".len()..];
                let port_len = rest.chars().take_while(char::is_ascii_digit).count();
                format!("{}http://127.0.0.1:PORT{}", &line[..at], &rest[port_len..])
            }
            None => line.to_owned(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[tokio::test]
async fn products_without_credentials_uses_the_built_in_demo_shop() {
    let (result, io) = shopify_admin(&["products", "--first", "3"], Env::empty()).await;
    assert!(result.is_ok(), "{result:?}\n{}", io.stderr_text());
    insta::assert_snapshot!("products_demo_stdout", io.stdout_text());
    insta::assert_snapshot!("products_demo_stderr", stable(&io.stderr_text()));
}

#[tokio::test]
async fn products_with_credentials_talks_to_that_shop() {
    // A shop of our own: the emulator stands in for https://demo.myshopify.com.
    let emulator = Emulator::builder().start().await.unwrap();
    let env = Env::from_pairs([
        ("SHOPIFY_SHOP", "demo"),
        ("SHOPIFY_CLIENT_ID", DEMO_CLIENT_ID),
        ("SHOPIFY_CLIENT_SECRET", DEMO_CLIENT_SECRET),
        ("SHOPIFY_BASE_URL", emulator.url().as_str()),
    ]);
    let (result, io) = shopify_admin(&["products", "--first", "2", "--json"], env).await;
    assert!(result.is_ok(), "{result:?}");
    assert!(
        !io.stderr_text().contains("demo shop"),
        "no fallback when configured"
    );
    insta::assert_snapshot!("products_json", io.stdout_text());
    // It went through the token exchange, then the GraphQL endpoint.
    let paths: Vec<String> = emulator.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/admin/oauth/access_token",
            "/admin/api/2026-10/graphql.json"
        ]
    );
}

#[tokio::test]
async fn partial_credentials_fail_naming_the_missing_ones() {
    let env = Env::from_pairs([("SHOPIFY_SHOP", "my-store")]);
    let (result, io) = shopify_admin(&["products"], env).await;
    let error = format!("{:#}", result.unwrap_err());
    assert_eq!(
        error,
        "missing SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET: set them in the environment or in a .env file in the current directory (see README)"
    );
    assert!(io.stdout_text().is_empty());
    assert!(
        !io.stderr_text().contains("demo shop"),
        "no silent fallback"
    );
}

#[tokio::test]
async fn a_shop_that_is_not_a_myshopify_domain_is_refused() {
    let env = Env::from_pairs([
        ("SHOPIFY_SHOP", "https://evil.example.com"),
        ("SHOPIFY_CLIENT_ID", "id"),
        ("SHOPIFY_CLIENT_SECRET", "secret"),
    ]);
    let (result, _) = shopify_admin(&["products"], env).await;
    let error = format!("{:#}", result.unwrap_err());
    assert!(
        error.contains("only `*.myshopify.com` domains are accepted"),
        "{error}"
    );
}
