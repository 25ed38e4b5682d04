//! The event queue: a min-heap of scheduled events ordered by `(time, sequence)`.
//!
//! Sequence numbers are unique, so the order is total and any correct priority queue pops
//! events in the same order; this one is a 4-ary heap over a flat vector, which does fewer
//! comparisons and moves per pop than `std`'s binary heap for the queue sizes a simulation
//! has (tens to thousands of pending events), and compares one `u128` per step.

/// A 4-ary min-heap of `(time, sequence)`-keyed items.
#[derive(Debug, Clone)]
pub struct EventQueue<T> {
    items: Vec<(u128, T)>,
}

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        Self { items: Vec::new() }
    }
}

const ARITY: usize = 4;

#[inline]
fn key(time: u64, seq: u64) -> u128 {
    (u128::from(time) << 64) | u128::from(seq)
}

impl<T> EventQueue<T> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many items are queued.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.items.len()
    }

    /// Queues `item` at `(time, seq)`; `seq` must not repeat.
    #[inline]
    pub fn push(&mut self, time: u64, seq: u64, item: T) {
        let k = key(time, seq);
        self.items.push((k, item));
        // Sift up: move parents down until the new key's place is found.
        let mut i = self.items.len() - 1;
        while i > 0 {
            let parent = (i - 1) / ARITY;
            if self.items[parent].0 <= k {
                break;
            }
            self.items.swap(i, parent);
            i = parent;
        }
    }

    /// The time of the earliest item.
    #[inline]
    pub fn peek_time(&self) -> Option<u64> {
        self.items.first().map(|(k, _)| (k >> 64) as u64)
    }

    /// Takes the earliest item, with its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(u64, T)> {
        if self.items.is_empty() {
            return None;
        }
        let (k, item) = self.items.swap_remove(0);
        let len = self.items.len();
        if len > 1 {
            // Sift the moved last item down from the root.
            let mut i = 0;
            loop {
                let first = i * ARITY + 1;
                if first >= len {
                    break;
                }
                let last = (first + ARITY).min(len);
                let mut best = first;
                let mut best_key = self.items[first].0;
                for c in first + 1..last {
                    let ck = self.items[c].0;
                    if ck < best_key {
                        best = c;
                        best_key = ck;
                    }
                }
                if best_key >= self.items[i].0 {
                    break;
                }
                self.items.swap(i, best);
                i = best;
            }
        }
        Some(((k >> 64) as u64, item))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn pops_in_time_then_sequence_order(times in proptest::collection::vec(0u64..50, 0..300)) {
            let mut q = EventQueue::new();
            for (seq, &t) in times.iter().enumerate() {
                q.push(t, seq as u64, seq);
            }
            let mut expected: Vec<(u64, usize)> =
                times.iter().enumerate().map(|(s, &t)| (t, s)).collect();
            expected.sort_unstable();
            let mut got = Vec::new();
            while let Some((t, s)) = q.pop() {
                got.push((t, s));
            }
            prop_assert_eq!(got, expected);
        }

        #[test]
        fn interleaved_pushes_and_pops_keep_the_order(ops in proptest::collection::vec((any::<bool>(), 0u64..1000), 0..400)) {
            let mut q = EventQueue::new();
            let mut model = std::collections::BTreeSet::new();
            for (seq, (pop, t)) in ops.into_iter().enumerate() {
                if pop {
                    let want = model.pop_first();
                    prop_assert_eq!(q.pop(), want);
                } else {
                    q.push(t, seq as u64, seq as u64);
                    model.insert((t, seq as u64));
                }
                prop_assert_eq!(q.peek_time(), model.first().map(|&(t, _)| t));
                prop_assert_eq!(q.len(), model.len());
            }
        }
    }
}
