//! Every way a flow ends: Completed (the hash stored verifies with the `argon2` crate
//! itself, the receipt and the notices), PersonalAccount, AskAdmin, Locked and Expired.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

use argon2::password_hash::phc;
use argon2::{Argon2, PasswordVerifier};
use sspr::event::{Activity, Detail};
use sspr::host::Role;
use sspr::host::{DeliveryContent as Message, Notice};
use sspr::password::Password;
use sspr::step::{AccountType, FromIdentify, FromNewPassword, FromSelectAccount};
use sspr::testing::{DISABLED, Harness, JAN, STRONG, UNKNOWN, id, mail, phone, record};
use sspr::{AskAdmin, Expired, LockReason, Locked, PersonalAccount};

#[tokio::test]
async fn completed_stores_an_argon2id_hash_that_the_argon2_crate_verifies() {
    let h = Harness::revealing();
    let new_password = h.new_password().await;
    let before = h.outbox.deliveries().len();

    let outcome = new_password
        .submit(&h.sspr, Password::new(STRONG), Password::new(STRONG))
        .await
        .expect("a strong password is accepted");
    let FromNewPassword::Completed(receipt) = outcome else {
        unreachable!("expected Completed, got {outcome:?}");
    };

    // The receipt: whose, when, the masked method that proved ownership, end sessions.
    assert_eq!(receipt.user, id(JAN));
    assert_eq!(receipt.at, h.now());
    assert_eq!(receipt.methods_used, vec![phone().masked()]);
    assert_eq!(receipt.methods_used[0].as_str(), "+31 •• ••• ••78");
    assert!(receipt.end_other_sessions);

    // The stored hash is an Argon2id PHC string that the argon2 crate verifies directly.
    let stored = h.directory.inner.get(&id(JAN)).expect("Jan is still there");
    let hash = stored.password_hash.expect("a password hash was stored");
    assert!(
        hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{:?}",
        hash
    );
    let parsed = phc::PasswordHash::new(hash.as_str()).expect("a PHC string");
    Argon2::default()
        .verify_password(STRONG.as_bytes(), &parsed)
        .expect("the new password verifies");
    assert!(
        Argon2::default()
            .verify_password(b"plum kettle orbit 72", &parsed)
            .is_err(),
        "another password does not verify"
    );
    assert_eq!(h.directory.inner.must_change(&id(JAN)), Some((false, None)));

    // "Your password was changed" went to every registered method, and nothing else.
    let after: Vec<_> = h.outbox.deliveries().into_iter().skip(before).collect();
    assert_eq!(after.len(), 2, "{after:?}");
    for method in [phone(), mail()] {
        assert!(
            after.iter().any(|d| d.to == method
                && d.user == id(JAN)
                && d.message == Message::Notice(Notice::PasswordChanged)),
            "no notice to {method:?}: {after:?}"
        );
    }

    // The audit log heard the reset.
    let trail = h.event_trail();
    assert!(trail.contains(&(Activity::ResetPasswordSelfService, Detail::PasswordChanged)));
}

#[tokio::test]
async fn personal_account_hands_the_person_back_without_asking_anyone() {
    let h = Harness::revealing();
    let outcome = h
        .sspr
        .start()
        .expect("a flow starts")
        .choose(&h.sspr, AccountType::Personal)
        .expect("never refused");
    assert!(
        matches!(outcome, FromSelectAccount::PersonalAccount(PersonalAccount)),
        "{outcome:?}"
    );
    assert_eq!(h.directory.lookups(), 0);
    assert!(h.outbox.deliveries().is_empty());
    assert!(h.event_trail().contains(&(
        Activity::FlowActivityProgress,
        Detail::PersonalAccountChosen
    )));
}

#[tokio::test]
async fn ask_admin_for_unknown_disabled_and_ineligible_accounts() {
    let h = Harness::revealing();
    // Enabled, but no contact method to prove ownership with.
    h.add(record(
        "no.methods@contoso.nl",
        true,
        vec![Role::User],
        vec![],
    ));
    // An admin needs two methods; one is not enough.
    h.add(record(
        "one.method.admin@contoso.nl",
        true,
        vec![Role::HelpdeskAdmin],
        vec![phone()],
    ));
    for user in [
        UNKNOWN,
        DISABLED,
        "no.methods@contoso.nl",
        "one.method.admin@contoso.nl",
    ] {
        let outcome = h.submit_right(user).await;
        assert!(
            matches!(outcome, FromIdentify::AskAdmin(AskAdmin)),
            "{user}: {outcome:?}"
        );
    }
    assert!(h.outbox.deliveries().is_empty(), "no code went anywhere");
}

#[tokio::test]
async fn locked_after_too_many_wrong_answers() {
    let h = Harness::revealing();
    let mut identify = h.identify();
    let attempts = h.sspr.policy().challenge_attempts();
    for n in 1..=attempts {
        let wrong = sspr::testing::wrong_answer(&identify);
        match identify.submit(&h.sspr, JAN, &wrong).await {
            Err(refused) => {
                assert!(n < attempts, "attempt {n} should have locked");
                identify = refused.wizard;
            }
            Ok(FromIdentify::Locked(locked)) => {
                assert_eq!(n, attempts);
                assert_eq!(
                    locked,
                    Locked {
                        reason: LockReason::ChallengeAttempts,
                        until: None
                    }
                );
                return;
            }
            Ok(other) => unreachable!("{other:?}"),
        }
    }
    unreachable!("never locked");
}

#[tokio::test]
async fn expired_when_the_flow_outlives_its_lifetime() {
    let h = Harness::revealing();
    let identify = h.identify();
    let answer = sspr::testing::answer_of(&identify);
    h.advance(h.sspr.policy().flow_lifetime());
    let outcome = identify
        .submit(&h.sspr, JAN, &answer)
        .await
        .expect("expiry is an outcome");
    assert!(
        matches!(outcome, FromIdentify::Expired(Expired)),
        "{outcome:?}"
    );
    assert_eq!(h.directory.lookups(), 0);
    assert!(
        h.event_trail()
            .contains(&(Activity::FlowActivityProgress, Detail::Expired))
    );
}
