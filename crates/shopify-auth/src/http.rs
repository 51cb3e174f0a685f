//! The one way this workspace builds HTTP clients.

use std::time::Duration;

/// `shopify-rs/<crate version>`, sent as the User-Agent.
pub const USER_AGENT: &str = concat!("shopify-rs/", env!("CARGO_PKG_VERSION"));

/// How long establishing a connection may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A `reqwest` client builder set up the way every Shopify request in this
/// workspace wants it: rustls with the platform's root certificates, **no
/// redirects** (a redirected request would carry a secret to another host), a
/// connect timeout and the `shopify-rs` User-Agent.
///
/// It installs rustls' `ring` provider as the process default if no provider
/// is installed yet: reqwest is built without one, and would panic otherwise.
///
/// ```
/// let client = shopify_auth::http_client_builder().build()?;
/// # drop(client);
/// # Ok::<(), reqwest::Error>(())
/// ```
pub fn http_client_builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(USER_AGENT)
}

/// Installs `ring` as rustls' process-wide provider unless one already is
/// (an application may have chosen its own; that choice stands).
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Err means another thread installed one first, which is just as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_an_https_capable_client() {
        let client = http_client_builder().build();
        assert!(client.is_ok(), "{client:?}");
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }

    #[test]
    fn user_agent_names_the_workspace_and_version() {
        assert_eq!(
            USER_AGENT,
            format!("shopify-rs/{}", env!("CARGO_PKG_VERSION"))
        );
    }
}
