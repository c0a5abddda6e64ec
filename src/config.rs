//! Command line and environment configuration, validated once into typed values.
//!
//! Every `serve` flag can also come from a `GENESYS_MOCK_*` environment variable, so a
//! container can be configured without a command line. Bad values fail at start-up with a
//! message that names the flag.

#[cfg(feature = "cli")]
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[cfg(feature = "cli")]
use clap::{Args, Parser, Subcommand, ValueEnum};

#[cfg(feature = "cli")]
use crate::clock::Clock;
use crate::compat::Compat;
#[cfg(feature = "cli")]
use crate::compat::SWITCHES;
use crate::genesys::limits::LimitFlags;
use crate::redaction::Redaction;
use crate::secret::Hidden;

/// Default bind address: loopback only, as a test tool should.
pub(crate) const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// Default bind address of `exec`: loopback, a free port.
pub(crate) const EXEC_BIND: &str = "127.0.0.1:0";

/// Genesys' `request.bytes.max`.
pub(crate) const DEFAULT_MAX_BODY: usize = 512_000;

/// Genesys' `client.credentials.token.rate.per.minute`.
pub(crate) const DEFAULT_RATE_PER_MINUTE: u32 = 300;

/// Default `--max-connections`: far more than a test suite opens, and below the common
/// open-file limit of 1024, so the cap (a prompt 503) is reached before `accept` fails.
pub(crate) const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// Default `--body-timeout` in seconds.
pub(crate) const DEFAULT_BODY_TIMEOUT_SECS: u64 = 10;

/// Default `--request-timeout` in seconds.
pub(crate) const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;

/// Top-level command line.
#[cfg(feature = "cli")]
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

#[cfg(feature = "cli")]
impl Cli {
    /// The subcommand to run: `serve` with the top-level flags when none was named.
    pub(crate) fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Serve(self.serve))
    }
}

/// Subcommands.
#[cfg(feature = "cli")]
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
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(ValueEnum))]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Flags of `serve`.
#[cfg(feature = "cli")]
#[derive(Clone, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080; for `exec`, 127.0.0.1:0]. Port 0 picks a
    /// free port (see --port-file).
    #[arg(long, env = "GENESYS_MOCK_BIND", value_name = "ADDR")]
    pub bind: Option<SocketAddr>,

    /// Fixture file or directory of *.json fixture files. Without it, the built-in default
    /// org is served (see docs/configuration.md, "The default org").
    #[arg(long, env = "GENESYS_MOCK_FIXTURES", value_name = "PATH")]
    pub fixtures: Option<PathBuf>,

    /// Seed for every random choice (ids, tokens, probabilistic faults). Same seed and same
    /// requests give the same responses. Without it, ids are random.
    #[arg(long, env = "GENESYS_MOCK_SEED", value_name = "N")]
    pub seed: Option<u64>,

    /// Log format.
    #[arg(long, env = "GENESYS_MOCK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Write the address actually bound (host:port) to this file once listening.
    #[arg(long, env = "GENESYS_MOCK_PORT_FILE", value_name = "PATH")]
    pub port_file: Option<PathBuf>,

    /// Profile: the preset of every compatibility switch. `genesys` behaves as Genesys Cloud
    /// does (documented filters only, userName an email, no meta.created, If-Match mismatch 400,
    /// ...); `rfc` takes the RFC 7643/7644 value of every switch and the whole filter grammar.
    /// --compat switches override single switches of the preset.
    #[arg(long, env = "GENESYS_MOCK_PROFILE", value_name = "genesys|rfc")]
    pub profile: Option<String>,

    /// Set a compatibility switch, NAME=VALUE (repeatable; comma-separated in the environment
    /// variable). Run `genesys-scim-mock serve --help` to see them listed below.
    #[arg(long = "compat", env = "GENESYS_MOCK_COMPAT", value_name = "NAME=VALUE", value_delimiter = ',', long_help = compat_help())]
    pub compat: Vec<String>,

    /// The clock: `real`, or `frozen:<RFC3339>` to start frozen (advance it with
    /// POST /__admin/clock).
    #[arg(
        long,
        env = "GENESYS_MOCK_CLOCK",
        default_value = "real",
        value_name = "SPEC"
    )]
    pub clock: String,

    /// Requests per minute per client-credentials token (Genesys: 300), or `off`.
    #[arg(
        long,
        env = "GENESYS_MOCK_RATE_LIMIT",
        default_value = "300",
        value_name = "N|off"
    )]
    pub rate_limit: String,

    /// A further named rate limit, NAME=SCOPE:N[:ROUTES], applied together with the token limit
    /// (repeatable; comma-separated in the environment variable). SCOPE is token, client, org
    /// or route (one window per route name); ROUTES restricts it to route names (`users.*`).
    /// Genesys' documented layers: `org.app.user.rate.per.minute=client:300`,
    /// `org.user.rate.per.minute=org:3000`, a resource limit such as `users=route:100:users.*`.
    #[arg(
        long = "rate-limit-layer",
        env = "GENESYS_MOCK_RATE_LIMIT_LAYER",
        value_name = "NAME=SCOPE:N[:ROUTES]",
        value_delimiter = ','
    )]
    pub rate_limit_layers: Vec<String>,

    /// Largest accepted request body in bytes (Genesys: 512000); larger bodies get 413.
    #[arg(long, env = "GENESYS_MOCK_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY, value_name = "BYTES")]
    pub max_body_bytes: usize,

    /// Connections served at once; more are answered 503 and closed at once, while the
    /// ones already open keep working. Keep it below the open-file limit (`ulimit -n`).
    #[arg(long, env = "GENESYS_MOCK_MAX_CONNECTIONS", default_value_t = DEFAULT_MAX_CONNECTIONS, value_name = "N")]
    pub max_connections: usize,

    /// Seconds a request body may pause between two pieces before the request gets 408.
    #[arg(long, env = "GENESYS_MOCK_BODY_TIMEOUT", default_value_t = DEFAULT_BODY_TIMEOUT_SECS, value_name = "SECS")]
    pub body_timeout: u64,

    /// Seconds a request may take to arrive: its headers within this (else the connection
    /// is closed), then its whole body within this after them (else 408).
    #[arg(long, env = "GENESYS_MOCK_REQUEST_TIMEOUT", default_value_t = DEFAULT_REQUEST_TIMEOUT_SECS, value_name = "SECS")]
    pub request_timeout: u64,

    /// The URL clients reach the server at (`https://scim.test.example`, optionally with a
    /// path prefix), for `Location`, `meta.location` and `$ref`. Default: `http://` and the
    /// address bound. Request headers (`Host`, `X-Forwarded-*`) are never used.
    #[arg(long, env = "GENESYS_MOCK_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,

    /// Most members a group may have, for orgs whose fixture `limits` do not set
    /// `membersPerGroup` (Genesys does not publish its SCIM limit; default 10000).
    #[arg(long, env = "GENESYS_MOCK_MAX_GROUP_MEMBERS", value_name = "N")]
    pub max_group_members: Option<String>,

    /// Most operations one PATCH request may carry (users and groups), for orgs whose fixture
    /// `limits` do not set `patchOperations` (undocumented by Genesys; default 1000).
    #[arg(long, env = "GENESYS_MOCK_MAX_PATCH_OPERATIONS", value_name = "N")]
    pub max_patch_operations: Option<String>,

    /// The /__admin API: `on` or `off`. /__admin/health stays available either way, for
    /// readiness probes.
    #[arg(
        long,
        env = "GENESYS_MOCK_ADMIN",
        default_value = "on",
        value_name = "on|off"
    )]
    pub admin: String,

    /// Require `Authorization: Bearer <TOKEN>` on /__admin calls (except health).
    #[arg(
        long,
        env = "GENESYS_MOCK_ADMIN_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub admin_token: Option<String>,

    /// Scenario file to load at start (repeatable).
    #[arg(
        long = "scenario",
        env = "GENESYS_MOCK_SCENARIO",
        value_name = "PATH",
        value_delimiter = ','
    )]
    pub scenarios: Vec<PathBuf>,

    /// How many requests the journal keeps (oldest dropped first, and counted). 0 turns the
    /// journal off: nothing is recorded, so verification, counts and reports see no requests
    /// (for measuring what the journal costs; see docs/benchmarks.md).
    #[arg(
        long,
        env = "GENESYS_MOCK_JOURNAL_SIZE",
        default_value_t = 10_000,
        value_name = "N"
    )]
    pub journal_size: usize,

    /// Bytes of text the journal keeps in all (oldest entries dropped first, and counted).
    /// Each entry is also cut: bodies at 64 KiB, headers at 16 KiB (see docs/limits.md).
    #[arg(
        long,
        env = "GENESYS_MOCK_JOURNAL_BYTES",
        default_value_t = crate::journal::limits::DEFAULT_JOURNAL_BYTES,
        value_name = "N"
    )]
    pub journal_bytes: usize,

    /// Names whose values the journal stores as `<redacted>`: header names, form and query
    /// fields, and JSON keys at any depth, matched without regard to case. Comma-separated;
    /// replaces the default list (authorization, proxy-authorization, cookie, set-cookie,
    /// x-api-key, client_secret, access_token, password); `none` redacts nothing.
    #[arg(long, env = "GENESYS_MOCK_JOURNAL_REDACT", value_name = "NAMES")]
    pub journal_redact: Option<String>,

    /// Client report: set a rule's level, ID=error|warning|info|off (repeatable; see
    /// docs/report.md). Scenario files and the report query override it.
    #[arg(
        long = "report-rule",
        env = "GENESYS_MOCK_REPORT_RULE",
        value_name = "ID=LEVEL",
        value_delimiter = ','
    )]
    pub report_rules: Vec<String>,

    /// Client report: set a threshold, NAME=N (retry-storm, token-churn, page-size; repeatable).
    #[arg(
        long = "report-threshold",
        env = "GENESYS_MOCK_REPORT_THRESHOLD",
        value_name = "NAME=N",
        value_delimiter = ','
    )]
    pub report_thresholds: Vec<String>,
}

#[cfg(feature = "cli")]
/// Checks `--public-url`: `http` or `https`, a host, no query or fragment. Returns it without
/// a trailing slash, ready to have paths appended.
fn public_url(text: &str) -> Result<String, String> {
    let bad = |why: &str| Err(format!("--public-url: {why}, got {text:?}"));
    let Ok(uri) = text.trim().parse::<http::Uri>() else {
        return bad("expected an absolute http or https URL");
    };
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return bad("the scheme must be http or https");
    }
    match uri.authority() {
        Some(a) if !a.host().is_empty() && !a.as_str().contains('@') => {}
        _ => return bad("expected a host (and no user info)"),
    }
    if uri.query().is_some() || text.contains('#') {
        return bad("a query or fragment cannot prefix paths");
    }
    Ok(text.trim().trim_end_matches('/').to_owned())
}

#[cfg(feature = "cli")]
fn compat_help() -> String {
    let mut s = String::from(
        "Set a compatibility switch, NAME=VALUE (repeatable; comma-separated in the environment variable).\n\nSwitches (default first):\n",
    );
    for sw in SWITCHES {
        s.push_str(&format!(
            "  {}={}  [{}]  (rfc profile: {})\n      {}\n",
            sw.name, sw.genesys, sw.values, sw.rfc, sw.what
        ));
    }
    s
}

/// Flags of `exec`.
#[cfg(feature = "cli")]
#[derive(Clone, Args)]
pub(crate) struct ExecArgs {
    #[command(flatten)]
    pub serve: ServeArgs,

    /// After COMMAND exits, write the final state (`orgs/<id>.json`, one fixture per org) and
    /// the journal (`requests.json`) into DIR, for CI artifacts. DIR is created if missing.
    #[arg(long, env = "GENESYS_MOCK_EXPORT_ON_EXIT", value_name = "DIR")]
    pub export_on_exit: Option<PathBuf>,

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

/// Flags of `healthcheck`.
#[cfg(feature = "cli")]
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
#[cfg(feature = "cli")]
#[derive(Debug, Clone, Args)]
pub(crate) struct ValidateArgs {
    /// Fixture file or directory.
    pub path: PathBuf,
}

/// How subcommands reach a running server (`verify`, `report`).
#[cfg(feature = "cli")]
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
#[cfg(feature = "cli")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum VerifyFormat {
    /// A line per difference and a summary line.
    #[default]
    Text,
    /// The structured diff, as `POST /__admin/expect` answers it.
    Json,
}

/// Flags of `verify`.
#[cfg(feature = "cli")]
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
#[cfg(feature = "cli")]
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

#[cfg(feature = "cli")]
impl GateFlags {
    /// Whether any report flag was given (`exec` runs the gate only then).
    pub(crate) fn wanted(&self) -> bool {
        !self.reports.is_empty() || self.fail_on.is_some()
    }
}

/// Flags of `report`.
#[cfg(feature = "cli")]
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
#[cfg(feature = "cli")]
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

/// Validated server configuration. Plain data, so tests build one and change fields. Its
/// `Debug` hides `admin_token` (`secret::Hidden`).
#[derive(Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub fixtures: Option<PathBuf>,
    pub seed: Option<u64>,
    pub log_format: LogFormat,
    pub port_file: Option<PathBuf>,
    pub compat: Compat,
    /// The clock spec as given (`real` / `frozen:...`), already checked.
    pub clock: String,
    /// Requests per minute per token; `None` is off (every layer too).
    pub rate_limit_per_minute: Option<u32>,
    /// `--rate-limit-layer`: named limits for every org (at most `rate_layer::MAX_LAYERS`).
    pub rate_layers: Vec<crate::rate_layer::RateLayer>,
    pub max_body_bytes: usize,
    /// `--max-connections`.
    pub max_connections: usize,
    /// `--public-url`, checked, without a trailing slash.
    pub public_url: Option<String>,
    /// `--body-timeout`: the longest pause inside a request body.
    pub body_timeout: Duration,
    /// `--request-timeout`: for the headers, then again for the whole body.
    pub request_timeout: Duration,
    /// `--max-group-members`: members per group where fixtures do not say.
    pub max_group_members: Option<usize>,
    /// `--max-patch-operations`: operations per PATCH where fixtures do not say.
    pub max_patch_operations: Option<usize>,
    pub admin_enabled: bool,
    pub admin_token: Option<String>,
    pub scenarios: Vec<PathBuf>,
    pub journal_size: usize,
    /// `--journal-bytes`.
    pub journal_bytes: usize,
    /// `--journal-redact`.
    pub journal_redact: Redaction,
    /// `--report-rule` and `--report-threshold`: the client report's server-wide settings.
    pub report: crate::report::settings::Layer,
}

/// Every field but the admin token as it is. The destructuring makes a new field a compile
/// error here, so none is left out (or shown) by accident.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Config {
            bind,
            fixtures,
            seed,
            log_format,
            port_file,
            compat,
            clock,
            rate_limit_per_minute,
            rate_layers,
            max_body_bytes,
            max_connections,
            public_url,
            body_timeout,
            request_timeout,
            max_group_members,
            max_patch_operations,
            admin_enabled,
            admin_token,
            scenarios,
            journal_size,
            journal_bytes,
            journal_redact,
            report,
        } = self;
        f.debug_struct("Config")
            .field("bind", bind)
            .field("fixtures", fixtures)
            .field("seed", seed)
            .field("log_format", log_format)
            .field("port_file", port_file)
            .field("compat", compat)
            .field("clock", clock)
            .field("rate_limit_per_minute", rate_limit_per_minute)
            .field("rate_layers", rate_layers)
            .field("max_body_bytes", max_body_bytes)
            .field("max_connections", max_connections)
            .field("public_url", public_url)
            .field("body_timeout", body_timeout)
            .field("request_timeout", request_timeout)
            .field("max_group_members", max_group_members)
            .field("max_patch_operations", max_patch_operations)
            .field("admin_enabled", admin_enabled)
            .field("admin_token", &Hidden(admin_token))
            .field("scenarios", scenarios)
            .field("journal_size", journal_size)
            .field("journal_bytes", journal_bytes)
            .field("journal_redact", journal_redact)
            .field("report", report)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: default_bind(),
            fixtures: None,
            seed: None,
            log_format: LogFormat::Text,
            port_file: None,
            compat: Compat::default(),
            clock: "real".to_owned(),
            rate_limit_per_minute: Some(DEFAULT_RATE_PER_MINUTE),
            rate_layers: Vec::new(),
            max_body_bytes: DEFAULT_MAX_BODY,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            public_url: None,
            body_timeout: Duration::from_secs(DEFAULT_BODY_TIMEOUT_SECS),
            request_timeout: Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECS),
            max_group_members: None,
            max_patch_operations: None,
            admin_enabled: true,
            admin_token: None,
            scenarios: Vec::new(),
            journal_size: 10_000,
            journal_bytes: crate::journal::limits::DEFAULT_JOURNAL_BYTES,
            journal_redact: Redaction::default(),
            report: crate::report::settings::Layer::default(),
        }
    }
}

/// [`DEFAULT_BIND`] as an address.
pub(crate) fn default_bind() -> SocketAddr {
    DEFAULT_BIND
        .parse()
        .expect("DEFAULT_BIND is a valid address")
}

impl Config {
    /// The limits set by `--max-group-members` and `--max-patch-operations`.
    pub(crate) fn limit_flags(&self) -> LimitFlags {
        LimitFlags {
            members_per_group: self.max_group_members,
            patch_operations: self.max_patch_operations,
        }
    }
}

#[cfg(feature = "cli")]
impl Config {
    /// Validates `serve` flags. Errors name the flag.
    pub(crate) fn from_args(args: ServeArgs) -> Result<Self, String> {
        // The profile is the preset; `--compat` switches (a `profile=` among them included)
        // are applied on top of it, so they win whatever their order on the command line.
        let mut compat = Compat::default();
        if let Some(p) = &args.profile {
            compat
                .set("profile", p)
                .map_err(|e| format!("--profile: {e}"))?;
        }
        let mut settings = Vec::new();
        for a in args.compat.iter().filter(|a| !a.trim().is_empty()) {
            settings.push(
                a.split_once('=')
                    .ok_or_else(|| format!("--compat: expected NAME=VALUE, got {a:?}"))?,
            );
        }
        compat
            .apply_all(settings)
            .map_err(|(_, e)| format!("--compat: {e}"))?;
        Clock::from_spec(&args.clock).map_err(|e| format!("--clock: {e}"))?;
        let rate_limit_per_minute = match args.rate_limit.trim() {
            "off" | "OFF" | "Off" => None,
            n => match n.parse::<u32>() {
                Ok(0) | Err(_) => {
                    return Err(format!(
                        "--rate-limit: expected a positive number of requests per minute or `off`, got {n:?}"
                    ));
                }
                Ok(v) => Some(v),
            },
        };
        let rate_layers = args
            .rate_limit_layers
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                crate::rate_layer::RateLayer::parse(l)
                    .map_err(|e| format!("--rate-limit-layer: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if rate_layers.len() > crate::rate_layer::MAX_LAYERS {
            return Err(format!(
                "--rate-limit-layer: at most {} layers",
                crate::rate_layer::MAX_LAYERS
            ));
        }
        if args.max_body_bytes == 0 {
            return Err("--max-body-bytes: must be greater than 0".to_owned());
        }
        if args.max_connections == 0 {
            return Err("--max-connections: must be greater than 0".to_owned());
        }
        for (flag, secs) in [
            ("--body-timeout", args.body_timeout),
            ("--request-timeout", args.request_timeout),
        ] {
            if secs == 0 {
                return Err(format!("{flag}: must be at least 1 second"));
            }
        }
        let max_group_members =
            parse_flag("--max-group-members", args.max_group_members.as_deref())?;
        let max_patch_operations = parse_flag(
            "--max-patch-operations",
            args.max_patch_operations.as_deref(),
        )?;
        if args.journal_bytes < crate::journal::limits::MIN_JOURNAL_BYTES {
            return Err(format!(
                "--journal-bytes: must be at least {} (one entry at its largest)",
                crate::journal::limits::MIN_JOURNAL_BYTES
            ));
        }
        let journal_redact = match args.journal_redact.as_deref().map(str::trim) {
            None => Redaction::default(),
            Some("none" | "") => Redaction::new([]),
            Some(list) => Redaction::new(list.split(',')),
        };
        let admin_enabled = match args.admin.to_ascii_lowercase().as_str() {
            "on" | "true" => true,
            "off" | "false" => false,
            other => return Err(format!("--admin: expected on or off, got {other:?}")),
        };
        let mut report = crate::report::settings::Layer::default();
        for r in args.report_rules.iter().filter(|a| !a.trim().is_empty()) {
            report
                .assign_rule(r)
                .map_err(|e| format!("--report-rule: {e}"))?;
        }
        for t in args
            .report_thresholds
            .iter()
            .filter(|a| !a.trim().is_empty())
        {
            report
                .assign_threshold(t)
                .map_err(|e| format!("--report-threshold: {e}"))?;
        }
        Ok(Self {
            report,
            bind: args.bind.unwrap_or_else(default_bind),
            fixtures: args.fixtures,
            seed: args.seed,
            log_format: args.log_format,
            port_file: args.port_file,
            compat,
            clock: args.clock,
            rate_limit_per_minute,
            rate_layers,
            max_body_bytes: args.max_body_bytes,
            max_connections: args.max_connections,
            public_url: args.public_url.as_deref().map(public_url).transpose()?,
            body_timeout: Duration::from_secs(args.body_timeout),
            request_timeout: Duration::from_secs(args.request_timeout),
            max_group_members,
            max_patch_operations,
            admin_enabled,
            admin_token: args.admin_token.filter(|t| !t.is_empty()),
            scenarios: args.scenarios,
            journal_size: args.journal_size,
            journal_bytes: args.journal_bytes,
            journal_redact,
        })
    }
}

/// Parses a limit flag: a whole number greater than zero. Errors name the flag.
pub(crate) fn parse_flag(flag: &str, value: Option<&str>) -> Result<Option<usize>, String> {
    let Some(text) = value else {
        return Ok(None);
    };
    match text.trim().parse::<usize>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(format!(
            "{flag}: expected a whole number greater than 0, got {text:?}"
        )),
    }
}

#[cfg(all(test, feature = "cli"))]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_admin_token_but_shows_the_rest() {
        let config = Config {
            admin_token: Some("s3cret-admin".into()),
            max_connections: 7,
            ..Config::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cret-admin"), "{shown}");
        assert!(
            shown.contains("admin_token: Some(\"<redacted>\")"),
            "{shown}"
        );
        assert!(shown.contains("max_connections: 7"), "{shown}");
    }

    #[test]
    fn public_urls_are_checked_and_lose_their_trailing_slash() {
        assert_eq!(
            public_url("https://scim.example.test/base/").unwrap(),
            "https://scim.example.test/base"
        );
        assert_eq!(public_url("http://h:8080").unwrap(), "http://h:8080");
        for bad in [
            "javascript://evil.example/x",
            "scim.example.test",
            "https://u:p@h/",
            "https://h/?q=1",
            "https://h/#f",
            "",
        ] {
            let e = public_url(bad).unwrap_err();
            assert!(e.starts_with("--public-url: "), "{bad}: {e}");
        }
    }

    #[test]
    fn flags_parse_positive_numbers_only() {
        assert_eq!(parse_flag("--x", None), Ok(None));
        assert_eq!(parse_flag("--x", Some("7")), Ok(Some(7)));
        for bad in ["0", "-3", "many", "", "1.5"] {
            let e = parse_flag("--x", Some(bad)).unwrap_err();
            assert!(e.starts_with("--x:"), "{e}");
        }
    }

    #[test]
    fn named_switches_win_over_the_profile_flag_beside_them() {
        // The profile comes after the switch on the command line and still does not undo it.
        let config = serve(&[
            "--compat",
            "version-mismatch-status=400",
            "--profile",
            "rfc",
        ])
        .unwrap();
        assert_eq!(config.compat.profile, crate::compat::Profile::Rfc);
        assert_eq!(config.compat.version_mismatch_status, 400);
        assert!(config.compat.meta_created, "the rest is the rfc preset");
    }

    fn serve(args: &[&str]) -> Result<Config, String> {
        let mut argv = vec!["genesys-scim-mock", "serve"];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
        match cli.into_command() {
            Command::Serve(a) => Config::from_args(*a),
            _ => unreachable!("parsed serve"),
        }
    }

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
        let c = Config::from_args(*a).unwrap();
        assert_eq!((c.rate_limit_per_minute, c.seed), (None, Some(7)));
        let Command::Serve(a) = parse(&[]).unwrap() else {
            panic!("no arguments is serve");
        };
        assert_eq!(
            Config::from_args(*a).unwrap().bind.to_string(),
            DEFAULT_BIND
        );
        let Command::Serve(a) = parse(&["serve", "--rate-limit", "off"]).unwrap() else {
            panic!("the plain form still works");
        };
        assert_eq!(Config::from_args(*a).unwrap().rate_limit_per_minute, None);
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

    #[test]
    fn defaults_are_genesys_like() {
        let c = serve(&[]).unwrap();
        assert_eq!(c.bind.to_string(), DEFAULT_BIND);
        assert_eq!(c.rate_limit_per_minute, Some(300));
        assert_eq!(c.max_body_bytes, 512_000);
        assert!(c.admin_enabled);
    }

    #[test]
    fn bad_values_name_their_flag() {
        assert!(
            serve(&["--rate-limit", "0"])
                .unwrap_err()
                .contains("--rate-limit")
        );
        assert!(
            serve(&["--rate-limit=-5"])
                .unwrap_err()
                .contains("--rate-limit")
        );
        assert!(
            serve(&["--clock", "later"])
                .unwrap_err()
                .contains("--clock")
        );
        assert!(
            serve(&["--compat", "nope=1"])
                .unwrap_err()
                .contains("--compat")
        );
        assert!(
            serve(&["--profile", "loose"])
                .unwrap_err()
                .contains("--profile")
        );
        assert!(
            serve(&["--admin", "maybe"])
                .unwrap_err()
                .contains("--admin")
        );
        assert_eq!(serve(&["--journal-size", "0"]).unwrap().journal_size, 0);
        let e = serve(&["--report-rule", "page-sise=off"]).unwrap_err();
        assert!(
            e.contains("--report-rule") && e.contains("page-size"),
            "{e}"
        );
        let e = serve(&["--report-threshold", "retry-storm=many"]).unwrap_err();
        assert!(e.contains("--report-threshold"), "{e}");
        let c = serve(&[
            "--report-rule",
            "page-size=off",
            "--report-threshold",
            "retry-storm=5",
        ])
        .unwrap();
        assert_eq!(c.report.thresholds["retry-storm"], 5);
    }

    #[test]
    fn limit_flags_parse_and_bad_values_name_their_flag() {
        let c = serve(&["--max-group-members", "5", "--max-patch-operations", "7"]).unwrap();
        assert_eq!(c.max_group_members, Some(5));
        assert_eq!(c.max_patch_operations, Some(7));
        let d = serve(&[]).unwrap();
        assert_eq!((d.max_group_members, d.max_patch_operations), (None, None));
        for flag in ["--max-group-members", "--max-patch-operations"] {
            for bad in ["0", "-1", "lots", "2.5"] {
                let e = serve(&[&format!("{flag}={bad}")]).unwrap_err();
                assert!(e.contains(flag), "{flag}={bad}: {e}");
            }
        }
        assert!(
            serve(&["--rate-limit", "lots"])
                .unwrap_err()
                .contains("--rate-limit")
        );
        assert!(
            serve(&["--clock", "frozen:tomorrow"])
                .unwrap_err()
                .contains("--clock")
        );
    }

    #[test]
    fn switches_and_off_parse() {
        let c = serve(&[
            "--rate-limit",
            "off",
            "--compat",
            "version-mismatch-status=412",
            "--profile",
            "rfc",
        ])
        .unwrap();
        assert_eq!(c.rate_limit_per_minute, None);
        assert_eq!(c.compat.version_mismatch_status, 412);
        assert_eq!(c.compat.profile, crate::compat::Profile::Rfc);
    }
}
