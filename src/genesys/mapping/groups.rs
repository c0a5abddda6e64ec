//! A group's SCIM view, a SCIM group body written into a group, and the SCIM writes of a
//! group (an org's `replace_group` and `patch_group`). Groups have no mapping table: their few
//! attributes are read and written here.

use serde_json::{Value, json};

use super::render::meta;
use super::value::{get_ci, opt_string};
use super::{ScimWrite, View};
use crate::error::{ApiError, ApiResult};
use crate::genesys::group::Group;
use crate::genesys::org::Org;
use crate::scim::patch;
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
        self.store_group(group, write.now).map(|(group, _)| group)
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
