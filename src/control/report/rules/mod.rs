//! The checks behind the report's catalogue (`control::report::rules`), one file per concern.
//! Imports the report's model and settings, the journal's entries, and `scim`/`genesys` below.
//!
//! Each check reads the entries of the report's range once,
//! oldest first, keeps state bounded by the number of entries it has seen (so a report is
//! linear in time and in memory in the journal it covers), and reports into the [`Sink`] under
//! one or more rule ids from [`super::catalogue`].

mod attributes;
mod forbidden;
mod paging;
mod patches;
mod retries;
mod throttle;
mod tokens;
mod wire;
mod workflow;

use std::collections::HashMap;
use std::hash::Hash;

use super::model::{EntryRef, MAX_ENTRIES_PER_FINDING};
use super::seen::Seen;
use super::settings::Thresholds;
use super::sink::Sink;

/// A check over the journal.
pub(crate) trait Check {
    /// Sees the next entry.
    fn observe(&mut self, s: &Seen<'_>, out: &mut Sink);
    /// Reports what is left once every entry was seen.
    fn finish(&mut self, _out: &mut Sink) {}
}

/// What the checks are told about the run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context {
    pub(crate) thresholds: Thresholds,
    /// The first `seq` of the second run, for `not-idempotent`.
    pub(crate) idempotent_from: Option<u64>,
}

/// Every check.
pub(crate) fn all(ctx: &Context) -> Vec<Box<dyn Check>> {
    vec![
        Box::new(throttle::RetryAfter::default()),
        Box::new(retries::LostWrite::default()),
        Box::new(retries::RetryStorm::new(ctx.thresholds.retry_storm)),
        Box::new(retries::BlindRetry::default()),
        Box::new(forbidden::RepeatedAfter403::default()),
        Box::new(tokens::Churn::new(ctx.thresholds.tokens_per_minute)),
        Box::new(tokens::ExpiredReuse::default()),
        Box::new(tokens::Unauthenticated::default()),
        Box::new(paging::PageSize::new(ctx.thresholds.page_size)),
        Box::new(paging::PageWalk::default()),
        Box::new(patches::Patches::default()),
        Box::new(attributes::Attributes::default()),
        Box::new(workflow::GroupCreateDelete::default()),
        Box::new(workflow::CreateWithoutLookup::default()),
        Box::new(workflow::GroupsBeforeUsers::default()),
        Box::new(workflow::NotIdempotent::new(ctx.idempotent_from)),
        Box::new(wire::RawSlashAuthority::default()),
        Box::new(wire::ContentType::default()),
        Box::new(wire::Filters::default()),
    ]
}

/// Entries grouped under a key, in first-seen order: the shape of rules that report one
/// finding per distinct thing ("count=100 on 3 requests"). Each key keeps its first
/// [`MAX_ENTRIES_PER_FINDING`] entries and counts the rest.
#[derive(Debug)]
pub(crate) struct Groups<K> {
    order: Vec<K>,
    entries: HashMap<K, Group>,
}

/// One key's entries.
#[derive(Debug, Default)]
pub(crate) struct Group {
    pub(crate) count: usize,
    pub(crate) entries: Vec<EntryRef>,
}

impl<K> Default for Groups<K> {
    fn default() -> Self {
        Self {
            order: Vec::new(),
            entries: HashMap::new(),
        }
    }
}

impl<K: Hash + Eq + Clone> Groups<K> {
    /// Adds `e` under `key`.
    pub(crate) fn add(&mut self, key: K, e: &Seen<'_>) {
        let g = match self.entries.get_mut(&key) {
            Some(g) => g,
            None => {
                self.order.push(key.clone());
                self.entries.entry(key).or_default()
            }
        };
        g.count += 1;
        if g.entries.len() < MAX_ENTRIES_PER_FINDING {
            g.entries.push(EntryRef::of(e.e));
        }
    }

    /// Reports one finding per key, in first-seen order, with `message(key, count)`.
    pub(crate) fn report(
        &mut self,
        rule: &str,
        out: &mut Sink,
        message: impl Fn(&K, usize) -> String,
    ) {
        for k in self.order.drain(..) {
            if let Some(g) = self.entries.remove(&k) {
                out.finding_of(rule, message(&k, g.count), g.entries, g.count);
            }
        }
    }
}

/// `"1 request"` / `"3 requests"`.
pub(crate) fn requests(n: usize) -> String {
    if n == 1 {
        "1 request".to_owned()
    } else {
        format!("{n} requests")
    }
}

/// The PATCH operations of a body (`Operations`, any case), each as a JSON object.
pub(crate) fn operations(body: &serde_json::Value) -> impl Iterator<Item = &serde_json::Value> {
    body.as_object()
        .and_then(|o| crate::genesys::mapping::get_ci(o, "Operations"))
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .filter(|op| op.is_object())
}

/// An operation's `op` (lower-cased) and `path`.
pub(crate) fn op_and_path(op: &serde_json::Value) -> (String, Option<&str>) {
    let o = op.as_object();
    let get = |k: &str| o.and_then(|o| crate::genesys::mapping::get_ci(o, k));
    (
        get("op")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_ascii_lowercase(),
        get("path").and_then(|v| v.as_str()),
    )
}

/// The attribute part of a PATCH path: `emails[type eq "work"].value` → `emails.value`,
/// `urn:...:User:externalIds[...]` → `urn:...:User:externalIds`.
pub(crate) fn attribute_part(path: &str) -> String {
    match path.find('[') {
        Some(i) => {
            let after = path[i..].find(']').map_or("", |j| &path[i + j + 1..]);
            format!("{}{after}", &path[..i])
        }
        None => path.to_owned(),
    }
}

/// The string values compared with `eq` anywhere in a filter (`userName eq "x"` → `x`), as
/// written; nothing for text that does not parse.
pub(crate) fn eq_values(text: &str) -> Vec<String> {
    use crate::scim::filter::{self, CompareOp, Filter};
    let mut out = Vec::new();
    if let Ok(f) = filter::parse(text) {
        f.walk(&mut |node| {
            if let Filter::Compare {
                op: CompareOp::Eq,
                value,
                ..
            } = node
                && let Some(v) = value.as_str()
            {
                out.push(v.to_owned());
            }
        });
    }
    out
}
