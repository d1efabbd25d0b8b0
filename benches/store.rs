//! Suspended flows: snapshot encode/decode per step (sizes printed), the memory store's
//! take/save, and its resident memory for 1,000,000 pending flows (printed).
//!
//! Snapshots are made and read only through the host's calls, as a host does:
//! [`Flows::save`] encodes a step (and saves it), [`Flows::resume`] takes a stored flow
//! (and decodes it). Beside each, the same store calls without the codec, to subtract.
//!
//! `cargo bench -p sspr-benches --bench store`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use criterion::{Criterion, criterion_group, criterion_main};
use sspr::host::{Clock, ContactMethod, InMemoryDirectory, ManualClock, Outbox, Role, UserRecord};
use sspr::step::{AccountType, FromIdentify, FromSelectAccount, FromVerify, ToVerify};
use sspr::store::{FlowSnapshot, Flows, MemoryFlowStore, Taken};
use sspr::{AnyStep, FlowId, Next, Sspr, UserId};
use time::{Duration, OffsetDateTime};

const FLOWS: usize = 1_000_000;

/// In-memory parts never wait: one poll finishes the step.
fn ready<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("in-memory parts are always ready"),
    }
}

/// A memory store and the flows in it, on `clock`.
fn flows(clock: &ManualClock) -> (MemoryFlowStore, Flows<MemoryFlowStore>) {
    let store = MemoryFlowStore::new();
    let flows = Flows::new(store.clone(), sspr::host::Keys::from_secret([7; 32]))
        .expect("an in-memory store or real keys")
        .with_clock(clock.clone());
    (store, flows)
}

/// Suspends a step as a host does, and takes its snapshot out of the store. The step
/// stays with the caller.
fn suspend(
    (store, flows): &(MemoryFlowStore, Flows<MemoryFlowStore>),
    now: OffsetDateTime,
    next: &Next,
) -> (FlowId, FlowSnapshot) {
    let saved = ready(flows.save(next)).unwrap().unwrap();
    let Taken::Snapshot(snapshot) =
        store.take_blocking(saved.flow.store_key(), Some(saved.nonce), now)
    else {
        panic!("the saved flow is stored")
    };
    (saved.flow, snapshot)
}

/// One snapshot of each step, of the usual user (an SMS and an email method).
fn snapshots() -> Vec<(&'static str, FlowId, FlowSnapshot)> {
    let directory = InMemoryDirectory::new();
    let phone = ContactMethod::sms("+31 6 12345678");
    directory.insert(UserRecord {
        id: UserId::parse("jan.jansen@contoso.nl").unwrap(),
        tenant: "contoso".into(),
        roles: vec![Role::User],
        self_service_reset: true,
        methods: vec![
            phone.clone(),
            ContactMethod::email("jan.private@fabrikam.example"),
        ],
        password_hash: None,
        methods_confirmed: None,
    });
    let outbox = Outbox::new();
    let clock = ManualClock::default();
    // Every step, the method choice included: the policy that shows the methods.
    let policy = sspr::policy::Policy::builder()
        .conceal(false)
        .build()
        .unwrap();
    let sspr = Sspr::builder(directory, outbox.clone())
        .policy(policy)
        .clock(clock.clone())
        .build()
        .unwrap();
    let (scratch, now) = (flows(&clock), clock.now());

    let next = Next::from(sspr.start().unwrap());
    let (flow, snapshot) = suspend(&scratch, now, &next);
    let mut out = vec![("select account", flow, snapshot)];
    let Next::Step(AnyStep::SelectAccount(select)) = next else {
        unreachable!()
    };
    let Ok(FromSelectAccount::Identify(identify)) = select.choose(&sspr, AccountType::WorkOrSchool)
    else {
        panic!("identify")
    };
    let next = Next::from(identify);
    let (flow, snapshot) = suspend(&scratch, now, &next);
    out.push(("identify", flow, snapshot));
    let Next::Step(AnyStep::Identify(identify)) = next else {
        unreachable!()
    };
    let answer = identify.step().challenge().danger_reveal_answer();
    let Ok(FromIdentify::ChooseMethod(choose)) =
        ready(identify.submit(&sspr, "jan.jansen@contoso.nl", &answer))
    else {
        panic!("choose")
    };
    let next = Next::from(choose);
    let (flow, snapshot) = suspend(&scratch, now, &next);
    out.push(("choose method", flow, snapshot));
    let Next::Step(AnyStep::ChooseMethod(choose)) = next else {
        unreachable!()
    };
    let Ok(ToVerify::Verify(verify)) = ready(choose.choose(&sspr, 0)) else {
        panic!("verify")
    };
    let next = Next::from(verify);
    let (flow, snapshot) = suspend(&scratch, now, &next);
    out.push(("verify", flow, snapshot));
    let Next::Step(AnyStep::Verify(verify)) = next else {
        unreachable!()
    };
    let code = outbox.last_code_to(&phone).unwrap();
    let Ok(FromVerify::NewPassword(new_password)) = ready(verify.submit(&sspr, &code)) else {
        panic!("new password")
    };
    let (flow, snapshot) = suspend(&scratch, now, &new_password.into());
    out.push(("new password", flow, snapshot));
    out
}

/// Per step: [`Flows::save`] of the step (encode, then replace the flow's one entry),
/// [`Flows::resume`] of its stored bytes (save the bytes, take, decode), and the same
/// save and take without the codec, to subtract.
fn encode_decode(c: &mut Criterion) {
    let clock = ManualClock::default();
    let now = clock.now();
    let expires = now + Duration::minutes(15);
    let (store, flows) = flows(&clock);
    for (name, flow_id, snapshot) in snapshots() {
        println!("snapshot size, {name}: {} bytes", snapshot.len());
        let flow = snapshot.flow_id();
        let id = flow_id.to_string();
        let bytes = snapshot.as_bytes().to_vec();
        store.save_blocking(snapshot, expires, now).unwrap();
        let next = Next::from(ready(flows.resume(&id)).unwrap());
        c.bench_function(&format!("snapshot encode+save/{name}"), |b| {
            b.iter(|| black_box(ready(flows.save(black_box(&next))).unwrap()))
        });
        let save = || {
            let snapshot = FlowSnapshot::from_bytes(black_box(&bytes)).unwrap();
            store.save_blocking(snapshot, expires, now).unwrap();
        };
        c.bench_function(&format!("snapshot save+decode/{name}"), |b| {
            b.iter(|| {
                save();
                black_box(ready(flows.resume(black_box(&id))).unwrap())
            })
        });
        c.bench_function(&format!("snapshot save+take, no codec/{name}"), |b| {
            b.iter(|| {
                save();
                black_box(store.take_blocking(black_box(flow), None, now))
            })
        });
        ready(flows.discard(flow)).unwrap();
    }
}

fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// A copy of `template` renamed to a fresh random flow.
fn renamed(template: &[u8]) -> (FlowId, FlowSnapshot) {
    let flow = FlowId::generate().unwrap();
    let mut bytes = template.to_vec();
    // The store key's place in the header (after the version and the stage).
    bytes[2..18].copy_from_slice(flow.as_bytes());
    (flow, FlowSnapshot::from_bytes(&bytes).unwrap())
}

fn memory_store(c: &mut Criterion) {
    let all = snapshots();
    // Every step seals to one size (bodies are padded): any of them stands for all.
    let (largest, _, template) = all.iter().max_by_key(|(_, _, s)| s.len()).unwrap();
    println!("memory store: every flow a copy of one step ({largest}; all seal to one size)");
    let template = template.as_bytes().to_vec();
    let now = ManualClock::default().now();
    let expires = now + Duration::minutes(15);
    let before = resident_bytes();
    let ids_and_snapshots: Vec<_> = (0..FLOWS).map(|_| renamed(&template)).collect();
    let ids: Vec<FlowId> = ids_and_snapshots.iter().map(|(id, _)| *id).collect();
    let store = MemoryFlowStore::with_capacity(FLOWS + 1);
    let started = std::time::Instant::now();
    for (_, snapshot) in ids_and_snapshots {
        store.save_blocking(snapshot, expires, now).unwrap();
    }
    let fill = started.elapsed();
    assert_eq!(store.len(), FLOWS, "every flow was stored");
    let after = resident_bytes();
    println!(
        "memory store: {FLOWS} flows of {} bytes: resident +{:.1} MB ({} bytes per flow, \
         snapshots and the 16 MB list of IDs included); filled in {:.2?} \
         ({:.0} ns per save)",
        template.len(),
        (after.saturating_sub(before)) as f64 / 1e6,
        after.saturating_sub(before) / FLOWS as u64,
        fill,
        fill.as_nanos() as f64 / FLOWS as f64,
    );
    let mut i = 0usize;
    c.bench_function("memory store/take+save (1M flows)", |b| {
        b.iter(|| {
            let flow = ids[i % FLOWS];
            i = i.wrapping_add(7919);
            let Taken::Snapshot(s) = store.take_blocking(flow, None, now) else {
                panic!("present")
            };
            store.save_blocking(s, expires, now).unwrap();
        })
    });
    c.bench_function("memory store/take miss (1M flows)", |b| {
        let missing = FlowId::generate().unwrap();
        b.iter(|| black_box(store.take_blocking(black_box(missing), None, now)))
    });
    let (flow, _) = renamed(&template);
    c.bench_function("memory store/save new copy (1M flows)", |b| {
        b.iter(|| {
            let snapshot = FlowSnapshot::from_bytes(&{
                let mut bytes = template.clone();
                // The store key's place in the header (after the version and the stage).
                bytes[2..18].copy_from_slice(flow.as_bytes());
                bytes
            })
            .unwrap();
            store.save_blocking(snapshot, expires, now).unwrap();
        })
    });
}

criterion_group!(benches, encode_decode, memory_store);
criterion_main!(benches);
