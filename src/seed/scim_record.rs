//! SCIM-form fixture user records read into typed structs that borrow from the file's text,
//! and mapped to users without a `serde_json::Value` tree.
//!
//! A generated 100,000-user org spent about half its start-up building each record's `Value`
//! (order-keeping maps with SipHash'd keys, a `String` per key and value) and dropping it
//! again. A record of the common shape (the attributes of [`Record`], spelled as the schemas
//! spell them, every list element an object) is read here instead and mapped by [`user`],
//! which applies the rules [`mapping::user_from_scim`] applies to a create. Any other record,
//! and any record those rules would refuse, makes [`user`] answer `None`, and the caller takes
//! the general path, which words the error: a bad record fails exactly as it did before, and
//! an unusual one loads as before. The tests map every record of generated orgs, and a set of
//! odd and bad records, both ways and compare the results.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::compat::{Compat, ContactLists, References};
use crate::genesys::mapping;
use crate::genesys::org::{Named, Org};
use crate::genesys::user::{
    ExternalId, Phone, PhoneKind, PhoneNumber, Proficiency, SCIM_AUTHORITY, User, UserState,
};
use crate::genesys::user_input::{text_ok, user_name_ok};

/// A string, borrowed from the file's text when it has no escapes.
struct Text<'a>(Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V(PhantomData))
    }
}

/// `T` read from a JSON object only: serde's derived structs also accept an array of their
/// fields in order, which the general path refuses (`emails[0] must be an object`).
pub(super) struct Obj<T>(pub(super) T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(V(PhantomData)).map(Obj)
    }
}

/// A boolean that must not be `null` when present: the general path refuses a `null` where
/// it reads the key itself (`deleted`, a phone's or role's `primary`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    bool::deserialize(d).map(Some)
}

/// A SCIM-form user record of the common shape. Unknown keys, other spellings, wrong types
/// and duplicate keys fail to parse, which sends the record down the general path.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Record<'a> {
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(default, deserialize_with = "present")]
    deleted: Option<bool>,
    #[serde(default, borrow)]
    schemas: Option<Vec<Text<'a>>>,
    #[serde(default, borrow)]
    external_id: Option<Text<'a>>,
    #[serde(default, borrow)]
    user_name: Option<Text<'a>>,
    #[serde(default, borrow)]
    display_name: Option<Text<'a>>,
    #[serde(default, borrow)]
    title: Option<Text<'a>>,
    #[serde(default)]
    active: Option<bool>,
    #[serde(default, borrow)]
    password: Option<Text<'a>>,
    #[serde(default, borrow)]
    emails: Option<Vec<Obj<Email<'a>>>>,
    #[serde(default, borrow)]
    phone_numbers: Option<Vec<Obj<PhoneItem<'a>>>>,
    #[serde(default, borrow)]
    roles: Option<Vec<Obj<Role<'a>>>>,
    #[serde(
        rename = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        default,
        borrow
    )]
    enterprise: Option<Obj<Enterprise<'a>>>,
    #[serde(
        rename = "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User",
        default,
        borrow
    )]
    genesys: Option<Obj<GenesysPart<'a>>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Email<'a> {
    #[serde(rename = "type", default, borrow)]
    kind: Option<Text<'a>>,
    #[serde(default, borrow)]
    value: Option<Text<'a>>,
    /// Not used by the Genesys slots; parsed only so that anything but a boolean declines.
    #[allow(dead_code, reason = "parsed for its type only")]
    #[serde(default)]
    primary: Option<bool>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PhoneItem<'a> {
    #[serde(rename = "type", default, borrow)]
    kind: Option<Text<'a>>,
    #[serde(default, borrow)]
    value: Option<Text<'a>>,
    #[serde(default, deserialize_with = "present")]
    primary: Option<bool>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Role<'a> {
    #[serde(default, borrow)]
    value: Option<Text<'a>>,
    /// Genesys roles have no primary: checked as a boolean, then ignored.
    #[allow(dead_code, reason = "parsed for its type only")]
    #[serde(default, deserialize_with = "present")]
    primary: Option<bool>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Enterprise<'a> {
    #[serde(default, borrow)]
    department: Option<Text<'a>>,
    #[serde(default, borrow)]
    employee_number: Option<Text<'a>>,
    #[serde(default, borrow)]
    date_hire: Option<Text<'a>>,
    #[serde(default, borrow)]
    division: Option<Text<'a>>,
    /// A string or an object with a `value`, read as the general path's `take_manager` reads
    /// it; its text is not bounds-checked there either (it must name a user).
    #[serde(default, borrow)]
    manager: Option<&'a RawValue>,
}

/// A manager object: only `value` is read; `$ref` and `displayName`, which the general path
/// ignores, are let through unread. Named, so that a repeated key fails here as it does in
/// the general path's parse.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(
    dead_code,
    reason = "`$ref` and `displayName` are parsed to be refused twice"
)]
struct ManagerRef<'a> {
    #[serde(default, borrow)]
    value: Option<Text<'a>>,
    #[serde(rename = "$ref", default)]
    reference: Option<de::IgnoredAny>,
    #[serde(rename = "displayName", default)]
    display_name: Option<de::IgnoredAny>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct GenesysPart<'a> {
    #[serde(default, borrow)]
    routing_skills: Option<Vec<Obj<Level<'a>>>>,
    #[serde(default, borrow)]
    routing_languages: Option<Vec<Obj<Level<'a>>>>,
    #[serde(default, borrow)]
    external_ids: Option<Vec<Obj<ExternalItem<'a>>>>,
}

/// A routing skill or language.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Level<'a> {
    #[serde(default, borrow)]
    name: Option<Text<'a>>,
    #[serde(default)]
    proficiency: Option<f64>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ExternalItem<'a> {
    #[serde(default, borrow)]
    authority: Option<Text<'a>>,
    #[serde(default, borrow)]
    value: Option<Text<'a>>,
}

/// The user a SCIM-form record creates under `compat`, with its manager's id (linked when it
/// is stored), or `None` when the record is not of the common shape or the general path would
/// refuse it. `compat` must be the switches the general path maps the record under.
pub(super) fn user(text: &str, org: &Org, compat: &Compat) -> Option<(User, Option<String>)> {
    // The lists kept as sent, and the Genesys additions withdrawn, are the general path's.
    if compat.contact_lists != ContactLists::Genesys || !compat.genesys_attributes {
        return None;
    }
    let Obj(record) = serde_json::from_str::<Obj<Record<'_>>>(text).ok()?;
    map(&record, org, compat)
}

/// A string within the bounds of `user_input`, as it is (`Some(None)` when absent); `None`
/// when past them.
fn checked<'t>(t: &'t Option<Text<'_>>) -> Option<Option<&'t str>> {
    match t.as_deref() {
        Some(s) if !text_ok(s) => None,
        other => Some(other),
    }
}

/// [`checked`], with an empty string read as absent (the general path's `opt_string`).
fn text<'t>(t: &'t Option<Text<'_>>) -> Option<Option<&'t str>> {
    Some(checked(t)?.filter(|s| !s.is_empty()))
}

fn map(r: &Record<'_>, org: &Org, compat: &Compat) -> Option<(User, Option<String>)> {
    let id: &str = &r.id;
    if id.is_empty() || !text_ok(id) || !r.schemas.iter().flatten().all(|s| text_ok(s)) {
        return None;
    }
    let defaults = compat.genesys_defaults;
    let mut u = User::blank(id);
    if let Some(e) = text(&r.external_id)? {
        u.set_scim_external_id(Some(e.to_owned()));
    }
    let name = r.user_name.as_deref().filter(|n| user_name_ok(n))?.trim();
    if name.is_empty() || !mapping::user_name_valid(name, compat) {
        return None;
    }
    u.email = name.to_owned();
    u.name = text(&r.display_name)??.to_owned();
    u.title = text(&r.title)?.map(str::to_owned);
    // A create under `genesys-defaults=false` records whether `active` was sent.
    u.active_unset = !defaults && r.active.is_none();
    if r.active == Some(false) {
        u.state = UserState::Inactive;
    }
    u.password = text(&r.password)?.map(str::to_owned);

    let mut work = None;
    for Obj(e) in r.emails.iter().flatten() {
        let kind = checked(&e.kind)?.unwrap_or("");
        let value = text(&e.value)?;
        if kind.eq_ignore_ascii_case("work") {
            work = value;
        }
    }
    u.work_email = work.map(str::to_owned);

    for Obj(p) in r.phone_numbers.iter().flatten() {
        let kind = PhoneKind::parse(checked(&p.kind)??)?;
        let Some(value) = text(&p.value)? else {
            continue;
        };
        let number = PhoneNumber::parse(value.trim()).ok()?;
        if p.primary == Some(true) {
            u.primary_phone = Some(kind);
        }
        u.phones.retain(|q| q.kind != kind);
        u.phones.push(Phone {
            kind,
            value: number,
        });
    }

    let default_role = || org.default_role().map(|r| r.id.clone());
    match &r.roles {
        None if defaults => u.role_ids.extend(default_role()),
        None => {}
        Some(roles) => {
            for Obj(role) in roles {
                let name = checked(&role.value)??;
                let id = match org.role_by_name(name) {
                    Some(role) => role.id.clone(),
                    None if compat.reference_values == References::Any && !name.is_empty() => {
                        name.into()
                    }
                    None => return None,
                };
                if !u.role_ids.contains(&id) {
                    u.role_ids.push(id);
                }
            }
            if u.role_ids.is_empty() && defaults {
                u.role_ids.extend(default_role());
            }
        }
    }

    let mut manager = None;
    let ent = r.enterprise.as_ref().map(|Obj(e)| e);
    let division = match ent {
        Some(e) => {
            u.department = text(&e.department)?.map(str::to_owned);
            u.employee_id = text(&e.employee_number)?.map(str::to_owned);
            if let Some(d) = text(&e.date_hire)? {
                u.date_hire = Some(mapping::hire_date(d)?);
            }
            manager = match e.manager.map(RawValue::get) {
                Some(m) if m.starts_with('"') => Some(serde_json::from_str::<Text<'_>>(m).ok()?),
                Some(m) if m.starts_with('{') => {
                    serde_json::from_str::<Obj<ManagerRef<'_>>>(m).ok()?.0.value
                }
                _ => None,
            }
            .map(|t| t.0.into_owned());
            text(&e.division)?
        }
        None => None,
    };
    match division {
        Some(name) => match org.division_by_name(name) {
            Some(d) => u.division_id = d.id.clone(),
            None if compat.reference_values == References::Any => u.division_id = name.into(),
            None => return None,
        },
        None if defaults => {
            if let Some(home) = org.home_division() {
                u.division_id = home.id.clone();
            }
        }
        None => {}
    }

    if let Some(Obj(g)) = &r.genesys {
        let limits = &org.limits;
        u.skills = levels(&g.routing_skills, limits.skills_per_user, |n| {
            org.skill_by_name(n)
        })?;
        u.languages = levels(&g.routing_languages, limits.languages_per_user, |n| {
            org.language_by_name(n)
        })?;
        for Obj(x) in g.external_ids.iter().flatten() {
            let (authority, key) = (text(&x.authority)??, text(&x.value)??);
            if authority.starts_with(SCIM_AUTHORITY) {
                continue;
            }
            let id = ExternalId {
                authority_name: authority.to_owned(),
                external_key: key.to_owned(),
            };
            if !u.external_ids.contains(&id) {
                u.external_ids.push(id);
            }
        }
    }
    if u.external_ids.len() > org.limits.external_ids_per_user {
        return None;
    }
    u.sort_phones();
    if r.deleted == Some(true) {
        u.state = UserState::Deleted;
    }
    Some((u, manager))
}

/// Routing skills or languages: names `lookup` finds, proficiencies from 0 to 5 (absent is 0),
/// at most `max`, the last of a repeated name kept.
fn levels<'o>(
    list: &Option<Vec<Obj<Level<'_>>>>,
    max: usize,
    lookup: impl Fn(&str) -> Option<&'o Named>,
) -> Option<Vec<Proficiency>> {
    let items = list.as_deref().unwrap_or_default();
    if items.len() > max {
        return None;
    }
    let mut out: Vec<Proficiency> = Vec::with_capacity(items.len());
    for Obj(l) in items {
        let name = checked(&l.name)??;
        let id = &lookup(name)?.id;
        let proficiency = l.proficiency.unwrap_or(0.0);
        if !(0.0..=5.0).contains(&proficiency) {
            return None;
        }
        out.retain(|p| p.id != *id);
        out.push(Proficiency {
            id: id.clone(),
            proficiency,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::compat::Profile;
    use crate::seed::build::{prepare_general, prepare_user, reference_org};
    use crate::seed::format::OrgFixture;

    /// The switches records are mapped under in these tests: both profiles, and the reference
    /// and default switches the typed path reads, flipped one at a time.
    fn switches() -> Vec<Compat> {
        let mut out = vec![Compat::default(), Compat::preset(Profile::Rfc)];
        for (name, value) in [
            ("reference-values", "any"),
            ("genesys-defaults", "false"),
            ("username-must-be-email", "false"),
            ("coerce-string-booleans", "false"),
        ] {
            let mut c = Compat::default();
            c.set(name, value).unwrap();
            out.push(c);
        }
        out
    }

    /// A generated org's reference data and its user records as text.
    fn generated(users: usize, seed: u64) -> (Org, Vec<String>) {
        let spec = crate::seed::generator::Spec {
            org: "g".into(),
            users,
            groups: 3,
            seed,
        };
        let doc: Value = serde_json::from_str(&crate::seed::generator::to_string(&spec)).unwrap();
        let f: OrgFixture = serde_json::from_value(doc["orgs"][0].clone()).unwrap();
        (
            reference_org(&f, Some(1)),
            f.users.iter().map(Value::to_string).collect(),
        )
    }

    /// Both paths of one record: the typed one (through `prepare_user`) and the general one.
    fn both(text: &str, org: &Org, compat: &Compat) -> (bool, bool) {
        let raw = RawValue::from_string(text.to_owned()).unwrap();
        let raw: &RawValue = &raw;
        let typed = prepare_user("f", 0, 7, &raw, org, compat);
        let general = prepare_general("f", 0, 7, &raw, org, compat);
        assert_eq!(typed, general, "{text}");
        (
            user(text, org, compat).is_some(),
            general.is_ok_and(|p| p.built.is_ok()),
        )
    }

    /// Every record of generated orgs maps to the very user the general path builds, under
    /// every set of switches; the typed path takes every SCIM-form one it can (the switches
    /// that keep contact lists as sent or withdraw the Genesys additions it leaves alone), and
    /// every Genesys-form one is read without a tree.
    #[test]
    fn generated_records_map_to_the_same_users_both_ways() {
        for seed in [1, 7] {
            let (org, records) = generated(1_200, seed);
            for compat in switches() {
                let eligible =
                    compat.contact_lists == ContactLists::Genesys && compat.genesys_attributes;
                let (mut typed, mut genesys) = (0, 0);
                for text in &records {
                    let (fast, ok) = both(text, &org, &compat);
                    if text.contains("\"genesys\":") {
                        assert!(crate::seed::genesys_form::scim_body(text).is_some());
                        genesys += 1;
                        continue;
                    }
                    typed += usize::from(fast);
                    assert!(!eligible || fast || !ok, "declined a good record: {text}");
                }
                assert!(!eligible || typed > 1_000, "{typed} records typed");
                assert!(eligible || typed == 0);
                assert!(genesys > 50, "{genesys} Genesys-form records");
            }
        }
    }

    /// Odd and bad records: what the typed path takes, it maps as the general path does; what it
    /// declines, the general path maps or refuses with its own error.
    #[test]
    fn odd_and_bad_records_agree_with_the_general_path() {
        let (org, _) = generated(50, 3);
        let ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let gen_ = "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User";
        let base = json!({
            "id": "u-1", "userName": "Ada@Example.com", "displayName": "Ada",
            "externalId": "ext-1", "active": true,
            "emails": [{"type": "work", "value": "ada@work.example.com"}],
            "phoneNumbers": [{"type": "work", "value": "+13175550100", "primary": true}],
            "roles": [{"value": "employee"}],
            ent: {"division": "EMEA", "department": "Ops", "employeeNumber": "E1",
                  "dateHire": "2020-01-02", "manager": {"value": "m-1"}},
            gen_: {"routingSkills": [{"name": "Billing", "proficiency": 2}],
                   "routingLanguages": [{"name": "English"}],
                   "externalIds": [{"authority": "okta", "value": "o-1"}]}
        });
        let with = |path: &[&str], v: Value| {
            let mut r = base.clone();
            let mut at = &mut r;
            for k in &path[..path.len() - 1] {
                at = &mut at[*k];
            }
            match v {
                Value::Null if path.len() == 1 && path[0].starts_with('-') => {
                    r.as_object_mut().unwrap().remove(&path[0][1..]);
                }
                v => at[path[path.len() - 1]] = v,
            }
            r.to_string()
        };
        let mut cases = vec![
            base.to_string(),
            // Escapes, spaces and case the typed path must read as the general path does.
            with(&["displayName"], json!("Ad\u{e9} \"A\" \\ \t")),
            with(&["userName"], json!("  ada@example.com ")),
            with(&["phoneNumbers"], json!([{"type": "WORK", "value": " tel:+13175550100;ext=2 "},
                {"type": "mobile", "value": "+447700900000"}, {"type": "work", "value": "+13175550101"}])),
            with(&["phoneNumbers"], json!([{"type": "home", "value": "", "primary": "no"}])),
            with(&["phoneNumbers"], json!([{"type": "home", "value": "+13175550100", "primary": null}])),
            with(&["phoneNumbers"], json!([{"type": "pager", "value": "+13175550100"}])),
            with(&["phoneNumbers"], json!([{"value": "+13175550100"}])),
            with(&["phoneNumbers"], json!([{"type": "home", "value": "555-0100"}])),
            with(&["phoneNumbers"], json!([["home", "+13175550100"]])),
            with(&["emails"], json!([{"type": "other", "value": "x@y.org"}, {"type": "Work", "value": ""}])),
            with(&["emails"], json!([{"type": 3, "value": "x@y.org"}])),
            with(&["emails"], json!([{"type": "work", "value": 3}])),
            with(&["emails"], json!("ada@work.example.com")),
            with(&["roles"], json!([])),
            with(&["roles"], Value::Null),
            with(&["-roles"], Value::Null),
            with(&["roles"], json!([{"value": "EMPLOYEE"}, {"value": "employee"}, {"value": "Agent"}])),
            with(&["roles"], json!([{"value": "Nope"}])),
            with(&["roles"], json!([{"value": ""}])),
            with(&["roles"], json!(["employee"])),
            with(&["roles"], json!([{"value": "employee", "primary": "True"}])),
            with(&["roles"], json!([{"value": "employee", "primary": null}])),
            with(&["active"], json!(false)),
            with(&["active"], json!("False")),
            with(&["active"], Value::Null),
            with(&["-active"], Value::Null),
            with(&["deleted"], json!(true)),
            with(&["deleted"], Value::Null),
            with(&["deleted"], json!("yes")),
            with(&["-userName"], Value::Null),
            with(&["userName"], json!("   ")),
            with(&["userName"], json!("not-an-email")),
            with(&["userName"], json!(format!("{}@x.org", "a".repeat(300)))),
            with(&["userName"], json!("a\tb@x.org")),
            with(&["displayName"], json!("")),
            with(&["displayName"], json!("bell\u{7}")),
            with(&["title"], json!("tab\tok")),
            with(&["title"], json!(7)),
            with(&["externalId"], json!("")),
            with(&["password"], json!("hunter2")),
            with(&["schemas"], json!(["urn:ietf:params:scim:schemas:core:2.0:User"])),
            with(&["schemas"], json!(["nul\u{0}"])),
            with(&["nickName"], json!("Ada")),
            with(&["username"], json!("other@example.com")),
            with(&["groups"], json!([])),
            with(&["id"], json!("")),
            with(&["id"], json!(5)),
            with(&[ent], Value::Null),
            with(&[ent], json!("EMEA")),
            with(&[ent, "division"], json!("emea")),
            with(&[ent, "division"], json!("Atlantis")),
            with(&[ent, "division"], json!("")),
            with(&[ent, "costCenter"], json!("c")),
            with(&[ent, "dateHire"], json!("2020-01-02T10:00:00Z")),
            with(&[ent, "dateHire"], json!("2020-13-02")),
            with(&[ent, "manager"], json!("m-2")),
            with(&[ent, "manager"], json!({"value": null, "$ref": "x"})),
            with(&[ent, "manager"], json!({"value": 4})),
            with(&[ent, "manager"], json!({"displayName": "M"})),
            with(&[ent, "manager"], json!(12)),
            with(&[ent, "manager"], Value::Null),
            with(&[ent, "employeeNumber"], json!("E\u{1b}1")),
            with(&[gen_], Value::Null),
            with(&[gen_, "routingSkills"], json!([{"name": "Billing", "proficiency": 2},
                {"name": "Billing", "proficiency": 4.5}, {"name": "Technical Support"}])),
            with(&[gen_, "routingSkills"], json!([{"name": "billing"}])),
            with(&[gen_, "routingSkills"], json!([{"name": "Billing", "proficiency": 5.5}])),
            with(&[gen_, "routingSkills"], json!([{"name": "Billing", "proficiency": "2"}])),
            with(&[gen_, "routingSkills"], json!([{"name": "Billing", "proficiency": null}])),
            with(&[gen_, "routingSkills"], json!(["Billing"])),
            with(&[gen_, "routingLanguages"], json!({"name": "English"})),
            with(&[gen_, "externalIds"], json!([{"authority": "x-pc:scimv2:v1", "value": "z"},
                {"authority": "okta", "value": "o-1"}, {"authority": "okta", "value": "o-1"}])),
            with(&[gen_, "externalIds"], json!([{"authority": "okta"}])),
            with(&[gen_, "externalIds"], json!([{"authority": "okta", "value": ""}])),
            with(&[gen_, "externalIds"],
                Value::Array((0..101).map(|n| json!({"authority": "a", "value": n.to_string()})).collect())),
            with(&[gen_, "routingSkills"],
                Value::Array((0..51).map(|_| json!({"name": "Billing"})).collect())),
            "[1, 2]".to_owned(),
            // Genesys form: read without a tree when it is one, else the general path's.
            r#"{"id": "g", "genesys": {"name": "G", "email": "g@x.org", "state": "inactive",
                "divisionName": "EMEA", "roles": ["employee"], "managerId": "m-1",
                "phones": [{"type": "work2", "number": "+13175550100", "primary": true}],
                "skills": [{"name": "Billing", "proficiency": 2}]}}"#.to_owned(),
            r#"{"id": "g", "genesys": {"name": "G", "email": "g@x.org", "state": "deleted"}}"#
                .to_owned(),
            r#"{"id": "g", "genesys": {"name": "G", "email": "g@x.org", "divisionName": "Nope"}}"#
                .to_owned(),
            r#"{"id": "g", "genesys": {"name": "G", "email": "g@x.org", "colour": "red"}}"#
                .to_owned(),
            r#"{"id": "g", "genesys": {"name": "G", "email": "g@x.org"}, "extra": 1}"#.to_owned(),
            r#"{"id": "", "genesys": {"name": "G", "email": "g@x.org"}}"#.to_owned(),
            r#"{"id": "g", "genesys": null}"#.to_owned(),
            r#"{"id": "g", "genesys": {"name": "G", "email": "g@x.org", "phones": [["work", "+13175550100", null, true]]}}"#
                .to_owned(),
            r#"["g", {"name": "G", "email": "g@x.org"}]"#.to_owned(),
            r#"{"id": "u-1", "id": "u-2", "userName": "a@x.org", "displayName": "A"}"#.to_owned(),
            r#"{"id": "u-1", "userName": "a@x.org", "displayName": "A", "title": "1", "title": "2"}"#
                .to_owned(),
        ];
        cases.push(with(
            &["displayName"],
            json!("x".repeat(crate::genesys::user_input::MAX_STRING_BYTES + 1)),
        ));
        let mut typed = 0;
        for compat in switches() {
            for text in &cases {
                typed += usize::from(both(text, &org, &compat).0);
            }
        }
        assert!(typed > 60, "the typed path took {typed} of these");
    }
}
