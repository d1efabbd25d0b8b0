//! The audio clip of a challenge: its digits spoken one after another, each in a voice,
//! speed and loudness of its own, over a continuous babble of other spoken words in a
//! reverberant room, encoded as one WAV.
//!
//! What keeps a white-box attacker (who runs this generator to train on) from cutting the
//! clip into digits and classifying each:
//! - no silence anywhere: two streams of babble words (digits and letters, in the same
//!   voices as the digits, slower or faster) run from the first sample to the last, about
//!   10 dB under the digits, so no quiet gap marks where a digit starts;
//! - neighbouring digits may overlap a little, or stand apart, by a random amount;
//! - reverberation (a room drawn from the seed) smears every word's end into what follows;
//! - every digit is one of several voices, sped up or slowed down (pitch and formants
//!   with it), at its own loudness.
//!
//! People pick the digits out of the babble by their loudness: each digit stands clearly
//! above the background (a unit test holds at least 6 dB over each digit's span).
//!
//! Format: 11,025 Hz mono 8-bit unsigned PCM, about 11 KB a second: six digits take 4 to
//! 7 s, well within 100 KB and 10 s. Speech up to about 4.5 kHz is kept.
//!
//! Every random choice comes from the challenge seed's audio stream and the recordings are
//! constants shipped with the crate ([`recording`](super::recording)); the arithmetic is
//! integer and basic float operations only (no platform maths library), so a challenge
//! renders the same bytes in every process, and two challenges with the same answer sound
//! different.

use std::io;
use std::ops::RangeInclusive;

use rand::RngExt;
use rand::rngs::ChaCha20Rng;

use super::recording::{self, RATE, Recordings, WORD_RMS};
use super::{AUDIO_STREAM, Answer, ChallengeError, Seed};

/// Samples in `ms` milliseconds.
const fn ms(ms: usize) -> usize {
    ms * RATE as usize / 1000
}

/// Babble alone before the first digit.
const LEAD_IN: RangeInclusive<usize> = ms(500)..=ms(900);

/// From the end of one digit to the start of the next, in samples: negative when they
/// overlap.
const GAP: RangeInclusive<i32> = -(ms(150) as i32)..=ms(120) as i32;

/// Babble alone after the last digit.
const TAIL: RangeInclusive<usize> = ms(350)..=ms(600);

/// Speed of a digit against its recording: above 1 is faster and higher.
const DIGIT_RATE: RangeInclusive<f32> = 0.88..=1.14;

/// Loudness of a digit against its recording (every recording has the same RMS): -3 to
/// +1 dB, so that no fixed fraction of the loudest level finds every digit.
const DIGIT_GAIN: RangeInclusive<f32> = 0.7..=1.12;

/// Babble streams: words one after another, each stream independently.
const BABBLE_STREAMS: usize = 2;

/// Speed of a babble word against its recording.
const BABBLE_RATE: RangeInclusive<f32> = 0.8..=1.25;

/// Loudness of a babble word that sounds with a digit, against a digit's: -20 to -12 dB.
const BABBLE_UNDER: RangeInclusive<f32> = 0.1..=0.25;

/// Loudness of a babble word between digits (a letter or zero), against a digit's: -14
/// to -8 dB.
const BABBLE_BETWEEN: RangeInclusive<f32> = 0.2..=0.4;

/// From the end of one babble word to the start of the next in the same stream, in
/// samples: negative when they overlap.
const BABBLE_GAP: RangeInclusive<i32> = -(ms(120) as i32)..=ms(100) as i32;

/// RMS of the broadband noise against a digit's RMS: about -36 dB, a floor under all.
const NOISE_GAIN: f32 = 0.016 * WORD_RMS;

/// Share of the digits sent into the room.
const DIGIT_SEND: RangeInclusive<f32> = 0.4..=0.7;

/// Share of the babble sent into the room: more than the digits, so it sounds farther.
const BABBLE_SEND: RangeInclusive<f32> = 0.6..=0.9;

/// Delays of the room's four parallel comb filters, in samples (about 27 to 50 ms, one
/// range each so that they never coincide).
const COMB_DELAYS: [RangeInclusive<usize>; 4] = [
    ms(27)..=ms(31),
    ms(32)..=ms(37),
    ms(38)..=ms(43),
    ms(44)..=ms(50),
];

/// Feedback of the comb filters: a reverberation time of about 0.4 to 0.7 s.
const COMB_FEEDBACK: RangeInclusive<f32> = 0.65..=0.78;

/// Delays and gain of the two all-pass filters that diffuse the combs' echoes.
const ALL_PASS_DELAYS: [usize; 2] = [ms(5), ms(2)];
const ALL_PASS_GAIN: f32 = 0.6;

/// Spacing of the nodes of the clip's slow loudness swell.
const SWELL_NODE: RangeInclusive<usize> = ms(100)..=ms(300);

/// Gain of the whole clip at a node of the swell (linear in between): 0 to -9 dB, so that
/// the loudest moments are not always the digits' vowels; digits and babble swell
/// together, so that the one stays as far above the other.
const SWELL_GAIN: RangeInclusive<f32> = 0.35..=1.0;

/// Fade in at the clip's start and out at its end, where babble may be mid-word.
const CLIP_FADE: usize = ms(60);

/// Peak of the clip in 8-bit steps (of 127): loud, with headroom.
const PEAK: f32 = 0.9 * 127.0;

/// Fractional bits of the fixed-point read position in a recording.
const FRACTION_BITS: u32 = 16;

/// Length of a canonical 44-byte WAV header, as hound writes for 8-bit mono.
const WAV_HEADER: usize = 44;

/// Renders the audio clip of `answer`, with every random choice drawn from `seed`.
pub(crate) fn render(answer: &Answer, seed: &Seed) -> Result<Vec<u8>, ChallengeError> {
    let recordings = recording::recordings()?;
    let mut rng = seed.stream(AUDIO_STREAM);
    let layers = Layers::draw(answer.expose_secret(), recordings, &mut rng)?;
    let swell = swell(layers.digits.len(), &mut rng);
    encode(&layers.mixed(&swell))
}

/// A clip before mixing: the digits and the babble, each dry, and the room they are in.
struct Layers {
    /// The digits, dry.
    digits: Vec<f32>,
    /// Babble and noise, dry.
    babble: Vec<f32>,
    /// The room.
    room: Room,
    /// Share of the digits sent into the room.
    digit_send: f32,
    /// Share of the babble sent into the room.
    babble_send: f32,
}

impl Layers {
    /// Draws the digits' plan, the babble, the noise and the room, and renders the digits
    /// and the babble.
    fn draw(
        digits: &[u8],
        recordings: &Recordings,
        rng: &mut ChaCha20Rng,
    ) -> Result<Self, ChallengeError> {
        let plan = Plan::draw(digits, recordings, rng)?;
        let mut dry = vec![0.0f32; plan.len];
        for word in &plan.words {
            add_resampled(&mut dry, word.at, word.samples, word.step, word.gain);
        }
        let spans: Vec<(isize, isize)> = plan.words.iter().map(Word::span).collect();
        let mut babble = vec![0.0f32; plan.len];
        for _ in 0..BABBLE_STREAMS {
            add_babble_stream(&mut babble, recordings, &spans, rng);
        }
        add_noise(&mut babble, recordings.noise(), rng);
        Ok(Layers {
            digits: dry,
            babble,
            room: Room::draw(rng),
            digit_send: rng.random_range(DIGIT_SEND),
            babble_send: rng.random_range(BABBLE_SEND),
        })
    }

    /// Both layers and their reverberation added (one pass through the room, which is
    /// linear), swelling by `swell`, faded in and out at the clip's ends.
    fn mixed(&self, swell: &[f32]) -> Vec<f32> {
        let sent: Vec<f32> = self
            .digits
            .iter()
            .zip(&self.babble)
            .map(|(d, b)| self.digit_send * d + self.babble_send * b)
            .collect();
        let wet = self.room.reverberate(&sent);
        let mut mix: Vec<f32> = self
            .digits
            .iter()
            .zip(&self.babble)
            .zip(&wet)
            .zip(swell)
            .map(|(((d, b), w), g)| g * (d + b + w))
            .collect();
        let len = mix.len();
        let fade = CLIP_FADE.min(len / 2);
        for i in 0..fade {
            let gain = i as f32 / fade as f32;
            for j in [i, len - 1 - i] {
                if let Some(x) = mix.get_mut(j) {
                    *x *= gain;
                }
            }
        }
        mix
    }
}

/// A slow random swell of `len` samples: gains drawn from [`SWELL_GAIN`] at nodes
/// [`SWELL_NODE`] apart, linear in between.
fn swell(len: usize, rng: &mut ChaCha20Rng) -> Vec<f32> {
    let mut gains = Vec::with_capacity(len);
    let mut from = rng.random_range(SWELL_GAIN);
    while gains.len() < len {
        let to = rng.random_range(SWELL_GAIN);
        let span = rng.random_range(SWELL_NODE);
        let slope = (to - from) / span as f32;
        gains.extend((0..span).map(|i| from + slope * i as f32));
        from = to;
    }
    gains.truncate(len);
    gains
}

/// One word placed in a clip: which recording, where it starts, how fast and how loud.
struct Word<'r> {
    /// The recording.
    samples: &'r [f32],
    /// First output sample (negative: the word started before the clip).
    at: isize,
    /// Recording samples per output sample, fixed point with [`FRACTION_BITS`].
    step: u32,
    /// Gain, negative for an inverted (inaudibly different) waveform.
    gain: f32,
}

impl Word<'_> {
    /// The samples of the clip the word sounds in, from its first to past its last.
    fn span(&self) -> (isize, isize) {
        (
            self.at,
            self.at + resampled_len(self.samples.len(), self.step) as isize,
        )
    }
}

/// Where each digit of a clip is spoken, and how long the clip is.
struct Plan<'r> {
    words: Vec<Word<'r>>,
    /// Length of the clip in samples.
    len: usize,
}

impl<'r> Plan<'r> {
    /// Draws lead-in, voice, speed, gain, polarity and gap for each digit of `digits`.
    fn draw(
        digits: &[u8],
        recordings: &'r Recordings,
        rng: &mut ChaCha20Rng,
    ) -> Result<Self, ChallengeError> {
        let mut at = rng.random_range(LEAD_IN) as isize;
        let mut words = Vec::with_capacity(digits.len());
        for (i, &digit) in digits.iter().enumerate() {
            let takes = recordings
                .digit(digit)
                .ok_or(ChallengeError::Assets("recordings"))?;
            let samples = takes
                .get(rng.random_range(0..takes.len()))
                .ok_or(ChallengeError::Assets("recordings"))?;
            let step = step(rng.random_range(DIGIT_RATE));
            let gain = signed(rng, DIGIT_GAIN);
            words.push(Word {
                samples,
                at,
                step,
                gain,
            });
            at += resampled_len(samples.len(), step) as isize;
            if i + 1 < digits.len() {
                at += rng.random_range(GAP) as isize;
            }
        }
        let len = at.max(0) as usize + rng.random_range(TAIL);
        // An even number of 8-bit samples: no RIFF padding byte needed.
        Ok(Plan {
            words,
            len: len + len % 2,
        })
    }
}

/// A gain within `gains`, of random sign.
fn signed(rng: &mut ChaCha20Rng, gains: RangeInclusive<f32>) -> f32 {
    let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
    sign * rng.random_range(gains)
}

/// Adds one stream of babble to `mix`: random words at random speeds, one after another
/// with random gaps or overlaps, from before the start to past the end. A word that
/// sounds with a digit (whose `spans` it overlaps) is any word, quiet
/// ([`BABBLE_UNDER`]); a word between digits is a letter or zero, louder
/// ([`BABBLE_BETWEEN`]), so that the gaps between digits are not quiet.
fn add_babble_stream(
    mix: &mut [f32],
    recordings: &Recordings,
    spans: &[(isize, isize)],
    rng: &mut ChaCha20Rng,
) {
    // The first word may have started before the clip.
    let mut at = -(rng.random_range(0..=ms(400)) as isize);
    while at < mix.len() as isize {
        let step = step(rng.random_range(BABBLE_RATE));
        // Which words fit is known once the length is: draw among the longest first.
        let under_digit = |len: usize| {
            let end = at + resampled_len(len, step) as isize;
            spans.iter().any(|&(s, e)| s < end && at < e)
        };
        let index = rng.random_range(0..recordings.babble().len());
        let any = recordings
            .babble()
            .get(index)
            .map_or(&[][..], Vec::as_slice);
        let (samples, gains) = if under_digit(any.len()) {
            (any, BABBLE_UNDER)
        } else {
            let others = recordings.others();
            let other = others
                .get(index % others.len().max(1))
                .map_or(&[][..], Vec::as_slice);
            if under_digit(other.len()) {
                (other, BABBLE_UNDER)
            } else {
                (other, BABBLE_BETWEEN)
            }
        };
        let gain = signed(rng, gains);
        add_resampled(mix, at, samples, step, gain);
        let next = at
            + resampled_len(samples.len(), step) as isize
            + rng.random_range(BABBLE_GAP) as isize;
        // Always move on, even past an empty word.
        at = next.max(at + 1);
    }
}

/// Adds the noise table to `mix` from a random offset (wrapping around) at
/// [`NOISE_GAIN`].
fn add_noise(mix: &mut [f32], noise: &[f32], rng: &mut ChaCha20Rng) {
    if noise.is_empty() {
        return;
    }
    let start = rng.random_range(0..noise.len());
    let table = noise.iter().cycle().skip(start);
    for (slot, x) in mix.iter_mut().zip(table) {
        *slot += NOISE_GAIN * x;
    }
}

/// A small room: four parallel feedback comb filters and two all-pass filters in series
/// (Schroeder's reverberator), with delays and feedback drawn from the seed.
struct Room {
    combs: [(usize, f32); 4],
}

impl Room {
    /// Draws the comb filters' delays and feedback.
    fn draw(rng: &mut ChaCha20Rng) -> Self {
        let combs = COMB_DELAYS
            .clone()
            .map(|delays| (rng.random_range(delays), rng.random_range(COMB_FEEDBACK)));
        Room { combs }
    }

    /// The room's reverberation of `input` (without the dry sound), as long as `input`.
    fn reverberate(&self, input: &[f32]) -> Vec<f32> {
        let mut wet = vec![0.0f32; input.len()];
        for &(delay, feedback) in &self.combs {
            comb(input, &mut wet, delay, feedback, 1.0 - feedback);
        }
        for delay in ALL_PASS_DELAYS {
            all_pass(&mut wet, delay, ALL_PASS_GAIN);
        }
        wet
    }
}

/// Adds to `out` the feedback comb filter y[n] = x[n - delay] + feedback · y[n - delay] of
/// `input`, times `gain`.
fn comb(input: &[f32], out: &mut [f32], delay: usize, feedback: f32, gain: f32) {
    let mut y = vec![0.0f32; input.len()];
    if let Some(head) = y.get_mut(delay..) {
        head.iter_mut().zip(input).for_each(|(y, &x)| *y = x);
    }
    feed_back(&mut y, delay, feedback);
    for (slot, v) in out.iter_mut().zip(&y) {
        *slot += gain * v;
    }
}

/// `signal` through the all-pass filter y[n] = -g·x[n] + x[n - delay] + g·y[n - delay], in
/// place: it keeps the spectrum and smears the echoes in time. Computed as w[n] = x[n] +
/// g·w[n - delay], y[n] = -g·w[n] + w[n - delay].
fn all_pass(signal: &mut [f32], delay: usize, gain: f32) {
    let mut w = signal.to_vec();
    feed_back(&mut w, delay, gain);
    for (n, y) in signal.iter_mut().enumerate() {
        let delayed = n
            .checked_sub(delay)
            .and_then(|m| w.get(m))
            .copied()
            .unwrap_or(0.0);
        *y = -gain * w.get(n).copied().unwrap_or(0.0) + delayed;
    }
}

/// `signal[n] += feedback · signal[n - delay]` for every n in order, a block of `delay`
/// samples at a time (each block reads only the finished one before it, so it vectorises).
fn feed_back(signal: &mut [f32], delay: usize, feedback: f32) {
    let delay = delay.max(1);
    let mut start = delay;
    while start < signal.len() {
        let (past, future) = signal.split_at_mut(start);
        let source = past.get(start - delay..).unwrap_or_default();
        for (y, &echo) in future.iter_mut().zip(source) {
            *y += feedback * echo;
        }
        start += delay;
    }
}

/// The fixed-point step through a recording that plays it `rate` times as fast.
fn step(rate: f32) -> u32 {
    // Saturating cast; a rate is at most a few, far from overflowing.
    (rate * (1u32 << FRACTION_BITS) as f32).round().max(1.0) as u32
}

/// Samples that a recording of `len` samples lasts when read with `step`.
fn resampled_len(len: usize, step: u32) -> usize {
    let end = (len as u64) << FRACTION_BITS;
    usize::try_from(end.div_ceil(u64::from(step.max(1)))).unwrap_or(usize::MAX)
}

/// Adds `source`, read with `step` by linear interpolation, times `gain`, to `mix` from
/// sample `at` on (as much as fits; the part before sample 0 when `at` is negative is
/// left out). The recordings are low-passed below 4.5 kHz, so linear interpolation is
/// enough.
fn add_resampled(mix: &mut [f32], at: isize, source: &[f32], step: u32, gain: f32) {
    let len = resampled_len(source.len(), step);
    let skip = at.min(0).unsigned_abs();
    let Some(slots) = mix.get_mut(at.max(0) as usize..) else {
        return;
    };
    let unit = 1.0 / (1u32 << FRACTION_BITS) as f32;
    let mut position = skip as u64 * u64::from(step);
    for slot in slots.iter_mut().take(len.saturating_sub(skip)) {
        let i = (position >> FRACTION_BITS) as usize;
        let fraction = (position & ((1 << FRACTION_BITS) - 1)) as f32 * unit;
        let (a, b) = match source.get(i..i + 2) {
            Some(&[a, b]) => (a, b),
            _ => (source.get(i).copied().unwrap_or(0.0), 0.0),
        };
        *slot += gain * (a + (b - a) * fraction);
        position += u64::from(step);
    }
}

/// Encodes `mix` as an 8-bit mono WAV at [`RATE`], scaled so that its peak is [`PEAK`]
/// (no clipping).
///
/// hound writes the header; the samples are appended in bulk, since hound's writer takes
/// 8-bit samples one call (and one error check) at a time, which took several times as
/// long as all the rest of a render. The bytes are the same as hound's (a test writes
/// both).
fn encode(mix: &[f32]) -> Result<Vec<u8>, ChallengeError> {
    let failed = || ChallengeError::Encode("WAV");
    let data_len = u32::try_from(mix.len()).map_err(|_| failed())?;
    let riff_len = data_len.checked_add(36).ok_or_else(failed)?;
    let mut bytes = Vec::with_capacity(WAV_HEADER + mix.len());
    hound::WavWriter::new(io::Cursor::new(&mut bytes), spec())
        .and_then(hound::WavWriter::finalize)
        .map_err(|_| failed())?;
    // hound's header for no samples ends in "data" and a length of 0: set the lengths.
    let header = bytes.get_mut(..WAV_HEADER).ok_or_else(failed)?;
    if header.get(36..40) != Some(b"data".as_slice()) {
        return Err(failed());
    }
    for (field, value) in [(4..8, riff_len), (40..44, data_len)] {
        header
            .get_mut(field)
            .ok_or_else(failed)?
            .copy_from_slice(&value.to_le_bytes());
    }
    let peak = mix.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let scale = if peak > 0.0 { PEAK / peak } else { 0.0 };
    bytes.extend(mix.iter().map(|&x| unsigned_8_bit(x * scale)));
    Ok(bytes)
}

/// The WAV format of a clip: mono 8-bit PCM at [`RATE`].
fn spec() -> hound::WavSpec {
    hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 8,
        sample_format: hound::SampleFormat::Int,
    }
}

/// A level in 8-bit steps (-128..=127, beyond is clipped) as WAV stores it: rounded to
/// the nearest step (ties to even), plus 128.
fn unsigned_8_bit(level: f32) -> u8 {
    // Adding 1.5 · 2²³ leaves the rounded integer in the low bits of the mantissa (exact
    // for |level| < 2²²): faster than `round`, a library call on baseline x86-64.
    const MAGIC: f32 = 12_582_912.0;
    let rounded = ((level.clamp(-128.0, 127.0) + MAGIC).to_bits() as i32)
        .wrapping_sub(MAGIC.to_bits() as i32);
    (rounded + 128).clamp(0, 255) as u8
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed test
mod tests {
    use super::*;
    use crate::challenge::ChallengeKind;
    use recording::rms;

    fn seed(byte: u8) -> Seed {
        Seed([byte; 32])
    }

    fn answer(digits: &[u8]) -> Answer {
        Answer::from_stored(ChallengeKind::Audio, digits).expect("valid answer")
    }

    fn samples(wav: &[u8]) -> (hound::WavSpec, Vec<i8>) {
        let mut reader = hound::WavReader::new(wav).expect("a WAV");
        let spec = reader.spec();
        let samples = reader
            .samples::<i8>()
            .collect::<Result<_, _>>()
            .expect("samples");
        (spec, samples)
    }

    #[test]
    fn word_rms_is_the_recordings() {
        let recordings = recording::recordings().expect("recordings");
        let one = &recordings.digit(b'1').expect("digit")[0];
        assert!((rms(one) - WORD_RMS).abs() < 1e-4);
    }

    #[test]
    fn resampling_at_rate_one_copies() {
        let source: Vec<f32> = (0..100).map(|i| i as f32).collect();
        let step = step(1.0);
        assert_eq!(step, 1 << FRACTION_BITS);
        assert_eq!(resampled_len(source.len(), step), 100);
        let mut mix = vec![0.0; 120];
        add_resampled(&mut mix, 10, &source, step, 1.0);
        assert!(mix[..10].iter().all(|&x| x == 0.0));
        assert_eq!(mix[10..110], source[..]);
        assert!(mix[110..].iter().all(|&x| x == 0.0));
        // Started before the clip: only the rest is heard.
        let mut mix = vec![0.0; 50];
        add_resampled(&mut mix, -30, &source, step, 1.0);
        assert_eq!(mix[..], source[30..80]);
        // Beyond the clip: nothing.
        add_resampled(&mut mix, 50, &source, step, 1.0);
        add_resampled(&mut mix, 500, &source, step, 1.0);
        add_resampled(&mut mix, -500, &source, step, 1.0);
        assert_eq!(mix[..], source[30..80]);
    }

    #[test]
    fn resampling_interpolates_between_samples() {
        let source: Vec<f32> = (0..100).map(|i| i as f32).collect();
        // Rate 1.5: 1.5 source samples per output sample.
        let step = step(1.5);
        assert_eq!(resampled_len(source.len(), step), 67);
        let mut mix = vec![1.0; 10];
        add_resampled(&mut mix, 0, &source, step, -2.0);
        for (i, x) in mix.iter().enumerate() {
            assert!((x - (1.0 - 2.0 * 1.5 * i as f32)).abs() < 1e-3, "{i}: {x}");
        }
        // Slower playback lasts longer; nothing is read out of bounds.
        assert!(resampled_len(1000, super::step(0.9)) > resampled_len(1000, super::step(1.1)));
        add_resampled(&mut [], 0, &source, step, 1.0);
        add_resampled(&mut mix, 0, &[], step, 1.0);
        assert_eq!(resampled_len(10, 0), 10 << FRACTION_BITS);
    }

    #[test]
    fn babble_covers_the_whole_clip() {
        let recordings = recording::recordings().expect("recordings");
        for byte in 0..4 {
            let mut rng = seed(byte).stream(AUDIO_STREAM);
            let mut mix = vec![0.0; 5 * RATE as usize];
            add_babble_stream(
                &mut mix,
                recordings,
                &[(ms(500) as isize, ms(900) as isize)],
                &mut rng,
            );
            add_babble_stream(&mut mix, recordings, &[], &mut rng);
            // No stretch of 100 ms is near silence (30 dB under a digit).
            for window in mix.chunks_exact(ms(100)) {
                assert!(rms(window) > 0.03 * WORD_RMS, "{}", rms(window));
            }
        }
        add_babble_stream(&mut [], recordings, &[], &mut seed(0).stream(AUDIO_STREAM));
    }

    #[test]
    fn the_swell_is_slow_and_within_its_gains() {
        let mut rng = seed(4).stream(AUDIO_STREAM);
        let gains = swell(50_000, &mut rng);
        assert_eq!(gains.len(), 50_000);
        let (low, high) = (*SWELL_GAIN.start(), *SWELL_GAIN.end());
        assert!(gains.iter().all(|g| (low - 1e-6..=high + 1e-6).contains(g)));
        let fastest = (high - low) / *SWELL_NODE.start() as f32;
        for pair in gains.windows(2) {
            assert!((pair[1] - pair[0]).abs() <= fastest + 1e-6);
        }
        assert!(swell(0, &mut rng).is_empty());
    }

    #[test]
    fn the_room_echoes_and_decays() {
        let mut rng = seed(5).stream(AUDIO_STREAM);
        let room = Room::draw(&mut rng);
        let mut click = vec![0.0f32; 2 * RATE as usize];
        click[0] = 1.0;
        let wet = room.reverberate(&click);
        assert_eq!(wet.len(), click.len());
        let early = rms(&wet[..ms(100)]);
        let late = rms(&wet[ms(900)..ms(1000)]);
        assert!(early > 0.0 && late > 0.0);
        // At least 30 dB down after 0.9 s; all finite.
        assert!(late < early / 30.0, "{early} {late}");
        assert!(wet.iter().all(|x| x.is_finite()));
        // Nothing reaches the output before the shortest comb delay.
        assert!(wet[..*COMB_DELAYS[0].start()].iter().all(|&x| x == 0.0));
    }

    #[test]
    fn block_feedback_is_the_recurrence() {
        let mut rng = seed(8).stream(AUDIO_STREAM);
        let input: Vec<f32> = (0..1_000).map(|_| rng.random_range(-1.0..1.0)).collect();
        for delay in [1, 7, 300, 999, 1_000, 5_000] {
            let mut fast = input.clone();
            feed_back(&mut fast, delay, 0.6);
            let mut slow = input.clone();
            for n in delay..slow.len() {
                slow[n] += 0.6 * slow[n - delay];
            }
            assert_eq!(fast, slow, "{delay}");
        }
        // The all-pass filter as its textbook recurrence.
        let mut fast = input.clone();
        all_pass(&mut fast, 13, 0.6);
        let mut slow = vec![0.0f32; input.len()];
        for n in 0..input.len() {
            let (x_d, y_d) = if n >= 13 {
                (input[n - 13], slow[n - 13])
            } else {
                (0.0, 0.0)
            };
            slow[n] = -0.6 * input[n] + x_d + 0.6 * y_d;
        }
        for (a, b) in fast.iter().zip(&slow) {
            assert!((a - b).abs() < 1e-5, "{a} {b}");
        }
    }

    #[test]
    fn all_pass_keeps_the_energy() {
        let mut rng = seed(6).stream(AUDIO_STREAM);
        let mut signal: Vec<f32> = (0..20_000).map(|_| rng.random_range(-1.0..1.0)).collect();
        signal.extend([0.0; 2_000]);
        let before = rms(&signal);
        all_pass(&mut signal, ms(5), ALL_PASS_GAIN);
        assert!((rms(&signal) / before - 1.0).abs() < 0.05);
        all_pass(&mut [], 3, 0.5);
    }

    /// The same WAV written sample by sample through hound's writer.
    fn encode_with_hound(mix: &[f32]) -> Vec<u8> {
        let peak = mix.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        let mut cursor = io::Cursor::new(Vec::new());
        let mut writer = hound::WavWriter::new(&mut cursor, spec()).expect("header");
        for &x in mix {
            let level = (x * PEAK / peak).round_ties_even() as i8;
            writer.write_sample(level).expect("sample");
        }
        writer.finalize().expect("finalize");
        cursor.into_inner()
    }

    #[test]
    fn bulk_encoding_writes_the_bytes_hound_writes() {
        let mut rng = seed(9).stream(AUDIO_STREAM);
        for len in [0, 1, 2, 1_001, 70_000] {
            let mix: Vec<f32> = (0..len).map(|_| rng.random_range(-1.0..1.0)).collect();
            assert_eq!(
                encode(&mix).expect("encodes"),
                encode_with_hound(&mix),
                "{len}"
            );
        }
        let (_, samples) = samples(&encode(&[1.0, -1.0, 0.5, 0.0, -0.25]).expect("encodes"));
        assert_eq!(samples, [114, -114, 57, 0, -29]);
    }

    #[test]
    fn rounding_to_8_bits_is_to_nearest_and_clipped() {
        for (level, byte) in [
            (0.0, 128),
            (0.4, 128),
            (0.6, 129),
            (-0.6, 127),
            (0.5, 128),
            (1.5, 130),
            (-2.5, 126),
        ] {
            assert_eq!(unsigned_8_bit(level), byte, "{level}");
        }
        assert_eq!(unsigned_8_bit(1e9), 255);
        assert_eq!(unsigned_8_bit(-1e9), 0);
        assert_eq!(unsigned_8_bit(f32::NAN), unsigned_8_bit(f32::NAN));
    }

    #[test]
    fn clip_is_mono_8_bit_and_peaks_without_clipping() {
        let wav = render(&answer(b"123456"), &seed(7)).expect("renders");
        let (spec, samples) = samples(&wav);
        assert_eq!(spec.channels, 1);
        assert_eq!(spec.sample_rate, RATE);
        assert_eq!(spec.bits_per_sample, 8);
        assert_eq!(wav.len(), WAV_HEADER + samples.len());
        let peak = samples.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
        assert_eq!(f32::from(peak), PEAK.round());
    }

    /// The layers of a clip and the plan of its digits, as `render` draws them.
    fn layers(digits: &[u8], byte: u8) -> (Layers, Vec<(usize, usize)>) {
        let recordings = recording::recordings().expect("recordings");
        let layers =
            Layers::draw(digits, recordings, &mut seed(byte).stream(AUDIO_STREAM)).expect("layers");
        let plan =
            Plan::draw(digits, recordings, &mut seed(byte).stream(AUDIO_STREAM)).expect("plan");
        let spans = plan
            .words
            .iter()
            .map(|w| {
                let at = w.at as usize;
                (at, at + resampled_len(w.samples.len(), w.step))
            })
            .collect();
        (layers, spans)
    }

    /// How far each digit stands above the babble over its span, in dB: the digit with its
    /// own reverberation against the babble with its own (the room is linear).
    fn margins(byte: u8) -> Vec<f32> {
        let (layers, spans) = layers(b"4827159368", byte);
        let heard = |dry: &[f32], send: f32| -> Vec<f32> {
            let scaled: Vec<f32> = dry.iter().map(|x| send * x).collect();
            let wet = layers.room.reverberate(&scaled);
            dry.iter().zip(&wet).map(|(d, w)| d + w).collect()
        };
        let digits = heard(&layers.digits, layers.digit_send);
        let babble = heard(&layers.babble, layers.babble_send);
        spans
            .iter()
            .map(|&(start, end)| {
                20.0 * (rms(&digits[start..end]) / rms(&babble[start..end])).log10()
            })
            .collect()
    }

    #[test]
    fn every_digit_stands_clearly_above_the_babble() {
        let mut margins: Vec<f32> = (0..16).flat_map(margins).collect();
        margins.sort_by(f32::total_cmp);
        let median = margins[margins.len() / 2];
        // At least 6 dB for every digit, about 10 dB typically.
        assert!(margins[0] >= 6.0, "{margins:?}");
        assert!(median >= 9.0, "{margins:?}");
    }

    #[test]
    fn no_quiet_gap_before_a_digit() {
        for byte in 0..16 {
            let (layers, spans) = layers(b"4827159368", byte);
            let mix = layers.mixed(&vec![1.0; layers.digits.len()]);
            let loud = spans
                .iter()
                .map(|&(start, end)| rms(&mix[start..end]))
                .fold(0.0f32, f32::max);
            for &(start, _) in &spans {
                // The 100 ms before a digit starts are never far under the digits.
                let before = rms(&mix[start - ms(100)..start]);
                assert!(before > loud / 16.0, "{before} against {loud}");
            }
        }
    }

    #[test]
    fn six_digits_fit_in_ten_seconds_and_100_kb_at_worst() {
        let recordings = recording::recordings().expect("recordings");
        let longest = resampled_len(recordings.longest_digit(), step(*DIGIT_RATE.start()));
        let worst =
            LEAD_IN.end() + 6 * longest + 5 * GAP.end().unsigned_abs() as usize + TAIL.end() + 1;
        assert!(worst <= 10 * RATE as usize, "{worst} samples");
        assert!(WAV_HEADER + worst <= 100_000, "{worst} samples");
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let a = render(&answer(b"987654"), &seed(3)).expect("renders");
        assert_eq!(a, render(&answer(b"987654"), &seed(3)).expect("renders"));
        assert_ne!(a, render(&answer(b"987654"), &seed(4)).expect("renders"));
    }
}
