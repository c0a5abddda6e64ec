//! The client report (`control::report`): what the client under test did that Genesys punishes.
//! Imports the journal, the route names, `genesys`, `scim` and below; never the pipeline's stages.
//!
//! A catalogue of rules ([`catalogue`]) is checked over the journal of one org, or over the
//! entries between two marks, in one linear pass ([`rules`]), into one [`model::Report`]
//! that every format renders ([`format`](mod@format): JSON, JUnit XML, Markdown, SARIF). Rules
//! can be turned off or re-levelled per run ([`settings`]). `GET /__admin/report` serves it; the
//! `report` and `exec` subcommands fetch it and fail a CI job on it.
//!
//! Bounds: the journal is bounded (`--journal-size`); each check keeps state proportional to
//! the entries it has seen; each rule keeps at most [`model::MAX_FINDINGS_PER_RULE`] findings
//! of at most [`model::MAX_ENTRIES_PER_FINDING`] entries (the rest are counted). The pass runs
//! under the journal's lock, so requests arriving meanwhile wait for it (a few milliseconds
//! per thousand entries).

pub(crate) mod catalogue;
pub(crate) mod format;
#[cfg(feature = "report-formats")]
mod markdown;
pub(crate) mod model;
pub(crate) mod options;
mod rules;
#[cfg(feature = "report-formats")]
mod sarif;
mod seen;
pub(crate) mod settings;
pub(crate) mod severity;
mod sink;

use chrono::{DateTime, Utc};

use crate::control::journal::{Journal, Mark};
use model::{Bound, Report, RuleResult, Scope, Status};
use settings::Settings;

/// What to report on.
#[derive(Debug, Clone, Default)]
pub(crate) struct Request {
    /// Only entries of this org.
    pub org: Option<String>,
    /// Start at this mark (default: the oldest entry held).
    pub from: Option<String>,
    /// End at this mark (default: the newest entry).
    pub to: Option<String>,
    /// The mark where the second run of a sync starts, for `not-idempotent`.
    pub idempotent: Option<String>,
    pub settings: Settings,
}

fn bound(journal: &Journal, name: &Option<String>) -> Result<Option<Bound>, String> {
    let Some(name) = name else {
        return Ok(None);
    };
    match journal.find_mark(name) {
        Some(Mark { name, seq, .. }) => Ok(Some(Bound { mark: name, seq })),
        None => {
            let marks: Vec<String> = journal.marks().into_iter().map(|m| m.name).collect();
            Err(if marks.is_empty() {
                format!("unknown mark {name:?}: no marks are set (POST /__admin/marks)")
            } else {
                format!("unknown mark {name:?}; marks: {}", marks.join(", "))
            })
        }
    }
}

/// Checks every rule that is on over the requested entries. Errors (unknown marks, a range
/// that ends before it starts) are for a 400.
pub(crate) fn build(
    journal: &Journal,
    req: &Request,
    now: DateTime<Utc>,
) -> Result<Report, String> {
    let from = bound(journal, &req.from)?;
    let to = bound(journal, &req.to)?;
    let idempotent = bound(journal, &req.idempotent)?;
    let start = from.as_ref().map_or(0, |b| b.seq);
    let end = to.as_ref().map_or(u64::MAX, |b| b.seq);
    if start > end {
        return Err(format!(
            "mark {:?} comes after mark {:?}",
            req.from.as_deref().unwrap_or_default(),
            req.to.as_deref().unwrap_or_default()
        ));
    }
    let ctx = rules::Context {
        thresholds: req.settings.thresholds,
        idempotent_from: idempotent.as_ref().map(|b| b.seq),
    };
    let results = catalogue::RULES
        .iter()
        .map(|info| RuleResult::new(info, req.settings.severity(info.id)));
    let mut sink = sink::Sink::new(results);
    let mut checks = rules::all(&ctx);
    let (examined, coverage) = journal.scan(start, end, |entries| {
        let mut n = 0;
        for e in entries {
            if req.org.as_ref().is_some_and(|o| e.org.as_ref() != Some(o)) {
                continue;
            }
            n += 1;
            let seen = seen::Seen::new(e);
            for c in &mut checks {
                c.observe(&seen, &mut sink);
            }
        }
        n
    });
    for c in &mut checks {
        c.finish(&mut sink);
    }
    let mut by_id = sink.into_results();
    let mut rules = Vec::with_capacity(catalogue::RULES.len());
    let mut incomplete = Vec::new();
    for info in catalogue::RULES {
        let Some(mut r) = by_id.remove(info.id) else {
            continue;
        };
        r.findings
            .sort_by_key(|f| f.entries.first().map_or(u64::MAX, |e| e.seq));
        if info.id == "not-idempotent" && idempotent.is_none() && r.severity.is_some() {
            r.status = Status::NotApplicable;
            r.note = Some(
                "needs ?idempotent=MARK: the mark set where the second run of the sync starts"
                    .to_owned(),
            );
        }
        if coverage.dropped > 0 && r.severity.is_some() && r.status != Status::NotApplicable {
            r.complete = false;
            r.note = Some(if info.history {
                format!(
                    "{} entries of this range were dropped from the journal: findings may be missing, and some may be wrong (the dropped requests could have cleared them)",
                    coverage.dropped
                )
            } else {
                format!(
                    "{} entries of this range were dropped from the journal: findings in them are missing",
                    coverage.dropped
                )
            });
            incomplete.push(info.id);
        }
        rules.push(r);
    }
    Ok(Report {
        generated_at: now,
        scope: Scope {
            org: req.org.clone(),
            from,
            to,
            idempotent,
            examined,
            dropped: coverage.dropped,
            complete: coverage.dropped == 0,
            incomplete_rules: incomplete,
        },
        summary: Report::summarise(&rules),
        rules,
    })
}
