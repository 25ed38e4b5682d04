//! Virtual time: integer nanoseconds since the start of the run.

/// Nanoseconds since the start of the run.
pub type Nanos = u64;

/// One millisecond.
pub const MS: Nanos = 1_000_000;

/// One second.
pub const SECOND: Nanos = 1_000_000_000;

/// Milliseconds (possibly fractional) to nanoseconds, rounded; negative and NaN give 0.
pub fn ms_to_ns(ms: f64) -> Nanos {
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
}

/// Nanoseconds to (fractional) milliseconds.
pub fn ns_to_ms(ns: Nanos) -> f64 {
    ns as f64 / 1e6
}
