//! The filter tree and PATCH paths the parser produces.

use std::fmt;

use serde_json::Value;

use crate::scim::schema::AttrPath;

/// Comparison operators (RFC 7644 §3.4.2.2, table 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CompareOp {
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

impl CompareOp {
    /// Every comparison operator, for lookups and generated tests.
    pub(crate) const ALL: [CompareOp; 9] = [
        Self::Eq,
        Self::Ne,
        Self::Co,
        Self::Sw,
        Self::Ew,
        Self::Gt,
        Self::Ge,
        Self::Lt,
        Self::Le,
    ];

    /// The operator as written in filters (lower case).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "eq",
            Self::Ne => "ne",
            Self::Co => "co",
            Self::Sw => "sw",
            Self::Ew => "ew",
            Self::Gt => "gt",
            Self::Ge => "ge",
            Self::Lt => "lt",
            Self::Le => "le",
        }
    }

    /// The operator named by `word`, case-insensitively (operators are ABNF literals, which
    /// RFC 5234 makes case-insensitive).
    pub(crate) fn from_word(word: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|op| op.as_str().eq_ignore_ascii_case(word))
    }
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A filter tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
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

impl Filter {
    /// Visits this node and every node below it, parents first.
    pub(crate) fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a Filter)) {
        visit(self);
        match self {
            Self::And(a, b) | Self::Or(a, b) => {
                a.walk(visit);
                b.walk(visit);
            }
            Self::Not(inner) | Self::ValuePath { filter: inner, .. } => inner.walk(visit),
            Self::Compare { .. } | Self::Present(_) => {}
        }
    }

    /// `a and b`, boxed.
    pub(crate) fn and(a: Filter, b: Filter) -> Self {
        Self::And(Box::new(a), Box::new(b))
    }

    /// `a or b`, boxed.
    pub(crate) fn or(a: Filter, b: Filter) -> Self {
        Self::Or(Box::new(a), Box::new(b))
    }
}

impl std::str::FromStr for Filter {
    type Err = super::ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        super::parse(s)
    }
}

/// Renders the filter in canonical RFC syntax: fully parenthesised logical expressions, quoted
/// strings. Parsing the output gives back the same tree.
impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Compare { path, op, value } => write!(f, "{path} {op} {value}"),
            Self::Present(path) => write!(f, "{path} pr"),
            Self::And(a, b) => write!(f, "({a} and {b})"),
            Self::Or(a, b) => write!(f, "({a} or {b})"),
            Self::Not(inner) => write!(f, "not ({inner})"),
            Self::ValuePath { path, filter } => write!(f, "{path}[{filter}]"),
        }
    }
}

/// A PATCH operation path (RFC 7644 §3.5.2): `attr`, `attr.sub`, `urn:attr`, `attr[filter]`,
/// `attr[filter].sub` and the URN-qualified forms of each.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PatchPath {
    /// The attribute, with its URN and sub-attribute. For `attr[filter].sub` the sub-attribute
    /// after the bracket is stored here too. A bare schema URN leaves `name` empty.
    pub attr: AttrPath,
    /// The value filter selecting elements of a multi-valued attribute.
    pub filter: Option<Filter>,
}

impl fmt::Display for PatchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.attr.urn {
            if self.attr.name.is_empty() {
                return f.write_str(urn);
            }
            write!(f, "{urn}:")?;
        }
        f.write_str(&self.attr.name)?;
        if let Some(filter) = &self.filter {
            write!(f, "[{filter}]")?;
        }
        if let Some(sub) = &self.attr.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}
