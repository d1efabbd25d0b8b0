//! A flood of 1,000,000 anonymous starts into a default `MemoryFlowStore`, as one thread
//! sends them: how long it takes, what the store holds and what memory it costs after,
//! and whether a person who starts afterwards still completes a reset through it.
//!
//! `cargo bench -p sspr-benches --bench anonymous_flood` (`-- --starts N` for another
//! flood). It prints one table; memory is the process's resident size (Linux).

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use sspr::host::{ContactMethod, DeliverAtOnce, InMemoryDirectory, Keys, Outbox, Role, UserRecord};
use sspr::password::Password;
use sspr::step::{AccountType, FromIdentify, FromNewPassword, FromSelectAccount, FromVerify};
use sspr::store::{Flows, MemoryFlowStore};
use sspr::{AnyStep, Next, Sspr, UserId};

/// In-memory parts never wait: one poll finishes the step.
fn ready<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => value,
        Poll::Pending => unreachable!("in-memory parts are always ready"),
    }
}

/// Resident memory of this process, in MiB.
fn resident_mib() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / (1024.0 * 1024.0)
}

fn round_trip(flows: &Flows<MemoryFlowStore>, next: Next) -> AnyStep {
    let saved = ready(flows.save(&next)).expect("saves").expect("a step");
    ready(flows.resume_step(&saved.flow.to_string(), saved.nonce)).expect("still there")
}

fn main() {
    let mut args = std::env::args().skip_while(|a| a != "--starts").skip(1);
    let starts: usize = args
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let directory = InMemoryDirectory::new();
    let phone = ContactMethod::sms("+31 6 12345678");
    directory.insert(UserRecord {
        id: UserId::parse("jan@contoso.nl").expect("valid"),
        tenant: "contoso".into(),
        roles: vec![Role::User],
        self_service_reset: true,
        methods: vec![phone.clone()],
        password_hash: None,
        methods_confirmed: None,
    });
    let outbox = Outbox::new();
    let keys = Keys::from_secret([7; 32]);
    let sspr = Sspr::builder(directory, outbox.clone())
        .keys(&keys)
        .dispatch(DeliverAtOnce)
        .build()
        .expect("service");
    let store = MemoryFlowStore::new();
    let flows = Flows::new(store.clone(), keys)
        .expect("in memory")
        .with_clock(sspr.clone());

    let before = resident_mib();
    let started = Instant::now();
    let mut refused = 0usize;
    for _ in 0..starts {
        let start = sspr.start().expect("starts");
        if ready(flows.save(&start.into())).is_err() {
            refused += 1;
        }
    }
    let took = started.elapsed();
    let after = resident_mib();

    // A person who starts now.
    let started = Instant::now();
    let AnyStep::SelectAccount(select) = round_trip(&flows, sspr.start().expect("starts").into())
    else {
        panic!("select account")
    };
    let Ok(FromSelectAccount::Identify(identify)) = select.choose(&sspr, AccountType::WorkOrSchool)
    else {
        panic!("identify")
    };
    let AnyStep::Identify(identify) = round_trip(&flows, identify.into()) else {
        panic!("identify")
    };
    let answer = identify.step().challenge().danger_reveal_answer();
    let Ok(FromIdentify::Verify(verify)) = ready(identify.submit(&sspr, "jan@contoso.nl", &answer))
    else {
        panic!("code step")
    };
    let AnyStep::Verify(verify) = round_trip(&flows, verify.into()) else {
        panic!("verify")
    };
    let code = outbox.last_code_to(&phone).expect("a code");
    let Ok(FromVerify::NewPassword(new)) = ready(verify.submit(&sspr, &code)) else {
        panic!("new password")
    };
    let AnyStep::NewPassword(new) = round_trip(&flows, new.into()) else {
        panic!("new password")
    };
    let strong = "plum kettle orbit 71";
    let done = ready(new.submit(&sspr, Password::new(strong), Password::new(strong)));
    let completed = matches!(done, Ok(FromNewPassword::Completed(_)));
    let person = started.elapsed();

    println!(
        "| anonymous starts | time | refused | anonymous flows held | resident memory | a reset after it |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    println!(
        "| {starts} | {:.2} s ({:.2} µs each) | {refused} | {} (pool {}) | {before:.0} → {after:.0} MiB | {} in {:.0} ms (Argon2id included) |",
        took.as_secs_f64(),
        took.as_secs_f64() * 1e6 / starts as f64,
        store.anonymous_len(),
        store.anonymous_capacity(),
        if completed { "completed" } else { "FAILED" },
        person.as_secs_f64() * 1000.0,
    );
    assert!(completed, "the reset after the flood completes");
}
