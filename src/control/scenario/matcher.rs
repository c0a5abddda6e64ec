//! Whether a request matches a rule's `when`: globs for paths and values, JSON pointers for
//! bodies.

use serde_json::Value;

use super::rule::{BodyPredicate, When};
use crate::pipeline::context::ApiRequest;

/// What the engine knows about a request when it decides.
#[derive(Debug, Clone)]
pub(crate) struct Probe<'a> {
    pub method: &'a str,
    /// The raw path.
    pub path: &'a str,
    pub route: &'a str,
    pub org: Option<&'a str>,
    pub client: Option<&'a str>,
    pub headers: &'a http::HeaderMap,
    /// Decoded query pairs.
    pub query: &'a [(String, String)],
    /// The body as JSON, when it is JSON.
    pub body: Option<&'a Value>,
}

impl<'a> Probe<'a> {
    /// The probe for a request: everything borrowed from its context, where the query is
    /// decoded and the body parsed at most once per request (a handler reading them later
    /// gets the same values without decoding again).
    pub(crate) fn of(req: &'a ApiRequest) -> Self {
        Self {
            method: req.method.as_str(),
            path: &req.path,
            route: req.route_name,
            org: req.caller.org.as_deref(),
            client: req.caller.client.as_deref(),
            headers: &req.headers,
            query: req.query_pairs(),
            body: req.json().ok(),
        }
    }
}

/// `*` matches any run of characters (including none); everything else is literal.
pub(crate) fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matcher with backtracking to the last star: linear in practice, no recursion.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A path glob: `*` within one segment, `**` for any number of segments.
pub(crate) fn path_glob(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.trim_start_matches('/').split('/').collect();
    let s: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    segments_match(&p, &s)
}

fn segments_match(p: &[&str], s: &[&str]) -> bool {
    // Dynamic programming over (pattern index, segment index): no exponential backtracking.
    let mut reach = vec![vec![false; s.len() + 1]; p.len() + 1];
    reach[0][0] = true;
    for i in 0..p.len() {
        for j in 0..=s.len() {
            if !reach[i][j] {
                continue;
            }
            if p[i] == "**" {
                for r in reach[i + 1].iter_mut().skip(j) {
                    *r = true;
                }
            } else if j < s.len() && wildcard(p[i], s[j]) {
                reach[i + 1][j + 1] = true;
            }
        }
    }
    reach[p.len()][s.len()]
}

impl When {
    /// Whether `probe` passes every field given.
    pub(crate) fn matches(&self, probe: &Probe<'_>) -> bool {
        if let Some(m) = &self.method
            && !m.eq_ignore_ascii_case(probe.method)
        {
            return false;
        }
        if let Some(p) = &self.path
            && !path_glob(p, probe.path)
        {
            return false;
        }
        if let Some(r) = &self.route
            && !wildcard(r, probe.route)
        {
            return false;
        }
        if let Some(o) = &self.org
            && Some(o.as_str()) != probe.org
        {
            return false;
        }
        if let Some(c) = &self.client
            && Some(c.as_str()) != probe.client
        {
            return false;
        }
        for (name, want) in &self.header {
            let ok = probe
                .headers
                .get_all(name.as_str())
                .iter()
                .filter_map(|v| v.to_str().ok())
                .any(|v| wildcard(want, v));
            if !ok {
                return false;
            }
        }
        for (name, want) in &self.query {
            let ok = probe
                .query
                .iter()
                .any(|(k, v)| k.eq_ignore_ascii_case(name) && wildcard(want, v));
            if !ok {
                return false;
            }
        }
        for (pointer, pred) in &self.body {
            let found = probe.body.and_then(|b| b.pointer(pointer));
            if !pred.holds(found) {
                return false;
            }
        }
        true
    }
}

impl BodyPredicate {
    fn holds(&self, found: Option<&Value>) -> bool {
        if let Some(e) = self.exists
            && e != found.is_some()
        {
            return false;
        }
        if let Some(want) = &self.equals
            && found != Some(want)
        {
            return false;
        }
        if let Some(want) = &self.contains {
            let ok = match (found, want) {
                (Some(Value::String(s)), Value::String(w)) => s.contains(w.as_str()),
                (Some(Value::Array(items)), w) => items.contains(w),
                _ => false,
            };
            if !ok {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(wildcard("users.*", "users.patch"));
        assert!(wildcard("*eq*", "userName eq \"a\""));
        assert!(!wildcard("users.*", "groups.get"));
        assert!(path_glob(
            "/api/v2/scim/v2/Users/*",
            "/api/v2/scim/v2/Users/abc"
        ));
        assert!(!path_glob(
            "/api/v2/scim/v2/Users/*",
            "/api/v2/scim/v2/Users/a/b"
        ));
        assert!(path_glob("/api/**", "/api/v2/scim/v2/Users/a"));
        assert!(path_glob("/api/**/Users", "/api/v2/scim/v2/Users"));
        assert!(path_glob("**", "/anything/at/all"));
        assert!(!path_glob("/api/**/Groups", "/api/v2/scim/v2/Users"));
    }

    #[test]
    fn body_predicates() {
        let body = serde_json::json!({"userName": "a@x.org", "tags": ["x"]});
        let p = |json: &str| -> BodyPredicate { serde_json::from_str(json).unwrap() };
        assert!(p(r#"{"contains":"@x"}"#).holds(body.pointer("/userName")));
        assert!(p(r#"{"contains":"x"}"#).holds(body.pointer("/tags")));
        assert!(p(r#"{"exists":false}"#).holds(body.pointer("/nope")));
        assert!(!p(r#"{"equals":"b"}"#).holds(body.pointer("/userName")));
    }
}
