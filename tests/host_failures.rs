//! A host part that fails (delivery, directory, counters) gives `Refusal::Unavailable`
//! with the wizard back unchanged, and the flow goes on once the part works again. A
//! failure never buys an attacker extra guesses, and a notice that cannot be delivered
//! after the change does not undo it.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

use sspr::UserId;
use sspr::event::{Activity, Detail, EventRecorder};
use sspr::host::CodeKey;
use sspr::host::ContactMethod;
use sspr::host::{CodeSender, Notice, Outbox, SendError};
use sspr::password::Password;
use sspr::policy::Policy;
use sspr::step::{FromIdentify, FromNewPassword, FromVerify, ToVerify};
use sspr::testing::{
    CODE_KEY_BYTES, Harness, JAN, STRONG, TestDirectory, answer_of, id, mail, phone, policy,
    wrong_code,
};
use sspr::{Error, Refusal, Sspr};

fn unavailable(reason: &Refusal) -> bool {
    matches!(reason, Refusal::Unavailable(_))
}

#[tokio::test]
async fn a_failing_delivery_gives_choose_method_back_unchanged() {
    let h = Harness::revealing();
    let choose = h.choose_method(JAN).await;
    let before = format!("{:?}", choose.step());
    h.outbox.set_failing(true);
    let refused = choose.choose(&h.sspr, 0).await.expect_err("delivery fails");
    assert!(
        matches!(refused.reason, Refusal::Unavailable(Error::Send(_))),
        "{:?}",
        refused.reason
    );
    let choose = refused.wizard;
    assert_eq!(format!("{:?}", choose.step()), before);
    assert!(h.outbox.deliveries().is_empty());

    h.outbox.set_failing(false);
    let verify = h.send_code(choose, 0).await;
    let outcome = h.submit_code(verify, &phone()).await;
    assert!(matches!(outcome, FromVerify::NewPassword(_)), "{outcome:?}");
}

#[tokio::test]
async fn failed_deliveries_do_not_use_up_the_user_ids_code_sends() {
    // "Nothing moved on: try the step again": a code that never left is not a code sent,
    // so a delivery outage must not block the person once it is over.
    let h = Harness::new(policy(Policy::builder().conceal(false).user_code_sends(2)));
    let mut choose = h.choose_method(JAN).await;
    h.outbox.set_failing(true);
    for attempt in 1..=3 {
        let outcome = choose.choose(&h.sspr, 0).await;
        match outcome {
            Err(refused) if unavailable(&refused.reason) => choose = refused.wizard,
            other => unreachable!("attempt {attempt} during the outage gave {other:?}"),
        }
    }
    h.outbox.set_failing(false);
    let outcome = choose.choose(&h.sspr, 0).await;
    assert!(
        matches!(outcome, Ok(ToVerify::Verify(_))),
        "after the outage: {outcome:?}"
    );
}

#[tokio::test]
async fn a_failing_resend_keeps_the_old_code_working() {
    let h = Harness::revealing();
    let verify = h.verify(JAN, 0).await;
    let code = h.code_to(&phone());
    let before = format!("{:?}", verify.step());
    h.outbox.set_failing(true);
    let refused = verify.resend(&h.sspr).await.expect_err("delivery fails");
    assert!(unavailable(&refused.reason), "{:?}", refused.reason);
    let verify = refused.wizard;
    assert_eq!(format!("{:?}", verify.step()), before);
    h.outbox.set_failing(false);
    let outcome = verify
        .submit(&h.sspr, &code)
        .await
        .expect("the code still works");
    assert!(matches!(outcome, FromVerify::NewPassword(_)), "{outcome:?}");
}

#[tokio::test]
async fn a_failing_directory_gives_identify_back_unchanged() {
    let h = Harness::revealing();
    let identify = h.identify();
    let answer = answer_of(&identify);
    let attempts = identify.step().attempts_left();
    let renewals = identify.step().renewals_left();
    let deadline = identify.step().challenge_deadline();
    h.directory.set_failing_find(true);
    let refused = identify
        .submit(&h.sspr, JAN, &answer)
        .await
        .expect_err("directory down");
    assert!(
        matches!(refused.reason, Refusal::Unavailable(Error::Directory(_))),
        "{:?}",
        refused.reason
    );
    let identify = refused.wizard;
    assert_eq!(answer_of(&identify), answer);
    assert_eq!(identify.step().attempts_left(), attempts);
    assert_eq!(identify.step().renewals_left(), renewals);
    assert_eq!(identify.step().challenge_deadline(), deadline);

    h.directory.set_failing_find(false);
    let outcome = identify
        .submit(&h.sspr, JAN, &answer)
        .await
        .expect("works again");
    assert!(
        matches!(outcome, FromIdentify::ChooseMethod(_)),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_failing_directory_gives_new_password_back_unchanged() {
    let h = Harness::revealing();
    let new_password = h.new_password().await;
    let before = format!("{:?}", new_password.step());

    h.directory.set_failing_find(true);
    let refused = new_password
        .submit(&h.sspr, Password::new(STRONG), Password::new(STRONG))
        .await
        .expect_err("directory down");
    assert!(unavailable(&refused.reason), "{:?}", refused.reason);
    h.directory.set_failing_find(false);

    h.directory.set_failing_store(true);
    let refused = refused
        .wizard
        .submit(&h.sspr, Password::new(STRONG), Password::new(STRONG))
        .await
        .expect_err("directory cannot store");
    assert!(unavailable(&refused.reason), "{:?}", refused.reason);
    let new_password = refused.wizard;
    assert_eq!(format!("{:?}", new_password.step()), before);
    assert!(
        h.directory
            .inner
            .get(&id(JAN))
            .expect("Jan")
            .password_hash
            .is_none()
    );
    assert_eq!(h.codes_sent(), h.outbox.deliveries().len(), "no notice yet");

    h.directory.set_failing_store(false);
    let outcome = new_password
        .submit(&h.sspr, Password::new(STRONG), Password::new(STRONG))
        .await
        .expect("works again");
    assert!(
        matches!(outcome, FromNewPassword::Completed(_)),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn failing_counters_give_choose_method_back_unchanged() {
    let h = Harness::revealing();
    let choose = h.choose_method(JAN).await;
    let before = format!("{:?}", choose.step());
    h.counters.set_failing(true);
    let refused = choose.choose(&h.sspr, 1).await.expect_err("counters down");
    assert!(
        matches!(refused.reason, Refusal::Unavailable(Error::Counters(_))),
        "{:?}",
        refused.reason
    );
    assert_eq!(format!("{:?}", refused.wizard.step()), before);
    assert!(h.outbox.deliveries().is_empty());
    h.counters.set_failing(false);
    let verify = h.send_code(refused.wizard, 1).await;
    let outcome = h.submit_code(verify, &mail()).await;
    assert!(matches!(outcome, FromVerify::NewPassword(_)), "{outcome:?}");
}

#[tokio::test]
async fn failing_counters_buy_no_extra_code_guesses() {
    // Every wrong code is answered (so the guess is spent); while the counters are down a
    // flow must not answer more than its `code_attempts` guesses.
    let h = Harness::new(policy(Policy::builder().conceal(false).code_attempts(3)));
    let mut verify = h.verify(JAN, 0).await;
    let right = h.code_to(&phone());
    let wrong = wrong_code(&right);
    h.counters.set_failing(true);
    for _ in 0..5 {
        match verify.submit(&h.sspr, &wrong).await {
            Err(refused) => verify = refused.wizard,
            Ok(FromVerify::Locked(_)) => return,
            Ok(other) => unreachable!("{other:?}"),
        }
    }
    // Five wrong guesses answered; the sixth is the right one.
    let outcome = verify.submit(&h.sspr, &right).await;
    assert!(
        !matches!(outcome, Ok(FromVerify::NewPassword(_))),
        "the right code passed after 5 wrong codes with 3 attempts while the counters were \
         down: {outcome:?}"
    );
}

/// Delivers codes; every notice fails.
#[derive(Debug, Clone, Default)]
struct NoNotices(Outbox);

impl CodeSender for NoNotices {
    async fn send_code(
        &self,
        user: &UserId,
        to: &ContactMethod,
        code: &sspr::host::OneTimeCode,
    ) -> Result<(), SendError> {
        self.0.send_code(user, to, code).await
    }

    async fn send_notice(
        &self,
        _user: &UserId,
        _to: &ContactMethod,
        _notice: Notice,
    ) -> Result<(), SendError> {
        Err(SendError::unavailable("no notices today"))
    }
}

#[tokio::test]
async fn a_failing_notice_does_not_undo_the_change() {
    let directory = TestDirectory::default();
    directory.inner.insert(sspr::testing::record(
        JAN,
        true,
        vec![sspr::host::Role::User],
        vec![phone(), mail()],
    ));
    let outbox = Outbox::new();
    let events = EventRecorder::new();
    let sspr = Sspr::builder(directory.clone(), NoNotices(outbox.clone()))
        .policy(sspr::testing::revealing_policy())
        .code_key(CodeKey::from_bytes(CODE_KEY_BYTES))
        .events(events.clone())
        .build()
        .expect("builds");
    let identify = match sspr
        .start()
        .expect("starts")
        .choose(&sspr, sspr::step::AccountType::WorkOrSchool)
    {
        Ok(sspr::step::FromSelectAccount::Identify(identify)) => identify,
        other => unreachable!("{other:?}"),
    };
    let answer = answer_of(&identify);
    let Ok(FromIdentify::ChooseMethod(choose)) = identify.submit(&sspr, JAN, &answer).await else {
        unreachable!("Jan may reset");
    };
    let Ok(ToVerify::Verify(verify)) = choose.choose(&sspr, 0).await else {
        unreachable!("sent");
    };
    let code = outbox.last_code_to(&phone()).expect("sent");
    let Ok(FromVerify::NewPassword(new_password)) = verify.submit(&sspr, &code).await else {
        unreachable!("right code");
    };
    let outcome = new_password
        .submit(&sspr, Password::new(STRONG), Password::new(STRONG))
        .await
        .expect("the change stands");
    assert!(
        matches!(outcome, FromNewPassword::Completed(_)),
        "{outcome:?}"
    );
    assert!(
        directory
            .inner
            .get(&id(JAN))
            .expect("Jan")
            .password_hash
            .is_some()
    );
    let failed: Vec<_> = events
        .events()
        .into_iter()
        .filter(|e| matches!(e.detail, Detail::NoticeFailed { .. }))
        .collect();
    assert_eq!(failed.len(), 2, "one per method: {failed:?}");
    assert!(
        failed
            .iter()
            .all(|e| e.activity == Activity::FlowActivityProgress)
    );
}
