//! The extension point of `exec`: a step that runs after the command exits, while the server is
//! still up (see [`crate::cli::exec`] for when and how its outcome sets the exit code). Steps live in
//! their own files and import this one; `exec::after_child_steps` lists them. Keeping the trait
//! here, below both, is what lets a step and `exec` avoid importing each other.

use futures_util::future::BoxFuture;

use crate::base::http_client::Client;
use crate::embed::running_server::RunningServer;

/// What an [`ExitStep`] sees: the still-running server and a client for it. How the command
/// ended is not a step's input: `exec` weighs the command's exit code against the steps'
/// failures itself.
#[derive(Debug)]
pub(crate) struct ChildExit<'a> {
    /// The server, still serving.
    pub instance: &'a RunningServer,
    /// A client for it (admin token included).
    pub client: Client,
}

/// A step failed: why, and the exit code it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StepFailure {
    pub code: i32,
    pub message: String,
}

/// A step run after the command exits, while the server is still up (see the module
/// documentation for when and how its outcome sets the exit code).
pub(crate) trait ExitStep: Send + Sync + std::fmt::Debug {
    /// A short name for messages, e.g. `--export-on-exit`.
    fn name(&self) -> &str;
    /// Runs the step once.
    fn run<'a>(&'a self, finished: &'a ChildExit<'a>) -> BoxFuture<'a, Result<(), StepFailure>>;
}
