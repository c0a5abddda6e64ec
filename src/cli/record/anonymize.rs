//! `record --anonymize`: people's emails, names, phone numbers and external-id values become
//! consistent fakes across the whole bundle (the same input gives the same output in every
//! body, URL and filter), so a filter by email still finds the user, and ids, managers and
//! group members, which are ids, still line up.
//!
//! Two passes: the first collects what to replace from JSON bodies (emails by their shape
//! wherever they stand; names by key: `displayName`, `display`, `givenName`, `familyName`,
//! `middleName`, `formatted`, `nickName`, a string `name`; phone numbers by shape under `value`,
//! `number`, `phoneNumber`, `address`; external ids under `externalId` and in `externalIds`)
//! and from the URLs of the external-id API; the second replaces them. Emails are matched
//! without regard to case, as Genesys matches `userName`.

use std::collections::HashMap;

use serde_json::Value;

use crate::control::journal::har::Exchange;

const NAME_KEYS: &[&str] = &[
    "displayname",
    "display",
    "givenname",
    "familyname",
    "middlename",
    "formatted",
    "nickname",
    "name",
];

const PHONE_KEYS: &[&str] = &["value", "number", "phonenumber", "address"];

/// The fakes given so far, by kind.
#[derive(Debug, Default)]
pub(crate) struct Anonymizer {
    /// Lower-cased email → fake.
    emails: HashMap<String, String>,
    names: HashMap<String, String>,
    phones: HashMap<String, String>,
    external_ids: HashMap<String, String>,
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.contains('@')
        && !s.contains(|c: char| c.is_whitespace() || c == '"' || c == '/')
}

/// The email-shaped words of free text (split at white space, quotes, brackets, commas).
fn email_tokens(s: &str) -> Vec<&str> {
    s.split(|c: char| c.is_whitespace() || "\"'()[],;<>".contains(c))
        .filter(|t| is_email(t))
        .collect()
}

/// The digits of a phone value (`+13125550100`, `tel:+1...;ext=1`), if it is one.
fn phone_number(s: &str) -> Option<&str> {
    let number = s.strip_prefix("tel:").unwrap_or(s);
    let number = number.split(';').next().unwrap_or(number);
    let digits = number.strip_prefix('+').unwrap_or(number);
    (digits.len() >= 7
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'-' || b == b' '))
    .then_some(number)
}

impl Anonymizer {
    /// Anonymizes `exchanges` in place.
    pub(crate) fn anonymize(&mut self, exchanges: &mut [Exchange]) {
        for x in exchanges.iter() {
            for body in [&x.request_body, &x.response_body].into_iter().flatten() {
                if let Ok(v) = serde_json::from_str::<Value>(body) {
                    self.collect(&v, None, false);
                }
            }
            self.collect_url(&x.url);
        }
        for x in exchanges.iter_mut() {
            x.url = self.url(&x.url);
            for body in [&mut x.request_body, &mut x.response_body]
                .into_iter()
                .flatten()
            {
                if let Ok(mut v) = serde_json::from_str::<Value>(body) {
                    self.apply(&mut v, None, false);
                    *body = serde_json::to_string(&v).unwrap_or_default();
                }
            }
        }
    }

    fn email(&mut self, s: &str) {
        let n = self.emails.len() + 1;
        self.emails
            .entry(s.to_ascii_lowercase())
            .or_insert_with(|| format!("person{n}@anonymized.example"));
    }

    fn collect(&mut self, v: &Value, key: Option<&str>, in_external_ids: bool) {
        match v {
            Value::String(s) => {
                let key = key.map(str::to_ascii_lowercase);
                let key = key.as_deref();
                if is_email(s) {
                    self.email(s);
                } else if key == Some("externalid") || (in_external_ids && key == Some("value")) {
                    let n = self.external_ids.len() + 1;
                    self.external_ids
                        .entry(s.clone())
                        .or_insert_with(|| format!("ext-{n}"));
                } else if key.is_some_and(|k| PHONE_KEYS.contains(&k))
                    && let Some(number) = phone_number(s)
                {
                    let n = self.phones.len() + 1;
                    self.phones
                        .entry(number.to_owned())
                        .or_insert_with(|| format!("+1312555{n:04}"));
                } else if key.is_some_and(|k| NAME_KEYS.contains(&k)) && !s.is_empty() {
                    let n = self.names.len() + 1;
                    self.names
                        .entry(s.clone())
                        .or_insert_with(|| format!("Name {n}"));
                }
            }
            Value::Object(m) => {
                for (k, c) in m {
                    let ext = in_external_ids || k.eq_ignore_ascii_case("externalIds");
                    self.collect(c, Some(k), ext && !k.eq_ignore_ascii_case("authority"));
                }
            }
            Value::Array(a) => a.iter().for_each(|c| self.collect(c, key, in_external_ids)),
            _ => {}
        }
    }

    fn apply(&self, v: &mut Value, key: Option<&str>, in_external_ids: bool) {
        match v {
            Value::String(s) => {
                let lower = key.map(str::to_ascii_lowercase);
                let lower = lower.as_deref();
                if let Some(f) = self.emails.get(&s.to_ascii_lowercase()) {
                    *s = f.clone();
                } else if (lower == Some("externalid")
                    || (in_external_ids && lower == Some("value")))
                    && let Some(f) = self.external_ids.get(s.as_str())
                {
                    *s = f.clone();
                } else if lower.is_some_and(|k| PHONE_KEYS.contains(&k))
                    && let Some(number) = phone_number(s)
                    && let Some(f) = self.phones.get(number)
                {
                    *s = s.replacen(number, f, 1);
                } else if lower.is_some_and(|k| NAME_KEYS.contains(&k))
                    && let Some(f) = self.names.get(s.as_str())
                {
                    *s = f.clone();
                } else {
                    *s = self.text(s);
                }
            }
            Value::Object(m) => {
                for (k, c) in m.iter_mut() {
                    let ext = in_external_ids || k.eq_ignore_ascii_case("externalIds");
                    self.apply(c, Some(k), ext && !k.eq_ignore_ascii_case("authority"));
                }
            }
            Value::Array(a) => a
                .iter_mut()
                .for_each(|c| self.apply(c, key, in_external_ids)),
            _ => {}
        }
    }

    /// Free text (a filter, an error message): emails anywhere (any case), and names and
    /// external ids where they stand whole in double quotes (`displayName eq "Ada Lovelace"`).
    fn text(&self, s: &str) -> String {
        let mut out = s.to_owned();
        for token in email_tokens(s) {
            if let Some(fake) = self.emails.get(&token.to_ascii_lowercase()) {
                out = out.replace(token, fake);
            }
        }
        if out.contains('"') {
            for map in [&self.names, &self.external_ids] {
                for (from, to) in map {
                    let quoted = format!("\"{from}\"");
                    if out.contains(&quoted) {
                        out = out.replace(&quoted, &format!("\"{to}\""));
                    }
                }
            }
        }
        out
    }

    /// Emails in a URL's query (a filter), and external-id values named in external-id API
    /// paths (`.../externalid/{authority}/{value}`).
    fn collect_url(&mut self, url: &str) {
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        for (_, v) in form_urlencoded::parse(query.as_bytes()) {
            for token in email_tokens(&v) {
                self.email(token);
            }
        }
        let segments: Vec<&str> = path.split('/').collect();
        if let Some(at) = segments
            .iter()
            .position(|s| s.eq_ignore_ascii_case("externalid"))
            && let Some(value) = segments.get(at + 2)
        {
            let value = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
            if !value.is_empty() {
                let n = self.external_ids.len() + 1;
                self.external_ids
                    .entry(value.into_owned())
                    .or_insert_with(|| format!("ext-{n}"));
            }
        }
    }

    /// A URL with each path segment that is a mapped value replaced, and its query's values
    /// run through [`Self::text`].
    fn url(&self, url: &str) -> String {
        let (path, query) = match url.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (url, None),
        };
        let mut out: Vec<String> = Vec::new();
        for seg in path.split('/') {
            let decoded = percent_encoding::percent_decode_str(seg).decode_utf8_lossy();
            let fake = self
                .emails
                .get(&decoded.to_ascii_lowercase())
                .or_else(|| self.external_ids.get(decoded.as_ref()));
            out.push(match fake {
                Some(f) => {
                    percent_encoding::utf8_percent_encode(f, percent_encoding::NON_ALPHANUMERIC)
                        .to_string()
                }
                None => seg.to_owned(),
            });
        }
        let mut url = out.join("/");
        if let Some(q) = query {
            let pairs: Vec<(String, String)> =
                form_urlencoded::parse(q.as_bytes()).into_owned().collect();
            let changed: Vec<(String, String)> = pairs
                .iter()
                .map(|(k, v)| (k.clone(), self.text(v)))
                .collect();
            url.push('?');
            if changed == pairs {
                url.push_str(q);
            } else {
                let mut s = form_urlencoded::Serializer::new(String::new());
                for (k, v) in &changed {
                    s.append_pair(k, v);
                }
                url.push_str(&s.finish());
            }
        }
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_person_gets_the_same_fakes_everywhere() {
        let mut xs = vec![
            Exchange {
                url: "http://h/api/v2/scim/v2/Users?filter=userName%20eq%20%22Ada%40X.example%22"
                    .into(),
                response_body: Some(
                    r#"{"Resources":[{"id":"u1","userName":"ada@x.example","displayName":"Ada L","phoneNumbers":[{"type":"work","value":"tel:+13175550100;ext=7"}],"externalId":"e-77"}]}"#
                        .into(),
                ),
                ..Exchange::default()
            },
            Exchange {
                url: "http://h/api/v2/scim/v2/Groups/g1".into(),
                response_body: Some(r#"{"members":[{"value":"u1","display":"Ada L"}]}"#.into()),
                ..Exchange::default()
            },
        ];
        Anonymizer::default().anonymize(&mut xs);
        let all = format!("{xs:?}");
        for original in ["ada@x.example", "Ada%40X", "Ada L", "3175550100", "e-77"] {
            assert!(!all.contains(original), "{original} left in {all}");
        }
        assert!(
            xs[0].url.contains("person1%40anonymized.example"),
            "{}",
            xs[0].url
        );
        let body: Value = serde_json::from_str(xs[0].response_body.as_ref().unwrap()).unwrap();
        let user = &body["Resources"][0];
        assert_eq!(user["userName"], "person1@anonymized.example");
        assert_eq!(user["id"], "u1");
        assert_eq!(user["phoneNumbers"][0]["value"], "tel:+13125550001;ext=7");
        let group: Value = serde_json::from_str(xs[1].response_body.as_ref().unwrap()).unwrap();
        assert_eq!(group["members"][0]["display"], user["displayName"]);
    }
}
