//! The `profile` compat switch: which filters are accepted.
//!
//! With `profile=genesys` (the default) only the filters Genesys documents pass: for users a
//! single `eq` on `id`, `userName`, `externalId`, `active`, `manager`, `email`, `division` or
//! `employeeNumber`, or the `externalIds[authority eq ... and value eq ...]` value filter; for
//! groups a single `eq` on `id` or `displayName`. With `profile=rfc` the whole RFC 7644 grammar
//! is accepted. There is one parser and one evaluator; this check is the only difference.

use super::ast::{CompareOp, Filter};
use crate::compat::Profile;
use crate::error::ApiError;
use crate::scim::schema::{self, AttrPath, ResourceKind};

/// Checks that `filter` is one the profile accepts for `kind`.
pub(crate) fn check(filter: &Filter, kind: ResourceKind, profile: Profile) -> Result<(), ApiError> {
    if profile == Profile::Rfc {
        return Ok(());
    }
    let unsupported = |what: String| {
        ApiError::invalid_filter(format!(
            "{what} is not supported: the genesys filter profile accepts only the filters Genesys \
             documents (a single 'eq' on a documented attribute); `--compat profile=rfc` accepts it"
        ))
    };
    match filter {
        Filter::Compare { path, op, .. } => {
            if *op != CompareOp::Eq {
                return Err(unsupported(format!("operator '{op}'")));
            }
            if eq_attribute_allowed(path, kind) {
                Ok(())
            } else {
                Err(unsupported(format!("filtering on '{path}'")))
            }
        }
        Filter::Present(_) => Err(unsupported("operator 'pr'".to_owned())),
        Filter::And(..) => Err(unsupported("'and'".to_owned())),
        Filter::Or(..) => Err(unsupported("'or'".to_owned())),
        Filter::Not(_) => Err(unsupported("'not'".to_owned())),
        Filter::ValuePath { path, filter } => {
            let is_external_ids = kind == ResourceKind::User
                && path.sub.is_none()
                && path.name.eq_ignore_ascii_case("externalIds")
                && path
                    .urn
                    .as_deref()
                    .is_none_or(|u| u.eq_ignore_ascii_case(schema::GENESYS_USER));
            if !is_external_ids {
                return Err(unsupported(format!("the value filter on '{path}'")));
            }
            if authority_and_value(filter) {
                Ok(())
            } else {
                Err(unsupported(format!(
                    "'{path}[{filter}]' (only [authority eq \"...\" and value eq \"...\"])"
                )))
            }
        }
    }
}

/// The attributes Genesys documents for `eq` filters, as (schema URN, name).
fn eq_attribute_allowed(path: &AttrPath, kind: ResourceKind) -> bool {
    let allowed: &[(&str, &str)] = match kind {
        ResourceKind::User => &[
            (schema::USER, "id"),
            (schema::USER, "userName"),
            (schema::USER, "externalId"),
            (schema::USER, "active"),
            (schema::USER, "email"),
            (schema::ENTERPRISE_USER, "manager"),
            (schema::ENTERPRISE_USER, "division"),
            (schema::ENTERPRISE_USER, "employeeNumber"),
        ],
        ResourceKind::Group => &[(schema::GROUP, "id"), (schema::GROUP, "displayName")],
    };
    path.sub.is_none()
        && allowed.iter().any(|(urn, name)| {
            path.name.eq_ignore_ascii_case(name)
                && path
                    .urn
                    .as_deref()
                    .is_none_or(|u| u.eq_ignore_ascii_case(urn))
        })
}

/// `authority eq "x" and value eq "y"`, in either order.
fn authority_and_value(filter: &Filter) -> bool {
    let Filter::And(a, b) = filter else {
        return false;
    };
    let eq_on = |f: &Filter, name: &str| {
        matches!(f, Filter::Compare { path, op: CompareOp::Eq, .. }
            if path.urn.is_none() && path.sub.is_none() && path.name.eq_ignore_ascii_case(name))
    };
    (eq_on(a, "authority") && eq_on(b, "value")) || (eq_on(a, "value") && eq_on(b, "authority"))
}
