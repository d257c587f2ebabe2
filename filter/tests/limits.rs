//! Hostile input is rejected cheaply: deep nesting returns an error instead of overflowing the stack,
//! and every configured limit is enforced. Tests run on threads with an explicit, modest stack so a
//! regression shows up as a crash here rather than in production.

use std::time::{Duration, Instant};

use mqgate_filter::{compile, CompileOptions, Dialect, FilterError, Limits, NoProperties};

const STACK: usize = 2 * 1024 * 1024;

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no panic or stack overflow")
}

fn generous() -> CompileOptions {
    CompileOptions {
        strict: false,
        limits: Limits {
            max_len: 10_000_000,
            max_tokens: 10_000_000,
            max_depth: usize::MAX,
            max_in_list: 1_000_000,
        },
    }
}

#[test]
fn hundred_thousand_parentheses_are_rejected_with_default_limits() {
    let text = format!("{}a = 'x'{}", "(".repeat(100_000), ")".repeat(100_000));
    for dialect in [Dialect::Sql92, Dialect::Jms] {
        let t = text.clone();
        let result =
            on_small_stack(move || compile(dialect, &t, &CompileOptions::default()).map(|_| ()));
        assert!(
            matches!(result, Err(FilterError::TooLong { .. })),
            "{result:?}"
        );
    }
}

#[test]
fn hundred_thousand_parentheses_hit_the_depth_cap_even_when_other_limits_are_lifted() {
    let text = format!("{}a = 'x'{}", "(".repeat(100_000), ")".repeat(100_000));
    for dialect in [Dialect::Sql92, Dialect::Jms] {
        let t = text.clone();
        let started = Instant::now();
        let result = on_small_stack(move || compile(dialect, &t, &generous()).map(|_| ()));
        assert!(
            matches!(
                result,
                Err(FilterError::TooDeep {
                    max: Limits::DEPTH_CAP
                })
            ),
            "{result:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn deep_unary_chains_are_rejected() {
    for (dialect, text) in [
        (Dialect::Sql92, format!("{}a", "NOT ".repeat(100_000))),
        (Dialect::Sql92, format!("a = {}1", "-".repeat(100_000))),
        (Dialect::Jms, format!("{}a", "NOT ".repeat(100_000))),
    ] {
        let result = on_small_stack(move || compile(dialect, &text, &generous()).map(|_| ()));
        assert!(
            matches!(result, Err(FilterError::TooDeep { .. })),
            "{result:?}"
        );
    }
}

#[test]
fn long_left_nested_chains_are_rejected_by_depth() {
    // `a = a = a ...` and `1 + 1 + ...` nest to the left without parentheses.
    for (dialect, text) in [
        (Dialect::Sql92, format!("a{}", " = a".repeat(50_000))),
        (Dialect::Jms, format!("a = 1{}", " + 1".repeat(50_000))),
    ] {
        let result = on_small_stack(move || compile(dialect, &text, &generous()).map(|_| ()));
        assert!(
            matches!(result, Err(FilterError::TooDeep { .. })),
            "{result:?}"
        );
    }
}

#[test]
fn nesting_just_inside_the_depth_cap_compiles_and_evaluates() {
    let depth = 300;
    let text = format!("{}a = 'x'{}", "(".repeat(depth), ")".repeat(depth));
    let opts = CompileOptions {
        limits: Limits {
            max_depth: 1000,
            ..Limits::default()
        },
        strict: false,
    };
    let outcome = on_small_stack(move || {
        let f = compile(Dialect::Sql92, &text, &opts).expect("within the limit");
        f.matches(&vec![("a", "x")])
    });
    assert!(outcome);
}

#[test]
fn long_and_chains_cost_no_depth() {
    let text = (0..800)
        .map(|i| format!("p{i} IS NULL"))
        .collect::<Vec<_>>()
        .join(" AND ");
    let f = on_small_stack(move || {
        let f = compile(Dialect::Sql92, &text, &CompileOptions::default()).expect("compiles");
        f.matches(&NoProperties)
    });
    assert!(f);
}

#[test]
fn default_depth_limit_applies() {
    let text = format!("{}a{}", "(".repeat(200), ")".repeat(200));
    let e = compile(Dialect::Sql92, &text, &CompileOptions::default()).expect_err("too deep");
    assert_eq!(
        e,
        FilterError::TooDeep {
            max: Limits::default().max_depth
        }
    );
}

#[test]
fn length_token_and_in_list_limits_apply() {
    let limits = Limits {
        max_len: 40,
        max_tokens: 8,
        max_depth: 10,
        max_in_list: 2,
    };
    let opts = CompileOptions {
        strict: false,
        limits,
    };
    let e = compile(Dialect::Sql92, &"a".repeat(41), &opts).expect_err("too long");
    assert_eq!(e, FilterError::TooLong { len: 41, max: 40 });
    let e =
        compile(Dialect::Sql92, "a = '1' AND b = '2' AND c = '3'", &opts).expect_err("too many");
    assert_eq!(e, FilterError::TooManyTokens { max: 8 });
    let e = compile(
        Dialect::Sql92,
        "a IN ('1','2','3')",
        &CompileOptions {
            limits: Limits {
                max_tokens: 100,
                ..limits
            },
            ..opts
        },
    )
    .expect_err("list too long");
    assert!(
        matches!(e, FilterError::InListTooLong { len: 3, max: 2, .. }),
        "{e:?}"
    );
    assert!(e.is_limit());
}

#[test]
fn pathological_like_patterns_match_in_bounded_time() {
    let pattern = "%a".repeat(200) + "%b";
    let text = format!("s LIKE '{pattern}'");
    let f = compile(Dialect::Jms, &text, &CompileOptions::default()).expect("compiles");
    let value = "a".repeat(5000);
    let started = Instant::now();
    assert!(!f.matches(&vec![("s", value.as_str())]));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn parser_errors_after_very_long_chains_do_not_overflow_while_freeing_them() {
    // sqlparser frees the half-built left-nested chain itself when it fails at the end.
    for (dialect, text) in [
        (
            Dialect::Sql92,
            format!("{}a = '1' OR", "a = '1' OR ".repeat(100_000)),
        ),
        (Dialect::Sql92, format!("a{} =", " = a".repeat(100_000))),
        (Dialect::Jms, format!("a = 1{} +", " + 1".repeat(100_000))),
    ] {
        let result = on_small_stack(move || compile(dialect, &text, &generous()).map(|_| ()));
        assert!(result.is_err(), "{result:?}");
    }
}

#[test]
fn very_long_or_chain_compiles_and_evaluates_when_limits_allow() {
    let text = (0..100_000)
        .map(|i| format!("a = '{i}'"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let matched = on_small_stack(move || {
        let f = compile(Dialect::Sql92, &text, &generous()).expect("compiles");
        f.matches(&vec![("a", "99999")])
    });
    assert!(matched);
}

#[test]
fn conditions_nested_to_the_depth_cap_evaluate_on_a_small_stack() {
    // Every NOT is a level of the compiled tree, so evaluation recurses this deep too.
    let text = format!("{}(a = 'x')", "NOT ".repeat(Limits::DEPTH_CAP - 10));
    let outcome = on_small_stack(move || {
        let f = compile(Dialect::Jms, &text, &generous()).expect("within the cap");
        f.evaluate(&vec![("a", "x")])
    });
    assert_eq!(outcome, mqgate_filter::Outcome::True);
}
