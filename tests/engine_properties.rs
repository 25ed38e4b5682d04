//! Property tests of the engine's promises, over seeds, crash times, brokers and settings
//! (proptest): determinism, no loss where Kafka guarantees none, loss exactly where it does
//! not, per-key order where the configuration keeps it, duplicates only where it allows them.

use causeway::model::{self, Model};
use causeway::sim::time::MS;
use causeway::sim::trace::{TraceEvent, TraceKind};
use causeway::sim::{Builder, Options, Report};
use proptest::prelude::*;

fn run(model: &Model, seed: u64, trace: bool) -> (Report, Vec<TraceEvent>) {
    let mut sim = Builder::new(model)
        .seed(seed)
        .options(Options {
            trace_capacity: if trace { usize::MAX } else { 0 },
            ..Options::default()
        })
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    sim.run();
    (sim.report(), sim.trace().to_vec())
}

/// Three brokers, a topic of 3 partitions replicated 3 times, one producer at 500 records/s,
/// one group reading it; `broker` crashes at `crash_ms` and the run lasts 30 s.
fn crash_model(acks: &str, idempotence: bool, min_isr: u32, broker: u32, crash_ms: u64) -> Model {
    let text = format!(
        r#"(
    format: 1,
    name: "crash",
    cluster: (
        brokers: [(id: 1, write_mb_per_s: 1000.0), (id: 2, write_mb_per_s: 1000.0),
                  (id: 3, write_mb_per_s: 1000.0)],
        network_latency_ms: 5.0,
    ),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [(id: "t", partitions: 3, replication_factor: 3, min_insync_replicas: {min_isr},
              event_types: ["E"])],
    producers: [(id: "p", topics: ["t"], event_types: ["E"], rate: Poisson(per_second: 500.0),
                 keys: Uniform(keys: 300), record_size: Constant(bytes: 200), acks: {acks},
                 enable_idempotence: {idempotence})],
    consumer_groups: [(id: "g", topics: ["t"], members: 3, processing_time: Constant(ms: 0.2),
                       commit: AfterEach, idempotent: false)],
    scenarios: [(name: "crash", seed: 1, duration_ms: 30000, faults: [
        (at_ms: {crash_ms}, kind: BrokerCrash(broker: {broker})),
    ])],
)"#
    );
    model::load(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// One producer, `partitions` partitions each read by its own member, failing attempts with
/// `failure` probability and retried in place (blocking) up to 4 times, then dead-lettered.
fn ordered_model(partitions: u32, failure: f64, keys: u32) -> Model {
    let text = format!(
        r#"(
    format: 1,
    name: "ordered",
    cluster: (brokers: [(id: 1, write_mb_per_s: 1000.0)], network_latency_ms: 1.0),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [
        (id: "t", partitions: {partitions}, replication_factor: 1, min_insync_replicas: 1,
         event_types: ["E"]),
        (id: "dlt", partitions: 1, replication_factor: 1, min_insync_replicas: 1,
         event_types: ["E"]),
    ],
    producers: [(id: "p", topics: ["t"], event_types: ["E"], rate: Poisson(per_second: 200.0),
                 keys: Uniform(keys: {keys}), record_size: Constant(bytes: 100), acks: All)],
    consumer_groups: [(id: "g", topics: ["t"], members: {partitions},
                       processing_time: Exponential(mean_ms: 2.0),
                       commit: AfterEach, failures: (probability: {failure}),
                       retry: (max_attempts: 4, backoff: Fixed(delay_ms: 10)),
                       dead_letter_topic: "dlt", idempotent: false)],
    scenarios: [(name: "run", seed: 1, duration_ms: 20000)],
)"#
    );
    model::load(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn the_same_seed_gives_the_same_hash_and_another_seed_another(seed in 0u64..u64::MAX / 2) {
        let model = ordered_model(3, 0.05, 50);
        let (a, _) = run(&model, seed, false);
        let (b, _) = run(&model, seed, false);
        let (c, _) = run(&model, seed + 1, false);
        prop_assert_eq!(&a.trace_hash, &b.trace_hash);
        prop_assert_eq!(a.produced, b.produced);
        prop_assert_ne!(&a.trace_hash, &c.trace_hash);
    }

    #[test]
    fn acks_all_with_rf_3_and_min_isr_2_loses_nothing_when_any_one_broker_dies(
        seed in 0u64..1_000_000,
        broker in 1u32..=3,
        crash_ms in 1_000u64..20_000,
    ) {
        let (report, _) = run(&crash_model("All", true, 2, broker, crash_ms), seed, false);
        prop_assert!(report.produced > 10_000);
        prop_assert_eq!(report.lost, 0);
        prop_assert_eq!(report.duplicates, 0);
        prop_assert_eq!(report.produce_failed, 0);
    }

    #[test]
    fn acks_1_loses_exactly_the_unreplicated_tail_of_the_dead_leaders_partition(
        seed in 0u64..1_000_000,
        broker in 1u32..=3,
        crash_ms in 1_000u64..20_000,
    ) {
        let (report, trace) = run(&crash_model("One", false, 1, broker, crash_ms), seed, true);
        let crash = crash_ms * MS;
        let lost: Vec<&TraceEvent> = trace.iter().filter(|e| e.kind == TraceKind::Lost).collect();
        // The checker counts exactly what the log lost, once per subscribing group.
        prop_assert_eq!(report.lost, lost.len() as u64);
        // Only the partition the dead broker led (partition `broker - 1`) loses records,
        // and the lost offsets are a contiguous tail appended shortly before the crash.
        let partition = broker - 1;
        prop_assert!(lost.iter().all(|e| e.partition == partition));
        let mut offsets: Vec<u64> = lost.iter().filter_map(|e| e.offset).collect();
        offsets.sort_unstable();
        if let (Some(&first), Some(&last)) = (offsets.first(), offsets.last()) {
            prop_assert_eq!(offsets.len() as u64, last - first + 1);
            // The old leader's appends (the new leader reuses the offsets after the crash).
            let before: Vec<(u64, u64)> = trace
                .iter()
                .filter(|e| {
                    e.kind == TraceKind::Appended && e.partition == partition && e.time_ns <= crash
                })
                .filter_map(|e| Some((e.offset?, e.time_ns)))
                .collect();
            // The lost offsets are the whole tail of what the old leader had...
            let end = before.iter().map(|(o, _)| *o).max().unwrap_or(0);
            prop_assert_eq!(last, end);
            // ...and that tail is recent: a record appended just after a fetch response left
            // reaches a follower with the next response — the response's 5 ms hop, the next
            // request's 5 ms, and its own 5 ms.
            for (offset, at) in before.iter().filter(|(o, _)| *o >= first) {
                prop_assert!(crash - at <= 15 * MS + MS,
                    "offset {} appended at {} ns, crash at {} ns", offset, at, crash);
            }
        }
    }

    #[test]
    fn blocking_retries_with_one_member_per_partition_keep_per_key_order(
        seed in 0u64..1_000_000,
        partitions in 1u32..6,
        failure in 0.0f64..0.3,
        keys in 1u32..200,
    ) {
        let (report, _) = run(&ordered_model(partitions, failure, keys), seed, false);
        prop_assert!(report.produced > 2_000);
        prop_assert_eq!(report.order_violations, 0);
        // No crash, no rebalance, an idempotent producer and blocking retries: nothing is
        // processed twice either.
        prop_assert_eq!(report.duplicates, 0);
        prop_assert_eq!(report.lost, 0);
    }

    #[test]
    fn duplicates_appear_only_where_the_configuration_allows_them(
        seed in 0u64..1_000_000,
        idempotence in any::<bool>(),
        crash_ms in 2_000u64..20_000,
    ) {
        // acks=all and a leader crash: a non-idempotent producer may write a record twice
        // (a retry after a lost acknowledgement); an idempotent one never does.
        let (report, _) = run(&crash_model("All", idempotence, 2, 1, crash_ms), seed, false);
        if idempotence {
            prop_assert_eq!(report.duplicates, 0);
        }
        prop_assert_eq!(report.lost, 0);
    }
}

#[test]
fn a_non_idempotent_producer_does_duplicate_after_a_leader_crash_for_some_crash_times() {
    // The counterpart of the property above: the duplicates it allows do happen.
    let duplicated = (0..8u64)
        .map(|i| {
            run(
                &crash_model("All", false, 2, 1, 2_000 + i * 1_731),
                i,
                false,
            )
            .0
        })
        .filter(|r| r.duplicates > 0)
        .count();
    assert!(duplicated > 0);
}
