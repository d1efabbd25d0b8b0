//! Redis going away or out of memory, against real `redis-server`s that each test starts
//! and stops itself (from `PATH`, on a free loopback port of its own, whatever
//! `REDIS_URL` says): stopped mid-flow, every call is a typed error within a bound and the
//! wizard the host holds is kept; restarted, the same store works again and the flow
//! continues. A hung server costs a request its timeout. Full (`maxmemory` with
//! `noeviction`) of flows past their challenge, saves and counts are typed errors and no
//! block is lost; full of anonymous flows (a flood of starts), they give way: no start is
//! refused and a whole reset goes through. With an evicting policy, blocks are lost (why
//! the store asks for `noeviction`). A one-node Redis Cluster runs the conformance suites.
//!
//! Without `redis-server` on `PATH`: when `CI` or `REDIS_URL` is set these tests fail;
//! otherwise (a developer's plain `cargo test`) each prints a notice and returns early,
//! checking nothing. `scripts/test` installs `redis-server` when missing.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed test

mod redis_support;

use std::process::Command;
use std::time::Instant;

use redis_support::{
    OwnServer, connect, free_port, key, new_flow, pttl, redis_cli, redis_server_on_path, reset,
    signal, used_memory,
};
use sspr::conformance;
use sspr::host::{Clock, Counter, CounterError, Counters, InMemoryDirectory, ManualClock, Outbox};
use sspr::step::{AccountType, FromIdentify, FromSelectAccount, ToVerify};
use sspr::store::{FlowStore, Flows, FlowsError, RedisFlowStore, StoreError, Taken};
use sspr::testing::{JAN, demo_directory as directory, fresh_snapshot as snapshot};
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
        .policy(sspr::testing::revealing_policy())
        .keys(&sspr::testing::keys())
        .counters(store.clone())
        .build()
        .expect("service");
    let flows =
        Flows::new(store.clone(), sspr::testing::keys()).expect("an in-memory store or real keys");
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

/// Failed verifications that block a user ID (the default policy's limit).
const LIMIT: u32 = 5;

/// A user ID of the memory tests.
fn user(name: &str) -> UserId {
    UserId::parse(&format!("{name}@contoso.nl")).expect("valid")
}

/// Blocks `users` as the wizard does: failures up to the limit, then the block (which
/// takes its lifetime from the counter).
async fn block_as_the_wizard(
    store: &RedisFlowStore,
    users: &[UserId],
    until: time::OffsetDateTime,
) {
    let now = until - Duration::hours(24);
    for user in users {
        for _ in 0..LIMIT {
            store
                .add(user, Counter::FailedVerifications, now, Duration::hours(1))
                .await
                .unwrap();
        }
        store.block(user, until).await.unwrap();
    }
}

/// Sets the server's `maxmemory` to 1 MiB above what it holds now; returns the cap.
fn cap_memory(url: &str) -> u64 {
    let cap = used_memory(url) + (1 << 20);
    assert_eq!(
        redis_cli(url, &["CONFIG", "SET", "maxmemory", &cap.to_string()]),
        ["OK"]
    );
    cap
}

/// Memory pressure (issue 10, 6b): a Redis with a `maxmemory` and `noeviction` is filled
/// with flows past their challenge (which nothing evicts) until it refuses a save, with a
/// typed error. Then no block is lost
/// (every blocked user ID stays blocked, and blocks are still read and set), a counter
/// add is an error and loses nothing, a flow is not taken (it could not be saved again)
/// and stays, and Redis holds no more than its cap: every script declares its flags, so
/// Redis checks memory before running one that may grow it. When flows go, everything
/// works again, every count intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_and_blocks_survive_memory_pressure() {
    if !redis_server_on_path() {
        return;
    }
    let (server, url, store, sspr) = own_server_with_eviction("noeviction").await;
    let now = sspr.now();
    let (window, until) = (Duration::hours(1), now + Duration::hours(24));
    let blocked: Vec<UserId> = (0..50).map(|i| user(&format!("blocked{i}"))).collect();
    block_as_the_wizard(&store, &blocked, until).await;
    // A block with no counter to tell the time by: the next read gives it its lifetime.
    let pending = user("pending");
    store.block(&pending, until).await.unwrap();
    // A user ID at its limit, whose block comes once memory has run out.
    let at_limit = user("at-limit");
    for _ in 0..LIMIT {
        store
            .add(&at_limit, Counter::FailedVerifications, now, window)
            .await
            .unwrap();
    }
    // Two code sends counted; one will be released under pressure.
    let sending = user("sending");
    for _ in 0..2 {
        store
            .add(&sending, Counter::CodeSends, now, window)
            .await
            .unwrap();
    }

    let cap = cap_memory(&url);
    let deadline = now + Duration::minutes(15);
    let template = snapshot(&sspr).await;
    let mut saved = Vec::new();
    let refused = loop {
        let s = new_flow(&template, false);
        let flow = s.flow_id();
        match store.save(s, deadline, now).await {
            Ok(()) => saved.push(flow),
            Err(error) => break error,
        }
        assert!(saved.len() < 1_000_000, "Redis never refused a save");
    };
    let used = used_memory(&url);
    eprintln!(
        "noeviction: {} flows saved, then {refused:?}; {used} bytes used of a {cap}-byte cap",
        saved.len()
    );
    let StoreError::Unavailable { source } = &refused else {
        panic!("a typed refusal: {refused:?}")
    };
    assert!(source.to_string().contains("(OOM)"), "{source}");
    assert!(
        used < cap + 64 * 1024,
        "Redis holds {used} bytes, far over its cap of {cap}"
    );
    // What Redis holds moves by a few KiB (client buffers): a cap 256 KiB below it keeps
    // Redis out of memory for the checks below. Saves stay refused, through `Flows` too,
    // a new start included: no anonymous flow is there to make room.
    let cap = used - 256 * 1024;
    assert_eq!(
        redis_cli(&url, &["CONFIG", "SET", "maxmemory", &cap.to_string()]),
        ["OK"]
    );
    let flows = Flows::new(store.clone(), sspr::testing::keys())
        .expect("the tests' keys")
        .with_clock(sspr.clone());
    assert!(matches!(
        flows.save(&sspr.start().expect("starts").into()).await,
        Err(FlowsError::Store(StoreError::Unavailable { .. }))
    ));

    // No block was lost, and every one is still read.
    for user in &blocked {
        assert_eq!(
            store.blocked_until(user, now).await.unwrap(),
            Some(until),
            "{user:?} stays blocked"
        );
    }
    assert_eq!(
        store.blocked_until(&pending, now).await.unwrap(),
        Some(until)
    );
    assert!(
        pttl(&url, &store.block_key(&pending)) > 0,
        "it got its lifetime"
    );
    // A block is never refused for memory.
    store
        .block(&at_limit, until)
        .await
        .expect("a block is set under memory pressure");
    assert_eq!(
        store.blocked_until(&at_limit, now).await.unwrap(),
        Some(until)
    );
    // A count is an error, never lost in silence; giving one back (which adds nothing)
    // works.
    for (user, counter) in [
        (&at_limit, Counter::FailedVerifications),
        (&sending, Counter::CodeSends),
        (&user("new"), Counter::CodeSends),
    ] {
        let added = store.add(user, counter, now, window).await;
        assert!(
            matches!(added, Err(CounterError::Unavailable { .. })),
            "{added:?}"
        );
    }
    store
        .release(&sending, Counter::CodeSends)
        .await
        .expect("a release runs under memory pressure");
    // A flow is not taken (it could not be saved again), so it stays; it can be shown.
    let kept = saved[0];
    let taken = store.take(kept, None, now).await;
    assert!(
        matches!(taken, Err(StoreError::Unavailable { .. })),
        "{taken:?}"
    );
    assert!(store.peek(kept, now).await.unwrap().is_some());

    // The flows go (here discarded, in life at their deadline): memory comes back.
    for flow in &saved[1..] {
        store.discard(*flow).await.unwrap();
    }
    assert!(used_memory(&url) < cap);
    assert!(matches!(
        store.take(kept, None, now).await,
        Ok(Taken::Snapshot(_))
    ));
    store
        .save(snapshot(&sspr).await, deadline, now)
        .await
        .expect("saves again");
    // Every count is as it was: nothing was written in part or lost.
    assert_eq!(
        store
            .add(&at_limit, Counter::FailedVerifications, now, window)
            .await
            .unwrap(),
        LIMIT + 1
    );
    assert_eq!(
        store
            .add(&sending, Counter::CodeSends, now, window)
            .await
            .unwrap(),
        2,
        "two sends, one given back, one more"
    );
    for user in &blocked {
        assert_eq!(store.blocked_until(user, now).await.unwrap(), Some(until));
    }
    server.stop();
}

/// A flood of starts into a full Redis (the issue's "after 1,000,000 anonymous starts a
/// real user still completes a reset", scaled to a Redis that holds about a thousand
/// flows): with a `maxmemory` and `noeviction`, room for far fewer anonymous flows than
/// the pool's capacity, and ten thousand starts, no start is refused (each makes room by
/// evicting the oldest), Redis stays within its cap and keeps the newest flows;
/// then a flow past its challenge is saved and taken, counts are added, a block from
/// before is still there, and a whole reset goes through, every step saved in the full
/// Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymous_flood_keeps_nothing_else_out_of_a_full_redis() {
    if !redis_server_on_path() {
        return;
    }
    let (server, url, store, sspr) = own_server_with_eviction("noeviction").await;
    let now = sspr.now();
    let until = now + Duration::hours(24);
    let blocked = user("blocked");
    block_as_the_wizard(&store, std::slice::from_ref(&blocked), until).await;
    let template = snapshot(&sspr).await;
    let cap = cap_memory(&url);
    let deadline = now + Duration::minutes(15);
    let flood = 10_000;
    let (mut oldest, mut newest) = (Vec::new(), Vec::new());
    for i in 0..flood {
        let s = new_flow(&template, true);
        let flow = s.flow_id();
        store
            .save(s, deadline, now)
            .await
            .expect("a new start is never refused");
        if i < 10 {
            oldest.push(flow);
        } else if i >= flood - 10 {
            newest.push(flow);
        }
    }
    let used = used_memory(&url);
    let pool: usize = redis_cli(&url, &["LLEN", &store.anonymous_key()])[0]
        .parse()
        .expect("a number");
    eprintln!(
        "noeviction, a pool of {}: {flood} anonymous starts, none refused; \
         the pool holds {pool}; {used} bytes used of a {cap}-byte cap",
        store.anonymous_capacity()
    );
    // Redis lets a write through while it is at most at its cap, so it may end a write
    // over it; what it holds moves by tens of KiB besides (client buffers).
    assert!(
        used < cap + 128 * 1024,
        "Redis holds {used} bytes, far over its cap of {cap}"
    );
    assert!(pool < flood / 4, "the pool shrank to what fits: {pool}");
    for flow in &newest {
        assert!(
            store.peek(*flow, now).await.unwrap().is_some(),
            "newest kept"
        );
    }
    for flow in &oldest {
        assert!(
            store.peek(*flow, now).await.unwrap().is_none(),
            "oldest gone"
        );
    }

    // A flow past its challenge, a count and a block: the flood keeps none of them out.
    let past = new_flow(&template, false);
    let past_flow = past.flow_id();
    store
        .save(past, deadline, now)
        .await
        .expect("a flow past its challenge is saved in a Redis full of anonymous flows");
    assert!(matches!(
        store.take(past_flow, None, now).await,
        Ok(Taken::Snapshot(_))
    ));
    assert_eq!(
        store
            .add(
                &user("counted"),
                Counter::CodeSends,
                now,
                Duration::hours(1)
            )
            .await
            .expect("a count is added"),
        1
    );
    assert_eq!(
        store.blocked_until(&blocked, now).await.unwrap(),
        Some(until)
    );
    // A real user completes a reset, every step saved in the full Redis.
    reset::a_whole_reset_suspended_in(&store).await;
    let used = used_memory(&url);
    assert!(
        used < cap + 128 * 1024,
        "Redis holds {used} bytes, far over its cap of {cap}"
    );
    server.stop();
}

/// A `redis-server` of this test with an eviction policy, its URL, a store on it and a
/// service (whose snapshots the test writes).
async fn own_server_with_eviction(policy: &str) -> (OwnServer, String, RedisFlowStore, Sspr) {
    let server = OwnServer::start_with(free_port(), &["--maxmemory-policy", policy]);
    let url = server.url();
    let store = connect(&url, "sspr").await;
    let sspr = Sspr::builder(InMemoryDirectory::new(), Outbox::new())
        .build()
        .expect("service");
    (server, url, store, sspr)
}

/// Why [`RedisFlowStore`] asks for `noeviction`: with `volatile-lru`, a flood of flows
/// makes Redis delete blocks to make room (each block has a lifetime, so it may go), and
/// their user IDs are no longer blocked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_evicting_redis_loses_blocks() {
    if !redis_server_on_path() {
        return;
    }
    let (server, url, store, sspr) = own_server_with_eviction("volatile-lru").await;
    let now = sspr.now();
    let until = now + Duration::hours(24);
    let blocked: Vec<UserId> = (0..50).map(|i| user(&format!("blocked{i}"))).collect();
    block_as_the_wizard(&store, &blocked, until).await;
    cap_memory(&url);
    let deadline = now + Duration::minutes(15);
    let mut unblocked = 0;
    let mut saves = 0;
    while unblocked == 0 {
        assert!(saves < 1_000_000, "Redis never evicted a block");
        for _ in 0..1000 {
            store
                .save(snapshot(&sspr).await, deadline, now)
                .await
                .expect("an evicting Redis never refuses a save");
        }
        saves += 1000;
        for user in &blocked {
            if store.blocked_until(user, now).await.unwrap().is_none() {
                unblocked += 1;
            }
        }
    }
    eprintln!("volatile-lru: after {saves} flows, {unblocked} of 50 blocked users unblocked");
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
