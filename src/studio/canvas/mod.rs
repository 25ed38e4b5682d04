//! The canvas: the model drawn as nodes and edges on an [`egui::Scene`] that pans (drag, or
//! scroll) and zooms (ctrl + wheel, or pinch), with a small toolbar ("Zoom to fit", also on F)
//! and a legend of edge kinds.

use eframe::egui;

mod edges;
mod nodes;

use egui::{
    Align, FontId, Id, Key, Layout, Order, Rect, Response, Role, Scene, Sense, Stroke, Ui,
    WidgetInfo, pos2, vec2,
};

use crate::model::{Diagnostic, ElementRef, Model, Severity};

use super::diagram::Diagram;
use super::graph::EdgeKind;
use super::palette::Palette;
use edges::{
    EdgeStyle, LABEL_PADDING, label_galley, paint_edge, paint_edge_label, place_labels, route_edges,
};
use nodes::{NodeLook, paint_node};

/// The closest and farthest the canvas zooms.
const ZOOM_RANGE: std::ops::RangeInclusive<f32> = 0.1..=2.0;

/// Space kept around the drawing when zooming to fit, in canvas units.
const FIT_MARGIN: f32 = 48.0;

/// How much one press of a zoom button zooms.
const ZOOM_STEP: f32 = 1.25;

/// What a click on the canvas hit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CanvasClick {
    /// An element's node (or a canvas note).
    Element(ElementRef),
    /// The empty background.
    Background,
}

/// The canvas' state between frames: what part of the drawing is in view.
#[derive(Debug, Clone)]
pub struct CanvasView {
    /// The part of the drawing in view, in canvas units (owned by [`egui::Scene`]).
    scene_rect: Rect,
    /// Zoom to fit on the next frame.
    fit_requested: bool,
    /// Bring this element into view on the next frame.
    reveal: Option<ElementRef>,
    /// The scale of the last frame (screen points per canvas unit).
    zoom: f32,
}

impl Default for CanvasView {
    fn default() -> Self {
        Self {
            scene_rect: Rect::ZERO,
            fit_requested: true,
            reveal: None,
            zoom: 1.0,
        }
    }
}

impl CanvasView {
    /// Pans so `element` is in view on the next frame, if it is drawn and out of view.
    pub fn reveal(&mut self, element: ElementRef) {
        self.reveal = Some(element);
    }

    /// The scale of the last frame: screen points per canvas unit.
    pub fn zoom(&self) -> f32 {
        self.zoom
    }

    /// Shows the toolbar and the canvas; returns what was clicked, if anything.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        model: &Model,
        diagram: &Diagram,
        diagnostics: &[Diagnostic],
        selection: Option<&ElementRef>,
    ) -> Option<CanvasClick> {
        let palette = Palette::from_visuals(ui.visuals());
        self.toolbar_ui(ui, diagram);

        if !ui.ctx().text_edit_focused() && ui.input(|i| i.key_pressed(Key::F)) {
            self.fit_requested = true;
        }

        let canvas_rect = ui.available_rect_before_wrap();
        ui.painter().rect_filled(canvas_rect, 0, palette.canvas);
        let legend = Legend::new(ui, &palette, diagram, canvas_rect);
        let reserved = legend.as_ref().map_or(0.0, Legend::reserved_height);
        self.apply_requests(diagram, canvas_rect, reserved);

        let mut clicked = None;
        let scene = Scene::new().zoom_range(ZOOM_RANGE);
        let response = scene.show(ui, &mut self.scene_rect, |ui| {
            paint_grid(ui, &palette);
            clicked = paint_diagram(ui, &palette, model, diagram, diagnostics, selection);
        });
        if clicked.is_none() && response.response.clicked() {
            clicked = Some(CanvasClick::Background);
        }
        self.zoom = scale_of(canvas_rect, self.scene_rect);

        if diagram.nodes.is_empty() {
            ui.put(
                Rect::from_center_size(canvas_rect.center(), vec2(canvas_rect.width(), 30.0)),
                egui::Label::new(
                    egui::RichText::new("This model has no elements yet")
                        .size(15.0)
                        .color(palette.weak_text),
                ),
            );
        } else if let Some(legend) = legend {
            legend.paint(ui, &palette, canvas_rect);
        }
        clicked
    }

    /// The strip above the canvas: what is drawn, and the zoom controls.
    fn toolbar_ui(&mut self, ui: &mut Ui, diagram: &Diagram) {
        let frame = egui::Frame::new()
            .inner_margin(egui::Margin::symmetric(10, 5))
            .fill(ui.visuals().panel_fill);
        frame.show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.label(egui::RichText::new("Canvas").strong());
                ui.label(
                    egui::RichText::new(format!(
                        "{} nodes · {} connections · read-only",
                        diagram.nodes.len(),
                        diagram.edges.len()
                    ))
                    .weak(),
                );
                ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                    if ui
                        .button("Zoom to fit")
                        .on_hover_text("Show the whole drawing (F)")
                        .clicked()
                    {
                        self.fit_requested = true;
                    }
                    ui.separator();
                    if ui
                        .button("+")
                        .accessible_name("Zoom in")
                        .on_hover_text("Zoom in")
                        .clicked()
                    {
                        self.zoom_by(ZOOM_STEP);
                    }
                    ui.label(
                        egui::RichText::new(format!("{:.0}%", self.zoom * 100.0))
                            .monospace()
                            .weak(),
                    );
                    if ui
                        .button("\u{2212}")
                        .accessible_name("Zoom out")
                        .on_hover_text("Zoom out")
                        .clicked()
                    {
                        self.zoom_by(1.0 / ZOOM_STEP);
                    }
                });
            });
        });
    }

    /// Zooms around the centre of the view.
    fn zoom_by(&mut self, factor: f32) {
        if self.scene_rect.is_positive() {
            let zoom = (self.zoom * factor).clamp(*ZOOM_RANGE.start(), *ZOOM_RANGE.end());
            let factor = zoom / self.zoom.max(f32::EPSILON);
            self.scene_rect =
                Rect::from_center_size(self.scene_rect.center(), self.scene_rect.size() / factor);
        }
    }

    /// Carries out a pending zoom to fit or reveal. Fitting keeps the drawing clear of the
    /// bottom `reserved` points of the canvas, where the legend is.
    fn apply_requests(&mut self, diagram: &Diagram, canvas_rect: Rect, reserved: f32) {
        if self.fit_requested {
            self.fit_requested = false;
            let bounds = diagram
                .bounds()
                .unwrap_or_else(|| Rect::from_min_size(pos2(0.0, 0.0), vec2(800.0, 600.0)))
                .expand(FIT_MARGIN);
            self.scene_rect = fit_above(canvas_rect, bounds, reserved);
        }
        if let Some(element) = self.reveal.take()
            && let Some(index) = diagram.node_index(&element)
        {
            let node = diagram.nodes[index].rect;
            let visible = visible_scene_rect(canvas_rect, self.scene_rect);
            if !visible.shrink(8.0).contains_rect(node) {
                self.scene_rect = self
                    .scene_rect
                    .translate(node.center() - self.scene_rect.center());
            }
        }
    }
}

/// The scene rectangle that shows `bounds` as large as possible in `canvas_rect` without its
/// bottom `reserved` points, centred there.
fn fit_above(canvas_rect: Rect, bounds: Rect, reserved: f32) -> Rect {
    let reserved = if canvas_rect.height() - reserved < 120.0 {
        0.0
    } else {
        reserved
    };
    let room = vec2(canvas_rect.width(), canvas_rect.height() - reserved);
    let scale = (room / bounds.size()).min_elem();
    if !scale.is_finite() || scale <= 0.0 || !canvas_rect.is_positive() {
        return bounds;
    }
    let scale = scale.clamp(*ZOOM_RANGE.start(), *ZOOM_RANGE.end());
    // The scene shows `canvas_rect.size() / scale` canvas units; shift the centre down so the
    // drawing sits in the part above the reserved band.
    let center = bounds.center() + vec2(0.0, reserved / 2.0 / scale);
    Rect::from_center_size(center, canvas_rect.size() / scale)
}

/// How many screen points one canvas unit takes when `scene_rect` is fitted into `canvas_rect`
/// (as [`egui::Scene`] does it: the whole rectangle in view, letterboxed).
fn scale_of(canvas_rect: Rect, scene_rect: Rect) -> f32 {
    let scale = (canvas_rect.size() / scene_rect.size()).min_elem();
    if scale.is_finite() && scale > 0.0 {
        scale.clamp(*ZOOM_RANGE.start(), *ZOOM_RANGE.end())
    } else {
        1.0
    }
}

/// The part of the drawing really in view: `scene_rect` grown by the letterboxing.
fn visible_scene_rect(canvas_rect: Rect, scene_rect: Rect) -> Rect {
    let scale = scale_of(canvas_rect, scene_rect);
    Rect::from_center_size(scene_rect.center(), canvas_rect.size() / scale)
}

/// A dot grid over the part of the drawing in view, coarser when zoomed out.
fn paint_grid(ui: &Ui, palette: &Palette) {
    let clip = ui.clip_rect();
    if !clip.is_finite() || !clip.is_positive() {
        return;
    }
    let mut spacing = 24.0;
    while (clip.width() / spacing) * (clip.height() / spacing) > 6_000.0 {
        spacing *= 2.0;
    }
    let painter = ui.painter();
    let radius = (spacing / 24.0).sqrt();
    let mut x = (clip.left() / spacing).floor() * spacing;
    while x <= clip.right() {
        let mut y = (clip.top() / spacing).floor() * spacing;
        while y <= clip.bottom() {
            painter.circle_filled(pos2(x, y), radius, palette.grid);
            y += spacing;
        }
        x += spacing;
    }
}

/// Paints edges, then nodes, then edge labels; returns the element whose node was clicked.
fn paint_diagram(
    ui: &mut Ui,
    palette: &Palette,
    model: &Model,
    diagram: &Diagram,
    diagnostics: &[Diagnostic],
    selection: Option<&ElementRef>,
) -> Option<CanvasClick> {
    let selected = selection.and_then(|s| diagram.node_index(s));
    let routes = route_edges(diagram);
    let painter = ui.painter().clone();

    // The nodes' interaction comes first, so hovering can highlight before painting.
    let responses: Vec<Response> = diagram
        .nodes
        .iter()
        .enumerate()
        .map(|(index, node)| {
            let label = canvas_label(&node.element);
            let response = ui
                .interact(
                    node.rect,
                    ui.scope_id().with(("canvas-node", index)),
                    Sense::click(),
                )
                .on_hover_cursor(egui::CursorIcon::PointingHand);
            response.widget_info(|| {
                WidgetInfo::selected(Role::Button, true, selected == Some(index), &label)
            });
            // egui reports widget bounds in the scene's own units; screen readers (and tests)
            // need them where the node is on screen.
            if let Some(to_screen) = ui.ctx().layer_transform_to_global(ui.layer_id()) {
                let on_screen = to_screen * node.rect;
                ui.ctx().accesskit_node_builder(response.id, |builder| {
                    builder.set_bounds(egui::accesskit::Rect {
                        x0: on_screen.min.x.into(),
                        y0: on_screen.min.y.into(),
                        x1: on_screen.max.x.into(),
                        y1: on_screen.max.y.into(),
                    });
                });
            }
            response
        })
        .collect();
    let hovered = responses.iter().position(Response::hovered);
    let focus = selected.or(hovered);

    let edge_style = |index: usize| {
        let edge = &diagram.edges[index];
        let touches = focus.is_some_and(|f| edge.from == f || edge.to == f);
        let color = palette.edge(edge.kind);
        let (color, width) = match (focus.is_some(), touches) {
            (true, true) => (color, 2.4),
            (true, false) => (color.gamma_multiply(0.25), 1.3),
            (false, _) => (color.gamma_multiply(0.85), 1.6),
        };
        EdgeStyle {
            color,
            width,
            dashed: edge.kind.is_dashed(),
        }
    };

    for (index, route) in routes.iter().enumerate() {
        paint_edge(&painter, route, edge_style(index));
    }
    for (index, node) in diagram.nodes.iter().enumerate() {
        let look = NodeLook {
            selected: selected == Some(index),
            hovered: hovered == Some(index),
            problem: worst_problem(diagnostics, &node.element),
        };
        paint_node(&painter, palette, model, &node.element, node.rect, look);
    }
    // Labels: with a node in focus, those of its edges; otherwise those that say more than
    // the edge's colour does. Each goes where it hides the least.
    let galleys: Vec<_> = diagram
        .edges
        .iter()
        .enumerate()
        .map(|(index, edge)| {
            let touches = focus.is_some_and(|f| edge.from == f || edge.to == f);
            let telling = !edge.label.is_empty() && edge.label != edge.kind.label();
            let shown = if focus.is_some() { touches } else { telling };
            (shown && !edge.label.is_empty())
                .then(|| label_galley(&painter, &edge.label, edge_style(index).color))
        })
        .collect();
    let sizes: Vec<_> = galleys
        .iter()
        .map(|g| g.as_ref().map(|g| g.size() + 2.0 * LABEL_PADDING))
        .collect();
    let obstacles: Vec<Rect> = diagram.nodes.iter().map(|n| n.rect.expand(2.0)).collect();
    let spots = place_labels(&routes, &sizes, &obstacles);
    for (index, (galley, spot)) in galleys.into_iter().zip(spots).enumerate() {
        if let (Some(galley), Some(rect)) = (galley, spot) {
            paint_edge_label(&painter, palette, rect, galley, edge_style(index).color);
        }
    }

    responses
        .iter()
        .zip(&diagram.nodes)
        .find(|(response, _)| response.clicked())
        .map(|(_, node)| CanvasClick::Element(node.element.clone()))
}

/// The accessible name of an element's node on the canvas ("topic orders on the canvas").
pub fn canvas_label(element: &ElementRef) -> String {
    format!("{} {} on the canvas", element.kind.label(), element.id)
}

/// The worst severity among the diagnostics about `element`.
fn worst_problem(diagnostics: &[Diagnostic], element: &ElementRef) -> Option<Severity> {
    diagnostics
        .iter()
        .filter(|d| &d.element == element)
        .map(|d| d.severity)
        .min()
}

/// Horizontal space a legend entry's line sample takes, with the gap after it.
const LEGEND_SAMPLE: f32 = 28.0;

/// Height of one row of the legend.
const LEGEND_ROW: f32 = 18.0;

/// The legend of the edge kinds in the drawing: entries flow left to right in rows, in a box
/// along the canvas' bottom edge.
struct Legend {
    rect: Rect,
    entries: Vec<(EdgeKind, egui::Pos2, std::sync::Arc<egui::Galley>)>,
}

impl Legend {
    /// Lays out the legend for the edge kinds `diagram` uses, or `None` when it has no edges.
    fn new(ui: &Ui, palette: &Palette, diagram: &Diagram, canvas_rect: Rect) -> Option<Self> {
        let kinds: Vec<EdgeKind> = EdgeKind::ALL
            .into_iter()
            .filter(|k| diagram.edges.iter().any(|e| e.kind == *k))
            .collect();
        if kinds.is_empty() {
            return None;
        }
        let padding = vec2(10.0, 6.0);
        let max_width = (canvas_rect.width() - 24.0 - 2.0 * padding.x).max(120.0);
        let mut entries = Vec::with_capacity(kinds.len());
        let (mut x, mut row, mut widest) = (0.0_f32, 0_usize, 0.0_f32);
        for kind in kinds {
            let galley = ui.painter().layout_no_wrap(
                kind.label().to_owned(),
                FontId::proportional(11.0),
                palette.weak_text,
            );
            let width = LEGEND_SAMPLE + galley.size().x;
            if x > 0.0 && x + width > max_width {
                x = 0.0;
                row += 1;
            }
            entries.push((kind, pos2(x, row as f32 * LEGEND_ROW), galley));
            x += width + 16.0;
            widest = widest.max(x - 16.0);
        }
        let size = vec2(widest, (row + 1) as f32 * LEGEND_ROW) + 2.0 * padding;
        let rect =
            Rect::from_min_size(canvas_rect.left_bottom() + vec2(12.0, -12.0 - size.y), size);
        for entry in &mut entries {
            entry.1 = rect.min + padding + entry.1.to_vec2();
        }
        Some(Self { rect, entries })
    }

    /// How much of the canvas' height the legend covers, with its margins.
    fn reserved_height(&self) -> f32 {
        self.rect.height() + 20.0
    }

    /// Paints the legend above the canvas.
    fn paint(&self, ui: &Ui, palette: &Palette, canvas_rect: Rect) {
        if self.rect.top() < canvas_rect.top() + 40.0 {
            return;
        }
        let painter = ui
            .ctx()
            .layer_painter(egui::LayerId::new(
                Order::Foreground,
                Id::unique("causeway-canvas-legend"),
            ))
            .with_clip_rect(canvas_rect);
        painter.rect(
            self.rect,
            6,
            palette.label_fill,
            Stroke::new(1.0, palette.node_border),
            egui::StrokeKind::Inside,
        );
        for (kind, origin, galley) in &self.entries {
            let y = origin.y + LEGEND_ROW / 2.0;
            let color = palette.edge(*kind);
            let (a, b) = (pos2(origin.x, y), pos2(origin.x + LEGEND_SAMPLE - 10.0, y));
            if kind.is_dashed() {
                painter.extend(egui::Shape::dashed_line(
                    &[a, b],
                    Stroke::new(1.6, color),
                    5.0,
                    3.0,
                ));
            } else {
                painter.line_segment([a, b], Stroke::new(1.6, color));
            }
            painter.add(egui::epaint::PathShape::convex_polygon(
                vec![
                    b + vec2(4.0, 0.0),
                    b + vec2(-4.0, -3.5),
                    b + vec2(-4.0, 3.5),
                ],
                color,
                Stroke::NONE,
            ));
            painter.galley(
                pos2(origin.x + LEGEND_SAMPLE, y - galley.size().y / 2.0),
                galley.clone(),
                palette.weak_text,
            );
        }
    }
}
