//! The typed face of the machine: `Wizard<S>` for each step `S`, transitions that consume
//! it, and refusals that give the same step back with the reason.

use std::fmt;

use time::OffsetDateTime;

use crate::challenge::InputRejected;
use crate::error::Error;
use crate::flow::FlowId;
use crate::password::PasswordRefusal;
use crate::user_id::UserIdError;

mod sealed {
    pub trait Sealed {}
}

/// A step of the wizard. Sealed: the steps are the crate's
/// ([`SelectAccount`](crate::step::SelectAccount), [`Identify`](crate::step::Identify),
/// [`ChooseMethod`](crate::step::ChooseMethod), [`Verify`](crate::step::Verify),
/// [`NewPassword`](crate::step::NewPassword)).
pub trait Step: sealed::Sealed + fmt::Debug + Send + Sync {
    /// The step's name, for logs and audit.
    const NAME: &'static str;
}

pub(crate) use sealed::Sealed;

/// What every step knows of its flow: its ID and its deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Flow {
    pub(crate) id: FlowId,
    pub(crate) started: OffsetDateTime,
    pub(crate) deadline: OffsetDateTime,
}

/// The wizard at step `S`. Each transition consumes it and returns the next step, an
/// outcome, or (refused) the same step back with the reason. A step that is not allowed
/// here is not a method of this type, so it does not compile.
pub struct Wizard<S: Step> {
    pub(crate) flow: Flow,
    pub(crate) step: S,
}

impl<S: Step> Wizard<S> {
    /// The flow's ID.
    pub fn flow_id(&self) -> FlowId {
        self.flow.id
    }

    /// When the whole flow expires.
    pub fn deadline(&self) -> OffsetDateTime {
        self.flow.deadline
    }

    /// When the flow started.
    pub fn started(&self) -> OffsetDateTime {
        self.flow.started
    }

    /// The step's state.
    pub fn step(&self) -> &S {
        &self.step
    }

    pub(crate) fn with<T: Step>(self, step: T) -> Wizard<T> {
        Wizard {
            flow: self.flow,
            step,
        }
    }

    pub(crate) fn refuse(self, reason: Refusal) -> Refused<S> {
        Refused {
            wizard: self,
            reason,
        }
    }
}

impl<S: Step> fmt::Debug for Wizard<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wizard")
            .field("flow", &self.flow.id)
            .field("deadline", &self.flow.deadline)
            .field("step", &self.step)
            .finish()
    }
}

/// A transition that did not move on: the same step back (possibly with a new challenge
/// or one attempt less) and why.
#[derive(Debug)]
pub struct Refused<S: Step> {
    /// The wizard, still at step `S`.
    pub wizard: Wizard<S>,
    /// Why the step did not move on.
    pub reason: Refusal,
}

/// Why a step did not move on: something the person can fix, or a host part that failed
/// (try again). Never holds a secret or echoes input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The user ID is not valid.
    #[error(transparent)]
    UserId(UserIdError),
    /// The typed challenge answer cannot be an answer (empty, too long); no attempt used.
    #[error(transparent)]
    AnswerInput(InputRejected),
    /// The answer was wrong: a new challenge is shown.
    #[error(
        "those are not the characters shown; try the new challenge ({attempts_left} attempts left)"
    )]
    WrongAnswer {
        /// Attempts left in this flow.
        attempts_left: u8,
    },
    /// The challenge timed out: a new challenge is shown; no attempt used.
    #[error("the challenge expired; try the new one")]
    ChallengeExpired,
    /// No more new or switched challenges in this flow.
    #[error("no more new challenges in this flow; answer this one or start again")]
    NoMoreChallenges,
    /// There is no contact method with that number, or it was already used.
    #[error("choose one of the contact methods shown")]
    UnknownMethod,
    /// The typed code is not `digits` digits.
    #[error("enter the {digits}-digit code")]
    CodeFormat {
        /// Digits in a code.
        digits: u8,
    },
    /// The code was wrong.
    #[error("that code is not right ({})", attempts(*attempts_left))]
    WrongCode {
        /// Attempts left in this flow.
        attempts_left: u8,
    },
    /// The code timed out: ask for a new one.
    #[error("the code expired; ask for a new one")]
    CodeExpired,
    /// No more resends for this code.
    #[error("no more codes can be sent; use the last one or start again")]
    NoMoreResends,
    /// The user ID or the temporary password is not right (the two are not told apart).
    #[error("the user ID or the temporary password is not right")]
    WrongTemporaryPassword,
    /// The admin's temporary password has expired: ask the admin for a new one.
    #[error("the temporary password has expired; ask your admin for a new one")]
    TemporaryPasswordExpired,
    /// The new password breaks a rule.
    #[error(transparent)]
    Password(PasswordRefusal),
    /// A host part (directory, delivery, counters, hashing) failed; nothing moved on: try
    /// the step again.
    ///
    /// The message is fixed (safe to show); the host part's error is the
    /// [`source`](std::error::Error::source), for the host's logs.
    #[error("the service is unavailable; try again")]
    Unavailable(#[source] Error),
}

fn attempts(left: u8) -> String {
    match left {
        1 => "1 attempt left".to_owned(),
        n => format!("{n} attempts left"),
    }
}

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LockReason {
    /// Too many wrong challenge answers in this flow.
    ChallengeAttempts,
    /// Too many wrong codes in this flow.
    CodeAttempts,
    /// The user ID passed a limit across flows (codes sent, wrong codes) and is blocked.
    UserBlocked,
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
    pub user: crate::user_id::UserId,
    /// When.
    pub at: OffsetDateTime,
    /// The methods that proved ownership, masked.
    pub methods_used: Vec<crate::contact::MaskedContact>,
    /// Always `true`: the host should end the user's other sessions now.
    pub end_other_sessions: bool,
}

/// A transition that keeps the step (a new challenge, a new code) or finds the flow
/// expired.
#[derive(Debug)]
pub enum Stay<S: Step> {
    /// The same step, changed.
    Step(Wizard<S>),
    /// The flow's lifetime ran out.
    Expired(Expired),
}
