//! One access token for every process of an app on a shop.
//!
//! The token lives in Redis, sealed. A process reads it once and keeps it in memory until
//! it is due for renewal or Shopify rejects it. Renewal is a lock plus a cache: the
//! process that takes the lock (random owner value, expiry) fetches the new token and
//! stores it; the others poll until it appears, bounded; the lock is released by
//! compare-and-delete so a slow holder never frees a lock that has passed to another.
//! After a 401 the stored token is deleted only if it is still the rejected one
//! (compare-and-delete on its id), so N processes that see one 401 cause one new grant.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::future::BoxFuture;
use redis::AsyncCommands;
use shopify_auth::{AccessToken, AuthError, ClientCredentials, Scopes, TokenSource};

use crate::conn::Conn;
use crate::seal::Sealer;

/// Default for [`FleetConfig::lock_ttl`](crate::FleetConfig::lock_ttl).
pub const DEFAULT_LOCK_TTL: Duration = Duration::from_secs(10);
/// Default for [`FleetConfig::renewal_margin`](crate::FleetConfig::renewal_margin).
pub const DEFAULT_RENEWAL_MARGIN: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(50);

/// Deletes a key only if it still holds the value given: releasing a lock we own, or
/// dropping the token that Shopify rejected (and not the one that replaced it).
pub(crate) const COMPARE_AND_DELETE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// A [`TokenSource`] that shares one token per app and shop through Redis, and falls back
/// to its own [`ClientCredentials`] cache when Redis cannot be reached.
pub struct FleetTokens {
    conn: Conn,
    sealer: Sealer,
    key: String,
    lock_key: String,
    local: ClientCredentials,
    lock_ttl: Duration,
    margin: Duration,
    state: Mutex<State>,
    compare_and_delete: redis::Script,
}

#[derive(Default)]
struct State {
    /// The token read from Redis, its id there, and when to stop using it.
    cached: Option<(AccessToken, String, SystemTime)>,
    /// The id of a stored token Shopify rejected: it must not be used again.
    rejected: Option<String>,
}

// Lists only what is safe to show: no token, no key material.
impl std::fmt::Debug for FleetTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FleetTokens")
            .field("redis", &self.conn.display)
            .field("key", &self.key)
            .field("local", &self.local)
            .finish_non_exhaustive()
    }
}

/// What is stored: the id and times in the clear, the token and scopes sealed.
struct Stored {
    id: String,
    issued_ms: u64,
    expires_ms: Option<u64>,
    sealed: String,
}

impl Stored {
    fn encode(&self) -> String {
        serde_json::json!({
            "id": self.id,
            "iat": self.issued_ms,
            "exp": self.expires_ms,
            "sealed": self.sealed,
        })
        .to_string()
    }

    fn decode(raw: &str) -> Option<Self> {
        let value: serde_json::Value = serde_json::from_str(raw).ok()?;
        Some(Self {
            id: value.get("id")?.as_str()?.to_owned(),
            issued_ms: value.get("iat")?.as_u64()?,
            expires_ms: value.get("exp").and_then(serde_json::Value::as_u64),
            sealed: value.get("sealed")?.as_str()?.to_owned(),
        })
    }
}

enum Read {
    /// A usable token.
    Fresh(AccessToken),
    /// Nothing usable: missing, due for renewal, rejected or unreadable.
    Renew,
}

impl FleetTokens {
    pub(crate) fn new(
        conn: Conn,
        sealer: Sealer,
        prefix: &str,
        local: ClientCredentials,
        lock_ttl: Duration,
        margin: Duration,
    ) -> Self {
        Self {
            conn,
            sealer,
            key: format!("{prefix}:token"),
            lock_key: format!("{prefix}:token:lock"),
            local,
            lock_ttl,
            margin,
            state: Mutex::new(State::default()),
            compare_and_delete: redis::Script::new(COMPARE_AND_DELETE),
        }
    }

    /// The Redis key holding the sealed token.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The Redis key of the renewal lock.
    pub fn lock_key(&self) -> &str {
        &self.lock_key
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // Plain values replaced whole: a panic elsewhere cannot leave them torn.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The shared token; `None` when Redis cannot be reached.
    async fn get(&self) -> Option<Result<AccessToken, AuthError>> {
        let deadline = Instant::now() + self.lock_ttl + POLL * 4;
        loop {
            match self.read().await? {
                Read::Fresh(token) => return Some(Ok(token)),
                Read::Renew => {}
            }
            let owner = uuid::Uuid::new_v4().to_string();
            let mut redis = self.conn.handle();
            let ttl_ms = u64::try_from(self.lock_ttl.as_millis()).unwrap_or(u64::MAX);
            let options = redis::SetOptions::default()
                .conditional_set(redis::ExistenceCheck::NX)
                .with_expiration(redis::SetExpiry::PX(ttl_ms));
            let taken: Option<String> = self
                .conn
                .run(
                    "taking the token lock",
                    redis.set_options(&self.lock_key, &owner, options),
                )
                .await?;
            if taken.is_some() {
                return self.renew(&owner).await;
            }
            if Instant::now() > deadline {
                // The holder is slow and alive: do not wait for ever.
                tracing::warn!(
                    "waited too long for another process to renew the token; fetching one here"
                );
                return Some(self.local.fetch_new().await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Reads the stored token; `None` when Redis cannot be reached.
    async fn read(&self) -> Option<Read> {
        let mut redis = self.conn.handle();
        let raw: Option<String> = self
            .conn
            .run("reading the token", redis.get(&self.key))
            .await?;
        let Some(raw) = raw else {
            return Some(Read::Renew);
        };
        let Some(stored) = Stored::decode(&raw) else {
            return Some(Read::Renew);
        };
        let rejected = self.state().rejected.clone();
        if rejected.as_deref() == Some(stored.id.as_str()) {
            // Compare-and-delete: gone only if nobody replaced it yet.
            let mut redis = self.conn.handle();
            let _: i64 = self
                .conn
                .run(
                    "dropping the rejected token",
                    self.compare_and_delete
                        .key(&self.key)
                        .arg(&raw)
                        .invoke_async(&mut redis),
                )
                .await?;
            return Some(Read::Renew);
        }
        let now = unix_ms(SystemTime::now());
        let refresh_ms = stored.expires_ms.map(|exp| {
            let life = exp.saturating_sub(stored.issued_ms);
            let margin = u64::try_from(self.margin.as_millis()).unwrap_or(u64::MAX);
            exp.saturating_sub(margin.min(life / 2))
        });
        if refresh_ms.is_some_and(|at| now >= at) {
            return Some(Read::Renew);
        }
        let Some(token) = self.open(&stored) else {
            return Some(Read::Renew);
        };
        let refresh_at = refresh_ms.map_or_else(far_future, from_unix_ms);
        self.state().cached = Some((token.clone(), stored.id, refresh_at));
        Some(Read::Fresh(token))
    }

    fn open(&self, stored: &Stored) -> Option<AccessToken> {
        let plain = self.sealer.open(&stored.sealed, self.key.as_bytes())?;
        let value: serde_json::Value = serde_json::from_slice(&plain).ok()?;
        let secret = value.get("token")?.as_str()?.to_owned();
        let scopes = value
            .get("scope")
            .and_then(serde_json::Value::as_str)
            .map(Scopes::parse);
        let expires_at = stored.expires_ms.map(|exp| {
            let left = exp.saturating_sub(unix_ms(SystemTime::now()));
            Instant::now() + Duration::from_millis(left)
        });
        Some(AccessToken::new(secret, scopes, expires_at))
    }

    /// Holding the lock: fetch, store, release.
    async fn renew(&self, owner: &str) -> Option<Result<AccessToken, AuthError>> {
        // Someone may have stored a token between our read and our lock.
        if let Some(Read::Fresh(token)) = self.read().await {
            self.release(owner).await;
            return Some(Ok(token));
        }
        let fetched = self.local.fetch_new().await;
        if let Ok(token) = &fetched {
            // Not stored (Redis went away): the token is still good for this process.
            let _ = self.store(token).await;
        }
        self.release(owner).await;
        Some(fetched)
    }

    async fn store(&self, token: &AccessToken) -> Option<()> {
        let now = SystemTime::now();
        let issued_ms = unix_ms(now);
        let expires_ms = token.expires_at().map(|at| {
            issued_ms
                + u64::try_from(at.saturating_duration_since(Instant::now()).as_millis())
                    .unwrap_or(u64::MAX / 2)
        });
        let plain = serde_json::json!({
            "token": token.expose_secret(),
            "scope": token.scopes().map(Scopes::to_string),
        })
        .to_string();
        let sealed = self.sealer.seal(plain.as_bytes(), self.key.as_bytes())?;
        let id = uuid::Uuid::new_v4().to_string();
        let value = Stored {
            id: id.clone(),
            issued_ms,
            expires_ms,
            sealed,
        }
        .encode();
        let mut redis = self.conn.handle();
        let options = match expires_ms {
            Some(exp) => redis::SetOptions::default()
                .with_expiration(redis::SetExpiry::PX(exp.saturating_sub(issued_ms).max(1))),
            None => redis::SetOptions::default(),
        };
        let _: () = self
            .conn
            .run(
                "storing the token",
                redis.set_options(&self.key, value, options),
            )
            .await?;
        let refresh_ms = expires_ms.map(|exp| {
            let margin = u64::try_from(self.margin.as_millis()).unwrap_or(u64::MAX);
            exp.saturating_sub(margin.min(exp.saturating_sub(issued_ms) / 2))
        });
        let refresh_at = refresh_ms.map_or_else(far_future, from_unix_ms);
        self.state().cached = Some((token.clone(), id, refresh_at));
        Some(())
    }

    async fn release(&self, owner: &str) {
        let mut redis = self.conn.handle();
        let _: Option<i64> = self
            .conn
            .run(
                "releasing the token lock",
                self.compare_and_delete
                    .key(&self.lock_key)
                    .arg(owner)
                    .invoke_async(&mut redis),
            )
            .await;
    }
}

impl TokenSource for FleetTokens {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>> {
        Box::pin(async move {
            {
                let state = self.state();
                if let Some((token, _, refresh_at)) = &state.cached {
                    if SystemTime::now() < *refresh_at {
                        return Ok(token.clone());
                    }
                }
            }
            match self.get().await {
                Some(result) => result,
                // Redis is unreachable (said once in the log): this process's own cache.
                None => self.local.token().await,
            }
        })
    }

    fn invalidate(&self, rejected: &AccessToken) {
        let mut state = self.state();
        if let Some((token, id, _)) = &state.cached {
            if token.is_same(rejected) {
                state.rejected = Some(id.clone());
                state.cached = None;
                tracing::debug!("shared token rejected; it will be replaced once for the fleet");
            }
        }
        drop(state);
        self.local.invalidate(rejected);
    }
}

fn unix_ms(at: SystemTime) -> u64 {
    u64::try_from(
        at.duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis(),
    )
    .unwrap_or(u64::MAX)
}

/// For tokens without an expiry.
fn far_future() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(100 * 365 * 24 * 3600)
}

fn from_unix_ms(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}
