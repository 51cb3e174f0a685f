//! One generic resolver: objects are JSON, the schema says how to present them.
//!
//! A field resolves, in order, from a special case (root lookups, back-references, counts),
//! the object's JSON (a gid string where an object is expected is a reference), or a
//! plausible default of its type, so every answer matches the schema.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use apollo_compiler::ast::Type;
use apollo_compiler::collections::HashMap;
use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::schema::{ExtendedType, Implementers};
use apollo_compiler::validation::Valid;
use apollo_compiler::{Name, Schema};
use serde_json_bytes::{Value as Json, json};

use super::connection::{self, Item, Page};
use super::mutations;
use crate::limits::Limits;
use crate::stats::AppliedWrite;
use crate::store::{JsonMap, NOW, Store, gid_number, gid_parts};

/// Separates a Shopify error code from the message inside apollo's plain-text field errors.
pub(crate) const CODE_SEPARATOR: char = '\u{1f}';

/// A resolver error with an UPPER_SNAKE code.
pub(crate) fn field_error(code: &str, message: &str) -> FieldError {
    FieldError {
        message: format!("{code}{CODE_SEPARATOR}{message}"),
    }
}

/// Read access for queries, write access for mutations (which run one field at a time).
pub(crate) enum StoreAccess<'s> {
    Read(&'s Store),
    Write(RefCell<&'s mut Store>),
}

/// Everything a resolver needs for one request.
pub(crate) struct Ctx<'s> {
    pub(crate) schema: &'static Valid<Schema>,
    pub(crate) implementers: &'static HashMap<Name, Implementers>,
    pub(crate) store: StoreAccess<'s>,
    /// Bulk operations read whole connections: no window arguments needed.
    pub(crate) bulk: bool,
    /// `http://host:port` of the request, for URLs the emulator serves itself.
    pub(crate) base_url: Option<String>,
    /// Client id of the app the request runs as: idempotency keys are per app.
    pub(crate) app: String,
    /// The request's coerced variables, for `@idempotent(key: $variable)`.
    pub(crate) variables: JsonMap,
    /// Writes the mutations of this request applied.
    pub(crate) writes: RefCell<Vec<AppliedWrite>>,
    /// Mutations of this request answered from an earlier result with the same key.
    pub(crate) replays: Cell<u64>,
    /// Non-null values the data did not have, answered with a plausible default.
    pub(crate) made_up: Cell<u64>,
    /// The emulator's bounds, for documents that arrive inside arguments (bulk operations).
    pub(crate) limits: Arc<Limits>,
}

impl<'s> Ctx<'s> {
    /// A fresh context for one run as `app`: not bulk, no base URL, nothing written,
    /// replayed or made up yet.
    pub(crate) fn new(
        schema: &'static Valid<Schema>,
        implementers: &'static HashMap<Name, Implementers>,
        store: StoreAccess<'s>,
        app: String,
        variables: JsonMap,
    ) -> Self {
        Ctx {
            schema,
            implementers,
            store,
            bulk: false,
            base_url: None,
            app,
            variables,
            writes: RefCell::default(),
            replays: Cell::default(),
            made_up: Cell::default(),
            limits: Arc::default(),
        }
    }

    /// A fresh context for a run nested in this one (a bulk query, one line of a bulk
    /// mutation): the same schema and app, its own store access and variables.
    pub(crate) fn nested<'t>(&self, store: StoreAccess<'t>, variables: JsonMap) -> Ctx<'t> {
        let mut ctx = Ctx::new(
            self.schema,
            self.implementers,
            store,
            self.app.clone(),
            variables,
        );
        ctx.limits = self.limits.clone();
        ctx
    }

    /// The root object of type `ty` an execution starts from.
    pub(crate) fn root(&self, ty: &str) -> Obj<'_, 's> {
        Obj {
            ctx: self,
            ty: ty.to_owned(),
            data: Arc::new(serde_json_bytes::json!({})),
            origin: 0,
        }
    }

    pub(crate) fn read<R>(&self, f: impl FnOnce(&Store) -> R) -> R {
        match &self.store {
            StoreAccess::Read(store) => f(store),
            StoreAccess::Write(cell) => f(&cell.borrow()),
        }
    }

    /// Runs `f` on the store if this request may write.
    pub(crate) fn write<R>(&self, f: impl FnOnce(&mut Store) -> R) -> Option<R> {
        match &self.store {
            StoreAccess::Read(_) => None,
            StoreAccess::Write(cell) => Some(f(&mut cell.borrow_mut())),
        }
    }

    fn lookup(&self, gid: &str) -> Option<Arc<Json>> {
        self.read(|s| s.get(gid).cloned())
    }

    /// The concrete object type for `data` where the schema expects `ty`.
    fn concrete_type(&self, ty: &str, data: &Json) -> String {
        match self.schema.types.get(ty) {
            Some(ExtendedType::Object(_)) | None => ty.to_owned(),
            Some(_) => {
                let possible = |candidate: &str| self.is_possible(ty, candidate);
                let named = data
                    .get("__typename")
                    .and_then(Json::as_str)
                    .map(str::to_owned)
                    .or_else(|| {
                        data.get("id")
                            .and_then(Json::as_str)
                            .and_then(gid_parts)
                            .map(|(t, _)| t.to_owned())
                    });
                match named {
                    Some(n) if possible(&n) => n,
                    _ => self.first_possible(ty),
                }
            }
        }
    }

    fn is_possible(&self, abstract_ty: &str, object: &str) -> bool {
        if abstract_ty == object {
            return matches!(self.schema.types.get(object), Some(ExtendedType::Object(_)));
        }
        match self.schema.types.get(abstract_ty) {
            Some(ExtendedType::Union(u)) => u.members.contains(object),
            Some(ExtendedType::Interface(_)) => self
                .implementers
                .get(abstract_ty)
                .is_some_and(|i| i.objects.contains(object)),
            _ => false,
        }
    }

    fn first_possible(&self, ty: &str) -> String {
        let mut candidates: Vec<String> = match self.schema.types.get(ty) {
            Some(ExtendedType::Union(u)) => u.members.iter().map(|m| m.to_string()).collect(),
            Some(ExtendedType::Interface(_)) => self
                .implementers
                .get(ty)
                .map(|i| i.objects.iter().map(|o| o.to_string()).collect())
                .unwrap_or_default(),
            _ => vec![ty.to_owned()],
        };
        candidates.sort();
        candidates
            .into_iter()
            .next()
            .unwrap_or_else(|| ty.to_owned())
    }

    pub(crate) fn object<'a>(&'a self, ty: &str, data: Arc<Json>, origin: u64) -> Obj<'a, 's> {
        let ty = self.concrete_type(ty, &data);
        let origin = data
            .get("id")
            .and_then(Json::as_str)
            .map(gid_number)
            .filter(|n| *n != 0)
            .unwrap_or(origin);
        Obj {
            ctx: self,
            ty,
            data,
            origin,
        }
    }

    /// `value` (or its absence) presented as `ty`.
    pub(crate) fn present<'a>(
        &'a self,
        value: Option<&Json>,
        ty: &Type,
        args: &JsonMap,
        origin: u64,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        let value = value.filter(|v| !v.is_null());
        match ty {
            Type::List(inner) | Type::NonNullList(inner) => match value {
                Some(Json::Array(items)) => {
                    let resolved: Vec<ResolvedValue<'a>> = items
                        .iter()
                        .map(|item| self.present(Some(item), inner, args, origin))
                        .collect::<Result<_, _>>()?;
                    Ok(ResolvedValue::list(resolved))
                }
                Some(single) => {
                    let one = self.present(Some(single), inner, args, origin)?;
                    Ok(ResolvedValue::list([one]))
                }
                None if ty.is_non_null() => Ok(ResolvedValue::list([])),
                None => Ok(ResolvedValue::null()),
            },
            Type::Named(name) | Type::NonNullNamed(name) => {
                let non_null = ty.is_non_null();
                match self.schema.types.get(name.as_str()) {
                    Some(ExtendedType::Scalar(_)) => {
                        if value.is_none() && non_null {
                            self.made_up.set(self.made_up.get() + 1);
                        }
                        Ok(ResolvedValue::leaf(scalar(name, value, non_null, origin)))
                    }
                    Some(ExtendedType::Enum(def)) => {
                        let valid = value
                            .and_then(Json::as_str)
                            .filter(|s| def.values.contains_key(*s));
                        Ok(match (valid, non_null) {
                            (Some(s), _) => ResolvedValue::leaf(s),
                            (None, true) => {
                                self.made_up.set(self.made_up.get() + 1);
                                ResolvedValue::leaf(
                                    def.values.keys().next().map_or("", |k| k.as_str()),
                                )
                            }
                            (None, false) => ResolvedValue::null(),
                        })
                    }
                    Some(_) if is_connection(self.schema, name) => {
                        let items: Vec<Item> = match value {
                            Some(Json::Array(list)) => list
                                .iter()
                                .enumerate()
                                .map(|(i, v)| self.item(v.clone(), i))
                                .collect(),
                            _ => Vec::new(),
                        };
                        self.connection(name, items, args)
                    }
                    Some(_) => {
                        let data = match value {
                            Some(Json::String(gid)) => self.lookup(gid.as_str()),
                            Some(obj @ Json::Object(_)) => Some(Arc::new(obj.clone())),
                            _ => None,
                        };
                        match (data, non_null) {
                            (Some(data), _) => {
                                Ok(ResolvedValue::object(self.object(name, data, origin)))
                            }
                            (None, true) => {
                                self.made_up.set(self.made_up.get() + 1);
                                Ok(ResolvedValue::object(self.object(
                                    name,
                                    Arc::new(json!({})),
                                    origin,
                                )))
                            }
                            (None, false) => Ok(ResolvedValue::null()),
                        }
                    }
                    None => Ok(ResolvedValue::null()),
                }
            }
        }
    }

    /// A connection element from a reference or an inline object.
    pub(crate) fn item(&self, value: Json, index: usize) -> Item {
        let data = match &value {
            Json::String(gid) => self.lookup(gid.as_str()),
            obj @ Json::Object(_) => Some(Arc::new(obj.clone())),
            _ => None,
        };
        Item::new(value, data, index)
    }

    /// Every stored object of `ty` as connection items.
    pub(crate) fn items_of(&self, ty: &str) -> Vec<Item> {
        self.read(|s| {
            s.all(ty)
                .enumerate()
                .map(|(i, (id, data))| Item::new(Json::from(id), Some(data.clone()), i))
                .collect()
        })
    }

    /// Searches, sorts and windows `items` as the connection type `ty`.
    pub(crate) fn connection<'a>(
        &'a self,
        ty: &str,
        mut items: Vec<Item>,
        args: &JsonMap,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        if let Some(query) = args.get("query").and_then(Json::as_str) {
            connection::search(&mut items, query);
        }
        connection::sort(&mut items, args);
        let page = if self.bulk && args.get("first").is_none() && args.get("last").is_none() {
            connection::all(&items)
        } else {
            connection::window(&items, args)?
        };
        Ok(ResolvedValue::object(Conn {
            ctx: self,
            ty: ty.to_owned(),
            page,
        }))
    }
}

/// `XConnection` types: they have `pageInfo` and `edges`.
pub(crate) fn is_connection(schema: &Schema, ty: &str) -> bool {
    match schema.types.get(ty) {
        Some(ExtendedType::Object(o)) => {
            o.fields.contains_key("pageInfo") && o.fields.contains_key("edges")
        }
        _ => false,
    }
}

/// The node type of a connection type (`ProductConnection` → `Product`).
pub(crate) fn node_type(schema: &Schema, connection: &str) -> Option<String> {
    schema
        .type_field(connection, "nodes")
        .ok()
        .map(|f| f.ty.inner_named_type().to_string())
}

/// A leaf value of scalar `name`: the data when it fits, else a plausible default.
fn scalar(name: &str, value: Option<&Json>, non_null: bool, origin: u64) -> Json {
    if let Some(v) = value {
        let fits = match (name, v) {
            ("Int", Json::Number(n)) => n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
            ("Float", Json::Number(n)) => n.is_f64(),
            ("String" | "ID", Json::String(_)) | ("Boolean", Json::Bool(_)) => true,
            ("Int" | "Float" | "String" | "ID" | "Boolean", _) => false,
            _ => true,
        };
        if fits {
            return v.clone();
        }
        match (name, v) {
            ("Float", Json::Number(n)) => return Json::from(n.as_f64().unwrap_or(0.0)),
            ("String" | "ID", Json::Number(n)) => return Json::from(n.to_string()),
            ("Int", Json::Number(n)) => {
                let clamped = n
                    .as_i64()
                    .unwrap_or(0)
                    .clamp(i32::MIN.into(), i32::MAX.into());
                return Json::from(clamped);
            }
            _ => {}
        }
    }
    if !non_null {
        return Json::Null;
    }
    match name {
        "String" | "HTML" | "FormattedString" => Json::from(""),
        "Int" => Json::from(0),
        "Float" => Json::from(0.0),
        "Boolean" => Json::from(false),
        "ID" | "StorefrontID" => Json::from(format!("gid://shopify/Emulated/{origin}")),
        "Money" | "Decimal" => Json::from("0.0"),
        "DateTime" => Json::from(NOW),
        "Date" => Json::from(&NOW[..10]),
        "URL" => Json::from("https://example.com"),
        "JSON" => json!({}),
        "BigInt" | "UnsignedInt64" => Json::from("0"),
        "Color" => Json::from("#000000"),
        "UtcOffset" => Json::from("+00:00"),
        "ARN" => {
            Json::from("arn:aws:events:us-east-1::event-source/aws.partner/shopify.com/0/emulator")
        }
        _ => Json::from(""),
    }
}

/// A JSON-backed object of a concrete type.
pub(crate) struct Obj<'c, 's> {
    pub(crate) ctx: &'c Ctx<'s>,
    pub(crate) ty: String,
    pub(crate) data: Arc<Json>,
    /// Numeric id of the nearest ancestor with one, for derived ids.
    pub(crate) origin: u64,
}

impl Obj<'_, '_> {
    pub(crate) fn id(&self) -> &str {
        self.data
            .get("id")
            .and_then(Json::as_str)
            .unwrap_or_default()
    }
}

impl ObjectValue for Obj<'_, '_> {
    fn type_name(&self) -> &str {
        &self.ty
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        let field = info.field_name();
        let def = info.field_definition();
        let args = info.arguments();
        if self.ty == "Mutation" {
            return mutations::resolve(self.ctx, field, &def.ty, args, info.field_selections());
        }
        if self.ty == "QueryRoot" {
            if let Some(root) = root_field(self.ctx, field, &def.ty, args) {
                return root;
            }
        } else if let Some(special) = special(self, field, &def.ty, args) {
            return special;
        }
        let value = self.data.get(field);
        if value.is_none() && field == "legacyResourceId" {
            return Ok(ResolvedValue::leaf(gid_number(self.id()).to_string()));
        }
        if value.is_none() && field == "defaultCursor" {
            let cursor = connection::window(
                &[self.ctx.item(Json::from(self.id()), 0)],
                &JsonMap::from_iter([("first".into(), Json::from(1))]),
            )
            .ok()
            .and_then(|p| p.edges.first().map(|e| e.0.clone()))
            .unwrap_or_default();
            return Ok(ResolvedValue::leaf(cursor));
        }
        self.ctx.present(value, &def.ty, args, self.origin)
    }
}

/// Back-references and derived fields the seed does not store.
fn special<'a, 's>(
    obj: &'a Obj<'_, 's>,
    field: &str,
    ty: &Type,
    args: &JsonMap,
) -> Option<Result<ResolvedValue<'a>, FieldError>> {
    let ctx = obj.ctx;
    let id = obj.id();
    let referencing = |ty: &str, key: &str| -> Vec<Item> {
        let mut items = ctx.items_of(ty);
        items.retain(|it| {
            it.data
                .as_deref()
                .and_then(|d| d.get(key))
                .is_some_and(|v| match v {
                    Json::Array(list) => list.iter().any(|x| x.as_str() == Some(id)),
                    other => other.as_str() == Some(id),
                })
        });
        items
    };
    let ty_name = ty.inner_named_type().as_str();
    match (obj.ty.as_str(), field) {
        ("Product", "collections") => {
            Some(ctx.connection(ty_name, referencing("Collection", "products"), args))
        }
        ("Customer", "orders") => {
            Some(ctx.connection(ty_name, referencing("Order", "customer"), args))
        }
        ("Customer", "numberOfOrders") => Some(Ok(ResolvedValue::leaf(
            referencing("Order", "customer").len().to_string(),
        ))),
        ("Customer", "lastOrder") => {
            let last = referencing("Order", "customer").pop()?;
            Some(ctx.present(Some(&last.value), ty, args, obj.origin))
        }
        ("Location", "inventoryLevels") => {
            Some(ctx.connection(ty_name, referencing("InventoryLevel", "location"), args))
        }
        ("Location", "inventoryLevel") | ("InventoryItem", "inventoryLevel") => {
            let (mine, theirs, key) = if obj.ty == "Location" {
                ("location", "item", "inventoryItemId")
            } else {
                ("item", "location", "locationId")
            };
            let wanted = args.get(key).and_then(Json::as_str).unwrap_or_default();
            let level = referencing("InventoryLevel", mine).into_iter().find(|it| {
                it.data
                    .as_deref()
                    .and_then(|d| d.get(theirs))
                    .and_then(Json::as_str)
                    == Some(wanted)
            });
            Some(match level {
                Some(level) => ctx.present(Some(&level.value), ty, args, obj.origin),
                None => Ok(ResolvedValue::null()),
            })
        }
        ("InventoryAdjustmentGroup", "changes") => {
            let changes = super::adjustments::decode(obj.data.get("changes")?)?;
            Some(ctx.present(Some(&Json::Array(changes)), ty, args, obj.origin))
        }
        ("InventoryLevel", "quantities") => {
            let quantities = obj.data.get("quantities");
            let names: Vec<String> = args
                .get("names")
                .and_then(Json::as_array)
                .map(|n| {
                    n.iter()
                        .filter_map(Json::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            let list: Vec<Json> = names
                .iter()
                .map(|name| {
                    let q = quantities
                        .and_then(|q| q.get(name.as_str()))
                        .and_then(Json::as_i64);
                    json!({
                        "id": format!("gid://shopify/InventoryQuantity/{}?name={name}", obj.origin),
                        "name": name,
                        "quantity": q.unwrap_or(0),
                        "updatedAt": obj.data.get("updatedAt").cloned().unwrap_or(Json::from(NOW)),
                    })
                })
                .collect();
            Some(ctx.present(Some(&Json::Array(list)), ty, args, obj.origin))
        }
        (_, "metafields") if is_connection(ctx.schema, ty_name) => {
            let mut items = referencing("Metafield", "owner");
            let namespace = args.get("namespace").and_then(Json::as_str);
            let keys: Option<Vec<&str>> = args
                .get("keys")
                .and_then(Json::as_array)
                .map(|k| k.iter().filter_map(Json::as_str).collect());
            items.retain(|it| {
                let d = it.data.as_deref();
                let ns = d.and_then(|d| d.get("namespace")).and_then(Json::as_str);
                let key = d.and_then(|d| d.get("key")).and_then(Json::as_str);
                namespace.is_none_or(|n| ns == Some(n))
                    && keys.as_ref().is_none_or(|keys| {
                        keys.iter().any(|k| {
                            Some(*k) == key
                                || k.split_once('.')
                                    .is_some_and(|(n, kk)| ns == Some(n) && key == Some(kk))
                        })
                    })
            });
            Some(ctx.connection(ty_name, items, args))
        }
        (_, "metafield") if ty_name == "Metafield" => {
            let namespace = args
                .get("namespace")
                .and_then(Json::as_str)
                .unwrap_or("custom");
            let key = args.get("key").and_then(Json::as_str).unwrap_or_default();
            let (namespace, key) = match key.split_once('.') {
                Some((n, k)) if args.get("namespace").is_none() => (n, k),
                _ => (namespace, key),
            };
            let found = referencing("Metafield", "owner").into_iter().find(|it| {
                let d = it.data.as_deref();
                d.and_then(|d| d.get("namespace")).and_then(Json::as_str) == Some(namespace)
                    && d.and_then(|d| d.get("key")).and_then(Json::as_str) == Some(key)
            });
            Some(match found {
                Some(m) => ctx.present(Some(&m.value), ty, args, obj.origin),
                None => Ok(ResolvedValue::null()),
            })
        }
        ("Metafield", "jsonValue") => {
            let value = obj
                .data
                .get("value")
                .and_then(Json::as_str)
                .unwrap_or_default();
            let kind = obj
                .data
                .get("type")
                .and_then(Json::as_str)
                .unwrap_or_default();
            let parsed = match kind {
                "number_integer" | "number_decimal" | "boolean" | "json" | "rating" | "money"
                | "weight" | "dimension" | "volume" => {
                    serde_json::from_str(value).unwrap_or(Json::from(value))
                }
                k if k.starts_with("list.") => {
                    serde_json::from_str(value).unwrap_or(Json::from(value))
                }
                _ => Json::from(value),
            };
            Some(Ok(ResolvedValue::leaf(parsed)))
        }
        ("Metafield", "ownerType") => {
            let owner = obj
                .data
                .get("owner")
                .and_then(Json::as_str)
                .unwrap_or_default();
            let kind = gid_parts(owner).map_or("PRODUCT".to_owned(), |(t, _)| upper_snake(t));
            Some(ctx.present(Some(&Json::from(kind)), ty, args, obj.origin))
        }
        ("Product", "variantsCount") | ("Collection", "productsCount") => {
            let key = if field == "variantsCount" {
                "variants"
            } else {
                "products"
            };
            let n = obj
                .data
                .get(key)
                .and_then(Json::as_array)
                .map_or(0, Vec::len);
            Some(ctx.present(
                Some(&json!({"count": n, "precision": "EXACT"})),
                ty,
                args,
                0,
            ))
        }
        _ => None,
    }
}

fn upper_snake(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_uppercase());
    }
    out
}

/// Root query fields: the shop, lookups by id/handle, top-level connections and counts.
fn root_field<'a, 's>(
    ctx: &'a Ctx<'s>,
    field: &str,
    ty: &Type,
    args: &JsonMap,
) -> Option<Result<ResolvedValue<'a>, FieldError>> {
    let ty_name = ty.inner_named_type().as_str();
    let by = |pred: &dyn Fn(&Json) -> bool, of: &str| -> Option<Json> {
        ctx.read(|s| {
            s.all(of)
                .find(|(_, d)| pred(d))
                .map(|(id, _)| Json::from(id))
        })
    };
    let present = |v: Option<Json>| ctx.present(v.as_ref(), ty, args, 0);
    match field {
        "shop" => {
            let gid = ctx.read(|s| s.shop_gid().to_owned());
            return Some(present(Some(Json::from(gid))));
        }
        "node" => {
            let id = args.get("id").and_then(Json::as_str).unwrap_or_default();
            // Bulk runs live in the bulk room, not the store; a read moves them on as
            // `bulkOperation(id:)` does.
            if id.starts_with("gid://shopify/BulkOperation/") {
                return Some(present(super::bulk::status(ctx, args)));
            }
            return Some(present(node_ref(ctx, id, "Node")));
        }
        "nodes" => {
            let ids = args
                .get("ids")
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default();
            let list: Vec<Json> = ids
                .iter()
                .map(|id| {
                    node_ref(ctx, id.as_str().unwrap_or_default(), "Node").unwrap_or(Json::Null)
                })
                .collect();
            return Some(present(Some(Json::Array(list))));
        }
        "productByIdentifier" | "collectionByIdentifier" | "customerByIdentifier" => {
            let identifier = args.get("identifier");
            let id = identifier.and_then(|i| i.get("id")).and_then(Json::as_str);
            let handle = identifier
                .and_then(|i| i.get("handle"))
                .and_then(Json::as_str);
            let email = identifier
                .and_then(|i| i.get("emailAddress"))
                .and_then(Json::as_str);
            let found = match (id, handle, email) {
                (Some(id), _, _) => node_ref(ctx, id, ty_name),
                (_, Some(h), _) => by(
                    &|d| d.get("handle").and_then(Json::as_str) == Some(h),
                    ty_name,
                ),
                (_, _, Some(e)) => by(
                    &|d| d.get("email").and_then(Json::as_str) == Some(e),
                    ty_name,
                ),
                _ => None,
            };
            return Some(present(found));
        }
        "productByHandle" | "collectionByHandle" => {
            let h = args
                .get("handle")
                .and_then(Json::as_str)
                .unwrap_or_default();
            return Some(present(by(
                &|d| d.get("handle").and_then(Json::as_str) == Some(h),
                ty_name,
            )));
        }
        "currentBulkOperation" => {
            return Some(present(super::bulk::current(ctx, args)));
        }
        "bulkOperation" => {
            return Some(present(super::bulk::status(ctx, args)));
        }
        _ => {}
    }
    if is_connection(ctx.schema, ty_name) {
        let node = node_type(ctx.schema, ty_name).unwrap_or_default();
        let mut items = ctx.items_of(&node);
        // Root filters that are arguments rather than a search `query`.
        if let Some(kind) = args
            .get("type")
            .and_then(Json::as_str)
            .filter(|_| node == "Metaobject")
        {
            items.retain(|it| {
                it.data
                    .as_deref()
                    .and_then(|d| d.get("type"))
                    .and_then(Json::as_str)
                    == Some(kind)
            });
        }
        if let Some(topics) = args
            .get("topics")
            .and_then(Json::as_array)
            .filter(|_| node == "WebhookSubscription")
        {
            items.retain(|it| {
                it.data
                    .as_deref()
                    .and_then(|d| d.get("topic"))
                    .is_some_and(|t| topics.contains(t))
            });
        }
        if node == "Location" && args.get("includeInactive").and_then(Json::as_bool) != Some(true) {
            items.retain(|it| {
                it.data
                    .as_deref()
                    .and_then(|d| d.get("isActive"))
                    .and_then(Json::as_bool)
                    != Some(false)
            });
        }
        return Some(ctx.connection(ty_name, items, args));
    }
    if ty_name == "Count" {
        // productsCount → Product, customersCount → Customer, ...
        let plural = field.strip_suffix("Count")?;
        let singular = plural.strip_suffix("ies").map_or_else(
            || plural.strip_suffix('s').unwrap_or(plural).to_owned(),
            |s| format!("{s}y"),
        );
        let node = upper_first(&singular);
        let mut items = ctx.items_of(&node);
        if let Some(query) = args.get("query").and_then(Json::as_str) {
            connection::search(&mut items, query);
        }
        return Some(present(Some(
            json!({"count": items.len(), "precision": "EXACT"}),
        )));
    }
    if let Some(id) = args.get("id").and_then(Json::as_str) {
        if !matches!(
            ctx.schema.types.get(ty_name),
            Some(ExtendedType::Scalar(_) | ExtendedType::Enum(_))
        ) {
            return Some(present(node_ref(ctx, id, ty_name)));
        }
    }
    None
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A reference to the stored object `id` if it is a `ty`; `None` for unknown ids.
fn node_ref(ctx: &Ctx<'_>, id: &str, ty: &str) -> Option<Json> {
    let (object_ty, _) = gid_parts(id)?;
    if !ctx.is_possible(ty, object_ty) {
        return None;
    }
    ctx.read(|s| s.get(id).is_some()).then(|| Json::from(id))
}

/// A window of a connection.
pub(crate) struct Conn<'c, 's> {
    ctx: &'c Ctx<'s>,
    ty: String,
    page: Page,
}

impl ObjectValue for Conn<'_, '_> {
    fn type_name(&self) -> &str {
        &self.ty
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        let def = info.field_definition();
        let args = info.arguments();
        match info.field_name() {
            "edges" => {
                let edges = Json::Array(
                    self.page
                        .edges
                        .iter()
                        .map(|(cursor, node)| json!({"cursor": cursor.as_str(), "node": node.clone()}))
                        .collect(),
                );
                self.ctx.present(Some(&edges), &def.ty, args, 0)
            }
            "nodes" => {
                let nodes = Json::Array(self.page.edges.iter().map(|(_, n)| n.clone()).collect());
                self.ctx.present(Some(&nodes), &def.ty, args, 0)
            }
            "pageInfo" => self
                .ctx
                .present(Some(&self.page.page_info), &def.ty, args, 0),
            _ => self.ctx.present(None, &def.ty, args, 0),
        }
    }
}
