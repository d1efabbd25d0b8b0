//! "Can't access your account?": work or school account, or personal account.

use crate::event::{Activity, Detail};
use crate::service::Sspr;
use crate::step::Identify;
use crate::wizard::{Expired, PersonalAccount, Refusal, Refused, Sealed, Step, Wizard};

/// The kind of account the person wants back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountType {
    /// An account of an organisation: reset here.
    WorkOrSchool,
    /// A personal account: handed back to the host's consumer recovery.
    Personal,
}

/// The first step: choose the account type.
#[derive(Debug)]
pub struct SelectAccount {
    pub(crate) _private: (),
}

impl Sealed for SelectAccount {}
impl Step for SelectAccount {
    const NAME: &'static str = "select account";
}

/// Where choosing the account type leads.
#[derive(Debug)]
pub enum FromSelectAccount {
    /// Work or school: the user ID and challenge step.
    Identify(Wizard<Identify>),
    /// Personal: the host sends the person to consumer recovery.
    PersonalAccount(PersonalAccount),
    /// The flow's lifetime ran out.
    Expired(Expired),
}

impl Wizard<SelectAccount> {
    /// Chooses the account type. Refused only when no challenge can be made (the OS
    /// CSPRNG failed): try again.
    pub fn choose<D, S, K, O>(
        self,
        sspr: &Sspr<D, S, K, O>,
        account: AccountType,
    ) -> Result<FromSelectAccount, Refused<SelectAccount>> {
        if sspr.expired(&self.flow, None) {
            return Ok(FromSelectAccount::Expired(Expired));
        }
        if account == AccountType::Personal {
            sspr.emit(
                &self.flow,
                None,
                Activity::FlowActivityProgress,
                Detail::PersonalAccountChosen,
            );
            return Ok(FromSelectAccount::PersonalAccount(PersonalAccount));
        }
        let kind = sspr.policy.challenge_kind;
        let challenge = match sspr.new_challenge(kind) {
            Ok(challenge) => challenge,
            Err(error) => return Err(self.refuse(Refusal::Unavailable(error))),
        };
        sspr.emit(
            &self.flow,
            None,
            Activity::FlowActivityProgress,
            Detail::WorkOrSchoolAccountChosen,
        );
        sspr.emit(
            &self.flow,
            None,
            Activity::FlowActivityProgress,
            Detail::ChallengeIssued { kind },
        );
        let step = Identify {
            challenge,
            challenge_deadline: sspr.now() + sspr.policy.challenge_lifetime,
            attempts_left: sspr.policy.challenge_attempts,
            renewals_left: sspr.policy.new_challenges,
        };
        Ok(FromSelectAccount::Identify(self.with(step)))
    }
}
