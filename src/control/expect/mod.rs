//! End-state assertions (`control::expect`): an expected state, written like a fixture, diffed.
//! Imports `seed`, `store`, `genesys`, `scim` and below; the admin API and `verify` use it.
//!
//! The expected state is checked against the live orgs in one call, in the SCIM view and in
//! the Genesys form, with a structured diff.
//!
//! A CI job asserts what its client left behind with `POST /__admin/expect`,
//! `genesys-scim-mock verify` or `exec --expect`, instead of reimplementing a diff in every
//! language. The format and the comparison rules are in `docs/expect.md`.
//!
//! - [`spec`]: the document and its checks (errors name record and field, as fixtures' do);
//! - [`comparison`]: expected versus actual JSON, field by field;
//! - [`evaluation`]: the walk over the store;
//! - [`verdict`]: the result and its JSON, JUnit and text renderings.

pub(crate) mod comparison;
pub(crate) mod evaluation;
pub(crate) mod spec;
pub(crate) mod verdict;

pub(crate) use evaluation::check;
pub(crate) use spec::{Expectation, parse};
pub(crate) use verdict::Verdict;
