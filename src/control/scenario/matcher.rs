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
    Glob::new(pattern).matches(text, &mut 0)
}

/// A `*` pattern split at its first and last stars. Matching is linear in the pattern and
/// the text (a request's header values and a scenario's patterns both reach hundreds of
/// kilobytes, and the backtracking matcher this replaces took O(n·m) steps: seconds for one
/// request). The text must start with `head` and end with `tail`; the pieces between the
/// stars are then found in order, each at its leftmost place after the one before. Taking
/// the leftmost place is never wrong: it leaves the most text for the pieces after it.
#[derive(Debug, Clone, Copy)]
struct Glob<'p> {
    head: &'p str,
    /// The pieces between the first and last star, separated by stars.
    middle: &'p str,
    tail: &'p str,
    /// No star at all: the text must equal `head`.
    literal: bool,
    /// Bytes any match needs: the pattern without its stars.
    min_len: usize,
}

impl<'p> Glob<'p> {
    fn new(pattern: &'p str) -> Self {
        let min_len = pattern.len() - memchr::memchr_iter(b'*', pattern.as_bytes()).count();
        match pattern.split_once('*') {
            None => Self {
                head: pattern,
                middle: "",
                tail: "",
                literal: true,
                min_len,
            },
            Some((head, rest)) => {
                let (middle, tail) = rest.rsplit_once('*').unwrap_or(("", rest));
                Self {
                    head,
                    middle,
                    tail,
                    literal: false,
                    min_len,
                }
            }
        }
    }

    /// Whether `text` matches, adding to `work` the bytes compared or searched: at most the
    /// text's length plus the pattern's, which the tests hold it to.
    fn matches(&self, text: &str, work: &mut usize) -> bool {
        if text.len() < self.min_len {
            return false;
        }
        if self.literal {
            *work += text.len();
            return text == self.head;
        }
        *work += self.head.len() + self.tail.len();
        if !text.starts_with(self.head) || !text.ends_with(self.tail) {
            return false;
        }
        // Both are character boundaries (a prefix and a suffix), and `min_len` keeps the
        // prefix and the suffix from overlapping.
        let mut rest = &text[self.head.len()..text.len() - self.tail.len()];
        for piece in self.middle.split('*').filter(|p| !p.is_empty()) {
            // Two-Way search in memchr: linear in the haystack whatever the needle.
            match memchr::memmem::find(rest.as_bytes(), piece.as_bytes()) {
                Some(at) => {
                    *work += at + piece.len();
                    // A match of whole characters ends on a character boundary.
                    rest = &rest[at + piece.len()..];
                }
                None => {
                    *work += rest.len() + piece.len();
                    return false;
                }
            }
        }
        true
    }
}

/// A path glob: `*` within one segment, `**` for any number of segments.
pub(crate) fn path_glob(pattern: &str, path: &str) -> bool {
    path_glob_counted(pattern, path, &mut 0)
}

/// [`path_glob`], adding its work to `work`: with the pattern's segments bounded (at load,
/// `rule::MAX_PATH_GLOB_SEGMENTS`), linear in the path. One row of reachable path positions per pattern segment, rolled over, so the memory
/// is the path's segment count, not its product with the pattern's.
fn path_glob_counted(pattern: &str, path: &str, work: &mut usize) -> bool {
    let p: Vec<Option<Glob<'_>>> = pattern
        .trim_start_matches('/')
        .split('/')
        .map(|seg| (seg != "**").then(|| Glob::new(seg)))
        .collect();
    let s: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut reach = vec![false; s.len() + 1];
    reach[0] = true;
    let mut next = vec![false; s.len() + 1];
    for seg in &p {
        next.fill(false);
        let mut any = false;
        for j in 0..=s.len() {
            *work += 1;
            // `**` reaches every position from the first reachable one on.
            any |= reach[j];
            match seg {
                None => next[j] = any,
                Some(glob) => {
                    if reach[j] && j < s.len() && glob.matches(s[j], work) {
                        next[j + 1] = true;
                    }
                }
            }
        }
        std::mem::swap(&mut reach, &mut next);
    }
    reach[s.len()]
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
    use crate::control::scenario::rule::MAX_PATH_GLOB_SEGMENTS;

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

    /// Steps a match may take: the text and the pattern read a small number of times each.
    fn linear(pattern: &str, text: &str) -> usize {
        2 * (pattern.len() + text.len()) + 8
    }

    #[test]
    fn wildcards_do_work_linear_in_pattern_and_text() {
        // Each start position of the old matcher read most of the pattern again: O(n·m).
        let text = "a".repeat(4000);
        for pattern in [
            format!("*{}b", "a".repeat(2000)),
            format!("*{}b*", "a".repeat(2000)),
            format!("{}b", "*a".repeat(2000)),
            format!("*{}*{}b", "a".repeat(1000), "a".repeat(1000)),
        ] {
            let mut work = 0;
            assert!(!Glob::new(&pattern).matches(&text, &mut work));
            assert!(
                work <= linear(&pattern, &text),
                "{work} steps for {} and {} bytes",
                pattern.len(),
                text.len()
            );
        }
        let mut work = 0;
        assert!(Glob::new(&"*a".repeat(2000)).matches(&text, &mut work));
        assert!(work <= linear(&text, &text), "{work}");
    }

    #[test]
    fn path_globs_do_work_linear_in_the_path() {
        let path = format!("/{}", "a/".repeat(20_000));
        let pattern = format!("/{}x", "**/a*/".repeat(MAX_PATH_GLOB_SEGMENTS / 2 - 1));
        let mut work = 0;
        assert!(!path_glob_counted(&pattern, &path, &mut work));
        let bound = MAX_PATH_GLOB_SEGMENTS * 2 * (path.len() + 2);
        assert!(work <= bound, "{work} steps, bound {bound}");
    }

    /// The matcher agrees with the textbook dynamic programme over (pattern, text) positions.
    fn reference(p: &[char], t: &[char]) -> bool {
        let mut reach = vec![vec![false; t.len() + 1]; p.len() + 1];
        reach[0][0] = true;
        for i in 0..p.len() {
            for j in 0..=t.len() {
                if !reach[i][j] {
                    continue;
                }
                if p[i] == '*' {
                    reach[i + 1][j] = true;
                    if j < t.len() {
                        reach[i][j + 1] = true;
                    }
                } else if j < t.len() && p[i] == t[j] {
                    reach[i + 1][j + 1] = true;
                }
            }
        }
        reach[p.len()][t.len()]
    }

    /// Path globs as a full table over (pattern segment, path segment), the matcher before the
    /// rolling rows.
    fn path_reference(pattern: &str, path: &str) -> bool {
        let p: Vec<&str> = pattern.trim_start_matches('/').split('/').collect();
        let s: Vec<&str> = path.trim_start_matches('/').split('/').collect();
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

    proptest::proptest! {
        #[test]
        fn path_globs_match_as_the_reference_does(
            p in "(/(\\*\\*|\\*|a|b\\*|a\\*b)){0,5}",
            t in "(/(a|b|ab|ba|)){0,6}",
        ) {
            proptest::prop_assert_eq!(path_glob(&p, &t), path_reference(&p, &t), "{} {}", p, t);
        }

        #[test]
        fn wildcards_match_as_the_reference_does(p in "[ab*é]{0,8}", t in "[abé]{0,10}") {
            let pc: Vec<char> = p.chars().collect();
            let tc: Vec<char> = t.chars().collect();
            proptest::prop_assert_eq!(wildcard(&p, &t), reference(&pc, &tc), "{} {}", p, t);
        }
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
