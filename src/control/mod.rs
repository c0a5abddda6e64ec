//! The control plane (part `control`): what a test uses to script and inspect the mock.
//! Its folders sit at their own layers (`tests/layering.rs`): `expect` above `seed`; `journal`,
//! `report`, `scenario` above the request context; `admin` above the handlers.
//!
//! What a test uses rather than what a SCIM client calls. End-state expectations and the
//! journal sit low (the pipeline records into the journal); the report reads the journal;
//! scenarios script answers; `admin` serves all of them under `/__admin`.

pub(crate) mod admin;
#[cfg(feature = "expect")]
pub(crate) mod expect;
pub(crate) mod journal;
pub(crate) mod report;
pub(crate) mod scenario;
