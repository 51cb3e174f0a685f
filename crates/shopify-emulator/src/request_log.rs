//! The log of received requests behind `RunningEmulator::requests`, bounded by count and
//! by bytes so a long-running emulator does not grow with its traffic.

use std::collections::VecDeque;

use crate::server::RecordedRequest;

/// Requests kept at most.
pub(crate) const MAX_RECORDED: usize = 4_096;

/// Bytes of the kept requests (bodies, headers, paths) at most, so the log is full after
/// a few hundred requests of a long run instead of growing through it. The newest request
/// is always kept, whatever its size.
pub(crate) const MAX_RECORDED_BYTES: usize = 512 * 1024;

#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: VecDeque<(RecordedRequest, usize)>,
    bytes: usize,
}

impl RequestLog {
    pub(crate) fn push(&mut self, request: RecordedRequest) {
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
        self.entries.iter().map(|(r, _)| r.clone()).collect()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
    }
}

/// About what a request holds in memory: its body twice (raw and parsed), headers, path.
fn size_of(request: &RecordedRequest) -> usize {
    let headers: usize = request
        .headers
        .iter()
        .map(|(k, v)| k.len() + v.len() + 64)
        .sum();
    2 * request.raw_body.len() + headers + request.path.len() + request.method.len() + 256
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(n: usize, body_bytes: usize) -> RecordedRequest {
        RecordedRequest {
            method: "POST".into(),
            path: format!("/{n}"),
            headers: vec![],
            body: serde_json::Value::Null,
            raw_body: "x".repeat(body_bytes),
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
