//! Random streams: one portable generator per component, derived from the run's seed and the
//! component's stable name, so adding a producer does not change what an unrelated consumer
//! draws.
//!
//! The generator is ChaCha8 (pinned crate versions); stream seeds are XXH3-64 of the name with
//! the run seed; floating-point transforms use `libm`, so a seed gives the same draws, bit for
//! bit, on every platform.

use rand_chacha::ChaCha8Core;
use rand_core::SeedableRng as _;
use rand_core::block::Generator as _;

/// One component's random stream.
#[derive(Debug, Clone)]
pub struct Stream {
    core: ChaCha8Core,
    /// The generator's latest block of 32-bit words. A 64-bit draw is the next two, as
    /// little-endian halves: what `rand_chacha::ChaCha8Rng::next_u64` gives from the same
    /// seed (a test compares them), read here without a call into the generator.
    words: [u32; BLOCK],
    /// How many of `words` are used (always even).
    used: usize,
}

/// The words of one ChaCha block (four 16-word blocks at a time).
const BLOCK: usize = 64;

impl Stream {
    /// The stream named `name` of the run seeded with `seed`.
    pub fn new(seed: u64, name: &str) -> Self {
        Self {
            core: ChaCha8Core::from_seed(stream_key(seed, name)),
            words: [0; BLOCK],
            used: BLOCK,
        }
    }

    /// 64 random bits.
    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        if self.used >= BLOCK {
            self.core.generate(&mut self.words);
            self.used = 0;
        }
        // `used` is even and below `BLOCK`: the masks only spare the bounds checks.
        let i = self.used & (BLOCK - 2);
        let (lo, hi) = (self.words[i], self.words[(i + 1) & (BLOCK - 1)]);
        self.used += 2;
        (u64::from(hi) << 32) | u64::from(lo)
    }

    /// Uniform in `[0, 1)`, with 53 bits of precision.
    #[inline(always)]
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `(0, 1]`: safe to take the logarithm of.
    pub fn uniform_open0(&mut self) -> f64 {
        1.0 - self.uniform()
    }

    /// Uniform integer in `[0, n)` (Lemire's method, unbiased); 0 when `n` is 0.
    #[inline(always)]
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let mut product = u128::from(self.next_u64()) * u128::from(n);
        if (product as u64) < n {
            // Only now can the draw be in the biased zone: the division is rarely needed.
            let threshold = n.wrapping_neg() % n;
            while (product as u64) < threshold {
                product = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (product >> 64) as u64
    }

    /// True with probability `p`.
    #[inline(always)]
    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && (p >= 1.0 || self.uniform() < p)
    }

    /// An exponential draw with this mean.
    #[inline]
    pub fn exponential(&mut self, mean: f64) -> f64 {
        mean * self.standard_exponential()
    }

    /// An exponential draw with mean 1, by Marsaglia and Tsang's ziggurat: one 64-bit draw,
    /// a multiplication and a comparison almost every time (the ln of `-ln(u)` is what a
    /// simulation spends most on otherwise); `libm` where a logarithm or exponential is still
    /// needed, so draws are the same on every platform.
    // Always inlined: the first attempt (accepted almost every time) is a few instructions;
    // the rest is out of line.
    #[inline(always)]
    pub fn standard_exponential(&mut self) -> f64 {
        let z = ziggurat();
        let (i, x) = self.ziggurat_attempt(z);
        if x < z.x[i + 1] {
            // Inside the layer's rectangle, wholly under the curve.
            return x;
        }
        self.standard_exponential_beyond(z, i, x)
    }

    /// One attempt of the ziggurat: a layer and a point along it.
    #[inline(always)]
    fn ziggurat_attempt(&mut self, z: &Ziggurat) -> (usize, f64) {
        let bits = self.next_u64();
        let i = (bits & 0xff) as usize;
        // The upper 53 bits, independent of the layer's 8.
        let u = (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
        (i, u * z.x[i])
    }

    /// The rest of [`Stream::standard_exponential`] after an attempt `(i, x)` outside its
    /// layer's rectangle.
    #[cold]
    #[inline(never)]
    fn standard_exponential_beyond(&mut self, z: &Ziggurat, mut i: usize, mut x: f64) -> f64 {
        loop {
            if x < z.x[i + 1] {
                return x;
            }
            if i == 0 {
                // The tail beyond R: the exponential is memoryless.
                return z.x[1] - libm::log(self.uniform_open0());
            }
            // The wedge between the rectangle and the curve.
            let y = z.f[i] + self.uniform() * (z.f[i + 1] - z.f[i]);
            if y < libm::exp(-x) {
                return x;
            }
            (i, x) = self.ziggurat_attempt(z);
        }
    }

    /// Standard normal (Box–Muller; one draw of the pair is discarded, keeping the stream
    /// stateless beyond the generator).
    pub fn standard_normal(&mut self) -> f64 {
        let u1 = self.uniform_open0();
        let u2 = self.uniform();
        libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
    }
}

/// The exponential ziggurat's 256 layers of equal area: layer `i` spans `x[i + 1]..x[i]`
/// under heights `f[i]..f[i + 1]`, with `f = exp(-x)`; layer 0 is the base rectangle and the
/// tail beyond `x[1] = R`.
/// The ChaCha key of the stream named `name` in the run seeded with `seed`: XXH3-64 of the
/// name, chained four times from the seed.
fn stream_key(seed: u64, name: &str) -> [u8; 32] {
    let a = xxhash_rust::xxh3::xxh3_64_with_seed(name.as_bytes(), seed);
    let b = xxhash_rust::xxh3::xxh3_64_with_seed(name.as_bytes(), a ^ 0x9e37_79b9_7f4a_7c15);
    let c = xxhash_rust::xxh3::xxh3_64_with_seed(name.as_bytes(), b);
    let d = xxhash_rust::xxh3::xxh3_64_with_seed(name.as_bytes(), c);
    let mut key = [0u8; 32];
    for (chunk, word) in key.chunks_exact_mut(8).zip([a, b, c, d]) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    key
}

struct Ziggurat {
    x: [f64; 257],
    f: [f64; 257],
}

/// The tables, computed once with `libm` (the same bits everywhere).
fn ziggurat() -> &'static Ziggurat {
    static TABLES: std::sync::OnceLock<Ziggurat> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        // Marsaglia and Tsang's constants for 256 layers: the tail's start and each layer's
        // area.
        const R: f64 = 7.697_117_470_131_05;
        const V: f64 = 0.003_949_659_822_581_557;
        let mut x = [0.0; 257];
        let mut f = [0.0; 257];
        x[0] = V / libm::exp(-R);
        x[1] = R;
        for i in 1..256 {
            x[i + 1] = -libm::log(V / x[i] + libm::exp(-x[i]));
        }
        x[256] = 0.0;
        for i in 0..257 {
            f[i] = libm::exp(-x[i]);
        }
        Ziggurat { x, f }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_independent_by_name() {
        let mut a1 = Stream::new(42, "producer/checkout");
        let mut a2 = Stream::new(42, "producer/checkout");
        let mut b = Stream::new(42, "group/payment");
        let mut c = Stream::new(43, "producer/checkout");
        let xs: Vec<u64> = (0..4).map(|_| a1.next_u64()).collect();
        let ys: Vec<u64> = (0..4).map(|_| a2.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs[0], b.next_u64());
        assert_ne!(xs[0], c.next_u64());
    }

    #[test]
    fn the_first_draws_of_a_stream_are_pinned() {
        // Pinned so a change of generator, seeding or crate version shows up here first.
        let mut s = Stream::new(1, "pin");
        let first = s.next_u64();
        let mut again = Stream::new(1, "pin");
        assert_eq!(again.next_u64(), first);
        assert_eq!(first, PINNED_FIRST_DRAW);
    }

    const PINNED_FIRST_DRAW: u64 = 13_570_855_583_676_221_162;

    #[test]
    fn draws_are_chacha8_rngs_own_next_u64_in_order() {
        use rand_core::{Rng as _, SeedableRng as _};
        let mut stream = Stream::new(5, "blocks");
        let mut plain = rand_chacha::ChaCha8Rng::from_seed(stream_key(5, "blocks"));
        // Across several blocks.
        for n in 0..(BLOCK * 7 + 3) {
            assert_eq!(stream.next_u64(), plain.next_u64(), "draw {n}");
        }
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut s = Stream::new(7, "below");
        let mut seen = [0u32; 5];
        for _ in 0..5000 {
            let v = s.below(5);
            assert!(v < 5);
            seen[v as usize] += 1;
        }
        assert!(seen.iter().all(|&n| n > 900 && n < 1100), "{seen:?}");
        assert_eq!(s.below(0), 0);
    }

    #[test]
    fn the_ziggurat_tables_close_at_zero_with_equal_layers() {
        let z = ziggurat();
        // The recursion from R lands on (about) zero after 255 layers: the constants fit.
        assert!(z.x[255] > 0.0 && z.x[255] < 0.2, "x[255] = {}", z.x[255]);
        let area = |i: usize| z.x[i] * (z.f[i + 1] - z.f[i]);
        for i in 1..255 {
            assert!(
                (area(i) - 0.003_949_659_822_581_557).abs() < 1e-9,
                "layer {i}"
            );
        }
    }

    #[test]
    fn exponential_draws_follow_the_distribution_into_the_tail() {
        let mut s = Stream::new(3, "zig");
        let n = 2_000_000;
        let mut below = [0u32; 4];
        let cuts = [0.05, std::f64::consts::LN_2, 3.0, 8.0];
        for _ in 0..n {
            let x = s.standard_exponential();
            assert!(x >= 0.0 && x.is_finite());
            for (c, b) in cuts.iter().zip(&mut below) {
                if x < *c {
                    *b += 1;
                }
            }
        }
        for (c, b) in cuts.iter().zip(below) {
            let want = 1.0 - libm::exp(-c);
            let got = f64::from(b) / f64::from(n);
            // Four standard errors of a binomial proportion.
            let tolerance = 4.0 * (want * (1.0 - want) / f64::from(n)).sqrt();
            assert!(
                (got - want).abs() < tolerance,
                "P(X < {c}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn exponential_and_normal_have_the_right_moments() {
        let mut s = Stream::new(3, "moments");
        let n = 200_000;
        let mean: f64 = (0..n).map(|_| s.exponential(4.0)).sum::<f64>() / f64::from(n);
        assert!((mean - 4.0).abs() < 0.05, "{mean}");
        let draws: Vec<f64> = (0..n).map(|_| s.standard_normal()).collect();
        let m = draws.iter().sum::<f64>() / f64::from(n);
        let v = draws.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / f64::from(n);
        assert!(m.abs() < 0.01, "{m}");
        assert!((v - 1.0).abs() < 0.01, "{v}");
    }
}
