//! The key/value rows the inspector shows for each kind of element, named as the model file
//! names its fields so users can find them there.

use crate::model::{Coordination, ElementKind, ElementRef, FoldOp, Model};

use crate::model::describe;

/// One inspector row: a field name and its value as text.
pub type Property = (&'static str, String);

/// The rows for `element`, or `None` when the model has no such element.
pub fn properties(model: &Model, element: &ElementRef) -> Option<Vec<Property>> {
    let id = element.id.as_str();
    match element.kind {
        ElementKind::Model => Some(model_properties(model)),
        ElementKind::Producer => model.producer(id).map(|p| {
            vec![
                ("id", p.id.clone()),
                ("topics", describe::list(&p.topics)),
                ("event_types", describe::list(&p.event_types)),
                ("rate", describe::rate(&p.rate)),
                ("keys", describe::keys(&p.keys)),
                ("record_size", describe::size_distribution(&p.record_size)),
                ("acks", describe::acks(p.acks).to_owned()),
                (
                    "enable_idempotence",
                    describe::yes_no(p.enable_idempotence).to_owned(),
                ),
                ("retries", p.retries.to_string()),
                (
                    "max_in_flight_requests",
                    p.max_in_flight_requests.to_string(),
                ),
                ("linger_ms", describe::millis(p.linger_ms)),
                (
                    "batch_size_bytes",
                    describe::byte_size(u64::from(p.batch_size_bytes)),
                ),
            ]
        }),
        ElementKind::Topic => model.topic(id).map(|t| {
            vec![
                ("id", t.id.clone()),
                ("partitions", t.partitions.to_string()),
                ("replication_factor", t.replication_factor.to_string()),
                ("min_insync_replicas", t.min_insync_replicas.to_string()),
                ("retention", describe::retention(&t.retention)),
                (
                    "cleanup_policy",
                    describe::cleanup(t.cleanup_policy).to_owned(),
                ),
                ("event_types", describe::list(&t.event_types)),
                (
                    "subject_strategy",
                    describe::subject_strategy(t.subject_strategy).to_owned(),
                ),
            ]
        }),
        ElementKind::ConsumerGroup => model.consumer_group(id).map(|g| {
            let reactions: Vec<String> = g
                .reactions
                .iter()
                .map(|r| {
                    let fan_out = if r.fan_out == 1 {
                        String::new()
                    } else {
                        format!(", {} each time", r.fan_out)
                    };
                    format!(
                        "on {}: emit {} to {}, p={}{fan_out}",
                        r.on.as_deref().unwrap_or("any event"),
                        r.emit,
                        r.topic,
                        r.probability,
                    )
                })
                .collect();
            vec![
                ("id", g.id.clone()),
                ("topics", describe::list(&g.topics)),
                ("members", g.members.to_string()),
                (
                    "static_membership",
                    describe::yes_no(g.static_membership).to_owned(),
                ),
                ("assignor", describe::assignor(g.assignor).to_owned()),
                (
                    "processing_time",
                    describe::time_distribution(&g.processing_time),
                ),
                ("concurrency", g.concurrency.to_string()),
                ("ordering", describe::ordering(g.ordering).to_owned()),
                (
                    "auto_offset_reset",
                    describe::offset_reset(g.auto_offset_reset).to_owned(),
                ),
                ("max_poll_records", g.max_poll_records.to_string()),
                (
                    "max_poll_interval_ms",
                    describe::duration_ms(g.max_poll_interval_ms),
                ),
                (
                    "session_timeout_ms",
                    describe::duration_ms(g.session_timeout_ms),
                ),
                ("commit", describe::commit(&g.commit)),
                ("failures.probability", g.failures.probability.to_string()),
                ("retry.max_attempts", g.retry.max_attempts.to_string()),
                ("retry.backoff", describe::backoff(&g.retry.backoff)),
                ("retry.jitter", g.retry.jitter.to_string()),
                ("retry.mode", describe::retry_mode(&g.retry.mode)),
                (
                    "dead_letter_topic",
                    g.dead_letter_topic
                        .clone()
                        .unwrap_or_else(|| "none".to_owned()),
                ),
                ("idempotent", describe::yes_no(g.idempotent).to_owned()),
                ("reactions", describe::lines(&reactions)),
            ]
        }),
        ElementKind::Saga => model.sagas.iter().find(|s| s.id == id).map(|s| {
            let mut rows = vec![("id", s.id.clone()), ("trigger", s.trigger.clone())];
            match &s.coordination {
                Coordination::Orchestrated { reply_topic, steps } => {
                    rows.push(("coordination", "orchestrated".to_owned()));
                    rows.push(("reply_topic", reply_topic.clone()));
                    for (index, step) in steps.iter().enumerate() {
                        let compensation = step
                            .compensation
                            .as_deref()
                            .map_or_else(String::new, |c| format!(", undo {c}"));
                        rows.push((
                            "step",
                            format!(
                                "{}. {}: {} -> {} via {}, timeout {}{compensation}",
                                index + 1,
                                step.name,
                                step.command,
                                step.participant,
                                step.command_topic,
                                describe::duration_ms(step.timeout_ms)
                            ),
                        ));
                    }
                }
                Coordination::Choreographed { steps } => {
                    rows.push(("coordination", "choreographed".to_owned()));
                    for (index, step) in steps.iter().enumerate() {
                        rows.push((
                            "step",
                            format!(
                                "{}. {} on {} emits {}",
                                index + 1,
                                step.participant,
                                step.on,
                                step.success
                            ),
                        ));
                    }
                }
            }
            rows.push((
                "idempotent_steps",
                describe::yes_no(s.idempotent_steps).to_owned(),
            ));
            rows
        }),
        ElementKind::Projection => model.projections.iter().find(|p| p.id == id).map(|p| {
            let folds: Vec<String> = p
                .folds
                .iter()
                .map(|f| {
                    let ops: Vec<&str> = f
                        .ops
                        .iter()
                        .map(|op| match op {
                            FoldOp::Upsert { .. } => "upsert",
                            FoldOp::Increment { .. } => "increment",
                            FoldOp::Append { .. } => "append",
                            FoldOp::Delete => "delete",
                        })
                        .collect();
                    format!("{}: {}", f.event_type, ops.join(", "))
                })
                .collect();
            vec![
                ("id", p.id.clone()),
                ("topics", describe::list(&p.topics)),
                ("folds", describe::lines(&folds)),
                ("store", describe::store(p.store).to_owned()),
                (
                    "write_latency",
                    describe::time_distribution(&p.write_latency),
                ),
                ("rebuild", describe::rebuild(p.rebuild).to_owned()),
                ("idempotent", describe::yes_no(p.idempotent).to_owned()),
                (
                    "queries_per_second",
                    describe::compact_number(p.queries_per_second),
                ),
                (
                    "write_failure_probability",
                    format!("{}", p.write_failure_probability),
                ),
            ]
        }),
        ElementKind::EventStore => model.event_stores.iter().find(|s| s.id == id).map(|s| {
            vec![
                ("id", s.id.clone()),
                ("aggregate", s.aggregate.clone()),
                ("aggregates", s.aggregates.to_string()),
                ("event_types", describe::list(&s.event_types)),
                (
                    "commands_per_second",
                    describe::compact_number(s.commands_per_second),
                ),
                ("writers", s.writers.to_string()),
                (
                    "snapshot_every",
                    s.snapshot_every
                        .map_or_else(|| "never".to_owned(), |n| format!("{n} events")),
                ),
                (
                    "expected_version",
                    describe::yes_no(s.expected_version).to_owned(),
                ),
                ("conflict_retries", s.conflict_retries.to_string()),
                (
                    "append_latency",
                    describe::time_distribution(&s.append_latency),
                ),
                (
                    "read_latency_per_event",
                    describe::time_distribution(&s.read_latency_per_event),
                ),
                (
                    "publish",
                    s.publish.as_ref().map_or_else(
                        || "none".to_owned(),
                        |p| format!("{} via {}", p.topic, describe::publish_mode(p.mode)),
                    ),
                ),
            ]
        }),
        ElementKind::EventType => model.event_type(id).map(|e| {
            let fields: Vec<String> = e
                .latest()
                .map(|v| v.fields.iter().map(|f| f.name.clone()).collect())
                .unwrap_or_default();
            vec![
                ("id", e.id.clone()),
                ("full name", e.full_name()),
                ("kind", describe::event_kind(e.kind).to_owned()),
                ("doc", e.doc.clone()),
                (
                    "compatibility",
                    describe::compatibility(e.compatibility).to_owned(),
                ),
                ("versions", e.versions.len().to_string()),
                ("latest fields", describe::list(&fields)),
            ]
        }),
        ElementKind::Scenario => model.scenario(id).map(|s| {
            let faults: Vec<String> = s
                .faults
                .iter()
                .map(|f| {
                    format!(
                        "at {}: {}",
                        describe::duration_ms(f.at_ms),
                        describe::fault(&f.kind)
                    )
                })
                .collect();
            vec![
                ("name", s.name.clone()),
                ("description", s.description.clone()),
                ("seed", s.seed.to_string()),
                ("duration_ms", describe::duration_ms(s.duration_ms)),
                (
                    "stop_after_records",
                    s.stop_after_records
                        .map_or_else(|| "no limit".to_owned(), |n| n.to_string()),
                ),
                ("faults", describe::lines(&faults)),
                ("expectations", s.expectations.len().to_string()),
            ]
        }),
        ElementKind::Broker => model
            .cluster
            .brokers
            .iter()
            .find(|b| b.id.to_string() == id)
            .map(|b| {
                vec![
                    ("id", b.id.to_string()),
                    ("rack", b.rack.clone().unwrap_or_else(|| "none".to_owned())),
                    ("write_mb_per_s", format!("{} MB/s", b.write_mb_per_s)),
                ]
            }),
        ElementKind::CanvasNote => model.layout.notes.iter().find(|n| n.id == id).map(|n| {
            vec![
                ("id", n.id.clone()),
                ("text", n.text.clone()),
                ("position", format!("{}, {}", n.position.x, n.position.y)),
            ]
        }),
    }
}

/// The model's own rows: name, description and the cluster.
fn model_properties(model: &Model) -> Vec<Property> {
    let racks: Vec<String> = model
        .cluster
        .brokers
        .iter()
        .map(|b| match &b.rack {
            Some(rack) => format!("{} ({rack})", b.id),
            None => b.id.to_string(),
        })
        .collect();
    let mut rows = vec![
        ("name", model.name.clone()),
        ("format", model.format.to_string()),
        ("description", model.description.clone()),
    ];
    rows.extend(model.notes.iter().map(|note| ("note", note.clone())));
    rows.extend([
        ("brokers", describe::list(&racks)),
        (
            "network_latency_ms",
            describe::millis(model.cluster.network_latency_ms),
        ),
        (
            "unclean_leader_election",
            describe::yes_no(model.cluster.unclean_leader_election).to_owned(),
        ),
        (
            "replica_lag_time_max_ms",
            describe::duration_ms(model.cluster.replica_lag_time_max_ms),
        ),
        ("event_types", model.event_types.len().to_string()),
        ("scenarios", model.scenarios.len().to_string()),
    ]);
    rows
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

    #[test]
    fn every_element_of_the_default_example_has_properties() {
        let model = default_model();
        for element in model.elements() {
            let rows = properties(&model, &element).expect("the element exists");
            assert!(rows.iter().any(|(k, v)| *k == "id" && v == &element.id));
        }
        assert!(properties(&model, &ElementRef::model()).is_some());
    }

    #[test]
    fn a_topic_shows_its_partitions() {
        let model = default_model();
        let rows = properties(&model, &ElementRef::new(ElementKind::Topic, "orders"))
            .expect("orders exists");
        assert!(rows.contains(&("partitions", "12".to_owned())));
    }

    #[test]
    fn a_missing_element_has_no_properties() {
        let model = default_model();
        assert!(properties(&model, &ElementRef::new(ElementKind::Topic, "nope")).is_none());
    }
}
