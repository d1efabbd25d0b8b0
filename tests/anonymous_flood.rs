//! Anyone can start flows without limit, and a flow before its challenge costs nothing
//! to start: a flood of starts must not deny anyone. The store keeps anonymous flows in a
//! bounded pool that evicts the oldest, apart from the flows past their challenge: after
//! a flood twenty times the pool, a person who had solved their challenge before it
//! finishes, a person who starts after it completes a whole reset through the store, and
//! the store holds no more than its pool.

use sspr::host::{ContactMethod, Role};
use sspr::password::Password;
use sspr::step::{AccountType, FromIdentify, FromNewPassword, FromSelectAccount, FromVerify};
use sspr::store::{Flows, MemoryFlowStore, Saved};
use sspr::testing::{Harness, JAN, STRONG, answer_of, keys, phone, record};
use sspr::{AnyStep, Next};

const POOL: usize = 500;
const FLOOD: usize = 20 * POOL;

/// Saves `next` and resumes it by its ID and nonce, as the next request does.
async fn round_trip(flows: &Flows<MemoryFlowStore>, next: Next) -> AnyStep {
    let saved: Saved = flows.save(&next).await.expect("saves").expect("a step");
    flows
        .resume_step(&saved.flow.to_string(), saved.nonce)
        .await
        .expect("the flow is still there")
}

async fn complete(
    h: &Harness,
    flows: &Flows<MemoryFlowStore>,
    step: AnyStep,
    to: &ContactMethod,
    password: &str,
) {
    let AnyStep::Verify(verify) = step else {
        panic!("expected the code step, got {step:?}")
    };
    let code = h.code_to(to);
    let Ok(FromVerify::NewPassword(new)) = verify.submit(&h.sspr, &code).await else {
        panic!("the right code")
    };
    let AnyStep::NewPassword(new) = round_trip(flows, new.into()).await else {
        panic!("new password")
    };
    let done = new
        .submit(&h.sspr, Password::new(password), Password::new(password))
        .await;
    assert!(
        matches!(done, Ok(FromNewPassword::Completed(_))),
        "{done:?}"
    );
}

#[tokio::test]
async fn after_a_flood_of_anonymous_starts_people_still_reset() {
    let h = Harness::default_policy();
    let kees_phone = ContactMethod::sms("+31 6 87654321");
    h.add(record(
        "kees@contoso.nl",
        true,
        vec![Role::User],
        vec![kees_phone.clone()],
    ));
    let store = MemoryFlowStore::with_limits(100, POOL, 8);
    let flows = Flows::new(store.clone(), keys())
        .expect("an in-memory store")
        .with_clock(h.sspr.clone());

    // Jan solved his challenge before the flood: his flow is past it, at the code.
    let FromIdentify::Verify(jan) = h.submit_right(JAN).await else {
        panic!("the code step")
    };
    let jan = flows
        .save(&jan.into())
        .await
        .expect("saves")
        .expect("a step");

    // The flood: every start is saved, none refused.
    for _ in 0..FLOOD {
        let start = h.sspr.start().expect("starts");
        flows
            .save(&start.into())
            .await
            .expect("a start is never refused");
    }
    assert!(store.anonymous_len() <= POOL, "{}", store.anonymous_len());
    assert_eq!(store.len(), 1, "only Jan's flow is past its challenge");

    // Jan goes on where he was.
    let step = flows
        .resume_step(&jan.flow.to_string(), jan.nonce)
        .await
        .expect("the flood left Jan's flow alone");
    complete(&h, &flows, step, &phone(), STRONG).await;

    // Kees starts after the flood and completes a whole reset through the store.
    let start = round_trip(&flows, h.sspr.start().expect("starts").into()).await;
    let AnyStep::SelectAccount(start) = start else {
        panic!("select account")
    };
    let Ok(FromSelectAccount::Identify(identify)) =
        start.choose(&h.sspr, AccountType::WorkOrSchool)
    else {
        panic!("identify")
    };
    let AnyStep::Identify(identify) = round_trip(&flows, identify.into()).await else {
        panic!("identify")
    };
    let answer = answer_of(&identify);
    let Ok(FromIdentify::Verify(verify)) =
        identify.submit(&h.sspr, "kees@contoso.nl", &answer).await
    else {
        panic!("the code step")
    };
    let step = round_trip(&flows, verify.into()).await;
    complete(&h, &flows, step, &kees_phone, "orbit plum kettle 72").await;
}
