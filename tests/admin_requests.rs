//! "Contact your administrator": the admins who may reset the account hear of it, by
//! email, off the request; an unknown user ID gets the same answer, the same events and
//! the same hand-off, and tells nobody; a user ID asks at most three times a day, a
//! domain at most thirty times an hour.

use sspr::admin_request::{ContactRefusal, REQUESTS_PER_DOMAIN, REQUESTS_PER_USER};
use sspr::event::{Activity, Detail};
use sspr::host::{ContactMethod, DeliveryContent, Notice, Role, UserRecord};
use sspr::policy::Policy;
use sspr::testing::{Harness, id};

fn account(user: &str, roles: Vec<Role>, methods: Vec<ContactMethod>) -> UserRecord {
    UserRecord {
        id: id(user),
        tenant: "contoso".into(),
        roles,
        self_service_reset: false,
        methods,
        password_hash: None,
        methods_confirmed: None,
    }
}

fn world() -> Harness {
    let h = Harness::empty(Policy::default());
    h.add(account(
        "helpdesk@contoso.nl",
        vec![Role::HelpdeskAdmin],
        vec![
            ContactMethod::sms("+31 6 10000000"),
            ContactMethod::email("helpdesk@home.example"),
        ],
    ));
    h.add(account(
        "reader@contoso.nl",
        vec![Role::ReportsReader],
        vec![ContactMethod::email("reader@home.example")],
    ));
    h.add(account(
        "piet@contoso.nl",
        vec![],
        vec![ContactMethod::email("piet@home.example")],
    ));
    h.add(account(
        "auth@contoso.nl",
        vec![Role::AuthenticationAdmin],
        vec![ContactMethod::email("auth@home.example")],
    ));
    h
}

/// Who was asked to reset whose password.
fn asked(h: &Harness) -> Vec<(String, String)> {
    h.outbox
        .deliveries()
        .into_iter()
        .filter(|d| d.message == DeliveryContent::Notice(Notice::ResetRequested))
        .map(|d| (d.to.address().to_owned(), d.user.as_str().to_owned()))
        .collect()
}

#[tokio::test]
async fn the_admins_who_may_reset_the_account_are_asked_by_email() {
    let h = world();
    h.sspr
        .contact_admins("Piet@contoso.nl")
        .await
        .expect("asked");
    let mut got = asked(&h);
    got.sort();
    assert_eq!(
        got,
        vec![
            ("auth@home.example".to_owned(), "piet@contoso.nl".to_owned()),
            (
                "helpdesk@home.example".to_owned(),
                "piet@contoso.nl".to_owned()
            ),
        ],
        "the helpdesk and authentication admins (email first), not the reports reader"
    );
    // A helpdesk admin's own request goes to who may reset a helpdesk admin: here
    // nobody (not themselves, not the authentication admin).
    let before = asked(&h).len();
    h.sspr
        .contact_admins("helpdesk@contoso.nl")
        .await
        .expect("asked");
    assert_eq!(asked(&h).len(), before);
}

#[tokio::test]
async fn an_unknown_user_id_gets_the_same_answer_events_and_hand_off() {
    let known = world();
    let unknown = world();
    known
        .sspr
        .contact_admins("piet@contoso.nl")
        .await
        .expect("asked");
    unknown
        .sspr
        .contact_admins("nobody@contoso.nl")
        .await
        .expect("the same answer");
    let trail = |h: &Harness| -> Vec<(Activity, String)> {
        h.events
            .events()
            .into_iter()
            .map(|e| (e.activity, format!("{:?}", e.detail)))
            .collect()
    };
    assert_eq!(trail(&known), trail(&unknown), "the same events");
    assert_eq!(
        known.counters.calls(),
        unknown.counters.calls(),
        "the same counter work"
    );
    assert!(
        asked(&unknown).is_empty(),
        "nobody is told of an unknown account"
    );
    assert!(!asked(&known).is_empty());
}

#[tokio::test]
async fn a_user_id_asks_three_times_a_day_and_a_domain_thirty_an_hour() {
    let h = world();
    for _ in 0..REQUESTS_PER_USER {
        h.sspr
            .contact_admins("piet@contoso.nl")
            .await
            .expect("asked");
    }
    let fourth = h.sspr.contact_admins("piet@contoso.nl").await;
    assert!(matches!(fourth, Err(ContactRefusal::TooMany)));
    // The same for an unknown user ID: the limit does not tell who exists.
    for _ in 0..REQUESTS_PER_USER {
        h.sspr
            .contact_admins("nobody@contoso.nl")
            .await
            .expect("asked");
    }
    assert!(matches!(
        h.sspr.contact_admins("nobody@contoso.nl").await,
        Err(ContactRefusal::TooMany)
    ));

    // Thirty an hour for the domain: a flood of made-up IDs does not flood the admins.
    let h = world();
    for n in 0..REQUESTS_PER_DOMAIN {
        h.sspr
            .contact_admins(&format!("made-up-{n}@contoso.nl"))
            .await
            .expect("asked");
    }
    h.sspr
        .contact_admins("piet@contoso.nl")
        .await
        .expect("the same answer");
    assert!(
        asked(&h).is_empty(),
        "over the domain's limit nothing is sent"
    );
    assert!(
        h.events
            .events()
            .iter()
            .any(|e| e.detail == Detail::AdminRequestDropped
                && e.activity == Activity::BlockedFromSelfServiceReset)
    );
    // Another domain is not held up.
    h.add(UserRecord {
        tenant: "fabrikam".into(),
        ..account(
            "jo@fabrikam.nl",
            vec![],
            vec![ContactMethod::email("jo@home.example")],
        )
    });
    h.add(UserRecord {
        tenant: "fabrikam".into(),
        ..account(
            "admin@fabrikam.nl",
            vec![Role::GlobalAdmin],
            vec![ContactMethod::email("fab-admin@home.example")],
        )
    });
    h.sspr
        .contact_admins("jo@fabrikam.nl")
        .await
        .expect("asked");
    assert_eq!(asked(&h).len(), 1);
}
