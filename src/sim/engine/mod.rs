//! The discrete-event engine: a [`Builder`] turns a model and a scenario into a [`Sim`], which
//! advances by [`Sim::step`], [`Sim::run_until`] or [`Sim::run`] and ends with a [`Report`].
//!
//! Virtual time is integer nanoseconds; the queue is ordered by `(time, sequence)`, so ties
//! never depend on heap internals. A `Sim` is plain data: cloning it checkpoints the run, and
//! the clone continues exactly as the original would.
//!
//! This module holds the runtime state and drives the run (the queue, `step`, `handle`); the
//! handlers live beside what they simulate: `produce` (producers, appends, acknowledgements),
//! `replication` (followers, the high watermark, ISR, broker crashes and elections),
//! `consume` (fetching, processing, retries, reactions, commits), `membership` (crashes,
//! session timeouts, the coordinator, rebalances), `stores` (event stores and projections),
//! `sagas`, `faults` (the scenario's faults, network partitions, retention), `results`
//! (samples, metrics, the trace and its hash, the report) and `build` (model to runtime).
//! `fast` takes the two events most records are made of (an arrival, a finished processing)
//! straight through in the common configuration, with the same results as the general
//! handlers, which tests check.

use std::collections::VecDeque;
use std::num::NonZeroU16;

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
    AlertReport, EventStoreReport, ExpectationReport, GroupReport, LatencyReport, ProducerReport,
    ProjectionReport, RebuildReport, Report, SagaInstanceReport, SagaReport, SagaStepReport,
    TopicReport,
};
use super::rng::Stream;
use super::saga::{self, Execution, SagaRt};
use super::sample::{self, Arrivals, Durations, KeySampler};
use super::time::{MS, Nanos, SECOND, ms_to_ns, round_ns};
use super::trace::{TraceEvent, TraceKind};

mod build;
mod consume;
mod fast;
mod faults;
mod membership;
mod produce;
mod replication;
mod results;
mod sagas;
mod stores;

use crate::sim::tally::{Tally, new_histogram};
use build::key_index;
use consume::lane_of;
use membership::assign_members;
use results::latency_report;
use sagas::build_sagas;

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
    /// The run stops (with the reason in its report) when more records than this wait in
    /// memory at once; [`MAX_RECORDS_HELD`] by default.
    pub max_records_held: u64,
    /// Let the common cases take the engine's fast paths (the default). The results are the
    /// same either way, to the bit; without, the general handlers take every event, which
    /// tests compare against.
    pub fast_paths: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            duration: None,
            produce_limit: None,
            trace_capacity: 0,
            sample_interval: SECOND,
            warmup: 0,
            max_records_held: MAX_RECORDS_HELD,
            fast_paths: true,
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
    /// The group whose retry re-appended this copy, and the attempt it carries for that group
    /// (1 for a first attempt; never 0, which also lets `Option<Rec>` be laid out as a `Rec`,
    /// so taking a record in flight is a plain copy).
    retry_group: u16,
    attempt: NonZeroU16,
    /// Failed produce attempts so far (a producer gives up after `retries` of them).
    failed_sends: u16,
    size: u32,
    correlation: u64,
    causation: u64,
}

impl Rec {
    /// A record a producer (`origin`) makes: its first attempt, its own correlation and
    /// causation, not yet appended.
    #[inline(always)]
    fn produced(
        id: u64,
        at: Nanos,
        (key_space, key): (u16, u32),
        origin: u16,
        event_type: u16,
        size: u32,
    ) -> Self {
        Self {
            id,
            produced_at: at,
            appended_at: 0,
            key,
            key_space,
            origin,
            event_type,
            retry_group: NONE_U16,
            attempt: NonZeroU16::MIN,
            failed_sends: 0,
            size,
            correlation: id,
            causation: id,
        }
    }
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
    LingerExpired {
        producer: u16,
        serial: u32,
    },
}

#[derive(Debug, Clone)]
struct BrokerRt {
    busy_until: Nanos,
    ns_per_byte: f64,
    alive: bool,
    /// The controller has noticed it is gone (its session timed out) and it has not come back:
    /// elections pass it over. Until then the controller counts a dead broker as live.
    fenced: bool,
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
    /// Records of order-keeping producers (idempotent, or one request in flight) resent from
    /// `held` and still on their way to the leader, as `(origin, id)`: a later record of the
    /// same producer that gets there first is refused (OutOfOrderSequence) and queues behind.
    retrying: Vec<(u16, u64)>,
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
    /// Appends may take the fast path (see `fast`): one replica, one reader, nothing else
    /// to do on an append.
    fast: bool,
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
    /// `linger.ms`: how long a batch waits for more records before it is sent (0: at once).
    linger: Nanos,
    /// The record accumulator: batches being filled, at most one per partition.
    batches: Vec<OpenBatch>,
    /// Numbers batches, so that a linger timer finds its batch (or learns it has gone).
    batch_serial: u32,
    /// Emptied batches' record buffers, for reuse.
    spare_batches: Vec<Vec<Rec>>,
    /// Records sent, and the requests (batches) they went in.
    records_sent: u64,
    batches_sent: u64,
    poison_next: Option<u32>,
    /// The one topic this producer's records go to, when its arrivals may take the fast
    /// path (see `fast`).
    fast_topic: Option<u32>,
}

/// A batch in a producer's accumulator, waiting to fill up or for its linger time.
#[derive(Debug, Clone)]
struct OpenBatch {
    partition: u32,
    serial: u32,
    bytes: u64,
    records: Vec<Rec>,
}

#[derive(Debug, Clone)]
struct KeySpace {
    dist: KeyDistribution,
    /// Per partition count, the partition of each key index (filled lazily; `u32::MAX`
    /// unknown). A short list: a key space meets few distinct partition counts.
    cache: Vec<(u32, Vec<u32>)>,
}

/// The most records the engine holds in memory at once (in logs, write queues and retry
/// queues), about 1.2 GB: a model that produces faster than it consumes, or keeps days of
/// history, stops here with a clear reason instead of exhausting the machine's memory.
pub const MAX_RECORDS_HELD: u64 = 10_000_000;

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
    /// Its index in its member's `parts`.
    slot: u32,
}

/// See [`MemberRt::idle`]: a member of a 100,000-partition topic would otherwise look at tens
/// of thousands of partitions for each record.
const IDLE_INDEX_ABOVE: usize = 64;

impl MemberRt {
    /// Gives the member `parts` (and each its slot), looking at every one afresh.
    fn assign(&mut self, parts: Vec<u32>, group_parts: &mut [GroupPart]) {
        for (slot, &part) in parts.iter().enumerate() {
            if let Some(gp) = group_parts.get_mut(part as usize) {
                gp.slot = slot as u32;
            }
        }
        self.idle.clear();
        if parts.len() > IDLE_INDEX_ABOVE && !looking_at_every_partition() {
            self.idle.resize(parts.len().div_ceil(64), 0);
        }
        self.parts = parts;
        self.cursor = 0;
    }

    /// The partition at `slot` may have something to read: it is looked at again.
    #[inline]
    fn wake(&mut self, slot: u32) {
        if let Some(word) = self.idle.get_mut(slot as usize / 64) {
            *word &= !(1u64 << (slot % 64));
        }
    }
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
    /// For a member with many partitions (more than [`IDLE_INDEX_ABOVE`]), a bit per entry
    /// of `parts`: set when that partition was found caught up, cleared when its high
    /// watermark moves or its position goes back; finding the next ready partition skips the
    /// set ones. Empty for smaller members, which look at every partition.
    idle: Vec<u64>,
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
    /// Processing times (stream `group/NAME/processing`).
    processing: Durations,
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
    /// Completed processings may take the fast path (see `fast`): the group has nothing to
    /// do on a success beyond processing and committing.
    fast: bool,
}

impl GroupRt {
    /// Whether the group's commits go through: its coordinator is reachable, and its members
    /// are not out of the group (evicted, or back but not yet through their rejoin, when the
    /// coordinator refuses their commits for an unknown member or an old generation).
    fn can_commit(&self) -> bool {
        self.coordinator_lost_at.is_none() && !self.evicted && !self.lost_assignment
    }
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
    #[inline(always)]
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
    /// Events that took a fast path (see `fast`).
    fast_events: u64,
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
    /// Every producer has stopped (the produce limit was reached).
    producers_stopped: bool,
    produced: u64,
    acknowledged: u64,
    delivered: u64,
    dead_lettered: u64,
    retries: u64,
    /// Deliveries (record × subscribing group) not yet finished.
    outstanding: u64,
    latency: Tally,
    processing: Tally,
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
    /// Records the engine holds in memory waiting for something: in partition logs, in
    /// brokers' write queues, and held by producers for a retry.
    records_held: u64,
    max_records_held: u64,
    /// Log ranges `auto_offset_reset: latest` just passed over, as (partition, from, to,
    /// lane, lanes), for `lose_skipped` (empty but for that moment).
    skipped: Vec<(u32, u64, u64, u16, u16)>,
    /// Why the run stopped before its end, if it did.
    stopped_early: Option<String>,
    finished: bool,
}

impl Sim {
    /// How many events took one of the engine's fast paths so far (see
    /// [`Options::fast_paths`]): for benchmarks and the tests that compare the two ways.
    pub fn fast_path_events(&self) -> u64 {
        self.fast_events
    }

    /// The current virtual time.
    pub fn now(&self) -> Nanos {
        self.now
    }

    /// When the run ends (virtual time).
    pub fn end(&self) -> Nanos {
        self.end
    }

    /// The scenario's faults set after the run's end (a scenario's own end, or a shorter
    /// `--duration`): they will not happen in this run.
    pub fn faults_after_end(&self) -> impl Iterator<Item = &model::Fault> {
        self.faults
            .iter()
            .filter(|f| f.at_ms.saturating_mul(MS) > self.end)
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
        self.step_inline()
    }

    /// [`Sim::step`], inlined into the run loops (a call per event is a measurable share of
    /// an event's cost).
    #[inline(always)]
    fn step_inline(&mut self) -> bool {
        if self.finished {
            return false;
        }
        let queued = self.queue.peek_key();
        self.step_after_peek(queued)
    }

    /// [`Sim::step_inline`] once the run is known not to be finished, with the queue's
    /// earliest key (`queued`) already read.
    #[inline(always)]
    fn step_after_peek(&mut self, queued: u128) -> bool {
        if self.drained() {
            self.finished = true;
            return false;
        }
        let (arrival, producer) = self.next_arrival;
        if arrival < queued {
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
            match self.producers[usize::from(producer)].fast_topic {
                Some(topic) => self.on_arrival_fast(producer, topic),
                None => self.on_arrival(producer),
            }
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
        // The usual queued event, taken here rather than through `handle` (a large function
        // whose entry and exit cost more than this test).
        if let Ev::ProcessDone { group, part, epoch } = ev {
            let g = &self.groups[usize::from(group)];
            if g.fast && g.parts[part as usize].epoch == epoch {
                self.on_process_done_fast(group, part);
                return true;
            }
        }
        self.handle(ev);
        true
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
            let queued = self.queue.peek_key();
            let next = queued.min(self.next_arrival.0);
            match (next != u128::MAX).then_some((next >> 64) as Nanos) {
                Some(next) if next <= time => {
                    self.step_after_peek(queued);
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
        while self.step_inline() {}
    }

    /// One more record held in memory (see [`MAX_RECORDS_HELD`]).
    #[inline]
    fn hold_record(&mut self) {
        self.records_held += 1;
        if self.records_held > self.max_records_held {
            self.stop_out_of_memory();
        }
    }

    /// One record fewer held in memory.
    #[inline]
    fn release_records(&mut self, count: u64) {
        self.records_held = self.records_held.saturating_sub(count);
    }

    #[cold]
    #[inline(never)]
    fn stop_out_of_memory(&mut self) {
        if self.stopped_early.is_none() {
            self.stopped_early = Some(format!(
                "the run stopped at {:.3} simulated seconds, with {} records waiting in \
                 partition logs, brokers' write queues and producers' retry queues: the most \
                 Causeway keeps in memory ({}). The model produces faster than its \
                 groups consume or retention deletes (or keeps more history than fits); \
                 shorten the scenario, lower the rates or add consumers",
                self.now as f64 / 1e9,
                crate::sim::report::grouped(self.records_held),
                if self.max_records_held == MAX_RECORDS_HELD {
                    "about 1.2 GB".to_owned()
                } else {
                    format!(
                        "{} records, as this run was told",
                        crate::sim::report::grouped(self.max_records_held)
                    )
                }
            ));
        }
        self.finished = true;
    }

    /// With a produce limit, the run is over once producers have stopped and every record
    /// has been processed, dead-lettered or lost.
    fn drained(&self) -> bool {
        self.producers_stopped
            && self.outstanding == 0
            && self.producers.iter().all(|p| p.batches.is_empty())
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
                    self.release_records(1);
                    debug_assert_eq!(p, partition);
                    self.append(p, rec);
                }
            }
            Ev::ProcessDone { group, part, epoch } => {
                let g = &self.groups[usize::from(group)];
                if g.parts[part as usize].epoch != epoch {
                    self.on_zombie_done(group, part, epoch);
                } else if g.fast {
                    self.on_process_done_fast(group, part);
                } else {
                    self.on_process_done(group, part);
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
            Ev::LingerExpired { producer, serial } => self.on_linger_expired(producer, serial),
        }
    }
}

/// Whether large members look at every partition instead of skipping caught-up ones: never,
/// but for a test that compares the two ways.
#[cfg(not(test))]
fn looking_at_every_partition() -> bool {
    false
}

#[cfg(test)]
fn looking_at_every_partition() -> bool {
    tests::LOOK_AT_EVERY_PARTITION.with(std::cell::Cell::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        pub(super) static LOOK_AT_EVERY_PARTITION: std::cell::Cell<bool> =
            const { std::cell::Cell::new(false) };
    }

    /// Members of 300 partitions each (per-key lanes make it 600), through rebalances,
    /// crashes, leader changes that truncate, retention that deletes unread records and
    /// blocking retries.
    const WIDE: &str = r#"(
    format: 1,
    name: "wide",
    cluster: (brokers: [(id: 1, write_mb_per_s: 1000.0), (id: 2, write_mb_per_s: 1000.0)],
              network_latency_ms: 1.0),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [(id: "wide", partitions: 900, replication_factor: 2, min_insync_replicas: 1,
              retention: (time_ms: 3000), event_types: ["E"])],
    producers: [(id: "p", topics: ["wide"], event_types: ["E"],
                 rate: Bursts(base_per_second: 300.0, burst_per_second: 3000.0, every_ms: 4000,
                              length_ms: 1000),
                 keys: Uniform(keys: 5000), record_size: Constant(bytes: 100), acks: One,
                 enable_idempotence: false)],
    consumer_groups: [(id: "g", topics: ["wide"], members: 3, assignor: round_robin,
                       processing_time: Exponential(mean_ms: 1.5), concurrency: 2,
                       ordering: per_key, commit: AfterEach,
                       failures: (probability: 0.05),
                       retry: (max_attempts: 3, backoff: Fixed(delay_ms: 20), mode: Blocking))],
    scenarios: [(name: "s", seed: 7, duration_ms: 30000, faults: [
        (at_ms: 4000, kind: MemberCrash(group: "g", member: 1)),
        (at_ms: 9000, kind: MemberRestart(group: "g", member: 1)),
        (at_ms: 12000, kind: BrokerCrash(broker: 1)),
        (at_ms: 20000, kind: BrokerRestart(broker: 1)),
    ])],
)"#;

    #[test]
    fn skipping_caught_up_partitions_changes_nothing_but_the_cost() {
        let model = crate::model::load(WIDE).expect("loads");
        let run = |every: bool| {
            LOOK_AT_EVERY_PARTITION.with(|c| c.set(every));
            let mut sim = Builder::new(&model).build().expect("builds");
            assert_eq!(sim.groups[0].members[0].idle.is_empty(), every);
            sim.run();
            LOOK_AT_EVERY_PARTITION.with(|c| c.set(false));
            let report = sim.report();
            (
                sim.trace_hash(),
                report.delivered,
                report.lost,
                report.retries,
            )
        };
        let indexed = run(false);
        let scanned = run(true);
        assert_eq!(indexed, scanned);
        // It did real work: records delivered, retried, and lost to retention or truncation.
        let (_, delivered, lost, retries) = indexed;
        assert!(delivered > 20_000, "{indexed:?}");
        assert!(retries > 500 && lost > 0, "{indexed:?}");
    }

    /// What `records_held` should be: counted from the structures themselves.
    fn counted(sim: &Sim) -> u64 {
        let logs: usize = sim
            .partitions
            .iter()
            .map(|p| p.log.len() + p.held.len())
            .sum();
        let parked = sim.pending_appends.iter().flatten().count();
        (logs + parked) as u64
    }

    /// A group too slow for its topic's retention: records are deleted unread, by time on one
    /// topic and by size on the other.
    const RETENTION: &str = r#"(
    format: 1,
    name: "retention",
    cluster: (brokers: [(id: 1, write_mb_per_s: 1000.0)], network_latency_ms: 1.0),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [
        (id: "by-time", partitions: 2, replication_factor: 1, min_insync_replicas: 1,
         retention: (time_ms: 500), event_types: ["E"]),
        (id: "by-size", partitions: 2, replication_factor: 1, min_insync_replicas: 1,
         retention: (bytes: 5000), event_types: ["E"]),
    ],
    producers: [(id: "p", topics: ["by-time", "by-size"], event_types: ["E"],
                 rate: Poisson(per_second: 400.0), keys: Uniform(keys: 50),
                 record_size: Constant(bytes: 100))],
    consumer_groups: [(id: "slow", topics: ["by-time", "by-size"], members: 1,
                       processing_time: Constant(ms: 20.0), commit: AfterEach)],
    scenarios: [(name: "s", seed: 1, duration_ms: 10000)],
)"#;

    /// A replicated topic nobody reads, with a broker that crashes and comes back.
    const UNREAD: &str = r#"(
    format: 1,
    name: "unread",
    cluster: (brokers: [(id: 1, write_mb_per_s: 1000.0), (id: 2, write_mb_per_s: 1000.0),
                        (id: 3, write_mb_per_s: 1000.0)], network_latency_ms: 1.0),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [(id: "audit", partitions: 3, replication_factor: 3, min_insync_replicas: 2,
              event_types: ["E"])],
    producers: [(id: "p", topics: ["audit"], event_types: ["E"],
                 rate: Poisson(per_second: 2000.0), keys: Uniform(keys: 50),
                 record_size: Constant(bytes: 100), acks: All)],
    scenarios: [(name: "s", seed: 1, duration_ms: 30000, faults: [
        (at_ms: 5000, kind: BrokerCrash(broker: 2)),
        (at_ms: 15000, kind: BrokerRestart(broker: 2)),
    ])],
)"#;

    #[test]
    fn a_replicated_topic_nobody_reads_keeps_only_what_followers_still_fetch() {
        let model = crate::model::load(UNREAD).expect("loads");
        let mut sim = Builder::new(&model).build().expect("builds");
        // 2,000 records/s with followers a few milliseconds behind: a few dozen held.
        sim.run_until(5 * SECOND - 1);
        assert!(
            sim.records_held < 500,
            "{} held before the crash",
            sim.records_held
        );
        // While the crashed broker is still in the ISR (until the controller notices, 9 s
        // on), acks=all records wait above the high watermark and are kept.
        sim.run_until(13 * SECOND);
        assert!(sim.records_held > 10_000, "{} held", sim.records_held);
        // Once it is out of the ISR, and after it is back and has caught up, the log is
        // trimmed to what every live follower has again.
        sim.run();
        assert!(sim.stopped_early.is_none());
        assert!(
            sim.records_held < 500,
            "{} held at the end",
            sim.records_held
        );
        let report = sim.report();
        assert!(report.acknowledged > 55_000, "{}", report.acknowledged);
        assert_eq!(sim.records_held, counted(&sim));
    }

    #[test]
    fn producers_with_the_same_zipf_keys_share_one_table() {
        let producer = |id: &str, keys: u64| {
            format!(
                r#"(id: "{id}", topics: ["t"], event_types: ["E"],
                    rate: Constant(per_second: 10.0),
                    keys: Zipf(keys: {keys}, exponent: 1.0, prefix: "k-"),
                    record_size: Constant(bytes: 100))"#
            )
        };
        let text = format!(
            r#"(
    format: 1,
    name: "zipf",
    cluster: (brokers: [(id: 1, write_mb_per_s: 1000.0)], network_latency_ms: 1.0),
    event_types: [(id: "E", versions: [(fields: [(name: "v", type: Long)])])],
    topics: [(id: "t", partitions: 2, replication_factor: 1, min_insync_replicas: 1,
              event_types: ["E"])],
    producers: [{}, {}, {}],
    scenarios: [(name: "s", seed: 1, duration_ms: 1000)],
)"#,
            producer("a", 100_000),
            producer("b", 100_000),
            producer("c", 50_000)
        );
        let model = crate::model::load(&text).expect("loads");
        let sim = Builder::new(&model).build().expect("builds");
        let [a, b, c] = [0, 1, 2].map(|i| &sim.producers[i].keys);
        assert!(a.shares_table_with(b));
        assert!(
            !a.shares_table_with(c),
            "another distribution, another table"
        );
        // A checkpoint shares it too.
        let checkpoint = sim.clone();
        assert!(checkpoint.producers[0].keys.shares_table_with(a));
    }

    #[test]
    fn the_count_of_records_held_follows_every_log_queue_and_retry() {
        // Every example scenario (crashes, truncations, network partitions, retries and
        // rebalances among them) and retention deleting unread records, checked every
        // simulated half second.
        let texts = crate::examples::EXAMPLES
            .iter()
            .map(|e| (e.name, e.text))
            .chain([("retention", RETENTION), ("unread", UNREAD)]);
        for (name, text) in texts {
            let model = crate::model::load(text).expect("the models load");
            for scenario in &model.scenarios {
                let mut sim = Builder::new(&model)
                    .scenario(&scenario.name)
                    .options(Options {
                        duration: Some(30 * SECOND),
                        ..Options::default()
                    })
                    .build()
                    .expect("the models build");
                while !sim.is_finished() {
                    sim.run_until(sim.now() + SECOND / 2);
                    assert_eq!(
                        sim.records_held,
                        counted(&sim),
                        "{} / {} at {} ns",
                        name,
                        scenario.name,
                        sim.now()
                    );
                }
                assert!(sim.stopped_early.is_none());
            }
        }
    }
}
