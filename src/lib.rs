//! genesys-scim-mock: an in-memory stand-in for Genesys Cloud's SCIM, user external-id and
//! OAuth client-credentials APIs, for testing SCIM clients.
//!
//! # Layout
//!
//! One folder per part of the architecture, listed lowest first: each part may import only the
//! parts above it in this list (and itself). Four folders span layers, their files placed
//! separately (`edge`, `pipeline`, `ratelimit`, `control`); `LAYERS` in `tests/layering.rs` is
//! the exact order, and fails `cargo test` on an upward import or a file circle
//! (`docs/pipeline.md`).
//!
//! - `base`: the clock, seeded randomness, secrets, strict JSON, the shutdown signal, the HTTP
//!   client; imports nothing.
//! - [`compat`]: the named switches and one layer of them (`CompatLayer`); imports `base`.
//! - `ratelimit::layer`: the named rate limits ([`RateLayer`]); imports `base`.
//! - `edge::response`, `edge::allowed_hosts`, `error`, `edge::body`: the response body type,
//!   the `Host` names answered (against DNS rebinding), the one client-visible error type
//!   (SCIM, platform and OAuth shapes), the bounded body reader; import the above.
//! - `scim`: the SCIM protocol on JSON (schemas, filters, PATCH, projection, lists); the above.
//! - `genesys`: the domain (stored users and groups, the SCIM mapping, limits); `scim` and above.
//! - `store`: orgs behind their locks, OAuth clients, the token table; `genesys` and above.
//! - `seed`: fixture files into a store, and the built-in org; `store` and above.
//! - `control::expect`: end-state assertions over the store; `seed` and above.
//! - `pipeline::route`, `pipeline::context`: path to route, the per-request context; the above.
//! - `edge::fault`, `control::journal`, `control::report`, `ratelimit`, `control::scenario`:
//!   socket faults, the request journal, the client report, the rate windows, scripted
//!   scenarios; each imports the context and what the list puts before it.
//! - `config`: [`Config`], the settings of every part above; imports them.
//! - `state`: [`AppState`], the handle every handler receives; imports `config` and above.
//! - `api`: the handlers, one file per resource, HTTP only; imports `state` and above.
//! - `control::admin`: the `/__admin` API; imports `api` and above.
//! - `pipeline::dispatch`: the stages of one request in order ([`handle`]); imports all above.
//! - `edge::listener`: the accept loop ([`serve`]); imports the dispatch and above.
//! - `embed`: a started server and [`MockServer`], the Rust test handle; imports all above.
//! - `cli` (feature `cli`): arguments, `exec` and its steps, `healthcheck`, `verify`, `report`,
//!   logging; imports any part, and nothing imports it.
//! - [`bounds`]: the fixed bounds, re-exported for tests that probe them.
//!
//! # Public API
//!
//! Every module is crate-private except [`compat`] (the switch table [`Config`] names) and
//! `cli`; what a user of the library needs is re-exported here, chosen on purpose:
//!
//! - [`MockServer`], its [`Builder`], [`Credentials`] and [`StartError`] (a refused
//!   configuration or a refusing machine): a server per test, on its own thread, driven
//!   through the admin API the way a test in any language drives it.
//! - [`Config`] (what the `serve` flags fill in, for [`Builder::config`]) and the types its
//!   fields name: [`compat`], [`LogFormat`], [`RateLayer`] and [`RateScope`], [`Redaction`],
//!   [`ReportSettings`].
//! - [`AppState`] (built from a [`Config`], or a [`SetupError`]), [`handle`] and [`serve`]:
//!   the socket-free testing entry. `handle` runs one `http::Request<Bytes>` through the whole
//!   pipeline without a listener and answers an `http::Response<`[`Body`]`>` (admin routes
//!   included, so a test sets the clock or loads a scenario the way a client does); `serve`
//!   runs the accept loop on a listener the caller owns.
//! - [`validate`] and [`FixtureError`], [`DEFAULT_ORG`]: checking fixtures, and the built-in org.
//! - [`bounds`]: the fixed limits (page size, the token and admin tables, journal cuts).
//! - `cli` (feature `cli`): the binary's one call (`cli::main`), and the environment names
//!   `exec` sets (`cli::ENV_URL` and the rest).
//!
//! The types that can grow (`Config`, `Compat`, the switch enums, the error enums, ...) are
//! `#[non_exhaustive]`: build `Config` and `Compat` from `default()` and set their fields, and
//! match the enums with a `_` arm, so a new setting, switch or variant is a minor release.
//!
//! The state's fields and everything behind them are crate-private, so rustc reports what is
//! unused; code kept on purpose says why in an `allow` reason. `tests/public_api.rs` fails when
//! a `pub` item here changes without its list, a public name is missing from
//! `docs/pipeline.md`, or a growing type loses `#[non_exhaustive]`.

// Without the command line, what only its subcommands use (parts of the HTTP client, the
// `exec` step trait, `expect`'s report types) is unused; the default build, which clippy
// checks, reports dead code.
#![cfg_attr(
    not(feature = "cli"),
    allow(
        dead_code,
        unused_imports,
        reason = "used by the cli feature's subcommands"
    )
)]

mod api;
mod base;
#[cfg(feature = "cli")]
pub mod cli;
pub mod compat;
mod config;
mod control;
mod edge;
mod embed;
mod error;
mod genesys;
mod pipeline;
mod ratelimit;
mod scim;
mod seed;
mod state;
mod store;

/// The fixed bounds the server enforces (`docs/limits.md`), for tests that probe them.
pub mod bounds {
    pub use crate::control::journal::truncation::MIN_JOURNAL_BYTES;
    pub use crate::control::journal::truncation::{MAX_BODY_TEXT, MAX_HEADER_VALUE};
    pub use crate::control::scenario::engine::MAX_SCENARIOS;
    pub use crate::control::scenario::rule::MAX_RULES;
    pub use crate::genesys::user_budget::MAX_USERS;
    pub use crate::scim::list::MAX_COUNT;
    pub use crate::seed::build::MAX_CLIENTS_PER_ORG;
    pub use crate::store::MAX_ORGS;
    pub use crate::store::tokens::{MAX_TOKENS, MAX_TOKENS_PER_CLIENT};
}

pub use config::{Config, LogFormat};
pub use control::journal::redaction::Redaction;
pub use control::report::settings::Layer as ReportSettings;
pub use edge::listener::run as serve;
pub use edge::response::Body;
pub use embed::mock_server::{Builder, Credentials, MockServer, StartError};
pub use pipeline::dispatch::handle;
pub use ratelimit::layer::{RateLayer, Scope as RateScope};
pub use seed::{DEFAULT_ORG, Error as FixtureError, validate};
pub use state::{AppState, SetupError};
