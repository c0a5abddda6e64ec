//! The library's public API is chosen on purpose: [`PUBLIC`] is the list, read from
//! `src/lib.rs`, and every name in it appears in the "Public API" section of
//! `docs/pipeline.md`. A module made `pub` by accident would make everything in it public and
//! hide its dead code from rustc; this test says so instead. It also keeps the crate
//! documentation's Layout naming every module.

use std::path::Path;

/// Every `pub` line of `src/lib.rs`, in order (the `bounds` module's re-exports included).
const PUBLIC: &[&str] = &[
    "pub mod cli;",
    "pub mod compat;",
    "pub mod bounds {",
    "pub use crate::control::journal::truncation::MIN_JOURNAL_BYTES;",
    "pub use crate::control::journal::truncation::{MAX_BODY_TEXT, MAX_HEADER_VALUE};",
    "pub use crate::control::scenario::engine::MAX_SCENARIOS;",
    "pub use crate::control::scenario::rule::MAX_RULES;",
    "pub use crate::genesys::user_budget::MAX_USERS;",
    "pub use crate::scim::list::MAX_COUNT;",
    "pub use crate::seed::build::MAX_CLIENTS_PER_ORG;",
    "pub use crate::store::MAX_ORGS;",
    "pub use crate::store::tokens::{MAX_TOKENS, MAX_TOKENS_PER_CLIENT};",
    "pub use config::{Config, LogFormat};",
    "pub use control::journal::redaction::Redaction;",
    "pub use edge::listener::run as serve;",
    "pub use edge::response::Body;",
    "pub use embed::mock_server::{Builder, Credentials, MockServer, StartError};",
    "pub use pipeline::dispatch::handle;",
    "pub use ratelimit::layer::RateLayer;",
    "pub use seed::{DEFAULT_ORG, Error as FixtureError, validate};",
    "pub use state::{AppState, SetupError};",
];

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The names a `pub` line makes public (`Error as FixtureError` makes `FixtureError`).
fn names(line: &str) -> Vec<String> {
    let body = line
        .trim_start_matches("pub mod ")
        .trim_start_matches("pub use ")
        .trim_end_matches([';', '{', ' ']);
    let list = match body.split_once('{') {
        Some((_, inner)) => inner.trim_end_matches('}').to_owned(),
        None => body.rsplit("::").next().unwrap_or(body).to_owned(),
    };
    list.split(',')
        .map(|item| item.trim())
        .filter(|item| !item.is_empty())
        .map(|item| item.rsplit(" as ").next().unwrap_or(item).to_owned())
        .collect()
}

#[test]
fn the_public_items_of_lib_rs_are_the_chosen_ones() {
    let lib = read("src/lib.rs");
    let found: Vec<&str> = lib
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("pub ") || l.starts_with("pub("))
        .filter(|l| !l.starts_with("pub(crate)"))
        .collect();
    assert_eq!(
        found, PUBLIC,
        "the public API of src/lib.rs changed: if on purpose, update PUBLIC in \
         tests/public_api.rs and the table in docs/pipeline.md (\"Public API\")"
    );
    assert!(
        !lib.contains("pub(crate) mod"),
        "top-level modules are plain `mod` (crate-private) or listed in PUBLIC"
    );
}

#[test]
fn every_public_name_is_in_the_docs() {
    let doc = read("docs/pipeline.md");
    let section = doc
        .split_once("## Public API")
        .and_then(|(_, rest)| rest.split("\n## ").next())
        .expect("docs/pipeline.md has a Public API section");
    let missing: Vec<String> = PUBLIC
        .iter()
        .flat_map(|line| names(line))
        .filter(|name| !section.contains(&format!("`{name}")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/pipeline.md's Public API section does not name {missing:?}"
    );
}

#[test]
fn every_module_is_in_the_layout() {
    let lib = read("src/lib.rs");
    let (layout, items) = lib
        .split_once("\n// ")
        .or_else(|| lib.split_once("\nmod "))
        .expect("src/lib.rs has module declarations after its documentation");
    let missing: Vec<&str> = items
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            l.strip_prefix("pub mod ")
                .or_else(|| l.strip_prefix("mod "))
                .map(|rest| rest.trim_end_matches([';', '{', ' ']))
        })
        .filter(|m| !layout.contains(&format!("`{m}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "src/lib.rs's Layout does not describe {missing:?}"
    );
}

#[test]
fn names_reads_each_form_of_pub_line() {
    assert_eq!(names("pub mod compat;"), ["compat"]);
    assert_eq!(names("pub mod bounds {"), ["bounds"]);
    assert_eq!(names("pub use router::handle;"), ["handle"]);
    assert_eq!(names("pub use server::run as serve;"), ["serve"]);
    assert_eq!(
        names("pub use fixtures::{DEFAULT_ORG, Error as FixtureError, validate};"),
        ["DEFAULT_ORG", "FixtureError", "validate"]
    );
}
