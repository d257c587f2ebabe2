//! Text to `sqlparser` AST: limits, lexing, parsing with the selector dialect, and the end-of-input rule.
//!
//! End of input: JMS and strict SQL92 require the whole text to be one expression. Lax SQL92 reproduces
//! Apache RocketMQ, whose grammar stops at the first token it cannot use and ignores the rest
//! (`a = 'x' garbage` is `a = 'x'`, `a LIKE 'x%'` is the bare property `a`). RocketMQ's lexer does look at
//! that one token, so a *lexical* error right there still rejects the text (`a = 'x' !`).

use sqlparser::ast::Expr;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

use crate::dialect::{SelectorDialect, LEXICAL_ERROR};
use crate::error::{FilterError, Position};
use crate::filter::Dialect;
use crate::lexer::{is_lexical_error, lex, Lexed, LexicalError};
use crate::options::CompileOptions;
use crate::stack::StackBudget;

/// Parses `text` and hands the expression to `then` (the compiler), all within the stack reserve the
/// expression needs (see `crate::stack`). `None` for a JMS selector with no expression in it (select
/// everything).
pub(crate) fn parse_then<R>(
    dialect: Dialect,
    text: &str,
    opts: &CompileOptions,
    then: impl FnOnce(Expr, StackBudget) -> Result<R, FilterError>,
) -> Result<Option<R>, FilterError> {
    let limits = &opts.limits;
    if text.len() > limits.max_len {
        return Err(FilterError::TooLong {
            len: text.len(),
            max: limits.max_len,
        });
    }
    let lexed = lex(dialect, text, limits.max_tokens)?;
    if matches!(lexed.tokens.first().map(|t| &t.token), Some(Token::EOF)) {
        return match dialect {
            Dialect::Sql92 => Err(FilterError::Empty),
            Dialect::Jms => Ok(None),
        };
    }
    let stack = StackBudget::for_tokens(lexed.tokens.len());
    stack.run(|| {
        let expr = parse_tokens(dialect, lexed, opts, stack)?;
        then(expr, stack).map(Some)
    })
}

fn parse_tokens(
    dialect: Dialect,
    lexed: Lexed,
    opts: &CompileOptions,
    stack: StackBudget,
) -> Result<Expr, FilterError> {
    let depth = opts.limits.depth();
    let lexical = lexed.error;
    let sql_dialect = SelectorDialect { dialect, stack };
    let mut parser = Parser::new(&sql_dialect)
        .with_recursion_limit(depth)
        .with_tokens_with_locations(lexed.tokens);
    let expr = match parser.parse_expr() {
        Ok(expr) => expr,
        Err(e) => return Err(convert(e, lexical, depth)),
    };
    let next = parser.peek_token_ref();
    if is_lexical_error(&next.token) {
        return Err(lexical_or(
            lexical,
            next.span.start.line,
            next.span.start.column,
        ));
    }
    let strict = opts.strict || dialect == Dialect::Jms;
    if strict && next.token != Token::EOF {
        let at = Position::new(next.span.start.line, next.span.start.column);
        let message = format!(
            "unexpected '{}' after the end of the expression",
            next.token
        );
        return Err(FilterError::syntax(at, message));
    }
    Ok(expr)
}

fn lexical_or(lexical: Option<LexicalError>, line: u64, column: u64) -> FilterError {
    match lexical {
        Some(e) => e.into_filter_error(),
        None => FilterError::syntax(Position::new(line, column), "unexpected character"),
    }
}

/// Turns a `sqlparser` error (`Expected: X, found: Y at Line: l, Column: c`) into a [`FilterError`].
fn convert(error: ParserError, lexical: Option<LexicalError>, depth: usize) -> FilterError {
    let text = match error {
        ParserError::RecursionLimitExceeded => return FilterError::TooDeep { max: depth },
        ParserError::ParserError(text) | ParserError::TokenizerError(text) => text,
    };
    let (message, at) = split_location(&text);
    if let (Some(lexical), Some(at)) = (&lexical, at) {
        // The parser stopped at or after the sentinel: the real problem is lexical.
        if message == LEXICAL_ERROR || (at.line, at.column) >= (lexical.at.line, lexical.at.column)
        {
            return lexical.clone().into_filter_error();
        }
    }
    let at = at.unwrap_or(Position::new(1, 1));
    FilterError::syntax(at, humanize(message))
}

fn split_location(text: &str) -> (&str, Option<Position>) {
    let Some(i) = text.rfind(" at Line: ") else {
        return (text, None);
    };
    let (message, location) = text.split_at(i);
    let location = &location[" at Line: ".len()..];
    let parsed = location
        .split_once(", Column: ")
        .and_then(|(line, column)| {
            Some(Position::new(
                line.trim().parse().ok()?,
                column.trim().parse().ok()?,
            ))
        });
    match parsed {
        Some(at) => (message, Some(at)),
        None => (text, None),
    }
}

/// `Expected: ), found: EOF` → `expected ')', found end of input`.
fn humanize(message: &str) -> String {
    let Some(rest) = message.strip_prefix("Expected: ") else {
        return message.to_owned();
    };
    let Some((expected, found)) = rest.split_once(", found: ") else {
        return format!("expected {rest}");
    };
    let found = if found == "EOF" {
        "end of input".to_owned()
    } else {
        format!("'{found}'")
    };
    let expected = match expected {
        ")" | "(" | "," => format!("'{expected}'"),
        other => other.to_owned(),
    };
    format!("expected {expected}, found {found}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(
        dialect: Dialect,
        text: &str,
        opts: &CompileOptions,
    ) -> Result<Option<Expr>, FilterError> {
        parse_then(dialect, text, opts, |expr, _| Ok(expr))
    }

    fn parse_err(dialect: Dialect, strict: bool, text: &str) -> FilterError {
        parse(dialect, text, &CompileOptions::strict(strict)).expect_err("must be rejected")
    }

    #[test]
    fn lax_sql92_ignores_trailing_tokens() {
        let opts = CompileOptions::default();
        for text in [
            "a = 'x' garbage here",
            "a = 'x' ) junk",
            "a LIKE 'x%'",
            "a = 'x' junk \"q",
        ] {
            let expr = parse(Dialect::Sql92, text, &opts)
                .expect("accepted")
                .expect("an expression");
            assert!(!expr.to_string().is_empty());
        }
    }

    #[test]
    fn strict_sql92_and_jms_reject_trailing_tokens() {
        let e = parse_err(Dialect::Sql92, true, "a = 'x' garbage");
        assert_eq!(
            e.to_string(),
            "column 9: unexpected 'garbage' after the end of the expression"
        );
        parse_err(Dialect::Jms, false, "a = 'x' garbage");
    }

    #[test]
    fn lexical_error_in_the_lookahead_token_rejects_even_in_lax_mode() {
        parse_err(Dialect::Sql92, false, "a = 'x' \"q");
        let e = parse_err(Dialect::Sql92, false, "my.prop = 'x'");
        assert_eq!(
            e.to_string(),
            "column 3: unexpected '.': property names cannot contain dots"
        );
        parse_err(Dialect::Sql92, false, "a = 'x' != 1");
    }

    #[test]
    fn missing_parenthesis_is_reported_with_its_position() {
        let e = parse_err(Dialect::Sql92, false, "(a = 'x'");
        assert_eq!(e.to_string(), "column 9: expected ')', found end of input");
    }

    #[test]
    fn empty_text_is_an_error_for_sql92_and_select_all_for_jms() {
        assert_eq!(
            parse_err(Dialect::Sql92, false, " /* */ "),
            FilterError::Empty
        );
        let none = parse(Dialect::Jms, "  ", &CompileOptions::default()).expect("accepted");
        assert!(none.is_none());
    }

    #[test]
    fn not_followed_by_an_unknown_word_is_an_error() {
        let e = parse_err(Dialect::Sql92, false, "a NOT LIKE 'x'");
        assert!(e.to_string().contains("after NOT"), "{e}");
    }
}
