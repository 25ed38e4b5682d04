//! The event type inspector's compatibility view: for each schema version, what changed
//! since the one before, whether a registry would accept it under the type's compatibility
//! level (and why not), and which consumer groups would break — those subscribed to the
//! topics that carry the type. Re-checked live as versions are edited.

use eframe::egui;
use egui::{RichText, Ui};

use crate::model::{EventType, Model, SchemaVersion};
use crate::schema::{self, ParsedSchema};

/// One version's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionCheck {
    /// The version, from 1.
    pub version: usize,
    /// Field changes since the previous version, in words.
    pub changes: Vec<String>,
    /// Why a registry would refuse it under the level (empty: accepted).
    pub reasons: Vec<String>,
}

/// Checks every version of `event` after the first under its compatibility level; an error
/// when its schemas cannot be derived (validation says why).
pub fn check_versions(event: &EventType) -> Result<Vec<VersionCheck>, String> {
    let schemas = schema::event_schemas(event).map_err(|e| e.to_string())?;
    let parsed: Vec<ParsedSchema> = schemas
        .iter()
        .map(|s| ParsedSchema::from_json(&s.json).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for v in 1..parsed.len() {
        let violations = schema::check_level(event.compatibility, &parsed[v], &parsed[..v]);
        let new = format!("v{}", v + 1);
        let reasons = violations
            .iter()
            .flat_map(|violation| {
                let old = format!("v{}", violation.against + 1);
                schema::registry::describe_violation(violation, &new, &old)
            })
            .collect();
        out.push(VersionCheck {
            version: v + 1,
            changes: changes(&event.versions[v - 1], &event.versions[v]),
            reasons,
        });
    }
    Ok(out)
}

/// Field changes from `old` to `new`, in words.
pub fn changes(old: &SchemaVersion, new: &SchemaVersion) -> Vec<String> {
    let mut out = Vec::new();
    for f in &new.fields {
        match old.fields.iter().find(|o| o.name == f.name) {
            None => out.push(format!(
                "+ `{}` added{}",
                f.name,
                if f.default.is_some() {
                    " (with a default)"
                } else {
                    ""
                }
            )),
            Some(o) if o.ty != f.ty => out.push(format!("~ `{}` changed type", f.name)),
            Some(o) if o.default != f.default => {
                out.push(format!("~ `{}` changed its default", f.name));
            }
            Some(_) => {}
        }
    }
    for o in &old.fields {
        if !new.fields.iter().any(|f| f.name == o.name) {
            out.push(format!("- `{}` removed", o.name));
        }
    }
    out
}

/// Consumer groups that read the event type: subscribed to a topic that carries it.
pub fn consumers(model: &Model, event: &str) -> Vec<String> {
    let topics: Vec<&str> = model
        .topics
        .iter()
        .filter(|t| t.event_types.iter().any(|e| e == event))
        .map(|t| t.id.as_str())
        .collect();
    model
        .consumer_groups
        .iter()
        .filter(|g| g.topics.iter().any(|t| topics.contains(&t.as_str())))
        .map(|g| g.id.clone())
        .chain(
            model
                .projections
                .iter()
                .filter(|p| p.topics.iter().any(|t| topics.contains(&t.as_str())))
                .map(|p| p.id.clone()),
        )
        .collect()
}

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
    let cached: Option<(u64, Result<Vec<VersionCheck>, String>)> = ui.data(|d| d.get_temp(id));
    let checks = match cached {
        Some((k, checks)) if k == key => checks,
        _ => {
            let checks = check_versions(event);
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
            let readers = consumers(model, &event.id);
            for check in &checks {
                ui.separator();
                let verdict = if check.reasons.is_empty() {
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
                    ui.label(RichText::new(change).monospace());
                }
                let (old, new) = (
                    &event.versions[check.version - 2],
                    &event.versions[check.version - 1],
                );
                side_by_side_ui(ui, check.version, old, new, (ok, error, warning));
                for reason in &check.reasons {
                    ui.colored_label(error, reason);
                }
                if !check.reasons.is_empty() {
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
/// on the right, changed ones on both.
fn side_by_side_ui(
    ui: &mut Ui,
    version: usize,
    old: &SchemaVersion,
    new: &SchemaVersion,
    (added, removed, changed): (egui::Color32, egui::Color32, egui::Color32),
) {
    let row = |f: &crate::model::Field| format!("{}: {}", f.name, super::schema::type_name(&f.ty));
    egui::CollapsingHeader::new(format!("v{} | v{version} side by side", version - 1))
        .id_salt(("schema-side-by-side", version))
        .default_open(false)
        .show(ui, |ui| {
            ui.columns(2, |columns| {
                columns[0].label(RichText::new(format!("v{}", version - 1)).strong());
                for f in &old.fields {
                    let text = RichText::new(row(f)).monospace();
                    let text = match new.fields.iter().find(|n| n.name == f.name) {
                        None => text.color(removed).strikethrough(),
                        Some(n) if n.ty != f.ty || n.default != f.default => text.color(changed),
                        Some(_) => text,
                    };
                    columns[0].label(text);
                }
                columns[1].label(RichText::new(format!("v{version}")).strong());
                for f in &new.fields {
                    let text = RichText::new(row(f)).monospace();
                    let text = match old.fields.iter().find(|o| o.name == f.name) {
                        None => text.color(added),
                        Some(o) if o.ty != f.ty || o.default != f.default => text.color(changed),
                        Some(_) => text,
                    };
                    columns[1].label(text);
                }
            });
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order_pipeline() -> Model {
        crate::examples::default_model().expect("the default example loads")
    }

    #[test]
    fn a_field_added_without_a_default_is_refused_under_backward_and_names_the_readers() {
        let model = order_pipeline();
        let mut event = model.event_types[0].clone();
        event.compatibility = crate::model::Compatibility::Backward;
        let mut v2 = event.versions.last().cloned().expect("a version");
        let mut extra = v2.fields[0].clone();
        extra.name = "coupon".into();
        extra.ty = crate::model::AvroType::String;
        extra.default = None;
        v2.fields.push(extra);
        event.versions.push(v2);
        let checks = check_versions(&event).expect("checks");
        let last = checks.last().expect("a check");
        assert!(
            last.changes.iter().any(|c| c == "+ `coupon` added"),
            "{last:?}"
        );
        assert!(
            last.reasons
                .iter()
                .any(|r| r.contains("field `coupon` added without a default")),
            "{last:?}"
        );
        assert!(!consumers(&model, &event.id).is_empty());
        // With a default it is accepted.
        if let Some(v) = event.versions.last_mut()
            && let Some(f) = v.fields.last_mut()
        {
            f.default = Some(crate::model::AvroDefault::String("none".into()));
        }
        let checks = check_versions(&event).expect("checks");
        assert_eq!(checks.last().map(|c| c.reasons.len()), Some(0));
    }
}
