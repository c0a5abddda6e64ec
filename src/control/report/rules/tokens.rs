//! How the client handles tokens: `token-churn`, `expired-token-reuse`, `unauthenticated`.

use std::collections::{BTreeMap, HashMap, VecDeque};

use super::{Check, Groups, requests};
use crate::control::report::model::{EntryRef, MAX_ENTRIES_PER_FINDING};
use crate::control::report::seen::{Body, Seen};
use crate::control::report::sink::Sink;

/// The window `token-churn` counts in, on the mock clock.
const MINUTE_MS: i64 = 60_000;

/// Tokens issued per client, and how often each token was used.
#[derive(Debug, Default)]
struct Client {
    window: VecDeque<(i64, EntryRef)>,
    /// The busiest minute so far: its count and first entries.
    worst: usize,
    worst_entries: Vec<EntryRef>,
    issued: Vec<EntryRef>,
    issued_count: usize,
    uses: HashMap<String, u32>,
}

/// `token-churn`.
#[derive(Debug)]
pub(crate) struct Churn {
    per_minute: u32,
    clients: BTreeMap<String, Client>,
}

const CHURN: &str = "token-churn";

impl Churn {
    pub(crate) fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            clients: BTreeMap::new(),
        }
    }
}

impl Check for Churn {
    fn observe(&mut self, s: &Seen<'_>, _out: &mut Sink) {
        let Some(client) = s.e.client.as_deref() else {
            return;
        };
        if s.route() == "oauth.token" {
            if s.e.status != 200 {
                return;
            }
            let c = self.clients.entry(client.to_owned()).or_default();
            let now = s.at_ms();
            c.window.push_back((now, EntryRef::of(s.e)));
            while c.window.front().is_some_and(|(t, _)| *t <= now - MINUTE_MS) {
                c.window.pop_front();
            }
            if c.window.len() > c.worst {
                c.worst = c.window.len();
                c.worst_entries = c
                    .window
                    .iter()
                    .take(MAX_ENTRIES_PER_FINDING)
                    .map(|(_, e)| e.clone())
                    .collect();
            }
            c.issued_count += 1;
            if c.issued.len() < MAX_ENTRIES_PER_FINDING {
                c.issued.push(EntryRef::of(s.e));
            }
        } else if s.is_api()
            && let Some(t) = &s.e.token
        {
            *self
                .clients
                .entry(client.to_owned())
                .or_default()
                .uses
                .entry(t.clone())
                .or_default() += 1;
        }
    }

    fn finish(&mut self, out: &mut Sink) {
        for (id, c) in std::mem::take(&mut self.clients) {
            if c.worst > self.per_minute as usize {
                out.finding(
                    CHURN,
                    format!(
                        "client {id} got {} tokens within one minute (more than {})",
                        c.worst, self.per_minute
                    ),
                    c.worst_entries,
                );
            } else if c.issued_count >= 3 && c.uses.len() >= 3 && c.uses.values().all(|n| *n <= 1) {
                out.finding(
                    CHURN,
                    format!(
                        "client {id} got a new token for every request: {} tokens, none used more than once",
                        c.issued_count
                    ),
                    c.issued,
                );
            }
        }
    }
}

/// `expired-token-reuse`.
#[derive(Debug, Default)]
pub(crate) struct ExpiredReuse {
    expired: HashMap<String, EntryRef>,
    reuse: BTreeMap<u64, (String, Vec<EntryRef>)>,
    by_token: HashMap<String, u64>,
}

const EXPIRED: &str = "expired-token-reuse";

impl Check for ExpiredReuse {
    fn observe(&mut self, s: &Seen<'_>, out: &mut Sink) {
        let Some(t) = s.e.token.as_deref() else {
            return;
        };
        if let Some(first) = self.expired.get(t) {
            let at = *self.by_token.entry(t.to_owned()).or_insert(first.seq);
            self.reuse
                .entry(at)
                .or_insert_with(|| (t.to_owned(), vec![first.clone()]))
                .1
                .push(EntryRef::of(s.e));
            return;
        }
        if s.e.status == 401 {
            match s.response() {
                Body::Json(v) => {
                    let says_expired = v["message"]
                        .as_str()
                        .or(v["detail"].as_str())
                        .is_some_and(|m| m.to_ascii_lowercase().contains("expired"));
                    if says_expired {
                        self.expired.insert(t.to_owned(), EntryRef::of(s.e));
                    }
                }
                _ => out.unchecked(EXPIRED, s.e, "the 401's response body cannot be read"),
            }
        }
    }

    fn finish(&mut self, out: &mut Sink) {
        for (_, (token, entries)) in std::mem::take(&mut self.reuse) {
            out.finding(
                EXPIRED,
                format!(
                    "{token} was sent {} more after a 401 said it had expired",
                    if entries.len() == 2 {
                        "once".to_owned()
                    } else {
                        format!("{} times", entries.len() - 1)
                    }
                ),
                entries,
            );
        }
    }
}

/// `unauthenticated`.
#[derive(Debug, Default)]
pub(crate) struct Unauthenticated {
    by_route: Groups<String>,
}

impl Check for Unauthenticated {
    fn observe(&mut self, s: &Seen<'_>, _out: &mut Sink) {
        if s.is_api() && s.e.token.is_none() {
            self.by_route.add(s.route().to_owned(), s);
        }
    }

    fn finish(&mut self, out: &mut Sink) {
        self.by_route.report("unauthenticated", out, |route, n| {
            format!("{} to {route} without a bearer token", requests(n))
        });
    }
}
