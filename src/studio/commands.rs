//! Commands: every change the studio makes to a model is one [`Command`], applied by
//! `StudioApp` so it can be undone. A command may refuse (a rename to an id in use), with a
//! sentence saying why; a refused command leaves the model as it was.

use crate::model::{
    Broker, CanvasNote, Cluster, ConsumerGroup, Coordination, ElementKind, ElementRef, EventStore,
    EventType, Expectation, FaultKind, Model, Producer, Projection, Saga, Scenario, Topic,
};

/// The change a command makes; an `Err` is a refusal, in a sentence.
type Change = Box<dyn FnOnce(&mut Model) -> Result<(), String>>;

/// A change to a model.
pub struct Command {
    /// What the change does, for the Edit menu ("Undo edit topic `orders`").
    pub description: String,
    change: Change,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Command")
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

impl Command {
    /// A command that runs `change` on the model.
    pub fn new(
        description: impl Into<String>,
        change: impl FnOnce(&mut Model) -> Result<(), String> + 'static,
    ) -> Self {
        Self {
            description: description.into(),
            change: Box::new(change),
        }
    }

    /// Applies the command to `model`. On refusal the model is unchanged.
    pub fn apply(self, model: &mut Model) -> Result<(), String> {
        let mut changed = model.clone();
        (self.change)(&mut changed)?;
        *model = changed;
        Ok(())
    }

    /// Sets the model's own fields: its name, description and cluster settings.
    pub fn set_model_fields(name: String, description: String, cluster: Cluster) -> Self {
        Self::new("edit the model", move |m| {
            m.name = name;
            m.description = description;
            m.cluster = cluster;
            Ok(())
        })
    }

    /// Replaces the topic `id` with `topic` (same id).
    pub fn set_topic(id: String, topic: Topic) -> Self {
        Self::new(format!("edit topic `{id}`"), move |m| {
            replace(&mut m.topics, |t| t.id == id, topic, &id)
        })
    }

    /// Replaces the producer `id` with `producer` (same id).
    pub fn set_producer(id: String, producer: Producer) -> Self {
        Self::new(format!("edit producer `{id}`"), move |m| {
            replace(&mut m.producers, |p| p.id == id, producer, &id)
        })
    }

    /// Replaces the consumer group `id` with `group` (same id).
    pub fn set_consumer_group(id: String, group: ConsumerGroup) -> Self {
        Self::new(format!("edit consumer group `{id}`"), move |m| {
            replace(&mut m.consumer_groups, |g| g.id == id, group, &id)
        })
    }

    /// Replaces the projection `id` with `projection` (same id).
    pub fn set_projection(id: String, projection: Projection) -> Self {
        Self::new(format!("edit projection `{id}`"), move |m| {
            replace(&mut m.projections, |p| p.id == id, projection, &id)
        })
    }

    /// Replaces the event store `id` with `store` (same id).
    pub fn set_event_store(id: String, store: EventStore) -> Self {
        Self::new(format!("edit event store `{id}`"), move |m| {
            replace(&mut m.event_stores, |s| s.id == id, store, &id)
        })
    }

    /// Replaces the event type `id` with `event_type` (same id).
    pub fn set_event_type(id: String, event_type: EventType) -> Self {
        Self::new(format!("edit event type `{id}`"), move |m| {
            replace(&mut m.event_types, |e| e.id == id, event_type, &id)
        })
    }

    /// Replaces the saga `id` with `saga` (same id).
    pub fn set_saga(id: String, saga: Saga) -> Self {
        Self::new(format!("edit saga `{id}`"), move |m| {
            replace(&mut m.sagas, |s| s.id == id, saga, &id)
        })
    }

    /// Replaces the scenario `name` with `scenario` (same name).
    pub fn set_scenario(name: String, scenario: Scenario) -> Self {
        Self::new(format!("edit scenario `{name}`"), move |m| {
            replace(&mut m.scenarios, |s| s.name == name, scenario, &name)
        })
    }

    /// Replaces the broker `id` with `broker` (same id).
    pub fn set_broker(id: u32, broker: Broker) -> Self {
        Self::new(format!("edit broker {id}"), move |m| {
            replace(
                &mut m.cluster.brokers,
                |b| b.id == id,
                broker,
                &id.to_string(),
            )
        })
    }

    /// Replaces the canvas note `id` with `note` (same id).
    pub fn set_note(id: String, note: CanvasNote) -> Self {
        Self::new(format!("edit note `{id}`"), move |m| {
            replace(&mut m.layout.notes, |n| n.id == id, note, &id)
        })
    }

    /// Renames `element` to `new_id`, updating every reference to it.
    pub fn rename(element: ElementRef, new_id: String) -> Self {
        Self::new(format!("rename {element} to `{new_id}`"), move |m| {
            rename(m, &element, &new_id)
        })
    }
}

/// Replaces the first item matching `is_it` with `value`.
fn replace<T>(
    items: &mut [T],
    is_it: impl Fn(&T) -> bool,
    value: T,
    id: &str,
) -> Result<(), String> {
    match items.iter_mut().find(|item| is_it(item)) {
        Some(item) => {
            *item = value;
            Ok(())
        }
        None => Err(format!("the model has no element `{id}` any more")),
    }
}

/// The kinds whose ids [`rename`] knows every reference to.
pub fn can_rename(kind: ElementKind) -> bool {
    matches!(
        kind,
        ElementKind::Topic
            | ElementKind::Producer
            | ElementKind::ConsumerGroup
            | ElementKind::Saga
            | ElementKind::Projection
            | ElementKind::EventStore
    )
}

/// Renames an element and every reference to it; refuses an empty id, an id in use, or a kind
/// whose references it does not know.
pub fn rename(model: &mut Model, element: &ElementRef, new_id: &str) -> Result<(), String> {
    let old = element.id.as_str();
    let new_id = new_id.trim();
    if new_id == old {
        return Ok(());
    }
    if new_id.is_empty() {
        return Err("an id cannot be empty".to_owned());
    }
    if model.elements().iter().any(|e| e.id == new_id) {
        return Err(format!(
            "`{new_id}` is already the id of another element; ids must be unique"
        ));
    }
    if !can_rename(element.kind) {
        return Err(format!(
            "renaming a {} is not supported yet; edit the model file",
            element.kind.label()
        ));
    }
    let new = new_id.to_owned();
    let rename_in = |ids: &mut Vec<String>| {
        for id in ids.iter_mut().filter(|id| *id == old) {
            id.clone_from(&new);
        }
    };
    let rename_one = |id: &mut String| {
        if id == old {
            id.clone_from(&new);
        }
    };
    let found = match element.kind {
        ElementKind::Topic => {
            let found = model.topics.iter_mut().find(|t| t.id == old).map(|t| {
                t.id.clone_from(&new);
            });
            for p in &mut model.producers {
                rename_in(&mut p.topics);
            }
            for g in &mut model.consumer_groups {
                rename_in(&mut g.topics);
                if let Some(dlt) = &mut g.dead_letter_topic {
                    rename_one(dlt);
                }
                if let crate::model::RetryMode::RetryTopic { topic: Some(t) } = &mut g.retry.mode {
                    rename_one(t);
                }
                for r in &mut g.reactions {
                    rename_one(&mut r.topic);
                }
            }
            for s in &mut model.sagas {
                if let Coordination::Orchestrated { reply_topic, steps } = &mut s.coordination {
                    rename_one(reply_topic);
                    for step in steps {
                        rename_one(&mut step.command_topic);
                    }
                }
            }
            for p in &mut model.projections {
                rename_in(&mut p.topics);
            }
            for s in &mut model.event_stores {
                if let Some(publish) = &mut s.publish {
                    rename_one(&mut publish.topic);
                }
            }
            found
        }
        ElementKind::Producer => {
            let found = model.producers.iter_mut().find(|p| p.id == old).map(|p| {
                p.id.clone_from(&new);
            });
            for fault in model.scenarios.iter_mut().flat_map(|s| &mut s.faults) {
                match &mut fault.kind {
                    FaultKind::ProducerBurst { producer, .. }
                    | FaultKind::PoisonMessage { producer, .. } => rename_one(producer),
                    FaultKind::NetworkPartition { client, .. } => rename_one(client),
                    _ => {}
                }
            }
            found
        }
        ElementKind::ConsumerGroup => {
            let found = model
                .consumer_groups
                .iter_mut()
                .find(|g| g.id == old)
                .map(|g| {
                    g.id.clone_from(&new);
                });
            rename_fault_targets(model, old, &new);
            for expectation in model.scenarios.iter_mut().flat_map(|s| &mut s.expectations) {
                if let Expectation::MaxLagBelow { group: Some(g), .. } = expectation {
                    rename_one(g);
                }
            }
            for s in &mut model.sagas {
                match &mut s.coordination {
                    Coordination::Orchestrated { steps, .. } => {
                        for step in steps {
                            rename_one(&mut step.participant);
                        }
                    }
                    Coordination::Choreographed { steps } => {
                        for step in steps {
                            rename_one(&mut step.participant);
                        }
                    }
                }
            }
            found
        }
        ElementKind::Projection => {
            let found = model.projections.iter_mut().find(|p| p.id == old).map(|p| {
                p.id.clone_from(&new);
            });
            // Faults name a projection too (its instances crash, its store fails, it is
            // rebuilt).
            rename_fault_targets(model, old, &new);
            for fault in model.scenarios.iter_mut().flat_map(|s| &mut s.faults) {
                if let FaultKind::RebuildProjection { projection } = &mut fault.kind {
                    rename_one(projection);
                }
            }
            found
        }
        // Faults name an event store (its writers crash and restart) and an orchestrated saga
        // (its orchestrator crashes, slows down, is cut off); nothing else names either.
        ElementKind::EventStore => {
            let found = model
                .event_stores
                .iter_mut()
                .find(|s| s.id == old)
                .map(|s| {
                    s.id.clone_from(&new);
                });
            rename_fault_targets(model, old, &new);
            found
        }
        ElementKind::Saga => {
            let found = model.sagas.iter_mut().find(|s| s.id == old).map(|s| {
                s.id.clone_from(&new);
            });
            rename_fault_targets(model, old, &new);
            found
        }
        _ => None,
    };
    if found.is_none() {
        return Err(format!("the model has no {element} any more"));
    }
    if let Some(position) = model.layout.positions.remove(old) {
        model.layout.positions.insert(new, position);
    }
    Ok(())
}

/// Renames `old` to `new` where a fault names the element it happens to (a member that
/// crashes, a reader that slows down or fails, a client cut off).
fn rename_fault_targets(model: &mut Model, old: &str, new: &str) {
    for fault in model.scenarios.iter_mut().flat_map(|s| &mut s.faults) {
        match &mut fault.kind {
            FaultKind::MemberCrash { group: id, .. }
            | FaultKind::MemberRestart { group: id, .. }
            | FaultKind::Slowdown { group: id, .. }
            | FaultKind::ErrorSpike { group: id, .. }
            | FaultKind::NetworkPartition { client: id, .. }
                if id == old =>
            {
                new.clone_into(id);
            }
            _ => {}
        }
    }
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
    fn renaming_a_topic_updates_every_reference() {
        let mut model = default_model();
        let before = errors(&model);
        Command::rename(
            ElementRef::new(ElementKind::Topic, "orders"),
            "orders-v2".to_owned(),
        )
        .apply(&mut model)
        .expect("the rename is accepted");
        assert!(model.topic("orders").is_none());
        assert!(model.topic("orders-v2").is_some());
        assert!(model.layout.positions.contains_key("orders-v2"));
        assert_eq!(errors(&model), before, "no reference was left dangling");
    }

    #[test]
    fn renaming_a_group_updates_every_reference() {
        let mut model = default_model();
        let before = errors(&model);
        let id = model.consumer_groups[0].id.clone();
        Command::rename(
            ElementRef::new(ElementKind::ConsumerGroup, &id),
            "renamed".to_owned(),
        )
        .apply(&mut model)
        .expect("the rename is accepted");
        assert_eq!(errors(&model), before);
    }

    /// `model` with a scenario whose faults happen to `target`: every kind that may name it.
    fn with_faults_on(mut model: Model, target: &str, store: bool) -> Model {
        use crate::model::Fault;
        let broker = model.cluster.brokers.first().map_or(1, |b| b.id);
        let mut kinds = vec![
            FaultKind::MemberCrash {
                group: target.to_owned(),
                member: 0,
            },
            FaultKind::MemberRestart {
                group: target.to_owned(),
                member: 0,
            },
        ];
        if !store {
            kinds.push(FaultKind::Slowdown {
                group: target.to_owned(),
                factor: 2.0,
                duration_ms: 1_000,
            });
            kinds.push(FaultKind::NetworkPartition {
                client: target.to_owned(),
                brokers: vec![broker],
                duration_ms: 1_000,
            });
        }
        let scenario = model
            .scenarios
            .first_mut()
            .expect("the model has a scenario");
        for (i, kind) in kinds.into_iter().enumerate() {
            scenario.faults.push(Fault {
                at_ms: 1_000 * (i as u64 + 1),
                kind,
            });
        }
        model
    }

    fn fault_targets(model: &Model) -> Vec<String> {
        model
            .scenarios
            .iter()
            .flat_map(|s| &s.faults)
            .filter_map(|f| match &f.kind {
                FaultKind::MemberCrash { group, .. }
                | FaultKind::MemberRestart { group, .. }
                | FaultKind::Slowdown { group, .. }
                | FaultKind::ErrorSpike { group, .. } => Some(group.clone()),
                FaultKind::NetworkPartition { client, .. } => Some(client.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn renaming_a_saga_or_an_event_store_renames_the_faults_on_it() {
        let mut model = with_faults_on(default_model(), "order-saga", false);
        let before = errors(&model);
        let named = fault_targets(&model)
            .iter()
            .filter(|t| *t == "order-saga")
            .count();
        assert!(named >= 4);
        Command::rename(
            ElementRef::new(ElementKind::Saga, "order-saga"),
            "checkout-saga".to_owned(),
        )
        .apply(&mut model)
        .expect("a saga can be renamed");
        assert!(model.sagas.iter().any(|s| s.id == "checkout-saga"));
        let targets = fault_targets(&model);
        assert_eq!(
            targets.iter().filter(|t| *t == "checkout-saga").count(),
            named
        );
        assert!(!targets.iter().any(|t| t == "order-saga"));
        assert!(model.layout.positions.contains_key("checkout-saga"));
        assert_eq!(errors(&model), before, "no fault was left dangling");

        let text = examples::example("bank-account").map(|e| e.text);
        let bank = crate::model::load(text.unwrap_or_default()).expect("the example loads");
        let mut model = with_faults_on(bank, "accounts", true);
        let before = errors(&model);
        let named = fault_targets(&model)
            .iter()
            .filter(|t| *t == "accounts")
            .count();
        assert!(named >= 2);
        Command::rename(
            ElementRef::new(ElementKind::EventStore, "accounts"),
            "ledger".to_owned(),
        )
        .apply(&mut model)
        .expect("an event store can be renamed");
        let targets = fault_targets(&model);
        assert_eq!(targets.iter().filter(|t| *t == "ledger").count(), named);
        assert!(!targets.iter().any(|t| t == "accounts"));
        assert_eq!(errors(&model), before, "no fault was left dangling");
    }

    #[test]
    fn a_rename_to_an_id_in_use_is_refused_and_changes_nothing() {
        let mut model = default_model();
        let original = model.clone();
        let other = model.producers[0].id.clone();
        let refused =
            Command::rename(ElementRef::new(ElementKind::Topic, "orders"), other).apply(&mut model);
        assert!(refused.is_err());
        assert_eq!(model, original);
    }
}
