//! Load benchmark: the mock against a bare hyper "hello world" baseline, measured in the same
//! run on the same machine, so the result is a ratio that survives noisy machines.
//!
//! Run: `cargo run --release --example load -- [SECONDS] [CONNECTIONS]` (defaults 3 and 32).
//! It starts both servers in-process on 127.0.0.1:0, drives each with keep-alive HTTP/1.1
//! clients for the same duration, and prints requests per second for: the baseline, SCIM
//! `GET /Users/{id}`, and the indexed filter `userName eq "..."`. Traffic stays on loopback and
//! the run is bounded by SECONDS per phase.

#![deny(warnings)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use genesys_scim_mock::config::Config;
use genesys_scim_mock::state::AppState;
use http_body_util::{BodyExt, Empty, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let secs: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(3);
    let conns: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(32);
    let duration = Duration::from_secs(secs);

    // Baseline: hyper answering a fixed body.
    let base_listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind baseline");
    let base_addr = base_listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = base_listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                let svc = service_fn(|_req| async {
                    Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from_static(
                        b"hello world",
                    ))))
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });

    // The mock, with the default org and the rate limit off (it would throttle the benchmark).
    let config = Config {
        seed: Some(1),
        rate_limit_per_minute: None,
        ..Config::default()
    };
    let state = AppState::new(config).expect("state");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind mock");
    let mock_addr = listener.local_addr().expect("addr");
    tokio::spawn(genesys_scim_mock::server::run(
        listener,
        state,
        std::future::pending(),
    ));
    let token = get_token(mock_addr).await;

    let user = "/api/v2/scim/v2/Users/a1b2c3d4-0002-4000-8000-000000000002";
    let filter = "/api/v2/scim/v2/Users?filter=userName+eq+%22james.smith@example.com%22";
    let baseline = run(base_addr, "/", None, conns, duration).await;
    let by_id = run(mock_addr, user, Some(&token), conns, duration).await;
    let by_filter = run(mock_addr, filter, Some(&token), conns, duration).await;
    println!("connections: {conns}, seconds per phase: {secs}");
    println!("baseline hello world : {baseline:>10.0} req/s");
    println!(
        "GET /Users/{{id}}      : {by_id:>10.0} req/s  ratio {:.2}x of baseline",
        by_id / baseline
    );
    println!(
        "userName eq filter   : {by_filter:>10.0} req/s  ratio {:.2}x of baseline",
        by_filter / baseline
    );
}

async fn get_token(addr: SocketAddr) -> String {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let req = hyper::Request::post("/oauth/token")
        .header("host", addr.to_string())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from_static(b"grant_type=client_credentials&client_id=mock-client-id&client_secret=mock-client-secret")))
        .expect("request");
    let resp = send.send_request(req).await.expect("token");
    let body = resp.into_body().collect().await.expect("body").to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
    v["access_token"].as_str().expect("token").to_owned()
}

/// Drives `conns` keep-alive connections for `duration`; returns successful requests per second.
async fn run(
    addr: SocketAddr,
    path: &str,
    token: Option<&str>,
    conns: usize,
    duration: Duration,
) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let done = done.clone();
        let path = path.to_owned();
        let auth = token.map(|t| format!("Bearer {t}"));
        tasks.push(tokio::spawn(async move {
            let stream = TcpStream::connect(addr).await.expect("connect");
            let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .expect("handshake");
            tokio::spawn(conn);
            while Instant::now() < deadline {
                let mut req = hyper::Request::get(path.as_str()).header("host", addr.to_string());
                if let Some(a) = &auth {
                    req = req.header("authorization", a.as_str());
                }
                let resp = send
                    .send_request(req.body(Empty::<Bytes>::new()).expect("request"))
                    .await
                    .expect("send");
                let ok = resp.status().is_success();
                let _ = resp.into_body().collect().await;
                if ok {
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    done.load(Ordering::Relaxed) as f64 / duration.as_secs_f64()
}
