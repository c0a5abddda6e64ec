//! `attributes` / `excludedAttributes` projection (RFC 7644 §3.4.2.5).
//!
//! STUB: replaced by the full implementation.

use serde_json::Value;

use crate::scim::schema::{AttrPath, ResourceKind};

/// Which attributes a request asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Projection {
    pub attributes: Vec<AttrPath>,
    pub excluded: Vec<AttrPath>,
}

impl Projection {
    /// Builds a projection from the raw parameter values, each of which may be comma-separated
    /// and may repeat.
    pub fn from_params(attributes: &[String], excluded: &[String]) -> Self {
        let split = |v: &[String]| -> Vec<AttrPath> {
            v.iter()
                .flat_map(|s| s.split(','))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(AttrPath::parse)
                .collect()
        };
        Self {
            attributes: split(attributes),
            excluded: split(excluded),
        }
    }

    /// Applies the projection to a full SCIM resource.
    pub fn apply(&self, resource: Value, kind: ResourceKind) -> Value {
        let _ = kind;
        resource
    }
}
