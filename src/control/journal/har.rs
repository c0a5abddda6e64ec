//! HAR 1.2 (the HTTP Archive format browsers' developer tools, Postman and proxies read and
//! write): the journal's entries as a HAR log (`GET /__admin/requests?format=har`,
//! `exec --har`), and the exchanges `record` captures (`session.har`), which `parity` reads
//! back. One writer and one reader, so what the mock exports and what `parity` replays are the
//! same shape.
//!
//! Fields the format has no place for go in `_`-prefixed keys, which HAR allows for custom
//! data: `_route`, `_scenario`, `_rule`, `_fault`, and `_outcome` (`reset`, `timeout`: the
//! exchange ended without an answer, and `status` is 0).

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::entry::Entry;

/// The HAR version written.
pub(crate) const VERSION: &str = "1.2";

/// One exchange in the form both writers fill in and the reader gives back.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Exchange {
    pub started: DateTime<Utc>,
    pub time_ms: f64,
    pub method: String,
    /// The full URL as the client sent it (scheme, host, path, query).
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    /// 0 when no status line was received (see `outcome`).
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<String>,
    /// The `_`-prefixed keys of the entry (`_route`, `_outcome`, ...).
    pub extra: Map<String, Value>,
}

impl Exchange {
    /// The value of a request header, matched without regard to case.
    pub(crate) fn request_header(&self, name: &str) -> Option<&str> {
        find(&self.request_headers, name)
    }

    /// The value of a response header, matched without regard to case.
    pub(crate) fn response_header(&self, name: &str) -> Option<&str> {
        find(&self.response_headers, name)
    }

    /// The path and query of the URL (`/api/v2/scim/v2/Users?filter=...`).
    pub(crate) fn path_and_query(&self) -> &str {
        let after_scheme = self
            .url
            .split_once("://")
            .map_or(self.url.as_str(), |x| x.1);
        after_scheme.find('/').map_or("/", |at| &after_scheme[at..])
    }

    /// A custom string field (`_outcome`, `_route`, ...), without its underscore.
    pub(crate) fn extra_str(&self, name: &str) -> Option<&str> {
        self.extra.get(&format!("_{name}")).and_then(Value::as_str)
    }
}

fn find<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The exchange of one journal entry. `origin` is `http://host:port` of the server, since the
/// journal keeps only the path. The journal holds no response headers beyond `Retry-After`;
/// the content type is inferred from the body.
pub(crate) fn from_entry(e: &Entry, origin: &str) -> Exchange {
    let url = match &e.query {
        Some(q) => format!("{origin}{}?{q}", e.path),
        None => format!("{origin}{}", e.path),
    };
    let mut response_headers = vec![("ININ-Correlation-Id".to_owned(), e.correlation_id.clone())];
    if let Some(r) = &e.retry_after {
        response_headers.push(("Retry-After".to_owned(), r.clone()));
    }
    let body = e.body.as_str();
    let mut extra = Map::new();
    extra.insert("_seq".into(), json!(e.seq));
    extra.insert("_route".into(), json!(e.route));
    for (k, v) in [
        ("_org", e.org.as_deref()),
        ("_client", e.client.as_deref()),
        ("_token", e.token.as_deref()),
        ("_scenario", e.scenario.as_deref()),
        ("_rule", e.rule.as_deref()),
        ("_fault", e.fault),
    ] {
        if let Some(v) = v {
            extra.insert(k.into(), json!(v));
        }
    }
    if e.body_truncated || e.response_body_truncated {
        extra.insert("_truncated".into(), json!(true));
    }
    Exchange {
        started: e.timestamp,
        time_ms: e.duration_ms,
        method: e.method.as_str().to_owned(),
        url,
        request_headers: e
            .headers
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect(),
        request_body: (!body.is_empty()).then(|| body.into_owned()),
        status: e.status,
        response_headers,
        response_body: e.response_body.as_ref().map(|t| t.as_str().into_owned()),
        extra,
    }
}

/// A complete HAR document around `entries` (already written by [`entry`]).
pub(crate) fn log(entries: Vec<Value>) -> Value {
    let mut head = head();
    head["log"]["entries"] = Value::Array(entries);
    head
}

/// The document without entries: `{"log": {"version", "creator", "entries": []}}`.
pub(crate) fn head() -> Value {
    json!({ "log": {
        "version": VERSION,
        "creator": { "name": "genesys-scim-mock", "version": env!("CARGO_PKG_VERSION") },
        "entries": [],
    }})
}

/// One HAR entry.
pub(crate) fn entry(x: &Exchange) -> Value {
    let query: Vec<Value> = x
        .path_and_query()
        .split_once('?')
        .map(|(_, q)| {
            form_urlencoded::parse(q.as_bytes())
                .map(|(n, v)| json!({ "name": n, "value": v }))
                .collect()
        })
        .unwrap_or_default();
    let mut request = json!({
        "method": x.method,
        "url": x.url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": pairs(&x.request_headers),
        "queryString": query,
        "headersSize": -1,
        "bodySize": x.request_body.as_ref().map_or(0, |b| b.len() as i64),
    });
    if let Some(body) = &x.request_body {
        let mime = x
            .request_header("content-type")
            .unwrap_or("application/json")
            .to_owned();
        request["postData"] = json!({ "mimeType": mime, "text": body });
    }
    let text = x.response_body.as_deref().unwrap_or("");
    let mime = x
        .response_header("content-type")
        .map(str::to_owned)
        .unwrap_or_else(|| sniff(text).to_owned());
    let mut content = json!({ "size": text.len(), "mimeType": mime });
    if x.response_body.is_some() {
        content["text"] = json!(text);
    }
    let response = json!({
        "status": x.status,
        "statusText": http::StatusCode::from_u16(x.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or(""),
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": pairs(&x.response_headers),
        "content": content,
        "redirectURL": x.response_header("location").unwrap_or(""),
        "headersSize": -1,
        "bodySize": x.response_body.as_ref().map_or(-1, |b| b.len() as i64),
    });
    let time = if x.time_ms.is_finite() && x.time_ms >= 0.0 {
        x.time_ms
    } else {
        0.0
    };
    let mut out = json!({
        "startedDateTime": x.started.to_rfc3339_opts(SecondsFormat::Millis, true),
        "time": time,
        "request": request,
        "response": response,
        "cache": {},
        "timings": { "send": 0, "wait": time, "receive": 0 },
    });
    if let Some(o) = out.as_object_mut() {
        for (k, v) in &x.extra {
            o.insert(k.clone(), v.clone());
        }
    }
    out
}

fn pairs(headers: &[(String, String)]) -> Vec<Value> {
    headers
        .iter()
        .map(|(n, v)| json!({ "name": n, "value": v }))
        .collect()
}

/// The content type of a body the journal kept without its headers.
fn sniff(text: &str) -> &'static str {
    match text.trim_start().as_bytes().first() {
        Some(b'{' | b'[') => "application/json",
        Some(_) => "text/plain",
        None => "",
    }
}

/// Reads the exchanges of a HAR document, in order. Errors name the entry and field.
pub(crate) fn read(doc: &Value) -> Result<Vec<Exchange>, String> {
    let entries = doc
        .pointer("/log/entries")
        .and_then(Value::as_array)
        .ok_or("not a HAR document: no log.entries array")?;
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| read_entry(e).map_err(|m| format!("log.entries[{i}]: {m}")))
        .collect()
}

fn read_entry(e: &Value) -> Result<Exchange, String> {
    let text = |p: &str| -> Result<String, String> {
        e.pointer(p)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("{} is missing or not a string", p.trim_start_matches('/')))
    };
    let headers = |p: &str| -> Vec<(String, String)> {
        e.pointer(p)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|h| {
                        Some((
                            h.get("name")?.as_str()?.to_owned(),
                            h.get("value")?.as_str()?.to_owned(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let started = DateTime::parse_from_rfc3339(&text("/startedDateTime")?)
        .map_err(|err| format!("startedDateTime: {err}"))?
        .with_timezone(&Utc);
    let status = e
        .pointer("/response/status")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
        .ok_or("response.status is missing or not a status code")?;
    let extra = e
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| k.starts_with('_'))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    Ok(Exchange {
        started,
        time_ms: e.get("time").and_then(Value::as_f64).unwrap_or(0.0),
        method: text("/request/method")?,
        url: text("/request/url")?,
        request_headers: headers("/request/headers"),
        request_body: e
            .pointer("/request/postData/text")
            .and_then(Value::as_str)
            .map(str::to_owned),
        status,
        response_headers: headers("/response/headers"),
        response_body: e
            .pointer("/response/content/text")
            .and_then(Value::as_str)
            .map(str::to_owned),
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Exchange {
        let mut extra = Map::new();
        extra.insert("_route".into(), json!("users.list"));
        Exchange {
            started: DateTime::parse_from_rfc3339("2026-01-02T03:04:05.678Z")
                .unwrap()
                .with_timezone(&Utc),
            time_ms: 12.5,
            method: "GET".into(),
            url: "http://127.0.0.1:9/api/v2/scim/v2/Users?filter=userName%20eq%20%22a%22&count=2"
                .into(),
            request_headers: vec![("Accept".into(), "application/scim+json".into())],
            request_body: None,
            status: 429,
            response_headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Retry-After".into(), "3".into()),
            ],
            response_body: Some("{\"message\":\"slow down\"}".into()),
            extra,
        }
    }

    #[test]
    fn an_exchange_survives_writing_and_reading() {
        let x = sample();
        let doc = log(vec![entry(&x)]);
        assert_eq!(doc["log"]["version"], "1.2");
        assert_eq!(
            doc["log"]["entries"][0]["request"]["queryString"][0],
            json!({"name": "filter", "value": "userName eq \"a\""})
        );
        assert_eq!(
            doc["log"]["entries"][0]["response"]["statusText"],
            "Too Many Requests"
        );
        let back = read(&doc).unwrap();
        assert_eq!(back, vec![x]);
        assert_eq!(
            back[0].path_and_query(),
            "/api/v2/scim/v2/Users?filter=userName%20eq%20%22a%22&count=2"
        );
        assert_eq!(back[0].response_header("retry-after"), Some("3"));
        assert_eq!(back[0].extra_str("route"), Some("users.list"));
    }

    #[test]
    fn a_bad_document_names_the_entry_and_field() {
        assert!(read(&json!({})).unwrap_err().contains("log.entries"));
        let mut doc = log(vec![entry(&sample())]);
        doc["log"]["entries"][0]["response"]["status"] = json!("x");
        assert!(
            read(&doc)
                .unwrap_err()
                .starts_with("log.entries[0]: response.status")
        );
    }
}
