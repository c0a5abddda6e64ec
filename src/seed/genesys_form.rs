//! A fixture user written the way a Genesys admin sees it (`{"id": ..., "genesys": {...}}`).
//!
//! The record is translated into the equivalent SCIM body and written through the same
//! mapping and `Org::store_user` as a SCIM-form user, so both forms obey exactly the same rules;
//! error fields are translated back to the Genesys names so a fixture author sees their own
//! field.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::scim_record::Obj;
use crate::genesys::org::Org;
use crate::genesys::user::{SCIM_AUTHORITY, User, UserState};
use crate::scim::schema::{ENTERPRISE_USER, GENESYS_USER};

/// The `genesys` object of a Genesys-form fixture user. Field names follow the platform
/// `User` where one exists.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct GenesysUser {
    /// `general.name` (SCIM `displayName`).
    pub name: String,
    /// `contactInfo.email_main` (SCIM `userName`).
    pub email: String,
    /// `active`, `inactive` or `deleted`. Default active.
    #[serde(default)]
    pub state: UserState,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    /// The division by name; default the home division.
    #[serde(default)]
    pub division_name: Option<String>,
    /// `contactInfo.email_work`.
    #[serde(default)]
    pub work_email: Option<String>,
    #[serde(default)]
    pub phones: Vec<GenesysPhone>,
    /// The manager's user id.
    #[serde(default)]
    pub manager_id: Option<String>,
    /// `hr.empId`.
    #[serde(default)]
    pub employee_id: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub date_hire: Option<String>,
    /// Role names; default the employee role.
    #[serde(default)]
    pub roles: Option<Vec<String>>,
    #[serde(default)]
    pub skills: Vec<GenesysProficiency>,
    #[serde(default)]
    pub languages: Vec<GenesysProficiency>,
    /// The key under the SCIM authority `x-pc:scimv2:v1` (SCIM `externalId`).
    #[serde(default)]
    pub external_id: Option<String>,
    /// Other external ids.
    #[serde(default)]
    pub external_ids: Vec<GenesysExternalId>,
}

/// A phone slot.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct GenesysPhone {
    /// One of the SCIM phone types (`work`, `work2`, ..., `ringcentral`).
    #[serde(rename = "type")]
    pub kind: String,
    /// E.164, e.g. `+13175550123`.
    #[serde(default)]
    pub number: Option<String>,
    /// Digits only.
    #[serde(default)]
    pub extension: Option<String>,
    #[serde(default)]
    pub primary: bool,
}

/// A skill or language by name.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GenesysProficiency {
    pub name: String,
    pub proficiency: f64,
}

/// An external id.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GenesysExternalId {
    pub authority: String,
    pub value: String,
}

/// A whole Genesys-form record, read from its text.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GenesysRecord {
    id: String,
    genesys: GenesysUser,
}

/// The id and SCIM body of a Genesys-form record read straight from its text, with no JSON
/// tree of the record: what the general path builds from the same record after parsing it
/// into a `Value`, checking its keys and deserializing the `genesys` object from a copy.
/// `None` for anything that is not such a record (the general path then says what is wrong).
pub(super) fn scim_body(text: &str) -> Option<(String, Value)> {
    let Obj(record) = serde_json::from_str::<Obj<GenesysRecord>>(text).ok()?;
    (!record.id.is_empty()).then(|| {
        let body = record.genesys.to_scim(&record.id);
        (record.id, body)
    })
}

impl GenesysUser {
    /// The equivalent SCIM body (with `id`, and `deleted` when the state is deleted), in the
    /// form the fixture loader takes.
    pub(crate) fn to_scim(&self, id: &str) -> Value {
        let mut body = Map::new();
        body.insert("id".into(), json!(id));
        body.insert("userName".into(), json!(self.email));
        body.insert("displayName".into(), json!(self.name));
        body.insert("active".into(), json!(self.state == UserState::Active));
        if self.state == UserState::Deleted {
            body.insert("deleted".into(), json!(true));
        }
        if let Some(t) = &self.title {
            body.insert("title".into(), json!(t));
        }
        if let Some(e) = &self.external_id {
            body.insert("externalId".into(), json!(e));
        }
        if let Some(w) = &self.work_email {
            body.insert("emails".into(), json!([{"type": "work", "value": w}]));
        }
        if !self.phones.is_empty() {
            let phones: Vec<Value> = self
                .phones
                .iter()
                .map(|p| {
                    let value = match &p.extension {
                        Some(e) => format!("tel:{};ext={e}", p.number.as_deref().unwrap_or("")),
                        None => p.number.clone().unwrap_or_default(),
                    };
                    json!({"type": p.kind, "value": value, "primary": p.primary})
                })
                .collect();
            body.insert("phoneNumbers".into(), Value::Array(phones));
        }
        if let Some(roles) = &self.roles {
            let roles: Vec<Value> = roles.iter().map(|r| json!({"value": r})).collect();
            body.insert("roles".into(), Value::Array(roles));
        }
        let mut ent = Map::new();
        let mut put = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                ent.insert(k.into(), json!(v));
            }
        };
        put("division", &self.division_name);
        put("department", &self.department);
        put("employeeNumber", &self.employee_id);
        put("dateHire", &self.date_hire);
        if let Some(m) = &self.manager_id {
            ent.insert("manager".into(), json!({"value": m}));
        }
        body.insert(ENTERPRISE_USER.into(), Value::Object(ent));
        let named = |list: &[GenesysProficiency]| -> Value {
            list.iter()
                .map(|p| json!({"name": p.name, "proficiency": p.proficiency}))
                .collect()
        };
        let ids: Vec<Value> = self
            .external_ids
            .iter()
            .map(|e| json!({"authority": e.authority, "value": e.value}))
            .collect();
        body.insert(
            GENESYS_USER.into(),
            json!({
                "routingSkills": named(&self.skills),
                "routingLanguages": named(&self.languages),
                "externalIds": ids,
            }),
        );
        Value::Object(body)
    }
}

impl GenesysUser {
    /// The Genesys form of a stored user: the inverse of [`GenesysUser::to_scim`], so what the
    /// dashboard shows and what an expectation's `genesys` object compares against is exactly
    /// what a Genesys-form fixture would write. Names come from the org (division, roles,
    /// skills, languages); `externalIds` leaves out the SCIM authority, which is `externalId`.
    pub(crate) fn from_user(u: &User, org: &Org) -> Self {
        let named = |list: &[crate::genesys::user::Proficiency],
                     find: &dyn Fn(&str) -> Option<String>| {
            list.iter()
                .map(|p| GenesysProficiency {
                    name: find(&p.id).unwrap_or_else(|| p.id.to_string()),
                    proficiency: p.proficiency,
                })
                .collect()
        };
        Self {
            name: u.name.clone(),
            email: u.email.clone(),
            state: u.state,
            title: u.title.clone(),
            department: u.department.clone(),
            // A division kept by name under `reference-values=any` exports as that name, like
            // an unknown role below.
            division_name: org.division(&u.division_id).map_or_else(
                || (!u.division_id.is_empty()).then(|| u.division_id.to_string()),
                |d| Some(d.name.clone()),
            ),
            work_email: u.work_email.clone(),
            phones: u
                .phones
                .iter()
                .map(|p| GenesysPhone {
                    kind: p.kind.as_str().to_owned(),
                    number: p.value.number.clone(),
                    extension: p.value.extension.clone(),
                    primary: u.primary_phone == Some(p.kind),
                })
                .collect(),
            manager_id: u.manager_id.clone(),
            employee_id: u.employee_id.clone(),
            date_hire: u.date_hire.clone(),
            roles: Some(
                u.role_ids
                    .iter()
                    .map(|r| {
                        org.role(r)
                            .map_or_else(|| r.to_string(), |n| n.name.clone())
                    })
                    .collect(),
            ),
            skills: named(&u.skills, &|id| org.skill(id).map(|n| n.name.clone())),
            languages: named(&u.languages, &|id| org.language(id).map(|n| n.name.clone())),
            external_id: u.scim_external_id().map(str::to_owned),
            external_ids: u
                .external_ids
                .iter()
                .filter(|e| e.authority_name != SCIM_AUTHORITY)
                .map(|e| GenesysExternalId {
                    authority: e.authority_name.clone(),
                    value: e.external_key.clone(),
                })
                .collect(),
        }
    }
}

/// The fields of the `genesys` object, as JSON names (kept equal to [`GenesysUser`]'s by a
/// test), for documents that write a partial one, such as expectations.
pub(crate) const FIELDS: &[&str] = &[
    "name",
    "email",
    "state",
    "title",
    "department",
    "divisionName",
    "workEmail",
    "phones",
    "managerId",
    "employeeId",
    "dateHire",
    "roles",
    "skills",
    "languages",
    "externalId",
    "externalIds",
];

/// The Genesys-form name of a SCIM attribute named in an error, for Genesys-form records.
pub(crate) fn field_name(scim: &str) -> String {
    let name = match scim {
        "userName" => "email",
        "displayName" => "name",
        "active" => "state",
        "emails" | "emails.value" => "workEmail",
        "phoneNumbers" | "phoneNumbers.value" | "phoneNumbers.primary" => "phones",
        "division" => "divisionName",
        "manager" | "manager.value" => "managerId",
        "employeeNumber" => "employeeId",
        "routingSkills" => "skills",
        "routingLanguages" => "languages",
        "externalId" => "externalId",
        "externalIds" | "externalIds.authority" | "externalIds.value" => "externalIds",
        other => other,
    };
    format!("genesys.{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_genesys_user_becomes_the_equivalent_scim_body() {
        let g: GenesysUser = serde_json::from_value(json!({
            "name": "Ann", "email": "ann@example.com", "state": "inactive",
            "divisionName": "Sales", "managerId": "m1",
            "phones": [{"type": "work2", "number": "+13175550100", "extension": "12", "primary": true},
                       {"type": "work3", "extension": "7"}],
            "roles": ["Agent"], "skills": [{"name": "Billing", "proficiency": 2}]
        }))
        .unwrap();
        let s = g.to_scim("u1");
        assert_eq!(s["active"], false);
        assert!(s.get("deleted").is_none());
        assert_eq!(s["phoneNumbers"][0]["value"], "tel:+13175550100;ext=12");
        assert_eq!(s["phoneNumbers"][1]["value"], "tel:;ext=7");
        assert_eq!(s[ENTERPRISE_USER]["division"], "Sales");
        assert_eq!(s[ENTERPRISE_USER]["manager"]["value"], "m1");
        assert_eq!(s["roles"][0]["value"], "Agent");
        assert_eq!(s[GENESYS_USER]["routingSkills"][0]["name"], "Billing");
        assert_eq!(field_name("phoneNumbers"), "genesys.phones");
    }

    #[test]
    fn from_user_inverts_to_scim_through_the_loader() {
        let store = crate::store::Store::new();
        crate::seed::defaults::load_configured(&store, None, Some(1), chrono::Utc::now()).unwrap();
        let org = store.org("default").unwrap();
        let org = org.read();
        let james = org.user("a1b2c3d4-0002-4000-8000-000000000002").unwrap();
        let g = GenesysUser::from_user(james, &org);
        assert_eq!(g.division_name.as_deref(), Some("Sales"));
        assert_eq!(
            g.roles.as_deref(),
            Some(&["employee".to_owned(), "Agent".to_owned()][..])
        );
        assert_eq!(g.skills[0].name, "Billing");
        assert_eq!(g.external_id.as_deref(), Some("emp-0002"));
        assert_eq!(
            g.external_ids.len(),
            1,
            "the SCIM authority is externalId, not listed"
        );
        assert!(g.phones[0].primary && g.phones[0].extension.as_deref() == Some("2102"));
        // Writing it back as a Genesys-form fixture user gives the same stored user.
        let mut scratch =
            crate::genesys::org::Org::new("o", "o", crate::base::rng::Seeded::derive(Some(1), "o"));
        scratch.divisions = org.divisions.clone();
        scratch.roles = org.roles.clone();
        scratch.skills = org.skills.clone();
        scratch.languages = org.languages.clone();
        let ctx = crate::genesys::mapping::WriteCtx {
            org: &scratch,
            compat: &crate::compat::Compat::default(),
            mode: crate::genesys::mapping::Mode::Create,
            previous: None,
        };
        let mut body = g.to_scim(&james.id);
        body[ENTERPRISE_USER]
            .as_object_mut()
            .unwrap()
            .remove("manager");
        let back = crate::genesys::mapping::user_from_scim(&body, &james.id, &ctx).unwrap();
        let mut want = james.clone();
        want.manager_id = None;
        assert!(back.same_content(&want), "{back:?}\n{want:?}");
    }

    #[test]
    fn fields_lists_every_genesys_field() {
        let g: GenesysUser =
            serde_json::from_value(json!({"name": "A", "email": "a@x.org", "title": "t",
                "department": "d", "divisionName": "H", "workEmail": "w@x.org", "managerId": "m",
                "employeeId": "e", "dateHire": "2020-01-01", "roles": [], "externalId": "x"}))
            .unwrap();
        let v = serde_json::to_value(&g).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, FIELDS);
    }

    #[test]
    fn unknown_genesys_fields_are_rejected() {
        let r: Result<GenesysUser, _> =
            serde_json::from_value(json!({"name": "A", "email": "a@x.org", "nick": "x"}));
        assert!(r.unwrap_err().to_string().contains("nick"));
    }
}
