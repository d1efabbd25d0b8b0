//! Shared conformance suites for the host traits: every implementation (the crate's
//! in-memory ones, a host's database or Redis ones) runs the same checks.
//!
//! Compiled with the `conformance` feature. Each suite panics (like a test) on the first
//! rule an implementation breaks.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use time::{Duration, OffsetDateTime};

use crate::challenge::ChallengeKind;
use crate::clock::Clock;
use crate::code::OneTimeCode;
use crate::contact::{ContactKind, ContactMethod};
use crate::directory::{Directory, NewPasswordHash, Role, UserRecord};
use crate::event::{Activity, Detail, Event, EventSink};
use crate::flow::FlowId;
use crate::limits::{Counter, Counters};
use crate::password::{HashParams, Password, hash_password_with_os_rng};
use crate::sender::{CodeSender, Notice};
use crate::user_id::UserId;

fn user(id: &str) -> UserId {
    UserId::parse(id).expect("valid user ID")
}

/// A directory: `insert` must add a record to it the way the host provisions accounts.
/// Checks case-insensitive lookup, unknown users, and that a stored hash reads back.
pub async fn directory<D: Directory>(directory: &D, insert: impl Fn(&D, UserRecord)) {
    let id = user("Conformance.User@Example.org");
    insert(
        directory,
        UserRecord {
            id: id.clone(),
            tenant: "example".into(),
            roles: vec![Role::User],
            self_service_reset: true,
            methods: vec![ContactMethod::email("c@example.net")],
            password_hash: None,
        },
    );
    let found = directory
        .find_user(&user("conformance.user@EXAMPLE.org"))
        .await
        .expect("lookup works")
        .expect("lookup ignores case");
    assert_eq!(found.id, id);
    assert!(found.self_service_reset);
    assert_eq!(found.methods.len(), 1);
    assert!(
        directory
            .find_user(&user("nobody@example.org"))
            .await
            .expect("lookup works")
            .is_none(),
        "an unknown user is Ok(None)"
    );
    let hash = hash_password_with_os_rng(
        &Password::new("conformance horse battery 9"),
        &HashParams::default(),
    )
    .expect("hashing works");
    directory
        .set_password(
            &id,
            NewPasswordHash {
                hash: hash.clone(),
                must_change: false,
                expires: None,
            },
        )
        .await
        .expect("storing a hash works");
    let stored = directory
        .find_user(&id)
        .await
        .expect("lookup works")
        .expect("still there")
        .password_hash
        .expect("a hash is stored");
    assert_eq!(stored.as_str(), hash.as_str());
    assert!(
        directory
            .set_password(
                &user("nobody@example.org"),
                NewPasswordHash {
                    hash,
                    must_change: false,
                    expires: None
                }
            )
            .await
            .is_err(),
        "setting the password of an unknown user is an error"
    );
}

/// A code sender: delivers codes and notices to every kind of method without error.
pub async fn code_sender(sender: &impl CodeSender) {
    let id = user("conformance@example.org");
    let code = OneTimeCode::generate(6).expect("entropy");
    for method in [
        ContactMethod::email("c@example.net"),
        ContactMethod::sms("+31 6 12345678"),
        ContactMethod::voice("+31 20 1234567"),
    ] {
        sender
            .send_code(&id, &method, &code)
            .await
            .expect("a code is delivered");
        sender
            .send_notice(&id, &method, Notice::PasswordChanged)
            .await
            .expect("a notice is delivered");
    }
}

/// Per-user counters: windows, blocks, clearing, and users kept apart.
pub async fn counters(counters: &impl Counters, now: OffsetDateTime) {
    let a = user("a@example.org");
    let b = user("b@example.org");
    let window = Duration::hours(1);
    for expected in 1..=3 {
        let n = counters
            .add(&a, Counter::CodeSends, now, window)
            .await
            .expect("add works");
        assert_eq!(n, expected, "counts add up within a window");
    }
    let other = counters
        .add(&a, Counter::FailedVerifications, now, window)
        .await
        .expect("add works");
    assert_eq!(other, 1, "counters of one user are separate");
    let n = counters
        .add(&b, Counter::CodeSends, now, window)
        .await
        .expect("add works");
    assert_eq!(n, 1, "users are kept apart");
    let later = now + window + Duration::seconds(1);
    let n = counters
        .add(&a, Counter::CodeSends, later, window)
        .await
        .expect("add works");
    assert_eq!(n, 1, "a new window starts after the old one ends");

    assert_eq!(counters.blocked_until(&a, now).await.expect("works"), None);
    let until = now + Duration::hours(24);
    counters.block(&a, until).await.expect("block works");
    assert_eq!(
        counters.blocked_until(&a, now).await.expect("works"),
        Some(until)
    );
    assert_eq!(counters.blocked_until(&b, now).await.expect("works"), None);
    assert_eq!(
        counters
            .blocked_until(&a, until + Duration::seconds(1))
            .await
            .expect("works"),
        None,
        "a block ends"
    );
    counters.clear(&a).await.expect("clear works");
    assert_eq!(counters.blocked_until(&a, now).await.expect("works"), None);
    let n = counters
        .add(&a, Counter::CodeSends, now, window)
        .await
        .expect("add works");
    assert_eq!(n, 1, "clear forgets the counts");
    counters.clear(&b).await.expect("clear works");
    counters.clear(&a).await.expect("clear works");
}

/// A clock: never goes backwards between two reads.
pub fn clock(clock: &impl Clock) {
    let first = clock.now();
    let second = clock.now();
    assert!(second >= first, "time does not run backwards");
}

/// An event sink: takes every kind of event without panicking.
pub fn event_sink(sink: &impl EventSink, now: OffsetDateTime) {
    let details = [
        Detail::FlowStarted,
        Detail::PersonalAccountChosen,
        Detail::WorkOrSchoolAccountChosen,
        Detail::ChallengeIssued {
            kind: ChallengeKind::Audio,
        },
        Detail::ChallengeFailed { attempts_left: 4 },
        Detail::ChallengePassed,
        Detail::NotEnabledForSelfService,
        Detail::CodeSent {
            via: ContactKind::Sms,
        },
        Detail::CodeFailed { attempts_left: 2 },
        Detail::CodeVerified {
            via: ContactKind::Email,
        },
        Detail::PasswordRefused { rule: "too short" },
        Detail::PasswordChanged,
        Detail::NoticeFailed {
            via: ContactKind::Voice,
        },
        Detail::Locked { reason: "test" },
        Detail::Expired,
        Detail::TemporaryPasswordSet,
    ];
    for detail in details {
        sink.record(&Event {
            at: now,
            activity: Activity::FlowActivityProgress,
            flow: FlowId::generate().ok(),
            user: Some(user("c@example.org")),
            detail,
        });
    }
}
