//! Embedding (part `embed`): a started server, and [`mock_server::MockServer`], the test handle.
//! Imports the listener, the state, the store and below; only `cli` sits above it.
//!
//! [`running_server::RunningServer`] is the one way to start a server, shared by `serve`, `exec`
//! and the test handle.

pub(crate) mod mock_server;
pub(crate) mod running_server;
