//! Fixture files: orgs and everything in them, as versioned JSON.
//!
//! Records are inserted through the same operations the API uses (`user_from_scim`,
//! `Org::put_user`, `Org::put_group`), so a fixture cannot build a state the API could not, and
//! a bad record fails with the same rule the API would apply, plus the file, record and field
//! it came from. The format is documented in `docs/fixtures.md` and `fixtures/schema.json`.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::genesys::compat::Compat;
use crate::genesys::group::{Group, GroupType, Visibility};
use crate::genesys::mapping::{self, Mode, WriteCtx};
use crate::genesys::org::{Division, Limits, Named, Org};
use crate::genesys::user::UserState;
use crate::rng::Seeded;
use crate::store::{OAuthClient, Store};

pub mod genesys_form;

pub use genesys_form::GenesysUser;

/// The fixture format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// The built-in default org, served when no fixtures are given.
pub const DEFAULT_ORG: &str = include_str!("../fixtures/default-org.json");

/// The JSON Schema of the format, skipped when a directory is read.
pub const SCHEMA_FILE: &str = "schema.json";

/// A fixture document: one or more orgs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FixtureFile {
    /// Optional pointer to `fixtures/schema.json`, for editors that validate as you type.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Format version; must be 1.
    pub version: u32,
    pub orgs: Vec<OrgFixture>,
}

/// One org.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrgFixture {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub divisions: Vec<Division>,
    #[serde(default)]
    pub roles: Vec<Named>,
    #[serde(default)]
    pub skills: Vec<Named>,
    #[serde(default)]
    pub languages: Vec<Named>,
    #[serde(default)]
    pub limits: Option<Limits>,
    /// Compatibility switches for this org, as `NAME: VALUE` (e.g. `"profile": "rfc"`).
    #[serde(default)]
    pub compat: Option<serde_json::Map<String, Value>>,
    #[serde(default)]
    pub oauth_clients: Vec<ClientFixture>,
    /// Users in SCIM form (a POST body plus a fixed `id`, and `deleted: true` for soft-deleted),
    /// or in Genesys form (`{"id": ..., "genesys": {...}}`, see [`GenesysUser`]).
    #[serde(default)]
    pub users: Vec<Value>,
    #[serde(default)]
    pub groups: Vec<GroupFixture>,
}

/// An OAuth client.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientFixture {
    pub id: String,
    pub secret: String,
    #[serde(default)]
    pub name: Option<String>,
    /// Token lifetime in seconds (Genesys: 300 to 172800). Default 86400.
    #[serde(default = "default_ttl")]
    pub token_ttl_secs: u64,
    #[serde(default)]
    pub rate_limit_per_minute: Option<u32>,
}

fn default_ttl() -> u64 {
    86_400
}

/// A group.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupFixture {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: GroupType,
    #[serde(default)]
    pub visibility: Visibility,
    #[serde(default)]
    pub external_id: Option<String>,
    /// Member user ids.
    #[serde(default)]
    pub members: Vec<String>,
}

/// A fixture error: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub file: String,
    /// e.g. `orgs[0].users[3]` (with the record's id when it has one).
    pub record: String,
    /// The field at fault, when one is.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.record)?;
        if let Some(field) = &self.field {
            write!(f, ", field {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Error {}

fn err(
    file: &str,
    record: impl Into<String>,
    field: Option<&str>,
    message: impl Into<String>,
) -> Error {
    Error {
        file: file.to_owned(),
        record: record.into(),
        field: field.map(str::to_owned),
        message: message.into(),
    }
}

/// Reads fixture documents from a file or every `*.json` file of a directory (sorted by name,
/// `schema.json` excepted).
pub fn read_path(path: &Path) -> Result<Vec<(String, FixtureFile)>, Error> {
    let shown = path.display().to_string();
    let files: Vec<PathBuf> = if path.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| {
                err(
                    &shown,
                    "(directory)",
                    None,
                    format!("cannot read directory: {e}"),
                )
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            // The format's own JSON Schema ships next to the fixtures; it is not a fixture.
            .filter(|p| p.file_name().is_none_or(|n| n != SCHEMA_FILE))
            .collect();
        v.sort();
        if v.is_empty() {
            return Err(err(
                &shown,
                "(directory)",
                None,
                "no *.json fixture files found",
            ));
        }
        v
    } else {
        vec![path.to_owned()]
    };
    files
        .iter()
        .map(|f| {
            let name = f.display().to_string();
            let text = std::fs::read_to_string(f)
                .map_err(|e| err(&name, "(file)", None, format!("cannot read file: {e}")))?;
            parse(&name, &text).map(|doc| (name, doc))
        })
        .collect()
}

/// Parses one fixture document. JSON and shape errors name the line and column.
pub fn parse(file: &str, text: &str) -> Result<FixtureFile, Error> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        err(
            file,
            format!("line {} column {}", e.line(), e.column()),
            None,
            format!("invalid JSON: {e}"),
        )
    })?;
    let version = value.get("version").and_then(Value::as_u64);
    if version != Some(u64::from(FORMAT_VERSION)) {
        return Err(err(
            file,
            "(document)",
            Some("version"),
            format!(
                "must be {FORMAT_VERSION}, got {}",
                value
                    .get("version")
                    .map_or("nothing".to_owned(), Value::to_string)
            ),
        ));
    }
    check_shape(file, &value)?;
    serde_json::from_value(value).map_err(|e| {
        let msg = e.to_string();
        err(file, "(document)", serde_field(&msg).as_deref(), msg)
    })
}

/// Keys a record may carry, for reference types defined outside this module (which accept
/// unknown fields when deserialized): a typo in a fixture should fail, not vanish.
const DIVISION_KEYS: &[&str] = &["id", "name", "home"];
const NAMED_KEYS: &[&str] = &["id", "name"];
const LIMIT_KEYS: &[&str] = &[
    "externalIdsPerUser",
    "skillsPerUser",
    "languagesPerUser",
    "groupsPerUser",
    "membersPerGroup",
    "patchOperations",
];

/// Checks the document record by record, so a shape error names the record and the field
/// rather than only the document.
fn check_shape(file: &str, doc: &Value) -> Result<(), Error> {
    let obj = doc
        .as_object()
        .ok_or_else(|| err(file, "(document)", None, "must be a JSON object"))?;
    unknown_keys(file, "(document)", obj, &["$schema", "version", "orgs"])?;
    let orgs = match obj.get("orgs") {
        Some(Value::Array(a)) => a,
        _ => {
            return Err(err(
                file,
                "(document)",
                Some("orgs"),
                "must be an array of orgs",
            ));
        }
    };
    for (i, org) in orgs.iter().enumerate() {
        let place = format!("orgs[{i}]");
        let Some(o) = org.as_object() else {
            return Err(err(file, place, None, "an org must be a JSON object"));
        };
        let items = |key: &str| o.get(key).and_then(Value::as_array).into_iter().flatten();
        let at = |key: &str, j: usize, v: &Value| {
            let id = v.get("id").and_then(Value::as_str).unwrap_or("");
            format!("orgs[{i}].{key}[{j}] (id {id:?})")
        };
        for (key, allowed) in [
            ("divisions", DIVISION_KEYS),
            ("roles", NAMED_KEYS),
            ("skills", NAMED_KEYS),
            ("languages", NAMED_KEYS),
        ] {
            for (j, v) in items(key).enumerate() {
                let rec = v
                    .as_object()
                    .ok_or_else(|| err(file, at(key, j, v), None, "must be a JSON object"))?;
                unknown_keys(file, &at(key, j, v), rec, allowed)?;
                for k in ["id", "name"] {
                    if !rec.get(k).is_some_and(Value::is_string) {
                        return Err(err(file, at(key, j, v), Some(k), "a string is required"));
                    }
                }
            }
        }
        if let Some(Value::Object(l)) = o.get("limits") {
            unknown_keys(file, &format!("{place}.limits"), l, LIMIT_KEYS)?;
        }
        for (j, v) in items("oauthClients").enumerate() {
            typed::<ClientFixture>(file, &at("oauthClients", j, v), v)?;
        }
        for (j, v) in items("groups").enumerate() {
            typed::<GroupFixture>(file, &at("groups", j, v), v)?;
        }
        serde_json::from_value::<OrgFixture>(org.clone()).map_err(|e| {
            let msg = e.to_string();
            err(file, place.clone(), serde_field(&msg).as_deref(), msg)
        })?;
    }
    Ok(())
}

fn typed<T: serde::de::DeserializeOwned>(file: &str, place: &str, v: &Value) -> Result<T, Error> {
    serde_json::from_value(v.clone()).map_err(|e| {
        let msg = e.to_string();
        err(file, place, serde_field(&msg).as_deref(), msg)
    })
}

fn unknown_keys(
    file: &str,
    place: &str,
    obj: &serde_json::Map<String, Value>,
    allowed: &[&str],
) -> Result<(), Error> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(err(
            file,
            place,
            Some(k),
            format!(
                "unknown field {k:?}; expected one of {}",
                allowed.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

/// The field a serde message is about: the first name in backticks (`unknown field `x``,
/// `missing field `x``).
fn serde_field(msg: &str) -> Option<String> {
    let start = ["unknown field `", "missing field `"]
        .iter()
        .find_map(|p| msg.find(p).map(|i| i + p.len()))?;
    let len = msg[start..].find('`')?;
    Some(msg[start..start + len].to_owned())
}

/// Loads parsed fixtures into `store`, each org with its own seeded id stream.
pub fn load(
    store: &Store,
    docs: &[(String, FixtureFile)],
    seed: Option<u64>,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let mut seen = std::collections::HashSet::new();
    for (file, doc) in docs {
        for (i, fixture) in doc.orgs.iter().enumerate() {
            let where_ = format!("orgs[{i}] (id {:?})", fixture.id);
            if !seen.insert(fixture.id.clone()) {
                return Err(err(file, where_, Some("id"), "duplicate org id"));
            }
            let org = build_org(file, i, fixture, seed, now)?;
            store.insert_org(org);
            for (j, c) in fixture.oauth_clients.iter().enumerate() {
                if !(300..=172_800).contains(&c.token_ttl_secs) {
                    return Err(err(
                        file,
                        format!("orgs[{i}].oauthClients[{j}] (id {:?})", c.id),
                        Some("tokenTtlSecs"),
                        format!(
                            "must be from 300 to 172800 seconds (Genesys' range), got {}",
                            c.token_ttl_secs
                        ),
                    ));
                }
                if c.rate_limit_per_minute == Some(0) {
                    return Err(err(
                        file,
                        format!("orgs[{i}].oauthClients[{j}] (id {:?})", c.id),
                        Some("rateLimitPerMinute"),
                        "must be greater than 0 (omit it to use --rate-limit)",
                    ));
                }
                if store.client(&c.id).is_some() {
                    return Err(err(
                        file,
                        format!("orgs[{i}].oauthClients[{j}]"),
                        Some("id"),
                        format!("duplicate OAuth client id {:?}", c.id),
                    ));
                }
                store.insert_client(OAuthClient {
                    id: c.id.clone(),
                    secret: c.secret.clone(),
                    org_id: fixture.id.clone(),
                    name: c.name.clone(),
                    token_ttl_secs: c.token_ttl_secs,
                    rate_limit_per_minute: c.rate_limit_per_minute,
                });
            }
        }
    }
    Ok(())
}

/// Builds one org from its fixture.
pub fn build_org(
    file: &str,
    i: usize,
    f: &OrgFixture,
    seed: Option<u64>,
    now: DateTime<Utc>,
) -> Result<Org, Error> {
    let at = |what: &str, j: usize, id: &str| format!("orgs[{i}].{what}[{j}] (id {id:?})");
    if f.id.trim().is_empty() {
        return Err(err(
            file,
            format!("orgs[{i}]"),
            Some("id"),
            "must not be empty",
        ));
    }
    let mut org = Org::new(
        &f.id,
        f.name.as_deref().unwrap_or(&f.id),
        Seeded::derive(seed, &f.id),
    );
    org.divisions = f.divisions.clone();
    org.roles = f.roles.clone();
    org.skills = f.skills.clone();
    org.languages = f.languages.clone();
    if let Some(l) = &f.limits {
        if let Some(field) = l.first_zero() {
            return Err(err(
                file,
                format!("orgs[{i}]"),
                Some(&format!("limits.{field}")),
                "must be greater than 0",
            ));
        }
        org.limits = l.clone();
    }
    for (what, list) in [
        (
            "divisions",
            f.divisions
                .iter()
                .map(|d| (&d.id, &d.name))
                .collect::<Vec<_>>(),
        ),
        ("roles", f.roles.iter().map(|d| (&d.id, &d.name)).collect()),
        (
            "skills",
            f.skills.iter().map(|d| (&d.id, &d.name)).collect(),
        ),
        (
            "languages",
            f.languages.iter().map(|d| (&d.id, &d.name)).collect(),
        ),
    ] {
        let mut ids = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for (j, (id, name)) in list.iter().enumerate() {
            if !ids.insert(id.as_str()) {
                return Err(err(file, at(what, j, id), Some("id"), "duplicate id"));
            }
            if !names.insert(name.to_lowercase()) {
                return Err(err(
                    file,
                    at(what, j, id),
                    Some("name"),
                    format!("duplicate name {name:?}"),
                ));
            }
        }
    }
    if org.divisions.is_empty() {
        return Err(err(
            file,
            format!("orgs[{i}]"),
            Some("divisions"),
            "an org needs at least one division (the home division)",
        ));
    }
    if let Some(map) = &f.compat {
        let mut compat = Compat::default();
        compat
            .apply_json(map)
            .map_err(|(k, e)| err(file, format!("orgs[{i}]"), Some(&format!("compat.{k}")), e))?;
        org.compat = Some(compat);
    }
    let compat = org.compat.clone().unwrap_or_default();

    // Users: first without managers (a manager may come later in the file), then managers.
    let mut managers = Vec::new();
    for (j, record) in f.users.iter().enumerate() {
        let id = record
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let place = at("users", j, &id);
        if id.is_empty() {
            return Err(err(
                file,
                place,
                Some("id"),
                "every fixture user needs a fixed string id",
            ));
        }
        if org.user_any(&id).is_some() {
            return Err(err(file, place, Some("id"), "duplicate user id"));
        }
        let (mut body, genesys) = user_body(file, &place, record, &id)?;
        // Errors name the field as the record spells it.
        let field = |f: Option<&str>| -> Option<String> {
            f.map(|f| {
                if genesys {
                    genesys_form::field_name(f)
                } else {
                    f.to_owned()
                }
            })
        };
        let deleted = body
            .get("deleted")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let manager = take_manager(&mut body);
        if let Some(obj) = body.as_object_mut() {
            obj.remove("deleted");
        }
        let ctx = WriteCtx {
            org: &org,
            compat: &compat,
            mode: Mode::Create,
            previous: None,
        };
        let mut user = mapping::user_from_scim(&body, &id, &ctx).map_err(|e| {
            err(
                file,
                place.clone(),
                field(field_of(&e.detail)).as_deref(),
                e.detail.clone(),
            )
        })?;
        if deleted {
            user.state = UserState::Deleted;
        }
        org.put_user(user, now).map_err(|e| {
            // put_user fails only on uniqueness: of the userName, or of an external id.
            let f = if e.scim_type == Some("uniqueness") {
                "userName"
            } else {
                "externalIds"
            };
            err(file, place.clone(), field(Some(f)).as_deref(), e.detail)
        })?;
        if let Some(m) = manager {
            let manager_field = field(Some("manager")).unwrap_or_default();
            managers.push((place, id, m, manager_field));
        }
    }
    for (place, id, manager, manager_field) in managers {
        let mut user = org.user_any(&id).cloned().expect("inserted above");
        if manager == id {
            return Err(err(
                file,
                place,
                Some(&manager_field),
                "a user cannot be their own manager",
            ));
        }
        if org.user(&manager).is_none() {
            return Err(err(
                file,
                place,
                Some(&manager_field),
                format!("{manager:?} is not the id of a non-deleted user in this org"),
            ));
        }
        user.manager_id = Some(manager);
        org.put_user(user, now)
            .map_err(|e| err(file, place.clone(), None, e.detail))?;
    }
    for (j, g) in f.groups.iter().enumerate() {
        let place = at("groups", j, &g.id);
        if org.group(&g.id).is_some() {
            return Err(err(file, place, Some("id"), "duplicate group id"));
        }
        if org.groups().any(|o| o.name.eq_ignore_ascii_case(&g.name)) {
            return Err(err(
                file,
                place,
                Some("name"),
                format!(
                    "duplicate group name {:?} (Entra matches groups by name, case-insensitively)",
                    g.name
                ),
            ));
        }
        for m in &g.members {
            if org.user(m).is_none() {
                return Err(err(
                    file,
                    place,
                    Some("members"),
                    format!("{m:?} is not a user id in this org"),
                ));
            }
        }
        let group = Group {
            id: g.id.clone(),
            name: g.name.clone(),
            description: g.description.clone(),
            kind: g.kind,
            visibility: g.visibility,
            external_id: g.external_id.clone(),
            members: g.members.clone(),
            version: 0,
            date_modified: now,
            date_created: now,
        };
        org.put_group(group, now)
            .map_err(|e| err(file, place, Some("members"), e.detail))?;
    }
    org.settle_fixture_versions();
    Ok(org)
}

/// The SCIM body of a fixture user record and whether it was written in Genesys form. A
/// SCIM-form record may carry only SCIM attributes (supported or documented as unsupported),
/// extension objects, `id` and `deleted`: anything else is a typo, and a typo must not vanish.
fn user_body(file: &str, place: &str, record: &Value, id: &str) -> Result<(Value, bool), Error> {
    let obj = record
        .as_object()
        .ok_or_else(|| err(file, place, None, "a user must be a JSON object"))?;
    if let Some(g) = obj.get("genesys") {
        unknown_keys(file, place, obj, &["id", "genesys"])?;
        let user: GenesysUser = serde_json::from_value(g.clone()).map_err(|e| {
            let msg = e.to_string();
            let f = serde_field(&msg).map(|f| format!("genesys.{f}"));
            err(file, place, f.as_deref(), msg)
        })?;
        return Ok((user.to_scim(id), true));
    }
    for key in obj.keys() {
        let known = ["id", "deleted", "schemas"].contains(&key.as_str())
            || crate::scim::schema::USER_SCHEMA.attribute(key).is_some()
            || mapping::is_documented_unsupported(key)
            || key.starts_with("urn:");
        if !known {
            return Err(err(
                file,
                place,
                Some(key),
                "unknown field: not a SCIM User attribute, an extension URN, \"id\", \"deleted\" or \"genesys\"",
            ));
        }
    }
    if obj.get("deleted").is_some_and(|d| !d.is_boolean()) {
        return Err(err(file, place, Some("deleted"), "must be true or false"));
    }
    Ok((record.clone(), false))
}

/// Removes the enterprise manager from a fixture user body, returning its id. Managers are set
/// in a second pass so a user may name a manager defined later in the file.
fn take_manager(body: &mut Value) -> Option<String> {
    let ext = body
        .get_mut(crate::scim::schema::ENTERPRISE_USER)?
        .as_object_mut()?;
    match ext.remove("manager")? {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("value").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

/// The attribute a mapping error is about: the word before the first `:` or ` `.
fn field_of(detail: &str) -> Option<&str> {
    let end = detail.find([':', ' ']).unwrap_or(detail.len());
    let word = &detail[..end];
    (!word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'))
        .then_some(word)
}

/// Loads `--fixtures`, or the built-in default org when there are none.
pub fn load_configured(
    store: &Store,
    path: Option<&Path>,
    seed: Option<u64>,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    load(store, &read_configured(path)?, seed, now)
}

/// Reads `--fixtures`, or the built-in default org when there are none.
pub fn read_configured(path: Option<&Path>) -> Result<Vec<(String, FixtureFile)>, Error> {
    match path {
        Some(p) => read_path(p),
        None => Ok(vec![(
            "(built-in default org)".to_owned(),
            parse("(built-in default org)", DEFAULT_ORG)?,
        )]),
    }
}

/// Checks fixtures without serving: every record is loaded into a scratch store.
pub fn validate(path: &Path) -> Result<usize, Error> {
    let docs = read_path(path)?;
    load(&Store::new(), &docs, Some(0), Utc::now())?;
    Ok(docs.iter().map(|(_, d)| d.orgs.len()).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_org_loads() {
        let store = Store::new();
        load_configured(&store, None, Some(1), Utc::now()).unwrap();
        let org = store.org("default").unwrap();
        let org = org.read();
        assert_eq!(org.divisions.len(), 3);
        assert!(org.user_count() >= 5);
        assert_eq!(org.groups().count(), 3);
        assert!(org.users().any(|u| u.manager_id.is_some()));
        assert_eq!(store.clients_of("default").len(), 1);
    }

    #[test]
    fn errors_name_file_record_and_field() {
        let text = r#"{"version":1,"orgs":[{"id":"o","divisions":[{"id":"d","name":"Home"}],
            "users":[{"id":"u1","userName":"a@x.org","displayName":"A","roles":[{"value":"nope"}]}]}]}"#;
        let doc = parse("f.json", text).unwrap();
        let e = load(&Store::new(), &[("f.json".into(), doc)], None, Utc::now()).unwrap_err();
        assert_eq!(e.file, "f.json");
        assert!(e.record.contains("users[0]"), "{e}");
        assert_eq!(e.field.as_deref(), Some("roles"));
        assert!(e.message.contains("nope"));
    }

    #[test]
    fn wrong_version_and_bad_json_are_reported() {
        assert_eq!(
            parse("f", r#"{"version":2,"orgs":[]}"#)
                .unwrap_err()
                .field
                .as_deref(),
            Some("version")
        );
        assert!(parse("f", "{").unwrap_err().record.contains("line 1"));
    }
}
