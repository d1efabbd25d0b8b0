//! Whom self-service reset is on for, as the provider's admin sets it: nobody, the
//! accounts the directory selects (the default), or everyone; the methods to prove stay
//! the policy's number, and two for admins.

use sspr::policy::{Policy, SelfServiceFor};
use sspr::step::FromIdentify;
use sspr::testing::{ADMIN, DISABLED, Harness, JAN, policy};

fn revealing(who: SelfServiceFor) -> Policy {
    policy(Policy::builder().conceal(false).self_service_for(who))
}

async fn may_reset(h: &Harness, user: &str) -> bool {
    match h.submit_right(user).await {
        FromIdentify::ChooseMethod(_) => true,
        FromIdentify::AskAdmin(_) => false,
        other => panic!("{user}: {other:?}"),
    }
}

#[tokio::test]
async fn selected_follows_the_directory_everyone_and_nobody_do_not() {
    let selected = Harness::new(revealing(SelfServiceFor::Selected));
    assert!(may_reset(&selected, JAN).await);
    assert!(!may_reset(&selected, DISABLED).await);
    assert_eq!(
        Policy::default().self_service_for(),
        SelfServiceFor::Selected
    );

    let everyone = Harness::new(revealing(SelfServiceFor::Everyone));
    assert!(may_reset(&everyone, JAN).await);
    assert!(
        may_reset(&everyone, DISABLED).await,
        "the directory's flag is not asked"
    );

    let nobody = Harness::new(revealing(SelfServiceFor::Nobody));
    for user in [JAN, DISABLED, ADMIN] {
        assert!(!may_reset(&nobody, user).await, "{user}");
    }
}

#[tokio::test]
async fn admins_prove_two_methods_whoever_it_is_on_for() {
    let h = Harness::new(policy(
        Policy::builder()
            .conceal(false)
            .self_service_for(SelfServiceFor::Everyone)
            .methods_required(1),
    ));
    match h.submit_right(ADMIN).await {
        FromIdentify::ChooseMethod(choose) => assert_eq!(choose.step().required(), 2),
        other => panic!("{other:?}"),
    }
    match h.submit_right(JAN).await {
        FromIdentify::ChooseMethod(choose) => assert_eq!(choose.step().required(), 1),
        other => panic!("{other:?}"),
    }
}
