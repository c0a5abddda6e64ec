//! Product text names only sources a user can open: an article title and URL, a repository
//! path and function, a forum thread title and date. The research notes the project was built
//! from are not public, so their names ("seed 004", "genesys-api.md §6", evidence tags such as
//! `[C, PY-SCIM]`) must never reach the README, the docs, the scenario READMEs, the fixtures,
//! the code's comments and messages (the client report's "Source:" lines among them) or the
//! tests a user reads as examples.

use std::path::{Path, PathBuf};

/// Names of the private research notes and their short source names.
const PRIVATE_NAMES: &[&str] = &[
    "genesys-api.md",
    "genesys-api §",
    "seed summary",
    "PY-SCIM",
    "PY-USERS",
    "PY-MODELS",
    "PY-CLIENT",
    "COMM-LIMITS",
    "COMM-SSO",
    "HELP-MAP",
    "HELP-GROUPS",
    "HELP-OAUTH",
    "HELP-ENTRA",
    "HELP-OKTA",
    "HELP-USERMGMT",
    "FORUM-429",
    "FORUM-ININ",
    "FORUM-ROLES",
    "MS-GC",
    "MS-QUIRKS",
    "[C, ",
    "[R, ",
    "[I, ",
    "[U, ",
];

/// Evidence tags without a source, which only prose uses (`&[U]` is Rust).
const PROSE_TAGS: &[&str] = &["[C]", "[R]", "[I]", "[U]", "[C]onfirmed", "[U]nconfirmed"];

/// What in `text` names a private source, if anything: a private name, or "seed" followed by a
/// three-digit number from `0` (`seed 004`, `Seed 000's`, `seed_002_body`; not `--seed 42`).
fn private_source(text: &str, prose: bool) -> Option<String> {
    if let Some(name) = PRIVATE_NAMES.iter().find(|n| text.contains(**n)) {
        return Some((*name).to_owned());
    }
    if prose && let Some(tag) = PROSE_TAGS.iter().find(|t| text.contains(**t)) {
        return Some((*tag).to_owned());
    }
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    lower.match_indices("seed").find_map(|(at, _)| {
        if lower[..at].ends_with('-') {
            return None;
        }
        let rest = &bytes[at + 4..];
        let digits = match rest.first() {
            Some(b' ' | b'_' | b'-') => &rest[1..],
            _ => return None,
        };
        let numbered = digits.len() >= 3
            && digits[0] == b'0'
            && digits[..3].iter().all(u8::is_ascii_digit)
            && !digits.get(3).is_some_and(u8::is_ascii_digit);
        numbered.then(|| lower[at..at + 8].to_owned())
    })
}

/// Every file under `dir` (recursively) whose name ends in one of `exts`.
fn files(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !matches!(name, "target" | "node_modules" | ".git") {
                files(&path, exts, out);
            }
        } else if exts.iter().any(|x| name.ends_with(x)) {
            out.push(path);
        }
    }
}

#[test]
fn no_product_text_names_a_private_source() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let this = root.join("tests/public_sources.rs");
    let mut prose = vec![root.join("README.md"), root.join("CHANGELOG.md")];
    for dir in ["docs", "scenarios", "fixtures", "examples", "bench"] {
        files(&root.join(dir), &[".md", ".json", ".txt"], &mut prose);
    }
    let mut code = Vec::new();
    for dir in ["src", "tests", "examples", "bench"] {
        files(&root.join(dir), &[".rs", ".js", ".mjs", ".html"], &mut code);
    }
    code.retain(|p| *p != this);
    assert!(
        prose.len() > 10 && code.len() > 50,
        "the scan found the files"
    );
    let mut found = Vec::new();
    for (paths, is_prose) in [(&prose, true), (&code, false)] {
        for path in paths.iter() {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            for (n, line) in text.lines().enumerate() {
                if let Some(name) = private_source(line, is_prose) {
                    let shown = path.strip_prefix(root).unwrap_or(path).display();
                    found.push(format!("{shown}:{}: {name:?} in {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "product text names private research sources; cite the public source instead (an \
         article title and URL, a repository path and function, a forum thread title and date):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_recognises_each_form_of_a_private_name() {
    for text in [
        "the field-mapping article (seed 004)",
        "Seed 000's extension-only PUT",
        "fn seed_002_body()",
        "see genesys-api.md §6",
        "300 [C, COMM-LIMITS]",
        "not published [U, …]",
    ] {
        assert!(private_source(text, false).is_some(), "{text}");
    }
    assert!(private_source("keys and values not published [U]", true).is_some());
    for text in [
        "--seed 42 gives the same ids",
        "--seed 012 is a seed too",
        "seed 20260301",
        "a seeded RNG (seed 7)",
        "records: &[U],",
        "RFC 7644 §3.12",
    ] {
        assert!(private_source(text, false).is_none(), "{text}");
    }
}
