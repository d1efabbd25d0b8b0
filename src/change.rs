//! Setting a new password, the one way: the rules, then (on the host's offload pool) the
//! proof and the check against the current hash, the Argon2id hash, then the directory,
//! the audit event, the per-user counters and the notices. The wizard's NewPassword step
//! and the forced change at sign-in (after an admin's temporary password) both run it;
//! they differ only in what proves that the person may set the password ([`Proof`]).

use std::convert::Infallible;

use crate::contact::ContactMethod;
use crate::ending::Completed;
use crate::error::Error;
use crate::event::{Activity, Detail};
use crate::flow::FlowId;
use crate::parts::run_offloaded;
use crate::password::{
    HashError, HashParams, Password, PasswordHash, PasswordRefusal, hash_password_with_os_rng,
    verify_password,
};
use crate::service::Sspr;
use crate::user_id::UserId;

/// What proves that the person may set the password, checked on the offload pool before
/// the new password is hashed.
pub(crate) trait Proof: Send + 'static {
    /// Why the proof failed.
    type Failed: Send + 'static;

    /// Checks the proof against the current hash.
    fn check(
        &self,
        current: Option<&PasswordHash>,
        params: &HashParams,
    ) -> Result<Result<(), Self::Failed>, HashError>;
}

/// The wizard: ownership was proved in the flow (by codes), before this step.
pub(crate) struct ProvedInFlow;

impl Proof for ProvedInFlow {
    type Failed = Infallible;

    fn check(
        &self,
        _current: Option<&PasswordHash>,
        _params: &HashParams,
    ) -> Result<Result<(), Infallible>, HashError> {
        Ok(Ok(()))
    }
}

/// What a person sets the password for.
pub(crate) struct Change<P> {
    pub(crate) user: UserId,
    /// The flow, for the wizard.
    pub(crate) flow: Option<FlowId>,
    /// The audit activity of the change.
    pub(crate) activity: Activity,
    /// The methods that proved ownership (for the receipt).
    pub(crate) proved_by: Vec<ContactMethod>,
    /// Where to tell the account holder that the password changed.
    pub(crate) notify: Vec<ContactMethod>,
    /// The current password hash, if any.
    pub(crate) current: Option<PasswordHash>,
    pub(crate) proof: P,
}

/// Why the password was not set. Nothing changed.
pub(crate) enum NotChanged<F> {
    /// The new password breaks a rule.
    Rule(PasswordRefusal),
    /// The proof failed.
    Proof(F),
    /// A host part failed.
    Unavailable(Error),
}

/// What the hashing job found.
enum Hashed<F> {
    New(PasswordHash),
    SameAsCurrent,
    ProofFailed(F),
}

/// Sets the password of `change.user` to `new` (typed twice: `confirm`). The rules are
/// checked first; then the proof, the comparison with the current password and the hash
/// run on the offload pool; once the directory stored the hash nothing can undo the
/// change, so failures of the counters and notices are events, not errors.
pub(crate) async fn set_password<P: Proof>(
    sspr: &Sspr,
    change: Change<P>,
    new: Password,
    confirm: Password,
) -> Result<Completed, NotChanged<P::Failed>> {
    let unavailable = |error: Error| NotChanged::Unavailable(error);
    sspr.policy
        .password_rules
        .check(&new, &confirm, &change.user)
        .map_err(NotChanged::Rule)?;
    drop(confirm);
    let params = sspr.policy.hash_params;
    let Change {
        user,
        flow,
        activity,
        proved_by,
        notify,
        current,
        proof,
    } = change;
    let hashed = run_offloaded(sspr.offload.as_ref(), move || {
        hash_new(&proof, new, current, &params)
    })
    .await
    .map_err(|e| unavailable(e.into()))?
    .map_err(|e| unavailable(e.into()))?;
    let hash = match hashed {
        Hashed::New(hash) => hash,
        Hashed::SameAsCurrent => return Err(NotChanged::Rule(PasswordRefusal::SameAsCurrent)),
        Hashed::ProofFailed(failed) => return Err(NotChanged::Proof(failed)),
    };
    let stored = crate::directory::NewPasswordHash {
        hash,
        must_change: false,
        expires: None,
    };
    sspr.directory
        .set_password(&user, stored)
        .await
        .map_err(|e| unavailable(e.into()))?;
    sspr.record_event(flow, Some(&user), activity, Detail::PasswordChanged);
    let _ = sspr.counters.clear(&user).await;
    sspr.notify_password_changed(flow, &user, &notify).await;
    Ok(Completed {
        user,
        at: sspr.now(),
        methods_used: proved_by.iter().map(ContactMethod::masked).collect(),
        end_other_sessions: true,
    })
}

/// The blocking part: the proof, then a new password equal to the current one is
/// refused, then the hash.
fn hash_new<P: Proof>(
    proof: &P,
    new: Password,
    current: Option<PasswordHash>,
    params: &HashParams,
) -> Result<Hashed<P::Failed>, HashError> {
    if let Err(failed) = proof.check(current.as_ref(), params)? {
        return Ok(Hashed::ProofFailed(failed));
    }
    if current.is_some_and(|hash| verify_password(&new, &hash)) {
        return Ok(Hashed::SameAsCurrent);
    }
    hash_password_with_os_rng(&new, params).map(Hashed::New)
}
