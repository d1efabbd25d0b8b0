//! The clean spoken words the audio challenges are made from, shipped with the crate and
//! decoded once per process: the digits 1–9 in several voices, and babble words (other
//! digits and letters) for the background, per language.
//!
//! `scripts/make-recordings` made them once with espeak-ng and sox and stored each
//! language in one file, `voices/<language>.vox`: a small index and 8-bit G.711 µ-law at
//! [`RATE`] (layout in the script). The bytes are constants of the build, and decoding is
//! integer and basic float arithmetic only, so every process on every platform decodes the
//! same samples and renders the same clip for the same challenge.

use std::sync::OnceLock;

use super::{AUDIO_ALPHABET, ChallengeError, ChallengeKind};

/// Sample rate of the recordings and of the rendered clip, in Hz.
pub(crate) const RATE: u32 = 11_025;

/// The first bytes of a `.vox` file: its format and version.
const MAGIC: &[u8; 8] = b"SSPRVOX1";

/// Bytes of one index entry: symbol, voice, sample count (u32).
const ENTRY: usize = 6;

/// RMS of every decoded recording: all words equally loud, with room for their peaks
/// (espeak's words peak at 3 to 6 times their RMS).
pub(crate) const WORD_RMS: f32 = 0.15;

/// Fade in and out of every recording: 5 ms, so that no edge clicks.
const FADE: usize = 55;

/// Samples in the broadband noise table: 1.5 s.
const NOISE_SAMPLES: usize = 1 << 14;

/// The language an audio challenge speaks its digits in (and whose number words the
/// answer check accepts, beside English). Each has its own recordings
/// (`src/challenge/voices/<tag>.vox`, made by `scripts/make-recordings`), decoded once
/// per process. A challenge records its language, so a flow resumed on another server
/// speaks the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Language {
    /// English digits (the default).
    #[default]
    English,
    /// Dutch digits ("een, twee, drie").
    Dutch,
}

impl Language {
    /// Every language the challenges speak.
    pub const ALL: [Language; 2] = [Language::English, Language::Dutch];

    /// The language's tag: `en`, `nl`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Dutch => "nl",
        }
    }

    /// The language of a tag (`nl`, `nl-BE`, `EN`): the primary subtag decides; `None`
    /// for a language the challenges do not speak.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_', '.']).next()?;
        Language::ALL
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(primary))
    }

    /// The language's recordings as the script wrote them.
    fn asset(self) -> &'static [u8] {
        match self {
            Language::English => include_bytes!("voices/en.vox"),
            Language::Dutch => include_bytes!("voices/nl.vox"),
        }
    }

    /// The slot where the language's decoded recordings are kept for the process.
    fn decoded(self) -> &'static OnceLock<Option<Recordings>> {
        static ENGLISH: OnceLock<Option<Recordings>> = OnceLock::new();
        static DUTCH: OnceLock<Option<Recordings>> = OnceLock::new();
        match self {
            Language::English => &ENGLISH,
            Language::Dutch => &DUTCH,
        }
    }
}

/// Every recording of one language, decoded.
pub(crate) struct Recordings {
    /// For each digit of [`AUDIO_ALPHABET`], in its order, its recordings in every digit
    /// voice, each of RMS [`WORD_RMS`].
    digits: Vec<Vec<Vec<f32>>>,
    /// Every recording of the file (the digits too), each of RMS [`WORD_RMS`].
    babble: Vec<Vec<f32>>,
    /// Every recording of the file, reversed in time.
    reversed: Vec<Vec<f32>>,
    /// White noise of RMS 1.0.
    noise: Vec<f32>,
}

impl Recordings {
    /// The recordings of an ASCII digit of [`AUDIO_ALPHABET`], one per voice (at least one).
    pub(crate) fn digit(&self, digit: u8) -> Option<&[Vec<f32>]> {
        let index = AUDIO_ALPHABET.iter().position(|&d| d == digit)?;
        self.digits.get(index).map(Vec::as_slice)
    }

    /// Samples of the longest digit recording.
    #[cfg(test)]
    pub(crate) fn longest_digit(&self) -> usize {
        self.digits
            .iter()
            .flatten()
            .map(Vec::len)
            .max()
            .unwrap_or(0)
    }

    /// Every word of the language, for the background babble.
    pub(crate) fn babble(&self) -> &[Vec<f32>] {
        &self.babble
    }

    /// Every word reversed in time: speech to the ear, and never a digit.
    pub(crate) fn reversed(&self) -> &[Vec<f32>] {
        &self.reversed
    }

    /// White noise of RMS 1.0.
    pub(crate) fn noise(&self) -> &[f32] {
        &self.noise
    }
}

/// The English recordings, decoded on the first call and shared by every later one.
#[cfg(test)]
pub(crate) fn recordings() -> Result<&'static Recordings, ChallengeError> {
    recordings_of(Language::English)
}

/// The recordings of `language`, decoded on the first call and shared by every later one;
/// [`ChallengeError::Assets`] when its file is malformed or lacks a digit.
pub(crate) fn recordings_of(language: Language) -> Result<&'static Recordings, ChallengeError> {
    language
        .decoded()
        .get_or_init(|| decode(language.asset()))
        .as_ref()
        .ok_or(ChallengeError::Assets(ChallengeKind::Audio))
}

/// One recording of a `.vox` file: its symbol (ASCII), voice and µ-law bytes.
struct Entry<'a> {
    symbol: u8,
    voice: u8,
    ulaw: &'a [u8],
}

/// The entries of a `.vox` file; `None` when it is malformed.
fn parse(file: &[u8]) -> Option<Vec<Entry<'_>>> {
    let (magic, rest) = file.split_first_chunk::<8>()?;
    let (rate, rest) = rest.split_first_chunk::<4>()?;
    let (count, rest) = rest.split_first_chunk::<2>()?;
    if magic != MAGIC || u32::from_le_bytes(*rate) != RATE {
        return None;
    }
    let count = usize::from(u16::from_le_bytes(*count));
    let (index, mut data) = rest.split_at_checked(count.checked_mul(ENTRY)?)?;
    let mut entries = Vec::with_capacity(count);
    for entry in index.chunks_exact(ENTRY) {
        let (&[symbol, voice], len) = entry.split_first_chunk::<2>()?;
        let len = usize::try_from(u32::from_le_bytes(len.try_into().ok()?)).ok()?;
        let (ulaw, rest) = data.split_at_checked(len)?;
        data = rest;
        entries.push(Entry {
            symbol,
            voice,
            ulaw,
        });
    }
    // Every byte belongs to a recording.
    data.is_empty().then_some(entries)
}

/// Decodes a `.vox` file; `None` when it is malformed, a digit or voice is missing, or
/// there is no word but the digits.
fn decode(file: &[u8]) -> Option<Recordings> {
    let entries = parse(file)?;
    let mut digits: Vec<Vec<Vec<f32>>> = vec![Vec::new(); AUDIO_ALPHABET.len()];
    let mut voices: Vec<Vec<u8>> = vec![Vec::new(); AUDIO_ALPHABET.len()];
    let mut babble = Vec::with_capacity(entries.len());
    for entry in &entries {
        let samples = normalized(faded(entry.ulaw.iter().map(|&b| ulaw(b)).collect()))?;
        if let Some(index) = AUDIO_ALPHABET.iter().position(|&d| d == entry.symbol) {
            digits.get_mut(index)?.push(samples.clone());
            voices.get_mut(index)?.push(entry.voice);
        }
        babble.push(samples);
    }
    // Every digit in the same voices: no digit may be told by its voice or its number of
    // takes. And some words besides.
    let digit_takes: usize = voices.iter().map(Vec::len).sum();
    let first = voices.first()?;
    if first.is_empty() || voices.iter().any(|v| v != first) || babble.len() == digit_takes {
        return None;
    }
    let reversed = babble
        .iter()
        .map(|word| word.iter().rev().copied().collect())
        .collect();
    Some(Recordings {
        digits,
        babble,
        reversed,
        noise: noise_table(),
    })
}

/// A G.711 µ-law byte as a linear sample in -1..1 (exact: the 14-bit level over 2¹⁵).
fn ulaw(byte: u8) -> f32 {
    let u = !byte;
    let exponent = (u >> 4) & 7;
    let mantissa = i32::from(u & 0x0F);
    let magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    let level = if u & 0x80 != 0 { -magnitude } else { magnitude };
    level as f32 / 32_768.0
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

/// `signal` scaled to an RMS of [`WORD_RMS`]; `None` when it is empty or silent.
fn normalized(mut signal: Vec<f32>) -> Option<Vec<f32>> {
    let rms = rms(&signal);
    if !rms.is_finite() || rms <= 0.0 {
        return None;
    }
    let gain = WORD_RMS / rms;
    for x in &mut signal {
        *x *= gain;
    }
    Some(signal)
}

/// Root mean square of `signal` (0 when empty). Summed in eight lanes (which vectorises)
/// then lane by lane: a fixed order, so the same everywhere.
pub(crate) fn rms(signal: &[f32]) -> f32 {
    let (chunks, rest) = signal.as_chunks::<8>();
    let mut lanes = [0.0f32; 8];
    for chunk in chunks {
        for (lane, x) in lanes.iter_mut().zip(chunk) {
            *lane += x * x;
        }
    }
    let energy = lanes.iter().sum::<f32>() + rest.iter().map(|x| x * x).sum::<f32>();
    (energy / signal.len().max(1) as f32).sqrt()
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
    let rms = rms(&table);
    table.into_iter().map(|x| x / rms).collect()
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed test
mod tests {
    use super::*;

    /// A `.vox` file of `entries` (symbol, voice, µ-law bytes).
    fn vox(entries: &[(u8, u8, &[u8])]) -> Vec<u8> {
        let mut file = MAGIC.to_vec();
        file.extend(RATE.to_le_bytes());
        file.extend((entries.len() as u16).to_le_bytes());
        for (symbol, voice, data) in entries {
            file.extend([*symbol, *voice]);
            file.extend((data.len() as u32).to_le_bytes());
        }
        for (_, _, data) in entries {
            file.extend(*data);
        }
        file
    }

    #[test]
    fn ulaw_decodes_as_g711() {
        assert_eq!(ulaw(0xFF), 0.0);
        assert_eq!(ulaw(0x7F), 0.0);
        assert_eq!(ulaw(0x80), 32_124.0 / 32_768.0);
        assert_eq!(ulaw(0x00), -32_124.0 / 32_768.0);
        // A step of the first segment is 8 levels (of 2¹⁵), of the last 1024.
        assert_eq!(ulaw(0xFE), 8.0 / 32_768.0);
        assert_eq!(ulaw(0x81) - ulaw(0x82), 1_024.0 / 32_768.0);
        // Monotonic over each half.
        for b in 0x80..0xFFu8 {
            assert!(ulaw(b) > ulaw(b + 1), "{b:#x}");
        }
    }

    #[test]
    fn shipped_recordings_hold_every_digit_in_every_voice() {
        let recordings = recordings().expect("the shipped recordings decode");
        let voices = recordings.digit(b'1').expect("digit 1").len();
        assert!(voices >= 4, "{voices} voices");
        for &digit in AUDIO_ALPHABET {
            let takes = recordings.digit(digit).expect("every digit");
            assert_eq!(takes.len(), voices);
            for samples in takes {
                let seconds = samples.len() as f32 / RATE as f32;
                assert!((0.25..0.8).contains(&seconds), "{seconds} s");
                assert!((rms(samples) - WORD_RMS).abs() < 1e-4);
                assert!(
                    samples
                        .iter()
                        .all(|x| x.is_finite() && x.abs() < 10.0 * WORD_RMS)
                );
                assert_eq!(samples.first(), Some(&0.0));
            }
        }
        assert!(recordings.digit(b'0').is_none());
        assert!(recordings.digit(b'A').is_none());
        // The babble has every word: the digits and more.
        assert!(recordings.babble().len() > AUDIO_ALPHABET.len() * voices);
        assert!(recordings.longest_digit() < RATE as usize);
    }

    #[test]
    fn decoding_twice_gives_the_same_samples() {
        let a = decode(Language::English.asset()).expect("decodes");
        let b = recordings_of(Language::English).expect("decodes");
        assert_eq!(a.digits, b.digits);
        assert_eq!(a.babble, b.babble);
    }

    #[test]
    fn malformed_files_are_refused() {
        let word: &[u8] = &[0x80, 0x00, 0x90, 0x10, 0xA0, 0x20, 0xFF, 0x7F];
        let mut all: Vec<(u8, u8, &[u8])> = AUDIO_ALPHABET.iter().map(|&d| (d, 0, word)).collect();
        all.push((b'k', 3, word));
        assert!(decode(&vox(&all)).is_some());
        // Digits only.
        assert!(decode(&vox(&all[..AUDIO_ALPHABET.len()])).is_none());
        // A digit missing, missing in one of two voices, or in another voice.
        assert!(decode(&vox(&all[1..])).is_none());
        let mut uneven = all.clone();
        uneven.push((b'5', 1, word));
        assert!(decode(&vox(&uneven)).is_none());
        let mut other = all.clone();
        other[3].1 = 2;
        assert!(decode(&vox(&other)).is_none());
        // Letters are babble only.
        let decoded = decode(&vox(&all)).expect("decodes");
        assert_eq!(decoded.babble().len(), all.len());
        assert_eq!(decoded.reversed().len(), decoded.babble().len());
        let mut back = decoded.reversed()[0].clone();
        back.reverse();
        assert_eq!(back, decoded.babble()[0]);
        // A silent or empty recording.
        let mut silent = all.clone();
        silent[0] = (b'1', 0, &[0xFF; 8]);
        assert!(decode(&vox(&silent)).is_none());
        silent[0] = (b'1', 0, &[]);
        assert!(decode(&vox(&silent)).is_none());
        // Bad magic, rate, or lengths.
        let good = vox(&all);
        let mut bad = good.clone();
        bad[0] = b'X';
        assert!(decode(&bad).is_none());
        let mut bad = good.clone();
        bad[8] = 0x44;
        assert!(decode(&bad).is_none());
        assert!(decode(&good[..good.len() - 1]).is_none());
        let mut longer = good.clone();
        longer.push(0);
        assert!(decode(&longer).is_none());
        assert!(decode(&good[..13]).is_none());
        assert!(decode(&[]).is_none());
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
}
