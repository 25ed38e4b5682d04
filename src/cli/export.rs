//! `causeway export`: write what a model implies for other tools: `avro`, one `.avsc` per
//! event type and version, and per registry subject version the body of the request that
//! registers it; `cloudevents`, a sample CloudEvent per event type.
//!
//! What is written comes from [`crate::export`]; this command loads the model, writes the
//! files atomically and says what it wrote.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::files::load_model;
use super::files::write_atomically;
use super::schema::model_subjects;
use crate::export;

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

fn avro(model_path: &Path, out: &Path) -> i32 {
    let Some(model) = load_model(model_path) else {
        return 2;
    };
    let Some(subjects) = model_subjects(model_path, &model) else {
        eprintln!("error: the model's schemas have errors; nothing was written");
        return 1;
    };
    let written = match export::avro(&model, &subjects) {
        Ok(written) => written,
        Err(err) => {
            println!("{}: {err}", model_path.display());
            eprintln!("error: the model's schemas have errors; nothing was written");
            return 1;
        }
    };
    if let Err(code) = write_files(out, &written.files) {
        return code;
    }
    let requests = written.files.len() - written.schemas;
    println!(
        "wrote {} schema{} and {requests} registry request{} for {} subject{} to {}",
        written.schemas,
        if written.schemas == 1 { "" } else { "s" },
        if requests == 1 { "" } else { "s" },
        written.subjects,
        if written.subjects == 1 { "" } else { "s" },
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
    let files = match export::cloudevents(&model, &subjects) {
        Ok(files) => files,
        Err(err) => {
            println!("{}: {err}", model_path.display());
            eprintln!("error: nothing was written");
            return 1;
        }
    };
    if let Err(code) = write_files(out, &files) {
        return code;
    }
    println!(
        "wrote {} CloudEvents sample{} to {}",
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        out.display()
    );
    0
}

/// Writes each file under `out` (creating folders), atomically; on failure says why and
/// returns exit code 2.
fn write_files(out: &Path, files: &[export::File]) -> Result<(), i32> {
    for file in files {
        let path = out.join(&file.path);
        if let Some(dir) = path.parent()
            && let Err(err) = std::fs::create_dir_all(dir)
        {
            eprintln!("error: {}: cannot create the folder: {err}", dir.display());
            return Err(2);
        }
        if let Err(err) = write_atomically(&path, file.text.as_bytes()) {
            eprintln!("error: {err:#}");
            return Err(2);
        }
    }
    Ok(())
}
