//! Reset links: the admin never learns the password. An admin who may reset the account
//! issues a single-use link (only its keyed digest is stored); the user sets a password
//! under the same rules; the link works once, a new one voids the old, a revoked or
//! expired one is dead, and every link that does not work gets one answer and counts
//! against the user ID, for unknown accounts alike.

use sspr::admin::AdminResetError;
use sspr::event::{Actor, Detail};
use sspr::grant::{GrantStore, LinkRefusal, TOKEN_CHARS};
use sspr::host::{ContactMethod, DeliveryContent, Notice, Role, UserRecord};
use sspr::password::{Password, PasswordRefusal, verify_password};
use sspr::policy::Policy;
use sspr::store::MemoryFlowStore;
use sspr::testing::{Harness, STRONG, id};
use time::Duration;

fn account(user: &str, roles: Vec<Role>) -> UserRecord {
    UserRecord {
        id: id(user),
        tenant: "contoso".into(),
        roles,
        self_service_reset: false,
        methods: vec![ContactMethod::email(format!("{}@home.example", &user[..4]))],
        password_hash: None,
        methods_confirmed: None,
    }
}

fn world() -> (Harness, MemoryFlowStore) {
    let h = Harness::empty(Policy::default());
    h.add(account("helpdesk@contoso.nl", vec![Role::HelpdeskAdmin]));
    h.add(account("piet@contoso.nl", vec![]));
    h.add(account("global@contoso.nl", vec![Role::GlobalAdmin]));
    (h, MemoryFlowStore::new())
}

async fn redeem(
    h: &Harness,
    grants: &impl GrantStore,
    user: &str,
    token: &str,
    password: &str,
) -> Result<sspr::Completed, LinkRefusal> {
    h.sspr
        .redeem_reset_link(
            grants,
            user,
            token,
            Password::new(password),
            Password::new(password),
        )
        .await
}

#[tokio::test]
async fn the_user_sets_the_password_the_admin_never_sees() {
    let (h, grants) = world();
    let piet = id("piet@contoso.nl");
    let link = h
        .sspr
        .issue_reset_link(&grants, &id("helpdesk@contoso.nl"), &piet)
        .await
        .expect("a helpdesk admin may reset Piet");
    assert_eq!(link.expose_secret().len(), TOKEN_CHARS);
    assert!(!format!("{link:?}").contains(link.expose_secret()));
    assert_eq!(link.expires(), h.now() + Duration::hours(24));

    // A weak password is refused and the link still works.
    let weak = redeem(
        &h,
        &grants,
        "piet@contoso.nl",
        link.expose_secret(),
        "password1",
    )
    .await;
    assert!(matches!(
        weak,
        Err(LinkRefusal::Password(PasswordRefusal::TooWeak { .. }))
    ));
    let done = redeem(&h, &grants, "PIET@contoso.nl", link.expose_secret(), STRONG)
        .await
        .expect("the link works once");
    assert_eq!(done.user, piet);
    let stored = h.directory.inner.get(&piet).unwrap().password_hash.unwrap();
    assert!(verify_password(&Password::new(STRONG), &stored));
    // Not a temporary password: nothing to change at next sign-in.
    assert_eq!(h.directory.inner.must_change(&piet), Some((false, None)));
    // Piet is told on his methods.
    assert!(
        h.outbox.deliveries().iter().any(
            |d| d.user == piet && d.message == DeliveryContent::Notice(Notice::PasswordChanged)
        )
    );

    // Used up.
    let again = redeem(&h, &grants, "piet@contoso.nl", link.expose_secret(), STRONG).await;
    assert!(matches!(again, Err(LinkRefusal::NotValid)));

    let events = h.events.events();
    let issued = events
        .iter()
        .find(|e| e.detail == Detail::ResetLinkIssued)
        .expect("issued");
    assert_eq!(issued.activity.name(), "Reset password (by admin)");
    assert_eq!(issued.actor, Actor::Admin(id("helpdesk@contoso.nl")));
    let changed = events
        .iter()
        .find(|e| e.detail == Detail::PasswordChangedWithLink)
        .expect("changed");
    assert_eq!(changed.activity.name(), "Reset password (self-service)");
    assert_eq!(changed.tenant.as_deref(), Some("contoso"));
    // No event, error or Debug holds the token.
    assert!(!format!("{events:?}").contains(link.expose_secret()));
}

#[tokio::test]
async fn a_new_link_voids_the_old_and_a_revoked_one_is_dead() {
    let (h, grants) = world();
    let (admin, piet) = (id("helpdesk@contoso.nl"), id("piet@contoso.nl"));
    let first = h
        .sspr
        .issue_reset_link(&grants, &admin, &piet)
        .await
        .unwrap();
    let second = h
        .sspr
        .issue_reset_link(&grants, &admin, &piet)
        .await
        .unwrap();
    assert_ne!(first.expose_secret(), second.expose_secret());
    let old = redeem(
        &h,
        &grants,
        "piet@contoso.nl",
        first.expose_secret(),
        STRONG,
    )
    .await;
    assert!(matches!(old, Err(LinkRefusal::NotValid)));
    // The wrong token left the new link working; revoking it kills it.
    assert!(
        h.sspr
            .revoke_reset_link(&grants, &admin, &piet)
            .await
            .unwrap()
    );
    let revoked = redeem(
        &h,
        &grants,
        "piet@contoso.nl",
        second.expose_secret(),
        STRONG,
    )
    .await;
    assert!(matches!(revoked, Err(LinkRefusal::NotValid)));

    // Expired.
    let third = h
        .sspr
        .issue_reset_link(&grants, &admin, &piet)
        .await
        .unwrap();
    h.advance(Duration::hours(24));
    let late = redeem(
        &h,
        &grants,
        "piet@contoso.nl",
        third.expose_secret(),
        STRONG,
    )
    .await;
    assert!(matches!(late, Err(LinkRefusal::NotValid)));
}

#[tokio::test]
async fn only_an_admin_who_may_reset_the_account_issues_a_link() {
    let (h, grants) = world();
    for (admin, user) in [
        ("piet@contoso.nl", "helpdesk@contoso.nl"),
        ("helpdesk@contoso.nl", "global@contoso.nl"),
        ("helpdesk@contoso.nl", "helpdesk@contoso.nl"),
    ] {
        let refused = h
            .sspr
            .issue_reset_link(&grants, &id(admin), &id(user))
            .await;
        assert!(
            matches!(refused, Err(AdminResetError::NotAllowed)),
            "{admin} -> {user}"
        );
    }
    assert!(
        h.sspr
            .issue_reset_link(
                &grants,
                &id("global@contoso.nl"),
                &id("helpdesk@contoso.nl")
            )
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn guessing_links_gets_one_answer_and_blocks_the_user_id() {
    let (h, grants) = world();
    let link = h
        .sspr
        .issue_reset_link(&grants, &id("helpdesk@contoso.nl"), &id("piet@contoso.nl"))
        .await
        .unwrap();
    // Unknown account, malformed token, wrong token: one answer.
    for (user, token) in [
        ("nobody@contoso.nl", link.expose_secret().to_owned()),
        ("piet@contoso.nl", "not a token".to_owned()),
        ("piet@contoso.nl", "0".repeat(TOKEN_CHARS)),
    ] {
        let refused = redeem(&h, &grants, user, &token, STRONG).await;
        assert!(
            matches!(refused, Err(LinkRefusal::NotValid)),
            "{user}: {refused:?}"
        );
    }
    // The wrong ones count like wrong codes: the fifth blocks the user ID, and then even
    // the right link is refused until the block ends.
    let mut locked = false;
    for _ in 0..5 {
        let refused = redeem(
            &h,
            &grants,
            "piet@contoso.nl",
            &"1".repeat(TOKEN_CHARS),
            STRONG,
        )
        .await;
        locked |= matches!(refused, Err(LinkRefusal::Locked(_)));
    }
    assert!(locked, "guessing blocks the user ID");
    let right = redeem(&h, &grants, "piet@contoso.nl", link.expose_secret(), STRONG).await;
    assert!(matches!(right, Err(LinkRefusal::Locked(_))));
}
