//! The result of checking an expectation: one [`Check`] per expected record (and per
//! "exactly these" clause), rendered as JSON (the structured diff), as JUnit XML (one test case
//! per check) and as text (for `verify` and `exec --expect`).

use std::fmt::Write as _;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use serde_json::{Value, json};

use super::comparison::Difference;

/// Which form a differing field was compared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// The SCIM view (`GET /Users/{id}`).
    Scim,
    /// The Genesys form (what a Genesys-form fixture writes; what Genesys stored).
    Genesys,
}

impl Form {
    /// Its name in the JSON.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Scim => "scim",
            Self::Genesys => "genesys",
        }
    }
}

/// One thing that is not as expected.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Problem {
    /// An expected org, user, group or member is not there.
    Missing {
        kind: &'static str,
        key: String,
        note: Option<String>,
    },
    /// A user or member that "exactly these" did not allow.
    Unexpected {
        kind: &'static str,
        id: String,
        user_name: String,
    },
    /// A field whose value differs.
    Differing { form: Form, diff: Difference },
}

impl Problem {
    /// One line, for text and JUnit.
    pub(crate) fn line(&self) -> String {
        match self {
            Self::Missing { kind, key, note } => {
                let mut s = format!("missing {kind} {key:?}");
                if let Some(n) = note {
                    let _ = write!(s, " ({n})");
                }
                s
            }
            Self::Unexpected {
                kind,
                id,
                user_name,
            } => format!("unexpected {kind} {user_name:?} (id {id})"),
            Self::Differing { form, diff } => format!(
                "{} {}: expected {}, actual {}",
                form.as_str(),
                diff.field,
                diff.expected,
                diff.actual
            ),
        }
    }
}

/// One expected record, or one "exactly these" clause, and what is wrong with it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Check {
    pub org: String,
    /// `orgs[0].users[1] (userName "ada@example.com")`, as the expectation's errors name it.
    pub record: String,
    /// At most [`MAX_PROBLEMS`] problems, in order.
    pub problems: Vec<Problem>,
    /// How many more problems this check had and does not list.
    pub omitted: u64,
}

/// The most problems one check lists, so `exactUsers` over a 100 000-user org answers a
/// bounded diff; `omitted` counts the rest.
pub(crate) const MAX_PROBLEMS: usize = 1000;

impl Check {
    /// A check of `record`, listing at most [`MAX_PROBLEMS`] of `problems`.
    pub(crate) fn new(org: &str, record: &str, mut problems: Vec<Problem>) -> Self {
        let omitted = problems.len().saturating_sub(MAX_PROBLEMS) as u64;
        problems.truncate(MAX_PROBLEMS);
        Self {
            org: org.to_owned(),
            record: record.to_owned(),
            problems,
            omitted,
        }
    }
}

/// Every check of one expectation.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Verdict {
    pub checks: Vec<Check>,
}

impl Verdict {
    /// Whether the state is as expected.
    pub(crate) fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.problems.is_empty())
    }

    fn problems(&self) -> impl Iterator<Item = (&Check, &Problem)> {
        self.checks
            .iter()
            .flat_map(|c| c.problems.iter().map(move |p| (c, p)))
    }

    /// The structured diff: `ok`, a summary, and the `missing`, `unexpected` and `differing`
    /// lists, each entry naming its org and record.
    pub(crate) fn to_json(&self) -> Value {
        let (mut missing, mut unexpected, mut differing) = (Vec::new(), Vec::new(), Vec::new());
        for (c, p) in self.problems() {
            match p {
                Problem::Missing { kind, key, note } => missing.push(json!({
                    "org": c.org, "record": c.record, "kind": kind, "key": key, "note": note,
                })),
                Problem::Unexpected {
                    kind,
                    id,
                    user_name,
                } => unexpected.push(json!({
                    "org": c.org, "record": c.record, "kind": kind, "id": id, "userName": user_name,
                })),
                Problem::Differing { form, diff } => differing.push(json!({
                    "org": c.org, "record": c.record, "form": form.as_str(), "field": diff.field,
                    "expected": diff.expected, "actual": diff.actual,
                })),
            }
        }
        let failed = self
            .checks
            .iter()
            .filter(|c| !c.problems.is_empty())
            .count();
        let checks: Vec<Value> = self
            .checks
            .iter()
            .map(|c| json!({"org": c.org, "record": c.record, "ok": c.problems.is_empty(), "omitted": c.omitted}))
            .collect();
        json!({
            "ok": self.ok(),
            "summary": {
                "checks": self.checks.len(),
                "failed": failed,
                "missing": missing.len(),
                "unexpected": unexpected.len(),
                "differing": differing.len(),
                "omitted": self.checks.iter().map(|c| c.omitted).sum::<u64>(),
            },
            "missing": missing,
            "unexpected": unexpected,
            "differing": differing,
            "checks": checks,
        })
    }

    /// Reads back what [`Verdict::to_json`] wrote (a client renders JUnit and text from the
    /// one answer it got). A record's problems come back grouped: missing, unexpected,
    /// differing. `None` when the value is not such a diff.
    pub(crate) fn from_json(v: &Value) -> Option<Self> {
        let text = |e: &Value, k: &str| e.get(k).and_then(Value::as_str).map(str::to_owned);
        let mut checks: Vec<Check> = v
            .get("checks")?
            .as_array()?
            .iter()
            .map(|c| {
                Some(Check {
                    org: text(c, "org")?,
                    record: text(c, "record")?,
                    problems: Vec::new(),
                    omitted: c.get("omitted").and_then(Value::as_u64).unwrap_or(0),
                })
            })
            .collect::<Option<_>>()?;
        for list in ["missing", "unexpected", "differing"] {
            for e in v.get(list)?.as_array()? {
                let (org, record) = (text(e, "org")?, text(e, "record")?);
                let kind = |k: &str| -> &'static str {
                    ["org", "user", "group", "member"]
                        .into_iter()
                        .find(|x| *x == k)
                        .unwrap_or("record")
                };
                let p = match list {
                    "missing" => Problem::Missing {
                        kind: kind(&text(e, "kind")?),
                        key: text(e, "key")?,
                        note: text(e, "note"),
                    },
                    "unexpected" => Problem::Unexpected {
                        kind: kind(&text(e, "kind")?),
                        id: text(e, "id")?,
                        user_name: text(e, "userName")?,
                    },
                    _ => Problem::Differing {
                        form: if text(e, "form")? == "genesys" {
                            Form::Genesys
                        } else {
                            Form::Scim
                        },
                        diff: Difference {
                            field: text(e, "field")?,
                            expected: e.get("expected").cloned().unwrap_or_default(),
                            actual: e.get("actual").cloned().unwrap_or_default(),
                        },
                    },
                };
                checks
                    .iter_mut()
                    .find(|c| c.org == org && c.record == record)?
                    .problems
                    .push(p);
            }
        }
        Some(Self { checks })
    }

    /// JUnit XML: a suite per org, a test case per check, each failure listing its problems.
    pub(crate) fn to_junit(&self) -> String {
        let mut report = Report::new("genesys-scim-mock expect");
        let mut orgs: Vec<&str> = self.checks.iter().map(|c| c.org.as_str()).collect();
        orgs.dedup();
        for org in orgs {
            let mut suite = TestSuite::new(format!("expect org {org}"));
            for c in self.checks.iter().filter(|c| c.org == org) {
                let status = if c.problems.is_empty() {
                    TestCaseStatus::success()
                } else {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    let mut lines: Vec<String> = c.problems.iter().map(Problem::line).collect();
                    if c.omitted > 0 {
                        lines.push(format!("... and {} more", c.omitted));
                    }
                    s.set_message(lines[0].clone());
                    s.set_type("expectation");
                    s.set_description(lines.join("\n"));
                    s
                };
                let mut case = TestCase::new(c.record.clone(), status);
                case.set_classname(format!("expect.{org}"));
                suite.add_test_case(case);
            }
            report.add_test_suite(suite);
        }
        // Serializing into a String cannot fail on I/O; fall back to an empty report.
        report.to_string().unwrap_or_default()
    }

    /// Text: a line per failed problem, then a summary line.
    pub(crate) fn to_text(&self) -> String {
        let mut s = String::new();
        for (c, p) in self.problems() {
            let _ = writeln!(s, "FAIL {} {}: {}", c.org, c.record, p.line());
        }
        for c in self.checks.iter().filter(|c| c.omitted > 0) {
            let _ = writeln!(s, "FAIL {} {}: ... and {} more", c.org, c.record, c.omitted);
        }
        let failed = self
            .checks
            .iter()
            .filter(|c| !c.problems.is_empty())
            .count();
        let _ = writeln!(
            s,
            "{}: {} of {} checks passed",
            if self.ok() { "ok" } else { "FAILED" },
            self.checks.len() - failed,
            self.checks.len()
        );
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Verdict {
        Verdict {
            checks: vec![
                Check {
                    org: "default".into(),
                    record: "orgs[0].users[0] (userName \"a<b>@x.org\")".into(),
                    problems: vec![],
                    omitted: 0,
                },
                Check {
                    org: "default".into(),
                    record: "orgs[0].users[1] (userName \"b@x.org\")".into(),
                    problems: vec![
                        Problem::Missing {
                            kind: "member",
                            key: "c@x.org".into(),
                            note: None,
                        },
                        Problem::Differing {
                            form: Form::Scim,
                            diff: Difference {
                                field: "displayName".into(),
                                expected: json!("B & Co"),
                                actual: json!("B"),
                            },
                        },
                    ],
                    omitted: 0,
                },
                Check {
                    org: "default".into(),
                    record: "orgs[0] exactUsers".into(),
                    problems: vec![Problem::Unexpected {
                        kind: "user",
                        id: "u9".into(),
                        user_name: "z@x.org".into(),
                    }],
                    omitted: 0,
                },
            ],
        }
    }

    #[test]
    fn json_lists_every_problem_with_its_record() {
        let v = sample().to_json();
        assert_eq!(v["ok"], false);
        assert_eq!(v["summary"]["checks"], 3);
        assert_eq!(v["summary"]["failed"], 2);
        assert_eq!(v["differing"][0]["field"], "displayName");
        assert_eq!(v["differing"][0]["form"], "scim");
        assert_eq!(v["differing"][0]["expected"], "B & Co");
        assert_eq!(v["differing"][0]["actual"], "B");
        assert_eq!(v["missing"][0]["kind"], "member");
        assert_eq!(v["unexpected"][0]["userName"], "z@x.org");
        assert_eq!(v["unexpected"][0]["record"], "orgs[0] exactUsers");
        assert!(Verdict::default().ok());
        assert_eq!(v["checks"][0]["ok"], true);
        assert_eq!(v["checks"][1]["ok"], false);
    }

    #[test]
    fn json_reads_back_into_the_same_verdict() {
        let v = sample();
        assert_eq!(Verdict::from_json(&v.to_json()), Some(v));
        assert_eq!(Verdict::from_json(&json!({"ok": true})), None);
        let mut bad = sample().to_json();
        bad["differing"][0]["record"] = json!("nowhere");
        assert_eq!(Verdict::from_json(&bad), None);
    }

    #[test]
    fn junit_has_a_case_per_check_and_escapes() {
        let x = sample().to_junit();
        assert!(x.starts_with("<?xml"), "{x}");
        assert!(
            x.contains("tests=\"3\"") && x.contains("failures=\"2\""),
            "{x}"
        );
        assert!(x.contains("a&lt;b&gt;@x.org"), "names are escaped: {x}");
        assert!(x.contains("B &amp; Co"), "messages are escaped: {x}");
        assert_eq!(x.matches("<testcase").count(), 3);
    }

    #[test]
    fn text_ends_with_a_summary() {
        let t = sample().to_text();
        assert!(t.contains("FAIL default orgs[0].users[1] (userName \"b@x.org\"): scim displayName: expected \"B & Co\", actual \"B\""), "{t}");
        assert!(
            t.trim_end().ends_with("FAILED: 1 of 3 checks passed"),
            "{t}"
        );
    }
}
