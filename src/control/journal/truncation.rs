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

use bytes::Bytes;
use http::HeaderMap;

use super::entry::Entry;
use super::headers::Headers;
use super::text::{Text, lossy};
use crate::control::journal::redaction::{REDACTED, Redaction};

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
pub(crate) struct Capacity {
    /// `--journal-size`: entries held.
    pub entries: usize,
    /// `--journal-bytes`: bytes held, as [`weight`] counts them.
    pub bytes: usize,
    /// `--journal-redact`.
    pub redaction: Redaction,
}

impl Capacity {
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

/// Headers as stored: each value redacted (its name is on the list) and cut at
/// [`MAX_HEADER_VALUE`], and those past [`MAX_HEADERS_TEXT`] in all left out. Values that
/// are not UTF-8 are stored as their lossy text. Returns whether anything was cut or left out.
pub(crate) fn headers(sent: &HeaderMap, redaction: &Redaction) -> (Headers, bool) {
    // One allocation for the text, sized for the headers as sent (redacted credentials are
    // mostly shorter than what they hide).
    let size = sent
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len().max(REDACTED.len()))
        .sum::<usize>();
    let mut kept = Headers::with_capacity(sent.len(), size.min(MAX_HEADERS_TEXT));
    let mut room = MAX_HEADERS_TEXT;
    let mut truncated = false;
    for (name, value) in sent {
        let name = name.as_str();
        let text = if redaction.covers(name) {
            Cow::Borrowed(REDACTED)
        } else {
            lossy(value.as_bytes())
        };
        let value = prefix(&text, MAX_HEADER_VALUE);
        truncated |= value.len() < text.len();
        let size = name.len() + value.len();
        if size > room {
            truncated = true;
            continue;
        }
        room -= size;
        kept.push(name, value);
    }
    (kept, truncated)
}

/// A request body as stored: the first [`MAX_BODY_TEXT`] bytes as text, redacted, then cut to
/// [`MAX_BODY_TEXT`] at a character boundary. Always a copy: a request's bytes can share the
/// connection's read buffer, which an entry must not keep alive (`--journal-bytes` would not
/// see it). Returns whether it cut.
pub(crate) fn request_body(sent: &[u8], redaction: &Redaction) -> (Text, bool) {
    let head = &sent[..sent.len().min(MAX_BODY_TEXT)];
    let text = lossy(head);
    let (stored, cut) = redact_and_cut(&text, Some(redaction));
    let stored = match stored {
        Cow::Owned(s) => Text::from(s),
        Cow::Borrowed(s) => Text::from(s),
    };
    (stored, cut || head.len() < sent.len())
}

/// A response body as stored: redacted (unless `clean`), then cut to [`MAX_BODY_TEXT`] at a
/// character boundary. When neither changes anything, the bytes sent are kept as they are,
/// shared with the response, not copied. `clean` (see `Recording::response_clean`): the body is
/// the mock's own JSON, which serde wrote and is UTF-8 by construction, so up to the bound it
/// is kept without even a UTF-8 check (it would read as its lossy text if it were not).
/// Returns whether it cut.
pub(crate) fn response_body(sent: &Bytes, redaction: &Redaction, clean: bool) -> (Text, bool) {
    if clean && sent.len() <= MAX_BODY_TEXT {
        return (Text::shared(sent.clone()), false);
    }
    let text = lossy(sent);
    let (stored, cut) = redact_and_cut(&text, (!clean).then_some(redaction));
    let stored = match stored {
        Cow::Owned(s) => Text::from(s),
        // Nothing changed: the bytes sent. (A cut prefix is copied, so that an entry never
        // keeps a large answer alive for its first 64 KiB.)
        Cow::Borrowed(s) if s.len() == sent.len() => Text::shared(sent.clone()),
        Cow::Borrowed(s) => Text::from(s),
    };
    (stored, cut)
}

/// `text` redacted (when a list is given) and cut to [`MAX_BODY_TEXT`] at a character
/// boundary; borrowed while neither changed anything. Returns whether it cut.
fn redact_and_cut<'t>(text: &'t str, redaction: Option<&Redaction>) -> (Cow<'t, str>, bool) {
    let redacted = redaction.map_or(Cow::Borrowed(text), |r| r.body(text));
    match redacted {
        Cow::Borrowed(t) => {
            let kept = prefix(t, MAX_BODY_TEXT);
            (Cow::Borrowed(kept), kept.len() < t.len())
        }
        Cow::Owned(mut t) => {
            let cut = cut(&mut t, MAX_BODY_TEXT);
            (Cow::Owned(t), cut)
        }
    }
}

/// Redacts and cuts an entry built whole, as [`headers`], [`request_body`] and
/// [`response_body`] do for a request being recorded. Returns whether anything was cut.
#[cfg(test)]
pub(crate) fn shape(e: &mut Entry, redaction: &Redaction) -> bool {
    if let Some(q) = &mut e.query
        && let Cow::Owned(redacted) = redaction.form(q)
    {
        *q = redacted;
    }
    let mut sent = HeaderMap::new();
    for (n, v) in e.headers.iter() {
        sent.append(
            http::HeaderName::from_bytes(n.as_bytes()).expect("a test header name"),
            http::HeaderValue::from_str(v).expect("a test header value"),
        );
    }
    let cut;
    (e.headers, cut) = headers(&sent, redaction);
    e.headers_truncated |= cut;
    let cut;
    (e.body, cut) = request_body(e.body.as_bytes(), redaction);
    e.body_truncated |= cut;
    if let Some(body) = &mut e.response_body {
        let cut;
        (*body, cut) = response_body(
            &bytes::Bytes::copy_from_slice(body.as_bytes()),
            redaction,
            false,
        );
        e.response_body_truncated |= cut;
    }
    e.body_truncated || e.response_body_truncated || e.headers_truncated
}

/// What an entry counts against `--journal-bytes`: the bytes of its text plus a fixed
/// overhead. A response body shared with the answer counts its whole length: the entry keeps
/// it alive. The mock's answers are allocated to their length
/// (`edge::response::serialized_response`, `UserDocument::to_bytes` and the list envelope), so
/// the length is what they hold.
pub(crate) fn weight(e: &Entry) -> usize {
    let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
    ENTRY_OVERHEAD
        + e.correlation_id.len()
        + e.method.as_str().len()
        + e.path.len()
        + text(&e.query)
        + e.headers.text_len()
        + e.body.len()
        + e.response_body.as_ref().map_or(0, Text::len)
        + e.route.len()
        + text(&e.org)
        + text(&e.client)
        + text(&e.token)
        + text(&e.retry_after)
        + text(&e.scenario)
        + text(&e.rule)
        + e.fault.map_or(0, str::len)
}

/// The longest prefix of `s` of at most `max` bytes that ends at a character boundary.
fn prefix(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Cuts `s` to at most `max` bytes at a character boundary. Returns whether it cut.
fn cut(s: &mut String, max: usize) -> bool {
    let keep = prefix(s, max).len();
    let cut = keep < s.len();
    s.truncate(keep);
    cut
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

    #[test]
    fn bodies_are_cut_at_the_limit() {
        let none = Redaction::default();
        let (t, cut) = request_body(&vec![b'a'; MAX_BODY_TEXT + 5], &none);
        assert!(cut);
        assert_eq!(t.len(), MAX_BODY_TEXT);
    }
}
