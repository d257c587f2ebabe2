//! Turns selector text into `sqlparser` tokens using the upstream (JavaCC) token rules of each dialect.
//!
//! Why not `sqlparser`'s own tokenizer: RocketMQ's lexer differs in ways that change which subscriptions
//! are accepted, and no `Dialect` hook can express them:
//! - it is *lazy*: the parser pulls one token past the end of the expression and never looks further, so
//!   `a = 'x' garbage 'unterminated` is accepted while `a = 'x' "` is rejected. We lex eagerly, stop at the
//!   first lexical error and leave a sentinel token ([`is_lexical_error`]) there; it is an error only if the
//!   parser actually looks at it (see `crate::parse`);
//! - tokens split differently: `=>` is `=` `>`, `!=` and `"` are errors, `--` starts a comment only when a
//!   line break ends it (otherwise it is two minus signs), `007` is three literals, `1.5L` is a float and an
//!   identifier;
//! - identifiers are `[A-Za-z_$][A-Za-z0-9_$]*` (JMS: Java identifier characters), and only the dialect's
//!   reserved words are keywords: `any`, `select` or `interval` are plain property names.
//!
//! Words that are reserved in the dialect carry their `sqlparser` [`Keyword`] so the parser's built-in
//! infix rules (`IS [NOT] NULL`, `[NOT] BETWEEN`, `[NOT] IN`, `[NOT] LIKE … ESCAPE`) apply; every other
//! word has `Keyword::NoKeyword`. SQL92's `[NOT] CONTAINS|STARTSWITH|ENDSWITH` become one
//! `Token::CustomBinaryOperator` so the parser handles them as an ordinary binary operator.

mod keywords;
#[cfg(test)]
mod tests;

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Location, Span, Token, TokenWithSpan, Word};

use crate::error::{FilterError, Position};
use crate::filter::Dialect;
use keywords::{reserved_keyword, text_operator};

/// Tokens of one expression, always ending with [`Token::EOF`].
pub(crate) struct Lexed {
    pub tokens: Vec<TokenWithSpan>,
    /// The first lexical error; `tokens` stops with a sentinel at its position.
    pub error: Option<LexicalError>,
}

#[derive(Debug, Clone)]
pub(crate) struct LexicalError {
    pub at: Position,
    pub message: String,
}

impl LexicalError {
    pub fn into_filter_error(self) -> FilterError {
        FilterError::syntax(self.at, self.message)
    }
}

/// The token left where lexing failed. Our lexer never produces `Token::Char` otherwise.
const SENTINEL: Token = Token::Char('\u{0}');

pub(crate) fn is_lexical_error(token: &Token) -> bool {
    matches!(token, Token::Char(_))
}

pub(crate) fn lex(dialect: Dialect, text: &str, max_tokens: usize) -> Result<Lexed, FilterError> {
    let mut lexer = Lexer {
        dialect,
        text,
        pos: 0,
        line: 1,
        column: 1,
        tokens: Vec::with_capacity(text.len() / 3 + 2),
        max_tokens,
        no_line_break_from: usize::MAX,
        no_comment_end_from: usize::MAX,
    };
    let error = lexer.run()?;
    let end = lexer.location();
    lexer
        .tokens
        .push(TokenWithSpan::new(Token::EOF, Span::new(end, end)));
    Ok(Lexed {
        tokens: lexer.tokens,
        error,
    })
}

struct Lexer<'t> {
    dialect: Dialect,
    text: &'t str,
    /// Byte offset of the next character.
    pos: usize,
    line: u64,
    column: u64,
    tokens: Vec<TokenWithSpan>,
    max_tokens: usize,
    /// Byte offset from which the text is known to hold no line break (so `--` there is not a comment).
    /// Remembering it keeps lexing linear on input like `- - - -` written as `----…`.
    no_line_break_from: usize,
    /// Byte offset from which the text is known to hold no `*/`.
    no_comment_end_from: usize,
}

impl<'t> Lexer<'t> {
    fn location(&self) -> Location {
        Location::new(self.line, self.column)
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn peek_at(&self, byte_offset: usize) -> Option<char> {
        self.text.get(self.pos + byte_offset..)?.chars().next()
    }

    /// Advances over `bytes` bytes of ASCII text (never a line break).
    fn bump_ascii(&mut self, bytes: usize) {
        self.pos += bytes;
        self.column += bytes as u64;
    }

    fn push(&mut self, token: Token, start: Location) -> Result<(), FilterError> {
        if self.tokens.len() >= self.max_tokens {
            return Err(FilterError::TooManyTokens {
                max: self.max_tokens,
            });
        }
        let end = self.location();
        self.tokens
            .push(TokenWithSpan::new(token, Span::new(start, end)));
        Ok(())
    }

    /// Lexes everything up to the end or the first lexical error, which is returned.
    fn run(&mut self) -> Result<Option<LexicalError>, FilterError> {
        loop {
            self.skip_blanks();
            let start = self.location();
            let Some(c) = self.peek() else {
                return Ok(None);
            };
            let token = match c {
                '\'' => match self.string() {
                    Some(s) => Token::SingleQuotedString(s),
                    None => return self.fail(start, "unterminated string literal"),
                },
                '0'..='9' => self.number(),
                '.' if self.peek_at(1).is_some_and(|d| d.is_ascii_digit()) => self.number(),
                c if self.is_ident_start(c) => self.word(),
                _ => match self.operator(c) {
                    Some(token) => token,
                    None => {
                        let message = match c {
                            '"' => {
                                "unexpected '\"': quoted identifiers are not supported".to_owned()
                            }
                            '!' if self.peek_at(1) == Some('=') => {
                                "unexpected '!=': the not-equal operator is '<>'".to_owned()
                            }
                            '.' => "unexpected '.': property names cannot contain dots".to_owned(),
                            c => format!("unexpected character {c:?}"),
                        };
                        return self.fail(start, message);
                    }
                },
            };
            self.push(token, start)?;
        }
    }

    fn fail(
        &mut self,
        start: Location,
        message: impl Into<String>,
    ) -> Result<Option<LexicalError>, FilterError> {
        self.push(SENTINEL, start)?;
        Ok(Some(LexicalError {
            at: Position::new(start.line, start.column),
            message: message.into(),
        }))
    }

    /// Skips white space (space, tab, CR, LF, FF) and comments. `-- …` is a comment only when a line
    /// break ends it; `/* …` without `*/` is not a comment (the lexer then sees `/`).
    fn skip_blanks(&mut self) {
        loop {
            let rest = &self.text[self.pos..];
            match rest.as_bytes().first() {
                Some(b' ' | b'\t' | b'\r' | b'\n' | b'\x0c') => self.advance(1),
                Some(b'-') if rest.starts_with("--") => {
                    if self.pos >= self.no_line_break_from {
                        return;
                    }
                    let Some(end) = rest.find(['\n', '\r']) else {
                        self.no_line_break_from = self.pos;
                        return;
                    };
                    self.advance(end + 1);
                }
                Some(b'/') if rest.starts_with("/*") => {
                    if self.pos >= self.no_comment_end_from {
                        return;
                    }
                    let Some(end) = rest[2..].find("*/") else {
                        self.no_comment_end_from = self.pos;
                        return;
                    };
                    self.advance(end + 4);
                }
                _ => return,
            }
        }
    }

    /// A `'…'` literal with `''` standing for one quote. `None` when unterminated.
    fn string(&mut self) -> Option<String> {
        let rest = &self.text[self.pos + 1..];
        let mut value = String::new();
        let mut i = 0;
        loop {
            let quote = rest[i..].find('\'')?;
            value.push_str(&rest[i..i + quote]);
            if rest[i + quote + 1..].starts_with('\'') {
                value.push('\'');
                i += quote + 2;
            } else {
                self.advance(1 + i + quote + 1);
                return Some(value);
            }
        }
    }

    /// The longest numeric literal at the cursor (JavaCC picks the longest match):
    /// `DECIMAL = 0 | [1-9][0-9]*[lL]?` (JMS adds `0[xX][0-9a-fA-F]+` and octal `0[0-7]*`), and
    /// `FLOAT = [0-9]+ . [0-9]* EXP? | . [0-9]+ EXP? | [0-9]+ EXP`, `EXP = [eE][+-]?[0-9]+`.
    /// Produces `Number(text, long)`; `text` keeps the literal's spelling without the `L` suffix.
    fn number(&mut self) -> Token {
        let b = &self.text.as_bytes()[self.pos..];
        let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
        let exponent = |from: usize| -> usize {
            if from < b.len() && (b[from] == b'e' || b[from] == b'E') {
                let mut i = from + 1;
                if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                    i += 1;
                }
                let n = digits(i);
                if n > 0 {
                    return i + n - from;
                }
            }
            0
        };
        // Floating-point candidate.
        let int_digits = digits(0);
        let float_len = if int_digits > 0 && b.get(int_digits) == Some(&b'.') {
            let frac = digits(int_digits + 1);
            let end = int_digits + 1 + frac;
            end + exponent(end)
        } else if int_digits == 0 {
            // ".digits" (the caller checked a digit follows the dot)
            let frac = digits(1);
            1 + frac + exponent(1 + frac)
        } else {
            let e = exponent(int_digits);
            if e > 0 {
                int_digits + e
            } else {
                0
            }
        };
        // Integer candidate.
        let (int_len, long) = if int_digits == 0 {
            (0, false)
        } else if b[0] == b'0' {
            match self.dialect {
                Dialect::Sql92 => (1, false),
                Dialect::Jms => {
                    let hex = if b.len() > 2 && (b[1] == b'x' || b[1] == b'X') {
                        b[2..].iter().take_while(|c| c.is_ascii_hexdigit()).count()
                    } else {
                        0
                    };
                    if hex > 0 {
                        (2 + hex, false)
                    } else {
                        (
                            1 + b[1..]
                                .iter()
                                .take_while(|c| (b'0'..=b'7').contains(c))
                                .count(),
                            false,
                        )
                    }
                }
            }
        } else if matches!(b.get(int_digits), Some(b'l' | b'L')) {
            (int_digits + 1, true)
        } else {
            (int_digits, false)
        };
        if float_len > int_len {
            let text = self.text[self.pos..self.pos + float_len].to_owned();
            self.bump_ascii(float_len);
            Token::Number(text, false)
        } else {
            let spelled = if long { int_len - 1 } else { int_len };
            let text = self.text[self.pos..self.pos + spelled].to_owned();
            self.bump_ascii(int_len);
            Token::Number(text, long)
        }
    }

    fn is_ident_start(&self, c: char) -> bool {
        match self.dialect {
            Dialect::Sql92 => c.is_ascii_alphabetic() || c == '_' || c == '$',
            Dialect::Jms => c.is_alphabetic() || c == '_' || c == '$',
        }
    }

    fn is_ident_part(&self, c: char) -> bool {
        match self.dialect {
            Dialect::Sql92 => c.is_ascii_alphanumeric() || c == '_' || c == '$',
            Dialect::Jms => c.is_alphanumeric() || c == '_' || c == '$',
        }
    }

    fn scan_word(&self, from: usize) -> &'t str {
        let rest = &self.text[from..];
        let ascii_part = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$';
        let ascii_len = rest.bytes().take_while(ascii_part).count();
        let len = match (self.dialect, rest.as_bytes().get(ascii_len)) {
            // The word ends on an ASCII byte that cannot continue it (or at the end).
            (Dialect::Sql92, _) | (_, None) => ascii_len,
            (_, Some(b)) if b.is_ascii() => ascii_len,
            _ => rest
                .char_indices()
                .find(|&(_, c)| !self.is_ident_part(c))
                .map_or(rest.len(), |(i, _)| i),
        };
        &rest[..len]
    }

    /// Advances over the next `bytes` bytes (a whole number of characters), keeping line and column.
    fn advance(&mut self, bytes: usize) {
        let s = &self.text.as_bytes()[self.pos..self.pos + bytes];
        if s.is_ascii() && !s.contains(&b'\n') {
            self.column += bytes as u64;
        } else {
            let s = &self.text[self.pos..self.pos + bytes];
            match s.rfind('\n') {
                None => self.column += s.chars().count() as u64,
                Some(last) => {
                    self.line += s.bytes().filter(|&b| b == b'\n').count() as u64;
                    self.column = 1 + s[last + 1..].chars().count() as u64;
                }
            }
        }
        self.pos += bytes;
    }

    fn word(&mut self) -> Token {
        let text = self.scan_word(self.pos);
        self.advance(text.len());
        let keyword = reserved_keyword(self.dialect, text);
        if self.dialect == Dialect::Sql92 {
            if let Some(op) = text_operator(text) {
                return Token::CustomBinaryOperator(op.to_owned());
            }
            if keyword == Keyword::NOT {
                if let Some(token) = self.not_text_operator() {
                    return token;
                }
            }
        }
        Token::Word(Word {
            value: text.to_owned(),
            quote_style: None,
            keyword,
        })
    }

    /// After `NOT`: if the next token is CONTAINS/STARTSWITH/ENDSWITH, consumes it and returns the
    /// combined operator.
    fn not_text_operator(&mut self) -> Option<Token> {
        let saved = (self.pos, self.line, self.column);
        self.skip_blanks();
        if let Some(c) = self.peek() {
            if self.is_ident_start(c) {
                let next = self.scan_word(self.pos);
                if let Some(op) = text_operator(next) {
                    self.advance(next.len());
                    return Some(Token::CustomBinaryOperator(format!("NOT {op}")));
                }
            }
        }
        (self.pos, self.line, self.column) = saved;
        None
    }

    fn operator(&mut self, c: char) -> Option<Token> {
        let next = self.peek_at(1);
        let (token, len) = match c {
            '=' => (Token::Eq, 1),
            '<' => match next {
                Some('>') => (Token::Neq, 2),
                Some('=') => (Token::LtEq, 2),
                _ => (Token::Lt, 1),
            },
            '>' => match next {
                Some('=') => (Token::GtEq, 2),
                _ => (Token::Gt, 1),
            },
            '(' => (Token::LParen, 1),
            ')' => (Token::RParen, 1),
            ',' => (Token::Comma, 1),
            '+' => (Token::Plus, 1),
            '-' => (Token::Minus, 1),
            '*' if self.dialect == Dialect::Jms => (Token::Mul, 1),
            '/' if self.dialect == Dialect::Jms => (Token::Div, 1),
            '%' if self.dialect == Dialect::Jms => (Token::Mod, 1),
            _ => return None,
        };
        self.bump_ascii(len);
        Some(token)
    }
}
