//! An admin resets a password to a temporary one (shown once, expiring, must change at
//! next sign-in), and the user replaces it under the new-password rules.

use sspr::LockReason;
use sspr::UserId;
use sspr::admin::{AdminResetError, ForcedChange, ForcedChangeRefusal};
use sspr::event::Activity;
use sspr::host::Clock;
use sspr::host::ContactMethod;
use sspr::host::{DeliveryContent as Message, Notice};
use sspr::host::{Role, UserRecord};
use sspr::password::{Password, PasswordRefusal, verify_password};
use sspr::policy::Policy;
use sspr::testing::Harness;
use time::Duration;

fn id(text: &str) -> UserId {
    UserId::parse(text).unwrap()
}

fn record(user: &str, tenant: &str, roles: Vec<Role>) -> UserRecord {
    UserRecord {
        id: id(user),
        tenant: tenant.into(),
        roles,
        self_service_reset: false,
        methods: vec![ContactMethod::email(format!(
            "{}-home@example.net",
            &user[..3]
        ))],
        password_hash: None,
        methods_confirmed: None,
    }
}

/// The test kit's harness with admins and users of two tenants.
fn world() -> Harness {
    let h = Harness::empty(Policy::default());
    h.add(record(
        "global@contoso.nl",
        "contoso",
        vec![Role::GlobalAdmin],
    ));
    h.add(record(
        "helpdesk@contoso.nl",
        "contoso",
        vec![Role::HelpdeskAdmin],
    ));
    h.add(record("jan@contoso.nl", "contoso", vec![Role::User]));
    h.add(record(
        "other@fabrikam.nl",
        "fabrikam",
        vec![Role::GlobalAdmin],
    ));
    h
}

const NEW: &str = "amber lantern gravel 42";

#[tokio::test]
async fn a_temporary_password_is_shown_once_expires_and_must_change() {
    let w = world();
    let jan = id("jan@contoso.nl");
    let temporary = w
        .sspr
        .reset_by_admin(&id("helpdesk@contoso.nl"), &jan)
        .await
        .unwrap();
    assert!(!format!("{temporary:?}").contains(temporary.expose_secret()));
    assert_eq!(temporary.expires(), w.clock.now() + Duration::hours(24));
    let stored = w.directory.inner.get(&jan).unwrap().password_hash.unwrap();
    assert!(verify_password(
        &Password::new(temporary.expose_secret()),
        &stored
    ));
    assert_eq!(
        w.directory.inner.must_change(&jan),
        Some((true, Some(temporary.expires())))
    );
    assert!(
        w.events
            .events()
            .iter()
            .any(|e| e.activity == Activity::ResetPasswordByAdmin)
    );
    assert!(
        w.outbox
            .deliveries()
            .iter()
            .any(|d| d.message == Message::Notice(Notice::PasswordChanged))
    );

    // Change at next sign-in: the same rules as a self-service reset.
    let weak = w
        .sspr
        .change_temporary_password(
            "jan@contoso.nl",
            Password::new(temporary.expose_secret()),
            Password::new("password1"),
            Password::new("password1"),
        )
        .await
        .expect_err("weak");
    assert!(matches!(
        weak,
        ForcedChangeRefusal::Password(PasswordRefusal::TooWeak { .. })
    ));
    let done = w
        .sspr
        .change_temporary_password(
            "JAN@contoso.nl",
            Password::new(temporary.expose_secret()),
            Password::new(NEW),
            Password::new(NEW),
        )
        .await
        .unwrap();
    assert!(matches!(done, ForcedChange::Completed(ref c) if c.end_other_sessions));
    let stored = w.directory.inner.get(&jan).unwrap().password_hash.unwrap();
    assert!(verify_password(&Password::new(NEW), &stored));
    assert_eq!(w.directory.inner.must_change(&jan), Some((false, None)));
    // The temporary password is used up: it does not work a second time.
    let again = w
        .sspr
        .change_temporary_password(
            "jan@contoso.nl",
            Password::new(temporary.expose_secret()),
            Password::new("another fine password 7"),
            Password::new("another fine password 7"),
        )
        .await
        .expect_err("not a temporary password any more");
    assert!(matches!(again, ForcedChangeRefusal::WrongTemporaryPassword));
}

#[tokio::test]
async fn only_admins_of_the_organisation_may_reset_and_only_global_admins_reset_admins() {
    let w = world();
    let cases = [
        ("jan@contoso.nl", "helpdesk@contoso.nl"), // not an admin
        ("helpdesk@contoso.nl", "global@contoso.nl"), // an admin, by a non-global admin
        ("global@contoso.nl", "global@contoso.nl"), // their own account
        ("nobody@contoso.nl", "jan@contoso.nl"),   // no such admin
    ];
    for (admin, user) in cases {
        let refused = w.sspr.reset_by_admin(&id(admin), &id(user)).await;
        assert!(
            matches!(refused, Err(AdminResetError::NotAllowed)),
            "{admin} -> {user}"
        );
    }
    assert!(matches!(
        w.sspr
            .reset_by_admin(&id("global@contoso.nl"), &id("nobody@contoso.nl"))
            .await,
        Err(AdminResetError::NoSuchUser)
    ));
    // Another organisation's account is answered like one that does not exist.
    assert!(matches!(
        w.sspr
            .reset_by_admin(&id("other@fabrikam.nl"), &id("jan@contoso.nl"))
            .await,
        Err(AdminResetError::NoSuchUser)
    ));
    assert!(
        w.sspr
            .reset_by_admin(&id("global@contoso.nl"), &id("helpdesk@contoso.nl"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn an_expired_temporary_password_is_refused() {
    let w = world();
    let jan = id("jan@contoso.nl");
    let temporary = w
        .sspr
        .reset_by_admin(&id("global@contoso.nl"), &jan)
        .await
        .unwrap();
    w.clock.advance(Duration::hours(25));
    let refused = w
        .sspr
        .change_temporary_password(
            "jan@contoso.nl",
            Password::new(temporary.expose_secret()),
            Password::new(NEW),
            Password::new(NEW),
        )
        .await
        .expect_err("expired");
    assert!(matches!(
        refused,
        ForcedChangeRefusal::TemporaryPasswordExpired
    ));
}

#[tokio::test]
async fn wrong_temporary_passwords_block_the_user_id_and_unknown_ids_look_the_same() {
    let w = world();
    let jan = id("jan@contoso.nl");
    w.sspr
        .reset_by_admin(&id("global@contoso.nl"), &jan)
        .await
        .unwrap();
    let attempt = |user: &'static str| {
        w.sspr.change_temporary_password(
            user,
            Password::new("Wrong-Temp-123456"),
            Password::new(NEW),
            Password::new(NEW),
        )
    };
    let unknown = attempt("nobody@contoso.nl").await.expect_err("unknown");
    assert!(matches!(
        unknown,
        ForcedChangeRefusal::WrongTemporaryPassword
    ));
    for _ in 1..5 {
        let refused = attempt("jan@contoso.nl").await.expect_err("wrong");
        assert!(matches!(
            refused,
            ForcedChangeRefusal::WrongTemporaryPassword
        ));
    }
    let locked = attempt("jan@contoso.nl").await.unwrap();
    assert!(matches!(locked, ForcedChange::Locked(l) if l.reason == LockReason::UserBlocked));
}
