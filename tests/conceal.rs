//! The conceal policy: every solved challenge leads to a Verify step that says only "if
//! this account can reset, a code was sent". For an unknown, disabled or blocked account
//! nothing is sent and no code is ever right; an account that can reset gets its code.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

use sspr::host::ContactMethod;
use sspr::policy::Policy;
use sspr::step::{FromIdentify, FromVerify, ToVerify, Verify};
use sspr::testing::{ADMIN, DISABLED, Harness, JAN, UNKNOWN, phone, policy, wrong_code};
use sspr::{LockReason, Locked};
use sspr::{Refusal, Wizard};

fn conceal() -> Harness {
    Harness::new(policy(
        Policy::builder()
            .conceal(true)
            .code_attempts(10)
            .user_failed_verifications(20),
    ))
}

async fn verify_step(h: &Harness, user: &str) -> Wizard<Verify> {
    match h.submit_right(user).await {
        FromIdentify::Verify(verify) => verify,
        other => unreachable!("{user}: expected Verify, got {other:?}"),
    }
}

/// What the person sees of a Verify step: everything but the user ID they typed.
fn seen(verify: &Wizard<Verify>) -> String {
    let step = verify.step();
    format!(
        "{:?} {} {} {}",
        step.sent_to(),
        step.attempts_left(),
        step.resends_left(),
        step.code_deadline()
    )
}

#[tokio::test]
async fn unknown_and_disabled_accounts_get_a_verify_step_that_accepts_no_code() {
    for user in [UNKNOWN, DISABLED] {
        let h = conceal();
        let mut verify = verify_step(&h, user).await;
        assert_eq!(verify.step().sent_to(), None);
        assert!(h.outbox.deliveries().is_empty(), "{user}: nothing sent");

        // A resend "works" and sends nothing.
        let resends = verify.step().resends_left();
        let outcome = verify.resend(&h.sspr).await.expect("looks sent");
        let ToVerify::Verify(next) = outcome else {
            unreachable!("{outcome:?}");
        };
        verify = next;
        assert_eq!(verify.step().resends_left(), resends - 1);
        assert!(h.outbox.deliveries().is_empty());

        // There are no methods to go back to.
        let refused = verify.choose_another_method().expect_err("no methods");
        assert!(matches!(refused.reason, Refusal::UnknownMethod));
        verify = refused.wizard;

        // No code is right: every attempt fails until the flow locks.
        let codes = [
            "000000", "123456", "999999", "111111", "654321", "000001", "500000", "424242",
            "271828", "314159",
        ];
        for (n, code) in codes.into_iter().enumerate() {
            match verify.submit(&h.sspr, code).await {
                Err(refused) => {
                    assert!(
                        matches!(refused.reason, Refusal::WrongCode { .. }),
                        "{user} {code}: {:?}",
                        refused.reason
                    );
                    verify = refused.wizard;
                }
                Ok(FromVerify::Locked(locked)) => {
                    assert_eq!(n + 1, codes.len(), "{user}: locked early");
                    assert_eq!(
                        locked,
                        Locked {
                            reason: LockReason::CodeAttempts,
                            until: None
                        }
                    );
                    break;
                }
                Ok(other) => unreachable!("{user} {code}: a code was accepted: {other:?}"),
            }
        }
        assert!(h.outbox.deliveries().is_empty());
    }
}

#[tokio::test]
async fn an_account_that_can_reset_gets_its_code_behind_the_same_words() {
    let h = conceal();
    let verify = verify_step(&h, JAN).await;
    assert_eq!(verify.step().sent_to(), None, "where it went is not said");
    assert_eq!(h.codes_sent(), 1);
    let code = h.code_to(&phone());

    // Looks like the step of an account that cannot reset.
    let other = conceal();
    let phantom = verify_step(&other, UNKNOWN).await;
    assert_eq!(seen(&verify), seen(&phantom));

    // The same refusal for a wrong code.
    let wrong = wrong_code(&code);
    let real = verify.submit(&h.sspr, &wrong).await.expect_err("wrong");
    let fake = phantom
        .submit(&other.sspr, &wrong)
        .await
        .expect_err("wrong");
    assert_eq!(real.reason.to_string(), fake.reason.to_string());
    assert_eq!(seen(&real.wizard), seen(&fake.wizard));

    // The choice of another method is hidden too.
    let refused = real.wizard.choose_another_method().expect_err("hidden");
    assert!(matches!(refused.reason, Refusal::UnknownMethod));

    // The real code works.
    let outcome = refused.wizard.submit(&h.sspr, &code).await.expect("right");
    assert!(matches!(outcome, FromVerify::NewPassword(_)), "{outcome:?}");
}

#[tokio::test]
async fn an_admin_gets_the_second_code_without_choosing() {
    let h = conceal();
    let first = ContactMethod::sms("+31 6 87654321");
    let second = ContactMethod::email("grace@fabrikam.example");
    let verify = verify_step(&h, ADMIN).await;
    assert!(h.outbox.last_code_to(&second).is_none());
    let outcome = h.submit_code(verify, &first).await;
    let FromVerify::Verify(verify) = outcome else {
        unreachable!("a second code: {outcome:?}");
    };
    assert_eq!(verify.step().sent_to(), None);
    assert_eq!(h.codes_sent(), 2);
    let outcome = h.submit_code(verify, &second).await;
    let FromVerify::NewPassword(new_password) = outcome else {
        unreachable!("{outcome:?}");
    };
    assert_eq!(new_password.step().methods_used().len(), 2);
}

#[tokio::test]
async fn a_blocked_account_looks_like_any_other_and_gets_nothing() {
    let h = Harness::new(policy(Policy::builder().conceal(true).user_code_sends(1)));
    let _ = verify_step(&h, JAN).await;
    assert_eq!(h.codes_sent(), 1);
    // The second flow passes the limit of sends: the ID is blocked, silently.
    let blocked = verify_step(&h, JAN).await;
    assert_eq!(blocked.step().sent_to(), None);
    assert_eq!(h.codes_sent(), 1, "nothing more sent");
    let code = h.code_to(&phone());
    let outcome = blocked.submit(&h.sspr, &code).await;
    assert!(
        matches!(outcome, Err(ref r) if matches!(r.reason, Refusal::WrongCode { .. })),
        "{outcome:?}"
    );
    // A third flow still looks the same.
    let third = verify_step(&h, JAN).await;
    let phantom = verify_step(&h, UNKNOWN).await;
    assert_eq!(seen(&third), seen(&phantom));
    assert_eq!(h.codes_sent(), 1);
}

/// What a resend under the conceal policy looks like for `user`, whose sends are
/// limited to one: the real account passes its limit, the unknown one sends nothing.
async fn resend_outcome(user: &str) -> &'static str {
    let h = Harness::new(policy(
        Policy::builder()
            .conceal(true)
            .user_code_sends(1)
            .code_resends(1),
    ));
    match verify_step(&h, user).await.resend(&h.sspr).await {
        Ok(ToVerify::Verify(_)) => "verify",
        Ok(ToVerify::Locked(_)) => "locked",
        Ok(ToVerify::Expired(_)) => "expired",
        Err(_) => "refused",
    }
}

#[tokio::test]
async fn a_resend_looks_the_same_for_every_account() {
    let real = resend_outcome(JAN).await;
    let unknown = resend_outcome(UNKNOWN).await;
    assert_eq!(
        real, unknown,
        "resend tells a real account from an unknown one"
    );
}

#[tokio::test]
async fn a_failed_delivery_suspends_resumes_and_its_resend_tries_again() {
    use sspr::AnyStep;
    use sspr::store::{Flows, MemoryFlowStore};

    let h = conceal();
    h.outbox.set_failing(true);
    let verify = verify_step(&h, JAN).await;
    assert_eq!(h.codes_sent(), 0);
    let flows = Flows::new(MemoryFlowStore::new(), sspr::testing::keys())
        .expect("an in-memory store or real keys")
        .with_clock(h.clock.clone());
    let flow = verify.flow_id().to_string();
    flows.save(&verify.into()).await.expect("suspends");
    let resumed = flows.resume(&flow).await;
    let Ok(AnyStep::Verify(verify)) = resumed else {
        panic!("a conceal Verify after a failed delivery resumes: {resumed:?}")
    };
    h.outbox.set_failing(false);
    let Ok(ToVerify::Verify(verify)) = verify.resend(&h.sspr).await else {
        panic!("the resend goes through")
    };
    assert_eq!(h.codes_sent(), 1, "the resend delivered a code");
    let outcome = h.submit_code(verify, &phone()).await;
    assert!(matches!(outcome, FromVerify::NewPassword(_)), "{outcome:?}");
}
