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
    if name.trim().is_empty() {
        eprintln!("error: the model name is empty");
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
