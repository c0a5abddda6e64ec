//! Where checks put what they find: per rule, bounded, ignoring rules that are off.

use std::collections::HashMap;

use super::model::{
    EntryRef, Finding, MAX_ENTRIES_PER_FINDING, MAX_FINDINGS_PER_RULE, RuleResult, Unchecked,
};
use crate::control::journal::Entry;

/// Collects findings for the rules of one report.
#[derive(Debug)]
pub(crate) struct Sink {
    results: HashMap<&'static str, RuleResult>,
}

impl Sink {
    /// A sink over these (fresh) results.
    pub(crate) fn new(results: impl IntoIterator<Item = RuleResult>) -> Self {
        Self {
            results: results.into_iter().map(|r| (r.id, r)).collect(),
        }
    }

    /// Records a finding: its message and the entries that broke the rule, oldest first.
    /// Past [`MAX_FINDINGS_PER_RULE`] findings, or [`MAX_ENTRIES_PER_FINDING`] entries per
    /// finding, the rest are only counted.
    pub(crate) fn finding(&mut self, rule: &str, message: String, entries: Vec<EntryRef>) {
        let total = entries.len();
        self.finding_of(rule, message, entries, total);
    }

    /// Records a finding whose `entries` are the first of `total`.
    pub(crate) fn finding_of(
        &mut self,
        rule: &str,
        message: String,
        entries: Vec<EntryRef>,
        total: usize,
    ) {
        let Some(r) = self.results.get_mut(rule).filter(|r| r.severity.is_some()) else {
            return;
        };
        r.status = super::model::Status::Failed;
        if r.findings.len() >= MAX_FINDINGS_PER_RULE {
            r.more_findings += 1;
            return;
        }
        let mut entries = entries;
        entries.truncate(MAX_ENTRIES_PER_FINDING);
        let more = total.saturating_sub(entries.len()) as u64;
        r.findings.push(Finding {
            message,
            entries,
            more_entries: more,
        });
    }

    /// Notes that `rule` could not check `e`, and why.
    pub(crate) fn unchecked(&mut self, rule: &str, e: &Entry, reason: &str) {
        let Some(r) = self.results.get_mut(rule).filter(|r| r.severity.is_some()) else {
            return;
        };
        let u = r.unchecked.get_or_insert_with(|| Unchecked {
            count: 0,
            reason: reason.to_owned(),
            entries: Vec::new(),
        });
        u.count += 1;
        if u.entries.len() < MAX_ENTRIES_PER_FINDING {
            u.entries.push(EntryRef::of(e));
        }
    }

    /// The results, by id.
    pub(crate) fn into_results(self) -> HashMap<&'static str, RuleResult> {
        self.results
    }
}
