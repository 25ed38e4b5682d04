//! The desktop studio (eframe/egui). UI only: it shows and edits models through the `model`
//! module and never holds domain rules of its own.

use std::path::PathBuf;

use crate::model::Model;

/// Opens the studio window on `model` (loaded from `path`, if it came from a file) and runs
/// until the window closes.
pub fn run(model: Model, path: Option<PathBuf>) -> anyhow::Result<()> {
    let _ = (model, path);
    anyhow::bail!("the studio is not built yet")
}
