//! Under the conceal policy, a Verify step whose delivery failed (a method, no code) can
//! be suspended and resumed like any other, and its resend tries the delivery again.
use sspr::Sspr;
use sspr::contact::ContactMethod;
use sspr::directory::{InMemoryDirectory, Role, UserRecord};
use sspr::policy::Policy;
use sspr::sender::Outbox;
use sspr::snapshot::{AnyStep, FlowSnapshot};
use sspr::step::{AccountType, FromIdentify, FromSelectAccount};
use sspr::user_id::UserId;

#[tokio::test]
async fn conceal_unsent_verify_round_trips() {
    let directory = InMemoryDirectory::new();
    directory.insert(UserRecord {
        id: UserId::parse("jan@contoso.nl").unwrap(),
        tenant: "contoso".into(),
        roles: vec![Role::User],
        self_service_reset: true,
        methods: vec![ContactMethod::sms("+31 6 12345678")],
        password_hash: None,
    });
    let outbox = Outbox::new();
    outbox.set_failing(true);
    let policy = Policy::builder().conceal(true).build().unwrap();
    let sspr = Sspr::builder(directory, outbox)
        .policy(policy)
        .build()
        .unwrap();
    let FromSelectAccount::Identify(identify) = sspr
        .start()
        .unwrap()
        .choose(&sspr, AccountType::WorkOrSchool)
        .unwrap()
    else {
        panic!()
    };
    let answer = identify.step().challenge().danger_reveal_answer();
    let Ok(FromIdentify::Verify(verify)) = identify.submit(&sspr, "jan@contoso.nl", &answer).await
    else {
        panic!("conceal leads to Verify")
    };

    // A phantom (unknown user) Verify round-trips; compare.
    let snapshot = FlowSnapshot::of(&verify).expect("suspends");
    let resumed = FlowSnapshot::resume(snapshot.as_bytes(), verify.flow_id());
    assert!(
        matches!(resumed, Ok(AnyStep::Verify(_))),
        "a conceal Verify after a failed delivery cannot be resumed: {resumed:?}"
    );
}
