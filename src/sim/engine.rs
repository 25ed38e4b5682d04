//! The discrete-event engine: a [`Builder`] turns a model and a scenario into a [`Sim`], which
//! advances by [`Sim::step`], [`Sim::run_until`] or [`Sim::run`] and ends with a [`Report`].
//!
//! Virtual time is integer nanoseconds; the queue is ordered by `(time, sequence)`, so ties
//! never depend on heap internals. A `Sim` is plain data: cloning it checkpoints the run, and
//! the clone continues exactly as the original would.

use std::collections::VecDeque;

use hdrhistogram::Histogram;
use rustc_hash::FxHashSet;
use xxhash_rust::xxh3::Xxh3;

use crate::model::{
    self, Acks, Backoff, CommitMode, Expectation, FaultKind, KeyDistribution, Model, OffsetReset,
    RetryMode, Severity, TimeDistribution,
};

use super::assign::{
    MemberSubscription, assign_cooperative_sticky, assign_range, assign_round_robin,
};
use super::check::{Checkers, LossReason, Observation};
use super::event_store::StoreRt;
use super::projection::ProjectionRt;
use super::queue::{self, EventQueue};
use super::report::{
    AlertReport, EventStoreReport, ExpectationReport, GroupReport, LatencyReport, ProjectionReport,
    RebuildReport, Report, SagaInstanceReport, SagaReport, SagaStepReport, TopicReport,
};
use super::rng::Stream;
use super::saga::{self, Execution, SagaRt};
use super::sample::{self, Arrivals, KeySampler};
use super::time::{MS, Nanos, SECOND, ms_to_ns, round_ns};
use super::trace::{TraceEvent, TraceKind};

/// Record ids and key indices use this for "none".
const NONE_U16: u16 = u16::MAX;
const NO_KEY: u32 = u32::MAX;

/// Groups beyond this many are not tracked by the checkers (their bit sets are 64 wide).
const MAX_CHECKED_GROUPS: usize = 64;

/// How a run is set up beyond the model and scenario.
#[derive(Debug, Clone)]
pub struct Options {
    /// Run length, overriding the scenario's.
    pub duration: Option<Nanos>,
    /// Stop producers after this many records in total, then drain.
    pub produce_limit: Option<u64>,
    /// Keep the first this-many trace events (0: no trace).
    pub trace_capacity: usize,
    /// How often lag is sampled.
    pub sample_interval: Nanos,
    /// Latencies of records produced before this time are left out of the histograms (a
    /// queue starting empty is not yet in its steady state).
    pub warmup: Nanos,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            duration: None,
            produce_limit: None,
            trace_capacity: 0,
            sample_interval: SECOND,
            warmup: 0,
        }
    }
}

/// Why a simulation could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BuildError {
    /// The model has validation errors.
    #[error("the model has {count} validation error{}; the first: {first}", if *count == 1 { "" } else { "s" })]
    Invalid {
        /// How many errors.
        count: usize,
        /// The first error's message.
        first: String,
    },
    /// The scenario named does not exist.
    #[error("the model has no scenario called `{name}`; it has: {available}")]
    UnknownScenario {
        /// The name asked for.
        name: String,
        /// The names that exist.
        available: String,
    },
    /// The model has more consumer groups than the checkers can follow.
    #[error("the model has {0} consumer groups; the engine follows at most 64")]
    TooManyGroups(usize),
}

/// Sets up a simulation.
#[derive(Debug, Clone)]
pub struct Builder<'m> {
    model: &'m Model,
    scenario: Option<String>,
    seed: Option<u64>,
    options: Options,
}

impl<'m> Builder<'m> {
    /// A simulation of `model`, with its first scenario (or a 60-second run without faults
    /// when it has none).
    pub fn new(model: &'m Model) -> Self {
        Self {
            model,
            scenario: None,
            seed: None,
            options: Options::default(),
        }
    }

    /// Runs the named scenario.
    pub fn scenario(mut self, name: impl Into<String>) -> Self {
        self.scenario = Some(name.into());
        self
    }

    /// Overrides the scenario's seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Sets the options.
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Builds the simulation, refusing a model with validation errors.
    pub fn build(self) -> Result<Sim, BuildError> {
        let errors: Vec<_> = model::validate(self.model)
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        if let Some(first) = errors.first() {
            return Err(BuildError::Invalid {
                count: errors.len(),
                first: first.message.clone(),
            });
        }
        let readers = self.model.consumer_groups.len()
            + self.model.projections.len()
            + self
                .model
                .sagas
                .iter()
                .filter(|s| matches!(s.coordination, model::Coordination::Orchestrated { .. }))
                .count();
        if readers > MAX_CHECKED_GROUPS {
            return Err(BuildError::TooManyGroups(readers));
        }
        let scenario = match &self.scenario {
            Some(name) => match self.model.scenario(name) {
                Some(s) => Some(s.clone()),
                None => {
                    let names: Vec<&str> = self
                        .model
                        .scenarios
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect();
                    return Err(BuildError::UnknownScenario {
                        name: name.clone(),
                        available: if names.is_empty() {
                            "no scenarios".to_owned()
                        } else {
                            names.join(", ")
                        },
                    });
                }
            },
            None => self.model.scenarios.first().cloned(),
        };
        Ok(Sim::new(self.model, scenario, self.seed, &self.options))
    }
}

/// A record as a partition log holds it.
#[derive(Debug, Clone, Copy)]
struct Rec {
    id: u64,
    produced_at: Nanos,
    appended_at: Nanos,
    key: u32,
    key_space: u16,
    origin: u16,
    event_type: u16,
    /// The group whose retry re-appended this copy, and the attempt it carries for that group.
    retry_group: u16,
    attempt: u16,
    /// Failed produce attempts so far (a producer gives up after `retries` of them).
    failed_sends: u16,
    size: u32,
    correlation: u64,
    causation: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Append {
        partition: u32,
        slot: u32,
    },
    ProcessDone {
        group: u16,
        part: u32,
        epoch: u32,
    },
    PollTimeout {
        group: u16,
        member: u16,
        incarnation: u32,
    },
    RetryReady {
        group: u16,
        part: u32,
        epoch: u32,
    },
    SessionTimeout {
        group: u16,
        member: u16,
        incarnation: u32,
    },
    RebalanceDone {
        group: u16,
        generation: u32,
    },
    FollowerFetch {
        partition: u32,
        replica: u8,
    },
    RetryHeld {
        partition: u32,
    },
    FetchResponse {
        partition: u32,
        replica: u8,
        leo: u64,
    },
    AckResponse {
        partition: u32,
        upto: u64,
        leader_epoch: u32,
    },
    ControllerDetect {
        broker: u32,
        incarnation: u32,
    },
    IsrCheck,
    StoreCommand {
        store: u16,
    },
    StoreDone {
        store: u16,
        writer: u16,
        epoch: u32,
    },
    StorePublish {
        store: u16,
        writer: u16,
        epoch: u32,
        aggregate: u32,
        event_type: u16,
    },
    AutoCommit {
        group: u16,
    },
    CoordinatorTimeout {
        group: u16,
        epoch: u32,
    },
    Sample,
    Fault {
        index: u32,
        ending: bool,
    },
    SagaTimeout {
        saga: u16,
        slot: u32,
        serial: u32,
    },
}

#[derive(Debug, Clone)]
struct BrokerRt {
    busy_until: Nanos,
    ns_per_byte: f64,
    alive: bool,
    /// Bumped at each crash, so a controller detection that fires after a restart is ignored.
    incarnation: u32,
}

#[derive(Debug, Clone)]
struct TopicRt {
    name: String,
    first_partition: u32,
    partitions: u32,
    retention_ns: Option<Nanos>,
    retention_bytes: Option<u64>,
    /// Groups subscribed, as a bit set.
    groups: u64,
    /// Projections reading it (indices into `Sim::projections`).
    projections: Vec<u16>,
    records_in: u64,
}

#[derive(Debug, Clone)]
struct PartitionRt {
    topic: u32,
    index: u32,
    /// Brokers (indices) holding a replica, the preferred leader first.
    replicas: Vec<u32>,
    /// Each replica's log end offset; the log itself is the leader's, and a follower's log is
    /// the prefix of it up to its log end offset.
    leo: Vec<u64>,
    /// Whether each replica is in the ISR.
    in_isr: Vec<bool>,
    /// Each follower's log end as the leader last heard it (from its fetch requests): what
    /// the high watermark and the ISR are computed from.
    known_leo: Vec<u64>,
    /// A follower's fetch request is parked at the leader, waiting for new records.
    parked: Vec<bool>,
    /// When each follower last fetched with nothing missing (Kafka's `lastCaughtUpTime`):
    /// one that has not for `replica.lag.time.max.ms` leaves the ISR.
    caught_up_at: Vec<Nanos>,
    /// The leader's log end and the time when it last answered each follower's fetch: a
    /// follower whose next fetch starts at or beyond that log end was caught up then.
    last_fetch: Vec<(u64, Nanos)>,
    /// The leader, as an index into `replicas`; `None` while the partition is offline.
    leader: Option<usize>,
    /// High watermark: what every in-sync replica has; consumers read below it.
    hw: u64,
    min_isr: u32,
    /// Records waiting for the high watermark before they are acknowledged (acks=all).
    awaiting_ack: VecDeque<(u64, Rec)>,
    /// Records producers hold for this partition while it cannot take writes, in order
    /// (Kafka's record accumulator keeps a partition's batches in order).
    held: VecDeque<Rec>,
    /// When the error response of the latest failed send reaches its producer: until then,
    /// the producer keeps sending behind it.
    failure_known_at: Nanos,
    retry_scheduled: bool,
    /// Bumped at each leader election; acknowledgements in flight from an older leader are
    /// lost with it.
    leader_epoch: u32,
    log: VecDeque<Rec>,
    start_offset: u64,
    /// The leader's log end offset.
    end_offset: u64,
    bytes: u64,
    /// The group partitions reading this partition: (group, part index).
    readers: Vec<(u16, u32)>,
    /// Keep what readers have committed past, up to retention, as Kafka does: a projection
    /// rebuild in this run will replay it. (Otherwise it is dropped once every reader is
    /// past it, so memory stays flat in the run's length.)
    keep_history: bool,
}

#[derive(Debug, Clone)]
struct ProducerRt {
    name: String,
    topics: Vec<u32>,
    event_types: Vec<u16>,
    /// For each event type index (into `event_types`), the target topics carrying it.
    targets: Vec<Vec<u32>>,
    arrivals: Arrivals,
    keys: KeySampler,
    key_space: u16,
    size: model::SizeDistribution,
    acks: Acks,
    /// `retries`: failed sends of one record before the producer gives up on it.
    retries: u32,
    /// Whether a record may overtake an earlier one of this producer whose send failed:
    /// without idempotence and with more than one request in flight, a retried request lands
    /// after the ones that were in flight behind it (Kafka's reordering).
    may_reorder: bool,
    rng_arrivals: Stream,
    rng_records: Stream,
    rate_factor: f64,
    stopped: bool,
    /// Sticky partition for null keys, per target topic: (partition, bytes in the batch).
    sticky: Vec<(u32, u64)>,
    batch_size: u64,
    poison_next: Option<u32>,
}

#[derive(Debug, Clone)]
struct KeySpace {
    dist: KeyDistribution,
    /// Per partition count, the partition of each key index (filled lazily; `u32::MAX`
    /// unknown). A short list: a key space meets few distinct partition counts.
    cache: Vec<(u32, Vec<u32>)>,
}

/// A dual write's second write (the publish) follows the first (the append) by this much:
/// the window in which a crash loses the event for the topic.
const DUAL_WRITE_GAP: Nanos = MS;

/// The size of an event an event store publishes.
const STORED_EVENT_BYTES: u32 = 300;

/// `retry.backoff.ms`: a producer's wait before resending a failed request.
const RETRY_BACKOFF: Nanos = 100 * MS;

/// `delivery.timeout.ms`: how long a producer keeps retrying a record before failing it.
const DELIVERY_TIMEOUT: Nanos = 120 * SECOND;

/// How long the controller takes to notice a dead broker (KRaft's `broker.session.timeout.ms`).
const BROKER_SESSION_TIMEOUT: Nanos = 9 * SECOND;

/// In a run cut off by its time limit, records acknowledged this recently are in flight, not
/// stuck.
const STUCK_GRACE: Nanos = 30 * SECOND;

/// The join and sync round trips of one rebalance round.
const REBALANCE_ROUND_TRIP: Nanos = 250 * MS;

/// Key spaces with more keys than this are not cached (the key is hashed each time).
const KEY_CACHE_LIMIT: u64 = 1 << 22;

#[derive(Debug, Clone, Copy)]
struct ReactionRt {
    on: u16,
    emit: u16,
    topic: u32,
    probability: f64,
    fan_out: u32,
}

/// One lane of a partition as a group reads it. With the per-partition ordering a partition
/// is one lane; with per-key or unordered processing it is `concurrency` lanes, each taking
/// its share of the records (by key, or by offset) one at a time, so records of one key stay
/// in order while others run alongside. A lane's position skips the other lanes' records.
#[derive(Debug, Clone)]
struct GroupPart {
    partition: u32,
    lane: u16,
    lanes: u16,
    member: u16,
    position: u64,
    committed: u64,
    in_flight: Option<Rec>,
    attempt: u16,
    /// Processed since the last commit (for commit-after-batch).
    uncommitted: u32,
    /// Bumped when in-flight work is abandoned (a crash, a reassignment), so its pending
    /// completion event is recognised as stale.
    epoch: u32,
    /// Not fetched before this time (the cooperative protocol's second round).
    paused_until: Nanos,
    /// A processing of the in-flight record is under way (not a retry backoff).
    processing: bool,
    /// The consumer had read everything visible and is long-polling: the next record reaches
    /// it one network hop after it becomes visible. A backlog is already fetched.
    caught_up: bool,
}

/// A saga step a group performs, with the reactions (indices into the group's, `NONE_U16`
/// for none) that give its outcome: one draw picks success, failure or neither (a
/// participant that never answers), so a step never both succeeds and fails.
#[derive(Debug, Clone, Copy)]
struct SagaRole {
    saga: u16,
    step: u8,
    success: u16,
    failure: u16,
    /// The reaction emitting the step's compensation (choreographed sagas).
    compensation: u16,
    /// The compensation's event type (orchestrated: the participant runs it as a command).
    compensation_type: u16,
}

#[derive(Debug, Clone)]
struct MemberRt {
    free_slots: u32,
    parts: Vec<u32>,
    cursor: usize,
    /// The process is running.
    alive: bool,
    /// The coordinator counts it as a member (a crashed member stays in the group until its
    /// session times out).
    in_group: bool,
    /// Bumped at each crash, so a session timeout that fires after a restart is ignored.
    incarnation: u32,
}

#[derive(Debug, Clone)]
struct GroupRt {
    /// The projection this group reads for, if it is one.
    projection: Option<u16>,
    /// The saga this group orchestrates, if it is an orchestrator.
    orchestrates: Option<u16>,
    /// The saga steps this group performs.
    saga_steps: Vec<SagaRole>,
    name: String,
    idempotent: bool,
    processing: TimeDistribution,
    failure_probability: f64,
    poison_keys: FxHashSet<(u16, u32)>,
    poison_types: Vec<bool>,
    max_attempts: u16,
    backoff: Backoff,
    jitter: f64,
    /// `None`: blocking retries; `Some(topic)`: re-append to that topic (`None` inside: the
    /// record's own partition).
    retry_topic: Option<Option<u32>>,
    dead_letter: Option<u32>,
    commit: CommitMode,
    max_poll_records: u32,
    auto_offset_reset: OffsetReset,
    members: Vec<MemberRt>,
    parts: Vec<GroupPart>,
    reactions: Vec<ReactionRt>,
    rng_processing: Stream,
    rng_failures: Stream,
    rng_retry: Stream,
    rng_reactions: Stream,
    slowdown: f64,
    spike_probability: Option<f64>,
    lag_series: Vec<(f64, u64)>,
    max_lag: u64,
    processed: u64,
    id: String,
    assignor: model::Assignor,
    static_membership: bool,
    concurrency: u32,
    session_timeout: Nanos,
    /// The broker (index) that is the group's coordinator: it takes heartbeats, joins and
    /// offset commits.
    coordinator: usize,
    /// Since when the members cannot reach their coordinator (commits fail meanwhile).
    coordinator_lost_at: Option<Nanos>,
    /// Bumped each time the coordinator is lost, so a stale eviction is ignored.
    coordinator_epoch: u32,
    /// The coordinator evicted every member (no heartbeat for a session timeout): when they
    /// reach it again they rejoin as new members and resume from the committed offsets.
    evicted: bool,
    /// The next rebalance follows an eviction: every partition, kept or moved, resumes from
    /// its committed offset, and nothing is committed on revocation.
    lost_assignment: bool,
    /// A rebalance is due but the coordinator cannot be reached: it starts when it can.
    rebalance_blocked: bool,
    /// Times the coordinator evicted the group's members.
    evictions: u64,
    /// Topic name → partition count, of the topics the group reads.
    topic_counts: std::collections::BTreeMap<String, u32>,
    /// Every member stops fetching until this time (an eager rebalance).
    paused_until: Nanos,
    generation: u32,
    /// The assignment a rebalance in progress will install: member → parts.
    pending_assignment: Option<Vec<Vec<u32>>>,
    rebalances: u64,
    rebalance_pause: Nanos,
    /// Per-key lanes (true) or lanes by offset (false), when a partition has several.
    lanes_by_key: bool,
    poll_timeouts: u64,
    max_poll_interval: Nanos,
    /// Processings a member carries on with after its partition was taken away (it was
    /// kicked out of the group, or the partition moved in a rebalance): (part, epoch, member,
    /// record). Their side effects happen; their commits fail.
    zombies: Vec<(u32, u32, u16, Rec)>,
}

/// The streaming XXH3-64 hasher behind [`Sim::trace_hash`]. Trace lines are short, so they
/// are gathered in a buffer and fed to XXH3 in blocks: a streaming hash of the concatenation
/// is the same whatever the block boundaries, and one large update costs far less than many
/// small ones.
#[derive(Clone)]
struct TraceHasher {
    xxh3: Xxh3,
    buffer: Box<[u8; TRACE_HASH_BUFFER]>,
    len: usize,
}

const TRACE_HASH_BUFFER: usize = 4096;

/// The bytes of one event in the hash: kind, time, record, partition, offset, group, attempt.
const TRACE_LINE: usize = 33;

impl TraceHasher {
    fn new() -> Self {
        Self {
            xxh3: Xxh3::new(),
            buffer: Box::new([0; TRACE_HASH_BUFFER]),
            len: 0,
        }
    }

    /// Room for one more event line, at the end of the buffer, to be written in place.
    #[inline]
    fn line(&mut self) -> &mut [u8; TRACE_LINE] {
        if self.len + TRACE_LINE > TRACE_HASH_BUFFER {
            self.flush();
        }
        let start = self.len;
        self.len += TRACE_LINE;
        let line: &mut [u8; TRACE_LINE] = (&mut self.buffer[start..start + TRACE_LINE])
            .try_into()
            .unwrap_or_else(|_| unreachable!("the buffer has room for a line"));
        line
    }

    #[cold]
    #[inline(never)]
    fn flush(&mut self) {
        self.xxh3.update(&self.buffer[..self.len]);
        self.len = 0;
    }

    fn digest(&self) -> u64 {
        let mut xxh3 = self.xxh3.clone();
        xxh3.update(&self.buffer[..self.len]);
        xxh3.digest()
    }
}

impl std::fmt::Debug for TraceHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TraceHasher({:016x})", self.digest())
    }
}

/// A running simulation.
#[derive(Debug, Clone)]
pub struct Sim {
    now: Nanos,
    seq: u64,
    queue: EventQueue<Ev>,
    /// Each producer's next arrival, as a queue key (`u128::MAX`: none), kept beside the queue
    /// rather than in it: a producer has one pending arrival at most, and a record's arrival
    /// is half of its events, so taking the earliest of a few keys here is cheaper than
    /// queueing them. Keys come from the same sequence as queued events, so the order of
    /// events is the same either way.
    arrivals_due: Vec<u128>,
    /// The earliest of `arrivals_due`, and its producer.
    next_arrival: (u128, u16),
    events_processed: u64,
    end: Nanos,
    seed: u64,
    model_name: String,
    scenario_name: String,
    network: Nanos,
    /// `replica.lag.time.max.ms`.
    replica_lag_max: Nanos,
    /// Followers removed from an ISR for lagging (not for dying).
    isr_shrinks: u64,
    brokers: Vec<BrokerRt>,
    topics: Vec<TopicRt>,
    partitions: Vec<PartitionRt>,
    producers: Vec<ProducerRt>,
    key_spaces: Vec<KeySpace>,
    groups: Vec<GroupRt>,
    event_type_names: Vec<String>,
    projections: Vec<ProjectionRt>,
    stores: Vec<StoreRt>,
    sagas: Vec<SagaRt>,
    /// Per event type: the choreographed saga (index) it starts, `NONE_U16` if none.
    saga_triggers: Vec<u16>,
    /// What the orchestrators are to send (reused).
    saga_sends: Vec<saga::Send>,
    /// Per projection: produced → visible in the read model, in µs.
    projection_staleness: Vec<Histogram<u64>>,
    faults: Vec<model::Fault>,
    expectations: Vec<Expectation>,
    /// Records waiting for their delayed append: (partition, record), by slot.
    pending_appends: Vec<Option<(u32, Rec)>>,
    free_append_slots: Vec<u32>,
    next_record_id: u64,
    produce_limit: Option<u64>,
    produced: u64,
    acknowledged: u64,
    delivered: u64,
    dead_lettered: u64,
    retries: u64,
    /// Deliveries (record × subscribing group) not yet finished.
    outstanding: u64,
    latency: Histogram<u64>,
    processing: Histogram<u64>,
    latency_sum_ns: u128,
    latency_count: u64,
    checkers: Checkers,
    hasher: TraceHasher,
    trace: Vec<TraceEvent>,
    trace_capacity: usize,
    sample_interval: Nanos,
    warmup: Nanos,
    alerts: Vec<AlertReport>,
    unsupported: Vec<String>,
    key_buffer: String,
    /// Broker ids of the model, by broker index.
    broker_ids: Vec<u32>,
    unclean_leader_election: bool,
    /// Whether each producer has `enable.idempotence`.
    idempotent_producers: Vec<bool>,
    produce_failed: u64,
    not_enough_replicas: u64,
    /// Active network partitions: (fault index, client, brokers cut off as a bit set).
    cut_off: Vec<(u32, u16, u64)>,
    max_under_replicated: u64,
    under_replicated_series: Vec<(f64, u64)>,
    finished: bool,
}

impl Sim {
    fn new(
        model: &Model,
        scenario: Option<model::Scenario>,
        seed: Option<u64>,
        options: &Options,
    ) -> Self {
        let scenario_name = scenario
            .as_ref()
            .map_or_else(|| "default".to_owned(), |s| s.name.clone());
        let seed = seed.or(scenario.as_ref().map(|s| s.seed)).unwrap_or(0);
        let end = options
            .duration
            .or(scenario.as_ref().map(|s| s.duration_ms.saturating_mul(MS)))
            .unwrap_or(60 * SECOND);
        let produce_limit = options
            .produce_limit
            .or(scenario.as_ref().and_then(|s| s.stop_after_records));

        let event_type_names: Vec<String> =
            model.event_types.iter().map(|e| e.id.clone()).collect();
        let event_index = |id: &str| -> u16 {
            model
                .event_types
                .iter()
                .position(|e| e.id == id)
                .map_or(NONE_U16, |i| i as u16)
        };
        let topic_index = |id: &str| -> Option<u32> {
            model
                .topics
                .iter()
                .position(|t| t.id == id)
                .map(|i| i as u32)
        };

        // Brokers and partitions: leaders spread round-robin over brokers, as Kafka's
        // replica placement does.
        let brokers: Vec<BrokerRt> = model
            .cluster
            .brokers
            .iter()
            .map(|b| BrokerRt {
                busy_until: 0,
                ns_per_byte: 1e9 / (b.write_mb_per_s * 1e6),
                alive: true,
                incarnation: 0,
            })
            .collect();
        let broker_count = brokers.len().max(1) as u32;
        let mut topics = Vec::new();
        let mut partitions = Vec::new();
        for (t, topic) in model.topics.iter().enumerate() {
            let first_partition = partitions.len() as u32;
            let rf = topic.replication_factor.clamp(1, broker_count);
            for p in 0..topic.partitions {
                let replicas: Vec<u32> =
                    (0..rf).map(|j| (t as u32 + p + j) % broker_count).collect();
                partitions.push(PartitionRt {
                    topic: t as u32,
                    index: p,
                    leo: vec![0; replicas.len()],
                    in_isr: vec![true; replicas.len()],
                    known_leo: vec![0; replicas.len()],
                    parked: vec![true; replicas.len()],
                    caught_up_at: vec![0; replicas.len()],
                    last_fetch: vec![(0, 0); replicas.len()],
                    replicas,
                    leader: Some(0),
                    hw: 0,
                    min_isr: topic.min_insync_replicas.max(1),
                    awaiting_ack: VecDeque::new(),
                    held: VecDeque::new(),
                    retry_scheduled: false,
                    failure_known_at: 0,
                    leader_epoch: 0,
                    log: VecDeque::new(),
                    start_offset: 0,
                    end_offset: 0,
                    bytes: 0,
                    readers: Vec::new(),
                    keep_history: false,
                });
            }
            topics.push(TopicRt {
                name: topic.id.clone(),
                first_partition,
                partitions: topic.partitions,
                retention_ns: topic.retention.time_ms.map(|ms| ms.saturating_mul(MS)),
                retention_bytes: topic.retention.bytes,
                groups: 0,
                projections: Vec::new(),
                records_in: 0,
            });
        }

        let mut key_spaces = Vec::new();
        let mut producers = Vec::new();
        for p in &model.producers {
            let event_types: Vec<u16> = p.event_types.iter().map(|e| event_index(e)).collect();
            let topic_ids: Vec<u32> = p.topics.iter().filter_map(|t| topic_index(t)).collect();
            let targets = p
                .event_types
                .iter()
                .map(|e| {
                    topic_ids
                        .iter()
                        .copied()
                        .filter(|&t| model.topics[t as usize].event_types.contains(e))
                        .collect()
                })
                .collect();
            let key_space = key_spaces.len() as u16;
            key_spaces.push(KeySpace {
                dist: p.keys.clone(),
                cache: Vec::new(),
            });
            producers.push(ProducerRt {
                name: p.id.clone(),
                sticky: vec![(u32::MAX, 0); topic_ids.len()],
                topics: topic_ids,
                event_types,
                targets,
                arrivals: Arrivals::new(&p.rate),
                keys: KeySampler::new(&p.keys),
                key_space,
                size: p.record_size.clone(),
                acks: p.acks,
                retries: p.retries,
                may_reorder: !p.enable_idempotence && p.max_in_flight_requests > 1,
                rng_arrivals: Stream::new(seed, &format!("producer/{}/arrivals", p.id)),
                rng_records: Stream::new(seed, &format!("producer/{}/records", p.id)),
                rate_factor: 1.0,
                stopped: false,
                batch_size: u64::from(p.batch_size_bytes.max(1)),
                poison_next: None,
            });
        }

        // Projections read their topics as a consumer group of their own: an instance per
        // partition, auto-committing every 5 s (Kafka's default), writing each event to the
        // store.
        let projection_groups: Vec<model::ConsumerGroup> = model
            .projections
            .iter()
            .map(|p| projection_group(p, model))
            .collect();
        // An orchestrated saga's orchestrator reads the trigger's topics and the reply topic
        // as a consumer group of its own.
        let saga_groups: Vec<model::ConsumerGroup> = model
            .sagas
            .iter()
            .filter_map(|s| orchestrator_group(s, model))
            .collect();
        let mut groups = Vec::new();
        for (g, group) in model
            .consumer_groups
            .iter()
            .chain(&projection_groups)
            .chain(&saga_groups)
            .enumerate()
        {
            let subscribed: Vec<u32> = group.topics.iter().filter_map(|t| topic_index(t)).collect();
            let mut topic_list: Vec<u32> = subscribed.clone();
            let retry_topic = match &group.retry.mode {
                RetryMode::Blocking => None,
                RetryMode::RetryTopic { topic: None } => Some(None),
                RetryMode::RetryTopic { topic: Some(t) } => {
                    let index = topic_index(t);
                    // A group consumes its own retry topic.
                    if let Some(i) = index
                        && !topic_list.contains(&i)
                    {
                        topic_list.push(i);
                    }
                    Some(index)
                }
            };
            for &t in &topic_list {
                topics[t as usize].groups |= 1u64 << g;
            }
            let topic_counts: std::collections::BTreeMap<String, u32> = topic_list
                .iter()
                .map(|&t| {
                    (
                        topics[t as usize].name.clone(),
                        topics[t as usize].partitions,
                    )
                })
                .collect();
            let everyone: Vec<usize> = (0..group.members.max(1) as usize).collect();
            let assignment = assign_members(
                &group.id,
                group.static_membership,
                group.assignor,
                &topic_counts,
                &everyone,
                &[],
            )
            .into_iter()
            .map(|tps| {
                tps.iter()
                    .filter_map(|(t, p)| {
                        let topic = topics.iter().find(|x| &x.name == t)?;
                        Some(topic.first_partition + p)
                    })
                    .collect::<Vec<u32>>()
            })
            .collect::<Vec<_>>();
            let mut parts = Vec::new();
            let mut members = Vec::new();
            for (m, owned) in assignment.iter().enumerate() {
                let mut member_parts = Vec::new();
                let lanes: u16 = match group.ordering {
                    model::OrderingMode::PerPartition => 1,
                    model::OrderingMode::PerKey | model::OrderingMode::Unordered => {
                        group.concurrency.clamp(1, 256) as u16
                    }
                };
                for (&partition, lane) in owned
                    .iter()
                    .flat_map(|p| std::iter::repeat_n(p, usize::from(lanes)))
                    .zip((0..lanes).cycle())
                {
                    let part = parts.len() as u32;
                    member_parts.push(part);
                    parts.push(GroupPart {
                        partition,
                        lane,
                        lanes,
                        member: m as u16,
                        position: 0,
                        committed: 0,
                        in_flight: None,
                        attempt: 1,
                        uncommitted: 0,
                        epoch: 0,
                        paused_until: 0,
                        processing: false,
                        caught_up: true,
                    });
                    partitions[partition as usize]
                        .readers
                        .push((g as u16, part));
                }
                members.push(MemberRt {
                    free_slots: group.concurrency.max(1),
                    parts: member_parts,
                    cursor: 0,
                    alive: true,
                    in_group: true,
                    incarnation: 0,
                });
            }
            let mut poison_keys = FxHashSet::default();
            for key in &group.failures.poison_keys {
                for (space, ks) in key_spaces.iter().enumerate() {
                    if let Some(index) = key_index(&ks.dist, key) {
                        poison_keys.insert((space as u16, index));
                    }
                }
            }
            let mut poison_types = vec![false; model.event_types.len()];
            for e in &group.failures.poison_event_types {
                if let Some(i) = model.event_types.iter().position(|x| &x.id == e) {
                    poison_types[i] = true;
                }
            }
            groups.push(GroupRt {
                name: group.id.clone(),
                idempotent: group.idempotent,
                processing: group.processing_time.clone(),
                failure_probability: group.failures.probability,
                poison_keys,
                poison_types,
                max_attempts: group.retry.max_attempts.clamp(1, u32::from(u16::MAX - 1)) as u16,
                backoff: group.retry.backoff.clone(),
                jitter: group.retry.jitter,
                retry_topic,
                dead_letter: group.dead_letter_topic.as_deref().and_then(topic_index),
                commit: group.commit.clone(),
                max_poll_records: group.max_poll_records.max(1),
                auto_offset_reset: group.auto_offset_reset,
                members,
                parts,
                reactions: group
                    .reactions
                    .iter()
                    .filter_map(|r| {
                        Some(ReactionRt {
                            on: r.on.as_deref().map_or(NONE_U16, event_index),
                            emit: event_index(&r.emit),
                            topic: topic_index(&r.topic)?,
                            probability: r.probability,
                            fan_out: r.fan_out,
                        })
                    })
                    .collect(),
                rng_processing: Stream::new(seed, &format!("group/{}/processing", group.id)),
                rng_failures: Stream::new(seed, &format!("group/{}/failures", group.id)),
                rng_retry: Stream::new(seed, &format!("group/{}/retry", group.id)),
                rng_reactions: Stream::new(seed, &format!("group/{}/reactions", group.id)),
                slowdown: 1.0,
                spike_probability: None,
                lag_series: Vec::new(),
                max_lag: 0,
                processed: 0,
                id: group.id.clone(),
                assignor: group.assignor,
                static_membership: group.static_membership,
                concurrency: group.concurrency.max(1),
                session_timeout: group.session_timeout_ms.saturating_mul(MS),
                coordinator: coordinator_broker(&group.id, model.cluster.brokers.len()),
                coordinator_lost_at: None,
                coordinator_epoch: 0,
                evicted: false,
                lost_assignment: false,
                rebalance_blocked: false,
                evictions: 0,
                topic_counts: topic_list
                    .iter()
                    .map(|&t| {
                        (
                            topics[t as usize].name.clone(),
                            topics[t as usize].partitions,
                        )
                    })
                    .collect(),
                paused_until: 0,
                generation: 0,
                pending_assignment: None,
                rebalances: 0,
                rebalance_pause: 0,
                lanes_by_key: group.ordering == model::OrderingMode::PerKey,
                poll_timeouts: 0,
                projection: None,
                orchestrates: None,
                saga_steps: Vec::new(),
                max_poll_interval: group.max_poll_interval_ms.saturating_mul(MS),
                zombies: Vec::new(),
            });
        }

        let mut projections = Vec::new();
        for (i, p) in model.projections.iter().enumerate() {
            let gi = model.consumer_groups.len() + i;
            let parts = groups.get(gi).map_or(0, |g: &GroupRt| g.parts.len());
            projections.push(ProjectionRt::new(p, gi as u16, &event_type_names, parts));
            for t in &p.topics {
                if let Some(ti) = topic_index(t) {
                    topics[ti as usize].projections.push(i as u16);
                }
            }
            if let Some(g) = groups.get_mut(gi) {
                g.projection = Some(i as u16);
            }
        }
        let projection_staleness = projections.iter().map(|_| new_histogram()).collect();
        // Topics a projection rebuild may replay keep their history.
        for (i, p) in model.projections.iter().enumerate() {
            let rebuilt = projections[i].rebuild_on_start
                || scenario.as_ref().is_some_and(|s| {
                    s.faults.iter().any(|f| {
                        matches!(&f.kind, FaultKind::RebuildProjection { projection } if *projection == p.id)
                    })
                });
            if rebuilt {
                for t in p.topics.iter().filter_map(|t| topic_index(t)) {
                    let topic = &topics[t as usize];
                    for partition in topic.first_partition..topic.first_partition + topic.partitions
                    {
                        partitions[partition as usize].keep_history = true;
                    }
                }
            }
        }

        let (sagas, saga_triggers) = build_sagas(
            model,
            &mut groups,
            &event_type_names,
            model.consumer_groups.len() + model.projections.len(),
        );

        let mut stores = Vec::new();
        for store in &model.event_stores {
            let types: Vec<u16> = store
                .event_types
                .iter()
                .filter_map(|t| event_type_names.iter().position(|n| n == t))
                .map(|i| i as u16)
                .collect();
            let publish = store
                .publish
                .as_ref()
                .and_then(|p| Some((topic_index(&p.topic)?, p.mode)));
            let key_space = key_spaces.len() as u16;
            key_spaces.push(KeySpace {
                dist: model::KeyDistribution::Uniform {
                    keys: store.aggregates.clamp(1, 10_000_000),
                    prefix: format!("{}-", store.aggregate),
                },
                cache: Vec::new(),
            });
            stores.push(StoreRt::new(
                store,
                types,
                publish,
                key_space,
                Stream::new(seed, &format!("event-store/{}", store.id)),
                new_histogram,
            ));
        }

        let checkers = Checkers::new(
            groups.iter().map(|g| g.name.clone()).collect(),
            groups.iter().map(|g| g.idempotent).collect(),
        );
        let (faults, expectations) = scenario
            .map(|s| (s.faults, s.expectations))
            .unwrap_or_default();

        let mut sim = Self {
            now: 0,
            seq: 0,
            queue: EventQueue::new(),
            arrivals_due: vec![u128::MAX; producers.len()],
            next_arrival: (u128::MAX, 0),
            events_processed: 0,
            end,
            seed,
            model_name: model.name.clone(),
            scenario_name,
            network: ms_to_ns(model.cluster.network_latency_ms),
            replica_lag_max: model.cluster.replica_lag_time_max_ms.saturating_mul(MS),
            isr_shrinks: 0,
            brokers,
            topics,
            partitions,
            producers,
            key_spaces,
            groups,
            projections,
            projection_staleness,
            stores,
            sagas,
            saga_triggers,
            saga_sends: Vec::new(),
            event_type_names,
            faults,
            expectations,
            pending_appends: Vec::new(),
            free_append_slots: Vec::new(),
            next_record_id: 0,
            produce_limit,
            produced: 0,
            acknowledged: 0,
            delivered: 0,
            dead_lettered: 0,
            retries: 0,
            outstanding: 0,
            latency: new_histogram(),
            processing: new_histogram(),
            latency_sum_ns: 0,
            latency_count: 0,
            checkers,
            hasher: TraceHasher::new(),
            trace: Vec::new(),
            trace_capacity: options.trace_capacity,
            sample_interval: options.sample_interval.max(MS),
            warmup: options.warmup,
            alerts: Vec::new(),
            unsupported: Vec::new(),
            key_buffer: String::new(),
            broker_ids: model.cluster.brokers.iter().map(|b| b.id).collect(),
            unclean_leader_election: model.cluster.unclean_leader_election,
            idempotent_producers: model
                .producers
                .iter()
                .map(|p| p.enable_idempotence)
                .collect(),
            produce_failed: 0,
            not_enough_replicas: 0,
            cut_off: Vec::new(),
            max_under_replicated: 0,
            under_replicated_series: Vec::new(),
            finished: false,
        };
        for p in 0..sim.producers.len() {
            sim.schedule_arrival(p as u16);
        }
        for g in 0..sim.groups.len() {
            if let CommitMode::Auto { interval_ms } = sim.groups[g].commit {
                let at = interval_ms.max(1).saturating_mul(MS);
                sim.schedule(at, Ev::AutoCommit { group: g as u16 });
            }
        }
        sim.schedule(0, Ev::Sample);
        for s in 0..sim.stores.len() {
            sim.schedule_store_command(s as u16);
        }
        if sim.partitions.iter().any(|p| p.replicas.len() > 1) {
            let first = (sim.replica_lag_max / 2).max(1);
            sim.schedule(first, Ev::IsrCheck);
        }
        for i in 0..sim.faults.len() {
            let at = sim.faults[i].at_ms.saturating_mul(MS);
            sim.schedule(
                at,
                Ev::Fault {
                    index: i as u32,
                    ending: false,
                },
            );
        }
        sim
    }

    // ---------------------------------------------------------------------------------------
    // Driving the run

    /// The current virtual time.
    pub fn now(&self) -> Nanos {
        self.now
    }

    /// When the run ends (virtual time).
    pub fn end(&self) -> Nanos {
        self.end
    }

    /// Whether the run is over.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Engine events handled so far.
    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    /// Records produced so far.
    pub fn produced(&self) -> u64 {
        self.produced
    }

    /// Handles the next event; returns false when the run is over.
    pub fn step(&mut self) -> bool {
        if self.finished {
            return false;
        }
        if self.drained() {
            self.finished = true;
            return false;
        }
        let (arrival, producer) = self.next_arrival;
        if arrival < self.queue.peek_key() {
            let time = (arrival >> 64) as Nanos;
            if time > self.end {
                self.now = self.end;
                self.finished = true;
                return false;
            }
            self.arrivals_due[usize::from(producer)] = u128::MAX;
            self.refresh_next_arrival();
            self.now = time;
            self.events_processed += 1;
            self.on_arrival(producer);
            return true;
        }
        let Some((time, ev)) = self.queue.pop() else {
            self.finished = true;
            return false;
        };
        if time > self.end {
            self.now = self.end;
            self.finished = true;
            return false;
        }
        self.now = time;
        self.events_processed += 1;
        self.handle(ev);
        true
    }

    /// The time of the next event, queued or an arrival.
    fn next_time(&self) -> Option<Nanos> {
        let k = self.queue.peek_key().min(self.next_arrival.0);
        (k != u128::MAX).then_some((k >> 64) as Nanos)
    }

    fn refresh_next_arrival(&mut self) {
        let mut best = (u128::MAX, 0);
        for (p, &k) in self.arrivals_due.iter().enumerate() {
            if k < best.0 {
                best = (k, p as u16);
            }
        }
        self.next_arrival = best;
    }

    /// Runs until virtual time `time` (or the end of the run).
    pub fn run_until(&mut self, time: Nanos) {
        while !self.finished {
            match self.next_time() {
                Some(next) if next <= time => {
                    self.step();
                }
                _ => {
                    if self.drained() {
                        self.finished = true;
                    }
                    self.now = self.now.max(time.min(self.end));
                    if self.now >= self.end {
                        self.finished = true;
                    }
                    break;
                }
            }
        }
    }

    /// Runs to the end.
    pub fn run(&mut self) {
        while self.step() {}
    }

    /// With a produce limit, the run is over once producers have stopped and every record
    /// has been processed, dead-lettered or lost.
    fn drained(&self) -> bool {
        self.produce_limit.is_some()
            && self.producers.iter().all(|p| p.stopped)
            && self.outstanding == 0
            && self.pending_appends.iter().all(Option::is_none)
            && self
                .groups
                .iter()
                .all(|g| g.parts.iter().all(|p| p.in_flight.is_none()))
    }

    fn schedule(&mut self, time: Nanos, ev: Ev) {
        self.seq += 1;
        self.queue.push(time, self.seq, ev);
    }

    fn handle(&mut self, ev: Ev) {
        match ev {
            Ev::Append { partition, slot } => {
                if let Some((p, rec)) = self
                    .pending_appends
                    .get_mut(slot as usize)
                    .and_then(Option::take)
                {
                    self.free_append_slots.push(slot);
                    debug_assert_eq!(p, partition);
                    self.append(p, rec);
                }
            }
            Ev::ProcessDone { group, part, epoch } => {
                if self.groups[usize::from(group)].parts[part as usize].epoch == epoch {
                    self.on_process_done(group, part);
                } else {
                    self.on_zombie_done(group, part, epoch);
                }
            }
            Ev::PollTimeout {
                group,
                member,
                incarnation,
            } => self.on_poll_timeout(group, member, incarnation),
            Ev::RetryReady { group, part, epoch } => {
                if self.groups[usize::from(group)].parts[part as usize].epoch == epoch {
                    self.start_processing(group, part);
                }
            }
            Ev::SessionTimeout {
                group,
                member,
                incarnation,
            } => self.on_session_timeout(group, member, incarnation),
            Ev::RebalanceDone { group, generation } => self.on_rebalance_done(group, generation),
            Ev::FollowerFetch { partition, replica } => self.on_follower_fetch(partition, replica),
            Ev::RetryHeld { partition } => self.on_retry_held(partition),
            Ev::FetchResponse {
                partition,
                replica,
                leo,
            } => self.on_fetch_response(partition, replica, leo),
            Ev::AckResponse {
                partition,
                upto,
                leader_epoch,
            } => self.on_ack_response(partition, upto, leader_epoch),
            Ev::ControllerDetect {
                broker,
                incarnation,
            } => self.on_controller_detect(broker, incarnation),
            Ev::AutoCommit { group } => self.on_auto_commit(group),
            Ev::CoordinatorTimeout { group, epoch } => self.on_coordinator_timeout(group, epoch),
            Ev::Sample => self.on_sample(),
            Ev::IsrCheck => self.on_isr_check(),
            Ev::StoreCommand { store } => self.on_store_command(store),
            Ev::StoreDone {
                store,
                writer,
                epoch,
            } => self.on_store_done(store, writer, epoch),
            Ev::StorePublish {
                store,
                writer,
                epoch,
                aggregate,
                event_type,
            } => self.on_store_publish(store, writer, epoch, aggregate, event_type),
            Ev::Fault { index, ending } => self.on_fault(index as usize, ending),
            Ev::SagaTimeout { saga, slot, serial } => self.on_saga_timeout(saga, slot, serial),
        }
    }

    // ---------------------------------------------------------------------------------------
    // Producers

    fn schedule_arrival(&mut self, producer: u16) {
        let p = &mut self.producers[usize::from(producer)];
        if p.stopped {
            return;
        }
        match p
            .arrivals
            .next(self.now, p.rate_factor, &mut p.rng_arrivals)
        {
            Some(at) if at <= self.end => {
                self.seq += 1;
                let k = queue::key(at, self.seq);
                self.arrivals_due[usize::from(producer)] = k;
                if k < self.next_arrival.0 {
                    self.next_arrival = (k, producer);
                }
            }
            _ => {}
        }
    }

    fn on_arrival(&mut self, producer: u16) {
        if let Some(limit) = self.produce_limit
            && self.produced >= limit
        {
            self.stop_producers();
            return;
        }
        let pi = usize::from(producer);
        let (event_slot, key, size) = {
            let p = &mut self.producers[pi];
            let slot = if p.event_types.len() > 1 {
                p.rng_records.below(p.event_types.len() as u64) as usize
            } else {
                0
            };
            // A scheduled poison message takes the place of the next record's key.
            let key = match p.poison_next.take() {
                Some(k) => Some(k),
                None => p.keys.next(&mut p.rng_records),
            };
            let size = sample::size(&p.size, &mut p.rng_records);
            (slot, key, size)
        };
        let event_type = self.producers[pi]
            .event_types
            .get(event_slot)
            .copied()
            .unwrap_or(NONE_U16);
        let target_count = self.producers[pi]
            .targets
            .get(event_slot)
            .map_or(0, Vec::len);
        for target in 0..target_count {
            let topic = self.producers[pi].targets[event_slot][target];
            if let Some(limit) = self.produce_limit
                && self.produced >= limit
            {
                break;
            }
            let id = self.next_record_id;
            self.next_record_id += 1;
            self.produced += 1;
            let key_space = self.producers[pi].key_space;
            let partition = match key {
                Some(k) => self.partition_for(key_space, k, topic),
                None => self.sticky_partition(pi, topic, size),
            };
            let rec = Rec {
                id,
                produced_at: self.now,
                appended_at: 0,
                key: key.unwrap_or(NO_KEY),
                key_space,
                origin: producer,
                event_type,
                retry_group: NONE_U16,
                attempt: 1,
                failed_sends: 0,
                size,
                correlation: id,
                causation: id,
            };
            self.emit_trace(TraceKind::Produced, &rec, partition, None, None);
            if !self.sagas.is_empty() {
                self.start_saga(event_type, id, &rec, self.now);
            }
            if self.producers[pi].acks == Acks::Zero {
                self.acknowledge(&rec, topic);
            }
            self.send(partition, rec);
        }
        if let Some(limit) = self.produce_limit
            && self.produced >= limit
        {
            self.stop_producers();
        } else {
            self.schedule_arrival(producer);
        }
    }

    fn stop_producers(&mut self) {
        for p in &mut self.producers {
            p.stopped = true;
        }
    }

    /// Kafka's default partitioner for a keyed record.
    fn partition_for(&mut self, key_space: u16, key: u32, topic: u32) -> u32 {
        let t = &self.topics[topic as usize];
        let count = t.partitions.max(1);
        let first = t.first_partition;
        let space = &mut self.key_spaces[usize::from(key_space)];
        // The common case: the key's partition is known.
        if let Some((_, cache)) = space.cache.iter().find(|(c, _)| *c == count)
            && let Some(&p) = cache.get(key as usize)
            && p != u32::MAX
        {
            return first + p;
        }
        let keys = sample::key_count(&space.dist);
        let local = if keys <= KEY_CACHE_LIMIT {
            let slot = match space.cache.iter().position(|(c, _)| *c == count) {
                Some(slot) => slot,
                None => {
                    space.cache.push((count, vec![u32::MAX; keys as usize]));
                    space.cache.len() - 1
                }
            };
            let cache = &mut space.cache[slot].1;
            match cache.get(key as usize).copied() {
                Some(p) if p != u32::MAX => p,
                _ => {
                    sample::key_text(&space.dist, key, &mut self.key_buffer);
                    let p =
                        model::partitioner::partition_for_key(self.key_buffer.as_bytes(), count);
                    if let Some(slot) = cache.get_mut(key as usize) {
                        *slot = p;
                    }
                    p
                }
            }
        } else {
            sample::key_text(&space.dist, key, &mut self.key_buffer);
            model::partitioner::partition_for_key(self.key_buffer.as_bytes(), count)
        };
        first + local
    }

    /// Sticky partitioning for null keys: stay on one partition until a batch fills, then
    /// move to another at random (Kafka 2.4+).
    fn sticky_partition(&mut self, producer: usize, topic: u32, size: u32) -> u32 {
        let t = &self.topics[topic as usize];
        let (first, count) = (t.first_partition, t.partitions.max(1));
        let p = &mut self.producers[producer];
        let slot = p.topics.iter().position(|&x| x == topic).unwrap_or(0);
        let Some(sticky) = p.sticky.get_mut(slot) else {
            return first;
        };
        if sticky.0 == u32::MAX || sticky.1 + u64::from(size) > p.batch_size {
            let previous = sticky.0;
            let mut next = p.rng_records.below(u64::from(count)) as u32;
            if count > 1 && next == previous {
                next = (next + 1) % count;
            }
            *sticky = (next, 0);
        }
        sticky.1 += u64::from(size);
        first + sticky.0
    }

    /// Sends a record to its partition's leader: network, then the broker's disk queue.
    fn send(&mut self, partition: u32, rec: Rec) {
        let p = &self.partitions[partition as usize];
        if !p.held.is_empty() && self.now >= p.failure_known_at {
            // Earlier records for this partition are waiting: new batches queue behind them
            // in the producer's accumulator. (Until the error response of a failed send has
            // come back, the producer does not know, and keeps sending.)
            self.hold(partition, rec);
            return;
        }
        self.send_to_leader(partition, rec);
    }

    fn send_to_leader(&mut self, partition: u32, rec: Rec) {
        let Some(leader) = self
            .leader_broker(partition)
            .filter(|&b| !self.is_cut_off(self.sender_of(&rec), b))
        else {
            // No leader to talk to (offline, its broker died and the controller has not
            // noticed yet, or a network partition cuts the producer off): back off, retry.
            self.send_failed(partition, rec);
            return;
        };
        let arrive = self.now.saturating_add(self.network);
        let broker = &mut self.brokers[leader];
        let start = arrive.max(broker.busy_until);
        let service = round_ns(f64::from(rec.size) * broker.ns_per_byte);
        broker.busy_until = start.saturating_add(service);
        let at = start.saturating_add(service);
        if at <= self.now {
            self.append(partition, rec);
        } else {
            let slot = match self.free_append_slots.pop() {
                Some(slot) => {
                    self.pending_appends[slot as usize] = Some((partition, rec));
                    slot
                }
                None => {
                    self.pending_appends.push(Some((partition, rec)));
                    (self.pending_appends.len() - 1) as u32
                }
            };
            self.schedule(at, Ev::Append { partition, slot });
        }
    }

    fn acknowledge(&mut self, rec: &Rec, topic: u32) {
        self.acknowledged += 1;
        let groups = self.topics[topic as usize].groups;
        self.checkers.observe(Observation::Acknowledged {
            record: rec.id,
            groups,
            at: self.now,
        });
    }

    /// The broker of a partition's leader, if it has a live one.
    fn leader_broker(&self, partition: u32) -> Option<usize> {
        let p = &self.partitions[partition as usize];
        let broker = *p.replicas.get(p.leader?)? as usize;
        self.brokers[broker].alive.then_some(broker)
    }

    /// The acks a record is written with: its producer's, or `all` for what groups publish
    /// (reactions, retries, dead-letter copies), as Kafka's producer defaults to.
    fn acks_of(&self, rec: &Rec) -> Acks {
        if rec.retry_group == NONE_U16 && rec.causation == rec.id {
            self.producers
                .get(usize::from(rec.origin))
                .map_or(Acks::All, |p| p.acks)
        } else {
            Acks::All
        }
    }

    /// A send that failed (no leader, not enough replicas, a lost response): the producer
    /// holds the record, behind any others for the partition, and retries after
    /// `retry.backoff.ms` — until `delivery.timeout.ms`, or until its `retries` are used up
    /// (records that groups publish retry without a limit, as Kafka's default).
    fn send_failed(&mut self, partition: u32, mut rec: Rec) {
        rec.failed_sends = rec.failed_sends.saturating_add(1);
        let known_at = self.now.saturating_add(self.network);
        let p = &mut self.partitions[partition as usize];
        p.failure_known_at = p.failure_known_at.max(known_at);
        if let Some(p) = self.original_producer(&rec)
            && u32::from(rec.failed_sends) > self.producers[p].retries
        {
            self.produce_failed += 1;
            return;
        }
        self.hold(partition, rec);
    }

    /// The producer (index) of a record it sent itself — not a copy a group publishes.
    fn original_producer(&self, rec: &Rec) -> Option<usize> {
        let p = usize::from(rec.origin);
        (rec.retry_group == NONE_U16 && rec.causation == rec.id && p < self.producers.len())
            .then_some(p)
    }

    /// Whether `rec` must wait behind an earlier record of its producer that failed and is
    /// held for a retry: yes unless its producer may reorder (no idempotence and more than
    /// one request in flight), so an idempotent producer keeps the order of its retries.
    fn must_wait_behind_held(&self, partition: u32, rec: &Rec) -> bool {
        let held = &self.partitions[partition as usize].held;
        if held.is_empty() {
            return false;
        }
        let Some(p) = self.original_producer(rec) else {
            return false;
        };
        !self.producers[p].may_reorder
            && held
                .iter()
                .any(|h| h.origin == rec.origin && h.retry_group == NONE_U16 && h.id < rec.id)
    }

    /// The producer keeps `rec` for this partition and retries what it holds after
    /// `retry.backoff.ms`. Held records stay in the order they were produced: a failed batch
    /// goes back to the front of the accumulator, ahead of batches made after it.
    fn hold(&mut self, partition: u32, rec: Rec) {
        let p = &mut self.partitions[partition as usize];
        if p.held.back().is_none_or(|last| last.id < rec.id) {
            p.held.push_back(rec);
        } else {
            let at = p.held.partition_point(|h| h.id < rec.id);
            p.held.insert(at, rec);
        }
        if !p.retry_scheduled {
            p.retry_scheduled = true;
            self.schedule(
                self.now.saturating_add(RETRY_BACKOFF),
                Ev::RetryHeld { partition },
            );
        }
    }

    fn on_retry_held(&mut self, partition: u32) {
        self.partitions[partition as usize].retry_scheduled = false;
        let writable = self.leader_broker(partition).is_some();
        while let Some(rec) = self.partitions[partition as usize].held.front().copied() {
            if self.now.saturating_sub(rec.produced_at) >= DELIVERY_TIMEOUT {
                self.partitions[partition as usize].held.pop_front();
                self.produce_failed += 1;
                continue;
            }
            let reachable = self
                .leader_broker(partition)
                .is_some_and(|b| !self.is_cut_off(self.sender_of(&rec), b));
            if !writable {
                break;
            }
            if !reachable {
                // The request cannot reach the leader and times out: one more failed attempt
                // for the record at the front.
                let retries = self
                    .original_producer(&rec)
                    .map_or(u32::MAX, |p| self.producers[p].retries);
                let held = &mut self.partitions[partition as usize].held;
                if let Some(front) = held.front_mut() {
                    front.failed_sends = front.failed_sends.saturating_add(1);
                    if u32::from(front.failed_sends) > retries {
                        held.pop_front();
                        self.produce_failed += 1;
                        continue;
                    }
                }
                break;
            }
            self.partitions[partition as usize].held.pop_front();
            self.send_to_leader(partition, rec);
            if !self.partitions[partition as usize].held.is_empty()
                && self.partitions[partition as usize].retry_scheduled
            {
                // It failed again and went back to the queue: try later.
                return;
            }
        }
        let p = &mut self.partitions[partition as usize];
        if !p.held.is_empty() && !p.retry_scheduled {
            p.retry_scheduled = true;
            self.schedule(
                self.now.saturating_add(RETRY_BACKOFF),
                Ev::RetryHeld { partition },
            );
        }
    }

    /// Appends to the leader's log and starts replication; acknowledges what the record's
    /// acks level allows now.
    fn append(&mut self, partition: u32, mut rec: Rec) {
        if self.must_wait_behind_held(partition, &rec) {
            // An earlier record of an order-keeping producer failed and waits for its retry:
            // this one (in flight behind it) is refused too and queues after it.
            self.hold(partition, rec);
            return;
        }
        if self.leader_broker(partition).is_none() {
            self.send_failed(partition, rec);
            return;
        }
        let acks = self.acks_of(&rec);
        if acks == Acks::All {
            let p = &self.partitions[partition as usize];
            let isr = p.in_isr.iter().filter(|&&i| i).count() as u32;
            if isr < p.min_isr {
                // NotEnoughReplicas: the leader refuses acks=all writes.
                self.not_enough_replicas += 1;
                self.send_failed(partition, rec);
                return;
            }
        }
        rec.appended_at = self.now;
        let topic = self.partitions[partition as usize].topic;
        let offset = {
            let p = &mut self.partitions[partition as usize];
            let offset = p.end_offset;
            p.end_offset += 1;
            if let Some(l) = p.leader {
                p.leo[l] = p.end_offset;
            }
            if p.readers.is_empty() && p.replicas.len() == 1 {
                // Nobody reads this partition (a dead-letter topic, say) and nothing can
                // truncate it: keeping the record would only make memory grow with the run.
                p.start_offset = p.end_offset;
            } else {
                p.log.push_back(rec);
                p.bytes += u64::from(rec.size);
            }
            offset
        };
        self.topics[topic as usize].records_in += 1;
        for i in 0..self.topics[topic as usize].projections.len() {
            let pi = usize::from(self.topics[topic as usize].projections[i]);
            self.projections[pi].produced((rec.key_space, rec.key), rec.event_type);
        }
        let readers = self.topics[topic as usize].groups.count_ones();
        self.outstanding += u64::from(readers);
        self.emit_trace(TraceKind::Appended, &rec, partition, Some(offset), None);
        match acks {
            Acks::Zero => {}
            Acks::One => self.acknowledge_record(&rec, topic),
            Acks::All => self.partitions[partition as usize]
                .awaiting_ack
                .push_back((offset, rec)),
        }
        self.enforce_size_retention(partition);
        self.replicate(partition);
        self.update_hw(partition);
    }

    /// The acknowledgement of a record: counted for producers' records, and in every case
    /// the checkers learn that the subscribing groups must now process it.
    #[inline]
    fn acknowledge_record(&mut self, rec: &Rec, topic: u32) {
        let from_producer = rec.retry_group == NONE_U16
            && usize::from(rec.origin) < self.producers.len()
            && rec.causation == rec.id;
        if from_producer {
            if self.producers[usize::from(rec.origin)].acks == Acks::Zero {
                return; // Counted when sent.
            }
            self.acknowledge(rec, topic);
        } else {
            let groups = self.topics[topic as usize].groups;
            self.checkers.observe(Observation::Acknowledged {
                record: rec.id,
                groups,
                at: self.now,
            });
        }
    }

    /// Answers the fetch requests parked at the leader: new records are on their way.
    fn replicate(&mut self, partition: u32) {
        if self.partitions[partition as usize].replicas.len() == 1 {
            // The only replica is the leader: no follower waits.
            return;
        }
        if self.leader_broker(partition).is_none() {
            return;
        }
        for r in 0..self.partitions[partition as usize].replicas.len() {
            let p = &self.partitions[partition as usize];
            if Some(r) == p.leader || !p.parked[r] || p.leo[r] >= p.end_offset {
                continue;
            }
            self.respond_to_fetch(partition, r);
        }
    }

    fn respond_to_fetch(&mut self, partition: u32, r: usize) {
        let p = &mut self.partitions[partition as usize];
        p.parked[r] = false;
        let leo = p.end_offset;
        p.last_fetch[r] = (leo, self.now);
        self.schedule(
            self.now.saturating_add(self.network),
            Ev::FetchResponse {
                partition,
                replica: r as u8,
                leo,
            },
        );
    }

    /// A follower's fetch request reaches the leader. It carries the follower's log end, so
    /// the leader learns what the follower has (and may advance the high watermark); it is
    /// answered at once when there are newer records, else parked until there are.
    fn on_follower_fetch(&mut self, partition: u32, replica: u8) {
        let r = usize::from(replica);
        let follower_alive = {
            let p = &self.partitions[partition as usize];
            self.brokers[p.replicas[r] as usize].alive
        };
        if !follower_alive || self.leader_broker(partition).is_none() {
            self.partitions[partition as usize].parked[r] = true;
            return;
        }
        {
            let p = &mut self.partitions[partition as usize];
            p.known_leo[r] = p.leo[r].min(p.end_offset);
            if p.known_leo[r] >= p.end_offset {
                // Caught up with the leader: (back) in sync.
                p.in_isr[r] = true;
                p.caught_up_at[r] = self.now;
            } else if p.known_leo[r] >= p.last_fetch.get(r).map_or(u64::MAX, |f| f.0) {
                // It has all the leader had when it last answered: caught up as of then
                // (under a steady stream a follower is never level with the leader's end).
                p.caught_up_at[r] = p.caught_up_at[r].max(p.last_fetch[r].1);
            }
        }
        self.update_hw(partition);
        let p = &mut self.partitions[partition as usize];
        if p.leo[r] < p.end_offset {
            self.respond_to_fetch(partition, r);
        } else {
            p.parked[r] = true;
        }
    }

    /// A fetch response reaches the follower: it appends the records and asks for more.
    fn on_fetch_response(&mut self, partition: u32, replica: u8, leo: u64) {
        let r = usize::from(replica);
        let alive = {
            let p = &self.partitions[partition as usize];
            self.brokers[p.replicas[r] as usize].alive
        };
        if !alive {
            self.partitions[partition as usize].parked[r] = true;
            return;
        }
        let p = &mut self.partitions[partition as usize];
        if p.leader.is_none() || Some(r) == p.leader {
            p.parked[r] = true;
            return;
        }
        // A leader change may have truncated the log below what the response carried.
        let new_leo = p.leo[r].max(leo.min(p.end_offset));
        // The follower's broker writes the records like any other: its write capacity is
        // shared with the partitions it leads, so an overloaded broker's followers fall
        // behind (and, after `replica.lag.time.max.ms`, out of the ISR).
        let bytes = fetched_bytes(p, p.leo[r], new_leo);
        p.leo[r] = new_leo;
        let broker = &mut self.brokers[p.replicas[r] as usize];
        let written = self
            .now
            .max(broker.busy_until)
            .saturating_add(round_ns(bytes as f64 * broker.ns_per_byte));
        if bytes > 0 {
            broker.busy_until = written;
        }
        self.schedule(
            written.saturating_add(self.network),
            Ev::FollowerFetch { partition, replica },
        );
    }

    /// Moves the high watermark to what every in-sync replica has, acknowledges acks=all
    /// records below it, and wakes the readers.
    fn update_hw(&mut self, partition: u32) {
        let p = &mut self.partitions[partition as usize];
        if p.leader.is_none() {
            return;
        }
        let leader = p.leader;
        let hw = if p.replicas.len() == 1 {
            // The leader alone: it has everything it wrote (in the ISR or not, as below).
            p.end_offset
        } else {
            (0..p.replicas.len())
                .filter(|&r| p.in_isr[r])
                .map(|r| {
                    if Some(r) == leader {
                        p.end_offset
                    } else {
                        p.known_leo[r]
                    }
                })
                .min()
                .unwrap_or(p.end_offset)
                .min(p.end_offset)
        };
        if hw <= p.hw {
            return;
        }
        let old_hw = p.hw;
        p.hw = hw;
        if self.tracing() {
            for offset in old_hw..hw {
                let p = &self.partitions[partition as usize];
                let Some(rec) = offset
                    .checked_sub(p.start_offset)
                    .and_then(|i| p.log.get(i as usize))
                    .copied()
                else {
                    continue;
                };
                self.keep_trace(TraceKind::Replicated, &rec, partition, Some(offset), None);
            }
        }
        let p = &mut self.partitions[partition as usize];
        let leader_epoch = p.leader_epoch;
        if p.awaiting_ack
            .front()
            .is_some_and(|(offset, _)| *offset < hw)
        {
            if self.network == 0 {
                self.on_ack_response(partition, hw, leader_epoch);
            } else {
                // The produce responses travel back to the producers.
                self.schedule(
                    self.now.saturating_add(self.network),
                    Ev::AckResponse {
                        partition,
                        upto: hw,
                        leader_epoch,
                    },
                );
            }
        }
        self.wake_readers(partition);
    }

    /// Produce responses for records below `upto` reach their producers — unless the leader
    /// that sent them has been replaced meanwhile (then the election already decided their
    /// fate).
    fn on_ack_response(&mut self, partition: u32, upto: u64, leader_epoch: u32) {
        if self.partitions[partition as usize].leader_epoch != leader_epoch {
            return;
        }
        let topic = self.partitions[partition as usize].topic;
        while let Some(&(offset, rec)) = self.partitions[partition as usize].awaiting_ack.front() {
            if offset >= upto {
                break;
            }
            self.partitions[partition as usize].awaiting_ack.pop_front();
            self.acknowledge_record(&rec, topic);
        }
    }

    /// Tells the checkers a group is done with a record: processed (`ok`) or given up on.
    #[inline]
    fn observe_finished(&mut self, group: u16, rec: &Rec, ok: bool) {
        self.checkers.observe(Observation::Finished {
            group,
            record: rec.id,
            key: (rec.key != NO_KEY).then_some((rec.key_space, rec.key)),
            origin: rec.origin,
            ok,
            at: self.now,
        });
    }

    fn wake_readers(&mut self, partition: u32) {
        for i in 0..self.partitions[partition as usize].readers.len() {
            let (g, part) = self.partitions[partition as usize].readers[i];
            let group = &self.groups[usize::from(g)];
            let member = group.parts[part as usize].member;
            // Most of the time the member is busy: skip the call (`dispatch` would return
            // without doing anything).
            if group.members[usize::from(member)].free_slots == 0 {
                continue;
            }
            self.dispatch(g, member);
        }
    }

    fn crash_broker(&mut self, broker: u32) {
        let Some(b) = self.brokers.get_mut(broker as usize) else {
            return;
        };
        if !b.alive {
            return;
        }
        b.alive = false;
        b.incarnation += 1;
        b.busy_until = self.now;
        let incarnation = b.incarnation;
        self.schedule(
            self.now.saturating_add(BROKER_SESSION_TIMEOUT),
            Ev::ControllerDetect {
                broker,
                incarnation,
            },
        );
    }

    /// The controller notices a dead broker: its replicas leave the ISRs, and partitions it
    /// led get a new leader from the ISR (or any replica, with unclean election).
    fn on_controller_detect(&mut self, broker: u32, incarnation: u32) {
        let Some(b) = self.brokers.get(broker as usize) else {
            return;
        };
        if b.alive || b.incarnation != incarnation {
            return;
        }
        for partition in 0..self.partitions.len() as u32 {
            let Some(r) = self.partitions[partition as usize]
                .replicas
                .iter()
                .position(|&x| x == broker)
            else {
                continue;
            };
            if self.partitions[partition as usize].leader == Some(r) {
                self.elect_leader(partition);
            } else {
                self.partitions[partition as usize].in_isr[r] = false;
                self.update_hw(partition);
            }
        }
        // The groups it coordinated move with the leadership of their `__consumer_offsets`
        // partitions: to the next live broker.
        let count = self.brokers.len();
        for gi in 0..self.groups.len() {
            if self.groups[gi].coordinator != broker as usize {
                continue;
            }
            if let Some(next) = (1..count)
                .map(|i| (broker as usize + i) % count)
                .find(|&b| self.brokers[b].alive)
            {
                self.groups[gi].coordinator = next;
            }
        }
        self.refresh_coordinators();
    }

    /// Elects a new leader: the first live in-sync replica; failing that, with unclean leader
    /// election, the first live replica. The log is truncated to the new leader's end:
    /// acknowledged records beyond it (acks=1, or any with unclean election) are lost.
    fn elect_leader(&mut self, partition: u32) {
        let old = self.partitions[partition as usize].leader;
        let candidate = {
            let p = &self.partitions[partition as usize];
            let live = |r: usize| self.brokers[p.replicas[r] as usize].alive;
            (0..p.replicas.len())
                .find(|&r| Some(r) != old && p.in_isr[r] && live(r))
                .or_else(|| {
                    if self.unclean_leader_election {
                        (0..p.replicas.len()).find(|&r| Some(r) != old && live(r))
                    } else {
                        None
                    }
                })
        };
        let Some(new) = candidate else {
            // Offline: the last in-sync replica stays in the ISR, to lead when it returns.
            self.partitions[partition as usize].leader = None;
            return;
        };
        {
            let p = &mut self.partitions[partition as usize];
            if let Some(o) = old {
                p.in_isr[o] = false;
            }
            p.leader = Some(new);
            p.in_isr[new] = true;
            p.leader_epoch += 1;
        }
        let new_end = self.partitions[partition as usize].leo[new];
        self.truncate(partition, new_end);
        {
            // The followers send their fetch requests to the new leader, which knows nothing
            // of them until they do.
            let p = &mut self.partitions[partition as usize];
            for r in 0..p.replicas.len() {
                p.known_leo[r] = if r == new { new_end } else { 0 };
                // A new leader gives its followers a fresh `replica.lag.time.max.ms`.
                p.caught_up_at[r] = self.now;
                p.last_fetch[r] = (0, self.now);
            }
        }
        for r in 0..self.partitions[partition as usize].replicas.len() {
            if r != new && self.partitions[partition as usize].parked[r] {
                self.partitions[partition as usize].parked[r] = false;
                self.schedule(
                    self.now.saturating_add(self.network),
                    Ev::FollowerFetch {
                        partition,
                        replica: r as u8,
                    },
                );
            }
        }
        // Records waiting for acks=all: those the new leader lacks are re-sent by their
        // producer; those it has are acknowledged once replicated — unless the producer is not
        // idempotent: then its timed-out request is retried and appends them a second time.
        let waiting: Vec<(u64, Rec)> = self.partitions[partition as usize]
            .awaiting_ack
            .drain(..)
            .collect();
        for (offset, rec) in waiting {
            let idempotent = rec.retry_group == NONE_U16
                && rec.causation == rec.id
                && self
                    .idempotent_producers
                    .get(usize::from(rec.origin))
                    .copied()
                    .unwrap_or(true);
            if offset < new_end && idempotent {
                // The producer's retry is recognised by its sequence number and answered
                // without a second append, once the record is replicated.
                self.partitions[partition as usize]
                    .awaiting_ack
                    .push_back((offset, rec));
            } else {
                // Missing from the new leader, or present but without idempotence: the retry
                // appends it (again).
                self.send_failed(partition, rec);
            }
        }
        let leader_epoch = {
            let p = &mut self.partitions[partition as usize];
            p.hw = p.hw.min(new_end);
            p.leader_epoch
        };
        self.update_hw(partition);
        // Records the new leader already has below its high watermark are answered now.
        let hw = self.partitions[partition as usize].hw;
        self.on_ack_response(partition, hw, leader_epoch);
        self.replicate(partition);
        self.wake_readers(partition);
    }

    /// Cuts the partition's log back to `end` (a leader change): what was beyond is gone.
    fn truncate(&mut self, partition: u32, end: u64) {
        while self.partitions[partition as usize].end_offset > end {
            let offset = self.partitions[partition as usize].end_offset - 1;
            let rec = {
                let p = &mut self.partitions[partition as usize];
                p.end_offset = offset;
                if offset >= p.start_offset {
                    let rec = p.log.pop_back();
                    if let Some(r) = &rec {
                        p.bytes = p.bytes.saturating_sub(u64::from(r.size));
                    }
                    rec
                } else {
                    p.start_offset = offset;
                    None
                }
            };
            let Some(rec) = rec else {
                continue;
            };
            let mut lost_for = 0u64;
            for &(g, part) in &self.partitions[partition as usize].readers {
                let group = &self.groups[usize::from(g)];
                let gp = &group.parts[part as usize];
                if lane_of(&rec, offset, gp.lanes, group.lanes_by_key) == gp.lane
                    && gp.position <= offset
                {
                    lost_for |= 1u64 << g;
                }
            }
            self.outstanding = self
                .outstanding
                .saturating_sub(u64::from(lost_for.count_ones()));
            self.emit_trace(TraceKind::Lost, &rec, partition, Some(offset), None);
            self.checkers.observe(Observation::Deleted {
                record: rec.id,
                groups: lost_for,
                at: self.now,
                reason: LossReason::LeaderChange,
            });
        }
        let p = &mut self.partitions[partition as usize];
        for leo in &mut p.leo {
            *leo = (*leo).min(end);
        }
        for leo in &mut p.known_leo {
            *leo = (*leo).min(end);
        }
    }

    fn restart_broker(&mut self, broker: u32) {
        let Some(b) = self.brokers.get_mut(broker as usize) else {
            return;
        };
        if b.alive {
            return;
        }
        b.alive = true;
        for partition in 0..self.partitions.len() as u32 {
            let Some(r) = self.partitions[partition as usize]
                .replicas
                .iter()
                .position(|&x| x == broker)
            else {
                continue;
            };
            let p = &mut self.partitions[partition as usize];
            if p.leader == Some(r) {
                // Back before the controller noticed: still the leader.
                self.replicate(partition);
                self.wake_readers(partition);
                continue;
            }
            // A returning follower truncates to the high watermark and catches up.
            p.leo[r] = p.leo[r].min(p.hw);
            if p.parked[r] {
                p.parked[r] = false;
                self.schedule(
                    self.now.saturating_add(self.network),
                    Ev::FollowerFetch {
                        partition,
                        replica: r as u8,
                    },
                );
            }
            let p = &mut self.partitions[partition as usize];
            if p.leader.is_none() && p.in_isr[r] {
                // The last in-sync replica is back: it leads again.
                p.leader = Some(r);
                p.leader_epoch += 1;
                let end = p.leo[r];
                self.truncate(partition, end);
                self.update_hw(partition);
                self.wake_readers(partition);
            }
            self.replicate(partition);
        }
    }

    /// Partitions whose ISR lacks a replica, or whose replicas include a dead broker.
    fn under_replicated(&self) -> u64 {
        self.partitions
            .iter()
            .filter(|p| {
                p.leader.is_none()
                    || p.in_isr
                        .iter()
                        .zip(&p.replicas)
                        .any(|(i, &b)| !*i || !self.brokers[b as usize].alive)
            })
            .count() as u64
    }

    // ---------------------------------------------------------------------------------------
    // Consumers

    /// Starts work on as many of a member's partitions as it has free slots for.
    fn dispatch(&mut self, group: u16, member: u16) {
        let gi = usize::from(group);
        let mi = usize::from(member);
        if self.groups[gi].paused_until > self.now {
            return;
        }
        loop {
            let m = &self.groups[gi].members[mi];
            if !m.alive || m.free_slots == 0 || m.parts.is_empty() {
                return;
            }
            let count = m.parts.len();
            // Round robin from the cursor (one division, not one per step).
            let cursor = m.cursor % count;
            let mut chosen = None;
            for step in 0..count {
                let mut idx = cursor + step;
                if idx >= count {
                    idx -= count;
                }
                let part = self.groups[gi].members[mi].parts[idx];
                if self.ready(gi, part) {
                    chosen = Some((idx, part));
                    break;
                }
            }
            let Some((idx, part)) = chosen else {
                return;
            };
            let m = &mut self.groups[gi].members[mi];
            m.cursor = if idx + 1 == count { 0 } else { idx + 1 };
            m.free_slots -= 1;
            let rec = {
                let gp = &self.groups[gi].parts[part as usize];
                let p = &self.partitions[gp.partition as usize];
                p.log[(gp.position - p.start_offset) as usize]
            };
            let g = &mut self.groups[gi];
            let gp = &mut g.parts[part as usize];
            gp.in_flight = Some(rec);
            gp.attempt = if rec.retry_group == group {
                rec.attempt
            } else {
                1
            };
            let hop = if gp.caught_up { self.network } else { 0 };
            gp.caught_up = false;
            if self.tracing() {
                let gp = &self.groups[gi].parts[part as usize];
                let (partition, offset, attempt) = (gp.partition, gp.position, gp.attempt);
                self.keep_trace(
                    TraceKind::Fetched,
                    &rec,
                    partition,
                    Some(offset),
                    Some((group, attempt)),
                );
            }
            self.start_processing_after(group, part, hop);
        }
    }

    /// Whether a group partition has a record ready to start (and no record in flight).
    fn ready(&mut self, gi: usize, part: u32) -> bool {
        let reset = self.groups[gi].auto_offset_reset;
        let now = self.now;
        let gp = &mut self.groups[gi].parts[part as usize];
        if gp.in_flight.is_some() || gp.paused_until > now {
            return false;
        }
        let p = &self.partitions[gp.partition as usize];
        let client = (self.producers.len() + gi) as u16;
        let reachable = p.leader.and_then(|l| p.replicas.get(l)).is_some_and(|&b| {
            self.brokers[b as usize].alive
                && (self.cut_off.is_empty()
                    || !self.cut_off.iter().any(|&(_, c, mask)| {
                        c == client && mask & (1u64 << (b as usize % 64)) != 0
                    }))
        });
        if !reachable {
            return false;
        }
        if gp.position < p.start_offset || gp.position > p.end_offset {
            // The committed position was deleted: auto.offset.reset decides where to go.
            gp.position = match reset {
                OffsetReset::Earliest => p.start_offset,
                OffsetReset::Latest => p.end_offset,
            };
        }
        if gp.lanes > 1 {
            let by_key = self.groups[gi].lanes_by_key;
            let gp = &mut self.groups[gi].parts[part as usize];
            while gp.position < p.hw {
                let rec = &p.log[(gp.position - p.start_offset) as usize];
                if lane_of(rec, gp.position, gp.lanes, by_key) == gp.lane {
                    break;
                }
                gp.position += 1;
                if gp.committed + 1 == gp.position && gp.in_flight.is_none() {
                    // Nothing of this lane below: its share of the commit moves along.
                    gp.committed = gp.position;
                }
            }
        }
        let gp = &mut self.groups[gi].parts[part as usize];
        if gp.position < p.hw {
            true
        } else {
            gp.caught_up = true;
            false
        }
    }

    fn start_processing(&mut self, group: u16, part: u32) {
        self.start_processing_after(group, part, 0);
    }

    fn start_processing_after(&mut self, group: u16, part: u32, fetch: Nanos) {
        let gi = usize::from(group);
        let g = &mut self.groups[gi];
        // A projection passes over events of types it does not fold without writing.
        let skips = g.projection.is_some_and(|pi| {
            g.parts[part as usize]
                .in_flight
                .is_some_and(|rec| !self.projections[usize::from(pi)].folds(rec.event_type))
        });
        let service = if skips {
            0
        } else {
            sample::duration(&g.processing, &mut g.rng_processing)
        };
        let service = if g.slowdown == 1.0 {
            service
        } else {
            round_ns(service as f64 * g.slowdown)
        };
        let at = self.now.saturating_add(fetch).saturating_add(service);
        let gp = &mut g.parts[part as usize];
        gp.processing = true;
        let epoch = gp.epoch;
        let member = gp.member;
        let kicked = service > g.max_poll_interval;
        let incarnation = g.members[usize::from(member)].incarnation;
        self.schedule(at, Ev::ProcessDone { group, part, epoch });
        if kicked {
            // The member will not poll again within max.poll.interval.ms: its client leaves
            // the group when the interval runs out.
            self.schedule(
                self.now
                    .saturating_add(fetch)
                    .saturating_add(self.groups[gi].max_poll_interval),
                Ev::PollTimeout {
                    group,
                    member,
                    incarnation,
                },
            );
        }
    }

    /// `max.poll.interval.ms` ran out while a member was still processing: it leaves the
    /// group (the rest rebalance); it rejoins when it polls again.
    fn on_poll_timeout(&mut self, group: u16, member: u16, incarnation: u32) {
        let gi = usize::from(group);
        let Some(m) = self.groups[gi].members.get_mut(usize::from(member)) else {
            return;
        };
        if !m.alive || !m.in_group || m.incarnation != incarnation {
            return;
        }
        m.in_group = false;
        self.groups[gi].poll_timeouts += 1;
        self.start_rebalance(group);
    }

    /// A processing whose partition was taken away finishes: its side effect happened (the
    /// checkers see it), but its commit fails, so the new owner processes the record again.
    fn on_zombie_done(&mut self, group: u16, part: u32, epoch: u32) {
        let gi = usize::from(group);
        let Some(index) = self.groups[gi]
            .zombies
            .iter()
            .position(|z| z.0 == part && z.1 == epoch)
        else {
            return;
        };
        let (_, _, member, rec) = self.groups[gi].zombies.swap_remove(index);
        self.zombie_processed(group, part, member, &rec);
    }

    fn zombie_processed(&mut self, group: u16, part: u32, member: u16, rec: &Rec) {
        let gi = usize::from(group);
        let partition = self.groups[gi].parts[part as usize].partition;
        self.delivered += 1;
        self.groups[gi].processed += 1;
        self.emit_trace(TraceKind::Processed, rec, partition, None, Some((group, 1)));
        self.observe_finished(group, rec, true);
        self.project(group, part, rec, None);
        let m = &self.groups[gi].members[usize::from(member)];
        if m.alive && !m.in_group {
            // Back in its poll loop: it rejoins, and the group rebalances again.
            self.groups[gi].members[usize::from(member)].in_group = true;
            self.start_rebalance(group);
        }
    }

    fn on_process_done(&mut self, group: u16, part: u32) {
        let gi = usize::from(group);
        let Some(rec) = self.groups[gi].parts[part as usize].in_flight else {
            return;
        };
        self.groups[gi].parts[part as usize].processing = false;
        let member = self.groups[gi].parts[part as usize].member;
        if !self.groups[gi].members[usize::from(member)].in_group {
            // Kicked out (max.poll.interval.ms) while processing: the work is done but the
            // commit fails; the partition's next owner starts from the committed offset.
            self.rewind_without_zombie(gi, part);
            self.groups[gi].members[usize::from(member)].free_slots += 1;
            self.zombie_processed(group, part, member, &rec);
            return;
        }
        let attempt = self.groups[gi].parts[part as usize].attempt;
        let partition = self.groups[gi].parts[part as usize].partition;
        let offset = self.groups[gi].parts[part as usize].position;
        let failed = {
            let g = &mut self.groups[gi];
            let poison = (!g.poison_keys.is_empty()
                && g.poison_keys.contains(&(rec.key_space, rec.key)))
                || g.poison_types
                    .get(usize::from(rec.event_type))
                    .copied()
                    .unwrap_or(false);
            let p = g.spike_probability.unwrap_or(g.failure_probability);
            poison || g.rng_failures.chance(p)
        };
        if !failed {
            self.groups[gi].processed += 1;
            // A projection rebuild's replay of history is not a delivery to measure or check.
            let replay = self.groups[gi].projection.is_some_and(|pi| {
                self.projections[usize::from(pi)].is_replay(part as usize, offset)
            });
            if rec.produced_at >= self.warmup && !replay {
                self.record_latency(self.now.saturating_sub(rec.produced_at));
            }
            self.delivered += 1;
            self.emit_trace(
                TraceKind::Processed,
                &rec,
                partition,
                Some(offset),
                Some((group, attempt)),
            );
            if !replay {
                self.observe_finished(group, &rec, true);
            }
            self.project(group, part, &rec, Some(offset));
            self.react(group, &rec);
            self.finish_record(group, part);
            return;
        }
        self.emit_trace(
            TraceKind::Failed,
            &rec,
            partition,
            Some(offset),
            Some((group, attempt)),
        );
        if let Some(pi) = self.groups[gi].projection {
            self.projections[usize::from(pi)].failed_writes += 1;
        }
        let max_attempts = self.groups[gi].max_attempts;
        if attempt >= max_attempts {
            self.dead_lettered += 1;
            self.emit_trace(
                TraceKind::DeadLettered,
                &rec,
                partition,
                Some(offset),
                Some((group, attempt)),
            );
            self.observe_finished(group, &rec, false);
            if let Some(dlt) = self.groups[gi].dead_letter {
                self.publish_derived(dlt, rec, NONE_U16, 1, rec.event_type);
            }
            self.finish_record(group, part);
            return;
        }
        self.retries += 1;
        let delay = self.backoff(gi, attempt);
        match self.groups[gi].retry_topic {
            None => {
                // Blocking: the partition (and this member's slot) waits, then tries again.
                self.groups[gi].parts[part as usize].attempt = attempt + 1;
                self.emit_trace(
                    TraceKind::Retried,
                    &rec,
                    partition,
                    Some(offset),
                    Some((group, attempt + 1)),
                );
                let epoch = self.groups[gi].parts[part as usize].epoch;
                self.schedule(
                    self.now.saturating_add(delay),
                    Ev::RetryReady { group, part, epoch },
                );
            }
            Some(target) => {
                // Non-blocking: commit, move on, and re-append the record after the backoff.
                let topic = target.unwrap_or(self.partitions[partition as usize].topic);
                let mut copy = rec;
                copy.retry_group = group;
                copy.attempt = attempt + 1;
                self.emit_trace(
                    TraceKind::Retried,
                    &rec,
                    partition,
                    Some(offset),
                    Some((group, attempt + 1)),
                );
                let destination = if target.is_none() {
                    partition
                } else if copy.key != NO_KEY {
                    self.partition_for(copy.key_space, copy.key, topic)
                } else {
                    self.topics[topic as usize].first_partition
                };
                // The copy is appended after the backoff (the retrying service holds it).
                self.delay_append(destination, copy, delay);
                self.finish_record(group, part);
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Event stores

    fn schedule_store_command(&mut self, store: u16) {
        if let Some(limit) = self.produce_limit
            && self.produced >= limit
        {
            return;
        }
        let s = &mut self.stores[usize::from(store)];
        if s.rate <= 0.0 {
            return;
        }
        let gap = round_ns(s.rng.exponential(1e9 / s.rate)).max(1);
        let at = self.now.saturating_add(gap);
        if at <= self.end {
            self.schedule(at, Ev::StoreCommand { store });
        }
    }

    /// A command arrives for a random aggregate and waits for a writer.
    fn on_store_command(&mut self, store: u16) {
        let s = &mut self.stores[usize::from(store)];
        s.commands += 1;
        let aggregate = s.rng.below(s.versions.len() as u64) as u32;
        s.queue.push_back(aggregate);
        self.dispatch_store(store);
        self.schedule_store_command(store);
    }

    /// Hands waiting commands to free writers.
    fn dispatch_store(&mut self, store: u16) {
        let si = usize::from(store);
        for w in 0..self.stores[si].writers.len() {
            let writer = &self.stores[si].writers[w];
            if !writer.alive || writer.busy.is_some() {
                continue;
            }
            let Some(aggregate) = self.stores[si].queue.pop_front() else {
                return;
            };
            self.start_command(store, w, aggregate, 1);
        }
    }

    /// A writer loads the aggregate (replaying its stream from the latest snapshot), decides,
    /// and appends with the version it loaded as the expected version.
    fn start_command(&mut self, store: u16, w: usize, aggregate: u32, attempt: u32) {
        let s = &mut self.stores[usize::from(store)];
        let events = s.events_to_load(aggregate);
        let per_event = sample::duration(&s.read_latency, &mut s.rng);
        let load = per_event.saturating_mul(events);
        let append = sample::duration(&s.append_latency, &mut s.rng);
        let _ = s.load_events.record(events.min(s.load_events.high()));
        let _ = s
            .load_time
            .record((load / 1_000).clamp(1, s.load_time.high()));
        let loaded = s.versions[aggregate as usize].0;
        let writer = &mut s.writers[w];
        writer.busy = Some(super::event_store::Command {
            aggregate,
            loaded,
            attempt,
        });
        let epoch = writer.epoch;
        let at = self.now.saturating_add(load).saturating_add(append);
        self.schedule(
            at,
            Ev::StoreDone {
                store,
                writer: w as u16,
                epoch,
            },
        );
    }

    fn on_store_done(&mut self, store: u16, writer: u16, epoch: u32) {
        let si = usize::from(store);
        let w = usize::from(writer);
        let s = &mut self.stores[si];
        if s.writers.get(w).is_none_or(|x| x.epoch != epoch) {
            return;
        }
        let Some(cmd) = s.writers[w].busy.take() else {
            return;
        };
        let current = s.versions[cmd.aggregate as usize].0;
        if current != cmd.loaded {
            if s.expected_version {
                // Another writer appended first: the expected version no longer matches.
                s.conflicts += 1;
                if cmd.attempt < s.conflict_attempts {
                    self.start_command(store, w, cmd.aggregate, cmd.attempt + 1);
                } else {
                    s.failed += 1;
                    self.dispatch_store(store);
                }
                return;
            }
            // Last writer wins: its decision was made on a stale state.
            s.lost_updates += 1;
        }
        s.appended(cmd.aggregate);
        let event_type = if s.event_types.is_empty() {
            NONE_U16
        } else {
            s.event_types[s.rng.below(s.event_types.len() as u64) as usize]
        };
        match s.publish {
            Some((_, model::PublishMode::Outbox)) => {
                // Written with the events in one transaction; the relay publishes it.
                self.publish_stored(store, cmd.aggregate, event_type);
            }
            Some((_, model::PublishMode::DualWrite)) => {
                // The service publishes after the append returns: a crash in between loses it.
                self.schedule(
                    self.now.saturating_add(DUAL_WRITE_GAP),
                    Ev::StorePublish {
                        store,
                        writer,
                        epoch,
                        aggregate: cmd.aggregate,
                        event_type,
                    },
                );
            }
            None => {}
        }
        self.dispatch_store(store);
    }

    fn on_store_publish(
        &mut self,
        store: u16,
        writer: u16,
        epoch: u32,
        aggregate: u32,
        event_type: u16,
    ) {
        let s = &mut self.stores[usize::from(store)];
        if s.writers
            .get(usize::from(writer))
            .is_none_or(|w| w.epoch != epoch)
        {
            s.lost_publications += 1;
            return;
        }
        self.publish_stored(store, aggregate, event_type);
    }

    /// Sends a stored event to the store's topic, keyed by its aggregate id.
    fn publish_stored(&mut self, store: u16, aggregate: u32, event_type: u16) {
        let si = usize::from(store);
        let Some((topic, _)) = self.stores[si].publish else {
            return;
        };
        let key_space = self.stores[si].key_space;
        self.stores[si].published += 1;
        let partition = self.partition_for(key_space, aggregate, topic);
        let id = self.next_record_id;
        self.next_record_id += 1;
        self.produced += 1;
        let rec = Rec {
            id,
            produced_at: self.now,
            appended_at: 0,
            key: aggregate,
            key_space,
            origin: (self.producers.len() + self.groups.len() + si) as u16,
            event_type,
            retry_group: NONE_U16,
            attempt: 1,
            failed_sends: 0,
            size: STORED_EVENT_BYTES,
            correlation: id,
            causation: id,
        };
        self.emit_trace(TraceKind::Produced, &rec, partition, None, None);
        self.send(partition, rec);
    }

    fn crash_writer(&mut self, store: usize, writer: usize) {
        let s = &mut self.stores[store];
        let Some(w) = s.writers.get_mut(writer) else {
            return;
        };
        w.alive = false;
        w.epoch += 1;
        if w.busy.take().is_some() {
            s.crashed_commands += 1;
        }
    }

    /// A projection's group processed a record: the projection writes it to its store.
    #[inline]
    fn project(&mut self, group: u16, part: u32, rec: &Rec, offset: Option<u64>) {
        if let Some(pi) = self.groups[usize::from(group)].projection {
            self.write_projection(group, usize::from(pi), part, rec, offset);
        }
    }

    fn write_projection(
        &mut self,
        group: u16,
        pi: usize,
        part: u32,
        rec: &Rec,
        offset: Option<u64>,
    ) {
        let replay = offset.is_some_and(|o| self.projections[pi].is_replay(part as usize, o));
        let visible = self.projections[pi].write(
            rec.id,
            (rec.key_space, rec.key),
            rec.event_type,
            part as usize,
            offset,
            self.now,
        );
        if let Some(at) = visible
            && !replay
        {
            let h = &mut self.projection_staleness[pi];
            let micros = (at.saturating_sub(rec.produced_at) / 1_000).clamp(1, h.high());
            let _ = h.record(micros);
        }
        if self.projections[pi].follows_rebuild(rec.produced_at)
            && let Some(offset) = offset
        {
            let gi = usize::from(group);
            let positions = self.groups[gi].parts.iter().enumerate().map(|(i, gp)| {
                if i == part as usize {
                    offset + 1
                } else {
                    gp.position
                }
            });
            self.projections[pi].rebuild_progress(
                replay,
                rec.produced_at,
                visible.unwrap_or(self.now),
                positions,
                self.now,
            );
        }
    }

    /// Throws projection `pi`'s read model away and replays its topics from the start: every
    /// partition's position and committed offset go back to the log start, and what is below
    /// the high watermark now is history to replay.
    fn rebuild_projection(&mut self, pi: usize) {
        let group = self.projections[pi].group;
        let gi = usize::from(group);
        let mut from = Vec::new();
        let mut until = Vec::new();
        let mut pending: rustc_hash::FxHashMap<(u16, u32), u32> = Default::default();
        let mut seen = FxHashSet::default();
        for part in 0..self.groups[gi].parts.len() {
            let partition = self.groups[gi].parts[part].partition;
            let p = &self.partitions[partition as usize];
            from.push(p.start_offset);
            until.push(p.hw.max(p.start_offset));
            if seen.insert(partition) {
                for rec in p
                    .log
                    .iter()
                    .take((p.hw.saturating_sub(p.start_offset)) as usize)
                {
                    if self.projections[pi].folds(rec.event_type) {
                        *pending.entry((rec.key_space, rec.key)).or_insert(0) += 1;
                    }
                }
            }
        }
        // Writes under way go to the old read model: they are abandoned, not finished.
        for part in 0..self.groups[gi].parts.len() {
            let partition = self.groups[gi].parts[part].partition;
            let start = self.partitions[partition as usize].start_offset;
            self.groups[gi].parts[part].committed = start;
            self.rewind_without_zombie(gi, part as u32);
        }
        self.groups[gi].zombies.clear();
        let concurrency = self.groups[gi].concurrency;
        for m in &mut self.groups[gi].members {
            m.free_slots = concurrency;
        }
        self.projections[pi].start_rebuild(self.now, &from, until, pending, new_histogram());
        self.dispatch_all(group);
    }

    fn backoff(&mut self, gi: usize, attempt: u16) -> Nanos {
        let g = &mut self.groups[gi];
        let base_ms = match g.backoff {
            Backoff::Fixed { delay_ms } => delay_ms as f64,
            Backoff::Exponential {
                initial_ms,
                multiplier,
                max_ms,
            } => (initial_ms as f64 * libm::pow(multiplier, f64::from(attempt.saturating_sub(1))))
                .min(max_ms as f64),
        };
        let jitter = if g.jitter > 0.0 {
            1.0 + g.jitter * (2.0 * g.rng_retry.uniform() - 1.0)
        } else {
            1.0
        };
        ms_to_ns(base_ms * jitter)
    }

    fn delay_append(&mut self, partition: u32, rec: Rec, delay: Nanos) {
        let slot = match self.free_append_slots.pop() {
            Some(slot) => {
                self.pending_appends[slot as usize] = Some((partition, rec));
                slot
            }
            None => {
                self.pending_appends.push(Some((partition, rec)));
                (self.pending_appends.len() - 1) as u32
            }
        };
        self.schedule(
            self.now.saturating_add(delay.max(1)),
            Ev::Append { partition, slot },
        );
    }

    /// Publishes a record derived from `rec` (a reaction's event or a dead-lettered copy).
    fn publish_derived(&mut self, topic: u32, rec: Rec, origin: u16, fan: u32, event_type: u16) {
        for _ in 0..fan {
            let id = self.next_record_id;
            self.next_record_id += 1;
            let partition = if rec.key != NO_KEY {
                self.partition_for(rec.key_space, rec.key, topic)
            } else {
                self.topics[topic as usize].first_partition
            };
            let derived = Rec {
                id,
                produced_at: self.now,
                appended_at: 0,
                key: rec.key,
                key_space: rec.key_space,
                origin: if origin == NONE_U16 {
                    // Dead-letter copies keep their producer for the order checker.
                    rec.origin
                } else {
                    self.producers.len() as u16 + origin
                },
                event_type,
                retry_group: NONE_U16,
                attempt: 1,
                failed_sends: 0,
                size: rec.size,
                correlation: rec.correlation,
                causation: rec.id,
            };
            self.send(partition, derived);
        }
    }

    fn react(&mut self, group: u16, rec: &Rec) {
        let gi = usize::from(group);
        if let Some(saga) = self.groups[gi].orchestrates {
            self.orchestrate(saga, rec);
            return;
        }
        // Reactions a saga step decides (bit per reaction index).
        let mut decided = 0u64;
        if !self.groups[gi].saga_steps.is_empty() {
            decided = self.saga_participate(group, rec);
        }
        for r in 0..self.groups[gi].reactions.len() {
            if r < 64 && decided & (1 << r) != 0 {
                continue;
            }
            let reaction = self.groups[gi].reactions[r];
            if reaction.on != NONE_U16 && reaction.on != rec.event_type {
                continue;
            }
            let fire = {
                let g = &mut self.groups[gi];
                g.rng_reactions.chance(reaction.probability)
            };
            if fire {
                self.emit_reaction(group, rec, r);
            }
        }
    }

    /// Publishes reaction `r`'s events and tells the choreographed sagas what was emitted.
    fn emit_reaction(&mut self, group: u16, rec: &Rec, r: usize) {
        let reaction = self.groups[usize::from(group)].reactions[r];
        let first = self.next_record_id;
        self.publish_derived(reaction.topic, *rec, group, reaction.fan_out, reaction.emit);
        if self.sagas.is_empty() {
            return;
        }
        for id in first..self.next_record_id {
            let mut belongs = false;
            for si in 0..self.sagas.len() {
                if !self.sagas[si].orchestrated {
                    belongs |= self.sagas[si].emitted(group, rec.id, reaction.emit, id, self.now);
                }
            }
            if !belongs {
                self.start_saga(reaction.emit, id, rec, self.now);
            }
        }
    }

    /// A record of a choreographed saga's trigger type was produced: an instance starts.
    fn start_saga(&mut self, event_type: u16, id: u64, rec: &Rec, now: Nanos) {
        let Some(&si) = self.saga_triggers.get(usize::from(event_type)) else {
            return;
        };
        if si == saga::NONE {
            return;
        }
        let correlation = if rec.id == id { id } else { rec.correlation };
        self.sagas[usize::from(si)].start(
            id,
            event_type,
            (rec.key_space, rec.key),
            correlation,
            now,
            now,
        );
    }

    /// A saga participant processed `rec`: runs the steps it performs, drawing each step's
    /// outcome once. Returns the reactions it decided (bit per index), which the ordinary
    /// reaction loop then skips.
    fn saga_participate(&mut self, group: u16, rec: &Rec) -> u64 {
        let gi = usize::from(group);
        let mut decided = 0u64;
        for k in 0..self.groups[gi].saga_steps.len() {
            let role = self.groups[gi].saga_steps[k];
            let si = usize::from(role.saga);
            let on = self.sagas[si].steps[usize::from(role.step)].on;
            if rec.event_type == on {
                for r in [role.success, role.failure] {
                    if r != NONE_U16 && r < 64 {
                        decided |= 1 << r;
                    }
                }
                let execution = self.sagas[si].execute(role.step, rec.id, rec.event_type, self.now);
                if execution == Execution::Absorbed {
                    continue;
                }
                // One draw: success, failure, or no answer at all.
                let p = |r: u16, g: &GroupRt| {
                    g.reactions
                        .get(usize::from(r))
                        .map_or(0.0, |x| x.probability)
                };
                let (ps, pf) = (
                    p(role.success, &self.groups[gi]),
                    p(role.failure, &self.groups[gi]),
                );
                if ps + pf <= 0.0 {
                    continue;
                }
                let u = self.groups[gi].rng_reactions.uniform();
                let chosen = if u < ps {
                    role.success
                } else if u < ps + pf {
                    role.failure
                } else {
                    NONE_U16
                };
                if chosen != NONE_U16 {
                    self.emit_reaction(group, rec, usize::from(chosen));
                }
            } else if role.compensation_type == rec.event_type
                && self.sagas[si].orchestrated
                && self.sagas[si].knows(rec.id)
            {
                // The orchestrator's compensation command, run by the participant.
                self.sagas[si].compensation_ran(role.step, rec.id, rec.event_type, self.now);
            } else if role.compensation != NONE_U16 {
                let reaction = self.groups[gi].reactions[usize::from(role.compensation)];
                if reaction.on != rec.event_type && reaction.on != NONE_U16 {
                    continue;
                }
                let execution = self.sagas[si].wants_compensation(role.step, rec.id, self.now);
                if execution == Execution::Unrelated {
                    continue;
                }
                if role.compensation < 64 {
                    decided |= 1 << role.compensation;
                }
                if execution == Execution::Absorbed {
                    continue;
                }
                let fire = self.groups[gi].rng_reactions.chance(reaction.probability);
                if fire {
                    // The compensation event joins the instance as it is emitted.
                    let emitted = self.next_record_id;
                    self.emit_reaction(group, rec, usize::from(role.compensation));
                    self.sagas[si].compensation_ran(role.step, emitted, reaction.emit, self.now);
                }
            }
        }
        decided
    }

    /// The orchestrator of saga `si` processed `rec`.
    fn orchestrate(&mut self, si: u16, rec: &Rec) {
        let mut sends = std::mem::take(&mut self.saga_sends);
        self.sagas[usize::from(si)].orchestrate(
            rec.id,
            rec.event_type,
            rec.causation,
            (rec.key_space, rec.key),
            rec.correlation,
            rec.produced_at,
            self.now,
            &mut sends,
        );
        self.send_saga_messages(si, &sends);
        sends.clear();
        self.saga_sends = sends;
    }

    /// Sends what an orchestrator decided: commands (with their timeouts) and compensations.
    fn send_saga_messages(&mut self, si: u16, sends: &[saga::Send]) {
        let s = usize::from(si);
        let Some(group) = self.sagas[s].orchestrator else {
            return;
        };
        for &send in sends {
            let Some(instance) = self.sagas[s].instance(send.slot) else {
                continue;
            };
            let (key_space, key) = instance.key;
            let correlation = instance.correlation;
            let step = &self.sagas[s].steps[usize::from(send.step)];
            let topic = step.command_topic;
            let event_type = if send.compensation {
                step.compensation
            } else {
                step.on
            };
            if topic == u32::MAX || event_type == saga::NONE {
                continue;
            }
            // The message carries the instance's key (so one instance's messages keep their
            // order) and is caused by the record that decided it.
            let cause = Rec {
                id: send.cause,
                produced_at: self.now,
                appended_at: 0,
                key,
                key_space,
                origin: NONE_U16,
                event_type,
                retry_group: NONE_U16,
                attempt: 1,
                failed_sends: 0,
                size: STORED_EVENT_BYTES,
                correlation,
                causation: send.cause,
            };
            let id = self.next_record_id;
            self.publish_derived(topic, cause, group, 1, event_type);
            self.sagas[s].sent(send, id, event_type, self.now);
            if !send.compensation {
                let timeout = self.sagas[s].steps[usize::from(send.step)].timeout;
                let serial = self.sagas[s].serial(send.slot);
                self.schedule(
                    self.now.saturating_add(timeout),
                    Ev::SagaTimeout {
                        saga: si,
                        slot: send.slot,
                        serial,
                    },
                );
            }
        }
    }

    fn on_saga_timeout(&mut self, si: u16, slot: u32, serial: u32) {
        let s = usize::from(si);
        let up = self.sagas[s]
            .orchestrator
            .is_some_and(|g| self.groups[usize::from(g)].members.iter().any(|m| m.alive));
        let mut sends = std::mem::take(&mut self.saga_sends);
        self.sagas[s].timeout(slot, serial, self.now, up, &mut sends);
        self.send_saga_messages(si, &sends);
        sends.clear();
        self.saga_sends = sends;
    }

    /// An orchestrator's process came back: it reloads its sagas' state and fires the
    /// timeouts that fell due while it was down.
    fn resume_orchestrator(&mut self, group: u16) {
        let Some(si) = self.groups[usize::from(group)].orchestrates else {
            return;
        };
        let mut sends = std::mem::take(&mut self.saga_sends);
        self.sagas[usize::from(si)].resume(self.now, &mut sends);
        self.send_saga_messages(si, &sends);
        sends.clear();
        self.saga_sends = sends;
    }

    /// A record is done for this group (processed, dead-lettered, or handed to a retry
    /// topic): commit as the group's commit mode says and move on.
    fn finish_record(&mut self, group: u16, part: u32) {
        let gi = usize::from(group);
        self.outstanding = self.outstanding.saturating_sub(1);
        let committed_before = self.groups[gi].parts[part as usize].committed;
        let (member, partition) = {
            let g = &mut self.groups[gi];
            let max_poll = g.max_poll_records;
            // Without its coordinator, a group's commits fail.
            let commit = if g.coordinator_lost_at.is_none() {
                g.commit.clone()
            } else {
                CommitMode::Auto { interval_ms: 0 }
            };
            let gp = &mut g.parts[part as usize];
            gp.in_flight = None;
            gp.attempt = 1;
            gp.position += 1;
            gp.uncommitted += 1;
            match commit {
                CommitMode::AfterEach => {
                    gp.committed = gp.position;
                    gp.uncommitted = 0;
                }
                CommitMode::AfterBatch => {
                    if gp.uncommitted >= max_poll {
                        gp.committed = gp.position;
                        gp.uncommitted = 0;
                    }
                }
                CommitMode::Auto { .. } => {}
            }
            (gp.member, gp.partition)
        };
        if let CommitMode::AfterBatch = self.groups[gi].commit
            && self.groups[gi].coordinator_lost_at.is_none()
        {
            // The batch also ends when the partition has nothing more to give.
            let end = self.partitions[partition as usize].end_offset;
            let gp = &mut self.groups[gi].parts[part as usize];
            if gp.position >= end {
                gp.committed = gp.position;
                gp.uncommitted = 0;
            }
        }
        if self.groups[gi].parts[part as usize].committed != committed_before {
            self.trace_commit(group, part);
        }
        self.trim(partition);
        self.groups[gi].members[usize::from(member)].free_slots += 1;
        self.dispatch(group, member);
    }

    // ---------------------------------------------------------------------------------------
    // Group membership: crashes, restarts, session timeouts and rebalances

    fn dispatch_all(&mut self, group: u16) {
        for m in 0..self.groups[usize::from(group)].members.len() {
            self.dispatch(group, m as u16);
        }
    }

    /// Gives up a part's in-flight work and rewinds it to its committed offset: whoever reads
    /// it next starts there, so records processed but not committed are processed again.
    fn rewind(&mut self, gi: usize, part: u32) {
        let gp = &self.groups[gi].parts[part as usize];
        if gp.processing
            && let Some(rec) = gp.in_flight
            && self.groups[gi].members[usize::from(gp.member)].alive
        {
            let zombie = (part, gp.epoch, gp.member, rec);
            self.groups[gi].zombies.push(zombie);
        }
        self.rewind_without_zombie(gi, part);
    }

    fn rewind_without_zombie(&mut self, gi: usize, part: u32) {
        let partition = self.groups[gi].parts[part as usize].partition;
        // Kafka keeps one committed offset per partition: with lanes, the lowest of theirs.
        let floor = self.groups[gi]
            .parts
            .iter()
            .filter(|gp| gp.partition == partition)
            .map(|gp| gp.committed)
            .min()
            .unwrap_or(0);
        let by_key = self.groups[gi].lanes_by_key;
        let gp = &mut self.groups[gi].parts[part as usize];
        gp.processing = false;
        gp.in_flight = None;
        gp.attempt = 1;
        gp.epoch += 1;
        gp.uncommitted = 0;
        if gp.position > floor {
            // This lane's records from the floor on will be delivered again.
            let p = &self.partitions[partition as usize];
            let again = if gp.lanes <= 1 {
                gp.position - floor
            } else {
                (floor.max(p.start_offset)..gp.position.min(p.end_offset))
                    .filter(|&o| {
                        let rec = &p.log[(o - p.start_offset) as usize];
                        lane_of(rec, o, gp.lanes, by_key) == gp.lane
                    })
                    .count() as u64
            };
            self.outstanding += again;
            gp.position = floor;
            gp.committed = gp.committed.min(floor);
        }
    }

    fn crash_member(&mut self, group: u16, member: u16) {
        let gi = usize::from(group);
        let concurrency = self.groups[gi].concurrency;
        let Some(m) = self.groups[gi].members.get_mut(usize::from(member)) else {
            return;
        };
        if !m.alive {
            return;
        }
        m.alive = false;
        m.incarnation += 1;
        let incarnation = m.incarnation;
        let parts = m.parts.clone();
        m.free_slots = concurrency;
        for part in parts {
            self.rewind(gi, part);
        }
        let at = self.now.saturating_add(self.groups[gi].session_timeout);
        self.schedule(
            at,
            Ev::SessionTimeout {
                group,
                member,
                incarnation,
            },
        );
    }

    fn restart_member(&mut self, group: u16, member: u16) {
        let gi = usize::from(group);
        let static_membership = self.groups[gi].static_membership;
        let Some(m) = self.groups[gi].members.get_mut(usize::from(member)) else {
            return;
        };
        if m.alive {
            return;
        }
        m.alive = true;
        self.resume_orchestrator(group);
        // An in-memory read model died with the process: it is rebuilt from the topics.
        if let Some(pi) = self.groups[gi].projection
            && self.projections[usize::from(pi)].rebuild_on_start
        {
            self.rebuild_projection(usize::from(pi));
        }
        let m = &mut self.groups[gi].members[usize::from(member)];
        if m.in_group && static_membership {
            // A static member back within its session timeout keeps its partitions: no
            // rebalance, it resumes from the committed offsets.
            self.dispatch(group, member);
        } else {
            // A dynamic member rejoins under a new member id: the group rebalances.
            m.in_group = true;
            if self.groups[gi].coordinator_lost_at.is_some() {
                // It cannot join yet: under its new id it owns nothing until it can.
                self.groups[gi].members[usize::from(member)].parts.clear();
            }
            self.start_rebalance(group);
        }
    }

    fn on_session_timeout(&mut self, group: u16, member: u16, incarnation: u32) {
        let gi = usize::from(group);
        let Some(m) = self.groups[gi].members.get_mut(usize::from(member)) else {
            return;
        };
        if m.incarnation != incarnation || m.alive || !m.in_group {
            return;
        }
        m.in_group = false;
        self.start_rebalance(group);
    }

    /// Whether the group's members can reach their coordinator.
    fn coordinator_reachable(&self, gi: usize) -> bool {
        let b = self.groups[gi].coordinator;
        self.brokers.get(b).is_some_and(|broker| broker.alive)
            && !self.is_cut_off((self.producers.len() + gi) as u16, b)
    }

    /// Follows a change that may cut groups off from their coordinators (a broker crash or
    /// restart, a network partition starting or healing, a coordinator moving). A group that
    /// loses its coordinator keeps processing what it is assigned but cannot commit; after a
    /// session timeout the coordinator evicts its members. A group that reaches it again
    /// commits again — and, if it was evicted, rejoins: a rebalance that resumes every
    /// partition from its last commit, so what was processed meanwhile is processed again.
    fn refresh_coordinators(&mut self) {
        for gi in 0..self.groups.len() {
            let reachable = self.coordinator_reachable(gi);
            let group = gi as u16;
            let g = &mut self.groups[gi];
            match (reachable, g.coordinator_lost_at) {
                (false, None) => {
                    g.coordinator_lost_at = Some(self.now);
                    g.coordinator_epoch += 1;
                    let epoch = g.coordinator_epoch;
                    let at = self.now.saturating_add(g.session_timeout);
                    self.schedule(at, Ev::CoordinatorTimeout { group, epoch });
                }
                (true, Some(_)) => {
                    g.coordinator_lost_at = None;
                    if g.evicted {
                        g.evicted = false;
                        g.lost_assignment = true;
                        g.rebalance_blocked = false;
                        for m in &mut g.members {
                            m.in_group = m.alive;
                        }
                        self.start_rebalance(group);
                    } else if std::mem::take(&mut g.rebalance_blocked) {
                        // The join that could not reach the coordinator goes through now.
                        self.start_rebalance(group);
                    }
                }
                _ => {}
            }
        }
    }

    fn on_coordinator_timeout(&mut self, group: u16, epoch: u32) {
        let g = &mut self.groups[usize::from(group)];
        if g.coordinator_epoch == epoch && g.coordinator_lost_at.is_some() {
            g.evicted = true;
            g.evictions += 1;
        }
    }

    /// Starts a rebalance: computes the new assignment, and pauses what the protocol pauses —
    /// every partition for the eager assignors, only the moving ones for cooperative-sticky —
    /// until in-flight records finish and the join and sync round trips are done.
    fn start_rebalance(&mut self, group: u16) {
        let gi = usize::from(group);
        let g = &mut self.groups[gi];
        if g.coordinator_lost_at.is_some() {
            // Joins go through the coordinator: without it no rebalance starts. The members
            // keep what they have; the one that would join (or the partitions of the one that
            // left) waits until the coordinator is back.
            g.rebalance_blocked = true;
            return;
        }
        // A rebalance cut short earlier left partitions paused for good: this one decides.
        if g.paused_until == Nanos::MAX {
            g.paused_until = self.now;
        }
        for gp in &mut g.parts {
            if gp.paused_until == Nanos::MAX {
                gp.paused_until = self.now;
            }
        }
        g.generation += 1;
        g.rebalances += 1;
        let generation = g.generation;
        let members: Vec<usize> = (0..g.members.len())
            .filter(|&m| g.members[m].in_group)
            .collect();
        let owned: Vec<Vec<(String, u32)>> = members
            .iter()
            .map(|&m| {
                g.members[m]
                    .parts
                    .iter()
                    .map(|&part| {
                        let partition = &self.partitions[g.parts[part as usize].partition as usize];
                        (
                            self.topics[partition.topic as usize].name.clone(),
                            partition.index,
                        )
                    })
                    .collect()
            })
            .collect();
        let assignment = assign_members(
            &g.id,
            g.static_membership,
            g.assignor,
            &g.topic_counts,
            &members,
            &owned,
        );
        let mut pending = vec![Vec::new(); g.members.len()];
        for (i, tps) in assignment.iter().enumerate() {
            for (topic, index) in tps {
                let Some(t) = self.topics.iter().find(|t| &t.name == topic) else {
                    continue;
                };
                let partition = t.first_partition + index;
                for (part, gp) in g.parts.iter().enumerate() {
                    if gp.partition == partition {
                        pending[members[i]].push(part as u32);
                    }
                }
            }
        }
        let eager = g.assignor != model::Assignor::CooperativeSticky;
        // Which parts move to another member.
        let mut moving = Vec::new();
        for (m, parts) in pending.iter().enumerate() {
            for &part in parts {
                if g.parts[part as usize].member as usize != m
                    || !g.members[g.parts[part as usize].member as usize].in_group
                {
                    moving.push(part);
                }
            }
        }
        let rounds = if eager { 1 } else { 2 };
        let end = self.now.saturating_add(REBALANCE_ROUND_TRIP * rounds);
        if eager {
            g.paused_until = end;
        } else {
            for &part in &moving {
                g.parts[part as usize].paused_until = end;
            }
        }
        g.rebalance_pause += end - self.now;
        g.pending_assignment = Some(pending);
        self.schedule(end, Ev::RebalanceDone { group, generation });
    }

    /// Installs the assignment of the rebalance that just completed.
    fn on_rebalance_done(&mut self, group: u16, generation: u32) {
        let gi = usize::from(group);
        if self.groups[gi].generation != generation {
            return; // A newer rebalance superseded this one.
        }
        if self.groups[gi].coordinator_lost_at.is_some() {
            // The sync round could not reach the coordinator: the members wait, having given
            // up what the protocol made them give up, until it is back and they rejoin.
            let g = &mut self.groups[gi];
            g.pending_assignment = None;
            g.rebalance_blocked = true;
            if g.assignor == model::Assignor::CooperativeSticky {
                for gp in &mut g.parts {
                    // The moving partitions were paused until now.
                    if gp.paused_until >= self.now {
                        gp.paused_until = Nanos::MAX;
                    }
                }
            } else {
                g.paused_until = Nanos::MAX;
            }
            return;
        }
        let Some(pending) = self.groups[gi].pending_assignment.take() else {
            return;
        };
        let auto_commit = matches!(self.groups[gi].commit, CommitMode::Auto { .. });
        // After an eviction the members lost their partitions: nothing is committed on the
        // way out, and every partition resumes from its last commit.
        let lost = std::mem::take(&mut self.groups[gi].lost_assignment);
        for (m, parts) in pending.iter().enumerate() {
            for &part in parts {
                let old = self.groups[gi].parts[part as usize].member as usize;
                if old == m && !lost {
                    continue;
                }
                let old_alive = self.groups[gi].members[old].alive;
                if old_alive && !lost && self.groups[gi].coordinator_lost_at.is_none() {
                    // The previous owner commits what it processed when the partition is
                    // revoked (auto-commit does so on revocation; commit-after-processing
                    // already has), then lets go of anything still in flight.
                    let gp = &mut self.groups[gi].parts[part as usize];
                    if auto_commit || gp.in_flight.is_none() {
                        gp.committed = gp.position;
                    }
                }
                self.rewind(gi, part);
                self.groups[gi].parts[part as usize].member = m as u16;
            }
        }
        let concurrency = self.groups[gi].concurrency;
        for (m, parts) in pending.into_iter().enumerate() {
            let busy = parts
                .iter()
                .filter(|&&p| self.groups[gi].parts[p as usize].in_flight.is_some())
                .count() as u32;
            let member = &mut self.groups[gi].members[m];
            member.parts = parts;
            member.cursor = 0;
            member.free_slots = concurrency.saturating_sub(busy);
        }
        self.dispatch_all(group);
    }

    fn on_auto_commit(&mut self, group: u16) {
        let gi = usize::from(group);
        let mut touched = Vec::new();
        let can_commit = self.groups[gi].coordinator_lost_at.is_none();
        for (i, gp) in self.groups[gi]
            .parts
            .iter_mut()
            .enumerate()
            .filter(|_| can_commit)
        {
            if gp.committed != gp.position {
                gp.committed = gp.position;
                gp.uncommitted = 0;
                touched.push((i as u32, gp.partition));
            }
        }
        for (part, partition) in touched {
            self.trace_commit(group, part);
            self.trim(partition);
        }
        if let CommitMode::Auto { interval_ms } = self.groups[gi].commit {
            let at = self
                .now
                .saturating_add(interval_ms.max(1).saturating_mul(MS));
            if at <= self.end {
                self.schedule(at, Ev::AutoCommit { group });
            }
        }
    }

    /// Adds a group partition's commit to the kept trace: the record below the committed
    /// offset, and the offset.
    fn trace_commit(&mut self, group: u16, part: u32) {
        if !self.tracing() {
            return;
        }
        let gp = &self.groups[usize::from(group)].parts[part as usize];
        let (partition, committed) = (gp.partition, gp.committed);
        let p = &self.partitions[partition as usize];
        let Some(rec) = committed
            .checked_sub(1)
            .and_then(|o| o.checked_sub(p.start_offset))
            .and_then(|i| p.log.get(i as usize))
            .copied()
        else {
            return;
        };
        self.keep_trace(
            TraceKind::Committed,
            &rec,
            partition,
            Some(committed),
            Some((group, 1)),
        );
    }

    /// Drops log entries every reader has committed past: they can never be read again, and
    /// keeping them would make memory grow with the run's length.
    fn trim(&mut self, partition: u32) {
        let p = &self.partitions[partition as usize];
        if p.keep_history {
            return;
        }
        let Some(min_committed) = p
            .readers
            .iter()
            .map(|&(g, part)| self.groups[usize::from(g)].parts[part as usize].committed)
            .min()
        else {
            return;
        };
        let p = &mut self.partitions[partition as usize];
        while p.start_offset < min_committed {
            match p.log.pop_front() {
                Some(rec) => {
                    p.bytes = p.bytes.saturating_sub(u64::from(rec.size));
                    p.start_offset += 1;
                }
                None => break,
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Retention, sampling, faults

    fn enforce_size_retention(&mut self, partition: u32) {
        let topic = self.partitions[partition as usize].topic as usize;
        let Some(limit) = self.topics[topic].retention_bytes else {
            return;
        };
        while self.partitions[partition as usize].bytes > limit
            && self.partitions[partition as usize].log.len() > 1
        {
            self.delete_front(partition);
        }
    }

    fn enforce_time_retention(&mut self) {
        for partition in 0..self.partitions.len() as u32 {
            let topic = self.partitions[partition as usize].topic as usize;
            let Some(retention) = self.topics[topic].retention_ns else {
                continue;
            };
            while let Some(front) = self.partitions[partition as usize].log.front() {
                if front.appended_at.saturating_add(retention) > self.now {
                    break;
                }
                self.delete_front(partition);
            }
        }
    }

    /// Deletes the oldest record of a partition; readers that had not finished it lose it.
    fn delete_front(&mut self, partition: u32) {
        let offset = self.partitions[partition as usize].start_offset;
        let Some(rec) = self.partitions[partition as usize].log.pop_front() else {
            return;
        };
        {
            let p = &mut self.partitions[partition as usize];
            p.start_offset += 1;
            p.bytes = p.bytes.saturating_sub(u64::from(rec.size));
        }
        let mut lost_for = 0u64;
        for &(g, part) in &self.partitions[partition as usize].readers {
            let group = &self.groups[usize::from(g)];
            let gp = &group.parts[part as usize];
            if lane_of(&rec, offset, gp.lanes, group.lanes_by_key) != gp.lane {
                continue;
            }
            let in_flight_here = gp.position == offset && gp.in_flight.is_some();
            if gp.position <= offset && !in_flight_here {
                lost_for |= 1u64 << g;
            }
        }
        if lost_for != 0 {
            self.outstanding = self
                .outstanding
                .saturating_sub(u64::from(lost_for.count_ones()));
            self.emit_trace(TraceKind::Lost, &rec, partition, Some(offset), None);
            self.checkers.observe(Observation::Deleted {
                record: rec.id,
                groups: lost_for,
                at: self.now,
                reason: LossReason::Retention,
            });
        }
    }

    /// The leaders' periodic ISR check (every half `replica.lag.time.max.ms`): a live
    /// follower that has not caught up within that time leaves the ISR, so the high
    /// watermark — and acks=all writes — stop waiting for it.
    fn on_isr_check(&mut self) {
        for partition in 0..self.partitions.len() as u32 {
            if self.leader_broker(partition).is_none() {
                continue;
            }
            let mut shrunk = false;
            let p = &mut self.partitions[partition as usize];
            for r in 0..p.replicas.len() {
                if Some(r) == p.leader || !p.in_isr[r] {
                    continue;
                }
                if p.parked[r] && p.known_leo[r] >= p.end_offset {
                    // Its fetch request waits at the leader for new records: caught up now
                    // (Kafka's followers long-poll, so a quiet partition does not shrink).
                    p.caught_up_at[r] = self.now;
                    continue;
                }
                if self.now.saturating_sub(p.caught_up_at[r]) > self.replica_lag_max {
                    p.in_isr[r] = false;
                    shrunk = true;
                }
            }
            if shrunk {
                self.isr_shrinks += 1;
                self.update_hw(partition);
            }
        }
        let next = self.now.saturating_add((self.replica_lag_max / 2).max(1));
        if next <= self.end {
            self.schedule(next, Ev::IsrCheck);
        }
    }

    fn on_sample(&mut self) {
        self.enforce_time_retention();
        let seconds = self.now as f64 / 1e9;
        for s in &mut self.sagas {
            s.sample(seconds);
        }
        let mut fired = Vec::new();
        for gi in 0..self.groups.len() {
            let lag = self.group_lag(gi);
            let g = &mut self.groups[gi];
            g.lag_series.push((seconds, lag));
            g.max_lag = g.max_lag.max(lag);
            if lag > 10_000 {
                fired.push((format!("lag > 10000 in group `{}`", g.name), lag as f64));
            }
        }
        if self.dead_lettered > 0 {
            fired.push(("dead-lettered > 0".to_owned(), self.dead_lettered as f64));
        }
        let under_replicated = self.under_replicated();
        self.max_under_replicated = self.max_under_replicated.max(under_replicated);
        self.under_replicated_series
            .push((seconds, under_replicated));
        if under_replicated > 0 {
            fired.push((
                "under-replicated partitions > 0".to_owned(),
                under_replicated as f64,
            ));
        }
        for (rule, value) in fired {
            if !self.alerts.iter().any(|a| a.rule == rule) {
                self.alerts.push(AlertReport {
                    rule,
                    fired_at_seconds: seconds,
                    value,
                });
            }
        }
        let watermark = self.watermark();
        self.checkers
            .observe(Observation::Watermark { record: watermark });
        for pi in 0..self.projections.len() {
            let behind = self.projection_behind(pi);
            let p = &mut self.projections[pi];
            p.sample_queries(self.sample_interval);
            p.forget_below(watermark);
            p.staleness_series.push((seconds, behind as f64 / 1e6));
        }
        let next = self.now.saturating_add(self.sample_interval);
        if next <= self.end {
            self.schedule(next, Ev::Sample);
        }
    }

    /// How far projection `pi`'s read model is behind now: the age of the oldest event it has
    /// not yet applied (0 when it has applied everything readable).
    fn projection_behind(&self, pi: usize) -> Nanos {
        let g = &self.groups[usize::from(self.projections[pi].group)];
        g.parts
            .iter()
            .filter_map(|gp| {
                let p = &self.partitions[gp.partition as usize];
                if gp.position >= p.hw || gp.position < p.start_offset {
                    return None;
                }
                let rec = p.log.get((gp.position - p.start_offset) as usize)?;
                Some(self.now.saturating_sub(rec.produced_at))
            })
            .max()
            .unwrap_or(0)
    }

    /// Consumer lag of a group: log end minus committed offset, over its partitions.
    /// The sagas' results, and their checker: every instance ends completed or fully
    /// compensated, having run each step and compensation once.
    fn saga_reports(
        &self,
        stuck_before: Nanos,
        verdicts: &mut Vec<super::check::Verdict>,
    ) -> std::collections::BTreeMap<String, SagaReport> {
        let mut reports = std::collections::BTreeMap::new();
        let mut violations = 0;
        let mut example = None;
        for s in &self.sagas {
            let (stuck, in_flight, stuck_list) = s.unfinished(stuck_before, self.now);
            let mut problems = Vec::new();
            for instance in stuck_list {
                problems.push(self.describe_instance(
                    s,
                    instance,
                    "stuck: neither completed nor compensated",
                ));
            }
            for instance in s.inconsistent_instances() {
                if problems.len() >= 20 {
                    break;
                }
                let problem = describe_inconsistency(s, instance);
                problems.push(self.describe_instance(s, instance, &problem));
            }
            violations += stuck + s.inconsistent;
            if example.is_none()
                && let Some(first) = problems.first()
            {
                example = Some(format!(
                    "saga `{}`, instance #{} (key {}) is {}: {}; {}",
                    s.name,
                    first.instance,
                    first.key,
                    first.state,
                    first.problem,
                    first.history.join("; ")
                ));
            }
            reports.insert(
                s.name.clone(),
                SagaReport {
                    coordination: if s.orchestrated {
                        "orchestrated"
                    } else {
                        "choreographed"
                    },
                    started: s.started,
                    completed: s.completed,
                    compensated: s.compensated,
                    timed_out: s.timed_out,
                    stuck,
                    in_flight,
                    inconsistent: s.inconsistent,
                    absorbed_repeats: s.absorbed_repeats,
                    ignored_replies: s.ignored_replies,
                    duplicate_triggers: s.duplicate_triggers,
                    late_executions: s.late_executions,
                    duration_ms: latency_report(&s.duration, 0, 0),
                    steps: s
                        .steps
                        .iter()
                        .map(|step| SagaStepReport {
                            name: step.name.clone(),
                            executed: step.executed,
                            failed: step.failed,
                            timed_out: step.timed_out,
                            compensations: step.compensated,
                            duplicate_executions: step.duplicate_executions,
                        })
                        .collect(),
                    series: s.series.clone(),
                    problems,
                    examples: s
                        .examples()
                        .into_iter()
                        .map(|i| self.describe_instance(s, i, ""))
                        .collect(),
                },
            );
        }
        if !self.sagas.is_empty() {
            verdicts.push(super::check::Verdict {
                name: "sagas-complete-or-compensate",
                passed: violations == 0,
                violations,
                example,
            });
        }
        reports
    }

    fn describe_instance(
        &self,
        s: &SagaRt,
        instance: &saga::Instance,
        problem: &str,
    ) -> SagaInstanceReport {
        let event = |t: u16| {
            self.event_type_names
                .get(usize::from(t))
                .map_or("timeout", String::as_str)
        };
        let history = instance
            .history
            .iter()
            .map(|h| {
                let record = if h.record == 0 && h.event_type == saga::NONE {
                    String::new()
                } else {
                    format!(" #{} {}", h.record, event(h.event_type))
                };
                format!(
                    "{:.3} s{record}: {} → {}",
                    h.at as f64 / 1e9,
                    describe_happening(s, h.what),
                    describe_state(s, h.state)
                )
            })
            .collect();
        SagaInstanceReport {
            instance: instance.id,
            key: if instance.key.1 == NO_KEY {
                "none".to_owned()
            } else {
                self.key_name(instance.key.0, instance.key.1)
            },
            state: describe_state(s, instance.state),
            problem: problem.to_owned(),
            history,
        }
    }

    fn group_lag(&self, gi: usize) -> u64 {
        let parts = &self.groups[gi].parts;
        parts
            .iter()
            .enumerate()
            .filter(|(_, gp)| gp.lane == 0)
            .map(|(i, gp)| {
                // Lanes of a partition are consecutive; the partition's committed offset is
                // the lowest of theirs.
                let lanes = usize::from(gp.lanes.max(1));
                let committed = parts[i..(i + lanes).min(parts.len())]
                    .iter()
                    .map(|l| l.committed)
                    .min()
                    .unwrap_or(gp.committed);
                let p = &self.partitions[gp.partition as usize];
                p.end_offset.saturating_sub(committed.max(p.start_offset))
            })
            .sum()
    }

    /// The smallest record id that can still be delivered to a group.
    fn watermark(&self) -> u64 {
        let mut low = self.next_record_id;
        for p in &self.partitions {
            for rec in &p.log {
                low = low.min(rec.id);
            }
        }
        for (_, rec) in self.pending_appends.iter().flatten() {
            low = low.min(rec.id);
        }
        for g in &self.groups {
            for gp in &g.parts {
                if let Some(rec) = gp.in_flight {
                    low = low.min(rec.id);
                }
            }
        }
        low
    }

    fn broker_index(&self, id: u32) -> Option<u32> {
        self.broker_ids
            .iter()
            .position(|&b| b == id)
            .map(|i| i as u32)
    }

    fn on_fault(&mut self, index: usize, ending: bool) {
        self.apply_fault(index, ending);
        // Crashes, restarts and network partitions can cut groups off from their
        // coordinators, or reconnect them.
        self.refresh_coordinators();
    }

    fn apply_fault(&mut self, index: usize, ending: bool) {
        let Some(fault) = self.faults.get(index).cloned() else {
            return;
        };
        let group_index = |sim: &Self, name: &str| sim.groups.iter().position(|g| g.name == name);
        let end_at = |duration_ms: u64| self.now.saturating_add(duration_ms.saturating_mul(MS));
        match fault.kind {
            FaultKind::Slowdown {
                group,
                factor,
                duration_ms,
            } => {
                if let Some(g) = group_index(self, &group) {
                    self.groups[g].slowdown = if ending { 1.0 } else { factor };
                    if !ending {
                        self.schedule(
                            end_at(duration_ms),
                            Ev::Fault {
                                index: index as u32,
                                ending: true,
                            },
                        );
                    }
                }
            }
            FaultKind::ErrorSpike {
                group,
                probability,
                duration_ms,
            } => {
                if let Some(g) = group_index(self, &group) {
                    self.groups[g].spike_probability = (!ending).then_some(probability);
                    if !ending {
                        self.schedule(
                            end_at(duration_ms),
                            Ev::Fault {
                                index: index as u32,
                                ending: true,
                            },
                        );
                    }
                }
            }
            FaultKind::ProducerBurst {
                producer,
                factor,
                duration_ms,
            } => {
                if let Some(p) = self.producers.iter().position(|p| p.name == producer) {
                    self.producers[p].rate_factor = if ending { 1.0 } else { factor };
                    if !ending {
                        self.schedule(
                            end_at(duration_ms),
                            Ev::Fault {
                                index: index as u32,
                                ending: true,
                            },
                        );
                    }
                }
            }
            FaultKind::RebuildProjection { projection } => {
                if let Some(pi) = self.projections.iter().position(|p| p.name == projection) {
                    self.rebuild_projection(pi);
                }
            }
            FaultKind::PoisonMessage { producer, key } => {
                if let Some(p) = self.producers.iter().position(|p| p.name == producer) {
                    let space = usize::from(self.producers[p].key_space);
                    if let Some(k) = key_index(&self.key_spaces[space].dist, &key) {
                        self.producers[p].poison_next = Some(k);
                        for g in &mut self.groups {
                            g.poison_keys.insert((space as u16, k));
                        }
                    } else {
                        self.unsupported.push(format!(
                            "poison message with key `{key}` at {} ms: the key is not in \
                             producer `{producer}`'s key space",
                            fault.at_ms
                        ));
                    }
                }
            }
            FaultKind::MemberCrash { group, member } => {
                if let Some(g) = group_index(self, &group) {
                    self.crash_member(g as u16, member as u16);
                } else if let Some(s) = self.stores.iter().position(|s| s.name == group) {
                    self.crash_writer(s, member as usize);
                }
            }
            FaultKind::MemberRestart { group, member } => {
                if let Some(g) = group_index(self, &group) {
                    self.restart_member(g as u16, member as u16);
                } else if let Some(s) = self.stores.iter().position(|s| s.name == group) {
                    if let Some(w) = self.stores[s].writers.get_mut(member as usize) {
                        w.alive = true;
                    }
                    self.dispatch_store(s as u16);
                }
            }
            FaultKind::BrokerCrash { broker } => {
                if let Some(b) = self.broker_index(broker) {
                    self.crash_broker(b);
                }
            }
            FaultKind::BrokerRestart { broker } => {
                if let Some(b) = self.broker_index(broker) {
                    self.restart_broker(b);
                }
            }
            FaultKind::NetworkPartition {
                client,
                brokers,
                duration_ms,
            } => {
                let producer = self.producers.iter().position(|p| p.name == client);
                let group = group_index(self, &client);
                let id = match (producer, group) {
                    (Some(p), _) => p as u16,
                    (None, Some(g)) => (self.producers.len() + g) as u16,
                    (None, None) => return,
                };
                if ending {
                    if let Some(i) = self.cut_off.iter().position(|c| c.0 == index as u32) {
                        self.cut_off.swap_remove(i);
                    }
                    if let Some(g) = group {
                        self.dispatch_all(g as u16);
                    }
                } else {
                    let mut mask = 0u64;
                    for b in brokers {
                        if let Some(i) = self.broker_index(b) {
                            mask |= 1u64 << (i % 64);
                        }
                    }
                    self.cut_off.push((index as u32, id, mask));
                    self.schedule(
                        end_at(duration_ms),
                        Ev::Fault {
                            index: index as u32,
                            ending: true,
                        },
                    );
                }
            }
        }
    }

    /// Whether a client (a producer, or `producers.len() + group`) cannot reach a broker.
    fn is_cut_off(&self, client: u16, broker: usize) -> bool {
        !self.cut_off.is_empty()
            && self
                .cut_off
                .iter()
                .any(|&(_, c, mask)| c == client && mask & (1u64 << (broker % 64)) != 0)
    }

    /// Who sends a record: its producer, or the group that re-publishes or derives it.
    fn sender_of(&self, rec: &Rec) -> u16 {
        if rec.retry_group != NONE_U16 {
            self.producers.len() as u16 + rec.retry_group
        } else {
            rec.origin
        }
    }

    // ---------------------------------------------------------------------------------------
    // Metrics, trace, report

    #[inline]
    fn record_latency(&mut self, latency: Nanos) {
        let micros = (latency / 1_000).max(1);
        let _ = self.latency.record(micros.min(self.latency.high()));
        self.latency_sum_ns += u128::from(latency);
        self.latency_count += 1;
    }

    // Always inlined: the kind is known at each call, so only the hashing remains there.
    #[inline(always)]
    fn emit_trace(
        &mut self,
        kind: TraceKind,
        rec: &Rec,
        partition: u32,
        offset: Option<u64>,
        consumer: Option<(u16, u16)>,
    ) {
        // The trace hash covers every event, whether or not the trace is kept.
        // One line per event: kind, time, record, partition, offset, group, attempt.
        let (group, attempt) = consumer.unwrap_or((NONE_U16, 0));
        let line = self.hasher.line();
        line[0] = kind as u8;
        line[1..9].copy_from_slice(&self.now.to_le_bytes());
        line[9..17].copy_from_slice(&rec.id.to_le_bytes());
        line[17..21].copy_from_slice(&partition.to_le_bytes());
        line[21..29].copy_from_slice(&offset.unwrap_or(u64::MAX).to_le_bytes());
        line[29..31].copy_from_slice(&group.to_le_bytes());
        line[31..33].copy_from_slice(&attempt.to_le_bytes());
        if kind == TraceKind::Processed && rec.produced_at >= self.warmup {
            let duration = self.now.saturating_sub(rec.appended_at);
            let _ = self
                .processing
                .record((duration / 1_000).clamp(1, self.processing.high()));
        }
        if self.tracing() {
            self.keep_trace(kind, rec, partition, offset, consumer);
        }
    }

    /// Whether the trace is kept and has room (for events outside the hash).
    #[inline]
    fn tracing(&self) -> bool {
        self.trace.len() < self.trace_capacity
    }

    /// Adds an event to the kept trace (if it is kept and has room), outside the hash.
    #[cold]
    fn keep_trace(
        &mut self,
        kind: TraceKind,
        rec: &Rec,
        partition: u32,
        offset: Option<u64>,
        consumer: Option<(u16, u16)>,
    ) {
        if !self.tracing() {
            return;
        }
        let p = &self.partitions[partition as usize];
        let mut key = None;
        if rec.key != NO_KEY
            && let Some(space) = self.key_spaces.get(usize::from(rec.key_space))
        {
            let mut text = String::new();
            sample::key_text(&space.dist, rec.key, &mut text);
            key = Some(text);
        }
        self.trace.push(TraceEvent {
            time_ns: self.now,
            kind,
            record: rec.id,
            key,
            topic: self.topics[p.topic as usize].name.clone(),
            partition: p.index,
            offset,
            group: consumer
                .and_then(|(g, _)| self.groups.get(usize::from(g)).map(|g| g.name.clone())),
            member: consumer.and_then(|(g, _)| {
                let gp = self
                    .groups
                    .get(usize::from(g))?
                    .parts
                    .iter()
                    .find(|gp| gp.partition == partition)?;
                Some(gp.member)
            }),
            attempt: consumer.map(|(_, a)| a),
            event_type: self
                .event_type_names
                .get(usize::from(rec.event_type))
                .cloned(),
            correlation_id: rec.correlation,
            causation_id: rec.causation,
        });
    }

    /// A row key in words: the key's text, or "(no key)".
    fn key_name(&self, space: u16, key: u32) -> String {
        if key == NO_KEY {
            return "(no key)".to_owned();
        }
        let mut text = String::new();
        if let Some(s) = self.key_spaces.get(usize::from(space)) {
            sample::key_text(&s.dist, key, &mut text);
        }
        text
    }

    /// The trace kept so far (empty unless the options asked for one).
    pub fn trace(&self) -> &[TraceEvent] {
        &self.trace
    }

    /// The hash of every engine event so far (XXH3-64), as 16 hex digits.
    pub fn trace_hash(&self) -> String {
        format!("{:016x}", self.hasher.digest())
    }

    /// The results so far (complete once the run is finished).
    pub fn report(&self) -> Report {
        let (stuck, _) = self.checkers.stuck(0, u64::MAX);
        // A run cut off by its time limit ends with records in flight: only those waiting
        // longer than the grace period count against the stuck checker. A drained run
        // (`--produce N`) has no such excuse.
        let stuck_after = if self.produce_limit.is_some() {
            u64::MAX
        } else {
            self.now.saturating_sub(STUCK_GRACE)
        };
        let mut verdicts = self.checkers.verdicts(stuck_after);
        let mut event_stores = std::collections::BTreeMap::new();
        let mut lost_publications = 0;
        let mut lost_example = None;
        for s in &self.stores {
            let attempts = s.appended + s.conflicts;
            event_stores.insert(
                s.name.clone(),
                EventStoreReport {
                    commands: s.commands,
                    appended: s.appended,
                    conflicts: s.conflicts,
                    conflict_rate: if attempts > 0 {
                        s.conflicts as f64 / attempts as f64
                    } else {
                        0.0
                    },
                    failed_commands: s.failed,
                    lost_updates: s.lost_updates,
                    crashed_commands: s.crashed_commands,
                    published: s.published,
                    lost_publications: s.lost_publications,
                    load_events: counts_report(&s.load_events),
                    load_ms: latency_report(&s.load_time, 0, 0),
                },
            );
            if s.publish.is_some() {
                lost_publications += s.lost_publications;
                if s.lost_publications > 0 && lost_example.is_none() {
                    lost_example = Some(format!(
                        "event store `{}` appended {} event(s) that never reached its topic: a \
                         writer crashed between the append and the publish (dual write)",
                        s.name, s.lost_publications
                    ));
                }
            }
        }
        if self.stores.iter().any(|s| s.publish.is_some()) {
            verdicts.push(super::check::Verdict {
                name: "event-store-publishes-everything",
                passed: lost_publications == 0,
                violations: lost_publications,
                example: lost_example,
            });
        }
        let mut projections = std::collections::BTreeMap::new();
        if !self.projections.is_empty() {
            let mut differing = 0;
            let mut example = None;
            for (pi, p) in self.projections.iter().enumerate() {
                let (count, first) = p.differences(|(space, key)| self.key_name(space, key));
                differing += count;
                if example.is_none() {
                    example = first;
                }
                projections.insert(
                    p.name.clone(),
                    ProjectionReport {
                        applied: p.applied,
                        skipped_repeats: p.skipped,
                        failed_writes: p.failed_writes,
                        staleness_series: p.staleness_series.clone(),
                        rows: p.rows() as u64,
                        rows_differing: count,
                        staleness_ms: latency_report(&self.projection_staleness[pi], 0, 0),
                        queries: p.queries.round() as u64,
                        stale_queries: p.stale_queries.round() as u64,
                        rebuilds: p
                            .rebuilds
                            .iter()
                            .map(|r| RebuildReport {
                                started_at_seconds: r.started_at as f64 / 1e9,
                                duration_seconds: r
                                    .finished_at
                                    .map(|f| f.saturating_sub(r.started_at) as f64 / 1e9),
                                replayed: r.replayed,
                                rows_before: r.rows_before,
                                rows_after: r.rows_after,
                                new_event_staleness_ms: latency_report(
                                    &r.new_event_staleness,
                                    0,
                                    0,
                                ),
                            })
                            .collect(),
                    },
                );
            }
            verdicts.push(super::check::Verdict {
                name: "projection-matches-fold",
                passed: differing == 0,
                violations: differing,
                example,
            });
        }
        let sagas = self.saga_reports(stuck_after, &mut verdicts);
        let latency = latency_report(&self.latency, self.latency_sum_ns, self.latency_count);
        let processing = latency_report(&self.processing, 0, 0);
        let groups = self
            .groups
            .iter()
            .enumerate()
            .map(|(gi, g)| {
                (
                    g.name.clone(),
                    GroupReport {
                        processed: g.processed,
                        rebalances: g.rebalances,
                        poll_timeouts: g.poll_timeouts,
                        evictions: g.evictions,
                        rebalance_pause_ms: g.rebalance_pause as f64 / 1e6,
                        max_lag: g.max_lag,
                        final_lag: self.group_lag(gi),
                        lag_series: g.lag_series.clone(),
                    },
                )
            })
            .collect();
        let topics = self
            .topics
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    TopicReport {
                        records_in: t.records_in,
                    },
                )
            })
            .collect();
        let mut report = Report {
            model: self.model_name.clone(),
            scenario: self.scenario_name.clone(),
            seed: self.seed,
            sim_seconds: self.now as f64 / 1e9,
            wall_seconds: 0.0,
            events_processed: self.events_processed,
            trace_hash: self.trace_hash(),
            produced: self.produced,
            acknowledged: self.acknowledged,
            delivered: self.delivered,
            duplicates: self.checkers.duplicates(),
            dead_lettered: self.dead_lettered,
            retries: self.retries,
            lost: self.checkers.lost(),
            stuck,
            order_violations: self.checkers.order_violations(),
            latency_ms: latency,
            processing_ms: processing,
            groups,
            topics,
            alerts: self.alerts.clone(),
            checkers: verdicts,
            projections,
            event_stores,
            sagas,
            expectations: Vec::new(),
            not_simulated: self.unsupported.clone(),
            produce_failed: self.produce_failed,
            isr_shrinks: self.isr_shrinks,
            not_enough_replicas: self.not_enough_replicas,
            max_under_replicated: self.max_under_replicated,
            under_replicated_series: self.under_replicated_series.clone(),
        };
        report.expectations = self
            .expectations
            .iter()
            .map(|e| evaluate(e, &report))
            .collect();
        report
    }
}

/// Kafka's assignment for the listed members (indices into the group's members), with the
/// partitions each owned before (for the sticky assignor). Returns, per listed member, its
/// (topic, partition) pairs.
/// The broker coordinating a group, as Kafka finds it: the leader of partition
/// `abs(groupId.hashCode()) % 50` of `__consumer_offsets`, whose leaders we place
/// round-robin over the brokers (partition `k` on broker `k % brokers`).
fn coordinator_broker(group_id: &str, brokers: usize) -> usize {
    let hash = group_id
        .encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)));
    // Kafka's Utils.abs: the absolute value, 0 for i32::MIN.
    let abs = if hash == i32::MIN { 0 } else { hash.abs() };
    (abs % OFFSETS_TOPIC_PARTITIONS) as usize % brokers.max(1)
}

/// `offsets.topic.num.partitions`.
const OFFSETS_TOPIC_PARTITIONS: i32 = 50;

/// The consumer group a projection reads its topics with: one instance per partition.
fn projection_group(p: &model::Projection, model: &Model) -> model::ConsumerGroup {
    model::ConsumerGroup {
        id: p.id.clone(),
        topics: p.topics.clone(),
        members: model::projection_instances(model, p),
        static_membership: false,
        assignor: model::Assignor::default(),
        processing_time: p.write_latency.clone(),
        concurrency: 1,
        ordering: model::OrderingMode::default(),
        auto_offset_reset: OffsetReset::default(),
        max_poll_records: 500,
        max_poll_interval_ms: 300_000,
        session_timeout_ms: 45_000,
        commit: CommitMode::Auto { interval_ms: 5_000 },
        // A failed write is retried in place, backing off up to 5 s, until it succeeds.
        failures: model::FailureModel {
            probability: p.write_failure_probability,
            ..model::FailureModel::default()
        },
        retry: model::RetryPolicy {
            max_attempts: u32::MAX,
            backoff: Backoff::Exponential {
                initial_ms: 100,
                multiplier: 2.0,
                max_ms: 5_000,
            },
            jitter: 0.2,
            mode: RetryMode::Blocking,
        },
        dead_letter_topic: None,
        idempotent: p.idempotent,
        reactions: Vec::new(),
    }
}

/// The consumer group an orchestrated saga's orchestrator reads with: one instance, reading
/// the topics that carry the trigger and the reply topic, a millisecond per record (it loads
/// and stores the instance's state), committing after each.
fn orchestrator_group(s: &model::Saga, model: &Model) -> Option<model::ConsumerGroup> {
    let topics = model::orchestrator_topics(model, s)?;
    Some(model::ConsumerGroup {
        id: s.id.clone(),
        topics,
        members: 1,
        static_membership: false,
        assignor: model::Assignor::default(),
        processing_time: TimeDistribution::Constant { ms: 1.0 },
        concurrency: 1,
        ordering: model::OrderingMode::default(),
        auto_offset_reset: OffsetReset::default(),
        max_poll_records: 500,
        max_poll_interval_ms: 300_000,
        session_timeout_ms: 45_000,
        commit: CommitMode::AfterEach,
        failures: model::FailureModel::default(),
        retry: model::RetryPolicy::default(),
        dead_letter_topic: None,
        idempotent: true,
        reactions: Vec::new(),
    })
}

/// The sagas as they run, and per event type the choreographed saga it starts. Marks the
/// orchestrator groups (which follow `first_orchestrator` in `groups`, in saga order) and
/// the participants' roles.
fn build_sagas(
    model: &Model,
    groups: &mut [GroupRt],
    event_type_names: &[String],
    first_orchestrator: usize,
) -> (Vec<SagaRt>, Vec<u16>) {
    let event = |name: &str| {
        event_type_names
            .iter()
            .position(|n| n == name)
            .map_or(saga::NONE, |i| i as u16)
    };
    let event_opt = |name: Option<&String>| name.map_or(saga::NONE, |n| event(n));
    let group_of = |groups: &[GroupRt], name: &str| {
        groups[..model.consumer_groups.len()]
            .iter()
            .position(|g| g.name == name)
    };
    let mut sagas = Vec::new();
    let mut triggers = vec![saga::NONE; event_type_names.len()];
    let mut next_orchestrator = first_orchestrator;
    for (si, s) in model.sagas.iter().enumerate() {
        let mut steps = Vec::new();
        let orchestrator = match &s.coordination {
            model::Coordination::Orchestrated { steps: list, .. } => {
                for step in list.iter().take(saga::MAX_STEPS) {
                    let Some(participant) = group_of(groups, &step.participant) else {
                        continue;
                    };
                    steps.push(saga::StepRt {
                        name: step.name.clone(),
                        participant: participant as u16,
                        on: event(&step.command),
                        command_topic: model
                            .topics
                            .iter()
                            .position(|t| t.id == step.command_topic)
                            .map_or(u32::MAX, |i| i as u32),
                        success: event(&step.success),
                        failure: event(&step.failure),
                        compensation: event_opt(step.compensation.as_ref()),
                        timeout: step.timeout_ms.saturating_mul(MS),
                        executed: 0,
                        failed: 0,
                        timed_out: 0,
                        compensated: 0,
                        duplicate_executions: 0,
                    });
                }
                let g = next_orchestrator;
                next_orchestrator += 1;
                if let Some(group) = groups.get_mut(g) {
                    group.orchestrates = Some(si as u16);
                }
                Some(g as u16)
            }
            model::Coordination::Choreographed { steps: list } => {
                for (i, step) in list.iter().take(saga::MAX_STEPS).enumerate() {
                    let Some(participant) = group_of(groups, &step.participant) else {
                        continue;
                    };
                    steps.push(saga::StepRt {
                        name: format!("{} (step {})", step.participant, i + 1),
                        participant: participant as u16,
                        on: event(&step.on),
                        command_topic: u32::MAX,
                        success: event(&step.success),
                        failure: event_opt(step.failure.as_ref()),
                        compensation: event_opt(step.compensation.as_ref()),
                        timeout: 0,
                        executed: 0,
                        failed: 0,
                        timed_out: 0,
                        compensated: 0,
                        duplicate_executions: 0,
                    });
                }
                let trigger = event(&s.trigger);
                if let Some(t) = triggers.get_mut(usize::from(trigger))
                    && *t == saga::NONE
                {
                    *t = si as u16;
                }
                None
            }
        };
        for (k, step) in steps.iter().enumerate() {
            let g = &mut groups[usize::from(step.participant)];
            let reaction = |emit: u16, on: u16| {
                if emit == saga::NONE {
                    return NONE_U16;
                }
                g.reactions
                    .iter()
                    .position(|r| r.emit == emit && (r.on == on || r.on == NONE_U16))
                    .map_or(NONE_U16, |i| i as u16)
            };
            let success = reaction(step.success, step.on);
            let failure = reaction(step.failure, step.on);
            // A choreographed participant compensates in reaction to a later step's failure.
            let compensation = if orchestrator.is_none() {
                steps[k + 1..]
                    .iter()
                    .map(|later| reaction(step.compensation, later.failure))
                    .find(|&r| r != NONE_U16)
                    .unwrap_or(NONE_U16)
            } else {
                NONE_U16
            };
            g.saga_steps.push(SagaRole {
                saga: si as u16,
                step: k as u8,
                success,
                failure,
                compensation,
                compensation_type: step.compensation,
            });
        }
        sagas.push(SagaRt::new(
            s.id.clone(),
            event(&s.trigger),
            orchestrator,
            steps,
            s.idempotent_steps,
            new_histogram(),
        ));
    }
    (sagas, triggers)
}

fn step_name(s: &SagaRt, step: u8) -> String {
    s.steps
        .get(usize::from(step))
        .map_or_else(|| format!("{}", step + 1), |x| x.name.clone())
}

fn describe_state(s: &SagaRt, state: saga::State) -> String {
    match state {
        saga::State::Pending(step) => format!("step `{}` pending", step_name(s, step)),
        saga::State::Compensating => "compensating".to_owned(),
        saga::State::Completed => "completed".to_owned(),
        saga::State::Compensated => "compensated".to_owned(),
    }
}

fn describe_happening(s: &SagaRt, what: saga::Happening) -> String {
    use saga::Happening as H;
    let name = |step: u8| step_name(s, step);
    match what {
        H::Started => "started".to_owned(),
        H::CommandSent(k) => format!("command sent for `{}`", name(k)),
        H::Executed(k) => format!("`{}` ran", name(k)),
        H::ExecutedAgain(k) => format!("`{}` ran again (not idempotent)", name(k)),
        H::RepeatAbsorbed(k) => format!("repeat of `{}` recognised and skipped", name(k)),
        H::Succeeded(k) => format!("`{}` succeeded", name(k)),
        H::Failed(k) => format!("`{}` failed", name(k)),
        H::TimedOut(k) => format!("`{}` timed out", name(k)),
        H::CompensationSent(k) => format!("compensation sent for `{}`", name(k)),
        H::Compensated(k) => format!("`{}` compensated", name(k)),
        H::CompensatedAgain(k) => format!("`{}` compensated again (not idempotent)", name(k)),
        H::ExecutedLate(k) => format!(
            "`{}` ran after the saga gave up on it (its compensation follows)",
            name(k)
        ),
        H::ExecutedTooLate(k) => format!(
            "`{}` ran after the saga gave up on it, and nothing will undo it",
            name(k)
        ),
        H::ReplyIgnored(k) => format!("reply for `{}` ignored (no longer pending)", name(k)),
    }
}

fn describe_inconsistency(s: &SagaRt, instance: &saga::Instance) -> String {
    use saga::Happening as H;
    for h in &instance.history {
        match h.what {
            H::ExecutedAgain(k) => return format!("ran `{}` twice", step_name(s, k)),
            H::CompensatedAgain(k) => {
                return format!("compensated `{}` twice", step_name(s, k));
            }
            H::ExecutedTooLate(k) => {
                return format!(
                    "ran `{}` after the saga had given up on it, and nothing will undo it",
                    step_name(s, k)
                );
            }
            _ => {}
        }
    }
    "inconsistent".to_owned()
}

fn assign_members(
    group_id: &str,
    static_membership: bool,
    assignor: model::Assignor,
    counts: &std::collections::BTreeMap<String, u32>,
    members: &[usize],
    owned: &[Vec<(String, u32)>],
) -> Vec<Vec<(String, u32)>> {
    let names: Vec<String> = counts.keys().cloned().collect();
    let subs: Vec<MemberSubscription> = members
        .iter()
        .enumerate()
        .map(|(i, m)| MemberSubscription {
            // Zero-padded, so Kafka's string order is the members' index order.
            member_id: format!("{group_id}-{m:05}"),
            group_instance_id: static_membership.then(|| format!("{group_id}-instance-{m:05}")),
            subscription: names.clone(),
            owned: owned.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    let assignment = match assignor {
        model::Assignor::Range => assign_range(counts, &subs),
        model::Assignor::RoundRobin => assign_round_robin(counts, &subs),
        model::Assignor::CooperativeSticky => assign_cooperative_sticky(counts, &subs),
    };
    subs.iter()
        .map(|s| assignment.get(&s.member_id).cloned().unwrap_or_default())
        .collect()
}

/// The lane of a partition a record belongs to: by key (records of one key share a lane, so
/// they stay in order), or by offset.
fn lane_of(rec: &Rec, offset: u64, lanes: u16, by_key: bool) -> u16 {
    if lanes <= 1 {
        return 0;
    }
    let spread = if by_key && rec.key != NO_KEY {
        // A fixed mix of the key, so lanes do not follow the partitioner's own hash.
        (u64::from(rec.key) ^ (u64::from(rec.key_space) << 32)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
            >> 32
    } else {
        offset
    };
    (spread % u64::from(lanes)) as u16
}

/// The index of a key's text in a key distribution, if it belongs to it.
fn key_index(dist: &KeyDistribution, key: &str) -> Option<u32> {
    match dist {
        KeyDistribution::Uniform { keys, prefix }
        | KeyDistribution::Zipf { keys, prefix, .. }
        | KeyDistribution::Sequential { keys, prefix } => {
            let n: u64 = key.strip_prefix(prefix.as_str())?.parse().ok()?;
            (n < *keys && n < u64::from(NO_KEY)).then_some(n as u32)
        }
        KeyDistribution::Weighted(list) => list.iter().position(|k| k.key == key).map(|i| i as u32),
        KeyDistribution::Null => None,
    }
}

/// The bytes of a partition's records in `[from, to)`; records already trimmed from the
/// log count at the average size of those it holds.
fn fetched_bytes(p: &PartitionRt, from: u64, to: u64) -> u64 {
    if to <= from {
        return 0;
    }
    let held_from = from.max(p.start_offset);
    let mut bytes = 0u64;
    if held_from < to {
        let (a, b) = (
            (held_from - p.start_offset) as usize,
            (to - p.start_offset) as usize,
        );
        bytes = p
            .log
            .range(a.min(p.log.len())..b.min(p.log.len()))
            .map(|r| u64::from(r.size))
            .sum();
    }
    let trimmed = held_from.min(to) - from;
    if trimmed > 0 && !p.log.is_empty() {
        bytes += trimmed * (p.bytes / p.log.len() as u64);
    }
    bytes
}

fn new_histogram() -> Histogram<u64> {
    // Microseconds from 1 µs to 1 hour, three significant digits.
    Histogram::new_with_bounds(1, 3_600_000_000, 3)
        .unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|_| unreachable_histogram()))
}

#[allow(clippy::panic)]
fn unreachable_histogram() -> Histogram<u64> {
    // Histogram::new(3) fails only for precision > 5; 3 is valid.
    panic!("hdrhistogram rejected a precision of 3")
}

/// Percentiles of a histogram of counts (not times).
fn counts_report(h: &Histogram<u64>) -> LatencyReport {
    if h.is_empty() {
        return LatencyReport::default();
    }
    LatencyReport {
        p50: h.value_at_quantile(0.50) as f64,
        p95: h.value_at_quantile(0.95) as f64,
        p99: h.value_at_quantile(0.99) as f64,
        max: h.max() as f64,
        mean: h.mean(),
    }
}

fn latency_report(h: &Histogram<u64>, sum_ns: u128, count: u64) -> LatencyReport {
    let ms = |micros: u64| micros as f64 / 1_000.0;
    let mean = if count > 0 {
        (sum_ns as f64 / count as f64) / 1e6
    } else {
        h.mean() / 1_000.0
    };
    if h.is_empty() {
        return LatencyReport::default();
    }
    LatencyReport {
        p50: ms(h.value_at_quantile(0.50)),
        p95: ms(h.value_at_quantile(0.95)),
        p99: ms(h.value_at_quantile(0.99)),
        max: ms(h.max()),
        mean,
    }
}

fn evaluate(expectation: &Expectation, report: &Report) -> ExpectationReport {
    let (name, passed, measured) = match expectation {
        Expectation::P99LatencyBelowMs(bound) => (
            format!("p99 latency below {bound} ms"),
            report.latency_ms.p99 < *bound,
            format!("{:.3} ms", report.latency_ms.p99),
        ),
        Expectation::MaxLagBelow { group, records } => {
            let lag = report
                .groups
                .iter()
                .filter(|(name, _)| group.as_ref().is_none_or(|g| g == *name))
                .map(|(_, g)| g.max_lag)
                .max()
                .unwrap_or(0);
            (
                match group {
                    Some(g) => format!("max lag of `{g}` below {records}"),
                    None => format!("max lag below {records}"),
                },
                lag < *records,
                format!("{lag} records"),
            )
        }
        Expectation::NoLostRecords => (
            "no lost records".to_owned(),
            report.lost == 0,
            format!("{} lost", report.lost),
        ),
        Expectation::NoDuplicates => {
            let harmful = report
                .checkers
                .iter()
                .find(|c| c.name == "no-harmful-duplicates")
                .map_or(0, |c| c.violations);
            (
                "no duplicates processed by non-idempotent consumers".to_owned(),
                harmful == 0,
                format!("{harmful} duplicates"),
            )
        }
        Expectation::NoOrderViolations => (
            "no per-key order violations".to_owned(),
            report.order_violations == 0,
            format!("{} violations", report.order_violations),
        ),
        Expectation::DeadLetteredAtMost(n) => (
            format!("at most {n} dead-lettered"),
            report.dead_lettered <= *n,
            format!("{} dead-lettered", report.dead_lettered),
        ),
        Expectation::SomeLostRecords => (
            "some records are lost".to_owned(),
            report.lost > 0,
            format!("{} lost", report.lost),
        ),
    };
    ExpectationReport {
        expectation: name,
        passed,
        measured,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_coordinator_is_found_as_kafka_finds_it() {
        // Java's "g".hashCode() is 103: partition 3 of 50.
        assert_eq!(coordinator_broker("g", 3), 0);
        assert_eq!(coordinator_broker("g", 2), 1);
        // "hello".hashCode() is 99162322: partition 22.
        assert_eq!(coordinator_broker("hello", 5), 2);
        // "polygenelubricants".hashCode() is Integer.MIN_VALUE, whose Utils.abs is 0.
        assert_eq!(coordinator_broker("polygenelubricants", 7), 0);
        // "order-service": 562889526, partition 26.
        assert_eq!(coordinator_broker("order-service", 4), 2);
        assert_eq!(coordinator_broker("x", 0), 0);
    }
}
