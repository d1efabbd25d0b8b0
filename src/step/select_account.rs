//! "Can't access your account?": work or school account, or personal account.

use crate::challenge::Language;
use crate::ending::{Expired, PersonalAccount};
use crate::event::Detail;
use crate::next::Next;
use crate::service::Sspr;
use crate::state::{Identify, SelectAccount};
use crate::wizard::{Refusal, Refused, Wizard};

/// The kind of account the person wants back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountType {
    /// An account of an organisation: reset here.
    WorkOrSchool,
    /// A personal account: handed back to the host's consumer recovery.
    Personal,
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

impl From<FromSelectAccount> for Next {
    fn from(from: FromSelectAccount) -> Self {
        match from {
            FromSelectAccount::Identify(wizard) => wizard.into(),
            FromSelectAccount::PersonalAccount(ending) => ending.into(),
            FromSelectAccount::Expired(ending) => ending.into(),
        }
    }
}

impl Wizard<SelectAccount> {
    /// Chooses the account type; the challenge's audio speaks English. Refused only when
    /// no challenge can be made (the OS CSPRNG failed): try again.
    pub fn choose(
        self,
        sspr: &Sspr,
        account: AccountType,
    ) -> Result<FromSelectAccount, Refused<SelectAccount>> {
        self.choose_in(sspr, account, Language::English)
    }

    /// Chooses the account type; the challenge's audio clip speaks `language` (the
    /// person's, as the host negotiated it). Refused only when no challenge can be made.
    pub fn choose_in(
        self,
        sspr: &Sspr,
        account: AccountType,
        language: Language,
    ) -> Result<FromSelectAccount, Refused<SelectAccount>> {
        if sspr.expired(&self.flow, None) {
            return Ok(FromSelectAccount::Expired(Expired));
        }
        if account == AccountType::Personal {
            sspr.emit(&self.flow, None, Detail::PersonalAccountChosen);
            return Ok(FromSelectAccount::PersonalAccount(PersonalAccount));
        }
        let kind = sspr.policy.challenge_kind;
        let challenge = match sspr.new_challenge(kind, language) {
            Ok(challenge) => challenge,
            Err(error) => return Err(self.refuse(Refusal::Unavailable(error))),
        };
        sspr.emit(&self.flow, None, Detail::WorkOrSchoolAccountChosen);
        sspr.emit(&self.flow, None, Detail::ChallengeIssued { kind });
        let step = Identify::new(challenge, &sspr.policy, sspr.now());
        Ok(FromSelectAccount::Identify(self.with(step)))
    }
}
