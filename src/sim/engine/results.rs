//! What a run tells: samples, metrics, the trace and its hash, the report.

use super::*;

impl Sim {
    pub(super) fn on_sample(&mut self) {
        self.enforce_time_retention();
        let seconds = self.now as f64 / 1e9;
        for s in &mut self.sagas {
            s.sample(seconds);
        }
        let mut fired = Vec::new();
        for gi in 0..self.groups.len() {
            let lag = self.group_lag(gi);
            let g = &mut self.groups[gi];
            g.lag_series.push((seconds, lag));
            g.max_lag = g.max_lag.max(lag);
            if lag > 10_000 {
                fired.push((format!("lag > 10000 in group `{}`", g.name), lag as f64));
            }
        }
        if self.dead_lettered > 0 {
            fired.push(("dead-lettered > 0".to_owned(), self.dead_lettered as f64));
        }
        let under_replicated = self.under_replicated();
        self.max_under_replicated = self.max_under_replicated.max(under_replicated);
        self.under_replicated_series
            .push((seconds, under_replicated));
        if under_replicated > 0 {
            fired.push((
                "under-replicated partitions > 0".to_owned(),
                under_replicated as f64,
            ));
        }
        for (rule, value) in fired {
            if !self.alerts.iter().any(|a| a.rule == rule) {
                self.alerts.push(AlertReport {
                    rule,
                    fired_at_seconds: seconds,
                    value,
                });
            }
        }
        let watermark = self.watermark();
        self.checkers
            .observe(Observation::Watermark { record: watermark });
        for pi in 0..self.projections.len() {
            let behind = self.projection_behind(pi);
            let p = &mut self.projections[pi];
            if self.now > 0 {
                // The queries of the interval just ended (none before the start).
                p.sample_queries(self.sample_interval);
            }
            p.forget_below(watermark);
            p.staleness_series.push((seconds, behind as f64 / 1e6));
        }
        let next = self.now.saturating_add(self.sample_interval);
        if next <= self.end {
            self.schedule(next, Ev::Sample);
        }
    }

    pub(super) fn group_lag(&self, gi: usize) -> u64 {
        let parts = &self.groups[gi].parts;
        parts
            .iter()
            .enumerate()
            .filter(|(_, gp)| gp.lane == 0)
            .map(|(i, gp)| {
                // Lanes of a partition are consecutive; the partition's committed offset is
                // the lowest of theirs.
                let lanes = usize::from(gp.lanes.max(1));
                let committed = parts[i..(i + lanes).min(parts.len())]
                    .iter()
                    .map(|l| l.committed)
                    .min()
                    .unwrap_or(gp.committed);
                let p = &self.partitions[gp.partition as usize];
                p.end_offset.saturating_sub(committed.max(p.start_offset))
            })
            .sum()
    }

    /// The smallest record id that can still be delivered to a group.
    pub(super) fn watermark(&self) -> u64 {
        let mut low = self.next_record_id;
        for p in &self.partitions {
            // The log, and what producers hold back for it (to be sent again).
            for rec in p.log.iter().chain(&p.held) {
                low = low.min(rec.id);
            }
        }
        // Records still in a producer's accumulator.
        for p in &self.producers {
            for rec in p.batches.iter().flat_map(|b| &b.records) {
                low = low.min(rec.id);
            }
        }
        for (_, rec) in self.pending_appends.iter().flatten() {
            low = low.min(rec.id);
        }
        for g in &self.groups {
            for gp in &g.parts {
                if let Some(rec) = gp.in_flight {
                    low = low.min(rec.id);
                }
            }
        }
        low
    }

    #[inline(always)]
    pub(super) fn record_latency(&mut self, latency: Nanos) {
        self.latency.record(latency / 1_000);
        self.latency_sum_ns += u128::from(latency);
        self.latency_count += 1;
    }

    // Always inlined: the kind is known at each call, so only the hashing remains there.
    #[inline(always)]
    pub(super) fn emit_trace(
        &mut self,
        kind: TraceKind,
        rec: &Rec,
        partition: u32,
        offset: Option<u64>,
        consumer: Option<(u16, u16)>,
    ) {
        // The trace hash covers every event, whether or not the trace is kept.
        // One line per event: kind, time, record, partition, offset, group, attempt.
        let (group, attempt) = consumer.unwrap_or((NONE_U16, 0));
        let line = self.hasher.line();
        line[0] = kind as u8;
        line[1..9].copy_from_slice(&self.now.to_le_bytes());
        line[9..17].copy_from_slice(&rec.id.to_le_bytes());
        line[17..21].copy_from_slice(&partition.to_le_bytes());
        line[21..29].copy_from_slice(&offset.unwrap_or(u64::MAX).to_le_bytes());
        line[29..31].copy_from_slice(&group.to_le_bytes());
        line[31..33].copy_from_slice(&attempt.to_le_bytes());
        if kind == TraceKind::Processed && rec.produced_at >= self.warmup {
            let duration = self.now.saturating_sub(rec.appended_at);
            self.processing.record(duration / 1_000);
        }
        if self.tracing() {
            self.keep_trace(kind, rec, partition, offset, consumer);
        }
    }

    /// Whether the trace is kept and has room (for events outside the hash).
    #[inline]
    pub(super) fn tracing(&self) -> bool {
        self.trace.len() < self.trace_capacity
    }

    /// Adds an event to the kept trace (if it is kept and has room), outside the hash.
    #[cold]
    pub(super) fn keep_trace(
        &mut self,
        kind: TraceKind,
        rec: &Rec,
        partition: u32,
        offset: Option<u64>,
        consumer: Option<(u16, u16)>,
    ) {
        if !self.tracing() {
            return;
        }
        let p = &self.partitions[partition as usize];
        let mut key = None;
        if rec.key != NO_KEY
            && let Some(space) = self.key_spaces.get(usize::from(rec.key_space))
        {
            let mut text = String::new();
            sample::key_text(&space.dist, rec.key, &mut text);
            key = Some(text);
        }
        self.trace.push(TraceEvent {
            time_ns: self.now,
            kind,
            record: rec.id,
            key,
            topic: self.topics[p.topic as usize].name.clone(),
            partition: p.index,
            offset,
            group: consumer
                .and_then(|(g, _)| self.groups.get(usize::from(g)).map(|g| g.name.clone())),
            member: consumer.and_then(|(g, _)| {
                let gp = self
                    .groups
                    .get(usize::from(g))?
                    .parts
                    .iter()
                    .find(|gp| gp.partition == partition)?;
                Some(gp.member)
            }),
            attempt: consumer.map(|(_, a)| a),
            event_type: self
                .event_type_names
                .get(usize::from(rec.event_type))
                .cloned(),
            correlation_id: rec.correlation,
            causation_id: rec.causation,
        });
    }

    /// A row key in words: the key's text, or "(no key)".
    pub(super) fn key_name(&self, space: u16, key: u32) -> String {
        if key == NO_KEY {
            return "(no key)".to_owned();
        }
        let mut text = String::new();
        if let Some(s) = self.key_spaces.get(usize::from(space)) {
            sample::key_text(&s.dist, key, &mut text);
        }
        text
    }

    /// The trace kept so far (empty unless the options asked for one).
    pub fn trace(&self) -> &[TraceEvent] {
        &self.trace
    }

    /// The hash of every engine event so far (XXH3-64), as 16 hex digits.
    pub fn trace_hash(&self) -> String {
        format!("{:016x}", self.hasher.digest())
    }

    /// The results so far (complete once the run is finished).
    pub fn report(&self) -> Report {
        let (stuck, _) = self.checkers.stuck(0, u64::MAX);
        // A run cut off by its time limit ends with records in flight: only those waiting
        // longer than the grace period count against the stuck checker. A drained run
        // (`--produce N`) has no such excuse.
        let stuck_after = if self.produce_limit.is_some() {
            u64::MAX
        } else {
            self.now.saturating_sub(STUCK_GRACE)
        };
        let mut verdicts = self.checkers.verdicts(stuck_after);
        let mut event_stores = std::collections::BTreeMap::new();
        let mut lost_publications = 0;
        let mut lost_example = None;
        for s in &self.stores {
            let attempts = s.appended + s.conflicts;
            event_stores.insert(
                s.name.clone(),
                EventStoreReport {
                    commands: s.commands,
                    appended: s.appended,
                    conflicts: s.conflicts,
                    conflict_rate: if attempts > 0 {
                        s.conflicts as f64 / attempts as f64
                    } else {
                        0.0
                    },
                    failed_commands: s.failed,
                    lost_updates: s.lost_updates,
                    crashed_commands: s.crashed_commands,
                    published: s.published,
                    lost_publications: s.lost_publications,
                    load_events: counts_report(&s.load_events),
                    load_ms: latency_report(&s.load_time, 0, 0),
                },
            );
            if s.publish.is_some() {
                lost_publications += s.lost_publications;
                if s.lost_publications > 0 && lost_example.is_none() {
                    lost_example = Some(format!(
                        "event store `{}` appended {} event(s) that never reached its topic: a \
                         writer crashed between the append and the publish (dual write)",
                        s.name, s.lost_publications
                    ));
                }
            }
        }
        if self.stores.iter().any(|s| s.publish.is_some()) {
            verdicts.push(crate::sim::check::Verdict {
                name: "event-store-publishes-everything",
                passed: lost_publications == 0,
                violations: lost_publications,
                example: lost_example,
            });
        }
        let mut projections = std::collections::BTreeMap::new();
        if !self.projections.is_empty() {
            let mut differing = 0;
            let mut example = None;
            for (pi, p) in self.projections.iter().enumerate() {
                let (count, first) = p.differences(|(space, key)| self.key_name(space, key));
                differing += count;
                if example.is_none() {
                    example = first;
                }
                projections.insert(
                    p.name.clone(),
                    ProjectionReport {
                        applied: p.applied,
                        skipped_repeats: p.skipped,
                        failed_writes: p.failed_writes,
                        staleness_series: p.staleness_series.clone(),
                        rows: p.rows() as u64,
                        rows_differing: count,
                        staleness_ms: latency_report(&self.projection_staleness[pi], 0, 0),
                        queries: p.queries.round() as u64,
                        stale_queries: p.stale_queries.round() as u64,
                        rebuilds: p
                            .rebuilds
                            .iter()
                            .map(|r| RebuildReport {
                                started_at_seconds: r.started_at as f64 / 1e9,
                                duration_seconds: r
                                    .finished_at
                                    .map(|f| f.saturating_sub(r.started_at) as f64 / 1e9),
                                replayed: r.replayed,
                                rows_before: r.rows_before,
                                rows_after: r.rows_after,
                                new_event_staleness_ms: latency_report(
                                    &r.new_event_staleness,
                                    0,
                                    0,
                                ),
                            })
                            .collect(),
                    },
                );
            }
            verdicts.push(crate::sim::check::Verdict {
                name: "projection-matches-fold",
                passed: differing == 0,
                violations: differing,
                example,
            });
        }
        let sagas = self.saga_reports(stuck_after, &mut verdicts);
        let latency = latency_report(
            &self.latency.histogram(),
            self.latency_sum_ns,
            self.latency_count,
        );
        let processing = latency_report(&self.processing.histogram(), 0, 0);
        let groups = self
            .groups
            .iter()
            .enumerate()
            .map(|(gi, g)| {
                (
                    g.name.clone(),
                    GroupReport {
                        processed: g.processed,
                        rebalances: g.rebalances,
                        poll_timeouts: g.poll_timeouts,
                        evictions: g.evictions,
                        rebalance_pause_ms: g.rebalance_pause as f64 / 1e6,
                        max_lag: g.max_lag,
                        final_lag: self.group_lag(gi),
                        lag_series: g.lag_series.clone(),
                    },
                )
            })
            .collect();
        let producers = self
            .producers
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    ProducerReport {
                        records_sent: p.records_sent,
                        batches: p.batches_sent,
                        records_per_batch: if p.batches_sent > 0 {
                            p.records_sent as f64 / p.batches_sent as f64
                        } else {
                            0.0
                        },
                    },
                )
            })
            .collect();
        let topics = self
            .topics
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    TopicReport {
                        records_in: t.records_in,
                    },
                )
            })
            .collect();
        let mut report = Report {
            model: self.model_name.clone(),
            scenario: self.scenario_name.clone(),
            seed: self.seed,
            sim_seconds: self.now as f64 / 1e9,
            wall_seconds: 0.0,
            events_processed: self.events_processed,
            trace_hash: self.trace_hash(),
            produced: self.produced,
            acknowledged: self.acknowledged,
            delivered: self.delivered,
            duplicates: self.checkers.duplicates(),
            dead_lettered: self.dead_lettered,
            retries: self.retries,
            lost: self.checkers.lost(),
            stuck,
            order_violations: self.checkers.order_violations(),
            latency_ms: latency,
            processing_ms: processing,
            groups,
            producers,
            topics,
            alerts: self.alerts.clone(),
            checkers: verdicts,
            projections,
            event_stores,
            sagas,
            expectations: Vec::new(),
            not_simulated: self.unsupported.clone(),
            stopped_early: self.stopped_early.clone(),
            produce_failed: self.produce_failed,
            isr_shrinks: self.isr_shrinks,
            not_enough_replicas: self.not_enough_replicas,
            max_under_replicated: self.max_under_replicated,
            under_replicated_series: self.under_replicated_series.clone(),
        };
        report.expectations = self
            .expectations
            .iter()
            .map(|e| evaluate(e, &report))
            .collect();
        report
    }
}

/// Percentiles of a histogram of counts (not times).
pub(super) fn counts_report(h: &Histogram<u64>) -> LatencyReport {
    if h.is_empty() {
        return LatencyReport::default();
    }
    LatencyReport {
        p50: h.value_at_quantile(0.50) as f64,
        p95: h.value_at_quantile(0.95) as f64,
        p99: h.value_at_quantile(0.99) as f64,
        max: h.max() as f64,
        mean: h.mean(),
    }
}

pub(super) fn latency_report(h: &Histogram<u64>, sum_ns: u128, count: u64) -> LatencyReport {
    let ms = |micros: u64| micros as f64 / 1_000.0;
    let mean = if count > 0 {
        (sum_ns as f64 / count as f64) / 1e6
    } else {
        h.mean() / 1_000.0
    };
    if h.is_empty() {
        return LatencyReport::default();
    }
    LatencyReport {
        p50: ms(h.value_at_quantile(0.50)),
        p95: ms(h.value_at_quantile(0.95)),
        p99: ms(h.value_at_quantile(0.99)),
        max: ms(h.max()),
        mean,
    }
}

pub(super) fn evaluate(expectation: &Expectation, report: &Report) -> ExpectationReport {
    let (name, passed, measured) = match expectation {
        // Nothing processed, nothing measured: a latency bound cannot be said to hold.
        Expectation::P99LatencyBelowMs(bound) if report.delivered == 0 => (
            format!("p99 latency below {bound} ms"),
            false,
            "nothing, no record was processed".to_owned(),
        ),
        Expectation::P99LatencyBelowMs(bound) => (
            format!("p99 latency below {bound} ms"),
            report.latency_ms.p99 < *bound,
            format!("{:.3} ms", report.latency_ms.p99),
        ),
        Expectation::MaxLagBelow { group, records } => {
            let lag = report
                .groups
                .iter()
                .filter(|(name, _)| group.as_ref().is_none_or(|g| g == *name))
                .map(|(_, g)| g.max_lag)
                .max()
                .unwrap_or(0);
            (
                match group {
                    Some(g) => format!("max lag of `{g}` below {records}"),
                    None => format!("max lag below {records}"),
                },
                lag < *records,
                format!("{lag} records"),
            )
        }
        Expectation::NoLostRecords => (
            "no lost records".to_owned(),
            report.lost == 0,
            format!("{} lost", report.lost),
        ),
        Expectation::NoDuplicates => {
            let harmful = report
                .checkers
                .iter()
                .find(|c| c.name == "no-harmful-duplicates")
                .map_or(0, |c| c.violations);
            (
                "no duplicates processed by non-idempotent consumers".to_owned(),
                harmful == 0,
                format!("{harmful} duplicates"),
            )
        }
        Expectation::NoOrderViolations => (
            "no per-key order violations".to_owned(),
            report.order_violations == 0,
            format!("{} violations", report.order_violations),
        ),
        Expectation::DeadLetteredAtMost(n) => (
            format!("at most {n} dead-lettered"),
            report.dead_lettered <= *n,
            format!("{} dead-lettered", report.dead_lettered),
        ),
        Expectation::SomeLostRecords => (
            "some records are lost".to_owned(),
            report.lost > 0,
            format!("{} lost", report.lost),
        ),
    };
    ExpectationReport {
        expectation: name,
        passed,
        measured,
    }
}
