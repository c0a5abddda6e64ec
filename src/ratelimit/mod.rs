//! Rate limiting (part `ratelimit`): the named limits ([`layer`]) and the windows that count them.
//! `layer` imports only `base` (fixtures name limits); the windows `error`, `store` and below.
//!
//! Rate-limit windows: Genesys' `client.credentials.token.rate.per.minute` (300 requests per
//! minute per client-credentials token, on Genesys' Limits page), `token.rate.per.minute` (token
//! requests per OAuth client, `crate::api::oauth`), and the further named layers of
//! [`crate::ratelimit::layer`], each a window keyed by its name and scope, checked together by
//! [`RateLimiter::check_all`]. The window model below holds for every window.
//!
//! # Window model
//!
//! Each bearer token has a **fixed 60-second window that starts at its first request**. Within a
//! window the token may make `limit` requests; the next one gets 429 with
//! `Retry-After: ceil(seconds until the window ends)` (at least 1). When the window ends, the
//! next request opens a new one with a fresh count. A rejected request does not count.
//!
//! This is the simplest model that reads as "N requests per minute", and it makes `Retry-After`
//! exact: advancing the clock by `Retry-After` seconds always ends the window (the next call
//! succeeds), while advancing by one second less never does (the call still gets 429). Genesys
//! does not document its algorithm; clients should only rely on honouring `Retry-After`.
//!
//! Windows read [`crate::base::clock::Clock`], never `Instant::now()`, so a test that advances the
//! clock refills buckets exactly as real time would.
//!
//! # Bounded memory
//!
//! The table is swept of ended windows whenever it doubles past its last size after a sweep
//! (an ended window is the same as no entry, so sweeping loses nothing), and it is capped at
//! [`MAX_WINDOWS`]: if that many tokens are all active in one minute, the window that started
//! first is dropped, which only ever lets that token through early.

pub(crate) mod layer;

use std::sync::atomic::{AtomicUsize, Ordering};

use dashmap::DashMap;
use http::{HeaderName, HeaderValue, Response};

use crate::edge::response::Body;
use crate::error::{ApiError, ApiResult};
use layer::Check;

/// Length of a window, in milliseconds.
pub(crate) const WINDOW_MS: i64 = 60_000;

/// The most windows kept at once (the same bound as the token table).
pub(crate) const MAX_WINDOWS: usize = crate::store::tokens::MAX_TOKENS;

/// The table size below which no sweep is attempted.
const FIRST_SWEEP_AT: usize = 1_024;

/// `inin-ratelimit-allowed`: the limit of the window.
pub(crate) const HEADER_ALLOWED: &str = "inin-ratelimit-allowed";
/// `inin-ratelimit-count`: requests counted in the window, this one included.
pub(crate) const HEADER_COUNT: &str = "inin-ratelimit-count";
/// `inin-ratelimit-reset`: whole seconds until the window ends.
pub(crate) const HEADER_RESET: &str = "inin-ratelimit-reset";

/// One token's current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    /// Clock milliseconds at the window's first request.
    start_ms: i64,
    /// Requests admitted in this window.
    count: u32,
}

/// Where a token stands after a request was admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Usage {
    /// The token's limit per window.
    pub allowed: u32,
    /// Requests admitted in the window, this one included.
    pub count: u32,
    /// Whole seconds until the window ends (at least 1).
    pub reset_secs: u64,
}

/// A refused request: how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub usage: Usage,
    /// `Retry-After` in whole seconds (at least 1).
    pub retry_after_secs: u64,
}

/// The per-token windows. `AppState` shares one behind an `Arc`.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    windows: DashMap<String, Window>,
    /// Table size at which the next sweep runs.
    sweep_at: AtomicUsize,
}

impl RateLimiter {
    /// An empty limiter.
    pub(crate) fn new() -> Self {
        Self {
            windows: DashMap::new(),
            sweep_at: AtomicUsize::new(FIRST_SWEEP_AT),
        }
    }

    /// Counts one request for `token` at clock time `now_ms` against `limit` per window.
    pub(crate) fn check(&self, token: &str, limit: u32, now_ms: i64) -> Result<Usage, Refusal> {
        if !self.windows.contains_key(token) {
            self.make_room(now_ms);
        }
        let mut entry = self.windows.entry(token.to_owned()).or_insert(Window {
            start_ms: now_ms,
            count: 0,
        });
        let w = entry.value_mut();
        // A window that has ended, or one "in the future" because the clock was set back,
        // is replaced by a fresh one.
        if now_ms >= w.start_ms + WINDOW_MS || now_ms < w.start_ms {
            *w = Window {
                start_ms: now_ms,
                count: 0,
            };
        }
        let reset_secs = ceil_secs(w.start_ms + WINDOW_MS - now_ms);
        if w.count >= limit {
            return Err(Refusal {
                usage: Usage {
                    allowed: limit,
                    count: w.count,
                    reset_secs,
                },
                retry_after_secs: reset_secs,
            });
        }
        w.count += 1;
        Ok(Usage {
            allowed: limit,
            count: w.count,
            reset_secs,
        })
    }

    /// Counts one request in every window of `checks` (`(window key, limit, layer name)`, see
    /// [`crate::ratelimit::layer::checks`]) or in none: if one window is full the windows already
    /// counted are refunded, and `Retry-After` is the longest wait among the full windows, so
    /// waiting it out clears every layer that refused. Returns the first window's usage.
    pub(crate) fn check_all(
        &self,
        checks: &[Check],
        now_ms: i64,
    ) -> Result<Option<Usage>, Refusal> {
        let mut first = None;
        for (i, c) in checks.iter().enumerate() {
            match self.check(&c.key, c.per_minute, now_ms) {
                Ok(usage) => {
                    first.get_or_insert(usage);
                }
                Err(mut refusal) => {
                    for done in &checks[..i] {
                        self.refund(&done.key);
                    }
                    for c in &checks[i + 1..] {
                        if let Some(secs) = self.full_for(&c.key, c.per_minute, now_ms) {
                            refusal.retry_after_secs = refusal.retry_after_secs.max(secs);
                        }
                    }
                    return Err(refusal);
                }
            }
        }
        Ok(first)
    }

    /// Takes back one counted request (a later layer refused it).
    fn refund(&self, key: &str) {
        if let Some(mut w) = self.windows.get_mut(key) {
            w.count = w.count.saturating_sub(1);
        }
    }

    /// Seconds until `key`'s window admits again, if it is full now.
    fn full_for(&self, key: &str, limit: u32, now_ms: i64) -> Option<u64> {
        let w = *self.windows.get(key)?;
        let current = now_ms >= w.start_ms && now_ms < w.start_ms + WINDOW_MS;
        (current && w.count >= limit).then(|| ceil_secs(w.start_ms + WINDOW_MS - now_ms))
    }

    /// Number of windows held (ended ones included until the next sweep).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.windows.len()
    }

    /// Drops every window (admin reset).
    pub(crate) fn clear(&self) {
        self.windows.clear();
    }

    /// Drops ended windows; returns how many are left.
    pub(crate) fn sweep(&self, now_ms: i64) -> usize {
        self.windows
            .retain(|_, w| now_ms < w.start_ms + WINDOW_MS && now_ms >= w.start_ms);
        self.windows.len()
    }

    /// Before adding a window: sweep when the table has grown enough since the last sweep, and
    /// evict the oldest window if it is still at the cap.
    fn make_room(&self, now_ms: i64) {
        let len = self.windows.len();
        if len < self.sweep_at.load(Ordering::Relaxed) && len < MAX_WINDOWS {
            return;
        }
        let left = self.sweep(now_ms);
        self.sweep_at.store(
            (left * 2).clamp(FIRST_SWEEP_AT, MAX_WINDOWS),
            Ordering::Relaxed,
        );
        if left >= MAX_WINDOWS {
            let oldest = self
                .windows
                .iter()
                .min_by_key(|e| e.value().start_ms)
                .map(|e| e.key().clone());
            if let Some(key) = oldest {
                self.windows.remove(&key);
            }
        }
    }
}

/// Milliseconds to whole seconds, rounded up, at least 1.
fn ceil_secs(ms: i64) -> u64 {
    let secs = (ms.max(1) + 999) / 1000;
    u64::try_from(secs).unwrap_or(1).max(1)
}

/// The limit that applies to a client: its own (`client`, from fixtures), else the server's
/// (`server`, from `--rate-limit`). `None` when the server's limit is off (`--rate-limit off`
/// disables every limit).
pub(crate) fn limit_for(server: Option<u32>, client: Option<u32>) -> Option<u32> {
    let server = server?;
    Some(client.unwrap_or(server))
}

/// Counts the request in every window of `checks` (none: nothing is counted; see
/// [`crate::ratelimit::layer::checks`]) and runs `handler` if it fits them all; otherwise the answer
/// is 429 with `Retry-After`. Also returns where the token stands, for the `inin-ratelimit-*` headers the
/// `ratelimit-headers` switch adds to every answer (429 included; see [`set_usage_headers`]).
/// Errors are returned, not rendered: the router renders every error in one place.
pub(crate) fn admit(
    limiter: &RateLimiter,
    checks: &[Check],
    now_ms: i64,
    handler: impl FnOnce() -> ApiResult<Response<Body>>,
) -> (ApiResult<Response<Body>>, Option<Usage>) {
    if checks.is_empty() {
        return (handler(), None);
    }
    match limiter.check_all(checks, now_ms) {
        Ok(usage) => (handler(), usage),
        Err(refusal) => (
            Err(ApiError::too_many_requests(refusal.retry_after_secs)),
            Some(refusal.usage),
        ),
    }
}

/// Adds the `inin-ratelimit-*` headers Genesys sent until 2021.
pub(crate) fn set_usage_headers(resp: &mut Response<Body>, usage: Usage) {
    let headers = resp.headers_mut();
    for (name, value) in [
        (HEADER_ALLOWED, u64::from(usage.allowed)),
        (HEADER_COUNT, u64::from(usage.count)),
        (HEADER_RESET, usage.reset_secs),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    #[test]
    fn a_window_admits_limit_requests_then_refuses_until_it_ends() {
        let rl = RateLimiter::new();
        for i in 1..=3 {
            assert_eq!(
                rl.check("t", 3, T0 + i).unwrap().count,
                u32::try_from(i).unwrap()
            );
        }
        let r = rl.check("t", 3, T0 + 500).unwrap_err();
        assert_eq!(r.retry_after_secs, 60);
        // 59.5 s left → Retry-After 60; one second less is still inside the window.
        assert!(rl.check("t", 3, T0 + 500 + 59_000).is_err());
        assert_eq!(rl.check("t", 3, T0 + 500 + 60_000).unwrap().count, 1);
    }

    #[test]
    fn retry_after_is_exact_at_whole_seconds_and_at_least_one() {
        let rl = RateLimiter::new();
        rl.check("t", 1, T0).unwrap();
        assert_eq!(
            rl.check("t", 1, T0 + 59_999).unwrap_err().retry_after_secs,
            1
        );
        assert_eq!(
            rl.check("t", 1, T0 + 1_000).unwrap_err().retry_after_secs,
            59
        );
        assert!(rl.check("t", 1, T0 + 60_000).is_ok());
    }

    #[test]
    fn tokens_are_independent_and_a_clock_set_back_opens_a_new_window() {
        let rl = RateLimiter::new();
        rl.check("a", 1, T0).unwrap();
        assert!(rl.check("a", 1, T0).is_err());
        assert!(rl.check("b", 1, T0).is_ok());
        assert!(rl.check("a", 1, T0 - 1_000).is_ok());
    }

    #[test]
    fn the_table_is_swept_of_ended_windows() {
        let rl = RateLimiter::new();
        for i in 0..FIRST_SWEEP_AT {
            rl.check(&format!("t{i}"), 5, T0).unwrap();
        }
        assert_eq!(rl.len(), FIRST_SWEEP_AT);
        // A minute later every window has ended: the next new token triggers a sweep.
        rl.check("late", 5, T0 + WINDOW_MS).unwrap();
        assert_eq!(rl.len(), 1);
    }

    fn one(key: &str, limit: u32) -> Check {
        Check {
            key: key.to_owned(),
            per_minute: limit,
            layer: key.to_owned(),
        }
    }

    #[test]
    fn the_guard_runs_the_handler_within_the_limit_and_refuses_past_it() {
        let rl = RateLimiter::new();
        let ok = || Ok(Response::new(crate::edge::response::empty()));
        let (first, usage) = admit(&rl, &[one("t", 1)], T0, ok);
        assert!(first.is_ok());
        assert_eq!(usage.map(|u| u.count), Some(1));
        let mut ran = false;
        let (second, usage) = admit(&rl, &[one("t", 1)], T0 + 1_000, || {
            ran = true;
            ok()
        });
        assert!(!ran, "a refused request does not reach the handler");
        let e = second.unwrap_err();
        assert_eq!((e.status.as_u16(), e.retry_after), (429, Some(59)));
        assert_eq!(usage.map(|u| (u.allowed, u.count)), Some((1, 1)));
        // No limit or no token: no checks, nothing is counted.
        assert_eq!(admit(&rl, &[], T0, ok).1, None);
    }

    #[test]
    fn layers_count_together_or_not_at_all_and_retry_after_is_the_longest_wait() {
        let rl = RateLimiter::new();
        // "org" fills at T0 (window until T0+60 s), "route" at T0+30 s (until T0+90 s).
        rl.check("org", 1, T0).unwrap();
        rl.check("route", 1, T0 + 30_000).unwrap();
        let checks = [one("token", 10), one("org", 1), one("route", 1)];
        let r = rl.check_all(&checks, T0 + 40_000).unwrap_err();
        assert_eq!(r.retry_after_secs, 50, "route's window is the last to end");
        // The token layer was refunded: its window counts nothing.
        assert_eq!(rl.check("token", 1, T0 + 40_000).unwrap().count, 1);
        // After the longest wait every layer admits.
        let usage = rl.check_all(&[one("t2", 5), one("org", 1), one("route", 1)], T0 + 90_000);
        assert_eq!(
            usage.unwrap().map(|u| u.allowed),
            Some(5),
            "the first layer's usage"
        );
    }

    #[test]
    fn a_client_limit_wins_over_the_server_limit_unless_limits_are_off() {
        assert_eq!(limit_for(Some(300), Some(5)), Some(5));
        assert_eq!(limit_for(Some(300), None), Some(300));
        assert_eq!(limit_for(None, Some(5)), None);
    }
}
