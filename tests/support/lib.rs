//! Shared set-up for the end-to-end tests and benchmarks: an emulator on a loopback
//! port and a client pointed at it through the real client-credentials exchange.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use shopify_queries::{shop_info, RetryPolicy};
//!
//! let harness = shopify_e2e::Harness::with(
//!     shopify_emulator::Emulator::builder().bucket(100, 50),
//!     |client| client.retry(RetryPolicy::none()),
//! )
//! .await?;
//! let data = shop_info(&harness.client, shop_info::Variables {}).await?;
//! assert_eq!(data.shop.name, "Demo Shop");
//! # Ok(())
//! # }
//! ```

pub mod bench;
pub mod process;
pub mod redis;
pub mod samples;

use shopify_auth::{Credentials, ShopDomain};
use shopify_emulator::{
    DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SHOP, Emulator, EmulatorBuilder, RunningEmulator,
};
use shopify_queries::{Client, ClientBuilder};

/// An emulator and a client for its demo shop.
pub struct Harness {
    /// The emulator; dropping the harness stops it.
    pub emulator: RunningEmulator,
    /// A client going through the emulator's token exchange.
    pub client: Client,
}

impl std::fmt::Debug for Harness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Harness")
            .field("emulator", &self.emulator)
            .finish_non_exhaustive()
    }
}

/// The demo app's credentials for the demo shop.
pub fn demo_credentials() -> Credentials {
    Credentials::new(
        ShopDomain::parse(DEMO_SHOP).expect("the demo shop handle is valid"),
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
    )
}

/// A client builder for `emulator`'s demo shop, to customise before `build()`.
pub fn client_builder(emulator: &RunningEmulator) -> ClientBuilder {
    Client::builder()
        .credentials(demo_credentials())
        .base_url(emulator.url())
}

impl Harness {
    /// The default emulator and a default client.
    pub async fn start() -> anyhow::Result<Self> {
        Self::with(Emulator::builder(), |builder| builder).await
    }

    /// A customised emulator and client.
    pub async fn with(
        emulator: EmulatorBuilder,
        client: impl FnOnce(ClientBuilder) -> ClientBuilder,
    ) -> anyhow::Result<Self> {
        let emulator = emulator.start().await?;
        let client = client(client_builder(&emulator)).build()?;
        Ok(Self { emulator, client })
    }
}
