//! The strength estimate: `zxcvbn` on a bounded part of the password, with the user's own
//! names as known words, and its feedback turned into a hint a person can act on.
//!
//! `zxcvbn`'s work grows with the square of the length and with the number of ways to read
//! look-alike symbols as letters (every combination is searched in its dictionaries): on
//! this project's machine 100 characters of mixed symbols took 0.3 s and more. So the
//! estimate reads at most [`STRENGTH_PREFIX_CHARS`] characters, and when those hold so
//! many kinds of look-alike symbols that the combinations would explode, it reads those
//! symbols as the letters they stand for (digits stay as they are, so dates and numbers
//! are still seen for what they are).

use std::fmt;

use zeroize::Zeroizing;

use crate::message::Message;
use crate::user_id::UserId;

/// The most characters of a password the strength estimate reads. A password whose first
/// 32 characters are easy to guess is refused, whatever follows.
pub const STRENGTH_PREFIX_CHARS: usize = 32;

/// Names shorter than this are not given to the estimator as known words.
const MIN_INPUT_CHARS: usize = 3;

/// At most this many ways to read look-alikes before the symbols are read as letters;
/// digits alone never exceed it.
const MAX_LOOK_ALIKE_READINGS: u32 = 16;

/// `zxcvbn`'s own table of look-alikes: letter, then the characters read as it.
const LOOK_ALIKES: [(char, &[char]); 12] = [
    ('a', &['4', '@']),
    ('b', &['8']),
    ('c', &['(', '{', '[', '<']),
    ('e', &['3']),
    ('g', &['6', '9']),
    ('i', &['1', '!', '|']),
    ('l', &['1', '|', '7']),
    ('o', &['0']),
    ('s', &['$', '5']),
    ('t', &['+', '7']),
    ('x', &['%']),
    ('z', &['2']),
];

/// The estimated score (0..=4) and, when the estimator says, what made it low.
pub(super) fn estimate(password: &str, user_id: &UserId) -> (u8, Option<StrengthHint>) {
    let text = bounded(password);
    let inputs = user_inputs(user_id);
    let estimate = zxcvbn::zxcvbn(&text, &inputs);
    let hint = estimate.feedback().and_then(StrengthHint::from_feedback);
    (u8::from(estimate.score()), hint)
}

/// The part of `password` the estimator reads (see the module docs). Wiped on drop.
fn bounded(password: &str) -> Zeroizing<String> {
    let end = password
        .char_indices()
        .nth(STRENGTH_PREFIX_CHARS)
        .map_or(password.len(), |(i, _)| i);
    let prefix = &password[..end];
    let mut text = Zeroizing::new(String::with_capacity(prefix.len()));
    if readings(prefix) <= MAX_LOOK_ALIKE_READINGS {
        text.push_str(prefix);
    } else {
        // Every symbol below is one byte, as is its letter: the length does not change.
        text.extend(prefix.chars().map(|c| match c {
            '@' => 'a',
            '(' | '{' | '[' | '<' => 'c',
            '!' | '|' => 'i',
            '$' => 's',
            '+' => 't',
            '%' => 'x',
            other => other,
        }));
    }
    text
}

/// An upper bound of the ways `zxcvbn` will try to read the look-alikes in `text`: for
/// each letter the number of its look-alikes present, multiplied, and doubled for each
/// character present that stands for two letters.
fn readings(text: &str) -> u32 {
    let present = |c: &char| text.contains(*c);
    let per_letter = LOOK_ALIKES
        .iter()
        .map(|(_, subs)| subs.iter().filter(|c| present(c)).count().max(1) as u32)
        .fold(1u32, u32::saturating_mul);
    let ambiguous = ['1', '|', '7'].iter().filter(|c| present(c)).count() as u32;
    per_letter.saturating_mul(1 << ambiguous)
}

/// What the estimate should treat as known to an attacker: the user ID, its local part and
/// the pieces of it (first and last name), the domain and its labels.
fn user_inputs(user_id: &UserId) -> Vec<&str> {
    let long_enough = |s: &&str| s.chars().count() >= MIN_INPUT_CHARS;
    let mut inputs = vec![user_id.as_str()];
    let local = user_id.local_part();
    inputs.push(local);
    inputs.extend(local.split(['.', '_', '-', '+']).filter(long_enough));
    if let Some(domain) = user_id.domain() {
        inputs.push(domain);
        // Every label but the last: the top-level domain says nothing.
        let labels: Vec<&str> = domain.split('.').collect();
        if let Some((_, named)) = labels.split_last() {
            inputs.extend(named.iter().copied().filter(long_enough));
        }
    }
    inputs
}

/// What made a password easy to guess, from the strength estimator's feedback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StrengthHint {
    /// One of the most common passwords.
    CommonPassword,
    /// Close to a common password (with substitutions or an addition).
    SimilarToCommonPassword,
    /// A row or short pattern of keys.
    KeyboardPattern,
    /// Repeated characters or repeated groups.
    Repeats,
    /// A sequence such as "abc" or "6543".
    Sequence,
    /// A date or a recent year.
    DatesOrYears,
    /// A single word.
    SingleWord,
    /// A name or surname.
    Names,
}

impl StrengthHint {
    fn from_feedback(feedback: &zxcvbn::feedback::Feedback) -> Option<Self> {
        use zxcvbn::feedback::Warning as W;
        Some(match feedback.warning()? {
            W::ThisIsATop10Password | W::ThisIsATop100Password | W::ThisIsACommonPassword => {
                StrengthHint::CommonPassword
            }
            W::ThisIsSimilarToACommonlyUsedPassword => StrengthHint::SimilarToCommonPassword,
            W::StraightRowsOfKeysAreEasyToGuess | W::ShortKeyboardPatternsAreEasyToGuess => {
                StrengthHint::KeyboardPattern
            }
            W::RepeatsLikeAaaAreEasyToGuess | W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => {
                StrengthHint::Repeats
            }
            W::SequencesLikeAbcAreEasyToGuess => StrengthHint::Sequence,
            W::RecentYearsAreEasyToGuess | W::DatesAreOftenEasyToGuess => {
                StrengthHint::DatesOrYears
            }
            W::AWordByItselfIsEasyToGuess => StrengthHint::SingleWord,
            W::NamesAndSurnamesByThemselvesAreEasyToGuess
            | W::CommonNamesAndSurnamesAreEasyToGuess => StrengthHint::Names,
        })
    }
}

impl fmt::Display for StrengthHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StrengthHint::CommonPassword => "it is a very common password",
            StrengthHint::SimilarToCommonPassword => "it is close to a common password",
            StrengthHint::KeyboardPattern => "rows and patterns of keys are easy to guess",
            StrengthHint::Repeats => "repeated characters or groups are easy to guess",
            StrengthHint::Sequence => "sequences like abc or 6543 are easy to guess",
            StrengthHint::DatesOrYears => "dates and years are easy to guess",
            StrengthHint::SingleWord => "a word by itself is easy to guess",
            StrengthHint::Names => "names and surnames are easy to guess",
        })
    }
}

impl Message for StrengthHint {
    fn message_id(&self) -> &'static str {
        match self {
            StrengthHint::CommonPassword => "password-hint-common",
            StrengthHint::SimilarToCommonPassword => "password-hint-similar-to-common",
            StrengthHint::KeyboardPattern => "password-hint-keyboard-pattern",
            StrengthHint::Repeats => "password-hint-repeats",
            StrengthHint::Sequence => "password-hint-sequence",
            StrengthHint::DatesOrYears => "password-hint-dates-or-years",
            StrengthHint::SingleWord => "password-hint-single-word",
            StrengthHint::Names => "password-hint-names",
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed test
mod tests {
    use super::*;

    fn id(s: &str) -> UserId {
        UserId::parse(s).expect("valid user ID")
    }

    #[test]
    fn the_estimate_reads_a_bounded_prefix() {
        let long = "kX9#mQ2vLp7w".repeat(10);
        let text = bounded(&long);
        assert_eq!(text.chars().count(), STRENGTH_PREFIX_CHARS);
        assert!(long.starts_with(text.as_str()));
        assert_eq!(bounded("short").as_str(), "short");
        let wide = "é".repeat(40);
        assert_eq!(bounded(&wide).chars().count(), STRENGTH_PREFIX_CHARS);
    }

    #[test]
    fn ordinary_look_alikes_are_left_to_the_estimator() {
        for s in [
            "P@ssw0rd!",
            "Tr0ub4dor&3",
            "x7$Kp!9@qL3(",
            "2024-08-15 0612345678",
        ] {
            assert!(readings(s) <= MAX_LOOK_ALIKE_READINGS, "{s}");
            assert_eq!(bounded(s).as_str(), s);
        }
        // Digits alone stay within the bound, however many kinds there are.
        assert!(readings("0123456789") <= MAX_LOOK_ALIKE_READINGS);
    }

    #[test]
    fn symbol_storms_are_read_as_letters() {
        let storm = "4@8({[<36!1|0$5+72%";
        assert!(readings(storm) > MAX_LOOK_ALIKE_READINGS);
        let text = bounded(storm);
        assert_eq!(text.as_str(), "4a8cccc36i1i0s5t72x");
        assert!(readings(&text) <= MAX_LOOK_ALIKE_READINGS);
    }

    #[test]
    fn user_inputs_hold_the_names_in_the_id() {
        let user = id("jan.de-vries@contoso.example.nl");
        let inputs = user_inputs(&user);
        for expected in ["jan.de-vries", "jan", "vries", "contoso", "example"] {
            assert!(inputs.contains(&expected), "{expected}");
        }
        assert!(!inputs.contains(&"de") && !inputs.contains(&"nl"));
        assert_eq!(user_inputs(&id("root")), vec!["root", "root", "root"]);
    }

    #[test]
    fn scores_and_hints() {
        let user = id("jan@contoso.nl");
        assert_eq!(
            estimate("password", &user),
            (0, Some(StrengthHint::CommonPassword))
        );
        assert_eq!(estimate("kX9#mQ2vLp7w", &user).0, 4);
        // A user's own name counts as a known word.
        let named = estimate("contoso2024", &user).0;
        let other = estimate("wkqhfzrt2024", &user).0;
        assert!(named < other, "{named} < {other}");
    }
}
