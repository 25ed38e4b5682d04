//! Event stores and projections: commands, appends and publishing, read-model writes and rebuilds.

use super::*;

impl Sim {
    pub(super) fn schedule_store_command(&mut self, store: u16) {
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
    pub(super) fn on_store_command(&mut self, store: u16) {
        let s = &mut self.stores[usize::from(store)];
        s.commands += 1;
        let aggregate = s.rng.below(s.versions.len() as u64) as u32;
        s.queue.push_back(aggregate);
        self.dispatch_store(store);
        self.schedule_store_command(store);
    }

    /// Hands waiting commands to free writers.
    pub(super) fn dispatch_store(&mut self, store: u16) {
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
    pub(super) fn start_command(&mut self, store: u16, w: usize, aggregate: u32, attempt: u32) {
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
        writer.busy = Some(crate::sim::event_store::Command {
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

    pub(super) fn on_store_done(&mut self, store: u16, writer: u16, epoch: u32) {
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

    pub(super) fn on_store_publish(
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
    pub(super) fn publish_stored(&mut self, store: u16, aggregate: u32, event_type: u16) {
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
            attempt: NonZeroU16::MIN,
            failed_sends: 0,
            size: STORED_EVENT_BYTES,
            correlation: id,
            causation: id,
        };
        self.emit_trace(TraceKind::Produced, &rec, partition, None, None);
        self.send(partition, rec);
    }

    pub(super) fn crash_writer(&mut self, store: usize, writer: usize) {
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
    pub(super) fn project(&mut self, group: u16, part: u32, rec: &Rec, offset: Option<u64>) {
        if let Some(pi) = self.groups[usize::from(group)].projection {
            self.write_projection(group, usize::from(pi), part, rec, offset);
        }
    }

    pub(super) fn write_projection(
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
    pub(super) fn rebuild_projection(&mut self, pi: usize) {
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

    /// How far projection `pi`'s read model is behind now: the age of the oldest event it has
    /// not yet applied (0 when it has applied everything readable).
    pub(super) fn projection_behind(&self, pi: usize) -> Nanos {
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
}
