//! Small widgets the panels share: a selectable list row and a coloured chip.

use eframe::egui;

use std::sync::Arc;

use egui::text::{LayoutJob, TextWrapping};
use egui::{
    Align2, Color32, CornerRadius, FontId, Galley, Painter, Rect, Response, RichText, Role, Sense,
    Stroke, Ui, WidgetInfo, pos2, vec2,
};

/// A full-width row that can be clicked to select what it stands for.
///
/// `accessible_label` names the row for screen readers and tests; `paint` draws its contents
/// in the given rectangle with the given text colour (which follows the selection).
pub fn selectable_row(
    ui: &mut Ui,
    height: f32,
    selected: bool,
    accessible_label: &str,
    paint: impl FnOnce(&Ui, Rect, Color32),
) -> Response {
    let (rect, response) =
        ui.allocate_exact_size(vec2(ui.available_width(), height), Sense::click());
    response.widget_info(|| {
        WidgetInfo::selected(Role::Button, ui.is_enabled(), selected, accessible_label)
    });
    if ui.is_rect_visible(rect) {
        let visuals = ui.visuals();
        let text_color = if selected {
            visuals.selection.stroke.color
        } else if response.hovered() {
            visuals.strong_text_color()
        } else {
            visuals.text_color()
        };
        if selected {
            ui.painter()
                .rect_filled(rect, CornerRadius::same(4), visuals.selection.bg_fill);
        } else if response.hovered() {
            ui.painter().rect_filled(
                rect,
                CornerRadius::same(4),
                visuals.widgets.hovered.weak_bg_fill,
            );
        }
        paint(ui, rect, text_color);
    }
    response
}

/// A small rounded square in `color`, the kind marker of outline rows and headings.
pub fn paint_kind_marker(ui: &Ui, center: egui::Pos2, color: Color32) {
    ui.painter().rect_filled(
        Rect::from_center_size(center, vec2(9.0, 9.0)),
        CornerRadius::same(2),
        color,
    );
}

/// A round severity marker with `!` or `i` in it.
pub fn paint_severity_marker(ui: &Ui, center: egui::Pos2, color: Color32, info: bool) {
    ui.painter().circle_filled(center, 7.0, color);
    ui.painter().text(
        center,
        Align2::CENTER_CENTER,
        if info { "i" } else { "!" },
        FontId::proportional(10.5),
        Color32::WHITE,
    );
}

/// A non-interactive chip: text on a tinted, rounded background.
pub fn chip(ui: &mut Ui, text: &str, color: Color32) -> Response {
    let galley = ui
        .painter()
        .layout_no_wrap(text.to_owned(), FontId::proportional(11.5), color);
    let size = galley.size() + vec2(14.0, 6.0);
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    response.widget_info(|| WidgetInfo::labeled(Role::Label, true, text));
    if ui.is_rect_visible(rect) {
        ui.painter().rect(
            rect,
            CornerRadius::same(255),
            color.gamma_multiply(0.14),
            Stroke::new(1.0, color.gamma_multiply(0.5)),
            egui::StrokeKind::Inside,
        );
        ui.painter().galley(
            pos2(rect.left() + 7.0, rect.center().y - galley.size().y / 2.0),
            galley,
            color,
        );
    }
    response
}

/// A section heading inside a panel.
pub fn section_heading(ui: &mut Ui, text: &str) {
    ui.add_space(6.0);
    ui.label(RichText::new(text.to_uppercase()).small().strong().weak());
    ui.add_space(2.0);
}

/// `text` with the characters egui's bundled font cannot draw spelled out in ASCII (the
/// arrows validation writes in a cycle, "a → b"), so they show as arrows, not as boxes.
pub fn drawable(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(['\u{2192}', '\u{2190}']) {
        std::borrow::Cow::Owned(text.replace('\u{2192}', "->").replace('\u{2190}', "<-"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// One line of text, cut with an ellipsis to fit `width`.
pub fn elided_text(
    painter: &Painter,
    text: &str,
    font: FontId,
    color: Color32,
    width: f32,
) -> Arc<Galley> {
    let mut job = LayoutJob::simple_singleline(drawable(text).into_owned(), font, color);
    job.wrap = TextWrapping::truncate_at_width(width.max(8.0));
    painter.layout_job(job)
}
