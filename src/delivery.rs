//! Sending one-time codes: the per-user-ID limits, the code itself (kept only as its
//! HMAC), the delivery, and the conceal policy's quiet failures. Used by the steps that
//! send a code (Identify under the conceal policy, ChooseMethod, Verify).

use time::OffsetDateTime;

use crate::code::{CodeDigest, OneTimeCode};
use crate::contact::ContactMethod;
use crate::dispatch::PendingDelivery;
use crate::ending::Locked;
use crate::error::Error;
use crate::event::Detail;
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
    sspr.emit(flow, Some(user), Detail::CodeSent { via: method.kind() });
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

/// Whether a concealed send delivers its code.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum SendKind {
    /// To the account's method (unless the user ID is blocked).
    Real,
    /// Never: the account cannot reset, and does the work for show.
    Decoy,
}

/// What a concealed send did.
pub(crate) enum HandedOff {
    /// A code for method `index` was handed to the dispatch.
    Sent { index: u8, issue: Issue },
    /// The dispatch refused the code for method `index`, or a counter failed: nothing
    /// went out, and a resend tries again.
    Unsent { index: u8 },
    /// A decoy was handed off (with what a code to method `index` would have been, for
    /// the caller to build the same step as for a real one).
    Decoy(Option<(u8, Issue)>),
    /// The user ID is blocked (or was just blocked, over its limit); a decoy was handed
    /// off.
    Locked(Locked),
}

/// Conceal policy: makes a code for method `index` of `account` (when there is one) and
/// hands it to the service's [`Dispatch`](crate::dispatch::Dispatch), without waiting for
/// the delivery. Every account does the same work, whatever it is: it asks for the user
/// ID's block, counts a send, makes a code and its digest, and hands off a delivery,
/// which for an account with no method, or a blocked one, is a decoy that delivers
/// nothing. So neither the work nor the time of a request tells a known account from an
/// unknown one.
pub(crate) async fn hand_off(
    sspr: &Sspr,
    flow: &Flow,
    account: &Account,
    index: Option<u8>,
    send: SendKind,
) -> HandedOff {
    let user = &account.user;
    let method = index.and_then(|i| Some((i, account.methods.get(usize::from(i))?)));
    let now = sspr.now();
    let policy = &sspr.policy;
    let blocked = sspr.counters.blocked_until(user, now).await;
    let sends = sspr
        .counters
        .add(user, Counter::CodeSends, now, policy.user_window)
        .await;
    let Ok(code) = OneTimeCode::generate(usize::from(policy.code_digits)) else {
        return match method {
            Some((index, _)) => HandedOff::Unsent { index },
            None => HandedOff::Decoy(None),
        };
    };
    let number = account.issued.wrapping_add(1);
    let digest = sspr
        .code_key
        .digest(&flow.id, number, code.expose_secret().as_bytes());
    let locked = match (blocked, sends) {
        (Ok(Some(until)), _) => Some(Ok(until)),
        (Ok(None), Ok(sends)) if sends > policy.user_code_sends => {
            let until = now + policy.user_block;
            Some(sspr.counters.block(user, until).await.map(|()| until))
        }
        (Ok(None), Ok(_)) => None,
        (Err(error), _) | (_, Err(error)) => Some(Err(error)),
    };
    let to = method.map(|(_, method)| method.clone());
    let deliver = send == SendKind::Real && locked.is_none();
    let handed = sspr.dispatch.dispatch(PendingDelivery::new(
        sspr,
        flow.id,
        user.clone(),
        to,
        code,
        deliver,
    ));
    if send == SendKind::Decoy {
        return HandedOff::Decoy(method.map(|(index, _)| {
            let issue = Issue {
                digest,
                number,
                deadline: now + policy.code_lifetime,
            };
            (index, issue)
        }));
    }
    match (locked, method) {
        (Some(Ok(until)), _) => HandedOff::Locked(sspr.lock_user(Some(flow.id), user, until)),
        (Some(Err(_)), Some((index, method))) => {
            not_sent(sspr, flow, user, method);
            HandedOff::Unsent { index }
        }
        (_, None) => HandedOff::Decoy(None),
        (None, Some((index, method))) => match handed {
            Ok(()) => {
                sspr.emit(flow, Some(user), Detail::CodeSent { via: method.kind() });
                HandedOff::Sent {
                    index,
                    issue: Issue {
                        digest,
                        number,
                        deadline: now + policy.code_lifetime,
                    },
                }
            }
            Err(_) => {
                // Nothing went out: give the send back. Failing to only makes the
                // limit stricter.
                let _ = sspr.counters.release(user, Counter::CodeSends).await;
                not_sent(sspr, flow, user, method);
                HandedOff::Unsent { index }
            }
        },
    }
}

fn not_sent(sspr: &Sspr, flow: &Flow, user: &UserId, method: &ContactMethod) {
    sspr.emit(
        flow,
        Some(user),
        Detail::DeliveryFailed { via: method.kind() },
    );
}

/// Conceal policy: sends to the first method not yet used (see [`hand_off`]). A code
/// that did not go out does not show: the step accepts no code, and a resend tries
/// again. A blocked user ID is returned (with the account's user ID) for the caller to
/// show or to hide.
pub(crate) async fn send_concealed(
    sspr: &Sspr,
    flow: &Flow,
    account: Account,
) -> Result<Verify, (Locked, UserId)> {
    let index = account.first_unused().and_then(|i| u8::try_from(i).ok());
    match hand_off(sspr, flow, &account, index, SendKind::Real).await {
        HandedOff::Sent { index, issue } => Ok(verify_after(sspr, account, index, issue, true)),
        HandedOff::Unsent { index } => Ok(Verify::new(
            account,
            Code::Concealed(Concealed::Unsent { method: index }),
            &sspr.policy,
            sspr.now(),
        )),
        HandedOff::Decoy(_) => Ok(stand_in(sspr, account.user)),
        HandedOff::Locked(locked) => Err((locked, account.user)),
    }
}

/// Conceal policy, for an account that cannot reset (run on a stand-in record): the work
/// of [`send_concealed`], a decoy handed off, and a step that accepts no code.
pub(crate) async fn send_decoy(sspr: &Sspr, flow: &Flow, account: Account) -> Verify {
    let index = account.first_unused().and_then(|i| u8::try_from(i).ok());
    match hand_off(sspr, flow, &account, index, SendKind::Decoy).await {
        // Built as for a real code (the same work), then made to accept none.
        HandedOff::Decoy(Some((index, issue))) => {
            let mut verify = verify_after(sspr, account, index, issue, true);
            verify.code = Code::Concealed(Concealed::StandIn);
            verify
        }
        _ => stand_in(sspr, account.user),
    }
}
