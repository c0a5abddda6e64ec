//! `exec --expect FILE`: after the command exits, while the server is still up, the end state
//! is checked against the expectation, the differences printed on stderr (and written as JUnit
//! with `--expect-junit PATH`), and an unmet expectation turns a successful command's exit
//! into 1 (a failed command keeps its own code, as for every after-the-command step).
//!
//! The file is read and checked when `exec` starts, before the server and the command: a bad
//! expectation fails at once, naming the file, the record and the field. The check itself runs
//! in-process on the server's store, so it sees exactly the state the command left.

use std::path::PathBuf;

use futures_util::future::BoxFuture;

use crate::cli::exec::step::{ChildExit, ExitStep, StepFailure};
use crate::control::expect::{Expectation, check};

/// Exit code when the end state is not as expected.
pub(crate) const UNMET: i32 = 1;

/// The `--expect` step.
#[derive(Debug, Clone)]
pub(crate) struct ExpectOnExit {
    file: PathBuf,
    expectation: Expectation,
    junit: Option<PathBuf>,
}

impl ExpectOnExit {
    /// Reads and checks `file` now, so a bad expectation fails before the command runs.
    pub(crate) fn new(file: PathBuf, junit: Option<PathBuf>) -> Result<Self, String> {
        let (_, expectation) = crate::cli::verify::read_file(&file)?;
        Ok(Self {
            file,
            expectation,
            junit,
        })
    }
}

impl ExitStep for ExpectOnExit {
    fn name(&self) -> &str {
        "--expect"
    }

    fn run<'a>(&'a self, finished: &'a ChildExit<'a>) -> BoxFuture<'a, Result<(), StepFailure>> {
        Box::pin(async move {
            let verdict = check(&finished.instance.state().store, &self.expectation);
            if let Some(path) = &self.junit {
                std::fs::write(path, verdict.to_junit()).map_err(|e| StepFailure {
                    code: UNMET,
                    message: format!("--expect-junit {}: {e}", path.display()),
                })?;
            }
            let text = verdict.to_text();
            if verdict.ok() {
                eprint!(
                    "genesys-scim-mock exec: --expect {}: {text}",
                    self.file.display()
                );
                Ok(())
            } else {
                Err(StepFailure {
                    code: UNMET,
                    message: format!(
                        "{}: the end state is not as expected\n{text}",
                        self.file.display()
                    ),
                })
            }
        })
    }
}
