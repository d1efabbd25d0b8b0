//! The user ID and the characters of a picture or an audio clip.

use std::fmt;

use time::OffsetDateTime;

use crate::challenge::{Challenge, ChallengeKind};
use crate::contact::ContactMethod;
use crate::directory::{Directory, UserRecord};
use crate::event::{Activity, Detail};
use crate::limits::Counters;
use crate::offload::Offload;
use crate::sender::CodeSender;
use crate::service::Sspr;
use crate::step::Verify;
use crate::step::choose_method::{self, ChooseMethod, Sent};
use crate::user_id::UserId;
use crate::wizard::{
    AskAdmin, Expired, LockReason, Locked, Refusal, Refused, Sealed, Stay, Step, Wizard,
};

/// The person types their user ID and the characters of the challenge.
pub struct Identify {
    pub(crate) challenge: Challenge,
    pub(crate) challenge_deadline: OffsetDateTime,
    pub(crate) attempts_left: u8,
    pub(crate) renewals_left: u8,
}

impl fmt::Debug for Identify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identify")
            .field("challenge", &self.challenge)
            .field("challenge_deadline", &self.challenge_deadline)
            .field("attempts_left", &self.attempts_left)
            .field("renewals_left", &self.renewals_left)
            .finish()
    }
}

impl Sealed for Identify {}
impl Step for Identify {
    const NAME: &'static str = "identify";
}

impl Identify {
    /// The challenge to show (render it with [`Challenge::render`] or
    /// [`Sspr::render`]).
    pub fn challenge(&self) -> &Challenge {
        &self.challenge
    }

    /// Wrong answers left before the flow locks.
    pub fn attempts_left(&self) -> u8 {
        self.attempts_left
    }

    /// New or switched challenges the person may still ask for.
    pub fn renewals_left(&self) -> u8 {
        self.renewals_left
    }

    /// When the current challenge stops being accepted.
    pub fn challenge_deadline(&self) -> OffsetDateTime {
        self.challenge_deadline
    }
}

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

impl Wizard<Identify> {
    /// Switches between picture and audio clip: a new challenge of the other kind.
    /// Refused when the flow's new-challenge budget is spent.
    pub fn switch_kind<D, S, K, O>(
        self,
        sspr: &Sspr<D, S, K, O>,
    ) -> Result<Stay<Identify>, Refused<Identify>> {
        let kind = self.step.challenge.kind().other();
        self.renew(sspr, kind)
    }

    /// A new challenge of the same kind, for a picture or clip the person cannot make
    /// out. Refused when the flow's new-challenge budget is spent.
    pub fn new_challenge<D, S, K, O>(
        self,
        sspr: &Sspr<D, S, K, O>,
    ) -> Result<Stay<Identify>, Refused<Identify>> {
        let kind = self.step.challenge.kind();
        self.renew(sspr, kind)
    }

    fn renew<D, S, K, O>(
        mut self,
        sspr: &Sspr<D, S, K, O>,
        kind: ChallengeKind,
    ) -> Result<Stay<Identify>, Refused<Identify>> {
        if sspr.expired(&self.flow, None) {
            return Ok(Stay::Expired(Expired));
        }
        if self.step.renewals_left == 0 {
            return Err(self.refuse(Refusal::NoMoreChallenges));
        }
        if let Err(error) = self.replace_challenge(sspr, kind) {
            return Err(self.refuse(error));
        }
        self.step.renewals_left -= 1;
        Ok(Stay::Step(self))
    }

    fn replace_challenge<D, S, K, O>(
        &mut self,
        sspr: &Sspr<D, S, K, O>,
        kind: ChallengeKind,
    ) -> Result<(), Refusal> {
        let challenge = sspr.new_challenge(kind).map_err(Refusal::Unavailable)?;
        self.step.challenge = challenge;
        self.step.challenge_deadline = sspr.now() + sspr.policy.challenge_lifetime;
        sspr.emit(
            &self.flow,
            None,
            Activity::FlowActivityProgress,
            Detail::ChallengeIssued { kind },
        );
        Ok(())
    }

    /// Submits the user ID and the typed characters. The directory is asked only after a
    /// right answer. A wrong answer costs one attempt and shows a new challenge; an
    /// invalid user ID, empty input or an expired challenge costs none.
    pub async fn submit<D, S, K, O>(
        mut self,
        sspr: &Sspr<D, S, K, O>,
        user_id: &str,
        answer: &str,
    ) -> Result<FromIdentify, Refused<Identify>>
    where
        D: Directory,
        S: CodeSender,
        K: Counters,
        O: Offload,
    {
        if sspr.expired(&self.flow, None) {
            return Ok(FromIdentify::Expired(Expired));
        }
        let user = match UserId::parse(user_id) {
            Ok(user) => user,
            Err(error) => return Err(self.refuse(Refusal::UserId(error))),
        };
        let right = match self.step.challenge.check(answer) {
            Ok(right) => right,
            Err(rejected) => return Err(self.refuse(Refusal::AnswerInput(rejected))),
        };
        let kind = self.step.challenge.kind();
        if sspr.now() >= self.step.challenge_deadline {
            return match self.replace_challenge(sspr, kind) {
                Ok(()) => Err(self.refuse(Refusal::ChallengeExpired)),
                Err(error) => Err(self.refuse(error)),
            };
        }
        if !right {
            self.step.attempts_left = self.step.attempts_left.saturating_sub(1);
            let attempts_left = self.step.attempts_left;
            sspr.emit(
                &self.flow,
                None,
                Activity::FlowActivityProgress,
                Detail::ChallengeFailed { attempts_left },
            );
            if attempts_left == 0 {
                let reason = LockReason::ChallengeAttempts;
                sspr.emit(
                    &self.flow,
                    None,
                    Activity::BlockedFromSelfServiceReset,
                    Detail::Locked { reason },
                );
                return Ok(FromIdentify::Locked(Locked {
                    reason,
                    until: None,
                }));
            }
            return match self.replace_challenge(sspr, kind) {
                Ok(()) => Err(self.refuse(Refusal::WrongAnswer { attempts_left })),
                Err(error) => Err(self.refuse(error)),
            };
        }
        let record = match sspr.directory.find_user(&user).await {
            Ok(record) => record,
            Err(error) => return Err(self.refuse(Refusal::Unavailable(error.into()))),
        };
        sspr.emit(
            &self.flow,
            Some(&user),
            Activity::FlowActivityProgress,
            Detail::ChallengePassed,
        );
        let eligible = record
            .map(|mut r| {
                r.methods = ContactMethod::distinct(r.methods);
                r
            })
            .filter(|r| eligible(r, sspr.policy.methods_required));
        let Some(record) = eligible else {
            sspr.emit(
                &self.flow,
                Some(&user),
                Activity::BlockedFromSelfServiceReset,
                Detail::NotEnabledForSelfService,
            );
            if sspr.policy.conceal {
                let verify = Verify::phantom(sspr, user);
                return Ok(FromIdentify::Verify(self.with(verify)));
            }
            return Ok(FromIdentify::AskAdmin(AskAdmin));
        };
        let choose = ChooseMethod {
            required: required_methods(&record, sspr.policy.methods_required),
            user,
            methods: record.methods,
            used: Vec::new(),
            code_attempts_left: sspr.policy.code_attempts,
            issued: 0,
        };
        if !sspr.policy.conceal {
            return match choose_method::check_blocked(sspr, &self.flow, &choose.user).await {
                Ok(None) => Ok(FromIdentify::ChooseMethod(self.with(choose))),
                Ok(Some(locked)) => Ok(FromIdentify::Locked(locked)),
                Err(error) => Err(self.refuse(Refusal::Unavailable(error))),
            };
        }
        // Conceal: the code goes to the first method; a blocked user ID looks like any
        // other account ("if this account can reset, a code was sent").
        let verify = match choose_method::send_first_unused(sspr, &self.flow, choose).await {
            Sent::Verify(verify) => verify,
            Sent::Locked(_, user) => Verify::phantom(sspr, user),
        };
        Ok(FromIdentify::Verify(self.with(verify)))
    }
}

/// Methods an account needs: two for any admin role, else the policy's number.
pub(crate) fn required_methods(record: &UserRecord, policy_required: u8) -> u8 {
    if record.is_admin() {
        2
    } else {
        policy_required
    }
}

/// Whether an account may reset by itself: enabled, with enough distinct methods.
fn eligible(record: &UserRecord, policy_required: u8) -> bool {
    record.self_service_reset
        && record.methods.len() >= usize::from(required_methods(record, policy_required))
}
