//! Every step ends in `Expired` once the flow's lifetime ran out, and does nothing else
//! then (no lookup, no code, no hash); a challenge that timed out is replaced without
//! costing an attempt.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

use sspr::Refusal;
use sspr::event::{Activity, Detail};
use sspr::password::Password;
use sspr::step::{
    AccountType, FromIdentify, FromNewPassword, FromSelectAccount, FromVerify, ToVerify,
};
use sspr::testing::{Harness, JAN, STRONG, answer_of, id, phone, wrong_answer};
use sspr::{Expired, Stay};
use time::{Duration, OffsetDateTime};

/// Sets the clock to `deadline` and returns the number of `Expired` events before.
fn reach(h: &Harness, deadline: OffsetDateTime) -> usize {
    h.clock.set(deadline);
    expired_events(h)
}

fn expired_events(h: &Harness) -> usize {
    h.event_trail()
        .iter()
        .filter(|e| **e == (Activity::FlowActivityProgress, Detail::Expired))
        .count()
}

#[tokio::test]
async fn the_flow_deadline_is_the_policy_lifetime_from_the_start() {
    let h = Harness::revealing();
    let start = h.sspr.start().expect("starts");
    assert_eq!(start.started(), h.now());
    assert_eq!(start.deadline(), h.now() + Duration::minutes(15));
}

#[tokio::test]
async fn select_account_expires() {
    for account in [AccountType::WorkOrSchool, AccountType::Personal] {
        let h = Harness::revealing();
        let start = h.sspr.start().expect("starts");
        let before = reach(&h, start.deadline());
        let outcome = start.choose(&h.sspr, account).expect("an outcome");
        assert!(
            matches!(outcome, FromSelectAccount::Expired(Expired)),
            "{account:?}: {outcome:?}"
        );
        assert_eq!(expired_events(&h), before + 1);
    }
}

#[tokio::test]
async fn identify_expires_on_submit_switch_and_new_challenge() {
    let h = Harness::revealing();
    let identify = h.identify();
    let answer = answer_of(&identify);
    let before = reach(&h, identify.deadline());
    let outcome = identify
        .submit(&h.sspr, JAN, &answer)
        .await
        .expect("an outcome");
    assert!(
        matches!(outcome, FromIdentify::Expired(Expired)),
        "{outcome:?}"
    );
    assert_eq!(expired_events(&h), before + 1);

    let identify = h.identify();
    reach(&h, identify.deadline());
    let stay = identify.switch_kind(&h.sspr).expect("an outcome");
    assert!(matches!(stay, Stay::Expired(Expired)), "{stay:?}");

    let identify = h.identify();
    reach(&h, identify.deadline());
    let stay = identify.new_challenge(&h.sspr).expect("an outcome");
    assert!(matches!(stay, Stay::Expired(Expired)), "{stay:?}");

    assert_eq!(h.directory.lookups(), 0);
    assert_eq!(expired_events(&h), before + 3);
}

#[tokio::test]
async fn choose_method_expires_and_sends_nothing() {
    let h = Harness::revealing();
    let choose = h.choose_method(JAN).await;
    let before = reach(&h, choose.deadline());
    let outcome = choose.choose(&h.sspr, 0).await.expect("an outcome");
    assert!(matches!(outcome, ToVerify::Expired(Expired)), "{outcome:?}");
    assert_eq!(h.codes_sent(), 0);
    assert_eq!(expired_events(&h), before + 1);

    // One second earlier it still works.
    let choose = h.choose_method(JAN).await;
    h.clock.set(choose.deadline() - Duration::seconds(1));
    let outcome = choose.choose(&h.sspr, 0).await.expect("an outcome");
    assert!(matches!(outcome, ToVerify::Verify(_)), "{outcome:?}");
}

#[tokio::test]
async fn verify_expires_on_submit_and_resend() {
    let h = Harness::revealing();
    let verify = h.verify(JAN, 0).await;
    let code = h.code_to(&phone());
    let before = reach(&h, verify.deadline());
    let outcome = verify.submit(&h.sspr, &code).await.expect("an outcome");
    assert!(
        matches!(outcome, FromVerify::Expired(Expired)),
        "{outcome:?}"
    );
    assert_eq!(expired_events(&h), before + 1);

    let verify = h.verify(JAN, 1).await;
    let sent = h.codes_sent();
    reach(&h, verify.deadline());
    let outcome = verify.resend(&h.sspr).await.expect("an outcome");
    assert!(matches!(outcome, ToVerify::Expired(Expired)), "{outcome:?}");
    assert_eq!(h.codes_sent(), sent, "no code after expiry");
    assert_eq!(expired_events(&h), before + 2);
}

#[tokio::test]
async fn new_password_expires_and_stores_nothing() {
    let h = Harness::revealing();
    let new_password = h.new_password().await;
    let deliveries = h.outbox.deliveries().len();
    let before = reach(&h, new_password.deadline());
    let outcome = new_password
        .submit(&h.sspr, Password::new(STRONG), Password::new(STRONG))
        .await
        .expect("an outcome");
    assert!(
        matches!(outcome, FromNewPassword::Expired(Expired)),
        "{outcome:?}"
    );
    assert_eq!(expired_events(&h), before + 1);
    assert_eq!(h.directory.stores(), 0);
    let stored = h.directory.inner.get(&id(JAN)).expect("Jan");
    assert!(stored.password_hash.is_none());
    assert_eq!(h.outbox.deliveries().len(), deliveries, "no notice");
}

#[tokio::test]
async fn an_expired_challenge_is_replaced_without_costing_an_attempt() {
    let h = Harness::revealing();
    let identify = h.identify();
    let attempts = identify.step().attempts_left();
    let renewals = identify.step().renewals_left();
    assert_eq!(
        identify.step().challenge_deadline(),
        h.now() + Duration::minutes(5)
    );
    let old = answer_of(&identify);
    h.advance(h.sspr.policy().challenge_lifetime());

    // The right answer, too late.
    let refused = identify
        .submit(&h.sspr, JAN, &old)
        .await
        .expect_err("expired");
    assert!(
        matches!(refused.reason, Refusal::ChallengeExpired),
        "{:?}",
        refused.reason
    );
    let identify = refused.wizard;
    assert_eq!(identify.step().attempts_left(), attempts);
    assert_eq!(identify.step().renewals_left(), renewals, "no renewal used");
    assert_ne!(answer_of(&identify), old, "a new challenge");
    assert_eq!(
        identify.step().challenge_deadline(),
        h.now() + Duration::minutes(5)
    );

    // A wrong answer, too late, costs nothing either.
    h.advance(h.sspr.policy().challenge_lifetime());
    let wrong = wrong_answer(&identify);
    let refused = identify
        .submit(&h.sspr, JAN, &wrong)
        .await
        .expect_err("expired");
    assert!(matches!(refused.reason, Refusal::ChallengeExpired));
    let identify = refused.wizard;
    assert_eq!(identify.step().attempts_left(), attempts);
    assert_eq!(h.directory.lookups(), 0);

    // The new challenge, in time, goes on.
    let answer = answer_of(&identify);
    let outcome = identify
        .submit(&h.sspr, JAN, &answer)
        .await
        .expect("in time");
    assert!(
        matches!(outcome, FromIdentify::ChooseMethod(_)),
        "{outcome:?}"
    );
}
