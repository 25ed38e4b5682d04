//! The elements of an architecture model, named the way Kafka and the event-driven
//! architecture literature name them.
//!
//! Every element a user can draw has an `id`, unique across all drawable elements of a model;
//! references between elements use these ids. Durations are integer milliseconds unless the
//! field name says otherwise (`_ms`), rates are per second, sizes are bytes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::avro::{AvroDefault, AvroType};

/// The version of the file format this build writes.
pub const FORMAT_VERSION: u32 = 1;

/// A whole architecture: the cluster, the event types, every drawn element, the scenarios that
/// exercise them and where each sits on the canvas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// File-format version; always [`FORMAT_VERSION`] once loaded.
    pub format: u32,
    /// The model's name, shown in the studio's title and in reports.
    pub name: String,
    /// What this architecture is and why it is shaped this way.
    #[serde(default)]
    pub description: String,
    /// Free-form explanations (design decisions, lesson steps). They live here rather than in
    /// comments because saving rewrites the file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The Kafka cluster the topics live on.
    #[serde(default)]
    pub cluster: Cluster,
    /// Event types and their schema versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event_types: Vec<EventType>,
    /// Topics.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<Topic>,
    /// Producers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub producers: Vec<Producer>,
    /// Consumer groups (the services that consume and react).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consumer_groups: Vec<ConsumerGroup>,
    /// Sagas, orchestrated or choreographed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sagas: Vec<Saga>,
    /// CQRS projections (read models).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub projections: Vec<Projection>,
    /// Event-sourced stores.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event_stores: Vec<EventStore>,
    /// Scenarios: what to run, for how long, and which faults to inject when.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<Scenario>,
    /// Where each element sits on the canvas, and free-text canvas notes.
    #[serde(default)]
    pub layout: Layout,
}

impl Model {
    /// An empty model with the given name and a three-broker cluster.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            format: FORMAT_VERSION,
            name: name.into(),
            description: String::new(),
            notes: Vec::new(),
            cluster: Cluster::default(),
            event_types: Vec::new(),
            topics: Vec::new(),
            producers: Vec::new(),
            consumer_groups: Vec::new(),
            sagas: Vec::new(),
            projections: Vec::new(),
            event_stores: Vec::new(),
            scenarios: Vec::new(),
            layout: Layout::default(),
        }
    }

    /// Looks up an event type by id.
    pub fn event_type(&self, id: &str) -> Option<&EventType> {
        self.event_types.iter().find(|e| e.id == id)
    }

    /// Looks up a topic by id.
    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.id == id)
    }

    /// Looks up a producer by id.
    pub fn producer(&self, id: &str) -> Option<&Producer> {
        self.producers.iter().find(|p| p.id == id)
    }

    /// Looks up a consumer group by id.
    pub fn consumer_group(&self, id: &str) -> Option<&ConsumerGroup> {
        self.consumer_groups.iter().find(|g| g.id == id)
    }

    /// Looks up a scenario by name.
    pub fn scenario(&self, name: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.name == name)
    }

    /// Every drawable element, in a stable order: producers, topics, consumer groups, sagas,
    /// projections, event stores, each in file order.
    pub fn elements(&self) -> Vec<ElementRef> {
        let mut out = Vec::new();
        let kinds: [(ElementKind, Vec<&str>); 6] = [
            (
                ElementKind::Producer,
                self.producers.iter().map(|e| e.id.as_str()).collect(),
            ),
            (
                ElementKind::Topic,
                self.topics.iter().map(|e| e.id.as_str()).collect(),
            ),
            (
                ElementKind::ConsumerGroup,
                self.consumer_groups.iter().map(|e| e.id.as_str()).collect(),
            ),
            (
                ElementKind::Saga,
                self.sagas.iter().map(|e| e.id.as_str()).collect(),
            ),
            (
                ElementKind::Projection,
                self.projections.iter().map(|e| e.id.as_str()).collect(),
            ),
            (
                ElementKind::EventStore,
                self.event_stores.iter().map(|e| e.id.as_str()).collect(),
            ),
        ];
        for (kind, ids) in kinds {
            out.extend(ids.into_iter().map(|id| ElementRef::new(kind, id)));
        }
        out
    }
}

/// The kinds of element a model holds, used to say which element a diagnostic concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElementKind {
    /// The model as a whole.
    Model,
    /// A broker of the cluster.
    Broker,
    /// An event type.
    EventType,
    /// A topic.
    Topic,
    /// A producer.
    Producer,
    /// A consumer group.
    ConsumerGroup,
    /// A saga.
    Saga,
    /// A projection.
    Projection,
    /// An event store.
    EventStore,
    /// A scenario.
    Scenario,
    /// A note on the canvas.
    CanvasNote,
}

impl ElementKind {
    /// The name of the list this kind lives in, in the model file.
    pub fn section(self) -> &'static str {
        match self {
            Self::Model => "",
            Self::Broker => "brokers",
            Self::EventType => "event_types",
            Self::Topic => "topics",
            Self::Producer => "producers",
            Self::ConsumerGroup => "consumer_groups",
            Self::Saga => "sagas",
            Self::Projection => "projections",
            Self::EventStore => "event_stores",
            Self::Scenario => "scenarios",
            Self::CanvasNote => "notes",
        }
    }

    /// A human name for the kind ("consumer group").
    pub fn label(self) -> &'static str {
        match self {
            Self::Model => "model",
            Self::Broker => "broker",
            Self::EventType => "event type",
            Self::Topic => "topic",
            Self::Producer => "producer",
            Self::ConsumerGroup => "consumer group",
            Self::Saga => "saga",
            Self::Projection => "projection",
            Self::EventStore => "event store",
            Self::Scenario => "scenario",
            Self::CanvasNote => "canvas note",
        }
    }
}

/// Names one element of a model: its kind and id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ElementRef {
    /// The element's kind.
    pub kind: ElementKind,
    /// The element's id (for brokers, the broker id as text; for the model, empty).
    pub id: String,
}

impl ElementRef {
    /// Builds a reference.
    pub fn new(kind: ElementKind, id: impl Into<String>) -> Self {
        Self {
            kind,
            id: id.into(),
        }
    }

    /// The reference to the model as a whole.
    pub fn model() -> Self {
        Self::new(ElementKind::Model, "")
    }
}

impl std::fmt::Display for ElementRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.kind == ElementKind::Model {
            write!(f, "model")
        } else {
            write!(f, "{} `{}`", self.kind.label(), self.id)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Cluster

/// The Kafka cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    /// The brokers.
    pub brokers: Vec<Broker>,
    /// One-way network latency between clients and brokers, and between brokers, in ms.
    #[serde(default)]
    pub network_latency_ms: f64,
    /// Whether an out-of-sync replica may become leader when no in-sync one is left
    /// (`unclean.leader.election.enable`): availability bought with data loss.
    #[serde(default)]
    pub unclean_leader_election: bool,
    /// How long a follower may lag before it leaves the ISR (`replica.lag.time.max.ms`).
    #[serde(default = "default_replica_lag_time_max_ms")]
    pub replica_lag_time_max_ms: u64,
}

fn default_replica_lag_time_max_ms() -> u64 {
    30_000
}

impl Default for Cluster {
    fn default() -> Self {
        Self {
            brokers: (1..=3)
                .map(|id| Broker {
                    id,
                    rack: None,
                    write_mb_per_s: 100.0,
                })
                .collect(),
            network_latency_ms: 0.5,
            unclean_leader_election: false,
            replica_lag_time_max_ms: default_replica_lag_time_max_ms(),
        }
    }
}

/// One broker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Broker {
    /// `broker.id`.
    pub id: u32,
    /// `broker.rack`, used to spread replicas over failure domains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rack: Option<String>,
    /// How many MB/s of appends (leader and follower) the broker's disks absorb.
    pub write_mb_per_s: f64,
}

// ---------------------------------------------------------------------------------------------
// Event types

/// What role an event plays, in the vocabulary of the EDA literature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum EventKind {
    /// A fact inside one bounded context.
    #[default]
    Domain,
    /// A fact published for other bounded contexts; a public contract.
    Integration,
    /// A thin "something happened" signal; consumers call back for details.
    Notification,
    /// Event-carried state transfer: the event carries the state consumers need.
    StateTransfer,
}

/// A compatibility level of a schema registry subject (Confluent semantics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Compatibility {
    /// No checks.
    None,
    /// The new schema can read data written with the latest one.
    #[default]
    Backward,
    /// The new schema can read data written with every earlier one.
    BackwardTransitive,
    /// The latest schema can read data written with the new one.
    Forward,
    /// Every earlier schema can read data written with the new one.
    ForwardTransitive,
    /// Backward and forward against the latest.
    Full,
    /// Backward and forward against every earlier version.
    FullTransitive,
}

/// An event type: a named record whose schema evolves through versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventType {
    /// The record name (an Avro name), also the event type's id in the model.
    pub id: String,
    /// The Avro namespace (`com.shop.orders`).
    #[serde(default)]
    pub namespace: String,
    /// The event's role.
    #[serde(default)]
    pub kind: EventKind,
    /// What the event means; becomes the Avro record's `doc`.
    #[serde(default)]
    pub doc: String,
    /// The registry compatibility level of this event type's subjects.
    #[serde(default)]
    pub compatibility: Compatibility,
    /// Schema versions, oldest first; the last one is what producers write.
    pub versions: Vec<SchemaVersion>,
}

impl EventType {
    /// `namespace.Name`, or just the name without a namespace.
    pub fn full_name(&self) -> String {
        if self.namespace.is_empty() {
            self.id.clone()
        } else {
            format!("{}.{}", self.namespace, self.id)
        }
    }

    /// The newest schema version, if any.
    pub fn latest(&self) -> Option<&SchemaVersion> {
        self.versions.last()
    }
}

/// One version of an event type's schema.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaVersion {
    /// The record's fields, in order.
    pub fields: Vec<Field>,
    /// Other names this record was known by (Avro record aliases).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// What changed in this version.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
}

/// A field of an Avro record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The field name (an Avro name).
    pub name: String,
    /// The field's Avro type.
    #[serde(rename = "type")]
    pub ty: AvroType,
    /// The default a reader uses when the writer's schema lacks the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<AvroDefault>,
    /// What the field holds.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// Earlier names of the field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Topics

/// What happens to old records of a topic (`cleanup.policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CleanupPolicy {
    /// Delete segments older than retention.
    #[default]
    Delete,
    /// Keep the latest record per key.
    Compact,
    /// Compact, and delete what is older than retention.
    CompactDelete,
}

/// How registry subjects are named for the records of a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SubjectStrategy {
    /// `<topic>-value`: one schema history per topic, so one event type per topic.
    #[default]
    TopicName,
    /// `<record full name>`: one history per event type, across topics.
    RecordName,
    /// `<topic>-<record full name>`: one history per event type per topic.
    TopicRecordName,
}

/// How long a topic keeps its records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// `retention.ms`; `None` keeps records forever (`-1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_ms: Option<u64>,
    /// `retention.bytes` per partition; `None` for no size limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            time_ms: Some(7 * 24 * 3_600_000),
            bytes: None,
        }
    }
}

/// A topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    /// The topic name.
    pub id: String,
    /// Number of partitions.
    pub partitions: u32,
    /// Copies of each partition, on distinct brokers.
    pub replication_factor: u32,
    /// `min.insync.replicas`: how many replicas must have a write for `acks=all` to succeed.
    pub min_insync_replicas: u32,
    /// Retention by time and/or size.
    #[serde(default)]
    pub retention: Retention,
    /// `cleanup.policy`.
    #[serde(default)]
    pub cleanup_policy: CleanupPolicy,
    /// The event types this topic carries.
    #[serde(default)]
    pub event_types: Vec<String>,
    /// How registry subjects are named for this topic's values.
    #[serde(default)]
    pub subject_strategy: SubjectStrategy,
}

// ---------------------------------------------------------------------------------------------
// Distributions

/// A distribution of durations, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TimeDistribution {
    /// Always the same.
    Constant {
        /// The duration.
        ms: f64,
    },
    /// Uniform between two bounds.
    Uniform {
        /// Lower bound.
        min_ms: f64,
        /// Upper bound.
        max_ms: f64,
    },
    /// Exponential with the given mean (memoryless service, as in M/M/1).
    Exponential {
        /// The mean.
        mean_ms: f64,
    },
    /// Log-normal: `exp(N(ln(median), sigma))`; a long right tail, like real services.
    LogNormal {
        /// The median.
        median_ms: f64,
        /// The standard deviation of the underlying normal.
        sigma: f64,
    },
}

impl TimeDistribution {
    /// The distribution's mean, in ms.
    pub fn mean_ms(&self) -> f64 {
        match *self {
            Self::Constant { ms } => ms,
            Self::Uniform { min_ms, max_ms } => (min_ms + max_ms) / 2.0,
            Self::Exponential { mean_ms } => mean_ms,
            Self::LogNormal { median_ms, sigma } => median_ms * (sigma * sigma / 2.0).exp(),
        }
    }
}

/// A distribution of record sizes, in bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SizeDistribution {
    /// Always the same size.
    Constant {
        /// The size.
        bytes: u32,
    },
    /// Uniform between two bounds, inclusive.
    Uniform {
        /// Lower bound.
        min: u32,
        /// Upper bound.
        max: u32,
    },
    /// Normal, truncated at 1 byte.
    Normal {
        /// The mean.
        mean: f64,
        /// The standard deviation.
        std_dev: f64,
    },
}

impl SizeDistribution {
    /// The distribution's mean, in bytes.
    pub fn mean_bytes(&self) -> f64 {
        match *self {
            Self::Constant { bytes } => f64::from(bytes),
            Self::Uniform { min, max } => (f64::from(min) + f64::from(max)) / 2.0,
            Self::Normal { mean, .. } => mean,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Producers

/// How records arrive over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RateProcess {
    /// Evenly spaced records.
    Constant {
        /// Records per second.
        per_second: f64,
    },
    /// A Poisson process (exponential gaps).
    Poisson {
        /// Mean records per second.
        per_second: f64,
    },
    /// A Poisson base rate with periodic bursts at a higher rate.
    Bursts {
        /// Records per second between bursts.
        base_per_second: f64,
        /// Records per second during a burst.
        burst_per_second: f64,
        /// Time from the start of one burst to the start of the next.
        every_ms: u64,
        /// How long each burst lasts.
        length_ms: u64,
    },
    /// A piecewise-constant Poisson rate: each step holds from its start until the next.
    Schedule(Vec<RateStep>),
}

impl RateProcess {
    /// The long-run mean rate in records per second (for a schedule, the rate of its last
    /// step, which holds forever).
    pub fn mean_per_second(&self) -> f64 {
        match self {
            Self::Constant { per_second } | Self::Poisson { per_second } => *per_second,
            Self::Bursts {
                base_per_second,
                burst_per_second,
                every_ms,
                length_ms,
            } => {
                if *every_ms == 0 {
                    return *burst_per_second;
                }
                let share = (*length_ms as f64 / *every_ms as f64).min(1.0);
                base_per_second * (1.0 - share) + burst_per_second * share
            }
            Self::Schedule(steps) => steps.last().map_or(0.0, |s| s.per_second),
        }
    }
}

/// One step of a rate schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateStep {
    /// When this step starts, from the start of the run.
    pub from_ms: u64,
    /// Mean records per second during the step.
    pub per_second: f64,
}

/// How record keys are drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum KeyDistribution {
    /// Uniform over `keys` keys named `{prefix}{i}`.
    Uniform {
        /// Number of distinct keys.
        keys: u64,
        /// Key prefix.
        #[serde(default = "default_key_prefix")]
        prefix: String,
    },
    /// Zipf over `keys` keys: key `i` (from 1) has weight `1 / i^exponent`; hot keys.
    Zipf {
        /// Number of distinct keys.
        keys: u64,
        /// The Zipf exponent `s` (1.0 is classic Zipf).
        exponent: f64,
        /// Key prefix.
        #[serde(default = "default_key_prefix")]
        prefix: String,
    },
    /// `{prefix}0`, `{prefix}1`, …, wrapping after `keys`.
    Sequential {
        /// Number of distinct keys before wrapping.
        keys: u64,
        /// Key prefix.
        #[serde(default = "default_key_prefix")]
        prefix: String,
    },
    /// An explicit list of keys with relative weights.
    Weighted(Vec<WeightedKey>),
    /// No key: the producer's sticky partitioner spreads batches over partitions.
    Null,
}

fn default_key_prefix() -> String {
    "key-".to_owned()
}

/// A key and its relative weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightedKey {
    /// The key, hashed as UTF-8.
    pub key: String,
    /// Relative weight (need not sum to 1).
    pub weight: f64,
}

/// `acks`: how many replicas must have a record before the producer counts it as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Acks {
    /// `acks=0`: fire and forget.
    Zero,
    /// `acks=1`: the leader has it.
    One,
    /// `acks=all`: every in-sync replica has it (at least `min.insync.replicas`).
    #[default]
    All,
}

/// A producer: a service or device that publishes events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Producer {
    /// The producer's id.
    pub id: String,
    /// Target topics; each record goes to every target topic that carries its event type.
    pub topics: Vec<String>,
    /// The event types it emits, mixed evenly.
    pub event_types: Vec<String>,
    /// How records arrive over time.
    pub rate: RateProcess,
    /// How record keys are drawn.
    pub keys: KeyDistribution,
    /// Record sizes.
    pub record_size: SizeDistribution,
    /// `acks`.
    #[serde(default)]
    pub acks: Acks,
    /// `enable.idempotence`: the broker drops duplicates from producer retries.
    #[serde(default = "yes")]
    pub enable_idempotence: bool,
    /// `retries` for failed sends.
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// `max.in.flight.requests.per.connection`.
    #[serde(default = "default_max_in_flight")]
    pub max_in_flight_requests: u32,
    /// `linger.ms`.
    #[serde(default = "default_linger_ms")]
    pub linger_ms: f64,
    /// `batch.size` in bytes.
    #[serde(default = "default_batch_size")]
    pub batch_size_bytes: u32,
}

fn yes() -> bool {
    true
}

fn default_retries() -> u32 {
    2_147_483_647
}

fn default_max_in_flight() -> u32 {
    5
}

fn default_linger_ms() -> f64 {
    5.0
}

fn default_batch_size() -> u32 {
    16_384
}

// ---------------------------------------------------------------------------------------------
// Consumer groups

/// `partition.assignment.strategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignor {
    /// `RangeAssignor`: contiguous blocks per topic; eager.
    #[default]
    Range,
    /// `RoundRobinAssignor`: partitions dealt in turn over all topics; eager.
    RoundRobin,
    /// `CooperativeStickyAssignor`: balanced, sticky, incremental rebalances.
    CooperativeSticky,
}

/// What may be processed concurrently inside one member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderingMode {
    /// One record in flight per partition: Kafka's ordering guarantee, kept.
    #[default]
    PerPartition,
    /// One record in flight per key: parallel within a partition, order per key kept.
    PerKey,
    /// Anything in flight: fastest, no ordering.
    Unordered,
}

/// `auto.offset.reset`: where to start without a valid committed offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OffsetReset {
    /// The oldest retained record.
    #[default]
    Earliest,
    /// Only records written from now on.
    Latest,
}

/// When offsets are committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CommitMode {
    /// `enable.auto.commit=true`: positions committed every interval, whatever was processed.
    Auto {
        /// `auto.commit.interval.ms`.
        interval_ms: u64,
    },
    /// A synchronous commit after each processed record.
    AfterEach,
    /// A commit after each polled batch has been processed.
    AfterBatch,
}

/// How processing fails.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailureModel {
    /// Probability that any one attempt fails (transient failure).
    #[serde(default)]
    pub probability: f64,
    /// Keys whose records always fail.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub poison_keys: Vec<String>,
    /// Event types whose records always fail.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub poison_event_types: Vec<String>,
}

/// The delay between attempts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Backoff {
    /// The same delay each time.
    Fixed {
        /// The delay.
        delay_ms: u64,
    },
    /// `initial_ms * multiplier^(attempt-1)`, capped at `max_ms`.
    Exponential {
        /// First delay.
        initial_ms: u64,
        /// Growth per attempt.
        multiplier: f64,
        /// Cap.
        max_ms: u64,
    },
}

/// Where a failed record waits for its next attempt.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum RetryMode {
    /// Retry in place: the partition waits (head-of-line blocking), order kept.
    #[default]
    Blocking,
    /// Commit, and re-publish to a retry topic (or the tail of the same topic when `topic` is
    /// `None`); the partition moves on, so order per key may break.
    RetryTopic {
        /// The retry topic; `None` re-appends to the record's own partition.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
    },
}

/// What to do when processing fails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// Attempts in total, the first included; after the last, the record is dead-lettered
    /// (or dropped without a dead-letter topic).
    pub max_attempts: u32,
    /// Delay between attempts.
    pub backoff: Backoff,
    /// Random spread of each delay, as a fraction (0.2 = ±20%).
    #[serde(default)]
    pub jitter: f64,
    /// Blocking or non-blocking retries.
    #[serde(default)]
    pub mode: RetryMode,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 1,
            backoff: Backoff::Fixed { delay_ms: 100 },
            jitter: 0.0,
            mode: RetryMode::Blocking,
        }
    }
}

/// An event a group emits in reaction to what it consumes: how services chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reaction {
    /// The consumed event type that triggers it; `None` for any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<String>,
    /// The event type emitted.
    pub emit: String,
    /// The topic it is emitted to.
    pub topic: String,
    /// Probability that a processed record triggers the reaction.
    #[serde(default = "one")]
    pub probability: f64,
    /// How many events are emitted when it triggers.
    #[serde(default = "one_u32")]
    pub fan_out: u32,
}

impl Reaction {
    /// Expected events emitted per triggering record.
    pub fn expected_fan_out(&self) -> f64 {
        self.probability * f64::from(self.fan_out)
    }
}

fn one() -> f64 {
    1.0
}

fn one_u32() -> u32 {
    1
}

/// A consumer group: a service with `members` instances sharing the work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumerGroup {
    /// The `group.id`.
    pub id: String,
    /// Subscribed topics.
    pub topics: Vec<String>,
    /// Number of members (consumer instances).
    pub members: u32,
    /// Whether members have a `group.instance.id` (static membership: a restart within the
    /// session timeout does not rebalance).
    #[serde(default)]
    pub static_membership: bool,
    /// The partition assignor.
    #[serde(default)]
    pub assignor: Assignor,
    /// Time to process one record.
    pub processing_time: TimeDistribution,
    /// Records processed at once per member.
    #[serde(default = "one_u32")]
    pub concurrency: u32,
    /// What concurrency may reorder.
    #[serde(default)]
    pub ordering: OrderingMode,
    /// `auto.offset.reset`.
    #[serde(default)]
    pub auto_offset_reset: OffsetReset,
    /// `max.poll.records`.
    #[serde(default = "default_max_poll_records")]
    pub max_poll_records: u32,
    /// `max.poll.interval.ms`: a member slower than this between polls is removed.
    #[serde(default = "default_max_poll_interval_ms")]
    pub max_poll_interval_ms: u64,
    /// `session.timeout.ms`: a silent member is removed after this.
    #[serde(default = "default_session_timeout_ms")]
    pub session_timeout_ms: u64,
    /// When offsets are committed.
    pub commit: CommitMode,
    /// How processing fails.
    #[serde(default)]
    pub failures: FailureModel,
    /// What happens after a failure.
    #[serde(default)]
    pub retry: RetryPolicy,
    /// Where records go after their last failed attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_topic: Option<String>,
    /// Whether processing a record twice has the effect of processing it once.
    #[serde(default)]
    pub idempotent: bool,
    /// Events emitted in reaction to processed records.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
}

fn default_max_poll_records() -> u32 {
    500
}

fn default_max_poll_interval_ms() -> u64 {
    300_000
}

fn default_session_timeout_ms() -> u64 {
    45_000
}

// ---------------------------------------------------------------------------------------------
// Sagas

/// A saga: a long-running business transaction made of local steps, each with a compensation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Saga {
    /// The saga's id.
    pub id: String,
    /// The event type that starts an instance.
    pub trigger: String,
    /// How the steps are coordinated.
    pub coordination: Coordination,
    /// Whether participants handle a duplicated command or reply as a no-op.
    #[serde(default)]
    pub idempotent_steps: bool,
}

/// Orchestration or choreography.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Coordination {
    /// A central orchestrator sends commands and waits for replies.
    Orchestrated {
        /// The topic the orchestrator receives replies on.
        reply_topic: String,
        /// Steps, in order.
        steps: Vec<SagaStep>,
    },
    /// Participants react to each other's events.
    Choreographed {
        /// The reactions, in the order they normally happen.
        steps: Vec<ChoreographyStep>,
    },
}

/// One step of an orchestrated saga.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SagaStep {
    /// The step's name ("reserve-stock").
    pub name: String,
    /// The consumer group that performs it.
    pub participant: String,
    /// The command event sent to the participant.
    pub command: String,
    /// The topic the command is sent on.
    pub command_topic: String,
    /// The reply event that means success.
    pub success: String,
    /// The reply event that means failure.
    pub failure: String,
    /// How long the orchestrator waits for a reply before compensating.
    pub timeout_ms: u64,
    /// The command that undoes this step; `None` for a step that needs no undo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensation: Option<String>,
}

/// One participant reaction of a choreographed saga.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoreographyStep {
    /// The consumer group that reacts.
    pub participant: String,
    /// The event it reacts to.
    pub on: String,
    /// The event it emits on success.
    pub success: String,
    /// The event it emits on failure, which starts compensation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// The event it emits to undo its work when a later step fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensation: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Projections

/// Where a read model lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum StoreKind {
    /// A relational table.
    #[default]
    PostgreSql,
    /// A search index (near-real-time: writes become visible after a refresh).
    Elasticsearch,
    /// A key-value cache.
    Redis,
    /// A map in the service's memory (lost on restart, rebuilt from the log).
    InMemory,
}

/// When a projection replays its history into a fresh read model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum RebuildPolicy {
    /// Only when asked.
    #[default]
    Manual,
    /// On every start (in-memory read models).
    OnStart,
    /// When the fold changes (a new projection version).
    OnVersionChange,
}

/// What one event does to its row of the read model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FoldOp {
    /// Create the row if missing and set `field` from the event's `from` field.
    Upsert {
        /// Read-model column.
        field: String,
        /// Event field.
        from: String,
    },
    /// Add `by` to `field` (not idempotent: a redelivery adds twice).
    Increment {
        /// Read-model column.
        field: String,
        /// The amount.
        by: f64,
    },
    /// Append the event's `from` field to the list in `field`.
    Append {
        /// Read-model column.
        field: String,
        /// Event field.
        from: String,
    },
    /// Delete the row.
    Delete,
}

/// How one event type is folded into the read model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FoldRule {
    /// The event type folded.
    pub event_type: String,
    /// What it does to the row keyed by the record key.
    pub ops: Vec<FoldOp>,
}

/// A projection: a read model kept up to date by folding events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Projection {
    /// The projection's id.
    pub id: String,
    /// Source topics.
    pub topics: Vec<String>,
    /// The fold, per event type.
    pub folds: Vec<FoldRule>,
    /// Where the read model lives.
    #[serde(default)]
    pub store: StoreKind,
    /// Time to write one update.
    pub write_latency: TimeDistribution,
    /// When the read model is rebuilt from history.
    #[serde(default)]
    pub rebuild: RebuildPolicy,
    /// Whether applying an event twice has the effect of applying it once.
    #[serde(default)]
    pub idempotent: bool,
    /// Read-model queries per second, to count how many see a stale answer.
    #[serde(default)]
    pub queries_per_second: f64,
    /// Probability that one write to the store fails (it is retried, with backoff, until it
    /// succeeds: a read model cannot skip an event).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub write_failure_probability: f64,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

// ---------------------------------------------------------------------------------------------
// Event stores

/// How an event store's new events reach the topics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PublishMode {
    /// Written in the same transaction as the events, relayed afterwards: nothing lost.
    #[default]
    Outbox,
    /// Write to the store, then publish separately: a crash in between loses or duplicates.
    DualWrite,
}

/// Publishing an event store's events to a topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    /// The topic the events go to.
    pub topic: String,
    /// Outbox or dual write.
    #[serde(default)]
    pub mode: PublishMode,
}

/// An event store (event sourcing): one stream of events per aggregate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventStore {
    /// The store's id.
    pub id: String,
    /// The aggregate type ("Account").
    pub aggregate: String,
    /// How many aggregate streams there are.
    pub aggregates: u64,
    /// The event types appended to the streams.
    pub event_types: Vec<String>,
    /// Commands per second across all aggregates.
    pub commands_per_second: f64,
    /// Writers handling commands concurrently (two on one aggregate can conflict).
    #[serde(default = "one_u32")]
    pub writers: u32,
    /// Take a snapshot every N events; `None` for no snapshots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_every: Option<u32>,
    /// Append with an expected version (optimistic concurrency); off, the last writer wins.
    #[serde(default = "yes")]
    pub expected_version: bool,
    /// Attempts for a command whose append conflicts.
    #[serde(default = "default_conflict_retries")]
    pub conflict_retries: u32,
    /// Time to append a batch of events.
    pub append_latency: TimeDistribution,
    /// Time to read one event when loading an aggregate.
    pub read_latency_per_event: TimeDistribution,
    /// Where new events are published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish: Option<Publication>,
}

fn default_conflict_retries() -> u32 {
    3
}

// ---------------------------------------------------------------------------------------------
// Scenarios

/// A scenario: a run of the model with a seed, a length and a timeline of faults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The scenario's name.
    pub name: String,
    /// What it shows.
    #[serde(default)]
    pub description: String,
    /// The seed of every random draw.
    #[serde(default)]
    pub seed: u64,
    /// Simulated run time.
    pub duration_ms: u64,
    /// Stop producers after this many records in total and drain (overrides the duration
    /// for producers; the duration still bounds the run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_after_records: Option<u64>,
    /// Faults, by time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<Fault>,
    /// What a run must show to pass.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expectations: Vec<Expectation>,
}

/// A fault injected at a point in simulated time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// When, from the start of the run.
    pub at_ms: u64,
    /// What happens.
    pub kind: FaultKind,
}

/// The kinds of fault a scenario can inject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FaultKind {
    /// A broker process dies.
    BrokerCrash {
        /// The broker id.
        broker: u32,
    },
    /// A crashed broker comes back.
    BrokerRestart {
        /// The broker id.
        broker: u32,
    },
    /// One member of a consumer group dies (without leaving the group cleanly).
    MemberCrash {
        /// The group.
        group: String,
        /// The member index, from 0.
        member: u32,
    },
    /// A crashed member restarts.
    MemberRestart {
        /// The group.
        group: String,
        /// The member index, from 0.
        member: u32,
    },
    /// A group's processing gets slower for a while.
    Slowdown {
        /// The group.
        group: String,
        /// Processing-time multiplier.
        factor: f64,
        /// How long it lasts.
        duration_ms: u64,
    },
    /// A producer sends faster for a while.
    ProducerBurst {
        /// The producer.
        producer: String,
        /// Rate multiplier.
        factor: f64,
        /// How long it lasts.
        duration_ms: u64,
    },
    /// A group's failure probability rises for a while.
    ErrorSpike {
        /// The group.
        group: String,
        /// The failure probability during the spike.
        probability: f64,
        /// How long it lasts.
        duration_ms: u64,
    },
    /// A producer sends one record that every consumer fails on.
    PoisonMessage {
        /// The producer.
        producer: String,
        /// The record's key.
        key: String,
    },
    /// A projection's read model is thrown away and rebuilt by replaying its topics from the
    /// start (a manual rebuild, or a deploy of a new fold version).
    RebuildProjection {
        /// The projection.
        projection: String,
    },
    /// A client (producer or group) cannot reach some brokers for a while.
    NetworkPartition {
        /// The producer or consumer group cut off.
        client: String,
        /// The brokers it cannot reach.
        brokers: Vec<u32>,
        /// How long it lasts.
        duration_ms: u64,
    },
}

/// Something a run must show, so a scenario can serve as a test or a lesson's prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Expectation {
    /// End-to-end p99 latency below a bound.
    P99LatencyBelowMs(f64),
    /// Maximum lag of a group (or of every group, with `None`) below a bound.
    MaxLagBelow {
        /// The group, or every group.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<String>,
        /// The bound, in records.
        records: u64,
    },
    /// No acknowledged record is lost.
    NoLostRecords,
    /// No duplicate is processed by a non-idempotent consumer.
    NoDuplicates,
    /// No per-key order violation.
    NoOrderViolations,
    /// At most this many records dead-lettered.
    DeadLetteredAtMost(u64),
    /// Records are lost (a lesson's prediction that a setting is unsafe).
    SomeLostRecords,
}

// ---------------------------------------------------------------------------------------------
// Canvas layout

/// A point on the canvas, in canvas units.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Position {
    /// Left to right.
    pub x: f32,
    /// Top to bottom.
    pub y: f32,
}

/// A free-text note on the canvas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CanvasNote {
    /// The note's id.
    pub id: String,
    /// The text.
    pub text: String,
    /// Where it sits.
    pub position: Position,
}

/// Where things sit on the canvas.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Element id → position of the element's top-left corner.
    #[serde(default)]
    pub positions: BTreeMap<String, Position>,
    /// Notes on the canvas.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<CanvasNote>,
}
