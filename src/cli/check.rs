//! `causeway check`: validate model files.

use std::path::PathBuf;

use serde::Serialize;

use super::OutputFormat;
use super::files::read;
use crate::model::{self, Diagnostic, Severity};

#[derive(Serialize)]
struct FileReport {
    file: String,
    /// Why the file could not be read or parsed; then there are no diagnostics.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<LocatedMessage>,
    diagnostics: Vec<LocatedDiagnostic>,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct LocatedMessage {
    line: usize,
    column: usize,
    message: String,
}

#[derive(Serialize)]
struct LocatedDiagnostic {
    line: usize,
    column: usize,
    #[serde(flatten)]
    diagnostic: Diagnostic,
}

pub(super) fn run(files: &[PathBuf], format: OutputFormat, quiet: bool) -> i32 {
    let mut reports = Vec::new();
    let mut unreadable = false;
    let mut errors = 0;
    for path in files {
        let report = check_file(path);
        unreadable |= report.error.is_some();
        errors += report.errors;
        reports.push(report);
    }
    match format {
        OutputFormat::Text => print_text(&reports, quiet),
        OutputFormat::Json => match serde_json::to_string_pretty(&reports) {
            Ok(json) => println!("{json}"),
            Err(err) => {
                eprintln!("error: cannot write the report as JSON: {err}");
                return 2;
            }
        },
    }
    if unreadable {
        2
    } else if errors > 0 {
        1
    } else {
        0
    }
}

fn check_file(path: &std::path::Path) -> FileReport {
    let file = path.display().to_string();
    let bytes = match read(path) {
        Ok(bytes) => bytes,
        Err(err) => {
            return FileReport {
                file,
                error: Some(LocatedMessage {
                    line: 0,
                    column: 0,
                    message: format!("{:#}", err.root_cause()),
                }),
                diagnostics: Vec::new(),
                errors: 0,
                warnings: 0,
            };
        }
    };
    let parsed = model::load_bytes(&bytes);
    let model = match parsed {
        Ok(model) => model,
        Err(err) => {
            return FileReport {
                file,
                error: Some(LocatedMessage {
                    line: err.line,
                    column: err.column,
                    message: err.message,
                }),
                diagnostics: Vec::new(),
                errors: 0,
                warnings: 0,
            };
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    let locator = model::Locator::new(&text);
    let diagnostics: Vec<LocatedDiagnostic> = model::validate(&model)
        .into_iter()
        .map(|diagnostic| {
            let at = locator.locate(&diagnostic.element, diagnostic.field.as_deref());
            LocatedDiagnostic {
                line: at.line,
                column: at.column,
                diagnostic,
            }
        })
        .collect();
    let count = |s: Severity| {
        diagnostics
            .iter()
            .filter(|d| d.diagnostic.severity == s)
            .count()
    };
    FileReport {
        file,
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        error: None,
        diagnostics,
    }
}

/// Prints a model's validation errors as `check` does (file, line, column, message and
/// hint) on stderr, located in `text`, the model's source, for commands that need a valid
/// model; returns how many there were.
pub(super) fn print_errors(path: &std::path::Path, text: &str, model: &model::Model) -> usize {
    let errors: Vec<_> = model::validate(model)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if errors.is_empty() {
        return 0;
    }
    let locator = model::Locator::new(text);
    for d in &errors {
        let at = locator.locate(&d.element, d.field.as_deref());
        eprintln!(
            "{}:{}:{}: error: {}",
            path.display(),
            at.line,
            at.column,
            d.message
        );
        if let Some(hint) = &d.hint {
            eprintln!("    hint: {hint}");
        }
    }
    errors.len()
}

fn print_text(reports: &[FileReport], quiet: bool) {
    for report in reports {
        if let Some(error) = &report.error {
            if error.line == 0 {
                eprintln!("{}: error: {}", report.file, error.message);
            } else {
                eprintln!(
                    "{}:{}:{}: error: {}",
                    report.file, error.line, error.column, error.message
                );
            }
            continue;
        }
        for d in &report.diagnostics {
            println!(
                "{}:{}:{}: {}: {}",
                report.file, d.line, d.column, d.diagnostic.severity, d.diagnostic.message
            );
            if !quiet && let Some(hint) = &d.diagnostic.hint {
                println!("    hint: {hint}");
            }
        }
        eprintln!(
            "{}: {} error{}, {} warning{}",
            report.file,
            report.errors,
            if report.errors == 1 { "" } else { "s" },
            report.warnings,
            if report.warnings == 1 { "" } else { "s" }
        );
    }
}
