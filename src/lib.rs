//! genesys-scim-mock: an in-memory stand-in for Genesys Cloud's SCIM, user external-id and
//! OAuth client-credentials APIs, for testing SCIM clients.
//!
//! # Layout
//!
//! - [`config`]: command line and environment, validated into [`config::Config`].
//! - [`server`]: accept loop, per-connection tasks, graceful shutdown.
//! - `route`: path → `route::Route`, a pure function.
//! - [`request`]: the request context, built once per request and borrowed downstream.
//! - [`router`]: the per-request pipeline: scenarios, authentication, dispatch, journal, panic
//!   containment; [`router::handle`] drives it without a socket.
//! - `handlers`: one file per resource (users, groups, discovery, oauth, platform).
//! - [`scim`]: protocol pieces that work on SCIM JSON: schemas, filters, PATCH, projection, lists.
//! - [`genesys`]: the Genesys domain: storage form, the SCIM ↔ Genesys mapping table,
//!   platform views, per-org limits.
//! - [`compat`]: the named compatibility switches (read by the protocol and domain layers);
//!   [`overrides`]: one layer of them (an org's, a scenario rule's), applied key by key.
//! - [`store`]: orgs (each behind its own lock), OAuth clients, and [`tokens`], the bounded
//!   token table.
//! - [`fixtures`]: the fixture format, its reader and org builder, the built-in default org,
//!   and the record of which fixture each org came from.
//! - [`clock`] and [`rng`]: the controllable clock and the seeded randomness.
//! - [`ratelimit`]: request windows on the controllable clock; [`rate_layer`]: the named
//!   limits (token, client, org, route) checked together.
//! - `secret`: constant-time comparison of client secrets and the admin token.
//! - [`scenario`], `fault` and [`journal`]: scripted behaviour, socket-level faults, and
//!   the bounded request log; [`admin`] serves them (and health and the clock) under
//!   `/__admin`.
//! - [`expect`]: end-state assertions (`/__admin/expect`, `verify`), a structured diff.
//! - [`error`]: the one client-visible error type and its two renderings (SCIM and platform).
//! - [`http`]: request buffering and response helpers; `upload`: reading a body within its
//!   size and time bounds.
//! - [`instance`]: a started server (state, listener, accept loop), shared by `serve`, `exec`
//!   and the test handle; [`client`]: the small HTTP client `verify`, `healthcheck`, `exec`
//!   and the test handle use to talk to a server.
//! - [`MockServer`] ([`mock_server`]): the server as a Rust test handle.
//! - `exec` (with `export`, `grade` and the step trait in [`after_child`]), `healthcheck`,
//!   `verify`, `gate` (the `report` subcommand) and `logging`: the command-line modes, all
//!   crate-private; [`cli`] (feature `cli`) runs them, and is all the binary calls.
//! - [`report`]: the client report, rules over the journal in every format.
//!
//! Modules only import modules below them; the order is `LAYERS` in `tests/layering.rs`, which
//! fails on an upward import or an import circle (see `docs/pipeline.md`).
//!
//! # Public API
//!
//! Chosen for tests and the binary: [`config::Config`], [`state::AppState`] (its `store`,
//! `clock`, `journal` and `scenarios`), [`server::run`], [`router::handle`] for socket-free
//! requests, [`MockServer`], [`scenario::Scenario`], [`journal::Matcher`], [`compat`],
//! [`fixtures`] (validation and the default org) and [`cli`] (the binary's one call, with the
//! environment names `exec` sets). Other modules are public because these types name theirs;
//! they are not a stable interface. Modules nothing outside needs (`handlers`, `route`,
//! `fault`, `secret`, `upload`, the subcommands) are crate-private, so the compiler reports
//! what in them is unused.

pub mod admin;
pub mod after_child;
#[cfg(feature = "cli")]
pub mod cli;
pub mod client;
pub mod clock;
pub mod compat;
pub mod config;
#[cfg(feature = "cli")]
pub(crate) mod end_state;
pub mod error;
#[cfg(feature = "cli")]
pub(crate) mod exec;
pub mod expect;
#[cfg(feature = "cli")]
pub(crate) mod export;
pub(crate) mod fault;
pub mod fixtures;
#[cfg(feature = "cli")]
pub(crate) mod gate;
pub mod genesys;
#[cfg(feature = "cli")]
pub(crate) mod grade;
pub(crate) mod handlers;
#[cfg(feature = "cli")]
pub(crate) mod healthcheck;
pub mod http;
pub mod instance;
pub mod journal;
#[cfg(feature = "cli")]
pub(crate) mod logging;
pub mod mock_server;
pub mod overrides;
pub mod rate_layer;
pub mod ratelimit;
pub mod redaction;
pub mod report;
pub mod request;
pub mod rng;
pub(crate) mod route;
pub mod router;
pub mod scenario;
pub mod scim;
pub(crate) mod secret;
pub mod server;
pub mod state;
pub mod store;
pub mod strict_json;
pub mod tokens;
pub(crate) mod upload;
#[cfg(feature = "cli")]
pub(crate) mod verify;

pub use mock_server::MockServer;
