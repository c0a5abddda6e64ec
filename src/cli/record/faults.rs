//! The bundle's `scenario.json`: a rule for each answer the emulation cannot produce by itself
//! (a `429` and its `Retry-After`, a `5xx`, a reset connection, a timeout), tied to its place in
//! the session: the rule matches the request's method and path, and fires on the n-th such
//! request, n counted over the session as recorded. Replayed in order, each fires exactly where
//! the upstream answered so.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::control::journal::har::Exchange;

/// The scenario's name.
pub(crate) const NAME: &str = "recorded-session";

/// The scenario document (its `rules` may be empty).
pub(crate) fn scenario(exchanges: &[Exchange]) -> Value {
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    let mut rules = Vec::new();
    for (i, x) in exchanges.iter().enumerate() {
        let path = x
            .path_and_query()
            .split('?')
            .next()
            .unwrap_or("/")
            .to_owned();
        let method = x.method.to_ascii_uppercase();
        let n = {
            let c = seen.entry((method.clone(), path.clone())).or_default();
            *c += 1;
            *c
        };
        let Some(then) = action(x) else {
            continue;
        };
        let what = match x.extra_str("outcome") {
            Some(o) => o.to_owned(),
            None => x.status.to_string(),
        };
        rules.push(json!({
            "name": format!("request-{}-{what}", i + 1),
            "when": { "method": method, "path": path },
            "trigger": { "nth": { "n": n } },
            "then": then,
        }));
    }
    json!({
        "name": NAME,
        "description": "The answers the upstream gave that the emulation does not produce by itself, each at its place in the recorded session (request-N is the session's N-th request).",
        "rules": rules,
    })
}

/// The action that reproduces an exchange's answer, if the emulation would not.
fn action(x: &Exchange) -> Option<Value> {
    match x.extra_str("outcome") {
        Some("reset") => return Some(json!("reset")),
        Some("timeout") => {
            let ms = (x.time_ms.max(1.0) as u64).min(300_000);
            return Some(json!({ "hang": { "maxMs": ms } }));
        }
        Some(_) => return None,
        None => {}
    }
    let retry_after = x.response_header("retry-after");
    if x.status == 429 {
        let secs = retry_after
            .and_then(|r| r.trim().parse::<u64>().ok())
            .unwrap_or(1);
        return Some(json!({ "throttle": { "retryAfter": secs } }));
    }
    if x.status >= 500 {
        let mut respond = json!({ "status": x.status });
        if let Some(body) = x
            .response_body
            .as_deref()
            .and_then(|b| serde_json::from_str::<Value>(b).ok())
        {
            respond["body"] = body;
        }
        if let Some(r) = retry_after {
            respond["headers"] = json!({ "Retry-After": r });
        }
        return Some(json!({ "respond": respond }));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_fault_is_tied_to_its_place() {
        let x = |method: &str, path: &str, status: u16| Exchange {
            method: method.into(),
            url: format!("http://h{path}"),
            status,
            ..Exchange::default()
        };
        let mut throttled = x("GET", "/api/v2/scim/v2/Users?count=1", 429);
        throttled.response_headers = vec![("Retry-After".into(), "3".into())];
        let mut reset = x("GET", "/api/v2/scim/v2/Users", 0);
        reset.extra.insert("_outcome".into(), json!("reset"));
        let s = scenario(&[
            x("GET", "/api/v2/scim/v2/Users", 200),
            throttled,
            x("GET", "/api/v2/scim/v2/Users", 200),
            x("POST", "/api/v2/scim/v2/Users", 503),
            reset,
        ]);
        let rules = s["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 3);
        assert_eq!(rules[0]["name"], "request-2-429");
        assert_eq!(rules[0]["trigger"]["nth"]["n"], 2);
        assert_eq!(rules[0]["then"]["throttle"]["retryAfter"], 3);
        assert_eq!(rules[1]["when"]["method"], "POST");
        assert_eq!(rules[1]["trigger"]["nth"]["n"], 1);
        assert_eq!(rules[2]["then"], "reset");
        assert_eq!(rules[2]["trigger"]["nth"]["n"], 4);
    }
}
