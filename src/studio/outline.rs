//! The outline: every element of the model, grouped by kind, in file order. Clicking a row
//! selects its element.

use eframe::egui;

use egui::{Align2, CollapsingHeader, FontId, RichText, ScrollArea, Ui, pos2};

use crate::model::{Diagnostic, ElementKind, ElementRef, Model, Severity};

use super::palette::Palette;
use super::widgets::{elided_text, paint_kind_marker, selectable_row};

/// The kinds the outline lists, in order, with their section titles.
const SECTIONS: [(ElementKind, &str); 10] = [
    (ElementKind::Producer, "Producers"),
    (ElementKind::Topic, "Topics"),
    (ElementKind::ConsumerGroup, "Consumer groups"),
    (ElementKind::Saga, "Sagas"),
    (ElementKind::Projection, "Projections"),
    (ElementKind::EventStore, "Event stores"),
    (ElementKind::EventType, "Event types"),
    (ElementKind::Scenario, "Scenarios"),
    (ElementKind::Broker, "Brokers"),
    (ElementKind::CanvasNote, "Canvas notes"),
];

/// The accessible name of an element's outline row ("topic orders", or "model overview").
pub fn outline_label(element: &ElementRef) -> String {
    if element.kind == ElementKind::Model {
        "model overview".to_owned()
    } else {
        format!("{} {}", element.kind.label(), element.id)
    }
}

/// The ids of the elements of one kind, in file order.
fn ids_of(model: &Model, kind: ElementKind) -> Vec<String> {
    match kind {
        ElementKind::Producer => model.producers.iter().map(|e| e.id.clone()).collect(),
        ElementKind::Topic => model.topics.iter().map(|e| e.id.clone()).collect(),
        ElementKind::ConsumerGroup => model.consumer_groups.iter().map(|e| e.id.clone()).collect(),
        ElementKind::Saga => model.sagas.iter().map(|e| e.id.clone()).collect(),
        ElementKind::Projection => model.projections.iter().map(|e| e.id.clone()).collect(),
        ElementKind::EventStore => model.event_stores.iter().map(|e| e.id.clone()).collect(),
        ElementKind::EventType => model.event_types.iter().map(|e| e.id.clone()).collect(),
        ElementKind::Scenario => model.scenarios.iter().map(|e| e.name.clone()).collect(),
        ElementKind::Broker => model
            .cluster
            .brokers
            .iter()
            .map(|b| b.id.to_string())
            .collect(),
        ElementKind::CanvasNote => model.layout.notes.iter().map(|n| n.id.clone()).collect(),
        ElementKind::Model => Vec::new(),
    }
}

/// Shows the outline; returns the element whose row was clicked.
pub fn outline_ui(
    ui: &mut Ui,
    model: &Model,
    diagnostics: &[Diagnostic],
    selection: Option<&ElementRef>,
) -> Option<ElementRef> {
    let palette = Palette::from_visuals(ui.visuals());
    let mut clicked = None;
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new("Outline").strong());
        ui.label(RichText::new(format!("{} elements", model.elements().len())).weak());
    });
    ui.add_space(4.0);
    ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let model_ref = ElementRef::model();
            let selected = selection.is_none_or(|s| s.kind == ElementKind::Model);
            if row_ui(ui, &palette, diagnostics, &model_ref, &model.name, selected) {
                clicked = Some(model_ref);
            }
            for (kind, title) in SECTIONS {
                let ids = ids_of(model, kind);
                if ids.is_empty() {
                    continue;
                }
                CollapsingHeader::new(RichText::new(format!("{title}  {}", ids.len())).strong())
                    .id_salt(("outline", kind))
                    .default_open(!matches!(
                        kind,
                        ElementKind::EventType | ElementKind::Broker | ElementKind::Scenario
                    ))
                    .show(ui, |ui| {
                        for id in ids {
                            let element = ElementRef::new(kind, id);
                            let selected = selection == Some(&element);
                            if row_ui(ui, &palette, diagnostics, &element, &element.id, selected) {
                                clicked = Some(element);
                            }
                        }
                    });
            }
        });
    clicked
}

/// One row: the kind marker, the name, and a marker for the worst problem; true when clicked.
fn row_ui(
    ui: &mut Ui,
    palette: &Palette,
    diagnostics: &[Diagnostic],
    element: &ElementRef,
    name: &str,
    selected: bool,
) -> bool {
    let problems: Vec<Severity> = diagnostics
        .iter()
        .filter(|d| &d.element == element)
        .map(|d| d.severity)
        .collect();
    let worst = problems.iter().min().copied();
    let label = outline_label(element);
    let response = selectable_row(ui, 22.0, selected, &label, |ui, rect, text_color| {
        paint_kind_marker(
            ui,
            pos2(rect.left() + 10.0, rect.center().y),
            palette.kind(element.kind),
        );
        let badge_width = if worst.is_some() { 26.0 } else { 0.0 };
        let galley = elided_text(
            ui.painter(),
            name,
            FontId::proportional(13.0),
            text_color,
            rect.width() - 28.0 - badge_width,
        );
        ui.painter().galley(
            pos2(rect.left() + 22.0, rect.center().y - galley.size().y / 2.0),
            galley,
            text_color,
        );
        if let Some(severity) = worst {
            let center = pos2(rect.right() - 12.0, rect.center().y);
            ui.painter()
                .circle_filled(center, 7.5, palette.severity(severity));
            ui.painter().text(
                center,
                Align2::CENTER_CENTER,
                problems.len().to_string(),
                FontId::proportional(10.0),
                egui::Color32::WHITE,
            );
        }
    });
    let response = if let Some(severity) = worst {
        response.on_hover_text(format!(
            "{} problem{}, the worst: {severity}",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        ))
    } else {
        response
    };
    response.clicked()
}
