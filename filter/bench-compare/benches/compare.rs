//! mqgate-filter vs rocketmq-filter 1.0.0, same expressions, same message, same run.
//!
//! Run from `filter/bench-compare`: `cargo bench --bench compare`

use std::collections::HashMap;
use std::hint::black_box;

use ahash::RandomState;
use cheetah_string::CheetahString;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mqgate_filter::{compile, CompileOptions, Dialect};
use mqgate_filter_bench_compare::{one_kilobyte_expression, MESSAGE, TEN, THREE};
use rocketmq_filter::expression::MessageEvaluationContext;
use rocketmq_filter::filter::{Filter, SqlFilter};

fn evaluate(c: &mut Criterion) {
    let ours_map: HashMap<String, String, RandomState> =
        MESSAGE.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let theirs_map: HashMap<CheetahString, CheetahString, RandomState> = MESSAGE
        .iter()
        .map(|(k, v)| (CheetahString::from_slice(k), CheetahString::from_slice(v)))
        .collect();
    let context = MessageEvaluationContext::from_properties(theirs_map);
    let opts = CompileOptions::default();
    let mut g = c.benchmark_group("evaluate");
    g.throughput(Throughput::Elements(1));
    for (name, text) in [("3_predicates", THREE), ("10_predicates", TEN)] {
        let ours = compile(Dialect::Sql92, text, &opts).expect("mqgate compiles");
        assert!(ours.matches(&ours_map));
        g.bench_function(format!("{name}/mqgate-filter"), |b| b.iter(|| ours.matches(black_box(&ours_map))));
        match SqlFilter::new().try_compile(text) {
            Ok(theirs) => {
                println!("rocketmq-filter {name}: {:?}", theirs.evaluate(&context));
                g.bench_function(format!("{name}/rocketmq-filter"), |b| {
                    b.iter(|| theirs.evaluate(black_box(&context)))
                });
            }
            Err(e) => println!("rocketmq-filter cannot compile the {name} expression: {e:?}"),
        }
    }
    g.finish();
}

fn compile_cold(c: &mut Criterion) {
    let text = one_kilobyte_expression();
    let opts = CompileOptions::default();
    let mut g = c.benchmark_group("compile");
    g.throughput(Throughput::Elements(1));
    for (name, text) in [("3_predicates".to_owned(), THREE.to_owned()), (format!("{}_bytes", text.len()), text)] {
        g.bench_function(format!("{name}/mqgate-filter"), |b| {
            b.iter(|| compile(Dialect::Sql92, black_box(&text), &opts).expect("compiles"))
        });
        match SqlFilter::new().try_compile(&text) {
            Ok(_) => {
                g.bench_function(format!("{name}/rocketmq-filter"), |b| {
                    b.iter(|| SqlFilter::new().try_compile(black_box(&text)).expect("compiles"))
                });
            }
            Err(e) => println!("rocketmq-filter cannot compile the {name} expression: {e:?}"),
        }
    }
    g.finish();
}

criterion_group!(benches, evaluate, compile_cold);
criterion_main!(benches);
