//! Checking an [`Expectation`] against the live store.
//!
//! Each org is read under its lock once, so a check sees one consistent state even while a
//! client is still writing. Users are found as the API finds them: by id (deleted or not), or
//! by `userName` case-insensitively among non-deleted users, then among deleted ones (so a
//! record can say the user it expected was deleted rather than never created).

use std::collections::HashSet;

use serde_json::{Value, json};

use super::comparison::{Difference, compare_fields, matches};
use super::spec::{Expectation, GroupSpec, Key, OrgSpec, UserSpec};
use super::verdict::{Check, Form, Problem, Verdict};
use crate::genesys::group::{Group, GroupType};
use crate::genesys::mapping::{View, user_to_scim};
use crate::genesys::org::Org;
use crate::genesys::user::User;
use crate::seed::GenesysUser;
use crate::store::Store;

/// Checks every org of the expectation.
pub(crate) fn check(store: &Store, exp: &Expectation) -> Verdict {
    let mut checks = Vec::new();
    for spec in &exp.orgs {
        match store.org(&spec.id) {
            Some(handle) => check_org(&handle.read(), spec, &mut checks),
            None => checks.push(Check::new(
                &spec.id,
                &spec.place,
                vec![Problem::Missing {
                    kind: "org",
                    key: spec.id.clone(),
                    note: Some(format!("orgs here: {}", store.org_ids().join(", "))),
                }],
            )),
        }
    }
    Verdict { checks }
}

fn check_org(org: &Org, spec: &OrgSpec, out: &mut Vec<Check>) {
    let mut seen: HashSet<&str> = HashSet::new();
    for u in &spec.users {
        let found = find_user(org, &u.key);
        if let Some(user) = found {
            seen.insert(&user.id);
        }
        out.push(Check::new(&org.id, &u.place, check_user(org, u, found)));
    }
    if spec.exact_users {
        let problems = org
            .users()
            .filter(|u| u.is_live() && !seen.contains(u.id.as_str()))
            .map(|u| Problem::Unexpected {
                kind: "user",
                id: u.id.clone(),
                user_name: u.email.clone(),
            })
            .collect();
        out.push(Check::new(
            &org.id,
            &format!("{} exactUsers", spec.place),
            problems,
        ));
    }
    for g in &spec.groups {
        out.push(Check::new(&org.id, &g.place, check_group(org, g)));
    }
}

fn find_user<'o>(org: &'o Org, key: &Key) -> Option<&'o User> {
    match key {
        Key::Id(id) => org.user_any(id),
        Key::Name(n) => org.user_by_name(n).or_else(|| org.deleted_user_by_name(n)),
    }
}

fn key_text(key: &Key) -> &str {
    match key {
        Key::Id(s) | Key::Name(s) => s,
    }
}

fn check_user(org: &Org, spec: &UserSpec, found: Option<&User>) -> Vec<Problem> {
    let key = key_text(&spec.key).to_owned();
    let user = match (found, spec.deleted) {
        (None, true) => return Vec::new(),
        (Some(u), true) if !u.is_live() => return Vec::new(),
        (Some(u), true) => {
            return vec![Problem::Differing {
                form: Form::Genesys,
                diff: Difference {
                    field: "state".into(),
                    expected: json!("deleted"),
                    actual: json!(u.state.as_str()),
                },
            }];
        }
        (None, false) => {
            return vec![Problem::Missing {
                kind: "user",
                key,
                note: None,
            }];
        }
        (Some(u), false) if !u.is_live() => {
            return vec![Problem::Missing {
                kind: "user",
                key,
                note: Some(format!("it was deleted (id {})", u.id)),
            }];
        }
        (Some(u), false) => u,
    };
    let mut problems = Vec::new();
    let mut scim = spec.scim.clone();
    let groups = scim.remove("groups");
    let view = user_to_scim(user, &View::new(org, ""));
    let mut diffs = Vec::new();
    compare_fields(&scim, &view, &mut diffs);
    if let Some(Value::Array(want)) = groups {
        let want: Vec<Value> = want.iter().map(|g| json!(group_name(org, g))).collect();
        let got: Vec<Value> = org
            .groups_of(&user.id)
            // The SCIM view lists official public groups only (see `read_groups`).
            .filter(|g| g.kind == GroupType::Official && g.scim_visible())
            .map(|g| json!(g.name))
            .collect();
        if !matches(
            &Value::Array(want.clone()),
            Some(&Value::Array(got.clone())),
        ) {
            diffs.push(Difference {
                field: "groups".into(),
                expected: Value::Array(want),
                actual: Value::Array(got),
            });
        }
    }
    problems.extend(diffs.drain(..).map(|diff| Problem::Differing {
        form: Form::Scim,
        diff,
    }));
    if !spec.genesys.is_empty() {
        let form = serde_json::to_value(GenesysUser::from_user(user, org)).unwrap_or_default();
        compare_fields(&spec.genesys, &form, &mut diffs);
        problems.extend(diffs.into_iter().map(|diff| Problem::Differing {
            form: Form::Genesys,
            diff,
        }));
    }
    problems
}

/// A group named in a user's expected `groups`: an id or a name, given as a string or as
/// `{"value": id}`, shown by the group's own name when the org has it.
fn group_name(org: &Org, entry: &Value) -> String {
    let given = entry
        .as_str()
        .or_else(|| entry.get("value").and_then(Value::as_str))
        .unwrap_or_default();
    org.group(given)
        .or_else(|| org.groups().find(|g| g.name.eq_ignore_ascii_case(given)))
        .map_or_else(|| given.to_owned(), |g| g.name.clone())
}

fn find_group<'o>(org: &'o Org, key: &Key) -> Option<&'o Group> {
    match key {
        Key::Id(id) => org.group(id),
        Key::Name(n) => org.groups().find(|g| g.name.eq_ignore_ascii_case(n)),
    }
}

fn check_group(org: &Org, spec: &GroupSpec) -> Vec<Problem> {
    let Some(group) = find_group(org, &spec.key) else {
        return vec![Problem::Missing {
            kind: "group",
            key: key_text(&spec.key).to_owned(),
            note: None,
        }];
    };
    let mut problems = Vec::new();
    let mut diffs = Vec::new();
    // The fixture form of a group, which is what Genesys stores.
    let form = json!({
        "id": group.id,
        "name": group.name,
        "description": group.description,
        "type": group.kind,
        "visibility": group.visibility,
        "externalId": group.external_id,
    });
    compare_fields(&spec.fields, &form, &mut diffs);
    problems.extend(diffs.into_iter().map(|diff| Problem::Differing {
        form: Form::Genesys,
        diff,
    }));
    let Some(expected) = &spec.members else {
        return problems;
    };
    let members: HashSet<&str> = group.members.iter().map(String::as_str).collect();
    let mut covered: HashSet<&str> = HashSet::new();
    for m in expected {
        let id = if members.contains(m.as_str()) {
            Some(m.as_str())
        } else {
            org.user_by_name(m)
                .map(|u| u.id.as_str())
                .filter(|id| members.contains(id))
        };
        match id {
            Some(id) => {
                covered.insert(id);
            }
            None => problems.push(Problem::Missing {
                kind: "member",
                key: m.clone(),
                note: (org.user(m).is_none() && org.user_by_name(m).is_none())
                    .then(|| "no such user".to_owned()),
            }),
        }
    }
    if spec.exact_members {
        for id in group
            .members
            .iter()
            .filter(|id| !covered.contains(id.as_str()))
        {
            problems.push(Problem::Unexpected {
                kind: "member",
                id: id.clone(),
                user_name: org
                    .user_any(id)
                    .map(|u| u.email.clone())
                    .unwrap_or_default(),
            });
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::expect::spec::from_value;

    const JAMES: &str = "a1b2c3d4-0002-4000-8000-000000000002";

    fn store() -> Store {
        let store = Store::new();
        crate::seed::defaults::load_configured(&store, None, Some(1), chrono::Utc::now()).unwrap();
        store
    }

    fn run(store: &Store, org: Value) -> Verdict {
        let doc = json!({"version": 1, "orgs": [org]});
        check(store, &from_value("e.json", &doc).unwrap())
    }

    #[test]
    fn the_default_org_as_it_is_passes() {
        let s = store();
        // Matched case-insensitively, as Genesys finds users; compared exactly once found.
        let v = run(
            &s,
            json!({"id": "default", "users": [{"userName": "JAMES.SMITH@example.com"}]}),
        );
        assert_eq!(
            v.to_json()["differing"][0]["actual"],
            "james.smith@example.com"
        );
        let v = run(
            &s,
            json!({"id": "default", "users": [
                {"userName": "james.smith@example.com", "displayName": "James Smith",
                 "roles": [{"value": "Agent"}, {"value": "employee"}],
                 "groups": ["sales team"],
                 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"division": "Sales"},
                 "genesys": {"divisionName": "Sales", "state": "active", "employeeId": "0002"}},
                {"id": "nobody-ever", "deleted": true}],
              "groups": [{"name": "Sales Team", "members": ["james.smith@example.com",
                          "a1b2c3d4-0004-4000-8000-000000000004"], "exactMembers": true,
                          "visibility": "public"}]}),
        );
        assert!(v.ok(), "{}", v.to_text());
        assert_eq!(v.checks.len(), 3);
    }

    #[test]
    fn every_kind_of_difference_is_reported() {
        let s = store();
        let v = run(
            &s,
            json!({"id": "default", "exactUsers": true, "users": [
                {"userName": "james.smith@example.com", "displayName": "Jim",
                 "groups": ["Supervisors"], "genesys": {"divisionName": "Home"}},
                {"userName": "ghost@example.com"},
                {"id": "a1b2c3d4-0001-4000-8000-000000000001", "deleted": true}],
              "groups": [{"name": "Sales Team", "members": ["ghost@example.com"], "exactMembers": true},
                         {"name": "No Such Group"}]}),
        );
        assert!(!v.ok());
        let j = v.to_json();
        let fields: Vec<(&str, &str)> = j["differing"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["form"].as_str().unwrap(), d["field"].as_str().unwrap()))
            .collect();
        assert_eq!(
            fields,
            [
                ("scim", "displayName"),
                ("scim", "groups"),
                ("genesys", "divisionName"),
                ("genesys", "state")
            ]
        );
        assert_eq!(j["differing"][1]["expected"], json!(["Supervisors"]));
        assert_eq!(j["differing"][1]["actual"], json!(["Sales Team"]));
        let missing: Vec<(&str, &str)> = j["missing"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["kind"].as_str().unwrap(), m["key"].as_str().unwrap()))
            .collect();
        assert_eq!(
            missing,
            [
                ("user", "ghost@example.com"),
                ("member", "ghost@example.com"),
                ("group", "No Such Group")
            ]
        );
        // exactUsers: the three default users no record names; exactMembers: both members.
        let unexpected: Vec<(&str, &str)> = j["unexpected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["kind"].as_str().unwrap(), m["userName"].as_str().unwrap()))
            .collect();
        assert_eq!(
            unexpected,
            [
                ("user", "aiko.tanaka@example.com"),
                ("user", "lucas.martin@example.com"),
                ("user", "olivia.brown@example.com"),
                ("member", "james.smith@example.com"),
                ("member", "lucas.martin@example.com"),
            ]
        );
    }

    #[test]
    fn a_deleted_user_is_missing_with_a_note_and_expected_deleted_passes() {
        let s = store();
        {
            let h = s.org("default").unwrap();
            let mut org = h.write();
            let mut u = org.user(JAMES).unwrap().clone();
            u.state = crate::genesys::user::UserState::Deleted;
            org.store_user(u, chrono::Utc::now()).unwrap();
        }
        let v = run(
            &s,
            json!({"id": "default", "users": [{"userName": "james.smith@example.com"}]}),
        );
        let j = v.to_json();
        assert!(
            j["missing"][0]["note"]
                .as_str()
                .unwrap()
                .contains("deleted"),
            "{j}"
        );
        let v = run(
            &s,
            json!({"id": "default", "users": [{"userName": "james.smith@example.com", "deleted": true}, {"id": JAMES, "deleted": true}]}),
        );
        assert!(v.ok(), "{}", v.to_text());
    }

    #[test]
    fn a_check_lists_at_most_max_problems_and_counts_the_rest() {
        let s = store();
        {
            let h = s.org("default").unwrap();
            let mut org = h.write();
            let james = org.user(JAMES).unwrap().clone();
            for i in 0..1010 {
                let mut u = james.clone();
                u.id = format!("extra-{i}");
                u.email = format!("extra{i}@example.com");
                u.external_ids.clear();
                org.store_user(u, chrono::Utc::now()).unwrap();
            }
        }
        let v = run(&s, json!({"id": "default", "exactUsers": true}));
        let c = &v.checks[0];
        assert_eq!(
            c.problems.len(),
            crate::control::expect::verdict::MAX_PROBLEMS
        );
        assert_eq!(
            c.omitted,
            1015 - 1000,
            "1010 extra users and the five default ones"
        );
        let j = v.to_json();
        assert_eq!(j["summary"]["omitted"], 15);
        assert_eq!(Verdict::from_json(&j).unwrap().checks[0].omitted, 15);
        assert!(v.to_text().contains("... and 15 more"));
    }

    #[test]
    fn an_unknown_org_is_missing() {
        let v = run(&store(), json!({"id": "elsewhere"}));
        let j = v.to_json();
        assert_eq!(j["missing"][0]["kind"], "org");
        assert!(
            j["missing"][0]["note"]
                .as_str()
                .unwrap()
                .contains("default")
        );
    }
}
