//! Sending one-time codes: the per-user-ID limits, the code itself (kept only as its
//! HMAC), the delivery, and the conceal policy's quiet failures. Used by the steps that
//! send a code (Identify under the conceal policy, ChooseMethod, Verify).

use time::OffsetDateTime;

use crate::code::{CodeDigest, OneTimeCode};
use crate::ending::Locked;
use crate::error::Error;
use crate::event::{Activity, Detail};
use crate::limits::Counter;
use crate::service::Sspr;
use crate::state::{Account, Code, Concealed, Verify};
use crate::user_id::UserId;
use crate::wizard::Flow;

/// A code that went out: its digest, deadline and issue number.
pub(crate) struct Issue {
    pub(crate) digest: CodeDigest,
    pub(crate) number: u8,
    pub(crate) deadline: OffsetDateTime,
}

/// Whether `user` is blocked across flows; emits the lock when it is.
pub(crate) async fn check_blocked(
    sspr: &Sspr,
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
/// delivers a new code to method `index` of `account`. The caller checked that `index`
/// names one of the account's methods.
pub(crate) async fn send_to(
    sspr: &Sspr,
    flow: &Flow,
    account: &Account,
    index: u8,
) -> Result<Result<Issue, Locked>, Error> {
    let user = &account.user;
    let Some(method) = account.methods.get(usize::from(index)) else {
        return Err(Error::NoSuchMethod);
    };
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
    let code = OneTimeCode::generate(usize::from(policy.code_digits))?;
    let number = account.issued.wrapping_add(1);
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

/// The Verify step after a code went to method `index`.
pub(crate) fn verify_after(
    sspr: &Sspr,
    mut account: Account,
    index: u8,
    issue: Issue,
    concealed: bool,
) -> Verify {
    account.issued = issue.number;
    Verify {
        account,
        code: Code::sent(index, issue.digest, concealed),
        code_deadline: issue.deadline,
        resends_left: sspr.policy.code_resends,
    }
}

/// A concealed Verify step that accepts no code (an account that cannot reset, or a
/// blocked one): it looks like any other.
pub(crate) fn stand_in(sspr: &Sspr, user: UserId) -> Verify {
    Verify::new(
        Account::stand_in(user, &sspr.policy),
        Code::Concealed(Concealed::StandIn),
        &sspr.policy,
        sspr.now(),
    )
}

/// Conceal policy: sends to the first method not yet used. A failed delivery does not
/// show: the step accepts no code, and a resend tries the delivery again. A blocked user
/// ID is returned (with the account's user ID) for the caller to show or to hide.
pub(crate) async fn send_concealed(
    sspr: &Sspr,
    flow: &Flow,
    account: Account,
) -> Result<Verify, (Locked, UserId)> {
    let Some(index) = account.first_unused().and_then(|i| u8::try_from(i).ok()) else {
        return Ok(stand_in(sspr, account.user));
    };
    match send_to(sspr, flow, &account, index).await {
        Ok(Ok(issue)) => Ok(verify_after(sspr, account, index, issue, true)),
        Ok(Err(locked)) => Err((locked, account.user)),
        Err(_) => {
            if let Some(method) = account.methods.get(usize::from(index)) {
                sspr.emit(
                    flow,
                    Some(&account.user),
                    Activity::FlowActivityProgress,
                    Detail::DeliveryFailed { via: method.kind() },
                );
            }
            Ok(Verify::new(
                account,
                Code::Concealed(Concealed::Unsent { method: index }),
                &sspr.policy,
                sspr.now(),
            ))
        }
    }
}
