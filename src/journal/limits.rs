//! The journal's bounds and what it does to an entry before storing it: redact, then cut.
//!
//! Bounds, each documented in `docs/limits.md`:
//! - `--journal-size` entries and `--journal-bytes` bytes in all, oldest dropped first (both
//!   counted in the journal's `dropped`);
//! - per entry, each body (request and response) is cut at [`MAX_BODY_TEXT`] bytes, each header
//!   value at [`MAX_HEADER_VALUE`] bytes, and the headers together at [`MAX_HEADERS_TEXT`]
//!   bytes (headers past it are left out). A cut sets the entry's `bodyTruncated`,
//!   `responseBodyTruncated` or `headersTruncated` and counts in the journal's `truncated`.
//!
//! Redaction ([`Redaction`]) runs before the cut, so a cut never exposes part of a secret
//! that redaction would have hidden; the scanner also hides unterminated values, for bodies
//! that were already cut on the way in.

use std::borrow::Cow;

use super::entry::Entry;
use crate::redaction::Redaction;

/// Bodies are kept up to this many bytes.
pub const MAX_BODY_TEXT: usize = 64 * 1024;

/// A header value is kept up to this many bytes (a long JWT or cookie fits).
pub const MAX_HEADER_VALUE: usize = 4 * 1024;

/// All of one entry's header names and values together, in bytes.
pub(crate) const MAX_HEADERS_TEXT: usize = 16 * 1024;

/// The default `--journal-bytes`: 64 MiB, about 450 entries at the per-entry maximum and tens
/// of thousands of ordinary ones.
pub(crate) const DEFAULT_JOURNAL_BYTES: usize = 64 * 1024 * 1024;

/// The smallest `--journal-bytes`: one entry at its largest (two bodies and the headers).
pub const MIN_JOURNAL_BYTES: usize = 2 * MAX_BODY_TEXT + MAX_HEADERS_TEXT + 64 * 1024;

/// Bookkeeping bytes counted for every entry besides its text (ids, times, flags).
const ENTRY_OVERHEAD: usize = 256;

/// The journal's configured bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Limits {
    /// `--journal-size`: entries held.
    pub entries: usize,
    /// `--journal-bytes`: bytes held, as [`weight`] counts them.
    pub bytes: usize,
    /// `--journal-redact`.
    pub redaction: Redaction,
}

impl Limits {
    /// The defaults with `entries` entries.
    #[cfg(test)]
    pub(crate) fn with_entries(entries: usize) -> Self {
        Self {
            entries,
            bytes: DEFAULT_JOURNAL_BYTES,
            redaction: Redaction::default(),
        }
    }
}

/// Redacts and cuts `e` in place. Returns whether anything was cut.
/// `response_clean`: the response body holds no covered key (the mock's own documents, see
/// `http::OwnKeys`), so it is only cut.
pub(crate) fn shape(e: &mut Entry, redaction: &Redaction, response_clean: bool) -> bool {
    if let Some(q) = &mut e.query {
        if let Cow::Owned(redacted) = redaction.form(q) {
            *q = redacted;
        }
    }
    let mut room = MAX_HEADERS_TEXT;
    let mut kept = Vec::with_capacity(e.headers.len());
    for (name, value) in std::mem::take(&mut e.headers) {
        let mut value = redaction.header(&name, value);
        if cut(&mut value, MAX_HEADER_VALUE) {
            e.headers_truncated = true;
        }
        let size = name.len() + value.len();
        if size > room {
            e.headers_truncated = true;
            continue;
        }
        room -= size;
        kept.push((name, value));
    }
    e.headers = kept;
    if let Cow::Owned(redacted) = redaction.body(&e.body) {
        e.body = redacted;
    }
    if cut(&mut e.body, MAX_BODY_TEXT) {
        e.body_truncated = true;
    }
    if let Some(body) = &mut e.response_body {
        if !response_clean {
            if let Cow::Owned(redacted) = redaction.body(body) {
                *body = redacted;
            }
        }
        if cut(body, MAX_BODY_TEXT) {
            e.response_body_truncated = true;
        }
    }
    e.body_truncated || e.response_body_truncated || e.headers_truncated
}

/// What an entry counts against `--journal-bytes`: its text plus a fixed overhead.
pub(crate) fn weight(e: &Entry) -> usize {
    let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
    ENTRY_OVERHEAD
        + e.correlation_id.len()
        + e.method.len()
        + e.path.len()
        + text(&e.query)
        + e.headers
            .iter()
            .map(|(n, v)| n.len() + v.len())
            .sum::<usize>()
        + e.body.len()
        + text(&e.response_body)
        + e.route.len()
        + text(&e.org)
        + text(&e.client)
        + text(&e.token)
        + text(&e.retry_after)
        + text(&e.scenario)
        + text(&e.rule)
        + text(&e.fault)
}

/// Cuts `s` to at most `max` bytes at a character boundary. Returns whether it cut.
fn cut(s: &mut String, max: usize) -> bool {
    if s.len() <= max {
        return false;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_keep_whole_characters() {
        let mut s = "ééé".to_owned();
        assert!(cut(&mut s, 3));
        assert_eq!(s, "é");
        let mut short = "ab".to_owned();
        assert!(!cut(&mut short, 2));
    }
}
