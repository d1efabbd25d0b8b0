//! Does the time of Identify tell a known account from an unknown user ID? Under the
//! default (conceal) policy both lead to the same page; this times a right answer for
//! 10,000 accounts that can reset and 10,000 user IDs that do not exist, interleaved in a
//! random order on one service (in-memory parts, the default `DeliveryThread`), and
//! compares them with a Mann-Whitney U test. |z| < 3: no difference this test can see.
//! Then the same with `conceal(false)`, as a baseline that does differ.
//!
//! `cargo bench -p sspr-benches --bench identify_timing` (add `-- --runs N` for another
//! number of runs per group). It prints both medians and z; it times, so run it on a quiet
//! machine. With `ONLY=known` or `ONLY=unknown` it runs that group alone and prints
//! nothing: for a profiler (`perf record`), to see where the two differ.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use rand::seq::SliceRandom;
use sspr::host::{ContactMethod, InMemoryDirectory, Outbox, Role, UserRecord};
use sspr::policy::Policy;
use sspr::step::{AccountType, FromSelectAccount, Identify};
use sspr::{Sspr, UserId, Wizard};

/// In-memory parts never wait, and the delivery is handed off: one poll ends the step.
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

/// The `i`-th user ID of a group; both groups' IDs have one length.
fn user(group: &str, i: usize) -> String {
    format!("{group}{i:06}@contoso.nl")
}

fn service(runs: usize, conceal: bool) -> Sspr {
    let directory = InMemoryDirectory::new();
    for i in 0..runs {
        directory.insert(UserRecord {
            id: UserId::parse(&user("member", i)).expect("valid"),
            tenant: "contoso".into(),
            roles: vec![Role::User],
            self_service_reset: true,
            methods: vec![ContactMethod::sms(format!("+31 6 {i:08}"))],
            password_hash: None,
            methods_confirmed: None,
        });
    }
    let policy = Policy::builder().conceal(conceal).build().expect("policy");
    Sspr::builder(directory, Outbox::new())
        .policy(policy)
        .build()
        .expect("service")
}

fn identify(sspr: &Sspr) -> Wizard<Identify> {
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

/// Nanoseconds of each submit of a right answer, known and unknown, interleaved.
fn time(runs: usize, conceal: bool) -> (Vec<f64>, Vec<f64>) {
    let sspr = service(runs, conceal);
    let only = std::env::var("ONLY").ok();
    let mut order: Vec<(bool, usize)> = (0..runs)
        .flat_map(|i| [(true, i), (false, i)])
        .filter(|(k, _)| only.as_deref().is_none_or(|o| (o == "known") == *k))
        .collect();
    order.shuffle(&mut rand::rng());
    let (mut known, mut unknown) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    for (is_known, i) in order {
        let id = user(if is_known { "member" } else { "nobody" }, i);
        let w = identify(&sspr);
        let answer = w.step().challenge().danger_reveal_answer();
        let started = Instant::now();
        let outcome = ready(w.submit(&sspr, &id, &answer));
        let took = started.elapsed().as_nanos() as f64;
        std::hint::black_box(outcome.is_ok());
        if is_known {
            known.push(took);
        } else {
            unknown.push(took);
        }
    }
    (known, unknown)
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

/// The Mann-Whitney U test's z (normal approximation, ties given their mean rank): how
/// many standard deviations `a`'s rank sum lies from what equal distributions give.
fn mann_whitney_z(a: &[f64], b: &[f64]) -> f64 {
    let mut all: Vec<(f64, bool)> = a
        .iter()
        .map(|&x| (x, true))
        .chain(b.iter().map(|&x| (x, false)))
        .collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0));
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let n = n1 + n2;
    let (mut rank_sum_a, mut tie_term) = (0.0, 0.0);
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j < all.len() && all[j].0 == all[i].0 {
            j += 1;
        }
        let mean_rank = (i + 1 + j) as f64 / 2.0;
        let tied = (j - i) as f64;
        tie_term += tied * tied * tied - tied;
        rank_sum_a += mean_rank * all[i..j].iter().filter(|x| x.1).count() as f64;
        i = j;
    }
    let u = rank_sum_a - n1 * (n1 + 1.0) / 2.0;
    let mean = n1 * n2 / 2.0;
    let sd = (n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)))).sqrt();
    (u - mean) / sd
}

/// The statistic on samples whose answer is known: 0 for equal ones, strongly negative
/// for a sample shifted below the other.
fn check_the_statistic() {
    let a: Vec<f64> = (0..100).map(f64::from).collect();
    assert!(mann_whitney_z(&a, &a).abs() < 1e-9);
    let b: Vec<f64> = (0..100).map(|x| f64::from(x) + 50.0).collect();
    assert!(mann_whitney_z(&a, &b) < -5.0);
}

fn main() {
    check_the_statistic();
    let mut args = std::env::args().skip_while(|a| a != "--runs").skip(1);
    let runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    println!("Identify, a right answer: {runs} known and {runs} unknown user IDs, interleaved");
    println!("| policy | known median | unknown median | Mann-Whitney z |");
    println!("| --- | --- | --- | --- |");
    for (name, conceal) in [("conceal (default)", true), ("conceal(false)", false)] {
        if std::env::var_os("ONLY").is_some() {
            let _ = time(runs, true);
            return;
        }
        // A warm-up pass, so that both groups meet warm caches and allocator.
        let _ = time(runs.min(1000), conceal);
        let (known, unknown) = time(runs, conceal);
        println!(
            "| {name} | {:.2} µs | {:.2} µs | {:+.2} |",
            median(&known) / 1000.0,
            median(&unknown) / 1000.0,
            mann_whitney_z(&known, &unknown)
        );
    }
}
