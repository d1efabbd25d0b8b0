//! The steps of the wizard, one type each, with their transitions.
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

pub use choose_method::{ChooseMethod, MethodChoice, ToVerify};
pub use identify::{FromIdentify, Identify};
pub use new_password::{FromNewPassword, NewPassword};
pub use select_account::{AccountType, FromSelectAccount, SelectAccount};
pub use verify::{FromVerify, Verify};
