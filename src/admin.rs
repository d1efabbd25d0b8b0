//! When self-service is not the way: an admin resets a user's password to a temporary one
//! (shown once, expiring, changed at next sign-in), and the user replaces it.

use std::fmt;

use rand::SeedableRng;
use rand::rngs::{ChaCha20Rng, SysRng};
use time::OffsetDateTime;

use crate::change::{self, Change, NotChanged};
use crate::directory::{NewPasswordHash, UserRecord};
use crate::ending::{Completed, Locked};
use crate::error::Error;
use crate::event::{Actor, Detail};
use crate::message::{Arg, Message};
use crate::parts::run_offloaded;
use crate::password::{
    HashError, HashParams, Password, PasswordHash, PasswordRefusal, hash_password_with_os_rng,
    verify_password,
};
use crate::roles;
use crate::service::{Block, Sspr};
use crate::user_id::{UserId, UserIdError};

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
    /// The admin may not reset this account: the table of roles does not allow it
    /// ([`roles::may_reset`]), or it is their own account (use
    /// self-service).
    #[error("you cannot reset the password of this account")]
    NotAllowed,
    /// There is no such account.
    #[error("there is no such account")]
    NoSuchUser,
    /// A host part failed; nothing was changed.
    #[error("the service is unavailable; try again")]
    Unavailable(#[source] Error),
}

/// Why replacing a temporary password was refused. Nothing changed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ForcedChangeRefusal {
    /// The user ID is not valid.
    #[error(transparent)]
    UserId(UserIdError),
    /// The user ID or the temporary password is not right (the two are not told apart).
    #[error("the user ID or the temporary password is not right")]
    WrongTemporaryPassword,
    /// The admin's temporary password has expired: ask the admin for a new one.
    #[error("the temporary password has expired; ask your admin for a new one")]
    TemporaryPasswordExpired,
    /// The new password breaks a rule.
    #[error(transparent)]
    Password(PasswordRefusal),
    /// A host part failed; nothing changed: try again.
    ///
    /// The message is fixed (safe to show); the host part's error is the
    /// [`source`](std::error::Error::source), for the host's logs.
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

/// Whether `admin` may reset `user`'s password: both in one organisation, not the same
/// account, and the provider's table allows it for their roles ([`roles::may_reset`]).
fn may_reset(admin: &UserRecord, user: &UserRecord) -> bool {
    admin.id != user.id
        && admin.tenant == user.tenant
        && roles::may_reset(&admin.roles, &user.roles)
}

impl Sspr {
    /// The directory's records of `admin` and of `user`, when the admin may reset the
    /// user's password ([`may_reset`]); a refusal is an audit event too, in the admin's
    /// organisation.
    pub(crate) async fn authorize_admin(
        &self,
        admin: &UserId,
        user: &UserId,
    ) -> Result<(UserRecord, UserRecord), AdminResetError> {
        let find = |id| async move {
            self.directory
                .find_user(id)
                .await
                .map_err(|e| AdminResetError::Unavailable(e.into()))
        };
        let refused = |admin: &UserId, tenant: Option<&str>, error: AdminResetError| {
            self.record_event(
                Actor::Admin(admin.clone()),
                None,
                Some(user),
                tenant,
                Detail::AdminResetRefused,
            );
            error
        };
        let Some(admin_record) = find(admin).await? else {
            return Err(refused(admin, None, AdminResetError::NotAllowed));
        };
        let tenant = Some(admin_record.tenant.as_str());
        // Who holds no role that resets anybody learns nothing about the account.
        if !admin_record
            .roles
            .iter()
            .any(|role| roles::Resetter::of(role).is_some())
        {
            return Err(refused(
                &admin_record.id,
                tenant,
                AdminResetError::NotAllowed,
            ));
        }
        // An account of another organisation is answered like one that does not exist.
        let record = find(user)
            .await?
            .filter(|record| record.tenant == admin_record.tenant);
        let Some(record) = record else {
            return Err(refused(
                &admin_record.id,
                tenant,
                AdminResetError::NoSuchUser,
            ));
        };
        if !may_reset(&admin_record, &record) {
            return Err(refused(
                &admin_record.id,
                tenant,
                AdminResetError::NotAllowed,
            ));
        }
        Ok((admin_record, record))
    }

    /// An admin resets `user`'s password: a random temporary password (shown once to the
    /// admin) that expires after the policy's lifetime and must be changed at next
    /// sign-in. The user is told on every registered method.
    pub async fn reset_by_admin(
        &self,
        admin: &UserId,
        user: &UserId,
    ) -> Result<TemporaryPassword, AdminResetError> {
        let (admin_record, record) = self.authorize_admin(admin, user).await?;
        let admin = &admin_record.id;
        // From here on the account is named by the directory's own ID (an alias the
        // directory resolves shares its password, counters and events).
        let user = &record.id;
        let mut rng = ChaCha20Rng::try_from_rng(&mut SysRng)
            .map_err(|_| AdminResetError::Unavailable(HashError::Entropy.into()))?;
        let password = Password::generate_temporary(&mut rng);
        let secret = Password::new(password.expose_secret());
        let params = self.policy.hash_params;
        let hash = run_offloaded(self.offload.as_ref(), move || {
            hash_password_with_os_rng(&secret, &params)
        })
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
            Actor::Admin(admin.clone()),
            None,
            Some(user),
            Some(&record.tenant),
            Detail::TemporaryPasswordSet,
        );
        // A fresh start: an admin vouched for the account.
        let _ = self.counters.clear(user).await;
        self.notify_password_changed(None, user, &record.methods)
            .await;
        if record.is_admin() {
            self.notify_admins(None, &record.tenant, user).await;
        }
        Ok(TemporaryPassword { password, expires })
    }

    /// "Change at next sign-in": replaces an admin's temporary password.
    ///
    /// The temporary password is checked first, on the offload pool, with the same work
    /// whether or not the account exists or has one outstanding (an unknown user ID and a
    /// wrong password are refused alike). A wrong one counts against the user ID like a
    /// wrong code only while a temporary password is outstanding, so guessing at an
    /// account without one never blocks its self-service reset. Then the temporary
    /// password's expiry, then the new-password rules; the new password is set the same
    /// way as a self-service reset.
    pub async fn change_temporary_password(
        &self,
        user_id: &str,
        temporary: Password,
        new: Password,
        confirm: Password,
    ) -> Result<ForcedChange, ForcedChangeRefusal> {
        let typed = UserId::parse(user_id).map_err(ForcedChangeRefusal::UserId)?;
        let now = self.now();
        let unavailable = |e: Error| ForcedChangeRefusal::Unavailable(e);
        let (user, record) = self
            .account_of(typed)
            .await
            .map_err(|e| unavailable(e.into()))?;
        if let Some(until) = self
            .counters
            .blocked_until(&user, now)
            .await
            .map_err(|e| unavailable(e.into()))?
        {
            return Ok(ForcedChange::Locked(self.lock_user(None, &user, until)));
        }
        let state = self
            .directory
            .password_state(&user)
            .await
            .map_err(|e| unavailable(e.into()))?;
        // Only a password that must be changed can be replaced this way.
        let outstanding = match (&record, &state) {
            (Some(record), Some(state)) if state.must_change => record.password_hash.clone(),
            _ => None,
        };
        let counts = outstanding.is_some();
        let params = self.policy.hash_params;
        let checked = outstanding.clone();
        let right = run_offloaded(self.offload.as_ref(), move || {
            temporary_is_right(&temporary, checked.as_ref(), &params)
        })
        .await
        .map_err(|e| unavailable(e.into()))?
        .map_err(|e| unavailable(e.into()))?;
        if !right {
            if counts {
                let blocked = self
                    .count_failure(&user, now, Block::Renew)
                    .await
                    .map_err(|e| unavailable(e.into()))?;
                if let Some(until) = blocked {
                    return Ok(ForcedChange::Locked(self.lock_user(None, &user, until)));
                }
            }
            return Err(ForcedChangeRefusal::WrongTemporaryPassword);
        }
        if state
            .and_then(|s| s.expires)
            .is_some_and(|expires| expires <= now)
        {
            return Err(ForcedChangeRefusal::TemporaryPasswordExpired);
        }
        self.policy
            .password_rules
            .check(&new, &confirm, &user)
            .map_err(ForcedChangeRefusal::Password)?;
        drop(confirm);
        let change = Change {
            user,
            flow: None,
            actor: Actor::User,
            tenant: record.as_ref().map(|r| r.tenant.clone()),
            // The admins heard of it when the admin reset it.
            admin: false,
            detail: Detail::TemporaryPasswordChanged,
            proved_by: Vec::new(),
            notify: record.map(|r| r.methods).unwrap_or_default(),
            current: outstanding,
        };
        match change::set_password(self, change, new).await {
            Ok(completed) => Ok(ForcedChange::Completed(completed)),
            Err(NotChanged::SameAsCurrent) => Err(ForcedChangeRefusal::Password(
                PasswordRefusal::SameAsCurrent,
            )),
            Err(NotChanged::Unavailable(error)) => Err(unavailable(error)),
        }
    }
}

/// Whether `temporary` is the outstanding temporary password. With none outstanding it
/// spends the same work (one Argon2id run), then says no.
fn temporary_is_right(
    temporary: &Password,
    outstanding: Option<&PasswordHash>,
    params: &HashParams,
) -> Result<bool, HashError> {
    match outstanding {
        Some(hash) => Ok(verify_password(temporary, hash)),
        None => {
            hash_password_with_os_rng(temporary, params)?;
            Ok(false)
        }
    }
}

impl Message for ForcedChangeRefusal {
    fn message_id(&self) -> &'static str {
        match self {
            ForcedChangeRefusal::UserId(e) => e.message_id(),
            ForcedChangeRefusal::WrongTemporaryPassword => "forced-change-wrong-temporary-password",
            ForcedChangeRefusal::TemporaryPasswordExpired => {
                "forced-change-temporary-password-expired"
            }
            ForcedChangeRefusal::Password(e) => e.message_id(),
            ForcedChangeRefusal::Unavailable(e) => e.message_id(),
        }
    }

    fn message_args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            ForcedChangeRefusal::UserId(e) => e.message_args(),
            ForcedChangeRefusal::Password(e) => e.message_args(),
            _ => Vec::new(),
        }
    }
}

impl Message for AdminResetError {
    fn message_id(&self) -> &'static str {
        match self {
            AdminResetError::NotAllowed => "admin-reset-not-allowed",
            AdminResetError::NoSuchUser => "admin-reset-no-such-user",
            AdminResetError::Unavailable(e) => e.message_id(),
        }
    }
}
