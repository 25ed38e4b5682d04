//! A layered, left-to-right automatic layout: for elements the model file gives no position,
//! and for the whole canvas on demand (the toolbar's Auto-layout).
//!
//! Elements with a position stay where they are. The others are ranked by the longest path
//! that leads to them (so flows read from left to right): cycles are broken by dropping a
//! greedy feedback arc set, and the ranks follow petgraph's topological order. Each rank is a
//! column; within a column, nodes are ordered by the barycentre of their neighbours in the
//! columns before (and, sweeping back, after) them, which removes most edge crossings. Columns
//! sit in a band below everything that already has a position and are as wide as their widest
//! node plus a gap, so nothing placed here overlaps anything else.

use eframe::egui;

use egui::{Pos2, Rect, Vec2, pos2};

use petgraph::algo::{greedy_feedback_arc_set, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef as _;

/// How many times the crossing reduction sweeps down and back up the columns.
const SWEEPS: usize = 6;

/// Horizontal space between two columns of laid-out nodes.
pub const COLUMN_GAP: f32 = 90.0;

/// Vertical space between two stacked nodes, and between the positioned nodes and the band
/// below them.
pub const ROW_GAP: f32 = 40.0;

/// A node to lay out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayoutNode {
    /// The node's size on the canvas.
    pub size: Vec2,
    /// The node's top-left corner when the model gives one; such nodes never move.
    pub fixed: Option<Pos2>,
}

/// The top-left corner of every node, in the order given.
///
/// `edges` are `(from, to)` indices into `nodes`; indices out of range are ignored, and cycles
/// are allowed (an edge that closes a cycle is ignored for ranking).
pub fn layered_layout(nodes: &[LayoutNode], edges: &[(usize, usize)]) -> Vec<Pos2> {
    let ranks = ranks(nodes.len(), edges);

    // The band for automatic placement starts below every fixed node, aligned to their left.
    let fixed_bounds = nodes
        .iter()
        .filter_map(|n| n.fixed.map(|p| Rect::from_min_size(p, n.size)))
        .reduce(|a, b| a.union(b));
    let origin = fixed_bounds.map_or(Pos2::ZERO, |b| pos2(b.min.x, b.max.y + 2.0 * ROW_GAP));

    // Columns hold the free nodes of one rank; ranks without free nodes take no column.
    let mut free_ranks: Vec<usize> = nodes
        .iter()
        .zip(&ranks)
        .filter(|(n, _)| n.fixed.is_none())
        .map(|(_, r)| *r)
        .collect();
    free_ranks.sort_unstable();
    free_ranks.dedup();

    let mut column_x = Vec::with_capacity(free_ranks.len());
    let mut x = origin.x;
    for rank in &free_ranks {
        column_x.push(x);
        let widest = nodes
            .iter()
            .zip(&ranks)
            .filter(|(n, r)| n.fixed.is_none() && *r == rank)
            .map(|(n, _)| n.size.x)
            .fold(0.0_f32, f32::max);
        x += widest + COLUMN_GAP;
    }

    // The free nodes of each column, in the order the crossing reduction finds.
    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); free_ranks.len()];
    for (index, (node, rank)) in nodes.iter().zip(&ranks).enumerate() {
        if node.fixed.is_none()
            && let Ok(column) = free_ranks.binary_search(rank)
            && let Some(members) = columns.get_mut(column)
        {
            members.push(index);
        }
    }
    let column_of: Vec<Option<usize>> = (0..nodes.len())
        .map(|i| {
            nodes
                .get(i)
                .filter(|n| n.fixed.is_none())
                .and_then(|_| free_ranks.binary_search(&ranks[i]).ok())
        })
        .collect();
    reduce_crossings(&mut columns, &column_of, edges);

    let mut out: Vec<Pos2> = nodes.iter().map(|n| n.fixed.unwrap_or(origin)).collect();
    for (members, x) in columns.iter().zip(&column_x) {
        let mut y = origin.y;
        for &index in members {
            out[index] = pos2(*x, y);
            y += nodes[index].size.y + ROW_GAP;
        }
    }
    out
}

/// Orders the nodes of each column by the mean place of their neighbours in other columns:
/// sweeping right, by the neighbours to their left; sweeping back, by those to their right.
/// A node without such neighbours keeps its place.
fn reduce_crossings(
    columns: &mut [Vec<usize>],
    column_of: &[Option<usize>],
    edges: &[(usize, usize)],
) {
    let count = column_of.len();
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); count];
    for &(a, b) in edges {
        if a < count && b < count && a != b {
            neighbours[a].push(b);
            neighbours[b].push(a);
        }
    }
    // A node's place in its column, from 0 (top) to 1 (bottom).
    let mut place = vec![0.0_f32; count];
    let update = |columns: &[Vec<usize>], place: &mut [f32]| {
        for members in columns {
            let len = members.len().max(1) as f32;
            for (i, &index) in members.iter().enumerate() {
                place[index] = (i as f32 + 0.5) / len;
            }
        }
    };
    update(columns, &mut place);
    for sweep in 0..SWEEPS * 2 {
        let rightwards = sweep % 2 == 0;
        let order: Vec<usize> = if rightwards {
            (1..columns.len()).collect()
        } else {
            (0..columns.len().saturating_sub(1)).rev().collect()
        };
        for c in order {
            let keys: Vec<(usize, f32)> = columns[c]
                .iter()
                .map(|&index| {
                    let around: Vec<f32> = neighbours[index]
                        .iter()
                        .filter(|&&n| {
                            column_of[n].is_some_and(|nc| if rightwards { nc < c } else { nc > c })
                        })
                        .map(|&n| place[n])
                        .collect();
                    let key = if around.is_empty() {
                        place[index]
                    } else {
                        around.iter().sum::<f32>() / around.len() as f32
                    };
                    (index, key)
                })
                .collect();
            let mut sorted = keys;
            sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
            columns[c] = sorted.into_iter().map(|(index, _)| index).collect();
            update(columns, &mut place);
        }
    }
}

/// The rank of every node: the length of the longest path leading to it, once the edges of a
/// greedy feedback arc set are dropped so the graph has no cycle.
fn ranks(count: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut graph: DiGraph<(), ()> = DiGraph::with_capacity(count, edges.len());
    let ids: Vec<NodeIndex> = (0..count).map(|_| graph.add_node(())).collect();
    for &(a, b) in edges {
        if a < count && b < count && a != b && !graph.contains_edge(ids[a], ids[b]) {
            graph.add_edge(ids[a], ids[b], ());
        }
    }
    let cycle_breakers: Vec<_> = greedy_feedback_arc_set(&graph).map(|e| e.id()).collect();
    let mut acyclic = graph.clone();
    // Removing an edge moves the last edge into its slot, so remove from the highest index.
    let mut cycle_breakers = cycle_breakers;
    cycle_breakers.sort_unstable_by_key(|e| std::cmp::Reverse(e.index()));
    for edge in cycle_breakers {
        acyclic.remove_edge(edge);
    }
    let order = toposort(&acyclic, None).unwrap_or_else(|_| acyclic.node_indices().collect());
    let mut rank = vec![0_usize; count];
    for node in order {
        let here = rank[node.index()];
        for next in acyclic.neighbors(node) {
            rank[next.index()] = rank[next.index()].max(here + 1);
        }
    }
    rank
}

/// Lays out every node of `diagram` afresh (the toolbar's Auto-layout): each element with its
/// new top-left corner, on the canvas grid. Gaps are wider than the grid, so snapping never
/// makes two nodes overlap.
pub fn auto_layout(diagram: &super::diagram::Diagram) -> Vec<(crate::model::ElementRef, Pos2)> {
    let nodes: Vec<LayoutNode> = diagram
        .nodes
        .iter()
        .map(|n| LayoutNode {
            size: n.rect.size(),
            fixed: None,
        })
        .collect();
    let edges: Vec<(usize, usize)> = diagram
        .edges
        .iter()
        .filter(|e| e.kind != super::graph::EdgeKind::SagaReply)
        .map(|e| (e.from, e.to))
        .collect();
    let positions = layered_layout(&nodes, &edges);
    diagram
        .nodes
        .iter()
        .zip(positions)
        .map(|(n, p)| (n.element.clone(), super::edit::snap(p)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::vec2;

    fn free(w: f32, h: f32) -> LayoutNode {
        LayoutNode {
            size: vec2(w, h),
            fixed: None,
        }
    }

    fn fixed(x: f32, y: f32, w: f32, h: f32) -> LayoutNode {
        LayoutNode {
            size: vec2(w, h),
            fixed: Some(pos2(x, y)),
        }
    }

    fn rects(nodes: &[LayoutNode], positions: &[Pos2]) -> Vec<Rect> {
        nodes
            .iter()
            .zip(positions)
            .map(|(n, p)| Rect::from_min_size(*p, n.size))
            .collect()
    }

    /// Panics when two nodes overlap, except two fixed ones (their overlap is the file's).
    fn assert_no_overlaps(nodes: &[LayoutNode], positions: &[Pos2]) {
        let rects = rects(nodes, positions);
        for (i, a) in rects.iter().enumerate() {
            for (j, b) in rects.iter().enumerate().skip(i + 1) {
                if nodes[i].fixed.is_some() && nodes[j].fixed.is_some() {
                    continue;
                }
                assert!(
                    !a.intersects(*b),
                    "nodes {i} {a:?} and {j} {b:?} overlap in {positions:?}"
                );
            }
        }
    }

    /// A small deterministic generator, so the tests need no RNG crate.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, below: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % below.max(1)
        }
    }

    #[test]
    fn a_chain_reads_left_to_right() {
        let nodes = [free(100.0, 50.0), free(120.0, 80.0), free(90.0, 40.0)];
        let positions = layered_layout(&nodes, &[(0, 1), (1, 2)]);
        assert!(positions[0].x < positions[1].x);
        assert!(positions[1].x < positions[2].x);
        assert_no_overlaps(&nodes, &positions);
    }

    #[test]
    fn siblings_stack_in_one_column() {
        let nodes = [free(100.0, 50.0), free(100.0, 50.0), free(100.0, 50.0)];
        let positions = layered_layout(&nodes, &[(0, 1), (0, 2)]);
        assert_eq!(positions[1].x, positions[2].x);
        assert_no_overlaps(&nodes, &positions);
    }

    #[test]
    fn fixed_nodes_stay_and_free_ones_go_below_them() {
        let nodes = [
            fixed(0.0, 0.0, 100.0, 60.0),
            free(100.0, 60.0),
            fixed(300.0, 200.0, 100.0, 60.0),
            free(150.0, 30.0),
        ];
        let positions = layered_layout(&nodes, &[(0, 1), (1, 3)]);
        assert_eq!(positions[0], pos2(0.0, 0.0));
        assert_eq!(positions[2], pos2(300.0, 200.0));
        assert!(positions[1].y >= 260.0);
        assert!(positions[3].y >= 260.0);
        assert_no_overlaps(&nodes, &positions);
    }

    #[test]
    fn cycles_and_bad_indices_do_not_hang_or_panic() {
        let nodes = [free(80.0, 40.0), free(80.0, 40.0), free(80.0, 40.0)];
        let positions = layered_layout(&nodes, &[(0, 1), (1, 2), (2, 0), (7, 1), (1, 1)]);
        assert_eq!(positions.len(), 3);
        assert_no_overlaps(&nodes, &positions);
    }

    #[test]
    fn crossings_are_removed() {
        // a -> c and b -> d, with d listed before c: ordered by index, the edges would cross.
        let nodes = [
            free(100.0, 50.0),
            free(100.0, 50.0),
            free(100.0, 50.0),
            free(100.0, 50.0),
        ];
        let positions = layered_layout(&nodes, &[(0, 3), (1, 2)]);
        assert!(positions[0].y < positions[1].y);
        assert!(positions[3].y < positions[2].y, "{positions:?}");
        assert_no_overlaps(&nodes, &positions);
    }

    #[test]
    fn a_cycle_still_reads_left_to_right_from_its_entry() {
        let nodes = [free(80.0, 40.0), free(80.0, 40.0), free(80.0, 40.0)];
        let positions = layered_layout(&nodes, &[(0, 1), (1, 2), (2, 1)]);
        assert!(positions[0].x < positions[1].x);
        assert_no_overlaps(&nodes, &positions);
    }

    #[test]
    fn empty_input_gives_empty_output() {
        assert!(layered_layout(&[], &[]).is_empty());
    }

    #[test]
    fn random_graphs_never_overlap() {
        let mut rng = Lcg(7);
        for _ in 0..300 {
            let count = 1 + rng.next(25) as usize;
            let nodes: Vec<LayoutNode> = (0..count)
                .map(|i| {
                    let size = vec2(40.0 + rng.next(200) as f32, 20.0 + rng.next(180) as f32);
                    if rng.next(3) == 0 {
                        // Fixed nodes on a grid wide enough that they never overlap each other.
                        LayoutNode {
                            size,
                            fixed: Some(pos2(i as f32 * 300.0, rng.next(5) as f32 * 250.0)),
                        }
                    } else {
                        LayoutNode { size, fixed: None }
                    }
                })
                .collect();
            let edges: Vec<(usize, usize)> = (0..rng.next(40))
                .map(|_| {
                    (
                        rng.next(count as u64) as usize,
                        rng.next(count as u64) as usize,
                    )
                })
                .collect();
            let positions = layered_layout(&nodes, &edges);
            assert_eq!(positions.len(), count);
            for (node, position) in nodes.iter().zip(&positions) {
                if let Some(fixed) = node.fixed {
                    assert_eq!(*position, fixed);
                }
            }
            assert_no_overlaps(&nodes, &positions);
        }
    }
}
