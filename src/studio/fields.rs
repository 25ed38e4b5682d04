//! The inspector's field editors: one row per property, a key on the left and the widget that
//! edits it on the right, each widget named by the property for screen readers and tests.
//!
//! The widgets edit a copy of an element; the caller compares it with the original and turns a
//! difference into a command. No widget changes a value by itself: number editors never clamp
//! what the file says (`clamp_existing_to_range(false)`), so an out-of-range value stays, and
//! validation says what is wrong with it.

use eframe::egui;

use std::ops::RangeInclusive;

use egui::{
    ComboBox, DragValue, FontId, Grid, Response, RichText, Sense, TextEdit, Ui, WidgetInfo, vec2,
};

use crate::model::{Diagnostic, Severity};

use super::widgets::{drawable, elided_text};

/// Space between the key and the value column.
pub const GRID_SPACING: f32 = 12.0;

/// Lays out editor rows and remembers whether one of them is being used, so the edit it makes
/// becomes one undo step when the user lets go.
#[derive(Debug)]
pub struct Fields {
    /// Whether a widget has the keyboard focus or is being dragged: the edit goes on.
    pub active: bool,
    key_width: f32,
    value_width: f32,
    /// What validation says about each field of the element: field, severity, message.
    problems: Vec<(String, Severity, String)>,
    /// The fields whose diagnostics are shown already, so each shows once, under the first row
    /// that edits (part of) its field.
    shown: Vec<String>,
}

/// Whether the row `key` edits (part of) the field `field`: `rate.per_second` and
/// `reactions[0].emit` belong to `rate` and `reactions`.
fn row_edits_field(key: &str, field: &str) -> bool {
    key.strip_prefix(field)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[', ' ']))
}

impl Fields {
    /// Rows that fill the width of `ui`, each showing under its widget what `diagnostics` say
    /// about its field.
    pub fn new(ui: &Ui, diagnostics: &[&Diagnostic]) -> Self {
        let available = ui.available_width();
        let key_width = (available * 0.42).clamp(100.0, 170.0);
        Self {
            active: false,
            key_width,
            value_width: (available - key_width - GRID_SPACING).max(60.0),
            problems: diagnostics
                .iter()
                .filter_map(|d| {
                    d.field
                        .clone()
                        .map(|field| (field, d.severity, d.message.clone()))
                })
                .collect(),
            shown: Vec::new(),
        }
    }

    /// Counts `response` in the edit in progress while it is focused or dragged (for widgets
    /// laid out outside the rows, such as the schema tables).
    pub fn track(&mut self, response: &Response) {
        self.active |= response.has_focus() || response.dragged();
    }

    /// The messages validation has about `key` not shown yet, marked shown.
    fn take_problems(&mut self, key: &str) -> Vec<(Severity, String)> {
        let mut out = Vec::new();
        for (field, severity, message) in &self.problems {
            if row_edits_field(key, field) && !self.shown.contains(field) {
                out.push((*severity, message.clone()));
            }
        }
        for (field, _, _) in &self.problems {
            if row_edits_field(key, field) && !self.shown.contains(field) {
                self.shown.push(field.clone());
            }
        }
        out
    }

    /// Shows, in `ui`, what validation says about `key` (and has not said above).
    pub fn problems_ui(&mut self, ui: &mut Ui, key: &str) {
        for (severity, message) in self.take_problems(key) {
            let color = match severity {
                Severity::Error => ui.visuals().error_fg_color,
                Severity::Warning => ui.visuals().warn_fg_color,
                Severity::Info => ui.visuals().weak_text_color(),
            };
            let message = drawable(&message).into_owned();
            ui.add(egui::Label::new(RichText::new(message).size(11.5).color(color)).wrap());
        }
    }

    /// Shows the rows `add_rows` adds, in a striped grid named `id_salt`.
    pub fn grid(&mut self, ui: &mut Ui, id_salt: &str, add_rows: impl FnOnce(&mut Self, &mut Ui)) {
        Grid::new(id_salt)
            .num_columns(2)
            .striped(true)
            .spacing(vec2(GRID_SPACING, 5.0))
            .show(ui, |ui| add_rows(self, ui));
    }

    /// One row: the key painted on the left (the widget carries the accessible name), the
    /// widget on the right.
    fn row(&mut self, ui: &mut Ui, key: &str, add: impl FnOnce(&mut Ui, f32) -> Option<Response>) {
        self.row_with_key(ui, key, false, add);
    }

    /// A row whose key is painted, or (`accessible_key`, for read-only values, which have no
    /// widget to carry the name) a label.
    fn row_with_key(
        &mut self,
        ui: &mut Ui,
        key: &str,
        accessible_key: bool,
        add: impl FnOnce(&mut Ui, f32) -> Option<Response>,
    ) {
        let key_width = self.key_width;
        if accessible_key {
            ui.vertical(|ui| {
                ui.set_width(key_width);
                ui.add(egui::Label::new(RichText::new(key).weak()).truncate());
            });
        } else {
            let (rect, _) = ui.allocate_exact_size(vec2(key_width, 18.0), Sense::hover());
            let galley = elided_text(
                ui.painter(),
                key,
                FontId::proportional(13.0),
                ui.visuals().weak_text_color(),
                key_width,
            );
            ui.painter()
                .galley(rect.left_top(), galley, ui.visuals().text_color());
        }
        let width = self.value_width;
        ui.vertical(|ui| {
            ui.set_width(width);
            if let Some(response) = add(ui, width) {
                self.active |= response.has_focus() || response.dragged();
            }
            // Why the value is wrong, right under it.
            self.problems_ui(ui, key);
        });
        ui.end_row();
    }

    /// A value that is shown, not edited here.
    pub fn read_only(&mut self, ui: &mut Ui, key: &str, value: &str) {
        self.row_with_key(ui, key, true, |ui, _| {
            let shown = if value.is_empty() { "(empty)" } else { value };
            ui.add(egui::Label::new(shown).wrap());
            None
        });
    }

    /// A whole number with a unit, dragged or typed, within `range` for new values.
    pub fn number<N: egui::emath::Numeric>(
        &mut self,
        ui: &mut Ui,
        key: &str,
        value: &mut N,
        range: RangeInclusive<N>,
        unit: &str,
        tooltip: &str,
    ) {
        self.row(ui, key, |ui, _| {
            let shown = (*value).to_f64();
            let mut drag = DragValue::new(value)
                .range(range)
                .clamp_existing_to_range(false)
                .update_while_editing(false);
            if !unit.is_empty() {
                drag = drag.suffix(format!(" {unit}"));
            }
            if N::INTEGRAL {
                drag = drag.speed(0.1);
            } else {
                drag = drag.speed(0.01 * shown.abs().max(1.0));
            }
            let response = ui.add(drag).on_hover_text(tooltip);
            response.widget_info(|| {
                let mut info = WidgetInfo::drag_value(true, shown);
                info.label = Some(key.to_owned());
                info
            });
            Some(response)
        });
    }

    /// A yes/no setting.
    pub fn flag(&mut self, ui: &mut Ui, key: &str, value: &mut bool, tooltip: &str) {
        self.row(ui, key, |ui, _| {
            let text = if *value { "yes" } else { "no" };
            let response = ui.checkbox(value, text).on_hover_text(tooltip);
            let checked = *value;
            response.widget_info(|| WidgetInfo::selected(egui::Role::CheckBox, true, checked, key));
            Some(response)
        });
    }

    /// One of a fixed set of values.
    pub fn choice<T: PartialEq + Clone>(
        &mut self,
        ui: &mut Ui,
        key: &str,
        value: &mut T,
        options: &[(T, &str)],
        tooltip: &str,
    ) {
        self.row(ui, key, |ui, width| {
            let selected = options
                .iter()
                .find(|(option, _)| option == value)
                .map_or("(other)", |(_, name)| *name);
            let inner = ComboBox::from_id_salt(key)
                .selected_text(selected)
                .width((width - 28.0).clamp(60.0, 220.0))
                .show_ui(ui, |ui| {
                    for (option, name) in options {
                        ui.selectable_value(value, option.clone(), *name)
                            .on_hover_text(format!("Set {key} to {name}"));
                    }
                });
            let response = inner.response.on_hover_text(tooltip);
            let selected = selected.to_owned();
            response.widget_info(|| {
                let mut info = WidgetInfo::labeled(egui::Role::ComboBox, true, key);
                info.current_text_value = Some(selected.clone());
                info
            });
            Some(response)
        });
    }

    /// Free text; `multiline` for descriptions and docs.
    pub fn text(
        &mut self,
        ui: &mut Ui,
        key: &str,
        value: &mut String,
        multiline: bool,
        tooltip: &str,
    ) {
        self.row(ui, key, |ui, _| {
            let edit = if multiline {
                TextEdit::multiline(value).desired_rows(2)
            } else {
                TextEdit::singleline(value)
            };
            // Long text scrolls inside a few lines rather than pushing the other rows away.
            let response = egui::ScrollArea::vertical()
                .id_salt(("text", key))
                .max_height(if multiline { 96.0 } else { f32::INFINITY })
                .show(ui, |ui| ui.add(edit.desired_width(f32::INFINITY)))
                .inner
                .on_hover_text(tooltip);
            let text = value.clone();
            response.widget_info(|| {
                let mut info = WidgetInfo::text_edit(true, &text, &text, "");
                info.label = Some(key.to_owned());
                info
            });
            Some(response)
        });
    }

    /// An element's id. Typing does not change the model; Enter (or leaving the field) asks for
    /// a rename, which the returned id stands for.
    pub fn id(&mut self, ui: &mut Ui, current: &str, tooltip: &str) -> Option<String> {
        let mut renamed = None;
        self.row(ui, "id", |ui, _| {
            let id = egui::Id::unique(("causeway-rename", current));
            let mut buffer = ui
                .data(|d| d.get_temp::<String>(id))
                .unwrap_or_else(|| current.to_owned());
            let response = ui
                .add(TextEdit::singleline(&mut buffer).desired_width(f32::INFINITY))
                .on_hover_text(tooltip);
            let text = buffer.clone();
            response.widget_info(|| {
                let mut info = WidgetInfo::text_edit(true, &text, &text, "");
                info.label = Some("id".to_owned());
                info
            });
            if response.lost_focus() {
                // Escape leaves the field without renaming.
                let cancelled = ui.input(|i| i.key_pressed(egui::Key::Escape));
                if buffer != current && !cancelled {
                    renamed = Some(buffer.clone());
                }
                ui.data_mut(|d| d.remove::<String>(id));
            } else if response.has_focus() {
                ui.data_mut(|d| d.insert_temp(id, buffer));
            }
            // The id is committed as a command of its own, not as part of a live edit.
            None
        });
        renamed
    }

    /// A list of names picked from `choices` (topics, event types): each with a Remove
    /// button, and a menu to add one more.
    pub fn list(
        &mut self,
        ui: &mut Ui,
        key: &str,
        items: &mut Vec<String>,
        choices: &[String],
        tooltip: &str,
    ) {
        self.row(ui, key, |ui, width| {
            let mut remove = None;
            for (index, item) in items.iter().enumerate() {
                ui.horizontal_wrapped(|ui| {
                    let known = choices.contains(item);
                    let text = if known {
                        RichText::new(item)
                    } else {
                        RichText::new(item).color(ui.visuals().error_fg_color)
                    };
                    ui.label(text);
                    let remove_label = format!("Remove {item} from {key}");
                    let response = ui.small_button("Remove").on_hover_text(&remove_label);
                    response.widget_info(|| {
                        WidgetInfo::labeled(egui::Role::Button, true, &remove_label)
                    });
                    if response.clicked() {
                        remove = Some(index);
                    }
                });
            }
            if let Some(index) = remove {
                items.remove(index);
            }
            let label = format!("Add to {key}");
            let mut added = None;
            let inner = ComboBox::from_id_salt(("add", key))
                .selected_text("Add")
                .width((width - 28.0).clamp(60.0, 160.0))
                .show_ui(ui, |ui| {
                    for choice in choices.iter().filter(|c| !items.contains(c)) {
                        if ui
                            .selectable_label(false, choice)
                            .on_hover_text(format!("Add {choice} to {key}"))
                            .clicked()
                        {
                            added = Some(choice.clone());
                        }
                    }
                });
            if let Some(choice) = added {
                items.push(choice);
            }
            let response = inner.response.on_hover_text(tooltip);
            response.widget_info(|| WidgetInfo::labeled(egui::Role::ComboBox, true, &label));
            None
        });
    }

    /// A row with a button (add an item, remove one); returns whether it was clicked.
    pub fn button(
        &mut self,
        ui: &mut Ui,
        key: &str,
        text: &str,
        accessible_label: &str,
        tooltip: &str,
    ) -> bool {
        let mut clicked = false;
        self.row_with_key(ui, key, true, |ui, _| {
            let response = ui.small_button(text).on_hover_text(tooltip);
            response
                .widget_info(|| WidgetInfo::labeled(egui::Role::Button, true, accessible_label));
            clicked = response.clicked();
            None
        });
        clicked
    }

    /// A reference to another element (a topic, an event type, a group) picked from `known`.
    /// A name the model lacks stays selectable, so it shows as it is (and validation says why
    /// it is wrong).
    pub fn pick(
        &mut self,
        ui: &mut Ui,
        key: &str,
        value: &mut String,
        known: &[String],
        tooltip: &str,
    ) {
        let mut options: Vec<(String, &str)> =
            known.iter().map(|k| (k.clone(), k.as_str())).collect();
        let current = value.clone();
        if !known.contains(&current) {
            let shown = if current.is_empty() {
                "(none)"
            } else {
                current.as_str()
            };
            options.push((current.clone(), shown));
        }
        self.choice(ui, key, value, &options, tooltip);
    }

    /// An optional reference: `none` (what no reference means) or one of `known`.
    pub fn pick_optional(
        &mut self,
        ui: &mut Ui,
        key: &str,
        value: &mut Option<String>,
        none: &str,
        known: &[String],
        tooltip: &str,
    ) {
        let mut options: Vec<(Option<String>, &str)> = vec![(None, none)];
        options.extend(known.iter().map(|k| (Some(k.clone()), k.as_str())));
        let current = value.clone();
        if let Some(name) = &current
            && !known.contains(name)
        {
            options.push((current.clone(), name.as_str()));
        }
        self.choice(ui, key, value, &options, tooltip);
    }

    /// An optional number: a choice between `none` and `some`, and the number when there is
    /// one (`default` when the user first picks `some`).
    #[expect(clippy::too_many_arguments, reason = "one row, described by its parts")]
    pub fn optional_number<N: egui::emath::Numeric>(
        &mut self,
        ui: &mut Ui,
        key: &str,
        value: &mut Option<N>,
        default: N,
        (none, some): (&str, &str),
        range: RangeInclusive<N>,
        unit: &str,
        tooltip: &str,
    ) {
        let set = Some(value.unwrap_or(default));
        self.choice(ui, key, value, &[(None, none), (set, some)], tooltip);
        if let Some(number) = value {
            self.number(ui, &format!("{key}.value"), number, range, unit, tooltip);
        }
    }

    /// Free text edited through a buffer while the field has the focus, for values that are
    /// parsed from the text (a field's default): returns the text when the user changed it,
    /// and the text shown.
    pub fn parsed_text(
        &mut self,
        ui: &mut Ui,
        key: &str,
        current: &str,
        width: f32,
        tooltip: &str,
    ) -> (Option<String>, String) {
        let id = ui.make_persistent_id(("causeway-parsed", key));
        let mut buffer = ui
            .data(|d| d.get_temp::<String>(id))
            .unwrap_or_else(|| current.to_owned());
        let response = ui
            .add_sized([width, 20.0], TextEdit::singleline(&mut buffer))
            .on_hover_text(tooltip);
        let text = buffer.clone();
        response.widget_info(|| {
            let mut info = WidgetInfo::text_edit(true, &text, &text, "");
            info.label = Some(key.to_owned());
            info
        });
        self.track(&response);
        let changed = response.changed().then(|| buffer.clone());
        if response.has_focus() {
            ui.data_mut(|d| d.insert_temp(id, buffer.clone()));
        } else {
            ui.data_mut(|d| d.remove::<String>(id));
        }
        (changed, buffer)
    }
}
