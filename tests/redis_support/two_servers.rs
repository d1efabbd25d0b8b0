//! Two app servers sharing one Redis store (one server or a cluster): each has its own
//! service, connection and `Flows`, with the deployment's keys. A flow moves to the
//! other server at every step, the challenge's picture and clip are the same bytes on
//! both, and the code sent by one server is right on the other.

use sspr::host::{InMemoryDirectory, Outbox};
use sspr::policy::Policy;
use sspr::step::{
    AccountType, FromIdentify, FromNewPassword, FromSelectAccount, FromVerify, ToVerify,
};
use sspr::store::{Flows, RedisFlowStore};
use sspr::testing::{JAN, STRONG, keys, phone};
use sspr::{AnyStep, Next, Sspr};

/// One app server: its service and its flows, over its own connection to the shared
/// Redis, with the shared directory and delivery service.
pub struct Server {
    sspr: Sspr,
    flows: Flows<RedisFlowStore>,
}

impl Server {
    /// A server on `store` (its own connection), with the deployment's directory and
    /// delivery service and `policy`.
    pub fn new(
        store: RedisFlowStore,
        directory: InMemoryDirectory,
        outbox: Outbox,
        policy: Policy,
    ) -> Self {
        let sspr = Sspr::builder(directory, outbox)
            .policy(policy)
            .keys(&keys())
            .counters(store.clone())
            .build()
            .expect("service");
        let flows = Flows::new(store, keys()).expect("the deployment's keys");
        Server { sspr, flows }
    }
}

/// Saves `next` on `from` and resumes it on `to`, as the next request of the person
/// lands on the other server.
async fn hand_over(from: &Server, to: &Server, next: Next) -> AnyStep {
    let saved = from
        .flows
        .save(&next)
        .await
        .expect("saves")
        .expect("a step is saved");
    to.flows
        .resume_step(&saved.flow.to_string(), saved.nonce)
        .await
        .expect("the other server resumes it")
}

/// Drives a whole reset of `JAN` that changes server at every step, on servers with the
/// `conceal(false)` policy (every step shown); `outbox` is the delivery service both
/// servers share.
pub async fn a_flow_moves_between(a: &Server, b: &Server, outbox: &Outbox) {
    // Started on A, account type on B.
    let AnyStep::SelectAccount(select) =
        hand_over(a, b, a.sspr.start().expect("starts").into()).await
    else {
        panic!("select account")
    };
    let Ok(FromSelectAccount::Identify(identify)) =
        select.choose(&b.sspr, AccountType::WorkOrSchool)
    else {
        panic!("identify")
    };
    // The picture and the clip, as either server renders them: the same bytes.
    let saved = b
        .flows
        .save(&identify.into())
        .await
        .expect("saves")
        .expect("a step is saved");
    let id = saved.flow.to_string();
    let on_a = a
        .sspr
        .render(&a.flows.challenge(&id).await.expect("peeks"))
        .expect("renders");
    let on_b = b
        .sspr
        .render(&b.flows.challenge(&id).await.expect("peeks"))
        .expect("renders");
    assert_eq!(
        on_a.as_bytes(),
        on_b.as_bytes(),
        "the same picture on both servers"
    );
    let AnyStep::Identify(identify) = a
        .flows
        .resume_step(&id, saved.nonce)
        .await
        .expect("resumes")
    else {
        panic!("identify")
    };
    let clip_a = identify.step().challenge().render().expect("renders");

    // Answered on A, method chosen on B: B sends the code.
    let answer = sspr::testing::answer_of(&identify);
    let Ok(FromIdentify::ChooseMethod(choose)) = identify.submit(&a.sspr, JAN, &answer).await
    else {
        panic!("choose method")
    };
    let AnyStep::ChooseMethod(choose) = hand_over(a, b, choose.into()).await else {
        panic!("choose method")
    };
    let Ok(ToVerify::Verify(verify)) = choose.choose(&b.sspr, 0).await else {
        panic!("verify")
    };

    // The code B sent is typed on A.
    let AnyStep::Verify(verify) = hand_over(b, a, verify.into()).await else {
        panic!("verify")
    };
    let code = outbox.last_code_to(&phone()).expect("a code was sent");
    let Ok(FromVerify::NewPassword(new_password)) = verify.submit(&a.sspr, &code).await else {
        panic!("the code sent by B is right on A")
    };

    // The new password on B.
    let AnyStep::NewPassword(new_password) = hand_over(a, b, new_password.into()).await else {
        panic!("new password")
    };
    let done = new_password
        .submit(
            &b.sspr,
            sspr::password::Password::new(STRONG),
            sspr::password::Password::new(STRONG),
        )
        .await;
    assert!(
        matches!(done, Ok(FromNewPassword::Completed(_))),
        "{done:?}"
    );
    assert!(!clip_a.as_bytes().is_empty());
}

/// Drives a whole reset of `JAN` that changes server at every step, on servers with the
/// default (conceal) policy: the code that A hands off to its delivery thread is typed on
/// B. Sets `password`, which must differ from Jan's current one.
pub async fn a_concealed_flow_moves_between(
    a: &Server,
    b: &Server,
    outbox: &Outbox,
    password: &str,
) {
    let AnyStep::SelectAccount(select) =
        hand_over(a, b, a.sspr.start().expect("starts").into()).await
    else {
        panic!("select account")
    };
    let Ok(FromSelectAccount::Identify(identify)) =
        select.choose(&b.sspr, AccountType::WorkOrSchool)
    else {
        panic!("identify")
    };
    let AnyStep::Identify(identify) = hand_over(b, a, identify.into()).await else {
        panic!("identify")
    };
    let before = outbox.deliveries().len();
    let answer = sspr::testing::answer_of(&identify);
    let Ok(FromIdentify::Verify(verify)) = identify.submit(&a.sspr, JAN, &answer).await else {
        panic!("the conceal policy goes on to the code")
    };
    let AnyStep::Verify(verify) = hand_over(a, b, verify.into()).await else {
        panic!("verify")
    };
    // The code arrives a moment later, from A's delivery thread.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while outbox.deliveries().len() == before {
        assert!(
            std::time::Instant::now() < deadline,
            "A's delivery thread sent the code"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert_eq!(outbox.deliveries().len(), before + 1, "one code");
    let code = outbox.last_code_to(&phone()).expect("a code");
    let Ok(FromVerify::NewPassword(new_password)) = verify.submit(&b.sspr, &code).await else {
        panic!("the code handed off by A is right on B")
    };
    let AnyStep::NewPassword(new_password) = hand_over(b, a, new_password.into()).await else {
        panic!("new password")
    };
    let done = new_password
        .submit(
            &a.sspr,
            sspr::password::Password::new(password),
            sspr::password::Password::new(password),
        )
        .await;
    assert!(
        matches!(done, Ok(FromNewPassword::Completed(_))),
        "{done:?}"
    );
}

/// Two app servers, each with its own connection from `connect` (the same place and
/// prefix), first on the policy that shows every step, then on the default one: a whole
/// reset of Jan moves between them at every step on each.
pub async fn flows_move_between_two_servers_on_both_policies<F, Fut>(connect: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = RedisFlowStore>,
{
    let directory = sspr::testing::demo_directory();
    let outbox = Outbox::new();
    for policy in [sspr::testing::revealing_policy(), Policy::default()] {
        let concealed = policy.conceal();
        let a = Server::new(
            connect().await,
            directory.clone(),
            outbox.clone(),
            policy.clone(),
        );
        let b = Server::new(connect().await, directory.clone(), outbox.clone(), policy);
        if concealed {
            a_concealed_flow_moves_between(&a, &b, &outbox, "orbit plum kettle 72").await;
        } else {
            a_flow_moves_between(&a, &b, &outbox).await;
        }
    }
}
