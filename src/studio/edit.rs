//! The canvas' editing commands: create, move, delete, connect, copy and paste. Each is a
//! [`Command`], applied by `StudioApp` like every other change, so each is one undo step.
//!
//! These hold no domain rules beyond what the change itself needs: a new element gets sensible
//! defaults and a unique id, a deleted element takes the references to it along, a connection
//! writes the one reference it stands for. Whether the result is a sound architecture is for
//! [`crate::model::validate`] to say.

use eframe::egui;

use egui::{Pos2, Rect, Vec2, pos2, vec2};

use crate::model::{
    CanvasNote, CommitMode, ConsumerGroup, Coordination, ElementKind, ElementRef, EventStore,
    Expectation, FaultKind, KeyDistribution, Model, Position, Producer, Projection, Publication,
    PublishMode, RateProcess, Reaction, RetryMode, Saga, SizeDistribution, TimeDistribution, Topic,
};

use super::commands::{Command, rename};
use super::diagram::node_size;

/// The canvas grid: moved and placed nodes snap to it.
pub const GRID: f32 = 24.0;

/// The kinds the palette creates, in the palette's order.
pub const CREATABLE: [ElementKind; 7] = [
    ElementKind::Producer,
    ElementKind::Topic,
    ElementKind::ConsumerGroup,
    ElementKind::Saga,
    ElementKind::Projection,
    ElementKind::EventStore,
    ElementKind::CanvasNote,
];

/// `point` moved to the nearest grid point.
pub fn snap(point: Pos2) -> Pos2 {
    pos2(
        (point.x / GRID).round() * GRID,
        (point.y / GRID).round() * GRID,
    )
}

/// Whether `id` names anything in `model` that ids must not clash with: a drawable element, a
/// canvas note or an event type.
fn id_in_use(model: &Model, id: &str) -> bool {
    model.elements().iter().any(|e| e.id == id)
        || model.layout.notes.iter().any(|n| n.id == id)
        || model.event_types.iter().any(|e| e.id == id)
}

/// The first of `base`, `base-2`, `base-3`, … that `model` does not use and `taken` does not
/// hold.
fn fresh_id(model: &Model, base: &str, taken: &[String]) -> String {
    let free = |id: &str| !id_in_use(model, id) && !taken.iter().any(|t| t == id);
    if free(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| free(id))
        .unwrap_or_else(|| base.to_owned())
}

/// The id a new element of `kind` gets in `model`.
pub fn new_id(model: &Model, kind: ElementKind) -> String {
    let base = match kind {
        ElementKind::ConsumerGroup => "group",
        ElementKind::EventStore => "event-store",
        ElementKind::CanvasNote => "note",
        other => other.label(),
    };
    fresh_id(model, base, &[])
}

/// Where `element`'s node sits, when the model says.
fn position_of(model: &Model, element: &ElementRef) -> Option<Pos2> {
    let p = if element.kind == ElementKind::CanvasNote {
        model
            .layout
            .notes
            .iter()
            .find(|n| n.id == element.id)
            .map(|n| n.position)
    } else {
        model.layout.positions.get(&element.id).copied()
    }?;
    Some(pos2(p.x, p.y))
}

/// Puts `element`'s node at `at` (its top-left corner).
fn set_position(model: &mut Model, element: &ElementRef, at: Pos2) {
    let position = Position { x: at.x, y: at.y };
    if element.kind == ElementKind::CanvasNote {
        if let Some(note) = model.layout.notes.iter_mut().find(|n| n.id == element.id) {
            note.position = position;
        }
    } else {
        model.layout.positions.insert(element.id.clone(), position);
    }
}

/// Moves nodes: each element to its new top-left corner. One command, so one undo step for a
/// whole drag.
pub fn move_nodes(moves: Vec<(ElementRef, Pos2)>) -> Command {
    let description = match moves.as_slice() {
        [(element, _)] => format!("move {element}"),
        many => format!("move {} nodes", many.len()),
    };
    Command::new(description, move |m| {
        for (element, at) in &moves {
            if !at.x.is_finite() || !at.y.is_finite() {
                return Err(format!(
                    "{element} cannot go to a position that is not a number"
                ));
            }
            set_position(m, element, *at);
        }
        Ok(())
    })
}

/// Sets every position at once (the automatic layout).
pub fn set_positions(positions: Vec<(ElementRef, Pos2)>) -> Command {
    Command::new("lay out the canvas", move |m| {
        for (element, at) in &positions {
            set_position(m, element, *at);
        }
        Ok(())
    })
}

/// A new element of `kind` with id `id` and defaults that validate as far as an element
/// without connections can.
fn add_element(model: &mut Model, kind: ElementKind, id: &str) -> Result<(), String> {
    let first_event_type = model.event_types.first().map(|e| e.id.clone());
    let id = id.to_owned();
    match kind {
        ElementKind::Producer => model.producers.push(Producer {
            id,
            topics: Vec::new(),
            event_types: first_event_type.into_iter().collect(),
            rate: RateProcess::Poisson { per_second: 10.0 },
            keys: KeyDistribution::Uniform {
                keys: 1_000,
                prefix: "key-".to_owned(),
            },
            record_size: SizeDistribution::Constant { bytes: 512 },
            acks: crate::model::Acks::All,
            enable_idempotence: true,
            retries: 2_147_483_647,
            max_in_flight_requests: 5,
            linger_ms: 5.0,
            batch_size_bytes: 16_384,
        }),
        ElementKind::Topic => {
            let brokers = u32::try_from(model.cluster.brokers.len()).unwrap_or(u32::MAX);
            let replication_factor = brokers.clamp(1, 3);
            model.topics.push(Topic {
                id,
                partitions: 3,
                replication_factor,
                min_insync_replicas: replication_factor.saturating_sub(1).max(1),
                retention: crate::model::Retention::default(),
                cleanup_policy: crate::model::CleanupPolicy::default(),
                event_types: first_event_type.into_iter().collect(),
                subject_strategy: crate::model::SubjectStrategy::default(),
            });
        }
        ElementKind::ConsumerGroup => model.consumer_groups.push(ConsumerGroup {
            id,
            topics: Vec::new(),
            members: 1,
            static_membership: false,
            assignor: crate::model::Assignor::default(),
            processing_time: TimeDistribution::Constant { ms: 5.0 },
            concurrency: 1,
            ordering: crate::model::OrderingMode::default(),
            auto_offset_reset: crate::model::OffsetReset::default(),
            max_poll_records: 500,
            max_poll_interval_ms: 300_000,
            session_timeout_ms: 45_000,
            commit: CommitMode::AfterBatch,
            failures: crate::model::FailureModel::default(),
            retry: crate::model::RetryPolicy::default(),
            dead_letter_topic: None,
            idempotent: false,
            reactions: Vec::new(),
        }),
        ElementKind::Saga => model.sagas.push(Saga {
            id,
            trigger: first_event_type.unwrap_or_default(),
            coordination: Coordination::Choreographed { steps: Vec::new() },
            idempotent_steps: true,
        }),
        ElementKind::Projection => model.projections.push(Projection {
            id,
            topics: Vec::new(),
            folds: Vec::new(),
            store: crate::model::StoreKind::default(),
            write_latency: TimeDistribution::Constant { ms: 2.0 },
            rebuild: crate::model::RebuildPolicy::default(),
            idempotent: true,
            queries_per_second: 0.0,
            write_failure_probability: 0.0,
        }),
        ElementKind::EventStore => model.event_stores.push(EventStore {
            id,
            aggregate: "Aggregate".to_owned(),
            aggregates: 1_000,
            event_types: first_event_type.into_iter().collect(),
            commands_per_second: 10.0,
            writers: 1,
            snapshot_every: None,
            expected_version: true,
            conflict_retries: 3,
            append_latency: TimeDistribution::Constant { ms: 2.0 },
            read_latency_per_event: TimeDistribution::Constant { ms: 0.2 },
            publish: None,
        }),
        ElementKind::CanvasNote => model.layout.notes.push(CanvasNote {
            id,
            text: "A note".to_owned(),
            position: Position::default(),
        }),
        other => {
            return Err(format!(
                "a {} is not drawn on the canvas; add it in the model file",
                other.label()
            ));
        }
    }
    Ok(())
}

/// The rectangles of every positioned node of `model`.
fn positioned_rects(model: &Model) -> Vec<Rect> {
    let mut elements = model.elements();
    elements.extend(
        model
            .layout
            .notes
            .iter()
            .map(|n| ElementRef::new(ElementKind::CanvasNote, &n.id)),
    );
    elements
        .iter()
        .filter_map(|e| {
            Some(Rect::from_min_size(
                position_of(model, e)?,
                node_size(model, e),
            ))
        })
        .collect()
}

/// The first spot at or below `at` (on the grid) where a node of `size` overlaps no
/// positioned node.
fn free_spot(model: &Model, at: Pos2, size: Vec2) -> Pos2 {
    let taken = positioned_rects(model);
    let mut spot = snap(at);
    for _ in 0..500 {
        let rect = Rect::from_min_size(spot, size).expand(GRID / 2.0 - 1.0);
        match taken
            .iter()
            .filter(|t| t.intersects(rect))
            .map(|t| t.bottom())
            .reduce(f32::max)
        {
            Some(bottom) => spot = snap(pos2(spot.x, bottom + GRID)),
            None => break,
        }
    }
    spot
}

/// Creates an element of `kind` with id `id`, centred on `at` where that overlaps nothing
/// (otherwise just below).
pub fn create(kind: ElementKind, id: String, at: Pos2) -> Command {
    Command::new(format!("add {} `{id}`", kind.label()), move |m| {
        if id_in_use(m, &id) {
            return Err(format!("`{id}` is already in use"));
        }
        add_element(m, kind, &id)?;
        let element = ElementRef::new(kind, &id);
        let size = node_size(m, &element);
        let spot = free_spot(m, at - size / 2.0, size);
        set_position(m, &element, spot);
        Ok(())
    })
}

/// Deletes `elements`, with every reference to them. Refuses (and deletes nothing) when a
/// reference cannot be removed without breaking what holds it: a saga's topic or participant.
pub fn delete(elements: Vec<ElementRef>) -> Command {
    let description = match elements.as_slice() {
        [one] => format!("delete {one}"),
        many => format!("delete {} elements", many.len()),
    };
    Command::new(description, move |m| {
        for element in &elements {
            delete_one(m, element)?;
        }
        Ok(())
    })
}

fn delete_one(model: &mut Model, element: &ElementRef) -> Result<(), String> {
    let id = element.id.as_str();
    let before = model.elements().len() + model.layout.notes.len();
    match element.kind {
        ElementKind::Topic => {
            for saga in &model.sagas {
                if let Coordination::Orchestrated { reply_topic, steps } = &saga.coordination
                    && (reply_topic == id || steps.iter().any(|s| s.command_topic == id))
                {
                    return Err(format!(
                        "saga `{}` sends commands or replies on it; change the saga first",
                        saga.id
                    ));
                }
            }
            model.topics.retain(|t| t.id != id);
            for p in &mut model.producers {
                p.topics.retain(|t| t != id);
            }
            for g in &mut model.consumer_groups {
                g.topics.retain(|t| t != id);
                g.reactions.retain(|r| r.topic != id);
                if g.dead_letter_topic.as_deref() == Some(id) {
                    g.dead_letter_topic = None;
                }
                // A retry topic that is gone: retries re-append to the record's own topic.
                if let RetryMode::RetryTopic { topic } = &mut g.retry.mode
                    && topic.as_deref() == Some(id)
                {
                    *topic = None;
                }
            }
            for p in &mut model.projections {
                p.topics.retain(|t| t != id);
            }
            for s in &mut model.event_stores {
                if s.publish.as_ref().is_some_and(|p| p.topic == id) {
                    s.publish = None;
                }
            }
        }
        ElementKind::Producer => {
            model.producers.retain(|p| p.id != id);
            for scenario in &mut model.scenarios {
                scenario.faults.retain(|f| match &f.kind {
                    FaultKind::ProducerBurst { producer, .. }
                    | FaultKind::PoisonMessage { producer, .. } => producer != id,
                    FaultKind::NetworkPartition { client, .. } => client != id,
                    _ => true,
                });
            }
        }
        ElementKind::ConsumerGroup => {
            for saga in &model.sagas {
                let participant = match &saga.coordination {
                    Coordination::Orchestrated { steps, .. } => {
                        steps.iter().any(|s| s.participant == id)
                    }
                    Coordination::Choreographed { steps } => {
                        steps.iter().any(|s| s.participant == id)
                    }
                };
                if participant {
                    return Err(format!(
                        "it performs a step of saga `{}`; change the saga first",
                        saga.id
                    ));
                }
            }
            model.consumer_groups.retain(|g| g.id != id);
            for scenario in &mut model.scenarios {
                scenario.faults.retain(|f| match &f.kind {
                    FaultKind::MemberCrash { group, .. }
                    | FaultKind::MemberRestart { group, .. }
                    | FaultKind::Slowdown { group, .. }
                    | FaultKind::ErrorSpike { group, .. } => group != id,
                    FaultKind::NetworkPartition { client, .. } => client != id,
                    _ => true,
                });
                scenario.expectations.retain(
                    |e| !matches!(e, Expectation::MaxLagBelow { group: Some(g), .. } if g == id),
                );
            }
        }
        // Faults that happen to a deleted saga (its orchestrator), projection or event store
        // (its writers) go with it.
        ElementKind::Saga => {
            model.sagas.retain(|s| s.id != id);
            remove_faults_on(model, id);
        }
        ElementKind::Projection => {
            model.projections.retain(|p| p.id != id);
            remove_faults_on(model, id);
            for scenario in &mut model.scenarios {
                scenario.faults.retain(
                    |f| !matches!(&f.kind, FaultKind::RebuildProjection { projection } if projection == id),
                );
            }
        }
        ElementKind::EventStore => {
            model.event_stores.retain(|s| s.id != id);
            remove_faults_on(model, id);
        }
        ElementKind::CanvasNote => model.layout.notes.retain(|n| n.id != id),
        other => {
            return Err(format!(
                "a {} is not on the canvas; delete it in the inspector or the file",
                other.label()
            ));
        }
    }
    if element.kind != ElementKind::CanvasNote {
        model.layout.positions.remove(id);
    }
    if model.elements().len() + model.layout.notes.len() == before {
        return Err(format!("the model has no {element} any more"));
    }
    Ok(())
}

/// Removes the faults that happen to `id`: a member crash or restart, a slowdown, an error
/// spike or a network partition naming it.
fn remove_faults_on(model: &mut Model, id: &str) {
    for scenario in &mut model.scenarios {
        scenario.faults.retain(|f| match &f.kind {
            FaultKind::MemberCrash { group: target, .. }
            | FaultKind::MemberRestart { group: target, .. }
            | FaultKind::Slowdown { group: target, .. }
            | FaultKind::ErrorSpike { group: target, .. }
            | FaultKind::NetworkPartition { client: target, .. } => target != id,
            _ => true,
        });
    }
}

/// "a producer", "an event store".
fn with_article(kind: ElementKind) -> String {
    let label = kind.label();
    let article = if label.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {label}")
}

/// Whether a topic's name says it holds dead letters (`payments.dlt`, `orders-dlq`, …).
pub fn is_dead_letter_name(id: &str) -> bool {
    let id = id.to_ascii_lowercase();
    [".dlt", "-dlt", "_dlt", ".dlq", "-dlq", "_dlq"]
        .iter()
        .any(|suffix| id.ends_with(suffix))
        || id.contains("dead-letter")
        || id.contains("deadletter")
}

/// The connections a drag from one node's handle to another can make, for messages.
pub const VALID_CONNECTIONS: &str = "producer to topic, topic to consumer group, consumer \
     group to topic, topic to projection, event store to topic";

/// Connects `from` to `to`, writing the reference the connection stands for:
///
/// - producer → topic: the producer publishes to the topic (`topics`);
/// - topic → consumer group: the group subscribes (`topics`);
/// - consumer group → topic: a topic named like a dead-letter topic (`.dlt`, `-dlq`, …)
///   becomes the group's `dead_letter_topic`; any other gets a reaction emitting the topic's
///   first event type;
/// - topic → projection: the projection folds the topic (`topics`);
/// - event store → topic: the store publishes its events there (outbox).
///
/// Anything else is refused with the reason.
pub fn connect(from: ElementRef, to: ElementRef) -> Command {
    Command::new(format!("connect {from} to {to}"), move |m| {
        connect_in(m, &from, &to)
    })
}

fn connect_in(model: &mut Model, from: &ElementRef, to: &ElementRef) -> Result<(), String> {
    use ElementKind as K;
    if from == to {
        return Err("a node cannot connect to itself".to_owned());
    }
    let gone = || format!("the model has no {from} or {to} any more");
    let already = || format!("{from} is already connected to {to}");
    let (source, target) = (from.id.as_str(), to.id.as_str());
    if matches!(to.kind, K::Topic) && model.topic(target).is_none() {
        return Err(gone());
    }
    if matches!(from.kind, K::Topic) && model.topic(source).is_none() {
        return Err(gone());
    }
    match (from.kind, to.kind) {
        (K::Producer, K::Topic) => {
            let producer = model
                .producers
                .iter_mut()
                .find(|p| p.id == source)
                .ok_or_else(gone)?;
            if producer.topics.iter().any(|t| t == target) {
                return Err(already());
            }
            producer.topics.push(target.to_owned());
        }
        (K::Topic, K::ConsumerGroup) => {
            let group = model
                .consumer_groups
                .iter_mut()
                .find(|g| g.id == target)
                .ok_or_else(gone)?;
            if group.topics.iter().any(|t| t == source) {
                return Err(already());
            }
            group.topics.push(source.to_owned());
        }
        (K::ConsumerGroup, K::Topic) => {
            let emit = model
                .topic(target)
                .and_then(|t| t.event_types.first().cloned());
            let group = model
                .consumer_groups
                .iter_mut()
                .find(|g| g.id == source)
                .ok_or_else(gone)?;
            if is_dead_letter_name(target) {
                if group.dead_letter_topic.as_deref() == Some(target) {
                    return Err(already());
                }
                group.dead_letter_topic = Some(target.to_owned());
            } else {
                let Some(emit) = emit else {
                    return Err(format!(
                        "topic `{target}` carries no event types, so the group has nothing to \
                         emit there; give the topic an event type first"
                    ));
                };
                if group
                    .reactions
                    .iter()
                    .any(|r| r.topic == target && r.emit == emit)
                {
                    return Err(already());
                }
                group.reactions.push(Reaction {
                    on: None,
                    emit,
                    topic: target.to_owned(),
                    probability: 1.0,
                    fan_out: 1,
                });
            }
        }
        (K::Topic, K::Projection) => {
            let projection = model
                .projections
                .iter_mut()
                .find(|p| p.id == target)
                .ok_or_else(gone)?;
            if projection.topics.iter().any(|t| t == source) {
                return Err(already());
            }
            projection.topics.push(source.to_owned());
        }
        (K::EventStore, K::Topic) => {
            let store = model
                .event_stores
                .iter_mut()
                .find(|s| s.id == source)
                .ok_or_else(gone)?;
            if store.publish.as_ref().is_some_and(|p| p.topic == target) {
                return Err(already());
            }
            store.publish = Some(Publication {
                topic: target.to_owned(),
                mode: PublishMode::Outbox,
            });
        }
        (a, b) => {
            return Err(format!(
                "{} cannot connect to {}; the connections are {VALID_CONNECTIONS}",
                with_article(a),
                with_article(b)
            ));
        }
    }
    Ok(())
}

/// The selected elements as the text of a model file holding just them (with their positions
/// and the event types they mention), for the clipboard. Pasting it into any model, in this
/// window or another, adds them.
pub fn copy_text(model: &Model, elements: &[ElementRef]) -> String {
    let mut clip = Model::new("clipboard");
    clip.cluster = model.cluster.clone();
    let has = |kind: ElementKind, id: &str| elements.iter().any(|e| e.kind == kind && e.id == id);
    clip.producers = model
        .producers
        .iter()
        .filter(|e| has(ElementKind::Producer, &e.id))
        .cloned()
        .collect();
    clip.topics = model
        .topics
        .iter()
        .filter(|e| has(ElementKind::Topic, &e.id))
        .cloned()
        .collect();
    clip.consumer_groups = model
        .consumer_groups
        .iter()
        .filter(|e| has(ElementKind::ConsumerGroup, &e.id))
        .cloned()
        .collect();
    clip.sagas = model
        .sagas
        .iter()
        .filter(|e| has(ElementKind::Saga, &e.id))
        .cloned()
        .collect();
    clip.projections = model
        .projections
        .iter()
        .filter(|e| has(ElementKind::Projection, &e.id))
        .cloned()
        .collect();
    clip.event_stores = model
        .event_stores
        .iter()
        .filter(|e| has(ElementKind::EventStore, &e.id))
        .cloned()
        .collect();
    clip.layout.notes = model
        .layout
        .notes
        .iter()
        .filter(|e| has(ElementKind::CanvasNote, &e.id))
        .cloned()
        .collect();
    for element in clip.elements() {
        if let Some(position) = model.layout.positions.get(&element.id) {
            clip.layout.positions.insert(element.id.clone(), *position);
        }
    }
    // The event types the copied elements mention travel with them, so a paste into another
    // model does not leave dangling references. Mentions are found in the text: every
    // reference to an event type is its id, quoted.
    let text = crate::model::save(&clip);
    clip.event_types = model
        .event_types
        .iter()
        .filter(|e| text.contains(&format!("\"{}\"", e.id)))
        .cloned()
        .collect();
    crate::model::save(&clip)
}

/// Reads clipboard text made by [`copy_text`] and prepares it for pasting into `model`: ids
/// that clash get fresh ones (references among the pasted elements follow), and a paste that
/// had to rename moves down and right so it does not hide what it copies. Event types travel
/// along, but one `model` already has (by id) is kept as it is there. Returns the command and
/// the elements it adds.
pub fn paste(model: &Model, text: &str) -> Result<(Command, Vec<ElementRef>), String> {
    let mut clip = crate::model::load(text).map_err(|err| {
        format!("the clipboard does not hold elements copied from Causeway ({err})")
    })?;
    let mut items = clip.elements();
    items.extend(
        clip.layout
            .notes
            .iter()
            .map(|n| ElementRef::new(ElementKind::CanvasNote, &n.id)),
    );
    if items.is_empty() {
        return Err("the clipboard holds no elements to paste".to_owned());
    }
    let mut taken: Vec<String> = items.iter().map(|e| e.id.clone()).collect();
    let mut renamed_any = false;
    let mut added = Vec::with_capacity(items.len());
    for item in items {
        if !id_in_use(model, &item.id) {
            added.push(item);
            continue;
        }
        renamed_any = true;
        let new = fresh_id(model, &format!("{}-copy", item.id), &taken);
        taken.push(new.clone());
        match item.kind {
            ElementKind::Saga => {
                if let Some(saga) = clip.sagas.iter_mut().find(|s| s.id == item.id) {
                    saga.id.clone_from(&new);
                }
                if let Some(p) = clip.layout.positions.remove(&item.id) {
                    clip.layout.positions.insert(new.clone(), p);
                }
            }
            ElementKind::CanvasNote => {
                if let Some(note) = clip.layout.notes.iter_mut().find(|n| n.id == item.id) {
                    note.id.clone_from(&new);
                }
            }
            _ => rename(&mut clip, &item, &new)?,
        }
        added.push(ElementRef::new(item.kind, new));
    }
    if renamed_any {
        let shift = vec2(2.0 * GRID, 2.0 * GRID);
        for p in clip.layout.positions.values_mut() {
            p.x += shift.x;
            p.y += shift.y;
        }
        for note in &mut clip.layout.notes {
            note.position.x += shift.x;
            note.position.y += shift.y;
        }
    }
    let description = match added.as_slice() {
        [one] => format!("paste {one}"),
        many => format!("paste {} elements", many.len()),
    };
    let command = Command::new(description, move |m| {
        for element in clip.elements() {
            if id_in_use(m, &element.id) {
                return Err(format!("`{}` is already in use", element.id));
            }
        }
        for event_type in clip.event_types {
            if m.event_type(&event_type.id).is_none() {
                m.event_types.push(event_type);
            }
        }
        m.producers.extend(clip.producers);
        m.topics.extend(clip.topics);
        m.consumer_groups.extend(clip.consumer_groups);
        m.sagas.extend(clip.sagas);
        m.projections.extend(clip.projections);
        m.event_stores.extend(clip.event_stores);
        m.layout.notes.extend(clip.layout.notes);
        m.layout.positions.extend(clip.layout.positions);
        Ok(())
    });
    Ok((command, added))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples;
    use crate::model::{Severity, validate};

    fn default_model() -> Model {
        examples::default_model().expect("the default example loads")
    }

    fn errors(model: &Model) -> usize {
        validate(model)
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    #[test]
    fn deleting_a_topic_removes_the_references_to_it() {
        let mut model = default_model();
        let before = errors(&model);
        delete(vec![ElementRef::new(ElementKind::Topic, "payments.dlt")])
            .apply(&mut model)
            .expect("the delete is accepted");
        assert!(model.topic("payments.dlt").is_none());
        assert!(!model.layout.positions.contains_key("payments.dlt"));
        assert!(errors(&model) <= before, "no reference was left dangling");
    }

    #[test]
    fn deleting_a_saga_or_a_projection_removes_the_faults_on_it() {
        use crate::model::Fault;
        let mut model = default_model();
        let broker = model.cluster.brokers.first().map_or(1, |b| b.id);
        let kinds = [
            FaultKind::MemberCrash {
                group: "order-saga".to_owned(),
                member: 0,
            },
            FaultKind::NetworkPartition {
                client: "order-saga".to_owned(),
                brokers: vec![broker],
                duration_ms: 1_000,
            },
            FaultKind::ErrorSpike {
                group: "order-list".to_owned(),
                probability: 1.0,
                duration_ms: 1_000,
            },
            FaultKind::Slowdown {
                group: "order-list".to_owned(),
                factor: 2.0,
                duration_ms: 1_000,
            },
            FaultKind::BrokerCrash { broker },
        ];
        let faults = &mut model.scenarios[0].faults;
        let kept = faults.len() + 1;
        for kind in kinds {
            faults.push(Fault { at_ms: 1_000, kind });
        }
        let before = errors(&model);
        delete(vec![
            ElementRef::new(ElementKind::Saga, "order-saga"),
            ElementRef::new(ElementKind::Projection, "order-list"),
        ])
        .apply(&mut model)
        .expect("the delete is accepted");
        let faults = &model.scenarios[0].faults;
        assert_eq!(
            faults.len(),
            kept,
            "only the broker crash is added and kept"
        );
        assert!(matches!(
            faults.last().map(|f| &f.kind),
            Some(FaultKind::BrokerCrash { .. })
        ));
        assert!(errors(&model) <= before, "no fault was left dangling");
    }

    #[test]
    fn a_saga_participant_is_not_deleted() {
        let mut model = default_model();
        let original = model.clone();
        let result =
            delete(vec![ElementRef::new(ElementKind::ConsumerGroup, "payment")]).apply(&mut model);
        assert!(result.is_err());
        assert_eq!(model, original);
    }

    #[test]
    fn every_kind_is_created_with_a_fresh_id() {
        let mut model = default_model();
        for kind in CREATABLE {
            let id = new_id(&model, kind);
            create(kind, id.clone(), pos2(0.0, 0.0))
                .apply(&mut model)
                .expect("the element is created");
            let id2 = new_id(&model, kind);
            assert_ne!(id, id2);
        }
        assert_eq!(model.sagas.len(), 2);
    }

    #[test]
    fn copy_and_paste_renames_clashing_ids_and_keeps_references_among_them() {
        let mut model = default_model();
        let text = copy_text(
            &model,
            &[
                ElementRef::new(ElementKind::Producer, "checkout"),
                ElementRef::new(ElementKind::Topic, "orders"),
            ],
        );
        let (command, added) = paste(&model, &text).expect("the text parses");
        command.apply(&mut model).expect("the paste is accepted");
        assert_eq!(added.len(), 2);
        let producer = model.producer("checkout-copy").expect("the copy is there");
        assert_eq!(producer.topics, ["orders-copy"]);
    }

    #[test]
    fn a_group_connected_to_a_topic_emits_there_or_dead_letters_there() {
        let mut model = default_model();
        let group = ElementRef::new(ElementKind::ConsumerGroup, "shipping");
        connect(
            group.clone(),
            ElementRef::new(ElementKind::Topic, "payments.dlt"),
        )
        .apply(&mut model)
        .expect("a dead-letter topic is accepted");
        assert_eq!(
            model
                .consumer_group("shipping")
                .and_then(|g| g.dead_letter_topic.clone())
                .as_deref(),
            Some("payments.dlt")
        );
        let reactions = model
            .consumer_group("shipping")
            .map_or(0, |g| g.reactions.len());
        connect(group, ElementRef::new(ElementKind::Topic, "orders"))
            .apply(&mut model)
            .expect("a reaction is added");
        assert_eq!(
            model
                .consumer_group("shipping")
                .map_or(0, |g| g.reactions.len()),
            reactions + 1
        );
        assert!(is_dead_letter_name("orders-DLQ"));
        assert!(!is_dead_letter_name("orders"));
    }

    #[test]
    fn invalid_connections_are_refused() {
        let mut model = default_model();
        let result = connect(
            ElementRef::new(ElementKind::Producer, "checkout"),
            ElementRef::new(ElementKind::Producer, "checkout"),
        )
        .apply(&mut model);
        assert!(result.is_err());
    }
}
