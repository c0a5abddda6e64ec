//! Sends a recorded session's requests, in order, to a server, and compares each answer with
//! the recorded one ([`comparison`](super::comparison)).
//!
//! While replaying it keeps two maps: recorded token → replayed token (from each token
//! answer: the recording's `access_token`, a placeholder when scrubbed, against the one the
//! replay got), applied to later `Authorization` headers; and recorded id → replayed id (from
//! each `201`), applied to later paths, queries and bodies, and to the recorded answers before
//! they are compared.

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use serde_json::Value;

use super::comparison::{Context, Finding, Replayed, compare};
use crate::cli::record::upstream::{self, Failure, Upstream};
use crate::control::journal::har::Exchange;

/// How long one replayed request may take unless the recording timed out there.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Replays `session` against `target` and answers every difference.
pub(crate) async fn replay(
    target: &Upstream,
    session: &[Exchange],
    mut ctx: Context,
) -> Vec<Finding> {
    let mut tokens: HashMap<String, String> = HashMap::new();
    let mut findings = Vec::new();
    for (i, x) in session.iter().enumerate() {
        let path = map(x.path_and_query(), &ctx.ids);
        let method = Method::from_bytes(x.method.as_bytes()).unwrap_or(Method::GET);
        let mut headers = HeaderMap::new();
        for (n, v) in &x.request_headers {
            let value = if n.eq_ignore_ascii_case("authorization") {
                bearer(v, &tokens)
            } else {
                map(v, &ctx.ids)
            };
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(n.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                headers.append(n, v);
            }
        }
        let body = Bytes::from(map(x.request_body.as_deref().unwrap_or(""), &ctx.ids));
        let timeout = match x.extra_str("outcome") {
            Some("timeout") => {
                Duration::from_millis(x.time_ms.max(0.0) as u64) + Duration::from_secs(2)
            }
            _ => REQUEST_TIMEOUT,
        };
        let answer =
            upstream::forward(target, method.clone(), &path, &headers, body, timeout).await;
        let replayed = match answer {
            Ok(a) => Replayed {
                status: a.status.as_u16(),
                headers: a
                    .headers
                    .iter()
                    .map(|(n, v)| {
                        (
                            n.as_str().to_owned(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect(),
                body: (!a.body.is_empty()).then(|| String::from_utf8_lossy(&a.body).into_owned()),
                outcome: None,
            },
            Err(f @ (Failure::Reset | Failure::Timeout | Failure::Unreachable)) => Replayed {
                outcome: Some(f.name()),
                ..Replayed::default()
            },
        };
        learn(x, &replayed, &mut tokens, &mut ctx);
        let route =
            crate::pipeline::route::route(x.path_and_query().split('?').next().unwrap_or("/"))
                .map_or("unknown", |r| r.name(&method));
        findings.extend(compare(i + 1, route, x, &replayed, &ctx));
    }
    findings
}

/// `Bearer <recorded>` with the replay's token for it.
fn bearer(value: &str, tokens: &HashMap<String, String>) -> String {
    match value.split_once(' ') {
        Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") => match tokens.get(t.trim()) {
            Some(real) => format!("Bearer {real}"),
            None => value.to_owned(),
        },
        _ => value.to_owned(),
    }
}

fn map(text: &str, ids: &HashMap<String, String>) -> String {
    let mut out = text.to_owned();
    for (from, to) in ids {
        if out.contains(from.as_str()) {
            out = out.replace(from.as_str(), to);
        }
    }
    out
}

/// Learns a token and the ids a creation gave, from the recorded and the replayed answer.
fn learn(x: &Exchange, r: &Replayed, tokens: &mut HashMap<String, String>, ctx: &mut Context) {
    let parse = |b: Option<&str>| b.and_then(|t| serde_json::from_str::<Value>(t).ok());
    let (Some(a), Some(b)) = (parse(x.response_body.as_deref()), parse(r.body.as_deref())) else {
        return;
    };
    if let (Some(ta), Some(tb)) = (
        a.get("access_token").and_then(Value::as_str),
        b.get("access_token").and_then(Value::as_str),
    ) {
        tokens.insert(ta.to_owned(), tb.to_owned());
    }
    if x.status == 201
        && r.status == 201
        && let (Some(ia), Some(ib)) = (
            a.get("id").and_then(Value::as_str),
            b.get("id").and_then(Value::as_str),
        )
    {
        ctx.known.insert(ib.to_owned());
        if ia != ib {
            ctx.ids.insert(ia.to_owned(), ib.to_owned());
        }
    }
}
