//! Every node of a paginated connection as one stream.

use std::collections::VecDeque;

use futures::stream::{self, BoxStream, StreamExt};

use crate::{Client, Error, Operation};

/// One page as the generated code extracts it from a response.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The page's nodes.
    pub items: Vec<T>,
    /// `pageInfo.hasNextPage`.
    pub has_next_page: bool,
    /// `pageInfo.endCursor`.
    pub end_cursor: Option<String>,
}

/// The stream the generated `…_stream` functions return.
pub type PageStream<T> = BoxStream<'static, Result<T, Error>>;

struct State<O: Operation, T> {
    client: Client,
    variables: O::Variables,
    buffer: VecDeque<T>,
    done: bool,
}

/// Streams every node across pages: runs `O`, yields the page's nodes, and runs it again
/// with `after` set to the page's `endCursor` while `hasNextPage`. Each page goes through
/// [`Client::send`], so it is paced and retried like any request. The stream ends after
/// the first error.
pub fn paginate<O, T>(
    client: Client,
    variables: O::Variables,
    set_after: fn(&mut O::Variables, Option<String>),
    page: fn(O::Response) -> Option<Page<T>>,
) -> PageStream<T>
where
    O: Operation,
    O::Variables: Clone + 'static,
    T: Send + 'static,
{
    let state = State::<O, T> {
        client,
        variables,
        buffer: VecDeque::new(),
        done: false,
    };
    stream::unfold(state, move |mut state| async move {
        loop {
            if let Some(item) = state.buffer.pop_front() {
                return Some((Ok(item), state));
            }
            if state.done {
                return None;
            }
            match state.client.execute::<O>(&state.variables).await {
                Err(error) => {
                    state.done = true;
                    return Some((Err(error), state));
                }
                Ok(data) => match page(data) {
                    None => state.done = true,
                    Some(page) => {
                        state.buffer.extend(page.items);
                        match page.end_cursor {
                            Some(cursor) if page.has_next_page => {
                                set_after(&mut state.variables, Some(cursor))
                            }
                            _ => state.done = true,
                        }
                    }
                },
            }
        }
    })
    .boxed()
}
