//! What the canvas shows, worked out once from a model: one node per drawable element and
//! per canvas note, where each sits and how big it is, and the edges between them.
//!
//! Pure geometry: no painting, no egui context. Positions come from the model's layout where it
//! has them, and from [`super::layout::layered_layout`] where it does not.

use eframe::egui;

use std::collections::BTreeMap;

use egui::{Pos2, Rect, Vec2, pos2, vec2};

use crate::model::{Coordination, ElementKind, ElementRef, Model};

use super::graph::{self, EdgeKind};
use super::layout::{LayoutNode, layered_layout};

/// Most partition lanes a topic draws; beyond this it says how many are left out.
pub const MAX_LANES: u32 = 16;

/// Height of one partition lane of a topic.
pub const LANE_HEIGHT: f32 = 7.0;

/// Vertical space between two partition lanes.
pub const LANE_GAP: f32 = 3.0;

/// Height of a node's header: the kind badge and the element's name.
pub const HEADER_HEIGHT: f32 = 46.0;

/// Height of one line of a saga's step list.
pub const STEP_LINE_HEIGHT: f32 = 18.0;

/// Width of a canvas note.
pub const NOTE_WIDTH: f32 = 180.0;

/// One drawn node.
#[derive(Debug, Clone, PartialEq)]
pub struct DiagramNode {
    /// The element (or canvas note) the node stands for.
    pub element: ElementRef,
    /// Where the node sits, in canvas units.
    pub rect: Rect,
    /// Whether the position came from the model file (rather than the automatic layout).
    pub positioned: bool,
}

/// One drawn edge.
#[derive(Debug, Clone, PartialEq)]
pub struct DiagramEdge {
    /// Index of the source node in [`Diagram::nodes`].
    pub from: usize,
    /// Index of the target node in [`Diagram::nodes`].
    pub to: usize,
    /// What the edge means.
    pub kind: EdgeKind,
    /// The edge's text.
    pub label: String,
}

/// Everything the canvas draws.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Diagram {
    /// Nodes: the model's elements in [`Model::elements`] order, then the canvas notes.
    pub nodes: Vec<DiagramNode>,
    /// Edges between nodes.
    pub edges: Vec<DiagramEdge>,
}

impl Diagram {
    /// Lays out `model`.
    pub fn new(model: &Model) -> Self {
        let mut elements: Vec<ElementRef> = model.elements();
        elements.extend(
            model
                .layout
                .notes
                .iter()
                .map(|n| ElementRef::new(ElementKind::CanvasNote, &n.id)),
        );

        let layout_nodes: Vec<LayoutNode> = elements
            .iter()
            .map(|element| LayoutNode {
                size: node_size(model, element),
                fixed: fixed_position(model, element),
            })
            .collect();

        // The first node with an id wins, as for positions (duplicate ids are an error).
        let mut index_of: BTreeMap<&ElementRef, usize> = BTreeMap::new();
        for (index, element) in elements.iter().enumerate() {
            index_of.entry(element).or_insert(index);
        }

        let model_edges = graph::edges(model);
        let edges: Vec<DiagramEdge> = model_edges
            .iter()
            .filter_map(|edge| {
                let from = *index_of.get(&edge.from)?;
                let to = *index_of.get(&edge.to)?;
                Some(DiagramEdge {
                    from,
                    to,
                    kind: edge.kind,
                    label: edge.label.clone(),
                })
            })
            .collect();

        let pairs: Vec<(usize, usize)> = edges
            .iter()
            .filter(|e| e.kind != EdgeKind::SagaReply)
            .map(|e| (e.from, e.to))
            .collect();
        let positions = layered_layout(&layout_nodes, &pairs);

        let nodes = elements
            .into_iter()
            .zip(layout_nodes)
            .zip(positions)
            .map(|((element, layout), position)| DiagramNode {
                element,
                rect: Rect::from_min_size(position, layout.size),
                positioned: layout.fixed.is_some(),
            })
            .collect();

        Self { nodes, edges }
    }

    /// The node that stands for `element`, if it is drawn.
    pub fn node_index(&self, element: &ElementRef) -> Option<usize> {
        self.nodes.iter().position(|n| &n.element == element)
    }

    /// The rectangle around every node, or `None` for an empty diagram.
    pub fn bounds(&self) -> Option<Rect> {
        self.nodes.iter().map(|n| n.rect).reduce(|a, b| a.union(b))
    }
}

/// Where the model file puts an element, if it does.
fn fixed_position(model: &Model, element: &ElementRef) -> Option<Pos2> {
    let position = if element.kind == ElementKind::CanvasNote {
        model
            .layout
            .notes
            .iter()
            .find(|n| n.id == element.id)
            .map(|n| n.position)
    } else {
        model.layout.positions.get(&element.id).copied()
    }?;
    // A position that is not a number would poison every rectangle it touches.
    (position.x.is_finite() && position.y.is_finite()).then(|| pos2(position.x, position.y))
}

/// How many partition lanes a topic with `partitions` partitions draws.
pub fn lane_count(partitions: u32) -> u32 {
    partitions.clamp(1, MAX_LANES)
}

/// The size of an element's node, from its kind and the data it shows.
pub fn node_size(model: &Model, element: &ElementRef) -> Vec2 {
    match element.kind {
        ElementKind::Producer => vec2(176.0, 84.0),
        ElementKind::Topic => {
            let partitions = model.topic(&element.id).map_or(1, |t| t.partitions);
            let lanes = lane_count(partitions) as f32;
            let overflow = if partitions > MAX_LANES { 14.0 } else { 0.0 };
            vec2(
                184.0,
                HEADER_HEIGHT + 20.0 + lanes * (LANE_HEIGHT + LANE_GAP) + overflow + 6.0,
            )
        }
        ElementKind::ConsumerGroup => vec2(184.0, 92.0),
        ElementKind::Saga => {
            let steps = model
                .sagas
                .iter()
                .find(|s| s.id == element.id)
                .map_or(0, |s| match &s.coordination {
                    Coordination::Orchestrated { steps, .. } => steps.len(),
                    Coordination::Choreographed { steps } => steps.len(),
                });
            // Long sagas list their first steps and say how many more there are.
            let lines = steps.clamp(1, 8) as f32;
            vec2(210.0, HEADER_HEIGHT + 22.0 + lines * STEP_LINE_HEIGHT + 8.0)
        }
        ElementKind::Projection => vec2(176.0, 84.0),
        ElementKind::EventStore => vec2(176.0, 92.0),
        ElementKind::CanvasNote => {
            let text = model
                .layout
                .notes
                .iter()
                .find(|n| n.id == element.id)
                .map_or("", |n| n.text.as_str());
            // An estimate: the canvas grows the note to fit its text when it paints it.
            let chars_per_line = 24.0;
            let lines = text
                .lines()
                .map(|l| (l.chars().count() as f32 / chars_per_line).ceil().max(1.0))
                .sum::<f32>()
                .clamp(1.0, 12.0);
            vec2(NOTE_WIDTH, 24.0 + lines * 17.0)
        }
        ElementKind::Model
        | ElementKind::Broker
        | ElementKind::EventType
        | ElementKind::Scenario => vec2(160.0, 60.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples;
    use crate::model::Position;

    fn default_model() -> Model {
        let text = examples::example(examples::DEFAULT_EXAMPLE)
            .map(|e| e.text)
            .unwrap_or_default();
        crate::model::load(text).expect("the default example loads")
    }

    #[test]
    fn every_element_and_note_gets_a_node() {
        let model = default_model();
        let diagram = Diagram::new(&model);
        assert_eq!(
            diagram.nodes.len(),
            model.elements().len() + model.layout.notes.len()
        );
        for element in model.elements() {
            assert!(diagram.node_index(&element).is_some(), "{element} is drawn");
        }
    }

    #[test]
    fn positions_from_the_file_are_top_left_corners() {
        let model = default_model();
        let diagram = Diagram::new(&model);
        let orders = diagram
            .node_index(&ElementRef::new(ElementKind::Topic, "orders"))
            .expect("orders is drawn");
        assert_eq!(diagram.nodes[orders].rect.min, pos2(260.0, 200.0));
        assert!(diagram.nodes[orders].positioned);
    }

    #[test]
    fn the_default_example_has_no_overlapping_nodes() {
        let diagram = Diagram::new(&default_model());
        for (i, a) in diagram.nodes.iter().enumerate() {
            for b in diagram.nodes.iter().skip(i + 1) {
                assert!(
                    !a.rect.intersects(b.rect),
                    "{} and {} overlap",
                    a.element,
                    b.element
                );
            }
        }
    }

    #[test]
    fn unpositioned_elements_are_laid_out_without_overlap() {
        let mut model = default_model();
        model.layout.positions.remove("orders");
        model.layout.positions.remove("payment");
        model.layout.positions.insert(
            "shipping".to_owned(),
            Position {
                x: f32::NAN,
                y: 0.0,
            },
        );
        let diagram = Diagram::new(&model);
        for (i, a) in diagram.nodes.iter().enumerate() {
            assert!(a.rect.is_finite());
            for b in diagram.nodes.iter().skip(i + 1) {
                assert!(
                    !a.rect.intersects(b.rect),
                    "{} and {}",
                    a.element,
                    b.element
                );
            }
        }
    }

    #[test]
    fn edges_join_the_nodes_of_their_elements() {
        let diagram = Diagram::new(&default_model());
        let saga = diagram
            .node_index(&ElementRef::new(ElementKind::Saga, "order-saga"))
            .expect("the saga is drawn");
        let commands = diagram
            .node_index(&ElementRef::new(ElementKind::Topic, "inventory-commands"))
            .expect("the topic is drawn");
        let kinds: Vec<EdgeKind> = diagram
            .edges
            .iter()
            .filter(|e| e.from == saga && e.to == commands)
            .map(|e| e.kind)
            .collect();
        assert_eq!(kinds, [EdgeKind::SagaCommand, EdgeKind::Compensates]);
    }

    #[test]
    fn an_empty_model_draws_nothing() {
        let diagram = Diagram::new(&Model::new("empty"));
        assert!(diagram.nodes.is_empty());
        assert!(diagram.bounds().is_none());
    }
}
