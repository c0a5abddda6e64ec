//! SCIM PATCH (RFC 7644 §3.5.2), in `scim`: operations applied to a resource's SCIM JSON view.
//! Imports the SCIM schema and filter paths, `compat` and `error`.
//!
//! - [`mod@self`]: the request body, each operation, and path-less values.
//! - `target`: which attribute a path names, and whether PATCH may write it.
//! - `value`: type checks and coercions of the values written.
//! - `ops`: `add`, `replace` and `remove` on the JSON.
//!
//! The engine writes whatever the request says into the JSON, including attributes Genesys
//! does not support (`name.givenName`, `addresses[...]`, unknown extension URNs): the step that
//! converts the patched JSON back to storage drops or rejects those (see
//! `Compat::unsupported_attributes`) and validates values such as phone numbers and roles.

mod ops;
mod target;
mod value;

use serde_json::{Map, Value};

use crate::compat::Compat;
use crate::error::{ApiError, ApiResult};
use crate::scim::filter::{self, PatchPath};
use crate::scim::schema::{AttrPath, ResourceKind, is_known_schema_urn};

use target::Destination;

/// A PATCH operation kind. Matched case-insensitively: Entra sends `Replace`, `Add`, `Remove`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Add,
    Replace,
    Remove,
}

impl Op {
    fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "add" => Some(Self::Add),
            "replace" => Some(Self::Replace),
            "remove" => Some(Self::Remove),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Replace => "replace",
            Self::Remove => "remove",
        }
    }
}

/// What every operation needs to know besides its own fields.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PatchEnv<'a> {
    pub(crate) kind: ResourceKind,
    pub(crate) compat: &'a Compat,
}

/// Applies a PATCH request body (`{"schemas": [...], "Operations": [...]}`) to `resource`.
/// All or nothing: on error `resource` may be partly changed, so callers apply to a copy.
///
/// `schemas` is not checked: Genesys accepts a body whose `schemas` lists the core and Genesys
/// extension URNs instead of `PatchOp` (Genesys community, "User - Generic SSO"). `Operations` may also be spelled
/// `operations`.
pub(crate) fn apply(
    resource: &mut Value,
    body: &Value,
    kind: ResourceKind,
    compat: &Compat,
) -> ApiResult<()> {
    if !resource.is_object() {
        return Err(ApiError::internal());
    }
    let ops = body
        .get("Operations")
        .or_else(|| body.get("operations"))
        .and_then(Value::as_array)
        .filter(|ops| !ops.is_empty())
        .ok_or_else(|| ApiError::invalid_syntax("'Operations' must be a non-empty array"))?;
    let ctx = PatchEnv { kind, compat };
    for (i, raw) in ops.iter().enumerate() {
        apply_one(resource, raw, i, ctx)?;
    }
    Ok(())
}

fn apply_one(resource: &mut Value, raw: &Value, i: usize, ctx: PatchEnv<'_>) -> ApiResult<()> {
    let obj = raw
        .as_object()
        .ok_or_else(|| ApiError::invalid_syntax(format!("Operations[{i}] must be an object")))?;
    let op_text = field(obj, "op")
        .ok_or_else(|| ApiError::invalid_syntax(format!("Operations[{i}] has no 'op'")))?;
    let op = op_text.as_str().and_then(Op::parse).ok_or_else(|| {
        ApiError::invalid_syntax(format!(
            "Operations[{i}].op must be add, replace or remove, got {op_text}"
        ))
    })?;
    let path = match field(obj, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.trim()),
        Some(other) => {
            return Err(ApiError::invalid_syntax(format!(
                "Operations[{i}].path must be a string, got {other}"
            )));
        }
    };
    let value = field(obj, "value");
    if op != Op::Remove && value.is_none() {
        return Err(ApiError::invalid_syntax(format!(
            "Operations[{i}] ({}) needs a 'value'",
            op.as_str()
        )));
    }
    match path {
        Some(text) => {
            let pp = filter::parse_patch_path(text).map_err(|e| path_error("path", text, &e))?;
            apply_path(resource, op, &pp, text, value, ctx)
        }
        // RFC 7644 §3.5.2.2: remove without a path is noTarget.
        None if op == Op::Remove => Err(ApiError::no_target(format!(
            "Operations[{i}]: remove needs a 'path'"
        ))),
        None => apply_pathless(resource, op, value.unwrap_or(&Value::Null), ctx),
    }
}

/// A path that does not parse is `invalidPath`; one whose value filter is past a size bound
/// is `invalidFilter` (RFC 7644 §3.12 lists that for PATCH path filters too).
fn path_error(what: &str, text: &str, e: &filter::ParseError) -> ApiError {
    let detail = format!("invalid {what} '{}': {e}", filter::excerpt(text));
    if e.over_limit {
        ApiError::invalid_filter(detail)
    } else {
        ApiError::invalid_path(detail)
    }
}

/// A member of an operation object. `op`, `path` and `value` are matched case-insensitively
/// as attribute names are.
fn field<'v>(obj: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    obj.get(name).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// One path-bearing operation.
fn apply_path(
    resource: &mut Value,
    op: Op,
    pp: &PatchPath,
    text: &str,
    value: Option<&Value>,
    ctx: PatchEnv<'_>,
) -> ApiResult<()> {
    match target::resolve(pp, text, ctx)? {
        Destination::Attribute(t) => ops::apply(resource, op, &t, value, ctx),
        Destination::Schema(schema) => {
            let is_core = schema.id == ctx.kind.core().id;
            match op {
                Op::Remove if is_core => Err(ApiError::invalid_path(format!(
                    "'{text}' is the core schema and cannot be removed"
                ))),
                Op::Remove => {
                    if let Some(map) = resource.as_object_mut()
                        && let Some(key) = ops::find_key(map, schema.id)
                    {
                        map.remove(&key);
                    }
                    Ok(())
                }
                Op::Add | Op::Replace => {
                    let attrs = value.and_then(Value::as_object).ok_or_else(|| {
                        ApiError::invalid_value(format!(
                            "the value for '{text}' must be an object of its attributes"
                        ))
                    })?;
                    let urn = (!is_core).then_some(schema.id);
                    apply_attributes(resource, op, attrs, urn, ctx)
                }
            }
        }
    }
}

/// A path-less `add` or `replace`: `value` is an object whose keys are paths (`active`,
/// `emails[type eq "work"].value`) or schema URNs holding an object of that schema's
/// attributes.
fn apply_pathless(resource: &mut Value, op: Op, value: &Value, ctx: PatchEnv<'_>) -> ApiResult<()> {
    let attrs = value.as_object().ok_or_else(|| {
        ApiError::invalid_syntax(format!(
            "without a 'path', the value of {} must be an object of attributes",
            op.as_str()
        ))
    })?;
    apply_attributes(resource, op, attrs, None, ctx)
}

/// Applies each key of `attrs` as its own path, qualified by `urn` when given.
fn apply_attributes(
    resource: &mut Value,
    op: Op,
    attrs: &Map<String, Value>,
    urn: Option<&str>,
    ctx: PatchEnv<'_>,
) -> ApiResult<()> {
    for (key, v) in attrs {
        if key.eq_ignore_ascii_case("schemas") {
            // The resource's `schemas` follows its content; a client echoing it, at the top or
            // inside an extension's object (scim2-tester does), is harmless.
            continue;
        }
        if urn.is_none() && is_unknown_urn_container(key, v) {
            // An extension this mock does not serve: keep its object as sent, under its URN,
            // for the storage step to drop.
            let t = target::Target::generic(None, key.clone(), None, key.clone());
            ops::apply(resource, op, &t, Some(v), ctx)?;
            continue;
        }
        let text = match urn {
            Some(u) => format!("{u}:{key}"),
            None => key.clone(),
        };
        let mut pp = filter::parse_patch_path(key).map_err(|e| path_error("attribute", key, &e))?;
        if let Some(u) = urn {
            if pp.attr.urn.is_some() {
                return Err(ApiError::invalid_path(format!(
                    "'{key}' inside '{u}' must not carry its own schema URN"
                )));
            }
            pp.attr.urn = Some(u.to_owned());
        }
        apply_path(resource, op, &pp, &text, Some(v), ctx)?;
    }
    Ok(())
}

/// `urn:...` naming no schema we serve, with an object value: an unknown extension's
/// attributes, as in `{"urn:...:interactsoftware:2.0:User": {"location": "x"}}`.
fn is_unknown_urn_container(key: &str, v: &Value) -> bool {
    key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:"))
        && v.is_object()
        && !is_known_schema_urn(key)
        && !AttrPath::parse(key)
            .urn
            .is_some_and(|u| is_known_schema_urn(&u))
}

#[cfg(test)]
mod tests;
