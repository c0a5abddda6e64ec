//! How the client handles failed writes: `lost-write` (never retried or looked up),
//! `retry-storm` (retried too often without backing off) and `version-conflict-blind-retry`
//! (retried a stale `If-Match` unchanged).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use super::{Check, eq_values};
use crate::control::report::model::{EntryRef, MAX_ENTRIES_PER_FINDING};
use crate::control::report::seen::{Body, Seen};
use crate::control::report::sink::Sink;
use crate::scim::schema::ResourceKind;

/// The lower-cased `userName` of a create or replace body.
pub(super) fn user_name(s: &Seen<'_>) -> Option<String> {
    let obj = s.body().json()?.as_object()?;
    crate::genesys::mapping::get_ci(obj, "userName")
        .and_then(|v| v.as_str())
        .map(str::to_lowercase)
}

/// `lost-write`.
#[derive(Debug, Default)]
pub(crate) struct LostWrite {
    /// Failed writes on a resource or path, not yet retried or looked up, by key.
    pending: HashMap<String, EntryRef>,
    /// Failed user creates, by lower-cased userName.
    creates: HashMap<String, EntryRef>,
    /// Keys in failure order (`create:` for creates), for a stable report.
    order: Vec<String>,
}

const LOST: &str = "lost-write";

impl LostWrite {
    /// Clears what `s` retries or looks up. Each clearing is a map lookup, or a drain whose
    /// cost is paid once per failed write, so the check stays linear.
    fn resolve(&mut self, s: &Seen<'_>) {
        if !self.pending.is_empty() {
            if let Some(k) = s.resource_key() {
                self.pending.remove(&k);
            }
            self.pending.remove(&s.e.path.to_ascii_lowercase());
        }
        if self.creates.is_empty() {
            return;
        }
        match s.route() {
            "users.create" => {
                if let Some(u) = user_name(s) {
                    self.creates.remove(&u);
                }
            }
            "users.list" => match s.param("filter") {
                // A full list shows whether a create happened.
                None => self.creates.clear(),
                Some(f) => {
                    for v in eq_values(f) {
                        self.creates.remove(&v.to_lowercase());
                    }
                }
            },
            _ => {}
        }
    }
}

impl Check for LostWrite {
    fn observe(&mut self, s: &Seen<'_>, out: &mut Sink) {
        if !s.is_api() {
            return;
        }
        self.resolve(s);
        if !(s.is_write() && s.failed_transiently()) {
            return;
        }
        if s.route() == "users.create" {
            match user_name(s) {
                Some(u) => {
                    self.order.push(format!("create:{u}"));
                    self.creates.insert(u, EntryRef::of(s.e));
                }
                None => out.unchecked(
                    LOST,
                    s.e,
                    "the create's body cannot be read, so its retry cannot be recognised",
                ),
            }
            return;
        }
        let k = s
            .resource_key()
            .unwrap_or_else(|| s.e.path.to_ascii_lowercase());
        self.order.push(k.clone());
        self.pending.insert(k, EntryRef::of(s.e));
    }

    fn finish(&mut self, out: &mut Sink) {
        for k in std::mem::take(&mut self.order) {
            let (what, e) = match k.strip_prefix("create:") {
                Some(u) => match self.creates.remove(u) {
                    Some(e) => (format!("the create of {u}"), e),
                    None => continue,
                },
                None => match self.pending.remove(&k) {
                    Some(e) => (format!("{} {}", e.method, e.target), e),
                    None => continue,
                },
            };
            let how = match e.status {
                0 => "got no response".to_owned(),
                s => format!("got {s}"),
            };
            out.finding(
                LOST,
                format!("{what} {how} and was never retried or looked up afterwards"),
                vec![e],
            );
        }
    }
}

/// One operation's retry chain.
#[derive(Debug)]
struct Chain {
    entries: Vec<EntryRef>,
    attempts: u32,
    last_ms: i64,
    last_gap: Option<i64>,
    /// Some gap was no longer than the one before it.
    flat: bool,
    last_failed: bool,
}

/// `retry-storm`.
#[derive(Debug)]
pub(crate) struct RetryStorm {
    limit: u32,
    chains: HashMap<u64, Chain>,
}

const STORM: &str = "retry-storm";

impl RetryStorm {
    pub(crate) fn new(limit: u32) -> Self {
        Self {
            limit,
            chains: HashMap::new(),
        }
    }

    fn flush(&self, c: Chain, out: &mut Sink) {
        let retries = c.attempts - 1;
        if retries > self.limit && c.flat {
            let first = &c.entries[0];
            out.finding(
                STORM,
                format!(
                    "{} {} was retried {retries} times without a growing delay (more than {})",
                    first.method, first.target, self.limit
                ),
                c.entries,
            );
        }
    }
}

pub(super) fn op_key(s: &Seen<'_>) -> u64 {
    let mut h = DefaultHasher::new();
    (&s.e.method, &s.e.path, &s.e.query, &s.e.body, &s.e.client).hash(&mut h);
    h.finish()
}

impl Check for RetryStorm {
    fn observe(&mut self, s: &Seen<'_>, out: &mut Sink) {
        if !(s.is_api() || s.route() == "oauth.token") {
            return;
        }
        let key = op_key(s);
        let now = s.at_ms();
        let failed = s.failed_transiently() || s.e.status == 429;
        match self.chains.remove(&key) {
            Some(mut c) if c.last_failed => {
                let gap = now - c.last_ms;
                if c.last_gap.is_some_and(|g| gap <= g) {
                    c.flat = true;
                }
                c.last_gap = Some(gap);
                c.attempts += 1;
                c.last_ms = now;
                c.last_failed = failed;
                if c.entries.len() < MAX_ENTRIES_PER_FINDING {
                    c.entries.push(EntryRef::of(s.e));
                }
                if failed {
                    self.chains.insert(key, c);
                } else {
                    self.flush(c, out);
                }
            }
            previous => {
                if let Some(c) = previous {
                    self.flush(c, out);
                }
                if failed {
                    self.chains.insert(
                        key,
                        Chain {
                            entries: vec![EntryRef::of(s.e)],
                            attempts: 1,
                            last_ms: now,
                            last_gap: None,
                            flat: false,
                            last_failed: true,
                        },
                    );
                }
            }
        }
    }

    fn finish(&mut self, out: &mut Sink) {
        let mut chains: Vec<Chain> = self.chains.drain().map(|(_, c)| c).collect();
        chains.sort_by_key(|c| c.entries[0].seq);
        for c in chains {
            self.flush(c, out);
        }
    }
}

/// `version-conflict-blind-retry`.
#[derive(Debug, Default)]
pub(crate) struct BlindRetry {
    /// Resource → the conflict and its `If-Match`, until the resource is read again.
    conflicts: HashMap<String, (EntryRef, String)>,
}

const BLIND: &str = "version-conflict-blind-retry";

/// `W/"3"`, `"3"` and `3` are the same version.
fn version(tag: &str) -> String {
    let t = tag.trim();
    let t = t.strip_prefix("W/").unwrap_or(t);
    t.trim_matches('"').to_owned()
}

impl Check for BlindRetry {
    fn observe(&mut self, s: &Seen<'_>, out: &mut Sink) {
        if self.conflicts.is_empty() && !s.is_write() {
            return;
        }
        let Some(key) = s.resource_key() else {
            // A list naming the resource (`id eq "..."`) is a read too.
            if let (Some(kind), Some(f)) = (s.kind(), s.param("filter")) {
                let kind = if kind == ResourceKind::User {
                    "users"
                } else {
                    "groups"
                };
                for id in eq_values(f) {
                    self.conflicts.remove(&format!("{kind}/{id}"));
                }
            }
            return;
        };
        if s.e.method == "GET" {
            self.conflicts.remove(&key);
            return;
        }
        let Some(if_match) = s.header("if-match").map(version) else {
            self.conflicts.remove(&key);
            return;
        };
        if let Some((conflict, tag)) = self.conflicts.remove(&key)
            && tag == if_match
        {
            out.finding(
                BLIND,
                format!(
                    "{} {} was sent again with If-Match {if_match} after it failed invalidVers, with no GET in between",
                    s.e.method, s.e.path
                ),
                vec![conflict, EntryRef::of(s.e)],
            );
        }
        if matches!(s.e.status, 400 | 409 | 412) {
            match s.response() {
                Body::Json(v) if v["scimType"] == "invalidVers" => {
                    self.conflicts.insert(key, (EntryRef::of(s.e), if_match));
                }
                Body::Json(_) => {}
                Body::Absent | Body::Unreadable(_) => {
                    out.unchecked(BLIND, s.e, "the conflict's response body cannot be read");
                }
            }
        }
    }
}
