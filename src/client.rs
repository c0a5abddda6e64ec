//! A small HTTP/1.1 client for subcommands that talk to a running server (`verify`): one
//! request per connection over hyper's client connection, `http://` only (the mock serves
//! plain HTTP on loopback or inside a container), with a deadline on the whole exchange.

use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, StatusCode, Uri, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;

/// The largest response body read (a diff of a large org is well under this).
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// A base URL such as `http://127.0.0.1:8080`, checked once.
#[derive(Debug, Clone)]
pub struct BaseUrl {
    host: String,
    port: u16,
    /// Without a trailing slash; empty for the root.
    path: String,
}

impl BaseUrl {
    /// Parses `http://host[:port][/prefix]`. Errors say what is wrong with the URL.
    pub fn parse(text: &str) -> Result<Self, String> {
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

/// A response: status, content type and body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Bytes,
}

impl Answer {
    /// What a refused admin call says: the status, the server's message, and a hint for the
    /// usual causes (a missing admin token, the admin API turned off).
    pub fn refusal(&self) -> String {
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

/// Sends one request and reads the whole answer within `timeout`.
pub async fn send(
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
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = Limited::new(resp.into_body(), MAX_RESPONSE_BYTES)
        .collect()
        .await
        .map_err(|e| format!("{target}: reading the answer: {e}"))?
        .to_bytes();
    driver.abort();
    Ok(Answer {
        status,
        content_type,
        body,
    })
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
        assert!(BaseUrl::parse("http://").is_err());
    }
}
