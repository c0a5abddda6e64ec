//! Which attribute a PATCH path names, and whether this engine may write it.

use crate::error::{ApiError, ApiResult};
use crate::scim::filter::{Filter, PatchPath};
use crate::scim::schema::{
    AttrType, Attribute, ENTERPRISE_USER, Mutability, ResourceKind, Schema, UNSUPPORTED_USER,
};

use super::PatchEnv;

/// What a path resolved to.
#[derive(Debug)]
pub(crate) enum Destination<'p> {
    /// One attribute (possibly filtered, possibly a sub-attribute).
    Attribute(Target<'p>),
    /// A bare schema URN: the whole extension object (or the core schema's attributes).
    Schema(&'static Schema),
}

/// An attribute a PATCH operation writes.
#[derive(Debug)]
pub(crate) struct Target<'p> {
    /// The JSON key of the extension object holding the attribute; `None` for the top level.
    pub(crate) ext: Option<String>,
    /// The attribute's JSON key: its schema name when known, else as written.
    pub(crate) name: String,
    /// Its definition, when the attribute is in the schema table.
    pub(crate) attr: Option<&'static Attribute>,
    /// The sub-attribute's JSON key, when the path names one.
    pub(crate) sub: Option<String>,
    /// Its definition, when known.
    pub(crate) sub_attr: Option<&'static Attribute>,
    /// The value filter of `attr[filter]`.
    pub(crate) filter: Option<&'p Filter>,
    /// The path as the client wrote it, for messages.
    pub(crate) text: String,
}

impl<'p> Target<'p> {
    /// An attribute outside the schema table, written as sent.
    pub(crate) fn generic(
        ext: Option<String>,
        name: String,
        filter: Option<&'p Filter>,
        text: String,
    ) -> Self {
        Self {
            ext,
            name,
            attr: None,
            sub: None,
            sub_attr: None,
            filter,
            text,
        }
    }

    /// Whether PATCH may only leave this attribute as it is: readOnly attributes, readOnly
    /// sub-attributes, and immutable sub-attributes named directly (`members[...].value`).
    pub(crate) fn read_only(&self) -> bool {
        self.attr
            .is_some_and(|a| a.mutability == Mutability::ReadOnly)
            || self.sub_attr.is_some_and(|s| {
                matches!(s.mutability, Mutability::ReadOnly | Mutability::Immutable)
            })
    }

    /// Whether the attribute holds an array.
    pub(crate) fn multi_valued(&self) -> Option<bool> {
        self.attr.map(|a| a.multi_valued)
    }
}

/// Resolves a parsed path for `ctx.kind`.
///
/// Unqualified names resolve against the core schema only while `patch-extension-needs-urn`
/// is on (the default; Genesys community, "User - Generic SSO": Genesys rejects a bare `externalIds`); RFC 7644 lets them fall
/// through to extensions, which is what the switch turned off does. Names Genesys does not
/// support (`UNSUPPORTED_USER`), enterprise attributes outside our table and URNs we do not
/// serve are written generically; any other unknown name is `invalidPath`.
pub(crate) fn resolve<'p>(
    pp: &'p PatchPath,
    text: &str,
    ctx: PatchEnv<'_>,
) -> ApiResult<Destination<'p>> {
    let a = &pp.attr;
    let filter = pp.filter.as_ref();
    match &a.urn {
        Some(urn) => match ctx.kind.schema(urn) {
            Some(schema) => {
                if a.name.is_empty() {
                    return Ok(Destination::Schema(schema));
                }
                let is_core = schema.id == ctx.kind.core().id;
                let ext = (!is_core).then(|| schema.id.to_owned());
                match schema.attribute(&a.name) {
                    Some(attr) => known(attr, ext, pp, text),
                    None if is_core => unknown_core(pp, text, ctx),
                    None if schema.id == ENTERPRISE_USER => Ok(Destination::Attribute(with_sub(
                        Target::generic(ext, a.name.clone(), filter, text.to_owned()),
                        pp,
                    ))),
                    None => Err(ApiError::invalid_path(format!(
                        "'{text}': {} has no attribute '{}'",
                        schema.id, a.name
                    ))),
                }
            }
            None => Ok(Destination::Attribute(with_sub(
                Target::generic(Some(urn.clone()), a.name.clone(), filter, text.to_owned()),
                pp,
            ))),
        },
        None => {
            if let Some(attr) = ctx.kind.core().attribute(&a.name) {
                return known(attr, None, pp, text);
            }
            if !ctx.compat.patch_extension_needs_urn {
                for schema in ctx.kind.extensions() {
                    if let Some(attr) = schema.attribute(&a.name) {
                        return known(attr, Some(schema.id.to_owned()), pp, text);
                    }
                }
            }
            unknown_core(pp, text, ctx)
        }
    }
}

fn with_sub<'p>(mut t: Target<'p>, pp: &PatchPath) -> Target<'p> {
    t.sub.clone_from(&pp.attr.sub);
    t
}

fn known<'p>(
    attr: &'static Attribute,
    ext: Option<String>,
    pp: &'p PatchPath,
    text: &str,
) -> ApiResult<Destination<'p>> {
    if pp.filter.is_some() && !attr.multi_valued {
        return Err(ApiError::invalid_path(format!(
            "'{text}': a value filter needs a multi-valued attribute, and '{}' is single-valued",
            attr.name
        )));
    }
    let (sub, sub_attr) = match &pp.attr.sub {
        None => (None, None),
        Some(_) if attr.kind != AttrType::Complex => {
            return Err(ApiError::invalid_path(format!(
                "'{text}': '{}' has no sub-attributes",
                attr.name
            )));
        }
        Some(s) => match attr.sub(s) {
            Some(d) => (Some(d.name.to_owned()), Some(d)),
            // A sub-attribute outside the table (`manager.displayName`): kept as sent.
            None => (Some(s.clone()), None),
        },
    };
    Ok(Destination::Attribute(Target {
        ext,
        name: attr.name.to_owned(),
        attr: Some(attr),
        sub,
        sub_attr,
        filter: pp.filter.as_ref(),
        text: text.to_owned(),
    }))
}

/// A name the core schema does not have.
fn unknown_core<'p>(
    pp: &'p PatchPath,
    text: &str,
    ctx: PatchEnv<'_>,
) -> ApiResult<Destination<'p>> {
    let name = &pp.attr.name;
    if ctx.kind == ResourceKind::User
        && UNSUPPORTED_USER
            .iter()
            .any(|u| u.eq_ignore_ascii_case(name))
    {
        return Ok(Destination::Attribute(with_sub(
            Target::generic(None, name.clone(), pp.filter.as_ref(), text.to_owned()),
            pp,
        )));
    }
    let in_extension = ctx
        .kind
        .extensions()
        .iter()
        .find(|s| s.attribute(name).is_some());
    Err(match in_extension {
        Some(schema) if pp.attr.urn.is_none() => ApiError::invalid_path(format!(
            "'{text}' is not a {} attribute; extension attributes need their schema URN in \
             PATCH paths, e.g. '{}:{name}' (compat patch-extension-needs-urn)",
            ctx.kind.core().name,
            schema.id
        )),
        _ => ApiError::invalid_path(format!(
            "'{text}': no attribute '{name}' in the {} schema",
            ctx.kind.core().name
        )),
    })
}
