//! The Genesys Cloud domain: how users and groups are stored, how the SCIM view is rendered
//! from them, the mapping between the two, and the per-org limits. The switches where Genesys
//! differs from the RFC live one layer down, in [`crate::compat`], because the SCIM protocol
//! code reads them too.

pub mod group;
pub mod index;
pub mod lag;
pub mod limits;
pub mod lookup;
pub mod mapping;
pub mod org;
pub mod platform;
pub mod render_cache;
pub mod user;
pub mod user_input;
