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

/// The checkers of a run.
#[derive(Debug, Clone)]
pub struct Checkers {
    group_names: Vec<String>,
    idempotent: Vec<bool>,
    /// Record → groups (bits) that still have to process it.
    pending: FxHashMap<u64, (u64, Nanos)>,
    /// Record → groups (bits) that finished it before its acknowledgement reached the
    /// producer (consumers read at the high watermark; the produce response is still on its
    /// way).
    finished_early: FxHashMap<u64, u64>,
    /// (group, record) pairs processed successfully, kept while the record can come again.
    processed: FxHashSet<(u16, u64)>,
    /// (group, origin, key space, key) → the highest record id processed.
    last_by_key: FxHashMap<(u16, u16, u16, u32), u64>,
    lost: u64,
    lost_example: Option<String>,
    duplicates: u64,
    duplicates_harmful: u64,
    duplicate_example: Option<String>,
    order_violations: u64,
    order_example: Option<String>,
}

impl Checkers {
    /// Checkers for a run with these groups.
    pub fn new(group_names: Vec<String>, idempotent: Vec<bool>) -> Self {
        Self {
            group_names,
            idempotent,
            pending: FxHashMap::default(),
            finished_early: FxHashMap::default(),
            processed: FxHashSet::default(),
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

    /// Takes one observation.
    pub fn observe(&mut self, observation: Observation) {
        match observation {
            Observation::Acknowledged { record, groups, at } => {
                let early = self.finished_early.remove(&record).unwrap_or(0);
                let groups = groups & !early;
                if groups != 0 {
                    self.pending.entry(record).or_insert((0, at)).0 |= groups;
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
                let bit = 1u64 << (group % 64);
                match self.pending.get_mut(&record) {
                    Some((bits, _)) => {
                        *bits &= !bit;
                        if *bits == 0 {
                            self.pending.remove(&record);
                        }
                    }
                    None => *self.finished_early.entry(record).or_insert(0) |= bit,
                }
                if !ok {
                    return;
                }
                if !self.processed.insert((group, record)) {
                    self.duplicates += 1;
                    let harmful = !self
                        .idempotent
                        .get(usize::from(group))
                        .copied()
                        .unwrap_or(false);
                    if harmful {
                        self.duplicates_harmful += 1;
                        if self.duplicate_example.is_none() {
                            self.duplicate_example = Some(format!(
                                "group `{}` processed record {record} a second time at {:.3} s",
                                self.group_name(group),
                                at as f64 / 1e9
                            ));
                        }
                    }
                }
                if let Some((space, key)) = key {
                    let last = self
                        .last_by_key
                        .entry((group, origin, space, key))
                        .or_insert(0);
                    if record < *last {
                        self.order_violations += 1;
                        if self.order_example.is_none() {
                            self.order_example = Some(format!(
                                "group `{}` processed record {record} after record {} of the \
                                 same key (key #{key}) at {:.3} s",
                                self.group_names
                                    .get(usize::from(group))
                                    .map_or("?", String::as_str),
                                *last,
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
                let Some((bits, _)) = self.pending.get_mut(&record) else {
                    return;
                };
                let lost_for = *bits & groups;
                if lost_for == 0 {
                    return;
                }
                *bits &= !lost_for;
                if *bits == 0 {
                    self.pending.remove(&record);
                }
                self.lost += u64::from(lost_for.count_ones());
                if self.lost_example.is_none() {
                    let g = lost_for.trailing_zeros() as u16;
                    let how = match reason {
                        LossReason::Retention => "was deleted by retention",
                        LossReason::LeaderChange => {
                            "was acknowledged, then cut from the log by a leader change"
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
                self.processed.retain(|(_, id)| *id >= record);
                self.finished_early.retain(|id, _| *id >= record);
            }
        }
    }

    /// Records acknowledged before `acked_before` and neither processed, dead-lettered nor
    /// lost by now: their count over (group, record) pairs, and at most `limit` of the pairs,
    /// lowest record first.
    pub fn stuck(&self, limit: usize, acked_before: Nanos) -> (u64, Vec<(String, u64)>) {
        let mut total = 0u64;
        let mut all: Vec<(u64, u64)> = Vec::new();
        for (&record, &(bits, at)) in &self.pending {
            if at >= acked_before {
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
        assert_eq!(c.processed.len(), 10);
    }
}
