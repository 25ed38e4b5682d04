//! The studio, driven through its accessibility tree with egui_kittest, the way a screen reader
//! user (or a test) finds things: by label.

use causeway::examples;
use causeway::model::{self, ElementKind, ElementRef, Model, Severity};
use causeway::studio::{StudioApp, canvas_label, outline_label, problem_label};
use eframe::egui;
use eframe::egui::accesskit::Toggled;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};

fn default_model() -> Model {
    let text = examples::example(examples::DEFAULT_EXAMPLE)
        .map(|e| e.text)
        .unwrap_or_default();
    model::load(text).expect("the default example loads")
}

/// A harness showing `model` in a window of a usual laptop size.
fn studio(model: Model) -> Harness<'static, StudioApp> {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1440.0, 900.0))
        .build_ui_state(
            |ui, app: &mut StudioApp| app.ui(ui),
            StudioApp::new(model, None),
        );
    harness.run();
    harness
}

#[test]
fn every_element_of_the_default_model_is_listed_and_drawn() {
    let model = default_model();
    let harness = studio(model.clone());
    for element in model.elements() {
        harness.get_by_label(&outline_label(&element));
        harness.get_by_label(&canvas_label(&element));
    }
    for note in &model.layout.notes {
        let element = ElementRef::new(ElementKind::CanvasNote, &note.id);
        harness.get_by_label(&canvas_label(&element));
    }
    // The model's name is in the top bar (and in the inspector, which shows the model).
    assert!(harness.query_all_by_label(&model.name).count() >= 1);
}

#[test]
fn the_window_title_names_the_file_or_else_the_model() {
    let app = StudioApp::new(default_model(), None);
    assert_eq!(app.window_title(), "Causeway \u{2014} order-pipeline");
    let app = StudioApp::new(default_model(), Some("models/shop.ron".into()));
    assert_eq!(app.window_title(), "Causeway \u{2014} shop.ron");
}

#[test]
fn clicking_an_outline_row_selects_the_element_and_inspects_it() {
    let mut harness = studio(default_model());
    let orders = ElementRef::new(ElementKind::Topic, "orders");
    // Before: the inspector shows the model, which has no partitions.
    assert!(harness.query_by_label("partitions").is_none());

    harness.get_by_label(&outline_label(&orders)).click();
    harness.run();

    assert_eq!(harness.state().selection(), Some(&orders));
    let row_label = outline_label(&orders);
    let row = harness.get_by_label(&row_label);
    assert_eq!(row.accesskit_node().toggled(), Some(Toggled::True));
    let node_label = canvas_label(&orders);
    let node = harness.get_by_label(&node_label);
    assert_eq!(node.accesskit_node().toggled(), Some(Toggled::True));

    // The inspector shows the topic's fields, with the names the model file uses.
    for (field, value) in [
        ("partitions", "12"),
        ("replication_factor", "3"),
        ("min_insync_replicas", "2"),
        ("retention", "7 d"),
    ] {
        harness.get_by_label(field);
        assert!(
            harness.query_all_by_label(value).count() >= 1,
            "the inspector shows {field} = {value}"
        );
    }
    // And who uses the topic: three groups consume it, one producer publishes to it.
    assert_eq!(harness.query_all_by_label("consumed by").count(), 3);
    harness.get_by_label("published by");
    harness.get_by_role_and_label(egui::Role::Link, "checkout");
}

#[test]
fn escape_clears_the_selection() {
    let mut harness = studio(default_model());
    let checkout = ElementRef::new(ElementKind::Producer, "checkout");
    harness.get_by_label(&outline_label(&checkout)).click();
    harness.run();
    assert_eq!(harness.state().selection(), Some(&checkout));
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert_eq!(harness.state().selection(), None);
}

#[test]
fn clicking_a_diagnostic_selects_its_element() {
    // A typo in a subscription: `ordrs` instead of `orders`.
    let mut model = default_model();
    model.consumer_groups[2].topics.push("ordrs".to_owned());
    let shipping = ElementRef::new(ElementKind::ConsumerGroup, "shipping");
    let mut harness = studio(model);

    let diagnostic = harness
        .state()
        .diagnostics()
        .iter()
        .find(|d| d.severity == Severity::Error && d.element == shipping)
        .cloned()
        .expect("validation reports the unknown topic");
    assert_eq!(harness.state().selection(), None);

    harness.get_by_label(&problem_label(&diagnostic)).click();
    harness.run();

    assert_eq!(harness.state().selection(), Some(&shipping));
    // The inspector now shows the group, with the problem and its hint.
    harness.get_by_label("members");
    harness.get_by_label("PROBLEMS");
    let hint = diagnostic
        .hint
        .as_deref()
        .expect("the diagnostic suggests a fix");
    harness.get_by_label(hint);
}

#[test]
fn a_node_clicked_on_the_canvas_is_selected() {
    let mut harness = studio(default_model());
    let saga = ElementRef::new(ElementKind::Saga, "order-saga");
    harness.get_by_label(&canvas_label(&saga)).click();
    harness.run();
    assert_eq!(harness.state().selection(), Some(&saga));
    harness.get_by_label("coordination");
}

#[test]
fn the_zoom_buttons_zoom() {
    let mut harness = studio(default_model());
    let fitted = harness.state().zoom();
    harness.get_by_label("Zoom in").click();
    harness.run();
    assert!(harness.state().zoom() > fitted);
    harness.get_by_label("Zoom out").click();
    harness.run();
    harness.get_by_label("Zoom out").click();
    harness.run();
    assert!(harness.state().zoom() < fitted);
    harness.get_by_label("Zoom to fit").click();
    harness.run();
    assert!((harness.state().zoom() - fitted).abs() < 1e-3);

    // F fits too.
    harness.get_by_label("Zoom in").click();
    harness.run();
    assert!(harness.state().zoom() > fitted);
    harness.key_press(egui::Key::F);
    harness.run();
    assert!((harness.state().zoom() - fitted).abs() < 1e-3);
}

#[test]
fn a_connection_in_the_inspector_leads_to_the_element_at_its_other_end() {
    let mut harness = studio(default_model());
    let orders = ElementRef::new(ElementKind::Topic, "orders");
    harness.get_by_label(&outline_label(&orders)).click();
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::Link, "checkout")
        .click();
    harness.run();
    assert_eq!(
        harness.state().selection(),
        Some(&ElementRef::new(ElementKind::Producer, "checkout"))
    );
    harness.get_by_label("acks");
}

#[test]
fn an_empty_model_opens() {
    let harness = studio(Model::new("empty"));
    harness.get_by_label(&outline_label(&ElementRef::model()));
    harness.get_by_label("This model has no elements yet");
}

/// The default model plus the kinds it lacks: an event store, a choreographed saga, a
/// projection without a position (so the automatic layout places it).
fn model_with_every_kind() -> Model {
    let text = examples::example(examples::DEFAULT_EXAMPLE)
        .map(|e| e.text)
        .unwrap_or_default()
        .replacen(
            "    scenarios: [",
            r#"    event_stores: [
        (
            id: "accounts",
            aggregate: "Account",
            aggregates: 20000,
            event_types: ["OrderPlaced"],
            commands_per_second: 40.0,
            snapshot_every: 100,
            append_latency: Constant(ms: 2.0),
            read_latency_per_event: Uniform(min_ms: 0.1, max_ms: 0.3),
            publish: (topic: "orders", mode: Outbox),
        ),
    ],
    scenarios: ["#,
            1,
        )
        .replacen(
            "    projections: [",
            r#"    projections: [
        (
            id: "shipping-board",
            topics: ["shipments"],
            folds: [(event_type: "OrderShipped", ops: [Increment(field: "shipped", by: 1.0), Delete])],
            store: Elasticsearch,
            write_latency: Constant(ms: 1.0),
        ),"#,
            1,
        )
        .replacen(
            "            idempotent_steps: true,\n        ),\n    ],",
            r#"            idempotent_steps: true,
        ),
        (
            id: "refund-flow",
            trigger: "PaymentFailed",
            coordination: Choreographed(steps: [
                (participant: "payment", on: "PaymentFailed", success: "StockReserved"),
                (participant: "inventory", on: "StockReserved", success: "OrderShipped", compensation: "ReleaseStock"),
            ]),
        ),
    ],"#,
            1,
        );
    model::load(&text).expect("the extended example loads")
}

#[test]
fn every_kind_of_element_is_drawn_and_can_be_inspected() {
    let model = model_with_every_kind();
    assert_eq!(model.event_stores.len(), 1);
    assert_eq!(model.sagas.len(), 2);
    let mut harness = studio(model.clone());

    let mut everything = model.elements();
    everything.extend(
        model
            .event_types
            .iter()
            .map(|e| ElementRef::new(ElementKind::EventType, &e.id)),
    );
    everything.extend(
        model
            .scenarios
            .iter()
            .map(|s| ElementRef::new(ElementKind::Scenario, &s.name)),
    );
    everything.extend(
        model
            .cluster
            .brokers
            .iter()
            .map(|b| ElementRef::new(ElementKind::Broker, b.id.to_string())),
    );
    everything.extend(
        model
            .layout
            .notes
            .iter()
            .map(|n| ElementRef::new(ElementKind::CanvasNote, &n.id)),
    );

    for element in everything {
        harness.state_mut().select(Some(element.clone()));
        harness.run();
        assert_eq!(harness.state().selection(), Some(&element));
        // The inspector found the element: it lists its properties.
        harness.get_by_label("PROPERTIES");
    }
}
