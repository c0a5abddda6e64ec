//! Starts the real server on 127.0.0.1:0 and gives tests a client bound to it.

use std::sync::LazyLock;

use genesys_scim_mock::{AppState, Config};
use reqwest::{Client, RequestBuilder, Response};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// The default org's OAuth client (see fixtures/default-org.json and docs/configuration.md).
pub const CLIENT_ID: &str = "mock-client-id";
pub const CLIENT_SECRET: &str = "mock-client-secret";
/// SCIM v2 base path.
pub const SCIM: &str = "/api/v2/scim/v2";
/// Fixed ids from the default org.
pub const MARIA: &str = "a1b2c3d4-0001-4000-8000-000000000001";
pub const JAMES: &str = "a1b2c3d4-0002-4000-8000-000000000002";
pub const AIKO: &str = "a1b2c3d4-0003-4000-8000-000000000003";
pub const LUCAS: &str = "a1b2c3d4-0004-4000-8000-000000000004";
pub const OLIVIA: &str = "a1b2c3d4-0005-4000-8000-000000000005";
pub const SALES_TEAM: &str = "b2c3d4e5-0001-4000-8000-000000000001";
pub const SUPPORT_TEAM: &str = "b2c3d4e5-0002-4000-8000-000000000002";

static TRACING: LazyLock<()> = LazyLock::new(|| {
    if std::env::var("TEST_LOG").is_ok() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("genesys_scim_mock=debug")
            .try_init();
    }
});

/// A running server and a client for it. The server stops when this is dropped.
pub struct TestApp {
    pub base: String,
    pub addr: std::net::SocketAddr,
    pub client: Client,
    /// A token for the default org's client (empty when the fixtures have no such client).
    pub token: String,
    /// The admin token the server was started with, sent by the admin helpers.
    pub admin_token: Option<String>,
    _stop: oneshot::Sender<()>,
}

/// Waits (up to 10 s) for a server started as a process to write its `--port-file`, and
/// returns what it wrote: the `host:port` it listens on.
pub fn wait_for_port_file(path: &std::path::Path) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Ok(s) = std::fs::read_to_string(path)
            && !s.is_empty()
        {
            return s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server never wrote its port file {}",
            path.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// A test config: default org, seeded, rate limit as configured by default.
pub fn test_config() -> Config {
    let mut config = Config::default();
    config.seed = Some(42);
    config
}

/// `base` with `change` made to it: how a test sets the fields it needs on the library's
/// settings (`Config`, `Compat`), which are `#[non_exhaustive]` and so cannot be written as
/// struct literals outside the crate.
pub fn with<T>(mut base: T, change: impl FnOnce(&mut T)) -> T {
    change(&mut base);
    base
}

/// Starts a server with the default test config.
pub async fn spawn_app() -> TestApp {
    spawn_with(test_config()).await
}

/// Starts a server with `config` (its `bind` is ignored: tests always use 127.0.0.1:0).
pub async fn spawn_with(config: Config) -> TestApp {
    LazyLock::force(&TRACING);
    let admin_token = config.admin_token.clone();
    let state = AppState::new(config).expect("test config is valid");
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("bound address");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(genesys_scim_mock::serve(
        listener,
        state.clone(),
        async move {
            let _ = stopped.await;
        },
    ));
    let client = Client::builder().build().expect("client");
    let base = format!("http://{addr}");
    let mut app = TestApp {
        base,
        addr,
        client,
        token: String::new(),
        admin_token,
        _stop: stop,
    };
    if let Some(token) = app.try_token(CLIENT_ID, CLIENT_SECRET).await {
        app.token = token;
    }
    app
}

impl TestApp {
    /// An absolute URL for a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Gets a token for a client through `POST /oauth/token` (HTTP Basic).
    pub async fn token_for(&self, id: &str, secret: &str) -> String {
        self.try_token(id, secret)
            .await
            .expect("token request failed")
    }

    /// `POST /oauth/token` for a client (HTTP Basic), as the Genesys SDKs send it.
    pub async fn token_response(&self, id: &str, secret: &str) -> Response {
        self.client
            .post(self.url("/oauth/token"))
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("token request")
    }

    /// A token for a client, or `None` when the server refuses (no such client).
    pub async fn try_token(&self, id: &str, secret: &str) -> Option<String> {
        let resp = self.token_response(id, secret).await;
        if resp.status() != 200 {
            return None;
        }
        let body: Value = resp.json().await.expect("token json");
        Some(
            body["access_token"]
                .as_str()
                .expect("access_token")
                .to_owned(),
        )
    }

    /// A request to the admin API, with the admin token when the server has one.
    pub fn admin(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        let b = self.client.request(method, self.url(path));
        match &self.admin_token {
            Some(t) => b.bearer_auth(t),
            None => b,
        }
    }

    /// Moves the server's clock on through `POST /__admin/clock`, as any client would.
    pub async fn advance_clock(&self, by: chrono::Duration) {
        let resp = self
            .admin(reqwest::Method::POST, "/__admin/clock")
            .json(&serde_json::json!({"advance": format!("{}ms", by.num_milliseconds())}))
            .send()
            .await
            .expect("clock request");
        assert_eq!(resp.status(), 200, "advancing the clock failed");
    }

    /// The server's clock (`GET /__admin/clock`'s `now`).
    pub async fn clock_now(&self) -> String {
        let resp = self
            .admin(reqwest::Method::GET, "/__admin/clock")
            .send()
            .await
            .expect("clock request");
        let body: Value = resp.json().await.expect("clock json");
        body["now"].as_str().expect("now").to_owned()
    }

    fn authed(&self, b: RequestBuilder) -> RequestBuilder {
        b.bearer_auth(&self.token)
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.authed(self.client.get(self.url(path)))
    }

    /// The status of `GET path` with the token.
    pub async fn get_status(&self, path: &str) -> u16 {
        self.get(path).send().await.expect("send").status().as_u16()
    }

    /// A platform call with the token and an `application/json` body, as the SDKs send it:
    /// status and parsed body.
    pub async fn platform_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
    ) -> (u16, Value) {
        let req = self
            .authed(self.client.request(method, self.url(path)))
            .header("content-type", "application/json")
            .body(body.to_string());
        status_json(req.send().await.expect("send")).await
    }

    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.authed(self.client.delete(self.url(path)))
    }

    pub fn post_json(&self, path: &str, body: &Value) -> RequestBuilder {
        self.with_json(self.client.post(self.url(path)), body)
    }

    pub fn put_json(&self, path: &str, body: &Value) -> RequestBuilder {
        self.with_json(self.client.put(self.url(path)), body)
    }

    pub fn patch_json(&self, path: &str, body: &Value) -> RequestBuilder {
        self.with_json(self.client.patch(self.url(path)), body)
    }

    fn with_json(&self, b: RequestBuilder, body: &Value) -> RequestBuilder {
        self.authed(b)
            .header("content-type", "application/scim+json")
            .body(body.to_string())
    }

    /// `GET path` with the token: status and parsed body.
    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        status_json(self.get(path).send().await.expect("send")).await
    }

    /// `POST path` with a JSON body: status and parsed body.
    pub async fn post_status(&self, path: &str, body: &Value) -> (u16, Value) {
        status_json(self.post_json(path, body).send().await.expect("send")).await
    }

    /// `PATCH path` with a PatchOp carrying `ops`: status and parsed body.
    pub async fn patch_ops(&self, path: &str, ops: Value) -> (u16, Value) {
        let body = serde_json::json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": ops
        });
        status_json(self.patch_json(path, &body).send().await.expect("send")).await
    }

    /// Creates a user through SCIM and returns its JSON, asserting 201.
    pub async fn create_user(&self, body: &Value) -> Value {
        let resp = self
            .post_json(&format!("{SCIM}/Users"), body)
            .send()
            .await
            .expect("send");
        let status = resp.status();
        let json: Value = resp.json().await.expect("json");
        assert_eq!(status, 201, "create failed: {json}");
        json
    }

    /// Deletes a user through SCIM, asserting 204.
    pub async fn delete_user(&self, id: &str) {
        let resp = self
            .delete(&format!("{SCIM}/Users/{id}"))
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status(), 204, "delete of {id} failed");
    }
}

/// Status and parsed JSON body of a response (Null for an empty body).
pub async fn status_json(resp: Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, json)
}

/// Asserts a SCIM error body: status (as a string in the body), scimType.
pub fn assert_scim_error(status: u16, body: &Value, want_status: u16, want_type: Option<&str>) {
    assert_eq!(status, want_status, "body: {body}");
    assert_eq!(body["status"], want_status.to_string(), "body: {body}");
    assert_eq!(
        body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error",
        "body: {body}"
    );
    assert_eq!(body["scimType"].as_str(), want_type, "body: {body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "detail missing: {body}"
    );
}

/// Asserts a Genesys platform ErrorBody.
pub fn assert_platform_error(status: u16, body: &Value, want_status: u16, want_code: &str) {
    assert_eq!(status, want_status, "body: {body}");
    assert_eq!(body["status"], want_status, "body: {body}");
    assert_eq!(body["code"], want_code, "body: {body}");
    assert!(
        body["message"].as_str().is_some_and(|d| !d.is_empty()),
        "message missing: {body}"
    );
    assert!(body["contextId"].is_string(), "contextId missing: {body}");
    assert!(
        body["details"].is_array() && body["errors"].is_array(),
        "details/errors missing: {body}"
    );
}
