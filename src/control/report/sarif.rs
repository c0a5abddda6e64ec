//! The SARIF 2.1.0 rendering: one tool run, the catalogue as its rules, one result per finding,
//! each located at its journal entries (logical locations, since findings are about requests,
//! not source files).

use serde_json::{Value, json};

use super::catalogue::RULES;
use super::model::{Report, Status};
use super::options::Options;
use super::severity::Severity;

fn level(s: Option<Severity>) -> &'static str {
    match s {
        Some(Severity::Error) => "error",
        Some(Severity::Warning) => "warning",
        Some(Severity::Info) => "note",
        None => "none",
    }
}

/// Renders the report.
pub(super) fn render(report: &Report, opts: &Options) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "shortDescription": {"text": r.title},
                "fullDescription": {"text": r.why},
                "help": {"text": format!("{} (source: {})", r.hint, r.source)},
                "defaultConfiguration": {"level": level(Some(r.severity))},
            })
        })
        .collect();
    let mut results = Vec::new();
    for r in report.rules.iter().filter(|r| r.status == Status::Failed) {
        let index = RULES.iter().position(|x| x.id == r.id).unwrap_or(0);
        for f in &r.findings {
            let locations: Vec<Value> = f
                .entries
                .iter()
                .map(|e| {
                    json!({
                        "logicalLocations": [{
                            "name": format!("#{}", e.seq),
                            "fullyQualifiedName": format!("{} {}", e.method, e.target),
                            "kind": "request",
                        }],
                        "message": {"text": format!("{} {} -> {} ({})", e.method, e.target, e.status, opts.link(e))},
                    })
                })
                .collect();
            results.push(json!({
                "ruleId": r.id,
                "ruleIndex": index,
                "level": level(r.severity),
                "message": {"text": f.message},
                "locations": locations,
                "properties": {"entries": f.entries.iter().map(|e| e.seq).collect::<Vec<_>>(), "moreEntries": f.more_entries},
            }));
        }
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "genesys-scim-mock",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
            "properties": {
                "examined": report.scope.examined,
                "dropped": report.scope.dropped,
                "incompleteRules": report.scope.incomplete_rules,
            },
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
