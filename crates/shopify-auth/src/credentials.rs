//! The app's client credentials, read from the environment or a `.env` file.

use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::SecretString;

use crate::shop_domain::{ShopDomain, ShopDomainError};
use crate::token::Redacted;

/// Names the shop domain variable.
pub const SHOP_VAR: &str = "SHOPIFY_SHOP";
/// Names the app's client id variable.
pub const CLIENT_ID_VAR: &str = "SHOPIFY_CLIENT_ID";
/// Names the app's client secret variable.
pub const CLIENT_SECRET_VAR: &str = "SHOPIFY_CLIENT_SECRET";

/// Names the optional variable that sends every request (token exchange included)
/// to another origin, e.g. an emulator served by `shopify-admin emulator`.
pub const BASE_URL_VAR: &str = "SHOPIFY_BASE_URL";

const VARS: [&str; 3] = [SHOP_VAR, CLIENT_ID_VAR, CLIENT_SECRET_VAR];

/// `SHOPIFY_BASE_URL` from the process environment, else from `./.env`; `None` when
/// unset or empty. Read apart from [`Credentials`] because it is optional and not a
/// credential: a client built with [`Credentials::from_env`] and this origin talks to
/// the emulator the `.env` lines of `shopify-admin emulator` describe.
pub fn base_url_from_env() -> Result<Option<url::Url>, CredentialsError> {
    base_url_from_lookup(env_var, Some(Path::new(".env")))
}

/// [`base_url_from_env`] with the environment replaced by `lookup` and `.env` by
/// `dotenv_path` (`None`: no file).
pub fn base_url_from_lookup(
    lookup: impl Fn(&str) -> Option<String>,
    dotenv_path: Option<&Path>,
) -> Result<Option<url::Url>, CredentialsError> {
    let value = var_from_lookup(BASE_URL_VAR, lookup, dotenv_path)?;
    let Some(value) = value else { return Ok(None) };
    match url::Url::parse(&value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => Ok(Some(url)),
        _ => Err(CredentialsError::InvalidBaseUrl { value }),
    }
}

/// An optional setting such as `SHOPIFY_REDIS_URL`: from the process environment, else
/// from `./.env`; `None` when unset or empty.
pub fn var_from_env(name: &str) -> Result<Option<String>, CredentialsError> {
    var_from_lookup(name, env_var, Some(Path::new(".env")))
}

/// [`var_from_env`] with the environment replaced by `lookup` and `.env` by `dotenv_path`
/// (`None`: no file). The environment wins; in `.env` the last definition wins, as in a shell.
pub fn var_from_lookup(
    name: &str,
    lookup: impl Fn(&str) -> Option<String>,
    dotenv_path: Option<&Path>,
) -> Result<Option<String>, CredentialsError> {
    if let Some(value) = non_empty(lookup(name)) {
        return Ok(Some(value));
    }
    let Some(path) = dotenv_path else {
        return Ok(None);
    };
    Ok(non_empty(
        read_dotenv(path)?
            .into_iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, v)| v),
    ))
}

/// What the client-credentials grant needs: which shop, and the app's id and
/// secret from the Dev Dashboard.
///
/// `Debug` shows the shop and client id (neither is secret) and prints the
/// secret as `[redacted]`.
#[derive(Clone)]
pub struct Credentials {
    /// The shop to get tokens for.
    pub shop: ShopDomain,
    /// The app's client id (public).
    pub client_id: String,
    /// The app's client secret.
    pub client_secret: SecretString,
}

impl Credentials {
    /// Credentials from values at hand.
    pub fn new(
        shop: ShopDomain,
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
    ) -> Self {
        Self {
            shop,
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        }
    }

    /// Reads `SHOPIFY_SHOP`, `SHOPIFY_CLIENT_ID` and `SHOPIFY_CLIENT_SECRET`
    /// from the process environment, falling back to `./.env` for any that
    /// are unset; the environment wins. The process environment is never
    /// changed.
    ///
    /// Surrounding whitespace is ignored and an empty value counts as unset.
    pub fn from_env() -> Result<Self, CredentialsError> {
        Self::from_lookup(env_var, Some(Path::new(".env")))
    }

    /// Like [`from_env`](Self::from_env), but `Ok(None)` when none of the
    /// three variables is set anywhere, so a caller can fall back to
    /// something else (e.g. a local emulator). Setting only some of them is
    /// still an error.
    pub fn from_env_optional() -> Result<Option<Self>, CredentialsError> {
        Self::from_lookup_optional(env_var, Some(Path::new(".env")))
    }

    /// [`from_env`](Self::from_env) with the environment replaced by `lookup`
    /// and `.env` by `dotenv_path` (`None`: no file); for tests and callers
    /// with their own configuration.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        dotenv_path: Option<&Path>,
    ) -> Result<Self, CredentialsError> {
        Self::from_lookup_optional(lookup, dotenv_path)?.ok_or_else(|| CredentialsError::Missing {
            missing: VARS.to_vec(),
        })
    }

    /// [`from_env_optional`](Self::from_env_optional) with the environment
    /// replaced by `lookup` and `.env` by `dotenv_path`.
    pub fn from_lookup_optional(
        lookup: impl Fn(&str) -> Option<String>,
        dotenv_path: Option<&Path>,
    ) -> Result<Option<Self>, CredentialsError> {
        let mut values: [Option<String>; 3] = VARS.map(|name| non_empty(lookup(name)));
        // Only read the file when needed: a broken .env must not matter when
        // the environment already has everything.
        if values.iter().any(Option::is_none) {
            if let Some(path) = dotenv_path {
                let file = read_dotenv(path)?;
                for (value, name) in values.iter_mut().zip(VARS) {
                    if value.is_none() {
                        *value = non_empty(
                            file.iter()
                                .rev() // the last definition wins, as in a shell
                                .find(|(key, _)| key == name)
                                .map(|(_, v)| v.clone()),
                        );
                    }
                }
            }
        }
        let [shop, client_id, client_secret] = values;
        match (shop, client_id, client_secret) {
            (Some(shop), Some(client_id), Some(client_secret)) => {
                let shop = ShopDomain::parse(&shop).map_err(CredentialsError::InvalidShop)?;
                Ok(Some(Self::new(shop, client_id, client_secret)))
            }
            (None, None, None) => Ok(None),
            (shop, client_id, client_secret) => {
                let missing = [shop.is_none(), client_id.is_none(), client_secret.is_none()]
                    .into_iter()
                    .zip(VARS)
                    .filter_map(|(is_missing, name)| is_missing.then_some(name))
                    .collect();
                Err(CredentialsError::Missing { missing })
            }
        }
    }
}

// Lists only the fields that are safe to print; the secret shows as [redacted].
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("shop", &self.shop)
            .field("client_id", &self.client_id)
            .field("client_secret", &Redacted)
            .finish()
    }
}

/// Why credentials could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// One or more variables are unset or empty in both the environment and
    /// `.env`.
    #[error(
        "missing {}: set {} in the environment or in a .env file in the current directory (see README)",
        list(missing),
        if missing.len() == 1 { "it" } else { "them" }
    )]
    Missing {
        /// The names of every missing variable.
        missing: Vec<&'static str>,
    },
    /// `SHOPIFY_SHOP` is set but is not a shop domain.
    #[error("SHOPIFY_SHOP is not a valid shop domain")]
    InvalidShop(#[source] ShopDomainError),
    /// `SHOPIFY_BASE_URL` is set but is not an `http://` or `https://` URL.
    #[error("SHOPIFY_BASE_URL={value} is not an http(s) URL (e.g. http://127.0.0.1:8080)")]
    InvalidBaseUrl {
        /// The value as set (an origin, not a secret).
        value: String,
    },
    /// The `.env` file exists but could not be read or parsed.
    #[error("could not read {}: {reason}; fix or remove the file", path.display())]
    DotEnv {
        /// The file.
        path: PathBuf,
        /// What went wrong. Never quotes the file's content, which may hold
        /// the secret.
        reason: String,
    },
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// `a`, `a and b`, `a, b and c`.
fn list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The largest `.env` read (1 MiB).
const MAX_DOTENV_BYTES: u64 = 1024 * 1024;

/// All entries of a `.env` file, or none if there is no such file.
fn read_dotenv(path: &Path) -> Result<Vec<(String, String)>, CredentialsError> {
    let fail = |reason: String| CredentialsError::DotEnv {
        path: path.to_owned(),
        reason,
    };
    // A few settings: anything larger was not meant as one, and reading it took seconds
    // (a FIFO would block forever).
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() && meta.len() > MAX_DOTENV_BYTES => {
            return Err(fail(format!(
                "it is {} bytes, over the {MAX_DOTENV_BYTES} a file of settings needs",
                meta.len()
            )));
        }
        Ok(meta) if !meta.is_file() => return Err(fail("it is not a regular file".to_owned())),
        _ => {}
    }
    let iter = match dotenvy::from_path_iter(path) {
        Ok(iter) => iter,
        Err(err) if err.not_found() => return Ok(Vec::new()),
        Err(err) => return Err(fail(describe_dotenv_error(&err))),
    };
    let mut entries = Vec::new();
    for (index, item) in iter.enumerate() {
        match item {
            Ok(entry) => entries.push(entry),
            Err(err) => {
                return Err(fail(format!(
                    "{} in entry {}",
                    describe_dotenv_error(&err),
                    index + 1
                )));
            }
        }
    }
    Ok(entries)
}

/// dotenvy's own messages quote the offending line, which may be the secret.
fn describe_dotenv_error(err: &dotenvy::Error) -> String {
    match err {
        dotenvy::Error::Io(io) => io.to_string(),
        dotenvy::Error::LineParse(_, index) => format!("syntax error at character {index}"),
        dotenvy::Error::EnvVar(_) => "a variable it refers to is not valid".to_owned(),
        _ => "it is not a valid .env file".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use secrecy::ExposeSecret;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    /// A `.env` file in a fresh directory, removed on drop.
    struct DotEnv {
        dir: PathBuf,
    }

    impl DotEnv {
        fn new(content: &str) -> Self {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "shopify-auth-test-{}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(".env"), content).unwrap();
            Self { dir }
        }

        fn path(&self) -> PathBuf {
            self.dir.join(".env")
        }
    }

    impl Drop for DotEnv {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    const ALL: &[(&str, &str)] = &[
        ("SHOPIFY_SHOP", "my-store"),
        ("SHOPIFY_CLIENT_ID", "client-id"),
        ("SHOPIFY_CLIENT_SECRET", "client-secret"),
    ];

    #[test]
    fn the_base_url_comes_from_the_environment_else_the_dotenv_file() {
        let file = DotEnv::new("SHOPIFY_BASE_URL=http://127.0.0.1:8080\n");
        let from_file = base_url_from_lookup(env(&[]), Some(&file.path())).unwrap();
        assert_eq!(from_file.unwrap().as_str(), "http://127.0.0.1:8080/");
        let from_env = base_url_from_lookup(
            env(&[("SHOPIFY_BASE_URL", " http://127.0.0.1:9/proxy/ ")]),
            Some(&file.path()),
        )
        .unwrap();
        assert_eq!(from_env.unwrap().as_str(), "http://127.0.0.1:9/proxy/");
        assert_eq!(base_url_from_lookup(env(&[]), None).unwrap(), None);
    }

    #[test]
    fn a_base_url_that_is_not_http_is_refused_naming_the_value() {
        let err =
            base_url_from_lookup(env(&[("SHOPIFY_BASE_URL", "127.0.0.1:8080")]), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "SHOPIFY_BASE_URL=127.0.0.1:8080 is not an http(s) URL (e.g. http://127.0.0.1:8080)"
        );
    }

    #[test]
    fn reads_all_three_from_the_environment() {
        let creds = Credentials::from_lookup(env(ALL), None).unwrap();
        assert_eq!(creds.shop.as_str(), "my-store.myshopify.com");
        assert_eq!(creds.client_id, "client-id");
        assert_eq!(creds.client_secret.expose_secret(), "client-secret");
    }

    #[test]
    fn falls_back_to_the_dotenv_file_and_the_environment_wins() {
        let file = DotEnv::new(
            "# comment\nSHOPIFY_SHOP=file-store\nSHOPIFY_CLIENT_ID=file-id\nSHOPIFY_CLIENT_SECRET=\"file secret\"\n",
        );
        let creds = Credentials::from_lookup(
            env(&[("SHOPIFY_CLIENT_ID", "env-id"), ("SHOPIFY_SHOP", "  ")]),
            Some(&file.path()),
        )
        .unwrap();
        assert_eq!(creds.shop.as_str(), "file-store.myshopify.com");
        assert_eq!(creds.client_id, "env-id");
        assert_eq!(creds.client_secret.expose_secret(), "file secret");
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        let creds = Credentials::from_lookup(
            env(&[
                ("SHOPIFY_SHOP", " my-store\n"),
                ("SHOPIFY_CLIENT_ID", "\tclient-id "),
                ("SHOPIFY_CLIENT_SECRET", " client-secret\n"),
            ]),
            None,
        )
        .unwrap();
        assert_eq!(creds.shop.as_str(), "my-store.myshopify.com");
        assert_eq!(creds.client_id, "client-id");
        assert_eq!(creds.client_secret.expose_secret(), "client-secret");
    }

    #[test]
    fn missing_file_is_the_same_as_an_empty_one() {
        let dir = DotEnv::new("");
        let absent = dir.dir.join("no-such-file");
        let err = Credentials::from_lookup(env(&[]), Some(&absent)).unwrap_err();
        assert!(matches!(err, CredentialsError::Missing { .. }), "{err:?}");
    }

    #[test]
    fn names_every_missing_variable() {
        let err = Credentials::from_lookup(env(&[]), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "missing SHOPIFY_SHOP, SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET: set them in the \
             environment or in a .env file in the current directory (see README)"
        );
    }

    #[test]
    fn names_two_missing_variables() {
        let err = Credentials::from_lookup(env(&[("SHOPIFY_CLIENT_ID", "id")]), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "missing SHOPIFY_SHOP and SHOPIFY_CLIENT_SECRET: set them in the environment or in a \
             .env file in the current directory (see README)"
        );
    }

    #[test]
    fn names_one_missing_variable_counting_whitespace_as_missing() {
        let err = Credentials::from_lookup(
            env(&[
                ("SHOPIFY_SHOP", "my-store"),
                ("SHOPIFY_CLIENT_ID", "id"),
                ("SHOPIFY_CLIENT_SECRET", " \t"),
            ]),
            None,
        )
        .unwrap_err();
        match &err {
            CredentialsError::Missing { missing } => {
                assert_eq!(missing, &["SHOPIFY_CLIENT_SECRET"]);
            }
            other => panic!("expected Missing, got {other:?}"),
        }
        assert_eq!(
            err.to_string(),
            "missing SHOPIFY_CLIENT_SECRET: set it in the environment or in a .env file in the \
             current directory (see README)"
        );
    }

    #[test]
    fn invalid_shop_is_reported_with_the_domain_error_as_source() {
        let err = Credentials::from_lookup(
            env(&[
                ("SHOPIFY_SHOP", "https://evil.example.com"),
                ("SHOPIFY_CLIENT_ID", "id"),
                ("SHOPIFY_CLIENT_SECRET", "secret"),
            ]),
            None,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "SHOPIFY_SHOP is not a valid shop domain");
        let source = std::error::Error::source(&err).unwrap().to_string();
        assert!(source.contains("\"https://evil.example.com\""), "{source}");
    }

    #[test]
    fn optional_is_none_when_nothing_is_set() {
        let file = DotEnv::new("OTHER=1\n");
        let got = Credentials::from_lookup_optional(env(&[]), Some(&file.path())).unwrap();
        assert!(got.is_none());
    }

    #[test]
    fn optional_is_an_error_when_only_some_are_set() {
        let file = DotEnv::new("SHOPIFY_SHOP=my-store\n");
        let err = Credentials::from_lookup_optional(env(&[]), Some(&file.path())).unwrap_err();
        match err {
            CredentialsError::Missing { missing } => {
                assert_eq!(missing, ["SHOPIFY_CLIENT_ID", "SHOPIFY_CLIENT_SECRET"]);
            }
            other => panic!("expected Missing, got {other:?}"),
        }
    }

    #[test]
    fn broken_dotenv_is_reported_without_quoting_its_content() {
        let file = DotEnv::new("SHOPIFY_CLIENT_SECRET='top-secret-value\n");
        let err = Credentials::from_lookup(env(&[]), Some(&file.path())).unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(matches!(err, CredentialsError::DotEnv { .. }), "{err:?}");
        assert!(!text.contains("top-secret-value"), "{text}");
    }

    #[test]
    fn an_oversized_dotenv_is_refused_unread() {
        let file = DotEnv::new(&format!("SHOPIFY_SHOP={}\n", "a".repeat(2 * 1024 * 1024)));
        let err = Credentials::from_lookup(env(&[]), Some(&file.path())).unwrap_err();
        assert!(
            err.to_string()
                .ends_with(": it is 2097166 bytes, over the 1048576 a file of settings needs; fix or remove the file"),
            "{err}"
        );
    }

    #[test]
    fn broken_dotenv_does_not_matter_when_the_environment_has_everything() {
        let file = DotEnv::new("SHOPIFY_CLIENT_SECRET='unterminated\n");
        assert!(Credentials::from_lookup(env(ALL), Some(&file.path())).is_ok());
    }

    #[test]
    fn debug_redacts_the_secret() {
        let creds = Credentials::from_lookup(env(ALL), None).unwrap();
        assert_eq!(
            format!("{creds:?}"),
            "Credentials { shop: ShopDomain(\"my-store.myshopify.com\"), client_id: \"client-id\", \
             client_secret: [redacted] }"
        );
    }
}
