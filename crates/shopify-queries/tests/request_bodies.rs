//! The exact request body of every operation in `graphql/`.
//!
//! Why these snapshots exist: the query text is what Shopify validates and charges for,
//! and the variables show how scalars, enums and nested inputs are written and that unset
//! optional fields are left out. An operation without representative variables here
//! fails `every_operation_has_a_request_body_snapshot`, so coverage grows with the folder.

use std::str::FromStr;

use serde_json::Value;
use shopify_queries::scalars::{DateTime, Decimal, Gid};
use shopify_queries::types::{
    AttributeInput, CollectionConditionMatchType, CollectionCreateConditionsSourceInput,
    CollectionCreateInput, CollectionCreateSourceInclusionInput, CollectionCreateSourceTargetInput,
    CollectionSortOrder, CollectionSourceInclusionConditionInput,
    CollectionSourceInclusionConditionProductTagInput,
    CollectionSourceInclusionConditionProductTagRelation, CountryCode, CurrencyCode,
    CustomerEmailMarketingConsentInput, CustomerEmailMarketingState, CustomerInput,
    CustomerMarketingOptInLevel, DraftOrderAppliedDiscountInput, DraftOrderAppliedDiscountType,
    DraftOrderInput, DraftOrderLineItemInput, FileSortKeys, HasMetafieldsMetafieldIdentifierInput,
    InventoryItemInput, InventoryItemMeasurementInput, InventoryQuantityInput,
    InventorySetQuantitiesInput, MailingAddressInput, MarketType, MetafieldInput,
    MetafieldsSetInput, MetaobjectCapabilityDataInput, MetaobjectCapabilityDataPublishableInput,
    MetaobjectFieldInput, MetaobjectHandleInput, MetaobjectStatus, MetaobjectUpsertInput,
    MoneyInput, ProductCreateInput, ProductStatus, ProductUpdateInput,
    ProductVariantInventoryPolicy, ProductVariantsBulkInput, SeoInput, ShippingLineInput,
    TaxExemption, WebhookSubscriptionFormat, WebhookSubscriptionInput, WebhookSubscriptionTopic,
    WeightInput, WeightUnit,
};
use shopify_queries::{OPERATIONS, Operation, request_body};
use shopify_queries::{
    bulk_operation_run_query, bulk_operation_status, collection_create, collection_products,
    current_app_installation, customer_create, customer_update, customers_search, discount_codes,
    draft_order_create, draft_orders, files, fulfillment_orders, inventory_items,
    inventory_set_quantities, location_inventory, locations, markets, metafields_set,
    metaobject_upsert, metaobjects, node_lookup, order_by_id, orders_page, price_lists,
    product_by_id, product_create, product_delete, product_metafields, product_update,
    product_variants_bulk_update, products, products_page, publications, resource_counts, segments,
    shop_info, shop_policies, staff_members, tags_add, webhook_subscription_create,
    webhook_subscriptions,
};

fn gid(text: &str) -> Gid {
    Gid::parse(text).expect("test gids are valid")
}

fn decimal(text: &str) -> Decimal {
    Decimal::from_str(text).expect("test decimals are valid")
}

fn datetime(text: &str) -> DateTime {
    DateTime::parse(text).expect("test timestamps are valid")
}

fn body<O: Operation>(variables: O::Variables) -> Value {
    request_body::<O>(&variables)
}

/// Representative variables for each operation, by module name.
fn representative(module: &str) -> Option<Value> {
    Some(match module {
        "bulk_operation_run_query" => {
            body::<bulk_operation_run_query::Operation>(bulk_operation_run_query::Variables {
                query: "{ products { edges { node { id title } } } }".into(),
            })
        }
        "bulk_operation_status" => {
            body::<bulk_operation_status::Operation>(bulk_operation_status::Variables {
                id: gid("gid://shopify/BulkOperation/1"),
            })
        }
        "collection_products" => {
            body::<collection_products::Operation>(collection_products::Variables {
                handle: "summer".into(),
                first: 25,
                after: None,
            })
        }
        // `first` has a default in the operation, so leaving it unset omits it.
        "customers_search" => body::<customers_search::Operation>(customers_search::Variables {
            query: "email:*@example.com".into(),
            first: None,
            after: Some("eyJsYXN0X2lkIjoxMDA1fQ==".into()),
        }),
        // The idempotency key is the client's to add per call; it is not in `Variables`.
        // `changeFromQuantity` is sent even when unset: Shopify requires it, null or not.
        "inventory_set_quantities" => {
            body::<inventory_set_quantities::Operation>(inventory_set_quantities::Variables {
                input: InventorySetQuantitiesInput {
                    name: "available".into(),
                    reason: "correction".into(),
                    reference_document_uri: None,
                    quantities: vec![
                        InventoryQuantityInput {
                            inventory_item_id: gid("gid://shopify/InventoryItem/3001"),
                            location_id: gid("gid://shopify/Location/1"),
                            quantity: 12,
                            change_from_quantity: Some(10),
                        },
                        InventoryQuantityInput {
                            inventory_item_id: gid("gid://shopify/InventoryItem/3002"),
                            location_id: gid("gid://shopify/Location/1"),
                            quantity: 0,
                            change_from_quantity: None,
                        },
                    ],
                },
            })
        }
        "location_inventory" => {
            body::<location_inventory::Operation>(location_inventory::Variables {
                location_id: gid("gid://shopify/Location/1"),
                first: 50,
                after: None,
            })
        }
        "metafields_set" => body::<metafields_set::Operation>(metafields_set::Variables {
            metafields: vec![MetafieldsSetInput {
                owner_id: gid("gid://shopify/Product/1001"),
                namespace: Some("custom".into()),
                key: "care_guide".into(),
                type_: Some("single_line_text_field".into()),
                value: "Hand wash cold".into(),
                compare_digest: None,
            }],
        }),
        "node_lookup" => body::<node_lookup::Operation>(node_lookup::Variables {
            id: gid("gid://shopify/ProductVariant/2001"),
        }),
        "orders_page" => body::<orders_page::Operation>(orders_page::Variables {
            first: 10,
            after: None,
            query: Some("financial_status:paid".into()),
        }),
        "product_by_id" => body::<product_by_id::Operation>(product_by_id::Variables {
            id: gid("gid://shopify/Product/1001"),
        }),
        "product_create" => body::<product_create::Operation>(product_create::Variables {
            product: ProductCreateInput {
                title: Some("Linen Shirt".into()),
                status: Some(ProductStatus::Draft),
                tags: Some(vec!["summer".into(), "linen".into()]),
                vendor: Some("Acme".into()),
                seo: Some(SeoInput {
                    title: Some("Linen Shirt | Acme".into()),
                    description: None,
                }),
                ..ProductCreateInput::default()
            },
        }),
        "product_delete" => body::<product_delete::Operation>(product_delete::Variables {
            id: gid("gid://shopify/Product/1001"),
        }),
        "product_metafields" => {
            body::<product_metafields::Operation>(product_metafields::Variables {
                id: gid("gid://shopify/Product/1001"),
                first: Some(5),
            })
        }
        "product_update" => body::<product_update::Operation>(product_update::Variables {
            product: ProductUpdateInput {
                id: Some(gid("gid://shopify/Product/1001")),
                status: Some(ProductStatus::Unknown("PREVIEW".into())),
                tags: Some(vec![]),
                ..ProductUpdateInput::default()
            },
        }),
        "products" => body::<products::Operation>(products::Variables { first: 10 }),
        "products_page" => body::<products_page::Operation>(products_page::Variables {
            first: 50,
            after: Some("eyJsYXN0X2lkIjoxMDEwfQ==".into()),
            query: None,
        }),
        "shop_info" => body::<shop_info::Operation>(shop_info::Variables {}),
        "collection_create" => {
            body::<collection_create::Operation>(collection_create::Variables {
                collection: CollectionCreateInput {
                    title: "Summer Linen".into(),
                    handle: Some("summer-linen".into()),
                    description_html: Some("<p>Light shirts and trousers.</p>".into()),
                    sort_order: Some(CollectionSortOrder::BestSelling),
                    seo: Some(SeoInput {
                        title: Some("Summer Linen | Acme".into()),
                        description: None,
                    }),
                    // An automated collection: every product tagged `linen`.
                    sources: Some(vec![CollectionCreateSourceTargetInput::Source(
                        CollectionCreateConditionsSourceInput {
                            title: "Tagged linen".into(),
                            description: None,
                            exclusion: None,
                            target_type: None,
                            inclusion: Some(CollectionCreateSourceInclusionInput {
                                match_type: Some(CollectionConditionMatchType::All),
                                conditions: Some(vec![
                                    CollectionSourceInclusionConditionInput::ProductTag(
                                        CollectionSourceInclusionConditionProductTagInput {
                                            match_type: CollectionConditionMatchType::Any,
                                            relation: CollectionSourceInclusionConditionProductTagRelation::TaggedWith,
                                            values: vec!["linen".into()],
                                        },
                                    ),
                                ]),
                                selections: None,
                            }),
                        },
                    )]),
                    image: None,
                    metafields: None,
                    template_suffix: None,
                },
            })
        }
        "current_app_installation" => {
            body::<current_app_installation::Operation>(current_app_installation::Variables {})
        }
        "customer_create" => body::<customer_create::Operation>(customer_create::Variables {
            input: CustomerInput {
                email: Some("ada@example.com".into()),
                first_name: Some("Ada".into()),
                last_name: Some("Lovelace".into()),
                locale: Some("en-GB".into()),
                tags: Some(vec!["wholesale".into()]),
                email_marketing_consent: Some(CustomerEmailMarketingConsentInput {
                    marketing_state: CustomerEmailMarketingState::Subscribed,
                    marketing_opt_in_level: Some(CustomerMarketingOptInLevel::ConfirmedOptIn),
                    consent_updated_at: Some(datetime("2026-11-02T09:30:00Z")),
                    source_location_id: None,
                }),
                metafields: Some(vec![MetafieldInput {
                    namespace: Some("custom".into()),
                    key: Some("vat_number".into()),
                    type_: Some("single_line_text_field".into()),
                    value: Some("GB123456789".into()),
                    ..MetafieldInput::default()
                }]),
                ..CustomerInput::default()
            },
        }),
        "customer_update" => body::<customer_update::Operation>(customer_update::Variables {
            input: CustomerInput {
                id: Some(gid("gid://shopify/Customer/3001")),
                note: Some("Prefers invoices by email".into()),
                tax_exempt: Some(true),
                tax_exemptions: Some(vec![TaxExemption::CaBcResellerExemption]),
                ..CustomerInput::default()
            },
        }),
        // `query` has a default (`method:code`) in the operation: unset, it is left out.
        "discount_codes" => body::<discount_codes::Operation>(discount_codes::Variables {
            first: 25,
            after: None,
            query: None,
        }),
        "draft_order_create" => {
            body::<draft_order_create::Operation>(draft_order_create::Variables {
                input: DraftOrderInput {
                    email: Some("buyer@example.com".into()),
                    note: Some("Phone order".into()),
                    tags: Some(vec!["phone".into()]),
                    reserve_inventory_until: Some(datetime("2026-12-01T12:00:00Z")),
                    presentment_currency_code: Some(CurrencyCode::Eur),
                    line_items: Some(vec![
                        DraftOrderLineItemInput {
                            variant_id: Some(gid("gid://shopify/ProductVariant/2001")),
                            quantity: 2,
                            applied_discount: None,
                            bundle_components: None,
                            components: None,
                            custom_attributes: None,
                            generate_price_override: None,
                            grams: None,
                            original_unit_price: None,
                            original_unit_price_with_currency: None,
                            price_override: None,
                            requires_shipping: None,
                            sku: None,
                            taxable: None,
                            title: None,
                            uuid: None,
                            weight: None,
                        },
                        // A custom line item: no variant, its own price and weight.
                        DraftOrderLineItemInput {
                            variant_id: None,
                            title: Some("Gift wrapping".into()),
                            quantity: 1,
                            original_unit_price_with_currency: Some(MoneyInput {
                                amount: decimal("4.50"),
                                currency_code: CurrencyCode::Eur,
                            }),
                            weight: Some(WeightInput {
                                unit: WeightUnit::Grams,
                                value: 120.0,
                            }),
                            requires_shipping: Some(true),
                            taxable: Some(false),
                            custom_attributes: Some(vec![AttributeInput {
                                key: "message".into(),
                                value: "Happy birthday!".into(),
                            }]),
                            applied_discount: None,
                            bundle_components: None,
                            components: None,
                            generate_price_override: None,
                            grams: None,
                            original_unit_price: None,
                            price_override: None,
                            sku: None,
                            uuid: None,
                        },
                    ]),
                    applied_discount: Some(DraftOrderAppliedDiscountInput {
                        title: Some("Loyalty".into()),
                        description: Some("10% for returning customers".into()),
                        value: 10.0,
                        value_type: DraftOrderAppliedDiscountType::Percentage,
                        amount: None,
                        amount_with_currency: None,
                    }),
                    shipping_address: Some(MailingAddressInput {
                        first_name: Some("Ada".into()),
                        last_name: Some("Lovelace".into()),
                        address1: Some("12 Rue de Rivoli".into()),
                        city: Some("Paris".into()),
                        zip: Some("75004".into()),
                        country_code: Some(CountryCode::Fr),
                        ..MailingAddressInput::default()
                    }),
                    shipping_line: Some(ShippingLineInput {
                        title: Some("Colissimo".into()),
                        price_with_currency: Some(MoneyInput {
                            amount: decimal("6.90"),
                            currency_code: CurrencyCode::Eur,
                        }),
                        ..ShippingLineInput::default()
                    }),
                    ..DraftOrderInput::default()
                },
            })
        }
        "draft_orders" => body::<draft_orders::Operation>(draft_orders::Variables {
            first: 20,
            after: None,
            query: Some("status:open".into()),
        }),
        "files" => body::<files::Operation>(files::Variables {
            first: 50,
            after: Some("eyJsYXN0X2lkIjo0MDAxfQ==".into()),
            query: Some("media_type:IMAGE".into()),
            sort_key: Some(FileSortKeys::UpdatedAt),
        }),
        "fulfillment_orders" => {
            body::<fulfillment_orders::Operation>(fulfillment_orders::Variables {
                first: 25,
                after: None,
                query: Some("status:open".into()),
                include_closed: None,
            })
        }
        "inventory_items" => body::<inventory_items::Operation>(inventory_items::Variables {
            first: 100,
            after: None,
            query: Some("sku:LIN-*".into()),
        }),
        "locations" => body::<locations::Operation>(locations::Variables {
            first: 50,
            after: None,
            include_inactive: Some(true),
        }),
        "markets" => body::<markets::Operation>(markets::Variables {
            first: 10,
            after: None,
            type_: Some(MarketType::Region),
        }),
        "metaobject_upsert" => {
            body::<metaobject_upsert::Operation>(metaobject_upsert::Variables {
                handle: MetaobjectHandleInput {
                    type_: "size_chart".into(),
                    handle: "linen-shirts".into(),
                },
                metaobject: MetaobjectUpsertInput {
                    fields: Some(vec![
                        MetaobjectFieldInput {
                            key: "title".into(),
                            value: "Linen shirts".into(),
                        },
                        // List and JSON fields are written as JSON text.
                        MetaobjectFieldInput {
                            key: "chest_cm".into(),
                            value: "[96,102,108,114]".into(),
                        },
                    ]),
                    capabilities: Some(MetaobjectCapabilityDataInput {
                        publishable: Some(MetaobjectCapabilityDataPublishableInput {
                            status: MetaobjectStatus::Active,
                        }),
                        online_store: None,
                    }),
                    handle: None,
                },
            })
        }
        "metaobjects" => body::<metaobjects::Operation>(metaobjects::Variables {
            type_: "size_chart".into(),
            first: 50,
            after: None,
        }),
        "order_by_id" => body::<order_by_id::Operation>(order_by_id::Variables {
            id: gid("gid://shopify/Order/5001"),
        }),
        "price_lists" => body::<price_lists::Operation>(price_lists::Variables {
            first: 10,
            after: None,
            prices_first: Some(20),
        }),
        "product_variants_bulk_update" => body::<product_variants_bulk_update::Operation>(
            product_variants_bulk_update::Variables {
                product_id: gid("gid://shopify/Product/1001"),
                variants: vec![
                    ProductVariantsBulkInput {
                        id: Some(gid("gid://shopify/ProductVariant/2001")),
                        price: Some(decimal("49.00")),
                        compare_at_price: Some(decimal("59.00")),
                        inventory_policy: Some(ProductVariantInventoryPolicy::Deny),
                        inventory_item: Some(InventoryItemInput {
                            cost: Some(decimal("18.25")),
                            country_code_of_origin: Some(CountryCode::Pt),
                            harmonized_system_code: Some("620520".into()),
                            measurement: Some(InventoryItemMeasurementInput {
                                weight: Some(WeightInput {
                                    unit: WeightUnit::Kilograms,
                                    value: 0.31,
                                }),
                                shipping_package_id: None,
                            }),
                            ..InventoryItemInput::default()
                        }),
                        ..ProductVariantsBulkInput::default()
                    },
                    ProductVariantsBulkInput {
                        id: Some(gid("gid://shopify/ProductVariant/2002")),
                        price: Some(decimal("49.00")),
                        compare_at_price: None,
                        barcode: Some("5601234567890".into()),
                        ..ProductVariantsBulkInput::default()
                    },
                ],
                allow_partial_updates: Some(false),
            },
        ),
        "publications" => body::<publications::Operation>(publications::Variables {
            first: 20,
            after: None,
        }),
        "resource_counts" => body::<resource_counts::Operation>(resource_counts::Variables {
            product_query: Some("status:active".into()),
            order_query: Some("created_at:>=2026-11-01".into()),
            limit: None,
        }),
        "segments" => body::<segments::Operation>(segments::Variables {
            first: 25,
            after: None,
            query: None,
        }),
        "shop_policies" => body::<shop_policies::Operation>(shop_policies::Variables {}),
        "staff_members" => body::<staff_members::Operation>(staff_members::Variables {
            first: 50,
            after: None,
            query: Some("active:true".into()),
        }),
        "tags_add" => body::<tags_add::Operation>(tags_add::Variables {
            id: gid("gid://shopify/Order/5001"),
            tags: vec!["vip".into(), "gift".into()],
        }),
        "webhook_subscription_create" => {
            body::<webhook_subscription_create::Operation>(webhook_subscription_create::Variables {
                topic: WebhookSubscriptionTopic::OrdersPaid,
                webhook_subscription: WebhookSubscriptionInput {
                    uri: Some("https://hooks.example.com/shopify/orders-paid".into()),
                    format: Some(WebhookSubscriptionFormat::Json),
                    filter: Some("total_price:>=100".into()),
                    include_fields: Some(vec![
                        "id".into(),
                        "total_price".into(),
                        "customer".into(),
                    ]),
                    metafields: Some(vec![HasMetafieldsMetafieldIdentifierInput {
                        namespace: Some("custom".into()),
                        key: "gift_note".into(),
                    }]),
                    ..WebhookSubscriptionInput::default()
                },
            })
        }
        "webhook_subscriptions" => {
            body::<webhook_subscriptions::Operation>(webhook_subscriptions::Variables {
                first: 50,
                after: None,
                topics: Some(vec![
                    WebhookSubscriptionTopic::OrdersCreate,
                    WebhookSubscriptionTopic::ProductsUpdate,
                ]),
            })
        }
        _ => return None,
    })
}

/// The body, readably: variables and operation name as JSON, then the query text as sent.
fn render(body: &Value) -> String {
    let query = body["query"].as_str().unwrap_or_default();
    let rest = serde_json::json!({
        "operationName": body["operationName"],
        "variables": body["variables"],
    });
    format!(
        "{}\n--- query ---\n{query}",
        serde_json::to_string_pretty(&rest).expect("json")
    )
}

#[test]
fn every_operation_has_a_request_body_snapshot() {
    let mut missing = Vec::new();
    for op in OPERATIONS {
        match representative(op.module) {
            Some(body) => {
                assert_eq!(
                    body["query"], op.query,
                    "{} sends its generated text",
                    op.name
                );
                assert_eq!(body["operationName"], op.name);
                insta::assert_snapshot!(op.module, render(&body));
            }
            None => missing.push(op.file),
        }
    }
    assert!(
        missing.is_empty(),
        "add representative variables to `representative` in {} for: {missing:?}",
        file!()
    );
}

#[test]
fn decimals_and_unknown_enum_values_are_written_as_sent() {
    let price = Decimal::from_str("19.90").expect("decimal");
    assert_eq!(
        shopify_queries::codec::ToJson::to_json(&price),
        Value::from("19.90")
    );
    let status = ProductStatus::Unknown("PREVIEW".into());
    assert_eq!(status.as_str(), "PREVIEW");
}
