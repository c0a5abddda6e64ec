//! What the journal never stores in clear: credentials in headers, form fields, query
//! parameters and JSON bodies, and the bearer token itself ([`token_fingerprint`]).
//!
//! One list of names (`--journal-redact`, [`DEFAULT_NAMES`] unless set) is matched, without
//! regard to case, against header names, `application/x-www-form-urlencoded` field names (form
//! bodies and query strings) and JSON object keys at any depth. A matching value becomes
//! [`REDACTED`]; everything else is kept byte for byte, so a report reading the journal sees
//! what the client sent, minus the secrets.
//!
//! JSON is redacted by scanning its text rather than parsing and re-printing it: formatting,
//! key order and duplicate keys survive, and a body that is not valid JSON (or was cut) is
//! still scanned, so a secret cannot leak through a syntax error.
//!
//! A SCIM PATCH operation names its attribute in `path` and carries the secret under
//! `value` (`{"op": "replace", "path": "password", "value": "..."}`): an object whose `path`
//! names a covered attribute has its `value` replaced too. Form fields are separated by `&`,
//! `;` (which some clients send, and some servers read) or a line break.

use std::borrow::Cow;

/// A short, stable-within-a-run fingerprint of a bearer token (`tok-` and 12 hex digits of a
/// 64-bit hash). It tells tokens apart in the journal and in reports without revealing them:
/// the token cannot be recovered from it.
pub(crate) fn token_fingerprint(token: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    token.hash(&mut h);
    // Written digit by digit: `format!` cost more than the hash (every request has a token).
    let bits = h.finish();
    let mut out = String::with_capacity(16);
    out.push_str("tok-");
    for shift in (0..48).step_by(4).rev() {
        out.push(char::from(
            b"0123456789abcdef"[(bits >> shift) as usize & 0xf],
        ));
    }
    out
}

/// What a redacted value is replaced with.
pub(crate) const REDACTED: &str = "<redacted>";

/// The default list: the bearer and Basic credentials, cookies, proxy and API-key headers,
/// the OAuth form secret, the token in `/oauth/token` answers, and the SCIM `password`.
pub(crate) const DEFAULT_NAMES: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "client_secret",
    "access_token",
    "password",
];

/// The names to redact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redaction {
    names: Vec<String>,
    /// Bit `n` is set when a name is `n` bytes long (bit 63: 63 or more), so most keys are
    /// ruled out by their length alone.
    lengths: u64,
}

impl Default for Redaction {
    fn default() -> Self {
        Self::new(DEFAULT_NAMES.iter().copied())
    }
}

impl Redaction {
    /// Redacts exactly `names` (none: nothing is redacted).
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let names: Vec<String> = names
            .into_iter()
            .map(|n| n.trim().to_ascii_lowercase())
            .filter(|n| !n.is_empty())
            .collect();
        let lengths = names.iter().fold(0, |m, n| m | length_bit(n.len()));
        Self { names, lengths }
    }

    /// The names, lower case.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Whether a header, field or key called `name` is redacted. Most names are ruled out by
    /// their length alone (every header of every request, every key of an own document's
    /// list is asked).
    pub(crate) fn covers(&self, name: &str) -> bool {
        self.lengths & length_bit(name.len()) != 0
            && self.names.iter().any(|n| n.eq_ignore_ascii_case(name))
    }

    /// Whether any of `keys` is redacted: what the journal asks of every own document's key
    /// list (some fifty keys).
    pub(crate) fn covers_any(&self, keys: &[&str]) -> bool {
        keys.iter().any(|k| self.covers(k))
    }

    /// A body as stored: JSON keys redacted if it looks like JSON, form fields if it looks
    /// like a form, unchanged otherwise. Borrowed when nothing is redacted, which is almost
    /// every body: the journal then keeps the text it has without another copy.
    pub(crate) fn body<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if self.names.is_empty() {
            return Cow::Borrowed(text);
        }
        match text.trim_start().as_bytes().first() {
            Some(b'{' | b'[') => self.json(text),
            Some(_) if text.contains('=') => self.form(text),
            _ => Cow::Borrowed(text),
        }
    }

    /// `a=1&client_secret=s` with the values of covered fields replaced (query strings too).
    /// Fields are separated by `&`, `;` or a line break; a key is matched without the white
    /// space around it.
    pub(crate) fn form<'t>(&self, text: &'t str) -> Cow<'t, str> {
        const SEPARATORS: [char; 4] = ['&', ';', '\n', '\r'];
        let covered = |pair: &str| {
            pair.split_once('=')
                .is_some_and(|(key, _)| self.covers(decode_form_key(key).trim()))
        };
        if self.names.is_empty() || !text.split(SEPARATORS).any(covered) {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut start = 0;
        let ends = text
            .match_indices(SEPARATORS)
            .chain(std::iter::once((text.len(), "")));
        for (end, separator) in ends {
            let pair = &text[start..end];
            match pair.split_once('=') {
                Some((key, _)) if covered(pair) => {
                    out.push_str(key);
                    out.push('=');
                    out.push_str(REDACTED);
                }
                _ => out.push_str(pair),
            }
            out.push_str(separator);
            start = end + separator.len();
        }
        Cow::Owned(out)
    }

    /// JSON text with the value of every covered key replaced by `"<redacted>"`. Only the
    /// value is touched; a value that is an object or array is replaced whole. One `memchr`
    /// pass finds every quote and backslash, and a string is compared only when a `:` follows
    /// it and its length is a listed name's (or it has escapes), so a body with nothing to
    /// hide costs that pass and no allocation.
    pub(crate) fn json<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let bytes = text.as_bytes();
        let keys = self.keys_of(bytes);
        if !keys.named && !keys.path {
            return Cow::Borrowed(text);
        }
        let text = if keys.path {
            self.patch_values(text)
        } else {
            Cow::Borrowed(text)
        };
        match text {
            Cow::Borrowed(t) if keys.named => self.named_values(t),
            Cow::Borrowed(t) => Cow::Borrowed(t),
            Cow::Owned(o) => Cow::Owned(self.named_values(&o).into_owned()),
        }
    }

    /// JSON text with the value of every covered key replaced (the scan [`Redaction::json`]
    /// describes).
    fn named_values<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let bytes = text.as_bytes();
        let mut out: Option<String> = None;
        let mut copied = 0;
        // Where the open string started, and the first byte not yet consumed by an escape or
        // a replaced value.
        let mut open: Option<usize> = None;
        let mut next = 0;
        for at in memchr::memchr2_iter(b'"', b'\\', bytes) {
            if at < next {
                continue;
            }
            match (bytes[at], open) {
                (b'\\', Some(_)) => next = at + 2,
                (b'\\', None) => {}
                (_, None) => open = Some(at),
                (_, Some(start)) => {
                    open = None;
                    let after = skip_ws(bytes, at + 1);
                    if bytes.get(after) != Some(&b':') || !self.covers_key(&text[start + 1..at]) {
                        continue;
                    }
                    let from = skip_ws(bytes, after + 1);
                    let stop = value_end(bytes, from);
                    let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
                    o.push_str(&text[copied..from]);
                    o.push('"');
                    o.push_str(REDACTED);
                    o.push('"');
                    copied = stop;
                    next = stop;
                }
            }
        }
        match out {
            None => Cow::Borrowed(text),
            Some(mut o) => {
                o.push_str(&text[copied..]);
                Cow::Owned(o)
            }
        }
    }

    /// Which keys JSON text may have, decided from its colons alone: what almost every body
    /// (the mock's own answers, a 60 KB page among them) takes instead of the string-by-string
    /// scan. Without a backslash no string holds a quote, so a key is exactly a `"…"` that a
    /// colon follows (after white space), and its text runs back to the previous quote. A
    /// colon inside a string can be taken for a key's too (`" :x"`), which only sends the text
    /// to the full scan; a real key is never missed.
    fn keys_of(&self, bytes: &[u8]) -> KeysSeen {
        let mut seen = KeysSeen::default();
        if memchr::memchr(b'\\', bytes).is_some() {
            return KeysSeen {
                named: true,
                path: true,
            };
        }
        for colon in memchr::memchr_iter(b':', bytes) {
            let mut end = colon;
            while end > 0 && bytes[end - 1].is_ascii_whitespace() {
                end -= 1;
            }
            if end == 0 || bytes[end - 1] != b'"' {
                continue;
            }
            let close = end - 1;
            let open = memchr::memrchr(b'"', &bytes[..close]).map_or(0, |q| q + 1);
            let key = &bytes[open..close];
            seen.path |= key.eq_ignore_ascii_case(b"path");
            seen.named |= self.lengths & length_bit(key.len()) != 0
                && self
                    .names
                    .iter()
                    .any(|n| n.as_bytes().eq_ignore_ascii_case(key));
            if seen.named && seen.path {
                break;
            }
        }
        seen
    }

    /// JSON text with the `value` of every object whose `path` (any case) names a covered
    /// attribute replaced: a PATCH operation's. One pass over the structure; a value is
    /// skipped whole (a `path` inside it is not its operation's), and an object the text cuts
    /// off is judged on what it holds.
    fn patch_values<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let bytes = text.as_bytes();
        let mut spans = Vec::new();
        // Per open bracket: an object's operation, `None` for an array.
        let mut open: Vec<Option<Operation>> = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'{' => {
                    open.push(Some(Operation::default()));
                    i += 1;
                }
                b'[' => {
                    open.push(None);
                    i += 1;
                }
                b'}' | b']' => {
                    if let Some(Some(Operation {
                        covered: true,
                        value: Some(span),
                    })) = open.pop()
                    {
                        spans.push(span);
                    }
                    i += 1;
                }
                b'"' => {
                    let end = string_end(bytes, i);
                    let after = skip_ws(bytes, end);
                    let object = match open.last_mut() {
                        Some(Some(o)) if bytes.get(after) == Some(&b':') => o,
                        _ => {
                            i = end;
                            continue;
                        }
                    };
                    let key = key_text(string_text(text, i, end));
                    let from = skip_ws(bytes, after + 1);
                    if key.eq_ignore_ascii_case("value") {
                        let stop = value_end(bytes, from);
                        object.value = Some((from, stop));
                        i = stop;
                    } else if key.eq_ignore_ascii_case("path") && bytes.get(from) == Some(&b'"') {
                        let stop = string_end(bytes, from);
                        object.covered |=
                            self.covers_path(&key_text(string_text(text, from, stop)));
                        i = stop;
                    } else {
                        i = from;
                    }
                }
                _ => i += 1,
            }
        }
        // Objects the text cut off.
        spans.extend(
            open.into_iter()
                .flatten()
                .filter_map(|o| o.value.filter(|_| o.covered)),
        );
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        spans.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        for (from, stop) in spans {
            out.push_str(&text[copied..from]);
            out.push('"');
            out.push_str(REDACTED);
            out.push('"');
            copied = stop;
        }
        out.push_str(&text[copied..]);
        Cow::Owned(out)
    }

    /// Whether a PATCH path names a covered attribute: any of its names (`password`,
    /// `urn:...:User:password`, `x.password`, a name inside a value filter) is.
    fn covers_path(&self, path: &str) -> bool {
        path.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .any(|name| !name.is_empty() && self.covers(name))
    }

    /// Whether a JSON key, as written between its quotes, is covered once unescaped.
    fn covers_key(&self, raw: &str) -> bool {
        if raw.contains('\\') {
            return self.covers(&unescape(raw));
        }
        // Without escapes the key is its own text: compare only keys of a listed length.
        self.names.iter().any(|n| n.len() == raw.len()) && self.covers(raw)
    }
}

/// What [`Redaction::patch_values`] knows of an open object: whether its `path` names a
/// covered attribute, and where its `value` is.
#[derive(Debug, Default, Clone, Copy)]
struct Operation {
    covered: bool,
    value: Option<(usize, usize)>,
}

/// Which keys [`Redaction::keys_of`] found: a covered one, and `path`.
#[derive(Debug, Default, Clone, Copy)]
struct KeysSeen {
    named: bool,
    path: bool,
}

/// The text between the quotes of the string from `start` (its `"`) to `end` (just past it,
/// or the end of a text that cuts it off).
fn string_text(text: &str, start: usize, end: usize) -> &str {
    let bytes = text.as_bytes();
    let close = if end > start + 1 && bytes[end - 1] == b'"' {
        end - 1
    } else {
        end
    };
    &text[start + 1..close]
}

/// A JSON string's text between its quotes, escapes decoded.
fn key_text(raw: &str) -> Cow<'_, str> {
    if raw.contains('\\') {
        Cow::Owned(unescape(raw))
    } else {
        Cow::Borrowed(raw)
    }
}

/// The index just past the string starting at `start` (a `"`), or the end of the text if it
/// is unterminated.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The bit of [`Redaction::lengths`] for a name or key of `len` bytes.
fn length_bit(len: usize) -> u64 {
    1 << len.min(63)
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The index just past the JSON value starting at `start`: a string, a bracketed value
/// (nesting counted, strings skipped), or a bare literal up to the next `,`, `}` or `]`.
/// Unterminated values run to the end, so a cut body hides the rest of the secret.
fn value_end(bytes: &[u8], start: usize) -> usize {
    match bytes.get(start) {
        None => start,
        Some(b'"') => string_end(bytes, start),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut i = start;
            while i < bytes.len() {
                match bytes[i] {
                    b'"' => {
                        i = string_end(bytes, i);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            bytes.len()
        }
        Some(_) => {
            let mut i = start;
            while i < bytes.len() && !matches!(bytes[i], b',' | b'}' | b']') {
                i += 1;
            }
            i
        }
    }
}

/// A JSON key's text, for matching: the common escapes decoded; others kept as written.
fn unescape(raw: &str) -> String {
    serde_json::from_str::<String>(&format!("\"{raw}\"")).unwrap_or_else(|_| raw.to_owned())
}

fn decode_form_key(key: &str) -> String {
    form_urlencoded::parse(key.as_bytes())
        .next()
        .map(|(k, _)| k.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_values_of_listed_keys_are_replaced_and_the_rest_kept_as_sent() {
        let r = Redaction::default();
        let text = r#"{"userName": "ada", "Password" :"s3cr\"et", "n": {"access_token": "t"},
            "list": [{"password": {"nested": ["x"]}}], "x_api": 1}"#;
        let out = r.json(text);
        assert_eq!(
            out,
            r#"{"userName": "ada", "Password" :"<redacted>", "n": {"access_token": "<redacted>"},
            "list": [{"password": "<redacted>"}], "x_api": 1}"#
        );
    }

    #[test]
    fn escaped_keys_and_cut_bodies_do_not_leak() {
        let r = Redaction::default();
        assert_eq!(
            r.json(r#"{"pass\u0077ord": "s"}"#),
            r#"{"pass\u0077ord": "<redacted>"}"#
        );
        assert_eq!(
            r.json(r#"{"a": 1, "password": "half-a-sec"#),
            r#"{"a": 1, "password": "<redacted>""#
        );
        assert_eq!(
            r.json(r#"{"password": 12345}"#),
            r#"{"password": "<redacted>"}"#
        );
        // A value that merely equals a listed name is not a key.
        assert_eq!(r.json(r#"["password"]"#), r#"["password"]"#);
    }

    #[test]
    fn a_patch_value_beside_a_covered_path_is_replaced() {
        let r = Redaction::default();
        assert_eq!(
            r.json(r#"{"Operations":[{"op":"replace","path":"password","value":"s1"}]}"#),
            r#"{"Operations":[{"op":"replace","path":"password","value":"<redacted>"}]}"#
        );
        // Before the path, in any case, with a schema URN, as an object.
        assert_eq!(
            r.json(r#"[{"Value": {"x": ["s2"]}, "PATH" : "urn:ietf:params:scim:schemas:core:2.0:User:Password"}]"#),
            r#"[{"Value": "<redacted>", "PATH" : "urn:ietf:params:scim:schemas:core:2.0:User:Password"}]"#
        );
        // Only the value of that operation; a value that merely equals a listed name is kept.
        let text = r#"[{"path":"title","value":"password"},{"path":"password","value":"s3"},{"path":"name.givenName","value":"x"}]"#;
        assert_eq!(
            r.json(text),
            r#"[{"path":"title","value":"password"},{"path":"password","value":"<redacted>"},{"path":"name.givenName","value":"x"}]"#
        );
        // A path inside a value is not the operation's path.
        assert_eq!(
            r.json(r#"{"value":{"path":"password"},"op":"add"}"#),
            r#"{"value":{"path":"password"},"op":"add"}"#
        );
        assert_eq!(
            r.json(r#"{"path":"password","value":"cut-sec"#),
            r#"{"path":"password","value":"<redacted>""#
        );
        // Cut inside a string that ends in a two-byte character.
        for cut in [
            r#"{"path":"passé"#,
            r#"{"pé"#,
            r#"{"path":"#,
            "{\"path\":\"é\\\"",
        ] {
            assert_eq!(r.json(cut), cut);
        }
    }

    #[test]
    fn form_fields_separated_by_semicolons_are_redacted() {
        let r = Redaction::default();
        assert_eq!(
            r.body("grant_type=client_credentials;client_secret=s;client_id=c"),
            "grant_type=client_credentials;client_secret=<redacted>;client_id=c"
        );
        assert_eq!(
            r.body("client_id=c&client_secret=s;x=1"),
            "client_id=c&client_secret=<redacted>;x=1"
        );
    }

    #[test]
    fn forms_queries_and_headers() {
        let r = Redaction::default();
        assert_eq!(
            r.body("grant_type=client_credentials&client%5Fsecret=s&client_id=c"),
            "grant_type=client_credentials&client%5Fsecret=<redacted>&client_id=c"
        );
        assert_eq!(
            r.form("filter=x&CLIENT_SECRET=s"),
            "filter=x&CLIENT_SECRET=<redacted>"
        );
        assert!(r.covers("X-Api-Key") && r.covers("Cookie") && !r.covers("Accept"));
        assert!(r.covers_any(&["id", "PASSWORD"]) && !r.covers_any(&["id", "userName", "pass"]));
        assert_eq!(r.body("plain text = here"), "plain text = here");
    }

    #[test]
    fn the_length_filter_never_hides_a_listed_name() {
        let long = "x".repeat(70);
        let r = Redaction::new([long.as_str(), "Ünï", "a"]);
        assert!(r.covers(&long.to_uppercase()) && r.covers("Ünï") && r.covers("A"));
        // Past 63 bytes lengths share one bit: the names are still compared.
        assert!(!r.covers(&"x".repeat(64)) && !r.covers(&"x".repeat(71)));
        assert!(!r.covers("ab") && !r.covers(""));
        assert!(!Redaction::new([]).covers("a"));
    }

    #[test]
    fn the_list_is_configurable_and_can_be_empty() {
        let r = Redaction::new(["X-Secret"]);
        assert!(r.covers("x-secret") && !r.covers("authorization"));
        let none = Redaction::new([]);
        assert_eq!(none.body(r#"{"password":"p"}"#), r#"{"password":"p"}"#);
    }

    proptest::proptest! {
        /// Any text, cut anywhere, is scanned without a panic (the PATCH pass slices strings
        /// that the text may cut inside a character).
        #[test]
        fn any_text_is_scanned(text in "[{}\\[\\]\":,\\\\ aé]{0,24}|(\"path\"|\"value\"|\"password\"|[{}\":é\\\\ ]){0,12}") {
            let r = Redaction::default();
            let _ = r.json(&text);
            let _ = r.body(&text);
        }

        /// The scanner agrees with a parser: every covered key's value, at any depth and
        /// whatever its case, is hidden; everything else parses back as it was sent.
        #[test]
        fn redacted_json_parses_back_with_only_covered_values_hidden(
            pairs in proptest::collection::vec(
                (proptest::sample::select(vec![
                    "password", "PassWord", "access_token", "userName", "pass", "x\\\"y", "é",
                ]), "[a-z\"\\\\ é]{0,8}", proptest::bool::ANY),
                0..8,
            ),
        ) {
            let r = Redaction::default();
            let mut doc = serde_json::Map::new();
            for (k, v, nest) in &pairs {
                let v = serde_json::Value::String(v.clone());
                let v = if *nest { serde_json::json!({ *k: [v] }) } else { v };
                doc.insert((*k).to_owned(), v);
            }
            let text = serde_json::Value::Object(doc.clone()).to_string();
            let out: serde_json::Value = serde_json::from_str(&r.json(&text)).unwrap();
            for (k, v) in &doc {
                let expect = if r.covers(k) {
                    serde_json::json!(REDACTED)
                } else if let Some(inner) = v.as_object() {
                    let (ik, iv) = inner.iter().next().unwrap();
                    let iv = if r.covers(ik) { serde_json::json!(REDACTED) } else { iv.clone() };
                    serde_json::json!({ ik: iv })
                } else {
                    v.clone()
                };
                proptest::prop_assert_eq!(&out[k], &expect);
            }
        }
    }

    #[test]
    fn fingerprints_tell_tokens_apart_without_showing_them() {
        let a = token_fingerprint("secret-token-a");
        assert_eq!(a, token_fingerprint("secret-token-a"));
        assert_ne!(a, token_fingerprint("secret-token-b"));
        assert!(a.starts_with("tok-") && a.len() == 16 && !a.contains("secret"));
        // The digits are the hash's low 48 bits, as `{:012x}` writes them.
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        "secret-token-a".hash(&mut h);
        assert_eq!(a, format!("tok-{:012x}", h.finish() & 0xffff_ffff_ffff));
    }
}
