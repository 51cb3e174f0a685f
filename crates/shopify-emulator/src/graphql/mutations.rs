//! The mutations the emulator implements against the demo shop.

use apollo_compiler::ast::Type;
use apollo_compiler::resolvers::{FieldError, ResolvedValue};
use serde_json_bytes::{Value as Json, json};

use super::resolve::{Ctx, field_error};
use super::validate;
use crate::store::{JsonMap, NOW, Store, gid_parts, handleize};

/// Where a bulk operation keeps its JSONL result (not a schema field, so never exposed).
pub(crate) const JSONL_KEY: &str = "_jsonl";

/// Shopify's limit on one `metafieldsSet` call (see the mutation's description).
const MAX_METAFIELDS: usize = 25;

pub(crate) fn resolve<'a, 's>(
    ctx: &'a Ctx<'s>,
    field: &str,
    ty: &Type,
    args: &JsonMap,
) -> Result<ResolvedValue<'a>, FieldError> {
    let payload = ctx
        .write(|store| match field {
            "productCreate" => Ok(product_create(store, args)),
            "productUpdate" => Ok(product_update(store, args)),
            "productDelete" => Ok(product_delete(store, args)),
            "metafieldsSet" => Ok(metafields_set(store, args)),
            "bulkOperationRunQuery" => Ok(bulk_run_query(ctx, store, args)),
            other => Err(field_error(
                "BAD_REQUEST",
                &format!("The emulator does not implement the mutation {other}."),
            )),
        })
        .unwrap_or_else(|| Err(field_error("BAD_REQUEST", "Mutations need write access.")))?;
    let mut payload = payload;
    if let Json::Object(map) = &mut payload {
        let shop = ctx.read(|s| s.shop_gid().to_owned());
        map.insert("shop", Json::from(shop));
    }
    ctx.present(Some(&payload), ty, args, 0)
}

fn user_error(field: &[&str], message: &str) -> Json {
    json!({"field": field, "message": message})
}

fn str_arg<'a>(input: &'a Json, key: &str) -> Option<&'a str> {
    input.get(key).and_then(Json::as_str)
}

/// `productCreate(product:)`, or the older `input:` argument.
fn product_create(store: &mut Store, args: &JsonMap) -> Json {
    let input = args
        .get("product")
        .or_else(|| args.get("input"))
        .cloned()
        .unwrap_or(json!({}));
    let title = str_arg(&input, "title")
        .unwrap_or_default()
        .trim()
        .to_owned();
    if title.is_empty() {
        return json!({"product": null, "userErrors": [user_error(&["title"], "Title can't be blank")]});
    }
    let handle = unique_handle(
        store,
        str_arg(&input, "handle")
            .map(handleize)
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| handleize(&title)),
        None,
    );
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

fn strip_tags(html: &str) -> String {
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

fn unique_handle(store: &Store, base: String, except: Option<&str>) -> String {
    let taken = |h: &str| {
        store
            .all("Product")
            .any(|(id, d)| Some(id) != except && d.get("handle").and_then(Json::as_str) == Some(h))
    };
    if !taken(&base) {
        return base;
    }
    (1..)
        .map(|n| format!("{base}-{n}"))
        .find(|h| !taken(h))
        .unwrap_or(base)
}

fn product_update(store: &mut Store, args: &JsonMap) -> Json {
    let input = args
        .get("product")
        .or_else(|| args.get("input"))
        .cloned()
        .unwrap_or(json!({}));
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
            Json::from(unique_handle(store, handleize(handle), Some(&id))),
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
fn check_value(kind: &str, value: &str) -> Result<(), &'static str> {
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

fn bulk_run_query(ctx: &Ctx<'_>, store: &mut Store, args: &JsonMap) -> Json {
    let query = args.get("query").and_then(Json::as_str).unwrap_or_default();
    let invalid = |message: String| {
        json!({"bulkOperation": null,
            "userErrors": [{"field": ["query"], "message": message, "code": "INVALID"}]})
    };
    let document = match validate::check(ctx.schema, query) {
        Ok(document) => document,
        Err(errors) => {
            let message = errors
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default();
            return invalid(message);
        }
    };
    let (jsonl, roots) = match super::run_bulk(ctx, &document, store) {
        Ok(result) => result,
        Err(message) => return invalid(message),
    };
    let id = store.next_gid("BulkOperation");
    let n = crate::store::gid_number(&id);
    let url = match &ctx.base_url {
        Some(base) => format!("{base}/bulk-operations/{n}.jsonl"),
        None => format!("https://storage.example.com/emulator/bulk-operations/{n}.jsonl"),
    };
    let objects = jsonl.lines().count();
    store.register(json!({
        "id": id.clone(),
        "status": "COMPLETED",
        "type": "QUERY",
        "query": query,
        "createdAt": NOW,
        "completedAt": NOW,
        "objectCount": objects.to_string(),
        "rootObjectCount": roots.to_string(),
        "fileSize": jsonl.len().to_string(),
        "url": if objects == 0 { Json::Null } else { Json::from(url) },
        "partialDataUrl": null,
        "errorCode": null,
        JSONL_KEY: jsonl,
    }));
    json!({"bulkOperation": id, "userErrors": []})
}
