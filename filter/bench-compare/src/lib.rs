//! Shared fixtures for the comparison benchmark: the expressions and the 12-property message.

pub const THREE: &str = "a = 'x' AND b > 5 AND c IN ('p','q','r')";

pub const TEN: &str = "a = 'x' AND b > 5 AND c IN ('p','q','r') AND d <> 'no' AND e >= 1.5 \
    AND f IS NOT NULL AND g BETWEEN 1 AND 100 AND h NOT IN ('u','v') AND i CONTAINS 'mid' AND j = TRUE";

pub const MESSAGE: [(&str, &str); 12] = [
    ("a", "x"),
    ("b", "7"),
    ("c", "q"),
    ("d", "yes"),
    ("e", "2.5"),
    ("f", "present"),
    ("g", "50"),
    ("h", "w"),
    ("i", "amidst"),
    ("j", "true"),
    ("k", "z"),
    ("l", "zz"),
];

/// The ~1 KB SQL92 expression of `filter/benches/eval.rs`.
pub fn one_kilobyte_expression() -> String {
    let mut parts = Vec::new();
    for i in 0..8 {
        parts.push(format!(
            "(region_{i} IN ('hz','sh','bj') AND retries_{i} BETWEEN 1 AND {} OR title_{i} CONTAINS 'news')",
            10 + i
        ));
    }
    let mut text = parts.join(" AND ");
    while text.len() < 1000 {
        text.push_str(" AND color = 'blue'");
    }
    text
}
