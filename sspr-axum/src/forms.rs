//! The forms the pages post, as the router reads them. Every form carries the CSRF
//! token (`csrf`); every form of a step also carries the step nonce (`nonce`). Text
//! fields that are missing count as empty (the wizard refuses them with a reason);
//! anything that is not one of these forms is refused as a whole, without echoing it.
//!
//! None of them is `Debug`: they hold what the person typed (answers, codes, passwords).

use serde::Deserialize;

/// Whether the person chose a work or school account or a personal one.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum AccountChoice {
    Work,
    Personal,
}

impl From<AccountChoice> for sspr::step::AccountType {
    fn from(choice: AccountChoice) -> Self {
        match choice {
            AccountChoice::Work => sspr::step::AccountType::WorkOrSchool,
            AccountChoice::Personal => sspr::step::AccountType::Personal,
        }
    }
}

/// The start form: the account type, before any flow.
#[derive(Deserialize)]
pub(crate) struct StartForm {
    #[serde(default)]
    pub(crate) csrf: String,
    pub(crate) account: AccountChoice,
}

/// What every form of a step has.
pub(crate) trait StepForm {
    fn csrf(&self) -> &str;
}

macro_rules! step_form {
    ($($(#[$doc:meta])* $name:ident { $($field:ident : $ty:ty),* $(,)? })*) => {$(
        $(#[$doc])*
        #[derive(Deserialize)]
        pub(crate) struct $name {
            // Missing counts as empty: refused as a wrong token (403), like a wrong one.
            #[serde(default)]
            pub(crate) csrf: String,
            pub(crate) nonce: u64,
            $(#[serde(default)] pub(crate) $field: $ty,)*
        }

        impl StepForm for $name {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        }
    )*};
}

step_form! {
    /// The account type inside a flow (after a refusal of the first choice).
    AccountForm { account: Option<AccountChoice> }
    /// The user ID and the challenge's characters.
    IdentifyForm { user_id: String, answer: String }
    /// A button with nothing but the step: switch or renew the challenge, send a new
    /// code, choose another method.
    ActionForm {}
    /// The contact method's index.
    MethodForm { method: Option<usize> }
    /// The code.
    CodeForm { code: String }
    /// The new password, twice.
    PasswordForm { new_password: String, confirm: String }
}
