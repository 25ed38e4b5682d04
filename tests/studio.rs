//! The studio, driven through its accessibility tree with egui_kittest, the way a screen reader
//! user (or a test) finds things: by label.

use causeway::examples;
use causeway::model::{self, ElementKind, ElementRef, Model, Severity};
use causeway::sim::time::SECOND;
use causeway::sim::{Builder, Options};
use causeway::studio::{
    AUTOSAVE_INTERVAL_S, CANCELLED_NOTE, Pane, Recovery, STALE_NOTE, ScriptedDialogs, Settings,
    StudioApp, Theme, build_error_label, canvas_label, handle_label, outline_label, palette_label,
    problem_label, tooltip_title,
};
use eframe::egui;
use eframe::egui::accesskit::{Role, Toggled};
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
    studio_app(StudioApp::new(model, None))
}

/// A harness showing `app`.
fn studio_app(app: StudioApp) -> Harness<'static, StudioApp> {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1440.0, 900.0))
        .build_ui_state(|ui, app: &mut StudioApp| app.ui(ui), app);
    harness.run();
    harness
}

/// Dialogs that answer `open` with `opens` and `save_as` with `saves`, in order.
fn dialogs(opens: &[&std::path::Path], saves: &[&std::path::Path]) -> Box<ScriptedDialogs> {
    Box::new(ScriptedDialogs {
        opens: opens.iter().map(|p| Some(p.to_path_buf())).collect(),
        saves: saves.iter().map(|p| Some(p.to_path_buf())).collect(),
    })
}

fn errors_about(app: &StudioApp, element: &ElementRef) -> usize {
    app.diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Error && &d.element == element)
        .count()
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

    // The inspector edits the topic's fields, named as the model file names them.
    for (field, value) in [
        ("partitions", 12.0),
        ("replication_factor", 3.0),
        ("min_insync_replicas", 2.0),
    ] {
        let editor = harness.get_by_role_and_label(egui::Role::SpinButton, field);
        assert_eq!(
            editor.accesskit_node().numeric_value(),
            Some(value),
            "the inspector shows {field} = {value}"
        );
    }
    // Retention: limited in time (seven days), not in size.
    let retention = harness.get_by_role_and_label(egui::Role::ComboBox, "retention.time_ms");
    assert_eq!(
        retention.accesskit_node().value().as_deref(),
        Some("limited")
    );
    let days = harness.get_by_role_and_label(egui::Role::SpinButton, "retention.time_ms.value");
    assert_eq!(
        days.accesskit_node().numeric_value(),
        Some(7.0 * 24.0 * 3_600_000.0)
    );
    // And who uses the topic: one group consumes it, one producer publishes to it.
    assert_eq!(harness.query_all_by_label("consumed by").count(), 1);
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

#[test]
fn editing_partitions_validates_live_and_undo_redo_restore_the_exact_model() {
    let original = default_model();
    let mut harness = studio(original.clone());
    let orders = ElementRef::new(ElementKind::Topic, "orders");
    harness.get_by_label(&outline_label(&orders)).click();
    harness.run();
    assert_eq!(errors_about(harness.state(), &orders), 0);

    // Zero partitions: out of the widget's range, but the widget does not fix it; validation
    // says what is wrong.
    harness
        .get_by_role_and_label(egui::Role::SpinButton, "partitions")
        .set_value_accesskit(0.0);
    harness.run();
    let edited = harness.state().model().clone();
    assert_eq!(edited.topic("orders").map(|t| t.partitions), Some(0));
    assert!(errors_about(harness.state(), &orders) >= 1);
    assert!(harness.state().has_unsaved_changes());
    assert!(harness.state().window_title().ends_with('\u{2022}'));

    // A second edit is a second step.
    harness
        .get_by_role_and_label(egui::Role::SpinButton, "replication_factor")
        .set_value_accesskit(2.0);
    harness.run();
    let edited_twice = harness.state().model().clone();
    assert_eq!(
        edited_twice.topic("orders").map(|t| t.replication_factor),
        Some(2)
    );

    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.run();
    assert_eq!(harness.state().model(), &edited);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.run();
    assert_eq!(harness.state().model(), &original);
    assert_eq!(errors_about(harness.state(), &orders), 0);
    assert!(!harness.state().has_unsaved_changes());

    // Redo, with both shortcuts.
    harness.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::Z,
    );
    harness.run();
    assert_eq!(harness.state().model(), &edited);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Y);
    harness.run();
    assert_eq!(harness.state().model(), &edited_twice);
}

#[test]
fn a_combo_box_edit_is_one_undo_step() {
    let original = default_model();
    let mut harness = studio(original.clone());
    let checkout = ElementRef::new(ElementKind::Producer, "checkout");
    harness.state_mut().select(Some(checkout));
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::ComboBox, "acks")
        .click();
    harness.run();
    harness.get_by_label("acks=1").click();
    harness.run();
    assert_eq!(
        harness.state().model().producer("checkout").map(|p| p.acks),
        Some(model::Acks::One)
    );
    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &original);
}

#[test]
fn a_value_out_of_range_in_the_file_is_kept_and_reported() {
    let mut model = default_model();
    if let Some(topic) = model.topics.iter_mut().find(|t| t.id == "orders") {
        topic.partitions = 0;
    }
    let mut harness = studio(model.clone());
    let orders = ElementRef::new(ElementKind::Topic, "orders");
    harness.get_by_label(&outline_label(&orders)).click();
    harness.run();
    // Hover the widget and let a few frames pass: nothing changes the value.
    harness
        .get_by_role_and_label(egui::Role::SpinButton, "partitions")
        .hover();
    harness.run();
    let editor = harness.get_by_role_and_label(egui::Role::SpinButton, "partitions");
    assert_eq!(editor.accesskit_node().numeric_value(), Some(0.0));
    assert_eq!(harness.state().model(), &model);
    assert!(!harness.state().has_unsaved_changes());
    assert!(errors_about(harness.state(), &orders) >= 1);
}

#[test]
fn renaming_a_topic_updates_its_references_and_refuses_an_id_in_use() {
    let mut harness = studio(default_model());
    let orders = ElementRef::new(ElementKind::Topic, "orders");
    harness.state_mut().select(Some(orders));
    harness.run();
    let id = harness.get_by_role_and_label(egui::Role::TextInput, "id");
    id.focus();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness
        .get_by_role_and_label(egui::Role::TextInput, "id")
        .type_text("orders-v2");
    harness.run();
    harness.key_press(egui::Key::Enter);
    harness.run();
    let model = harness.state().model();
    assert!(model.topic("orders").is_none());
    assert!(model.topic("orders-v2").is_some());
    assert!(
        model
            .producers
            .iter()
            .any(|p| p.topics.iter().any(|t| t == "orders-v2"))
    );
    assert_eq!(
        harness.state().selection(),
        Some(&ElementRef::new(ElementKind::Topic, "orders-v2"))
    );
    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &default_model());
}

#[test]
fn save_and_reopen_through_the_dialogs_gives_the_same_model() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("shop.ron");
    let mut model = default_model();
    model.description = "edited before saving".to_owned();
    let mut harness =
        studio_app(StudioApp::new(model.clone(), None).with_dialogs(dialogs(&[], &[&file])));

    // A model without a file: Ctrl+S asks where.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    harness.run();
    assert_eq!(harness.state().path(), Some(file.as_path()));
    assert_eq!(harness.state().window_title(), "Causeway \u{2014} shop.ron");
    assert!(file.exists());

    let mut harness =
        studio_app(StudioApp::new(Model::new("empty"), None).with_dialogs(dialogs(&[&file], &[])));
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    harness.run();
    assert_eq!(harness.state().model(), &model);
    assert_eq!(harness.state().path(), Some(file.as_path()));
    assert!(!harness.state().has_unsaved_changes());
}

#[test]
fn a_failed_save_says_why_and_keeps_the_changes() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let nowhere = dir.path().join("missing-directory").join("shop.ron");
    let mut harness =
        studio_app(StudioApp::new(default_model(), None).with_dialogs(dialogs(&[], &[&nowhere])));
    harness
        .state_mut()
        .select(Some(ElementRef::new(ElementKind::Topic, "orders")));
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::SpinButton, "partitions")
        .set_value_accesskit(24.0);
    harness.run();
    let edited = harness.state().model().clone();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    harness.run();
    assert!(harness.state().has_unsaved_changes());
    assert_eq!(harness.state().model(), &edited);
    harness.get_by_label_contains("The model was not saved");
}

#[test]
fn closing_with_unsaved_changes_asks_first() {
    let mut harness = studio(default_model());
    // Nothing unsaved: closing just closes.
    harness.state_mut().request_close();
    harness.run();
    assert!(harness.state().close_allowed());

    let mut harness = studio(default_model());
    harness
        .state_mut()
        .select(Some(ElementRef::new(ElementKind::Topic, "orders")));
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::SpinButton, "partitions")
        .set_value_accesskit(24.0);
    harness.run();

    harness.state_mut().request_close();
    harness.run();
    harness.get_by_label("Unsaved changes");
    assert!(!harness.state().close_allowed());
    harness.get_by_label("Cancel").click();
    harness.run();
    assert!(harness.query_by_label("Unsaved changes").is_none());
    assert!(!harness.state().close_allowed());
    assert!(harness.state().has_unsaved_changes());

    harness.state_mut().request_close();
    harness.run();
    harness.get_by_label("Discard").click();
    harness.run();
    assert!(harness.state().close_allowed());
}

#[test]
fn opening_a_corrupt_file_keeps_the_model_and_shows_where_the_error_is() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let corrupt = dir.path().join("corrupt.ron");
    std::fs::write(
        &corrupt,
        "(\n    format: 1,\n    name: \"x\",\n    topics: [ oops ],\n)\n",
    )
    .expect("the file is written");
    let model = default_model();
    let mut harness =
        studio_app(StudioApp::new(model.clone(), None).with_dialogs(dialogs(&[&corrupt], &[])));
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    harness.run();
    assert_eq!(harness.state().model(), &model);
    let notice = harness
        .state()
        .notice()
        .expect("the error is shown")
        .to_owned();
    assert!(notice.contains("corrupt.ron:4:"), "{notice}");
    harness.get_by_label_contains("corrupt.ron:4:");
}

#[test]
fn a_file_with_validation_errors_opens_with_its_diagnostics() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("zero.ron");
    let mut model = default_model();
    if let Some(topic) = model.topics.iter_mut().find(|t| t.id == "orders") {
        topic.partitions = 0;
    }
    std::fs::write(&file, model::save(&model)).expect("the file is written");
    let mut harness =
        studio_app(StudioApp::new(Model::new("empty"), None).with_dialogs(dialogs(&[&file], &[])));
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    harness.run();
    assert_eq!(harness.state().model(), &model);
    let orders = ElementRef::new(ElementKind::Topic, "orders");
    assert!(errors_about(harness.state(), &orders) >= 1);
}

#[test]
fn opening_another_file_with_unsaved_changes_asks_first() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("empty.ron");
    std::fs::write(&file, model::save(&Model::new("empty"))).expect("the file is written");
    let mut harness =
        studio_app(StudioApp::new(default_model(), None).with_dialogs(dialogs(&[&file], &[])));
    harness
        .state_mut()
        .select(Some(ElementRef::new(ElementKind::Topic, "orders")));
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::SpinButton, "partitions")
        .set_value_accesskit(24.0);
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    harness.run();
    harness.get_by_label("Unsaved changes");
    harness.get_by_label("Discard").click();
    harness.run();
    assert_eq!(harness.state().model().name, "empty");
}

#[test]
fn autosaved_work_is_offered_back_after_a_crash() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let recovery = Recovery::in_dir(dir.path());

    // A session edits, autosaves, and "crashes" (is dropped without closing).
    let mut harness =
        studio_app(StudioApp::new(default_model(), None).with_recovery(recovery.clone()));
    assert!(!harness.state().offers_recovery());
    harness
        .state_mut()
        .select(Some(ElementRef::new(ElementKind::Topic, "orders")));
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::SpinButton, "partitions")
        .set_value_accesskit(48.0);
    harness.run();
    let unsaved = harness.state().model().clone();
    harness.state_mut().autosave_now();
    drop(harness);
    assert!(recovery.path.exists());

    // The next start offers it back.
    let mut harness =
        studio_app(StudioApp::new(default_model(), None).with_recovery(recovery.clone()));
    assert!(harness.state().offers_recovery());
    harness.get_by_label("Restore unsaved work?");
    harness.get_by_label("Restore").click();
    harness.run();
    assert_eq!(harness.state().model(), &unsaved);
    assert!(harness.state().has_unsaved_changes());
    assert!(harness.query_by_label("Restore unsaved work?").is_none());

    // Declining deletes the recovery file.
    harness.state_mut().autosave_now();
    let mut harness =
        studio_app(StudioApp::new(default_model(), None).with_recovery(recovery.clone()));
    harness.get_by_label("Discard recovered work").click();
    harness.run();
    assert_eq!(harness.state().model(), &default_model());
    assert!(!recovery.path.exists());
}

#[test]
fn answering_save_when_closing_saves_then_closes() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("saved-on-close.ron");
    let mut harness =
        studio_app(StudioApp::new(default_model(), None).with_dialogs(dialogs(&[], &[&file])));
    harness
        .state_mut()
        .select(Some(ElementRef::new(ElementKind::Topic, "orders")));
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::SpinButton, "partitions")
        .set_value_accesskit(24.0);
    harness.run();
    let edited = harness.state().model().clone();
    harness.state_mut().request_close();
    harness.run();
    harness.get_by_label("Save").click();
    harness.run();
    assert!(harness.state().close_allowed());
    let text = std::fs::read_to_string(&file).expect("the model was saved");
    assert_eq!(model::load(&text).expect("the saved file loads"), edited);
    assert_eq!(harness.state().recent_files().len(), 1);
}

#[test]
fn unsaved_work_is_autosaved_every_thirty_seconds() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let recovery = Recovery::in_dir(dir.path());
    // Each frame advances the clock by ten seconds.
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1440.0, 900.0))
        .with_step_dt(10.0)
        .build_ui_state(
            |ui, app: &mut StudioApp| app.ui(ui),
            StudioApp::new(default_model(), None).with_recovery(recovery.clone()),
        );
    harness.run();
    harness
        .state_mut()
        .select(Some(ElementRef::new(ElementKind::Topic, "orders")));
    harness.run();
    // Nothing unsaved: nothing written.
    assert!(!recovery.path.exists());
    harness
        .get_by_role_and_label(egui::Role::SpinButton, "partitions")
        .set_value_accesskit(36.0);
    harness.step();
    assert!(!recovery.path.exists(), "not before the interval");
    let frames = (AUTOSAVE_INTERVAL_S / 10.0).ceil() as usize + 1;
    for _ in 0..frames {
        harness.step();
    }
    let text = std::fs::read_to_string(&recovery.path).expect("the work was autosaved");
    assert_eq!(
        model::load(&text).expect("the recovery file loads"),
        *harness.state().model()
    );

    // Saving removes the recovery file: there is nothing left to recover.
    let file = dir.path().join("saved.ron");
    harness.state_mut().set_dialogs(dialogs(&[], &[&file]));
    harness.state_mut().save();
    assert!(!recovery.path.exists());
}

#[test]
fn typing_in_a_text_field_is_one_undo_step() {
    let original = default_model();
    let note = original
        .layout
        .notes
        .first()
        .map(|n| n.id.clone())
        .expect("the default model has a note");
    let mut harness = studio(original.clone());
    harness
        .state_mut()
        .select(Some(ElementRef::new(ElementKind::CanvasNote, &note)));
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::TextInput, "text")
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::TextInput, "text")
        .type_text(" (checked)");
    harness.run();
    let typed = harness.state().model().layout.notes[0].text.clone();
    assert!(typed.contains("(checked)"), "{typed}");
    // Leaving the field ends the edit: one step undoes all of the typing.
    harness.key_press(egui::Key::Escape);
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.run();
    assert_eq!(harness.state().model(), &original);
}

#[test]
fn the_help_menu_lists_the_keyboard_shortcuts() {
    let mut harness = studio(default_model());
    harness.get_by_label("Help").click();
    harness.run();
    harness.get_by_label("Keyboard shortcuts").click();
    harness.run();
    harness.get_by_label("Ctrl+Shift+Z, Ctrl+Y");
}

#[test]
fn the_edit_menu_undoes_and_redoes() {
    let original = default_model();
    let mut harness = studio(original.clone());
    harness
        .state_mut()
        .select(Some(ElementRef::new(ElementKind::ConsumerGroup, "payment")));
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::SpinButton, "members")
        .set_value_accesskit(7.0);
    harness.run();
    let edited = harness.state().model().clone();
    assert_eq!(edited.consumer_group("payment").map(|g| g.members), Some(7));

    harness.get_by_label("Edit").click();
    harness.run();
    harness.get_by_label_contains("Undo").click();
    harness.run();
    assert_eq!(harness.state().model(), &original);

    harness.get_by_label("Edit").click();
    harness.run();
    harness.get_by_label_contains("Redo").click();
    harness.run();
    assert_eq!(harness.state().model(), &edited);
}

#[test]
fn a_subscription_is_added_and_removed_in_the_inspector() {
    let original = default_model();
    let mut harness = studio(original.clone());
    harness.state_mut().select(Some(ElementRef::new(
        ElementKind::ConsumerGroup,
        "shipping",
    )));
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::ComboBox, "Add to topics")
        .click();
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::Button, "payments.dlt")
        .click();
    harness.run();
    let topics = |h: &Harness<'_, StudioApp>| {
        h.state()
            .model()
            .consumer_group("shipping")
            .map(|g| g.topics.clone())
            .unwrap_or_default()
    };
    assert!(topics(&harness).contains(&"payments.dlt".to_owned()));

    harness
        .get_by_label("Remove payments.dlt from topics")
        .click();
    harness.run();
    assert!(!topics(&harness).contains(&"payments.dlt".to_owned()));
    // Two steps: undo both and the model is as it was.
    harness.state_mut().undo();
    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &original);
}

#[test]
fn a_producers_rate_kind_and_value_are_edited_and_undo_restores_the_exact_model() {
    let original = default_model();
    let mut harness = studio(original.clone());
    harness
        .state_mut()
        .select(Some(ElementRef::new(ElementKind::Producer, "checkout")));
    harness.run();
    let rate = |h: &Harness<'_, StudioApp>| {
        h.state()
            .model()
            .producer("checkout")
            .map(|p| p.rate.clone())
    };
    assert_eq!(
        rate(&harness),
        Some(model::RateProcess::Poisson { per_second: 200.0 })
    );

    // Switching the kind keeps the rate.
    harness
        .get_by_role_and_label(egui::Role::ComboBox, "rate")
        .click();
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::Button, "constant")
        .click();
    harness.run();
    let switched = harness.state().model().clone();
    assert_eq!(
        rate(&harness),
        Some(model::RateProcess::Constant { per_second: 200.0 })
    );

    // Then the value.
    harness
        .get_by_role_and_label(egui::Role::SpinButton, "rate.per_second")
        .set_value_accesskit(250.0);
    harness.run();
    assert_eq!(
        rate(&harness),
        Some(model::RateProcess::Constant { per_second: 250.0 })
    );

    // Each is one undo step, and undoing both gives the exact model back.
    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &switched);
    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &original);
}

#[test]
fn a_bursts_rate_shows_its_fields_and_an_out_of_range_value_keeps_its_diagnostic() {
    let mut model = default_model();
    if let Some(p) = model.producers.iter_mut().find(|p| p.id == "checkout") {
        p.rate = model::RateProcess::Bursts {
            base_per_second: -5.0,
            burst_per_second: 1_000.0,
            every_ms: 60_000,
            length_ms: 5_000,
        };
    }
    let mut harness = studio(model.clone());
    let checkout = ElementRef::new(ElementKind::Producer, "checkout");
    harness.state_mut().select(Some(checkout.clone()));
    harness.run();
    let base = harness.get_by_role_and_label(egui::Role::SpinButton, "rate.base_per_second");
    assert_eq!(base.accesskit_node().numeric_value(), Some(-5.0));
    harness.get_by_role_and_label(egui::Role::SpinButton, "rate.every_ms");
    // The widget does not fix the value; validation's message shows under the rate.
    assert_eq!(harness.state().model(), &model);
    let message = harness
        .state()
        .diagnostics()
        .iter()
        .find(|d| d.element == checkout && d.field.as_deref() == Some("rate"))
        .map(|d| d.message.clone())
        .expect("a negative rate is reported");
    // Under the rate, and in the inspector's list of problems.
    assert_eq!(harness.query_all_by_label(&message).count(), 2);
}

#[test]
fn switching_a_variant_keeps_what_carries_over_and_retention_can_be_forever() {
    let original = default_model();
    let mut harness = studio(original.clone());
    harness
        .state_mut()
        .select(Some(ElementRef::new(ElementKind::Producer, "checkout")));
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::ComboBox, "keys")
        .click();
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::Button, "Zipf (hot keys)")
        .click();
    harness.run();
    assert_eq!(
        harness
            .state()
            .model()
            .producer("checkout")
            .map(|p| p.keys.clone()),
        Some(model::KeyDistribution::Zipf {
            keys: 50_000,
            exponent: 1.0,
            prefix: "order-".to_owned(),
        })
    );
    harness.get_by_role_and_label(egui::Role::SpinButton, "keys.exponent");

    harness
        .state_mut()
        .select(Some(ElementRef::new(ElementKind::Topic, "orders")));
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::ComboBox, "retention.time_ms")
        .click();
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::Button, "forever")
        .click();
    harness.run();
    assert_eq!(
        harness.state().model().topic("orders").map(|t| t.retention),
        Some(model::Retention {
            time_ms: None,
            bytes: None
        })
    );
    assert!(
        harness
            .query_by_role_and_label(egui::Role::SpinButton, "retention.time_ms.value")
            .is_none()
    );
    harness.state_mut().undo();
    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &original);
}

#[test]
fn a_saga_step_is_added_and_removed_in_the_inspector() {
    let original = default_model();
    let mut harness = studio(original.clone());
    harness
        .state_mut()
        .select(Some(ElementRef::new(ElementKind::Saga, "order-saga")));
    harness.run();
    let steps = |h: &Harness<'_, StudioApp>| match h.state().model().sagas[0].coordination.clone() {
        model::Coordination::Orchestrated { steps, .. } => steps,
        model::Coordination::Choreographed { .. } => Vec::new(),
    };
    assert_eq!(steps(&harness).len(), 2);
    harness
        .get_by_role_and_label(egui::Role::TextInput, "coordination.steps[1].name")
        .focus();
    harness
        .get_by_role_and_label(egui::Role::Button, "Add to coordination.steps")
        .click();
    harness.run();
    let added = harness.state().model().clone();
    assert_eq!(steps(&harness).len(), 3);
    assert_eq!(steps(&harness)[2].name, "step-3");
    harness.get_by_role_and_label(egui::Role::ComboBox, "coordination.steps[2].participant");

    // Remove the first step: the others move up.
    harness
        .get_by_role_and_label(egui::Role::Button, "Remove coordination.steps[0]")
        .click();
    harness.run();
    let names: Vec<String> = steps(&harness).into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["charge-payment", "step-3"]);

    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &added);
    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &original);
}

#[test]
fn a_reaction_is_added_to_a_group_and_edited() {
    let original = default_model();
    let mut harness = studio(original.clone());
    harness.state_mut().select(Some(ElementRef::new(
        ElementKind::ConsumerGroup,
        "shipping",
    )));
    harness.run();
    let reactions = |h: &Harness<'_, StudioApp>| {
        h.state()
            .model()
            .consumer_group("shipping")
            .map(|g| g.reactions.clone())
            .unwrap_or_default()
    };
    let before = reactions(&harness).len();
    harness
        .get_by_role_and_label(egui::Role::Button, "Add to reactions")
        .click();
    harness.run();
    assert_eq!(reactions(&harness).len(), before + 1);
    let item = format!("reactions[{before}].fan_out");
    harness
        .get_by_role_and_label(egui::Role::SpinButton, &item)
        .set_value_accesskit(3.0);
    harness.run();
    assert_eq!(reactions(&harness).last().map(|r| r.fan_out), Some(3));
    harness.state_mut().undo();
    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &original);
}

#[test]
fn an_event_type_field_row_is_edited_and_a_version_added() {
    let original = default_model();
    let mut harness = studio(original.clone());
    harness
        .state_mut()
        .select(Some(ElementRef::new(ElementKind::EventType, "OrderPlaced")));
    harness.run();
    let event = |h: &Harness<'_, StudioApp>| {
        h.state()
            .model()
            .event_type("OrderPlaced")
            .cloned()
            .expect("the event type is there")
    };
    // Escape leaves a text field (ending the edit) and clears the selection.
    let leave_field = |h: &mut Harness<'_, StudioApp>| {
        h.key_press(egui::Key::Escape);
        h.run();
        h.state_mut()
            .select(Some(ElementRef::new(ElementKind::EventType, "OrderPlaced")));
        h.run();
    };
    let versions = event(&harness).versions.len();
    let latest = versions - 1;

    // Rename the latest version's first field, by typing.
    let name = format!("versions[{latest}].fields[0].name");
    harness
        .get_by_role_and_label(egui::Role::TextInput, &name)
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::TextInput, &name)
        .type_text("_ref");
    harness.run();
    leave_field(&mut harness);
    let renamed = harness.state().model().clone();
    assert_eq!(
        event(&harness).versions[latest].fields[0].name,
        "order_id_ref"
    );

    // A default typed as JSON, for the latest version's second field (which has none).
    let default = format!("versions[{latest}].fields[1].default");
    harness
        .get_by_role_and_label(egui::Role::TextInput, &default)
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::TextInput, &default)
        .type_text("\"n/a\"");
    harness.run();
    leave_field(&mut harness);
    let field = event(&harness).versions[latest].fields[1].clone();
    assert_eq!(
        field.default,
        Some(model::AvroDefault::String("n/a".to_owned())),
        "{field:?}"
    );
    let defaulted = harness.state().model().clone();

    // A new version starts as a copy of the latest.
    harness
        .get_by_role_and_label(egui::Role::Button, "Add version")
        .click();
    harness.run();
    let e = event(&harness);
    assert_eq!(e.versions.len(), versions + 1);
    assert_eq!(e.versions[versions].fields, e.versions[latest].fields);
    harness.get_by_role_and_label(
        egui::Role::TextInput,
        &format!("versions[{versions}].fields[0].name"),
    );

    // Each change is one undo step.
    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &defaulted);
    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &renamed);
    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &original);
}

#[test]
fn a_poison_key_and_a_model_note_are_added_and_typed() {
    let original = default_model();
    let mut harness = studio(original.clone());
    harness
        .state_mut()
        .select(Some(ElementRef::new(ElementKind::ConsumerGroup, "payment")));
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::Button, "Add to failures.poison_keys")
        .click();
    harness.run();
    let field = "failures.poison_keys[0].text";
    harness
        .get_by_role_and_label(egui::Role::TextInput, field)
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::TextInput, field)
        .type_text("order-13");
    harness.run();
    let keys = harness
        .state()
        .model()
        .consumer_group("payment")
        .map(|g| g.failures.poison_keys.clone());
    assert_eq!(keys, Some(vec!["order-13".to_owned()]));

    // The model's notes, with nothing selected.
    harness.state_mut().select(None);
    harness.run();
    let notes = original.notes.len();
    harness
        .get_by_role_and_label(egui::Role::Button, "Add to notes")
        .click();
    harness.run();
    assert_eq!(harness.state().model().notes.len(), notes + 1);

    harness.state_mut().undo();
    harness.state_mut().undo();
    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &original);
}

#[test]
fn a_fault_picker_offers_projections_and_sagas_where_validation_accepts_them() {
    let original = default_model();
    let mut harness = studio(original.clone());
    let outage = ElementRef::new(ElementKind::Scenario, "payment-outage");
    harness.state_mut().select(Some(outage.clone()));
    harness.run();
    // An error spike may hit a group or a projection's store, not a saga's orchestrator.
    let picker = harness.get_by_role_and_label(egui::Role::ComboBox, "faults[0].group");
    assert_eq!(picker.accesskit_node().value().as_deref(), Some("payment"));
    picker.click();
    harness.run();
    assert!(harness.query_by_label("order-saga (saga)").is_none());
    harness.get_by_label("order-list (projection)").click();
    harness.run();
    let spike = harness
        .state()
        .model()
        .scenarios
        .iter()
        .find(|s| s.name == "payment-outage")
        .map(|s| s.faults[0].kind.clone());
    assert_eq!(
        spike,
        Some(model::FaultKind::ErrorSpike {
            group: "order-list".to_owned(),
            probability: 0.6,
            duration_ms: 20_000,
        })
    );
    assert_eq!(errors_about(harness.state(), &outage), 0);
    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &original);

    // A member crash names the orchestrated saga's orchestrator, shown with its kind, and
    // offers the projection too.
    harness.state_mut().select(Some(ElementRef::new(
        ElementKind::Scenario,
        "saga-orchestrator-crash",
    )));
    harness.run();
    let picker = harness.get_by_role_and_label(egui::Role::ComboBox, "faults[0].group");
    assert_eq!(
        picker.accesskit_node().value().as_deref(),
        Some("order-saga (saga)")
    );
    picker.click();
    harness.run();
    harness.get_by_label("order-list (projection)");
    harness.get_by_label("payment");
}

#[test]
fn fault_pickers_offer_event_stores_only_to_crashes_and_never_a_choreographed_saga() {
    let text = examples::example("bank-account")
        .map(|e| e.text)
        .unwrap_or_default();
    let bank = model::load(text).expect("the bank example loads");
    let mut harness = studio(bank);
    // A member crash may take down an event store's writer or a projection's instance;
    // the choreographed transfer saga has no orchestrator to crash.
    harness.state_mut().select(Some(ElementRef::new(
        ElementKind::Scenario,
        "debit-worker-crash",
    )));
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::ComboBox, "faults[0].group")
        .click();
    harness.run();
    harness.get_by_label("accounts (event store)");
    harness.get_by_label("account-balance (projection)");
    assert!(harness.query_by_label("transfer-saga (saga)").is_none());
    harness.key_press(egui::Key::Escape);
    harness.run();
    // An error spike fails a group's processing or a projection's store, not an event store.
    harness.state_mut().select(Some(ElementRef::new(
        ElementKind::Scenario,
        "credit-outage",
    )));
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::ComboBox, "faults[0].group")
        .click();
    harness.run();
    harness.get_by_label("account-balance (projection)");
    assert!(harness.query_by_label("accounts (event store)").is_none());
}

#[test]
fn every_inspector_of_a_model_with_every_kind_edits_without_changing_anything() {
    // Showing each element's editors (and hovering over them) changes nothing by itself.
    let model = model_with_every_kind();
    let mut harness = studio(model.clone());
    let mut elements = model.elements();
    elements.extend(
        model
            .event_types
            .iter()
            .map(|e| ElementRef::new(ElementKind::EventType, &e.id)),
    );
    elements.extend(
        model
            .scenarios
            .iter()
            .map(|s| ElementRef::new(ElementKind::Scenario, &s.name)),
    );
    for element in elements {
        harness.state_mut().select(Some(element.clone()));
        harness.run();
        assert_eq!(harness.state().model(), &model, "{element}");
        for combo in harness.query_all_by_role(Role::ComboBox) {
            let value = combo.accesskit_node().value();
            assert_ne!(
                value.as_deref(),
                Some("(other)"),
                "{element}: every combo box shows its value"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Canvas editing

/// The on-screen centre of the widget labelled `label`.
fn center_of(harness: &Harness<'_, StudioApp>, label: &str) -> egui::Pos2 {
    harness.get_by_label(label).rect().center()
}

/// A left-button drag from `from` to `to`, in a few steps, as a hand would do it.
fn drag(harness: &mut Harness<'_, StudioApp>, from: egui::Pos2, to: egui::Pos2) {
    harness.hover_at(from);
    harness.run();
    harness.drag_at(from);
    harness.run();
    for step in 1..=4 {
        let t = step as f32 / 4.0;
        harness.hover_at(from + (to - from) * t);
        harness.run();
    }
    harness.drop_at(to);
    harness.run();
}

/// Clicks the palette's button for `kind`, then the canvas at `at`; returns the new element.
fn place(harness: &mut Harness<'_, StudioApp>, kind: ElementKind, at: egui::Pos2) -> ElementRef {
    harness.get_by_label(&palette_label(kind)).click();
    harness.run();
    assert_eq!(harness.state().placing(), Some(kind));
    harness.hover_at(at);
    harness.run();
    harness.event(egui::Event::PointerButton {
        pos: at,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: egui::Modifiers::NONE,
    });
    harness.event(egui::Event::PointerButton {
        pos: at,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    });
    harness.run();
    assert_eq!(
        harness.state().placing(),
        None,
        "placing ends with the click"
    );
    let element = harness
        .state()
        .selection()
        .cloned()
        .expect("the new element is selected");
    assert_eq!(element.kind, kind);
    element
}

#[test]
fn every_kind_is_created_from_the_palette() {
    let mut harness = studio(Model::new("empty"));
    let center = center_of(&harness, "This model has no elements yet");
    let kinds = [
        ElementKind::Producer,
        ElementKind::Topic,
        ElementKind::ConsumerGroup,
        ElementKind::Saga,
        ElementKind::Projection,
        ElementKind::EventStore,
        ElementKind::CanvasNote,
    ];
    let spots = [
        (-280.0, -160.0),
        (0.0, -160.0),
        (280.0, -160.0),
        (-280.0, 40.0),
        (0.0, 40.0),
        (280.0, 40.0),
        (0.0, 210.0),
    ];
    let mut created = Vec::new();
    for (kind, (dx, dy)) in kinds.into_iter().zip(spots) {
        let element = place(&mut harness, kind, center + egui::vec2(dx, dy));
        harness.get_by_label(&canvas_label(&element));
        created.push(element);
    }
    let model = harness.state().model().clone();
    assert_eq!(model.producers.len(), 1);
    assert_eq!(model.topics.len(), 1);
    assert_eq!(model.consumer_groups.len(), 1);
    assert_eq!(model.sagas.len(), 1);
    assert_eq!(model.projections.len(), 1);
    assert_eq!(model.event_stores.len(), 1);
    assert_eq!(model.layout.notes.len(), 1);
    // Every one has a position, and ids are unique.
    for element in &created {
        if element.kind != ElementKind::CanvasNote {
            assert!(
                model.layout.positions.contains_key(&element.id),
                "{element}"
            );
        }
    }
    let mut ids: Vec<&str> = created.iter().map(|e| e.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), created.len());
    // Each creation is one undo step.
    for _ in 0..created.len() {
        harness.state_mut().undo();
    }
    harness.run();
    assert_eq!(harness.state().model(), &Model::new("empty"));
}

#[test]
fn connecting_producer_topic_and_group_writes_the_references() {
    let mut harness = studio(Model::new("empty"));
    let center = center_of(&harness, "This model has no elements yet");
    let producer = place(
        &mut harness,
        ElementKind::Producer,
        center + egui::vec2(-300.0, -100.0),
    );
    let topic = place(
        &mut harness,
        ElementKind::Topic,
        center + egui::vec2(0.0, -100.0),
    );
    let group = place(
        &mut harness,
        ElementKind::ConsumerGroup,
        center + egui::vec2(300.0, -100.0),
    );
    let other = place(
        &mut harness,
        ElementKind::Producer,
        center + egui::vec2(-300.0, 150.0),
    );

    let from = center_of(&harness, &handle_label(&producer));
    let to = center_of(&harness, &canvas_label(&topic));
    drag(&mut harness, from, to);
    let model = harness.state().model().clone();
    assert_eq!(
        model.producer(&producer.id).map(|p| p.topics.clone()),
        Some(vec![topic.id.clone()])
    );

    let from = center_of(&harness, &handle_label(&topic));
    let to = center_of(&harness, &canvas_label(&group));
    drag(&mut harness, from, to);
    let model = harness.state().model().clone();
    assert_eq!(
        model.consumer_group(&group.id).map(|g| g.topics.clone()),
        Some(vec![topic.id])
    );
    assert!(harness.state().notice().is_none());

    // A producer does not connect to a producer: refused, with the reason, nothing changed.
    let before = harness.state().model().clone();
    let from = center_of(&harness, &handle_label(&producer));
    let to = center_of(&harness, &canvas_label(&other));
    drag(&mut harness, from, to);
    assert_eq!(harness.state().model(), &before);
    let notice = harness.state().notice().unwrap_or_default().to_owned();
    assert!(
        notice.contains("a producer cannot connect to a producer"),
        "{notice}"
    );
    harness.get_by_label_contains("cannot connect to a producer");
}

#[test]
fn dragging_a_node_moves_it_on_the_grid_and_undo_puts_it_back() {
    let original = default_model();
    let mut harness = studio(original.clone());
    let orders = ElementRef::new(ElementKind::Topic, "orders");
    let from = center_of(&harness, &canvas_label(&orders));
    drag(&mut harness, from, from + egui::vec2(60.0, 90.0));
    let moved = harness
        .state()
        .model()
        .layout
        .positions
        .get("orders")
        .copied()
        .expect("orders has a position");
    let was = original.layout.positions["orders"];
    assert!(moved.y > was.y, "{moved:?} is below {was:?}");
    assert_eq!(moved.x % 24.0, 0.0, "snapped to the grid");
    assert_eq!(moved.y % 24.0, 0.0, "snapped to the grid");
    assert_eq!(harness.state().selection(), Some(&orders));
    // One drag, one undo step.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.run();
    assert_eq!(harness.state().model(), &original);
}

#[test]
fn delete_removes_the_selection_and_undo_brings_it_back() {
    let original = default_model();
    let mut harness = studio(original.clone());
    let dlt = ElementRef::new(ElementKind::Topic, "payments.dlt");
    harness.get_by_label(&canvas_label(&dlt)).click();
    harness.run();
    harness.key_press(egui::Key::Delete);
    harness.run();
    let model = harness.state().model().clone();
    assert!(model.topic("payments.dlt").is_none());
    assert!(
        model
            .consumer_groups
            .iter()
            .all(|g| g.dead_letter_topic.as_deref() != Some("payments.dlt")),
        "no group dead-letters to a topic that is gone"
    );
    assert!(harness.query_by_label(&canvas_label(&dlt)).is_none());
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.run();
    assert_eq!(harness.state().model(), &original);

    // A group that performs a saga step is not deleted; the studio says why.
    let payment = ElementRef::new(ElementKind::ConsumerGroup, "payment");
    harness.get_by_label(&canvas_label(&payment)).click();
    harness.run();
    harness.key_press(egui::Key::Backspace);
    harness.run();
    assert_eq!(harness.state().model(), &original);
    assert!(
        harness.state().notice().is_some_and(|n| n.contains("saga")),
        "{:?}",
        harness.state().notice()
    );
}

#[test]
fn shift_click_ctrl_a_and_escape_select() {
    let model = default_model();
    let mut harness = studio(model.clone());
    let checkout = ElementRef::new(ElementKind::Producer, "checkout");
    let orders = ElementRef::new(ElementKind::Topic, "orders");
    harness.get_by_label(&canvas_label(&checkout)).click();
    harness.run();
    harness
        .get_by_label(&canvas_label(&orders))
        .click_modifiers(egui::Modifiers::SHIFT);
    harness.run();
    assert_eq!(harness.state().selected(), [checkout, orders]);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run();
    assert_eq!(
        harness.state().selected().len(),
        model.elements().len() + model.layout.notes.len()
    );
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(harness.state().selected().is_empty());
}

#[test]
fn a_box_dragged_on_empty_canvas_selects_what_it_touches() {
    let model = default_model();
    let mut harness = studio(model.clone());
    let checkout = ElementRef::new(ElementKind::Producer, "checkout");
    let orders = ElementRef::new(ElementKind::Topic, "orders");
    let everything: Vec<egui::Rect> = model
        .elements()
        .iter()
        .map(|e| harness.get_by_label(&canvas_label(e)).rect())
        .collect();
    let bounds = everything
        .iter()
        .copied()
        .reduce(|a, b| a.union(b))
        .expect("the model has nodes");
    let start = bounds.min - egui::vec2(15.0, 15.0);
    let end = harness.get_by_label(&canvas_label(&orders)).rect().center();
    drag(&mut harness, start, end);
    let selected = harness.state().selected().to_vec();
    assert!(selected.contains(&checkout), "{selected:?}");
    assert!(selected.contains(&orders), "{selected:?}");
    assert!(selected.len() < everything.len(), "{selected:?}");
    // The box changed nothing in the model.
    assert_eq!(harness.state().model(), &model);
}

#[test]
fn copy_and_paste_go_through_the_clipboard_events() {
    let original = default_model();
    let mut harness = studio(original.clone());
    let checkout = ElementRef::new(ElementKind::Producer, "checkout");
    harness.get_by_label(&canvas_label(&checkout)).click();
    harness.run();
    harness.event(egui::Event::Copy);
    harness.step();
    let copied = harness
        .output()
        .platform_output
        .commands
        .iter()
        .find_map(|c| match c {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
        .expect("Copy puts text on the clipboard");
    assert!(copied.contains("checkout"));
    harness.run();

    // Pasting into the same model adds a copy with a fresh id.
    harness.event(egui::Event::Paste(copied.clone()));
    harness.run();
    let copy = harness
        .state()
        .model()
        .producer("checkout-copy")
        .cloned()
        .expect("the paste added a copy");
    assert_eq!(
        copy.topics,
        original
            .producer("checkout")
            .map(|p| p.topics.clone())
            .unwrap_or_default()
    );
    assert_eq!(
        harness.state().selection(),
        Some(&ElementRef::new(ElementKind::Producer, "checkout-copy"))
    );
    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &original);

    // Ctrl+D duplicates.
    harness.get_by_label(&canvas_label(&checkout)).click();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::D);
    harness.run();
    assert!(harness.state().model().producer("checkout-copy").is_some());

    // Another window: the same text adds the producer, with the event types it sends.
    let mut other = studio(Model::new("other"));
    other.event(egui::Event::Paste(copied));
    other.run();
    let model = other.state().model();
    assert!(model.producer("checkout").is_some());
    for event_type in &original
        .producer("checkout")
        .map(|p| p.event_types.clone())
        .unwrap_or_default()
    {
        assert!(
            model.event_type(event_type).is_some(),
            "{event_type} came along"
        );
    }

    // Cut copies, then deletes; pasting brings the producer back.
    let cut_from = other.state().model().clone();
    let pasted = ElementRef::new(ElementKind::Producer, "checkout");
    other.get_by_label(&canvas_label(&pasted)).click();
    other.run();
    other.event(egui::Event::Cut);
    other.step();
    let cut = other
        .output()
        .platform_output
        .commands
        .iter()
        .find_map(|c| match c {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
        .expect("Cut puts text on the clipboard");
    other.run();
    assert!(other.state().model().producer("checkout").is_none());
    other.event(egui::Event::Paste(cut));
    other.run();
    assert!(other.state().model().producer("checkout").is_some());
    assert_eq!(
        other.state().model().producers,
        cut_from.producers,
        "the producer came back as it was"
    );

    // Text that is not a copy changes nothing and says so.
    let before = other.state().model().clone();
    other.event(egui::Event::Paste("hello".to_owned()));
    other.run();
    assert_eq!(other.state().model(), &before);
    assert!(
        other
            .state()
            .notice()
            .is_some_and(|n| n.contains("Cannot paste"))
    );
}

#[test]
fn auto_layout_is_one_undo_step_and_overlaps_nothing() {
    let original = default_model();
    let mut harness = studio(original.clone());
    harness.get_by_label("Auto-layout").click();
    harness.run();
    let laid_out = harness.state().model().clone();
    assert_ne!(laid_out, original);
    let rects: Vec<egui::Rect> = laid_out
        .elements()
        .iter()
        .map(|e| harness.get_by_label(&canvas_label(e)).rect())
        .collect();
    for (i, a) in rects.iter().enumerate() {
        for b in rects.iter().skip(i + 1) {
            assert!(!a.intersects(*b), "{a:?} and {b:?} overlap");
        }
    }
    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &original);
}

#[test]
fn a_palette_item_dragged_onto_the_canvas_creates_an_element_there() {
    let mut harness = studio(Model::new("empty"));
    let center = center_of(&harness, "This model has no elements yet");
    let from = center_of(&harness, &palette_label(ElementKind::Topic));
    drag(&mut harness, from, center);
    let model = harness.state().model().clone();
    assert_eq!(model.topics.len(), 1);
    let topic = ElementRef::new(ElementKind::Topic, &model.topics[0].id);
    assert_eq!(harness.state().selection(), Some(&topic));
    let node = harness.get_by_label(&canvas_label(&topic)).rect();
    assert!(
        node.expand(30.0).contains(center),
        "{node:?} is where it was dropped"
    );
}

#[test]
fn a_middle_drag_pans_even_when_it_starts_on_a_node() {
    let original = default_model();
    let mut harness = studio(original.clone());
    let orders = ElementRef::new(ElementKind::Topic, "orders");
    let from = center_of(&harness, &canvas_label(&orders));
    let to = from + egui::vec2(120.0, 40.0);
    let button = |pos, pressed| egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Middle,
        pressed,
        modifiers: egui::Modifiers::NONE,
    };
    harness.hover_at(from);
    harness.run();
    harness.event(button(from, true));
    harness.run();
    for step in 1..=4 {
        harness.hover_at(from + (to - from) * (step as f32 / 4.0));
        harness.run();
    }
    harness.event(button(to, false));
    harness.run();
    let now = center_of(&harness, &canvas_label(&orders));
    assert!(
        (now - to).length() < 2.0,
        "the view moved with the pointer: {now:?}"
    );
    assert_eq!(
        harness.state().model(),
        &original,
        "panning changes no model"
    );
}

// -------------------------------------------------------------------------------------------
// Simulation runs

/// Shows the bottom panel's Simulation tab.
fn open_simulation_tab(harness: &mut Harness<'static, StudioApp>) {
    harness.get_by_label("Simulation").click();
    harness.run();
}

/// Steps frames (the worker runs meanwhile) until no run is in progress; panics after
/// `timeout`.
fn wait_for_run(harness: &mut Harness<'static, StudioApp>, timeout: std::time::Duration) {
    let started = std::time::Instant::now();
    while harness.state().run_in_progress() {
        assert!(
            started.elapsed() < timeout,
            "the run did not end within {timeout:?}"
        );
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // One more frame shows what the job left.
    harness.step();
}

#[test]
fn a_run_shows_the_engines_summary_and_goes_stale_when_the_model_changes() {
    let model = default_model();
    let app = StudioApp::new(model.clone(), None).with_run_duration_limit_ms(5_000);
    let mut harness = studio_app(app);
    open_simulation_tab(&mut harness);
    assert!(harness.query_by_label("produced").is_none());
    harness.get_by_role_and_label(Role::ComboBox, "Scenario");
    harness.get_by_role_and_label(Role::SpinButton, "Seed");
    harness.get_by_label("Run").click();
    harness.step();
    wait_for_run(&mut harness, std::time::Duration::from_secs(120));

    // The same run, straight through the engine: the view shows its numbers.
    let scenario = &model.scenarios[0];
    let mut sim = Builder::new(&model)
        .scenario(scenario.name.clone())
        .seed(scenario.seed)
        .options(Options {
            duration: Some(5 * SECOND),
            ..Options::default()
        })
        .build()
        .expect("the default model runs");
    sim.run();
    let expected = sim.report();
    let shown = harness.state().run_results().expect("the run has results");
    assert_eq!(shown.trace_hash, expected.trace_hash);
    assert!(expected.produced > 0);
    for (name, value) in [
        ("produced", expected.produced),
        ("acknowledged", expected.acknowledged),
        ("delivered", expected.delivered),
        ("duplicates", expected.duplicates),
        ("dead-lettered", expected.dead_lettered),
        ("lost", expected.lost),
        ("order violations", expected.order_violations),
        ("stuck", expected.stuck),
        ("alerts fired", expected.alerts.len() as u64),
    ] {
        harness.get_by_label(name);
        assert!(
            harness.query_all_by_label(&value.to_string()).count() >= 1,
            "{name} = {value} is shown"
        );
    }
    for (name, value) in [
        ("latency p50", expected.latency_ms.p50),
        ("latency p99", expected.latency_ms.p99),
        ("latency max", expected.latency_ms.max),
    ] {
        harness.get_by_label(name);
        assert!(
            harness
                .query_all_by_label(&format!("{value:.1} ms"))
                .count()
                >= 1
        );
    }
    for verdict in &expected.checkers {
        harness.get_by_label(verdict.name);
    }
    for expectation in &expected.expectations {
        harness.get_by_label(&expectation.expectation);
    }
    harness.get_by_label("Consumer lag chart");
    assert!(harness.query_by_label(STALE_NOTE).is_none());

    // An edit marks the results stale; they stay shown.
    let dlt = ElementRef::new(ElementKind::Topic, "payments.dlt");
    harness.get_by_label(&outline_label(&dlt)).click();
    harness.run();
    harness.key_press(egui::Key::Delete);
    harness.run();
    assert!(harness.state().model().topic("payments.dlt").is_none());
    harness.get_by_label(STALE_NOTE);
    harness.get_by_label("produced");
}

/// The value a results cell labelled `label` shows.
fn cell_value(harness: &Harness<'static, StudioApp>, label: &str) -> String {
    harness
        .get_by_role_and_label(Role::Cell, label)
        .accesskit_node()
        .value()
        .unwrap_or_default()
}

/// Runs the default model's first scenario (`steady`) for `ms` of simulated time in the
/// studio, and the same run straight through the engine.
fn run_default_model(ms: u64) -> (Harness<'static, StudioApp>, causeway::sim::Report) {
    let model = default_model();
    assert_eq!(model.scenarios[0].name, "steady");
    run_scenario(&model, "steady", ms)
}

/// Runs `model`'s scenario `name` for `ms` of simulated time in the studio (picked in the
/// Scenario box), and the same run straight through the engine.
fn run_scenario(
    model: &Model,
    name: &str,
    ms: u64,
) -> (Harness<'static, StudioApp>, causeway::sim::Report) {
    let app = StudioApp::new(model.clone(), None).with_run_duration_limit_ms(ms);
    let mut harness = studio_app(app);
    open_simulation_tab(&mut harness);
    let scenario = model
        .scenarios
        .iter()
        .find(|s| s.name == name)
        .expect("the model has the scenario");
    if model.scenarios[0].name != name {
        harness
            .get_by_role_and_label(Role::ComboBox, "Scenario")
            .click();
        harness.run();
        harness.get_by_label(name).click();
        harness.run();
    }
    harness.get_by_label("Run").click();
    harness.step();
    wait_for_run(&mut harness, std::time::Duration::from_secs(120));
    let mut sim = Builder::new(model)
        .scenario(scenario.name.clone())
        .seed(scenario.seed)
        .options(Options {
            duration: Some(ms.min(scenario.duration_ms) * SECOND / 1_000),
            ..Options::default()
        })
        .build()
        .expect("the model runs");
    sim.run();
    let expected = sim.report();
    let shown = harness.state().run_results().expect("the run has results");
    assert_eq!(shown.scenario, name);
    assert_eq!(shown.trace_hash, expected.trace_hash);
    (harness, expected)
}

#[test]
fn a_run_shows_each_sagas_instances_steps_and_chart() {
    let (harness, expected) = run_default_model(10_000);
    let saga = expected
        .sagas
        .get("order-saga")
        .expect("the saga is reported");

    harness.get_by_label("Sagas");
    let started: u64 = cell_value(&harness, "order-saga started")
        .parse()
        .expect("a count");
    assert!(started > 0, "the steady scenario starts sagas");
    assert_eq!(started, saga.started);
    assert_eq!(cell_value(&harness, "order-saga stuck"), "0");
    assert_eq!(
        cell_value(&harness, "order-saga coordination"),
        "orchestrated"
    );
    for (quantity, value) in [
        ("completed", saga.completed),
        ("compensated", saga.compensated),
        ("timed out", saga.timed_out),
        ("in flight", saga.in_flight),
        ("inconsistent", saga.inconsistent),
    ] {
        assert_eq!(
            cell_value(&harness, &format!("order-saga {quantity}")),
            value.to_string(),
            "order-saga {quantity}"
        );
    }
    assert_eq!(
        cell_value(&harness, "order-saga duration p99"),
        format!("{:.1} ms", saga.duration_ms.p99)
    );
    // Each step, in the model's order.
    assert!(!saga.steps.is_empty());
    for step in &saga.steps {
        assert_eq!(
            cell_value(&harness, &format!("order-saga step {} ran", step.name)),
            step.executed.to_string()
        );
        assert_eq!(
            cell_value(
                &harness,
                &format!("order-saga step {} compensations", step.name)
            ),
            step.compensations.to_string()
        );
    }
    assert!(
        saga.steps.iter().any(|s| s.executed > 0),
        "steps ran in the steady scenario"
    );
    harness.get_by_label("order-saga instances chart");
    // A steady run leaves nothing stuck or inconsistent, and the checker passes.
    assert!(saga.problems.is_empty());
    harness.get_by_label("order-saga: no stuck or inconsistent instances.");
    harness.get_by_label("sagas-complete-or-compensate");
    // The default model has no event store, so that section is left out.
    assert!(expected.event_stores.is_empty());
    assert!(harness.query_by_label("Event stores").is_none());
}

#[test]
fn a_run_shows_each_projections_writes_staleness_and_queries() {
    let (harness, expected) = run_default_model(10_000);
    let projection = expected
        .projections
        .get("order-list")
        .expect("the projection is reported");
    harness.get_by_label("Projections");
    let applied: u64 = cell_value(&harness, "order-list applied")
        .parse()
        .expect("a count");
    assert!(applied > 0, "the steady scenario writes the read model");
    assert_eq!(applied, projection.applied);
    assert_eq!(
        cell_value(&harness, "order-list rows"),
        projection.rows.to_string()
    );
    assert_eq!(cell_value(&harness, "order-list rows differing"), "0");
    assert_eq!(cell_value(&harness, "order-list failed writes"), "0");
    assert_eq!(
        cell_value(&harness, "order-list staleness p99"),
        format!("{:.1} ms", projection.staleness_ms.p99)
    );
    assert_eq!(
        cell_value(&harness, "order-list stale queries"),
        format!("{} of {}", projection.stale_queries, projection.queries)
    );
    harness.get_by_label("projection-matches-fold");
}

#[test]
fn a_run_shows_how_each_producer_batched() {
    let (harness, expected) = run_default_model(10_000);
    let checkout = expected
        .producers
        .get("checkout")
        .expect("the producer is reported");
    harness.get_by_label("Producers");
    assert_eq!(
        cell_value(&harness, "checkout records sent"),
        checkout.records_sent.to_string()
    );
    assert_eq!(
        cell_value(&harness, "checkout requests"),
        checkout.batches.to_string()
    );
    assert_eq!(
        cell_value(&harness, "checkout records per batch"),
        format!("{:.1}", checkout.records_per_batch)
    );
    assert!(checkout.batches > 0 && checkout.batches <= checkout.records_sent);
}

/// `text` as the studio draws it: the arrows the engine writes, in ASCII.
fn as_drawn(text: &str) -> String {
    text.replace('\u{2192}', "->")
}

#[test]
fn a_run_lists_a_sagas_problem_instances_with_their_history() {
    // The payment outage makes charges time out; some run after the saga gave up on them.
    let (mut harness, expected) = run_scenario(&default_model(), "payment-outage", 45_000);
    let saga = expected
        .sagas
        .get("order-saga")
        .expect("the saga is reported");
    let problem = saga
        .problems
        .first()
        .expect("the outage leaves problem instances");
    assert!(saga.inconsistent > 0);
    assert_eq!(
        cell_value(&harness, "order-saga inconsistent"),
        saga.inconsistent.to_string()
    );
    // The failed checker's first violation is shown in full.
    let verdict = expected
        .checkers
        .iter()
        .find(|c| c.name == "sagas-complete-or-compensate")
        .expect("the saga checker ran");
    assert!(!verdict.passed);
    let example = verdict
        .example
        .as_deref()
        .expect("a failure has an example");
    harness.get_by_label(&as_drawn(&format!(
        "sagas-complete-or-compensate: {example}"
    )));
    // Each problem instance opens on its state and history.
    let title = as_drawn(&format!(
        "#{} (key {}): {}",
        problem.instance, problem.key, problem.problem
    ));
    let first_line = as_drawn(problem.history.first().expect("a history"));
    assert!(harness.query_by_label(&first_line).is_none());
    harness.get_by_label(&title).click_accesskit();
    harness.run();
    harness.get_by_label(&format!("state: {}", problem.state));
    for line in &problem.history {
        harness.get_by_label(&as_drawn(line));
    }
}

#[test]
fn a_run_shows_a_projections_rebuild() {
    let (harness, expected) = run_scenario(&default_model(), "order-list-rebuild", 20_000);
    let projection = expected
        .projections
        .get("order-list")
        .expect("the projection is reported");
    let rebuild = projection.rebuilds.first().expect("the scenario rebuilds");
    assert_eq!(
        cell_value(&harness, "order-list rebuild 1 started at"),
        format!("{:.1} s", rebuild.started_at_seconds)
    );
    let duration = match rebuild.duration_seconds {
        Some(d) => format!("{d:.2} s"),
        None => "unfinished".to_owned(),
    };
    assert_eq!(
        cell_value(&harness, "order-list rebuild 1 duration"),
        duration
    );
    assert!(rebuild.replayed > 0);
    assert_eq!(
        cell_value(&harness, "order-list rebuild 1 replayed"),
        rebuild.replayed.to_string()
    );
    assert_eq!(
        cell_value(&harness, "order-list rebuild 1 rows"),
        format!("{} -> {}", rebuild.rows_before, rebuild.rows_after)
    );
}

#[test]
fn a_run_shows_each_event_stores_commands_conflicts_and_publications() {
    let text = examples::example("bank-account")
        .map(|e| e.text)
        .unwrap_or_default();
    let model = model::load(text).expect("the bank example loads");
    let (harness, expected) = run_scenario(&model, "business-day", 5_000);
    let store = expected
        .event_stores
        .get("accounts")
        .expect("the event store is reported");
    harness.get_by_label("Event stores");
    assert!(store.commands > 0);
    for (quantity, value) in [
        ("commands", store.commands),
        ("appended", store.appended),
        ("failed", store.failed_commands),
        ("lost updates", store.lost_updates),
        ("published", store.published),
        ("lost publications", store.lost_publications),
    ] {
        assert_eq!(
            cell_value(&harness, &format!("accounts {quantity}")),
            value.to_string(),
            "accounts {quantity}"
        );
    }
    assert!(
        cell_value(&harness, "accounts conflicts").starts_with(&store.conflicts.to_string()),
        "the conflicts, then their rate"
    );
    assert_eq!(
        cell_value(&harness, "accounts load p99"),
        format!("{:.1} ms", store.load_ms.p99)
    );
    harness.get_by_label("event-store-publishes-everything");
}

#[test]
fn cancel_stops_a_long_run() {
    let mut model = default_model();
    // Ten simulated hours: far longer than the few frames before Cancel is pressed.
    model.scenarios[0].duration_ms = 36_000_000;
    let mut harness = studio(model);
    open_simulation_tab(&mut harness);
    harness.get_by_label("Run").click();
    harness.step();
    assert!(harness.state().run_in_progress());
    harness.step();
    harness.get_by_label("Run progress");
    harness.get_by_label("Cancel run").click();
    harness.step();
    wait_for_run(&mut harness, std::time::Duration::from_secs(30));
    harness.get_by_label(CANCELLED_NOTE);
    assert!(harness.state().run_results().is_none());
    assert!(harness.query_by_label("Cancel run").is_none());
    assert!(harness.query_by_label("produced").is_none());
}

#[test]
fn a_model_with_errors_shows_the_build_error_instead_of_running() {
    let mut model = default_model();
    if let Some(topic) = model.topics.iter_mut().find(|t| t.id == "orders") {
        topic.partitions = 0;
    }
    let error = Builder::new(&model)
        .build()
        .expect_err("a model with errors does not build");
    let mut harness = studio(model);
    open_simulation_tab(&mut harness);
    harness.get_by_label("Run").click();
    harness.run();
    assert!(!harness.state().run_in_progress());
    harness.get_by_label(&build_error_label(&error));
    assert!(harness.state().run_results().is_none());
}

// ---------------------------------------------------------------------------------------------
// Look and feel

/// eframe's storage, in memory.
#[derive(Default)]
struct MemoryStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

/// Opens View, then the submenu `submenu` (if any), and clicks `entry`.
fn view_menu(harness: &mut Harness<'static, StudioApp>, submenu: Option<&str>, entry: &str) {
    harness.get_by_label("View").click();
    harness.run();
    if let Some(submenu) = submenu {
        harness.get_by_label(submenu).click();
        harness.run();
    }
    harness.get_by_label(entry).click();
    harness.run();
    // Close whatever menu is still open.
    harness.key_press(egui::Key::Escape);
    harness.run();
}

#[test]
fn the_view_menu_sets_theme_and_scale_and_they_are_kept_between_runs() {
    let mut harness = studio(default_model());
    view_menu(&mut harness, Some("Theme"), "Light");
    assert_eq!(harness.state().settings().theme, Theme::Light);
    assert_eq!(
        harness.ctx.options(|o| o.theme_preference),
        egui::ThemePreference::Light
    );
    assert_eq!(harness.ctx.theme(), egui::Theme::Light);

    view_menu(&mut harness, Some("UI scale"), "150%");
    assert!((harness.state().settings().scale - 1.5).abs() < 1e-6);
    assert!((harness.ctx.zoom_factor() - 1.5).abs() < 1e-6);

    view_menu(&mut harness, None, "Show outline");
    assert!(!harness.state().settings().show_outline);
    let orders = ElementRef::new(ElementKind::Topic, "orders");
    assert!(harness.query_by_label(&outline_label(&orders)).is_none());

    // What eframe stores at exit comes back at the next start, and applies.
    let mut storage = MemoryStorage::default();
    harness.state().save_settings(&mut storage);
    let mut app = StudioApp::new(default_model(), None);
    assert_eq!(app.settings(), &Settings::default());
    app.load_settings(&storage);
    assert_eq!(app.settings(), harness.state().settings());
    let next = studio_app(app);
    assert_eq!(next.ctx.theme(), egui::Theme::Light);
    assert!((next.ctx.zoom_factor() - 1.5).abs() < 1e-6);
    assert!(next.query_by_label(&outline_label(&orders)).is_none());
}

/// The on-screen rectangle of `pane`'s tile.
fn pane_rect(harness: &Harness<'static, StudioApp>, pane: Pane) -> egui::Rect {
    let layout = harness.state().layout();
    layout
        .tiles
        .find_pane(&pane)
        .and_then(|id| layout.tiles.rect(id))
        .unwrap_or_else(|| panic!("{pane:?} is shown"))
}

#[test]
fn the_panels_are_tabbed_tiles_around_the_canvas_resized_kept_and_reset() {
    let mut harness = studio(default_model());
    // Every panel has its tab; the outline is left of the canvas, the inspector right of it,
    // problems and simulation under it.
    for pane in [
        Pane::Outline,
        Pane::Canvas,
        Pane::Inspector,
        Pane::Problems,
        Pane::Simulation,
    ] {
        harness.get_by_role_and_label(Role::Button, pane.title());
    }
    let (outline, canvas, inspector, problems) = (
        pane_rect(&harness, Pane::Outline),
        pane_rect(&harness, Pane::Canvas),
        pane_rect(&harness, Pane::Inspector),
        pane_rect(&harness, Pane::Problems),
    );
    assert!(outline.right() <= canvas.left() && canvas.right() <= inspector.left());
    assert!(canvas.bottom() <= problems.top());
    assert!(problems.left() >= outline.right() && problems.right() <= inspector.left());
    assert!((outline.width() - 220.0).abs() < 30.0, "{outline:?}");

    // Dragging the gap between outline and canvas widens the outline.
    let gap = egui::pos2((outline.right() + canvas.left()) / 2.0, canvas.center().y);
    drag(&mut harness, gap, gap + egui::vec2(150.0, 0.0));
    let wider = pane_rect(&harness, Pane::Outline);
    assert!(
        (wider.width() - outline.width() - 150.0).abs() < 10.0,
        "{outline:?} -> {wider:?}"
    );
    assert_ne!(
        harness.state().layout(),
        &causeway::studio::default_layout()
    );

    // The next run opens with the same layout.
    let mut storage = MemoryStorage::default();
    harness.state().save_settings(&mut storage);
    let mut app = StudioApp::new(default_model(), None);
    app.load_settings(&storage);
    assert_eq!(app.layout(), harness.state().layout());
    let next = studio_app(app);
    assert!((pane_rect(&next, Pane::Outline).width() - wider.width()).abs() < 1.0);

    // View → Reset layout puts it back, with every panel shown.
    harness
        .state_mut()
        .select(Some(ElementRef::new(ElementKind::Topic, "orders")));
    harness.run();
    harness.get_by_label("PROPERTIES");
    view_menu(&mut harness, None, "Show inspector");
    assert!(harness.query_by_label("PROPERTIES").is_none());
    view_menu(&mut harness, None, "Reset layout");
    assert_eq!(
        harness.state().layout(),
        &causeway::studio::default_layout()
    );
    assert!(harness.state().settings().show_inspector);
    harness.get_by_label("PROPERTIES");
    assert!((pane_rect(&harness, Pane::Outline).width() - outline.width()).abs() < 1.0);
}

#[test]
fn hovering_a_node_shows_its_kind_name_settings_and_problems() {
    let mut model = default_model();
    if let Some(topic) = model.topics.iter_mut().find(|t| t.id == "orders") {
        topic.partitions = 0;
    }
    let mut harness = studio(model);
    harness
        .ctx
        .all_styles_mut(|style| style.interaction.tooltip_delay = 0.0);
    let orders = ElementRef::new(ElementKind::Topic, "orders");
    assert!(harness.query_by_label(&tooltip_title(&orders)).is_none());
    let problem = harness
        .state()
        .diagnostics()
        .iter()
        .find(|d| d.element == orders && d.field.as_deref() == Some("partitions"))
        .map(|d| format!("{}: {}", d.severity, d.message))
        .expect("zero partitions is an error");
    // The problems panel lists it; the tooltip will too.
    assert_eq!(harness.query_all_by_label(&problem).count(), 1);
    harness.get_by_label(&canvas_label(&orders)).hover();
    harness.run();
    harness.run_steps(3);
    harness.get_by_label("Topic orders");
    harness.get_by_label("partitions: 0");
    assert_eq!(harness.query_all_by_label(&problem).count(), 2);
}

/// Compares the screen with `tests/snapshots/{name}.png`. The tolerance absorbs the small
/// differences between CPU rasterisers (llvmpipe versions) without hiding a moved panel.
fn snapshot(harness: &mut Harness<'static, StudioApp>, name: &str) {
    let options = egui_kittest::SnapshotOptions::new()
        .threshold(2.0)
        .max_failed_pixels(2_000);
    harness.snapshot_options(name, &options);
}

#[test]
fn snapshots_of_the_default_model() {
    let mut harness = studio(default_model());
    harness.state_mut().set_settings(Settings {
        theme: Theme::Dark,
        ..Settings::default()
    });
    harness.run();
    snapshot(&mut harness, "default_model_dark");

    harness.state_mut().set_settings(Settings {
        theme: Theme::Light,
        ..Settings::default()
    });
    harness
        .state_mut()
        .select(Some(ElementRef::new(ElementKind::Producer, "checkout")));
    harness.run();
    snapshot(&mut harness, "producer_inspector_light");

    harness
        .state_mut()
        .select(Some(ElementRef::new(ElementKind::EventType, "OrderPlaced")));
    harness.run();
    snapshot(&mut harness, "event_type_schema_light");
}

#[test]
fn the_event_type_inspector_judges_each_version_and_names_the_consumers_it_would_break() {
    let mut model = default_model();
    let event = model
        .event_types
        .iter_mut()
        .find(|e| e.id == "OrderPlaced")
        .expect("OrderPlaced");
    event.compatibility = model::Compatibility::Backward;
    let mut next = event.versions.last().cloned().expect("a version");
    let mut coupon = next.fields[0].clone();
    coupon.name = "coupon".into();
    coupon.ty = model::AvroType::String;
    coupon.default = None;
    next.fields.push(coupon);
    event.versions.push(next);
    let new = event.versions.len();
    let mut harness = studio(model);
    harness
        .state_mut()
        .select(Some(ElementRef::new(ElementKind::EventType, "OrderPlaced")));
    harness.run();
    harness.get_by_label(&format!("v{new}: refused under BACKWARD"));
    harness.get_by_label("+ `coupon` added");
    // Side by side: the new field only in the new version's column.
    harness
        .get_by_label(&format!("v{} | v{new} side by side", new - 1))
        .click();
    harness.run();
    harness.get_by_label("coupon: string");
    harness.get_by_label_contains("field `coupon` added without a default");
    let readers = harness
        .get_by_label_contains("would break: ")
        .accesskit_node()
        .value()
        .or_else(|| {
            harness
                .get_by_label_contains("would break: ")
                .accesskit_node()
                .label()
        })
        .unwrap_or_default();
    assert!(
        readers.contains("shipping") && readers.contains("order-list"),
        "{readers}"
    );

    // Typing a default makes the registry accept it, live.
    let default = format!("versions[{}].fields[{}].default", new - 1, {
        let e = harness.state().model().event_type("OrderPlaced").cloned();
        e.map_or(0, |e| e.versions[new - 1].fields.len() - 1)
    });
    harness
        .get_by_role_and_label(egui::Role::TextInput, &default)
        .focus();
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::TextInput, &default)
        .type_text("\"none\"");
    harness.run();
    harness.key_press(egui::Key::Tab);
    harness.run();
    harness.run();
    harness.get_by_label(&format!("v{new}: accepted under BACKWARD"));
}

// ---------------------------------------------------------------------------------------------
// Schema versions, field aliases and brokers

/// A harness on the default model with the event type `OrderPlaced` inspected.
fn order_placed_inspected() -> Harness<'static, StudioApp> {
    let mut harness = studio(default_model());
    harness
        .state_mut()
        .select(Some(ElementRef::new(ElementKind::EventType, "OrderPlaced")));
    harness.run();
    harness
}

fn order_placed(harness: &Harness<'_, StudioApp>) -> model::EventType {
    harness
        .state()
        .model()
        .event_type("OrderPlaced")
        .cloned()
        .expect("the event type is there")
}

#[test]
fn only_the_latest_schema_version_is_removed_and_undo_brings_it_back() {
    let original = default_model();
    let mut harness = order_placed_inspected();
    let before = order_placed(&harness);
    assert_eq!(before.versions.len(), 2);
    harness
        .get_by_role_and_label(Role::Button, "Remove latest version")
        .click();
    harness.run();
    let after = order_placed(&harness);
    assert_eq!(after.versions, before.versions[..1]);
    // The only version left cannot be removed.
    assert!(harness.query_by_label("Remove latest version").is_none());
    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &original);
    harness.get_by_label("Remove latest version");
    harness.state_mut().redo();
    harness.run();
    assert_eq!(order_placed(&harness).versions.len(), 1);
}

#[test]
fn a_fields_aliases_are_typed_as_a_list_and_undone_in_one_step() {
    let original = default_model();
    let mut harness = order_placed_inspected();
    let latest = order_placed(&harness).versions.len() - 1;
    harness.get_by_label("Field aliases").click();
    harness.run();
    let key = format!("versions[{latest}].fields[0].aliases");
    harness.get_by_role_and_label(Role::TextInput, &key).focus();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, &key)
        .type_text("orderId, order ,");
    harness.run();
    harness.key_press(egui::Key::Escape);
    harness.run();
    let event = order_placed(&harness);
    assert_eq!(
        event.versions[latest].fields[0].aliases,
        ["orderId", "order"]
    );
    // Nothing else changed: not the other fields, not the earlier version.
    let mut expected = original
        .event_type("OrderPlaced")
        .cloned()
        .expect("OrderPlaced");
    expected.versions[latest].fields[0].aliases = vec!["orderId".into(), "order".into()];
    assert_eq!(event, expected);
    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &original);
}

#[test]
fn brokers_are_added_and_removed_in_the_model_inspector_with_undo() {
    let original = default_model();
    let ids = |h: &Harness<'_, StudioApp>| -> Vec<u32> {
        h.state()
            .model()
            .cluster
            .brokers
            .iter()
            .map(|b| b.id)
            .collect()
    };
    let mut harness = studio(original.clone());
    assert_eq!(ids(&harness), [1, 2, 3]);
    harness.get_by_label("Add to brokers").click();
    harness.run();
    assert_eq!(ids(&harness), [1, 2, 3, 4]);
    let brokers = &harness.state().model().cluster.brokers;
    assert_eq!(brokers[3].rack, None);
    assert!((brokers[3].write_mb_per_s - brokers[2].write_mb_per_s).abs() < 1e-9);
    harness.get_by_label("broker 4");
    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &original);

    harness.get_by_label("broker 2 (eu-west-1b)");
    harness.get_by_label("Remove brokers[1]").click();
    harness.run();
    assert_eq!(ids(&harness), [1, 3]);
    assert!(harness.query_by_label("broker 2 (eu-west-1b)").is_none());
    harness.get_by_label("broker 3 (eu-west-1c)");
    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &original);
}

#[test]
fn a_fields_type_typed_as_avro_json_can_be_any_avro_type_and_bad_json_is_refused() {
    let original = default_model();
    let mut harness = order_placed_inspected();
    let latest = order_placed(&harness).versions.len() - 1;
    harness.get_by_label("Field types as Avro JSON").click();
    harness.run();
    let key = format!("versions[{latest}].fields[0].type.json");
    let type_json = |h: &mut Harness<'_, StudioApp>, text: &str| {
        h.get_by_role_and_label(Role::TextInput, &key).focus();
        h.run();
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        h.get_by_role_and_label(Role::TextInput, &key)
            .type_text(text);
        h.run();
    };
    // Not JSON: said under the list, and the model keeps the old type.
    type_json(&mut harness, "array of strings");
    harness.get_by_label_contains("type: not JSON");
    assert_eq!(harness.state().model(), &original);
    // An enum, which the type menu does not offer.
    type_json(
        &mut harness,
        r#"{"type": "enum", "name": "Channel", "symbols": ["WEB", "APP"]}"#,
    );
    harness.key_press(egui::Key::Escape);
    harness.run();
    let field = &order_placed(&harness).versions[latest].fields[0];
    let model::AvroType::Enum(channel) = &field.ty else {
        panic!("an enum: {:?}", field.ty)
    };
    assert_eq!(channel.symbols, ["WEB", "APP"]);
    harness.state_mut().undo();
    harness.run();
    assert_eq!(harness.state().model(), &original);
}
