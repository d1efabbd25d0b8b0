//! The audio clip of a challenge: its digits spoken one after another, each after a pause
//! of its own, at its own speed and pitch and loudness, over faint reversed speech and
//! broadband noise, encoded as one WAV.
//!
//! Format: 11,025 Hz mono 8-bit unsigned PCM, about 11 KB a second. It is half the
//! recordings' rate (a plain 2:1 relation), keeps speech up to about 4.3 kHz (wider than a
//! telephone), and lets six spoken digits ("number 7", about 0.7 s each) with their pauses
//! fit in 100 KB; 8-bit quantisation noise lies far below the background noise added on
//! purpose (which also dithers it). 16-bit at 8 kHz would allow only 6 s in 100 KB.
//!
//! Every random choice comes from the challenge seed's audio stream, so a challenge always
//! renders the same bytes (within a process: the recordings are estimated from noisy copies
//! when the process starts, see [`recording`](super::recording)), and two challenges with
//! the same answer sound different. Everything that can be prepared once (denoising,
//! filtering, reversing, the noise table) is, in [`recording`](super::recording); a render
//! only places, resamples and mixes.

use std::io;
use std::ops::RangeInclusive;

use rand::RngExt;
use rand::rngs::ChaCha20Rng;

use super::recording::{self, OUTPUT_RATE, Recordings, SOURCE_RATE};
use super::{AUDIO_STREAM, Answer, ChallengeError, Seed};

/// Output samples in `ms` milliseconds.
const fn ms(ms: usize) -> usize {
    ms * OUTPUT_RATE as usize / 1000
}

/// Silence (background only) before the first digit.
const LEAD_IN: RangeInclusive<usize> = ms(300)..=ms(500);

/// Pause between two digits.
const GAP: RangeInclusive<usize> = ms(200)..=ms(450);

/// Background after the last digit.
const TAIL: RangeInclusive<usize> = ms(250)..=ms(350);

/// Speed of a digit against the recording: above 1 is faster and higher.
const RATE: RangeInclusive<f32> = 0.9..=1.1;

/// Loudness of a digit against the loudest recording (which peaks at 1.0).
const DIGIT_GAIN: RangeInclusive<f32> = 0.7..=1.0;

/// Loudness of a piece of reversed speech in the background: about 20 dB under the digits.
const BABBLE_GAIN: RangeInclusive<f32> = 0.05..=0.1;

/// Length of a piece of reversed speech in the background.
const BABBLE_PIECE: RangeInclusive<usize> = ms(250)..=ms(700);

/// RMS of a piece of broadband noise: about 45 dB under the digits' peaks, a little under
/// the babble, and half to one 8-bit step (so it also dithers the quantisation).
const NOISE_GAIN: RangeInclusive<f32> = 0.004..=0.008;

/// Length of a piece of broadband noise.
const NOISE_PIECE: RangeInclusive<usize> = ms(100)..=ms(300);

/// Fade in and out of every background piece; consecutive pieces overlap by this much.
const PIECE_FADE: usize = ms(10);

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
    let plan = Plan::draw(answer.expose_secret(), recordings, &mut rng)?;
    let mut mix = vec![0.0f32; plan.len];
    add_pieces(
        &mut mix,
        &[recordings.noise()],
        NOISE_PIECE,
        NOISE_GAIN,
        &mut rng,
    );
    add_pieces(
        &mut mix,
        recordings.babble(),
        BABBLE_PIECE,
        BABBLE_GAIN,
        &mut rng,
    );
    for voice in &plan.voices {
        if let Some(slots) = mix.get_mut(voice.at..) {
            add_resampled(slots, voice.samples, voice.step, voice.gain);
        }
    }
    encode(&mix)
}

/// One digit of a clip: which recording, where it starts, how fast and how loud.
struct Voice<'r> {
    /// The digit's recording at [`SOURCE_RATE`].
    samples: &'r [f32],
    /// First output sample.
    at: usize,
    /// Recording samples per output sample, fixed point with [`FRACTION_BITS`].
    step: u32,
    /// Gain, negative for an inverted (inaudibly different) waveform.
    gain: f32,
}

/// Where each digit of a clip is spoken, and how long the clip is.
struct Plan<'r> {
    voices: Vec<Voice<'r>>,
    /// Length of the clip in output samples.
    len: usize,
}

impl<'r> Plan<'r> {
    /// Draws lead-in, speed, gain, polarity and pause for each digit of `digits`.
    fn draw(
        digits: &[u8],
        recordings: &'r Recordings,
        rng: &mut ChaCha20Rng,
    ) -> Result<Self, ChallengeError> {
        let mut at = rng.random_range(LEAD_IN);
        let mut voices = Vec::with_capacity(digits.len());
        for (i, &digit) in digits.iter().enumerate() {
            let samples = recordings
                .digit(digit)
                .ok_or(ChallengeError::Assets("recordings"))?;
            let step = step(rng.random_range(RATE));
            let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
            let gain = sign * rng.random_range(DIGIT_GAIN);
            voices.push(Voice {
                samples,
                at,
                step,
                gain,
            });
            at += resampled_len(samples.len(), step);
            at += if i + 1 < digits.len() {
                rng.random_range(GAP)
            } else {
                rng.random_range(TAIL)
            };
        }
        // An even number of 8-bit samples: no RIFF padding byte needed.
        Ok(Plan {
            voices,
            len: at + at % 2,
        })
    }
}

/// The fixed-point step through a recording that plays it `rate` times as fast.
fn step(rate: f32) -> u32 {
    let source_per_output = rate * SOURCE_RATE as f32 / OUTPUT_RATE as f32;
    // Saturating cast; a rate is at most a few, far from overflowing.
    (source_per_output * (1u32 << FRACTION_BITS) as f32)
        .round()
        .max(1.0) as u32
}

/// Output samples that a recording of `len` samples lasts when read with `step`.
fn resampled_len(len: usize, step: u32) -> usize {
    let end = (len as u64) << FRACTION_BITS;
    usize::try_from(end.div_ceil(u64::from(step.max(1)))).unwrap_or(usize::MAX)
}

/// Adds `source`, read with `step` by linear interpolation, times `gain`, to the start of
/// `mix` (as much as fits). The recordings are kept at twice the output rate and
/// low-passed, so linear interpolation is enough.
fn add_resampled(mix: &mut [f32], source: &[f32], step: u32, gain: f32) {
    let len = resampled_len(source.len(), step).min(mix.len());
    let unit = 1.0 / (1u32 << FRACTION_BITS) as f32;
    let mut position = 0u64;
    for slot in mix.iter_mut().take(len) {
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

/// Covers `mix` with pieces of `sources`, one after another (overlapping by their fades):
/// each from a random source, offset, length (within `lengths`) and gain (within `gains`).
fn add_pieces<S: AsRef<[f32]>>(
    mix: &mut [f32],
    sources: &[S],
    lengths: RangeInclusive<usize>,
    gains: RangeInclusive<f32>,
    rng: &mut ChaCha20Rng,
) {
    if sources.is_empty() {
        return;
    }
    let mut at = 0;
    while at < mix.len() {
        let source = sources
            .get(rng.random_range(0..sources.len()))
            .map_or(&[][..], AsRef::as_ref);
        let len = rng.random_range(lengths.clone()).min(source.len());
        let start = rng.random_range(0..=source.len() - len);
        let gain = rng.random_range(gains.clone());
        if let (Some(slots), Some(piece)) = (mix.get_mut(at..), source.get(start..start + len)) {
            add_faded(slots, piece, gain);
        }
        at += len.saturating_sub(PIECE_FADE).max(1);
    }
}

/// Adds `piece` times `gain` to the start of `mix` (as much as fits), faded in and out
/// over [`PIECE_FADE`] samples.
fn add_faded(mix: &mut [f32], piece: &[f32], gain: f32) {
    let len = mix.len().min(piece.len());
    let (Some(mix), Some(piece)) = (mix.get_mut(..len), piece.get(..len)) else {
        return;
    };
    for (slot, x) in mix.iter_mut().zip(piece) {
        *slot += gain * x;
    }
    // Take the faded-away part off again at both ends.
    let fade = PIECE_FADE.min(len / 2);
    for i in 0..fade {
        let missing = gain * (fade - i) as f32 / fade as f32;
        let j = len - 1 - i;
        for k in [i, j] {
            if let (Some(slot), Some(x)) = (mix.get_mut(k), piece.get(k)) {
                *slot -= missing * x;
            }
        }
    }
}

/// Encodes `mix` as an 8-bit mono WAV at [`OUTPUT_RATE`], scaled so that its peak is
/// [`PEAK`] (no clipping).
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

/// The WAV format of a clip: mono 8-bit PCM at [`OUTPUT_RATE`].
fn spec() -> hound::WavSpec {
    hound::WavSpec {
        channels: 1,
        sample_rate: OUTPUT_RATE,
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

    fn rms(samples: &[f32]) -> f32 {
        (samples.iter().map(|x| x * x).sum::<f32>() / samples.len().max(1) as f32).sqrt()
    }

    #[test]
    fn resampling_at_rate_one_takes_every_other_sample() {
        let source: Vec<f32> = (0..100).map(|i| i as f32).collect();
        let step = step(1.0);
        assert_eq!(step, 2 << FRACTION_BITS);
        assert_eq!(resampled_len(source.len(), step), 50);
        let mut mix = vec![0.0; 60];
        add_resampled(&mut mix, &source, step, 1.0);
        assert_eq!(
            mix[..50],
            (0..50).map(|i| 2.0 * i as f32).collect::<Vec<_>>()[..]
        );
        assert!(mix[50..].iter().all(|&x| x == 0.0));
    }

    #[test]
    fn resampling_interpolates_between_samples() {
        let source: Vec<f32> = (0..100).map(|i| i as f32).collect();
        // Rate 0.75: 1.5 source samples per output sample.
        let step = step(0.75);
        assert_eq!(resampled_len(source.len(), step), 67);
        let mut mix = vec![1.0; 10];
        add_resampled(&mut mix, &source, step, -2.0);
        for (i, x) in mix.iter().enumerate() {
            assert!((x - (1.0 - 2.0 * 1.5 * i as f32)).abs() < 1e-3, "{i}: {x}");
        }
        // Slower playback lasts longer; nothing is read out of bounds.
        assert!(resampled_len(1000, super::step(0.9)) > resampled_len(1000, super::step(1.1)));
        add_resampled(&mut [], &source, step, 1.0);
        add_resampled(&mut mix, &[], step, 1.0);
        assert_eq!(resampled_len(10, 0), 10 << FRACTION_BITS);
    }

    #[test]
    fn faded_pieces_start_and_end_silent() {
        let mut mix = vec![0.0; 1_000];
        add_faded(&mut mix, &[1.0; 500], 0.5);
        assert_eq!(mix[0], 0.0);
        assert!((mix[250] - 0.5).abs() < 1e-6);
        assert!(mix[499].abs() < 0.5 / PIECE_FADE as f32 + 1e-6);
        assert!(mix[500..].iter().all(|&x| x == 0.0));
        add_faded(&mut mix[990..], &[1.0; 500], 0.5);
        add_faded(&mut mix, &[], 0.5);
    }

    #[test]
    fn pieces_cover_the_whole_mix() {
        let mut rng = seed(1).stream(AUDIO_STREAM);
        let sources = [vec![1.0f32; 3_000], vec![-1.0; 5_000]];
        let mut mix = vec![0.0; 20_000];
        add_pieces(&mut mix, &sources, ms(100)..=ms(300), 0.5..=1.0, &mut rng);
        // Only the very first fade-in is near silence.
        assert!(mix[PIECE_FADE..].iter().filter(|x| x.abs() < 0.05).count() < 200);
        let none: [Vec<f32>; 0] = [];
        add_pieces(&mut mix, &none, ms(100)..=ms(300), 0.5..=1.0, &mut rng);
        add_pieces(
            &mut mix,
            &[Vec::new()],
            ms(100)..=ms(300),
            0.5..=1.0,
            &mut rng,
        );
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
        assert_eq!(spec.sample_rate, OUTPUT_RATE);
        assert_eq!(spec.bits_per_sample, 8);
        assert_eq!(wav.len(), WAV_HEADER + samples.len());
        let peak = samples.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
        assert_eq!(f32::from(peak), PEAK.round());
    }

    #[test]
    fn digits_stand_well_above_the_background() {
        let recordings = recording::recordings().expect("recordings");
        for byte in 0..8 {
            let digits = b"4827159368";
            let wav = render(&answer(digits), &seed(byte)).expect("renders");
            let (_, samples) = samples(&wav);
            let samples: Vec<f32> = samples.iter().map(|&s| f32::from(s)).collect();
            let plan =
                Plan::draw(digits, recordings, &mut seed(byte).stream(AUDIO_STREAM)).expect("plan");
            let first = plan.voices.first().map_or(0, |v| v.at);
            let background = rms(&samples[..first]);
            for voice in &plan.voices {
                let end = voice.at + resampled_len(voice.samples.len(), voice.step);
                let speech = rms(&samples[voice.at..end]);
                // Typically 16 to 23 dB louder than the background alone; at least 12.
                assert!(speech > 4.0 * background, "{speech} against {background}");
            }
            // The background is audible, not silence.
            assert!(background > 1.0, "{background}");
        }
    }

    #[test]
    fn six_digits_fit_in_ten_seconds_and_100_kb_at_worst() {
        let recordings = recording::recordings().expect("recordings");
        let longest = resampled_len(recordings.longest_digit(), step(*RATE.start()));
        let worst = LEAD_IN.end() + 6 * longest + 5 * GAP.end() + TAIL.end();
        assert!(worst <= 10 * OUTPUT_RATE as usize, "{worst} samples");
        assert!(WAV_HEADER + worst <= 100_000, "{worst} samples");
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let a = render(&answer(b"987654"), &seed(3)).expect("renders");
        assert_eq!(a, render(&answer(b"987654"), &seed(3)).expect("renders"));
        assert_ne!(a, render(&answer(b"987654"), &seed(4)).expect("renders"));
    }
}
