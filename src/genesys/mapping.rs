//! The SCIM ↔ Genesys field mapping, as one table.
//!
//! Each [`Row`] is one line of Genesys' field-mapping article (seed 004): the SCIM attribute,
//! the Genesys field it lands in, how the SCIM view is rendered from the stored user, and how a
//! SCIM value is written into it (validated against the org's reference data). Rendering a user
//! walks the rows; writing one (create, replace, or the result of a PATCH) walks them too, so a
//! rule lives in exactly one place. `docs/mapping.md`'s table is checked against [`ROWS`].
//!
//! What is not in the table is not stored: attributes Genesys does not support are dropped, or
//! rejected when `Compat::unsupported_attributes` is `reject`.

use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::clock::format_time;
use crate::compat::{Compat, ContactLists, References, Unsupported};
use crate::error::{ApiError, ApiResult};
use crate::genesys::doc_value::DocValue;
use crate::genesys::group::{Group, GroupType};
use crate::genesys::org::Org;
use crate::genesys::user::{
    ExternalId, Phone, PhoneKind, PhoneNumber, Proficiency, SCIM_AUTHORITY, SENT_CONTACTS_MAX,
    SentContact, SentContacts, User, UserState,
};
use crate::scim::schema::{self, ENTERPRISE_USER, GENESYS_USER, PHONE_TYPES, UNSUPPORTED_USER};

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

/// The SCIM `meta` object: what Genesys renders (`resourceType`, `lastModified`, `location`,
/// `version`), plus `created` when the view asks for it.
fn meta<'a>(
    view: &View<'a>,
    kind: &'static str,
    endpoint: &'static str,
    id: &'a str,
    version: u64,
    created: DateTime<Utc>,
    modified: DateTime<Utc>,
) -> DocValue<'a> {
    let mut meta = vec![
        ("resourceType", DocValue::Str(kind)),
        ("lastModified", DocValue::String(format_time(modified))),
        (
            "location",
            DocValue::Url {
                base: view.base,
                collection: endpoint,
                id,
            },
        ),
        ("version", DocValue::String(version.to_string())),
    ];
    if view.meta_created {
        meta.push(("created", DocValue::String(format_time(created))));
    }
    DocValue::Object(meta)
}

/// Which write is being mapped. They differ only in what an absent attribute means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// POST: absent attributes take their defaults; `userName` and `displayName` are required.
    Create,
    /// PUT: absent attributes are cleared, except `userName`, `displayName`, `active`,
    /// `password`, `roles` and `externalId`, which keep their values (seed 000's
    /// extension-only PUT works and keeps the immutable `x-pc:scimv2:v1` id).
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
        reason = "documentation: read by the test that writes docs/mapping.md"
    )]
    pub genesys: &'static str,
    /// Notes for the mapping table in `docs/mapping.md`.
    #[allow(
        dead_code,
        reason = "documentation: read by the test that writes docs/mapping.md"
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
        read: |u, v| match v.org.division(&u.division_id) {
            Some(d) => Some(DocValue::Str(&d.name)),
            // `reference-values=any` keeps an unknown division's name where the id would be.
            None => (v.any_references && !u.division_id.is_empty())
                .then_some(DocValue::Str(&u.division_id)),
        },
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
        read: |u, v| {
            u.manager_id.as_deref().map(|m| {
                let mut manager = vec![("value", DocValue::Str(m))];
                // Under `reference-values=any` the id may name no user: no resource, no `$ref`.
                if !(v.any_references && v.org.user(m).is_none()) {
                    manager.push((
                        "$ref",
                        DocValue::Url {
                            base: v.base,
                            collection: "Users",
                            id: m,
                        },
                    ));
                }
                DocValue::Object(manager)
            })
        },
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
        read: |u, v| read_proficiencies(&u.skills, |id| v.org.skill(id).map(|s| s.name.as_str())),
        write: |u, v, c| {
            u.skills =
                write_proficiencies("routingSkills", v, c.org.limits.skills_per_user, |n| {
                    c.org.skill_by_name(n).map(|s| s.id.clone())
                })?;
            Ok(())
        },
    },
    Row {
        schema: GENESYS_USER,
        attr: "routingLanguages",
        genesys: "user routing languages",
        notes: "name must exist (case-sensitive); proficiency 0 to 5; at most 50",
        read: |u, v| {
            read_proficiencies(&u.languages, |id| {
                v.org.language(id).map(|s| s.name.as_str())
            })
        },
        write: |u, v, c| {
            u.languages = write_proficiencies(
                "routingLanguages",
                v,
                c.org.limits.languages_per_user,
                |n| c.org.language_by_name(n).map(|s| s.id.clone()),
            )?;
            Ok(())
        },
    },
    Row {
        schema: GENESYS_USER,
        attr: "externalIds",
        genesys: "external ids (external-id API)",
        notes: "always includes the immutable x-pc:scimv2:v1 entry carrying externalId; at most 100",
        read: |u, _| {
            (!u.external_ids.is_empty()).then(|| {
                DocValue::Array(
                    u.external_ids
                        .iter()
                        .map(|e| {
                            DocValue::Object(vec![
                                ("authority", DocValue::Str(&e.authority_name)),
                                ("value", DocValue::Str(&e.external_key)),
                            ])
                        })
                        .collect(),
                )
            })
        },
        write: write_external_ids,
    },
];

/// A user's `meta` object.
fn user_meta<'a>(user: &'a User, view: &View<'a>) -> DocValue<'a> {
    meta(
        view,
        "User",
        "Users",
        &user.id,
        user.version,
        user.date_created,
        user.date_modified,
    )
}

/// Renders the SCIM view of a user.
pub(crate) fn user_to_scim(user: &User, view: &View<'_>) -> Value {
    let mut out = Map::new();
    out.insert("schemas".into(), json!(view.user_schemas()));
    out.insert("id".into(), json!(user.id));
    for row in ROWS.iter().filter(|r| view.renders(r)) {
        let Some(value) = (row.read)(user, view) else {
            continue;
        };
        let value = value.into_value();
        if row.schema == schema::USER {
            out.insert(row.attr.into(), value);
        } else {
            out.entry(row.schema)
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .map(|ext| ext.insert(row.attr.into(), value));
        }
    }
    out.insert("meta".into(), user_meta(user, view).into_value());
    Value::Object(out)
}

/// The SCIM view of a user as a response sends it: the same document as [`user_to_scim`]
/// (a test compares the bytes for every user of a generated org), built as one [`DocValue`]
/// and written straight to bytes ([`UserDocument::to_bytes`]) without a `Value` tree.
/// Responses sent as rendered (no `attributes` or `excludedAttributes`) use it; the rows
/// still render their own values, so each rule stays in [`ROWS`] alone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UserDocument<'a> {
    pub user: &'a User,
    pub view: &'a View<'a>,
}

impl<'a> UserDocument<'a> {
    /// The document's top-level object.
    fn document(&self) -> DocValue<'a> {
        let (user, view) = (self.user, self.view);
        let mut out: Vec<(&'static str, DocValue<'a>)> = Vec::with_capacity(24);
        let schemas = view.user_schemas().iter().copied().map(DocValue::Str);
        out.push(("schemas", DocValue::Array(schemas.collect())));
        out.push(("id", DocValue::Str(&user.id)));
        // Rows are grouped by schema (core first), so each extension is one run of rows,
        // written as one object when any of its rows has a value, where the tree puts it.
        let mut rest = ROWS;
        while let Some(first) = rest.first() {
            let run = rest
                .iter()
                .position(|r| r.schema != first.schema)
                .unwrap_or(rest.len());
            let (group, tail) = rest.split_at(run);
            rest = tail;
            let values = group
                .iter()
                .filter(|r| view.renders(r))
                .filter_map(|r| (r.read)(user, view).map(|v| (r.attr, v)));
            if first.schema == schema::USER {
                out.extend(values);
            } else {
                let values: Vec<_> = values.collect();
                if !values.is_empty() {
                    out.push((first.schema, DocValue::Object(values)));
                }
            }
        }
        out.push(("meta", user_meta(user, view)));
        DocValue::Object(out)
    }

    /// The document's JSON, as `serde_json` writes it (compact).
    pub(crate) fn to_bytes(self) -> Bytes {
        // Most documents are 1 to 3 KB: one allocation instead of a doubling series.
        let mut out = Vec::with_capacity(2048);
        self.document().write_json(&mut out);
        // Held to its length (an in-place shrink): the render cache and the journal keep
        // these bytes, and the journal counts their length against `--journal-bytes`.
        out.shrink_to_fit();
        Bytes::from(out)
    }
}

impl serde::Serialize for UserDocument<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.document().serialize(s)
    }
}

/// Every object key a user document or a list of them can hold, under every switch (a test
/// walks the documents of generated orgs under both profiles): what `http::OwnKeys` names.
pub(crate) const DOCUMENT_KEYS: &[&str] = &[
    "$ref",
    "Resources",
    "active",
    "authority",
    "created",
    "dateHire",
    "department",
    "displayName",
    "division",
    "emails",
    "employeeNumber",
    "externalId",
    "externalIds",
    "groups",
    "id",
    "itemsPerPage",
    "lastModified",
    "location",
    "manager",
    "meta",
    "name",
    "phoneNumbers",
    "primary",
    "proficiency",
    "resourceType",
    "roles",
    "routingLanguages",
    "routingSkills",
    "schemas",
    "startIndex",
    "title",
    "totalResults",
    "type",
    ENTERPRISE_USER,
    GENESYS_USER,
    "userName",
    "value",
    "version",
];

/// The bytes of [`UserDocument`] for the user at table position `pos`: from the org's
/// [`render_cache`](crate::genesys::render_cache) when it holds them for this view, else
/// rendered and kept there. `user` must be the user stored at `pos`.
pub(crate) fn user_bytes(pos: u32, user: &User, view: &View<'_>) -> Bytes {
    user_bytes_at(pos, user, view, view.org.renders().generation())
}

/// [`user_bytes`] for `user` as it was stored at `generation` (a write's answer, rendered
/// after its write lock is released): the cache is read and filled only for that state.
pub(crate) fn user_bytes_at(pos: u32, user: &User, view: &View<'_>, generation: u64) -> Bytes {
    let cache = view.org.renders();
    let switches = view.switches();
    if let Some(bytes) = cache.get(pos, generation, view.base, switches) {
        return bytes;
    }
    let bytes = UserDocument { user, view }.to_bytes();
    cache.put(pos, generation, view.base, switches, &bytes);
    bytes
}

/// Writes a SCIM user body into a user: a copy of `ctx.previous`, or a blank user with `id`.
pub(crate) fn user_from_scim(input: &Value, id: &str, ctx: &WriteCtx<'_>) -> ApiResult<User> {
    let obj = input
        .as_object()
        .ok_or_else(|| ApiError::invalid_syntax("The request body must be a JSON object."))?;
    crate::genesys::user_input::check(obj)?;
    check_unsupported(obj, ctx.compat)?;
    let mut user = match ctx.previous {
        Some(p) => p.clone(),
        None => User::blank(id),
    };
    // Withdrawn rows (`genesys-attributes=false`) are neither written nor cleared: the body's
    // values for them were unsupported attributes, dropped or rejected above.
    let offered = |row: &&Row| {
        ctx.compat.genesys_attributes || !schema::is_genesys_addition(row.schema, row.attr)
    };
    for row in ROWS.iter().filter(offered) {
        let container = if row.schema == schema::USER {
            Some(obj)
        } else {
            get_ci(obj, row.schema).and_then(Value::as_object)
        };
        let value = container
            .and_then(|c| get_ci(c, row.attr))
            .filter(|v| !v.is_null());
        (row.write)(&mut user, value, ctx).map_err(|e| e.at(row.attr))?;
    }
    Ok(finish_write(user, ctx))
}

/// What every write does once the rows are written.
fn finish_write(mut user: User, ctx: &WriteCtx<'_>) -> User {
    user.sort_phones();
    if ctx.compat.contact_lists == ContactLists::Genesys {
        // The slots were just written: they are the truth now.
        user.sent_contacts = None;
    }
    user
}

/// Plain string attributes a PATCH `replace` may write straight into the stored user: each
/// row renders the stored string as it is and writes it back with `opt_string`, so replacing
/// it through the SCIM view and mapping the whole view back changes that field alone (a
/// property test compares the two for every user of generated orgs, under both profiles).
const IN_PLACE: &[(&str, &str)] = &[
    (schema::USER, "title"),
    (ENTERPRISE_USER, "department"),
    (ENTERPRISE_USER, "employeeNumber"),
];

/// A PATCH body of one `replace` of an [`IN_PLACE`] attribute (path `title`, or
/// `<enterprise URN>:department`) with a string, applied to a copy of `ctx.previous` without
/// rendering it to SCIM and mapping it back: the same user the general path builds, at a
/// fraction of the work. `None` for every other body (and for a string past the bounds of
/// `user_input`, so the general path words the error, and under `contact-lists=as-sent`):
/// the caller takes the general path.
pub(crate) fn patch_in_place(body: &Value, ctx: &WriteCtx<'_>) -> Option<ApiResult<User>> {
    let previous = ctx.previous?;
    // `contact-lists=as-sent` keeps the contact lists as the last write sent them: a write
    // through the view records them, which only the general path does.
    if ctx.compat.contact_lists != ContactLists::Genesys {
        return None;
    }
    // Spelled as `scim::patch` reads them: `Operations` or `operations`, then `op`, `path`
    // and `value` in any case.
    let ops = body.get("Operations").or_else(|| body.get("operations"))?;
    let [op] = ops.as_array()?.as_slice() else {
        return None;
    };
    let op = op.as_object()?;
    let verb = get_ci(op, "op")?;
    let path = get_ci(op, "path")?;
    let value = get_ci(op, "value")?;
    if !verb.as_str()?.eq_ignore_ascii_case("replace")
        || !value.is_string()
        || !crate::genesys::user_input::string_ok(value)
    {
        return None;
    }
    let path = path.as_str()?.trim();
    let row = IN_PLACE.iter().find_map(|&(urn, attr)| {
        let named = if urn == schema::USER {
            path.eq_ignore_ascii_case(attr)
        } else {
            path.len() == urn.len() + 1 + attr.len()
                && path[..urn.len()].eq_ignore_ascii_case(urn)
                && path[urn.len()..].starts_with(':')
                && path[urn.len() + 1..].eq_ignore_ascii_case(attr)
        };
        named.then(|| ROWS.iter().find(|r| r.schema == urn && r.attr == attr))?
    })?;
    let mut user = previous.clone();
    Some(
        (row.write)(&mut user, Some(value), ctx)
            .map_err(|e| e.at(row.attr))
            .map(|()| finish_write(user, ctx)),
    )
}

/// Renders the SCIM view of a group.
pub(crate) fn group_to_scim(group: &Group, view: &View<'_>) -> Value {
    group_to_scim_with(group, view, true)
}

/// Renders the SCIM view of a group, with its members only when `members` is true: a group
/// may have 10,000 of them, and a list that pages, a filter that does not name them or an
/// `excludedAttributes=members` does not need them built.
pub(crate) fn group_to_scim_with(group: &Group, view: &View<'_>, members: bool) -> Value {
    let members: Vec<Value> = if members {
        group
            .members
            .iter()
            .map(
                |m| json!({"value": m, "$ref": format!("{}/Users/{m}", view.base), "type": "User"}),
            )
            .collect()
    } else {
        Vec::new()
    };
    let mut out = json!({
        "schemas": [schema::GROUP],
        "id": group.id,
        "displayName": group.name,
        "members": members,
        "meta": meta(
            view,
            "Group",
            "Groups",
            &group.id,
            group.version,
            group.date_created,
            group.date_modified,
        )
        .into_value(),
    });
    if let Some(e) = &group.external_id {
        out["externalId"] = json!(e);
    }
    out
}

/// Writes a SCIM group body (PUT, or the JSON after a PATCH) into a copy of `previous`.
/// `displayName` is read-only and ignored here (RFC 7644 §3.5.1: read-only values in a PUT are
/// ignored); PATCH rejects changing it before this point.
pub(crate) fn group_from_scim(input: &Value, previous: &Group) -> ApiResult<Group> {
    let obj = input
        .as_object()
        .ok_or_else(|| ApiError::invalid_syntax("The request body must be a JSON object."))?;
    let mut group = previous.clone();
    group.external_id = opt_string("externalId", get_ci(obj, "externalId"))?;
    group.members = match get_ci(obj, "members").filter(|v| !v.is_null()) {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|m| {
                member_id(m).ok_or_else(|| {
                    ApiError::invalid_value(format!(
                        "members: each member needs a string \"value\" (a user id); got {m}"
                    ))
                })
            })
            .collect::<ApiResult<_>>()?,
        Some(other) => {
            return Err(ApiError::invalid_value(format!(
                "members must be an array, got {other}"
            )));
        }
    };
    Ok(group)
}

fn member_id(m: &Value) -> Option<String> {
    match m.get("value")? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A key looked up case-insensitively: SCIM attribute names are case-insensitive (RFC 7643 §2.1).
/// An exact match wins over one that differs in case. One pass over the keys: a SCIM body
/// holds a few, and most lookups (one per mapping row) miss, where hashing the key first
/// (SipHash) and scanning anyway cost twice.
pub(crate) fn get_ci<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    let mut folded = None;
    for (k, v) in obj {
        if k == key {
            return Some(v);
        }
        if folded.is_none() && k.eq_ignore_ascii_case(key) {
            folded = Some(v);
        }
    }
    folded
}

fn check_unsupported(obj: &Map<String, Value>, compat: &Compat) -> ApiResult<()> {
    for (key, value) in obj {
        let is_extension = [&schema::ENTERPRISE_SCHEMA, &schema::GENESYS_SCHEMA]
            .into_iter()
            .any(|s| s.id.eq_ignore_ascii_case(key));
        if is_extension && !value.is_object() && !value.is_null() {
            return Err(ApiError::invalid_value(format!(
                "{key} must be an object, got {value}"
            )));
        }
    }
    let unsupported = unsupported_attributes_with(obj, compat.genesys_attributes);
    if compat.unsupported_attributes == Unsupported::Reject && !unsupported.is_empty() {
        return Err(ApiError::invalid_value(format!(
            "Attributes not supported by Genesys Cloud{}: {} (unsupported-attributes=reject)",
            if compat.genesys_attributes {
                ""
            } else {
                " or withdrawn by genesys-attributes=false"
            },
            unsupported.join(", ")
        )));
    }
    Ok(())
}

/// The attributes of a user body that Genesys does not store: top-level keys outside the
/// schemas, and extension keys the extension does not define (as `urn:...:key`). With
/// `unsupported-attributes=drop` (the default) these are accepted and dropped; the client
/// report's `dropped-attributes` rule lists them.
pub(crate) fn unsupported_attributes(obj: &Map<String, Value>) -> Vec<String> {
    unsupported_attributes_with(obj, true)
}

/// [`unsupported_attributes`], counting Genesys' additions to the RFC user among them when
/// `genesys_attributes` (the switch) is off.
pub(crate) fn unsupported_attributes_with(
    obj: &Map<String, Value>,
    genesys_attributes: bool,
) -> Vec<String> {
    let mut unsupported = Vec::new();
    for (key, value) in obj {
        if key.eq_ignore_ascii_case("schemas")
            || key.eq_ignore_ascii_case("id")
            || key.eq_ignore_ascii_case("meta")
            || schema::USER_SCHEMA.attribute(key).is_some()
        {
            continue;
        }
        let ext = [&schema::ENTERPRISE_SCHEMA, &schema::GENESYS_SCHEMA]
            .into_iter()
            .find(|s| s.id.eq_ignore_ascii_case(key));
        match ext {
            Some(s) if !genesys_attributes && s.id == GENESYS_USER => {
                unsupported.push(key.clone());
            }
            Some(s) => {
                if let Some(inner) = value.as_object() {
                    for k in inner.keys() {
                        let withdrawn = !genesys_attributes && schema::is_genesys_addition(s.id, k);
                        if s.attribute(k).is_none() || withdrawn {
                            unsupported.push(format!("{}:{k}", s.id));
                        }
                    }
                }
            }
            None => unsupported.push(key.clone()),
        }
    }
    unsupported
}

/// Whether a top-level key names an attribute Genesys documents as unsupported.
pub(crate) fn is_documented_unsupported(key: &str) -> bool {
    UNSUPPORTED_USER.iter().any(|u| u.eq_ignore_ascii_case(key))
}

// ---- value helpers ----

fn opt_string(name: &str, v: Option<&Value>) -> ApiResult<Option<String>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ApiError::invalid_value(format!(
            "{name} must be a string, got {other}"
        ))),
    }
}

/// A boolean, with Entra's `"True"`/`"False"` accepted under `coerce-string-booleans`.
pub(crate) fn boolean(name: &str, v: &Value, compat: &Compat) -> ApiResult<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if compat.coerce_string_booleans && s.eq_ignore_ascii_case("true") => {
            Ok(true)
        }
        Value::String(s) if compat.coerce_string_booleans && s.eq_ignore_ascii_case("false") => {
            Ok(false)
        }
        other => Err(ApiError::invalid_value(format!(
            "{name} must be a boolean, got {other}"
        ))),
    }
}

fn required(name: &str, v: Option<&Value>, ctx: &WriteCtx<'_>) -> ApiResult<Option<String>> {
    match opt_string(name, v)? {
        Some(s) => Ok(Some(s)),
        None => match ctx.mode {
            Mode::Replace if ctx.previous.is_some() => Ok(None),
            _ => Err(ApiError::invalid_value(format!("{name} is required."))),
        },
    }
}

// ---- writers ----

/// `externalId` is the immutable `x-pc:scimv2:v1` external id, so a PUT that leaves it out
/// (seed 000's extension-only PUT) keeps it rather than clearing it.
fn write_external_id(u: &mut User, v: Option<&Value>, ctx: &WriteCtx<'_>) -> ApiResult<()> {
    let value = opt_string("externalId", v)?;
    if value.is_none() && ctx.mode == Mode::Replace {
        return Ok(());
    }
    u.set_scim_external_id(value);
    Ok(())
}

fn write_user_name(u: &mut User, v: Option<&Value>, ctx: &WriteCtx<'_>) -> ApiResult<()> {
    if let Some(name) = required("userName", v, ctx)? {
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(ApiError::invalid_value("userName must not be empty."));
        }
        if !user_name_valid(&name, ctx.compat) {
            return Err(ApiError::invalid_value(format!(
                "userName must be an email address (it becomes the main email in Genesys Cloud; username-must-be-email=false lifts this), got {name:?}"
            )));
        }
        u.email = name;
    }
    Ok(())
}

/// Whether a trimmed, non-empty `userName` is acceptable: under `username-must-be-email`, an
/// address (one `@` with text on both sides, no whitespace).
pub(crate) fn user_name_valid(name: &str, compat: &Compat) -> bool {
    !compat.username_must_be_email
        || name
            .split_once('@')
            .is_some_and(|(a, d)| !a.is_empty() && !d.is_empty() && !d.contains('@'))
            && !name.contains(char::is_whitespace)
}

fn write_display_name(u: &mut User, v: Option<&Value>, ctx: &WriteCtx<'_>) -> ApiResult<()> {
    if let Some(name) = required("displayName", v, ctx)? {
        u.name = name;
    }
    Ok(())
}

fn write_active(u: &mut User, v: Option<&Value>, ctx: &WriteCtx<'_>) -> ApiResult<()> {
    // `genesys-defaults=false`: left out on create or removed by a PATCH, `active` is absent
    // from the SCIM view (RFC 7644 §3.5.2.2: "unassigned"); a PUT that omits it keeps it, as
    // in the Genesys profile. The Genesys state stays as it was (active on create).
    if !ctx.compat.genesys_defaults && ctx.mode != Mode::Replace {
        u.active_unset = v.is_none();
    } else if v.is_some() {
        u.active_unset = false;
    }
    if let Some(v) = v {
        let active = boolean("active", v, ctx.compat)?;
        u.state = if active {
            UserState::Active
        } else {
            UserState::Inactive
        };
    }
    Ok(())
}

fn read_emails<'a>(u: &'a User, view: &View<'a>) -> Option<DocValue<'a>> {
    if let Some(sent) = sent_contacts(u, view) {
        return render_sent(&sent.emails);
    }
    let mut list = vec![DocValue::Object(vec![
        ("value", DocValue::Str(&u.email)),
        ("type", DocValue::Str("other")),
        ("primary", DocValue::Bool(true)),
    ])];
    if let Some(w) = &u.work_email {
        list.push(DocValue::Object(vec![
            ("value", DocValue::Str(w)),
            ("type", DocValue::Str("work")),
        ]));
    }
    Some(DocValue::Array(list))
}

fn write_emails(u: &mut User, v: Option<&Value>, ctx: &WriteCtx<'_>) -> ApiResult<()> {
    let items = array("emails", v)?;
    if ctx.compat.contact_lists == ContactLists::AsSent {
        let sent = write_sent("emails", items, ctx)?;
        // The Genesys form keeps what it has a slot for: the first work email.
        u.work_email = sent
            .iter()
            .find(|e| {
                e.kind
                    .as_deref()
                    .is_some_and(|k| k.eq_ignore_ascii_case("work"))
            })
            .map(|e| e.value.clone());
        u.sent_contacts.get_or_insert_default().emails = sent;
        return Ok(());
    }
    let mut work = None;
    for item in items {
        let kind = item.get("type").and_then(Value::as_str).unwrap_or("");
        let value = opt_string("emails.value", item.get("value"))?;
        if kind.eq_ignore_ascii_case("work") {
            work = value;
        } else if kind.eq_ignore_ascii_case("other") {
            // Read-only mirror of userName. A PATCH that changes it is a mutability error;
            // POST and PUT ignore read-only values (RFC 7644 §3.5.1).
            let previous = ctx.previous.map(|p| p.email.as_str());
            let changed = value.as_deref().is_some_and(|val| {
                !val.eq_ignore_ascii_case(&u.email)
                    && previous.is_none_or(|p| !val.eq_ignore_ascii_case(p))
            });
            if ctx.mode == Mode::Patch && changed {
                return Err(ApiError::mutability(
                    "emails[type eq \"other\"].value is read-only: it mirrors userName.",
                ));
            }
        }
    }
    u.work_email = work;
    Ok(())
}

fn array<'a>(name: &str, v: Option<&'a Value>) -> ApiResult<&'a [Value]> {
    match v {
        None => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(other) => Err(ApiError::invalid_value(format!(
            "{name} must be an array, got {other}"
        ))),
    }
}

fn read_phones<'a>(u: &'a User, view: &View<'a>) -> Option<DocValue<'a>> {
    if let Some(sent) = sent_contacts(u, view) {
        return render_sent(&sent.phone_numbers);
    }
    (!u.phones.is_empty()).then(|| {
        DocValue::Array(
            u.phones
                .iter()
                .map(|p| {
                    let mut o = vec![
                        ("value", DocValue::String(p.value.to_scim())),
                        ("type", DocValue::Str(p.kind.as_str())),
                    ];
                    if u.primary_phone == Some(p.kind) {
                        o.push(("primary", DocValue::Bool(true)));
                    }
                    DocValue::Object(o)
                })
                .collect(),
        )
    })
}

fn write_phones(u: &mut User, v: Option<&Value>, ctx: &WriteCtx<'_>) -> ApiResult<()> {
    let items = array("phoneNumbers", v)?;
    if ctx.compat.contact_lists == ContactLists::AsSent {
        let sent = write_sent("phoneNumbers", items, ctx)?;
        // The Genesys form keeps the numbers it can hold: a known type, E.164 or a tel URI.
        u.phones.clear();
        u.primary_phone = None;
        for p in &sent {
            let kind = p.kind.as_deref().and_then(PhoneKind::parse);
            let (Some(kind), Ok(number)) = (kind, PhoneNumber::parse(p.value.trim())) else {
                continue;
            };
            if u.phones.iter().any(|q| q.kind == kind) {
                continue;
            }
            if p.primary == Some(true) {
                u.primary_phone = Some(kind);
            }
            u.phones.push(Phone {
                kind,
                value: number,
            });
        }
        u.sent_contacts.get_or_insert_default().phone_numbers = sent;
        return Ok(());
    }
    let mut phones: Vec<Phone> = Vec::new();
    let mut primary = None;
    for item in items {
        let kind = item.get("type").and_then(Value::as_str).ok_or_else(|| {
            ApiError::invalid_value(format!(
                "phoneNumbers: each element needs a type; got {item}"
            ))
        })?;
        let kind = PhoneKind::parse(kind).ok_or_else(|| {
            ApiError::invalid_value(format!(
                "phoneNumbers: unknown type {kind:?} in {item}; allowed: {}",
                PHONE_TYPES.join(", ")
            ))
        })?;
        let Some(text) = opt_string("phoneNumbers.value", item.get("value"))? else {
            // Empty values are ignored, as Entra's sync ignores them (seed 003).
            continue;
        };
        let number = PhoneNumber::parse(text.trim())
            .map_err(|e| ApiError::invalid_value(format!("phoneNumbers: {e} in {item}")))?;
        if let Some(p) = item.get("primary")
            && boolean("phoneNumbers.primary", p, ctx.compat)?
        {
            primary = Some(kind);
        }
        phones.retain(|p| p.kind != kind);
        phones.push(Phone {
            kind,
            value: number,
        });
    }
    u.primary_phone = primary.or_else(|| {
        u.primary_phone
            .filter(|k| phones.iter().any(|p| p.kind == *k))
    });
    u.phones = phones;
    Ok(())
}

/// The lists as sent, when this view renders them and the user has them.
fn sent_contacts<'u>(u: &'u User, view: &View<'_>) -> Option<&'u SentContacts> {
    u.sent_contacts.as_deref().filter(|_| view.contacts_as_sent)
}

fn render_sent(list: &[SentContact]) -> Option<DocValue<'_>> {
    (!list.is_empty()).then(|| {
        DocValue::Array(
            list.iter()
                .map(|c| {
                    let mut o = vec![("value", DocValue::Str(&c.value))];
                    if let Some(k) = &c.kind {
                        o.push(("type", DocValue::Str(k)));
                    }
                    if let Some(p) = c.primary {
                        o.push(("primary", DocValue::Bool(p)));
                    }
                    DocValue::Object(o)
                })
                .collect(),
        )
    })
}

/// `contact-lists=as-sent`: an `emails` or `phoneNumbers` list kept as sent. Each element
/// needs a string `value` (an empty one is skipped, as in the slots); `type` is any string and
/// `primary` a boolean; RFC 7643 §2.4 allows `primary: true` once per list. At most
/// [`SENT_CONTACTS_MAX`] elements.
fn write_sent(name: &str, items: &[Value], ctx: &WriteCtx<'_>) -> ApiResult<Vec<SentContact>> {
    if items.len() > SENT_CONTACTS_MAX {
        return Err(ApiError::invalid_value(format!(
            "{name}: at most {SENT_CONTACTS_MAX} elements are kept, got {}",
            items.len()
        )));
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Some(obj) = item.as_object() else {
            return Err(ApiError::invalid_value(format!(
                "{name}: each element must be an object, got {item}"
            )));
        };
        let Some(value) = opt_string(&format!("{name}.value"), get_ci(obj, "value"))? else {
            continue;
        };
        let kind = opt_string(&format!("{name}.type"), get_ci(obj, "type"))?;
        let primary = get_ci(obj, "primary")
            .filter(|p| !p.is_null())
            .map(|p| boolean(&format!("{name}.primary"), p, ctx.compat))
            .transpose()?;
        out.push(SentContact {
            value,
            kind,
            primary,
        });
    }
    if out.iter().filter(|c| c.primary == Some(true)).count() > 1 {
        return Err(ApiError::invalid_value(format!(
            "{name}: \"primary\": true may appear once (RFC 7643 §2.4)"
        )));
    }
    Ok(out)
}

fn read_groups<'a>(u: &'a User, view: &View<'a>) -> Option<DocValue<'a>> {
    let groups: Vec<DocValue<'a>> = view
        .org
        .groups_of(&u.id)
        // Seed 004: `groups` is "UserProfile.groups[type eq official]"; social groups stay out.
        .filter(|g| g.kind == GroupType::Official && g.scim_visible())
        .map(|g| {
            DocValue::Object(vec![
                ("value", DocValue::Str(&g.id)),
                (
                    "$ref",
                    DocValue::Url {
                        base: view.base,
                        collection: "Groups",
                        id: &g.id,
                    },
                ),
                ("type", DocValue::Str("Group")),
            ])
        })
        .collect();
    (!groups.is_empty()).then_some(DocValue::Array(groups))
}

fn read_roles<'a>(u: &'a User, view: &View<'a>) -> Option<DocValue<'a>> {
    let roles: Vec<DocValue<'a>> = u
        .role_ids
        .iter()
        .filter_map(|id| match view.org.role(id) {
            Some(r) => Some(r.name.as_str()),
            None => view.any_references.then_some(&**id),
        })
        .map(|name| DocValue::Object(vec![("value", DocValue::Str(name))]))
        .collect();
    (!roles.is_empty()).then_some(DocValue::Array(roles))
}

fn write_roles(u: &mut User, v: Option<&Value>, ctx: &WriteCtx<'_>) -> ApiResult<()> {
    let Some(v) = v else {
        match ctx.mode {
            Mode::Create if !ctx.compat.genesys_defaults => u.role_ids.clear(),
            Mode::Create => {
                u.role_ids = ctx
                    .org
                    .default_role()
                    .map(|r| r.id.clone())
                    .into_iter()
                    .collect();
            }
            Mode::Replace => {}
            Mode::Patch => u.role_ids.clear(),
        }
        return Ok(());
    };
    let mut ids = Vec::new();
    for item in array("roles", Some(v))? {
        let name = match item {
            Value::String(s) => s.as_str(),
            _ => item.get("value").and_then(Value::as_str).ok_or_else(|| {
                ApiError::invalid_value(format!(
                    "roles: each role needs a string value; got {item}"
                ))
            })?,
        };
        // Genesys roles have no primary; Entra sends `"primary": "True"` anyway. It is checked
        // like any boolean (coerce-string-booleans) and then ignored.
        if let Some(p) = item.get("primary") {
            boolean("roles.primary", p, ctx.compat)?;
        }
        let id = match ctx.org.role_by_name(name) {
            Some(role) => role.id.clone(),
            // `reference-values=any`: kept as given, rendered back by name.
            None if ctx.compat.reference_values == References::Any && !name.is_empty() => {
                name.into()
            }
            None => {
                return Err(ApiError::invalid_value(format!(
                    "roles: no role named {name:?} exists in this organization (reference-values=any keeps unknown names)"
                )));
            }
        };
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() && ctx.mode == Mode::Create && ctx.compat.genesys_defaults {
        // "A user created with no groups or roles gets only the default employee role"
        // (genesys-api.md §6): an empty list on create is no roles, like an absent one.
        ids.extend(ctx.org.default_role().map(|r| r.id.clone()));
    }
    u.role_ids = ids;
    Ok(())
}

fn write_division(u: &mut User, v: Option<&Value>, ctx: &WriteCtx<'_>) -> ApiResult<()> {
    match opt_string("division", v)? {
        Some(name) => match ctx.org.division_by_name(&name) {
            Some(d) => u.division_id = d.id.clone(),
            // `reference-values=any`: kept as given in place of an id, rendered back as is.
            None if ctx.compat.reference_values == References::Any => {
                u.division_id = name.into();
            }
            None => {
                return Err(ApiError::invalid_value(format!(
                    "division: no division named {name:?} exists in this organization (SCIM never creates divisions; reference-values=any keeps unknown names)"
                )));
            }
        },
        // `genesys-defaults=false`: no division, as sent (RFC 7644 §3.5.2.2 for a removal).
        None if !ctx.compat.genesys_defaults => u.division_id = Arc::default(),
        None => {
            if let Some(home) = ctx.org.home_division() {
                u.division_id = home.id.clone();
            }
        }
    }
    Ok(())
}

fn write_manager(u: &mut User, v: Option<&Value>, ctx: &WriteCtx<'_>) -> ApiResult<()> {
    let id = match v {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Object(o)) => opt_string("manager.value", get_ci(o, "value"))?,
        Some(other) => {
            return Err(ApiError::invalid_value(format!(
                "manager must be an object with a value, got {other}"
            )));
        }
    }
    .filter(|s| !s.is_empty());
    if let Some(m) = &id {
        if *m == u.id {
            return Err(ApiError::invalid_value(
                "manager: a user cannot be their own manager.",
            ));
        }
        // A manager that is unchanged is kept even if it has since been deleted: otherwise
        // deleting a manager would make every write to their reports fail.
        let unchanged = ctx.previous.and_then(|p| p.manager_id.as_deref()) == Some(m.as_str());
        let any = ctx.compat.reference_values == References::Any;
        if !unchanged && !any && ctx.org.user(m).is_none() {
            return Err(ApiError::invalid_value(format!(
                "manager: {m:?} is not the id of a user in this organization"
            )));
        }
    }
    u.manager_id = id;
    Ok(())
}

fn write_date_hire(u: &mut User, v: Option<&Value>, _: &WriteCtx<'_>) -> ApiResult<()> {
    u.date_hire = match opt_string("dateHire", v)? {
        None => None,
        Some(text) => Some(hire_date(&text).ok_or_else(|| {
            ApiError::invalid_value(format!(
                "dateHire must be YYYY-MM-DD (or an ISO-8601 date-time), got {text:?}"
            ))
        })?),
    };
    Ok(())
}

/// The stored `hr.dateHire` of a SCIM `dateHire`: `YYYY-MM-DD`, or the date part of an RFC 3339
/// date-time; `None` for anything else.
pub(crate) fn hire_date(text: &str) -> Option<String> {
    // `YYYY-MM-DD`, the form every generated user has, is read digit by digit: chrono's
    // format-string parser costs some 3,000 instructions a date. A valid one is its own
    // canonical form.
    if let [y @ .., b'-', m1, m2, b'-', d1, d2] = text.as_bytes()
        && y.len() == 4
        && y.iter().chain([m1, m2, d1, d2]).all(u8::is_ascii_digit)
    {
        let n = |ds: &[u8]| ds.iter().fold(0, |a, d| a * 10 + u32::from(d - b'0'));
        let year = i32::try_from(n(y)).ok()?;
        return chrono::NaiveDate::from_ymd_opt(year, n(&[*m1, *m2]), n(&[*d1, *d2]))
            .map(|_| text.to_owned());
    }
    hire_date_parsed(text)
}

/// [`hire_date`] through chrono's parser: every other form.
fn hire_date_parsed(text: &str) -> Option<String> {
    let date_part = text.get(..10).unwrap_or(text);
    let parsed = chrono::NaiveDate::parse_from_str(date_part, "%Y-%m-%d").ok()?;
    let tail_ok = text.len() == 10 || chrono::DateTime::parse_from_rfc3339(text).is_ok();
    tail_ok.then(|| parsed.format("%Y-%m-%d").to_string())
}

fn read_proficiencies<'a>(
    list: &[Proficiency],
    name: impl Fn(&str) -> Option<&'a str>,
) -> Option<DocValue<'a>> {
    (!list.is_empty()).then(|| {
        DocValue::Array(
            list.iter()
                .filter_map(|p| {
                    name(&p.id).map(|n| {
                        DocValue::Object(vec![
                            ("name", DocValue::Str(n)),
                            ("proficiency", DocValue::F64(p.proficiency)),
                        ])
                    })
                })
                .collect(),
        )
    })
}

fn write_proficiencies(
    attr: &str,
    v: Option<&Value>,
    max: usize,
    lookup: impl Fn(&str) -> Option<Arc<str>>,
) -> ApiResult<Vec<Proficiency>> {
    let items = array(attr, v)?;
    if items.len() > max {
        return Err(ApiError::invalid_value(format!(
            "{attr}: at most {max} entries are allowed, got {}",
            items.len()
        )));
    }
    let mut out: Vec<Proficiency> = Vec::new();
    for item in items {
        let name = item.get("name").and_then(Value::as_str).ok_or_else(|| {
            ApiError::invalid_value(format!(
                "{attr}: each entry needs a string name; got {item}"
            ))
        })?;
        let id = lookup(name).ok_or_else(|| {
            ApiError::invalid_value(format!(
                "{attr}: {name:?} does not exist in this organization (names are case-sensitive)"
            ))
        })?;
        let proficiency = match item.get("proficiency") {
            None | Some(Value::Null) => 0.0,
            Some(p) => p.as_f64().ok_or_else(|| {
                ApiError::invalid_value(format!("{attr}: proficiency must be a number; got {item}"))
            })?,
        };
        if !(0.0..=5.0).contains(&proficiency) {
            return Err(ApiError::invalid_value(format!(
                "{attr}: proficiency must be from 0 to 5; got {item}"
            )));
        }
        out.retain(|p| p.id != id);
        out.push(Proficiency { id, proficiency });
    }
    Ok(out)
}

fn write_external_ids(u: &mut User, v: Option<&Value>, ctx: &WriteCtx<'_>) -> ApiResult<()> {
    let items = array("externalIds", v)?;
    let mut list: Vec<ExternalId> = u
        .external_ids
        .iter()
        .filter(|e| e.authority_name == SCIM_AUTHORITY)
        .cloned()
        .collect();
    for item in items {
        let authority = opt_string("externalIds.authority", item.get("authority"))?;
        let value = opt_string("externalIds.value", item.get("value"))?;
        let (Some(authority), Some(value)) = (authority, value) else {
            return Err(ApiError::invalid_value(format!(
                "externalIds: each entry needs an authority and a value; got {item}"
            )));
        };
        if authority.starts_with(SCIM_AUTHORITY) {
            // Immutable: it always mirrors externalId.
            continue;
        }
        let id = ExternalId {
            authority_name: authority,
            external_key: value,
        };
        if !list.contains(&id) {
            list.push(id);
        }
    }
    if list.len() > ctx.org.limits.external_ids_per_user {
        return Err(ApiError::invalid_value(format!(
            "externalIds: at most {} external ids per user, got {}",
            ctx.org.limits.external_ids_per_user,
            list.len()
        )));
    }
    u.external_ids = list;
    Ok(())
}

#[cfg(test)]
mod doc_tests {
    use super::*;

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
        let doc = include_str!("../../docs/mapping.md");
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
        let doc = include_str!("../../docs/mapping.md");
        for name in UNSUPPORTED_USER {
            assert!(doc.contains(&format!("`{name}`")), "{name} missing");
        }
    }
}

#[cfg(test)]
mod in_place_tests {
    use super::*;
    use crate::compat::Profile;

    /// `patch_in_place` builds exactly the user the general path (render, `scim::patch`,
    /// map back) builds, for every live user of a generated org (every phone type, skills,
    /// languages, managers, external ids, inactive users), under both profiles, for values
    /// that are empty, padded, non-ASCII or equal to what is stored.
    #[test]
    fn in_place_patches_build_the_user_the_general_path_builds() {
        let spec = crate::fixtures::generator::Spec {
            org: "g".into(),
            users: 120,
            groups: 4,
            seed: 5,
        };
        let text = crate::fixtures::generator::to_string(&spec);
        let doc = crate::fixtures::read::parse("g.json", &text).unwrap();
        let now = chrono::Utc::now();
        let org =
            crate::fixtures::build::build_org("g.json", 0, &doc.orgs[0], Some(1), now).unwrap();
        let ent = |attr: &str| format!("{ENTERPRISE_USER}:{attr}");
        let cases = [
            ("title".to_owned(), "Lead"),
            ("Title".to_owned(), ""),
            ("TITLE".to_owned(), "  Ünïcode title  "),
            (ent("department"), "Billing"),
            (ent("Department"), ""),
            (ent("employeeNumber"), "E0000003"),
            (ent("employeeNumber"), "e-new"),
        ];
        let mut compared = 0;
        let mut rfc_genesys_lists = Compat::preset(Profile::Rfc);
        rfc_genesys_lists.contact_lists = ContactLists::Genesys;
        for compat in [
            Compat::default(),
            Compat::preset(Profile::Rfc),
            rfc_genesys_lists,
        ] {
            let view = View::with(&org, "http://h/api/v2/scim/v2", &compat);
            for u in org.users().filter(|u| u.is_live()) {
                let ctx = WriteCtx {
                    org: &org,
                    compat: &compat,
                    mode: Mode::Patch,
                    previous: Some(u),
                };
                let mut same_as_stored =
                    vec![("title".to_owned(), u.title.clone().unwrap_or_default())];
                same_as_stored.extend(cases.iter().map(|(p, v)| (p.clone(), (*v).to_owned())));
                for (path, value) in &same_as_stored {
                    let body = json!({
                        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                        "Operations": [{"op": "Replace", "path": path, "value": value}],
                    });
                    let Some(fast) = patch_in_place(&body, &ctx) else {
                        assert_eq!(compat.contact_lists, ContactLists::AsSent);
                        continue;
                    };
                    let fast = fast.map_err(|e| format!("{e:?}"));
                    let mut json = user_to_scim(u, &view);
                    let general = crate::scim::patch::apply(
                        &mut json,
                        &body,
                        crate::scim::schema::ResourceKind::User,
                        &compat,
                    )
                    .and_then(|()| user_from_scim(&json, &u.id, &ctx))
                    .map_err(|e| format!("{e:?}"));
                    assert_eq!(fast, general, "{} {path} = {value:?}", u.id);
                    compared += 1;
                }
            }
        }
        assert!(compared > 1000, "{compared}");
    }

    /// Every key of every rendered document is in [`DOCUMENT_KEYS`], under both profiles and
    /// the switches between them, so the journal may rely on the list.
    #[test]
    fn document_keys_list_every_key_rendered() {
        fn walk(v: &Value, seen: &mut Vec<String>) {
            match v {
                Value::Object(m) => {
                    for (k, x) in m {
                        if !DOCUMENT_KEYS.contains(&k.as_str()) {
                            seen.push(k.clone());
                        }
                        walk(x, seen);
                    }
                }
                Value::Array(a) => a.iter().for_each(|x| walk(x, seen)),
                _ => {}
            }
        }
        let text = crate::fixtures::generator::to_string(&crate::fixtures::generator::Spec {
            org: "g".into(),
            users: 300,
            groups: 6,
            seed: 2,
        });
        let doc = crate::fixtures::read::parse("g.json", &text).unwrap();
        let org = crate::fixtures::build::build_org(
            "g.json",
            0,
            &doc.orgs[0],
            Some(1),
            chrono::Utc::now(),
        )
        .unwrap();
        let mut unknown = Vec::new();
        let mut created = Compat::preset(Profile::Rfc);
        created.meta_created = true;
        for compat in [Compat::default(), Compat::preset(Profile::Rfc), created] {
            let view = View::with(&org, "http://h/api/v2/scim/v2", &compat);
            for u in org.users() {
                walk(&user_to_scim(u, &view), &mut unknown);
            }
        }
        walk(
            &crate::scim::list::response(
                1,
                crate::scim::list::Page {
                    start_index: 1,
                    count: 1,
                },
                vec![],
            ),
            &mut unknown,
        );
        assert!(
            unknown.is_empty(),
            "keys missing from DOCUMENT_KEYS: {unknown:?}"
        );
    }

    #[test]
    fn other_bodies_take_the_general_path() {
        let org = Org::new("p", "P", crate::rng::Seeded::new(Some(1)));
        let compat = Compat::default();
        let text = crate::fixtures::generator::to_string(&crate::fixtures::generator::Spec {
            org: "g".into(),
            users: 3,
            groups: 1,
            seed: 1,
        });
        let doc = crate::fixtures::read::parse("g.json", &text).unwrap();
        let full = crate::fixtures::build::build_org(
            "g.json",
            0,
            &doc.orgs[0],
            Some(1),
            chrono::Utc::now(),
        )
        .unwrap();
        let u = full.users().next().unwrap();
        let ctx = WriteCtx {
            org: &org,
            compat: &compat,
            mode: Mode::Patch,
            previous: Some(u),
        };
        let one = |op: Value| json!({"Operations": [op]});
        for body in [
            one(json!({"op": "add", "path": "title", "value": "x"})),
            one(json!({"op": "replace", "path": "title", "value": 5})),
            one(json!({"op": "replace", "path": "displayName", "value": "x"})),
            one(json!({"op": "replace", "path": "department", "value": "x"})),
            one(json!({"op": "replace", "value": {"title": "x"}})),
            one(json!({"op": "replace", "path": "title", "value": "a\u{0}b"})),
            json!({"OPERATIONS": [{"op": "replace", "path": "title", "value": "x"}]}),
            json!({"Operations": [
                {"op": "replace", "path": "title", "value": "x"},
                {"op": "replace", "path": "title", "value": "y"},
            ]}),
        ] {
            assert!(patch_in_place(&body, &ctx).is_none(), "{body}");
        }
    }
}

#[cfg(test)]
mod rfc_switch_tests {
    use super::*;
    use crate::compat::Profile;
    use crate::rng::Seeded;

    fn write(body: Value, compat: &Compat) -> ApiResult<User> {
        let org = Org::new("o", "O", Seeded::new(Some(1)));
        let ctx = WriteCtx {
            org: &org,
            compat,
            mode: Mode::Create,
            previous: None,
        };
        user_from_scim(&body, "u1", &ctx)
    }

    #[test]
    fn as_sent_lists_keep_what_came_and_feed_the_slots_they_fit() {
        let rfc = Compat::preset(Profile::Rfc);
        let u = write(
            json!({"userName": "a", "displayName": "A",
                   "emails": [{"value": "w@x.org", "type": "WORK"}, {"value": ""}],
                   "phoneNumbers": [{"value": "+13175550100", "type": "mobile", "primary": "true"},
                                    {"value": "ext 7", "type": "desk"}]}),
            &Compat {
                coerce_string_booleans: true,
                ..rfc
            },
        )
        .unwrap();
        let sent = u.sent_contacts.as_deref().unwrap();
        assert_eq!(sent.emails.len(), 1, "an empty value is skipped");
        assert_eq!(u.work_email.as_deref(), Some("w@x.org"));
        assert_eq!(sent.phone_numbers[1].value, "ext 7");
        assert_eq!(sent.phone_numbers[0].primary, Some(true));
        // Only the phone Genesys can hold reaches its slots.
        assert_eq!(u.phones.len(), 1);
        assert_eq!(u.primary_phone, Some(PhoneKind::Mobile));
        for bad in [
            json!({"userName": "a", "displayName": "A", "emails": ["w@x.org"]}),
            json!({"userName": "a", "displayName": "A", "emails": [{"value": 5}]}),
            json!({"userName": "a", "displayName": "A", "emails": [{"value": "a", "primary": 1}]}),
        ] {
            let err = write(bad.clone(), &rfc).unwrap_err();
            assert_eq!(err.scim_type, Some("invalidValue"), "{bad}");
        }
        // Written under the Genesys switches, the slots are the truth again.
        let genesys = write(
            json!({"userName": "a@x.org", "displayName": "A", "emails": [{"value": "w@x.org", "type": "work"}]}),
            &Compat::default(),
        )
        .unwrap();
        assert!(genesys.sent_contacts.is_none());
    }
}

#[cfg(test)]
mod hire_date_tests {
    use super::*;

    /// The digit-by-digit reading of `YYYY-MM-DD` answers what chrono's parser answers, for
    /// every day of leap and common years, impossible days, and other forms.
    #[test]
    fn plain_dates_read_as_chrono_reads_them() {
        for year in ["0000", "1900", "1999", "2000", "2023", "2024", "9999"] {
            for month in 0..=13 {
                for day in 0..=32 {
                    let text = format!("{year}-{month:02}-{day:02}");
                    assert_eq!(hire_date(&text), hire_date_parsed(&text), "{text}");
                }
            }
        }
        for text in [
            "2020-1-02",
            "2020-01-2x",
            "+2020-01-0",
            "2020-01-02T10:00:00Z",
            "",
            "2020/01/02",
        ] {
            assert_eq!(hire_date(text), hire_date_parsed(text), "{text}");
        }
        assert_eq!(hire_date("2024-02-29").as_deref(), Some("2024-02-29"));
        assert_eq!(hire_date("2023-02-29"), None);
    }
}
