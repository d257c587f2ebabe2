//! Property-based tests: robustness on arbitrary text, and algebraic laws the evaluator must obey.

use std::collections::HashMap;

use mqgate_filter::{compile, CompileOptions, Dialect, Outcome, TagFilter, TypedMap, TypedValue};
use proptest::prelude::*;

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn eval(dialect: Dialect, text: &str, props: &dyn mqgate_filter::PropertySource) -> Outcome {
    compile(dialect, text, &CompileOptions::default())
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .evaluate(props)
}

/// Selector-like text: mostly tokens of the grammars, glued at random.
fn selector_soup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("a".to_owned()),
        Just("b".to_owned()),
        Just("'x'".to_owned()),
        Just("'it''s'".to_owned()),
        Just("5".to_owned()),
        Just("-".to_owned()),
        Just("2.5E3".to_owned()),
        Just("0x1F".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just(",".to_owned()),
        Just("=".to_owned()),
        Just("<>".to_owned()),
        Just(">=".to_owned()),
        Just("+".to_owned()),
        Just("*".to_owned()),
        Just("/".to_owned()),
        Just("NOT".to_owned()),
        Just("AND".to_owned()),
        Just("OR".to_owned()),
        Just("IS".to_owned()),
        Just("NULL".to_owned()),
        Just("TRUE".to_owned()),
        Just("IN".to_owned()),
        Just("BETWEEN".to_owned()),
        Just("LIKE".to_owned()),
        Just("ESCAPE".to_owned()),
        Just("CONTAINS".to_owned()),
        Just("--".to_owned()),
        Just("/*".to_owned()),
        Just("\n".to_owned()),
        "[ -~]{0,3}",
    ];
    prop::collection::vec(token, 0..40).prop_map(|tokens| tokens.join(" "))
}

fn small_props() -> impl Strategy<Value = HashMap<String, String>> {
    prop::collection::hash_map(
        prop_oneof![Just("a".to_owned()), Just("b".to_owned())],
        prop_oneof![
            Just("x".to_owned()),
            Just("5".to_owned()),
            Just("2.5".to_owned()),
            "[a-z0-9]{0,3}"
        ],
        0..3,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,80}", props in small_props()) {
        for dialect in [Dialect::Sql92, Dialect::Jms] {
            for strict in [false, true] {
                if let Ok(f) = compile(dialect, &text, &CompileOptions::strict(strict)) {
                    let _ = f.evaluate(&props);
                }
            }
        }
    }

    #[test]
    fn selector_like_text_never_panics(text in selector_soup(), props in small_props()) {
        for dialect in [Dialect::Sql92, Dialect::Jms] {
            if let Ok(f) = compile(dialect, &text, &CompileOptions::default()) {
                let _ = f.evaluate(&props);
            }
        }
    }

    #[test]
    fn strict_sql92_accepts_a_subset_of_lax_with_the_same_outcome(text in selector_soup(), props in small_props()) {
        if let Ok(strict) = compile(Dialect::Sql92, &text, &CompileOptions::strict(true)) {
            let lax = compile(Dialect::Sql92, &text, &CompileOptions::default());
            prop_assert!(lax.is_ok(), "strict accepted but lax rejected {text:?}");
            prop_assert_eq!(strict.evaluate(&props), lax.map(|f| f.evaluate(&props)).unwrap_or(Outcome::Error));
        }
    }

    #[test]
    fn sql92_integer_comparisons_agree_with_integer_order(a in any::<i32>(), b in any::<i32>()) {
        let props = HashMap::from([("p".to_owned(), a.to_string())]);
        let literal = if b < 0 { format!("-{}", b.unsigned_abs()) } else { b.to_string() };
        let expected = |holds: bool| if holds { Outcome::True } else { Outcome::False };
        prop_assert_eq!(eval(Dialect::Sql92, &format!("p > {literal}"), &props), expected(a > b));
        prop_assert_eq!(eval(Dialect::Sql92, &format!("p <= {literal}"), &props), expected(a <= b));
        prop_assert_eq!(eval(Dialect::Sql92, &format!("p = {literal}"), &props), expected(a == b));
        prop_assert_eq!(eval(Dialect::Sql92, &format!("p <> {literal}"), &props), expected(a != b));
    }

    #[test]
    fn jms_numeric_comparisons_agree_with_promoted_order(a in any::<i32>(), b in any::<i64>(), c in any::<f64>()) {
        let mut props = TypedMap::new();
        props.insert("i".into(), TypedValue::Int(a));
        props.insert("l".into(), TypedValue::Long(b));
        props.insert("d".into(), TypedValue::Double(c));
        let expected = |holds: bool| if holds { Outcome::True } else { Outcome::False };
        prop_assert_eq!(eval(Dialect::Jms, "i < l", &props), expected(i64::from(a) < b));
        prop_assert_eq!(eval(Dialect::Jms, "l = l", &props), Outcome::True);
        if !c.is_nan() {
            prop_assert_eq!(eval(Dialect::Jms, "i >= d", &props), expected(f64::from(a) >= c));
        }
    }

    #[test]
    fn string_literals_round_trip(s in "\\PC{0,20}") {
        let props = HashMap::from([("a".to_owned(), s.clone())]);
        for dialect in [Dialect::Sql92, Dialect::Jms] {
            prop_assert_eq!(eval(dialect, &format!("a = {}", quote(&s)), &props), Outcome::True);
        }
    }

    #[test]
    fn in_list_is_a_disjunction_of_equalities(
        items in prop::collection::vec("[a-c']{0,2}", 1..12),
        value in proptest::option::of("[a-c']{0,2}"),
    ) {
        let props: HashMap<String, String> = value.iter().map(|v| ("a".to_owned(), v.clone())).collect();
        let list = items.iter().map(|i| quote(i)).collect::<Vec<_>>().join(", ");
        let ors = items.iter().map(|i| format!("a = {}", quote(i))).collect::<Vec<_>>().join(" OR ");
        for dialect in [Dialect::Sql92, Dialect::Jms] {
            prop_assert_eq!(eval(dialect, &format!("a IN ({list})"), &props), eval(dialect, &ors, &props));
            prop_assert_eq!(
                eval(dialect, &format!("a NOT IN ({list})"), &props),
                eval(dialect, &format!("NOT ({ors})"), &props)
            );
        }
    }

    #[test]
    fn like_without_wildcards_is_equality_and_percent_wrapping_is_contains(
        needle in "[a-c]{0,4}",
        value in "[a-c]{0,6}",
    ) {
        let props = HashMap::from([("s".to_owned(), value.clone())]);
        let expected = |holds: bool| if holds { Outcome::True } else { Outcome::False };
        prop_assert_eq!(eval(Dialect::Jms, &format!("s LIKE '{needle}'"), &props), expected(value == needle));
        prop_assert_eq!(eval(Dialect::Jms, &format!("s LIKE '%{needle}%'"), &props), expected(value.contains(&needle)));
        prop_assert_eq!(eval(Dialect::Jms, &format!("s LIKE '{needle}%'"), &props), expected(value.starts_with(&needle)));
        // The SQL92 string operators agree (an empty needle is FALSE there by definition).
        if !needle.is_empty() {
            prop_assert_eq!(eval(Dialect::Sql92, &format!("s CONTAINS '{needle}'"), &props), expected(value.contains(&needle)));
            prop_assert_eq!(eval(Dialect::Sql92, &format!("s ENDSWITH '{needle}'"), &props), expected(value.ends_with(&needle)));
        }
    }

    #[test]
    fn property_literal_fast_path_agrees_with_the_general_path(
        value in prop_oneof![Just("5".to_owned()), Just("-0".to_owned()), Just("2.5".to_owned()), Just("x".to_owned()), "[0-9.eE+-]{0,5}"],
        literal in prop_oneof![Just("5"), Just("5.0"), Just("2147483648"), Just("-1.5E3"), Just("'5'")],
        op in prop_oneof![Just(("=", "=")), Just(("<>", "<>")), Just((">", "<")), Just((">=", "<=")), Just(("<", ">"))],
    ) {
        // `p OP literal` takes the specialised node, `literal REVERSED-OP p` the general one.
        let props = HashMap::from([("p".to_owned(), value)]);
        for dialect in [Dialect::Sql92, Dialect::Jms] {
            let fast = format!("p {} {literal}", op.0);
            let general = format!("{literal} {} p", op.1);
            let (Ok(a), Ok(b)) = (
                compile(dialect, &fast, &CompileOptions::default()),
                compile(dialect, &general, &CompileOptions::default()),
            ) else { continue };
            prop_assert_eq!(a.evaluate(&props), b.evaluate(&props), "{} vs {}", fast, general);
        }
    }

    #[test]
    fn de_morgan_holds_in_three_valued_logic(
        props in small_props(),
        x in prop_oneof![Just("a = 'x'"), Just("b IS NULL"), Just("a <> b"), Just("b IN ('5', 'x')")],
        y in prop_oneof![Just("b = 'x'"), Just("a IS NOT NULL"), Just("a = '5'"), Just("TRUE"), Just("NULL")],
    ) {
        for dialect in [Dialect::Sql92, Dialect::Jms] {
            let lhs = eval(dialect, &format!("NOT (({x}) AND ({y}))"), &props);
            let rhs = eval(dialect, &format!("NOT ({x}) OR NOT ({y})"), &props);
            prop_assert_eq!(lhs, rhs, "{:?}: {} / {}", dialect, x, y);
        }
    }

    #[test]
    fn tag_filter_selects_exactly_the_listed_tags(
        tags in prop::collection::vec("[A-Za-z0-9_]{1,6}", 1..6),
        probe in "[A-Za-z0-9_]{1,6}",
    ) {
        let f = TagFilter::parse(&tags.join(" || "));
        prop_assert_eq!(f.matches(Some(&probe)), tags.contains(&probe));
        prop_assert_eq!(f.matches_hash_code(mqgate_filter::tag_hash_code(&probe)), f.hash_codes().contains(&mqgate_filter::tag_hash_code(&probe)));
    }
}
