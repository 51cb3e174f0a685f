//! A user's first program, kept aside: `Client::from_env()` and one typed query, nothing
//! else. `tests/e2e/first_program.rs` runs it in a directory holding the `.env` lines
//! `shopify-admin emulator` prints, as a new user following the README would.

use shopify_queries::{Client, shop_info};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    let data = shop_info(&client, shop_info::Variables {}).await?;
    println!("{} ({})", data.shop.name, data.shop.myshopify_domain);
    Ok(())
}
