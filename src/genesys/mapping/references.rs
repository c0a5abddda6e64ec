//! The rows that name other records: the user's groups, roles and division (by name, from
//! the org's reference data), the manager (another user, by id), and routing skills and
//! languages (by name, with a proficiency). Under `reference-values=any` a name the org does
//! not have is kept as sent.

use std::sync::Arc;

use serde_json::Value;

use super::value::{array, boolean, get_ci, opt_string};
use super::{Mode, View, WriteCtx};
use crate::compat::References;
use crate::error::{ApiError, ApiResult};
use crate::genesys::doc_value::DocValue;
use crate::genesys::group::GroupType;
use crate::genesys::user::{Proficiency, User};

pub(super) fn read_groups<'a>(u: &'a User, view: &View<'a>) -> Option<DocValue<'a>> {
    let groups: Vec<DocValue<'a>> = view
        .org
        .groups_of(&u.id)
        // The field-mapping article maps `groups` to "UserProfile.groups[type eq official]";
        // social groups stay out.
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

pub(super) fn read_roles<'a>(u: &'a User, view: &View<'a>) -> Option<DocValue<'a>> {
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

pub(super) fn write_roles(u: &mut User, v: Option<&Value>, ctx: &WriteCtx<'_>) -> ApiResult<()> {
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
        // (community.genesys.com, "User provisioning"): an empty list on create is no roles,
        // like an absent one.
        ids.extend(ctx.org.default_role().map(|r| r.id.clone()));
    }
    u.role_ids = ids;
    Ok(())
}

pub(super) fn write_division(u: &mut User, v: Option<&Value>, ctx: &WriteCtx<'_>) -> ApiResult<()> {
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

pub(super) fn write_manager(u: &mut User, v: Option<&Value>, ctx: &WriteCtx<'_>) -> ApiResult<()> {
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

/// The division's name; under `reference-values=any`, an unknown division's name where the id
/// would be.
pub(super) fn read_division<'a>(u: &'a User, v: &View<'a>) -> Option<DocValue<'a>> {
    match v.org.division(&u.division_id) {
        Some(d) => Some(DocValue::Str(&d.name)),
        None => {
            (v.any_references && !u.division_id.is_empty()).then_some(DocValue::Str(&u.division_id))
        }
    }
}

/// The manager's id and `$ref`.
pub(super) fn read_manager<'a>(u: &'a User, v: &View<'a>) -> Option<DocValue<'a>> {
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
}

/// `routingSkills`, by name.
pub(super) fn read_skills<'a>(u: &'a User, v: &View<'a>) -> Option<DocValue<'a>> {
    read_proficiencies(&u.skills, |id| v.org.skill(id).map(|s| s.name.as_str()))
}

pub(super) fn write_skills(u: &mut User, v: Option<&Value>, c: &WriteCtx<'_>) -> ApiResult<()> {
    u.skills = write_proficiencies("routingSkills", v, c.org.limits.skills_per_user, |n| {
        c.org.skill_by_name(n).map(|s| s.id.clone())
    })?;
    Ok(())
}

/// `routingLanguages`, by name.
pub(super) fn read_languages<'a>(u: &'a User, v: &View<'a>) -> Option<DocValue<'a>> {
    read_proficiencies(&u.languages, |id| {
        v.org.language(id).map(|s| s.name.as_str())
    })
}

pub(super) fn write_languages(u: &mut User, v: Option<&Value>, c: &WriteCtx<'_>) -> ApiResult<()> {
    u.languages = write_proficiencies(
        "routingLanguages",
        v,
        c.org.limits.languages_per_user,
        |n| c.org.language_by_name(n).map(|s| s.id.clone()),
    )?;
    Ok(())
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
