//! The edge (part `edge`): bytes on the socket; its files sit at four layers (`tests/layering.rs`).
//! `response` and `body` import `base` and `error`; `fault` nothing; `listener` the pipeline.
//!
//! The response body type and its helpers and the bounded body reader sit low (the error type
//! and every handler use them); the fault I/O wrapper and the accept loop sit above the
//! pipeline they feed.

pub(crate) mod body;
pub(crate) mod fault;
pub(crate) mod listener;
pub(crate) mod response;
