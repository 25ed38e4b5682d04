//! The inspector: the selected element's properties (edited through `editors.rs`), its
//! connections and its problems. With nothing selected it shows the model itself.

use eframe::egui;

use egui::{Grid, RichText, ScrollArea, Ui, pos2, vec2};

use crate::model::{Diagnostic, ElementKind, ElementRef, Model};

use super::diagram::Diagram;
use super::editors::{EditorOutcome, properties_editor_ui};
use super::fields::GRID_SPACING;
use super::palette::Palette;
use super::properties::properties;
use super::widgets::{chip, drawable, paint_severity_marker, section_heading};

/// What the user did in the inspector this frame.
#[derive(Debug, Default)]
pub struct InspectorOutcome {
    /// An element to select (a connection was clicked).
    pub clicked: Option<ElementRef>,
    /// Edits of the element's properties.
    pub editor: EditorOutcome,
}

/// Shows the inspector.
pub fn inspector_ui(
    ui: &mut Ui,
    model: &Model,
    diagram: &Diagram,
    diagnostics: &[Diagnostic],
    selection: Option<&ElementRef>,
) -> InspectorOutcome {
    let palette = Palette::from_visuals(ui.visuals());
    let element = selection.cloned().unwrap_or_else(ElementRef::model);
    let mut clicked = None;
    let mut editor = EditorOutcome::default();

    // The tab above says "Inspector"; the element's heading comes first.
    ui.add_space(6.0);
    ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            heading_ui(ui, &palette, model, &element);
            if properties(model, &element).is_none() {
                ui.label(
                    RichText::new(format!("The model has no {element}."))
                        .color(ui.visuals().warn_fg_color),
                );
                return;
            };

            section_heading(ui, "Properties");
            editor = properties_editor_ui(ui, model, diagnostics, &element);

            if let Some(next) = connections_ui(ui, diagram, &element) {
                clicked = Some(next);
            }
            problems_ui(ui, &palette, diagnostics, &element);
        });
    InspectorOutcome { clicked, editor }
}

/// The widths of the key and value columns, so the grids fill the panel.
fn column_widths(ui: &Ui) -> (f32, f32) {
    let available = ui.available_width();
    let key = (available * 0.42).clamp(100.0, 170.0);
    (key, (available - key - GRID_SPACING).max(60.0))
}

/// A grid cell exactly `width` wide, whose contents wrap inside it.
fn fixed_width_cell(ui: &mut Ui, width: f32, add_contents: impl FnOnce(&mut Ui)) {
    ui.vertical(|ui| {
        ui.set_width(width);
        ui.horizontal_wrapped(add_contents);
    });
}

/// The element's kind as a coloured chip, and its name.
fn heading_ui(ui: &mut Ui, palette: &Palette, model: &Model, element: &ElementRef) {
    let kind_name = match element.kind {
        ElementKind::Model => "model",
        kind => kind.label(),
    };
    chip(ui, kind_name, palette.kind(element.kind));
    ui.add_space(2.0);
    let name = if element.kind == ElementKind::Model {
        model.name.as_str()
    } else {
        element.id.as_str()
    };
    ui.label(RichText::new(name).heading().strong());
}

/// The edges that start or end at the element, each naming the element at the other end as a
/// link that selects it.
fn connections_ui(ui: &mut Ui, diagram: &Diagram, element: &ElementRef) -> Option<ElementRef> {
    let index = diagram.node_index(element)?;
    let connected: Vec<_> = diagram
        .edges
        .iter()
        .filter(|e| e.from == index || e.to == index)
        .collect();
    if connected.is_empty() {
        return None;
    }
    let mut clicked = None;
    section_heading(ui, "Connections");
    let (key_width, value_width) = column_widths(ui);
    Grid::new("inspector-connections")
        .num_columns(2)
        .spacing(vec2(GRID_SPACING, 4.0))
        .show(ui, |ui| {
            for edge in connected {
                let outgoing = edge.from == index;
                let other = &diagram.nodes[if outgoing { edge.to } else { edge.from }].element;
                fixed_width_cell(ui, key_width, |ui| {
                    ui.label(RichText::new(edge.kind.phrase(outgoing)).weak());
                });
                fixed_width_cell(ui, value_width, |ui| {
                    if ui
                        .link(other.id.as_str())
                        .on_hover_text(format!("Select {other}"))
                        .clicked()
                    {
                        clicked = Some(other.clone());
                    }
                    if !edge.label.is_empty() && edge.label != edge.kind.label() {
                        ui.label(RichText::new(&edge.label).weak());
                    }
                });
                ui.end_row();
            }
        });
    clicked
}

/// The diagnostics about the element.
fn problems_ui(ui: &mut Ui, palette: &Palette, diagnostics: &[Diagnostic], element: &ElementRef) {
    let mine: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| &d.element == element)
        .collect();
    if mine.is_empty() {
        return;
    }
    section_heading(ui, "Problems");
    for diagnostic in mine {
        ui.horizontal_top(|ui| {
            let (rect, _) = ui.allocate_exact_size(vec2(16.0, 16.0), egui::Sense::hover());
            paint_severity_marker(
                ui,
                pos2(rect.center().x, rect.center().y),
                palette.severity(diagnostic.severity),
                diagnostic.severity == crate::model::Severity::Info,
            );
            ui.vertical(|ui| {
                ui.add(egui::Label::new(drawable(&diagnostic.message)).wrap());
                if let Some(hint) = &diagnostic.hint {
                    ui.add(egui::Label::new(RichText::new(drawable(hint)).weak().italics()).wrap());
                }
            });
        });
        ui.add_space(4.0);
    }
}
