//! The leaves: time, randomness, secrets, strict JSON and the small HTTP client. Nothing here
//! imports anything else of the crate, so every other part may use it.

pub(crate) mod clock;
pub(crate) mod http_client;
pub(crate) mod rng;
pub(crate) mod secret;
pub(crate) mod shutdown;
pub(crate) mod strict_json;
