//! The `genesys-scim-mock` binary: parse the command line, set up logging, and hand over to the
//! library.

use std::process::ExitCode;

use clap::Parser;
use genesys_scim_mock::config::{
    Cli, Command, Config, GenerateArgs, HealthcheckArgs, LogFormat, ReportArgs,
};
use genesys_scim_mock::{fixtures, server, state::AppState};
use tokio::net::TcpListener;
use tracing::info;

#[tokio::main]
async fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Serve(args) => match Config::from_args(*args) {
            Ok(config) => serve(config).await,
            Err(e) => fail(&e),
        },
        Command::Healthcheck(args) => healthcheck(&args).await,
        Command::Validate(args) => match fixtures::validate(&args.path) {
            Ok(orgs) => {
                println!("{}: ok ({orgs} org(s))", args.path.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e.to_string()),
        },
        Command::Verify(args) => match genesys_scim_mock::verify::run(&args).await {
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
    }
}

async fn report(args: &ReportArgs) -> ExitCode {
    use genesys_scim_mock::{client::BaseUrl, gate};
    let base = match BaseUrl::parse(&args.server.url) {
        Ok(b) => b,
        Err(e) => return fail(&format!("--url: {e}")),
    };
    let g = match gate::Gate::from_flags(&args.gate) {
        Ok(g) => g,
        Err(e) => return fail(&e),
    };
    let timeout = std::time::Duration::from_millis(args.server.timeout_ms);
    match gate::run(&g, &base, args.server.admin_token.as_deref(), timeout).await {
        Ok(v) => gate_exit(&v),
        Err(e) => fail(&format!("--url {}: {e}", args.server.url)),
    }
}

/// Prints what the gate concluded and turns it into the exit code: 1 when a rule failed.
fn gate_exit(v: &genesys_scim_mock::gate::Verdict) -> ExitCode {
    print!("{}", v.stdout);
    if let Some(note) = &v.incomplete {
        eprintln!("genesys-scim-mock: report: {note}");
    }
    for line in &v.failed {
        eprintln!("genesys-scim-mock: report: {line}");
    }
    if v.fails() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn generate(args: &GenerateArgs) -> ExitCode {
    if args.org.trim().is_empty() {
        return fail("--org: must not be empty");
    }
    let spec = fixtures::generator::Spec {
        org: args.org.clone(),
        users: usize::try_from(args.users).unwrap_or(usize::MAX),
        groups: usize::try_from(args.groups).unwrap_or(usize::MAX),
        seed: args.seed,
    };
    let written = match &args.out {
        Some(path) => std::fs::File::create(path)
            .map(std::io::BufWriter::new)
            .and_then(|mut f| fixtures::generator::write(&spec, &mut f))
            .map_err(|e| format!("--out {}: {e}", path.display())),
        None => fixtures::generator::write(&spec, &mut std::io::stdout().lock())
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

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("genesys_scim_mock=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn serve(config: Config) -> ExitCode {
    init_tracing(config.log_format);
    let state = match AppState::new(config.clone()) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let listener = match TcpListener::bind(config.bind).await {
        Ok(l) => l,
        Err(e) => return fail(&format!("--bind {}: {e}", config.bind)),
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => return fail(&format!("cannot read the bound address: {e}")),
    };
    if let Some(path) = &config.port_file
        && let Err(e) = std::fs::write(path, addr.to_string())
    {
        return fail(&format!("--port-file {}: {e}", path.display()));
    }
    let rate = config.rate_limit_per_minute.map_or_else(
        || "off".to_owned(),
        |n| format!("{n} requests/minute per token"),
    );
    info!(
        %addr,
        orgs = ?state.store.org_ids(),
        rate_limit = %rate,
        profile = ?config.compat.profile,
        "listening on http://{addr}"
    );
    server::run(listener, state, server::shutdown_signal()).await;
    ExitCode::SUCCESS
}

async fn healthcheck(args: &HealthcheckArgs) -> ExitCode {
    let mut addr = args.bind;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let timeout = std::time::Duration::from_millis(args.timeout_ms);
    match tokio::time::timeout(timeout, genesys_scim_mock::server::probe_health(addr)).await {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => fail(&format!("unhealthy: {e}")),
        Err(_) => fail(&format!(
            "unhealthy: no answer from {addr} within {} ms",
            args.timeout_ms
        )),
    }
}
