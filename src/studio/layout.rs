//! A layered, left-to-right automatic layout for elements the model file gives no position.
//!
//! Elements with a position stay where they are. The others are ranked by the longest path
//! that leads to them (so flows read from left to right), placed in one column per rank and
//! stacked in each column, in a band below everything that already has a position. Columns are
//! as wide as the widest node plus a gap, so nothing placed here overlaps anything else.

use eframe::egui;

use egui::{Pos2, Rect, Vec2, pos2};

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

    let mut column_y = vec![origin.y; free_ranks.len()];
    let mut out = Vec::with_capacity(nodes.len());
    for (node, rank) in nodes.iter().zip(&ranks) {
        if let Some(fixed) = node.fixed {
            out.push(fixed);
            continue;
        }
        // Every free rank is in `free_ranks`, so the search finds it.
        let column = free_ranks.binary_search(rank).unwrap_or(0);
        let (Some(x), Some(y)) = (column_x.get(column), column_y.get_mut(column)) else {
            out.push(origin);
            continue;
        };
        out.push(pos2(*x, *y));
        *y += node.size.y + ROW_GAP;
    }
    out
}

/// The rank of every node: the length of the longest path leading to it, with edges that close
/// a cycle ignored.
fn ranks(count: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let edges: Vec<(usize, usize)> = edges
        .iter()
        .copied()
        .filter(|&(a, b)| a < count && b < count && a != b)
        .collect();
    let mut in_degree = vec![0_usize; count];
    for &(_, to) in &edges {
        in_degree[to] += 1;
    }
    let mut rank = vec![0_usize; count];
    let mut done = vec![false; count];
    for _ in 0..count {
        // Kahn's algorithm, in index order; on a cycle, take the node with the fewest
        // unprocessed predecessors, so the ranking stays deterministic.
        let next = (0..count)
            .filter(|&v| !done[v])
            .min_by_key(|&v| (in_degree[v], v));
        let Some(v) = next else { break };
        done[v] = true;
        for &(from, to) in &edges {
            if from == v && !done[to] {
                in_degree[to] = in_degree[to].saturating_sub(1);
                rank[to] = rank[to].max(rank[v] + 1);
            }
        }
    }
    rank
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
