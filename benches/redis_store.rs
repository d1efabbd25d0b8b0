//! The Redis flow store on loopback: a save + take round trip of the largest step's
//! snapshot, and one counter add, beside the memory store's save + take (the baseline);
//! and one save of a new flow, anonymous (before its challenge: the pool of anonymous
//! flows is full, so each save evicts the oldest) and past its challenge.
//!
//! `cargo bench -p sspr-benches --bench redis_store` (with `REDIS_URL`, or `redis-server`
//! on `PATH`: then the benchmark starts its own on a free loopback port and stops it at
//! the end).
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
    Some((format!("redis://127.0.0.1:{port}/"), Some(own)))
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
    drop(own);
}

criterion_group!(benches, redis_round_trip);
criterion_main!(benches);
