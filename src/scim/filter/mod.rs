//! SCIM filters (RFC 7644 §3.4.2.2): lexer → parser → AST → evaluator.
//!
//! STUB: replaced by the full engine. Only `attr eq value` is understood here.

use serde_json::Value;

use crate::error::ApiError;
use crate::genesys::compat::Profile;
use crate::scim::schema::{AttrPath, ResourceKind};

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

/// A filter tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `path op value`
    Compare {
        path: AttrPath,
        op: CompareOp,
        value: Value,
    },
    /// `path pr`
    Present(AttrPath),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `path[filter]`, the inner filter evaluated against each element of a multi-valued path.
    ValuePath {
        path: AttrPath,
        filter: Box<Filter>,
    },
}

/// A filter that could not be parsed: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset into the filter text.
    pub at: usize,
    pub reason: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at byte {}: {}", self.at, self.reason)
    }
}

/// Parses filter text.
pub fn parse(input: &str) -> Result<Filter, ParseError> {
    let mut parts = input.trim().splitn(3, ' ');
    let (Some(attr), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(ParseError {
            at: 0,
            reason: "expected `attribute eq value`".to_owned(),
        });
    };
    if !op.eq_ignore_ascii_case("eq") {
        return Err(ParseError {
            at: attr.len() + 1,
            reason: format!("unsupported operator {op}"),
        });
    }
    let value = value.trim();
    let value = if let Some(s) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Value::String(s.to_owned())
    } else if value.eq_ignore_ascii_case("true") {
        Value::Bool(true)
    } else if value.eq_ignore_ascii_case("false") {
        Value::Bool(false)
    } else {
        Value::String(value.to_owned())
    };
    Ok(Filter::Compare {
        path: AttrPath::parse(attr),
        op: CompareOp::Eq,
        value,
    })
}

/// Whether `resource` (the SCIM JSON view) matches `filter`.
pub fn matches(filter: &Filter, resource: &Value, kind: ResourceKind) -> bool {
    let _ = kind;
    match filter {
        Filter::Compare { path, value, .. } => {
            let got = resource.get(path.name.as_str());
            match (got, value) {
                (Some(Value::String(a)), Value::String(b)) => a.eq_ignore_ascii_case(b),
                (Some(a), b) => a == b,
                _ => false,
            }
        }
        _ => false,
    }
}

/// Checks that `filter` is one the profile accepts for `kind`.
pub fn check_profile(
    filter: &Filter,
    kind: ResourceKind,
    profile: Profile,
) -> Result<(), ApiError> {
    let _ = (filter, kind, profile);
    Ok(())
}
