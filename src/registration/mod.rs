//! Registration: the account holder adds, replaces or removes a contact method, or
//! confirms the ones they have, and a method is only ever stored after a code sent to it
//! was entered.
//!
//! A method must be registered before it can receive reset codes: the wizard only sends
//! to the directory's methods, and this module is the only way the crate changes them
//! ([`Directory::set_methods`](crate::host::Directory::set_methods)).
//!
//! 1. [`Sspr::begin_registration`] takes the user ID, the account's password and a
//!    [`MethodChange`]. The password is checked on the offload pool (an unknown user ID
//!    costs the same Argon2id run and gets the same answer); at most
//!    [`SIGN_INS_PER_HOUR`] tries an hour per user ID, so the page cannot be used to guess
//!    passwords, and a wrong one never blocks the account's self-service reset.
//! 2. It sends a code to a method the account has (one the change keeps, or else the
//!    one it changes): whoever knows only the password can neither put their own phone
//!    on the account nor make the service text a number of their choosing. An account
//!    without methods skips this round.
//! 3. [`PendingRegistration::confirm`] checks the code. When it proves the holder and the
//!    change has a new method, that method gets its code
//!    ([`Confirmed::NewCodeSent`]), and `confirm` checks that one next. The codes follow
//!    the wizard's code rules (the policy's digits, lifetime and attempts, at most the
//!    policy's sends per user ID and window, stored only as keyed digests bound to the
//!    registration and to the round), on counters of their own: registering never uses
//!    up what a reset may send, nor blocks it. A wrong code costs one of the round's
//!    attempts; every check, right or wrong, counts against the user ID
//!    ([`CODE_CHECKS_PER_DAY`]), so a registration kept and replayed gets no more
//!    guesses. The last right code stores the change only if the account's methods are
//!    still those it was planned on (a digest of them rides in the registration, and
//!    [`Directory::set_methods`](crate::host::Directory::set_methods) compares and sets),
//!    with the time they were confirmed ([`Confirmed::Registered`]); then an audit event,
//!    and the account holder is told on every method, old and new
//!    ([`Notice::MethodsChanged`](crate::host::Notice)).
//!
//! Between two requests a web host keeps the pending registration as sealed text
//! ([`PendingRegistration::seal`]): encrypted and authenticated under the host's
//! [`Keys`](crate::host::Keys), so the page holds neither the address nor the codes'
//! digests in clear, nobody without the key can make one, and a key retired before the
//! registration began does not open it.
//!
//! "Re-confirm your methods after N days" is the policy's
//! [`reconfirm_methods_after`](crate::Policy::reconfirm_methods_after);
//! [`Sspr::registration_status`] tells a host, at sign-in, whether an account must
//! register (fewer methods than it needs to reset) or confirm its methods again.

mod confirm;
mod plan;
mod sealed;

use std::fmt;

use time::{Duration, OffsetDateTime};

use crate::code::{CodeDigest, OneTimeCode};
use crate::contact::{ContactMethod, MaskedContact};
use crate::directory::UserRecord;
use crate::error::Error;
use crate::event::{Actor, Detail};
use crate::flow::FlowId;
use crate::limits::Counter;
use crate::message::{Arg, Message};
use crate::parts::run_offloaded;
use crate::password::{Password, hash_password_with_os_rng, verify_password};
use crate::service::Sspr;
use crate::user_id::{UserId, UserIdError};

pub use plan::address_is_valid;
use plan::{Plan, methods_digest, plan, proof_method};

/// The most registrations one user ID may begin in an hour (each checks a password).
pub const SIGN_INS_PER_HOUR: u32 = 10;
/// The most times one user ID's registration codes may be checked in a day, right or
/// wrong, across registrations (a replayed sealed registration gets no more): about
/// seven thousand guesses a year at a six-digit code, each of which sends the holder a
/// code they did not ask for.
pub const CODE_CHECKS_PER_DAY: u32 = 20;
/// The most methods an account may register.
pub const MAX_METHODS: usize = crate::snapshot::MAX_METHODS;
/// The longest email address or phone number that can be registered, in bytes.
pub const MAX_ADDRESS_BYTES: usize = crate::snapshot::MAX_ADDRESS_BYTES;
/// The longest sealed registration [`PendingRegistration::open`] reads, in characters.
pub const MAX_SEALED_CHARS: usize = 2048;

/// What the account holder asks to change. Methods are named by their place in the
/// order [`RegistrationStatus::methods`] lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MethodChange {
    /// Add a method.
    Add(ContactMethod),
    /// Replace the method at `old` with `new`.
    Replace {
        /// The place of the method to replace.
        old: usize,
        /// The method that takes its place.
        new: ContactMethod,
    },
    /// Remove the method at this place.
    Remove(usize),
    /// Confirm that the methods are still right (the policy's re-confirmation): a code
    /// to the first method proves it still reaches its owner.
    Confirm,
}

/// Why a registration did not begin or was not confirmed. Nothing changed, except that
/// a wrong code counted against the user ID.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistrationRefusal {
    /// The user ID does not parse.
    #[error(transparent)]
    UserId(UserIdError),
    /// The user ID or the password is not right (the two are not told apart).
    #[error("the user ID or the password is not right")]
    WrongPassword,
    /// The account has a temporary password: change it first.
    #[error("change your temporary password first")]
    ChangePasswordFirst,
    /// Too many registrations for this user ID this hour: wait.
    #[error("too many tries for this account: wait an hour")]
    TooManySignIns,
    /// The new method's address is not an email address or a phone number.
    #[error("this is not an email address or phone number that can receive a code")]
    InvalidAddress,
    /// The new method is registered already.
    #[error("this method is registered already")]
    AlreadyRegistered,
    /// The account has as many methods as it may.
    #[error("an account has at most {max} methods: remove one first")]
    TooManyMethods {
        /// The most methods an account may have.
        max: usize,
    },
    /// There is no method at the place given (or nothing to confirm).
    #[error("there is no such method")]
    NoSuchMethod,
    /// The typed code is not the policy's number of digits.
    #[error("a code has {digits} digits")]
    CodeFormat {
        /// The policy's digits per code.
        digits: u8,
    },
    /// A typed code is wrong.
    #[error("the code is not right; {attempts_left} attempts left")]
    WrongCode {
        /// Attempts left for this registration.
        attempts_left: u8,
    },
    /// Too many wrong codes for this registration: begin again.
    #[error("too many wrong codes: begin again")]
    TooManyWrongCodes,
    /// The codes expired: begin again.
    #[error("the codes expired: begin again")]
    CodeExpired,
    /// Too many codes were sent to this account this hour: wait.
    #[error("too many codes were sent for this account: wait an hour")]
    TooManyCodes,
    /// This account's registration codes were checked too often today: wait, then begin
    /// again.
    #[error("too many codes were typed for this account today: try again tomorrow")]
    TooManyChecks,
    /// The user ID is blocked after too many wrong codes, until this time.
    #[error("too many wrong codes for this account: blocked for now")]
    Blocked {
        /// Until when.
        until: OffsetDateTime,
    },
    /// The methods changed since the codes were sent: begin again.
    #[error("your methods changed in the meantime: begin again")]
    MethodsChanged,
    /// A code could not be delivered: check the address, or try again.
    #[error("the code could not be delivered")]
    DeliveryFailed,
    /// A sealed registration that does not open: changed, or not this service's.
    #[error("this registration is not valid: begin again")]
    NotValid,
    /// A host part failed; nothing changed: try again.
    #[error("the service is unavailable; try again")]
    Unavailable(#[source] Error),
}

impl RegistrationRefusal {
    /// Whether the registration is over: begin again rather than type another code.
    pub fn ends_registration(&self) -> bool {
        matches!(
            self,
            RegistrationRefusal::TooManyWrongCodes
                | RegistrationRefusal::TooManyChecks
                | RegistrationRefusal::CodeExpired
                | RegistrationRefusal::Blocked { .. }
                | RegistrationRefusal::MethodsChanged
                | RegistrationRefusal::NotValid
        )
    }
}

impl Message for RegistrationRefusal {
    fn message_id(&self) -> &'static str {
        match self {
            RegistrationRefusal::UserId(e) => e.message_id(),
            RegistrationRefusal::WrongPassword => "registration-wrong-password",
            RegistrationRefusal::ChangePasswordFirst => "registration-change-password-first",
            RegistrationRefusal::TooManySignIns => "registration-too-many-sign-ins",
            RegistrationRefusal::InvalidAddress => "registration-invalid-address",
            RegistrationRefusal::AlreadyRegistered => "registration-already-registered",
            RegistrationRefusal::TooManyMethods { .. } => "registration-too-many-methods",
            RegistrationRefusal::NoSuchMethod => "registration-no-such-method",
            RegistrationRefusal::CodeFormat { .. } => "registration-code-format",
            RegistrationRefusal::WrongCode { .. } => "registration-wrong-code",
            RegistrationRefusal::TooManyWrongCodes => "registration-too-many-wrong-codes",
            RegistrationRefusal::CodeExpired => "registration-code-expired",
            RegistrationRefusal::TooManyCodes => "registration-too-many-codes",
            RegistrationRefusal::TooManyChecks => "registration-too-many-checks",
            RegistrationRefusal::Blocked { .. } => "registration-blocked",
            RegistrationRefusal::MethodsChanged => "registration-methods-changed",
            RegistrationRefusal::DeliveryFailed => "registration-delivery-failed",
            RegistrationRefusal::NotValid => "registration-not-valid",
            RegistrationRefusal::Unavailable(e) => e.message_id(),
        }
    }

    fn message_args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            RegistrationRefusal::UserId(e) => e.message_args(),
            RegistrationRefusal::Unavailable(e) => e.message_args(),
            RegistrationRefusal::TooManyMethods { max } => {
                vec![("max", Arg::Number(i64::try_from(*max).unwrap_or(i64::MAX)))]
            }
            RegistrationRefusal::CodeFormat { digits } => {
                vec![("digits", Arg::Number(i64::from(*digits)))]
            }
            RegistrationRefusal::WrongCode { attempts_left } => {
                vec![("attempts_left", Arg::from(*attempts_left))]
            }
            RegistrationRefusal::Blocked { until } => vec![("until", Arg::Time(*until))],
            _ => Vec::new(),
        }
    }
}

/// A refused confirmation: the reason, and the registration to type the codes again
/// unless the refusal [ends it](RegistrationRefusal::ends_registration).
#[derive(Debug)]
pub struct RegistrationRefused {
    /// Why.
    pub reason: RegistrationRefusal,
    pending: Option<PendingRegistration>,
}

impl RegistrationRefused {
    /// The registration, still pending, when the person may type the codes again.
    pub fn into_pending(self) -> Option<PendingRegistration> {
        self.pending
    }

    /// The reason and the registration still pending, apart.
    pub fn into_parts(self) -> (RegistrationRefusal, Option<PendingRegistration>) {
        (self.reason, self.pending)
    }
}

/// A registration waiting for a code: type it with [`PendingRegistration::confirm`].
///
/// It holds addresses and a code's digest: no `Clone`, `Debug` shows neither, and a web
/// host keeps it only sealed ([`PendingRegistration::seal`]).
pub struct PendingRegistration {
    id: FlowId,
    user: UserId,
    plan: Plan,
    /// The code it waits for.
    awaiting: Awaiting,
    /// A digest of the account's methods when the codes were sent: the change applies
    /// only to those.
    methods_digest: [u8; 32],
    issued: OffsetDateTime,
    deadline: OffsetDateTime,
    attempts_left: u8,
}

impl fmt::Debug for PendingRegistration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingRegistration")
            .field("user", &"[REDACTED]")
            .field("deadline", &self.deadline)
            .field("attempts_left", &self.attempts_left)
            .finish_non_exhaustive()
    }
}

impl PendingRegistration {
    /// The account.
    pub fn user(&self) -> &UserId {
        &self.user
    }

    /// The new method a code was sent to (to add it, or to replace another), masked.
    pub fn new_method(&self) -> Option<MaskedContact> {
        match &self.plan {
            Plan::Add { new } | Plan::Replace { new, .. } => new.contact().map(|m| m.masked()),
            Plan::Remove { .. } | Plan::Confirm { .. } => None,
        }
    }

    /// The method whose code the registration waits for now: one the account has (the
    /// first round), or the new one (the second round, or the only one of an account
    /// without methods).
    pub fn code_for(&self) -> CodeFor {
        let to = self.awaiting.to.masked();
        match self.awaiting.issue {
            Issue::Current => CodeFor::Registered(to),
            Issue::New => CodeFor::New(to),
        }
    }

    /// When the code stops working.
    pub fn deadline(&self) -> OffsetDateTime {
        self.deadline
    }

    /// Wrong codes left before the registration ends.
    pub fn attempts_left(&self) -> u8 {
        self.attempts_left
    }
}

/// Whose code a registration waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeFor {
    /// A method the account has: it proves the holder.
    Registered(MaskedContact),
    /// The new method: it proves the method reaches them.
    New(MaskedContact),
}

/// Where a right code led.
#[derive(Debug)]
pub enum Confirmed {
    /// The change is stored.
    Registered(Registered),
    /// The holder is proved; a code went to the new method: type it next.
    NewCodeSent(PendingRegistration),
}

/// A registered account's methods, masked, as a signed-in account holder may see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    /// The account.
    pub user: UserId,
    /// Its methods now, in order, masked.
    pub methods: Vec<MaskedContact>,
    /// When they were confirmed: now.
    pub confirmed: OffsetDateTime,
}

/// Whether an account must register or confirm its methods at sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Fewer methods than it needs to reset its password by itself.
    Register {
        /// Methods registered.
        have: usize,
        /// Methods needed (the policy's 1 or 2; 2 for admins).
        need: u8,
    },
    /// The methods were last confirmed longer ago than the policy's
    /// [`reconfirm_methods_after`](crate::Policy::reconfirm_methods_after) (or never).
    Reconfirm {
        /// When they were last confirmed, if ever.
        since: Option<OffsetDateTime>,
    },
}

/// What a signed-in account holder sees of their registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationStatus {
    /// The methods, in order, masked (the places [`MethodChange`] names).
    pub methods: Vec<MaskedContact>,
    /// When they were last confirmed, if ever.
    pub confirmed: Option<OffsetDateTime>,
    /// What is due, if anything.
    pub due: Option<Due>,
}

/// The methods the account needs to reset by itself: the policy's, and two for admins.
fn methods_needed(sspr: &Sspr, record: &UserRecord) -> u8 {
    if record.is_admin() {
        2
    } else {
        sspr.policy.methods_required
    }
}

impl Sspr {
    /// What a signed-in account holder sees of their registration, and what is due:
    /// call it at sign-in (the identity provider asks then). `Ok(None)` for an unknown
    /// account. The host must have signed the user in: this names their methods, masked.
    pub async fn registration_status(
        &self,
        user: &UserId,
    ) -> Result<Option<RegistrationStatus>, Error> {
        let Some(record) = self.directory.find_user(user).await? else {
            return Ok(None);
        };
        let methods = ContactMethod::distinct(record.methods.clone());
        let need = methods_needed(self, &record);
        let days = self.policy.reconfirm_methods_after;
        let due = if methods.len() < usize::from(need) {
            Some(Due::Register {
                have: methods.len(),
                need,
            })
        } else if days > 0
            && record
                .methods_confirmed
                .is_none_or(|at| at + Duration::days(i64::from(days)) <= self.now())
        {
            Some(Due::Reconfirm {
                since: record.methods_confirmed,
            })
        } else {
            None
        };
        Ok(Some(RegistrationStatus {
            methods: methods.iter().map(ContactMethod::masked).collect(),
            confirmed: record.methods_confirmed,
            due,
        }))
    }

    /// Begins a change of the account's methods: checks the password, then sends a
    /// code to a method the account has (or, for an account without methods, to the new
    /// one; see the [module](crate::registration)). Type it with
    /// [`PendingRegistration::confirm`].
    pub async fn begin_registration(
        &self,
        user_id: &str,
        password: Password,
        change: MethodChange,
    ) -> Result<PendingRegistration, RegistrationRefusal> {
        let typed = UserId::parse(user_id).map_err(RegistrationRefusal::UserId)?;
        let unavailable = |e: Error| RegistrationRefusal::Unavailable(e);
        let now = self.now();
        let (user, record) = self
            .account_of(typed)
            .await
            .map_err(|e| unavailable(e.into()))?;
        let tenant = record.as_ref().map(|r| r.tenant.clone());
        let event =
            |detail| self.record_event(Actor::User, None, Some(&user), tenant.as_deref(), detail);
        let tries = self
            .counters
            .add(&user, Counter::RegistrationSignIns, now, Duration::hours(1))
            .await
            .map_err(|e| unavailable(e.into()))?;
        if tries > SIGN_INS_PER_HOUR {
            event(Detail::RegistrationThrottled);
            return Err(RegistrationRefusal::TooManySignIns);
        }
        let hash = record.as_ref().and_then(|r| r.password_hash.clone());
        let params = self.policy.hash_params;
        let right = run_offloaded(self.offload.as_ref(), move || match hash {
            Some(hash) => Ok(verify_password(&password, &hash)),
            None => hash_password_with_os_rng(&password, &params).map(|_| false),
        })
        .await
        .map_err(|e| unavailable(e.into()))?
        .map_err(|e| unavailable(e.into()))?;
        let Some(record) = record.filter(|_| right) else {
            event(Detail::RegistrationSignInFailed);
            return Err(RegistrationRefusal::WrongPassword);
        };
        let state = self
            .directory
            .password_state(&user)
            .await
            .map_err(|e| unavailable(e.into()))?;
        if state.is_some_and(|s| s.must_change) {
            return Err(RegistrationRefusal::ChangePasswordFirst);
        }
        if let Some(until) = self
            .counters
            .blocked_until(&user, now)
            .await
            .map_err(|e| unavailable(e.into()))?
        {
            return Err(RegistrationRefusal::Blocked { until });
        }
        let methods = ContactMethod::distinct(record.methods.clone());
        let methods_digest = methods_digest(&record.methods);
        let plan = plan(&methods, change)?;
        // A method the account has proves the holder first; the new method gets its code
        // only after that (or at once, for an account without methods).
        let (issue, to) = match (proof_method(&methods, &plan), plan.new_method()) {
            (Some(current), _) => (Issue::Current, current),
            (None, Some(new)) => (Issue::New, new),
            (None, None) => return Err(RegistrationRefusal::NoSuchMethod),
        };
        let id = FlowId::generate().map_err(|e| unavailable(e.into()))?;
        let digest = self.registration_code(&id, &user, issue, &to).await?;
        Ok(PendingRegistration {
            id,
            user,
            plan,
            awaiting: Awaiting { issue, to, digest },
            methods_digest,
            issued: now,
            deadline: now + self.policy.code_lifetime,
            attempts_left: self.policy.code_attempts,
        })
    }

    /// Sends a code of the registration `id` to `method`, counted against the user ID's
    /// registration sends (given back when it does not go out): its keyed digest, bound
    /// to the registration and to which method it went to.
    pub(super) async fn registration_code(
        &self,
        id: &FlowId,
        user: &UserId,
        issue: Issue,
        method: &ContactMethod,
    ) -> Result<CodeDigest, RegistrationRefusal> {
        let unavailable = |e: Error| RegistrationRefusal::Unavailable(e);
        let event = |detail| self.record_event(Actor::User, None, Some(user), None, detail);
        let sends = self
            .counters
            .add(
                user,
                Counter::RegistrationSends,
                self.now(),
                self.policy.user_window,
            )
            .await
            .map_err(|e| unavailable(e.into()))?;
        if sends > self.policy.user_code_sends {
            event(Detail::RegistrationThrottled);
            return Err(RegistrationRefusal::TooManyCodes);
        }
        let code = OneTimeCode::generate(usize::from(self.policy.code_digits))
            .map_err(|e| unavailable(e.into()))?;
        let digest = self
            .code_key
            .digest(id, issue as u8, code.expose_secret().as_bytes());
        if self.sender.send_code(user, method, &code).await.is_err() {
            // What did not go out does not count.
            let _ = self
                .counters
                .release(user, Counter::RegistrationSends)
                .await;
            event(Detail::DeliveryFailed { via: method.kind() });
            return Err(RegistrationRefusal::DeliveryFailed);
        }
        event(Detail::RegistrationCodeSent { via: method.kind() });
        Ok(digest)
    }
}

/// The code a registration waits for: which one, to where, and its keyed digest.
pub(super) struct Awaiting {
    pub(super) issue: Issue,
    pub(super) to: ContactMethod,
    pub(super) digest: CodeDigest,
}

/// Which code of a registration: the digests of the two differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Issue {
    /// The code to the new method.
    New = 0,
    /// The code to a method the account has.
    Current = 1,
}
