//! The order and effect of a sync: `group-create-or-delete`, `create-without-lookup`,
//! `groups-before-users` and `not-idempotent`.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::retries::user_name;
use super::{Check, Groups, eq_values, op_and_path, operations, requests};
use crate::control::report::model::EntryRef;
use crate::control::report::seen::{Body, Seen};
use crate::control::report::sink::Sink;

/// `group-create-or-delete`.
#[derive(Debug, Default)]
pub(crate) struct GroupCreateDelete {
    by_route: Groups<String>,
}

impl Check for GroupCreateDelete {
    fn observe(&mut self, s: &Seen<'_>, _out: &mut Sink) {
        if matches!(s.route(), "groups.create" | "groups.delete") {
            let what = if s.route() == "groups.create" {
                "POST /Groups"
            } else {
                "DELETE /Groups/{id}"
            };
            self.by_route.add(what.to_owned(), s);
        }
    }

    fn finish(&mut self, out: &mut Sink) {
        self.by_route
            .report("group-create-or-delete", out, |what, n| {
                format!(
                    "{what} on {}: Genesys SCIM does not create or delete groups",
                    requests(n)
                )
            });
    }
}

/// The most user names `create-without-lookup` remembers (from filters and list pages).
pub(crate) const MAX_KNOWN_NAMES: usize = 100_000;

/// `create-without-lookup`.
#[derive(Debug, Default)]
pub(crate) struct CreateWithoutLookup {
    /// Lower-cased user names the client looked up or read in a list, with where.
    known: HashMap<String, u64>,
}

impl CreateWithoutLookup {
    fn learn(&mut self, name: String, seq: u64) {
        if self.known.len() < MAX_KNOWN_NAMES {
            self.known.entry(name).or_insert(seq);
        }
    }
}

impl Check for CreateWithoutLookup {
    fn observe(&mut self, s: &Seen<'_>, out: &mut Sink) {
        match s.route() {
            "users.list" => {
                if let Some(f) = s.param("filter") {
                    for v in eq_values(f) {
                        self.learn(v.to_lowercase(), s.e.seq);
                    }
                }
                if let Body::Json(v) = s.response() {
                    for r in v["Resources"].as_array().into_iter().flatten() {
                        if let Some(u) = r["userName"].as_str() {
                            self.learn(u.to_lowercase(), s.e.seq);
                        }
                    }
                }
            }
            "users.create" if s.e.status == 409 => {
                let Some(u) = user_name(s) else {
                    out.unchecked(
                        "create-without-lookup",
                        s.e,
                        "the create's body cannot be read",
                    );
                    return;
                };
                let message = match self.known.get(&u) {
                    Some(seq) => format!(
                        "POST /Users for {u} was answered 409 although the client had already seen {u} (entry {seq}): diff before creating"
                    ),
                    None => format!(
                        "POST /Users for {u} was answered 409: the client never looked {u} up (filter userName eq) before creating"
                    ),
                };
                out.finding("create-without-lookup", message, vec![EntryRef::of(s.e)]);
            }
            _ => {}
        }
    }
}

/// `groups-before-users`.
#[derive(Debug, Default)]
pub(crate) struct GroupsBeforeUsers {
    /// User id → the first membership change naming it.
    named: HashMap<String, EntryRef>,
    reported: HashSet<String>,
}

/// The member ids a group write adds or sets.
fn member_ids(route: &str, body: &Value) -> Vec<String> {
    let ids = |v: &Value| -> Vec<String> {
        match v {
            Value::Array(a) => a
                .iter()
                .filter_map(|m| m["value"].as_str().map(str::to_owned))
                .collect(),
            Value::Object(_) => v["value"].as_str().map(str::to_owned).into_iter().collect(),
            _ => Vec::new(),
        }
    };
    if route == "groups.replace" {
        return ids(&body["members"]);
    }
    let mut out = Vec::new();
    for op in operations(body) {
        let (verb, path) = op_and_path(op);
        if verb == "remove" {
            continue;
        }
        match path {
            Some(p) if p.eq_ignore_ascii_case("members") => out.extend(ids(&op["value"])),
            None => out.extend(ids(&op["value"]["members"])),
            _ => {}
        }
    }
    out
}

impl Check for GroupsBeforeUsers {
    fn observe(&mut self, s: &Seen<'_>, out: &mut Sink) {
        match s.route() {
            "groups.patch" | "groups.replace" => match s.body() {
                Body::Json(v) => {
                    for id in member_ids(s.route(), v) {
                        self.named.entry(id).or_insert_with(|| EntryRef::of(s.e));
                    }
                }
                Body::Unreadable(why) => out.unchecked("groups-before-users", s.e, why),
                Body::Absent => {}
            },
            "users.create" if (200..300).contains(&s.e.status) => {
                let Body::Json(v) = s.response() else {
                    return;
                };
                let Some(id) = v["id"].as_str() else {
                    return;
                };
                if let Some(change) = self.named.get(id)
                    && self.reported.insert(id.to_owned())
                {
                    let who = v["userName"].as_str().unwrap_or(id);
                    out.finding(
                        "groups-before-users",
                        format!(
                            "a group membership change named user {who} ({id}) before the user was created"
                        ),
                        vec![change.clone(), EntryRef::of(s.e)],
                    );
                }
            }
            _ => {}
        }
    }
}

/// `not-idempotent`.
#[derive(Debug)]
pub(crate) struct NotIdempotent {
    from: Option<u64>,
    /// Resource key → the latest version a response showed.
    versions: HashMap<String, String>,
}

impl NotIdempotent {
    pub(crate) fn new(from: Option<u64>) -> Self {
        Self {
            from,
            versions: HashMap::new(),
        }
    }

    fn learn(&mut self, kind: &str, v: &Value) {
        if let (Some(id), Some(ver)) = (v["id"].as_str(), v["meta"]["version"].as_str()) {
            self.versions.insert(format!("{kind}/{id}"), ver.to_owned());
        }
    }
}

const IDEMPOTENT: &str = "not-idempotent";

impl Check for NotIdempotent {
    fn observe(&mut self, s: &Seen<'_>, out: &mut Sink) {
        let Some(from) = self.from else {
            return;
        };
        let kind = match s.kind() {
            Some(crate::scim::schema::ResourceKind::User) => "users",
            Some(crate::scim::schema::ResourceKind::Group) => "groups",
            None => "",
        };
        let ok = (200..300).contains(&s.e.status);
        let before = s
            .resource_key()
            .and_then(|k| self.versions.get(&k).cloned());
        if ok
            && !kind.is_empty()
            && let Body::Json(v) = s.response()
        {
            if v["Resources"].is_array() {
                for r in v["Resources"].as_array().into_iter().flatten() {
                    self.learn(kind, r);
                }
            } else {
                self.learn(kind, v);
            }
        }
        if s.e.seq < from || !s.is_write() || !ok {
            return;
        }
        let what = format!("{} {}", s.e.method, s.e.path);
        match s.e.method.as_str() {
            "POST" => out.finding(
                IDEMPOTENT,
                format!("{what} created something in the second run"),
                vec![EntryRef::of(s.e)],
            ),
            "DELETE" => out.finding(
                IDEMPOTENT,
                format!("{what} deleted something in the second run"),
                vec![EntryRef::of(s.e)],
            ),
            _ => {
                let after = s
                    .response()
                    .json()
                    .and_then(|v| v["meta"]["version"].as_str());
                match (before, after) {
                    (Some(b), Some(a)) if a != b => out.finding(
                        IDEMPOTENT,
                        format!(
                            "{what} changed the resource in the second run (version {b} → {a})"
                        ),
                        vec![EntryRef::of(s.e)],
                    ),
                    (Some(_), Some(_)) => {}
                    (None, _) => out.unchecked(
                        IDEMPOTENT,
                        s.e,
                        "no earlier response in the report's range shows this resource's version",
                    ),
                    (_, None) => out.unchecked(IDEMPOTENT, s.e, "the response shows no version"),
                }
            }
        }
    }
}
