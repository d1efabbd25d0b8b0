//! The seeded randomness and the platform-independent trigonometry of a picture.

use rand::Rng;
use rand::rngs::ChaCha20Rng;

/// Uniform random numbers from the seed's stream, built from raw 32-bit outputs so the
/// picture depends only on the ChaCha20 stream, not on a library's sampling algorithm.
pub(super) struct Dice(pub(super) ChaCha20Rng);

impl Dice {
    /// A number in `[0, 1)`.
    pub(super) fn unit(&mut self) -> f32 {
        (self.0.next_u32() >> 8) as f32 * (1.0 / 16_777_216.0)
    }

    /// A number in `[low, high)`.
    pub(super) fn range(&mut self, low: f32, high: f32) -> f32 {
        low + (high - low) * self.unit()
    }

    /// A number in `[-reach, reach)`.
    pub(super) fn either_way(&mut self, reach: f32) -> f32 {
        self.range(-reach, reach)
    }

    /// A number drawn from the range `(low, high)`.
    pub(super) fn within(&mut self, (low, high): (f32, f32)) -> f32 {
        self.range(low, high)
    }

    /// A whole number in `low..=high`.
    pub(super) fn count(&mut self, (low, high): (u8, u8)) -> usize {
        let span = usize::from(high.saturating_sub(low)) + 1;
        usize::from(low) + ((self.unit() * span as f32) as usize).min(span - 1)
    }

    /// A whole number in `0..n` (0 when `n` is 0).
    pub(super) fn below(&mut self, n: usize) -> usize {
        ((self.unit() * n as f32) as usize).min(n.saturating_sub(1))
    }
}

/// `sin(2πt)` from `+ − ×` and `floor` only, so every platform draws the same picture
/// (error below 0.002, plenty for a wave).
pub(super) fn sin_turns(t: f32) -> f32 {
    let x = t - floor(t + 0.5);
    let y = 8.0 * x - 16.0 * x * x.abs();
    0.225 * (y * y.abs() - y) + y
}

/// `t` rounded down, for |t| < 2³¹ (all this module needs), without a library call.
fn floor(t: f32) -> f32 {
    let whole = t as i32 as f32;
    if whole > t { whole - 1.0 } else { whole }
}

/// `cos(2πt)`, as [`sin_turns`].
pub(super) fn cos_turns(t: f32) -> f32 {
    sin_turns(t + 0.25)
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed test
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn sine_is_close_and_bounded() {
        for i in -2000..2000 {
            let t = i as f32 / 997.0;
            let exact = (t * std::f32::consts::TAU).sin();
            assert!((sin_turns(t) - exact).abs() < 0.002, "{t}");
            assert!(sin_turns(t).abs() <= 1.0 && cos_turns(t).abs() <= 1.0);
        }
    }

    #[test]
    fn counts_and_picks_stay_in_their_ranges() {
        let mut dice = Dice(ChaCha20Rng::seed_from_u64(7));
        let mut seen = [false; 4];
        for _ in 0..2000 {
            let n = dice.count((2, 5));
            assert!((2..=5).contains(&n));
            seen[n - 2] = true;
            assert!(dice.below(3) < 3);
            assert_eq!(dice.below(0), 0);
            assert_eq!(dice.count((4, 4)), 4);
        }
        assert!(seen.iter().all(|&s| s));
    }
}
