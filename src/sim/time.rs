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
/// common path: below 2^52 the integer part and the fraction of an `f64` are exact.
#[inline]
pub fn round_ns(ns: f64) -> Nanos {
    if ns > 0.0 && ns < EXACT {
        // Through `i64`, which converts to and from `f64` in one instruction (`u64` takes
        // several on x86-64); exact in this range.
        let whole = ns as i64;
        // Added rather than branched on: the fraction is as likely above a half as below,
        // so a branch would be mispredicted half the time.
        whole as u64 + u64::from(ns - whole as f64 >= 0.5)
    } else {
        ns.round() as Nanos
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
