//! `causeway new`: start a model from an example.

use std::path::PathBuf;

use super::files::write_atomically;
use crate::examples;
use crate::model;

pub(super) fn run(name: &str, from: &str, out: Option<PathBuf>, force: bool) -> i32 {
    let Some(example) = examples::example(from) else {
        let names: Vec<&str> = examples::EXAMPLES.iter().map(|e| e.name).collect();
        eprintln!(
            "error: there is no example called `{from}`; the examples are: {}",
            names.join(", ")
        );
        return 2;
    };
    if let Err(problem) = check_name(name, out.is_none()) {
        eprintln!("error: {problem}");
        return 2;
    }
    let path = out.unwrap_or_else(|| PathBuf::from(format!("{name}.ron")));
    if path.exists() && !force {
        eprintln!(
            "error: {} already exists; pass --force to overwrite it",
            path.display()
        );
        return 2;
    }
    let mut model = match model::load(example.text) {
        Ok(model) => model,
        Err(err) => {
            eprintln!("error: the built-in example `{from}` does not load: {err}");
            return 2;
        }
    };
    model.name = name.to_owned();
    match write_atomically(&path, model::save(&model).as_bytes()) {
        Ok(()) => {
            println!("wrote {} (from the `{from}` example)", path.display());
            0
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            2
        }
    }
}

/// Whether `name` can name a model, and (when no `--out` is given) its file: `NAME.ron` in
/// the current directory, so not a path.
fn check_name(name: &str, names_the_file: bool) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("the model name is empty".to_owned());
    }
    if name.trim() != name {
        return Err(format!(
            "the model name {name:?} starts or ends with spaces; give it without them"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(format!(
            "the model name {name:?} contains control characters"
        ));
    }
    if names_the_file && (name.contains(['/', '\\']) || name == "." || name == "..") {
        return Err(format!(
            "the model name `{name}` is not a file name, and with no --out the model is \
             written to NAME.ron here; give a plain name and --out for another place, such as \
             `causeway new shop --out models/shop.ron`"
        ));
    }
    Ok(())
}
