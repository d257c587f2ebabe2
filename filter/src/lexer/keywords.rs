//! The reserved words of each dialect and the SQL92 string-match operators.

use sqlparser::keywords::Keyword;

use crate::filter::Dialect;

/// The `sqlparser` keyword of `word` when it is reserved in `dialect`, else `Keyword::NoKeyword`.
pub(crate) fn reserved_keyword(dialect: Dialect, word: &str) -> Keyword {
    let is = |name: &str| word.eq_ignore_ascii_case(name);
    let jms = dialect == Dialect::Jms;
    match word.len() {
        2 if is("OR") => Keyword::OR,
        2 if is("IN") => Keyword::IN,
        2 if is("IS") => Keyword::IS,
        3 if is("NOT") => Keyword::NOT,
        3 if is("AND") => Keyword::AND,
        4 if is("TRUE") => Keyword::TRUE,
        4 if is("NULL") => Keyword::NULL,
        4 if jms && is("LIKE") => Keyword::LIKE,
        5 if is("FALSE") => Keyword::FALSE,
        6 if jms && is("ESCAPE") => Keyword::ESCAPE,
        7 if is("BETWEEN") => Keyword::BETWEEN,
        _ => Keyword::NoKeyword,
    }
}

/// The canonical name when `word` is one of SQL92's CONTAINS / STARTSWITH / ENDSWITH.
pub(super) fn text_operator(word: &str) -> Option<&'static str> {
    ["CONTAINS", "STARTSWITH", "ENDSWITH"]
        .into_iter()
        .find(|op| op.eq_ignore_ascii_case(word))
}
