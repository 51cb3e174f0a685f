//! Bringing a crate's generated operations in.

/// Includes the operations `shopify_codegen::build` generated in the crate's `OUT_DIR`:
/// a module and an async function per operation, the shared `types` and `fragments`,
/// `API_VERSION` and `OPERATIONS`. Give the file name when the build script set another
/// with `out_file`.
///
/// ```ignore
/// // build.rs: fn main() { shopify_codegen::build("graphql"); }
/// shopify_client::include_operations!();
///
/// # async fn run(client: &shopify_client::Client) -> Result<(), shopify_client::Error> {
/// let shop = shop_name(client, shop_name::Variables {}).await?;
/// # Ok(()) }
/// ```
#[macro_export]
macro_rules! include_operations {
    () => {
        $crate::include_operations!("operations.rs");
    };
    ($file:literal) => {
        include!(concat!(env!("OUT_DIR"), "/", $file));
    };
}
