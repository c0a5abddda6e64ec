//! The journal's JSON for a set of awkward exchanges, pinned byte for byte: what
//! `GET /__admin/requests`, the report, verify and export read. Each entry goes through the
//! real `Recording` (redaction, cuts, the own-document shortcut) and is serialized as the
//! admin API serializes it; only `durationMs`, a wall-clock reading, is masked.

use chrono::{TimeZone, Utc};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode};

use super::{Journal, Matcher, Recording};
use crate::edge::response::{OwnKeys, full};
use crate::pipeline::context::{ApiRequest, Presented};

/// The keys a user document can hold, for the own-document answers below (none is covered by
/// the default redaction list).
const KEYS: &[&str] = &["id", "userName", "name", "meta"];

struct Exchange {
    method: Method,
    path: &'static str,
    query: Option<&'static str>,
    headers: Vec<(&'static str, Vec<u8>)>,
    body: Vec<u8>,
    status: StatusCode,
    response: Vec<u8>,
    /// Marks the answer as the mock's own document (`edge::response::OwnKeys` in the request
    /// context).
    own: bool,
    retry_after: Option<&'static str>,
}

impl Exchange {
    fn get(path: &'static str) -> Self {
        Self {
            method: Method::GET,
            path,
            query: None,
            headers: vec![
                ("host", b"127.0.0.1:8080".to_vec()),
                ("authorization", b"Bearer the-secret-token".to_vec()),
                ("accept", b"application/scim+json".to_vec()),
            ],
            body: Vec::new(),
            status: StatusCode::OK,
            response: Vec::new(),
            own: false,
            retry_after: None,
        }
    }
}

/// Records `x` in `journal` through a `Recording`, as the router does.
async fn record(journal: &Journal, n: u32, x: Exchange) {
    let mut req = ApiRequest::default();
    req.method = x.method;
    req.path = x.path.to_owned();
    req.query = x.query.map(str::to_owned);
    let mut headers = HeaderMap::new();
    for (name, value) in x.headers {
        headers.append(
            HeaderName::from_static(name),
            HeaderValue::from_bytes(&value).unwrap(),
        );
    }
    req.headers = headers;
    req.body = bytes::Bytes::from(x.body);
    req.correlation_id = format!("corr-{n}");
    req.route = crate::pipeline::route::route(x.path);
    req.route_name = req.route.as_ref().unwrap().name(&req.method);
    req.caller.credentials = Presented::Bearer("the-secret-token".into());
    req.caller.org = Some("default".into());
    req.caller.client = Some("mock-client-id".into());
    let arrived =
        Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap() + chrono::Duration::seconds(n.into());
    let mut pending = Recording::new(journal, req, arrived, std::time::Instant::now());
    if n == 3 {
        let (_, outcome) = pending.parts();
        outcome.scenario = Some("flaky".into());
        outcome.rule = Some("slow-down".into());
        outcome.status = Some(429);
    }
    let len = x.response.len();
    let sent = bytes::Bytes::from(x.response);
    let mut resp = Response::new(full(sent.clone()));
    *resp.status_mut() = x.status;
    if x.own {
        // Entry 6 claims a body of another length than the one sent.
        let body = match n {
            6 => bytes::Bytes::from(vec![b' '; len + 1]),
            _ => sent,
        };
        let (req, _) = pending.parts();
        let _ = req.document.set(OwnKeys { keys: KEYS, body });
    }
    if let Some(r) = x.retry_after {
        resp.headers_mut()
            .insert(http::header::RETRY_AFTER, HeaderValue::from_static(r));
    }
    let sent = pending.finish(resp).await;
    let (_, body) = sent.into_parts();
    let back = http_body_util::BodyExt::collect(body)
        .await
        .unwrap()
        .to_bytes();
    assert_eq!(back.len(), len, "the client gets the body it was sent");
}

/// The entries' JSON lines, `durationMs` masked.
fn lines(journal: &Journal) -> String {
    let mut out = String::new();
    for e in journal.find(&Matcher::default()) {
        let text = serde_json::to_string(&e).unwrap();
        let at = text.find("\"durationMs\":").unwrap() + "\"durationMs\":".len();
        let end = at + text[at..].find(['}', ',']).unwrap();
        out.push_str(&text[..at]);
        out.push('0');
        out.push_str(&text[end..]);
        out.push('\n');
    }
    out
}

/// A document of `len` bytes whose last character before `cut` is a two-byte `é` split by
/// the cut: `{"id":"x","name":"aaa…é…"}`.
fn document(len: usize, cut: usize) -> Vec<u8> {
    let head = br#"{"id":"x","name":""#;
    let mut d = head.to_vec();
    d.resize(cut - 1, b'a');
    d.extend_from_slice("é".as_bytes());
    d.resize(len - 2, b'b');
    d.extend_from_slice(b"\"}");
    d
}

#[tokio::test]
async fn entries_serialize_exactly_as_pinned() {
    let journal = Journal::new(100);
    // 1. An own document, sent as is: stored as sent.
    let mut x = Exchange::get("/api/v2/scim/v2/Users/a1");
    x.response = br#"{"id":"a1","userName":"ada@example.com","meta":{"version":"3"}}"#.to_vec();
    x.own = true;
    record(&journal, 1, x).await;
    // 2. A create with redacted headers (authorization, cookie, a repeated x-api-key), an
    // invalid UTF-8 header value, a header cut at its bound, a redacted query, a password in
    // the body, invalid UTF-8 in the body and a body cut at its bound; a foreign answer with
    // a secret key.
    let mut x = Exchange::get("/api/v2/scim/v2/Users");
    x.method = Method::POST;
    x.query = Some("client_secret=s3&x=1");
    x.headers.push(("cookie", b"session=abc".to_vec()));
    x.headers.push(("x-api-key", b"k1".to_vec()));
    x.headers.push(("x-api-key", b"k2".to_vec()));
    x.headers.push(("x-bin", b"caf\xe9 \xff!".to_vec()));
    x.headers.push((
        "x-long",
        vec![b'v'; super::truncation::MAX_HEADER_VALUE + 10],
    ));
    x.headers
        .push(("content-type", b"application/scim+json".to_vec()));
    // Past the headers' total bound: the last ones are left out.
    for name in ["x-fill-1", "x-fill-2", "x-fill-3", "x-fill-4"] {
        x.headers.push((name, vec![b'f'; 4000]));
    }
    x.headers.push(("x-after", b"small".to_vec()));
    let mut body = br#"{"userName":"n@example.com","password":"pw","note":"bad "#.to_vec();
    body.extend_from_slice(b"\xff byte\",\"pad\":\"");
    body.resize(super::MAX_BODY_TEXT + 100, b'p');
    body.extend_from_slice(b"\"}");
    x.body = body;
    x.status = StatusCode::BAD_REQUEST;
    x.response = br#"{"detail":"no","access_token":"leak","status":"400"}"#.to_vec();
    record(&journal, 2, x).await;
    // 3. A scripted 429 with Retry-After whose answer is not UTF-8; the client saw 429.
    let mut x = Exchange::get("/api/v2/scim/v2/Users/a2");
    x.status = StatusCode::SERVICE_UNAVAILABLE;
    x.response = b"slow \xfe\xfe down".to_vec();
    x.retry_after = Some("7");
    record(&journal, 3, x).await;
    // 4. An own document past the body bound, its cut splitting a two-byte character.
    let mut x = Exchange::get("/api/v2/scim/v2/Users/a3");
    x.response = document(super::MAX_BODY_TEXT + 50, super::MAX_BODY_TEXT);
    x.own = true;
    record(&journal, 4, x).await;
    // 5. A foreign answer past the bound whose cut splits a character, and a request body
    // whose cut does too.
    let mut x = Exchange::get("/api/v2/scim/v2/Users/a4");
    x.method = Method::PUT;
    x.body = document(super::MAX_BODY_TEXT + 10, super::MAX_BODY_TEXT);
    x.response = document(super::MAX_BODY_TEXT + 20, super::MAX_BODY_TEXT);
    record(&journal, 5, x).await;
    // 6. An own document the client got but which claims another length: scanned.
    let mut x = Exchange::get("/api/v2/scim/v2/Users/a5");
    x.response = br#"{"id":"a5","password":"own-but-scanned"}"#.to_vec();
    x.own = true;
    record(&journal, 6, x).await;
    let got = lines(&journal);
    // Long runs are shown by their length, so the pin stays readable.
    let got = squeeze(&got);
    let want = include_str!("tests_json.pinned");
    if std::env::var_os("UPDATE_PINNED").is_some() {
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/src/journal/tests_json.pinned"),
            &got,
        )
        .unwrap();
        return;
    }
    assert_eq!(got, want, "the journal's JSON changed");
    let stats = journal.stats();
    assert_eq!((stats.held, stats.truncated), (6, 3), "{stats:?}");
    // What --journal-bytes counts: the text each entry holds and a fixed overhead.
    assert_eq!(stats.bytes, 281_020, "{stats:?}");
}

/// Replaces every run of more than 16 equal bytes with `<c×n>`.
fn squeeze(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let mut n = 1;
        while chars.peek() == Some(&c) {
            chars.next();
            n += 1;
        }
        if n > 16 {
            out.push_str(&format!("<{c}×{n}>"));
        } else {
            out.extend(std::iter::repeat_n(c, n));
        }
    }
    out
}

/// The own-document shortcut (no body read back, no redaction scan, the bytes shared) stores
/// what the general path stores for the same answer, cut or not.
#[tokio::test]
async fn own_documents_are_stored_as_the_general_path_stores_them() {
    for len in [200, super::MAX_BODY_TEXT + 50] {
        let (fast, general) = (Journal::new(10), Journal::new(10));
        for (journal, own) in [(&fast, true), (&general, false)] {
            let mut x = Exchange::get("/api/v2/scim/v2/Users/a1");
            x.response = document(len, len.min(super::MAX_BODY_TEXT) - 20);
            x.own = own;
            record(journal, 1, x).await;
        }
        assert_eq!(lines(&fast), lines(&general), "{len} bytes");
        assert_eq!(fast.stats(), general.stats());
    }
}
