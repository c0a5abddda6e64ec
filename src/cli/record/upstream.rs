//! Where `record` forwards (and `parity --url` replays): the API upstream and the login
//! upstream (`/oauth/token`), and the one exchange with either. HTTPS to any host, verified
//! against Mozilla's roots (built in: a FROM-scratch image has no CA store) plus any
//! `--upstream-ca`; plain HTTP only to loopback (a mock beside the client), since credentials
//! would otherwise cross the network in clear.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

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
#[derive(Clone)]
pub(crate) struct Upstream {
    base: BaseUrl,
    /// The TLS client of an `https://` upstream.
    tls: Option<Arc<ClientConfig>>,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.url())
    }
}

/// A TLS client trusting Mozilla's roots and `extra` (PEM certificates).
fn tls_config(extra: Option<&[u8]>) -> Result<Arc<ClientConfig>, String> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(pem) = extra {
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| format!("not a PEM certificate: {e}"))?;
            roots
                .add(cert)
                .map_err(|e| format!("not a usable CA certificate: {e}"))?;
            added += 1;
        }
        if added == 0 {
            return Err("no PEM certificate in it".to_owned());
        }
    }
    // ring rather than aws-lc-rs: no cmake or C toolchain beyond cc for the static build.
    // Its provider lacks the post-quantum key exchange, which an org's API does not need.
    #[allow(
        deprecated,
        reason = "ring's provider is the one this build compiles in"
    )]
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

impl Upstream {
    /// Parses `https://host[:port][/prefix]`, or `http://` to loopback; plain HTTP to any
    /// other host is refused with the reason unless `remote_http` (a mock in a neighbouring
    /// container). `flag` names the flag in messages.
    pub(crate) fn parse(flag: &str, text: &str, remote_http: bool) -> Result<Self, String> {
        let https = text
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"));
        let plain = if https {
            format!("http://{}", &text[8..])
        } else {
            text.to_owned()
        };
        let mut base = BaseUrl::parse(&plain).map_err(|e| format!("{flag} {e}"))?;
        if https {
            let explicit = plain
                .parse::<http::Uri>()
                .ok()
                .and_then(|u| u.port_u16())
                .is_some();
            if !explicit {
                base = base.with_port(443);
            }
            let tls = tls_config(None).map_err(|e| format!("{flag}: {e}"))?;
            return Ok(Self {
                base,
                tls: Some(tls),
            });
        }
        if !remote_http && !is_loopback(base.host()) {
            return Err(format!(
                "{flag} {text:?}: plain HTTP is refused except to loopback (credentials \
                 would cross the network in clear); use https://"
            ));
        }
        Ok(Self { base, tls: None })
    }

    /// The same upstream, also trusting the CA certificates in `pem` (`--upstream-ca`).
    pub(crate) fn trusting(mut self, pem: &[u8]) -> Result<Self, String> {
        if self.tls.is_some() {
            self.tls = Some(tls_config(Some(pem))?);
        }
        Ok(self)
    }

    /// The upstream of a server bound to `addr` on this machine.
    pub(crate) fn from_addr(addr: std::net::SocketAddr) -> Self {
        Self {
            base: BaseUrl::from_addr(addr),
            tls: None,
        }
    }

    /// The login upstream Genesys pairs with an API upstream: `api.` becomes `login.`
    /// (`https://api.mypurecloud.com` → `https://login.mypurecloud.com`); any other host
    /// answers token requests itself (the mock does).
    pub(crate) fn login_for(api: &str) -> String {
        api.replacen("://api.", "://login.", 1)
    }

    /// `http[s]://host:port[/prefix]`.
    pub(crate) fn url(&self) -> String {
        let url = self.base.url();
        match self.tls {
            Some(_) => url.replacen("http://", "https://", 1),
            None => url,
        }
    }

    /// The `Host` header: the port left out when it is the scheme's default.
    fn authority(&self) -> String {
        let (host, port) = (self.base.host(), self.base.port());
        let host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.to_owned()
        };
        match (port, self.tls.is_some()) {
            (443, true) | (80, false) => host,
            _ => format!("{host}:{port}"),
        }
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
    let mut req = Request::builder()
        .method(method)
        .uri(format!("{}{path_and_query}", up.base.path()))
        .body(Full::new(body))
        .map_err(|_| Failure::Reset)?;
    copy_headers(headers, req.headers_mut());
    // Bodies are recorded as text: ask for them unencoded.
    req.headers_mut().remove(header::ACCEPT_ENCODING);
    if let Ok(v) = HeaderValue::from_str(&up.authority()) {
        req.headers_mut().insert(header::HOST, v);
    }
    let (host, port) = (up.base.host(), up.base.port());
    let stream = tokio::net::TcpStream::connect((host, port))
        .await
        .map_err(|_| Failure::Unreachable)?;
    match &up.tls {
        None => over(stream, req).await,
        Some(config) => {
            let name = ServerName::try_from(host.to_owned()).map_err(|_| Failure::Unreachable)?;
            let stream = tokio_rustls::TlsConnector::from(config.clone())
                .connect(name, stream)
                .await
                .map_err(|_| Failure::Unreachable)?;
            over(stream, req).await
        }
    }
}

/// One request and its whole answer over a connected stream, plain or TLS.
async fn over<S>(stream: S, req: Request<Full<Bytes>>) -> Result<Answer, Failure>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|_| Failure::Reset)?;
    let driver = tokio::spawn(conn);
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
        let up = Upstream::parse("--upstream", "https://api.mypurecloud.com", false).unwrap();
        assert_eq!(up.url(), "https://api.mypurecloud.com:443");
        assert_eq!(up.authority(), "api.mypurecloud.com");
        let up = Upstream::parse("--upstream", "https://127.0.0.1:8443/x", false).unwrap();
        assert_eq!(up.authority(), "127.0.0.1:8443");
        assert!(up.trusting(b"not pem").is_err());
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
