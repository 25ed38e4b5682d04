//! The simulation engine against ground truth: queueing theory, Kafka's semantics, and its own
//! promises (determinism, checkpoints, checkers that catch what they must).

use causeway::model::{self, Model};
use causeway::sim::time::SECOND;
use causeway::sim::{Builder, Options, Report};

/// One producer → one topic → one group, with everything else at production-neutral values.
struct Setup {
    partitions: u32,
    members: u32,
    rate: String,
    keys: String,
    processing: String,
    commit: &'static str,
    failures: String,
    retry: String,
    dead_letter: bool,
    retention_ms: Option<u64>,
    second_group: Option<&'static str>,
    idempotent: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            partitions: 1,
            members: 1,
            rate: "Poisson(per_second: 100.0)".into(),
            keys: "Uniform(keys: 1000)".into(),
            processing: "Exponential(mean_ms: 5.0)".into(),
            commit: "AfterEach",
            failures: "()".into(),
            retry: "(max_attempts: 1, backoff: Fixed(delay_ms: 100))".into(),
            dead_letter: false,
            retention_ms: None,
            second_group: None,
            idempotent: true,
        }
    }
}

impl Setup {
    fn model(&self) -> Model {
        let retention = match self.retention_ms {
            Some(ms) => format!("(time_ms: {ms})"),
            None => "()".to_owned(),
        };
        let dlt_topic = if self.dead_letter {
            r#"(id: "dlt", partitions: 1, replication_factor: 1, min_insync_replicas: 1, retention: (), event_types: ["E"]),"#
        } else {
            ""
        };
        let dlt = if self.dead_letter {
            r#"dead_letter_topic: "dlt","#
        } else {
            ""
        };
        let second = match self.second_group {
            Some(id) => format!(
                r#"(id: "{id}", topics: ["t"], members: 1, processing_time: Constant(ms: 0.1),
                    commit: AfterEach, idempotent: false),"#
            ),
            None => String::new(),
        };
        let text = format!(
            r#"(
    format: 1,
    name: "test",
    cluster: (brokers: [(id: 1, write_mb_per_s: 1000000000000.0)], network_latency_ms: 0.0),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [
        (id: "t", partitions: {partitions}, replication_factor: 1, min_insync_replicas: 1,
         retention: {retention}, event_types: ["E"]),
        {dlt_topic}
    ],
    producers: [(id: "p", topics: ["t"], event_types: ["E"], rate: {rate}, keys: {keys},
                 record_size: Constant(bytes: 100), acks: One, enable_idempotence: false)],
    consumer_groups: [
        (id: "g", topics: ["t"], members: {members}, processing_time: {processing},
         commit: {commit}, failures: {failures}, retry: {retry}, {dlt}
         idempotent: {idempotent}),
        {second}
    ],
)"#,
            partitions = self.partitions,
            rate = self.rate,
            keys = self.keys,
            members = self.members,
            processing = self.processing,
            commit = self.commit,
            failures = self.failures,
            retry = self.retry,
            idempotent = self.idempotent,
        );
        model::load(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }
}

fn run(model: &Model, seed: u64, options: Options) -> Report {
    let mut sim = Builder::new(model)
        .seed(seed)
        .options(options)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    sim.run();
    sim.report()
}

fn for_seconds(seconds: u64) -> Options {
    Options {
        duration: Some(seconds * SECOND),
        ..Options::default()
    }
}

#[test]
fn the_same_seed_gives_the_same_trace_and_another_seed_another() {
    let model = Setup::default().model();
    let a = run(&model, 1, for_seconds(20));
    let b = run(&model, 1, for_seconds(20));
    let c = run(&model, 2, for_seconds(20));
    assert_eq!(a.trace_hash, b.trace_hash);
    assert_eq!(a, b);
    assert_ne!(a.trace_hash, c.trace_hash);
    assert!(a.produced > 1_500, "{}", a.produced);
}

#[test]
fn a_checkpoint_resumes_to_the_same_result() {
    let model = Setup {
        failures: "(probability: 0.05)".into(),
        retry: "(max_attempts: 3, backoff: Fixed(delay_ms: 50), mode: RetryTopic())".into(),
        dead_letter: true,
        ..Setup::default()
    }
    .model();
    let mut sim = Builder::new(&model)
        .seed(5)
        .options(for_seconds(30))
        .build()
        .expect("builds");
    sim.run_until(12 * SECOND);
    let mut resumed = sim.clone();
    sim.run();
    resumed.run();
    assert_eq!(sim.trace_hash(), resumed.trace_hash());
    assert_eq!(sim.report(), resumed.report());
}

#[test]
fn adding_a_producer_does_not_change_an_unrelated_groups_draws() {
    // Processing draws come from the group's own stream: the first processing times of `g`
    // are the same whether or not another producer exists. With a constant rate, `p`'s
    // records are identical too, so `g`'s latencies must match exactly.
    let base = Setup {
        rate: "Constant(per_second: 50.0)".into(),
        ..Setup::default()
    };
    let model = base.model();
    let mut with_other = model.clone();
    let mut other = with_other.producers[0].clone();
    other.id = "other".into();
    other.topics = vec!["dlt".into()];
    with_other.topics.push(model::Topic {
        id: "dlt".into(),
        partitions: 1,
        replication_factor: 1,
        min_insync_replicas: 1,
        retention: model::Retention::default(),
        cleanup_policy: model::CleanupPolicy::Delete,
        event_types: vec!["E".into()],
        subject_strategy: model::SubjectStrategy::TopicName,
    });
    with_other.producers.push(other);
    let a = run(&model, 3, for_seconds(10));
    let b = run(&with_other, 3, for_seconds(10));
    assert_eq!(a.groups["g"].processed, b.groups["g"].processed);
    assert_eq!(a.latency_ms, b.latency_ms);
}

/// Mean time in system of an M/M/1 queue at ρ = 0.5 is 1/(μ − λ), within 3%, for several
/// seeds, over 10⁶ records after a warm-up.
#[test]
fn a_single_partition_behaves_as_an_mm1_queue() {
    let (lambda, mean_service_ms) = (100.0, 5.0); // μ = 200/s, ρ = 0.5
    let expected_ms = 1_000.0 / (1_000.0 / mean_service_ms - lambda);
    let model = Setup {
        rate: format!("Poisson(per_second: {lambda})"),
        processing: format!("Exponential(mean_ms: {mean_service_ms})"),
        ..Setup::default()
    }
    .model();
    for seed in [1, 2, 3] {
        let report = run(
            &model,
            seed,
            Options {
                duration: Some(10_100 * SECOND),
                warmup: 100 * SECOND,
                ..Options::default()
            },
        );
        assert!(report.delivered >= 1_000_000, "{}", report.delivered);
        let mean = report.latency_ms.mean;
        let error = (mean - expected_ms).abs() / expected_ms;
        assert!(
            error < 0.03,
            "seed {seed}: mean time in system {mean:.4} ms, expected {expected_ms} ms ({:.2}% off)",
            error * 100.0
        );
    }
}

/// P partitions with one member each behave as P independent M/M/1 queues, each fed the
/// share of the traffic Kafka's partitioner sends it.
#[test]
fn partitions_with_one_member_each_are_independent_mm1_queues() {
    let (lambda, mean_service_ms, partitions) = (400.0, 5.0, 4u32);
    let keys = model::KeyDistribution::Uniform {
        keys: 10_000,
        prefix: "key-".into(),
    };
    let shares = model::validate::partition_shares(&keys, partitions).expect("keyed");
    let mu = 1_000.0 / mean_service_ms;
    let expected_ms: f64 = shares.iter().map(|s| s * 1_000.0 / (mu - lambda * s)).sum();
    let model = Setup {
        partitions,
        members: partitions,
        rate: format!("Poisson(per_second: {lambda})"),
        keys: "Uniform(keys: 10000)".into(),
        processing: format!("Exponential(mean_ms: {mean_service_ms})"),
        ..Setup::default()
    }
    .model();
    let report = run(
        &model,
        11,
        Options {
            duration: Some(2_600 * SECOND),
            warmup: 100 * SECOND,
            ..Options::default()
        },
    );
    assert!(report.delivered >= 1_000_000, "{}", report.delivered);
    let error = (report.latency_ms.mean - expected_ms).abs() / expected_ms;
    assert!(
        error < 0.03,
        "mean {:.4} ms, expected {expected_ms:.4} ms",
        report.latency_ms.mean
    );
}

#[test]
fn blocking_retries_keep_per_key_order() {
    let model = Setup {
        partitions: 3,
        members: 3,
        keys: "Uniform(keys: 20)".into(),
        failures: "(probability: 0.2)".into(),
        retry: "(max_attempts: 5, backoff: Fixed(delay_ms: 20))".into(),
        dead_letter: true,
        ..Setup::default()
    }
    .model();
    let report = run(&model, 4, for_seconds(60));
    assert!(report.retries > 500, "{}", report.retries);
    assert_eq!(report.order_violations, 0);
    assert_eq!(report.duplicates, 0);
}

#[test]
fn retries_re_appended_to_the_tail_break_per_key_order_and_the_checker_says_where() {
    let model = Setup {
        partitions: 3,
        members: 3,
        keys: "Uniform(keys: 20)".into(),
        failures: "(probability: 0.2)".into(),
        retry: "(max_attempts: 5, backoff: Fixed(delay_ms: 20), mode: RetryTopic())".into(),
        dead_letter: true,
        ..Setup::default()
    }
    .model();
    let report = run(&model, 4, for_seconds(60));
    assert!(report.order_violations > 0);
    let order = report
        .checkers
        .iter()
        .find(|c| c.name == "per-key-order")
        .expect("the order checker reports");
    assert!(!order.passed);
    assert!(
        order
            .example
            .as_deref()
            .is_some_and(|e| e.contains("group `g` processed record")),
        "{order:?}"
    );
}

#[test]
fn poison_records_are_dead_lettered_after_exactly_max_attempts() {
    let model = Setup {
        keys: "Weighted([(key: \"ok\", weight: 9.0), (key: \"bad\", weight: 1.0)])".into(),
        failures: "(poison_keys: [\"bad\"])".into(),
        retry: "(max_attempts: 3, backoff: Fixed(delay_ms: 10))".into(),
        dead_letter: true,
        ..Setup::default()
    }
    .model();
    let mut sim = Builder::new(&model)
        .seed(8)
        .options(Options {
            duration: Some(20 * SECOND),
            trace_capacity: usize::MAX,
            ..Options::default()
        })
        .build()
        .expect("builds");
    sim.run();
    let report = sim.report();
    let trace = sim.trace();
    let bad_produced = trace
        .iter()
        .filter(|e| {
            e.kind == causeway::sim::trace::TraceKind::Produced
                && e.topic == "t"
                && e.key.as_deref() == Some("bad")
        })
        .count() as u64;
    assert!(bad_produced > 50);
    // Every poison record finished before the end is dead-lettered after 3 attempts: 2
    // retries each. Some may still be retrying when the run ends.
    assert!(report.dead_lettered <= bad_produced);
    assert!(
        report.dead_lettered + 2 >= bad_produced,
        "{} of {bad_produced}",
        report.dead_lettered
    );
    for e in trace
        .iter()
        .filter(|e| e.kind == causeway::sim::trace::TraceKind::DeadLettered)
    {
        assert_eq!(e.attempt, Some(3));
        assert_eq!(e.key.as_deref(), Some("bad"));
    }
    assert_eq!(report.topics["dlt"].records_in, report.dead_lettered);
}

#[test]
fn records_deleted_by_retention_before_a_slow_group_reads_them_are_lost() {
    let model = Setup {
        rate: "Constant(per_second: 100.0)".into(),
        processing: "Constant(ms: 20.0)".into(),
        retention_ms: Some(2_000),
        ..Setup::default()
    }
    .model();
    let report = run(&model, 1, for_seconds(30));
    assert!(report.lost > 0);
    let verdict = report
        .checkers
        .iter()
        .find(|c| c.name == "no-lost-records")
        .expect("the loss checker reports");
    assert!(!verdict.passed);
    assert!(
        verdict
            .example
            .as_deref()
            .is_some_and(|e| e.contains("deleted by retention")),
        "{verdict:?}"
    );
}

#[test]
fn a_second_group_sees_records_re_appended_for_anothers_retry_as_duplicates() {
    let model = Setup {
        failures: "(probability: 0.3)".into(),
        retry: "(max_attempts: 4, backoff: Fixed(delay_ms: 10), mode: RetryTopic())".into(),
        dead_letter: true,
        second_group: Some("audit"),
        ..Setup::default()
    }
    .model();
    let report = run(&model, 2, for_seconds(20));
    assert!(report.duplicates > 0);
    let verdict = report
        .checkers
        .iter()
        .find(|c| c.name == "no-harmful-duplicates")
        .expect("reported");
    assert!(!verdict.passed);
    assert!(
        verdict
            .example
            .as_deref()
            .is_some_and(|e| e.contains("`audit`"))
    );
}

#[test]
fn produce_n_drains_every_record_and_counts_add_up() {
    let model = Setup {
        partitions: 4,
        members: 2,
        failures: "(probability: 0.05)".into(),
        retry: "(max_attempts: 2, backoff: Fixed(delay_ms: 5), mode: RetryTopic())".into(),
        dead_letter: true,
        ..Setup::default()
    }
    .model();
    let report = run(
        &model,
        9,
        Options {
            produce_limit: Some(5_000),
            duration: Some(3_600 * SECOND),
            ..Options::default()
        },
    );
    assert_eq!(report.produced, 5_000);
    assert_eq!(report.stuck, 0);
    assert_eq!(report.lost, 0);
    // Each record is processed once or dead-lettered once.
    assert_eq!(report.delivered + report.dead_lettered, 5_000);
    assert!(report.sim_seconds < 100.0, "{}", report.sim_seconds);
    assert!(report.all_passed(), "{:?}", report.checkers);
}

#[test]
fn records_not_finished_when_the_run_ends_are_stuck() {
    let model = Setup {
        processing: "Constant(ms: 50.0)".into(),
        ..Setup::default()
    }
    .model();
    let report = run(&model, 1, for_seconds(5));
    assert!(report.stuck > 100, "{}", report.stuck);
    assert!(report.groups["g"].final_lag > 100);
    assert!(report.groups["g"].max_lag >= report.groups["g"].final_lag / 2);
}

#[test]
fn lag_is_sampled_every_second() {
    let report = run(&Setup::default().model(), 1, for_seconds(10));
    let series = &report.groups["g"].lag_series;
    let times: Vec<f64> = series.iter().map(|(t, _)| *t).collect();
    assert_eq!(times, (0..=10).map(f64::from).collect::<Vec<_>>());
}

#[test]
fn an_invalid_model_or_unknown_scenario_is_refused_with_a_reason() {
    let mut model = Setup::default().model();
    model.topics[0].partitions = 0;
    let err = Builder::new(&model).build().expect_err("refused");
    assert!(err.to_string().contains("validation error"), "{err}");
    let model = Setup::default().model();
    let err = Builder::new(&model)
        .scenario("nope")
        .build()
        .expect_err("refused");
    assert!(
        err.to_string().contains("no scenario called `nope`"),
        "{err}"
    );
}

/// Golden trace hashes of every example model's scenarios over their first 20 simulated
/// seconds. When the engine's semantics change on purpose, re-pin these in the same commit
/// and say why in its message.
const GOLDEN: &[(&str, &str, &str)] = &[
    ("bank-account", "business-day", "9d366e76d0167629"),
    ("bank-account", "debit-worker-crash", "669f996d73d89ed5"),
    ("bank-account", "credit-outage", "92371ebebbec1bb7"),
    (
        "broker-failure-durability",
        "healthy-cluster",
        "510ef43a13808491",
    ),
    (
        "broker-failure-durability",
        "leader-crash",
        "55b8811d2135b8f4",
    ),
    (
        "broker-failure-durability",
        "two-brokers-down",
        "4c1454eeb69f2629",
    ),
    (
        "broker-failure-durability",
        "gateway-cut-off",
        "9bcce9c4c782a457",
    ),
    ("order-pipeline", "steady", "b3f6d0f432b4a9ad"),
    ("order-pipeline", "payment-outage", "81c2b8a627a9821a"),
    ("order-pipeline", "broker-loss", "13c28e70383a4be8"),
    (
        "partitions-and-ordering",
        "steady-ordering",
        "174555507e838745",
    ),
    (
        "partitions-and-ordering",
        "profile-burst",
        "d583288e658219fc",
    ),
    (
        "partitions-and-ordering",
        "standby-takeover",
        "dc1c81d9e518b4dd",
    ),
    (
        "redelivery-and-dlt",
        "everyday-failures",
        "a65b751a2eed87b9",
    ),
    ("redelivery-and-dlt", "poison-pill", "e13b2ae5f481d3c9"),
    (
        "redelivery-and-dlt",
        "mail-provider-outage",
        "25d90746b162ff21",
    ),
    (
        "telemetry-hot-keys",
        "quarter-hour-surges",
        "0b0a1a837dd29cd5",
    ),
    (
        "telemetry-hot-keys",
        "aggregator-restart",
        "2edda5d3f76d80e4",
    ),
    (
        "telemetry-hot-keys",
        "airport-evening-peak",
        "67da62acd91d0fab",
    ),
];

#[test]
fn every_example_scenario_matches_its_golden_trace_hash() {
    let mut covered = 0;
    for example in causeway::examples::EXAMPLES {
        let model = model::load(example.text).expect("loads");
        for scenario in &model.scenarios {
            let run_once = || {
                let mut sim = Builder::new(&model)
                    .scenario(&scenario.name)
                    .options(for_seconds(20))
                    .build()
                    .unwrap_or_else(|e| panic!("{}: {e}", example.name));
                sim.run();
                sim.report()
            };
            let a = run_once();
            let b = run_once();
            let which = format!("{} / {}", example.name, scenario.name);
            assert_eq!(a.trace_hash, b.trace_hash, "{which} is not deterministic");
            assert!(a.produced > 0, "{which} produced nothing");
            let golden = GOLDEN
                .iter()
                .find(|(m, s, _)| *m == example.name && *s == scenario.name)
                .unwrap_or_else(|| {
                    panic!("{which} has no golden hash; its hash is {}", a.trace_hash)
                });
            assert_eq!(a.trace_hash, golden.2, "{which} changed its trace");
            covered += 1;
        }
    }
    assert_eq!(
        covered,
        GOLDEN.len(),
        "a golden entry names a scenario that no longer exists"
    );
}
