//! The Genesys Cloud domain (part `genesys`): stored users and groups, the SCIM mapping, limits.
//! Imports `scim`, `error`, `ratelimit::layer`, `compat` and `base`; never the store or above.
//!
//! How users and groups are stored, how the SCIM view is rendered from them, the mapping
//! between the two, and the per-org limits. The switches where Genesys differs from the RFC
//! live one layer down, in [`crate::compat`], because the SCIM protocol code reads them too.

pub(crate) mod doc_value;
pub(crate) mod group;
pub(crate) mod index;
pub(crate) mod lag;
pub(crate) mod limits;
pub(crate) mod listing;
pub(crate) mod lookup;
pub(crate) mod mapping;
pub(crate) mod org;
pub(crate) mod permission;
pub(crate) mod platform;
pub(crate) mod render_cache;
pub(crate) mod user;
pub(crate) mod user_budget;
pub(crate) mod user_input;
