//! Setting a new password, the one way: (after the caller checked the rules and whatever
//! proves the person may) on the offload pool the comparison with the current password
//! and the Argon2id hash, then the directory, the audit event, the per-user counters and
//! the notices. The wizard's NewPassword step and the forced change at sign-in (after an
//! admin's temporary password) both end here.

use crate::contact::ContactMethod;
use crate::ending::Completed;
use crate::error::Error;
use crate::event::{Actor, Detail};
use crate::flow::FlowId;
use crate::parts::run_offloaded;
use crate::password::{
    HashError, HashParams, Password, PasswordHash, hash_password_with_os_rng, verify_password,
};
use crate::service::Sspr;
use crate::user_id::UserId;

/// What a person sets the password for.
pub(crate) struct Change {
    pub(crate) user: UserId,
    /// The flow, for the wizard.
    pub(crate) flow: Option<FlowId>,
    /// Who changes it: the person at a self-service flow, or the signed-in user.
    pub(crate) actor: Actor,
    /// The account's organisation, for the audit event.
    pub(crate) tenant: Option<String>,
    /// Whether the account holds an admin role (the other admins may be told).
    pub(crate) admin: bool,
    /// The audit event of the change ([`Detail::PasswordChanged`] or
    /// [`Detail::TemporaryPasswordChanged`]).
    pub(crate) detail: Detail,
    /// The methods that proved ownership (for the receipt).
    pub(crate) proved_by: Vec<ContactMethod>,
    /// Where to tell the account holder that the password changed: the directory's
    /// methods (duplicates are told once).
    pub(crate) notify: Vec<ContactMethod>,
    /// The current password hash, if any.
    pub(crate) current: Option<PasswordHash>,
}

/// Why the password was not set. Nothing changed.
pub(crate) enum NotChanged {
    /// The new password is the current one.
    SameAsCurrent,
    /// A host part failed.
    Unavailable(Error),
}

/// What the hashing job found.
enum Hashed {
    New(PasswordHash),
    SameAsCurrent,
}

/// Sets the password of `change.user` to `new`, which passed the rules. Once the
/// directory stored the hash nothing can undo the change, so failures of the counters
/// and notices are events, not errors.
pub(crate) async fn set_password(
    sspr: &Sspr,
    change: Change,
    new: Password,
) -> Result<Completed, NotChanged> {
    let unavailable = |error: Error| NotChanged::Unavailable(error);
    let params = sspr.policy.hash_params;
    let Change {
        user,
        flow,
        actor,
        tenant,
        admin,
        detail,
        proved_by,
        notify,
        current,
    } = change;
    let hashed = run_offloaded(sspr.offload.as_ref(), move || {
        hash_new(new, current, &params)
    })
    .await
    .map_err(|e| unavailable(e.into()))?
    .map_err(|e| unavailable(e.into()))?;
    let hash = match hashed {
        Hashed::New(hash) => hash,
        Hashed::SameAsCurrent => return Err(NotChanged::SameAsCurrent),
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
    sspr.record_event(actor, flow, Some(&user), tenant.as_deref(), detail);
    let _ = sspr.counters.clear(&user).await;
    sspr.notify_password_changed(flow, &user, &ContactMethod::distinct(notify))
        .await;
    if admin && let Some(tenant) = &tenant {
        sspr.notify_admins(flow, tenant, &user).await;
    }
    Ok(Completed {
        user,
        at: sspr.now(),
        methods_used: proved_by.iter().map(ContactMethod::masked).collect(),
        end_other_sessions: true,
    })
}

/// The blocking part: a new password equal to the current one is refused, then the hash.
fn hash_new(
    new: Password,
    current: Option<PasswordHash>,
    params: &HashParams,
) -> Result<Hashed, HashError> {
    if current.is_some_and(|hash| verify_password(&new, &hash)) {
        return Ok(Hashed::SameAsCurrent);
    }
    hash_password_with_os_rng(&new, params).map(Hashed::New)
}
