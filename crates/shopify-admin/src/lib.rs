//! `shopify-admin`: the Shopify Admin API from the command line.
//!
//! The binary is a thin wrapper over [`run`], which takes its environment and output
//! streams as arguments so tests can run every command in-process.
//!
//! With `SHOPIFY_SHOP`, `SHOPIFY_CLIENT_ID` and `SHOPIFY_CLIENT_SECRET` set (environment
//! or `.env`) commands talk to that shop; with none set, commands that need a shop run
//! against the built-in demo shop (the emulator, started in-process on a loopback port).
//!
//! ```no_run
//! use clap::Parser;
//!
//! # async fn demo() -> anyhow::Result<()> {
//! let cli = shopify_admin::Cli::parse_from(["shopify-admin", "products", "--first", "3"]);
//! let mut io = shopify_admin::Io::captured(shopify_admin::Env::empty());
//! shopify_admin::run(cli, &mut io).await?;
//! print!("{}", io.stdout_text());
//! # Ok(())
//! # }
//! ```

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod check;
mod connect;
mod emulator;
mod export;
mod import;
mod products;
mod schema_cmd;
mod schema_source;
mod scopes;
mod upgrade;

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "shopify-admin",
    version,
    about = "Shopify Admin API tools: typed queries, a local emulator, schema checks"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the shop's first products (title, handle, id).
    Products(products::Args),
    /// Run a bulk query and write its JSONL, as Shopify sent it, to a file.
    Export(export::Args),
    /// Run a bulk mutation, one call per line of a JSONL file of variables.
    Import(import::Args),
    /// Serve the Admin API emulator (the demo shop) for other programs until stopped.
    Emulator(emulator::Args),
    /// Print the access scopes the operations in graphql/ need.
    Scopes(scopes::Args),
    /// Validate .graphql files against the schema (as the build does), with cost and scopes.
    Check(check::Args),
    /// Report what moving graphql/ to another Admin API version breaks or changes.
    CheckUpgrade(upgrade::Args),
    /// Schema tooling.
    #[command(subcommand)]
    Schema(schema_cmd::Command),
}

/// Looks up one variable.
type Lookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Where configuration comes from: environment variables and a `.env` file.
pub struct Env {
    lookup: Lookup,
    dotenv: Option<PathBuf>,
}

impl std::fmt::Debug for Env {
    // Values may be secrets: show only where they come from.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env")
            .field("dotenv", &self.dotenv)
            .finish_non_exhaustive()
    }
}

impl Env {
    /// The process environment and `./.env`.
    pub fn process() -> Self {
        Self {
            lookup: Box::new(|name| std::env::var(name).ok()),
            dotenv: Some(PathBuf::from(".env")),
        }
    }

    /// No variables and no `.env`.
    pub fn empty() -> Self {
        Self::from_pairs(std::iter::empty::<(String, String)>())
    }

    /// Exactly these variables, no `.env`.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let map: std::collections::HashMap<String, String> = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Self {
            lookup: Box::new(move |name| map.get(name).cloned()),
            dotenv: None,
        }
    }

    /// A variable from the environment only (not `.env`): tool settings.
    pub(crate) fn lookup(&self, name: &str) -> Option<String> {
        (self.lookup)(name).filter(|v| !v.trim().is_empty())
    }

    /// An optional setting from the environment, else `.env`.
    pub(crate) fn var(&self, name: &str) -> Result<Option<String>, shopify_auth::CredentialsError> {
        shopify_auth::var_from_lookup(name, &self.lookup, self.dotenv.as_deref())
    }

    pub(crate) fn base_url(&self) -> Result<Option<url::Url>, shopify_auth::CredentialsError> {
        shopify_auth::base_url_from_lookup(&self.lookup, self.dotenv.as_deref())
    }

    pub(crate) fn credentials(
        &self,
    ) -> Result<Option<shopify_auth::Credentials>, shopify_auth::CredentialsError> {
        shopify_auth::Credentials::from_lookup_optional(&self.lookup, self.dotenv.as_deref())
    }
}

/// Captured stdout and stderr of a run (see [`Io::output`]).
#[derive(Clone)]
pub struct Output(SharedBuffer, SharedBuffer);

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Output").finish_non_exhaustive()
    }
}

impl Output {
    /// stdout so far.
    pub fn stdout(&self) -> String {
        self.0.text()
    }

    /// stderr so far.
    pub fn stderr(&self) -> String {
        self.1.text()
    }
}

/// The environment and output streams of one run.
pub struct Io {
    env: Env,
    stdout: Box<dyn Write + Send>,
    stderr: Box<dyn Write + Send>,
    captured: Option<(SharedBuffer, SharedBuffer)>,
}

impl std::fmt::Debug for Io {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Io")
            .field("env", &self.env)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Default)]
struct SharedBuffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl SharedBuffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(
            &self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
        .into_owned()
    }
}

impl Io {
    /// The process's environment, stdout and stderr.
    pub fn process() -> Self {
        Self {
            env: Env::process(),
            stdout: Box::new(std::io::stdout()),
            stderr: Box::new(std::io::stderr()),
            captured: None,
        }
    }

    /// `env`, with stdout and stderr kept in memory (see [`Io::stdout_text`]).
    pub fn captured(env: Env) -> Self {
        let out = SharedBuffer::default();
        let err = SharedBuffer::default();
        Self {
            env,
            stdout: Box::new(out.clone()),
            stderr: Box::new(err.clone()),
            captured: Some((out, err)),
        }
    }

    /// A handle on the captured output that stays readable while a command runs (e.g.
    /// `emulator`, which serves until stopped).
    pub fn output(&self) -> Option<Output> {
        self.captured
            .as_ref()
            .map(|(out, err)| Output(out.clone(), err.clone()))
    }

    /// Whether output is captured (tests), so never a terminal.
    pub(crate) fn is_captured(&self) -> bool {
        self.captured.is_some()
    }

    /// What was written to stdout, when captured.
    pub fn stdout_text(&self) -> String {
        self.captured
            .as_ref()
            .map(|(out, _)| out.text())
            .unwrap_or_default()
    }

    /// What was written to stderr, when captured.
    pub fn stderr_text(&self) -> String {
        self.captured
            .as_ref()
            .map(|(_, err)| err.text())
            .unwrap_or_default()
    }
}

/// Runs one command. Errors are returned, not printed.
pub async fn run(cli: Cli, io: &mut Io) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Products(args) => products::run(args, io).await,
        Command::Emulator(args) => emulator::run(args, io).await,
        Command::Export(args) => export::run(args, io).await,
        Command::Import(args) => import::run(args, io).await,
        Command::Scopes(args) => scopes::run(args, io),
        Command::Check(args) => check::run(args, io),
        Command::CheckUpgrade(args) => upgrade::run(args, io),
        Command::Schema(command) => schema_cmd::run(command, io).await,
    }
}
