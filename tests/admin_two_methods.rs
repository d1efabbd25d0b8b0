//! Two methods: accounts with an admin role always prove ownership twice, and a policy
//! can ask it of everyone. After the first code the person chooses again; the used method
//! is marked and cannot be chosen again.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

use sspr::Refusal;
use sspr::host::ContactMethod;
use sspr::host::Role;
use sspr::policy::Policy;
use sspr::step::{FromIdentify, FromVerify, ToVerify};
use sspr::testing::{ADMIN, Harness, JAN, phone, policy, record};

fn admin_phone() -> ContactMethod {
    ContactMethod::sms("+31 6 87654321")
}

fn admin_mail() -> ContactMethod {
    ContactMethod::email("grace@fabrikam.example")
}

/// Runs the two-method flow for `user`, whose methods are `first` and `second`, sending
/// the first code to the method at `start`.
async fn two_methods(h: &Harness, user: &str, methods: [ContactMethod; 2], start: usize) {
    let choose = h.choose_method(user).await;
    assert_eq!(choose.step().required(), 2);
    assert_eq!(choose.step().verified(), 0);
    assert!(choose.step().methods().iter().all(|m| !m.used));

    let verify = h.send_code(choose, start).await;
    assert_eq!(verify.step().sent_to(), Some(methods[start].masked()));
    let FromVerify::ChooseMethod(choose) = h.submit_code(verify, &methods[start]).await else {
        unreachable!("a second method is needed");
    };
    assert_eq!(choose.step().verified(), 1);
    let shown = choose.step().methods();
    assert_eq!(shown.len(), 2);
    assert!(shown[start].used, "the first method is marked used");
    assert!(!shown[1 - start].used);
    assert_eq!(shown[start].contact, methods[start].masked());

    // Choosing the used method again (or one that does not exist) is refused.
    let sent = h.codes_sent();
    let refused = choose.choose(&h.sspr, start).await.expect_err("used");
    assert!(
        matches!(refused.reason, Refusal::UnknownMethod),
        "{:?}",
        refused.reason
    );
    let refused = refused.wizard.choose(&h.sspr, 2).await.expect_err("none");
    assert!(matches!(refused.reason, Refusal::UnknownMethod));
    let choose = refused.wizard;
    assert_eq!(h.codes_sent(), sent, "nothing sent");
    assert_eq!(choose.step().verified(), 1);

    // The first code does not prove the second method.
    let verify = h.send_code(choose, 1 - start).await;
    let first_code = h.code_to(&methods[start]);
    let second_code = h.code_to(&methods[1 - start]);
    let verify = if first_code == second_code {
        verify
    } else {
        let refused = verify
            .submit(&h.sspr, &first_code)
            .await
            .expect_err("old code");
        assert!(matches!(refused.reason, Refusal::WrongCode { .. }));
        refused.wizard
    };
    let FromVerify::NewPassword(new_password) = h.submit_code(verify, &methods[1 - start]).await
    else {
        unreachable!("two methods proved");
    };
    let mut used = new_password.step().methods_used();
    used.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    let mut expected: Vec<_> = methods.iter().map(ContactMethod::masked).collect();
    expected.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    assert_eq!(used, expected);
}

#[tokio::test]
async fn a_global_admin_needs_two_methods() {
    let h = Harness::revealing();
    assert_eq!(h.sspr.policy().methods_required(), 1);
    two_methods(&h, ADMIN, [admin_phone(), admin_mail()], 0).await;
}

#[tokio::test]
async fn the_order_of_the_two_methods_is_the_persons() {
    let h = Harness::revealing();
    two_methods(&h, ADMIN, [admin_phone(), admin_mail()], 1).await;
}

#[tokio::test]
async fn any_admin_role_needs_two_methods() {
    let h = Harness::revealing();
    h.add(record(
        "helpdesk@contoso.nl",
        true,
        vec![Role::User, Role::HelpdeskAdmin],
        vec![admin_phone(), admin_mail()],
    ));
    two_methods(&h, "helpdesk@contoso.nl", [admin_phone(), admin_mail()], 0).await;
}

#[tokio::test]
async fn a_policy_can_ask_two_methods_of_everyone() {
    let h = Harness::new(policy(Policy::builder().conceal(false).methods_required(2)));
    two_methods(&h, JAN, [phone(), sspr::testing::mail()], 0).await;

    // An ordinary user with one method cannot reset under that policy.
    h.add(record(
        "one@contoso.nl",
        true,
        vec![Role::User],
        vec![phone()],
    ));
    let outcome = h.submit_right("one@contoso.nl").await;
    assert!(matches!(outcome, FromIdentify::AskAdmin(_)), "{outcome:?}");
}

#[tokio::test]
async fn an_admin_with_one_method_asks_the_admin() {
    let h = Harness::revealing();
    h.add(record(
        "lonely.admin@contoso.nl",
        true,
        vec![Role::GlobalAdmin],
        vec![admin_phone()],
    ));
    let outcome = h.submit_right("lonely.admin@contoso.nl").await;
    assert!(matches!(outcome, FromIdentify::AskAdmin(_)), "{outcome:?}");
}

#[tokio::test]
async fn going_back_to_choose_another_method_forgets_the_unproved_code() {
    let h = Harness::revealing();
    let verify = h.verify(JAN, 0).await;
    let phone_code = h.code_to(&phone());
    let choose = verify
        .choose_another_method()
        .expect("allowed without conceal");
    assert_eq!(choose.step().verified(), 0, "nothing proved yet");
    assert!(choose.step().methods().iter().all(|m| !m.used));
    let outcome = choose.choose(&h.sspr, 1).await.expect("sent");
    let ToVerify::Verify(verify) = outcome else {
        unreachable!("{outcome:?}");
    };
    let mail_code = h.code_to(&sspr::testing::mail());
    if mail_code != phone_code {
        let refused = verify
            .submit(&h.sspr, &phone_code)
            .await
            .expect_err("stale");
        assert!(matches!(refused.reason, Refusal::WrongCode { .. }));
        let outcome = refused
            .wizard
            .submit(&h.sspr, &mail_code)
            .await
            .expect("right");
        assert!(matches!(outcome, FromVerify::NewPassword(_)), "{outcome:?}");
    }
}
