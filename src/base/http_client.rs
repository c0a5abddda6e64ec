//! A small HTTP/1.1 client for subcommands that talk to a running server (`verify`,
//! `healthcheck`, `exec`, and the test handle): one request per connection over hyper's client
//! connection, `http://` only (the mock serves plain HTTP on loopback or inside a container),
//! with a deadline on the whole exchange. They go through the server's public HTTP surface
//! rather than reaching into its state, so what they check is what a client sees.

use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, StatusCode, Uri, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;

/// The largest response body read (a diff of a large org is well under this).
pub(crate) const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// A base URL such as `http://127.0.0.1:8080`, checked once.
#[derive(Debug, Clone)]
pub(crate) struct BaseUrl {
    host: String,
    port: u16,
    /// Without a trailing slash; empty for the root.
    path: String,
}

impl BaseUrl {
    /// Parses `http://host[:port][/prefix]`. Errors say what is wrong with the URL.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let uri: Uri = text
            .parse()
            .map_err(|e| format!("{text:?} is not a URL: {e}"))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some(other) => {
                return Err(format!(
                    "{text:?}: only http:// is supported (the mock serves plain HTTP), not {other}://"
                ));
            }
            None => return Err(format!("{text:?}: expected http://host:port")),
        }
        let host = uri
            .host()
            .ok_or_else(|| format!("{text:?} has no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        Ok(Self {
            host,
            port: uri.port_u16().unwrap_or(80),
            path: uri.path().trim_end_matches('/').to_owned(),
        })
    }
}

impl BaseUrl {
    /// The host, without brackets around an IPv6 address.
    pub(crate) fn host(&self) -> &str {
        &self.host
    }

    /// The port (80 when the URL names none).
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The same URL with another port.
    pub(crate) fn with_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The path prefix, without a trailing slash; empty for the root.
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    /// The base URL of a server bound to `addr`, as a client on this machine reaches it.
    pub(crate) fn from_addr(addr: std::net::SocketAddr) -> Self {
        let addr = loopback(addr);
        Self {
            host: addr.ip().to_string(),
            port: addr.port(),
            path: String::new(),
        }
    }

    /// `http://host:port[/prefix]`.
    pub(crate) fn url(&self) -> String {
        if self.host.contains(':') {
            format!("http://[{}]:{}{}", self.host, self.port, self.path)
        } else {
            format!("http://{}:{}{}", self.host, self.port, self.path)
        }
    }
}

/// A response: status and body.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub status: StatusCode,
    pub body: Bytes,
}

impl Answer {
    /// The body as JSON, or an error naming the call.
    pub(crate) fn json(&self, what: &str) -> Result<serde_json::Value, String> {
        serde_json::from_slice(&self.body)
            .map_err(|e| format!("{what}: the answer is not JSON ({e})"))
    }

    /// `Ok(self)` on a 2xx status; otherwise an error carrying the status and body.
    pub(crate) fn success(self, what: &str) -> Result<Self, String> {
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

    /// What a refused admin call says: the status, the server's message, and a hint for the
    /// usual causes (a missing admin token, the admin API turned off).
    pub(crate) fn refusal(&self) -> String {
        let message = serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|b| b.get("message")?.as_str().map(str::to_owned))
            .unwrap_or_else(|| "no message".to_owned());
        let hint = match self.status {
            StatusCode::UNAUTHORIZED => " (pass the server's --admin-token with --admin-token)",
            StatusCode::NOT_FOUND => " (is the admin API on? see --admin)",
            _ => "",
        };
        format!("the server answered {}: {message}{hint}", self.status)
    }
}

/// How long one control call of a [`Client`] may take by default, connection included.
pub(crate) const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// A server's base URL and its admin token, if any: the admin API's caller.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    base: BaseUrl,
    admin_token: Option<String>,
    timeout: Duration,
}

impl Client {
    /// A client for the server at `base`; admin paths carry `admin_token`.
    pub(crate) fn new(base: BaseUrl, admin_token: Option<String>) -> Self {
        Self {
            base,
            admin_token,
            timeout: CALL_TIMEOUT,
        }
    }

    /// The same client with another deadline per call (default [`CALL_TIMEOUT`]).
    pub(crate) fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// `http://host:port`.
    pub(crate) fn base_url(&self) -> String {
        self.base.url()
    }

    /// Sends one request with an optional JSON body and reads the whole answer.
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Answer, String> {
        let bearer = self
            .admin_token
            .as_deref()
            .filter(|_| path.starts_with("/__admin"));
        let bytes = match body {
            Some(v) => Bytes::from(serde_json::to_vec(v).map_err(|e| format!("{path}: {e}"))?),
            None => Bytes::new(),
        };
        send(&self.base, method, path, bearer, bytes, self.timeout).await
    }

    /// `GET path`, expecting 2xx JSON.
    pub(crate) async fn get_json(&self, path: &str) -> Result<serde_json::Value, String> {
        self.call(Method::GET, path, None)
            .await?
            .success(path)?
            .json(path)
    }

    /// `GET /__admin/health` answers 200.
    pub(crate) async fn health(&self) -> Result<(), String> {
        let answer = self.call(Method::GET, "/__admin/health", None).await?;
        if answer.status == StatusCode::OK {
            Ok(())
        } else {
            Err(format!("/__admin/health answered {}", answer.status))
        }
    }
}

/// `addr` as a client on this machine reaches it: an unspecified address (`0.0.0.0`, `::`)
/// becomes loopback of the same family.
pub(crate) fn loopback(mut addr: std::net::SocketAddr) -> std::net::SocketAddr {
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            std::net::SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            std::net::SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    addr
}

/// Sends one request and reads the whole answer within `timeout`.
pub(crate) async fn send(
    base: &BaseUrl,
    method: Method,
    path_and_query: &str,
    bearer: Option<&str>,
    body: Bytes,
    timeout: Duration,
) -> Result<Answer, String> {
    tokio::time::timeout(
        timeout,
        exchange(base, method, path_and_query, bearer, body),
    )
    .await
    .map_err(|_| {
        format!(
            "no answer from {}:{} within {} ms",
            base.host,
            base.port,
            timeout.as_millis()
        )
    })?
}

async fn exchange(
    base: &BaseUrl,
    method: Method,
    path_and_query: &str,
    bearer: Option<&str>,
    body: Bytes,
) -> Result<Answer, String> {
    let target = format!("{}:{}", base.host, base.port);
    let stream = tokio::net::TcpStream::connect((base.host.as_str(), base.port))
        .await
        .map_err(|e| format!("cannot connect to {target}: {e}"))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("{target}: {e}"))?;
    let driver = tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(format!("{}{path_and_query}", base.path))
        .header(header::HOST, &target)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = bearer {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = req
        .body(Full::new(body))
        .map_err(|e| format!("cannot build the request: {e}"))?;
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| format!("{target}: {e}"))?;
    let status = resp.status();
    let body = Limited::new(resp.into_body(), MAX_RESPONSE_BYTES)
        .collect()
        .await
        .map_err(|e| format!("{target}: reading the answer: {e}"))?
        .to_bytes();
    driver.abort();
    Ok(Answer { status, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_parse_and_bad_ones_are_explained() {
        let b = BaseUrl::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(
            (b.host.as_str(), b.port, b.path.as_str()),
            ("127.0.0.1", 8080, "")
        );
        let b = BaseUrl::parse("http://mock/prefix").unwrap();
        assert_eq!(
            (b.host.as_str(), b.port, b.path.as_str()),
            ("mock", 80, "/prefix")
        );
        let b = BaseUrl::parse("http://[::1]:9").unwrap();
        assert_eq!(b.host, "::1");
        assert!(
            BaseUrl::parse("https://x")
                .unwrap_err()
                .contains("only http://")
        );
        assert!(BaseUrl::parse("127.0.0.1:8080").is_err());
        assert_eq!(
            BaseUrl::from_addr("0.0.0.0:9".parse().unwrap()).url(),
            "http://127.0.0.1:9"
        );
        assert_eq!(
            BaseUrl::from_addr("[::]:9".parse().unwrap()).url(),
            "http://[::1]:9"
        );
        assert!(BaseUrl::parse("http://").is_err());
    }
}
