//! The rules a new password must meet, and the reasons a person sees when it does not.

use std::fmt;

use subtle::ConstantTimeEq;

use super::Password;
use super::banned::{self, BannedTerm, MAX_BANNED_TERM_CHARS, MAX_BANNED_TERMS, TermProblem};
use super::strength::{self, StrengthHint};
use crate::message::{Arg, Message};
use crate::user_id::UserId;

/// The fewest characters any rules may ask for (NIST SP 800-63B's floor for passwords a
/// person chooses).
pub const MIN_CHARS_FLOOR: usize = 8;

/// The most characters a minimum may be set to.
pub const MIN_CHARS_CEILING: usize = 64;

/// The most characters any rules may allow.
pub const MAX_CHARS_LIMIT: usize = 1024;

/// The fewest characters a maximum may be set to: OWASP ASVS 5.0 (6.2.9) asks that
/// passwords of at least 64 characters are permitted. Never below [`MIN_CHARS_CEILING`],
/// so a maximum this high is never below the minimum.
pub const MAX_CHARS_FLOOR: usize = 64;

/// The highest strength score (the estimator scores 0..=4).
pub const MAX_SCORE: u8 = 4;

/// Local parts of user IDs shorter than this are not looked for in passwords: "jo" or "ab"
/// would refuse too many good passwords.
const MIN_LOCAL_PART_CHARS: usize = 3;

/// The rules for a new password: length in characters (of the NFKC form), strength
/// estimated by `zxcvbn`, and an organisation's own banned terms.
///
/// Built with [`PasswordRules::builder`]; every value is checked when the rules are built,
/// so a [`check`](PasswordRules::check) never fails for a reason of configuration.
/// [`Default`] gives 8..=256 characters and a strength score of at least 3, with no banned
/// terms.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordRules {
    min_chars: usize,
    max_chars: usize,
    min_score: u8,
    banned: Vec<BannedTerm>,
}

/// A value of [`PasswordRules`] outside the safe bounds, refused when the rules are built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PasswordRulesError {
    /// The minimum length is outside [`MIN_CHARS_FLOOR`]..=[`MIN_CHARS_CEILING`].
    #[error(
        "the minimum password length is {min_chars}; it must be between {MIN_CHARS_FLOOR} and {MIN_CHARS_CEILING} characters"
    )]
    MinCharsOutOfRange {
        /// The minimum that was asked for.
        min_chars: usize,
    },
    /// The maximum length is outside [`MAX_CHARS_FLOOR`]..=[`MAX_CHARS_LIMIT`] (or below
    /// the minimum, which never exceeds [`MAX_CHARS_FLOOR`]).
    #[error(
        "the maximum password length is {max_chars}; it must be between {MAX_CHARS_FLOOR} (and the minimum, {min_chars}) and {MAX_CHARS_LIMIT} characters"
    )]
    MaxCharsOutOfRange {
        /// The maximum that was asked for.
        max_chars: usize,
        /// The minimum of the rules, which the maximum must not be below either.
        min_chars: usize,
    },
    /// The strength score is above [`MAX_SCORE`].
    #[error("the minimum strength score is {min_score}; it must be between 0 and {MAX_SCORE}")]
    MinScoreOutOfRange {
        /// The score that was asked for.
        min_score: u8,
    },
    /// The banned list holds more than [`MAX_BANNED_TERMS`] terms.
    #[error("the banned list holds {count} terms; at most {MAX_BANNED_TERMS} are allowed")]
    TooManyBannedTerms {
        /// How many terms were given.
        count: usize,
    },
    /// A banned term is shorter than [`MIN_BANNED_TERM_CHARS`](super::MIN_BANNED_TERM_CHARS)
    /// or longer than [`MAX_BANNED_TERM_CHARS`] characters once folded.
    #[error(
        "banned term number {index} has {chars} characters; terms must have between {} and {MAX_BANNED_TERM_CHARS}",
        super::MIN_BANNED_TERM_CHARS
    )]
    BannedTermLength {
        /// Where the term is in the list, from 0.
        index: usize,
        /// Its length in characters, after folding.
        chars: usize,
    },
    /// A banned term holds a control character.
    #[error("banned term number {index} contains a control character")]
    BannedTermControlCharacter {
        /// Where the term is in the list, from 0.
        index: usize,
    },
}

/// Builds [`PasswordRules`], starting from the defaults; nothing is checked until
/// [`build`](PasswordRulesBuilder::build).
#[derive(Debug, Clone)]
pub struct PasswordRulesBuilder {
    min_chars: usize,
    max_chars: usize,
    min_score: u8,
    banned: Vec<String>,
}

impl Default for PasswordRulesBuilder {
    fn default() -> Self {
        PasswordRulesBuilder {
            min_chars: PasswordRules::DEFAULT_MIN_CHARS,
            max_chars: PasswordRules::DEFAULT_MAX_CHARS,
            min_score: PasswordRules::DEFAULT_MIN_SCORE,
            banned: Vec::new(),
        }
    }
}

impl PasswordRulesBuilder {
    /// Sets the fewest characters a password must have
    /// ([`MIN_CHARS_FLOOR`]..=[`MIN_CHARS_CEILING`]).
    pub fn min_chars(mut self, min_chars: usize) -> Self {
        self.min_chars = min_chars;
        self
    }

    /// Sets the most characters a password may have ([`MAX_CHARS_FLOOR`]..=
    /// [`MAX_CHARS_LIMIT`]: at least 64, as OWASP ASVS 5.0 6.2.9 asks).
    pub fn max_chars(mut self, max_chars: usize) -> Self {
        self.max_chars = max_chars;
        self
    }

    /// Sets the lowest strength score accepted (0..=[`MAX_SCORE`]; 0 turns the estimate
    /// off).
    pub fn min_score(mut self, min_score: u8) -> Self {
        self.min_score = min_score;
        self
    }

    /// Adds terms to the organisation's banned list: its name, products, places. Matching
    /// ignores case and look-alike characters ("C0nt0s0" is "contoso"); terms of five or
    /// more characters also match with one character changed, added or removed.
    pub fn banned_terms<I, S>(mut self, terms: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.banned.extend(terms.into_iter().map(Into::into));
        self
    }

    /// Checks every value and builds the rules.
    pub fn build(self) -> Result<PasswordRules, PasswordRulesError> {
        let PasswordRulesBuilder {
            min_chars,
            max_chars,
            min_score,
            banned,
        } = self;
        if !(MIN_CHARS_FLOOR..=MIN_CHARS_CEILING).contains(&min_chars) {
            return Err(PasswordRulesError::MinCharsOutOfRange { min_chars });
        }
        if !(min_chars.max(MAX_CHARS_FLOOR)..=MAX_CHARS_LIMIT).contains(&max_chars) {
            return Err(PasswordRulesError::MaxCharsOutOfRange {
                max_chars,
                min_chars,
            });
        }
        if min_score > MAX_SCORE {
            return Err(PasswordRulesError::MinScoreOutOfRange { min_score });
        }
        if banned.len() > MAX_BANNED_TERMS {
            return Err(PasswordRulesError::TooManyBannedTerms {
                count: banned.len(),
            });
        }
        let mut terms: Vec<BannedTerm> = Vec::with_capacity(banned.len());
        for (index, term) in banned.iter().enumerate() {
            let term = BannedTerm::new(term).map_err(|problem| match problem {
                TermProblem::Length(chars) => PasswordRulesError::BannedTermLength { index, chars },
                TermProblem::ControlCharacter => {
                    PasswordRulesError::BannedTermControlCharacter { index }
                }
            })?;
            if !terms.contains(&term) {
                terms.push(term);
            }
        }
        Ok(PasswordRules {
            min_chars,
            max_chars,
            min_score,
            banned: terms,
        })
    }
}

impl Default for PasswordRules {
    fn default() -> Self {
        PasswordRules {
            min_chars: Self::DEFAULT_MIN_CHARS,
            max_chars: Self::DEFAULT_MAX_CHARS,
            min_score: Self::DEFAULT_MIN_SCORE,
            banned: Vec::new(),
        }
    }
}

impl fmt::Debug for PasswordRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordRules")
            .field("min_chars", &self.min_chars)
            .field("max_chars", &self.max_chars)
            .field("min_score", &self.min_score)
            .field("banned_terms", &self.banned.len())
            .finish()
    }
}

impl PasswordRules {
    /// The default fewest characters.
    pub const DEFAULT_MIN_CHARS: usize = 8;
    /// The default most characters.
    pub const DEFAULT_MAX_CHARS: usize = 256;
    /// The default lowest strength score: 3, "safely unguessable" (more than 10^8 guesses).
    pub const DEFAULT_MIN_SCORE: u8 = 3;

    /// A builder starting from the defaults.
    pub fn builder() -> PasswordRulesBuilder {
        PasswordRulesBuilder::default()
    }

    /// The fewest characters a password must have.
    pub fn min_chars(&self) -> usize {
        self.min_chars
    }

    /// The most characters a password may have.
    pub fn max_chars(&self) -> usize {
        self.max_chars
    }

    /// The lowest strength score accepted (0..=4).
    pub fn min_score(&self) -> u8 {
        self.min_score
    }

    /// How many distinct terms the banned list holds (after folding).
    pub fn banned_term_count(&self) -> usize {
        self.banned.len()
    }

    /// Whether `new` may become the password of `user_id`, with `confirm` the second entry
    /// of it. Pure: no I/O, no clock; the same input always gives the same answer.
    ///
    /// The first rule broken is the one returned, in this order: length, control
    /// characters, both entries equal, the user ID, the banned terms, strength. What a
    /// person can see on the form comes first, the estimate last (it is also the slowest:
    /// about a tenth of a millisecond for a typical password, a few milliseconds at worst,
    /// since it reads at most [`STRENGTH_PREFIX_CHARS`](super::STRENGTH_PREFIX_CHARS)
    /// characters). Whether the password is the current one needs the stored hash and is
    /// the caller's check ([`PasswordRefusal::SameAsCurrent`]).
    pub fn check(
        &self,
        new: &Password,
        confirm: &Password,
        user_id: &UserId,
    ) -> Result<(), PasswordRefusal> {
        // Typed with more than `MAX_PASSWORD_BYTES` bytes: dropped before normalisation.
        if new.is_over_long() {
            return Err(PasswordRefusal::TooLong {
                max: self.max_chars,
            });
        }
        let password = new.expose_secret();
        let chars = password.chars().take(self.max_chars + 1).count();
        if chars < self.min_chars {
            return Err(PasswordRefusal::TooShort {
                min: self.min_chars,
            });
        }
        if chars > self.max_chars {
            return Err(PasswordRefusal::TooLong {
                max: self.max_chars,
            });
        }
        if password.chars().any(char::is_control) {
            return Err(PasswordRefusal::ControlCharacter);
        }
        // `new` has at most `max_chars` characters, so at most four bytes each.
        if !same_secret(password, confirm.expose_secret(), self.max_chars * 4) {
            return Err(PasswordRefusal::Mismatch);
        }
        let folded = banned::fold(password);
        if contains_user_id(&folded, user_id) {
            return Err(PasswordRefusal::ContainsUserId);
        }
        if self.banned.iter().any(|term| term.found_in(&folded)) {
            return Err(PasswordRefusal::Banned);
        }
        drop(folded);
        if self.min_score > 0 {
            let (score, hint) = strength::estimate(password, user_id);
            if score < self.min_score {
                return Err(PasswordRefusal::TooWeak {
                    score,
                    min_score: self.min_score,
                    hint,
                });
            }
        }
        Ok(())
    }
}

/// Whether `a` and `b` are the same, in time that depends on `padded_len` and on nothing
/// else of their content: every byte position up to `padded_len` is compared (missing bytes
/// as zero), and the lengths separately. `a` must be at most `padded_len` bytes long.
pub(crate) fn same_secret(a: &str, b: &str, padded_len: usize) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut diff = 0u8;
    for i in 0..padded_len {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= x ^ y;
    }
    let same_len = (a.len() as u64).ct_eq(&(b.len() as u64));
    let covered = a.len() <= padded_len;
    bool::from(diff.ct_eq(&0) & same_len) && covered
}

/// Whether the folded password holds the user ID, or its local part when that is long
/// enough to mean something.
fn contains_user_id(folded: &[char], user_id: &UserId) -> bool {
    if banned::contains(folded, &banned::fold(user_id.as_str())) {
        return true;
    }
    let local = user_id.local_part();
    local.chars().count() >= MIN_LOCAL_PART_CHARS && banned::contains(folded, &banned::fold(local))
}

/// Why a new password was refused: something the person can change. Messages say what to
/// do and never repeat the password or any part of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PasswordRefusal {
    /// Fewer characters than the rules ask for.
    #[error("the password is too short: use at least {min} characters")]
    TooShort {
        /// The fewest characters allowed.
        min: usize,
    },
    /// More characters than the rules allow.
    #[error("the password is too long: use at most {max} characters")]
    TooLong {
        /// The most characters allowed.
        max: usize,
    },
    /// The password holds a control character (a tab, a line break, ...).
    #[error(
        "the password contains a control character such as a tab or a line break: use only characters you can type"
    )]
    ControlCharacter,
    /// The two entries differ.
    #[error("the two passwords are not the same: type the same new password in both boxes")]
    Mismatch,
    /// The password holds the user ID or the name before its `@`.
    #[error("the password contains your user ID or user name: choose a password without it")]
    ContainsUserId,
    /// The password holds a term on the organisation's banned list (or a near miss of it).
    #[error(
        "the password contains a word or name your organisation does not allow: choose a different password"
    )]
    Banned,
    /// The strength estimate is below the minimum.
    #[error("the password is too easy to guess{}: add another word or two; uncommon words are better", hint_clause(*.hint))]
    TooWeak {
        /// The estimated score, 0..=4.
        score: u8,
        /// The lowest score accepted.
        min_score: u8,
        /// What made it easy to guess, when the estimator knows.
        hint: Option<StrengthHint>,
    },
    /// The password is the current one (found by the caller, against the stored hash).
    #[error("the new password is the same as your current one: choose a different password")]
    SameAsCurrent,
}

impl PasswordRefusal {
    /// The rule that was broken, without the numbers: what an audit event records.
    pub fn rule(&self) -> PasswordRule {
        match self {
            PasswordRefusal::TooShort { .. } => PasswordRule::MinLength,
            PasswordRefusal::TooLong { .. } => PasswordRule::MaxLength,
            PasswordRefusal::ControlCharacter => PasswordRule::NoControlCharacters,
            PasswordRefusal::Mismatch => PasswordRule::EntriesMatch,
            PasswordRefusal::ContainsUserId => PasswordRule::NoUserId,
            PasswordRefusal::Banned => PasswordRule::NoBannedTerms,
            PasswordRefusal::TooWeak { .. } => PasswordRule::MinStrength,
            PasswordRefusal::SameAsCurrent => PasswordRule::NotCurrent,
        }
    }
}

/// A rule a new password must meet, by name: which one a [`PasswordRefusal`] broke
/// ([`PasswordRefusal::rule`]), as audit events record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PasswordRule {
    /// At least the minimum number of characters.
    MinLength,
    /// At most the maximum number of characters.
    MaxLength,
    /// No control characters.
    NoControlCharacters,
    /// Both entries the same.
    EntriesMatch,
    /// Not holding the user ID or the name before its `@`.
    NoUserId,
    /// No term of the organisation's banned list.
    NoBannedTerms,
    /// At least the minimum strength score.
    MinStrength,
    /// Not the current password.
    NotCurrent,
}

impl fmt::Display for PasswordRule {
    /// A short stable name for logs, kebab-case: `min-length`, `no-user-id`, ...
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PasswordRule::MinLength => "min-length",
            PasswordRule::MaxLength => "max-length",
            PasswordRule::NoControlCharacters => "no-control-characters",
            PasswordRule::EntriesMatch => "entries-match",
            PasswordRule::NoUserId => "no-user-id",
            PasswordRule::NoBannedTerms => "no-banned-terms",
            PasswordRule::MinStrength => "min-strength",
            PasswordRule::NotCurrent => "not-current",
        })
    }
}

impl Message for PasswordRefusal {
    fn message_id(&self) -> &'static str {
        match self {
            PasswordRefusal::TooShort { .. } => "password-too-short",
            PasswordRefusal::TooLong { .. } => "password-too-long",
            PasswordRefusal::ControlCharacter => "password-control-character",
            PasswordRefusal::Mismatch => "password-mismatch",
            PasswordRefusal::ContainsUserId => "password-contains-user-id",
            PasswordRefusal::Banned => "password-banned",
            PasswordRefusal::TooWeak { .. } => "password-too-weak",
            PasswordRefusal::SameAsCurrent => "password-same-as-current",
        }
    }

    /// `min` or `max` for the length rules; `score`, `min_score` and, when the estimator
    /// knows what made the password easy to guess, `hint` (a [`StrengthHint`]'s message)
    /// for [`PasswordRefusal::TooWeak`].
    fn message_args(&self) -> Vec<(&'static str, Arg)> {
        match *self {
            PasswordRefusal::TooShort { min } => vec![("min", min.into())],
            PasswordRefusal::TooLong { max } => vec![("max", max.into())],
            PasswordRefusal::TooWeak {
                score,
                min_score,
                hint,
            } => {
                let mut args = vec![("score", score.into()), ("min_score", min_score.into())];
                if let Some(hint) = hint {
                    args.push(("hint", Arg::Message(hint.message_id())));
                }
                args
            }
            _ => Vec::new(),
        }
    }
}

fn hint_clause(hint: Option<StrengthHint>) -> String {
    hint.map(|hint| format!(" ({hint})")).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed test
mod tests {
    use super::*;

    fn id(s: &str) -> UserId {
        UserId::parse(s).expect("valid user ID")
    }

    fn check(rules: &PasswordRules, pw: &str, user: &str) -> Result<(), PasswordRefusal> {
        rules.check(&Password::new(pw), &Password::new(pw), &id(user))
    }

    #[test]
    fn defaults_are_the_design_numbers() {
        let rules = PasswordRules::default();
        assert_eq!((rules.min_chars(), rules.max_chars()), (8, 256));
        assert_eq!(rules.min_score(), 3);
        assert_eq!(rules.banned_term_count(), 0);
        assert_eq!(PasswordRules::builder().build(), Ok(rules));
    }

    #[test]
    fn bounds_are_checked_when_built() {
        let b = PasswordRules::builder;
        assert_eq!(
            b().min_chars(7).build(),
            Err(PasswordRulesError::MinCharsOutOfRange { min_chars: 7 })
        );
        assert!(b().min_chars(65).max_chars(100).build().is_err());
        assert_eq!(
            b().min_chars(12).max_chars(11).build(),
            Err(PasswordRulesError::MaxCharsOutOfRange {
                max_chars: 11,
                min_chars: 12
            })
        );
        assert!(b().max_chars(1025).build().is_err());
        assert!(b().max_chars(1024).build().is_ok());
        // OWASP ASVS 5.0, 6.2.9: passwords of at least 64 characters are permitted.
        assert!(b().max_chars(64).build().is_ok());
        let error = b().max_chars(63).build().expect_err("refused");
        assert_eq!(
            error,
            PasswordRulesError::MaxCharsOutOfRange {
                max_chars: 63,
                min_chars: 8
            }
        );
        assert_eq!(
            error.to_string(),
            "the maximum password length is 63; it must be between 64 (and the minimum, 8) and 1024 characters"
        );
        assert!(b().min_chars(64).max_chars(64).build().is_ok());
        assert_eq!(
            b().min_score(5).build(),
            Err(PasswordRulesError::MinScoreOutOfRange { min_score: 5 })
        );
        assert_eq!(
            b().banned_terms(vec!["term"; 1001]).build(),
            Err(PasswordRulesError::TooManyBannedTerms { count: 1001 })
        );
        assert_eq!(
            b().banned_terms(["contoso", "ibm"]).build(),
            Err(PasswordRulesError::BannedTermLength { index: 1, chars: 3 })
        );
        assert_eq!(
            b().banned_terms(["con\ttoso"]).build(),
            Err(PasswordRulesError::BannedTermControlCharacter { index: 0 })
        );
        let rules = b()
            .banned_terms(["Contoso", "C0NT0S0", "fabrikam"])
            .build()
            .expect("valid");
        assert_eq!(
            rules.banned_term_count(),
            2,
            "duplicates after folding merge"
        );
    }

    #[test]
    fn same_secret_compares_all_of_both() {
        assert!(same_secret("abcdefgh", "abcdefgh", 32));
        assert!(!same_secret("abcdefgh", "abcdefgi", 32));
        assert!(!same_secret("abcdefgh", "abcdefgh ", 32));
        assert!(!same_secret("abcdefgh", &"abcdefgh".repeat(10), 32));
        assert!(
            !same_secret(&"a".repeat(40), &"a".repeat(40), 32),
            "a beyond the pad"
        );
    }

    #[test]
    fn weak_passwords_carry_a_hint() {
        let rules = PasswordRules::default();
        let refusal = check(&rules, "password", "jan@contoso.nl");
        assert!(matches!(
            refusal,
            Err(PasswordRefusal::TooWeak {
                score: 0,
                min_score: 3,
                hint: Some(StrengthHint::CommonPassword)
            })
        ));
        assert!(matches!(
            check(&rules, "qwertyuiop", "jan@contoso.nl"),
            Err(PasswordRefusal::TooWeak {
                hint: Some(StrengthHint::KeyboardPattern | StrengthHint::CommonPassword),
                ..
            })
        ));
    }

    #[test]
    fn over_long_input_is_too_long_whatever_the_rules() {
        let over_long = "\u{FDFA}".repeat(1 << 18);
        for rules in [
            PasswordRules::default(),
            PasswordRules::builder()
                .max_chars(MAX_CHARS_LIMIT)
                .build()
                .expect("valid"),
        ] {
            assert_eq!(
                check(&rules, &over_long, "jan@contoso.nl"),
                Err(PasswordRefusal::TooLong {
                    max: rules.max_chars()
                })
            );
        }
        // A good password confirmed with a megabyte: the entries differ.
        let rules = PasswordRules::default();
        let good = "plum kettle orbit 71";
        assert_eq!(
            rules.check(
                &Password::new(good),
                &Password::new(over_long),
                &id("jan@contoso.nl")
            ),
            Err(PasswordRefusal::Mismatch)
        );
    }

    #[test]
    fn score_zero_skips_the_estimate() {
        let rules = PasswordRules::builder()
            .min_score(0)
            .build()
            .expect("valid");
        assert_eq!(check(&rules, "password", "jan@contoso.nl"), Ok(()));
    }
}
