//! The canvas: the model drawn as nodes and edges on an [`egui::Scene`] that pans (middle drag,
//! Space + drag, or scroll) and zooms (ctrl + wheel, or pinch), with a small toolbar ("Zoom to
//! fit", also on F; "Auto-layout") and a legend of edge kinds.
//!
//! Editing gestures: click to select (Shift or Ctrl adds), a left drag on empty canvas selects
//! with a box, dragging a node moves it (and the rest of the selection) on the grid, dragging
//! from a node's handle (the circle on its right edge) to another node connects them. The
//! canvas changes nothing itself: it reports [`CanvasAction`]s, which the app turns into
//! commands.

use eframe::egui;

mod edges;
mod nodes;

use egui::containers::DragPanButtons;
use egui::{
    Align, FontId, Id, Key, Layout, Order, Pos2, Rect, Response, Role, Scene, Sense, Stroke, Ui,
    Vec2, WidgetInfo, pos2, vec2,
};

use crate::model::{Diagnostic, ElementKind, ElementRef, Model, Severity};

use super::diagram::Diagram;
use super::edit::snap;
use super::graph::EdgeKind;
use super::palette::Palette;
use edges::{
    EdgeRoute, EdgeStyle, LABEL_PADDING, RouteCache, label_galley, paint_edge, paint_edge_label,
    place_labels,
};
use nodes::{Detail, NodeLook, paint_node};

/// The closest and farthest the canvas zooms.
const ZOOM_RANGE: std::ops::RangeInclusive<f32> = 0.1..=2.0;

/// Space kept around the drawing when zooming to fit, in canvas units.
const FIT_MARGIN: f32 = 48.0;

/// How much one press of a zoom button zooms.
const ZOOM_STEP: f32 = 1.25;

/// Radius of the connection handle on a node's right edge.
const HANDLE_RADIUS: f32 = 6.0;

/// What the user did on the canvas this frame; the app turns it into a selection or a command.
#[derive(Debug, Clone, PartialEq)]
pub enum CanvasAction {
    /// A click on a node (`Some`) or on the empty background (`None`); `add` when Shift or
    /// Ctrl was held.
    Click {
        /// The element clicked, if any.
        element: Option<ElementRef>,
        /// Whether the click adds to (or takes from) the selection.
        add: bool,
    },
    /// A selection box was drawn around these elements.
    BoxSelect {
        /// The elements inside the box.
        elements: Vec<ElementRef>,
        /// Whether they add to the selection.
        add: bool,
    },
    /// A drag moved nodes: each element's new top-left corner, on the grid.
    Move(Vec<(ElementRef, Pos2)>),
    /// A drag from `from`'s handle ended on `to` (or on nothing).
    Connect {
        /// The node whose handle was dragged.
        from: ElementRef,
        /// The node it was dropped on.
        to: Option<ElementRef>,
    },
    /// A click while the palette waits to place a new element, at this point of the drawing.
    Place(Pos2),
    /// A palette button dragged onto the canvas and dropped at this point of the drawing.
    Drop {
        /// The kind of element to create.
        kind: ElementKind,
        /// Where it was dropped, in canvas units.
        at: Pos2,
    },
    /// The toolbar's Auto-layout button.
    AutoLayout,
}

/// A drag in progress.
#[derive(Debug, Clone, PartialEq)]
enum Gesture {
    /// Moving nodes: the elements, the node grabbed, and how far the pointer went.
    Move {
        elements: Vec<ElementRef>,
        grabbed: ElementRef,
        delta: Vec2,
    },
    /// A selection box from one corner to the other, in canvas units.
    Band { from: Pos2, to: Pos2 },
    /// A connection from a node's handle to the pointer.
    Link { from: ElementRef, to: Pos2 },
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
    /// The drag in progress, if any.
    gesture: Option<Gesture>,
    /// The edges' routes, kept while the drawing does not change.
    routes: RouteCache,
}

impl Default for CanvasView {
    fn default() -> Self {
        Self {
            scene_rect: Rect::ZERO,
            fit_requested: true,
            reveal: None,
            zoom: 1.0,
            gesture: None,
            routes: RouteCache::default(),
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

    /// Forgets the drag in progress (Escape).
    pub fn cancel_gesture(&mut self) {
        self.gesture = None;
    }

    /// Shows the toolbar and the canvas; returns what the user did. `placing` is the kind the
    /// palette waits to place, if any.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        model: &Model,
        diagram: &Diagram,
        diagnostics: &[Diagnostic],
        selected: &[ElementRef],
        placing: Option<ElementKind>,
    ) -> Vec<CanvasAction> {
        let palette = Palette::from_visuals(ui.visuals());
        let mut actions = Vec::new();
        self.toolbar_ui(ui, diagram, placing, &mut actions);

        let typing = ui.ctx().text_edit_focused();
        if !typing && ui.input(|i| i.key_pressed(Key::F)) {
            self.fit_requested = true;
        }
        let space_pans = !typing && ui.input(|i| i.key_down(Key::Space));
        let modifiers = ui.input(|i| i.modifiers);
        let add = modifiers.shift || modifiers.command;

        let canvas_rect = ui.available_rect_before_wrap();
        ui.painter().rect_filled(canvas_rect, 0, palette.canvas);
        let legend = Legend::new(ui, &palette, diagram, canvas_rect);
        let reserved = legend.as_ref().map_or(0.0, Legend::reserved_height);
        self.apply_requests(diagram, canvas_rect, reserved);

        // Dragged nodes are drawn where they would land.
        let moved;
        let shown = match &self.gesture {
            Some(Gesture::Move {
                elements,
                grabbed,
                delta,
            }) => {
                let offset = diagram.node_index(grabbed).map_or(Vec2::ZERO, |i| {
                    let min = diagram.nodes[i].rect.min;
                    snap(min + *delta) - min
                });
                let mut copy = diagram.clone();
                for node in &mut copy.nodes {
                    if elements.contains(&node.element) {
                        node.rect = node.rect.translate(offset);
                    }
                }
                moved = copy;
                &moved
            }
            _ => diagram,
        };

        let pan_buttons = if space_pans {
            DragPanButtons::MIDDLE | DragPanButtons::PRIMARY
        } else {
            DragPanButtons::MIDDLE
        };
        let scene = Scene::new()
            .zoom_range(ZOOM_RANGE)
            .drag_pan_buttons(pan_buttons);
        let gesture = &mut self.gesture;
        let routes = self.routes.routes(shown);
        let zoom = scale_of(canvas_rect, self.scene_rect);
        let detail = Detail::at_zoom(zoom);
        let response = scene.show(ui, &mut self.scene_rect, |ui| {
            paint_grid(ui, &palette);
            let link_target = match gesture {
                Some(Gesture::Link { to, .. }) => {
                    shown.nodes.iter().position(|n| n.rect.contains(*to))
                }
                _ => None,
            };
            let hits = paint_diagram(
                ui,
                &palette,
                model,
                (shown, routes),
                diagnostics,
                selected,
                DrawingView {
                    zoom,
                    detail,
                    link_target,
                },
            );
            let input = NodeInput {
                selected,
                placing,
                add,
                space_pans,
            };
            let pan = nodes_interaction(gesture, shown, &hits, &input, &mut actions);
            paint_gesture(ui, &palette, gesture, shown);
            (hits, pan)
        });
        let (hits, pan) = &response.inner;
        // A pan that started on a node (middle drag, or Space + drag) pans all the same.
        if *pan != Vec2::ZERO {
            self.scene_rect = self.scene_rect.translate(-*pan);
        }
        if let Some(kind) = response.response.dnd_release_payload::<ElementKind>()
            && let Some(pointer) = ui.input(|i| i.pointer.latest_pos())
            && let Some(from_screen) = ui
                .ctx()
                .layer_transform_from_global(response.response.layer_id)
        {
            actions.push(CanvasAction::Drop {
                kind: *kind,
                at: from_screen * pointer,
            });
        }
        let node_clicked = hits.nodes.iter().any(Response::clicked);
        let background = &response.response;
        if !node_clicked && background.clicked() {
            match (placing, background.interact_pointer_pos()) {
                (Some(_), Some(at)) => actions.push(CanvasAction::Place(at)),
                _ => actions.push(CanvasAction::Click { element: None, add }),
            }
        }
        if !space_pans && placing.is_none() {
            let at = background.interact_pointer_pos();
            if background.drag_started_by(egui::PointerButton::Primary)
                && let Some(at) = at
            {
                self.gesture = Some(Gesture::Band { from: at, to: at });
            } else if let Some(Gesture::Band { from, to }) = &mut self.gesture {
                if let Some(at) = at {
                    *to = at;
                }
                if background.drag_stopped() {
                    let band = Rect::from_two_pos(*from, *to);
                    let elements = diagram
                        .nodes
                        .iter()
                        .filter(|n| band.intersects(n.rect))
                        .map(|n| n.element.clone())
                        .collect();
                    actions.push(CanvasAction::BoxSelect { elements, add });
                    self.gesture = None;
                }
            }
        }
        if matches!(self.gesture, Some(Gesture::Band { .. }))
            && !ui.input(|i| i.pointer.primary_down())
        {
            self.gesture = None;
        }
        self.zoom = scale_of(canvas_rect, self.scene_rect);

        if diagram.nodes.is_empty() {
            let text = if placing.is_some() {
                "Click to place the new element"
            } else {
                "This model has no elements yet"
            };
            ui.put(
                Rect::from_center_size(canvas_rect.center(), vec2(canvas_rect.width(), 30.0)),
                egui::Label::new(
                    egui::RichText::new(text)
                        .size(15.0)
                        .color(palette.weak_text),
                )
                .selectable(false)
                .sense(Sense::hover()),
            );
        } else if let Some(legend) = legend {
            legend.paint(ui, &palette, canvas_rect);
        }
        actions
    }

    /// The strip above the canvas: what is drawn, Auto-layout, and the zoom controls.
    fn toolbar_ui(
        &mut self,
        ui: &mut Ui,
        diagram: &Diagram,
        placing: Option<ElementKind>,
        actions: &mut Vec<CanvasAction>,
    ) {
        let frame = egui::Frame::new()
            .inner_margin(egui::Margin::symmetric(10, 5))
            .fill(ui.visuals().panel_fill);
        frame.show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.label(egui::RichText::new("Canvas").strong());
                let status = match placing {
                    Some(kind) => format!(
                        "click on the canvas to place the new {} (Escape cancels)",
                        kind.label()
                    ),
                    None => format!(
                        "{} nodes \u{b7} {} connections",
                        diagram.nodes.len(),
                        diagram.edges.len()
                    ),
                };
                ui.label(egui::RichText::new(status).weak());
                ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                    if ui
                        .button("Zoom to fit")
                        .on_hover_text("Show the whole drawing (F)")
                        .clicked()
                    {
                        self.fit_requested = true;
                    }
                    if ui
                        .button("Auto-layout")
                        .on_hover_text(
                            "Lay every node out again, left to right along the flows (undoable)",
                        )
                        .clicked()
                    {
                        actions.push(CanvasAction::AutoLayout);
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
    // At most a couple of thousand dots, each a small square: a circle costs four times the
    // vertices and looks the same at this size.
    let mut spacing = 24.0;
    while (clip.width() / spacing) * (clip.height() / spacing) > 2_500.0 {
        spacing *= 2.0;
    }
    let painter = ui.painter();
    let side = 1.6 * (spacing / 24.0).sqrt();
    let mut x = (clip.left() / spacing).floor() * spacing;
    while x <= clip.right() {
        let mut y = (clip.top() / spacing).floor() * spacing;
        while y <= clip.bottom() {
            painter.rect_filled(
                Rect::from_center_size(pos2(x, y), Vec2::splat(side)),
                0,
                palette.grid,
            );
            y += spacing;
        }
        x += spacing;
    }
}

/// The interaction of the nodes and their connection handles, one frame.
struct Hits {
    /// One response per node, in [`Diagram::nodes`] order.
    nodes: Vec<Response>,
    /// The connection handle of each node that has one.
    handles: Vec<Option<Response>>,
}

/// Whether a node of this kind starts connections (has a handle).
fn has_handle(kind: ElementKind) -> bool {
    matches!(
        kind,
        ElementKind::Producer
            | ElementKind::Topic
            | ElementKind::ConsumerGroup
            | ElementKind::EventStore
    )
}

/// Where a node's connection handle sits.
fn handle_center(rect: Rect) -> Pos2 {
    pos2(rect.right(), rect.center().y)
}

/// The accessible name of a node's connection handle ("connect from topic orders").
pub fn handle_label(element: &ElementRef) -> String {
    format!("connect from {} {}", element.kind.label(), element.id)
}

/// Tells screen readers (and tests) where a widget drawn in the scene is on screen: egui
/// reports widget bounds in the scene's own units.
fn set_screen_bounds(ui: &Ui, id: Id, rect: Rect) {
    if let Some(to_screen) = ui.ctx().layer_transform_to_global(ui.layer_id()) {
        let on_screen = to_screen * rect;
        ui.ctx().accesskit_node_builder(id, |builder| {
            builder.set_bounds(egui::accesskit::Rect {
                x0: on_screen.min.x.into(),
                y0: on_screen.min.y.into(),
                x1: on_screen.max.x.into(),
                y1: on_screen.max.y.into(),
            });
        });
    }
}

/// How the drawing is seen this frame.
#[derive(Debug, Clone, Copy)]
struct DrawingView {
    /// Screen points per canvas unit.
    zoom: f32,
    /// How much of each node is worth drawing at that zoom.
    detail: Detail,
    /// The node a connection being dragged would end at.
    link_target: Option<usize>,
}

/// Paints edges, then nodes, then edge labels, then the connection handles; returns their
/// responses.
fn paint_diagram(
    ui: &mut Ui,
    palette: &Palette,
    model: &Model,
    (diagram, routes): (&Diagram, &[EdgeRoute]),
    diagnostics: &[Diagnostic],
    selection: &[ElementRef],
    view: DrawingView,
) -> Hits {
    let DrawingView {
        zoom,
        detail,
        link_target,
    } = view;
    let is_selected = |index: usize| {
        diagram
            .nodes
            .get(index)
            .is_some_and(|n| selection.contains(&n.element))
    };
    // The primary selection (the one the inspector shows) is the last one selected.
    let selected = selection.last().and_then(|s| diagram.node_index(s));
    let painter = ui.painter().clone();
    // What is out of view is not painted (it is still there for the pointer and screen
    // readers). A curve lies inside the hull of its control points.
    let visible = ui.clip_rect().expand(24.0);
    let node_shown: Vec<bool> = diagram
        .nodes
        .iter()
        .map(|n| visible.intersects(n.rect))
        .collect();
    let edge_shown: Vec<bool> = routes
        .iter()
        .map(|r| {
            let hull = Rect::from_points(&r.curve).union(Rect::from_pos(r.tip));
            visible.intersects(hull)
        })
        .collect();

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
                    Sense::click_and_drag(),
                )
                .on_hover_cursor(egui::CursorIcon::Grab)
                .on_hover_ui(|ui| node_tooltip_ui(ui, model, diagnostics, &node.element));
            response.widget_info(|| {
                WidgetInfo::selected(Role::Button, true, is_selected(index), &label)
            });
            set_screen_bounds(ui, response.id, node.rect);
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
        if edge_shown[index] {
            paint_edge(&painter, route, edge_style(index), zoom);
        }
    }
    for (index, node) in diagram.nodes.iter().enumerate() {
        if !node_shown[index] {
            continue;
        }
        let look = NodeLook {
            selected: is_selected(index),
            hovered: hovered == Some(index) || link_target == Some(index),
            problem: worst_problem(diagnostics, &node.element),
            detail,
        };
        paint_node(&painter, palette, model, &node.element, node.rect, look);
    }
    // Labels: with a node in focus, those of its edges; otherwise those that say more than
    // the edge's colour does. Each goes where it hides the least. Zoomed out too far to read
    // them, there are none.
    let galleys: Vec<_> = diagram
        .edges
        .iter()
        .enumerate()
        .map(|(index, edge)| {
            let touches = focus.is_some_and(|f| edge.from == f || edge.to == f);
            let telling = !edge.label.is_empty() && edge.label != edge.kind.label();
            let shown = if focus.is_some() { touches } else { telling };
            (shown && !edge.label.is_empty() && edge_shown[index] && detail == Detail::Full)
                .then(|| label_galley(&painter, &edge.label, edge_style(index).color))
        })
        .collect();
    let sizes: Vec<_> = galleys
        .iter()
        .map(|g| g.as_ref().map(|g| g.size() + 2.0 * LABEL_PADDING))
        .collect();
    let obstacles: Vec<Rect> = diagram
        .nodes
        .iter()
        .zip(&node_shown)
        .filter(|(_, shown)| **shown)
        .map(|(n, _)| n.rect.expand(2.0))
        .collect();
    let spots = place_labels(routes, &sizes, &obstacles);
    for (index, (galley, spot)) in galleys.into_iter().zip(spots).enumerate() {
        if let (Some(galley), Some(rect)) = (galley, spot) {
            paint_edge_label(&painter, palette, rect, galley, edge_style(index).color);
        }
    }

    // The handles come last, so they are on top of their node for the pointer.
    let handles = diagram
        .nodes
        .iter()
        .enumerate()
        .map(|(index, node)| {
            // A handle out of view, or too small to grab from far, is left out.
            if !has_handle(node.element.kind) || !node_shown[index] || detail == Detail::Outline {
                return None;
            }
            let center = handle_center(node.rect);
            let rect = Rect::from_center_size(center, Vec2::splat(HANDLE_RADIUS * 2.0 + 4.0));
            let response = ui
                .interact(
                    rect,
                    ui.scope_id().with(("canvas-handle", index)),
                    Sense::drag(),
                )
                .on_hover_cursor(egui::CursorIcon::Crosshair)
                .on_hover_text("Drag to another node to connect them");
            let label = handle_label(&node.element);
            response.widget_info(|| WidgetInfo::labeled(Role::Button, true, &label));
            set_screen_bounds(ui, response.id, rect);
            let emphasised = response.hovered() || response.dragged() || hovered == Some(index);
            let accent = palette.kind(node.element.kind);
            let radius = if emphasised {
                HANDLE_RADIUS
            } else {
                HANDLE_RADIUS - 2.0
            };
            painter.circle(
                center,
                radius,
                if emphasised {
                    accent
                } else {
                    palette.node_fill
                },
                Stroke::new(1.5, accent),
            );
            Some(response)
        })
        .collect();

    Hits {
        nodes: responses,
        handles,
    }
}

/// What the nodes' interaction needs to know besides the responses.
struct NodeInput<'a> {
    /// The selected elements.
    selected: &'a [ElementRef],
    /// The kind the palette waits to place, if any.
    placing: Option<ElementKind>,
    /// Whether Shift or Ctrl is held (clicks add to the selection).
    add: bool,
    /// Whether Space is held (a left drag pans).
    space_pans: bool,
}

/// Turns this frame's clicks and drags on nodes and handles into actions, and keeps track of
/// the drag in progress. Returns how far a pan that started on a node moved, in canvas units.
fn nodes_interaction(
    gesture: &mut Option<Gesture>,
    diagram: &Diagram,
    hits: &Hits,
    input: &NodeInput<'_>,
    actions: &mut Vec<CanvasAction>,
) -> Vec2 {
    let NodeInput {
        selected,
        placing,
        add,
        space_pans,
    } = *input;
    let mut pan = Vec2::ZERO;
    for (index, (node, response)) in diagram.nodes.iter().zip(&hits.nodes).enumerate() {
        if response.dragged_by(egui::PointerButton::Middle)
            || (space_pans && response.dragged_by(egui::PointerButton::Primary))
        {
            pan += response.drag_delta();
        }
        if response.clicked() {
            match (placing, response.interact_pointer_pos()) {
                (Some(_), Some(at)) => actions.push(CanvasAction::Place(at)),
                _ => actions.push(CanvasAction::Click {
                    element: Some(node.element.clone()),
                    add,
                }),
            }
        }
        if placing.is_none()
            && !space_pans
            && response.drag_started_by(egui::PointerButton::Primary)
        {
            let elements = if selected.contains(&node.element) {
                selected.to_vec()
            } else {
                actions.push(CanvasAction::Click {
                    element: Some(node.element.clone()),
                    add: false,
                });
                vec![node.element.clone()]
            };
            *gesture = Some(Gesture::Move {
                elements,
                grabbed: node.element.clone(),
                delta: Vec2::ZERO,
            });
        }
        if let Some(Gesture::Move {
            elements,
            grabbed,
            delta,
        }) = gesture
            && grabbed == &node.element
        {
            if response.dragged() {
                *delta += response.drag_delta();
            }
            if response.drag_stopped() {
                // `diagram` already shows the nodes where they land.
                let moves: Vec<(ElementRef, Pos2)> = diagram
                    .nodes
                    .iter()
                    .filter(|n| elements.contains(&n.element))
                    .map(|n| (n.element.clone(), n.rect.min))
                    .collect();
                if *delta != Vec2::ZERO {
                    actions.push(CanvasAction::Move(moves));
                }
                *gesture = None;
            }
        }
        let Some(Some(handle)) = hits.handles.get(index) else {
            continue;
        };
        if handle.drag_started()
            && let Some(at) = handle.interact_pointer_pos()
        {
            *gesture = Some(Gesture::Link {
                from: node.element.clone(),
                to: at,
            });
        }
        if let Some(Gesture::Link { from, to }) = gesture
            && from == &node.element
        {
            if let Some(at) = handle.interact_pointer_pos() {
                *to = at;
            }
            if handle.drag_stopped() {
                let target = diagram
                    .nodes
                    .iter()
                    .find(|n| n.rect.contains(*to) && &n.element != from)
                    .map(|n| n.element.clone());
                actions.push(CanvasAction::Connect {
                    from: from.clone(),
                    to: target,
                });
                *gesture = None;
            }
        }
    }
    pan
}

/// Paints the selection box or the connection being drawn.
fn paint_gesture(ui: &Ui, palette: &Palette, gesture: &Option<Gesture>, diagram: &Diagram) {
    let painter = ui.painter();
    match gesture {
        Some(Gesture::Band { from, to }) => {
            let rect = Rect::from_two_pos(*from, *to);
            painter.rect(
                rect,
                2,
                palette.selection.gamma_multiply(0.12),
                Stroke::new(1.0, palette.selection),
                egui::StrokeKind::Inside,
            );
        }
        Some(Gesture::Link { from, to }) => {
            if let Some(index) = diagram.node_index(from) {
                let start = handle_center(diagram.nodes[index].rect);
                let color = palette.kind(from.kind);
                let bend = ((to.x - start.x).abs() / 2.0).max(30.0);
                let curve = egui::epaint::CubicBezierShape::from_points_stroke(
                    [start, start + vec2(bend, 0.0), *to - vec2(bend, 0.0), *to],
                    false,
                    egui::Color32::TRANSPARENT,
                    Stroke::new(2.0, color),
                );
                painter.add(curve);
                painter.circle_filled(*to, 4.0, color);
            }
        }
        _ => {}
    }
}

/// How many of an element's settings its tooltip lists.
const TOOLTIP_ROWS: usize = 6;

/// A node's tooltip: its kind and name, its key settings, and what validation says about it.
fn node_tooltip_ui(ui: &mut Ui, model: &Model, diagnostics: &[Diagnostic], element: &ElementRef) {
    ui.set_max_width(360.0);
    ui.label(egui::RichText::new(tooltip_title(element)).strong());
    let rows = super::properties::properties(model, element).unwrap_or_default();
    for (key, value) in rows
        .iter()
        .filter(|(key, _)| *key != "id")
        .take(TOOLTIP_ROWS)
    {
        let value = value.lines().next().unwrap_or_default();
        ui.label(format!("{key}: {value}"));
    }
    let palette = Palette::from_visuals(ui.visuals());
    for diagnostic in diagnostics.iter().filter(|d| &d.element == element) {
        ui.label(
            egui::RichText::new(super::widgets::drawable(&format!(
                "{}: {}",
                diagnostic.severity, diagnostic.message
            )))
            .color(palette.severity(diagnostic.severity)),
        );
    }
}

/// The first line of a node's tooltip ("Topic orders").
pub fn tooltip_title(element: &ElementRef) -> String {
    let kind = element.kind.label();
    let mut chars = kind.chars();
    let capitalised: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    format!("{capitalised} {}", element.id)
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
