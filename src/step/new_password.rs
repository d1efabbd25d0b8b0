//! The new password, typed twice: set through the one password change, with rule
//! refusals that keep the step.

use crate::change::{self, Change, NotChanged, ProvedInFlow};
use crate::directory::DirectoryError;
use crate::ending::{Completed, Expired};
use crate::error::Error;
use crate::event::{Activity, Detail};
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
    /// The flow's lifetime ran out.
    Expired(Expired),
}

impl From<FromNewPassword> for Next {
    fn from(from: FromNewPassword) -> Self {
        match from {
            FromNewPassword::Completed(ending) => ending.into(),
            FromNewPassword::Expired(ending) => ending.into(),
        }
    }
}

impl Wizard<NewPassword> {
    /// Sets the new password. The rules are checked first (refusals keep the step); then,
    /// on the host's offload pool, the password is compared with the current hash and
    /// hashed with Argon2id; the hash is stored, the person is told on every registered
    /// method, and the receipt says to end the user's other sessions.
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
        let record = match sspr.directory.find_user(&user).await {
            Ok(Some(record)) => record,
            Ok(None) => {
                let error = Error::Directory(DirectoryError::NoSuchUser);
                return Err(self.refuse(Refusal::Unavailable(error)));
            }
            Err(error) => return Err(self.refuse(Refusal::Unavailable(error.into()))),
        };
        let change = Change {
            user,
            flow: Some(self.flow.id),
            activity: Activity::ResetPasswordSelfService,
            proved_by: self.step.proved_by.clone(),
            notify: record.methods,
            current: record.password_hash,
            proof: ProvedInFlow,
        };
        match change::set_password(sspr, change, new, confirm).await {
            Ok(completed) => Ok(FromNewPassword::Completed(completed)),
            Err(NotChanged::Rule(refusal)) => Err(self.refuse_password(sspr, refusal)),
            Err(NotChanged::Unavailable(error)) => Err(self.refuse(Refusal::Unavailable(error))),
            Err(NotChanged::Proof(never)) => match never {},
        }
    }

    fn refuse_password(self, sspr: &Sspr, refusal: PasswordRefusal) -> Refused<NewPassword> {
        sspr.emit(
            &self.flow,
            Some(&self.step.user),
            Activity::FlowActivityProgress,
            Detail::PasswordRefused {
                rule: refusal.rule(),
            },
        );
        self.refuse(Refusal::Password(refusal))
    }
}
