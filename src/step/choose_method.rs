//! Choosing where the one-time code goes.

use crate::delivery;
use crate::ending::Expired;
use crate::service::Sspr;
use crate::state::ChooseMethod;
use crate::wizard::{Refusal, Refused, Wizard};

use super::ToVerify;

impl Wizard<ChooseMethod> {
    /// Sends a code to the method at `index` (of [`ChooseMethod::methods`]). Refused for
    /// an unknown or used method, or when delivery fails (nothing moved: try again).
    pub async fn choose(
        self,
        sspr: &Sspr,
        index: usize,
    ) -> Result<ToVerify, Refused<ChooseMethod>> {
        let account = &self.step.account;
        if sspr.expired(&self.flow, Some(&account.user)) {
            return Ok(ToVerify::Expired(Expired));
        }
        let index = match u8::try_from(index) {
            Ok(i) if usize::from(i) < account.methods.len() && !account.is_used(index) => i,
            _ => return Err(self.refuse(Refusal::UnknownMethod)),
        };
        match delivery::send_to(sspr, &self.flow, account, index).await {
            Ok(Ok(issue)) => {
                let (flow, step) = self.into_parts();
                let verify = delivery::verify_after(sspr, step.account, index, issue, false);
                Ok(ToVerify::Verify(Wizard { flow, step: verify }))
            }
            Ok(Err(locked)) => Ok(ToVerify::Locked(locked)),
            Err(error) => Err(self.refuse(Refusal::Unavailable(error))),
        }
    }
}
