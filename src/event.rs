//! Audit events: every step, success and refusal, named like an identity provider's audit
//! activities. Events carry no secrets: no answers, codes, passwords or addresses.

use std::sync::{Arc, Mutex, PoisonError};

use time::OffsetDateTime;

use crate::challenge::ChallengeKind;
use crate::contact::ContactKind;
use crate::ending::LockReason;
use crate::flow::FlowId;
use crate::password::PasswordRule;
use crate::support::TicketReference;
use crate::user_id::UserId;

/// The audit activity an event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Activity {
    /// "Self-service password reset flow activity progress": a step of the wizard.
    FlowActivityProgress,
    /// "Blocked from self-service password reset": throttling only, a flow or a user ID
    /// locked after too many attempts ([`Detail::Locked`]).
    BlockedFromSelfServiceReset,
    /// "Reset password (self-service)": the password was changed by its owner.
    ResetPasswordSelfService,
    /// "Reset password (by admin)": an admin set a temporary password, or was refused.
    ResetPasswordByAdmin,
    /// "Change password (self-service)": a temporary password was replaced at sign-in.
    ChangePasswordSelfService,
    /// "Request a new global administrator (support)": the organisation's global admin
    /// has left, and someone asked the support desk for a new one.
    RequestNewGlobalAdmin,
    /// "User registered for self-service password reset": the account now has the
    /// methods it needs to reset by itself.
    RegisteredForSelfService,
    /// "User registered security info": a method was added or replaced, or a
    /// registration's code was sent or refused.
    RegisteredSecurityInfo,
    /// "User deleted security info": a method was removed.
    DeletedSecurityInfo,
    /// "User reviewed security info": the methods were confirmed again.
    ReviewedSecurityInfo,
}

impl Activity {
    /// The activity's display name, as audit logs show it.
    pub fn name(self) -> &'static str {
        match self {
            Activity::FlowActivityProgress => "Self-service password reset flow activity progress",
            Activity::BlockedFromSelfServiceReset => "Blocked from self-service password reset",
            Activity::ResetPasswordSelfService => "Reset password (self-service)",
            Activity::ResetPasswordByAdmin => "Reset password (by admin)",
            Activity::ChangePasswordSelfService => "Change password (self-service)",
            Activity::RequestNewGlobalAdmin => "Request a new global administrator (support)",
            Activity::RegisteredForSelfService => "User registered for self-service password reset",
            Activity::RegisteredSecurityInfo => "User registered security info",
            Activity::DeletedSecurityInfo => "User deleted security info",
            Activity::ReviewedSecurityInfo => "User reviewed security info",
        }
    }
}

/// What happened, without secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Detail {
    /// A flow started at "Can't access your account?".
    FlowStarted,
    /// The person chose a personal account and was sent to consumer recovery.
    PersonalAccountChosen,
    /// The person chose a work or school account.
    WorkOrSchoolAccountChosen,
    /// A challenge was issued (first, renewed, switched, or after a wrong answer).
    ChallengeIssued {
        /// Picture or audio.
        kind: ChallengeKind,
    },
    /// A wrong challenge answer.
    ChallengeFailed {
        /// Attempts left in this flow.
        attempts_left: u8,
    },
    /// The challenge was solved.
    ChallengePassed,
    /// The account is unknown or may not reset by itself (the two are not told apart).
    NotEnabledForSelfService,
    /// A code was sent.
    CodeSent {
        /// How it was sent.
        via: ContactKind,
    },
    /// A wrong code.
    CodeFailed {
        /// Attempts left in this flow.
        attempts_left: u8,
    },
    /// A code was right.
    CodeVerified {
        /// How it was sent.
        via: ContactKind,
    },
    /// A new password broke a rule (the rule, not the password).
    PasswordRefused {
        /// The rule it broke.
        rule: PasswordRule,
    },
    /// The password was changed.
    PasswordChanged,
    /// A code could not be delivered (conceal policy: the person is not told).
    DeliveryFailed {
        /// Where it should have gone.
        via: ContactKind,
    },
    /// A notice could not be delivered after the change (the change stands).
    NoticeFailed {
        /// Where it should have gone.
        via: ContactKind,
    },
    /// The flow or the user ID is locked.
    Locked {
        /// Why.
        reason: LockReason,
    },
    /// The flow's lifetime ran out.
    Expired,
    /// An admin set a temporary password.
    TemporaryPasswordSet,
    /// An admin's reset was refused: the table of roles does not allow it, the accounts
    /// are of two organisations, the admin is resetting themselves, or there is no such
    /// account.
    AdminResetRefused,
    /// The user replaced a temporary password at sign-in.
    TemporaryPasswordChanged,
    /// A request for a new global admin reached the support desk: its ticket's
    /// reference (the request's personal data stays with the desk).
    SupportRequestFiled {
        /// The ticket's reference.
        ticket: TicketReference,
    },
    /// The support desk could not take a request for a new global admin.
    SupportRequestFailed,
    /// An admin issued a reset link (any earlier one of the account stops working).
    ResetLinkIssued,
    /// An admin withdrew the account's reset link.
    ResetLinkRevoked,
    /// A reset link that was wrong, used, revoked, expired or for an unknown account.
    ResetLinkFailed,
    /// The user set a new password with an admin's reset link.
    PasswordChangedWithLink,
    /// Someone asked the account's admins to reset its password ("contact your
    /// administrator"; whether the account exists is not told).
    AdminRequested,
    /// A request to the admins was dropped: too many for the user ID or its domain.
    AdminRequestDropped,
    /// A registration's code was sent (to the new method, or to a registered one).
    RegistrationCodeSent {
        /// How it was sent.
        via: ContactKind,
    },
    /// A registration was refused: the user ID or the password was not right.
    RegistrationSignInFailed,
    /// A wrong code for a registration.
    RegistrationCodeFailed {
        /// Attempts left for the registration.
        attempts_left: u8,
    },
    /// A registration was refused by its own limits (it never blocks a reset): too many
    /// begun for the user ID this hour, too many codes sent, or too many checked today.
    RegistrationThrottled,
    /// A method was added.
    MethodRegistered {
        /// Its kind.
        via: ContactKind,
    },
    /// A method was replaced by another.
    MethodReplaced {
        /// The new one's kind.
        via: ContactKind,
    },
    /// A method was removed.
    MethodRemoved {
        /// Its kind.
        via: ContactKind,
    },
    /// The methods were confirmed again.
    MethodsConfirmed,
    /// The account now has the methods it needs to reset by itself.
    RegisteredForSelfService,
}

impl Detail {
    /// The audit activity the detail belongs to, with the provider's activity names:
    /// "Blocked from self-service password reset" for throttling alone, "Reset password
    /// (self-service)", "Reset password (by admin)", "Change password (self-service)",
    /// and "Self-service password reset flow activity progress" for every other step.
    pub fn activity(&self) -> Activity {
        match self {
            Detail::Locked { .. } | Detail::AdminRequestDropped | Detail::RegistrationThrottled => {
                Activity::BlockedFromSelfServiceReset
            }
            Detail::RegistrationCodeSent { .. }
            | Detail::RegistrationSignInFailed
            | Detail::RegistrationCodeFailed { .. }
            | Detail::MethodRegistered { .. }
            | Detail::MethodReplaced { .. } => Activity::RegisteredSecurityInfo,
            Detail::MethodRemoved { .. } => Activity::DeletedSecurityInfo,
            Detail::MethodsConfirmed => Activity::ReviewedSecurityInfo,
            Detail::RegisteredForSelfService => Activity::RegisteredForSelfService,
            Detail::PasswordChanged => Activity::ResetPasswordSelfService,
            Detail::TemporaryPasswordSet
            | Detail::AdminResetRefused
            | Detail::ResetLinkIssued
            | Detail::ResetLinkRevoked => Activity::ResetPasswordByAdmin,
            Detail::PasswordChangedWithLink | Detail::ResetLinkFailed => {
                Activity::ResetPasswordSelfService
            }
            Detail::TemporaryPasswordChanged => Activity::ChangePasswordSelfService,
            Detail::SupportRequestFiled { .. } | Detail::SupportRequestFailed => {
                Activity::RequestNewGlobalAdmin
            }
            Detail::FlowStarted
            | Detail::PersonalAccountChosen
            | Detail::WorkOrSchoolAccountChosen
            | Detail::ChallengeIssued { .. }
            | Detail::ChallengeFailed { .. }
            | Detail::ChallengePassed
            | Detail::NotEnabledForSelfService
            | Detail::CodeSent { .. }
            | Detail::CodeFailed { .. }
            | Detail::CodeVerified { .. }
            | Detail::PasswordRefused { .. }
            | Detail::DeliveryFailed { .. }
            | Detail::NoticeFailed { .. }
            | Detail::Expired
            | Detail::AdminRequested => Activity::FlowActivityProgress,
        }
    }

    /// Success, or failure with its typed reason.
    pub fn outcome(&self) -> Outcome {
        use FailureReason as F;
        Outcome::Failure(match self {
            Detail::ChallengeFailed { .. } => F::WrongAnswer,
            Detail::NotEnabledForSelfService => F::NotEnabledForSelfService,
            Detail::CodeFailed { .. } => F::WrongCode,
            Detail::PasswordRefused { rule } => F::PasswordRule(*rule),
            Detail::DeliveryFailed { .. } => F::DeliveryFailed,
            Detail::NoticeFailed { .. } => F::NoticeFailed,
            Detail::Locked { reason } => F::Locked(*reason),
            Detail::Expired => F::Expired,
            Detail::AdminResetRefused => F::NotAllowed,
            Detail::SupportRequestFailed => F::Unavailable,
            Detail::ResetLinkFailed => F::LinkNotValid,
            Detail::AdminRequestDropped | Detail::RegistrationThrottled => F::Throttled,
            Detail::RegistrationSignInFailed => F::WrongPassword,
            Detail::RegistrationCodeFailed { .. } => F::WrongCode,
            Detail::FlowStarted
            | Detail::PersonalAccountChosen
            | Detail::WorkOrSchoolAccountChosen
            | Detail::ChallengeIssued { .. }
            | Detail::ChallengePassed
            | Detail::CodeSent { .. }
            | Detail::CodeVerified { .. }
            | Detail::PasswordChanged
            | Detail::TemporaryPasswordSet
            | Detail::TemporaryPasswordChanged
            | Detail::SupportRequestFiled { .. }
            | Detail::ResetLinkIssued
            | Detail::ResetLinkRevoked
            | Detail::PasswordChangedWithLink
            | Detail::AdminRequested
            | Detail::RegistrationCodeSent { .. }
            | Detail::MethodRegistered { .. }
            | Detail::MethodReplaced { .. }
            | Detail::MethodRemoved { .. }
            | Detail::MethodsConfirmed
            | Detail::RegisteredForSelfService => return Outcome::Success,
        })
    }
}

/// Who did what an event records.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Actor {
    /// The person at a self-service flow: who they are is what the flow proves, so the
    /// event's target is the account they named.
    Person,
    /// The account's own user, signed in (the change of a temporary password).
    User,
    /// An administrator, by the directory's user ID.
    Admin(UserId),
    /// The service itself (a delivery in the background).
    System,
}

/// Whether what an event records succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It did.
    Success,
    /// It did not, for this reason.
    Failure(FailureReason),
}

/// Why an event records a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureReason {
    /// A wrong challenge answer.
    WrongAnswer,
    /// The account is unknown or may not reset by itself (not told apart).
    NotEnabledForSelfService,
    /// A wrong code.
    WrongCode,
    /// A new password broke this rule.
    PasswordRule(PasswordRule),
    /// A code could not be delivered.
    DeliveryFailed,
    /// A notice could not be delivered.
    NoticeFailed,
    /// Locked (throttling).
    Locked(LockReason),
    /// The flow's lifetime ran out.
    Expired,
    /// An admin may not reset this account.
    NotAllowed,
    /// A part of the host (the support desk) could not be reached.
    Unavailable,
    /// A reset link that does not work.
    LinkNotValid,
    /// Too many requests: throttled.
    Throttled,
    /// The user ID or the password was not right (a registration's sign-in).
    WrongPassword,
}

/// One audit event: when, who (actor), to which account (target) of which
/// organisation (tenant), the activity, what happened and whether it succeeded
/// ([`Event::outcome`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// When.
    pub at: OffsetDateTime,
    /// The audit activity ([`Detail::activity`] of the detail).
    pub activity: Activity,
    /// Who did it.
    pub actor: Actor,
    /// The flow, where there is one.
    pub flow: Option<FlowId>,
    /// The target: the account concerned, once known (after a solved challenge, the
    /// directory's ID of an account, or the ID as typed for one that does not exist).
    pub user: Option<UserId>,
    /// The target's organisation, where the directory told it (admin actions, password
    /// changes); `None` in a self-service flow's steps, which do not say whether the
    /// account exists.
    pub tenant: Option<String>,
    /// What happened.
    pub detail: Detail,
}

impl Event {
    /// Success, or failure with its typed reason.
    pub fn outcome(&self) -> Outcome {
        self.detail.outcome()
    }
}

/// Where events go: an audit log, a SIEM, `tracing`.
pub trait EventSink: Send + Sync {
    /// Hears one event. Must not block for long: queue it if delivery is slow.
    fn record(&self, event: &Event);
}

impl<T: EventSink + ?Sized> EventSink for Arc<T> {
    fn record(&self, event: &Event) {
        (**self).record(event);
    }
}

/// An in-memory sink that keeps every event: for tests and demos. Clones share events.
#[derive(Debug, Default, Clone)]
pub struct EventRecorder {
    events: Arc<Mutex<Vec<Event>>>,
}

impl EventRecorder {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every event so far, oldest first.
    pub fn events(&self) -> Vec<Event> {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Forgets every event.
    pub fn clear(&self) {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

impl EventSink for EventRecorder {
    fn record(&self, event: &Event) {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(event.clone());
    }
}

/// A sink that discards events.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoEvents;

impl EventSink for NoEvents {
    fn record(&self, _event: &Event) {}
}

/// A sink that logs every event through `tracing` (target `sspr::audit`, level INFO).
#[derive(Debug, Default, Clone, Copy)]
pub struct TracingEvents;

impl EventSink for TracingEvents {
    fn record(&self, event: &Event) {
        tracing::info!(
            target: "sspr::audit",
            activity = event.activity.name(),
            actor = ?event.actor,
            outcome = ?event.outcome(),
            tenant = event.tenant.as_deref(),
            flow = event.flow.map(|f| f.to_string()),
            user = event.user.as_ref().map(UserId::as_str),
            detail = ?event.detail,
            at = %event.at,
        );
    }
}
