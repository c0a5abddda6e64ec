//! The SCIM protocol: schemas, filters, PATCH, projection and list paging. Nothing here knows
//! about Genesys storage; it works on the SCIM JSON view of a resource.

pub(crate) mod empty_values;
pub(crate) mod filter;
pub(crate) mod list;
pub(crate) mod patch;
pub(crate) mod projection;
pub(crate) mod schema;
