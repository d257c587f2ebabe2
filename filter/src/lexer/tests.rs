//! Token-level tests of the selector lexer.

use super::*;

fn kinds(dialect: Dialect, text: &str) -> Vec<String> {
    let lexed = lex(dialect, text, 1000).expect("within limits");
    lexed
        .tokens
        .iter()
        .map(|t| match &t.token {
            Token::Word(w) if w.keyword == Keyword::NoKeyword => format!("id:{}", w.value),
            Token::Word(w) => format!("kw:{:?}", w.keyword),
            Token::Number(s, l) => format!("num:{s}{}", if *l { "L" } else { "" }),
            Token::SingleQuotedString(s) => format!("str:{s}"),
            Token::CustomBinaryOperator(s) => format!("op:{s}"),
            t if is_lexical_error(t) => "ERR".to_owned(),
            t => t.to_string(),
        })
        .collect()
}

#[test]
fn sql92_numbers_follow_javacc_longest_match() {
    assert_eq!(
        kinds(Dialect::Sql92, "007"),
        ["num:0", "num:0", "num:7", "EOF"]
    );
    assert_eq!(
        kinds(Dialect::Sql92, "1L 1.5L"),
        ["num:1L", "num:1.5", "id:L", "EOF"]
    );
    assert_eq!(
        kinds(Dialect::Sql92, ".5 5. 1e5 1E+5 1e"),
        ["num:.5", "num:5.", "num:1e5", "num:1E+5", "num:1", "id:e", "EOF"]
    );
    assert_eq!(kinds(Dialect::Sql92, "0x1F"), ["num:0", "id:x1F", "EOF"]);
}

#[test]
fn jms_reads_hex_and_octal_literals() {
    assert_eq!(
        kinds(Dialect::Jms, "0x1F 017 0 08"),
        ["num:0x1F", "num:017", "num:0", "num:0", "num:8", "EOF"]
    );
}

#[test]
fn line_comment_needs_a_line_break() {
    assert_eq!(kinds(Dialect::Sql92, "a -- c\nb"), ["id:a", "id:b", "EOF"]);
    assert_eq!(
        kinds(Dialect::Sql92, "a -- c"),
        ["id:a", "-", "-", "id:c", "EOF"]
    );
}

#[test]
fn unterminated_block_comment_is_not_a_comment() {
    assert_eq!(
        kinds(Dialect::Sql92, "a /* x */ b"),
        ["id:a", "id:b", "EOF"]
    );
    assert_eq!(kinds(Dialect::Sql92, "a /* x"), ["id:a", "ERR", "EOF"]);
    assert_eq!(
        kinds(Dialect::Jms, "a /* x"),
        ["id:a", "/", "*", "id:x", "EOF"]
    );
}

#[test]
fn lexing_stops_at_the_first_error() {
    let lexed = lex(Dialect::Sql92, "a = 'x' my.prop", 100).expect("lexes");
    let err = lexed.error.expect("dot is an error");
    assert_eq!(err.at, Position::new(1, 11));
    assert_eq!(kinds(Dialect::Sql92, "a != 1"), ["id:a", "ERR", "EOF"]);
    assert_eq!(kinds(Dialect::Sql92, "\"a\""), ["ERR", "EOF"]);
}

#[test]
fn only_dialect_keywords_are_reserved() {
    assert_eq!(
        kinds(Dialect::Sql92, "like any In"),
        ["id:like", "id:any", "kw:IN", "EOF"]
    );
    assert_eq!(
        kinds(Dialect::Jms, "like contains"),
        ["kw:LIKE", "id:contains", "EOF"]
    );
}

#[test]
fn not_contains_becomes_one_operator() {
    assert_eq!(
        kinds(Dialect::Sql92, "a not /*c*/ Contains 'x'"),
        ["id:a", "op:NOT CONTAINS", "str:x", "EOF"]
    );
    assert_eq!(kinds(Dialect::Sql92, "not a"), ["kw:NOT", "id:a", "EOF"]);
}

#[test]
fn strings_unescape_doubled_quotes_and_keep_backslashes() {
    assert_eq!(
        kinds(Dialect::Sql92, r"'it''s\' 'x'"),
        [r"str:it's\", "str:x", "EOF"]
    );
    assert_eq!(kinds(Dialect::Sql92, "'open"), ["ERR", "EOF"]);
}

#[test]
fn token_limit_is_enforced() {
    assert!(matches!(
        lex(Dialect::Sql92, "a = 1 and b = 2", 5),
        Err(FilterError::TooManyTokens { max: 5 })
    ));
}
