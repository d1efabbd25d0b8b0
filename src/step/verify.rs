//! Proving ownership: the one-time code sent to a registered method.

use time::OffsetDateTime;

use super::ToVerify;
use crate::code::parse_typed_code;
use crate::delivery::{self, HandedOff, SendKind};
use crate::ending::{Expired, LockReason, Locked};
use crate::event::Detail;
use crate::next::Next;
use crate::service::{Block, Sspr};
use crate::state::{ChooseMethod, Code, Concealed, NEW_PASSWORD_ATTEMPTS, NewPassword, Verify};
use crate::wizard::{Refusal, Refused, Wizard};

/// Where a submitted code leads.
#[derive(Debug)]
pub enum FromVerify {
    /// A second method is needed: choose it.
    ChooseMethod(Wizard<ChooseMethod>),
    /// Conceal policy: a second code was sent to the next method.
    Verify(Wizard<Verify>),
    /// Ownership proved: set the new password.
    NewPassword(Wizard<NewPassword>),
    /// Too many wrong codes, in this flow or for this user ID.
    Locked(Locked),
    /// The flow's lifetime ran out.
    Expired(Expired),
}

impl From<FromVerify> for Next {
    fn from(from: FromVerify) -> Self {
        match from {
            FromVerify::ChooseMethod(wizard) => wizard.into(),
            FromVerify::Verify(wizard) => wizard.into(),
            FromVerify::NewPassword(wizard) => wizard.into(),
            FromVerify::Locked(ending) => ending.into(),
            FromVerify::Expired(ending) => ending.into(),
        }
    }
}

impl Wizard<Verify> {
    /// Checks a typed code (spaces and hyphens ignored). A wrong code costs one attempt
    /// in this flow and counts against the user ID; a mistyped one (not all digits, wrong
    /// count) or an expired one costs none.
    pub async fn submit(self, sspr: &Sspr, code: &str) -> Result<FromVerify, Refused<Verify>> {
        let user = self.step.account.user.clone();
        if sspr.expired(&self.flow, Some(&user)) {
            return Ok(FromVerify::Expired(Expired));
        }
        let digits = sspr.policy.code_digits;
        let Some(typed) = parse_typed_code(code, usize::from(digits)) else {
            return Err(self.refuse(Refusal::CodeFormat { digits }));
        };
        let now = sspr.now();
        if now >= self.step.code_deadline {
            return Err(self.refuse(Refusal::CodeExpired));
        }
        let typed = &typed[..usize::from(digits)];
        let issued = self.step.account.issued;
        let typed_digests: Vec<_> = std::iter::once(sspr.code_key.as_ref())
            .chain(sspr.retired_code_keys.iter())
            .map(|key| key.digest(&self.flow.id, issued, typed))
            .collect();
        // A user ID blocked by another flow gets no more guesses here either.
        let blocked = match sspr.counters.blocked_until(&user, now).await {
            Ok(blocked) => blocked,
            Err(error) => return Err(self.refuse(Refusal::Unavailable(error.into()))),
        };
        let concealed = self.step.code.is_concealed();
        if let Some(until) = blocked
            && !concealed
        {
            let locked = sspr.lock_user(Some(self.flow.id), &user, until);
            return Ok(FromVerify::Locked(locked));
        }
        // Under the conceal policy a blocked user ID looks like any other: no code is right.
        let right = blocked.is_none()
            && self
                .step
                .code
                .digest()
                // Every key is tried, without stopping at a match.
                .is_some_and(|digest| {
                    typed_digests
                        .iter()
                        .fold(false, |right, typed| digest.matches(typed) | right)
                });
        let method = self.step.code.method();
        let (Some(method), true) = (method, right) else {
            return self.wrong_code(sspr, now, blocked.is_some()).await;
        };
        if let Some(via) = self.step.account.methods.get(usize::from(method)) {
            sspr.emit(
                &self.flow,
                Some(&user),
                Detail::CodeVerified { via: via.kind() },
            );
        }
        let (flow, step) = self.into_parts();
        let mut account = step.account;
        account.used.push(method);
        if account.proved() {
            let step = NewPassword {
                proved_by: account.used_methods(),
                user: account.user,
                attempts_left: NEW_PASSWORD_ATTEMPTS,
            };
            return Ok(FromVerify::NewPassword(Wizard { flow, step }));
        }
        if !concealed {
            let step = ChooseMethod { account };
            return Ok(FromVerify::ChooseMethod(Wizard { flow, step }));
        }
        match delivery::send_concealed(sspr, &flow, account).await {
            Ok(step) => Ok(FromVerify::Verify(Wizard { flow, step })),
            Err((locked, _)) => Ok(FromVerify::Locked(locked)),
        }
    }

    /// A wrong code. Under the conceal policy a user ID that was already blocked is
    /// counted, but its block is not renewed (which would lengthen it at every guess):
    /// the step looks and ends like any other whose codes are wrong.
    async fn wrong_code(
        mut self,
        sspr: &Sspr,
        now: OffsetDateTime,
        already_blocked: bool,
    ) -> Result<FromVerify, Refused<Verify>> {
        let user = self.step.account.user.clone();
        // The attempt is spent before the counters are touched: a counter store that
        // fails buys no extra guesses.
        let left = self.step.account.code_attempts_left.saturating_sub(1);
        self.step.account.code_attempts_left = left;
        sspr.emit(
            &self.flow,
            Some(&user),
            Detail::CodeFailed {
                attempts_left: left,
            },
        );
        // Counted like any account, so that it ends like one at the limit; a block the
        // user ID already has is not lengthened.
        let block = if already_blocked {
            Block::KeepExisting
        } else {
            Block::Renew
        };
        let blocked = sspr.count_failure(&user, now, block).await;
        if let Ok(Some(until)) = blocked {
            let locked = sspr.lock_user(Some(self.flow.id), &user, until);
            return Ok(FromVerify::Locked(locked));
        }
        if left == 0 {
            let reason = LockReason::CodeAttempts;
            sspr.emit(&self.flow, Some(&user), Detail::Locked { reason });
            return Ok(FromVerify::Locked(Locked {
                reason,
                until: None,
            }));
        }
        if let Err(error) = blocked {
            return Err(self.refuse(Refusal::Unavailable(error.into())));
        }
        Err(self.refuse(Refusal::WrongCode {
            attempts_left: left,
        }))
    }

    /// Sends a new code to the same method (the old one stops working). Bounded per
    /// verification and by the user ID's limit of codes.
    pub async fn resend(mut self, sspr: &Sspr) -> Result<ToVerify, Refused<Verify>> {
        if sspr.expired(&self.flow, Some(&self.step.account.user)) {
            return Ok(ToVerify::Expired(Expired));
        }
        if self.step.resends_left == 0 {
            return Err(self.refuse(Refusal::NoMoreResends));
        }
        if self.step.code.is_concealed() {
            return Ok(ToVerify::Verify(self.resend_concealed(sspr).await));
        }
        let Some(index) = self.step.code.method() else {
            // A shown code always has its method; nothing to send to is a stale step.
            return Err(self.refuse(Refusal::UnknownMethod));
        };
        match delivery::send_to(sspr, &self.flow, &self.step.account, index).await {
            Ok(Ok(issue)) => {
                self.step.account.issued = issue.number;
                self.step.code = Code::sent(index, issue.digest, false);
                self.step.code_deadline = issue.deadline;
                self.step.resends_left -= 1;
                Ok(ToVerify::Verify(self))
            }
            Ok(Err(locked)) => Ok(ToVerify::Locked(locked)),
            Err(error) => Err(self.refuse(Refusal::Unavailable(error))),
        }
    }

    /// Under the conceal policy a resend does the same work for every account and looks
    /// the same: a blocked user ID, a code that did not go out and an account that cannot
    /// reset all stay in a step that accepts no code.
    async fn resend_concealed(mut self, sspr: &Sspr) -> Self {
        let index = self.step.code.method();
        let send = if index.is_some() {
            SendKind::Real
        } else {
            SendKind::Decoy
        };
        let handed = delivery::hand_off(sspr, &self.flow, &self.step.account, index, send).await;
        self.step.resends_left -= 1;
        match handed {
            HandedOff::Sent { index, issue } => {
                self.step.account.issued = issue.number;
                self.step.code = Code::sent(index, issue.digest, true);
                self.step.code_deadline = issue.deadline;
            }
            HandedOff::Unsent { index } => {
                self.step.code = Code::Concealed(Concealed::Unsent { method: index });
                self.step.code_deadline = sspr.now() + sspr.policy.code_lifetime;
            }
            HandedOff::Locked(_) | HandedOff::Decoy(_) => {
                if let Some(index) = index {
                    self.step.code = Code::Concealed(Concealed::Unsent { method: index });
                }
                self.step.code_deadline = sspr.now() + sspr.policy.code_lifetime;
            }
        }
        self
    }

    /// Goes back to choose another method (the code sent stops working). Refused under
    /// the conceal policy, which shows no methods.
    pub fn choose_another_method(self) -> Result<Wizard<ChooseMethod>, Refused<Verify>> {
        if self.step.code.is_concealed() {
            return Err(self.refuse(Refusal::UnknownMethod));
        }
        let (flow, step) = self.into_parts();
        Ok(Wizard {
            flow,
            step: ChooseMethod {
                account: step.account,
            },
        })
    }
}
