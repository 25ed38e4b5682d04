//! The event queue: a priority queue of scheduled events ordered by `(time, sequence)`.
//!
//! Sequence numbers are unique, so the order is total and any correct priority queue pops
//! events in the same order. A simulation's queue is usually short (a pending event per busy
//! consumer and a few timers; producers' next arrivals wait beside it, keyed from the same
//! sequence): while it is short, the queue is an array sorted latest first, so a pop takes its
//! last item and a push moves only the items due before the new one (a new event is mostly
//! due after a few pending ones and before the far timers, such as the next metrics sample,
//! which stay where they are). When it grows long it becomes a 4-ary heap over the same vector
//! (the array reversed, ascending, already is one), which does fewer comparisons and moves per
//! pop than `std`'s binary heap; it turns back into a sorted array when it is short again.
//! Either way one `u128` is compared per step.

/// A priority queue of `(time, sequence)`-keyed items: an array sorted latest first while
/// short, a 4-ary min-heap while long.
#[derive(Debug, Clone)]
pub struct EventQueue<T> {
    items: Vec<(u128, T)>,
    heap: bool,
}

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            heap: false,
        }
    }
}

const ARITY: usize = 4;

/// Above this many items the sorted array turns into a heap (a push may shift every earlier
/// item: fine for a few, not for thousands)...
const SORTED_MAX: usize = 48;

/// ...and below this many the heap turns back into a sorted array (apart from `SORTED_MAX`, so
/// that a queue hovering around one size does not switch back and forth).
const SORTED_MIN: usize = 16;

/// `(time, sequence)` packed so that one comparison orders them.
#[inline]
pub fn key(time: u64, seq: u64) -> u128 {
    (u128::from(time) << 64) | u128::from(seq)
}

impl<T: Copy> EventQueue<T> {
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
        if self.heap {
            self.heap_push(k, item);
            return;
        }
        // Insert from the back (the earliest end), moving earlier items back one by one as
        // the place is sought: for a few moves a loop is cheaper than `Vec::insert`'s copy.
        self.items.push((k, item));
        let queued = &mut self.items[..];
        let mut i = queued.len() - 1;
        while i > 0 && queued[i - 1].0 < k {
            queued[i] = queued[i - 1];
            i -= 1;
        }
        queued[i] = (k, item);
        if self.items.len() > SORTED_MAX {
            // An ascending array is a heap.
            self.items.reverse();
            self.heap = true;
        }
    }

    fn heap_push(&mut self, k: u128, item: T) {
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
    #[cfg(test)]
    fn peek_time(&self) -> Option<u64> {
        (self.peek_key() != u128::MAX).then(|| (self.peek_key() >> 64) as u64)
    }

    /// The `(time, sequence)` key of the earliest item, as [`key`] packs it (`u128::MAX` when
    /// empty).
    #[inline]
    pub fn peek_key(&self) -> u128 {
        let earliest = if self.heap {
            self.items.first()
        } else {
            self.items.last()
        };
        earliest.map_or(u128::MAX, |&(k, _)| k)
    }

    /// Takes the earliest item, with its time.
    #[inline(always)]
    pub fn pop(&mut self) -> Option<(u64, T)> {
        if self.heap {
            return self.heap_pop();
        }
        let (k, item) = self.items.pop()?;
        Some(((k >> 64) as u64, item))
    }

    fn heap_pop(&mut self) -> Option<(u64, T)> {
        if self.items.is_empty() {
            return None;
        }
        let (k, item) = self.items.swap_remove(0);
        let len = self.items.len();
        if len < SORTED_MIN {
            // Short again: back to an array sorted latest first (keys are unique, so the order
            // is total).
            self.items
                .sort_unstable_by_key(|&(k, _)| std::cmp::Reverse(k));
            self.heap = false;
        } else {
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

        #[test]
        fn growing_and_shrinking_across_both_layouts_keeps_the_order(ops in proptest::collection::vec((0u8..10, 0u64..1000), 0..1500)) {
            // Phases of mostly pushes and mostly pops, so the queue grows past `SORTED_MAX`
            // and shrinks below `SORTED_MIN` again, several times.
            let mut q = EventQueue::new();
            let mut model = std::collections::BTreeSet::new();
            let mut now = 0;
            for (seq, (op, dt)) in ops.into_iter().enumerate() {
                let pops = if (seq / 200) % 2 == 0 { 3 } else { 7 };
                if op < pops {
                    let want = model.pop_first();
                    if let Some((t, _)) = want {
                        now = t;
                    }
                    prop_assert_eq!(q.pop(), want);
                } else {
                    // Never in the past, as in the engine.
                    q.push(now + dt, seq as u64, seq as u64);
                    model.insert((now + dt, seq as u64));
                }
                prop_assert_eq!(q.peek_time(), model.first().map(|&(t, _)| t));
                prop_assert_eq!(q.len(), model.len());
            }
        }
    }
}
