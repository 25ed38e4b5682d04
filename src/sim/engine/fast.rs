//! The common case, taken straight: an arrival from a producer that sends each record at once
//! to one keyed topic, appended to a single-replica partition that one group reads; and a
//! record processed by a group with no side effects to run. Every event still goes through
//! the same observers (hash, checkers, metrics) in the same order as in the general handlers,
//! so a run gives the same trace whichever way its events go; whatever these paths do not
//! cover goes to the general handlers.

use super::*;

impl Sim {
    /// Marks the producers and partitions the fast paths may take (the model's shape does not
    /// change during a run).
    pub(super) fn mark_fast_paths(&mut self) {
        let sagas = !self.sagas.is_empty();
        for p in &mut self.producers {
            p.fast_topic = (!sagas
                && p.event_types.len() == 1
                && p.targets.len() == 1
                && p.targets[0].len() == 1
                && p.linger == 0
                && p.acks == Acks::One
                && p.keys.is_keyed())
            .then(|| p.targets[0][0]);
        }
        for g in &mut self.groups {
            g.fast = g.projection.is_none()
                && g.orchestrates.is_none()
                && g.saga_steps.is_empty()
                && g.reactions.is_empty()
                && !g.poison_types.contains(&true)
                && g.commit == CommitMode::AfterEach
                && g.parts.iter().all(|gp| gp.lanes == 1);
        }
        for p in &mut self.partitions {
            let t = &self.topics[p.topic as usize];
            p.fast = p.replicas.len() == 1
                && p.readers.len() == 1
                && !p.keep_history
                && t.projections.is_empty()
                && t.retention_bytes.is_none()
                && t.groups.count_ones() == 1;
        }
    }

    /// An arrival of a producer with a `fast_topic`: the general `on_arrival`, for one keyed
    /// record sent at once with acks=1.
    #[inline(always)]
    pub(super) fn on_arrival_fast(&mut self, producer: u16, topic: u32) {
        if let Some(limit) = self.produce_limit
            && self.produced >= limit
        {
            self.stop_producers();
            return;
        }
        let pi = usize::from(producer);
        let p = &mut self.producers[pi];
        let key = match p.poison_next.take() {
            Some(k) => k,
            None => p.keys.next(&mut p.rng_records).unwrap_or(NO_KEY),
        };
        let size = sample::size(&p.size, &mut p.rng_records);
        let (event_type, key_space) = (p.event_types[0], p.key_space);
        p.records_sent += 1;
        p.batches_sent += 1;
        let id = self.next_record_id;
        self.next_record_id += 1;
        self.produced += 1;
        let partition = self.partition_for(key_space, key, topic);
        let rec = Rec::produced(id, self.now, (key_space, key), producer, event_type, size);
        self.emit_trace(TraceKind::Produced, &rec, partition, None, None);
        if self.can_append_fast(partition, size) {
            self.append_fast(partition, topic, rec);
        } else {
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

    /// Whether a record of `size` bytes sent now to `partition` is appended at once, by the
    /// plain path of `append`: nothing held or resent ahead of it, a live leader reached
    /// without delay, and no trace kept.
    #[inline(always)]
    fn can_append_fast(&self, partition: u32, size: u32) -> bool {
        let p = &self.partitions[partition as usize];
        if !p.fast
            || !p.held.is_empty()
            || !p.retrying.is_empty()
            || !p.awaiting_ack.is_empty()
            || p.leader != Some(0)
            || self.network != 0
            || !self.cut_off.is_empty()
            || self.tracing()
        {
            return false;
        }
        let b = &self.brokers[p.replicas[0] as usize];
        // `round_ns(write time) == 0`, without the rounding: below a half rounds to 0 (NaN
        // would too, but takes the general path here).
        b.alive && b.busy_until <= self.now && f64::from(size) * b.ns_per_byte < 0.5
    }

    /// `append` for a record `can_append_fast` accepted, acks=1.
    ///
    /// Two shortcuts, each the same in effect:
    /// - the broker's `busy_until` is left as it is (below `now`), where `send_to_leader` would
    ///   set it to `now`: everything that reads it takes the later of it and a time not before
    ///   `now`;
    /// - the high watermark becomes the log end and the reader is woken, where `update_hw`
    ///   first checks that it moved: a single replica's high watermark is always its log end,
    ///   so it moves with every append.
    #[inline(always)]
    fn append_fast(&mut self, partition: u32, topic: u32, mut rec: Rec) {
        self.fast_events += 1;
        rec.appended_at = self.now;
        let p = &mut self.partitions[partition as usize];
        let offset = p.end_offset;
        p.end_offset += 1;
        p.leo[0] = p.end_offset;
        p.log.push_back(rec);
        p.bytes += u64::from(rec.size);
        self.hold_record();
        self.topics[topic as usize].records_in += 1;
        self.outstanding += 1;
        self.emit_trace(TraceKind::Appended, &rec, partition, Some(offset), None);
        self.acknowledge(&rec, topic);
        let p = &mut self.partitions[partition as usize];
        p.hw = p.end_offset;
        let (g, part) = p.readers[0];
        let group = &mut self.groups[usize::from(g)];
        let gp = &group.parts[part as usize];
        let (member, slot) = (gp.member, gp.slot);
        let m = &mut group.members[usize::from(member)];
        if !m.idle.is_empty() {
            m.wake(slot);
        }
        if m.free_slots != 0 {
            if group.fast {
                self.dispatch_fast(g, member);
            } else {
                self.dispatch(g, member);
            }
        }
    }

    /// A processing of a group with `fast` set is done: the general `on_process_done` and
    /// `finish_record`, for a member in the group that commits after each record, on a
    /// partition only it reads (see `PartitionRt::fast`).
    #[inline(always)]
    pub(super) fn on_process_done_fast(&mut self, group: u16, part: u32) {
        let gi = usize::from(group);
        let tracing = self.tracing();
        let g = &mut self.groups[gi];
        let gp = &g.parts[part as usize];
        let (member, partition) = (gp.member, gp.partition);
        let Some(rec) = gp.in_flight else {
            return;
        };
        if tracing
            || !g.members[usize::from(member)].in_group
            || g.spike_probability.is_some()
            || (!g.poison_keys.is_empty() && g.poison_keys.contains(&(rec.key_space, rec.key)))
            || !g.can_commit()
            || !self.partitions[partition as usize].fast
        {
            self.on_process_done(group, part);
            return;
        }
        let gp = &mut g.parts[part as usize];
        gp.processing = false;
        let (attempt, offset) = (gp.attempt, gp.position);
        if g.rng_failures.chance(g.failure_probability) {
            self.process_failed(group, part, rec, attempt);
            return;
        }
        self.fast_events += 1;
        self.count_success(group, &rec, (partition, offset), attempt, false);
        // `finish_record`, committing at once.
        self.outstanding = self.outstanding.saturating_sub(1);
        let g = &mut self.groups[gi];
        let gp = &mut g.parts[part as usize];
        gp.in_flight = None;
        gp.attempt = 1;
        gp.position += 1;
        gp.committed = gp.position;
        gp.uncommitted = 0;
        let committed = gp.committed;
        // `trim`, for a partition with one replica and this one reader.
        let p = &mut self.partitions[partition as usize];
        while p.start_offset < committed {
            match p.log.pop_front() {
                Some(rec) => {
                    p.bytes = p.bytes.saturating_sub(u64::from(rec.size));
                    p.start_offset += 1;
                    self.records_held = self.records_held.saturating_sub(1);
                }
                None => break,
            }
        }
        self.groups[gi].members[usize::from(member)].free_slots += 1;
        self.dispatch_fast(group, member);
    }

    /// `dispatch` for a member of a `fast` group with one free slot, looking at each of its
    /// partitions (no idle index), none of them cut off from it: takes the next record ready
    /// (round robin from its cursor) and starts processing it.
    #[inline(always)]
    fn dispatch_fast(&mut self, group: u16, member: u16) {
        let gi = usize::from(group);
        let tracing = self.tracing();
        let Sim {
            groups,
            partitions,
            brokers,
            cut_off,
            now,
            ..
        } = self;
        let g = &mut groups[gi];
        let m = &mut g.members[usize::from(member)];
        if g.paused_until > *now
            || !m.idle.is_empty()
            || m.free_slots != 1
            || !m.alive
            || m.parts.is_empty()
            || !cut_off.is_empty()
            || g.slowdown != 1.0
            || tracing
        {
            self.dispatch(group, member);
            return;
        }
        let count = m.parts.len();
        let cursor = if m.cursor < count {
            m.cursor
        } else {
            m.cursor % count
        };
        let mut idx = cursor;
        let (part, hop) = loop {
            let part = m.parts[idx];
            let gp = &mut g.parts[part as usize];
            idx += 1;
            if idx == count {
                idx = 0;
            }
            if gp.in_flight.is_none() && gp.paused_until <= *now {
                let p = &partitions[gp.partition as usize];
                let live = p
                    .leader
                    .and_then(|l| p.replicas.get(l))
                    .is_some_and(|&b| brokers[b as usize].alive);
                if live {
                    if gp.position < p.start_offset || gp.position > p.end_offset {
                        // Its position was deleted: `auto.offset.reset`, the general way.
                        self.dispatch(group, member);
                        return;
                    }
                    if gp.position < p.hw {
                        let rec = p.log[(gp.position - p.start_offset) as usize];
                        gp.in_flight = Some(rec);
                        gp.attempt = if usize::from(rec.retry_group) == gi {
                            rec.attempt.get()
                        } else {
                            1
                        };
                        let hop = if gp.caught_up { self.network } else { 0 };
                        gp.caught_up = false;
                        break (part, hop);
                    }
                    gp.caught_up = true;
                }
            }
            if idx == cursor {
                return;
            }
        };
        m.cursor = idx;
        m.free_slots = 0;
        // `start_processing_after`, for a group that is not a projection and not slowed.
        let service = g.processing.take();
        let start = self.now.saturating_add(hop);
        let gp = &mut g.parts[part as usize];
        gp.processing = true;
        let epoch = gp.epoch;
        self.schedule(
            start.saturating_add(service),
            Ev::ProcessDone { group, part, epoch },
        );
        let g = &self.groups[gi];
        if service > g.max_poll_interval {
            let incarnation = g.members[usize::from(member)].incarnation;
            let at = start.saturating_add(g.max_poll_interval);
            self.schedule(
                at,
                Ev::PollTimeout {
                    group,
                    member,
                    incarnation,
                },
            );
        }
    }
}
