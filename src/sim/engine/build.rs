//! Building a run: the model's elements turned into the engine's runtime state.

use super::*;

impl Sim {
    pub(super) fn new(
        model: &Model,
        scenario: Option<model::Scenario>,
        seed: Option<u64>,
        options: &Options,
    ) -> Self {
        let scenario_name = scenario
            .as_ref()
            .map_or_else(|| "default".to_owned(), |s| s.name.clone());
        let seed = seed.or(scenario.as_ref().map(|s| s.seed)).unwrap_or(0);
        let end = options
            .duration
            .or(scenario.as_ref().map(|s| s.duration_ms.saturating_mul(MS)))
            .unwrap_or(60 * SECOND);
        let produce_limit = options
            .produce_limit
            .or(scenario.as_ref().and_then(|s| s.stop_after_records));

        let event_type_names: Vec<String> =
            model.event_types.iter().map(|e| e.id.clone()).collect();
        let event_index = |id: &str| -> u16 {
            model
                .event_types
                .iter()
                .position(|e| e.id == id)
                .map_or(NONE_U16, |i| i as u16)
        };
        let topic_index = |id: &str| -> Option<u32> {
            model
                .topics
                .iter()
                .position(|t| t.id == id)
                .map(|i| i as u32)
        };

        // Brokers and partitions: leaders spread round-robin over brokers, as Kafka's
        // replica placement does.
        let brokers: Vec<BrokerRt> = model
            .cluster
            .brokers
            .iter()
            .map(|b| BrokerRt {
                busy_until: 0,
                ns_per_byte: 1e9 / (b.write_mb_per_s * 1e6),
                alive: true,
                fenced: false,
                incarnation: 0,
            })
            .collect();
        let broker_count = brokers.len().max(1) as u32;
        let mut topics = Vec::new();
        let mut partitions = Vec::new();
        for (t, topic) in model.topics.iter().enumerate() {
            let first_partition = partitions.len() as u32;
            let rf = topic.replication_factor.clamp(1, broker_count);
            for p in 0..topic.partitions {
                let replicas: Vec<u32> =
                    (0..rf).map(|j| (t as u32 + p + j) % broker_count).collect();
                partitions.push(PartitionRt {
                    topic: t as u32,
                    index: p,
                    leo: vec![0; replicas.len()],
                    in_isr: vec![true; replicas.len()],
                    known_leo: vec![0; replicas.len()],
                    parked: vec![true; replicas.len()],
                    caught_up_at: vec![0; replicas.len()],
                    last_fetch: vec![(0, 0); replicas.len()],
                    replicas,
                    leader: Some(0),
                    hw: 0,
                    min_isr: topic.min_insync_replicas.max(1),
                    awaiting_ack: VecDeque::new(),
                    held: VecDeque::new(),
                    retrying: Vec::new(),
                    retry_scheduled: false,
                    failure_known_at: 0,
                    leader_epoch: 0,
                    log: VecDeque::new(),
                    start_offset: 0,
                    end_offset: 0,
                    bytes: 0,
                    readers: Vec::new(),
                    keep_history: false,
                    fast: false,
                });
            }
            topics.push(TopicRt {
                name: topic.id.clone(),
                first_partition,
                partitions: topic.partitions,
                retention_ns: topic.retention.time_ms.map(|ms| ms.saturating_mul(MS)),
                retention_bytes: topic.retention.bytes,
                groups: 0,
                projections: Vec::new(),
                records_in: 0,
            });
        }

        let mut key_spaces = Vec::new();
        let mut producers = Vec::new();
        // Samplers already built, by distribution: producers drawing alike share one table.
        let mut samplers: Vec<(&KeyDistribution, KeySampler)> = Vec::new();
        for p in &model.producers {
            let event_types: Vec<u16> = p.event_types.iter().map(|e| event_index(e)).collect();
            let topic_ids: Vec<u32> = p.topics.iter().filter_map(|t| topic_index(t)).collect();
            let targets = p
                .event_types
                .iter()
                .map(|e| {
                    topic_ids
                        .iter()
                        .copied()
                        .filter(|&t| model.topics[t as usize].event_types.contains(e))
                        .collect()
                })
                .collect();
            let (key_space, remap) = key_space_for(&mut key_spaces, &p.keys);
            let keys = match samplers.iter().find(|(d, _)| **d == p.keys) {
                // A clone shares the table (and starts where a new sampler would). Equal
                // weighted lists are remapped alike: their keys entered the space together.
                Some((_, sampler)) => sampler.clone(),
                None => {
                    let sampler = match remap {
                        Some(remap) => KeySampler::remapped(&p.keys, remap),
                        None => KeySampler::new(&p.keys),
                    };
                    samplers.push((&p.keys, sampler.clone()));
                    sampler
                }
            };
            producers.push(ProducerRt {
                name: p.id.clone(),
                sticky: vec![(u32::MAX, 0); topic_ids.len()],
                topics: topic_ids,
                event_types,
                targets,
                arrivals: Arrivals::new(&p.rate),
                keys,
                key_space,
                size: p.record_size.clone(),
                acks: p.acks,
                retries: p.retries,
                may_reorder: !p.enable_idempotence && p.max_in_flight_requests > 1,
                rng_arrivals: Stream::new(seed, &format!("producer/{}/arrivals", p.id)),
                rng_records: Stream::new(seed, &format!("producer/{}/records", p.id)),
                rate_factor: 1.0,
                stopped: false,
                batch_size: u64::from(p.batch_size_bytes.max(1)),
                linger: if p.linger_ms.is_finite() {
                    ms_to_ns(p.linger_ms.max(0.0))
                } else {
                    0
                },
                batches: Vec::new(),
                batch_serial: 0,
                spare_batches: Vec::new(),
                records_sent: 0,
                batches_sent: 0,
                poison_next: None,
                fast_topic: None,
            });
        }

        // Event stores' aggregates are keys too (`order-17`), in the spaces producers use for
        // the same prefix: made before groups look their poison keys up in them.
        let store_spaces: Vec<u16> = model
            .event_stores
            .iter()
            .map(|store| {
                key_space_for(
                    &mut key_spaces,
                    &model::KeyDistribution::Uniform {
                        keys: store.aggregates.clamp(1, 10_000_000),
                        prefix: format!("{}-", store.aggregate),
                    },
                )
                .0
            })
            .collect();

        // Projections read their topics as a consumer group of their own: an instance per
        // partition, auto-committing every 5 s (Kafka's default), writing each event to the
        // store.
        let projection_groups: Vec<model::ConsumerGroup> = model
            .projections
            .iter()
            .map(|p| projection_group(p, model))
            .collect();
        // An orchestrated saga's orchestrator reads the trigger's topics and the reply topic
        // as a consumer group of its own.
        let saga_groups: Vec<model::ConsumerGroup> = model
            .sagas
            .iter()
            .filter_map(|s| orchestrator_group(s, model))
            .collect();
        let mut groups = Vec::new();
        for (g, group) in model
            .consumer_groups
            .iter()
            .chain(&projection_groups)
            .chain(&saga_groups)
            .enumerate()
        {
            let subscribed: Vec<u32> = group.topics.iter().filter_map(|t| topic_index(t)).collect();
            let mut topic_list: Vec<u32> = subscribed.clone();
            let retry_topic = match &group.retry.mode {
                RetryMode::Blocking => None,
                RetryMode::RetryTopic { topic: None } => Some(None),
                RetryMode::RetryTopic { topic: Some(t) } => {
                    let index = topic_index(t);
                    // A group consumes its own retry topic.
                    if let Some(i) = index
                        && !topic_list.contains(&i)
                    {
                        topic_list.push(i);
                    }
                    Some(index)
                }
            };
            for &t in &topic_list {
                topics[t as usize].groups |= 1u64 << g;
            }
            let topic_counts: std::collections::BTreeMap<String, u32> = topic_list
                .iter()
                .map(|&t| {
                    (
                        topics[t as usize].name.clone(),
                        topics[t as usize].partitions,
                    )
                })
                .collect();
            let everyone: Vec<usize> = (0..group.members.max(1) as usize).collect();
            let assignment = assign_members(
                &group.id,
                group.static_membership,
                group.assignor,
                &topic_counts,
                &everyone,
                &[],
            )
            .into_iter()
            .map(|tps| {
                tps.iter()
                    .filter_map(|(t, p)| {
                        let topic = topics.iter().find(|x| &x.name == t)?;
                        Some(topic.first_partition + p)
                    })
                    .collect::<Vec<u32>>()
            })
            .collect::<Vec<_>>();
            let mut parts = Vec::new();
            let mut members = Vec::new();
            for (m, owned) in assignment.iter().enumerate() {
                let mut member_parts = Vec::new();
                let lanes: u16 = match group.ordering {
                    model::OrderingMode::PerPartition => 1,
                    model::OrderingMode::PerKey | model::OrderingMode::Unordered => {
                        group.concurrency.clamp(1, model::validate::MAX_LANES) as u16
                    }
                };
                for (&partition, lane) in owned
                    .iter()
                    .flat_map(|p| std::iter::repeat_n(p, usize::from(lanes)))
                    .zip((0..lanes).cycle())
                {
                    let part = parts.len() as u32;
                    member_parts.push(part);
                    parts.push(GroupPart {
                        partition,
                        lane,
                        lanes,
                        member: m as u16,
                        position: 0,
                        committed: 0,
                        in_flight: None,
                        attempt: 1,
                        uncommitted: 0,
                        epoch: 0,
                        paused_until: 0,
                        processing: false,
                        caught_up: true,
                        slot: 0,
                    });
                    partitions[partition as usize]
                        .readers
                        .push((g as u16, part));
                }
                let mut member = MemberRt {
                    free_slots: group.concurrency.max(1),
                    parts: Vec::new(),
                    cursor: 0,
                    idle: Vec::new(),
                    alive: true,
                    in_group: true,
                    incarnation: 0,
                };
                member.assign(member_parts, &mut parts);
                members.push(member);
            }
            let mut poison_keys = FxHashSet::default();
            for key in &group.failures.poison_keys {
                for (space, ks) in key_spaces.iter().enumerate() {
                    if let Some(index) = key_index(&ks.dist, key) {
                        poison_keys.insert((space as u16, index));
                    }
                }
            }
            let mut poison_types = vec![false; model.event_types.len()];
            for e in &group.failures.poison_event_types {
                if let Some(i) = model.event_types.iter().position(|x| &x.id == e) {
                    poison_types[i] = true;
                }
            }
            groups.push(GroupRt {
                name: group.id.clone(),
                idempotent: group.idempotent,
                failure_probability: group.failures.probability,
                poison_keys,
                poison_types,
                max_attempts: group.retry.max_attempts.clamp(1, u32::from(u16::MAX - 1)) as u16,
                backoff: group.retry.backoff.clone(),
                jitter: group.retry.jitter,
                retry_topic,
                dead_letter: group.dead_letter_topic.as_deref().and_then(topic_index),
                commit: group.commit.clone(),
                max_poll_records: group.max_poll_records.max(1),
                auto_offset_reset: group.auto_offset_reset,
                members,
                parts,
                reactions: group
                    .reactions
                    .iter()
                    .filter_map(|r| {
                        Some(ReactionRt {
                            on: r.on.as_deref().map_or(NONE_U16, event_index),
                            emit: event_index(&r.emit),
                            topic: topic_index(&r.topic)?,
                            probability: r.probability,
                            fan_out: r.fan_out,
                        })
                    })
                    .collect(),
                processing: Durations::new(
                    group.processing_time.clone(),
                    Stream::new(seed, &format!("group/{}/processing", group.id)),
                ),
                rng_failures: Stream::new(seed, &format!("group/{}/failures", group.id)),
                rng_retry: Stream::new(seed, &format!("group/{}/retry", group.id)),
                rng_reactions: Stream::new(seed, &format!("group/{}/reactions", group.id)),
                slowdown: 1.0,
                spike_probability: None,
                lag_series: Vec::new(),
                max_lag: 0,
                processed: 0,
                id: group.id.clone(),
                assignor: group.assignor,
                static_membership: group.static_membership,
                concurrency: group.concurrency.max(1),
                session_timeout: group.session_timeout_ms.saturating_mul(MS),
                coordinator: coordinator_broker(&group.id, model.cluster.brokers.len()),
                coordinator_lost_at: None,
                coordinator_epoch: 0,
                evicted: false,
                lost_assignment: false,
                rebalance_blocked: false,
                evictions: 0,
                topic_counts: topic_list
                    .iter()
                    .map(|&t| {
                        (
                            topics[t as usize].name.clone(),
                            topics[t as usize].partitions,
                        )
                    })
                    .collect(),
                paused_until: 0,
                generation: 0,
                pending_assignment: None,
                rebalances: 0,
                rebalance_pause: 0,
                lanes_by_key: group.ordering == model::OrderingMode::PerKey,
                poll_timeouts: 0,
                projection: None,
                orchestrates: None,
                saga_steps: Vec::new(),
                max_poll_interval: group.max_poll_interval_ms.saturating_mul(MS),
                zombies: Vec::new(),
                fast: false,
            });
        }

        let mut projections = Vec::new();
        for (i, p) in model.projections.iter().enumerate() {
            let gi = model.consumer_groups.len() + i;
            let parts = groups.get(gi).map_or(0, |g: &GroupRt| g.parts.len());
            projections.push(ProjectionRt::new(p, gi as u16, &event_type_names, parts));
            for t in &p.topics {
                if let Some(ti) = topic_index(t) {
                    topics[ti as usize].projections.push(i as u16);
                }
            }
            if let Some(g) = groups.get_mut(gi) {
                g.projection = Some(i as u16);
            }
        }
        let projection_staleness = projections.iter().map(|_| new_histogram()).collect();
        // Topics a projection rebuild may replay keep their history.
        for (i, p) in model.projections.iter().enumerate() {
            let rebuilt = projections[i].rebuild_on_start
                || scenario.as_ref().is_some_and(|s| {
                    s.faults.iter().any(|f| {
                        matches!(&f.kind, FaultKind::RebuildProjection { projection } if *projection == p.id)
                    })
                });
            if rebuilt {
                for t in p.topics.iter().filter_map(|t| topic_index(t)) {
                    let topic = &topics[t as usize];
                    for partition in topic.first_partition..topic.first_partition + topic.partitions
                    {
                        partitions[partition as usize].keep_history = true;
                    }
                }
            }
        }

        let (sagas, saga_triggers) = build_sagas(
            model,
            &mut groups,
            &event_type_names,
            model.consumer_groups.len() + model.projections.len(),
        );

        let mut stores = Vec::new();
        for (store, &key_space) in model.event_stores.iter().zip(&store_spaces) {
            let types: Vec<u16> = store
                .event_types
                .iter()
                .filter_map(|t| event_type_names.iter().position(|n| n == t))
                .map(|i| i as u16)
                .collect();
            let publish = store
                .publish
                .as_ref()
                .and_then(|p| Some((topic_index(&p.topic)?, p.mode)));
            stores.push(StoreRt::new(
                store,
                types,
                publish,
                key_space,
                Stream::new(seed, &format!("event-store/{}", store.id)),
                new_histogram,
            ));
        }

        let checkers = Checkers::new(
            groups.iter().map(|g| g.name.clone()).collect(),
            groups.iter().map(|g| g.idempotent).collect(),
        );
        let (faults, expectations) = scenario
            .map(|s| (s.faults, s.expectations))
            .unwrap_or_default();

        let mut sim = Self {
            now: 0,
            seq: 0,
            queue: EventQueue::new(),
            arrivals_due: vec![u128::MAX; producers.len()],
            next_arrival: (u128::MAX, 0),
            events_processed: 0,
            fast_events: 0,
            end,
            seed,
            model_name: model.name.clone(),
            scenario_name,
            network: ms_to_ns(model.cluster.network_latency_ms),
            replica_lag_max: model.cluster.replica_lag_time_max_ms.saturating_mul(MS),
            isr_shrinks: 0,
            brokers,
            topics,
            partitions,
            producers,
            key_spaces,
            groups,
            projections,
            projection_staleness,
            stores,
            sagas,
            saga_triggers,
            saga_sends: Vec::new(),
            event_type_names,
            faults,
            expectations,
            pending_appends: Vec::new(),
            free_append_slots: Vec::new(),
            next_record_id: 0,
            produce_limit,
            producers_stopped: false,
            produced: 0,
            acknowledged: 0,
            delivered: 0,
            dead_lettered: 0,
            retries: 0,
            outstanding: 0,
            latency: Tally::new(),
            processing: Tally::new(),
            latency_sum_ns: 0,
            latency_count: 0,
            checkers,
            hasher: TraceHasher::new(),
            trace: Vec::new(),
            trace_capacity: options.trace_capacity,
            sample_interval: options.sample_interval.max(MS),
            warmup: options.warmup,
            alerts: Vec::new(),
            unsupported: Vec::new(),
            key_buffer: String::new(),
            broker_ids: model.cluster.brokers.iter().map(|b| b.id).collect(),
            unclean_leader_election: model.cluster.unclean_leader_election,
            idempotent_producers: model
                .producers
                .iter()
                .map(|p| p.enable_idempotence)
                .collect(),
            produce_failed: 0,
            not_enough_replicas: 0,
            cut_off: Vec::new(),
            max_under_replicated: 0,
            under_replicated_series: Vec::new(),
            records_held: 0,
            max_records_held: options.max_records_held,
            stopped_early: None,
            skipped: Vec::new(),
            finished: false,
        };
        if options.fast_paths {
            sim.mark_fast_paths();
        }
        for p in 0..sim.producers.len() {
            sim.schedule_arrival(p as u16);
        }
        for g in 0..sim.groups.len() {
            if let CommitMode::Auto { interval_ms } = sim.groups[g].commit {
                let at = interval_ms.max(1).saturating_mul(MS);
                sim.schedule(at, Ev::AutoCommit { group: g as u16 });
            }
        }
        sim.schedule(0, Ev::Sample);
        for s in 0..sim.stores.len() {
            sim.schedule_store_command(s as u16);
        }
        if sim.partitions.iter().any(|p| p.replicas.len() > 1) {
            let first = (sim.replica_lag_max / 2).max(1);
            sim.schedule(first, Ev::IsrCheck);
        }
        for i in 0..sim.faults.len() {
            let at = sim.faults[i].at_ms.saturating_mul(MS);
            sim.schedule(
                at,
                Ev::Fault {
                    index: i as u32,
                    ending: false,
                },
            );
        }
        sim
    }
}

/// The broker coordinating a group, as Kafka finds it: the leader of partition
/// `abs(groupId.hashCode()) % 50` of `__consumer_offsets`, whose leaders we place
/// round-robin over the brokers (partition `k` on broker `k % brokers`).
pub(super) fn coordinator_broker(group_id: &str, brokers: usize) -> usize {
    let hash = group_id
        .encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)));
    // Kafka's Utils.abs: the absolute value, 0 for i32::MIN.
    let abs = if hash == i32::MIN { 0 } else { hash.abs() };
    (abs % OFFSETS_TOPIC_PARTITIONS) as usize % brokers.max(1)
}

/// `offsets.topic.num.partitions`.
pub(super) const OFFSETS_TOPIC_PARTITIONS: i32 = 50;

/// The consumer group a projection reads its topics with: one instance per partition.
pub(super) fn projection_group(p: &model::Projection, model: &Model) -> model::ConsumerGroup {
    model::ConsumerGroup {
        id: p.id.clone(),
        topics: p.topics.clone(),
        members: model::projection_instances(model, p),
        static_membership: false,
        assignor: model::Assignor::default(),
        processing_time: p.write_latency.clone(),
        concurrency: 1,
        ordering: model::OrderingMode::default(),
        auto_offset_reset: OffsetReset::default(),
        max_poll_records: 500,
        max_poll_interval_ms: 300_000,
        session_timeout_ms: 45_000,
        commit: CommitMode::Auto { interval_ms: 5_000 },
        // A failed write is retried in place, backing off up to 5 s, until it succeeds.
        failures: model::FailureModel {
            probability: p.write_failure_probability,
            ..model::FailureModel::default()
        },
        retry: model::RetryPolicy {
            max_attempts: u32::MAX,
            backoff: Backoff::Exponential {
                initial_ms: 100,
                multiplier: 2.0,
                max_ms: 5_000,
            },
            jitter: 0.2,
            mode: RetryMode::Blocking,
        },
        dead_letter_topic: None,
        idempotent: p.idempotent,
        reactions: Vec::new(),
    }
}

/// The consumer group an orchestrated saga's orchestrator reads with: one instance, reading
/// the topics that carry the trigger and the reply topic, a millisecond per record (it loads
/// and stores the instance's state), committing after each.
pub(super) fn orchestrator_group(s: &model::Saga, model: &Model) -> Option<model::ConsumerGroup> {
    let topics = model::orchestrator_topics(model, s)?;
    Some(model::ConsumerGroup {
        id: s.id.clone(),
        topics,
        members: 1,
        static_membership: false,
        assignor: model::Assignor::default(),
        processing_time: TimeDistribution::Constant { ms: 1.0 },
        concurrency: 1,
        ordering: model::OrderingMode::default(),
        auto_offset_reset: OffsetReset::default(),
        max_poll_records: 500,
        max_poll_interval_ms: 300_000,
        session_timeout_ms: 45_000,
        commit: CommitMode::AfterEach,
        failures: model::FailureModel::default(),
        retry: model::RetryPolicy::default(),
        dead_letter_topic: None,
        idempotent: true,
        reactions: Vec::new(),
    })
}

/// The key space a distribution's keys belong to, created or widened as needed, and for a
/// weighted list the index of each of its keys in that space.
///
/// A key is its text, as in Kafka: distributions with the same prefix (`key-0`, `key-1`, …)
/// share one space, as large as the largest of them, and all weighted lists share one space
/// of named keys. So two producers (or a producer and an event store) writing `key-7` write
/// the same key, for projections, sagas and per-key lanes alike. A listed key that happens to
/// follow a prefix's pattern is not matched with that prefix's key.
pub(super) fn key_space_for(
    spaces: &mut Vec<KeySpace>,
    dist: &KeyDistribution,
) -> (u16, Option<Vec<u32>>) {
    let new_space = |spaces: &mut Vec<KeySpace>, dist: KeyDistribution| {
        spaces.push(KeySpace {
            dist,
            cache: Vec::new(),
        });
        (spaces.len() - 1) as u16
    };
    match dist {
        KeyDistribution::Uniform { keys, prefix }
        | KeyDistribution::Zipf { keys, prefix, .. }
        | KeyDistribution::Sequential { keys, prefix } => {
            let family = spaces
                .iter_mut()
                .position(|s| prefix_of(&s.dist).is_some_and(|p| p == prefix));
            let space = match family {
                Some(i) => {
                    if let KeyDistribution::Uniform { keys: widest, .. } = &mut spaces[i].dist {
                        *widest = (*widest).max(*keys);
                    }
                    i as u16
                }
                None => new_space(
                    spaces,
                    KeyDistribution::Uniform {
                        keys: *keys,
                        prefix: prefix.clone(),
                    },
                ),
            };
            (space, None)
        }
        KeyDistribution::Weighted(list) => {
            let named = match spaces
                .iter()
                .position(|s| matches!(s.dist, KeyDistribution::Weighted(_)))
            {
                Some(i) => i,
                None => new_space(spaces, KeyDistribution::Weighted(Vec::new())).into(),
            };
            let KeyDistribution::Weighted(names) = &mut spaces[named].dist else {
                unreachable!("the named space holds a weighted list")
            };
            let mut known: rustc_hash::FxHashMap<String, u32> = names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.key.clone(), i as u32))
                .collect();
            let remap = list
                .iter()
                .map(|k| {
                    *known.entry(k.key.clone()).or_insert_with(|| {
                        names.push(model::WeightedKey {
                            key: k.key.clone(),
                            weight: 1.0,
                        });
                        (names.len() - 1) as u32
                    })
                })
                .collect();
            (named as u16, Some(remap))
        }
        KeyDistribution::Null => {
            let space = match spaces
                .iter()
                .position(|s| matches!(s.dist, KeyDistribution::Null))
            {
                Some(i) => i as u16,
                None => new_space(spaces, KeyDistribution::Null),
            };
            (space, None)
        }
    }
}

/// The prefix of a key space's generated keys, if they are generated.
fn prefix_of(dist: &KeyDistribution) -> Option<&str> {
    match dist {
        KeyDistribution::Uniform { prefix, .. }
        | KeyDistribution::Zipf { prefix, .. }
        | KeyDistribution::Sequential { prefix, .. } => Some(prefix),
        KeyDistribution::Weighted(_) | KeyDistribution::Null => None,
    }
}

/// The index of a key's text in a key distribution, if it belongs to it.
pub(super) fn key_index(dist: &KeyDistribution, key: &str) -> Option<u32> {
    match dist {
        KeyDistribution::Uniform { keys, prefix }
        | KeyDistribution::Zipf { keys, prefix, .. }
        | KeyDistribution::Sequential { keys, prefix } => {
            let n: u64 = key.strip_prefix(prefix.as_str())?.parse().ok()?;
            (n < *keys && n < u64::from(NO_KEY)).then_some(n as u32)
        }
        KeyDistribution::Weighted(list) => list.iter().position(|k| k.key == key).map(|i| i as u32),
        KeyDistribution::Null => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_coordinator_is_found_as_kafka_finds_it() {
        // Java's "g".hashCode() is 103: partition 3 of 50.
        assert_eq!(coordinator_broker("g", 3), 0);
        assert_eq!(coordinator_broker("g", 2), 1);
        // "hello".hashCode() is 99162322: partition 22.
        assert_eq!(coordinator_broker("hello", 5), 2);
        // "polygenelubricants".hashCode() is Integer.MIN_VALUE, whose Utils.abs is 0.
        assert_eq!(coordinator_broker("polygenelubricants", 7), 0);
        // "order-service": 562889526, partition 26.
        assert_eq!(coordinator_broker("order-service", 4), 2);
        assert_eq!(coordinator_broker("x", 0), 0);
    }
}
