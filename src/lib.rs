//! genesys-scim-mock: an in-memory stand-in for Genesys Cloud's SCIM, user external-id and
//! OAuth client-credentials APIs, for testing SCIM clients.
//!
//! # Layout
//!
//! - [`error`]: the one client-visible error type and its two renderings (SCIM and platform).
//! - [`http`]: request buffering and response helpers.
//! - [`scim`]: protocol pieces that work on SCIM JSON: schemas, filters, PATCH, projection, lists.
//! - [`genesys`]: the Genesys domain: storage form, mapping to SCIM, compatibility switches.

pub mod error;
pub mod genesys;
pub mod http;
pub mod scim;
