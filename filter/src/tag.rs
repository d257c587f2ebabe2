//! RocketMQ tag subscriptions: `*` (everything) or `a || b || c`.
//!
//! Parsing follows `FilterAPI.buildSubscriptionData`: an empty string or exactly `*` selects all;
//! otherwise the text is split on `||`, each part trimmed (Java `trim`: characters up to U+0020) and
//! empty parts dropped. RocketMQ brokers compare only the tag *hash codes* stored in the consume queue
//! and clients then re-check the exact string; [`TagFilter::matches`] is that exact check, and
//! [`TagFilter::matches_hash_code`] the broker's index pre-check.

use crate::java::string_hash_code;

/// A compiled tag subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagFilter {
    all: bool,
    tags: Box<[Box<str>]>,
    hash_codes: Box<[i32]>,
}

impl TagFilter {
    /// The subscription that selects every message (`*`).
    pub fn all() -> Self {
        TagFilter {
            all: true,
            tags: Box::default(),
            hash_codes: Box::default(),
        }
    }

    /// Parses a tag expression; it cannot fail. A text of only separators (`||`) lists no tag and
    /// selects nothing, as upstream's empty tag set does.
    pub fn parse(expression: &str) -> Self {
        if expression.is_empty() || expression == "*" {
            return Self::all();
        }
        let mut tags: Vec<Box<str>> = Vec::new();
        for part in expression.split("||") {
            let tag = part.trim_matches(|c: char| c <= ' ');
            if !tag.is_empty() && !tags.iter().any(|t| **t == *tag) {
                tags.push(tag.into());
            }
        }
        let mut hash_codes: Vec<i32> = tags.iter().map(|t| string_hash_code(t)).collect();
        hash_codes.sort_unstable();
        hash_codes.dedup();
        TagFilter {
            all: false,
            tags: tags.into_boxed_slice(),
            hash_codes: hash_codes.into_boxed_slice(),
        }
    }

    /// True for `*`.
    pub fn is_all(&self) -> bool {
        self.all
    }

    /// The subscribed tags, in expression order (empty for `*`).
    pub fn tags(&self) -> impl Iterator<Item = &str> {
        self.tags.iter().map(|t| &**t)
    }

    /// Java `String.hashCode` of each subscribed tag, sorted and distinct (empty for `*`).
    pub fn hash_codes(&self) -> &[i32] {
        &self.hash_codes
    }

    /// Exact check of a message's tag: `*` selects every message, tagged or not; otherwise the message
    /// must carry one of the listed tags (compared case-sensitively).
    pub fn matches(&self, tag: Option<&str>) -> bool {
        if self.all {
            return true;
        }
        tag.is_some_and(|tag| self.tags.iter().any(|t| **t == *tag))
    }

    /// The broker's consume-queue pre-check on a stored tag hash code. It can pass a message whose tag
    /// merely collides; [`TagFilter::matches`] must confirm.
    pub fn matches_hash_code(&self, hash_code: i32) -> bool {
        self.all || self.hash_codes.binary_search(&hash_code).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_and_empty_select_everything_including_untagged_messages() {
        for expr in ["*", ""] {
            let f = TagFilter::parse(expr);
            assert!(f.is_all());
            assert!(f.matches(None));
            assert!(f.matches(Some("x")));
            assert!(f.matches_hash_code(12345));
        }
    }

    #[test]
    fn tags_are_split_trimmed_and_deduplicated() {
        let f = TagFilter::parse(" TagA ||TagB|| ||TagA");
        assert_eq!(f.tags().collect::<Vec<_>>(), ["TagA", "TagB"]);
        assert!(f.matches(Some("TagB")));
        assert!(!f.matches(Some("tagb")));
        assert!(!f.matches(None));
        assert!(f.matches_hash_code(string_hash_code("TagA")));
        assert!(!f.matches_hash_code(string_hash_code("TagC")));
    }

    #[test]
    fn padded_star_is_a_literal_tag() {
        let f = TagFilter::parse(" * ");
        assert!(!f.is_all());
        assert!(f.matches(Some("*")));
        assert!(!f.matches(Some("x")));
    }

    #[test]
    fn separators_only_select_nothing() {
        let f = TagFilter::parse("||");
        assert!(!f.is_all());
        assert!(!f.matches(Some("a")));
        assert!(f.hash_codes().is_empty());
    }
}
