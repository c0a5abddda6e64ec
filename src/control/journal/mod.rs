//! The request journal: a bounded ring buffer of every request the server answered.
//!
//! Tests ask it what their client actually sent (`GET /__admin/requests`) and how often
//! (`POST /__admin/requests/count`). Memory stays flat however long a suite runs: the oldest
//! entries are dropped first once `--journal-size` entries or `--journal-bytes` bytes are
//! held, and the number dropped is reported so a test can tell a missing request from an
//! evicted one. Each entry is redacted and cut before it is stored ([`limits`]),
//! and a cut is flagged on the entry and counted.
//!
//! Marks (`POST /__admin/marks`) are named positions between entries, so a report can cover one
//! phase of a test ("first sync", "second sync"). At most [`MAX_MARKS`] are kept, oldest dropped.

use std::collections::VecDeque;
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::{Response, header};
use http_body_util::BodyExt;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::edge::response::{Body, full};
use crate::error::MissingPermissions;
use crate::pipeline::context::ApiRequest;

pub(crate) mod entry;
pub(crate) mod headers;
pub(crate) mod redaction;
#[cfg(test)]
mod tests_json;
pub(crate) mod text;
pub(crate) mod truncation;

pub(crate) use entry::Entry;
#[cfg(test)]
pub(crate) use headers::Headers;
#[cfg(test)]
pub(crate) use text::Text;
pub(crate) use truncation::Capacity;
#[cfg(test)]
pub(crate) use truncation::MAX_BODY_TEXT;

/// A short, stable-within-a-run fingerprint of a bearer token (`tok-` and 12 hex digits of a
/// 64-bit hash). It tells tokens apart in the journal and in reports without revealing them:
/// the token cannot be recovered from it.
pub(crate) fn token_fingerprint(token: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    token.hash(&mut h);
    // Written digit by digit: `format!` cost more than the hash (every request has a token).
    let bits = h.finish();
    let mut out = String::with_capacity(16);
    out.push_str("tok-");
    for shift in (0..48).step_by(4).rev() {
        out.push(char::from(
            b"0123456789abcdef"[(bits >> shift) as usize & 0xf],
        ));
    }
    out
}

/// What the scenario engine did to a request, for its journal entry.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScenarioEffect {
    pub scenario: Option<String>,
    pub rule: Option<String>,
    pub fault: Option<&'static str>,
    /// The status the client saw, when it differs from the response object's (0: none).
    pub status: Option<u16>,
}

/// The journal entry of a request still being answered: it owns the request context, which
/// the pipeline borrows while it answers ([`Recording::parts`]), and which becomes the entry
/// without being copied. Finishing it records the exchange; dropping it unfinished (the client
/// went away and hyper dropped the handler, e.g. during a `hang`) records the request with
/// status 0, so every request appears exactly once.
#[derive(Debug)]
pub(crate) struct Recording<'j> {
    /// Borrowed, not cloned: a clone per request is two reference counts that both cores
    /// write.
    journal: &'j Journal,
    req: ApiRequest,
    /// Whether the request is recorded at all (the control plane is not; see
    /// `Route::is_control_plane`).
    journalled: bool,
    /// Set once the entry is written, so dropping a finished entry writes nothing.
    written: bool,
    arrived: DateTime<Utc>,
    started: std::time::Instant,
    /// What the scenario engine did; the router fills it in.
    outcome: ScenarioEffect,
    retry_after: Option<String>,
    /// What a 403 `missing.any.permissions` lacked, from its response.
    missing_permissions: &'static [&'static str],
    /// The response body needs no redaction: it is the mock's own documents
    /// (`http::OwnKeys`, the body still of their length) and no key they can hold is on the
    /// redaction list.
    response_clean: bool,
}

impl<'j> Recording<'j> {
    /// Starts an entry for `req`, which arrived at `arrived` (server clock); `started` times it.
    pub(crate) fn new(
        journal: &'j Journal,
        req: ApiRequest,
        arrived: DateTime<Utc>,
        started: std::time::Instant,
    ) -> Self {
        let journalled = !journal.off && req.route.as_ref().map_or(true, |r| !r.is_control_plane());
        Self {
            journal,
            req,
            journalled,
            written: false,
            arrived,
            started,
            outcome: ScenarioEffect::default(),
            retry_after: None,
            missing_permissions: &[],
            response_clean: false,
        }
    }

    /// The request, to answer it, and the outcome, for the router to fill in.
    pub(crate) fn parts(&mut self) -> (&ApiRequest, &mut ScenarioEffect) {
        (&self.req, &mut self.outcome)
    }

    /// Records the exchange (admin calls excepted) and hands the response back. Buffered
    /// bodies are read (they are in memory already) and put back; streamed and faulted ones
    /// are not touched.
    pub(crate) async fn finish(mut self, resp: Response<Body>) -> Response<Body> {
        if !self.journalled {
            // Admin answers are not journaled, and some are streamed: leave them.
            self.written = true;
            return resp;
        }
        self.retry_after = resp
            .headers()
            .get(header::RETRY_AFTER)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        if let Some(missing) = resp.extensions().get::<MissingPermissions>() {
            self.missing_permissions = missing.0;
        }
        // The mock's own documents carry their bytes (`http::OwnKeys`): while the body is
        // still of their length (nothing replaced it on the way), they are what is sent, and
        // the response is left as it is.
        let own = resp
            .extensions()
            .get::<crate::edge::response::OwnKeys>()
            .filter(|o| {
                hyper::body::Body::size_hint(resp.body()).exact() == Some(o.body.len() as u64)
            });
        let (resp, response_body) = if self.outcome.fault.is_some() {
            (resp, None)
        } else if let Some(own) = own {
            self.response_clean = !self.journal.redaction.covers_any(own.keys);
            let sent = own.body.clone();
            (resp, Some(sent))
        } else {
            let (parts, body) = resp.into_parts();
            match body.collect().await {
                Ok(c) => {
                    // Redacted, cut and flagged when the journal stores it.
                    let bytes = c.to_bytes();
                    let kept = bytes.clone();
                    (Response::from_parts(parts, full(bytes)), Some(kept))
                }
                Err(_) => (Response::from_parts(parts, full(Bytes::new())), None),
            }
        };
        let status = self
            .outcome
            .status
            .unwrap_or_else(|| resp.status().as_u16());
        self.write(status, response_body);
        resp
    }

    /// Shapes the exchange into an entry (redacted, cut: see [`limits`]) and records it.
    /// Everything shaping does runs here, outside the journal's lock.
    fn write(&mut self, status: u16, response_body: Option<Bytes>) {
        if std::mem::replace(&mut self.written, true) || !self.journalled {
            return;
        }
        let req = std::mem::take(&mut self.req);
        let redaction = &*self.journal.redaction;
        let (headers, headers_truncated) = truncation::headers(&req.headers, redaction);
        let (body, body_truncated) = truncation::request_body(&req.body, redaction);
        let (response_body, response_body_truncated) = match &response_body {
            Some(sent) => {
                let (text, cut) = truncation::response_body(sent, redaction, self.response_clean);
                (Some(text), cut)
            }
            None => (None, false),
        };
        let query = req.query.map(|q| match redaction.form(&q) {
            std::borrow::Cow::Owned(redacted) => redacted,
            std::borrow::Cow::Borrowed(_) => q,
        });
        let outcome = std::mem::take(&mut self.outcome);
        let caller = req.caller;
        let token = caller.bearer().map(token_fingerprint);
        self.journal.push(Entry {
            seq: 0,
            timestamp: self.arrived,
            correlation_id: req.correlation_id,
            method: req.method,
            path: req.path,
            query,
            headers,
            headers_truncated,
            body,
            body_truncated,
            status,
            response_body,
            response_body_truncated,
            route: req.route_name,
            org: caller.org,
            client: caller.client,
            token,
            retry_after: self.retry_after.take(),
            scenario: outcome.scenario,
            rule: outcome.rule,
            fault: outcome.fault,
            missing_permissions: self.missing_permissions,
            duration_ms: self.started.elapsed().as_secs_f64() * 1000.0,
        });
    }
}

impl Drop for Recording<'_> {
    fn drop(&mut self) {
        self.write(0, None);
    }
}

/// A filter over entries. Every field that is set must match.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct Matcher {
    pub method: Option<String>,
    pub route: Option<String>,
    /// Exact raw path.
    pub path: Option<String>,
    pub org: Option<String>,
    pub status: Option<u16>,
    /// A rule name, or `scenario/rule`.
    pub rule: Option<String>,
    /// One entry by its `seq` (what report findings link to).
    pub seq: Option<u64>,
    /// Only entries at or after this time.
    #[serde(skip)]
    pub since: Option<DateTime<Utc>>,
}

impl Matcher {
    /// Whether `e` passes every set field.
    pub(crate) fn matches(&self, e: &Entry) -> bool {
        self.mismatches(e) == 0
    }

    /// How many set fields `e` fails: the distance used to find the nearest entries.
    pub(crate) fn mismatches(&self, e: &Entry) -> usize {
        let mut n = 0;
        let mut check = |ok: bool| n += usize::from(!ok);
        if let Some(m) = &self.method {
            check(m.eq_ignore_ascii_case(e.method.as_str()));
        }
        if let Some(r) = &self.route {
            check(*r == e.route);
        }
        if let Some(p) = &self.path {
            check(*p == e.path);
        }
        if let Some(o) = &self.org {
            check(Some(o) == e.org.as_ref());
        }
        if let Some(s) = self.status {
            check(s == e.status);
        }
        if let Some(r) = &self.rule {
            let full = match (&e.scenario, &e.rule) {
                (Some(s), Some(x)) => Some(format!("{s}/{x}")),
                _ => None,
            };
            check(Some(r) == e.rule.as_ref() || Some(r) == full.as_ref());
        }
        if let Some(s) = self.seq {
            check(s == e.seq);
        }
        if let Some(t) = self.since {
            check(e.timestamp >= t);
        }
        n
    }
}

#[derive(Debug)]
struct Inner {
    entries: VecDeque<Entry>,
    /// [`truncation::weight`] of each entry held, in the same order.
    weights: VecDeque<usize>,
    limits: Capacity,
    /// Sum of `weights`.
    bytes: usize,
    /// Entries stored with something cut.
    truncated: u64,
    dropped: u64,
    next_seq: u64,
    /// The `seq` of the first entry recorded since start or the last clear.
    first_seq: u64,
    marks: VecDeque<Mark>,
}

/// The most marks kept; the oldest is dropped past it.
pub(crate) const MAX_MARKS: usize = 1000;

/// The longest mark name accepted, in bytes.
pub(crate) const MAX_MARK_NAME: usize = 200;

/// A named position in the journal: every entry with `seq >= mark.seq` came after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Mark {
    pub name: String,
    /// The `seq` the next entry after the mark gets.
    pub seq: u64,
    /// When the mark was set, by the server clock.
    pub timestamp: DateTime<Utc>,
}

/// Which entries a scan saw, and how many in its range the journal no longer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Coverage {
    /// Entries in range that were passed to the scan.
    pub examined: u64,
    /// Entries in range recorded but dropped before the scan (oldest-first eviction).
    pub dropped: u64,
}

/// The shared journal. Cloning shares it.
#[derive(Debug, Clone)]
pub(crate) struct Journal {
    inner: Arc<Mutex<Inner>>,
    /// `--journal-size 0`: nothing is recorded (and no body is read to record it).
    off: bool,
    /// Outside the lock: redaction runs before it is taken.
    redaction: Arc<crate::control::journal::redaction::Redaction>,
}

/// The end of a page of entries ([`Journal::page_end`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageEnd {
    /// The `seq` of the page's last entry.
    pub last: u64,
    /// The `after` of the next page, when entries remain past this one.
    pub next: Option<u64>,
}

/// What `GET /__admin/requests` reports besides the entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Stats {
    pub held: usize,
    /// `--journal-size`.
    pub capacity: usize,
    /// Bytes held, as `--journal-bytes` counts them.
    pub bytes: usize,
    /// `--journal-bytes`.
    pub byte_budget: usize,
    /// Entries dropped, oldest first, to stay within either bound.
    pub dropped: u64,
    /// Entries recorded with a body or headers cut (since start or the last clear).
    pub truncated: u64,
}

impl Journal {
    /// A journal keeping at most `capacity` entries (at least one), with the default byte
    /// budget and redaction list.
    #[cfg(test)]
    pub(crate) fn new(capacity: usize) -> Self {
        Self::with_limits(Capacity::with_entries(capacity))
    }

    /// A journal with the given bounds and redaction list.
    pub(crate) fn with_limits(mut limits: Capacity) -> Self {
        let off = limits.entries == 0;
        limits.entries = limits.entries.max(1);
        Self {
            off,
            redaction: Arc::new(limits.redaction.clone()),
            inner: Arc::new(Mutex::new(Inner {
                entries: VecDeque::with_capacity(limits.entries.min(1024)),
                weights: VecDeque::with_capacity(limits.entries.min(1024)),
                limits,
                bytes: 0,
                truncated: 0,
                dropped: 0,
                next_seq: 1,
                first_seq: 1,
                marks: VecDeque::new(),
            })),
        }
    }

    /// Redacts and cuts an entry built whole, then appends it ([`Journal::push`]).
    #[cfg(test)]
    pub(crate) fn record(&self, mut entry: Entry) {
        truncation::shape(&mut entry, &self.redaction);
        self.push(entry);
    }

    /// Appends an entry already shaped, dropping the oldest entries while either bound would
    /// be passed. The entry's `seq` is assigned here. The lock covers only the bookkeeping:
    /// the entries dropped are freed after it is released (each holds a few allocations,
    /// cold by now, which the other core would otherwise wait for).
    fn push(&self, mut entry: Entry) {
        if self.off {
            return;
        }
        let cut = entry.body_truncated || entry.response_body_truncated || entry.headers_truncated;
        let weight = truncation::weight(&entry);
        // At steady state each entry pushes out one: it needs no list.
        let mut gone: Option<Entry> = None;
        let mut more_gone = Vec::new();
        {
            let mut inner = self.inner.lock();
            entry.seq = inner.next_seq;
            inner.next_seq += 1;
            inner.truncated += u64::from(cut);
            while !inner.entries.is_empty()
                && (inner.entries.len() >= inner.limits.entries
                    || inner.bytes + weight > inner.limits.bytes)
            {
                let old = inner.entries.pop_front();
                let w = inner.weights.pop_front().unwrap_or(0);
                inner.bytes -= w;
                inner.dropped += 1;
                match gone {
                    None => gone = old,
                    Some(_) => more_gone.extend(old),
                }
            }
            inner.bytes += weight;
            inner.weights.push_back(weight);
            inner.entries.push_back(entry);
        }
        drop(gone);
        drop(more_gone);
    }

    /// Entries passing `m`, oldest first.
    #[cfg(test)]
    pub(crate) fn find(&self, m: &Matcher) -> Vec<Entry> {
        self.inner
            .lock()
            .entries
            .iter()
            .filter(|e| m.matches(e))
            .cloned()
            .collect()
    }

    /// Where a page of entries passing `m` with `seq > after` ends: the `seq` of its last
    /// entry (`after` when it is empty), and a cursor for the next page when more remain.
    /// Counts without copying, so a caller can announce the page before streaming it.
    pub(crate) fn page_end(&self, m: &Matcher, after: u64, limit: usize) -> PageEnd {
        let inner = self.inner.lock();
        let start = inner.entries.partition_point(|e| e.seq <= after);
        let mut matching = inner.entries.range(start..).filter(|e| m.matches(e));
        let mut last = after;
        for _ in 0..limit {
            match matching.next() {
                Some(e) => last = e.seq,
                None => return PageEnd { last, next: None },
            }
        }
        let next = matching.next().map(|_| last);
        PageEnd { last, next }
    }

    /// Up to `max` entries passing `m` with `after < seq <= through`, oldest first: one
    /// batch of a streamed page.
    pub(crate) fn batch(&self, m: &Matcher, after: u64, through: u64, max: usize) -> Vec<Entry> {
        let inner = self.inner.lock();
        let start = inner.entries.partition_point(|e| e.seq <= after);
        inner
            .entries
            .range(start..)
            .take_while(|e| e.seq <= through)
            .filter(|e| m.matches(e))
            .take(max)
            .cloned()
            .collect()
    }

    /// How many entries pass `m`.
    pub(crate) fn count(&self, m: &Matcher) -> usize {
        self.inner
            .lock()
            .entries
            .iter()
            .filter(|e| m.matches(e))
            .count()
    }

    /// Up to `limit` entries closest to `m` (fewest mismatching fields, newest first among
    /// equals), never including exact matches. What a failing verification shows.
    pub(crate) fn nearest(&self, m: &Matcher, limit: usize) -> Vec<Entry> {
        let inner = self.inner.lock();
        let mut scored: Vec<(usize, &Entry)> = inner
            .entries
            .iter()
            .map(|e| (m.mismatches(e), e))
            .filter(|(d, _)| *d > 0)
            .collect();
        scored.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.seq.cmp(&a.1.seq)));
        scored
            .into_iter()
            .take(limit)
            .map(|(_, e)| e.clone())
            .collect()
    }

    /// Removes every entry and mark (the dropped counter restarts too). Sequence numbers go on
    /// from where they were: a `seq` never names two entries.
    pub(crate) fn clear(&self) {
        let mut inner = self.inner.lock();
        inner.entries.clear();
        inner.weights.clear();
        inner.bytes = 0;
        inner.truncated = 0;
        inner.marks.clear();
        inner.dropped = 0;
        inner.first_seq = inner.next_seq;
    }

    /// Sets a mark at the current end of the journal.
    pub(crate) fn mark(&self, name: String, timestamp: DateTime<Utc>) -> Mark {
        let mut inner = self.inner.lock();
        let mark = Mark {
            name,
            seq: inner.next_seq,
            timestamp,
        };
        if inner.marks.len() >= MAX_MARKS {
            inner.marks.pop_front();
        }
        inner.marks.push_back(mark.clone());
        mark
    }

    /// Every mark held, oldest first.
    pub(crate) fn marks(&self) -> Vec<Mark> {
        self.inner.lock().marks.iter().cloned().collect()
    }

    /// The latest mark called `name`.
    pub(crate) fn find_mark(&self, name: &str) -> Option<Mark> {
        self.inner
            .lock()
            .marks
            .iter()
            .rev()
            .find(|m| m.name == name)
            .cloned()
    }

    /// Runs `f` over the entries with `from <= seq < to`, oldest first, under the journal's
    /// lock (so nothing is copied: `f` should be a single linear pass). Also says how many
    /// entries of that range were dropped before the scan.
    pub(crate) fn scan<R>(
        &self,
        from: u64,
        to: u64,
        f: impl FnOnce(&mut dyn Iterator<Item = &Entry>) -> R,
    ) -> (R, Coverage) {
        let inner = self.inner.lock();
        let held_from = inner.entries.front().map_or(inner.next_seq, |e| e.seq);
        let lost_from = from.max(inner.first_seq);
        let dropped = held_from.min(to).saturating_sub(lost_from);
        let mut examined = 0;
        let mut it = inner
            .entries
            .iter()
            .filter(|e| e.seq >= from && e.seq < to)
            .inspect(|_| examined += 1);
        let r = f(&mut it);
        drop(it);
        (r, Coverage { examined, dropped })
    }

    /// Size, capacity and drops.
    pub(crate) fn stats(&self) -> Stats {
        let inner = self.inner.lock();
        Stats {
            held: inner.entries.len(),
            capacity: if self.off { 0 } else { inner.limits.entries },
            bytes: inner.bytes,
            byte_budget: inner.limits.bytes,
            dropped: inner.dropped,
            truncated: inner.truncated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(method: &str, route: &'static str, status: u16) -> Entry {
        Entry {
            seq: 0,
            timestamp: Utc::now(),
            correlation_id: String::new(),
            method: method.parse().unwrap(),
            path: "/p".into(),
            query: None,
            headers: Headers::default(),
            headers_truncated: false,
            body: Text::default(),
            body_truncated: false,
            status,
            response_body: None,
            response_body_truncated: false,
            route,
            org: None,
            client: None,
            token: None,
            retry_after: None,
            scenario: None,
            rule: None,
            fault: None,
            missing_permissions: &[],
            duration_ms: 0.0,
        }
    }

    #[test]
    fn scans_count_what_was_dropped_inside_their_range() {
        let j = Journal::new(3);
        for _ in 0..2 {
            j.record(entry("GET", "users.list", 200));
        }
        let m = j.mark("second".into(), Utc::now());
        assert_eq!(m.seq, 3);
        for _ in 0..3 {
            j.record(entry("GET", "users.list", 200));
        }
        // Seqs 1 and 2 were dropped; they lie before the mark.
        let (seqs, c) = j.scan(m.seq, u64::MAX, |it| it.map(|e| e.seq).collect::<Vec<_>>());
        assert_eq!((seqs, c.dropped, c.examined), (vec![3, 4, 5], 0, 3));
        let (_, all) = j.scan(1, u64::MAX, |it| it.count());
        assert_eq!((all.examined, all.dropped), (3, 2));
        j.clear();
        j.record(entry("GET", "users.list", 200));
        let (_, after) = j.scan(1, u64::MAX, |it| it.count());
        assert_eq!((after.examined, after.dropped), (1, 0));
        assert!(j.marks().is_empty());
    }

    #[test]
    fn marks_are_bounded_and_found_by_latest_name() {
        let j = Journal::new(10);
        for i in 0..MAX_MARKS + 5 {
            j.mark(format!("m{i}"), Utc::now());
        }
        assert_eq!(j.marks().len(), MAX_MARKS);
        assert!(j.find_mark("m0").is_none());
        j.record(entry("GET", "users.list", 200));
        j.mark("m7".into(), Utc::now());
        assert_eq!(j.find_mark("m7").unwrap().seq, 2);
    }

    #[test]
    fn fingerprints_tell_tokens_apart_without_showing_them() {
        let a = token_fingerprint("secret-token-a");
        assert_eq!(a, token_fingerprint("secret-token-a"));
        assert_ne!(a, token_fingerprint("secret-token-b"));
        assert!(a.starts_with("tok-") && a.len() == 16 && !a.contains("secret"));
        // The digits are the hash's low 48 bits, as `{:012x}` writes them.
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        "secret-token-a".hash(&mut h);
        assert_eq!(a, format!("tok-{:012x}", h.finish() & 0xffff_ffff_ffff));
    }

    #[test]
    fn sequence_numbers_go_on_after_a_clear() {
        let j = Journal::new(10);
        j.record(entry("GET", "users.list", 200));
        j.clear();
        j.record(entry("GET", "users.list", 200));
        let all = j.find(&Matcher::default());
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].seq, 2, "a seq never names two entries");
    }

    #[test]
    fn ring_buffer_drops_oldest_and_counts() {
        let j = Journal::new(2);
        for s in [200, 201, 202] {
            j.record(entry("GET", "users.list", s));
        }
        let all = j.find(&Matcher::default());
        assert_eq!(all.iter().map(|e| e.status).collect::<Vec<_>>(), [201, 202]);
        assert_eq!(all[0].seq, 2);
        assert_eq!(j.stats().dropped, 1);
    }

    #[test]
    fn nearest_prefers_fewest_mismatches() {
        let j = Journal::new(10);
        j.record(entry("GET", "users.list", 200));
        j.record(entry("POST", "users.create", 400));
        let m = Matcher {
            method: Some("POST".into()),
            route: Some("users.create".into()),
            status: Some(201),
            ..Matcher::default()
        };
        assert_eq!(j.count(&m), 0);
        let near = j.nearest(&m, 3);
        assert_eq!(near[0].status, 400);
        assert_eq!(near.len(), 2);
    }

    #[test]
    fn pages_end_at_the_limit_and_batches_stay_inside_the_page() {
        let j = Journal::new(100);
        for s in 0..10 {
            j.record(entry("GET", if s % 2 == 0 { "a" } else { "b" }, 200));
        }
        let only_a = Matcher {
            route: Some("a".into()),
            ..Matcher::default()
        };
        // Entries of route a have seqs 1, 3, 5, 7, 9.
        let end = j.page_end(&only_a, 0, 2);
        assert_eq!((end.last, end.next), (3, Some(3)));
        let end = j.page_end(&only_a, 3, 10);
        assert_eq!((end.last, end.next), (9, None));
        let seqs = |v: Vec<Entry>| v.into_iter().map(|e| e.seq).collect::<Vec<_>>();
        assert_eq!(seqs(j.batch(&only_a, 3, 7, 10)), [5, 7]);
        assert_eq!(seqs(j.batch(&only_a, 0, 9, 2)), [1, 3]);
        assert_eq!(
            j.page_end(&only_a, 9, 5),
            PageEnd {
                last: 9,
                next: None
            }
        );
    }

    #[test]
    fn the_byte_budget_drops_oldest_and_cuts_are_counted() {
        let j = Journal::with_limits(Capacity {
            entries: 100,
            bytes: truncation::MIN_JOURNAL_BYTES,
            redaction: crate::control::journal::redaction::Redaction::default(),
        });
        for _ in 0..10 {
            let mut e = entry("POST", "users.create", 201);
            e.body = Text::from("x".repeat(MAX_BODY_TEXT * 2));
            j.record(e);
        }
        let stats = j.stats();
        assert!(stats.bytes <= stats.byte_budget, "{stats:?}");
        assert_eq!(stats.truncated, 10);
        assert_eq!(stats.dropped + stats.held as u64, 10);
        assert!(stats.dropped > 0);
        assert!(j.find(&Matcher::default()).iter().all(|e| e.body_truncated));
    }

    #[test]
    fn bodies_are_cut_at_the_limit() {
        let none = crate::control::journal::redaction::Redaction::default();
        let (t, cut) = truncation::request_body(&vec![b'a'; MAX_BODY_TEXT + 5], &none);
        assert!(cut);
        assert_eq!(t.len(), MAX_BODY_TEXT);
    }
}
