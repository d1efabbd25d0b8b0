//! "Notify all admins when other admins reset their passwords": with the policy on, the
//! other global admins of the organisation hear of an admin's reset by email (by an
//! admin, or by the admin themselves); never of an ordinary user's, never across
//! organisations, never with the policy off, never twice. The user is told after an
//! admin reset, always.

use sspr::host::{ContactMethod, DeliveryContent, Notice, Role, UserRecord};
use sspr::password::Password;
use sspr::policy::Policy;
use sspr::step::{FromNewPassword, FromVerify};
use sspr::testing::{Harness, STRONG, id, policy};

fn account(user: &str, tenant: &str, roles: Vec<Role>, mail: &str) -> UserRecord {
    UserRecord {
        id: id(user),
        tenant: tenant.into(),
        roles,
        self_service_reset: true,
        methods: vec![
            ContactMethod::email(mail),
            ContactMethod::sms(format!("+31 6 {:08}", mail.len())),
        ],
        password_hash: None,
        methods_confirmed: None,
    }
}

fn world(notify: bool) -> Harness {
    let h = Harness::empty(policy(Policy::builder().notify_admins(notify)));
    h.add(account(
        "global@contoso.nl",
        "contoso",
        vec![Role::GlobalAdmin],
        "global@home.example",
    ));
    // A second global admin whose first method is a phone: told by email all the same.
    let mut second = account(
        "second@contoso.nl",
        "contoso",
        vec![Role::GlobalAdmin],
        "second@home.example",
    );
    second.methods.reverse();
    h.add(second);
    h.add(account(
        "helpdesk@contoso.nl",
        "contoso",
        vec![Role::HelpdeskAdmin],
        "helpdesk@home.example",
    ));
    h.add(account(
        "password@contoso.nl",
        "contoso",
        vec![Role::PasswordAdmin],
        "password@home.example",
    ));
    h.add(account(
        "jan@contoso.nl",
        "contoso",
        vec![],
        "jan@home.example",
    ));
    h.add(account(
        "other@fabrikam.nl",
        "fabrikam",
        vec![Role::GlobalAdmin],
        "other@home.example",
    ));
    h
}

/// Who got the "another admin's password was reset" notice, and about whom.
fn admin_notices(h: &Harness) -> Vec<(String, String)> {
    let mut seen: Vec<(String, String)> = h
        .outbox
        .deliveries()
        .into_iter()
        .filter(|d| d.message == DeliveryContent::Notice(Notice::AdminPasswordChanged))
        .map(|d| (d.to.address().to_owned(), d.user.as_str().to_owned()))
        .collect();
    seen.sort();
    seen
}

#[tokio::test]
async fn the_other_admins_hear_of_an_admin_reset_by_an_admin() {
    let h = world(true);
    h.sspr
        .reset_by_admin(&id("global@contoso.nl"), &id("helpdesk@contoso.nl"))
        .await
        .expect("a global admin resets a helpdesk admin");
    assert_eq!(
        admin_notices(&h),
        vec![
            (
                "global@home.example".to_owned(),
                "helpdesk@contoso.nl".to_owned()
            ),
            (
                "second@home.example".to_owned(),
                "helpdesk@contoso.nl".to_owned()
            ),
        ],
        "the global admins of contoso, by email; not the password admin, not fabrikam's"
    );
    // The admin whose password it was hears on every method, as any user does.
    let told: Vec<_> = h
        .outbox
        .deliveries()
        .into_iter()
        .filter(|d| d.message == DeliveryContent::Notice(Notice::PasswordChanged))
        .map(|d| d.user)
        .collect();
    assert_eq!(told, vec![id("helpdesk@contoso.nl"); 2]);
}

#[tokio::test]
async fn the_change_at_next_sign_in_tells_the_admins_nothing_more() {
    let h = world(true);
    let temporary = h
        .sspr
        .reset_by_admin(&id("global@contoso.nl"), &id("helpdesk@contoso.nl"))
        .await
        .expect("reset");
    let before = admin_notices(&h).len();
    h.sspr
        .change_temporary_password(
            "helpdesk@contoso.nl",
            Password::new(temporary.expose_secret()),
            Password::new(STRONG),
            Password::new(STRONG),
        )
        .await
        .expect("the forced change");
    assert_eq!(admin_notices(&h).len(), before, "told once, at the reset");
}

#[tokio::test]
async fn an_ordinary_users_reset_tells_no_admin_and_the_policy_off_tells_nobody() {
    let h = world(true);
    h.sspr
        .reset_by_admin(&id("helpdesk@contoso.nl"), &id("jan@contoso.nl"))
        .await
        .expect("a helpdesk admin resets a user");
    assert!(admin_notices(&h).is_empty());
    assert!(
        h.outbox
            .deliveries()
            .iter()
            .any(|d| d.user == id("jan@contoso.nl")
                && d.message == DeliveryContent::Notice(Notice::PasswordChanged)),
        "the user is told"
    );

    let h = world(false);
    h.sspr
        .reset_by_admin(&id("global@contoso.nl"), &id("helpdesk@contoso.nl"))
        .await
        .expect("reset");
    assert!(admin_notices(&h).is_empty());
}

#[tokio::test]
async fn an_admins_own_self_service_reset_tells_the_other_admins() {
    let h = world(true);
    let user = "password@contoso.nl";
    // Two methods for an admin: a code to each (under the conceal policy the second one
    // goes by itself), then the new password.
    let mut verify = h.verify(user, 0).await;
    let new_password = loop {
        let to = h.outbox.deliveries().last().expect("a code").to.clone();
        match h.submit_code(verify, &to).await {
            FromVerify::NewPassword(new_password) => break new_password,
            FromVerify::Verify(next) => verify = next,
            FromVerify::ChooseMethod(choose) => {
                let methods = choose.step().methods();
                let index = methods.iter().find(|m| !m.used).expect("one left").index;
                verify = h.send_code(choose, index).await;
            }
            other => panic!("{other:?}"),
        }
    };
    let done = new_password
        .submit(&h.sspr, Password::new(STRONG), Password::new(STRONG))
        .await
        .expect("a strong password");
    assert!(matches!(done, FromNewPassword::Completed(_)));
    assert_eq!(
        admin_notices(&h),
        vec![
            ("global@home.example".to_owned(), user.to_owned()),
            ("second@home.example".to_owned(), user.to_owned()),
        ]
    );
}
