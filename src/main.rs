//! The `causeway` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::Parser as _;

use causeway::cli::{Cli, Command};
use causeway::{examples, model, studio};

fn main() -> ExitCode {
    quiet_on_closed_pipe();
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
        None => examples::default_model()
            .map_err(|err| format!("the default example does not load: {err}")),
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

/// `causeway simulate ... | head` closes stdout early; Rust's `println!` then panics with
/// "Broken pipe". That is not an error of the user's: end quietly, as Unix tools do.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info
            .payload_as_str()
            .is_some_and(|m| m.contains("Broken pipe"))
        {
            std::process::exit(0);
        }
        default(info);
    }));
}
