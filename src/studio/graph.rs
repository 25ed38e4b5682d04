//! The connections the canvas draws between elements, read from the references a model holds.
//!
//! This is presentation only: every edge mirrors a reference in the model file (a producer's
//! `topics`, a group's `reactions`, a saga step's `command_topic`, …). References to elements
//! that do not exist are skipped here; validation reports them.

use crate::model::describe::compact_number;
use crate::model::{Coordination, ElementKind, ElementRef, Model, PublishMode};

/// What a connection means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    /// A producer publishes to a topic.
    Publishes,
    /// A consumer group subscribes to a topic.
    Subscribes,
    /// A consumer group emits events to a topic in reaction to what it consumes.
    Emits,
    /// A consumer group sends records it gave up on to its dead-letter topic.
    DeadLetters,
    /// A projection folds a topic's events into its read model.
    Projects,
    /// An orchestrated saga sends a step's command to a topic.
    SagaCommand,
    /// An orchestrated saga sends a compensation command to a topic.
    Compensates,
    /// An orchestrated saga's participants reply on a topic the saga reads.
    SagaReply,
    /// A choreographed saga's step is performed by a consumer group.
    SagaParticipant,
    /// An event store publishes its new events to a topic.
    StorePublishes,
}

impl EdgeKind {
    /// Every kind, in legend order.
    pub const ALL: [Self; 10] = [
        Self::Publishes,
        Self::Subscribes,
        Self::Emits,
        Self::DeadLetters,
        Self::Projects,
        Self::SagaCommand,
        Self::Compensates,
        Self::SagaReply,
        Self::SagaParticipant,
        Self::StorePublishes,
    ];

    /// A short human name, used in the legend and the inspector.
    pub fn label(self) -> &'static str {
        match self {
            Self::Publishes => "publishes",
            Self::Subscribes => "subscribes",
            Self::Emits => "emits",
            Self::DeadLetters => "dead-letters",
            Self::Projects => "projects",
            Self::SagaCommand => "saga command",
            Self::Compensates => "compensates",
            Self::SagaReply => "saga reply",
            Self::SagaParticipant => "saga participant",
            Self::StorePublishes => "event store publishes",
        }
    }

    /// How the inspector describes the element at the other end, seen from the edge's source
    /// (`outgoing`) or from its target ("consumed by", "subscribes to").
    pub fn phrase(self, outgoing: bool) -> &'static str {
        match (self, outgoing) {
            (Self::Publishes | Self::StorePublishes, true) => "publishes to",
            (Self::Publishes | Self::StorePublishes, false) => "published by",
            (Self::Subscribes, true) => "consumed by",
            (Self::Subscribes, false) => "subscribes to",
            (Self::Emits, true) => "emits to",
            (Self::Emits, false) => "emitted to by",
            (Self::DeadLetters, true) => "dead-letters to",
            (Self::DeadLetters, false) => "dead letters of",
            (Self::Projects, true) => "projected by",
            (Self::Projects, false) => "projects from",
            (Self::SagaCommand, true) => "commands to",
            (Self::SagaCommand, false) => "commands from",
            (Self::Compensates, true) => "compensates via",
            (Self::Compensates, false) => "compensations from",
            (Self::SagaReply, true) => "replies to",
            (Self::SagaReply, false) => "replies on",
            (Self::SagaParticipant, true) => "step performed by",
            (Self::SagaParticipant, false) => "performs a step of",
        }
    }

    /// Whether the edge is drawn dashed: flows that only happen on failure or that close a loop.
    pub fn is_dashed(self) -> bool {
        matches!(
            self,
            Self::DeadLetters | Self::Compensates | Self::SagaReply | Self::SagaParticipant
        )
    }
}

/// One connection between two drawn elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// Where the flow starts.
    pub from: ElementRef,
    /// Where the flow ends.
    pub to: ElementRef,
    /// What the connection means.
    pub kind: EdgeKind,
    /// The text drawn on the edge.
    pub label: String,
}

/// Every connection of `model`, in a stable order (the model's file order).
pub fn edges(model: &Model) -> Vec<Edge> {
    let mut out = Vec::new();
    let topic = |id: &str| ElementRef::new(ElementKind::Topic, id);
    let has_topic = |id: &str| model.topic(id).is_some();

    for producer in &model.producers {
        let from = ElementRef::new(ElementKind::Producer, &producer.id);
        let rate = producer.rate.mean_per_second();
        let label = if rate.is_finite() && rate > 0.0 {
            format!("{} /s", compact_number(rate))
        } else {
            "publishes".to_owned()
        };
        for id in unique(producer.topics.iter().map(String::as_str)) {
            if has_topic(id) {
                out.push(Edge {
                    from: from.clone(),
                    to: topic(id),
                    kind: EdgeKind::Publishes,
                    label: label.clone(),
                });
            }
        }
    }

    for group in &model.consumer_groups {
        let node = ElementRef::new(ElementKind::ConsumerGroup, &group.id);
        for id in unique(group.topics.iter().map(String::as_str)) {
            if has_topic(id) {
                out.push(Edge {
                    from: topic(id),
                    to: node.clone(),
                    kind: EdgeKind::Subscribes,
                    label: "subscribes".to_owned(),
                });
            }
        }
        // One edge per target topic, labelled with every event type emitted there.
        for id in unique(group.reactions.iter().map(|r| r.topic.as_str())) {
            if !has_topic(id) {
                continue;
            }
            let events: Vec<&str> = unique(
                group
                    .reactions
                    .iter()
                    .filter(|r| r.topic == id)
                    .map(|r| r.emit.as_str()),
            );
            out.push(Edge {
                from: node.clone(),
                to: topic(id),
                kind: EdgeKind::Emits,
                label: events.join(", "),
            });
        }
        if let Some(dlt) = &group.dead_letter_topic
            && has_topic(dlt)
        {
            out.push(Edge {
                from: node.clone(),
                to: topic(dlt),
                kind: EdgeKind::DeadLetters,
                label: "dead letters".to_owned(),
            });
        }
    }

    for saga in &model.sagas {
        let node = ElementRef::new(ElementKind::Saga, &saga.id);
        match &saga.coordination {
            Coordination::Orchestrated { reply_topic, steps } => {
                for (index, step) in steps.iter().enumerate() {
                    if has_topic(&step.command_topic) {
                        out.push(Edge {
                            from: node.clone(),
                            to: topic(&step.command_topic),
                            kind: EdgeKind::SagaCommand,
                            label: format!("{}. {}", index + 1, step.name),
                        });
                    }
                    if let Some(command) = &step.compensation
                        && let Some(target) =
                            compensation_topic(model, &step.command_topic, command)
                    {
                        out.push(Edge {
                            from: node.clone(),
                            to: topic(target),
                            kind: EdgeKind::Compensates,
                            label: format!("undo {}", step.name),
                        });
                    }
                }
                if has_topic(reply_topic) {
                    out.push(Edge {
                        from: topic(reply_topic),
                        to: node.clone(),
                        kind: EdgeKind::SagaReply,
                        label: "replies".to_owned(),
                    });
                }
            }
            Coordination::Choreographed { steps } => {
                for (index, step) in steps.iter().enumerate() {
                    if model.consumer_group(&step.participant).is_some() {
                        out.push(Edge {
                            from: node.clone(),
                            to: ElementRef::new(ElementKind::ConsumerGroup, &step.participant),
                            kind: EdgeKind::SagaParticipant,
                            label: format!("{}. on {}", index + 1, step.on),
                        });
                    }
                }
            }
        }
    }

    for projection in &model.projections {
        let node = ElementRef::new(ElementKind::Projection, &projection.id);
        for id in unique(projection.topics.iter().map(String::as_str)) {
            if has_topic(id) {
                out.push(Edge {
                    from: topic(id),
                    to: node.clone(),
                    kind: EdgeKind::Projects,
                    label: "projects".to_owned(),
                });
            }
        }
    }

    for store in &model.event_stores {
        if let Some(publication) = &store.publish
            && has_topic(&publication.topic)
        {
            out.push(Edge {
                from: ElementRef::new(ElementKind::EventStore, &store.id),
                to: topic(&publication.topic),
                kind: EdgeKind::StorePublishes,
                label: match publication.mode {
                    PublishMode::Outbox => "outbox",
                    PublishMode::DualWrite => "dual write",
                }
                .to_owned(),
            });
        }
    }

    out
}

/// The topic a compensation command is drawn to: the step's command topic when it carries the
/// command, else the first topic that does, else the command topic all the same.
fn compensation_topic<'m>(
    model: &'m Model,
    command_topic: &'m str,
    command: &str,
) -> Option<&'m str> {
    let carries = |id: &str| {
        model
            .topic(id)
            .is_some_and(|t| t.event_types.iter().any(|e| e == command))
    };
    if carries(command_topic) {
        return Some(command_topic);
    }
    if let Some(other) = model
        .topics
        .iter()
        .find(|t| t.event_types.iter().any(|e| e == command))
    {
        return Some(other.id.as_str());
    }
    model.topic(command_topic).map(|t| t.id.as_str())
}

/// The items in first-seen order, without repeats.
fn unique<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples;

    fn default_model() -> Model {
        let text = examples::example(examples::DEFAULT_EXAMPLE)
            .map(|e| e.text)
            .unwrap_or_default();
        crate::model::load(text).expect("the default example loads")
    }

    fn has(edges: &[Edge], kind: EdgeKind, from: &str, to: &str) -> bool {
        edges
            .iter()
            .any(|e| e.kind == kind && e.from.id == from && e.to.id == to)
    }

    #[test]
    fn the_default_example_has_every_kind_of_edge_it_uses() {
        let edges = edges(&default_model());
        assert!(has(&edges, EdgeKind::Publishes, "checkout", "orders"));
        assert!(has(
            &edges,
            EdgeKind::Subscribes,
            "payment-commands",
            "payment"
        ));
        assert!(has(&edges, EdgeKind::Emits, "payment", "saga-replies"));
        assert!(has(
            &edges,
            EdgeKind::DeadLetters,
            "payment",
            "payments.dlt"
        ));
        assert!(has(&edges, EdgeKind::Projects, "shipments", "order-list"));
        assert!(has(
            &edges,
            EdgeKind::SagaCommand,
            "order-saga",
            "inventory-commands"
        ));
        assert!(has(
            &edges,
            EdgeKind::Compensates,
            "order-saga",
            "inventory-commands"
        ));
        assert!(has(
            &edges,
            EdgeKind::SagaReply,
            "saga-replies",
            "order-saga"
        ));
    }

    #[test]
    fn reactions_to_one_topic_make_one_edge_labelled_with_every_event() {
        let edges = edges(&default_model());
        let emits: Vec<&Edge> = edges
            .iter()
            .filter(|e| e.kind == EdgeKind::Emits && e.from.id == "payment")
            .collect();
        assert_eq!(emits.len(), 1);
        assert_eq!(emits[0].label, "PaymentSucceeded, PaymentFailed");
    }

    #[test]
    fn references_to_missing_elements_draw_nothing() {
        let mut model = default_model();
        model.consumer_groups[0]
            .topics
            .push("no-such-topic".to_owned());
        let edges = edges(&model);
        assert!(edges.iter().all(|e| e.to.id != "no-such-topic"));
        assert!(edges.iter().all(|e| e.from.id != "no-such-topic"));
    }
}
