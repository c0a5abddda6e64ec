//! The SCIM protocol (part `scim`): schemas, filters, PATCH, projection and list paging.
//! Imports only `error`, `compat` and `base`; never Genesys storage or the store.
//!
//! It works on the SCIM JSON view of a resource.

pub(crate) mod empty_values;
pub(crate) mod filter;
pub(crate) mod list;
pub(crate) mod patch;
pub(crate) mod projection;
pub(crate) mod schema;
