//! How the client report scales with the journal: the same traffic mix at 1,000, 10,000 and
//! 100,000 entries, timed in one run, so the result is a ratio per entry that survives a noisy
//! machine. Linear time means the time per entry stays flat as the journal grows.
//!
//! Run: `cargo test --release --lib report::tests_bench -- --ignored --nocapture`. It lives in
//! the crate, not in `examples/`, because it builds journal entries itself, which are not public.
//!
//! The mix per 10 entries: a token request, list pages (with response bodies of 25 users),
//! user creates (some failed with 503, some answered 409), PATCHes (some without the PatchOp
//! schema or with a bare extension path), a throttled request and an early retry.

use std::time::Instant;

use crate::control::journal::{Entry, Journal, Text};
use crate::control::report::{self, Request};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

fn entry(i: u64, t0: DateTime<Utc>) -> Entry {
    let page = json!({
        "totalResults": 100,
        "Resources": (0..25).map(|k| json!({"id": format!("u{k}"), "userName": format!("u{k}@example.com"), "meta": {"version": "1"}})).collect::<Vec<_>>(),
    })
    .to_string();
    let (method, route, path, query, body, status, response) = match i % 10 {
        0 => ("POST", "oauth.token", "/oauth/token", None, "grant_type=client_credentials".to_owned(), 200, Some("{}".to_owned())),
        1 | 2 => ("GET", "users.list", "/api/v2/scim/v2/Users", Some(format!("count=25&startIndex={}", 1 + 25 * (i % 4))), String::new(), 200, Some(page)),
        3 => ("POST", "users.create", "/api/v2/scim/v2/Users", None, json!({"userName": format!("n{i}@example.com"), "displayName": "N", "name": {"givenName": "N"}}).to_string(), 201, Some(json!({"id": format!("id{i}"), "meta": {"version": "1"}}).to_string())),
        4 => ("POST", "users.create", "/api/v2/scim/v2/Users", None, json!({"userName": format!("f{i}@example.com"), "displayName": "F"}).to_string(), 503, None),
        5 => ("POST", "users.create", "/api/v2/scim/v2/Users", None, json!({"userName": "dup@example.com", "displayName": "D"}).to_string(), 409, Some(json!({"scimType": "uniqueness"}).to_string())),
        6 => ("PATCH", "users.patch", "/api/v2/scim/v2/Users/u1", None, json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "Operations": [{"op": "replace", "path": "department", "value": "x"}]}).to_string(), 200, Some(json!({"id": "u1", "meta": {"version": "2"}}).to_string())),
        7 => ("GET", "users.list", "/api/v2/scim/v2/Users", Some(format!("filter=userName%20eq%20%22n{i}@example.com%22")), String::new(), 200, Some(json!({"totalResults": 0, "Resources": []}).to_string())),
        8 => ("GET", "users.get", "/api/v2/scim/v2/Users/u1", None, String::new(), 429, None),
        _ => ("GET", "users.get", "/api/v2/scim/v2/Users/u1", None, String::new(), 200, Some(json!({"id": "u1", "meta": {"version": "2"}}).to_string())),
    };
    Entry {
        seq: 0,
        timestamp: t0 + Duration::milliseconds(i as i64 * 10),
        correlation_id: format!("c{i}"),
        method: method.parse().unwrap(),
        path: path.to_owned(),
        query,
        headers: [("content-type", "application/scim+json")]
            .into_iter()
            .collect(),
        headers_truncated: false,
        body: Text::from(body),
        body_truncated: false,
        status,
        response_body: response.map(Text::from),
        response_body_truncated: false,
        route,
        org: Some("default".to_owned()),
        client: Some("mock-client-id".to_owned()),
        token: Some(format!("tok-{:012x}", i / 50)),
        retry_after: (status == 429).then(|| "5".to_owned()),
        scenario: None,
        rule: None,
        fault: None,
        missing_permissions: &[],
        duration_ms: 0.1,
    }
}

/// Nanoseconds per entry for a report over `n` entries (best of `runs`).
fn per_entry(n: u64, runs: u32) -> (f64, usize) {
    let t0 = Utc::now();
    let journal = Journal::new(n as usize);
    for i in 0..n {
        journal.record(entry(i, t0));
    }
    let mut best = f64::MAX;
    let mut findings = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let r = report::build(&journal, &Request::default(), t0).expect("report");
        best = best.min(start.elapsed().as_nanos() as f64 / n as f64);
        findings = r.rules.iter().map(|x| x.findings.len()).sum();
    }
    (best, findings)
}

#[test]
#[ignore = "a benchmark: run it with --release --ignored --nocapture"]
fn report_time_per_entry_as_the_journal_grows() {
    let (base, _) = per_entry(1_000, 5);
    println!(
        "{:>8}  {:>12}  {:>8}  {:>14}",
        "entries", "ns/entry", "ratio", "findings kept"
    );
    for n in [1_000, 10_000, 100_000] {
        let (ns, findings) = per_entry(n, 3);
        println!("{n:>8}  {ns:>12.0}  {:>8.2}  {findings:>14}", ns / base);
    }
}
