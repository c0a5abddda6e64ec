//! `exec --export-on-exit DIR`: the final state and the journal, written as CI artifacts.
//!
//! Layout: `DIR/orgs/<org id>.json` (each org as a fixture org, loadable with `--fixtures`) and
//! `DIR/requests.jsonl` (the journal, one exchange per line). Read through the admin API, so
//! the files are exactly what `GET /__admin/orgs/{id}/export` and
//! `GET /__admin/requests?format=jsonl` answer.

use std::path::PathBuf;

use futures_util::future::BoxFuture;
use http::Method;
use serde_json::Value;

use crate::base::http_client::Client;
use crate::cli::exec::step::{ChildExit, ExitStep, StepFailure};

/// The journal's file in the export directory.
pub(crate) const JOURNAL_FILE: &str = "requests.jsonl";

/// Exit code when the export cannot be written.
pub(crate) const EXPORT_FAILED: i32 = 1;

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

    /// Writes every org and the journal.
    pub(crate) async fn write(&self, client: &Client) -> Result<(), String> {
        let orgs = client.get_json("/__admin/orgs").await?;
        let ids: Vec<String> = orgs["orgs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o.as_str().or_else(|| o["id"].as_str()).map(str::to_owned))
            .collect();
        for id in ids {
            let encoded =
                percent_encoding::utf8_percent_encode(&id, percent_encoding::NON_ALPHANUMERIC);
            let org = client
                .get_json(&format!("/__admin/orgs/{encoded}/export"))
                .await?;
            self.write_file(&format!("orgs/{}.json", file_name(&id)), &pretty(&org))?;
        }
        let journal = client
            .call(Method::GET, "/__admin/requests?format=jsonl", None)
            .await?
            .success("/__admin/requests")?;
        self.write_file(JOURNAL_FILE, &journal.body)
    }

    fn write_file(&self, name: &str, bytes: &[u8]) -> Result<(), String> {
        let path = self.dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))
    }
}

impl ExitStep for ExportOnExit {
    fn name(&self) -> &str {
        "--export-on-exit"
    }

    fn run<'a>(&'a self, finished: &'a ChildExit<'a>) -> BoxFuture<'a, Result<(), StepFailure>> {
        Box::pin(async move {
            self.write(&finished.client)
                .await
                .map_err(|message| StepFailure {
                    code: EXPORT_FAILED,
                    message,
                })
        })
    }
}

fn pretty(v: &Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(v).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// An org id as a file name: anything but `[A-Za-z0-9._-]` becomes `_`.
fn file_name(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .trim_start_matches('.')
        .to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn org_ids_become_safe_file_names() {
        assert_eq!(super::file_name("default"), "default");
        assert_eq!(super::file_name("../etc/x y"), "_etc_x_y");
        assert_eq!(super::file_name("a.b-c_d"), "a.b-c_d");
    }
}
