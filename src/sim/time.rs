//! Virtual time: integer nanoseconds since the start of the run.

/// Nanoseconds since the start of the run.
pub type Nanos = u64;

/// One millisecond.
pub const MS: Nanos = 1_000_000;

/// One second.
pub const SECOND: Nanos = 1_000_000_000;

/// Milliseconds (possibly fractional) to nanoseconds, rounded; negative, infinite and NaN
/// give 0.
pub fn ms_to_ns(ms: f64) -> Nanos {
    let ns = ms * 1e6;
    if ns.is_finite() { round_ns(ns) } else { 0 }
}

/// Rounds half away from zero to whole nanoseconds, as `ns.round() as Nanos` does (negative
/// and NaN give 0, too large gives `u64::MAX`), without a call to a rounding function on the
/// common path.
///
/// From a half up to 2^52, `ns + 0.5` truncated is the rounded value: from 1 up, `ns + 0.5`
/// is exact (`ns` is a multiple of its unit in the last place, at most a half there, and the
/// sum does not outgrow the next power of two inexactly); from a half to 1 the sum rounds
/// within [1, 1.5]. Below a half it is not (the largest `f64` below 0.5 plus 0.5 rounds to
/// 1.0), so that range takes the other branch. Two dependent instructions (an add and a
/// truncation) rather than a truncation, a conversion back, a subtraction and a comparison:
/// the result is on the path to the event queue's comparisons, so its latency counts.
#[inline]
pub fn round_ns(ns: f64) -> Nanos {
    if (0.5..EXACT).contains(&ns) {
        // Through `i64`, which converts from `f64` in one instruction (`u64` takes several
        // on x86-64); exact in this range.
        (ns + 0.5) as i64 as Nanos
    } else if ns >= EXACT {
        ns.round() as Nanos
    } else {
        0
    }
}

/// Below this, every `f64` splits exactly into an integer and a fraction.
const EXACT: f64 = 4_503_599_627_370_496.0; // 2^52

/// Nanoseconds to (fractional) milliseconds.
pub fn ns_to_ms(ns: Nanos) -> f64 {
    ns as f64 / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_to_nanoseconds_is_exactly_round_half_away_from_zero() {
        let cases = [
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            4.752,
            0.000_000_5,
            // Just below half a nanosecond: the one value `trunc(x + 0.5)` gets wrong.
            0.5f64.next_down() / 1e6,
            0.000_000_499_999_999_999_999_9,
            1.5e-6,
            2.5e-6,
            123_456.789_012_345,
            4.5e9,
            1e300,
        ];
        for ms in cases {
            let slow = {
                let ns = libm::round(ms * 1e6);
                if ns.is_finite() && ns > 0.0 {
                    if ns >= u64::MAX as f64 {
                        u64::MAX
                    } else {
                        ns as Nanos
                    }
                } else {
                    0
                }
            };
            assert_eq!(ms_to_ns(ms), slow, "{ms}");
        }
        // Where adding a half could round: just below a half, and either side of half-way
        // points just below and above powers of two, up to 2^52 and past it.
        let mut edges = vec![0.0, 0.5, f64::MIN_POSITIVE, 0.49999999999999994];
        for e in 0..=54 {
            let p = 2f64.powi(e);
            for x in [p - 0.5, p + 0.5, p, p - 1.0, p + 1.0] {
                edges.extend([x, x.next_down(), x.next_up()]);
            }
        }
        for ns in edges {
            assert_eq!(round_ns(ns), ns.round() as u64, "{ns:e}");
        }
        // A spread of magnitudes with random fractions.
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let ns = f64::from_bits((x >> 12) | (0x3fe0_0000_0000_0000 + ((x % 56) << 52)));
            assert_eq!(round_ns(ns), ns.round() as u64, "{ns:e}");
        }
        // Every half-way and near-half-way value in a range of nanoseconds.
        for whole in 0..10_000u64 {
            for frac in [0.0, 0.25, 0.5, 0.499_999_999, 0.500_000_001, 0.75] {
                let ns = whole as f64 + frac;
                assert_eq!(ms_to_ns(ns / 1e6), libm::round((ns / 1e6) * 1e6) as u64);
                assert_eq!(round_ns(ns), ns.round() as u64);
                assert_eq!(round_ns(-ns), 0);
            }
        }
    }
}
