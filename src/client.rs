//! A small HTTP/1.1 client for the mock's own endpoints: health, tokens and the admin API.
//!
//! `healthcheck`, `exec` and [`crate::MockServer`] talk to a running server through its public
//! HTTP surface rather than reaching into its state, so what they check is what a client sees.
//! One connection per call (`Connection: close`): these are control calls, not a workload.

use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http::{Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpStream;

/// How long one control call may take, connection included.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a server listens (`host:port`, host names allowed) and the admin token, if any.
#[derive(Debug, Clone)]
pub struct Client {
    authority: String,
    admin_token: Option<String>,
}

/// A response: status and the whole body.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Bytes,
}

impl Reply {
    /// The body as JSON, or an error naming the call.
    pub fn json(&self, what: &str) -> Result<Value, String> {
        serde_json::from_slice(&self.body)
            .map_err(|e| format!("{what}: the answer is not JSON ({e})"))
    }

    /// `Ok(self)` on a 2xx status; otherwise an error carrying the status and body.
    pub fn success(self, what: &str) -> Result<Self, String> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(format!(
                "{what}: {} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            ))
        }
    }
}

impl Client {
    /// A client for the server at `authority` (`host:port`).
    pub fn new(authority: impl Into<String>, admin_token: Option<String>) -> Self {
        Self {
            authority: authority.into(),
            admin_token,
        }
    }

    /// `http://host:port`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.authority)
    }

    /// Sends one request and reads the whole answer. Admin paths carry the admin token.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        extra: &[(header::HeaderName, String)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<Reply, String> {
        let exchange = async {
            let stream = TcpStream::connect(&self.authority)
                .await
                .map_err(|e| format!("cannot connect to {}: {e}", self.authority))?;
            let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|e| format!("{}: {e}", self.authority))?;
            tokio::spawn(conn);
            let mut req = Request::builder()
                .method(method)
                .uri(path)
                .header(header::HOST, &self.authority)
                .header(header::CONNECTION, "close");
            if path.starts_with("/__admin")
                && let Some(token) = &self.admin_token
            {
                req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
            }
            for (name, value) in extra {
                req = req.header(name, value);
            }
            let bytes = match body {
                Some((content_type, bytes)) => {
                    req = req.header(header::CONTENT_TYPE, content_type);
                    Bytes::from(bytes)
                }
                None => Bytes::new(),
            };
            let req = req
                .body(Full::new(bytes))
                .map_err(|e| format!("{path}: {e}"))?;
            let resp = sender
                .send_request(req)
                .await
                .map_err(|e| format!("{path}: {e}"))?;
            let status = resp.status();
            let body = resp
                .into_body()
                .collect()
                .await
                .map_err(|e| format!("{path}: {e}"))?
                .to_bytes();
            Ok(Reply { status, body })
        };
        tokio::time::timeout(CALL_TIMEOUT, exchange)
            .await
            .map_err(|_| {
                format!(
                    "no answer from {} within {} s",
                    self.authority,
                    CALL_TIMEOUT.as_secs()
                )
            })?
    }

    /// `GET path`, expecting 2xx JSON.
    pub async fn get_json(&self, path: &str) -> Result<Value, String> {
        self.call(Method::GET, path, &[], None)
            .await?
            .success(path)?
            .json(path)
    }

    /// `method path` with a JSON body, expecting 2xx; the body of the answer (may be empty).
    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        body: &Value,
    ) -> Result<Reply, String> {
        let bytes = serde_json::to_vec(body).map_err(|e| format!("{path}: {e}"))?;
        self.call(method, path, &[], Some(("application/json", bytes)))
            .await?
            .success(path)
    }

    /// `GET /__admin/health` answers 200.
    pub async fn health(&self) -> Result<(), String> {
        let reply = self.call(Method::GET, "/__admin/health", &[], None).await?;
        if reply.status == StatusCode::OK {
            Ok(())
        } else {
            Err(format!("/__admin/health answered {}", reply.status))
        }
    }

    /// A client-credentials token, asked for as the Genesys SDKs do (HTTP Basic).
    pub async fn token(&self, client_id: &str, client_secret: &str) -> Result<String, String> {
        let basic = base64::engine::general_purpose::STANDARD
            .encode(format!("{client_id}:{client_secret}"));
        let reply = self
            .call(
                Method::POST,
                "/oauth/token",
                &[(header::AUTHORIZATION, format!("Basic {basic}"))],
                Some((
                    "application/x-www-form-urlencoded",
                    b"grant_type=client_credentials".to_vec(),
                )),
            )
            .await?
            .success("/oauth/token")?;
        reply.json("/oauth/token")?["access_token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| "/oauth/token: no access_token in the answer".to_owned())
    }
}

/// `addr` as a client on this machine reaches it: an unspecified address (`0.0.0.0`, `::`)
/// becomes loopback of the same family.
pub fn loopback(mut addr: std::net::SocketAddr) -> std::net::SocketAddr {
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            std::net::SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            std::net::SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    addr
}
