//! # sspr — self-service password reset
//!
//! A password reset wizard gated by an image or audio CAPTCHA, modelled as a typed state
//! machine that a host application (web app, CLI, desktop app) drives one step at a time:
//! "Can't access your account?" → work or school account → user ID and the characters of
//! a picture or audio clip → a one-time code to a registered contact method → a new
//! password.
//!
//! Each step is a type ([`step`]); a transition consumes the [`Wizard`] and returns the
//! next step, an outcome, or the same step back with the [`Refusal`] reason. The host's
//! parts (user [`directory`], code [`sender`], per-user [`limits`], [`clock`], audit
//! [`event`]s) are traits with in-memory implementations, used here:
//!
//! ```
//! use sspr::challenge::ChallengeKind;
//! use sspr::contact::ContactMethod;
//! use sspr::directory::{InMemoryDirectory, Role, UserRecord};
//! use sspr::password::Password;
//! use sspr::sender::Outbox;
//! use sspr::step::{AccountType, FromIdentify, FromNewPassword, FromSelectAccount, FromVerify, ToVerify};
//! use sspr::user_id::UserId;
//! use sspr::Sspr;
//!
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! // The host's parts: a directory with one account that may reset, and an outbox.
//! let directory = InMemoryDirectory::new();
//! let phone = ContactMethod::sms("+31 6 12345678");
//! directory.insert(UserRecord {
//!     id: UserId::parse("jan.jansen@contoso.nl")?,
//!     tenant: "contoso".into(),
//!     roles: vec![Role::User],
//!     self_service_reset: true,
//!     methods: vec![phone.clone()],
//!     password_hash: None,
//! });
//! let outbox = Outbox::new();
//! let sspr = Sspr::builder(directory, outbox.clone()).build()?;
//!
//! // "Can't access your account?" → work or school account.
//! let FromSelectAccount::Identify(identify) =
//!     sspr.start()?.choose(&sspr, AccountType::WorkOrSchool).map_err(|r| r.reason)?
//! else { unreachable!() };
//!
//! // Show the picture (PNG bytes) and read what the person typed.
//! let picture = sspr.render(&identify)?;
//! assert_eq!(picture.content_type(), "image/png");
//! # let typed = identify.step().challenge().danger_reveal_answer(); // demo door
//! let FromIdentify::ChooseMethod(choose) = identify
//!     .submit(&sspr, "Jan.Jansen@contoso.nl", &typed).await.map_err(|r| r.reason)?
//! else { unreachable!() };
//!
//! // Masked methods: "+31 •• ••• ••78". Send the code to the first.
//! assert_eq!(choose.step().methods()[0].contact.as_str(), "+31 •• ••• ••78");
//! let ToVerify::Verify(verify) = choose.choose(&sspr, 0).await.map_err(|r| r.reason)?
//! else { unreachable!() };
//!
//! // The person reads the code from their phone.
//! let code = outbox.last_code_to(&phone).expect("a code was sent");
//! let FromVerify::NewPassword(new_password) =
//!     verify.submit(&sspr, &code).await.map_err(|r| r.reason)?
//! else { unreachable!() };
//!
//! // A weak password is refused and the step stays; a strong one completes the reset.
//! let refused = new_password
//!     .submit(&sspr, Password::new("password1"), Password::new("password1")).await
//!     .expect_err("too weak");
//! println!("refused: {}", refused.reason);
//! let new = "plum kettle orbit 71";
//! let FromNewPassword::Completed(receipt) = refused.wizard
//!     .submit(&sspr, Password::new(new), Password::new(new)).await.map_err(|r| r.reason)?
//! else { unreachable!() };
//! assert!(receipt.end_other_sessions);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Where the account is unknown or its admin did not enable self-service reset, the
//! wizard ends with [`AskAdmin`](wizard::AskAdmin); too many wrong answers or codes end
//! with [`Locked`](wizard::Locked); a flow past its lifetime with
//! [`Expired`](wizard::Expired).
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

pub mod admin;
pub mod challenge;
pub mod clock;
pub mod code;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod contact;
pub mod directory;
pub mod error;
pub mod event;
pub mod flow;
pub mod limits;
pub mod offload;
pub mod password;
pub mod policy;
pub mod sender;
pub mod service;
pub mod snapshot;
pub mod step;
pub mod store;
pub mod support;
pub mod user_id;
pub mod wizard;

pub use error::Error;
pub use service::{Sspr, SsprBuilder};
pub use wizard::{Refusal, Refused, Step, Wizard};
