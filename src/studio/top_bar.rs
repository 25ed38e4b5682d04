//! The top bar: the app's mark, the model's name and file, and a summary of the model and of
//! its problems.

use eframe::egui;

use std::path::Path;

use egui::{Align, Color32, Layout, RichText, Sense, Stroke, Ui, pos2, vec2};

use crate::model::{Diagnostic, ElementKind, Model, Severity};

use super::palette::Palette;
use super::widgets::chip;

/// What the top bar says about where the model came from.
pub fn file_label(path: Option<&Path>) -> String {
    match path.and_then(Path::file_name) {
        Some(name) => name.to_string_lossy().into_owned(),
        None => "built-in example (not saved)".to_owned(),
    }
}

/// Shows the top bar.
pub fn top_bar_ui(ui: &mut Ui, model: &Model, path: Option<&Path>, diagnostics: &[Diagnostic]) {
    let palette = Palette::from_visuals(ui.visuals());
    ui.horizontal(|ui| {
        ui.set_min_height(30.0);
        logo_ui(ui, &palette);
        ui.label(RichText::new("Causeway").strong().size(15.0));
        ui.separator();
        ui.label(RichText::new(&model.name).strong().size(15.0))
            .on_hover_text(&model.description);
        let file = file_label(path);
        let hover = path.map_or_else(|| file.clone(), |p| p.display().to_string());
        ui.label(RichText::new(file).weak()).on_hover_text(hover);

        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            let errors = count(diagnostics, Severity::Error);
            let warnings = count(diagnostics, Severity::Warning);
            if errors == 0 && warnings == 0 {
                chip(ui, "valid", palette.kind(ElementKind::ConsumerGroup));
            } else {
                if warnings > 0 {
                    chip(
                        ui,
                        &plural(warnings, "warning"),
                        palette.severity(Severity::Warning),
                    );
                }
                if errors > 0 {
                    chip(
                        ui,
                        &plural(errors, "error"),
                        palette.severity(Severity::Error),
                    );
                }
            }
            ui.separator();
            let summary = [
                (model.producers.len(), "producer"),
                (model.topics.len(), "topic"),
                (model.consumer_groups.len(), "group"),
                (model.sagas.len(), "saga"),
                (model.projections.len(), "projection"),
                (model.event_stores.len(), "event store"),
            ]
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| plural(n, what))
            .collect::<Vec<_>>()
            .join(" · ");
            ui.label(RichText::new(summary).weak());
        });
    });
}

/// The app's mark: three nodes joined by a causeway.
fn logo_ui(ui: &mut Ui, palette: &Palette) {
    let (rect, _) = ui.allocate_exact_size(vec2(24.0, 24.0), Sense::hover());
    let painter = ui.painter();
    painter.rect_filled(rect, 6, palette.kind(ElementKind::Producer));
    let y = rect.center().y;
    let xs = [rect.left() + 6.0, rect.center().x, rect.right() - 6.0];
    let white = Color32::WHITE;
    painter.line_segment([pos2(xs[0], y), pos2(xs[2], y)], Stroke::new(2.0, white));
    for x in xs {
        painter.circle_filled(pos2(x, y), 3.0, white);
    }
}

fn count(diagnostics: &[Diagnostic], severity: Severity) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity == severity)
        .count()
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
