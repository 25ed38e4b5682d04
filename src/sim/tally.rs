//! Latency counts gathered on the hot path and read through `hdrhistogram`.
//!
//! Every processed record adds to two latency histograms. `Histogram::record` checks bounds,
//! tracks the minimum, maximum and total and may resize on each call; a [`Tally`] only bumps a
//! counter, in exactly the bucket layout `hdrhistogram` uses for 1 µs to 1 hour at three
//! significant digits, and hands the counts over when a report wants percentiles. Every
//! figure `hdrhistogram` reports (quantiles, min, max, mean) is a function of those counts,
//! so the report is the same as if each value had been recorded in it directly.

use hdrhistogram::Histogram;

/// The largest value kept, in microseconds (one hour); larger values count as this.
pub const HIGHEST: u64 = 3_600_000_000;

/// Three significant digits: 2,048 sub-buckets, half of them per bucket after the first.
const SUB_BUCKET_HALF_MAGNITUDE: u32 = 10;
const SUB_BUCKET_MASK: u64 = (1 << (SUB_BUCKET_HALF_MAGNITUDE + 1)) - 1;
/// 64 − log2(lowest = 1) − log2(2,048 sub-buckets).
const LEADING_ZERO_BASE: u32 = 64 - (SUB_BUCKET_HALF_MAGNITUDE + 1);

/// The counts of a latency histogram from 1 µs to [`HIGHEST`], three significant digits.
#[derive(Debug, Clone)]
pub struct Tally {
    counts: Vec<u64>,
}

impl Default for Tally {
    fn default() -> Self {
        Self::new()
    }
}

impl Tally {
    pub fn new() -> Self {
        Self {
            counts: vec![0; index_of(HIGHEST) + 1],
        }
    }

    /// Counts `micros`, clamped to 1 µs ..= one hour.
    #[inline(always)]
    pub fn record(&mut self, micros: u64) {
        let i = index_of(micros.clamp(1, HIGHEST));
        // The clamp keeps `i` in range; `get_mut` only spares the bounds check a panic path.
        if let Some(count) = self.counts.get_mut(i) {
            *count += 1;
        }
    }

    /// The counts as an `hdrhistogram` histogram with the same bounds and precision (once per
    /// report: the scan of every count is left to here rather than tracking the highest one
    /// on each record).
    pub fn histogram(&self) -> Histogram<u64> {
        let mut h = new_histogram();
        for (i, &n) in self.counts.iter().enumerate() {
            if n > 0 {
                // The lowest value of the bucket lands in the same bucket.
                let _ = h.record_n(value_of(i), n);
            }
        }
        h
    }
}

/// An empty histogram of microseconds from 1 µs to one hour, three significant digits.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST, 3)
        .unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|_| unreachable_histogram()))
}

#[allow(clippy::panic)]
fn unreachable_histogram() -> Histogram<u64> {
    // Histogram::new(3) fails only for precision > 5; 3 is valid.
    panic!("hdrhistogram rejected a precision of 3")
}

/// `hdrhistogram`'s counts index of `value` (≥ 1) for these bounds.
#[inline]
fn index_of(value: u64) -> usize {
    let bucket = LEADING_ZERO_BASE - (value | SUB_BUCKET_MASK).leading_zeros();
    let sub_bucket = value >> bucket;
    (((u64::from(bucket) + 1) << SUB_BUCKET_HALF_MAGNITUDE) + sub_bucket
        - (1 << SUB_BUCKET_HALF_MAGNITUDE)) as usize
}

/// The lowest value counted at `index`.
fn value_of(index: usize) -> u64 {
    let index = index as u64;
    let half = 1u64 << SUB_BUCKET_HALF_MAGNITUDE;
    let bucket = (index >> SUB_BUCKET_HALF_MAGNITUDE) as i64 - 1;
    let sub_bucket = (index & (half - 1)) + half;
    if bucket < 0 {
        sub_bucket - half
    } else {
        sub_bucket << bucket
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::Stream;

    fn same(a: &Histogram<u64>, b: &Histogram<u64>) {
        assert_eq!(a.len(), b.len());
        assert_eq!(a.min(), b.min());
        assert_eq!(a.max(), b.max());
        assert_eq!(a.mean(), b.mean());
        for q in [0.0, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 0.9999, 1.0] {
            assert_eq!(
                a.value_at_quantile(q),
                b.value_at_quantile(q),
                "quantile {q}"
            );
        }
        for v in a.iter_recorded() {
            assert_eq!(
                b.count_at(v.value_iterated_to()),
                v.count_at_value(),
                "count at {}",
                v.value_iterated_to()
            );
        }
    }

    #[test]
    fn a_tally_reports_what_hdrhistogram_would_have_recorded() {
        let mut tally = Tally::new();
        let mut direct = new_histogram();
        let mut rng = Stream::new(3, "tally");
        let mut values = vec![
            1, 2, 1023, 1024, 2047, 2048, 2049, 4095, 4096, 65_535, 65_536,
        ];
        values.extend([HIGHEST - 1, HIGHEST, 1_000_000_007]);
        for _ in 0..20_000 {
            // Spread over every magnitude, from 1 µs up to past the highest.
            let magnitude = rng.below(33);
            values.push(1 + rng.below(1 << magnitude));
        }
        for &v in &values {
            tally.record(v);
            direct
                .record(v.clamp(1, HIGHEST))
                .unwrap_or_else(|e| panic!("{v}: {e}"));
        }
        same(&tally.histogram(), &direct);
        assert_eq!(tally.histogram().len(), values.len() as u64);
    }

    #[test]
    fn out_of_range_values_count_at_the_bounds() {
        let mut tally = Tally::new();
        tally.record(0);
        tally.record(u64::MAX);
        let h = tally.histogram();
        assert_eq!(h.len(), 2);
        assert_eq!(h.min(), 1);
        assert_eq!(h.max(), h.highest_equivalent(HIGHEST));
    }

    #[test]
    fn every_index_maps_back_to_a_value_in_it() {
        for i in 0..=index_of(HIGHEST) {
            assert_eq!(index_of(value_of(i).max(1)), i.max(1), "index {i}");
        }
        assert!(Tally::new().histogram().is_empty());
    }
}
