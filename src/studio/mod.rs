//! The desktop studio (eframe/egui). UI only: it shows and edits models through the `model`
//! module and never holds domain rules of its own.
//!
//! The window is laid out like an IDE: a top bar, an outline of the model on the left, the
//! canvas in the middle, the inspector on the right and the problems validation found at the
//! bottom. [`StudioApp`] holds the state and draws it; [`run`] puts it in a native window.
//!
//! Each view lives in its own file (`outline.rs`, `inspector.rs`, `problems.rs`, `top_bar.rs`,
//! `canvas/`); the geometry the canvas draws is worked out by pure, unit-tested modules
//! (`graph.rs` reads the connections, `layout.rs` places unpositioned nodes, `diagram.rs` puts
//! both together).

use eframe::egui;

mod app;
mod canvas;
mod describe;
mod diagram;
mod graph;
mod inspector;
pub mod layout;
mod outline;
mod palette;
mod problems;
mod properties;
mod top_bar;
mod widgets;

use std::path::PathBuf;

use crate::model::Model;

pub use app::StudioApp;
pub use canvas::canvas_label;
pub use outline::outline_label;
pub use problems::problem_label;

/// The smallest window the studio's panels fit in.
pub const MIN_WINDOW_SIZE: [f32; 2] = [1000.0, 640.0];

/// The window's size when it opens.
pub const INITIAL_WINDOW_SIZE: [f32; 2] = [1440.0, 900.0];

/// Opens the studio window on `model` (loaded from `path`, if it came from a file) and runs
/// until the window closes.
pub fn run(model: Model, path: Option<PathBuf>) -> anyhow::Result<()> {
    let app = StudioApp::new(model, path);
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(app.window_title())
            .with_app_id("causeway")
            .with_inner_size(INITIAL_WINDOW_SIZE)
            .with_min_inner_size(MIN_WINDOW_SIZE),
        ..Default::default()
    };
    eframe::run_native(
        "Causeway",
        options,
        Box::new(move |_creation| Ok(Box::new(app))),
    )
    .map_err(|err| anyhow::anyhow!("cannot open the studio window: {err}"))
}
