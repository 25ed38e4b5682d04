//! The schema editor of an event type: one table per version (field name, Avro type, default,
//! doc), with fields added and removed and their aliases edited, a new version started as a
//! copy of the latest, and the latest version removed (never the only one).
//!
//! Defaults are typed as Avro writes them in a schema, as JSON (`0`, `"EUR"`, `null`); a
//! number becomes a float for `float` and `double` fields and an integer otherwise. Text that
//! is not JSON changes nothing, and says so.

use eframe::egui;

use egui::{ComboBox, RichText, TextEdit, Ui, WidgetInfo};
use egui_extras::{Column, TableBuilder, TableRow};

use crate::model::{AvroDefault, AvroType, Field, SchemaVersion};

use super::fields::Fields;

/// The types offered in a field's type menu: the primitive and logical types, and the
/// optional (`["null", T]`) forms of the common ones.
fn offered_types() -> Vec<AvroType> {
    let simple = [
        AvroType::Boolean,
        AvroType::Int,
        AvroType::Long,
        AvroType::Float,
        AvroType::Double,
        AvroType::Bytes,
        AvroType::String,
        AvroType::Uuid,
        AvroType::Date,
        AvroType::TimeMillis,
        AvroType::TimeMicros,
        AvroType::TimestampMillis,
        AvroType::TimestampMicros,
    ];
    let optional = [
        AvroType::Boolean,
        AvroType::Int,
        AvroType::Long,
        AvroType::Double,
        AvroType::String,
        AvroType::Uuid,
        AvroType::TimestampMillis,
    ]
    .map(|t| AvroType::Union(vec![AvroType::Null, t]));
    let mut types = vec![AvroType::Null];
    types.extend(simple);
    types.extend(optional);
    types
}

/// How a type reads in the menu: `string`, `optional string`.
pub(super) fn type_name(ty: &AvroType) -> String {
    match ty {
        AvroType::Union(branches) if branches.len() == 2 && branches[0] == AvroType::Null => {
            format!("optional {}", branches[1].describe())
        }
        other => other.describe(),
    }
}

/// Whether numbers in a default for `ty` are floating point.
fn takes_floats(ty: &AvroType) -> bool {
    match ty {
        AvroType::Float | AvroType::Double => true,
        // A union's default matches its first branch.
        AvroType::Union(branches) => branches.first().is_some_and(takes_floats),
        _ => false,
    }
}

/// A default as Avro's JSON spells it.
pub fn default_text(default: Option<&AvroDefault>) -> String {
    default.map_or_else(String::new, |d| to_json(d).to_string())
}

fn to_json(default: &AvroDefault) -> serde_json::Value {
    use serde_json::Value;
    match default {
        AvroDefault::Null => Value::Null,
        AvroDefault::Bool(b) => Value::Bool(*b),
        AvroDefault::Int(i) => Value::from(*i),
        AvroDefault::Float(x) => {
            serde_json::Number::from_f64(*x).map_or(Value::Null, Value::Number)
        }
        AvroDefault::String(s) => Value::String(s.clone()),
        AvroDefault::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        AvroDefault::Map(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// Reads a default typed for a field of type `ty`: empty text is no default; text that is not
/// JSON is an error, in a sentence.
pub fn parse_default(ty: &AvroType, text: &str) -> Result<Option<AvroDefault>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|_| format!("`{text}` is not JSON (strings need quotes: \"{text}\")"))?;
    Ok(Some(from_json(&value, takes_floats(ty))))
}

fn from_json(value: &serde_json::Value, floats: bool) -> AvroDefault {
    use serde_json::Value;
    match value {
        Value::Null => AvroDefault::Null,
        Value::Bool(b) => AvroDefault::Bool(*b),
        Value::Number(n) => match (floats, n.as_i64()) {
            (false, Some(i)) => AvroDefault::Int(i),
            _ => AvroDefault::Float(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => AvroDefault::String(s.clone()),
        Value::Array(items) => {
            AvroDefault::Array(items.iter().map(|v| from_json(v, floats)).collect())
        }
        Value::Object(map) => AvroDefault::Map(
            map.iter()
                .map(|(k, v)| (k.clone(), from_json(v, floats)))
                .collect(),
        ),
    }
}

/// The versions of an event type, newest last, each as a table of its fields.
pub fn versions_ui(ui: &mut Ui, f: &mut Fields, versions: &mut Vec<SchemaVersion>) {
    f.problems_ui(ui, "versions");
    f.problems_ui(ui, "fields");
    let count = versions.len();
    for (v, version) in versions.iter_mut().enumerate() {
        let latest = v + 1 == count;
        let title = if latest {
            format!("Version {} (latest)", v + 1)
        } else {
            format!("Version {}", v + 1)
        };
        egui::CollapsingHeader::new(RichText::new(title).strong())
            .id_salt(("schema-version", v))
            .default_open(latest)
            .show(ui, |ui| {
                // A table wider than the inspector scrolls inside itself rather than widening
                // the inspector (which would lay every row out again next frame).
                let width = ui.available_width();
                egui::ScrollArea::horizontal()
                    .id_salt(("schema-table", v))
                    .show(ui, |ui| version_ui(ui, f, v, version, width));
            })
            .header_response
            .on_hover_text("Show or hide this version's fields");
    }
    ui.horizontal(|ui| {
        let label = "Add version";
        let response = ui
            .button(label)
            .on_hover_text("Start a new schema version as a copy of the latest");
        response.widget_info(|| WidgetInfo::labeled(egui::Role::Button, true, label));
        if response.clicked() {
            let next = versions
                .last()
                .cloned()
                .map_or_else(SchemaVersion::default, |latest| SchemaVersion {
                    doc: String::new(),
                    ..latest
                });
            versions.push(next);
        }
        // Only the latest version can go (an earlier one is history that later versions were
        // checked against), and never the only one.
        if versions.len() > 1 {
            let label = "Remove latest version";
            let response = ui.button(label).on_hover_text(format!(
                "Remove version {} (undo brings it back)",
                versions.len()
            ));
            response.widget_info(|| WidgetInfo::labeled(egui::Role::Button, true, label));
            if response.clicked() {
                versions.pop();
            }
        }
    });
}

/// The aliases of each of a version's fields (earlier names readers match it by), typed as
/// a comma-separated list.
fn aliases_ui(ui: &mut Ui, f: &mut Fields, v: usize, version: &mut SchemaVersion, width: f32) {
    per_field_text_ui(
        ui,
        f,
        version,
        width,
        PerField {
            title: "Field aliases",
            id: ("schema-field-aliases", v),
            hover: "Show or edit the earlier names of this version's fields",
            tooltip: "Earlier names of the field, separated by commas",
            key: &|i| format!("versions[{v}].fields[{i}].aliases"),
            shown: &|field| field.aliases.join(", "),
            apply: &|field, text| {
                field.aliases = split_aliases(text);
                Ok(())
            },
            check: &|_, _| Ok(()),
        },
    );
}

/// Each field's type as Avro JSON, editable: how a field gets any type the menu does not
/// offer (records, enums, arrays, maps, fixed, decimals, unions, references).
fn types_json_ui(ui: &mut Ui, f: &mut Fields, v: usize, version: &mut SchemaVersion, width: f32) {
    let parse = |field: &Field, text: &str| {
        crate::schema::avro::type_from_text(text)
            .map_err(|why| format!("`{}` type: {why}", field.name))
    };
    per_field_text_ui(
        ui,
        f,
        version,
        width,
        PerField {
            title: "Field types as Avro JSON",
            id: ("schema-field-types", v),
            hover: "Show or edit each field's type as Avro JSON, for any Avro type",
            tooltip: "The field's type in Avro's JSON form, e.g. {\"type\": \"array\", \
                      \"items\": \"string\"}",
            key: &|i| format!("versions[{v}].fields[{i}].type.json"),
            shown: &|field| {
                crate::schema::avro::type_json(&field.ty)
                    .map(|json| json.to_string())
                    .unwrap_or_default()
            },
            apply: &|field, text| {
                field.ty = parse(field, text)?;
                Ok(())
            },
            check: &|field, text| parse(field, text).map(|_| ()),
        },
    );
}

/// One collapsible list with a text row per field of a version.
#[derive(Clone, Copy)]
struct PerField<'a> {
    title: &'a str,
    id: (&'a str, usize),
    hover: &'a str,
    tooltip: &'a str,
    /// The accessible label of field `i`'s row.
    key: &'a dyn Fn(usize) -> String,
    /// The text shown for a field.
    shown: &'a dyn Fn(&Field) -> String,
    /// Applies edited text to the field (an error leaves it as it was).
    apply: &'a dyn Fn(&mut Field, &str) -> Result<(), String>,
    /// Why the text being typed cannot be applied, if it cannot.
    check: &'a dyn Fn(&Field, &str) -> Result<(), String>,
}

fn per_field_text_ui(
    ui: &mut Ui,
    f: &mut Fields,
    version: &mut SchemaVersion,
    width: f32,
    rows: PerField<'_>,
) {
    let mut errors = Vec::new();
    egui::CollapsingHeader::new(rows.title)
        .id_salt(rows.id)
        .default_open(false)
        .show(ui, |ui| {
            for (i, field) in version.fields.iter_mut().enumerate() {
                ui.horizontal(|ui| {
                    ui.add_sized(
                        [width * 0.3, 20.0],
                        egui::Label::new(RichText::new(&field.name).monospace()).truncate(),
                    );
                    let (changed, text) = f.parsed_text(
                        ui,
                        &(rows.key)(i),
                        &(rows.shown)(field),
                        (width * 0.65).max(60.0),
                        rows.tooltip,
                    );
                    let outcome = if changed.is_some() {
                        (rows.apply)(field, &text)
                    } else {
                        (rows.check)(field, &text)
                    };
                    if let Err(why) = outcome {
                        errors.push(why);
                    }
                });
            }
            for why in &errors {
                ui.label(
                    RichText::new(why)
                        .size(11.0)
                        .color(ui.visuals().error_fg_color),
                );
            }
        })
        .header_response
        .on_hover_text(rows.hover);
}

/// The names in a comma-separated list, trimmed, without empty ones.
fn split_aliases(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

/// One version's fields as a table `width` wide, with a row to add a field.
fn version_ui(ui: &mut Ui, f: &mut Fields, v: usize, version: &mut SchemaVersion, width: f32) {
    // Name and type get the room; default and doc share what is left. The columns have
    // exact widths that fit in `width`: a wider table would widen the inspector's content,
    // and with it the next frame's layout. 52 is the Remove column, the four gaps between
    // cells and a little slack.
    let name_width = width * 0.28;
    let type_width = width * 0.28;
    let small_width = ((width - name_width - type_width - 52.0) / 2.0).max(24.0);
    let types = offered_types();
    let mut remove = None;
    let mut errors = Vec::new();
    ui.scope(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        TableBuilder::new(ui)
            .id_salt(("schema-fields", v))
            .vscroll(false)
            .striped(true)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::exact(name_width))
            .column(Column::exact(type_width))
            .columns(Column::exact(small_width), 2)
            .column(Column::exact(24.0))
            .header(18.0, |mut header| {
                for heading in ["name", "type", "default", "doc"] {
                    header.col(|ui| {
                        ui.label(RichText::new(heading).weak());
                    });
                }
                header.col(|_| {});
            })
            .body(|mut body| {
                for (i, field) in version.fields.iter_mut().enumerate() {
                    body.row(24.0, |mut row| {
                        let key = format!("versions[{v}].fields[{i}]");
                        if let Some(why) = field_row_ui(&mut row, f, &key, field, &types) {
                            errors.push(why);
                        }
                        row.col(|ui| {
                            let label = format!("Remove {key}");
                            let response = ui
                                .small_button("\u{2212}")
                                .on_hover_text(format!("Remove the field `{}`", field.name));
                            response.widget_info(|| {
                                WidgetInfo::labeled(egui::Role::Button, true, &label)
                            });
                            if response.clicked() {
                                remove = Some(i);
                            }
                        });
                    });
                }
            });
    });
    // Why a default being typed is not JSON, under the table (a row keeps its height).
    for why in errors {
        ui.label(
            RichText::new(why)
                .size(11.0)
                .color(ui.visuals().error_fg_color),
        );
    }
    if let Some(i) = remove
        && i < version.fields.len()
    {
        version.fields.remove(i);
    }
    let label = format!("Add field to version {}", v + 1);
    let response = ui
        .small_button("Add field")
        .on_hover_text("Add a string field at the end");
    response.widget_info(|| WidgetInfo::labeled(egui::Role::Button, true, &label));
    if response.clicked() {
        let mut n = version.fields.len() + 1;
        while version.fields.iter().any(|f| f.name == format!("field{n}")) {
            n += 1;
        }
        version.fields.push(Field {
            name: format!("field{n}"),
            ty: AvroType::String,
            default: None,
            doc: String::new(),
            aliases: Vec::new(),
        });
    }
    aliases_ui(ui, f, v, version, width);
    types_json_ui(ui, f, v, version, width);
    ui.horizontal(|ui| {
        ui.label(RichText::new("doc").weak());
        let key = format!("versions[{v}].doc");
        let response = ui
            .add(TextEdit::singleline(&mut version.doc).desired_width((width - 40.0).max(60.0)))
            .on_hover_text("What changed in this version");
        let text = version.doc.clone();
        response.widget_info(|| {
            let mut info = WidgetInfo::text_edit(true, &text, &text, "");
            info.label = Some(key.clone());
            info
        });
        f.track(&response);
    });
}

/// The cells of one field: name, type, default and doc, each filling its column. Returns why
/// the default being typed is not JSON, if it is not.
fn field_row_ui(
    row: &mut TableRow<'_, '_>,
    f: &mut Fields,
    key: &str,
    field: &mut Field,
    types: &[AvroType],
) -> Option<String> {
    let text_cell = |ui: &mut Ui, f: &mut Fields, label: String, value: &mut String, tip| {
        let response = ui
            .add_sized([ui.available_width(), 20.0], TextEdit::singleline(value))
            .on_hover_text(tip);
        let text = value.clone();
        response.widget_info(|| {
            let mut info = WidgetInfo::text_edit(true, &text, &text, "");
            info.label = Some(label.clone());
            info
        });
        f.track(&response);
    };
    row.col(|ui| {
        text_cell(
            ui,
            f,
            format!("{key}.name"),
            &mut field.name,
            "The field name (an Avro name)",
        );
    });

    row.col(|ui| {
        let type_key = format!("{key}.type");
        let current = type_name(&field.ty);
        // The combo box is exactly the column's width, whatever the type's name: a long one
        // ("timestamp-millis") is cut, a short one leaves room, so the columns line up.
        let width = ui.available_width();
        let inner = ComboBox::from_id_salt(&type_key)
            .selected_text(&current)
            .width(width)
            .truncate()
            .show_ui(ui, |ui| {
                for ty in types {
                    let name = type_name(ty);
                    ui.selectable_value(&mut field.ty, ty.clone(), &name)
                        .on_hover_text(format!("Make the field a {name}"));
                }
            });
        let response = inner
            .response
            .on_hover_text(format!("The field's Avro type: {current}"));
        response.widget_info(|| {
            let mut info = WidgetInfo::labeled(egui::Role::ComboBox, true, &type_key);
            info.current_text_value = Some(current.clone());
            info
        });
    });

    let mut error = None;
    row.col(|ui| {
        let default_key = format!("{key}.default");
        let shown = default_text(field.default.as_ref());
        let width = ui.available_width();
        let (changed, text) = f.parsed_text(
            ui,
            &default_key,
            &shown,
            width,
            "The default a reader uses when the writer lacks the field, as JSON",
        );
        match parse_default(&field.ty, &text) {
            Ok(default) => {
                if changed.is_some() {
                    field.default = default;
                }
            }
            Err(why) => error = Some(format!("`{}` default: {why}", field.name)),
        }
    });
    row.col(|ui| {
        text_cell(
            ui,
            f,
            format!("{key}.doc"),
            &mut field.doc,
            "What the field holds",
        );
    });
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_read_as_avro_json_for_the_fields_type() {
        assert_eq!(parse_default(&AvroType::Int, ""), Ok(None));
        assert_eq!(
            parse_default(&AvroType::Long, "42"),
            Ok(Some(AvroDefault::Int(42)))
        );
        assert_eq!(
            parse_default(&AvroType::Double, "1"),
            Ok(Some(AvroDefault::Float(1.0)))
        );
        assert_eq!(
            parse_default(&AvroType::String, "\"EUR\""),
            Ok(Some(AvroDefault::String("EUR".to_owned())))
        );
        let optional = AvroType::Union(vec![AvroType::Null, AvroType::String]);
        assert_eq!(
            parse_default(&optional, "null"),
            Ok(Some(AvroDefault::Null))
        );
        assert!(parse_default(&AvroType::String, "EUR").is_err());
    }

    #[test]
    fn aliases_split_on_commas_and_drop_blanks() {
        assert_eq!(
            split_aliases(" order, orderId ,, ref "),
            ["order", "orderId", "ref"]
        );
        assert!(split_aliases(" , ").is_empty());
    }

    #[test]
    fn a_default_shows_as_the_json_it_was_read_from() {
        for (ty, text) in [
            (AvroType::Long, "42"),
            (AvroType::Double, "2.5"),
            (AvroType::String, "\"EUR\""),
            (AvroType::Boolean, "true"),
        ] {
            let default = parse_default(&ty, text).ok().flatten();
            assert_eq!(default_text(default.as_ref()), text);
        }
    }
}
