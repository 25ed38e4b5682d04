//! The top bar: the File, Edit, View and Help menus, the app's mark, the model's name and file (with an
//! unsaved-changes mark), and a summary of the model and of its problems.

use eframe::egui;

use std::path::{Path, PathBuf};

use egui::{Align, Button, Color32, Layout, RichText, Sense, Stroke, Ui, pos2, vec2};

use crate::model::{Diagnostic, ElementKind, Model, Severity};

use super::palette::Palette;
use super::settings::{SCALES, Settings, Theme};
use super::widgets::chip;

/// What the top bar says about where the model came from.
pub fn file_label(path: Option<&Path>) -> String {
    match path.and_then(Path::file_name) {
        Some(name) => name.to_string_lossy().into_owned(),
        None => "built-in example (not saved)".to_owned(),
    }
}

/// What the menus need to know about the editing state.
#[derive(Debug)]
pub struct EditState<'a> {
    /// Whether anything is selected (for Duplicate and Delete).
    pub has_selection: bool,
    /// Whether Undo has something to undo.
    pub can_undo: bool,
    /// Whether Redo has something to redo.
    pub can_redo: bool,
    /// Whether there are unsaved changes.
    pub dirty: bool,
    /// The files for Open Recent, newest first.
    pub recent: &'a [PathBuf],
    /// The look and layout settings, for the View menu.
    pub settings: &'a Settings,
}

/// A panel the View menu shows or hides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelToggle {
    /// The outline and palette, on the left.
    Outline,
    /// The inspector, on the right.
    Inspector,
    /// Problems and simulation, at the bottom.
    Bottom,
}

/// A menu entry the user chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuAction {
    /// File → New.
    New,
    /// File → Open.
    Open,
    /// File → Open Recent → a file.
    OpenRecent(PathBuf),
    /// File → Save.
    Save,
    /// File → Save As.
    SaveAs,
    /// Edit → Undo.
    Undo,
    /// Edit → Redo.
    Redo,
    /// Help → Keyboard shortcuts.
    Shortcuts,
    /// Edit → Duplicate.
    Duplicate,
    /// Edit → Delete.
    Delete,
    /// Edit → Select all.
    SelectAll,
    /// Edit → Auto-layout.
    AutoLayout,
    /// View → Theme → a theme.
    Theme(Theme),
    /// View → UI scale → a scale, in percent.
    Scale(u16),
    /// View → a panel, shown or hidden.
    TogglePanel(PanelToggle),
    /// View → Reset layout.
    ResetLayout,
}

/// The studio's keyboard shortcuts and what they do, for Help → Keyboard shortcuts.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Ctrl+N", "New model"),
    ("Ctrl+O", "Open a model file"),
    ("Ctrl+S", "Save"),
    ("Ctrl+Shift+S", "Save As"),
    ("Ctrl+Z", "Undo"),
    ("Ctrl+Shift+Z, Ctrl+Y", "Redo"),
    (
        "Ctrl+C, Ctrl+X, Ctrl+V",
        "Copy, cut, paste the selected elements (also between windows)",
    ),
    ("Ctrl+D", "Duplicate the selected elements"),
    ("Delete, Backspace", "Delete the selected elements"),
    ("Ctrl+A", "Select every node"),
    (
        "Shift+click, Ctrl+click",
        "Add a node to the selection, or take it out",
    ),
    ("Drag on empty canvas", "Select with a box"),
    ("Drag a node's handle", "Connect it to another node"),
    ("Middle drag, Space+drag", "Pan the canvas"),
    ("F", "Zoom to fit"),
    ("Escape", "Clear the selection; stop placing a new element"),
];

/// Shows the top bar; returns the menu entry chosen, if any.
pub fn top_bar_ui(
    ui: &mut Ui,
    model: &Model,
    path: Option<&Path>,
    diagnostics: &[Diagnostic],
    edit: &EditState<'_>,
) -> Option<MenuAction> {
    let palette = Palette::from_visuals(ui.visuals());
    let mut action = None;
    // The menu bar takes the whole width, so the rest of the bar lives inside it.
    egui::MenuBar::new().ui(ui, |ui| {
        ui.set_min_height(30.0);
        action = menus_ui(ui, edit);
        ui.separator();
        logo_ui(ui, &palette);
        ui.label(RichText::new("Causeway").strong().size(15.0));
        ui.separator();
        ui.label(RichText::new(&model.name).strong().size(15.0))
            .on_hover_text(&model.description);
        let file = file_label(path);
        let hover = path.map_or_else(|| file.clone(), |p| p.display().to_string());
        ui.label(RichText::new(file).weak()).on_hover_text(hover);
        if edit.dirty {
            chip(ui, "unsaved changes", palette.severity(Severity::Warning));
        }

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
    action
}

/// The File, Edit, View and Help menus.
fn menus_ui(ui: &mut Ui, edit: &EditState<'_>) -> Option<MenuAction> {
    let mut action = None;
    // The View menu's choice (the other menus share `entry`, which holds `action`).
    let mut view = None;
    let mut entry = |ui: &mut Ui, text: &str, shortcut: &str, tip: &str, chosen: MenuAction| {
        let mut button = Button::new(text);
        if !shortcut.is_empty() {
            button = button.shortcut_text(shortcut);
        }
        if ui.add(button).on_hover_text(tip).clicked() {
            action = Some(chosen);
        }
    };
    ui.menu_button("File", |ui| {
        entry(
            ui,
            "New",
            "Ctrl+N",
            "Start a new, empty model",
            MenuAction::New,
        );
        entry(ui, "Open", "Ctrl+O", "Open a model file", MenuAction::Open);
        ui.menu_button("Open Recent", |ui| {
            if edit.recent.is_empty() {
                ui.label(RichText::new("No recent files").weak());
            }
            for path in edit.recent {
                let name = path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                let tip = format!("Open {}", path.display());
                entry(ui, &name, "", &tip, MenuAction::OpenRecent(path.clone()));
            }
        })
        .response
        .on_hover_text("The files opened or saved lately");
        ui.separator();
        entry(
            ui,
            "Save",
            "Ctrl+S",
            "Save the model to its file",
            MenuAction::Save,
        );
        entry(
            ui,
            "Save As",
            "Ctrl+Shift+S",
            "Save the model to a new file",
            MenuAction::SaveAs,
        );
    })
    .response
    .on_hover_text("New, open and save model files");
    ui.menu_button("Edit", |ui| {
        ui.add_enabled_ui(edit.can_undo, |ui| {
            entry(
                ui,
                "Undo",
                "Ctrl+Z",
                "Undo the last change",
                MenuAction::Undo,
            );
        });
        ui.add_enabled_ui(edit.can_redo, |ui| {
            entry(
                ui,
                "Redo",
                "Ctrl+Shift+Z",
                "Redo the last undone change (also Ctrl+Y)",
                MenuAction::Redo,
            );
        });
        ui.separator();
        ui.add_enabled_ui(edit.has_selection, |ui| {
            entry(
                ui,
                "Duplicate",
                "Ctrl+D",
                "Copy the selected elements next to themselves",
                MenuAction::Duplicate,
            );
            entry(
                ui,
                "Delete",
                "Delete",
                "Delete the selected elements and the references to them",
                MenuAction::Delete,
            );
        });
        entry(
            ui,
            "Select all",
            "Ctrl+A",
            "Select every node on the canvas",
            MenuAction::SelectAll,
        );
        entry(
            ui,
            "Auto-layout",
            "",
            "Lay every node out again, left to right along the flows",
            MenuAction::AutoLayout,
        );
    })
    .response
    .on_hover_text("Undo, redo, duplicate, delete, select and lay out");
    ui.menu_button("View", |ui| {
        ui.menu_button("Theme", |ui| {
            for theme in Theme::ALL {
                let chosen = edit.settings.theme == theme;
                if ui
                    .radio(chosen, theme.label())
                    .on_hover_text(format!("Use the {} theme", theme.label().to_lowercase()))
                    .clicked()
                {
                    view = Some(MenuAction::Theme(theme));
                }
            }
        })
        .response
        .on_hover_text("Dark, light, or as the desktop prefers");
        ui.menu_button("UI scale", |ui| {
            let current = (edit.settings.scale * 100.0).round();
            for percent in SCALES {
                let text = format!("{percent}%");
                if ui
                    .radio(current == f32::from(percent), &text)
                    .on_hover_text(format!(
                        "Draw the studio at {text} (Ctrl+plus and Ctrl+minus zoom too)"
                    ))
                    .clicked()
                {
                    view = Some(MenuAction::Scale(percent));
                }
            }
        })
        .response
        .on_hover_text("How large the studio is drawn");
        ui.separator();
        for (panel, text, shown, tip) in [
            (
                PanelToggle::Outline,
                "Show outline",
                edit.settings.show_outline,
                "Show the palette and the outline on the left",
            ),
            (
                PanelToggle::Inspector,
                "Show inspector",
                edit.settings.show_inspector,
                "Show the inspector on the right",
            ),
            (
                PanelToggle::Bottom,
                "Show problems and simulation",
                edit.settings.show_bottom,
                "Show the problems and simulation panel at the bottom",
            ),
        ] {
            let mut checked = shown;
            if ui.checkbox(&mut checked, text).on_hover_text(tip).clicked() {
                view = Some(MenuAction::TogglePanel(panel));
            }
        }
        ui.separator();
        if ui
            .button("Reset layout")
            .on_hover_text("Put every panel back where it was at first, at its first size")
            .clicked()
        {
            view = Some(MenuAction::ResetLayout);
        }
    })
    .response
    .on_hover_text("Theme, UI scale and panels");
    ui.menu_button("Help", |ui| {
        entry(
            ui,
            "Keyboard shortcuts",
            "",
            "List the keyboard shortcuts",
            MenuAction::Shortcuts,
        );
    })
    .response
    .on_hover_text("Keyboard shortcuts");
    action.or(view)
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
