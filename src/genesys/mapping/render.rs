//! Rendering a user's SCIM view from the [`ROWS`]: as a `serde_json::Value`
//! ([`user_to_scim`]), or straight to the bytes a response sends ([`UserDocument`]), through
//! the org's render cache ([`user_bytes`]).

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::{ROWS, View};
use crate::base::clock::format_time;
use crate::genesys::doc_value::DocValue;
use crate::genesys::user::User;
use crate::scim::schema::{self, ENTERPRISE_USER, GENESYS_USER};

/// The SCIM `meta` object: what Genesys renders (`resourceType`, `lastModified`, `location`,
/// `version`), plus `created` when the view asks for it.
pub(super) fn meta<'a>(
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
/// walks the documents of generated orgs under both profiles): what
/// `edge::response::OwnKeys` names.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compat::{Compat, Profile};

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
        let org = crate::seed::generator::org(300, 6, 2);
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
}
