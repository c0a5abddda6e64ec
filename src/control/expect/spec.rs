//! The expected-state document: written like a fixture (`{"version": 1, "orgs": [...]}`), but
//! every record says only what it wants checked.
//!
//! A bad document fails with the fixtures' own [`Error`] (file, record, field, message), so an
//! expectation author reads the same kind of message a fixture author does. The format is
//! documented in `docs/expect.md`.

use serde_json::{Map, Value};

use crate::scim::schema::{ENTERPRISE_SCHEMA, ENTERPRISE_USER, GENESYS_SCHEMA, GENESYS_USER};
use crate::scim::schema::{UNSUPPORTED_USER, USER_SCHEMA};
use crate::seed::error::err;
use crate::seed::read::{json_document, unknown_keys};
use crate::seed::{Error, FORMAT_VERSION, genesys_form};

/// Keys an org record may carry.
const ORG_KEYS: &[&str] = &["id", "exactUsers", "users", "groups"];
/// Keys of a user record besides SCIM attributes and extension URNs.
const USER_KEYS: &[&str] = &["id", "deleted", "genesys", "schemas"];
/// Keys a group record may carry: the fixture group's, plus `exactMembers`.
const GROUP_KEYS: &[&str] = &[
    "id",
    "name",
    "description",
    "type",
    "visibility",
    "externalId",
    "members",
    "exactMembers",
];

/// A parsed, checked expectation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expectation {
    pub orgs: Vec<OrgSpec>,
}

/// What one org must look like.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OrgSpec {
    pub id: String,
    /// `orgs[0]`, for messages.
    pub place: String,
    /// No other non-deleted users may exist.
    pub exact_users: bool,
    pub users: Vec<UserSpec>,
    pub groups: Vec<GroupSpec>,
}

/// How a record names the user or group it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Key {
    Id(String),
    /// A user's `userName` (case-insensitive) or a group's `name` (case-insensitive).
    Name(String),
}

/// One expected user.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UserSpec {
    /// `orgs[0].users[2] (userName "ada@example.com")`.
    pub place: String,
    pub key: Key,
    /// The user must not exist, or be soft-deleted.
    pub deleted: bool,
    /// SCIM attributes to compare with the SCIM view (without `id`, `deleted`, `genesys`).
    pub scim: Map<String, Value>,
    /// Fields to compare with the Genesys form ([`genesys_form::GenesysUser`]).
    pub genesys: Map<String, Value>,
}

/// One expected group.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GroupSpec {
    pub place: String,
    pub key: Key,
    /// Fixture-form fields to compare (`description`, `type`, `visibility`, `externalId`, and
    /// `name` when the group is matched by id).
    pub fields: Map<String, Value>,
    /// Users that must be members, each a user id or a `userName`.
    pub members: Option<Vec<String>>,
    /// No other members may exist.
    pub exact_members: bool,
}

/// Parses and checks an expectation document. `file` names it in errors.
pub(crate) fn parse(file: &str, text: &str) -> Result<Expectation, Error> {
    from_value(file, &json_document(file, text)?)
}

/// Checks an already parsed document.
pub(crate) fn from_value(file: &str, doc: &Value) -> Result<Expectation, Error> {
    let obj = doc
        .as_object()
        .ok_or_else(|| err(file, "(document)", None, "must be a JSON object"))?;
    unknown_keys(file, "(document)", obj, &["$schema", "version", "orgs"])?;
    if obj.get("$schema").is_some_and(|s| !s.is_string()) {
        return Err(err(
            file,
            "(document)",
            Some("$schema"),
            "must be a string (the schema's URL or path)",
        ));
    }
    if obj.get("version").and_then(Value::as_u64) != Some(u64::from(FORMAT_VERSION)) {
        let got = obj
            .get("version")
            .map_or("nothing".to_owned(), Value::to_string);
        return Err(err(
            file,
            "(document)",
            Some("version"),
            format!("must be {FORMAT_VERSION}, got {got}"),
        ));
    }
    let orgs = match obj.get("orgs") {
        Some(Value::Array(a)) if !a.is_empty() => a,
        _ => {
            return Err(err(
                file,
                "(document)",
                Some("orgs"),
                "must be a non-empty array of orgs",
            ));
        }
    };
    let mut out = Vec::with_capacity(orgs.len());
    for (i, org) in orgs.iter().enumerate() {
        let spec = org_spec(file, i, org)?;
        if out.iter().any(|o: &OrgSpec| o.id == spec.id) {
            return Err(err(file, spec.place, Some("id"), "duplicate org id"));
        }
        out.push(spec);
    }
    Ok(Expectation { orgs: out })
}

fn org_spec(file: &str, i: usize, v: &Value) -> Result<OrgSpec, Error> {
    let place = format!("orgs[{i}]");
    let o = v
        .as_object()
        .ok_or_else(|| err(file, &place, None, "an org must be a JSON object"))?;
    unknown_keys(file, &place, o, ORG_KEYS)?;
    let id = match o.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => {
            return Err(err(
                file,
                &place,
                Some("id"),
                "the org id (a string) is required",
            ));
        }
    };
    let place = format!("{place} (id {id:?})");
    let exact_users = flag(file, &place, o, "exactUsers")?;
    let users = list(file, &place, o, "users")?
        .iter()
        .enumerate()
        .map(|(j, u)| user_spec(file, i, j, u))
        .collect::<Result<Vec<_>, _>>()?;
    let groups = list(file, &place, o, "groups")?
        .iter()
        .enumerate()
        .map(|(j, g)| group_spec(file, i, j, g))
        .collect::<Result<Vec<_>, _>>()?;
    for (kind, keys) in [
        (
            "users",
            users.iter().map(|u| (&u.key, &u.place)).collect::<Vec<_>>(),
        ),
        (
            "groups",
            groups.iter().map(|g| (&g.key, &g.place)).collect(),
        ),
    ] {
        let mut seen = std::collections::HashSet::new();
        for (key, at) in keys {
            let norm = match key {
                Key::Id(s) => format!("id:{s}"),
                Key::Name(s) => format!("name:{}", s.to_lowercase()),
            };
            if !seen.insert(norm) {
                return Err(err(
                    file,
                    at,
                    None,
                    format!("another record in {kind} names the same one"),
                ));
            }
        }
    }
    Ok(OrgSpec {
        id,
        place,
        exact_users,
        users,
        groups,
    })
}

fn user_spec(file: &str, i: usize, j: usize, v: &Value) -> Result<UserSpec, Error> {
    let bare = format!("orgs[{i}].users[{j}]");
    let o = v
        .as_object()
        .ok_or_else(|| err(file, &bare, None, "a user must be a JSON object"))?;
    let (key, place) = record_key(file, &bare, o, "userName", "user")?;
    let deleted = flag(file, &place, o, "deleted")?;
    let mut scim = Map::new();
    let mut genesys = Map::new();
    for (k, val) in o {
        match k.as_str() {
            "id" | "deleted" => {}
            "genesys" => {
                let g = val.as_object().ok_or_else(|| {
                    err(
                        file,
                        &place,
                        Some("genesys"),
                        "must be an object of Genesys-form fields",
                    )
                })?;
                if let Some(f) = g
                    .keys()
                    .find(|f| !genesys_form::FIELDS.contains(&f.as_str()))
                {
                    return Err(err(
                        file,
                        &place,
                        Some(&format!("genesys.{f}")),
                        format!(
                            "unknown Genesys-form field; expected one of {}",
                            genesys_form::FIELDS.join(", ")
                        ),
                    ));
                }
                genesys = g.clone();
            }
            "password" => {
                return Err(err(
                    file,
                    &place,
                    Some("password"),
                    "password is write-only: Genesys never returns it, so it cannot be compared",
                ));
            }
            _ => {
                scim_key(file, &place, k, val)?;
                scim.insert(k.clone(), val.clone());
            }
        }
    }
    if deleted && (!scim.keys().all(|k| k == "userName" || k == "schemas") || !genesys.is_empty()) {
        return Err(err(
            file,
            &place,
            Some("deleted"),
            "a record expecting a deleted user names it (id or userName) and nothing else",
        ));
    }
    if let Some(g) = scim.get("groups") {
        let ok = g.as_array().is_some_and(|a| {
            a.iter()
                .all(|m| m.is_string() || m.get("value").is_some_and(Value::is_string))
        });
        if !ok {
            return Err(err(
                file,
                &place,
                Some("groups"),
                "must be an array of group names or ids (or {\"value\": id} objects)",
            ));
        }
    }
    Ok(UserSpec {
        place,
        key,
        deleted,
        scim,
        genesys,
    })
}

/// Checks one top-level key of a SCIM-form user record: a core attribute, or a known
/// extension whose keys are its attributes. A typo must fail, not compare nothing.
fn scim_key(file: &str, place: &str, k: &str, val: &Value) -> Result<(), Error> {
    if USER_KEYS.contains(&k) || USER_SCHEMA.attribute(k).is_some() {
        return Ok(());
    }
    let ext = [
        (ENTERPRISE_USER, &ENTERPRISE_SCHEMA),
        (GENESYS_USER, &GENESYS_SCHEMA),
    ]
    .into_iter()
    .find(|(urn, _)| urn.eq_ignore_ascii_case(k));
    if let Some((urn, schema)) = ext {
        let obj = val
            .as_object()
            .ok_or_else(|| err(file, place, Some(k), "an extension must be an object"))?;
        if let Some(bad) = obj.keys().find(|a| schema.attribute(a).is_none()) {
            return Err(err(
                file,
                place,
                Some(&format!("{urn}:{bad}")),
                format!("not an attribute of {urn}"),
            ));
        }
        return Ok(());
    }
    let message = if UNSUPPORTED_USER.iter().any(|u| u.eq_ignore_ascii_case(k))
        || k.starts_with("urn:")
    {
        "Genesys does not store this attribute, so it can never be compared"
    } else {
        "unknown field: not a SCIM User attribute, a known extension URN, \"id\", \"deleted\" or \"genesys\""
    };
    Err(err(file, place, Some(k), message))
}

fn group_spec(file: &str, i: usize, j: usize, v: &Value) -> Result<GroupSpec, Error> {
    let bare = format!("orgs[{i}].groups[{j}]");
    let o = v
        .as_object()
        .ok_or_else(|| err(file, &bare, None, "a group must be a JSON object"))?;
    unknown_keys(file, &bare, o, GROUP_KEYS)?;
    let (key, place) = record_key(file, &bare, o, "name", "group")?;
    let exact_members = flag(file, &place, o, "exactMembers")?;
    let members = match o.get("members") {
        None => None,
        Some(Value::Array(a)) => Some(
            a.iter()
                .map(|m| m.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    err(
                        file,
                        &place,
                        Some("members"),
                        "must be an array of user ids or userNames",
                    )
                })?,
        ),
        Some(_) => {
            return Err(err(
                file,
                &place,
                Some("members"),
                "must be an array of user ids or userNames",
            ));
        }
    };
    if exact_members && members.is_none() {
        return Err(err(
            file,
            &place,
            Some("exactMembers"),
            "needs \"members\" (an empty array expects no members)",
        ));
    }
    let fields = o
        .iter()
        .filter(|(k, _)| !["id", "members", "exactMembers"].contains(&k.as_str()))
        .filter(|(k, _)| !(k.as_str() == "name" && matches!(key, Key::Name(_))))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(GroupSpec {
        place,
        key,
        fields,
        members,
        exact_members,
    })
}

/// Which user or group a record is about (`id`, else `name_key`), and the record's name for
/// messages: `orgs[0].users[2] (userName "ada@example.com")`.
fn record_key(
    file: &str,
    bare: &str,
    o: &Map<String, Value>,
    name_key: &str,
    what: &str,
) -> Result<(Key, String), Error> {
    let key = match (o.get("id"), o.get(name_key)) {
        (Some(Value::String(id)), _) => Key::Id(id.clone()),
        (Some(_), _) => return Err(err(file, bare, Some("id"), "must be a string")),
        (None, Some(Value::String(n))) => Key::Name(n.clone()),
        (None, Some(_)) => return Err(err(file, bare, Some(name_key), "must be a string")),
        (None, None) => {
            return Err(err(
                file,
                bare,
                None,
                format!("a {what} record needs \"{name_key}\" or \"id\" to say which {what} it is"),
            ));
        }
    };
    let place = match &key {
        Key::Id(id) => format!("{bare} (id {id:?})"),
        Key::Name(n) => format!("{bare} ({name_key} {n:?})"),
    };
    Ok((key, place))
}

fn flag(file: &str, place: &str, o: &Map<String, Value>, key: &str) -> Result<bool, Error> {
    match o.get(key) {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(err(file, place, Some(key), "must be true or false")),
    }
}

fn list<'a>(
    file: &str,
    place: &str,
    o: &'a Map<String, Value>,
    key: &str,
) -> Result<&'a [Value], Error> {
    match o.get(key) {
        None => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(err(file, place, Some(key), "must be an array")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bad(doc: Value) -> Error {
        from_value("e.json", &doc).unwrap_err()
    }

    fn org(users: Value) -> Value {
        json!({"version": 1, "orgs": [{"id": "default", "users": users}]})
    }

    #[test]
    fn a_full_document_parses() {
        let e = from_value(
            "e.json",
            &json!({"version": 1, "orgs": [{"id": "default", "exactUsers": true,
                "users": [
                    {"userName": "ada@example.com", "displayName": "Ada", "groups": ["Sales Team"],
                     "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"division": "Sales"},
                     "genesys": {"divisionName": "Sales"}},
                    {"id": "u9", "deleted": true}],
                "groups": [{"name": "Sales Team", "members": ["ada@example.com"], "exactMembers": true,
                            "visibility": "public"}]}]}),
        )
        .unwrap();
        let o = &e.orgs[0];
        assert!(o.exact_users);
        assert_eq!(o.users[0].key, Key::Name("ada@example.com".into()));
        assert!(o.users[0].scim.contains_key("displayName"));
        assert!(!o.users[0].scim.contains_key("genesys"));
        assert_eq!(o.users[0].genesys["divisionName"], "Sales");
        assert!(o.users[1].deleted);
        assert_eq!(
            o.groups[0].members.as_deref(),
            Some(&["ada@example.com".to_owned()][..])
        );
        assert!(o.groups[0].fields.contains_key("visibility"));
        assert!(
            !o.groups[0].fields.contains_key("name"),
            "the matching key is not compared"
        );
    }

    #[test]
    fn errors_name_the_record_and_the_field() {
        let cases = [
            (
                org(json!([{"userName": "a@x.org", "displayNam": "A"}])),
                "orgs[0].users[0] (userName \"a@x.org\")",
                Some("displayNam"),
            ),
            (org(json!([{"displayName": "A"}])), "orgs[0].users[0]", None),
            (
                org(json!([{"userName": "a@x.org", "genesys": {"nmae": "A"}}])),
                "orgs[0].users[0] (userName \"a@x.org\")",
                Some("genesys.nmae"),
            ),
            (
                org(json!([{"id": "u1", "password": "x"}])),
                "orgs[0].users[0] (id \"u1\")",
                Some("password"),
            ),
            (
                org(json!([{"id": "u1", "deleted": "yes"}])),
                "orgs[0].users[0] (id \"u1\")",
                Some("deleted"),
            ),
            (
                org(json!([{"id": "u1", "deleted": true, "title": "x"}])),
                "orgs[0].users[0] (id \"u1\")",
                Some("deleted"),
            ),
            (
                org(json!([{"id": "u1", "nickName": "x"}])),
                "orgs[0].users[0] (id \"u1\")",
                Some("nickName"),
            ),
            (
                org(json!([{"id": "u1", "groups": [3]}])),
                "orgs[0].users[0] (id \"u1\")",
                Some("groups"),
            ),
            (
                org(
                    json!([{"id": "u1", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"divison": "x"}}]),
                ),
                "orgs[0].users[0] (id \"u1\")",
                Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:divison"),
            ),
            (
                org(json!([{"userName": "a@x.org"}, {"userName": "A@x.org"}])),
                "orgs[0].users[1] (userName \"A@x.org\")",
                None,
            ),
            (
                json!({"version": 1, "orgs": [{"id": "o", "groups": [{"name": "G", "exactMembers": true}]}]}),
                "orgs[0].groups[0] (name \"G\")",
                Some("exactMembers"),
            ),
            (
                json!({"version": 1, "orgs": [{"id": "o", "groups": [{"name": "G", "members": [1]}]}]}),
                "orgs[0].groups[0] (name \"G\")",
                Some("members"),
            ),
            (
                json!({"version": 1, "orgs": [{"id": "o", "divisions": []}]}),
                "orgs[0]",
                Some("divisions"),
            ),
            (
                json!({"version": 1, "orgs": [{"id": "o", "exactUsers": 1}]}),
                "orgs[0] (id \"o\")",
                Some("exactUsers"),
            ),
            (
                json!({"version": 2, "orgs": []}),
                "(document)",
                Some("version"),
            ),
            (
                json!({"version": 1, "orgs": []}),
                "(document)",
                Some("orgs"),
            ),
            (
                json!({"version": 1, "orgs": [{"id": "o"}, {"id": "o"}]}),
                "orgs[1] (id \"o\")",
                Some("id"),
            ),
        ];
        for (doc, record, field) in cases {
            let e = bad(doc.clone());
            assert_eq!(e.file, "e.json");
            assert_eq!(e.record, record, "{doc}: {e}");
            assert_eq!(e.field.as_deref(), field, "{doc}: {e}");
            assert!(!e.message.is_empty());
        }
        let e = parse("e.json", "{\"version\": 1,\n \"orgs\": [").unwrap_err();
        assert!(e.record.starts_with("line 2"), "{e}");
    }
}
