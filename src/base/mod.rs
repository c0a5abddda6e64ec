//! The leaves (part `base`): clock, randomness, secrets, strict JSON, shutdown, the HTTP client.
//! Imports nothing else of the crate; every other part may import it.

pub(crate) mod clock;
pub(crate) mod http_client;
pub(crate) mod rng;
pub(crate) mod secret;
pub(crate) mod shutdown;
pub(crate) mod strict_json;
