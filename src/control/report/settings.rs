//! Per-run report settings: which rules run, at which severity, and the rules' thresholds.
//!
//! They come in layers, each overriding only what it names: the defaults in the catalogue,
//! then `serve --report-rule` / `--report-threshold`, then the `report` section of each loaded
//! scenario file (in load order), then the query of `GET /__admin/report` (which is what the
//! `report` and `exec` subcommands send for their own flags).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::catalogue;
use super::severity::{Level, Severity};

/// Thresholds of the rules that count. Every field has a documented default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Thresholds {
    /// `retry-storm`: more than this many immediate retries of one operation.
    pub retry_storm: u32,
    /// `token-churn`: more than this many tokens per client in any minute (mock clock).
    pub tokens_per_minute: u32,
    /// `page-size`: the largest `count` that is not a finding (Genesys documents 25).
    pub page_size: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            retry_storm: 3,
            tokens_per_minute: 10,
            page_size: 25,
        }
    }
}

/// The threshold names accepted in flags, queries and scenario files.
pub(crate) const THRESHOLDS: &[&str] = &["retry-storm", "token-churn", "page-size"];

impl Thresholds {
    /// Sets one threshold by name.
    pub(crate) fn set(&mut self, name: &str, value: u32) -> Result<(), String> {
        match name {
            "retry-storm" => self.retry_storm = value,
            "token-churn" => self.tokens_per_minute = value,
            "page-size" => self.page_size = value,
            other => {
                return Err(format!(
                    "unknown threshold {other:?}; use {}",
                    THRESHOLDS.join(", ")
                ));
            }
        }
        Ok(())
    }
}

/// A settings layer: rule levels and thresholds it names. The `report` section of a scenario
/// file has this shape: `{"rules": {"page-size": "off"}, "thresholds": {"retry-storm": 5}}`.
///
/// Public as [`ReportSettings`](crate::ReportSettings), the type of `Config::report`: a library
/// user sets it with [`Layer::assign_rule`] and [`Layer::assign_threshold`] (the flags' text
/// forms) or deserializes it from that JSON shape; its fields stay crate-private, so the levels
/// and thresholds can change form without breaking a user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) rules: BTreeMap<String, Level>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) thresholds: BTreeMap<String, u32>,
}

impl Layer {
    /// Checks every rule id and threshold name; errors list the valid ones.
    pub fn validate(&self) -> Result<(), String> {
        for id in self.rules.keys() {
            known_rule(id)?;
        }
        let mut t = Thresholds::default();
        for (name, v) in &self.thresholds {
            t.set(name, *v)?;
        }
        Ok(())
    }

    /// Parses `ID=LEVEL` (a flag value) into this layer.
    pub fn assign_rule(&mut self, text: &str) -> Result<(), String> {
        let (id, level) = split_assignment(text)?;
        known_rule(id)?;
        self.rules.insert(id.to_owned(), Level::parse(level)?);
        Ok(())
    }

    /// Parses `NAME=N` (a flag value) into this layer.
    pub fn assign_threshold(&mut self, text: &str) -> Result<(), String> {
        let (name, n) = split_assignment(text)?;
        let n: u32 = n
            .parse()
            .map_err(|_| format!("{name}: expected a whole number, got {n:?}"))?;
        Thresholds::default().set(name, n)?;
        self.thresholds.insert(name.to_owned(), n);
        Ok(())
    }
}

fn split_assignment(text: &str) -> Result<(&str, &str), String> {
    text.split_once(['=', ':'])
        .map(|(a, b)| (a.trim(), b.trim()))
        .ok_or_else(|| format!("expected NAME=VALUE, got {text:?}"))
}

/// Errors unless `id` is in the catalogue.
pub(crate) fn known_rule(id: &str) -> Result<&'static catalogue::RuleInfo, String> {
    catalogue::rule(id)
        .ok_or_else(|| format!("unknown rule {id:?}; valid rules: {}", catalogue::ids()))
}

/// The merged settings of one report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settings {
    levels: BTreeMap<&'static str, Level>,
    pub thresholds: Thresholds,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            levels: catalogue::RULES
                .iter()
                .map(|r| (r.id, Level::On(r.severity)))
                .collect(),
            thresholds: Thresholds::default(),
        }
    }
}

impl Settings {
    /// Applies a layer over these settings (it must have been validated).
    pub(crate) fn apply(&mut self, layer: &Layer) -> Result<(), String> {
        for (id, level) in &layer.rules {
            let info = known_rule(id)?;
            self.levels.insert(info.id, *level);
        }
        for (name, v) in &layer.thresholds {
            self.thresholds.set(name, *v)?;
        }
        Ok(())
    }

    /// Keeps only these rules on (the others are off).
    pub(crate) fn only(&mut self, ids: &[&'static str]) {
        for (id, level) in &mut self.levels {
            if !ids.contains(id) {
                *level = Level::Off;
            }
        }
    }

    /// The severity a rule reports at, or `None` when it is off.
    pub(crate) fn severity(&self, id: &str) -> Option<Severity> {
        match self.levels.get(id) {
            Some(Level::On(s)) => Some(*s),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_override_only_what_they_name() {
        let mut s = Settings::default();
        let mut flag = Layer::default();
        flag.assign_rule("page-size=error").unwrap();
        flag.assign_threshold("retry-storm=5").unwrap();
        s.apply(&flag).unwrap();
        let scenario: Layer =
            serde_json::from_str(r#"{"rules": {"page-size": "off", "token-churn": "info"}}"#)
                .unwrap();
        scenario.validate().unwrap();
        s.apply(&scenario).unwrap();
        assert_eq!(s.severity("page-size"), None);
        assert_eq!(s.severity("token-churn"), Some(Severity::Info));
        assert_eq!(s.severity("retry-after"), Some(Severity::Error));
        assert_eq!(s.thresholds.retry_storm, 5);
        assert_eq!(s.thresholds.page_size, 25);
    }

    #[test]
    fn unknown_names_list_the_valid_ones() {
        let mut l = Layer::default();
        let e = l.assign_rule("retry-afterr=error").unwrap_err();
        assert!(e.contains("retry-after, lost-write"), "{e}");
        let e = l.assign_threshold("storm=3").unwrap_err();
        assert!(e.contains("retry-storm, token-churn, page-size"), "{e}");
        let bad: Layer = serde_json::from_str(r#"{"rules": {"nope": "off"}}"#).unwrap();
        assert!(bad.validate().unwrap_err().contains("valid rules"));
        assert!(serde_json::from_str::<Layer>(r#"{"rulez": {}}"#).is_err());
        assert!(serde_json::from_str::<Layer>(r#"{"rules": {"page-size": "loud"}}"#).is_err());
    }
}
