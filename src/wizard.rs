//! The typed face of the machine: `Wizard<S>` for each step `S`, transitions that consume
//! it, and refusals that give the same step back with the reason.

use std::fmt;

use time::OffsetDateTime;

use crate::challenge::InputRejected;
use crate::ending::Expired;
use crate::error::Error;
use crate::flow::FlowId;
use crate::message::{Arg, Message};
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
/// ending, or (refused) the same step back with the reason. A step that is not allowed
/// here is not a method of this type, so it does not compile (these examples are
/// compile-fail doc tests; each names the compiler's error code, which rustdoc checks on
/// nightly):
///
/// ```compile_fail,E0599
/// # async fn f(sspr: &sspr::Sspr) -> Result<(), Box<dyn std::error::Error>> {
/// // "Can't access your account?" has no user ID and answer to submit: that is the
/// // Identify step's transition.
/// let wizard = sspr.start()?;
/// let _ = wizard.submit(sspr, "jan.jansen@contoso.nl", "ABC123").await;
/// # Ok(()) }
/// ```
///
/// A transition consumes the wizard, so a step cannot be taken twice:
///
/// ```compile_fail,E0382
/// # use sspr::step::AccountType;
/// # fn f(sspr: &sspr::Sspr) -> Result<(), Box<dyn std::error::Error>> {
/// let wizard = sspr.start()?;
/// let _first = wizard.choose(sspr, AccountType::WorkOrSchool);
/// let _again = wizard.choose(sspr, AccountType::Personal);
/// # Ok(()) }
/// ```
///
/// A wizard cannot be made outside the crate, at any step:
///
/// ```compile_fail,E0451
/// # fn f(step: sspr::step::NewPassword) {
/// let forged = sspr::Wizard { flow: loop {}, step };
/// # }
/// ```
///
/// and no public call turns stored bytes into a wizard except
/// [`Flows::resume`](crate::store::Flows::resume), which takes the flow out of the store
/// (the step is used up) and opens only bytes sealed under the deployment's
/// [`Keys`](crate::host::Keys).
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

    /// The flow's ID and times, for the next step.
    pub(crate) fn into_parts(self) -> (Flow, S) {
        (self.flow, self.step)
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

impl<S: Step> fmt::Display for Refused<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.reason, f)
    }
}

/// A refusal is an error to a host that does not handle it (`?` in a demo): the step is
/// dropped with it.
impl<S: Step> std::error::Error for Refused<S> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.reason)
    }
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

/// A transition that keeps the step (a new challenge, a new code) or finds the flow
/// expired.
#[derive(Debug)]
pub enum Stay<S: Step> {
    /// The same step, changed.
    Step(Wizard<S>),
    /// The flow's lifetime ran out.
    Expired(Expired),
}

impl Message for Refusal {
    fn message_id(&self) -> &'static str {
        match self {
            Refusal::UserId(e) => e.message_id(),
            Refusal::AnswerInput(e) => e.message_id(),
            Refusal::WrongAnswer { .. } => "refusal-wrong-answer",
            Refusal::ChallengeExpired => "refusal-challenge-expired",
            Refusal::NoMoreChallenges => "refusal-no-more-challenges",
            Refusal::UnknownMethod => "refusal-unknown-method",
            Refusal::CodeFormat { .. } => "refusal-code-format",
            Refusal::WrongCode { .. } => "refusal-wrong-code",
            Refusal::CodeExpired => "refusal-code-expired",
            Refusal::NoMoreResends => "refusal-no-more-resends",
            Refusal::Password(e) => e.message_id(),
            Refusal::Unavailable(e) => e.message_id(),
        }
    }

    fn message_args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            Refusal::UserId(e) => e.message_args(),
            Refusal::AnswerInput(e) => e.message_args(),
            Refusal::WrongAnswer { attempts_left } | Refusal::WrongCode { attempts_left } => {
                vec![("attempts_left", Arg::from(*attempts_left))]
            }
            Refusal::CodeFormat { digits } => vec![("digits", Arg::from(*digits))],
            Refusal::Password(e) => e.message_args(),
            Refusal::Unavailable(e) => e.message_args(),
            Refusal::ChallengeExpired
            | Refusal::NoMoreChallenges
            | Refusal::UnknownMethod
            | Refusal::CodeExpired
            | Refusal::NoMoreResends => Vec::new(),
        }
    }
}
