//! Runs this crate's own operations against the shop in `.env` / the environment.

shopify_client::include_operations!();

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = shopify_client::Client::from_env()?;
    let data = shop_name(&client, shop_name::Variables {}).await?;
    println!("shop: {}", data.shop.shop_bits.name);
    let data = first_products(&client, first_products::Variables { first: 2 }).await?;
    for node in data.products.nodes {
        println!("product: {}", node.product_title.title);
    }
    Ok(())
}
