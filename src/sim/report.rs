//! What a run produces: counts, latency percentiles, lag over time, alerts, checker verdicts
//! and the scenario's expectations. Serialises to the JSON `causeway simulate --json` prints.

use std::collections::BTreeMap;

use serde::Serialize;

use super::check::Verdict;

/// The results of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The model's name.
    pub model: String,
    /// The scenario run.
    pub scenario: String,
    /// The seed of every random draw.
    pub seed: u64,
    /// Simulated time covered.
    pub sim_seconds: f64,
    /// Wall-clock time the run took, setting it up included (filled in by the caller; the
    /// engine has no clock).
    pub wall_seconds: f64,
    /// Engine events handled.
    pub events_processed: u64,
    /// XXH3-64 of the canonical event trace, in hex: equal runs have equal hashes.
    pub trace_hash: String,
    /// Records produced: by producers, and published by event stores. (What groups publish —
    /// reactions, retries, dead-letter copies — is not counted here.)
    pub produced: u64,
    /// Of those, records acknowledged to their producer (or store).
    pub acknowledged: u64,
    /// Successful processings (over all groups).
    pub delivered: u64,
    /// Records processed again by a group that had already processed them.
    pub duplicates: u64,
    /// Records dead-lettered after their last attempt.
    pub dead_lettered: u64,
    /// Failed attempts that were retried.
    pub retries: u64,
    /// Acknowledged records a subscribing group never got to process.
    pub lost: u64,
    /// Deliveries neither processed, dead-lettered nor lost when the run ended.
    pub stuck: u64,
    /// Per-key order violations.
    pub order_violations: u64,
    /// End-to-end latency, from produce to processed.
    pub latency_ms: LatencyReport,
    /// Time from append to processed, per record.
    pub processing_ms: LatencyReport,
    /// Per consumer group.
    pub groups: BTreeMap<String, GroupReport>,
    /// Per projection (CQRS read model).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub projections: BTreeMap<String, ProjectionReport>,
    /// Per event store.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub event_stores: BTreeMap<String, EventStoreReport>,
    /// Per saga.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub sagas: BTreeMap<String, SagaReport>,
    /// Per producer.
    pub producers: BTreeMap<String, ProducerReport>,
    /// Per topic.
    pub topics: BTreeMap<String, TopicReport>,
    /// Alert rules that fired, with when.
    pub alerts: Vec<AlertReport>,
    /// Checker verdicts.
    pub checkers: Vec<Verdict>,
    /// The scenario's expectations, evaluated.
    pub expectations: Vec<ExpectationReport>,
    /// Scenario faults this engine release does not simulate yet.
    pub not_simulated: Vec<String>,
    /// Why the run stopped before the end of its scenario (too many records held in memory),
    /// if it did: the results cover the time until then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_early: Option<String>,
    /// Records a producer gave up on: `delivery.timeout.ms` passed, or its `retries` ran out.
    pub produce_failed: u64,
    /// Replicas removed from an ISR: followers a leader dropped for lagging more than
    /// `replica.lag.time.max.ms` (counted once per partition and check), and the replicas of a
    /// broker the controller found dead.
    pub isr_shrinks: u64,
    /// acks=all writes refused because the ISR was below `min_insync_replicas`.
    pub not_enough_replicas: u64,
    /// The most partitions under-replicated at one sample.
    pub max_under_replicated: u64,
    /// `[seconds, partitions]` under-replicated at each sample.
    pub under_replicated_series: Vec<(f64, u64)>,
}

impl Report {
    /// Whether every checker passed and every expectation held, in a run that reached its end
    /// (one that stopped early did not run its scenario).
    pub fn all_passed(&self) -> bool {
        self.checkers.iter().all(|c| c.passed)
            && self.expectations.iter().all(|e| e.passed)
            && self.stopped_early.is_none()
    }
}

/// Latency percentiles, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct LatencyReport {
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Maximum.
    pub max: f64,
    /// Mean.
    pub mean: f64,
}

/// One event store's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventStoreReport {
    /// Commands that arrived.
    pub commands: u64,
    /// Events appended.
    pub appended: u64,
    /// Appends refused because another writer appended first (optimistic concurrency).
    pub conflicts: u64,
    /// Conflicts per append attempt.
    pub conflict_rate: f64,
    /// Commands given up after `conflict_retries` conflicting attempts.
    pub failed_commands: u64,
    /// Without expected versions: appends decided on a state another writer had changed.
    pub lost_updates: u64,
    /// Commands in hand when their writer crashed.
    pub crashed_commands: u64,
    /// Events published to the topic.
    pub published: u64,
    /// Events appended but never published (a dual write cut by a crash).
    pub lost_publications: u64,
    /// Events replayed per aggregate load (since the latest snapshot).
    pub load_events: LatencyReport,
    /// Time per aggregate load.
    pub load_ms: LatencyReport,
}

/// One saga's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SagaReport {
    /// "orchestrated" or "choreographed".
    pub coordination: &'static str,
    /// Instances started.
    pub started: u64,
    /// Instances whose every step succeeded.
    pub completed: u64,
    /// Instances whose completed steps were all undone after a failure or timeout.
    pub compensated: u64,
    /// Instances in which a step's reply did not come in time.
    pub timed_out: u64,
    /// Instances neither completed nor compensated, and not moving (the checker's failures).
    pub stuck: u64,
    /// Instances still running when the run ended.
    pub in_flight: u64,
    /// Instances that ran a step (or compensation) twice with effect, or a step after the
    /// saga gave up on it.
    pub inconsistent: u64,
    /// Repeated commands or events an idempotent step recognised and skipped.
    pub absorbed_repeats: u64,
    /// Replies for steps no longer pending (duplicates, or late after a timeout).
    pub ignored_replies: u64,
    /// Trigger records delivered to the orchestrator again and ignored.
    pub duplicate_triggers: u64,
    /// Steps that ran after the saga gave up on them.
    pub late_executions: u64,
    /// Start to end of finished instances.
    pub duration_ms: LatencyReport,
    /// Per step, in order.
    pub steps: Vec<SagaStepReport>,
    /// Instances pending and compensating over time: (seconds, pending, compensating).
    pub series: Vec<(f64, u64, u64)>,
    /// The first stuck or inconsistent instances, with what led there.
    pub problems: Vec<SagaInstanceReport>,
    /// A few instances that ended well (completed, then compensated), with their history.
    pub examples: Vec<SagaInstanceReport>,
}

/// One saga step's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SagaStepReport {
    /// The step's name.
    pub name: String,
    /// Times it ran (once per instance).
    pub executed: u64,
    /// Times it failed.
    pub failed: u64,
    /// Times its reply timed out.
    pub timed_out: u64,
    /// Times its compensation ran.
    pub compensations: u64,
    /// Repeats of the step or its compensation that had an effect again.
    pub duplicate_executions: u64,
}

/// A saga instance that did not end well, with its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SagaInstanceReport {
    /// The trigger record's id.
    pub instance: u64,
    /// The trigger's key.
    pub key: String,
    /// Where it is ("step 2 pending", "compensating", …).
    pub state: String,
    /// What is wrong ("stuck", "ran step `x` twice", …).
    pub problem: String,
    /// What happened, in order: "12.004 s #1234 ReserveStock: command sent for step
    /// `reserve-stock` → step 1 pending".
    pub history: Vec<String>,
}

/// One projection's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectionReport {
    /// Events written to the read model (each write, repeats included).
    pub applied: u64,
    /// Repeats an idempotent projection recognised and skipped.
    pub skipped_repeats: u64,
    /// Writes the store failed (each retried until it succeeded).
    pub failed_writes: u64,
    /// How far behind the read model was over time: (seconds, age in ms of the oldest event
    /// not yet applied).
    pub staleness_series: Vec<(f64, f64)>,
    /// Rows in the read model at the end.
    pub rows: u64,
    /// Rows that differ from the declared fold applied once, in order.
    pub rows_differing: u64,
    /// From an event being produced to its write being visible to queries.
    pub staleness_ms: LatencyReport,
    /// Queries answered (at the projection's modelled rate).
    pub queries: u64,
    /// Queries that hit a row still missing an event already produced.
    pub stale_queries: u64,
    /// Rebuilds of the read model (the latest 16).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rebuilds: Vec<RebuildReport>,
}

/// One rebuild of a projection's read model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RebuildReport {
    /// When it began, in seconds.
    pub started_at_seconds: f64,
    /// How long the replay of history took, in seconds (`None`: unfinished at the end).
    pub duration_seconds: Option<f64>,
    /// History events written again.
    pub replayed: u64,
    /// Rows before the rebuild.
    pub rows_before: u64,
    /// Rows once history was replayed (fewer when retention deleted events).
    pub rows_after: u64,
    /// Staleness of the events produced meanwhile, which waited behind the replay.
    pub new_event_staleness_ms: LatencyReport,
}

/// One consumer group's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupReport {
    /// Records processed successfully.
    pub processed: u64,
    /// Rebalances.
    pub rebalances: u64,
    /// Times a member was removed for exceeding `max_poll_interval_ms`.
    pub poll_timeouts: u64,
    /// Times its coordinator evicted its members (unreachable for a session timeout).
    pub evictions: u64,
    /// Partition time paused by rebalances, in total: each paused partition counts for as
    /// long as it is paused (an eager rebalance pauses every partition of the group, a
    /// cooperative one only those that move).
    pub rebalance_pause_ms: f64,
    /// The largest lag sampled.
    pub max_lag: u64,
    /// Lag at the end of the run.
    pub final_lag: u64,
    /// `[seconds, lag]` at each sample.
    pub lag_series: Vec<(f64, u64)>,
}

/// One producer's sends.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProducerReport {
    /// Records sent to the brokers (a record sent to several topics counts once per topic).
    pub records_sent: u64,
    /// Produce requests (batches) they went in.
    pub batches: u64,
    /// Records per batch, on average: what `linger_ms` and `batch_size_bytes` buy.
    pub records_per_batch: f64,
}

/// One topic's traffic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicReport {
    /// Records appended.
    pub records_in: u64,
}

/// An alert rule that fired.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertReport {
    /// The rule.
    pub rule: String,
    /// When it first fired.
    pub fired_at_seconds: f64,
    /// The value that fired it.
    pub value: f64,
}

/// A scenario expectation, evaluated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpectationReport {
    /// The expectation, in words.
    pub expectation: String,
    /// Whether it held.
    pub passed: bool,
    /// What was measured.
    pub measured: String,
}

/// A count as people read it: `10,000,001`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_in_messages_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(10_000_001), "10,000,001");
        assert_eq!(grouped(u64::MAX), "18,446,744,073,709,551,615");
    }
}
