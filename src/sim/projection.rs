//! Projections (CQRS read models): the rows a projection's folds make of the events it
//! applies, kept twice — as the projection actually applied them (every successful write,
//! duplicates and all), and as the declared fold applied once, in offset order, to the events
//! it read — so that a checker can name the first row where the two differ.
//!
//! Records carry no payloads in the simulation, so a row's values are symbolic: an upserted
//! field holds the id of the record that last set it, a counter the sum of its increments, a
//! list its length and an order-sensitive hash of the record ids appended.

use hdrhistogram::Histogram;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::model::{FoldOp, Projection, RebuildPolicy, StoreKind};

use super::time::{Nanos, SECOND};

/// One field of a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// Never written.
    Unset,
    /// Set from the event: the id of the record that set it.
    Record(u64),
    /// A counter.
    Number(f64),
    /// A list: how long, and a hash of its record ids in order.
    List {
        /// Entries.
        len: u64,
        /// Order-sensitive hash of the record ids.
        hash: u64,
    },
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Upsert(usize),
    Increment(usize, f64),
    Append(usize),
    Delete,
}

/// A row key: (key space, key index); records without a key share one row.
pub type RowKey = (u16, u32);

type Rows = FxHashMap<RowKey, Vec<Value>>;

/// One rebuild: the read model thrown away and the topics replayed from their start.
#[derive(Debug, Clone)]
pub struct Rebuild {
    /// When it began.
    pub started_at: Nanos,
    /// Per group partition: the offset up to which records are history being replayed.
    pub until: Vec<u64>,
    /// When the replay reached `until` everywhere.
    pub finished_at: Option<Nanos>,
    /// History events written again.
    pub replayed: u64,
    /// Rows before it began.
    pub rows_before: u64,
    /// Rows when it finished.
    pub rows_after: u64,
    /// Staleness of the events produced while it ran (they wait behind the replay), in µs.
    pub new_event_staleness: Histogram<u64>,
}

/// Rebuilds kept for the report (the latest).
const REBUILDS_KEPT: usize = 16;

/// A projection as it runs.
#[derive(Debug, Clone)]
pub struct ProjectionRt {
    /// The projection's id.
    pub name: String,
    /// The consumer group (index) it reads with.
    pub group: u16,
    fields: Vec<String>,
    /// Per event type index: what the fold does, if it folds that type.
    ops: Vec<Option<Vec<Op>>>,
    idempotent: bool,
    /// Writes become visible only at the next refresh (Elasticsearch, every second).
    refresh: Option<Nanos>,
    actual: Rows,
    expected: Rows,
    /// Per group partition: the next offset the expected fold takes.
    expected_next: Vec<u64>,
    /// Record ids written, for an idempotent projection's deduplication (pruned as records
    /// can no longer come again).
    written: FxHashSet<u64>,
    /// Record ids the expected fold took (pruned likewise).
    expected_ids: FxHashSet<u64>,
    /// Per row: records produced and not yet applied (what a query would miss).
    pending: FxHashMap<RowKey, u32>,
    /// Events applied (each write, duplicates included).
    pub applied: u64,
    /// Writes an idempotent projection recognised as repeats and skipped.
    pub skipped: u64,
    /// Writes the store failed (each retried).
    pub failed_writes: u64,
    /// Queries per second, and the (fractional) count of queries that saw a stale row.
    queries_per_second: f64,
    /// Queries answered (modelled), and how many saw a row missing a produced event.
    pub queries: f64,
    /// Queries that ran ahead of the projection.
    pub stale_queries: f64,
    /// Whether a restart rebuilds the read model (an in-memory one is lost with the process).
    pub rebuild_on_start: bool,
    /// Rebuilds, the latest last.
    pub rebuilds: Vec<Rebuild>,
    /// How far behind the read model was, sampled: (seconds, age in ms of the oldest event
    /// not yet applied).
    pub staleness_series: Vec<(f64, f64)>,
}

impl ProjectionRt {
    /// The runtime of `p`, reading with group `group`, for a model whose event types are
    /// `event_types` (ids, in order).
    pub fn new(p: &Projection, group: u16, event_types: &[String], parts: usize) -> Self {
        let mut fields: Vec<String> = Vec::new();
        let mut field = |name: &str| match fields.iter().position(|f| f == name) {
            Some(i) => i,
            None => {
                fields.push(name.to_owned());
                fields.len() - 1
            }
        };
        let mut ops: Vec<Option<Vec<Op>>> = vec![None; event_types.len()];
        for rule in &p.folds {
            let Some(t) = event_types.iter().position(|e| *e == rule.event_type) else {
                continue;
            };
            let list = rule
                .ops
                .iter()
                .map(|op| match op {
                    FoldOp::Upsert { field: f, .. } => Op::Upsert(field(f)),
                    FoldOp::Increment { field: f, by } => Op::Increment(field(f), *by),
                    FoldOp::Append { field: f, .. } => Op::Append(field(f)),
                    FoldOp::Delete => Op::Delete,
                })
                .collect();
            ops[t] = Some(list);
        }
        Self {
            name: p.id.clone(),
            group,
            fields,
            ops,
            idempotent: p.idempotent,
            refresh: (p.store == StoreKind::Elasticsearch).then_some(SECOND),
            actual: Rows::default(),
            expected: Rows::default(),
            expected_next: vec![0; parts],
            written: FxHashSet::default(),
            expected_ids: FxHashSet::default(),
            pending: FxHashMap::default(),
            applied: 0,
            skipped: 0,
            failed_writes: 0,
            queries_per_second: p.queries_per_second.max(0.0),
            queries: 0.0,
            stale_queries: 0.0,
            rebuild_on_start: p.rebuild == RebuildPolicy::OnStart,
            rebuilds: Vec::new(),
            staleness_series: Vec::new(),
        }
    }

    /// Throws the read model away to replay the topics from their start: group partition
    /// `i` restarts at `from[i]`, and what is below `until[i]` is history. `pending` is, per
    /// row, the folded events the replay will write.
    pub fn start_rebuild(
        &mut self,
        now: Nanos,
        from: &[u64],
        until: Vec<u64>,
        pending: FxHashMap<RowKey, u32>,
        staleness: Histogram<u64>,
    ) {
        let rows_before = self.rows() as u64;
        self.actual.clear();
        self.expected.clear();
        self.written.clear();
        self.expected_ids.clear();
        for (next, &start) in self.expected_next.iter_mut().zip(from) {
            *next = start;
        }
        self.pending = pending;
        if self.rebuilds.len() >= REBUILDS_KEPT {
            self.rebuilds.remove(0);
        }
        let done = until.iter().zip(from).all(|(u, f)| u <= f);
        self.rebuilds.push(Rebuild {
            started_at: now,
            until,
            finished_at: done.then_some(now),
            replayed: 0,
            rows_before,
            rows_after: 0,
            new_event_staleness: staleness,
        });
    }

    /// Whether the record at `offset` of group partition `part` is history a rebuild is
    /// replaying (not a delivery the checkers should count again).
    pub fn is_replay(&self, part: usize, offset: u64) -> bool {
        self.rebuilds.last().is_some_and(|r| {
            r.finished_at.is_none() && r.until.get(part).is_some_and(|&u| offset < u)
        })
    }

    /// Whether a record produced at `produced_at` is followed by the latest rebuild: it is
    /// under way, or the record was produced while it was.
    pub fn follows_rebuild(&self, produced_at: Nanos) -> bool {
        self.rebuilds
            .last()
            .is_some_and(|r| r.finished_at.is_none_or(|f| produced_at < f))
    }

    /// A record was written during a rebuild, or was produced during one: counts it
    /// (history, or a new event waiting behind the replay), and ends the rebuild when every
    /// partition's position (`positions`, the next offset per group partition) has reached
    /// its history's end.
    pub fn rebuild_progress(
        &mut self,
        replay: bool,
        produced_at: Nanos,
        visible_at: Nanos,
        positions: impl Iterator<Item = u64>,
        now: Nanos,
    ) {
        let rows = self.rows() as u64;
        let Some(r) = self.rebuilds.last_mut() else {
            return;
        };
        if replay {
            r.replayed += 1;
        } else if produced_at >= r.started_at {
            let h = &mut r.new_event_staleness;
            let micros = (visible_at.saturating_sub(produced_at) / 1_000).clamp(1, h.high());
            let _ = h.record(micros);
        }
        if r.finished_at.is_none() && positions.zip(&r.until).all(|(p, &u)| p >= u) {
            r.finished_at = Some(now);
            r.rows_after = rows;
        }
    }

    /// Whether the projection folds events of this type.
    pub fn folds(&self, event_type: u16) -> bool {
        self.ops
            .get(usize::from(event_type))
            .is_some_and(Option::is_some)
    }

    /// A record of a folded type was appended to a source topic: its row is behind until
    /// the projection applies it.
    pub fn produced(&mut self, row: RowKey, event_type: u16) {
        if self.folds(event_type) {
            *self.pending.entry(row).or_insert(0) += 1;
        }
    }

    /// The projection wrote `record` (at `offset` of group partition `part`) to its store at
    /// `now`; returns when the write is visible to queries (`None` when an idempotent
    /// projection skipped a repeat, or the type is not folded).
    pub fn write(
        &mut self,
        record: u64,
        row: RowKey,
        event_type: u16,
        part: usize,
        offset: Option<u64>,
        now: Nanos,
    ) -> Option<Nanos> {
        let ops = self.ops.get(usize::from(event_type))?.as_ref()?.clone();
        // The declared fold takes each event once, in order: each offset once, and a copy of
        // an event it already took (re-appended for another group's retry) not again.
        if let (Some(offset), Some(next)) = (offset, self.expected_next.get_mut(part))
            && offset >= *next
        {
            *next = offset + 1;
            if self.expected_ids.insert(record) {
                apply(&mut self.expected, row, &ops, record, self.fields.len());
            }
        }
        if self.idempotent && !self.written.insert(record) {
            self.skipped += 1;
            return None;
        }
        let first = if self.idempotent {
            true
        } else {
            self.written.insert(record)
        };
        if first && let Some(n) = self.pending.get_mut(&row) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.pending.remove(&row);
            }
        }
        apply(&mut self.actual, row, &ops, record, self.fields.len());
        self.applied += 1;
        Some(match self.refresh {
            Some(every) => now.div_ceil(every).saturating_mul(every),
            None => now,
        })
    }

    /// Queries over the last `interval`: those that hit a row with events produced but not
    /// yet applied saw a stale answer (rows are queried uniformly).
    pub fn sample_queries(&mut self, interval: Nanos) {
        if self.queries_per_second <= 0.0 {
            return;
        }
        let queries = self.queries_per_second * interval as f64 / 1e9;
        let rows = self
            .expected
            .len()
            .max(self.actual.len())
            .max(self.pending.len())
            .max(1);
        self.queries += queries;
        self.stale_queries += queries * self.pending.len() as f64 / rows as f64;
    }

    /// Forgets written record ids below `watermark`: they cannot be delivered again.
    pub fn forget_below(&mut self, watermark: u64) {
        self.written.retain(|&id| id >= watermark);
        self.expected_ids.retain(|&id| id >= watermark);
    }

    /// Rows in the read model.
    pub fn rows(&self) -> usize {
        self.actual.len()
    }

    /// Rows where the read model differs from the fold applied once in order, and the first
    /// of them (lowest key) in words; `key_text` names a row key.
    pub fn differences(&self, key_text: impl Fn(RowKey) -> String) -> (u64, Option<String>) {
        let mut keys: Vec<&RowKey> = self.actual.keys().chain(self.expected.keys()).collect();
        keys.sort_unstable();
        keys.dedup();
        let mut count = 0;
        let mut first = None;
        for key in keys {
            let a = self.actual.get(key);
            let e = self.expected.get(key);
            if a == e {
                continue;
            }
            count += 1;
            if first.is_none() {
                first = Some(self.describe(*key, a, e, &key_text));
            }
        }
        (count, first)
    }

    fn describe(
        &self,
        key: RowKey,
        actual: Option<&Vec<Value>>,
        expected: Option<&Vec<Value>>,
        key_text: &impl Fn(RowKey) -> String,
    ) -> String {
        let row = key_text(key);
        match (actual, expected) {
            (Some(_), None) => format!(
                "projection `{}`: row `{row}` exists, but the fold applied once in order \
                 deletes it (or never creates it)",
                self.name
            ),
            (None, Some(_)) => format!(
                "projection `{}`: row `{row}` is missing; the fold applied once in order has it",
                self.name
            ),
            (Some(a), Some(e)) => {
                let i = a
                    .iter()
                    .zip(e)
                    .position(|(x, y)| x != y)
                    .unwrap_or_default();
                format!(
                    "projection `{}`: row `{row}`, field `{}` is {}, but the fold applied once \
                     in order gives {}",
                    self.name,
                    self.fields.get(i).map_or("?", String::as_str),
                    show(a.get(i)),
                    show(e.get(i))
                )
            }
            (None, None) => String::new(),
        }
    }
}

fn show(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Unset) => "unset".to_owned(),
        Some(Value::Record(id)) => format!("the value of record {id}"),
        Some(Value::Number(n)) => format!("{n}"),
        Some(Value::List { len, .. }) => format!("a list of {len}"),
    }
}

fn apply(rows: &mut Rows, row: RowKey, ops: &[Op], record: u64, fields: usize) {
    for op in ops {
        if let Op::Delete = op {
            rows.remove(&row);
            continue;
        }
        let values = rows
            .entry(row)
            .or_insert_with(|| vec![Value::Unset; fields]);
        match *op {
            Op::Upsert(f) => values[f] = Value::Record(record),
            Op::Increment(f, by) => {
                let n = match values[f] {
                    Value::Number(n) => n,
                    _ => 0.0,
                };
                values[f] = Value::Number(n + by);
            }
            Op::Append(f) => {
                let (len, hash) = match values[f] {
                    Value::List { len, hash } => (len, hash),
                    _ => (0, 0),
                };
                let mut bytes = [0u8; 16];
                bytes[..8].copy_from_slice(&hash.to_le_bytes());
                bytes[8..].copy_from_slice(&record.to_le_bytes());
                values[f] = Value::List {
                    len: len + 1,
                    hash: xxhash_rust::xxh3::xxh3_64(&bytes),
                };
            }
            Op::Delete => {}
        }
    }
}
