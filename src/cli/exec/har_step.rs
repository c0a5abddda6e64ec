//! `exec --har PATH`: the journal as a HAR 1.2 file after the command exits, so any CI run can
//! hand its traffic to the tools that open archives (browsers' developer tools, Postman) or
//! to `parity`. Read from the server's own journal, in-process, the same entries
//! `GET /__admin/requests?format=har` answers.

use std::path::PathBuf;

use futures_util::future::BoxFuture;

use crate::base::http_client::BaseUrl;
use crate::cli::exec::step::{ChildExit, ExitStep, StepFailure};
use crate::control::journal::{Matcher, har};

/// Exit code when the file cannot be written.
pub(crate) const HAR_FAILED: i32 = 1;

/// The `--har` step.
#[derive(Debug, Clone)]
pub(crate) struct HarOnExit {
    path: PathBuf,
}

impl HarOnExit {
    /// Checks now that `path` can be created, so a bad path fails before the command runs.
    pub(crate) fn new(path: PathBuf) -> Result<Self, String> {
        std::fs::File::create(&path).map_err(|e| format!("--har {}: {e}", path.display()))?;
        Ok(Self { path })
    }
}

impl ExitStep for HarOnExit {
    fn name(&self) -> &str {
        "--har"
    }

    fn run<'a>(&'a self, finished: &'a ChildExit<'a>) -> BoxFuture<'a, Result<(), StepFailure>> {
        Box::pin(async move {
            let origin = BaseUrl::from_addr(finished.instance.addr()).url();
            let entries = finished
                .instance
                .state()
                .journal
                .batch(&Matcher::default(), 0, u64::MAX, usize::MAX)
                .iter()
                .map(|e| har::entry(&har::from_entry(e, &origin)))
                .collect();
            let text = serde_json::to_vec_pretty(&har::log(entries)).unwrap_or_default();
            std::fs::write(&self.path, text).map_err(|e| StepFailure {
                code: HAR_FAILED,
                message: format!("{}: {e}", self.path.display()),
            })
        })
    }
}
