//! The steps of the wizard: each step's state, and the precise result of each of its
//! transitions (every one converts into [`Next`]).
//!
//! ```text
//! SelectAccount ─personal─► PersonalAccount
//!      │ work or school
//!      ▼
//!   Identify ──► AskAdmin (unknown or not enabled) │ Locked │ Expired
//!      │ answer right
//!      ▼
//! ChooseMethod ─► Verify ─► (second method) ─► NewPassword ─► Completed
//! ```

mod choose_method;
mod identify;
mod new_password;
mod select_account;
mod verify;

pub use crate::state::{
    ChooseMethod, Identify, MethodChoice, NEW_PASSWORD_ATTEMPTS, NewPassword, SelectAccount, Verify,
};
pub use identify::FromIdentify;
pub use new_password::FromNewPassword;
pub use select_account::{AccountType, FromSelectAccount};
pub use verify::FromVerify;

use crate::ending::{Expired, Locked};
use crate::next::Next;
use crate::wizard::Wizard;

/// Where sending a code leads.
#[derive(Debug)]
pub enum ToVerify {
    /// The code was sent: type it.
    Verify(Wizard<Verify>),
    /// The user ID passed its limit of codes and is blocked.
    Locked(Locked),
    /// The flow's lifetime ran out.
    Expired(Expired),
}

impl From<ToVerify> for Next {
    fn from(to: ToVerify) -> Self {
        match to {
            ToVerify::Verify(wizard) => wizard.into(),
            ToVerify::Locked(ending) => ending.into(),
            ToVerify::Expired(ending) => ending.into(),
        }
    }
}
