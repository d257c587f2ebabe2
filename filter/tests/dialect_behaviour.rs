//! Behaviour beyond the golden vectors: upstream quirks the vectors imply but do not spell out, the
//! strict option, error messages, JMS header fields, typed values and the public helpers.

use std::collections::HashMap;

use mqgate_filter::cli::{eval_one, Verdict};
use mqgate_filter::{
    compile, tag_hash_code, CompileOptions, Dialect, FilterCache, FilterError, NoProperties,
    Outcome, PropertySource, PropertyValue, TagFilter, TypedMap, TypedValue,
};

fn sql92(text: &str) -> Result<mqgate_filter::Filter, FilterError> {
    compile(Dialect::Sql92, text, &CompileOptions::default())
}

fn jms(text: &str) -> Result<mqgate_filter::Filter, FilterError> {
    compile(Dialect::Jms, text, &CompileOptions::default())
}

fn strings(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn outcome(dialect: Dialect, text: &str, props: &dyn PropertySource) -> Outcome {
    compile(dialect, text, &CompileOptions::default())
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .evaluate(props)
}

#[test]
fn line_comment_ends_at_a_carriage_return_or_line_feed() {
    let props = strings(&[("a", "x"), ("b", "z")]);
    // With the comment honoured, `and b = 'y'` is part of the expression and fails.
    assert_eq!(
        outcome(Dialect::Sql92, "a = 'x' -- c\nand b = 'y'", &props),
        Outcome::False
    );
    assert_eq!(
        outcome(Dialect::Sql92, "a = 'x' -- c\rand b = 'y'", &props),
        Outcome::False
    );
    // Without a line break `--` is two minus signs: the tail is ignored.
    assert_eq!(
        outcome(Dialect::Sql92, "a = 'x' -- c and b = 'y'", &props),
        Outcome::True
    );
}

#[test]
fn sql92_not_before_an_unknown_word_is_an_error_although_the_bare_word_is_ignored() {
    assert!(sql92("a LIKE 'x%'").is_ok());
    assert!(sql92("a NOT LIKE 'x%'").is_err());
    assert!(sql92("a IS TRUE").is_err());
    assert!(sql92("a IS NOT TRUE").is_err());
}

#[test]
fn sql92_lexical_error_is_fatal_only_in_the_token_right_after_the_expression() {
    assert!(sql92("a = 'x' !").is_err());
    assert!(sql92("a = 'x' junk !").is_ok());
    assert!(
        sql92("a = 'x' => 1").is_err(),
        "'=>' is '=' then '>', which is not an operand"
    );
}

#[test]
fn sql92_strict_option_rejects_only_trailing_text() {
    let strict = CompileOptions::strict(true);
    for text in [
        "a = 'x' garbage",
        "a = 'x' ) junk",
        "a LIKE 'x%'",
        "a + 1 > 2",
        "my-prop = 'x'",
    ] {
        assert!(sql92(text).is_ok(), "{text}");
        let e = compile(Dialect::Sql92, text, &strict).expect_err(text);
        assert!(
            e.to_string().contains("after the end of the expression"),
            "{e}"
        );
    }
    // Other quirks stay: 0.0 is still rejected, NOT still binds tighter than '='.
    assert!(compile(Dialect::Sql92, "a > 0.0", &strict).is_err());
    let f = compile(Dialect::Sql92, "NOT a = '1'", &strict).expect("compiles");
    assert_eq!(f.evaluate(&strings(&[("a", "1")])), Outcome::Error);
}

#[test]
fn sql92_words_that_are_sql_keywords_elsewhere_are_property_names() {
    let props = strings(&[
        ("any", "1"),
        ("select", "2"),
        ("interval", "3"),
        ("user", "4"),
        ("all", "5"),
    ]);
    let text = "any = '1' AND select = '2' AND interval = '3' AND user = '4' AND all = '5'";
    assert_eq!(outcome(Dialect::Sql92, text, &props), Outcome::True);
    assert_eq!(
        outcome(
            Dialect::Sql92,
            "a = any",
            &strings(&[("a", "1"), ("any", "1")])
        ),
        Outcome::True
    );
}

#[test]
fn sql92_null_equals_null_is_true_as_upstream_implements_is_null() {
    assert_eq!(
        outcome(Dialect::Sql92, "a = b", &NoProperties),
        Outcome::True
    );
    assert_eq!(
        outcome(Dialect::Sql92, "a <> b", &NoProperties),
        Outcome::False
    );
    // JMS follows the specification: unknown.
    assert_eq!(
        outcome(Dialect::Jms, "a = b", &NoProperties),
        Outcome::Unknown
    );
}

#[test]
fn sql92_null_on_the_right_of_equals_is_false_not_unknown() {
    assert_eq!(
        outcome(Dialect::Sql92, "'x' = a", &NoProperties),
        Outcome::False
    );
    assert_eq!(
        outcome(Dialect::Sql92, "a = 'x'", &NoProperties),
        Outcome::Unknown
    );
}

#[test]
fn sql92_mismatched_types_compare_as_less() {
    // A boolean literal against a number literal: upstream's compare returns -1.
    assert_eq!(
        outcome(Dialect::Sql92, "1 = TRUE", &NoProperties),
        Outcome::False
    );
    assert_eq!(
        outcome(Dialect::Sql92, "1 <> TRUE", &NoProperties),
        Outcome::True
    );
    assert!(
        sql92("TRUE = 1").is_err(),
        "a boolean literal on the left is rejected at parse time"
    );
}

#[test]
fn sql92_accepts_java_number_spellings_in_properties() {
    let props = strings(&[
        ("i", "\u{0663}"),
        ("d", " 2.5d "),
        ("n", "NaN"),
        ("h", "0x1p1"),
    ]);
    assert_eq!(outcome(Dialect::Sql92, "i = 3", &props), Outcome::True);
    assert_eq!(outcome(Dialect::Sql92, "d = 2.5", &props), Outcome::True);
    assert_eq!(
        outcome(Dialect::Sql92, "n > 1.5", &props),
        Outcome::True,
        "NaN sorts above everything"
    );
    assert_eq!(outcome(Dialect::Sql92, "h = 2.0", &props), Outcome::True);
}

#[test]
fn sql92_negated_literals_are_not_constants_for_the_parse_time_checks() {
    assert!(sql92("a > 'abc'").is_err());
    assert!(sql92("a > ('abc')").is_err());
    assert!(sql92("a > +'abc'").is_err());
    assert!(sql92("a > -'abc'").is_ok());
    assert!(sql92("a between 10 and 0").is_err());
    assert!(
        sql92("a between -1 and -5").is_ok(),
        "negations skip the bound order check"
    );
    assert!(
        sql92("a not between 10 and 0").is_ok(),
        "NOT BETWEEN has no bound order check"
    );
}

#[test]
fn sql92_in_requires_a_property_and_string_literals() {
    assert!(sql92("'x' IN ('x')").is_err());
    assert!(sql92("(a) IN ('x')").is_ok());
    assert!(sql92("a IN (('x'))").is_err());
    assert!(sql92("a IN ('x',)").is_err());
}

#[test]
fn sql92_typed_values_follow_javas_conversions() {
    let mut props = TypedMap::new();
    props.insert("i".into(), TypedValue::Int(5));
    props.insert("b".into(), TypedValue::Bool(true));
    props.insert("y".into(), TypedValue::Byte(3));
    assert_eq!(outcome(Dialect::Sql92, "i = 5", &props), Outcome::True);
    assert_eq!(
        outcome(Dialect::Sql92, "i = '5'", &props),
        Outcome::True,
        "string side parsed as int"
    );
    assert_eq!(
        outcome(Dialect::Sql92, "b = 'true'", &props),
        Outcome::Error,
        "upstream ClassCastException"
    );
    assert_eq!(
        outcome(Dialect::Sql92, "-y = 3", &props),
        Outcome::Error,
        "upstream cannot negate a Byte"
    );
    assert_eq!(
        outcome(Dialect::Sql92, "i IN ('5')", &props),
        Outcome::Unknown,
        "IN needs a string"
    );
}

#[test]
fn errors_name_the_column_and_the_problem() {
    let e = sql92("title CONTAINS 5").expect_err("not a string");
    assert_eq!(
        e.to_string(),
        "column 16: expected a string literal after CONTAINS"
    );
    let e = sql92("a = 'x' AND b NOT CONTAINS c").expect_err("not a string");
    assert_eq!(
        e.to_string(),
        "column 28: expected a string literal after NOT CONTAINS"
    );
    let e = sql92("a > 'abc'").expect_err("string");
    assert_eq!(e.position().map(|p| p.column), Some(5));
    let e = sql92("a = NULL").expect_err("null");
    assert!(e.to_string().contains("IS NULL"), "{e}");
    let e = jms("a = 1\n  AND b LIKE 'x' ESCAPE 'ab'").expect_err("escape");
    assert_eq!(e.position().map(|p| (p.line, p.column)), Some((2, 14)));
    let e = jms("name = 'x' garbage").expect_err("trailing");
    assert_eq!(
        e.to_string(),
        "column 12: unexpected 'garbage' after the end of the expression"
    );
}

#[test]
fn jms_header_fields_are_normalised() {
    let mut props = TypedMap::new();
    props.insert("JMSDeliveryMode".into(), TypedValue::Int(2));
    props.insert("JMSPriority".into(), TypedValue::Long(7));
    props.insert("JMSTimestamp".into(), TypedValue::Int(2000));
    let text = "JMSDeliveryMode = 'PERSISTENT' AND JMSPriority = 7 AND JMSTimestamp > 1000";
    assert_eq!(outcome(Dialect::Jms, text, &props), Outcome::True);
    props.insert("JMSDeliveryMode".into(), TypedValue::Int(1));
    assert_eq!(
        outcome(Dialect::Jms, "JMSDeliveryMode = 'NON_PERSISTENT'", &props),
        Outcome::True
    );
}

#[test]
fn jms_arithmetic_promotes_wraps_and_concatenates() {
    let mut props = TypedMap::new();
    props.insert("i".into(), TypedValue::Int(i32::MAX));
    props.insert("f".into(), TypedValue::Float(1.5));
    props.insert("s".into(), TypedValue::Str("n".into()));
    assert_eq!(
        outcome(Dialect::Jms, "i + 1 = -2147483648", &props),
        Outcome::True,
        "int wraps"
    );
    assert_eq!(outcome(Dialect::Jms, "f * 2 = 3", &props), Outcome::True);
    assert_eq!(
        outcome(Dialect::Jms, "7 / 2 = 3.5", &props),
        Outcome::True,
        "division is floating"
    );
    assert_eq!(outcome(Dialect::Jms, "7 % 2 = 1", &props), Outcome::True);
    assert_eq!(
        outcome(Dialect::Jms, "s + 1.0 = 'n1.0'", &props),
        Outcome::True
    );
    assert_eq!(
        outcome(Dialect::Jms, "s + f = 'n1.5'", &props),
        Outcome::True
    );
    assert_eq!(
        outcome(Dialect::Jms, "s - 1 = 1", &props),
        Outcome::Error,
        "minus on a string"
    );
    assert_eq!(
        outcome(Dialect::Jms, "i + s = 1", &props),
        Outcome::Error,
        "number plus string"
    );
    assert_eq!(
        outcome(Dialect::Jms, "0x10 + 010 = 24", &props),
        Outcome::True,
        "hex and octal"
    );
    assert_eq!(
        outcome(Dialect::Jms, "-9223372036854775808 < 0", &props),
        Outcome::True
    );
}

#[test]
fn jms_strings_and_booleans_do_not_order() {
    let props = strings(&[("a", "b"), ("c", "a")]);
    assert_eq!(outcome(Dialect::Jms, "a > c", &props), Outcome::False);
    assert_eq!(outcome(Dialect::Jms, "NOT (a > c)", &props), Outcome::True);
}

#[test]
fn jms_identifiers_may_be_unicode() {
    let props = strings(&[("größe", "L")]);
    assert_eq!(outcome(Dialect::Jms, "größe = 'L'", &props), Outcome::True);
    assert!(
        sql92("größe = 'L'").is_err(),
        "RocketMQ identifiers are ASCII"
    );
}

#[test]
fn jms_like_edge_cases() {
    let props = strings(&[("s", "50% off")]);
    assert_eq!(
        outcome(Dialect::Jms, "s LIKE '50\\% off' ESCAPE '\\'", &props),
        Outcome::True
    );
    assert_eq!(
        outcome(Dialect::Jms, "s NOT LIKE '%off'", &props),
        Outcome::False
    );
    assert_eq!(
        outcome(Dialect::Jms, "missing NOT LIKE '%'", &props),
        Outcome::Unknown
    );
    assert!(jms("s LIKE 'x' ESCAPE ''").is_err());
    assert!(jms("s LIKE s").is_err());
}

#[test]
fn jms_rejects_what_the_specification_does_not_define() {
    for text in [
        "a != 1",
        "f(a) = 1",
        "a = \"x\"",
        "a IS TRUE",
        "a = 1;",
        "a IN (1)",
        "a = 'x' || 'y'",
    ] {
        assert!(jms(text).is_err(), "{text}");
    }
}

#[test]
fn property_source_is_read_through_the_trait() {
    struct Record;
    impl PropertySource for Record {
        fn property(&self, name: &str) -> Option<PropertyValue<'_>> {
            match name {
                "region" => Some(PropertyValue::Str("hz")),
                "retries" => Some(PropertyValue::Int(3)),
                _ => None,
            }
        }
    }
    let f = jms("region = 'hz' AND retries >= 3").expect("compiles");
    assert!(f.matches(&Record));
    assert_eq!(
        f.property_names().collect::<Vec<_>>(),
        ["region", "retries"]
    );
}

#[test]
fn tag_filter_and_hash_codes_follow_rocketmq() {
    let f = TagFilter::parse("TagA || TagB");
    assert_eq!(f.hash_codes().len(), 2);
    assert!(f.hash_codes().contains(&tag_hash_code("TagA")));
    assert!(f.matches(Some("TagA")));
    assert!(!f.matches(Some("TagC")));
    assert_eq!(tag_hash_code("TagA"), 2_598_919);
}

#[test]
fn cache_is_shared_between_threads() {
    let cache = std::sync::Arc::new(FilterCache::default());
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let cache = cache.clone();
            std::thread::spawn(move || {
                for i in 0..200 {
                    let text = format!("a = '{}'", i % 50);
                    let f = cache
                        .get_or_compile(Dialect::Sql92, false, &text)
                        .expect("compiles");
                    let v = (i % 50).to_string();
                    assert!(f.matches(&vec![("a", v.as_str())]), "thread {t}");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("no panic");
    }
    assert!(cache.len() <= 100);
}

#[test]
fn eval_one_reports_reject_for_invalid_expressions() {
    assert_eq!(eval_one(Dialect::Sql92, false, "a >", &[]), Verdict::Reject);
    assert_eq!(
        eval_one(
            Dialect::Sql92,
            true,
            "a = '1' x",
            &[("a".into(), "1".into())]
        ),
        Verdict::Reject
    );
    assert_eq!(
        eval_one(
            Dialect::Sql92,
            false,
            "a = '1' x",
            &[("a".into(), "1".into())]
        ),
        Verdict::Match
    );
}
