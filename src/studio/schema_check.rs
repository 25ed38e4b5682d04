//! The event type inspector's compatibility view: for each schema version, what changed
//! since the one before, whether a registry would accept it under the type's compatibility
//! level (and why not), and which consumer groups would break — those subscribed to the
//! topics that carry the type. Re-checked live as versions are edited. The verdicts come
//! from [`crate::schema::review`]; this file only caches and draws them.

use eframe::egui;
use egui::{RichText, Ui};

use crate::model::{EventType, Model, SchemaVersion};
use crate::schema::{self, FieldChange, VersionReview};

/// The compatibility section of an event type's inspector.
pub fn compatibility_ui(ui: &mut Ui, model: &Model, event: &EventType) {
    let error = ui.visuals().error_fg_color;
    let warning = ui.visuals().warn_fg_color;
    let ok = if ui.visuals().dark_mode {
        egui::Color32::from_rgb(110, 200, 130)
    } else {
        egui::Color32::from_rgb(30, 120, 60)
    };
    // Deriving and parsing schemas each frame is wasted work: keep the result while the
    // event type is unchanged.
    let key = xxhash_rust::xxh3::xxh3_64(format!("{event:?}").as_bytes());
    let id = egui::Id::unique(("causeway-schema-compatibility", &event.id));
    let cached: Option<(u64, Result<Vec<VersionReview>, String>)> = ui.data(|d| d.get_temp(id));
    let checks = match cached {
        Some((k, checks)) if k == key => checks,
        _ => {
            let checks = schema::review_versions(event).map_err(|e| e.to_string());
            ui.data_mut(|d| d.insert_temp(id, (key, checks.clone())));
            checks
        }
    };
    let level = schema::level_name(event.compatibility);
    egui::CollapsingHeader::new(RichText::new("Compatibility").strong())
        .id_salt(("schema-compatibility-header", &event.id))
        .default_open(true)
        .show(ui, |ui| {
            let checks = match checks {
                Ok(checks) => checks,
                Err(why) => {
                    ui.colored_label(error, format!("Cannot check: {why}"));
                    return;
                }
            };
            if checks.is_empty() {
                ui.label(format!(
                    "One version: nothing to check yet. New versions are checked under {level}."
                ))
                .on_hover_text("Add a version to see how a registry would judge it");
                return;
            }
            let readers = schema::readers(model, &event.id);
            for check in &checks {
                ui.separator();
                let verdict = if check.accepted() {
                    RichText::new(format!("v{}: accepted under {level}", check.version)).color(ok)
                } else {
                    RichText::new(format!("v{}: refused under {level}", check.version)).color(error)
                };
                ui.label(verdict).on_hover_text(
                    "What a schema registry would answer when this version is registered",
                );
                if check.changes.is_empty() {
                    ui.label(format!("no field changes since v{}", check.version - 1));
                }
                for change in &check.changes {
                    ui.label(RichText::new(change.to_string()).monospace());
                }
                if let (Some(old), Some(new)) = (
                    event.versions.get(check.version - 2),
                    event.versions.get(check.version - 1),
                ) {
                    side_by_side_ui(
                        ui,
                        check.version,
                        (old, new),
                        &check.changes,
                        (ok, error, warning),
                    );
                }
                for reason in &check.reasons {
                    ui.colored_label(error, reason);
                }
                if !check.accepted() {
                    let who = if readers.is_empty() {
                        "no consumer reads it yet".to_owned()
                    } else {
                        format!("would break: {}", readers.join(", "))
                    };
                    ui.colored_label(warning, who).on_hover_text(
                        "Consumer groups and projections subscribed to the topics that carry \
                         this event type",
                    );
                }
            }
        });
}

/// The two versions' fields in two columns: removed fields marked on the left, added ones
/// on the right, changed ones on both (as `changes`, the review's field changes, says).
fn side_by_side_ui(
    ui: &mut Ui,
    version: usize,
    (old, new): (&SchemaVersion, &SchemaVersion),
    changes: &[FieldChange],
    (added, removed, changed): (egui::Color32, egui::Color32, egui::Color32),
) {
    let row = |f: &crate::model::Field| format!("{}: {}", f.name, super::schema::type_name(&f.ty));
    let change = |name: &str| changes.iter().find(|c| c.field() == name);
    egui::CollapsingHeader::new(format!("v{} | v{version} side by side", version - 1))
        .id_salt(("schema-side-by-side", version))
        .default_open(false)
        .show(ui, |ui| {
            ui.columns(2, |columns| {
                columns[0].label(RichText::new(format!("v{}", version - 1)).strong());
                for f in &old.fields {
                    let text = RichText::new(row(f)).monospace();
                    let text = match change(&f.name) {
                        Some(FieldChange::Removed { .. }) => text.color(removed).strikethrough(),
                        Some(
                            FieldChange::TypeChanged { .. } | FieldChange::DefaultChanged { .. },
                        ) => text.color(changed),
                        _ => text,
                    };
                    columns[0].label(text);
                }
                columns[1].label(RichText::new(format!("v{version}")).strong());
                for f in &new.fields {
                    let text = RichText::new(row(f)).monospace();
                    let text = match change(&f.name) {
                        Some(FieldChange::Added { .. }) => text.color(added),
                        Some(
                            FieldChange::TypeChanged { .. } | FieldChange::DefaultChanged { .. },
                        ) => text.color(changed),
                        _ => text,
                    };
                    columns[1].label(text);
                }
            });
        });
}
