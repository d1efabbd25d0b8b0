//! Audio challenges through the public API: one mono WAV that speaks every digit over a
//! background of babble that never falls silent, within the time and size limits, the same
//! bytes for the same challenge and different bytes for another seed.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

use std::collections::HashMap;

use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use sspr::challenge::{Challenge, ChallengeKind, ChallengeLength};

fn challenge(length: usize, seed: u64) -> Challenge {
    let length = ChallengeLength::new(length).expect("a length of 4..=10");
    Challenge::generate(
        ChallengeKind::Audio,
        length,
        &mut ChaCha20Rng::seed_from_u64(seed),
    )
}

/// A decoded clip.
struct Clip {
    bytes: usize,
    rate: u32,
    samples: Vec<i8>,
}

impl Clip {
    fn of(challenge: &Challenge) -> Clip {
        let media = challenge.render().expect("renders");
        assert_eq!(media.content_type(), "audio/wav");
        assert_eq!(media.file_extension(), "wav");
        let mut reader = hound::WavReader::new(media.as_bytes()).expect("hound opens the WAV");
        let spec = reader.spec();
        assert_eq!(spec.channels, 1, "mono");
        assert_eq!(spec.sample_format, hound::SampleFormat::Int);
        assert_eq!(spec.bits_per_sample, 8);
        let samples = reader
            .samples::<i8>()
            .collect::<Result<Vec<_>, _>>()
            .expect("every sample decodes");
        Clip {
            bytes: media.as_bytes().len(),
            rate: spec.sample_rate,
            samples,
        }
    }

    fn seconds(&self) -> f64 {
        self.samples.len() as f64 / f64::from(self.rate)
    }

    /// RMS of each 20 ms window, in 8-bit steps.
    fn envelope(&self) -> Vec<f64> {
        let window = self.rate as usize / 50;
        self.samples
            .chunks_exact(window)
            .map(|w| (w.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / w.len() as f64).sqrt())
            .collect()
    }

    /// How far the quietest 100 ms (five windows) lies under the loudest window within
    /// half a second of it, in dB, away from the clip's first and last 100 ms.
    fn deepest_lull(&self) -> f64 {
        let envelope = self.envelope();
        let mut worst = 0.0f64;
        for start in 4..envelope.len().saturating_sub(9) {
            let lull = (envelope[start..start + 5]
                .iter()
                .map(|r| r * r)
                .sum::<f64>()
                / 5.0)
                .sqrt();
            let around = &envelope[start.saturating_sub(25)..(start + 30).min(envelope.len())];
            let loudest = around.iter().copied().fold(0.0f64, f64::max);
            worst = worst.min(20.0 * (lull.max(1e-3) / loudest).log10());
        }
        worst
    }
}

/// The slowest and fastest a clip of `length` digits may be, in seconds: each spoken digit
/// with what separates it from the next takes 0.1 to 0.95 s (neighbours may overlap),
/// plus 0.85 to 1.5 s of babble alone before the first and after the last.
fn duration_bounds(length: usize) -> (f64, f64) {
    (0.1 * length as f64 + 0.85, 0.95 * length as f64 + 1.5)
}

#[test]
fn six_digits_are_one_mono_wav_of_at_most_ten_seconds_and_100_kb() {
    for seed in 0..16 {
        let clip = Clip::of(&challenge(6, seed));
        assert_eq!(clip.rate, 11_025);
        assert!(clip.seconds() <= 10.0, "{} s", clip.seconds());
        assert!(clip.bytes <= 100_000, "{} bytes", clip.bytes);
        assert_eq!(clip.bytes, 44 + clip.samples.len());
    }
}

#[test]
fn every_length_renders_within_its_duration_bounds() {
    for length in ChallengeLength::MIN..=ChallengeLength::MAX {
        let (shortest, longest) = duration_bounds(length);
        for seed in 0..4 {
            let clip = Clip::of(&challenge(length, seed));
            assert!(
                (shortest..=longest).contains(&clip.seconds()),
                "{length} digits: {} s",
                clip.seconds()
            );
        }
    }
}

#[test]
fn the_clip_never_falls_silent_and_peaks_without_clipping() {
    for length in ChallengeLength::MIN..=ChallengeLength::MAX {
        for seed in 100..104 {
            let clip = Clip::of(&challenge(length, seed));
            // Past the fade-in and before the fade-out, no 100 ms stretch is 30 dB under
            // the loudest 20 ms within half a second of it: no silent gap marks where a
            // digit starts. (Today's clips: 13 to 29 dB; the clips of the `captcha` crate's
            // recordings with pauses between the digits: 30 to 35 dB.)
            let worst = clip.deepest_lull();
            assert!(worst > -30.0, "{length} digits, seed {seed}: {worst:.1} dB");
            let peak = clip.samples.iter().map(|s| s.unsigned_abs()).max();
            assert!(peak.is_some_and(|p| (100..127).contains(&p)), "{peak:?}");
        }
    }
}

#[test]
fn the_same_challenge_renders_the_same_bytes() {
    let challenge = challenge(6, 7);
    let first = challenge.render().expect("renders");
    assert_eq!(first, challenge.render().expect("renders"));
    let again = self::challenge(6, 7);
    assert_eq!(first, again.render().expect("renders"));
}

#[test]
fn the_same_answer_with_another_seed_sounds_different() {
    // Draw four-digit challenges until two share their answer: about a hundred of the
    // 6,561 answers (birthday bound).
    let mut seen: HashMap<String, Challenge> = HashMap::new();
    let mut pairs = 0;
    for seed in 0..2_000 {
        let next = challenge(4, seed);
        let answer = next.danger_reveal_answer();
        if let Some(earlier) = seen.get(&answer) {
            assert_ne!(Clip::of(earlier).samples, Clip::of(&next).samples);
            pairs += 1;
        } else {
            seen.insert(answer, next);
        }
    }
    assert!(pairs > 0, "no two challenges shared an answer");
}

#[test]
fn other_challenges_render_other_bytes() {
    let clips: Vec<Vec<i8>> = (0..8)
        .map(|seed| Clip::of(&challenge(6, seed)).samples)
        .collect();
    for (i, a) in clips.iter().enumerate() {
        for b in &clips[i + 1..] {
            assert_ne!(a, b);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_length_and_seed_renders_a_clip_within_bounds(length in 4usize..=10, seed in any::<u64>()) {
        let clip = Clip::of(&challenge(length, seed));
        let (shortest, longest) = duration_bounds(length);
        prop_assert!((shortest..=longest).contains(&clip.seconds()), "{} s", clip.seconds());
        prop_assert!(clip.samples.iter().any(|&s| s != 0));
    }
}

#[test]
fn a_dutch_challenge_speaks_its_own_recordings_the_same_way_every_time() {
    let english = challenge(6, 11);
    let dutch = challenge(6, 11).in_language(sspr::challenge::Language::Dutch);
    assert_eq!(dutch.language(), sspr::challenge::Language::Dutch);
    let (en, nl) = (
        english.render().expect("renders"),
        dutch.render().expect("renders"),
    );
    assert_ne!(
        en.as_bytes(),
        nl.as_bytes(),
        "other recordings, other bytes"
    );
    assert_eq!(
        nl.as_bytes(),
        dutch.render().expect("renders").as_bytes(),
        "the same Dutch challenge renders the same bytes"
    );
    let reader = hound::WavReader::new(nl.as_bytes()).expect("a WAV");
    let seconds = f64::from(reader.duration()) / f64::from(reader.spec().sample_rate);
    let (low, high) = duration_bounds(6);
    assert!((low..=high).contains(&seconds), "{seconds} s");
}

#[test]
fn language_tags_name_the_languages_spoken() {
    use sspr::challenge::Language;
    assert_eq!(Language::from_tag("nl-BE"), Some(Language::Dutch));
    assert_eq!(Language::from_tag("EN_us.UTF-8"), Some(Language::English));
    assert_eq!(Language::from_tag("fr"), None);
    assert_eq!(Language::from_tag(""), None);
    assert_eq!(Language::default(), Language::English);
}
