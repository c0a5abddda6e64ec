//! SCIM PATCH (RFC 7644 §3.5.2) applied to the SCIM JSON view of a resource.
//!
//! STUB: replaced by the full engine. Handles only `add`/`replace`/`remove` on simple paths.

use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::genesys::compat::Compat;
use crate::scim::schema::ResourceKind;

/// Applies a PATCH request body (`{"schemas": [...], "Operations": [...]}`) to `resource`.
/// All or nothing: on error `resource` may be partly changed, so callers apply to a copy.
pub fn apply(
    resource: &mut Value,
    body: &Value,
    kind: ResourceKind,
    compat: &Compat,
) -> ApiResult<()> {
    let _ = (kind, compat);
    let ops = body
        .get("Operations")
        .and_then(Value::as_array)
        .filter(|ops| !ops.is_empty())
        .ok_or_else(|| ApiError::invalid_syntax("Operations must be a non-empty array"))?;
    for op in ops {
        let name = op
            .get("op")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::invalid_syntax("op is required"))?;
        let path = op.get("path").and_then(Value::as_str);
        let value = op.get("value").cloned();
        let obj = resource.as_object_mut().ok_or_else(ApiError::internal)?;
        match (name.to_ascii_lowercase().as_str(), path) {
            ("add" | "replace", Some(p)) => {
                obj.insert(p.to_owned(), value.unwrap_or(Value::Null));
            }
            ("add" | "replace", None) => {
                if let Some(Value::Object(map)) = value {
                    for (k, v) in map {
                        obj.insert(k, v);
                    }
                }
            }
            ("remove", Some(p)) => {
                obj.remove(p);
            }
            _ => return Err(ApiError::invalid_syntax(format!("unsupported op {name}"))),
        }
    }
    Ok(())
}
