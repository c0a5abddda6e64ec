//! The flags of `serve` (which `exec` shares) and their check into a [`Config`]: every value
//! parsed and bounded once, every error naming its flag. Every flag can also come from a
//! `GENESYS_MOCK_*` environment variable, so a container is configured without a command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::base::clock::Clock;
use crate::compat::{Compat, SWITCHES};
use crate::config::{
    Config, DEFAULT_BODY_TIMEOUT_SECS, DEFAULT_MAX_BODY, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_REQUEST_TIMEOUT_SECS, LogFormat, default_bind,
};
use crate::control::journal::redaction::Redaction;

/// Flags of `serve`.
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

    /// Token requests per minute per OAuth client at `POST /oauth/token` (Genesys'
    /// `token.rate.per.minute`: 300), or `off`; past it the endpoint answers 400
    /// `invalid_request` "rate limit exceeded; ...". `--rate-limit off` lifts it too.
    #[arg(
        long,
        env = "GENESYS_MOCK_TOKEN_RATE_LIMIT",
        default_value = "300",
        value_name = "N|off"
    )]
    pub token_rate_limit: String,

    /// A further named rate limit, NAME=SCOPE:N[:ROUTES], applied together with the token limit
    /// (repeatable; comma-separated in the environment variable). SCOPE is token, client, org
    /// or route (one window per route name); ROUTES restricts it to route names (`users.*`).
    /// For client-credentials tokens Genesys documents resource limits, such as
    /// `scim.users=route:100:users.*`; its per-user limits apply to user tokens only.
    #[allow(
        rustdoc::broken_intra_doc_links,
        reason = "clap prints this comment as --help, where `[:ROUTES]` is the flag's syntax"
    )]
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
    /// request's Host (when the server answers for it, see --allowed-host), else the address
    /// bound. `X-Forwarded-*` headers are never used.
    #[arg(long, env = "GENESYS_MOCK_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,

    /// A host name the server answers for, besides localhost, IP addresses, single-label
    /// names (compose service names) and the host of --public-url (repeatable;
    /// comma-separated in the environment variable). `.example.test` allows that domain and
    /// its subdomains; `*` answers any Host. Requests for any other Host get 421: against DNS
    /// rebinding, where a web page on an attacker's name reaches the mock (docs/security.md).
    #[arg(
        long = "allowed-host",
        env = "GENESYS_MOCK_ALLOWED_HOST",
        value_name = "NAME",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,

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
        default_value_t = crate::control::journal::truncation::DEFAULT_JOURNAL_BYTES,
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

impl ServeArgs {
    /// Checks the flags into a [`Config`]. Errors name the flag.
    pub(crate) fn into_config(self) -> Result<Config, String> {
        let args = self;
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
        let rate_limit_per_minute =
            per_minute_or_off("--rate-limit", "requests", &args.rate_limit)?;
        let token_rate_limit_per_minute = per_minute_or_off(
            "--token-rate-limit",
            "token requests",
            &args.token_rate_limit,
        )?;
        let rate_layers = args
            .rate_limit_layers
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                crate::ratelimit::layer::RateLayer::parse(l)
                    .map_err(|e| format!("--rate-limit-layer: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if rate_layers.len() > crate::ratelimit::layer::MAX_LAYERS {
            return Err(format!(
                "--rate-limit-layer: at most {} layers",
                crate::ratelimit::layer::MAX_LAYERS
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
        if args.journal_bytes < crate::control::journal::truncation::MIN_JOURNAL_BYTES {
            return Err(format!(
                "--journal-bytes: must be at least {} (one entry at its largest)",
                crate::control::journal::truncation::MIN_JOURNAL_BYTES
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
        let public_url = args.public_url.as_deref().map(public_url).transpose()?;
        crate::edge::allowed_hosts::AllowedHosts::new(&args.allowed_hosts, public_url.as_deref())
            .map_err(|e| format!("--allowed-host: {e}"))?;
        let mut report = crate::control::report::settings::Layer::default();
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
        Ok(Config {
            report,
            bind: args.bind.unwrap_or_else(default_bind),
            fixtures: args.fixtures,
            seed: args.seed,
            log_format: args.log_format,
            port_file: args.port_file,
            compat,
            clock: args.clock,
            rate_limit_per_minute,
            token_rate_limit_per_minute,
            rate_layers,
            max_body_bytes: args.max_body_bytes,
            max_connections: args.max_connections,
            public_url,
            allowed_hosts: args.allowed_hosts,
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

/// A per-minute limit flag: a positive number, or `off` (`None`).
fn per_minute_or_off(flag: &str, what: &str, text: &str) -> Result<Option<u32>, String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    match t.parse::<u32>() {
        Ok(0) | Err(_) => Err(format!(
            "{flag}: expected a positive number of {what} per minute or `off`, got {t:?}"
        )),
        Ok(v) => Ok(Some(v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::{Cli, Command};
    use crate::config::DEFAULT_BIND;
    use clap::Parser;

    fn serve(args: &[&str]) -> Result<Config, String> {
        let mut argv = vec!["genesys-scim-mock", "serve"];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
        match cli.into_command() {
            Command::Serve(a) => a.into_config(),
            _ => unreachable!("parsed serve"),
        }
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
    #[test]
    fn defaults_are_genesys_like() {
        let c = serve(&[]).unwrap();
        assert_eq!(c.bind.to_string(), DEFAULT_BIND);
        assert_eq!(c.rate_limit_per_minute, Some(300));
        assert_eq!(c.token_rate_limit_per_minute, Some(300));
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
            serve(&["--token-rate-limit", "0"])
                .unwrap_err()
                .contains("--token-rate-limit")
        );
        let c = serve(&["--token-rate-limit", "Off"]).unwrap();
        assert_eq!(c.token_rate_limit_per_minute, None);
        assert_eq!(
            serve(&["--token-rate-limit", "12"])
                .unwrap()
                .token_rate_limit_per_minute,
            Some(12)
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
