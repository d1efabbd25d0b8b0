//! The Redis flow store against a real `redis-server` (never a mock): it passes the same
//! conformance suites as the memory store, two app servers share its counters, exactly
//! one of many tasks takes a flow, anonymous flows are a bounded pool that evicts the
//! oldest (never a flow that moved on, and never more than the pool when two app servers
//! flood it at once), Redis itself forgets a flow at its deadline, every key expires and
//! names no user ID (not even its unkeyed hash), a whole wizard runs suspended in Redis
//! between its steps, and damaged stored bytes are a missing flow, not a panic. Redis
//! going away or out of memory: `tests/redis_outage.rs`.
//!
//! # Which server
//!
//! `REDIS_URL` names the server (`scripts/test`, the README's test command, installs
//! `redis-server` when missing, starts one on a free loopback port and sets it). Every
//! test uses its own random key prefix, so tests (and test runs) never share keys.
//!
//! Without `REDIS_URL`:
//! - when `CI` is set, every test here **fails**: CI must run them against a server;
//! - otherwise (a developer's plain `cargo test`) each test prints a notice and returns
//!   early, checking nothing. Run `scripts/test` to run them.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed test

mod redis_support;

use redis_support::{
    connect, connect_with_key, key, keys_of, new_flow, prefix, pttl, redis_cli, redis_url, reset,
    step_of,
};
use sha2::{Digest, Sha256};
use sspr::conformance;
use sspr::host::{Clock, Counter, Counters, InMemoryDirectory, ManualClock, Outbox};
use sspr::store::{
    FlowSnapshot, FlowStore, Flows, FlowsError, RedisFlowStore, StoreError, StoreKey, Taken,
};
use sspr::testing::{JAN, fresh_snapshot as snapshot};
use sspr::{FlowId, Sspr, UserId};
use time::Duration;

#[tokio::test]
async fn redis_store_conforms() {
    let Some(url) = redis_url() else { return };
    let now = ManualClock::default().now();
    conformance::flow_store(&connect(&url, &prefix()).await, now).await;
    conformance::counters(&connect(&url, &prefix()).await, now).await;
    conformance::grant_store(&connect(&url, &prefix()).await, now).await;
}

#[tokio::test]
async fn anonymous_flows_are_a_bounded_pool_that_evicts_the_oldest() {
    let Some(url) = redis_url() else { return };
    let now = ManualClock::default().now();
    let store = connect(&url, &prefix()).await;
    assert_eq!(
        store.anonymous_capacity(),
        RedisFlowStore::DEFAULT_ANONYMOUS_CAPACITY
    );
    assert_eq!(store.with_anonymous_capacity(0).anonymous_capacity(), 1);
    let store = connect(&url, &prefix()).await.with_anonymous_capacity(20);
    conformance::anonymous_flows_evict_the_oldest(&store, 20, 100, now).await;
    let prefix = prefix();
    let store = connect(&url, &prefix).await.with_anonymous_capacity(64);
    conformance::anonymous_flows_evict_the_oldest(&store, 64, 1_000, now).await;
    // What Redis holds: the pool, at its capacity, and no more anonymous flows (the suite
    // took its last flow and the one past its challenge); everything expires.
    let pool = store.anonymous_key();
    assert_eq!(redis_cli(&url, &["LLEN", &pool]), ["64"]);
    let flows = keys_of(&url, &prefix, "flow:");
    assert!(flows.len() <= 64, "{} flows", flows.len());
    let lifetime = 15 * 60_000;
    assert!((lifetime - 60_000..=lifetime).contains(&pttl(&url, &pool)));
    assert!(flows.iter().all(|flow| pttl(&url, flow) > 0));
}

/// The pool evicts a flow only if it still holds the anonymous step that was filed: a
/// flow past its challenge, or at a newer step, stays.
#[tokio::test]
async fn a_flow_that_moved_on_is_not_evicted() {
    let Some(url) = redis_url() else { return };
    let store = connect(&url, &prefix()).await.with_anonymous_capacity(2);
    let sspr = Sspr::builder(InMemoryDirectory::new(), Outbox::new())
        .keys(&sspr::testing::keys())
        .build()
        .expect("service");
    let now = sspr.now();
    let later = now + Duration::minutes(15);
    let template = snapshot(&sspr).await;
    let [a, d, e, f] = [(); 4].map(|()| FlowId::generate().unwrap());
    let save =
        |flow, anonymous, step| store.save(step_of(&template, flow, anonymous, step), later, now);
    let store = &store;
    let there = |flow| async move { store.peek(flow, now).await.unwrap().is_some() };
    // A passes its challenge; D moves on to another anonymous step.
    save(a, true, 1).await.unwrap();
    save(a, false, 2).await.unwrap();
    save(d, true, 1).await.unwrap();
    save(d, true, 2).await.unwrap(); // takes out A's anonymous save: A stays
    save(e, true, 1).await.unwrap(); // takes out D's first step: D, at its second, stays
    assert!(there(a).await && there(d).await && there(e).await);
    save(f, true, 1).await.unwrap(); // takes out D's second step: D goes
    assert!(!there(d).await, "D at the step filed is evicted");
    assert!(there(a).await && there(e).await && there(f).await);
    let Ok(Taken::Snapshot(past)) = store.take(a, None, now).await else {
        panic!("the flow past its challenge stays")
    };
    assert!(!past.is_anonymous());
}

/// Two app servers starting flows at once share one pool: it never holds more than its
/// capacity, and Redis holds at most that many anonymous flows; a flow past its
/// challenge saved in the middle of it stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_app_servers_flooding_at_once_share_one_bound() {
    let Some(url) = redis_url() else { return };
    let prefix = prefix();
    let capacity = 200;
    let servers = [
        connect(&url, &prefix)
            .await
            .with_anonymous_capacity(capacity),
        connect(&url, &prefix)
            .await
            .with_anonymous_capacity(capacity),
    ];
    let sspr = Sspr::builder(InMemoryDirectory::new(), Outbox::new())
        .keys(&sspr::testing::keys())
        .build()
        .expect("service");
    let now = sspr.now();
    let later = now + Duration::minutes(15);
    let template = std::sync::Arc::new(snapshot(&sspr).await);
    let past = new_flow(&template, false);
    let past_flow = past.flow_id();
    let tasks: Vec<_> = (0..32)
        .map(|task| {
            let store = servers[task % 2].clone();
            let template = template.clone();
            tokio::spawn(async move {
                for _ in 0..60 {
                    store
                        .save(new_flow(&template, true), later, now)
                        .await
                        .expect("a new anonymous flow is never refused");
                }
            })
        })
        .collect();
    servers[0].save(past, later, now).await.unwrap();
    for task in tasks {
        task.await.expect("task");
    }
    let pool = servers[0].anonymous_key();
    assert_eq!(redis_cli(&url, &["LLEN", &pool]), [capacity.to_string()]);
    let flows = keys_of(&url, &prefix, "flow:");
    eprintln!(
        "32 tasks on two servers, 1,920 anonymous saves: {} flows held",
        flows.len()
    );
    assert!(
        flows.len() <= capacity + 1,
        "{} flows for a pool of {capacity} and one past its challenge",
        flows.len()
    );
    assert!(matches!(
        servers[1].take(past_flow, None, now).await,
        Ok(Taken::Snapshot(_))
    ));
}

#[tokio::test]
async fn the_debug_form_hides_the_password_of_the_url() {
    let Some(url) = redis_url() else { return };
    let store = connect(&url, "sspr").await;
    let shown = format!("{store:?}");
    assert!(
        shown.starts_with("RedisFlowStore { server: ") && shown.contains("prefix: \"sspr\""),
        "{shown}"
    );
    // A URL with a password: the server refuses the login or ignores it, either way the
    // password never shows, in `Debug` or in the error.
    let with_password = url.replacen("redis://", "redis://someone:hunter2-secret@", 1);
    match RedisFlowStore::connect(&with_password, "sspr", key()).await {
        Ok(store) => assert!(!format!("{store:?}").contains("hunter2"), "{store:?}"),
        Err(error) => {
            assert!(!format!("{error:?}").contains("hunter2"), "{error:?}");
            // Nor anywhere in the chain of causes.
            let mut cause: Option<&dyn std::error::Error> = Some(&error);
            while let Some(error) = cause {
                assert!(!error.to_string().contains("hunter2"), "{error}");
                cause = error.source();
            }
        }
    }
    assert!(matches!(
        RedisFlowStore::connect("not a url", "sspr", key()).await,
        Err(StoreError::Unavailable { .. })
    ));
    assert!(matches!(
        RedisFlowStore::connect(&url, "a{b}", key()).await,
        Err(StoreError::Unavailable { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn counters_are_shared_by_two_app_servers() {
    let Some(url) = redis_url() else { return };
    let prefix = prefix();
    // Two app servers: two connections with the same URL and prefix.
    let (one, two) = (connect(&url, &prefix).await, connect(&url, &prefix).await);
    let now = ManualClock::default().now();
    let user = UserId::parse(JAN).expect("valid");
    let window = Duration::hours(1);
    assert_eq!(
        one.add(&user, Counter::CodeSends, now, window)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        two.add(&user, Counter::CodeSends, now, window)
            .await
            .unwrap(),
        2
    );
    two.release(&user, Counter::CodeSends).await.unwrap();
    assert_eq!(
        one.add(&user, Counter::CodeSends, now, window)
            .await
            .unwrap(),
        2
    );
    let until = now + Duration::hours(24);
    one.block(&user, until).await.unwrap();
    assert_eq!(two.blocked_until(&user, now).await.unwrap(), Some(until));
    // An earlier block does not shorten a later one.
    two.block(&user, now + Duration::hours(1)).await.unwrap();
    assert_eq!(one.blocked_until(&user, now).await.unwrap(), Some(until));
    two.clear(&user).await.unwrap();
    assert_eq!(one.blocked_until(&user, now).await.unwrap(), None);

    // Many adds at once from both servers: every count from 1 to 64 exactly once.
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let store = if i % 2 == 0 { one.clone() } else { two.clone() };
            let user = user.clone();
            tokio::spawn(async move {
                store
                    .add(&user, Counter::FailedVerifications, now, window)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut counts = Vec::new();
    for task in tasks {
        counts.push(task.await.expect("task"));
    }
    counts.sort_unstable();
    assert_eq!(counts, (1..=64).collect::<Vec<u32>>());
    one.clear(&user).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_tasks_taking_one_flow_exactly_one_wins() {
    let Some(url) = redis_url() else { return };
    let prefix = prefix();
    // Two app servers' connections to one Redis.
    let servers = [connect(&url, &prefix).await, connect(&url, &prefix).await];
    let now = ManualClock::default().now();
    conformance::racing_takes(&servers, now, |task| {
        Box::pin(async move { tokio::spawn(task).await.expect("task") })
    })
    .await;
}

#[tokio::test]
async fn redis_forgets_a_flow_at_its_deadline() {
    let Some(url) = redis_url() else { return };
    let store = connect(&url, &prefix()).await;
    let sspr = Sspr::builder(InMemoryDirectory::new(), Outbox::new())
        .keys(&sspr::testing::keys())
        .build()
        .expect("service");
    let now = sspr.now();
    let s = snapshot(&sspr).await;
    let (flow, nonce) = (s.flow_id(), s.nonce());
    store
        .save(s, now + Duration::seconds(1), now)
        .await
        .expect("saves");
    // A take with another nonce finds the flow and leaves it.
    assert!(matches!(
        store.take(flow, Some(nonce ^ 1), now).await,
        Ok(Taken::Stale)
    ));
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    // Asked with the same `now` (still before the deadline by the caller's clock), the
    // flow is missing: Redis itself removed the key when its lifetime ran out.
    assert!(matches!(
        store.take(flow, None, now).await,
        Ok(Taken::Missing)
    ));
}

#[tokio::test]
async fn every_key_expires_and_names_no_user_id() {
    let Some(url) = redis_url() else { return };
    let prefix = prefix();
    let store = connect(&url, &prefix).await;
    let sspr = Sspr::builder(InMemoryDirectory::new(), Outbox::new())
        .keys(&sspr::testing::keys())
        .build()
        .expect("service");
    let now = ManualClock::default().now();
    let s = snapshot(&sspr).await;
    let flow = s.flow_id();
    store
        .save(s, now + Duration::minutes(15), now)
        .await
        .expect("saves");
    let user = UserId::parse(JAN).expect("valid");
    store
        .add(&user, Counter::CodeSends, now, Duration::hours(1))
        .await
        .unwrap();
    store
        .add(&user, Counter::FailedVerifications, now, Duration::hours(1))
        .await
        .unwrap();
    // As the wizard does: a count over the limit, then the block.
    store.block(&user, now + Duration::hours(24)).await.unwrap();

    let minute = 60_000;
    let within = |ttl: i64, ms: i64| ttl > ms - minute && ttl <= ms;
    assert!(within(pttl(&url, &store.flow_key(flow)), 15 * minute));
    let sends = store.counter_key(&user, Counter::CodeSends);
    assert!(within(pttl(&url, &sends), 60 * minute));
    let block = store.block_key(&user);
    assert!(
        within(pttl(&url, &block), 24 * 60 * minute),
        "the block lives as long as it lasts: {}",
        pttl(&url, &block)
    );
    // The anonymous flow is in the pool, which lives as long as its flows.
    let pool = store.anonymous_key();
    assert!(within(pttl(&url, &pool), 15 * minute));
    let keys = redis_cli(&url, &["--scan", "--pattern", &format!("{prefix}:*")]);
    assert_eq!(keys.len(), 5, "{keys:?}");
    // Nor the unkeyed SHA-256 of the ID, which a list of candidate IDs would reverse.
    let unkeyed = sha256_hex(user.as_str());
    for key in &keys {
        assert!(!key.contains("jan") && !key.contains("contoso"), "{key}");
        assert!(
            !key.contains(&unkeyed),
            "{key} names the SHA-256 of the user ID"
        );
        assert!(pttl(&url, key) > 0, "{key} expires");
    }

    // Another deployment's key: other names for the same user ID, and none of its counts.
    let elsewhere = connect_with_key(&url, &prefix, StoreKey::from_bytes([0xa7; 32])).await;
    for counter in [Counter::CodeSends, Counter::FailedVerifications] {
        assert_ne!(
            elsewhere.counter_key(&user, counter),
            store.counter_key(&user, counter)
        );
    }
    assert_ne!(elsewhere.block_key(&user), store.block_key(&user));
    assert_eq!(elsewhere.flow_key(flow), store.flow_key(flow));
    assert_eq!(elsewhere.blocked_until(&user, now).await.unwrap(), None);
    assert_eq!(
        elsewhere
            .add(&user, Counter::CodeSends, now, Duration::hours(1))
            .await
            .unwrap(),
        1
    );
    let keys = redis_cli(&url, &["--scan", "--pattern", &format!("{prefix}:*")]);
    assert_eq!(keys.len(), 6, "{keys:?}");
    elsewhere.clear(&user).await.unwrap();

    // A block with no counter to tell the time by is kept until a read with the time
    // gives it its lifetime.
    let other = UserId::parse("b@contoso.nl").expect("valid");
    store.block(&other, now + Duration::hours(2)).await.unwrap();
    let other_block = store.block_key(&other);
    assert!(!other_block.contains(&sha256_hex(other.as_str())));
    assert_eq!(pttl(&url, &other_block), -1);
    assert!(store.blocked_until(&other, now).await.unwrap().is_some());
    assert!(within(pttl(&url, &other_block), 2 * 60 * minute));
    for user in [&user, &other] {
        store.clear(user).await.unwrap();
    }
    assert!(store.discard(flow).await.is_ok());
    // What is left is the pool, until the last flow it names would have ended.
    let keys = redis_cli(&url, &["--scan", "--pattern", &format!("{prefix}:*")]);
    assert_eq!(keys, [pool], "{keys:?}");
}

/// The lower-case hex SHA-256 of `text`.
fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Drives a whole reset with the flow suspended in Redis between every two steps, the
/// per-user counters in the same Redis, and a form sent twice refused.
#[tokio::test]
async fn a_whole_wizard_suspended_in_redis_between_steps() {
    let Some(url) = redis_url() else { return };
    reset::a_whole_reset_suspended_in(&connect(&url, &prefix()).await).await;
}

#[tokio::test]
async fn a_damaged_stored_flow_is_missing_not_a_panic() {
    let Some(url) = redis_url() else { return };
    let store = connect(&url, &prefix()).await;
    let now = ManualClock::default().now();
    let flow = FlowId::generate().unwrap();
    let key = store.flow_key(flow);
    let deadline = (now + Duration::minutes(5)).unix_timestamp().to_string();
    // Empty, not a snapshot, of the old version 1, of this version but cut short.
    for bytes in ["", "garbage", "\x01short", "\x02short"] {
        redis_cli(
            &url,
            &["HSET", &key, "b", bytes, "n", "1", "s", &deadline, "f", "0"],
        );
        assert!(
            matches!(store.take(flow, None, now).await, Ok(Taken::Missing)),
            "{bytes:?}"
        );
    }
    // A value longer than any snapshot is dropped in Redis, never sent to the server
    // (by take, or by the peek of a challenge request).
    let huge = "x".repeat(100_000);
    redis_cli(
        &url,
        &["HSET", &key, "b", &huge, "n", "1", "s", &deadline, "f", "0"],
    );
    assert!(matches!(store.peek(flow, now).await, Ok(None)));
    assert!(matches!(
        store.take(flow, None, now).await,
        Ok(Taken::Missing)
    ));
    assert_eq!(redis_cli(&url, &["EXISTS", &key]), ["0"]);
    // Another flow's snapshot under this flow's key is not handed out either.
    let sspr = Sspr::builder(InMemoryDirectory::new(), Outbox::new())
        .keys(&sspr::testing::keys())
        .build()
        .expect("service");
    let other = snapshot(&sspr).await;
    let other_flow = other.flow_id();
    store
        .save(other, now + Duration::minutes(5), now)
        .await
        .unwrap();
    redis_cli(&url, &["RENAME", &store.flow_key(other_flow), &key]);
    assert!(matches!(
        store.take(flow, None, now).await,
        Ok(Taken::Missing)
    ));
    // A snapshot with a sound header and a damaged body is handed out; resuming it is a
    // typed error.
    let (damaged_flow, sound) = sspr::testing::fresh_flow(&sspr).await;
    let mut bytes = sound.as_bytes().to_vec();
    bytes[25..].fill(0xFF);
    store
        .save(
            FlowSnapshot::from_bytes(&bytes).expect("the header is sound"),
            now + Duration::minutes(5),
            now,
        )
        .await
        .unwrap();
    let flows = Flows::new(store.clone(), sspr::testing::keys())
        .expect("an in-memory store or real keys")
        .with_clock(ManualClock::new(now));
    let resumed = flows.resume(&damaged_flow.to_string()).await;
    assert!(
        matches!(resumed, Err(FlowsError::Snapshot(_))),
        "{resumed:?}"
    );
}
