//! One wizard step without hashing or I/O (in-memory host parts), beside the OS random
//! draw each step makes, in the same run.
//!
//! `cargo bench -p sspr-benches --bench wizard`

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rand::TryRng;
use sspr::Sspr;
use sspr::UserId;
use sspr::Wizard;
use sspr::host::ContactMethod;
use sspr::host::Outbox;
use sspr::host::{Counters, MemoryCounters};
use sspr::host::{InMemoryDirectory, Role, UserRecord};
use sspr::policy::Policy;
use sspr::step::{AccountType, FromIdentify, FromSelectAccount, Identify, ToVerify, Verify};

type Service = Sspr;

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

fn service() -> (Service, ContactMethod, Outbox, MemoryCounters) {
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
    let counters = MemoryCounters::new();
    // The steps of `conceal(false)`, which the figures in BENCHMARKS.md were taken on
    // (the conceal policy's Identify is timed in `identify_timing`).
    let policy = Policy::builder().conceal(false).build().expect("policy");
    let sspr = Sspr::builder(directory, outbox.clone())
        .policy(policy)
        .counters(counters.clone())
        .build()
        .expect("service");
    (sspr, phone, outbox, counters)
}

fn identify(sspr: &Service) -> Wizard<Identify> {
    match sspr
        .start()
        .expect("start")
        .choose(sspr, AccountType::WorkOrSchool)
        .expect("choose")
    {
        FromSelectAccount::Identify(w) => w,
        other => unreachable!("{other:?}"),
    }
}

fn verify(sspr: &Service) -> Wizard<Verify> {
    let w = identify(sspr);
    let answer = w.step().challenge().danger_reveal_answer();
    let FromIdentify::ChooseMethod(choose) =
        ready(w.submit(sspr, "jan@contoso.nl", &answer)).expect("right")
    else {
        unreachable!()
    };
    let ToVerify::Verify(verify) = ready(choose.choose(sspr, 0)).expect("sent") else {
        unreachable!()
    };
    verify
}

fn steps(c: &mut Criterion) {
    let (sspr, phone, outbox, counters) = service();
    let user = UserId::parse("jan@contoso.nl").expect("valid");
    let mut group = c.benchmark_group("wizard_step");
    group.bench_function("baseline_os_random_32_bytes", |b| {
        b.iter(|| {
            let mut bytes = [0u8; 32];
            rand::rngs::SysRng
                .try_fill_bytes(&mut bytes)
                .expect("entropy");
            black_box(bytes)
        })
    });
    group.bench_function("start_and_choose_account", |b| {
        b.iter(|| black_box(identify(&sspr)))
    });
    group.bench_function("identify_wrong_answer", |b| {
        b.iter_batched(
            || identify(&sspr),
            |w| black_box(ready(w.submit(&sspr, "jan@contoso.nl", "XXXXXX")).is_err()),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("identify_right_answer", |b| {
        b.iter_batched(
            || {
                let w = identify(&sspr);
                let answer = w.step().challenge().danger_reveal_answer();
                (w, answer)
            },
            |(w, answer)| black_box(ready(w.submit(&sspr, "jan@contoso.nl", &answer)).is_ok()),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("verify_right_code", |b| {
        b.iter_batched(
            || {
                // Many flows for one user ID: forget the per-user limits between them.
                ready(counters.clear(&user)).expect("clear");
                let w = verify(&sspr);
                let code = outbox.last_code_to(&phone).expect("code sent");
                (w, code)
            },
            |(w, code)| black_box(ready(w.submit(&sspr, &code)).is_ok()),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

/// Identify under the default (conceal) policy, for an account that can reset and for an
/// unknown user ID, each in its own criterion run (`identify_timing` interleaves them and
/// tests the difference).
fn concealed_identify(c: &mut Criterion) {
    let mut group = c.benchmark_group("identify_concealed");
    for (name, prefix) in [("known", "member"), ("unknown", "nobody")] {
        // A service of its own for each: what one run leaves (codes in the outbox, the
        // delivery queue) does not weigh on the other.
        let (sspr, counters) = concealed_service();
        let mut i = 0usize;
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    i = (i + 1) % 10_000;
                    let user = format!("{prefix}{i:06}@contoso.nl");
                    // Many flows for one user ID: forget its limits between them.
                    let id = UserId::parse(&user).expect("valid");
                    ready(counters.clear(&id)).expect("clear");
                    let w = identify(&sspr);
                    let answer = w.step().challenge().danger_reveal_answer();
                    (w, user, answer)
                },
                |(w, user, answer)| black_box(ready(w.submit(&sspr, &user, &answer)).is_ok()),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

/// A delivery service that takes each message and returns, as an insert into a mail
/// queue would. (The in-memory `Outbox` keeps every delivery in one growing list: at the
/// hundreds of thousands of codes a second that criterion asks for, its copying competes
/// with the step on a two-core machine, and makes the known run look slower than it is.)
struct Queued(std::sync::atomic::AtomicUsize);

impl sspr::host::CodeSender for Queued {
    async fn send_code(
        &self,
        _: &UserId,
        _: &ContactMethod,
        _: &sspr::host::OneTimeCode,
    ) -> Result<(), sspr::host::SendError> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    async fn send_notice(
        &self,
        _: &UserId,
        _: &ContactMethod,
        _: sspr::host::Notice,
    ) -> Result<(), sspr::host::SendError> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }
}

/// The default policy over 10,000 accounts `member000000@contoso.nl`.. that can reset.
fn concealed_service() -> (Service, MemoryCounters) {
    let directory = InMemoryDirectory::new();
    for i in 0..10_000 {
        directory.insert(UserRecord {
            id: UserId::parse(&format!("member{i:06}@contoso.nl")).expect("valid"),
            tenant: "contoso".into(),
            roles: vec![Role::User],
            self_service_reset: true,
            methods: vec![ContactMethod::sms(format!("+31 6 {i:08}"))],
            password_hash: None,
            methods_confirmed: None,
        });
    }
    let counters = MemoryCounters::new();
    let sspr = Sspr::builder(directory, Queued(Default::default()))
        .counters(counters.clone())
        .build()
        .expect("service");
    (sspr, counters)
}

criterion_group!(benches, steps, concealed_identify);
criterion_main!(benches);
