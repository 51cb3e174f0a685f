//! Every node of a paginated connection as one stream.

use std::collections::VecDeque;

use futures::stream::{self, BoxStream, StreamExt};
use serde_json::Value;

use crate::client::Call;
use crate::codec::{DecodeError, FromJson, Path};
use crate::{Client, Error, Operation};

/// The stream the generated `…_stream` functions return.
pub type PageStream<T> = BoxStream<'static, Result<T, Error>>;

/// One node as it came, with where it came from.
struct Node {
    value: Value,
    /// JSON path of the node, e.g. `data.products.nodes[3]`.
    path: String,
    request_id: Option<String>,
}

/// Streams every node across pages: runs `O`, yields the nodes of the connection at
/// `connection` (response keys from `data`), and runs it again with the `after` variable
/// set to the page's `endCursor` while `hasNextPage`. Each page goes through the same
/// paced, retried path as any request. The stream ends after the first error.
pub fn paginate<O, T>(
    client: &Client,
    variables: &O::Variables,
    after: &'static str,
    connection: &'static [&'static str],
) -> PageStream<T>
where
    O: Operation,
    T: FromJson + Send + 'static,
{
    nodes(client.clone(), Call::of::<O>(variables), after, connection)
        .map(|node| {
            let node = node?;
            T::from_json(&node.value, Path::Root).map_err(|source| Error::Decode {
                operation: O::NAME.to_owned(),
                source: DecodeError {
                    path: node.path.clone()
                        + source.path.strip_prefix("data").unwrap_or(&source.path),
                    ..source
                },
                request_id: node.request_id,
            })
        })
        .boxed()
}

struct State {
    client: Client,
    call: Call,
    after: &'static str,
    connection: &'static [&'static str],
    buffer: VecDeque<Node>,
    done: bool,
}

/// The page loop, on plain JSON: compiled once, whatever the operation.
fn nodes(
    client: Client,
    call: Call,
    after: &'static str,
    connection: &'static [&'static str],
) -> BoxStream<'static, Result<Node, Error>> {
    let state = State {
        client,
        call,
        after,
        connection,
        buffer: VecDeque::new(),
        done: false,
    };
    stream::unfold(state, |mut state| async move {
        loop {
            if let Some(node) = state.buffer.pop_front() {
                return Some((Ok(node), state));
            }
            if state.done {
                return None;
            }
            let call = state.call.clone();
            match state.client.call(call).await {
                Err(error) => {
                    state.done = true;
                    return Some((Err(error), state));
                }
                Ok(answer) => {
                    let cursor = page(
                        &answer.data,
                        state.connection,
                        answer.request_id.as_deref(),
                        &mut state.buffer,
                    );
                    match cursor {
                        Some(cursor) => {
                            state.call.body["variables"][state.after] = Value::String(cursor)
                        }
                        None => state.done = true,
                    }
                }
            }
        }
    })
    .boxed()
}

/// Queues a page's nodes; returns the cursor of the next page, if there is one.
fn page(
    data: &Value,
    connection: &[&str],
    request_id: Option<&str>,
    buffer: &mut VecDeque<Node>,
) -> Option<String> {
    let mut here = data;
    let mut path = "data".to_owned();
    for key in connection {
        here = here.get(*key).filter(|v| !v.is_null())?;
        path.push('.');
        path.push_str(key);
    }
    let push = |buffer: &mut VecDeque<Node>, value: &Value, path: String| {
        buffer.push_back(Node {
            value: value.clone(),
            path,
            request_id: request_id.map(str::to_owned),
        });
    };
    if let Some(nodes) = here.get("nodes").and_then(Value::as_array) {
        for (i, node) in nodes.iter().enumerate() {
            push(buffer, node, format!("{path}.nodes[{i}]"));
        }
    } else if let Some(edges) = here.get("edges").and_then(Value::as_array) {
        for (i, edge) in edges.iter().enumerate() {
            if let Some(node) = edge.get("node") {
                push(buffer, node, format!("{path}.edges[{i}].node"));
            }
        }
    }
    let info = here.get("pageInfo")?;
    let has_next = info
        .get("hasNextPage")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let cursor = info.get("endCursor").and_then(Value::as_str)?;
    has_next.then(|| cursor.to_owned())
}
