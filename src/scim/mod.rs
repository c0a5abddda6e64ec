//! The SCIM protocol: schemas, filters, PATCH, projection and list paging. Nothing here knows
//! about Genesys storage; it works on the SCIM JSON view of a resource.

pub mod filter;
pub mod list;
pub mod patch;
pub mod projection;
pub mod schema;
