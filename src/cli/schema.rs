//! `causeway schema`: reader/writer compatibility of `.avsc` files, registry levels, and the
//! version histories of a model's subjects (the command a CI pipeline runs on each change).

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::files::{load_model, read};
use crate::model::{self, Compatibility, Model, Severity};
use crate::schema::{self, ParsedSchema, Subject};

/// The subcommands of `causeway schema`.
#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Check Avro schema files: `--writer W --reader R` (can R read data written with W?), or
    /// `--level LEVEL --new NEW PREVIOUS...` (would a registry accept NEW after PREVIOUS,
    /// oldest first?). Exit 0 when compatible, 1 when not, 2 when a file cannot be read.
    Compat {
        /// The schema the data was written with.
        #[arg(long, requires = "reader", conflicts_with_all = ["level", "new", "previous"])]
        writer: Option<PathBuf>,
        /// The schema the consumer reads with.
        #[arg(long, requires = "writer")]
        reader: Option<PathBuf>,
        /// The registry compatibility level: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD,
        /// FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE.
        #[arg(long, requires = "new", value_parser = parse_level)]
        level: Option<Compatibility>,
        /// The new schema.
        #[arg(long, requires = "level")]
        new: Option<PathBuf>,
        /// The subject's earlier schemas, oldest first.
        #[arg(requires = "new")]
        previous: Vec<PathBuf>,
    },
    /// Check every registry subject's version history in a model under its compatibility
    /// level; with `--against`, also that each subject's latest version may follow the old
    /// model's versions. Exit 1 on any violation.
    Check {
        /// The model file.
        model: PathBuf,
        /// The model as it was before (e.g. on the main branch).
        #[arg(long, value_name = "OLD_MODEL")]
        against: Option<PathBuf>,
    },
}

fn parse_level(text: &str) -> Result<Compatibility, String> {
    schema::parse_level(text).ok_or_else(|| {
        format!(
            "`{text}` is not a compatibility level; use NONE, BACKWARD, BACKWARD_TRANSITIVE, \
             FORWARD, FORWARD_TRANSITIVE, FULL or FULL_TRANSITIVE"
        )
    })
}

pub(super) fn run(command: SchemaCommand) -> i32 {
    match command {
        SchemaCommand::Compat {
            writer: Some(writer),
            reader: Some(reader),
            ..
        } => compat_pair(&writer, &reader),
        SchemaCommand::Compat {
            level: Some(level),
            new: Some(new),
            previous,
            ..
        } => compat_level(level, &new, &previous),
        SchemaCommand::Compat { .. } => {
            eprintln!(
                "error: give either --writer W.avsc --reader R.avsc, or --level LEVEL --new \
                 NEW.avsc PREVIOUS.avsc..."
            );
            2
        }
        SchemaCommand::Check { model, against } => check(&model, against.as_deref()),
    }
}

/// Reads and parses an `.avsc` file, with the file name in the error.
fn read_schema(path: &Path) -> Result<ParsedSchema, String> {
    let bytes = read(path).map_err(|e| format!("{e:#}"))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| format!("{}: the file is not UTF-8 text", path.display()))?;
    ParsedSchema::parse_str(text).map_err(|e| format!("{}: {e}", path.display()))
}

fn compat_pair(writer: &Path, reader: &Path) -> i32 {
    let (w, r) = match (read_schema(writer), read_schema(reader)) {
        (Ok(w), Ok(r)) => (w, r),
        (w, r) => {
            for err in [w.err(), r.err()].into_iter().flatten() {
                eprintln!("error: {err}");
            }
            return 2;
        }
    };
    let reasons = schema::can_read(&w, &r);
    if reasons.is_empty() {
        println!(
            "compatible: a reader with {} reads data written with {}",
            reader.display(),
            writer.display()
        );
        0
    } else {
        println!(
            "incompatible: a reader with {} cannot read data written with {}:",
            reader.display(),
            writer.display()
        );
        for reason in reasons {
            println!("  - {reason}");
        }
        1
    }
}

fn compat_level(level: Compatibility, new: &Path, previous: &[PathBuf]) -> i32 {
    let mut failed = false;
    let new_schema = read_schema(new).map_err(|e| eprintln!("error: {e}")).ok();
    let mut earlier = Vec::with_capacity(previous.len());
    for path in previous {
        match read_schema(path) {
            Ok(s) => earlier.push(s),
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    let Some(new_schema) = new_schema.filter(|_| !failed) else {
        return 2;
    };
    let violations = schema::check_level(level, &new_schema, &earlier);
    let level_name = schema::level_name(level);
    if violations.is_empty() {
        println!(
            "compatible: {} may follow {} earlier version{} under {level_name}",
            new.display(),
            previous.len(),
            if previous.len() == 1 { "" } else { "s" }
        );
        return 0;
    }
    println!(
        "incompatible: {} may not follow the earlier versions under {level_name}:",
        new.display()
    );
    let new_label = new.display().to_string();
    for violation in &violations {
        let old_label = previous
            .get(violation.against)
            .map_or_else(String::new, |p| p.display().to_string());
        for line in schema::registry::describe_violation(violation, &new_label, &old_label) {
            println!("  - {line}");
        }
    }
    1
}

/// Loads a model file, printing why it cannot be loaded.
/// The validation errors that stop schemas from being derived (names that are not Avro
/// names, duplicate fields, bad defaults, missing versions), each as `file: message`.
pub(super) fn schema_errors(path: &Path, model: &Model) -> Vec<String> {
    model::validate(model)
        .into_iter()
        .filter(|d| {
            d.severity == Severity::Error
                && (d.code.starts_with("avro-")
                    || d.code == "duplicate-field"
                    || d.code == "no-schema-versions")
        })
        .map(|d| format!("{}: {}", path.display(), d.message))
        .collect()
}

/// The model's subjects, or the reasons its schemas cannot be derived (printed).
pub(super) fn model_subjects(path: &Path, model: &Model) -> Option<Vec<Subject>> {
    let errors = schema_errors(path, model);
    if !errors.is_empty() {
        for e in errors {
            println!("{e}");
        }
        return None;
    }
    match schema::subjects(model) {
        Ok(subjects) => Some(subjects),
        Err(err) => {
            println!("{}: {err}", path.display());
            None
        }
    }
}

fn check(path: &Path, against: Option<&Path>) -> i32 {
    let Some(model) = load_model(path) else {
        return 2;
    };
    let old = match against {
        Some(old_path) => match load_model(old_path) {
            Some(old) => Some((old_path, old)),
            None => return 2,
        },
        None => None,
    };
    let Some(subjects) = model_subjects(path, &model) else {
        return 1;
    };
    let mut violations = Vec::new();
    for subject in &subjects {
        match schema::check_history(subject) {
            Ok(found) => violations.extend(found),
            Err(err) => violations.push(format!("{}: {err}", path.display())),
        }
    }
    if let Some((old_path, old)) = &old {
        let Some(old_subjects) = model_subjects(old_path, old) else {
            return 1;
        };
        match schema::check_against(&subjects, &old_subjects) {
            Ok(found) => violations.extend(found),
            Err(err) => violations.push(format!("{}: {err}", path.display())),
        }
    }
    let versions: usize = subjects.iter().map(|s| s.versions.len()).sum();
    if violations.is_empty() {
        println!(
            "{}: {} subject{}, {versions} version{}: every history is allowed by its level{}",
            path.display(),
            subjects.len(),
            if subjects.len() == 1 { "" } else { "s" },
            if versions == 1 { "" } else { "s" },
            if against.is_some() {
                ", and may follow the old model"
            } else {
                ""
            }
        );
        0
    } else {
        for v in &violations {
            println!("{}: {v}", path.display());
        }
        eprintln!(
            "{}: {} schema violation{}",
            path.display(),
            violations.len(),
            if violations.len() == 1 { "" } else { "s" }
        );
        1
    }
}
