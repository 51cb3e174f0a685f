//! Reading an answer's body with a cap, so a broken or hostile server cannot make the
//! client buffer without bound ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)).

use reqwest::Response;

/// The default cap on a GraphQL answer: far above a 250-product page (~0.4 MB) and full
/// introspection (~7 MB), far below what would hurt a process.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// Why a body was not read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The body is (or announced it would be) longer than the cap.
    TooLarge,
    /// The connection failed while reading.
    Network(reqwest::Error),
}

/// The whole body, or [`ReadError::TooLarge`] as soon as it is known to exceed `max`
/// bytes (from `Content-Length`, before reading anything, or while reading).
pub(crate) async fn read_capped(mut response: Response, max: usize) -> Result<Vec<u8>, ReadError> {
    let announced = response.content_length().unwrap_or(0);
    if announced > max as u64 {
        return Err(ReadError::TooLarge);
    }
    // Trust the announced length only as a hint for the first allocation.
    let mut body = Vec::with_capacity((announced as usize).min(max).min(1 << 20));
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Network)? {
        if body.len() + chunk.len() > max {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
