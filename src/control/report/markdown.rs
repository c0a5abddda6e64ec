//! The Markdown rendering, for a GitHub job summary (`$GITHUB_STEP_SUMMARY`) or a PR comment.

use std::fmt::Write as _;

use super::model::{Report, Status};
use super::options::Options;
use super::severity::Severity;

fn badge(s: Option<Severity>) -> &'static str {
    match s {
        Some(Severity::Error) => "🔴 error",
        Some(Severity::Warning) => "🟠 warning",
        Some(Severity::Info) => "🔵 info",
        None => "off",
    }
}

/// Markdown text cannot break out of a table cell or inline code.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Renders the report.
pub(super) fn render(report: &Report, opts: &Options) -> String {
    let s = &report.summary;
    let mut out = String::from("## SCIM client report\n\n");
    let _ = writeln!(
        out,
        "{} rules: **{} failed** ({} error, {} warning, {} info), {} passed, {} off, {} not applicable; {} entries examined.\n",
        s.rules,
        s.failed,
        s.errors,
        s.warnings,
        s.infos,
        s.passed,
        s.off,
        s.not_applicable,
        report.scope.examined
    );
    if !report.scope.complete {
        let _ = writeln!(
            out,
            "> **Incomplete:** the journal dropped {} entries of this range; these rules may be incomplete: {}.\n",
            report.scope.dropped,
            report.scope.incomplete_rules.join(", ")
        );
    }
    let failed: Vec<_> = report
        .rules
        .iter()
        .filter(|r| r.status == Status::Failed)
        .collect();
    if failed.is_empty() {
        out.push_str("No rule was broken.\n");
        return out;
    }
    if let Some(note) = opts.entries_note() {
        let _ = writeln!(out, "{note}\n");
    }
    out.push_str("| severity | rule | findings | what |\n|---|---|---|---|\n");
    for r in &failed {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} |",
            badge(r.severity),
            r.id,
            r.finding_count(),
            cell(r.title)
        );
    }
    out.push('\n');
    let threshold = opts.fail_on.unwrap_or(Severity::Error);
    for r in &failed {
        let gate = if r.fails_at(threshold) {
            " (fails the build)"
        } else {
            ""
        };
        let _ = writeln!(out, "### `{}`{gate}\n\n{}\n", r.id, r.title);
        for f in &r.findings {
            let links: Vec<String> = f
                .entries
                .iter()
                .map(|e| {
                    if opts.links_are_urls() {
                        format!("[#{}]({})", e.seq, opts.link(e))
                    } else {
                        format!("#{}", e.seq)
                    }
                })
                .collect();
            let more = if f.more_entries > 0 {
                format!(" and {} more", f.more_entries)
            } else {
                String::new()
            };
            let _ = writeln!(out, "- {} ({}{more})", cell(&f.message), links.join(", "));
        }
        if r.more_findings > 0 {
            let _ = writeln!(out, "- … and {} more findings", r.more_findings);
        }
        let _ = writeln!(
            out,
            "\n**Why:** {}  \n**Source:** {}  \n**Fix:** {}\n",
            r.why, r.source, r.hint
        );
    }
    out
}
