//! The report's formats, all rendered from one [`Report`]: JSON (the model itself), JUnit XML
//! (one test case per rule), Markdown (a GitHub job summary) and SARIF 2.1.0.

use std::fmt::Write as _;

use super::junit::{self, Case, Outcome, Suite, Suites};
use super::model::{Report, RuleResult, Status};
use super::severity::Severity;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Junit,
    Markdown,
    Sarif,
}

/// Every format name, as the error for an unknown one lists them.
pub const FORMATS: &[&str] = &["json", "junit", "markdown", "sarif"];

impl Format {
    /// Parses a format name.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(Self::Json),
            "junit" | "xml" => Ok(Self::Junit),
            "markdown" | "md" => Ok(Self::Markdown),
            "sarif" => Ok(Self::Sarif),
            other => Err(format!(
                "unknown format {other:?}; use {}",
                FORMATS.join(", ")
            )),
        }
    }

    /// The name used in queries and flags.
    pub fn name(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Junit => "junit",
            Self::Markdown => "markdown",
            Self::Sarif => "sarif",
        }
    }

    /// The response content type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Junit => "application/xml",
            Self::Markdown => "text/markdown; charset=utf-8",
            Self::Sarif => "application/sarif+json",
        }
    }
}

/// How to render.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Rules failing at or above this severity are failures (JUnit) or called out
    /// (Markdown); below it they are reported but pass. Default: `error`.
    pub fail_on: Option<Severity>,
    /// Prefix for entry links (`http://127.0.0.1:8080`), so they work outside the server.
    pub base_url: Option<String>,
}

impl Options {
    fn threshold(&self) -> Severity {
        self.fail_on.unwrap_or(Severity::Error)
    }

    pub(super) fn link(&self, link: &str) -> String {
        format!("{}{link}", self.base_url.as_deref().unwrap_or(""))
    }
}

/// Renders `report` as `format`.
pub fn render(report: &Report, format: Format, opts: &Options) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
        Format::Junit => junit::write(&to_junit(report, opts)),
        Format::Markdown => super::markdown::render(report, opts),
        Format::Sarif => super::sarif::render(report, opts),
    }
}

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
                opts.link(&e.link)
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

/// The JUnit document: one suite, one case per rule (`classname` is the tool and org).
pub fn to_junit(report: &Report, opts: &Options) -> Suites {
    let threshold = opts.threshold();
    let classname = format!(
        "genesys-scim-mock.report.{}",
        report.scope.org.as_deref().unwrap_or("all-orgs")
    );
    let cases = report
        .rules
        .iter()
        .map(|r| {
            let mut case = Case::passed(&classname, r.id);
            let note = r.note.clone();
            match r.status {
                Status::Off => {
                    case.outcome = Outcome::Skipped {
                        message: "turned off for this run".to_owned(),
                    };
                }
                Status::NotApplicable => {
                    case.outcome = Outcome::Skipped {
                        message: note.clone().unwrap_or_default(),
                    };
                }
                Status::Passed => {}
                Status::Failed => {
                    let sev = r.severity.unwrap_or(Severity::Info);
                    let text = findings_text(r, opts);
                    if sev >= threshold {
                        case.outcome = Outcome::Failure {
                            message: format!("{}: {}", r.title, r.one_line()),
                            kind: sev.as_str().to_owned(),
                            text,
                        };
                    } else {
                        case.system_out = Some(format!(
                            "{} finding(s) below the fail-on level ({threshold}):\n{text}",
                            r.finding_count()
                        ));
                    }
                }
            }
            if !r.complete || r.unchecked.is_some() {
                let mut err = String::new();
                if let Some(n) = &note
                    && !r.complete
                {
                    err.push_str(n);
                    err.push('\n');
                }
                if let Some(u) = &r.unchecked {
                    let _ = writeln!(
                        err,
                        "{} request(s) could not be checked: {}",
                        u.count, u.reason
                    );
                }
                case.system_err = Some(err);
            }
            case
        })
        .collect();
    let mut properties = vec![
        ("examined".to_owned(), report.scope.examined.to_string()),
        ("dropped".to_owned(), report.scope.dropped.to_string()),
        ("fail-on".to_owned(), threshold.as_str().to_owned()),
    ];
    if let Some(o) = &report.scope.org {
        properties.push(("org".to_owned(), o.clone()));
    }
    for (k, b) in [("from", &report.scope.from), ("to", &report.scope.to)] {
        if let Some(b) = b {
            properties.push((k.to_owned(), b.mark.clone()));
        }
    }
    Suites {
        name: "genesys-scim-mock client report".to_owned(),
        suites: vec![Suite {
            name: "SCIM client rules".to_owned(),
            timestamp: report.generated_at,
            properties,
            cases,
        }],
    }
}
