//! The Genesys Cloud domain: how users and groups are stored, how the SCIM view is rendered
//! from them, and the switches where Genesys differs from the RFC.

pub mod compat;
pub mod group;
pub mod index;
pub mod limits;
pub mod mapping;
pub mod org;
pub mod platform;
pub mod user;
