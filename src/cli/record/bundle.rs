//! The bundle `record` writes when it stops: `session.har`, `fixture.json`, `scenario.json`,
//! `expect.json`, `ignore.json` and `README.md`, all from the scrubbed (and, with
//! `--anonymize`, anonymized) exchanges, so no file holds what the scrubbing removed.

use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::anonymize::Anonymizer;
use super::faults;
use super::observed::{ORG, Observed};
use super::scrub::{CLIENT_SECRET, Scrubber};
use crate::control::journal::har::{self, Exchange};

/// The bundle's file names.
pub(crate) const HAR: &str = "session.har";
pub(crate) const FIXTURE: &str = "fixture.json";
pub(crate) const SCENARIO: &str = "scenario.json";
pub(crate) const EXPECT: &str = "expect.json";
pub(crate) const IGNORE: &str = "ignore.json";
pub(crate) const README: &str = "README.md";

/// How the bundle is made.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub scrub: bool,
    pub anonymize: bool,
    pub upstream: String,
    pub login_upstream: String,
    pub started: DateTime<Utc>,
    pub stopped: DateTime<Utc>,
    /// Exchanges the proxy forwarded but did not keep (the recording bound was reached).
    pub dropped: u64,
}

/// What was written, for the closing message.
#[derive(Debug)]
pub(crate) struct Written {
    pub exchanges: usize,
    pub users: usize,
    pub groups: usize,
    pub rules: usize,
}

/// Makes the bundle from the exchanges as captured and writes it into `dir` (created).
pub(crate) fn write(dir: &Path, raw: Vec<Exchange>, opts: &Options) -> Result<Written, String> {
    let mut exchanges = raw;
    let mut scrubber = Scrubber::default();
    if opts.scrub {
        scrubber.scrub(&mut exchanges);
    } else {
        // Only to learn the clients and their secrets, which the fixture then holds.
        scrubber.scrub(&mut exchanges.clone());
    }
    if opts.anonymize {
        Anonymizer::default().anonymize(&mut exchanges);
    }
    let clients: Vec<(String, String)> = scrubber
        .clients
        .iter()
        .map(|(id, secret)| {
            let secret = if opts.scrub || secret.is_empty() {
                CLIENT_SECRET.to_owned()
            } else {
                secret.clone()
            };
            (id.clone(), secret)
        })
        .collect();
    let mut observed = Observed::from_exchanges(&exchanges);
    let fixture = observed.fixture(&clients);
    let expect = observed.expectation();
    let scenario = faults::scenario(&exchanges);
    let har_doc = har::log(exchanges.iter().map(har::entry).collect());
    let written = Written {
        exchanges: exchanges.len(),
        users: fixture["orgs"][0]["users"].as_array().map_or(0, Vec::len),
        groups: fixture["orgs"][0]["groups"].as_array().map_or(0, Vec::len),
        rules: scenario["rules"].as_array().map_or(0, Vec::len),
    };
    let ignore = json!({
        "ignore": [],
        "_comment": "Differences parity skips: {\"path\": \"/json/pointer\", \"route\": \"users.get\"} (route optional, `*` allowed in both).",
    });
    std::fs::create_dir_all(dir).map_err(|e| format!("--out {}: {e}", dir.display()))?;
    let put = |name: &str, text: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    let pretty = |v: &Value| {
        let mut s = serde_json::to_vec_pretty(v).unwrap_or_default();
        s.push(b'\n');
        s
    };
    put(HAR, &pretty(&har_doc))?;
    put(FIXTURE, &pretty(&fixture))?;
    put(SCENARIO, &pretty(&scenario))?;
    put(EXPECT, &pretty(&expect))?;
    put(IGNORE, &pretty(&ignore))?;
    put(README, readme(opts, &written, &observed).as_bytes())?;
    Ok(written)
}

fn readme(opts: &Options, w: &Written, o: &Observed) -> String {
    let at = |t: &DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut s = format!(
        "# Recorded session\n\n\
         Recorded by `genesys-scim-mock record` from {} to {} against `{}` (token requests: `{}`).\n\n\
         - {} exchanges in `{HAR}` (HAR 1.2);\n\
         - `{FIXTURE}`: org `{ORG}` with {} users and {} groups, as the session first saw them;\n\
         - `{SCENARIO}`: {} rules for the upstream's throttles, server errors, resets and timeouts;\n\
         - `{EXPECT}`: the end state the session left, for `verify` and `exec --expect`;\n\
         - `{IGNORE}`: differences `parity` skips.\n\n",
        at(&opts.started),
        at(&opts.stopped),
        opts.upstream,
        opts.login_upstream,
        w.exchanges,
        w.users,
        w.groups,
        w.rules,
    );
    s.push_str(if opts.scrub {
        "Credentials are scrubbed: bearer tokens are `recorded-token-N`, the client secret is \
         `recorded-client-secret` (which the fixture's client accepts), passwords and cookies \
         are `<redacted>`.\n"
    } else {
        "**Not scrubbed** (`--no-scrub`): this bundle holds the session's credentials in clear. \
         Do not share it.\n"
    });
    if opts.anonymize {
        s.push_str(
            "Emails, names, phone numbers and external ids are anonymized consistently \
             (`--anonymize`).\n",
        );
    }
    if opts.dropped > 0 {
        s.push_str(&format!(
            "\n{} later exchanges were forwarded but not recorded: the recording bound was reached.\n",
            opts.dropped
        ));
    }
    if !o.after_write.is_empty() {
        s.push_str(&format!(
            "\nFirst seen in a write's answer, so their fixture state is the state after that write: {}.\n",
            o.after_write.join(", ")
        ));
    }
    if !o.placeholders.is_empty() {
        s.push_str(&format!(
            "\nReferenced but never read, so placeholders stand in for them: {}.\n",
            o.placeholders.join(", ")
        ));
    }
    s.push_str(
        "\n## Replay\n\n```sh\n\
         # Every difference between the mock and the recorded answers:\n\
         genesys-scim-mock parity . --report markdown:parity.md\n\
         # The recorded org, to point a client at, with its end state checked afterwards:\n\
         genesys-scim-mock exec --fixtures fixture.json --scenario scenario.json --rate-limit off \\\n\
         \x20 --expect expect.json -- ./your-client\n\
         ```\n\nSee docs/record.md.\n",
    );
    s
}
