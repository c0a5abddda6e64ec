//! A group's SCIM view, a SCIM group body written into a group, and the SCIM writes of a
//! group (an org's `replace_group` and `patch_group`). Groups have no mapping table: their few
//! attributes are read and written here.

use serde_json::{Value, json};

use super::render::meta;
use super::value::{get_ci, opt_string};
use super::{ScimWrite, View};
use crate::compat::ReadLag;
use crate::error::{ApiError, ApiResult};
use crate::genesys::doc_value::{DocValue, write_str};
use crate::genesys::group::Group;
use crate::genesys::org::Org;
use crate::scim::patch;
use crate::scim::projection::Projection;
use crate::scim::schema::{self, ResourceKind};

impl Org {
    /// `PUT /Groups/{id}`: the member set (and `externalId`) of the group SCIM sees as `id`
    /// replaced by a SCIM body. Returns the stored group.
    pub(crate) fn replace_group(
        &mut self,
        id: &str,
        body: &Value,
        write: ScimWrite<'_, impl FnOnce(u64) -> ApiResult<()>>,
    ) -> ApiResult<Group> {
        self.rewrite_group(id, write, |_, previous| group_from_scim(body, previous))
    }

    /// `PATCH /Groups/{id}`: the operations applied to the group's SCIM view, then the view
    /// mapped back. All or nothing. Returns the stored group.
    pub(crate) fn patch_group(
        &mut self,
        id: &str,
        body: &Value,
        write: ScimWrite<'_, impl FnOnce(u64) -> ApiResult<()>>,
    ) -> ApiResult<Group> {
        let (compat, base) = (write.compat, write.base);
        self.rewrite_group(id, write, |org, previous| {
            org.limits.check_patch_operations(body)?;
            let mut json = group_to_scim(previous, &View::with(org, base, compat));
            patch::apply(&mut json, body, ResourceKind::Group, compat)?;
            group_from_scim(&json, previous)
        })
    }

    /// Shared by PUT and PATCH: the group, its version checked, the new group built from it
    /// and stored.
    fn rewrite_group(
        &mut self,
        id: &str,
        write: ScimWrite<'_, impl FnOnce(u64) -> ApiResult<()>>,
        build: impl FnOnce(&Org, &Group) -> ApiResult<Group>,
    ) -> ApiResult<Group> {
        let previous = self.scim_group(id)?.clone();
        (write.precondition)(previous.version)?;
        let group = build(self, &previous)?;
        let (group, changed) = self.store_group(group, write.now)?;
        // Under `read-lag`, reads show the group as it was for the lag: remembered only while
        // the switch is on, since a snapshot holds every member.
        if changed && write.compat.read_lag != ReadLag::Off {
            self.recent
                .group_changed(previous, write.now.timestamp_millis());
        }
        Ok(group)
    }
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

/// The JSON bytes of a group's SCIM view under `proj`: byte for byte
/// `serde_json::to_vec(&proj.apply(group_to_scim_with(group, view, proj.keeps("members")), Group))`
/// (a test compares them), but a members list the projection keeps whole is written straight
/// from the group's ids, without a `Value` per member (a 10,000-member group was 40,000 map
/// entries and 20,000 strings built and freed per read). The rest of the document, a handful of
/// keys, is still projected as a tree; a projection that reshapes the members themselves
/// (`attributes=members.value`) takes that path for the members too.
pub(crate) fn group_json(group: &Group, view: &View<'_>, proj: &Projection) -> Vec<u8> {
    let keep = proj.keeps("members", ResourceKind::Group);
    let direct = keep && !group.members.is_empty() && keeps_members_whole(proj);
    let mut doc = group_to_scim_with(group, view, keep && !direct);
    if direct {
        // One member stands in for all of them, so the projection decides the key's place.
        doc["members"] = Value::Array(vec![member(view, "")]);
    }
    let doc = proj.apply(doc, ResourceKind::Group);
    let Value::Object(map) = doc else {
        return serde_json::to_vec(&doc).unwrap_or_default();
    };
    if !direct {
        return serde_json::to_vec(&map).unwrap_or_default();
    }
    let mut out = Vec::with_capacity(256 + group.members.len() * (view.base.len() + 120));
    out.push(b'{');
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(&mut out, key);
        out.push(b':');
        if key == "members" {
            write_members(&mut out, group, view);
        } else {
            // A `Vec` takes every write, so serde_json cannot fail here.
            drop(serde_json::to_writer(&mut out, value));
        }
    }
    out.push(b'}');
    out
}

/// One member as `group_to_scim_with` renders it.
fn member(view: &View<'_>, id: &str) -> Value {
    json!({"value": id, "$ref": format!("{}/Users/{id}", view.base), "type": "User"})
}

/// Whether `proj` keeps a member's every attribute (it keys on names, not values, so one
/// member answers for all).
fn keeps_members_whole(proj: &Projection) -> bool {
    if proj.is_empty() {
        return true;
    }
    let probe = || json!({"members": [{"value": "v", "$ref": "r", "type": "User"}]});
    proj.apply(probe(), ResourceKind::Group) == probe()
}

/// The members array, written from the ids: `{"value":…,"$ref":…,"type":"User"}` each.
fn write_members(out: &mut Vec<u8>, group: &Group, view: &View<'_>) {
    out.push(b'[');
    for (i, m) in group.members.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"value\":");
        write_str(out, m);
        out.extend_from_slice(b",\"$ref\":");
        DocValue::Url {
            base: view.base,
            collection: "Users",
            id: m,
        }
        .write_json(out);
        out.extend_from_slice(b",\"type\":\"User\"}");
    }
    out.push(b']');
}

/// Writes a SCIM group body (PUT, or the JSON after a PATCH) into a copy of `previous`.
/// `displayName` is read-only and ignored here (RFC 7644 §3.5.1: read-only values in a PUT are
/// ignored); PATCH rejects changing it before this point.
fn group_from_scim(input: &Value, previous: &Group) -> ApiResult<Group> {
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

/// A member's user id: its `value`, a string or a number.
fn member_id(m: &Value) -> Option<String> {
    match m.get("value")? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::compat::Compat;
    use crate::genesys::group::{GroupType, Visibility};

    fn group(members: &[&str], external_id: Option<&str>) -> Group {
        Group {
            id: "g1".into(),
            name: "Sales \"EMEA\"".into(),
            description: None,
            kind: GroupType::Official,
            visibility: Visibility::Public,
            external_id: external_id.map(str::to_owned),
            members: members.iter().map(|m| (*m).to_owned()).collect(),
            version: 3,
            date_modified: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
            date_created: Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap(),
        }
    }

    /// The tree rendering `group_json` replaces: the whole document as `Value`s, projected.
    fn tree_bytes(group: &Group, view: &View<'_>, proj: &Projection) -> Vec<u8> {
        let members = proj.keeps("members", ResourceKind::Group);
        let doc = proj.apply(
            group_to_scim_with(group, view, members),
            ResourceKind::Group,
        );
        serde_json::to_vec(&doc).unwrap()
    }

    /// Byte for byte the tree's JSON, for groups with and without members (ids needing an
    /// escape among them) and an external id, under projections that keep, drop and reshape
    /// the members, under both profiles' switches.
    #[test]
    fn written_groups_are_the_tree_rendering_byte_for_byte() {
        let org = Org::for_tests(&["Home"]);
        let projections = [
            (vec![], vec![]),
            (vec![], vec!["members"]),
            (vec![], vec!["displayName"]),
            (vec![], vec!["meta", "externalId"]),
            (vec!["members"], vec![]),
            (vec!["displayName"], vec![]),
            (vec!["members.value"], vec![]),
            (vec!["MEMBERS", "externalId"], vec![]),
            (
                vec!["urn:ietf:params:scim:schemas:core:2.0:Group:members"],
                vec![],
            ),
            (vec![], vec!["members.$ref"]),
            (vec!["id"], vec!["members"]),
        ];
        let groups = [
            group(&[], None),
            group(&["u1"], None),
            group(&["u1", "u\"2", "u\\3", "ü4", "u\u{1}5"], Some("ext-1")),
            group(
                &(0..1000)
                    .map(|i| format!("user-{i}"))
                    .collect::<Vec<_>>()
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
                Some("e\"x"),
            ),
        ];
        for compat in [
            Compat::default(),
            Compat::preset(crate::compat::Profile::Rfc),
        ] {
            for base in ["http://127.0.0.1:1/api/v2/scim/v2", "http://h/\"q\""] {
                let view = View::with(&org, base, &compat);
                for (attributes, excluded) in &projections {
                    let strings =
                        |v: &Vec<&str>| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
                    let proj = Projection::from_params(&strings(attributes), &strings(excluded));
                    for g in &groups {
                        assert_eq!(
                            String::from_utf8(group_json(g, &view, &proj)).unwrap(),
                            String::from_utf8(tree_bytes(g, &view, &proj)).unwrap(),
                            "{attributes:?} {excluded:?} {} members, base {base}",
                            g.members.len()
                        );
                    }
                }
            }
        }
    }
}
