//! The engine's fast paths (arrivals and completed processings in the common configuration)
//! change nothing: every run gives the same report, trace hash included, with them and without.

use causeway::model::{self, Model};
use causeway::sim::time::SECOND;
use causeway::sim::{Builder, Options, Report};

/// Runs `scenario` of `model` with and without the fast paths; returns both reports and how
/// many events took a fast path.
fn both_ways(model: &Model, scenario: Option<&str>, seed: u64, options: &Options) -> [Report; 2] {
    let run = |fast_paths: bool| {
        let mut builder = Builder::new(model).seed(seed).options(Options {
            fast_paths,
            ..options.clone()
        });
        if let Some(s) = scenario {
            builder = builder.scenario(s);
        }
        let mut sim = builder.build().unwrap_or_else(|e| panic!("{e}"));
        sim.run();
        (sim.report(), sim.fast_path_events())
    };
    let (fast, taken) = run(true);
    let (general, none) = run(false);
    assert_eq!(none, 0, "without fast paths, no event takes one");
    assert!(taken > 0, "{}: no event took a fast path", model.name);
    [fast, general]
}

fn for_seconds(seconds: u64) -> Options {
    Options {
        duration: Some(seconds * SECOND),
        ..Options::default()
    }
}

#[test]
fn every_example_scenario_gives_the_same_report_with_and_without_fast_paths() {
    for example in causeway::examples::EXAMPLES {
        let model = model::load(example.text).expect("loads");
        for scenario in &model.scenarios {
            let mut sim = Builder::new(&model)
                .scenario(&scenario.name)
                .options(for_seconds(20))
                .build()
                .expect("builds");
            sim.run();
            let fast = sim.report();
            let mut sim = Builder::new(&model)
                .scenario(&scenario.name)
                .options(Options {
                    fast_paths: false,
                    ..for_seconds(20)
                })
                .build()
                .expect("builds");
            sim.run();
            let general = sim.report();
            assert_eq!(fast, general, "{} / {}", example.name, scenario.name);
        }
    }
}

/// Keyed records to single-replica partitions that one fast group reads, beside what the
/// fast paths leave to the general handlers (null keys, replicated topics, a second reader),
/// and faults that move events off the fast paths and back: brokers and members crash and
/// return, a slowdown long enough to exceed `max.poll.interval.ms`, an error spike, a poison
/// message, network partitions (the group's keeps its coordinator, broker 1, so it goes on
/// committing), a burst, and retention that deletes unread records.
fn faulty_model(retry: &str, reset: &str, assignor: &str) -> Model {
    let text = format!(
        r#"(
    format: 1,
    name: "faulty",
    cluster: (brokers: [(id: 1, write_mb_per_s: 1000000000000.0),
                        (id: 2, write_mb_per_s: 1000000000000.0),
                        (id: 3, write_mb_per_s: 50.0)],
              network_latency_ms: 0.0),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [
        (id: "t", partitions: 6, replication_factor: 1, min_insync_replicas: 1,
         retention: (time_ms: 4000), event_types: ["E"]),
        (id: "u", partitions: 4, replication_factor: 2, min_insync_replicas: 1,
         retention: (), event_types: ["E"]),
        (id: "dlt", partitions: 1, replication_factor: 1, min_insync_replicas: 1,
         retention: (), event_types: ["E"]),
    ],
    producers: [
        (id: "keyed", topics: ["t"], event_types: ["E"], rate: Poisson(per_second: 400.0),
         keys: Uniform(keys: 500, prefix: "k-"), record_size: Constant(bytes: 100), acks: One,
         enable_idempotence: false, linger_ms: 0.0),
        (id: "nulls", topics: ["t"], event_types: ["E"], rate: Poisson(per_second: 50.0),
         keys: Null, record_size: Constant(bytes: 100), acks: One, enable_idempotence: false,
         linger_ms: 0.0),
        (id: "replicated", topics: ["u"], event_types: ["E"], rate: Poisson(per_second: 100.0),
         keys: Uniform(keys: 50), record_size: Constant(bytes: 100), acks: All,
         enable_idempotence: true, linger_ms: 0.0),
    ],
    consumer_groups: [
        (id: "g", topics: ["t"], members: 3, processing_time: Exponential(mean_ms: 1.5),
         assignor: {assignor},
         auto_offset_reset: {reset}, max_poll_interval_ms: 200, session_timeout_ms: 1000,
         commit: AfterEach, failures: (probability: 0.05),
         retry: (max_attempts: 3, backoff: Fixed(delay_ms: 50), mode: {retry}),
         dead_letter_topic: "dlt", idempotent: false),
        (id: "h", topics: ["u"], members: 2, processing_time: Exponential(mean_ms: 2.0),
         commit: AfterEach, idempotent: true),
    ],
    scenarios: [(name: "faults", seed: 7, duration_ms: 30000, faults: [
        (at_ms: 2000, kind: BrokerCrash(broker: 1)),
        (at_ms: 4000, kind: BrokerRestart(broker: 1)),
        (at_ms: 5000, kind: MemberCrash(group: "g", member: 1)),
        (at_ms: 7000, kind: MemberRestart(group: "g", member: 1)),
        (at_ms: 9000, kind: Slowdown(group: "g", factor: 200.0, duration_ms: 6000)),
        (at_ms: 16000, kind: ErrorSpike(group: "g", probability: 0.5, duration_ms: 1000)),
        (at_ms: 18000, kind: NetworkPartition(client: "keyed", brokers: [1, 2],
                                              duration_ms: 800)),
        (at_ms: 20000, kind: NetworkPartition(client: "g", brokers: [2, 3], duration_ms: 1500)),
        (at_ms: 23000, kind: ProducerBurst(producer: "keyed", factor: 10.0,
                                           duration_ms: 1000)),
        (at_ms: 24000, kind: PoisonMessage(producer: "keyed", key: "k-7")),
        (at_ms: 25000, kind: BrokerCrash(broker: 2)),
    ])],
)"#
    );
    model::load(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn faults_move_events_off_the_fast_paths_and_back_with_the_same_results() {
    for (retry, reset, assignor) in [
        ("RetryTopic()", "earliest", "range"),
        ("Blocking", "latest", "cooperative_sticky"),
        ("RetryTopic()", "latest", "round_robin"),
    ] {
        let model = faulty_model(retry, reset, assignor);
        for seed in [7, 8] {
            let [fast, general] = both_ways(&model, Some("faults"), seed, &Options::default());
            let which = format!("{retry} / {reset} / {assignor} / seed {seed}");
            assert_eq!(fast, general, "{which}");
            // The faults did what they are here for.
            assert!(fast.dead_lettered > 0, "{which}: nothing dead-lettered");
            assert!(fast.retries > 0, "{which}: no retries");
            assert!(fast.lost > 0, "{which}: retention deleted nothing unread");
            assert!(
                fast.groups.values().any(|g| g.rebalances > 1),
                "{which}: no rebalance"
            );
        }
    }
}

#[test]
fn a_kept_trace_a_produce_limit_and_a_checkpoint_change_nothing_either() {
    let model = faulty_model("RetryTopic()", "earliest", "cooperative_sticky");
    // The trace fills up part way: the fast paths stay off while it is kept.
    let options = Options {
        trace_capacity: 20_000,
        produce_limit: Some(8_000),
        ..Options::default()
    };
    let [fast, general] = both_ways(&model, Some("faults"), 3, &options);
    assert_eq!(fast, general);
    assert_eq!(fast.produced, 8_000);

    // A checkpoint taken on the fast paths resumes to the end of the uninterrupted run.
    let mut sim = Builder::new(&model)
        .scenario("faults")
        .build()
        .expect("builds");
    sim.run_until(12 * SECOND);
    let mut resumed = sim.clone();
    sim.run();
    resumed.run();
    assert_eq!(sim.report(), resumed.report());
}
