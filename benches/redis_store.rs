//! The Redis flow store on loopback: a save + take round trip of the largest step's
//! snapshot, and one counter add, beside the memory store's save + take (the baseline);
//! and one save of a new flow, anonymous (before its challenge: the pool of anonymous
//! flows is full, so each save evicts the oldest) and past its challenge, by criterion and
//! again in pairs (the two in turn, each timed: quantiles printed at the end), which a
//! loaded machine disturbs less.
//!
//! `cargo bench -p sspr-benches --bench redis_store` (with `REDIS_URL`, or `redis-server`
//! on `PATH`: then the benchmark starts its own on a free loopback port and stops it at
//! the end).
//!
//! With `SSPR_BENCH_FLOOD=N`, it also floods a Redis of its own (`redis-server` on
//! `PATH`) with N anonymous starts, 64 at a time, each a new flow that lives 15 minutes,
//! into a pool of `SSPR_BENCH_FLOOD_CAPACITY` (default the store's, 100,000), and prints
//! what Redis holds then (`used_memory`, keys): `SSPR_BENCH_FLOOD=1000000 cargo bench -p
//! sspr-benches --bench redis_store -- flood` (the filter leaves out the timings).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration as StdDuration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use sspr::host::{Clock, Counter, Counters, InMemoryDirectory, ManualClock, Outbox};
use sspr::step::{AccountType, FromSelectAccount};
use sspr::store::{
    FlowSnapshot, FlowStore, Flows, MemoryFlowStore, RedisFlowStore, StoreKey, Taken,
};
use sspr::{FlowId, Sspr, UserId};
use time::Duration;

/// A server of this benchmark (when `REDIS_URL` is not set); killed on drop.
struct OwnServer(Child);

impl Drop for OwnServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn server() -> Option<(String, Option<OwnServer>)> {
    if let Ok(url) = std::env::var("REDIS_URL") {
        return Some((url, None));
    }
    own_server().map(|(url, own)| (url, Some(own)))
}

/// A `redis-server` of this benchmark on a free loopback port, without persistence.
fn own_server() -> Option<(String, OwnServer)> {
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .ok()?
        .port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let own = OwnServer(child);
    let deadline = Instant::now() + StdDuration::from_secs(10);
    while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(StdDuration::from_millis(20));
    }
    Some((format!("redis://127.0.0.1:{port}/"), own))
}

/// `redis-cli -u URL ARGS...`, one reply per line.
fn redis_cli(url: &str, args: &[&str]) -> Vec<String> {
    let output = Command::new("redis-cli")
        .args(["-u", url])
        .args(args)
        .output()
        .expect("redis-cli runs");
    String::from_utf8(output.stdout)
        .expect("text")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A field of `INFO memory`.
fn memory_info(url: &str, field: &str) -> String {
    redis_cli(url, &["INFO", "memory"])
        .iter()
        .find_map(|line| line.strip_prefix(&format!("{field}:")).map(str::to_owned))
        .expect("INFO memory has the field")
        .trim()
        .to_owned()
}

/// A snapshot of the Identify step (a challenge inside), renamed per flow below: saved as
/// a host does ([`Flows::save`]) and read back from the store.
async fn template() -> Vec<u8> {
    let clock = ManualClock::default();
    let sspr = Sspr::builder(InMemoryDirectory::new(), Outbox::new())
        .keys(&sspr::host::Keys::from_secret([7; 32]))
        .clock(clock.clone())
        .build()
        .unwrap();
    let Ok(FromSelectAccount::Identify(identify)) = sspr
        .start()
        .unwrap()
        .choose(&sspr, AccountType::WorkOrSchool)
    else {
        panic!("identify")
    };
    let store = MemoryFlowStore::new();
    let saved = Flows::new(store.clone(), sspr::host::Keys::from_secret([7; 32]))
        .expect("an in-memory store or real keys")
        .with_clock(clock.clone())
        .save(&identify.into())
        .await
        .unwrap()
        .unwrap();
    let snapshot = store
        .peek(saved.flow.store_key(), clock.now())
        .await
        .unwrap()
        .unwrap();
    snapshot.as_bytes().to_vec()
}

/// The template filed under `flow` (the header: version, stage, flow store key, nonce).
fn renamed(template: &[u8], flow: FlowId) -> FlowSnapshot {
    let mut bytes = template.to_vec();
    bytes[2..18].copy_from_slice(flow.as_bytes());
    FlowSnapshot::from_bytes(&bytes).unwrap()
}

/// The template as a flow past its challenge: the header's stage byte set (a store reads
/// only the header; the body would not open, which no store tries).
fn identified(template: &[u8]) -> Vec<u8> {
    let mut bytes = template.to_vec();
    bytes[1] = 1;
    let snapshot = FlowSnapshot::from_bytes(&bytes).unwrap();
    assert!(!snapshot.is_anonymous());
    bytes
}

fn redis_round_trip(c: &mut Criterion) {
    let Some((url, own)) = server() else {
        println!("notice: no REDIS_URL and no redis-server on PATH: Redis benchmark skipped");
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let prefix = format!("sspr-bench:{}", FlowId::generate().unwrap());
    let store = runtime
        .block_on(RedisFlowStore::connect(
            &url,
            &prefix,
            StoreKey::generate().unwrap(),
        ))
        .unwrap();
    let memory = MemoryFlowStore::new();
    let template = runtime.block_on(template());
    println!("snapshot: {} bytes", template.len());
    let now = ManualClock::default().now();
    let expires = now + Duration::minutes(15);
    let flow = FlowId::generate().unwrap();
    let user = UserId::parse("jan.jansen@contoso.nl").unwrap();

    let mut group = c.benchmark_group("flow store round trip");
    group.bench_function("memory/save+take", |b| {
        b.iter(|| {
            runtime.block_on(async {
                memory
                    .save(renamed(&template, flow), expires, now)
                    .await
                    .unwrap();
                let Taken::Snapshot(_) = memory.take(flow, None, now).await.unwrap() else {
                    panic!("saved")
                };
            })
        })
    });
    group.bench_function("redis loopback/save+take", |b| {
        b.iter(|| {
            runtime.block_on(async {
                store
                    .save(renamed(&template, flow), expires, now)
                    .await
                    .unwrap();
                let Taken::Snapshot(_) = store.take(flow, None, now).await.unwrap() else {
                    panic!("saved")
                };
            })
        })
    });
    group.bench_function("redis loopback/counter add", |b| {
        b.iter(|| {
            runtime.block_on(async {
                store
                    .add(&user, Counter::CodeSends, now, Duration::hours(1))
                    .await
                    .unwrap()
            })
        })
    });
    group.finish();
    runtime.block_on(store.clear(&user)).unwrap();

    // One save of a new flow each, timed; the flows are discarded after each batch
    // (untimed), so that what Redis holds does not grow from one bench to the next.
    let short = now + Duration::minutes(1);
    let past_challenge = identified(&template);
    // A full pool of anonymous flows (a small one, filled here): each anonymous save
    // evicts the oldest, as in a flood.
    let store = store.with_anonymous_capacity(1_000);
    runtime.block_on(async {
        for _ in 0..1_000 {
            let flow = FlowId::generate().unwrap();
            store
                .save(renamed(&template, flow), short, now)
                .await
                .unwrap();
        }
    });
    let mut group = c.benchmark_group("new flow save");
    for (name, template) in [
        ("redis loopback/anonymous", &template),
        ("redis loopback/past its challenge", &past_challenge),
    ] {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let flows: Vec<FlowId> =
                        (0..iters).map(|_| FlowId::generate().unwrap()).collect();
                    let start = Instant::now();
                    for flow in &flows {
                        store
                            .save(renamed(template, *flow), short, now)
                            .await
                            .unwrap();
                    }
                    let elapsed = start.elapsed();
                    for flow in flows {
                        store.discard(flow).await.unwrap();
                    }
                    elapsed
                })
            })
        });
    }
    group.finish();

    // The same two saves in turn, each timed by itself, so that the load of the machine
    // (other processes on its cores) falls on both alike: quantiles of the pairs.
    let pairs = 20_000;
    let (mut anonymous, mut past) = (Vec::with_capacity(pairs), Vec::with_capacity(pairs));
    let mut flows = Vec::with_capacity(2 * pairs);
    runtime.block_on(async {
        for _ in 0..pairs {
            for (template, times) in [(&template, &mut anonymous), (&past_challenge, &mut past)] {
                let flow = FlowId::generate().unwrap();
                let start = Instant::now();
                store
                    .save(renamed(template, flow), short, now)
                    .await
                    .unwrap();
                times.push(start.elapsed());
                flows.push(flow);
            }
        }
        for flow in flows {
            store.discard(flow).await.unwrap();
        }
    });
    let quantiles = |times: &mut Vec<StdDuration>| {
        times.sort_unstable();
        let at = |q: usize| times[times.len() * q / 100].as_secs_f64() * 1e6;
        format!(
            "median {:.1} µs (p10 {:.1}, p90 {:.1})",
            at(50),
            at(10),
            at(90)
        )
    };
    println!("new flow save, {pairs} pairs in turn on loopback Redis:");
    println!(
        "  anonymous (the pool full: evicts one): {}",
        quantiles(&mut anonymous)
    );
    println!(
        "  past its challenge (one save script):  {}",
        quantiles(&mut past)
    );
    drop(own);
}

/// `SSPR_BENCH_FLOOD` anonymous starts into a Redis of its own, then what Redis holds
/// (see the module docs). Registers no timing.
fn anonymous_flood(_: &mut Criterion) {
    let Some(starts) = std::env::var("SSPR_BENCH_FLOOD")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    else {
        return;
    };
    let (url, own) = own_server().expect("redis-server on PATH");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut store = runtime
        .block_on(RedisFlowStore::connect(
            &url,
            "sspr",
            StoreKey::generate().unwrap(),
        ))
        .unwrap();
    if let Some(capacity) = std::env::var("SSPR_BENCH_FLOOD_CAPACITY")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        store = store.with_anonymous_capacity(capacity);
    }
    let template = runtime.block_on(template());
    let empty: u64 = memory_info(&url, "used_memory").parse().unwrap();
    let now = ManualClock::default().now();
    let expires = now + Duration::minutes(15);
    let tasks = 64;
    let started = Instant::now();
    runtime.block_on(async {
        let handles: Vec<_> = (0..tasks)
            .map(|task| {
                let (store, template) = (store.clone(), template.clone());
                let share = starts / tasks + usize::from(task < starts % tasks);
                tokio::spawn(async move {
                    for _ in 0..share {
                        let flow = FlowId::generate().unwrap();
                        store
                            .save(renamed(&template, flow), expires, now)
                            .await
                            .unwrap();
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
    });
    let took = started.elapsed();
    let used: u64 = memory_info(&url, "used_memory").parse().unwrap();
    let keys = redis_cli(&url, &["DBSIZE"]);
    let pool = redis_cli(&url, &["LLEN", "sspr:anonymous"]);
    let pool_bytes = redis_cli(&url, &["MEMORY", "USAGE", "sspr:anonymous"]);
    println!(
        "anonymous flood: {starts} starts ({tasks} at a time) in {took:.1?} \
         ({:.0} a second); store {store:?}",
        starts as f64 / took.as_secs_f64()
    );
    println!(
        "  used_memory {used} bytes ({}; {empty} bytes empty, {:.0} bytes a key), \
         {} keys, pool {} entries ({} bytes)",
        memory_info(&url, "used_memory_human"),
        (used - empty) as f64 / keys[0].parse::<f64>().unwrap().max(1.0),
        keys[0],
        pool.first().map_or("-", String::as_str),
        pool_bytes.first().map_or("-", String::as_str),
    );
    drop(own);
}

criterion_group!(benches, redis_round_trip, anonymous_flood);
criterion_main!(benches);
