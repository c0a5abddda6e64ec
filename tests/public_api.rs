//! The library's public API is chosen on purpose: [`PUBLIC`] is the list, read from
//! `src/lib.rs`, and every name in it appears in the "Public API" section of
//! `docs/pipeline.md`. A module made `pub` by accident would make everything in it public and
//! hide its dead code from rustc; this test says so instead. It also keeps the crate
//! documentation's Layout naming every module.

use std::path::Path;

/// Every `pub` item of `src/lib.rs`, in order (the `bounds` module's re-exports included), each
/// on one line as [`pub_items`] joins it.
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
    "pub use control::report::settings::Layer as ReportSettings;",
    "pub use edge::listener::run as serve;",
    "pub use edge::response::Body;",
    "pub use embed::mock_server::{Builder, Credentials, MockServer, StartError};",
    "pub use pipeline::dispatch::handle;",
    "pub use ratelimit::layer::{RateLayer, Scope as RateScope};",
    "pub use seed::{DEFAULT_ORG, Error as FixtureError, validate};",
    "pub use state::{AppState, SetupError};",
];

/// The `pub` items of `text`, each joined onto one line: a `pub use` rustfmt wrapped over
/// several lines reads as the one line it would be unwrapped.
fn pub_items(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut open: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(item) = open.as_mut() {
            if !item.ends_with('{') && !line.starts_with('}') {
                item.push(' ');
            }
            item.push_str(line);
            if line.ends_with(';') {
                items.extend(open.take().map(|item| item.replace(",}", "}")));
            }
            continue;
        }
        if !(line.starts_with("pub ") || line.starts_with("pub(")) || line.starts_with("pub(crate)")
        {
            continue;
        }
        if line.ends_with(';') || line.starts_with("pub mod ") {
            items.push(line.to_owned());
        } else {
            open = Some(line.to_owned());
        }
    }
    items
}

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
    let found = pub_items(&lib);
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
    assert_eq!(
        pub_items(
            "pub mod a {\n    pub use x::{\n        B, C,\n        D,\n    };\n}\npub(crate) use y::E;\n"
        ),
        ["pub mod a {", "pub use x::{B, C, D};"]
    );
    assert_eq!(names("pub mod compat;"), ["compat"]);
    assert_eq!(names("pub mod bounds {"), ["bounds"]);
    assert_eq!(names("pub use router::handle;"), ["handle"]);
    assert_eq!(names("pub use server::run as serve;"), ["serve"]);
    assert_eq!(
        names("pub use fixtures::{DEFAULT_ORG, Error as FixtureError, validate};"),
        ["DEFAULT_ORG", "FixtureError", "validate"]
    );
}

/// The public types that can grow, by the file that declares them. Each is `#[non_exhaustive]`,
/// so a new field, switch or variant is a minor change (docs/pipeline.md, "Public API").
const GROWING: &[(&str, &[&str])] = &[
    ("src/config.rs", &["struct Config", "enum LogFormat"]),
    (
        "src/ratelimit/layer.rs",
        &["struct RateLayer", "enum Scope"],
    ),
    ("src/embed/mock_server.rs", &["struct Credentials"]),
    ("src/embed/running_server.rs", &["enum StartError"]),
    ("src/state.rs", &["enum SetupError"]),
    ("src/seed/error.rs", &["struct Error"]),
];

/// The `pub struct` and `pub enum` declarations of `text` (`"enum Profile"`), each with whether
/// its attributes include `#[non_exhaustive]`.
fn declarations(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut attributes = false;
    for line in text.lines().map(str::trim) {
        if line == "#[non_exhaustive]" {
            attributes = true;
        } else if let Some(rest) = line
            .strip_prefix("pub struct ")
            .map(|r| ("struct", r))
            .or_else(|| line.strip_prefix("pub enum ").map(|r| ("enum", r)))
        {
            let name = rest.1.split([' ', '{', '(', '<', ';']).next().unwrap_or("");
            out.push((format!("{} {name}", rest.0), attributes));
            attributes = false;
        } else if !line.starts_with("#[") && !line.starts_with("///") {
            attributes = false;
        }
    }
    out
}

#[test]
fn the_public_types_that_grow_are_non_exhaustive() {
    let mut missing = Vec::new();
    for (file, types) in GROWING {
        let found = declarations(&read(file));
        for ty in *types {
            match found.iter().find(|(name, _)| name == ty) {
                Some((_, true)) => {}
                Some((_, false)) => missing.push(format!("{file}: {ty}")),
                None => panic!("{file} no longer declares `pub {ty}`: update GROWING"),
            }
        }
    }
    // Every public struct and enum of the switch table, whatever switches are added later.
    let compat = declarations(&read("src/compat/mod.rs"));
    assert!(compat.len() >= 10, "{compat:?}");
    missing.extend(
        compat
            .iter()
            .filter(|(_, non_exhaustive)| !non_exhaustive)
            .map(|(name, _)| format!("src/compat/mod.rs: {name}")),
    );
    assert!(
        missing.is_empty(),
        "public types without #[non_exhaustive]: {missing:?}"
    );
}

#[test]
fn declarations_see_attributes_above_docs_and_derives() {
    let text = "/// A.\n#[derive(Debug)]\n#[non_exhaustive]\npub struct A {\n}\n\
                #[derive(Debug)]\npub enum B { X }\n#[non_exhaustive]\nfn f() {}\npub struct C;\n";
    assert_eq!(
        declarations(text),
        [
            ("struct A".to_owned(), true),
            ("enum B".to_owned(), false),
            ("struct C".to_owned(), false),
        ]
    );
}
