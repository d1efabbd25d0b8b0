//! The audio clip of a challenge: its digits spoken one after another, each in a voice,
//! speed, tone and loudness of its own, over babble that never stops, in a reverberant
//! room, encoded as one WAV.
//!
//! What keeps a white-box attacker (who runs this generator for training data) from
//! cutting the clip into digits at its quiet gaps and classifying each piece:
//! - no silence anywhere: two streams of babble run from the first sample to the last.
//!   One stream is any word (digits too, in the same voices) 13 to 22 dB down; the other
//!   speaks reversed words only 5 to 9 dB down between the digits, right up to where one
//!   starts, and ducks under the digits, so that the gaps are hardly quieter than the
//!   digits. Reversed speech sounds like speech to the ear but never like a digit. Babble
//!   words play as recorded (seven voices), which keeps the render fast;
//! - neighbouring digits overlap, or stand apart, by up to 150 ms;
//! - the whole clip swells slowly between soft and loud (up to 12 dB), so that no one
//!   fraction of the loudest level finds every digit, while each digit stays as far above
//!   the babble around it;
//! - a room drawn from the seed (a Schroeder reverberator) smears every word into what
//!   follows;
//! - each digit is one of five voices, slower or faster (pitch and formants with it),
//!   brighter or duller, louder or softer.
//!
//! People pick the digits out by their loudness and by being words: a digit stands about
//! 13 dB over the babble under it (at least 6 dB: a unit test), and its loudest moment
//! about 7.5 dB over the loudest babble within half a second (for one digit in ten, less
//! than 1 dB: that babble is then a reversed word in a gap, which no one takes for a
//! digit).
//!
//! Format: 11,025 Hz mono 8-bit unsigned PCM, about 11 KB a second: six digits take 3.5 to
//! 6 s, well within 100 KB and 10 s. Speech up to about 4.5 kHz is kept.
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

use super::recording::{self, Language, RATE, Recordings, WORD_RMS};
use super::{AUDIO_STREAM, Answer, ChallengeError, ChallengeKind, Seed};

/// Samples in `ms` milliseconds.
const fn ms(ms: usize) -> usize {
    ms * RATE as usize / 1000
}

/// Babble alone before the first digit.
const LEAD_IN: RangeInclusive<usize> = ms(500)..=ms(900);

/// From the end of one digit to the start of the next, in samples: negative when they
/// overlap (the end of a word is its quiet part).
const GAP: RangeInclusive<i32> = -(ms(150) as i32)..=ms(150) as i32;

/// Babble alone after the last digit.
const TAIL: RangeInclusive<usize> = ms(350)..=ms(600);

/// Speed of a digit against its recording: above 1 is faster and higher.
const DIGIT_RATE: RangeInclusive<f32> = 0.85..=1.08;

/// Loudness of a digit against its recording (every recording has the same RMS): -3 to
/// +1 dB, so that no fixed fraction of the loudest level finds every digit.
const DIGIT_GAIN: RangeInclusive<f32> = 0.7..=1.12;

/// Spectral tilt of a digit (see [`tilted`]): from duller to brighter than recorded.
const DIGIT_TILT: RangeInclusive<f32> = -0.6..=0.8;

/// Loudness of the quiet babble (any word, forward), against a digit's: -22 to -13 dB.
const BABBLE_UNDER: RangeInclusive<f32> = 0.08..=0.22;

/// Loudness of the gap-filling babble (reversed words) between digits, against a
/// digit's: -9 to -5 dB.
const BABBLE_BETWEEN: RangeInclusive<f32> = 0.36..=0.56;

/// Gain of the gap-filling babble under a digit: -18 dB, so that it sounds as quiet as
/// the rest of the babble there.
const DUCK: f32 = 0.12;

/// Samples over which the gap-filling babble ducks at the start of a digit and comes
/// back at its end: the digit's own quiet onset and ending.
const DUCK_RAMP: usize = ms(40);

/// From the end of one babble word to the start of the next in the same stream, in
/// samples: negative when they overlap.
const BABBLE_GAP: RangeInclusive<i32> = -(ms(150) as i32)..=ms(30) as i32;

/// RMS of the broadband noise against a digit's RMS: about -36 dB, a floor under all.
const NOISE_GAIN: f32 = 0.016 * WORD_RMS;

/// Share of the digits sent into the room.
const DIGIT_SEND: RangeInclusive<f32> = 0.4..=0.7;

/// Share of the babble sent into the room: more than the digits, so it sounds farther.
const BABBLE_SEND: RangeInclusive<f32> = 0.6..=0.9;

/// Delays of the room's three parallel comb filters, in samples (about 29 to 50 ms, one
/// range each so that they never coincide).
const COMB_DELAYS: [RangeInclusive<usize>; 3] = [ms(29)..=ms(34), ms(37)..=ms(42), ms(44)..=ms(50)];

/// Feedback of the comb filters: a reverberation time of about 0.6 to 1.1 s.
const COMB_FEEDBACK: RangeInclusive<f32> = 0.65..=0.78;

/// Delays and gain of the two all-pass filters that diffuse the combs' echoes.
const ALL_PASS_DELAYS: [usize; 2] = [ms(5), ms(2)];
const ALL_PASS_GAIN: f32 = 0.6;

/// Spacing of the nodes of the clip's slow loudness swell.
const SWELL_NODE: RangeInclusive<usize> = ms(350)..=ms(800);

/// Gain of the whole clip at the swell's nodes, which take turns between soft and loud
/// (linear in between): -12 to 0 dB, so that no one fraction of the loudest level finds
/// every digit; digits and babble swell together, and slowly, so that each digit stays as
/// far above the babble around it.
const SWELL_SOFT: RangeInclusive<f32> = 0.25..=0.5;
const SWELL_LOUD: RangeInclusive<f32> = 0.7..=1.0;

/// Fade in at the clip's start and out at its end, where babble may be mid-word.
const CLIP_FADE: usize = ms(60);

/// Peak of the clip in 8-bit steps (of 127): loud, with headroom.
const PEAK: f32 = 0.9 * 127.0;

/// Fractional bits of the fixed-point read position in a recording.
const FRACTION_BITS: u32 = 16;

/// Length of a canonical 44-byte WAV header, as hound writes for 8-bit mono.
const WAV_HEADER: usize = 44;

/// Renders the audio clip of `answer` in `language`, with every random choice drawn from
/// `seed`.
pub(crate) fn render(
    answer: &Answer,
    seed: &Seed,
    language: Language,
) -> Result<Vec<u8>, ChallengeError> {
    let recordings = recording::recordings_of(language)?;
    let mut rng = seed.stream(AUDIO_STREAM);
    let layers = Layers::draw(answer.expose_secret(), recordings, &mut rng)?;
    let mut mix = layers.mixed();
    swell(&mut mix, &mut rng);
    fade(&mut mix);
    encode(&mix)
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
            let mut alone = vec![0.0f32; resampled_len(word.samples.len(), word.step)];
            add_resampled(&mut alone, 0, word.samples, word.step, word.gain);
            let alone = tilted(&alone, word.tilt);
            if let Some(slots) = dry.get_mut(word.at.max(0) as usize..) {
                for (slot, x) in slots.iter_mut().zip(&alone) {
                    *slot += x;
                }
            }
        }
        let spans: Vec<(isize, isize)> = plan.words.iter().map(Word::span).collect();
        // A louder stream of reversed words that fills the gaps between the digits and
        // ducks under them, and a quiet stream of words throughout.
        let mut babble = vec![0.0f32; plan.len];
        add_babble_stream(&mut babble, recordings.reversed(), BABBLE_BETWEEN, rng);
        duck(&mut babble, &spans);
        add_babble_stream(&mut babble, recordings.babble(), BABBLE_UNDER, rng);
        add_noise(&mut babble, recordings.noise(), rng);
        Ok(Layers {
            digits: dry,
            babble,
            room: Room::draw(rng),
            digit_send: rng.random_range(DIGIT_SEND),
            babble_send: rng.random_range(BABBLE_SEND),
        })
    }

    /// Both layers and their reverberation added, in the layers' own buffers (a clip's
    /// buffers are too large for the allocator to keep: each new one costs page faults).
    fn mixed(self) -> Vec<f32> {
        let Layers {
            digits: mut mix,
            babble: mut sent,
            room,
            digit_send,
            babble_send,
        } = self;
        for (d, b) in mix.iter_mut().zip(sent.iter_mut()) {
            let (digit, babble) = (*d, *b);
            *d = digit + babble;
            *b = digit_send * digit + babble_send * babble;
        }
        room.add_reverberation(&mut sent, &mut mix);
        mix
    }
}

/// `mix` faded in at its start and out at its end over [`CLIP_FADE`].
fn fade(mix: &mut [f32]) {
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
}

/// Multiplies `mix` by a slow random swell: gains drawn from [`SWELL_SOFT`] and
/// [`SWELL_LOUD`] in turn (which first is random) at nodes [`SWELL_NODE`] apart, linear in
/// between.
fn swell(mix: &mut [f32], rng: &mut ChaCha20Rng) {
    let mut loud = rng.random::<bool>();
    let node = |rng: &mut ChaCha20Rng, loud: bool| {
        rng.random_range(if loud { SWELL_LOUD } else { SWELL_SOFT })
    };
    let mut from = node(rng, loud);
    let mut rest = mix;
    while !rest.is_empty() {
        loud = !loud;
        let to = node(rng, loud);
        let span = rng.random_range(SWELL_NODE);
        let slope = (to - from) / span as f32;
        let (segment, after) = rest.split_at_mut(span.min(rest.len()));
        // 32-bit indices: their conversion to float vectorises.
        for (x, i) in segment.iter_mut().zip(0i32..) {
            *x *= from + slope * i as f32;
        }
        rest = after;
        from = to;
    }
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
    /// Spectral tilt, see [`tilted`].
    tilt: f32,
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
                .ok_or(ChallengeError::Assets(ChallengeKind::Audio))?;
            let samples = takes
                .get(rng.random_range(0..takes.len()))
                .ok_or(ChallengeError::Assets(ChallengeKind::Audio))?;
            let step = step(rng.random_range(DIGIT_RATE));
            let gain = signed(rng, DIGIT_GAIN);
            let tilt = rng.random_range(DIGIT_TILT);
            words.push(Word {
                samples,
                at,
                step,
                gain,
                tilt,
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

/// `word` through y[n] = x[n] - tilt · x[n - 1] (brighter for a positive tilt, duller for
/// a negative one), scaled back to the RMS it had: the same word from another mouth or
/// microphone.
fn tilted(word: &[f32], tilt: f32) -> Vec<f32> {
    let mut previous = 0.0;
    let mut out: Vec<f32> = word
        .iter()
        .map(|&x| {
            let y = x - tilt * previous;
            previous = x;
            y
        })
        .collect();
    let (before, after) = (recording::rms(word), recording::rms(&out));
    let scale = if after > 0.0 { before / after } else { 0.0 };
    for y in &mut out {
        *y *= scale;
    }
    out
}

/// A gain within `gains`, of random sign.
fn signed(rng: &mut ChaCha20Rng, gains: RangeInclusive<f32>) -> f32 {
    let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
    sign * rng.random_range(gains)
}

/// Adds one stream of babble to `mix`: random words of `words` as recorded, at random gains
/// within `gains`, one after another with random gaps or overlaps, from before the start
/// to past the end.
fn add_babble_stream(
    mix: &mut [f32],
    words: &[Vec<f32>],
    gains: RangeInclusive<f32>,
    rng: &mut ChaCha20Rng,
) {
    if words.is_empty() {
        return;
    }
    // The first word may have started before the clip.
    let mut at = -(rng.random_range(0..=ms(400)) as isize);
    while at < mix.len() as isize {
        let samples = words
            .get(rng.random_range(0..words.len()))
            .map_or(&[][..], Vec::as_slice);
        let gain = signed(rng, gains.clone());
        add_resampled(mix, at, samples, 1 << FRACTION_BITS, gain);
        let next = at + samples.len() as isize + rng.random_range(BABBLE_GAP) as isize;
        // Always move on, even past an empty word.
        at = next.max(at + 1);
    }
}

/// Ducks the gap-filling babble `filler` under the digits: unchanged outside every span of
/// `spans`, times [`DUCK`] inside, ramping down over the first [`DUCK_RAMP`] samples of a
/// span (overlapping spans merged) and up over its last, so that the babble stays loud
/// right up to where a digit starts.
fn duck(filler: &mut [f32], spans: &[(isize, isize)]) {
    // Overlapping digits duck as one.
    let mut merged: Vec<(isize, isize)> = Vec::with_capacity(spans.len());
    let mut sorted = spans.to_vec();
    sorted.sort_unstable();
    for (start, end) in sorted {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    for (start, end) in merged {
        // Ramps at the span's own ends, wherever the clip cuts it.
        let len = end.saturating_sub(start).max(0) as usize;
        let ramp = DUCK_RAMP.min(len / 2).max(1);
        let step = (1.0 - DUCK) / ramp as f32;
        let gain = |edge: i32| {
            if edge as usize >= ramp {
                DUCK
            } else {
                1.0 - step * edge as f32
            }
        };
        // The part of the span before the clip's start.
        let skip = start.min(0).unsigned_abs();
        let last = (end.max(0) as usize).min(filler.len());
        let Some(slots) = filler.get_mut(start.max(0) as usize..last) else {
            continue;
        };
        let slots_len = slots.len();
        let (head, rest) = slots.split_at_mut(ramp.saturating_sub(skip).min(slots_len));
        for (x, i) in head.iter_mut().zip(skip as i32..) {
            *x *= gain(i);
        }
        let tail_from = len - ramp;
        let middle_len = tail_from.saturating_sub(skip + head.len()).min(rest.len());
        let (middle, tail) = rest.split_at_mut(middle_len);
        for x in middle {
            *x *= DUCK;
        }
        let first_tail = skip + head.len() + middle_len;
        for (x, i) in tail.iter_mut().zip(first_tail..) {
            *x *= gain((len - 1 - i) as i32);
        }
    }
}

/// Adds the noise table to `mix` from a random offset (wrapping around) at
/// [`NOISE_GAIN`].
fn add_noise(mix: &mut [f32], noise: &[f32], rng: &mut ChaCha20Rng) {
    if noise.is_empty() {
        return;
    }
    let start = rng.random_range(0..noise.len());
    let mut rest = mix;
    let mut from = start;
    while !rest.is_empty() {
        let table = noise.get(from..).unwrap_or_default();
        let (slots, after) = rest.split_at_mut(table.len().min(rest.len()));
        for (slot, x) in slots.iter_mut().zip(table) {
            *slot += NOISE_GAIN * x;
        }
        rest = after;
        from = 0;
    }
}

/// A small room: two all-pass filters in series, then three parallel feedback comb filters
/// (Schroeder's reverberator, its stages swapped, which is as good), with delays and
/// feedback drawn from the seed.
struct Room {
    combs: [(usize, f32); 3],
}

impl Room {
    /// Draws the comb filters' delays and feedback.
    fn draw(rng: &mut ChaCha20Rng) -> Self {
        let combs = COMB_DELAYS
            .clone()
            .map(|delays| (rng.random_range(delays), rng.random_range(COMB_FEEDBACK)));
        Room { combs }
    }

    /// Adds the room's reverberation of `input` (without the dry sound) to `out`: `input`
    /// through the all-pass filters (in place), then the comb filters.
    fn add_reverberation(&self, input: &mut [f32], out: &mut [f32]) {
        for delay in ALL_PASS_DELAYS {
            all_pass(input, delay, ALL_PASS_GAIN);
        }
        for &(delay, feedback) in &self.combs {
            comb(input, out, delay, feedback, 1.0 - feedback);
        }
    }
}

/// Adds to `out` the feedback comb filter y[n] = x[n - delay] + feedback · y[n - delay] of
/// `input`, times `gain`. A block of `delay` samples at a time, keeping only the last
/// block of y: each block reads only the one before it, so it vectorises.
fn comb(input: &[f32], out: &mut [f32], delay: usize, feedback: f32, gain: f32) {
    let delay = delay.max(1);
    let len = input.len().min(out.len());
    let mut echoes = vec![0.0f32; delay];
    let mut start = delay;
    while start < len {
        let sources = input.get(start - delay..start).unwrap_or_default();
        let outs = out.get_mut(start..).unwrap_or_default();
        for ((y, &x), out) in echoes.iter_mut().zip(sources).zip(outs) {
            *y = x + feedback * *y;
            *out += gain * *y;
        }
        start += delay;
    }
}

/// `signal` through the all-pass filter y[n] = -g·x[n] + x[n - delay] + g·y[n - delay], in
/// place: it keeps the spectrum and smears the echoes in time. Computed as w[n] = x[n] +
/// g·w[n - delay], y[n] = -g·w[n] + w[n - delay], a block of `delay` samples at a time,
/// keeping only the last block of w.
fn all_pass(signal: &mut [f32], delay: usize, gain: f32) {
    let delay = delay.max(1);
    let mut echoes = vec![0.0f32; delay];
    for block in signal.chunks_mut(delay) {
        for (w, x) in echoes.iter_mut().zip(block) {
            let echo = *w;
            *w = *x + gain * echo;
            *x = -gain * *w + echo;
        }
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
    if step == 1 << FRACTION_BITS {
        // Played as recorded: a plain add, which vectorises.
        let source = source.get(skip..).unwrap_or_default();
        for (slot, x) in slots.iter_mut().zip(source) {
            *slot += gain * x;
        }
        return;
    }
    let unit = 1.0 / (1u32 << FRACTION_BITS) as f32;
    let mut position = skip as u64 * u64::from(step);
    for slot in slots.iter_mut().take(len.saturating_sub(skip)) {
        let i = (position >> FRACTION_BITS) as usize;
        // The fraction fits 16 bits: a 32-bit conversion, one instruction.
        let fraction = (position & ((1 << FRACTION_BITS) - 1)) as i32 as f32 * unit;
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
    let failed = || ChallengeError::Encode(ChallengeKind::Audio);
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
    let peak = peak(mix);
    let scale = if peak > 0.0 { PEAK / peak } else { 0.0 };
    bytes.extend(mix.iter().map(|&x| unsigned_8_bit(x * scale)));
    Ok(bytes)
}

/// The largest magnitude in `mix` (0 when empty or all NaN): eight lanes at a time, which
/// vectorises.
fn peak(mix: &[f32]) -> f32 {
    let (chunks, rest) = mix.as_chunks::<8>();
    let mut lanes = [0.0f32; 8];
    for chunk in chunks {
        for (lane, x) in lanes.iter_mut().zip(chunk) {
            let magnitude = x.abs();
            *lane = if magnitude > *lane { magnitude } else { *lane };
        }
    }
    lanes
        .iter()
        .chain(rest)
        .fold(0.0f32, |m, x| if x.abs() > m { x.abs() } else { m })
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

    /// The swell's gains over `len` samples.
    fn gains(len: usize, rng: &mut ChaCha20Rng) -> Vec<f32> {
        let mut gains = vec![1.0; len];
        swell(&mut gains, rng);
        gains
    }

    /// The room's reverberation of `input` alone.
    fn reverberate(room: &Room, input: &[f32]) -> Vec<f32> {
        let mut input = input.to_vec();
        let mut wet = vec![0.0; input.len()];
        room.add_reverberation(&mut input, &mut wet);
        wet
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
            add_babble_stream(&mut mix, recordings.babble(), BABBLE_UNDER, &mut rng);
            add_babble_stream(&mut mix, recordings.reversed(), BABBLE_BETWEEN, &mut rng);
            // No stretch of 100 ms is near silence (30 dB under a digit).
            for window in mix.chunks_exact(ms(100)) {
                assert!(rms(window) > 0.03 * WORD_RMS, "{}", rms(window));
            }
        }
        let mut rng = seed(0).stream(AUDIO_STREAM);
        add_babble_stream(&mut [], recordings.babble(), BABBLE_UNDER, &mut rng);
        add_babble_stream(&mut [0.0; 10], &[], BABBLE_UNDER, &mut rng);
        add_babble_stream(&mut [0.0; 10], &[Vec::new()], BABBLE_UNDER, &mut rng);
    }

    #[test]
    fn the_filler_ducks_inside_digits_only() {
        let spans = [
            (-50, 100),
            (5_000, 9_000),
            (8_500, 10_000),
            (19_000, 25_000),
        ];
        let mut gains = vec![1.0f32; 20_000];
        duck(&mut gains, &spans);
        assert!(gains[100..5_000].iter().all(|&g| g == 1.0));
        assert_eq!(gains[5_000], 1.0);
        let ramping = gains[5_000 + DUCK_RAMP / 2];
        assert!(ramping < 1.0 && ramping > DUCK, "{ramping}");
        let ducked = &gains[5_000 + DUCK_RAMP..10_000 - DUCK_RAMP];
        assert!(ducked.iter().all(|&g| (g - DUCK).abs() < 1e-6));
        assert!(gains[10_000..19_000].iter().all(|&g| g == 1.0));
        assert!(gains[19_999] < 1.0);
        // Against the gain sample by sample, spans cut by the clip or not.
        for &(start, end) in &[
            (-300isize, 700isize),
            (100, 180),
            (5, 2_000),
            (1_500, 2_600),
        ] {
            let mut fast = vec![1.0f32; 2_000];
            duck(&mut fast, &[(start, end)]);
            let len = (end - start) as usize;
            let ramp = DUCK_RAMP.min(len / 2).max(1);
            for (n, &g) in fast.iter().enumerate() {
                let i = n as isize - start;
                let expected = if i < 0 || i >= len as isize {
                    1.0
                } else {
                    let edge = (i as usize).min(len - 1 - i as usize);
                    if edge >= ramp {
                        DUCK
                    } else {
                        1.0 - (1.0 - DUCK) / ramp as f32 * edge as f32
                    }
                };
                assert!(
                    (g - expected).abs() < 1e-6,
                    "{start}..{end} at {n}: {g} {expected}"
                );
            }
        }
        duck(&mut [], &[(0, 10)]);
        let mut three = [1.0f32; 3];
        duck(&mut three, &[(5, 5), (2, 1)]);
        assert_eq!(three, [1.0; 3]);
    }

    #[test]
    fn the_swell_is_slow_and_within_its_gains() {
        let mut rng = seed(4).stream(AUDIO_STREAM);
        let gains = gains(50_000, &mut rng);
        assert_eq!(gains.len(), 50_000);
        let (low, high) = (*SWELL_SOFT.start(), *SWELL_LOUD.end());
        assert!(gains.iter().all(|g| (low - 1e-6..=high + 1e-6).contains(g)));
        let fastest = (high - low) / *SWELL_NODE.start() as f32;
        for pair in gains.windows(2) {
            assert!((pair[1] - pair[0]).abs() <= fastest + 1e-6);
        }
        assert!(self::gains(0, &mut rng).is_empty());
    }

    #[test]
    fn the_room_echoes_and_decays() {
        let mut rng = seed(5).stream(AUDIO_STREAM);
        let room = Room::draw(&mut rng);
        let mut click = vec![0.0f32; 2 * RATE as usize];
        click[0] = 1.0;
        let wet = reverberate(&room, &click);
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
    fn block_filters_are_their_recurrences() {
        let mut rng = seed(8).stream(AUDIO_STREAM);
        let input: Vec<f32> = (0..1_000).map(|_| rng.random_range(-1.0..1.0)).collect();
        for delay in [1, 7, 13, 300, 999, 1_000, 5_000] {
            let mut fast = vec![0.5f32; input.len()];
            comb(&input, &mut fast, delay, 0.6, 0.25);
            let mut y = vec![0.0f32; input.len()];
            for n in delay..y.len() {
                y[n] = input[n - delay] + 0.6 * y[n - delay];
            }
            let slow: Vec<f32> = y.iter().map(|y| 0.5 + 0.25 * y).collect();
            assert_eq!(fast, slow, "comb {delay}");

            let mut fast = input.clone();
            all_pass(&mut fast, delay, 0.6);
            let mut slow = vec![0.0f32; input.len()];
            for n in 0..input.len() {
                let (x_d, y_d) = if n >= delay {
                    (input[n - delay], slow[n - delay])
                } else {
                    (0.0, 0.0)
                };
                slow[n] = -0.6 * input[n] + x_d + 0.6 * y_d;
            }
            for (a, b) in fast.iter().zip(&slow) {
                assert!((a - b).abs() < 1e-5, "all-pass {delay}: {a} {b}");
            }
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
        let wav = render(&answer(b"123456"), &seed(7), Language::English).expect("renders");
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
            let wet = reverberate(&layers.room, &scaled);
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

    /// How far each digit stands above the loudest 100 ms of babble within half a second
    /// of it, in dB, as heard (with the swell and the room).
    fn contrasts(byte: u8) -> Vec<f32> {
        let digits = b"4827159368";
        let (layers, spans) = layers(digits, byte);
        let mut rng = seed(byte).stream(AUDIO_STREAM);
        let recordings = recording::recordings().expect("recordings");
        let _ = Layers::draw(digits, recordings, &mut rng).expect("layers");
        let swell = gains(layers.digits.len(), &mut rng);
        let heard = |dry: &[f32], send: f32| -> Vec<f32> {
            let scaled: Vec<f32> = dry.iter().map(|x| send * x).collect();
            let wet = reverberate(&layers.room, &scaled);
            dry.iter()
                .zip(&wet)
                .zip(&swell)
                .map(|((d, w), g)| g * (d + w))
                .collect()
        };
        let digit_sound = heard(&layers.digits, layers.digit_send);
        let babble_sound = heard(&layers.babble, layers.babble_send);
        spans
            .iter()
            .map(|&(start, end)| {
                let from = start.saturating_sub(ms(500));
                let to = (end + ms(500)).min(babble_sound.len());
                let loudest = babble_sound[from..to]
                    .windows(ms(100))
                    .step_by(ms(10))
                    .map(rms)
                    .fold(0.0f32, f32::max);
                let digit = digit_sound[start..end]
                    .windows(ms(100))
                    .step_by(ms(10))
                    .map(rms)
                    .fold(0.0f32, f32::max);
                20.0 * (digit / loudest).log10()
            })
            .collect()
    }

    #[test]
    fn digits_stand_out_from_the_babble_around_them() {
        let mut contrasts: Vec<f32> = (0..16).flat_map(contrasts).collect();
        contrasts.sort_by(f32::total_cmp);
        let (p10, median) = (
            contrasts[contrasts.len() / 10],
            contrasts[contrasts.len() / 2],
        );
        // Measured: the loudest 100 ms of a digit stands about 7.5 dB over the loudest
        // 100 ms of babble within half a second of it; for one digit in ten a reversed word
        // in a gap nearby peaks within 1 dB of it (never a digit: it is reversed speech).
        assert!(p10 >= 0.5, "{contrasts:?}");
        assert!(median >= 7.0, "{contrasts:?}");
    }

    #[test]
    fn every_digit_stands_clearly_above_the_babble() {
        let mut margins: Vec<f32> = (0..16).flat_map(margins).collect();
        margins.sort_by(f32::total_cmp);
        let median = margins[margins.len() / 2];
        // At least 6 dB for every digit, about 13 dB typically.
        assert!(margins[0] >= 6.0, "{margins:?}");
        assert!(median >= 11.0, "{margins:?}");
    }

    #[test]
    fn no_quiet_gap_before_a_digit() {
        for byte in 0..16 {
            let (layers, spans) = layers(b"4827159368", byte);
            let mix = layers.mixed();
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
        let a = render(&answer(b"987654"), &seed(3), Language::English).expect("renders");
        assert_eq!(
            a,
            render(&answer(b"987654"), &seed(3), Language::English).expect("renders")
        );
        assert_ne!(
            a,
            render(&answer(b"987654"), &seed(4), Language::English).expect("renders")
        );
    }
}
