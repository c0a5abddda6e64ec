//! A JUnit XML writer, for anything that reports as test cases: the client report (one case
//! per rule) and end-state assertions alike.
//!
//! The output follows the format CI systems read (GitHub, GitLab, Jenkins, Azure DevOps):
//! `<testsuites>` → `<testsuite>` → `<testcase>` with at most one `<failure>`, `<error>` or
//! `<skipped>`, then `<system-out>`/`<system-err>`. `docs/junit.xsd` is that format as a schema;
//! CI validates every report against it (`.ci/steps/70-report.sh`).
//!
//! Text is escaped here rather than through an XML crate because XML 1.0 cannot carry most
//! control characters even escaped, and request bodies in findings may contain them: they are
//! replaced with U+FFFD so the document always parses.

use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat, Utc};

/// A whole document.
#[derive(Debug, Clone, PartialEq)]
pub struct Suites {
    pub name: String,
    pub suites: Vec<Suite>,
}

/// One `<testsuite>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Suite {
    pub name: String,
    pub timestamp: DateTime<Utc>,
    /// `<properties>`: name, value.
    pub properties: Vec<(String, String)>,
    pub cases: Vec<Case>,
}

/// One `<testcase>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub classname: String,
    pub name: String,
    /// Seconds.
    pub time: f64,
    pub outcome: Outcome,
    pub system_out: Option<String>,
    pub system_err: Option<String>,
}

/// How a case ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Passed,
    /// An assertion failed: `message` is one line, `text` the detail.
    Failure {
        message: String,
        kind: String,
        text: String,
    },
    /// The case could not run properly.
    Error {
        message: String,
        kind: String,
        text: String,
    },
    Skipped {
        message: String,
    },
}

impl Case {
    /// A passing case.
    pub fn passed(classname: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            classname: classname.into(),
            name: name.into(),
            time: 0.0,
            outcome: Outcome::Passed,
            system_out: None,
            system_err: None,
        }
    }
}

#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
    time: f64,
}

fn counts<'a>(cases: impl Iterator<Item = &'a Case>) -> Counts {
    let mut c = Counts::default();
    for case in cases {
        c.tests += 1;
        c.time += case.time;
        match case.outcome {
            Outcome::Passed => {}
            Outcome::Failure { .. } => c.failures += 1,
            Outcome::Error { .. } => c.errors += 1,
            Outcome::Skipped { .. } => c.skipped += 1,
        }
    }
    c
}

/// Renders the document.
pub fn write(doc: &Suites) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let all = counts(doc.suites.iter().flat_map(|s| s.cases.iter()));
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
        escape(&doc.name),
        all.tests,
        all.failures,
        all.errors,
        all.skipped,
        all.time
    );
    for (id, suite) in doc.suites.iter().enumerate() {
        let c = counts(suite.cases.iter());
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" id=\"{id}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\" timestamp=\"{}\">",
            escape(&suite.name),
            c.tests,
            c.failures,
            c.errors,
            c.skipped,
            c.time,
            suite.timestamp.to_rfc3339_opts(SecondsFormat::Secs, true)
        );
        if !suite.properties.is_empty() {
            out.push_str("    <properties>\n");
            for (k, v) in &suite.properties {
                let _ = writeln!(
                    out,
                    "      <property name=\"{}\" value=\"{}\"/>",
                    escape(k),
                    escape(v)
                );
            }
            out.push_str("    </properties>\n");
        }
        for case in &suite.cases {
            write_case(&mut out, case);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn write_case(out: &mut String, case: &Case) {
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
        escape(&case.name),
        escape(&case.classname),
        case.time
    );
    if case.outcome == Outcome::Passed && case.system_out.is_none() && case.system_err.is_none() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    match &case.outcome {
        Outcome::Passed => {}
        Outcome::Failure {
            message,
            kind,
            text,
        } => element(out, "failure", message, kind, text),
        Outcome::Error {
            message,
            kind,
            text,
        } => element(out, "error", message, kind, text),
        Outcome::Skipped { message } => {
            let _ = writeln!(out, "      <skipped message=\"{}\"/>", escape(message));
        }
    }
    if let Some(s) = &case.system_out {
        let _ = writeln!(out, "      <system-out>{}</system-out>", escape_text(s));
    }
    if let Some(s) = &case.system_err {
        let _ = writeln!(out, "      <system-err>{}</system-err>", escape_text(s));
    }
    out.push_str("    </testcase>\n");
}

fn element(out: &mut String, tag: &str, message: &str, kind: &str, text: &str) {
    let _ = writeln!(
        out,
        "      <{tag} message=\"{}\" type=\"{}\">{}</{tag}>",
        escape(message),
        escape(kind),
        escape_text(text)
    );
}

/// Escapes text for an attribute value (line breaks kept as character references);
/// characters XML 1.0 cannot hold become U+FFFD.
pub fn escape(text: &str) -> String {
    escape_as(text, true)
}

/// Escapes element text: as [`escape`], but line breaks and tabs stay literal.
pub fn escape_text(text: &str) -> String {
    escape_as(text, false)
}

fn escape_as(text: &str, attribute: bool) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&apos;"),
            '\n' | '\t' | '\r' if attribute => {
                let _ = write!(s, "&#{};", c as u32);
            }
            '\n' | '\t' => s.push(c),
            '\r' => s.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => s.push('\u{FFFD}'),
            c => s.push(c),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(outcome: Outcome) -> Suites {
        Suites {
            name: "n".into(),
            suites: vec![Suite {
                name: "s".into(),
                timestamp: DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
                    .unwrap()
                    .into(),
                properties: vec![("org".into(), "default".into())],
                cases: vec![
                    Case::passed("c", "ok"),
                    Case {
                        outcome,
                        system_out: Some("out".into()),
                        ..Case::passed("c", "bad")
                    },
                ],
            }],
        }
    }

    #[test]
    fn counts_and_escapes() {
        let xml = write(&doc(Outcome::Failure {
            message: "a \"quoted\" <tag> & \u{1} control".into(),
            kind: "error".into(),
            text: "line1\nline2".into(),
        }));
        assert!(
            xml.contains(r#"tests="2" failures="1" errors="0" skipped="0""#),
            "{xml}"
        );
        assert!(
            xml.contains("a &quot;quoted&quot; &lt;tag&gt; &amp; \u{FFFD} control"),
            "{xml}"
        );
        assert!(xml.contains(">line1\nline2</failure>"), "{xml}");
        assert_eq!(escape("a\nb"), "a&#10;b");
        assert!(xml.contains(r#"<testcase name="ok" classname="c" time="0.000"/>"#));
        assert!(xml.contains(r#"<property name="org" value="default"/>"#));
        assert!(xml.contains("timestamp=\"2026-01-01T00:00:00Z\""));
    }

    #[test]
    fn skipped_and_errors_are_counted_apart() {
        let xml = write(&doc(Outcome::Skipped {
            message: "off".into(),
        }));
        assert!(
            xml.contains(r#"failures="0" errors="0" skipped="1""#),
            "{xml}"
        );
        let xml = write(&doc(Outcome::Error {
            message: "m".into(),
            kind: "k".into(),
            text: String::new(),
        }));
        assert!(
            xml.contains(r#"failures="0" errors="1" skipped="0""#),
            "{xml}"
        );
    }
}
