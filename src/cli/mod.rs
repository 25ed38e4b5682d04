//! The headless commands: `check`, `fmt`, `new`, `examples`, `partition`, `assign`, `schema`,
//! `export`. Each returns an exit code; the binary only parses arguments and exits with it.
//!
//! Exit codes follow one rule across commands: 0 for success, 1 for findings (validation
//! errors, files not in canonical form), 2 when an input cannot be read or parsed or an
//! argument is wrong.

mod check;
mod export;
mod files;
mod fmt;
mod new;
mod schema;
mod simulate;
mod teach;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub use export::ExportCommand;
pub use files::write_atomically;
pub use schema::SchemaCommand;
pub use simulate::SimulateArgs;

/// Causeway: design, simulate and teach event-driven architectures.
#[derive(Debug, Parser)]
#[command(name = "causeway", version, about, long_about = None)]
pub struct Cli {
    /// What to do; without a command, the studio opens on the default example model.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the studio, on a model file or on the default example.
    Studio {
        /// The model file to open.
        file: Option<PathBuf>,
    },
    /// Validate model files and print their diagnostics.
    Check {
        /// Model files (.ron).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
        /// Leave out fix hints (text format).
        #[arg(long)]
        quiet: bool,
    },
    /// Rewrite model files in canonical form.
    Fmt {
        /// Model files (.ron).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Only report files that are not in canonical form (exit 1 if any).
        #[arg(long)]
        check: bool,
    },
    /// Write a new model file from one of the examples.
    New {
        /// The new model's name; the file is NAME.ron unless --out says otherwise.
        name: String,
        /// The example to start from (see `causeway examples`).
        #[arg(long, default_value = crate::examples::DEFAULT_EXAMPLE)]
        from: String,
        /// Where to write the file.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// List the example models.
    Examples,
    /// Run a model's scenario in the simulation engine and report what happened.
    Simulate {
        /// The model file.
        model: PathBuf,
        /// The scenario to run (default: the model's first).
        #[arg(long)]
        scenario: Option<String>,
        /// Overrides the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Overrides the scenario's duration, in simulated seconds.
        #[arg(long)]
        duration: Option<f64>,
        /// Stop producers after N records in total, then run until every record is processed,
        /// dead-lettered or lost (or the time limit is reached).
        #[arg(long, value_name = "N")]
        produce: Option<u64>,
        /// Write the per-message trace to FILE as JSON Lines (its first million events).
        #[arg(long, value_name = "FILE")]
        trace: Option<PathBuf>,
        /// Print one JSON object instead of the summary.
        #[arg(long)]
        json: bool,
        /// Exit 1 when a checker or an expectation fails.
        #[arg(long)]
        check: bool,
    },
    /// Print the partition Kafka's default partitioner picks for each key.
    Partition {
        /// The topic's partition count.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        partitions: u32,
        /// Keys are hex bytes (`0x666f6f` or `666f6f`) rather than UTF-8 text.
        #[arg(long)]
        hex: bool,
        /// The keys.
        #[arg(required = true)]
        keys: Vec<String>,
    },
    /// Assign partitions to group members as Kafka's assignors do, from a JSON file:
    /// {"assignor": "range", "topics": {"t0": 3}, "members": [{"member_id": "C0",
    /// "group_instance_id": null, "subscription": ["t0"]}]}.
    Assign {
        /// The JSON input file.
        file: PathBuf,
    },
    /// Check event schemas: reader/writer compatibility, registry levels, a model's subjects.
    Schema {
        /// What to check.
        #[command(subcommand)]
        command: SchemaCommand,
    },
    /// Export what a model implies for other tools (Avro schemas and registry requests).
    Export {
        /// What to export.
        #[command(subcommand)]
        command: ExportCommand,
    },
}

/// How `check` prints its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// `file:line:col: severity: message`, one per line.
    Text,
    /// One JSON document for machines.
    Json,
}

/// Runs a headless command and returns the process exit code. `Studio` is the binary's to run.
pub fn run(command: Command) -> i32 {
    match command {
        Command::Check {
            files,
            format,
            quiet,
        } => check::run(&files, format, quiet),
        Command::Fmt { files, check } => fmt::run(&files, check),
        Command::New {
            name,
            from,
            out,
            force,
        } => new::run(&name, &from, out, force),
        Command::Simulate {
            model,
            scenario,
            seed,
            duration,
            produce,
            trace,
            json,
            check,
        } => simulate::run(&SimulateArgs {
            model,
            scenario,
            seed,
            duration,
            produce,
            trace,
            json,
            check,
        }),
        Command::Examples => {
            for example in crate::examples::EXAMPLES {
                println!("{:<28} {}", example.name, example.summary);
            }
            0
        }
        Command::Partition {
            partitions,
            hex,
            keys,
        } => teach::partition(partitions, hex, &keys),
        Command::Assign { file } => teach::assign(&file),
        Command::Schema { command } => schema::run(command),
        Command::Export { command } => export::run(command),
        Command::Studio { .. } => {
            eprintln!("error: the studio is opened by the causeway binary, not the library");
            2
        }
    }
}
