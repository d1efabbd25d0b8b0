//! Proving ownership: the one-time code sent to a registered method.

use std::fmt;

use time::OffsetDateTime;

use crate::code::{CodeDigest, parse_typed_code};
use crate::contact::{ContactMethod, MaskedContact};
use crate::directory::Directory;
use crate::event::{Activity, Detail};
use crate::limits::Counters;
use crate::offload::Offload;
use crate::sender::CodeSender;
use crate::service::Sspr;
use crate::step::NewPassword;
use crate::step::choose_method::{self, ChooseMethod, Issue, Sent, ToVerify};
use crate::user_id::UserId;
use crate::wizard::{Expired, LockReason, Locked, Refusal, Refused, Sealed, Step, Wizard};

/// The person types the code sent to them.
pub struct Verify {
    pub(crate) choose: ChooseMethod,
    /// The method the code went to; `None` when nothing was sent (conceal policy, an
    /// account that cannot reset): no code is ever right.
    pub(crate) current: Option<u8>,
    pub(crate) digest: Option<CodeDigest>,
    pub(crate) code_deadline: OffsetDateTime,
    pub(crate) resends_left: u8,
    pub(crate) conceal: bool,
}

impl fmt::Debug for Verify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verify")
            .field("user", &self.choose.user)
            .field("sent_to", &self.sent_to())
            .field("code", &"[REDACTED]")
            .field("code_deadline", &self.code_deadline)
            .field("attempts_left", &self.choose.code_attempts_left)
            .field("resends_left", &self.resends_left)
            .finish()
    }
}

impl Sealed for Verify {}
impl Step for Verify {
    const NAME: &'static str = "verify";
}

impl Verify {
    /// After a code went to method `index`.
    pub(crate) fn sent<D, S, K, O>(
        sspr: &Sspr<D, S, K, O>,
        mut choose: ChooseMethod,
        index: usize,
        issue: Issue,
    ) -> Self {
        choose.issued = issue.number;
        Verify {
            choose,
            current: u8::try_from(index).ok(),
            digest: Some(issue.digest),
            code_deadline: issue.deadline,
            resends_left: sspr.policy.code_resends,
            conceal: sspr.policy.conceal,
        }
    }

    /// Conceal policy, when sending to method `index` failed: looks like a sent code,
    /// accepts none; a resend tries the delivery again.
    pub(crate) fn unsent<D, S, K, O>(
        sspr: &Sspr<D, S, K, O>,
        choose: ChooseMethod,
        index: usize,
    ) -> Self {
        Verify {
            choose,
            current: u8::try_from(index).ok(),
            digest: None,
            code_deadline: sspr.now() + sspr.policy.code_lifetime,
            resends_left: sspr.policy.code_resends,
            conceal: true,
        }
    }

    /// Conceal policy, for an account that cannot reset: looks like a sent code, accepts
    /// none.
    pub(crate) fn phantom<D, S, K, O>(sspr: &Sspr<D, S, K, O>, user: UserId) -> Self {
        Verify {
            choose: ChooseMethod {
                user,
                methods: Vec::new(),
                used: Vec::new(),
                required: 1,
                code_attempts_left: sspr.policy.code_attempts,
                issued: 1,
            },
            current: None,
            digest: None,
            code_deadline: sspr.now() + sspr.policy.code_lifetime,
            resends_left: sspr.policy.code_resends,
            conceal: true,
        }
    }

    /// Where the code went, masked; `None` under the conceal policy, which says only "if
    /// this account can reset, a code was sent".
    pub fn sent_to(&self) -> Option<MaskedContact> {
        if self.conceal {
            return None;
        }
        self.method().map(ContactMethod::masked)
    }

    /// When the code stops being accepted.
    pub fn code_deadline(&self) -> OffsetDateTime {
        self.code_deadline
    }

    /// Wrong codes left before the flow locks.
    pub fn attempts_left(&self) -> u8 {
        self.choose.code_attempts_left
    }

    /// New codes the person may still ask for.
    pub fn resends_left(&self) -> u8 {
        self.resends_left
    }

    fn method(&self) -> Option<&ContactMethod> {
        self.current
            .and_then(|i| self.choose.methods.get(usize::from(i)))
    }
}

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

impl Wizard<Verify> {
    /// Checks a typed code (spaces and hyphens ignored). A wrong code costs one attempt
    /// in this flow and counts against the user ID; a mistyped one (not all digits, wrong
    /// count) or an expired one costs none.
    pub async fn submit<D, S, K, O>(
        self,
        sspr: &Sspr<D, S, K, O>,
        code: &str,
    ) -> Result<FromVerify, Refused<Verify>>
    where
        D: Directory,
        S: CodeSender,
        K: Counters,
        O: Offload,
    {
        let user = self.step.choose.user.clone();
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
        let typed_digest = sspr.code_key.digest(
            &self.flow.id,
            self.step.choose.issued,
            &typed[..usize::from(digits)],
        );
        // A user ID blocked by another flow gets no more guesses here either.
        let blocked = match sspr.counters.blocked_until(&user, now).await {
            Ok(blocked) => blocked,
            Err(error) => return Err(self.refuse(Refusal::Unavailable(error.into()))),
        };
        if let Some(until) = blocked
            && !self.step.conceal
        {
            let locked = sspr.lock_user(Some(self.flow.id), &user, until);
            return Ok(FromVerify::Locked(locked));
        }
        // Under the conceal policy a blocked user ID looks like any other: no code is right.
        let right = blocked.is_none()
            && self
                .step
                .digest
                .as_ref()
                .is_some_and(|digest| digest.matches(&typed_digest));
        if !right {
            return self.wrong_code(sspr, now).await;
        }
        let via = self.step.method().map(ContactMethod::kind);
        if let Some(via) = via {
            sspr.emit(
                &self.flow,
                Some(&user),
                Activity::FlowActivityProgress,
                Detail::CodeVerified { via },
            );
        }
        let mut choose = self.step.choose.clone();
        if let Some(current) = self.step.current {
            choose.used.push(current);
        }
        if choose.used.len() >= usize::from(choose.required) {
            return Ok(FromVerify::NewPassword(
                self.with(NewPassword::after(choose)),
            ));
        }
        if !self.step.conceal {
            return Ok(FromVerify::ChooseMethod(self.with(choose)));
        }
        match choose_method::send_first_unused(sspr, &self.flow, choose).await {
            Sent::Verify(verify) => Ok(FromVerify::Verify(self.with(verify))),
            Sent::Locked(locked, _) => Ok(FromVerify::Locked(locked)),
        }
    }

    async fn wrong_code<D, S, K: Counters, O>(
        mut self,
        sspr: &Sspr<D, S, K, O>,
        now: OffsetDateTime,
    ) -> Result<FromVerify, Refused<Verify>> {
        let user = self.step.choose.user.clone();
        // The attempt is spent before the counters are touched: a counter store that
        // fails buys no extra guesses.
        let left = self.step.choose.code_attempts_left.saturating_sub(1);
        self.step.choose.code_attempts_left = left;
        sspr.emit(
            &self.flow,
            Some(&user),
            Activity::FlowActivityProgress,
            Detail::CodeFailed {
                attempts_left: left,
            },
        );
        let blocked = sspr.count_failure(&user, now).await;
        if let Ok(Some(until)) = blocked {
            let locked = sspr.lock_user(Some(self.flow.id), &user, until);
            return Ok(FromVerify::Locked(locked));
        }
        if left == 0 {
            let reason = LockReason::CodeAttempts;
            sspr.emit(
                &self.flow,
                Some(&user),
                Activity::BlockedFromSelfServiceReset,
                Detail::Locked { reason },
            );
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
    pub async fn resend<D, S, K, O>(
        mut self,
        sspr: &Sspr<D, S, K, O>,
    ) -> Result<ToVerify, Refused<Verify>>
    where
        D: Directory,
        S: CodeSender,
        K: Counters,
        O: Offload,
    {
        if sspr.expired(&self.flow, Some(&self.step.choose.user)) {
            return Ok(ToVerify::Expired(Expired));
        }
        if self.step.resends_left == 0 {
            return Err(self.refuse(Refusal::NoMoreResends));
        }
        let Some(index) = self.step.current else {
            // Nothing is ever sent for an account that cannot reset; look the same.
            self.step.resends_left -= 1;
            self.step.code_deadline = sspr.now() + sspr.policy.code_lifetime;
            return Ok(ToVerify::Verify(self));
        };
        match choose_method::send_to(sspr, &self.flow, &self.step.choose, usize::from(index)).await
        {
            Ok(Ok(issue)) => {
                self.step.choose.issued = issue.number;
                self.step.digest = Some(issue.digest);
                self.step.code_deadline = issue.deadline;
                self.step.resends_left -= 1;
                Ok(ToVerify::Verify(self))
            }
            // Under the conceal policy a blocked user ID or a failed delivery looks like
            // a code that went out (as for an account that cannot reset): no code is right.
            Ok(Err(_)) | Err(_) if self.step.conceal => {
                self.step.digest = None;
                self.step.resends_left -= 1;
                self.step.code_deadline = sspr.now() + sspr.policy.code_lifetime;
                Ok(ToVerify::Verify(self))
            }
            Ok(Err(locked)) => Ok(ToVerify::Locked(locked)),
            Err(error) => Err(self.refuse(Refusal::Unavailable(error))),
        }
    }

    /// Goes back to choose another method (the code sent stops working). Refused under
    /// the conceal policy, which shows no methods.
    pub fn choose_another_method(self) -> Result<Wizard<ChooseMethod>, Refused<Verify>> {
        if self.step.conceal {
            return Err(self.refuse(Refusal::UnknownMethod));
        }
        let Wizard { flow, step } = self;
        Ok(Wizard {
            flow,
            step: step.choose,
        })
    }
}
