//! genesys-scim-mock: an in-memory stand-in for Genesys Cloud's SCIM, user external-id and
//! OAuth client-credentials APIs, for testing SCIM clients.
//!
//! # Layout
//!
//! The tree is grouped by the architecture's parts, lowest first; each may import only the
//! parts before it (`LAYERS` in `tests/layering.rs`, which also fails on an import circle; see
//! `docs/pipeline.md`).
//!
//! - `base`: the leaves: the controllable clock, seeded randomness, secrets, strict JSON, the
//!   shutdown signal, and the small HTTP client the command line and the test handle use.
//! - [`compat`]: the named compatibility switches and one layer of them.
//! - `edge`: bytes on the socket: the response body type, the bounded body reader, socket
//!   faults, the accept loop.
//! - `error`: the one client-visible error type and its renderings (SCIM, platform, OAuth).
//! - `scim`: protocol pieces on SCIM JSON: schemas, filters, PATCH, projection, lists.
//! - `genesys`: the Genesys domain: storage form, the SCIM ↔ Genesys mapping table, platform
//!   views, per-org limits.
//! - `store`: orgs (each behind its own lock), OAuth clients and the bounded token table.
//! - `seed`: fixture files read into orgs: the format, its reader and org builder, the
//!   built-in default org, and the record of which fixture each org came from.
//! - `pipeline`: routing, the request context, and `dispatch`, which runs a request's stages
//!   in order ([`handle`] drives it without a socket).
//! - `ratelimit`: the rate-limit layers and the windows that count requests.
//! - `control`: the control plane: end-state expectations, the journal, the client report,
//!   scenarios, and the admin API that serves them under `/__admin`.
//! - `config` and `state`: the validated settings ([`Config`]) and [`AppState`], the one
//!   cheap-to-clone handle every request gets.
//! - `api`: the API handlers, one file per resource (users, groups, discovery, OAuth,
//!   platform, external ids).
//! - `embed`: a started server, shared by `serve`, `exec` and [`MockServer`], the test handle.
//! - [`cli`] (feature `cli`): the command line: arguments, `serve`, `exec` and its steps,
//!   `verify`, `report`, `healthcheck` and logging; all the binary calls.
//!
//! # Public API
//!
//! Every module is crate-private except [`compat`] (the switch table [`Config`] names) and
//! [`cli`]; what a user of the library needs is re-exported here, chosen on purpose:
//!
//! - [`MockServer`], its [`Builder`], [`Credentials`] and [`StartError`] (a refused
//!   configuration or a refusing machine): a server per test, on its own thread, driven
//!   through the admin API the way a test in any language drives it.
//! - [`Config`] (what the `serve` flags fill in, for [`Builder::config`]) and the types its
//!   fields name: [`compat`], [`LogFormat`], [`RateLayer`], [`Redaction`].
//! - [`AppState`] (built from a [`Config`], or a [`SetupError`]), [`handle`] and [`serve`]:
//!   the socket-free testing entry. `handle` runs one `http::Request<Bytes>` through the whole
//!   pipeline without a listener and answers an `http::Response<`[`Body`]`>` (admin routes
//!   included, so a test sets the clock or loads a scenario the way a client does); `serve`
//!   runs the accept loop on a listener the caller owns.
//! - [`validate`] and [`FixtureError`], [`DEFAULT_ORG`]: checking fixtures, and the built-in org.
//! - [`bounds`]: the fixed limits (page size, the token and admin tables, journal cuts).
//! - [`cli`] (feature `cli`): the binary's one call, and the environment names `exec` sets.
//!
//! The state's fields and everything behind them are crate-private, so rustc reports what is
//! unused; code kept on purpose says why in an `allow` reason. `tests/public_api.rs` fails when
//! a `pub` line here changes without its list, or a public name is missing from
//! `docs/pipeline.md`.

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
pub use edge::listener::run as serve;
pub use edge::response::Body;
pub use embed::mock_server::{Builder, Credentials, MockServer, StartError};
pub use pipeline::dispatch::handle;
pub use ratelimit::layer::RateLayer;
pub use seed::{DEFAULT_ORG, Error as FixtureError, validate};
pub use state::{AppState, SetupError};
