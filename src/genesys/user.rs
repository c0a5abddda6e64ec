//! A user in Genesys form: what Genesys stores, not what SCIM sends.
//!
//! The fields follow the Genesys column of the field-mapping article ("SCIM and Genesys Cloud
//! field mappings"). Anything SCIM sends that has no field here is dropped by the mapping,
//! which is the point: a client sees what Genesys keeps.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::scim::schema::PHONE_TYPES;

/// The authority that carries the SCIM `externalId` in the external-id store.
pub(crate) const SCIM_AUTHORITY: &str = "x-pc:scimv2:v1";

/// Genesys `User.state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub(crate) enum UserState {
    #[default]
    Active,
    Inactive,
    /// Soft-deleted: invisible to SCIM, userName freed, record kept for revival.
    Deleted,
}

impl UserState {
    /// The name Genesys uses.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::Deleted => "deleted",
        }
    }
}

/// A phone number: an E.164 number, an extension, or both (`tel:+...;ext=...`, as the SDKs'
/// `ScimPhoneNumber` model documents it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PhoneNumber {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub extension: Option<String>,
}

impl PhoneNumber {
    /// Parses `+13175550123`, `tel:+13175550123`, `tel:+13175550123;ext=12` or `tel:;ext=12`
    /// (extension only). Spaces are not allowed: Genesys asks Entra users to `StripSpaces`.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let (num, ext) = match text.get(..4) {
            Some(p) if p.eq_ignore_ascii_case("tel:") => {
                let rest = &text[4..];
                match rest.split_once(";ext=") {
                    Some((n, e)) => (n, Some(e)),
                    None => (rest, None),
                }
            }
            _ => (text, None),
        };
        let number = if num.is_empty() {
            None
        } else if is_e164(num) {
            Some(num.to_owned())
        } else {
            return Err(format!(
                "{text:?} is not an E.164 number (+ and 2 to 15 digits) or a tel URI such as tel:+13175550123;ext=12"
            ));
        };
        let extension = match ext {
            Some(e) if !e.is_empty() && e.chars().all(|c| c.is_ascii_digit()) => Some(e.to_owned()),
            Some(e) => return Err(format!("{text:?} has an invalid extension {e:?}")),
            None => None,
        };
        if number.is_none() && extension.is_none() {
            return Err(format!("{text:?} has neither a number nor an extension"));
        }
        Ok(Self { number, extension })
    }

    /// The SCIM value: the bare number, or a tel URI when there is an extension.
    pub(crate) fn to_scim(&self) -> String {
        match (&self.number, &self.extension) {
            (Some(n), None) => n.clone(),
            (n, Some(e)) => format!("tel:{};ext={e}", n.as_deref().unwrap_or("")),
            (None, None) => String::new(),
        }
    }
}

fn is_e164(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())
}

/// A phone slot's SCIM type: one of [`PHONE_TYPES`], in that order. A byte in every phone
/// of every user, where the type's name was a `String` of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum PhoneKind {
    Work,
    Work2,
    Work3,
    Work4,
    Home,
    Mobile,
    Other,
    Microsoftteams,
    Zoomphone,
    Eightbyeight,
    Ringcentral,
}

impl PhoneKind {
    /// Every kind, in [`PHONE_TYPES`] order (the canonical slot order).
    pub(crate) const ALL: [Self; 11] = [
        Self::Work,
        Self::Work2,
        Self::Work3,
        Self::Work4,
        Self::Home,
        Self::Mobile,
        Self::Other,
        Self::Microsoftteams,
        Self::Zoomphone,
        Self::Eightbyeight,
        Self::Ringcentral,
    ];

    /// The SCIM name.
    pub(crate) fn as_str(self) -> &'static str {
        PHONE_TYPES[self as usize]
    }

    /// The kind a SCIM `type` names, case-insensitively.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        PHONE_TYPES
            .iter()
            .position(|t| t.eq_ignore_ascii_case(text))
            .map(|i| Self::ALL[i])
    }
}

/// One phone slot (`phone_work`, `phone_mobile`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Phone {
    /// The SCIM type.
    #[serde(rename = "type")]
    pub kind: PhoneKind,
    #[serde(flatten)]
    pub value: PhoneNumber,
}

/// An (authority, key) pair in the external-id store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExternalId {
    pub authority_name: String,
    pub external_key: String,
}

/// Most elements kept per list under `contact-lists=as-sent`. Genesys has 11 phone slots and
/// 2 email slots; an RFC server stores what it gets, so this bounds what one user can hold.
pub(crate) const SENT_CONTACTS_MAX: usize = 20;

/// One `emails` or `phoneNumbers` element as the client sent it (`contact-lists=as-sent`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SentContact {
    pub value: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none", default)]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub primary: Option<bool>,
}

/// The SCIM `emails` and `phoneNumbers` lists as sent, kept beside the Genesys slots when
/// `contact-lists=as-sent` wrote them; the SCIM view renders these instead of the slots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SentContacts {
    pub emails: Vec<SentContact>,
    pub phone_numbers: Vec<SentContact>,
}

/// A skill or language with a proficiency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Proficiency {
    /// The skill or language id: shared with the org's table entry (see [`User::role_ids`]).
    pub id: Arc<str>,
    /// 0.0 to 5.0.
    pub proficiency: f64,
}

/// A user as Genesys stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct User {
    pub id: String,
    pub state: UserState,
    /// `general.name`: the SCIM `displayName`.
    pub name: String,
    pub title: Option<String>,
    pub department: Option<String>,
    /// Shared with the org's division (`Division::id`), like every reference id here: one
    /// allocation per org, not one per user.
    pub division_id: Arc<str>,
    /// `contactInfo.email_main`: the SCIM `userName`.
    pub email: String,
    /// `contactInfo.email_work`.
    pub work_email: Option<String>,
    /// Phone slots in [`PHONE_TYPES`] order, at most one per type.
    pub phones: Vec<Phone>,
    /// The type of the primary phone (`primaryContactInfo.voice`).
    pub primary_phone: Option<PhoneKind>,
    pub manager_id: Option<String>,
    /// `hr.empId`: the SCIM `employeeNumber`.
    pub employee_id: Option<String>,
    /// `YYYY-MM-DD`.
    pub date_hire: Option<String>,
    /// Shared with the org's roles (`Named::id`); a name kept under `reference-values=any`
    /// has its own.
    pub role_ids: Vec<Arc<str>>,
    pub skills: Vec<Proficiency>,
    pub languages: Vec<Proficiency>,
    /// Every external id, including the [`SCIM_AUTHORITY`] one that carries `externalId`.
    pub external_ids: Vec<ExternalId>,
    /// Write-only; never rendered.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub password: Option<String>,
    pub version: u64,
    pub date_modified: DateTime<Utc>,
    /// When the record was first stored (SCIM `meta.created`, behind the `meta-created` switch).
    #[serde(default)]
    pub date_created: DateTime<Utc>,
    /// The SCIM contact lists as sent (`contact-lists=as-sent` only; `None` otherwise).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sent_contacts: Option<Box<SentContacts>>,
    /// `active` was left out on create or removed, under `genesys-defaults=false`: the SCIM
    /// view has no `active`; `state` still holds what the platform view shows.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub active_unset: bool,
}

impl User {
    /// A user with only its id: what a create writes its attributes into.
    pub(crate) fn blank(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            state: UserState::Active,
            name: String::new(),
            title: None,
            department: None,
            division_id: Arc::default(),
            email: String::new(),
            work_email: None,
            phones: Vec::new(),
            primary_phone: None,
            manager_id: None,
            employee_id: None,
            date_hire: None,
            role_ids: Vec::new(),
            skills: Vec::new(),
            languages: Vec::new(),
            external_ids: Vec::new(),
            password: None,
            version: 0,
            date_modified: chrono::DateTime::UNIX_EPOCH,
            date_created: chrono::DateTime::UNIX_EPOCH,
            sent_contacts: None,
            active_unset: false,
        }
    }

    /// A minimal active user for tests: `id`, its email `<id>@example.com`, division `d`.
    #[cfg(test)]
    pub(crate) fn sample(id: &str) -> User {
        serde_json::from_value(serde_json::json!({
            "id": id, "state": "active", "name": "N", "title": null, "department": null,
            "divisionId": "d", "email": format!("{id}@example.com"), "workEmail": null,
            "phones": [], "primaryPhone": null, "managerId": null, "employeeId": null,
            "dateHire": null, "roleIds": [], "skills": [], "languages": [], "externalIds": [],
            "version": 1, "dateModified": "2026-01-01T00:00:00Z"
        }))
        .expect("a valid stored user")
    }

    /// The SCIM `externalId`: the key under [`SCIM_AUTHORITY`].
    pub(crate) fn scim_external_id(&self) -> Option<&str> {
        self.external_ids
            .iter()
            .find(|e| e.authority_name == SCIM_AUTHORITY)
            .map(|e| e.external_key.as_str())
    }

    /// Sets or clears the SCIM `externalId`, keeping it first in the list.
    pub(crate) fn set_scim_external_id(&mut self, value: Option<String>) {
        self.external_ids
            .retain(|e| e.authority_name != SCIM_AUTHORITY);
        if let Some(v) = value {
            self.external_ids.insert(
                0,
                ExternalId {
                    authority_name: SCIM_AUTHORITY.to_owned(),
                    external_key: v,
                },
            );
        }
    }

    /// Puts phones in the canonical slot order so renders are stable.
    pub(crate) fn sort_phones(&mut self) {
        self.phones.sort_by_key(|p| p.kind);
    }

    /// Whether two users hold the same data, ignoring version and modification time. A write
    /// that changes nothing must not bump the version.
    pub(crate) fn same_content(&self, other: &Self) -> bool {
        // Destructured without `..`, so a new field cannot be forgotten here.
        let Self {
            id,
            state,
            name,
            title,
            department,
            division_id,
            email,
            work_email,
            phones,
            primary_phone,
            manager_id,
            employee_id,
            date_hire,
            role_ids,
            skills,
            languages,
            external_ids,
            password,
            version: _,
            date_modified: _,
            date_created: _,
            sent_contacts,
            active_unset,
        } = self;
        *id == other.id
            && *state == other.state
            && *name == other.name
            && *title == other.title
            && *department == other.department
            && *division_id == other.division_id
            && *email == other.email
            && *work_email == other.work_email
            && *phones == other.phones
            && *primary_phone == other.primary_phone
            && *manager_id == other.manager_id
            && *employee_id == other.employee_id
            && *date_hire == other.date_hire
            && *role_ids == other.role_ids
            && *skills == other.skills
            && *languages == other.languages
            && *external_ids == other.external_ids
            && *password == other.password
            && *sent_contacts == other.sent_contacts
            && *active_unset == other.active_unset
    }

    /// Whether the user is visible to SCIM (not soft-deleted).
    pub(crate) fn is_live(&self) -> bool {
        self.state != UserState::Deleted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Phone kinds are the SCIM types, in slot order, and serialize as the names they replace.
    #[test]
    fn phone_kinds_are_the_scim_types_in_order() {
        assert_eq!(PhoneKind::ALL.len(), PHONE_TYPES.len());
        for (i, (kind, name)) in PhoneKind::ALL.iter().zip(PHONE_TYPES).enumerate() {
            assert_eq!(kind.as_str(), *name);
            assert_eq!(*kind as usize, i);
            assert_eq!(serde_json::to_value(kind).unwrap(), *name);
            assert_eq!(PhoneKind::parse(&name.to_uppercase()), Some(*kind));
        }
        assert!(
            PhoneKind::ALL.is_sorted(),
            "slot order is declaration order"
        );
        assert_eq!(PhoneKind::parse("pager"), None);
    }

    #[test]
    fn phone_numbers_parse_in_every_documented_form() {
        let p = PhoneNumber::parse("+13175550123").unwrap();
        assert_eq!(p.number.as_deref(), Some("+13175550123"));
        assert_eq!(p.to_scim(), "+13175550123");
        let p = PhoneNumber::parse("tel:+13175550123;ext=4567").unwrap();
        assert_eq!(p.extension.as_deref(), Some("4567"));
        assert_eq!(p.to_scim(), "tel:+13175550123;ext=4567");
        let p = PhoneNumber::parse("tel:;ext=4567").unwrap();
        assert_eq!(p.number, None);
        assert_eq!(p.to_scim(), "tel:;ext=4567");
        assert_eq!(
            PhoneNumber::parse("tel:+4412345").unwrap().to_scim(),
            "+4412345"
        );
        for bad in [
            "440-555-1212",
            "+1 317 555",
            "tel:",
            "tel:+1;ext=x1",
            "+",
            "12345",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad} should fail");
        }
    }
}
