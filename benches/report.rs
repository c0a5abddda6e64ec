//! How the client report scales with the journal: the same traffic mix at 1,000, 10,000 and
//! 100,000 journal entries, timed in one run, so the result is a ratio per entry that survives
//! a noisy machine. Linear time means the time per entry stays flat as the journal grows.
//!
//! Run: `cargo bench --bench report`. A benchmark, not a test: it prints figures and asserts
//! nothing. The traffic goes through the whole pipeline in memory (`genesys_scim_mock::handle`),
//! so the journal holds exactly what a client's session would leave.
//!
//! The mix per 10 requests: a token request, list pages of 25 users, user creates (some
//! answered 409), PATCHes (some without the PatchOp schema), a filter that finds nobody,
//! reads, and reads of a user that does not exist.

use std::time::Instant;

use bytes::Bytes;
use genesys_scim_mock::{AppState, Config, handle};
use http::Request;
use http_body_util::BodyExt;
use serde_json::{Value, json};

const USERS: &str = "/api/v2/scim/v2/Users";
const FORM: &str =
    "grant_type=client_credentials&client_id=mock-client-id&client_secret=mock-client-secret";

async fn send(state: &AppState, req: Request<Bytes>) -> (u16, Bytes) {
    let resp = handle(state, req).await;
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.map(|c| c.to_bytes());
    (status, body.unwrap_or_default())
}

fn scim(method: &str, path: &str, token: &str, body: Option<Value>) -> Request<Bytes> {
    Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/scim+json")
        .body(body.map_or_else(Bytes::new, |b| Bytes::from(b.to_string())))
        .expect("a valid request")
}

/// A server whose journal holds `n` requests of the mix.
#[allow(
    clippy::field_reassign_with_default,
    reason = "a library user sets Config's fields one by one"
)]
async fn journal_of(n: u64) -> AppState {
    let mut config = Config::default();
    config.seed = Some(1);
    config.rate_limit_per_minute = None;
    config.journal_size = n as usize;
    config.journal_bytes = 4 << 30;
    let state = AppState::new(config).expect("the default org loads");
    let token_request = || {
        Request::post("/oauth/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Bytes::from_static(FORM.as_bytes()))
            .expect("a valid request")
    };
    let (_, body) = send(&state, token_request()).await;
    let token: Value = serde_json::from_slice(&body).expect("a token answer");
    let token = token["access_token"].as_str().expect("a token").to_owned();
    let (_, body) = send(&state, scim("POST", USERS, &token, Some(user("u0")))).await;
    let first: Value = serde_json::from_slice(&body).expect("a user");
    let id = first["id"].as_str().expect("an id").to_owned();
    for i in 1..n {
        let req = match i % 10 {
            0 => token_request(),
            1 | 2 => scim(
                "GET",
                &format!("{USERS}?count=25&startIndex={}", 1 + 25 * (i % 4)),
                &token,
                None,
            ),
            3 => scim("POST", USERS, &token, Some(user(&format!("n{i}")))),
            4 | 5 => scim("POST", USERS, &token, Some(user("u0"))),
            6 => scim(
                "PATCH",
                &format!("{USERS}/{id}"),
                &token,
                Some(json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "title", "value": format!("t{i}")}]})),
            ),
            7 => scim(
                "PATCH",
                &format!("{USERS}/{id}"),
                &token,
                Some(json!({
                "Operations": [{"op": "replace", "path": "title", "value": "x"}]})),
            ),
            8 => scim(
                "GET",
                &format!("{USERS}?filter=userName%20eq%20%22nobody{i}@example.com%22"),
                &token,
                None,
            ),
            _ if i % 20 == 9 => scim("GET", &format!("{USERS}/no-such-user"), &token, None),
            _ => scim("GET", &format!("{USERS}/{id}"), &token, None),
        };
        send(&state, req).await;
    }
    state
}

fn user(name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": format!("{name}@example.com"),
        "displayName": name,
        "name": {"givenName": name, "familyName": "Bench"},
        "active": true
    })
}

/// Nanoseconds per journal entry for `GET /__admin/report` (best of `runs`), and the bytes
/// of the report.
async fn per_entry(n: u64, runs: u32) -> (f64, usize) {
    let state = journal_of(n).await;
    let mut best = f64::MAX;
    let mut size = 0;
    for _ in 0..runs {
        let req = Request::get("/__admin/report")
            .body(Bytes::new())
            .expect("a request");
        let start = Instant::now();
        let (status, body) = send(&state, req).await;
        best = best.min(start.elapsed().as_nanos() as f64 / n as f64);
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        size = body.len();
    }
    (best, size)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let (base, _) = per_entry(1_000, 5).await;
        println!(
            "{:>8}  {:>12}  {:>8}  {:>12}",
            "entries", "ns/entry", "ratio", "report bytes"
        );
        for n in [1_000, 10_000, 100_000] {
            let (ns, size) = per_entry(n, 3).await;
            println!("{n:>8}  {ns:>12.0}  {:>8.2}  {size:>12}", ns / base);
        }
    });
}
