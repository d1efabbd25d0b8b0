//! Per-user-ID limits hold across flows: codes sent and wrong codes within the window,
//! then a block of `user_block` that every new (and open) flow respects; the counters
//! restart after the window and are cleared by a successful reset.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

use sspr::Refusal;
use sspr::host::Role;
use sspr::password::Password;
use sspr::policy::Policy;
use sspr::step::{FromIdentify, FromNewPassword, FromVerify, ToVerify};
use sspr::testing::{Harness, JAN, STRONG, phone, policy, record, wrong_code};
use sspr::{LockReason, Locked};
use time::Duration;

fn blocked_until(h: &Harness) -> Locked {
    Locked {
        reason: LockReason::UserBlocked,
        until: Some(h.now() + h.sspr.policy().user_block()),
    }
}

#[tokio::test]
async fn the_sixth_code_send_across_flows_blocks_the_user_id_for_a_day() {
    let h = Harness::revealing();
    h.add(record(
        "kees@contoso.nl",
        true,
        vec![Role::User],
        vec![phone()],
    ));
    assert_eq!(h.sspr.policy().user_code_sends(), 5);
    assert_eq!(h.sspr.policy().user_block(), Duration::hours(24));

    let mut open = Vec::new();
    for _ in 0..5 {
        open.push(h.verify(JAN, 0).await);
        h.advance(Duration::minutes(1));
    }
    assert_eq!(h.codes_sent(), 5);

    // The sixth send, in a sixth flow.
    let choose = h.choose_method(JAN).await;
    let outcome = choose.choose(&h.sspr, 1).await.expect("an outcome");
    let ToVerify::Locked(locked) = outcome else {
        unreachable!("expected Locked, got {outcome:?}");
    };
    let expected = blocked_until(&h);
    assert_eq!(locked, expected);
    assert_eq!(h.codes_sent(), 5, "the sixth code was not sent");

    // A resend in an open flow is blocked too.
    let outcome = open
        .pop()
        .expect("open")
        .resend(&h.sspr)
        .await
        .expect("an outcome");
    assert!(
        matches!(&outcome, ToVerify::Locked(l) if *l == expected),
        "{outcome:?}"
    );

    // A new flow, with the ID typed differently, is locked right after the challenge.
    h.advance(Duration::hours(23));
    let outcome = h.submit_right("JAN.Jansen@Contoso.NL").await;
    assert!(
        matches!(&outcome, FromIdentify::Locked(l) if *l == expected),
        "{outcome:?}"
    );
    assert_eq!(h.codes_sent(), 5);

    // Another user ID is not affected.
    let outcome = h.submit_right("kees@contoso.nl").await;
    assert!(
        matches!(outcome, FromIdentify::ChooseMethod(_)),
        "{outcome:?}"
    );

    // A day later the block is over.
    h.advance(Duration::hours(1));
    let verify = h.verify(JAN, 0).await;
    let outcome = h.submit_code(verify, &phone()).await;
    assert!(matches!(outcome, FromVerify::NewPassword(_)), "{outcome:?}");
}

#[tokio::test]
async fn code_sends_restart_after_the_window() {
    let h = Harness::new(policy(Policy::builder().conceal(false).user_code_sends(2)));
    let _ = h.verify(JAN, 0).await;
    let _ = h.verify(JAN, 0).await;
    h.advance(h.sspr.policy().user_window());
    // Two more in the next window.
    let _ = h.verify(JAN, 0).await;
    let verify = h.verify(JAN, 1).await;
    let outcome = verify.resend(&h.sspr).await.expect("an outcome");
    assert!(
        matches!(outcome, ToVerify::Locked(ref l) if *l == blocked_until(&h)),
        "{outcome:?}"
    );
    assert_eq!(h.codes_sent(), 4);
}

#[tokio::test]
async fn failed_verifications_across_flows_block_the_user_id() {
    let h = Harness::new(policy(
        Policy::builder()
            .conceal(false)
            .conceal(false)
            .code_attempts(2)
            .user_failed_verifications(5)
            .user_code_sends(20),
    ));
    let mut wrong_codes = 0;
    let locked = 'flows: loop {
        assert!(wrong_codes < 20, "never blocked");
        let mut verify = h.verify(JAN, 0).await;
        let wrong = wrong_code(&h.code_to(&phone()));
        loop {
            wrong_codes += 1;
            match verify.submit(&h.sspr, &wrong).await {
                Err(refused) => {
                    assert!(matches!(refused.reason, Refusal::WrongCode { .. }));
                    verify = refused.wizard;
                }
                Ok(FromVerify::Locked(locked)) if locked.reason == LockReason::CodeAttempts => {
                    continue 'flows;
                }
                Ok(FromVerify::Locked(locked)) => break 'flows locked,
                Ok(other) => unreachable!("{other:?}"),
            }
        }
    };
    assert_eq!(locked, blocked_until(&h));
    assert!(wrong_codes > 2, "blocked by one flow's attempts alone");

    // A new flow is locked, without a code sent.
    let sent = h.codes_sent();
    let outcome = h.submit_right(JAN).await;
    assert!(
        matches!(&outcome, FromIdentify::Locked(l) if *l == locked),
        "{outcome:?}"
    );
    assert_eq!(h.codes_sent(), sent);
}

#[tokio::test]
async fn the_user_id_is_blocked_by_its_limit_th_wrong_code() {
    // Five wrong codes per user ID and window (the design's "5 failed verifications per
    // hour, then blocked 24 h"), like five per flow: the fifth wrong code locks, so at
    // most five guesses are ever checked. Here a flow could take ten.
    let h = Harness::new(policy(
        Policy::builder()
            .conceal(false)
            .conceal(false)
            .code_attempts(10)
            .user_failed_verifications(5),
    ));
    let mut verify = h.verify(JAN, 0).await;
    let wrong = wrong_code(&h.code_to(&phone()));
    for n in 1..=5 {
        match verify.submit(&h.sspr, &wrong).await {
            Err(refused) => {
                assert!(
                    n < 5,
                    "wrong code {n} of a limit of 5 was refused with {:?}, the flow goes on",
                    refused.reason
                );
                verify = refused.wizard;
            }
            Ok(FromVerify::Locked(locked)) => {
                assert_eq!(n, 5, "locked early");
                assert_eq!(locked, blocked_until(&h));
                return;
            }
            Ok(other) => unreachable!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn a_blocked_user_id_can_verify_in_no_open_flow() {
    let h = Harness::new(policy(
        Policy::builder()
            .conceal(false)
            .conceal(false)
            .code_attempts(10)
            .user_failed_verifications(3)
            .user_code_sends(20),
    ));
    // Two flows reach Verify; the second one's code is known to its holder.
    let mut guessing = h.verify(JAN, 0).await;
    let open = h.verify(JAN, 1).await;
    let right = h.code_to(&sspr::testing::mail());

    // Wrong codes in the first flow block the user ID.
    let wrong = wrong_code(&h.code_to(&phone()));
    let locked = loop {
        match guessing.submit(&h.sspr, &wrong).await {
            Err(refused) => guessing = refused.wizard,
            Ok(FromVerify::Locked(locked)) => break locked,
            Ok(other) => unreachable!("{other:?}"),
        }
    };
    assert_eq!(locked.reason, LockReason::UserBlocked);

    // The other flow, opened before the block, must not let a code through now.
    let outcome = open.submit(&h.sspr, &right).await;
    assert!(
        matches!(&outcome, Ok(FromVerify::Locked(l)) if l.reason == LockReason::UserBlocked),
        "a blocked user ID verified a code in an open flow: {outcome:?}"
    );
}

#[tokio::test]
async fn a_successful_reset_clears_the_counters() {
    let h = Harness::new(policy(
        Policy::builder()
            .conceal(false)
            .conceal(false)
            .user_code_sends(5)
            .user_failed_verifications(5)
            .code_resends(3),
    ));
    // Four sends and two wrong codes, then a reset.
    let mut verify = h.verify(JAN, 0).await;
    for _ in 0..3 {
        let Ok(ToVerify::Verify(next)) = verify.resend(&h.sspr).await else {
            unreachable!("resend refused");
        };
        verify = next;
    }
    let wrong = wrong_code(&h.code_to(&phone()));
    for _ in 0..2 {
        verify = verify
            .submit(&h.sspr, &wrong)
            .await
            .expect_err("wrong")
            .wizard;
    }
    let FromVerify::NewPassword(new_password) = h.submit_code(verify, &phone()).await else {
        unreachable!("the right code goes on");
    };
    let outcome = new_password
        .submit(&h.sspr, Password::new(STRONG), Password::new(STRONG))
        .await
        .expect("strong");
    assert!(
        matches!(outcome, FromNewPassword::Completed(_)),
        "{outcome:?}"
    );

    // Without the clear, the next flow would pass both limits (4 + 4 sends, 2 + 4 wrong).
    let mut verify = h.verify(JAN, 0).await;
    for _ in 0..3 {
        let outcome = verify.resend(&h.sspr).await.expect("an outcome");
        let ToVerify::Verify(next) = outcome else {
            unreachable!("the counters were not cleared: {outcome:?}");
        };
        verify = next;
    }
    let wrong = wrong_code(&h.code_to(&phone()));
    for left in [4u8, 3, 2, 1] {
        let refused = verify.submit(&h.sspr, &wrong).await.expect_err("wrong");
        assert!(
            matches!(refused.reason, Refusal::WrongCode { attempts_left } if attempts_left == left),
            "the counters were not cleared: {:?}",
            refused.reason
        );
        verify = refused.wizard;
    }
}
