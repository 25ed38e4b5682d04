//! Brokers and replication: follower fetches, the high watermark, ISR changes, broker crashes and
//! restarts, leader elections.

use super::*;

impl Sim {
    /// Answers the fetch requests parked at the leader: new records are on their way.
    pub(super) fn replicate(&mut self, partition: u32) {
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

    pub(super) fn respond_to_fetch(&mut self, partition: u32, r: usize) {
        let p = &mut self.partitions[partition as usize];
        p.parked[r] = false;
        // What the leader has now: the follower is caught up as of now if its next fetch
        // starts there.
        p.last_fetch[r] = (p.end_offset, self.now);
        let leo = fetch_end(p, p.leo[r]);
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
    pub(super) fn on_follower_fetch(&mut self, partition: u32, replica: u8) {
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
    pub(super) fn on_fetch_response(&mut self, partition: u32, replica: u8, leo: u64) {
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
        if self.partitions[partition as usize].readers.is_empty() {
            // No commit will ever trim this log: what every follower has fetched can go.
            self.trim(partition);
        }
    }

    /// Moves the high watermark to what every in-sync replica has, acknowledges acks=all
    /// records below it, and wakes the readers.
    pub(super) fn update_hw(&mut self, partition: u32) {
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
    pub(super) fn on_ack_response(&mut self, partition: u32, upto: u64, leader_epoch: u32) {
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

    pub(super) fn crash_broker(&mut self, broker: u32) {
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
    pub(super) fn on_controller_detect(&mut self, broker: u32, incarnation: u32) {
        let Some(b) = self.brokers.get(broker as usize) else {
            return;
        };
        if b.alive || b.incarnation != incarnation {
            return;
        }
        self.brokers[broker as usize].fenced = true;
        for partition in 0..self.partitions.len() as u32 {
            let Some(r) = self.partitions[partition as usize]
                .replicas
                .iter()
                .position(|&x| x == broker)
            else {
                continue;
            };
            // Its replica leaves the ISR (a leader's, when a new one is elected).
            if self.partitions[partition as usize].in_isr[r] {
                self.isr_shrinks += 1;
            }
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

    /// Elects a new leader: the first in-sync replica the controller counts as live (one whose
    /// broker died but has not been noticed yet counts: it leads, from nowhere, until the
    /// controller notices and elects again); failing that, with unclean leader election, the
    /// first such replica. The log is truncated to the new leader's end: acknowledged records
    /// beyond it (acks=1, or any with unclean election) are lost.
    pub(super) fn elect_leader(&mut self, partition: u32) {
        let old = self.partitions[partition as usize].leader;
        let candidate = {
            let p = &self.partitions[partition as usize];
            let live = |r: usize| !self.brokers[p.replicas[r] as usize].fenced;
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
    pub(super) fn truncate(&mut self, partition: u32, end: u64) {
        // A reader past the new log end moves by auto.offset.reset when it next looks.
        self.recheck_readers(partition);
        while self.partitions[partition as usize].end_offset > end {
            let offset = self.partitions[partition as usize].end_offset - 1;
            let rec = {
                let p = &mut self.partitions[partition as usize];
                p.end_offset = offset;
                if offset >= p.start_offset {
                    let rec = p.log.pop_back();
                    if let Some(r) = &rec {
                        p.bytes = p.bytes.saturating_sub(u64::from(r.size));
                        self.records_held = self.records_held.saturating_sub(1);
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

    pub(super) fn restart_broker(&mut self, broker: u32) {
        let Some(b) = self.brokers.get_mut(broker as usize) else {
            return;
        };
        if b.alive {
            return;
        }
        b.alive = true;
        b.fenced = false;
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
            if p.leader.is_none() && p.in_isr[r] {
                // The last in-sync replica is back: it leads again, with all it has (the
                // others truncate to it).
                p.leader = Some(r);
                p.leader_epoch += 1;
                let end = p.leo[r];
                self.truncate(partition, end);
                self.update_hw(partition);
                self.wake_readers(partition);
                self.replicate(partition);
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
            self.replicate(partition);
        }
    }

    /// Partitions whose ISR lacks a replica, or whose replicas include a dead broker.
    pub(super) fn under_replicated(&self) -> u64 {
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

    /// The leaders' periodic ISR check (every half `replica.lag.time.max.ms`): a live
    /// follower that has not caught up within that time leaves the ISR, so the high
    /// watermark — and acks=all writes — stop waiting for it.
    pub(super) fn on_isr_check(&mut self) {
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
}

/// Kafka's `replica.fetch.max.bytes`: a follower's fetch takes at most this much of a
/// partition (and at least one record).
const REPLICA_FETCH_MAX_BYTES: u64 = 1 << 20;

/// Where a follower's fetch from `from` ends: the leader's log end, or earlier when the
/// records in between exceed `REPLICA_FETCH_MAX_BYTES`. (From below the log's start, where
/// the sizes are gone, the fetch takes everything.)
fn fetch_end(p: &PartitionRt, from: u64) -> u64 {
    if from < p.start_offset {
        return p.end_offset;
    }
    let first = usize::try_from(from - p.start_offset).unwrap_or(usize::MAX);
    let mut bytes = 0u64;
    for (offset, rec) in (from..).zip(p.log.range(first.min(p.log.len())..)) {
        let size = u64::from(rec.size);
        if offset > from && bytes + size > REPLICA_FETCH_MAX_BYTES {
            return offset;
        }
        bytes += size;
    }
    p.end_offset
}

/// The bytes of a partition's records in `[from, to)`; records already trimmed from the
/// log count at the average size of those it holds.
pub(super) fn fetched_bytes(p: &PartitionRt, from: u64, to: u64) -> u64 {
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
