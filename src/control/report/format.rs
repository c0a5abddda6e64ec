//! The report's formats, all rendered from one [`Report`]: JSON (the model itself), JUnit XML
//! (one test case per rule), Markdown (a GitHub job summary) and SARIF 2.1.0.
//!
//! JUnit is written by `quick-junit` (the writer `cargo nextest` uses, and the one the
//! end-state assertions use too): it escapes text and strips the control characters XML 1.0
//! cannot carry, which request bodies quoted in findings may contain. `schemas/junit.xsd`
//! describes the output; CI validates every format's sample against it.
//!
//! Only JSON is built without the `report-formats` feature (a test handle built with
//! `default-features = false` reads the report as JSON, if at all); the other names are then
//! refused with the feature named.

#[cfg(feature = "report-formats")]
use std::fmt::Write as _;

use super::model::Report;
#[cfg(feature = "report-formats")]
use super::model::{RuleResult, Status};
pub(crate) use super::options::Options;
#[cfg(feature = "report-formats")]
use super::severity::Severity;
#[cfg(feature = "report-formats")]
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    #[cfg(feature = "report-formats")]
    Junit,
    #[cfg(feature = "report-formats")]
    Markdown,
    #[cfg(feature = "report-formats")]
    Sarif,
}

/// Every format name, as the error for an unknown one lists them.
pub(crate) const FORMATS: &[&str] = &["json", "junit", "markdown", "sarif"];

impl Format {
    /// Parses a format name.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(Self::Json),
            #[cfg(feature = "report-formats")]
            "junit" | "xml" => Ok(Self::Junit),
            #[cfg(feature = "report-formats")]
            "markdown" | "md" => Ok(Self::Markdown),
            #[cfg(feature = "report-formats")]
            "sarif" => Ok(Self::Sarif),
            #[cfg(not(feature = "report-formats"))]
            other @ ("junit" | "xml" | "markdown" | "md" | "sarif") => Err(format!(
                "format {other:?} is not built in (the `report-formats` feature); use json"
            )),
            other => Err(format!(
                "unknown format {other:?}; use {}",
                FORMATS.join(", ")
            )),
        }
    }

    /// The name used in queries and flags.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Json => "json",
            #[cfg(feature = "report-formats")]
            Self::Junit => "junit",
            #[cfg(feature = "report-formats")]
            Self::Markdown => "markdown",
            #[cfg(feature = "report-formats")]
            Self::Sarif => "sarif",
        }
    }

    /// The response content type.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            #[cfg(feature = "report-formats")]
            Self::Junit => "application/xml",
            #[cfg(feature = "report-formats")]
            Self::Markdown => "text/markdown; charset=utf-8",
            #[cfg(feature = "report-formats")]
            Self::Sarif => "application/sarif+json",
        }
    }
}

/// Renders `report` as `format`.
#[cfg_attr(not(feature = "report-formats"), allow(unused_variables))]
pub(crate) fn render(report: &Report, format: Format, opts: &Options) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
        // Serializing into memory cannot fail on I/O.
        #[cfg(feature = "report-formats")]
        Format::Junit => to_junit(report, opts).to_string().unwrap_or_default(),
        #[cfg(feature = "report-formats")]
        Format::Markdown => super::markdown::render(report, opts),
        #[cfg(feature = "report-formats")]
        Format::Sarif => super::sarif::render(report, opts),
    }
}

#[cfg(feature = "report-formats")]
/// The findings of a rule as plain text, one per paragraph, with their entries.
pub(super) fn findings_text(r: &RuleResult, opts: &Options) -> String {
    let mut s = String::new();
    for f in &r.findings {
        let _ = writeln!(s, "- {}", f.message);
        for e in &f.entries {
            let _ = writeln!(
                s,
                "    #{} {} {} -> {} ({})",
                e.seq,
                e.method,
                e.target,
                e.status,
                opts.link(e)
            );
        }
        if f.more_entries > 0 {
            let _ = writeln!(s, "    ... and {} more entries", f.more_entries);
        }
    }
    if r.more_findings > 0 {
        let _ = writeln!(s, "- ... and {} more findings", r.more_findings);
    }
    let _ = write!(
        s,
        "\nWhy: {}\nSource: {}\nFix: {}\n",
        r.why, r.source, r.hint
    );
    s
}

/// The JUnit document: one suite, one case per rule (`classname` names the tool and org).
/// Broken rules at or above the fail-on level are failures; below it they pass with their
/// findings in `system-out`; rules that are off or cannot run are skipped; incomplete or
/// unchecked results say so in `system-err`.
#[cfg(feature = "report-formats")]
pub(crate) fn to_junit(report: &Report, opts: &Options) -> quick_junit::Report {
    let threshold = opts.threshold();
    let classname = format!(
        "genesys-scim-mock.report.{}",
        report.scope.org.as_deref().unwrap_or("all-orgs")
    );
    let mut suite = TestSuite::new("SCIM client rules");
    suite.set_timestamp(report.generated_at);
    let mut properties = vec![
        Property::new("examined", report.scope.examined.to_string()),
        Property::new("dropped", report.scope.dropped.to_string()),
        Property::new("fail-on", threshold.as_str()),
    ];
    if let Some(o) = &report.scope.org {
        properties.push(Property::new("org", o.as_str()));
    }
    for (k, b) in [("from", &report.scope.from), ("to", &report.scope.to)] {
        if let Some(b) = b {
            properties.push(Property::new(k, b.mark.as_str()));
        }
    }
    suite.add_properties(properties);
    for r in &report.rules {
        let mut out = None;
        let status = match r.status {
            Status::Off => {
                let mut s = TestCaseStatus::skipped();
                s.set_message("turned off for this run");
                s
            }
            Status::NotApplicable => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(r.note.clone().unwrap_or_default());
                s
            }
            Status::Passed => TestCaseStatus::success(),
            Status::Failed => {
                let sev = r.severity.unwrap_or(Severity::Info);
                let text = findings_text(r, opts);
                if sev >= threshold {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(format!("{}: {}", r.title, r.one_line()));
                    s.set_type(sev.as_str());
                    s.set_description(text);
                    s
                } else {
                    out = Some(format!(
                        "{} finding(s) below the fail-on level ({threshold}):\n{text}",
                        r.finding_count()
                    ));
                    TestCaseStatus::success()
                }
            }
        };
        let mut case = TestCase::new(r.id, status);
        case.set_classname(classname.as_str());
        if let Some(o) = out {
            case.set_system_out(o);
        }
        let mut err = String::new();
        if let Some(n) = &r.note
            && !r.complete
        {
            let _ = writeln!(err, "{n}");
        }
        if let Some(u) = &r.unchecked {
            let _ = writeln!(
                err,
                "{} request(s) could not be checked: {}",
                u.count, u.reason
            );
        }
        if !err.is_empty() {
            case.set_system_err(err);
        }
        suite.add_test_case(case);
    }
    let mut doc = quick_junit::Report::new("genesys-scim-mock client report");
    doc.set_timestamp(report.generated_at);
    doc.add_test_suite(suite);
    doc
}
