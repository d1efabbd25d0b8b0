//! The new password, typed twice. The rules come first (a refusal keeps the step, up to
//! a bound per flow); then the account is read again and must still be allowed to reset
//! by itself, with the methods that proved it and no block; then the one password change
//! sets it.

use crate::change::{self, Change, NotChanged};
use crate::eligibility;
use crate::ending::{AskAdmin, Completed, Expired, LockReason, Locked};
use crate::event::{Actor, Detail};
use crate::next::Next;
use crate::password::{Password, PasswordRefusal};
use crate::service::Sspr;
use crate::state::NewPassword;
use crate::wizard::{Refusal, Refused, Wizard};

/// Where a new password leads.
#[derive(Debug)]
pub enum FromNewPassword {
    /// The password was changed: the receipt.
    Completed(Completed),
    /// The account may no longer reset by itself (its admin turned self-service off, or
    /// the methods that proved it are no longer registered): ask your admin.
    AskAdmin(AskAdmin),
    /// The user ID was blocked meanwhile, or too many new passwords were refused.
    Locked(Locked),
    /// The flow's lifetime ran out.
    Expired(Expired),
}

impl From<FromNewPassword> for Next {
    fn from(from: FromNewPassword) -> Self {
        match from {
            FromNewPassword::Completed(ending) => ending.into(),
            FromNewPassword::AskAdmin(ending) => ending.into(),
            FromNewPassword::Locked(ending) => ending.into(),
            FromNewPassword::Expired(ending) => ending.into(),
        }
    }
}

impl Wizard<NewPassword> {
    /// Sets the new password. The rules are checked first (a refusal keeps the step, at
    /// most [`NewPassword::attempts_left`] times). Then the directory record is read
    /// again: the account must still be enabled for self-service reset, still hold the
    /// methods that proved it and as many as its roles need, and not be blocked. Then, on
    /// the host's offload pool, the password is compared with the current one and hashed
    /// with Argon2id; the hash is stored, the person is told on every registered method,
    /// and the receipt says to end the user's other sessions.
    pub async fn submit(
        self,
        sspr: &Sspr,
        new: Password,
        confirm: Password,
    ) -> Result<FromNewPassword, Refused<NewPassword>> {
        let user = self.step.user.clone();
        if sspr.expired(&self.flow, Some(&user)) {
            return Ok(FromNewPassword::Expired(Expired));
        }
        if let Err(refusal) = sspr.policy.password_rules.check(&new, &confirm, &user) {
            return self.refuse_password(sspr, refusal);
        }
        drop(confirm);
        let now = sspr.now();
        let record = match sspr.directory.find_user(&user).await {
            Ok(record) => record,
            Err(error) => return Err(self.refuse(Refusal::Unavailable(error.into()))),
        };
        let required = sspr.policy.methods_required;
        let still_proved = record.as_ref().and_then(|record| {
            let methods = eligibility::eligible_methods(record, &sspr.policy)?;
            let proved = self.step.proved_by.iter().all(|m| methods.contains(m))
                && self.step.proved_by.len()
                    >= usize::from(eligibility::required_methods(record, required));
            proved.then_some((
                methods,
                record.password_hash.clone(),
                record.tenant.clone(),
                record.is_admin(),
            ))
        });
        let Some((methods, current, tenant, admin)) = still_proved else {
            sspr.emit(&self.flow, Some(&user), Detail::NotEnabledForSelfService);
            return Ok(FromNewPassword::AskAdmin(AskAdmin));
        };
        match sspr.counters.blocked_until(&user, now).await {
            Ok(None) => {}
            Ok(Some(until)) => {
                let locked = sspr.lock_user(Some(self.flow.id), &user, until);
                return Ok(FromNewPassword::Locked(locked));
            }
            Err(error) => return Err(self.refuse(Refusal::Unavailable(error.into()))),
        }
        let change = Change {
            user,
            flow: Some(self.flow.id),
            actor: Actor::Person,
            tenant: Some(tenant),
            admin,
            detail: Detail::PasswordChanged,
            proved_by: self.step.proved_by.clone(),
            notify: methods,
            current,
        };
        match change::set_password(sspr, change, new).await {
            Ok(completed) => Ok(FromNewPassword::Completed(completed)),
            Err(NotChanged::SameAsCurrent) => {
                self.refuse_password(sspr, PasswordRefusal::SameAsCurrent)
            }
            Err(NotChanged::Unavailable(error)) => Err(self.refuse(Refusal::Unavailable(error))),
        }
    }

    /// A refused password costs one of the step's attempts; the last one locks the flow.
    fn refuse_password(
        mut self,
        sspr: &Sspr,
        refusal: PasswordRefusal,
    ) -> Result<FromNewPassword, Refused<NewPassword>> {
        sspr.emit(
            &self.flow,
            Some(&self.step.user),
            Detail::PasswordRefused {
                rule: refusal.rule(),
            },
        );
        self.step.attempts_left = self.step.attempts_left.saturating_sub(1);
        if self.step.attempts_left == 0 {
            let reason = LockReason::PasswordAttempts;
            sspr.emit(&self.flow, Some(&self.step.user), Detail::Locked { reason });
            return Ok(FromNewPassword::Locked(Locked {
                reason,
                until: None,
            }));
        }
        Err(self.refuse(Refusal::Password(refusal)))
    }
}
