//! `exec --export-on-exit DIR`: the final state and the whole journal, written as CI artifacts
//! that lose nothing.
//!
//! Layout:
//!
//! - `DIR/orgs/<name>.json`: one fixture document per org (`{"version": 1, "orgs": [org]}`),
//!   as `GET /__admin/orgs/{id}/export` gives the org, so `validate DIR/orgs` and
//!   `--fixtures DIR/orgs` load them all and a restore keeps every record's version and times.
//!   `<name>` is the org id when that is a safe file name ([`file_names`]); otherwise the id
//!   made safe plus a hash of it, so ids that clean to the same name (`a/b`, `a b`, `a_b`)
//!   never share a file. `DIR/orgs` holds this export only: other `*.json` files there are
//!   removed, or `--fixtures DIR/orgs` would load them too.
//! - `DIR/requests.jsonl`: every journal entry, oldest first, one per line, read page by page
//!   (`GET /__admin/requests?after=`), so nothing past the first page is left out.
//! - `DIR/index.json`: which file holds which org, and how many journal entries were written
//!   and how many the journal had already dropped (`--journal-size`, `--journal-bytes`).
//!
//! Every file is attempted even when one fails; a failure anywhere fails the step (exit 1),
//! naming the file.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use futures_util::future::BoxFuture;
use serde_json::{Value, json};

use crate::base::http_client::Client;
use crate::cli::exec::step::{ChildExit, ExitStep, StepFailure};
use crate::seed::{FORMAT_VERSION, FixtureFile};
use crate::state::AppState;

/// The journal's file in the export directory.
pub(crate) const JOURNAL_FILE: &str = "requests.jsonl";

/// Exit code when the export cannot be written.
pub(crate) const EXPORT_FAILED: i32 = 1;

/// Journal entries per page read: each may hold two 64 KiB bodies, and a page must stay well
/// under what the client reads in one answer (`client::MAX_RESPONSE_BYTES`).
const PAGE: usize = 100;

/// The longest org id used as it is in a file name; longer ones are cut and hashed.
const MAX_NAME: usize = 100;

/// The `--export-on-exit` step.
#[derive(Debug, Clone)]
pub(crate) struct ExportOnExit {
    dir: PathBuf,
}

impl ExportOnExit {
    /// Creates `dir` (and `dir/orgs`) now, so an unwritable directory fails before the command
    /// runs rather than after.
    pub(crate) fn new(dir: PathBuf) -> Result<Self, String> {
        std::fs::create_dir_all(dir.join("orgs"))
            .map_err(|e| format!("--export-on-exit {}: {e}", dir.display()))?;
        Ok(Self { dir })
    }

    /// Writes every org, the journal and the index; the errors, one per file that failed.
    pub(crate) async fn write(&self, state: &AppState, client: &Client) -> Result<(), String> {
        let mut errors = Vec::new();
        let mut ids = state.store.org_ids();
        ids.sort();
        let names = file_names(&ids);
        let mut orgs = Vec::new();
        for (id, name) in ids.iter().zip(&names) {
            let file = format!("orgs/{name}");
            match self.write_org(state, id, &file) {
                Ok(()) => orgs.push(json!({"id": id, "file": file})),
                Err(e) => errors.push(e),
            }
        }
        if let Err(e) = self.remove_others(&names) {
            errors.push(e);
        }
        let requests = match self.write_journal(client).await {
            Ok((entries, dropped)) => {
                json!({"file": JOURNAL_FILE, "entries": entries, "dropped": dropped})
            }
            Err(e) => {
                errors.push(e);
                Value::Null
            }
        };
        let mut index = json!({"orgs": orgs, "requests": requests});
        if !errors.is_empty() {
            index["errors"] = json!(errors);
        }
        if let Err(e) = self.write_file("index.json", &pretty(&index)) {
            errors.push(e);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }

    /// One org as a fixture document of its own.
    fn write_org(&self, state: &AppState, id: &str, file: &str) -> Result<(), String> {
        let org = crate::control::admin::orgs::export_fixture(state, id)
            .map_err(|e| format!("{file} (org {id:?}): {}", e.detail))?;
        let doc = FixtureFile {
            schema: None,
            version: FORMAT_VERSION,
            orgs: vec![org],
        };
        let mut bytes = serde_json::to_vec_pretty(&doc).map_err(|e| format!("{file}: {e}"))?;
        bytes.push(b'\n');
        self.write_file(file, &bytes)
    }

    /// Removes the `*.json` files in `orgs/` this export did not write (an earlier run's).
    fn remove_others(&self, names: &[String]) -> Result<(), String> {
        let dir = self.dir.join("orgs");
        let written: HashSet<&str> = names.iter().map(String::as_str).collect();
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let stale = path.extension().is_some_and(|x| x == "json")
                && path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_none_or(|n| !written.contains(n));
            if stale && path.is_file() {
                std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
        Ok(())
    }

    /// Every journal entry, page by page, one per line. Returns the entries written and the
    /// journal's count of entries it had dropped before the export.
    async fn write_journal(&self, client: &Client) -> Result<(u64, u64), String> {
        let path = self.dir.join(JOURNAL_FILE);
        let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
        let file = std::fs::File::create(&path).map_err(|e| fail(&e))?;
        let mut out = std::io::BufWriter::new(file);
        let mut after: Option<u64> = None;
        let mut written = 0u64;
        let mut held = None;
        let mut dropped = 0;
        loop {
            let query = match after {
                Some(seq) => format!("/__admin/requests?limit={PAGE}&after={seq}"),
                None => format!("/__admin/requests?limit={PAGE}"),
            };
            let page = client.get_json(&query).await.map_err(|e| fail(&e))?;
            if held.is_none() {
                held = page["journal"]["held"].as_u64();
                dropped = page["journal"]["dropped"].as_u64().unwrap_or(0);
            }
            for entry in page["requests"].as_array().into_iter().flatten() {
                serde_json::to_writer(&mut out, entry).map_err(|e| fail(&e))?;
                out.write_all(b"\n").map_err(|e| fail(&e))?;
                written += 1;
            }
            match page["next"].as_u64() {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        out.flush().map_err(|e| fail(&e))?;
        match held {
            Some(held) if held != written => Err(fail(&format!(
                "the journal held {held} entries but {written} were read"
            ))),
            _ => Ok((written, dropped)),
        }
    }

    fn write_file(&self, name: &str, bytes: &[u8]) -> Result<(), String> {
        let path = self.dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))
    }

    fn path(&self) -> &Path {
        &self.dir
    }
}

impl ExitStep for ExportOnExit {
    fn name(&self) -> &str {
        "--export-on-exit"
    }

    fn run<'a>(&'a self, finished: &'a ChildExit<'a>) -> BoxFuture<'a, Result<(), StepFailure>> {
        Box::pin(async move {
            self.write(finished.instance.state(), &finished.client)
                .await
                .map_err(|message| StepFailure {
                    code: EXPORT_FAILED,
                    message: format!(
                        "the export in {} is incomplete: {message}",
                        self.path().display()
                    ),
                })
        })
    }
}

fn pretty(v: &Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(v).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// A file name (`<name>.json`) for each org id, no two alike even on a file system that
/// ignores case. An id that is a safe name (`[A-Za-z0-9._-]`, not starting with a dot, at most
/// [`MAX_NAME`] bytes) is its own name, unless an earlier id took it; any other id is made
/// safe (every other character becomes `_`) and followed by the first 8 hex digits of its
/// FNV-1a hash, then by `-2`, `-3`, ... should that be taken too. `ids` in a fixed order give
/// the same names.
fn file_names(ids: &[String]) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::new();
    let mut names: Vec<Option<String>> = vec![None; ids.len()];
    // Safe ids first, so none loses its own name to a cleaned one.
    for (slot, id) in names.iter_mut().zip(ids) {
        if safe(id) && taken.insert(id.to_ascii_lowercase()) {
            *slot = Some(id.clone());
        }
    }
    for (slot, id) in names.iter_mut().zip(ids) {
        if slot.is_some() {
            continue;
        }
        let cleaned: String = cleaned(id).chars().take(MAX_NAME).collect();
        let base = format!("{cleaned}-{:08x}", fnv1a(id) >> 32);
        let mut name = base.clone();
        let mut n = 2;
        while !taken.insert(name.to_ascii_lowercase()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        *slot = Some(name);
    }
    names
        .into_iter()
        .map(|n| format!("{}.json", n.unwrap_or_default()))
        .collect()
}

/// Whether an id is a file name as it is.
fn safe(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_NAME
        && !id.starts_with('.')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// An id with anything but `[A-Za-z0-9._-]` as `_`, and no leading dot.
fn cleaned(id: &str) -> String {
    let c: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let c = c.trim_start_matches('.');
    if c.is_empty() {
        "org".to_owned()
    } else {
        c.to_owned()
    }
}

/// 64-bit FNV-1a: a fixed hash (the standard library's is seeded per process).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(ids: &[&str]) -> Vec<String> {
        file_names(&ids.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn org_ids_become_distinct_safe_file_names() {
        let ids = [
            "default",
            "a/b",
            "a b",
            "a_b",
            "A_B",
            "../etc/x y",
            ".hidden",
            "",
        ];
        let got = names(&ids);
        assert_eq!(got[0], "default.json");
        assert_eq!(got[3], "a_b.json", "a safe id keeps its name");
        let lower: HashSet<String> = got.iter().map(|n| n.to_ascii_lowercase()).collect();
        assert_eq!(lower.len(), got.len(), "{got:?}");
        for n in &got {
            assert!(safe(n.trim_end_matches(".json")), "{n}");
        }
        assert!(
            got[1].starts_with("a_b-") && got[2].starts_with("a_b-"),
            "{got:?}"
        );
        assert!(got[5].starts_with("_etc_x_y-"), "{got:?}");
        // The same ids give the same names.
        assert_eq!(got, names(&ids));
        // A safe id that equals a cleaned one's name keeps it; the cleaned one moves on.
        let hashed = names(&["a/b"])[0].trim_end_matches(".json").to_owned();
        let both = names(&["a/b", &hashed]);
        assert_eq!(both[1], format!("{hashed}.json"));
        assert_eq!(both[0], format!("{hashed}-2.json"));
        let long = "x".repeat(300);
        assert!(names(&[&long])[0].len() < 120);
    }
}
