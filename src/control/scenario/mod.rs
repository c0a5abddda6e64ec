//! Scriptable scenarios (`control::scenario`): rules that answer, delay or break requests.
//! Imports report settings, socket faults, the request context and below; the pipeline calls it.
//!
//! Rules have counters and named states, so "fail twice, then succeed, then throttle" is a few
//! lines of JSON.
//!
//! - [`rule`]: the file format and its checks.
//! - [`matcher`]: which requests a rule's `when` matches.
//! - `document`: reading a scenario (files and the admin API), and saying what is wrong.
//! - [`engine`]: the registry, counters, states, and the per-request decision.
//! - [`action`]: carrying out the chosen rule's `then`.
//!
//! The router asks [`engine::Scenarios::decide`] once per request, after routing and before the
//! emulation; the journal records the rule that fired.

pub(crate) mod action;
mod document;
pub(crate) mod engine;
pub(crate) mod matcher;
pub(crate) mod rule;

pub(crate) use engine::{Firing, Scenarios};
pub(crate) use matcher::Probe;
pub(crate) use rule::Scenario;
