//! The answer check takes whatever a person (or an attacker) types: no input may panic,
//! and it must agree with a plain reference of the rule (NFKC, case, white space and
//! dashes ignored, at most 64 characters); an audio clip also takes spelled digits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use sspr::challenge::{Challenge, ChallengeKind, ChallengeLength, MAX_INPUT_CHARS};
use unicode_normalization::UnicodeNormalization;

fn reference(input: &str, answer: &str) -> Option<bool> {
    if input.chars().count() > MAX_INPUT_CHARS {
        return None;
    }
    let kept: String = input
        .nfkc()
        .filter(|c| {
            !(c.is_whitespace()
                || c.is_control()
                || matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}'))
        })
        .collect();
    if kept.is_empty() {
        return None;
    }
    Some(kept.is_ascii() && kept.to_ascii_uppercase() == answer)
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let seed = data.iter().fold(0u64, |h, &b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    for kind in [ChallengeKind::Image, ChallengeKind::Audio] {
        let challenge = Challenge::generate(kind, ChallengeLength::DEFAULT, &mut rng);
        let answer = challenge.danger_reveal_answer();
        let checked = challenge.check(input).ok();
        match kind {
            ChallengeKind::Image => assert_eq!(checked, reference(input, &answer)),
            // An audio clip also takes digits spelled as words: whatever the plain rule
            // takes, it takes; what the plain rule refuses (empty, overlong), it refuses.
            ChallengeKind::Audio => {
                let plain = reference(input, &answer);
                assert_eq!(checked.is_some(), plain.is_some());
                if plain == Some(true) {
                    assert_eq!(checked, Some(true));
                }
                // The same input against the Dutch clip: no panic, the same refusals.
                let dutch = Challenge::generate(kind, ChallengeLength::DEFAULT, &mut rng)
                    .in_language(sspr::challenge::Language::Dutch);
                assert_eq!(dutch.check(input).is_ok(), plain.is_some());
            }
        }
        // The answer wrapped in the input's noise must pass.
        let wrapped = format!(" {}-", answer.to_lowercase());
        assert_eq!(challenge.check(&wrapped), Ok(true));
    }
});
