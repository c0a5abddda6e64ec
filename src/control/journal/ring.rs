//! The journal itself: a bounded ring buffer of entries and marks behind one lock, dropping the
//! oldest entries once `--journal-size` entries or `--journal-bytes` bytes are held and counting
//! what it dropped, and the reads over it (pages, counts, nearest entries, report scans).

use std::collections::VecDeque;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use serde::Serialize;

use super::entry::Entry;
use super::query::Matcher;
use super::redaction::Redaction;
use super::truncation::{self, Capacity};

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
    pub(super) off: bool,
    /// Outside the lock: redaction runs before it is taken.
    pub(super) redaction: Arc<Redaction>,
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
    pub(super) fn push(&self, mut entry: Entry) {
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
    use crate::control::journal::{Headers, MAX_BODY_TEXT, Text};

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
            redaction: Redaction::default(),
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
}
