//! Consumer groups at work: fetching, processing, failures and retries, reactions, commits.

use super::*;

impl Sim {
    /// Tells the checkers a group is done with a record: processed (`ok`) or given up on.
    #[inline(always)]
    pub(super) fn observe_finished(&mut self, group: u16, rec: &Rec, ok: bool) {
        self.checkers.observe(Observation::Finished {
            group,
            record: rec.id,
            key: (rec.key != NO_KEY).then_some((rec.key_space, rec.key)),
            origin: rec.origin,
            ok,
            at: self.now,
        });
    }

    pub(super) fn wake_readers(&mut self, partition: u32) {
        for i in 0..self.partitions[partition as usize].readers.len() {
            let (g, part) = self.partitions[partition as usize].readers[i];
            let group = &mut self.groups[usize::from(g)];
            let gp = &group.parts[part as usize];
            let (member, slot) = (gp.member, gp.slot);
            let m = &mut group.members[usize::from(member)];
            if !m.idle.is_empty() {
                m.wake(slot);
            }
            // Most of the time the member is busy: skip the call (`dispatch` would return
            // without doing anything).
            if m.free_slots == 0 {
                continue;
            }
            self.dispatch(g, member);
        }
    }

    /// A reader of `partition` may have something to read again without its high watermark
    /// moving (its log was truncated or deleted under it): its member looks at it again.
    pub(super) fn recheck_readers(&mut self, partition: u32) {
        let Sim {
            partitions, groups, ..
        } = self;
        for &(g, part) in &partitions[partition as usize].readers {
            let group = &mut groups[usize::from(g)];
            let gp = &group.parts[part as usize];
            let (member, slot) = (gp.member, gp.slot);
            group.members[usize::from(member)].wake(slot);
        }
    }

    /// Records that `auto_offset_reset: latest` passed over (see `ready_part`) are lost to
    /// the group.
    #[cold]
    fn lose_skipped(&mut self, group: u16) {
        let by_key = self.groups[usize::from(group)].lanes_by_key;
        for (partition, from, to, lane, lanes) in std::mem::take(&mut self.skipped) {
            for offset in from..to {
                let p = &self.partitions[partition as usize];
                let Some(&rec) = offset
                    .checked_sub(p.start_offset)
                    .and_then(|i| p.log.get(i as usize))
                else {
                    continue;
                };
                if lane_of(&rec, offset, lanes, by_key) != lane {
                    continue;
                }
                self.outstanding = self.outstanding.saturating_sub(1);
                self.emit_trace(
                    TraceKind::Lost,
                    &rec,
                    partition,
                    Some(offset),
                    Some((group, 1)),
                );
                self.checkers.observe(Observation::Deleted {
                    record: rec.id,
                    groups: 1u64 << group,
                    at: self.now,
                    reason: LossReason::OffsetReset,
                });
            }
        }
    }

    /// Starts work on as many of a member's partitions as it has free slots for.
    pub(super) fn dispatch(&mut self, group: u16, member: u16) {
        let gi = usize::from(group);
        if self.groups[gi].paused_until > self.now {
            return;
        }
        loop {
            let next = self.take_next(gi, usize::from(member));
            if !self.skipped.is_empty() {
                self.lose_skipped(group);
            }
            let Some((part, hop)) = next else {
                return;
            };
            if self.tracing() {
                let gp = &self.groups[gi].parts[part as usize];
                let (partition, offset, attempt) = (gp.partition, gp.position, gp.attempt);
                if let Some(rec) = gp.in_flight {
                    self.keep_trace(
                        TraceKind::Fetched,
                        &rec,
                        partition,
                        Some(offset),
                        Some((group, attempt)),
                    );
                }
            }
            self.start_processing_after(group, part, hop);
            if self.groups[gi].members[usize::from(member)].free_slots == 0 {
                // The usual case: one slot, now taken.
                return;
            }
        }
    }

    /// The member's next partition with a record ready (round robin from its cursor): takes
    /// the record in flight, and returns the part with the fetch hop it waits for.
    fn take_next(&mut self, gi: usize, mi: usize) -> Option<(u32, Nanos)> {
        let Sim {
            groups,
            partitions,
            brokers,
            cut_off,
            producers,
            now,
            network,
            skipped,
            ..
        } = self;
        let client = (producers.len() + gi) as u16;
        let g = &mut groups[gi];
        let (reset, by_key) = (g.auto_offset_reset, g.lanes_by_key);
        let m = &mut g.members[mi];
        if !m.alive || m.free_slots == 0 || m.parts.is_empty() {
            return None;
        }
        let count = m.parts.len();
        // Round robin from the cursor (one division at most, not one per step).
        let cursor = if m.cursor < count {
            m.cursor
        } else {
            m.cursor % count
        };
        let mut idx = cursor;
        let part = if m.idle.is_empty() {
            loop {
                let part = m.parts[idx];
                let gp = &mut g.parts[part as usize];
                let ready = ready_part(
                    gp, partitions, brokers, cut_off, client, reset, by_key, *now, skipped,
                ) == Readiness::Ready;
                idx += 1;
                if idx == count {
                    idx = 0;
                }
                if ready {
                    break part;
                }
                if idx == cursor {
                    return None;
                }
            }
        } else {
            // Many partitions: those known to be caught up are skipped a word at a time, in
            // the same round-robin order (from the cursor to the end, then from the start).
            let mut found = None;
            'passes: for (from, to) in [(cursor, count), (0, cursor)] {
                let mut i = from;
                while let Some(slot) = next_clear(&m.idle, i, to) {
                    let part = m.parts[slot];
                    let gp = &mut g.parts[part as usize];
                    match ready_part(
                        gp, partitions, brokers, cut_off, client, reset, by_key, *now, skipped,
                    ) {
                        Readiness::Ready => {
                            found = Some((slot, part));
                            break 'passes;
                        }
                        Readiness::CaughtUp => m.idle[slot / 64] |= 1 << (slot % 64),
                        Readiness::Blocked => {}
                    }
                    i = slot + 1;
                }
            }
            let (slot, part) = found?;
            idx = if slot + 1 == count { 0 } else { slot + 1 };
            part
        };
        m.cursor = idx;
        m.free_slots -= 1;
        let gp = &mut g.parts[part as usize];
        let p = &partitions[gp.partition as usize];
        let rec = p.log[(gp.position - p.start_offset) as usize];
        gp.in_flight = Some(rec);
        gp.attempt = if usize::from(rec.retry_group) == gi {
            rec.attempt.get()
        } else {
            1
        };
        let hop = if gp.caught_up { *network } else { 0 };
        gp.caught_up = false;
        Some((part, hop))
    }

    pub(super) fn start_processing(&mut self, group: u16, part: u32) {
        self.start_processing_after(group, part, 0);
    }

    pub(super) fn start_processing_after(&mut self, group: u16, part: u32, fetch: Nanos) {
        let gi = usize::from(group);
        let g = &mut self.groups[gi];
        // A projection passes over events of types it does not fold without writing.
        let skips = g.projection.is_some_and(|pi| {
            g.parts[part as usize]
                .in_flight
                .is_some_and(|rec| !self.projections[usize::from(pi)].folds(rec.event_type))
        });
        let service = if skips { 0 } else { g.processing.take() };
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
    pub(super) fn on_poll_timeout(&mut self, group: u16, member: u16, incarnation: u32) {
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
    pub(super) fn on_zombie_done(&mut self, group: u16, part: u32, epoch: u32) {
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

    pub(super) fn zombie_processed(&mut self, group: u16, part: u32, member: u16, rec: &Rec) {
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

    pub(super) fn on_process_done(&mut self, group: u16, part: u32) {
        let gi = usize::from(group);
        let g = &mut self.groups[gi];
        let gp = &mut g.parts[part as usize];
        let Some(rec) = gp.in_flight else {
            return;
        };
        gp.processing = false;
        let (member, attempt, partition, offset) =
            (gp.member, gp.attempt, gp.partition, gp.position);
        if !g.members[usize::from(member)].in_group {
            // Kicked out (max.poll.interval.ms) while processing: the work is done but the
            // commit fails; the partition's next owner starts from the committed offset.
            self.rewind_without_zombie(gi, part);
            self.groups[gi].members[usize::from(member)].free_slots += 1;
            self.zombie_processed(group, part, member, &rec);
            return;
        }
        let failed = {
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
            let replay = self.groups[gi].projection.is_some_and(|pi| {
                self.projections[usize::from(pi)].is_replay(part as usize, offset)
            });
            self.count_success(group, &rec, (partition, offset), attempt, replay);
            let g = &self.groups[gi];
            if g.projection.is_some() {
                self.project(group, part, &rec, Some(offset));
            }
            let g = &self.groups[gi];
            if g.orchestrates.is_some() || !g.saga_steps.is_empty() || !g.reactions.is_empty() {
                self.react(group, &rec);
            }
            self.finish_record(group, part);
            return;
        }
        self.process_failed(group, part, rec, attempt);
    }

    /// What a successful attempt at `rec` (at `offset` of `partition`) counts, on either path:
    /// the group's and the run's counts, end-to-end latency, the trace, and the checkers. A
    /// projection rebuild's replay of history is not a delivery to measure or check.
    #[inline(always)]
    pub(super) fn count_success(
        &mut self,
        group: u16,
        rec: &Rec,
        (partition, offset): (u32, u64),
        attempt: u16,
        replay: bool,
    ) {
        self.groups[usize::from(group)].processed += 1;
        if rec.produced_at >= self.warmup && !replay {
            self.record_latency(self.now.saturating_sub(rec.produced_at));
        }
        self.delivered += 1;
        self.emit_trace(
            TraceKind::Processed,
            rec,
            partition,
            Some(offset),
            Some((group, attempt)),
        );
        if !replay {
            self.observe_finished(group, rec, true);
        }
    }

    /// An attempt at `rec` failed: the group retries it (blocking or through a retry topic)
    /// or, out of attempts, dead-letters it.
    pub(super) fn process_failed(&mut self, group: u16, part: u32, rec: Rec, attempt: u16) {
        let gi = usize::from(group);
        let gp = &self.groups[gi].parts[part as usize];
        let (partition, offset) = (gp.partition, gp.position);
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
                copy.attempt = NonZeroU16::MIN.saturating_add(attempt);
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

    pub(super) fn backoff(&mut self, gi: usize, attempt: u16) -> Nanos {
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

    pub(super) fn react(&mut self, group: u16, rec: &Rec) {
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
    pub(super) fn emit_reaction(&mut self, group: u16, rec: &Rec, r: usize) {
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

    /// A record is done for this group (processed, dead-lettered, or handed to a retry
    /// topic): commit as the group's commit mode says and move on.
    pub(super) fn finish_record(&mut self, group: u16, part: u32) {
        let gi = usize::from(group);
        self.outstanding = self.outstanding.saturating_sub(1);
        let g = &mut self.groups[gi];
        // Without its coordinator, or out of the group, a group's commits fail.
        let can_commit = g.can_commit();
        let max_poll = g.max_poll_records;
        let gp = &mut g.parts[part as usize];
        let committed_before = gp.committed;
        gp.in_flight = None;
        gp.attempt = 1;
        gp.position += 1;
        gp.uncommitted += 1;
        let (member, partition) = (gp.member, gp.partition);
        if can_commit {
            let commit = match g.commit {
                CommitMode::AfterEach => true,
                // The batch also ends when the partition has nothing more to give.
                CommitMode::AfterBatch => {
                    gp.uncommitted >= max_poll
                        || gp.position >= self.partitions[partition as usize].end_offset
                }
                CommitMode::Auto { .. } => false,
            };
            if commit {
                gp.committed = gp.position;
                gp.uncommitted = 0;
            }
        }
        if gp.committed != committed_before && self.tracing() {
            self.trace_commit(group, part);
        }
        self.trim(partition);
        self.groups[gi].members[usize::from(member)].free_slots += 1;
        self.dispatch(group, member);
    }

    /// Adds a group partition's commit to the kept trace: the record below the committed
    /// offset, and the offset.
    pub(super) fn trace_commit(&mut self, group: u16, part: u32) {
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

    /// Drops log entries every reader has committed past and every live follower has fetched:
    /// they can never be read again, and keeping them would make memory grow with the run's
    /// length. Called on commits, and on follower fetches of partitions nobody reads.
    pub(super) fn trim(&mut self, partition: u32) {
        let Sim {
            partitions,
            groups,
            brokers,
            records_held,
            ..
        } = self;
        let p = &mut partitions[partition as usize];
        if p.keep_history || (p.readers.is_empty() && p.replicas.len() == 1) {
            // (An unread partition with one replica keeps nothing: see `append`.)
            return;
        }
        // A partition nobody reads keeps its records only for its followers, up to the high
        // watermark (a leader change truncates above it, never below).
        let mut keep_from = if p.readers.is_empty() { p.hw } else { u64::MAX };
        for &(g, part) in &p.readers {
            keep_from = keep_from.min(groups[usize::from(g)].parts[part as usize].committed);
        }
        // Live followers still fetching keep what they have not got (Kafka's log outlives
        // commits; ours is only trimmed to save memory, never under a replica).
        if p.replicas.len() > 1 {
            for (r, &b) in p.replicas.iter().enumerate() {
                if Some(r) != p.leader && brokers[b as usize].alive {
                    keep_from = keep_from.min(p.leo[r]);
                }
            }
        }
        while p.start_offset < keep_from {
            match p.log.pop_front() {
                Some(rec) => {
                    p.bytes = p.bytes.saturating_sub(u64::from(rec.size));
                    p.start_offset += 1;
                    *records_held = records_held.saturating_sub(1);
                }
                None => break,
            }
        }
    }
}

/// The lane of a partition a record belongs to: by key (records of one key share a lane, so
/// they stay in order), or by offset.
pub(super) fn lane_of(rec: &Rec, offset: u64, lanes: u16, by_key: bool) -> u16 {
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

/// Whether a group partition has a record to start now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Readiness {
    Ready,
    /// Its position is at the high watermark: nothing to read until the watermark moves (or
    /// the position moves back).
    CaughtUp,
    /// In flight, paused or cut off from its leader.
    Blocked,
}

/// The first slot in `from..to` whose bit in `idle` is clear.
fn next_clear(idle: &[u64], from: usize, to: usize) -> Option<usize> {
    let mut i = from;
    while i < to {
        let word = !idle.get(i / 64).copied().unwrap_or(0) & (u64::MAX << (i % 64));
        if word != 0 {
            let slot = (i / 64) * 64 + word.trailing_zeros() as usize;
            return (slot < to).then_some(slot);
        }
        i = (i / 64 + 1) * 64;
    }
    None
}

/// Whether a group partition has a record ready to start (and no record in flight): its
/// leader is up and reachable from the group (`client`), and a record of its lane is below the
/// high watermark. Moves a deleted position by `auto.offset.reset`, and a lane's position past
/// the other lanes' records.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn ready_part(
    gp: &mut GroupPart,
    partitions: &[PartitionRt],
    brokers: &[BrokerRt],
    cut_off: &[(u32, u16, u64)],
    client: u16,
    reset: OffsetReset,
    by_key: bool,
    now: Nanos,
    skipped: &mut Vec<(u32, u64, u64, u16, u16)>,
) -> Readiness {
    if gp.in_flight.is_some() || gp.paused_until > now {
        return Readiness::Blocked;
    }
    let p = &partitions[gp.partition as usize];
    let reachable = p.leader.and_then(|l| p.replicas.get(l)).is_some_and(|&b| {
        brokers[b as usize].alive
            && (cut_off.is_empty()
                || !cut_off
                    .iter()
                    .any(|&(_, c, mask)| c == client && mask & (1u64 << (b as usize % 64)) != 0))
    });
    if !reachable {
        return Readiness::Blocked;
    }
    if gp.position < p.start_offset || gp.position > p.end_offset {
        // The committed position was deleted: auto.offset.reset decides where to go.
        gp.position = match reset {
            OffsetReset::Earliest => p.start_offset,
            OffsetReset::Latest => {
                // The latest offset a consumer can see is the high watermark.
                let latest = p.hw.max(p.start_offset);
                if gp.position < p.start_offset && p.start_offset < latest {
                    // The visible records still in the log are passed over: lost to this
                    // group.
                    skipped.push((gp.partition, p.start_offset, latest, gp.lane, gp.lanes));
                }
                latest
            }
        };
    }
    if gp.lanes > 1 {
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
    if gp.position < p.hw {
        Readiness::Ready
    } else {
        gp.caught_up = true;
        Readiness::CaughtUp
    }
}
