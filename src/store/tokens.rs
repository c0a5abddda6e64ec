//! Issued bearer tokens, indexed by value, by expiry and by client.
//!
//! Issuance and lookup are O(log n) whatever the table holds: a hash map answers lookups, an
//! expiry-ordered tree finds what to sweep, and each client has its own expiry-ordered set.
//!
//! # Bounds
//!
//! - [`MAX_TOKENS_PER_CLIENT`] per OAuth client. A client at its bound loses its own token
//!   that expires first (an expired one, if it has any) to the new one, so a client that asks
//!   for a token per request only ever logs itself out, and never another client or org.
//! - [`MAX_TOKENS`] in all, a backstop for many clients each near their bound. When it is
//!   reached, expired tokens are swept; if none has expired, issuance is refused
//!   ([`TableFull`]) rather than evicting another client's live token.
//!
//! Expired tokens are otherwise kept until their client's bound or the backstop pushes them
//! out, so a client presenting one hears that it expired, not that it never existed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use parking_lot::RwLock;

/// Live tokens one OAuth client may hold. Genesys publishes no such limit; this one is
/// chosen: far above what a test suite holds (a suite usually keeps one token, or one per
/// worker), low enough that a client asking for a token per request stays cheap.
pub const MAX_TOKENS_PER_CLIENT: usize = 10_000;

/// Tokens held in all (every client together): 20 clients at their bound.
pub const MAX_TOKENS: usize = 200_000;

/// An issued bearer token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub org_id: String,
    pub client_id: String,
    /// Expiry in clock milliseconds.
    pub expires_at_ms: i64,
}

/// The table holds [`MAX_TOKENS`] unexpired tokens: no room without logging someone out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TableFull;

/// Orders tokens by expiry; the issue sequence number breaks ties and keeps keys unique.
type Key = (i64, u64);

#[derive(Debug)]
struct Entry {
    token: Token,
    key: Key,
}

#[derive(Debug, Default)]
struct Inner {
    by_value: HashMap<String, Entry>,
    by_expiry: BTreeMap<Key, String>,
    by_client: HashMap<String, BTreeSet<Key>>,
    next_seq: u64,
}

impl Inner {
    /// Removes the token with `key`, from every index.
    fn remove_key(&mut self, key: Key) {
        let Some(value) = self.by_expiry.remove(&key) else {
            return;
        };
        if let Some(entry) = self.by_value.remove(&value) {
            self.forget_client_key(&entry.token.client_id, key);
        }
    }

    fn forget_client_key(&mut self, client_id: &str, key: Key) {
        if let Some(keys) = self.by_client.get_mut(client_id) {
            keys.remove(&key);
            if keys.is_empty() {
                self.by_client.remove(client_id);
            }
        }
    }

    /// Removes tokens that expired at or before `now_ms`, soonest first.
    fn sweep_expired(&mut self, now_ms: i64) {
        while let Some((&key, _)) = self.by_expiry.first_key_value() {
            if key.0 > now_ms {
                break;
            }
            self.remove_key(key);
        }
    }
}

/// The token table. [`crate::store::Store`] shares one behind an `Arc`.
#[derive(Debug)]
pub(crate) struct TokenTable {
    inner: RwLock<Inner>,
    per_client: usize,
    total: usize,
}

impl Default for TokenTable {
    fn default() -> Self {
        Self::with_bounds(MAX_TOKENS_PER_CLIENT, MAX_TOKENS)
    }
}

impl TokenTable {
    /// A table with other bounds than the defaults (tests, benchmarks).
    pub(crate) fn with_bounds(per_client: usize, total: usize) -> Self {
        Self {
            inner: RwLock::default(),
            per_client: per_client.max(1),
            total: total.max(1),
        }
    }

    /// Records an issued token. At the client's bound its soonest-expiring token makes room;
    /// at the total bound expired tokens are swept, and if none had expired the token is
    /// refused.
    pub(crate) fn insert(&self, value: String, token: Token, now_ms: i64) -> Result<(), TableFull> {
        let mut t = self.inner.write();
        if let Some(old) = t.by_value.get(&value).map(|e| e.key) {
            t.remove_key(old);
        }
        let own = t.by_client.get(&token.client_id).map_or(0, BTreeSet::len);
        if own >= self.per_client {
            let first = t
                .by_client
                .get(&token.client_id)
                .and_then(|keys| keys.first().copied());
            if let Some(key) = first {
                t.remove_key(key);
            }
        } else if t.by_value.len() >= self.total {
            t.sweep_expired(now_ms);
            if t.by_value.len() >= self.total {
                return Err(TableFull);
            }
        }
        let key = (token.expires_at_ms, t.next_seq);
        t.next_seq += 1;
        t.by_expiry.insert(key, value.clone());
        t.by_client
            .entry(token.client_id.clone())
            .or_default()
            .insert(key);
        t.by_value.insert(value, Entry { token, key });
        Ok(())
    }

    /// Marks every token expired by `now_ms` as expired for good (its expiry becomes the
    /// earliest instant), so a clock moved back afterwards does not make it valid again. Its
    /// client still hears that it expired. Costs a tree update per token newly marked.
    pub(crate) fn expire_through(&self, now_ms: i64) {
        if now_ms == i64::MIN {
            return;
        }
        let mut t = self.inner.write();
        let due: Vec<Key> = t
            .by_expiry
            .range((i64::MIN + 1, 0)..=(now_ms, u64::MAX))
            .map(|(k, _)| *k)
            .collect();
        for key in due {
            let Some(value) = t.by_expiry.remove(&key) else {
                continue;
            };
            let gone = (i64::MIN, key.1);
            let Some(entry) = t.by_value.get_mut(&value) else {
                continue;
            };
            entry.key = gone;
            entry.token.expires_at_ms = i64::MIN;
            let client = entry.token.client_id.clone();
            t.by_expiry.insert(gone, value);
            if let Some(keys) = t.by_client.get_mut(&client) {
                keys.remove(&key);
                keys.insert(gone);
            }
        }
    }

    /// A token by value, expired or not.
    pub(crate) fn get(&self, value: &str) -> Option<Token> {
        self.inner
            .read()
            .by_value
            .get(value)
            .map(|e| e.token.clone())
    }

    /// Tokens held, expired ones included.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.inner.read().by_value.len()
    }

    /// Whether no token is held.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Tokens held for one client.
    #[cfg(test)]
    pub(crate) fn len_of_client(&self, client_id: &str) -> usize {
        self.inner
            .read()
            .by_client
            .get(client_id)
            .map_or(0, BTreeSet::len)
    }

    /// Drops every token of an org.
    pub(crate) fn remove_org(&self, org_id: &str) {
        let mut t = self.inner.write();
        let keys: Vec<Key> = t
            .by_value
            .values()
            .filter(|e| e.token.org_id == org_id)
            .map(|e| e.key)
            .collect();
        for key in keys {
            t.remove_key(key);
        }
    }

    /// Drops every token.
    pub(crate) fn clear(&self) {
        *self.inner.write() = Inner::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(client: &str, expires_at_ms: i64) -> Token {
        Token {
            org_id: format!("org-of-{client}"),
            client_id: client.to_owned(),
            expires_at_ms,
        }
    }

    #[test]
    fn a_client_at_its_bound_loses_only_its_own_soonest_expiring_token() {
        let table = TokenTable::with_bounds(3, 100);
        table.insert("b1".into(), token("b", 10), 0).unwrap();
        for (i, exp) in [50, 20, 40].into_iter().enumerate() {
            table.insert(format!("a{i}"), token("a", exp), 0).unwrap();
        }
        table.insert("a3".into(), token("a", 60), 0).unwrap();
        assert_eq!(table.len_of_client("a"), 3);
        assert!(table.get("a1").is_none(), "the one expiring first went");
        for kept in ["a0", "a2", "a3", "b1"] {
            assert!(table.get(kept).is_some(), "{kept}");
        }
    }

    #[test]
    fn the_total_bound_sweeps_expired_tokens_and_then_refuses() {
        let table = TokenTable::with_bounds(10, 3);
        table.insert("x".into(), token("a", 5), 0).unwrap();
        table.insert("y".into(), token("b", 100), 0).unwrap();
        table.insert("z".into(), token("c", 100), 0).unwrap();
        // Full, nothing expired at t=1: refused, nobody logged out.
        assert_eq!(table.insert("w".into(), token("d", 100), 1), Err(TableFull));
        assert_eq!(table.len(), 3);
        // At t=5 "x" has expired: swept to make room.
        table.insert("w".into(), token("d", 100), 5).unwrap();
        assert!(table.get("x").is_none());
        assert_eq!(table.len(), 3);
    }

    #[test]
    fn tokens_marked_expired_stay_expired_and_go_first() {
        let table = TokenTable::with_bounds(2, 10);
        table.insert("soon".into(), token("a", 5), 0).unwrap();
        table.insert("later".into(), token("a", 50), 0).unwrap();
        table.expire_through(10);
        assert_eq!(table.get("soon").map(|t| t.expires_at_ms), Some(i64::MIN));
        assert_eq!(table.get("later").map(|t| t.expires_at_ms), Some(50));
        table.expire_through(10);
        assert_eq!(table.len_of_client("a"), 2);
        // At the client's bound the marked token makes room first.
        table.insert("next".into(), token("a", 60), 0).unwrap();
        assert!(table.get("soon").is_none() && table.get("later").is_some());
        // And the total bound sweeps it like any expired token.
        table.expire_through(100);
        let full = TokenTable::with_bounds(10, 1);
        full.insert("x".into(), token("a", 5), 0).unwrap();
        full.expire_through(6);
        full.insert("y".into(), token("b", 500), 0).unwrap();
        assert!(full.get("x").is_none() && full.get("y").is_some());
    }

    #[test]
    fn expired_tokens_stay_visible_until_pushed_out() {
        let table = TokenTable::with_bounds(10, 10);
        table.insert("old".into(), token("a", 5), 0).unwrap();
        table.insert("new".into(), token("a", 500), 100).unwrap();
        assert_eq!(table.get("old").map(|t| t.expires_at_ms), Some(5));
    }

    #[test]
    fn remove_org_and_reissue_keep_the_indexes_consistent() {
        let table = TokenTable::with_bounds(2, 10);
        table.insert("a".into(), token("a", 5), 0).unwrap();
        table.insert("a".into(), token("a", 9), 0).unwrap();
        assert_eq!(
            table.len_of_client("a"),
            1,
            "a re-issued value replaces itself"
        );
        table.insert("b".into(), token("b", 5), 0).unwrap();
        table.remove_org("org-of-a");
        assert_eq!((table.len(), table.len_of_client("a")), (1, 0));
        table.clear();
        assert!(table.is_empty());
    }
}

#[cfg(test)]
mod tests_bench;
