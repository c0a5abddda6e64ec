//! How the client handles failed writes: `lost-write` (never retried or looked up),
//! `retry-storm` (retried too often without backing off) and `version-conflict-blind-retry`
//! (retried a stale `If-Match` unchanged).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use super::Check;
use crate::report::model::{EntryRef, MAX_ENTRIES_PER_FINDING};
use crate::report::seen::{Body, Seen};
use crate::report::sink::Sink;

/// What a write is about, so that a later request can be recognised as its retry or lookup.
fn write_key(s: &Seen<'_>) -> Option<String> {
    if let Some(k) = s.resource_key() {
        return Some(k);
    }
    if s.route() == "users.create" {
        return user_name(s).map(|u| format!("create:{u}"));
    }
    Some(s.e.path.to_ascii_lowercase())
}

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
    /// Failed writes not yet retried or looked up, by key, in failure order.
    pending: HashMap<String, EntryRef>,
    order: Vec<String>,
}

const LOST: &str = "lost-write";

impl LostWrite {
    fn resolve(&mut self, s: &Seen<'_>) {
        if self.pending.is_empty() {
            return;
        }
        if let Some(k) = s.resource_key() {
            self.pending.remove(&k);
        }
        let path = s.e.path.to_ascii_lowercase();
        self.pending.remove(&path);
        match s.route() {
            "users.create" => {
                if let Some(u) = user_name(s) {
                    self.pending.remove(&format!("create:{u}"));
                }
            }
            "users.list" => match s.param("filter") {
                // A full list shows whether a create happened.
                None => self.pending.retain(|k, _| !k.starts_with("create:")),
                Some(f) => {
                    let f = f.to_lowercase();
                    self.pending
                        .retain(|k, _| k.strip_prefix("create:").is_none_or(|u| !f.contains(u)));
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
        if s.is_write() && s.failed_transiently() {
            if s.route() == "users.create" && matches!(s.body(), Body::Unreadable(_)) {
                out.unchecked(
                    LOST,
                    s.e,
                    "the create's body cannot be read, so its retry cannot be recognised",
                );
                return;
            }
            if let Some(k) = write_key(s) {
                self.order.push(k.clone());
                self.pending.insert(k, EntryRef::of(s.e));
            }
        }
    }

    fn finish(&mut self, out: &mut Sink) {
        for k in std::mem::take(&mut self.order) {
            let Some(e) = self.pending.remove(&k) else {
                continue;
            };
            let how = match e.status {
                0 => "got no response".to_owned(),
                s => format!("got {s}"),
            };
            let what = k.strip_prefix("create:").map_or_else(
                || format!("{} {}", e.method, e.target),
                |u| format!("the create of {u}"),
            );
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

fn op_key(s: &Seen<'_>) -> u64 {
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
            // A list naming the resource is a read too.
            if let Some(f) = s.param("filter") {
                self.conflicts
                    .retain(|k, _| k.rsplit('/').next().is_none_or(|id| !f.contains(id)));
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
