//! The window's panels as an `egui_tiles` tree: the outline (with the palette) on the left,
//! the canvas in the middle with the problems and simulation tabs under it, the inspector on
//! the right. Each panel has a tab with its title; the user resizes them by dragging the gaps
//! and rearranges them by dragging the tabs. The tree is kept between runs (`settings.rs`);
//! View → Reset layout brings back [`default_layout`].

use eframe::egui;

use egui::{Ui, WidgetText};
use egui_tiles::{SimplificationOptions, Tile, TileId, Tiles, Tree, UiResponse};
use serde::{Deserialize, Serialize};

use crate::model::{Diagnostic, ElementKind, ElementRef, Model};

use super::canvas::{CanvasAction, CanvasView};
use super::diagram::Diagram;
use super::element_palette::element_palette_ui;
use super::inspector::{InspectorOutcome, inspector_ui};
use super::outline::outline_ui;
use super::problems::problems_ui;
use super::run_view::RunView;

/// The layout tree's id (egui keeps the tiles' drag state under it).
const LAYOUT_ID: &str = "causeway-layout";

/// A panel of the studio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pane {
    /// The palette and the outline.
    Outline,
    /// The canvas.
    Canvas,
    /// The inspector.
    Inspector,
    /// What validation found.
    Problems,
    /// Simulation runs.
    Simulation,
}

impl Pane {
    /// Every pane, each of which a layout holds exactly once.
    pub const ALL: [Self; 5] = [
        Self::Outline,
        Self::Canvas,
        Self::Inspector,
        Self::Problems,
        Self::Simulation,
    ];

    /// The tab's title.
    pub fn title(self) -> &'static str {
        match self {
            Self::Outline => "Outline",
            Self::Canvas => "Canvas",
            Self::Inspector => "Inspector",
            Self::Problems => "Problems",
            Self::Simulation => "Simulation",
        }
    }
}

/// The studio's panels as a tree of tiles.
pub type Layout = Tree<Pane>;

/// The layout the studio opens with: outline 220 points wide, inspector 310, the canvas the
/// rest, at the default window size; the problems and simulation tabs under the canvas.
pub fn default_layout() -> Layout {
    let mut tiles = Tiles::default();
    let tab = |tiles: &mut Tiles<Pane>, panes: &[Pane]| {
        let children = panes.iter().map(|&p| tiles.insert_pane(p)).collect();
        tiles.insert_tab_tile(children)
    };
    let outline = tab(&mut tiles, &[Pane::Outline]);
    let canvas = tab(&mut tiles, &[Pane::Canvas]);
    let bottom = tab(&mut tiles, &[Pane::Problems, Pane::Simulation]);
    let inspector = tab(&mut tiles, &[Pane::Inspector]);
    let mut middle = egui_tiles::Linear::new(egui_tiles::LinearDir::Vertical, vec![canvas, bottom]);
    middle.shares.set_share(canvas, 3.0);
    middle.shares.set_share(bottom, 1.2);
    let middle = tiles.insert_container(middle);
    let mut row = egui_tiles::Linear::new(
        egui_tiles::LinearDir::Horizontal,
        vec![outline, middle, inspector],
    );
    row.shares.set_share(outline, 220.0);
    row.shares.set_share(middle, 910.0);
    row.shares.set_share(inspector, 310.0);
    let root = tiles.insert_container(row);
    Tree::new(egui::Id::unique(LAYOUT_ID), root, tiles)
}

/// Whether `layout` holds every pane exactly once, and so can be shown. A layout read back
/// from an older or damaged settings file may not.
pub fn is_complete(layout: &Layout) -> bool {
    Pane::ALL.iter().all(|pane| {
        layout
            .tiles
            .tiles()
            .filter(|t| matches!(t, Tile::Pane(p) if p == pane))
            .count()
            == 1
    }) && layout
        .root
        .is_some_and(|root| layout.tiles.get(root).is_some())
}

/// Shows or hides `pane` (the View menu's toggles).
pub fn set_shown(layout: &mut Layout, pane: Pane, shown: bool) {
    if let Some(id) = layout.tiles.find_pane(&pane)
        && layout.tiles.is_visible(id) != shown
    {
        layout.tiles.set_visible(id, shown);
        // A tab container whose active tab was hidden shows another.
        if let Some(parent) = layout.tiles.parent_of(id)
            && let Some(Tile::Container(egui_tiles::Container::Tabs(tabs))) =
                layout.tiles.get(parent)
            && !shown
            && tabs.active == Some(id)
        {
            let next = tabs
                .children
                .iter()
                .copied()
                .find(|&c| c != id && layout.tiles.is_visible(c));
            if let (Some(next), Some(Tile::Container(egui_tiles::Container::Tabs(tabs)))) =
                (next, layout.tiles.get_mut(parent))
            {
                tabs.set_active(next);
            }
        }
    }
}

/// What the user did in the panes this frame.
#[derive(Debug, Default)]
pub struct PanesOutcome {
    /// An element clicked in a list (outline, problems, an inspector connection).
    pub clicked: Option<ElementRef>,
    /// What the user did on the canvas.
    pub canvas_actions: Vec<CanvasAction>,
    /// What the user did in the inspector, when it was shown.
    pub inspected: Option<InspectorOutcome>,
    /// A new kind for the palette to place (`Some(None)` disarms it).
    pub placing: Option<Option<ElementKind>>,
}

/// Everything the panes show, and what they report back.
pub struct Panes<'a> {
    /// The model.
    pub model: &'a Model,
    /// The model's geometry.
    pub diagram: &'a Diagram,
    /// What validation found.
    pub diagnostics: &'a [Diagnostic],
    /// The selected elements; the last is inspected.
    pub selected: &'a [ElementRef],
    /// The kind the palette waits to place.
    pub placing: Option<ElementKind>,
    /// The canvas's view.
    pub canvas: &'a mut CanvasView,
    /// The simulation tab.
    pub run_view: &'a mut RunView,
    /// What the user did.
    pub outcome: PanesOutcome,
}

impl egui_tiles::Behavior<Pane> for Panes<'_> {
    fn pane_ui(&mut self, ui: &mut Ui, _tile_id: TileId, pane: &mut Pane) -> UiResponse {
        match pane {
            Pane::Outline => {
                egui::Frame::new()
                    .inner_margin(egui::Margin::symmetric(8, 0))
                    .show(ui, |ui| {
                        if let Some(kind) = element_palette_ui(ui, self.placing) {
                            self.outcome.placing = Some(kind);
                        }
                        ui.separator();
                        if let Some(element) =
                            outline_ui(ui, self.model, self.diagnostics, self.selected.last())
                        {
                            self.outcome.clicked = Some(element);
                        }
                    });
            }
            Pane::Canvas => {
                self.outcome.canvas_actions = self.canvas.ui(
                    ui,
                    self.model,
                    self.diagram,
                    self.diagnostics,
                    self.selected,
                    self.placing,
                );
            }
            Pane::Inspector => {
                egui::Frame::new()
                    .inner_margin(egui::Margin::symmetric(8, 0))
                    .show(ui, |ui| {
                        self.outcome.inspected = Some(inspector_ui(
                            ui,
                            self.model,
                            self.diagram,
                            self.diagnostics,
                            self.selected.last(),
                        ));
                    });
            }
            Pane::Problems => {
                egui::Frame::new()
                    .inner_margin(egui::Margin::symmetric(8, 0))
                    .show(ui, |ui| {
                        if let Some(element) =
                            problems_ui(ui, self.diagnostics, self.selected.last())
                        {
                            self.outcome.clicked = Some(element);
                        }
                    });
            }
            Pane::Simulation => {
                egui::Frame::new()
                    .inner_margin(egui::Margin::symmetric(8, 4))
                    .show(ui, |ui| self.run_view.ui(ui, self.model));
            }
        }
        UiResponse::None
    }

    fn tab_title_for_pane(&mut self, pane: &Pane) -> WidgetText {
        pane.title().into()
    }

    fn simplification_options(&self) -> SimplificationOptions {
        SimplificationOptions {
            all_panes_must_have_tabs: true,
            ..SimplificationOptions::default()
        }
    }

    fn min_size(&self) -> f32 {
        // Narrow enough to give room, wide enough that a panel's buttons stay usable.
        120.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_layout_holds_every_pane_once_beside_and_under_the_canvas() {
        let layout = default_layout();
        assert!(is_complete(&layout));
        let root = layout.root.and_then(|r| layout.tiles.get(r));
        let Some(Tile::Container(egui_tiles::Container::Linear(row))) = root else {
            panic!("the root is a row: {root:?}");
        };
        assert_eq!(row.dir, egui_tiles::LinearDir::Horizontal);
        let titles: Vec<Vec<Pane>> = row
            .children
            .iter()
            .map(|&c| panes_under(&layout, c))
            .collect();
        assert_eq!(
            titles,
            [
                vec![Pane::Outline],
                vec![Pane::Canvas, Pane::Problems, Pane::Simulation],
                vec![Pane::Inspector],
            ]
        );
    }

    fn panes_under(layout: &Layout, id: TileId) -> Vec<Pane> {
        match layout.tiles.get(id) {
            Some(Tile::Pane(p)) => vec![*p],
            Some(Tile::Container(c)) => c
                .children()
                .flat_map(|&child| panes_under(layout, child))
                .collect(),
            None => Vec::new(),
        }
    }

    #[test]
    fn a_layout_missing_or_doubling_a_pane_is_incomplete() {
        let mut layout = default_layout();
        if let Some(id) = layout.tiles.find_pane(&Pane::Inspector)
            && let Some(Tile::Pane(p)) = layout.tiles.get_mut(id)
        {
            *p = Pane::Canvas;
        }
        assert!(!is_complete(&layout));
        assert!(!is_complete(&Tree::empty(egui::Id::unique(LAYOUT_ID))));
    }

    #[test]
    fn hiding_the_active_tab_activates_its_visible_sibling() {
        let mut layout = default_layout();
        let problems = layout.tiles.find_pane(&Pane::Problems).expect("problems");
        let simulation = layout
            .tiles
            .find_pane(&Pane::Simulation)
            .expect("simulation");
        set_shown(&mut layout, Pane::Problems, false);
        assert!(!layout.tiles.is_visible(problems));
        let parent = layout.tiles.parent_of(simulation).expect("a tab container");
        let Some(Tile::Container(egui_tiles::Container::Tabs(tabs))) = layout.tiles.get(parent)
        else {
            panic!("tabs");
        };
        assert_eq!(tabs.active, Some(simulation));
        set_shown(&mut layout, Pane::Problems, true);
        assert!(layout.tiles.is_visible(problems));
    }
}
