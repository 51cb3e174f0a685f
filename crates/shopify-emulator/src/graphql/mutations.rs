//! The mutations the emulator implements against the demo shop.

use apollo_compiler::ast::Type;
use apollo_compiler::executable;
use apollo_compiler::resolvers::{FieldError, ResolvedValue};
use serde_json_bytes::{Value as Json, json};

use super::input::{handle_base, input_arg, required_title, str_arg, unique_handle, user_error};
use super::resolve::{Ctx, field_error};
use super::{adjustments, admission, bulk, writes};
use crate::stats::AppliedWrite;
use crate::store::{JsonMap, NOW, Store, gid_parts, handleize};

/// Shopify's limit on one `metafieldsSet` call (see the mutation's description).
const MAX_METAFIELDS: usize = 25;

/// Resolves a root mutation field: replays the first result of an `@idempotent(key:)` seen
/// before, else applies the mutation and records the write.
/// A mutation the emulator does not implement. When its payload has `userErrors`, it
/// answers with one saying so (schema-valid, so typed clients decode it, and honest:
/// nothing was written); otherwise a `BAD_REQUEST` field error.
fn not_implemented(ctx: &Ctx<'_>, field: &str, ty: &Type) -> Result<Json, FieldError> {
    let message =
        format!("The emulator does not implement the mutation {field}; nothing was written.");
    let has_user_errors = ctx
        .schema
        .get_object(ty.inner_named_type())
        .is_some_and(|payload| payload.fields.contains_key("userErrors"));
    if has_user_errors {
        Ok(json!({
            "userErrors": [{"field": null, "message": message}]
        }))
    } else {
        Err(field_error("BAD_REQUEST", &message))
    }
}

pub(crate) fn resolve<'a, 's>(
    ctx: &'a Ctx<'s>,
    field: &str,
    ty: &Type,
    args: &JsonMap,
    selections: &[&executable::Field],
) -> Result<ResolvedValue<'a>, FieldError> {
    let key = selections
        .first()
        .and_then(|f| admission::idempotency_key(f, &ctx.variables))
        .filter(|k| !k.is_empty());
    if let Some(key) = &key {
        let first = ctx.read(|s| s.idempotent_result(&ctx.app, field, key));
        if let Some(first) = first {
            ctx.replays.set(ctx.replays.get() + 1);
            return ctx.present(Some(&first), ty, args, 0);
        }
    }
    let payload = ctx
        .write(|store| match field {
            "productCreate" => Ok(product_create(store, args)),
            "productUpdate" => Ok(product_update(store, args)),
            "productDelete" => Ok(product_delete(store, args)),
            "metafieldsSet" => Ok(metafields_set(store, args)),
            "inventorySetQuantities" => Ok(inventory_set_quantities(store, args)),
            "bulkOperationRunQuery" => Ok(bulk::run_query(ctx, store, args)),
            "bulkOperationRunMutation" => Ok(bulk::run_mutation(ctx, store, args)),
            "bulkOperationCancel" => Ok(bulk::cancel(store, args)),
            "stagedUploadsCreate" => Ok(bulk::staged_uploads_create(ctx, store, args)),
            "collectionCreate" => Ok(writes::collection_create(store, args)),
            "customerCreate" => Ok(writes::customer_create(store, args)),
            "customerUpdate" => Ok(writes::customer_update(store, args)),
            "draftOrderCreate" => Ok(writes::draft_order_create(store, args)),
            "metaobjectUpsert" => Ok(writes::metaobject_upsert(store, args)),
            "productVariantsBulkUpdate" => Ok(writes::product_variants_bulk_update(store, args)),
            "tagsAdd" => Ok(writes::tags_add(store, args)),
            "webhookSubscriptionCreate" => Ok(writes::webhook_subscription_create(store, args)),
            other => not_implemented(ctx, other, ty),
        })
        .unwrap_or_else(|| Err(field_error("BAD_REQUEST", "Mutations need write access.")))?;
    let mut payload = payload;
    if let Json::Object(map) = &mut payload {
        let shop = ctx.read(|s| s.shop_gid().to_owned());
        map.insert("shop", Json::from(shop));
    }
    // A payload with user errors applied nothing (every mutation here is atomic).
    let applied = payload
        .get("userErrors")
        .and_then(Json::as_array)
        .is_none_or(Vec::is_empty);
    if applied {
        ctx.writes.borrow_mut().push(AppliedWrite {
            mutation: field.to_owned(),
            app: ctx.app.clone(),
            idempotency_key: key.clone(),
            arguments: super::json::from_bytes(&Json::Object(args.clone())),
        });
    }
    if let Some(key) = &key {
        ctx.write(|s| s.remember_idempotent(&ctx.app, field, key, payload.clone()));
    }
    ctx.present(Some(&payload), ty, args, 0)
}

/// `productCreate(product:)`, or the older `input:` argument.
fn product_create(store: &mut Store, args: &JsonMap) -> Json {
    let input = input_arg(args, "product");
    let title = match required_title(&input, "product") {
        Ok(title) => title,
        Err(payload) => return payload,
    };
    let handle = unique_handle(store, "Product", handle_base(&input, &title), None);
    let pid = store.next_gid("Product");
    let vid = store.next_gid("ProductVariant");
    let iid = store.next_gid("InventoryItem");
    let product = json!({
        "id": pid.clone(),
        "title": title.clone(),
        "handle": handle,
        "vendor": str_arg(&input, "vendor").unwrap_or_default(),
        "productType": str_arg(&input, "productType").unwrap_or_default(),
        "status": str_arg(&input, "status").unwrap_or("ACTIVE"),
        "tags": input.get("tags").cloned().unwrap_or(json!([])),
        "descriptionHtml": str_arg(&input, "descriptionHtml").unwrap_or_default(),
        "description": strip_tags(str_arg(&input, "descriptionHtml").unwrap_or_default()),
        "createdAt": NOW,
        "updatedAt": NOW,
        "totalInventory": 0,
        "tracksInventory": false,
        "hasOnlyDefaultVariant": true,
        "options": [{"id": format!("gid://shopify/ProductOption/{}", crate::store::gid_number(&pid)),
            "name": "Title", "position": 1, "values": ["Default Title"]}],
        "priceRangeV2": {"minVariantPrice": {"amount": "0.0", "currencyCode": "USD"},
            "maxVariantPrice": {"amount": "0.0", "currencyCode": "USD"}},
        "variants": [{
            "id": vid, "title": "Default Title", "displayName": format!("{title} - Default Title"),
            "price": "0.00", "compareAtPrice": null, "position": 1, "inventoryQuantity": 0,
            "availableForSale": false, "inventoryPolicy": "DENY",
            "selectedOptions": [{"name": "Title", "value": "Default Title"}],
            "createdAt": NOW, "updatedAt": NOW,
            "inventoryItem": {"id": iid, "tracked": false, "requiresShipping": true,
                "createdAt": NOW, "updatedAt": NOW}
        }]
    });
    let id = store.register(product);
    json!({"product": id, "userErrors": []})
}

pub(crate) fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn product_update(store: &mut Store, args: &JsonMap) -> Json {
    let input = input_arg(args, "product");
    let id = str_arg(&input, "id").unwrap_or_default().to_owned();
    if !id.starts_with("gid://shopify/Product/") || store.get(&id).is_none() {
        return json!({"product": null, "userErrors": [user_error(&["id"], "Product does not exist")]});
    }
    let mut fields = JsonMap::new();
    if let Some(title) = input.get("title") {
        let title = title.as_str().unwrap_or_default().trim();
        if title.is_empty() {
            return json!({"product": null, "userErrors": [user_error(&["title"], "Title can't be blank")]});
        }
        fields.insert("title", Json::from(title));
    }
    if let Some(handle) = str_arg(&input, "handle") {
        fields.insert(
            "handle",
            Json::from(unique_handle(
                store,
                "Product",
                handleize(handle),
                Some(&id),
            )),
        );
    }
    for key in [
        "vendor",
        "productType",
        "status",
        "tags",
        "descriptionHtml",
        "templateSuffix",
    ] {
        if let Some(v) = input.get(key).filter(|v| !v.is_null()) {
            fields.insert(key, v.clone());
        }
    }
    if let Some(html) = str_arg(&input, "descriptionHtml") {
        fields.insert("description", Json::from(strip_tags(html)));
    }
    fields.insert("updatedAt", Json::from(NOW));
    store.update(&id, fields);
    json!({"product": id, "userErrors": []})
}

fn product_delete(store: &mut Store, args: &JsonMap) -> Json {
    let id = args
        .get("input")
        .and_then(|i| i.get("id"))
        .or_else(|| args.get("id"))
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_owned();
    if !id.starts_with("gid://shopify/Product/") {
        return json!({"deletedProductId": null, "userErrors": [user_error(&["id"], "Product does not exist")]});
    }
    let Some(product) = store.remove(&id) else {
        return json!({"deletedProductId": null, "userErrors": [user_error(&["id"], "Product does not exist")]});
    };
    for variant in product
        .get("variants")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
    {
        if let Some(v) = store.remove(variant) {
            if let Some(item) = v.get("inventoryItem").and_then(Json::as_str) {
                if let Some(item) = store.remove(item) {
                    for level in item
                        .get("inventoryLevels")
                        .and_then(Json::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Json::as_str)
                    {
                        store.remove(level);
                    }
                }
            }
        }
    }
    let collections: Vec<(String, Json)> = store
        .all("Collection")
        .map(|(cid, c)| {
            (
                cid.to_owned(),
                c.get("products").cloned().unwrap_or(json!([])),
            )
        })
        .collect();
    for (cid, products) in collections {
        if let Json::Array(list) = products {
            let kept: Vec<Json> = list
                .into_iter()
                .filter(|p| p.as_str() != Some(&id))
                .collect();
            let mut fields = JsonMap::new();
            fields.insert("products", Json::Array(kept));
            store.update(&cid, fields);
        }
    }
    let metafields: Vec<String> = store
        .all("Metafield")
        .filter(|(_, m)| m.get("owner").and_then(Json::as_str) == Some(&id))
        .map(|(mid, _)| mid.to_owned())
        .collect();
    for mid in metafields {
        store.remove(&mid);
    }
    json!({"deletedProductId": id, "userErrors": []})
}

/// Metafield types and how their values are checked.
pub(crate) fn check_value(kind: &str, value: &str) -> Result<(), &'static str> {
    let base = kind.strip_prefix("list.");
    if base.is_some() {
        return match serde_json::from_str::<serde_json::Value>(value) {
            Ok(serde_json::Value::Array(_)) => Ok(()),
            _ => Err("Value must be a JSON array."),
        };
    }
    match kind {
        "single_line_text_field" => {
            if value.contains('\n') {
                Err("Value must be a single line of text.")
            } else {
                Ok(())
            }
        }
        "multi_line_text_field"
        | "rich_text_field"
        | "id"
        | "link"
        | "language"
        | "company_reference"
        | "product_reference"
        | "variant_reference"
        | "collection_reference"
        | "customer_reference"
        | "file_reference"
        | "metaobject_reference"
        | "mixed_reference"
        | "page_reference"
        | "order_reference" => Ok(()),
        "number_integer" => value
            .trim()
            .parse::<i64>()
            .map(|_| ())
            .map_err(|_| "Value must be an integer."),
        "number_decimal" => value
            .trim()
            .parse::<f64>()
            .map(|_| ())
            .map_err(|_| "Value must be a decimal."),
        "boolean" => match value {
            "true" | "false" => Ok(()),
            _ => Err("Value must be true or false."),
        },
        "json" | "money" | "rating" | "weight" | "dimension" | "volume" => {
            serde_json::from_str::<serde_json::Value>(value)
                .map(|_| ())
                .map_err(|_| "Value must be valid JSON.")
        }
        "date" => {
            let ok =
                value.len() == 10 && value.as_bytes()[4] == b'-' && value.as_bytes()[7] == b'-';
            if ok {
                Ok(())
            } else {
                Err("Value must be in YYYY-MM-DD format.")
            }
        }
        "date_time" => {
            if value.len() >= 19 && value.as_bytes().get(10) == Some(&b'T') {
                Ok(())
            } else {
                Err("Value must be in YYYY-MM-DDTHH:MM:SS format.")
            }
        }
        "url" => {
            if value.starts_with("https://") || value.starts_with("http://") {
                Ok(())
            } else {
                Err("Value must be a valid URL.")
            }
        }
        "color" => {
            let ok = value.len() == 7
                && value.starts_with('#')
                && value[1..].chars().all(|c| c.is_ascii_hexdigit());
            if ok {
                Ok(())
            } else {
                Err("Value must be a hex color code.")
            }
        }
        _ => Err("unknown type"),
    }
}

fn metafields_set(store: &mut Store, args: &JsonMap) -> Json {
    let inputs = args
        .get("metafields")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    if inputs.len() > MAX_METAFIELDS {
        return json!({"metafields": null, "userErrors": [{
            "field": ["metafields"],
            "message": format!("Exceeded the maximum metafields input limit of {MAX_METAFIELDS}."),
            "code": "LESS_THAN_OR_EQUAL_TO",
            "elementIndex": null
        }]});
    }
    let mut errors = Vec::new();
    let mut planned = Vec::new();
    for (i, m) in inputs.iter().enumerate() {
        let index = i.to_string();
        let mut fail = |field: &str, message: &str, code: &str| {
            errors.push(json!({
                "field": ["metafields", index.as_str(), field],
                "message": message,
                "code": code,
                "elementIndex": i,
            }));
        };
        let owner = str_arg(m, "ownerId").unwrap_or_default();
        let namespace = str_arg(m, "namespace").unwrap_or("$app").to_owned();
        let key = str_arg(m, "key").unwrap_or_default().to_owned();
        let value = str_arg(m, "value").unwrap_or_default().to_owned();
        if gid_parts(owner).is_none() || store.get(owner).is_none() {
            fail("ownerId", "Owner does not exist.", "INVALID");
            continue;
        }
        if key.trim().is_empty() {
            fail("key", "Key can't be blank", "BLANK");
            continue;
        }
        if key.len() < 2 {
            fail(
                "key",
                "Key is too short (minimum is 2 characters)",
                "TOO_SHORT",
            );
            continue;
        }
        if !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            fail(
                "key",
                "Key contains one or more invalid characters.",
                "INVALID",
            );
            continue;
        }
        let existing = store
            .all("Metafield")
            .find(|(_, d)| {
                d.get("owner").and_then(Json::as_str) == Some(owner)
                    && d.get("namespace").and_then(Json::as_str) == Some(namespace.as_str())
                    && d.get("key").and_then(Json::as_str) == Some(key.as_str())
            })
            .map(|(id, d)| (id.to_owned(), d.clone()));
        let kind = match (str_arg(m, "type"), &existing) {
            (Some(t), _) => t.to_owned(),
            (None, Some((_, d))) => str_arg(d, "type").unwrap_or_default().to_owned(),
            (None, None) => {
                fail("type", "Type can't be blank", "BLANK");
                continue;
            }
        };
        match check_value(&kind, &value) {
            Err("unknown type") => {
                fail(
                    "type",
                    &format!("Type '{kind}' is not a valid metafield type."),
                    "INVALID_TYPE",
                );
                continue;
            }
            Err(message) => {
                fail("value", message, "INVALID_VALUE");
                continue;
            }
            Ok(()) => {}
        }
        planned.push((
            existing.map(|e| e.0),
            owner.to_owned(),
            namespace,
            key,
            kind,
            value,
        ));
    }
    if !errors.is_empty() {
        // Atomic: nothing is written when any element fails.
        return json!({"metafields": [], "userErrors": errors});
    }
    let mut ids = Vec::new();
    for (existing, owner, namespace, key, kind, value) in planned {
        match existing {
            Some(id) => {
                let mut fields = JsonMap::new();
                fields.insert("value", Json::from(value));
                fields.insert("type", Json::from(kind));
                fields.insert("updatedAt", Json::from(NOW));
                store.update(&id, fields);
                ids.push(Json::from(id));
            }
            None => {
                let id = store.next_gid("Metafield");
                store.register(json!({
                    "id": id.clone(), "namespace": namespace, "key": key, "type": kind,
                    "value": value, "owner": owner, "createdAt": NOW, "updatedAt": NOW,
                }));
                ids.push(Json::from(id));
            }
        }
    }
    json!({"metafields": ids, "userErrors": []})
}

/// Reasons `inventorySetQuantities` accepts (Shopify's documented list).
const INVENTORY_REASONS: &[&str] = &[
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_created",
    "movement_updated",
    "movement_received",
    "movement_canceled",
    "other",
    "promotion",
    "quality_control",
    "received",
    "reservation_created",
    "reservation_deleted",
    "reservation_updated",
    "restock",
    "safety_stock",
    "shrinkage",
];

/// Shopify's bounds on a quantity.
const MAX_QUANTITY: i64 = 1_000_000_000;

/// `inventorySetQuantities(input: {name, reason, referenceDocumentUri, quantities})`:
/// sets `available` or `on_hand` at item+location pairs, all or nothing. Setting one
/// moves the other by the same delta (committed and reserved stay), as on Shopify.
fn inventory_set_quantities(store: &mut Store, args: &JsonMap) -> Json {
    let input = args.get("input").cloned().unwrap_or(json!({}));
    let failed =
        |errors: Vec<Json>| json!({"inventoryAdjustmentGroup": null, "userErrors": errors});
    let error = |field: &[&str], message: &str, code: &str| json!({"field": field, "message": message, "code": code});
    let name = str_arg(&input, "name").unwrap_or_default().to_owned();
    if name != "available" && name != "on_hand" {
        return failed(vec![error(
            &["input", "name"],
            "The quantity name must be either 'available' or 'on_hand'.",
            "INVALID_NAME",
        )]);
    }
    let other_name = if name == "available" {
        "on_hand"
    } else {
        "available"
    };
    let reason = str_arg(&input, "reason").unwrap_or_default().to_owned();
    if !INVENTORY_REASONS.contains(&reason.as_str()) {
        return failed(vec![error(
            &["input", "reason"],
            "The specified reason is invalid.",
            "INVALID_REASON",
        )]);
    }
    let quantities = input
        .get("quantities")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    let mut errors = Vec::new();
    // (level gid, item, location, new quantity, current quantity, other quantity)
    let mut planned: Vec<(String, String, String, i64, i64, i64)> = Vec::new();
    for (i, q) in quantities.iter().enumerate() {
        let index = i.to_string();
        let at = |leaf: &'static str| ["input", "quantities", index.as_str(), leaf];
        let item = str_arg(q, "inventoryItemId").unwrap_or_default().to_owned();
        let location = str_arg(q, "locationId").unwrap_or_default().to_owned();
        let quantity = q.get("quantity").and_then(Json::as_i64).unwrap_or(0);
        let is_item = gid_parts(&item).is_some_and(|(t, _)| t == "InventoryItem");
        if !is_item || store.get(&item).is_none() {
            errors.push(error(
                &at("inventoryItemId"),
                "The specified inventory item could not be found.",
                "INVALID_INVENTORY_ITEM",
            ));
            continue;
        }
        let is_location = gid_parts(&location).is_some_and(|(t, _)| t == "Location");
        if !is_location || store.get(&location).is_none() {
            errors.push(error(
                &at("locationId"),
                "The specified location could not be found.",
                "INVALID_LOCATION",
            ));
            continue;
        }
        if quantity > MAX_QUANTITY {
            errors.push(error(
                &at("quantity"),
                "The quantity can't be higher than 1,000,000,000.",
                "INVALID_QUANTITY_TOO_HIGH",
            ));
            continue;
        }
        if quantity < -MAX_QUANTITY {
            errors.push(error(
                &at("quantity"),
                "The quantity can't be lower than -1,000,000,000.",
                "INVALID_QUANTITY_TOO_LOW",
            ));
            continue;
        }
        if planned.iter().any(|p| p.1 == item && p.2 == location) {
            errors.push(error(
                &at("inventoryItemId"),
                "The combination of inventoryItemId and locationId must be unique.",
                "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR",
            ));
            continue;
        }
        let level = store
            .all("InventoryLevel")
            .find(|(_, d)| {
                d.get("item").and_then(Json::as_str) == Some(item.as_str())
                    && d.get("location").and_then(Json::as_str) == Some(location.as_str())
            })
            .map(|(id, d)| (id.to_owned(), d.clone()));
        let Some((level_id, level)) = level else {
            errors.push(error(
                &at("locationId"),
                "The inventory item is not stocked at the location.",
                "INVALID_LOCATION",
            ));
            continue;
        };
        let current_of = |n: &str| {
            level
                .get("quantities")
                .and_then(|qs| qs.get(n))
                .and_then(Json::as_i64)
                .unwrap_or(0)
        };
        let current = current_of(&name);
        // Compare-and-swap: the field must be sent, null skips the check.
        match q.get("changeFromQuantity") {
            None => {
                errors.push(error(
                    &at("changeFromQuantity"),
                    "The changeFromQuantity field is required. Pass null to skip the compare check.",
                    "COMPARE_QUANTITY_REQUIRED",
                ));
                continue;
            }
            Some(expected) if !expected.is_null() && expected.as_i64() != Some(current) => {
                errors.push(error(
                    &at("changeFromQuantity"),
                    "The changeFromQuantity value does not match persisted value.",
                    "CHANGE_FROM_QUANTITY_STALE",
                ));
                continue;
            }
            Some(_) => {}
        }
        planned.push((
            level_id,
            item,
            location,
            quantity,
            current,
            current_of(other_name),
        ));
    }
    if !errors.is_empty() {
        return failed(errors);
    }
    let mut changes = Vec::new();
    let mut touched_items = Vec::new();
    for (level_id, item, location, quantity, current, other) in &planned {
        let (quantity, current, other) = (*quantity, *current, *other);
        let delta = quantity - current;
        let mut levels_quantities = store
            .get(level_id)
            .and_then(|l| l.get("quantities").cloned())
            .unwrap_or(json!({}));
        if let Json::Object(map) = &mut levels_quantities {
            map.insert(name.as_str(), Json::from(quantity));
            map.insert(other_name, Json::from(other + delta));
        }
        let mut fields = JsonMap::new();
        fields.insert("quantities", levels_quantities);
        fields.insert("updatedAt", Json::from(NOW));
        store.update(level_id, fields);
        for (n, after) in [(name.as_str(), quantity), (other_name, other + delta)] {
            changes.push(adjustments::Change {
                name: n,
                delta,
                after,
                item,
                location,
            });
        }
        touched_items.push(item.clone());
    }
    let changes = adjustments::encode(&changes);
    for item in touched_items {
        refresh_inventory_totals(store, &item);
    }
    let id = store.next_gid("InventoryAdjustmentGroup");
    store.register(json!({
        "id": id.clone(),
        "reason": reason,
        "referenceDocumentUri": input.get("referenceDocumentUri").cloned().unwrap_or(Json::Null),
        "createdAt": NOW,
        "changes": changes,
    }));
    store.keep_newest(
        "InventoryAdjustmentGroup",
        crate::store::MAX_ADJUSTMENT_GROUPS,
    );
    json!({"inventoryAdjustmentGroup": id, "userErrors": []})
}

/// The variant's `inventoryQuantity` and its product's `totalInventory`: sums of
/// `available` over the levels.
fn refresh_inventory_totals(store: &mut Store, item: &str) {
    let available_of = |store: &Store, item: &str| -> i64 {
        store
            .all("InventoryLevel")
            .filter(|(_, d)| d.get("item").and_then(Json::as_str) == Some(item))
            .filter_map(|(_, d)| d.get("quantities")?.get("available")?.as_i64())
            .sum()
    };
    let Some(variant) = store
        .get(item)
        .and_then(|i| i.get("variant").and_then(Json::as_str).map(str::to_owned))
    else {
        return;
    };
    let mut fields = JsonMap::new();
    fields.insert("inventoryQuantity", Json::from(available_of(store, item)));
    store.update(&variant, fields);
    let Some(product) = store
        .get(&variant)
        .and_then(|v| v.get("product").and_then(Json::as_str).map(str::to_owned))
    else {
        return;
    };
    let items: Vec<String> = store
        .get(&product)
        .and_then(|p| p.get("variants").and_then(Json::as_array).cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(Json::as_str)
        .filter_map(|v| {
            store.get(v).and_then(|v| {
                v.get("inventoryItem")
                    .and_then(Json::as_str)
                    .map(str::to_owned)
            })
        })
        .collect();
    let total: i64 = items.iter().map(|i| available_of(store, i)).sum();
    let mut fields = JsonMap::new();
    fields.insert("totalInventory", Json::from(total));
    store.update(&product, fields);
}
