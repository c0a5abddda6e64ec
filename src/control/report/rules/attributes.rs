//! What user writes carry: `dropped-attributes` (accepted and not stored), `read-only-write`
//! and `phone-not-e164`.

use serde_json::{Map, Value};

use super::{Check, Groups, attribute_part, op_and_path, operations, requests};
use crate::control::report::seen::{Body, Seen};
use crate::control::report::sink::Sink;
use crate::genesys::mapping::{get_ci, unsupported_attributes};
use crate::genesys::user::PhoneNumber;
use crate::scim::schema::{self, AttrPath, Mutability, ResourceKind};

const DROPPED: &str = "dropped-attributes";
const READ_ONLY: &str = "read-only-write";
const PHONE: &str = "phone-not-e164";

/// The three attribute rules.
#[derive(Debug, Default)]
pub(crate) struct Attributes {
    dropped: Groups<String>,
    read_only: Groups<String>,
    phones: Groups<String>,
}

/// Read-only attributes a client may echo back harmlessly (RFC 7644 §3.5.1 says to ignore them).
const ECHOED: &[&str] = &["id", "meta", "schemas"];

fn read_only_name(kind: ResourceKind, path: &str) -> Option<String> {
    let attr = AttrPath::parse(&attribute_part(path));
    let r = schema::resolve(kind, &attr)?;
    let ro = r.attribute.mutability == Mutability::ReadOnly
        || r.sub.is_some_and(|s| s.mutability == Mutability::ReadOnly);
    (ro && !ECHOED.iter().any(|e| e.eq_ignore_ascii_case(&attr.name))).then(|| attr.to_string())
}

impl Attributes {
    fn whole_user(&mut self, s: &Seen<'_>, obj: &Map<String, Value>, accepted: bool) {
        if accepted {
            for a in unsupported_attributes(obj) {
                self.dropped.add(a, s);
            }
        }
        for (k, v) in obj {
            if !v.is_null()
                && schema::USER_SCHEMA.attribute(k).is_some()
                && let Some(name) = read_only_name(ResourceKind::User, k)
            {
                self.read_only.add(name, s);
            }
        }
        if let Some(phones) = get_ci(obj, "phoneNumbers") {
            self.phones_in(s, phones);
        }
    }

    fn phones_in(&mut self, s: &Seen<'_>, v: &Value) {
        let values: Vec<&Value> = match v {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        for p in values {
            let text = match p {
                Value::String(t) => Some(t.as_str()),
                Value::Object(o) => get_ci(o, "value").and_then(Value::as_str),
                _ => None,
            };
            if let Some(t) = text.filter(|t| !t.is_empty())
                && PhoneNumber::parse(t).is_err()
            {
                self.phones.add(t.to_owned(), s);
            }
        }
    }
}

impl Check for Attributes {
    fn observe(&mut self, s: &Seen<'_>, out: &mut Sink) {
        let route = s.route();
        if !matches!(
            route,
            "users.create" | "users.replace" | "users.patch" | "groups.patch" | "groups.replace"
        ) {
            return;
        }
        let body = match s.body() {
            Body::Json(v) => v,
            Body::Absent => return,
            Body::Unreadable(why) => {
                for r in [DROPPED, READ_ONLY, PHONE] {
                    out.unchecked(r, s.e, why);
                }
                return;
            }
        };
        let accepted = (200..300).contains(&s.e.status);
        match route {
            "users.create" | "users.replace" => {
                if let Some(obj) = body.as_object() {
                    self.whole_user(s, obj, accepted);
                }
            }
            "groups.replace" => {}
            _ => {
                let kind = if route == "users.patch" {
                    ResourceKind::User
                } else {
                    ResourceKind::Group
                };
                for op in operations(body) {
                    let (_, path) = op_and_path(op);
                    match path {
                        Some(p) => {
                            if let Some(name) = read_only_name(kind, p) {
                                self.read_only.add(name, s);
                            }
                            if kind != ResourceKind::User {
                                continue;
                            }
                            let attr = AttrPath::parse(&attribute_part(p));
                            let core = attr
                                .urn
                                .as_deref()
                                .is_none_or(|u| u.eq_ignore_ascii_case(schema::USER));
                            if accepted
                                && core
                                && crate::genesys::mapping::is_documented_unsupported(&attr.name)
                            {
                                self.dropped.add(attr.to_string(), s);
                            }
                            if attr.name.eq_ignore_ascii_case("phoneNumbers") {
                                self.phones_in(s, &op["value"]);
                            }
                        }
                        None if kind == ResourceKind::User => {
                            if let Some(obj) = op["value"].as_object() {
                                self.whole_user(s, obj, accepted);
                            }
                        }
                        None => {}
                    }
                }
            }
        }
    }

    fn finish(&mut self, out: &mut Sink) {
        self.dropped.report(DROPPED, out, |a, n| {
            format!(
                "{a}: sent on {} that Genesys accepted; it stores nothing for it",
                requests(n)
            )
        });
        self.read_only.report(READ_ONLY, out, |a, n| {
            format!("{a} is read-only and was written on {}", requests(n))
        });
        self.phones.report(PHONE, out, |p, n| {
            format!(
                "{p:?} is not E.164 (+ and 2 to 15 digits) or tel:+...;ext=... ({})",
                requests(n)
            )
        });
    }
}
