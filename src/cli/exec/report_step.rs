//! `exec --report FORMAT:PATH --fail-on LEVEL`: the client report's gate
//! (`crate::cli::report_gate`) run after the command exits, while the server is still up. The
//! reports are read after `exec` has stopped the server, so they name entries by `seq` (in
//! `--export-on-exit`'s `requests.jsonl` when there is one) rather than linking to the server.

use futures_util::future::BoxFuture;

use crate::cli::args::GateFlags;
use crate::cli::exec::step::{ChildExit, ExitStep, StepFailure};
use crate::cli::report_gate::{RULES_BROKEN, ReportGate, print, run};
use crate::control::report::severity::Severity;

/// `exec --report/--fail-on`: the gate run after the command exits, while the server is up.
#[derive(Debug, Clone)]
pub(crate) struct ReportOnExit {
    gate: ReportGate,
}

impl ReportOnExit {
    /// The step for `exec`'s flags, or `None` when none was given; `export` is
    /// `--export-on-exit`'s directory. Checked before the server starts, so a bad flag fails at
    /// once.
    pub(crate) fn from_flags(
        f: &GateFlags,
        export: Option<&std::path::Path>,
    ) -> Result<Option<Self>, String> {
        if !f.wanted() {
            return Ok(None);
        }
        let mut gate = ReportGate::from_flags(f, &[], &[], None)?;
        gate.query.push(("links".to_owned(), "seq".to_owned()));
        if let Some(dir) = export {
            let journal = dir.join(crate::cli::exec::export_step::JOURNAL_FILE);
            gate.query
                .push(("journal".to_owned(), journal.display().to_string()));
        }
        Ok(Some(Self { gate }))
    }
}

impl ExitStep for ReportOnExit {
    fn name(&self) -> &str {
        "--fail-on"
    }

    fn run<'a>(&'a self, finished: &'a ChildExit<'a>) -> BoxFuture<'a, Result<(), StepFailure>> {
        Box::pin(async move {
            let failure = |message| StepFailure {
                code: RULES_BROKEN,
                message,
            };
            let v = run(&self.gate, &finished.client)
                .await
                .map_err(|e| failure(format!("the client report could not be made: {e}")))?;
            print(&v, "genesys-scim-mock exec");
            if v.fails() {
                let n = v.failed.len();
                return Err(failure(format!(
                    "the client broke {n} rule{} at or above {}",
                    if n == 1 { "" } else { "s" },
                    self.gate.fail_on.map_or("", Severity::as_str)
                )));
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_runs_the_gate_only_when_asked() {
        assert!(
            ReportOnExit::from_flags(&GateFlags::default(), None)
                .unwrap()
                .is_none()
        );
        let f = GateFlags {
            fail_on: Some("warning".into()),
            ..GateFlags::default()
        };
        let step = ReportOnExit::from_flags(&f, None).unwrap().unwrap();
        assert_eq!(step.gate.fail_on, Some(Severity::Warning));
        assert!(
            step.gate.query.contains(&("links".into(), "seq".into())),
            "the server is gone when the report is read: no links to it"
        );
        let kept = ReportOnExit::from_flags(&f, Some(std::path::Path::new("mock")))
            .unwrap()
            .unwrap();
        assert!(
            kept.gate
                .query
                .contains(&("journal".into(), "mock/requests.jsonl".into()))
        );
        let reports_only = GateFlags {
            reports: vec!["junit:-".into()],
            ..GateFlags::default()
        };
        let step = ReportOnExit::from_flags(&reports_only, None)
            .unwrap()
            .unwrap();
        assert_eq!(step.gate.fail_on, None, "reports alone never fail the run");
    }
}
