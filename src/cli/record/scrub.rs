//! What `record` never writes to disk in clear (unless `--no-scrub`): credentials, in requests
//! and answers alike.
//!
//! - `Authorization`: a bearer token becomes a stable placeholder (`recorded-token-1`, `-2`,
//!   ... in order of first appearance, the same one wherever that token appears, its issuing
//!   answer included), so a replay can still tell one token from another; HTTP Basic keeps
//!   the client id and gets [`CLIENT_SECRET`] for the secret, which the bundle's fixture
//!   gives that client, so the replay's token request succeeds.
//! - `client_secret` (form, query, JSON) becomes [`CLIENT_SECRET`]; `access_token` in token
//!   answers a placeholder; `refresh_token`, `id_token`, cookies, `Proxy-Authorization`,
//!   `X-Api-Key` and `password` anywhere (a JSON key at any depth, a form field, a PATCH
//!   operation whose `path` is `password`) become `<redacted>`.
//! - Then every secret value found that way is searched for in every text of every exchange
//!   (URL, headers, bodies; raw, JSON-escaped and percent-encoded) and replaced, so a token
//!   an upstream echoes in an error message does not slip through.

use std::collections::{BTreeSet, HashMap};

use base64::Engine;
use serde_json::Value;

use crate::control::journal::har::Exchange;

/// The client secret written in place of the real one, and given to the fixture's client.
pub(crate) const CLIENT_SECRET: &str = "recorded-client-secret";

/// What a removed value is replaced with.
pub(crate) const REDACTED: &str = "<redacted>";

/// The prefix of bearer token placeholders.
pub(crate) const TOKEN_PREFIX: &str = "recorded-token-";

/// Headers whose whole value is a credential.
const SECRET_HEADERS: &[&str] = &["cookie", "set-cookie", "proxy-authorization", "x-api-key"];

/// Secrets shorter than this are not searched for in other texts (they would match by chance).
const MIN_SEARCHED: usize = 6;

/// The scrubbing state of one bundle: the placeholders given so far and every secret seen.
#[derive(Debug, Default)]
pub(crate) struct Scrubber {
    tokens: HashMap<String, String>,
    secrets: BTreeSet<String>,
    /// Client ids seen in token requests, in order of first appearance, with the secret
    /// each presented (kept in memory only, for a `--no-scrub` fixture).
    pub clients: Vec<(String, String)>,
}

impl Scrubber {
    /// Scrubs `exchanges` in place, in order.
    pub(crate) fn scrub(&mut self, exchanges: &mut [Exchange]) {
        for x in exchanges.iter_mut() {
            self.exchange(x);
        }
        self.sweep(exchanges);
    }

    /// The placeholder of a bearer token, given on first sight.
    fn token(&mut self, raw: &str) -> String {
        self.secrets.insert(raw.to_owned());
        let n = self.tokens.len() + 1;
        self.tokens
            .entry(raw.to_owned())
            .or_insert_with(|| format!("{TOKEN_PREFIX}{n}"))
            .clone()
    }

    fn client(&mut self, id: &str, secret: &str) {
        match self.clients.iter_mut().find(|(c, _)| c == id) {
            Some((_, s)) if s.is_empty() => *s = secret.to_owned(),
            Some(_) => {}
            None => self.clients.push((id.to_owned(), secret.to_owned())),
        }
    }

    fn exchange(&mut self, x: &mut Exchange) {
        for (name, value) in &mut x.request_headers {
            if name.eq_ignore_ascii_case("authorization") {
                *value = self.authorization(value);
            } else if SECRET_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)) {
                self.secrets.insert(value.clone());
                *value = REDACTED.to_owned();
            }
        }
        for (name, value) in &mut x.response_headers {
            if SECRET_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)) {
                self.secrets.insert(value.clone());
                *value = REDACTED.to_owned();
            }
        }
        if let Some((path, query)) = x.url.split_once('?')
            && let Some(q) = self.form(query)
        {
            x.url = format!("{path}?{q}");
        }
        if let Some(body) = x.request_body.take() {
            x.request_body = Some(self.body(&body));
        }
        if let Some(body) = x.response_body.take() {
            x.response_body = Some(self.body(&body));
        }
    }

    fn authorization(&mut self, value: &str) -> String {
        let Some((scheme, credential)) = value.trim().split_once(' ') else {
            self.secrets.insert(value.to_owned());
            return REDACTED.to_owned();
        };
        let credential = credential.trim();
        if scheme.eq_ignore_ascii_case("bearer") {
            return format!("Bearer {}", self.token(credential));
        }
        if scheme.eq_ignore_ascii_case("basic") {
            self.secrets.insert(credential.to_owned());
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(credential)
                .ok()
                .and_then(|b| String::from_utf8(b).ok());
            if let Some((id, secret)) = decoded.as_deref().and_then(|d| d.split_once(':')) {
                self.secrets.insert(secret.to_owned());
                self.client(id, secret);
                let fake = base64::engine::general_purpose::STANDARD
                    .encode(format!("{id}:{CLIENT_SECRET}"));
                return format!("Basic {fake}");
            }
        }
        self.secrets.insert(credential.to_owned());
        format!("{scheme} {REDACTED}")
    }

    /// A body: JSON scrubbed by key, a form by field, anything else left for the sweep.
    fn body(&mut self, text: &str) -> String {
        match text.trim_start().as_bytes().first() {
            Some(b'{' | b'[') => match serde_json::from_str::<Value>(text) {
                Ok(mut v) => {
                    self.json(&mut v, None);
                    serde_json::to_string(&v).unwrap_or_default()
                }
                Err(_) => text.to_owned(),
            },
            Some(_) if text.contains('=') && !text.contains(char::is_whitespace) => {
                self.form(text).unwrap_or_else(|| text.to_owned())
            }
            _ => text.to_owned(),
        }
    }

    /// A form or query string with its secret fields replaced; `None` when it has none.
    fn form(&mut self, text: &str) -> Option<String> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(text.as_bytes())
            .into_owned()
            .collect();
        let mut changed = false;
        let mut out = form_urlencoded::Serializer::new(String::new());
        if let Some((_, id)) = pairs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("client_id"))
        {
            let secret = pairs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("client_secret"))
                .map_or("", |(_, v)| v.as_str());
            self.client(id, secret);
        }
        for (k, v) in pairs {
            let replaced = self.field(&k, &v, true);
            if replaced.is_some() {
                changed = true;
            }
            out.append_pair(&k, replaced.as_deref().unwrap_or(&v));
        }
        changed.then(|| out.finish())
    }

    /// What a field or key called `key` holding `value` becomes, if it is a secret. An OAuth
    /// form's `code` and `assertion` are secrets; a JSON `code` is an error code.
    fn field(&mut self, key: &str, value: &str, form: bool) -> Option<String> {
        let key = key.to_ascii_lowercase();
        match key.as_str() {
            "code" | "assertion" if !form => None,
            "client_secret" => {
                self.secrets.insert(value.to_owned());
                Some(CLIENT_SECRET.to_owned())
            }
            "access_token" => Some(self.token(value)),
            "password" | "refresh_token" | "id_token" | "assertion" | "code" => {
                self.secrets.insert(value.to_owned());
                Some(REDACTED.to_owned())
            }
            _ => None,
        }
    }

    fn json(&mut self, v: &mut Value, _parent: Option<&str>) {
        match v {
            Value::Object(map) => {
                // A PATCH operation on `password`: its value is the secret.
                let password_op = map
                    .get("path")
                    .and_then(Value::as_str)
                    .is_some_and(|p| p.trim().eq_ignore_ascii_case("password"));
                for (k, child) in map.iter_mut() {
                    if password_op && k.eq_ignore_ascii_case("value") {
                        self.remember(child);
                        *child = Value::String(REDACTED.to_owned());
                        continue;
                    }
                    if k.eq_ignore_ascii_case("password") {
                        self.remember(child);
                        *child = Value::String(REDACTED.to_owned());
                        continue;
                    }
                    if let Value::String(s) = child
                        && let Some(replaced) = self.field(k, &s.clone(), false)
                    {
                        *s = replaced;
                        continue;
                    }
                    self.json(child, Some(k));
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.json(item, None);
                }
            }
            _ => {}
        }
    }

    /// Keeps every string inside a removed value, for the sweep.
    fn remember(&mut self, v: &Value) {
        match v {
            Value::String(s) => {
                self.secrets.insert(s.clone());
            }
            Value::Object(m) => m.values().for_each(|c| self.remember(c)),
            Value::Array(a) => a.iter().for_each(|c| self.remember(c)),
            _ => {}
        }
    }

    /// Replaces every remaining occurrence of a known secret in every text.
    fn sweep(&self, exchanges: &mut [Exchange]) {
        let mut needles: Vec<(String, String)> = Vec::new();
        for s in self.secrets.iter().filter(|s| s.len() >= MIN_SEARCHED) {
            let with = self
                .tokens
                .get(s)
                .cloned()
                .unwrap_or_else(|| REDACTED.to_owned());
            let escaped = serde_json::to_string(s).unwrap_or_default();
            let escaped = escaped.trim_matches('"').to_owned();
            let encoded: String = form_urlencoded::byte_serialize(s.as_bytes()).collect();
            let percent =
                percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC)
                    .to_string();
            for variant in [s.clone(), escaped, encoded, percent] {
                if !needles.iter().any(|(n, _)| *n == variant) {
                    needles.push((variant, with.clone()));
                }
            }
        }
        // Longest first, so a secret that contains another is replaced whole.
        needles.sort_by_key(|n| std::cmp::Reverse(n.0.len()));
        let fix = |text: &mut String| {
            for (needle, with) in &needles {
                if text.contains(needle.as_str()) {
                    *text = text.replace(needle.as_str(), with);
                }
            }
        };
        for x in exchanges {
            fix(&mut x.url);
            for (_, v) in x
                .request_headers
                .iter_mut()
                .chain(x.response_headers.iter_mut())
            {
                fix(v);
            }
            if let Some(b) = &mut x.request_body {
                fix(b);
            }
            if let Some(b) = &mut x.response_body {
                fix(b);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(headers: &[(&str, &str)], body: Option<&str>, answer: Option<&str>) -> Exchange {
        Exchange {
            method: "POST".into(),
            url: "http://127.0.0.1:1/x".into(),
            request_headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            request_body: body.map(str::to_owned),
            response_body: answer.map(str::to_owned),
            status: 200,
            ..Exchange::default()
        }
    }

    #[test]
    fn tokens_get_stable_placeholders_and_secrets_disappear() {
        let basic = base64::engine::general_purpose::STANDARD.encode("cid:s3cret-value");
        let mut xs = vec![
            exchange(
                &[("Authorization", &format!("Basic {basic}"))],
                Some("grant_type=client_credentials"),
                Some(r#"{"access_token":"tok-AAAAAAAA","token_type":"bearer"}"#),
            ),
            exchange(
                &[
                    ("Authorization", "Bearer tok-AAAAAAAA"),
                    ("Cookie", "sid=1"),
                ],
                Some(r#"{"Operations":[{"op":"replace","path":"password","value":"hunter2-pw"}]}"#),
                Some(r#"{"detail":"bad token tok-AAAAAAAA"}"#),
            ),
            exchange(
                &[("Authorization", "Bearer tok-BBBBBBBB")],
                Some("client_id=cid&client_secret=other-secret&grant_type=client_credentials"),
                Some(r#"{"userName":"a","password":"pw-in-body"}"#),
            ),
        ];
        let mut s = Scrubber::default();
        s.scrub(&mut xs);
        let all = format!("{xs:?}");
        for secret in [
            "s3cret-value",
            "tok-AAAAAAAA",
            "tok-BBBBBBBB",
            "hunter2-pw",
            "other-secret",
            "pw-in-body",
            "sid=1",
        ] {
            assert!(!all.contains(secret), "{secret} leaked: {all}");
        }
        assert!(
            xs[0]
                .response_body
                .as_ref()
                .unwrap()
                .contains("recorded-token-1")
        );
        assert_eq!(
            xs[1].request_header("authorization"),
            Some("Bearer recorded-token-1")
        );
        assert!(
            xs[1]
                .response_body
                .as_ref()
                .unwrap()
                .contains("recorded-token-1")
        );
        assert_eq!(
            xs[2].request_header("authorization"),
            Some("Bearer recorded-token-2")
        );
        assert!(xs[2].request_body.as_ref().unwrap().contains(CLIENT_SECRET));
        assert_eq!(s.clients[0], ("cid".to_owned(), "s3cret-value".to_owned()));
    }
}
