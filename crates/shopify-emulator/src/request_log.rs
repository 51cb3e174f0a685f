//! The log of received requests behind `RunningEmulator::requests`, bounded by count and
//! by bytes so a long-running emulator does not grow with its traffic.

use std::collections::VecDeque;

use crate::http::body_json;
use crate::server::RecordedRequest;

/// Requests kept at most.
pub(crate) const MAX_RECORDED: usize = 4_096;

/// Bytes of the kept requests (bodies, headers, paths) at most, so the log is full after
/// a few hundred requests of a long run instead of growing through it. The newest request
/// is always kept, whatever its size.
pub(crate) const MAX_RECORDED_BYTES: usize = 512 * 1024;

/// A request as the log keeps it: the body only as received. Parsed into a JSON value
/// it took about three times the bytes (a map and one allocation per key and value), and
/// was most of what the log held; it is parsed when [`RequestLog::to_vec`] is asked for.
#[derive(Debug)]
pub(crate) struct LoggedRequest {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Box<[u8]>,
    /// Whether the body is a form (`application/x-www-form-urlencoded`).
    pub(crate) form: bool,
}

impl LoggedRequest {
    fn recorded(&self) -> RecordedRequest {
        RecordedRequest {
            method: self.method.clone(),
            path: self.path.clone(),
            headers: self.headers.clone(),
            body: body_json(&self.body, self.form),
            raw_body: String::from_utf8_lossy(&self.body).into_owned(),
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: VecDeque<(LoggedRequest, usize)>,
    bytes: usize,
}

impl RequestLog {
    pub(crate) fn push(&mut self, request: LoggedRequest) {
        let size = size_of(&request);
        self.entries.push_back((request, size));
        self.bytes += size;
        while self.entries.len() > 1
            && (self.entries.len() > MAX_RECORDED || self.bytes > MAX_RECORDED_BYTES)
        {
            if let Some((_, size)) = self.entries.pop_front() {
                self.bytes -= size;
            }
        }
    }

    pub(crate) fn to_vec(&self) -> Vec<RecordedRequest> {
        self.entries.iter().map(|(r, _)| r.recorded()).collect()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
    }
}

/// About what a request costs to keep and to hand out: its body twice (as received, and
/// parsed or as text in [`RecordedRequest`]), headers, path.
fn size_of(request: &LoggedRequest) -> usize {
    let headers: usize = request
        .headers
        .iter()
        .map(|(k, v)| k.len() + v.len() + 64)
        .sum();
    2 * request.body.len() + headers + request.path.len() + request.method.len() + 256
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(n: usize, body_bytes: usize) -> LoggedRequest {
        LoggedRequest {
            method: "POST".into(),
            path: format!("/{n}"),
            headers: vec![],
            body: "x".repeat(body_bytes).into_bytes().into_boxed_slice(),
            form: false,
        }
    }

    #[test]
    fn the_log_keeps_the_newest_within_its_byte_bound() {
        let mut log = RequestLog::default();
        for n in 0..10_000 {
            log.push(request(n, 1_000));
        }
        let kept = log.to_vec();
        assert!(log.bytes <= MAX_RECORDED_BYTES);
        // Full: one more request of the same size would push the oldest out.
        assert!(log.bytes + size_of(&request(10_000, 1_000)) > MAX_RECORDED_BYTES);
        assert_eq!(kept.last().unwrap().path, "/9999");
        let first: usize = kept[0].path[1..].parse().unwrap();
        assert_eq!(first + kept.len(), 10_000, "the newest, in order");
    }

    #[test]
    fn bodies_kept_as_received_are_handed_out_parsed_and_as_text() {
        let mut log = RequestLog::default();
        let mut json = request(0, 0);
        json.body = br#"{"query":"{ shop { name } }"}"#.to_vec().into_boxed_slice();
        let mut form = request(1, 0);
        form.body = b"client_id=a&client_secret=b".to_vec().into_boxed_slice();
        form.form = true;
        log.push(json);
        log.push(form);
        let kept = log.to_vec();
        assert_eq!(
            kept[0].body,
            serde_json::json!({"query": "{ shop { name } }"})
        );
        assert_eq!(kept[0].raw_body, r#"{"query":"{ shop { name } }"}"#);
        assert_eq!(
            kept[1].body,
            serde_json::json!({"client_id": "a", "client_secret": "b"})
        );
        assert_eq!(kept[1].raw_body, "client_id=a&client_secret=b");
    }

    #[test]
    fn a_request_larger_than_the_bound_is_still_kept_alone() {
        let mut log = RequestLog::default();
        log.push(request(0, 10));
        log.push(request(1, MAX_RECORDED_BYTES));
        let kept = log.to_vec();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].path, "/1");
        log.clear();
        assert!(log.to_vec().is_empty());
    }
}
