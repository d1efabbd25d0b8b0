//! Choosing where the one-time code goes, and sending it.

use std::fmt;

use time::OffsetDateTime;

use crate::code::{CodeDigest, OneTimeCode};
use crate::contact::{ContactMethod, MaskedContact};
use crate::directory::Directory;
use crate::error::Error;
use crate::event::{Activity, Detail};
use crate::limits::{Counter, Counters};
use crate::offload::Offload;
use crate::sender::CodeSender;
use crate::service::Sspr;
use crate::step::Verify;
use crate::user_id::UserId;
use crate::wizard::{Expired, Flow, Locked, Refusal, Refused, Sealed, Step, Wizard};

/// The person picks a registered contact method (shown masked) to receive a code.
#[derive(Clone)]
pub struct ChooseMethod {
    pub(crate) user: UserId,
    pub(crate) methods: Vec<ContactMethod>,
    pub(crate) used: Vec<u8>,
    pub(crate) required: u8,
    pub(crate) code_attempts_left: u8,
    pub(crate) issued: u8,
}

impl fmt::Debug for ChooseMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChooseMethod")
            .field("user", &self.user)
            .field("methods", &self.methods)
            .field("used", &self.used)
            .field("required", &self.required)
            .field("code_attempts_left", &self.code_attempts_left)
            .finish()
    }
}

impl Sealed for ChooseMethod {}
impl Step for ChooseMethod {
    const NAME: &'static str = "choose method";
}

/// One contact method as offered to the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodChoice {
    /// What to pass to [`Wizard::<ChooseMethod>::choose`].
    pub index: usize,
    /// The masked method.
    pub contact: MaskedContact,
    /// Whether it already proved ownership in this flow (it cannot be chosen again).
    pub used: bool,
}

impl ChooseMethod {
    /// The account's methods, masked, in the account's order.
    pub fn methods(&self) -> Vec<MethodChoice> {
        self.methods
            .iter()
            .enumerate()
            .map(|(index, method)| MethodChoice {
                index,
                contact: method.masked(),
                used: self.used.iter().any(|&u| usize::from(u) == index),
            })
            .collect()
    }

    /// Methods this account must verify (1 or 2).
    pub fn required(&self) -> u8 {
        self.required
    }

    /// Methods verified so far.
    pub fn verified(&self) -> usize {
        self.used.len()
    }

    /// Whose account it is.
    pub fn user(&self) -> &UserId {
        &self.user
    }
}

/// Where sending a code leads.
#[derive(Debug)]
pub enum ToVerify {
    /// The code was sent: type it.
    Verify(Wizard<Verify>),
    /// The user ID passed its limit of codes and is blocked.
    Locked(Locked),
    /// The flow's lifetime ran out.
    Expired(Expired),
}

impl Wizard<ChooseMethod> {
    /// Sends a code to the method at `index` (of [`ChooseMethod::methods`]). Refused for
    /// an unknown or used method, or when delivery fails (nothing moved: try again).
    pub async fn choose<D, S, K, O>(
        self,
        sspr: &Sspr<D, S, K, O>,
        index: usize,
    ) -> Result<ToVerify, Refused<ChooseMethod>>
    where
        D: Directory,
        S: CodeSender,
        K: Counters,
        O: Offload,
    {
        if sspr.expired(&self.flow, Some(&self.step.user)) {
            return Ok(ToVerify::Expired(Expired));
        }
        let unused = index < self.step.methods.len()
            && !self.step.used.iter().any(|&u| usize::from(u) == index);
        if !unused {
            return Err(self.refuse(Refusal::UnknownMethod));
        }
        match send_to(sspr, &self.flow, &self.step, index).await {
            Ok(Ok(issue)) => {
                let Wizard { flow, step } = self;
                let verify = Verify::sent(sspr, step, index, issue);
                Ok(ToVerify::Verify(Wizard { flow, step: verify }))
            }
            Ok(Err(locked)) => Ok(ToVerify::Locked(locked)),
            Err(error) => Err(self.refuse(Refusal::Unavailable(error))),
        }
    }
}

/// A code that went out: its digest, deadline and issue number.
pub(crate) struct Issue {
    pub(crate) digest: CodeDigest,
    pub(crate) number: u8,
    pub(crate) deadline: OffsetDateTime,
}

/// Whether `user` is blocked across flows; emits the lock when it is.
pub(crate) async fn check_blocked<D, S, K: Counters, O>(
    sspr: &Sspr<D, S, K, O>,
    flow: &Flow,
    user: &UserId,
) -> Result<Option<Locked>, Error> {
    let now = sspr.now();
    let Some(until) = sspr.counters.blocked_until(user, now).await? else {
        return Ok(None);
    };
    Ok(Some(sspr.lock_user(Some(flow.id), user, until)))
}

/// Counts a send against the user ID's limit, then makes, stores (as a digest) and
/// delivers a new code to method `index`.
pub(crate) async fn send_to<D, S, K, O>(
    sspr: &Sspr<D, S, K, O>,
    flow: &Flow,
    step: &ChooseMethod,
    index: usize,
) -> Result<Result<Issue, Locked>, Error>
where
    S: CodeSender,
    K: Counters,
{
    let user = &step.user;
    if let Some(locked) = check_blocked(sspr, flow, user).await? {
        return Ok(Err(locked));
    }
    let now = sspr.now();
    let policy = &sspr.policy;
    let sends = sspr
        .counters
        .add(user, Counter::CodeSends, now, policy.user_window)
        .await?;
    if sends > policy.user_code_sends {
        let until = now + policy.user_block;
        sspr.counters.block(user, until).await?;
        return Ok(Err(sspr.lock_user(Some(flow.id), user, until)));
    }
    let Some(method) = step.methods.get(index) else {
        return Err(Error::Directory(
            crate::directory::DirectoryError::NoSuchUser,
        ));
    };
    let code = OneTimeCode::generate(usize::from(policy.code_digits))?;
    let number = step.issued.wrapping_add(1);
    let digest = sspr
        .code_key
        .digest(&flow.id, number, code.expose_secret().as_bytes());
    let delivered = sspr.sender.send_code(user, method, &code).await;
    drop(code);
    if let Err(error) = delivered {
        // A code that never left is not a send: an outage must not block the person.
        // Failing to give it back only makes the limit stricter.
        let _ = sspr.counters.release(user, Counter::CodeSends).await;
        return Err(error.into());
    }
    sspr.emit(
        flow,
        Some(user),
        Activity::FlowActivityProgress,
        Detail::CodeSent { via: method.kind() },
    );
    Ok(Ok(Issue {
        digest,
        number,
        deadline: now + policy.code_lifetime,
    }))
}

/// What sending to the first unused method gave (conceal policy).
pub(crate) enum Sent {
    Verify(Verify),
    Locked(Locked, UserId),
}

/// Conceal policy: sends to the first method not yet used. A failure (delivery, counters)
/// is not shown: the step looks like any other Verify step, accepts no code, and a resend
/// tries the delivery again.
pub(crate) async fn send_first_unused<D, S, K, O>(
    sspr: &Sspr<D, S, K, O>,
    flow: &Flow,
    step: ChooseMethod,
) -> Sent
where
    S: CodeSender,
    K: Counters,
{
    let index = (0..step.methods.len())
        .find(|i| !step.used.iter().any(|&u| usize::from(u) == *i))
        .unwrap_or(0);
    match send_to(sspr, flow, &step, index).await {
        Ok(Ok(issue)) => Sent::Verify(Verify::sent(sspr, step, index, issue)),
        Ok(Err(locked)) => Sent::Locked(locked, step.user),
        Err(_) => {
            if let Some(method) = step.methods.get(index) {
                sspr.emit(
                    flow,
                    Some(&step.user),
                    Activity::FlowActivityProgress,
                    Detail::DeliveryFailed { via: method.kind() },
                );
            }
            Sent::Verify(Verify::unsent(sspr, step, index))
        }
    }
}
