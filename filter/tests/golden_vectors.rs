//! Every golden vector of the research notes (RocketMQ R1–R114, JMS J1–J95), run through the CLI code
//! path (`cli::eval_stream`) and, for the finer FALSE / unknown / error distinction, through
//! `Filter::evaluate`. The data files are themselves valid `mqgate filter eval` input.

use std::collections::BTreeSet;

use mqgate_filter::cli::{eval_stream, parse_properties};
use mqgate_filter::{compile, CompileOptions, Dialect, Outcome};

struct Vector {
    id: String,
    /// The line as fed to the CLI (markers expanded).
    line: String,
    expression: String,
    properties: String,
    expected_word: String,
    expected_outcome: String,
}

fn load(file: &str) -> Vec<Vector> {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|raw| {
            let line = raw.replace("<CR>", "\r");
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 5, "malformed vector line: {raw}");
            Vector {
                id: cols[2].to_owned(),
                expression: cols[0].to_owned(),
                properties: cols[1].to_owned(),
                expected_word: cols[3].to_owned(),
                expected_outcome: cols[4].to_owned(),
                line,
            }
        })
        .collect()
}

/// Runs all vectors of a file through `eval_stream` in one go and returns the mismatches.
fn stream_mismatches(dialect: Dialect, vectors: &[Vector]) -> Vec<String> {
    let input: String = vectors.iter().map(|v| format!("{}\n", v.line)).collect();
    let mut output = Vec::new();
    eval_stream(dialect, false, input.as_bytes(), &mut output)
        .expect("vector files are valid input");
    let output = String::from_utf8(output).expect("utf-8 output");
    let words: Vec<&str> = output.lines().collect();
    assert_eq!(words.len(), vectors.len(), "one output line per input line");
    vectors
        .iter()
        .zip(words)
        .filter(|(v, got)| v.expected_word != *got)
        .map(|(v, got)| {
            format!(
                "{}: `{}` expected {}, got {got}",
                v.id, v.expression, v.expected_word
            )
        })
        .collect()
}

fn outcome_mismatches(dialect: Dialect, vectors: &[Vector]) -> Vec<String> {
    let mut mismatches = Vec::new();
    for v in vectors {
        let got = match compile(dialect, &v.expression, &CompileOptions::default()) {
            Err(_) => "REJECT".to_owned(),
            Ok(filter) => {
                let props = if v.properties.is_empty() {
                    Default::default()
                } else {
                    parse_properties(dialect, &v.properties).expect("vector properties are valid")
                };
                match filter.evaluate(&props) {
                    Outcome::True => "TRUE",
                    Outcome::False => "FALSE",
                    Outcome::Unknown => "UNKNOWN",
                    Outcome::Error => "ERROR",
                }
                .to_owned()
            }
        };
        if got != v.expected_outcome {
            mismatches.push(format!(
                "{}: `{}` expected {}, got {got}",
                v.id, v.expression, v.expected_outcome
            ));
        }
    }
    mismatches
}

/// The distinct vector numbers covered (`R50a` and `R50b` both count as 50).
fn numbers(vectors: &[Vector], prefix: char) -> BTreeSet<u32> {
    vectors
        .iter()
        .map(|v| {
            let digits: String =
                v.id.trim_start_matches(prefix)
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
            digits.parse().unwrap_or_else(|_| panic!("bad id {}", v.id))
        })
        .collect()
}

#[test]
fn sql92_vectors_cover_r1_to_r114() {
    let vectors = load("sql92_vectors.tsv");
    assert_eq!(numbers(&vectors, 'R'), (1..=114).collect());
}

#[test]
fn jms_vectors_cover_j1_to_j95() {
    let vectors = load("jms_vectors.tsv");
    assert_eq!(numbers(&vectors, 'J'), (1..=95).collect());
}

#[test]
fn sql92_vectors_pass_through_the_cli_stream() {
    let vectors = load("sql92_vectors.tsv");
    let failures = stream_mismatches(Dialect::Sql92, &vectors);
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n")
    );
}

#[test]
fn jms_vectors_pass_through_the_cli_stream() {
    let vectors = load("jms_vectors.tsv");
    let failures = stream_mismatches(Dialect::Jms, &vectors);
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n")
    );
}

#[test]
fn sql92_vectors_give_upstreams_exact_outcome() {
    let vectors = load("sql92_vectors.tsv");
    let failures = outcome_mismatches(Dialect::Sql92, &vectors);
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n")
    );
}

#[test]
fn jms_vectors_give_the_expected_outcome() {
    let vectors = load("jms_vectors.tsv");
    let failures = outcome_mismatches(Dialect::Jms, &vectors);
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n")
    );
}
