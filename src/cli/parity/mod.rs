//! `genesys-scim-mock parity DIR`: replays the bundle `record` wrote against the mock and lists
//! every way the mock's answers differ from the recorded ones ([`comparison`]).
//!
//! The mock is started from the bundle's `fixture.json` and `scenario.json` (rate limits off,
//! seed 1), or reached at `--url`. When there are differences and the mock was started here,
//! each compatibility switch value is tried in turn (one replay each, at most
//! [`MAX_SWITCH_RUNS`]), and a difference that a switch value makes disappear names it (the
//! value that adds the fewest other differences, so `version-mismatch-status=412` wins over
//! `profile=rfc`): set that switch, or report a fidelity bug if none does.

pub(crate) mod comparison;
pub(crate) mod replay;
pub(crate) mod report;

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::cli::args::ParityArgs;
use crate::cli::record::bundle;
use crate::cli::record::upstream::Upstream;
use crate::compat::{Compat, SWITCHES};
use crate::config::Config;
use crate::control::journal::har::{self, Exchange};
use crate::embed::running_server::RunningServer;
use comparison::{Context, Finding, IgnoreFile};

/// The most replays the switch search runs.
pub(crate) const MAX_SWITCH_RUNS: usize = 48;

/// Sessions longer than this are not searched for switches (each search replays it whole).
pub(crate) const MAX_SEARCHED_EXCHANGES: usize = 2_000;

/// Exit code when there are differences and `--fail-on-difference` was given.
pub(crate) const DIFFERENT: i32 = 1;
/// Exit code when the replay could not run.
pub(crate) const FAILED: i32 = 2;

/// A loaded bundle.
#[derive(Debug)]
pub(crate) struct Bundle {
    pub session: Vec<Exchange>,
    pub ignore: IgnoreFile,
    /// Every user and group id in the fixture.
    pub ids: BTreeSet<String>,
}

/// Reads `dir`'s session, ignore list and fixture ids.
pub(crate) fn load(dir: &Path) -> Result<Bundle, String> {
    let read = |name: &str| -> Result<Value, String> {
        let path = dir.join(name);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    };
    let session = har::read(&read(bundle::HAR)?).map_err(|e| format!("{}: {e}", bundle::HAR))?;
    let ignore = if dir.join(bundle::IGNORE).exists() {
        serde_json::from_value(read(bundle::IGNORE)?)
            .map_err(|e| format!("{}: {e}", bundle::IGNORE))?
    } else {
        IgnoreFile::default()
    };
    let mut ids = BTreeSet::new();
    if dir.join(bundle::FIXTURE).exists() {
        let fixture = read(bundle::FIXTURE)?;
        for org in fixture["orgs"].as_array().into_iter().flatten() {
            for key in ["users", "groups"] {
                for r in org[key].as_array().into_iter().flatten() {
                    if let Some(id) = r["id"].as_str() {
                        ids.insert(id.to_owned());
                    }
                }
            }
        }
    }
    Ok(Bundle {
        session,
        ignore,
        ids,
    })
}

/// Starts a mock from the bundle with `compat`, replays, stops it.
async fn replay_on_mock(dir: &Path, b: &Bundle, compat: Compat) -> Result<Vec<Finding>, String> {
    let scenario = dir.join(bundle::SCENARIO);
    let config = Config {
        bind: "127.0.0.1:0".parse().expect("a literal address"),
        fixtures: Some(dir.join(bundle::FIXTURE)),
        scenarios: if scenario.exists() {
            vec![scenario]
        } else {
            Vec::new()
        },
        rate_limit_per_minute: None,
        seed: Some(1),
        compat,
        ..Config::default()
    };
    let server = RunningServer::start(config)
        .await
        .map_err(|e| e.to_string())?;
    let target = Upstream::from_addr(server.addr());
    let findings = replay::replay(&target, &b.session, context(b)).await;
    server.stop().await;
    Ok(findings)
}

fn context(b: &Bundle) -> Context {
    Context {
        known: b.ids.clone(),
        ignore: b.ignore.ignore.clone(),
        ..Context::default()
    }
}

/// Every other value of every switch not set on the command line, `NAME=VALUE`.
fn candidates(fixed: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for s in SWITCHES {
        if fixed.iter().any(|f| f.split('=').next() == Some(s.name)) {
            continue;
        }
        if s.values.contains("..") || !s.values.contains('|') {
            continue;
        }
        for v in s.values.split('|') {
            if v != s.genesys {
                out.push((s.name.to_owned(), v.to_owned()));
            }
        }
    }
    out.truncate(MAX_SWITCH_RUNS);
    out
}

fn compat_with(assignments: &[String]) -> Result<Compat, String> {
    let mut c = Compat::default();
    for a in assignments {
        c.apply_assignment(a)
            .map_err(|e| format!("--compat {a}: {e}"))?;
    }
    Ok(c)
}

/// Runs `parity`; answers the exit code.
pub(crate) async fn run(args: ParityArgs) -> i32 {
    match parity(&args).await {
        Ok(findings) if args.fail_on_difference && !findings.is_empty() => DIFFERENT,
        Ok(_) => 0,
        Err(e) => {
            eprintln!("genesys-scim-mock parity: {e}");
            FAILED
        }
    }
}

async fn parity(args: &ParityArgs) -> Result<Vec<Finding>, String> {
    let targets = report::targets(&args.reports)?;
    let b = load(&args.dir)?;
    let mut findings = match &args.url {
        Some(url) => {
            let mut target = Upstream::parse("--url", url, true)?;
            if let Some(path) = &args.url_ca {
                let pem =
                    std::fs::read(path).map_err(|e| format!("--url-ca {}: {e}", path.display()))?;
                target = target
                    .trusting(&pem)
                    .map_err(|e| format!("--url-ca {}: {e}", path.display()))?;
            }
            replay::replay(&target, &b.session, context(&b)).await
        }
        None => replay_on_mock(&args.dir, &b, compat_with(&args.compat)?).await?,
    };
    let searched = args.url.is_none()
        && !args.no_switch_search
        && !findings.is_empty()
        && b.session.len() <= MAX_SEARCHED_EXCHANGES;
    if searched {
        let baseline: BTreeSet<(usize, String)> = findings.iter().map(Finding::key).collect();
        // Per finding: the switch that removes it while adding the fewest new differences.
        let mut best: Vec<Option<(usize, String)>> = vec![None; findings.len()];
        for (name, value) in candidates(&args.compat) {
            let mut set = args.compat.clone();
            set.push(format!("{name}={value}"));
            let Ok(compat) = compat_with(&set) else {
                continue;
            };
            let Ok(with) = replay_on_mock(&args.dir, &b, compat).await else {
                continue;
            };
            let keys: BTreeSet<(usize, String)> = with.iter().map(Finding::key).collect();
            let added = keys.difference(&baseline).count();
            for (f, slot) in findings.iter().zip(best.iter_mut()) {
                if !keys.contains(&f.key()) && slot.as_ref().is_none_or(|(n, _)| added < *n) {
                    *slot = Some((added, format!("{name}={value}")));
                }
            }
        }
        for (f, slot) in findings.iter_mut().zip(best) {
            f.switch = slot.map(|(_, s)| s);
        }
    }
    let summary = report::Summary {
        bundle: args.dir.display().to_string(),
        requests: b.session.len(),
        findings: &findings,
    };
    report::write(&targets, &summary)?;
    eprintln!(
        "genesys-scim-mock parity: {} request(s) replayed, {} difference(s)",
        b.session.len(),
        findings.len()
    );
    Ok(findings)
}
