//! The studio's state and its window layout: top bar, outline (left), inspector (right),
//! problems (bottom) and the canvas in the middle.

use eframe::egui;

use std::path::{Path, PathBuf};

use egui::{CentralPanel, Key, Panel, Ui};

use crate::model::{Diagnostic, ElementKind, ElementRef, Model, validate};

use super::canvas::{CanvasClick, CanvasView};
use super::diagram::Diagram;
use super::inspector::inspector_ui;
use super::outline::outline_ui;
use super::problems::problems_ui;
use super::top_bar::top_bar_ui;

/// The studio: a model, what validation says about it, and what the user is looking at.
///
/// It needs no window to exist, so tests can drive [`StudioApp::ui`] directly (for instance
/// with `egui_kittest`).
#[derive(Debug)]
pub struct StudioApp {
    model: Model,
    path: Option<PathBuf>,
    diagnostics: Vec<Diagnostic>,
    diagram: Diagram,
    selection: Option<ElementRef>,
    canvas: CanvasView,
}

impl StudioApp {
    /// A studio showing `model`, loaded from `path` when it came from a file.
    pub fn new(model: Model, path: Option<PathBuf>) -> Self {
        let diagnostics = validate(&model);
        let diagram = Diagram::new(&model);
        Self {
            model,
            path,
            diagnostics,
            diagram,
            selection: None,
            canvas: CanvasView::default(),
        }
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
        self.selection.as_ref()
    }

    /// Selects `element` (or clears the selection) and brings it into view on the canvas.
    pub fn select(&mut self, element: Option<ElementRef>) {
        let element = element.filter(|e| e.kind != ElementKind::Model);
        if let Some(element) = &element {
            self.canvas.reveal(element.clone());
        }
        self.selection = element;
    }

    /// The canvas' zoom: screen points per canvas unit, as of the last frame.
    pub fn zoom(&self) -> f32 {
        self.canvas.zoom()
    }

    /// The window title: "Causeway — orders.ron", or the model's name for a model without a
    /// file.
    pub fn window_title(&self) -> String {
        let subject = match self.path.as_deref().and_then(Path::file_name) {
            Some(name) => name.to_string_lossy().into_owned(),
            None => self.model.name.clone(),
        };
        format!("Causeway \u{2014} {subject}")
    }

    /// Shows the whole studio in `ui` (the window's root).
    pub fn ui(&mut self, ui: &mut Ui) {
        if ui.input(|i| i.key_pressed(Key::Escape)) && !ui.ctx().text_edit_focused() {
            self.selection = None;
        }
        // An element clicked in a list is selected and brought into view; one clicked on the
        // canvas is in view already.
        let mut clicked: Option<ElementRef> = None;
        let mut clicked_on_canvas: Option<CanvasClick> = None;

        Panel::top("top_bar").show(ui, |ui| {
            top_bar_ui(ui, &self.model, self.path.as_deref(), &self.diagnostics);
        });
        Panel::left("outline")
            .default_size(220.0)
            .size_range(170.0..=420.0)
            .show(ui, |ui| {
                if let Some(element) =
                    outline_ui(ui, &self.model, &self.diagnostics, self.selection.as_ref())
                {
                    clicked = Some(element);
                }
            });
        Panel::right("inspector")
            .default_size(310.0)
            .size_range(240.0..=560.0)
            .show(ui, |ui| {
                if let Some(element) = inspector_ui(
                    ui,
                    &self.model,
                    &self.diagram,
                    &self.diagnostics,
                    self.selection.as_ref(),
                ) {
                    clicked = Some(element);
                }
            });
        // Room for a few problems at first; a valid model needs only its header.
        let problems_height = 62.0 + 24.0 * self.diagnostics.len().min(5) as f32;
        Panel::bottom("problems")
            .resizable(true)
            .default_size(problems_height)
            .size_range(80.0..=480.0)
            .show(ui, |ui| {
                if let Some(element) = problems_ui(ui, &self.diagnostics, self.selection.as_ref()) {
                    clicked = Some(element);
                }
            });
        CentralPanel::no_frame().show(ui, |ui| {
            if let Some(click) = self.canvas.ui(
                ui,
                &self.model,
                &self.diagram,
                &self.diagnostics,
                self.selection.as_ref(),
            ) {
                clicked_on_canvas = Some(click);
            }
        });

        if let Some(element) = clicked {
            self.select(Some(element));
        } else if let Some(click) = clicked_on_canvas {
            self.selection = match click {
                CanvasClick::Element(element) => Some(element),
                CanvasClick::Background => None,
            };
        }
    }
}

impl eframe::App for StudioApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        StudioApp::ui(self, ui);
    }
}
