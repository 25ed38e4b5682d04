//! The scenario's faults, network partitions and retention.

use super::*;

impl Sim {
    pub(super) fn enforce_size_retention(&mut self, partition: u32) {
        let topic = self.partitions[partition as usize].topic as usize;
        let Some(limit) = self.topics[topic].retention_bytes else {
            return;
        };
        while self.partitions[partition as usize].bytes > limit
            && self.partitions[partition as usize].log.len() > 1
        {
            self.delete_front(partition);
        }
    }

    pub(super) fn enforce_time_retention(&mut self) {
        for partition in 0..self.partitions.len() as u32 {
            let topic = self.partitions[partition as usize].topic as usize;
            let Some(retention) = self.topics[topic].retention_ns else {
                continue;
            };
            while let Some(front) = self.partitions[partition as usize].log.front() {
                if front.appended_at.saturating_add(retention) > self.now {
                    break;
                }
                self.delete_front(partition);
            }
        }
    }

    /// Deletes the oldest record of a partition; readers that had not finished it lose it.
    pub(super) fn delete_front(&mut self, partition: u32) {
        let offset = self.partitions[partition as usize].start_offset;
        let Some(rec) = self.partitions[partition as usize].log.pop_front() else {
            return;
        };
        self.release_records(1);
        {
            let p = &mut self.partitions[partition as usize];
            p.start_offset += 1;
            p.bytes = p.bytes.saturating_sub(u64::from(rec.size));
        }
        // A reader whose position was deleted moves by auto.offset.reset when it next looks.
        self.recheck_readers(partition);
        let mut lost_for = 0u64;
        for &(g, part) in &self.partitions[partition as usize].readers {
            let group = &self.groups[usize::from(g)];
            let gp = &group.parts[part as usize];
            if lane_of(&rec, offset, gp.lanes, group.lanes_by_key) != gp.lane {
                continue;
            }
            let in_flight_here = gp.position == offset && gp.in_flight.is_some();
            if gp.position <= offset && !in_flight_here {
                lost_for |= 1u64 << g;
            }
        }
        if lost_for != 0 {
            self.outstanding = self
                .outstanding
                .saturating_sub(u64::from(lost_for.count_ones()));
            self.emit_trace(TraceKind::Lost, &rec, partition, Some(offset), None);
            self.checkers.observe(Observation::Deleted {
                record: rec.id,
                groups: lost_for,
                at: self.now,
                reason: LossReason::Retention,
            });
        }
    }

    pub(super) fn broker_index(&self, id: u32) -> Option<u32> {
        self.broker_ids
            .iter()
            .position(|&b| b == id)
            .map(|i| i as u32)
    }

    pub(super) fn on_fault(&mut self, index: usize, ending: bool) {
        self.apply_fault(index, ending);
        // Crashes, restarts and network partitions can cut groups off from their
        // coordinators, or reconnect them.
        self.refresh_coordinators();
    }

    pub(super) fn apply_fault(&mut self, index: usize, ending: bool) {
        let Some(fault) = self.faults.get(index).cloned() else {
            return;
        };
        let group_index = |sim: &Self, name: &str| sim.groups.iter().position(|g| g.name == name);
        let end_at = |duration_ms: u64| self.now.saturating_add(duration_ms.saturating_mul(MS));
        match fault.kind {
            FaultKind::Slowdown {
                group,
                factor,
                duration_ms,
            } => {
                if let Some(g) = group_index(self, &group) {
                    self.groups[g].slowdown = if ending { 1.0 } else { factor };
                    if !ending {
                        self.schedule(
                            end_at(duration_ms),
                            Ev::Fault {
                                index: index as u32,
                                ending: true,
                            },
                        );
                    }
                }
            }
            FaultKind::ErrorSpike {
                group,
                probability,
                duration_ms,
            } => {
                if let Some(g) = group_index(self, &group) {
                    self.groups[g].spike_probability = (!ending).then_some(probability);
                    if !ending {
                        self.schedule(
                            end_at(duration_ms),
                            Ev::Fault {
                                index: index as u32,
                                ending: true,
                            },
                        );
                    }
                }
            }
            FaultKind::ProducerBurst {
                producer,
                factor,
                duration_ms,
            } => {
                if let Some(p) = self.producers.iter().position(|p| p.name == producer) {
                    self.producers[p].rate_factor = if ending { 1.0 } else { factor };
                    if !ending {
                        self.schedule(
                            end_at(duration_ms),
                            Ev::Fault {
                                index: index as u32,
                                ending: true,
                            },
                        );
                    }
                }
            }
            FaultKind::RebuildProjection { projection } => {
                if let Some(pi) = self.projections.iter().position(|p| p.name == projection) {
                    self.rebuild_projection(pi);
                }
            }
            FaultKind::PoisonMessage { producer, key } => {
                if let Some(p) = self.producers.iter().position(|p| p.name == producer) {
                    let space = usize::from(self.producers[p].key_space);
                    if let Some(k) = key_index(&self.key_spaces[space].dist, &key) {
                        self.producers[p].poison_next = Some(k);
                        for g in &mut self.groups {
                            g.poison_keys.insert((space as u16, k));
                        }
                    } else {
                        self.unsupported.push(format!(
                            "poison message with key `{key}` at {} ms: the key is not in \
                             producer `{producer}`'s key space",
                            fault.at_ms
                        ));
                    }
                }
            }
            FaultKind::MemberCrash { group, member } => {
                if let Some(g) = group_index(self, &group) {
                    self.crash_member(g as u16, member as u16);
                } else if let Some(s) = self.stores.iter().position(|s| s.name == group) {
                    self.crash_writer(s, member as usize);
                }
            }
            FaultKind::MemberRestart { group, member } => {
                if let Some(g) = group_index(self, &group) {
                    self.restart_member(g as u16, member as u16);
                } else if let Some(s) = self.stores.iter().position(|s| s.name == group) {
                    if let Some(w) = self.stores[s].writers.get_mut(member as usize) {
                        w.alive = true;
                    }
                    self.dispatch_store(s as u16);
                }
            }
            FaultKind::BrokerCrash { broker } => {
                if let Some(b) = self.broker_index(broker) {
                    self.crash_broker(b);
                }
            }
            FaultKind::BrokerRestart { broker } => {
                if let Some(b) = self.broker_index(broker) {
                    self.restart_broker(b);
                }
            }
            FaultKind::NetworkPartition {
                client,
                brokers,
                duration_ms,
            } => {
                let producer = self.producers.iter().position(|p| p.name == client);
                let group = group_index(self, &client);
                let id = match (producer, group) {
                    (Some(p), _) => p as u16,
                    (None, Some(g)) => (self.producers.len() + g) as u16,
                    (None, None) => return,
                };
                if ending {
                    if let Some(i) = self.cut_off.iter().position(|c| c.0 == index as u32) {
                        self.cut_off.swap_remove(i);
                    }
                    if let Some(g) = group {
                        self.dispatch_all(g as u16);
                    }
                } else {
                    let mut mask = 0u64;
                    for b in brokers {
                        if let Some(i) = self.broker_index(b) {
                            mask |= 1u64 << (i % 64);
                        }
                    }
                    self.cut_off.push((index as u32, id, mask));
                    self.schedule(
                        end_at(duration_ms),
                        Ev::Fault {
                            index: index as u32,
                            ending: true,
                        },
                    );
                }
            }
        }
    }

    /// Whether a client (a producer, or `producers.len() + group`) cannot reach a broker.
    pub(super) fn is_cut_off(&self, client: u16, broker: usize) -> bool {
        !self.cut_off.is_empty()
            && self
                .cut_off
                .iter()
                .any(|&(_, c, mask)| c == client && mask & (1u64 << (broker % 64)) != 0)
    }

    /// Who sends a record: its producer, or the group that re-publishes or derives it.
    pub(super) fn sender_of(&self, rec: &Rec) -> u16 {
        if rec.retry_group != NONE_U16 {
            self.producers.len() as u16 + rec.retry_group
        } else {
            rec.origin
        }
    }
}
