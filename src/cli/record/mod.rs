//! `genesys-scim-mock record`: an HTTP proxy a client points its base URL at. API requests go
//! to `--upstream`, `/oauth/token` to `--login-upstream`; every exchange is kept (bounded,
//! below) and journaled as the server journals its own, so `/__admin/ui`, `/__admin/requests`
//! and the client report work on a recording session. On SIGTERM or Ctrl-C it stops and
//! writes the bundle ([`bundle`]): scrubbed ([`scrub`]), optionally anonymized
//! ([`anonymize`]), with a fixture and expectation built from what the session saw
//! ([`observed`]) and a scenario for the faults the upstream produced ([`faults`]).
//! `docs/record.md` is the user's guide.

pub(crate) mod anonymize;
pub(crate) mod bundle;
pub(crate) mod faults;
pub(crate) mod observed;
pub(crate) mod scrub;
pub(crate) mod upstream;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::{BodyExt, Limited};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use parking_lot::Mutex;
use serde_json::{Map, json};
use tokio::net::TcpListener;

use crate::cli::args::RecordArgs;
use crate::config::Config;
use crate::control::journal::Recording;
use crate::control::journal::har::Exchange;
use crate::edge::response::{Body, full};
use crate::pipeline::context::ApiRequest;
use crate::state::AppState;
use upstream::{Failure, Upstream};

/// The most exchanges one recording keeps; later ones are forwarded but not kept (the README
/// says how many).
pub(crate) const MAX_EXCHANGES: usize = 100_000;

/// The most bytes of bodies and headers one recording keeps, for the same reason.
pub(crate) const MAX_RECORDED_BYTES: usize = 512 * 1024 * 1024;

/// How long `record` waits for requests still in flight when it stops.
const DRAIN: Duration = Duration::from_secs(5);

/// Exit code when the recording could not start or its bundle could not be written.
pub(crate) const FAILED: i32 = 2;

/// The exchanges kept so far.
#[derive(Debug, Default)]
struct Capture {
    exchanges: Vec<Exchange>,
    bytes: usize,
    dropped: u64,
}

impl Capture {
    fn keep(&mut self, x: Exchange) {
        let weight = x.url.len()
            + x.request_body.as_ref().map_or(0, String::len)
            + x.response_body.as_ref().map_or(0, String::len)
            + x.request_headers
                .iter()
                .chain(&x.response_headers)
                .map(|(n, v)| n.len() + v.len())
                .sum::<usize>();
        if self.exchanges.len() >= MAX_EXCHANGES || self.bytes + weight > MAX_RECORDED_BYTES {
            self.dropped += 1;
            return;
        }
        self.bytes += weight;
        self.exchanges.push(x);
    }
}

/// What every connection shares.
struct Proxy {
    state: AppState,
    api: Upstream,
    login: Upstream,
    timeout: Duration,
    capture: Mutex<Capture>,
}

/// Runs `record` until SIGTERM or Ctrl-C, then writes the bundle; answers the exit code.
pub(crate) async fn run(args: RecordArgs) -> i32 {
    match record(args).await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("genesys-scim-mock record: {e}");
            FAILED
        }
    }
}

async fn record(args: RecordArgs) -> Result<(), String> {
    let api = Upstream::parse("--upstream", &args.upstream, false)?;
    let login_text = args
        .login_upstream
        .clone()
        .unwrap_or_else(|| Upstream::login_for(&args.upstream));
    let mut login = Upstream::parse("--login-upstream", &login_text, false)?;
    let mut api = api;
    if let Some(path) = &args.upstream_ca {
        let pem =
            std::fs::read(path).map_err(|e| format!("--upstream-ca {}: {e}", path.display()))?;
        let trust = |u: Upstream| {
            u.trusting(&pem)
                .map_err(|e| format!("--upstream-ca {}: {e}", path.display()))
        };
        api = trust(api)?;
        login = trust(login)?;
    }
    if args.no_scrub {
        eprintln!(
            "genesys-scim-mock record: warning: --no-scrub: the bundle in {} will hold the \
             session's credentials (client secret, tokens, passwords) in clear",
            args.out.display()
        );
    }
    std::fs::create_dir_all(&args.out).map_err(|e| format!("--out {}: {e}", args.out.display()))?;
    let config = Config {
        bind: args.bind,
        rate_limit_per_minute: None,
        ..Config::default()
    };
    let state = AppState::new(config).map_err(|e| e.to_string())?;
    let listener = TcpListener::bind(args.bind)
        .await
        .map_err(|e| format!("--bind {}: {e}", args.bind))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    if let Some(path) = &args.port_file {
        std::fs::write(path, addr.to_string())
            .map_err(|e| format!("--port-file {}: {e}", path.display()))?;
    }
    eprintln!(
        "genesys-scim-mock record: proxying http://{addr} to {} (token requests to {}); \
         the journal is at http://{addr}/__admin/ui; stop with Ctrl-C or SIGTERM to write {}",
        api.url(),
        login.url(),
        args.out.display()
    );
    let proxy = Arc::new(Proxy {
        state,
        api,
        login,
        timeout: Duration::from_millis(args.upstream_timeout_ms),
        capture: Mutex::new(Capture::default()),
    });
    let started = chrono::Utc::now();
    let mut connections = tokio::task::JoinSet::new();
    let stop = crate::edge::listener::shutdown_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let proxy = proxy.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| {
                        let proxy = proxy.clone();
                        async move { proxy.answer(req).await }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            () = &mut stop => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    connections.abort_all();
    let capture = std::mem::take(&mut *proxy.capture.lock());
    let opts = bundle::Options {
        scrub: !args.no_scrub,
        anonymize: args.anonymize,
        upstream: proxy.api.url(),
        login_upstream: proxy.login.url(),
        started,
        stopped: chrono::Utc::now(),
        dropped: capture.dropped,
    };
    let w = bundle::write(&args.out, capture.exchanges, &opts)?;
    eprintln!(
        "genesys-scim-mock record: wrote {} ({} exchanges, {} users, {} groups, {} scenario rules)",
        args.out.display(),
        w.exchanges,
        w.users,
        w.groups,
        w.rules
    );
    Ok(())
}

/// A service error: hyper closes the connection without an answer, as the upstream did.
#[derive(Debug)]
struct Closed;

impl std::fmt::Display for Closed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the upstream closed the connection")
    }
}

impl std::error::Error for Closed {}

impl Proxy {
    async fn answer(
        &self,
        req: hyper::Request<hyper::body::Incoming>,
    ) -> Result<Response<Body>, Closed> {
        let (parts, body) = req.into_parts();
        let max = self.state.config.max_body_bytes;
        let Ok(body) = Limited::new(body, max)
            .collect()
            .await
            .map(|c| c.to_bytes())
        else {
            return Ok(plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("record: the request body is over {max} bytes"),
            ));
        };
        if parts.uri.path().starts_with("/__admin") {
            let req = hyper::Request::from_parts(parts, body);
            let resp: Response<Body> = crate::pipeline::dispatch::handle(&self.state, req).await;
            return Ok(resp);
        }
        self.forward(parts, body).await.map_err(|()| Closed)
    }

    async fn forward(
        &self,
        parts: http::request::Parts,
        body: Bytes,
    ) -> Result<Response<Body>, ()> {
        let started = std::time::Instant::now();
        let arrived = chrono::Utc::now();
        let path_and_query = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let up = if parts.uri.path().starts_with("/oauth/") {
            &self.login
        } else {
            &self.api
        };
        let result = upstream::forward(
            up,
            parts.method.clone(),
            &path_and_query,
            &parts.headers,
            body.clone(),
            self.timeout,
        )
        .await;
        let mut request_headers: Vec<(String, String)> = Vec::new();
        let mut sent = http::HeaderMap::new();
        upstream::copy_headers(&parts.headers, &mut sent);
        for (n, v) in &sent {
            request_headers.push((
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            ));
        }
        let mut x = Exchange {
            started: arrived,
            time_ms: 0.0,
            method: parts.method.as_str().to_owned(),
            url: format!("{}{path_and_query}", up.url()),
            request_headers,
            request_body: (!body.is_empty()).then(|| String::from_utf8_lossy(&body).into_owned()),
            status: 0,
            response_headers: Vec::new(),
            response_body: None,
            extra: Map::new(),
        };
        let correlation = result
            .as_ref()
            .ok()
            .and_then(|a| a.headers.get("inin-correlation-id"))
            .and_then(|v| v.to_str().ok())
            .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
        let recording = Recording::new(
            &self.state.journal,
            ApiRequest::new(parts, body, correlation, &self.state.store),
            self.state.clock.now(),
            started,
        );
        let resp = match result {
            Ok(answer) => {
                x.status = answer.status.as_u16();
                x.response_headers = answer
                    .headers
                    .iter()
                    .map(|(n, v)| {
                        (
                            n.as_str().to_owned(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect();
                x.response_body = (!answer.body.is_empty())
                    .then(|| String::from_utf8_lossy(&answer.body).into_owned());
                let mut resp = Response::new(full(answer.body));
                *resp.status_mut() = answer.status;
                *resp.headers_mut() = answer.headers;
                Some(resp)
            }
            Err(Failure::Timeout) => {
                x.extra
                    .insert("_outcome".into(), json!(Failure::Timeout.name()));
                Some(plain(
                    StatusCode::GATEWAY_TIMEOUT,
                    "record: no answer from the upstream in time (--upstream-timeout-ms)",
                ))
            }
            Err(Failure::Unreachable) => {
                x.extra
                    .insert("_outcome".into(), json!(Failure::Unreachable.name()));
                Some(plain(
                    StatusCode::BAD_GATEWAY,
                    &format!("record: cannot connect to {}", up.url()),
                ))
            }
            Err(Failure::Reset) => {
                x.extra
                    .insert("_outcome".into(), json!(Failure::Reset.name()));
                None
            }
        };
        x.time_ms = started.elapsed().as_secs_f64() * 1000.0;
        self.capture.lock().keep(x);
        match resp {
            Some(resp) => Ok(recording.finish(resp).await),
            // Dropping the recording journals the request with status 0.
            None => Err(()),
        }
    }
}

/// An answer the proxy itself gives, in the Genesys platform error shape.
fn plain(status: StatusCode, message: &str) -> Response<Body> {
    let body = json!({ "message": message, "code": "record.proxy", "status": status.as_u16() });
    let mut resp = Response::new(full(serde_json::to_vec(&body).unwrap_or_default()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}
