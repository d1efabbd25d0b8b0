//! Under the default (conceal) policy no request waits for a delivery: the code is handed
//! to the service's `Dispatch`, and what happens to it afterwards (a gateway that hangs,
//! one that fails) changes nothing the person sees on that page.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

use std::future::pending;
use std::time::Duration;

use sspr::event::Detail;
use sspr::host::{CodeSender, ContactMethod, DeliveryThread, Notice, OneTimeCode, SendError};
use sspr::policy::Policy;
use sspr::step::{AccountType, FromIdentify, FromSelectAccount, FromVerify, ToVerify};
use sspr::testing::{Harness, JAN, answer_of, demo_directory, phone, policy};
use sspr::{Sspr, UserId};

/// A delivery service that never answers.
struct Hanging;

impl CodeSender for Hanging {
    async fn send_code(
        &self,
        _: &UserId,
        _: &ContactMethod,
        _: &OneTimeCode,
    ) -> Result<(), SendError> {
        pending().await
    }
    async fn send_notice(&self, _: &UserId, _: &ContactMethod, _: Notice) -> Result<(), SendError> {
        pending().await
    }
}

#[tokio::test]
async fn a_delivery_service_that_never_answers_does_not_hold_up_the_request() {
    let sspr = Sspr::builder(demo_directory(), Hanging)
        .dispatch(DeliveryThread::with_capacity(1))
        .build()
        .expect("service");
    for _ in 0..3 {
        let Ok(FromSelectAccount::Identify(identify)) = sspr
            .start()
            .expect("starts")
            .choose(&sspr, AccountType::WorkOrSchool)
        else {
            panic!("expected Identify")
        };
        let answer = answer_of(&identify);
        // Awaiting the delivery would never end; the step returns at once.
        let outcome = tokio::time::timeout(
            Duration::from_secs(30),
            identify.submit(&sspr, JAN, &answer),
        )
        .await
        .expect("the request did not wait for the delivery")
        .expect("moves on");
        // The first delivery hangs on the thread, the second waits in the queue of one,
        // the third finds it full: all three pages look alike.
        assert!(matches!(outcome, FromIdentify::Verify(_)), "{outcome:?}");
    }
}

#[tokio::test]
async fn a_failed_delivery_gives_the_send_back_and_a_resend_delivers() {
    // One code per user ID and window: the resend fits only if the failed send was given
    // back.
    let h = Harness::new(policy(Policy::builder().user_code_sends(1)));
    h.outbox.set_failing(true);
    let FromIdentify::Verify(verify) = h.submit_right(JAN).await else {
        panic!("the conceal policy goes on to the code")
    };
    assert_eq!(h.codes_sent(), 0);
    assert!(
        h.event_trail()
            .iter()
            .any(|(_, detail)| matches!(detail, Detail::DeliveryFailed { .. })),
        "the failure is in the audit trail"
    );
    h.outbox.set_failing(false);
    let ToVerify::Verify(verify) = verify.resend(&h.sspr).await.expect("resends") else {
        panic!("the resend keeps the step")
    };
    let code = h.code_to(&phone());
    let outcome = verify
        .submit(&h.sspr, &code)
        .await
        .expect("the code is right");
    assert!(matches!(outcome, FromVerify::NewPassword(_)), "{outcome:?}");
}
