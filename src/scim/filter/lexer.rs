//! Filter tokens with byte offsets.
//!
//! The lexer is pulled by the parser one token at a time because one rule depends on context:
//! after a comparison operator Genesys accepts an *unquoted* value (`userName eq a@b.org`,
//! `id eq 857449b0-d9e7-...`), which runs to the next whitespace, `)` or `]` and may contain
//! characters that are punctuation elsewhere. The parser asks for that with [`Lexer::value`].
//!
//! In the same place a value may be single-quoted (`authority eq 'microsoftteams'`), as
//! Microsoft's gallery mapping for Genesys writes its `externalIds` targets (Microsoft Learn,
//! "Configure Genesys Cloud for Azure for automatic user provisioning"). RFC 7644 values are
//! JSON strings, so a bare word would have kept the quotes as part of the value, and a
//! `replace` that creates would have stored an authority named `'microsoftteams'`. The quotes
//! delimit a string instead (a doubled `''` inside is one quote); an unterminated one is an
//! error that says so.

use super::ParseError;

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    LParen,
    RParen,
    LBracket,
    RBracket,
    /// A run of characters that is not whitespace, a bracket, a parenthesis or a quote: an
    /// attribute path, a keyword, an operator, a literal or an unquoted value.
    Word(String),
    /// A JSON string, unescaped.
    Str(String),
    Eof,
}

impl Tok {
    /// How the token reads in an error message.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::LParen => "'('".to_owned(),
            Self::RParen => "')'".to_owned(),
            Self::LBracket => "'['".to_owned(),
            Self::RBracket => "']'".to_owned(),
            Self::Word(w) => format!("'{w}'"),
            Self::Str(s) => format!("string {s:?}"),
            Self::Eof => "end of input".to_owned(),
        }
    }
}

/// A token and where it starts and ends in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    /// Byte offset of the first character.
    pub(crate) at: usize,
    /// Byte offset just past the last character.
    pub(crate) end: usize,
}

/// A pull lexer over filter text.
#[derive(Debug)]
pub(crate) struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    peeked: Option<Token>,
}

fn is_word_char(c: char) -> bool {
    !(c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '"'))
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(input: &'a str) -> Self {
        Self {
            input,
            pos: 0,
            peeked: None,
        }
    }

    /// The next token without consuming it.
    pub(crate) fn peek(&mut self) -> Result<&Token, ParseError> {
        if self.peeked.is_none() {
            let t = self.lex()?;
            self.peeked = Some(t);
        }
        match &self.peeked {
            Some(t) => Ok(t),
            None => Err(ParseError::new(self.pos, "internal lexer state")),
        }
    }

    /// Consumes and returns the next token.
    pub(crate) fn next_token(&mut self) -> Result<Token, ParseError> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lex(),
        }
    }

    /// Lexes a comparison value: a JSON string, a single-quoted string, or an unquoted run up
    /// to whitespace, `)` or `]`. Returns `Tok::Eof` when nothing is left.
    pub(crate) fn value(&mut self) -> Result<Token, ParseError> {
        if let Some(t) = self.peeked.take() {
            // Re-lex from the start of the peeked token in value mode.
            self.pos = t.at;
        }
        self.skip_ws();
        let start = self.pos;
        let rest = &self.input[start..];
        if rest.starts_with('"') {
            return self.string();
        }
        if rest.starts_with('\'') {
            return self.single_quoted();
        }
        let len = rest
            .char_indices()
            .find(|&(_, c)| c.is_whitespace() || c == ')' || c == ']')
            .map_or(rest.len(), |(i, _)| i);
        self.pos = start + len;
        let tok = if len == 0 {
            Tok::Eof
        } else {
            Tok::Word(rest[..len].to_owned())
        };
        Ok(Token {
            tok,
            at: start,
            end: self.pos,
        })
    }

    fn skip_ws(&mut self) {
        let rest = &self.input[self.pos..];
        let trimmed = rest.trim_start();
        self.pos += rest.len() - trimmed.len();
    }

    fn lex(&mut self) -> Result<Token, ParseError> {
        self.skip_ws();
        let start = self.pos;
        let Some(c) = self.input[start..].chars().next() else {
            return Ok(Token {
                tok: Tok::Eof,
                at: start,
                end: start,
            });
        };
        let single = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            _ => None,
        };
        if let Some(tok) = single {
            self.pos += 1;
            return Ok(Token {
                tok,
                at: start,
                end: self.pos,
            });
        }
        if c == '"' {
            return self.string();
        }
        let rest = &self.input[start..];
        let len = rest
            .char_indices()
            .find(|&(_, c)| !is_word_char(c))
            .map_or(rest.len(), |(i, _)| i);
        self.pos = start + len;
        Ok(Token {
            tok: Tok::Word(rest[..len].to_owned()),
            at: start,
            end: self.pos,
        })
    }

    /// A JSON string starting at `self.pos` (which holds the opening quote).
    fn string(&mut self) -> Result<Token, ParseError> {
        let start = self.pos;
        let mut out = String::new();
        let mut chars = self.input[start + 1..].char_indices();
        while let Some((i, c)) = chars.next() {
            let at = start + 1 + i;
            match c {
                '"' => {
                    self.pos = at + 1;
                    return Ok(Token {
                        tok: Tok::Str(out),
                        at: start,
                        end: self.pos,
                    });
                }
                '\\' => {
                    let Some((_, e)) = chars.next() else { break };
                    match e {
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        '/' => out.push('/'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'u' => {
                            let hi = hex4(&mut chars).ok_or_else(|| {
                                ParseError::new(at, "invalid \\u escape: expected 4 hex digits")
                            })?;
                            let ch = if (0xD800..0xDC00).contains(&hi) {
                                // A high surrogate must be followed by `\uDC00`-`\uDFFF`.
                                let lo = match (chars.next(), chars.next()) {
                                    (Some((_, '\\')), Some((_, 'u'))) => hex4(&mut chars),
                                    _ => None,
                                }
                                .filter(|lo| (0xDC00..0xE000).contains(lo))
                                .ok_or_else(|| {
                                    ParseError::new(at, "invalid \\u escape: unpaired surrogate")
                                })?;
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                            } else {
                                char::from_u32(hi)
                            };
                            out.push(ch.ok_or_else(|| {
                                ParseError::new(at, "invalid \\u escape: unpaired surrogate")
                            })?);
                        }
                        other => {
                            return Err(ParseError::new(
                                at,
                                format!("invalid escape '\\{other}' in string"),
                            ));
                        }
                    }
                }
                c if (c as u32) < 0x20 => {
                    return Err(ParseError::new(at, "control character in string"));
                }
                c => out.push(c),
            }
        }
        Err(ParseError::new(start, "unterminated string"))
    }
}

impl Lexer<'_> {
    /// A single-quoted string starting at `self.pos` (which holds the opening quote): up to the
    /// next lone `'`; `''` inside is one `'`.
    fn single_quoted(&mut self) -> Result<Token, ParseError> {
        let start = self.pos;
        let mut out = String::new();
        let mut chars = self.input[start + 1..].char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c != '\'' {
                out.push(c);
                continue;
            }
            if chars.peek().is_some_and(|&(_, n)| n == '\'') {
                chars.next();
                out.push('\'');
                continue;
            }
            self.pos = start + 1 + i + 1;
            return Ok(Token {
                tok: Tok::Str(out),
                at: start,
                end: self.pos,
            });
        }
        Err(ParseError::new(
            start,
            "unterminated single-quoted value: close it with ' (or send the value in double \
             quotes, as RFC 7644 asks)",
        ))
    }
}

fn hex4(chars: &mut std::str::CharIndices<'_>) -> Option<u32> {
    let mut v = 0u32;
    for _ in 0..4 {
        let (_, c) = chars.next()?;
        v = v * 16 + c.to_digit(16)?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &str) -> Vec<Tok> {
        let mut lx = Lexer::new(input);
        let mut out = Vec::new();
        loop {
            let t = lx.next_token().unwrap();
            if t.tok == Tok::Eof {
                return out;
            }
            out.push(t.tok);
        }
    }

    #[test]
    fn splits_words_brackets_and_strings() {
        assert_eq!(
            all(r#"emails[type eq "w\"o\u00e9"].value"#),
            vec![
                Tok::Word("emails".into()),
                Tok::LBracket,
                Tok::Word("type".into()),
                Tok::Word("eq".into()),
                Tok::Str("w\"oé".into()),
                Tok::RBracket,
                Tok::Word(".value".into()),
            ]
        );
    }

    #[test]
    fn offsets_are_bytes() {
        let mut lx = Lexer::new("  é eq");
        let t = lx.next_token().unwrap();
        assert_eq!((t.at, t.end), (2, 4));
        let t = lx.next_token().unwrap();
        assert_eq!((t.at, t.end), (5, 7));
    }

    #[test]
    fn value_mode_takes_unquoted_runs() {
        let mut lx = Lexer::new("eq a(b)c) rest");
        lx.next_token().unwrap();
        lx.peek().unwrap();
        let v = lx.value().unwrap();
        assert_eq!(v.tok, Tok::Word("a(b".into()));
        assert_eq!(lx.next_token().unwrap().tok, Tok::RParen);
    }

    #[test]
    fn value_mode_reads_single_quoted_strings_without_their_quotes() {
        let value = |text: &str| {
            let mut lx = Lexer::new(text);
            lx.value().map(|t| t.tok)
        };
        assert_eq!(
            value("'microsoftteams']"),
            Ok(Tok::Str("microsoftteams".into()))
        );
        assert_eq!(value("'Sales Team' and"), Ok(Tok::Str("Sales Team".into())));
        assert_eq!(value("'O''Brien'"), Ok(Tok::Str("O'Brien".into())));
        assert_eq!(value("''"), Ok(Tok::Str(String::new())));
        // Only a value that starts with a quote is quoted.
        assert_eq!(
            value("o'brien@x.org"),
            Ok(Tok::Word("o'brien@x.org".into()))
        );
        let err = value("'open").unwrap_err();
        assert!(err.reason.contains("single-quoted"), "{err}");
        let mut lx = Lexer::new("'a' rest");
        lx.value().unwrap();
        assert_eq!(lx.next_token().unwrap().tok, Tok::Word("rest".into()));
    }

    #[test]
    fn string_errors_carry_offsets() {
        let mut lx = Lexer::new(r#"x "abc"#);
        lx.next_token().unwrap();
        assert_eq!(
            lx.next_token().unwrap_err(),
            ParseError::new(2, "unterminated string")
        );
        let mut lx = Lexer::new(r#""a\qb""#);
        assert_eq!(lx.next_token().unwrap_err().at, 2);
        let mut lx = Lexer::new(r#""\ud800x""#);
        assert!(lx.next_token().is_err());
        let mut lx = Lexer::new(r#""\ud83d\ude00""#);
        assert_eq!(lx.next_token().unwrap().tok, Tok::Str("😀".into()));
    }
}
