//! The memory flow store passes the flow store conformance suite, holds no more than its
//! capacity without dropping a live flow, purges expired flows, and hands a flow to
//! exactly one of many tasks that take it at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sspr::Sspr;
use sspr::clock::{Clock, ManualClock};
use sspr::conformance;
use sspr::directory::InMemoryDirectory;
use sspr::sender::Outbox;
use sspr::snapshot::FlowSnapshot;
use sspr::store::{FlowStore, MemoryFlowStore, StoreError, Taken};
use time::Duration;

#[tokio::test]
async fn memory_store_conforms() {
    let now = ManualClock::default().now();
    conformance::flow_store(&MemoryFlowStore::new(), now).await;
    conformance::flow_store(&MemoryFlowStore::with_shards(10, 1), now).await;
}

#[tokio::test]
async fn memory_store_capacity_conforms() {
    let now = ManualClock::default().now();
    conformance::flow_store_capacity(&MemoryFlowStore::with_shards(20, 1), 20, now).await;
    conformance::flow_store_capacity(&MemoryFlowStore::with_shards(64, 8), 64, now).await;
}

fn snapshot(sspr: &Sspr<InMemoryDirectory, Outbox>) -> FlowSnapshot {
    FlowSnapshot::of(&sspr.start().expect("start")).expect("suspends")
}

#[tokio::test]
async fn a_full_store_refuses_exactly_at_capacity_and_purges_expired_flows() {
    let clock = ManualClock::default();
    let sspr = Sspr::builder(InMemoryDirectory::new(), Outbox::new())
        .clock(clock.clone())
        .build()
        .expect("service");
    let store = MemoryFlowStore::with_shards(5, 1);
    let now = clock.now();
    for _ in 0..5 {
        store
            .save(snapshot(&sspr), now + Duration::minutes(15), now)
            .await
            .expect("room");
    }
    assert_eq!(store.len(), 5);
    let full = store
        .save(snapshot(&sspr), now + Duration::minutes(15), now)
        .await;
    assert!(
        matches!(full, Err(StoreError::Full { capacity: 5 })),
        "{full:?}"
    );
    assert_eq!(store.len(), 5, "no live flow was dropped");
    let later = now + Duration::minutes(16);
    assert_eq!(store.purge_expired(now), 0);
    store
        .save(snapshot(&sspr), later + Duration::minutes(15), later)
        .await
        .expect("a full store of expired flows makes room");
    assert_eq!(store.len(), 1, "the expired flows were purged");
    assert_eq!(store.purge_expired(later + Duration::hours(1)), 1);
    assert!(store.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_tasks_taking_one_flow_exactly_one_wins() {
    let sspr = Sspr::builder(InMemoryDirectory::new(), Outbox::new())
        .build()
        .expect("service");
    let store = MemoryFlowStore::new();
    let now = sspr.now();
    for round in 0..20 {
        let s = snapshot(&sspr);
        let (flow, nonce) = (s.flow_id(), s.nonce());
        store
            .save(s, now + Duration::minutes(15), now)
            .await
            .expect("room");
        let wins = Arc::new(AtomicUsize::new(0));
        let start = Arc::new(tokio::sync::Barrier::new(32));
        let tasks: Vec<_> = (0..32)
            .map(|i| {
                let (store, wins, start) = (store.clone(), wins.clone(), start.clone());
                tokio::spawn(async move {
                    start.wait().await;
                    let nonce = (i % 2 == 0).then_some(nonce);
                    match store.take(flow, nonce, now).await.expect("works") {
                        Taken::Snapshot(_) => {
                            wins.fetch_add(1, Ordering::SeqCst);
                        }
                        Taken::Missing => {}
                        Taken::Stale => panic!("no other step was saved"),
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("task");
        }
        assert_eq!(wins.load(Ordering::SeqCst), 1, "round {round}");
    }
}

#[tokio::test]
async fn the_store_is_the_wizards_counters() {
    let store = MemoryFlowStore::new();
    let now = ManualClock::default().now();
    conformance::counters(&store, now).await;
    // Two handles of one store share the counts.
    let other = store.clone();
    let user = sspr::user_id::UserId::parse("a@example.org").expect("valid");
    use sspr::limits::{Counter, Counters};
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
    use sspr::snapshot::AnyStep;
    use sspr::step::{AccountType, FromSelectAccount};
    use sspr::store::{Flows, FlowsError};

    let store = MemoryFlowStore::new();
    let sspr = Sspr::builder(InMemoryDirectory::new(), Outbox::new())
        .counters(store.clone())
        .build()
        .unwrap();
    let flows = Flows::new(store);
    let id = flows.start(&sspr).await.unwrap().flow.to_string();
    let AnyStep::SelectAccount(wizard) = flows.resume(&sspr, &id).await.unwrap() else {
        panic!("select account expected")
    };
    assert!(matches!(
        flows.challenge(&sspr, &id).await,
        Err(FlowsError::Missing)
    ));
    let Ok(FromSelectAccount::Identify(identify)) = wizard.choose(&sspr, AccountType::WorkOrSchool)
    else {
        panic!("identify expected")
    };
    let saved = flows.save(&sspr, &identify).await.unwrap();
    // The page's picture URL, fetched twice (a reload): same bytes, step still open.
    let first = flows.challenge(&sspr, &id).await.unwrap();
    let again = flows.challenge(&sspr, &id).await.unwrap();
    assert_eq!(first.content_type(), "image/png");
    assert_eq!(first.as_bytes(), again.as_bytes());
    let resumed = flows.resume_step(&sspr, &id, saved.nonce).await.unwrap();
    let AnyStep::Identify(_) = resumed else {
        panic!("identify expected")
    };
    assert!(matches!(
        flows.challenge(&sspr, "not a flow id").await,
        Err(FlowsError::FlowId(_))
    ));
}
