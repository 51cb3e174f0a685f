fn main() {
    shopify_codegen::build("graphql");
}
