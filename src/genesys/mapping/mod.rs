//! The SCIM ↔ Genesys field mapping (`genesys::mapping`), as one table, and the SCIM writes.
//! Imports the domain's stored forms (`genesys`), `scim`, `compat`, `error` and `base`.
//!
//! Each [`Row`] is one line of Genesys' field-mapping article ("SCIM and Genesys Cloud field
//! mappings", <https://help.mypurecloud.com/articles/scim-and-genesys-cloud-field-mappings/>):
//! the SCIM attribute, the Genesys field it lands in, how the SCIM view is rendered from the
//! stored user, and how a SCIM value is written into it (validated against the org's reference
//! data). Rendering a user walks the rows ([`render`]); writing one (create, replace, or the
//! result of a PATCH: [`write`](mod@write)) walks them too, so a rule lives in exactly one
//! place. `docs/mapping.md`'s table is checked against [`ROWS`].
//!
//! The rows' readers and writers live by what they touch: plain fields ([`fields`]), the
//! contact lists ([`contacts`]), the org's reference data and other users ([`references`]).
//! Groups have no table ([`groups`]).
//!
//! What is not in the table is not stored: attributes Genesys does not support are dropped, or
//! rejected when `Compat::unsupported_attributes` is `reject` ([`unsupported`]).

mod contacts;
mod fields;
pub(crate) mod groups;
mod references;
pub(crate) mod render;
pub(crate) mod unsupported;
mod value;
pub(crate) mod write;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::compat::{Compat, ContactLists, References};
use crate::error::ApiResult;
use crate::genesys::doc_value::DocValue;
use crate::genesys::org::Org;
use crate::genesys::permission::Grants;
use crate::genesys::user::{User, UserState};
use crate::scim::schema::{self, ENTERPRISE_USER, GENESYS_USER};
use contacts::{read_emails, read_phones, write_emails, write_phones};
use fields::{
    read_external_ids, write_active, write_date_hire, write_display_name, write_external_id,
    write_external_ids, write_user_name,
};
use references::{
    read_division, read_groups, read_languages, read_manager, read_roles, read_skills,
    write_division, write_languages, write_manager, write_roles, write_skills,
};
use value::opt_string;

pub(crate) use fields::{hire_date, user_name_valid};
pub(crate) use groups::{group_json, group_to_scim, group_to_scim_with};
pub(crate) use render::{DOCUMENT_KEYS, UserDocument, user_bytes, user_bytes_at, user_to_scim};
pub(crate) use unsupported::{is_documented_unsupported, unsupported_attributes};
pub(crate) use value::get_ci;
pub(crate) use write::user_from_scim;

/// What rendering needs besides the user: the org (to name divisions, roles, groups), the
/// SCIM base URL of this request (for `meta.location` and `$ref`), and the switches that
/// change what is rendered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct View<'a> {
    pub org: &'a Org,
    /// e.g. `http://127.0.0.1:8080/api/v2/scim/v2`
    pub base: &'a str,
    /// `meta-created`: render `meta.created` (RFC 7643 §3.1; Genesys does not).
    pub meta_created: bool,
    /// `genesys-attributes`: render the Genesys extension and `dateHire`.
    pub genesys_attributes: bool,
    /// `contact-lists=as-sent`: render `emails` and `phoneNumbers` as sent, where stored.
    pub contacts_as_sent: bool,
    /// `reference-values=any`: roles and divisions may hold names the org does not have, and
    /// a manager's `$ref` is rendered only for a live user.
    pub any_references: bool,
    /// `genesys-defaults`: render `active` even where the client left it out or removed it.
    pub genesys_defaults: bool,
    /// `division-reads=granted`, for a client with `roleDivisions`: lists and searches leave
    /// out users outside every division these grants cover (`None`: every user is listed).
    /// Not a rendering switch: a document looks the same whoever may list it.
    pub divisions: Option<&'a Grants>,
}

impl<'a> View<'a> {
    /// A view as Genesys renders it (every switch at its Genesys value), for code that has no
    /// request switches at hand (exports, comparisons, tests).
    pub(crate) fn new(org: &'a Org, base: &'a str) -> Self {
        Self::with(org, base, &Compat::default())
    }

    /// A view under these switches.
    pub(crate) fn with(org: &'a Org, base: &'a str, compat: &Compat) -> Self {
        Self {
            org,
            base,
            meta_created: compat.meta_created,
            genesys_attributes: compat.genesys_attributes,
            contacts_as_sent: compat.contact_lists == ContactLists::AsSent,
            any_references: compat.reference_values == References::Any,
            genesys_defaults: compat.genesys_defaults,
            divisions: None,
        }
    }

    /// The switches of this view as bits: with the base URL and the org, all a rendered
    /// document depends on (the render cache's key). Destructured without `..`, so a new
    /// switch cannot be left out of the key.
    pub(crate) fn switches(&self) -> u8 {
        let Self {
            org: _,
            base: _,
            meta_created,
            genesys_attributes,
            contacts_as_sent,
            any_references,
            genesys_defaults,
            divisions: _,
        } = *self;
        u8::from(meta_created)
            | u8::from(genesys_attributes) << 1
            | u8::from(contacts_as_sent) << 2
            | u8::from(any_references) << 3
            | u8::from(genesys_defaults) << 4
    }

    /// Whether this view renders a row (`genesys-attributes` withdraws Genesys' additions).
    fn renders(&self, row: &Row) -> bool {
        self.genesys_attributes || !schema::is_genesys_addition(row.schema, row.attr)
    }

    /// The `schemas` of a user in this view.
    fn user_schemas(&self) -> &'static [&'static str] {
        if self.genesys_attributes {
            &[schema::USER, ENTERPRISE_USER, GENESYS_USER]
        } else {
            &[schema::USER, ENTERPRISE_USER]
        }
    }
}

/// Which write is being mapped. They differ only in what an absent attribute means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// POST: absent attributes take their defaults; `userName` and `displayName` are required.
    Create,
    /// PUT: absent attributes are cleared, except `userName`, `displayName`, `active`,
    /// `password`, `roles` and `externalId`, which keep their values (so a PUT that carries
    /// only the Genesys extension works and keeps the immutable `x-pc:scimv2:v1` id).
    Replace,
    /// The JSON after a PATCH: it started as the full view, so an absent attribute was removed.
    Patch,
}

/// What writing needs besides the user.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WriteCtx<'a> {
    pub org: &'a Org,
    pub compat: &'a Compat,
    pub mode: Mode,
    /// The stored user before this write (`None` on create).
    pub previous: Option<&'a User>,
}

/// What a SCIM write of an org (`replace_user`, `patch_user`, `replace_group`, `patch_group`)
/// takes from its request besides the body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScimWrite<'a, P> {
    /// The switches the write runs under.
    pub compat: &'a Compat,
    /// The SCIM base URL: a PATCH renders the resource's view before applying its operations.
    pub base: &'a str,
    /// When the write is stored.
    pub now: DateTime<Utc>,
    /// A check of the stored version, made before anything is written (the handler's
    /// `If-Match`): `FnOnce(u64) -> ApiResult<()>`.
    pub precondition: P,
}

/// Renders a row's value from the user and the view, borrowing from both.
type Reader = for<'a> fn(&'a User, &View<'a>) -> Option<DocValue<'a>>;
type Writer = fn(&mut User, Option<&Value>, &WriteCtx<'_>) -> ApiResult<()>;

/// One mapping rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    /// The schema URN whose object holds the attribute; [`schema::USER`] for core attributes.
    pub schema: &'static str,
    /// The attribute name inside that schema.
    pub attr: &'static str,
    /// The Genesys field, as the mapping article names it.
    #[allow(
        dead_code,
        reason = "documentation: read by the test that checks docs/mapping.md against this table"
    )]
    pub genesys: &'static str,
    /// Notes for the mapping table in `docs/mapping.md`.
    #[allow(
        dead_code,
        reason = "documentation: read by the test that checks docs/mapping.md against this table"
    )]
    pub notes: &'static str,
    pub read: Reader,
    pub write: Writer,
}

/// The table. Order is render order and write order (`emails` needs `userName` written first,
/// the Genesys `externalIds` need `externalId` written first).
pub(crate) const ROWS: &[Row] = &[
    Row {
        schema: schema::USER,
        attr: "externalId",
        genesys: "external id with authority x-pc:scimv2:v1",
        notes: "case-exact; also visible in the Genesys extension's externalIds and the external-id API",
        read: |u, _| u.scim_external_id().map(DocValue::Str),
        write: write_external_id,
    },
    Row {
        schema: schema::USER,
        attr: "userName",
        genesys: "contactInfo.email_main",
        notes: "required; unique among non-deleted users, case-insensitively",
        read: |u, _| Some(DocValue::Str(&u.email)),
        write: write_user_name,
    },
    Row {
        schema: schema::USER,
        attr: "displayName",
        genesys: "general.name",
        notes: "required",
        read: |u, _| Some(DocValue::Str(&u.name)),
        write: write_display_name,
    },
    Row {
        schema: schema::USER,
        attr: "title",
        genesys: "general.title",
        notes: "",
        read: |u, _| u.title.as_deref().map(DocValue::Str),
        write: |u, v, _| {
            u.title = opt_string("title", v)?;
            Ok(())
        },
    },
    Row {
        schema: schema::USER,
        attr: "active",
        genesys: "state (active / inactive)",
        notes: "\"True\"/\"False\" strings accepted (coerce-string-booleans); deletion is separate",
        read: |u, v| {
            (!u.active_unset || v.genesys_defaults)
                .then_some(DocValue::Bool(u.state == UserState::Active))
        },
        write: write_active,
    },
    Row {
        schema: schema::USER,
        attr: "password",
        genesys: "password",
        notes: "write-only: accepted on create, PUT and PATCH, never returned",
        read: |_, _| None,
        write: |u, v, _| {
            if let Some(p) = opt_string("password", v)? {
                u.password = Some(p);
            }
            Ok(())
        },
    },
    Row {
        schema: schema::USER,
        attr: "emails",
        genesys: "contactInfo.email_main (type other, read-only), contactInfo.email_work (type work)",
        notes: "other types are dropped",
        read: read_emails,
        write: write_emails,
    },
    Row {
        schema: schema::USER,
        attr: "phoneNumbers",
        genesys: "contactInfo.phone_work … phone_other, primaryContactInfo.voice",
        notes: "types work, work2, work3, work4, home, mobile, other, microsoftteams, zoomphone, eightbyeight, ringcentral; E.164, tel:+…;ext=… or tel:;ext=…; primary selects primaryContactInfo.voice",
        read: read_phones,
        write: write_phones,
    },
    Row {
        schema: schema::USER,
        attr: "groups",
        genesys: "groups the user is a member of (official, public)",
        notes: "read-only; change membership through Groups; social and non-public groups are not listed",
        read: read_groups,
        write: |_, _, _| Ok(()),
    },
    Row {
        schema: schema::USER,
        attr: "roles",
        genesys: "user roles (by name)",
        notes: "names must exist in the org; a create without roles gets the employee role",
        read: read_roles,
        write: write_roles,
    },
    Row {
        schema: ENTERPRISE_USER,
        attr: "division",
        genesys: "divisionId",
        notes: "a division name; unknown names are rejected, never created; absent means Home",
        read: read_division,
        write: write_division,
    },
    Row {
        schema: ENTERPRISE_USER,
        attr: "department",
        genesys: "general.department",
        notes: "",
        read: |u, _| u.department.as_deref().map(DocValue::Str),
        write: |u, v, _| {
            u.department = opt_string("department", v)?;
            Ok(())
        },
    },
    Row {
        schema: ENTERPRISE_USER,
        attr: "manager",
        genesys: "relationships.manager",
        notes: "value must be the id of another non-deleted user in the org (an unchanged manager is kept even if since deleted); a bare string is taken as the value",
        read: read_manager,
        write: write_manager,
    },
    Row {
        schema: ENTERPRISE_USER,
        attr: "employeeNumber",
        genesys: "hr.empId",
        notes: "",
        read: |u, _| u.employee_id.as_deref().map(DocValue::Str),
        write: |u, v, _| {
            u.employee_id = opt_string("employeeNumber", v)?;
            Ok(())
        },
    },
    Row {
        schema: ENTERPRISE_USER,
        attr: "dateHire",
        genesys: "hr.dateHire",
        notes: "YYYY-MM-DD; an ISO-8601 date-time keeps its date part",
        read: |u, _| u.date_hire.as_deref().map(DocValue::Str),
        write: write_date_hire,
    },
    Row {
        schema: GENESYS_USER,
        attr: "routingSkills",
        genesys: "user routing skills",
        notes: "name must exist (case-sensitive); proficiency 0 to 5; at most 50",
        read: read_skills,
        write: write_skills,
    },
    Row {
        schema: GENESYS_USER,
        attr: "routingLanguages",
        genesys: "user routing languages",
        notes: "name must exist (case-sensitive); proficiency 0 to 5; at most 50",
        read: read_languages,
        write: write_languages,
    },
    Row {
        schema: GENESYS_USER,
        attr: "externalIds",
        genesys: "external ids (external-id API)",
        notes: "always includes the immutable x-pc:scimv2:v1 entry carrying externalId; at most 100",
        read: read_external_ids,
        write: write_external_ids,
    },
];

#[cfg(test)]
mod doc_tests {
    use super::*;
    use crate::scim::schema::UNSUPPORTED_USER;

    /// The line `docs/mapping.md` must carry for a row.
    fn doc_line(row: &Row) -> String {
        let schema = match row.schema {
            schema::USER => "core",
            ENTERPRISE_USER => "enterprise",
            _ => "genesys",
        };
        format!(
            "| {schema} | `{}` | {} | {} |",
            row.attr, row.genesys, row.notes
        )
    }

    /// docs/mapping.md is the user-facing copy of [`ROWS`]; every row must appear in it verbatim.
    #[test]
    fn every_row_is_in_docs_mapping_md() {
        let doc = include_str!("../../../docs/mapping.md");
        let missing: Vec<String> = ROWS
            .iter()
            .map(doc_line)
            .filter(|line| !doc.lines().any(|l| l.trim() == line.trim()))
            .collect();
        assert!(
            missing.is_empty(),
            "docs/mapping.md is missing or has a stale copy of these rows:\n{}",
            missing.join("\n")
        );
    }

    /// And the documented unsupported list matches the code's.
    #[test]
    fn every_unsupported_attribute_is_in_docs_mapping_md() {
        let doc = include_str!("../../../docs/mapping.md");
        for name in UNSUPPORTED_USER {
            assert!(doc.contains(&format!("`{name}`")), "{name} missing");
        }
    }
}
