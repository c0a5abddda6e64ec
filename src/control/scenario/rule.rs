//! The scenario file format: a named list of rules, each with a `when` (which requests), a
//! `trigger` (which of those), optional states, and a `then` (what happens instead). Documented
//! in `docs/scenarios.md` and `schemas/scenario.schema.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::compat::layer::CompatLayer;

/// The longest a `delay` or `hang` may hold a request: five minutes.
pub(crate) const MAX_HOLD_MS: u64 = 300_000;

/// The longest pause between `dribble` chunks.
pub(crate) const MAX_DRIBBLE_INTERVAL_MS: u64 = 10_000;

/// The most random bytes a `garbage` fault may send.
pub(crate) const MAX_GARBAGE_BYTES: usize = 1 << 20;

/// The most segments a `when.path` glob may have: matching compares each pattern segment
/// with each path segment, so the pattern's segments multiply the path's. Real paths here
/// have at most nine.
pub(crate) const MAX_PATH_GLOB_SEGMENTS: usize = 32;

/// Rules one scenario may have: each is matched against every request. Chosen.
pub const MAX_RULES: usize = 256;

/// The state every scenario starts in (and returns to on reset).
pub(crate) const START_STATE: &str = "start";

/// A scenario: rules sharing one state machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Scenario {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub rules: Vec<Rule>,
    /// Client-report settings while this scenario is loaded: rules turned off or re-levelled,
    /// thresholds (`docs/report.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<crate::control::report::settings::Layer>,
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Rule {
    pub name: String,
    /// Higher wins when several rules match one request; ties go to the earlier rule.
    #[serde(default)]
    pub priority: i64,
    #[serde(default)]
    pub when: When,
    /// What to do. Absent: let the request through (the rule still counts and moves state).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then: Option<Then>,
    #[serde(default)]
    pub trigger: Trigger,
    /// Only match while the scenario is in this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_state: Option<String>,
    /// Move the scenario to this state when the rule fires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_state: Option<String>,
}

/// Which requests a rule matches. Every field given must match.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct When {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// A glob over the raw path: `*` within a segment, `**` across segments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A route name (`users.patch`); `*` matches any characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// Header name (any case) → value (`*` matches any characters).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub header: BTreeMap<String, String>,
    /// Decoded query parameter name (any case) → value (`*` matches any characters).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
    /// JSON pointer into the request body → predicate.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub body: BTreeMap<String, BodyPredicate>,
}

/// A test on the value at a JSON pointer. Every field given must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct BodyPredicate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<Value>,
    /// A substring of a string value, or an element of an array value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
}

/// What a firing rule does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub(crate) enum Then {
    /// Answer with this status (and body; an error status without one gets the Genesys or
    /// SCIM error body for the route).
    Respond {
        status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<Value>,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        headers: BTreeMap<String, String>,
    },
    /// 429 with `Retry-After`, shaped like Genesys' rate limiter.
    Throttle { retry_after: u64 },
    /// Wait, then let the emulation answer.
    Delay { ms: u64 },
    /// Close with a TCP reset before any response byte.
    Reset {},
    /// Close (FIN) without any response byte.
    Empty {},
    /// Send the emulation's status line and headers (with its content-length), then close.
    HeadersOnly {},
    /// Send the emulation's response cut after this many body bytes, then close.
    Truncate { bytes: usize },
    /// Send the emulation's response as a chunked body, `chunkBytes` every `intervalMs`.
    Dribble {
        chunk_bytes: usize,
        interval_ms: u64,
    },
    /// Send this many random bytes (seeded) instead of a response, then close.
    Garbage { bytes: usize },
    /// Hold the request until the client gives up, `maxMs` passes (default 5 minutes), or the
    /// server shuts down.
    Hang {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_ms: Option<u64>,
    },
    /// 200 with a JSON content type and a body that is not JSON.
    MalformedJson {},
    /// Let the emulation answer with these compatibility switches overridden.
    Compat(CompatLayer),
}

impl Then {
    /// The action's name, as the journal and the docs write it.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Respond { .. } => "respond",
            Self::Throttle { .. } => "throttle",
            Self::Delay { .. } => "delay",
            Self::Reset {} => "reset",
            Self::Empty {} => "empty",
            Self::HeadersOnly {} => "headersOnly",
            Self::Truncate { .. } => "truncate",
            Self::Dribble { .. } => "dribble",
            Self::Garbage { .. } => "garbage",
            Self::Hang { .. } => "hang",
            Self::MalformedJson {} => "malformedJson",
            Self::Compat(_) => "compat",
        }
    }

    /// Whether this is a fault below the status line (the journal's `fault` field).
    pub(crate) fn is_fault(&self) -> bool {
        !matches!(
            self,
            Self::Respond { .. } | Self::Throttle { .. } | Self::Delay { .. } | Self::Compat(_)
        )
    }
}

/// Which of the matching requests a rule fires on. Counting starts at 1 and covers every
/// request matching the rule's `when` and `requireState`, whether or not this rule fired.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) enum Trigger {
    #[default]
    Always,
    FirstN {
        n: u64,
    },
    Nth {
        n: u64,
    },
    EveryK {
        k: u64,
    },
    AfterN {
        n: u64,
    },
    Probability {
        p: f64,
    },
}

impl Scenario {
    /// Checks every bound, so nothing a scenario says can panic or wedge the server. The
    /// checks that need the matcher or the route table are `document`'s.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("name: must not be empty".to_owned());
        }
        if self.name.contains('/') {
            return Err("name: must not contain '/'".to_owned());
        }
        if let Some(r) = &self.report {
            r.validate().map_err(|e| format!("report: {e}"))?;
        }
        if self.rules.len() > MAX_RULES {
            return Err(format!(
                "rules: at most {MAX_RULES} rules per scenario, got {}",
                self.rules.len()
            ));
        }
        let mut names = std::collections::HashSet::new();
        for (i, r) in self.rules.iter().enumerate() {
            let at = |m: String| format!("rules[{i}] ({:?}): {m}", r.name);
            if r.name.trim().is_empty() {
                return Err(at("name: must not be empty".into()));
            }
            if !names.insert(r.name.as_str()) {
                return Err(at("name: duplicate rule name".into()));
            }
            for (f, s) in [
                ("requireState", &r.require_state),
                ("setState", &r.set_state),
            ] {
                if s.as_ref().is_some_and(|s| s.trim().is_empty()) {
                    return Err(at(format!("{f}: must not be empty")));
                }
            }
            if let Some(p) = &r.when.path {
                let segments = p.trim_start_matches('/').split('/').count();
                if segments > MAX_PATH_GLOB_SEGMENTS {
                    return Err(at(format!(
                        "when.path: at most {MAX_PATH_GLOB_SEGMENTS} segments, got {segments}"
                    )));
                }
            }
            for p in r.when.body.keys() {
                if !(p.is_empty() || p.starts_with('/')) {
                    return Err(at(format!(
                        "when.body: {p:?} is not a JSON pointer (it must start with '/')"
                    )));
                }
            }
            match r.trigger {
                Trigger::FirstN { n: 0 } | Trigger::Nth { n: 0 } | Trigger::EveryK { k: 0 } => {
                    return Err(at("trigger: the count must be at least 1".into()));
                }
                Trigger::Probability { p } if !(0.0..=1.0).contains(&p) => {
                    return Err(at(format!(
                        "trigger.probability.p: must be from 0 to 1, got {p}"
                    )));
                }
                _ => {}
            }
            if let Some(t) = &r.then {
                check_then(t).map_err(at)?;
            }
        }
        Ok(())
    }
}

/// Why a response header is the server's alone, or `None` when a scenario may set it.
///
/// The framing headers say where this message ends and what the connection does next: a wrong
/// `content-length` made the next answer on a keep-alive connection misread, and a
/// `transfer-encoding` the body does not follow breaks it the same way. The mock puts
/// `content-security-policy: sandbox` on every scenario answer (see
/// [`super::action::SANDBOX`]): a rule may not loosen it.
fn reserved_header(name: &str) -> Option<&'static str> {
    const FRAMING: &[&str] = &[
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "upgrade",
    ];
    if FRAMING.iter().any(|f| f.eq_ignore_ascii_case(name)) {
        Some("it frames the message, which the server writes")
    } else if name.eq_ignore_ascii_case("content-security-policy") {
        Some("every scenario answer carries content-security-policy: sandbox")
    } else {
        None
    }
}

fn check_then(t: &Then) -> Result<(), String> {
    match t {
        Then::Respond {
            status, headers, ..
        } => {
            if !(200..=599).contains(status) {
                return Err(format!(
                    "then.respond.status: must be from 200 to 599, got {status}"
                ));
            }
            for (k, v) in headers {
                if http::HeaderName::from_bytes(k.as_bytes()).is_err()
                    || http::HeaderValue::from_str(v).is_err()
                {
                    return Err(format!("then.respond.headers: invalid header {k:?}"));
                }
                if let Some(why) = reserved_header(k) {
                    return Err(format!(
                        "then.respond.headers: {:?} cannot be set by a scenario: {why}",
                        k.to_ascii_lowercase()
                    ));
                }
            }
        }
        Then::Throttle { retry_after } if *retry_after > 86_400 => {
            return Err("then.throttle.retryAfter: at most 86400 seconds".to_owned());
        }
        Then::Delay { ms } | Then::Hang { max_ms: Some(ms) } if *ms > MAX_HOLD_MS => {
            return Err(format!(
                "then.{}: at most {MAX_HOLD_MS} ms, got {ms}",
                t.name()
            ));
        }
        Then::Dribble {
            chunk_bytes,
            interval_ms,
        } => {
            if *chunk_bytes == 0 {
                return Err("then.dribble.chunkBytes: must be at least 1".to_owned());
            }
            if *interval_ms > MAX_DRIBBLE_INTERVAL_MS {
                return Err(format!(
                    "then.dribble.intervalMs: at most {MAX_DRIBBLE_INTERVAL_MS} ms"
                ));
            }
        }
        Then::Garbage { bytes } if *bytes > MAX_GARBAGE_BYTES => {
            return Err(format!("then.garbage.bytes: at most {MAX_GARBAGE_BYTES}"));
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_inside_actions_are_refused() {
        use serde_json::json;
        for then in [
            json!({"respond": {"status": 200, "bodyFile": "x.json"}}),
            json!({"delay": {"ms": 5, "jitter": 1}}),
            json!({"hang": {"maxMS": 5}}),
            json!({"dribble": {"chunkBytes": 1, "intervalMs": 1, "x": 0}}),
        ] {
            let e = serde_json::from_value::<Then>(then.clone()).unwrap_err();
            assert!(e.to_string().contains("unknown field"), "{then}: {e}");
        }
        serde_json::from_value::<Then>(json!({"respond": {"status": 200, "body": {}}})).unwrap();
    }

    #[test]
    fn compact_spellings_and_bounds() {
        let s = Scenario::from_text(
            r#"{"name":"s","rules":[{"name":"r","then":"reset","trigger":{"firstN":{"n":2}}}]}"#,
        )
        .unwrap();
        assert_eq!(s.rules[0].then, Some(Then::Reset {}));
        assert_eq!(s.rules[0].trigger, Trigger::FirstN { n: 2 });
        let bad = Scenario::from_text(
            r#"{"name":"s","rules":[{"name":"r","then":{"delay":{"ms":999999999}}}]}"#,
        )
        .unwrap_err();
        assert!(bad.contains("delay"), "{bad}");
        let bad = Scenario::from_text(
            r#"{"name":"s","rules":[{"name":"r","then":{"compat":{"nope":"1"}}}]}"#,
        )
        .unwrap_err();
        assert!(bad.contains("nope"), "{bad}");
        assert!(
            Scenario::from_text(r#"{"name":"s","rules":[{"name":"r","then":{"boom":{}}}]}"#)
                .is_err()
        );
        let long = "/*".repeat(MAX_PATH_GLOB_SEGMENTS + 1);
        let bad = Scenario::from_value(
            serde_json::json!({"name": "s", "rules": [{"name": "r", "when": {"path": long}}]}),
        )
        .unwrap_err();
        assert!(
            bad.contains("when.path") && bad.contains("segments"),
            "{bad}"
        );
    }
}
