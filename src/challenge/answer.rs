//! The answer of a challenge: the alphabets it is drawn from, the secret that holds it and
//! the check of what a person typed.

use std::fmt;

use rand::{CryptoRng, RngExt};
use subtle::ConstantTimeEq;
use unicode_normalization::UnicodeNormalization;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::recording::Language;
use super::{ChallengeKind, ChallengeLength};
use crate::message::{Arg, Message};

/// Characters of image answers: digits and upper-case letters without the confusable
/// pairs 0/O, 1/I/l, 5/S, 2/Z, 8/B, and without G (which distorts into 6) and F (which a
/// curve along its foot turns into E).
pub const IMAGE_ALPHABET: &[u8] = b"34679ACDEHJKMNPQRTUVWXY";

/// Characters of audio answers: the spoken digits (the recordings have no zero).
pub const AUDIO_ALPHABET: &[u8] = b"123456789";

/// Longest input, in characters, that the answer check looks at; longer input is refused
/// before any work is done.
pub const MAX_INPUT_CHARS: usize = 64;

/// Room for the longest answer (10) plus slack, so that a normalised input a little longer
/// than the answer is still compared in full.
const SLOTS: usize = 16;

/// A byte that no alphabet holds: stands for anything the alphabets cannot match.
const FOREIGN: u8 = 0xFF;

impl ChallengeKind {
    /// The characters an answer of this kind is drawn from.
    pub const fn alphabet(self) -> &'static [u8] {
        match self {
            ChallengeKind::Image => IMAGE_ALPHABET,
            ChallengeKind::Audio => AUDIO_ALPHABET,
        }
    }
}

/// The secret characters of a challenge, upper-case ASCII from the kind's alphabet.
///
/// No `Clone`, `PartialEq` or `Display`; `Debug` prints `Answer([REDACTED])`; wiped on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct Answer {
    chars: [u8; SLOTS],
    len: u8,
}

impl Answer {
    /// Draws `length` characters uniformly from `kind`'s alphabet.
    pub(crate) fn generate<R: CryptoRng + ?Sized>(
        kind: ChallengeKind,
        length: ChallengeLength,
        rng: &mut R,
    ) -> Self {
        let alphabet = kind.alphabet();
        let mut chars = [0u8; SLOTS];
        for slot in chars.iter_mut().take(length.get()) {
            *slot = alphabet[rng.random_range(0..alphabet.len())];
        }
        Answer {
            chars,
            len: length.get() as u8,
        }
    }

    /// Rebuilds an answer from stored characters; `None` unless every character belongs to
    /// `kind`'s alphabet and the length is allowed.
    pub(crate) fn from_stored(kind: ChallengeKind, stored: &[u8]) -> Option<Self> {
        let length = ChallengeLength::new(stored.len()).ok()?;
        if !stored.iter().all(|c| kind.alphabet().contains(c)) {
            return None;
        }
        let mut chars = [0u8; SLOTS];
        chars[..length.get()].copy_from_slice(stored);
        Some(Answer {
            chars,
            len: length.get() as u8,
        })
    }

    /// The characters, for rendering and storing. Never shown to a person by the crate.
    pub(crate) fn expose_secret(&self) -> &[u8] {
        &self.chars[..usize::from(self.len)]
    }

    /// Whether `input` (already normalised) is this answer, in constant time for every
    /// input.
    pub(crate) fn matches(&self, input: &NormalizedInput) -> bool {
        let same_chars = self.chars.ct_eq(&input.chars);
        let same_len = self.len.ct_eq(&input.len);
        bool::from(same_chars & same_len)
    }
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Answer([REDACTED])")
    }
}

/// Why typed input cannot be an answer at all (as opposed to being a wrong one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputRejected {
    /// Nothing but spaces or hyphens was typed.
    #[error("no characters were entered: type the characters of the picture or audio clip")]
    Empty,
    /// More than [`MAX_INPUT_CHARS`] characters were typed.
    #[error("the input is longer than {max} characters: type only the characters shown")]
    TooLong {
        /// The most characters accepted.
        max: usize,
    },
}

impl Message for InputRejected {
    fn message_id(&self) -> &'static str {
        match self {
            InputRejected::Empty => "answer-empty",
            InputRejected::TooLong { .. } => "answer-too-long",
        }
    }

    /// `max` for [`InputRejected::TooLong`].
    fn message_args(&self) -> Vec<(&'static str, Arg)> {
        match *self {
            InputRejected::TooLong { max } => vec![("max", max.into())],
            InputRejected::Empty => Vec::new(),
        }
    }
}

/// What a person typed, normalised for comparison: NFKC, spaces and hyphens removed,
/// upper case. Holds typed (possibly secret) characters, so it is wiped on drop and never
/// printed.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct NormalizedInput {
    chars: [u8; SLOTS],
    len: u8,
}

impl fmt::Debug for NormalizedInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NormalizedInput([REDACTED])")
    }
}

impl NormalizedInput {
    /// Normalises typed input: Unicode NFKC (full-width digits count), white space and
    /// hyphens (any dash) ignored, letters compared without case.
    ///
    /// Input over [`MAX_INPUT_CHARS`] characters is refused before any normalisation.
    /// Characters outside the alphabets are kept as a mark that matches nothing, so a
    /// wrong input costs the same comparison as a right one.
    pub fn new(input: &str) -> Result<Self, InputRejected> {
        let Normalised {
            mut raw,
            len,
            overflow,
        } = normalise(input)?;
        let mut chars = [0u8; SLOTS];
        let kept = len.min(SLOTS);
        chars[..kept].copy_from_slice(&raw[..kept]);
        raw.zeroize();
        Ok(NormalizedInput {
            chars,
            // An overflowing input gets a length no answer has.
            len: if overflow || len > SLOTS {
                u8::MAX
            } else {
                len as u8
            },
        })
    }

    /// Normalises typed digits that may be spelled out: as [`NormalizedInput::new`], then
    /// every number word of `words` (upper case, for the digits 1 to 9 in order) and of
    /// English becomes its digit ("7", "seven", "zeven", "ZEVEN", with or without spaces
    /// or hyphens between them). A letter that starts no word stays as it is, and
    /// matches no digit.
    pub(crate) fn spoken(input: &str, words: &[&str; 9]) -> Result<Self, InputRejected> {
        let Normalised {
            mut raw,
            len,
            overflow,
        } = normalise(input)?;
        let mut chars = [0u8; SLOTS];
        let mut out = 0usize;
        let mut at = 0usize;
        while at < len {
            let rest = &raw[at..len];
            // The longest number word at this place, in the clip's language or English.
            let word = words
                .iter()
                .chain(ENGLISH_WORDS.iter())
                .enumerate()
                .filter(|(_, w)| rest.starts_with(w.as_bytes()))
                .max_by_key(|(_, w)| w.len());
            let (digit, used) = match word {
                Some((i, w)) => (b'1' + (i % 9) as u8, w.len()),
                None => (rest[0], 1),
            };
            if out == SLOTS {
                break;
            }
            chars[out] = digit;
            out += 1;
            at += used;
        }
        let overflow = overflow || at < len;
        raw.zeroize();
        Ok(NormalizedInput {
            chars,
            // An overflowing input gets a length no answer has.
            len: if overflow { u8::MAX } else { out as u8 },
        })
    }
}

/// The number words 1 to 9 of `language`, upper case.
pub(crate) fn number_words(language: Language) -> &'static [&'static str; 9] {
    match language {
        Language::English => &ENGLISH_WORDS,
        Language::Dutch => &DUTCH_WORDS,
    }
}

/// The English number words 1 to 9, upper case: accepted in every language's clip.
pub(crate) const ENGLISH_WORDS: [&str; 9] = [
    "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE",
];

/// The Dutch number words 1 to 9, upper case.
pub(crate) const DUTCH_WORDS: [&str; 9] = [
    "EEN", "TWEE", "DRIE", "VIER", "VIJF", "ZES", "ZEVEN", "ACHT", "NEGEN",
];

/// Typed input, normalised: the first [`MAX_INPUT_CHARS`] kept characters, and whether
/// there were more (NFKC can lengthen: one ligature, several letters).
struct Normalised {
    raw: [u8; MAX_INPUT_CHARS],
    len: usize,
    overflow: bool,
}

/// Normalises `input`: NFKC, white space, dashes and control characters dropped, ASCII
/// letters and digits upper-cased, anything else [`FOREIGN`]. Refuses empty and overlong
/// input.
fn normalise(input: &str) -> Result<Normalised, InputRejected> {
    let too_long = InputRejected::TooLong {
        max: MAX_INPUT_CHARS,
    };
    // Every char is at most 4 bytes: a cheap bound before counting.
    if input.len() > MAX_INPUT_CHARS * 4 || input.chars().nth(MAX_INPUT_CHARS).is_some() {
        return Err(too_long);
    }
    let mut chars = [0u8; MAX_INPUT_CHARS];
    let mut len = 0usize;
    let mut overflow = false;
    // ASCII is already NFKC: skip the normaliser on the common path.
    let typed: &mut dyn Iterator<Item = char> = if input.is_ascii() {
        &mut input.chars()
    } else {
        &mut input.nfkc()
    };
    for c in typed.filter(|c| !is_ignored(*c)) {
        if len == MAX_INPUT_CHARS {
            overflow = true;
            break;
        }
        chars[len] = if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase() as u8
        } else {
            FOREIGN
        };
        len += 1;
    }
    if len == 0 {
        return Err(InputRejected::Empty);
    }
    Ok(Normalised {
        raw: chars,
        len,
        overflow,
    })
}

/// White space and every kind of dash are ignored in answers.
fn is_ignored(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}'
        )
        || c.is_control()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::ChaCha20Rng;

    fn answer(kind: ChallengeKind, text: &str) -> Answer {
        Answer::from_stored(kind, text.as_bytes()).expect("valid stored answer")
    }

    fn check(answer: &Answer, input: &str) -> bool {
        NormalizedInput::new(input).is_ok_and(|n| answer.matches(&n))
    }

    #[test]
    fn alphabets_hold_no_confusable_characters() {
        for confusable in b"0O1Il5S2Z8BGF" {
            assert!(
                !IMAGE_ALPHABET.contains(confusable),
                "{}",
                *confusable as char
            );
        }
        assert!(!AUDIO_ALPHABET.contains(&b'0'));
    }

    #[test]
    fn generated_answers_use_the_alphabet_and_length() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        for kind in [ChallengeKind::Image, ChallengeKind::Audio] {
            for n in ChallengeLength::MIN..=ChallengeLength::MAX {
                let length = ChallengeLength::new(n).expect("in range");
                let a = Answer::generate(kind, length, &mut rng);
                assert_eq!(a.expose_secret().len(), n);
                assert!(
                    a.expose_secret()
                        .iter()
                        .all(|c| kind.alphabet().contains(c))
                );
            }
        }
    }

    #[test]
    fn accepts_case_spaces_hyphens_and_full_width() {
        let a = answer(ChallengeKind::Image, "K7MX3P");
        assert!(check(&a, "K7MX3P"));
        assert!(check(&a, "k7mx3p"));
        assert!(check(&a, " k7 mx-3p "));
        assert!(check(&a, "k7\u{2013}mx\u{00A0}3p"));
        assert!(check(&a, "Ｋ７ＭＸ３Ｐ"));
    }

    fn spoken(answer: &Answer, input: &str, language: Language) -> bool {
        NormalizedInput::spoken(input, number_words(language))
            .map(|input| answer.matches(&input))
            .unwrap_or(false)
    }

    #[test]
    fn digits_may_be_spelled_in_the_clips_language_or_in_english() {
        let a = answer(ChallengeKind::Audio, "718293");
        for typed in [
            "718293",
            "zeven een acht twee negen drie",
            "ZEVEN-EEN-ACHT-TWEE-NEGEN-DRIE",
            "zeveneenachttweenegendrie",
            "seven one eight two nine three",
            "7 een eight 2 NEGEN three",
            "Ｚｅｖｅｎ 1 8 2 9 3",
        ] {
            assert!(spoken(&a, typed, Language::Dutch), "{typed}");
        }
        assert!(spoken(
            &a,
            "seven-one-eight-two-nine-three",
            Language::English
        ));
        // Dutch words are the Dutch clip's: an English clip takes English words only.
        assert!(!spoken(
            &a,
            "zeven een acht twee negen drie",
            Language::English
        ));
        for wrong in [
            "zeven een acht twee negen",
            "zeven een acht twee negen drie vier",
            "zeven een acht twee negen dri",
            "zevn een acht twee negen drie",
            "718293 en",
        ] {
            assert!(!spoken(&a, wrong, Language::Dutch), "{wrong}");
        }
        // Overlapping words read as the person means them: "twee een" is 2 1.
        let b = answer(ChallengeKind::Audio, "211111");
        assert!(spoken(&b, "tweeeeneeneeneeneen", Language::Dutch));
    }

    #[test]
    fn spelled_input_is_still_bounded() {
        let long = "zeven ".repeat(11);
        assert_eq!(
            NormalizedInput::spoken(&long, &DUTCH_WORDS).map(|_| ()),
            Err(InputRejected::TooLong {
                max: MAX_INPUT_CHARS
            })
        );
        // Within the bound but more digits than any answer: no answer matches it.
        let many = "een".repeat(20);
        let a = answer(ChallengeKind::Audio, "111111");
        assert!(!spoken(&a, &many, Language::Dutch));
        assert_eq!(
            NormalizedInput::spoken("  - ", &DUTCH_WORDS).map(|_| ()),
            Err(InputRejected::Empty)
        );
    }

    #[test]
    fn rejects_near_misses() {
        let a = answer(ChallengeKind::Image, "K7MX3P");
        for wrong in [
            "K7MX3",
            "K7MX3PP",
            "K7MX3Q",
            "K7MX3P\u{0301}",
            "K7MX3Ρ",
            "x",
        ] {
            assert!(!check(&a, wrong), "{wrong}");
        }
    }

    #[test]
    fn refuses_empty_and_overlong_input() {
        assert_eq!(
            NormalizedInput::new("  - ").map(|_| ()),
            Err(InputRejected::Empty)
        );
        assert_eq!(
            NormalizedInput::new("").map(|_| ()),
            Err(InputRejected::Empty)
        );
        let long = "A".repeat(MAX_INPUT_CHARS + 1);
        assert_eq!(
            NormalizedInput::new(&long).map(|_| ()),
            Err(InputRejected::TooLong {
                max: MAX_INPUT_CHARS
            })
        );
        // A megabyte, ASCII or not, is refused by its size before it is normalised.
        for megabyte in ["A".repeat(1 << 20), "\u{FDFA}".repeat(1 << 18)] {
            assert_eq!(
                NormalizedInput::new(&megabyte).map(|_| ()),
                Err(InputRejected::TooLong {
                    max: MAX_INPUT_CHARS
                })
            );
        }
        // Within the bound but longer than any answer: a wrong answer, not an error.
        let a = answer(ChallengeKind::Audio, "123456");
        assert!(!check(&a, &"1".repeat(MAX_INPUT_CHARS)));
    }

    #[test]
    fn stored_answers_outside_the_alphabet_are_refused() {
        assert!(Answer::from_stored(ChallengeKind::Audio, b"12345A").is_none());
        assert!(Answer::from_stored(ChallengeKind::Image, b"0OOOOO").is_none());
        assert!(Answer::from_stored(ChallengeKind::Image, b"ACD").is_none());
    }

    #[test]
    fn debug_is_redacted() {
        let a = answer(ChallengeKind::Image, "K7MX3P");
        assert_eq!(format!("{a:?}"), "Answer([REDACTED])");
        let n = NormalizedInput::new("K7MX3P").expect("valid");
        assert!(!format!("{n:?}").contains("K7MX3P"));
    }
}
