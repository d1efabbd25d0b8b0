//! Suspended flows: snapshot encode/decode per step (sizes printed), the memory store's
//! take/save, and its resident memory for 1,000,000 pending flows (printed).
//!
//! `cargo bench -p sspr-benches --bench store`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use criterion::{Criterion, criterion_group, criterion_main};
use sspr::Sspr;
use sspr::clock::{Clock, ManualClock};
use sspr::contact::ContactMethod;
use sspr::directory::{InMemoryDirectory, Role, UserRecord};
use sspr::flow::FlowId;
use sspr::sender::Outbox;
use sspr::snapshot::{AnyStep, FlowSnapshot};
use sspr::step::{AccountType, FromIdentify, FromSelectAccount, FromVerify, ToVerify};
use sspr::store::{MemoryFlowStore, Taken};
use sspr::user_id::UserId;
use time::Duration;

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

/// One snapshot of each step, of the usual user (an SMS and an email method).
fn snapshots() -> Vec<(&'static str, FlowSnapshot)> {
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
    });
    let outbox = Outbox::new();
    let sspr = Sspr::builder(directory, outbox.clone())
        .clock(ManualClock::default())
        .build()
        .unwrap();
    let select = sspr.start().unwrap();
    let mut out = vec![("select account", FlowSnapshot::of(&select).unwrap())];
    let Ok(FromSelectAccount::Identify(identify)) = select.choose(&sspr, AccountType::WorkOrSchool)
    else {
        panic!("identify")
    };
    out.push(("identify", FlowSnapshot::of(&identify).unwrap()));
    let answer = identify.step().challenge().danger_reveal_answer();
    let Ok(FromIdentify::ChooseMethod(choose)) =
        ready(identify.submit(&sspr, "jan.jansen@contoso.nl", &answer))
    else {
        panic!("choose")
    };
    out.push(("choose method", FlowSnapshot::of(&choose).unwrap()));
    let Ok(ToVerify::Verify(verify)) = ready(choose.choose(&sspr, 0)) else {
        panic!("verify")
    };
    out.push(("verify", FlowSnapshot::of(&verify).unwrap()));
    let code = outbox.last_code_to(&phone).unwrap();
    let Ok(FromVerify::NewPassword(new_password)) = ready(verify.submit(&sspr, &code)) else {
        panic!("new password")
    };
    out.push(("new password", FlowSnapshot::of(&new_password).unwrap()));
    out
}

fn encode_decode(c: &mut Criterion) {
    for (name, snapshot) in snapshots() {
        println!("snapshot size, {name}: {} bytes", snapshot.len());
        let flow = snapshot.flow_id();
        let step = FlowSnapshot::resume(snapshot.as_bytes(), flow).unwrap();
        c.bench_function(&format!("snapshot encode/{name}"), |b| {
            b.iter(|| black_box(step.snapshot().unwrap()))
        });
        c.bench_function(&format!("snapshot decode/{name}"), |b| {
            b.iter(|| {
                black_box(FlowSnapshot::resume(black_box(snapshot.as_bytes()), flow).unwrap())
            })
        });
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
    bytes[1..17].copy_from_slice(flow.as_bytes());
    (flow, FlowSnapshot::from_bytes(&bytes).unwrap())
}

fn memory_store(c: &mut Criterion) {
    let all = snapshots();
    // The largest step (Verify) for every flow: the worst case.
    let template = all
        .iter()
        .max_by_key(|(_, s)| s.len())
        .map(|(_, s)| s.as_bytes().to_vec())
        .unwrap();
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
                bytes[1..17].copy_from_slice(flow.as_bytes());
                bytes
            })
            .unwrap();
            store.save_blocking(snapshot, expires, now).unwrap();
        })
    });
    // Keep the step enum in use for the decode of the stored bytes.
    let AnyStep::Verify(_) = FlowSnapshot::resume(
        &template,
        FlowId::from_bytes(template[1..17].try_into().unwrap()),
    )
    .unwrap() else {
        panic!("the largest step is verify")
    };
}

criterion_group!(benches, encode_decode, memory_store);
criterion_main!(benches);
