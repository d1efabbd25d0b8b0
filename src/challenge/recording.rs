//! The `captcha` crate's spoken recordings, decoded once per process into clean, trimmed,
//! low-passed samples: the digits the audio challenges speak, a few letters for their
//! background babble, and a table of broadband noise.
//!
//! The crate's audio module is private. Its only way out, `Captcha::as_wav`, returns one WAV
//! per character (22,050 Hz mono 16-bit, espeak saying "number 1"), with uniform noise in
//! -3000..3000 added to every sample and noise padding up to 36,000 samples, and re-parses
//! a 4.4 MB table on every call. So one captcha holds [`DIGIT_COPIES`] copies of every digit
//! and a single `as_wav` call returns them all; the per-sample midrange of the copies
//! estimates the clean recording (for uniform noise its error shrinks as 1/N, the mean's as
//! 1/√N); an energy threshold then cuts the padding, and a low-pass filter leaves only what
//! the output rate can carry.

use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use captcha::Captcha;

use super::{AUDIO_ALPHABET, ChallengeError};

/// Sample rate of the `captcha` crate's recordings, in Hz; digits are kept at this rate
/// (twice the output rate) so that rendering can resample them by any factor cheaply.
pub(crate) const SOURCE_RATE: u32 = 22_050;

/// Sample rate of the rendered clip, in Hz: half the source rate.
pub(crate) const OUTPUT_RATE: u32 = 11_025;

/// Noisy copies of each digit whose midrange gives its clean recording: the residual noise
/// is about 6000 / √(2 (N+1) (N+2)) ≈ 240 (-43 dBFS) before filtering, and each copy costs
/// the `captcha` crate about a millisecond to make.
const DIGIT_COPIES: usize = 16;

/// Letters whose reversed recordings make the background babble ("capital H",
/// "lower case letter k", ...).
const BABBLE_LETTERS: [char; 6] = ['H', 'Q', 'W', 'e', 'k', 'x'];

/// Noisy copies of each babble letter: fewer than the digits, since the babble is faint and
/// its residual noise only adds to the broadband noise.
const BABBLE_COPIES: usize = 4;

/// Length of the low-pass filter (odd, so that it has a centre tap).
const TAPS: usize = 101;

/// Cut-off of the low-pass filter, in Hz: what survives a speed-up by 1.1 without aliasing
/// at the output rate (Nyquist 5,512 Hz), with room for the filter's transition band.
const CUTOFF_HZ: f64 = 4_300.0;

/// Length of the windows of the energy envelope used to find the speech: 10 ms.
const WINDOW: usize = 220;

/// Silence kept before and after the speech found: 10 ms and 40 ms (for decaying endings).
const MARGIN_BEFORE: usize = 220;
const MARGIN_AFTER: usize = 880;

/// Length of the fade in and out of every recording: 5 ms, so that no edge clicks.
const FADE: usize = 110;

/// Samples in the broadband noise table: 1.5 s at the output rate.
const NOISE_SAMPLES: usize = 1 << 14;

/// Every recording a clip is made from, decoded once per process.
pub(crate) struct Recordings {
    /// One clean recording per digit of [`AUDIO_ALPHABET`], in its order, at
    /// [`SOURCE_RATE`]; the loudest peak of them all is 1.0.
    digits: Vec<Vec<f32>>,
    /// Reversed letter recordings at [`OUTPUT_RATE`], faded in and out; the loudest peak
    /// of them all is 1.0.
    babble: Vec<Vec<f32>>,
    /// White noise of RMS 1.0 at [`OUTPUT_RATE`].
    noise: Vec<f32>,
}

impl Recordings {
    /// The clean recording of an ASCII digit of [`AUDIO_ALPHABET`] at [`SOURCE_RATE`].
    pub(crate) fn digit(&self, digit: u8) -> Option<&[f32]> {
        let index = AUDIO_ALPHABET.iter().position(|&d| d == digit)?;
        self.digits.get(index).map(Vec::as_slice)
    }

    /// Samples of the longest digit recording at [`SOURCE_RATE`].
    #[cfg(test)]
    pub(crate) fn longest_digit(&self) -> usize {
        self.digits.iter().map(Vec::len).max().unwrap_or(0)
    }

    /// Reversed letter recordings for the background, at [`OUTPUT_RATE`].
    pub(crate) fn babble(&self) -> &[Vec<f32>] {
        &self.babble
    }

    /// White noise of RMS 1.0 at [`OUTPUT_RATE`].
    pub(crate) fn noise(&self) -> &[f32] {
        &self.noise
    }
}

/// The recordings, decoded on the first call and shared by every later one;
/// [`ChallengeError::Assets`] when the `captcha` crate's recordings cannot be decoded.
pub(crate) fn recordings() -> Result<&'static Recordings, ChallengeError> {
    static RECORDINGS: OnceLock<Option<Recordings>> = OnceLock::new();
    RECORDINGS
        .get_or_init(decode)
        .as_ref()
        .ok_or(ChallengeError::Assets("recordings"))
}

/// Decodes every recording; `None` when the `captcha` crate does not give what it used to.
fn decode() -> Option<Recordings> {
    let digit_chars: Vec<char> = AUDIO_ALPHABET.iter().map(|&d| char::from(d)).collect();
    let digits = clean_recordings(&digit_chars, DIGIT_COPIES)?;
    let digits = normalized(
        digits
            .iter()
            .map(|signal| {
                let speech = speech_bounds(signal)?;
                Some(faded(low_pass(signal, speech)))
            })
            .collect::<Option<Vec<_>>>()?,
    )?;
    let babble = clean_recordings(&BABBLE_LETTERS, BABBLE_COPIES)?
        .iter()
        .map(|signal| {
            let speech = speech_bounds(signal)?;
            let filtered = low_pass(signal, speech);
            // Reversed, and every other sample: the filter left nothing above the output
            // rate's Nyquist frequency.
            Some(faded(filtered.iter().rev().step_by(2).copied().collect()))
        })
        .collect::<Option<Vec<_>>>()?;
    let babble = normalized(babble)?;
    Some(Recordings {
        digits,
        babble,
        noise: noise_table(),
    })
}

/// The clean recording of each of `chars`, estimated from `copies` noisy copies of each,
/// all made by a single `as_wav` call (one parse of the crate's table).
fn clean_recordings(chars: &[char], copies: usize) -> Option<Vec<Vec<f32>>> {
    let wavs = noisy_copies(chars, copies)?;
    if wavs.len() != chars.len() * copies || copies == 0 {
        return None;
    }
    wavs.chunks(copies).map(midrange).collect()
}

/// `copies` noisy WAVs of each of `chars`, in order; a panic inside the `captcha` crate
/// becomes `None`.
fn noisy_copies(chars: &[char], copies: usize) -> Option<Vec<Vec<u8>>> {
    let wavs = catch_unwind(AssertUnwindSafe(|| {
        let mut captcha = Captcha::new();
        for &c in chars {
            captcha.set_chars(&[c]);
            for _ in 0..copies {
                captcha.add_char();
            }
        }
        let expected = chars.iter().flat_map(|&c| std::iter::repeat_n(c, copies));
        // A character the crate does not know is silently left out: refuse rather than
        // mix the copies of different characters.
        if !captcha.chars().into_iter().eq(expected) {
            return None;
        }
        Some(captcha.as_wav())
    }))
    .ok()??;
    wavs.into_iter().collect()
}

/// The 16-bit samples of a mono WAV at [`SOURCE_RATE`], as the `captcha` crate writes it.
fn pcm16(wav: &[u8]) -> Option<impl ExactSizeIterator<Item = i16> + '_> {
    let reader = hound::WavReader::new(wav).ok()?;
    let spec = reader.spec();
    if spec.channels != 1
        || spec.sample_rate != SOURCE_RATE
        || spec.bits_per_sample != 16
        || spec.sample_format != hound::SampleFormat::Int
    {
        return None;
    }
    let len = usize::try_from(reader.len()).ok()?;
    // The reader stands at the start of the samples: read them in bulk rather than
    // through its per-sample iterator.
    let data = reader.into_inner().get(..len.checked_mul(2)?)?;
    let (pairs, _) = data.as_chunks::<2>();
    Some(pairs.iter().map(|&pair| i16::from_le_bytes(pair)))
}

/// The clean signal under noisy copies of one recording: per sample, the midpoint of the
/// smallest and largest copy. The `captcha` crate adds noise in -3000..=2999, hence the
/// half-sample correction.
fn midrange(wavs: &[Vec<u8>]) -> Option<Vec<f32>> {
    let (first, rest) = wavs.split_first()?;
    let mut low: Vec<i16> = pcm16(first)?.collect();
    let mut high = low.clone();
    for wav in rest {
        let copy = pcm16(wav)?;
        if copy.len() != low.len() {
            return None;
        }
        for ((lo, hi), sample) in low.iter_mut().zip(high.iter_mut()).zip(copy) {
            *lo = (*lo).min(sample);
            *hi = (*hi).max(sample);
        }
    }
    Some(
        low.iter()
            .zip(&high)
            .map(|(&lo, &hi)| (f32::from(lo) + f32::from(hi) + 1.0) * 0.5)
            .collect(),
    )
}

/// The RMS of each [`WINDOW`] of `signal`.
fn envelope(signal: &[f32]) -> Vec<f32> {
    signal
        .chunks(WINDOW)
        .map(|window| {
            let energy: f32 = window.iter().map(|x| x * x).sum();
            (energy / window.len() as f32).sqrt()
        })
        .collect()
}

/// Where the speech is in `signal`, with a margin either side: from the first to the last
/// window whose energy, less that of the residual noise (the quietest tenth of windows),
/// still exceeds both 1.5 times the noise and 2% of the loudest window. `None` when nothing
/// stands out.
fn speech_bounds(signal: &[f32]) -> Option<Range<usize>> {
    let rms = envelope(signal);
    let mut sorted = rms.clone();
    sorted.sort_by(f32::total_cmp);
    let floor = *sorted.get(sorted.len() / 10)?;
    let loudest = *sorted.last()?;
    if loudest <= 4.0 * floor || loudest <= 0.0 {
        return None;
    }
    // Noise energy adds to speech energy: compare what stands above the floor.
    let floor_energy = floor * floor;
    let threshold = (0.02 * loudest).max(1.5 * floor);
    let is_speech = |r: &f32| r * r - floor_energy > threshold * threshold;
    let first = rms.iter().position(is_speech)?;
    let last = rms.iter().rposition(is_speech)?;
    let start = (first * WINDOW).saturating_sub(MARGIN_BEFORE);
    let end = ((last + 1) * WINDOW + MARGIN_AFTER).min(signal.len());
    (start < end).then_some(start..end)
}

/// The taps of a Blackman-windowed sinc low-pass filter with unit gain at 0 Hz.
fn low_pass_taps() -> [f32; TAPS] {
    let centre = (TAPS / 2) as f64;
    let cutoff = CUTOFF_HZ / f64::from(SOURCE_RATE);
    let mut taps = [0.0f64; TAPS];
    for (k, tap) in taps.iter_mut().enumerate() {
        let t = k as f64 - centre;
        let sinc = if t == 0.0 {
            2.0 * cutoff
        } else {
            (2.0 * std::f64::consts::PI * cutoff * t).sin() / (std::f64::consts::PI * t)
        };
        let phase = 2.0 * std::f64::consts::PI * k as f64 / (TAPS - 1) as f64;
        let blackman = 0.42 - 0.5 * phase.cos() + 0.08 * (2.0 * phase).cos();
        *tap = sinc * blackman;
    }
    let sum: f64 = taps.iter().sum();
    taps.map(|tap| (tap / sum) as f32)
}

/// `signal[range]` low-passed below [`CUTOFF_HZ`], reading the samples around the range
/// (zero beyond the signal) so that its edges are filtered like its middle.
fn low_pass(signal: &[f32], range: Range<usize>) -> Vec<f32> {
    let taps = low_pass_taps();
    let half = TAPS / 2;
    let len = range.end.saturating_sub(range.start);
    let padded: Vec<f32> = (0..len + 2 * half)
        .map(|j| {
            (range.start + j)
                .checked_sub(half)
                .and_then(|i| signal.get(i))
                .copied()
                .unwrap_or(0.0)
        })
        .collect();
    // Tap by tap over the whole range (rather than window by window), which vectorises.
    let mut filtered = vec![0.0f32; len];
    for (k, &tap) in taps.iter().enumerate() {
        let shifted = padded.get(k..).unwrap_or_default();
        for (y, &x) in filtered.iter_mut().zip(shifted) {
            *y += tap * x;
        }
    }
    filtered
}

/// `signal` with a linear fade of [`FADE`] samples in at its start and out at its end.
fn faded(mut signal: Vec<f32>) -> Vec<f32> {
    let fade = FADE.min(signal.len() / 2);
    for i in 0..fade {
        let gain = i as f32 / fade as f32;
        if let Some(x) = signal.get_mut(i) {
            *x *= gain;
        }
        if let Some(x) = signal
            .len()
            .checked_sub(i + 1)
            .and_then(|j| signal.get_mut(j))
        {
            *x *= gain;
        }
    }
    signal
}

/// `signals` scaled together so that the loudest peak among them is 1.0 (their relative
/// loudness kept); `None` when they are silent.
fn normalized(mut signals: Vec<Vec<f32>>) -> Option<Vec<Vec<f32>>> {
    let peak = signals.iter().flatten().fold(0.0f32, |m, x| m.max(x.abs()));
    if !peak.is_finite() || peak <= 0.0 || signals.iter().any(Vec::is_empty) {
        return None;
    }
    for x in signals.iter_mut().flatten() {
        *x /= peak;
    }
    Some(signals)
}

/// [`NOISE_SAMPLES`] of white noise with an RMS of 1.0 from a fixed generator (xorshift):
/// a constant like the recordings; which parts of it a clip uses, and how loud, comes from
/// the clip's seed.
fn noise_table() -> Vec<f32> {
    let mut state: u32 = 0x9E37_79B9;
    let table: Vec<f32> = (0..NOISE_SAMPLES)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            // Uniform in [-1, 1): RMS 1/√3.
            (state >> 8) as f32 / (1u32 << 23) as f32 - 1.0
        })
        .collect();
    let rms = (table.iter().map(|x| x * x).sum::<f32>() / table.len() as f32).sqrt();
    table.into_iter().map(|x| x / rms).collect()
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed test
mod tests {
    use super::*;
    use rand::rngs::ChaCha20Rng;
    use rand::{RngExt, SeedableRng};

    /// A WAV as the `captcha` crate writes it: `samples` plus uniform noise in -3000..3000.
    fn noisy_wav(samples: &[i16], rng: &mut ChaCha20Rng) -> Vec<u8> {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: SOURCE_RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut cursor = std::io::Cursor::new(Vec::new());
        let mut writer = hound::WavWriter::new(&mut cursor, spec).expect("header");
        for &s in samples {
            let noisy = i32::from(s) + rng.random_range(-3000..3000);
            writer
                .write_sample(noisy.clamp(-32768, 32767) as i16)
                .expect("sample");
        }
        writer.finalize().expect("finalize");
        cursor.into_inner()
    }

    fn rms(signal: &[f32]) -> f32 {
        (signal.iter().map(|x| x * x).sum::<f32>() / signal.len() as f32).sqrt()
    }

    fn sine(hz: f32, len: usize, amplitude: f32) -> Vec<f32> {
        (0..len)
            .map(|i| {
                amplitude * (2.0 * std::f32::consts::PI * hz * i as f32 / SOURCE_RATE as f32).sin()
            })
            .collect()
    }

    #[test]
    fn midrange_recovers_a_signal_under_uniform_noise() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let clean: Vec<i16> = sine(440.0, 4000, 10_000.0)
            .iter()
            .map(|&x| x as i16)
            .collect();
        let wavs: Vec<Vec<u8>> = (0..DIGIT_COPIES)
            .map(|_| noisy_wav(&clean, &mut rng))
            .collect();
        let estimate = midrange(&wavs).expect("decodes");
        let error: Vec<f32> = estimate
            .iter()
            .zip(&clean)
            .map(|(e, &c)| e - f32::from(c))
            .collect();
        // Theory for N = 16: 6000 / √(2 · 17 · 18) ≈ 243.
        assert!(rms(&error) < 300.0, "residual {}", rms(&error));
        let mean_error = error.iter().sum::<f32>() / error.len() as f32;
        assert!(mean_error.abs() < 20.0, "bias {mean_error}");
    }

    #[test]
    fn midrange_refuses_copies_of_different_lengths_or_garbage() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let a = noisy_wav(&[0; 100], &mut rng);
        let b = noisy_wav(&[0; 90], &mut rng);
        assert!(midrange(&[a.clone(), b]).is_none());
        assert!(midrange(&[a, b"RIFF nonsense".to_vec()]).is_none());
        assert!(midrange(&[]).is_none());
    }

    #[test]
    fn speech_bounds_cut_the_padding() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let mut signal: Vec<f32> = (0..36_000)
            .map(|_| rng.random_range(-400.0..400.0))
            .collect();
        for (i, x) in signal.iter_mut().enumerate().skip(4_400).take(8_800) {
            *x += 8_000.0 * (i as f32 * 0.1).sin();
        }
        let bounds = speech_bounds(&signal).expect("speech found");
        assert!(
            bounds.start <= 4_400 && bounds.start + 2 * WINDOW >= 4_400,
            "{bounds:?}"
        );
        assert!(
            bounds.end >= 13_200 && bounds.end <= 13_200 + MARGIN_AFTER + WINDOW,
            "{bounds:?}"
        );
        let silence: Vec<f32> = (0..36_000)
            .map(|_| rng.random_range(-400.0..400.0))
            .collect();
        assert!(speech_bounds(&silence).is_none());
        assert!(speech_bounds(&[]).is_none());
    }

    #[test]
    fn low_pass_keeps_speech_band_and_removes_what_would_alias() {
        let passed = low_pass(&sine(1_000.0, 4_000, 1.0), 0..4_000);
        let stopped = low_pass(&sine(5_200.0, 4_000, 1.0), 0..4_000);
        let middle = 200..3_800;
        assert!((rms(&passed[middle.clone()]) - rms(&sine(1_000.0, 3_600, 1.0))).abs() < 0.01);
        assert!(
            rms(&stopped[middle]) < 0.003,
            "{}",
            rms(&stopped[200..3_800])
        );
        let dc = low_pass(&[1.0; 500], 0..500);
        assert!((dc[250] - 1.0).abs() < 1e-4);
        assert_eq!(low_pass(&[1.0; 10], 3..7).len(), 4);
        assert!(low_pass(&[], 0..0).is_empty());
    }

    #[test]
    fn fades_silence_the_edges() {
        let signal = faded(vec![1.0; 1_000]);
        assert_eq!(signal[0], 0.0);
        assert_eq!(signal[999], 0.0);
        assert_eq!(signal[500], 1.0);
        assert_eq!(faded(vec![1.0]), vec![1.0]);
        assert!(faded(Vec::new()).is_empty());
    }

    #[test]
    fn noise_table_is_white_with_unit_rms() {
        let noise = noise_table();
        assert_eq!(noise.len(), NOISE_SAMPLES);
        assert!((rms(&noise) - 1.0).abs() < 1e-3);
        let mean = noise.iter().sum::<f32>() / noise.len() as f32;
        assert!(mean.abs() < 0.05);
        assert_eq!(noise, noise_table());
    }

    #[test]
    fn recordings_hold_every_digit_trimmed_and_normalized() {
        let recordings = recordings().expect("the captcha crate's recordings decode");
        let mut loudest = 0.0f32;
        for &digit in AUDIO_ALPHABET {
            let samples = recordings.digit(digit).expect("every digit");
            let seconds = samples.len() as f32 / SOURCE_RATE as f32;
            // "number N" lasts 0.6 to 0.8 s.
            assert!(
                (0.5..1.0).contains(&seconds),
                "{} lasts {seconds} s",
                digit as char
            );
            assert!(samples.iter().all(|x| x.is_finite() && x.abs() <= 1.0));
            assert!(samples.first().is_some_and(|x| *x == 0.0));
            loudest = samples.iter().fold(loudest, |m, x| m.max(x.abs()));
        }
        assert_eq!(loudest, 1.0);
        assert!(recordings.digit(b'0').is_none());
        assert!(recordings.digit(b'A').is_none());
        assert_eq!(recordings.babble().len(), BABBLE_LETTERS.len());
        for fragment in recordings.babble() {
            assert!(fragment.len() > OUTPUT_RATE as usize / 2);
        }
    }

    #[test]
    fn denoising_is_consistent_between_decodings() {
        // Two independent decodings of one digit differ only by their residual noise.
        let a = clean_recordings(&['7'], DIGIT_COPIES).expect("decodes");
        let b = clean_recordings(&['7'], DIGIT_COPIES).expect("decodes");
        let (a, b) = (&a[0], &b[0]);
        assert_eq!(a.len(), 36_000);
        let (speech_a, speech_b) = (
            speech_bounds(a).expect("speech"),
            speech_bounds(b).expect("speech"),
        );
        assert!(
            speech_a.end.abs_diff(speech_b.end) <= 3 * WINDOW,
            "{speech_a:?} {speech_b:?}"
        );
        // Compared as rendering uses them: low-passed.
        let (a, b) = (low_pass(a, speech_a.clone()), low_pass(b, speech_a));
        let difference: Vec<f32> = a.iter().zip(&b).map(|(x, y)| x - y).collect();
        // Two residuals of ≈ 243 each, ≈ 340 apart before and ≈ 210 after the filter,
        // against speech of about 3000.
        assert!(rms(&difference) < 300.0, "difference {}", rms(&difference));
        assert!(rms(&a) > 10.0 * rms(&difference), "signal {}", rms(&a));
    }
}
