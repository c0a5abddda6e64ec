//! The server's settings, [`Config`]: what the `serve` flags fill in (the command line checks
//! them into one, `cli::serve_args`) and what an embedding test sets by hand
//! ([`Builder::config`](crate::Builder::config), [`AppState::new`](crate::AppState::new)).
//!
//! Plain data with public fields, so the library checks what only the server can: the clock
//! spec stays text here and is parsed when the state is built (`AppState::new`), the one place
//! both a command line and a hand-built config pass through.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::base::secret::Hidden;
use crate::compat::Compat;
use crate::control::journal::redaction::Redaction;
use crate::genesys::limits::LimitFlags;

/// Default bind address: loopback only, as a test tool should.
pub(crate) const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// Genesys' `request.bytes.max`.
pub(crate) const DEFAULT_MAX_BODY: usize = 512_000;

/// Genesys' `client.credentials.token.rate.per.minute`.
pub(crate) const DEFAULT_RATE_PER_MINUTE: u32 = 300;

/// Token requests per minute per OAuth client: Genesys' `token.rate.per.minute`, 300 on its
/// Limits page.
pub(crate) const DEFAULT_TOKEN_RATE_PER_MINUTE: u32 = 300;

/// Default `--max-connections`: far more than a test suite opens, and below the common
/// open-file limit of 1024, so the cap (a prompt 503) is reached before `accept` fails.
pub(crate) const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// Default `--body-timeout` in seconds.
pub(crate) const DEFAULT_BODY_TIMEOUT_SECS: u64 = 10;

/// Default `--request-timeout` in seconds.
pub(crate) const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// The server's settings. Plain data: start from `Config::default()` (the `serve` defaults)
/// and set the fields a test needs. It is `#[non_exhaustive]`, so a new setting is not a
/// breaking change (and a struct literal does not compile outside this crate). Its `Debug`
/// hides `admin_token` (`secret::Hidden`).
///
/// ```
/// let mut config = genesys_scim_mock::Config::default();
/// config.seed = Some(7);
/// config.clock = "frozen:2026-01-01T00:00:00Z".to_owned();
/// config.report.assign_rule("page-size=off").expect("a known rule");
/// let state = genesys_scim_mock::AppState::new(config).expect("a valid config");
/// # drop(state);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    pub bind: SocketAddr,
    pub fixtures: Option<PathBuf>,
    pub seed: Option<u64>,
    pub log_format: LogFormat,
    pub port_file: Option<PathBuf>,
    pub compat: Compat,
    /// The clock spec, `real` or `frozen:<RFC 3339>`: checked with the `serve` flags, parsed by
    /// `AppState::new` (a bad one is `SetupError::Clock`).
    pub clock: String,
    /// Requests per minute per token; `None` is off (every layer too).
    pub rate_limit_per_minute: Option<u32>,
    /// `--token-rate-limit`: token requests per minute per OAuth client, unless the client sets
    /// its own; `None` is off. Off as well when `rate_limit_per_minute` is.
    pub token_rate_limit_per_minute: Option<u32>,
    /// `--rate-limit-layer`: named limits for every org (at most `ratelimit::layer::MAX_LAYERS`).
    pub rate_layers: Vec<crate::ratelimit::layer::RateLayer>,
    pub max_body_bytes: usize,
    /// `--max-connections`.
    pub max_connections: usize,
    /// `--public-url`, checked, without a trailing slash.
    pub public_url: Option<String>,
    /// `--allowed-host`: names answered besides localhost, IP addresses, single-label names
    /// and the public URL's host; `.DOMAIN` for a domain and its subdomains, `*` for any.
    pub allowed_hosts: Vec<String>,
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
    pub report: crate::control::report::settings::Layer,
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
            token_rate_limit_per_minute,
            rate_layers,
            max_body_bytes,
            max_connections,
            public_url,
            allowed_hosts,
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
            .field("token_rate_limit_per_minute", token_rate_limit_per_minute)
            .field("rate_layers", rate_layers)
            .field("max_body_bytes", max_body_bytes)
            .field("max_connections", max_connections)
            .field("public_url", public_url)
            .field("allowed_hosts", allowed_hosts)
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
            token_rate_limit_per_minute: Some(DEFAULT_TOKEN_RATE_PER_MINUTE),
            rate_layers: Vec::new(),
            max_body_bytes: DEFAULT_MAX_BODY,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            public_url: None,
            allowed_hosts: Vec::new(),
            body_timeout: Duration::from_secs(DEFAULT_BODY_TIMEOUT_SECS),
            request_timeout: Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECS),
            max_group_members: None,
            max_patch_operations: None,
            admin_enabled: true,
            admin_token: None,
            scenarios: Vec::new(),
            journal_size: 10_000,
            journal_bytes: crate::control::journal::truncation::DEFAULT_JOURNAL_BYTES,
            journal_redact: Redaction::default(),
            report: crate::control::report::settings::Layer::default(),
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

#[cfg(test)]
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
}
