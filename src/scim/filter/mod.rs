//! SCIM filters (RFC 7644 §3.4.2.2), in `scim`: lexer → parser → AST → evaluator.
//! Imports the SCIM schema, `compat` (the filter profile) and `error`.
//!
//! - [`lexer`]: tokens with byte offsets, including Genesys' unquoted values.
//! - [`parser`]: recursive descent with precedence `or` < `and` < `not` < grouping; also PATCH
//!   paths, whose `[...]` part is the same grammar.
//! - [`ast`]: [`Filter`], [`CompareOp`], [`PatchPath`].
//! - [`eval`]: matching against the SCIM JSON view, with case rules and types from the schema.
//! - [`profile`]: the `profile` compat switch (what Genesys documents versus the full RFC).

mod ast;
mod eval;
mod lexer;
mod parser;
mod profile;

use serde_json::Value;

pub(crate) use ast::{CompareOp, Filter, PatchPath};

use crate::compat::Profile;
use crate::error::ApiError;
use crate::scim::schema::{Attribute, ResourceKind};

/// A filter or path that could not be parsed: where and why. Malformed text is an error of its
/// own; a well-formed filter the profile refuses is reported by [`check_profile`] instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    /// Byte offset into the filter text.
    pub at: usize,
    pub reason: String,
    /// The text is well formed so far but past a size bound (nesting depth, expression
    /// count): an `invalidFilter` wherever it appears, PATCH paths included.
    pub over_limit: bool,
}

impl ParseError {
    pub(crate) fn new(at: usize, reason: impl Into<String>) -> Self {
        Self {
            at,
            reason: reason.into(),
            over_limit: false,
        }
    }

    /// A bound was passed (see [`parser`]'s module notes).
    pub(crate) fn over_limit(at: usize, reason: impl Into<String>) -> Self {
        Self {
            over_limit: true,
            ..Self::new(at, reason)
        }
    }
}

/// The start of filter or path text for an error message: hostile text can be hundreds of
/// kilobytes, and echoing it whole would make the error as large as the request.
pub(crate) fn excerpt(text: &str) -> String {
    const SHOWN: usize = 120;
    match text.char_indices().nth(SHOWN) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}… ({} bytes)", &text[..end], text.len()),
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at byte {}: {}", self.at, self.reason)
    }
}

impl std::error::Error for ParseError {}

/// Parses filter text.
pub(crate) fn parse(input: &str) -> Result<Filter, ParseError> {
    parser::filter(input)
}

/// Parses a PATCH operation path (RFC 7644 §3.5.2 `PATH`): `attr`, `attr.sub`, `urn:attr`,
/// `attr[filter]`, `attr[filter].sub`, `urn:attr[filter].sub`, or a bare schema URN.
pub(crate) fn parse_patch_path(input: &str) -> Result<PatchPath, ParseError> {
    parser::patch_path(input)
}

/// Whether `resource` (the SCIM JSON view) matches `filter`.
pub(crate) fn matches(filter: &Filter, resource: &Value, kind: ResourceKind) -> bool {
    eval::matches(filter, resource, kind)
}

/// Whether one element of a multi-valued attribute matches the filter inside `attr[...]`.
/// `parent` is the attribute's definition, when it is in the schema, for case rules and types.
pub(crate) fn matches_element(
    filter: &Filter,
    element: &Value,
    parent: Option<&'static Attribute>,
) -> bool {
    eval::matches_element(filter, element, parent)
}

/// Checks that `filter` is one the profile accepts for `kind`; see [`profile`].
pub(crate) fn check_profile(
    filter: &Filter,
    kind: ResourceKind,
    profile: Profile,
) -> Result<(), ApiError> {
    profile::check(filter, kind, profile)
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_bounds;
