//! The answer check accepts the answer however it is typed and nothing else, and no input
//! makes it panic.

use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use sspr::challenge::{
    Challenge, ChallengeKind, ChallengeLength, IMAGE_ALPHABET, InputRejected, MAX_INPUT_CHARS,
};

fn challenge(kind: ChallengeKind, length: usize, seed: u64) -> Challenge {
    let length = ChallengeLength::new(length).expect("length in range");
    Challenge::generate(kind, length, &mut ChaCha20Rng::seed_from_u64(seed))
}

fn kind() -> impl Strategy<Value = ChallengeKind> {
    prop_oneof![Just(ChallengeKind::Image), Just(ChallengeKind::Audio)]
}

proptest! {
    #[test]
    fn accepts_the_answer_in_any_case_with_spaces(
        kind in kind(),
        length in 4usize..=10,
        seed: u64,
        lower in proptest::collection::vec(any::<bool>(), 10),
        spaces in proptest::collection::vec(0usize..3, 11),
    ) {
        let c = challenge(kind, length, seed);
        let answer = c.danger_reveal_answer();
        let mut typed = " ".repeat(spaces[0]);
        for (i, ch) in answer.chars().enumerate() {
            typed.push(if lower[i] { ch.to_ascii_lowercase() } else { ch });
            typed.push_str(["", " ", "-"][spaces[i + 1]]);
        }
        prop_assert_eq!(c.check(&typed), Ok(true));
    }

    #[test]
    fn rejects_every_other_string_of_the_alphabet(
        kind in kind(),
        seed: u64,
        picks in proptest::collection::vec(0usize..IMAGE_ALPHABET.len(), 4..=10),
    ) {
        let c = challenge(kind, 6, seed);
        let alphabet = kind.alphabet();
        let other: String = picks.iter().map(|&i| char::from(alphabet[i % alphabet.len()])).collect();
        prop_assume!(other != c.danger_reveal_answer());
        prop_assert_eq!(c.check(&other), Ok(false));
        prop_assert_eq!(c.check(&other.to_lowercase()), Ok(false));
    }

    #[test]
    fn no_input_panics(input in any::<String>(), seed: u64) {
        let c = challenge(ChallengeKind::Image, 6, seed);
        let _ = c.check(&input);
    }

    #[test]
    fn no_odd_unicode_panics(input in "\\PC{0,80}", seed: u64) {
        let c = challenge(ChallengeKind::Audio, 6, seed);
        if let Ok(true) = c.check(&input) {
            prop_assert!(input.chars().count() >= 6);
        }
    }
}

#[test]
fn full_width_digits_count() {
    let c = challenge(ChallengeKind::Audio, 6, 9);
    let full_width: String = c
        .danger_reveal_answer()
        .chars()
        .map(|d| char::from_u32(u32::from(d) - u32::from('0') + 0xFF10).expect("digit"))
        .collect();
    assert_eq!(c.check(&full_width), Ok(true));
}

#[test]
fn empty_and_overlong_input_are_refused_not_wrong() {
    let c = challenge(ChallengeKind::Image, 6, 1);
    assert_eq!(c.check(""), Err(InputRejected::Empty));
    assert_eq!(c.check(" \t-\n"), Err(InputRejected::Empty));
    // A megabyte, ASCII or not, is refused by its size before it is normalised.
    for megabyte in ["x".repeat(1 << 20), "\u{FDFA}".repeat(1 << 18)] {
        assert_eq!(
            c.check(&megabyte),
            Err(InputRejected::TooLong {
                max: MAX_INPUT_CHARS
            })
        );
    }
    assert!(matches!(
        c.check(&"\u{FDFA}".repeat(65)),
        Err(InputRejected::TooLong { .. })
    ));
    // Control characters are ignored like spaces; they do not make a right answer wrong.
    let answer = c.danger_reveal_answer();
    assert_eq!(c.check(&format!("\u{7}{answer}\u{0}")), Ok(true));
}

const ENGLISH: [&str; 9] = [
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];
const DUTCH: [&str; 9] = [
    "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen",
];

/// `answer` (digits) typed with each digit as a numeral, an English or a Dutch word
/// (`how`), in upper or lower case, with a space, a hyphen or nothing between them.
fn spelled(answer: &str, how: &[(u8, bool, u8)]) -> String {
    let mut typed = String::new();
    for (digit, &(form, upper, gap)) in answer.bytes().zip(how) {
        let i = usize::from(digit - b'1');
        let word = match form {
            0 => char::from(digit).to_string(),
            1 => ENGLISH[i].to_owned(),
            _ => DUTCH[i].to_owned(),
        };
        typed.push_str(&if upper { word.to_uppercase() } else { word });
        typed.push_str(["", " ", "-"][usize::from(gap)]);
    }
    typed
}

proptest! {
    #[test]
    fn a_dutch_clip_takes_its_digits_as_numerals_or_words_in_dutch_or_english(
        length in 4usize..=10,
        seed: u64,
        how in proptest::collection::vec((0u8..3, any::<bool>(), 0u8..3), 10),
    ) {
        let c = challenge(ChallengeKind::Audio, length, seed)
            .in_language(sspr::challenge::Language::Dutch);
        let answer = c.danger_reveal_answer();
        let typed = spelled(&answer, &how);
        prop_assume!(typed.chars().count() <= MAX_INPUT_CHARS);
        prop_assert_eq!(c.check(&typed), Ok(true), "{}", typed);
        // One digit short is wrong, however it is spelled.
        let short = spelled(&answer[1..], &how);
        prop_assert_eq!(c.check(&short), Ok(false), "{}", short);
    }

    #[test]
    fn an_english_clip_takes_no_dutch_words(
        seed: u64,
        how in proptest::collection::vec((2u8..3, any::<bool>(), 0u8..3), 10),
    ) {
        let c = challenge(ChallengeKind::Audio, 6, seed);
        let answer = c.danger_reveal_answer();
        let typed = spelled(&answer, &how);
        // Dutch words that are not also English ones: "een" never reads as a digit here.
        prop_assert_eq!(c.check(&typed), Ok(false), "{}", typed);
    }
}
