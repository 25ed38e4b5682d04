//! Samplers for the model's distributions, in engine units (nanoseconds, bytes, key indices).

use crate::model::{KeyDistribution, RateProcess, RateStep, SizeDistribution, TimeDistribution};

use super::rng::Stream;
use super::time::{Nanos, ms_to_ns, round_ns};

/// Draws a duration from a [`TimeDistribution`], in nanoseconds.
#[inline(always)]
pub fn duration(dist: &TimeDistribution, rng: &mut Stream) -> Nanos {
    let ms = match *dist {
        TimeDistribution::Constant { ms } => ms,
        TimeDistribution::Uniform { min_ms, max_ms } => min_ms + (max_ms - min_ms) * rng.uniform(),
        TimeDistribution::Exponential { mean_ms } => rng.exponential(mean_ms),
        TimeDistribution::LogNormal { median_ms, sigma } => {
            median_ms * libm::exp(sigma * rng.standard_normal())
        }
    };
    ms_to_ns(ms)
}

/// Durations drawn from one distribution and stream, one ahead: [`Durations::take`] hands
/// out a duration drawn earlier and draws the next. The draws, and their order, are those of
/// calling [`duration`] at each take; drawing ahead only means the value is ready (in memory,
/// not at the end of a chain of floating-point operations) when an event's time is computed
/// from it, so the event queue's comparisons on that time do not wait for the draw.
#[derive(Debug, Clone)]
pub struct Durations {
    dist: TimeDistribution,
    rng: Stream,
    next: Nanos,
}

impl Durations {
    /// Durations from `dist`, drawn from `rng`.
    pub fn new(dist: TimeDistribution, mut rng: Stream) -> Self {
        let next = duration(&dist, &mut rng);
        Self { dist, rng, next }
    }

    /// The next duration.
    #[inline(always)]
    pub fn take(&mut self) -> Nanos {
        let next = duration(&self.dist, &mut self.rng);
        std::mem::replace(&mut self.next, next)
    }
}

/// Draws a record size from a [`SizeDistribution`], in bytes (at least 1).
pub fn size(dist: &SizeDistribution, rng: &mut Stream) -> u32 {
    match *dist {
        SizeDistribution::Constant { bytes } => bytes.max(1),
        SizeDistribution::Uniform { min, max } => {
            let (lo, hi) = (min.min(max), min.max(max));
            lo + rng.below(u64::from(hi - lo) + 1) as u32
        }
        SizeDistribution::Normal { mean, std_dev } => {
            let v = libm::round(mean + std_dev * rng.standard_normal());
            if v.is_finite() {
                v.clamp(1.0, f64::from(u32::MAX)) as u32
            } else {
                1
            }
        }
    }
    .max(1)
}

/// Draws key indices from a [`KeyDistribution`]; `None` is a null key.
#[derive(Debug, Clone)]
pub struct KeySampler {
    kind: KeyKind,
    /// For a weighted list drawn into a shared key space: each list entry's index there.
    remap: Option<Vec<u32>>,
}

#[derive(Debug, Clone)]
enum KeyKind {
    Uniform(u64),
    /// Cumulative weights, last = 1 (shared: a Zipf table can hold ten million entries, and
    /// producers with the same distribution and a simulation's checkpoints need only one).
    Table(std::sync::Arc<[f64]>),
    Sequential {
        keys: u64,
        next: u64,
    },
    Null,
}

impl KeySampler {
    /// Prepares a sampler (Zipf and weighted lists build a cumulative table once).
    pub fn new(dist: &KeyDistribution) -> Self {
        let kind = match dist {
            KeyDistribution::Uniform { keys, .. } => KeyKind::Uniform((*keys).max(1)),
            KeyDistribution::Sequential { keys, .. } => KeyKind::Sequential {
                keys: (*keys).max(1),
                next: 0,
            },
            KeyDistribution::Zipf { keys, exponent, .. } => {
                let n = (*keys).max(1);
                cumulative((1..=n).map(|i| 1.0 / libm::pow(i as f64, *exponent)))
            }
            KeyDistribution::Weighted(list) => cumulative(
                list.iter()
                    .map(|k| if k.weight > 0.0 { k.weight } else { 0.0 }),
            ),
            KeyDistribution::Null => KeyKind::Null,
        };
        Self { kind, remap: None }
    }

    /// A sampler whose draw `i` is reported as `remap[i]`: for a weighted list whose keys sit
    /// at other indices of a key space it shares.
    pub fn remapped(dist: &KeyDistribution, remap: Vec<u32>) -> Self {
        Self {
            remap: Some(remap),
            ..Self::new(dist)
        }
    }

    /// Whether this sampler draws from the very table `other` does (not a copy of it).
    #[cfg(test)]
    pub fn shares_table_with(&self, other: &KeySampler) -> bool {
        match (&self.kind, &other.kind) {
            (KeyKind::Table(a), KeyKind::Table(b)) => std::sync::Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// Whether every draw is a key (not a null key).
    pub fn is_keyed(&self) -> bool {
        !matches!(self.kind, KeyKind::Null)
    }

    /// The next key index, or `None` for a null key.
    #[inline(always)]
    pub fn next(&mut self, rng: &mut Stream) -> Option<u32> {
        let index = match &mut self.kind {
            KeyKind::Uniform(n) => rng.below(*n) as u32,
            KeyKind::Sequential { keys, next } => {
                let k = *next;
                *next = (*next + 1) % *keys;
                k as u32
            }
            KeyKind::Table(cdf) => {
                let u = rng.uniform();
                let i = cdf.partition_point(|&c| c <= u);
                i.min(cdf.len().saturating_sub(1)) as u32
            }
            KeyKind::Null => return None,
        };
        Some(match &self.remap {
            None => index,
            Some(remap) => remap.get(index as usize).copied().unwrap_or(index),
        })
    }
}

fn cumulative(weights: impl Iterator<Item = f64>) -> KeyKind {
    let mut cdf: Vec<f64> = Vec::new();
    let mut total = 0.0;
    for w in weights {
        total += w;
        cdf.push(total);
    }
    if !(total.is_finite() && total > 0.0) || cdf.is_empty() {
        return KeyKind::Uniform(cdf.len().max(1) as u64);
    }
    for c in &mut cdf {
        *c /= total;
    }
    if let Some(last) = cdf.last_mut() {
        *last = 1.0;
    }
    KeyKind::Table(cdf.into())
}

/// The key text of index `index` under a key distribution (what Kafka hashes).
pub fn key_text(dist: &KeyDistribution, index: u32, out: &mut String) {
    out.clear();
    match dist {
        KeyDistribution::Uniform { prefix, .. }
        | KeyDistribution::Zipf { prefix, .. }
        | KeyDistribution::Sequential { prefix, .. } => {
            out.push_str(prefix);
            out.push_str(itoa::Buffer::new().format(index));
        }
        KeyDistribution::Weighted(list) => {
            if let Some(k) = list.get(index as usize) {
                out.push_str(&k.key);
            }
        }
        KeyDistribution::Null => {}
    }
}

/// The number of distinct keys a distribution draws from (0 for null keys).
pub fn key_count(dist: &KeyDistribution) -> u64 {
    match dist {
        KeyDistribution::Uniform { keys, .. }
        | KeyDistribution::Zipf { keys, .. }
        | KeyDistribution::Sequential { keys, .. } => *keys,
        KeyDistribution::Weighted(list) => list.len() as u64,
        KeyDistribution::Null => 0,
    }
}

/// Arrival times of a producer's records.
#[derive(Debug, Clone)]
pub struct Arrivals {
    process: RateProcess,
    /// For constant rates: the phase of the first arrival.
    started: bool,
    /// For constant rates: the gap between arrivals (ns) at the rate factor (its bits) last
    /// asked for, so that the division and rounding are not redone for every record.
    gap: Option<(u64, Nanos)>,
}

impl Arrivals {
    /// Arrivals following `process`.
    pub fn new(process: &RateProcess) -> Self {
        Self {
            process: process.clone(),
            started: false,
            gap: None,
        }
    }

    /// The time of the next arrival after `now`, with the rate multiplied by `factor` (a
    /// producer burst); `None` when the rate is zero from now on.
    #[inline(always)]
    pub fn next(&mut self, now: Nanos, factor: f64, rng: &mut Stream) -> Option<Nanos> {
        let first = !self.started;
        self.started = true;
        match &self.process {
            RateProcess::Constant { per_second } => {
                if !first
                    && let Some((bits, gap)) = self.gap
                    && bits == factor.to_bits()
                {
                    return Some(now.saturating_add(gap));
                }
                let rate = per_second * factor;
                if !(rate > 0.0 && rate.is_finite()) {
                    return None;
                }
                let gap = 1e9 / rate;
                // A random phase for the first record, so producers with the same rate do
                // not fire in lockstep.
                if first {
                    return Some(now.saturating_add(round_ns(gap * rng.uniform())));
                }
                let gap = round_ns(gap).max(1);
                self.gap = Some((factor.to_bits(), gap));
                Some(now.saturating_add(gap))
            }
            RateProcess::Poisson { per_second } => {
                let rate = per_second * factor;
                if !(rate > 0.0 && rate.is_finite()) {
                    return None;
                }
                Some(now.saturating_add(round_ns(rng.exponential(1e9 / rate)).max(1)))
            }
            RateProcess::Bursts { .. } | RateProcess::Schedule(_) => {
                // A piecewise-constant rate: the next arrival is where the rate integrated
                // from now reaches an Exp(1) draw (inverting the cumulative rate), exact and
                // one draw per record however long the quiet stretches are.
                let budget = rng.standard_exponential();
                self.integrate_to(now, budget, factor)
            }
        }
    }

    /// The first time after `from` at which the rate (times `factor`) integrated from `from`
    /// reaches `budget` (in expected records); `None` if it never does.
    fn integrate_to(&self, from: Nanos, mut budget: f64, factor: f64) -> Option<Nanos> {
        if !(factor > 0.0 && factor.is_finite()) {
            return None;
        }
        let per_ns = |per_second: f64| {
            let r = per_second * factor / 1e9;
            if r > 0.0 && r.is_finite() { r } else { 0.0 }
        };
        // The arrival inside a segment of rate `r` starting at `t`, if the budget runs out there.
        let land = |t: Nanos, r: f64, budget: f64, end: Option<Nanos>| -> Option<Nanos> {
            if r <= 0.0 {
                return None;
            }
            let gap = budget / r;
            let at = t.saturating_add(round_ns(gap)).max(from.saturating_add(1));
            match end {
                Some(end) if gap >= (end - t) as f64 => None,
                _ => Some(at),
            }
        };
        match &self.process {
            RateProcess::Constant { per_second } | RateProcess::Poisson { per_second } => {
                land(from, per_ns(*per_second), budget, None)
            }
            RateProcess::Schedule(steps) => {
                let start = |s: &RateStep| ms_to_ns(s.from_ms as f64);
                let mut t = from;
                loop {
                    // The step in force at `t` (none before the first: rate 0), and its end.
                    // (Validation keeps steps in increasing order: a binary search finds it,
                    // so a schedule of thousands of steps costs little per arrival.)
                    let next = steps.partition_point(|s| start(s) <= t);
                    let rate = next
                        .checked_sub(1)
                        .map_or(0.0, |i| per_ns(steps[i].per_second));
                    let end = steps.get(next).map(start);
                    if let Some(at) = land(t, rate, budget, end) {
                        return Some(at);
                    }
                    let end = end?;
                    budget -= rate * (end - t) as f64;
                    t = end;
                }
            }
            RateProcess::Bursts {
                base_per_second,
                burst_per_second,
                every_ms,
                length_ms,
            } => {
                let every = ms_to_ns(*every_ms as f64).max(1);
                let length = ms_to_ns(*length_ms as f64).min(every);
                let (base, burst) = (per_ns(*base_per_second), per_ns(*burst_per_second));
                // Expected records in one whole period (burst first, then base).
                let per_period = burst * length as f64 + base * (every - length) as f64;
                if per_period <= 0.0 {
                    return None;
                }
                let mut t = from;
                let mut skipped = false;
                loop {
                    let period_start = t - t % every;
                    let in_period = t - period_start;
                    let (rate, end) = if in_period < length {
                        (burst, period_start.saturating_add(length))
                    } else {
                        (base, period_start.saturating_add(every))
                    };
                    if end <= t {
                        return None; // The end of time.
                    }
                    if let Some(at) = land(t, rate, budget, Some(end)) {
                        return Some(at);
                    }
                    budget -= rate * (end - t) as f64;
                    t = end;
                    if !skipped && t.is_multiple_of(every) {
                        // At a period's start: whole periods the budget outlasts are skipped
                        // at once, so a long quiet stretch costs no more than a short one.
                        skipped = true;
                        let whole = (budget / per_period).floor();
                        if whole >= 1.0 {
                            let periods = whole.min((Nanos::MAX / every) as f64) as Nanos;
                            t = t.checked_add(periods.checked_mul(every)?)?;
                            budget -= whole * per_period;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RateStep, WeightedKey};

    #[test]
    fn durations_drawn_ahead_are_the_draws_of_each_take_in_order() {
        for dist in [
            TimeDistribution::Exponential { mean_ms: 4.752 },
            TimeDistribution::LogNormal {
                median_ms: 3.0,
                sigma: 0.8,
            },
            TimeDistribution::Uniform {
                min_ms: 1.0,
                max_ms: 9.0,
            },
        ] {
            let mut ahead = Durations::new(dist.clone(), Stream::new(7, "durations"));
            let mut rng = Stream::new(7, "durations");
            let taken: Vec<Nanos> = (0..1000).map(|_| ahead.take()).collect();
            let drawn: Vec<Nanos> = (0..1000).map(|_| duration(&dist, &mut rng)).collect();
            assert_eq!(taken, drawn, "{dist:?}");
            assert!(taken.windows(2).any(|w| w[0] != w[1]), "{dist:?}");
        }
    }

    #[test]
    fn zipf_makes_the_first_key_hottest() {
        let mut sampler = KeySampler::new(&KeyDistribution::Zipf {
            keys: 100,
            exponent: 1.0,
            prefix: "k".into(),
        });
        let mut rng = Stream::new(1, "zipf");
        let mut counts = vec![0u32; 100];
        for _ in 0..100_000 {
            counts[sampler.next(&mut rng).expect("keyed") as usize] += 1;
        }
        // P(key 0) = 1 / H(100) ≈ 0.1928.
        let share = f64::from(counts[0]) / 100_000.0;
        assert!((share - 0.1928).abs() < 0.01, "{share}");
        assert!(counts[0] > counts[1] && counts[1] > counts[9]);
    }

    #[test]
    fn weighted_keys_follow_their_weights_and_zero_weights_never_appear() {
        let mut sampler = KeySampler::new(&KeyDistribution::Weighted(vec![
            WeightedKey {
                key: "a".into(),
                weight: 3.0,
            },
            WeightedKey {
                key: "b".into(),
                weight: 0.0,
            },
            WeightedKey {
                key: "c".into(),
                weight: 1.0,
            },
        ]));
        let mut rng = Stream::new(1, "weighted");
        let mut counts = [0u32; 3];
        for _ in 0..40_000 {
            counts[sampler.next(&mut rng).expect("keyed") as usize] += 1;
        }
        assert_eq!(counts[1], 0);
        let ratio = f64::from(counts[0]) / f64::from(counts[2]);
        assert!((ratio - 3.0).abs() < 0.15, "{ratio}");
    }

    #[test]
    fn sequential_keys_wrap() {
        let mut sampler = KeySampler::new(&KeyDistribution::Sequential {
            keys: 3,
            prefix: "k".into(),
        });
        let mut rng = Stream::new(1, "seq");
        let keys: Vec<Option<u32>> = (0..5).map(|_| sampler.next(&mut rng)).collect();
        assert_eq!(keys, [Some(0), Some(1), Some(2), Some(0), Some(1)]);
        let mut text = String::new();
        key_text(
            &KeyDistribution::Sequential {
                keys: 3,
                prefix: "k-".into(),
            },
            2,
            &mut text,
        );
        assert_eq!(text, "k-2");
    }

    #[test]
    fn constant_arrivals_are_evenly_spaced_after_a_random_phase() {
        let mut arrivals = Arrivals::new(&RateProcess::Constant { per_second: 250.0 });
        let mut rng = Stream::new(1, "arrivals");
        let first = arrivals.next(0, 1.0, &mut rng).expect("arrives");
        assert!(first < 4_000_000);
        let second = arrivals.next(first, 1.0, &mut rng).expect("arrives");
        assert_eq!(second - first, 4_000_000);
    }

    #[test]
    fn a_schedule_follows_its_steps_and_stops_at_zero() {
        let mut arrivals = Arrivals::new(&RateProcess::Schedule(vec![
            RateStep {
                from_ms: 0,
                per_second: 1000.0,
            },
            RateStep {
                from_ms: 1000,
                per_second: 0.0,
            },
        ]));
        let mut rng = Stream::new(1, "schedule");
        let mut now = 0;
        let mut count = 0;
        while let Some(t) = arrivals.next(now, 1.0, &mut rng) {
            now = t;
            count += 1;
            assert!(t < 1_000_000_000, "no arrival after the rate drops to 0");
        }
        assert!((900..1100).contains(&count), "{count}");
    }

    /// Counts arrivals in `[0, until)`, checking each is inside `allowed`.
    fn count_arrivals(process: &RateProcess, until: Nanos, allowed: impl Fn(Nanos) -> bool) -> u64 {
        let mut arrivals = Arrivals::new(process);
        let mut rng = Stream::new(5, "piecewise");
        let (mut now, mut count) = (0, 0);
        while let Some(t) = arrivals.next(now, 1.0, &mut rng) {
            assert!(t > now, "time moves on");
            if t >= until {
                break;
            }
            assert!(allowed(t), "an arrival at {t} ns");
            now = t;
            count += 1;
        }
        count
    }

    #[test]
    fn a_schedule_resumes_after_a_long_quiet_stretch() {
        // Thirty quiet seconds, then 100,000 records/s: a quiet stretch of any length must
        // not stop the producer.
        let count = count_arrivals(
            &RateProcess::Schedule(vec![
                RateStep {
                    from_ms: 0,
                    per_second: 0.0,
                },
                RateStep {
                    from_ms: 30_000,
                    per_second: 100_000.0,
                },
            ]),
            31 * 1_000_000_000,
            |t| t >= 30 * 1_000_000_000,
        );
        // Poisson, mean 100,000: four standard deviations are about 1,265.
        assert!(count.abs_diff(100_000) < 1_265, "{count}");
    }

    #[test]
    fn bursts_on_a_zero_base_rate_come_back_every_period() {
        // 100,000 records/s for 2 s of every 20 s, nothing in between: three bursts in 60 s.
        let count = count_arrivals(
            &RateProcess::Bursts {
                base_per_second: 0.0,
                burst_per_second: 100_000.0,
                every_ms: 20_000,
                length_ms: 2_000,
            },
            60 * 1_000_000_000,
            |t| t % 20_000_000_000 < 2_000_000_000,
        );
        // Poisson, mean 600,000: four standard deviations are about 3,100.
        assert!(count.abs_diff(600_000) < 3_100, "{count}");
    }

    #[test]
    fn rare_bursts_skip_whole_periods_and_keep_their_mean() {
        // One record per 50 s of burst time, in bursts of 1 ms every 2 ms: the mean gap is
        // 100 s, 50,000 periods, which must not cost a step per period.
        let mut arrivals = Arrivals::new(&RateProcess::Bursts {
            base_per_second: 0.0,
            burst_per_second: 0.01,
            every_ms: 1,
            length_ms: 0,
        });
        let mut rng = Stream::new(2, "rare");
        // A zero-length burst is no burst: with a zero base rate, nothing ever arrives.
        assert_eq!(arrivals.next(0, 1.0, &mut rng), None);
        let mut arrivals = Arrivals::new(&RateProcess::Bursts {
            base_per_second: 0.0,
            burst_per_second: 0.02,
            every_ms: 2,
            length_ms: 1,
        });
        let (mut now, n) = (0, 400);
        for _ in 0..n {
            let t = arrivals.next(now, 1.0, &mut rng).expect("arrives");
            assert!(t % 2_000_000 < 1_000_000, "{t} is outside a burst");
            now = t;
        }
        let mean_gap = now as f64 / 1e9 / f64::from(n);
        // Exponential gaps, mean 100 s: four standard errors are 20 s.
        assert!((mean_gap - 100.0).abs() < 20.0, "{mean_gap}");
    }

    #[test]
    fn poisson_arrivals_have_the_right_mean_rate() {
        let mut arrivals = Arrivals::new(&RateProcess::Poisson { per_second: 500.0 });
        let mut rng = Stream::new(9, "poisson");
        let mut now = 0;
        for _ in 0..50_000 {
            now = arrivals.next(now, 1.0, &mut rng).expect("arrives");
        }
        let rate = 50_000.0 / (now as f64 / 1e9);
        assert!((rate - 500.0).abs() < 10.0, "{rate}");
    }
}
