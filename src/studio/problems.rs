//! The problems list: every diagnostic validation found, errors first. Clicking one selects the
//! element it concerns.

use eframe::egui;

use egui::{FontId, RichText, ScrollArea, Ui, pos2};

use crate::model::{Diagnostic, ElementKind, ElementRef, Severity};

use super::palette::Palette;
use super::widgets::{chip, elided_text, paint_severity_marker, selectable_row};

/// The accessible name of a diagnostic's row ("error: topic `orders`: …").
pub fn problem_label(diagnostic: &Diagnostic) -> String {
    format!("{}: {}", diagnostic.severity, diagnostic.message)
}

/// Shows the problems list; returns the element of the diagnostic that was clicked.
pub fn problems_ui(
    ui: &mut Ui,
    diagnostics: &[Diagnostic],
    selection: Option<&ElementRef>,
) -> Option<ElementRef> {
    let palette = Palette::from_visuals(ui.visuals());
    let mut clicked = None;
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new("Problems").strong());
        for severity in [Severity::Error, Severity::Warning, Severity::Info] {
            let n = diagnostics
                .iter()
                .filter(|d| d.severity == severity)
                .count();
            if n > 0 {
                chip(
                    ui,
                    &format!("{n} {severity}{}", if n == 1 { "" } else { "s" }),
                    palette.severity(severity),
                );
            }
        }
    });
    ui.add_space(4.0);
    if diagnostics.is_empty() {
        ui.label(RichText::new("No problems: validation found nothing to report.").weak());
        return None;
    }
    ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (index, diagnostic) in diagnostics.iter().enumerate() {
                ui.push_id(index, |ui| {
                    if row_ui(ui, &palette, diagnostic, selection) {
                        clicked = Some(diagnostic.element.clone());
                    }
                });
            }
        });
    clicked
}

/// One diagnostic: severity marker, message, then where (element and field) and the rule's
/// code; the hint is in the tooltip. True when clicked.
fn row_ui(
    ui: &mut Ui,
    palette: &Palette,
    diagnostic: &Diagnostic,
    selection: Option<&ElementRef>,
) -> bool {
    let selected = selection == Some(&diagnostic.element)
        || (selection.is_none() && diagnostic.element.kind == ElementKind::Model);
    let label = problem_label(diagnostic);
    let location = match &diagnostic.field {
        Some(field) => format!("{} · {field}", diagnostic.element),
        None => diagnostic.element.to_string(),
    };
    let response = selectable_row(ui, 24.0, selected, &label, |ui, rect, text_color| {
        let color = palette.severity(diagnostic.severity);
        paint_severity_marker(
            ui,
            pos2(rect.left() + 12.0, rect.center().y),
            color,
            diagnostic.severity == Severity::Info,
        );
        let weak = ui.visuals().weak_text_color();
        let right = elided_text(
            ui.painter(),
            &format!("{location}   {}", diagnostic.code),
            FontId::proportional(11.5),
            weak,
            (rect.width() * 0.35).max(60.0),
        );
        let right_width = right.size().x;
        ui.painter().galley(
            pos2(
                rect.right() - 8.0 - right_width,
                rect.center().y - right.size().y / 2.0,
            ),
            right,
            weak,
        );
        let message = elided_text(
            ui.painter(),
            &diagnostic.message,
            FontId::proportional(13.0),
            text_color,
            rect.width() - 40.0 - right_width - 16.0,
        );
        ui.painter().galley(
            pos2(rect.left() + 28.0, rect.center().y - message.size().y / 2.0),
            message,
            text_color,
        );
    });
    let mut tooltip = diagnostic.to_string();
    tooltip.push_str(&format!("\n{location} ({})", diagnostic.code));
    response.on_hover_text(tooltip).clicked()
}
