//! Sample variables for every operation in `graphql/`, shared by the request-body
//! snapshots and the end-to-end run of every operation. An operation missing here fails
//! both, so coverage grows with the folder.
#![allow(clippy::too_many_lines)]

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
use shopify_queries::{Client, Error};
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
    Gid::parse(text).expect("sample gids are valid")
}

fn decimal(text: &str) -> Decimal {
    Decimal::from_str(text).expect("sample decimals are valid")
}

fn datetime(text: &str) -> DateTime {
    DateTime::parse(text).expect("sample timestamps are valid")
}

macro_rules! samples {
    ($( $(#[$doc:meta])* $module:ident => $variables:expr; )*) => {
        /// The request body of operation `module` with its sample variables.
        pub fn request_body(module: &str) -> Option<Value> {
            match module {
                $( stringify!($module) => Some(shopify_queries::request_body::<$module::Operation>(&$variables)), )*
                _ => None,
            }
        }

        /// What graphql_client would send for operation `module` (its `QueryBody`,
        /// serialised) and what our client sends, with the same idempotency key.
        pub fn graphql_client_and_our_body(module: &str) -> Option<(String, String)> {
            match module {
                $( stringify!($module) => Some(compare_bodies::<$module::Operation>(&$variables, $variables.into())), )*
                _ => None,
            }
        }

        /// Runs operation `module` with its sample variables through `client`; the raw
        /// `data` when it decoded into the operation's types.
        pub async fn run(client: &Client, module: &str) -> Option<Result<Value, Error>> {
            match module {
                $( stringify!($module) => Some(client.send::<$module::Operation>(&$variables).await.map(|r| r.raw_data)), )*
                _ => None,
            }
        }
    };
}

fn compare_bodies<O>(
    ours: &<O as shopify_queries::Operation>::Variables,
    theirs: <O as graphql_client::GraphQLQuery>::Variables,
) -> (String, String)
where
    O: shopify_queries::Operation + graphql_client::GraphQLQuery,
{
    let theirs = serde_json::to_string(&O::build_query(theirs)).expect("a QueryBody serialises");
    let mut body = shopify_queries::request_body::<O>(ours);
    // The key is drawn per call on both sides: use graphql_client's in ours.
    if let shopify_queries::Idempotency::Generated { variables } = O::IDEMPOTENCY {
        let sent: Value = serde_json::from_str(&theirs).expect("JSON");
        for variable in variables {
            body["variables"][*variable] = sent["variables"][*variable].clone();
        }
    }
    (theirs, shopify_queries::encode_request_body(&body))
}

samples! {
    bulk_operation_run_query => bulk_operation_run_query::Variables {
                query: "{ products { edges { node { id title } } } }".into(),
            };
    bulk_operation_status => bulk_operation_status::Variables {
                id: gid("gid://shopify/BulkOperation/1"),
            };
    collection_products => collection_products::Variables {
                handle: "summer".into(),
                first: 25,
                after: None,
            };
    // `first` has a default in the operation, so leaving it unset omits it.
    customers_search => customers_search::Variables {
            query: "email:*@example.com".into(),
            first: None,
            after: Some("eyJsYXN0X2lkIjoxMDA1fQ==".into()),
        };
    // The idempotency key is the client's to add per call; it is not in `Variables`.
    // `changeFromQuantity` is sent even when unset: Shopify requires it, null or not.
    inventory_set_quantities => inventory_set_quantities::Variables {
                input: InventorySetQuantitiesInput {
                    name: "available".into(),
                    reason: "correction".into(),
                    reference_document_uri: None,
                    quantities: vec![
                        InventoryQuantityInput {
                            inventory_item_id: gid("gid://shopify/InventoryItem/3001"),
                            location_id: gid("gid://shopify/Location/1"),
                            quantity: 12,
                            change_from_quantity: Some(47),
                        },
                        InventoryQuantityInput {
                            inventory_item_id: gid("gid://shopify/InventoryItem/3002"),
                            location_id: gid("gid://shopify/Location/1"),
                            quantity: 0,
                            change_from_quantity: None,
                        },
                    ],
                },
            };
    location_inventory => location_inventory::Variables {
                location_id: gid("gid://shopify/Location/1"),
                first: 50,
                after: None,
            };
    metafields_set => metafields_set::Variables {
            metafields: vec![MetafieldsSetInput {
                owner_id: gid("gid://shopify/Product/1001"),
                namespace: Some("custom".into()),
                key: "care_guide".into(),
                type_: Some("single_line_text_field".into()),
                value: "Hand wash cold".into(),
                compare_digest: None,
            }],
        };
    node_lookup => node_lookup::Variables {
            id: gid("gid://shopify/ProductVariant/2001"),
        };
    orders_page => orders_page::Variables {
            first: 10,
            after: None,
            query: Some("financial_status:paid".into()),
        };
    product_by_id => product_by_id::Variables {
            id: gid("gid://shopify/Product/1001"),
        };
    product_create => product_create::Variables {
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
        };
    product_delete => product_delete::Variables {
            id: gid("gid://shopify/Product/1001"),
        };
    product_metafields => product_metafields::Variables {
                id: gid("gid://shopify/Product/1001"),
                first: Some(5),
            };
    product_update => product_update::Variables {
            product: ProductUpdateInput {
                id: Some(gid("gid://shopify/Product/1001")),
                status: Some(ProductStatus::Active),
                tags: Some(vec![]),
                ..ProductUpdateInput::default()
            },
        };
    products => products::Variables { first: 10 };
    products_page => products_page::Variables {
            first: 50,
            after: Some("eyJsYXN0X2lkIjoxMDEwfQ==".into()),
            query: None,
        };
    shop_info => shop_info::Variables {};
    collection_create => collection_create::Variables {
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
            };
    current_app_installation => current_app_installation::Variables {};
    customer_create => customer_create::Variables {
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
        };
    customer_update => customer_update::Variables {
            input: CustomerInput {
                id: Some(gid("gid://shopify/Customer/7001")),
                note: Some("Prefers invoices by email".into()),
                tax_exempt: Some(true),
                tax_exemptions: Some(vec![TaxExemption::CaBcResellerExemption]),
                ..CustomerInput::default()
            },
        };
    // `query` has a default (`method:code`) in the operation: unset, it is left out.
    discount_codes => discount_codes::Variables {
            first: 25,
            after: None,
            query: None,
        };
    draft_order_create => draft_order_create::Variables {
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
            };
    draft_orders => draft_orders::Variables {
            first: 20,
            after: None,
            query: Some("status:open".into()),
        };
    files => files::Variables {
            first: 50,
            after: Some("eyJsYXN0X2lkIjo0MDAxfQ==".into()),
            query: Some("media_type:IMAGE".into()),
            sort_key: Some(FileSortKeys::UpdatedAt),
        };
    // Each fulfillment order costs about 57 points: 10 stay well under the 1000 limit.
    fulfillment_orders => fulfillment_orders::Variables {
                first: 10,
                after: None,
                query: Some("status:open".into()),
                include_closed: None,
            };
    inventory_items => inventory_items::Variables {
            first: 50,
            after: None,
            query: Some("sku:LIN-*".into()),
        };
    locations => locations::Variables {
            first: 50,
            after: None,
            include_inactive: Some(true),
        };
    markets => markets::Variables {
            first: 10,
            after: None,
            type_: Some(MarketType::Region),
        };
    metaobject_upsert => metaobject_upsert::Variables {
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
            };
    metaobjects => metaobjects::Variables {
            type_: "size_chart".into(),
            first: 50,
            after: None,
        };
    order_by_id => order_by_id::Variables {
            id: gid("gid://shopify/Order/5001"),
        };
    price_lists => price_lists::Variables {
            first: 10,
            after: None,
            prices_first: Some(20),
        };
    product_variants_bulk_update => product_variants_bulk_update::Variables {
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
            };
    publications => publications::Variables {
            first: 20,
            after: None,
        };
    resource_counts => resource_counts::Variables {
            product_query: Some("status:active".into()),
            order_query: Some("created_at:>=2026-11-01".into()),
            limit: None,
        };
    segments => segments::Variables {
            first: 25,
            after: None,
            query: None,
        };
    shop_policies => shop_policies::Variables {};
    staff_members => staff_members::Variables {
            first: 50,
            after: None,
            query: Some("active:true".into()),
        };
    tags_add => tags_add::Variables {
            id: gid("gid://shopify/Order/5001"),
            tags: vec!["vip".into(), "gift".into()],
        };
    webhook_subscription_create => webhook_subscription_create::Variables {
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
            };
    webhook_subscriptions => webhook_subscriptions::Variables {
                first: 50,
                after: None,
                topics: Some(vec![
                    WebhookSubscriptionTopic::OrdersCreate,
                    WebhookSubscriptionTopic::ProductsUpdate,
                ]),
            };
}
