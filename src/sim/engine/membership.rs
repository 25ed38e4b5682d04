//! Group membership: crashes, restarts, session timeouts, the coordinator and rebalances.

use super::*;

impl Sim {
    pub(super) fn dispatch_all(&mut self, group: u16) {
        for m in 0..self.groups[usize::from(group)].members.len() {
            self.dispatch(group, m as u16);
        }
    }

    /// Gives up a part's in-flight work and rewinds it to its committed offset: whoever reads
    /// it next starts there, so records processed but not committed are processed again.
    pub(super) fn rewind(&mut self, gi: usize, part: u32) {
        let gp = &self.groups[gi].parts[part as usize];
        if gp.processing
            && let Some(rec) = gp.in_flight
            && self.groups[gi].members[usize::from(gp.member)].alive
        {
            let zombie = (part, gp.epoch, gp.member, rec);
            self.groups[gi].zombies.push(zombie);
        }
        self.rewind_without_zombie(gi, part);
    }

    pub(super) fn rewind_without_zombie(&mut self, gi: usize, part: u32) {
        let partition = self.groups[gi].parts[part as usize].partition;
        // Kafka keeps one committed offset per partition: with lanes, the lowest of theirs.
        let floor = self.groups[gi]
            .parts
            .iter()
            .filter(|gp| gp.partition == partition)
            .map(|gp| gp.committed)
            .min()
            .unwrap_or(0);
        let by_key = self.groups[gi].lanes_by_key;
        let gp = &mut self.groups[gi].parts[part as usize];
        gp.processing = false;
        gp.in_flight = None;
        gp.attempt = 1;
        gp.epoch += 1;
        gp.uncommitted = 0;
        if gp.position > floor {
            // This lane's records from the floor on will be delivered again.
            let p = &self.partitions[partition as usize];
            let again = if gp.lanes <= 1 {
                gp.position - floor
            } else {
                (floor.max(p.start_offset)..gp.position.min(p.end_offset))
                    .filter(|&o| {
                        let rec = &p.log[(o - p.start_offset) as usize];
                        lane_of(rec, o, gp.lanes, by_key) == gp.lane
                    })
                    .count() as u64
            };
            self.outstanding += again;
            gp.position = floor;
            gp.committed = gp.committed.min(floor);
            let (member, slot) = (usize::from(gp.member), gp.slot);
            if let Some(m) = self.groups[gi].members.get_mut(member) {
                m.wake(slot);
            }
        }
    }

    pub(super) fn crash_member(&mut self, group: u16, member: u16) {
        let gi = usize::from(group);
        let concurrency = self.groups[gi].concurrency;
        let Some(m) = self.groups[gi].members.get_mut(usize::from(member)) else {
            return;
        };
        if !m.alive {
            return;
        }
        m.alive = false;
        m.incarnation += 1;
        let incarnation = m.incarnation;
        let parts = m.parts.clone();
        m.free_slots = concurrency;
        for part in parts {
            self.rewind(gi, part);
        }
        let at = self.now.saturating_add(self.groups[gi].session_timeout);
        self.schedule(
            at,
            Ev::SessionTimeout {
                group,
                member,
                incarnation,
            },
        );
    }

    pub(super) fn restart_member(&mut self, group: u16, member: u16) {
        let gi = usize::from(group);
        let static_membership = self.groups[gi].static_membership;
        let Some(m) = self.groups[gi].members.get_mut(usize::from(member)) else {
            return;
        };
        if m.alive {
            return;
        }
        m.alive = true;
        self.resume_orchestrator(group);
        // An in-memory read model died with the process: it is rebuilt from the topics.
        if let Some(pi) = self.groups[gi].projection
            && self.projections[usize::from(pi)].rebuild_on_start
        {
            self.rebuild_projection(usize::from(pi));
        }
        let m = &mut self.groups[gi].members[usize::from(member)];
        if m.in_group && static_membership {
            // A static member back within its session timeout keeps its partitions: no
            // rebalance, it resumes from the committed offsets.
            self.dispatch(group, member);
        } else {
            // A dynamic member rejoins under a new member id: the group rebalances.
            m.in_group = true;
            if self.groups[gi].coordinator_lost_at.is_some() {
                // It cannot join yet: under its new id it owns nothing until it can.
                self.groups[gi].members[usize::from(member)].assign(Vec::new(), &mut []);
            }
            self.start_rebalance(group);
        }
    }

    pub(super) fn on_session_timeout(&mut self, group: u16, member: u16, incarnation: u32) {
        let gi = usize::from(group);
        let Some(m) = self.groups[gi].members.get_mut(usize::from(member)) else {
            return;
        };
        if m.incarnation != incarnation || m.alive || !m.in_group {
            return;
        }
        m.in_group = false;
        self.start_rebalance(group);
    }

    /// Whether the group's members can reach their coordinator.
    pub(super) fn coordinator_reachable(&self, gi: usize) -> bool {
        let b = self.groups[gi].coordinator;
        self.brokers.get(b).is_some_and(|broker| broker.alive)
            && !self.is_cut_off((self.producers.len() + gi) as u16, b)
    }

    /// Follows a change that may cut groups off from their coordinators (a broker crash or
    /// restart, a network partition starting or healing, a coordinator moving). A group that
    /// loses its coordinator keeps processing what it is assigned but cannot commit; after a
    /// session timeout the coordinator evicts its members. A group that reaches it again
    /// commits again — and, if it was evicted, rejoins: a rebalance that resumes every
    /// partition from its last commit, so what was processed meanwhile is processed again.
    pub(super) fn refresh_coordinators(&mut self) {
        for gi in 0..self.groups.len() {
            let reachable = self.coordinator_reachable(gi);
            let group = gi as u16;
            let g = &mut self.groups[gi];
            match (reachable, g.coordinator_lost_at) {
                (false, None) => {
                    g.coordinator_lost_at = Some(self.now);
                    g.coordinator_epoch += 1;
                    let epoch = g.coordinator_epoch;
                    let at = self.now.saturating_add(g.session_timeout);
                    self.schedule(at, Ev::CoordinatorTimeout { group, epoch });
                }
                (true, Some(_)) => {
                    g.coordinator_lost_at = None;
                    if g.evicted {
                        g.evicted = false;
                        g.lost_assignment = true;
                        g.rebalance_blocked = false;
                        for m in &mut g.members {
                            m.in_group = m.alive;
                        }
                        self.start_rebalance(group);
                    } else if std::mem::take(&mut g.rebalance_blocked) {
                        // The join that could not reach the coordinator goes through now.
                        self.start_rebalance(group);
                    }
                }
                _ => {}
            }
        }
    }

    pub(super) fn on_coordinator_timeout(&mut self, group: u16, epoch: u32) {
        let g = &mut self.groups[usize::from(group)];
        if g.coordinator_epoch == epoch && g.coordinator_lost_at.is_some() {
            g.evicted = true;
            g.evictions += 1;
        }
    }

    /// Starts a rebalance: computes the new assignment, and pauses what the protocol pauses —
    /// every partition for the eager assignors, only the moving ones for cooperative-sticky —
    /// until in-flight records finish and the join and sync round trips are done.
    pub(super) fn start_rebalance(&mut self, group: u16) {
        let gi = usize::from(group);
        let g = &mut self.groups[gi];
        if g.coordinator_lost_at.is_some() {
            // Joins go through the coordinator: without it no rebalance starts. The members
            // keep what they have; the one that would join (or the partitions of the one that
            // left) waits until the coordinator is back.
            g.rebalance_blocked = true;
            return;
        }
        // A rebalance cut short earlier left partitions paused for good: this one decides.
        if g.paused_until == Nanos::MAX {
            g.paused_until = self.now;
        }
        for gp in &mut g.parts {
            if gp.paused_until == Nanos::MAX {
                gp.paused_until = self.now;
            }
        }
        g.generation += 1;
        g.rebalances += 1;
        let generation = g.generation;
        let members: Vec<usize> = (0..g.members.len())
            .filter(|&m| g.members[m].in_group)
            .collect();
        let owned: Vec<Vec<(String, u32)>> = members
            .iter()
            .map(|&m| {
                g.members[m]
                    .parts
                    .iter()
                    .map(|&part| {
                        let partition = &self.partitions[g.parts[part as usize].partition as usize];
                        (
                            self.topics[partition.topic as usize].name.clone(),
                            partition.index,
                        )
                    })
                    .collect()
            })
            .collect();
        let assignment = assign_members(
            &g.id,
            g.static_membership,
            g.assignor,
            &g.topic_counts,
            &members,
            &owned,
        );
        let mut pending = vec![Vec::new(); g.members.len()];
        for (i, tps) in assignment.iter().enumerate() {
            for (topic, index) in tps {
                let Some(t) = self.topics.iter().find(|t| &t.name == topic) else {
                    continue;
                };
                let partition = t.first_partition + index;
                for (part, gp) in g.parts.iter().enumerate() {
                    if gp.partition == partition {
                        pending[members[i]].push(part as u32);
                    }
                }
            }
        }
        let eager = g.assignor != model::Assignor::CooperativeSticky;
        // Which parts move to another member.
        let mut moving = Vec::new();
        for (m, parts) in pending.iter().enumerate() {
            for &part in parts {
                if g.parts[part as usize].member as usize != m
                    || !g.members[g.parts[part as usize].member as usize].in_group
                {
                    moving.push(part);
                }
            }
        }
        let rounds = if eager { 1 } else { 2 };
        let end = self.now.saturating_add(REBALANCE_ROUND_TRIP * rounds);
        if eager {
            g.paused_until = end;
        } else {
            for &part in &moving {
                g.parts[part as usize].paused_until = end;
            }
        }
        // Partition time paused: every partition for an eager rebalance, the moving ones for
        // a cooperative one (lanes of a partition are one partition).
        let paused = if eager {
            g.parts.iter().filter(|gp| gp.lane == 0).count()
        } else {
            moving
                .iter()
                .filter(|&&part| g.parts[part as usize].lane == 0)
                .count()
        };
        g.rebalance_pause = g
            .rebalance_pause
            .saturating_add((end - self.now).saturating_mul(paused as u64));
        g.pending_assignment = Some(pending);
        self.schedule(end, Ev::RebalanceDone { group, generation });
    }

    /// Installs the assignment of the rebalance that just completed.
    pub(super) fn on_rebalance_done(&mut self, group: u16, generation: u32) {
        let gi = usize::from(group);
        if self.groups[gi].generation != generation {
            return; // A newer rebalance superseded this one.
        }
        if self.groups[gi].coordinator_lost_at.is_some() {
            // The sync round could not reach the coordinator: the members wait, having given
            // up what the protocol made them give up, until it is back and they rejoin.
            let g = &mut self.groups[gi];
            g.pending_assignment = None;
            g.rebalance_blocked = true;
            if g.assignor == model::Assignor::CooperativeSticky {
                for gp in &mut g.parts {
                    // The moving partitions were paused until now.
                    if gp.paused_until >= self.now {
                        gp.paused_until = Nanos::MAX;
                    }
                }
            } else {
                g.paused_until = Nanos::MAX;
            }
            return;
        }
        let Some(pending) = self.groups[gi].pending_assignment.take() else {
            return;
        };
        let auto_commit = matches!(self.groups[gi].commit, CommitMode::Auto { .. });
        // After an eviction the members lost their partitions: nothing is committed on the
        // way out, and every partition resumes from its last commit.
        let lost = std::mem::take(&mut self.groups[gi].lost_assignment);
        for (m, parts) in pending.iter().enumerate() {
            for &part in parts {
                let old = self.groups[gi].parts[part as usize].member as usize;
                if old == m && !lost {
                    continue;
                }
                let old_alive = self.groups[gi].members[old].alive;
                if old_alive && !lost && self.groups[gi].coordinator_lost_at.is_none() {
                    // The previous owner commits what it processed when the partition is
                    // revoked (auto-commit does so on revocation; commit-after-processing
                    // already has), then lets go of anything still in flight.
                    let gp = &mut self.groups[gi].parts[part as usize];
                    if auto_commit || gp.in_flight.is_none() {
                        gp.committed = gp.position;
                    }
                }
                self.rewind(gi, part);
                self.groups[gi].parts[part as usize].member = m as u16;
            }
        }
        let concurrency = self.groups[gi].concurrency;
        for (m, parts) in pending.into_iter().enumerate() {
            let busy = parts
                .iter()
                .filter(|&&p| self.groups[gi].parts[p as usize].in_flight.is_some())
                .count() as u32;
            let GroupRt {
                members,
                parts: group_parts,
                ..
            } = &mut self.groups[gi];
            let member = &mut members[m];
            member.assign(parts, group_parts);
            member.free_slots = concurrency.saturating_sub(busy);
        }
        self.dispatch_all(group);
    }

    pub(super) fn on_auto_commit(&mut self, group: u16) {
        let gi = usize::from(group);
        let mut touched = Vec::new();
        let can_commit = self.groups[gi].can_commit();
        for (i, gp) in self.groups[gi]
            .parts
            .iter_mut()
            .enumerate()
            .filter(|_| can_commit)
        {
            if gp.committed != gp.position {
                gp.committed = gp.position;
                gp.uncommitted = 0;
                touched.push((i as u32, gp.partition));
            }
        }
        for (part, partition) in touched {
            self.trace_commit(group, part);
            self.trim(partition);
        }
        if let CommitMode::Auto { interval_ms } = self.groups[gi].commit {
            let at = self
                .now
                .saturating_add(interval_ms.max(1).saturating_mul(MS));
            if at <= self.end {
                self.schedule(at, Ev::AutoCommit { group });
            }
        }
    }
}

/// Kafka's assignment for the listed members (indices into the group's members), with the
/// partitions each owned before (for the sticky assignor). Returns, per listed member, its
/// (topic, partition) pairs.
pub(super) fn assign_members(
    group_id: &str,
    static_membership: bool,
    assignor: model::Assignor,
    counts: &std::collections::BTreeMap<String, u32>,
    members: &[usize],
    owned: &[Vec<(String, u32)>],
) -> Vec<Vec<(String, u32)>> {
    let names: Vec<String> = counts.keys().cloned().collect();
    let subs: Vec<MemberSubscription> = members
        .iter()
        .enumerate()
        .map(|(i, m)| MemberSubscription {
            // Zero-padded, so Kafka's string order is the members' index order.
            member_id: format!("{group_id}-{m:05}"),
            group_instance_id: static_membership.then(|| format!("{group_id}-instance-{m:05}")),
            subscription: names.clone(),
            owned: owned.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    let assignment = match assignor {
        model::Assignor::Range => assign_range(counts, &subs),
        model::Assignor::RoundRobin => assign_round_robin(counts, &subs),
        model::Assignor::CooperativeSticky => assign_cooperative_sticky(counts, &subs),
    };
    subs.iter()
        .map(|s| assignment.get(&s.member_id).cloned().unwrap_or_default())
        .collect()
}
