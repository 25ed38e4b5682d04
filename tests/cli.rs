//! The `causeway` binary, run as a user runs it: each subcommand and its exit codes.

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

fn causeway() -> Command {
    Command::cargo_bin("causeway").expect("the causeway binary is built")
}

/// A model with one error (partitions 0) and otherwise production-grade settings.
const ONE_ERROR: &str = r#"(
    format: 1,
    name: "broken",
    event_types: [
        (
            id: "Ping",
            versions: [(fields: [(name: "id", type: Uuid)])],
        ),
    ],
    topics: [
        (
            id: "pings",
            partitions: 0,
            replication_factor: 3,
            min_insync_replicas: 2,
            event_types: ["Ping"],
        ),
    ],
)
"#;

fn write(dir: &TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write the test file");
    path
}

#[test]
fn check_passes_every_example_model() {
    let mut files: Vec<_> = std::fs::read_dir("models")
        .expect("models/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    causeway().arg("check").args(&files).assert().success();
}

#[test]
fn check_reports_errors_with_file_line_and_column_and_exits_1() {
    let dir = TempDir::new().expect("temp dir");
    let path = write(&dir, "broken.ron", ONE_ERROR);
    let expected = format!(
        "{}:13:13: error: topic `pings` has 0 partitions; it needs between 1 and 100000",
        path.display()
    );
    causeway()
        .arg("check")
        .arg(&path)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(expected))
        .stderr(predicate::str::contains("1 error, 0 warnings"));
}

#[test]
fn check_json_gives_machines_positions_codes_and_counts() {
    let dir = TempDir::new().expect("temp dir");
    let path = write(&dir, "broken.ron", ONE_ERROR);
    let output = causeway()
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let report = &json[0];
    assert_eq!(report["errors"], 1);
    let diagnostic = &report["diagnostics"][0];
    assert_eq!(diagnostic["code"], "partitions-range");
    assert_eq!(diagnostic["severity"], "error");
    assert_eq!(diagnostic["element"]["kind"], "topic");
    assert_eq!(diagnostic["element"]["id"], "pings");
    assert_eq!(diagnostic["field"], "partitions");
    assert_eq!(diagnostic["line"], 13);
    assert_eq!(diagnostic["column"], 13);
}

#[test]
fn check_exits_2_on_a_file_that_does_not_parse_and_says_where() {
    let dir = TempDir::new().expect("temp dir");
    let path = write(
        &dir,
        "bad.ron",
        "(\n    format: 1,\n    name: \"x\",\n    topics: [(id: \"t\", partitions: \"many\")],\n)\n",
    );
    causeway()
        .arg("check")
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{}:4:", path.display())))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn check_exits_2_on_a_missing_file() {
    causeway()
        .args(["check", "does/not/exist.ron"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does/not/exist.ron: error:"))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn check_exit_code_2_wins_over_1_across_files() {
    let dir = TempDir::new().expect("temp dir");
    let broken = write(&dir, "broken.ron", ONE_ERROR);
    let garbage = write(&dir, "garbage.ron", "\u{0}\u{1}nonsense");
    causeway()
        .arg("check")
        .arg(&broken)
        .arg(&garbage)
        .assert()
        .code(2);
}

#[test]
fn fmt_rewrites_to_canonical_form_and_check_mode_reports_it() {
    let dir = TempDir::new().expect("temp dir");
    let path = write(&dir, "m.ron", "(format: 1, name: \"m\")");
    causeway()
        .args(["fmt", "--check"])
        .arg(&path)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("not in canonical form"));
    // --check leaves the file alone.
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "(format: 1, name: \"m\")"
    );
    #[cfg(unix)]
    let mode = |path: &std::path::Path| {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(path).expect("stat").permissions().mode() & 0o777
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    }
    causeway().arg("fmt").arg(&path).assert().success();
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(
        text.starts_with("(\n    format: 1,\n    name: \"m\",\n"),
        "{text}"
    );
    // Rewritten in place, it keeps its permissions.
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o640);
    // A new file is not private to its owner like a temporary file (0600).
    #[cfg(unix)]
    {
        let new = dir.path().join("new.ron");
        causeway()
            .args(["new", "order-pipeline", "--out"])
            .arg(&new)
            .assert()
            .success();
        assert_ne!(mode(&new), 0o600);
    }
    causeway()
        .args(["fmt", "--check"])
        .arg(&path)
        .assert()
        .success();
}

#[test]
fn fmt_refuses_a_file_that_does_not_parse_and_leaves_it_untouched() {
    let dir = TempDir::new().expect("temp dir");
    let path = write(&dir, "m.ron", "(format: 1, name: ");
    causeway().arg("fmt").arg(&path).assert().code(2);
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "(format: 1, name: "
    );
}

#[test]
fn example_models_are_already_canonical() {
    let files: Vec<_> = std::fs::read_dir("models")
        .expect("models/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    causeway()
        .args(["fmt", "--check"])
        .args(&files)
        .assert()
        .success();
}

#[test]
fn new_writes_a_model_from_an_example_and_will_not_overwrite() {
    let dir = TempDir::new().expect("temp dir");
    causeway()
        .current_dir(dir.path())
        .args(["new", "my-shop", "--from", "order-pipeline"])
        .assert()
        .success()
        .stdout(predicate::str::contains("wrote my-shop.ron"));
    let text = std::fs::read_to_string(dir.path().join("my-shop.ron")).expect("written");
    let model = causeway::model::load(&text).expect("loads");
    assert_eq!(model.name, "my-shop");
    assert!(model.topic("orders").is_some());

    causeway()
        .current_dir(dir.path())
        .args(["new", "my-shop"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    causeway()
        .current_dir(dir.path())
        .args(["new", "my-shop", "--force"])
        .assert()
        .success();
}

#[test]
fn new_refuses_names_that_are_paths_or_have_control_characters() {
    let dir = TempDir::new().expect("temp dir");
    for (name, says) in [
        ("../escape", "is not a file name"),
        ("models/shop", "is not a file name"),
        ("..", "is not a file name"),
        ("line\nbreak", "contains control characters"),
        (" padded ", "starts or ends with spaces"),
        ("   ", "the model name is empty"),
    ] {
        causeway()
            .current_dir(dir.path())
            .args(["new", name])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("list").count(),
        0,
        "nothing written"
    );
    // With --out, the name is only the model's: a slash is fine there.
    std::fs::create_dir(dir.path().join("models")).expect("mkdir");
    causeway()
        .current_dir(dir.path())
        .args(["new", "shop / v2", "--out", "models/shop.ron"])
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("models/shop.ron")).expect("written");
    assert_eq!(
        causeway::model::load(&text).expect("loads").name,
        "shop / v2"
    );
}

#[test]
fn new_names_the_examples_when_one_is_unknown() {
    causeway()
        .args(["new", "x", "--from", "no-such-example"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no example called `no-such-example`",
        ))
        .stderr(predicate::str::contains("order-pipeline"));
}

#[test]
fn examples_lists_every_example_with_its_summary() {
    let mut assert = causeway().arg("examples").assert().success();
    for example in causeway::examples::EXAMPLES {
        assert = assert.stdout(predicate::str::contains(example.name));
    }
}

#[test]
fn unknown_flags_are_a_usage_error_not_a_panic() {
    causeway()
        .args(["check", "--no-such-flag"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unexpected argument"))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn partition_prints_kafkas_partition_for_each_key() {
    // murmur2("foobar") = -790332482 → & 0x7fffffff = 1357151166 → % 50 = 16; murmur2("") =
    // 275646681 → % 50 = 31 (Kafka's UtilsTest vectors).
    causeway()
        .args(["partition", "--partitions", "50", "foobar", ""])
        .assert()
        .success()
        .stdout("foobar\t16\n\t31\n");
    causeway()
        .args(["partition", "--partitions", "50", "--hex", "0x666f6f626172"])
        .assert()
        .success()
        .stdout("0x666f6f626172\t16\n");
}

#[test]
fn partition_rejects_zero_partitions_and_bad_hex() {
    causeway()
        .args(["partition", "--partitions", "0", "k"])
        .assert()
        .code(2);
    causeway()
        .args(["partition", "--partitions", "3", "--hex", "xyz"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a hex key"));
    // A bad key among good ones: nothing printed, rather than half the answer.
    causeway()
        .args([
            "partition",
            "--partitions",
            "3",
            "--hex",
            "0x666f6f",
            "0xzz",
        ])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("`0xzz` is not a hex key"));
}

#[test]
fn assign_prints_the_round_robin_assignment_as_json() {
    let dir = TempDir::new().expect("temp dir");
    let path = write(
        &dir,
        "group.json",
        r#"{"assignor": "round_robin", "topics": {"t1": 3, "t2": 2}, "members": [
            {"member_id": "consumer1", "group_instance_id": null, "subscription": ["t1"]},
            {"member_id": "consumer2", "group_instance_id": null, "subscription": ["t1", "t2"]},
            {"member_id": "consumer3", "group_instance_id": null, "subscription": ["t1"]}]}"#,
    );
    causeway()
        .arg("assign")
        .arg(&path)
        .assert()
        .success()
        .stdout(
            "{\"consumer1\":[[\"t1\",0]],\"consumer2\":[[\"t1\",1],[\"t2\",0],[\"t2\",1]],\
             \"consumer3\":[[\"t1\",2]]}\n",
        );
}

#[test]
fn assign_range_orders_members_as_java_strings() {
    let dir = TempDir::new().expect("temp dir");
    let path = write(
        &dir,
        "group.json",
        r#"{"assignor": "range", "topics": {"t0": 3}, "members": [
            {"member_id": "c2", "group_instance_id": null, "subscription": ["t0"]},
            {"member_id": "c10", "group_instance_id": null, "subscription": ["t0"]}]}"#,
    );
    causeway()
        .arg("assign")
        .arg(&path)
        .assert()
        .success()
        .stdout("{\"c10\":[[\"t0\",0],[\"t0\",1]],\"c2\":[[\"t0\",2]]}\n");
}

#[test]
fn assign_refuses_more_partitions_than_a_model_may_have() {
    let dir = TempDir::new().expect("temp dir");
    let path = write(
        &dir,
        "group.json",
        r#"{"assignor": "range", "topics": {"t0": 4294967295}, "members": [
            {"member_id": "C0", "group_instance_id": null, "subscription": ["t0"]}]}"#,
    );
    causeway()
        .arg("assign")
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "{}: error: topic `t0` has 4294967295 partitions; Causeway assigns at most 100000 \
             per topic",
            path.display()
        )));
    let topics: Vec<String> = (0..11).map(|i| format!("\"t{i}\": 100000")).collect();
    let path = write(
        &dir,
        "many.json",
        &format!(
            r#"{{"assignor": "cooperative_sticky", "topics": {{{}}}, "members": [
            {{"member_id": "C0", "group_instance_id": null, "subscription": ["t0"]}}]}}"#,
            topics.join(", ")
        ),
    );
    causeway()
        .arg("assign")
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the topics have 1100000 partitions in all; Causeway assigns at most 1000000",
        ));
}

#[test]
fn assign_reports_malformed_json_with_its_position() {
    let dir = TempDir::new().expect("temp dir");
    let path = write(&dir, "group.json", "{\"assignor\": \"sticky\"}");
    causeway()
        .arg("assign")
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{}:1:", path.display())))
        .stderr(predicate::str::contains("unknown variant `sticky`"))
        // The position leads the line, once.
        .stderr(predicate::str::contains(" at line ").not());
    // A topic that is not there: no partitions of it, and a warning.
    let path = write(
        &dir,
        "typo.json",
        r#"{"assignor": "range", "topics": {"orders": 2},
            "members": [{"member_id": "A", "subscription": ["order"]}]}"#,
    );
    causeway()
        .arg("assign")
        .arg(&path)
        .assert()
        .success()
        .stdout("{\"A\":[]}\n")
        .stderr(predicate::str::contains(
            "warning: member `A` subscribes to `order`, which is not among the topics",
        ));
}

#[test]
fn simulate_names_where_a_model_is_wrong_as_check_does() {
    let dir = TempDir::new().expect("temp dir");
    let text = std::fs::read_to_string("benches/canonical.ron").expect("reads");
    let invalid = write(
        &dir,
        "invalid.ron",
        &text.replacen("partitions: 12", "partitions: 0", 1),
    );
    let line = text
        .lines()
        .position(|l| l.contains("partitions: 12"))
        .expect("the benchmark has 12 partitions")
        + 1;
    causeway()
        .arg("simulate")
        .arg(&invalid)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "{}:{line}:",
            invalid.display()
        )))
        .stderr(predicate::str::contains(
            "error: topic `events` has 0 partitions; it needs between 1 and 100000",
        ))
        .stderr(predicate::str::contains(
            "1 error: the model cannot be simulated until it is fixed",
        ));
    // A model read from a pipe (read once) is located all the same.
    #[cfg(unix)]
    causeway()
        .args(["simulate", "/dev/stdin"])
        .write_stdin(text.replacen("partitions: 12", "partitions: 0", 1))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("/dev/stdin:{line}:")));
    let broken = write(&dir, "broken.ron", "(format: 1, name: \"x\",");
    causeway()
        .arg("simulate")
        .arg(&broken)
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(format!(
            "{}:1:",
            broken.display()
        )))
        .stderr(predicate::str::contains(": error: "));
}

#[test]
fn simulate_refuses_to_write_its_trace_over_the_model() {
    let dir = TempDir::new().expect("temp dir");
    let model = dir.path().join("shop.ron");
    std::fs::copy("benches/canonical.ron", &model).expect("copies");
    let before = std::fs::read(&model).expect("reads");
    let link = dir.path().join("link.ron");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&model, &link).expect("links");
    #[cfg(not(unix))]
    std::fs::copy(&model, &link).expect("copies");
    let spelled_otherwise = dir.path().join(".").join("shop.ron");
    let mut targets = vec![model.clone(), spelled_otherwise];
    if cfg!(unix) {
        targets.push(link);
    }
    for trace in targets {
        causeway()
            .args(["simulate", "--produce", "100", "--trace"])
            .arg(&trace)
            .arg(&model)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is the model file itself"));
        assert_eq!(
            std::fs::read(&model).expect("reads"),
            before,
            "{}",
            trace.display()
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_trace_that_cannot_be_written_names_its_file() {
    causeway()
        .args([
            "simulate",
            "benches/canonical.ron",
            "--produce",
            "1000",
            "--trace",
            "/dev/full",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: cannot write the trace file /dev/full: No space left on device",
        ));
    // A trace that cannot even be created fails before the run, with no report.
    let dir = TempDir::new().expect("temp dir");
    let missing = dir.path().join("no-such-dir").join("trace.jsonl");
    causeway()
        .args(["simulate", "benches/canonical.ron", "--json", "--trace"])
        .arg(&missing)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(format!(
            "error: cannot create the trace file {}",
            missing.display()
        )));
}

#[test]
fn simulate_json_reports_the_fields_ci_pipelines_read() {
    let output = causeway()
        .args([
            "simulate",
            "benches/canonical.ron",
            "--produce",
            "20000",
            "--json",
        ])
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    for field in [
        "model",
        "scenario",
        "seed",
        "sim_seconds",
        "wall_seconds",
        "events_processed",
        "trace_hash",
        "produced",
        "acknowledged",
        "delivered",
        "duplicates",
        "dead_lettered",
        "lost",
        "order_violations",
        "latency_ms",
        "groups",
        "alerts",
    ] {
        assert!(json.get(field).is_some(), "missing `{field}`");
    }
    assert_eq!(json["model"], "canonical");
    assert_eq!(json["produced"], 20_000);
    assert_eq!(json["lost"], 0);
    for p in ["p50", "p95", "p99", "max", "mean"] {
        assert!(
            json["latency_ms"][p].as_f64().is_some_and(|v| v > 0.0),
            "{p}"
        );
    }
    let workers = &json["groups"]["workers"];
    assert_eq!(workers["final_lag"], 0);
    let series = workers["lag_series"].as_array().expect("a series");
    assert!(series.len() > 10);
    assert_eq!(series[1][0], 1.0);
    // No linger in the benchmark: every record is its own request.
    let sent = &json["producers"]["producer-0"];
    assert_eq!(sent["records_sent"], sent["batches"]);
    assert_eq!(sent["records_per_batch"], 1.0);
}

#[test]
fn simulate_summary_tells_how_producers_batched() {
    // order-pipeline's checkout lingers 5 ms (Kafka's default), but at 200 orders a second
    // over the topic's partitions a batch rarely catches a second record.
    let out = causeway()
        .args([
            "simulate",
            "models/order-pipeline.ron",
            "--scenario",
            "steady",
            "--duration",
            "10",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("UTF-8");
    let line = text
        .lines()
        .find(|l| l.contains("producer checkout: sent"))
        .unwrap_or_else(|| panic!("no producer line in\n{text}"));
    let per_batch: f64 = line
        .rsplit('(')
        .next()
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{line}"));
    assert!((1.0..1.5).contains(&per_batch), "{line}");
}

#[test]
fn simulate_is_deterministic_and_the_seed_changes_the_run() {
    let hash = |seed: &str| {
        let output = causeway()
            .args([
                "simulate",
                "models/order-pipeline.ron",
                "--duration",
                "5",
                "--json",
            ])
            .args(["--seed", seed])
            .output()
            .expect("runs");
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        json["trace_hash"].as_str().expect("a hash").to_owned()
    };
    assert_eq!(hash("1"), hash("1"));
    assert_ne!(hash("1"), hash("2"));
}

#[test]
fn simulate_check_fails_when_an_expectation_fails() {
    let dir = TempDir::new().expect("temp dir");
    let text = std::fs::read_to_string("models/order-pipeline.ron").expect("read");
    // An impossible latency bound.
    let text = text.replace("P99LatencyBelowMs(250.0)", "P99LatencyBelowMs(0.001)");
    let path = write(&dir, "strict.ron", &text);
    causeway()
        .args([
            "simulate",
            "--scenario",
            "steady",
            "--duration",
            "3",
            "--check",
        ])
        .arg(&path)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "FAIL expect p99 latency below 0.001 ms",
        ));
    causeway()
        .args(["simulate", "--scenario", "steady", "--duration", "3"])
        .arg(&path)
        .assert()
        .success();
    // With nothing processed there is no latency to meet the bound.
    causeway()
        .args([
            "simulate",
            "models/order-pipeline.ron",
            "--scenario",
            "steady",
            "--produce",
            "0",
            "--check",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "FAIL expect p99 latency below 250 ms (measured nothing, no record was processed)",
        ));
}

#[test]
fn simulate_writes_the_trace_as_json_lines() {
    let dir = TempDir::new().expect("temp dir");
    let trace = dir.path().join("trace.jsonl");
    causeway()
        .args([
            "simulate",
            "benches/canonical.ron",
            "--produce",
            "200",
            "--trace",
        ])
        .arg(&trace)
        .assert()
        .success();
    let text = std::fs::read_to_string(&trace).expect("trace written");
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let kinds = |k: &str| events.iter().filter(|e| e["kind"] == k).count();
    assert_eq!(kinds("produced"), 200);
    assert_eq!(kinds("appended"), 200 + kinds("retried"));
    let first = &events[0];
    for field in [
        "time_ns",
        "kind",
        "record",
        "key",
        "topic",
        "partition",
        "correlation_id",
    ] {
        assert!(first.get(field).is_some(), "missing `{field}`: {first}");
    }
    // Times never go backwards.
    let times: Vec<u64> = events
        .iter()
        .map(|e| e["time_ns"].as_u64().expect("u64"))
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn simulate_refuses_unknown_scenarios_and_bad_durations_with_exit_2() {
    causeway()
        .args([
            "simulate",
            "models/order-pipeline.ron",
            "--scenario",
            "nope",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no scenario called `nope`"))
        .stderr(predicate::str::contains("steady"));
    causeway()
        .args(["simulate", "models/order-pipeline.ron", "--duration", "-1"])
        .assert()
        .code(2);
    causeway()
        .args(["simulate", "models/order-pipeline.ron", "--duration", "NaN"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("positive number of seconds"));
    causeway()
        .args([
            "simulate",
            "models/order-pipeline.ron",
            "--duration",
            "1e12",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--duration 1000000000000 is longer than Causeway simulates (365 days, 31536000 s)",
        ));
}

#[test]
fn simulate_warns_of_faults_after_the_runs_end_and_still_runs() {
    // two-brokers-down crashes broker 1 at 15 s and broker 2 at 20 s; they restart at 50 s
    // and 40 s.
    let run = |extra: &[&str]| {
        causeway()
            .args([
                "simulate",
                "models/broker-failure-durability.ron",
                "--scenario",
                "two-brokers-down",
                "--json",
            ])
            .args(extra)
            .assert()
            .success()
    };
    run(&["--duration", "18"])
        .stdout(predicate::str::contains("\"sim_seconds\": 18.0"))
        .stderr(predicate::str::contains(
            "warning: the fault at 20 s (broker 2 crashes) is after this run's end at 18 s: \
             it will not happen",
        ))
        .stderr(predicate::str::contains(
            "the fault at 40 s (broker 2 restarts)",
        ))
        .stderr(predicate::str::contains("the fault at 15 s").not());
    // The scenario's own length reaches every fault: no warning.
    run(&[]).stderr(predicate::str::contains("warning").not());
}

#[test]
fn simulate_says_when_a_model_has_no_scenario_to_run() {
    let dir = TempDir::new().expect("temp dir");
    let path = write(&dir, "bare.ron", "(format: 1, name: \"bare\")");
    causeway()
        .args(["simulate", "--duration", "2"])
        .arg(&path)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: the model has no scenarios; this is a default run of 2 simulated seconds, \
             seed 0, without faults or expectations",
        ));
}

#[test]
fn a_reader_that_stops_early_does_not_make_it_panic() {
    use std::io::Read as _;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("causeway"))
        .args([
            "simulate",
            "benches/canonical.ron",
            "--produce",
            "2000",
            "--json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    // Close our end of stdout without reading, like `| head -0`.
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("reads");
    let status = child.wait().expect("ends");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn simulate_check_fails_when_a_saga_ends_inconsistent_and_the_summary_says_which() {
    // In the payment outage, charges that go through after the saga's 10 s timeout stay:
    // the saga checker fails and names an order; the JSON carries the saga's counts.
    causeway()
        .args([
            "simulate",
            "models/order-pipeline.ron",
            "--scenario",
            "payment-outage",
            "--check",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "saga order-saga (orchestrated): started",
        ))
        .stdout(predicate::str::contains(
            "FAIL sagas-complete-or-compensate",
        ))
        .stdout(predicate::str::contains(
            "ran `charge-payment` after the saga had given up on it, and nothing will undo it",
        ));
    let out = causeway()
        .args([
            "simulate",
            "models/order-pipeline.ron",
            "--scenario",
            "steady",
            "--duration",
            "10",
            "--json",
            "--check",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).expect("json");
    let saga = &report["sagas"]["order-saga"];
    assert_eq!(saga["coordination"], "orchestrated");
    assert!(
        saga["started"].as_u64().is_some_and(|n| n > 1_000),
        "{saga}"
    );
    assert_eq!(saga["stuck"], 0);
    assert_eq!(saga["steps"][0]["name"], "reserve-stock");
}
