//! One recorded answer against its replay: status, the headers a client reads, and the JSON
//! body path by path, after the volatile values are normalised.
//!
//! Normalised before comparing (both sides): ids the session created, mapped recorded →
//! replayed; URLs reduced to their path (the recording's host is not the replay's);
//! timestamps, `meta.version`, tokens (`access_token`) and correlation ids (`contextId`,
//! `correlationId`) compared by shape only; two UUIDs neither of which names a resource the
//! replay knows compared by shape (error ids, request ids). Arrays of `{value: ...}` objects
//! (members, roles, emails) compare unordered; other arrays, `Resources` among them, in order.
//! What remains can be skipped by the bundle's ignore list (a JSON pointer and a route, `*`
//! allowed in both).

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::control::journal::har::Exchange;

/// One difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Finding {
    /// The request's place in the session, from 1.
    pub request: usize,
    pub method: String,
    pub path: String,
    pub route: String,
    /// `status`, `header:<name>`, or `body` followed by a JSON pointer (`body/meta/version`).
    pub field: String,
    pub recorded: Value,
    pub replayed: Value,
    /// The compatibility switch (`NAME=VALUE`) whose replay does not show this difference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub switch: Option<String>,
}

impl Finding {
    /// What identifies a difference across replays (its values may change).
    pub(crate) fn key(&self) -> (usize, String) {
        (self.request, self.field.clone())
    }
}

/// One entry of the bundle's ignore list.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Ignore {
    /// A JSON pointer into the body (`/meta/lastModified`), `*` matching any characters; or
    /// `status`, or `header:<name>`.
    pub path: String,
    /// A route name (`users.get`, `groups.*`); every route when absent.
    #[serde(default)]
    pub route: Option<String>,
}

/// The ignore file: `{"ignore": [...]}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct IgnoreFile {
    #[serde(default)]
    pub ignore: Vec<Ignore>,
}

/// What the replay answered.
#[derive(Debug, Clone, Default)]
pub(crate) struct Replayed {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// `reset`, `timeout`, `unreachable`: no answer.
    pub outcome: Option<&'static str>,
}

impl Replayed {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What comparing needs besides the two answers.
#[derive(Debug, Default)]
pub(crate) struct Context {
    /// Recorded id → replayed id, for resources the session created.
    pub ids: HashMap<String, String>,
    /// Every id the replayed server is known to hold (the fixture's and the created ones).
    pub known: BTreeSet<String>,
    pub ignore: Vec<Ignore>,
}

/// `*` matches any run of characters; everything else literally.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

/// Compares one exchange; `request` is its place (from 1).
pub(crate) fn compare(
    request: usize,
    route: &str,
    x: &Exchange,
    r: &Replayed,
    ctx: &Context,
) -> Vec<Finding> {
    let path = x.path_and_query().to_owned();
    let mut out = Vec::new();
    let mut push = |field: String, recorded: Value, replayed: Value| {
        let ignored = ctx.ignore.iter().any(|i| {
            i.route.as_deref().is_none_or(|p| glob(p, route))
                && (glob(&i.path, field.strip_prefix("body").unwrap_or(&field))
                    || glob(&i.path, &field))
        });
        if !ignored {
            out.push(Finding {
                request,
                method: x.method.clone(),
                path: path.clone(),
                route: route.to_owned(),
                field,
                recorded,
                replayed,
                switch: None,
            });
        }
    };
    let recorded_outcome = x.extra_str("outcome");
    match (recorded_outcome, r.outcome) {
        (Some("timeout"), Some("timeout")) | (Some("reset"), Some("reset")) => return out,
        (Some("timeout"), None) if r.status == 504 => return out,
        (Some(a), Some(b)) if a == b => return out,
        (a, b) if a.is_some() || b.is_some() => {
            let show = |o: Option<&str>, s: u16| o.map_or(json!(s), |o| json!(o));
            push("status".into(), show(a, x.status), show(b, r.status));
            return out;
        }
        _ => {}
    }
    if x.status != r.status {
        push("status".into(), json!(x.status), json!(r.status));
    }
    for name in [
        "content-type",
        "location",
        "retry-after",
        "etag",
        "inin-correlation-id",
    ] {
        let a = x.response_header(name).map(|v| header_value(name, v, ctx));
        let b = r.header(name).map(|v| header_value(name, v, ctx));
        if a != b {
            push(format!("header:{name}"), json!(a), json!(b));
        }
    }
    let parse = |b: Option<&str>| b.and_then(|t| serde_json::from_str::<Value>(t).ok());
    match (parse(x.response_body.as_deref()), parse(r.body.as_deref())) {
        (Some(mut a), Some(mut b)) => {
            normalise(&mut a, None, ctx, true);
            normalise(&mut b, None, ctx, false);
            diff("", &a, &b, &mut |p, a, b| push(format!("body{p}"), a, b));
        }
        (None, None) => {}
        (a, b) => {
            if x.response_body.as_deref().unwrap_or("").trim()
                != r.body.as_deref().unwrap_or("").trim()
            {
                push(
                    "body".into(),
                    a.unwrap_or_else(|| json!(x.response_body)),
                    b.unwrap_or_else(|| json!(r.body)),
                );
            }
        }
    }
    out
}

/// A header as compared: the content type's essence, a location's path with ids mapped, an
/// ETag and a correlation id by presence, anything else as sent.
fn header_value(name: &str, v: &str, ctx: &Context) -> String {
    match name {
        "content-type" => v
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
        "location" => map_ids(strip_origin(v), ctx),
        "etag" | "inin-correlation-id" => "<present>".into(),
        _ => v.trim().to_owned(),
    }
}

/// `https://host:port/a/b` → `/a/b`; anything else unchanged.
fn strip_origin(s: &str) -> &str {
    for scheme in ["http://", "https://"] {
        if let Some(rest) = s.strip_prefix(scheme) {
            return rest.find('/').map_or("/", |at| &rest[at..]);
        }
    }
    s
}

fn map_ids(s: &str, ctx: &Context) -> String {
    let mut out = s.to_owned();
    for (from, to) in &ctx.ids {
        if out.contains(from.as_str()) {
            out = out.replace(from.as_str(), to);
        }
    }
    out
}

fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 16
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Replaces volatile values by their shape. `recorded` maps created ids on that side.
fn normalise(v: &mut Value, key: Option<&str>, ctx: &Context, recorded: bool) {
    match v {
        Value::String(s) => {
            let k = key.unwrap_or("");
            if k == "access_token" {
                *s = "<token>".into();
            } else if k.eq_ignore_ascii_case("contextId") || k.eq_ignore_ascii_case("correlationId")
            {
                *s = "<correlation-id>".into();
            } else if is_timestamp(s) {
                *s = "<timestamp>".into();
            } else {
                let mut t = strip_origin(s).to_owned();
                if recorded {
                    t = map_ids(&t, ctx);
                }
                if is_uuid(&t) && !ctx.known.contains(&t) {
                    t = "<unknown-uuid>".into();
                }
                *s = t;
            }
        }
        Value::Object(m) => {
            for (k, c) in m.iter_mut() {
                if k == "meta"
                    && let Some(ver) = c.get_mut("version")
                {
                    *ver = json!("<version>");
                }
                normalise(c, Some(k), ctx, recorded);
            }
        }
        Value::Array(a) => {
            for c in a.iter_mut() {
                normalise(c, key, ctx, recorded);
            }
            if a.iter().all(|c| c.get("value").is_some()) {
                a.sort_by_key(|c| c["value"].to_string());
            }
        }
        _ => {}
    }
}

/// Calls `found` for every JSON pointer where `a` and `b` differ (a key on one side only
/// included, its other side `null`... shown as the string `<absent>`).
fn diff(at: &str, a: &Value, b: &Value, found: &mut impl FnMut(String, Value, Value)) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                match y.get(k) {
                    Some(vb) => diff(&p, va, vb, found),
                    None => found(p, va.clone(), json!("<absent>")),
                }
            }
            for (k, vb) in y {
                if !x.contains_key(k) {
                    let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                    found(p, json!("<absent>"), vb.clone());
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                diff(&format!("{at}/{i}"), va, vb, found);
            }
        }
        (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64() => {}
        _ if a == b => {}
        _ => found(at.to_owned(), a.clone(), b.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(status: u16, body: &str) -> Exchange {
        Exchange {
            method: "GET".into(),
            url: "https://api.example/api/v2/scim/v2/Users/u1".into(),
            status,
            response_headers: vec![(
                "Content-Type".into(),
                "application/scim+json; charset=utf-8".into(),
            )],
            response_body: Some(body.into()),
            ..Exchange::default()
        }
    }

    #[test]
    fn volatile_values_are_compared_by_shape_and_real_differences_are_named() {
        let mut ctx = Context::default();
        ctx.ids.insert(
            "11111111-1111-4111-8111-111111111111".into(),
            "22222222-2222-4222-8222-222222222222".into(),
        );
        ctx.known
            .insert("22222222-2222-4222-8222-222222222222".into());
        let x = exchange(
            200,
            r#"{"id":"11111111-1111-4111-8111-111111111111","title":"A","meta":{"version":"3","lastModified":"2026-01-01T00:00:00Z","location":"https://api.example/x"},"members":[{"value":"b"},{"value":"a"}]}"#,
        );
        let r = Replayed {
            status: 200,
            headers: vec![("content-type".into(), "application/scim+json".into())],
            body: Some(
                r#"{"id":"22222222-2222-4222-8222-222222222222","title":"B","meta":{"version":"9","lastModified":"2027-02-02T00:00:00Z","location":"http://127.0.0.1:1/x"},"members":[{"value":"a"},{"value":"b"}],"extra":1}"#
                    .into(),
            ),
            outcome: None,
        };
        let found = compare(3, "users.get", &x, &r, &ctx);
        let fields: Vec<&str> = found.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["body/title", "body/extra"]);
        assert_eq!(found[0].recorded, "A");
        assert_eq!(found[0].replayed, "B");
        ctx.ignore.push(Ignore {
            path: "/ti*".into(),
            route: Some("users.*".into()),
        });
        let found = compare(3, "users.get", &x, &r, &ctx);
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn a_status_and_an_outcome_are_differences() {
        let x = exchange(409, "{}");
        let r = Replayed {
            status: 400,
            body: Some("{}".into()),
            ..Replayed::default()
        };
        let f = compare(1, "users.patch", &x, &r, &Context::default());
        assert_eq!(f[0].field, "status");
        assert_eq!(
            (f[0].recorded.clone(), f[0].replayed.clone()),
            (json!(409), json!(400))
        );
        let r = Replayed {
            outcome: Some("reset"),
            ..Replayed::default()
        };
        assert_eq!(
            compare(1, "x", &x, &r, &Context::default())[0].replayed,
            "reset"
        );
        assert!(glob("users.*", "users.get") && !glob("users.*", "groups.get"));
    }
}
