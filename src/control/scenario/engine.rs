//! The scenario registry and the decision it makes for each request.
//!
//! Deciding takes one short lock: match, count, pick the winning rule, move the state, release.
//! Whatever the rule then does (waiting, faulting) happens outside the lock.

use std::sync::Arc;

use parking_lot::Mutex;
use serde::Serialize;

use super::matcher::Probe;
use super::rule::{START_STATE, Scenario, Then, Trigger};
use crate::base::rng::Seeded;

/// The rule chosen for a request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Firing {
    pub scenario: String,
    pub rule: String,
    /// `None`: the request goes through untouched (the rule only counted and moved state).
    pub then: Option<Then>,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Counter {
    /// Requests that matched the rule's `when` and state.
    matched: u64,
    /// Times the rule fired.
    hits: u64,
}

#[derive(Debug)]
struct Loaded {
    def: Scenario,
    state: String,
    counters: Vec<Counter>,
}

impl Loaded {
    fn new(def: Scenario) -> Self {
        let counters = vec![Counter::default(); def.rules.len()];
        Self {
            def,
            state: START_STATE.to_owned(),
            counters,
        }
    }
}

/// Scenarios the admin API may load at once (files given with `--scenario` are not counted
/// against it). Chosen.
pub const MAX_SCENARIOS: usize = 256;

/// Every loaded scenario. Cloning shares them.
#[derive(Debug, Clone)]
pub(crate) struct Scenarios {
    list: Arc<Mutex<Vec<Loaded>>>,
    rng: Seeded,
}

impl Scenarios {
    /// An empty registry drawing probabilities from `rng`.
    pub(crate) fn new(rng: Seeded) -> Self {
        Self {
            list: Arc::new(Mutex::new(Vec::new())),
            rng,
        }
    }

    /// Loads scenario files (`--scenario`). Errors name the file.
    pub(crate) fn load_files(&self, paths: &[std::path::PathBuf]) -> Result<(), String> {
        for p in paths {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
            let s = Scenario::from_text(&text).map_err(|e| format!("{}: {e}", p.display()))?;
            self.add(s);
        }
        Ok(())
    }

    /// Adds a scenario, replacing one with the same name. Returns whether it replaced one.
    pub(crate) fn add(&self, s: Scenario) -> bool {
        let mut list = self.list.lock();
        match list.iter_mut().find(|l| l.def.name == s.name) {
            Some(slot) => {
                *slot = Loaded::new(s);
                true
            }
            None => {
                list.push(Loaded::new(s));
                false
            }
        }
    }

    /// [`Scenarios::add`] for the admin API: `None` (nothing changed) when `s` is new and
    /// [`MAX_SCENARIOS`] are loaded. Every request is matched against every loaded rule, so
    /// the count bounds the per-request cost as well as the memory.
    pub(crate) fn add_bounded(&self, s: Scenario) -> Option<bool> {
        let mut list = self.list.lock();
        let full = list.len() >= MAX_SCENARIOS;
        match list.iter_mut().find(|l| l.def.name == s.name) {
            Some(slot) => *slot = Loaded::new(s),
            None if full => return None,
            None => {
                list.push(Loaded::new(s));
                return Some(false);
            }
        }
        Some(true)
    }

    /// Removes a scenario by name. Returns whether it existed.
    pub(crate) fn remove(&self, name: &str) -> bool {
        let mut list = self.list.lock();
        let before = list.len();
        list.retain(|l| l.def.name != name);
        list.len() != before
    }

    /// Puts every scenario (or the named one) back to `start` with zero counters. Returns
    /// whether anything was reset.
    pub(crate) fn reset(&self, name: Option<&str>) -> bool {
        let mut any = false;
        for l in self.list.lock().iter_mut() {
            if name.is_none_or(|n| n == l.def.name) {
                *l = Loaded::new(l.def.clone());
                any = true;
            }
        }
        any
    }

    /// The `report` sections of the loaded scenarios, in load order.
    pub(crate) fn report_layers(&self) -> Vec<crate::control::report::settings::Layer> {
        self.list
            .lock()
            .iter()
            .filter_map(|l| l.def.report.clone())
            .collect()
    }

    /// Every scenario with its state and per-rule counters, for `GET /__admin/scenarios`.
    pub(crate) fn snapshot(&self) -> serde_json::Value {
        let list = self.list.lock();
        serde_json::Value::Array(
            list.iter()
                .map(|l| {
                    let rules: Vec<serde_json::Value> = l
                        .def
                        .rules
                        .iter()
                        .zip(&l.counters)
                        .map(|(r, c)| {
                            serde_json::json!({"name": r.name, "matched": c.matched, "hits": c.hits})
                        })
                        .collect();
                    serde_json::json!({
                        "name": l.def.name,
                        "state": l.state,
                        "rules": rules,
                        "definition": l.def,
                    })
                })
                .collect(),
        )
    }

    /// Picks the rule for a request, counting every rule that matches. Rules are tried by
    /// priority (higher first), then scenario load order, then rule order; the first whose
    /// trigger fires wins and moves its scenario's state.
    pub(crate) fn decide(&self, probe: &Probe<'_>) -> Option<Firing> {
        let mut list = self.list.lock();
        if list.is_empty() {
            return None;
        }
        let mut candidates: Vec<(i64, usize, usize)> = Vec::new();
        for (si, l) in list.iter_mut().enumerate() {
            for (ri, rule) in l.def.rules.iter().enumerate() {
                let in_state = rule.require_state.as_ref().is_none_or(|s| *s == l.state);
                if in_state && rule.when.matches(probe) {
                    l.counters[ri].matched += 1;
                    candidates.push((rule.priority, si, ri));
                }
            }
        }
        candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        for (_, si, ri) in candidates {
            let l = &mut list[si];
            let count = l.counters[ri].matched;
            let rule = &l.def.rules[ri];
            let fires = match rule.trigger {
                Trigger::Always => true,
                Trigger::FirstN { n } => count <= n,
                Trigger::Nth { n } => count == n,
                Trigger::EveryK { k } => k > 0 && count.is_multiple_of(k),
                Trigger::AfterN { n } => count > n,
                Trigger::Probability { p } => self.rng.unit() < p,
            };
            if fires {
                let plan = Firing {
                    scenario: l.def.name.clone(),
                    rule: rule.name.clone(),
                    then: rule.then.clone(),
                };
                if let Some(s) = &rule.set_state {
                    l.state = s.clone();
                }
                l.counters[ri].hits += 1;
                return Some(plan);
            }
        }
        None
    }

    /// Whether no scenario is loaded (the router then skips building a probe).
    pub(crate) fn is_empty(&self) -> bool {
        self.list.lock().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe_of<'a>(headers: &'a http::HeaderMap, route: &'a str) -> Probe<'a> {
        Probe {
            method: "GET",
            path: "/x",
            route,
            org: None,
            client: None,
            headers,
            query: &[],
            body: None,
        }
    }

    #[test]
    fn fail_twice_then_succeed_then_throttle() {
        let s = Scenario::from_text(
            r#"{"name":"s","rules":[
              {"name":"fail","when":{"route":"users.list"},"trigger":{"firstN":{"n":2}},"then":{"respond":{"status":503}}},
              {"name":"throttle","when":{"route":"users.list"},"trigger":{"nth":{"n":4}},"then":{"throttle":{"retryAfter":3}}}
            ]}"#,
        )
        .unwrap();
        let reg = Scenarios::new(Seeded::new(Some(1)));
        reg.add(s);
        let h = http::HeaderMap::new();
        let names: Vec<Option<String>> = (0..5)
            .map(|_| reg.decide(&probe_of(&h, "users.list")).map(|p| p.rule))
            .collect();
        assert_eq!(
            names,
            [
                Some("fail".into()),
                Some("fail".into()),
                None,
                Some("throttle".into()),
                None
            ]
        );
        assert!(reg.decide(&probe_of(&h, "users.get")).is_none());
    }
}
