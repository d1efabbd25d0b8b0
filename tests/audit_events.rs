//! Every audit event names its actor, its target, its organisation where the directory
//! told it, its time, and whether it succeeded with a typed reason; every detail maps to
//! the provider's activity name, "Blocked from self-service password reset" for
//! throttling alone; a refused admin reset is an event too.

use sspr::LockReason;
use sspr::challenge::ChallengeKind;
use sspr::event::{Activity, Actor, Detail, FailureReason, Outcome};
use sspr::host::ContactKind;
use sspr::host::{ContactMethod, Role, UserRecord};
use sspr::password::{Password, PasswordRule};
use sspr::policy::Policy;
use sspr::step::FromNewPassword;
use sspr::support::{
    InMemorySupportDesk, SupportDesk, SupportError, SupportRequest, TicketReference,
};
use sspr::testing::{Harness, JAN, STRONG, id};

#[test]
fn every_detail_has_the_providers_activity_name() {
    let progress = "Self-service password reset flow activity progress";
    let cases: Vec<(Detail, &str)> = vec![
        (Detail::FlowStarted, progress),
        (Detail::PersonalAccountChosen, progress),
        (Detail::WorkOrSchoolAccountChosen, progress),
        (
            Detail::ChallengeIssued {
                kind: ChallengeKind::Image,
            },
            progress,
        ),
        (Detail::ChallengeFailed { attempts_left: 2 }, progress),
        (Detail::ChallengePassed, progress),
        (Detail::NotEnabledForSelfService, progress),
        (
            Detail::CodeSent {
                via: ContactKind::Sms,
            },
            progress,
        ),
        (Detail::CodeFailed { attempts_left: 1 }, progress),
        (
            Detail::CodeVerified {
                via: ContactKind::Email,
            },
            progress,
        ),
        (
            Detail::PasswordRefused {
                rule: PasswordRule::MinLength,
            },
            progress,
        ),
        (
            Detail::DeliveryFailed {
                via: ContactKind::Voice,
            },
            progress,
        ),
        (
            Detail::NoticeFailed {
                via: ContactKind::Email,
            },
            progress,
        ),
        (Detail::Expired, progress),
        (
            Detail::Locked {
                reason: LockReason::CodeAttempts,
            },
            "Blocked from self-service password reset",
        ),
        (Detail::PasswordChanged, "Reset password (self-service)"),
        (Detail::TemporaryPasswordSet, "Reset password (by admin)"),
        (Detail::AdminResetRefused, "Reset password (by admin)"),
        (
            Detail::TemporaryPasswordChanged,
            "Change password (self-service)",
        ),
        (
            Detail::RegisteredForSelfService,
            "User registered for self-service password reset",
        ),
        (
            Detail::MethodRegistered {
                via: ContactKind::Email,
            },
            "User registered security info",
        ),
        (
            Detail::MethodReplaced {
                via: ContactKind::Sms,
            },
            "User registered security info",
        ),
        (
            Detail::RegistrationCodeSent {
                via: ContactKind::Sms,
            },
            "User registered security info",
        ),
        (
            Detail::RegistrationCodeFailed { attempts_left: 1 },
            "User registered security info",
        ),
        (
            Detail::RegistrationSignInFailed,
            "User registered security info",
        ),
        (
            Detail::MethodRemoved {
                via: ContactKind::Voice,
            },
            "User deleted security info",
        ),
        (Detail::MethodsConfirmed, "User reviewed security info"),
        (
            Detail::RegistrationThrottled,
            "Blocked from self-service password reset",
        ),
    ];
    for (detail, name) in &cases {
        assert_eq!(detail.activity().name(), *name, "{detail:?}");
        // Blocked is throttling: a lock or a dropped request, nothing else.
        assert_eq!(
            detail.activity() == Activity::BlockedFromSelfServiceReset,
            matches!(
                detail,
                Detail::Locked { .. } | Detail::AdminRequestDropped | Detail::RegistrationThrottled
            ),
            "{detail:?}"
        );
    }
    assert_eq!(
        Detail::ChallengeFailed { attempts_left: 0 }.outcome(),
        Outcome::Failure(FailureReason::WrongAnswer)
    );
    assert_eq!(
        Detail::PasswordRefused {
            rule: PasswordRule::MinLength
        }
        .outcome(),
        Outcome::Failure(FailureReason::PasswordRule(PasswordRule::MinLength))
    );
    assert_eq!(Detail::PasswordChanged.outcome(), Outcome::Success);
    assert_eq!(
        Detail::RegistrationSignInFailed.outcome(),
        Outcome::Failure(FailureReason::WrongPassword)
    );
    assert_eq!(
        Detail::RegistrationCodeFailed { attempts_left: 0 }.outcome(),
        Outcome::Failure(FailureReason::WrongCode)
    );
    assert_eq!(
        Detail::MethodRegistered {
            via: ContactKind::Sms
        }
        .outcome(),
        Outcome::Success
    );
    assert_eq!(
        Detail::AdminResetRefused.outcome(),
        Outcome::Failure(FailureReason::NotAllowed)
    );
}

#[tokio::test]
async fn a_self_service_reset_names_its_actor_target_and_tenant() {
    let h = Harness::default_policy();
    let new_password = h.new_password().await;
    let done = new_password
        .submit(&h.sspr, Password::new(STRONG), Password::new(STRONG))
        .await
        .expect("a strong password");
    assert!(matches!(done, FromNewPassword::Completed(_)));
    let events = h.events.events();
    assert!(!events.is_empty());
    for event in &events {
        // The activity is the detail's, every time.
        assert_eq!(event.activity, event.detail.activity(), "{event:?}");
        assert_eq!(event.at, h.now());
        assert!(
            matches!(event.actor, Actor::Person | Actor::System),
            "{event:?}"
        );
        assert!(event.flow.is_some(), "{event:?}");
    }
    let changed = events
        .iter()
        .find(|e| e.detail == Detail::PasswordChanged)
        .expect("the change");
    assert_eq!(changed.activity.name(), "Reset password (self-service)");
    assert_eq!(changed.user, Some(id(JAN)));
    assert_eq!(changed.tenant.as_deref(), Some("contoso"));
    assert_eq!(changed.outcome(), Outcome::Success);
    // The steps before the change do not tell the organisation (nor whether the account
    // exists).
    assert!(
        events
            .iter()
            .filter(|e| e.detail != Detail::PasswordChanged)
            .all(|e| e.tenant.is_none())
    );
}

fn admin(user: &str, tenant: &str, roles: Vec<Role>) -> UserRecord {
    UserRecord {
        id: id(user),
        tenant: tenant.into(),
        roles,
        self_service_reset: false,
        methods: vec![ContactMethod::email("someone@example.net")],
        password_hash: None,
        methods_confirmed: None,
    }
}

#[tokio::test]
async fn admin_resets_and_refusals_are_events_of_the_admin() {
    let h = Harness::empty(Policy::default());
    h.add(admin(
        "helpdesk@contoso.nl",
        "contoso",
        vec![Role::HelpdeskAdmin],
    ));
    h.add(admin(
        "billing@contoso.nl",
        "contoso",
        vec![Role::Other("Billing Administrator".into())],
    ));
    h.add(admin("jan@contoso.nl", "contoso", vec![]));
    h.add(admin("other@fabrikam.nl", "fabrikam", vec![]));
    let jan = id("jan@contoso.nl");

    let temporary = h
        .sspr
        .reset_by_admin(&id("helpdesk@contoso.nl"), &jan)
        .await
        .expect("a helpdesk admin resets a user");
    for (by, target) in [
        ("billing@contoso.nl", "jan@contoso.nl"),
        ("helpdesk@contoso.nl", "other@fabrikam.nl"),
        ("helpdesk@contoso.nl", "helpdesk@contoso.nl"),
        ("helpdesk@contoso.nl", "nobody@contoso.nl"),
        ("nobody@contoso.nl", "jan@contoso.nl"),
    ] {
        assert!(h.sspr.reset_by_admin(&id(by), &id(target)).await.is_err());
    }
    h.sspr
        .change_temporary_password(
            "jan@contoso.nl",
            Password::new(temporary.expose_secret()),
            Password::new(STRONG),
            Password::new(STRONG),
        )
        .await
        .expect("the forced change");

    let events = h.events.events();
    let set = events
        .iter()
        .find(|e| e.detail == Detail::TemporaryPasswordSet)
        .expect("the reset");
    assert_eq!(set.activity.name(), "Reset password (by admin)");
    assert_eq!(set.actor, Actor::Admin(id("helpdesk@contoso.nl")));
    assert_eq!(set.user, Some(jan.clone()));
    assert_eq!(set.tenant.as_deref(), Some("contoso"));
    assert_eq!(set.outcome(), Outcome::Success);

    let refused: Vec<_> = events
        .iter()
        .filter(|e| e.detail == Detail::AdminResetRefused)
        .collect();
    assert_eq!(refused.len(), 5, "{refused:#?}");
    for event in &refused {
        assert_eq!(event.activity.name(), "Reset password (by admin)");
        assert_eq!(event.outcome(), Outcome::Failure(FailureReason::NotAllowed));
        assert!(matches!(event.actor, Actor::Admin(_)));
    }
    assert_eq!(refused[0].actor, Actor::Admin(id("billing@contoso.nl")));
    assert_eq!(refused[0].tenant.as_deref(), Some("contoso"));

    let changed = events
        .iter()
        .find(|e| e.detail == Detail::TemporaryPasswordChanged)
        .expect("the forced change");
    assert_eq!(changed.activity.name(), "Change password (self-service)");
    assert_eq!(changed.actor, Actor::User);
    assert_eq!(changed.user, Some(jan));
    assert_eq!(changed.tenant.as_deref(), Some("contoso"));
}

/// A desk that is down.
struct DownDesk;

impl SupportDesk for DownDesk {
    async fn request_new_global_admin(
        &self,
        _request: SupportRequest,
        _at: time::OffsetDateTime,
    ) -> Result<TicketReference, SupportError> {
        Err(SupportError::unavailable("the ticketing system is down"))
    }
}

#[tokio::test]
async fn a_support_request_is_an_event_with_its_ticket_and_no_personal_data() {
    let h = Harness::default_policy();
    let request = || {
        SupportRequest::new(
            "Marieke de Vries",
            "marieke@home.example",
            "+31 6 11112222",
            "Contoso BV",
            "contoso.nl",
            "Our global admin left the company in March.",
        )
        .expect("a complete request")
    };
    let desk = InMemorySupportDesk::new();
    let ticket = h
        .sspr
        .request_new_global_admin(&desk, request())
        .await
        .expect("filed");
    assert_eq!(desk.tickets().len(), 1);
    let failed = h.sspr.request_new_global_admin(&DownDesk, request()).await;
    assert!(failed.is_err());

    let events = h.events.events();
    assert_eq!(events.len(), 2);
    let filed = &events[0];
    assert_eq!(
        filed.activity.name(),
        "Request a new global administrator (support)"
    );
    assert_eq!(filed.detail, Detail::SupportRequestFiled { ticket });
    assert_eq!(filed.actor, Actor::Person);
    // The organisation the requester named is unchecked: not the event's tenant.
    assert_eq!(filed.tenant, None);
    assert_eq!(filed.user, None);
    assert_eq!(filed.outcome(), Outcome::Success);
    assert_eq!(
        events[1].outcome(),
        Outcome::Failure(FailureReason::Unavailable)
    );
    // None of the requester's personal data reaches the events.
    let all = format!("{events:?}");
    for personal in [
        "Marieke",
        "marieke@home.example",
        "11112222",
        "global admin left",
    ] {
        assert!(!all.contains(personal), "{personal} in {all}");
    }
}
