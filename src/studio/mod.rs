//! The desktop studio (eframe/egui). UI only: it shows and edits models through the `model`
//! module and never holds domain rules of its own.
//!
//! The window is laid out like an IDE: a top bar with the File, Edit, View and Help menus, an
//! outline of the model on the left, the canvas in the middle, the inspector on the right and
//! the problems validation found under the canvas, in a tab beside the simulation runs. The
//! panels are `egui_tiles` tiles (`tiles.rs`) the user resizes and rearranges; their layout is
//! kept between runs with the settings.
//! [`StudioApp`] holds the state and draws it; [`run`] puts it in a native window. The View
//! menu's theme, UI scale and panels are kept between runs (`settings.rs`).
//!
//! Each view lives in its own file (`outline.rs`, `inspector.rs`, `problems.rs`, `top_bar.rs`,
//! `canvas/`); the geometry the canvas draws is worked out by pure, unit-tested modules
//! (`graph.rs` reads the connections, `layout.rs` places unpositioned nodes, `diagram.rs` puts
//! both together).
//!
//! Simulation: the Simulation tab (`run_view.rs`) runs a scenario with a seed on
//! a worker thread (`run_job.rs`) that advances the engine in chunks of simulated time, shows
//! the progress with a Cancel button, then the report's summary and the lag of each group.
//!
//! Editing: every change to the model is a command (`commands.rs`) applied by [`StudioApp`],
//! which keeps the undo and redo stacks (`history.rs`). The canvas reports gestures (select,
//! box-select, move, connect, place) and the app turns them into the commands of `edit.rs`
//! (create, move, delete, connect, copy and paste); the palette (`element_palette.rs`) arms a
//! kind to place, or is dragged onto the canvas. The inspector edits through the field
//! widgets of `fields.rs`, laid out per kind in `editors.rs`, with the compound values
//! (distributions, lists) in `compound.rs` and an event type's schema tables in `schema.rs`;
//! an edit is one undo step when the user lets go of the widget. Files go through [`FileDialogs`] (native dialogs in the app, a
//! scripted fake in tests), saving is atomic, and unsaved work is autosaved to a [`Recovery`]
//! file and offered back after a crash.

use eframe::egui;

mod app;
mod canvas;
mod commands;
mod compound;
mod diagram;
mod edit;
mod editors;
mod element_palette;
mod fields;
mod files;
mod graph;
mod history;
mod icon;
mod inspector;
pub mod layout;
mod outline;
mod palette;
mod problems;
mod properties;
mod run_job;
mod run_view;
mod schema;
mod schema_check;
mod settings;
mod tiles;
mod top_bar;
mod widgets;

use std::path::PathBuf;

use crate::model::Model;

pub use app::{AUTOSAVE_INTERVAL_S, Answer, PendingAction, StudioApp};
pub use canvas::{canvas_label, handle_label, tooltip_title};
pub use element_palette::palette_label;
pub use files::{FileDialogs, NativeDialogs, Recovery, ScriptedDialogs};
pub use outline::outline_label;
pub use problems::problem_label;
pub use run_view::{CANCELLED_NOTE, STALE_NOTE, build_error_label};
pub use settings::{LAYOUT_KEY, SCALES, SETTINGS_KEY, Settings, Theme};
pub use tiles::{Layout, Pane, default_layout};

/// The smallest window the studio's panels fit in.
pub const MIN_WINDOW_SIZE: [f32; 2] = [1000.0, 640.0];

/// The window's size when it opens.
pub const INITIAL_WINDOW_SIZE: [f32; 2] = [1440.0, 900.0];

/// Opens the studio window on `model` (loaded from `path`, if it came from a file) and runs
/// until the window closes.
pub fn run(model: Model, path: Option<PathBuf>) -> anyhow::Result<()> {
    let mut app = StudioApp::new(model, path);
    if let Some(recovery) = Recovery::user_default() {
        app = app.with_recovery(recovery);
    }
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(app.window_title())
            .with_app_id("causeway")
            .with_inner_size(INITIAL_WINDOW_SIZE)
            .with_min_inner_size(MIN_WINDOW_SIZE)
            .with_icon(icon::icon()),
        // The window's size and place, egui's memory (panel sizes) and the studio's settings
        // are kept between runs.
        persist_window: true,
        ..Default::default()
    };
    eframe::run_native(
        "Causeway",
        options,
        Box::new(move |creation| {
            if let Some(storage) = creation.storage {
                app.load_settings(storage);
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|err| anyhow::anyhow!("cannot open the studio window: {err}"))
}
