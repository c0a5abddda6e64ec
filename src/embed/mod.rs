//! Embedding: a started server ([`running_server::RunningServer`]) shared by `serve`, `exec`
//! and the test handle, and [`mock_server::MockServer`], the server as a Rust test handle.

pub(crate) mod mock_server;
pub(crate) mod running_server;
