//! The attributes of a user body Genesys does not store, and what the
//! `unsupported-attributes` switch does with them.

use serde_json::{Map, Value};

use crate::compat::{Compat, Unsupported};
use crate::error::{ApiError, ApiResult};
use crate::scim::schema::{self, GENESYS_USER, UNSUPPORTED_USER};

/// Refuses an extension that is not an object, and, under `unsupported-attributes=reject`,
/// any attribute Genesys does not store.
pub(super) fn check_unsupported(obj: &Map<String, Value>, compat: &Compat) -> ApiResult<()> {
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
