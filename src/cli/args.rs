//! The command line's grammar: the top-level command, its subcommands and their flags, as clap
//! parses them from arguments and `GENESYS_MOCK_*` environment variables. The `serve` flags,
//! which `exec` shares, and their check into a [`Config`](crate::Config) are
//! [`serve_args`](super::serve_args).

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::cli::serve_args::ServeArgs;

/// Default bind address of `exec`: loopback, a free port.
pub(crate) const EXEC_BIND: &str = "127.0.0.1:0";

/// Top-level command line.
#[derive(Parser)]
#[command(
    name = "genesys-scim-mock",
    version,
    about = "An in-memory Genesys Cloud SCIM, external-id and OAuth mock for testing SCIM clients.",
    long_about = "An in-memory stand-in for Genesys Cloud's identity APIs: SCIM 2.0 users and groups \
(/api/v2/scim/v2 and the legacy /api/v2/scim), the user external-id API, OAuth client credentials, \
and Genesys' quirks and limits. State comes from fixture files (or a built-in default org); \
behaviour can be scripted with scenarios and the /__admin API.

With no subcommand, the arguments are `serve` flags: `genesys-scim-mock --rate-limit off` is \
`genesys-scim-mock serve --rate-limit off`, so a container image takes serve flags directly.",
    args_conflicts_with_subcommands = true
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// `serve` flags given without the subcommand.
    #[command(flatten)]
    pub serve: Box<ServeArgs>,
}

impl Cli {
    /// The subcommand to run: `serve` with the top-level flags when none was named.
    pub(crate) fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Serve(self.serve))
    }
}

/// Subcommands.
#[derive(Subcommand)]
pub(crate) enum Command {
    /// Start the server (the default when no subcommand is named).
    Serve(Box<ServeArgs>),
    /// Start the server on a free port, run a command against it, stop the server, and exit
    /// with the command's exit code.
    #[command(
        long_about = "Start the server on a free port (127.0.0.1:0 unless --bind says otherwise), wait \
until it is ready, run COMMAND with GENESYS_MOCK_URL, GENESYS_MOCK_SCIM_URL, GENESYS_MOCK_ADMIN_URL, \
GENESYS_MOCK_CLIENT_ID, GENESYS_MOCK_CLIENT_SECRET and GENESYS_MOCK_TOKEN in its environment, then \
stop the server and exit with COMMAND's exit code (128+N when a signal N ended it; 127 when it \
could not start). SIGINT, SIGTERM, SIGHUP and SIGQUIT are forwarded to COMMAND.\n\n\
Example: genesys-scim-mock exec --seed 1 -- pytest tests/scim"
    )]
    Exec(Box<ExecArgs>),
    /// Check a running server's health endpoint; exits 0 when healthy, 1 otherwise. For
    /// container HEALTHCHECKs: needs no shell or curl, and finds the server's address itself.
    Healthcheck(HealthcheckArgs),
    /// Check fixture files without serving. Every error names the file, the record and the field.
    Validate(ValidateArgs),
    /// Check a running server's orgs against an expected end state (docs/expect.md). Exits 0
    /// when the state is as expected, 1 when it is not (the differences are printed), 2 when the
    /// check could not run (bad file, no server, bad admin token).
    Verify(VerifyArgs),
    /// Write a generated org (managers, divisions, every phone type, skills, languages,
    /// external ids, inactive and deleted users, large groups) as a fixture file. The same
    /// seed writes the same file; the result passes `validate`.
    GenerateFixture(GenerateArgs),
    /// Grade the SCIM client: fetch a running server's client report (docs/report.md), write it
    /// in the formats asked for, and exit 1 when the client broke a rule at or above
    /// --fail-on (one line per rule on stderr), 0 when it did not, 2 when the report could not
    /// be made (no server, bad flag, unknown mark).
    Report(ReportArgs),
    /// Record a client's session through a proxy (to a real org or another server) and write
    /// a bundle the mock replays offline: session.har, fixture.json, scenario.json,
    /// expect.json (docs/record.md). Credentials are scrubbed unless --no-scrub.
    #[command(
        long_about = "Start an HTTP proxy on --bind that forwards API requests to --upstream (HTTPS, or plain HTTP to loopback) and /oauth/token to --login-upstream (default: the upstream with api. replaced by login.). Point the client's base URL at it. On SIGTERM or Ctrl-C it stops and writes DIR: session.har (HAR 1.2), fixture.json (the users and groups the session saw, before its first write), scenario.json (the upstream's 429s, 5xx, resets and timeouts at their places), expect.json (the end state), ignore.json and README.md. Authorization, client secrets, tokens, cookies and passwords are scrubbed (tokens become stable placeholders); --anonymize also maps emails, names, phone numbers and external ids to consistent fakes. The proxy journals like the server: /__admin/ui and /__admin/report work on it.\n\n\
Example: genesys-scim-mock record --upstream https://api.mypurecloud.com --bind 127.0.0.1:9090 --out session/"
    )]
    Record(RecordArgs),
    /// Replay a recorded bundle against the mock (started from the bundle's fixture and
    /// scenario, or --url) and list every difference from the recording. Exits 1 with
    /// --fail-on-difference when there is one, 2 when the replay could not run.
    Parity(ParityArgs),
    /// How `exec` starts its command: arms the parent-death signal, then becomes COMMAND.
    /// Not for direct use.
    #[command(name = "exec-child", hide = true)]
    ExecChild(ExecChildArgs),
}

/// Flags of `record`.
#[derive(Debug, Clone, Args)]
pub(crate) struct RecordArgs {
    /// The API upstream, e.g. `https://api.mypurecloud.com` (plain HTTP only on loopback).
    #[arg(long, value_name = "URL")]
    pub upstream: String,
    /// Where /oauth/token goes (default: --upstream with `api.` replaced by `login.`).
    #[arg(long, value_name = "URL")]
    pub login_upstream: Option<String>,
    /// Also trust the CA certificates in this PEM file for an https:// upstream (Mozilla's
    /// roots are built in).
    #[arg(long, value_name = "PEM")]
    pub upstream_ca: Option<PathBuf>,
    /// The bundle's directory (created).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The proxy's address.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub bind: std::net::SocketAddr,
    /// Write the bound HOST:PORT here once listening.
    #[arg(long, value_name = "PATH")]
    pub port_file: Option<PathBuf>,
    /// Also map emails, names, phone numbers and external-id values to consistent fakes.
    #[arg(long)]
    pub anonymize: bool,
    /// Write credentials in clear (a warning says so). For debugging the recorder only.
    #[arg(long)]
    pub no_scrub: bool,
    /// Give up on an upstream answer after this many milliseconds (recorded as a timeout).
    #[arg(long, default_value_t = 60_000, value_name = "MS")]
    pub upstream_timeout_ms: u64,
}

/// Flags of `parity`.
#[derive(Debug, Clone, Args)]
pub(crate) struct ParityArgs {
    /// The bundle `record` wrote.
    pub dir: PathBuf,
    /// Replay against this running server instead of starting one from the bundle.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// With an https:// --url: also trust the CA certificates in this PEM file.
    #[arg(long, value_name = "PEM")]
    pub url_ca: Option<PathBuf>,
    /// Write the findings as FORMAT:PATH (json, markdown, junit; PATH `-` is standard
    /// output). Repeatable; without it, Markdown goes to standard output.
    #[arg(long = "report", value_name = "FORMAT:PATH")]
    pub reports: Vec<String>,
    /// Exit 1 when there is any difference.
    #[arg(long)]
    pub fail_on_difference: bool,
    /// Start the mock with this switch set (NAME=VALUE, repeatable), as `serve --compat`.
    #[arg(long, value_name = "NAME=VALUE")]
    pub compat: Vec<String>,
    /// Do not look for the compatibility switches that would remove each difference (that
    /// search replays the session once per switch value).
    #[arg(long)]
    pub no_switch_search: bool,
}

/// Flags of `exec`.
#[derive(Clone, Args)]
pub(crate) struct ExecArgs {
    #[command(flatten)]
    pub serve: ServeArgs,

    /// After COMMAND exits, write the final state (`orgs/<id>.json`, one fixture document
    /// per org, loadable with --fixtures), the whole journal (`requests.jsonl`) and
    /// `index.json` (which file holds which org) into DIR, for CI artifacts. DIR is created if
    /// missing; exec exits 1 when any file could not be written.
    #[arg(long, env = "GENESYS_MOCK_EXPORT_ON_EXIT", value_name = "DIR")]
    pub export_on_exit: Option<PathBuf>,

    /// After COMMAND exits, write the journal as a HAR 1.2 file to PATH (docs/record.md), for
    /// tools that open HTTP archives and for `parity`.
    #[arg(long, value_name = "PATH")]
    pub har: Option<PathBuf>,

    /// The client report after COMMAND exits (docs/report.md); re-level rules with
    /// --report-rule.
    #[command(flatten)]
    pub gate: GateFlags,

    /// After COMMAND exits, check the end state against this expectation file
    /// (docs/expect.md): the differences go to stderr, and an unmet expectation turns a
    /// successful command's exit code into 1. The file is checked before the command runs.
    #[arg(long, value_name = "FILE")]
    pub expect: Option<PathBuf>,

    /// With --expect: also write the result as JUnit XML to PATH.
    #[arg(long, value_name = "PATH")]
    pub expect_junit: Option<PathBuf>,

    /// The command to run, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<OsString>,
}

/// Arguments of the hidden `exec-child` (see `cli::exec::spawn`).
#[derive(Clone, Args)]
pub(crate) struct ExecChildArgs {
    /// The `exec` process the command must not outlive.
    #[arg(long, value_name = "PID")]
    pub parent: u32,
    /// The command, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<OsString>,
}

/// Flags of `healthcheck`.
#[derive(Debug, Clone, Args)]
pub(crate) struct HealthcheckArgs {
    /// The server's address, HOST:PORT (host names allowed, e.g. a compose service name).
    /// Without it, the address is found as the server would: from the command line of the
    /// process given by --pid (or its child) when that is this program (in a container, the
    /// server is PID 1), else from GENESYS_MOCK_BIND / GENESYS_MOCK_PORT_FILE, else 127.0.0.1:8080. An
    /// unspecified host (0.0.0.0, ::) is probed on loopback.
    #[arg(long, value_name = "HOST:PORT")]
    pub bind: Option<String>,
    /// The process whose command line gives the server's address when --bind is not given.
    #[arg(long, default_value_t = 1, value_name = "PID")]
    pub pid: u32,
    /// Give up after this many milliseconds.
    #[arg(long, default_value_t = 2000, value_name = "MS")]
    pub timeout_ms: u64,
}

/// Flags of `validate`.
#[derive(Debug, Clone, Args)]
pub(crate) struct ValidateArgs {
    /// Fixture file or directory.
    pub path: PathBuf,
}

/// How subcommands reach a running server (`verify`, `report`).
#[derive(Clone, Args)]
pub(crate) struct ServerFlags {
    /// Base URL of the running server.
    #[arg(
        long,
        env = "GENESYS_MOCK_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub url: String,
    /// The server's --admin-token, if it has one (sent as `Authorization: Bearer`).
    #[arg(
        long,
        env = "GENESYS_MOCK_ADMIN_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub admin_token: Option<String>,
    /// Give up after this many milliseconds.
    #[arg(long, default_value_t = 10_000, value_name = "MS")]
    pub timeout_ms: u64,
}

/// How `verify` prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum VerifyFormat {
    /// A line per difference and a summary line.
    #[default]
    Text,
    /// The structured diff, as `POST /__admin/expect` answers it.
    Json,
}

/// Flags of `verify`.
#[derive(Clone, Args)]
pub(crate) struct VerifyArgs {
    #[command(flatten)]
    pub server: ServerFlags,
    /// The expected state: a JSON file written like a fixture (docs/expect.md).
    #[arg(long, value_name = "FILE")]
    pub expect: PathBuf,
    /// Also write the result as JUnit XML to this file (one test case per expected record).
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// Output on stdout.
    #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
    pub format: VerifyFormat,
}

/// What the client report covers, where it goes and when it fails a build: shared by
/// `report` and `exec`.
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct GateFlags {
    /// Write the client report as FORMAT:PATH (json, junit, markdown, sarif; PATH `-` is
    /// standard output). Repeatable.
    #[arg(long = "report", value_name = "FORMAT:PATH")]
    pub reports: Vec<String>,
    /// Fail when the client broke a rule at or above this severity: error, warning, info, or
    /// never (`report` defaults to error; `exec` fails on the report only when this is given).
    #[arg(long, value_name = "LEVEL")]
    pub fail_on: Option<String>,
    /// Report only this org's requests.
    #[arg(long = "report-org", visible_alias = "org", value_name = "ORG")]
    pub org: Option<String>,
    /// Report from this mark on (POST /__admin/marks).
    #[arg(long = "report-from", visible_alias = "from", value_name = "MARK")]
    pub from: Option<String>,
    /// Report up to this mark.
    #[arg(long = "report-to", visible_alias = "to", value_name = "MARK")]
    pub to: Option<String>,
    /// The mark where a second run of the same sync starts: turns on not-idempotent.
    #[arg(
        long = "report-idempotent",
        visible_alias = "idempotent",
        value_name = "MARK"
    )]
    pub idempotent: Option<String>,
}

impl GateFlags {
    /// Whether any report flag was given (`exec` runs the gate only then).
    pub(crate) fn wanted(&self) -> bool {
        !self.reports.is_empty() || self.fail_on.is_some()
    }
}

/// Flags of `report`.
#[derive(Clone, Args)]
pub(crate) struct ReportArgs {
    #[command(flatten)]
    pub server: ServerFlags,
    #[command(flatten)]
    pub gate: GateFlags,
    /// Set a rule's level for this report, ID=error|warning|info|off (repeatable).
    #[arg(long = "rule", value_name = "ID=LEVEL")]
    pub rules: Vec<String>,
    /// Set a rule threshold for this report, NAME=N (retry-storm, token-churn, page-size).
    #[arg(long = "threshold", value_name = "NAME=N")]
    pub thresholds: Vec<String>,
}

/// The most users `generate-fixture` writes: a bound on what one command may allocate.
pub(crate) const MAX_GENERATED_USERS: usize = 1_000_000;

/// The most groups `generate-fixture` writes.
pub(crate) const MAX_GENERATED_GROUPS: usize = 10_000;

/// Flags of `generate-fixture`.
#[derive(Debug, Clone, Args)]
pub(crate) struct GenerateArgs {
    /// Number of users, deleted and inactive ones included (at most 1000000).
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_GENERATED_USERS as u64))]
    pub users: u64,
    /// Number of groups (at most 10000). Group 0 holds the first 10000 live users.
    #[arg(long, default_value_t = 20, value_name = "M", value_parser = clap::value_parser!(u64).range(0..=MAX_GENERATED_GROUPS as u64))]
    pub groups: u64,
    /// Seed of every generated id and value: the same seed writes the same file.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Org id; the OAuth client is `<ORG>-client-id` with secret `<ORG>-client-secret`.
    #[arg(long, default_value = "generated", value_name = "ORG")]
    pub org: String,
    /// Write here instead of standard output.
    #[arg(long, short, value_name = "PATH")]
    pub out: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DEFAULT_BIND;

    fn parse(argv: &[&str]) -> Result<Command, String> {
        let mut full = vec!["genesys-scim-mock"];
        full.extend_from_slice(argv);
        Cli::try_parse_from(full)
            .map(Cli::into_command)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn serve_flags_work_without_the_subcommand() {
        let Command::Serve(a) = parse(&["--rate-limit", "off", "--seed", "7"]).unwrap() else {
            panic!("top-level flags are serve flags");
        };
        let c = a.into_config().unwrap();
        assert_eq!((c.rate_limit_per_minute, c.seed), (None, Some(7)));
        let Command::Serve(a) = parse(&[]).unwrap() else {
            panic!("no arguments is serve");
        };
        assert_eq!(a.into_config().unwrap().bind.to_string(), DEFAULT_BIND);
        let Command::Serve(a) = parse(&["serve", "--rate-limit", "off"]).unwrap() else {
            panic!("the plain form still works");
        };
        assert_eq!(a.into_config().unwrap().rate_limit_per_minute, None);
        assert!(matches!(
            parse(&["healthcheck"]).unwrap(),
            Command::Healthcheck(_)
        ));
        // A serve flag before a subcommand is a mistake, said as one.
        assert!(parse(&["--seed", "1", "validate", "x"]).is_err());
    }

    #[test]
    fn exec_takes_serve_flags_and_a_command_after_the_separator() {
        let Command::Exec(a) =
            parse(&["exec", "--seed", "3", "--", "make", "test", "--x"]).unwrap()
        else {
            panic!("exec parsed");
        };
        assert_eq!(a.serve.seed, Some(3));
        assert_eq!(a.command, ["make", "test", "--x"]);
        assert!(a.serve.bind.is_none(), "exec picks its own default");
        assert!(
            parse(&["exec", "--seed", "3"]).is_err(),
            "a command is required"
        );
    }
}
