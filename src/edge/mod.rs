//! The edge: bytes on the socket. The response body type and its helpers and the bounded body
//! reader sit low (the error type and every handler use them); the fault I/O wrapper and the
//! accept loop sit above the pipeline they feed. `tests/layering.rs` lists each file's layer.

pub(crate) mod body;
pub(crate) mod fault;
pub(crate) mod listener;
pub(crate) mod response;
