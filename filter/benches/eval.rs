//! Filter throughput: evaluating a 3-predicate and a 10-predicate selector over a 12-property message,
//! and compiling a ~1 KB expression (cache miss).
//!
//! Run: `cargo bench -p mqgate-filter --bench eval`

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mqgate_filter::{compile, CompileOptions, Dialect, Filter, TypedMap, TypedValue};

const THREE: &str = "a = 'x' AND b > 5 AND c IN ('p','q','r')";

const TEN_SQL92: &str = "a = 'x' AND b > 5 AND c IN ('p','q','r') AND d <> 'no' AND e >= 1.5 \
    AND f IS NOT NULL AND g BETWEEN 1 AND 100 AND h NOT IN ('u','v') AND i CONTAINS 'mid' AND j = TRUE";

const TEN_JMS: &str = "a = 'x' AND b > 5 AND c IN ('p','q','r') AND d <> 'no' AND e >= 1.5 \
    AND f IS NOT NULL AND g BETWEEN 1 AND 100 AND h NOT IN ('u','v') AND i LIKE '%mid%' AND j = TRUE";

/// The 12 properties of the message, as RocketMQ carries them (strings).
const MESSAGE: [(&str, &str); 12] = [
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

fn string_map() -> HashMap<String, String> {
    MESSAGE
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn typed_map() -> TypedMap {
    MESSAGE
        .iter()
        .map(|&(k, v)| {
            let value = match k {
                "b" | "g" => TypedValue::Int(v.parse().expect("int")),
                "e" => TypedValue::Double(v.parse().expect("double")),
                "j" => TypedValue::Bool(true),
                _ => TypedValue::Str(v.to_owned()),
            };
            (k.to_owned(), value)
        })
        .collect()
}

/// A realistic ~1 KB subscription: 24 predicates mixing AND/OR, IN lists and ranges.
fn one_kilobyte_expression(dialect: Dialect) -> String {
    let mut parts = Vec::new();
    for i in 0..8 {
        let text_op = match dialect {
            Dialect::Sql92 => format!("title_{i} CONTAINS 'news'"),
            Dialect::Jms => format!("title_{i} LIKE '%news%'"),
        };
        parts.push(format!(
            "(region_{i} IN ('hz','sh','bj') AND retries_{i} BETWEEN 1 AND {} OR {text_op})",
            10 + i
        ));
    }
    let mut text = parts.join(" AND ");
    while text.len() < 1000 {
        text.push_str(" AND color = 'blue'");
    }
    text
}

fn compiled(dialect: Dialect, text: &str) -> Filter {
    compile(dialect, text, &CompileOptions::default()).expect("benchmark expression compiles")
}

fn evaluate(c: &mut Criterion) {
    let strings = string_map();
    let pairs: Vec<(&str, &str)> = MESSAGE.to_vec();
    let typed = typed_map();
    let sql3 = compiled(Dialect::Sql92, THREE);
    let sql10 = compiled(Dialect::Sql92, TEN_SQL92);
    let jms3 = compiled(Dialect::Jms, THREE);
    let jms10 = compiled(Dialect::Jms, TEN_JMS);
    assert!(sql3.matches(&strings) && sql10.matches(&strings) && sql10.matches(&pairs));
    assert!(jms3.matches(&typed) && jms10.matches(&typed));

    let mut g = c.benchmark_group("evaluate");
    g.throughput(Throughput::Elements(1));
    g.bench_function("sql92_3_predicates/hashmap", |b| {
        b.iter(|| sql3.matches(black_box(&strings)))
    });
    g.bench_function("sql92_3_predicates/pairs", |b| {
        b.iter(|| sql3.matches(black_box(&pairs)))
    });
    g.bench_function("sql92_10_predicates/hashmap", |b| {
        b.iter(|| sql10.matches(black_box(&strings)))
    });
    g.bench_function("sql92_10_predicates/pairs", |b| {
        b.iter(|| sql10.matches(black_box(&pairs)))
    });
    g.bench_function("jms_3_predicates/typed_hashmap", |b| {
        b.iter(|| jms3.matches(black_box(&typed)))
    });
    g.bench_function("jms_10_predicates/typed_hashmap", |b| {
        b.iter(|| jms10.matches(black_box(&typed)))
    });
    g.finish();
}

fn compile_cold(c: &mut Criterion) {
    let sql_1k = one_kilobyte_expression(Dialect::Sql92);
    let jms_1k = one_kilobyte_expression(Dialect::Jms);
    let opts = CompileOptions::default();
    let mut g = c.benchmark_group("compile");
    g.throughput(Throughput::Elements(1));
    g.bench_function(format!("sql92_{}_bytes", sql_1k.len()), |b| {
        b.iter(|| compile(Dialect::Sql92, black_box(&sql_1k), &opts).expect("compiles"))
    });
    g.bench_function(format!("jms_{}_bytes", jms_1k.len()), |b| {
        b.iter(|| compile(Dialect::Jms, black_box(&jms_1k), &opts).expect("compiles"))
    });
    g.bench_function("sql92_3_predicates", |b| {
        b.iter(|| compile(Dialect::Sql92, black_box(THREE), &opts).expect("compiles"))
    });
    g.finish();
}

criterion_group!(benches, evaluate, compile_cold);
criterion_main!(benches);
