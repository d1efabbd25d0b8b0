//! Redis going away, against real `redis-server`s that each test starts and stops itself
//! (from `PATH`, on a free loopback port of its own, whatever `REDIS_URL` says): stopped
//! mid-flow, every call is a typed error within a bound and the wizard the host holds is
//! kept; restarted, the same store works again and the flow continues. A hung server
//! costs a request its timeout. A one-node Redis Cluster runs the conformance suites.
//!
//! Without `redis-server` on `PATH`: when `CI` or `REDIS_URL` is set these tests fail;
//! otherwise (a developer's plain `cargo test`) each prints a notice and returns early,
//! checking nothing. `scripts/test` installs `redis-server` when missing.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed test

mod redis_support;

use std::process::Command;
use std::time::Instant;

use redis_support::{OwnServer, connect, free_port, key, redis_cli, redis_server_on_path, signal};
use sspr::conformance;
use sspr::host::{Clock, Counter, CounterError, Counters, ManualClock, Outbox};
use sspr::step::{AccountType, FromIdentify, FromSelectAccount, ToVerify};
use sspr::store::{Flows, FlowsError, RedisFlowStore, StoreError};
use sspr::testing::{JAN, demo_directory as directory};
use sspr::{AnyStep, FlowId, Next, Sspr, UserId};
use time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_mid_flow_then_restarted() {
    if !redis_server_on_path() {
        return;
    }
    let port = free_port();
    let server = OwnServer::start(port);
    let timeout = std::time::Duration::from_millis(500);
    let store = RedisFlowStore::connect_with_timeout(&server.url(), "sspr", key(), timeout)
        .await
        .expect("connects");
    let sspr = Sspr::builder(directory(), Outbox::new())
        .counters(store.clone())
        .build()
        .expect("service");
    let flows = Flows::new(store.clone());
    let id = flows
        .save(&sspr.start().expect("starts").into())
        .await
        .expect("saves")
        .expect("a step is saved")
        .flow
        .to_string();
    let AnyStep::SelectAccount(select) = flows.resume(&id).await.expect("resumes") else {
        panic!("select account")
    };
    let Ok(FromSelectAccount::Identify(identify)) = select.choose(&sspr, AccountType::WorkOrSchool)
    else {
        panic!("identify")
    };
    // The host keeps what the step led to until it is saved.
    let identify = Next::from(identify);
    flows.save(&identify).await.expect("saves");

    // Redis goes away mid-flow: every call fails with a typed error, within a bound.
    server.stop();
    let user = UserId::parse(JAN).expect("valid");
    let now = sspr.now();
    let bound = timeout * 4 + std::time::Duration::from_secs(1);
    let started = Instant::now();
    assert!(matches!(
        flows.save(&identify).await,
        Err(FlowsError::Store(StoreError::Unavailable { .. }))
    ));
    assert!(matches!(
        flows.resume(&id).await,
        Err(FlowsError::Store(StoreError::Unavailable { .. }))
    ));
    assert!(matches!(
        store
            .add(&user, Counter::CodeSends, now, Duration::hours(1))
            .await,
        Err(CounterError::Unavailable { .. })
    ));
    assert!(matches!(
        store.blocked_until(&user, now).await,
        Err(CounterError::Unavailable { .. })
    ));
    let elapsed = started.elapsed();
    assert!(elapsed < bound, "four failed calls took {elapsed:?}");
    eprintln!("Redis down: four calls failed with Unavailable in {elapsed:?}");

    // Redis is back on the same port, empty (no persistence). The same store handle
    // reconnects by itself; a request may still see the failed reconnection once.
    let server = OwnServer::start(port);
    let restarted = Instant::now();
    let deadline = restarted + std::time::Duration::from_secs(15);
    let mut refused = 0;
    let gone = loop {
        match flows.resume(&id).await {
            Err(FlowsError::Store(StoreError::Unavailable { .. })) => {
                refused += 1;
                assert!(
                    Instant::now() < deadline,
                    "the store reconnects within 15 s"
                );
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            other => break other,
        }
    };
    eprintln!(
        "Redis back: working again after {refused} refused call(s), {:?}",
        restarted.elapsed()
    );
    assert!(
        matches!(gone, Err(FlowsError::Missing)),
        "the flow went with the server: {gone:?}"
    );
    // The host still holds the wizard: it saves it again and the flow continues.
    flows
        .save(&identify)
        .await
        .expect("saves after reconnecting");
    drop(identify);
    let AnyStep::Identify(identify) = flows.resume(&id).await.expect("resumes") else {
        panic!("identify")
    };
    let answer = identify.step().challenge().danger_reveal_answer();
    let Ok(FromIdentify::ChooseMethod(choose)) = identify.submit(&sspr, JAN, &answer).await else {
        panic!("choose method")
    };
    let Ok(ToVerify::Verify(_)) = choose.choose(&sspr, 0).await else {
        panic!("a code is sent, counted in the restarted Redis")
    };
    assert_eq!(
        store
            .add(&user, Counter::CodeSends, sspr.now(), Duration::hours(1))
            .await
            .expect("counters work again"),
        2
    );
    server.stop();
}

/// No server: connecting fails within the timeout. A server that accepts connections but
/// never answers (stopped with SIGSTOP) costs a request the timeout, not forever; once
/// it answers again, so does the store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_redis_fails_within_the_timeout() {
    if !redis_server_on_path() {
        return;
    }
    let timeout = std::time::Duration::from_millis(300);
    // Nothing listens: connecting fails, typed, within the timeout.
    let started = Instant::now();
    let nowhere = format!("redis://127.0.0.1:{}/", free_port());
    assert!(matches!(
        RedisFlowStore::connect_with_timeout(&nowhere, "sspr", key(), timeout).await,
        Err(StoreError::Unavailable { .. })
    ));
    assert!(started.elapsed() < timeout * 3, "{:?}", started.elapsed());

    let server = OwnServer::start(free_port());
    let store = RedisFlowStore::connect_with_timeout(&server.url(), "sspr", key(), timeout)
        .await
        .expect("connects");
    let user = UserId::parse(JAN).expect("valid");
    let now = ManualClock::default().now();
    signal(&server, "-STOP");
    let started = Instant::now();
    let result = store.blocked_until(&user, now).await;
    let elapsed = started.elapsed();
    signal(&server, "-CONT");
    assert!(
        matches!(result, Err(CounterError::Unavailable { .. })),
        "{result:?}"
    );
    assert!(
        elapsed >= timeout && elapsed < timeout * 3,
        "a hung server cost {elapsed:?}"
    );
    let deadline = Instant::now() + std::time::Duration::from_secs(15);
    while store.blocked_until(&user, now).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "the store works again within 15 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    server.stop();
}

/// Redis Cluster refuses a script or command whose keys are in different slots
/// (CROSSSLOT). A one-node cluster that owns every slot runs the whole suite: the keys of
/// one flow, and of one user ID, share a slot.
#[tokio::test]
async fn the_keys_work_on_a_redis_cluster_node() {
    if !redis_server_on_path() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("sspr-cluster-{}", FlowId::generate().unwrap()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let port = free_port();
    let server = OwnServer::start_with(
        port,
        &[
            "--cluster-enabled",
            "yes",
            "--dir",
            dir.to_str().expect("a UTF-8 path"),
        ],
    );
    let url = server.url();
    assert_eq!(
        redis_cli(&url, &["CLUSTER", "ADDSLOTSRANGE", "0", "16383"]),
        ["OK"]
    );
    let deadline = Instant::now() + std::time::Duration::from_secs(10);
    while !redis_cli(&url, &["CLUSTER", "INFO"]).contains(&"cluster_state:ok".to_owned()) {
        assert!(
            Instant::now() < deadline,
            "the cluster comes up within 10 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Keys of different slots in one command are refused here, as on any cluster.
    let refused = Command::new("redis-cli")
        .args(["-u", &url, "DEL", "{a}:x", "{b}:x"])
        .output()
        .expect("redis-cli runs");
    assert!(String::from_utf8_lossy(&refused.stdout).contains("CROSSSLOT"));

    let store = connect(&url, "sspr").await;
    conformance::flow_store(&store, ManualClock::default().now()).await;
    conformance::counters(&store, ManualClock::default().now()).await;
    server.stop();
    let _ = std::fs::remove_dir_all(dir);
}
