//! `causeway export`: write what a model implies for other tools: `avro`, one `.avsc` per
//! event type and version, and per registry subject version the body of the request that
//! registers it; `cloudevents`, a sample CloudEvent per event type.
//!
//! Output file names come from element names, which a model file may set to anything; they
//! are sanitised so no name can write outside the output folder (see [`file_stem`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde_json::json;

use super::files::load_model;
use super::files::write_atomically;
use super::schema::model_subjects;
use crate::schema;

/// The subcommands of `causeway export`.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Avro schemas: DIR/<namespace.Name>-v<N>.avsc per event type version, and
    /// DIR/subjects/<subject>-v<N>.json, the body a schema registry's
    /// `POST /subjects/<subject>/versions` accepts.
    Avro {
        /// The model file.
        model: PathBuf,
        /// The output folder (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// CloudEvents 1.0 samples: DIR/<namespace.Name>.json per event type, a structured-mode
    /// event whose `data` is a sample of the type's latest schema in Avro's JSON encoding.
    Cloudevents {
        /// The model file.
        model: PathBuf,
        /// The output folder (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

pub(super) fn run(command: ExportCommand) -> i32 {
    match command {
        ExportCommand::Avro { model, out } => avro(&model, &out),
        ExportCommand::Cloudevents { model, out } => cloudevents(&model, &out),
    }
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

/// Picks a file name that no earlier file of this export used (two names may sanitise alike).
fn unique(used: &mut BTreeSet<String>, stem: &str, extension: &str) -> String {
    let mut name = format!("{stem}.{extension}");
    let mut n = 2;
    while !used.insert(name.to_ascii_lowercase()) {
        name = format!("{stem}~{n}.{extension}");
        n += 1;
    }
    name
}

fn avro(model_path: &Path, out: &Path) -> i32 {
    let Some(model) = load_model(model_path) else {
        return 2;
    };
    let Some(subjects) = model_subjects(model_path, &model) else {
        eprintln!("error: the model's schemas have errors; nothing was written");
        return 1;
    };
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    let mut used = BTreeSet::new();
    for event in &model.event_types {
        let schemas = match schema::event_schemas(event) {
            Ok(s) => s,
            Err(err) => {
                println!("{}: {err}", model_path.display());
                eprintln!("error: the model's schemas have errors; nothing was written");
                return 1;
            }
        };
        for s in schemas {
            let stem = file_stem(&format!("{}-v{}", s.full_name, s.version));
            let name = unique(&mut used, &stem, "avsc");
            files.push((out.join(name), schema::schema_text(&s.json, true) + "\n"));
        }
    }
    let subject_dir = out.join("subjects");
    let mut used_subjects = BTreeSet::new();
    for subject in &subjects {
        for (i, version) in subject.versions.iter().enumerate() {
            let schema = schema::schema_text(&version.json, false);
            let body =
                serde_json::to_string_pretty(&json!({"schema": schema, "schemaType": "AVRO"}));
            let stem = file_stem(&format!("{}-v{}", subject.name, i + 1));
            let name = unique(&mut used_subjects, &stem, "json");
            match body {
                Ok(text) => files.push((subject_dir.join(name), text + "\n")),
                Err(err) => {
                    eprintln!(
                        "error: cannot write the request for {}: {err}",
                        subject.name
                    );
                    return 2;
                }
            }
        }
    }
    if let Err(err) = std::fs::create_dir_all(&subject_dir) {
        eprintln!(
            "error: {}: cannot create the folder: {err}",
            subject_dir.display()
        );
        return 2;
    }
    for (path, text) in &files {
        if let Err(err) = write_atomically(path, text.as_bytes()) {
            eprintln!("error: {err:#}");
            return 2;
        }
    }
    let schemas = files.len() - subjects.iter().map(|s| s.versions.len()).sum::<usize>();
    println!(
        "wrote {schemas} schema{} and {} registry request{} for {} subject{} to {}",
        if schemas == 1 { "" } else { "s" },
        files.len() - schemas,
        if files.len() - schemas == 1 { "" } else { "s" },
        subjects.len(),
        if subjects.len() == 1 { "" } else { "s" },
        out.display()
    );
    0
}

fn cloudevents(model_path: &Path, out: &Path) -> i32 {
    let Some(model) = load_model(model_path) else {
        return 2;
    };
    let Some(subjects) = model_subjects(model_path, &model) else {
        eprintln!("error: the model's schemas have errors; nothing was written");
        return 1;
    };
    let samples = match schema::cloudevents::sample_events(&model, &subjects) {
        Ok(samples) => samples,
        Err(err) => {
            println!("{}: {err}", model_path.display());
            eprintln!("error: nothing was written");
            return 1;
        }
    };
    let mut files = Vec::new();
    let mut used = BTreeSet::new();
    for sample in &samples {
        let name = unique(&mut used, &file_stem(&sample.full_name), "json");
        match serde_json::to_string_pretty(&sample.event) {
            Ok(text) => files.push((out.join(name), text + "\n")),
            Err(err) => {
                eprintln!(
                    "error: cannot write the sample of {}: {err}",
                    sample.full_name
                );
                return 2;
            }
        }
    }
    if let Err(err) = std::fs::create_dir_all(out) {
        eprintln!("error: {}: cannot create the folder: {err}", out.display());
        return 2;
    }
    for (path, text) in &files {
        if let Err(err) = write_atomically(path, text.as_bytes()) {
            eprintln!("error: {err:#}");
            return 2;
        }
    }
    println!(
        "wrote {} CloudEvents sample{} to {}",
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        out.display()
    );
    0
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
}
