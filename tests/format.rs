//! The model file format: every shipped example loads, validates and round-trips byte for byte,
//! and malformed files fail with the right line, column and sentence, whatever the bytes.

use std::path::{Path, PathBuf};

use causeway::model::{
    AvroDefault, FaultKind, KeyDistribution, LoadError, Model, RateProcess, Severity,
    SizeDistribution, TimeDistribution, load, load_bytes, save, validate,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

// ---------------------------------------------------------------------------------------------
// Helpers

fn models_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models")
}

/// Every `.ron` file in `models/`, as (file name, text), sorted by name.
fn example_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(models_dir())
        .expect("models/ is readable")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "ron"))
        .map(|path| {
            let name = path
                .file_name()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{name} is not readable UTF-8: {e}"));
            (name, text)
        })
        .collect();
    files.sort();
    assert!(
        files.iter().any(|(name, _)| name == "order-pipeline.ron"),
        "models/ holds the order-pipeline example"
    );
    files
}

fn order_pipeline() -> String {
    std::fs::read_to_string(models_dir().join("order-pipeline.ron")).expect("the example exists")
}

/// `text` with `from` replaced by `to`, where `from` occurs exactly once.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "`{from}` occurs exactly once in the text"
    );
    text.replacen(from, to, 1)
}

/// The 1-based (line, column in characters) of the first occurrence of `needle` in `text`.
fn position_of(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).expect("the needle occurs in the text");
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.chars().rev().take_while(|&c| c != '\n').count() + 1;
    (line, column)
}

fn load_err(text: &str) -> LoadError {
    match load(text) {
        Ok(model) => panic!("expected a load error, got a model named {:?}", model.name),
        Err(err) => err,
    }
}

fn load_bytes_err(bytes: &[u8]) -> LoadError {
    match load_bytes(bytes) {
        Ok(model) => panic!("expected a load error, got a model named {:?}", model.name),
        Err(err) => err,
    }
}

/// A small, valid, hand-written model with one topic, in canonical layout.
const TOPIC_FILE: &str = "(
    format: 1,
    name: \"m\",
    topics: [
        (
            id: \"orders\",
            partitions: 12,
            replication_factor: 3,
            min_insync_replicas: 2,
            cleanup_policy: Delete,
        ),
    ],
)
";

#[test]
fn the_small_hand_written_model_loads() {
    let model = load(TOPIC_FILE).expect("loads");
    assert_eq!(model.topics.len(), 1);
    assert_eq!(model.topics[0].partitions, 12);
}

// ---------------------------------------------------------------------------------------------
// The examples

#[test]
fn every_example_loads_and_has_no_errors() {
    for (name, text) in example_files() {
        let model = load(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let errors: Vec<String> = validate(&model)
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| format!("[{}] {}", d.code, d.message))
            .collect();
        assert!(errors.is_empty(), "{name} has errors: {errors:#?}");
    }
}

#[test]
fn every_example_is_saved_in_canonical_form_byte_for_byte() {
    for (name, text) in example_files() {
        let model = load(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let saved = save(&model);
        if saved != text {
            let diverge = saved
                .lines()
                .zip(text.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| saved.lines().count().min(text.lines().count()));
            panic!(
                "{name} is not in canonical form: first difference on line {}:\n  file:  {:?}\n  saved: {:?}",
                diverge + 1,
                text.lines().nth(diverge),
                saved.lines().nth(diverge)
            );
        }
    }
}

#[test]
fn every_example_reloads_to_an_equal_model_after_saving() {
    for (name, text) in example_files() {
        let model = load(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let again = load(&save(&model)).unwrap_or_else(|e| panic!("{name} after save: {e}"));
        assert_eq!(again, model, "{name}");
    }
}

#[test]
fn windows_line_endings_load_to_the_same_model() {
    for (name, text) in example_files() {
        let crlf = text.replace('\n', "\r\n");
        let model = load(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let from_crlf = load(&crlf).unwrap_or_else(|e| panic!("{name} with CRLF: {e}"));
        assert_eq!(from_crlf, model, "{name}");
        assert_eq!(save(&from_crlf), text, "{name}: saving normalises to LF");
    }
}

#[test]
fn save_writes_four_space_indents_fields_in_order_and_a_trailing_newline() {
    let model = load("(format: 1, name: \"tiny\", description: \"d\")").expect("loads");
    let text = save(&model);
    assert!(
        text.starts_with("(\n    format: 1,\n    name: \"tiny\",\n    description: \"d\",\n"),
        "{text}"
    );
    assert!(text.ends_with(")\n"), "{text}");
    assert!(!text.ends_with("\n\n"), "{text}");
}

#[test]
fn strings_with_quotes_backslashes_and_newlines_round_trip() {
    let mut model = load(TOPIC_FILE).expect("loads");
    model.description = "say \"hi\" \\ then \"#raw\"## end\nline two\ttab é ✓".to_owned();
    model.notes = vec![
        "ends with a quote\"".to_owned(),
        "#".to_owned(),
        String::new(),
    ];
    let text = save(&model);
    assert_eq!(load(&text).expect("reloads"), model, "{text}");
}

// ---------------------------------------------------------------------------------------------
// Malformed files: the right line, column and sentence

#[test]
fn a_truncated_file_says_it_ends_early_where_it_ends() {
    let text = order_pipeline();
    // Cut in the middle of the file, just after a complete value.
    let cut = text
        .find("        (\n            id: \"payment-commands\"")
        .expect("present");
    let truncated = text[..cut].trim_end();
    let err = load_err(truncated);
    let line = truncated.lines().count();
    let column = truncated.lines().last().expect("a line").chars().count() + 1;
    assert_eq!((err.line, err.column), (line, column), "{err}");
    assert!(err.message.contains("ends early"), "{err}");
    assert!(err.message.contains("not closed"), "{err}");
}

#[test]
fn a_file_cut_at_any_line_says_it_ends_early_just_after_its_last_character() {
    for (name, text) in example_files() {
        // About 150 cuts per file, spread over it, keep the test fast on large examples.
        let step = (text.lines().count() / 150).max(1);
        let mut cut = 0;
        for (i, line) in text.split_inclusive('\n').enumerate() {
            cut += line.len();
            if cut == text.len() {
                break;
            }
            if i % step != 0 {
                continue;
            }
            let prefix = &text[..cut];
            let err = load_err(prefix);
            let trimmed = prefix.trim_end();
            let line = trimmed.lines().count();
            let column = trimmed.lines().last().expect("a line").chars().count() + 1;
            assert_eq!(
                (err.line, err.column),
                (line, column),
                "{name} cut after {cut} bytes: {err}"
            );
            assert!(
                err.message.contains("ends early"),
                "{name} cut after {cut} bytes: {err}"
            );
        }
    }
}

#[test]
fn a_file_cut_inside_a_number_points_after_the_number() {
    let text = replace_once(TOPIC_FILE, "partitions: 12,", "partitions: 12");
    let cut = &text[..text.find("partitions: 12").expect("present") + "partitions: 12".len()];
    let err = load_err(cut);
    assert_eq!((err.line, err.column), (7, 27), "{err}");
    assert!(err.message.contains("ends early"), "{err}");
}

#[test]
fn a_file_cut_inside_a_string_points_at_the_open_string() {
    let err = load_err("(\n    format: 1,\n    name: \"an unfinished na");
    assert_eq!((err.line, err.column), (3, 11), "{err}");
    assert!(err.message.contains("end of string"), "{err}");
}

#[test]
fn a_string_where_a_number_belongs_is_reported_at_the_string() {
    let text = replace_once(TOPIC_FILE, "partitions: 12,", "partitions: \"twelve\",");
    let err = load_err(&text);
    // `            partitions: "twelve",`: the string starts in column 25.
    assert_eq!((err.line, err.column), (7, 25), "{err}");
    assert_eq!(err.message, "expected integer");
}

#[test]
fn a_wrong_type_after_a_comment_or_extra_spaces_is_reported_at_the_value() {
    let text = replace_once(
        TOPIC_FILE,
        "partitions: 12,",
        "partitions: /* twelve */   true,",
    );
    let err = load_err(&text);
    assert_eq!((err.line, err.column), (7, 40), "{err}");
    assert!(err.message.contains("integer"), "{err}");

    let text = replace_once(
        TOPIC_FILE,
        "partitions: 12,",
        "partitions: // twelve\n  \"12\",",
    );
    let err = load_err(&text);
    assert_eq!((err.line, err.column), (8, 3), "{err}");
}

#[test]
fn a_number_where_a_string_belongs_is_reported_at_the_number() {
    let err = load_err("(\n    format: 1,\n    name: \"ééé\", description: 5,\n)\n");
    // Columns count characters, not bytes: `5` is the 31st character of the line.
    assert_eq!((err.line, err.column), (3, 31), "{err}");
    assert!(err.message.contains("expected string"), "{err}");
}

#[test]
fn an_unknown_field_is_named_with_the_fields_expected_there() {
    let text = replace_once(TOPIC_FILE, "partitions: 12,", "partitons: 12,");
    let err = load_err(&text);
    assert_eq!((err.line, err.column), (7, 13), "{err}");
    assert!(err.message.contains("unknown field `partitons`"), "{err}");
    assert!(err.message.contains("in topic"), "{err}");
    for expected in [
        "id",
        "partitions",
        "replication_factor",
        "min_insync_replicas",
        "retention",
        "cleanup_policy",
        "event_types",
        "subject_strategy",
    ] {
        assert!(err.message.contains(expected), "{expected}: {err}");
    }
}

#[test]
fn an_unknown_field_of_the_model_names_the_model_fields() {
    let err = load_err("(\n    format: 1,\n    name: \"m\",\n    toppics: [],\n)\n");
    assert_eq!((err.line, err.column), (4, 5), "{err}");
    assert!(
        err.message.starts_with("unknown field `toppics` in model"),
        "{err}"
    );
    assert!(
        err.message.contains("topics, producers, consumer_groups"),
        "{err}"
    );
}

#[test]
fn an_unknown_enum_variant_is_named_with_the_variants_expected() {
    let text = replace_once(
        TOPIC_FILE,
        "cleanup_policy: Delete,",
        "cleanup_policy: Shred,",
    );
    let err = load_err(&text);
    assert_eq!((err.line, err.column), (10, 29), "{err}");
    assert_eq!(
        err.message,
        "unknown value `Shred` for cleanup policy; expected one of: Delete, Compact, CompactDelete"
    );
}

#[test]
fn an_unknown_variant_deep_in_the_example_is_found_on_its_line() {
    let text = order_pipeline();
    let bad = replace_once(&text, "assignor: cooperative_sticky,", "assignor: sticky,");
    let err = load_err(&bad);
    let (line, column) = position_of(&bad, "sticky,");
    assert_eq!((err.line, err.column), (line, column), "{err}");
    assert!(err.message.contains("unknown value `sticky`"), "{err}");
    assert!(
        err.message
            .contains("range, round_robin, cooperative_sticky"),
        "{err}"
    );
}

#[test]
fn a_missing_required_field_is_named() {
    let text = replace_once(TOPIC_FILE, "            partitions: 12,\n", "");
    let err = load_err(&text);
    assert!(
        err.message.contains("missing field `partitions` in topic"),
        "{err}"
    );
    // Reported where the topic closes, once every field it has was read.
    assert_eq!((err.line, err.column), (10, 9), "{err}");
}

#[test]
fn a_field_written_twice_is_reported_at_the_second() {
    let err = load_err("(\n    format: 1,\n    name: \"a\",\n    name: \"b\",\n)\n");
    assert_eq!((err.line, err.column), (4, 5), "{err}");
    assert_eq!(err.message, "field `name` appears twice");
}

#[test]
fn text_after_the_model_is_reported_where_it_starts() {
    let err = load_err("(\n    format: 1,\n    name: \"m\",\n)\n\n   )\n");
    assert_eq!((err.line, err.column), (6, 4), "{err}");
    assert!(err.message.contains("trailing"), "{err}");
}

#[test]
fn binary_garbage_is_refused_at_the_start() {
    // A PNG header: its first byte is not UTF-8.
    let err = load_bytes_err(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    assert_eq!((err.line, err.column), (1, 1), "{err}");
    assert!(err.message.contains("not UTF-8"), "{err}");

    // An ELF header is valid UTF-8 but not a model.
    let err = load_bytes_err(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
    assert_eq!((err.line, err.column), (1, 1), "{err}");
    assert!(err.message.contains("expected opening `(`"), "{err}");
}

#[test]
fn invalid_utf8_is_reported_at_the_offending_byte() {
    let text = order_pipeline();
    let at = text
        .find("A customer completed checkout.")
        .expect("present");
    let mut bytes = text.as_bytes().to_vec();
    bytes.insert(at + 2, 0xff);
    let err = load_bytes_err(&bytes);
    let (line, column) = position_of(&text, "A customer completed checkout.");
    assert_eq!((err.line, err.column), (line, column + 2), "{err}");
    assert!(err.message.contains("not UTF-8"), "{err}");

    // A multi-byte character cut short, after other multi-byte characters on the line.
    let err = load_bytes_err(b"(\n  format: 1,\n  name: \"\xc3\xa9\xc3\xa9\xe2\x82\",\n)");
    assert_eq!((err.line, err.column), (3, 12), "{err}");
}

#[test]
fn a_number_too_large_for_its_field_is_reported_at_the_number() {
    let text = replace_once(TOPIC_FILE, "partitions: 12,", "partitions: 99999999999,");
    let err = load_err(&text);
    assert_eq!((err.line, err.column), (7, 25), "{err}");
    assert!(err.message.contains("too large"), "{err}");

    // u64 fields overflow too.
    let text = replace_once(
        TOPIC_FILE,
        "cleanup_policy: Delete,",
        "retention: (time_ms: 99999999999999999999999),",
    );
    let err = load_err(&text);
    assert_eq!((err.line, err.column), (10, 34), "{err}");
    assert!(err.message.contains("too large"), "{err}");

    // The last thing in a cut file, the number is still what is wrong.
    let text = &text[..text.find("99999999999999999999999").expect("present") + 23];
    let err = load_err(text);
    assert_eq!((err.line, err.column), (10, 34), "{err}");
    assert!(err.message.contains("too large"), "{err}");
}

#[test]
fn a_negative_number_for_an_unsigned_field_is_reported_at_its_sign() {
    let text = replace_once(TOPIC_FILE, "partitions: 12,", "partitions: -3,");
    let err = load_err(&text);
    assert_eq!((err.line, err.column), (7, 25), "{err}");
    assert!(err.message.contains("negative"), "{err}");
}

#[test]
fn a_missing_format_is_explained_with_the_fix() {
    let err = load_err("(\n    name: \"m\",\n)\n");
    assert_eq!((err.line, err.column), (1, 1), "{err}");
    assert_eq!(
        err.message,
        "the file has no `format` field; add `format: 1,` as the first field"
    );
}

#[test]
fn a_future_format_is_refused_at_the_format_field() {
    let text = replace_once(&order_pipeline(), "    format: 1,\n", "    format: 2,\n");
    let err = load_err(&text);
    assert_eq!((err.line, err.column), (2, 5), "{err}");
    assert!(err.message.contains("format 2"), "{err}");
    assert!(err.message.contains("newer Causeway"), "{err}");
    assert!(err.message.contains("reads format 1"), "{err}");

    // Even with fields this build does not know: the version is the first thing to say.
    let err = load_err("(\n    name: \"m\",\n    format: 2,\n    hyperdrive: true,\n)\n");
    assert_eq!((err.line, err.column), (3, 5), "{err}");
    assert!(err.message.contains("newer Causeway"), "{err}");
}

#[test]
fn a_future_format_on_one_line_is_reported_at_the_field_not_in_a_string() {
    let err = load_err("(name: \"format: 9\", format: 2)");
    assert_eq!((err.line, err.column), (1, 21), "{err}");
    assert!(err.message.contains("format 2"), "{err}");
}

#[test]
fn an_unknown_older_format_is_refused() {
    let err = load_err("(\n    format: 0,\n    name: \"m\",\n)\n");
    assert_eq!((err.line, err.column), (2, 5), "{err}");
    assert!(err.message.contains("unknown format 0"), "{err}");
}

#[test]
fn a_format_too_large_for_a_number_is_reported_at_the_number() {
    let err = load_err("(\n    format: 99999999999,\n    name: \"m\",\n)\n");
    assert_eq!((err.line, err.column), (2, 13), "{err}");
    assert!(err.message.contains("too large"), "{err}");
}

#[test]
fn an_empty_file_says_it_is_empty() {
    for text in ["", "   ", "\n\n", " \t\r\n "] {
        let err = load_err(text);
        assert_eq!((err.line, err.column), (1, 1), "{text:?}: {err}");
        assert!(err.message.contains("the file is empty"), "{text:?}: {err}");
    }
}

#[test]
fn deeply_nested_brackets_are_refused_without_overflowing_the_stack() {
    // Nesting the types allow: an array of arrays of … of ints.
    let depth = 10_000;
    let text = format!(
        "(format: 1, name: \"x\", event_types: [(id: \"E\", versions: [(fields: [(name: \"f\", \
         type: {}Int{})])])])",
        "Array(".repeat(depth),
        ")".repeat(depth)
    );
    let err = load_err(&text);
    assert_eq!(err.line, 1, "{err}");
    assert!(err.message.contains("nests too deeply"), "{err}");
    // The limit is hit inside the nesting, well before its end.
    let start = text.find("Array(").expect("present");
    assert!(
        err.column > start && err.column < start + depth * 6,
        "{err}"
    );

    // Brackets nested in a field the model does not have.
    let text = format!(
        "(format: 1, name: \"x\", bogus: {}{})",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let err = load_err(&text);
    assert_eq!((err.line, err.column), (1, 24), "{err}");
    assert!(err.message.contains("unknown field `bogus`"), "{err}");

    // Parentheses where a string belongs, never closed.
    let text = format!(
        "(format: 1, name: \"x\", description: {}",
        "(".repeat(100_000)
    );
    let err = load_err(&text);
    assert_eq!((err.line, err.column), (1, 37), "{err}");
    assert!(err.message.contains("expected string"), "{err}");

    // Nothing but brackets.
    let err = load_err(&"[".repeat(100_000));
    assert_eq!((err.line, err.column), (1, 1), "{err}");
}

#[test]
fn a_load_error_displays_as_line_column_message() {
    let err = load_err("(\n    format: 1,\n    name: 5,\n)\n");
    assert_eq!(err.to_string(), "3:11: expected string");
}

// ---------------------------------------------------------------------------------------------
// Properties

/// Snippets that stress the parser when dropped into a model file.
const SNIPPETS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "\"",
    "'",
    "\\",
    "r#\"",
    "\"#",
    "//",
    "/*",
    "*/",
    "\n",
    "\r\n",
    "\t",
    "\0",
    "\u{feff}",
    "é",
    "✓",
    "𝄞",
    "-",
    "+",
    "0x",
    "0b",
    "1e999",
    "99999999999999999999999",
    "-1",
    "NaN",
    "inf",
    ".5",
    "1_000",
    "Some(",
    "None",
    "()",
    "true",
    "b\"",
    "#![enable(implicit_some)]",
    "format: 2,",
    "format: 1,",
    "name: \"n\",",
    "id: \"orders\",",
    "partitions: 0,",
    "Array(",
    "Union([",
    "Weighted([",
];

#[derive(Debug, Clone)]
enum Mutation {
    FlipBit {
        at: prop::sample::Index,
        bit: u8,
    },
    Delete {
        at: prop::sample::Index,
        len: usize,
    },
    InsertBytes {
        at: prop::sample::Index,
        bytes: Vec<u8>,
    },
    InsertSnippet {
        at: prop::sample::Index,
        snippet: prop::sample::Index,
    },
    Truncate {
        at: prop::sample::Index,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<prop::sample::Index>(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        (any::<prop::sample::Index>(), 1usize..64)
            .prop_map(|(at, len)| Mutation::Delete { at, len }),
        (
            any::<prop::sample::Index>(),
            prop::collection::vec(any::<u8>(), 1..8)
        )
            .prop_map(|(at, bytes)| Mutation::InsertBytes { at, bytes }),
        (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(at, snippet)| Mutation::InsertSnippet { at, snippet }),
        any::<prop::sample::Index>().prop_map(|at| Mutation::Truncate { at }),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let len = bytes.len();
    match mutation {
        Mutation::FlipBit { at, bit } => {
            if len > 0 {
                bytes[at.index(len)] ^= 1 << bit;
            }
        }
        Mutation::Delete { at, len: n } => {
            if len > 0 {
                let start = at.index(len);
                bytes.drain(start..(start + n).min(len));
            }
        }
        Mutation::InsertBytes { at, bytes: new } => {
            let start = at.index(len + 1);
            bytes.splice(start..start, new.iter().copied());
        }
        Mutation::InsertSnippet { at, snippet } => {
            let start = at.index(len + 1);
            let snippet = SNIPPETS[snippet.index(SNIPPETS.len())].as_bytes();
            bytes.splice(start..start, snippet.iter().copied());
        }
        Mutation::Truncate { at } => bytes.truncate(at.index(len + 1)),
    }
}

/// Whether (line, column) names a character of `text`, or the position just after a line's end.
fn within_bounds(text: &str, line: usize, column: usize) -> bool {
    line >= 1
        && column >= 1
        && text
            .split('\n')
            .nth(line - 1)
            .is_some_and(|l| column <= l.chars().count() + 1)
}

#[test]
fn within_bounds_accepts_positions_in_and_just_after_lines_only() {
    assert!(within_bounds("ab\ncd", 1, 3));
    assert!(within_bounds("ab\ncd", 2, 1));
    assert!(within_bounds("ab\n", 2, 1));
    assert!(!within_bounds("ab\ncd", 1, 4));
    assert!(!within_bounds("ab\ncd", 3, 1));
    assert!(!within_bounds("ab", 0, 1));
    assert!(!within_bounds("ab", 1, 0));
}

#[test]
fn mutated_examples_never_panic_and_errors_point_inside_the_text() {
    for (name, text) in example_files() {
        let mut runner = TestRunner::new(Config {
            cases: 192,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&prop::collection::vec(mutation(), 1..6), |mutations| {
            let mut bytes = text.as_bytes().to_vec();
            for m in &mutations {
                apply(&mut bytes, m);
            }
            match load_bytes(&bytes) {
                Ok(model) => {
                    // Whatever loads saves in a stable canonical form.
                    let saved = save(&model);
                    let again = load(&saved)
                        .map_err(|e| TestCaseError::fail(format!("save did not reload: {e}")))?;
                    prop_assert_eq!(save(&again), saved);
                }
                Err(err) => {
                    let shown = String::from_utf8_lossy(&bytes);
                    prop_assert!(
                        within_bounds(&shown, err.line, err.column),
                        "{}:{} is outside the text ({} lines)",
                        err.line,
                        err.column,
                        shown.split('\n').count()
                    );
                    prop_assert!(!err.message.trim().is_empty());
                }
            }
            Ok(())
        });
        if let Err(failure) = result {
            panic!("{name}: {failure}");
        }
    }
}

/// Values for integer fields: the edges and anything between.
fn integer() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0),
        Just(1),
        Just(u64::from(u32::MAX)),
        Just(u64::MAX),
        0u64..100_000,
        any::<u64>(),
    ]
}

/// Values for float fields: every finite double, with the awkward ones favoured.
fn float() -> impl Strategy<Value = f64> {
    use proptest::num::f64 as f;
    prop_oneof![
        Just(0.0),
        Just(-0.0),
        Just(0.1),
        Just(1.0 / 3.0),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        Just(5e-324),
        Just(1e21),
        f::NORMAL | f::SUBNORMAL | f::ZERO | f::POSITIVE | f::NEGATIVE,
    ]
}

/// Hands out values from the generated pools in turn.
struct Pools {
    ints: Vec<u64>,
    floats: Vec<f64>,
    next_int: usize,
    next_float: usize,
}

impl Pools {
    fn u64(&mut self) -> u64 {
        let v = self.ints[self.next_int % self.ints.len()];
        self.next_int += 1;
        v
    }

    fn u32(&mut self) -> u32 {
        let v = self.u64();
        u32::try_from(v).unwrap_or((v % (u64::from(u32::MAX) + 1)) as u32)
    }

    fn f64(&mut self) -> f64 {
        let v = self.floats[self.next_float % self.floats.len()];
        self.next_float += 1;
        v
    }

    fn f32(&mut self) -> f32 {
        let v = self.f64() as f32;
        if v.is_finite() { v } else { f32::MAX }
    }

    fn time(&mut self, dist: &mut TimeDistribution) {
        match dist {
            TimeDistribution::Constant { ms } => *ms = self.f64(),
            TimeDistribution::Uniform { min_ms, max_ms } => {
                *min_ms = self.f64();
                *max_ms = self.f64();
            }
            TimeDistribution::Exponential { mean_ms } => *mean_ms = self.f64(),
            TimeDistribution::LogNormal { median_ms, sigma } => {
                *median_ms = self.f64();
                *sigma = self.f64();
            }
        }
    }
}

/// Replaces every numeric field of `model` it knows with values from the pools.
fn mutate_numbers(model: &mut Model, pools: &mut Pools) {
    let cluster = &mut model.cluster;
    cluster.network_latency_ms = pools.f64();
    cluster.replica_lag_time_max_ms = pools.u64();
    for broker in &mut cluster.brokers {
        broker.id = pools.u32();
        broker.write_mb_per_s = pools.f64();
    }
    for event in &mut model.event_types {
        for version in &mut event.versions {
            for field in &mut version.fields {
                match &mut field.default {
                    Some(AvroDefault::Int(i)) => *i = pools.u64() as i64,
                    Some(AvroDefault::Float(f)) => *f = pools.f64(),
                    _ => {}
                }
            }
        }
    }
    for topic in &mut model.topics {
        topic.partitions = pools.u32();
        topic.replication_factor = pools.u32();
        topic.min_insync_replicas = pools.u32();
        topic.retention.time_ms = Some(pools.u64()).filter(|v| v % 5 != 0);
        topic.retention.bytes = Some(pools.u64()).filter(|v| v % 3 == 0);
    }
    for producer in &mut model.producers {
        match &mut producer.rate {
            RateProcess::Constant { per_second } | RateProcess::Poisson { per_second } => {
                *per_second = pools.f64();
            }
            RateProcess::Bursts {
                base_per_second,
                burst_per_second,
                every_ms,
                length_ms,
            } => {
                *base_per_second = pools.f64();
                *burst_per_second = pools.f64();
                *every_ms = pools.u64();
                *length_ms = pools.u64();
            }
            RateProcess::Schedule(steps) => {
                for step in steps {
                    step.from_ms = pools.u64();
                    step.per_second = pools.f64();
                }
            }
        }
        match &mut producer.keys {
            KeyDistribution::Uniform { keys, .. } | KeyDistribution::Sequential { keys, .. } => {
                *keys = pools.u64();
            }
            KeyDistribution::Zipf { keys, exponent, .. } => {
                *keys = pools.u64();
                *exponent = pools.f64();
            }
            KeyDistribution::Weighted(list) => {
                for key in list {
                    key.weight = pools.f64();
                }
            }
            KeyDistribution::Null => {}
        }
        match &mut producer.record_size {
            SizeDistribution::Constant { bytes } => *bytes = pools.u32(),
            SizeDistribution::Uniform { min, max } => {
                *min = pools.u32();
                *max = pools.u32();
            }
            SizeDistribution::Normal { mean, std_dev } => {
                *mean = pools.f64();
                *std_dev = pools.f64();
            }
        }
        producer.retries = pools.u32();
        producer.max_in_flight_requests = pools.u32();
        producer.linger_ms = pools.f64();
        producer.batch_size_bytes = pools.u32();
    }
    for group in &mut model.consumer_groups {
        group.members = pools.u32();
        group.concurrency = pools.u32();
        group.max_poll_records = pools.u32();
        group.max_poll_interval_ms = pools.u64();
        group.session_timeout_ms = pools.u64();
        pools.time(&mut group.processing_time);
        group.failures.probability = pools.f64();
        group.retry.max_attempts = pools.u32();
        group.retry.jitter = pools.f64();
        for reaction in &mut group.reactions {
            reaction.probability = pools.f64();
            reaction.fan_out = pools.u32();
        }
    }
    for saga in &mut model.sagas {
        if let causeway::model::Coordination::Orchestrated { steps, .. } = &mut saga.coordination {
            for step in steps {
                step.timeout_ms = pools.u64();
            }
        }
    }
    for projection in &mut model.projections {
        pools.time(&mut projection.write_latency);
        projection.queries_per_second = pools.f64();
    }
    for store in &mut model.event_stores {
        store.aggregates = pools.u64();
        store.commands_per_second = pools.f64();
        store.writers = pools.u32();
        store.snapshot_every = Some(pools.u32()).filter(|v| v % 2 == 0);
        store.conflict_retries = pools.u32();
        pools.time(&mut store.append_latency);
        pools.time(&mut store.read_latency_per_event);
    }
    for scenario in &mut model.scenarios {
        scenario.seed = pools.u64();
        scenario.duration_ms = pools.u64();
        for fault in &mut scenario.faults {
            fault.at_ms = pools.u64();
            match &mut fault.kind {
                FaultKind::BrokerCrash { broker } | FaultKind::BrokerRestart { broker } => {
                    *broker = pools.u32();
                }
                FaultKind::ErrorSpike {
                    probability,
                    duration_ms,
                    ..
                } => {
                    *probability = pools.f64();
                    *duration_ms = pools.u64();
                }
                FaultKind::Slowdown {
                    factor,
                    duration_ms,
                    ..
                }
                | FaultKind::ProducerBurst {
                    factor,
                    duration_ms,
                    ..
                } => {
                    *factor = pools.f64();
                    *duration_ms = pools.u64();
                }
                _ => {}
            }
        }
    }
    for position in model.layout.positions.values_mut() {
        position.x = pools.f32();
        position.y = pools.f32();
    }
    for note in &mut model.layout.notes {
        note.position.x = pools.f32();
        note.position.y = pools.f32();
    }
}

#[test]
fn models_with_mutated_numbers_survive_save_and_load() {
    for (name, text) in example_files() {
        let base = load(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut runner = TestRunner::new(Config {
            cases: 96,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(
            &(
                prop::collection::vec(integer(), 1..40),
                prop::collection::vec(float(), 1..40),
            ),
            |(ints, floats)| {
                let mut model = base.clone();
                let mut pools = Pools {
                    ints,
                    floats,
                    next_int: 0,
                    next_float: 0,
                };
                mutate_numbers(&mut model, &mut pools);
                let saved = save(&model);
                let again =
                    load(&saved).map_err(|e| TestCaseError::fail(format!("{e}\n{saved}")))?;
                prop_assert_eq!(&again, &model);
                prop_assert_eq!(save(&again), saved);
                Ok(())
            },
        );
        if let Err(failure) = result {
            panic!("{name}: {failure}");
        }
    }
}

#[test]
fn the_number_mutator_changes_numbers() {
    let base = load(&order_pipeline()).expect("loads");
    let mut model = base.clone();
    let mut pools = Pools {
        ints: vec![424_242],
        floats: vec![0.125],
        next_int: 0,
        next_float: 0,
    };
    mutate_numbers(&mut model, &mut pools);
    assert_ne!(model, base);
    assert_eq!(model.topics[0].partitions, 424_242);
    assert_eq!(model.cluster.brokers[0].write_mb_per_s, 0.125);
    assert!(pools.next_int > 20 && pools.next_float > 20);
}
