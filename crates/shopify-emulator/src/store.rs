//! The demo shop's data: seeded from `data/demo_shop.json`, written by mutations.
//!
//! Objects with a gid `id` live in one flat table; wherever the seed nests such an object it
//! is replaced by its gid, so a string where the schema expects an object is a reference.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, RwLock};

use serde_json_bytes::{ByteString, Value as Json, json};

use crate::EmulatorError;
use crate::config::DEMO_SHOP;
use crate::graphql::bulk::BulkRoom;

pub(crate) type JsonMap = serde_json_bytes::Map<ByteString, Json>;

static SEED: &str = include_str!("../data/demo_shop.json");

/// Fixed "now" of the emulator, so that answers are reproducible.
/// Idempotency keys remembered per shop. Shopify keeps a key 24 hours; the emulator keeps
/// the newest this many, far more than any retry needs, so a long run stays bounded.
pub const MAX_IDEMPOTENCY_KEYS: usize = 4_096;

/// Inventory adjustment groups kept per shop (every `inventorySetQuantities` makes one);
/// older ones are forgotten, so history does not grow without bound.
pub const MAX_ADJUSTMENT_GROUPS: usize = 1_024;

pub(crate) const NOW: &str = "2025-01-01T00:00:00Z";

/// One shop: its handle and its data.
#[derive(Debug)]
pub(crate) struct ShopState {
    pub(crate) handle: String,
    pub(crate) store: RwLock<Store>,
}

impl ShopState {
    pub(crate) fn seeded(handle: &str, extra_products: usize) -> Result<Self, EmulatorError> {
        let mut store = Store::from_seed(SEED)?;
        store.rename_shop(handle);
        store.add_synthetic_products(extra_products);
        Ok(Self {
            handle: handle.to_owned(),
            store: RwLock::new(store),
        })
    }
}

/// `gid://shopify/Type/123` → (`Type`, `123`).
pub(crate) fn gid_parts(gid: &str) -> Option<(&str, &str)> {
    let rest = gid.strip_prefix("gid://shopify/")?;
    let (ty, id) = rest.split_once('/')?;
    let valid_ty = !ty.is_empty() && ty.chars().all(|c| c.is_ascii_alphanumeric());
    (valid_ty && !id.is_empty()).then_some((ty, id))
}

/// The numeric part of a gid, 0 when it has none.
pub(crate) fn gid_number(gid: &str) -> u64 {
    gid_parts(gid)
        .and_then(|(_, id)| id.split('?').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or(0)
}

/// Lower-case, dash-separated handle of a title, as Shopify derives one.
pub(crate) fn handleize(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Store {
    objects: HashMap<String, Arc<Json>>,
    by_type: HashMap<String, Vec<String>>,
    next_ids: HashMap<String, u64>,
    shop: String,
    /// First results of idempotent mutations, by [`idempotency_id`]; at most
    /// [`MAX_IDEMPOTENCY_KEYS`], the oldest forgotten first (`idempotent_order`). Each is
    /// kept as two allocations (the id, shared with the order, and the result as JSON
    /// text): as three strings twice and a JSON object they were about 700 bytes in a
    /// dozen allocations, and a long run's memory grew by them (replays are rare, so
    /// parsing the text again on a replay costs nothing that matters).
    idempotent: HashMap<Arc<str>, Box<str>>,
    idempotent_order: VecDeque<Arc<str>>,
    /// Bulk operations and staged uploads: behind their own lock, so status reads (which
    /// move a run on) work under the store's read lock.
    bulk: Arc<Mutex<BulkRoom>>,
}

impl Store {
    fn from_seed(seed: &str) -> Result<Self, EmulatorError> {
        let doc: Json =
            serde_json::from_str(seed).map_err(|e| EmulatorError::Seed(e.to_string()))?;
        let Json::Object(doc) = doc else {
            return Err(EmulatorError::Seed("not a JSON object".into()));
        };
        let mut store = Store::default();
        let shop = doc
            .get("shop")
            .cloned()
            .ok_or_else(|| EmulatorError::Seed("no shop".into()))?;
        store.shop = store.register(shop);
        for key in [
            "locations",
            "products",
            "collections",
            "customers",
            "orders",
            "metafields",
        ] {
            let Some(Json::Array(items)) = doc.get(key) else {
                return Err(EmulatorError::Seed(format!("no {key} array")));
            };
            for item in items.clone() {
                store.register(item);
            }
        }
        // Optional: the types `metaobjectUpsert` accepts.
        if let Some(Json::Array(items)) = doc.get("metaobjectDefinitions") {
            for item in items.clone() {
                store.register(item);
            }
        }
        Ok(store)
    }

    /// Stores `value` and the objects with a gid nested in it; returns its gid.
    pub(crate) fn register(&mut self, value: Json) -> String {
        let Json::Object(mut map) = value else {
            return String::new();
        };
        let id = map
            .get("id")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_owned();
        let (ty, _) = gid_parts(&id).unwrap_or(("", ""));
        let ty = ty.to_owned();
        let keys: Vec<ByteString> = map.keys().cloned().collect();
        for key in keys {
            let back_ref = back_reference(&ty, key.as_str());
            if let Some(v) = map.get_mut(key.as_str()) {
                let taken = std::mem::take(v);
                *v = self.normalize(taken, back_ref.map(|field| (field, id.as_str())));
            }
        }
        self.insert_object(&id, &ty, Json::Object(map));
        id
    }

    fn normalize(&mut self, value: Json, back_ref: Option<(&str, &str)>) -> Json {
        match value {
            Json::Array(items) => Json::Array(
                items
                    .into_iter()
                    .map(|v| self.normalize(v, back_ref))
                    .collect(),
            ),
            Json::Object(mut map) => {
                let has_gid = map
                    .get("id")
                    .and_then(Json::as_str)
                    .is_some_and(|id| gid_parts(id).is_some());
                if !has_gid {
                    let keys: Vec<ByteString> = map.keys().cloned().collect();
                    for key in keys {
                        if let Some(v) = map.get_mut(key.as_str()) {
                            let taken = std::mem::take(v);
                            *v = self.normalize(taken, None);
                        }
                    }
                    return Json::Object(map);
                }
                if let Some((field, parent)) = back_ref {
                    if !map.contains_key(field) {
                        map.insert(field, Json::from(parent));
                    }
                }
                Json::from(self.register(Json::Object(map)))
            }
            other => other,
        }
    }

    fn insert_object(&mut self, id: &str, ty: &str, value: Json) {
        let number = gid_number(id);
        let next = self.next_ids.entry(ty.to_owned()).or_insert(1);
        *next = (*next).max(number + 1);
        if self
            .objects
            .insert(id.to_owned(), Arc::new(value))
            .is_none()
        {
            self.by_type
                .entry(ty.to_owned())
                .or_default()
                .push(id.to_owned());
        }
    }

    /// A fresh gid of `ty`, above every id of that type seen so far.
    pub(crate) fn next_gid(&mut self, ty: &str) -> String {
        let next = self.next_ids.entry(ty.to_owned()).or_insert(1);
        let id = *next;
        *next += 1;
        format!("gid://shopify/{ty}/{id}")
    }

    pub(crate) fn get(&self, gid: &str) -> Option<&Arc<Json>> {
        self.objects.get(gid)
    }

    /// Every object of a type, in creation order.
    pub(crate) fn all(&self, ty: &str) -> impl Iterator<Item = (&str, &Arc<Json>)> {
        self.by_type
            .get(ty)
            .into_iter()
            .flatten()
            .filter_map(|id| self.objects.get(id).map(|v| (id.as_str(), v)))
    }

    pub(crate) fn bulk(&self) -> &Mutex<BulkRoom> {
        &self.bulk
    }

    pub(crate) fn shop_gid(&self) -> &str {
        &self.shop
    }

    /// Replaces fields of a stored object.
    pub(crate) fn update(&mut self, gid: &str, fields: JsonMap) {
        if let Some(obj) = self.objects.get_mut(gid) {
            if let Json::Object(map) = Arc::make_mut(obj) {
                for (k, v) in fields {
                    map.insert(k, v);
                }
            }
        }
    }

    /// The result an idempotent mutation `field` of `app` returned first for `key`.
    pub(crate) fn idempotent_result(&self, app: &str, field: &str, key: &str) -> Option<Json> {
        let text = self
            .idempotent
            .get(idempotency_id(app, field, key).as_str())?;
        serde_json::from_str(text).ok()
    }

    /// Keeps the first result of an idempotent mutation for replays; beyond
    /// [`MAX_IDEMPOTENCY_KEYS`] the oldest key is forgotten.
    pub(crate) fn remember_idempotent(&mut self, app: &str, field: &str, key: &str, result: Json) {
        let id: Arc<str> = idempotency_id(app, field, key).into();
        if let std::collections::hash_map::Entry::Vacant(slot) = self.idempotent.entry(id.clone()) {
            // Serialising a JSON value built in memory cannot fail; `null` if it ever did.
            let text = serde_json::to_string(&result).unwrap_or_else(|_| "null".to_owned());
            slot.insert(text.into_boxed_str());
            self.idempotent_order.push_back(id);
        }
        while self.idempotent_order.len() > MAX_IDEMPOTENCY_KEYS {
            if let Some(oldest) = self.idempotent_order.pop_front() {
                self.idempotent.remove(&oldest);
            }
        }
    }

    /// Idempotency keys remembered.
    #[cfg(test)]
    pub(crate) fn idempotency_keys(&self) -> usize {
        self.idempotent.len()
    }

    /// Forgets the oldest objects of type `ty` beyond the newest `max` (history records
    /// such as inventory adjustment groups, which would otherwise grow with every write).
    pub(crate) fn keep_newest(&mut self, ty: &str, max: usize) {
        let Some(ids) = self.by_type.get_mut(ty) else {
            return;
        };
        if ids.len() <= max {
            return;
        }
        let gone: Vec<String> = ids.drain(..ids.len() - max).collect();
        for gid in gone {
            self.objects.remove(&gid);
        }
    }

    /// Objects of type `ty` held.
    #[cfg(test)]
    pub(crate) fn count_of(&self, ty: &str) -> usize {
        self.by_type.get(ty).map_or(0, Vec::len)
    }

    pub(crate) fn remove(&mut self, gid: &str) -> Option<Arc<Json>> {
        let removed = self.objects.remove(gid)?;
        if let Some((ty, _)) = gid_parts(gid) {
            if let Some(ids) = self.by_type.get_mut(ty) {
                ids.retain(|id| id != gid);
            }
        }
        Some(removed)
    }

    fn rename_shop(&mut self, handle: &str) {
        if handle == DEMO_SHOP {
            return;
        }
        let name: Vec<String> = handle
            .split('-')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            })
            .collect();
        let mut fields = JsonMap::new();
        fields.insert("name", Json::from(name.join(" ")));
        fields.insert(
            "myshopifyDomain",
            Json::from(format!("{handle}.myshopify.com")),
        );
        let shop = self.shop.clone();
        self.update(&shop, fields);
    }

    fn add_synthetic_products(&mut self, n: usize) {
        const WORDS: [&str; 8] = [
            "Everyday", "Travel", "Studio", "Field", "Harbor", "Summit", "Meadow", "Urban",
        ];
        const KINDS: [&str; 6] = ["Tee", "Mug", "Notebook", "Cap", "Scarf", "Tumbler"];
        for i in 0..n {
            let pid = self.next_gid("Product");
            let title = format!(
                "{} {} {:04}",
                WORDS[i % WORDS.len()],
                KINDS[i % KINDS.len()],
                i + 1
            );
            let price = 10 + (i % 40) as u64;
            let variants: Vec<Json> = ["Small", "Medium", "Large"]
                .iter()
                .enumerate()
                .map(|(pos, size)| {
                    let vid = self.next_gid("ProductVariant");
                    let iid = self.next_gid("InventoryItem");
                    let sku = format!("SYN-{:04}-{}", i + 1, &size[..1]);
                    json!({
                        "id": vid,
                        "title": size,
                        "displayName": format!("{title} - {size}"),
                        "sku": sku,
                        "price": format!("{price}.00"),
                        "compareAtPrice": null,
                        "position": pos + 1,
                        "inventoryQuantity": 10 + pos,
                        "availableForSale": true,
                        "inventoryPolicy": "DENY",
                        "selectedOptions": [{"name": "Size", "value": size}],
                        "createdAt": "2024-06-01T00:00:00Z",
                        "updatedAt": "2024-06-01T00:00:00Z",
                        "inventoryItem": {"id": iid, "sku": sku, "tracked": true,
                            "requiresShipping": true, "createdAt": "2024-06-01T00:00:00Z",
                            "updatedAt": "2024-06-01T00:00:00Z"}
                    })
                })
                .collect();
            let product = json!({
                "id": pid,
                "title": title,
                "handle": handleize(&title),
                "vendor": "Synthetic Supply",
                "productType": KINDS[i % KINDS.len()],
                "status": "ACTIVE",
                "tags": ["synthetic"],
                "descriptionHtml": "<p>Generated for benchmarks.</p>",
                "description": "Generated for benchmarks.",
                "createdAt": "2024-06-01T00:00:00Z",
                "updatedAt": "2024-06-01T00:00:00Z",
                "totalInventory": 33,
                "hasOnlyDefaultVariant": false,
                "priceRangeV2": {
                    "minVariantPrice": {"amount": format!("{price}.00"), "currencyCode": "USD"},
                    "maxVariantPrice": {"amount": format!("{price}.00"), "currencyCode": "USD"}
                },
                "variants": variants
            });
            self.register(product);
        }
    }
}

/// One string for (app, mutation field, key), unambiguous whatever they hold: the app and
/// the field are length-prefixed.
fn idempotency_id(app: &str, field: &str, key: &str) -> String {
    format!("{}:{app}{}:{field}{key}", app.len(), field.len())
}

/// Fields that point back at the parent when the seed nests a child under it.
fn back_reference(parent_type: &str, key: &str) -> Option<&'static str> {
    match (parent_type, key) {
        ("Product", "variants") => Some("product"),
        ("ProductVariant", "inventoryItem") => Some("variant"),
        ("InventoryItem", "inventoryLevels") => Some("item"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_loads_with_references_resolved() {
        let store = Store::from_seed(SEED).unwrap();
        assert!(store.all("Product").count() >= 25);
        let variant = store.get("gid://shopify/ProductVariant/2001").unwrap();
        assert_eq!(variant["product"], Json::from("gid://shopify/Product/1001"));
        let item = variant["inventoryItem"].as_str().unwrap();
        let item = store.get(item).unwrap();
        let level = item["inventoryLevels"][0].as_str().unwrap();
        assert_eq!(
            store.get(level).unwrap()["location"],
            Json::from("gid://shopify/Location/1")
        );
    }

    #[test]
    fn gids_parse() {
        assert_eq!(gid_parts("gid://shopify/Product/1"), Some(("Product", "1")));
        assert_eq!(gid_parts("gid://shopify/Product/"), None);
        assert_eq!(gid_parts("1234"), None);
        assert_eq!(handleize("Chef's Knife 8in"), "chef-s-knife-8in");
    }

    #[test]
    fn only_the_newest_idempotency_keys_are_remembered() {
        let mut store = Store::default();
        for n in 0..MAX_IDEMPOTENCY_KEYS + 10 {
            store.remember_idempotent("app", "m", &n.to_string(), Json::from(n));
        }
        // A second result for a known key changes nothing.
        store.remember_idempotent("app", "m", "20", Json::from("again"));
        assert_eq!(store.idempotency_keys(), MAX_IDEMPOTENCY_KEYS);
        assert_eq!(store.idempotent_order.len(), MAX_IDEMPOTENCY_KEYS);
        assert!(store.idempotent_result("app", "m", "9").is_none());
        assert_eq!(
            store.idempotent_result("app", "m", "20"),
            Some(Json::from(20))
        );
        let last = (MAX_IDEMPOTENCY_KEYS + 9).to_string();
        assert!(store.idempotent_result("app", "m", &last).is_some());
    }

    #[test]
    fn idempotent_results_come_back_as_stored_and_keys_do_not_collide() {
        let mut store = Store::default();
        let payload = json!({"inventoryAdjustmentGroup": "gid://shopify/InventoryAdjustmentGroup/7",
            "userErrors": [], "count": 3, "shop": "gid://shopify/Shop/1"});
        store.remember_idempotent("ab", "c", "k", payload.clone());
        assert_eq!(store.idempotent_result("ab", "c", "k"), Some(payload));
        // The same characters split differently are other keys.
        assert_eq!(store.idempotent_result("a", "bc", "k"), None);
        assert_eq!(store.idempotent_result("ab", "ck", ""), None);
    }

    #[test]
    fn keep_newest_forgets_the_oldest_objects_of_a_type() {
        let mut store = Store::from_seed(SEED).unwrap();
        let products = store.count_of("Product");
        for n in 1..=5 {
            store.register(json!({"id": format!("gid://shopify/InventoryAdjustmentGroup/{n}")}));
        }
        store.keep_newest("InventoryAdjustmentGroup", 2);
        assert_eq!(store.count_of("InventoryAdjustmentGroup"), 2);
        assert!(
            store
                .get("gid://shopify/InventoryAdjustmentGroup/3")
                .is_none()
        );
        assert!(
            store
                .get("gid://shopify/InventoryAdjustmentGroup/5")
                .is_some()
        );
        assert_eq!(store.count_of("Product"), products);
    }
}
