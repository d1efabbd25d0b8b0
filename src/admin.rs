//! When self-service is not the way: an admin resets a user's password to a temporary one
//! (shown once, expiring, changed at next sign-in), and the user replaces it.

use std::fmt;

use rand::SeedableRng;
use rand::rngs::{ChaCha20Rng, SysRng};
use time::OffsetDateTime;

use crate::directory::{Directory, NewPasswordHash, Role, UserRecord};
use crate::error::Error;
use crate::event::{Activity, Detail};
use crate::limits::Counters;
use crate::offload::Offload;
use crate::password::{
    HashError, HashParams, MAX_CHARS_LIMIT, Password, PasswordHash, PasswordRefusal,
    hash_password_with_os_rng, same_secret, verify_password,
};
use crate::sender::CodeSender;
use crate::service::Sspr;
use crate::user_id::UserId;
use crate::wizard::{Completed, Locked, Refusal};

/// A temporary password set by an admin: show it to the admin once, then drop it. Secret:
/// `Debug` redacts it and it is wiped on drop.
pub struct TemporaryPassword {
    password: Password,
    expires: OffsetDateTime,
}

impl TemporaryPassword {
    /// The password, to show the admin once.
    pub fn expose_secret(&self) -> &str {
        self.password.expose_secret()
    }

    /// When it stops working.
    pub fn expires(&self) -> OffsetDateTime {
        self.expires
    }
}

impl fmt::Debug for TemporaryPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TemporaryPassword")
            .field("password", &"[REDACTED]")
            .field("expires", &self.expires)
            .finish()
    }
}

/// Why an admin reset was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdminResetError {
    /// The admin may not reset this account: not an admin, another organisation, their
    /// own account (use self-service), or an admin account without the global admin role.
    #[error("you cannot reset the password of this account")]
    NotAllowed,
    /// There is no such account.
    #[error("there is no such account")]
    NoSuchUser,
    /// A host part failed; nothing was changed.
    #[error("the service is unavailable; try again")]
    Unavailable(#[source] Error),
}

/// Where replacing a temporary password led.
#[derive(Debug)]
pub enum ForcedChange {
    /// The new password is set: the receipt.
    Completed(Completed),
    /// Too many wrong temporary passwords for this user ID: blocked until the time given.
    Locked(Locked),
}

/// Whether `admin` may reset `user`'s password: both in one organisation, `admin` holds
/// an admin role, and only a global admin may reset another admin.
fn may_reset(admin: &UserRecord, user: &UserRecord) -> bool {
    let global = admin.roles.contains(&Role::GlobalAdmin);
    admin.id != user.id
        && admin.tenant == user.tenant
        && admin.is_admin()
        && (global || !user.is_admin())
}

impl<D, S, K, O> Sspr<D, S, K, O>
where
    D: Directory,
    S: CodeSender,
    K: Counters,
    O: Offload,
{
    /// An admin resets `user`'s password: a random temporary password (shown once to the
    /// admin) that expires after the policy's lifetime and must be changed at next
    /// sign-in. The user is told on every registered method.
    pub async fn reset_by_admin(
        &self,
        admin: &UserId,
        user: &UserId,
    ) -> Result<TemporaryPassword, AdminResetError> {
        let find = |id| async move {
            self.directory
                .find_user(id)
                .await
                .map_err(|e| AdminResetError::Unavailable(e.into()))
        };
        let admin_record = find(admin).await?.ok_or(AdminResetError::NotAllowed)?;
        let record = find(user).await?.ok_or(AdminResetError::NoSuchUser)?;
        if !may_reset(&admin_record, &record) {
            return Err(AdminResetError::NotAllowed);
        }
        let mut rng = ChaCha20Rng::try_from_rng(&mut SysRng)
            .map_err(|_| AdminResetError::Unavailable(HashError::Entropy.into()))?;
        let password = Password::generate_temporary(&mut rng);
        let secret = Password::new(password.expose_secret());
        let params = self.policy.hash_params;
        let hash = self
            .offload
            .run(move || hash_password_with_os_rng(&secret, &params))
            .await
            .map_err(|e| AdminResetError::Unavailable(e.into()))?
            .map_err(|e| AdminResetError::Unavailable(e.into()))?;
        let expires = self.now() + self.policy.temporary_password_lifetime;
        let stored = NewPasswordHash {
            hash,
            must_change: true,
            expires: Some(expires),
        };
        self.directory
            .set_password(user, stored)
            .await
            .map_err(|e| AdminResetError::Unavailable(e.into()))?;
        self.record_event(
            None,
            Some(user),
            Activity::ResetPasswordByAdmin,
            Detail::TemporaryPasswordSet,
        );
        // A fresh start: an admin vouched for the account.
        let _ = self.counters.clear(user).await;
        self.notify_password_changed(None, user, &record.methods)
            .await;
        Ok(TemporaryPassword { password, expires })
    }

    /// "Change at next sign-in": replaces an admin's temporary password. The temporary
    /// password must be the current one and not expired; the new one follows the same
    /// rules as a self-service reset. Wrong temporary passwords count against the user
    /// ID like wrong codes. An unknown user ID and a wrong password are refused alike.
    pub async fn change_temporary_password(
        &self,
        user_id: &str,
        temporary: Password,
        new: Password,
        confirm: Password,
    ) -> Result<ForcedChange, Refusal> {
        let user = UserId::parse(user_id).map_err(Refusal::UserId)?;
        let now = self.now();
        let unavailable = |e: Error| Refusal::Unavailable(e);
        if let Some(until) = self
            .counters
            .blocked_until(&user, now)
            .await
            .map_err(|e| unavailable(e.into()))?
        {
            return Ok(ForcedChange::Locked(self.lock_user(None, &user, until)));
        }
        let record = self
            .directory
            .find_user(&user)
            .await
            .map_err(|e| unavailable(e.into()))?;
        let state = self
            .directory
            .password_state(&user)
            .await
            .map_err(|e| unavailable(e.into()))?;
        let current = match (&record, state) {
            (Some(record), Some(state)) if state.must_change => record.password_hash.clone(),
            _ => None,
        };
        if let Err(refusal) = self.policy.password_rules.check(&new, &confirm, &user) {
            return Err(Refusal::Password(refusal));
        }
        drop(confirm);
        let params = self.policy.hash_params;
        let checked = self
            .offload
            .run(move || replace(temporary, new, current, &params))
            .await
            .map_err(|e| unavailable(e.into()))?
            .map_err(|e| unavailable(e.into()))?;
        let hash = match checked {
            Replaced::New(hash) => hash,
            Replaced::SameAsTemporary => {
                return Err(Refusal::Password(PasswordRefusal::SameAsCurrent));
            }
            Replaced::WrongTemporary => {
                let blocked = self
                    .count_failure(&user, now)
                    .await
                    .map_err(|e| unavailable(e.into()))?;
                if let Some(until) = blocked {
                    return Ok(ForcedChange::Locked(self.lock_user(None, &user, until)));
                }
                return Err(Refusal::WrongTemporaryPassword);
            }
        };
        if state
            .and_then(|s| s.expires)
            .is_some_and(|expires| expires <= now)
        {
            return Err(Refusal::TemporaryPasswordExpired);
        }
        let stored = NewPasswordHash {
            hash,
            must_change: false,
            expires: None,
        };
        self.directory
            .set_password(&user, stored)
            .await
            .map_err(|e| unavailable(e.into()))?;
        self.record_event(
            None,
            Some(&user),
            Activity::ChangePasswordSelfService,
            Detail::PasswordChanged,
        );
        let _ = self.counters.clear(&user).await;
        if let Some(record) = &record {
            self.notify_password_changed(None, &user, &record.methods)
                .await;
        }
        Ok(ForcedChange::Completed(Completed {
            user,
            at: self.now(),
            methods_used: Vec::new(),
            end_other_sessions: true,
        }))
    }
}

/// What the blocking part of a forced change found.
enum Replaced {
    New(PasswordHash),
    SameAsTemporary,
    WrongTemporary,
}

/// Checks the temporary password against the current hash, then hashes the new one. The
/// work is the same whether or not there is a current hash, so an unknown user ID takes
/// as long as a known one.
fn replace(
    temporary: Password,
    new: Password,
    current: Option<PasswordHash>,
    params: &HashParams,
) -> Result<Replaced, HashError> {
    let right = match &current {
        Some(hash) => verify_password(&temporary, hash),
        None => {
            // Spend the same work as a verification, then refuse.
            hash_password_with_os_rng(&temporary, params)?;
            false
        }
    };
    if !right {
        return Ok(Replaced::WrongTemporary);
    }
    // `new` passed the rules, so it has at most MAX_CHARS_LIMIT characters.
    if same_secret(
        new.expose_secret(),
        temporary.expose_secret(),
        MAX_CHARS_LIMIT * 4,
    ) {
        return Ok(Replaced::SameAsTemporary);
    }
    hash_password_with_os_rng(&new, params).map(Replaced::New)
}
