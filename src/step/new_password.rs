//! The new password: rules, Argon2id hash off the async workers, store, notify.

use std::fmt;

use crate::contact::MaskedContact;
use crate::directory::{Directory, DirectoryError, NewPasswordHash};
use crate::error::Error;
use crate::event::{Activity, Detail};
use crate::limits::Counters;
use crate::offload::Offload;
use crate::password::{
    HashParams, Password, PasswordHash, PasswordRefusal, hash_password_with_os_rng, verify_password,
};
use crate::sender::CodeSender;
use crate::service::Sspr;
use crate::step::ChooseMethod;
use crate::user_id::UserId;
use crate::wizard::{Completed, Expired, Refusal, Refused, Sealed, Step, Wizard};

/// Ownership is proved: the person types the new password twice.
pub struct NewPassword {
    pub(crate) choose: ChooseMethod,
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewPassword")
            .field("user", &self.choose.user)
            .field("methods_used", &self.methods_used())
            .finish()
    }
}

impl Sealed for NewPassword {}
impl Step for NewPassword {
    const NAME: &'static str = "new password";
}

impl NewPassword {
    pub(crate) fn after(choose: ChooseMethod) -> Self {
        NewPassword { choose }
    }

    /// Whose password is being set.
    pub fn user(&self) -> &UserId {
        &self.choose.user
    }

    /// The methods that proved ownership, masked.
    pub fn methods_used(&self) -> Vec<MaskedContact> {
        self.choose
            .used
            .iter()
            .filter_map(|&i| self.choose.methods.get(usize::from(i)))
            .map(|m| m.masked())
            .collect()
    }
}

/// Where a new password leads.
#[derive(Debug)]
pub enum FromNewPassword {
    /// The password was changed: the receipt.
    Completed(Completed),
    /// The flow's lifetime ran out.
    Expired(Expired),
}

/// What the hashing job found.
enum Hashed {
    New(PasswordHash),
    SameAsCurrent,
}

impl Wizard<NewPassword> {
    /// Sets the new password. The rules are checked first (refusals keep the step); then,
    /// on the host's offload pool, the password is compared with the current hash and
    /// hashed with Argon2id; the hash is stored, the person is told on every registered
    /// method, and the receipt says to end the user's other sessions.
    pub async fn submit<D, S, K, O>(
        self,
        sspr: &Sspr<D, S, K, O>,
        new: Password,
        confirm: Password,
    ) -> Result<FromNewPassword, Refused<NewPassword>>
    where
        D: Directory,
        S: CodeSender,
        K: Counters,
        O: Offload,
    {
        let user = self.step.choose.user.clone();
        if sspr.expired(&self.flow, Some(&user)) {
            return Ok(FromNewPassword::Expired(Expired));
        }
        if let Err(refusal) = sspr.policy.password_rules.check(&new, &confirm, &user) {
            return Err(self.refuse_password(sspr, refusal));
        }
        drop(confirm);
        let current = match sspr.directory.find_user(&user).await {
            Ok(Some(record)) => record.password_hash,
            Ok(None) => {
                let error = Error::Directory(DirectoryError::NoSuchUser);
                return Err(self.refuse(Refusal::Unavailable(error)));
            }
            Err(error) => return Err(self.refuse(Refusal::Unavailable(error.into()))),
        };
        let params = sspr.policy.hash_params;
        let hashed = sspr
            .offload
            .run(move || hash_unless_current(new, current, &params))
            .await;
        let hash = match hashed {
            Ok(Ok(Hashed::New(hash))) => hash,
            Ok(Ok(Hashed::SameAsCurrent)) => {
                return Err(self.refuse_password(sspr, PasswordRefusal::SameAsCurrent));
            }
            Ok(Err(error)) => return Err(self.refuse(Refusal::Unavailable(error.into()))),
            Err(error) => return Err(self.refuse(Refusal::Unavailable(error.into()))),
        };
        let stored = NewPasswordHash {
            hash,
            must_change: false,
            expires: None,
        };
        if let Err(error) = sspr.directory.set_password(&user, stored).await {
            return Err(self.refuse(Refusal::Unavailable(error.into())));
        }
        sspr.emit(
            &self.flow,
            Some(&user),
            Activity::ResetPasswordSelfService,
            Detail::PasswordChanged,
        );
        // The password changed: what follows cannot undo it, so failures are reported as
        // events, not refusals.
        let _ = sspr.counters.clear(&user).await;
        sspr.notify_password_changed(Some(self.flow.id), &user, &self.step.choose.methods)
            .await;
        Ok(FromNewPassword::Completed(Completed {
            methods_used: self.step.methods_used(),
            user,
            at: sspr.now(),
            end_other_sessions: true,
        }))
    }

    fn refuse_password<D, S, K, O>(
        self,
        sspr: &Sspr<D, S, K, O>,
        refusal: PasswordRefusal,
    ) -> Refused<NewPassword> {
        sspr.emit(
            &self.flow,
            Some(&self.step.choose.user),
            Activity::FlowActivityProgress,
            Detail::PasswordRefused {
                rule: refusal.rule(),
            },
        );
        self.refuse(Refusal::Password(refusal))
    }
}

/// The blocking part: compare with the current hash, then hash.
fn hash_unless_current(
    new: Password,
    current: Option<PasswordHash>,
    params: &HashParams,
) -> Result<Hashed, crate::password::HashError> {
    if current.is_some_and(|hash| verify_password(&new, &hash)) {
        return Ok(Hashed::SameAsCurrent);
    }
    hash_password_with_os_rng(&new, params).map(Hashed::New)
}
