//! Reading a scenario document: compact spellings, deserializing, the checks, and, when the
//! document is wrong, saying so in a way its author can act on: the scenario, the rule (index
//! and name), the field, what was found and the shape the field takes.
//!
//! serde stops at the first value it cannot read and names neither the rule nor the field
//! (`invalid type: integer 2, expected struct variant` for `"firstN": 2`). When the document
//! does not deserialize, [`explain`] reads it again one field at a time, each into its own
//! type, to find the value at fault. [`route_pattern`] checks a `when.route`, which serde
//! cannot: any string reads, and a typo (`users.ptach`) never fires. `--scenario` files and
//! `POST /__admin/scenarios` both come through [`Scenario::from_value`].

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::matcher::wildcard;
use super::rule::{BodyPredicate, Rule, Scenario, Then, Trigger, When};
use crate::pipeline::route::ROUTE_NAMES;

/// Compact spellings are accepted: `"then": "reset"` for `{"reset": {}}` and `"trigger":
/// "always"` for `{"always": null}`.
fn normalise(value: &mut Value) {
    let Some(rules) = value.get_mut("rules").and_then(Value::as_array_mut) else {
        return;
    };
    for rule in rules {
        if let Some(t) = rule.get_mut("then")
            && let Value::String(s) = t
        {
            *t = serde_json::json!({ s.clone(): {} });
        }
        if let Some(t) = rule.get_mut("trigger")
            && let Value::Object(map) = t
            && let Some(Value::Object(inner)) = map.get("always")
            && inner.is_empty()
        {
            *t = Value::String("always".to_owned());
        }
    }
}

impl Scenario {
    /// Parses and checks a scenario document. Errors start with the scenario's name.
    pub(crate) fn from_value(mut value: Value) -> Result<Self, String> {
        normalise(&mut value);
        let named = |m: String| match value.get("name").and_then(Value::as_str) {
            Some(n) => format!("scenario {n:?}: {m}"),
            None => format!("scenario: {m}"),
        };
        let s = Self::deserialize(&value).map_err(|e| named(explain(&value, &e)))?;
        s.check().map_err(named)?;
        for (i, r) in s.rules.iter().enumerate() {
            if let Some(route) = &r.when.route {
                route_pattern(route)
                    .map_err(|m| named(format!("rules[{i}] ({:?}): when.route: {m}", r.name)))?;
            }
        }
        Ok(s)
    }

    /// Parses and checks scenario JSON text.
    pub(crate) fn from_text(text: &str) -> Result<Self, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            format!(
                "invalid JSON at line {} column {}: {e}",
                e.line(),
                e.column()
            )
        })?;
        Self::from_value(value)
    }
}

/// Names routes have that scenarios never see: the control plane skips them.
const CONTROL_PLANE: &[&str] = &["admin", "admin.health"];

/// Where a document that did not deserialize goes wrong: `rules[1] ("r"): trigger.firstN:
/// invalid type: integer `2`; expected {"n": N}, ...`. `fallback` is serde's own error, kept
/// when no single field is at fault (a required field left out).
fn explain(doc: &Value, fallback: &serde_json::Error) -> String {
    let Some(obj) = doc.as_object() else {
        return format!("a scenario is a JSON object, got {}", kind(doc));
    };
    for (key, value) in obj {
        let fault = match key.as_str() {
            "name" => read::<String>(value),
            "description" => read::<Option<String>>(value),
            "report" => read::<Option<crate::control::report::settings::Layer>>(value),
            "rules" => match value.as_array() {
                None => Some(format!("invalid type: {}", kind(value))),
                Some(rules) => {
                    if let Some(m) = rules.iter().enumerate().find_map(|(i, r)| {
                        explain_rule(r).map(|m| format!("rules[{i}]{}: {m}", rule_name(r)))
                    }) {
                        return m;
                    }
                    None
                }
            },
            _ => Some("unknown field".to_owned()),
        };
        if let Some(m) = fault {
            return format!("{key}: {m}; expected {}", shape(key));
        }
    }
    fallback.to_string()
}

/// ` ("name")` when the rule has a string name, for messages.
fn rule_name(rule: &Value) -> String {
    rule.get("name")
        .and_then(Value::as_str)
        .map(|n| format!(" ({n:?})"))
        .unwrap_or_default()
}

/// The first field of one rule that does not read: `field: what; expected shape`.
fn explain_rule(rule: &Value) -> Option<String> {
    let Some(obj) = rule.as_object() else {
        return Some(format!(
            "invalid type: {}; expected a rule object, {}",
            kind(rule),
            shape("rule")
        ));
    };
    for (key, value) in obj {
        let fault = match key.as_str() {
            "name" => read::<String>(value).map(|m| (key.clone(), m)),
            "priority" => read::<i64>(value).map(|m| (key.clone(), m)),
            "requireState" | "setState" => read::<String>(value).map(|m| (key.clone(), m)),
            "when" => explain_when(value),
            "then" => explain_tagged::<Then>("then", value, THEN_ACTIONS),
            "trigger" => explain_tagged::<Trigger>("trigger", value, TRIGGERS),
            _ => Some((key.clone(), "unknown field".to_owned())),
        };
        if let Some((field, m)) = fault {
            return Some(format!("{field}: {m}; expected {}", shape(&field)));
        }
    }
    // Every field reads on its own: something is missing.
    Rule::deserialize(rule)
        .err()
        .map(|e| format!("{e}; expected {}", shape("rule")))
}

fn explain_when(value: &Value) -> Option<(String, String)> {
    read::<When>(value)?;
    let Some(obj) = value.as_object() else {
        return Some(("when".to_owned(), format!("invalid type: {}", kind(value))));
    };
    obj.iter().find_map(|(key, v)| {
        let fault = match key.as_str() {
            "method" | "path" | "route" | "org" | "client" => read::<String>(v),
            "header" | "query" => read::<BTreeMap<String, String>>(v),
            "body" => read::<BTreeMap<String, BodyPredicate>>(v),
            _ => Some("unknown field".to_owned()),
        };
        fault.map(|m| (format!("when.{key}"), m))
    })
}

/// An externally tagged field (`then`, `trigger`): the variant named, when it is one of
/// `known`, is the field at fault (`trigger.firstN`); otherwise the field itself.
fn explain_tagged<'de, T: Deserialize<'de>>(
    field: &str,
    value: &'de Value,
    known: &[&str],
) -> Option<(String, String)> {
    let message = read::<T>(value)?;
    if let Some((tag, _)) = single_key(value)
        && known.contains(&tag.as_str())
    {
        return Some((format!("{field}.{tag}"), message));
    }
    Some((field.to_owned(), message))
}

fn single_key(value: &Value) -> Option<(&String, &Value)> {
    let obj: &Map<String, Value> = value.as_object()?;
    let mut it = obj.iter();
    match (it.next(), it.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// serde's message when `value` does not read as `T`, without serde's own idea of what was
/// expected (`expected struct variant`): the caller says it in the document's terms.
fn read<'de, T: Deserialize<'de>>(value: &'de Value) -> Option<String> {
    let e = T::deserialize(value).err()?.to_string();
    let cut = match e.find(", expected") {
        Some(at)
            if ["invalid type", "invalid value", "unknown variant"]
                .iter()
                .any(|p| e.starts_with(p)) =>
        {
            &e[..at]
        }
        _ => &e,
    };
    Some(cut.to_owned())
}

/// What a JSON value is, as messages say it.
fn kind(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) => format!("number `{n}`"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

const THEN_ACTIONS: &[&str] = &[
    "respond",
    "throttle",
    "delay",
    "reset",
    "empty",
    "headersOnly",
    "truncate",
    "dribble",
    "garbage",
    "hang",
    "malformedJson",
    "compat",
];

const TRIGGERS: &[&str] = &["always", "firstN", "nth", "everyK", "afterN", "probability"];

/// The shape a field takes, in the document's own notation (docs/scenarios.md).
fn shape(field: &str) -> &'static str {
    match field {
        "name" | "requireState" | "setState" => "a non-empty string",
        "description" => "a string",
        "report" => r#"{"rules": {RULE: "error"|"warning"|"info"|"off"}, "thresholds": {NAME: N}}"#,
        "rules" => "an array of rules",
        "rule" => {
            r#"a rule: {"name": "...", "when": {...}, "trigger": ..., "then": ..., "priority": N, "requireState": "...", "setState": "..."} with a name"#
        }
        "priority" => "a whole number (the higher wins)",
        "when" => "an object of method, path, route, org, client (strings), header, query and body",
        "when.method" | "when.path" | "when.route" | "when.org" | "when.client" => "a string",
        "when.header" | "when.query" => {
            r#"an object of names to value strings ("*" matches any characters)"#
        }
        "when.body" => {
            r#"an object of JSON pointers to {"equals": JSON, "contains": JSON, "exists": true|false}"#
        }
        "trigger" => {
            r#""always", or one of {"firstN": {"n": N}}, {"nth": {"n": N}}, {"everyK": {"k": N}}, {"afterN": {"n": N}}, {"probability": {"p": P}} (N a whole number from 1, P from 0 to 1)"#
        }
        "trigger.always" => r#""always""#,
        "trigger.firstN" | "trigger.nth" | "trigger.afterN" => {
            r#"{"n": N}, N a whole number from 1"#
        }
        "trigger.everyK" => r#"{"k": N}, N a whole number from 1"#,
        "trigger.probability" => r#"{"p": P}, P from 0 to 1"#,
        "then" => {
            r#"one action: {"respond": {...}}, {"throttle": {...}}, {"delay": {...}}, {"truncate": {...}}, {"dribble": {...}}, {"garbage": {...}}, {"hang": {...}}, {"compat": {...}}, or the name alone of "reset", "empty", "headersOnly" or "malformedJson""#
        }
        "then.respond" => r#"{"status": 200 to 599, "body": any JSON, "headers": {NAME: "value"}}"#,
        "then.throttle" => r#"{"retryAfter": seconds}"#,
        "then.delay" => r#"{"ms": N}"#,
        "then.truncate" | "then.garbage" => r#"{"bytes": N}"#,
        "then.dribble" => r#"{"chunkBytes": N, "intervalMs": N}"#,
        "then.hang" => r#"{"maxMs": N}, or {}"#,
        "then.compat" => r#"an object of --compat switches, {"NAME": "VALUE"}"#,
        "then.reset" | "then.empty" | "then.headersOnly" | "then.malformedJson" => {
            "{}, or the action's name alone"
        }
        _ => "what docs/scenarios.md describes",
    }
}

/// Checks a `when.route` pattern: it must match a route name a scenario can see. The error
/// names the nearest such name when the pattern is a short one (a typo).
fn route_pattern(pattern: &str) -> Result<(), String> {
    let seen = || {
        ROUTE_NAMES
            .iter()
            .copied()
            .filter(|n| !CONTROL_PLANE.contains(n))
    };
    if seen().any(|n| wildcard(pattern, n)) {
        return Ok(());
    }
    if CONTROL_PLANE.iter().any(|n| wildcard(pattern, n)) {
        return Err(format!(
            "{pattern:?} is the control plane (/__admin), which scenarios never see"
        ));
    }
    let nearest = (pattern.len() <= 64)
        .then(|| seen().min_by_key(|n| distance(pattern, n)))
        .flatten();
    Err(match nearest {
        Some(n) => format!(
            "{pattern:?} matches no route name; the nearest is {n:?} (the journal shows every request's route)"
        ),
        None => {
            format!("{pattern:?} matches no route name (the journal shows every request's route)")
        }
    })
}

/// Edit distance (insertions, deletions, substitutions) between two short strings.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(doc: serde_json::Value) -> String {
        Scenario::from_value(doc).unwrap_err()
    }

    #[test]
    fn messages_read_in_full() {
        use serde_json::json;
        assert_eq!(
            refused(json!({"name": "s", "rules": [{"name": "r", "trigger": {"firstN": 2}}]})),
            r#"scenario "s": rules[0] ("r"): trigger.firstN: invalid type: integer `2`; expected {"n": N}, N a whole number from 1"#
        );
        assert_eq!(
            refused(
                json!({"name": "s", "rules": [{"name": "r", "when": {"route": "users.ptach"}}]})
            ),
            r#"scenario "s": rules[0] ("r"): when.route: "users.ptach" matches no route name; the nearest is "users.patch" (the journal shows every request's route)"#
        );
        assert_eq!(
            refused(json!({"name": "s", "rules": [{"when": {}}]})),
            r#"scenario "s": rules[0]: missing field `name`; expected a rule: {"name": "...", "when": {...}, "trigger": ..., "then": ..., "priority": N, "requireState": "...", "setState": "..."} with a name"#
        );
        assert_eq!(
            refused(json!({"name": "s", "rules": [{"name": "r", "then": "explode"}]})),
            r#"scenario "s": rules[0] ("r"): then: unknown variant `explode`; expected one action: {"respond": {...}}, {"throttle": {...}}, {"delay": {...}}, {"truncate": {...}}, {"dribble": {...}}, {"garbage": {...}}, {"hang": {...}}, {"compat": {...}}, or the name alone of "reset", "empty", "headersOnly" or "malformedJson""#
        );
        assert!(refused(json!({"rules": []})).starts_with("scenario: missing field `name`"));
    }

    #[test]
    fn distances() {
        assert_eq!(distance("users.ptach", "users.patch"), 2);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn every_action_and_trigger_has_a_shape() {
        for a in THEN_ACTIONS {
            assert_ne!(shape(&format!("then.{a}")), shape("nothing"), "{a}");
        }
        for t in TRIGGERS {
            assert_ne!(shape(&format!("trigger.{t}")), shape("nothing"), "{t}");
        }
    }

    #[test]
    fn route_patterns_must_match_a_route_scenarios_see() {
        assert!(route_pattern("users.*").is_ok());
        let e = route_pattern("users.ptach").unwrap_err();
        assert!(e.contains("\"users.patch\""), "{e}");
        assert!(
            route_pattern("admin.*")
                .unwrap_err()
                .contains("control plane")
        );
        assert!(
            !route_pattern(&"x".repeat(100))
                .unwrap_err()
                .contains("nearest")
        );
    }
}
