//! The connection to Redis: reconnecting, bounded in time, and loud only once per outage.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// How long one Redis round trip may take before the caller falls back to its own
/// process: Redis being slow must not make requests slow.
pub const ROUND_TRIP_TIMEOUT: Duration = Duration::from_millis(500);

/// How often a process tries Redis again while it is down.
const RETRY_EVERY: Duration = Duration::from_millis(1000);

/// A shared handle on Redis that reconnects by itself.
#[derive(Clone)]
pub(crate) struct Conn {
    manager: ConnectionManager,
    down: std::sync::Arc<AtomicBool>,
    /// While Redis is down, when to try it again: one attempt a second, not one per
    /// request, so an outage costs requests no time.
    retry_at: std::sync::Arc<std::sync::Mutex<Option<Instant>>>,
    /// Where Redis is, without any password, for log lines.
    pub(crate) display: String,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn")
            .field("redis", &self.display)
            .finish_non_exhaustive()
    }
}

impl Conn {
    /// Connects lazily: a Redis that is down at start is not an error, only a fallback.
    pub(crate) fn new(client: redis::Client) -> redis::RedisResult<Self> {
        let info = client.get_connection_info();
        let display = format!("{}", info.addr());
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(ROUND_TRIP_TIMEOUT))
            .set_response_timeout(Some(ROUND_TRIP_TIMEOUT))
            // Back within a second or so of Redis returning.
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(1000))
            .set_number_of_retries(3);
        let manager = ConnectionManager::new_lazy_with_config(client, config)?;
        Ok(Self {
            manager,
            down: std::sync::Arc::new(AtomicBool::new(false)),
            retry_at: std::sync::Arc::default(),
            display,
        })
    }

    /// A connection to send one command or script on (cheap: a handle).
    pub(crate) fn handle(&self) -> ConnectionManager {
        self.manager.clone()
    }

    /// Runs one round trip with a deadline; an error or timeout is logged once per
    /// outage and reported as `None`.
    pub(crate) async fn run<T>(
        &self,
        what: &'static str,
        round_trip: impl Future<Output = redis::RedisResult<T>>,
    ) -> Option<T> {
        if self.down.load(Ordering::Relaxed) {
            let mut retry_at = self.retry_at();
            match *retry_at {
                Some(at) if Instant::now() < at => return None,
                // This caller probes; the others keep skipping until it is answered.
                _ => *retry_at = Some(Instant::now() + RETRY_EVERY),
            }
        }
        let result = tokio::time::timeout(ROUND_TRIP_TIMEOUT, round_trip).await;
        match result {
            Ok(Ok(value)) => {
                if self.down.swap(false, Ordering::Relaxed) {
                    tracing::info!(redis = %self.display, "Redis is back: sharing the token and the rate-limit budget again");
                }
                Some(value)
            }
            Ok(Err(error)) => {
                self.went_down(what, &error.to_string());
                None
            }
            Err(_) => {
                self.went_down(what, "timed out");
                None
            }
        }
    }

    fn retry_at(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        self.retry_at
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn went_down(&self, what: &str, reason: &str) {
        *self.retry_at() = Some(Instant::now() + RETRY_EVERY);
        if !self.down.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                redis = %self.display,
                during = what,
                reason,
                "Redis unreachable: this process uses its own token and paces at its share of the rate until Redis is back"
            );
        }
    }
}
