//! How a flow ends: without a reset (personal account, ask your admin, locked, expired)
//! or with one (completed). Each ending is its own type, and [`Ending`] holds any of them.

use std::fmt;

use time::OffsetDateTime;

use crate::contact::MaskedContact;
use crate::message::{Arg, Message};
use crate::user_id::UserId;

/// The flow ended without a reset: the person chose a personal account. The host sends
/// them to its consumer account recovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalAccount;

/// The flow ended: this account cannot reset its password by itself (it is unknown, or
/// its admin did not enable self-service reset; the two are not told apart). Show "ask
/// your admin to reset your password".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AskAdmin;

/// Why a flow locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LockReason {
    /// Too many wrong challenge answers in this flow.
    ChallengeAttempts,
    /// Too many wrong codes in this flow.
    CodeAttempts,
    /// The user ID passed a limit across flows (codes sent, wrong codes) and is blocked.
    UserBlocked,
    /// Too many new passwords refused by the rules in this flow.
    PasswordAttempts,
}

impl fmt::Display for LockReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LockReason::ChallengeAttempts => "too many wrong answers to the challenge",
            LockReason::CodeAttempts => "too many wrong codes",
            LockReason::UserBlocked => "too many codes or wrong codes for this account",
            LockReason::PasswordAttempts => "too many new passwords refused",
        })
    }
}

/// The flow ended locked. A blocked user ID says until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locked {
    /// Why.
    pub reason: LockReason,
    /// Until when the user ID is blocked (for [`LockReason::UserBlocked`]).
    pub until: Option<OffsetDateTime>,
}

/// The flow ended: its lifetime ran out. Start again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expired;

/// The flow ended with a new password: the receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completed {
    /// Whose password changed.
    pub user: UserId,
    /// When.
    pub at: OffsetDateTime,
    /// The methods that proved ownership, masked.
    pub methods_used: Vec<MaskedContact>,
    /// Always `true`: the host should end the user's other sessions now.
    pub end_other_sessions: bool,
}

/// Any ending of a flow. Nothing is left to save: a host shows the ending's page and
/// forgets the flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// A personal account: hand over to consumer recovery.
    PersonalAccount(PersonalAccount),
    /// This account cannot reset by itself: ask your admin.
    AskAdmin(AskAdmin),
    /// Too many wrong answers or codes, or the user ID is blocked.
    Locked(Locked),
    /// The flow's lifetime ran out.
    Expired(Expired),
    /// The password was changed.
    Completed(Completed),
}

macro_rules! into_ending {
    ($($variant:ident),*) => {$(
        impl From<$variant> for Ending {
            fn from(ending: $variant) -> Self {
                Ending::$variant(ending)
            }
        }
    )*};
}

into_ending!(PersonalAccount, AskAdmin, Locked, Expired, Completed);

impl fmt::Display for PersonalAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("this is a personal account: recover it with your account provider")
    }
}

impl fmt::Display for AskAdmin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("you cannot reset this password yourself: ask your admin to reset it")
    }
}

impl fmt::Display for Locked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.until {
            Some(until) => write!(f, "locked ({}) until {until}", self.reason),
            None => write!(f, "locked ({}): start again", self.reason),
        }
    }
}

impl fmt::Display for Expired {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("this password reset expired: start again")
    }
}

impl fmt::Display for Completed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("your password was changed")
    }
}

impl fmt::Display for Ending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ending::PersonalAccount(e) => e.fmt(f),
            Ending::AskAdmin(e) => e.fmt(f),
            Ending::Locked(e) => e.fmt(f),
            Ending::Expired(e) => e.fmt(f),
            Ending::Completed(e) => e.fmt(f),
        }
    }
}

impl Message for LockReason {
    fn message_id(&self) -> &'static str {
        match self {
            LockReason::ChallengeAttempts => "lock-challenge-attempts",
            LockReason::CodeAttempts => "lock-code-attempts",
            LockReason::UserBlocked => "lock-user-blocked",
            LockReason::PasswordAttempts => "lock-password-attempts",
        }
    }
}

impl Message for PersonalAccount {
    fn message_id(&self) -> &'static str {
        "ending-personal-account"
    }
}

impl Message for AskAdmin {
    fn message_id(&self) -> &'static str {
        "ending-ask-admin"
    }
}

impl Message for Locked {
    fn message_id(&self) -> &'static str {
        "ending-locked"
    }

    fn message_args(&self) -> Vec<(&'static str, Arg)> {
        let mut args = vec![("reason", Arg::Message(self.reason.message_id()))];
        if let Some(until) = self.until {
            args.push(("until", Arg::Time(until)));
        }
        args
    }
}

impl Message for Expired {
    fn message_id(&self) -> &'static str {
        "ending-expired"
    }
}

impl Message for Completed {
    fn message_id(&self) -> &'static str {
        "ending-completed"
    }

    fn message_args(&self) -> Vec<(&'static str, Arg)> {
        vec![("at", Arg::Time(self.at))]
    }
}

impl Message for Ending {
    fn message_id(&self) -> &'static str {
        match self {
            Ending::PersonalAccount(e) => e.message_id(),
            Ending::AskAdmin(e) => e.message_id(),
            Ending::Locked(e) => e.message_id(),
            Ending::Expired(e) => e.message_id(),
            Ending::Completed(e) => e.message_id(),
        }
    }

    fn message_args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            Ending::PersonalAccount(e) => e.message_args(),
            Ending::AskAdmin(e) => e.message_args(),
            Ending::Locked(e) => e.message_args(),
            Ending::Expired(e) => e.message_args(),
            Ending::Completed(e) => e.message_args(),
        }
    }
}
