//! The accept loop: one task per connection, HTTP/1.1, graceful shutdown.
//!
//! The server is a few lines around [`crate::pipeline::dispatch::receive`], which knows nothing about
//! sockets; tests call `run` with a listener on port 0 and a shutdown future they control.
//!
//! Connection bounds (see `docs/limits.md`):
//! - at most `--max-connections` are served at once; one more is answered 503 and closed
//!   at once, so a flood of idle sockets never locks out the clients already connected;
//! - a failed `accept` (usually EMFILE, out of file descriptors) backs off, doubling from
//!   10 ms to 1 s while failures continue, and is logged once a second at most;
//! - request headers must arrive within `--request-timeout`;
//! - a client that half-closes (shuts down its sending side) after a full request still
//!   gets the response.

use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tracing::{debug, error, info, warn};

use crate::edge::response::JSON;
use crate::error::{ApiError, Surface};
use crate::state::AppState;

/// How long shutdown waits for in-flight requests before dropping them.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves connections from `listener` until `shutdown` completes, then drains. Public as
/// `genesys_scim_mock::serve`, for a test that owns its listener and runtime.
pub async fn run(listener: TcpListener, state: AppState, shutdown: impl Future<Output = ()>) {
    if let Ok(addr) = listener.local_addr() {
        let _ = state.bound.set(addr);
    }
    let graceful = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    let permits = Arc::new(Semaphore::new(state.config.max_connections));
    let refusal = refusal(state.config.max_connections);
    let mut backoff = AcceptBackoff::default();
    let mut refusals = LogThrottle::default();
    let header_timeout = state.config.request_timeout;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(pair) => pair,
                    Err(err) => {
                        let (wait, log) = backoff.failed(Instant::now());
                        if let Some(held_back) = log {
                            error!(cause = %err, held_back, "failed to accept; backing off");
                        }
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                };
                backoff.succeeded();
                let Ok(permit) = permits.clone().try_acquire_owned() else {
                    // Not a task: the refusal must not hold the descriptor any longer.
                    let _ = stream.try_write(&refusal);
                    if let Some(held_back) = refusals.tick(Instant::now()) {
                        warn!(
                            %peer,
                            held_back,
                            max = state.config.max_connections,
                            "refused a connection: --max-connections reached"
                        );
                    }
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let state = state.clone();
                let (io, conn_fault) = crate::edge::fault::FaultIo::new(stream);
                let service = service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                    let state = state.clone();
                    req.extensions_mut().insert(conn_fault.clone());
                    async move { Ok::<_, Infallible>(crate::pipeline::dispatch::receive(&state, req).await) }
                });
                let conn = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(header_timeout)
                    .half_close(true)
                    .serve_connection(TokioIo::new(io), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(err) = conn.await {
                        debug!(%peer, cause = %err, "connection ended with an error");
                    }
                    drop(permit);
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    info!("shutting down");
    state.shutdown.trigger();
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        info!("drain timed out; dropping remaining connections");
    }
}

/// The whole answer to a connection over the cap, written as raw HTTP/1.1 before any request is
/// read (so outside hyper and the pipeline): the platform `ErrorBody` of
/// [`ApiError::at_capacity`], with its `Retry-After`, and `connection: close`.
fn refusal(max: usize) -> Vec<u8> {
    let error = ApiError::at_capacity(max);
    let body = error.body(Surface::Platform, "").to_string();
    let mut head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: {JSON}\r\n",
        error.status.as_str(),
        error.status.canonical_reason().unwrap_or_default()
    );
    if let Some(secs) = error.retry_after {
        head.push_str(&format!("retry-after: {secs}\r\n"));
    }
    format!(
        "{head}connection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// At most one log line a second; counts the lines held back in between.
#[derive(Debug, Default)]
struct LogThrottle {
    last: Option<Instant>,
    held_back: u64,
}

impl LogThrottle {
    /// Called for each event: `Some(held back since the last line)` when this one is logged.
    fn tick(&mut self, now: Instant) -> Option<u64> {
        match self.last {
            Some(last) if now.duration_since(last) < Duration::from_secs(1) => {
                self.held_back += 1;
                None
            }
            _ => {
                self.last = Some(now);
                Some(std::mem::take(&mut self.held_back))
            }
        }
    }
}

/// The wait after a failed `accept`: 10 ms, doubling to 1 s while failures continue, back to
/// 10 ms after a success.
#[derive(Debug)]
struct AcceptBackoff {
    wait: Duration,
    log: LogThrottle,
}

impl Default for AcceptBackoff {
    fn default() -> Self {
        Self {
            wait: Self::FIRST,
            log: LogThrottle::default(),
        }
    }
}

impl AcceptBackoff {
    const FIRST: Duration = Duration::from_millis(10);
    const MOST: Duration = Duration::from_secs(1);

    /// How long to wait, and whether to log (with the count of failures not logged).
    fn failed(&mut self, now: Instant) -> (Duration, Option<u64>) {
        let wait = self.wait;
        self.wait = (self.wait * 2).min(Self::MOST);
        (wait, self.log.tick(now))
    }

    fn succeeded(&mut self) {
        self.wait = Self::FIRST;
    }
}

/// Completes on SIGINT or SIGTERM (the command line's server; an embedded one is stopped by
/// its handle).
#[cfg(feature = "cli")]
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_failures_back_off_and_log_once_a_second() {
        let mut b = AcceptBackoff::default();
        let t0 = Instant::now();
        let waits: Vec<Duration> = (0..10)
            .map(|i| b.failed(t0 + Duration::from_millis(i)).0)
            .collect();
        assert_eq!(waits[0], Duration::from_millis(10));
        assert_eq!(waits[1], Duration::from_millis(20));
        assert_eq!(waits[9], Duration::from_secs(1));
        // Ten failures within a second: only the first was logged.
        assert_eq!(b.failed(t0 + Duration::from_millis(999)).1, None);
        assert_eq!(b.failed(t0 + Duration::from_secs(1)).1, Some(10));
        b.succeeded();
        assert_eq!(
            b.failed(t0 + Duration::from_secs(3)).0,
            Duration::from_millis(10)
        );
    }

    #[test]
    fn the_refusal_is_a_complete_response() {
        assert_eq!(
            String::from_utf8(refusal(7)).unwrap(),
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
             connection: close\r\ncontent-length: 172\r\n\r\n\
             {\"message\":\"The server is at its connection limit (7, --max-connections). Retry shortly.\",\
             \"code\":\"service.unavailable\",\"status\":503,\"contextId\":\"\",\"details\":[],\"errors\":[]}",
            "the bytes written before this answer went through ApiError"
        );
        let text = String::from_utf8(refusal(7)).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 503 "));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["status"], 503);
        assert!(
            json["message"]
                .as_str()
                .unwrap()
                .contains("--max-connections")
        );
    }
}
