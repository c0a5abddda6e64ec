//! Cross-site request forgery: a web page on another origin must not be able to change the
//! mock's state through the admin API, which needs no token by default.
//!
//! A page can send, without asking the server first, only a "simple" request: `GET`, `HEAD`
//! or `POST` with a body typed `text/plain`, a form or none at all. Anything else (a JSON body,
//! `PUT`, `DELETE`, a custom header) makes the browser ask first with an `OPTIONS` preflight,
//! which the mock never grants (no answer carries `Access-Control-Allow-*`). So an admin write
//! ([`check`], every method but `GET`, `HEAD` and `OPTIONS`):
//!
//! - with a body must type it JSON (`application/json` or `application/*+json`): 415
//!   otherwise, which leaves a page nothing it can send unasked;
//! - is refused (403) when the browser says it comes from elsewhere: an `Origin` other than
//!   the request's own (`http(s)://` and its `Host`), or `null`; or `Sec-Fetch-Site` other
//!   than `same-origin` or `none`. That covers a write without a body (`POST /__admin/reset`),
//!   which is a simple request.
//!
//! Clients that are not browsers send neither header, and only have to type their bodies.
//! Reads are not refused: without CORS headers a page on another origin cannot read the
//! answer, and a page on a name of its own that resolves to the mock (DNS rebinding) never
//! reaches this far (`edge::allowed_hosts`).

use http::{Method, header};

use crate::edge::allowed_hosts::Authority;
use crate::error::{ApiError, ApiResult};
use crate::pipeline::context::ApiRequest;

/// Refuses an admin request a browser could have sent from another origin.
pub(crate) fn check(req: &ApiRequest) -> ApiResult<()> {
    if matches!(req.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    if let Some(site) = req.header("sec-fetch-site")
        && !matches!(site.trim(), "same-origin" | "none")
    {
        return Err(ApiError::cross_site(format!(
            "An admin request that changes state was sent from another site (Sec-Fetch-Site: \
             {site}); web pages other than the mock's own cannot drive the admin API."
        )));
    }
    if let Some(origin) = req.headers.get(header::ORIGIN)
        && !same_origin(origin.to_str().ok(), req.header(header::HOST))
    {
        let shown = String::from_utf8_lossy(origin.as_bytes());
        return Err(ApiError::cross_site(format!(
            "An admin request that changes state came from Origin {shown:?}, not from this \
             server; web pages other than the mock's own cannot drive the admin API."
        )));
    }
    if !req.body.is_empty() && !is_json(req.header(header::CONTENT_TYPE)) {
        return Err(ApiError::unsupported_media_type(format!(
            "Admin request bodies are JSON: send Content-Type: application/json (curl: --json, \
             or -H 'Content-Type: application/json'), got {:?}. A web page can send a text or \
             form body to any address without asking; a JSON one it cannot.",
            req.header(header::CONTENT_TYPE).unwrap_or("none")
        )));
    }
    Ok(())
}

/// Whether an `Origin` names the server the request was sent to: `http` or `https`, then
/// the `Host` (ports compared, a missing one being the scheme's default).
fn same_origin(origin: Option<&str>, host: Option<&str>) -> bool {
    let (Some(origin), Some(host)) = (origin, host.and_then(Authority::parse)) else {
        return false;
    };
    let (scheme, rest) = match origin.split_once("://") {
        Some(("http", rest)) => (80, rest),
        Some(("https", rest)) => (443, rest),
        _ => return false,
    };
    let Some(from) = Authority::parse(rest) else {
        return false;
    };
    from.host.eq_ignore_ascii_case(host.host)
        && from.port.unwrap_or(scheme) == host.port.unwrap_or(scheme)
}

/// Whether a content type is JSON: `application/json` or `application/<anything>+json`, with
/// any parameters.
fn is_json(content_type: Option<&str>) -> bool {
    let Some(ct) = content_type else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|sub| sub.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_match_their_host() {
        for (origin, host) in [
            ("http://127.0.0.1:8080", "127.0.0.1:8080"),
            ("http://LOCALHOST:8080", "localhost:8080"),
            ("http://gsm", "gsm"),
            ("http://gsm:80", "gsm"),
            ("https://mock.test", "mock.test:443"),
            ("http://[::1]:9", "[::1]:9"),
        ] {
            assert!(same_origin(Some(origin), Some(host)), "{origin} {host}");
        }
        for (origin, host) in [
            ("http://127.0.0.1:8081", "127.0.0.1:8080"),
            ("http://evil.example", "127.0.0.1"),
            ("null", "127.0.0.1"),
            ("file://", "127.0.0.1"),
            ("http://gsm/x", "gsm"),
        ] {
            assert!(!same_origin(Some(origin), Some(host)), "{origin} {host}");
        }
        assert!(!same_origin(Some("http://gsm"), None));
    }

    #[test]
    fn json_types() {
        for ok in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/scim+json",
        ] {
            assert!(is_json(Some(ok)), "{ok}");
        }
        for no in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "text/json",
            "",
        ] {
            assert!(!is_json(Some(no)), "{no}");
        }
        assert!(!is_json(None));
    }
}
