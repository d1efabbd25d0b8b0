//! The host-facing result of every transition: [`Next`], either a step to show (and
//! save) or an ending. Each transition returns its own precise enum (for example
//! [`FromIdentify`](crate::step::FromIdentify)), and each converts into `Next` with
//! `From`, so a host that does not care which transition ran handles one type.

use time::OffsetDateTime;

use crate::ending::Ending;
use crate::flow::FlowId;
use crate::state::{ChooseMethod, Identify, NewPassword, SelectAccount, Verify};
use crate::wizard::{Refusal, Refused, Stay, Step, Wizard};

/// A flow at whichever step it is: what [`Flows::resume`](crate::store::Flows::resume)
/// gives back. A host `match`es it, one arm per step.
#[derive(Debug)]
pub enum AnyStep {
    /// "Can't access your account?": the account type.
    SelectAccount(Wizard<SelectAccount>),
    /// The user ID and the challenge.
    Identify(Wizard<Identify>),
    /// Choosing a contact method for the code.
    ChooseMethod(Wizard<ChooseMethod>),
    /// Typing the code.
    Verify(Wizard<Verify>),
    /// Setting the new password.
    NewPassword(Wizard<NewPassword>),
}

macro_rules! each_step {
    ($any:expr, $w:ident => $body:expr) => {
        match $any {
            AnyStep::SelectAccount($w) => $body,
            AnyStep::Identify($w) => $body,
            AnyStep::ChooseMethod($w) => $body,
            AnyStep::Verify($w) => $body,
            AnyStep::NewPassword($w) => $body,
        }
    };
}
pub(crate) use each_step;

impl AnyStep {
    /// The flow's ID.
    pub fn flow_id(&self) -> FlowId {
        each_step!(self, w => w.flow_id())
    }

    /// When the whole flow expires.
    pub fn deadline(&self) -> OffsetDateTime {
        each_step!(self, w => w.deadline())
    }

    /// When the flow started.
    pub fn started(&self) -> OffsetDateTime {
        each_step!(self, w => w.started())
    }

    /// The step's name ([`Step::NAME`]), for logs.
    pub fn name(&self) -> &'static str {
        fn name<S: Step>(_: &Wizard<S>) -> &'static str {
            S::NAME
        }
        each_step!(self, w => name(w))
    }
}

macro_rules! into_any_step {
    ($($step:ident),*) => {$(
        impl From<Wizard<$step>> for AnyStep {
            fn from(wizard: Wizard<$step>) -> Self {
                AnyStep::$step(wizard)
            }
        }

        impl From<Wizard<$step>> for Next {
            fn from(wizard: Wizard<$step>) -> Self {
                Next::Step(AnyStep::$step(wizard))
            }
        }

        impl From<Stay<$step>> for Next {
            fn from(stay: Stay<$step>) -> Self {
                match stay {
                    Stay::Step(wizard) => wizard.into(),
                    Stay::Expired(expired) => Next::End(expired.into()),
                }
            }
        }
    )*};
}

into_any_step!(SelectAccount, Identify, ChooseMethod, Verify, NewPassword);

/// Where a transition led: a step to show and save, or an ending to show.
///
/// A web handler resumes the flow, runs one transition, converts its result into `Next`
/// ([`Next::from_result`] keeps a refusal's reason beside it), saves it with
/// [`Flows::save`](crate::store::Flows::save) (an ending leaves nothing to save) and
/// renders the page of what it holds.
#[derive(Debug)]
#[must_use]
pub enum Next {
    /// The flow goes on at this step.
    Step(AnyStep),
    /// The flow ended.
    End(Ending),
}

impl Next {
    /// The `Next` of a transition's result, and the refusal's reason when it was refused
    /// (the step stays: show it again with the reason).
    pub fn from_result<T, S>(result: Result<T, Refused<S>>) -> (Next, Option<Refusal>)
    where
        T: Into<Next>,
        S: Step,
        Wizard<S>: Into<Next>,
    {
        match result {
            Ok(next) => (next.into(), None),
            Err(Refused { wizard, reason }) => (wizard.into(), Some(reason)),
        }
    }

    /// The step, if the flow goes on.
    pub fn step(&self) -> Option<&AnyStep> {
        match self {
            Next::Step(step) => Some(step),
            Next::End(_) => None,
        }
    }

    /// The ending, if the flow ended.
    pub fn ending(&self) -> Option<&Ending> {
        match self {
            Next::Step(_) => None,
            Next::End(ending) => Some(ending),
        }
    }
}

impl From<AnyStep> for Next {
    fn from(step: AnyStep) -> Self {
        Next::Step(step)
    }
}

impl From<Ending> for Next {
    fn from(ending: Ending) -> Self {
        Next::End(ending)
    }
}

macro_rules! ending_into_next {
    ($($ending:ident),*) => {$(
        impl From<crate::ending::$ending> for Next {
            fn from(ending: crate::ending::$ending) -> Self {
                Next::End(Ending::$ending(ending))
            }
        }
    )*};
}

ending_into_next!(PersonalAccount, AskAdmin, Locked, Expired, Completed);
