//! Heap allocations per request on the server side, counted with dhat's allocator (a dedicated
//! test binary: one global allocator, one profiler, one test).
//!
//! The real server runs on 127.0.0.1:0; the client is a blocking `std::net::TcpStream` that
//! writes fixed request bytes and reads into a buffer allocated before counting starts, so
//! the count is (almost) all server: hyper's connection handling plus the request pipeline.
//! Each request kind is sent `ROUNDS` times on one keep-alive connection after a warm-up, and
//! the figure is the average number of heap blocks allocated per request.
//!
//! Run `cargo test --test alloc -- --nocapture` to see the table. The test fails when a kind
//! allocates more than its budget: each budget sits about 15% above the figure measured once
//! the request context landed (docs/pipeline.md lists before and after), so a change that
//! brings the per-request copies back shows up here. Counts, not time: they do not depend on
//! the machine's load.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use genesys_scim_mock::AppState;
use genesys_scim_mock::Config;
use tokio::net::TcpListener;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// Requests of each kind that are counted (after `WARMUP` uncounted ones).
const ROUNDS: u64 = 50;
const WARMUP: usize = 5;

const MARIA: &str = "a1b2c3d4-0001-4000-8000-000000000001";
const JAMES: &str = "a1b2c3d4-0002-4000-8000-000000000002";

/// One request kind: its name, its bytes, and the most blocks per request it may allocate.
struct Kind {
    name: &'static str,
    request: Vec<u8>,
    budget: u64,
}

fn request(method: &str, path: &str, token: &str, body: Option<&str>) -> Vec<u8> {
    let mut r = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Accept: application/scim+json\r\nUser-Agent: alloc-count/1\r\n"
    );
    if let Some(b) = body {
        r.push_str(&format!(
            "Content-Type: application/scim+json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    r.push_str("\r\n");
    if let Some(b) = body {
        r.push_str(b);
    }
    r.into_bytes()
}

/// Sends `req` and reads one whole response (headers, then `content-length` bytes) into `buf`.
/// Returns the status code. Allocates nothing: `buf` is reused.
fn exchange(stream: &mut TcpStream, req: &[u8], buf: &mut [u8]) -> u16 {
    stream.write_all(req).expect("write request");
    let mut filled = 0;
    loop {
        let n = stream.read(&mut buf[filled..]).expect("read response");
        assert!(n > 0, "server closed the connection");
        filled += n;
        if let Some(end) = find(&buf[..filled], b"\r\n\r\n") {
            let len = content_length(&buf[..end]);
            let status = std::str::from_utf8(&buf[9..12])
                .expect("status digits")
                .parse()
                .expect("status code");
            while filled < end + 4 + len {
                let n = stream.read(&mut buf[filled..]).expect("read body");
                assert!(n > 0, "server closed the connection mid-body");
                filled += n;
            }
            return status;
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn content_length(head: &[u8]) -> usize {
    let text = std::str::from_utf8(head).expect("ascii head");
    text.split("\r\n")
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())
                .flatten()
        })
        .unwrap_or(0)
}

fn token(addr: SocketAddr) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    // mock-client-id:mock-client-secret, the default org's client.
    let body = "grant_type=client_credentials";
    let req = format!(
        "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n\
         Authorization: Basic bW9jay1jbGllbnQtaWQ6bW9jay1jbGllbnQtc2VjcmV0\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut buf = vec![0u8; 64 * 1024];
    assert_eq!(exchange(&mut s, req.as_bytes(), &mut buf), 200);
    let text = String::from_utf8_lossy(&buf);
    let start = text.find("\"access_token\":\"").expect("access_token") + 16;
    let len = text[start..].find('"').expect("token end");
    text[start..start + len].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn allocations_per_request() {
    let config = Config {
        seed: Some(7),
        ..Config::default()
    };
    let state = AppState::new(config).expect("config");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(genesys_scim_mock::serve(listener, state, async move {
        let _ = stopped.await;
    }));

    let rows = tokio::task::spawn_blocking(move || {
        let token = token(addr);
        let patch = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":"Engineer"}]}"#;
        let kinds = [
            Kind {
                name: "GET /scim/v2/Users/{id}",
                request: request("GET", &format!("/api/v2/scim/v2/Users/{MARIA}"), &token, None),
                // 176 before the render cache; a repeated read is a cache hit.
                budget: 80,
            },
            Kind {
                name: "GET /scim/v2/Users?filter=",
                request: request(
                    "GET",
                    "/api/v2/scim/v2/Users?filter=userName%20eq%20%22maria.garcia%40example.com%22",
                    &token,
                    None,
                ),
                budget: 115,
            },
            Kind {
                name: "PATCH /scim/v2/Users/{id}",
                request: request(
                    "PATCH",
                    &format!("/api/v2/scim/v2/Users/{JAMES}"),
                    &token,
                    Some(patch),
                ),
                budget: 355,
            },
            Kind {
                name: "GET /api/v2/users/{id}",
                request: request("GET", &format!("/api/v2/users/{MARIA}"), &token, None),
                budget: 290,
            },
            Kind {
                name: "GET /scim/v2/Users/{id} (401)",
                request: request("GET", &format!("/api/v2/scim/v2/Users/{MARIA}"), "nope", None),
                // 80 since the correlation id is stamped once (error responses were stamped
                // twice).
                budget: 92,
            },
        ];
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        let mut buf = vec![0u8; 256 * 1024];
        let mut rows = Vec::new();
        let _profiler = dhat::Profiler::builder().testing().build();
        for k in &kinds {
            for _ in 0..WARMUP {
                exchange(&mut stream, &k.request, &mut buf);
            }
            let before = dhat::HeapStats::get();
            let mut status = 0;
            for _ in 0..ROUNDS {
                status = exchange(&mut stream, &k.request, &mut buf);
            }
            let after = dhat::HeapStats::get();
            let blocks = (after.total_blocks - before.total_blocks) / ROUNDS;
            let bytes = (after.total_bytes - before.total_bytes) / ROUNDS;
            rows.push((k.name, status, blocks, bytes, k.budget));
        }
        rows
    })
    .await
    .expect("client thread");
    let _ = stop.send(());

    println!(
        "{:<32} {:>6} {:>14} {:>14}",
        "request", "status", "blocks/req", "bytes/req"
    );
    for (name, status, blocks, bytes, _) in &rows {
        println!("{name:<32} {status:>6} {blocks:>14} {bytes:>14}");
    }
    for (name, status, blocks, _, budget) in &rows {
        assert!(*status == 200 || *status == 401, "{name}: status {status}");
        assert!(
            blocks <= budget,
            "{name}: {blocks} allocations per request, budget {budget}"
        );
    }
}
