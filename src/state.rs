//! `AppState`: the one cheap-to-clone handle every handler receives.

use std::sync::Arc;

use http::header;
use parking_lot::RwLock;

use crate::base::clock::Clock;
use crate::base::rng::Seeded;
use crate::base::shutdown::Shutdown;
use crate::config::Config;
use crate::control::journal::Journal;
use crate::control::scenario::Scenarios;
use crate::edge::allowed_hosts::{AllowedHosts, Authority};
use crate::error::ApiError;
use crate::genesys::limits::Limits;
use crate::pipeline::context::ApiRequest;
use crate::pipeline::route::ScimTree;
use crate::ratelimit::RateLimiter;
use crate::store::Store;

/// Shared server state. Cloning is cheap (everything inside is behind an `Arc`). Opaque outside
/// the crate: tests reach its clock, journal and scenarios through the admin API.
#[derive(Debug, Clone)]
pub struct AppState {
    pub(crate) config: Arc<Config>,
    pub(crate) store: Store,
    pub(crate) clock: Clock,
    /// Server-wide randomness (tokens, correlation ids). Orgs have their own streams for ids.
    pub(crate) rng: Seeded,
    /// Per-token request windows (`--rate-limit`).
    pub(crate) limiter: Arc<RateLimiter>,
    /// The bounded request log (`--journal-size`).
    pub(crate) journal: Journal,
    /// Loaded scenarios (`--scenario` and the admin API).
    pub(crate) scenarios: Scenarios,
    /// The server's stop signal: ends uploads being read and scenario waits when it drains.
    pub(crate) shutdown: Shutdown,
    /// The fixture each org was last loaded from, for per-org reset and export.
    pub(crate) sources: crate::seed::sources::Sources,
    /// The address the server listens on, once it does (see [`AppState::origin`]).
    pub(crate) bound: Arc<std::sync::OnceLock<std::net::SocketAddr>>,
    /// The SCIM bases under [`AppState::origin`], formatted once it is settled (a public URL
    /// is given or the address is bound) rather than for every request.
    bases: Arc<std::sync::OnceLock<ScimBases>>,
    /// The `Host` names answered (`--allowed-host`, see [`crate::edge::allowed_hosts`]).
    hosts: Arc<AllowedHosts>,
    /// The last `Host` answered, as sent, and the SCIM bases under it: clients send one
    /// `Host` over and over, so a request finds its URLs without a copy. One entry.
    last_host: Arc<RwLock<Option<HostBases>>>,
}

/// A `Host` as sent, and the SCIM bases under it.
type HostBases = (Box<str>, ScimBases);

/// The two SCIM trees' base URLs, as every SCIM answer writes them.
#[derive(Debug)]
struct ScimBases {
    v2: Arc<str>,
    legacy: Arc<str>,
}

impl ScimBases {
    fn under(origin: &str) -> Self {
        Self {
            v2: format!("{origin}{}", ScimTree::V2.prefix()).into(),
            legacy: format!("{origin}{}", ScimTree::Legacy.prefix()).into(),
        }
    }

    fn of(&self, tree: ScimTree) -> Arc<str> {
        match tree {
            ScimTree::V2 => Arc::clone(&self.v2),
            ScimTree::Legacy => Arc::clone(&self.legacy),
        }
    }
}

impl AppState {
    /// The switches that apply to `org`: the server's (`--compat`, `--profile`) with the org's
    /// fixture layer on top. A request starts from these (a scenario rule may override some);
    /// the admin API renders an org's users under them.
    pub(crate) fn compat_for(&self, org: &crate::genesys::org::Org) -> crate::compat::Compat {
        let mut compat = self.config.compat.clone();
        org.compat.apply(&mut compat);
        compat
    }

    /// Why the server does not answer a request for its `Host` (421), or `None` when it
    /// does: the name is on the allow-list ([`crate::edge::allowed_hosts`]) and a well-formed
    /// authority. A request without `Host` (HTTP/1.0, or built in memory for [`crate::handle`])
    /// is answered.
    pub(crate) fn refuses_host(&self, req: &ApiRequest) -> Option<ApiError> {
        let value = req.headers.get(header::HOST)?;
        if self.hosts.any() {
            return None;
        }
        if let Ok(text) = value.to_str()
            && let Some((last, _)) = &*self.last_host.read()
            && **last == *text
        {
            return None;
        }
        let answered = value
            .to_str()
            .ok()
            .and_then(Authority::parse)
            .is_some_and(|a| self.hosts.allows(&a));
        (!answered).then(|| {
            let shown: String = String::from_utf8_lossy(value.as_bytes()).chars().take(100).collect();
            ApiError::misdirected(format!(
                "This server does not answer for Host {shown:?}: it answers localhost, IP addresses, \
                 single-label names and the names given with --allowed-host (GENESYS_MOCK_ALLOWED_HOST); \
                 a name a web page could point at the server is refused (docs/security.md)."
            ))
        })
    }

    /// Where the client reached the server, for `Location`, `meta.location` and `$ref`:
    /// `--public-url` when set, else `http://` and the request's `Host` (checked by
    /// [`AppState::refuses_host`] before anything answers, and well-formed, so it is safe in a
    /// URL), else the address bound. `X-Forwarded-*` headers are never read.
    pub(crate) fn origin_for(&self, req: &ApiRequest) -> String {
        match self.request_host(req) {
            Some(host) if self.config.public_url.is_none() => format!("http://{host}"),
            _ => self.origin(),
        }
    }

    /// The request's `Host` when it can go in a URL.
    fn request_host<'r>(&self, req: &'r ApiRequest) -> Option<&'r str> {
        let text = req.header(header::HOST)?;
        Authority::parse(text).map(|_| text)
    }

    /// [`AppState::scim_base`] for this request: under its `Host` (see
    /// [`AppState::origin_for`]).
    pub(crate) fn scim_base_for(&self, tree: ScimTree, req: &ApiRequest) -> Arc<str> {
        if self.config.public_url.is_some() {
            return self.scim_base(tree);
        }
        let Some(host) = self.request_host(req) else {
            return self.scim_base(tree);
        };
        if let Some((last, bases)) = &*self.last_host.read()
            && **last == *host
        {
            return bases.of(tree);
        }
        let bases = ScimBases::under(&format!("http://{host}"));
        let base = bases.of(tree);
        *self.last_host.write() = Some((host.into(), bases));
        base
    }

    /// Where clients reach the server when no request says: `--public-url` when set, else
    /// the address bound.
    pub(crate) fn origin(&self) -> String {
        match (&self.config.public_url, self.bound.get()) {
            (Some(url), _) => url.clone(),
            (None, Some(addr)) => format!("http://{addr}"),
            (None, None) => format!("http://{}", self.config.bind),
        }
    }

    /// The base URL of a SCIM tree under [`AppState::origin`] (`meta.location`, `$ref`).
    pub(crate) fn scim_base(&self, tree: ScimTree) -> Arc<str> {
        if let Some(bases) = self.bases.get() {
            return bases.of(tree);
        }
        let bases = ScimBases::under(&self.origin());
        if self.config.public_url.is_none() && self.bound.get().is_none() {
            // Not bound yet (a socket-free call): the origin may still change.
            return bases.of(tree);
        }
        self.bases.get_or_init(|| bases).of(tree)
    }

    /// The bounds a request body is read within (see [`crate::edge::body`]).
    pub(crate) fn upload_limits(&self) -> crate::edge::body::UploadLimits {
        crate::edge::body::UploadLimits {
            max_bytes: self.config.max_body_bytes,
            pause: self.config.body_timeout,
            total: self.config.request_timeout,
        }
    }

    /// Builds state from a validated config and loads the configured fixtures (or the
    /// built-in default org). The `Err` names the flag at fault (`--fixtures: ...`).
    pub fn new(config: Config) -> Result<Self, SetupError> {
        let clock = Clock::from_spec(&config.clock).map_err(SetupError::Clock)?;
        let store = Store::new();
        // Resets read the origins again (see `Sources`): nothing parsed is kept.
        let origins = crate::seed::defaults::origins(config.fixtures.as_deref())
            .map_err(SetupError::Fixtures)?;
        let ids = crate::seed::defaults::load_origins(&store, &origins, config.seed, clock.now())
            .map_err(SetupError::Fixtures)?;
        let sources =
            crate::seed::sources::Sources::configured(origins.into_iter().zip(ids).collect());
        apply_limit_flags(&store, &config);
        let hosts = AllowedHosts::new(&config.allowed_hosts, config.public_url.as_deref())
            .map_err(SetupError::AllowedHost)?;
        let scenarios = Scenarios::new(Seeded::derive(config.seed, "scenarios"));
        scenarios
            .load_files(&config.scenarios)
            .map_err(SetupError::Scenario)?;
        Ok(Self {
            journal: Journal::with_limits(crate::control::journal::Capacity {
                entries: config.journal_size,
                bytes: config.journal_bytes,
                redaction: config.journal_redact.clone(),
            }),
            scenarios,
            shutdown: Shutdown::default(),
            sources,
            bound: Arc::default(),
            bases: Arc::default(),
            hosts: Arc::new(hosts),
            last_host: Arc::default(),
            rng: Seeded::derive(config.seed, "server"),
            config: Arc::new(config),
            store,
            clock,
            limiter: Arc::new(RateLimiter::new()),
        })
    }
}

/// Why [`AppState::new`] refused a config: which setting, and the cause. The message names the
/// flag (`--clock: ...`), as start-up errors do; the variant lets a caller tell them apart, and
/// a fixture error keeps its file, record and field.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// `--clock` is not `real` or `frozen:<RFC 3339>`.
    #[error("--clock: {0}")]
    Clock(String),
    /// A fixture document could not be read or loaded.
    #[error("fixtures: {0}")]
    Fixtures(#[from] crate::seed::Error),
    /// A `--scenario` file could not be read or is not a valid scenario.
    #[error("--scenario: {0}")]
    Scenario(String),
    /// An `--allowed-host` entry is not a host name, `.DOMAIN` or `*`.
    #[error("--allowed-host: {0}")]
    AllowedHost(String),
}

/// Applies the limit flags to every org in `store` (start-up, and after fixtures are loaded).
pub(crate) fn apply_limit_flags(store: &Store, config: &Config) {
    for id in store.org_ids() {
        if let Some(org) = store.org(&id) {
            let mut org = org.write();
            org.limits = Limits::resolve(&org.limit_settings, config.limit_flags());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scim_bases_follow_the_bind_and_are_kept_once_it_is_known() {
        let state = AppState::new(Config::default()).unwrap();
        let before = format!("http://{}/api/v2/scim/v2", state.config.bind);
        assert_eq!(&*state.scim_base(ScimTree::V2), before);
        let addr: std::net::SocketAddr = "127.0.0.1:4321".parse().unwrap();
        state.bound.set(addr).unwrap();
        assert_eq!(
            &*state.scim_base(ScimTree::V2),
            "http://127.0.0.1:4321/api/v2/scim/v2"
        );
        assert_eq!(
            &*state.scim_base(ScimTree::Legacy),
            "http://127.0.0.1:4321/api/v2/scim"
        );
        let public = AppState::new(Config {
            public_url: Some("https://mock.example".into()),
            ..Config::default()
        })
        .unwrap();
        public.bound.set(addr).unwrap();
        assert_eq!(
            &*public.scim_base(ScimTree::Legacy),
            "https://mock.example/api/v2/scim"
        );
    }
}
