//! Running the programs under test as separate processes.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `program` in `dir` with no `SHOPIFY_*` variable in its environment, so what it
/// reads comes from `dir/.env`; on a blocking thread, so the test's runtime (and an
/// emulator served on it) keeps running.
pub async fn run_without_shopify_env(program: &Path, dir: &Path) -> Output {
    let (program, dir) = (program.to_owned(), dir.to_owned());
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(program);
        command.current_dir(&dir);
        for (name, _) in std::env::vars() {
            if name.starts_with("SHOPIFY_") {
                command.env_remove(name);
            }
        }
        command.output().expect("the program starts")
    })
    .await
    .expect("the program's thread ends")
}

/// A program's output as text (invalid UTF-8 replaced).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
