//! Configuration: apps, shops, token lifetime, address, synthetic data, the rate-limit
//! bucket and injected faults.

use std::collections::BTreeSet;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::faults::{Fault, Schedule};
use crate::limits::Limits;

/// Handle of the built-in demo shop (`demo.myshopify.com`).
pub const DEMO_SHOP: &str = "demo";
/// Client id of the built-in demo app, installed on every shop.
pub const DEMO_CLIENT_ID: &str = "emulator-demo-client-id";
/// Client secret of the built-in demo app. Not a secret: it only opens the emulator.
pub const DEMO_CLIENT_SECRET: &str = "emulator-demo-client-secret";
/// Scopes granted to the demo app.
pub const DEMO_SCOPES: &[&str] = &[
    "read_products",
    "write_products",
    "read_orders",
    "write_orders",
    "read_customers",
    "write_customers",
    "read_inventory",
    "write_inventory",
    "read_locations",
    "write_locations",
    "read_metaobjects",
    "write_metaobjects",
    "read_metaobject_definitions",
    "write_metaobject_definitions",
    "read_files",
    "write_files",
    "read_publications",
    "write_publications",
    "read_discounts",
    "write_discounts",
    "read_fulfillments",
    "write_fulfillments",
    "read_draft_orders",
    "write_draft_orders",
    "read_markets",
    "write_markets",
    "read_assigned_fulfillment_orders",
    "write_assigned_fulfillment_orders",
    "read_merchant_managed_fulfillment_orders",
    "write_merchant_managed_fulfillment_orders",
    "read_legal_policies",
    "read_users",
    "read_themes",
    "read_content",
    "write_content",
    "read_shipping",
    "write_shipping",
];

/// Default bucket size (`maximumAvailable`), as live Standard-plan shops report it.
pub const DEFAULT_BUCKET_SIZE: u64 = 2000;
/// Default restore rate (`restoreRate`, points per second), Shopify's Standard plan.
pub const DEFAULT_RESTORE_RATE: u64 = 100;

/// An app the emulator knows: credentials, granted scopes and where it may not get tokens.
#[derive(Clone)]
pub struct App {
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) not_installed_on: BTreeSet<String>,
    pub(crate) not_permitted_on: BTreeSet<String>,
}

// The secret stays out of Debug output.
impl fmt::Debug for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("App")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("scopes", &self.scopes)
            .field("not_installed_on", &self.not_installed_on)
            .field("not_permitted_on", &self.not_permitted_on)
            .finish()
    }
}

impl App {
    /// An app installed on every shop of the emulator, granted `scopes`.
    pub fn new<S: Into<String>>(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        scopes: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scopes: scopes.into_iter().map(Into::into).collect(),
            not_installed_on: BTreeSet::new(),
            not_permitted_on: BTreeSet::new(),
        }
    }

    /// The built-in demo app ([`DEMO_CLIENT_ID`], [`DEMO_CLIENT_SECRET`], [`DEMO_SCOPES`]).
    pub fn demo() -> Self {
        Self::new(
            DEMO_CLIENT_ID,
            DEMO_CLIENT_SECRET,
            DEMO_SCOPES.iter().copied(),
        )
    }

    /// The token exchange on `shop` (a handle) answers `app_not_installed`.
    pub fn not_installed_on(mut self, shop: impl Into<String>) -> Self {
        self.not_installed_on.insert(shop.into());
        self
    }

    /// The token exchange on `shop` (a handle) answers `shop_not_permitted`.
    pub fn not_permitted_on(mut self, shop: impl Into<String>) -> Self {
        self.not_permitted_on.insert(shop.into());
        self
    }

    /// The app's client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The scopes the app is granted.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }
}

/// Configures an emulator; [`EmulatorBuilder::start`] binds it and serves in the background.
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    pub(crate) apps: Vec<App>,
    pub(crate) shops: Vec<String>,
    pub(crate) token_ttl: Duration,
    pub(crate) bind: SocketAddr,
    pub(crate) extra_products: usize,
    pub(crate) bucket_size: u64,
    pub(crate) restore_rate: u64,
    pub(crate) faults: Vec<(Fault, Schedule)>,
    pub(crate) limits: Limits,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            apps: vec![App::demo()],
            shops: vec![DEMO_SHOP.to_owned()],
            token_ttl: Duration::from_secs(86_399),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            extra_products: 0,
            bucket_size: DEFAULT_BUCKET_SIZE,
            restore_rate: DEFAULT_RESTORE_RATE,
            faults: Vec::new(),
            limits: Limits::default(),
        }
    }
}

impl EmulatorBuilder {
    /// Adds an app (the demo app stays). An app with the same client id replaces the earlier one.
    pub fn app(mut self, app: App) -> Self {
        self.apps.retain(|a| a.client_id != app.client_id);
        self.apps.push(app);
        self
    }

    /// Adds a shop by handle (`other-store` for `other-store.myshopify.com`), seeded like the
    /// demo shop. Requests reach it with that `Host` header.
    pub fn shop(mut self, handle: impl Into<String>) -> Self {
        let handle = handle.into();
        if !self.shops.contains(&handle) {
            self.shops.push(handle);
        }
        self
    }

    /// Marks the app `client_id` as not installed on `shop`.
    pub fn app_not_installed(mut self, client_id: &str, shop: impl Into<String>) -> Self {
        let shop = shop.into();
        for app in self.apps.iter_mut().filter(|a| a.client_id == client_id) {
            app.not_installed_on.insert(shop.clone());
        }
        self
    }

    /// Makes the token exchange of app `client_id` on `shop` answer `shop_not_permitted`.
    pub fn shop_not_permitted(mut self, client_id: &str, shop: impl Into<String>) -> Self {
        let shop = shop.into();
        for app in self.apps.iter_mut().filter(|a| a.client_id == client_id) {
            app.not_permitted_on.insert(shop.clone());
        }
        self
    }

    /// Lifetime of issued tokens (`expires_in`); default 86 399 s.
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// Address to listen on; default `127.0.0.1:0` (a free port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Seeds `n` synthetic products (with three variants each) after the demo catalogue,
    /// for benchmarks and pagination over many pages.
    pub fn extra_products(mut self, n: usize) -> Self {
        self.extra_products = n;
        self
    }

    /// The leaky bucket every app+shop pair gets: `maximum_available` points, refilled at
    /// `restore_rate` points per second. Default 2000 and 100, as on a Standard plan. A
    /// request whose requested cost exceeds `maximum_available` is never admitted.
    pub fn bucket(mut self, maximum_available: u64, restore_rate: u64) -> Self {
        self.bucket_size = maximum_available;
        self.restore_rate = restore_rate;
        self
    }

    /// Injects `fault` into the GraphQL requests `schedule` picks, counted from the
    /// start. More can be added or cleared on the running emulator
    /// ([`RunningEmulator::inject`](crate::RunningEmulator::inject)).
    pub fn fault(mut self, fault: Fault, schedule: Schedule) -> Self {
        self.faults.push((fault, schedule));
        self
    }

    /// The bounds on one request (body size and time on every route; the GraphQL
    /// document's size, tokens, depth, selections, aliases, variables, fragments).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_debug_redacts_the_secret() {
        let app = App::new("id", "very-secret", ["read_products"]);
        let printed = format!("{app:?}");
        assert!(!printed.contains("very-secret"), "{printed}");
        assert!(
            printed.contains(r#"client_secret: "[redacted]""#),
            "{printed}"
        );
    }

    #[test]
    fn adding_an_app_keeps_the_demo_app() {
        let builder = EmulatorBuilder::default().app(App::new("x", "y", ["read_orders"]));
        let ids: Vec<&str> = builder.apps.iter().map(App::client_id).collect();
        assert_eq!(ids, [DEMO_CLIENT_ID, "x"]);
    }
}
