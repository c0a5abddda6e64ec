//! The edge (part `edge`): bytes on the socket; its files sit at five layers (`tests/layering.rs`).
//! `response` and `body` import `base` and `error`; `allowed_hosts` (the `Host` names answered,
//! against DNS rebinding) and `fault` nothing; `listener` the pipeline.
//!
//! The response body type and its helpers and the bounded body reader sit low (the error type
//! and every handler use them); the fault I/O wrapper and the accept loop sit above the
//! pipeline they feed.

pub(crate) mod allowed_hosts;
pub(crate) mod body;
pub(crate) mod fault;
pub(crate) mod listener;
pub(crate) mod response;
