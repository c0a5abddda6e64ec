//! `exec` (in `cli`): run a command against a server that lives exactly as long as the command.
//! Imports the command line's arguments, `embed`, the store and below; its steps import [`step`].
//!
//! The sequence, each step finished before the next starts:
//!
//! 1. start the server ([`RunningServer::start`]; `127.0.0.1:0` unless `--bind` says otherwise) and
//!    wait until `/__admin/health` answers;
//! 2. issue a token (directly, so it is not a request in the journal), and run the command with the server's coordinates in
//!    its environment ([`ENV_URL`] and the rest), forwarding SIGINT, SIGTERM, SIGHUP and
//!    SIGQUIT to it;
//! 3. **after the child exits, while the server is still up**: run every [`ExitStep`] step
//!    returned by [`after_child_steps`], in order, all of them even when one fails. This is the
//!    place for anything that reads the final state: `--export-on-exit` is one; a report or an
//!    expectation check is another. To add one, implement [`ExitStep`] in your own file and
//!    push it in [`after_child_steps`];
//! 4. stop the server (drained) and exit with the command's code. A step that fails turns a
//!    successful command's exit into the step's code; a failed command keeps its own code.
//!
//! Exit codes: the command's; 128+N when signal N ended it; 127 when it could not be started;
//! 2 when the server could not start (the flag at fault is named).
//!
//! The command never outlives `exec`, even when `exec` is killed with a signal it cannot
//! catch (`kill -9`, the OOM killer): on Linux and FreeBSD it is started through this binary's
//! hidden `exec-child`, which arms the parent-death signal (SIGKILL) and then replaces itself
//! with the command (same process, so signals and the exit status are the command's). Other
//! systems have no such signal, and start the command directly.

pub(crate) mod expect_step;
pub(crate) mod export_step;
pub(crate) mod har_step;
pub(crate) mod report_step;
pub(crate) mod step;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitStatus;

use tokio::process::{Child, Command};

use crate::base::http_client::Client;
use crate::cli::args::{EXEC_BIND, ExecArgs};
use crate::cli::exec::step::{ChildExit, ExitStep};
use crate::embed::running_server::RunningServer;

/// `http://127.0.0.1:PORT`, the server's base URL.
pub const ENV_URL: &str = "GENESYS_MOCK_URL";
/// The SCIM v2 base URL, `…/api/v2/scim/v2`.
pub const ENV_SCIM_URL: &str = "GENESYS_MOCK_SCIM_URL";
/// The admin API base URL, `…/__admin`.
pub const ENV_ADMIN_URL: &str = "GENESYS_MOCK_ADMIN_URL";
/// The first OAuth client of the first org (sorted by id).
pub const ENV_CLIENT_ID: &str = "GENESYS_MOCK_CLIENT_ID";
/// That client's secret.
pub const ENV_CLIENT_SECRET: &str = "GENESYS_MOCK_CLIENT_SECRET";
/// A bearer token already issued to that client.
pub const ENV_TOKEN: &str = "GENESYS_MOCK_TOKEN";

/// Exit code when the command cannot be started (as a shell says for "command not found").
pub(crate) const CANNOT_START: i32 = 127;
/// Exit code when the server cannot start (bad flags or fixtures).
pub(crate) const SERVER_FAILED: i32 = 2;

/// The steps `args` asks for, in the order they run. Checked before the server starts, so a
/// bad flag fails at once rather than after the command.
pub(crate) fn after_child_steps(args: &ExecArgs) -> Result<Vec<Box<dyn ExitStep>>, String> {
    let mut steps: Vec<Box<dyn ExitStep>> = Vec::new();
    if let Some(dir) = &args.export_on_exit {
        steps.push(Box::new(crate::cli::exec::export_step::ExportOnExit::new(
            dir.clone(),
        )?));
    }
    if let Some(path) = &args.har {
        steps.push(Box::new(crate::cli::exec::har_step::HarOnExit::new(
            path.clone(),
        )?));
    }
    if let Some(report) = crate::cli::exec::report_step::ReportOnExit::from_flags(
        &args.gate,
        args.export_on_exit.as_deref(),
    )? {
        steps.push(Box::new(report));
    }
    if let Some(file) = &args.expect {
        steps.push(Box::new(crate::cli::exec::expect_step::ExpectOnExit::new(
            file.clone(),
            args.expect_junit.clone(),
        )?));
    } else if args.expect_junit.is_some() {
        return Err("--expect-junit needs --expect FILE".to_owned());
    }
    Ok(steps)
}

/// Runs `exec` and returns the process exit code.
pub(crate) async fn run(mut args: ExecArgs) -> i32 {
    let steps = match after_child_steps(&args) {
        Ok(s) => s,
        Err(e) => return fail(&e, SERVER_FAILED),
    };
    let command = std::mem::take(&mut args.command);
    if args.serve.bind.is_none() {
        args.serve.bind = Some(EXEC_BIND.parse().expect("EXEC_BIND is an address"));
    }
    let config = match args.serve.into_config() {
        Ok(c) => c,
        Err(e) => return fail(&e, SERVER_FAILED),
    };
    if !config.admin_enabled && !steps.is_empty() {
        let names: Vec<&str> = steps.iter().map(|s| s.name()).collect();
        return fail(
            &format!("{} needs the admin API (--admin on)", names.join(", ")),
            SERVER_FAILED,
        );
    }
    crate::cli::logging::init(config.log_format);
    let instance = match RunningServer::start(config).await {
        Ok(i) => i,
        Err(e) => return fail(&e.to_string(), SERVER_FAILED),
    };
    let client = instance.client();
    let env = match environment(&instance, &client).await {
        Ok(env) => env,
        Err(e) => {
            instance.stop().await;
            return fail(&e, SERVER_FAILED);
        }
    };
    // Handlers first: a signal that arrives the moment the child starts is forwarded, not
    // the end of exec with the child orphaned.
    let mut signals = match Forwarded::install() {
        Ok(s) => s,
        Err(e) => {
            instance.stop().await;
            return fail(&format!("cannot install signal handlers: {e}"), 1);
        }
    };
    let child_code = match spawn(&command, &env) {
        Ok(mut child) => match signals.wait(&mut child).await {
            Ok(status) => exit_code(status),
            Err(e) => fail(&format!("waiting for the command: {e}"), 1),
        },
        Err(e) => fail(&e, CANNOT_START),
    };
    let finished = ChildExit {
        instance: &instance,
        client,
    };
    let mut code = child_code;
    for step in &steps {
        if let Err(f) = step.run(&finished).await {
            eprintln!("genesys-scim-mock exec: {}: {}", step.name(), f.message);
            if code == 0 {
                code = f.code;
            }
        }
    }
    instance.stop().await;
    code
}

fn fail(message: &str, code: i32) -> i32 {
    eprintln!("genesys-scim-mock exec: {message}");
    code
}

/// Waits for health, takes the first org's first client, gets a token: the child's environment.
async fn environment(
    instance: &RunningServer,
    client: &Client,
) -> Result<Vec<(&'static str, String)>, String> {
    client
        .health()
        .await
        .map_err(|e| format!("the server did not become ready: {e}"))?;
    let base = client.base_url();
    let mut env = vec![
        (ENV_URL, base.clone()),
        (ENV_SCIM_URL, format!("{base}/api/v2/scim/v2")),
        (ENV_ADMIN_URL, format!("{base}/__admin")),
    ];
    let store = &instance.state().store;
    let first = store
        .org_ids()
        .iter()
        .find_map(|org| store.clients_of(org).into_iter().next());
    if let Some(c) = first {
        env.push((ENV_CLIENT_ID, c.id.clone()));
        env.push((ENV_CLIENT_SECRET, c.secret.expose().to_owned()));
        let state = instance.state();
        let token = store
            .issue_token(&c, &state.rng, state.clock.now_millis())
            .map_err(|_| "the token table is full".to_owned())?;
        env.push((ENV_TOKEN, token));
    }
    Ok(env)
}

fn spawn(command: &[OsString], env: &[(&'static str, String)]) -> Result<Child, String> {
    let (program, rest) = command
        .split_first()
        .ok_or_else(|| "no command given after --".to_owned())?;
    let mut cmd = match guarded() {
        // This thread (the runtime's `block_on` thread) lives as long as `exec`: the
        // parent-death signal follows the thread that started the child.
        Some(me) => {
            let mut c = Command::new(me);
            c.arg("exec-child")
                .arg("--parent")
                .arg(std::process::id().to_string())
                .arg("--")
                .args(command);
            c
        }
        None => {
            let mut c = Command::new(program);
            c.args(rest);
            c
        }
    };
    cmd.envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", PathBuf::from(program).display()))
}

/// This binary, when the system has a parent-death signal to start the command under.
fn guarded() -> Option<PathBuf> {
    if cfg!(any(target_os = "linux", target_os = "freebsd")) {
        std::env::current_exe().ok()
    } else {
        None
    }
}

/// The hidden `exec-child`: arms SIGKILL as the parent-death signal, checks the parent is
/// still `exec` (it may have died before the signal was armed), then becomes the command.
/// Returns only when the command cannot be run: 127, as `exec` says for that.
pub(crate) fn become_child(args: &crate::cli::args::ExecChildArgs) -> i32 {
    #[cfg(any(target_os = "linux", target_os = "freebsd"))]
    {
        use rustix::process::{Signal, getppid, set_parent_process_death_signal};
        if let Err(e) = set_parent_process_death_signal(Some(Signal::KILL)) {
            return fail(
                &format!("cannot arm the parent-death signal: {e}"),
                CANNOT_START,
            );
        }
        if getppid().map(|p| p.as_raw_nonzero().get().unsigned_abs()) != Some(args.parent) {
            // `exec` is gone already: the command would run against nothing.
            return 128 + 9;
        }
    }
    let Some((program, rest)) = args.command.split_first() else {
        return fail("no command given after --", CANNOT_START);
    };
    use std::os::unix::process::CommandExt;
    let e = std::process::Command::new(program).args(rest).exec();
    fail(
        &format!("cannot run {}: {e}", PathBuf::from(program).display()),
        CANNOT_START,
    )
}

/// The signals a CI runner or a terminal sends, caught so they can be passed on to the child.
#[cfg(unix)]
struct Forwarded {
    streams: Vec<(tokio::signal::unix::Signal, rustix::process::Signal)>,
}

#[cfg(unix)]
impl Forwarded {
    fn install() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        let kinds = [
            (SignalKind::interrupt(), rustix::process::Signal::INT),
            (SignalKind::terminate(), rustix::process::Signal::TERM),
            (SignalKind::hangup(), rustix::process::Signal::HUP),
            (SignalKind::quit(), rustix::process::Signal::QUIT),
        ];
        let mut streams = Vec::new();
        for (kind, sig) in kinds {
            streams.push((signal(kind)?, sig));
        }
        Ok(Self { streams })
    }

    /// Waits for `child`, passing on every caught signal.
    async fn wait(&mut self, child: &mut Child) -> std::io::Result<ExitStatus> {
        let pid = child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .and_then(rustix::process::Pid::from_raw);
        loop {
            let next = futures_util::future::select_all(
                self.streams
                    .iter_mut()
                    .map(|(s, sig)| Box::pin(async move { s.recv().await.map(|()| *sig) })),
            );
            tokio::select! {
                status = child.wait() => return status,
                (received, ..) = next => {
                    if let (Some(sig), Some(pid)) = (received, pid) {
                        let _ = rustix::process::kill_process(pid, sig);
                    }
                }
            }
        }
    }
}

/// Windows has no signals to pass on: a console's Ctrl-C reaches the child by itself.
#[cfg(not(unix))]
struct Forwarded;

#[cfg(not(unix))]
impl Forwarded {
    fn install() -> std::io::Result<Self> {
        Ok(Self)
    }

    async fn wait(&mut self, child: &mut Child) -> std::io::Result<ExitStatus> {
        child.wait().await
    }
}

/// The shell's convention: the code, or 128+N for a signal.
#[cfg(not(unix))]
fn exit_code(status: ExitStatus) -> i32 {
    status.code().unwrap_or(1)
}

/// The shell's convention: the code, or 128+N for a signal.
#[cfg(unix)]
fn exit_code(status: ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1)
}
