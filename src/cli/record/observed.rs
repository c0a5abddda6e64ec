//! The org a session saw: every SCIM user and group that a request read or wrote, in its state
//! before the session's first write to it (the bundle's `fixture.json`), and in the last state
//! the session left (its `expect.json`).
//!
//! Walked in order over the exchanges: a resource's first sighting in an answer to a read (a
//! `GET`, a list page) is its state before the session; one created by the session (a `201`)
//! is left out of the fixture, since the replay creates it again. A resource first seen in a
//! write's answer (a `PUT` or `PATCH` it was not read before) has only its state after that
//! write to go by; it is kept as that, and the README lists it. A group member or a manager
//! the session never read becomes a placeholder user, so the fixture's references resolve.

use std::collections::{BTreeSet, HashMap};

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use crate::control::journal::har::Exchange;

/// The fixture's org id.
pub(crate) const ORG: &str = "recorded";

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const GENESYS: &str = "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User";
const SCIM_AUTHORITY: &str = "x-pc:scimv2:v1";

/// The most filler records a fixture gets (a recorded total above it is not matched).
pub(crate) const MAX_FILLERS: u64 = 10_000;

/// What a session saw of its org.
#[derive(Debug, Default)]
pub(crate) struct Observed {
    users: IndexMap<String, Value>,
    groups: IndexMap<String, Value>,
    /// The last state seen, and whether a write since left it unknown.
    last_users: IndexMap<String, (Value, bool)>,
    last_groups: IndexMap<String, (Value, bool)>,
    created: BTreeSet<String>,
    deleted: BTreeSet<String>,
    /// The last `userName` of every user seen, so a created user deleted again can be named.
    user_names: HashMap<String, Value>,
    /// First seen in a write's answer: the fixture holds the state after that write.
    pub after_write: Vec<String>,
    /// Placeholders made for references the session never read.
    pub placeholders: Vec<String>,
    /// The `expires_in` of the first token answer.
    pub token_ttl: Option<u64>,
    /// The largest `totalResults` of an unfiltered users and groups list before the first
    /// write: the fixture is filled up to it, so the replay's totals match.
    totals: [u64; 2],
    /// A write has been seen.
    written: bool,
}

enum Kind {
    User,
    Group,
}

/// `(kind, id)` of a SCIM users or groups path (`.../Users/{id}` has an id; the list has not).
fn target(path: &str) -> Option<(Kind, Option<String>)> {
    let path = path.split('?').next().unwrap_or(path);
    let lower = path.to_ascii_lowercase();
    let skip = if lower.starts_with("/api/v2/scim/v2/") {
        "/api/v2/scim/v2/".len()
    } else if lower.starts_with("/api/v2/scim/") {
        "/api/v2/scim/".len()
    } else {
        return None;
    };
    let rest = &path[skip..];
    let mut segs = rest.split('/');
    // Routed without regard to case, as the mock and Genesys route them (the Python SDK
    // sends `/users`).
    let kind = match segs.next()? {
        k if k.eq_ignore_ascii_case("Users") => Kind::User,
        k if k.eq_ignore_ascii_case("Groups") => Kind::Group,
        _ => return None,
    };
    let id = segs.next().filter(|s| !s.is_empty()).map(|s| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    });
    Some((kind, id))
}

impl Observed {
    /// Walks the exchanges in order.
    pub(crate) fn from_exchanges(exchanges: &[Exchange]) -> Self {
        let mut o = Self::default();
        for x in exchanges {
            o.exchange(x);
        }
        o
    }

    fn exchange(&mut self, x: &Exchange) {
        let path = x.path_and_query();
        let body = x
            .response_body
            .as_deref()
            .and_then(|b| serde_json::from_str::<Value>(b).ok());
        if path.starts_with("/oauth/token") {
            if self.token_ttl.is_none() {
                self.token_ttl = body.as_ref().and_then(|b| b.get("expires_in")?.as_u64());
            }
            return;
        }
        let Some((kind, id)) = target(path) else {
            return;
        };
        let method = x.method.to_ascii_uppercase();
        let write = method != "GET";
        if write {
            self.written = true;
        }
        if !self.written
            && id.is_none()
            && !path.contains("filter=")
            && let Some(total) = body.as_ref().and_then(|b| b.get("totalResults")?.as_u64())
        {
            let slot = &mut self.totals[usize::from(matches!(kind, Kind::Group))];
            *slot = (*slot).max(total);
        }
        let ok = (200..300).contains(&x.status);
        if method == "DELETE" && ok {
            if let Some(id) = id {
                self.deleted.insert(id.clone());
                if !self.created.contains(&id) {
                    self.placeholder(&kind, &id, None);
                }
                let last = match kind {
                    Kind::User => &mut self.last_users,
                    Kind::Group => &mut self.last_groups,
                };
                last.shift_remove(&id);
            }
            return;
        }
        if write && ok && body.is_none() {
            // A write answered without a body (204): its target's last state is unknown.
            if let Some(id) = &id {
                let last = match kind {
                    Kind::User => &mut self.last_users,
                    Kind::Group => &mut self.last_groups,
                };
                if let Some(entry) = last.get_mut(id) {
                    entry.1 = true;
                }
            }
            return;
        }
        let Some(body) = body.filter(|_| ok) else {
            return;
        };
        let resources: Vec<&Value> = match body.get("Resources").and_then(Value::as_array) {
            Some(list) => list.iter().collect(),
            None => vec![&body],
        };
        for r in resources {
            let Some(rid) = r.get("id").and_then(Value::as_str) else {
                continue;
            };
            let is_group = r.get("schemas").and_then(Value::as_array).is_some_and(|s| {
                s.iter()
                    .any(|v| v.as_str().is_some_and(|s| s.ends_with(":Group")))
            }) || matches!(kind, Kind::Group);
            if method == "POST" && x.status == 201 {
                self.created.insert(rid.to_owned());
            }
            let (first, last) = if is_group {
                (&mut self.groups, &mut self.last_groups)
            } else {
                (&mut self.users, &mut self.last_users)
            };
            if !is_group && let Some(name) = r.get("userName") {
                self.user_names.insert(rid.to_owned(), name.clone());
            }
            last.insert(rid.to_owned(), (r.clone(), false));
            if !self.created.contains(rid) && !first.contains_key(rid) {
                if write {
                    self.after_write.push(rid.to_owned());
                }
                first.insert(rid.to_owned(), r.clone());
            }
        }
    }

    fn placeholder(&mut self, kind: &Kind, id: &str, display: Option<&str>) {
        match kind {
            Kind::User if !self.users.contains_key(id) => {
                let n = self.placeholders.len() + 1;
                self.users.insert(
                    id.to_owned(),
                    json!({
                        "id": id,
                        "userName": format!("placeholder{n}@recorded.example"),
                        "displayName": display.unwrap_or(&format!("Placeholder {n}")),
                    }),
                );
                self.placeholders.push(id.to_owned());
            }
            Kind::Group if !self.groups.contains_key(id) => {
                let n = self.placeholders.len() + 1;
                self.groups.insert(
                    id.to_owned(),
                    json!({ "id": id, "displayName": display.unwrap_or(&format!("Placeholder group {n}")) }),
                );
                self.placeholders.push(id.to_owned());
            }
            _ => {}
        }
    }

    /// The fixture: one org, [`ORG`], with the users and groups as first seen, the reference
    /// data they name, and the recorded OAuth clients with `secret`.
    pub(crate) fn fixture(&mut self, clients: &[(String, String)]) -> Value {
        // References the session never read become placeholders first.
        let mut refs: Vec<(Kind, String, Option<String>)> = Vec::new();
        for u in self.users.values() {
            if let Some(m) = u
                .pointer(&format!("/{}/manager/value", escape(ENTERPRISE)))
                .and_then(Value::as_str)
            {
                refs.push((Kind::User, m.to_owned(), None));
            }
        }
        for g in self.groups.values() {
            for m in g
                .get("members")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(id) = m.get("value").and_then(Value::as_str) {
                    let display = m.get("display").and_then(Value::as_str).map(str::to_owned);
                    refs.push((Kind::User, id.to_owned(), display));
                }
            }
        }
        for u in self.users.values() {
            for g in u
                .get("groups")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(id) = g.get("value").and_then(Value::as_str) {
                    let display = g.get("display").and_then(Value::as_str).map(str::to_owned);
                    refs.push((Kind::Group, id.to_owned(), display));
                }
            }
        }
        for (kind, id, display) in refs {
            if self.created.contains(&id) {
                continue;
            }
            self.placeholder(&kind, &id, display.as_deref());
        }
        // Fillers, so an unfiltered list counts what the recorded one counted.
        let mut filler = 0;
        while (self.users.len() as u64) < self.totals[0].min(MAX_FILLERS) {
            filler += 1;
            self.placeholder(&Kind::User, &format!("recorded-filler-user-{filler}"), None);
        }
        while (self.groups.len() as u64) < self.totals[1].min(MAX_FILLERS) {
            filler += 1;
            self.placeholder(
                &Kind::Group,
                &format!("recorded-filler-group-{filler}"),
                None,
            );
        }
        let mut divisions: BTreeSet<String> = BTreeSet::from(["Home".to_owned()]);
        let mut roles: BTreeSet<String> = BTreeSet::from(["employee".to_owned()]);
        let mut skills: BTreeSet<String> = BTreeSet::new();
        let mut languages: BTreeSet<String> = BTreeSet::new();
        let mut users = Vec::new();
        let mut memberships: HashMap<String, Vec<String>> = HashMap::new();
        for (id, u) in &self.users {
            let mut u = u.clone();
            let Some(obj) = u.as_object_mut() else {
                continue;
            };
            obj.remove("meta");
            obj.remove("schemas");
            if let Some(groups) = obj.remove("groups") {
                for g in groups.as_array().into_iter().flatten() {
                    if let Some(gid) = g.get("value").and_then(Value::as_str) {
                        memberships
                            .entry(gid.to_owned())
                            .or_default()
                            .push(id.clone());
                    }
                }
            }
            for r in obj
                .get("roles")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(name) = r.get("value").and_then(Value::as_str) {
                    roles.insert(name.to_owned());
                }
            }
            if let Some(ent) = obj.get_mut(ENTERPRISE).and_then(Value::as_object_mut) {
                if let Some(d) = ent.get("division").and_then(Value::as_str) {
                    divisions.insert(d.to_owned());
                }
                if let Some(m) = ent.get_mut("manager").and_then(Value::as_object_mut) {
                    m.retain(|k, _| k == "value");
                }
            }
            if let Some(gen_ext) = obj.get_mut(GENESYS).and_then(Value::as_object_mut) {
                for (key, into) in [
                    ("routingSkills", &mut skills),
                    ("routingLanguages", &mut languages),
                ] {
                    for s in gen_ext
                        .get(key)
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(name) = s.get("name").and_then(Value::as_str) {
                            into.insert(name.to_owned());
                        }
                    }
                }
                // The SCIM authority's entry echoes `externalId`, which writes it.
                if let Some(ids) = gen_ext.get_mut("externalIds").and_then(Value::as_array_mut) {
                    ids.retain(|e| {
                        e.get("authority").and_then(Value::as_str) != Some(SCIM_AUTHORITY)
                    });
                    if ids.is_empty() {
                        gen_ext.remove("externalIds");
                    }
                }
            }
            users.push(u);
        }
        let mut groups = Vec::new();
        for (id, g) in &self.groups {
            let members: Vec<String> = match g.get("members").and_then(Value::as_array) {
                Some(list) => list
                    .iter()
                    .filter_map(|m| m.get("value").and_then(Value::as_str).map(str::to_owned))
                    .filter(|m| self.users.contains_key(m))
                    .collect(),
                None => memberships.remove(id).unwrap_or_default(),
            };
            let mut out = Map::new();
            out.insert("id".into(), json!(id));
            out.insert(
                "name".into(),
                g.get("displayName").cloned().unwrap_or(json!(id)),
            );
            if let Some(e) = g.get("externalId") {
                out.insert("externalId".into(), e.clone());
            }
            out.insert("members".into(), json!(members));
            groups.push(Value::Object(out));
        }
        let named = |prefix: &str, names: &BTreeSet<String>| -> Vec<Value> {
            names
                .iter()
                .enumerate()
                .map(|(i, n)| json!({ "id": format!("{prefix}-{}", i + 1), "name": n }))
                .collect()
        };
        let mut divisions_out = named("division", &divisions);
        for d in &mut divisions_out {
            if d["name"] == "Home" {
                d["home"] = json!(true);
            }
        }
        let ttl = self.token_ttl.filter(|t| (300..=172_800).contains(t));
        let clients: Vec<Value> = clients
            .iter()
            .map(|(id, secret)| {
                let mut c = json!({ "id": id, "secret": secret });
                if let Some(t) = ttl {
                    c["tokenTtlSecs"] = json!(t);
                }
                c
            })
            .collect();
        json!({
            "version": 1,
            "orgs": [{
                "id": ORG,
                "divisions": divisions_out,
                "roles": named("role", &roles),
                "skills": named("skill", &skills),
                "languages": named("language", &languages),
                "oauthClients": clients,
                "users": users,
                "groups": groups,
            }]
        })
    }

    /// The end state for `verify`: each user and group by its last state seen, deleted ones
    /// as `deleted`. Users and groups the session created are named by `userName` and name,
    /// since a replay gives them new ids; a resource whose last write was answered without a
    /// body is left out (its state is not known).
    pub(crate) fn expectation(&self) -> Value {
        let mut users = Vec::new();
        let user_key = |id: &str, u: &Value| -> (String, Value) {
            if self.created.contains(id) {
                (
                    "userName".into(),
                    u.get("userName").cloned().unwrap_or(Value::Null),
                )
            } else {
                ("id".into(), json!(id))
            }
        };
        for (id, (u, unknown)) in &self.last_users {
            if *unknown {
                continue;
            }
            let (k, v) = user_key(id, u);
            let mut rec = Map::new();
            rec.insert(k, v);
            for key in ["userName", "displayName", "active"] {
                if let Some(val) = u.get(key) {
                    rec.insert(key.into(), val.clone());
                }
            }
            users.push(Value::Object(rec));
        }
        for id in &self.deleted {
            if self.groups.contains_key(id) || self.last_groups.contains_key(id) {
                continue;
            }
            match self.user_names.get(id) {
                Some(name) if self.created.contains(id) => {
                    users.push(json!({ "userName": name, "deleted": true }));
                }
                _ if !self.created.contains(id) => users.push(json!({ "id": id, "deleted": true })),
                _ => {}
            }
        }
        let user_name = |id: &str| -> Value {
            self.last_users
                .get(id)
                .and_then(|(u, _)| u.get("userName").cloned())
                .filter(|_| self.created.contains(id))
                .unwrap_or_else(|| json!(id))
        };
        let mut groups = Vec::new();
        for (id, (g, unknown)) in &self.last_groups {
            if *unknown {
                continue;
            }
            let mut rec = Map::new();
            if self.created.contains(id) {
                rec.insert(
                    "name".into(),
                    g.get("displayName").cloned().unwrap_or(Value::Null),
                );
            } else {
                rec.insert("id".into(), json!(id));
            }
            if let Some(members) = g.get("members").and_then(Value::as_array) {
                let names: Vec<Value> = members
                    .iter()
                    .filter_map(|m| m.get("value").and_then(Value::as_str))
                    // A user deleted since leaves its groups.
                    .filter(|m| !self.deleted.contains(*m))
                    .map(user_name)
                    .collect();
                rec.insert("members".into(), json!(names));
                rec.insert("exactMembers".into(), json!(true));
            }
            groups.push(Value::Object(rec));
        }
        json!({
            "version": 1,
            "orgs": [{ "id": ORG, "exactUsers": false, "users": users, "groups": groups }]
        })
    }
}

/// A JSON-pointer token (`~` and `/` escaped).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scim_paths_are_recognised_in_any_case() {
        assert!(
            matches!(target("/api/v2/scim/v2/users/u1?x=1"), Some((Kind::User, Some(id))) if id == "u1")
        );
        assert!(matches!(
            target("/api/v2/scim/Groups"),
            Some((Kind::Group, None))
        ));
        assert!(target("/api/v2/users/u1").is_none());
    }

    #[test]
    fn the_fixture_holds_the_state_before_the_first_write_and_no_created_user() {
        let x = |method: &str, path: &str, status: u16, body: Value| Exchange {
            method: method.into(),
            url: format!("http://h{path}"),
            status,
            response_body: Some(body.to_string()),
            ..Exchange::default()
        };
        let mut o = Observed::from_exchanges(&[
            x(
                "GET",
                "/api/v2/scim/v2/Users/u1",
                200,
                json!({"id": "u1", "userName": "a@x.example", "title": "Old", "groups": [{"value": "g9"}]}),
            ),
            x(
                "PATCH",
                "/api/v2/scim/v2/Users/u1",
                200,
                json!({"id": "u1", "userName": "a@x.example", "title": "New"}),
            ),
            x(
                "POST",
                "/api/v2/scim/v2/Users",
                201,
                json!({"id": "u2", "userName": "b@x.example"}),
            ),
        ]);
        let f = o.fixture(&[("c".into(), "s".into())]);
        let users = f["orgs"][0]["users"].as_array().unwrap();
        assert_eq!(users.len(), 1);
        assert_eq!(users[0]["title"], "Old");
        assert_eq!(
            f["orgs"][0]["groups"][0],
            json!({"id": "g9", "name": "Placeholder group 1", "members": ["u1"]})
        );
        let e = o.expectation();
        assert_eq!(e["orgs"][0]["users"][1], json!({"userName": "b@x.example"}));
    }
}
