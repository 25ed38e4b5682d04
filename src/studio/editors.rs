//! What the inspector edits for each kind of element. Each editor works on a copy of the
//! element and returns a command when the copy differs. Compound values (distributions,
//! lists) are edited by `compound.rs`, an event type's schema versions by `schema.rs`; the few
//! values that are derived rather than set (an event type's full name) are shown read-only.

use eframe::egui;

use egui::Ui;

use crate::model::{
    Acks, Assignor, Backoff, CleanupPolicy, CommitMode, Compatibility, Diagnostic, ElementKind,
    ElementRef, EventKind, Model, OffsetReset, OrderingMode, RebuildPolicy, StoreKind,
    SubjectStrategy,
};

use super::commands::{Command, can_rename};
use super::compound::{self, Known};
use super::fields::Fields;
use super::properties::properties;
use super::schema;
use crate::model::describe;

/// What an editor asks for this frame.
#[derive(Debug, Default)]
pub struct EditorOutcome {
    /// A change to apply (live: it becomes one undo step when the edit ends).
    pub edit: Option<Command>,
    /// A rename to apply as a step of its own, and the element as it will then be named.
    pub rename: Option<(Command, ElementRef)>,
    /// Whether an editor widget is still in use (focused or dragged).
    pub active: bool,
}

/// Shows the properties of `element`, editable where the studio knows how.
pub fn properties_editor_ui(
    ui: &mut Ui,
    model: &Model,
    diagnostics: &[Diagnostic],
    element: &ElementRef,
) -> EditorOutcome {
    let mine: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| &d.element == element)
        .collect();
    let mut fields = Fields::new(ui, &mine);
    let mut outcome = EditorOutcome::default();
    let known = Known {
        topics: model.topics.iter().map(|t| t.id.clone()).collect(),
        event_types: model.event_types.iter().map(|e| e.id.clone()).collect(),
        groups: model.consumer_groups.iter().map(|g| g.id.clone()).collect(),
        producers: model.producers.iter().map(|p| p.id.clone()).collect(),
        projections: model.projections.iter().map(|p| p.id.clone()).collect(),
        event_stores: model.event_stores.iter().map(|s| s.id.clone()).collect(),
        orchestrated_sagas: model
            .sagas
            .iter()
            .filter(|s| {
                matches!(
                    s.coordination,
                    crate::model::Coordination::Orchestrated { .. }
                )
            })
            .map(|s| s.id.clone())
            .collect(),
    };
    let brokers: Vec<u32> = model.cluster.brokers.iter().map(|b| b.id).collect();
    let topics = &known.topics;
    let event_types = &known.event_types;
    let id = element.id.as_str();
    let mut rename = None;
    // An event type's scalar fields are edited in the grid, its versions in tables below it.
    let mut event_type_copy = None;

    fields.grid(
        ui,
        &format!("inspector-properties-{element}"),
        |f, ui| match element.kind {
            ElementKind::Model => {
                // Only the fields edited here are copied: the model itself may be large.
                let mut name = model.name.clone();
                let mut description = model.description.clone();
                let mut cluster = model.cluster.clone();
                f.text(ui, "name", &mut name, false, "The model's name");
                f.text(
                    ui,
                    "description",
                    &mut description,
                    true,
                    "What the model is about",
                );
                f.number(
                    ui,
                    "network_latency_ms",
                    &mut cluster.network_latency_ms,
                    0.0..=10_000.0,
                    "ms",
                    "One-way latency between clients and brokers",
                );
                f.flag(
                    ui,
                    "unclean_leader_election",
                    &mut cluster.unclean_leader_election,
                    "Whether an out-of-sync replica may become leader (and lose records)",
                );
                f.number(
                    ui,
                    "replica_lag_time_max_ms",
                    &mut cluster.replica_lag_time_max_ms,
                    0..=3_600_000,
                    "ms",
                    "How long a follower may lag before it leaves the in-sync replicas",
                );
                for (key, value) in properties(model, element).unwrap_or_default() {
                    if matches!(key, "format" | "event_types" | "scenarios") {
                        f.read_only(ui, key, &value);
                    }
                }
                compound::brokers_ui(f, ui, &mut cluster.brokers);
                let mut notes = model.notes.clone();
                compound::text_list_ui(
                    f,
                    ui,
                    "notes",
                    &mut notes,
                    ("note", true),
                    "A design decision or a lesson step, kept in the file",
                );
                if notes != model.notes {
                    outcome.edit = Some(Command::new("edit the model's notes", move |m| {
                        m.name = name;
                        m.description = description;
                        m.cluster = cluster;
                        m.notes = notes;
                        Ok(())
                    }));
                } else if name != model.name
                    || description != model.description
                    || cluster != model.cluster
                {
                    outcome.edit = Some(Command::set_model_fields(name, description, cluster));
                }
            }
            ElementKind::Topic => {
                let Some(topic) = model.topic(id) else { return };
                let mut t = topic.clone();
                rename = f.id(ui, id, "The topic's name; Enter renames it everywhere");
                f.number(
                    ui,
                    "partitions",
                    &mut t.partitions,
                    1..=10_000,
                    "partitions",
                    "How many partitions the topic has",
                );
                f.number(
                    ui,
                    "replication_factor",
                    &mut t.replication_factor,
                    1..=16,
                    "replicas",
                    "Copies of each partition",
                );
                f.number(
                    ui,
                    "min_insync_replicas",
                    &mut t.min_insync_replicas,
                    1..=16,
                    "replicas",
                    "Replicas that must have a record for acks=all",
                );
                compound::retention_ui(f, ui, &mut t.retention);
                f.choice(
                    ui,
                    "cleanup_policy",
                    &mut t.cleanup_policy,
                    &[
                        (
                            CleanupPolicy::Delete,
                            describe::cleanup(CleanupPolicy::Delete),
                        ),
                        (
                            CleanupPolicy::Compact,
                            describe::cleanup(CleanupPolicy::Compact),
                        ),
                        (
                            CleanupPolicy::CompactDelete,
                            describe::cleanup(CleanupPolicy::CompactDelete),
                        ),
                    ],
                    "What happens to old records",
                );
                f.list(
                    ui,
                    "event_types",
                    &mut t.event_types,
                    event_types,
                    "The event types written to the topic",
                );
                f.choice(
                    ui,
                    "subject_strategy",
                    &mut t.subject_strategy,
                    &[
                        (
                            SubjectStrategy::TopicName,
                            describe::subject_strategy(SubjectStrategy::TopicName),
                        ),
                        (
                            SubjectStrategy::RecordName,
                            describe::subject_strategy(SubjectStrategy::RecordName),
                        ),
                        (
                            SubjectStrategy::TopicRecordName,
                            describe::subject_strategy(SubjectStrategy::TopicRecordName),
                        ),
                    ],
                    "How schema registry subjects are named",
                );
                if &t != topic {
                    outcome.edit = Some(Command::set_topic(id.to_owned(), t));
                }
            }
            ElementKind::Producer => {
                let Some(producer) = model.producer(id) else {
                    return;
                };
                let mut p = producer.clone();
                rename = f.id(ui, id, "The producer's name; Enter renames it everywhere");
                f.list(
                    ui,
                    "topics",
                    &mut p.topics,
                    topics,
                    "The topics it publishes to",
                );
                f.list(
                    ui,
                    "event_types",
                    &mut p.event_types,
                    event_types,
                    "The event types it publishes",
                );
                compound::rate_ui(f, ui, &mut p.rate);
                compound::keys_ui(f, ui, &mut p.keys);
                compound::size_ui(f, ui, &mut p.record_size);
                f.choice(
                    ui,
                    "acks",
                    &mut p.acks,
                    &[
                        (Acks::Zero, describe::acks(Acks::Zero)),
                        (Acks::One, describe::acks(Acks::One)),
                        (Acks::All, describe::acks(Acks::All)),
                    ],
                    "How many replicas must have a record before it counts as written",
                );
                f.flag(
                    ui,
                    "enable_idempotence",
                    &mut p.enable_idempotence,
                    "Whether retries can write duplicates",
                );
                f.number(
                    ui,
                    "retries",
                    &mut p.retries,
                    0..=1_000_000,
                    "",
                    "How often a failed send is retried",
                );
                f.number(
                    ui,
                    "max_in_flight_requests",
                    &mut p.max_in_flight_requests,
                    1..=100,
                    "requests",
                    "Unacknowledged requests per connection",
                );
                f.number(
                    ui,
                    "linger_ms",
                    &mut p.linger_ms,
                    0.0..=60_000.0,
                    "ms",
                    "How long a batch waits to fill",
                );
                f.number(
                    ui,
                    "batch_size_bytes",
                    &mut p.batch_size_bytes,
                    0..=64 * 1024 * 1024,
                    "bytes",
                    "The largest batch",
                );
                if &p != producer {
                    outcome.edit = Some(Command::set_producer(id.to_owned(), p));
                }
            }
            ElementKind::ConsumerGroup => {
                let Some(group) = model.consumer_group(id) else {
                    return;
                };
                let mut g = group.clone();
                rename = f.id(ui, id, "The group's name; Enter renames it everywhere");
                f.list(
                    ui,
                    "topics",
                    &mut g.topics,
                    topics,
                    "The topics it subscribes to",
                );
                f.number(
                    ui,
                    "members",
                    &mut g.members,
                    1..=1_000,
                    "members",
                    "Consumers in the group",
                );
                f.flag(
                    ui,
                    "static_membership",
                    &mut g.static_membership,
                    "Whether members keep their identity across restarts",
                );
                f.choice(
                    ui,
                    "assignor",
                    &mut g.assignor,
                    &[
                        (Assignor::Range, describe::assignor(Assignor::Range)),
                        (
                            Assignor::RoundRobin,
                            describe::assignor(Assignor::RoundRobin),
                        ),
                        (
                            Assignor::CooperativeSticky,
                            describe::assignor(Assignor::CooperativeSticky),
                        ),
                    ],
                    "How partitions are shared among members",
                );
                compound::time_ui(
                    f,
                    ui,
                    "processing_time",
                    &mut g.processing_time,
                    "Time to process one record",
                );
                f.number(
                    ui,
                    "concurrency",
                    &mut g.concurrency,
                    1..=1_000,
                    "in flight",
                    "Records processed at once per member",
                );
                f.choice(
                    ui,
                    "ordering",
                    &mut g.ordering,
                    &[
                        (
                            OrderingMode::PerPartition,
                            describe::ordering(OrderingMode::PerPartition),
                        ),
                        (
                            OrderingMode::PerKey,
                            describe::ordering(OrderingMode::PerKey),
                        ),
                        (
                            OrderingMode::Unordered,
                            describe::ordering(OrderingMode::Unordered),
                        ),
                    ],
                    "What may be processed concurrently",
                );
                f.choice(
                    ui,
                    "auto_offset_reset",
                    &mut g.auto_offset_reset,
                    &[
                        (
                            OffsetReset::Earliest,
                            describe::offset_reset(OffsetReset::Earliest),
                        ),
                        (
                            OffsetReset::Latest,
                            describe::offset_reset(OffsetReset::Latest),
                        ),
                    ],
                    "Where to start without a committed offset",
                );
                f.number(
                    ui,
                    "max_poll_records",
                    &mut g.max_poll_records,
                    1..=100_000,
                    "records",
                    "Records per poll",
                );
                f.number(
                    ui,
                    "max_poll_interval_ms",
                    &mut g.max_poll_interval_ms,
                    1..=86_400_000,
                    "ms",
                    "Longest gap between polls before the member is dropped",
                );
                f.number(
                    ui,
                    "session_timeout_ms",
                    &mut g.session_timeout_ms,
                    1..=3_600_000,
                    "ms",
                    "How long a silent member stays in the group",
                );
                commit_ui(f, ui, &mut g.commit);
                f.number(
                    ui,
                    "failures.probability",
                    &mut g.failures.probability,
                    0.0..=1.0,
                    "",
                    "Probability that one attempt fails",
                );
                f.list(
                    ui,
                    "failures.poison_event_types",
                    &mut g.failures.poison_event_types,
                    event_types,
                    "Event types whose records always fail",
                );
                compound::text_list_ui(
                    f,
                    ui,
                    "failures.poison_keys",
                    &mut g.failures.poison_keys,
                    ("key", false),
                    "A key whose records always fail",
                );
                f.number(
                    ui,
                    "retry.max_attempts",
                    &mut g.retry.max_attempts,
                    1..=1_000,
                    "attempts",
                    "Attempts in total, the first included",
                );
                backoff_ui(f, ui, &mut g.retry.backoff);
                f.number(
                    ui,
                    "retry.jitter",
                    &mut g.retry.jitter,
                    0.0..=1.0,
                    "",
                    "Random spread of each delay, as a fraction",
                );
                compound::retry_mode_ui(f, ui, &mut g.retry.mode, &known);
                // A dead-letter topic the model lacks stays selectable, so it is shown as it is.
                let unknown = g.dead_letter_topic.clone().filter(|t| !topics.contains(t));
                let mut dead_letter: Vec<(Option<String>, &str)> = vec![(None, "none")];
                dead_letter.extend(topics.iter().map(|t| (Some(t.clone()), t.as_str())));
                if let Some(current) = &unknown {
                    dead_letter.push((Some(current.clone()), current.as_str()));
                }
                f.choice(
                    ui,
                    "dead_letter_topic",
                    &mut g.dead_letter_topic,
                    &dead_letter,
                    "Where records go after the last attempt",
                );
                f.flag(
                    ui,
                    "idempotent",
                    &mut g.idempotent,
                    "Whether processing a record twice is harmless",
                );
                compound::reactions_ui(f, ui, &mut g.reactions, &known);
                if &g != group {
                    outcome.edit = Some(Command::set_consumer_group(id.to_owned(), g));
                }
            }
            ElementKind::Projection => {
                let Some(projection) = model.projections.iter().find(|p| p.id == id) else {
                    return;
                };
                let mut p = projection.clone();
                rename = f.id(ui, id, "The projection's name; Enter renames it");
                f.list(ui, "topics", &mut p.topics, topics, "The topics it reads");
                compound::folds_ui(f, ui, &mut p.folds, &known);
                f.choice(
                    ui,
                    "store",
                    &mut p.store,
                    &[
                        (
                            StoreKind::PostgreSql,
                            describe::store(StoreKind::PostgreSql),
                        ),
                        (
                            StoreKind::Elasticsearch,
                            describe::store(StoreKind::Elasticsearch),
                        ),
                        (StoreKind::Redis, describe::store(StoreKind::Redis)),
                        (StoreKind::InMemory, describe::store(StoreKind::InMemory)),
                    ],
                    "Where the read model lives",
                );
                compound::time_ui(
                    f,
                    ui,
                    "write_latency",
                    &mut p.write_latency,
                    "Time to write one update",
                );
                f.choice(
                    ui,
                    "rebuild",
                    &mut p.rebuild,
                    &[
                        (
                            RebuildPolicy::Manual,
                            describe::rebuild(RebuildPolicy::Manual),
                        ),
                        (
                            RebuildPolicy::OnStart,
                            describe::rebuild(RebuildPolicy::OnStart),
                        ),
                        (
                            RebuildPolicy::OnVersionChange,
                            describe::rebuild(RebuildPolicy::OnVersionChange),
                        ),
                    ],
                    "When the read model is rebuilt from the log",
                );
                f.flag(
                    ui,
                    "idempotent",
                    &mut p.idempotent,
                    "Whether applying an event twice is harmless",
                );
                f.number(
                    ui,
                    "queries_per_second",
                    &mut p.queries_per_second,
                    0.0..=1_000_000.0,
                    "queries/s",
                    "Reads of the read model",
                );
                f.number(
                    ui,
                    "write_failure_probability",
                    &mut p.write_failure_probability,
                    0.0..=1.0,
                    "",
                    "Probability that a write to the store fails (retried with backoff)",
                );
                if &p != projection {
                    outcome.edit = Some(Command::set_projection(id.to_owned(), p));
                }
            }
            ElementKind::EventStore => {
                let Some(store) = model.event_stores.iter().find(|s| s.id == id) else {
                    return;
                };
                let mut s = store.clone();
                rename = f.id(ui, id, "The event store's name; Enter renames it");
                f.text(
                    ui,
                    "aggregate",
                    &mut s.aggregate,
                    false,
                    "The aggregate type whose events it stores",
                );
                f.number(
                    ui,
                    "aggregates",
                    &mut s.aggregates,
                    1..=1_000_000_000,
                    "aggregates",
                    "Distinct aggregates",
                );
                f.list(
                    ui,
                    "event_types",
                    &mut s.event_types,
                    event_types,
                    "The event types it stores",
                );
                f.number(
                    ui,
                    "commands_per_second",
                    &mut s.commands_per_second,
                    0.0..=1_000_000.0,
                    "commands/s",
                    "Commands handled",
                );
                f.number(
                    ui,
                    "writers",
                    &mut s.writers,
                    1..=1_000,
                    "writers",
                    "Concurrent writers",
                );
                f.flag(
                    ui,
                    "expected_version",
                    &mut s.expected_version,
                    "Whether appends check the expected version",
                );
                f.number(
                    ui,
                    "conflict_retries",
                    &mut s.conflict_retries,
                    0..=1_000,
                    "retries",
                    "Retries after a version conflict",
                );
                compound::event_store_extras_ui(f, ui, &mut s, &known);
                if &s != store {
                    outcome.edit = Some(Command::set_event_store(id.to_owned(), s));
                }
            }
            ElementKind::EventType => {
                let Some(event_type) = model.event_type(id) else {
                    return;
                };
                let mut e = event_type.clone();
                f.read_only(ui, "id", id);
                f.text(
                    ui,
                    "namespace",
                    &mut e.namespace,
                    false,
                    "The Avro namespace",
                );
                f.choice(
                    ui,
                    "kind",
                    &mut e.kind,
                    &[
                        (EventKind::Domain, describe::event_kind(EventKind::Domain)),
                        (
                            EventKind::Integration,
                            describe::event_kind(EventKind::Integration),
                        ),
                        (
                            EventKind::Notification,
                            describe::event_kind(EventKind::Notification),
                        ),
                        (
                            EventKind::StateTransfer,
                            describe::event_kind(EventKind::StateTransfer),
                        ),
                    ],
                    "The role the event plays",
                );
                f.text(ui, "doc", &mut e.doc, true, "What the event means");
                let levels = [
                    Compatibility::None,
                    Compatibility::Backward,
                    Compatibility::BackwardTransitive,
                    Compatibility::Forward,
                    Compatibility::ForwardTransitive,
                    Compatibility::Full,
                    Compatibility::FullTransitive,
                ]
                .map(|c| (c, describe::compatibility(c)));
                f.choice(
                    ui,
                    "compatibility",
                    &mut e.compatibility,
                    &levels,
                    "Which schema changes the registry accepts",
                );
                f.read_only(ui, "full name", &e.full_name());
                event_type_copy = Some(e);
            }
            ElementKind::Saga => {
                let Some(saga) = model.sagas.iter().find(|s| s.id == id) else {
                    return;
                };
                let mut s = saga.clone();
                f.read_only(ui, "id", id);
                let unknown = Some(s.trigger.clone()).filter(|t| !event_types.contains(t));
                let mut triggers: Vec<(String, &str)> = event_types
                    .iter()
                    .map(|e| (e.clone(), e.as_str()))
                    .collect();
                if let Some(trigger) = &unknown {
                    triggers.push((trigger.clone(), trigger.as_str()));
                }
                f.choice(
                    ui,
                    "trigger",
                    &mut s.trigger,
                    &triggers,
                    "The event type that starts the saga",
                );
                f.flag(
                    ui,
                    "idempotent_steps",
                    &mut s.idempotent_steps,
                    "Whether a step run twice is harmless",
                );
                compound::coordination_ui(f, ui, &mut s.coordination, &known);
                if &s != saga {
                    outcome.edit = Some(Command::set_saga(id.to_owned(), s));
                }
            }
            ElementKind::Scenario => {
                let Some(scenario) = model.scenario(id) else {
                    return;
                };
                let mut s = scenario.clone();
                f.read_only(ui, "name", id);
                f.text(
                    ui,
                    "description",
                    &mut s.description,
                    true,
                    "What the scenario shows",
                );
                f.number(
                    ui,
                    "seed",
                    &mut s.seed,
                    0..=u64::MAX,
                    "",
                    "The random seed: the same seed gives the same run",
                );
                f.number(
                    ui,
                    "duration_ms",
                    &mut s.duration_ms,
                    1..=86_400_000,
                    "ms",
                    "Simulated time the run covers",
                );
                f.optional_number(
                    ui,
                    "stop_after_records",
                    &mut s.stop_after_records,
                    10_000,
                    ("run for the duration", "stop after"),
                    1..=u64::MAX,
                    "records",
                    "Stop producers after this many records in total, then drain",
                );
                compound::faults_ui(f, ui, &mut s.faults, &known, &brokers);
                compound::expectations_ui(f, ui, &mut s.expectations, &known);
                if &s != scenario {
                    outcome.edit = Some(Command::set_scenario(id.to_owned(), s));
                }
            }
            ElementKind::Broker => {
                let Some(broker) = model
                    .cluster
                    .brokers
                    .iter()
                    .find(|b| b.id.to_string() == id)
                else {
                    return;
                };
                let mut b = broker.clone();
                f.read_only(ui, "id", id);
                let mut rack = b.rack.clone().unwrap_or_default();
                f.text(
                    ui,
                    "rack",
                    &mut rack,
                    false,
                    "The rack or zone (empty for none)",
                );
                b.rack = Some(rack).filter(|r| !r.is_empty());
                f.number(
                    ui,
                    "write_mb_per_s",
                    &mut b.write_mb_per_s,
                    0.0..=100_000.0,
                    "MB/s",
                    "How fast the broker writes",
                );
                if &b != broker {
                    outcome.edit = Some(Command::set_broker(b.id, b));
                }
            }
            ElementKind::CanvasNote => {
                let Some(note) = model.layout.notes.iter().find(|n| n.id == id) else {
                    return;
                };
                let mut n = note.clone();
                f.read_only(ui, "id", id);
                f.text(ui, "text", &mut n.text, true, "The note's text");
                f.read_only(
                    ui,
                    "position",
                    &format!("{}, {}", n.position.x, n.position.y),
                );
                if &n != note {
                    outcome.edit = Some(Command::set_note(id.to_owned(), n));
                }
            }
        },
    );
    if let Some(mut e) = event_type_copy {
        ui.add_space(6.0);
        schema::versions_ui(ui, &mut fields, &mut e.versions);
        ui.add_space(6.0);
        super::schema_check::compatibility_ui(ui, model, &e);
        if model.event_type(id) != Some(&e) {
            outcome.edit = Some(Command::set_event_type(id.to_owned(), e));
        }
    }
    if let Some(new_id) = rename
        && can_rename(element.kind)
    {
        let renamed = ElementRef::new(element.kind, new_id.trim());
        outcome.rename = Some((Command::rename(element.clone(), new_id), renamed));
    }
    outcome.active = fields.active;
    outcome
}

/// The commit mode: a choice of kind, and the interval for automatic commits.
fn commit_ui(f: &mut Fields, ui: &mut Ui, commit: &mut CommitMode) {
    let auto = match commit {
        CommitMode::Auto { interval_ms } => CommitMode::Auto {
            interval_ms: *interval_ms,
        },
        _ => CommitMode::Auto { interval_ms: 5_000 },
    };
    f.choice(
        ui,
        "commit",
        commit,
        &[
            (auto, "automatic"),
            (CommitMode::AfterEach, "after each record"),
            (CommitMode::AfterBatch, "after each batch"),
        ],
        "When offsets are committed",
    );
    if let CommitMode::Auto { interval_ms } = commit {
        f.number(
            ui,
            "commit.interval_ms",
            interval_ms,
            1..=3_600_000,
            "ms",
            "auto.commit.interval.ms",
        );
    }
}

/// The retry backoff: fixed or exponential, and its delays.
fn backoff_ui(f: &mut Fields, ui: &mut Ui, backoff: &mut Backoff) {
    let fixed = match backoff {
        Backoff::Fixed { delay_ms } => Backoff::Fixed {
            delay_ms: *delay_ms,
        },
        Backoff::Exponential { initial_ms, .. } => Backoff::Fixed {
            delay_ms: *initial_ms,
        },
    };
    let exponential = match backoff {
        Backoff::Exponential {
            initial_ms,
            multiplier,
            max_ms,
        } => Backoff::Exponential {
            initial_ms: *initial_ms,
            multiplier: *multiplier,
            max_ms: *max_ms,
        },
        Backoff::Fixed { delay_ms } => Backoff::Exponential {
            initial_ms: *delay_ms,
            multiplier: 2.0,
            max_ms: delay_ms.saturating_mul(32),
        },
    };
    f.choice(
        ui,
        "retry.backoff",
        backoff,
        &[(fixed, "fixed"), (exponential, "exponential")],
        "The delay between attempts",
    );
    match backoff {
        Backoff::Fixed { delay_ms } => {
            f.number(
                ui,
                "retry.delay_ms",
                delay_ms,
                0..=3_600_000,
                "ms",
                "The delay between attempts",
            );
        }
        Backoff::Exponential {
            initial_ms,
            multiplier,
            max_ms,
        } => {
            f.number(
                ui,
                "retry.initial_ms",
                initial_ms,
                0..=3_600_000,
                "ms",
                "The first delay",
            );
            f.number(
                ui,
                "retry.multiplier",
                multiplier,
                1.0..=100.0,
                "x",
                "Growth per attempt",
            );
            f.number(
                ui,
                "retry.max_ms",
                max_ms,
                0..=86_400_000,
                "ms",
                "The longest delay",
            );
        }
    }
}
