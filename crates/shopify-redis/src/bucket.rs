//! One cost budget for every process of an app on a shop: Shopify's leaky bucket, kept
//! in Redis by two Lua scripts that run atomically on Redis' clock (`TIME`), so machines
//! with skewed clocks agree.
//!
//! The model is the in-process pacer's (`shopify_client::Throttle`): a request reserves
//! its requested cost or learns how long to wait; its answer refunds down to the actual
//! cost and resyncs the level, size and restore rate from `throttleStatus`. A report is
//! taken as it is when its request went out after the latest report arrived; otherwise
//! it may only lower the level, because an older, higher level would hand back points
//! other requests have spent since. Points reserved after the request went out are
//! probably not in Shopify's figure yet, so they are subtracted from it.
//!
//! One round trip before a request (reserve) and one after (settle).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::conn::Conn;

/// Reserve `ARGV[1]` points or say how long to wait. KEYS: bucket hash, in-flight zset,
/// live-clients zset. ARGV: cost, in-flight member (`id|cost`), client id.
/// Returns `{admitted, wait_ms, now_ms, live_clients}`.
const RESERVE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost = tonumber(ARGV[1])
redis.call('ZADD', KEYS[3], now, ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 10000)
redis.call('PEXPIRE', KEYS[3], 60000)
local live = redis.call('ZCARD', KEYS[3])
local s = redis.call('HMGET', KEYS[1], 'level', 'size', 'rate', 'at', 'probe')
local size = tonumber(s[2])
if not size then
  -- Nothing known yet: one request finds out, the others wait for its answer.
  local probe = tonumber(s[5])
  if probe and now < probe then return {0, 50, now, live} end
  redis.call('HSET', KEYS[1], 'probe', now + 2000)
  redis.call('PEXPIRE', KEYS[1], 3600000)
  return {1, 0, now, live}
end
local rate = tonumber(s[3])
local level = math.min(size, tonumber(s[1]) + rate * (now - tonumber(s[4])) / 1000)
-- A cost above the bucket's size can never fit: it goes when the bucket is full.
local target = math.min(cost, size)
if level >= target then
  redis.call('HSET', KEYS[1], 'level', tostring(level - cost), 'at', now)
  redis.call('ZADD', KEYS[2], now, ARGV[2])
  -- Reservations of processes that died before settling stop counting after a minute.
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 60000)
  redis.call('PEXPIRE', KEYS[1], 3600000)
  redis.call('PEXPIRE', KEYS[2], 3600000)
  return {1, 0, now, live}
end
return {0, math.ceil((target - level) * 1000 / math.max(rate, 0.001)), now, live}
";

/// Settle a reservation. KEYS: bucket hash, in-flight zset. ARGV: member, sent_ms,
/// refund (points given back: requested minus actual, all of it when throttled),
/// has_status (0/1), size, currently available, restore rate.
const SETTLE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local sent = tonumber(ARGV[2])
local refund = tonumber(ARGV[3])
local has = ARGV[4] == '1'
local removed = redis.call('ZREM', KEYS[2], ARGV[1])
local s = redis.call('HMGET', KEYS[1], 'level', 'size', 'rate', 'at', 'last')
local size = tonumber(s[2])
local rate = tonumber(s[3])
local level = nil
if size then
  level = math.min(size, tonumber(s[1]) + rate * (now - tonumber(s[4])) / 1000)
  -- Only what was reserved here comes back: a reservation lost with a restarted Redis
  -- was never charged to this state.
  if removed == 1 then level = math.min(size, level + refund) end
end
if has then
  local nsize, avail, nrate = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
  local later = 0
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. sent, '+inf')) do
    later = later + (tonumber(string.match(m, '|([^|]+)$')) or 0)
  end
  local candidate = avail - later
  local last = tonumber(s[5]) or -1
  if (not level) or sent > last or candidate < level or nsize ~= size or nrate ~= rate then
    level = candidate
  end
  size, rate = nsize, nrate
  level = math.min(level, size)
  redis.call('HSET', KEYS[1], 'last', now)
end
if level then
  redis.call('HSET', KEYS[1], 'level', tostring(level), 'size', tostring(size), 'rate', tostring(rate), 'at', now)
end
redis.call('HDEL', KEYS[1], 'probe')
redis.call('PEXPIRE', KEYS[1], 3600000)
return 1
";

/// What Shopify reported about the bucket (`extensions.cost.throttleStatus`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketReport {
    /// Bucket size.
    pub maximum_available: f64,
    /// Points available when the request was served.
    pub currently_available: f64,
    /// Points restored per second.
    pub restore_rate: f64,
}

/// The answer to a reservation.
#[derive(Debug, Clone, PartialEq)]
pub enum Admission {
    /// The points are reserved: send now, then [`FleetBucket::settle`] the ticket.
    Go(Ticket),
    /// Not enough points: ask again after this long.
    Wait(Duration),
}

/// A reservation in the shared bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticket {
    member: String,
    /// Redis' clock when the points were reserved.
    sent_ms: i64,
    cost: f64,
}

impl Ticket {
    /// The points reserved.
    pub fn cost(&self) -> f64 {
        self.cost
    }

    /// The ticket as one string, to carry through code that does not know this type.
    pub fn encode(&self) -> String {
        format!("{}|{}", self.sent_ms, self.member)
    }

    /// The inverse of [`encode`](Self::encode).
    pub fn decode(text: &str) -> Option<Self> {
        let (sent, member) = text.split_once('|')?;
        let cost = member.rsplit_once('|')?.1.parse().ok()?;
        Some(Self {
            member: member.to_owned(),
            sent_ms: sent.parse().ok()?,
            cost,
        })
    }
}

/// The shared leaky bucket of one app on one shop.
pub struct FleetBucket {
    conn: Conn,
    keys: [String; 3],
    client: String,
    counter: AtomicU64,
    live: AtomicU64,
    reserve: redis::Script,
    settle: redis::Script,
}

impl std::fmt::Debug for FleetBucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FleetBucket")
            .field("redis", &self.conn.display)
            .field("key", &self.keys[0])
            .finish_non_exhaustive()
    }
}

impl FleetBucket {
    pub(crate) fn new(conn: Conn, prefix: &str) -> Self {
        Self {
            conn,
            keys: [
                format!("{prefix}:bucket"),
                format!("{prefix}:bucket:inflight"),
                format!("{prefix}:clients"),
            ],
            client: uuid::Uuid::new_v4().to_string(),
            counter: AtomicU64::new(0),
            live: AtomicU64::new(1),
            reserve: redis::Script::new(RESERVE),
            settle: redis::Script::new(SETTLE),
        }
    }

    /// The Redis key of the bucket's state.
    pub fn key(&self) -> &str {
        &self.keys[0]
    }

    /// Processes that used the bucket in the last 10 s, as last seen (at least 1): while
    /// Redis is away, each process paces at the restore rate divided by this.
    pub fn live_clients(&self) -> u64 {
        self.live.load(Ordering::Relaxed).max(1)
    }

    /// Reserves `cost` points, or says how long to wait; `None` when Redis cannot be
    /// reached (the caller paces on its own meanwhile). One round trip.
    pub async fn reserve(&self, cost: f64) -> Option<Admission> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let member = format!("{}:{n}|{cost}", self.client);
        let mut redis = self.conn.handle();
        let (admitted, wait_ms, now_ms, live): (i64, i64, i64, i64) = self
            .conn
            .run(
                "reserving rate-limit points",
                self.reserve
                    .key(&self.keys[0])
                    .key(&self.keys[1])
                    .key(&self.keys[2])
                    .arg(cost)
                    .arg(&member)
                    .arg(&self.client)
                    .invoke_async(&mut redis),
            )
            .await?;
        self.live
            .store(u64::try_from(live).unwrap_or(1), Ordering::Relaxed);
        Some(if admitted == 1 {
            Admission::Go(Ticket {
                member,
                sent_ms: now_ms,
                cost,
            })
        } else {
            Admission::Wait(Duration::from_millis(
                u64::try_from(wait_ms).unwrap_or(1).max(1),
            ))
        })
    }

    /// Settles a reservation: refunds `refund` points (requested minus actual cost; the
    /// whole reservation when the request was throttled; 0 when unknown) and resyncs from
    /// Shopify's report. One round trip; `None` when Redis cannot be reached.
    pub async fn settle(
        &self,
        ticket: &Ticket,
        refund: f64,
        report: Option<BucketReport>,
    ) -> Option<()> {
        let mut redis = self.conn.handle();
        let (has, size, available, rate) = match report {
            Some(r) => (
                1,
                r.maximum_available,
                r.currently_available,
                r.restore_rate,
            ),
            None => (0, 0.0, 0.0, 0.0),
        };
        let _: i64 = self
            .conn
            .run(
                "settling rate-limit points",
                self.settle
                    .key(&self.keys[0])
                    .key(&self.keys[1])
                    .arg(&ticket.member)
                    .arg(ticket.sent_ms)
                    .arg(refund)
                    .arg(has)
                    .arg(size)
                    .arg(available)
                    .arg(rate)
                    .invoke_async(&mut redis),
            )
            .await?;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_survives_its_string_form() {
        let ticket = Ticket {
            member: "client:7|12.5".into(),
            sent_ms: 1_700_000_000_123,
            cost: 12.5,
        };
        assert_eq!(Ticket::decode(&ticket.encode()), Some(ticket));
        assert_eq!(Ticket::decode("garbage"), None);
    }
}
