//! `parity --report FORMAT:PATH`: the findings as JSON, Markdown or JUnit (one test case per
//! request replayed, failed when it differs). Without `--report`, Markdown on standard output.

use std::fmt::Write as _;

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
use serde_json::json;

use super::comparison::Finding;

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Markdown,
    Junit,
}

/// Where one report goes: a path, or `-` for standard output.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub format: Format,
    pub path: String,
}

/// Parses `--report` values; none means Markdown to standard output.
pub(crate) fn targets(values: &[String]) -> Result<Vec<Target>, String> {
    if values.is_empty() {
        return Ok(vec![Target {
            format: Format::Markdown,
            path: "-".into(),
        }]);
    }
    values
        .iter()
        .map(|v| {
            let (f, path) = v
                .split_once(':')
                .ok_or_else(|| format!("--report: expected FORMAT:PATH, got {v:?}"))?;
            let format = match f {
                "json" => Format::Json,
                "markdown" | "md" => Format::Markdown,
                "junit" => Format::Junit,
                other => {
                    return Err(format!(
                        "--report: unknown format {other:?}; use json, markdown or junit"
                    ));
                }
            };
            Ok(Target {
                format,
                path: path.to_owned(),
            })
        })
        .collect()
}

/// What the reports say.
#[derive(Debug)]
pub(crate) struct Summary<'a> {
    pub bundle: String,
    pub requests: usize,
    pub findings: &'a [Finding],
}

/// Writes every report.
pub(crate) fn write(targets: &[Target], s: &Summary<'_>) -> Result<(), String> {
    for t in targets {
        let text = match t.format {
            Format::Json => {
                let mut v = serde_json::to_string_pretty(&json!({
                    "bundle": s.bundle,
                    "requests": s.requests,
                    "differences": s.findings.len(),
                    "findings": s.findings,
                }))
                .unwrap_or_default();
                v.push('\n');
                v
            }
            Format::Markdown => markdown(s),
            Format::Junit => junit(s)
                .to_string()
                .map_err(|e| format!("--report junit: {e}"))?,
        };
        if t.path == "-" {
            print!("{text}");
        } else {
            std::fs::write(&t.path, text).map_err(|e| format!("--report {}: {e}", t.path))?;
        }
    }
    Ok(())
}

fn short(v: &serde_json::Value) -> String {
    let mut s = v.to_string();
    if s.len() > 120 {
        let mut cut = 117;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("...");
    }
    s.replace('|', "\\|")
}

fn markdown(s: &Summary<'_>) -> String {
    let mut out = format!(
        "# Parity: {}\n\n{} request(s) replayed, {} difference(s).\n",
        s.bundle,
        s.requests,
        s.findings.len()
    );
    if s.findings.is_empty() {
        return out;
    }
    out.push_str(
        "\n| # | request | field | recorded | replayed | switch |\n|---|---|---|---|---|---|\n",
    );
    for f in s.findings {
        let _ = writeln!(
            out,
            "| {} | `{} {}` ({}) | `{}` | `{}` | `{}` | {} |",
            f.request,
            f.method,
            f.path.replace('|', "\\|"),
            f.route,
            f.field,
            short(&f.recorded),
            short(&f.replayed),
            f.switch.as_deref().map_or(
                "none found (a fidelity difference)".to_owned(),
                |w| format!("`--compat {w}`")
            ),
        );
    }
    out
}

fn junit(s: &Summary<'_>) -> quick_junit::Report {
    let mut suite = TestSuite::new("parity");
    for request in 1..=s.requests {
        let mine: Vec<&Finding> = s.findings.iter().filter(|f| f.request == request).collect();
        let name = mine.first().map_or_else(
            || format!("request {request}"),
            |f| format!("request {request}: {} {}", f.method, f.path),
        );
        let status = if mine.is_empty() {
            TestCaseStatus::success()
        } else {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
            st.set_message(format!("{} difference(s)", mine.len()));
            let mut text = String::new();
            for f in &mine {
                let _ = writeln!(
                    text,
                    "{}: recorded {} replayed {}{}",
                    f.field,
                    f.recorded,
                    f.replayed,
                    f.switch
                        .as_deref()
                        .map_or(String::new(), |w| format!(" (--compat {w})")),
                );
            }
            st.set_description(text);
            st
        };
        let mut case = TestCase::new(name, status);
        case.set_classname("genesys-scim-mock.parity");
        suite.add_test_case(case);
    }
    let mut doc = quick_junit::Report::new("genesys-scim-mock parity");
    doc.add_test_suite(suite);
    doc
}
