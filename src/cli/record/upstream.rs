//! Where `record` forwards: the API upstream and the login upstream (`/oauth/token`), and the
//! one exchange with either. Plain HTTP only to loopback (how tests run it); anything else
//! must be HTTPS, which this build does not speak yet, so it is refused with a message rather
//! than sent in clear.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;

use crate::base::http_client::BaseUrl;

/// The largest upstream answer body kept (a page of 100 full users is far below this).
pub(crate) const MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;

/// Headers that describe one hop, not the message: never forwarded either way.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
];

/// An upstream base URL, checked once.
#[derive(Debug, Clone)]
pub(crate) struct Upstream {
    base: BaseUrl,
}

impl Upstream {
    /// Parses `http://loopback[:port][/prefix]`; `https://`, and plain HTTP to any other host
    /// unless `remote_http` (a mock in a neighbouring container), are refused with the
    /// reason. `flag` names the flag in messages.
    pub(crate) fn parse(flag: &str, text: &str, remote_http: bool) -> Result<Self, String> {
        if text.starts_with("https://") {
            return Err(format!(
                "{flag} {text:?}: this build records plain HTTP upstreams on loopback only; \
                 for an HTTPS org, put a TLS-terminating forwarder on loopback in front of it \
                 (docs/record.md)"
            ));
        }
        let base = BaseUrl::parse(text).map_err(|e| format!("{flag} {e}"))?;
        if !remote_http && !is_loopback(base.host()) {
            return Err(format!(
                "{flag} {text:?}: plain HTTP is refused except to loopback (credentials \
                 would cross the network in clear); use https://"
            ));
        }
        Ok(Self { base })
    }

    /// The upstream of a server bound to `addr` on this machine.
    pub(crate) fn from_addr(addr: std::net::SocketAddr) -> Self {
        Self {
            base: BaseUrl::from_addr(addr),
        }
    }

    /// The login upstream Genesys pairs with an API upstream: `api.` becomes `login.`
    /// (`https://api.mypurecloud.com` → `https://login.mypurecloud.com`); any other host
    /// answers token requests itself (the mock does).
    pub(crate) fn login_for(api: &str) -> String {
        api.replacen("://api.", "://login.", 1)
    }

    /// `http://host:port[/prefix]`.
    pub(crate) fn url(&self) -> String {
        self.base.url()
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// What came back from upstream.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// How an exchange ended without an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Nothing answered at the address.
    Unreachable,
    /// The connection closed or reset before a complete answer.
    Reset,
    /// No complete answer within the deadline.
    Timeout,
}

impl Failure {
    /// The name written to the HAR's `_outcome`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Unreachable => "unreachable",
            Self::Reset => "reset",
            Self::Timeout => "timeout",
        }
    }
}

/// Sends one request upstream (its hop-by-hop headers dropped, `Host` set to the upstream's)
/// and reads the whole answer within `timeout`.
pub(crate) async fn forward(
    up: &Upstream,
    method: Method,
    path_and_query: &str,
    headers: &HeaderMap,
    body: Bytes,
    timeout: Duration,
) -> Result<Answer, Failure> {
    tokio::time::timeout(timeout, exchange(up, method, path_and_query, headers, body))
        .await
        .unwrap_or(Err(Failure::Timeout))
}

async fn exchange(
    up: &Upstream,
    method: Method,
    path_and_query: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Answer, Failure> {
    let (host, port) = (up.base.host(), up.base.port());
    let stream = tokio::net::TcpStream::connect((host, port))
        .await
        .map_err(|_| Failure::Unreachable)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|_| Failure::Reset)?;
    let driver = tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(format!("{}{path_and_query}", up.base.path()))
        .body(Full::new(body))
        .map_err(|_| Failure::Reset)?;
    copy_headers(headers, req.headers_mut());
    // Bodies are recorded as text: ask for them unencoded.
    req.headers_mut().remove(header::ACCEPT_ENCODING);
    let host = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    if let Ok(v) = HeaderValue::from_str(&host) {
        req.headers_mut().insert(header::HOST, v);
    }
    let resp = sender.send_request(req).await.map_err(|_| Failure::Reset)?;
    let (parts, body) = resp.into_parts();
    let body = Limited::new(body, MAX_ANSWER_BYTES)
        .collect()
        .await
        .map_err(|_| Failure::Reset)?
        .to_bytes();
    driver.abort();
    let mut out = HeaderMap::new();
    copy_headers(&parts.headers, &mut out);
    Ok(Answer {
        status: parts.status,
        headers: out,
        body,
    })
}

/// Copies every end-to-end header (the hop-by-hop ones and `Host` stay behind).
pub(crate) fn copy_headers(from: &HeaderMap, to: &mut HeaderMap) {
    for (name, value) in from {
        if name == header::HOST || HOP_BY_HOP.contains(&name.as_str()) {
            continue;
        }
        to.append(HeaderName::clone(name), value.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_may_be_plain_http() {
        let up = Upstream::parse("--upstream", "http://127.0.0.1:9/base/", false).unwrap();
        assert_eq!(
            (up.base.host(), up.base.port(), up.base.path()),
            ("127.0.0.1", 9, "/base")
        );
        assert!(Upstream::parse("--upstream", "http://localhost:9", false).is_ok());
        assert!(Upstream::parse("--upstream", "http://[::1]:9", false).is_ok());
        let e = Upstream::parse("--upstream", "http://api.mypurecloud.com", false).unwrap_err();
        assert!(e.contains("plain HTTP is refused"), "{e}");
        assert!(Upstream::parse("--url", "http://mock:8080", true).is_ok());
        let e = Upstream::parse("--upstream", "ftp://127.0.0.1", false).unwrap_err();
        assert!(e.contains("only http://"), "{e}");
    }

    #[test]
    fn the_login_host_follows_the_api_host() {
        assert_eq!(
            Upstream::login_for("https://api.mypurecloud.com"),
            "https://login.mypurecloud.com"
        );
        assert_eq!(
            Upstream::login_for("http://127.0.0.1:9"),
            "http://127.0.0.1:9"
        );
    }
}
