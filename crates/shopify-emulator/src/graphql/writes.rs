//! Mutations on customers, collections, draft orders, metaobjects, webhook subscriptions,
//! variants and tags. Each checks its whole input first and writes nothing when a user
//! error is answered, so a payload with `userErrors` means nothing was applied.
//!
//! The user errors follow Shopify's shapes (`field` as a path into the arguments,
//! `code` where the payload's error type has one); the messages are written in Shopify's
//! style but are not copied from a live shop.

use serde_json_bytes::{Value as Json, json};

use super::input::{
    failed, handle_base, input_arg, required_title, str_arg, unique_handle, user_error,
};
use super::mutations::check_value;
use crate::store::{JsonMap, NOW, Store, gid_parts, handleize};

fn shop_currency(store: &Store) -> String {
    store
        .get(store.shop_gid())
        .and_then(|s| {
            s.get("currencyCode")
                .and_then(Json::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "USD".to_owned())
}

/// A decimal amount in cents ("19.9" → 1990); `None` when it is not a decimal.
fn cents(amount: &str) -> Option<i64> {
    let amount = amount.trim();
    let (negative, digits) = match amount.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, amount),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let fraction = format!("{fraction:0<2}");
    if !whole
        .chars()
        .chain(fraction.chars())
        .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: i64 = fraction[..2].parse().ok()?;
    let value = whole.checked_mul(100)?.checked_add(fraction)?;
    Some(if negative { -value } else { value })
}

fn amount_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

fn money(cents: i64, currency: &str) -> Json {
    json!({"amount": amount_text(cents), "currencyCode": currency})
}

/// A money bag; the emulator converts no currencies, so both sides hold the same amount.
fn money_bag(cents: i64, currency: &str) -> Json {
    json!({"shopMoney": money(cents, currency), "presentmentMoney": money(cents, currency)})
}

/// A decimal argument (sent as a string or a number) as text, if it is one.
fn decimal_arg(input: &Json, key: &str) -> Option<Result<String, ()>> {
    match input.get(key)? {
        Json::Null => None,
        Json::String(s) => Some(cents(s.as_str()).map(|_| s.as_str().to_owned()).ok_or(())),
        Json::Number(n) => Some(Ok(n.to_string())),
        _ => Some(Err(())),
    }
}

fn string_list(value: Option<&Json>) -> Vec<String> {
    value
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .map(str::to_owned)
        .collect()
}

/// `collectionCreate(collection:)`: a manual collection, or an automated one whose
/// product-tag rules pick its products now.
pub(crate) fn collection_create(store: &mut Store, args: &JsonMap) -> Json {
    let input = input_arg(args, "collection");
    let title = match required_title(&input, "collection") {
        Ok(title) => title,
        Err(payload) => return payload,
    };
    let handle = unique_handle(store, "Collection", handle_base(&input, &title), None);
    let id = store.next_gid("Collection");
    let mut sources = Vec::new();
    let mut tags = Vec::new();
    for source in input
        .get("sources")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let Some(source) = source.get("source") else {
            continue;
        };
        for condition in source
            .get("inclusion")
            .and_then(|i| i.get("conditions"))
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            tags.extend(string_list(
                condition.get("productTag").and_then(|t| t.get("values")),
            ));
        }
        sources.push(json!({
            "id": store.next_gid("CollectionConditionsSource"),
            "title": str_arg(source, "title").unwrap_or_default(),
            "description": source.get("description").cloned().unwrap_or(Json::Null),
        }));
    }
    let products: Vec<Json> = if tags.is_empty() {
        Vec::new()
    } else {
        store
            .all("Product")
            .filter(|(_, p)| {
                string_list(p.get("tags"))
                    .iter()
                    .any(|t| tags.iter().any(|w| w.eq_ignore_ascii_case(t)))
            })
            .map(|(pid, _)| Json::from(pid))
            .collect()
    };
    let html = str_arg(&input, "descriptionHtml").unwrap_or_default();
    let seo = input.get("seo").cloned().unwrap_or(json!({}));
    store.register(json!({
        "id": id.clone(),
        "title": title,
        "handle": handle,
        "descriptionHtml": html,
        "description": super::mutations::strip_tags(html),
        "sortOrder": str_arg(&input, "sortOrder").unwrap_or("BEST_SELLING"),
        "templateSuffix": input.get("templateSuffix").cloned().unwrap_or(Json::Null),
        "seo": {
            "title": seo.get("title").cloned().unwrap_or(Json::Null),
            "description": seo.get("description").cloned().unwrap_or(Json::Null),
        },
        "sources": sources,
        "products": products,
        "updatedAt": NOW,
    }));
    json!({"collection": id, "userErrors": []})
}

fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty() && domain.contains('.') && !email.chars().any(char::is_whitespace)
}

fn display_name(first: Option<&str>, last: Option<&str>, email: Option<&str>) -> String {
    let name = [first, last]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        email.unwrap_or_default().to_owned()
    } else {
        name
    }
}

/// Checks the parts of a `CustomerInput` both mutations share; `except` is the customer
/// being updated (its own email is not "taken").
fn customer_input_errors(store: &Store, input: &Json, except: Option<&str>) -> Vec<Json> {
    let mut errors = Vec::new();
    if let Some(email) = str_arg(input, "email") {
        if !valid_email(email) {
            errors.push(user_error(&["email"], "Email is invalid"));
        } else if store.all("Customer").any(|(cid, c)| {
            Some(cid) != except
                && str_arg(c, "email").is_some_and(|e| e.eq_ignore_ascii_case(email))
        }) {
            errors.push(user_error(&["email"], "Email has already been taken"));
        }
    }
    if let Some(phone) = str_arg(input, "phone") {
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        if !phone.starts_with('+') || digits < 7 {
            errors.push(user_error(&["phone"], "Phone is invalid"));
        }
    }
    for (i, m) in input
        .get("metafields")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let index = i.to_string();
        let kind = str_arg(m, "type").unwrap_or_default();
        let value = str_arg(m, "value").unwrap_or_default();
        let at = |leaf: &'static str| ["metafields", index.as_str(), leaf];
        if str_arg(m, "key").is_none_or(|k| k.trim().len() < 2) {
            errors.push(user_error(
                &at("key"),
                "Key is too short (minimum is 2 characters)",
            ));
        } else if let Err(message) = check_value(kind, value) {
            let message = if message == "unknown type" {
                format!("Type '{kind}' is not a valid metafield type.")
            } else {
                message.to_owned()
            };
            errors.push(user_error(&at("value"), &message));
        }
    }
    errors
}

/// The stored form of the customer fields an input sets.
fn customer_fields(input: &Json) -> JsonMap {
    let mut fields = JsonMap::new();
    for key in [
        "firstName",
        "lastName",
        "email",
        "phone",
        "note",
        "locale",
        "tags",
        "taxExempt",
        "taxExemptions",
    ] {
        if let Some(v) = input.get(key) {
            fields.insert(key, v.clone());
        }
    }
    fields
}

fn write_customer_metafields(store: &mut Store, owner: &str, input: &Json) {
    for m in input
        .get("metafields")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default()
    {
        let id = store.next_gid("Metafield");
        store.register(json!({
            "id": id, "owner": owner,
            "namespace": str_arg(&m, "namespace").unwrap_or("custom"),
            "key": str_arg(&m, "key").unwrap_or_default(),
            "type": str_arg(&m, "type").unwrap_or_default(),
            "value": str_arg(&m, "value").unwrap_or_default(),
            "createdAt": NOW, "updatedAt": NOW,
        }));
    }
}

/// The derived fields (display name, default email and phone) of a customer's data.
fn refresh_customer(store: &mut Store, id: &str, consent: Option<&Json>) {
    let Some(c) = store.get(id).cloned() else {
        return;
    };
    let email = str_arg(&c, "email");
    let mut fields = JsonMap::new();
    fields.insert(
        "displayName",
        Json::from(display_name(
            str_arg(&c, "firstName"),
            str_arg(&c, "lastName"),
            email.or(str_arg(&c, "phone")),
        )),
    );
    let previous = c.get("defaultEmailAddress");
    let state = consent
        .and_then(|c| str_arg(c, "marketingState"))
        .or_else(|| previous.and_then(|p| str_arg(p, "marketingState")))
        .unwrap_or("NOT_SUBSCRIBED");
    let level = consent
        .and_then(|c| c.get("marketingOptInLevel"))
        .or_else(|| previous.and_then(|p| p.get("marketingOptInLevel")))
        .cloned()
        .unwrap_or(Json::Null);
    let updated = consent
        .and_then(|c| c.get("consentUpdatedAt"))
        .filter(|v| !v.is_null())
        .cloned()
        .unwrap_or(Json::from(NOW));
    fields.insert(
        "defaultEmailAddress",
        match email {
            Some(email) => json!({"emailAddress": email, "marketingState": state,
                "marketingOptInLevel": level, "marketingUpdatedAt": updated}),
            None => Json::Null,
        },
    );
    fields.insert(
        "defaultPhoneNumber",
        match str_arg(&c, "phone") {
            Some(phone) => json!({"phoneNumber": phone, "marketingState": "NOT_SUBSCRIBED"}),
            None => Json::Null,
        },
    );
    fields.insert("updatedAt", Json::from(NOW));
    store.update(id, fields);
}

/// `customerCreate(input:)`: a customer needs a name, an email address or a phone number.
pub(crate) fn customer_create(store: &mut Store, args: &JsonMap) -> Json {
    let input = args.get("input").cloned().unwrap_or(json!({}));
    let mut errors = customer_input_errors(store, &input, None);
    let identified = ["firstName", "lastName", "email", "phone"]
        .iter()
        .any(|k| str_arg(&input, k).is_some_and(|v| !v.trim().is_empty()));
    if !identified {
        errors.insert(
            0,
            json!({"field": null, "message": "A name, phone number, or email address must be present"}),
        );
    }
    if !errors.is_empty() {
        return failed("customer", errors);
    }
    let id = store.next_gid("Customer");
    let currency = shop_currency(store);
    let mut customer = json!({
        "id": id.clone(), "state": "DISABLED", "verifiedEmail": false, "taxExempt": false,
        "taxExemptions": [], "tags": [], "note": null, "locale": "en",
        "amountSpent": money(0, &currency), "createdAt": NOW,
    });
    if let Json::Object(map) = &mut customer {
        for (k, v) in customer_fields(&input) {
            map.insert(k, v);
        }
    }
    store.register(customer);
    refresh_customer(store, &id, input.get("emailMarketingConsent"));
    write_customer_metafields(store, &id, &input);
    json!({"customer": id, "userErrors": []})
}

/// `customerUpdate(input:)`: changes only the fields `input` sets.
pub(crate) fn customer_update(store: &mut Store, args: &JsonMap) -> Json {
    let input = args.get("input").cloned().unwrap_or(json!({}));
    let id = str_arg(&input, "id").unwrap_or_default().to_owned();
    let exists = gid_parts(&id).is_some_and(|(t, _)| t == "Customer") && store.get(&id).is_some();
    if !exists {
        return failed(
            "customer",
            vec![user_error(&["id"], "Customer does not exist")],
        );
    }
    let errors = customer_input_errors(store, &input, Some(&id));
    if !errors.is_empty() {
        return failed("customer", errors);
    }
    store.update(&id, customer_fields(&input));
    refresh_customer(store, &id, input.get("emailMarketingConsent"));
    write_customer_metafields(store, &id, &input);
    json!({"customer": id, "userErrors": []})
}

/// `draftOrderCreate(input:)`: prices from the variants (or the custom line's own price),
/// an order-level discount, shipping; no taxes and no currency conversion.
pub(crate) fn draft_order_create(store: &mut Store, args: &JsonMap) -> Json {
    let input = args.get("input").cloned().unwrap_or(json!({}));
    let currency = str_arg(&input, "presentmentCurrencyCode")
        .map(str::to_owned)
        .unwrap_or_else(|| shop_currency(store));
    let mut errors = Vec::new();
    if let Some(email) = str_arg(&input, "email") {
        if !valid_email(email) {
            errors.push(user_error(&["email"], "Email is invalid"));
        }
    }
    let lines = input
        .get("lineItems")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    if lines.is_empty() {
        errors.push(user_error(&["lineItems"], "Add at least 1 product"));
    }
    // (title, sku, quantity, unit cents, variant)
    let mut planned = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let index = i.to_string();
        let at = |leaf: &'static str| ["lineItems", index.as_str(), leaf];
        let quantity = line.get("quantity").and_then(Json::as_i64).unwrap_or(0);
        if quantity < 1 {
            errors.push(user_error(
                &at("quantity"),
                "Quantity must be greater than or equal to 1",
            ));
            continue;
        }
        if let Some(variant_id) = str_arg(line, "variantId") {
            let variant = gid_parts(variant_id)
                .filter(|(t, _)| *t == "ProductVariant")
                .and_then(|_| store.get(variant_id))
                .cloned();
            let Some(variant) = variant else {
                errors.push(user_error(
                    &at("variantId"),
                    "Product variant does not exist",
                ));
                continue;
            };
            let product_title = str_arg(&variant, "product")
                .and_then(|p| store.get(p))
                .and_then(|p| str_arg(p, "title").map(str::to_owned))
                .unwrap_or_default();
            let unit = str_arg(&variant, "price").and_then(cents).unwrap_or(0);
            planned.push((
                product_title,
                variant.get("sku").cloned().unwrap_or(Json::Null),
                quantity,
                unit,
                Json::from(variant_id),
            ));
        } else {
            let title = str_arg(line, "title").unwrap_or_default().trim().to_owned();
            if title.is_empty() {
                errors.push(user_error(&at("title"), "Title can't be blank"));
                continue;
            }
            let price = line
                .get("originalUnitPriceWithCurrency")
                .and_then(|m| str_arg(m, "amount"))
                .or_else(|| str_arg(line, "originalUnitPrice"))
                .and_then(cents);
            let Some(unit) = price.filter(|c| *c >= 0) else {
                errors.push(user_error(
                    &at("originalUnitPriceWithCurrency"),
                    "Price must be greater than or equal to 0",
                ));
                continue;
            };
            planned.push((
                title,
                line.get("sku").cloned().unwrap_or(Json::Null),
                quantity,
                unit,
                Json::Null,
            ));
        }
    }
    if !errors.is_empty() {
        return failed("draftOrder", errors);
    }
    let lines_total: i64 = planned.iter().map(|(_, _, q, unit, _)| q * unit).sum();
    let discount = input.get("appliedDiscount").filter(|d| !d.is_null());
    let discount_cents = discount.map_or(0, |d| {
        let value = d.get("value").and_then(Json::as_f64).unwrap_or(0.0);
        let cut = if str_arg(d, "valueType") == Some("PERCENTAGE") {
            (lines_total as f64 * value / 100.0).round() as i64
        } else {
            (value * 100.0).round() as i64
        };
        cut.clamp(0, lines_total)
    });
    let shipping = input
        .get("shippingLine")
        .filter(|s| !s.is_null())
        .and_then(|s| {
            s.get("priceWithCurrency")
                .and_then(|m| str_arg(m, "amount"))
                .or_else(|| str_arg(s, "price"))
        })
        .and_then(cents)
        .unwrap_or(0);
    let subtotal = lines_total - discount_cents;
    let id = store.next_gid("DraftOrder");
    let number = store.all("DraftOrder").count() + 1;
    let shop = store.get(store.shop_gid()).cloned();
    let domain = shop
        .as_deref()
        .and_then(|s| str_arg(s, "myshopifyDomain"))
        .unwrap_or("demo.myshopify.com")
        .to_owned();
    let line_items: Vec<Json> = planned
        .into_iter()
        .map(|(title, sku, quantity, unit, variant)| {
            json!({
                "id": store.next_gid("DraftOrderLineItem"),
                "title": title, "sku": sku, "quantity": quantity, "variant": variant,
                "originalUnitPriceSet": money_bag(unit, &currency),
                "originalTotalSet": money_bag(unit * quantity, &currency),
            })
        })
        .collect();
    let applied_discount = discount.map_or(Json::Null, |d| {
        json!({
            "title": d.get("title").cloned().unwrap_or(Json::Null),
            "description": str_arg(d, "description").unwrap_or_default(),
            "value": d.get("value").and_then(Json::as_f64).unwrap_or(0.0),
            "valueType": str_arg(d, "valueType").unwrap_or("FIXED_AMOUNT"),
            "amountSet": money_bag(discount_cents, &currency),
        })
    });
    let token = format!("{:032x}", crate::store::gid_number(&id));
    store.register(json!({
        "id": id.clone(),
        "name": format!("#D{number}"),
        "status": "OPEN",
        "email": input.get("email").cloned().unwrap_or(Json::Null),
        "note": input.get("note").cloned().unwrap_or(Json::Null),
        "tags": input.get("tags").cloned().unwrap_or(json!([])),
        "reserveInventoryUntil": input.get("reserveInventoryUntil").cloned().unwrap_or(Json::Null),
        "presentmentCurrencyCode": currency.clone(),
        "invoiceUrl": format!("https://{domain}/{}/invoices/{token}", crate::store::gid_number(store.shop_gid())),
        "invoiceSentAt": null,
        "shippingAddress": input.get("shippingAddress").cloned().unwrap_or(Json::Null),
        "appliedDiscount": applied_discount,
        "lineItemsSubtotalPrice": money_bag(lines_total, &currency),
        "subtotalPriceSet": money_bag(subtotal, &currency),
        "totalShippingPriceSet": money_bag(shipping, &currency),
        "totalTaxSet": money_bag(0, &currency),
        "totalPriceSet": money_bag(subtotal + shipping, &currency),
        "createdAt": NOW,
        "updatedAt": NOW,
        "lineItems": line_items,
    }));
    json!({"draftOrder": id, "userErrors": []})
}

/// `metaobjectUpsert(handle:, metaobject:)`: the type must have a definition; fields are
/// checked against it; a new metaobject needs every required field.
pub(crate) fn metaobject_upsert(store: &mut Store, args: &JsonMap) -> Json {
    let target = args.get("handle").cloned().unwrap_or(json!({}));
    let input = args.get("metaobject").cloned().unwrap_or(json!({}));
    let ty = str_arg(&target, "type").unwrap_or_default().to_owned();
    let handle = str_arg(&target, "handle").unwrap_or_default().to_owned();
    let failed = |errors: Vec<Json>| json!({"metaobject": null, "userErrors": errors});
    let coded = |field: Json, message: &str, code: &str, key: Json, index: Json| {
        json!({"field": field, "message": message, "code": code,
            "elementKey": key, "elementIndex": index})
    };
    let Some(definition) = store
        .all("MetaobjectDefinition")
        .find(|(_, d)| str_arg(d, "type") == Some(ty.as_str()))
        .map(|(_, d)| d.clone())
    else {
        return failed(vec![coded(
            json!(["handle", "type"]),
            &format!("No metaobject definition exists for type \"{ty}\""),
            "UNDEFINED_OBJECT_TYPE",
            Json::Null,
            Json::Null,
        )]);
    };
    if handle.trim().is_empty() {
        return failed(vec![coded(
            json!(["handle", "handle"]),
            "Handle can't be blank",
            "BLANK",
            Json::Null,
            Json::Null,
        )]);
    }
    let definitions = definition
        .get("fieldDefinitions")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    let kind_of = |key: &str| {
        definitions
            .iter()
            .find(|d| str_arg(d, "key") == Some(key))
            .and_then(|d| d.get("type").and_then(|t| str_arg(t, "name")))
            .map(str::to_owned)
    };
    let existing = store
        .all("Metaobject")
        .find(|(_, m)| {
            str_arg(m, "type") == Some(ty.as_str()) && str_arg(m, "handle") == Some(handle.as_str())
        })
        .map(|(id, m)| (id.to_owned(), m.clone()));
    let mut values: Vec<(String, String, String)> = existing
        .as_ref()
        .and_then(|(_, m)| m.get("fields").and_then(Json::as_array).cloned())
        .unwrap_or_default()
        .iter()
        .map(|f| {
            let text = |k: &str| str_arg(f, k).unwrap_or_default().to_owned();
            (text("key"), text("type"), text("value"))
        })
        .collect();
    let mut errors = Vec::new();
    for (i, field) in input
        .get("fields")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let key = str_arg(field, "key").unwrap_or_default();
        let value = str_arg(field, "value").unwrap_or_default();
        let at = json!(["metaobject", "fields", i.to_string()]);
        let Some(kind) = kind_of(key) else {
            errors.push(coded(
                at,
                &format!("Field definition \"{key}\" does not exist"),
                "UNDEFINED_OBJECT_FIELD",
                Json::from(key),
                Json::from(i),
            ));
            continue;
        };
        if let Err(message) = check_value(&kind, value) {
            errors.push(coded(
                at,
                &format!("Value is invalid for {kind}: {message}"),
                "INVALID_VALUE",
                Json::from(key),
                Json::from(i),
            ));
            continue;
        }
        values.retain(|(k, _, _)| k != key);
        values.push((key.to_owned(), kind, value.to_owned()));
    }
    for required in definitions
        .iter()
        .filter(|d| d.get("required").and_then(Json::as_bool) == Some(true))
        .filter_map(|d| str_arg(d, "key"))
    {
        if !values.iter().any(|(k, _, _)| k == required) {
            errors.push(coded(
                json!(["metaobject", "fields"]),
                &format!("Field \"{required}\" is required"),
                "OBJECT_FIELD_REQUIRED",
                Json::from(required),
                Json::Null,
            ));
        }
    }
    if !errors.is_empty() {
        return failed(errors);
    }
    // Fields in the definition's order, as Shopify lists them.
    values.sort_by_key(|(k, _, _)| {
        definitions
            .iter()
            .position(|d| str_arg(d, "key") == Some(k.as_str()))
    });
    let fields: Vec<Json> = values
        .iter()
        .map(|(key, kind, value)| {
            let parsed = serde_json::from_str::<serde_json::Value>(value)
                .ok()
                .filter(|_| {
                    kind.starts_with("list.") || kind.starts_with("number_") || kind == "json"
                })
                .map_or_else(|| Json::from(value.as_str()), Json::from);
            json!({"key": key, "type": kind, "value": value, "jsonValue": parsed})
        })
        .collect();
    let display_key = str_arg(&definition, "displayNameKey").unwrap_or_default();
    let new_handle = str_arg(&input, "handle")
        .map(handleize)
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| handle.clone());
    let display = values
        .iter()
        .find(|(k, _, _)| k == display_key)
        .map_or_else(|| new_handle.clone(), |(_, _, v)| v.clone());
    let status = input
        .get("capabilities")
        .and_then(|c| c.get("publishable"))
        .and_then(|p| str_arg(p, "status"))
        .map(str::to_owned)
        .or_else(|| {
            existing.as_ref().and_then(|(_, m)| {
                m.get("capabilities")
                    .and_then(|c| c.get("publishable"))
                    .and_then(|p| str_arg(p, "status"))
                    .map(str::to_owned)
            })
        })
        .unwrap_or_else(|| "DRAFT".to_owned());
    let mut data = JsonMap::new();
    data.insert("handle", Json::from(new_handle));
    data.insert("displayName", Json::from(display));
    data.insert("fields", Json::Array(fields));
    data.insert("capabilities", json!({"publishable": {"status": status}}));
    data.insert("updatedAt", Json::from(NOW));
    let id = match existing {
        Some((id, _)) => {
            store.update(&id, data);
            id
        }
        None => {
            let id = store.next_gid("Metaobject");
            data.insert("id", Json::from(id.clone()));
            data.insert("type", Json::from(ty));
            data.insert("createdAt", Json::from(NOW));
            store.register(Json::Object(data));
            id
        }
    };
    json!({"metaobject": id, "userErrors": []})
}

/// `productVariantsBulkUpdate(productId:, variants:, allowPartialUpdates:)`.
pub(crate) fn product_variants_bulk_update(store: &mut Store, args: &JsonMap) -> Json {
    let product_id = args
        .get("productId")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_owned();
    let coded = |field: &[&str], message: &str, code: &str| json!({"field": field, "message": message, "code": code});
    let failed =
        |errors: Vec<Json>| json!({"product": null, "productVariants": null, "userErrors": errors});
    let Some(product) = store
        .get(&product_id)
        .filter(|_| gid_parts(&product_id).is_some_and(|(t, _)| t == "Product"))
        .cloned()
    else {
        return failed(vec![coded(
            &["productId"],
            "Product does not exist",
            "PRODUCT_DOES_NOT_EXIST",
        )]);
    };
    let own = string_list(product.get("variants"));
    let inputs = args
        .get("variants")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    let partial = args.get("allowPartialUpdates").and_then(Json::as_bool) == Some(true);
    let mut errors = Vec::new();
    let mut planned: Vec<(String, JsonMap, JsonMap)> = Vec::new();
    let currency = shop_currency(store);
    for (i, v) in inputs.iter().enumerate() {
        let index = i.to_string();
        let at = |leaf: &'static str| ["variants", index.as_str(), leaf];
        let Some(id) = str_arg(v, "id") else {
            errors.push(coded(
                &at("id"),
                "Product variant is missing ID attribute",
                "PRODUCT_VARIANT_ID_MISSING",
            ));
            continue;
        };
        if !own.iter().any(|o| o == id) {
            errors.push(coded(
                &at("id"),
                "Product variant does not exist",
                "PRODUCT_VARIANT_DOES_NOT_EXIST",
            ));
            continue;
        }
        let mut variant = JsonMap::new();
        let mut bad = false;
        for key in ["price", "compareAtPrice"] {
            match decimal_arg(v, key) {
                Some(Ok(amount)) if amount.starts_with('-') => {
                    errors.push(coded(
                        &at(if key == "price" {
                            "price"
                        } else {
                            "compareAtPrice"
                        }),
                        "Negative price value is not allowed",
                        "NEGATIVE_PRICE_VALUE",
                    ));
                    bad = true;
                }
                Some(Ok(amount)) => {
                    variant.insert(key, Json::from(amount));
                }
                Some(Err(())) => {
                    errors.push(coded(&at("price"), "Price is invalid", "INVALID_INPUT"));
                    bad = true;
                }
                None if v.get(key).is_some() => {
                    variant.insert(key, Json::Null);
                }
                None => {}
            }
        }
        for key in ["barcode", "inventoryPolicy", "taxable"] {
            if let Some(value) = v.get(key) {
                variant.insert(key, value.clone());
            }
        }
        let mut item = JsonMap::new();
        if let Some(input) = v.get("inventoryItem").filter(|i| !i.is_null()) {
            match decimal_arg(input, "cost") {
                Some(Ok(cost)) => {
                    item.insert(
                        "unitCost",
                        json!({"amount": cost, "currencyCode": currency.as_str()}),
                    );
                }
                Some(Err(())) => {
                    errors.push(coded(
                        &["variants", index.as_str(), "inventoryItem", "cost"],
                        "Cost is invalid",
                        "INVALID_INPUT",
                    ));
                    bad = true;
                }
                None => {}
            }
            for key in [
                "countryCodeOfOrigin",
                "harmonizedSystemCode",
                "sku",
                "tracked",
                "requiresShipping",
            ] {
                if let Some(value) = input.get(key) {
                    item.insert(key, value.clone());
                }
            }
            if let Some(weight) = input.get("measurement").and_then(|m| m.get("weight")) {
                item.insert("measurement", json!({"weight": weight.clone()}));
            }
            if let Some(sku) = input.get("sku") {
                variant.insert("sku", sku.clone());
            }
        }
        if !bad {
            planned.push((id.to_owned(), variant, item));
        }
    }
    if !errors.is_empty() && !partial {
        return failed(errors);
    }
    let mut updated = Vec::new();
    for (id, mut variant, item) in planned {
        variant.insert("updatedAt", Json::from(NOW));
        store.update(&id, variant);
        let item_id = store
            .get(&id)
            .and_then(|v| str_arg(v, "inventoryItem").map(str::to_owned));
        if let (Some(item_id), false) = (item_id, item.is_empty()) {
            let mut item = item;
            item.insert("updatedAt", Json::from(NOW));
            store.update(&item_id, item);
        }
        updated.push(Json::from(id));
    }
    refresh_price_range(store, &product_id, &currency);
    json!({"product": product_id, "productVariants": updated, "userErrors": errors})
}

fn refresh_price_range(store: &mut Store, product: &str, currency: &str) {
    let prices: Vec<i64> = store
        .get(product)
        .map(|p| string_list(p.get("variants")))
        .unwrap_or_default()
        .iter()
        .filter_map(|v| {
            store
                .get(v)
                .and_then(|v| str_arg(v, "price"))
                .and_then(cents)
        })
        .collect();
    let (Some(min), Some(max)) = (prices.iter().min(), prices.iter().max()) else {
        return;
    };
    let mut fields = JsonMap::new();
    fields.insert(
        "priceRangeV2",
        json!({"minVariantPrice": money(*min, currency), "maxVariantPrice": money(*max, currency)}),
    );
    fields.insert("updatedAt", Json::from(NOW));
    store.update(product, fields);
}

/// Resources `tagsAdd` accepts.
const TAGGABLE: &[&str] = &["Product", "Order", "Customer", "DraftOrder", "Article"];

/// Shopify's limit on one tag's length.
const MAX_TAG_LENGTH: usize = 255;

/// `tagsAdd(id:, tags:)`: adds the tags the resource does not have yet.
pub(crate) fn tags_add(store: &mut Store, args: &JsonMap) -> Json {
    let id = args
        .get("id")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_owned();
    let taggable = gid_parts(&id).is_some_and(|(t, _)| TAGGABLE.contains(&t));
    let Some(current) = store.get(&id).filter(|_| taggable).cloned() else {
        return failed("node", vec![user_error(&["id"], "Object does not exist")]);
    };
    // Shopify also accepts one comma-separated string in the list.
    let wanted: Vec<String> = string_list(args.get("tags"))
        .iter()
        .flat_map(|t| t.split(','))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    if wanted.is_empty() {
        return failed("node", vec![user_error(&["tags"], "Tags can't be blank")]);
    }
    if wanted.iter().any(|t| t.len() > MAX_TAG_LENGTH) {
        return failed(
            "node",
            vec![user_error(
                &["tags"],
                "Tags is too long (maximum is 255 characters)",
            )],
        );
    }
    let mut tags = string_list(current.get("tags"));
    for tag in wanted {
        if !tags.iter().any(|t| t.eq_ignore_ascii_case(&tag)) {
            tags.push(tag);
        }
    }
    let mut fields = JsonMap::new();
    fields.insert(
        "tags",
        Json::Array(tags.into_iter().map(Json::from).collect()),
    );
    fields.insert("updatedAt", Json::from(NOW));
    store.update(&id, fields);
    json!({"node": id, "userErrors": []})
}

/// `webhookSubscriptionCreate(topic:, webhookSubscription:)`: an HTTPS, Pub/Sub or
/// EventBridge address, unique per topic.
pub(crate) fn webhook_subscription_create(store: &mut Store, args: &JsonMap) -> Json {
    let topic = args
        .get("topic")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_owned();
    let input = args
        .get("webhookSubscription")
        .cloned()
        .unwrap_or(json!({}));
    let uri = str_arg(&input, "uri")
        .or_else(|| str_arg(&input, "callbackUrl"))
        .unwrap_or_default()
        .trim()
        .to_owned();
    let at = ["webhookSubscription", "callbackUrl"];
    let failed = |message: &str| failed("webhookSubscription", vec![user_error(&at, message)]);
    if uri.is_empty() {
        return failed("Address can't be blank");
    }
    let supported = uri.starts_with("https://")
        || uri.starts_with("pubsub://")
        || uri.starts_with("arn:aws:events:");
    if !supported {
        let scheme = uri.split_once("://").map_or(uri.as_str(), |(s, _)| s);
        return failed(&format!("Address protocol {scheme} is not supported"));
    }
    let taken = store.all("WebhookSubscription").any(|(_, w)| {
        str_arg(w, "topic") == Some(topic.as_str()) && str_arg(w, "uri") == Some(uri.as_str())
    });
    if taken {
        return failed("Address for this topic has already been taken");
    }
    let id = store.next_gid("WebhookSubscription");
    let version = shopify_schema::AdminSchema::bundled().api_version();
    let metafields: Vec<Json> = input
        .get("metafields")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .map(|m| {
            json!({"namespace": str_arg(m, "namespace").unwrap_or("$app"),
                "key": str_arg(m, "key").unwrap_or_default()})
        })
        .collect();
    store.register(json!({
        "id": id.clone(),
        "topic": topic,
        "uri": uri.clone(),
        "callbackUrl": uri,
        "format": str_arg(&input, "format").unwrap_or("JSON"),
        "filter": input.get("filter").cloned().unwrap_or(Json::Null),
        "includeFields": input.get("includeFields").cloned().unwrap_or(json!([])),
        "metafieldNamespaces": input.get("metafieldNamespaces").cloned().unwrap_or(json!([])),
        "metafields": metafields,
        "apiVersion": {"handle": version, "displayName": version, "supported": true},
        "createdAt": NOW,
        "updatedAt": NOW,
    }));
    json!({"webhookSubscription": id, "userErrors": []})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_trip_through_cents() {
        assert_eq!(cents("19.9"), Some(1990));
        assert_eq!(cents("4.50"), Some(450));
        assert_eq!(cents("-0.05"), Some(-5));
        assert_eq!(cents("abc"), None);
        assert_eq!(amount_text(1990), "19.90");
        assert_eq!(amount_text(-5), "-0.05");
    }
}
