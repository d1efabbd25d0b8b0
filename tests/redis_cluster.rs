//! The Redis flow store on a real Redis Cluster of three primaries (never a mock), through
//! the `redis` crate's cluster client: it passes the same conformance suites as on one
//! server (the pool of anonymous flows too, whose key is on another node than most of
//! its flows; full primaries make room by evicting anonymous flows), a flow moves between
//! two app servers (each with its own cluster connection) at every step, and flows and
//! user IDs spread over every primary, so these checks do cross nodes and slots.
//!
//! A primary that hangs or restarts mid-flow, on clusters the tests start themselves: a
//! hung primary costs the calls on its slots the timeout (a typed error) and loses no
//! flow; a primary that crashes and restarts with its append-only file (`appendfsync
//! always`) loses no flow, and the flow on it goes on to the end; one that restarts
//! without persistence comes back empty, its slots' flows and counters gone (the bound
//! that `RedisFlowStore`'s documentation states), the other primaries' kept.
//!
//! # Which cluster
//!
//! `REDIS_CLUSTER_URLS` names the shared cluster's nodes, comma-separated (`scripts/test`,
//! the README's test command, starts three primaries on free loopback ports and sets it).
//! Every test uses its own random key prefix. The tests with clusters of their own need
//! `redis-server` and `redis-cli` on `PATH`.
//!
//! Without `REDIS_CLUSTER_URLS` (or `redis-server`, for the tests with their own):
//! - when `CI` is set, the tests here **fail**: CI must run them against a cluster;
//! - otherwise (a developer's plain `cargo test`) each test prints a notice and returns
//!   early, checking nothing. Run `scripts/test` to run them.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed test

mod redis_support;

use std::collections::BTreeSet;
use std::time::{Duration as StdDuration, Instant};

use redis_support::cluster::{
    OwnCluster, cluster_urls, connect_cluster, connect_cluster_with_timeout, keys_on_node, node_of,
    node_serving, slot_of,
};
use redis_support::two_servers::flows_move_between_two_servers_on_both_policies;
use redis_support::{
    free_port, key, new_flow, prefix, redis_cli, redis_server_on_path, signal, used_memory,
};
use sspr::conformance;
use sspr::host::{Clock, Counter, CounterError, Counters, InMemoryDirectory, ManualClock, Outbox};
use sspr::password::Password;
use sspr::step::{
    AccountType, FromIdentify, FromNewPassword, FromSelectAccount, FromVerify, ToVerify,
};
use sspr::store::{FlowStore, Flows, FlowsError, RedisFlowStore, StoreError};
use sspr::testing::{JAN, STRONG, demo_directory, fresh_snapshot, phone, revealing_policy};
use sspr::{AnyStep, FlowId, Next, Sspr, UserId};
use time::{Duration, OffsetDateTime};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_store_conforms() {
    let Some(urls) = cluster_urls() else { return };
    let now = ManualClock::default().now();
    conformance::flow_store(&connect_cluster(&urls, &prefix()).await, now).await;
    conformance::counters(&connect_cluster(&urls, &prefix()).await, now).await;
    conformance::grant_store(&connect_cluster(&urls, &prefix()).await, now).await;
    // Two app servers' cluster connections taking one flow at once: exactly one wins.
    let prefix = prefix();
    let servers = [
        connect_cluster(&urls, &prefix).await,
        connect_cluster(&urls, &prefix).await,
    ];
    conformance::racing_takes(&servers, now, |task| {
        Box::pin(async move { tokio::spawn(task).await.expect("task") })
    })
    .await;
}

/// The pool of anonymous flows on a cluster: its key is in one slot, its flows in many
/// (on every primary), so filing a save and evicting the oldest are calls to different
/// nodes; the newest saves' flows are kept, the older ones evicted, wherever they are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_flows_are_a_bounded_pool_on_the_cluster() {
    let Some(urls) = cluster_urls() else { return };
    let now = ManualClock::default().now();
    let store = connect_cluster(&urls, &prefix())
        .await
        .with_anonymous_capacity(20);
    conformance::anonymous_flows_evict_the_oldest(&store, 20, 100, now).await;
    let prefix = prefix();
    let store = connect_cluster(&urls, &prefix)
        .await
        .with_anonymous_capacity(64);
    conformance::anonymous_flows_evict_the_oldest(&store, 64, 500, now).await;
    let pool = store.anonymous_key();
    let pool_node = node_of(&urls, &pool);
    let flow_marker = format!("{prefix}:flow:");
    let per_node: Vec<usize> = urls
        .iter()
        .map(|url| {
            keys_on_node(url, &prefix)
                .iter()
                .filter(|key| key.starts_with(&flow_marker))
                .count()
        })
        .collect();
    eprintln!("the pool on node {pool_node}; its flows per node: {per_node:?}");
    assert!(per_node.iter().all(|&n| n > 0), "{per_node:?}");
    assert!(per_node.iter().sum::<usize>() <= 64, "{per_node:?}");
}

#[tokio::test]
async fn a_flow_moves_between_two_servers_on_the_cluster() {
    let Some(urls) = cluster_urls() else { return };
    let prefix = prefix();
    flows_move_between_two_servers_on_both_policies(|| connect_cluster(&urls, &prefix)).await;
}

/// Flows and user IDs land on every primary, each flow's and each user ID's keys on one
/// node and in one slot; every operation found its node.
#[tokio::test]
async fn flows_and_users_spread_over_every_primary() {
    let Some(urls) = cluster_urls() else { return };
    assert_eq!(urls.len(), 3, "three primaries: {urls:?}");
    let prefix = prefix();
    let store = connect_cluster(&urls, &prefix).await;
    let sspr = service();
    let now = ManualClock::default().now();
    let flows = save_flows(&store, &sspr, 48, now).await;
    let users = users(48);
    for user in &users {
        store
            .add(user, Counter::CodeSends, now, Duration::hours(1))
            .await
            .unwrap();
        store
            .add(user, Counter::FailedVerifications, now, Duration::hours(1))
            .await
            .unwrap();
        store.block(user, now + Duration::hours(1)).await.unwrap();
    }

    let per_node: Vec<Vec<String>> = urls.iter().map(|url| keys_on_node(url, &prefix)).collect();
    let flow_marker = format!("{prefix}:flow:");
    let user_marker = format!("{prefix}:user:");
    for (url, keys) in urls.iter().zip(&per_node) {
        let on_node = |marker: &str| keys.iter().filter(|k| k.starts_with(marker)).count();
        let (flow_keys, user_keys) = (on_node(&flow_marker), on_node(&user_marker));
        eprintln!("{url}: {flow_keys} flow keys, {user_keys} user keys");
        assert!(flow_keys > 0, "no flow on {url}");
        assert!(user_keys > 0, "no user ID on {url}");
    }
    assert_eq!(
        per_node.iter().map(Vec::len).sum::<usize>(),
        flows.len() + 3 * users.len() + 1,
        "every key on exactly one node (the flows, the users' and the anonymous pool)"
    );
    // One user ID's keys: one node, one slot (the hash tag), as the scripts need.
    for user in &users {
        let keys = [
            store.block_key(user),
            store.counter_key(user, Counter::CodeSends),
            store.counter_key(user, Counter::FailedVerifications),
        ];
        let nodes: BTreeSet<usize> = keys.iter().map(|k| node_of(&urls, k)).collect();
        let slots: BTreeSet<u16> = keys.iter().map(|k| slot_of(&urls[0], k)).collect();
        assert_eq!((nodes.len(), slots.len()), (1, 1), "{keys:?}");
    }
    let slots: BTreeSet<u16> = flows
        .iter()
        .map(|flow| slot_of(&urls[0], &store.flow_key(*flow)))
        .collect();
    assert!(slots.len() > 40, "48 flows in {} slots", slots.len());

    // Every operation reaches the node of its keys.
    for flow in &flows {
        assert!(store.peek(*flow, now).await.unwrap().is_some());
        store.discard(*flow).await.unwrap();
        assert!(store.peek(*flow, now).await.unwrap().is_none());
    }
    for user in &users {
        assert!(store.blocked_until(user, now).await.unwrap().is_some());
        store.clear(user).await.unwrap();
        assert_eq!(store.blocked_until(user, now).await.unwrap(), None);
    }
    // What is left is the pool, until the last flow it names would have ended.
    let pool = store.anonymous_key();
    let left: Vec<String> = urls
        .iter()
        .flat_map(|url| keys_on_node(url, &prefix))
        .collect();
    assert_eq!(left, [pool]);
}

#[tokio::test]
async fn the_debug_form_names_the_nodes_without_credentials() {
    let Some(urls) = cluster_urls() else { return };
    let store = connect_cluster(&urls, "sspr").await;
    let shown = format!("{store:?}");
    let addresses = urls
        .iter()
        .map(|url| url.trim_start_matches("redis://").trim_end_matches('/'))
        .collect::<Vec<_>>()
        .join(",");
    assert!(
        shown.starts_with(&format!(
            "RedisFlowStore {{ server: \"cluster {addresses}\""
        )),
        "{shown}"
    );
    // Node URLs with a password: the nodes refuse the login or ignore it, either way the
    // password never shows, in `Debug` or in the error.
    let with_password: Vec<String> = urls
        .iter()
        .map(|url| url.replacen("redis://", "redis://someone:hunter2-secret@", 1))
        .collect();
    let nodes: Vec<&str> = with_password.iter().map(String::as_str).collect();
    match RedisFlowStore::connect_cluster(&nodes, "sspr", key()).await {
        Ok(store) => assert!(!format!("{store:?}").contains("hunter2"), "{store:?}"),
        Err(error) => {
            let mut cause: Option<&dyn std::error::Error> = Some(&error);
            while let Some(error) = cause {
                assert!(!format!("{error} {error:?}").contains("hunter2"), "{error}");
                cause = error.source();
            }
        }
    }
    let first = urls[0].as_str();
    let too_many = vec![first; RedisFlowStore::MAX_CLUSTER_NODES + 1];
    let other_password = first.replacen("redis://", "redis://:other@", 1);
    for (nodes, prefix) in [
        (&[][..], "sspr"),
        (&["not a url"][..], "sspr"),
        (&too_many[..], "sspr"),
        (&[first, other_password.as_str()][..], "sspr"),
        (&[first][..], "a{b}"),
    ] {
        assert!(
            matches!(
                RedisFlowStore::connect_cluster(nodes, prefix, key()).await,
                Err(StoreError::Unavailable { .. })
            ),
            "{nodes:?} {prefix:?}"
        );
    }
    // Nothing listens: connecting fails, typed, within the timeout. One node that answers
    // is enough: the client learns the others from it.
    let timeout = StdDuration::from_millis(300);
    let nowhere = format!("redis://127.0.0.1:{}/", free_port());
    let found =
        RedisFlowStore::connect_cluster_with_timeout(&[&nowhere, first], "sspr", key(), timeout)
            .await
            .expect("connects through the node that answers");
    assert!(
        found
            .peek(FlowId::generate().unwrap(), ManualClock::default().now())
            .await
            .is_ok()
    );
    let started = Instant::now();
    assert!(matches!(
        RedisFlowStore::connect_cluster_with_timeout(&[&nowhere], "sspr", key(), timeout).await,
        Err(StoreError::Unavailable { .. })
    ));
    assert!(started.elapsed() < timeout * 3, "{:?}", started.elapsed());
}

/// A primary that hangs (SIGSTOP) costs the calls on its slots the timeout, a typed
/// error; the other primaries' flows stay within reach; once it answers again, every
/// flow is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_primary_costs_its_slots_the_timeout_and_loses_no_flow() {
    if !redis_server_on_path() {
        return;
    }
    let cluster = OwnCluster::start(&[]);
    let urls = cluster.urls();
    let timeout = StdDuration::from_millis(500);
    let store = connect_cluster_with_timeout(&urls, "sspr", timeout).await;
    let sspr = service();
    let now = ManualClock::default().now();
    let flows = save_flows(&store, &sspr, 24, now).await;
    let on: Vec<usize> = flows
        .iter()
        .map(|flow| node_of(&urls, &store.flow_key(*flow)))
        .collect();
    let (hung, other) = (on[0], (on[0] + 1) % 3);
    let user = user_on(&store, &urls, hung);

    signal(cluster.node(hung), "-STOP");
    let started = Instant::now();
    let result = store.peek(flows[0], now).await;
    let peek_took = started.elapsed();
    let counted = store
        .add(&user, Counter::CodeSends, now, Duration::hours(1))
        .await;
    let took = started.elapsed();
    // Another primary's flow, while this one hangs.
    let elsewhere = flows[on.iter().position(|&n| n == other).expect("a flow there")];
    let started_elsewhere = Instant::now();
    let other_result = store.peek(elsewhere, now).await;
    let elsewhere_took = started_elsewhere.elapsed();
    signal(cluster.node(hung), "-CONT");
    eprintln!(
        "primary {hung} hung: peek {peek_took:?}, two calls {took:?}, \
         a flow on primary {other} {elsewhere_took:?} ({})",
        if other_result.is_ok() { "ok" } else { "failed" }
    );
    assert!(
        matches!(result, Err(StoreError::Unavailable { .. })),
        "{result:?}"
    );
    assert!(
        matches!(counted, Err(CounterError::Unavailable { .. })),
        "{counted:?}"
    );
    assert!(
        peek_took >= timeout && took < timeout * 4,
        "a hung primary cost two calls {took:?}"
    );
    assert!(
        elsewhere_took < timeout * 2,
        "a call on another primary took {elsewhere_took:?}"
    );

    // It answers again: every flow is there, the counter works.
    let started = Instant::now();
    let deadline = started + StdDuration::from_secs(15);
    while store.peek(flows[0], now).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "the store works again within 15 s"
        );
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    eprintln!(
        "primary {hung} back: working again after {:?}",
        started.elapsed()
    );
    for flow in &flows {
        assert!(store.peek(*flow, now).await.unwrap().is_some(), "{flow}");
    }
    assert_eq!(
        store
            .add(&user, Counter::CodeSends, now, Duration::hours(1))
            .await
            .unwrap(),
        1,
        "the refused count was not counted"
    );
}

/// A primary crashes (SIGKILL) mid-flow and starts again with its append-only file
/// (`appendfsync always`: every write is on disk before Redis answers it): while it is
/// down, the calls on its slots fail, typed, within a bound; back, it has every flow
/// and every count, and the flow on it goes on to the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_primary_restarted_with_its_append_only_file_loses_no_flow() {
    if !redis_server_on_path() {
        return;
    }
    let mut cluster = OwnCluster::start(&["--appendonly", "yes", "--appendfsync", "always"]);
    let urls = cluster.urls();
    let timeout = StdDuration::from_millis(500);
    let store = connect_cluster_with_timeout(&urls, "sspr", timeout).await;
    let outbox = Outbox::new();
    let (sspr, flows) = service_on(&store, outbox.clone());
    let now = sspr.now();
    let saved = save_flows(&store, &sspr, 24, now).await;
    let users = users(12);
    for user in &users {
        store
            .add(user, Counter::FailedVerifications, now, Duration::hours(1))
            .await
            .unwrap();
    }
    // A person's flow, suspended at the challenge; its primary is the one that crashes.
    let (id, identify) = flow_at_identify(&sspr, &flows).await;
    let crashed = node_serving(&urls, &store.flow_key(id.store_key()));
    let on: Vec<usize> = saved
        .iter()
        .map(|flow| node_serving(&urls, &store.flow_key(*flow)))
        .collect();
    drop(identify);

    cluster.kill_node(crashed);
    let started = Instant::now();
    let refused = flows.resume(&id.to_string()).await;
    let elapsed = started.elapsed();
    assert!(
        matches!(
            refused,
            Err(FlowsError::Store(StoreError::Unavailable { .. }))
        ),
        "{refused:?}"
    );
    assert!(
        elapsed < timeout * 2,
        "a call on a crashed primary took {elapsed:?}"
    );
    // The other primaries' flows are within reach meanwhile.
    let started = Instant::now();
    for (flow, node) in saved.iter().zip(&on) {
        if *node != crashed {
            assert!(store.peek(*flow, now).await.unwrap().is_some(), "{flow}");
        }
    }
    eprintln!(
        "primary {crashed} down: a call on it failed in {elapsed:?}, \
         the other primaries' flows read in {:?}",
        started.elapsed()
    );

    cluster.start_node(crashed);
    let restarted = Instant::now();
    let identify = resume_when_back(&flows, &id).await;
    eprintln!(
        "primary {crashed} restarted with its append-only file: the flow resumed after {:?}",
        restarted.elapsed()
    );
    let AnyStep::Identify(identify) = identify else {
        panic!("identify")
    };
    finish(&sspr, &flows, &id, identify, &outbox).await;
    for flow in &saved {
        assert!(store.peek(*flow, now).await.unwrap().is_some(), "{flow}");
    }
    for user in &users {
        assert_eq!(
            store
                .add(user, Counter::FailedVerifications, now, Duration::hours(1))
                .await
                .unwrap(),
            2,
            "the count before the crash is kept"
        );
    }
}

/// A primary restarted without persistence (and without a replica) comes back empty: the
/// flows and counters of its slots are gone, those of the other primaries are kept. The
/// host still holds the wizard of its last step; saved again, the flow goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_primary_restarted_without_persistence_loses_its_slots_flows() {
    if !redis_server_on_path() {
        return;
    }
    let mut cluster = OwnCluster::start(&[]);
    let urls = cluster.urls();
    let timeout = StdDuration::from_millis(500);
    let store = connect_cluster_with_timeout(&urls, "sspr", timeout).await;
    let outbox = Outbox::new();
    let (sspr, flows) = service_on(&store, outbox.clone());
    let now = sspr.now();
    let saved = save_flows(&store, &sspr, 24, now).await;
    let (id, identify) = flow_at_identify(&sspr, &flows).await;
    let restarted = node_serving(&urls, &store.flow_key(id.store_key()));
    let user = user_on(&store, &urls, restarted);
    store.block(&user, now + Duration::hours(1)).await.unwrap();

    cluster.kill_node(restarted);
    cluster.start_node(restarted);
    let gone = resume_when_back_or_gone(&flows, &id).await;
    assert!(
        matches!(gone, Err(FlowsError::Missing)),
        "the flow went with the primary's data: {gone:?}"
    );
    let mut kept = 0;
    for flow in &saved {
        let found = store.peek(*flow, now).await.unwrap().is_some();
        let on_restarted = node_serving(&urls, &store.flow_key(*flow)) == restarted;
        assert_eq!(found, !on_restarted, "{flow}");
        kept += usize::from(found);
    }
    eprintln!("primary {restarted} restarted empty: {kept} of 24 flows kept");
    assert!(kept > 0 && kept < 24, "{kept}");
    assert_eq!(
        store.blocked_until(&user, now).await.unwrap(),
        None,
        "the block went with it (why the docs ask for persistence or replicas)"
    );
    // The host saves the wizard it holds again, and the flow goes on.
    flows.save(&identify).await.expect("saves").expect("a step");
    let AnyStep::Identify(identify) = flows.resume(&id.to_string()).await.expect("resumes") else {
        panic!("identify")
    };
    finish(&sspr, &flows, &id, identify, &outbox).await;
}

/// A flood of starts into a full cluster (`maxmemory` 1 MiB above what each primary holds,
/// `noeviction`): a refused write makes room by evicting the oldest anonymous flows,
/// which are spread over the primaries, until it goes through on its own. No start is
/// refused, and then flows past their challenge and counts on every primary are too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_cluster_makes_room_by_evicting_anonymous_flows() {
    if !redis_server_on_path() {
        return;
    }
    let cluster = OwnCluster::start(&[]);
    let urls = cluster.urls();
    let store = connect_cluster(&urls, "sspr").await;
    let sspr = service();
    let now = ManualClock::default().now();
    let deadline = now + Duration::minutes(15);
    let template = fresh_snapshot(&sspr).await;
    let caps: Vec<u64> = urls
        .iter()
        .map(|url| {
            let cap = used_memory(url) + (1 << 20);
            let set = redis_cli(url, &["CONFIG", "SET", "maxmemory", &cap.to_string()]);
            assert_eq!(set, ["OK"]);
            cap
        })
        .collect();
    let flood = 10_000;
    for _ in 0..flood {
        store
            .save(new_flow(&template, true), deadline, now)
            .await
            .expect("a new start is never refused");
    }
    let pool: usize = redis_cli(&urls[0], &["-c", "LLEN", &store.anonymous_key()])[0]
        .parse()
        .expect("a number");
    let used: Vec<u64> = urls.iter().map(|url| used_memory(url)).collect();
    eprintln!(
        "{flood} starts into a full cluster: the pool holds {pool}; used {used:?} of {caps:?}"
    );
    assert!(pool < flood / 2, "the pool shrank to what fits: {pool}");
    // Redis lets a write through while it is at most at its cap, so it may end a write
    // over it; what it holds moves by tens of KiB besides (client buffers).
    for (used, cap) in used.iter().zip(&caps) {
        assert!(*used < cap + 128 * 1024, "{used} bytes for a cap of {cap}");
    }
    for _ in 0..12 {
        let past = new_flow(&template, false);
        let flow = past.flow_id();
        store
            .save(past, deadline, now)
            .await
            .expect("a flow past its challenge is saved");
        assert!(store.peek(flow, now).await.unwrap().is_some());
    }
    for node in 0..3 {
        let user = user_on(&store, &urls, node);
        assert_eq!(
            store
                .add(&user, Counter::CodeSends, now, Duration::hours(1))
                .await
                .expect("a count on a full primary"),
            1
        );
    }
}

/// A service with no counters (for making snapshots).
fn service() -> Sspr {
    Sspr::builder(InMemoryDirectory::new(), Outbox::new())
        .keys(&sspr::testing::keys())
        .build()
        .expect("service")
}

/// A service with its counters on `store`, and its flows there.
fn service_on(store: &RedisFlowStore, outbox: Outbox) -> (Sspr, Flows<RedisFlowStore>) {
    let sspr = Sspr::builder(demo_directory(), outbox)
        .policy(revealing_policy())
        .keys(&sspr::testing::keys())
        .counters(store.clone())
        .build()
        .expect("service");
    let flows = Flows::new(store.clone(), sspr::testing::keys()).expect("real keys");
    (sspr, flows)
}

/// Saves `n` fresh flows, each until `now` + 15 minutes; returns their store keys.
async fn save_flows(
    store: &RedisFlowStore,
    sspr: &Sspr,
    n: usize,
    now: OffsetDateTime,
) -> Vec<FlowId> {
    let mut flows = Vec::with_capacity(n);
    for _ in 0..n {
        let snapshot = fresh_snapshot(sspr).await;
        flows.push(snapshot.flow_id());
        store
            .save(snapshot, now + Duration::minutes(15), now)
            .await
            .expect("saves");
    }
    flows
}

/// `n` user IDs.
fn users(n: usize) -> Vec<UserId> {
    (0..n)
        .map(|i| UserId::parse(&format!("user{i}@contoso.nl")).expect("valid"))
        .collect()
}

/// A user ID whose keys are on node `node` of `urls`.
fn user_on(store: &RedisFlowStore, urls: &[String], node: usize) -> UserId {
    users(100)
        .into_iter()
        .find(|user| node_serving(urls, &store.block_key(user)) == node)
        .expect("one of 100 user IDs on each primary")
}

/// Starts a flow and takes it to the challenge, saved; returns its ID and the step the
/// host holds.
async fn flow_at_identify(sspr: &Sspr, flows: &Flows<RedisFlowStore>) -> (FlowId, Next) {
    let saved = flows
        .save(&sspr.start().expect("starts").into())
        .await
        .expect("saves")
        .expect("a step is saved");
    let AnyStep::SelectAccount(select) = flows
        .resume_step(&saved.flow.to_string(), saved.nonce)
        .await
        .expect("resumes")
    else {
        panic!("select account")
    };
    let Ok(FromSelectAccount::Identify(identify)) = select.choose(sspr, AccountType::WorkOrSchool)
    else {
        panic!("identify")
    };
    let identify = Next::from(identify);
    flows.save(&identify).await.expect("saves").expect("a step");
    (saved.flow, identify)
}

/// Resumes flow `id` once its primary answers again (within 15 s of refusals).
async fn resume_when_back(flows: &Flows<RedisFlowStore>, id: &FlowId) -> AnyStep {
    resume_when_back_or_gone(flows, id)
        .await
        .expect("the flow is there")
}

/// Resumes flow `id` once its primary answers again: what it finds then.
async fn resume_when_back_or_gone(
    flows: &Flows<RedisFlowStore>,
    id: &FlowId,
) -> Result<AnyStep, FlowsError> {
    let deadline = Instant::now() + StdDuration::from_secs(15);
    let mut refused = 0;
    let mut why = BTreeSet::new();
    loop {
        match flows.resume(&id.to_string()).await {
            Err(FlowsError::Store(StoreError::Unavailable { source })) => {
                refused += 1;
                why.insert(source.to_string());
                assert!(Instant::now() < deadline, "the primary answers within 15 s");
                tokio::time::sleep(StdDuration::from_millis(100)).await;
            }
            other => {
                eprintln!("the primary answered after {refused} refused call(s): {why:?}");
                return other;
            }
        }
    }
}

/// Takes the flow at the challenge to the end: answer, code, new password.
async fn finish(
    sspr: &Sspr,
    flows: &Flows<RedisFlowStore>,
    id: &FlowId,
    identify: sspr::Wizard<sspr::step::Identify>,
    outbox: &Outbox,
) {
    let answer = sspr::testing::answer_of(&identify);
    let Ok(FromIdentify::ChooseMethod(choose)) = identify.submit(sspr, JAN, &answer).await else {
        panic!("choose method")
    };
    let Ok(ToVerify::Verify(verify)) = choose.choose(sspr, 0).await else {
        panic!("a code is sent, counted on the cluster")
    };
    flows.save(&verify.into()).await.expect("saves");
    let AnyStep::Verify(verify) = flows.resume(&id.to_string()).await.expect("resumes") else {
        panic!("verify")
    };
    let code = outbox.last_code_to(&phone()).expect("a code was sent");
    let Ok(FromVerify::NewPassword(new_password)) = verify.submit(sspr, &code).await else {
        panic!("new password")
    };
    let done = new_password
        .submit(sspr, Password::new(STRONG), Password::new(STRONG))
        .await;
    assert!(
        matches!(done, Ok(FromNewPassword::Completed(_))),
        "{done:?}"
    );
}
