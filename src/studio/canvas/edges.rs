//! Edges: where each one leaves and enters its nodes, the Bézier curve between, and painting
//! the curve, its arrowhead and its label.

use eframe::egui;

use std::collections::BTreeMap;

use egui::epaint::{PathShape, PathStroke};
use std::sync::Arc;

use egui::{Color32, FontId, Galley, Painter, Pos2, Rect, Shape, Stroke, Vec2, vec2};

use crate::studio::diagram::Diagram;
use crate::studio::palette::Palette;

/// Length of an arrowhead, along the edge.
const ARROW_LENGTH: f32 = 10.0;

/// Half the width of an arrowhead.
const ARROW_HALF_WIDTH: f32 = 4.5;

/// Space between two edges that meet the same side of a node.
const SLOT_SPACING: f32 = 14.0;

/// The side of a node an edge meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    Left,
    Right,
}

impl Side {
    fn normal(self) -> Vec2 {
        match self {
            Self::Left => vec2(-1.0, 0.0),
            Self::Right => vec2(1.0, 0.0),
        }
    }

    fn x(self, rect: Rect) -> f32 {
        match self {
            Self::Left => rect.left(),
            Self::Right => rect.right(),
        }
    }
}

/// One end of an edge at a node side: where the other end is (its y), the edge's index, and
/// whether this end is the edge's start.
type EdgeEnd = (f32, usize, bool);

/// The path of one edge, in canvas units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EdgeRoute {
    /// The cubic Bézier's control points: start, two handles, end (the arrowhead's base).
    pub curve: [Pos2; 4],
    /// The arrowhead's tip, on the target node's border.
    pub tip: Pos2,
}

impl EdgeRoute {
    /// The point at `t` (0 at the start, 1 at the arrowhead's base) along the curve.
    pub fn point_at(&self, t: f32) -> Pos2 {
        let [p0, p1, p2, p3] = self.curve.map(Pos2::to_vec2);
        let u = 1.0 - t;
        (p0 * (u * u * u) + p1 * (3.0 * u * u * t) + p2 * (3.0 * u * t * t) + p3 * (t * t * t))
            .to_pos2()
    }
}

/// Where along its curve a label may go, in order of preference.
const LABEL_SPOTS: [f32; 9] = [0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78, 0.15, 0.85];

/// Places each label (given by its size; `None` for an edge without one) on its edge's curve
/// where it covers the least of the nodes (`obstacles`) and of the labels placed before it.
pub fn place_labels(
    routes: &[EdgeRoute],
    sizes: &[Option<Vec2>],
    obstacles: &[Rect],
) -> Vec<Option<Rect>> {
    let overlap = |a: Rect, b: Rect| {
        let i = a.intersect(b);
        if i.is_positive() { i.area() } else { 0.0 }
    };
    let mut placed: Vec<Rect> = Vec::new();
    routes
        .iter()
        .zip(sizes)
        .map(|(route, size)| {
            let size = (*size)?;
            let mut best: Option<(f32, Rect)> = None;
            for t in LABEL_SPOTS {
                let rect = Rect::from_center_size(route.point_at(t), size);
                let score = obstacles.iter().map(|o| overlap(rect, *o)).sum::<f32>()
                    + 2.0 * placed.iter().map(|p| overlap(rect, *p)).sum::<f32>();
                if best.is_none_or(|(b, _)| score < b) {
                    best = Some((score, rect));
                }
                if score == 0.0 {
                    break;
                }
            }
            let (_, rect) = best?;
            placed.push(rect);
            Some(rect)
        })
        .collect()
}

/// The route of every edge of `diagram`, in the order of [`Diagram::edges`].
///
/// An edge leaves its source on the side facing its target and enters the target on the side
/// facing the source; nodes in the same column are joined by a bracket on their right. Edges
/// meeting the same side of a node are spread along it, ordered by where their other end is,
/// so they do not cross at the node.
pub fn route_edges(diagram: &Diagram) -> Vec<EdgeRoute> {
    let sides: Vec<(Side, Side)> = diagram
        .edges
        .iter()
        .map(|edge| {
            let (a, b) = (diagram.nodes[edge.from].rect, diagram.nodes[edge.to].rect);
            if b.left() >= a.right() + 16.0 {
                (Side::Right, Side::Left)
            } else if b.right() <= a.left() - 16.0 {
                (Side::Left, Side::Right)
            } else {
                (Side::Right, Side::Right)
            }
        })
        .collect();

    // Every end of every edge, grouped by the node side it meets.
    let mut slots: BTreeMap<(usize, Side), Vec<EdgeEnd>> = BTreeMap::new();
    for (index, (edge, (from_side, to_side))) in diagram.edges.iter().zip(&sides).enumerate() {
        let from_rect = diagram.nodes[edge.from].rect;
        let to_rect = diagram.nodes[edge.to].rect;
        slots
            .entry((edge.from, *from_side))
            .or_default()
            .push((to_rect.center().y, index, true));
        slots
            .entry((edge.to, *to_side))
            .or_default()
            .push((from_rect.center().y, index, false));
    }

    let mut starts = vec![Pos2::ZERO; diagram.edges.len()];
    let mut ends = vec![Pos2::ZERO; diagram.edges.len()];
    for ((node, side), mut ends_here) in slots {
        ends_here.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let rect = diagram.nodes[node].rect;
        let count = ends_here.len() as f32;
        let spacing = SLOT_SPACING.min((rect.height() - 16.0).max(0.0) / count.max(1.0));
        for (slot, (_, edge, is_start)) in ends_here.into_iter().enumerate() {
            let offset = (slot as f32 - (count - 1.0) / 2.0) * spacing;
            let point = Pos2::new(side.x(rect), rect.center().y + offset);
            if is_start {
                starts[edge] = point;
            } else {
                ends[edge] = point;
            }
        }
    }

    sides
        .iter()
        .enumerate()
        .map(|(index, (from_side, to_side))| {
            let start = starts[index];
            let tip = ends[index];
            let base = tip + to_side.normal() * ARROW_LENGTH;
            let reach = if from_side == to_side {
                48.0 + 0.2 * (tip.y - start.y).abs()
            } else {
                (0.45 * (base.x - start.x).abs()).max(40.0)
            };
            let curve = [
                start,
                start + from_side.normal() * reach,
                base + to_side.normal() * reach,
                base,
            ];
            EdgeRoute { curve, tip }
        })
        .collect()
}

/// The routes of the diagram last drawn, reused while its nodes stay where they are and its
/// edges join the same nodes: routing every edge each frame costs more than the check.
#[derive(Debug, Clone, Default)]
pub struct RouteCache {
    rects: Vec<Rect>,
    ends: Vec<(usize, usize)>,
    routes: Vec<EdgeRoute>,
}

impl RouteCache {
    /// The route of every edge of `diagram`, as [`route_edges`] gives them.
    pub fn routes(&mut self, diagram: &Diagram) -> &[EdgeRoute] {
        let same = self.rects.len() == diagram.nodes.len()
            && self.ends.len() == diagram.edges.len()
            && diagram
                .nodes
                .iter()
                .zip(&self.rects)
                .all(|(node, rect)| node.rect == *rect)
            && diagram
                .edges
                .iter()
                .zip(&self.ends)
                .all(|(edge, ends)| (edge.from, edge.to) == *ends);
        if !same {
            self.rects = diagram.nodes.iter().map(|n| n.rect).collect();
            self.ends = diagram.edges.iter().map(|e| (e.from, e.to)).collect();
            self.routes = route_edges(diagram);
        }
        &self.routes
    }
}

/// How an edge is drawn.
#[derive(Debug, Clone, Copy)]
pub struct EdgeStyle {
    /// The line's colour.
    pub color: Color32,
    /// The line's width.
    pub width: f32,
    /// Whether the line is dashed.
    pub dashed: bool,
}

/// Paints an edge's curve and arrowhead. `zoom` (screen points per canvas unit) sets how
/// finely the curve is cut into segments (about one per 14 points on screen) and how long the
/// dashes are (the same on screen at every zoom), so a large drawing seen from far costs few
/// vertices.
pub fn paint_edge(painter: &Painter, route: &EdgeRoute, style: EdgeStyle, zoom: f32) {
    let stroke = Stroke::new(style.width, style.color);
    let points = route.polyline(zoom);
    if style.dashed {
        let scale = 1.0 / zoom.clamp(0.05, 4.0);
        painter.extend(Shape::dashed_line(
            &points,
            stroke,
            6.0 * scale,
            4.0 * scale,
        ));
    } else {
        painter.add(Shape::line(points, PathStroke::from(stroke)));
    }
    if zoom < 0.25 {
        // An arrowhead a pixel or two long shows nothing; the curve ends at the node all the same.
        return;
    }
    let base = route.curve[3];
    let along = (route.tip - base).normalized();
    let across = along.rot90() * ARROW_HALF_WIDTH;
    painter.add(PathShape::convex_polygon(
        vec![route.tip, base + across, base - across],
        style.color,
        Stroke::NONE,
    ));
}

impl EdgeRoute {
    /// The curve as a polyline fine enough for `zoom`.
    pub fn polyline(&self, zoom: f32) -> Vec<Pos2> {
        let [p0, p1, p2, p3] = self.curve;
        // The control polygon is at least as long as the curve.
        let length = p0.distance(p1) + p1.distance(p2) + p2.distance(p3);
        // Seen from far, the curves are short arcs on screen: coarser segments do.
        let per_segment = if zoom < 0.25 { 28.0 } else { 14.0 };
        let segments = ((length * zoom.max(0.0)) / per_segment).clamp(2.0, 24.0) as usize;
        (0..=segments)
            .map(|i| self.point_at(i as f32 / segments as f32))
            .collect()
    }
}

/// The padding around a label's text inside its pill.
pub const LABEL_PADDING: Vec2 = vec2(6.0, 2.0);

/// Lays out an edge's label text.
pub fn label_galley(painter: &Painter, text: &str, color: Color32) -> Arc<Galley> {
    painter.layout_no_wrap(text.to_owned(), FontId::proportional(10.5), color)
}

/// Paints an edge's label in a pill filling `rect`.
pub fn paint_edge_label(
    painter: &Painter,
    palette: &Palette,
    rect: Rect,
    galley: Arc<Galley>,
    color: Color32,
) {
    painter.rect(
        rect,
        rect.height() / 2.0,
        palette.label_fill,
        Stroke::new(1.0, color.gamma_multiply(0.45)),
        egui::StrokeKind::Inside,
    );
    painter.galley(rect.center() - galley.size() / 2.0, galley, color);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples;
    use crate::studio::diagram::Diagram;

    #[test]
    fn edges_start_and_end_on_their_nodes_borders() {
        let text = examples::example(examples::DEFAULT_EXAMPLE)
            .map(|e| e.text)
            .unwrap_or_default();
        let model = crate::model::load(text).expect("the default example loads");
        let diagram = Diagram::new(&model);
        let routes = route_edges(&diagram);
        assert_eq!(routes.len(), diagram.edges.len());
        for (edge, route) in diagram.edges.iter().zip(&routes) {
            let from = diagram.nodes[edge.from].rect;
            let to = diagram.nodes[edge.to].rect;
            let start = route.curve[0];
            assert!(start.x == from.left() || start.x == from.right());
            assert!(from.y_range().contains(start.y));
            assert!(route.tip.x == to.left() || route.tip.x == to.right());
            assert!(to.y_range().contains(route.tip.y));
        }
    }
}

#[cfg(test)]
mod label_tests {
    use super::*;
    use egui::pos2;

    #[test]
    fn a_label_moves_off_a_node_in_its_way() {
        let route = EdgeRoute {
            curve: [
                pos2(0.0, 0.0),
                pos2(100.0, 0.0),
                pos2(200.0, 0.0),
                pos2(300.0, 0.0),
            ],
            tip: pos2(310.0, 0.0),
        };
        let node = Rect::from_min_max(pos2(120.0, -20.0), pos2(180.0, 20.0));
        let placed = place_labels(&[route], &[Some(vec2(40.0, 14.0))], &[node]);
        let rect = placed[0].expect("the label is placed");
        assert!(!rect.intersects(node));
        assert!(place_labels(&[route], &[None], &[node])[0].is_none());
    }
}
