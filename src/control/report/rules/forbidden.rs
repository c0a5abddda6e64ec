//! `repeated-after-403`: a request sent again, unchanged, after a 403, and refused again.

use std::collections::HashMap;

use super::Check;
use super::retries::op_key;
use crate::control::report::model::{EntryRef, MAX_ENTRIES_PER_FINDING};
use crate::control::report::seen::Seen;
use crate::control::report::sink::Sink;

const RULE: &str = "repeated-after-403";

/// One refused operation and its unchanged repeats.
#[derive(Debug)]
struct Refused {
    /// The first 403 and the repeats, oldest first (at most [`MAX_ENTRIES_PER_FINDING`]).
    entries: Vec<EntryRef>,
    repeats: usize,
    /// What the first 403 said was missing (empty when it did not say).
    missing: &'static [&'static str],
}

/// Per operation (method, path, query, body and client): the 403 it got, until an answer that
/// is not a 403 ends the episode (the client's roles changed in between).
#[derive(Debug, Default)]
pub(crate) struct RepeatedAfter403 {
    refused: HashMap<u64, Refused>,
    /// Keys in the order of their first 403, for a stable report.
    order: Vec<u64>,
}

impl RepeatedAfter403 {
    fn flush(r: Refused, out: &mut Sink) {
        if r.repeats == 0 {
            return;
        }
        let first = &r.entries[0];
        let times = if r.repeats == 1 {
            "once more".to_owned()
        } else {
            format!("{} more times", r.repeats)
        };
        let why = if r.missing.is_empty() {
            String::new()
        } else {
            format!(" (missing any of: {})", r.missing.join(", "))
        };
        let total = r.repeats + 1;
        out.finding_of(
            RULE,
            format!(
                "{} {} got 403{why} and was sent {times} unchanged, refused each time",
                first.method, first.target
            ),
            r.entries,
            total,
        );
    }
}

impl Check for RepeatedAfter403 {
    fn observe(&mut self, s: &Seen<'_>, out: &mut Sink) {
        if !s.is_api() || (self.refused.is_empty() && s.e.status != 403) {
            return;
        }
        let key = op_key(s);
        if let Some(r) = self.refused.get_mut(&key) {
            if s.e.status == 403 {
                r.repeats += 1;
                if r.entries.len() < MAX_ENTRIES_PER_FINDING {
                    r.entries.push(EntryRef::of(s.e));
                }
                return;
            }
            if let Some(r) = self.refused.remove(&key) {
                Self::flush(r, out);
            }
            return;
        }
        if s.e.status == 403 {
            self.order.push(key);
            self.refused.insert(
                key,
                Refused {
                    entries: vec![EntryRef::of(s.e)],
                    repeats: 0,
                    missing: s.e.missing_permissions,
                },
            );
        }
    }

    fn finish(&mut self, out: &mut Sink) {
        for key in std::mem::take(&mut self.order) {
            if let Some(r) = self.refused.remove(&key) {
                Self::flush(r, out);
            }
        }
    }
}
