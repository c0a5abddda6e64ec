//! The command line (part `cli`, feature `cli`): arguments, subcommands, exit codes.
//! The top part: may import every other part; nothing imports it.
//!
//! Parse `std::env::args`, run the subcommand, map its outcome to an exit
//! code. The binary (`src/main.rs`) is one call to [`main`]; everything it reaches is
//! crate-private, so this module and the environment names `exec` sets for its command
//! ([`ENV_URL`] and the rest) are the command line's whole public surface.

pub(crate) mod args;
pub(crate) mod exec;
pub(crate) mod healthcheck;
pub(crate) mod logging;
pub(crate) mod parity;
pub(crate) mod record;
pub(crate) mod report_gate;
pub(crate) mod serve_args;
pub(crate) mod verify;

use std::process::ExitCode;

use crate::cli::args::{Cli, Command, GenerateArgs, ReportArgs};
use crate::config::Config;
use crate::edge::listener as server;
use crate::embed::running_server::RunningServer;
use crate::seed;
use clap::Parser;
use tracing::info;

pub use crate::cli::exec::{
    ENV_ADMIN_URL, ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_SCIM_URL, ENV_TOKEN, ENV_URL,
};

/// Runs the command line (`std::env::args`) to its exit code: what the binary's `main` does.
///
/// Builds the multi-threaded Tokio runtime itself, so the binary needs no attribute macro and
/// a runtime that cannot start is an exit code with a message, not a panic.
pub fn main() -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(e) => fail(&format!("cannot start the async runtime: {e}")),
    }
}

async fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // A container health check must exit 0 or 1 (Docker reserves 2), even on a typo.
        Err(e) if std::env::args().nth(1).as_deref() == Some("healthcheck") => {
            let _ = e.print();
            return ExitCode::from(u8::from(e.use_stderr()));
        }
        Err(e) => e.exit(),
    };
    match cli.into_command() {
        Command::Serve(args) => match args.into_config() {
            Ok(config) => serve(config).await,
            Err(e) => fail(&e),
        },
        Command::Exec(args) => code(exec::run(*args).await),
        Command::ExecChild(args) => code(exec::become_child(&args)),
        Command::Healthcheck(args) => {
            let checked = match healthcheck::target(&args) {
                Ok(target) => {
                    let timeout = std::time::Duration::from_millis(args.timeout_ms);
                    healthcheck::probe(&target, timeout).await
                }
                Err(e) => Err(e),
            };
            match checked {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("genesys-scim-mock healthcheck: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Validate(args) => match seed::validate(&args.path) {
            Ok(orgs) => {
                println!("{}: ok ({orgs} org(s))", args.path.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e.to_string()),
        },
        Command::Verify(args) => match crate::cli::verify::run(&args).await {
            Ok(outcome) => {
                print!("{}", outcome.output);
                if outcome.ok {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                }
            }
            Err(e) => fail(&e),
        },
        Command::GenerateFixture(args) => generate(&args),
        Command::Report(args) => report(&args).await,
        Command::Record(args) => code(record::run(args).await),
        Command::Parity(args) => code(parity::run(args).await),
    }
}

async fn report(args: &ReportArgs) -> ExitCode {
    use crate::base::http_client::{BaseUrl, Client};
    use crate::cli::report_gate;
    use crate::control::report::severity::Severity;
    let base = match BaseUrl::parse(&args.server.url) {
        Ok(b) => b,
        Err(e) => return fail(&format!("--url: {e}")),
    };
    let g = match report_gate::ReportGate::from_flags(
        &args.gate,
        &args.rules,
        &args.thresholds,
        Some(Severity::Error),
    ) {
        Ok(g) => g,
        Err(e) => return fail(&e),
    };
    let client = Client::new(base, args.server.admin_token.clone())
        .with_timeout(std::time::Duration::from_millis(args.server.timeout_ms));
    match report_gate::run(&g, &client).await {
        Ok(v) => {
            report_gate::print(&v, "genesys-scim-mock");
            if v.fails() {
                ExitCode::from(report_gate::RULES_BROKEN as u8)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => fail(&format!("--url {}: {e}", args.server.url)),
    }
}

fn generate(args: &GenerateArgs) -> ExitCode {
    if args.org.trim().is_empty() {
        return fail("--org: must not be empty");
    }
    let spec = seed::generator::Spec {
        org: args.org.clone(),
        users: usize::try_from(args.users).unwrap_or(usize::MAX),
        groups: usize::try_from(args.groups).unwrap_or(usize::MAX),
        seed: args.seed,
    };
    let written = match &args.out {
        Some(path) => std::fs::File::create(path)
            .map(std::io::BufWriter::new)
            .and_then(|mut f| seed::generator::write(&spec, &mut f))
            .map_err(|e| format!("--out {}: {e}", path.display())),
        None => seed::generator::write(&spec, &mut std::io::stdout().lock())
            .map_err(|e| format!("standard output: {e}")),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("genesys-scim-mock: {message}");
    ExitCode::from(2)
}

fn code(c: i32) -> ExitCode {
    ExitCode::from(u8::try_from(c).unwrap_or(1))
}

async fn serve(config: Config) -> ExitCode {
    logging::init(config.log_format);
    let instance = match RunningServer::start(config).await {
        Ok(i) => i,
        Err(e) => return fail(&e.to_string()),
    };
    let addr = instance.addr();
    let config = &instance.state().config;
    let rate = config.rate_limit_per_minute.map_or_else(
        || "off".to_owned(),
        |n| format!("{n} requests/minute per token"),
    );
    info!(
        %addr,
        orgs = ?instance.state().store.org_ids(),
        rate_limit = %rate,
        profile = ?config.compat.profile,
        "listening on http://{addr}"
    );
    server::shutdown_signal().await;
    instance.stop().await;
    ExitCode::SUCCESS
}
