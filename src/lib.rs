//! genesys-scim-mock: an in-memory stand-in for Genesys Cloud's SCIM, user external-id and
//! OAuth client-credentials APIs, for testing SCIM clients.
//!
//! # Layout
//!
//! - `config`: command line and environment, validated into [`Config`].
//! - `server`: accept loop, per-connection tasks, graceful shutdown.
//! - `route`: path → `route::Route`, a pure function.
//! - `request`: the request context, built once per request and borrowed downstream.
//! - `router`: the per-request pipeline: scenarios, authentication, dispatch, journal, panic
//!   containment; [`handle`] drives it without a socket.
//! - `handlers`: one file per resource (users, groups, discovery, oauth, platform).
//! - `scim`: protocol pieces that work on SCIM JSON: schemas, filters, PATCH, projection, lists.
//! - `genesys`: the Genesys domain: storage form, the SCIM ↔ Genesys mapping table,
//!   platform views, per-org limits.
//! - [`compat`]: the named compatibility switches (read by the protocol and domain layers);
//!   `overrides`: one layer of them (an org's, a scenario rule's), applied key by key.
//! - `store`: orgs (each behind its own lock), OAuth clients, and `tokens`, the bounded
//!   token table.
//! - `fixtures`: the fixture format, its reader and org builder, the built-in default org,
//!   and the record of which fixture each org came from.
//! - `clock` and `rng`: the controllable clock and the seeded randomness.
//! - `ratelimit`: request windows on the controllable clock; `rate_layer`: the named
//!   limits (token, client, org, route) checked together.
//! - `secret`: constant-time comparison of client secrets and the admin token.
//! - `scenario`, `fault` and `journal`: scripted behaviour, socket-level faults, and
//!   the bounded request log (`redaction`: what it never stores in clear); `admin` serves
//!   them (and health and the clock) under `/__admin`.
//! - `state`: [`AppState`], the one cheap-to-clone handle every handler receives.
//! - `expect`: end-state assertions (`/__admin/expect`, `verify`), a structured diff.
//! - `error`: the one client-visible error type and its renderings (SCIM, platform, OAuth).
//! - `http`: request buffering and response helpers; `upload`: reading a body within its
//!   size and time bounds; `strict_json`: JSON parsing that refuses duplicate keys.
//! - `instance`: a started server (state, listener, accept loop), shared by `serve`, `exec`
//!   and the test handle; `client`: the small HTTP client `verify`, `healthcheck`, `exec`
//!   and the test handle use to talk to a server.
//! - [`MockServer`] (`mock_server`): the server as a Rust test handle.
//! - [`bounds`]: the fixed bounds, re-exported for tests that probe them.
//! - `exec` (with `export`, `grade`, `end_state` and the step trait in `after_child`),
//!   `healthcheck`, `verify`, `gate` (the `report` subcommand) and `logging`: the
//!   command-line modes, all crate-private; [`cli`] (feature `cli`) runs them, and is all the
//!   binary calls.
//! - `report`: the client report, rules over the journal in every format.
//!
//! Modules only import modules below them; the order is `LAYERS` in `tests/layering.rs`, which
//! fails on an upward import or an import circle (see `docs/pipeline.md`).
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
//!   fields name: [`compat`], [`LogFormat`], [`RateLayer`] and [`RateScope`], [`Redaction`],
//!   [`ReportSettings`].
//! - [`AppState`] (built from a [`Config`], or a [`SetupError`]), [`handle`] and [`serve`]:
//!   the socket-free testing entry. `handle` runs one `http::Request<Bytes>` through the whole
//!   pipeline without a listener and answers an `http::Response<`[`Body`]`>` (admin routes
//!   included, so a test sets the clock or loads a scenario the way a client does); `serve`
//!   runs the accept loop on a listener the caller owns.
//! - [`validate`] and [`FixtureError`], [`DEFAULT_ORG`]: checking fixtures, and the built-in org.
//! - [`bounds`]: the fixed limits (page size, the token and admin tables, journal cuts).
//! - [`cli`] (feature `cli`): the binary's one call, and the environment names `exec` sets.
//!
//! The types that can grow (`Config`, `Compat`, the switch enums, the error enums, ...) are
//! `#[non_exhaustive]`: build `Config` and `Compat` from `default()` and set their fields, and
//! match the enums with a `_` arm, so a new setting, switch or variant is a minor release.
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
    pub use crate::control::journal::truncation::{
        MAX_BODY_TEXT, MAX_HEADER_VALUE, MIN_JOURNAL_BYTES,
    };
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
