//! [`MockServer`]: the mock as a Rust test handle, for a client crate's own tests (its
//! documentation is on the type, which the crate root re-exports).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use http::Method;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::base::http_client::{Answer, Client};
use crate::config::Config;
use crate::embed::running_server::RunningServer;
pub use crate::embed::running_server::StartError;
use crate::state::AppState;

/// An OAuth client of the mock: what a Genesys SDK is configured with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: String,
}

/// Configures a [`MockServer`] before it starts: fixtures, scenarios, seed, clock.
///
/// ```
/// use genesys_scim_mock::MockServer;
///
/// let server = MockServer::builder()
///     .seed(7)
///     .frozen_clock("2026-01-01T00:00:00Z")
///     .start()
///     .expect("starts");
/// let before = server.clock_now();
/// server.advance_clock(std::time::Duration::from_secs(3600));
/// assert_eq!(before, "2026-01-01T00:00:00Z");
/// assert_eq!(server.clock_now(), "2026-01-01T01:00:00Z");
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    config: Config,
}

impl Builder {
    /// A fixture file or directory of `*.json` fixtures, instead of the built-in default org.
    pub fn fixtures(mut self, path: impl Into<PathBuf>) -> Self {
        self.config.fixtures = Some(path.into());
        self
    }

    /// A scenario file to load at start (call again for more).
    pub fn scenario(mut self, path: impl Into<PathBuf>) -> Self {
        self.config.scenarios.push(path.into());
        self
    }

    /// Seeds ids, tokens and probabilistic faults: same seed, same requests, same answers.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = Some(seed);
        self
    }

    /// Starts the clock frozen at an RFC 3339 instant (advance it with
    /// [`MockServer::advance_clock`]).
    pub fn frozen_clock(mut self, at: &str) -> Self {
        self.config.clock = format!("frozen:{at}");
        self
    }

    /// Requests per minute per token, or `None` for no limit (default: Genesys' 300).
    pub fn rate_limit(mut self, per_minute: Option<u32>) -> Self {
        self.config.rate_limit_per_minute = per_minute;
        self
    }

    /// Any other setting, on the same [`Config`] the `serve` flags fill in.
    pub fn config(mut self, change: impl FnOnce(&mut Config)) -> Self {
        change(&mut self.config);
        self
    }

    /// Starts the server and waits until it answers.
    pub fn start(self) -> Result<MockServer, StartError> {
        MockServer::launch(self.config)
    }
}

/// A running mock server, stopped when dropped: the mock as a Rust test handle.
///
/// Each handle runs a real server on `127.0.0.1:0` on a thread of its own with its own Tokio
/// runtime, so it works the same from a plain `#[test]` and from `#[tokio::test]` (whatever
/// runtime flavour), many handles run side by side in one test binary, and dropping the handle
/// stops its server and frees the port. The admin helpers go through the server's own
/// `/__admin` API, so they do exactly what a test in another language would do over HTTP.
///
/// The helpers panic with a message naming the call when the server refuses it: they are
/// meant for tests, where a panic is a failed test with a reason.
///
/// ```
/// use genesys_scim_mock::MockServer;
///
/// let server = MockServer::start();
/// let creds = server.credentials();
/// assert_eq!(creds.client_id, "mock-client-id");
/// assert!(server.base_url().starts_with("http://127.0.0.1:"));
/// assert!(!server.token().is_empty());
/// // The journal counts what the client under test sent (nothing yet).
/// assert_eq!(server.journal_count(&serde_json::json!({"route": "users.create"})), 0);
/// ```
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    state: AppState,
    client: Client,
    runtime: tokio::runtime::Handle,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Starts a server with the built-in default org (see docs/configuration.md, "The default org").
    ///
    /// # Panics
    ///
    /// When no server can start (no thread, no loopback port): the environment is broken.
    pub fn start() -> Self {
        Self::builder()
            .start()
            .unwrap_or_else(|e| panic!("the mock server did not start: {e}"))
    }

    /// A [`Builder`] for fixtures, scenarios, seed and clock.
    pub fn builder() -> Builder {
        Builder {
            config: Config::default(),
        }
    }

    fn launch(mut config: Config) -> Result<Self, StartError> {
        config.bind = SocketAddr::from(([127, 0, 0, 1], 0));
        config.port_file = None;
        let (ready_tx, ready_rx) = mpsc::channel();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("genesys-scim-mock".to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = ready_tx.send(Err(StartError::Runtime(format!("no runtime: {e}"))));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let instance = match RunningServer::start(config).await {
                        Ok(i) => i,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let started = (
                        instance.addr(),
                        instance.state().clone(),
                        instance.client(),
                        tokio::runtime::Handle::current(),
                    );
                    if ready_tx.send(Ok(started)).is_err() {
                        return;
                    }
                    let _ = stopped.await;
                    instance.stop().await;
                });
            })
            .map_err(|e| StartError::Runtime(format!("no thread: {e}")))?;
        let (addr, state, client, runtime) = ready_rx
            .recv()
            .map_err(|_| StartError::Runtime("the server thread ended".to_owned()))??;
        let server = Self {
            addr,
            state,
            client,
            runtime,
            stop: Some(stop),
            thread: Some(thread),
        };
        let client = server.client.clone();
        server
            .run(async move { client.health().await })
            .map_err(|e| StartError::Runtime(format!("not ready: {e}")))?;
        Ok(server)
    }

    /// Runs `work` on the server's runtime and waits for it; fine from any thread or runtime.
    fn run<T: Send + 'static>(
        &self,
        work: impl std::future::Future<Output = T> + Send + 'static,
    ) -> T {
        let (tx, rx) = mpsc::channel();
        self.runtime.spawn(async move {
            let _ = tx.send(work.await);
        });
        rx.recv().expect("the mock server's runtime is gone")
    }

    fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let client = self.client.clone();
        let path_owned = path.to_owned();
        self.run(async move { client.call(method, &path_owned, body.as_ref()).await })
            .and_then(|a| a.success(path))
            .unwrap_or_else(|e| panic!("genesys-scim-mock {path}: {e}"))
    }

    /// `http://127.0.0.1:PORT`: point the client under test here.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The SCIM v2 base URL, `…/api/v2/scim/v2`.
    pub fn scim_url(&self) -> String {
        format!("{}/api/v2/scim/v2", self.base_url())
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The first OAuth client of the first org (sorted by id): `mock-client-id` /
    /// `mock-client-secret` with the default org.
    ///
    /// # Panics
    ///
    /// When the fixtures define no OAuth client.
    pub fn credentials(&self) -> Credentials {
        self.first_client()
            .map(|c| Credentials {
                client_id: c.id,
                client_secret: c.secret.expose().to_owned(),
            })
            .expect("the fixtures define no OAuth client")
    }

    fn first_client(&self) -> Option<crate::store::OAuthClient> {
        let store = &self.state.store;
        store
            .org_ids()
            .iter()
            .find_map(|org| store.clients_of(org).into_iter().next())
    }

    /// A bearer token for [`credentials`](Self::credentials), issued directly (it is not a
    /// request in the journal).
    ///
    /// # Panics
    ///
    /// When the fixtures define no OAuth client, or the token table is full.
    pub fn token(&self) -> String {
        let client = self
            .first_client()
            .expect("the fixtures define no OAuth client");
        self.state
            .store
            .issue_token(&client, &self.state.rng, self.state.clock.now_millis())
            .expect("the token table is full")
    }

    /// `POST /__admin/reset`: every org back to its fixture, journal and scenarios cleared.
    pub fn reset(&self) {
        self.admin(Method::POST, "/__admin/reset", None);
    }

    /// `POST /__admin/scenarios`: adds (or replaces, by name) a scenario.
    pub fn load_scenario(&self, scenario: &Value) {
        self.admin(Method::POST, "/__admin/scenarios", Some(scenario.clone()));
    }

    /// `POST /__admin/requests/count`: how many journalled requests match, e.g.
    /// `json!({"method": "PATCH", "route": "users.patch"})` (any subset of `method`, `route`,
    /// `path`, `org`, `status`, `rule`).
    pub fn journal_count(&self, matcher: &Value) -> usize {
        let answer = self.admin(
            Method::POST,
            "/__admin/requests/count",
            Some(matcher.clone()),
        );
        let body = answer
            .json("/__admin/requests/count")
            .unwrap_or_else(|e| panic!("{e}"));
        body["count"]
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or_else(|| panic!("/__admin/requests/count answered {body}"))
    }

    /// `POST /__admin/clock {"advance": …}`: moves the clock on (token expiry, rate windows,
    /// `Retry-After`), to the millisecond.
    pub fn advance_clock(&self, by: Duration) {
        self.admin(
            Method::POST,
            "/__admin/clock",
            Some(json!({"advance": format!("{}ms", by.as_millis())})),
        );
    }

    /// `GET /__admin/clock`: the server's current time, RFC 3339 (seconds precision when whole).
    pub fn clock_now(&self) -> String {
        let body = self
            .admin(Method::GET, "/__admin/clock", None)
            .json("/__admin/clock")
            .unwrap_or_else(|e| panic!("{e}"));
        let now = body["now"].as_str().unwrap_or_default();
        chrono::DateTime::parse_from_rfc3339(now)
            .map(|t| {
                t.with_timezone(&chrono::Utc)
                    .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            })
            .unwrap_or_else(|_| now.to_owned())
    }

    /// `GET /__admin/orgs/{org}/export`: the org as a fixture org (users, groups, clients).
    pub fn export(&self, org: &str) -> Value {
        let path = format!(
            "/__admin/orgs/{}/export",
            percent_encoding::utf8_percent_encode(org, percent_encoding::NON_ALPHANUMERIC)
        );
        self.admin(Method::GET, &path, None)
            .json(&path)
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Joined so the port is free when drop returns; the drain has nothing in flight
        // unless a request is still running, and is bounded by the server's drain timeout.
        if let Some(thread) = self.thread.take()
            && thread.thread().id() != std::thread::current().id()
        {
            let _ = thread.join();
        }
    }
}
