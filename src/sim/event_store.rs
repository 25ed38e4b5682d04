//! Event stores (event sourcing): commands load an aggregate by replaying its stream from
//! the latest snapshot, then append one event with the version they loaded as the expected
//! version — two writers on one aggregate conflict, and the loser retries or fails — and new
//! events are published to a topic through an outbox, or by a dual write that a crash
//! between the two writes loses.

use hdrhistogram::Histogram;

use crate::model::{EventStore, PublishMode, TimeDistribution};

use super::rng::Stream;

/// A command being handled by a writer.
#[derive(Debug, Clone, Copy)]
pub struct Command {
    /// The aggregate (index).
    pub aggregate: u32,
    /// Its version when the writer loaded it.
    pub loaded: u64,
    /// Attempts so far (1 for the first).
    pub attempt: u32,
}

/// One writer (a service instance handling commands).
#[derive(Debug, Clone)]
pub struct Writer {
    /// Running (not crashed).
    pub alive: bool,
    /// Bumped at each crash, so work scheduled before it is dropped.
    pub epoch: u32,
    /// The command in hand.
    pub busy: Option<Command>,
}

/// An event store as it runs.
#[derive(Debug, Clone)]
pub struct StoreRt {
    /// The store's id.
    pub name: String,
    /// The aggregate type.
    pub aggregate: String,
    /// Per aggregate: its version (events in its stream) and the version of its latest
    /// snapshot.
    pub versions: Vec<(u64, u64)>,
    /// Model event type indices appended.
    pub event_types: Vec<u16>,
    /// Commands per second.
    pub rate: f64,
    /// Snapshot every N events.
    pub snapshot_every: Option<u64>,
    /// Optimistic concurrency on.
    pub expected_version: bool,
    /// Attempts for a conflicting command (the first included).
    pub conflict_attempts: u32,
    /// Append latency.
    pub append_latency: TimeDistribution,
    /// Read latency per event.
    pub read_latency: TimeDistribution,
    /// Publication: the topic (index) and the mode.
    pub publish: Option<(u32, PublishMode)>,
    /// The key space of aggregate ids.
    pub key_space: u16,
    /// Writers.
    pub writers: Vec<Writer>,
    /// Commands waiting for a writer.
    pub queue: std::collections::VecDeque<u32>,
    /// Random draws: arrivals, aggregates, event types, latencies.
    pub rng: Stream,
    /// Counters.
    pub commands: u64,
    /// Events appended.
    pub appended: u64,
    /// Appends refused for a changed version.
    pub conflicts: u64,
    /// Commands given up after their conflict attempts.
    pub failed: u64,
    /// Appends over a version that changed since loading (no expected version).
    pub lost_updates: u64,
    /// Commands lost with a crashed writer.
    pub crashed_commands: u64,
    /// Events published.
    pub published: u64,
    /// Events appended and never published (a dual write cut by a crash).
    pub lost_publications: u64,
    /// Events replayed per load.
    pub load_events: Histogram<u64>,
    /// Load time, µs.
    pub load_time: Histogram<u64>,
}

impl StoreRt {
    /// The runtime of `store`.
    pub fn new(
        store: &EventStore,
        event_types: Vec<u16>,
        publish: Option<(u32, PublishMode)>,
        key_space: u16,
        rng: Stream,
        histogram: impl Fn() -> Histogram<u64>,
    ) -> Self {
        let aggregates = store.aggregates.clamp(1, 10_000_000) as usize;
        Self {
            name: store.id.clone(),
            aggregate: store.aggregate.clone(),
            versions: vec![(0, 0); aggregates],
            event_types,
            rate: store.commands_per_second.max(0.0),
            snapshot_every: store.snapshot_every.map(|n| u64::from(n.max(1))),
            expected_version: store.expected_version,
            conflict_attempts: store.conflict_retries.max(1),
            append_latency: store.append_latency.clone(),
            read_latency: store.read_latency_per_event.clone(),
            publish,
            key_space,
            writers: vec![
                Writer {
                    alive: true,
                    epoch: 0,
                    busy: None,
                };
                store.writers.max(1) as usize
            ],
            queue: std::collections::VecDeque::new(),
            rng,
            commands: 0,
            appended: 0,
            conflicts: 0,
            failed: 0,
            lost_updates: 0,
            crashed_commands: 0,
            published: 0,
            lost_publications: 0,
            load_events: histogram(),
            load_time: histogram(),
        }
    }

    /// Events a load of `aggregate` replays: those since its latest snapshot.
    pub fn events_to_load(&self, aggregate: u32) -> u64 {
        let (version, snapshot) = self.versions[aggregate as usize];
        version - snapshot
    }

    /// The aggregate's new version after an append, taking a snapshot when one is due.
    pub fn appended(&mut self, aggregate: u32) {
        let every = self.snapshot_every;
        let v = &mut self.versions[aggregate as usize];
        v.0 += 1;
        if let Some(n) = every
            && v.0 - v.1 >= n
        {
            v.1 = v.0;
        }
        self.appended += 1;
    }
}
