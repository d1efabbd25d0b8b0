//! A whole reset with the flow suspended in Redis between every two steps.

use sspr::host::{Counter, Counters, Outbox};
use sspr::password::Password;
use sspr::step::{
    AccountType, FromIdentify, FromNewPassword, FromSelectAccount, FromVerify, ToVerify,
};
use sspr::store::{Flows, FlowsError, RedisFlowStore};
use sspr::testing::{JAN, demo_directory as directory, phone};
use sspr::{AnyStep, Sspr, UserId};
use time::Duration;

/// Drives a whole reset for Jan with the flow suspended in `store` between every two
/// steps, the per-user counters in the same store (where Jan has no counts yet), and a
/// form sent twice refused.
pub async fn a_whole_reset_suspended_in(store: &RedisFlowStore) {
    let outbox = Outbox::new();
    let sspr = Sspr::builder(directory(), outbox.clone())
        .policy(sspr::testing::revealing_policy())
        .keys(&sspr::testing::keys())
        .counters(store.clone())
        .build()
        .expect("service");
    let flows =
        Flows::new(store.clone(), sspr::testing::keys()).expect("an in-memory store or real keys");
    let saved = flows
        .save(&sspr.start().expect("starts").into())
        .await
        .expect("saves")
        .expect("a step is saved");
    let id = saved.flow.to_string();

    let AnyStep::SelectAccount(select) =
        flows.resume_step(&id, saved.nonce).await.expect("resumes")
    else {
        panic!("select account")
    };
    let Ok(FromSelectAccount::Identify(identify)) = select.choose(&sspr, AccountType::WorkOrSchool)
    else {
        panic!("identify")
    };
    let at_identify = flows
        .save(&identify.into())
        .await
        .expect("saves")
        .expect("a step is saved");
    // The first form sent again: the flow has moved on.
    assert!(matches!(
        flows.resume_step(&id, saved.nonce).await,
        Err(FlowsError::Stale)
    ));

    let AnyStep::Identify(identify) = flows
        .resume_step(&id, at_identify.nonce)
        .await
        .expect("resumes")
    else {
        panic!("identify")
    };
    let answer = identify.step().challenge().danger_reveal_answer();
    let Ok(FromIdentify::ChooseMethod(choose)) = identify.submit(&sspr, JAN, &answer).await else {
        panic!("choose method")
    };
    flows
        .save(&choose.into())
        .await
        .expect("saves")
        .expect("a step is saved");

    let AnyStep::ChooseMethod(choose) = flows.resume(&id).await.expect("resumes") else {
        panic!("choose method")
    };
    let Ok(ToVerify::Verify(verify)) = choose.choose(&sspr, 0).await else {
        panic!("verify")
    };
    flows
        .save(&verify.into())
        .await
        .expect("saves")
        .expect("a step is saved");
    let user = UserId::parse(JAN).expect("valid");
    let now = sspr.now();
    assert_eq!(
        store
            .add(&user, Counter::CodeSends, now, Duration::hours(1))
            .await
            .unwrap(),
        2,
        "the code send was counted in Redis"
    );
    store.release(&user, Counter::CodeSends).await.unwrap();

    let AnyStep::Verify(verify) = flows.resume(&id).await.expect("resumes") else {
        panic!("verify")
    };
    let code = outbox.last_code_to(&phone()).expect("a code was sent");
    let Ok(FromVerify::NewPassword(new_password)) = verify.submit(&sspr, &code).await else {
        panic!("new password")
    };
    flows
        .save(&new_password.into())
        .await
        .expect("saves")
        .expect("a step is saved");

    let AnyStep::NewPassword(new_password) = flows.resume(&id).await.expect("resumes") else {
        panic!("new password")
    };
    let strong = "plum kettle orbit 71";
    let Ok(FromNewPassword::Completed(receipt)) = new_password
        .submit(&sspr, Password::new(strong), Password::new(strong))
        .await
    else {
        panic!("completed")
    };
    assert!(receipt.end_other_sessions);
    // Done: the flow is gone and the user's counters were cleared.
    assert!(matches!(flows.resume(&id).await, Err(FlowsError::Missing)));
    assert_eq!(
        store
            .add(&user, Counter::CodeSends, now, Duration::hours(1))
            .await
            .unwrap(),
        1
    );
    store.clear(&user).await.unwrap();
}
