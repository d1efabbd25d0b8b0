//! What the crate shows a person, as data: every refusal and validation error has a stable
//! identifier and the numbers it shows, so that a host can render it in any language (and
//! branch on it) instead of showing, or parsing, the English text.
//!
//! The English [`Display`](std::fmt::Display) text stays the default. A host that
//! localises looks up [`Message::message_id`] in its translations (Fluent, gettext, a
//! table) and fills in [`Message::message_args`]:
//!
//! ```
//! use sspr::message::{Arg, Message};
//! use sspr::password::PasswordRefusal;
//!
//! let refusal = PasswordRefusal::TooShort { min: 12 };
//! assert_eq!(refusal.message_id(), "password-too-short");
//! assert_eq!(refusal.message_args(), [("min", Arg::Number(12))]);
//! // The English default.
//! assert_eq!(refusal.to_string(), "the password is too short: use at least 12 characters");
//! ```
//!
//! A message that names another one (the field of a form, what made a password easy to
//! guess) carries that one's identifier as an [`Arg::Message`]: render it in the same
//! language and put it in place.

use time::OffsetDateTime;

/// Anything the crate shows a person: a refusal, a validation error, an ending.
///
/// Identifiers are kebab-case, unique across the crate, and never change between versions
/// (a new meaning gets a new identifier). Arguments never hold a secret or anything the
/// person typed: only numbers, times and other messages' identifiers.
pub trait Message: std::fmt::Display {
    /// Stable identifier of this variant's message, kebab-case, e.g. `"password-too-short"`.
    /// Never changes between versions.
    fn message_id(&self) -> &'static str;

    /// The values the message shows, by name (Fluent-style arguments, named like the
    /// variant's fields), e.g. `[("min", Arg::Number(8))]`. Never a secret, never echoed
    /// input. Empty for most messages; an optional value that is not there is left out
    /// (a translation gives a default for it).
    fn message_args(&self) -> Vec<(&'static str, Arg)> {
        Vec::new()
    }
}

/// One value a [`Message`] shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Arg {
    /// A count or a bound ("at least 8 characters").
    Number(i64),
    /// A moment ("blocked until 14:05"); the host formats it for the person.
    Time(OffsetDateTime),
    /// Another message, by its [`Message::message_id`]: a field of a form, what made a
    /// password easy to guess. Render that message in the same language and put it in
    /// place (or select on the identifier).
    Message(&'static str),
}

impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Number(n)
    }
}

impl From<u8> for Arg {
    fn from(n: u8) -> Self {
        Arg::Number(i64::from(n))
    }
}

impl From<u32> for Arg {
    fn from(n: u32) -> Self {
        Arg::Number(i64::from(n))
    }
}

impl From<usize> for Arg {
    /// Saturates at `i64::MAX` (no count of this crate comes near it).
    fn from(n: usize) -> Self {
        Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<OffsetDateTime> for Arg {
    fn from(t: OffsetDateTime) -> Self {
        Arg::Time(t)
    }
}

/// Whether `id` is kebab-case: lower-case ASCII words of letters and digits, each starting
/// with a letter, joined by single hyphens.
#[cfg(test)]
pub(crate) fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|word| {
            word.starts_with(|c: char| c.is_ascii_lowercase())
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::admin::{AdminResetError, ForcedChangeRefusal};
    use crate::challenge::InputRejected;
    use crate::ending::{
        AskAdmin, Completed, Ending, Expired, LockReason, Locked, PersonalAccount,
    };
    use crate::flow::FlowIdError;
    use crate::password::{PasswordRefusal, StrengthHint};
    use crate::store::FlowsError;
    use crate::store::StoreError;
    use crate::support::{SupportError, SupportField, SupportRequestError};
    use crate::user_id::UserIdError;
    use crate::wizard::Refusal;

    /// One value of every variant of every enum that implements [`Message`]. A new
    /// variant belongs here (the `match` in its `message_id` is exhaustive, this list is
    /// not: keep them together).
    pub(crate) fn every_message() -> Vec<Box<dyn Message>> {
        let mut all: Vec<Box<dyn Message>> = Vec::new();
        let hints = [
            StrengthHint::CommonPassword,
            StrengthHint::SimilarToCommonPassword,
            StrengthHint::KeyboardPattern,
            StrengthHint::Repeats,
            StrengthHint::Sequence,
            StrengthHint::DatesOrYears,
            StrengthHint::SingleWord,
            StrengthHint::Names,
        ];
        all.extend(hints.map(|h| Box::new(h) as Box<dyn Message>));
        all.push(Box::new(crate::grant::LinkRefusal::NotValid));
        all.push(Box::new(crate::admin_request::ContactRefusal::TooMany));
        {
            use crate::registration::RegistrationRefusal as R;
            let until = time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
            all.extend(
                [
                    R::WrongPassword,
                    R::ChangePasswordFirst,
                    R::TooManySignIns,
                    R::InvalidAddress,
                    R::AlreadyRegistered,
                    R::TooManyMethods { max: 8 },
                    R::NoSuchMethod,
                    R::CodeFormat { digits: 6 },
                    R::WrongCode { attempts_left: 2 },
                    R::TooManyWrongCodes,
                    R::CodeExpired,
                    R::TooManyCodes,
                    R::TooManyChecks,
                    R::Blocked { until },
                    R::MethodsChanged,
                    R::DeliveryFailed,
                    R::NotValid,
                ]
                .map(|r| Box::new(r) as Box<dyn Message>),
            );
        }
        all.extend(
            [
                crate::contact::ContactKind::Email,
                crate::contact::ContactKind::Sms,
                crate::contact::ContactKind::Voice,
            ]
            .map(|k| Box::new(k) as Box<dyn Message>),
        );
        all.extend(
            [
                PasswordRefusal::TooShort { min: 8 },
                PasswordRefusal::TooLong { max: 256 },
                PasswordRefusal::ControlCharacter,
                PasswordRefusal::Mismatch,
                PasswordRefusal::ContainsUserId,
                PasswordRefusal::Banned,
                PasswordRefusal::TooWeak {
                    score: 1,
                    min_score: 3,
                    hint: Some(StrengthHint::Names),
                },
                PasswordRefusal::SameAsCurrent,
            ]
            .map(|r| Box::new(r) as Box<dyn Message>),
        );
        all.extend(
            [
                UserIdError::Empty,
                UserIdError::TooLong { max_bytes: 256 },
                UserIdError::InvalidCharacter,
                UserIdError::InvisibleCharacter,
                UserIdError::BidiControl,
            ]
            .map(|e| Box::new(e) as Box<dyn Message>),
        );
        all.extend(
            [InputRejected::Empty, InputRejected::TooLong { max: 64 }]
                .map(|e| Box::new(e) as Box<dyn Message>),
        );
        let fields = [
            SupportField::Name,
            SupportField::EmailAddress,
            SupportField::PhoneNumber,
            SupportField::CompanyName,
            SupportField::OrganisationDomain,
            SupportField::Explanation,
        ];
        all.extend(fields.map(|f| Box::new(f) as Box<dyn Message>));
        all.extend(
            [
                SupportRequestError::Missing(SupportField::Name),
                SupportRequestError::TooLong {
                    field: SupportField::Explanation,
                    max: 2000,
                },
                SupportRequestError::ControlCharacter(SupportField::CompanyName),
                SupportRequestError::Email,
            ]
            .map(|e| Box::new(e) as Box<dyn Message>),
        );
        all.push(Box::new(SupportError::unavailable("down")));
        all.extend(
            [
                FlowIdError::Length,
                FlowIdError::Character,
                FlowIdError::Entropy,
            ]
            .map(|e| Box::new(e) as Box<dyn Message>),
        );
        all.extend(
            [
                LockReason::ChallengeAttempts,
                LockReason::CodeAttempts,
                LockReason::UserBlocked,
                LockReason::PasswordAttempts,
            ]
            .map(|e| Box::new(e) as Box<dyn Message>),
        );
        let at = OffsetDateTime::UNIX_EPOCH;
        all.extend(
            [
                Ending::PersonalAccount(PersonalAccount),
                Ending::AskAdmin(AskAdmin),
                Ending::Locked(Locked {
                    reason: LockReason::UserBlocked,
                    until: Some(at),
                }),
                Ending::Expired(Expired),
                Ending::Completed(Completed {
                    user: crate::user_id::UserId::parse("a@example.org").expect("valid"),
                    at,
                    methods_used: Vec::new(),
                    end_other_sessions: true,
                }),
            ]
            .map(|e| Box::new(e) as Box<dyn Message>),
        );
        all.extend(
            [
                Refusal::WrongAnswer { attempts_left: 2 },
                Refusal::ChallengeExpired,
                Refusal::NoMoreChallenges,
                Refusal::UnknownMethod,
                Refusal::CodeFormat { digits: 6 },
                Refusal::WrongCode { attempts_left: 1 },
                Refusal::CodeExpired,
                Refusal::NoMoreResends,
                Refusal::Unavailable(crate::error::Error::NoSuchMethod),
            ]
            .map(|e| Box::new(e) as Box<dyn Message>),
        );
        all.extend(
            [
                FlowsError::Missing,
                FlowsError::Stale,
                FlowsError::Expired,
                FlowsError::Snapshot(crate::snapshot::SnapshotError::Damaged),
                FlowsError::NoChallenge,
            ]
            .map(|e| Box::new(e) as Box<dyn Message>),
        );
        all.extend(
            [
                ForcedChangeRefusal::WrongTemporaryPassword,
                ForcedChangeRefusal::TemporaryPasswordExpired,
            ]
            .map(|e| Box::new(e) as Box<dyn Message>),
        );
        all.extend(
            [AdminResetError::NotAllowed, AdminResetError::NoSuchUser]
                .map(|e| Box::new(e) as Box<dyn Message>),
        );
        all.extend(
            [
                StoreError::Full { capacity: 10 },
                StoreError::Expired,
                StoreError::unavailable("down"),
            ]
            .map(|e| Box::new(e) as Box<dyn Message>),
        );
        all
    }

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut seen = HashSet::new();
        for message in every_message() {
            let id = message.message_id();
            assert!(is_kebab_case(id), "{id:?} is not kebab-case");
            assert!(seen.insert(id), "{id:?} is used twice");
        }
        assert!(seen.len() >= 38, "{}", seen.len());
    }

    #[test]
    fn args_are_named_once_and_name_only_messages_that_exist() {
        let all = every_message();
        let ids: HashSet<&str> = all.iter().map(|m| m.message_id()).collect();
        for message in &all {
            let mut names = HashSet::new();
            for (name, arg) in message.message_args() {
                let fluent_identifier = name.starts_with(|c: char| c.is_ascii_lowercase())
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                assert!(fluent_identifier, "{}: {name:?}", message.message_id());
                assert!(names.insert(name), "{}: {name} twice", message.message_id());
                if let Arg::Message(id) = arg {
                    assert!(
                        ids.contains(id),
                        "{}: no message {id}",
                        message.message_id()
                    );
                }
            }
            assert!(!message.to_string().is_empty());
        }
    }

    #[test]
    fn kebab_case_is_checked() {
        assert!(is_kebab_case("password-too-short"));
        assert!(is_kebab_case("store-full"));
        for bad in ["", "Password", "too_short", "a--b", "-a", "a-", "a b", "9a"] {
            assert!(!is_kebab_case(bad), "{bad:?}");
        }
    }

    #[test]
    fn numbers_convert() {
        assert_eq!(Arg::from(8usize), Arg::Number(8));
        assert_eq!(Arg::from(usize::MAX), Arg::Number(i64::MAX));
        assert_eq!(Arg::from(3u8), Arg::Number(3));
        assert_eq!(Arg::from(5u32), Arg::Number(5));
    }
}
