//! The user ID and the characters of a picture or an audio clip.

use crate::challenge::{ChallengeKind, Language};
use crate::delivery;
use crate::eligibility;
use crate::ending::{AskAdmin, Expired, LockReason, Locked};
use crate::event::Detail;
use crate::next::Next;
use crate::service::Sspr;
use crate::state::{Account, ChooseMethod, Identify, Verify};
use crate::user_id::UserId;
use crate::wizard::{Refusal, Refused, Stay, Wizard};

/// Where a submitted user ID and answer lead.
#[derive(Debug)]
pub enum FromIdentify {
    /// The account may reset: choose how to receive a code.
    ChooseMethod(Wizard<ChooseMethod>),
    /// Conceal policy: "if this account can reset, a code was sent".
    Verify(Wizard<Verify>),
    /// Unknown account, or self-service reset not enabled: ask your admin.
    AskAdmin(AskAdmin),
    /// Too many wrong answers, or the user ID is blocked.
    Locked(Locked),
    /// The flow's lifetime ran out.
    Expired(Expired),
}

impl From<FromIdentify> for Next {
    fn from(from: FromIdentify) -> Self {
        match from {
            FromIdentify::ChooseMethod(wizard) => wizard.into(),
            FromIdentify::Verify(wizard) => wizard.into(),
            FromIdentify::AskAdmin(ending) => ending.into(),
            FromIdentify::Locked(ending) => ending.into(),
            FromIdentify::Expired(ending) => ending.into(),
        }
    }
}

impl Wizard<Identify> {
    /// Switches between picture and audio clip: a new challenge of the other kind.
    /// Refused when the flow's new-challenge budget is spent.
    pub fn switch_kind(self, sspr: &Sspr) -> Result<Stay<Identify>, Refused<Identify>> {
        let language = self.step.challenge.language();
        self.switch_kind_in(sspr, language)
    }

    /// Like [`switch_kind`](Self::switch_kind), the new challenge's audio clip speaking
    /// `language` (the page's language now, which the person may have switched since the
    /// flow began). One new challenge, counted once.
    pub fn switch_kind_in(
        self,
        sspr: &Sspr,
        language: Language,
    ) -> Result<Stay<Identify>, Refused<Identify>> {
        let kind = self.step.challenge.kind().other();
        self.renew(sspr, kind, language)
    }

    /// A new challenge of the same kind whose audio clip speaks `language` (the person
    /// switched the page's language): it counts against the flow's new-challenge budget
    /// like any new challenge, and is refused when that is spent.
    pub fn speak(
        self,
        sspr: &Sspr,
        language: Language,
    ) -> Result<Stay<Identify>, Refused<Identify>> {
        let kind = self.step.challenge.kind();
        self.renew(sspr, kind, language)
    }

    /// A new challenge of the same kind, for a picture or clip the person cannot make
    /// out. Refused when the flow's new-challenge budget is spent.
    pub fn new_challenge(self, sspr: &Sspr) -> Result<Stay<Identify>, Refused<Identify>> {
        let kind = self.step.challenge.kind();
        let language = self.step.challenge.language();
        self.renew(sspr, kind, language)
    }

    fn renew(
        mut self,
        sspr: &Sspr,
        kind: ChallengeKind,
        language: Language,
    ) -> Result<Stay<Identify>, Refused<Identify>> {
        if sspr.expired(&self.flow, None) {
            return Ok(Stay::Expired(Expired));
        }
        if self.step.renewals_left == 0 {
            return Err(self.refuse(Refusal::NoMoreChallenges));
        }
        if let Err(error) = self.replace_challenge(sspr, kind, language) {
            return Err(self.refuse(error));
        }
        self.step.renewals_left -= 1;
        Ok(Stay::Step(self))
    }

    fn replace_challenge(
        &mut self,
        sspr: &Sspr,
        kind: ChallengeKind,
        language: Language,
    ) -> Result<(), Refusal> {
        let challenge = sspr
            .new_challenge(kind, language)
            .map_err(Refusal::Unavailable)?;
        self.step.challenge = challenge;
        self.step.challenge_deadline = sspr.now() + sspr.policy.challenge_lifetime;
        sspr.emit(&self.flow, None, Detail::ChallengeIssued { kind });
        Ok(())
    }

    /// Submits the user ID and the typed characters. The directory is asked only after a
    /// right answer. A wrong answer costs one attempt and shows a new challenge; an
    /// invalid user ID, empty input or an expired challenge costs none.
    pub async fn submit(
        mut self,
        sspr: &Sspr,
        user_id: &str,
        answer: &str,
    ) -> Result<FromIdentify, Refused<Identify>> {
        if sspr.expired(&self.flow, None) {
            return Ok(FromIdentify::Expired(Expired));
        }
        let user = match UserId::parse(user_id) {
            Ok(user) => user,
            Err(error) => return Err(self.refuse(Refusal::UserId(error))),
        };
        let right = match self.step.challenge.is_answer(answer) {
            Ok(right) => right,
            Err(rejected) => return Err(self.refuse(Refusal::AnswerInput(rejected))),
        };
        let kind = self.step.challenge.kind();
        let language = self.step.challenge.language();
        if sspr.now() >= self.step.challenge_deadline {
            return match self.replace_challenge(sspr, kind, language) {
                Ok(()) => Err(self.refuse(Refusal::ChallengeExpired)),
                Err(error) => Err(self.refuse(error)),
            };
        }
        if !right {
            self.step.attempts_left = self.step.attempts_left.saturating_sub(1);
            let attempts_left = self.step.attempts_left;
            sspr.emit(&self.flow, None, Detail::ChallengeFailed { attempts_left });
            if attempts_left == 0 {
                let reason = LockReason::ChallengeAttempts;
                sspr.emit(&self.flow, None, Detail::Locked { reason });
                return Ok(FromIdentify::Locked(Locked {
                    reason,
                    until: None,
                }));
            }
            return match self.replace_challenge(sspr, kind, language) {
                Ok(()) => Err(self.refuse(Refusal::WrongAnswer { attempts_left })),
                Err(error) => Err(self.refuse(error)),
            };
        }
        let record = match sspr.directory.find_user(&user).await {
            Ok(record) => record,
            Err(error) => return Err(self.refuse(Refusal::Unavailable(error.into()))),
        };
        // The event names the account by the directory's own ID; an unknown one as typed.
        sspr.emit(
            &self.flow,
            Some(record.as_ref().map_or(&user, |record| &record.id)),
            Detail::ChallengePassed,
        );
        // From here on the flow is the account's, by the directory's own ID: an alias or
        // another spelling the directory resolves shares its limits, blocks and events.
        let Some(account) = record.and_then(|record| eligibility::account(record, &sspr.policy))
        else {
            sspr.emit(&self.flow, Some(&user), Detail::NotEnabledForSelfService);
            if !sspr.policy.conceal {
                return Ok(FromIdentify::AskAdmin(AskAdmin));
            }
            // The same work as for an account that can reset, on a stand-in record of
            // the same shape under the typed ID: its limits count a code, which is made
            // and handed off as a decoy.
            let stand_in = eligibility::stand_in_record(user.clone());
            let account = eligibility::account(stand_in, &sspr.policy)
                .unwrap_or_else(|| Account::stand_in(user, &sspr.policy));
            let verify = delivery::send_decoy(sspr, &self.flow, account).await;
            return Ok(FromIdentify::Verify(self.with(verify)));
        };
        if !sspr.policy.conceal {
            return match delivery::check_blocked(sspr, &self.flow, &account.user).await {
                Ok(None) => Ok(FromIdentify::ChooseMethod(
                    self.with(ChooseMethod { account }),
                )),
                Ok(Some(locked)) => Ok(FromIdentify::Locked(locked)),
                Err(error) => Err(self.refuse(Refusal::Unavailable(error))),
            };
        }
        // Conceal: the code goes to the first method; a blocked user ID looks like any
        // other account ("if this account can reset, a code was sent").
        let verify = match delivery::send_concealed(sspr, &self.flow, account).await {
            Ok(verify) => verify,
            Err((_locked, user)) => delivery::stand_in(sspr, user),
        };
        Ok(FromIdentify::Verify(self.with(verify)))
    }
}
