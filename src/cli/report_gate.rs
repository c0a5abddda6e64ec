//! The CI gate on the client report: fetch `GET /__admin/report` from a running server, write
//! each requested format, name every rule broken at or above `--fail-on` on one line, and
//! decide the exit code. `genesys-scim-mock report` runs it against any server; `exec` runs
//! it against its own once the child has exited (`crate::cli::exec::report_step`).

use std::path::PathBuf;

use bytes::Bytes;
use http::{Method, StatusCode};
use serde_json::Value;

use crate::base::http_client::Client;
use crate::cli::args::GateFlags;
use crate::control::report::format::Format;
use crate::control::report::settings::Layer;
use crate::control::report::severity::Severity;

/// Where one format goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Stdout,
    File(PathBuf),
}

/// The gate's flags, checked.
#[derive(Debug, Clone)]
pub(crate) struct ReportGate {
    pub outputs: Vec<(Format, Target)>,
    /// `None`: never fail.
    pub fail_on: Option<Severity>,
    /// The report query (scope and settings), without `format`.
    pub query: Vec<(String, String)>,
}

impl ReportGate {
    /// Checks the flags (`rules` and `thresholds` are `report`'s `--rule` and `--threshold`);
    /// errors name the flag and list the valid values. Without `--fail-on`, the gate fails on
    /// `default_fail_on`.
    pub(crate) fn from_flags(
        f: &GateFlags,
        rules: &[String],
        thresholds: &[String],
        default_fail_on: Option<Severity>,
    ) -> Result<Self, String> {
        let mut outputs = Vec::new();
        for r in &f.reports {
            let (format, path) = r
                .split_once(':')
                .ok_or_else(|| format!("--report: expected FORMAT:PATH, got {r:?}"))?;
            let format = Format::parse(format).map_err(|e| format!("--report: {e}"))?;
            if path.is_empty() {
                return Err(format!(
                    "--report {r}: the path is empty (use - for standard output)"
                ));
            }
            let target = if path == "-" {
                Target::Stdout
            } else {
                Target::File(PathBuf::from(path))
            };
            outputs.push((format, target));
        }
        let fail_on = match f.fail_on.as_deref() {
            None => default_fail_on,
            Some(n) if n.eq_ignore_ascii_case("never") => None,
            Some(l) => Some(Severity::parse(l).map_err(|e| format!("--fail-on: {e} (or never)"))?),
        };
        let mut query = Vec::new();
        for (k, v) in [
            ("org", &f.org),
            ("from", &f.from),
            ("to", &f.to),
            ("idempotent", &f.idempotent),
        ] {
            if let Some(v) = v {
                query.push((k.to_owned(), v.clone()));
            }
        }
        // Checked here so a typo fails before any request, naming the flag.
        let mut layer = Layer::default();
        for r in rules {
            layer.assign_rule(r).map_err(|e| format!("--rule: {e}"))?;
            query.push(("level".to_owned(), r.replacen('=', ":", 1)));
        }
        for t in thresholds {
            layer
                .assign_threshold(t)
                .map_err(|e| format!("--threshold: {e}"))?;
            query.push(("threshold".to_owned(), t.replacen('=', ":", 1)));
        }
        if let Some(s) = fail_on {
            query.push(("fail-on".to_owned(), s.as_str().to_owned()));
        }
        Ok(Self {
            outputs,
            fail_on,
            query,
        })
    }

    fn path(&self, format: Format) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("format", format.name());
        for (k, v) in &self.query {
            q.append_pair(k, v);
        }
        format!("/__admin/report?{}", q.finish())
    }
}

/// What the gate concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// One line per rule broken at or above the threshold: `error retry-after: 1 finding: ...`.
    pub failed: Vec<String>,
    /// What `--report FORMAT:-` asked to print.
    pub stdout: String,
    /// A note when the report is incomplete (the journal dropped entries).
    pub incomplete: Option<String>,
}

impl Verdict {
    /// Whether the build should fail.
    pub(crate) fn fails(&self) -> bool {
        !self.failed.is_empty()
    }
}

async fn fetch(client: &Client, path: &str) -> Result<Bytes, String> {
    let answer = client.call(Method::GET, path, None).await?;
    if answer.status == StatusCode::OK {
        return Ok(answer.body);
    }
    Err(answer.refusal())
}

/// The one-line summaries of the rules that fail at `threshold`, from a JSON report.
pub(crate) fn failing_lines(report: &Value, threshold: Severity) -> Vec<String> {
    let mut out = Vec::new();
    for r in report["rules"].as_array().into_iter().flatten() {
        let sev = r["severity"].as_str().and_then(|s| Severity::parse(s).ok());
        if r["status"] != "failed" || sev.is_none_or(|s| s < threshold) {
            continue;
        }
        let findings = r["findings"].as_array().map_or(0, Vec::len) as u64
            + r["moreFindings"].as_u64().unwrap_or(0);
        let first = r["findings"][0]["message"].as_str().unwrap_or_default();
        out.push(format!(
            "{} {}: {findings} finding{}: {first}",
            sev.map_or("", Severity::as_str),
            r["id"].as_str().unwrap_or_default(),
            if findings == 1 { "" } else { "s" }
        ));
    }
    out
}

/// Runs the gate against the server `client` calls.
pub(crate) async fn run(gate: &ReportGate, client: &Client) -> Result<Verdict, String> {
    let json = fetch(client, &gate.path(Format::Json)).await?;
    let report: Value = serde_json::from_slice(&json)
        .map_err(|_| "the report is not JSON (is the server genesys-scim-mock?)".to_owned())?;
    let mut stdout = String::new();
    for (format, target) in &gate.outputs {
        let body = if *format == Format::Json {
            json.clone()
        } else {
            fetch(client, &gate.path(*format)).await?
        };
        match target {
            Target::Stdout => stdout.push_str(&String::from_utf8_lossy(&body)),
            Target::File(p) => std::fs::write(p, &body)
                .map_err(|e| format!("--report {}:{}: {e}", format.name(), p.display()))?,
        }
    }
    let failed = gate
        .fail_on
        .map(|t| failing_lines(&report, t))
        .unwrap_or_default();
    let incomplete = (report["scope"]["complete"] == false).then(|| {
        format!(
            "the journal dropped {} entries of this range; possibly incomplete: {}",
            report["scope"]["dropped"],
            report["scope"]["incompleteRules"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    Ok(Verdict {
        failed,
        stdout,
        incomplete,
    })
}

/// Prints a verdict the way both subcommands do: the requested standard output, a note when
/// the report is incomplete, and one line per failing rule on stderr, after `prefix`.
pub(crate) fn print(v: &Verdict, prefix: &str) {
    print!("{}", v.stdout);
    if let Some(note) = &v.incomplete {
        eprintln!("{prefix}: report: {note}");
    }
    for line in &v.failed {
        eprintln!("{prefix}: report: {line}");
    }
}

/// Exit code when the client broke a rule at or above `--fail-on`.
pub(crate) const RULES_BROKEN: i32 = 1;

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(reports: &[&str], fail_on: &str) -> GateFlags {
        GateFlags {
            reports: reports.iter().map(|s| (*s).to_owned()).collect(),
            fail_on: Some(fail_on.to_owned()),
            ..GateFlags::default()
        }
    }

    fn gate(f: &GateFlags) -> Result<ReportGate, String> {
        ReportGate::from_flags(f, &[], &[], Some(Severity::Error))
    }

    #[test]
    fn flags_are_checked_and_name_themselves() {
        let g = gate(&flags(&["junit:out.xml", "markdown:-"], "warning")).unwrap();
        assert_eq!(
            g.outputs,
            [
                (Format::Junit, Target::File("out.xml".into())),
                (Format::Markdown, Target::Stdout)
            ]
        );
        assert_eq!(g.fail_on, Some(Severity::Warning));
        assert!(
            g.path(Format::Junit)
                .contains("format=junit&fail-on=warning")
        );
        assert_eq!(gate(&flags(&[], "never")).unwrap().fail_on, None);
        let unset = GateFlags::default();
        assert_eq!(gate(&unset).unwrap().fail_on, Some(Severity::Error));
        for (r, f, want) in [
            (vec!["html:x"], "error", "--report: unknown format"),
            (vec!["junit"], "error", "--report: expected FORMAT:PATH"),
            (vec!["junit:"], "error", "the path is empty"),
            (vec![], "fatal", "--fail-on"),
        ] {
            let e = gate(&flags(&r, f)).unwrap_err();
            assert!(e.contains(want), "{e}");
        }
        let mut f = flags(&[], "error");
        let e = ReportGate::from_flags(&f, &["page-sise=off".into()], &[], None).unwrap_err();
        assert!(e.contains("--rule: unknown rule"), "{e}");
        f.from = Some("first sync".into());
        let g = ReportGate::from_flags(&f, &["page-size=off".into()], &[], None).unwrap();
        assert!(
            g.path(Format::Json)
                .contains("from=first+sync&level=page-size%3Aoff"),
            "{}",
            g.path(Format::Json)
        );
    }

    #[test]
    fn failing_lines_respect_the_threshold() {
        let report = serde_json::json!({"rules": [
            {"id": "page-size", "severity": "warning", "status": "failed", "findings": [{"message": "count=100"}]},
            {"id": "retry-after", "severity": "error", "status": "failed", "findings": [{"message": "early"}, {"message": "again"}], "moreFindings": 1},
            {"id": "lost-write", "severity": "error", "status": "passed", "findings": []},
        ]});
        assert_eq!(
            failing_lines(&report, Severity::Error),
            ["error retry-after: 3 findings: early"]
        );
        assert_eq!(failing_lines(&report, Severity::Warning).len(), 2);
    }
}
