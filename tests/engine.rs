//! The simulation engine against ground truth: queueing theory, Kafka's semantics, and its own
//! promises (determinism, checkpoints, checkers that catch what they must).

use causeway::model::{self, Model};
use causeway::sim::time::{MS, SECOND};
use causeway::sim::trace::TraceKind;
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
    /// More fields of group `g`, e.g. `assignor: round_robin,`.
    group_extra: String,
    /// The model's `scenarios: [...]` list, or empty.
    scenarios: String,
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
            group_extra: String::new(),
            scenarios: String::new(),
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
                 record_size: Constant(bytes: 100), acks: One, enable_idempotence: false,
                 linger_ms: 0.0)],
    consumer_groups: [
        (id: "g", topics: ["t"], members: {members}, processing_time: {processing},
         commit: {commit}, failures: {failures}, retry: {retry}, {dlt}
         idempotent: {idempotent}, {group_extra}),
        {second}
    ],
    scenarios: [{scenarios}],
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
            group_extra = self.group_extra,
            scenarios = self.scenarios,
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
    ("bank-account", "business-day", "0d993caf88c08ddf"),
    ("bank-account", "debit-worker-crash", "be6d95fbb4b64e5f"),
    ("bank-account", "credit-outage", "84ee93e83921c0cf"),
    (
        "broker-failure-durability",
        "healthy-cluster",
        "aa787d1576d91c04",
    ),
    (
        "broker-failure-durability",
        "leader-crash",
        "39b845c41421c6c7",
    ),
    (
        "broker-failure-durability",
        "two-brokers-down",
        "85006dad1779848c",
    ),
    (
        "broker-failure-durability",
        "gateway-cut-off",
        "a0c283ef1ac2b194",
    ),
    ("order-pipeline", "steady", "0c143f4e16fe91af"),
    ("order-pipeline", "payment-outage", "5c0fd9ffbba67b06"),
    ("order-pipeline", "broker-loss", "3b2db9ecaa0adad9"),
    (
        "order-pipeline",
        "saga-orchestrator-crash",
        "c27e335d4ce44ba8",
    ),
    ("order-pipeline", "order-list-rebuild", "0d5149edb9c57cf0"),
    (
        "partitions-and-ordering",
        "steady-ordering",
        "204a0aa0ad832f77",
    ),
    (
        "partitions-and-ordering",
        "profile-burst",
        "de25790f28498bdd",
    ),
    (
        "partitions-and-ordering",
        "standby-takeover",
        "5db2d4d7565e6eea",
    ),
    (
        "redelivery-and-dlt",
        "everyday-failures",
        "3f95fcc04fb17bef",
    ),
    ("redelivery-and-dlt", "poison-pill", "e97d56bd72285952"),
    (
        "redelivery-and-dlt",
        "mail-provider-outage",
        "fc197b4c096a79bf",
    ),
    (
        "telemetry-hot-keys",
        "quarter-hour-surges",
        "c03b151ad45fcf06",
    ),
    (
        "telemetry-hot-keys",
        "aggregator-restart",
        "1cc0dc73a8321ca3",
    ),
    (
        "telemetry-hot-keys",
        "airport-evening-peak",
        "df1d09d5550663cb",
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

/// A group of three members on six partitions whose member 0 crashes at 10 s (and, if
/// `restart_ms` is set, comes back then).
fn crash_setup(commit: &'static str, extra: &str, restart_ms: Option<u64>) -> Model {
    let restart = restart_ms
        .map(|ms| format!("(at_ms: {ms}, kind: MemberRestart(group: \"g\", member: 0)),"))
        .unwrap_or_default();
    Setup {
        partitions: 6,
        members: 3,
        rate: "Poisson(per_second: 300.0)".into(),
        processing: "Exponential(mean_ms: 2.0)".into(),
        commit,
        group_extra: format!("session_timeout_ms: 3000, max_poll_records: 100, {extra}"),
        scenarios: format!(
            "(name: \"crash\", seed: 1, duration_ms: 40000, faults: [\
             (at_ms: 10000, kind: MemberCrash(group: \"g\", member: 0)), {restart}])"
        ),
        ..Setup::default()
    }
    .model()
}

fn run_scenario(model: &Model) -> (Report, Vec<causeway::sim::trace::TraceEvent>) {
    let mut sim = Builder::new(model)
        .options(Options {
            trace_capacity: usize::MAX,
            ..Options::default()
        })
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    sim.run();
    (sim.report(), sim.trace().to_vec())
}

#[test]
fn a_crash_between_processing_and_commit_redelivers_what_was_not_committed() {
    // Auto-commit every 5 s: the crashed member's processed-but-uncommitted records go to
    // the new owner after the session timeout, and are processed a second time.
    let (report, _) = run_scenario(&crash_setup("Auto(interval_ms: 5000)", "", None));
    // Member 0 owned two of six partitions, about 100 of the 300 records/s. The crash at 10 s
    // comes just before the auto-commit due then, so the last commit was at 5 s: about five
    // seconds of its records, some 500, were processed and not committed.
    assert!(
        (350..650).contains(&report.duplicates),
        "{}",
        report.duplicates
    );
    assert_eq!(report.groups["g"].rebalances, 1);
    assert_eq!(report.lost, 0);
    assert!(
        report.not_simulated.is_empty(),
        "{:?}",
        report.not_simulated
    );
    // Committing after each record leaves nothing to redeliver.
    let (report, _) = run_scenario(&crash_setup("AfterEach", "", None));
    assert_eq!(report.duplicates, 0);
    assert_eq!(report.groups["g"].rebalances, 1);
}

#[test]
fn a_crashed_members_partitions_stall_until_the_session_times_out() {
    let (report, trace) = run_scenario(&crash_setup("AfterEach", "", None));
    let series = &report.groups["g"].lag_series;
    let lag_at = |t: f64| series.iter().find(|(s, _)| *s == t).map_or(0, |(_, l)| *l);
    // Two of six partitions stop at 10 s; the session times out at 13 s and the rebalance
    // hands them over; the backlog drains within seconds.
    assert!(lag_at(12.0) > 100, "lag at 12 s: {}", lag_at(12.0));
    assert!(lag_at(20.0) < 50, "lag at 20 s: {}", lag_at(20.0));
    let processed_by_0_after = trace.iter().any(|e| {
        e.kind == causeway::sim::trace::TraceKind::Processed
            && e.time_ns > 10 * SECOND
            && e.member == Some(0)
    });
    assert!(
        !processed_by_0_after,
        "the crashed member processed records"
    );
}

#[test]
fn a_static_member_back_within_its_session_timeout_causes_no_rebalance() {
    let (report, _) = run_scenario(&crash_setup(
        "AfterEach",
        "static_membership: true,",
        Some(12_000),
    ));
    assert_eq!(report.groups["g"].rebalances, 0);
    // Nothing is left behind: at most the last moment's deliveries are in flight at the end
    // (the stuck checker's grace period), none waiting on the returned member.
    let stuck = report
        .checkers
        .iter()
        .find(|c| c.name == "no-stuck-records")
        .expect("the stuck checker runs");
    assert!(stuck.passed, "{:?}", stuck.example);
    assert!(report.stuck <= 5, "{} in flight at the end", report.stuck);
    // A dynamic member restarting rejoins under a new id: one rebalance.
    let (report, _) = run_scenario(&crash_setup("AfterEach", "", Some(12_000)));
    assert_eq!(report.groups["g"].rebalances, 1);
}

#[test]
fn an_eager_rebalance_stops_every_member_and_a_cooperative_one_only_the_moving_partitions() {
    let processed_during_rebalance = |assignor: &str| {
        let (report, trace) = run_scenario(&crash_setup(
            "AfterEach",
            &format!("assignor: {assignor},"),
            None,
        ));
        assert_eq!(report.groups["g"].rebalances, 1);
        // The session times out at 13 s; the rebalance runs from there.
        let processed = trace
            .iter()
            .filter(|e| {
                e.kind == causeway::sim::trace::TraceKind::Processed
                    && e.time_ns > 13 * SECOND + 5 * MS
                    && e.time_ns < 13 * SECOND + 240 * MS
            })
            .count();
        (processed, report.groups["g"].rebalance_pause_ms)
    };
    // Partition time paused: all 6 partitions for one 250 ms round, or only the crashed
    // member's 2 for the cooperative protocol's two rounds.
    assert_eq!(processed_during_rebalance("range"), (0, 1_500.0));
    assert_eq!(processed_during_rebalance("round_robin"), (0, 1_500.0));
    let (processed, paused) = processed_during_rebalance("cooperative_sticky");
    assert!(processed > 20);
    assert_eq!(paused, 1_000.0);
}

/// Three brokers, one topic of 3 partitions with the given durability settings, one
/// producer at 1,000 records/s, one fast consumer group; broker 1 crashes at 10 s (and
/// `second_crash` also crashes broker 2 then).
fn durability_model(
    acks: &str,
    idempotence: bool,
    min_isr: u32,
    network_ms: f64,
    second_crash: bool,
) -> Model {
    let second = if second_crash {
        "(at_ms: 10000, kind: BrokerCrash(broker: 2)),"
    } else {
        ""
    };
    let text = format!(
        r#"(
    format: 1,
    name: "durability",
    cluster: (
        brokers: [(id: 1, write_mb_per_s: 1000.0), (id: 2, write_mb_per_s: 1000.0),
                  (id: 3, write_mb_per_s: 1000.0)],
        network_latency_ms: {network_ms},
    ),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [(id: "t", partitions: 3, replication_factor: 3, min_insync_replicas: {min_isr},
              event_types: ["E"])],
    producers: [(id: "p", topics: ["t"], event_types: ["E"], rate: Constant(per_second: 1000.0),
                 keys: Uniform(keys: 300), record_size: Constant(bytes: 200), acks: {acks},
                 enable_idempotence: {idempotence})],
    consumer_groups: [(id: "g", topics: ["t"], members: 3, processing_time: Constant(ms: 0.1),
                       commit: AfterEach, idempotent: false)],
    scenarios: [(name: "crash", seed: 3, duration_ms: 40000, faults: [
        (at_ms: 10000, kind: BrokerCrash(broker: 1)), {second}
    ])],
)"#
    );
    model::load(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn acks_all_with_min_isr_2_loses_nothing_when_a_broker_dies() {
    let (report, trace) = run_scenario(&durability_model("All", true, 2, 5.0, false));
    assert_eq!(report.lost, 0, "{:?}", report.checkers);
    assert_eq!(report.duplicates, 0);
    assert!(
        report.not_simulated.is_empty(),
        "{:?}",
        report.not_simulated
    );
    assert!(report.max_under_replicated > 0);
    assert!(
        report
            .alerts
            .iter()
            .any(|a| a.rule.starts_with("under-replicated"))
    );
    // The partition broker 1 led stalls until the controller notices (9 s), then moves on.
    assert!(
        trace
            .iter()
            .any(|e| e.kind == TraceKind::Appended && e.partition == 0 && e.time_ns > 20 * SECOND)
    );
    assert_eq!(report.produce_failed, 0);
    // Only what was in flight when the run ended is unfinished: an acks=all write takes
    // three 5 ms hops to be acknowledged, at 1,000 records/s.
    assert!(report.stuck <= 30, "{}", report.stuck);
}

#[test]
fn acks_1_loses_exactly_the_records_the_followers_had_not_fetched() {
    let crash = 10 * SECOND;
    let network = 20 * MS;
    let (report, trace) = run_scenario(&durability_model("One", false, 1, 20.0, false));
    let lost: Vec<&causeway::sim::trace::TraceEvent> =
        trace.iter().filter(|e| e.kind == TraceKind::Lost).collect();
    assert!(!lost.is_empty());
    // Only partition 0 was led by broker 1 (leaders are spread round-robin).
    assert!(lost.iter().all(|e| e.partition == 0));
    let mut lost_offsets: Vec<u64> = lost.iter().filter_map(|e| e.offset).collect();
    lost_offsets.sort_unstable();
    // The lost offsets are the tail of the partition as it was at the crash: the records the
    // surviving follower had not fetched yet. A follower's fetch request reaches the leader
    // every round trip (2 × 20 ms), so the tail is at most that old.
    let appended_before_crash: Vec<(u64, u64)> = trace
        .iter()
        .filter(|e| e.kind == TraceKind::Appended && e.partition == 0 && e.time_ns <= crash)
        .filter_map(|e| Some((e.offset?, e.time_ns)))
        .collect();
    let last = appended_before_crash
        .iter()
        .map(|(o, _)| *o)
        .max()
        .expect("appends");
    let first_lost = lost_offsets[0];
    assert_eq!(lost_offsets, (first_lost..=last).collect::<Vec<_>>());
    for (offset, at) in &appended_before_crash {
        if *offset >= first_lost {
            assert!(
                crash - at <= 2 * network + MS,
                "offset {offset} appended at {at}"
            );
        }
    }
    // Everything before the tail survived on the new leader and was processed.
    let processed: std::collections::BTreeSet<u64> = trace
        .iter()
        .filter(|e| e.kind == TraceKind::Processed && e.partition == 0)
        .filter_map(|e| e.offset)
        .collect();
    assert!((0..first_lost).all(|o| processed.contains(&o)));
    // Each lost record was acknowledged (acks=1) and never processed: the checker counts it.
    assert_eq!(report.lost, lost_offsets.len() as u64);
    assert!(!report.checkers[0].passed);
}

#[test]
fn two_dead_brokers_leave_the_isr_below_min_and_acks_all_writes_are_refused_not_lost() {
    let (report, _) = run_scenario(&durability_model("All", true, 2, 1.0, true));
    assert!(report.not_enough_replicas > 0);
    assert_eq!(report.lost, 0);
    // Nothing is acknowledged while the ISR is too small: records wait for the brokers.
    assert!(report.acknowledged < report.produced);
}

#[test]
fn a_retried_send_after_a_lost_ack_duplicates_without_idempotence_only() {
    let (plain, _) = run_scenario(&durability_model("All", false, 2, 20.0, false));
    assert!(plain.duplicates > 0, "{}", plain.duplicates);
    assert_eq!(plain.lost, 0);
    let (idempotent, _) = run_scenario(&durability_model("All", true, 2, 20.0, false));
    assert_eq!(idempotent.duplicates, 0);
    assert_eq!(idempotent.lost, 0);
}

#[test]
fn processing_slower_than_max_poll_interval_kicks_members_out_and_storms_rebalances() {
    // One record in twenty takes 600 ms, above a 500 ms max.poll.interval: the member is
    // removed, the group rebalances, the member finishes (its side effect happens, its commit
    // fails), rejoins, and the group rebalances again; the new owner processes the record
    // again.
    let slow = |max_poll_interval_ms: u64| {
        Setup {
            partitions: 4,
            members: 2,
            rate: "Poisson(per_second: 20.0)".into(),
            processing: "Uniform(min_ms: 1.0, max_ms: 620.0)".into(),
            idempotent: false,
            group_extra: format!("max_poll_interval_ms: {max_poll_interval_ms},"),
            ..Setup::default()
        }
        .model()
    };
    let report = run(&slow(500), 1, for_seconds(60));
    let g = &report.groups["g"];
    assert!(g.poll_timeouts > 5, "{}", g.poll_timeouts);
    // Each time out is two rebalances: the member leaves, then rejoins.
    assert!(
        g.rebalances >= 2 * g.poll_timeouts - 1,
        "{} {}",
        g.rebalances,
        g.poll_timeouts
    );
    assert!(report.duplicates > 0);
    assert!(
        !report.checkers[1].passed,
        "non-idempotent duplicates are reported"
    );
    let calm = run(&slow(5_000), 1, for_seconds(60));
    assert_eq!(calm.groups["g"].poll_timeouts, 0);
    assert_eq!(calm.groups["g"].rebalances, 0);
    assert_eq!(calm.duplicates, 0);
}

#[test]
fn a_network_partition_holds_a_producers_records_and_stalls_a_groups_fetches_until_it_heals() {
    let model = |client: &str| {
        Setup {
            rate: "Constant(per_second: 100.0)".into(),
            processing: "Constant(ms: 1.0)".into(),
            scenarios: format!(
                "(name: \"cut\", seed: 1, duration_ms: 30000, faults: [(at_ms: 10000, kind: \
                 NetworkPartition(client: \"{client}\", brokers: [1], duration_ms: 5000))])"
            ),
            ..Setup::default()
        }
        .model()
    };
    // The producer cannot reach the leader for 5 s: its records wait and go through after.
    let (report, trace) = run_scenario(&model("p"));
    assert!(
        report.not_simulated.is_empty(),
        "{:?}",
        report.not_simulated
    );
    assert_eq!(report.lost, 0);
    assert!(
        report.latency_ms.max >= 4_900.0,
        "{}",
        report.latency_ms.max
    );
    let appended_during = trace
        .iter()
        .filter(|e| {
            e.kind == TraceKind::Appended
                && e.time_ns > 10 * SECOND + 10 * MS
                && e.time_ns < 15 * SECOND - 10 * MS
        })
        .count();
    assert_eq!(appended_during, 0);
    // The group cannot fetch for 5 s: lag builds up, then drains.
    let (report, _) = run_scenario(&model("g"));
    let series = &report.groups["g"].lag_series;
    let lag_at = |t: f64| series.iter().find(|(s, _)| *s == t).map_or(0, |(_, l)| *l);
    assert!(lag_at(14.0) >= 350, "lag at 14 s: {}", lag_at(14.0));
    assert!(lag_at(20.0) < 10, "lag at 20 s: {}", lag_at(20.0));
    assert_eq!(report.lost, 0);
}

#[test]
fn per_key_lanes_add_throughput_and_keep_key_order_while_unordered_does_not_keep_it() {
    // One partition, one member, 300 records/s of 10 ms work: one at a time cannot keep up
    // (capacity 100/s); four lanes can (400/s).
    let with = |ordering: &str| {
        Setup {
            rate: "Poisson(per_second: 300.0)".into(),
            keys: "Uniform(keys: 50)".into(),
            processing: "Exponential(mean_ms: 10.0)".into(),
            group_extra: format!("concurrency: 4, ordering: {ordering},"),
            ..Setup::default()
        }
        .model()
    };
    let serial = run(&with("per_partition"), 1, for_seconds(30));
    let per_key = run(&with("per_key"), 1, for_seconds(30));
    let unordered = run(&with("unordered"), 1, for_seconds(30));
    assert!(
        serial.groups["g"].final_lag > 4_000,
        "{}",
        serial.groups["g"].final_lag
    );
    assert!(
        per_key.groups["g"].max_lag < 500,
        "{}",
        per_key.groups["g"].max_lag
    );
    assert!(
        unordered.groups["g"].max_lag < 500,
        "{}",
        unordered.groups["g"].max_lag
    );
    assert_eq!(serial.order_violations, 0);
    assert_eq!(per_key.order_violations, 0);
    assert!(
        unordered.order_violations > 100,
        "{}",
        unordered.order_violations
    );
    for report in [&serial, &per_key, &unordered] {
        assert_eq!(report.duplicates, 0);
        assert_eq!(report.lost, 0);
    }
}

#[test]
fn extreme_but_valid_values_run_without_panicking() {
    // Every duration at its maximum (a scenario at its 365 days), absurd latencies and sizes,
    // tiny broker capacity: the engine must saturate, not overflow.
    let text = r#"(
    format: 1,
    name: "extreme",
    cluster: (brokers: [(id: 1, write_mb_per_s: 0.000001)], network_latency_ms: 1e300),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [
        (id: "t", partitions: 3, replication_factor: 1, min_insync_replicas: 1,
         retention: (time_ms: 18446744073709551615, bytes: 1), event_types: ["E"]),
        (id: "d", partitions: 1, replication_factor: 1, min_insync_replicas: 1, event_types: ["E"]),
    ],
    producers: [(id: "p", topics: ["t"], event_types: ["E"], rate: Poisson(per_second: 1000.0),
                 keys: Zipf(keys: 5, exponent: 1e10), record_size: Normal(mean: 1e300, std_dev: 1e300),
                 acks: One, enable_idempotence: false)],
    consumer_groups: [(id: "g", topics: ["t"], members: 3,
        processing_time: LogNormal(median_ms: 1e300, sigma: 1e10),
        commit: Auto(interval_ms: 18446744073709551615),
        failures: (probability: 1.0),
        retry: (max_attempts: 4294967295, backoff: Exponential(initial_ms: 18446744073709551615,
                multiplier: 1e300, max_ms: 18446744073709551615), jitter: 1.0, mode: RetryTopic()),
        dead_letter_topic: "d", idempotent: true,
        session_timeout_ms: 18446744073709551615, max_poll_interval_ms: 1)],
    scenarios: [(name: "s", seed: 18446744073709551615, duration_ms: 31536000000,
        faults: [(at_ms: 18446744073709551615, kind: MemberCrash(group: "g", member: 0)),
                 (at_ms: 0, kind: BrokerCrash(broker: 1)),
                 (at_ms: 1, kind: BrokerRestart(broker: 1))])],
)"#;
    let model = model::load(text).unwrap_or_else(|e| panic!("{e}"));
    for options in [
        for_seconds(2),
        Options {
            produce_limit: Some(100),
            duration: Some(5 * SECOND),
            ..Options::default()
        },
    ] {
        let mut sim = Builder::new(&model)
            .options(options)
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        sim.run();
        let report = sim.report();
        assert!(report.sim_seconds <= 5.0 + 1e-9);
    }
}

/// One partition, replicated three times with min_insync_replicas 2; its followers' brokers
/// die and come back twice, so acks=all writes are refused (NotEnoughReplicas) for a while
/// and retried; three keys, so reordering shows as per-key order violations.
fn flapping_isr_model(idempotence: bool, max_in_flight: u32, retries: Option<u32>) -> Model {
    let retries = retries.map_or(String::new(), |r| format!("retries: {r},"));
    let text = format!(
        r#"(
    format: 1,
    name: "flapping-isr",
    cluster: (
        brokers: [(id: 1, write_mb_per_s: 1000.0), (id: 2, write_mb_per_s: 1000.0),
                  (id: 3, write_mb_per_s: 1000.0)],
        network_latency_ms: 5.0,
    ),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [(id: "t", partitions: 1, replication_factor: 3, min_insync_replicas: 2,
              event_types: ["E"])],
    producers: [(id: "p", topics: ["t"], event_types: ["E"], rate: Poisson(per_second: 2000.0),
                 keys: Uniform(keys: 3), record_size: Constant(bytes: 200), acks: All,
                 enable_idempotence: {idempotence}, max_in_flight_requests: {max_in_flight},
                 {retries})],
    consumer_groups: [(id: "g", topics: ["t"], members: 1, processing_time: Constant(ms: 0.01),
                       commit: AfterEach, idempotent: true)],
    scenarios: [(name: "flap", seed: 3, duration_ms: 60000, faults: [
        (at_ms: 10000, kind: BrokerCrash(broker: 2)),
        (at_ms: 10000, kind: BrokerCrash(broker: 3)),
        (at_ms: 25000, kind: BrokerRestart(broker: 2)),
        (at_ms: 30000, kind: BrokerCrash(broker: 2)),
        (at_ms: 45000, kind: BrokerRestart(broker: 2)),
    ])],
)"#
    );
    model::load(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn retries_reorder_a_keys_records_only_without_idempotence_and_with_several_requests_in_flight() {
    let (reordering, _) = run_scenario(&flapping_isr_model(false, 5, None));
    assert!(reordering.not_enough_replicas > 0);
    assert!(
        reordering.order_violations > 0,
        "{}",
        reordering.order_violations
    );
    assert_eq!(reordering.lost, 0);
    // One request in flight, or idempotence (the broker refuses a batch out of sequence and
    // the producer resends in order): retries keep the order.
    for (idempotence, in_flight) in [(false, 1), (true, 5)] {
        let (ordered, _) = run_scenario(&flapping_isr_model(idempotence, in_flight, None));
        assert!(ordered.not_enough_replicas > 0);
        assert_eq!(
            ordered.order_violations, 0,
            "idempotence {idempotence}, {in_flight} in flight"
        );
        assert_eq!(ordered.lost, 0);
        assert_eq!(ordered.produce_failed, 0);
    }
}

#[test]
fn a_producer_gives_up_on_a_record_once_its_retries_are_used_up() {
    let (patient, _) = run_scenario(&flapping_isr_model(true, 5, None));
    assert_eq!(patient.produce_failed, 0);
    let (impatient, _) = run_scenario(&flapping_isr_model(true, 5, Some(2)));
    assert!(impatient.produce_failed > 0);
    // What the producer gave up on was never acknowledged, so it is not counted as lost.
    assert_eq!(impatient.lost, 0);
    // Every record is acknowledged, given up on, or still on its way when the run ends
    // (5 ms hops at 2,000 records/s).
    let settled = impatient.acknowledged + impatient.produce_failed;
    assert!(settled <= impatient.produced);
    assert!(impatient.produced - settled < 100, "{impatient:?}");
}

/// One partition replicated on two brokers; the follower's broker writes `follower_mb_per_s`
/// while the producer sends 1 MB/s with acks=all.
fn slow_follower_model(follower_mb_per_s: f64) -> Model {
    let text = format!(
        r#"(
    format: 1,
    name: "slow-follower",
    cluster: (
        brokers: [(id: 1, write_mb_per_s: 100.0), (id: 2, write_mb_per_s: {follower_mb_per_s})],
        network_latency_ms: 1.0,
        replica_lag_time_max_ms: 5000,
    ),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [(id: "t", partitions: 1, replication_factor: 2, min_insync_replicas: 1,
              event_types: ["E"])],
    producers: [(id: "p", topics: ["t"], event_types: ["E"], rate: Constant(per_second: 1000.0),
                 keys: Uniform(keys: 100), record_size: Constant(bytes: 1000), acks: All)],
    consumer_groups: [(id: "g", topics: ["t"], members: 1, processing_time: Constant(ms: 0.1),
                       commit: AfterEach)],
    scenarios: [(name: "run", seed: 1, duration_ms: 30000)],
)"#
    );
    model::load(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn a_follower_too_slow_to_keep_up_leaves_the_isr_after_replica_lag_time_max() {
    let (healthy, _) = run_scenario(&slow_follower_model(100.0));
    assert_eq!(healthy.isr_shrinks, 0);
    assert_eq!(
        healthy.max_under_replicated, 0,
        "{:?}",
        healthy.under_replicated_series
    );
    assert!(healthy.latency_ms.p99 < 50.0, "{:?}", healthy.latency_ms);

    // The follower's broker writes half of what arrives: it falls ever further behind.
    let (slow, trace) = run_scenario(&slow_follower_model(0.5));
    assert_eq!(slow.isr_shrinks, 1, "{slow:?}");
    assert_eq!(slow.max_under_replicated, 1);
    assert!(
        slow.alerts
            .iter()
            .any(|a| a.rule.starts_with("under-replicated") && a.fired_at_seconds >= 5.0)
    );
    // While it was in the ISR, acks=all waited for it; once out (after 5 s without catching
    // up, checked every 2.5 s), the leader alone moves the high watermark and the backlog of
    // unacknowledged writes clears: records produced late in the run are quick again.
    let processed_late: Vec<u64> = trace
        .iter()
        .filter(|e| e.kind == TraceKind::Processed && e.time_ns > 20 * SECOND)
        .map(|e| e.time_ns)
        .collect();
    assert!(!processed_late.is_empty());
    assert!(slow.latency_ms.max > 1_000.0, "{:?}", slow.latency_ms);
    assert_eq!(slow.lost, 0);
}

#[test]
fn the_trace_follows_a_record_from_producer_to_commit_in_order() {
    let (_, trace) = run_scenario(&slow_follower_model(100.0));
    let record = 500;
    let events: Vec<(TraceKind, u64)> = trace
        .iter()
        .filter(|e| e.record == record)
        .map(|e| (e.kind, e.time_ns))
        .collect();
    let kinds: Vec<TraceKind> = events.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        kinds,
        [
            TraceKind::Produced,
            TraceKind::Appended,
            TraceKind::Replicated,
            TraceKind::Fetched,
            TraceKind::Processed,
            TraceKind::Committed,
        ]
    );
    assert!(events.windows(2).all(|w| w[0].1 <= w[1].1), "{events:?}");
    // Replicated once the follower's next fetch request reports it: after a response and a
    // request, one 1 ms hop each, plus the follower's write.
    let at = |kind| events.iter().find(|(k, _)| *k == kind).map(|(_, t)| *t);
    let (appended, replicated) = (at(TraceKind::Appended), at(TraceKind::Replicated));
    let lag = replicated.zip(appended).map_or(0, |(r, a)| r - a);
    assert!((2 * MS..4 * MS).contains(&lag), "{lag}");
    // The commit names the next offset to read.
    let committed = trace
        .iter()
        .find(|e| e.record == record && e.kind == TraceKind::Committed)
        .expect("committed");
    let processed = trace
        .iter()
        .find(|e| e.record == record && e.kind == TraceKind::Processed)
        .expect("processed");
    assert_eq!(committed.offset, processed.offset.map(|o| o + 1));
}

/// Three brokers, six partitions led round-robin; group `g` (whose coordinator is broker 1:
/// `"g".hashCode()` is 103, partition 3 of `__consumer_offsets`, led by the first broker)
/// is cut off from broker 1 at 10 s for `cut_ms`, with a 10 s session timeout.
fn coordinator_cut_model(cut_ms: u64) -> Model {
    let text = format!(
        r#"(
    format: 1,
    name: "coordinator",
    cluster: (
        brokers: [(id: 1, write_mb_per_s: 500.0), (id: 2, write_mb_per_s: 500.0),
                  (id: 3, write_mb_per_s: 500.0)],
        network_latency_ms: 1.0,
    ),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [(id: "t", partitions: 6, replication_factor: 1, min_insync_replicas: 1,
              event_types: ["E"])],
    producers: [(id: "p", topics: ["t"], event_types: ["E"], rate: Constant(per_second: 300.0),
                 keys: Uniform(keys: 1000), record_size: Constant(bytes: 100))],
    consumer_groups: [(id: "g", topics: ["t"], members: 3, processing_time: Constant(ms: 1.0),
                       commit: AfterEach, idempotent: false, session_timeout_ms: 10000)],
    scenarios: [(name: "cut", seed: 1, duration_ms: 60000, faults: [
        (at_ms: 10000, kind: NetworkPartition(client: "g", brokers: [1], duration_ms: {cut_ms})),
    ])],
)"#
    );
    model::load(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn a_group_cut_off_from_its_coordinator_briefly_only_pauses_its_commits() {
    let (report, _) = run_scenario(&coordinator_cut_model(5_000));
    let g = &report.groups["g"];
    assert_eq!(g.evictions, 0);
    assert_eq!(g.rebalances, 0);
    assert_eq!(report.duplicates, 0);
    assert_eq!(report.lost, 0);
    assert!(g.final_lag < 20, "{}", g.final_lag);
}

#[test]
fn a_group_cut_off_from_its_coordinator_past_its_session_timeout_is_evicted_and_reprocesses() {
    let (report, trace) = run_scenario(&coordinator_cut_model(20_000));
    let g = &report.groups["g"];
    assert_eq!(g.evictions, 1);
    assert_eq!(g.rebalances, 1, "the rejoin after the cut");
    // The members kept processing the partitions they could still fetch (those led by
    // brokers 2 and 3), but none of it could be committed: after the rejoin, all of it is
    // processed again.
    let during: std::collections::BTreeSet<u64> = trace
        .iter()
        .filter(|e| {
            e.kind == TraceKind::Processed && e.time_ns > 10 * SECOND && e.time_ns < 30 * SECOND
        })
        .map(|e| e.record)
        .collect();
    assert!(during.len() > 3_000, "{}", during.len());
    assert!(
        report.duplicates >= during.len() as u64,
        "{}",
        report.duplicates
    );
    let reprocessed_after = trace
        .iter()
        .filter(|e| e.kind == TraceKind::Processed && e.time_ns >= 30 * SECOND)
        .filter(|e| during.contains(&e.record))
        .count();
    assert_eq!(reprocessed_after, during.len());
    assert_eq!(report.lost, 0);
    assert!(
        !report.checkers[1].passed,
        "non-idempotent duplicates are harmful"
    );
}

/// A projection counting events per key (an increment per event) over one topic; its
/// instance crashes at 10 s and restarts at 12 s, so what it wrote since its last auto-commit
/// (every 5 s) is delivered to it again.
fn projection_model(idempotent: bool) -> Model {
    let text = format!(
        r#"(
    format: 1,
    name: "projection",
    cluster: (brokers: [(id: 1, write_mb_per_s: 1000.0)], network_latency_ms: 1.0),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [(id: "t", partitions: 2, replication_factor: 1, min_insync_replicas: 1,
              event_types: ["E"])],
    producers: [(id: "p", topics: ["t"], event_types: ["E"], rate: Constant(per_second: 200.0),
                 keys: Uniform(keys: 50), record_size: Constant(bytes: 100))],
    projections: [(id: "counts", topics: ["t"], store: Redis,
                   folds: [(event_type: "E", ops: [Increment(field: "n", by: 1.0),
                                                   Upsert(field: "last", from: "v")])],
                   write_latency: Constant(ms: 1.0), idempotent: {idempotent},
                   queries_per_second: 100.0)],
    scenarios: [(name: "crash", seed: 1, duration_ms: 30000, faults: [
        (at_ms: 10000, kind: MemberCrash(group: "counts", member: 0)),
        (at_ms: 12000, kind: MemberRestart(group: "counts", member: 0)),
    ])],
)"#
    );
    model::load(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn a_non_idempotent_projection_under_redelivery_fails_its_checker_and_an_idempotent_one_passes() {
    let verdict = |report: &Report| {
        report
            .checkers
            .iter()
            .find(|v| v.name == "projection-matches-fold")
            .cloned()
            .expect("the projection checker runs")
    };
    let (plain, _) = run_scenario(&projection_model(false));
    let p = &plain.projections["counts"];
    assert!(p.applied > 5_000, "{p:?}");
    let v = verdict(&plain);
    assert!(!v.passed);
    assert!(v.violations > 0 && v.violations <= 50, "{v:?}");
    let example = v.example.unwrap_or_default();
    assert!(
        example.contains("projection `counts`") && example.contains("field `n`"),
        "{example}"
    );
    // The same redelivery, recognised by an idempotent projection: skipped, and the read
    // model is exactly the fold applied once.
    let (idempotent, _) = run_scenario(&projection_model(true));
    let p = &idempotent.projections["counts"];
    assert!(p.skipped_repeats > 0, "{p:?}");
    assert_eq!(p.rows_differing, 0);
    assert_eq!(p.rows, 50);
    assert!(verdict(&idempotent).passed);
    // Staleness: a 1 ms write after a 1 ms hop, except while the instance was down (2 s)
    // and the session timed out: the worst event waited for that.
    assert!(p.staleness_ms.p50 < 10.0, "{:?}", p.staleness_ms);
    assert!(p.staleness_ms.max > 2_000.0, "{:?}", p.staleness_ms);
    assert!(p.stale_queries > 0 && p.stale_queries < p.queries, "{p:?}");
    // 100 queries a second for 30 s.
    assert_eq!(p.queries, 3_000);
}

/// A model that produces far faster than it consumes stops, with its reason, once too many
/// records wait in memory, instead of exhausting the machine.
#[test]
fn a_run_whose_backlog_outgrows_memory_stops_early_and_says_why() {
    let text = r#"(
    format: 1,
    name: "backlog",
    cluster: (brokers: [(id: 1, write_mb_per_s: 1000.0)], network_latency_ms: 1.0),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [(id: "t", partitions: 2, replication_factor: 1, min_insync_replicas: 1,
              event_types: ["E"])],
    producers: [(id: "p", topics: ["t"], event_types: ["E"], rate: Constant(per_second: 10000.0),
                 keys: Uniform(keys: 50), record_size: Constant(bytes: 100))],
    consumer_groups: [(id: "g", topics: ["t"], members: 1, processing_time: Constant(ms: 10.0),
                       commit: AfterEach)],
    scenarios: [(name: "s", seed: 1, duration_ms: 60000)],
)"#;
    let model = model::load(text).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Builder::new(&model)
        .options(Options {
            max_records_held: 5_000,
            ..Options::default()
        })
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    sim.run();
    let report = sim.report();
    // 10,000 records/s in, 100/s out: the backlog passes 5,000 after about half a second.
    assert!(
        report.sim_seconds > 0.4 && report.sim_seconds < 0.6,
        "{}",
        report.sim_seconds
    );
    let reason = report.stopped_early.clone().expect("the run stopped early");
    assert!(
        reason.contains("5,001 records waiting") && reason.contains("5,000 records, as this run"),
        "{reason}"
    );
    assert!(!report.all_passed());
    // The same model with room to spare runs to its end.
    let mut sim = Builder::new(&model)
        .options(for_seconds(2))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    sim.run();
    let report = sim.report();
    assert_eq!(report.stopped_early, None);
    assert!((report.sim_seconds - 2.0).abs() < 1e-9);
}

/// A key is its text: producers drawing from the same prefix, or listing the same names,
/// write the same keys, so a projection over them keeps one row per distinct key text.
#[test]
fn producers_writing_the_same_key_text_write_the_same_key() {
    let text = r#"(
    format: 1,
    name: "shared-keys",
    cluster: (brokers: [(id: 1, write_mb_per_s: 1000.0)], network_latency_ms: 1.0),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [(id: "t", partitions: 3, replication_factor: 1, min_insync_replicas: 1,
              event_types: ["E"])],
    producers: [
        (id: "wide", topics: ["t"], event_types: ["E"], rate: Constant(per_second: 200.0),
         keys: Uniform(keys: 40, prefix: "c-"), record_size: Constant(bytes: 100)),
        (id: "walker", topics: ["t"], event_types: ["E"], rate: Constant(per_second: 200.0),
         keys: Sequential(keys: 60, prefix: "c-"), record_size: Constant(bytes: 100)),
        (id: "listed", topics: ["t"], event_types: ["E"], rate: Constant(per_second: 50.0),
         keys: Weighted([(key: "alpha", weight: 1.0), (key: "beta", weight: 1.0)]),
         record_size: Constant(bytes: 100)),
        (id: "listed-too", topics: ["t"], event_types: ["E"], rate: Constant(per_second: 50.0),
         keys: Weighted([(key: "beta", weight: 1.0), (key: "gamma", weight: 3.0)]),
         record_size: Constant(bytes: 100)),
    ],
    projections: [(id: "counts", topics: ["t"], store: Redis,
                   folds: [(event_type: "E", ops: [Increment(field: "n", by: 1.0)])],
                   write_latency: Constant(ms: 1.0), idempotent: true,
                   queries_per_second: 10.0)],
    scenarios: [(name: "run", seed: 1, duration_ms: 5000)],
)"#;
    let model = model::load(text).unwrap_or_else(|e| panic!("{e}"));
    let (report, trace) = run_scenario(&model);
    let p = &report.projections["counts"];
    // c-0 … c-59 (the walker covers the wide producer's 40), and alpha, beta, gamma once each.
    assert_eq!(p.rows, 63, "{p:?}");
    assert_eq!(p.rows_differing, 0);
    // The same text always lands on the same partition, whoever wrote it.
    let mut partition_of = std::collections::BTreeMap::new();
    for e in trace.iter().filter(|e| e.kind == TraceKind::Appended) {
        let key = e.key.clone().expect("every record here is keyed");
        let first = partition_of.entry(key.clone()).or_insert(e.partition);
        assert_eq!(*first, e.partition, "key {key}");
    }
    assert!(partition_of.contains_key("beta") && partition_of.contains_key("c-59"));
}

/// One event store publishing to topic `t` (read by group `g`).
fn store_model(store: &str, faults: &str) -> Model {
    let text = format!(
        r#"(
    format: 1,
    name: "store",
    cluster: (brokers: [(id: 1, write_mb_per_s: 1000.0)], network_latency_ms: 1.0),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [(id: "t", partitions: 2, replication_factor: 1, min_insync_replicas: 1,
              event_types: ["E"])],
    consumer_groups: [(id: "g", topics: ["t"], members: 2, processing_time: Constant(ms: 0.1),
                       commit: AfterEach, idempotent: true)],
    event_stores: [{store}],
    scenarios: [(name: "run", seed: 1, duration_ms: 20000, faults: [{faults}])],
)"#
    );
    model::load(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn two_writers_on_one_aggregate_conflict_on_every_other_append() {
    // Both writers always busy on the single aggregate, each command a constant 10 ms
    // append: whoever started second finds the version moved when it appends, every time —
    // half of all append attempts conflict.
    let store = |expected_version: bool| {
        format!(
            r#"(id: "accounts", aggregate: "Account", aggregates: 1, event_types: ["E"],
                commands_per_second: 1000.0, writers: 2, expected_version: {expected_version},
                conflict_retries: 3, append_latency: Constant(ms: 10.0),
                read_latency_per_event: Constant(ms: 0.0))"#
        )
    };
    let (report, _) = run_scenario(&store_model(&store(true), ""));
    let s = &report.event_stores["accounts"];
    assert!((s.conflict_rate - 0.5).abs() < 0.01, "{s:?}");
    // Three conflicting attempts and the command is given up.
    assert!(s.failed_commands > 0);
    assert!(s.failed_commands.abs_diff(s.conflicts / 3) <= 2, "{s:?}");
    assert_eq!(s.lost_updates, 0);
    // Without expected versions nothing conflicts and both writers append — each on a state
    // the other has changed since it loaded: every append but the very first is a lost
    // update.
    let (report, _) = run_scenario(&store_model(&store(false), ""));
    let s = &report.event_stores["accounts"];
    assert_eq!(s.conflicts, 0);
    assert_eq!(s.lost_updates, s.appended - 1, "{s:?}");
}

#[test]
fn snapshots_bound_the_events_replayed_to_load_an_aggregate() {
    let store = |snapshot: &str| {
        format!(
            r#"(id: "accounts", aggregate: "Account", aggregates: 1, event_types: ["E"],
                commands_per_second: 100.0, writers: 1, {snapshot}
                append_latency: Constant(ms: 1.0),
                read_latency_per_event: Constant(ms: 0.001))"#
        )
    };
    let (report, _) = run_scenario(&store_model(&store(""), ""));
    let plain = &report.event_stores["accounts"];
    // Every load replays the whole stream: 0, 1, 2, ... events, ~2,000 commands.
    assert!(plain.load_events.max > 1_900.0, "{plain:?}");
    assert!((plain.load_events.mean - plain.appended as f64 / 2.0).abs() < 20.0);
    let (report, _) = run_scenario(&store_model(&store("snapshot_every: 10,"), ""));
    let snap = &report.event_stores["accounts"];
    // With a snapshot every 10 events a load replays 0..=9: 4.5 on average.
    assert_eq!(snap.load_events.max, 9.0, "{snap:?}");
    assert!((snap.load_events.mean - 4.5).abs() < 0.1, "{snap:?}");
    assert!(snap.load_ms.mean < plain.load_ms.mean / 100.0);
}

#[test]
fn a_dual_write_loses_events_when_a_writer_crashes_and_an_outbox_does_not() {
    let store = |mode: &str| {
        format!(
            r#"(id: "accounts", aggregate: "Account", aggregates: 1000, event_types: ["E"],
                commands_per_second: 2000.0, writers: 1,
                append_latency: Constant(ms: 0.2), read_latency_per_event: Constant(ms: 0.0),
                publish: (topic: "t", mode: {mode}))"#
        )
    };
    let mut faults = String::new();
    for i in 0..5 {
        let at = 3_000 + i * 3_000;
        faults += &format!(
            "(at_ms: {at}, kind: MemberCrash(group: \"accounts\", member: 0)), \
             (at_ms: {}, kind: MemberRestart(group: \"accounts\", member: 0)),",
            at + 500
        );
    }
    let (report, _) = run_scenario(&store_model(&store("DualWrite"), &faults));
    let s = &report.event_stores["accounts"];
    assert!(s.lost_publications > 0, "{s:?}");
    // (A publish or two may still be on its way when the run ends.)
    assert!(
        s.appended - (s.published + s.lost_publications) <= 5,
        "{s:?}"
    );
    let verdict = report
        .checkers
        .iter()
        .find(|v| v.name == "event-store-publishes-everything")
        .expect("the publication checker runs");
    assert!(!verdict.passed);
    assert!(
        verdict
            .example
            .as_deref()
            .is_some_and(|e| e.contains("dual write"))
    );
    // The group downstream cannot tell: what never reached the topic is not lost to it.
    assert_eq!(report.lost, 0);

    let (report, _) = run_scenario(&store_model(&store("Outbox"), &faults));
    let s = &report.event_stores["accounts"];
    assert_eq!(s.lost_publications, 0);
    assert!(s.appended - s.published <= 5, "{s:?}");
    assert!(s.crashed_commands > 0);
    assert!(
        report.checkers.iter().all(|v| v.passed),
        "{:?}",
        report.checkers
    );
}

#[test]
fn failed_store_writes_are_retried_in_place_so_the_read_model_stays_right_but_falls_behind() {
    // 2% of writes fail (each costing a 100 ms backoff or more), and the store is down
    // (every write fails) from 5 s for 3 s.
    let mut m = projection_model(true);
    m.projections[0].write_failure_probability = 0.02;
    m.scenarios[0].faults = vec![model::Fault {
        at_ms: 5_000,
        kind: model::FaultKind::ErrorSpike {
            group: "counts".to_owned(),
            probability: 1.0,
            duration_ms: 3_000,
        },
    }];
    let (report, _) = run_scenario(&m);
    let p = &report.projections["counts"];
    // About 6,000 events at 200/s over 30 s; 2% of the writes fail, plus a few retries per
    // instance during the outage.
    assert!(p.applied >= 5_900, "{p:?}");
    let share = p.failed_writes as f64 / p.applied as f64;
    assert!((0.015..0.03).contains(&share), "{share} {p:?}");
    // Every failed write was retried until it went through: the read model is the fold.
    assert_eq!(p.rows_differing, 0);
    assert_eq!(report.lost, 0);
    assert_eq!(report.dead_lettered, 0);
    // Events produced during the outage waited for the store to come back (backoff up to
    // 5 s): the worst staleness is seconds, the median a few milliseconds.
    assert!(p.staleness_ms.max > 2_500.0, "{:?}", p.staleness_ms);
    assert!(p.staleness_ms.p50 < 10.0, "{:?}", p.staleness_ms);
    // Over time: caught up before the outage, behind by its length at its end, caught up
    // again after.
    let behind = |at: f64| {
        p.staleness_series
            .iter()
            .find(|(t, _)| *t == at)
            .map_or_else(
                || panic!("no sample at {at} s: {:?}", p.staleness_series),
                |(_, ms)| *ms,
            )
    };
    assert!(behind(4.0) < 50.0, "{}", behind(4.0));
    assert!(behind(7.0) > 1_900.0, "{}", behind(7.0));
    assert!(behind(25.0) < 50.0, "{}", behind(25.0));
}

#[test]
fn a_projection_rebuild_replays_history_into_a_fresh_read_model_while_new_events_wait() {
    // 200 events/s over 2 partitions (one instance each, 1 ms per write); at 20 s the read
    // model is thrown away and rebuilt.
    let mut m = projection_model(false);
    m.scenarios[0].faults = vec![model::Fault {
        at_ms: 20_000,
        kind: model::FaultKind::RebuildProjection {
            projection: "counts".to_owned(),
        },
    }];
    let (report, _) = run_scenario(&m);
    let p = &report.projections["counts"];
    let [rebuild] = &p.rebuilds[..] else {
        panic!("one rebuild: {:?}", p.rebuilds)
    };
    assert_eq!(rebuild.started_at_seconds, 20.0);
    // The history is the 4,000 events of the first 20 s, about 2,000 per partition (the 50
    // keys hash a little unevenly); replaying a partition's share at 1 ms each takes about 2 s.
    assert!((3_990..=4_000).contains(&rebuild.replayed), "{rebuild:?}");
    let took = rebuild.duration_seconds.expect("finished");
    assert!((2.0..2.5).contains(&took), "{took}");
    assert_eq!((rebuild.rows_before, rebuild.rows_after), (50, 50));
    // Events produced meanwhile waited behind the replay: up to its whole length.
    let waited = &rebuild.new_event_staleness_ms;
    assert!(waited.max > 1_900.0 && waited.max < 2_600.0, "{waited:?}");
    assert!(waited.p50 > 500.0, "{waited:?}");
    // The rebuilt read model is the fold applied once, and the replay is not counted as
    // duplicates (even by this non-idempotent projection) nor as end-to-end latency.
    assert_eq!(p.rows_differing, 0);
    assert_eq!(report.duplicates, 0);
    assert!(
        report.checkers.iter().all(|v| v.passed),
        "{:?}",
        report.checkers
    );
    assert!(p.staleness_ms.p50 < 10.0, "{:?}", p.staleness_ms);
    // Queries during the rebuild hit rows still being rebuilt.
    assert!(p.stale_queries > 100, "{p:?}");
}

#[test]
fn an_in_memory_projection_is_rebuilt_when_its_instance_restarts() {
    let mut m = projection_model(true);
    m.projections[0].store = model::StoreKind::InMemory;
    m.projections[0].rebuild = model::RebuildPolicy::OnStart;
    let (report, _) = run_scenario(&m);
    let p = &report.projections["counts"];
    // The scenario crashes instance 0 at 10 s and restarts it at 12 s: the restart rebuilds.
    let [rebuild] = &p.rebuilds[..] else {
        panic!("one rebuild: {:?}", p.rebuilds)
    };
    assert_eq!(rebuild.started_at_seconds, 12.0);
    assert!(rebuild.duration_seconds.is_some(), "{rebuild:?}");
    assert!(rebuild.replayed > 1_500, "{rebuild:?}");
    assert_eq!(p.rows_differing, 0);
}

#[test]
fn a_member_that_restarts_while_the_coordinator_is_unreachable_waits_to_join_until_it_is_back() {
    // Member 0 crashes at 9 s and restarts at 12 s, while the group cannot reach its
    // coordinator (broker 1) from 10 s to 18 s: its join waits for the coordinator, so the
    // partitions it owned stay unread until one join/sync round after the cut heals.
    let mut m = coordinator_cut_model(8_000);
    m.scenarios[0].faults.extend([
        model::Fault {
            at_ms: 9_000,
            kind: model::FaultKind::MemberCrash {
                group: "g".to_owned(),
                member: 0,
            },
        },
        model::Fault {
            at_ms: 12_000,
            kind: model::FaultKind::MemberRestart {
                group: "g".to_owned(),
                member: 0,
            },
        },
    ]);
    let (report, trace) = run_scenario(&m);
    // Member 0 owned partitions 0 and 1 (range). Their records processed in each window:
    let processed = |from: f64, to: f64| {
        trace
            .iter()
            .filter(|e| e.kind == TraceKind::Processed && e.partition < 2)
            .filter(|e| (from * 1e9..to * 1e9).contains(&(e.time_ns as f64)))
            .count()
    };
    assert!(processed(5.0, 9.0) > 300, "read before the crash");
    assert_eq!(processed(9.1, 18.0), 0, "unread while it could not rejoin");
    // The rebalance went through once the coordinator was back, and the backlog drained.
    assert!(processed(18.0, 20.0) > 700, "{}", processed(18.0, 20.0));
    assert_eq!(report.groups["g"].rebalances, 1);
    assert!(report.groups["g"].final_lag < 20);
    assert_eq!(report.lost, 0);
}

/// One producer sending 1,000 records/s at a steady pace to one partition, with the given
/// `linger.ms`, `batch.size` and record size; a broker whose writes take no time, and a
/// consumer that keeps up easily.
fn linger_model(linger_ms: f64, batch_size: u32, record_bytes: u32) -> Model {
    let text = format!(
        r#"(
    format: 1,
    name: "linger",
    cluster: (brokers: [(id: 1, write_mb_per_s: 1000000000000.0)], network_latency_ms: 0.0),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [(id: "t", partitions: 1, replication_factor: 1, min_insync_replicas: 1,
              event_types: ["E"])],
    producers: [(id: "p", topics: ["t"], event_types: ["E"], rate: Constant(per_second: 1000.0),
                 keys: Uniform(keys: 100), record_size: Constant(bytes: {record_bytes}),
                 acks: One, enable_idempotence: false, linger_ms: {linger_ms:?},
                 batch_size_bytes: {batch_size})],
    consumer_groups: [(id: "g", topics: ["t"], members: 1, processing_time: Constant(ms: 0.1),
                       commit: AfterEach)],
    scenarios: [(name: "run", seed: 3, duration_ms: 5000)],
)"#
    );
    model::load(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Per record appended: how long it waited in the producer (ns), and the batches (distinct
/// append times).
fn accumulator_waits(trace: &[causeway::sim::trace::TraceEvent]) -> (Vec<u64>, usize) {
    let produced: std::collections::HashMap<u64, u64> = trace
        .iter()
        .filter(|e| e.kind == TraceKind::Produced)
        .map(|e| (e.record, e.time_ns))
        .collect();
    let appended: Vec<(u64, u64)> = trace
        .iter()
        .filter(|e| e.kind == TraceKind::Appended)
        .map(|e| (e.record, e.time_ns))
        .collect();
    let waits = appended
        .iter()
        .map(|(record, at)| at - produced[record])
        .collect();
    let batches: std::collections::BTreeSet<u64> = appended.iter().map(|&(_, at)| at).collect();
    (waits, batches.len())
}

#[test]
fn linger_holds_records_in_batches_for_up_to_linger_ms() {
    let (report, trace) = run_scenario(&linger_model(10.0, 1_000_000, 100));
    let (waits, batches) = accumulator_waits(&trace);
    assert!(waits.len() > 4_900, "{}", waits.len());
    // A batch opens with a record and goes 10 ms later: records 1 ms apart wait 10, 9, … 1
    // ms (the one arriving as the batch goes starts the next).
    assert!(
        waits.iter().all(|&w| w <= 10 * MS),
        "{:?}",
        waits.iter().max()
    );
    let mean_ms = waits.iter().sum::<u64>() as f64 / waits.len() as f64 / 1e6;
    assert!((mean_ms - 5.5).abs() < 0.3, "mean wait {mean_ms} ms");
    let per_batch = waits.len() as f64 / batches as f64;
    assert!(
        (per_batch - 10.0).abs() < 0.2,
        "{per_batch} records per batch"
    );
    // The report counts the same batches.
    let sent = &report.producers["p"];
    assert_eq!(sent.batches as usize, batches);
    assert_eq!(sent.records_sent as usize, waits.len());
    assert!((sent.records_per_batch - per_batch).abs() < 1e-9);
    // The wait is part of the end-to-end latency; without linger records go at once.
    assert!(report.latency_ms.p50 > 4.0, "{:?}", report.latency_ms);
    let (at_once, trace) = run_scenario(&linger_model(0.0, 1_000_000, 100));
    let (waits, batches) = accumulator_waits(&trace);
    assert!(waits.iter().all(|&w| w == 0));
    assert_eq!(batches, waits.len());
    assert_eq!(at_once.producers["p"].records_per_batch, 1.0);
    assert!(at_once.latency_ms.p50 < 1.0, "{:?}", at_once.latency_ms);
    assert_eq!(at_once.lost + report.lost, 0);
}

#[test]
fn a_full_batch_goes_without_waiting_for_its_linger_time() {
    // 10 records of 100 bytes fill a 1,000-byte batch: it goes as the tenth arrives, long
    // before a linger of a second.
    let (report, trace) = run_scenario(&linger_model(1_000.0, 1_000, 100));
    let (waits, batches) = accumulator_waits(&trace);
    assert!(
        waits.iter().all(|&w| w <= 9 * MS),
        "{:?}",
        waits.iter().max()
    );
    let per_batch = waits.len() as f64 / batches as f64;
    assert!(
        (per_batch - 10.0).abs() < 0.2,
        "{per_batch} records per batch"
    );
    // Three 300-byte records fit; the fourth does not, so the three go as it arrives and it
    // starts the next batch: each waits 3, 2 or 1 ms.
    let (_, trace) = run_scenario(&linger_model(1_000.0, 1_000, 300));
    let (waits, batches) = accumulator_waits(&trace);
    assert!(
        waits.iter().all(|&w| (MS..=3 * MS).contains(&w)),
        "{:?}",
        &waits[..10]
    );
    let per_batch = waits.len() as f64 / batches as f64;
    assert!(
        (per_batch - 3.0).abs() < 0.1,
        "{per_batch} records per batch"
    );
    assert_eq!(report.lost, 0);
}

#[test]
fn records_still_lingering_when_producers_stop_are_sent_before_the_run_drains() {
    let model = linger_model(50.0, 1_000_000, 100);
    let mut sim = Builder::new(&model)
        .options(Options {
            produce_limit: Some(1_234),
            ..Options::default()
        })
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    sim.run();
    let report = sim.report();
    assert_eq!(report.produced, 1_234);
    assert_eq!(report.acknowledged, 1_234);
    assert_eq!(report.delivered, 1_234);
    assert_eq!(report.stuck, 0);
}

/// A poison key is its text too: `Account-500` is poison for records an event store publishes
/// for aggregate 500, even when the producers of the same prefix only draw 10 keys (the store
/// widens their key space).
#[test]
fn a_poison_key_matches_an_event_stores_aggregate_beyond_the_producers_keys() {
    let text = r#"(
    format: 1,
    name: "poison",
    cluster: (brokers: [(id: 1, write_mb_per_s: 1000.0)], network_latency_ms: 1.0),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [(id: "t", partitions: 2, replication_factor: 1, min_insync_replicas: 1,
              event_types: ["E"])],
    producers: [(id: "p", topics: ["t"], event_types: ["E"], rate: Constant(per_second: 10.0),
                 keys: Uniform(keys: 10, prefix: "Account-"), record_size: Constant(bytes: 100))],
    consumer_groups: [(id: "g", topics: ["t"], members: 2, processing_time: Constant(ms: 0.1),
                       commit: AfterEach, idempotent: true,
                       failures: (poison_keys: ["Account-500"]),
                       retry: (max_attempts: 2, backoff: Fixed(delay_ms: 1), mode: Blocking))],
    event_stores: [(id: "accounts", aggregate: "Account", aggregates: 1000, event_types: ["E"],
                    commands_per_second: 2000.0, writers: 4,
                    append_latency: Constant(ms: 0.2), read_latency_per_event: Constant(ms: 0.0),
                    publish: (topic: "t", mode: Outbox))],
    scenarios: [(name: "run", seed: 1, duration_ms: 10000)],
)"#;
    let model = model::load(text).unwrap_or_else(|e| panic!("{e}"));
    let (report, trace) = run_scenario(&model);
    // About 2,000/s × 10 s ÷ 1,000 aggregates = 20 commands for aggregate 500.
    assert!(
        (5..=60).contains(&report.dead_lettered),
        "dead-lettered {}",
        report.dead_lettered
    );
    for e in trace.iter().filter(|e| e.kind == TraceKind::DeadLettered) {
        assert_eq!(e.key.as_deref(), Some("Account-500"));
    }
}

/// An order-keeping producer keeps its order through a leader failover: records the old leader
/// had not replicated are resent, and a later record that reaches the new leader before their
/// retry is refused (OutOfOrderSequence) and queues behind them, as Kafka's idempotent
/// producer does — with `max_in_flight_requests: 1` as well.
#[test]
fn an_idempotent_producer_keeps_key_order_through_a_leader_failover() {
    let model = |producer: &str| {
        let text = format!(
            r#"(
    format: 1,
    name: "failover",
    cluster: (brokers: [(id: 1, write_mb_per_s: 200.0), (id: 2, write_mb_per_s: 200.0),
                        (id: 3, write_mb_per_s: 200.0)], network_latency_ms: 20.0),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [(id: "orders", partitions: 6, replication_factor: 3, min_insync_replicas: 2,
              event_types: ["E"])],
    producers: [(id: "checkout", topics: ["orders"], event_types: ["E"],
                 rate: Constant(per_second: 5000.0), keys: Uniform(keys: 500, prefix: "order-"),
                 record_size: Constant(bytes: 600), acks: All, {producer})],
    consumer_groups: [(id: "payment", topics: ["orders"], members: 3,
                       processing_time: Constant(ms: 0.1), commit: AfterEach,
                       idempotent: false)],
    scenarios: [(name: "s", seed: 1, duration_ms: 16000,
                 faults: [(at_ms: 3000, kind: BrokerCrash(broker: 1))])],
)"#
        );
        model::load(&text).unwrap_or_else(|e| panic!("{e}"))
    };
    let idempotent = run(&model("enable_idempotence: true"), 1, Options::default());
    assert_eq!(idempotent.order_violations, 0, "{idempotent:?}");
    assert_eq!(idempotent.duplicates, 0);
    assert_eq!(idempotent.lost, 0);
    // Thousands of records waited out the leader's absence and went through in order.
    assert!(idempotent.delivered > 70_000, "{}", idempotent.delivered);
    // Without idempotence a retry after a lost acknowledgement appends a second copy, after
    // later records: duplicates, and those copies land out of order — even one request at a
    // time.
    let one_at_a_time = run(
        &model("enable_idempotence: false, max_in_flight_requests: 1"),
        1,
        Options::default(),
    );
    assert!(one_at_a_time.duplicates > 0, "{one_at_a_time:?}");
    assert!(one_at_a_time.order_violations <= one_at_a_time.duplicates);
}

/// A group too slow for its retention, with `auto_offset_reset: latest`: when its position is
/// deleted it jumps to the high watermark, and the records it passes over are lost to it (not
/// stuck), so a `--produce` run drains instead of waiting for its time limit.
#[test]
fn records_passed_over_by_a_latest_offset_reset_are_lost_not_stuck() {
    let model = |reset: &str| {
        let text = format!(
            r#"(
    format: 1,
    name: "reset",
    cluster: (brokers: [(id: 1, write_mb_per_s: 200.0), (id: 2, write_mb_per_s: 200.0),
                        (id: 3, write_mb_per_s: 200.0)]),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [(id: "orders", partitions: 6, replication_factor: 3, min_insync_replicas: 2,
              retention: (time_ms: 2000), event_types: ["E"])],
    producers: [(id: "p", topics: ["orders"], event_types: ["E"],
                 rate: Constant(per_second: 100.0), keys: Uniform(keys: 500),
                 record_size: Constant(bytes: 600), acks: All)],
    consumer_groups: [(id: "g", topics: ["orders"], members: 3,
                       processing_time: Constant(ms: 50.0), commit: AfterEach,
                       auto_offset_reset: {reset})],
    scenarios: [(name: "s", seed: 1, duration_ms: 100000)],
)"#
        );
        model::load(&text).unwrap_or_else(|e| panic!("{e}"))
    };
    let drained = |reset: &str| {
        run(
            &model(reset),
            1,
            Options {
                produce_limit: Some(1_000),
                ..Options::default()
            },
        )
    };
    for reset in ["latest", "earliest"] {
        let r = drained(reset);
        // Every record is either processed or lost to the one group; none left over, and the
        // run ends once the last is settled, far before its 100 s limit.
        assert_eq!(r.stuck, 0, "{reset}: {r:?}");
        assert_eq!(r.delivered + r.lost, 1_000, "{reset}: {r:?}");
        assert!(r.lost > 0, "{reset}");
        assert!(r.sim_seconds < 30.0, "{reset}: {}", r.sim_seconds);
    }
    // Jumping to the end loses more than resuming from the oldest record still kept.
    assert!(drained("latest").lost > drained("earliest").lost);
}

/// The controller elects from the brokers it knows to be alive: when it notices broker 1 is
/// gone, broker 2 (dead too, not noticed yet) is still in the ISR and gets the leadership; so
/// when broker 2 comes back, every partition the two shared is online again — even though
/// broker 1 never returns.
#[test]
fn partitions_come_back_with_their_last_in_sync_replica() {
    let text = r#"(
    format: 1,
    name: "two-down",
    cluster: (brokers: [(id: 1, write_mb_per_s: 200.0), (id: 2, write_mb_per_s: 200.0),
                        (id: 3, write_mb_per_s: 200.0)], network_latency_ms: 2.0),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [(id: "t", partitions: 6, replication_factor: 2, min_insync_replicas: 1,
              event_types: ["E"])],
    producers: [(id: "p", topics: ["t"], event_types: ["E"], rate: Constant(per_second: 600.0),
                 keys: Uniform(keys: 600), record_size: Constant(bytes: 200), acks: One,
                 enable_idempotence: false)],
    consumer_groups: [(id: "g", topics: ["t"], members: 2, processing_time: Constant(ms: 0.5),
                       commit: AfterEach)],
    scenarios: [(name: "s", seed: 3, duration_ms: 60000, faults: [
        (at_ms: 5000, kind: BrokerCrash(broker: 1)),
        (at_ms: 8000, kind: BrokerCrash(broker: 2)),
        (at_ms: 25000, kind: BrokerRestart(broker: 2)),
    ])],
)"#;
    let model = model::load(text).unwrap_or_else(|e| panic!("{e}"));
    let report = run(&model, 3, Options::default());
    // Records of the partitions on brokers 1 and 2 wait (held by the producer) until broker 2
    // is back at 25 s, then go through: by 60 s all but the last moment's are acknowledged
    // and processed.
    assert!(
        report.produced - report.acknowledged < 100,
        "{} produced, {} acknowledged",
        report.produced,
        report.acknowledged
    );
    assert!(report.produced - report.delivered < 100, "{report:?}");
    assert_eq!(report.produce_failed, 0);
    // Broker 1's 4 replicas leave their ISRs when the controller notices it (14 s), and so
    // do broker 2's still in one at 17 s.
    assert!(report.isr_shrinks >= 4, "{}", report.isr_shrinks);
}

/// acks=0: a record counts as written when its producer sends it, not when it is made — a
/// record still lingering in the accumulator at the end is not acknowledged.
#[test]
fn an_acks_0_record_counts_as_written_once_sent() {
    let text = r#"(
    format: 1,
    name: "fire-and-forget",
    cluster: (brokers: [(id: 1, write_mb_per_s: 100.0)], network_latency_ms: 1.0),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [(id: "t", partitions: 2, replication_factor: 1, min_insync_replicas: 1,
              event_types: ["E"])],
    producers: [(id: "p", topics: ["t"], event_types: ["E"], rate: Constant(per_second: 999.0),
                 keys: Uniform(keys: 50), record_size: Constant(bytes: 100), acks: Zero,
                 enable_idempotence: false, linger_ms: 50.0)],
    scenarios: [(name: "s", seed: 1, duration_ms: 2020)],
)"#;
    let model = model::load(text).unwrap_or_else(|e| panic!("{e}"));
    let report = run(&model, 1, Options::default());
    let sent = report.producers["p"].records_sent;
    assert_eq!(report.acknowledged, sent);
    // The last 50 ms' records are still in the accumulator.
    assert!(
        report.produced - sent > 10,
        "{} produced, {sent} sent",
        report.produced
    );
}

/// An event store's publications count as produced and, once written, as acknowledged, like
/// a producer's records.
#[test]
fn an_event_stores_publications_are_produced_and_acknowledged() {
    let store = r#"(id: "accounts", aggregate: "Account", aggregates: 100, event_types: ["E"],
                commands_per_second: 500.0, writers: 2,
                append_latency: Constant(ms: 0.2), read_latency_per_event: Constant(ms: 0.0),
                publish: (topic: "t", mode: Outbox))"#;
    let (report, _) = run_scenario(&store_model(store, ""));
    assert!(report.produced > 9_000, "{}", report.produced);
    assert!(
        report.produced - report.acknowledged < 10,
        "{} produced, {} acknowledged",
        report.produced,
        report.acknowledged
    );
}
