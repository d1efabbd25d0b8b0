//! The memory flow store passes the flow store conformance suite, holds no more than its
//! capacity of flows past their challenge without dropping a live one, keeps anonymous
//! flows in a pool of their own that evicts the oldest, purges expired flows, and hands
//! a flow to exactly one of many tasks that take it at once.

use sspr::Sspr;
use sspr::conformance;
use sspr::host::{Clock, InMemoryDirectory, ManualClock, Outbox};
use sspr::store::{FlowStore, MemoryFlowStore, StoreError};
use sspr::testing::fresh_snapshot as snapshot;
use time::Duration;

#[tokio::test]
async fn memory_store_conforms() {
    let now = ManualClock::default().now();
    conformance::flow_store(&MemoryFlowStore::new(), now).await;
    conformance::flow_store(&MemoryFlowStore::with_shards(10, 1), now).await;
}

#[tokio::test]
async fn memory_store_is_a_grant_store() {
    let now = ManualClock::default().now();
    conformance::grant_store(&MemoryFlowStore::new(), now).await;
}

#[tokio::test]
async fn memory_store_capacity_conforms() {
    let now = ManualClock::default().now();
    conformance::flow_store_capacity(&MemoryFlowStore::with_shards(20, 1), 20, now).await;
    conformance::flow_store_capacity(&MemoryFlowStore::with_shards(64, 8), 64, now).await;
}

#[tokio::test]
async fn anonymous_flows_are_a_pool_of_their_own_that_evicts_the_oldest() {
    let now = ManualClock::default().now();
    let store = MemoryFlowStore::with_limits(5, 20, 1);
    conformance::anonymous_flows_evict_the_oldest(&store, 20, 100, now).await;
    let store = MemoryFlowStore::with_limits(50, 64, 8);
    conformance::anonymous_flows_evict_the_oldest(&store, 64, 1_000, now).await;
    assert!(store.anonymous_len() <= 64);
}

#[tokio::test]
async fn expired_anonymous_flows_are_purged() {
    let clock = ManualClock::default();
    let sspr = Sspr::builder(InMemoryDirectory::new(), Outbox::new())
        .clock(clock.clone())
        .build()
        .expect("service");
    let store = MemoryFlowStore::with_limits(5, 5, 1);
    let now = clock.now();
    for _ in 0..5 {
        store
            .save(snapshot(&sspr).await, now + Duration::minutes(15), now)
            .await
            .expect("room");
    }
    assert_eq!((store.len(), store.anonymous_len()), (0, 5));
    assert_eq!(store.purge_expired(now), 0);
    assert_eq!(store.purge_expired(now + Duration::minutes(16)), 5);
    assert!(store.is_empty());
    let refused = store
        .save(snapshot(&sspr).await, now, now + Duration::minutes(16))
        .await;
    assert!(matches!(refused, Err(StoreError::Expired)), "{refused:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_tasks_taking_one_flow_exactly_one_wins() {
    let store = MemoryFlowStore::new();
    let now = ManualClock::default().now();
    conformance::racing_takes(&[store.clone(), store], now, |task| {
        Box::pin(async move { tokio::spawn(task).await.expect("task") })
    })
    .await;
}

#[tokio::test]
async fn the_store_is_the_wizards_counters() {
    let store = MemoryFlowStore::new();
    let now = ManualClock::default().now();
    conformance::counters(&store, now).await;
    // Two handles of one store share the counts.
    let other = store.clone();
    let user = sspr::UserId::parse("a@example.org").expect("valid");
    use sspr::host::{Counter, Counters};
    store
        .add(&user, Counter::CodeSends, now, Duration::hours(1))
        .await
        .expect("works");
    let n = other
        .add(&user, Counter::CodeSends, now, Duration::hours(1))
        .await
        .expect("works");
    assert_eq!(n, 2);
}

#[tokio::test]
async fn the_challenge_picture_is_served_without_using_up_the_step() {
    use sspr::AnyStep;
    use sspr::step::{AccountType, FromSelectAccount};
    use sspr::store::{Flows, FlowsError};

    let store = MemoryFlowStore::new();
    let sspr = Sspr::builder(InMemoryDirectory::new(), Outbox::new())
        .counters(store.clone())
        .build()
        .unwrap();
    let flows = Flows::new(store, sspr::testing::keys()).expect("an in-memory store or real keys");
    let id = flows
        .save(&sspr.start().unwrap().into())
        .await
        .unwrap()
        .unwrap()
        .flow
        .to_string();
    let AnyStep::SelectAccount(wizard) = flows.resume(&id).await.unwrap() else {
        panic!("select account expected")
    };
    // Taken for this request: nothing to show meanwhile.
    assert!(matches!(
        flows.challenge(&id).await,
        Err(FlowsError::Missing)
    ));
    // A flow at another step has no challenge, and showing it leaves the step open.
    let select = flows.save(&wizard.into()).await.unwrap().unwrap();
    assert!(matches!(
        flows.challenge(&id).await,
        Err(FlowsError::NoChallenge)
    ));
    let AnyStep::SelectAccount(wizard) = flows.resume_step(&id, select.nonce).await.unwrap() else {
        panic!("select account expected")
    };
    let Ok(FromSelectAccount::Identify(identify)) = wizard.choose(&sspr, AccountType::WorkOrSchool)
    else {
        panic!("identify expected")
    };
    let saved = flows.save(&identify.into()).await.unwrap().unwrap();
    // The page's picture URL, fetched twice (a reload): same bytes, step still open.
    let first = sspr.render(&flows.challenge(&id).await.unwrap()).unwrap();
    let again = sspr.render(&flows.challenge(&id).await.unwrap()).unwrap();
    assert_eq!(first.content_type(), "image/png");
    assert_eq!(first.as_bytes(), again.as_bytes());
    let resumed = flows.resume_step(&id, saved.nonce).await.unwrap();
    let AnyStep::Identify(identify) = resumed else {
        panic!("identify expected")
    };
    // The challenge shown is the one the step checks.
    let shown = sspr.render(identify.step().challenge()).unwrap();
    assert_eq!(shown.as_bytes(), first.as_bytes());
    assert!(matches!(
        flows.challenge("not a flow id").await,
        Err(FlowsError::FlowId(_))
    ));
}

#[tokio::test]
async fn a_late_visitor_is_told_the_reset_expired_then_it_is_gone() {
    use sspr::AnyStep;
    use sspr::step::{AccountType, FromSelectAccount};
    use sspr::store::{EXPIRED_KEPT_FOR, FlowsError};

    let (clock, sspr, flows) = on_a_manual_clock();
    let AnyStep::SelectAccount(wizard) = flows
        .resume(
            &flows
                .save(&sspr.start().unwrap().into())
                .await
                .unwrap()
                .unwrap()
                .flow
                .to_string(),
        )
        .await
        .unwrap()
    else {
        panic!("select account expected")
    };
    let Ok(FromSelectAccount::Identify(identify)) = wizard.choose(&sspr, AccountType::WorkOrSchool)
    else {
        panic!("identify expected")
    };
    let deadline = identify.deadline();
    let saved = flows.save(&identify.into()).await.unwrap().unwrap();
    assert_eq!(saved.expires_at, deadline + EXPIRED_KEPT_FOR);
    let id = saved.flow.to_string();

    // Past the deadline: the picture is not served, and the step says it expired.
    clock.set(deadline + Duration::seconds(1));
    assert!(matches!(
        flows.challenge(&id).await,
        Err(FlowsError::Expired)
    ));
    assert!(matches!(
        flows.resume_step(&id, saved.nonce).await,
        Err(FlowsError::Expired)
    ));
    // Told once: the flow is gone now.
    assert!(matches!(flows.resume(&id).await, Err(FlowsError::Missing)));
}

#[tokio::test]
async fn a_flow_is_forgotten_once_its_expired_time_is_over() {
    use sspr::store::FlowsError;

    let (clock, sspr, flows) = on_a_manual_clock();
    let saved = flows
        .save(&sspr.start().unwrap().into())
        .await
        .unwrap()
        .unwrap();
    clock.set(saved.expires_at);
    assert!(matches!(
        flows.resume(&saved.flow.to_string()).await,
        Err(FlowsError::Missing)
    ));
}

/// A service and its flows over a memory store, both on one manual clock.
fn on_a_manual_clock() -> (ManualClock, Sspr, sspr::store::Flows<MemoryFlowStore>) {
    let clock = ManualClock::default();
    let store = MemoryFlowStore::new();
    let sspr = Sspr::builder(InMemoryDirectory::new(), Outbox::new())
        .clock(clock.clone())
        .counters(store.clone())
        .build()
        .unwrap();
    let flows = sspr::store::Flows::new(store, sspr::testing::keys())
        .expect("an in-memory store")
        .with_clock(clock.clone());
    (clock, sspr, flows)
}
