//! The studio's state and its window: the top bar above the panels' tiles (`tiles.rs`:
//! outline, canvas, inspector, problems, simulation); and the editing around them: commands with
//! undo and redo, files, autosave and the questions asked before work could be lost.

use eframe::egui;

use std::path::{Path, PathBuf};

use egui::{
    CentralPanel, Id, Key, KeyboardShortcut, Modal, Modifiers, Panel, RichText, Ui, ViewportCommand,
};

use crate::model::{Diagnostic, ElementKind, ElementRef, Model, validate};

use super::canvas::{CanvasAction, CanvasView};
use super::commands::Command;
use super::diagram::Diagram;
use super::edit;
use super::files::{FileDialogs, NativeDialogs, Recovery};
use super::history::History;
use super::run_view::RunView;
use super::settings::{Settings, clamp_scale, load_layout, save_layout};
use super::tiles::{Layout, Pane, Panes, PanesOutcome, default_layout};
use super::top_bar::{MenuAction, PanelToggle, top_bar_ui};

/// How often unsaved work is written to the recovery file, in seconds.
pub const AUTOSAVE_INTERVAL_S: f64 = 30.0;

/// How many files Open Recent lists.
const RECENT_LIMIT: usize = 8;

/// The first line of a recovery file names the file the work belongs to.
const RECOVERY_HEADER: &str = "// Causeway recovery of: ";

/// Something that would lose unsaved changes, waiting for the user's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PendingAction {
    /// Start a new, empty model.
    New,
    /// Ask for a file and open it.
    Open,
    /// Open this file.
    OpenPath(PathBuf),
    /// Close the window.
    Close,
}

/// The studio: a model, what validation says about it, what the user is looking at, and the
/// editing state around it (undo history, file, unsaved changes).
///
/// It needs no window to exist, so tests can drive [`StudioApp::ui`] directly (for instance
/// with `egui_kittest`).
pub struct StudioApp {
    model: Model,
    path: Option<PathBuf>,
    diagnostics: Vec<Diagnostic>,
    diagram: Diagram,
    /// The selected elements; the last is the one the inspector shows.
    selected: Vec<ElementRef>,
    /// The kind the palette waits to place with the next click on the canvas.
    placing: Option<ElementKind>,
    canvas: CanvasView,
    history: History,
    /// The model before the inspector edit in progress, which becomes one undo step when the
    /// edit ends.
    editing_from: Option<Model>,
    /// The model as last saved or opened: unsaved changes are differences from it.
    saved: Model,
    dirty: bool,
    dialogs: Box<dyn FileDialogs>,
    recovery: Option<Recovery>,
    last_autosave: Option<f64>,
    recent: Vec<PathBuf>,
    /// A message for the user (a failed save, a file that does not parse, a refused rename).
    notice: Option<String>,
    /// An action waiting for Save / Discard / Cancel.
    asking: Option<PendingAction>,
    /// Work found in the recovery file at start, offered back: the model and its file.
    recovered: Option<(Model, Option<PathBuf>)>,
    /// The window may close (nothing unsaved, or the user said so).
    close_allowed: bool,
    /// The user confirmed closing; the window closes on the next frame.
    closing: bool,
    shown_title: String,
    show_shortcuts: bool,
    /// Where the panels are: the outline, canvas, inspector, problems and simulation tiles.
    layout: Layout,
    run_view: RunView,
    /// The theme, scale and open panels, kept between runs.
    settings: Settings,
    /// The settings as last applied to the context, to apply only changes.
    applied: Option<Settings>,
}

impl std::fmt::Debug for StudioApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StudioApp")
            .field("path", &self.path)
            .field("selected", &self.selected)
            .field("dirty", &self.dirty)
            .finish_non_exhaustive()
    }
}

impl StudioApp {
    /// A studio showing `model`, loaded from `path` when it came from a file. It uses the
    /// desktop's file dialogs and no recovery file (see [`Self::with_recovery`]).
    pub fn new(model: Model, path: Option<PathBuf>) -> Self {
        let diagnostics = validate(&model);
        let diagram = Diagram::new(&model);
        Self {
            saved: model.clone(),
            model,
            path,
            diagnostics,
            diagram,
            selected: Vec::new(),
            placing: None,
            canvas: CanvasView::default(),
            history: History::default(),
            editing_from: None,
            dirty: false,
            dialogs: Box::new(NativeDialogs),
            recovery: None,
            last_autosave: None,
            recent: Vec::new(),
            notice: None,
            asking: None,
            recovered: None,
            close_allowed: false,
            closing: false,
            shown_title: String::new(),
            show_shortcuts: false,
            layout: default_layout(),
            run_view: RunView::default(),
            settings: Settings::default(),
            applied: None,
        }
    }

    /// The look and layout settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Replaces the look and layout settings; they apply on the next frame.
    pub fn set_settings(&mut self, settings: Settings) {
        self.settings = settings;
    }

    /// Takes the settings and the panels' layout kept in `storage` by an earlier run.
    pub fn load_settings(&mut self, storage: &dyn eframe::Storage) {
        self.settings = Settings::load(storage);
        self.layout = load_layout(storage).unwrap_or_else(default_layout);
    }

    /// Keeps the settings and the panels' layout in `storage` for the next run.
    pub fn save_settings(&self, storage: &mut dyn eframe::Storage) {
        self.settings.save(storage);
        save_layout(&self.layout, storage);
    }

    /// The panels' layout: which tiles there are, their sizes and their tabs.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Brings back the default layout with every panel shown (View → Reset layout).
    pub fn reset_layout(&mut self) {
        self.layout = default_layout();
        self.settings.show_outline = true;
        self.settings.show_inspector = true;
        self.settings.show_bottom = true;
    }

    /// Applies changed settings to the context. A zoom the user changed with the keyboard
    /// (Ctrl+plus, Ctrl+minus) becomes the scale setting.
    fn settings_ui(&mut self, ui: &Ui) {
        let ctx = ui.ctx();
        if let Some(applied) = &self.applied
            && applied.scale == self.settings.scale
            && (ctx.zoom_factor() - applied.scale).abs() > 1e-4
        {
            self.settings.scale = clamp_scale(ctx.zoom_factor());
        }
        if self.applied.as_ref() != Some(&self.settings) {
            self.settings.apply(ctx);
            self.applied = Some(self.settings.clone());
        }
    }

    /// Caps every simulation run at `ms` milliseconds of simulated time (tests keep runs
    /// short with it).
    pub fn with_run_duration_limit_ms(mut self, ms: u64) -> Self {
        self.run_view
            .set_duration_limit(Some(ms.saturating_mul(crate::sim::time::MS)));
        self
    }

    /// Whether a simulation run is in progress.
    pub fn run_in_progress(&self) -> bool {
        self.run_view.running()
    }

    /// The report of the last finished simulation run.
    pub fn run_results(&self) -> Option<&crate::sim::Report> {
        self.run_view.results()
    }

    /// Uses `dialogs` to ask for files (tests pass a scripted fake).
    pub fn with_dialogs(mut self, dialogs: Box<dyn FileDialogs>) -> Self {
        self.dialogs = dialogs;
        self
    }

    /// Replaces the file dialogs.
    pub fn set_dialogs(&mut self, dialogs: Box<dyn FileDialogs>) {
        self.dialogs = dialogs;
    }

    /// Autosaves unsaved work to `recovery`; if a previous session left work there (it
    /// crashed), offers it back.
    pub fn with_recovery(mut self, recovery: Recovery) -> Self {
        if let Some(text) = recovery.read() {
            let path = text
                .lines()
                .next()
                .and_then(|line| line.strip_prefix(RECOVERY_HEADER))
                .filter(|p| !p.is_empty())
                .map(PathBuf::from);
            match crate::model::load(&text) {
                Ok(model) => self.recovered = Some((model, path)),
                Err(err) => {
                    self.notice = Some(format!(
                        "The recovery file {} could not be read ({err}); it was left in place.",
                        recovery.path.display()
                    ));
                }
            }
        }
        self.recent = recovery.read_recent();
        self.recovery = Some(recovery);
        self
    }

    /// The model shown.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The file the model came from, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// What validation found, errors first.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The selected element; `None` when nothing is (the inspector then shows the model).
    pub fn selection(&self) -> Option<&ElementRef> {
        self.selected.last()
    }

    /// Every selected element, in the order they were selected.
    pub fn selected(&self) -> &[ElementRef] {
        &self.selected
    }

    /// The kind the palette waits to place on the canvas, if any.
    pub fn placing(&self) -> Option<ElementKind> {
        self.placing
    }

    /// Whether the model has changes that are not saved.
    pub fn has_unsaved_changes(&self) -> bool {
        self.dirty
    }

    /// The message shown to the user, if any.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// The action waiting for Save / Discard / Cancel, if any.
    pub fn asking(&self) -> Option<&PendingAction> {
        self.asking.as_ref()
    }

    /// Whether the window may close now (the user confirmed, or nothing was unsaved).
    pub fn close_allowed(&self) -> bool {
        self.close_allowed
    }

    /// The files opened or saved lately, newest first.
    pub fn recent_files(&self) -> &[PathBuf] {
        &self.recent
    }

    /// Whether work from a crashed session is being offered back.
    pub fn offers_recovery(&self) -> bool {
        self.recovered.is_some()
    }

    /// Selects `element` (or clears the selection) and brings it into view on the canvas.
    pub fn select(&mut self, element: Option<ElementRef>) {
        let element = element.filter(|e| e.kind != ElementKind::Model);
        if let Some(element) = &element {
            self.canvas.reveal(element.clone());
        }
        self.selected = element.into_iter().collect();
    }

    /// The canvas' zoom: screen points per canvas unit, as of the last frame.
    pub fn zoom(&self) -> f32 {
        self.canvas.zoom()
    }

    /// The window title: "Causeway — orders.ron", or the model's name for a model without a
    /// file; a "•" at the end while there are unsaved changes.
    pub fn window_title(&self) -> String {
        let subject = match self.path.as_deref().and_then(Path::file_name) {
            Some(name) => name.to_string_lossy().into_owned(),
            None => self.model.name.clone(),
        };
        let mark = if self.dirty { " \u{2022}" } else { "" };
        format!("Causeway \u{2014} {subject}{mark}")
    }

    // -----------------------------------------------------------------------------------------
    // Changes

    /// Applies `command` as one undo step. A refused command changes nothing and says why.
    pub fn apply(&mut self, command: Command) -> Result<(), String> {
        self.commit_edit();
        let before = self.model.clone();
        let description = command.description.clone();
        match command.apply(&mut self.model) {
            Ok(()) => {
                if self.model != before {
                    self.history.record(before);
                    self.model_changed();
                }
                Ok(())
            }
            Err(message) => {
                self.notice = Some(format!("Cannot {description}: {message}."));
                Err(message)
            }
        }
    }

    /// Applies `command` as part of the edit in progress: the model changes now (and is
    /// validated now), the undo step is recorded when the edit ends.
    fn apply_live(&mut self, command: Command) {
        let before = self.model.clone();
        let description = command.description.clone();
        match command.apply(&mut self.model) {
            Ok(()) => {
                if self.model != before {
                    self.editing_from.get_or_insert(before);
                    self.model_changed();
                }
            }
            Err(message) => self.notice = Some(format!("Cannot {description}: {message}.")),
        }
    }

    /// Ends the edit in progress, recording it as one undo step.
    fn commit_edit(&mut self) {
        if let Some(before) = self.editing_from.take()
            && before != self.model
        {
            self.history.record(before);
        }
    }

    /// Whether there is a change to undo.
    pub fn can_undo(&self) -> bool {
        self.editing_from.is_some() || self.history.can_undo()
    }

    /// Whether there is an undone change to redo.
    pub fn can_redo(&self) -> bool {
        self.history.can_redo()
    }

    /// Undoes the last change.
    pub fn undo(&mut self) {
        self.commit_edit();
        if self.history.undo(&mut self.model) {
            self.model_changed();
        }
    }

    /// Redoes the last undone change.
    pub fn redo(&mut self) {
        self.commit_edit();
        if self.history.redo(&mut self.model) {
            self.model_changed();
        }
    }

    /// Validates the changed model and redraws it.
    fn model_changed(&mut self) {
        self.diagnostics = validate(&self.model);
        self.run_view.model_changed();
        self.diagram = Diagram::new(&self.model);
        self.dirty = self.model != self.saved;
        // What an undo took away cannot stay selected.
        let diagram = &self.diagram;
        self.selected
            .retain(|e| diagram.node_index(e).is_some() || !edit::CREATABLE.contains(&e.kind));
    }

    /// Shows `model` from `path` as a fresh document: no history, nothing unsaved.
    fn replace_document(&mut self, model: Model, path: Option<PathBuf>) {
        self.editing_from = None;
        self.history.clear();
        self.saved = model.clone();
        self.model = model;
        self.path = path;
        self.selected.clear();
        self.canvas = CanvasView::default();
        self.model_changed();
        self.last_autosave = None;
        if let Some(recovery) = &self.recovery {
            recovery.remove();
        }
    }

    // -----------------------------------------------------------------------------------------
    // Files

    /// Asks to do `action`; with unsaved changes, asks Save / Discard / Cancel first.
    pub fn request(&mut self, action: PendingAction) {
        self.commit_edit();
        if self.dirty {
            self.asking = Some(action);
        } else {
            self.perform(action);
        }
    }

    /// Asks to close the window (what the window's close button does).
    pub fn request_close(&mut self) {
        self.request(PendingAction::Close);
    }

    /// Answers the Save / Discard / Cancel question.
    pub fn answer(&mut self, answer: Answer) {
        let Some(action) = self.asking.take() else {
            return;
        };
        match answer {
            Answer::Save => {
                if self.save() {
                    self.perform(action);
                }
            }
            Answer::Discard => {
                if let Some(recovery) = &self.recovery {
                    recovery.remove();
                }
                self.perform(action);
            }
            Answer::Cancel => {}
        }
    }

    fn perform(&mut self, action: PendingAction) {
        match action {
            PendingAction::New => self.replace_document(Model::new("untitled"), None),
            PendingAction::Open => {
                if let Some(path) = self.dialogs.open() {
                    self.open_path(&path);
                }
            }
            PendingAction::OpenPath(path) => self.open_path(&path),
            PendingAction::Close => {
                self.close_allowed = true;
                self.closing = true;
            }
        }
    }

    /// Opens `path`. A file that does not parse leaves the current model as it was and says
    /// where the problem is; one with validation errors opens, with its diagnostics.
    fn open_path(&mut self, path: &Path) {
        let loaded = std::fs::read(path)
            .map_err(|err| format!("{}: cannot read the file: {err}", path.display()))
            .and_then(|bytes| {
                crate::model::load_bytes(&bytes).map_err(|err| format!("{}:{err}", path.display()))
            });
        match loaded {
            Ok(model) => {
                self.replace_document(model, Some(path.to_owned()));
                self.notice = None;
                self.remember(path);
            }
            Err(message) => {
                self.notice = Some(format!("Cannot open the file. {message}"));
            }
        }
    }

    /// Saves to the model's file (asking for one if it has none); `true` when saved. A failed
    /// save says why and changes nothing.
    pub fn save(&mut self) -> bool {
        self.commit_edit();
        match self.path.clone() {
            Some(path) => self.save_to(&path),
            None => self.save_as(),
        }
    }

    /// Asks where to save, and saves there; `true` when saved.
    pub fn save_as(&mut self) -> bool {
        self.commit_edit();
        let suggested = match self.path.as_deref().and_then(Path::file_name) {
            Some(name) => name.to_string_lossy().into_owned(),
            None => format!("{}.ron", self.model.name),
        };
        match self.dialogs.save_as(&suggested) {
            Some(path) => self.save_to(&path),
            None => false,
        }
    }

    fn save_to(&mut self, path: &Path) -> bool {
        let text = crate::model::save(&self.model);
        match crate::cli::write_atomically(path, text.as_bytes()) {
            Ok(()) => {
                self.path = Some(path.to_owned());
                self.saved = self.model.clone();
                self.dirty = false;
                self.notice = None;
                if let Some(recovery) = &self.recovery {
                    recovery.remove();
                }
                self.remember(path);
                true
            }
            Err(err) => {
                self.notice = Some(format!(
                    "The model was not saved: {err:#}. Nothing was lost; try another place \
                     with Save As."
                ));
                false
            }
        }
    }

    /// Puts `path` at the top of the recent files.
    fn remember(&mut self, path: &Path) {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        self.recent.retain(|p| p != &path);
        self.recent.insert(0, path);
        self.recent.truncate(RECENT_LIMIT);
        if let Some(recovery) = &self.recovery {
            recovery.write_recent(&self.recent);
        }
    }

    /// Writes unsaved work to the recovery file now (autosave does this every
    /// [`AUTOSAVE_INTERVAL_S`] seconds).
    pub fn autosave_now(&mut self) {
        let Some(recovery) = &self.recovery else {
            return;
        };
        if !self.dirty {
            return;
        }
        let header = self
            .path
            .as_deref()
            .map(|p| format!("{RECOVERY_HEADER}{}\n", p.display()))
            .unwrap_or_default();
        let text = format!("{header}{}", crate::model::save(&self.model));
        if let Err(err) = recovery.write(&text) {
            self.notice = Some(format!("Autosave failed: {err:#}."));
        }
    }

    /// Takes back the work the recovery file held (`accept`), or throws it away.
    pub fn resolve_recovery(&mut self, accept: bool) {
        let Some((model, path)) = self.recovered.take() else {
            return;
        };
        if accept {
            let before = std::mem::replace(&mut self.model, model);
            self.history.record(before);
            if path.is_some() {
                self.path = path;
            }
            // What was restored is not saved anywhere yet.
            self.saved = Model::new("");
            self.selected.clear();
            self.model_changed();
        } else if let Some(recovery) = &self.recovery {
            recovery.remove();
        }
    }

    // -----------------------------------------------------------------------------------------
    // The window

    /// Shows the whole studio in `ui` (the window's root).
    pub fn ui(&mut self, ui: &mut Ui) {
        self.settings_ui(ui);
        self.shortcuts_ui(ui);
        self.canvas_keys_ui(ui);
        // An element clicked in a list is selected and brought into view; one clicked on the
        // canvas is in view already.
        let mut clicked: Option<ElementRef> = None;
        let mut menu_action = None;

        Panel::top("top_bar").show(ui, |ui| {
            menu_action = top_bar_ui(
                ui,
                &self.model,
                self.path.as_deref(),
                &self.diagnostics,
                &super::top_bar::EditState {
                    has_selection: !self.selected.is_empty(),
                    can_undo: self.can_undo(),
                    can_redo: self.can_redo(),
                    dirty: self.dirty,
                    recent: &self.recent,
                    settings: &self.settings,
                },
            );
        });
        if let Some(notice) = self.notice.clone() {
            Panel::top("notice").show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(notice).color(ui.visuals().warn_fg_color));
                    if ui
                        .button("Dismiss")
                        .on_hover_text("Hide this message")
                        .clicked()
                    {
                        self.notice = None;
                    }
                });
            });
        }
        self.run_view.poll(ui.ctx());
        for (pane, shown) in [
            (Pane::Outline, self.settings.show_outline),
            (Pane::Inspector, self.settings.show_inspector),
            (Pane::Problems, self.settings.show_bottom),
            (Pane::Simulation, self.settings.show_bottom),
        ] {
            super::tiles::set_shown(&mut self.layout, pane, shown);
        }
        let mut panes = Panes {
            model: &self.model,
            diagram: &self.diagram,
            diagnostics: &self.diagnostics,
            selected: &self.selected,
            placing: self.placing,
            canvas: &mut self.canvas,
            run_view: &mut self.run_view,
            outcome: PanesOutcome::default(),
        };
        CentralPanel::no_frame().show(ui, |ui| {
            self.layout.ui(&mut panes, ui);
        });
        let PanesOutcome {
            clicked: pane_clicked,
            canvas_actions,
            inspected,
            placing,
        } = panes.outcome;
        if let Some(placing) = placing {
            self.placing = placing;
        }
        if pane_clicked.is_some() {
            clicked = pane_clicked;
        }

        if let Some(inspected) = inspected {
            if let Some(element) = inspected.clicked {
                clicked = Some(element);
            }
            let editor = inspected.editor;
            if let Some(command) = editor.edit {
                self.apply_live(command);
            }
            if let Some((command, renamed)) = editor.rename
                && self.apply(command).is_ok()
            {
                self.selected = vec![renamed];
            }
            if !editor.active {
                self.commit_edit();
            }
        }

        if let Some(element) = clicked {
            self.select(Some(element));
        }
        for action in canvas_actions {
            self.canvas_action(action);
        }

        if let Some(action) = menu_action {
            self.menu_action(action);
        }
        self.shortcuts_window_ui(ui);
        self.questions_ui(ui);
        self.autosave_ui(ui);
    }

    /// Carries out what the user did on the canvas.
    fn canvas_action(&mut self, action: CanvasAction) {
        match action {
            CanvasAction::Click {
                element: Some(element),
                add: true,
            } => {
                if let Some(at) = self.selected.iter().position(|e| e == &element) {
                    self.selected.remove(at);
                } else {
                    self.selected.push(element);
                }
            }
            CanvasAction::Click {
                element: Some(element),
                add: false,
            } => self.selected = vec![element],
            CanvasAction::Click { element: None, add } => {
                if !add {
                    self.selected.clear();
                }
            }
            CanvasAction::BoxSelect { elements, add } => {
                if !add {
                    self.selected.clear();
                }
                for element in elements {
                    if !self.selected.contains(&element) {
                        self.selected.push(element);
                    }
                }
            }
            CanvasAction::Move(moves) => {
                let _refused = self.apply(edit::move_nodes(moves));
            }
            CanvasAction::Connect { from, to: Some(to) } => {
                if self.apply(edit::connect(from, to)).is_ok() {
                    self.notice = None;
                }
            }
            CanvasAction::Connect { from, to: None } => {
                self.notice = Some(format!(
                    "To connect {from}, drop the line on another node. The connections are {}.",
                    edit::VALID_CONNECTIONS
                ));
            }
            CanvasAction::Place(at) => {
                if let Some(kind) = self.placing.take() {
                    let id = edit::new_id(&self.model, kind);
                    if self.apply(edit::create(kind, id.clone(), at)).is_ok() {
                        self.selected = vec![ElementRef::new(kind, id)];
                    }
                }
            }
            CanvasAction::Drop { kind, at } => {
                self.placing = None;
                let id = edit::new_id(&self.model, kind);
                if self.apply(edit::create(kind, id.clone(), at)).is_ok() {
                    self.selected = vec![ElementRef::new(kind, id)];
                }
            }
            CanvasAction::AutoLayout => self.auto_layout(),
        }
    }

    /// Lays every node out again (one undo step).
    pub fn auto_layout(&mut self) {
        let positions = super::layout::auto_layout(&self.diagram);
        let _refused = self.apply(edit::set_positions(positions));
    }

    /// Deletes the selected elements that are on the canvas (one undo step); a refusal says
    /// why.
    pub fn delete_selection(&mut self) {
        let on_canvas: Vec<ElementRef> = self
            .selected
            .iter()
            .filter(|e| edit::CREATABLE.contains(&e.kind))
            .cloned()
            .collect();
        if on_canvas.is_empty() {
            return;
        }
        if self.apply(edit::delete(on_canvas.clone())).is_ok() {
            self.selected.retain(|e| !on_canvas.contains(e));
        }
    }

    /// Selects every node on the canvas.
    pub fn select_all(&mut self) {
        self.selected = self
            .diagram
            .nodes
            .iter()
            .map(|n| n.element.clone())
            .collect();
    }

    /// The selected elements as clipboard text (see [`edit::copy_text`]); `None` when nothing
    /// is selected.
    pub fn copy_selection(&self) -> Option<String> {
        let elements: Vec<ElementRef> = self
            .selected
            .iter()
            .filter(|e| self.diagram.node_index(e).is_some())
            .cloned()
            .collect();
        (!elements.is_empty()).then(|| edit::copy_text(&self.model, &elements))
    }

    /// Pastes clipboard text made by a copy (here or in another window); the pasted elements
    /// become the selection. Text that is not a copy says so and changes nothing.
    pub fn paste_text(&mut self, text: &str) {
        match edit::paste(&self.model, text) {
            Ok((command, added)) => {
                if self.apply(command).is_ok() {
                    self.selected = added;
                }
            }
            Err(message) => self.notice = Some(format!("Cannot paste: {message}.")),
        }
    }

    /// Duplicates the selected elements (Ctrl+D).
    pub fn duplicate_selection(&mut self) {
        if let Some(text) = self.copy_selection() {
            self.paste_text(&text);
        }
    }

    /// The canvas' keys: Delete, Ctrl+A, Ctrl+D, Escape, and egui's Copy / Cut / Paste events
    /// (egui-winit turns Ctrl+C/X/V into those, not into key presses). A focused text field
    /// keeps them all.
    fn canvas_keys_ui(&mut self, ui: &Ui) {
        if ui.ctx().text_edit_focused() {
            return;
        }
        let command = |key| KeyboardShortcut::new(Modifiers::COMMAND, key);
        let (escape, delete, select_all, duplicate, events) = ui.input_mut(|i| {
            (
                i.key_pressed(Key::Escape),
                i.key_pressed(Key::Delete) || i.key_pressed(Key::Backspace),
                i.consume_shortcut(&command(Key::A)),
                i.consume_shortcut(&command(Key::D)),
                i.events
                    .iter()
                    .filter(|e| {
                        matches!(
                            e,
                            egui::Event::Copy | egui::Event::Cut | egui::Event::Paste(_)
                        )
                    })
                    .cloned()
                    .collect::<Vec<_>>(),
            )
        });
        if escape {
            self.selected.clear();
            self.placing = None;
            self.canvas.cancel_gesture();
        }
        if delete {
            self.delete_selection();
        }
        if select_all {
            self.select_all();
        }
        if duplicate {
            self.duplicate_selection();
        }
        for event in events {
            match event {
                egui::Event::Copy => {
                    if let Some(text) = self.copy_selection() {
                        ui.ctx().copy_text(text);
                    }
                }
                egui::Event::Cut => {
                    if let Some(text) = self.copy_selection() {
                        ui.ctx().copy_text(text);
                        self.delete_selection();
                    }
                }
                egui::Event::Paste(text) => self.paste_text(&text),
                _ => {}
            }
        }
    }

    fn menu_action(&mut self, action: MenuAction) {
        match action {
            MenuAction::New => self.request(PendingAction::New),
            MenuAction::Open => self.request(PendingAction::Open),
            MenuAction::OpenRecent(path) => self.request(PendingAction::OpenPath(path)),
            MenuAction::Save => {
                self.save();
            }
            MenuAction::SaveAs => {
                self.save_as();
            }
            MenuAction::Undo => self.undo(),
            MenuAction::Redo => self.redo(),
            MenuAction::Shortcuts => self.show_shortcuts = true,
            MenuAction::Duplicate => self.duplicate_selection(),
            MenuAction::Delete => self.delete_selection(),
            MenuAction::SelectAll => self.select_all(),
            MenuAction::AutoLayout => self.auto_layout(),
            MenuAction::Theme(theme) => self.settings.theme = theme,
            MenuAction::Scale(percent) => {
                self.settings.scale = clamp_scale(f32::from(percent) / 100.0);
            }
            MenuAction::ResetLayout => self.reset_layout(),
            MenuAction::TogglePanel(panel) => {
                let shown = match panel {
                    PanelToggle::Outline => &mut self.settings.show_outline,
                    PanelToggle::Inspector => &mut self.settings.show_inspector,
                    PanelToggle::Bottom => &mut self.settings.show_bottom,
                };
                *shown = !*shown;
            }
        }
    }

    /// The keyboard shortcuts for undo, redo and files. While a text field has the focus,
    /// Ctrl+Z belongs to it.
    fn shortcuts_ui(&mut self, ui: &Ui) {
        let command = |key| KeyboardShortcut::new(Modifiers::COMMAND, key);
        let command_shift = |key| KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, key);
        let typing = ui.ctx().text_edit_focused();
        let mut actions = Vec::new();
        ui.input_mut(|i| {
            if !typing {
                if i.consume_shortcut(&command_shift(Key::Z))
                    || i.consume_shortcut(&command(Key::Y))
                {
                    actions.push(MenuAction::Redo);
                } else if i.consume_shortcut(&command(Key::Z)) {
                    actions.push(MenuAction::Undo);
                }
            }
            if i.consume_shortcut(&command_shift(Key::S)) {
                actions.push(MenuAction::SaveAs);
            } else if i.consume_shortcut(&command(Key::S)) {
                actions.push(MenuAction::Save);
            }
            if i.consume_shortcut(&command(Key::O)) {
                actions.push(MenuAction::Open);
            }
            if i.consume_shortcut(&command(Key::N)) {
                actions.push(MenuAction::New);
            }
        });
        for action in actions {
            self.menu_action(action);
        }
    }

    /// The modal questions: Save / Discard / Cancel before losing work, and the offer to
    /// restore work from a crashed session.
    fn questions_ui(&mut self, ui: &Ui) {
        if let Some(action) = &self.asking {
            let what = match action {
                PendingAction::New => "starting a new model",
                PendingAction::Open | PendingAction::OpenPath(_) => "opening another file",
                PendingAction::Close => "closing",
            };
            let mut answer = None;
            let modal = Modal::new(Id::unique("causeway-unsaved-changes")).show(ui.ctx(), |ui| {
                ui.set_max_width(380.0);
                ui.heading("Unsaved changes");
                ui.label(format!(
                    "The model has changes that are not saved. Save them before {what}?"
                ));
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui
                        .button("Save")
                        .on_hover_text("Save the changes, then go on")
                        .clicked()
                    {
                        answer = Some(Answer::Save);
                    }
                    if ui
                        .button("Discard")
                        .on_hover_text("Throw the changes away and go on")
                        .clicked()
                    {
                        answer = Some(Answer::Discard);
                    }
                    if ui
                        .button("Cancel")
                        .on_hover_text("Keep editing; do nothing")
                        .clicked()
                    {
                        answer = Some(Answer::Cancel);
                    }
                });
            });
            if answer.is_none() && modal.should_close() {
                answer = Some(Answer::Cancel);
            }
            if let Some(answer) = answer {
                self.answer(answer);
            }
        } else if let Some((model, path)) = &self.recovered {
            let from = path.as_deref().map_or_else(
                || format!("the model `{}`", model.name),
                |p| p.display().to_string(),
            );
            let mut answer = None;
            Modal::new(Id::unique("causeway-recovery")).show(ui.ctx(), |ui| {
                ui.set_max_width(420.0);
                ui.heading("Restore unsaved work?");
                ui.label(format!(
                    "The studio closed without saving changes to {from}. Restore them?"
                ));
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui
                        .button("Restore")
                        .on_hover_text("Open the recovered work (it stays unsaved until you save)")
                        .clicked()
                    {
                        answer = Some(true);
                    }
                    if ui
                        .button("Discard recovered work")
                        .on_hover_text("Delete the recovery file and keep what is open")
                        .clicked()
                    {
                        answer = Some(false);
                    }
                });
            });
            if let Some(accept) = answer {
                self.resolve_recovery(accept);
            }
        }
    }

    /// Help → Keyboard shortcuts.
    fn shortcuts_window_ui(&mut self, ui: &Ui) {
        egui::Window::new("Keyboard shortcuts")
            .open(&mut self.show_shortcuts)
            .collapsible(false)
            .resizable(false)
            .show(ui.ctx(), |ui| {
                egui::Grid::new("keyboard-shortcuts")
                    .num_columns(2)
                    .striped(true)
                    .show(ui, |ui| {
                        for (keys, what) in super::top_bar::SHORTCUTS {
                            ui.label(RichText::new(*keys).strong());
                            ui.label(*what);
                            ui.end_row();
                        }
                    });
            });
    }

    /// Writes unsaved work to the recovery file every [`AUTOSAVE_INTERVAL_S`] seconds.
    fn autosave_ui(&mut self, ui: &Ui) {
        if self.recovery.is_none() || !self.dirty {
            self.last_autosave = None;
            return;
        }
        let now = ui.input(|i| i.time);
        match self.last_autosave {
            None => self.last_autosave = Some(now),
            Some(last) if now - last >= AUTOSAVE_INTERVAL_S => {
                self.autosave_now();
                self.last_autosave = Some(now);
            }
            Some(_) => {}
        }
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_secs_f64(AUTOSAVE_INTERVAL_S));
    }
}

/// The answers to "Save the changes first?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Save, then go on (if the save fails, stay).
    Save,
    /// Go on without saving.
    Discard,
    /// Do nothing.
    Cancel,
}

impl eframe::App for StudioApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        if ui.input(|i| i.viewport().close_requested()) && !self.close_allowed {
            ui.ctx().send_viewport_cmd(ViewportCommand::CancelClose);
            self.request_close();
        }
        StudioApp::ui(self, ui);
        if self.closing {
            self.closing = false;
            ui.ctx().send_viewport_cmd(ViewportCommand::Close);
        }
        let title = self.window_title();
        if title != self.shown_title {
            ui.ctx()
                .send_viewport_cmd(ViewportCommand::Title(title.clone()));
            self.shown_title = title;
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.save_settings(storage);
    }

    fn on_exit(&mut self) {
        // A clean exit leaves no recovery file: the user saved or chose to discard.
        if !self.dirty
            && let Some(recovery) = &self.recovery
        {
            recovery.remove();
        }
    }
}
