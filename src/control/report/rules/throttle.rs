//! `retry-after`: requests on a token before its 429's `Retry-After` had passed (mock clock).

use std::collections::HashMap;

use super::{Check, requests};
use crate::control::report::model::EntryRef;
use crate::control::report::seen::Seen;
use crate::control::report::sink::Sink;

const RULE: &str = "retry-after";

#[derive(Debug)]
struct Blocked {
    until_ms: i64,
    refusal: EntryRef,
    refusal_ms: i64,
    secs: u64,
    early: Vec<EntryRef>,
    first_early_ms: i64,
}

/// Per token (or, for token requests, per client): the 429 that is still in force.
#[derive(Debug, Default)]
pub(crate) struct RetryAfter {
    blocked: HashMap<String, Blocked>,
}

impl RetryAfter {
    fn flush(b: Blocked, who: &str, out: &mut Sink) {
        if b.early.is_empty() {
            return;
        }
        let after = (b.first_early_ms - b.refusal_ms) as f64 / 1000.0;
        let message = format!(
            "{} on {who} within the {} s a 429 asked it to wait (Retry-After: {}); the first came {after:.1} s after the 429",
            requests(b.early.len()),
            b.secs,
            b.secs
        );
        let mut entries = vec![b.refusal];
        entries.extend(b.early);
        out.finding(RULE, message, entries);
    }
}

impl Check for RetryAfter {
    fn observe(&mut self, s: &Seen<'_>, out: &mut Sink) {
        let Some(who) = s.e.token.as_deref().or(s.e.client.as_deref()) else {
            return;
        };
        let now = s.at_ms();
        let mut episode = self.blocked.remove(who);
        if let Some(b) = episode.as_mut()
            && now < b.until_ms
        {
            if b.early.is_empty() {
                b.first_early_ms = now;
            }
            b.early.push(EntryRef::of(s.e));
        } else if let Some(b) = episode.take() {
            Self::flush(b, who, out);
        }
        if s.e.status == 429 {
            match s.e.retry_after.as_deref().map(|v| v.trim().parse::<u64>()) {
                Some(Ok(secs)) => {
                    let until_ms =
                        now + i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX);
                    match episode.as_mut() {
                        // Refused again while still inside the window: same episode, later end.
                        Some(b) => b.until_ms = b.until_ms.max(until_ms),
                        None => {
                            episode = Some(Blocked {
                                until_ms,
                                refusal: EntryRef::of(s.e),
                                refusal_ms: now,
                                secs,
                                early: Vec::new(),
                                first_early_ms: now,
                            });
                        }
                    }
                }
                Some(Err(_)) => out.unchecked(
                    RULE,
                    s.e,
                    "the 429's Retry-After is not a number of seconds",
                ),
                None => out.unchecked(RULE, s.e, "the 429 carried no Retry-After"),
            }
        }
        if let Some(b) = episode {
            self.blocked.insert(who.to_owned(), b);
        }
    }

    fn finish(&mut self, out: &mut Sink) {
        for (who, b) in self.blocked.drain() {
            Self::flush(b, &who, out);
        }
    }
}
