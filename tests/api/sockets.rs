//! Socket-level bounds against the real server over raw TCP: slow uploads, early 413 on
//! `Expect: 100-continue`, the connection cap and half-closed clients.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use genesys_scim_mock::{AppState, Config};
use http_body_util::BodyExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::helpers::*;

/// A server with no client connections of its own (the shared test client would hold one of
/// the capped connections), and a token for it, issued in-process before it listens.
async fn start(config: Config) -> (SocketAddr, oneshot::Sender<()>, String) {
    start_with(config, None).await
}

/// [`start`], with `scenario` loaded (in-process, through the admin API) first.
async fn start_with(
    config: Config,
    scenario: Option<serde_json::Value>,
) -> (SocketAddr, oneshot::Sender<()>, String) {
    let state = AppState::new(config).expect("config");
    let form = format!(
        "grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"
    );
    let issued = in_process(
        &state,
        "/oauth/token",
        "application/x-www-form-urlencoded",
        form,
    )
    .await;
    let token = issued["access_token"].as_str().expect("a token").to_owned();
    if let Some(scenario) = scenario {
        in_process(
            &state,
            "/__admin/scenarios",
            "application/json",
            scenario.to_string(),
        )
        .await;
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(genesys_scim_mock::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    (addr, stop, token)
}

/// `POST path` through the socket-free entry; the answer's JSON, asserting success.
async fn in_process(
    state: &AppState,
    path: &str,
    content_type: &str,
    body: String,
) -> serde_json::Value {
    let req = http::Request::post(path)
        .header("content-type", content_type)
        .body(Bytes::from(body))
        .unwrap();
    let resp = genesys_scim_mock::handle(state, req).await;
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    assert!(status.is_success(), "{path}: {status} {bytes:?}");
    serde_json::from_slice(&bytes).unwrap()
}

fn get_request(token: &str) -> String {
    format!("GET {SCIM}/Users/{MARIA} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}\r\n\r\n")
}

/// Reads until the server closes or `within` passes; returns what arrived.
async fn read_all(stream: &mut TcpStream, within: Duration) -> String {
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(within, stream.read_to_end(&mut buf)).await;
    String::from_utf8_lossy(&buf).into_owned()
}

/// Reads the first response head (up to the blank line), waiting at most `within`.
async fn read_head(stream: &mut TcpStream, within: Duration) -> String {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    let _ = tokio::time::timeout(within, async {
        while !buf.ends_with(b"\r\n\r\n") {
            match stream.read(&mut byte).await {
                Ok(1) => buf.push(byte[0]),
                _ => break,
            }
        }
    })
    .await;
    String::from_utf8_lossy(&buf).into_owned()
}

/// Reads one whole response (head and a `Content-Length` body); returns its head.
async fn read_response(stream: &mut TcpStream) -> String {
    let head = read_head(stream, Duration::from_secs(10)).await;
    let length = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_owned)
        })
        .and_then(|n| n.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_exact(&mut body)).await;
    head
}

fn timeouts(pause: u64, total: u64) -> Config {
    let mut c = test_config();
    c.body_timeout = Duration::from_secs(pause);
    c.request_timeout = Duration::from_secs(total);
    c
}

fn upload_head(length: u64, token: &str) -> String {
    format!(
        "POST {SCIM}/Users HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/scim+json\r\nContent-Length: {length}\r\n\r\n"
    )
}

#[tokio::test]
async fn a_stalled_upload_gets_408_and_the_connection_closes() {
    let (addr, _stop, token) = start(timeouts(1, 30)).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("{}{{\"user", upload_head(100, &token)).as_bytes())
        .await
        .unwrap();
    let answer = read_all(&mut s, Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(answer.contains("did not arrive in time"), "{answer}");
}

#[tokio::test]
async fn a_trickling_upload_hits_the_total_deadline() {
    let (addr, _stop, token) = start(timeouts(2, 2)).await;
    let s = TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = s.into_split();
    wr.write_all(upload_head(1_000, &token).as_bytes())
        .await
        .unwrap();
    // One byte every 300 ms: never a 2 s pause, but 1000 bytes would take 5 minutes.
    let writer = tokio::spawn(async move {
        for _ in 0..1_000 {
            if wr.write_all(b"x").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), rd.read_to_end(&mut buf)).await;
    writer.abort();
    let answer = String::from_utf8_lossy(&buf);
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
}

#[tokio::test]
async fn a_declared_oversize_body_gets_413_without_100_continue() {
    let (addr, _stop, token) = start(test_config()).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    let head = upload_head(1_000_000_000_000, &token)
        .replace("\r\n\r\n", "\r\nExpect: 100-continue\r\n\r\n");
    s.write_all(head.as_bytes()).await.unwrap();
    let first = read_head(&mut s, Duration::from_secs(10)).await;
    assert!(first.starts_with("HTTP/1.1 413 "), "{first}");
    // Without Expect, too: refused on the declared length, before any body byte.
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(upload_head(600_000, &token).as_bytes())
        .await
        .unwrap();
    let first = read_head(&mut s, Duration::from_secs(10)).await;
    assert!(first.starts_with("HTTP/1.1 413 "), "{first}");
}

#[tokio::test]
async fn past_the_connection_cap_new_clients_get_503_and_open_ones_keep_working() {
    let mut config = test_config();
    config.max_connections = 3;
    let (addr, _stop, token) = start(config).await;
    let mut open = Vec::new();
    for _ in 0..3 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        // A round trip proves the server accepted (and counted) this connection.
        s.write_all(get_request(&token).as_bytes()).await.unwrap();
        assert!(read_response(&mut s).await.starts_with("HTTP/1.1 200 "));
        open.push(s);
    }
    let mut extra = TcpStream::connect(addr).await.unwrap();
    let refused = read_all(&mut extra, Duration::from_secs(5)).await;
    assert!(refused.starts_with("HTTP/1.1 503 "), "{refused:?}");
    assert!(refused.contains("--max-connections"), "{refused}");
    // The ones already open still work.
    for s in &mut open {
        s.write_all(get_request(&token).as_bytes()).await.unwrap();
        assert!(read_response(s).await.starts_with("HTTP/1.1 200 "));
    }
    // Closing one frees its place.
    drop(open.pop());
    let mut again = None;
    for _ in 0..50 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(get_request(&token).as_bytes()).await.unwrap();
        if read_head(&mut s, Duration::from_secs(5))
            .await
            .starts_with("HTTP/1.1 200 ")
        {
            again = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(again.is_some(), "a freed place is never reused");
}

#[tokio::test]
async fn half_closed_clients_get_their_response() {
    // A handler that takes a moment: the client's EOF arrives while it runs.
    let slow = serde_json::json!({"name": "slow", "rules": [{"name": "wait",
        "when": {"route": "users.get"}, "then": {"delay": {"ms": 50}}}]});
    let (addr, _stop, token) = start_with(test_config(), Some(slow)).await;
    for attempt in 0..20 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(get_request(&token).as_bytes()).await.unwrap();
        s.shutdown().await.unwrap();
        let answer = read_all(&mut s, Duration::from_secs(10)).await;
        assert!(
            answer.starts_with("HTTP/1.1 200 "),
            "attempt {attempt}: {answer:?}"
        );
        assert!(
            answer.contains("maria.garcia@example.com"),
            "attempt {attempt}"
        );
    }
}

/// Writes `body` in 64 KiB pieces with a pause between them (a slow client still sending when
/// the server has answered), then reads one response head. Any write error is returned.
async fn upload_then_read(addr: SocketAddr, head: String, body: &[u8]) -> Result<String, String> {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(head.as_bytes())
        .await
        .map_err(|e| format!("head: {e}"))?;
    for (i, piece) in body.chunks(64 * 1024).enumerate() {
        s.write_all(piece)
            .await
            .map_err(|e| format!("piece {i} of the body: {e}"))?;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(read_head(&mut s, Duration::from_secs(10)).await)
}

/// A client that writes its whole body before reading (Python's urllib, most clients without
/// `Expect: 100-continue`) reads the 413: the server reads and throws away what it refused
/// instead of closing on a client still sending (which reset the connection: a broken pipe
/// where the 413 should be), whether the length was declared or counted.
#[tokio::test]
async fn a_client_still_sending_an_oversize_body_reads_the_413() {
    let (addr, _stop, token) = start(test_config()).await;
    let body = vec![b'x'; 2_000_000];
    let declared = upload_then_read(addr, upload_head(body.len() as u64, &token), &body).await;
    assert!(
        declared
            .as_deref()
            .is_ok_and(|h| h.starts_with("HTTP/1.1 413 ")),
        "declared: {declared:?}"
    );
    // Chunked: counted as it arrives, refused at the limit, the rest read and thrown away.
    let head =
        upload_head(0, &token).replace("Content-Length: 0\r\n", "Transfer-Encoding: chunked\r\n");
    let mut chunked = Vec::new();
    for piece in body.chunks(64 * 1024) {
        chunked.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunked.extend_from_slice(piece);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let counted = upload_then_read(addr, head, &chunked).await;
    assert!(
        counted
            .as_deref()
            .is_ok_and(|h| h.starts_with("HTTP/1.1 413 ")),
        "counted: {counted:?}"
    );
}
