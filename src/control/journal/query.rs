//! Which entries a caller asks for: [`Matcher`], the filter of `GET /__admin/requests`,
//! `POST /__admin/requests/count` and the verification endpoints, and the distance from an
//! entry to it that a failing verification sorts the nearest entries by.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::entry::Entry;

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
