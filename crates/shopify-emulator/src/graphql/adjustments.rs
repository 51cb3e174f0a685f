//! The changes of an inventory adjustment group, stored compactly.
//!
//! Every `inventorySetQuantities` keeps a group (up to
//! [`MAX_ADJUSTMENT_GROUPS`](crate::MAX_ADJUSTMENT_GROUPS)) and each group two changes per
//! quantity set. As JSON objects they cost about 1 KB each (a map, its index and one
//! allocation per key and value) and were most of what a long write-heavy run grew by
//! (measured with heaptrack in the soak bench); stored as one line of text per change they
//! cost about a tenth, and are turned back into objects only when a query selects them.

use serde_json_bytes::{Value as Json, json};

/// One change: quantity name, delta, quantity after the change, item gid, location gid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change<'a> {
    pub(crate) name: &'a str,
    pub(crate) delta: i64,
    pub(crate) after: i64,
    pub(crate) item: &'a str,
    pub(crate) location: &'a str,
}

/// The changes as one string: a line per change, fields separated by tabs. Names and gids
/// never hold tabs or line breaks (the mutation checks the name and that both gids exist).
pub(crate) fn encode(changes: &[Change<'_>]) -> Json {
    let mut out = String::with_capacity(changes.len() * 80);
    for (i, c) in changes.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}",
            c.name, c.delta, c.after, c.item, c.location
        ));
    }
    Json::from(out)
}

/// The changes as the objects `InventoryAdjustmentGroup.changes` answers (`item` and
/// `location` as gids, which the resolver follows); `None` when `stored` is not an
/// encoded list (then it is answered as stored).
pub(crate) fn decode(stored: &Json) -> Option<Vec<Json>> {
    let text = stored.as_str()?;
    text.lines()
        .filter(|line| !line.is_empty())
        .map(|line| {
            let mut fields = line.split('\t');
            let name = fields.next()?;
            let delta: i64 = fields.next()?.parse().ok()?;
            let after: i64 = fields.next()?.parse().ok()?;
            let item = fields.next()?;
            let location = fields.next()?;
            Some(json!({
                "name": name,
                "delta": delta,
                "quantityAfterChange": after,
                "item": item,
                "location": location,
                "ledgerDocumentUri": null,
            }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_round_trip_through_the_compact_form() {
        let changes = [
            Change {
                name: "available",
                delta: -3,
                after: 7,
                item: "gid://shopify/InventoryItem/3001",
                location: "gid://shopify/Location/1",
            },
            Change {
                name: "on_hand",
                delta: -3,
                after: 12,
                item: "gid://shopify/InventoryItem/3001",
                location: "gid://shopify/Location/1",
            },
        ];
        let stored = encode(&changes);
        assert!(stored.is_string());
        let decoded = decode(&stored).unwrap();
        assert_eq!(
            decoded,
            vec![
                json!({"name": "available", "delta": -3, "quantityAfterChange": 7,
                    "item": "gid://shopify/InventoryItem/3001",
                    "location": "gid://shopify/Location/1", "ledgerDocumentUri": null}),
                json!({"name": "on_hand", "delta": -3, "quantityAfterChange": 12,
                    "item": "gid://shopify/InventoryItem/3001",
                    "location": "gid://shopify/Location/1", "ledgerDocumentUri": null}),
            ]
        );
        assert_eq!(decode(&encode(&[])).unwrap(), Vec::<Json>::new());
    }

    #[test]
    fn anything_else_is_not_an_encoded_list() {
        assert_eq!(decode(&json!([{"name": "available"}])), None);
        assert_eq!(decode(&Json::from("available\tnot-a-number")), None);
    }
}
