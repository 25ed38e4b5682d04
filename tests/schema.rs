//! `causeway schema` and `causeway export avro`, run as a user runs them: every command and
//! exit code (0 compatible or written, 1 findings, 2 unreadable input or bad arguments).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

fn causeway() -> Command {
    Command::cargo_bin("causeway").expect("the causeway binary is built")
}

fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write the test file");
    path
}

fn record(fields: &str) -> String {
    format!(r#"{{"type": "record", "name": "Order", "namespace": "shop", "fields": [{fields}]}}"#)
}

const ID: &str = r#"{"name": "id", "type": "string"}"#;
const CURRENCY: &str = r#"{"name": "currency", "type": "string"}"#;

#[test]
fn compat_exits_0_when_the_reader_reads_the_writers_data() {
    let dir = TempDir::new().expect("temp dir");
    let v1 = write(&dir, "v1.avsc", &record(ID));
    let v2 = write(&dir, "v2.avsc", &record(&format!("{ID}, {CURRENCY}")));
    // Old readers skip the new field.
    causeway()
        .args(["schema", "compat", "--writer"])
        .arg(&v2)
        .arg("--reader")
        .arg(&v1)
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("compatible: a reader with"));
}

#[test]
fn compat_exits_1_with_the_reasons_and_the_field_path() {
    let dir = TempDir::new().expect("temp dir");
    let v1 = write(&dir, "v1.avsc", &record(ID));
    let v2 = write(&dir, "v2.avsc", &record(&format!("{ID}, {CURRENCY}")));
    causeway()
        .args(["schema", "compat", "--writer"])
        .arg(&v1)
        .arg("--reader")
        .arg(&v2)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "  - field `currency` is in the reader's schema but not in the writer's, and has no \
             default",
        ));
}

#[test]
fn compat_exits_2_naming_a_file_that_cannot_be_read_or_parsed() {
    let dir = TempDir::new().expect("temp dir");
    let good = write(&dir, "good.avsc", &record(ID));
    let missing = dir.path().join("missing.avsc");
    let not_json = write(&dir, "not-json.avsc", "{ nope");
    let not_avro = write(&dir, "not-avro.avsc", r#"{"type": "record", "name": "R"}"#);
    let binary = dir.path().join("binary.avsc");
    std::fs::write(&binary, [0xff, 0xfe, 0x00]).expect("written");
    for (bad, words) in [
        (&missing, "cannot read the file"),
        (&not_json, "not valid JSON"),
        (&not_avro, "not a valid Avro schema"),
        (&binary, "not UTF-8"),
    ] {
        causeway()
            .args(["schema", "compat", "--writer"])
            .arg(bad)
            .arg("--reader")
            .arg(&good)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("{}", bad.display())))
            .stderr(predicate::str::contains(words));
    }
}

/// v1 has `x: string`, v2 drops it, v3 brings it back as an int with a default: v3 reads v2
/// but not v1.
fn back_history(dir: &TempDir) -> [PathBuf; 3] {
    [
        write(
            dir,
            "v1.avsc",
            &record(r#"{"name": "x", "type": "string"}"#),
        ),
        write(dir, "v2.avsc", &record("")),
        write(
            dir,
            "v3.avsc",
            &record(r#"{"name": "x", "type": "int", "default": 0}"#),
        ),
    ]
}

#[test]
fn compat_levels_check_the_latest_or_every_earlier_version() {
    let dir = TempDir::new().expect("temp dir");
    let [v1, v2, v3] = back_history(&dir);
    let run = |level: &str| {
        causeway()
            .args(["schema", "compat", "--level", level, "--new"])
            .arg(&v3)
            .arg(&v1)
            .arg(&v2)
            .assert()
    };
    run("BACKWARD").code(0).stdout(predicate::str::contains(
        "may follow 2 earlier versions under BACKWARD",
    ));
    run("BACKWARD_TRANSITIVE")
        .code(1)
        .stdout(predicate::str::contains(format!(
            "field `x`: the writer's string cannot be read as int; consumers on {} cannot read {} \
             records",
            v3.display(),
            v1.display()
        )));
    run("NONE").code(0);
    run("FULL_TRANSITIVE").code(1);
}

#[test]
fn compat_level_with_no_earlier_version_accepts_the_first() {
    let dir = TempDir::new().expect("temp dir");
    let v1 = write(&dir, "v1.avsc", &record(ID));
    causeway()
        .args(["schema", "compat", "--level", "FULL", "--new"])
        .arg(&v1)
        .assert()
        .code(0);
}

#[test]
fn compat_rejects_unknown_levels_and_missing_or_mixed_modes_with_2() {
    let dir = TempDir::new().expect("temp dir");
    let v1 = write(&dir, "v1.avsc", &record(ID));
    causeway()
        .args(["schema", "compat", "--level", "SIDEWAYS", "--new"])
        .arg(&v1)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`SIDEWAYS` is not a compatibility level",
        ));
    causeway()
        .args(["schema", "compat"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("give either --writer"));
    causeway()
        .args(["schema", "compat", "--writer"])
        .arg(&v1)
        .assert()
        .code(2);
    causeway()
        .args(["schema", "compat", "--level", "FULL", "--new"])
        .arg(&v1)
        .arg("--writer")
        .arg(&v1)
        .arg("--reader")
        .arg(&v1)
        .assert()
        .code(2);
}

fn example_models() -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir("models")
        .expect("models/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files
}

#[test]
fn schema_check_passes_every_example_model() {
    for model in example_models() {
        causeway()
            .args(["schema", "check"])
            .arg(&model)
            .assert()
            .code(0)
            .stdout(predicate::str::contains(
                "every history is allowed by its level",
            ));
    }
}

const MODEL: &str = r#"(
    format: 1,
    name: "orders",
    event_types: [
        (id: "OrderPlaced", namespace: "com.shop", versions: [
            (fields: [(name: "id", type: String)]),
            VERSION2
        ]),
    ],
    topics: [
        (id: "TOPIC", partitions: 1, replication_factor: 1, min_insync_replicas: 1,
            event_types: ["OrderPlaced"]),
    ],
)
"#;

fn model(version2: &str, topic: &str) -> String {
    MODEL.replace("VERSION2", version2).replace("TOPIC", topic)
}

const WITH_DEFAULT: &str = r#"(fields: [(name: "id", type: String), (name: "currency", type: String, default: String("EUR"))]),"#;
const WITHOUT_DEFAULT: &str =
    r#"(fields: [(name: "id", type: String), (name: "currency", type: String)]),"#;

#[test]
fn schema_check_exits_1_on_a_history_the_level_forbids() {
    let dir = TempDir::new().expect("temp dir");
    let path = write(&dir, "orders.ron", &model(WITHOUT_DEFAULT, "orders"));
    causeway()
        .args(["schema", "check"])
        .arg(&path)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "subject `orders-value` (BACKWARD): field `currency` added without a default: \
             consumers on OrderPlaced v2 cannot read OrderPlaced v1 records",
        ))
        .stderr(predicate::str::contains("1 schema violation"));
    let good = write(&dir, "good.ron", &model(WITH_DEFAULT, "orders"));
    causeway()
        .args(["schema", "check"])
        .arg(&good)
        .assert()
        .code(0);
}

#[test]
fn schema_check_against_an_old_model_checks_the_new_latest_versions() {
    let dir = TempDir::new().expect("temp dir");
    let old = write(&dir, "old.ron", &model("", "orders"));
    let good = write(&dir, "good.ron", &model(WITH_DEFAULT, "orders"));
    let bad = write(
        &dir,
        "bad.ron",
        &model(r#"(fields: [(name: "id", type: Int)]),"#, "orders"),
    );
    causeway()
        .args(["schema", "check"])
        .arg(&good)
        .arg("--against")
        .arg(&old)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("and may follow the old model"));
    causeway()
        .args(["schema", "check"])
        .arg(&bad)
        .arg("--against")
        .arg(&old)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "field `id`: the writer's string cannot be read as int; consumers on OrderPlaced v2 \
             (new model) cannot read OrderPlaced v1 (old model) records",
        ));
}

#[test]
fn schema_check_against_an_old_model_refuses_edited_published_versions() {
    let dir = TempDir::new().expect("temp dir");
    let old = write(&dir, "old.ron", &model(WITH_DEFAULT, "orders"));
    let edited = write(
        &dir,
        "edited.ron",
        &model(WITH_DEFAULT, "orders").replace(
            r#"(fields: [(name: "id", type: String)]),"#,
            r#"(fields: [(name: "id", type: Long)]),"#,
        ),
    );
    causeway()
        .args(["schema", "check"])
        .arg(&edited)
        .arg("--against")
        .arg(&old)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "subject `orders-value`: version 1 (OrderPlaced v1) was changed since the old model",
        ));
}

#[test]
fn schema_check_exits_2_for_unreadable_models_and_1_for_invalid_schemas() {
    let dir = TempDir::new().expect("temp dir");
    let garbage = write(&dir, "garbage.ron", "(format: 1, name: ");
    causeway()
        .args(["schema", "check"])
        .arg(&garbage)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("garbage.ron:"));
    causeway()
        .args(["schema", "check"])
        .arg(dir.path().join("missing.ron"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read the file"));
    let good = write(&dir, "good.ron", &model("", "orders"));
    causeway()
        .args(["schema", "check"])
        .arg(&good)
        .arg("--against")
        .arg(&garbage)
        .assert()
        .code(2);
    let invalid = write(
        &dir,
        "invalid.ron",
        &model("", "orders").replace("\"OrderPlaced\", namespace", "\"Order Placed\", namespace"),
    );
    causeway()
        .args(["schema", "check"])
        .arg(&invalid)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("is not a valid Avro record name"));
}

/// Every file under `dir`, relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(
                    path.strip_prefix(dir)
                        .expect("inside")
                        .display()
                        .to_string(),
                );
            }
        }
    }
    out.sort();
    out
}

#[test]
fn export_avro_writes_parsable_schemas_and_registry_requests_for_every_example() {
    for model in example_models() {
        let dir = TempDir::new().expect("temp dir");
        let out = dir.path().join("avro");
        causeway()
            .args(["export", "avro"])
            .arg(&model)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(0)
            .stdout(predicate::str::starts_with("wrote "));
        let files = files_under(&out);
        let mut schemas = 0;
        let mut requests = 0;
        for name in &files {
            let text = std::fs::read_to_string(out.join(name)).expect("readable");
            if name.ends_with(".avsc") {
                apache_avro::Schema::parse_str(&text)
                    .unwrap_or_else(|e| panic!("{}: {name}: {e}", model.display()));
                schemas += 1;
            } else {
                assert!(name.starts_with("subjects/"), "{name}");
                let body: serde_json::Value = serde_json::from_str(&text).expect("JSON");
                assert_eq!(body["schemaType"], "AVRO");
                let schema = body["schema"].as_str().expect("the schema as a string");
                apache_avro::Schema::parse_str(schema)
                    .unwrap_or_else(|e| panic!("{}: {name}: {e}", model.display()));
                requests += 1;
            }
        }
        assert!(
            schemas > 0 && requests > 0,
            "{}: {files:?}",
            model.display()
        );
    }
}

#[test]
fn export_avro_names_files_by_full_name_version_and_subject() {
    let dir = TempDir::new().expect("temp dir");
    let path = write(&dir, "orders.ron", &model(WITH_DEFAULT, "orders"));
    let out = dir.path().join("out");
    causeway()
        .args(["export", "avro"])
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "wrote 2 schemas and 2 registry requests for 1 subject",
        ));
    assert_eq!(
        files_under(&out),
        vec![
            "com.shop.OrderPlaced-v1.avsc",
            "com.shop.OrderPlaced-v2.avsc",
            "subjects/orders-value-v1.json",
            "subjects/orders-value-v2.json",
        ]
    );
    let v2: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("com.shop.OrderPlaced-v2.avsc")).expect("readable"),
    )
    .expect("JSON");
    assert_eq!(v2["fields"][1]["default"], "EUR");
    let body: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("subjects/orders-value-v2.json")).expect("readable"),
    )
    .expect("JSON");
    let inner: serde_json::Value =
        serde_json::from_str(body["schema"].as_str().expect("string")).expect("JSON");
    assert_eq!(inner, v2);
}

#[test]
fn hostile_topic_names_cannot_write_outside_the_output_folder() {
    let long = "y".repeat(5_000);
    for (topic, expected) in [
        ("../../x", "subjects/_.._.._x-value-v1.json"),
        ("/tmp/abs", "subjects/_tmp_abs-value-v1.json"),
        ("", "subjects/-value-v1.json"),
        ("..", "subjects/_..-value-v1.json"),
        (long.as_str(), ""),
    ] {
        let dir = TempDir::new().expect("temp dir");
        let path = write(&dir, "m.ron", &model("", topic));
        let out = dir.path().join("a").join("out");
        causeway()
            .args(["export", "avro"])
            .arg(&path)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(0);
        let files = files_under(&out);
        assert_eq!(files.len(), 2, "{files:?}");
        assert_eq!(files[0], "com.shop.OrderPlaced-v1.avsc");
        if expected.is_empty() {
            assert!(files[1].len() < 200, "{}", files[1]);
        } else {
            assert_eq!(files[1], expected);
        }
        // Nothing landed beside the output folder or the model.
        assert_eq!(files_under(dir.path()).len(), 3);
        assert_eq!(files_under(&dir.path().join("a")).len(), 2);
    }
}

#[test]
fn export_avro_refuses_invalid_names_and_writes_nothing() {
    let dir = TempDir::new().expect("temp dir");
    let path = write(
        &dir,
        "m.ron",
        &model("", "orders").replace("\"OrderPlaced\", namespace", "\"../../x\", namespace"),
    );
    let out = dir.path().join("out");
    causeway()
        .args(["export", "avro"])
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "`../../x` is not a valid Avro record name",
        ))
        .stderr(predicate::str::contains("nothing was written"));
    assert!(!out.exists());
    assert_eq!(files_under(dir.path()), vec!["m.ron"]);
}

#[test]
fn export_avro_refuses_a_schema_apache_avro_rejects_that_validation_lets_through() {
    let dir = TempDir::new().expect("temp dir");
    // Validation checks the spelling of a named-type reference, not that the type exists.
    let path = write(
        &dir,
        "m.ron",
        &model(
            r#"(fields: [(name: "id", type: Named("Missing"))]),"#,
            "orders",
        ),
    );
    let out = dir.path().join("out");
    causeway()
        .args(["export", "avro"])
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "event type `OrderPlaced`, version 2: not a valid Avro schema",
        ))
        .stderr(predicate::str::contains("nothing was written"));
    assert!(!out.exists());
}

#[test]
fn export_avro_exits_2_for_an_unreadable_model() {
    let dir = TempDir::new().expect("temp dir");
    causeway()
        .args(["export", "avro"])
        .arg(dir.path().join("missing.ron"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "missing.ron: cannot read the file",
        ));
}

#[test]
fn export_cloudevents_writes_a_conforming_sample_per_event_type_of_every_example() {
    for example in causeway::examples::EXAMPLES {
        let dir = TempDir::new().expect("temp dir");
        let model_path = write(&dir, "model.ron", example.text);
        let out = dir.path().join("ce");
        causeway()
            .args(["export", "cloudevents"])
            .arg(&model_path)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(0)
            .stdout(predicate::str::contains("CloudEvents sample"));
        let model = causeway::model::load(example.text).expect("the example loads");
        let mut seen = 0;
        for event in &model.event_types {
            let schemas = causeway::schema::event_schemas(event).expect("schemas");
            let latest = schemas.last().expect("a version");
            let path = out.join(format!("{}.json", latest.full_name));
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let ce: serde_json::Value = serde_json::from_str(&text).expect("JSON");
            assert_eq!(ce["specversion"], "1.0");
            assert_eq!(ce["type"], latest.full_name.as_str());
            assert_eq!(ce["datacontenttype"], "application/json");
            assert!(ce["id"].as_str().is_some_and(|s| !s.is_empty()));
            assert!(ce["source"].as_str().is_some_and(|s| s.starts_with('/')));
            assert!(ce["time"].as_str().is_some_and(|s| s.ends_with('Z')));
            // Every attribute name is lower-case alphanumeric, as CloudEvents requires.
            for key in ce.as_object().expect("an object").keys() {
                assert!(
                    key.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
                    "{key}"
                );
            }
            assert!(ce.get("correlationid").is_some() && ce.get("causationid").is_some());
            if let Some(uri) = ce["dataschema"].as_str() {
                assert!(
                    uri.starts_with("urn:causeway:schema-registry:subjects:")
                        && uri.contains(":versions:"),
                    "{uri}"
                );
            }
            assert_eq!(
                causeway::export::cloudevents::conforms(&latest.json, &ce["data"]),
                Ok(()),
                "{}",
                path.display()
            );
            seen += 1;
        }
        assert_eq!(seen, model.event_types.len());
    }
}

#[test]
fn export_cloudevents_refuses_an_unreadable_model() {
    let dir = TempDir::new().expect("temp dir");
    let bad = write(&dir, "bad.ron", "(format: 1, name: ");
    causeway()
        .args(["export", "cloudevents"])
        .arg(&bad)
        .arg("--out")
        .arg(dir.path().join("ce"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.ron"));
    assert!(!dir.path().join("ce").exists());
}
