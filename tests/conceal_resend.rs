//! Under the conceal policy, `Verify::resend` looks the same for a real account that
//! passed its send limit as for an unknown or disabled one: an attacker who solved the
//! CAPTCHA cannot tell them apart.
use sspr::Sspr;
use sspr::contact::ContactMethod;
use sspr::directory::{InMemoryDirectory, Role, UserRecord};
use sspr::policy::Policy;
use sspr::sender::Outbox;
use sspr::step::{AccountType, FromIdentify, FromSelectAccount, ToVerify};
use sspr::user_id::UserId;

async fn resend_outcome(user: &str) -> &'static str {
    let directory = InMemoryDirectory::new();
    directory.insert(UserRecord {
        id: UserId::parse("jan@contoso.nl").unwrap(),
        tenant: "contoso".into(),
        roles: vec![Role::User],
        self_service_reset: true,
        methods: vec![ContactMethod::sms("+31 6 12345678")],
        password_hash: None,
    });
    let policy = Policy::builder()
        .conceal(true)
        .user_code_sends(1)
        .code_resends(1)
        .build()
        .unwrap();
    let sspr = Sspr::builder(directory, Outbox::new())
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
    let Ok(FromIdentify::Verify(verify)) = identify.submit(&sspr, user, &answer).await else {
        panic!("conceal leads to Verify")
    };
    match verify.resend(&sspr).await {
        Ok(ToVerify::Verify(_)) => "verify",
        Ok(ToVerify::Locked(_)) => "locked",
        Ok(ToVerify::Expired(_)) => "expired",
        Err(_) => "refused",
    }
}

#[tokio::test]
async fn conceal_resend_looks_the_same_for_every_account() {
    let real = resend_outcome("jan@contoso.nl").await;
    let unknown = resend_outcome("nobody@contoso.nl").await;
    assert_eq!(
        real, unknown,
        "conceal policy: resend tells a real account from an unknown one"
    );
}
