//! Writers: what a model implies for other tools, as files — a relative path and its text.
//! Nothing here touches the file system: the CLI (and the studio) write what these return.
//!
//! - [`avro`]: one `.avsc` per event type version, and per registry subject version the body
//!   of the request that registers it (`subjects/<subject>-v<N>.json`).
//! - [`cloudevents()`]: a CloudEvents 1.0 structured sample per event type ([`cloudevents`]
//!   holds the sampling).
//!
//! File names come from element names, which a model file may set to anything; they are
//! sanitised so no name can reach outside the output folder (see [`file_stem`]).

pub mod cloudevents;

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::json;

use crate::model::Model;
use crate::schema::{self, Subject};

/// One file to write: its path relative to the output folder, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Relative to the output folder; never absolute, never with `..`.
    pub path: PathBuf,
    /// The contents (UTF-8, ending in a newline).
    pub text: String,
}

/// The Avro export: schema files first, then the registry requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvroExport {
    /// Every file.
    pub files: Vec<File>,
    /// How many are `.avsc` schemas (the rest are registry requests).
    pub schemas: usize,
    /// How many subjects the requests cover.
    pub subjects: usize,
}

/// The longest file stem we write (bytes); file systems allow 255 for the whole name.
const MAX_STEM: usize = 120;

/// A file stem made from a name: letters, digits, `.`, `_` and `-` are kept, everything else
/// (path separators included) becomes `_`; a leading `.` becomes `_` (so `..` and hidden files
/// cannot appear); empty names become `_`; long names are cut. The result never contains a
/// path separator and is never `.` or `..`.
pub fn file_stem(name: &str) -> String {
    let mut stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(MAX_STEM)
        .collect();
    if stem.is_empty() || stem.starts_with('.') {
        stem.insert(0, '_');
    }
    stem
}

/// Picks a file name that no earlier file of this export used (two names may sanitise alike,
/// and file systems may ignore case).
fn unique(used: &mut BTreeSet<String>, stem: &str, extension: &str) -> String {
    let mut name = format!("{stem}.{extension}");
    let mut n = 2;
    while !used.insert(name.to_ascii_lowercase()) {
        name = format!("{stem}~{n}.{extension}");
        n += 1;
    }
    name
}

/// The Avro schemas of every event type version, and the registry request registering each
/// subject version; `subjects` are the model's ([`schema::subjects`]).
pub fn avro(model: &Model, subjects: &[Subject]) -> Result<AvroExport, String> {
    let mut files = Vec::new();
    let mut used = BTreeSet::new();
    for event in &model.event_types {
        let schemas = schema::event_schemas(event).map_err(|e| e.to_string())?;
        for s in schemas {
            let stem = file_stem(&format!("{}-v{}", s.full_name, s.version));
            files.push(File {
                path: PathBuf::from(unique(&mut used, &stem, "avsc")),
                text: schema::schema_text(&s.json, true) + "\n",
            });
        }
    }
    let schemas = files.len();
    let mut used_subjects = BTreeSet::new();
    for subject in subjects {
        for (i, version) in subject.versions.iter().enumerate() {
            let schema = schema::schema_text(&version.json, false);
            let body =
                serde_json::to_string_pretty(&json!({"schema": schema, "schemaType": "AVRO"}))
                    .map_err(|e| format!("the request for {}: {e}", subject.name))?;
            let stem = file_stem(&format!("{}-v{}", subject.name, i + 1));
            files.push(File {
                path: PathBuf::from("subjects").join(unique(&mut used_subjects, &stem, "json")),
                text: body + "\n",
            });
        }
    }
    Ok(AvroExport {
        files,
        schemas,
        subjects: subjects.len(),
    })
}

/// A CloudEvents sample per event type, `namespace.Name.json`.
pub fn cloudevents(model: &Model, subjects: &[Subject]) -> Result<Vec<File>, String> {
    let samples = cloudevents::sample_events(model, subjects).map_err(|e| e.to_string())?;
    let mut used = BTreeSet::new();
    samples
        .iter()
        .map(|sample| {
            let text = serde_json::to_string_pretty(&sample.event)
                .map_err(|e| format!("the sample of {}: {e}", sample.full_name))?;
            Ok(File {
                path: PathBuf::from(unique(&mut used, &file_stem(&sample.full_name), "json")),
                text: text + "\n",
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_become_plain_file_stems() {
        assert_eq!(file_stem("../../x"), "_.._.._x");
        assert_eq!(file_stem("/etc/passwd"), "_etc_passwd");
        assert_eq!(file_stem(""), "_");
        assert_eq!(file_stem(".."), "_..");
        assert_eq!(file_stem("."), "_.");
        assert_eq!(file_stem("a\\b:c\0d"), "a_b_c_d");
        assert_eq!(file_stem("com.shop.Order-v1"), "com.shop.Order-v1");
        assert_eq!(file_stem(&"x".repeat(10_000)).len(), MAX_STEM);
        assert_eq!(file_stem("é"), "_");
    }

    #[test]
    fn names_that_sanitise_alike_get_distinct_files() {
        let mut used = BTreeSet::new();
        assert_eq!(unique(&mut used, "a_b", "json"), "a_b.json");
        assert_eq!(unique(&mut used, "a_b", "json"), "a_b~2.json");
        assert_eq!(unique(&mut used, "A_B", "json"), "A_B~3.json");
    }

    #[test]
    fn the_default_example_exports_a_schema_per_version_and_a_request_per_subject_version() {
        let model = crate::examples::default_model().expect("loads");
        let subjects = schema::subjects(&model).expect("subjects");
        let export = avro(&model, &subjects).expect("exports");
        let versions: usize = model.event_types.iter().map(|e| e.versions.len()).sum();
        assert_eq!(export.schemas, versions);
        let requests: usize = subjects.iter().map(|s| s.versions.len()).sum();
        assert_eq!(export.files.len(), versions + requests);
        assert!(
            export.files[export.schemas..]
                .iter()
                .all(|f| f.path.starts_with("subjects"))
        );
        assert!(
            export
                .files
                .iter()
                .any(|f| f.path.as_os_str() == "com.shop.orders.OrderPlaced-v2.avsc")
        );
        let samples = cloudevents(&model, &subjects).expect("samples");
        assert_eq!(samples.len(), model.event_types.len());
        assert!(
            samples
                .iter()
                .all(|f| f.text.contains("\"specversion\": \"1.0\""))
        );
    }
}
