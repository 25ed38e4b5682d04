//! Producers: arrivals, keys and partitions, sends to the leader, retries of failed sends, appends
//! and acknowledgements.

use super::*;

impl Sim {
    #[inline(always)]
    pub(super) fn schedule_arrival(&mut self, producer: u16) {
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

    pub(super) fn on_arrival(&mut self, producer: u16) {
        if let Some(limit) = self.produce_limit
            && self.produced >= limit
        {
            self.stop_producers();
            return;
        }
        let pi = usize::from(producer);
        let (event_slot, key, size, event_type, target_count, key_space) = {
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
            let event_type = p.event_types.get(slot).copied().unwrap_or(NONE_U16);
            let target_count = p.targets.get(slot).map_or(0, Vec::len);
            (slot, key, size, event_type, target_count, p.key_space)
        };
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
            let partition = match key {
                Some(k) => self.partition_for(key_space, k, topic),
                None => self.sticky_partition(pi, topic, size),
            };
            let rec = Rec::produced(
                id,
                self.now,
                (key_space, key.unwrap_or(NO_KEY)),
                producer,
                event_type,
                size,
            );
            self.emit_trace(TraceKind::Produced, &rec, partition, None, None);
            if !self.sagas.is_empty() {
                self.start_saga(event_type, id, &rec, self.now);
            }
            self.accumulate(pi, partition, rec);
        }
        if let Some(limit) = self.produce_limit
            && self.produced >= limit
        {
            self.stop_producers();
        } else {
            self.schedule_arrival(producer);
        }
    }

    pub(super) fn stop_producers(&mut self) {
        for p in &mut self.producers {
            p.stopped = true;
        }
        self.producers_stopped = true;
    }

    /// Kafka's default partitioner for a keyed record.
    #[inline]
    pub(super) fn partition_for(&mut self, key_space: u16, key: u32, topic: u32) -> u32 {
        let t = &self.topics[topic as usize];
        let count = t.partitions.max(1);
        let first = t.first_partition;
        // The common case: the key's partition is known.
        if let Some(space) = self.key_spaces.get(usize::from(key_space))
            && let Some((_, cache)) = space.cache.iter().find(|(c, _)| *c == count)
            && let Some(&p) = cache.get(key as usize)
            && p != u32::MAX
        {
            return first + p;
        }
        self.partition_uncached(key_space, key, count, first)
    }

    /// Kafka's default partitioner for a key whose partition is not cached yet: hashes it,
    /// and caches the result unless the key space is too large.
    #[cold]
    #[inline(never)]
    fn partition_uncached(&mut self, key_space: u16, key: u32, count: u32, first: u32) -> u32 {
        let space = &mut self.key_spaces[usize::from(key_space)];
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
    pub(super) fn sticky_partition(&mut self, producer: usize, topic: u32, size: u32) -> u32 {
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

    /// Hands a new record to its producer's accumulator. With `linger.ms`, it joins its
    /// partition's open batch, which is sent when the next record would not fit in
    /// `batch.size`, when it is full, or when the linger time since its first record is up;
    /// without, it is sent at once.
    fn accumulate(&mut self, pi: usize, partition: u32, rec: Rec) {
        let p = &mut self.producers[pi];
        if p.linger == 0 {
            p.records_sent += 1;
            p.batches_sent += 1;
            let fire_and_forget = p.acks == Acks::Zero;
            if fire_and_forget {
                self.acknowledge_sent(partition, &rec);
            }
            self.send(partition, rec);
            return;
        }
        let size = u64::from(rec.size);
        if let Some(i) = p.batches.iter().position(|b| b.partition == partition)
            && p.batches[i].bytes + size > p.batch_size
        {
            // It does not fit: the batch goes, and the record starts the next one.
            self.send_batch(pi, i);
        }
        let i = match self.producers[pi]
            .batches
            .iter()
            .position(|b| b.partition == partition)
        {
            Some(i) => i,
            None => {
                let p = &mut self.producers[pi];
                p.batch_serial = p.batch_serial.wrapping_add(1);
                let serial = p.batch_serial;
                let records = p.spare_batches.pop().unwrap_or_default();
                p.batches.push(OpenBatch {
                    partition,
                    serial,
                    bytes: 0,
                    records,
                });
                let at = self.now.saturating_add(p.linger);
                let producer = pi as u16;
                self.schedule(at, Ev::LingerExpired { producer, serial });
                self.producers[pi].batches.len() - 1
            }
        };
        let p = &mut self.producers[pi];
        let batch = &mut p.batches[i];
        batch.bytes += size;
        batch.records.push(rec);
        if batch.bytes >= p.batch_size {
            self.send_batch(pi, i);
        }
    }

    /// A batch's linger time is up: it is sent, full or not (unless it went already).
    pub(super) fn on_linger_expired(&mut self, producer: u16, serial: u32) {
        let pi = usize::from(producer);
        if let Some(i) = self.producers[pi]
            .batches
            .iter()
            .position(|b| b.serial == serial)
        {
            self.send_batch(pi, i);
        }
    }

    /// Sends the accumulator's batch `i` of producer `pi`: its records, in order, at once.
    fn send_batch(&mut self, pi: usize, i: usize) {
        let p = &mut self.producers[pi];
        let mut batch = p.batches.swap_remove(i);
        p.records_sent += batch.records.len() as u64;
        p.batches_sent += 1;
        let fire_and_forget = p.acks == Acks::Zero;
        for rec in batch.records.drain(..) {
            if fire_and_forget {
                self.acknowledge_sent(batch.partition, &rec);
            }
            self.send(batch.partition, rec);
        }
        self.producers[pi].spare_batches.push(batch.records);
    }

    /// Sends a record to its partition's leader: network, then the broker's disk queue.
    pub(super) fn send(&mut self, partition: u32, rec: Rec) {
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

    pub(super) fn send_to_leader(&mut self, partition: u32, rec: Rec) {
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
            self.park_append(partition, rec, at);
        }
    }

    /// An acks=0 record counts as written once its producer sends it (Kafka's producer
    /// hears nothing back).
    fn acknowledge_sent(&mut self, partition: u32, rec: &Rec) {
        let topic = self.partitions[partition as usize].topic;
        self.acknowledge(rec, topic);
    }

    pub(super) fn acknowledge(&mut self, rec: &Rec, topic: u32) {
        self.acknowledged += 1;
        let groups = self.topics[topic as usize].groups;
        self.checkers.observe(Observation::Acknowledged {
            record: rec.id,
            groups,
            at: self.now,
        });
    }

    /// The broker of a partition's leader, if it has a live one.
    pub(super) fn leader_broker(&self, partition: u32) -> Option<usize> {
        let p = &self.partitions[partition as usize];
        let broker = *p.replicas.get(p.leader?)? as usize;
        self.brokers[broker].alive.then_some(broker)
    }

    /// The acks a record is written with: its producer's, or `all` for what groups publish
    /// (reactions, retries, dead-letter copies), as Kafka's producer defaults to.
    pub(super) fn acks_of(&self, rec: &Rec) -> Acks {
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
    pub(super) fn send_failed(&mut self, partition: u32, mut rec: Rec) {
        self.arrived(partition, &rec);
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
    pub(super) fn original_producer(&self, rec: &Rec) -> Option<usize> {
        let p = usize::from(rec.origin);
        (rec.retry_group == NONE_U16 && rec.causation == rec.id && p < self.producers.len())
            .then_some(p)
    }

    /// Whether `rec` must wait behind an earlier record of its producer that failed and is
    /// held for a retry: yes unless its producer may reorder (no idempotence and more than
    /// one request in flight), so an idempotent producer keeps the order of its retries.
    pub(super) fn must_wait_behind_held(&self, partition: u32, rec: &Rec) -> bool {
        let part = &self.partitions[partition as usize];
        if part.held.is_empty() && part.retrying.is_empty() {
            return false;
        }
        let Some(p) = self.original_producer(rec) else {
            return false;
        };
        !self.producers[p].may_reorder
            && (part
                .held
                .iter()
                .any(|h| h.origin == rec.origin && h.retry_group == NONE_U16 && h.id < rec.id)
                || part
                    .retrying
                    .iter()
                    .any(|&(origin, id)| origin == rec.origin && id < rec.id))
    }

    /// A resent record has reached the leader (to be appended or refused): it is no longer
    /// on its way.
    #[inline]
    fn arrived(&mut self, partition: u32, rec: &Rec) {
        let retrying = &mut self.partitions[partition as usize].retrying;
        if !retrying.is_empty()
            && let Some(i) = retrying
                .iter()
                .position(|&(origin, id)| origin == rec.origin && id == rec.id)
        {
            retrying.swap_remove(i);
        }
    }

    /// The producer keeps `rec` for this partition and retries what it holds after
    /// `retry.backoff.ms`. Held records stay in the order they were produced: a failed batch
    /// goes back to the front of the accumulator, ahead of batches made after it.
    pub(super) fn hold(&mut self, partition: u32, rec: Rec) {
        self.hold_record();
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

    pub(super) fn on_retry_held(&mut self, partition: u32) {
        self.partitions[partition as usize].retry_scheduled = false;
        let writable = self.leader_broker(partition).is_some();
        while let Some(rec) = self.partitions[partition as usize].held.front().copied() {
            if self.now.saturating_sub(rec.produced_at) >= DELIVERY_TIMEOUT {
                self.partitions[partition as usize].held.pop_front();
                self.release_records(1);
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
                        self.release_records(1);
                        self.produce_failed += 1;
                        continue;
                    }
                }
                break;
            }
            self.partitions[partition as usize].held.pop_front();
            self.release_records(1);
            if let Some(p) = self.original_producer(&rec)
                && !self.producers[p].may_reorder
            {
                self.partitions[partition as usize]
                    .retrying
                    .push((rec.origin, rec.id));
            }
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
    pub(super) fn append(&mut self, partition: u32, mut rec: Rec) {
        self.arrived(partition, &rec);
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
            let kept = !(p.readers.is_empty() && p.replicas.len() == 1);
            if kept {
                p.log.push_back(rec);
                p.bytes += u64::from(rec.size);
            } else {
                // Nobody reads this partition (a dead-letter topic, say) and nothing can
                // truncate it: keeping the record would only make memory grow with the run.
                p.start_offset = p.end_offset;
            }
            if kept {
                self.hold_record();
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
            // Only a producer's own records are written with acks=1 (see `acks_of`).
            Acks::One => self.acknowledge(&rec, topic),
            Acks::All => self.partitions[partition as usize]
                .awaiting_ack
                .push_back((offset, rec)),
        }
        if self.topics[topic as usize].retention_bytes.is_some() {
            self.enforce_size_retention(partition);
        }
        if self.partitions[partition as usize].replicas.len() > 1 {
            self.replicate(partition);
        }
        self.update_hw(partition);
    }

    /// The acknowledgement of a record: counted for producers' records, and in every case
    /// the checkers learn that the subscribing groups must now process it.
    #[inline]
    pub(super) fn acknowledge_record(&mut self, rec: &Rec, topic: u32) {
        let original = rec.retry_group == NONE_U16 && rec.causation == rec.id;
        let origin = usize::from(rec.origin);
        if original && origin < self.producers.len() {
            if self.producers[origin].acks == Acks::Zero {
                return; // Counted when sent.
            }
            self.acknowledge(rec, topic);
        } else if original && origin >= self.producers.len() + self.groups.len() {
            // An event store's publication: produced, so acknowledged in the same count.
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

    pub(super) fn delay_append(&mut self, partition: u32, rec: Rec, delay: Nanos) {
        self.park_append(partition, rec, self.now.saturating_add(delay.max(1)));
    }

    /// Keeps `rec` until `at`, when it is appended to `partition` (a broker's write queue, a
    /// retrying service's backoff).
    fn park_append(&mut self, partition: u32, rec: Rec, at: Nanos) {
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
        self.hold_record();
        self.schedule(at, Ev::Append { partition, slot });
    }

    /// Publishes a record derived from `rec` (a reaction's event or a dead-lettered copy).
    pub(super) fn publish_derived(
        &mut self,
        topic: u32,
        rec: Rec,
        origin: u16,
        fan: u32,
        event_type: u16,
    ) {
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
                attempt: NonZeroU16::MIN,
                failed_sends: 0,
                size: rec.size,
                correlation: rec.correlation,
                causation: rec.id,
            };
            self.send(partition, derived);
        }
    }
}
