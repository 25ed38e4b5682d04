//! Checkers: properties a run must keep, judged from the events the engine emits (never from
//! the engine's own counters), in memory bounded by what is in flight, each with a concrete
//! example when it fails.

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use super::time::Nanos;

/// What the engine tells the checkers, as it happens.
#[derive(Debug, Clone, Copy)]
pub enum Observation {
    /// A producer's record was acknowledged; every group in `groups` (a bit set) must now
    /// process or dead-letter it.
    Acknowledged {
        /// The record.
        record: u64,
        /// Bit `g` set: group `g` subscribes to the record's topic.
        groups: u64,
        /// When.
        at: Nanos,
    },
    /// A group finished a record: processed it (`ok`) or gave up on it (dead-lettered).
    Finished {
        /// The group.
        group: u16,
        /// The record.
        record: u64,
        /// The record's key, as (key space, key index), if it has one.
        key: Option<(u16, u32)>,
        /// Who produced the record (a producer, or a group's reaction).
        origin: u16,
        /// Processed successfully (rather than dead-lettered).
        ok: bool,
        /// When.
        at: Nanos,
    },
    /// The log lost a record before the groups in `groups` read it.
    Deleted {
        /// The record.
        record: u64,
        /// Groups that had not read it.
        groups: u64,
        /// When.
        at: Nanos,
        /// Why it is gone.
        reason: LossReason,
    },
    /// No record below this id can be delivered again: state about older ids may go.
    Watermark {
        /// The smallest record id still deliverable.
        record: u64,
    },
}

/// Why a record left a log before it was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LossReason {
    /// Retention (time or size) deleted it.
    Retention,
    /// A new leader did not have it, and the log was truncated.
    LeaderChange,
    /// The group's committed offset had been deleted and `auto_offset_reset: latest` moved it
    /// to the log end, past records still there.
    OffsetReset,
}

/// One checker's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// The property ("no-lost-records").
    pub name: &'static str,
    /// Whether it held.
    pub passed: bool,
    /// How many times it was violated.
    pub violations: u64,
    /// The first violation, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
}

/// What the checkers know about one record id.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    /// Groups (bits) that still have to process the record.
    pending: u64,
    /// When it was acknowledged (meaningful while `pending` is not zero).
    acked_at: Nanos,
    /// Groups (bits) that finished it before its acknowledgement reached the producer
    /// (consumers read at the high watermark; the produce response is still on its way).
    early: u64,
    /// Groups (bits) that processed it successfully, kept while it can come again.
    processed: u64,
}

/// Record ids are handed out in order and most records finish soon after they are made, so
/// the checkers keep their per-record state in a window of consecutive ids: a ring indexed
/// by `id - base`, with no hashing on the way. The window slides forward as its oldest
/// records finish and can no longer be delivered again; a record that stays unfinished for
/// long (stuck behind a crashed consumer, say) is moved out to the `spilled` maps once the
/// window reaches `WINDOW_LIMIT` ids, so memory stays bounded by what is in flight.
const WINDOW_LIMIT: usize = 1 << 18;

/// Key tables are dense (indexed by key) up to this many entries in all; keys beyond go to a
/// map.
const DENSE_KEY_BUDGET: usize = 4 << 20;

/// The checkers of a run.
#[derive(Debug, Clone)]
pub struct Checkers {
    group_names: Vec<String>,
    idempotent: Vec<bool>,
    /// The id of `window[0]`.
    base: u64,
    window: SlotRing,
    /// No record below this id can be delivered again.
    watermark: u64,
    /// Records that left the window unfinished, or groups beyond the 64 a bit set holds.
    spilled: Spilled,
    /// Group → origin → (key space, index into `key_tables`).
    key_table_index: Vec<Vec<Vec<(u16, usize)>>>,
    /// Per (group, origin, key space): the highest record id processed, plus one, by key.
    key_tables: Vec<Vec<u64>>,
    dense_keys: usize,
    /// (group, origin, key space, key) → the highest record id processed, for keys the dense
    /// tables do not hold.
    last_by_key: FxHashMap<(u16, u16, u16, u32), u64>,
    lost: u64,
    lost_example: Option<String>,
    duplicates: u64,
    duplicates_harmful: u64,
    duplicate_example: Option<String>,
    order_violations: u64,
    order_example: Option<String>,
}

/// `v[i]`, growing `v` to reach it.
fn grown<T: Default>(v: &mut Vec<T>, i: usize) -> &mut T {
    if i >= v.len() {
        v.resize_with(i + 1, T::default);
    }
    &mut v[i]
}

/// The checkers' window: a ring of slots whose capacity is a power of two, so a slot's place
/// is a mask away from its index (a `VecDeque` compares and subtracts to wrap around; this
/// measured 1.5% faster on the canonical benchmark).
#[derive(Debug, Clone, Default)]
struct SlotRing {
    slots: Vec<Slot>,
    /// Where the first slot is.
    head: usize,
    len: usize,
}

impl SlotRing {
    #[inline(always)]
    fn len(&self) -> usize {
        self.len
    }

    #[inline(always)]
    fn mask(&self) -> usize {
        self.slots.len().wrapping_sub(1)
    }

    #[inline(always)]
    fn get_mut(&mut self, index: usize) -> Option<&mut Slot> {
        if index >= self.len {
            return None;
        }
        let at = (self.head + index) & self.mask();
        self.slots.get_mut(at)
    }

    /// Adds an empty slot at the back and returns it.
    #[inline(always)]
    fn push_back(&mut self) -> &mut Slot {
        if self.len == self.slots.len() {
            self.grow();
        }
        let at = (self.head + self.len) & self.mask();
        self.len += 1;
        let Some(slot) = self.slots.get_mut(at) else {
            unreachable!("a masked index is in range");
        };
        *slot = Slot::default();
        slot
    }

    /// Doubles the capacity, moving the slots to the front in order.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let capacity = (self.slots.len() * 2).max(64);
        let mut slots = Vec::with_capacity(capacity);
        slots.extend(self.iter().copied());
        slots.resize(capacity, Slot::default());
        self.slots = slots;
        self.head = 0;
    }

    fn front(&self) -> Option<&Slot> {
        (self.len > 0).then(|| &self.slots[self.head])
    }

    fn pop_front(&mut self) -> Option<Slot> {
        let slot = *self.front()?;
        self.drop_front(1);
        Some(slot)
    }

    /// Drops the first `n` slots (all of them if there are fewer).
    fn drop_front(&mut self, n: usize) {
        let n = n.min(self.len);
        self.head = (self.head + n) & self.mask();
        self.len -= n;
    }

    fn iter(&self) -> impl Iterator<Item = &Slot> {
        let mask = self.mask();
        (0..self.len).map(move |i| &self.slots[(self.head + i) & mask])
    }
}

/// Per-record state outside the window, in maps.
#[derive(Debug, Clone, Default)]
struct Spilled {
    pending: FxHashMap<u64, (u64, Nanos)>,
    early: FxHashMap<u64, u64>,
    processed: FxHashSet<(u16, u64)>,
}

impl Checkers {
    /// Checkers for a run with these groups.
    pub fn new(group_names: Vec<String>, idempotent: Vec<bool>) -> Self {
        Self {
            group_names,
            idempotent,
            base: 0,
            window: SlotRing::default(),
            watermark: 0,
            spilled: Spilled::default(),
            key_table_index: Vec::new(),
            key_tables: Vec::new(),
            dense_keys: 0,
            last_by_key: FxHashMap::default(),
            lost: 0,
            lost_example: None,
            duplicates: 0,
            duplicates_harmful: 0,
            duplicate_example: None,
            order_violations: 0,
            order_example: None,
        }
    }

    fn group_name(&self, g: u16) -> &str {
        self.group_names
            .get(usize::from(g))
            .map_or("?", String::as_str)
    }

    /// The window slot of `record`, growing the window to reach it; `None` for a record that
    /// has already left the window.
    #[inline(always)]
    fn slot(&mut self, record: u64) -> Option<&mut Slot> {
        let index = usize::try_from(record.checked_sub(self.base)?).ok()?;
        if index < self.window.len() {
            // The usual case for a record being finished.
            return self.window.get_mut(index);
        }
        if index == self.window.len() && index < WINDOW_LIMIT {
            // The usual case for an acknowledgement: the next id.
            return Some(self.window.push_back());
        }
        self.slot_ahead(record, index)
    }

    /// The window slot of `record`, `index` slots into the window and beyond its end.
    #[cold]
    fn slot_ahead(&mut self, record: u64, index: usize) -> Option<&mut Slot> {
        if index >= WINDOW_LIMIT.saturating_mul(4) {
            // An id far ahead of the window (not how the engine hands them out): keep it in
            // the maps rather than allocate the gap.
            return None;
        }
        while self.window.len() <= index {
            self.window.push_back();
        }
        self.spill_excess();
        let index = usize::try_from(record.checked_sub(self.base)?).ok()?;
        self.window.get_mut(index)
    }

    /// Drops finished records from the front of the window, and moves unfinished ones out to
    /// the maps while the window is over its limit.
    fn slide(&mut self) {
        // The finished records at the front (the common case: all of them up to the
        // watermark) go in one step; the loop below is left with the rest.
        let below_watermark =
            usize::try_from(self.watermark.saturating_sub(self.base)).unwrap_or(usize::MAX);
        let finished = self
            .window
            .iter()
            .take(below_watermark)
            .take_while(|slot| slot.pending == 0)
            .count();
        self.window.drop_front(finished);
        self.base += finished as u64;
        while let Some(front) = self.window.front() {
            let finished = front.pending == 0 && self.base < self.watermark;
            if !finished && self.window.len() <= WINDOW_LIMIT {
                break;
            }
            let Some(front) = self.window.pop_front() else {
                break;
            };
            let id = self.base;
            self.base += 1;
            if finished {
                continue;
            }
            if front.pending != 0 {
                self.spilled
                    .pending
                    .insert(id, (front.pending, front.acked_at));
            }
            if id >= self.watermark {
                if front.early != 0 {
                    self.spilled.early.insert(id, front.early);
                }
                for g in 0..64u16 {
                    if front.processed & (1u64 << g) != 0 {
                        self.spilled.processed.insert((g, id));
                    }
                }
            }
        }
    }

    fn spill_excess(&mut self) {
        if self.window.len() > WINDOW_LIMIT {
            self.slide();
        }
    }

    /// Takes one observation.
    // Always inlined: the engine names the kind at each call, so only that arm remains there.
    #[inline(always)]
    pub fn observe(&mut self, observation: Observation) {
        match observation {
            Observation::Acknowledged { record, groups, at } => {
                if let Some(slot) = self.slot(record) {
                    let groups = groups & !slot.early;
                    slot.early = 0;
                    if groups != 0 {
                        if slot.pending == 0 {
                            slot.acked_at = at;
                        }
                        slot.pending |= groups;
                    }
                    return;
                }
                let early = self.spilled.early.remove(&record).unwrap_or(0);
                let groups = groups & !early;
                if groups != 0 {
                    self.spilled.pending.entry(record).or_insert((0, at)).0 |= groups;
                }
            }
            Observation::Finished {
                group,
                record,
                key,
                origin,
                ok,
                at,
            } => {
                let first_time = self.finish(group, record, ok);
                if !ok {
                    return;
                }
                let idempotent = self
                    .idempotent
                    .get(usize::from(group))
                    .copied()
                    .unwrap_or(false);
                if !first_time {
                    self.duplicates += 1;
                    if idempotent {
                        // Recognised and skipped: no effect, so none out of order either.
                        return;
                    }
                    self.duplicates_harmful += 1;
                    if self.duplicate_example.is_none() {
                        self.duplicate_example = Some(format!(
                            "group `{}` processed record {record} a second time at {:.3} s",
                            self.group_name(group),
                            at as f64 / 1e9
                        ));
                    }
                }
                if let Some((space, key)) = key {
                    let last = self.last_processed(group, origin, space, key);
                    if record < *last {
                        let last = *last;
                        self.order_violations += 1;
                        if self.order_example.is_none() {
                            self.order_example = Some(format!(
                                "group `{}` processed record {record} after record {last} of \
                                 the same key (key #{key}) at {:.3} s",
                                self.group_name(group),
                                at as f64 / 1e9
                            ));
                        }
                    } else {
                        *last = record;
                    }
                }
            }
            Observation::Deleted {
                record,
                groups,
                at,
                reason,
            } => {
                let lost_for = match self.slot(record) {
                    Some(slot) => {
                        let lost_for = slot.pending & groups;
                        slot.pending &= !lost_for;
                        lost_for
                    }
                    None => {
                        let Some((bits, _)) = self.spilled.pending.get_mut(&record) else {
                            return;
                        };
                        let lost_for = *bits & groups;
                        *bits &= !lost_for;
                        if *bits == 0 {
                            self.spilled.pending.remove(&record);
                        }
                        lost_for
                    }
                };
                if lost_for == 0 {
                    return;
                }
                self.lost += u64::from(lost_for.count_ones());
                if self.lost_example.is_none() {
                    let g = lost_for.trailing_zeros() as u16;
                    let how = match reason {
                        LossReason::Retention => "was deleted by retention",
                        LossReason::LeaderChange => {
                            "was acknowledged, then cut from the log by a leader change"
                        }
                        LossReason::OffsetReset => {
                            "was skipped by auto_offset_reset (latest) after retention deleted \
                             the group's position"
                        }
                    };
                    self.lost_example = Some(format!(
                        "record {record} {how} at {:.3} s before group `{}` read it",
                        at as f64 / 1e9,
                        self.group_name(g)
                    ));
                }
            }
            Observation::Watermark { record } => {
                self.watermark = self.watermark.max(record);
                self.slide();
                self.spilled.processed.retain(|(_, id)| *id >= record);
                self.spilled.early.retain(|id, _| *id >= record);
            }
        }
    }

    /// Marks `record` finished by `group` (processed when `ok`); returns whether this is the
    /// first successful processing of it by the group.
    #[inline(always)]
    fn finish(&mut self, group: u16, record: u64, ok: bool) -> bool {
        let bit = 1u64 << (group % 64);
        let fits = group < 64;
        if let Some(slot) = self.slot(record) {
            if slot.pending & bit != 0 {
                slot.pending &= !bit;
            } else {
                slot.early |= bit;
            }
            if !ok {
                return true;
            }
            if fits {
                let first = slot.processed & bit == 0;
                slot.processed |= bit;
                return first;
            }
        } else {
            match self.spilled.pending.get_mut(&record) {
                Some((bits, _)) => {
                    *bits &= !bit;
                    if *bits == 0 {
                        self.spilled.pending.remove(&record);
                    }
                }
                None => *self.spilled.early.entry(record).or_insert(0) |= bit,
            }
            if !ok {
                return true;
            }
        }
        self.spilled.processed.insert((group, record))
    }

    /// The highest record id `group` processed of this key from this origin (0 if none), to
    /// update in place.
    #[inline(always)]
    fn last_processed(&mut self, group: u16, origin: u16, space: u16, key: u32) -> &mut u64 {
        // The common case: the origin's first key space, with a dense table holding the key.
        if let Some(&(first, index)) = self
            .key_table_index
            .get(usize::from(group))
            .and_then(|by_origin| by_origin.get(usize::from(origin)))
            .and_then(|spaces| spaces.first())
            && first == space
            && (key as usize) < self.key_tables[index].len()
        {
            return &mut self.key_tables[index][key as usize];
        }
        self.last_processed_slow(group, origin, space, key)
    }

    /// [`Checkers::last_processed`], finding or making the table.
    #[inline(never)]
    fn last_processed_slow(&mut self, group: u16, origin: u16, space: u16, key: u32) -> &mut u64 {
        let by_origin = grown(&mut self.key_table_index, usize::from(group));
        let spaces = grown(by_origin, usize::from(origin));
        let index = match spaces.iter().find(|(s, _)| *s == space) {
            Some(&(_, index)) => index,
            None => {
                self.key_tables.push(Vec::new());
                let index = self.key_tables.len() - 1;
                spaces.push((space, index));
                index
            }
        };
        let k = key as usize;
        let table = &mut self.key_tables[index];
        if k >= table.len() {
            let wanted = (k + 1).next_power_of_two().max(64);
            let grow = wanted - table.len();
            if self.dense_keys + grow <= DENSE_KEY_BUDGET {
                self.dense_keys += grow;
                table.resize(wanted, 0);
            }
        }
        match self.key_tables[index].get_mut(k) {
            Some(last) => last,
            None => self
                .last_by_key
                .entry((group, origin, space, key))
                .or_insert(0),
        }
    }

    /// How many records the checkers hold state for (what memory they use grows with).
    pub fn tracked(&self) -> usize {
        self.window.len()
            + self.spilled.pending.len()
            + self.spilled.early.len()
            + self.spilled.processed.len()
    }

    /// Records acknowledged before `acked_before` and neither processed, dead-lettered nor
    /// lost by now: their count over (group, record) pairs, and at most `limit` of the pairs,
    /// lowest record first.
    pub fn stuck(&self, limit: usize, acked_before: Nanos) -> (u64, Vec<(String, u64)>) {
        let mut total = 0u64;
        let mut all: Vec<(u64, u64)> = Vec::new();
        let windowed = self
            .window
            .iter()
            .zip(self.base..)
            .map(|(slot, id)| (id, slot.pending, slot.acked_at));
        let spilled = self
            .spilled
            .pending
            .iter()
            .map(|(&id, &(bits, at))| (id, bits, at));
        for (record, bits, at) in windowed.chain(spilled) {
            if bits == 0 || at >= acked_before {
                continue;
            }
            total += u64::from(bits.count_ones());
            all.push((record, bits));
        }
        all.sort_unstable();
        let mut examples = Vec::new();
        'outer: for (record, bits) in all {
            for g in 0..64u16 {
                if bits & (1u64 << g) != 0 {
                    if examples.len() >= limit {
                        break 'outer;
                    }
                    examples.push((self.group_name(g).to_owned(), record));
                }
            }
        }
        (total, examples)
    }

    /// Acknowledged records a subscribing group never got to process.
    pub fn lost(&self) -> u64 {
        self.lost
    }

    /// Records processed more than once by the same group (idempotent or not).
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// Per-key order violations.
    pub fn order_violations(&self) -> u64 {
        self.order_violations
    }

    /// The verdicts at the end of a run. Records acknowledged from `stuck_after` on are still
    /// on their way, not stuck (a run cut off by its time limit ends with some in flight).
    pub fn verdicts(&self, stuck_after: Nanos) -> Vec<Verdict> {
        let (stuck, stuck_examples) = self.stuck(1, stuck_after);
        vec![
            Verdict {
                name: "no-lost-records",
                passed: self.lost == 0,
                violations: self.lost,
                example: self.lost_example.clone(),
            },
            Verdict {
                name: "no-harmful-duplicates",
                passed: self.duplicates_harmful == 0,
                violations: self.duplicates_harmful,
                example: self.duplicate_example.clone(),
            },
            Verdict {
                name: "per-key-order",
                passed: self.order_violations == 0,
                violations: self.order_violations,
                example: self.order_example.clone(),
            },
            Verdict {
                name: "no-stuck-records",
                passed: stuck == 0,
                violations: stuck,
                example: stuck_examples.first().map(|(g, r)| {
                    format!("record {r} was neither processed nor dead-lettered by group `{g}`")
                }),
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slot_ring_keeps_its_order_through_wraps_and_growth() {
        let mut ring = SlotRing::default();
        let mut model = std::collections::VecDeque::new();
        let mut next = 0u64;
        for round in 0..40u64 {
            // Grow past the capacity while the slots wrap around, then drop some.
            for _ in 0..(round * 7 % 50 + 1) {
                ring.push_back().acked_at = next;
                model.push_back(next);
                next += 1;
            }
            let drop = (round * 13 % 40) as usize;
            ring.drop_front(drop);
            for _ in 0..drop.min(model.len()) {
                model.pop_front();
            }
            if round % 5 == 0 {
                assert_eq!(ring.pop_front().map(|s| s.acked_at), model.pop_front());
            }
            assert_eq!(ring.len(), model.len());
            assert_eq!(ring.front().map(|s| s.acked_at), model.front().copied());
            let got: Vec<u64> = ring.iter().map(|s| s.acked_at).collect();
            assert_eq!(got, model.iter().copied().collect::<Vec<_>>());
            if let Some(last) = model.len().checked_sub(1) {
                assert_eq!(
                    ring.get_mut(last).map(|s| s.acked_at),
                    model.back().copied()
                );
            }
            assert!(ring.get_mut(model.len()).is_none());
        }
    }

    fn finished(group: u16, record: u64, key: u32, ok: bool) -> Observation {
        Observation::Finished {
            group,
            record,
            key: Some((0, key)),
            origin: 0,
            ok,
            at: 0,
        }
    }

    fn checkers() -> Checkers {
        Checkers::new(vec!["a".into(), "b".into()], vec![false, true])
    }

    #[test]
    fn a_record_deleted_before_a_group_read_it_is_lost_for_that_group_only() {
        let mut c = checkers();
        c.observe(Observation::Acknowledged {
            record: 1,
            groups: 0b11,
            at: 0,
        });
        c.observe(finished(1, 1, 0, true));
        c.observe(Observation::Deleted {
            record: 1,
            groups: 0b11,
            at: 5,
            reason: LossReason::Retention,
        });
        assert_eq!(c.lost(), 1);
        let v = c.verdicts(u64::MAX);
        assert!(!v[0].passed);
        assert!(v[0].example.as_deref().unwrap_or("").contains("group `a`"));
        assert_eq!(c.stuck(10, u64::MAX).0, 0);
    }

    #[test]
    fn a_second_processing_is_a_duplicate_harmful_only_without_idempotence() {
        let mut c = checkers();
        c.observe(finished(0, 7, 0, true));
        c.observe(finished(0, 7, 0, true));
        c.observe(finished(1, 7, 0, true));
        c.observe(finished(1, 7, 0, true));
        assert_eq!(c.duplicates(), 2);
        let v = c.verdicts(u64::MAX);
        assert_eq!(v[1].violations, 1);
        assert!(v[1].example.as_deref().unwrap_or("").contains("group `a`"));
    }

    #[test]
    fn processing_an_earlier_record_of_a_key_after_a_later_one_is_an_order_violation() {
        let mut c = checkers();
        c.observe(finished(0, 5, 1, true));
        c.observe(finished(0, 3, 1, true));
        // Another key, and a failed attempt, do not count.
        c.observe(finished(0, 2, 2, true));
        c.observe(finished(0, 1, 1, false));
        assert_eq!(c.order_violations(), 1);
    }

    #[test]
    fn a_replay_is_out_of_order_only_where_it_has_an_effect() {
        // Records 3 then 5 of a key, then a rewind replays 3 in both groups: group `a` (not
        // idempotent) applies it again after 5; group `b` recognises and skips it.
        let mut c = checkers();
        for group in [0, 1] {
            c.observe(finished(group, 3, 1, true));
            c.observe(finished(group, 5, 1, true));
            c.observe(finished(group, 3, 1, true));
        }
        assert_eq!(c.duplicates(), 2);
        assert_eq!(c.order_violations(), 1);
        let v = c.verdicts(u64::MAX);
        let order = v
            .iter()
            .find(|v| v.name == "per-key-order")
            .expect("an order verdict");
        assert!(order.example.as_deref().unwrap_or("").contains("group `a`"));
    }

    #[test]
    fn a_record_processed_before_its_acknowledgement_arrives_is_not_stuck() {
        let mut c = checkers();
        c.observe(finished(0, 3, 0, true));
        c.observe(Observation::Acknowledged {
            record: 3,
            groups: 0b01,
            at: 0,
        });
        assert_eq!(c.stuck(10, u64::MAX).0, 0);
    }

    #[test]
    fn unfinished_records_are_stuck_at_the_end() {
        let mut c = checkers();
        c.observe(Observation::Acknowledged {
            record: 9,
            groups: 0b01,
            at: 10,
        });
        c.observe(Observation::Acknowledged {
            record: 4,
            groups: 0b10,
            at: 20,
        });
        let (n, examples) = c.stuck(5, u64::MAX);
        assert_eq!(n, 2);
        assert_eq!(examples, [("b".to_owned(), 4), ("a".to_owned(), 9)]);
        // Acknowledged too recently to call stuck.
        assert_eq!(c.stuck(5, 15).0, 1);
    }

    #[test]
    fn the_watermark_forgets_old_records_so_memory_stays_bounded() {
        let mut c = checkers();
        for id in 0..100 {
            c.observe(finished(0, id, 0, true));
        }
        c.observe(Observation::Watermark { record: 90 });
        assert_eq!(c.tracked(), 10);
    }

    #[test]
    fn a_record_unfinished_for_longer_than_the_window_is_still_tracked() {
        let mut c = checkers();
        let ack = |record| Observation::Acknowledged {
            record,
            groups: 0b01,
            at: 0,
        };
        c.observe(ack(0));
        c.observe(finished(0, 0, 0, true));
        // Record 1 stays pending while many later records come and go.
        c.observe(ack(1));
        let n = WINDOW_LIMIT as u64 + 1_000;
        for id in 2..n {
            c.observe(ack(id));
            c.observe(finished(0, id, 1, true));
            if id % 10_000 == 0 {
                c.observe(Observation::Watermark { record: 0 });
            }
        }
        assert!(c.window.len() <= WINDOW_LIMIT, "{}", c.window.len());
        assert_eq!(c.stuck(10, u64::MAX), (1, vec![("a".to_owned(), 1)]));
        // Record 0 can still come again (watermark 0): a second processing is a duplicate,
        // even though it left the window.
        c.observe(finished(0, 0, 0, true));
        assert_eq!(c.duplicates(), 1);
        c.observe(finished(0, 1, 2, true));
        assert_eq!(c.stuck(10, u64::MAX).0, 0);
        assert_eq!(c.order_violations(), 0);
        // Once nothing can come again, memory goes back to what is in flight.
        c.observe(Observation::Watermark { record: n });
        assert_eq!(c.tracked(), 0);
    }

    #[test]
    fn keys_beyond_the_dense_tables_are_still_checked_for_order() {
        let mut c = checkers();
        let big = u32::MAX - 1;
        c.observe(finished(0, 5, big, true));
        c.observe(finished(0, 3, big, true));
        assert_eq!(c.order_violations(), 1);
    }
}
