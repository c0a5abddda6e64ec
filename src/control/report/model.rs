//! The report model: one value that every format (JSON, JUnit XML, Markdown, SARIF) renders.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::catalogue::RuleInfo;
use super::severity::Severity;
use crate::control::journal::Entry;

/// The most findings a rule keeps; past it they are counted in `moreFindings`.
pub(crate) const MAX_FINDINGS_PER_RULE: usize = 50;

/// The most journal entries one finding links; past it they are counted in `moreEntries`.
pub(crate) const MAX_ENTRIES_PER_FINDING: usize = 20;

/// A journal entry a finding points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EntryRef {
    pub seq: u64,
    pub method: String,
    /// Path and query as sent.
    pub target: String,
    pub status: u16,
    pub correlation_id: String,
    /// Mock-clock arrival time.
    pub timestamp: DateTime<Utc>,
    /// `GET` this (relative to the server) for the whole entry.
    pub link: String,
}

impl EntryRef {
    /// The reference to `e`.
    pub(crate) fn of(e: &Entry) -> Self {
        let target = match &e.query {
            Some(q) => format!("{}?{q}", e.path),
            None => e.path.clone(),
        };
        Self {
            seq: e.seq,
            method: e.method.to_string(),
            target,
            status: e.status,
            correlation_id: e.correlation_id.clone(),
            timestamp: e.timestamp,
            link: format!("/__admin/requests?seq={}", e.seq),
        }
    }
}

/// One way the client broke a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Finding {
    pub message: String,
    /// The entries that broke it, oldest first (at most [`MAX_ENTRIES_PER_FINDING`]).
    pub entries: Vec<EntryRef>,
    #[serde(skip_serializing_if = "is_zero")]
    pub more_entries: u64,
}

/// Requests a rule could not check (a truncated or unreadable body, no response body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Unchecked {
    pub count: u64,
    /// Why, for the first one.
    pub reason: String,
    /// The first few (at most [`MAX_ENTRIES_PER_FINDING`]).
    pub entries: Vec<EntryRef>,
}

/// What a rule concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Status {
    /// Ran and found nothing.
    Passed,
    /// Ran and found something.
    Failed,
    /// Turned off for this run.
    Off,
    /// Could not run in this report (e.g. `not-idempotent` without `?idempotent=MARK`).
    NotApplicable,
}

/// One rule's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RuleResult {
    pub id: &'static str,
    /// The severity it reports at in this run (after re-levelling); `None` when off.
    pub severity: Option<Severity>,
    pub status: Status,
    pub title: &'static str,
    pub why: &'static str,
    pub source: &'static str,
    pub hint: &'static str,
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "is_zero")]
    pub more_findings: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unchecked: Option<Unchecked>,
    /// False when entries of the report's range were dropped from the journal.
    pub complete: bool,
    /// Why the rule did not run, or what `complete: false` means for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl RuleResult {
    /// A result for `info` with nothing in it yet.
    pub(crate) fn new(info: &'static RuleInfo, severity: Option<Severity>) -> Self {
        Self {
            id: info.id,
            severity,
            status: if severity.is_some() {
                Status::Passed
            } else {
                Status::Off
            },
            title: info.title,
            why: info.why,
            source: info.source,
            hint: info.hint,
            findings: Vec::new(),
            more_findings: 0,
            unchecked: None,
            complete: true,
            note: None,
        }
    }

    /// Every finding, kept or only counted.
    pub(crate) fn finding_count(&self) -> u64 {
        self.findings.len() as u64 + self.more_findings
    }

    /// Whether this rule fails a gate at `threshold`.
    pub(crate) fn fails_at(&self, threshold: Severity) -> bool {
        self.status == Status::Failed && self.severity.is_some_and(|s| s >= threshold)
    }

    /// One line for stderr: `error retry-after: 2 findings: <first message>`.
    pub(crate) fn one_line(&self) -> String {
        let n = self.finding_count();
        let first = self.findings.first().map_or("", |f| f.message.as_str());
        format!(
            "{} {}: {n} finding{}: {first}",
            self.severity.map_or("off", Severity::as_str),
            self.id,
            if n == 1 { "" } else { "s" }
        )
    }
}

/// A mark the report's range starts or ends at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Bound {
    pub mark: String,
    pub seq: u64,
}

/// Which entries the report covers and whether the journal still had them all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Scope {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Bound>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Bound>,
    /// The mark where the second run starts, for `not-idempotent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotent: Option<Bound>,
    /// Entries of the range the rules looked at (of the org, when one is named).
    pub examined: u64,
    /// Entries of the range the journal dropped before the report (oldest first eviction).
    pub dropped: u64,
    /// False when `dropped > 0`: see `incompleteRules`.
    pub complete: bool,
    /// The rules whose result may be incomplete because of dropped entries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub incomplete_rules: Vec<&'static str>,
}

/// Counts over the rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Summary {
    pub rules: u32,
    pub passed: u32,
    pub failed: u32,
    pub off: u32,
    pub not_applicable: u32,
    /// Failed rules by severity.
    pub errors: u32,
    pub warnings: u32,
    pub infos: u32,
    pub findings: u64,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Report {
    /// Mock-clock time the report was made.
    pub generated_at: DateTime<Utc>,
    pub scope: Scope,
    pub summary: Summary,
    pub rules: Vec<RuleResult>,
}

impl Report {
    /// Builds the summary from the rules.
    pub(crate) fn summarise(rules: &[RuleResult]) -> Summary {
        let mut s = Summary::default();
        for r in rules {
            s.rules += 1;
            match r.status {
                Status::Passed => s.passed += 1,
                Status::Off => s.off += 1,
                Status::NotApplicable => s.not_applicable += 1,
                Status::Failed => {
                    s.failed += 1;
                    s.findings += r.finding_count();
                    match r.severity {
                        Some(Severity::Error) => s.errors += 1,
                        Some(Severity::Warning) => s.warnings += 1,
                        Some(Severity::Info) => s.infos += 1,
                        None => {}
                    }
                }
            }
        }
        s
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
