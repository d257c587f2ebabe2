//! JMS `LIKE` patterns: `_` matches one character, `%` any run of characters, everything else itself.
//!
//! Escapes follow ActiveMQ/Artemis: the escape character makes the *next* character literal only when
//! that character is `_`, `%` or the escape character itself; anywhere else the escape character stands
//! for itself (and keeps its wildcard meaning if it is `_` or `%`). Matching is over Unicode scalar
//! values, like Java's regex `.` in DOTALL mode, and runs in O(pattern × text) worst case without
//! backtracking blow-up.

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(char),
    AnyOne,
    AnyRun,
}

/// A compiled LIKE pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LikePattern {
    pieces: Box<[Piece]>,
    /// Pattern without wildcards: plain string equality.
    exact: Option<Box<str>>,
}

impl LikePattern {
    pub fn new(pattern: &str, escape: Option<char>) -> Self {
        let chars: Vec<char> = pattern.chars().collect();
        let mut pieces = Vec::with_capacity(chars.len());
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let escapes_next = Some(c) == escape
                && chars
                    .get(i + 1)
                    .is_some_and(|&n| n == '_' || n == '%' || Some(n) == escape);
            if escapes_next {
                pieces.push(Piece::Literal(chars[i + 1]));
                i += 2;
                continue;
            }
            pieces.push(match c {
                '%' => Piece::AnyRun,
                '_' => Piece::AnyOne,
                c => Piece::Literal(c),
            });
            i += 1;
        }
        let exact = pieces
            .iter()
            .map(|p| match p {
                Piece::Literal(c) => Some(*c),
                _ => None,
            })
            .collect::<Option<String>>()
            .map(String::into_boxed_str);
        LikePattern {
            pieces: pieces.into_boxed_slice(),
            exact,
        }
    }

    pub fn matches(&self, text: &str) -> bool {
        if let Some(exact) = &self.exact {
            return **exact == *text;
        }
        let pieces = &self.pieces;
        // Greedy match with a single backtrack point at the last `%` (classic wildcard algorithm),
        // walking the text by byte offsets so matching never allocates.
        let (mut p, mut t) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while let Some(c) = text[t..].chars().next() {
            match pieces.get(p) {
                Some(Piece::AnyRun) => {
                    star = Some((p, t));
                    p += 1;
                }
                Some(Piece::AnyOne) => {
                    p += 1;
                    t += c.len_utf8();
                }
                Some(Piece::Literal(l)) if *l == c => {
                    p += 1;
                    t += c.len_utf8();
                }
                _ => match star {
                    Some((sp, st)) => {
                        let skipped = text[st..].chars().next().map_or(1, char::len_utf8);
                        p = sp + 1;
                        t = st + skipped;
                        star = Some((sp, t));
                    }
                    None => return false,
                },
            }
        }
        pieces[p..].iter().all(|piece| *piece == Piece::AnyRun)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn like(pattern: &str, escape: Option<char>, text: &str) -> bool {
        LikePattern::new(pattern, escape).matches(text)
    }

    #[test]
    fn wildcards_match_one_and_many_characters() {
        assert!(like("'In G_d We Trust'", None, "'In God We Trust'"));
        assert!(!like("'In Gd_ We Trust'", None, "'In God We Trust'"));
        assert!(like("%oo", None, "_foo"));
        assert!(like("a%b%c", None, "aXXbYYc"));
        assert!(!like("a%b%c", None, "aXXbYY"));
        assert!(like("%", None, ""));
        assert!(!like("_", None, ""));
        assert!(like("_", None, "\u{1F600}"));
    }

    #[test]
    fn escape_makes_wildcards_literal() {
        assert!(like("!_%", Some('!'), "_foo"));
        assert!(!like("!_%", Some('!'), "'In God We Trust'"));
        assert!(like("_D7xlJIQn$_", Some('$'), "XD7xlJIQn_"));
        assert!(like(r"_D7xlJIQn\_", Some('\\'), "XD7xlJIQn_"));
    }

    #[test]
    fn escape_character_that_is_a_wildcard_keeps_its_meaning_unless_it_escapes() {
        assert!(like("%_%", Some('%'), "_foo"));
        assert!(!like("%D7xlJIQn%%", Some('%'), "XD7xlJIQn_"));
        assert!(like("%D7xlJIQn%%", Some('%'), "XD7xlJIQn%"));
    }

    #[test]
    fn escape_before_an_ordinary_character_is_literal() {
        assert!(like("a!b", Some('!'), "a!b"));
        assert!(like("a!", Some('!'), "a!"));
    }
}
