//! Token issuance at the table's bounds, against the same issuance on an empty table, in one
//! run, so the result is a ratio that survives a noisy machine.
//!
//! Run: `cargo test --release --lib tokens::tests_bench -- --ignored --nocapture`, with
//! `BENCH_SECONDS` and `BENCH_CONNECTIONS` (defaults 3 and 8). It lives in the crate, not in
//! `examples/`, because it drives the token table itself, which is not public.
//!
//! Two measurements, each unloaded then loaded:
//! - the table alone: inserts per second into an empty table, then into one where other
//!   clients hold every slot but the measured client's and the measured client is at its own
//!   bound (so each insert also evicts);
//! - `POST /oauth/token` over loopback against the real server, the table empty, then filled
//!   the same way; and `GET /Users/{id}` of another org's client while the table is full.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

use crate::config::Config;
use crate::state::AppState;
use crate::store::tokens::{MAX_TOKENS, MAX_TOKENS_PER_CLIENT, Token, TokenTable};

const CLIENT: &str = "mock-client-id";
const FORM: &[u8] =
    b"grant_type=client_credentials&client_id=mock-client-id&client_secret=mock-client-secret";

fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: run it with --release --ignored --nocapture"]
async fn token_issuance_at_the_bounds() {
    let secs: u64 = setting("BENCH_SECONDS", 3);
    let conns: usize = setting("BENCH_CONNECTIONS", 8);
    let duration = Duration::from_secs(secs);

    let empty = TokenTable::default();
    let unloaded = table_rate(&empty, duration);
    let full = TokenTable::default();
    fill(
        |v, t| full.insert(v, t, 0).is_ok(),
        "filler",
        MAX_TOKENS - MAX_TOKENS_PER_CLIENT,
    );
    fill(
        |v, t| full.insert(v, t, 0).is_ok(),
        CLIENT,
        MAX_TOKENS_PER_CLIENT,
    );
    let loaded = table_rate(&full, duration);
    println!("table bounds: {MAX_TOKENS_PER_CLIENT} per client, {MAX_TOKENS} in all");
    println!("table insert, empty table   : {unloaded:>10.0} /s");
    println!(
        "table insert, at the bounds : {loaded:>10.0} /s  ratio {:.2}x of empty",
        loaded / unloaded
    );

    let config = Config {
        seed: Some(1),
        rate_limit_per_minute: None,
        token_rate_limit_per_minute: None,
        ..Config::default()
    };
    let state = AppState::new(config).expect("state");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind mock");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(crate::edge::listener::run(
        listener,
        state.clone(),
        std::future::pending(),
    ));
    // The reader is another client of the default org, so the measured client's evictions
    // never touch it.
    let now = state.clock.now_millis();
    let reader = Token {
        org_id: "default".to_owned(),
        client_id: "reader".to_owned(),
        expires_at_ms: i64::MAX / 2,
    };
    let reader_token = "reader-token".to_owned();
    let _ = state.store.insert_token(reader_token.clone(), reader, now);
    let http_unloaded = run(addr, Phase::Issue, conns, duration).await;
    let reads_unloaded = run(addr, Phase::Read(reader_token.clone()), conns, duration).await;
    let insert = |v, t| state.store.insert_token(v, t, now).is_ok();
    fill(insert, "filler", MAX_TOKENS - MAX_TOKENS_PER_CLIENT - 1);
    fill(insert, CLIENT, MAX_TOKENS_PER_CLIENT);
    assert_eq!(state.store.token_count(), MAX_TOKENS);
    let http_loaded = run(addr, Phase::Issue, conns, duration).await;
    let reads_loaded = run(addr, Phase::Read(reader_token), conns, duration).await;
    println!("connections: {conns}, seconds per phase: {secs}");
    println!("POST /oauth/token, empty table   : {http_unloaded:>10.0} /s");
    println!(
        "POST /oauth/token, at the bounds : {http_loaded:>10.0} /s  ratio {:.2}x of empty",
        http_loaded / http_unloaded
    );
    println!("GET /Users/{{id}}, empty table    : {reads_unloaded:>10.0} /s");
    println!(
        "GET /Users/{{id}}, at the bounds  : {reads_loaded:>10.0} /s  ratio {:.2}x of empty",
        reads_loaded / reads_unloaded
    );
}

/// Inserts `n` tokens: for `client`, or spread over filler clients at their bound each.
fn fill(insert: impl Fn(String, Token) -> bool, client: &str, n: usize) {
    for i in 0..n {
        let client_id = if client == "filler" {
            format!("filler-{}", i / MAX_TOKENS_PER_CLIENT)
        } else {
            client.to_owned()
        };
        let token = Token {
            org_id: format!("org-of-{client_id}"),
            client_id,
            expires_at_ms: i64::MAX / 2,
        };
        assert!(
            insert(format!("{client}-{i}"), token),
            "fill refused at {i}"
        );
    }
}

/// Inserts for the measured client for `duration`; returns inserts per second.
fn table_rate(table: &TokenTable, duration: Duration) -> f64 {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < duration {
        for _ in 0..1_000 {
            let token = Token {
                org_id: "default".to_owned(),
                client_id: CLIENT.to_owned(),
                expires_at_ms: i64::MAX / 2 + n as i64,
            };
            table
                .insert(format!("measured-{n}"), token, 0)
                .expect("room");
            n += 1;
        }
    }
    n as f64 / start.elapsed().as_secs_f64()
}

#[derive(Debug, Clone)]
enum Phase {
    Issue,
    Read(String),
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(addr: SocketAddr) -> Sender {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    send
}

async fn request(send: &mut Sender, addr: SocketAddr, phase: &Phase) -> u16 {
    let req = match phase {
        Phase::Issue => hyper::Request::post("/oauth/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from_static(FORM))),
        Phase::Read(token) => {
            hyper::Request::get("/api/v2/scim/v2/Users/a1b2c3d4-0002-4000-8000-000000000002")
                .header("authorization", format!("Bearer {token}"))
                .body(Full::new(Bytes::new()))
        }
    };
    let req = req.map(|mut r| {
        r.headers_mut()
            .insert("host", addr.to_string().parse().expect("host"));
        r
    });
    let resp = send
        .send_request(req.expect("request"))
        .await
        .expect("send");
    let status = resp.status().as_u16();
    let _ = resp.into_body().collect().await.expect("body");
    status
}

/// Drives `conns` keep-alive connections for `duration`; returns successes per second.
async fn run(addr: SocketAddr, phase: Phase, conns: usize, duration: Duration) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let (done, phase) = (done.clone(), phase.clone());
        tasks.push(tokio::spawn(async move {
            let mut send = connect(addr).await;
            while Instant::now() < deadline {
                if request(&mut send, addr, &phase).await == 200 {
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
