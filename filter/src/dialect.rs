//! The `sqlparser` dialect for each selector language: operator precedence and prefix (operand) rules.
//!
//! The grammar follows upstream's JavaCC grammars level by level (lowest first):
//!
//! | level | SQL92 (RocketMQ) | JMS (ActiveMQ / Artemis) |
//! |---|---|---|
//! | OR | `OR` | `OR` |
//! | AND | `AND` | `AND` |
//! | equality | `=`, `<>`, `IS [NOT] NULL` | same |
//! | comparison | `> >= < <=`, `[NOT] CONTAINS/STARTSWITH/ENDSWITH 'lit'`, `[NOT] BETWEEN`, `[NOT] IN ('lit', …)` | `> >= < <=`, `[NOT] LIKE 'lit' [ESCAPE 'c']`, `[NOT] BETWEEN`, `[NOT] IN` |
//! | additive | – | `+ -` |
//! | multiplicative | – | `* / %` |
//! | unary | `+ - NOT` | `+ - NOT` |
//!
//! `NOT` is a *unary* operator in both upstream grammars, binding tighter than `=`: `NOT a = '1'` is
//! `(NOT a) = '1'`. All binary levels are left-associative. The infix side is `sqlparser`'s own
//! (`Parser::parse_infix`): it only ever sees tokens this dialect gives a precedence to, and the lexer marks
//! only the dialect's reserved words as keywords, so none of its other SQL constructs can trigger.
//!
//! The SQL92 string-match operators arrive as one `CustomBinaryOperator` token (see `crate::lexer`) instead
//! of going through `Dialect::parse_infix`: that hook only borrows the left operand, so building the node
//! there would clone the whole left-hand side at every operator. The hook is used for `[NOT] IN` only,
//! whose left operand must be a single property anyway.

use sqlparser::ast::{Expr, Ident, UnaryOperator, Value, ValueWithSpan};
use sqlparser::dialect::{Dialect as SqlDialect, Precedence};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Token, TokenWithSpan};

use crate::filter::Dialect;
use crate::lexer::is_lexical_error;
use crate::stack::StackBudget;

const OR: u8 = 5;
const AND: u8 = 10;
const EQUALITY: u8 = 20;
const COMPARISON: u8 = 30;
const ADDITIVE: u8 = 40;
const MULTIPLICATIVE: u8 = 50;
/// Operand of a unary operator: no binary operator binds tighter.
const UNARY: u8 = 60;

/// `sqlparser` dialect for one selector language.
#[derive(Debug)]
pub(crate) struct SelectorDialect {
    pub dialect: Dialect,
    pub stack: StackBudget,
}

/// Builds a parser error carrying the position, in the form `sqlparser` uses (`… at Line: l, Column: c`).
pub(crate) fn error_at(message: impl std::fmt::Display, at: Location) -> ParserError {
    ParserError::ParserError(format!("{message}{at}"))
}

/// Message for the sentinel token the lexer leaves at a lexical error; `crate::parse` replaces it with
/// the lexer's own message.
pub(crate) const LEXICAL_ERROR: &str = "lexical error";

fn describe(token: &Token) -> String {
    match token {
        Token::EOF => "end of input".to_owned(),
        Token::Word(w) => format!("'{}'", w.value),
        Token::SingleQuotedString(s) => format!("string '{s}'"),
        Token::Number(s, _) => format!("number {s}"),
        Token::CustomBinaryOperator(op) => op.clone(),
        other => format!("'{other}'"),
    }
}

impl SelectorDialect {
    fn is_jms(&self) -> bool {
        self.dialect == Dialect::Jms
    }

    fn next_precedence(&self, parser: &Parser) -> Result<u8, ParserError> {
        let token = parser.peek_token_ref();
        let precedence = match &token.token {
            Token::Word(w) => match w.keyword {
                Keyword::OR => OR,
                Keyword::AND => AND,
                Keyword::IS => EQUALITY,
                Keyword::BETWEEN | Keyword::IN => COMPARISON,
                Keyword::LIKE if self.is_jms() => COMPARISON,
                Keyword::NOT => return self.not_precedence(parser, token),
                _ => 0,
            },
            Token::Eq | Token::Neq => EQUALITY,
            Token::Lt | Token::LtEq | Token::Gt | Token::GtEq => COMPARISON,
            Token::CustomBinaryOperator(_) => COMPARISON,
            Token::Plus | Token::Minus if self.is_jms() => ADDITIVE,
            Token::Mul | Token::Div | Token::Mod if self.is_jms() => MULTIPLICATIVE,
            t if is_lexical_error(t) => return Err(error_at(LEXICAL_ERROR, token.span.start)),
            _ => 0,
        };
        Ok(precedence)
    }

    /// `NOT` after an operand starts `NOT BETWEEN`, `NOT IN` (or JMS `NOT LIKE`); upstream parsers commit
    /// to the comparison rule on seeing `NOT` there, so anything else after it is an error.
    fn not_precedence(&self, parser: &Parser, not: &TokenWithSpan) -> Result<u8, ParserError> {
        let next = parser.peek_nth_token_ref(1);
        match &next.token {
            Token::Word(w) if matches!(w.keyword, Keyword::BETWEEN | Keyword::IN) => Ok(COMPARISON),
            Token::Word(w) if w.keyword == Keyword::LIKE && self.is_jms() => Ok(COMPARISON),
            t if is_lexical_error(t) => Err(error_at(LEXICAL_ERROR, next.span.start)),
            t => {
                let expected = if self.is_jms() {
                    "LIKE, BETWEEN or IN"
                } else {
                    "CONTAINS, STARTSWITH, ENDSWITH, BETWEEN or IN"
                };
                Err(error_at(
                    format!("expected {expected} after NOT, found {}", describe(t)),
                    not.span.start,
                ))
            }
        }
    }

    /// An operand: literal, property, parenthesised expression, or a unary operator applied to one.
    /// Every nesting level passes through here, so this is where the stack is grown on demand before
    /// recursing (`sqlparser` 0.59 does not protect `parse_subexpr`; its recursion limit bounds the
    /// depth). See `crate::stack`.
    fn prefix(&self, parser: &mut Parser) -> Result<Expr, ParserError> {
        let recurses = match &parser.peek_token_ref().token {
            Token::LParen | Token::Minus | Token::Plus => true,
            Token::Word(w) => w.keyword == Keyword::NOT,
            _ => false,
        };
        if recurses {
            self.stack.run(|| self.operand(parser))
        } else {
            self.operand(parser)
        }
    }

    fn operand(&self, parser: &mut Parser) -> Result<Expr, ParserError> {
        let TokenWithSpan { token, span } = parser.next_token();
        let value = |value: Value| Ok(Expr::Value(ValueWithSpan { value, span }));
        match token {
            Token::Word(w) => match w.keyword {
                Keyword::NoKeyword => Ok(Expr::Identifier(Ident {
                    value: w.value,
                    quote_style: None,
                    span,
                })),
                Keyword::TRUE => value(Value::Boolean(true)),
                Keyword::FALSE => value(Value::Boolean(false)),
                Keyword::NULL => value(Value::Null),
                Keyword::NOT => self.unary(parser, UnaryOperator::Not),
                _ => Err(error_at(
                    format!(
                        "expected an operand, found reserved word {}",
                        w.value.to_uppercase()
                    ),
                    span.start,
                )),
            },
            Token::Number(text, long) => value(Value::Number(text, long)),
            Token::SingleQuotedString(s) => value(Value::SingleQuotedString(s)),
            Token::Minus => self.unary(parser, UnaryOperator::Minus),
            Token::Plus => self.unary(parser, UnaryOperator::Plus),
            Token::LParen => {
                let inner = parser.parse_expr()?;
                parser.expect_token(&Token::RParen)?;
                Ok(Expr::Nested(Box::new(inner)))
            }
            t if is_lexical_error(&t) => Err(error_at(LEXICAL_ERROR, span.start)),
            t => Err(error_at(
                format!("expected an operand, found {}", describe(&t)),
                span.start,
            )),
        }
    }

    /// `[NOT] IN ('a', 'b', …)`, parsed here rather than by `sqlparser` so that the list holds string
    /// literal tokens only, exactly as the upstream grammars require (and without `sqlparser` first trying
    /// to read a subquery). Upstream also rejects any left operand but a property; checking that before
    /// copying the operand keeps the copy small.
    fn in_list(
        &self,
        parser: &mut Parser,
        left: &Expr,
        negated: bool,
    ) -> Result<Expr, ParserError> {
        let in_token = parser.peek_token_ref().span.start;
        let mut operand = left;
        while let Expr::Nested(inner)
        | Expr::UnaryOp {
            op: UnaryOperator::Plus,
            expr: inner,
        } = operand
        {
            operand = inner;
        }
        if !matches!(operand, Expr::Identifier(_)) {
            return Err(error_at(
                "the left side of IN must be a property name",
                in_token,
            ));
        }
        if negated {
            parser.advance_token();
        }
        parser.advance_token();
        parser.expect_token(&Token::LParen)?;
        let mut list = Vec::new();
        loop {
            let TokenWithSpan { token, span } = parser.next_token();
            match token {
                Token::SingleQuotedString(s) => list.push(Expr::Value(ValueWithSpan {
                    value: Value::SingleQuotedString(s),
                    span,
                })),
                t if is_lexical_error(&t) => return Err(error_at(LEXICAL_ERROR, span.start)),
                t => {
                    return Err(error_at(
                        format!(
                            "expected a string literal in the IN list, found {}",
                            describe(&t)
                        ),
                        span.start,
                    ))
                }
            }
            let next = parser.next_token();
            match next.token {
                Token::Comma => {}
                Token::RParen => break,
                t if is_lexical_error(&t) => return Err(error_at(LEXICAL_ERROR, next.span.start)),
                t => {
                    return Err(error_at(
                        format!("expected ',' or ')' in the IN list, found {}", describe(&t)),
                        next.span.start,
                    ))
                }
            }
        }
        Ok(Expr::InList {
            expr: Box::new(operand.clone()),
            list,
            negated,
        })
    }

    fn unary(&self, parser: &mut Parser, op: UnaryOperator) -> Result<Expr, ParserError> {
        let operand = parser.parse_subexpr(UNARY)?;
        Ok(Expr::UnaryOp {
            op,
            expr: Box::new(operand),
        })
    }
}

impl SqlDialect for SelectorDialect {
    fn is_identifier_start(&self, ch: char) -> bool {
        match self.dialect {
            Dialect::Sql92 => ch.is_ascii_alphabetic() || ch == '_' || ch == '$',
            Dialect::Jms => ch.is_alphabetic() || ch == '_' || ch == '$',
        }
    }

    fn is_identifier_part(&self, ch: char) -> bool {
        self.is_identifier_start(ch) || ch.is_ascii_digit() || (self.is_jms() && ch.is_numeric())
    }

    fn is_delimited_identifier_start(&self, _ch: char) -> bool {
        false
    }

    fn supports_boolean_literals(&self) -> bool {
        true
    }

    fn prec_value(&self, prec: Precedence) -> u8 {
        match prec {
            Precedence::Or => OR,
            Precedence::And => AND,
            Precedence::Eq | Precedence::Is => EQUALITY,
            // BETWEEN bounds and LIKE patterns are parsed at comparison level.
            Precedence::Between | Precedence::Like => COMPARISON,
            Precedence::PlusMinus => ADDITIVE,
            Precedence::MulDivModOp => MULTIPLICATIVE,
            _ => UNARY,
        }
    }

    fn prec_unknown(&self) -> u8 {
        0
    }

    fn get_next_precedence(&self, parser: &Parser) -> Option<Result<u8, ParserError>> {
        Some(self.next_precedence(parser))
    }

    fn parse_prefix(&self, parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
        Some(self.prefix(parser))
    }

    fn parse_infix(
        &self,
        parser: &mut Parser,
        expr: &Expr,
        _precedence: u8,
    ) -> Option<Result<Expr, ParserError>> {
        let is_in = |t: &Token| matches!(t, Token::Word(w) if w.keyword == Keyword::IN);
        let negated = match &parser.peek_token_ref().token {
            t if is_in(t) => false,
            Token::Word(w)
                if w.keyword == Keyword::NOT && is_in(&parser.peek_nth_token_ref(1).token) =>
            {
                true
            }
            _ => return None,
        };
        Some(self.in_list(parser, expr, negated))
    }
}
