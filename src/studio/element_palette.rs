//! The palette: one button per kind of element the canvas can hold. Clicking one arms it; the
//! next click on the canvas places a new element of that kind there (Escape, or clicking the
//! armed button again, disarms it). A button can also be dragged onto the canvas: the drag
//! carries the kind as egui's drag-and-drop payload, which the canvas takes where it is
//! dropped.

use eframe::egui;

use egui::{Button, RichText, Sense, Ui};

use crate::model::ElementKind;

use super::edit::CREATABLE;
use super::palette::Palette;

/// The accessible name of the palette button that creates `kind` ("new consumer group").
pub fn palette_label(kind: ElementKind) -> String {
    format!("new {}", kind.label())
}

/// The text on the palette button for `kind`.
fn button_text(kind: ElementKind) -> &'static str {
    match kind {
        ElementKind::Producer => "Producer",
        ElementKind::Topic => "Topic",
        ElementKind::ConsumerGroup => "Consumer group",
        ElementKind::Saga => "Saga",
        ElementKind::Projection => "Projection",
        ElementKind::EventStore => "Event store",
        ElementKind::CanvasNote => "Note",
        other => other.label(),
    }
}

/// Shows the palette; returns the new armed kind (`Some(None)` to disarm) when it changes.
pub fn element_palette_ui(
    ui: &mut Ui,
    placing: Option<ElementKind>,
) -> Option<Option<ElementKind>> {
    let palette = Palette::from_visuals(ui.visuals());
    let mut chosen = None;
    ui.add_space(6.0);
    ui.label(RichText::new("Palette").strong());
    ui.add_space(2.0);
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing = egui::vec2(4.0, 4.0);
        for kind in CREATABLE {
            let armed = placing == Some(kind);
            let text = RichText::new(button_text(kind)).color(if armed {
                ui.visuals().strong_text_color()
            } else {
                palette.kind(kind)
            });
            let response = ui
                .add(Button::selectable(armed, text).sense(Sense::click_and_drag()))
                .accessible_name(palette_label(kind))
                .on_hover_text(format!(
                    "Click, then click on the canvas to place a new {}; or drag it onto the \
                     canvas",
                    kind.label()
                ));
            if response.clicked() {
                chosen = Some(if armed { None } else { Some(kind) });
            }
            if response.drag_started() {
                egui::DragAndDrop::set_payload(ui.ctx(), kind);
            }
            if response.dragged() {
                ui.ctx().set_cursor_icon(egui::CursorIcon::Grabbing);
            }
        }
    });
    ui.add_space(2.0);
    chosen
}
