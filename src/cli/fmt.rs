//! `causeway fmt`: rewrite model files in canonical form.

use std::path::PathBuf;

use super::files::{read, write_atomically};
use crate::model;

pub(super) fn run(files: &[PathBuf], check_only: bool) -> i32 {
    let mut failed = false;
    let mut unformatted = false;
    for path in files {
        let bytes = match read(path) {
            Ok(bytes) => bytes,
            Err(err) => {
                eprintln!("error: {err:#}");
                failed = true;
                continue;
            }
        };
        let model = match model::load_bytes(&bytes) {
            Ok(model) => model,
            Err(err) => {
                eprintln!("{}:{err}", path.display());
                failed = true;
                continue;
            }
        };
        let canonical = model::save(&model);
        if canonical.as_bytes() == bytes.as_slice() {
            continue;
        }
        if check_only {
            println!("{}: not in canonical form", path.display());
            unformatted = true;
        } else if let Err(err) = write_atomically(path, canonical.as_bytes()) {
            eprintln!("error: {err:#}");
            failed = true;
        } else {
            println!("formatted {}", path.display());
        }
    }
    if failed {
        2
    } else if unformatted {
        1
    } else {
        0
    }
}
