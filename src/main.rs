//! The `causeway` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::Parser as _;

use causeway::cli::{Cli, Command};
use causeway::{examples, model, studio};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        None => open_studio(None),
        Some(Command::Studio { file }) => open_studio(file),
        Some(command) => causeway::cli::run(command),
    };
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}

fn open_studio(file: Option<std::path::PathBuf>) -> i32 {
    let loaded = match &file {
        Some(path) => std::fs::read(path)
            .map_err(|err| format!("{}: cannot read the file: {err}", path.display()))
            .and_then(|bytes| {
                model::load_bytes(&bytes).map_err(|err| format!("{}:{err}", path.display()))
            }),
        None => {
            let text = examples::example(examples::DEFAULT_EXAMPLE)
                .map(|e| e.text)
                .unwrap_or_default();
            model::load(text).map_err(|err| format!("the default example does not load: {err}"))
        }
    };
    let model = match loaded {
        Ok(model) => model,
        Err(message) => {
            eprintln!("error: {message}");
            return 2;
        }
    };
    match studio::run(model, file) {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("error: {err:#}");
            1
        }
    }
}
