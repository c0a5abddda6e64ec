//! Recursive-descent filter parser (RFC 7644 §3.4.2.2) with explicit precedence:
//! `or` binds loosest, then `and`, then `not`, then grouping and value paths.
//!
//! ```text
//! filter    = or
//! or        = and *("or" and)
//! and       = unary *("and" unary)
//! unary     = "not" "(" filter ")" / "(" filter ")" / attrExp / valuePath
//! attrExp   = attrPath "pr" / attrPath compareOp compValue
//! valuePath = attrPath "[" filter "]"        ; no nested brackets
//! ```
//!
//! Hostile input cannot exhaust the stack or the CPU. The parser recurses only on grouping
//! (`(`, `not (`, `[`), at most [`MAX_DEPTH`] levels; flat `and`/`or` chains are read in a loop
//! and folded into a balanced tree, so the tree is at most `MAX_DEPTH` plus log2 of the chain
//! deep and evaluating or dropping it recurses no further. A filter holds at most
//! [`MAX_TERMS`] attribute expressions, which bounds the cost of evaluating it against each
//! resource. Past either bound the error is a plain [`ParseError`] (an `invalidFilter`).

use serde_json::{Number, Value};

use super::ParseError;
use super::ast::{CompareOp, Filter, PatchPath};
use super::lexer::{Lexer, Tok, Token};
use crate::scim::schema::{AttrPath, is_known_schema_urn};

/// Nesting deeper than this is refused rather than risking the stack on hostile input.
pub(crate) const MAX_DEPTH: usize = 64;

/// Attribute expressions (`attr op value`, `attr pr`) one filter or PATCH path may hold. A
/// chosen bound: Genesys documents no limit, the documented filters use one or two, and
/// identity providers send at most a few dozen (one per value of a batched lookup). It keeps
/// one request's evaluation cost at a few hundred comparisons per resource.
pub(crate) const MAX_TERMS: usize = 256;

#[derive(Debug)]
struct Parser<'a> {
    lx: Lexer<'a>,
    depth: usize,
    terms: usize,
}

impl<'a> Parser<'a> {
    fn new(input: &'a str) -> Self {
        Self {
            lx: Lexer::new(input),
            depth: 0,
            terms: 0,
        }
    }
}

/// Parses a whole filter.
pub(crate) fn filter(input: &str) -> Result<Filter, ParseError> {
    let mut p = Parser::new(input);
    let f = p.or_expr(false)?;
    p.expect_end()?;
    Ok(f)
}

/// Parses a PATCH path: `attrPath [ "[" valFilter "]" [ "." subAttr ] ]`.
pub(crate) fn patch_path(input: &str) -> Result<PatchPath, ParseError> {
    let mut p = Parser::new(input);
    let first = p.lx.next_token()?;
    let Tok::Word(word) = &first.tok else {
        return Err(ParseError::new(
            first.at,
            format!("expected an attribute path, found {}", first.tok.describe()),
        ));
    };
    let mut attr = attr_path(word, first.at, true)?;
    let open = p.lx.next_token()?;
    match open.tok {
        Tok::Eof => {
            return Ok(PatchPath { attr, filter: None });
        }
        Tok::LBracket => {}
        other => {
            return Err(ParseError::new(
                open.at,
                format!("unexpected {} after '{word}'", other.describe()),
            ));
        }
    }
    if attr.name.is_empty() {
        return Err(ParseError::new(
            open.at,
            "a value filter needs an attribute name before '['",
        ));
    }
    if let Some(sub) = &attr.sub {
        return Err(ParseError::new(
            open.at,
            format!("a value filter must follow the attribute, not its sub-attribute '{sub}'"),
        ));
    }
    p.depth = 1;
    let filter = p.or_expr(true)?;
    let close = p.expect(
        &Tok::RBracket,
        open.at,
        "expected ']' to close the '[' at byte",
    )?;
    let after = p.lx.next_token()?;
    match &after.tok {
        Tok::Eof => {}
        Tok::Word(w) if w.starts_with('.') && after.at == close.end => {
            let sub = &w[1..];
            if !is_attr_name(sub) {
                return Err(ParseError::new(
                    after.at + 1,
                    format!("invalid sub-attribute name '{sub}'"),
                ));
            }
            attr.sub = Some(sub.to_owned());
            p.expect_end()?;
        }
        other => {
            return Err(ParseError::new(
                after.at,
                format!("unexpected {} after ']'", other.describe()),
            ));
        }
    }
    Ok(PatchPath {
        attr,
        filter: Some(filter),
    })
}

impl Parser<'_> {
    fn expect_end(&mut self) -> Result<(), ParseError> {
        let t = self.lx.next_token()?;
        match t.tok {
            Tok::Eof => Ok(()),
            other => Err(ParseError::new(
                t.at,
                format!("unexpected {}", other.describe()),
            )),
        }
    }

    /// Consumes `want` or fails with `reason` followed by the opening offset.
    fn expect(&mut self, want: &Tok, opened: usize, reason: &str) -> Result<Token, ParseError> {
        let t = self.lx.next_token()?;
        if &t.tok == want {
            Ok(t)
        } else {
            Err(ParseError::new(
                t.at,
                format!("{reason} {opened}, found {}", t.tok.describe()),
            ))
        }
    }

    fn peek_keyword(&mut self, keyword: &str) -> Result<bool, ParseError> {
        Ok(matches!(&self.lx.peek()?.tok, Tok::Word(w) if w.eq_ignore_ascii_case(keyword)))
    }

    fn enter(&mut self, at: usize) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::over_limit(
                at,
                format!("filter nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        Ok(())
    }

    fn or_expr(&mut self, in_bracket: bool) -> Result<Filter, ParseError> {
        let mut terms = vec![self.and_expr(in_bracket)?];
        while self.peek_keyword("or")? {
            self.lx.next_token()?;
            terms.push(self.and_expr(in_bracket)?);
        }
        Ok(balanced(terms, Filter::or))
    }

    fn and_expr(&mut self, in_bracket: bool) -> Result<Filter, ParseError> {
        let mut terms = vec![self.unary(in_bracket)?];
        while self.peek_keyword("and")? {
            self.lx.next_token()?;
            terms.push(self.unary(in_bracket)?);
        }
        Ok(balanced(terms, Filter::and))
    }

    /// Counts one attribute expression against [`MAX_TERMS`].
    fn term(&mut self, at: usize) -> Result<(), ParseError> {
        self.terms += 1;
        if self.terms > MAX_TERMS {
            return Err(ParseError::over_limit(
                at,
                format!("filter has more than {MAX_TERMS} attribute expressions"),
            ));
        }
        Ok(())
    }

    fn unary(&mut self, in_bracket: bool) -> Result<Filter, ParseError> {
        let t = self.lx.next_token()?;
        match &t.tok {
            Tok::Word(w) if w.eq_ignore_ascii_case("not") => {
                let open = self.lx.next_token()?;
                if open.tok != Tok::LParen {
                    return Err(ParseError::new(
                        open.at,
                        format!("expected '(' after 'not', found {}", open.tok.describe()),
                    ));
                }
                self.enter(open.at)?;
                let inner = self.or_expr(in_bracket)?;
                self.expect(
                    &Tok::RParen,
                    open.at,
                    "expected ')' to close the '(' at byte",
                )?;
                self.depth -= 1;
                Ok(Filter::Not(Box::new(inner)))
            }
            Tok::LParen => {
                self.enter(t.at)?;
                let inner = self.or_expr(in_bracket)?;
                self.expect(&Tok::RParen, t.at, "expected ')' to close the '(' at byte")?;
                self.depth -= 1;
                Ok(inner)
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("and") || w.eq_ignore_ascii_case("or") => Err(
                ParseError::new(t.at, format!("expected an attribute name before '{w}'")),
            ),
            Tok::Word(w) => {
                let path = attr_path(w, t.at, false)?;
                self.after_path(path, w, in_bracket)
            }
            Tok::RParen | Tok::RBracket => Err(ParseError::new(
                t.at,
                format!("unexpected {}", t.tok.describe()),
            )),
            Tok::LBracket | Tok::Str(_) | Tok::Eof => Err(ParseError::new(
                t.at,
                format!("expected an attribute name, found {}", t.tok.describe()),
            )),
        }
    }

    /// After an attribute path: `pr`, a comparison, or a value filter in brackets.
    fn after_path(
        &mut self,
        path: AttrPath,
        word: &str,
        in_bracket: bool,
    ) -> Result<Filter, ParseError> {
        let t = self.lx.next_token()?;
        match &t.tok {
            Tok::LBracket => {
                if in_bracket {
                    return Err(ParseError::new(
                        t.at,
                        "a value filter cannot contain another '['",
                    ));
                }
                if let Some(sub) = &path.sub {
                    return Err(ParseError::new(
                        t.at,
                        format!(
                            "a value filter must follow the attribute, not its sub-attribute '{sub}'"
                        ),
                    ));
                }
                self.enter(t.at)?;
                let inner = self.or_expr(true)?;
                self.expect(
                    &Tok::RBracket,
                    t.at,
                    "expected ']' to close the '[' at byte",
                )?;
                self.depth -= 1;
                Ok(Filter::ValuePath {
                    path,
                    filter: Box::new(inner),
                })
            }
            Tok::Word(op) if op.eq_ignore_ascii_case("pr") => {
                self.term(t.at)?;
                Ok(Filter::Present(path))
            }
            Tok::Word(op) => {
                self.term(t.at)?;
                let Some(op) = CompareOp::from_word(op) else {
                    return Err(ParseError::new(
                        t.at,
                        format!("expected comparison operator after '{word}', found '{op}'"),
                    ));
                };
                let v = self.lx.value()?;
                let value = match v.tok {
                    Tok::Str(s) => Value::String(s),
                    Tok::Word(w) => literal(&w),
                    _ => {
                        return Err(ParseError::new(
                            v.at,
                            format!("expected a value after '{op}'"),
                        ));
                    }
                };
                Ok(Filter::Compare { path, op, value })
            }
            _ => Err(ParseError::new(
                t.at,
                format!(
                    "expected comparison operator after '{word}', found {}",
                    t.tok.describe()
                ),
            )),
        }
    }
}

/// Joins a chain of operands of one associative operator into a tree of depth log2(n). The
/// left half gets the extra operand, so chains of up to three read as left-associative and
/// evaluation still visits the operands left to right.
fn balanced(mut terms: Vec<Filter>, join: fn(Filter, Filter) -> Filter) -> Filter {
    if terms.len() == 1 {
        return terms.pop().expect("one operand");
    }
    let right = terms.split_off(terms.len().div_ceil(2));
    join(balanced(terms, join), balanced(right, join))
}

/// An unquoted comparison value. `true`, `false` and `null` (any case, as ABNF literals are)
/// and numbers keep their JSON meaning; anything else is the string Genesys' documented
/// unquoted examples mean (`userName eq a@b.org`). A number is kept only when it prints back
/// as written, so `0012` or `1.50` stay strings and compare as typed.
fn literal(word: &str) -> Value {
    match word.to_ascii_lowercase().as_str() {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        "null" => return Value::Null,
        _ => {}
    }
    match serde_json::from_str::<Number>(word) {
        Ok(n) if n.to_string() == word => Value::Number(n),
        _ => Value::String(word.to_owned()),
    }
}

/// Whether `name` is an RFC 7643 ATTRNAME (`ALPHA *(nameChar)`), or `$ref`.
pub(crate) fn is_attr_name(name: &str) -> bool {
    if name.eq_ignore_ascii_case("$ref") {
        return true;
    }
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Validates and splits an attribute path word. `allow_bare_urn` admits a known schema URN on
/// its own (a PATCH path naming a whole extension).
fn attr_path(word: &str, at: usize, allow_bare_urn: bool) -> Result<AttrPath, ParseError> {
    let path = AttrPath::parse(word);
    if path.name.is_empty()
        && path.sub.is_none()
        && let Some(urn) = &path.urn
    {
        if allow_bare_urn && is_known_schema_urn(urn) {
            return Ok(path);
        }
        return Err(ParseError::new(
            at,
            format!("expected an attribute name after the schema URN in '{word}'"),
        ));
    }
    if !is_attr_name(&path.name) {
        return Err(ParseError::new(
            at,
            format!("invalid attribute name '{word}'"),
        ));
    }
    if let Some(sub) = &path.sub
        && !is_attr_name(sub)
    {
        return Err(ParseError::new(
            at,
            format!("invalid sub-attribute name in '{word}'"),
        ));
    }
    if let Some(urn) = &path.urn
        && (urn.len() <= 4 || urn.ends_with(':'))
    {
        return Err(ParseError::new(
            at,
            format!("invalid schema URN in '{word}'"),
        ));
    }
    Ok(path)
}
