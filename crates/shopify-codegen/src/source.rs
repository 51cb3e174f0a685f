//! Finding and reading `.graphql` files.

use std::path::{Path, PathBuf};

use crate::{Diagnostic, Diagnostics};

/// One `.graphql` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Where it is on disk.
    pub path: PathBuf,
    /// How diagnostics name it, e.g. `graphql/products.graphql`.
    pub display: String,
    /// Its text.
    pub text: String,
}

/// The operation files and fragment files of a project, in a stable order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    /// Files outside `fragments/`: one operation each.
    pub operations: Vec<SourceFile>,
    /// Files under `fragments/`: named fragments only.
    pub fragments: Vec<SourceFile>,
    /// Every directory walked, so a build can rerun when a file is added or removed.
    pub directories: Vec<PathBuf>,
}

impl Sources {
    /// Sources from `(path, text)` pairs, for tools and tests that hold the text already:
    /// a file in a `fragments` folder is a fragment file, any other an operation file.
    ///
    /// ```
    /// let sources = shopify_codegen::Sources::from_texts(&[
    ///     ("graphql/shop_name.graphql", "query ShopName { shop { ...Bits } }"),
    ///     ("graphql/fragments/bits.graphql", "fragment Bits on Shop { name }"),
    /// ]);
    /// assert_eq!((sources.operations.len(), sources.fragments.len()), (1, 1));
    /// ```
    pub fn from_texts(files: &[(&str, &str)]) -> Self {
        let mut sources = Sources::default();
        for (path, text) in files {
            let file = SourceFile {
                path: PathBuf::from(path),
                display: (*path).to_owned(),
                text: (*text).to_owned(),
            };
            if file.path.components().any(|c| c.as_os_str() == "fragments") {
                sources.fragments.push(file);
            } else {
                sources.operations.push(file);
            }
        }
        sources
    }

    /// Reads every `**/*.graphql` under `dir`, sorted by path. Files under
    /// `dir/fragments/` are fragment files. Paths in diagnostics are shown relative to
    /// `display_root`.
    pub fn discover(dir: &Path, display_root: &Path) -> Result<Self, Diagnostics> {
        let mut files = Vec::new();
        let mut directories = Vec::new();
        walk(dir, &mut files, &mut directories).map_err(|(path, e)| {
            Diagnostics(vec![Diagnostic::error(
                &display(&path, display_root),
                0,
                0,
                format!("cannot read: {e}"),
            )])
        })?;
        files.sort();
        directories.sort();
        let fragments_dir = dir.join("fragments");
        let mut sources = Sources {
            directories,
            ..Sources::default()
        };
        let mut errors = Vec::new();
        for path in files {
            let shown = display(&path, display_root);
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    let file = SourceFile {
                        path: path.clone(),
                        display: shown,
                        text,
                    };
                    if path.starts_with(&fragments_dir) {
                        sources.fragments.push(file);
                    } else {
                        sources.operations.push(file);
                    }
                }
                Err(e) => errors.push(Diagnostic::error(&shown, 0, 0, format!("cannot read: {e}"))),
            }
        }
        if errors.is_empty() {
            Ok(sources)
        } else {
            Err(Diagnostics(errors))
        }
    }

    /// Every file read, for `cargo:rerun-if-changed`.
    pub fn files(&self) -> impl Iterator<Item = &SourceFile> {
        self.operations.iter().chain(&self.fragments)
    }
}

type WalkError = (PathBuf, std::io::Error);

fn walk(dir: &Path, files: &mut Vec<PathBuf>, dirs: &mut Vec<PathBuf>) -> Result<(), WalkError> {
    dirs.push(dir.to_path_buf());
    let entries = std::fs::read_dir(dir).map_err(|e| (dir.to_path_buf(), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| (dir.to_path_buf(), e))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| (path.clone(), e))?;
        if kind.is_dir() {
            walk(&path, files, dirs)?;
        } else if path.extension().is_some_and(|ext| ext == "graphql") {
            files.push(path);
        }
    }
    Ok(())
}

fn display(path: &Path, root: &Path) -> String {
    let shown = path.strip_prefix(root).unwrap_or(path);
    // Forward slashes on every platform keep diagnostics and snapshots identical.
    shown
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
