//! Cursor pagination, `query:` search and `sortKey` for connection fields.

use std::cmp::Ordering;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json_bytes::{Value as Json, json};

use super::resolve::field_error;
use crate::store::{JsonMap, gid_number};
use apollo_compiler::resolvers::FieldError;

/// Shopify's page size limit for `first`/`last`.
pub(crate) const MAX_PAGE: i64 = 250;

/// One element of a connection before windowing.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// What an edge's `node` resolves from: a gid reference or an inline object.
    pub(crate) value: Json,
    /// The object's data, for search and sort.
    pub(crate) data: Option<Arc<Json>>,
    pub(crate) id: u64,
    pub(crate) sort: Json,
}

impl Item {
    pub(crate) fn new(value: Json, data: Option<Arc<Json>>, index: usize) -> Self {
        let id = data
            .as_deref()
            .and_then(|d| d.get("id"))
            .and_then(Json::as_str)
            .map_or(0, gid_number);
        let id = if id == 0 { index as u64 + 1 } else { id };
        Self {
            value,
            data,
            id,
            sort: Json::Null,
        }
    }
}

/// A window of a connection, ready to resolve.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub(crate) edges: Vec<(String, Json)>,
    pub(crate) page_info: Json,
}

fn encode_cursor(item: &Item) -> String {
    let raw = json!({"last_id": item.id, "last_value": item.sort.clone()});
    STANDARD.encode(raw.to_string())
}

fn decode_cursor(cursor: &str) -> Result<(u64, Json), FieldError> {
    let malformed = || field_error("BAD_REQUEST", "Malformed cursor");
    let bytes = STANDARD.decode(cursor).map_err(|_| malformed())?;
    let value: Json = serde_json::from_slice(&bytes).map_err(|_| malformed())?;
    let id = value
        .get("last_id")
        .and_then(Json::as_u64)
        .ok_or_else(malformed)?;
    Ok((id, value.get("last_value").cloned().unwrap_or(Json::Null)))
}

fn compare(a: &Json, b: &Json) -> Ordering {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&y.as_f64().unwrap_or(0.0))
            .unwrap_or(Ordering::Equal),
        (Json::String(x), Json::String(y)) => x.as_str().cmp(y.as_str()),
        (Json::Null, Json::Null) => Ordering::Equal,
        (Json::Null, _) => Ordering::Less,
        (_, Json::Null) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

/// Sorts by `sortKey` then id; `reverse` flips the whole order.
pub(crate) fn sort(items: &mut [Item], args: &JsonMap) {
    let key = args.get("sortKey").and_then(Json::as_str).unwrap_or("ID");
    let field = match key {
        "TITLE" => Some("title"),
        "CREATED_AT" => Some("createdAt"),
        "UPDATED_AT" => Some("updatedAt"),
        "NAME" => Some("name"),
        "VENDOR" => Some("vendor"),
        "PRODUCT_TYPE" => Some("productType"),
        "INVENTORY_TOTAL" => Some("totalInventory"),
        "PROCESSED_AT" => Some("processedAt"),
        "ORDER_NUMBER" => Some("name"),
        "SKU" => Some("sku"),
        "POSITION" | "COLLECTION_DEFAULT" | "MANUAL" => None,
        _ => Some("id"),
    };
    if let Some(field) = field {
        for item in items.iter_mut() {
            item.sort = match field {
                "id" => Json::from(item.id),
                _ => item
                    .data
                    .as_deref()
                    .and_then(|d| d.get(field))
                    .map(|v| match v {
                        Json::String(s) => Json::from(s.as_str().to_lowercase()),
                        other => other.clone(),
                    })
                    .unwrap_or(Json::Null),
            };
        }
        items.sort_by(|a, b| compare(&a.sort, &b.sort).then(a.id.cmp(&b.id)));
    } else {
        for (i, item) in items.iter_mut().enumerate() {
            item.sort = Json::from(i);
        }
    }
    if args.get("reverse").and_then(Json::as_bool) == Some(true) {
        items.reverse();
    }
}

/// Applies `first`/`last`/`after`/`before` with Shopify's argument errors.
pub(crate) fn window(items: &[Item], args: &JsonMap) -> Result<Page, FieldError> {
    let int = |k: &str| args.get(k).and_then(Json::as_i64);
    let (first, last) = (int("first"), int("last"));
    match (first, last) {
        (None, None) => {
            return Err(field_error(
                "BAD_REQUEST",
                "you must provide one of first or last",
            ));
        }
        (Some(_), Some(_)) => {
            return Err(field_error(
                "BAD_REQUEST",
                "providing both first and last is not supported",
            ));
        }
        _ => {}
    }
    for (name, n) in [("first", first), ("last", last)] {
        if let Some(n) = n {
            if n > MAX_PAGE {
                return Err(field_error(
                    "BAD_REQUEST",
                    &format!("The {name} argument must be less than or equal to {MAX_PAGE}."),
                ));
            }
            if n < 0 {
                return Err(field_error(
                    "BAD_REQUEST",
                    &format!("The {name} argument must be greater than or equal to 0."),
                ));
            }
        }
    }
    let reverse = args.get("reverse").and_then(Json::as_bool) == Some(true);
    let position = |cursor: &str| -> Result<(usize, bool), FieldError> {
        let (id, value) = decode_cursor(cursor)?;
        if let Some(i) = items.iter().position(|it| it.id == id) {
            return Ok((i, true));
        }
        // The item is gone: place the cursor by its sort value.
        let i = items
            .iter()
            .position(|it| {
                let ord = compare(&it.sort, &value).then(it.id.cmp(&id));
                if reverse {
                    ord == Ordering::Less
                } else {
                    ord == Ordering::Greater
                }
            })
            .unwrap_or(items.len());
        Ok((i, false))
    };
    let mut start = 0;
    let mut end = items.len();
    if let Some(after) = args.get("after").and_then(Json::as_str) {
        let (i, found) = position(after)?;
        start = if found { i + 1 } else { i };
    }
    if let Some(before) = args.get("before").and_then(Json::as_str) {
        end = position(before)?.0;
    }
    let end = end.max(start);
    let mut slice = &items[start..end];
    let (mut has_next, mut has_previous) = (end < items.len(), start > 0);
    if let Some(n) = first {
        let n = n as usize;
        if slice.len() > n {
            has_next = true;
            slice = &slice[..n];
        }
    }
    if let Some(n) = last {
        let n = n as usize;
        if slice.len() > n {
            has_previous = true;
            slice = &slice[slice.len() - n..];
        }
    }
    Ok(page_of(slice, has_next, has_previous))
}

/// Every item at once, as bulk operations read connections.
pub(crate) fn all(items: &[Item]) -> Page {
    page_of(items, false, false)
}

fn page_of(slice: &[Item], has_next: bool, has_previous: bool) -> Page {
    let edges: Vec<(String, Json)> = slice
        .iter()
        .map(|it| (encode_cursor(it), it.value.clone()))
        .collect();
    let page_info = json!({
        "hasNextPage": has_next,
        "hasPreviousPage": has_previous,
        "startCursor": edges.first().map(|e| e.0.clone()),
        "endCursor": edges.last().map(|e| e.0.clone()),
    });
    Page { edges, page_info }
}

/// Keeps the items matching Shopify's search syntax (`title:shirt tag:sale -status:draft`).
pub(crate) fn search(items: &mut Vec<Item>, query: &str) {
    let terms = parse_terms(query);
    if terms.is_empty() {
        return;
    }
    items.retain(|item| {
        let Some(data) = item.data.as_deref() else {
            return false;
        };
        terms.iter().all(|t| t.matches(data, item.id) != t.negated)
    });
}

#[derive(Debug)]
struct Term {
    field: Option<String>,
    op: &'static str,
    value: String,
    negated: bool,
}

fn parse_terms(query: &str) -> Vec<Term> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quoted = None;
    for c in query.chars() {
        match (quoted, c) {
            (Some(q), c) if c == q => quoted = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => quoted = Some(c),
            (None, c) if c.is_whitespace() => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            (None, c) => current.push(c),
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    let mut terms = Vec::new();
    let mut negate_next = false;
    for token in tokens {
        if token == "AND" {
            continue;
        }
        if token == "NOT" {
            negate_next = true;
            continue;
        }
        let (negated, token) = match token.strip_prefix('-') {
            Some(rest) if !rest.is_empty() => (true, rest.to_owned()),
            _ => (negate_next, token),
        };
        negate_next = false;
        let (field, rest) = match token.split_once(':') {
            Some((f, v)) if !f.is_empty() => (Some(f.to_ascii_lowercase()), v.to_owned()),
            _ => (None, token.clone()),
        };
        let (op, value) = [">=", "<=", ">", "<"]
            .iter()
            .find_map(|op| rest.strip_prefix(op).map(|v| (*op, v.to_owned())))
            .unwrap_or(("=", rest));
        terms.push(Term {
            field,
            op,
            value: value.trim_matches(|c| c == '"' || c == '\'').to_owned(),
            negated,
        });
    }
    terms
}

/// Fields searched by substring rather than exact value.
const TEXT_FIELDS: &[&str] = &[
    "title",
    "name",
    "vendor",
    "productType",
    "displayName",
    "firstName",
    "lastName",
    "note",
];

fn text_of(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.as_str().to_owned()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.to_lowercase(), text.to_lowercase());
    if !p.contains('*') {
        return p == t;
    }
    let parts: Vec<&str> = p.split('*').collect();
    let mut rest = t.as_str();
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() {
            continue;
        }
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

impl Term {
    fn matches(&self, data: &Json, id: u64) -> bool {
        let Some(field) = &self.field else {
            let word = self.value.to_lowercase();
            return [
                "title",
                "name",
                "displayName",
                "email",
                "handle",
                "sku",
                "vendor",
            ]
            .iter()
            .filter_map(|f| data.get(*f).and_then(text_of))
            .any(|v| v.to_lowercase().contains(&word));
        };
        let key = match field.as_str() {
            "tag" | "tags" => "tags",
            "product_type" => "productType",
            "created_at" => "createdAt",
            "updated_at" => "updatedAt",
            "processed_at" => "processedAt",
            "first_name" => "firstName",
            "last_name" => "lastName",
            "financial_status" => "displayFinancialStatus",
            "fulfillment_status" => "displayFulfillmentStatus",
            "customer_id" => "customer",
            "state" => "state",
            other => other,
        };
        if key == "id" {
            let n: u64 = self.value.parse().unwrap_or(0);
            return match self.op {
                ">" => id > n,
                ">=" => id >= n,
                "<" => id < n,
                "<=" => id <= n,
                _ => id == n,
            };
        }
        let Some(value) = data.get(key) else {
            return false;
        };
        let candidates: Vec<String> = match value {
            Json::Array(items) => items.iter().filter_map(text_of).collect(),
            other => text_of(other).into_iter().collect(),
        };
        candidates.iter().any(|c| {
            // References compare by their numeric id too (`customer_id:7001`).
            let c = if key == "customer" {
                gid_number(c).to_string()
            } else {
                c.clone()
            };
            match self.op {
                "=" => {
                    if key == "status" || key.starts_with("display") {
                        self.value
                            .split(',')
                            .any(|v| v.trim().eq_ignore_ascii_case(&c))
                    } else if TEXT_FIELDS.contains(&key) && !self.value.contains('*') {
                        // Free-text fields match on a word, not the whole value.
                        c.to_lowercase().contains(&self.value.to_lowercase())
                    } else {
                        glob(&self.value, &c)
                    }
                }
                op => {
                    let ord = match (c.parse::<f64>(), self.value.parse::<f64>()) {
                        (Ok(a), Ok(b)) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
                        _ => c.as_str().cmp(self.value.as_str()),
                    };
                    match op {
                        ">" => ord == Ordering::Greater,
                        ">=" => ord != Ordering::Less,
                        "<" => ord == Ordering::Less,
                        _ => ord != Ordering::Greater,
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(data: &[Json]) -> Vec<Item> {
        data.iter()
            .enumerate()
            .map(|(i, d)| Item::new(d.clone(), Some(Arc::new(d.clone())), i))
            .collect()
    }

    #[test]
    fn search_terms_are_anded_and_globbed() {
        let mut list = items(&[
            json!({"id": "gid://shopify/Customer/1", "email": "a@example.com", "tags": ["vip"]}),
            json!({"id": "gid://shopify/Customer/2", "email": "b@example.org", "tags": []}),
        ]);
        search(&mut list, "email:*@example.com tag:VIP");
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].id, 1);
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let list = items(&[json!({"id": "gid://shopify/Product/5"})]);
        let cursor = encode_cursor(&list[0]);
        assert_eq!(decode_cursor(&cursor).ok().map(|c| c.0), Some(5));
        assert!(decode_cursor("not-a-cursor!").is_err());
    }
}
