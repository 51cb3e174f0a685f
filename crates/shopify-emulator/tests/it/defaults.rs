//! Fields the demo shop has no data for still answer in the schema's shape: null where
//! nullable, a plausible value where not, and never a coercion error.

use serde_json::{Value, json};

use crate::support::Harness;

const DEEP: &str = r#"query Deep {
  shop {
    accountOwner { id name email isShopOwner }
    alerts { description action { title url } }
    features { giftCards storefront }
    resourceLimits { maxProductVariants locationLimit redirectLimitReached }
    currencyFormats { moneyFormat moneyInEmailsFormat }
    shopAddress { formatted city }
    timezoneOffsetMinutes
    enabledPresentmentCurrencies
    customerAccountsV2 { loginRequiredAtCheckout url }
  }
  products(first: 3) {
    nodes {
      id
      createdAt
      descriptionHtml
      category { id name fullName }
      featuredMedia { id }
      seo { title description }
      options { id name position optionValues { id name hasVariants } }
      hasOutOfStockVariants
      requiresSellingPlan
      resourcePublicationsCount { count precision }
      compareAtPriceRange { maxVariantCompareAtPrice { amount } }
      media(first: 2) { nodes { id mediaContentType alt } pageInfo { hasNextPage } }
      events(first: 1) { edges { cursor node { id message createdAt } } }
      variants(first: 2) {
        nodes {
          id
          inventoryItem { measurement { weight { value unit } } countryCodeOfOrigin unitCost { amount currencyCode } }
          selectedOptions { name value optionValue { id name } }
          contextualPricing(context: {country: CA}) { price { amount currencyCode } }
        }
      }
    }
  }
  orders(first: 2) {
    nodes {
      id
      currentTotalDutiesSet { shopMoney { amount } }
      currentSubtotalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount } }
      fulfillments { id status trackingInfo { number url } }
      transactions { id kind status amountSet { shopMoney { amount } } }
      risk { recommendation assessments { riskLevel } }
      customerJourneySummary { ready momentsCount { count } }
    }
  }
  currentAppInstallation { id app { id title handle } accessScopes { handle } }
  publications(first: 2) { nodes { id name } }
}"#;

#[tokio::test]
async fn a_deep_query_over_unseeded_non_null_fields_answers_without_errors() {
    let h = Harness::start().await;
    let body = h.gql(DEEP, json!({})).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let data = &body["data"];
    assert_eq!(data["shop"]["features"]["giftCards"], false);
    assert_eq!(data["shop"]["alerts"], json!([]));
    let product = &data["products"]["nodes"][0];
    assert_eq!(product["seo"], json!({"title": null, "description": null}));
    assert_eq!(product["media"]["nodes"], json!([]));
    assert_eq!(product["resourcePublicationsCount"], Value::Null);
    let variant = &product["variants"]["nodes"][0];
    assert_eq!(
        variant["contextualPricing"]["price"],
        json!({"amount": "0.0", "currencyCode": "AED"})
    );
    let id = data["currentAppInstallation"]["id"].as_str().unwrap();
    assert!(id.starts_with("gid://shopify/"), "{id}");
}
