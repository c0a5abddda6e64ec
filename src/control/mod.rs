//! The control plane: what a test uses to script and inspect the mock rather than what a SCIM
//! client calls. End-state expectations and the journal sit low (the pipeline records into the
//! journal); the report reads the journal; scenarios script answers; `admin` serves all of
//! them under `/__admin`, above the API handlers.

pub(crate) mod admin;
pub(crate) mod expect;
pub(crate) mod journal;
pub(crate) mod report;
pub(crate) mod scenario;
