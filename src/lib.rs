//! # sspr — self-service password reset
//!
//! A password reset wizard gated by an image or audio CAPTCHA, modelled as a typed state
//! machine that a host application (web app, CLI, desktop app) drives one step at a time:
//! "Can't access your account?" → work or school account → user ID and the characters of
//! a picture or audio clip → a one-time code to a registered contact method → a new
//! password.
//!
//! Each step is a type ([`step`]); a transition consumes the [`Wizard`] and returns the
//! next step, an ending, or the same step back with the [`Refusal`] reason ([`Refused`]).
//! Every transition's result converts into one host-facing [`Next`]: a step ([`AnyStep`])
//! or an [`Ending`]. The host's parts ([`host`]: user directory, code delivery,
//! per-user limits, hashing pool, clock; audit [`event`]s) are traits with in-memory
//! implementations, used here for the whole wizard:
//!
#![cfg_attr(feature = "danger-reveal-secrets", doc = "```")]
#![cfg_attr(not(feature = "danger-reveal-secrets"), doc = "```ignore")]
//! use sspr::host::{ContactMethod, InMemoryDirectory, Outbox, Role, UserRecord};
//! use std::time::Duration;
//!
//! use sspr::step::{AccountType, FromIdentify, FromNewPassword, FromSelectAccount, FromVerify};
//! use sspr::{Password, Sspr, UserId};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // The host's parts: a directory with one account that may reset, and an outbox.
//!     let directory = InMemoryDirectory::new();
//!     let phone = ContactMethod::sms("+31 6 12345678");
//!     directory.insert(UserRecord {
//!         id: UserId::parse("jan.jansen@contoso.nl")?,
//!         tenant: "contoso".into(),
//!         roles: vec![Role::User],
//!         self_service_reset: true,
//!         methods: vec![phone.clone()],
//!         password_hash: None,
//!         methods_confirmed: None,
//!     });
//!     let outbox = Outbox::new();
//!     let sspr = Sspr::builder(directory, outbox.clone()).build()?;
//!
//!     // "Can't access your account?" → a work or school account.
//!     let wizard = sspr.start()?;
//!     let FromSelectAccount::Identify(identify) = wizard.choose(&sspr, AccountType::WorkOrSchool)?
//!     else { return Err("expected the user ID page".into()) };
//!
//!     // Show the picture (PNG bytes); the person types its characters. This example reads
//!     // them through the demo door (feature `danger-reveal-secrets`, never in production).
//!     let picture = sspr.render(identify.step().challenge())?;
//!     assert_eq!(picture.content_type(), "image/png");
//!     let typed = identify.step().challenge().danger_reveal_answer();
//!     // Whatever the user ID, the next page says "if this account can reset, a code was
//!     // sent": the page does not tell who has an account (the conceal policy).
//!     let FromIdentify::Verify(verify) =
//!         identify.submit(&sspr, "Jan.Jansen@contoso.nl", &typed).await?
//!     else { return Err("expected the code page".into()) };
//!
//!     // The person reads the code on their phone. The delivery was handed off (to the
//!     // service's delivery thread), so the code arrives a moment after the page.
//!     let code = outbox
//!         .wait_for_code_to(&phone, Duration::from_secs(5))
//!         .ok_or("no code was sent")?;
//!     let FromVerify::NewPassword(new_password) = verify.submit(&sspr, &code).await?
//!     else { return Err("expected the new password page".into()) };
//!
//!     // A weak password is refused and the step stays; a strong one completes the reset.
//!     let weak = new_password
//!         .submit(&sspr, Password::new("password1"), Password::new("password1"))
//!         .await
//!         .expect_err("too weak");
//!     println!("refused: {}", weak.reason);
//!     let new = "plum kettle orbit 71";
//!     let FromNewPassword::Completed(receipt) =
//!         weak.wizard.submit(&sspr, Password::new(new), Password::new(new)).await?
//!     else { return Err("expected the receipt".into()) };
//!     println!("the password of {} changed; end their other sessions", receipt.user);
//!     Ok(())
//! }
//! ```
//!
//! The example needs the `tokio` crate (with `macros` and `rt-multi-thread`) and, for the
//! demo door, `sspr` with the `danger-reveal-secrets` feature in `[dev-dependencies]`.
//!
//! A web host keeps the wizard between requests in a [`store::Flows`]: resume the flow,
//! run one transition, save the [`Next`]. Where the account is unknown or its admin did
//! not enable self-service reset, the wizard ends with [`AskAdmin`]; too many wrong
//! answers or codes end with [`Locked`]; a flow past its lifetime with [`Expired`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// On docs.rs (`--cfg docsrs`, see Cargo.toml), each item behind a feature names it.
#![cfg_attr(docsrs, feature(doc_cfg))]
// A refusal gives the whole step back (`Refused { wizard, reason }`) by design: the host
// keeps the wizard it had, without an allocation per refusal.
#![allow(clippy::result_large_err)]
// No panics in the library: every input gets a typed error. Tests may unwrap.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod change;
mod clock;
mod code;
mod contact;
mod delivery;
mod directory;
mod dispatch;
mod eligibility;
mod ending;
mod error;
mod flow;
mod keys;
mod limits;
mod next;
mod offload;
mod parts;
mod sender;
mod service;
mod snapshot;
mod state;
mod user_id;
mod wizard;

pub mod admin;
pub mod admin_request;
pub mod challenge;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod event;
pub mod grant;
pub mod host;
pub mod locale;
pub mod message;
pub mod password;
pub mod policy;
pub mod registration;
pub mod roles;
pub mod step;
pub mod store;
pub mod support;
#[cfg(feature = "test-support")]
pub mod testing;

pub use ending::{AskAdmin, Completed, Ending, Expired, LockReason, Locked, PersonalAccount};
pub use error::Error;
pub use flow::{FlowId, FlowIdError};
pub use next::{AnyStep, Next};
pub use password::Password;
pub use policy::Policy;
pub use service::{Sspr, SsprBuilder};
pub use user_id::{MAX_TYPED_USER_ID_BYTES, MAX_USER_ID_BYTES, UserId, UserIdError};
pub use wizard::{Refusal, Refused, Stay, Step, Wizard};
